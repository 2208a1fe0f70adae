// RUN: tensorir-opt %s -p tir-fuse | filecheck %s
// What is not fused, and why.

#id1 = affine_map<(d0) -> (d0)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>

// A producer with two users stays: inlining it into both would compute exp twice.
// CHECK-LABEL: func.func @two_users
// CHECK:      %e = linalg.generic
// CHECK:        math.exp
// CHECK:      %a = linalg.generic {{.*}} ins(%e : tensor<?xf64>)
// CHECK:      %b = linalg.generic {{.*}} ins(%e : tensor<?xf64>)
func.func @two_users(%x: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf64>
  %e0 = tensor.empty(%n) : tensor<?xf64>
  %e = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : tensor<?xf64>) outs(%e0 : tensor<?xf64>) {
  ^bb0(%v: f64, %o: f64):
    %y = math.exp %v : f64
    linalg.yield %y : f64
  } -> tensor<?xf64>
  %e1 = tensor.empty(%n) : tensor<?xf64>
  %a = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%e : tensor<?xf64>) outs(%e1 : tensor<?xf64>) {
  ^bb0(%v: f64, %o: f64):
    %y = arith.negf %v : f64
    linalg.yield %y : f64
  } -> tensor<?xf64>
  %e2 = tensor.empty(%n) : tensor<?xf64>
  %b = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%e : tensor<?xf64>) outs(%e2 : tensor<?xf64>) {
  ^bb0(%v: f64, %o: f64):
    %y = math.sqrt %v : f64
    linalg.yield %y : f64
  } -> tensor<?xf64>
  func.return %a, %b : tensor<?xf64>, tensor<?xf64>
}

// A result that is also returned stays a kernel of its own.
// CHECK-LABEL: func.func @returned
// CHECK-COUNT-2: linalg.generic
func.func @returned(%x: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf64>
  %e0 = tensor.empty(%n) : tensor<?xf64>
  %e = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : tensor<?xf64>) outs(%e0 : tensor<?xf64>) {
  ^bb0(%v: f64, %o: f64):
    %y = math.exp %v : f64
    linalg.yield %y : f64
  } -> tensor<?xf64>
  %e1 = tensor.empty(%n) : tensor<?xf64>
  %a = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%e : tensor<?xf64>) outs(%e1 : tensor<?xf64>) {
  ^bb0(%v: f64, %o: f64):
    %y = arith.negf %v : f64
    linalg.yield %y : f64
  } -> tensor<?xf64>
  func.return %e, %a : tensor<?xf64>, tensor<?xf64>
}

// A generic with a library_call becomes a BLAS call: nothing is inlined into it (tanh(a)
// stays), and it is no producer either (its reduction iterator, its library_call): the "+ 1"
// after it stays a kernel of its own. Its fill of zeros is its outs and stays.
// CHECK-LABEL: func.func @gemm
// CHECK:      %t = linalg.generic
// CHECK:        math.tanh
// CHECK:      %zeros = linalg.generic
// CHECK:      %c = linalg.generic {{.*}} library_call = "gemm"} ins(%t, %b : tensor<?x?xf64>, tensor<?x?xf64>) outs(%zeros : tensor<?x?xf64>)
// CHECK:      %r = linalg.generic {{.*}} ins(%c : tensor<?x?xf64>)
func.func @gemm(%a: tensor<?x?xf64>, %b: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %a, %c0 : tensor<?x?xf64>
  %k = tensor.dim %a, %c1 : tensor<?x?xf64>
  %n = tensor.dim %b, %c1 : tensor<?x?xf64>
  %e0 = tensor.empty(%m, %k) : tensor<?x?xf64>
  %t = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<?x?xf64>) outs(%e0 : tensor<?x?xf64>) {
  ^bb0(%v: f64, %o: f64):
    %y = math.tanh %v : f64
    linalg.yield %y : f64
  } -> tensor<?x?xf64>
  %e1 = tensor.empty(%m, %n) : tensor<?x?xf64>
  %zeros = linalg.generic {indexing_maps = [#id2], iterator_types = ["parallel", "parallel"]} outs(%e1 : tensor<?x?xf64>) {
  ^bb0(%o: f64):
    %z = arith.constant 0.000000e+00 : f64
    linalg.yield %z : f64
  } -> tensor<?x?xf64>
  %c = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"], library_call = "gemm"} ins(%t, %b : tensor<?x?xf64>, tensor<?x?xf64>) outs(%zeros : tensor<?x?xf64>) {
  ^bb0(%x: f64, %y: f64, %acc: f64):
    %p = arith.mulf %x, %y : f64
    %s = arith.addf %acc, %p : f64
    linalg.yield %s : f64
  } -> tensor<?x?xf64>
  %e2 = tensor.empty(%m, %n) : tensor<?x?xf64>
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%c : tensor<?x?xf64>) outs(%e2 : tensor<?x?xf64>) {
  ^bb0(%v: f64, %o: f64):
    %one = arith.constant 1.000000e+00 : f64
    %y = arith.addf %v, %one : f64
    linalg.yield %y : f64
  } -> tensor<?x?xf64>
  func.return %r : tensor<?x?xf64>
}

