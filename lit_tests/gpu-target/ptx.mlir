// RUN: tensorir-opt %s -p tir-lower-to-gpu -t ptx | filecheck %s
// REQUIRES: libdevice
// The whole cuda pipeline, then PTX from llvmlite's NVPTX back end: one kernel entry per
// loop nest, thread ids from the special registers, a grid-stride loop, and exp from
// libdevice linked in (no call of it is left: it is inlined, and llvm.exp never appears).

// CHECK:      .target sm_90
// CHECK:      .visible .entry softplus_k0(
// CHECK:        mov.u32 {{.*}}%tid.x;
// CHECK:        mov.u32 {{.*}}%ctaid.x;
// CHECK:        mov.u32 {{.*}}%ntid.x;
// CHECK:        mov.u32 {{.*}}%nctaid.x;
// CHECK-NOT:  __nv_
// CHECK-NOT:  call
// CHECK:        ret;
func.func @softplus(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %e = tir.exp %x : tensor<?x?xf32> -> tensor<?x?xf32>
  %y = tir.log1p %e : tensor<?x?xf32> -> tensor<?x?xf32>
  func.return %y : tensor<?x?xf32>
}
