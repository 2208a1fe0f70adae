// RUN: tensorir-opt %s -p tir-gpu-kernels | filecheck %s
// A parallel loop becomes a kernel with a grid-stride loop, launched with a grid sized from
// its trip count (at least one block, at most 4096); what it reads from outside is passed
// in order of first use, its constants and globals are copied in.

// CHECK:      builtin.module attributes {gpu.container_module} {
// CHECK:        func.func @scale(%x: memref<?xf32>, %out: memref<?xf32>) {
// CHECK:          %[[ONE:[0-9]+]] = arith.constant 1 : index
// CHECK-NEXT:     %[[BLOCK:[0-9]+]] = arith.constant 256 : index
// CHECK-NEXT:     %[[SPAN:[0-9]+]] = arith.subi %n, %c0 : index
// CHECK-NEXT:     %[[ZERO:[0-9]+]] = arith.constant 0 : index
// CHECK-NEXT:     %trips = arith.maxsi %[[SPAN]], %[[ZERO]] : index
// CHECK-NEXT:     %[[LESS:[0-9]+]] = arith.subi %[[BLOCK]], %[[ONE]] : index
// CHECK-NEXT:     %[[ROUNDED:[0-9]+]] = arith.addi %trips, %[[LESS]] : index
// CHECK-NEXT:     %[[BLOCKS:[0-9]+]] = arith.divui %[[ROUNDED]], %[[BLOCK]] : index
// CHECK-NEXT:     %[[SOME:[0-9]+]] = arith.maxsi %[[BLOCKS]], %[[ONE]] : index
// CHECK-NEXT:     %[[MOST:[0-9]+]] = arith.constant 4096 : index
// CHECK-NEXT:     %grid_x = arith.minsi %[[SOME]], %[[MOST]] : index
// CHECK-NEXT:     "gpu.launch_func"(%grid_x, %[[ONE]], %[[ONE]], %[[BLOCK]], %[[ONE]], %[[ONE]], %n, %x, %out) <{kernel = @tensorir_kernels::@scale_k0
// CHECK-NOT:    scf.for
// CHECK:          func.return
// CHECK:        "gpu.module"() <{sym_name = "tensorir_kernels"}> ({
// CHECK-NEXT:     "gpu.func"() <{function_type = (index, memref<?xf32>, memref<?xf32>) -> (), kernel}> ({
// CHECK-NEXT:     ^bb0(%n: index, %x: memref<?xf32>, %out: memref<?xf32>):
// CHECK:            %two = memref.get_global @two : memref<f32>
// CHECK-NEXT:       %tid = "gpu.thread_id"() <{dimension = #gpu<dim x>}> : () -> index
// CHECK-NEXT:       %bid = "gpu.block_id"() <{dimension = #gpu<dim x>}> : () -> index
// CHECK-NEXT:       %bdim = "gpu.block_dim"() <{dimension = #gpu<dim x>}> : () -> index
// CHECK-NEXT:       %gdim = "gpu.grid_dim"() <{dimension = #gpu<dim x>}> : () -> index
// CHECK-NEXT:       %[[BASE:.*]] = arith.muli %bid, %bdim : index
// CHECK-NEXT:       %gid = arith.addi %[[BASE]], %tid : index
// CHECK-NEXT:       %[[OFF:.*]] = arith.muli %gid, %c1 : index
// CHECK-NEXT:       %first = arith.addi %c0, %[[OFF]] : index
// CHECK-NEXT:       %threads = arith.muli %bdim, %gdim : index
// CHECK-NEXT:       %stride = arith.muli %threads, %c1 : index
// CHECK-NEXT:       scf.for %i = %first to %n step %stride {
// CHECK-NEXT:         %v = memref.load %x[%i] : memref<?xf32>
// CHECK-NEXT:         %t = memref.load %two[] : memref<f32>
// CHECK-NEXT:         %y = arith.mulf %v, %t : f32
// CHECK-NEXT:         memref.store %y, %out[%i] : memref<?xf32>
// CHECK-NEXT:       }
// CHECK-NEXT:       "gpu.return"() : () -> ()
// CHECK-NEXT:     }) {sym_name = "scale_k0"} : () -> ()
// CHECK-NEXT:     "memref.global"() <{sym_name = "two"

"memref.global"() <{sym_name = "two", type = memref<f32>, initial_value = dense<2.0> : tensor<f32>, sym_visibility = "private", constant}> : () -> ()
func.func @scale(%x: memref<?xf32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  %two = memref.get_global @two : memref<f32>
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %x[%i] : memref<?xf32>
    %t = memref.load %two[] : memref<f32>
    %y = arith.mulf %v, %t : f32
    memref.store %y, %out[%i] : memref<?xf32>
  } {tir.parallel}
  func.return
}
