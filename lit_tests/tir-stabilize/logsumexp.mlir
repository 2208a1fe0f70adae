// RUN: tensorir-opt %s -p tir-stabilize | filecheck %s
// RUN: tensorir-opt %s -p tir-stabilize,tir-stabilize | filecheck %s
// log(sum(exp(x), axes)) becomes m + log(sum(exp(x - m), axes)) with m = max(x, axes), replaced
// by 0 where it is infinite (x all -inf, or +inf) and cut from the gradient (zero_grad): no
// overflow, and log(0) = -inf only where every element is -inf. The second RUN line checks
// that the rewrite is not applied again to its own log(sum(exp(x - m))): the pass runs before
// and after tir-autodiff.

// A vector summed whole; the log's name and location go to the final add.
// CHECK-LABEL: func.func @vector
func.func @vector(%x: tensor<?xf64>) -> tensor<f64> {
  // CHECK-NEXT: %[[M:.*]] = tir.max %x {loc = "lse.py:2: T.log(T.sum(T.exp(x)))", axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  // CHECK-NEXT: %[[ABS:.*]] = tir.abs %[[M]]
  // CHECK-NEXT: %[[INF:.*]] = tir.constant dense<0x7ff0000000000000> : tensor<f64>
  // CHECK-NEXT: %[[ISINF:.*]] = tir.eq %[[ABS]], %[[INF]] {{.*}} : (tensor<f64>, tensor<f64>) -> tensor<i1>
  // CHECK-NEXT: %[[ZERO:.*]] = tir.constant dense<0.000000e+00> : tensor<f64>
  // CHECK-NEXT: %[[SW:.*]] = tir.switch %[[ISINF]], %[[ZERO]], %[[M]]
  // CHECK-NEXT: %[[SHIFT:.*]] = tir.zero_grad %[[SW]]
  // CHECK-NEXT: %[[WIDE:.*]] = tir.dimshuffle %[[SHIFT]] {{.*}}pattern = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
  // CHECK-NEXT: %[[D:.*]] = tir.sub %x, %[[WIDE]]
  // CHECK-NEXT: %[[E:.*]] = tir.exp %[[D]]
  // CHECK-NEXT: %[[S:.*]] = tir.sum %[[E]] {{.*}}axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  // CHECK-NEXT: %[[L:.*]] = tir.log %[[S]]
  // CHECK-NEXT: %lse = tir.add %[[SHIFT]], %[[L]] {loc = "lse.py:2: T.log(T.sum(T.exp(x)))"} : (tensor<f64>, tensor<f64>) -> tensor<f64>
  // CHECK-NEXT: func.return %lse
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %s = tir.sum %e {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %lse = tir.log %s {loc = "lse.py:2: T.log(T.sum(T.exp(x)))"} : tensor<f64> -> tensor<f64>
  func.return %lse : tensor<f64>
}

// Along axis 1 of a float32 matrix: the max keeps the rows, and is broadcast back along the
// reduced axis (pattern [0, -1]) to shift x.
// CHECK-LABEL: func.func @rows_f32
func.func @rows_f32(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  // CHECK-NEXT: %[[M:.*]] = tir.max %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  // CHECK:      %[[SHIFT:.*]] = tir.zero_grad {{.*}} : tensor<?xf32> -> tensor<?xf32>
  // CHECK-NEXT: %[[WIDE:.*]] = tir.dimshuffle %[[SHIFT]] {pattern = array<i64: 0, -1>} : tensor<?xf32> -> tensor<?x1xf32>
  // CHECK-NEXT: %[[D:.*]] = tir.sub %x, %[[WIDE]] : (tensor<?x?xf32>, tensor<?x1xf32>) -> tensor<?x?xf32>
  // CHECK-NEXT: %[[E:.*]] = tir.exp %[[D]]
  // CHECK-NEXT: %[[S:.*]] = tir.sum %[[E]] {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  // CHECK-NEXT: %[[L:.*]] = tir.log %[[S]]
  // CHECK-NEXT: %lse = tir.add %[[SHIFT]], %[[L]] : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  // CHECK-NEXT: func.return %lse
  %e = tir.exp %x : tensor<?x?xf32> -> tensor<?x?xf32>
  %s = tir.sum %e {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  %lse = tir.log %s : tensor<?xf32> -> tensor<?xf32>
  func.return %lse : tensor<?xf32>
}

// Over both axes of a matrix: the rank-0 max is broadcast to 1x1.
// CHECK-LABEL: func.func @all_axes
func.func @all_axes(%x: tensor<?x?xf64>) -> tensor<f64> {
  // CHECK-NEXT: %[[M:.*]] = tir.max %x {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  // CHECK:      %[[WIDE:.*]] = tir.dimshuffle {{.*}} {pattern = array<i64: -1, -1>} : tensor<f64> -> tensor<1x1xf64>
  // CHECK-NEXT: %[[D:.*]] = tir.sub %x, %[[WIDE]]
  // CHECK-NEXT: %[[E:.*]] = tir.exp %[[D]]
  // CHECK-NEXT: %[[S:.*]] = tir.sum %[[E]] {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  // CHECK-NEXT: %[[L:.*]] = tir.log %[[S]]
  // CHECK-NEXT: %lse = tir.add
  // CHECK-NEXT: func.return %lse
  %e = tir.exp %x : tensor<?x?xf64> -> tensor<?x?xf64>
  %s = tir.sum %e {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  %lse = tir.log %s : tensor<f64> -> tensor<f64>
  func.return %lse : tensor<f64>
}

// keepdims=True, as the frontend builds it: the sum's result is broadcast back (a dimshuffle
// between the sum and the log). The stable form is computed on the rows, then broadcast.
// CHECK-LABEL: func.func @keepdims
func.func @keepdims(%x: tensor<?x?xf64>) -> tensor<?x1xf64> {
  // CHECK-NEXT: %[[M:.*]] = tir.max %x {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  // CHECK:      %[[S:.*]] = tir.sum {{.*}} {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %[[L:.*]] = tir.log %[[S]] : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %[[R:.*]] = tir.add {{.*}}, %[[L]] : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  // CHECK-NEXT: %lse = tir.dimshuffle %[[R]] {pattern = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  // CHECK-NEXT: func.return %lse
  %e = tir.exp %x : tensor<?x?xf64> -> tensor<?x?xf64>
  %s = tir.sum %e {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  %k = tir.dimshuffle %s {pattern = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  %lse = tir.log %k : tensor<?x1xf64> -> tensor<?x1xf64>
  func.return %lse : tensor<?x1xf64>
}

// T.sum(T.exp(xf), dtype="float64"): the exp cast to float64 before the sum. The cast is
// applied to x, so the whole stable form is computed in float64.
// CHECK-LABEL: func.func @sum_dtype
func.func @sum_dtype(%xf: tensor<?xf32>) -> tensor<f64> {
  // CHECK-NEXT: %[[C:.*]] = tir.cast %xf : tensor<?xf32> -> tensor<?xf64>
  // CHECK-NEXT: %[[M:.*]] = tir.max %[[C]] {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  // CHECK:      %[[D:.*]] = tir.sub %[[C]], {{.*}} : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  // CHECK-NEXT: %[[E:.*]] = tir.exp %[[D]] : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %[[S:.*]] = tir.sum %[[E]]
  // CHECK-NEXT: %[[L:.*]] = tir.log %[[S]]
  // CHECK-NEXT: %lse = tir.add
  // CHECK-NEXT: func.return %lse
  %e = tir.exp %xf : tensor<?xf32> -> tensor<?xf32>
  %c = tir.cast %e : tensor<?xf32> -> tensor<?xf64>
  %s = tir.sum %c {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %lse = tir.log %s : tensor<f64> -> tensor<f64>
  func.return %lse : tensor<f64>
}

// The exp is also returned: it stays for that user; the log is rewritten all the same.
// CHECK-LABEL: func.func @exp_kept
func.func @exp_kept(%x: tensor<?xf64>) -> (tensor<?xf64>, tensor<f64>) {
  // CHECK-NEXT: %e = tir.exp %x
  // CHECK-NEXT: %[[M:.*]] = tir.max %x
  // CHECK:      %lse = tir.add
  // CHECK-NEXT: func.return %e, %lse
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %s = tir.sum %e {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %lse = tir.log %s : tensor<f64> -> tensor<f64>
  func.return %e, %lse : tensor<?xf64>, tensor<f64>
}

// Negative cases, left exactly as they are: log(sum(exp(x) * y)) (a product in between),
// log(sum(x)) (no exp), log(max(exp(x))) (not a sum), and log(sum(exp(x)).astype("float32"))
// (a cast between the log and the sum).
// CHECK-LABEL: func.func @untouched
func.func @untouched(%x: tensor<?xf64>, %y: tensor<?xf64>) -> (tensor<f64>, tensor<f64>, tensor<f64>, tensor<f32>) {
  // CHECK-NEXT: %e = tir.exp %x
  // CHECK-NEXT: %ey = tir.mul %e, %y
  // CHECK-NEXT: %sey = tir.sum %ey
  // CHECK-NEXT: %a = tir.log %sey
  // CHECK-NEXT: %sx = tir.sum %x
  // CHECK-NEXT: %b = tir.log %sx
  // CHECK-NEXT: %me = tir.max %e
  // CHECK-NEXT: %c = tir.log %me
  // CHECK-NEXT: %se = tir.sum %e
  // CHECK-NEXT: %sef = tir.cast %se
  // CHECK-NEXT: %d = tir.log %sef
  // CHECK-NEXT: func.return %a, %b, %c, %d
  // CHECK-NOT:  tir.zero_grad
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %ey = tir.mul %e, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %sey = tir.sum %ey {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %a = tir.log %sey : tensor<f64> -> tensor<f64>
  %sx = tir.sum %x {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %b = tir.log %sx : tensor<f64> -> tensor<f64>
  %me = tir.max %e {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %c = tir.log %me : tensor<f64> -> tensor<f64>
  %se = tir.sum %e {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %sef = tir.cast %se : tensor<f64> -> tensor<f32>
  %d = tir.log %sef : tensor<f32> -> tensor<f32>
  func.return %a, %b, %c, %d : tensor<f64>, tensor<f64>, tensor<f64>, tensor<f32>
}
