// RUN: tensorir-opt %s -p tir-autodiff | filecheck %s
// RUN: tensorir-opt %s -p tir-autodiff | filecheck %s --check-prefix=NOGRAD
// Nested gradients, consider(...) and known(...). tir.grads expand in program order: an inner
// one is already ordinary tir ops when the outer one walks back over them, so a gradient
// of a gradient uses the same rules. No tir.grad is left.

// NOGRAD-NOT: tir.grad

// d2/dx2 x**3 = 6 x: the inner grad gives 1 * 3 * x ** (3 - 1); the outer one differentiates
// that pow again (its exponent, a constant, gets no adjoint).
// CHECK-LABEL: func.func @second_derivative
func.func @second_derivative(%x: tensor<f64>) -> tensor<f64> {
  // CHECK:      %[[YM1:.*]] = tir.sub %three, %{{.*}}
  // CHECK-NEXT: %[[GY:.*]] = tir.mul %{{.*}}, %three
  // CHECK-NEXT: %[[XP:.*]] = tir.pow %x, %[[YM1]]
  // CHECK-NEXT: %d1 = tir.mul %[[GY]], %[[XP]]
  // CHECK:      %[[GD1:.*]] = tir.mul %{{.*}}, %[[GY]]
  // CHECK:      %[[YM2:.*]] = tir.sub %[[YM1]], %{{.*}}
  // CHECK-NEXT: %[[GD1Y:.*]] = tir.mul %[[GD1]], %[[YM1]]
  // CHECK-NEXT: %[[XP2:.*]] = tir.pow %x, %[[YM2]]
  // CHECK-NEXT: %d2 = tir.mul %[[GD1Y]], %[[XP2]]
  // CHECK-NEXT: func.return %d2
  %three = tir.constant dense<3.0> : tensor<f64> -> tensor<f64>
  %cube = tir.pow %x, %three : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %d1 = tir.grad %cube : tensor<f64> wrt(%x : tensor<f64>) -> tensor<f64>
  %d2 = tir.grad %d1 : tensor<f64> wrt(%x : tensor<f64>) -> tensor<f64>
  func.return %d2 : tensor<f64>
}

// A Hessian-vector product: grad of dot(grad(sum(sin x)), v) = -sin(x) * v. The outer
// expansion walks back over the inner one's cos(x).
// CHECK-LABEL: func.func @hessian_vector
func.func @hessian_vector(%x: tensor<?xf64>, %v: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      %[[GZ:.*]] = tir.second %sin, %{{.*}}
  // CHECK-NEXT: %[[COS:.*]] = tir.cos %x
  // CHECK-NEXT: %g = tir.mul %[[GZ]], %[[COS]]
  // CHECK-NEXT: %gv = tir.dot %g, %v
  // CHECK:      %[[GG:.*]] = tir.mul %{{.*}}, %v : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  // CHECK-NEXT: %[[GCOS:.*]] = tir.mul %[[GG]], %[[GZ]]
  // CHECK-NEXT: %[[NEG:.*]] = tir.neg %[[GCOS]]
  // CHECK-NEXT: %[[SIN:.*]] = tir.sin %x
  // CHECK-NEXT: %hv = tir.mul %[[NEG]], %[[SIN]]
  // CHECK-NEXT: func.return %hv
  %sin = tir.sin %x : tensor<?xf64> -> tensor<?xf64>
  %cost = tir.sum %sin {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %g = tir.grad %cost : tensor<f64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  %gv = tir.dot %g, %v : (tensor<?xf64>, tensor<?xf64>) -> tensor<f64>
  %hv = tir.grad %gv : tensor<f64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  func.return %hv : tensor<?xf64>
}

// consider(%h): %h = x * x is a constant, so d/dx (h * x) is h alone (not 3 x**2).
// CHECK-LABEL: func.func @consider
func.func @consider(%x: tensor<f64>) -> tensor<f64> {
  // CHECK:      %[[GZ:.*]] = tir.constant dense<1.000000e+00>
  // CHECK-NEXT: %gx = tir.mul %[[GZ]], %h
  // CHECK-NEXT: func.return %gx
  %h = tir.mul %x, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %c = tir.mul %h, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %gx = tir.grad %c : tensor<f64> wrt(%x : tensor<f64>) consider(%h : tensor<f64>) -> tensor<f64>
  func.return %gx : tensor<f64>
}

// known(%h) = (%gh) without a cost: the walk starts from %h with adjoint %gh (a
// vector-Jacobian product, Lop).
// CHECK-LABEL: func.func @known
func.func @known(%x: tensor<?xf64>, %gh: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      %h = tir.exp %x
  // CHECK-NEXT: %gx = tir.mul %gh, %h
  // CHECK-NEXT: func.return %gx
  %h = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %gx = tir.grad wrt(%x : tensor<?xf64>) known(%h : tensor<?xf64>) = (%gh : tensor<?xf64>) -> tensor<?xf64>
  func.return %gx : tensor<?xf64>
}

// A known gradient adds to the one flowing from the cost.
// CHECK-LABEL: func.func @known_and_cost
func.func @known_and_cost(%x: tensor<?xf64>, %gh: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      %[[FROMCOST:.*]] = tir.second %h, %{{.*}}
  // CHECK-NEXT: %[[TOTAL:.*]] = tir.add %gh, %[[FROMCOST]]
  // CHECK-NEXT: %gx = tir.mul %[[TOTAL]], %h
  %h = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %cost = tir.sum %h {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gx = tir.grad %cost : tensor<f64> wrt(%x : tensor<?xf64>) known(%h : tensor<?xf64>) = (%gh : tensor<?xf64>) -> tensor<?xf64>
  func.return %gx : tensor<?xf64>
}

// A wrt the cost does not depend on (here: only through consider) gets zeros of its type.
// CHECK-LABEL: func.func @disconnected
func.func @disconnected(%x: tensor<?xf64>, %y: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      %[[Z:.*]] = tir.constant dense<0.000000e+00> : tensor<f64>
  // CHECK-NEXT: %[[Z1:.*]] = tir.dimshuffle %[[Z]] {pattern = array<i64: -1>}
  // CHECK-NEXT: %gy = tir.second %y, %[[Z1]] : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  // CHECK-NEXT: func.return %gy
  %e = tir.exp %y : tensor<?xf64> -> tensor<?xf64>
  %p = tir.mul %x, %e : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %cost = tir.sum %p {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gy = tir.grad %cost : tensor<f64> wrt(%y : tensor<?xf64>) consider(%e : tensor<?xf64>) -> tensor<?xf64>
  func.return %gy : tensor<?xf64>
}
