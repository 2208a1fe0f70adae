// RUN: tensorir-opt %s -p tir-fuse-rows | filecheck %s
// Loops over the same rows that each touch only their row of the buffers they share become
// one loop; a loop that reads another row, or checks, or has other bounds stays apart.

// CHECK-LABEL: func.func @row_max_then_shift
// the allocation between the loops moves before the fused loop
// CHECK:       %t = memref.alloc(%rows, %cols) : memref<?x?xf64>
// CHECK:       scf.for %i = %c0 to %rows step %c1 {
// CHECK:         memref.store {{.*}}, %m[%i]
// CHECK:         memref.load %m[%i]
// CHECK:         memref.store {{.*}}, %t[%i, %j2]
// CHECK-NEXT:    }
// CHECK-NEXT:  }
// CHECK-NEXT:  memref.dealloc %m
// CHECK-NOT:   scf.for %i2
func.func @row_max_then_shift(%x: memref<?x?xf64>) -> memref<?x?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf64>
  %cols = memref.dim %x, %c1 : memref<?x?xf64>
  %m = memref.alloc(%rows) : memref<?xf64>
  scf.for %i = %c0 to %rows step %c1 {
    %first = memref.load %x[%i, %c0] : memref<?x?xf64>
    memref.store %first, %m[%i] : memref<?xf64>
  }
  %t = memref.alloc(%rows, %cols) : memref<?x?xf64>
  %n = memref.dim %t, %c0 : memref<?x?xf64>
  scf.for %i2 = %c0 to %n step %c1 {
    scf.for %j2 = %c0 to %cols step %c1 {
      %v = memref.load %x[%i2, %j2] : memref<?x?xf64>
      %mv = memref.load %m[%i2] : memref<?xf64>
      %d = arith.subf %v, %mv : f64
      memref.store %d, %t[%i2, %j2] : memref<?x?xf64>
    }
  }
  memref.dealloc %m : memref<?xf64>
  func.return %t : memref<?x?xf64>
}

// the second loop reads row i + 1 of what the first writes: not fused
// CHECK-LABEL: func.func @next_row
// CHECK:       scf.for %i = %c0 to %rows step %c1 {
// CHECK:       scf.for %i2 = %c0 to %rows step %c1 {
func.func @next_row(%x: memref<?xf64>, %y: memref<?xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?xf64>
  scf.for %i = %c0 to %rows step %c1 {
    %v = memref.load %y[%i] : memref<?xf64>
    memref.store %v, %x[%i] : memref<?xf64>
  }
  scf.for %i2 = %c0 to %rows step %c1 {
    %next = arith.addi %i2, %c1 : index
    %v = memref.load %x[%next] : memref<?xf64>
    memref.store %v, %y[%i2] : memref<?xf64>
  }
  func.return
}

// different bounds, and a loop with a run-time check: not fused
// CHECK-LABEL: func.func @apart
// CHECK:       scf.for %i = %c0 to %rows step %c1 {
// CHECK:       scf.for %i2 = %c0 to %cols step %c1 {
// CHECK:       scf.for %i3 = %c0 to %cols step %c1 {
func.func @apart(%x: memref<?x?xf64>, %y: memref<?xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf64>
  %cols = memref.dim %x, %c1 : memref<?x?xf64>
  scf.for %i = %c0 to %rows step %c1 {
    %v = memref.load %x[%i, %c0] : memref<?x?xf64>
    memref.store %v, %y[%i] : memref<?xf64>
  }
  scf.for %i2 = %c0 to %cols step %c1 {
    %v = memref.load %y[%i2] : memref<?xf64>
    memref.store %v, %x[%i2, %c0] : memref<?x?xf64>
  }
  scf.for %i3 = %c0 to %cols step %c1 {
    %v = memref.load %y[%i3] : memref<?xf64>
    %ok = arith.cmpf oeq, %v, %v : f64
    "tir.check"(%ok) <{kind = "ValueError", message = "nan"}> : (i1) -> ()
  }
  func.return
}
