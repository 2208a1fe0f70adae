// RUN: not tensorir-opt %s -p tir-parallel-loops 2>&1 | filecheck %s
// The pass reads loops: on tensors it names the pipeline to run first.

// CHECK: tensorir-opt: tir-parallel-loops reads IR at the loops level, but this IR is at the adjoint level (it has tir.add): run tir-lower-to-loops first
func.func @add(%x: tensor<?xf64>, %y: tensor<?xf64>) -> tensor<?xf64> {
  %z = tir.add %x, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %z : tensor<?xf64>
}
