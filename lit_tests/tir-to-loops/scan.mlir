// RUN: tensorir-opt %s -p tir-to-loops | filecheck %s
// tir.scan_into becomes an scf.for over the steps; with reverse, the body's row is n - 1 - step.
// tir.row_into and tir.copy_into become shape checks and copy loops.

// CHECK-LABEL: func.func @reversed
// CHECK:      %[[LAST:.*]] = arith.subi %n, %{{.*}} : index
// CHECK:      scf.for %[[STEP:.*]] = %{{.*}} to %n step %{{.*}} {
// CHECK-NEXT:   %t = arith.subi %[[LAST]], %[[STEP]] : index
// CHECK-NEXT:   %x_t = tir.view %x[%t] () : (memref<?xf64>, index) -> memref<f64>
// CHECK:        %[[V:.*]] = memref.load %x_t[] : memref<f64>
// CHECK-NEXT:   memref.store %[[V]], %ys[%t] : memref<?xf64>
// CHECK:        tir.check %{{.*}}, "ValueError", "scan: the next value of state 0 has shape ({0}) but must have shape ({1})"
// CHECK:        scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT:     %[[E:.*]] = memref.load %h1[%[[I]]] : memref<2xf64>
// CHECK-NEXT:     memref.store %[[E]], %h[%[[I]]] : memref<2xf64>
// CHECK-NOT:  tir.scan_into
func.func @reversed(%n: index, %x: memref<?xf64>, %ys: memref<?xf64>, %h: memref<2xf64>, %h1: memref<2xf64>) {
  tir.scan_into %n {reverse, loc = "p.py:5: ys, _ = scan(f, x, go_backwards=True)"} : index {
  ^bb0(%t: index):
    %x_t = tir.view %x[%t] () : (memref<?xf64>, index) -> memref<f64>
    tir.row_into %x_t into %ys[%t] {what = "scan: output 0 of a step"} : memref<f64>, memref<?xf64>
    tir.copy_into %h1 into %h {what = "scan: the next value of state 0"} : memref<2xf64>, memref<2xf64>
  }
  func.return
}