// A reduction is not inlined into its user: exp(sum(x)) stays two kernels.
// CHECK-LABEL: func.func @reduction_producer
// CHECK:      %s = linalg.generic {{.*}} iterator_types = ["reduction"]
// CHECK:      %r = linalg.generic {{.*}} ins(%s : tensor<f64>)
func.func @reduction_producer(%x: tensor<?xf64>) -> tensor<f64> {
  %e0 = tensor.empty() : tensor<f64>
  %zero = linalg.generic {indexing_maps = [affine_map<() -> ()>], iterator_types = []} outs(%e0 : tensor<f64>) {
  ^bb0(%o: f64):
    %z = arith.constant 0.000000e+00 : f64
    linalg.yield %z : f64
  } -> tensor<f64>
  %s = linalg.generic {indexing_maps = [#id1, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%x : tensor<?xf64>) outs(%zero : tensor<f64>) {
  ^bb0(%v: f64, %acc: f64):
    %y = arith.addf %acc, %v : f64
    linalg.yield %y : f64
  } -> tensor<f64>
  %e1 = tensor.empty() : tensor<f64>
  %r = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%s : tensor<f64>) outs(%e1 : tensor<f64>) {
  ^bb0(%v: f64, %o: f64):
    %y = math.exp %v : f64
    linalg.yield %y : f64
  } -> tensor<f64>
  func.return %r : tensor<f64>
}

// m * exp(row): the consumer reads each element of exp(row) once per row of m. Inlined,
// exp would run once per element of m instead of once per element of row: it stays.
// CHECK-LABEL: func.func @would_recompute
// CHECK:      %er = linalg.generic
// CHECK:        math.exp
// CHECK:      %r = linalg.generic {{.*}} ins(%m, %er : tensor<?x?xf64>, tensor<1x?xf64>)
func.func @would_recompute(%m: tensor<?x?xf64>, %row: tensor<1x?xf64>) -> tensor<?x?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %m, %c0 : tensor<?x?xf64>
  %d1 = tensor.dim %m, %c1 : tensor<?x?xf64>
  %e0 = tensor.empty(%d1) : tensor<1x?xf64>
  %er = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%row : tensor<1x?xf64>) outs(%e0 : tensor<1x?xf64>) {
  ^bb0(%v: f64, %o: f64):
    %y = math.exp %v : f64
    linalg.yield %y : f64
  } -> tensor<1x?xf64>
  %e1 = tensor.empty(%d0, %d1) : tensor<?x?xf64>
  %r = linalg.generic {indexing_maps = [#id2, affine_map<(d0, d1) -> (0, d1)>, #id2], iterator_types = ["parallel", "parallel"]} ins(%m, %er : tensor<?x?xf64>, tensor<1x?xf64>) outs(%e1 : tensor<?x?xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %p = arith.mulf %a, %b : f64
    linalg.yield %p : f64
  } -> tensor<?x?xf64>
  func.return %r : tensor<?x?xf64>
}

