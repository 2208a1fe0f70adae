// RUN: not tensorir-opt %s -t llvm 2>&1 | filecheck %s
// The llvm target takes a module at the loops level; tensors before lowering are a one-line
// error saying which pipeline to run, not a traceback.

// CHECK: tensorir-opt: llvm emitter: unsupported type tensor<f64> (the llvm target takes a module at the loops level: run -p tir-lower-to-loops first)
// CHECK-NOT: Traceback
func.func @add(%a: tensor<f64>, %b: tensor<f64>) -> tensor<f64> {
  %c = tir.add %a, %b : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %c : tensor<f64>
}
