// RUN: tensorir-opt %s -p tir-to-linalg,tir-bufferize | filecheck %s
// Updates ({tir.update = k}: the new value of argument k, a shared variable). An update whose
// last kernel reads argument k element for element writes into argument k's buffer when no
// later op reads it, and the function returns argument k itself. The in-place kernels move
// to just before the return, after every check, allocation and copy (and the loads of rank-0
// results, which may read the old value): once a shared buffer is written, nothing can fail.

// A training step: the update reads W at the identity map; its temporary is not allocated.
// CHECK-LABEL: func.func @step(%x: memref<?xf64>, %W: memref<?xf64>) -> (f64, memref<?xf64> {tir.update = 1 : i64})
func.func @step(%x: tensor<?xf64>, %W: tensor<?xf64>) -> (tensor<f64>, tensor<?xf64> {tir.update = 1 : i64}) {
  // CHECK:      ins(%x, %x : memref<?xf64>, memref<?xf64>) outs(%[[D:[0-9]+]] : memref<?xf64>)
  // CHECK-NOT:  memref.alloc
  // CHECK:      tir.check {{.*}} "Input dimension mismatch in sub
  // CHECK-NEXT: %[[Y:.*]] = memref.load %{{.*}}[] : memref<f64>
  // CHECK-NEXT: linalg.generic {{.*}} ins(%W, %[[D]] : memref<?xf64>, memref<?xf64>) outs(%W : memref<?xf64>)
  // CHECK:      memref.dealloc %[[D]] : memref<?xf64>
  // CHECK-NOT:  memref.copy
  // CHECK:      func.return %[[Y]], %W : f64, memref<?xf64>
  %p = tir.mul %x, %W : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %y = tir.sum %p {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %d = tir.mul %x, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %new = tir.sub %W, %d : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %y, %new : tensor<f64>, tensor<?xf64>
}

// Atomicity: a's update is built first, but is written after the check of b's update.
// CHECK-LABEL: func.func @atomic
func.func @atomic(%x: tensor<?xf64>, %a: tensor<?xf64>, %b: tensor<?xf64>) -> (tensor<?xf64> {tir.update = 1 : i64}, tensor<?xf64> {tir.update = 2 : i64}) {
  // CHECK-NOT:  memref.alloc
  // CHECK:      %[[DB:.*]] = memref.dim %b
  // CHECK-NEXT: %[[DX:.*]] = memref.dim %x
  // CHECK:      tir.check {{.*}}(%[[DB]], %[[DX]] : index, index)
  // CHECK-NEXT: linalg.generic {{.*}} ins(%a, %a : memref<?xf64>, memref<?xf64>) outs(%a : memref<?xf64>)
  // CHECK:      linalg.generic {{.*}} ins(%b, %x : memref<?xf64>, memref<?xf64>) outs(%b : memref<?xf64>)
  // CHECK:      func.return %a, %b : memref<?xf64>, memref<?xf64>
  %na = tir.add %a, %a : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %nb = tir.add %b, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %na, %nb : tensor<?xf64>, tensor<?xf64>
}

// Negative: each update reads the other's old value. b's update is written in place after
// a's is computed into a fresh buffer; a cannot be written in place (b reads it later).
// CHECK-LABEL: func.func @cycle
func.func @cycle(%a: tensor<?xf64>, %b: tensor<?xf64>) -> (tensor<?xf64> {tir.update = 0 : i64}, tensor<?xf64> {tir.update = 1 : i64}) {
  // CHECK:      %[[NA:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK-NEXT: linalg.generic {{.*}} ins(%a, %b : memref<?xf64>, memref<?xf64>) outs(%[[NA]] : memref<?xf64>)
  // CHECK:      linalg.generic {{.*}} ins(%b, %a : memref<?xf64>, memref<?xf64>) outs(%b : memref<?xf64>)
  // CHECK:      func.return %[[NA]], %b : memref<?xf64>, memref<?xf64>
  %na = tir.add %a, %b : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %nb = tir.sub %b, %a : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %na, %nb : tensor<?xf64>, tensor<?xf64>
}

// W is also returned as an output: its copy is made before the in-place write.
// CHECK-LABEL: func.func @returned
func.func @returned(%W: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64> {tir.update = 0 : i64}) {
  // CHECK:      %[[C:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK-NEXT: "memref.copy"(%W, %[[C]])
  // CHECK-NEXT: linalg.generic {{.*}} ins(%W : memref<?xf64>) outs(%W : memref<?xf64>)
  // CHECK:      func.return %[[C]], %W : memref<?xf64>, memref<?xf64>
  %new = tir.neg %W : tensor<?xf64> -> tensor<?xf64>
  func.return %W, %new : tensor<?xf64>, tensor<?xf64>
}

// Negative: the update is also returned as an output, so it needs a buffer of its own.
// CHECK-LABEL: func.func @twice
func.func @twice(%W: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64> {tir.update = 0 : i64}) {
  // CHECK:     %[[N:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK:     ins(%W : memref<?xf64>) outs(%[[N]] : memref<?xf64>)
  // CHECK-NOT: outs(%W
  // CHECK:     func.return %[[N]], %{{.*}} : memref<?xf64>, memref<?xf64>
  %new = tir.neg %W : tensor<?xf64> -> tensor<?xf64>
  func.return %new, %new : tensor<?xf64>, tensor<?xf64>
}

// Negative: the update also reads W through a view, at other indices.
// CHECK-LABEL: func.func @view
func.func @view(%W: tensor<?x?xf64>) -> (tensor<?x?xf64> {tir.update = 0 : i64}) {
  // CHECK:     %[[R:.*]] = tir.reshape %W
  // CHECK:     %[[N:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?xf64>
  // CHECK-NEXT: linalg.generic {{.*}} ins(%W, %[[R]] : memref<?x?xf64>, memref<?x?xf64>) outs(%[[N]] : memref<?x?xf64>)
  // CHECK:     func.return %[[N]] : memref<?x?xf64>
  %two = arith.constant 2 : index
  %three = arith.constant 3 : index
  %r = tir.reshape %W(%three, %two) : (tensor<?x?xf64>, index, index) -> tensor<?x?xf64>
  %new = tir.add %W, %r : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %new : tensor<?x?xf64>
}

// An update that is its own argument costs nothing; a rank-0 one is returned by value.
// CHECK-LABEL: func.func @unchanged(%W: memref<?xf64>, %s: f64)
func.func @unchanged(%W: tensor<?xf64>, %s: tensor<f64>) -> (tensor<?xf64> {tir.update = 0 : i64}, tensor<f64> {tir.update = 1 : i64}) {
  // CHECK-NOT: memref.copy
  // CHECK:     func.return %W, %{{.*}} : memref<?xf64>, f64
  func.return %W, %s : tensor<?xf64>, tensor<f64>
}
