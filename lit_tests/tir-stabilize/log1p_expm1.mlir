// RUN: tensorir-opt %s -p tir-stabilize | filecheck %s
// The log1p / expm1 family: log(1 + exp(x)) -> softplus(x), log1p(exp(x)) -> softplus(x),
// log(1 + x) -> log1p(x), log(1 - x) -> log1p(-x), exp(x) - 1 -> expm1(x). The 1 may be a
// rank-0 constant broadcast and cast to the formula's type; a formula seen through float casts
// and broadcasts is rebuilt with them applied to x. An integer formula, a constant other than
// 1, x - 1 for 1 - x, and a replacement whose type would differ are left alone.

// log(1 + exp(x)), as the frontend builds it (the 1 a one-element constant): softplus(x),
// with the log's name and location.
// CHECK-LABEL: func.func @softplus
func.func @softplus(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK-NEXT: %sp = tir.softplus %x {loc = "sp.py:2: T.log(1 + T.exp(x))"} : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: func.return %sp
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %d = tir.add %one, %e : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %sp = tir.log %d {loc = "sp.py:2: T.log(1 + T.exp(x))"} : tensor<?xf64> -> tensor<?xf64>
  func.return %sp : tensor<?xf64>
}

// exp(x) + 1 (the other order), the exp also returned: it stays for its other user.
// CHECK-LABEL: func.func @softplus_exp_kept
func.func @softplus_exp_kept(%x: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  // CHECK-NEXT: %e = tir.exp %x
  // CHECK-NEXT: %sp = tir.softplus %x : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK-NEXT: func.return %e, %sp
  %e = tir.exp %x : tensor<?x?xf32> -> tensor<?x?xf32>
  %one = tir.constant dense<1.000000e+00> : tensor<1x1xf32> -> tensor<1x1xf32>
  %d = tir.add %e, %one : (tensor<?x?xf32>, tensor<1x1xf32>) -> tensor<?x?xf32>
  %sp = tir.log %d : tensor<?x?xf32> -> tensor<?x?xf32>
  func.return %e, %sp : tensor<?x?xf32>, tensor<?x?xf32>
}

// The user's own log1p(exp(x)) is softplus(x) too.
// CHECK-LABEL: func.func @log1p_exp
func.func @log1p_exp(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK-NEXT: %sp = tir.softplus %x : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: func.return %sp
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %sp = tir.log1p %e : tensor<?xf64> -> tensor<?xf64>
  func.return %sp : tensor<?xf64>
}

// T.log(1 + T.exp(xf).astype("float64")): the exp of a float32 vector cast to float64. The
// cast is applied to x, so softplus is computed in float64 (no float32 overflow of exp).
// CHECK-LABEL: func.func @softplus_through_cast
func.func @softplus_through_cast(%xf: tensor<?xf32>) -> tensor<?xf64> {
  // CHECK-NEXT: %[[C:.*]] = tir.cast %xf : tensor<?xf32> -> tensor<?xf64>
  // CHECK-NEXT: %sp = tir.softplus %[[C]] : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: func.return %sp
  // CHECK-NOT:  tir.exp
  %e = tir.exp %xf : tensor<?xf32> -> tensor<?xf32>
  %c = tir.cast %e : tensor<?xf32> -> tensor<?xf64>
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %d = tir.add %one, %c : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %sp = tir.log %d : tensor<?xf64> -> tensor<?xf64>
  func.return %sp : tensor<?xf64>
}

// log(1 + x): log1p(x), name and location kept.
// CHECK-LABEL: func.func @log1p
func.func @log1p(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK-NEXT: %l = tir.log1p %x {loc = "l.py:3: T.log(1 + x)"} : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: func.return %l
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %d = tir.add %one, %x : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %l = tir.log %d {loc = "l.py:3: T.log(1 + x)"} : tensor<?xf64> -> tensor<?xf64>
  func.return %l : tensor<?xf64>
}

