// RUN: tensorir-opt %s | filecheck %s
// RUN: tensorir-opt %s | tensorir-opt | filecheck %s
// tir.scan prints and parses back: a sequence read a row per step, a state carried from
// step to step, a constant, the options (reverse, truncate), and the three groups of
// results (final states, their histories, the stacked values).

// CHECK-LABEL: func.func @elman
// CHECK:      %h, %hs, %ys = tir.scan %n seqs(%x : tensor<?x?x3xf64>) init(%h0 : tensor<?x5xf64>) consts(%W : tensor<3x5xf64>) {truncate = 4 : i64} : tensor<i64> -> (tensor<?x5xf64>), (tensor<?x?x5xf64>), (tensor<?x?x5xf64>) {
// CHECK-NEXT: ^{{.*}}(%x_t: tensor<?x3xf64>, %h_prev: tensor<?x5xf64>, %W_: tensor<3x5xf64>):
// CHECK-NEXT:   %xw = tir.dot %x_t, %W_ : (tensor<?x3xf64>, tensor<3x5xf64>) -> tensor<?x5xf64>
// CHECK-NEXT:   %s = tir.add %xw, %h_prev : (tensor<?x5xf64>, tensor<?x5xf64>) -> tensor<?x5xf64>
// CHECK-NEXT:   %h_next = tir.tanh %s : tensor<?x5xf64> -> tensor<?x5xf64>
// CHECK-NEXT:   tir.scan_yield %h_next, %h_next : tensor<?x5xf64>, tensor<?x5xf64>
// CHECK-NEXT: }
func.func @elman(%n: tensor<i64>, %x: tensor<?x?x3xf64>, %h0: tensor<?x5xf64>, %W: tensor<3x5xf64>) -> tensor<?x?x5xf64> {
  %h, %hs, %ys = tir.scan %n seqs(%x : tensor<?x?x3xf64>) init(%h0 : tensor<?x5xf64>) consts(%W : tensor<3x5xf64>) {truncate = 4 : i64} : tensor<i64> -> (tensor<?x5xf64>), (tensor<?x?x5xf64>), (tensor<?x?x5xf64>) {
  ^bb0(%x_t: tensor<?x3xf64>, %h_prev: tensor<?x5xf64>, %W_: tensor<3x5xf64>):
    %xw = tir.dot %x_t, %W_ : (tensor<?x3xf64>, tensor<3x5xf64>) -> tensor<?x5xf64>
    %s = tir.add %xw, %h_prev : (tensor<?x5xf64>, tensor<?x5xf64>) -> tensor<?x5xf64>
    %h_next = tir.tanh %s : tensor<?x5xf64> -> tensor<?x5xf64>
    tir.scan_yield %h_next, %h_next : tensor<?x5xf64>, tensor<?x5xf64>
  }
  func.return %ys : tensor<?x?x5xf64>
}

// A map (no state) read from the last row to the first.
// CHECK-LABEL: func.func @reversed_map
// CHECK:      %ys = tir.scan %n seqs(%x : tensor<?xf32>) {reverse} : tensor<i64> -> (), (), (tensor<?xf32>) {
// CHECK-NEXT: ^{{.*}}(%x_t: tensor<f32>):
// CHECK-NEXT:   %y = tir.exp %x_t : tensor<f32> -> tensor<f32>
// CHECK-NEXT:   tir.scan_yield %y : tensor<f32>
func.func @reversed_map(%n: tensor<i64>, %x: tensor<?xf32>) -> tensor<?xf32> {
  %ys = tir.scan %n seqs(%x : tensor<?xf32>) {reverse} : tensor<i64> -> (), (), (tensor<?xf32>) {
  ^bb0(%x_t: tensor<f32>):
    %y = tir.exp %x_t : tensor<f32> -> tensor<f32>
    tir.scan_yield %y : tensor<f32>
  }
  func.return %ys : tensor<?xf32>
}

// until: the body yields a scalar condition last.
// CHECK-LABEL: func.func @doubling
// CHECK:      tir.scan %n init(%one : tensor<f64>) consts(%x : tensor<f64>) {until}
// CHECK:      tir.scan_yield %twice, %twice, %done : tensor<f64>, tensor<f64>, tensor<i1>
func.func @doubling(%n: tensor<i64>, %x: tensor<f64>, %one: tensor<f64>) -> tensor<?xf64> {
  %h, %hs, %ys = tir.scan %n init(%one : tensor<f64>) consts(%x : tensor<f64>) {until} : tensor<i64> -> (tensor<f64>), (tensor<?xf64>), (tensor<?xf64>) {
  ^bb0(%p: tensor<f64>, %max: tensor<f64>):
    %twice = tir.add %p, %p : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %done = tir.gt %twice, %max : (tensor<f64>, tensor<f64>) -> tensor<i1>
    tir.scan_yield %twice, %twice, %done : tensor<f64>, tensor<f64>, tensor<i1>
  }
  func.return %ys : tensor<?xf64>
}
