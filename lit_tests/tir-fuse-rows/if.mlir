// RUN: tensorir-opt %s -p tir-fuse-rows | filecheck %s
// The regions of an scf.if (a tir.if's branches) are blocks of loops of their own: their
// loops over the same rows fuse as the function's do, inside the region.

// CHECK-LABEL: func.func @branch
// CHECK:       %r = scf.if %c -> (memref<?x?xf64>) {
// CHECK:         %t = memref.alloc(%rows, %cols) : memref<?x?xf64>
// CHECK:         scf.for %i = %c0 to %rows step %c1 {
// CHECK:           memref.store {{.*}}, %m[%i]
// CHECK:           memref.store {{.*}}, %t[%i, %j2]
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    memref.dealloc %m
// CHECK-NEXT:    scf.yield %t
// CHECK-NOT:   scf.for %i2
func.func @branch(%c: i1, %x: memref<?x?xf64>) -> memref<?x?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf64>
  %cols = memref.dim %x, %c1 : memref<?x?xf64>
  %r = scf.if %c -> (memref<?x?xf64>) {
    %m = memref.alloc(%rows) : memref<?xf64>
    scf.for %i = %c0 to %rows step %c1 {
      %first = memref.load %x[%i, %c0] : memref<?x?xf64>
      memref.store %first, %m[%i] : memref<?xf64>
    }
    %t = memref.alloc(%rows, %cols) : memref<?x?xf64>
    scf.for %i2 = %c0 to %rows step %c1 {
      scf.for %j2 = %c0 to %cols step %c1 {
        %v = memref.load %x[%i2, %j2] : memref<?x?xf64>
        %mv = memref.load %m[%i2] : memref<?xf64>
        %d = arith.subf %v, %mv : f64
        memref.store %d, %t[%i2, %j2] : memref<?x?xf64>
      }
    }
    memref.dealloc %m : memref<?xf64>
    scf.yield %t : memref<?x?xf64>
  } else {
    %u = memref.alloc(%rows, %cols) : memref<?x?xf64>
    scf.yield %u : memref<?x?xf64>
  }
  func.return %r : memref<?x?xf64>
}
