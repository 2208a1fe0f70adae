// RUN: tensorir-opt %s -p tir-gpu-kernels -t ptx | filecheck %s
// REQUIRES: libdevice
// A block kernel in PTX: the block's threads wait for each other with bar.sync; a
// tir.block_reduce of f64 shuffles the two 32-bit halves of each value down by 16, 8, 4, 2
// and 1 lanes, and the warps' values meet in the block's shared memory (one 8-byte slot per
// warp); one thread stores (the first thread's branch).

// CHECK:       .visible .entry row_sums_k0(
// CHECK:         .shared .align 8 .b8 tir_block_scratch[256];
// CHECK:         bar.sync 0;
// CHECK:         shfl.sync.down.b32 {{.*}}, 16, 31, -1;
// CHECK-NEXT:    shfl.sync.down.b32 {{.*}}, 16, 31, -1;
// CHECK:         shfl.sync.down.b32 {{.*}}, 1, 31, -1;
// CHECK:         st.shared.{{[bf]}}64
// CHECK:         bar.sync 0;
// CHECK:         ld.shared.{{[bf]}}64
// CHECK:         ret;

func.func @row_sums(%x: memref<?x?xf64>, %out: memref<?xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf64>
  %cols = memref.dim %x, %c1 : memref<?x?xf64>
  %zero = arith.constant 0.0 : f64
  scf.for %i = %c0 to %rows step %c1 {
    memref.store %zero, %out[%i] : memref<?xf64>
    scf.for %j = %c0 to %cols step %c1 {
      %v = memref.load %x[%i, %j] : memref<?x?xf64>
      %s = memref.load %out[%i] : memref<?xf64>
      %a = arith.addf %s, %v : f64
      memref.store %a, %out[%i] : memref<?xf64>
    }
    scf.for %j = %c0 to %cols step %c1 {
      %v = memref.load %x[%i, %j] : memref<?x?xf64>
      %s = memref.load %out[%i] : memref<?xf64>
      %d = arith.divf %v, %s : f64
      memref.store %d, %x[%i, %j] : memref<?x?xf64>
    }
  } {tir.parallel}
  func.return
}
