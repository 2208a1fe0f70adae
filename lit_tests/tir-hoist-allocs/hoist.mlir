// RUN: tensorir-opt %s -p tir-hoist-allocs | filecheck %s
// A temporary freed in the iteration that allocates it, with sizes that do not change from
// one iteration to the next, is allocated once before the loop and freed after it; its size
// arithmetic moves out with it (the dim of a row view is the view's size).

// CHECK-LABEL: func.func @invariant
// CHECK:      %[[D:.*]] = memref.dim %h, %{{.*}} : memref<?xf64>
// CHECK-NEXT: %tmp = memref.alloc(%[[D]]) : memref<?xf64>
// CHECK-NEXT: scf.for %t = %{{.*}} to %n step %{{.*}} {
// CHECK-NEXT:   %row = tir.view %x[%t] (%m) : (memref<?x?xf64>, index, index) -> memref<?xf64>
// CHECK-NEXT:   %[[V:.*]] = memref.load %row[%[[C0:.*]]] : memref<?xf64>
// CHECK-NEXT:   memref.store %[[V]], %tmp[%[[C0]]] : memref<?xf64>
// CHECK-NEXT: }
// CHECK-NEXT: memref.dealloc %tmp : memref<?xf64>
func.func @invariant(%n: index, %m: index, %x: memref<?x?xf64>, %h: memref<?xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %t = %c0 to %n step %c1 {
    %row = tir.view %x[%t] (%m) : (memref<?x?xf64>, index, index) -> memref<?xf64>
    %d = memref.dim %h, %c0 : memref<?xf64>
    %tmp = memref.alloc(%d) : memref<?xf64>
    %v = memref.load %row[%c0] : memref<?xf64>
    memref.store %v, %tmp[%c0] : memref<?xf64>
    memref.dealloc %tmp : memref<?xf64>
  }
  func.return
}

// The size of a row view measured in the loop is the view's size operand.
// CHECK-LABEL: func.func @view_dim
// CHECK:      %tmp = memref.alloc(%m) : memref<?xf64>
// CHECK-NEXT: scf.for
// CHECK-NOT:  memref.dim
// CHECK:      memref.dealloc %tmp
func.func @view_dim(%n: index, %m: index, %x: memref<?x?xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %t = %c0 to %n step %c1 {
    %row = tir.view %x[%t] (%m) : (memref<?x?xf64>, index, index) -> memref<?xf64>
    %d = memref.dim %row, %c0 : memref<?xf64>
    %tmp = memref.alloc(%d) : memref<?xf64>
    memref.dealloc %tmp : memref<?xf64>
  }
  func.return
}

// Not moved: a size that changes with the iteration, a temporary that outlives its
// iteration (not freed in the loop), a division (it may trap), a parallel loop.
// CHECK-LABEL: func.func @stays
// CHECK:      scf.for %t
// CHECK-NEXT:   %a = memref.alloc(%t) : memref<?xf64>
// CHECK-NEXT:   memref.dealloc %a : memref<?xf64>
// CHECK-NEXT:   %q = arith.divsi %n, %m : index
// CHECK-NEXT:   %b = memref.alloc(%q) : memref<?xf64>
// CHECK-NEXT:   memref.dealloc %b : memref<?xf64>
// CHECK-NEXT:   %c = memref.alloc(%m) : memref<?xf64>
// CHECK-NEXT:   memref.store %{{.*}}, %keep[] : memref<memref<?xf64>>
// CHECK:      scf.for %i
// CHECK-NEXT:   %p = memref.alloca() : memref<f64>
// CHECK:      } {tir.parallel}
func.func @stays(%n: index, %m: index, %keep: memref<memref<?xf64>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %t = %c0 to %n step %c1 {
    %a = memref.alloc(%t) : memref<?xf64>
    memref.dealloc %a : memref<?xf64>
    %q = arith.divsi %n, %m : index
    %b = memref.alloc(%q) : memref<?xf64>
    memref.dealloc %b : memref<?xf64>
    %c = memref.alloc(%m) : memref<?xf64>
    memref.store %c, %keep[] : memref<memref<?xf64>>
  }
  scf.for %i = %c0 to %n step %c1 {
    %p = memref.alloca() : memref<f64>
  } {tir.parallel}
  func.return
}
