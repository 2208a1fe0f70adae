// RUN: tensorir-opt %s -p tir-sink-branches | filecheck %s
// The ops only one region of a tir.if reads move into that region, in order, with the ops
// only they read: the branch not taken computes nothing.

// CHECK-LABEL: func.func @chains
func.func @chains(%c: tensor<i1>, %m: tensor<?x?xf64>, %x: tensor<?xf64>) -> tensor<f64> {
  // CHECK-NEXT: %r = tir.if %c : tensor<i1> -> (tensor<f64>) {
  // CHECK-NEXT:   %p = tir.dot %m, %m : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT:   %e = tir.exp %p : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT:   %s = tir.sum %e {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  // CHECK-NEXT:   tir.yield %s : tensor<f64>
  // CHECK-NEXT: } else {
  // CHECK-NEXT:   %t = tir.sum %x {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  // CHECK-NEXT:   tir.yield %t : tensor<f64>
  // CHECK-NEXT: }
  // CHECK-NEXT: func.return %r : tensor<f64>
  %p = tir.dot %m, %m : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %t = tir.sum %x {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %e = tir.exp %p : tensor<?x?xf64> -> tensor<?x?xf64>
  %s = tir.sum %e {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  %r = tir.if %c : tensor<i1> -> (tensor<f64>) {
    tir.yield %s : tensor<f64>
  } else {
    tir.yield %t : tensor<f64>
  }
  func.return %r : tensor<f64>
}

// An inner tir.if read only by the outer one's then region moves there, and its own
// operands then move into its regions.
// CHECK-LABEL: func.func @nested
func.func @nested(%a: tensor<i1>, %b: tensor<i1>, %x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK-NEXT: %r = tir.if %a : tensor<i1> -> (tensor<?xf64>) {
  // CHECK-NEXT:   %i = tir.if %b : tensor<i1> -> (tensor<?xf64>) {
  // CHECK-NEXT:     %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT:     tir.yield %e : tensor<?xf64>
  // CHECK-NEXT:   } else {
  // CHECK-NEXT:     %n = tir.neg %x : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT:     tir.yield %n : tensor<?xf64>
  // CHECK-NEXT:   }
  // CHECK-NEXT:   tir.yield %i : tensor<?xf64>
  // CHECK-NEXT: } else {
  // CHECK-NEXT:   tir.yield %x : tensor<?xf64>
  // CHECK-NEXT: }
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %n = tir.neg %x : tensor<?xf64> -> tensor<?xf64>
  %i = tir.if %b : tensor<i1> -> (tensor<?xf64>) {
    tir.yield %e : tensor<?xf64>
  } else {
    tir.yield %n : tensor<?xf64>
  }
  %r = tir.if %a : tensor<i1> -> (tensor<?xf64>) {
    tir.yield %i : tensor<?xf64>
  } else {
    tir.yield %x : tensor<?xf64>
  }
  func.return %r : tensor<?xf64>
}
