// RUN: tensorir-opt %s -p tir-gpu-kernels -t gpu-llvm | filecheck %s
// With the device's BLAS (cuda_dot=cublas, where the backend has cuBLAS), tir-linalg-to-blas
// stays in the cuda pipeline: tir-gpu-kernels leaves its calls on the host, and the host
// code calls the backend's routine of the same arguments on device buffers
// (tir_dev_blas_<x>, abi.DEVICE_BLAS), a failure failing the call with code 3; dot's
// result comes back through a host slot.

// CHECK:      define i64 @"product"(
// CHECK:        call i32 @"tir_dev_blas_dgemm"(i32 101, i32 111, i32 111, i64 {{.*}}, double 0x3ff0000000000000, ptr {{.*}}, double {{ *}}0x0, ptr
// CHECK:        br i1 {{.*}}, label %"tir_dev_blas_dgemm_failed", label %"tir_dev_blas_dgemm_ok"
// CHECK:      tir_dev_blas_dgemm_failed:
// CHECK:        ret i64 3
// CHECK:        call i32 @"tir_dev_blas_ddot"(i64 {{.*}}, i64 1, ptr {{.*}}, i64 1, {{.*}} %"[[SLOT:.*]]")
// CHECK:      tir_dev_blas_ddot_ok:
// CHECK-NEXT:   %{{.*}} = load double, {{.*}} %"[[SLOT]]"
// CHECK:      declare i32 @"tir_dev_blas_dgemm"(i32 {{.*}}, i32 {{.*}}, i32 {{.*}}, i64 {{.*}}, i64 {{.*}}, i64 {{.*}}, double {{.*}}, ptr {{.*}}, i64 {{.*}}, ptr {{.*}}, i64 {{.*}}, double {{.*}}, ptr {{.*}}, i64 {{.*}})

func.func @product(%a: memref<?x?xf64>, %b: memref<?x?xf64>, %c: memref<?x?xf64>) -> f64 {
  %order = arith.constant 101 : i32
  %plain = arith.constant 111 : i32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m0 = memref.dim %a, %c0 : memref<?x?xf64>
  %k0 = memref.dim %a, %c1 : memref<?x?xf64>
  %n0 = memref.dim %b, %c1 : memref<?x?xf64>
  %m = arith.index_cast %m0 : index to i64
  %k = arith.index_cast %k0 : index to i64
  %n = arith.index_cast %n0 : index to i64
  %one = arith.constant 1.0 : f64
  %zero = arith.constant 0.0 : f64
  func.call @tensorir_cblas_dgemm(%order, %plain, %plain, %m, %n, %k, %one, %a, %k, %b, %n, %zero, %c, %n) : (i32, i32, i32, i64, i64, i64, f64, memref<?x?xf64>, i64, memref<?x?xf64>, i64, f64, memref<?x?xf64>, i64) -> ()
  %inc = arith.constant 1 : i64
  %s = func.call @tensorir_cblas_ddot(%k, %a, %inc, %a, %inc) : (i64, memref<?x?xf64>, i64, memref<?x?xf64>, i64) -> f64
  func.return %s : f64
}
func.func private @tensorir_cblas_dgemm(i32, i32, i32, i64, i64, i64, f64, memref<?x?xf64>, i64, memref<?x?xf64>, i64, f64, memref<?x?xf64>, i64)
func.func private @tensorir_cblas_ddot(i64, memref<?x?xf64>, i64, memref<?x?xf64>, i64) -> f64
