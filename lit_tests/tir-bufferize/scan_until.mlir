// RUN: tensorir-opt %s -p tir-to-linalg,tir-fuse,tir-bufferize | filecheck %s
// With until, the step's condition is stored into a stack slot the loop reads after each
// step (tir.scan_into ... stop), the loop gives the number of steps done, and the stacked
// result is the view of that many rows from row 0 (handed to the caller as it is).

// CHECK-LABEL: func.func @doubling
// CHECK:      %ys = memref.alloc(%[[N:.*]]) : memref<?xf64>
// CHECK:      %[[STOP:.*]] = memref.alloca() : memref<i1>
// CHECK-NEXT: %[[DONE:.*]] = tir.scan_into %[[N]] stop %[[STOP]] : index, memref<i1> -> index {
// CHECK:        %[[C:.*]] = memref.load %{{.*}}[] : memref<i1>
// CHECK-NEXT:   memref.store %[[C]], %[[STOP]][] : memref<i1>
// CHECK-NEXT:   tir.row_into %{{.*}} into %ys[%t]
// CHECK:      %[[ZERO:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[ROWS:.*]] = tir.view %ys[%[[ZERO]]] (%[[DONE]]) : (memref<?xf64>, index, index) -> memref<?xf64>
// CHECK-NEXT: func.return %[[ROWS]] : memref<?xf64>
func.func @doubling(%n: tensor<i64>, %x: tensor<f64>, %one: tensor<f64>) -> tensor<?xf64> {
  %h, %hs, %ys = tir.scan %n init(%one : tensor<f64>) consts(%x : tensor<f64>) {until} : tensor<i64> -> (tensor<f64>), (tensor<?xf64>), (tensor<?xf64>) {
  ^bb0(%p: tensor<f64>, %max: tensor<f64>):
    %twice = tir.add %p, %p : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %done = tir.gt %twice, %max : (tensor<f64>, tensor<f64>) -> tensor<i1>
    tir.scan_yield %twice, %twice, %done : tensor<f64>, tensor<f64>, tensor<i1>
  }
  func.return %ys : tensor<?xf64>
}
