// RUN: tensorir-opt %s -p tir-lower-to-loops -t llvm | filecheck %s
// The llvm target prints the LLVM IR the JIT compiles: scalars by value, then the out and
// err blocks; the result is stored into its out slot and 0 returned.

// CHECK: define i64 @"scalar_add"(double %{{.*}}, double %{{.*}}, ptr noalias %{{.*}}, ptr noalias %{{.*}})
// CHECK: fadd double
// CHECK: store double
// CHECK: ret i64 0
func.func @scalar_add(%a: tensor<f64>, %b: tensor<f64>) -> tensor<f64> {
  %c = tir.add %a, %b : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %c : tensor<f64>
}
