// RUN: tensorir-opt %s -t llvm | filecheck %s
// An scf.while (a scan with until): a header with a phi per carried value running the
// condition block, a body running the after block and branching back, an exit where the
// results are the values the condition passed on.

// CHECK-LABEL: define i64 @"count"
// CHECK:       br label %"while_header"
// CHECK:       while_header:
// CHECK-NEXT:  %[[I:.*]] = phi  i64 [0, %"entry"], [%[[NEXT:.*]], %"while_body"]
// CHECK-NEXT:  %[[G:.*]] = phi  i1 [1, %"entry"], [%[[ON:.*]], %"while_body"]
// CHECK-NEXT:  %[[MORE:.*]] = icmp slt i64 %[[I]], %".1"
// CHECK-NEXT:  %[[C:.*]] = and i1 %[[MORE]], %[[G]]
// CHECK-NEXT:  br i1 %[[C]], label %"while_body", label %"while_exit"
// CHECK:       while_body:
// CHECK:       %[[NEXT]] = add i64 %[[I]], 1
// CHECK-NEXT:  %[[ON]] = xor i1 %{{.*}}, 1
// CHECK-NEXT:  br label %"while_header"
// CHECK:       while_exit:
// CHECK:       store i64 %[[I]], ptr
func.func @count(%n: index, %ys: memref<?xf64>, %v: f64) -> index {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %true = arith.constant true
  %m, %go = scf.while (%i = %c0, %g = %true) : (index, i1) -> (index, i1) {
    %more = arith.cmpi slt, %i, %n : index
    %c = arith.andi %more, %g : i1
    scf.condition(%c) %i, %g : index, i1
  } do {
  ^bb0(%t: index, %g2: i1):
    memref.store %v, %ys[%t] : memref<?xf64>
    %big = arith.cmpf ogt, %v, %v : f64
    %next = arith.addi %t, %c1 : index
    %on = arith.xori %big, %true : i1
    scf.yield %next, %on : index, i1
  }
  func.return %m : index
}
