// RUN: not tensorir-opt %s -p tir-sink-branches 2>&1 | filecheck %s
// tir-sink-branches runs after tir-autodiff, which differentiates the regions as the frontend
// made them.

// CHECK: tir-sink-branches reads IR at the adjoint level, but this IR is at the tir level (it has tir.grad): run tir-autodiff first
func.func @f(%c: tensor<i1>, %x: tensor<f64>) -> tensor<f64> {
  %e = tir.exp %x : tensor<f64> -> tensor<f64>
  %r = tir.if %c : tensor<i1> -> (tensor<f64>) {
    tir.yield %e : tensor<f64>
  } else {
    tir.yield %x : tensor<f64>
  }
  %g = tir.grad %r : tensor<f64> wrt(%x : tensor<f64>) -> tensor<f64>
  func.return %g : tensor<f64>
}
