// RUN: tensorir-opt %s --split-input-file --verify-diagnostics --allow-unregistered-dialect -p tir-autodiff | filecheck %s
// RUN: not tensorir-opt %s --allow-unregistered-dialect -p tir-autodiff 2>&1 | filecheck %s --check-prefix=FIRST
// tir.grads the verifier rejects, a value the pass cannot differentiate through, and what
// consider(...) does at the edges. The second RUN line shows that without
// --verify-diagnostics the first error fails the whole run.

// Only float tensors have gradients.
// CHECK: tir.grad: can only differentiate with respect to float tensors, got tensor<?xi32>
// FIRST: tir.grad: can only differentiate with respect to float tensors, got tensor<?xi32>
func.func @int_wrt(%x: tensor<?xf64>, %i: tensor<?xi32>) -> tensor<?xi32> {
  %cost = tir.sum %x {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gi = tir.grad %cost : tensor<f64> wrt(%i : tensor<?xi32>) -> tensor<?xi32>
  func.return %gi : tensor<?xi32>
}

// -----

// The cost must be a scalar...
// CHECK: tir.grad: the cost must be a float scalar, got tensor<?xf64>
func.func @vector_cost(%x: tensor<?xf64>) -> tensor<?xf64> {
  %gx = tir.grad %x : tensor<?xf64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  func.return %gx : tensor<?xf64>
}

// -----

// ... of a float type.
// CHECK: tir.grad: the cost must be a float scalar, got tensor<i64>
func.func @int_cost(%x: tensor<?xf64>, %i: tensor<?xi64>) -> tensor<?xf64> {
  %n = tir.sum %i {axes = array<i64: 0>} : tensor<?xi64> -> tensor<i64>
  %gx = tir.grad %n : tensor<i64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  func.return %gx : tensor<?xf64>
}

// -----

// Neither a cost nor known gradients: nothing to start from.
// CHECK: tir.grad: needs a cost or known gradients
func.func @no_start(%x: tensor<?xf64>) -> tensor<?xf64> {
  %gx = tir.grad wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  func.return %gx : tensor<?xf64>
}

// -----

// Each gradient has its wrt's type.
// CHECK: tir.grad: each result must have the type of its wrt value
func.func @result_type(%x: tensor<?xf64>, %c: tensor<f64>) -> tensor<?xf32> {
  %gx = tir.grad %c : tensor<f64> wrt(%x : tensor<?xf64>) -> tensor<?xf32>
  func.return %gx : tensor<?xf32>
}

// -----

// A known gradient has the type of its value.
// CHECK: tir.grad: known values and known gradients must pair up with equal types
func.func @known_type(%x: tensor<?xf64>, %g: tensor<?xf32>) -> tensor<?xf64> {
  %h = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %gx = tir.grad wrt(%x : tensor<?xf64>) known(%h : tensor<?xf64>) = (%g : tensor<?xf32>) -> tensor<?xf64>
  func.return %gx : tensor<?xf64>
}

// -----

// A float op on the path from wrt to the cost without a gradient rule fails the pass
// (rather than giving a silently wrong gradient).
// CHECK: tir-autodiff: no gradient rule for test.op
func.func @no_rule(%x: tensor<?xf64>) -> tensor<?xf64> {
  %y = "test.op"(%x) : (tensor<?xf64>) -> tensor<?xf64>
  %cost = tir.sum %y {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gx = tir.grad %cost : tensor<f64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  func.return %gx : tensor<?xf64>
}

// -----

// The cost itself in consider: nothing flows back, the wrt gets zeros of its type.
// CHECK-LABEL: func.func @cost_in_consider
// CHECK:       %[[Z:.*]] = tir.constant dense<0.000000e+00> : tensor<f64>
// CHECK-NEXT:  %[[Z1:.*]] = tir.dimshuffle %[[Z]] {pattern = array<i64: -1>}
// CHECK-NEXT:  %gx = tir.second %x, %[[Z1]] : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
// CHECK-NEXT:  func.return %gx
func.func @cost_in_consider(%x: tensor<?xf64>) -> tensor<?xf64> {
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %cost = tir.sum %e {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gx = tir.grad %cost : tensor<f64> wrt(%x : tensor<?xf64>) consider(%cost : tensor<f64>) -> tensor<?xf64>
  func.return %gx : tensor<?xf64>
}

// -----

// A wrt value in consider still gets its gradient (as Theano: consider stops the walk at a
// value's definition, not at its uses): d/dx (x * x) = x + x.
// CHECK-LABEL: func.func @wrt_in_consider
// CHECK:       %[[GZ:.*]] = tir.constant dense<1.000000e+00>
// CHECK-NEXT:  %[[L:.*]] = tir.mul %[[GZ]], %x
// CHECK-NEXT:  %[[R:.*]] = tir.mul %[[GZ]], %x
// CHECK-NEXT:  %gx = tir.add %[[L]], %[[R]]
func.func @wrt_in_consider(%x: tensor<f64>) -> tensor<f64> {
  %c = tir.mul %x, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %gx = tir.grad %c : tensor<f64> wrt(%x : tensor<f64>) consider(%x : tensor<f64>) -> tensor<f64>
  func.return %gx : tensor<f64>
}
