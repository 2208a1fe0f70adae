// RUN: tensorir-opt %s -p tir-autodiff | filecheck %s
// Gradient hooks leave values unchanged and change only the adjoint: zero_grad stops it,
// grad_scale multiplies it, grad_floor / grad_ceil (grad_clip's halves) bound it.

// CHECK-LABEL: func.func @hooks
func.func @hooks(%x: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>) {
  %three = tir.constant dense<3.0> : tensor<1xf64> -> tensor<1xf64>
  %lo = tir.constant dense<-1.0> : tensor<1xf64> -> tensor<1xf64>
  %hi = tir.constant dense<2.0> : tensor<1xf64> -> tensor<1xf64>
  %scaled = tir.grad_scale %x, %three : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %s1 = tir.sum %scaled {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  // grad_scale: the adjoint times 3
  // CHECK: %[[G1:.*]] = tir.second %scaled
  // CHECK: %gs = tir.mul %[[G1]], %three
  %gs = tir.grad %s1 : tensor<f64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  %floor = tir.grad_floor %x, %lo : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %clip = tir.grad_ceil %floor, %hi : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %s2 = tir.sum %clip {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  // grad_clip: min with the upper bound first, then max with the lower one
  // CHECK: %[[G2:.*]] = tir.second %clip
  // CHECK: %[[UP:.*]] = tir.minimum %[[G2]], %hi
  // CHECK: %gc = tir.maximum %[[UP]], %lo
  %gc = tir.grad %s2 : tensor<f64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  %stopped = tir.zero_grad %x : tensor<?xf64> -> tensor<?xf64>
  %s3 = tir.sum %stopped {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  // zero_grad: nothing flows through; x gets zeros
  // CHECK: %gz = tir.second %x
  %gz = tir.grad %s3 : tensor<f64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  func.return %gs, %gc, %gz : tensor<?xf64>, tensor<?xf64>, tensor<?xf64>
}
