// RUN: tensorir-opt %s -p tir-lower-to-loops -t llvm | filecheck %s
// arith.remf (fmod, the base of float // and %) becomes LLVM's frem.

// CHECK: define i64 @"float_mod"(double %{{.*}}, double %{{.*}}, ptr noalias %{{.*}}, ptr noalias %{{.*}})
// CHECK: frem double
// CHECK: call double @"llvm.copysign.f64"
// CHECK: ret i64 0
func.func @float_mod(%a: tensor<f64>, %b: tensor<f64>) -> tensor<f64> {
  %c = tir.mod %a, %b : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %c : tensor<f64>
}
