// RUN: tensorir-opt %s -p tir-autodiff | filecheck %s
// Gradient rules of the shape ops: a dimshuffle's adjoint goes through the inverse
// dimshuffle, a reshape's through a reshape back to the input's dims (read with tensor.dim),
// a float cast's through the cast back; an integer cast stops the adjoint.

// transpose: gz transposed back
// CHECK-LABEL: func.func @transpose
func.func @transpose(%m: tensor<?x?xf64>, %w: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %[[GZ:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %[[GT:.*]] = tir.mul %[[GZ]], %w
  // CHECK-NEXT: %gm = tir.dimshuffle %[[GT]] {pattern = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: func.return %gm
  %t = tir.dimshuffle %m {pattern = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
  %p = tir.mul %t, %w : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %cost = tir.sum %p {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  %gm = tir.grad %cost : tensor<f64> wrt(%m : tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %gm : tensor<?x?xf64>
}

// A dimshuffle that drops the row's size-1 dim 0 and inserts a new one at the end: the
// inverse drops the new dim and re-inserts dim 0.
// CHECK-LABEL: func.func @drop_and_insert
func.func @drop_and_insert(%row: tensor<1x?xf64>, %w: tensor<?x1xf64>) -> tensor<1x?xf64> {
  // CHECK:      %[[GZ:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %[[G:.*]] = tir.mul %[[GZ]], %w : (tensor<?x1xf64>, tensor<?x1xf64>) -> tensor<?x1xf64>
  // CHECK-NEXT: %grow = tir.dimshuffle %[[G]] {pattern = array<i64: -1, 0>} : tensor<?x1xf64> -> tensor<1x?xf64>
  %v = tir.dimshuffle %row {pattern = array<i64: 1, -1>} : tensor<1x?xf64> -> tensor<?x1xf64>
  %p = tir.mul %v, %w : (tensor<?x1xf64>, tensor<?x1xf64>) -> tensor<?x1xf64>
  %cost = tir.sum %p {axes = array<i64: 0, 1>} : tensor<?x1xf64> -> tensor<f64>
  %grow = tir.grad %cost : tensor<f64> wrt(%row : tensor<1x?xf64>) -> tensor<1x?xf64>
  func.return %grow : tensor<1x?xf64>
}

// flatten (a reshape to one dim): gz reshaped to the matrix's dims, read at run time.
// CHECK-LABEL: func.func @reshape
func.func @reshape(%m: tensor<?x?xf64>, %n: index, %w: tensor<?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %[[GZ:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %[[G:.*]] = tir.mul %[[GZ]], %w : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  // CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
  // CHECK-NEXT: %[[D0:.*]] = tensor.dim %m, %[[C0]] : tensor<?x?xf64>
  // CHECK-NEXT: %[[C1:.*]] = arith.constant 1 : index
  // CHECK-NEXT: %[[D1:.*]] = tensor.dim %m, %[[C1]] : tensor<?x?xf64>
  // CHECK-NEXT: %gm = tir.reshape %[[G]](%[[D0]], %[[D1]]) : (tensor<?xf64>, index, index) -> tensor<?x?xf64>
  %flat = tir.reshape %m(%n) : (tensor<?x?xf64>, index) -> tensor<?xf64>
  %p = tir.mul %flat, %w : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %cost = tir.sum %p {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gm = tir.grad %cost : tensor<f64> wrt(%m : tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %gm : tensor<?x?xf64>
}

// A float32 input upcast to float64: the float64 adjoint is cast back to float32.
// CHECK-LABEL: func.func @cast_f32
func.func @cast_f32(%x: tensor<?xf32>) -> tensor<?xf32> {
  // CHECK:      %[[G64:.*]] = tir.mul %{{.*}}, %e : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  // CHECK-NEXT: %gx = tir.cast %[[G64]] : tensor<?xf64> -> tensor<?xf32>
  // CHECK-NEXT: func.return %gx : tensor<?xf32>
  %x64 = tir.cast %x : tensor<?xf32> -> tensor<?xf64>
  %e = tir.exp %x64 : tensor<?xf64> -> tensor<?xf64>
  %cost = tir.sum %e {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gx = tir.grad %cost : tensor<f64> wrt(%x : tensor<?xf32>) -> tensor<?xf32>
  func.return %gx : tensor<?xf32>
}

// Through an integer cast no adjoint flows: d/dx sum(float(int(x)) * x) is float(int(x)).
// CHECK-LABEL: func.func @cast_int
func.func @cast_int(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      %[[GZ:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %gx = tir.mul %[[GZ]], %back : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  // CHECK-NEXT: func.return %gx
  %i = tir.cast %x : tensor<?xf64> -> tensor<?xi32>
  %back = tir.cast %i : tensor<?xi32> -> tensor<?xf64>
  %p = tir.mul %back, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %cost = tir.sum %p {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gx = tir.grad %cost : tensor<f64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  func.return %gx : tensor<?xf64>
}
