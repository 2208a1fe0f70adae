// RUN: tensorir-opt %s -p tir-to-loops | filecheck %s
// The buffer-level ops in the regions of an scf.if (a tir.if, bufferized) become their loops
// and run-time checks inside that region: they run, and can fail, only when it is taken.

// CHECK-LABEL: func.func @pick
// CHECK-NEXT:  %r = scf.if %c -> (memref<?xi64>) {
// CHECK:         tir.check %{{.*}}, "ValueError", "arange: step must not be zero (built at p.py:2: r = ifelse(c, arange(a, b, s), x))"
// CHECK:         %a = memref.alloc(%n) : memref<?xi64>
// CHECK:         scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:           memref.store %{{.*}}, %a[%[[I]]] : memref<?xi64>
// CHECK-NEXT:    }
// CHECK-NEXT:    scf.yield %a : memref<?xi64>
// CHECK-NEXT:  } else {
// CHECK-NOT:     tir.check
// CHECK:         "memref.copy"(%x, %[[COPY:[0-9]+]])
// CHECK-NEXT:    scf.yield %[[COPY]] : memref<?xi64>
// CHECK-NEXT:  }
// CHECK-NEXT:  func.return %r : memref<?xi64>
func.func @pick(%c: i1, %start: i64, %stop: i64, %step: i64, %x: memref<?xi64>) -> memref<?xi64> {
  %r = scf.if %c -> (memref<?xi64>) {
    %n = tir.arange_shape %start, %stop, %step {loc = "p.py:2: r = ifelse(c, arange(a, b, s), x)"} : i64
    %a = memref.alloc(%n) : memref<?xi64>
    tir.arange_into %start, %step into %a : i64, memref<?xi64>
    scf.yield %a : memref<?xi64>
  } else {
    %0 = arith.constant 0 : index
    %1 = memref.dim %x, %0 : memref<?xi64>
    %2 = memref.alloc(%1) : memref<?xi64>
    "memref.copy"(%x, %2) : (memref<?xi64>, memref<?xi64>) -> ()
    scf.yield %2 : memref<?xi64>
  }
  func.return %r : memref<?xi64>
}
