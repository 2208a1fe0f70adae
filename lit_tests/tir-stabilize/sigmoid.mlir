// RUN: tensorir-opt %s -p tir-stabilize | filecheck %s
// The sigmoid family: log(sigmoid(x)) -> -softplus(-x), log(1 - sigmoid(x)) -> -softplus(x),
// 1 / (1 + exp(x)) -> sigmoid(-x), exp(x) / (1 + exp(x)) -> sigmoid(x),
// 1 - sigmoid(x) -> sigmoid(-x). The new ops take the root's location and name; ops left
// without users are erased.

// CHECK-LABEL: func.func @log_sigmoid
func.func @log_sigmoid(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK-NEXT: %[[NX:.*]] = tir.neg %x {loc = "lr.py:4: T.log(p)"} : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %[[SP:.*]] = tir.softplus %[[NX]] {loc = "lr.py:4: T.log(p)"} : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %logp = tir.neg %[[SP]] {loc = "lr.py:4: T.log(p)"} : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: func.return %logp
  %p = tir.sigmoid %x : tensor<?xf64> -> tensor<?xf64>
  %logp = tir.log %p {loc = "lr.py:4: T.log(p)"} : tensor<?xf64> -> tensor<?xf64>
  func.return %logp : tensor<?xf64>
}

