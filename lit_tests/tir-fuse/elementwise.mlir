// RUN: tensorir-opt %s -p tir-fuse | filecheck %s
// Elementwise producers are inlined into the generic that reads them: one generic per chain,
// the producers' bodies first, in the same order, so each element is computed by the same
// scalar operations as before.

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (0, d1)>

// exp(x) * row + x: three kernels become one. The producers' inputs take the place of the
// fused operand, with composed maps (the row keeps its broadcast map); %x, read twice through
// the same map, becomes one input (the consumer's). The temporaries go. The shape check stays;
// the tensor.dim of the temporary exp(x) now reads the size of its tensor.empty.
// CHECK-LABEL: func.func @chain
// CHECK:      %[[D0:.*]] = tensor.dim %x, %c0 : tensor<?x?xf64>
// CHECK-NEXT: %[[D1:.*]] = tensor.dim %x, %c1 : tensor<?x?xf64>
// CHECK-NEXT: %[[R1:.*]] = tensor.dim %row, %c1 : tensor<1x?xf64>
// CHECK-NEXT: %[[OK:.*]] = arith.cmpi eq, %[[D1]], %[[R1]] : index
// CHECK-NEXT: tir.check %[[OK]], "ValueError", "mismatch"(%[[D1]], %[[R1]] : index, index)
// CHECK-NEXT: %[[E:.*]] = tensor.empty(%[[D0]], %[[D1]]) : tensor<?x?xf64>
// CHECK-NEXT: %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%row, %x : tensor<1x?xf64>, tensor<?x?xf64>) outs(%[[E]] : tensor<?x?xf64>) {
// CHECK-NEXT: ^bb0(%[[B:.*]]: f64, %[[A:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT:   %[[EXP:.*]] = math.exp %[[A]] : f64
// CHECK-NEXT:   %[[MUL:.*]] = arith.mulf %[[EXP]], %[[B]] : f64
// CHECK-NEXT:   %[[ADD:.*]] = arith.addf %[[MUL]], %[[A]] : f64
// CHECK-NEXT:   linalg.yield %[[ADD]] : f64
// CHECK-NEXT: } -> tensor<?x?xf64>
// CHECK-NEXT: func.return %r : tensor<?x?xf64>
func.func @chain(%x: tensor<?x?xf64>, %row: tensor<1x?xf64>) -> tensor<?x?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %x, %c0 : tensor<?x?xf64>
  %d1 = tensor.dim %x, %c1 : tensor<?x?xf64>
  %e0 = tensor.empty(%d0, %d1) : tensor<?x?xf64>
  %ex = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x?xf64>) outs(%e0 : tensor<?x?xf64>) {
  ^bb0(%a: f64, %o: f64):
    %v = math.exp %a : f64
    linalg.yield %v : f64
  } -> tensor<?x?xf64>
  %n0 = tensor.dim %ex, %c0 : tensor<?x?xf64>
  %n1 = tensor.dim %ex, %c1 : tensor<?x?xf64>
  %r1 = tensor.dim %row, %c1 : tensor<1x?xf64>
  %ok = arith.cmpi eq, %n1, %r1 : index
  tir.check %ok, "ValueError", "mismatch"(%n1, %r1 : index, index)
  %e1 = tensor.empty(%n0, %n1) : tensor<?x?xf64>
  %mul = linalg.generic {indexing_maps = [#id2, #row, #id2], iterator_types = ["parallel", "parallel"]} ins(%ex, %row : tensor<?x?xf64>, tensor<1x?xf64>) outs(%e1 : tensor<?x?xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %v = arith.mulf %a, %b : f64
    linalg.yield %v : f64
  } -> tensor<?x?xf64>
  %e2 = tensor.empty(%n0, %n1) : tensor<?x?xf64>
  %r = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%mul, %x : tensor<?x?xf64>, tensor<?x?xf64>) outs(%e2 : tensor<?x?xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %v = arith.addf %a, %b : f64
    linalg.yield %v : f64
  } -> tensor<?x?xf64>
  func.return %r : tensor<?x?xf64>
}

// A producer read twice by its consumer through the same map is inlined once: e = exp(x);
// e * e computes exp once per element, as before.
// CHECK-LABEL: func.func @square_of_exp
// CHECK:      linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<?xf64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT:   %[[EXP:.*]] = math.exp %[[A]] : f64
// CHECK-NEXT:   %[[SQ:.*]] = arith.mulf %[[EXP]], %[[EXP]] : f64
// CHECK-NEXT:   linalg.yield %[[SQ]] : f64
// CHECK-NOT:  linalg.generic
func.func @square_of_exp(%x: tensor<?xf64>) -> tensor<?xf64> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf64>
  %e0 = tensor.empty(%n) : tensor<?xf64>
  %ex = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<?xf64>) outs(%e0 : tensor<?xf64>) {
  ^bb0(%a: f64, %o: f64):
    %v = math.exp %a : f64
    linalg.yield %v : f64
  } -> tensor<?xf64>
  %e1 = tensor.empty(%n) : tensor<?xf64>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%ex, %ex : tensor<?xf64>, tensor<?xf64>) outs(%e1 : tensor<?xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %v = arith.mulf %a, %b : f64
    linalg.yield %v : f64
  } -> tensor<?xf64>
  func.return %sq : tensor<?xf64>
}

