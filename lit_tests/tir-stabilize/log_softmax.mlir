// RUN: tensorir-opt %s -p tir-stabilize | filecheck %s
// log(softmax(x)) becomes log_softmax(x) along the same axis (finite where softmax
// underflows to 0); the log's name and location move to the new op. An indexing op between
// the log and the softmax (log(p[arange(n), y]), log(p[i])) is moved after the log_softmax,
// and so are dimshuffles and float casts. A softmax that has other users stays for them; a
// log of anything else is left alone.

// The tutorials' case: the softmax has no other user, so it disappears.
// CHECK-LABEL: func.func @rows
func.func @rows(%x: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK-NEXT: %logp = tir.log_softmax %x {loc = "nll.py:3: logp = T.log(p)", axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: func.return %logp : tensor<?x?xf64>
  // CHECK-NOT:  tir.softmax
  %p = tir.softmax %x {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  %logp = tir.log %p {loc = "nll.py:3: logp = T.log(p)"} : tensor<?x?xf64> -> tensor<?x?xf64>
  func.return %logp : tensor<?x?xf64>
}

// Along axis 0 of a float32 matrix: the axis and the element type are kept.
// CHECK-LABEL: func.func @columns_f32
func.func @columns_f32(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  // CHECK-NEXT: %logp = tir.log_softmax %x {axis = 0 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK-NEXT: func.return %logp
  %p = tir.softmax %x {axis = 0 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
  %logp = tir.log %p : tensor<?x?xf32> -> tensor<?x?xf32>
  func.return %logp : tensor<?x?xf32>
}

// The softmax is also returned: it stays, and the log still becomes a log_softmax of x.
// CHECK-LABEL: func.func @softmax_kept
func.func @softmax_kept(%x: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  // CHECK-NEXT: %p = tir.softmax %x {axis = 0 : i64} : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %logp = tir.log_softmax %x {axis = 0 : i64} : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: func.return %p, %logp
  %p = tir.softmax %x {axis = 0 : i64} : tensor<?xf64> -> tensor<?xf64>
  %logp = tir.log %p : tensor<?xf64> -> tensor<?xf64>
  func.return %p, %logp : tensor<?xf64>, tensor<?xf64>
}

// Two logs of one softmax: both are rewritten, then the softmax has no user left.
// CHECK-LABEL: func.func @two_logs
func.func @two_logs(%x: tensor<?x?xf64>) -> (tensor<?x?xf64>, tensor<?x?xf64>) {
  // CHECK-NEXT: %a = tir.log_softmax %x {axis = 1 : i64}
  // CHECK-NEXT: %b = tir.log_softmax %x {axis = 1 : i64}
  // CHECK-NEXT: func.return %a, %b
  %p = tir.softmax %x {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  %a = tir.log %p : tensor<?x?xf64> -> tensor<?x?xf64>
  %b = tir.log %p : tensor<?x?xf64> -> tensor<?x?xf64>
  func.return %a, %b : tensor<?x?xf64>, tensor<?x?xf64>
}

// The tutorials' log(p[arange(n), y]), as the frontend builds it: the gather picks from the
// log_softmax instead, with the same indices.
// CHECK-LABEL: func.func @log_of_gather
func.func @log_of_gather(%x: tensor<?x?xf64>, %y: tensor<?xi64>) -> tensor<?xf64> {
  // CHECK-NEXT: %n = tir.size %y
  // CHECK-NEXT: %zero = tir.constant
  // CHECK-NEXT: %step = tir.constant
  // CHECK-NEXT: %rows = tir.arange %zero, %n, %step
  // CHECK-NEXT: %i = tir.second %y, %rows
  // CHECK-NEXT: %j = tir.second %rows, %y
  // CHECK-NEXT: %[[LSM:.*]] = tir.log_softmax %x {loc = "nll.py:4: T.log(p[T.arange(n), y])", axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: %logpy = tir.gather %[[LSM]][%i, %j] {loc = "nll.py:4: T.log(p[T.arange(n), y])"} : (tensor<?x?xf64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xf64>
  // CHECK-NEXT: func.return %logpy
  // CHECK-NOT:  tir.softmax
  %p = tir.softmax %x {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  %n = tir.size %y {axes = array<i64: 0>} : tensor<?xi64> -> tensor<i64>
  %zero = tir.constant dense<0> : tensor<i64> -> tensor<i64>
  %step = tir.constant dense<1> : tensor<i64> -> tensor<i64>
  %rows = tir.arange %zero, %n, %step : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %i = tir.second %y, %rows : (tensor<?xi64>, tensor<?xi64>) -> tensor<?xi64>
  %j = tir.second %rows, %y : (tensor<?xi64>, tensor<?xi64>) -> tensor<?xi64>
  %py = tir.gather %p[%i, %j] : (tensor<?x?xf64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xf64>
  %logpy = tir.log %py {loc = "nll.py:4: T.log(p[T.arange(n), y])"} : tensor<?xf64> -> tensor<?xf64>
  func.return %logpy : tensor<?xf64>
}

// log(p[0]) of a float32 softmax: the row is taken from the log_softmax (same kinds).
// CHECK-LABEL: func.func @log_of_subtensor
func.func @log_of_subtensor(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  // CHECK-NEXT: %k = tir.constant dense<0> : tensor<i64>
  // CHECK-NEXT: %[[LSM:.*]] = tir.log_softmax %x {axis = 1 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK-NEXT: %logp0 = tir.subtensor %[[LSM]][%k] {kinds = array<i64: -1>} : (tensor<?x?xf32>, tensor<i64>) -> tensor<?xf32>
  // CHECK-NEXT: func.return %logp0
  %p = tir.softmax %x {axis = 1 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
  %k = tir.constant dense<0> : tensor<i64> -> tensor<i64>
  %p0 = tir.subtensor %p[%k] {kinds = array<i64: -1>} : (tensor<?x?xf32>, tensor<i64>) -> tensor<?xf32>
  %logp0 = tir.log %p0 : tensor<?xf32> -> tensor<?xf32>
  func.return %logp0 : tensor<?xf32>
}

// The log of the log-likelihood's log(p)[arange(n), y] form is the plain case (the log comes
// first); here the log of a gathered softmax that is also returned: the softmax and the
// gather stay for that user, the log reads a new gather of the log_softmax.
// CHECK-LABEL: func.func @gather_kept
func.func @gather_kept(%x: tensor<?x?xf64>, %i: tensor<?xi64>, %j: tensor<?xi64>) -> (tensor<?xf64>, tensor<?xf64>) {
  // CHECK-NEXT: %p = tir.softmax %x
  // CHECK-NEXT: %py = tir.gather %p[%i, %j]
  // CHECK-NEXT: %[[LSM:.*]] = tir.log_softmax %x {axis = 1 : i64}
  // CHECK-NEXT: %logpy = tir.gather %[[LSM]][%i, %j]
  // CHECK-NEXT: func.return %py, %logpy
  %p = tir.softmax %x {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  %py = tir.gather %p[%i, %j] : (tensor<?x?xf64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xf64>
  %logpy = tir.log %py : tensor<?xf64> -> tensor<?xf64>
  func.return %py, %logpy : tensor<?xf64>, tensor<?xf64>
}

// T.log(T.nnet.softmax(xf).astype("float64").T): the cast and the transpose are applied to
// the float32 log_softmax.
// CHECK-LABEL: func.func @through_cast_and_transpose
func.func @through_cast_and_transpose(%xf: tensor<?x?xf32>) -> tensor<?x?xf64> {
  // CHECK-NEXT: %[[LSM:.*]] = tir.log_softmax %xf {axis = 1 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK-NEXT: %[[C:.*]] = tir.cast %[[LSM]] : tensor<?x?xf32> -> tensor<?x?xf64>
  // CHECK-NEXT: %logpt = tir.dimshuffle %[[C]] {pattern = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: func.return %logpt
  %p = tir.softmax %xf {axis = 1 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
  %c = tir.cast %p : tensor<?x?xf32> -> tensor<?x?xf64>
  %pt = tir.dimshuffle %c {pattern = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
  %logpt = tir.log %pt : tensor<?x?xf64> -> tensor<?x?xf64>
  func.return %logpt : tensor<?x?xf64>
}

// Negative: the log of an exp, and the log of a softmax seen through another op (here a
// product), are not log-softmaxes; nothing changes.
// CHECK-LABEL: func.func @untouched
func.func @untouched(%x: tensor<?x?xf64>, %w: tensor<?x?xf64>) -> (tensor<?x?xf64>, tensor<?x?xf64>) {
  // CHECK-NEXT: %e = tir.exp %x
  // CHECK-NEXT: %loge = tir.log %e
  // CHECK-NEXT: %p = tir.softmax %x {axis = 1 : i64}
  // CHECK-NEXT: %q = tir.mul %p, %w
  // CHECK-NEXT: %logq = tir.log %q
  // CHECK-NOT:  tir.log_softmax
  %e = tir.exp %x : tensor<?x?xf64> -> tensor<?x?xf64>
  %loge = tir.log %e : tensor<?x?xf64> -> tensor<?x?xf64>
  %p = tir.softmax %x {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  %q = tir.mul %p, %w : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %logq = tir.log %q : tensor<?x?xf64> -> tensor<?x?xf64>
  func.return %loge, %logq : tensor<?x?xf64>, tensor<?x?xf64>
}
