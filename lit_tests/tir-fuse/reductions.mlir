// RUN: tensorir-opt %s -p tir-fuse | filecheck %s
// Elementwise producers are inlined into reductions too: the reduction reads its input once
// per element, so nothing is computed twice. The fill of the neutral element stays: it is the
// reduction's outs, not an input.

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (0, d1)>

// sum(exp(m) * row, axis=1): one generic with a reduction loop, the fill before it.
// CHECK-LABEL: func.func @sum_of_product
// CHECK:      %zeros = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%{{.*}} : tensor<?xf64>)
// CHECK:      %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%m, %row : tensor<?x?xf64>, tensor<1x?xf64>) outs(%zeros : tensor<?xf64>) {
// CHECK-NEXT: ^bb0(%[[A:.*]]: f64, %[[B:.*]]: f64, %[[ACC:.*]]: f64):
// CHECK-NEXT:   %[[E:.*]] = math.exp %[[A]] : f64
// CHECK-NEXT:   %[[P:.*]] = arith.mulf %[[E]], %[[B]] : f64
// CHECK-NEXT:   %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f64
// CHECK-NEXT:   linalg.yield %[[S]] : f64
// CHECK-NEXT: } -> tensor<?xf64>
// CHECK-NEXT: func.return %s : tensor<?xf64>
func.func @sum_of_product(%m: tensor<?x?xf64>, %row: tensor<1x?xf64>) -> tensor<?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %m, %c0 : tensor<?x?xf64>
  %d1 = tensor.dim %m, %c1 : tensor<?x?xf64>
  %e0 = tensor.empty(%d0, %d1) : tensor<?x?xf64>
  %ex = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%m : tensor<?x?xf64>) outs(%e0 : tensor<?x?xf64>) {
  ^bb0(%a: f64, %o: f64):
    %v = math.exp %a : f64
    linalg.yield %v : f64
  } -> tensor<?x?xf64>
  %e1 = tensor.empty(%d0, %d1) : tensor<?x?xf64>
  %p = linalg.generic {indexing_maps = [#id2, #row, #id2], iterator_types = ["parallel", "parallel"]} ins(%ex, %row : tensor<?x?xf64>, tensor<1x?xf64>) outs(%e1 : tensor<?x?xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %v = arith.mulf %a, %b : f64
    linalg.yield %v : f64
  } -> tensor<?x?xf64>
  %e2 = tensor.empty(%d0) : tensor<?xf64>
  %zeros = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e2 : tensor<?xf64>) {
  ^bb0(%o: f64):
    %z = arith.constant 0.000000e+00 : f64
    linalg.yield %z : f64
  } -> tensor<?xf64>
  %s = linalg.generic {indexing_maps = [#id2, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%p : tensor<?x?xf64>) outs(%zeros : tensor<?xf64>) {
  ^bb0(%a: f64, %acc: f64):
    %v = arith.addf %acc, %a : f64
    linalg.yield %v : f64
  } -> tensor<?xf64>
  func.return %s : tensor<?xf64>
}

// mean(m * m) over all of m: the product goes into the sum; the sum, a reduction, is not
// inlined into the division that follows it.
// CHECK-LABEL: func.func @mean_of_square
// CHECK:      %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%m : tensor<?x?xf64>)
// CHECK:        arith.mulf
// CHECK-NEXT:   arith.addf
// CHECK:      %r = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%s : tensor<f64>)
// CHECK:        arith.divf
func.func @mean_of_square(%m: tensor<?x?xf64>, %n: f64) -> tensor<f64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %m, %c0 : tensor<?x?xf64>
  %d1 = tensor.dim %m, %c1 : tensor<?x?xf64>
  %e0 = tensor.empty(%d0, %d1) : tensor<?x?xf64>
  %sq = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%m, %m : tensor<?x?xf64>, tensor<?x?xf64>) outs(%e0 : tensor<?x?xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %v = arith.mulf %a, %b : f64
    linalg.yield %v : f64
  } -> tensor<?x?xf64>
  %e1 = tensor.empty() : tensor<f64>
  %zero = linalg.generic {indexing_maps = [affine_map<() -> ()>], iterator_types = []} outs(%e1 : tensor<f64>) {
  ^bb0(%o: f64):
    %z = arith.constant 0.000000e+00 : f64
    linalg.yield %z : f64
  } -> tensor<f64>
  %s = linalg.generic {indexing_maps = [#id2, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%sq : tensor<?x?xf64>) outs(%zero : tensor<f64>) {
  ^bb0(%a: f64, %acc: f64):
    %v = arith.addf %acc, %a : f64
    linalg.yield %v : f64
  } -> tensor<f64>
  %e2 = tensor.empty() : tensor<f64>
  %r = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%s : tensor<f64>) outs(%e2 : tensor<f64>) {
  ^bb0(%a: f64, %o: f64):
    %v = arith.divf %a, %n : f64
    linalg.yield %v : f64
  } -> tensor<f64>
  func.return %r : tensor<f64>
}
