// RUN: tensorir-opt %s -p tir-stabilize | filecheck %s
// The cross-entropies of nnet, as the frontend expands them, end up computed from the logits:
// categorical_crossentropy(softmax(z), y) reads log_softmax(z) (integer labels: through the
// gather of -log(p)[arange(n), y]; one-hot or probability targets: -sum(t * log(p))), and
// binary_crossentropy(sigmoid(z), t) = -(t * log(p) + (1 - t) * log(1 - p)) becomes
// t * -softplus(-z) + (1 - t) * -softplus(z) under the same negation. No log of a probability
// (which is -inf once the probability underflows to 0) is left.

// categorical_crossentropy(softmax(z), y) with int64 labels y.
// CHECK-LABEL: func.func @categorical_labels
func.func @categorical_labels(%z: tensor<?x?xf64>, %y: tensor<?xi64>) -> tensor<?xf64> {
  // CHECK-NEXT: %logp = tir.log_softmax %z {loc = "cce.py:5: nnet.categorical_crossentropy(p, y)", axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: %n = tir.size %y
  // CHECK-NEXT: %zero = tir.constant
  // CHECK-NEXT: %step = tir.constant
  // CHECK-NEXT: %rows = tir.arange %zero, %n, %step
  // CHECK-NEXT: %i = tir.second %y, %rows
  // CHECK-NEXT: %j = tir.second %rows, %y
  // CHECK-NEXT: %logpy = tir.gather %logp[%i, %j]
  // CHECK-NEXT: %xent = tir.neg %logpy
  // CHECK-NEXT: func.return %xent
  // CHECK-NOT:  tir.softmax
  %p = tir.softmax %z {loc = "cce.py:4: p = nnet.softmax(z)", axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  %logp = tir.log %p {loc = "cce.py:5: nnet.categorical_crossentropy(p, y)"} : tensor<?x?xf64> -> tensor<?x?xf64>
  %n = tir.size %y {loc = "cce.py:5: nnet.categorical_crossentropy(p, y)", axes = array<i64: 0>} : tensor<?xi64> -> tensor<i64>
  %zero = tir.constant dense<0> : tensor<i64> -> tensor<i64>
  %step = tir.constant dense<1> : tensor<i64> -> tensor<i64>
  %rows = tir.arange %zero, %n, %step {loc = "cce.py:5: nnet.categorical_crossentropy(p, y)"} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %i = tir.second %y, %rows {loc = "cce.py:5: nnet.categorical_crossentropy(p, y)"} : (tensor<?xi64>, tensor<?xi64>) -> tensor<?xi64>
  %j = tir.second %rows, %y {loc = "cce.py:5: nnet.categorical_crossentropy(p, y)"} : (tensor<?xi64>, tensor<?xi64>) -> tensor<?xi64>
  %logpy = tir.gather %logp[%i, %j] {loc = "cce.py:5: nnet.categorical_crossentropy(p, y)"} : (tensor<?x?xf64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xf64>
  %xent = tir.neg %logpy {loc = "cce.py:5: nnet.categorical_crossentropy(p, y)"} : tensor<?xf64> -> tensor<?xf64>
  func.return %xent : tensor<?xf64>
}

// The same in float32 with int32 labels (the frontend casts them to int64 first).
// CHECK-LABEL: func.func @categorical_labels_f32
func.func @categorical_labels_f32(%z: tensor<?x?xf32>, %y: tensor<?xi32>) -> tensor<?xf32> {
  // CHECK-NEXT: %logp = tir.log_softmax %z {axis = 1 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK:      %logpy = tir.gather %logp[%i, %j] : (tensor<?x?xf32>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xf32>
  // CHECK-NEXT: %xent = tir.neg %logpy
  // CHECK-NOT:  tir.softmax
  %p = tir.softmax %z {axis = 1 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
  %logp = tir.log %p : tensor<?x?xf32> -> tensor<?x?xf32>
  %y64 = tir.cast %y : tensor<?xi32> -> tensor<?xi64>
  %n = tir.size %y {axes = array<i64: 0>} : tensor<?xi32> -> tensor<i64>
  %zero = tir.constant dense<0> : tensor<i64> -> tensor<i64>
  %step = tir.constant dense<1> : tensor<i64> -> tensor<i64>
  %rows = tir.arange %zero, %n, %step : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %i = tir.second %y64, %rows : (tensor<?xi64>, tensor<?xi64>) -> tensor<?xi64>
  %j = tir.second %rows, %y64 : (tensor<?xi64>, tensor<?xi64>) -> tensor<?xi64>
  %logpy = tir.gather %logp[%i, %j] : (tensor<?x?xf32>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xf32>
  %xent = tir.neg %logpy : tensor<?xf32> -> tensor<?xf32>
  func.return %xent : tensor<?xf32>
}

// categorical_crossentropy(softmax(z), t) with one-hot (or probability) targets t.
// CHECK-LABEL: func.func @categorical_one_hot
func.func @categorical_one_hot(%z: tensor<?x?xf64>, %t: tensor<?x?xf64>) -> tensor<?xf64> {
  // CHECK-NEXT: %logp = tir.log_softmax %z {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: %tlogp = tir.mul %t, %logp
  // CHECK-NEXT: %s = tir.sum %tlogp {axes = array<i64: 1>}
  // CHECK-NEXT: %xent = tir.neg %s
  // CHECK-NEXT: func.return %xent
  // CHECK-NOT:  tir.softmax
  %p = tir.softmax %z {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  %logp = tir.log %p : tensor<?x?xf64> -> tensor<?x?xf64>
  %tlogp = tir.mul %t, %logp : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %s = tir.sum %tlogp {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  %xent = tir.neg %s : tensor<?xf64> -> tensor<?xf64>
  func.return %xent : tensor<?xf64>
}

// binary_crossentropy(sigmoid(z), t) in float64, exactly as the frontend emits it (one constant
// 1 for 1 - t and another for 1 - p). The sigmoid has no other user: it disappears.
// CHECK-LABEL: func.func @binary
func.func @binary(%z: tensor<?xf64>, %t: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK-NEXT: %[[NZ:.*]] = tir.neg %z {loc = "bce.py:3: nnet.binary_crossentropy(p, t)"} : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %[[SPN:.*]] = tir.softplus %[[NZ]] {loc = "bce.py:3: nnet.binary_crossentropy(p, t)"}
  // CHECK-NEXT: %logp = tir.neg %[[SPN]] {loc = "bce.py:3: nnet.binary_crossentropy(p, t)"}
  // CHECK-NEXT: %a = tir.mul %t, %logp
  // CHECK-NEXT: %one = tir.constant
  // CHECK-NEXT: %omt = tir.sub %one, %t
  // CHECK-NEXT: %[[SP:.*]] = tir.softplus %z
  // CHECK-NEXT: %logomp = tir.neg %[[SP]]
  // CHECK-NEXT: %b = tir.mul %omt, %logomp
  // CHECK-NEXT: %s = tir.add %a, %b
  // CHECK-NEXT: %xent = tir.neg %s
  // CHECK-NEXT: func.return %xent
  // CHECK-NOT:  tir.sigmoid
  // CHECK-NOT:  tir.log
  %p = tir.sigmoid %z {loc = "bce.py:2: p = nnet.sigmoid(z)"} : tensor<?xf64> -> tensor<?xf64>
  %logp = tir.log %p {loc = "bce.py:3: nnet.binary_crossentropy(p, t)"} : tensor<?xf64> -> tensor<?xf64>
  %a = tir.mul %t, %logp : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %omt = tir.sub %one, %t : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %one_p = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %omp = tir.sub %one_p, %p : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %logomp = tir.log %omp : tensor<?xf64> -> tensor<?xf64>
  %b = tir.mul %omt, %logomp : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %s = tir.add %a, %b : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %xent = tir.neg %s : tensor<?xf64> -> tensor<?xf64>
  func.return %xent : tensor<?xf64>
}

// binary_crossentropy(sigmoid(zf), ti) with float32 logits and int32 targets, as the frontend
// emits it: the targets are cast to float64 and each float32 log is cast to float64 after it.
// The logs become float32 softplus terms, cast as before.
// CHECK-LABEL: func.func @binary_f32_int_targets
func.func @binary_f32_int_targets(%ti: tensor<?xi32>, %zf: tensor<?xf32>) -> tensor<?xf64> {
  // CHECK-NEXT: %t = tir.cast %ti : tensor<?xi32> -> tensor<?xf64>
  // CHECK-NEXT: %[[NZ:.*]] = tir.neg %zf : tensor<?xf32> -> tensor<?xf32>
  // CHECK-NEXT: %[[SPN:.*]] = tir.softplus %[[NZ]] : tensor<?xf32> -> tensor<?xf32>
  // CHECK-NEXT: %logp = tir.neg %[[SPN]] : tensor<?xf32> -> tensor<?xf32>
  // CHECK-NEXT: %logp64 = tir.cast %logp : tensor<?xf32> -> tensor<?xf64>
  // CHECK-NEXT: %a = tir.mul %t, %logp64
  // CHECK-NEXT: %t2 = tir.cast %ti
  // CHECK-NEXT: %one = tir.constant
  // CHECK-NEXT: %omt = tir.sub %one, %t2
  // CHECK-NEXT: %[[SP:.*]] = tir.softplus %zf : tensor<?xf32> -> tensor<?xf32>
  // CHECK-NEXT: %logomp = tir.neg %[[SP]] : tensor<?xf32> -> tensor<?xf32>
  // CHECK-NEXT: %logomp64 = tir.cast %logomp : tensor<?xf32> -> tensor<?xf64>
  // CHECK-NEXT: %b = tir.mul %omt, %logomp64
  // CHECK-NEXT: %s = tir.add %a, %b
  // CHECK-NEXT: %xent = tir.neg %s
  // CHECK-NEXT: func.return %xent
  // CHECK-NOT:  tir.log
  %t = tir.cast %ti : tensor<?xi32> -> tensor<?xf64>
  %p = tir.sigmoid %zf : tensor<?xf32> -> tensor<?xf32>
  %logp = tir.log %p : tensor<?xf32> -> tensor<?xf32>
  %logp64 = tir.cast %logp : tensor<?xf32> -> tensor<?xf64>
  %a = tir.mul %t, %logp64 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %t2 = tir.cast %ti : tensor<?xi32> -> tensor<?xf64>
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %omt = tir.sub %one, %t2 : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %one_f = tir.constant dense<1.000000e+00> : tensor<1xf32> -> tensor<1xf32>
  %omp = tir.sub %one_f, %p : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
  %logomp = tir.log %omp : tensor<?xf32> -> tensor<?xf32>
  %logomp64 = tir.cast %logomp : tensor<?xf32> -> tensor<?xf64>
  %b = tir.mul %omt, %logomp64 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %s = tir.add %a, %b : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %xent = tir.neg %s : tensor<?xf64> -> tensor<?xf64>
  func.return %xent : tensor<?xf64>
}

// The Theano tutorial's logistic regression writes the sigmoid out:
// p_1 = 1 / (1 + exp(v)) with v = -dot(x, w) - b, xent = -y * log(p_1) - (1 - y) * log(1 - p_1).
// p_1 becomes sigmoid(-v) (still returned: the prediction p_1 > 0.5 reads it), log(p_1)
// becomes -softplus(v) and log(1 - p_1) = log(sigmoid(v)) becomes -softplus(-v).
// CHECK-LABEL: func.func @tutorial
func.func @tutorial(%u: tensor<?xf64>, %b: tensor<f64>, %y: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  // CHECK-NEXT: %nu = tir.neg %u
  // CHECK-NEXT: %bb = tir.dimshuffle %b
  // CHECK-NEXT: %v = tir.sub %nu, %bb
  // CHECK-NEXT: %one = tir.constant
  // CHECK-NEXT: %[[NV:.*]] = tir.neg %v
  // CHECK-NEXT: %p1 = tir.sigmoid %[[NV]]
  // CHECK-NEXT: %ny = tir.neg %y
  // CHECK-NEXT: %[[SP:.*]] = tir.softplus %v
  // CHECK-NEXT: %logp1 = tir.neg %[[SP]]
  // CHECK-NEXT: %a = tir.mul %ny, %logp1
  // CHECK-NEXT: %omy = tir.sub %one, %y
  // CHECK-NEXT: %[[NV2:.*]] = tir.neg %v
  // CHECK-NEXT: %[[SPN:.*]] = tir.softplus %[[NV2]]
  // CHECK-NEXT: %logq = tir.neg %[[SPN]]
  // CHECK-NEXT: %c = tir.mul %omy, %logq
  // CHECK-NEXT: %xent = tir.sub %a, %c
  // CHECK-NEXT: func.return %p1, %xent
  // CHECK-NOT:  tir.log
  // CHECK-NOT:  tir.exp
  %nu = tir.neg %u : tensor<?xf64> -> tensor<?xf64>
  %bb = tir.dimshuffle %b {pattern = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
  %v = tir.sub %nu, %bb : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %e = tir.exp %v : tensor<?xf64> -> tensor<?xf64>
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %den = tir.add %one, %e : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %p1 = tir.true_div %one, %den : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %ny = tir.neg %y : tensor<?xf64> -> tensor<?xf64>
  %logp1 = tir.log %p1 : tensor<?xf64> -> tensor<?xf64>
  %a = tir.mul %ny, %logp1 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %omy = tir.sub %one, %y : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %q = tir.sub %one, %p1 : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %logq = tir.log %q : tensor<?xf64> -> tensor<?xf64>
  %c = tir.mul %omy, %logq : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %xent = tir.sub %a, %c : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %p1, %xent : tensor<?xf64>, tensor<?xf64>
}