// The 1 as a rank-0 float32 constant cast to float64 and broadcast to the matrix's rank, and
// x itself a product: log1p(x * y).
// CHECK-LABEL: func.func @log1p_scalar_constant
func.func @log1p_scalar_constant(%x: tensor<?x?xf64>, %y: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK-NEXT: %xy = tir.mul %x, %y
  // CHECK-NEXT: %l = tir.log1p %xy : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: func.return %l
  %one = tir.constant dense<1.000000e+00> : tensor<f32> -> tensor<f32>
  %one64 = tir.cast %one : tensor<f32> -> tensor<f64>
  %one2 = tir.dimshuffle %one64 {pattern = array<i64: -1, -1>} : tensor<f64> -> tensor<1x1xf64>
  %xy = tir.mul %x, %y : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %d = tir.add %xy, %one2 : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xf64>
  %l = tir.log %d : tensor<?x?xf64> -> tensor<?x?xf64>
  func.return %l : tensor<?x?xf64>
}

// T.log((1 + xf).astype("float64").dimshuffle("x", 0)): the sum is float32, then cast and
// broadcast into a row. The cast and the broadcast are applied to x, innermost first.
// CHECK-LABEL: func.func @log1p_through_cast_and_broadcast
func.func @log1p_through_cast_and_broadcast(%xf: tensor<?xf32>) -> tensor<1x?xf64> {
  // CHECK-NEXT: %[[C:.*]] = tir.cast %xf : tensor<?xf32> -> tensor<?xf64>
  // CHECK-NEXT: %[[R:.*]] = tir.dimshuffle %[[C]] {pattern = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
  // CHECK-NEXT: %l = tir.log1p %[[R]] : tensor<1x?xf64> -> tensor<1x?xf64>
  // CHECK-NEXT: func.return %l
  %one = tir.constant dense<1.000000e+00> : tensor<1xf32> -> tensor<1xf32>
  %d = tir.add %one, %xf : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
  %c = tir.cast %d : tensor<?xf32> -> tensor<?xf64>
  %r = tir.dimshuffle %c {pattern = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
  %l = tir.log %r : tensor<1x?xf64> -> tensor<1x?xf64>
  func.return %l : tensor<1x?xf64>
}

// log(1 - x): log1p(-x).
// CHECK-LABEL: func.func @log1m
func.func @log1m(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  // CHECK-NEXT: %[[N:.*]] = tir.neg %x : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK-NEXT: %l = tir.log1p %[[N]] : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK-NEXT: func.return %l
  %one = tir.constant dense<1.000000e+00> : tensor<1x1xf32> -> tensor<1x1xf32>
  %d = tir.sub %one, %x : (tensor<1x1xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %l = tir.log %d : tensor<?x?xf32> -> tensor<?x?xf32>
  func.return %l : tensor<?x?xf32>
}

// log(1 - (-x)): log1p(x), no double negation left.
// CHECK-LABEL: func.func @log1m_of_neg
func.func @log1m_of_neg(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK-NEXT: %l = tir.log1p %x : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: func.return %l
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %nx = tir.neg %x : tensor<?xf64> -> tensor<?xf64>
  %d = tir.sub %one, %nx : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %l = tir.log %d : tensor<?xf64> -> tensor<?xf64>
  func.return %l : tensor<?xf64>
}

// exp(x) - 1: expm1(x), name kept.
// CHECK-LABEL: func.func @expm1
func.func @expm1(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK-NEXT: %em1 = tir.expm1 %x : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: func.return %em1
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %em1 = tir.sub %e, %one : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %em1 : tensor<?xf64>
}

// exp(s) of a scalar broadcast to a vector, minus 1: expm1 of the broadcast s.
// CHECK-LABEL: func.func @expm1_through_broadcast
func.func @expm1_through_broadcast(%s: tensor<f64>) -> tensor<1xf64> {
  // CHECK-NEXT: %[[B:.*]] = tir.dimshuffle %s {pattern = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
  // CHECK-NEXT: %em1 = tir.expm1 %[[B]] : tensor<1xf64> -> tensor<1xf64>
  // CHECK-NEXT: func.return %em1
  %e = tir.exp %s : tensor<f64> -> tensor<f64>
  %eb = tir.dimshuffle %e {pattern = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %em1 = tir.sub %eb, %one : (tensor<1xf64>, tensor<1xf64>) -> tensor<1xf64>
  func.return %em1 : tensor<1xf64>
}

// T.exp(xf).astype("float64") - 1: expm1 of the cast x.
// CHECK-LABEL: func.func @expm1_through_cast
func.func @expm1_through_cast(%xf: tensor<?xf32>) -> tensor<?xf64> {
  // CHECK-NEXT: %[[C:.*]] = tir.cast %xf : tensor<?xf32> -> tensor<?xf64>
  // CHECK-NEXT: %em1 = tir.expm1 %[[C]] : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: func.return %em1
  %e = tir.exp %xf : tensor<?xf32> -> tensor<?xf32>
  %c = tir.cast %e : tensor<?xf32> -> tensor<?xf64>
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %em1 = tir.sub %c, %one : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %em1 : tensor<?xf64>
}

// Negative cases, left exactly as they are: log(2 + x) and exp(x) - 2 (not 1); log(x - 1)
// (not 1 - x); log(1 + x) with a constant [1, 2] (not all ones); log(1 + i) of an integer
// sum cast to float64 (the pattern does not look through an integer-to-float cast);
// exp(v) - 1 and log(1 + exp(v)) whose constant has more elements than v (the replacement
// would have type tensor<1xf64>, not tensor<3xf64>).
// CHECK-LABEL: func.func @untouched
func.func @untouched(%x: tensor<?xf64>, %p: tensor<2xf64>, %i: tensor<?xi64>, %v: tensor<1xf64>) -> (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<2xf64>, tensor<?xf64>, tensor<3xf64>, tensor<3xf64>) {
  // CHECK-NEXT: %two = tir.constant
  // CHECK-NEXT: %a1 = tir.add %two, %x
  // CHECK-NEXT: %a = tir.log %a1
  // CHECK-NEXT: %e = tir.exp %x
  // CHECK-NEXT: %b = tir.sub %e, %two
  // CHECK-NEXT: %one = tir.constant
  // CHECK-NEXT: %c1 = tir.sub %x, %one
  // CHECK-NEXT: %c = tir.log %c1
  // CHECK-NEXT: %onetwo = tir.constant
  // CHECK-NEXT: %d1 = tir.add %onetwo, %p
  // CHECK-NEXT: %d = tir.log %d1
  // CHECK-NEXT: %ione = tir.constant
  // CHECK-NEXT: %f1 = tir.add %ione, %i
  // CHECK-NEXT: %f2 = tir.cast %f1
  // CHECK-NEXT: %f = tir.log %f2
  // CHECK-NEXT: %ones3 = tir.constant
  // CHECK-NEXT: %ev = tir.exp %v
  // CHECK-NEXT: %g = tir.sub %ev, %ones3
  // CHECK-NEXT: %h1 = tir.add %ones3, %ev
  // CHECK-NEXT: %h = tir.log %h1
  // CHECK-NEXT: func.return %a, %b, %c, %d, %f, %g, %h
  %two = tir.constant dense<2.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %a1 = tir.add %two, %x : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %a = tir.log %a1 : tensor<?xf64> -> tensor<?xf64>
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %b = tir.sub %e, %two : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %c1 = tir.sub %x, %one : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %c = tir.log %c1 : tensor<?xf64> -> tensor<?xf64>
  %onetwo = tir.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf64> -> tensor<2xf64>
  %d1 = tir.add %onetwo, %p : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
  %d = tir.log %d1 : tensor<2xf64> -> tensor<2xf64>
  %ione = tir.constant dense<1> : tensor<1xi64> -> tensor<1xi64>
  %f1 = tir.add %ione, %i : (tensor<1xi64>, tensor<?xi64>) -> tensor<?xi64>
  %f2 = tir.cast %f1 : tensor<?xi64> -> tensor<?xf64>
  %f = tir.log %f2 : tensor<?xf64> -> tensor<?xf64>
  %ones3 = tir.constant dense<1.000000e+00> : tensor<3xf64> -> tensor<3xf64>
  %ev = tir.exp %v : tensor<1xf64> -> tensor<1xf64>
  %g = tir.sub %ev, %ones3 : (tensor<1xf64>, tensor<3xf64>) -> tensor<3xf64>
  %h1 = tir.add %ones3, %ev : (tensor<3xf64>, tensor<1xf64>) -> tensor<3xf64>
  %h = tir.log %h1 : tensor<3xf64> -> tensor<3xf64>
  func.return %a, %b, %c, %d, %f, %g, %h : tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<2xf64>, tensor<?xf64>, tensor<3xf64>, tensor<3xf64>
}
