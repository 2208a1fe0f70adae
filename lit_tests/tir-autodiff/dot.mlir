// RUN: tensorir-opt %s -p tir-autodiff | filecheck %s
// Gradient rules of tir.dot, Theano's for each rank combination (transposes are
// tir.dimshuffle [1, 0]; outer products are a column times a row).

// matrix . matrix: dot(gz, B^T) and dot(A^T, gz)
// CHECK-LABEL: func.func @matmat
func.func @matmat(%a: tensor<?x?xf64>, %b: tensor<?x?xf64>) -> (tensor<?x?xf64>, tensor<?x?xf64>) {
  // CHECK:      %[[GZ:.*]] = tir.second %c, %{{.*}} : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %[[BT:.*]] = tir.dimshuffle %b {pattern = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: %ga = tir.dot %[[GZ]], %[[BT]] : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %[[AT:.*]] = tir.dimshuffle %a {pattern = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: %gb = tir.dot %[[AT]], %[[GZ]] : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %c = tir.dot %a, %b : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %cost = tir.sum %c {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  %ga, %gb = tir.grad %cost : tensor<f64> wrt(%a, %b : tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>, tensor<?x?xf64>
  func.return %ga, %gb : tensor<?x?xf64>, tensor<?x?xf64>
}

// matrix . vector: outer(gz, x) and dot(A^T, gz)
// CHECK-LABEL: func.func @matvec
func.func @matvec(%a: tensor<?x?xf64>, %x: tensor<?xf64>) -> (tensor<?x?xf64>, tensor<?xf64>) {
  // CHECK:      %[[GZ:.*]] = tir.second %y, %{{.*}} : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  // CHECK-NEXT: %[[GZCOL:.*]] = tir.dimshuffle %[[GZ]] {pattern = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  // CHECK-NEXT: %[[XROW:.*]] = tir.dimshuffle %x {pattern = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
  // CHECK-NEXT: %ga = tir.mul %[[GZCOL]], %[[XROW]] : (tensor<?x1xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %[[AT:.*]] = tir.dimshuffle %a {pattern = array<i64: 1, 0>}
  // CHECK-NEXT: %gx = tir.dot %[[AT]], %[[GZ]] : (tensor<?x?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %y = tir.dot %a, %x : (tensor<?x?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %cost = tir.sum %y {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %ga, %gx = tir.grad %cost : tensor<f64> wrt(%a, %x : tensor<?x?xf64>, tensor<?xf64>) -> tensor<?x?xf64>, tensor<?xf64>
  func.return %ga, %gx : tensor<?x?xf64>, tensor<?xf64>
}

// vector . matrix (float32): dot(B, gz) and outer(x, gz)
// CHECK-LABEL: func.func @vecmat
func.func @vecmat(%x: tensor<?xf32>, %b: tensor<?x?xf32>) -> (tensor<?xf32>, tensor<?x?xf32>) {
  // CHECK:      %[[GZ:.*]] = tir.second %y, %{{.*}} : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>
  // CHECK-NEXT: %gx = tir.dot %b, %[[GZ]] : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?xf32>
  // CHECK-NEXT: %[[XCOL:.*]] = tir.dimshuffle %x {pattern = array<i64: 0, -1>} : tensor<?xf32> -> tensor<?x1xf32>
  // CHECK-NEXT: %[[GZROW:.*]] = tir.dimshuffle %[[GZ]] {pattern = array<i64: -1, 0>} : tensor<?xf32> -> tensor<1x?xf32>
  // CHECK-NEXT: %gb = tir.mul %[[XCOL]], %[[GZROW]] : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  %y = tir.dot %x, %b : (tensor<?xf32>, tensor<?x?xf32>) -> tensor<?xf32>
  %cost = tir.sum %y {axes = array<i64: 0>} : tensor<?xf32> -> tensor<f32>
  %gx, %gb = tir.grad %cost : tensor<f32> wrt(%x, %b : tensor<?xf32>, tensor<?x?xf32>) -> tensor<?xf32>, tensor<?x?xf32>
  func.return %gx, %gb : tensor<?xf32>, tensor<?x?xf32>
}

// vector . vector (a scalar): gz * v and gz * u, gz broadcast as a size-1 vector
// CHECK-LABEL: func.func @vecvec
func.func @vecvec(%u: tensor<?xf64>, %v: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  // CHECK:      %[[GZ:.*]] = tir.constant dense<1.000000e+00> : tensor<f64>
  // CHECK-NEXT: %[[GZ1:.*]] = tir.dimshuffle %[[GZ]] {pattern = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
  // CHECK-NEXT: %gu = tir.mul %[[GZ1]], %v : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  // CHECK-NEXT: %[[GZ2:.*]] = tir.dimshuffle %[[GZ]] {pattern = array<i64: -1>}
  // CHECK-NEXT: %gv = tir.mul %[[GZ2]], %u : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %d = tir.dot %u, %v : (tensor<?xf64>, tensor<?xf64>) -> tensor<f64>
  %gu, %gv = tir.grad %d : tensor<f64> wrt(%u, %v : tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>, tensor<?xf64>
  func.return %gu, %gv : tensor<?xf64>, tensor<?xf64>
}

// A 1xK row times a matrix: the adjoint keeps the row's static size-1 dim.
// CHECK-LABEL: func.func @row_matrix
func.func @row_matrix(%r: tensor<1x?xf64>, %b: tensor<?x?xf64>) -> tensor<1x?xf64> {
  // CHECK:      %[[BT:.*]] = tir.dimshuffle %b {pattern = array<i64: 1, 0>}
  // CHECK-NEXT: %gr = tir.dot %{{.*}}, %[[BT]] : (tensor<1x?xf64>, tensor<?x?xf64>) -> tensor<1x?xf64>
  %y = tir.dot %r, %b : (tensor<1x?xf64>, tensor<?x?xf64>) -> tensor<1x?xf64>
  %cost = tir.sum %y {axes = array<i64: 0, 1>} : tensor<1x?xf64> -> tensor<f64>
  %gr = tir.grad %cost : tensor<f64> wrt(%r : tensor<1x?xf64>) -> tensor<1x?xf64>
  func.return %gr : tensor<1x?xf64>
}
