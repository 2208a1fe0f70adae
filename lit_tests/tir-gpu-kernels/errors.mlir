// RUN: not tensorir-opt %s -p tir-gpu-kernels 2>&1 | filecheck %s
// A function for the GPU calls nothing: BLAS calls belong to the CPU pipeline.

// CHECK: tir-gpu-kernels: @product calls @tensorir_cblas_dgemm: a function for the GPU calls nothing (run the cuda pipeline, without tir-linalg-to-blas and tir-outline-kernels)
func.func private @tensorir_cblas_dgemm(memref<?x?xf64>, memref<?x?xf64>, memref<?x?xf64>)
func.func @product(%a: memref<?x?xf64>, %b: memref<?x?xf64>, %c: memref<?x?xf64>) {
  func.call @tensorir_cblas_dgemm(%a, %b, %c) : (memref<?x?xf64>, memref<?x?xf64>, memref<?x?xf64>) -> ()
  func.return
}
