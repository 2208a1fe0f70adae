// RUN: tensorir-opt %s -p tir-to-linalg,tir-fuse,tir-bufferize,tir-linalg-to-blas | filecheck %s
// A transposed operand of a dot (the gradient's dot(x.T, d)) is not copied: tir-fuse folds
// the transpose into the kernel's indexing map, and BLAS reads the matrix in place with its
// trans flag (CblasTrans = 112; CblasNoTrans = 111).

// CHECK-LABEL: func.func @gemm_lhs_transposed
func.func @gemm_lhs_transposed(%x: tensor<?x?xf64>, %d: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK-NOT:  linalg.generic
  // CHECK:      %[[T:.*]] = arith.constant 112 : i32
  // CHECK-NEXT: %[[N:.*]] = arith.constant 111 : i32
  // CHECK:      func.call @tensorir_cblas_dgemm(%{{.*}}, %[[T]], %[[N]], {{.*}}, %x, {{.*}}, %d, {{.*}})
  %xt = tir.dimshuffle %x {pattern = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
  %g = tir.dot %xt, %d : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %g : tensor<?x?xf64>
}

// CHECK-LABEL: func.func @gemm_rhs_transposed
func.func @gemm_rhs_transposed(%a: tensor<?x?xf32>, %w: tensor<?x?xf32>) -> tensor<?x?xf32> {
  // CHECK:      %[[N:.*]] = arith.constant 111 : i32
  // CHECK-NEXT: %[[T:.*]] = arith.constant 112 : i32
  // CHECK:      func.call @tensorir_cblas_sgemm(%{{.*}}, %[[N]], %[[T]], {{.*}}, %a, {{.*}}, %w, {{.*}})
  %wt = tir.dimshuffle %w {pattern = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  %g = tir.dot %a, %wt : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %g : tensor<?x?xf32>
}

// Matrix-vector with the matrix transposed: gemv with the flag flipped.
// CHECK-LABEL: func.func @gemv_transposed
func.func @gemv_transposed(%x: tensor<?x?xf64>, %v: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      %[[T:.*]] = arith.constant 112 : i32
  // CHECK:      func.call @tensorir_cblas_dgemv(%{{.*}}, %[[T]], {{.*}}, %x, {{.*}}, %v, {{.*}})
  %xt = tir.dimshuffle %x {pattern = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
  %g = tir.dot %xt, %v : (tensor<?x?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %g : tensor<?xf64>
}

// A transpose with another reader stays a kernel for that reader, but BLAS still reads the
// matrix in place.
// CHECK-LABEL: func.func @transpose_read_twice
func.func @transpose_read_twice(%x: tensor<?x?xf64>, %d: tensor<?x?xf64>) -> (tensor<?x?xf64>, tensor<?x?xf64>) {
  // CHECK:      linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>
  // CHECK:      %[[T:.*]] = arith.constant 112 : i32
  // CHECK-NEXT: %[[N:.*]] = arith.constant 111 : i32
  // CHECK:      func.call @tensorir_cblas_dgemm(%{{.*}}, %[[T]], %[[N]], {{.*}}, %x, {{.*}}, %d, {{.*}})
  %xt = tir.dimshuffle %x {pattern = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
  %g = tir.dot %xt, %d : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %g, %xt : tensor<?x?xf64>, tensor<?x?xf64>
}
