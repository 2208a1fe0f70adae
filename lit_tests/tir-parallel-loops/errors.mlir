// RUN: not tensorir-opt %s -p tir-parallel-loops 2>&1 | filecheck %s
// A loop marked {tir.parallel} by hand that the pass cannot prove parallel is an error
// naming the reason.

// CHECK: @column_sums: a loop is marked tir.parallel, but it writes %sums and accesses it at indices that do not all hold the iteration's own index at one place: iterations share elements
func.func @column_sums(%x: memref<?x?xf32>, %sums: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf32>
  %cols = memref.dim %x, %c1 : memref<?x?xf32>
  scf.for %i = %c0 to %rows step %c1 {
    scf.for %j = %c0 to %cols step %c1 {
      %v = memref.load %x[%i, %j] : memref<?x?xf32>
      %s = memref.load %sums[%j] : memref<?xf32>
      %a = arith.addf %s, %v : f32
      memref.store %a, %sums[%j] : memref<?xf32>
    }
  } {tir.parallel}
  func.return
}
