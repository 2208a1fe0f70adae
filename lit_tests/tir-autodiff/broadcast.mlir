// RUN: tensorir-opt %s -p tir-autodiff | filecheck %s
// An operand broadcast along a size-1 dim (a row, a column, a scalar made 1x1) gets gz summed
// over that dim (tir.sum) and the dim inserted back (tir.dimshuffle with -1), so its adjoint
// has exactly its type. An operand that was not broadcast gets gz as it is.

// CHECK-LABEL: func.func @add_row
func.func @add_row(%m: tensor<?x?xf64>, %row: tensor<1x?xf64>) -> (tensor<?x?xf64>, tensor<1x?xf64>) {
  // CHECK:      %gm = tir.second %s, %{{.*}} : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %[[COLSUMS:.*]] = tir.sum %gm {axes = array<i64: 0>} : tensor<?x?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %grow = tir.dimshuffle %[[COLSUMS]] {pattern = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
  // CHECK-NEXT: func.return %gm, %grow
  %s = tir.add %m, %row : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  %cost = tir.sum %s {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  %gm, %grow = tir.grad %cost : tensor<f64> wrt(%m, %row : tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>, tensor<1x?xf64>
  func.return %gm, %grow : tensor<?x?xf64>, tensor<1x?xf64>
}

// The outer product of a column and a row: each is broadcast along the other's dim, so the
// column's adjoint is summed over dim 1 and the row's over dim 0.
// CHECK-LABEL: func.func @mul_col_row
func.func @mul_col_row(%col: tensor<?x1xf64>, %row: tensor<1x?xf64>) -> (tensor<?x1xf64>, tensor<1x?xf64>) {
  // CHECK:      %[[GZ:.*]] = tir.second %outer, %{{.*}}
  // CHECK-NEXT: %[[GZROW:.*]] = tir.mul %[[GZ]], %row : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %[[S1:.*]] = tir.sum %[[GZROW]] {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %gcol = tir.dimshuffle %[[S1]] {pattern = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  // CHECK-NEXT: %[[GZCOL:.*]] = tir.mul %[[GZ]], %col : (tensor<?x?xf64>, tensor<?x1xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %[[S0:.*]] = tir.sum %[[GZCOL]] {axes = array<i64: 0>} : tensor<?x?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %grow = tir.dimshuffle %[[S0]] {pattern = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
  %outer = tir.mul %col, %row : (tensor<?x1xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  %cost = tir.sum %outer {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  %gcol, %grow = tir.grad %cost : tensor<f64> wrt(%col, %row : tensor<?x1xf64>, tensor<1x?xf64>) -> tensor<?x1xf64>, tensor<1x?xf64>
  func.return %gcol, %grow : tensor<?x1xf64>, tensor<1x?xf64>
}

// A scalar times a matrix (the frontend's rank alignment: dimshuffle to 1x1): the 1x1 adjoint
// sums over both dims, and the dimshuffle's own rule drops the two size-1 dims again.
// CHECK-LABEL: func.func @scalar_times_matrix
func.func @scalar_times_matrix(%s: tensor<f64>, %m: tensor<?x?xf64>) -> tensor<f64> {
  // CHECK:      %[[GZ:.*]] = tir.second %p, %{{.*}}
  // CHECK-NEXT: %[[GZM:.*]] = tir.mul %[[GZ]], %m
  // CHECK-NEXT: %[[TOTAL:.*]] = tir.sum %[[GZM]] {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  // CHECK-NEXT: %[[G11:.*]] = tir.dimshuffle %[[TOTAL]] {pattern = array<i64: -1, -1>} : tensor<f64> -> tensor<1x1xf64>
  // CHECK-NEXT: %gs = tir.dimshuffle %[[G11]] {pattern = array<i64>} : tensor<1x1xf64> -> tensor<f64>
  // CHECK-NEXT: func.return %gs
  %s2 = tir.dimshuffle %s {pattern = array<i64: -1, -1>} : tensor<f64> -> tensor<1x1xf64>
  %p = tir.mul %s2, %m : (tensor<1x1xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %cost = tir.sum %p {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  %gs = tir.grad %cost : tensor<f64> wrt(%s : tensor<f64>) -> tensor<f64>
  func.return %gs : tensor<f64>
}

// sub's rhs of static size 1 against a dynamic dim: -gz summed, re-expanded.
// CHECK-LABEL: func.func @sub_size_one
func.func @sub_size_one(%a: tensor<?xf64>, %b: tensor<1xf64>) -> tensor<1xf64> {
  // CHECK:      %[[NEG:.*]] = tir.neg %{{.*}} : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %[[S:.*]] = tir.sum %[[NEG]] {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  // CHECK-NEXT: %gb = tir.dimshuffle %[[S]] {pattern = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
  %d = tir.sub %a, %b : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %cost = tir.sum %d {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gb = tir.grad %cost : tensor<f64> wrt(%b : tensor<1xf64>) -> tensor<1xf64>
  func.return %gb : tensor<1xf64>
}

// Both operands of size 1: nothing was broadcast, nothing is summed.
// CHECK-LABEL: func.func @both_size_one
func.func @both_size_one(%a: tensor<1xf64>, %b: tensor<1xf64>) -> tensor<1xf64> {
  // CHECK:      %gb = tir.mul %{{.*}}, %a : (tensor<1xf64>, tensor<1xf64>) -> tensor<1xf64>
  // CHECK-NEXT: func.return %gb
  %d = tir.mul %a, %b : (tensor<1xf64>, tensor<1xf64>) -> tensor<1xf64>
  %cost = tir.sum %d {axes = array<i64: 0>} : tensor<1xf64> -> tensor<f64>
  %gb = tir.grad %cost : tensor<f64> wrt(%b : tensor<1xf64>) -> tensor<1xf64>
  func.return %gb : tensor<1xf64>
}

// switch broadcasts its three operands: a scalar-like branch (1x1) against a matrix
// condition gets its routed adjoint summed over both dims.
// CHECK-LABEL: func.func @switch_scalar_branch
func.func @switch_scalar_branch(%c: tensor<?x?xi1>, %x: tensor<?x?xf64>, %y: tensor<1x1xf64>) -> tensor<1x1xf64> {
  // CHECK:      %[[ROUTED:.*]] = tir.switch %c, %{{.*}}, %[[GZ:.*]] : (tensor<?x?xi1>, tensor<1x1xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %[[S:.*]] = tir.sum %[[ROUTED]] {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  // CHECK-NEXT: %gy = tir.dimshuffle %[[S]] {pattern = array<i64: -1, -1>} : tensor<f64> -> tensor<1x1xf64>
  %s = tir.switch %c, %x, %y : (tensor<?x?xi1>, tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xf64>
  %cost = tir.sum %s {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  %gy = tir.grad %cost : tensor<f64> wrt(%y : tensor<1x1xf64>) -> tensor<1x1xf64>
  func.return %gy : tensor<1x1xf64>
}
