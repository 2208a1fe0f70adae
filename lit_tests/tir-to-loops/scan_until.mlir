// RUN: tensorir-opt %s -p tir-to-loops | filecheck %s
// tir.scan_into with stop (a scan with until) becomes an scf.while carrying the step and
// whether to go on: it runs while step < n and the last step did not set stop; its first
// result is the number of steps done.

// CHECK-LABEL: func.func @until
// CHECK:      %m, %{{.*}} = scf.while (%[[I:.*]] = %{{.*}}, %[[GO:.*]] = %{{.*}}) : (index, i1) -> (index, i1) {
// CHECK-NEXT:   %[[MORE:.*]] = arith.cmpi slt, %[[I]], %n : index
// CHECK-NEXT:   %[[C:.*]] = arith.andi %[[MORE]], %[[GO]] : i1
// CHECK-NEXT:   scf.condition(%[[C]]) %[[I]], %[[GO]] : index, i1
// CHECK-NEXT: } do {
// CHECK-NEXT: ^{{.*}}(%t: index, %{{.*}}: i1):
// CHECK-NEXT:   memref.store %v, %ys[%t] : memref<?xf64>
// CHECK-NEXT:   %[[S:.*]] = memref.load %stop[] : memref<i1>
// CHECK-NEXT:   %[[T:.*]] = arith.constant true
// CHECK-NEXT:   %[[GO2:.*]] = arith.xori %[[S]], %[[T]] : i1
// CHECK-NEXT:   %[[NEXT:.*]] = arith.addi %t, %{{.*}} : index
// CHECK-NEXT:   scf.yield %[[NEXT]], %[[GO2]] : index, i1
// CHECK:      func.return %m : index
func.func @until(%n: index, %ys: memref<?xf64>, %stop: memref<i1>, %v: f64) -> index {
  %m = tir.scan_into %n stop %stop : index, memref<i1> -> index {
  ^bb0(%t: index):
    memref.store %v, %ys[%t] : memref<?xf64>
  }
  func.return %m : index
}
