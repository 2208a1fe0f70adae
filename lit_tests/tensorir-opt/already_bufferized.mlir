// RUN: not tensorir-opt %s -p tir-fuse 2>&1 | filecheck %s --check-prefix=FUSE
// RUN: not tensorir-opt %s -p tir-bufferize 2>&1 | filecheck %s --check-prefix=BUFFERIZE
// RUN: not tensorir-opt %s -p tir-lower-to-linalg 2>&1 | filecheck %s --check-prefix=PAST
// Passes that run before tir-bufferize refuse IR it has already bufferized, in one line.

// FUSE-NOT:   Traceback
// FUSE:       tensorir-opt: tir-fuse reads IR at the linalg or fused level, but this IR is already at the buffers level (it has memrefs): tir-fuse runs before tir-bufferize
// BUFFERIZE:  tensorir-opt: tir-bufferize reads IR at the linalg or fused level, but this IR is already at the buffers level (it has memrefs): tir-bufferize has already run
// PAST:       tensorir-opt: tir-lower-to-linalg: this IR is already at the buffers level (it has memrefs), past linalg

func.func @double(%x: memref<?xf64>) -> memref<?xf64> {
  %0 = arith.constant 0 : index
  %n = memref.dim %x, %0 : memref<?xf64>
  %y = memref.alloc(%n) : memref<?xf64>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : memref<?xf64>) outs(%y : memref<?xf64>) {
  ^bb0(%a: f64, %b: f64):
    %c = arith.addf %a, %a : f64
    linalg.yield %c : f64
  }
  func.return %y : memref<?xf64>
}
