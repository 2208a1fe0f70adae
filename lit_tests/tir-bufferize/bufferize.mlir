// RUN: tensorir-opt %s -p tir-to-linalg,tir-bufferize | filecheck %s
// Tensors become buffers: arguments are memrefs (scalars by value), results are fresh
// buffers handed to the caller, temporaries are reused and freed after their last use.

// CHECK-LABEL: func.func @scalar_add(%a: f64, %b: f64) -> f64
func.func @scalar_add(%a: tensor<f64>, %b: tensor<f64>) -> tensor<f64> {
  // CHECK-NEXT: %[[A:.*]] = memref.alloca() : memref<f64>
  // CHECK-NEXT: memref.store %a, %[[A]][] : memref<f64>
  // CHECK-NEXT: %[[B:.*]] = memref.alloca() : memref<f64>
  // CHECK-NEXT: memref.store %b, %[[B]][] : memref<f64>
  // CHECK-NEXT: %[[C:.*]] = memref.alloca() : memref<f64>
  // CHECK-NEXT: linalg.generic {{.*}} ins(%[[A]], %[[B]] : memref<f64>, memref<f64>) outs(%[[C]] : memref<f64>)
  // CHECK:      %[[R:.*]] = memref.load %[[C]][] : memref<f64>
  // CHECK-NEXT: func.return %[[R]] : f64
  %c = tir.add %a, %b : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %c : tensor<f64>
}

// exp(x) dies at the add, so the add writes into its buffer: one allocation, handed over.
// CHECK-LABEL: func.func @reuse(%x: memref<?xf64>) -> memref<?xf64>
func.func @reuse(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:     %[[T:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK-NOT: memref.alloc
  // CHECK:     ins(%x : memref<?xf64>) outs(%[[T]] : memref<?xf64>)
  // CHECK:     ins(%[[T]], %x : memref<?xf64>, memref<?xf64>) outs(%[[T]] : memref<?xf64>)
  // CHECK-NOT: memref.dealloc
  // CHECK:     func.return %[[T]] : memref<?xf64>
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %y = tir.add %e, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %y : tensor<?xf64>
}

// A temporary that is not returned is freed after its last use.
// CHECK-LABEL: func.func @free_temp
func.func @free_temp(%x: tensor<?xf64>) -> tensor<f64> {
  // CHECK:      %[[T:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK:      linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[T]] : memref<?xf64>)
  // CHECK:      memref.dealloc %[[T]] : memref<?xf64>
  // CHECK-NEXT: %[[R:.*]] = memref.load
  // CHECK-NEXT: func.return %[[R]] : f64
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %s = tir.sum %e {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  func.return %s : tensor<f64>
}

// Returning an argument, a constant or the same value twice copies into fresh buffers.
// CHECK-LABEL: func.func @copies
func.func @copies(%x: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>) {
  // CHECK: %[[C:.*]] = memref.get_global @{{.*}} : memref<2xf64>
  // CHECK: %[[X2:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK-NEXT: "memref.copy"(%x, %[[X2]])
  // CHECK: %[[X3:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK-NEXT: "memref.copy"(%x, %[[X3]])
  // CHECK: %[[C2:.*]] = memref.alloc() : memref<2xf64>
  // CHECK-NEXT: "memref.copy"(%[[C]], %[[C2]])
  // CHECK: func.return %[[X2]], %[[X3]], %[[C2]]
  %c = tir.constant dense<[1.0, 2.0]> : tensor<2xf64> -> tensor<?xf64>
  func.return %x, %x, %c : tensor<?xf64>, tensor<?xf64>, tensor<?xf64>
}

// reshape is a view of its input's buffer: the returned view of an argument is copied.
// CHECK-LABEL: func.func @view
func.func @view(%m: tensor<?x?xf64>) -> tensor<?xf64> {
  %minus_one = arith.constant -1 : index
  // CHECK: %[[V:.*]] = tir.reshape %m(%{{.*}}) : (memref<?x?xf64>, index) -> memref<?xf64>
  // CHECK: "memref.copy"(%[[V]], %{{.*}})
  %flat = tir.reshape %m(%minus_one) : (tensor<?x?xf64>, index) -> tensor<?xf64>
  func.return %flat : tensor<?xf64>
}
