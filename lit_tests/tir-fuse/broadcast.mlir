// RUN: tensorir-opt %s -p tir-fuse | filecheck %s
// Broadcasts: producers that read broadcast operands, and copies (dimshuffles) read through
// broadcast maps, are inlined with composed indexing maps.

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (0, d1)>

// tanh(m + row): the producer reads %row at index 0 along its size-1 dim; the fused generic
// keeps that map for it.
// CHECK-LABEL: func.func @broadcast_producer
// CHECK:      %t = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%m, %row : tensor<?x?xf64>, tensor<1x?xf64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f64, %[[B:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT:   %[[S:.*]] = arith.addf %[[A]], %[[B]] : f64
// CHECK-NEXT:   %[[T:.*]] = math.tanh %[[S]] : f64
// CHECK-NEXT:   linalg.yield %[[T]] : f64
// CHECK-NOT:  linalg.generic
func.func @broadcast_producer(%m: tensor<?x?xf64>, %row: tensor<1x?xf64>) -> tensor<?x?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %m, %c0 : tensor<?x?xf64>
  %d1 = tensor.dim %m, %c1 : tensor<?x?xf64>
  %e0 = tensor.empty(%d0, %d1) : tensor<?x?xf64>
  %s = linalg.generic {indexing_maps = [#id2, #row, #id2], iterator_types = ["parallel", "parallel"]} ins(%m, %row : tensor<?x?xf64>, tensor<1x?xf64>) outs(%e0 : tensor<?x?xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %v = arith.addf %a, %b : f64
    linalg.yield %v : f64
  } -> tensor<?x?xf64>
  %e1 = tensor.empty(%d0, %d1) : tensor<?x?xf64>
  %t = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<?x?xf64>) outs(%e1 : tensor<?x?xf64>) {
  ^bb0(%a: f64, %o: f64):
    %v = math.tanh %a : f64
    linalg.yield %v : f64
  } -> tensor<?x?xf64>
  func.return %t : tensor<?x?xf64>
}

// m * s for a scalar s: the dimshuffle of s to 1x1 is a copy read at (0, 0); inlined, the
// consumer reads the rank-0 %s itself through (d0, d1) -> (). Copying computes nothing, so
// reading the copy's one element for every (i, j) duplicates no work.
// CHECK-LABEL: func.func @scalar_dimshuffle
// CHECK:      %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%m, %s : tensor<?x?xf64>, tensor<f64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f64, %[[B:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT:   %[[M:.*]] = arith.mulf %[[A]], %[[B]] : f64
// CHECK-NEXT:   linalg.yield %[[M]] : f64
// CHECK-NOT:  linalg.generic
func.func @scalar_dimshuffle(%m: tensor<?x?xf64>, %s: tensor<f64>) -> tensor<?x?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e0 = tensor.empty() : tensor<1x1xf64>
  %s11 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> ()>, #id2], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<f64>) outs(%e0 : tensor<1x1xf64>) {
  ^bb0(%a: f64, %o: f64):
    linalg.yield %a : f64
  } -> tensor<1x1xf64>
  %d0 = tensor.dim %m, %c0 : tensor<?x?xf64>
  %d1 = tensor.dim %m, %c1 : tensor<?x?xf64>
  %e1 = tensor.empty(%d0, %d1) : tensor<?x?xf64>
  %r = linalg.generic {indexing_maps = [#id2, affine_map<(d0, d1) -> (0, 0)>, #id2], iterator_types = ["parallel", "parallel"]} ins(%m, %s11 : tensor<?x?xf64>, tensor<1x1xf64>) outs(%e1 : tensor<?x?xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %v = arith.mulf %a, %b : f64
    linalg.yield %v : f64
  } -> tensor<?x?xf64>
  func.return %r : tensor<?x?xf64>
}

// m + m.T: the transpose (a copy whose input map swaps the dims) is inlined; the fused
// generic reads %m twice, once through the swapped map.
// CHECK-LABEL: func.func @transpose
// CHECK:      linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%m, %m : tensor<?x?xf64>, tensor<?x?xf64>)
// CHECK-NOT:  linalg.generic
func.func @transpose(%m: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %m, %c0 : tensor<?x?xf64>
  %d1 = tensor.dim %m, %c1 : tensor<?x?xf64>
  %e0 = tensor.empty(%d1, %d0) : tensor<?x?xf64>
  %mt = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, #id2], iterator_types = ["parallel", "parallel"]} ins(%m : tensor<?x?xf64>) outs(%e0 : tensor<?x?xf64>) {
  ^bb0(%a: f64, %o: f64):
    linalg.yield %a : f64
  } -> tensor<?x?xf64>
  %e1 = tensor.empty(%d0, %d1) : tensor<?x?xf64>
  %r = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%m, %mt : tensor<?x?xf64>, tensor<?x?xf64>) outs(%e1 : tensor<?x?xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %v = arith.addf %a, %b : f64
    linalg.yield %v : f64
  } -> tensor<?x?xf64>
  func.return %r : tensor<?x?xf64>
}
