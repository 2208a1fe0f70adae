// RUN: tensorir-opt %s -t llvm | filecheck %s
// RUN: env TENSORIR_FLAGS=math=libm tensorir-opt %s -t llvm | filecheck %s --check-prefix=LIBM
// Elementary functions come from tensorir's vector math by default: inlinable functions the
// loop vectorizer widens. sin keeps libm for huge arguments, under a name LLVM does not
// rewrite, with masked vector variants. TENSORIR_FLAGS=math=libm calls libm instead.

// CHECK:       call float @"tir.vm.exp.f32"
// CHECK:       call double @"tir.vm.sin.f64"
// CHECK:       define internal float @"tir.vm.exp.f32"(float %".1") alwaysinline nounwind
// CHECK:       declare double @"__tir_libm_sin"(double %".1") "vector-function-abi-variant"="_ZGV_LLVM_M2v___tir_libm_sin(__tir_libm_sin_m2),
// CHECK:       @"llvm.compiler.used" = appending global [4 x ptr]
// CHECK-SAME:  @"__tir_libm_sin_m2"{{.*}}@"__tir_libm_sin_m4"{{.*}}@"__tir_libm_sin_m8"{{.*}}@"__tir_libm_sin_m16"]
// CHECK-SAME:  section "llvm.metadata"

// LIBM:        call float @"llvm.exp.f32"
// LIBM:        call double @"llvm.sin.f64"
// LIBM-NOT:    tir.vm

builtin.module {
  func.func @fn_0(%x: memref<?xf32>, %y: memref<?xf64>, %out: memref<?xf32>, %out64: memref<?xf64>) {
    %0 = arith.constant 0 : index
    %1 = arith.constant 1 : index
    %n = memref.dim %x, %0 : memref<?xf32>
    scf.for %i = %0 to %n step %1 {
      %a = memref.load %x[%i] : memref<?xf32>
      %e = math.exp %a : f32
      memref.store %e, %out[%i] : memref<?xf32>
      %b = memref.load %y[%i] : memref<?xf64>
      %s = math.sin %b : f64
      memref.store %s, %out64[%i] : memref<?xf64>
    }
    func.return
  }
}