// Rank 0 (maps () -> ()): (a * b) - c on scalars is one generic.
// CHECK-LABEL: func.func @rank0
// CHECK:      %[[E:.*]] = tensor.empty() : tensor<f64>
// CHECK-NEXT: %r = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>, affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%a, %b, %c : tensor<f64>, tensor<f64>, tensor<f64>) outs(%[[E]] : tensor<f64>) {
// CHECK-NEXT: ^bb0(%[[A:.*]]: f64, %[[B:.*]]: f64, %[[C:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT:   %[[M:.*]] = arith.mulf %[[A]], %[[B]] : f64
// CHECK-NEXT:   %[[S:.*]] = arith.subf %[[M]], %[[C]] : f64
// CHECK-NEXT:   linalg.yield %[[S]] : f64
// CHECK-NEXT: } -> tensor<f64>
// CHECK-NEXT: func.return %r : tensor<f64>
func.func @rank0(%a: tensor<f64>, %b: tensor<f64>, %c: tensor<f64>) -> tensor<f64> {
  %e0 = tensor.empty() : tensor<f64>
  %m = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%a, %b : tensor<f64>, tensor<f64>) outs(%e0 : tensor<f64>) {
  ^bb0(%x: f64, %y: f64, %o: f64):
    %v = arith.mulf %x, %y : f64
    linalg.yield %v : f64
  } -> tensor<f64>
  %e1 = tensor.empty() : tensor<f64>
  %r = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%m, %c : tensor<f64>, tensor<f64>) outs(%e1 : tensor<f64>) {
  ^bb0(%x: f64, %y: f64, %o: f64):
    %v = arith.subf %x, %y : f64
    linalg.yield %v : f64
  } -> tensor<f64>
  func.return %r : tensor<f64>
}

// A producer with no input (a fill of ones) is inlined: its constant moves into the
// consumer's body, and the consumer reads only %x.
// CHECK-LABEL: func.func @fill
// CHECK:      linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<?xf64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-NEXT:   %[[S:.*]] = arith.addf %[[A]], %[[ONE]] : f64
// CHECK-NEXT:   linalg.yield %[[S]] : f64
// CHECK-NOT:  linalg.generic
func.func @fill(%x: tensor<?xf64>) -> tensor<?xf64> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf64>
  %e0 = tensor.empty(%n) : tensor<?xf64>
  %ones = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e0 : tensor<?xf64>) {
  ^bb0(%o: f64):
    %one = arith.constant 1.000000e+00 : f64
    linalg.yield %one : f64
  } -> tensor<?xf64>
  %e1 = tensor.empty(%n) : tensor<?xf64>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x, %ones : tensor<?xf64>, tensor<?xf64>) outs(%e1 : tensor<?xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %v = arith.addf %a, %b : f64
    linalg.yield %v : f64
  } -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// A rank-0 producer that yields a value from outside its body (the element count that
// tir.size computes) is inlined too: the consumer uses that value directly.
// CHECK-LABEL: func.func @outer_value
// CHECK:      %[[N:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<i64>
// CHECK-NEXT: %r = linalg.generic {indexing_maps = [affine_map<() -> ()>], iterator_types = []} outs(%[[E]] : tensor<i64>) {
// CHECK-NEXT: ^bb0(%{{.*}}: i64):
// CHECK-NEXT:   %[[T:.*]] = arith.constant 2 : i64
// CHECK-NEXT:   %[[M:.*]] = arith.muli %[[N]], %[[T]] : i64
// CHECK-NEXT:   linalg.yield %[[M]] : i64
func.func @outer_value(%x: tensor<?xf64>) -> tensor<i64> {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?xf64>
  %n = arith.index_cast %d : index to i64
  %e0 = tensor.empty() : tensor<i64>
  %size = linalg.generic {indexing_maps = [affine_map<() -> ()>], iterator_types = []} outs(%e0 : tensor<i64>) {
  ^bb0(%o: i64):
    linalg.yield %n : i64
  } -> tensor<i64>
  %e1 = tensor.empty() : tensor<i64>
  %r = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%size : tensor<i64>) outs(%e1 : tensor<i64>) {
  ^bb0(%a: i64, %o: i64):
    %two = arith.constant 2 : i64
    %v = arith.muli %a, %two : i64
    linalg.yield %v : i64
  } -> tensor<i64>
  func.return %r : tensor<i64>
}
