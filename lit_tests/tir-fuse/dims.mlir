// RUN: tensorir-opt %s -p tir-fuse | filecheck %s
// A tensor.dim of a fused producer's result (shape checks and allocation sizes read them)
// reads the same size off the producer's outs instead: the tensor.empty's dynamic size, a
// constant for a static size, or a tensor.dim of the outs when neither is known.

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @dims
// CHECK-SAME:  (%x: tensor<?x1xf64>, %i: index)
// The tensor.empty of exp(x) stays: the dim with an unknown index reads it.
// CHECK:      %[[N:.*]] = tensor.dim %x, %c0 : tensor<?x1xf64>
// CHECK-NEXT: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x1xf64>
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[DI:.*]] = tensor.dim %[[E]], %i : tensor<?x1xf64>
// CHECK-NEXT: %[[E1:.*]] = tensor.empty(%[[N]]) : tensor<?x1xf64>
// CHECK-NEXT: %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x1xf64>) outs(%[[E1]] : tensor<?x1xf64>)
// CHECK:        math.exp
// CHECK-NEXT:   math.sqrt
// CHECK:      func.return %r, %[[N]], %[[ONE]], %[[DI]] : tensor<?x1xf64>, index, index, index
func.func @dims(%x: tensor<?x1xf64>, %i: index) -> (tensor<?x1xf64>, index, index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?x1xf64>
  %e0 = tensor.empty(%n) : tensor<?x1xf64>
  %ex = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x1xf64>) outs(%e0 : tensor<?x1xf64>) {
  ^bb0(%a: f64, %o: f64):
    %v = math.exp %a : f64
    linalg.yield %v : f64
  } -> tensor<?x1xf64>
  %d0 = tensor.dim %ex, %c0 : tensor<?x1xf64>
  %d1 = tensor.dim %ex, %c1 : tensor<?x1xf64>
  %di = tensor.dim %ex, %i : tensor<?x1xf64>
  %e1 = tensor.empty(%d0) : tensor<?x1xf64>
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%ex : tensor<?x1xf64>) outs(%e1 : tensor<?x1xf64>) {
  ^bb0(%a: f64, %o: f64):
    %v = math.sqrt %a : f64
    linalg.yield %v : f64
  } -> tensor<?x1xf64>
  func.return %r, %d0, %d1, %di : tensor<?x1xf64>, index, index, index
}

// The producer writes into a function argument (not a tensor.empty): its dims are read off
// that argument.
// CHECK-LABEL: func.func @outs_argument
// CHECK:      %[[N:.*]] = tensor.dim %out, %c0 : tensor<?xf64>
// CHECK-NEXT: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?xf64>
// CHECK-NEXT: %r = linalg.generic
// CHECK-SAME: ins(%x : tensor<?xf64>) outs(%[[E]] : tensor<?xf64>)
func.func @outs_argument(%x: tensor<?xf64>, %out: tensor<?xf64>) -> tensor<?xf64> {
  %c0 = arith.constant 0 : index
  %neg = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<?xf64>) outs(%out : tensor<?xf64>) {
  ^bb0(%a: f64, %o: f64):
    %v = arith.negf %a : f64
    linalg.yield %v : f64
  } -> tensor<?xf64>
  %n = tensor.dim %neg, %c0 : tensor<?xf64>
  %e = tensor.empty(%n) : tensor<?xf64>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%neg : tensor<?xf64>) outs(%e : tensor<?xf64>) {
  ^bb0(%a: f64, %o: f64):
    %v = math.exp %a : f64
    linalg.yield %v : f64
  } -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}
