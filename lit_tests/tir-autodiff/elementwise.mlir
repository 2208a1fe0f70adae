// RUN: tensorir-opt %s -p tir-autodiff | filecheck %s
// Gradient rules of elementwise ops, term for term Theano's formulas. The cost's adjoint
// starts as the constant 1; a sum hands it to each element with tir.second (fill). The
// tir.grad disappears and its results become the adjoints of the wrt values. Adjoints that
// no wrt needs (a constant's) are not built.

// sqr: gz * x * 2
// CHECK-LABEL: func.func @sqr
func.func @sqr(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      %[[ONE:.*]] = tir.constant dense<1.000000e+00> : tensor<f64> -> tensor<f64>
  // CHECK-NEXT: %[[ONE1:.*]] = tir.dimshuffle %[[ONE]] {pattern = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
  // CHECK-NEXT: %[[GZ:.*]] = tir.second %y, %[[ONE1]] : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  // CHECK-NEXT: %[[GX:.*]] = tir.mul %[[GZ]], %x
  // CHECK-NEXT: %[[TWO:.*]] = tir.constant dense<2.000000e+00>
  // CHECK-NEXT: %[[TWO1:.*]] = tir.dimshuffle %[[TWO]]
  // CHECK-NEXT: %gx = tir.mul %[[GX]], %[[TWO1]] : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  // CHECK-NEXT: func.return %gx
  // CHECK-NOT:  tir.grad
  %y = tir.sqr %x : tensor<?xf64> -> tensor<?xf64>
  %cost = tir.sum %y {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gx = tir.grad %cost : tensor<f64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  func.return %gx : tensor<?xf64>
}

// add and sub pass gz on (negated for sub's rhs); x is used twice, so its two adjoints add.
// CHECK-LABEL: func.func @add_sub
func.func @add_sub(%x: tensor<?xf64>, %y: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  // CHECK:      %[[GZ:.*]] = tir.second %s, %{{.*}}
  // CHECK-NEXT: %gy = tir.neg %[[GZ]]
  // CHECK-NEXT: %gx = tir.add %[[GZ]], %[[GZ]]
  %d = tir.sub %x, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %s = tir.add %d, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %cost = tir.sum %s {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gx, %gy = tir.grad %cost : tensor<f64> wrt(%x, %y : tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>, tensor<?xf64>
  func.return %gx, %gy : tensor<?xf64>, tensor<?xf64>
}

// mul: gz * y and gz * x
// CHECK-LABEL: func.func @mul
func.func @mul(%x: tensor<f64>, %y: tensor<f64>) -> (tensor<f64>, tensor<f64>) {
  // CHECK:      %[[GZ:.*]] = tir.constant dense<1.000000e+00>
  // CHECK-NEXT: %gx = tir.mul %[[GZ]], %y
  // CHECK-NEXT: %gy = tir.mul %[[GZ]], %x
  %z = tir.mul %x, %y : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %gx, %gy = tir.grad %z : tensor<f64> wrt(%x, %y : tensor<f64>, tensor<f64>) -> tensor<f64>, tensor<f64>
  func.return %gx, %gy : tensor<f64>, tensor<f64>
}

// true_div: gz / y and -gz * x / (y * y)
// CHECK-LABEL: func.func @true_div
func.func @true_div(%x: tensor<f64>, %y: tensor<f64>) -> (tensor<f64>, tensor<f64>) {
  // CHECK:      %[[GZ:.*]] = tir.constant dense<1.000000e+00>
  // CHECK-NEXT: %gx = tir.true_div %[[GZ]], %y
  // CHECK-NEXT: %[[NEG:.*]] = tir.neg %[[GZ]]
  // CHECK-NEXT: %[[NUM:.*]] = tir.mul %[[NEG]], %x
  // CHECK-NEXT: %[[YY:.*]] = tir.mul %y, %y
  // CHECK-NEXT: %gy = tir.true_div %[[NUM]], %[[YY]]
  %q = tir.true_div %x, %y : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %gx, %gy = tir.grad %q : tensor<f64> wrt(%x, %y : tensor<f64>, tensor<f64>) -> tensor<f64>, tensor<f64>
  func.return %gx, %gy : tensor<f64>, tensor<f64>
}

// pow: gz * y * x ** (y - 1) and gz * log(x) * x ** y, the latter 0 where x == 0
// CHECK-LABEL: func.func @pow
func.func @pow(%x: tensor<f64>, %y: tensor<f64>) -> (tensor<f64>, tensor<f64>) {
  // CHECK:      %[[GZ:.*]] = tir.constant dense<1.000000e+00>
  // CHECK:      %[[YM1:.*]] = tir.sub %y, %{{.*}}
  // CHECK-NEXT: %[[GZY:.*]] = tir.mul %[[GZ]], %y
  // CHECK-NEXT: %[[XPOW:.*]] = tir.pow %x, %[[YM1]]
  // CHECK-NEXT: %gx = tir.mul %[[GZY]], %[[XPOW]]
  // CHECK-NEXT: %[[LOG:.*]] = tir.log %x
  // CHECK-NEXT: %[[GZLOG:.*]] = tir.mul %[[GZ]], %[[LOG]]
  // CHECK-NEXT: %[[GY:.*]] = tir.mul %[[GZLOG]], %p
  // CHECK-NEXT: %[[ZERO:.*]] = tir.constant dense<0.000000e+00>
  // CHECK-NEXT: %[[XZERO:.*]] = tir.eq %x, %[[ZERO]] : (tensor<f64>, tensor<f64>) -> tensor<i1>
  // CHECK-NEXT: %[[ZERO2:.*]] = tir.constant dense<0.000000e+00>
  // CHECK-NEXT: %gy = tir.switch %[[XZERO]], %[[ZERO2]], %[[GY]]
  %p = tir.pow %x, %y : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %gx, %gy = tir.grad %p : tensor<f64> wrt(%x, %y : tensor<f64>, tensor<f64>) -> tensor<f64>, tensor<f64>
  func.return %gx, %gy : tensor<f64>, tensor<f64>
}

// x ** 3 with a constant exponent: the exponent's adjoint (log, switch) is not built.
// CHECK-LABEL: func.func @pow_const
func.func @pow_const(%x: tensor<f64>) -> tensor<f64> {
  // CHECK:     tir.pow %x, %{{.*}}
  // CHECK:     %gx = tir.mul
  // CHECK-NOT: tir.log
  // CHECK-NOT: tir.switch
  // CHECK:     func.return %gx
  %three = tir.constant dense<3.0> : tensor<f64> -> tensor<f64>
  %p = tir.pow %x, %three : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %gx = tir.grad %p : tensor<f64> wrt(%x : tensor<f64>) -> tensor<f64>
  func.return %gx : tensor<f64>
}

// exp: gz * exp(x) (the forward result is reused); log: gz / x
// CHECK-LABEL: func.func @exp_log
func.func @exp_log(%x: tensor<f64>) -> tensor<f64> {
  // CHECK:      %[[GZ:.*]] = tir.constant dense<1.000000e+00>
  // CHECK-NEXT: %[[GE:.*]] = tir.true_div %[[GZ]], %e
  // CHECK-NEXT: %gx = tir.mul %[[GE]], %e
  %e = tir.exp %x : tensor<f64> -> tensor<f64>
  %l = tir.log %e : tensor<f64> -> tensor<f64>
  %gx = tir.grad %l : tensor<f64> wrt(%x : tensor<f64>) -> tensor<f64>
  func.return %gx : tensor<f64>
}

// tanh: gz * (1 - sqr(tanh(x)))
// CHECK-LABEL: func.func @tanh
func.func @tanh(%x: tensor<f64>) -> tensor<f64> {
  // CHECK:      %[[GZ:.*]] = tir.constant dense<1.000000e+00>
  // CHECK-NEXT: %[[ONE:.*]] = tir.constant dense<1.000000e+00>
  // CHECK-NEXT: %[[SQ:.*]] = tir.sqr %t
  // CHECK-NEXT: %[[D:.*]] = tir.sub %[[ONE]], %[[SQ]]
  // CHECK-NEXT: %gx = tir.mul %[[GZ]], %[[D]]
  %t = tir.tanh %x : tensor<f64> -> tensor<f64>
  %gx = tir.grad %t : tensor<f64> wrt(%x : tensor<f64>) -> tensor<f64>
  func.return %gx : tensor<f64>
}

// sigmoid: gz * sigmoid(x) * (1 - sigmoid(x)), in float32
// CHECK-LABEL: func.func @sigmoid
func.func @sigmoid(%x: tensor<f32>) -> tensor<f32> {
  // CHECK:      %[[GZ:.*]] = tir.constant dense<1.000000e+00> : tensor<f32>
  // CHECK-NEXT: %[[ONE:.*]] = tir.constant dense<1.000000e+00> : tensor<f32>
  // CHECK-NEXT: %[[OM:.*]] = tir.sub %[[ONE]], %s
  // CHECK-NEXT: %[[GS:.*]] = tir.mul %[[GZ]], %s
  // CHECK-NEXT: %gx = tir.mul %[[GS]], %[[OM]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %s = tir.sigmoid %x : tensor<f32> -> tensor<f32>
  %gx = tir.grad %s : tensor<f32> wrt(%x : tensor<f32>) -> tensor<f32>
  func.return %gx : tensor<f32>
}

// softplus: gz * sigmoid(x)
// CHECK-LABEL: func.func @softplus
func.func @softplus(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      %[[S:.*]] = tir.sigmoid %x : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %gx = tir.mul %{{.*}}, %[[S]] : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %sp = tir.softplus %x : tensor<?xf64> -> tensor<?xf64>
  %c = tir.sum %sp {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gx = tir.grad %c : tensor<f64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  func.return %gx : tensor<?xf64>
}

// sqrt: (gz * 0.5) / sqrt(x)
// CHECK-LABEL: func.func @sqrt
func.func @sqrt(%x: tensor<f64>) -> tensor<f64> {
  // CHECK:      %[[HALF:.*]] = tir.constant dense<5.000000e-01>
  // CHECK-NEXT: %[[GH:.*]] = tir.mul %{{.*}}, %[[HALF]]
  // CHECK-NEXT: %gx = tir.true_div %[[GH]], %s
  %s = tir.sqrt %x : tensor<f64> -> tensor<f64>
  %gx = tir.grad %s : tensor<f64> wrt(%x : tensor<f64>) -> tensor<f64>
  func.return %gx : tensor<f64>
}

// cos: -gz * sin(x); sin: gz * cos(x) (the chain rule, outermost first)
// CHECK-LABEL: func.func @sin_cos
func.func @sin_cos(%x: tensor<f64>) -> tensor<f64> {
  // CHECK:      %[[NGZ:.*]] = tir.neg %{{.*}}
  // CHECK-NEXT: %[[SIN:.*]] = tir.sin %s
  // CHECK-NEXT: %[[GS:.*]] = tir.mul %[[NGZ]], %[[SIN]]
  // CHECK-NEXT: %[[COS:.*]] = tir.cos %x
  // CHECK-NEXT: %gx = tir.mul %[[GS]], %[[COS]]
  %s = tir.sin %x : tensor<f64> -> tensor<f64>
  %c = tir.cos %s : tensor<f64> -> tensor<f64>
  %gx = tir.grad %c : tensor<f64> wrt(%x : tensor<f64>) -> tensor<f64>
  func.return %gx : tensor<f64>
}

// abs: gz * sgn(x); neg: -gz
// CHECK-LABEL: func.func @abs_neg
func.func @abs_neg(%x: tensor<f64>) -> tensor<f64> {
  // CHECK:      %[[SGN:.*]] = tir.sgn %n
  // CHECK-NEXT: %[[GA:.*]] = tir.mul %{{.*}}, %[[SGN]]
  // CHECK-NEXT: %gx = tir.neg %[[GA]]
  %n = tir.neg %x : tensor<f64> -> tensor<f64>
  %a = tir.abs %n : tensor<f64> -> tensor<f64>
  %gx = tir.grad %a : tensor<f64> wrt(%x : tensor<f64>) -> tensor<f64>
  func.return %gx : tensor<f64>
}

// maximum: eq(z, x) * gz and eq(z, y) * gz (a tie gives the gradient to both)
// CHECK-LABEL: func.func @maximum
func.func @maximum(%x: tensor<f64>, %y: tensor<f64>) -> (tensor<f64>, tensor<f64>) {
  // CHECK:      %[[EQX:.*]] = tir.eq %m, %x
  // CHECK-NEXT: %[[MX:.*]] = tir.cast %[[EQX]] : tensor<i1> -> tensor<f64>
  // CHECK-NEXT: %gx = tir.mul %[[MX]], %{{.*}}
  // CHECK-NEXT: %[[EQY:.*]] = tir.eq %m, %y
  // CHECK-NEXT: %[[MY:.*]] = tir.cast %[[EQY]] : tensor<i1> -> tensor<f64>
  // CHECK-NEXT: %gy = tir.mul %[[MY]], %{{.*}}
  %m = tir.maximum %x, %y : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %gx, %gy = tir.grad %m : tensor<f64> wrt(%x, %y : tensor<f64>, tensor<f64>) -> tensor<f64>, tensor<f64>
  func.return %gx, %gy : tensor<f64>, tensor<f64>
}

// mod: gz and -(x // y) * gz
// CHECK-LABEL: func.func @mod
func.func @mod(%x: tensor<f64>, %y: tensor<f64>) -> (tensor<f64>, tensor<f64>) {
  // CHECK:      %gx = tir.constant dense<1.000000e+00>
  // CHECK-NEXT: %[[Q:.*]] = tir.int_div %x, %y
  // CHECK-NEXT: %[[NQ:.*]] = tir.neg %[[Q]]
  // CHECK-NEXT: %gy = tir.mul %[[NQ]], %gx
  %m = tir.mod %x, %y : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %gx, %gy = tir.grad %m : tensor<f64> wrt(%x, %y : tensor<f64>, tensor<f64>) -> tensor<f64>, tensor<f64>
  func.return %gx, %gy : tensor<f64>, tensor<f64>
}

// switch routes gz to the branch that was taken; the condition gets no adjoint.
// CHECK-LABEL: func.func @switch
func.func @switch(%c: tensor<i1>, %x: tensor<f64>, %y: tensor<f64>) -> (tensor<f64>, tensor<f64>) {
  // CHECK:      %[[GZ:.*]] = tir.constant dense<1.000000e+00>
  // CHECK-NEXT: %[[ZERO:.*]] = tir.constant dense<0.000000e+00>
  // CHECK-NEXT: %gx = tir.switch %c, %[[GZ]], %[[ZERO]]
  // CHECK-NEXT: %gy = tir.switch %c, %[[ZERO]], %[[GZ]]
  %s = tir.switch %c, %x, %y : (tensor<i1>, tensor<f64>, tensor<f64>) -> tensor<f64>
  %gx, %gy = tir.grad %s : tensor<f64> wrt(%x, %y : tensor<f64>, tensor<f64>) -> tensor<f64>, tensor<f64>
  func.return %gx, %gy : tensor<f64>, tensor<f64>
}

// second passes gz to its rhs only: the lhs gives just the shape.
// CHECK-LABEL: func.func @second
func.func @second(%x: tensor<f64>, %y: tensor<f64>) -> (tensor<f64>, tensor<f64>) {
  // CHECK:      %gy = tir.constant dense<1.000000e+00>
  // CHECK-NEXT: %[[Z:.*]] = tir.constant dense<0.000000e+00>
  // CHECK-NEXT: %gx = tir.second %x, %[[Z]]
  // CHECK-NEXT: func.return %gx, %gy
  %s = tir.second %x, %y : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %gx, %gy = tir.grad %s : tensor<f64> wrt(%x, %y : tensor<f64>, tensor<f64>) -> tensor<f64>, tensor<f64>
  func.return %gx, %gy : tensor<f64>, tensor<f64>
}
