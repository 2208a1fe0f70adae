// RUN: not tensorir-opt %s -p tir-to-loops 2>&1 | filecheck %s
// tir-to-loops lowers buffers: a tensor-level op is a clean error that names the pass to
// run first, not a silent miscompile.

func.func @tensors(%x: tensor<?x?xf64>, %rows: tensor<?xi64>) -> tensor<?x?xf64> {
  // CHECK: tensorir-opt: tir-to-loops reads IR at the buffers level, {{.*}}: run tir-bufferize first
  %g = tir.gather %x[%rows] : (tensor<?x?xf64>, tensor<?xi64>) -> tensor<?x?xf64>
  func.return %g : tensor<?x?xf64>
}
