// RUN: tensorir-opt %s -p tir-lower-to-loops | filecheck %s
// RUN: tensorir-opt %s -p tir-lower-to-loops -t llvm | filecheck %s --check-prefix=LLVM
// A dump at the buffers level (f.ir("buffers") of exp(x) + 1) goes on from where it is:
// the named pipeline runs only the passes after its level, not tir-bufferize again.

// CHECK:      func.func @fn_0(%x: memref<?xf64>) -> memref<?xf64>
// CHECK:        scf.for
// CHECK:          math.exp
// CHECK-NOT:  linalg.generic
// LLVM:       define i64 @"fn_0"(

builtin.module {
  "memref.global"() <{sym_name = "__constant_1", type = memref<1xf64>, initial_value = dense<1.000000e+00> : tensor<1xf64>, sym_visibility = "private", constant}> : () -> ()
  func.func @fn_0(%x: memref<?xf64>) -> memref<?xf64> {
    %0 = arith.constant 0 : index
    %1 = memref.dim %x, %0 : memref<?xf64>
    %2 = memref.get_global @__constant_1 : memref<1xf64>
    %3 = memref.alloc(%1) : memref<?xf64>
    linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x, %2 : memref<?xf64>, memref<1xf64>) outs(%3 : memref<?xf64>) {
    ^bb0(%4: f64, %5: f64, %6: f64):
      %7 = math.exp %4 : f64
      %8 = arith.addf %7, %5 : f64
      linalg.yield %8 : f64
    }
    func.return %3 : memref<?xf64>
  }
}
