// RUN: tensorir-opt %s -p tir-stabilize | filecheck %s
// sqrt(sqr(x)), sqrt(x ** 2) and sqrt(x * x) -> |x| (no overflow of x**2 above 1e154, no
// underflow below 1e-162); 1 - tanh(x)**2 (tanh's gradient) -> sech(x)**2, not 1 - 1 = 0
// where tanh rounds to 1: 1 - t * t for |x| < 1/2, 4e / (1 + e)**2 with e = exp(-2|x|) beyond
// (no intermediate outside [0, 4], so no overflow of cosh and no inf * 0 in its gradient);
// -(-x) -> x. sqrt(x * y) and 1 - tanh(x) ** 3 are left alone.

// CHECK-LABEL: func.func @sqrt_sqr
func.func @sqrt_sqr(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK-NEXT: %r = tir.abs %x {loc = "n.py:2: T.sqrt(T.sqr(x))"} : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: func.return %r
  %sq = tir.sqr %x : tensor<?xf64> -> tensor<?xf64>
  %r = tir.sqrt %sq {loc = "n.py:2: T.sqrt(T.sqr(x))"} : tensor<?xf64> -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// x ** 2 as the frontend builds it (the exponent a one-element constant), in float32.
// CHECK-LABEL: func.func @sqrt_pow
func.func @sqrt_pow(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  // CHECK-NEXT: %r = tir.abs %x : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK-NEXT: func.return %r
  %two = tir.constant dense<2.000000e+00> : tensor<1x1xf32> -> tensor<1x1xf32>
  %sq = tir.pow %x, %two : (tensor<?x?xf32>, tensor<1x1xf32>) -> tensor<?x?xf32>
  %r = tir.sqrt %sq : tensor<?x?xf32> -> tensor<?x?xf32>
  func.return %r : tensor<?x?xf32>
}

// x * x, the product also returned (it stays); and the square of a float32 value cast to
// float64 and broadcast into a row: |x| of the cast and broadcast x.
// CHECK-LABEL: func.func @sqrt_mul
func.func @sqrt_mul(%x: tensor<?xf64>, %xf: tensor<?xf32>) -> (tensor<?xf64>, tensor<?xf64>, tensor<1x?xf64>) {
  // CHECK-NEXT: %sq = tir.mul %x, %x
  // CHECK-NEXT: %r = tir.abs %x : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %[[C:.*]] = tir.cast %xf : tensor<?xf32> -> tensor<?xf64>
  // CHECK-NEXT: %[[B:.*]] = tir.dimshuffle %[[C]] {pattern = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
  // CHECK-NEXT: %rf = tir.abs %[[B]] : tensor<1x?xf64> -> tensor<1x?xf64>
  // CHECK-NEXT: func.return %sq, %r, %rf
  %sq = tir.mul %x, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %r = tir.sqrt %sq : tensor<?xf64> -> tensor<?xf64>
  %sqf = tir.mul %xf, %xf : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %c = tir.cast %sqf : tensor<?xf32> -> tensor<?xf64>
  %b = tir.dimshuffle %c {pattern = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
  %rf = tir.sqrt %b : tensor<1x?xf64> -> tensor<1x?xf64>
  func.return %sq, %r, %rf : tensor<?xf64>, tensor<?xf64>, tensor<1x?xf64>
}

// 1 - tanh(x) ** 2 as the frontend builds it (pow, then 1 - ...); the new constants are
// rank-0 constants of x's dtype broadcast to x's rank.
// CHECK-LABEL: func.func @one_minus_tanh_pow
func.func @one_minus_tanh_pow(%x: tensor<?xf32>) -> tensor<?xf32> {
  // CHECK-NEXT: %[[T:.*]] = tir.tanh %x : tensor<?xf32> -> tensor<?xf32>
  // CHECK-NEXT: %[[ONE:.*]] = tir.constant dense<1.000000e+00> : tensor<f32> -> tensor<f32>
  // CHECK-NEXT: %[[ONEB:.*]] = tir.dimshuffle %[[ONE]] {pattern = array<i64: -1>} : tensor<f32> -> tensor<1xf32>
  // CHECK-NEXT: %[[TT:.*]] = tir.mul %[[T]], %[[T]] : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  // CHECK-NEXT: %[[NEAR:.*]] = tir.sub %[[ONEB]], %[[TT]] : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
  // CHECK-NEXT: %[[ABS:.*]] = tir.abs %x : tensor<?xf32> -> tensor<?xf32>
  // CHECK-NEXT: %[[M2:.*]] = tir.constant dense<-2.000000e+00> : tensor<f32> -> tensor<f32>
  // CHECK-NEXT: %[[M2B:.*]] = tir.dimshuffle %[[M2]] {pattern = array<i64: -1>} : tensor<f32> -> tensor<1xf32>
  // CHECK-NEXT: %[[ARG:.*]] = tir.mul %[[M2B]], %[[ABS]] : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
  // CHECK-NEXT: %[[E:.*]] = tir.exp %[[ARG]] : tensor<?xf32> -> tensor<?xf32>
  // CHECK-NEXT: %[[FOUR:.*]] = tir.constant dense<4.000000e+00> : tensor<f32> -> tensor<f32>
  // CHECK-NEXT: %[[FOURB:.*]] = tir.dimshuffle %[[FOUR]] {pattern = array<i64: -1>} : tensor<f32> -> tensor<1xf32>
  // CHECK-NEXT: %[[NUM:.*]] = tir.mul %[[FOURB]], %[[E]] : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
  // CHECK-NEXT: %[[DEN:.*]] = tir.add %[[ONEB]], %[[E]] : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
  // CHECK-NEXT: %[[DEN2:.*]] = tir.sqr %[[DEN]] : tensor<?xf32> -> tensor<?xf32>
  // CHECK-NEXT: %[[FAR:.*]] = tir.true_div %[[NUM]], %[[DEN2]] : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  // CHECK-NEXT: %[[HALF:.*]] = tir.constant dense<5.000000e-01> : tensor<f32> -> tensor<f32>
  // CHECK-NEXT: %[[HALFB:.*]] = tir.dimshuffle %[[HALF]] {pattern = array<i64: -1>} : tensor<f32> -> tensor<1xf32>
  // CHECK-NEXT: %[[SMALL:.*]] = tir.lt %[[ABS]], %[[HALFB]] : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xi1>
  // CHECK-NEXT: %d = tir.switch %[[SMALL]], %[[NEAR]], %[[FAR]] : (tensor<?xi1>, tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  // CHECK-NEXT: func.return %d
  // CHECK-NOT:  tir.pow
  %t = tir.tanh %x : tensor<?xf32> -> tensor<?xf32>
  %two = tir.constant dense<2.000000e+00> : tensor<1xf32> -> tensor<1xf32>
  %t2 = tir.pow %t, %two : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>
  %one = tir.constant dense<1.000000e+00> : tensor<1xf32> -> tensor<1xf32>
  %d = tir.sub %one, %t2 : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %d : tensor<?xf32>
}

// tanh's gradient rule, gz * (1 - sqr(tanh(x))), after tir-autodiff: the tanh is also the
// function's value, so it stays.
// CHECK-LABEL: func.func @tanh_gradient
func.func @tanh_gradient(%x: tensor<?x?xf64>, %gz: tensor<?x?xf64>) -> (tensor<?x?xf64>, tensor<?x?xf64>) {
  // CHECK-NEXT: %t = tir.tanh %x
  // CHECK:      %[[SMALL:.*]] = tir.lt {{.*}} : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xi1>
  // CHECK-NEXT: %d = tir.switch %[[SMALL]], {{.*}} : (tensor<?x?xi1>, tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %gx = tir.mul %gz, %d
  // CHECK-NEXT: func.return %t, %gx
  %t = tir.tanh %x : tensor<?x?xf64> -> tensor<?x?xf64>
  %t2 = tir.sqr %t : tensor<?x?xf64> -> tensor<?x?xf64>
  %one = tir.constant dense<1.000000e+00> : tensor<f64> -> tensor<f64>
  %one2 = tir.dimshuffle %one {pattern = array<i64: -1, -1>} : tensor<f64> -> tensor<1x1xf64>
  %d = tir.sub %one2, %t2 : (tensor<1x1xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %gx = tir.mul %gz, %d : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %t, %gx : tensor<?x?xf64>, tensor<?x?xf64>
}

// -(-x) is x; -(-(-x)) is -x (the inner pair goes); a negation seen through a broadcast is
// rebuilt as the broadcast of x.
// CHECK-LABEL: func.func @neg_neg
func.func @neg_neg(%x: tensor<?xf64>, %s: tensor<f64>) -> (tensor<?xf64>, tensor<?xf64>, tensor<1xf64>) {
  // CHECK-NEXT: %[[N:.*]] = tir.neg %x : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %[[B:.*]] = tir.dimshuffle %s {pattern = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
  // CHECK-NEXT: func.return %x, %[[N]], %[[B]]
  %n1 = tir.neg %x : tensor<?xf64> -> tensor<?xf64>
  %n2 = tir.neg %n1 : tensor<?xf64> -> tensor<?xf64>
  %n3 = tir.neg %n2 : tensor<?xf64> -> tensor<?xf64>
  %ns = tir.neg %s : tensor<f64> -> tensor<f64>
  %nsb = tir.dimshuffle %ns {pattern = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
  %nns = tir.neg %nsb : tensor<1xf64> -> tensor<1xf64>
  func.return %n2, %n3, %nns : tensor<?xf64>, tensor<?xf64>, tensor<1xf64>
}

// Negative cases, left exactly as they are: sqrt(x * y) (two different values), sqrt(x ** 3),
// sqrt(sqr(i)) of an integer square cast to float64, 1 - tanh(x) ** 3, 2 - sqr(tanh(x)),
// 1 - sqr(tanh(x)) whose constant has more elements than x (the replacement's type would
// differ), and -(x) alone.
// CHECK-LABEL: func.func @untouched
func.func @untouched(%x: tensor<?xf64>, %y: tensor<?xf64>, %i: tensor<?xi64>, %v: tensor<1xf64>) -> (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<3xf64>, tensor<?xf64>) {
  // CHECK-NEXT: %xy = tir.mul %x, %y
  // CHECK-NEXT: %a = tir.sqrt %xy
  // CHECK-NEXT: %three = tir.constant
  // CHECK-NEXT: %x3 = tir.pow %x, %three
  // CHECK-NEXT: %b = tir.sqrt %x3
  // CHECK-NEXT: %i2 = tir.sqr %i
  // CHECK-NEXT: %i2f = tir.cast %i2
  // CHECK-NEXT: %c = tir.sqrt %i2f
  // CHECK-NEXT: %t = tir.tanh %x
  // CHECK-NEXT: %t3 = tir.pow %t, %three
  // CHECK-NEXT: %one = tir.constant
  // CHECK-NEXT: %d = tir.sub %one, %t3
  // CHECK-NEXT: %t2 = tir.sqr %t
  // CHECK-NEXT: %two = tir.constant
  // CHECK-NEXT: %e = tir.sub %two, %t2
  // CHECK-NEXT: %ones3 = tir.constant
  // CHECK-NEXT: %tv = tir.tanh %v
  // CHECK-NEXT: %tv2 = tir.sqr %tv
  // CHECK-NEXT: %f = tir.sub %ones3, %tv2
  // CHECK-NEXT: %g = tir.neg %x
  // CHECK-NEXT: func.return %a, %b, %c, %d, %e, %f, %g
  %xy = tir.mul %x, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %a = tir.sqrt %xy : tensor<?xf64> -> tensor<?xf64>
  %three = tir.constant dense<3.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %x3 = tir.pow %x, %three : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %b = tir.sqrt %x3 : tensor<?xf64> -> tensor<?xf64>
  %i2 = tir.sqr %i : tensor<?xi64> -> tensor<?xi64>
  %i2f = tir.cast %i2 : tensor<?xi64> -> tensor<?xf64>
  %c = tir.sqrt %i2f : tensor<?xf64> -> tensor<?xf64>
  %t = tir.tanh %x : tensor<?xf64> -> tensor<?xf64>
  %t3 = tir.pow %t, %three : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %d = tir.sub %one, %t3 : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %t2 = tir.sqr %t : tensor<?xf64> -> tensor<?xf64>
  %two = tir.constant dense<2.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %e = tir.sub %two, %t2 : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %ones3 = tir.constant dense<1.000000e+00> : tensor<3xf64> -> tensor<3xf64>
  %tv = tir.tanh %v : tensor<1xf64> -> tensor<1xf64>
  %tv2 = tir.sqr %tv : tensor<1xf64> -> tensor<1xf64>
  %f = tir.sub %ones3, %tv2 : (tensor<3xf64>, tensor<1xf64>) -> tensor<3xf64>
  %g = tir.neg %x : tensor<?xf64> -> tensor<?xf64>
  func.return %a, %b, %c, %d, %e, %f, %g : tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<3xf64>, tensor<?xf64>
}
