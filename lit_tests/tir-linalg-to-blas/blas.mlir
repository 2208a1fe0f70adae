// RUN: tensorir-opt %s -p tir-to-linalg,tir-bufferize,tir-linalg-to-blas | filecheck %s
// Float dots call numpy's OpenBLAS (row-major CBLAS, ILP64); integer dots stay loops.

// CHECK-LABEL: func.func @gemm
func.func @gemm(%a: tensor<?x?xf64>, %b: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK: func.call @tensorir_cblas_dgemm(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %a, %{{.*}}, %b, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (i32, i32, i32, i64, i64, i64, f64, memref<?x?xf64>, i64, memref<?x?xf64>, i64, f64, memref<?x?xf64>, i64) -> ()
  // CHECK-NOT: library_call
  %c = tir.dot %a, %b : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %c : tensor<?x?xf64>
}

// CHECK-LABEL: func.func @gemv
func.func @gemv(%a: tensor<?x?xf32>, %x: tensor<?xf32>) -> tensor<?xf32> {
  // CHECK: func.call @tensorir_cblas_sgemv
  %c = tir.dot %a, %x : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %c : tensor<?xf32>
}

// A row operand is viewed with all dims dynamic so one declaration fits every call.
// CHECK-LABEL: func.func @vecmat_row
func.func @vecmat_row(%x: tensor<?xf64>, %b: tensor<?x1xf64>) -> tensor<1xf64> {
  // CHECK: "memref.cast"(%b) : (memref<?x1xf64>) -> memref<?x?xf64>
  // CHECK: func.call @tensorir_cblas_dgemv
  %c = tir.dot %x, %b : (tensor<?xf64>, tensor<?x1xf64>) -> tensor<1xf64>
  func.return %c : tensor<1xf64>
}

// CHECK-LABEL: func.func @vdot
func.func @vdot(%x: tensor<?xf64>, %y: tensor<?xf64>) -> tensor<f64> {
  // CHECK: %[[S:.*]] = func.call @tensorir_cblas_ddot(%{{.*}}, %x, %{{.*}}, %y, %{{.*}}) : (i64, memref<?xf64>, i64, memref<?xf64>, i64) -> f64
  // CHECK-NEXT: memref.store %[[S]], %{{.*}}[] : memref<f64>
  %c = tir.dot %x, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<f64>
  func.return %c : tensor<f64>
}

// CHECK-LABEL: func.func @int_matmul
func.func @int_matmul(%a: tensor<?x?xi32>, %b: tensor<?x?xi32>) -> tensor<?x?xi32> {
  // CHECK-NOT: func.call
  // CHECK: library_call = "gemm"
  %c = tir.dot %a, %b : (tensor<?x?xi32>, tensor<?x?xi32>) -> tensor<?x?xi32>
  func.return %c : tensor<?x?xi32>
}


// BLAS overwrites its output (beta = 0): the fill of zeros before it is dropped.
// CHECK-LABEL: func.func @no_fill
func.func @no_fill(%a: tensor<?x?xf64>, %b: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK:      memref.alloc
  // CHECK-NOT:  linalg.generic
  // CHECK:      func.call @tensorir_cblas_dgemm
  %c = tir.dot %a, %b : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %c : tensor<?x?xf64>
}

// gemv leaves its output untouched when the contraction is empty: the fill of zeros stays.
// CHECK-LABEL: func.func @gemv_keeps_fill
func.func @gemv_keeps_fill(%a: tensor<?x?xf64>, %x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      memref.alloc
  // CHECK-NEXT: linalg.generic
  // CHECK:      func.call @tensorir_cblas_dgemv
  %c = tir.dot %a, %x : (tensor<?x?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %c : tensor<?xf64>
}

// The declarations come last.
// CHECK: func.func private @tensorir_cblas_dgemm(i32, i32, i32, i64, i64, i64, f64, memref<?x?xf64>, i64, memref<?x?xf64>, i64, f64, memref<?x?xf64>, i64)
