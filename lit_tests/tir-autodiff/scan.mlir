// RUN: tensorir-opt %s -p tir-autodiff,dce | filecheck %s
// The gradient of a tir.scan is a tir.scan over the same steps the other way (reverse): it
// reads what it needs of the forward sequence, the forward state's history (each step's input
// state) and the forward's stacked values; it carries the state's adjoint (from 1, the
// adjoint of the final state here) and the sum of the constant's adjoints (from 0); its step
// is the forward step differentiated (recomputed forward values the adjoint does not need are
// dead, and a sequence it does not read is not passed).

// CHECK-LABEL: func.func @bptt
// CHECK:      %h, %hs, %ys = tir.scan %n seqs(%x : tensor<?xf64>) init(%h0 : tensor<f64>) consts(%w : tensor<f64>)
// CHECK:      %[[ONE:.*]] = tir.constant dense<1.000000e+00> : tensor<f64>
// CHECK:      %[[ZERO:.*]] = tir.second %w, %{{.*}} : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT: %{{.*}}, %gw, %{{.*}}, %{{.*}} = tir.scan %n seqs(%hs : tensor<?xf64>) init(%[[ONE]], %[[ZERO]] : tensor<f64>, tensor<f64>) consts(%w : tensor<f64>) {reverse} : tensor<i64> -> (tensor<f64>, tensor<f64>), (tensor<?xf64>, tensor<?xf64>), () {
// CHECK-NEXT: ^{{.*}}(%h_prev: tensor<f64>, %g_h_prev: tensor<f64>, %g_w_: tensor<f64>, %w_: tensor<f64>):
// CHECK-NEXT:   %[[GH:.*]] = tir.mul %g_h_prev, %w_ : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:   %[[GW:.*]] = tir.mul %g_h_prev, %h_prev : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:   %[[SUM:.*]] = tir.add %g_w_, %[[GW]] : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:   tir.scan_yield %[[GH]], %[[SUM]] : tensor<f64>, tensor<f64>
// CHECK-NEXT: }
// CHECK-NEXT: func.return %gw : tensor<f64>
func.func @bptt(%n: tensor<i64>, %x: tensor<?xf64>, %h0: tensor<f64>, %w: tensor<f64>) -> tensor<f64> {
  %h, %hs, %ys = tir.scan %n seqs(%x : tensor<?xf64>) init(%h0 : tensor<f64>) consts(%w : tensor<f64>) : tensor<i64> -> (tensor<f64>), (tensor<?xf64>), (tensor<?xf64>) {
  ^bb0(%x_t: tensor<f64>, %h_prev: tensor<f64>, %w_: tensor<f64>):
    %s = tir.mul %h_prev, %w_ : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %h_next = tir.add %s, %x_t : (tensor<f64>, tensor<f64>) -> tensor<f64>
    tir.scan_yield %h_next, %h_next : tensor<f64>, tensor<f64>
  }
  %gw = tir.grad %h : tensor<f64> wrt(%w : tensor<f64>) -> tensor<f64>
  func.return %gw : tensor<f64>
}

// truncate = 2: the backward scan covers the last min(n, 2) forward rows (a slice of the
// sequence and of the history), and the sequence's adjoint is those rows' adjoints placed
// in zeros of its shape.
// CHECK-LABEL: func.func @truncated
// CHECK:      %[[T:.*]] = tir.constant dense<2> : tensor<i64>
// CHECK-NEXT: %[[M:.*]] = tir.minimum %n, %[[T]] : (tensor<i64>, tensor<i64>) -> tensor<i64>
// CHECK-NEXT: %[[START:.*]] = tir.sub %n, %[[M]] : (tensor<i64>, tensor<i64>) -> tensor<i64>
// CHECK:      %[[XS:.*]] = tir.subtensor %x[%[[START]], %{{.*}}] {kinds = array<i64: 3>}
// CHECK:      %[[HS:.*]] = tir.subtensor %hs[%[[START]], %{{.*}}] {kinds = array<i64: 3>}
// CHECK:      tir.scan %[[M]] seqs(%[[XS]], %[[HS]] : tensor<?xf64>, tensor<?xf64>) init(%{{.*}} : tensor<f64>) {reverse}
// CHECK:      %gx = tir.inc_subtensor %{{.*}}[%[[START]], %{{.*}}], %{{.*}} {kinds = array<i64: 3>, set = false}
func.func @truncated(%n: tensor<i64>, %x: tensor<?xf64>, %h0: tensor<f64>) -> tensor<?xf64> {
  %h, %hs, %ys = tir.scan %n seqs(%x : tensor<?xf64>) init(%h0 : tensor<f64>) {truncate = 2 : i64} : tensor<i64> -> (tensor<f64>), (tensor<?xf64>), (tensor<?xf64>) {
  ^bb0(%x_t: tensor<f64>, %h_prev: tensor<f64>):
    %h_next = tir.mul %h_prev, %x_t : (tensor<f64>, tensor<f64>) -> tensor<f64>
    tir.scan_yield %h_next, %h_next : tensor<f64>, tensor<f64>
  }
  %gx = tir.grad %h : tensor<f64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  func.return %gx : tensor<?xf64>
}

// tanh's adjoint reads tanh's result: the backward step reads it from the forward's stacked
// values (%ys) instead of recomputing the step.
// CHECK-LABEL: func.func @saved
// CHECK:      tir.scan %n seqs(%ys : tensor<?xf64>) init(%{{.*}} : tensor<f64>) {reverse}
// CHECK-NEXT: ^{{.*}}(%h_next: tensor<f64>, %g_h_prev: tensor<f64>):
// CHECK-NOT:    tir.tanh
// CHECK:        tir.sqr %h_next
func.func @saved(%n: tensor<i64>, %h0: tensor<f64>) -> tensor<f64> {
  %h, %hs, %ys = tir.scan %n init(%h0 : tensor<f64>) : tensor<i64> -> (tensor<f64>), (tensor<?xf64>), (tensor<?xf64>) {
  ^bb0(%h_prev: tensor<f64>):
    %h_next = tir.tanh %h_prev : tensor<f64> -> tensor<f64>
    tir.scan_yield %h_next, %h_next : tensor<f64>, tensor<f64>
  }
  %gh0 = tir.grad %h : tensor<f64> wrt(%h0 : tensor<f64>) -> tensor<f64>
  func.return %gh0 : tensor<f64>
}
