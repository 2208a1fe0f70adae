// RUN: tensorir-opt %s -p tir-autodiff | filecheck %s
// Gradient rules of the indexing and classifier ops. Each cost is sum(op(...) * w), so the
// op's output adjoint is gz = second(p, 1) * w (%[[GZ]] below).
// - subtensor: gz added into zeros of the input's shape (tir.inc_subtensor, same bounds);
// - inc_subtensor: the input gets gz (set_subtensor: with the part set to 0), the value
//   gets the part of gz (tir.subtensor), summed over the value's broadcast dims;
// - gather: gz scatter-added into zeros (repeated indices accumulate); scatter_add: the
//   input gets gz, the value gets gz gathered at the same indices;
// - concatenate: each input gets its slice of gz along the axis, from offset to
//   offset + its size (tir.size);
// - softmax: gz * sm - sum(gz * sm, axis) * sm; log_softmax: gz - exp(lsm) * sum(gz, axis).

// x[i]: the row's adjoint goes into row i of zeros like x.
// CHECK-LABEL: func.func @subtensor
func.func @subtensor(%x: tensor<?x?xf64>, %i: tensor<i64>, %w: tensor<?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %[[SEED:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %[[GZ:.*]] = tir.mul %[[SEED]], %w : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  // CHECK-NEXT: %[[ZERO:.*]] = tir.constant dense<0.000000e+00> : tensor<f64> -> tensor<f64>
  // CHECK-NEXT: %[[Z11:.*]] = tir.dimshuffle %[[ZERO]] {pattern = array<i64: -1, -1>} : tensor<f64> -> tensor<1x1xf64>
  // CHECK-NEXT: %[[ZEROS:.*]] = tir.second %x, %[[Z11]] : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %gx = tir.inc_subtensor %[[ZEROS]][%i], %[[GZ]] {kinds = array<i64: -1>, set = false} : (tensor<?x?xf64>, tensor<?xf64>, tensor<i64>) -> tensor<?x?xf64>
  // CHECK-NEXT: func.return %gx
  %row = tir.subtensor %x[%i] {kinds = array<i64: -1>} : (tensor<?x?xf64>, tensor<i64>) -> tensor<?xf64>
  %p = tir.mul %row, %w : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %cost = tir.sum %p {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gx = tir.grad %cost : tensor<f64> wrt(%x : tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %gx : tensor<?x?xf64>
}

// inc_subtensor(x[lo:], v): x's adjoint is gz itself, v's is gz[lo:].
// CHECK-LABEL: func.func @inc_subtensor
func.func @inc_subtensor(%x: tensor<?xf64>, %lo: tensor<i64>, %v: tensor<?xf64>, %w: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  // CHECK:      %[[SEED:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %gx = tir.mul %[[SEED]], %w : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  // CHECK-NEXT: %gv = tir.subtensor %gx[%lo] {kinds = array<i64: 1>} : (tensor<?xf64>, tensor<i64>) -> tensor<?xf64>
  // CHECK-NEXT: func.return %gx, %gv
  %y = tir.inc_subtensor %x[%lo], %v {kinds = array<i64: 1>, set = false} : (tensor<?xf64>, tensor<?xf64>, tensor<i64>) -> tensor<?xf64>
  %p = tir.mul %y, %w : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %cost = tir.sum %p {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gx, %gv = tir.grad %cost : tensor<f64> wrt(%x, %v : tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>, tensor<?xf64>
  func.return %gx, %gv : tensor<?xf64>, tensor<?xf64>
}

// set_subtensor(x[lo:], v): the overwritten part of x gets no adjoint (set to 0 in gz).
// CHECK-LABEL: func.func @set_subtensor
func.func @set_subtensor(%x: tensor<?xf64>, %lo: tensor<i64>, %v: tensor<?xf64>, %w: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  // CHECK:      %[[SEED:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %[[GZ:.*]] = tir.mul %[[SEED]], %w : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  // CHECK-NEXT: %gv = tir.subtensor %[[GZ]][%lo] {kinds = array<i64: 1>} : (tensor<?xf64>, tensor<i64>) -> tensor<?xf64>
  // CHECK-NEXT: %[[ZERO:.*]] = tir.constant dense<0.000000e+00> : tensor<f64> -> tensor<f64>
  // CHECK-NEXT: %[[Z1:.*]] = tir.dimshuffle %[[ZERO]] {pattern = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
  // CHECK-NEXT: %gx = tir.inc_subtensor %[[GZ]][%lo], %[[Z1]] {kinds = array<i64: 1>, set = true} : (tensor<?xf64>, tensor<1xf64>, tensor<i64>) -> tensor<?xf64>
  // CHECK-NEXT: func.return %gx, %gv
  %y = tir.inc_subtensor %x[%lo], %v {kinds = array<i64: 1>, set = true} : (tensor<?xf64>, tensor<?xf64>, tensor<i64>) -> tensor<?xf64>
  %p = tir.mul %y, %w : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %cost = tir.sum %p {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gx, %gv = tir.grad %cost : tensor<f64> wrt(%x, %v : tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>, tensor<?xf64>
  func.return %gx, %gv : tensor<?xf64>, tensor<?xf64>
}

// A row v broadcast into x[lo:]: its adjoint is the part of gz summed over the rows, then
// given back its size-1 dim.
// CHECK-LABEL: func.func @inc_subtensor_row
func.func @inc_subtensor_row(%x: tensor<?x?xf64>, %lo: tensor<i64>, %v: tensor<1x?xf64>, %w: tensor<?x?xf64>) -> tensor<1x?xf64> {
  // CHECK:      %[[SEED:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %[[GZ:.*]] = tir.mul %[[SEED]], %w : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %[[PART:.*]] = tir.subtensor %[[GZ]][%lo] {kinds = array<i64: 1>} : (tensor<?x?xf64>, tensor<i64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %[[COLS:.*]] = tir.sum %[[PART]] {axes = array<i64: 0>} : tensor<?x?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %gv = tir.dimshuffle %[[COLS]] {pattern = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
  %y = tir.inc_subtensor %x[%lo], %v {kinds = array<i64: 1>, set = false} : (tensor<?x?xf64>, tensor<1x?xf64>, tensor<i64>) -> tensor<?x?xf64>
  %p = tir.mul %y, %w : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %cost = tir.sum %p {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  %gv = tir.grad %cost : tensor<f64> wrt(%v : tensor<1x?xf64>) -> tensor<1x?xf64>
  func.return %gv : tensor<1x?xf64>
}

// x[rows, cols]: gz scatter-added into zeros like x at the same indices.
// CHECK-LABEL: func.func @gather
func.func @gather(%x: tensor<?x?xf64>, %rows: tensor<?xi64>, %cols: tensor<?xi64>, %w: tensor<?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %[[SEED:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %[[GZ:.*]] = tir.mul %[[SEED]], %w : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  // CHECK:      %[[ZEROS:.*]] = tir.second %x, %{{.*}} : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %gx = tir.scatter_add %[[ZEROS]][%rows, %cols], %[[GZ]] : (tensor<?x?xf64>, tensor<?xf64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?x?xf64>
  // CHECK-NEXT: func.return %gx
  %g = tir.gather %x[%rows, %cols] : (tensor<?x?xf64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xf64>
  %p = tir.mul %g, %w : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %cost = tir.sum %p {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gx = tir.grad %cost : tensor<f64> wrt(%x : tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %gx : tensor<?x?xf64>
}

// inc_subtensor(x[rows], v) (a scatter_add): x gets gz, v gets gz[rows].
// CHECK-LABEL: func.func @scatter_add
func.func @scatter_add(%x: tensor<?x?xf64>, %rows: tensor<?xi64>, %v: tensor<?x?xf64>, %w: tensor<?x?xf64>) -> (tensor<?x?xf64>, tensor<?x?xf64>) {
  // CHECK:      %[[SEED:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %gx = tir.mul %[[SEED]], %w : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %gv = tir.gather %gx[%rows] : (tensor<?x?xf64>, tensor<?xi64>) -> tensor<?x?xf64>
  // CHECK-NEXT: func.return %gx, %gv
  %s = tir.scatter_add %x[%rows], %v : (tensor<?x?xf64>, tensor<?x?xf64>, tensor<?xi64>) -> tensor<?x?xf64>
  %p = tir.mul %s, %w : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %cost = tir.sum %p {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  %gx, %gv = tir.grad %cost : tensor<f64> wrt(%x, %v : tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>, tensor<?x?xf64>
  func.return %gx, %gv : tensor<?x?xf64>, tensor<?x?xf64>
}

// concatenate([a, b], axis=1): a gets gz[:, 0:n_a], b gets gz[:, n_a:n_a + n_b] (kinds: a
// full slice of dim 0, then start and stop on dim 1).
// CHECK-LABEL: func.func @concatenate
func.func @concatenate(%a: tensor<?x?xf64>, %b: tensor<?x?xf64>, %w: tensor<?x?xf64>) -> (tensor<?x?xf64>, tensor<?x?xf64>) {
  // CHECK:      %[[SEED:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %[[GZ:.*]] = tir.mul %[[SEED]], %w : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %[[ZERO:.*]] = tir.constant dense<0> : tensor<i64> -> tensor<i64>
  // CHECK-NEXT: %[[NA:.*]] = tir.size %a {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<i64>
  // CHECK-NEXT: %[[END_A:.*]] = tir.add %[[ZERO]], %[[NA]] : (tensor<i64>, tensor<i64>) -> tensor<i64>
  // CHECK-NEXT: %ga = tir.subtensor %[[GZ]][%[[ZERO]], %[[END_A]]] {kinds = array<i64: 0, 3>} : (tensor<?x?xf64>, tensor<i64>, tensor<i64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %[[NB:.*]] = tir.size %b {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<i64>
  // CHECK-NEXT: %[[END_B:.*]] = tir.add %[[END_A]], %[[NB]] : (tensor<i64>, tensor<i64>) -> tensor<i64>
  // CHECK-NEXT: %gb = tir.subtensor %[[GZ]][%[[END_A]], %[[END_B]]] {kinds = array<i64: 0, 3>} : (tensor<?x?xf64>, tensor<i64>, tensor<i64>) -> tensor<?x?xf64>
  // CHECK-NEXT: func.return %ga, %gb
  %ab = tir.concatenate %a, %b {axis = 1 : i64} : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %p = tir.mul %ab, %w : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %cost = tir.sum %p {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  %ga, %gb = tir.grad %cost : tensor<f64> wrt(%a, %b : tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>, tensor<?x?xf64>
  func.return %ga, %gb : tensor<?x?xf64>, tensor<?x?xf64>
}

// A row concatenated under a matrix: its slice of gz has a dynamic first dim, reshaped to the
// row's type.
// CHECK-LABEL: func.func @concatenate_row
func.func @concatenate_row(%a: tensor<?x?xf64>, %r: tensor<1x?xf64>, %w: tensor<?x?xf64>) -> tensor<1x?xf64> {
  // CHECK:      %[[SEED:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %[[GZ:.*]] = tir.mul %[[SEED]], %w
  // CHECK:      %[[PART:.*]] = tir.subtensor %[[GZ]][%{{.*}}, %{{.*}}] {kinds = array<i64: 3>} : (tensor<?x?xf64>, tensor<i64>, tensor<i64>) -> tensor<?x?xf64>
  // CHECK:      %gr = tir.reshape %[[PART]](%{{.*}}, %{{.*}}) : (tensor<?x?xf64>, index, index) -> tensor<1x?xf64>
  %ar = tir.concatenate %a, %r {axis = 0 : i64} : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  %p = tir.mul %ar, %w : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %cost = tir.sum %p {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  %gr = tir.grad %cost : tensor<f64> wrt(%r : tensor<1x?xf64>) -> tensor<1x?xf64>
  func.return %gr : tensor<1x?xf64>
}

// softmax along the rows: Theano's SoftmaxGrad, reading the forward softmax %sm.
// CHECK-LABEL: func.func @softmax
func.func @softmax(%x: tensor<?x?xf64>, %w: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %[[SEED:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %[[GZ:.*]] = tir.mul %[[SEED]], %w : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %[[GSM:.*]] = tir.mul %[[GZ]], %sm : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %[[S:.*]] = tir.sum %[[GSM]] {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %[[SCOL:.*]] = tir.dimshuffle %[[S]] {pattern = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  // CHECK-NEXT: %[[T:.*]] = tir.mul %[[SCOL]], %sm : (tensor<?x1xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %gx = tir.sub %[[GSM]], %[[T]] : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: func.return %gx
  %sm = tir.softmax %x {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  %p = tir.mul %sm, %w : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %cost = tir.sum %p {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  %gx = tir.grad %cost : tensor<f64> wrt(%x : tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %gx : tensor<?x?xf64>
}

// log_softmax along axis 0 of a float32 matrix: the sum of gz is per column, exp(lsm) is
// the softmax.
// CHECK-LABEL: func.func @log_softmax
func.func @log_softmax(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>) -> tensor<?x?xf32> {
  // CHECK:      %[[SEED:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %[[GZ:.*]] = tir.mul %[[SEED]], %w : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  // CHECK-NEXT: %[[SM:.*]] = tir.exp %lsm : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK-NEXT: %[[S:.*]] = tir.sum %[[GZ]] {axes = array<i64: 0>} : tensor<?x?xf32> -> tensor<?xf32>
  // CHECK-NEXT: %[[SROW:.*]] = tir.dimshuffle %[[S]] {pattern = array<i64: -1, 0>} : tensor<?xf32> -> tensor<1x?xf32>
  // CHECK-NEXT: %[[T:.*]] = tir.mul %[[SM]], %[[SROW]] : (tensor<?x?xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  // CHECK-NEXT: %gx = tir.sub %[[GZ]], %[[T]] : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  // CHECK-NEXT: func.return %gx
  %lsm = tir.log_softmax %x {axis = 0 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
  %p = tir.mul %lsm, %w : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %cost = tir.sum %p {axes = array<i64: 0, 1>} : tensor<?x?xf32> -> tensor<f32>
  %gx = tir.grad %cost : tensor<f32> wrt(%x : tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %gx : tensor<?x?xf32>
}
