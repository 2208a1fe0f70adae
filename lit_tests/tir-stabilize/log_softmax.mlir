// RUN: tensorir-opt %s -p tir-stabilize | filecheck %s
// log(softmax(x)) becomes log_softmax(x) along the same axis (finite where softmax
// underflows to 0); the log's name and location move to the new op. A softmax that has
// other users stays for them; a log of anything else is left alone.

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