// e + transpose(e) read by one generic through two maps: inlined, exp would run twice per
// element: it stays.
// CHECK-LABEL: func.func @two_maps
// CHECK-COUNT-2: linalg.generic
func.func @two_maps(%x: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x?xf64>
  %e0 = tensor.empty(%n, %n) : tensor<?x?xf64>
  %e = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x?xf64>) outs(%e0 : tensor<?x?xf64>) {
  ^bb0(%v: f64, %o: f64):
    %y = math.exp %v : f64
    linalg.yield %y : f64
  } -> tensor<?x?xf64>
  %e1 = tensor.empty(%n, %n) : tensor<?x?xf64>
  %r = linalg.generic {indexing_maps = [#id2, affine_map<(d0, d1) -> (d1, d0)>, #id2], iterator_types = ["parallel", "parallel"]} ins(%e, %e : tensor<?x?xf64>, tensor<?x?xf64>) outs(%e1 : tensor<?x?xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %p = arith.addf %a, %b : f64
    linalg.yield %p : f64
  } -> tensor<?x?xf64>
  func.return %r : tensor<?x?xf64>
}

// sum(2 * col, axis=1) for a column col (?x1): the producer reads col at index 0 along its
// size-1 dim, so inlined, no operand of the sum would give the size of its second loop
// (loops are bounded by the operands' dims): it stays.
// CHECK-LABEL: func.func @loop_size_lost
// CHECK:      %twice = linalg.generic
// CHECK:      %s = linalg.generic {{.*}} ins(%twice : tensor<?x1xf64>)
func.func @loop_size_lost(%col: tensor<?x1xf64>) -> tensor<?xf64> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %col, %c0 : tensor<?x1xf64>
  %e0 = tensor.empty(%n) : tensor<?x1xf64>
  %twice = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, #id2], iterator_types = ["parallel", "parallel"]} ins(%col : tensor<?x1xf64>) outs(%e0 : tensor<?x1xf64>) {
  ^bb0(%v: f64, %o: f64):
    %two = arith.constant 2.000000e+00 : f64
    %y = arith.mulf %two, %v : f64
    linalg.yield %y : f64
  } -> tensor<?x1xf64>
  %e1 = tensor.empty(%n) : tensor<?xf64>
  %zeros = linalg.generic {indexing_maps = [#id1], iterator_types = ["parallel"]} outs(%e1 : tensor<?xf64>) {
  ^bb0(%o: f64):
    %z = arith.constant 0.000000e+00 : f64
    linalg.yield %z : f64
  } -> tensor<?xf64>
  %s = linalg.generic {indexing_maps = [#id2, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%twice : tensor<?x1xf64>) outs(%zeros : tensor<?xf64>) {
  ^bb0(%v: f64, %acc: f64):
    %y = arith.addf %acc, %v : f64
    linalg.yield %y : f64
  } -> tensor<?xf64>
  func.return %s : tensor<?xf64>
}

// A producer whose body reads its outs (here: adds to the values already in %acc) is not
// an elementwise function of its inputs alone: it stays.
// CHECK-LABEL: func.func @reads_outs
// CHECK-COUNT-2: linalg.generic
func.func @reads_outs(%x: tensor<?xf64>, %acc: tensor<?xf64>) -> tensor<?xf64> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf64>
  %p = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : tensor<?xf64>) outs(%acc : tensor<?xf64>) {
  ^bb0(%v: f64, %o: f64):
    %y = arith.addf %o, %v : f64
    linalg.yield %y : f64
  } -> tensor<?xf64>
  %e1 = tensor.empty(%n) : tensor<?xf64>
  %r = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%p : tensor<?xf64>) outs(%e1 : tensor<?xf64>) {
  ^bb0(%v: f64, %o: f64):
    %q = math.exp %v : f64
    linalg.yield %q : f64
  } -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}
