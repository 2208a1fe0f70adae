// RUN: tensorir-opt %s -p tir-autodiff | filecheck %s
// Theano's IfElse.grad: the value the then region yields gets the adjoint
// tir.if %c {g} else {0}, the else one tir.if %c {0} else {g}; a value both regions read
// sums both. The regions of the adjoint tir.ifs only yield, as the frontend's do.

// d/dx ifelse(c, exp(x), y * x): exp(x) if c else y (through the else value's rule).
// CHECK-LABEL: func.func @branches
func.func @branches(%c: tensor<i1>, %x: tensor<?xf64>, %y: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      %[[ONE:.*]] = tir.constant dense<1.000000e+00> : tensor<f64>
  // CHECK:      %[[G:.*]] = tir.second %r, %{{.*}}
  // CHECK:      %[[Z1:.*]] = tir.second %e, %{{.*}}
  // CHECK-NEXT: %[[GE:.*]] = tir.if %c : tensor<i1> -> (tensor<?xf64>) {
  // CHECK-NEXT:   tir.yield %[[G]] : tensor<?xf64>
  // CHECK-NEXT: } else {
  // CHECK-NEXT:   tir.yield %[[Z1]] : tensor<?xf64>
  // CHECK-NEXT: }
  // CHECK:      %[[Z2:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %[[GP:.*]] = tir.if %c : tensor<i1> -> (tensor<?xf64>) {
  // CHECK-NEXT:   tir.yield %[[Z2]] : tensor<?xf64>
  // CHECK-NEXT: } else {
  // CHECK-NEXT:   tir.yield %[[G]] : tensor<?xf64>
  // CHECK-NEXT: }
  // CHECK:      %[[GPX:.*]] = tir.mul %[[GP]], %y
  // CHECK:      %[[GEX:.*]] = tir.mul %[[GE]], %e
  // CHECK-NEXT: %gx = tir.add %[[GPX]], %[[GEX]]
  // CHECK-NEXT: func.return %gx
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %p = tir.mul %y, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %r = tir.if %c : tensor<i1> -> (tensor<?xf64>) {
    tir.yield %e : tensor<?xf64>
  } else {
    tir.yield %p : tensor<?xf64>
  }
  %s = tir.sum %r {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gx = tir.grad %s : tensor<f64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  func.return %gx : tensor<?xf64>
}
