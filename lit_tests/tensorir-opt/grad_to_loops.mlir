// RUN: tensorir-opt %s -p tir-lower-to-loops | filecheck %s
// A dump at the tir level, tir.grad included, goes through every pass to the loops level.

// CHECK:      func.func @fn_1(%x: memref<?xf64>) -> memref<?xf64>
// CHECK:        scf.for
// CHECK-NOT:  tir.grad

func.func @fn_1(%x: tensor<?xf64>) -> tensor<?xf64> {
  %0 = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %1 = tir.sum %0 {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %2 = tir.grad %1 : tensor<f64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  func.return %2 : tensor<?xf64>
}
