// RUN: not tensorir-opt %s -p tir-gpu-kernels 2>&1 | filecheck %s
// A function for the GPU calls only the device's BLAS (tensorir_cblas_<x>, on the host):
// an outlined CPU kernel belongs to the CPU pipeline.

// CHECK: tir-gpu-kernels: @product calls @product_kernel0: a function for the GPU calls only the device's BLAS (run the cuda pipeline, without tir-outline-kernels)
func.func private @product_kernel0(%a: memref<?x?xf64>) {
  func.return
}
func.func @product(%a: memref<?x?xf64>, %b: memref<?x?xf64>, %c: memref<?x?xf64>) {
  func.call @product_kernel0(%a) : (memref<?x?xf64>) -> ()
  func.return
}
