// RUN: tensorir-opt %s -p tir-bufferize | filecheck %s
// A tir.if becomes an scf.if on the condition's value, with memref results. Each region is
// bufferized as a block of its own: its temporaries are freed inside it, and it hands its
// results out: a buffer it allocated as it is, anything else (an argument, a view, a value
// from above) copied into a fresh buffer, since the block above owns the scf.if's results
// (it frees them, or returns them). A rank-0 result is a stack slot, yielded as it is.

// CHECK-LABEL: func.func @pick
func.func @pick(%c: tensor<i1>, %x: tensor<?xf64>, %s: tensor<f64>) -> (tensor<?xf64>, tensor<f64>) {
  // CHECK:      %[[C:.*]] = memref.load %{{.*}}[] : memref<i1>
  // CHECK-NEXT: %r, %t = scf.if %[[C]] -> (memref<?xf64>, memref<f64>) {
  // CHECK:        %twice = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK-NEXT:   tir.concatenate_into %x, %x into %twice
  // CHECK:        %more = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK-NEXT:   tir.concatenate_into %twice, %x into %more
  // CHECK-NEXT:   memref.dealloc %twice : memref<?xf64>
  // CHECK-NEXT:   scf.yield %more, %[[S:.*]] : memref<?xf64>, memref<f64>
  // CHECK-NEXT: } else {
  // CHECK:        %[[COPY:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK-NEXT:   "memref.copy"(%x, %[[COPY]])
  // CHECK-NEXT:   scf.yield %[[COPY]], %[[S]] : memref<?xf64>, memref<f64>
  // CHECK-NEXT: }
  // CHECK-NEXT: %[[T:.*]] = memref.load %t[] : memref<f64>
  // CHECK-NEXT: func.return %r, %[[T]] : memref<?xf64>, f64
  %r, %t = tir.if %c : tensor<i1> -> (tensor<?xf64>, tensor<f64>) {
    %twice = tir.concatenate %x, %x {axis = 0 : i64} : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    %more = tir.concatenate %twice, %x {axis = 0 : i64} : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    tir.yield %more, %s : tensor<?xf64>, tensor<f64>
  } else {
    tir.yield %x, %s : tensor<?xf64>, tensor<f64>
  }
  func.return %r, %t : tensor<?xf64>, tensor<f64>
}

// The result of a tir.if is a temporary of the block above: freed after its last use. A
// value from above the regions read is freed after the scf.if, not inside a region.
// CHECK-LABEL: func.func @temporaries
func.func @temporaries(%c: tensor<i1>, %x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      %a = memref.alloc
  // CHECK:      %r = scf.if %{{.*}} -> (memref<?xf64>) {
  // CHECK:        %b = memref.alloc
  // CHECK-NEXT:   tir.concatenate_into %a, %x into %b
  // CHECK-NEXT:   scf.yield %b : memref<?xf64>
  // CHECK-NEXT: } else {
  // CHECK:        "memref.copy"(%a, %{{.*}})
  // CHECK-NEXT:   scf.yield
  // CHECK-NEXT: }
  // CHECK-NEXT: memref.dealloc %a : memref<?xf64>
  // CHECK:      %out = memref.alloc
  // CHECK-NEXT: tir.concatenate_into %r, %r into %out
  // CHECK-NEXT: memref.dealloc %r : memref<?xf64>
  // CHECK-NEXT: func.return %out : memref<?xf64>
  %a = tir.concatenate %x, %x {axis = 0 : i64} : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %r = tir.if %c : tensor<i1> -> (tensor<?xf64>) {
    %b = tir.concatenate %a, %x {axis = 0 : i64} : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    tir.yield %b : tensor<?xf64>
  } else {
    tir.yield %a : tensor<?xf64>
  }
  %out = tir.concatenate %r, %r {axis = 0 : i64} : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %out : tensor<?xf64>
}
