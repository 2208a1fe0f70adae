// RUN: not tensorir-opt %s -p tir-autodiff 2>&1 | filecheck %s
// tir-autodiff differentiates a tir.if whose regions only yield values computed before it
// (as the frontend emits them); tir-sink-branches, which moves ops into the regions, runs
// after it.

// CHECK: tir-autodiff: cannot differentiate a tir.if whose regions compute the values they yield (tir-sink-branches runs after tir-autodiff)
func.func @sunk(%c: tensor<i1>, %x: tensor<f64>) -> tensor<f64> {
  %r = tir.if %c : tensor<i1> -> (tensor<f64>) {
    %e = tir.exp %x : tensor<f64> -> tensor<f64>
    tir.yield %e : tensor<f64>
  } else {
    tir.yield %x : tensor<f64>
  }
  %g = tir.grad %r : tensor<f64> wrt(%x : tensor<f64>) -> tensor<f64>
  func.return %g : tensor<f64>
}
