// RUN: tensorir-opt %s -p tir-outline-kernels -t llvm | filecheck %s
// An outlined kernel is an internal function, never inlined, its buffers noalias data
// pointers then their dynamic dims; the entry point calls it with its own values.

// CHECK: define internal void @"__tensorir_kernel_0"(i64 %{{.*}}, ptr noalias %{{.*}}, i64 %{{.*}}, ptr noalias %{{.*}}, i64 %{{.*}}) noinline nounwind
// CHECK: fmul double
// CHECK: ret void
// CHECK: define i64 @"twice"(ptr noalias %".1", i64 %".2", ptr noalias %".3", i64 %".4", ptr noalias %".5", i64 %".6", ptr noalias %".7", ptr noalias %".8")
// CHECK: call void @"__tensorir_kernel_0"(i64 %".2", ptr %".1", i64 %".2", ptr %".3", i64 %".4")
// CHECK: call void @"__tensorir_kernel_0"(i64 %".2", ptr %".3", i64 %".4", ptr %".5", i64 %".6")
// CHECK: ret i64 0
func.func @twice(%a: memref<?xf64>, %b: memref<?xf64>, %c: memref<?xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %two = arith.constant 2.000000e+00 : f64
  %n = memref.dim %a, %c0 : memref<?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %a[%i] : memref<?xf64>
    %y = arith.mulf %x, %two : f64
    memref.store %y, %b[%i] : memref<?xf64>
  }
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %b[%i] : memref<?xf64>
    %y = arith.mulf %x, %two : f64
    memref.store %y, %c[%i] : memref<?xf64>
  }
  func.return
}

