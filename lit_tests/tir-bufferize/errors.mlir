// RUN: not tensorir-opt %s -p tir-bufferize 2>&1 | filecheck %s
// An op on tensors that the pass does not know is an error, not a silent miscompile.

func.func @unknown(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK: tir-bufferize: cannot bufferize test.op
  %y = "test.op"(%x) : (tensor<?xf64>) -> tensor<?xf64>
  func.return %y : tensor<?xf64>
}
