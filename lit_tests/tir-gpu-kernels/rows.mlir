// RUN: tensorir-opt %s -p tir-gpu-kernels | filecheck %s
// A parallel loop over rows whose body is a loop over columns with independent iterations
// (an elementwise kernel on a matrix) goes to threads along both: rows over y, columns over
// x, so that neighbouring threads touch neighbouring elements. A block is the row length
// rounded up to a warp (at most 256) by 256 / that many rows.

// CHECK:      func.func @add(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %out: memref<?x?xf32>) {
// CHECK:        %rows = arith.maxsi
// CHECK:        %columns = arith.maxsi
// CHECK:        %block_x = arith.minsi
// CHECK-NEXT:   %block_y = arith.divui %{{.*}}, %block_x : index
// CHECK:        %grid_x = arith.minsi
// CHECK:        %grid_y = arith.minsi
// CHECK-NEXT:   "gpu.launch_func"(%grid_x, %grid_y, %{{.*}}, %block_x, %block_y, %{{.*}}, %m, %n, %a, %b, %out)

// A column loop that writes what another column reads is not split across threads: only the
// rows are (one thread per row).
// CHECK:      func.func @shift
// CHECK:        "gpu.launch_func"(%grid_x{{.*}}, %[[ONE:[0-9]+]], %[[ONE]], %{{.*}}, %[[ONE]], %[[ONE]]

// CHECK:        %tid_y = "gpu.thread_id"() <{dimension = #gpu<dim y>}> : () -> index
// CHECK:        %first_y = arith.addi %c0, %{{.*}} : index
// CHECK:        %stride_y = arith.muli %threads_y, %c1 : index
// CHECK-NEXT:   %tid = "gpu.thread_id"() <{dimension = #gpu<dim x>}> : () -> index
// CHECK:        %first = arith.addi %c0, %{{.*}} : index
// CHECK:        %stride = arith.muli %threads, %c1 : index
// CHECK-NEXT:   scf.for %i = %first_y to %m step %stride_y {
// CHECK-NEXT:     scf.for %j = %first to %n step %stride {
// CHECK-NEXT:       %x = memref.load %a[%i, %j] : memref<?x?xf32>
// CHECK:        }) {sym_name = "add_k0"}
// CHECK:        scf.for %i = %first to %m step %stride {
// CHECK-NEXT:     scf.for %j = %c1 to %n step %c1 {
// CHECK:        }) {sym_name = "shift_k1"}

func.func @add(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %a, %c0 : memref<?x?xf32>
  %n = memref.dim %a, %c1 : memref<?x?xf32>
  scf.for %i = %c0 to %m step %c1 {
    scf.for %j = %c0 to %n step %c1 {
      %x = memref.load %a[%i, %j] : memref<?x?xf32>
      %y = memref.load %b[%i, %j] : memref<?x?xf32>
      %s = arith.addf %x, %y : f32
      memref.store %s, %out[%i, %j] : memref<?x?xf32>
    }
  } {tir.parallel}
  func.return
}

func.func @shift(%a: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %a, %c0 : memref<?x?xf32>
  %n = memref.dim %a, %c1 : memref<?x?xf32>
  scf.for %i = %c0 to %m step %c1 {
    scf.for %j = %c1 to %n step %c1 {
      %k = arith.subi %j, %c1 : index
      %x = memref.load %a[%i, %k] : memref<?x?xf32>
      memref.store %x, %a[%i, %j] : memref<?x?xf32>
    }
  } {tir.parallel}
  func.return
}