// The 1 is a rank-0 constant broadcast to the matrix's rank (as the frontend builds it).
// CHECK-LABEL: func.func @log_one_minus_sigmoid
func.func @log_one_minus_sigmoid(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  // CHECK-NEXT: %[[SP:.*]] = tir.softplus %x : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK-NEXT: %logq = tir.neg %[[SP]] : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK-NEXT: func.return %logq
  %one = tir.constant dense<1.000000e+00> : tensor<f32> -> tensor<f32>
  %one2 = tir.dimshuffle %one {pattern = array<i64: -1, -1>} : tensor<f32> -> tensor<1x1xf32>
  %p = tir.sigmoid %x : tensor<?x?xf32> -> tensor<?x?xf32>
  %q = tir.sub %one2, %p : (tensor<1x1xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %logq = tir.log %q : tensor<?x?xf32> -> tensor<?x?xf32>
  func.return %logq : tensor<?x?xf32>
}

// The tutorial's p_1 = 1 / (1 + exp(-z)): sigmoid(-(-z)) is sigmoid(z).
// CHECK-LABEL: func.func @tutorial
func.func @tutorial(%z: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK-NEXT: %p = tir.sigmoid %z : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: func.return %p
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %nz = tir.neg %z : tensor<?xf64> -> tensor<?xf64>
  %e = tir.exp %nz : tensor<?xf64> -> tensor<?xf64>
  %den = tir.add %one, %e : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %p = tir.true_div %one, %den : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %p : tensor<?xf64>
}

// 1 / (1 + exp(x)) with any x: sigmoid(-x).
// CHECK-LABEL: func.func @inv_one_plus_exp
func.func @inv_one_plus_exp(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK-NEXT: %[[NX:.*]] = tir.neg %x
  // CHECK-NEXT: %p = tir.sigmoid %[[NX]] : tensor<?xf64> -> tensor<?xf64>
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %den = tir.add %one, %e : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %p = tir.true_div %one, %den : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %p : tensor<?xf64>
}

// exp(x) / (exp(x) + 1): the addition in either order.
// CHECK-LABEL: func.func @exp_over_one_plus_exp
func.func @exp_over_one_plus_exp(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK-NEXT: %p = tir.sigmoid %x : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: func.return %p
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %den = tir.add %e, %one : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %p = tir.true_div %e, %den : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %p : tensor<?xf64>
}

// Through a cast and a broadcast: they are applied to x, and the formula is computed in the
// cast's dtype.
// CHECK-LABEL: func.func @through_cast_and_broadcast
func.func @through_cast_and_broadcast(%x: tensor<?xf32>) -> tensor<1x?xf64> {
  // CHECK-NEXT: %[[C:.*]] = tir.cast %x : tensor<?xf32> -> tensor<?xf64>
  // CHECK-NEXT: %[[R:.*]] = tir.dimshuffle %[[C]] {pattern = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
  // CHECK-NEXT: %[[N:.*]] = tir.neg %[[R]] : tensor<1x?xf64> -> tensor<1x?xf64>
  // CHECK-NEXT: %[[SP:.*]] = tir.softplus %[[N]] : tensor<1x?xf64> -> tensor<1x?xf64>
  // CHECK-NEXT: %l = tir.neg %[[SP]] : tensor<1x?xf64> -> tensor<1x?xf64>
  // CHECK-NEXT: func.return %l
  %s = tir.sigmoid %x : tensor<?xf32> -> tensor<?xf32>
  %c = tir.cast %s : tensor<?xf32> -> tensor<?xf64>
  %r = tir.dimshuffle %c {pattern = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
  %l = tir.log %r : tensor<1x?xf64> -> tensor<1x?xf64>
  func.return %l : tensor<1x?xf64>
}

// binary_crossentropy(sigmoid(z), t), as the frontend expands it, from the logits:
// -(t * -softplus(-z) + (1 - t) * -softplus(z)). The sigmoid is still returned: it stays.
// CHECK-LABEL: func.func @binary_crossentropy
func.func @binary_crossentropy(%z: tensor<?xf64>, %t: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  // CHECK-NEXT: %one = tir.constant
  // CHECK-NEXT: %p = tir.sigmoid %z
  // CHECK-NEXT: %[[NZ:.*]] = tir.neg %z
  // CHECK-NEXT: %[[SPN:.*]] = tir.softplus %[[NZ]]
  // CHECK-NEXT: %lp = tir.neg %[[SPN]]
  // CHECK-NEXT: %a = tir.mul %t, %lp
  // CHECK-NEXT: %omt = tir.sub %one, %t
  // CHECK-NEXT: %[[SP:.*]] = tir.softplus %z
  // CHECK-NEXT: %lomp = tir.neg %[[SP]]
  // CHECK-NEXT: %b = tir.mul %omt, %lomp
  // CHECK-NEXT: %s = tir.add %a, %b
  // CHECK-NEXT: %bce = tir.neg %s
  // CHECK-NOT:  tir.log
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %p = tir.sigmoid %z : tensor<?xf64> -> tensor<?xf64>
  %lp = tir.log %p : tensor<?xf64> -> tensor<?xf64>
  %a = tir.mul %t, %lp : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %omt = tir.sub %one, %t : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %omp = tir.sub %one, %p : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %lomp = tir.log %omp : tensor<?xf64> -> tensor<?xf64>
  %b = tir.mul %omt, %lomp : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %s = tir.add %a, %b : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %bce = tir.neg %s : tensor<?xf64> -> tensor<?xf64>
  func.return %bce, %p : tensor<?xf64>, tensor<?xf64>
}

// 1 - sigmoid(x) on its own (the gradient rule's s * (1 - s)): sigmoid(-x), which keeps the
// tiny values that 1 - s rounds to 0.
// CHECK-LABEL: func.func @one_minus_sigmoid
func.func @one_minus_sigmoid(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK-NEXT: %s = tir.sigmoid %x
  // CHECK-NEXT: %[[NX:.*]] = tir.neg %x
  // CHECK-NEXT: %[[Q:.*]] = tir.sigmoid %[[NX]]
  // CHECK-NEXT: %ds = tir.mul %s, %[[Q]]
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %s = tir.sigmoid %x : tensor<?xf64> -> tensor<?xf64>
  %q = tir.sub %one, %s : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %ds = tir.mul %s, %q : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %ds : tensor<?xf64>
}

// Negative cases, left exactly as they are: 2 - sigmoid(x) and 1 / (2 + exp(x)) (not 1),
// log(sigmoid(x) * y) (another op in between), and 1 - sigmoid(x) whose constant has more
// elements than x (the replacement would change the result's shape).
// CHECK-LABEL: func.func @untouched
func.func @untouched(%x: tensor<?xf64>, %y: tensor<?xf64>, %v: tensor<1xf64>) -> (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<3xf64>) {
  // CHECK-NEXT: %two = tir.constant
  // CHECK-NEXT: %ones = tir.constant
  // CHECK-NEXT: %s = tir.sigmoid %x
  // CHECK-NEXT: %a = tir.sub %two, %s
  // CHECK-NEXT: %e = tir.exp %x
  // CHECK-NEXT: %den = tir.add %two, %e
  // CHECK-NEXT: %b = tir.true_div %ones, %den
  // CHECK-NEXT: %sy = tir.mul %s, %y
  // CHECK-NEXT: %c = tir.log %sy
  // CHECK-NEXT: %ones3 = tir.constant
  // CHECK-NEXT: %sv = tir.sigmoid %v
  // CHECK-NEXT: %d = tir.sub %ones3, %sv
  // CHECK-NEXT: func.return %a, %b, %c, %d
  %two = tir.constant dense<2.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %ones = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %s = tir.sigmoid %x : tensor<?xf64> -> tensor<?xf64>
  %a = tir.sub %two, %s : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %den = tir.add %two, %e : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %b = tir.true_div %ones, %den : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %sy = tir.mul %s, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %c = tir.log %sy : tensor<?xf64> -> tensor<?xf64>
  %ones3 = tir.constant dense<1.000000e+00> : tensor<3xf64> -> tensor<3xf64>
  %sv = tir.sigmoid %v : tensor<1xf64> -> tensor<1xf64>
  %d = tir.sub %ones3, %sv : (tensor<3xf64>, tensor<1xf64>) -> tensor<3xf64>
  func.return %a, %b, %c, %d : tensor<?xf64>, tensor<?xf64>, tensor<?xf64>, tensor<3xf64>
}
