// RUN: tensorir-opt %s -p 'tir-gpu-kernels{block-kernels=false}' | filecheck %s
// A loop nest that is not parallel runs on one thread: a grid of one block of one thread,
// the same loops in the same order (without block kernels: blocks.mlir shows the sum below
// shared out over the grid). The host's stack slot (the sum's accumulator, which the
// kernel writes) becomes a device buffer allocated first and freed before the return, and a
// value the nest carries out comes back through a rank-0 buffer the host reads.

// CHECK:      func.func @total(%x: memref<?x?xf64>) -> (f64, index) {
// CHECK-NEXT:   %acc = memref.alloc() : memref<f64>
// CHECK:        memref.store %zero, %acc[] : memref<f64>
// CHECK-NEXT:   %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT:   "gpu.launch_func"(%[[ONE]], %[[ONE]], %[[ONE]], %[[ONE]], %[[ONE]], %[[ONE]], %rows, %cols, %x, %acc) <{kernel = @tensorir_kernels::@total_k0
// CHECK-NEXT:   %[[ONE1:[0-9]+]] = arith.constant 1 : index
// CHECK-NEXT:   %count_out = memref.alloc() : memref<index>
// CHECK-NEXT:   "gpu.launch_func"(%[[ONE1]], {{.*}}, %rows, %count_out) <{kernel = @tensorir_kernels::@total_k1
// CHECK-NEXT:   %count = memref.load %count_out[] : memref<index>
// CHECK-NEXT:   memref.dealloc %count_out : memref<index>
// CHECK-NEXT:   %sum = memref.load %acc[] : memref<f64>
// CHECK-NEXT:   memref.dealloc %acc : memref<f64>
// CHECK-NEXT:   func.return %sum, %count : f64, index
// CHECK:        ^bb0(%rows: index, %cols: index, %x: memref<?x?xf64>, %acc: memref<f64>):
// CHECK:          scf.for %i = %c0 to %rows step %c1 {
// CHECK-NEXT:       scf.for %j = %c0 to %cols step %c1 {
// CHECK:        }) {sym_name = "total_k0"} : () -> ()
// CHECK:        ^bb0(%rows: index, %count_out: memref<index>):
// CHECK:          %count = scf.for %i = %c0 to %rows step %c1 iter_args(%k = %c0) -> (index) {
// CHECK:          memref.store %count, %count_out[] : memref<index>
// CHECK-NEXT:     "gpu.return"() : () -> ()
// CHECK-NEXT:   }) {sym_name = "total_k1"} : () -> ()

func.func @total(%x: memref<?x?xf64>) -> (f64, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf64>
  %cols = memref.dim %x, %c1 : memref<?x?xf64>
  %acc = memref.alloca() : memref<f64>
  %zero = arith.constant 0.0 : f64
  memref.store %zero, %acc[] : memref<f64>
  scf.for %i = %c0 to %rows step %c1 {
    scf.for %j = %c0 to %cols step %c1 {
      %v = memref.load %x[%i, %j] : memref<?x?xf64>
      %s = memref.load %acc[] : memref<f64>
      %a = arith.addf %s, %v : f64
      memref.store %a, %acc[] : memref<f64>
    }
  }
  %count = scf.for %i = %c0 to %rows step %c1 iter_args(%k = %c0) -> (index) {
    %k1 = arith.addi %k, %c1 : index
    scf.yield %k1 : index
  }
  %sum = memref.load %acc[] : memref<f64>
  func.return %sum, %count : f64, index
}
