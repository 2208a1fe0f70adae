// RUN: not tensorir-opt %s -p tir-parallel-loops 2>&1 | filecheck %s
// Only outermost loops run in parallel: a mark on a loop inside another is an error.

// CHECK: tensorir-opt: @inner: a loop inside another loop is marked tir.parallel; only outermost loops run in parallel
func.func @inner(%x: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf32>
  %cols = memref.dim %x, %c1 : memref<?x?xf32>
  scf.for %i = %c0 to %rows step %c1 {
    scf.for %j = %c0 to %cols step %c1 {
      %v = memref.load %x[%i, %j] : memref<?x?xf32>
      memref.store %v, %x[%i, %j] : memref<?x?xf32>
    } {tir.parallel}
  }
  func.return
}
