// RUN: tensorir-opt %s -p tir-sink-branches | filecheck %s
// What stays before the tir.if: an op both regions read, an op read after the tir.if, an
// op read by another tir.if too, and ops with effects (a tir.check). %only, read by the
// second tir.if alone, moves into it past the first.

// CHECK-LABEL: func.func @stays
func.func @stays(%c: tensor<i1>, %d: tensor<i1>, %x: tensor<?xf64>, %ok: i1) -> (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>) {
  // CHECK-NEXT: %both = tir.exp %x
  // CHECK-NEXT: %after = tir.tanh %x
  // CHECK-NEXT: %shared = tir.sqrt %x
  // CHECK-NEXT: tir.check %ok
  // CHECK-NEXT: %r = tir.if %c : tensor<i1> -> (tensor<?xf64>) {
  // CHECK-NEXT:   %s = tir.add %both, %after
  // CHECK-NEXT:   tir.yield %s : tensor<?xf64>
  // CHECK-NEXT: } else {
  // CHECK-NEXT:   %t = tir.mul %both, %shared
  // CHECK-NEXT:   tir.yield %t : tensor<?xf64>
  // CHECK-NEXT: }
  // CHECK-NEXT: %q = tir.if %d : tensor<i1> -> (tensor<?xf64>) {
  // CHECK-NEXT:   tir.yield %shared : tensor<?xf64>
  // CHECK-NEXT: } else {
  // CHECK-NEXT:   %only = tir.neg %x
  // CHECK-NEXT:   tir.yield %only : tensor<?xf64>
  // CHECK-NEXT: }
  %both = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %after = tir.tanh %x : tensor<?xf64> -> tensor<?xf64>
  %shared = tir.sqrt %x : tensor<?xf64> -> tensor<?xf64>
  %s = tir.add %both, %after : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %t = tir.mul %both, %shared : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  tir.check %ok, "ValueError", "not ok"
  %only = tir.neg %x : tensor<?xf64> -> tensor<?xf64>
  %r = tir.if %c : tensor<i1> -> (tensor<?xf64>) {
    tir.yield %s : tensor<?xf64>
  } else {
    tir.yield %t : tensor<?xf64>
  }
  %q = tir.if %d : tensor<i1> -> (tensor<?xf64>) {
    tir.yield %shared : tensor<?xf64>
  } else {
    tir.yield %only : tensor<?xf64>
  }
  func.return %r, %after, %q : tensor<?xf64>, tensor<?xf64>, tensor<?xf64>
}
