// RUN: not tensorir-opt %s -p tir-bufferize 2>&1 | filecheck %s --check-prefix=BUFFERIZE
// RUN: not tensorir-opt %s -p tir-fuse 2>&1 | filecheck %s --check-prefix=FUSE
// RUN: not tensorir-opt %s -p tir-to-linalg 2>&1 | filecheck %s --check-prefix=LINALG
// RUN: tensorir-opt %s -p tir-autodiff,tir-to-linalg,tir-fuse,tir-bufferize | filecheck %s
// A pass given IR of a level it does not read says, in one line, what to run first.

// BUFFERIZE-NOT:  Traceback
// BUFFERIZE:      tensorir-opt: tir-bufferize reads IR at the linalg or fused level, but this IR is at the tir level (it has tir.grad): run tir-lower-to-linalg first
// FUSE:           tensorir-opt: tir-fuse reads IR at the linalg or fused level, but this IR is at the tir level (it has tir.grad): run tir-lower-to-linalg first
// LINALG:         tensorir-opt: tir-to-linalg reads IR at the adjoint level, but this IR is at the tir level (it has tir.grad): run tir-autodiff first
// In order, the same passes run.
// CHECK:          memref.alloc

func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {
  %0 = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %1 = tir.sum %0 {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %2 = tir.grad %1 : tensor<f64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  func.return %2 : tensor<?xf64>
}
