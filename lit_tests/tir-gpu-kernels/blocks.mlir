// RUN: tensorir-opt %s -p tir-gpu-kernels | filecheck %s
// Block kernels: nests whose threads work together.
// - @row_sums: a parallel loop whose body reduces. A block takes a row (the row loop strides
//   over the blocks, the same in every thread: uniform code); the reduction loop is shared
//   out among the block's threads, each carrying its partial sum, combined by
//   tir.block_reduce; what the row stores, one thread stores; a loop with independent
//   iterations is shared out by tir.block_threads. One block per row, 256 threads.
// - @total: a nest whose only store accumulates into one element. Its iterations are
//   numbered (k = i * cols + j) and shared out over the grid; each block's value goes to
//   partials[block]; a second kernel of one block combines them into the element.
// - @matmul: a parallel loop over rows computing a matrix product's rows (its fill, then
//   `for p { for j { C[i, j] += a(i, p) * b(p, j) } }`) is tiled: the fill becomes a kernel
//   of its own (2-D, elementwise); then block (x, y) computes 16 x 16 tiles of C, staging
//   16 columns of a and 16 rows of b at a time in shared memory (tir.block_buffer), each
//   thread combining its element over p in the CPU's order.
// - @column_sums: `for i { for j {...} }` whose inner loop has independent iterations is
//   interchanged: thread j runs the i in order (neighbouring threads, neighbouring
//   elements).

// CHECK-LABEL: func.func @row_sums(
// CHECK:         %[[ONE:[0-9]+]] = arith.constant 1 : index
// CHECK-NEXT:    %[[BLOCK:[0-9]+]] = arith.constant 256 : index
// CHECK:         %grid_x = arith.minsi
// CHECK-NEXT:    "gpu.launch_func"(%grid_x, %[[ONE]], %[[ONE]], %[[BLOCK]], %[[ONE]], %[[ONE]], %rows, %out, %cols, %x) <{kernel = @tensorir_kernels::@row_sums_k0
// CHECK-LABEL: func.func @total(
// CHECK:         %grid_x = arith.minsi
// CHECK-NEXT:    %partials = memref.alloc(%grid_x) : memref<?xf32>
// CHECK-NEXT:    "gpu.launch_func"(%grid_x, %[[ONE:[0-9]+]], %[[ONE]], %[[BLOCK:.*]], %[[ONE]], %[[ONE]], %rows, %cols, %x, %partials) <{kernel = @tensorir_kernels::@total_k1
// CHECK-NEXT:    "gpu.launch_func"(%[[ONE]], %[[ONE]], %[[ONE]], %[[BLOCK]], %[[ONE]], %[[ONE]], %partials, %acc) <{kernel = @tensorir_kernels::@total_k2
// CHECK-NEXT:    memref.dealloc %partials : memref<?xf32>
// CHECK-NEXT:    %max = memref.load %acc[] : memref<f32>
// CHECK-LABEL: func.func @column_sums(
// CHECK:         "gpu.launch_func"(%grid_x, {{.*}}, %cols, %rows, %x, %out) <{kernel = @tensorir_kernels::@column_sums_k3

// CHECK:       ^bb0(%rows: index, %out: memref<?xf64>, %cols: index, %x: memref<?x?xf64>):
// CHECK:         %bid = "gpu.block_id"() <{dimension = #gpu<dim x>}> : () -> index
// CHECK-NEXT:    %gdim = "gpu.grid_dim"() <{dimension = #gpu<dim x>}> : () -> index
// CHECK-NEXT:    %[[B:.*]] = arith.muli %bid, %c1 : index
// CHECK-NEXT:    %row = arith.addi %c0, %[[B]] : index
// CHECK-NEXT:    %rows_stride = arith.muli %gdim, %c1 : index
// CHECK-NEXT:    scf.for %i = %row to %rows step %rows_stride {
// CHECK-NEXT:      tir.block_single {
// CHECK-NEXT:        memref.store %zero, %out[%i] : memref<?xf64>
// CHECK-NEXT:      }
// CHECK-NEXT:      %partial = tir.block_reduce "addf" : f64 {
// CHECK-NEXT:        %tid = "gpu.thread_id"() <{dimension = #gpu<dim x>}> : () -> index
// CHECK-NEXT:        %bdim = "gpu.block_dim"() <{dimension = #gpu<dim x>}> : () -> index
// CHECK-NEXT:        %[[T:.*]] = arith.muli %tid, %c1 : index
// CHECK-NEXT:        %first = arith.addi %c0, %[[T]] : index
// CHECK-NEXT:        %stride = arith.muli %bdim, %c1 : index
// CHECK-NEXT:        %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-NEXT:        %[[SUM:.*]] = scf.for %j = %first to %cols step %stride iter_args(%acc = %[[ZERO]]) -> (f64) {
// CHECK-NEXT:          %v = memref.load %x[%i, %j] : memref<?x?xf64>
// CHECK-NEXT:          %a = arith.addf %acc, %v : f64
// CHECK-NEXT:          scf.yield %a : f64
// CHECK-NEXT:        }
// CHECK-NEXT:        tir.block_yield %[[SUM]] : f64
// CHECK-NEXT:      }
// CHECK-NEXT:      tir.block_single {
// CHECK-NEXT:        %[[OLD:.*]] = memref.load %out[%i] : memref<?xf64>
// CHECK-NEXT:        %[[NEW:.*]] = arith.addf %[[OLD]], %partial : f64
// CHECK-NEXT:        memref.store %[[NEW]], %out[%i] : memref<?xf64>
// CHECK-NEXT:      }
// CHECK-NEXT:      tir.block_threads {
// CHECK:             scf.for %j_1 = %first_1 to %cols step %stride_1 {
// CHECK:               memref.store %d, %x[%i, %j_1] : memref<?x?xf64>
// CHECK:         }) {sym_name = "row_sums_k0", tir.block_level} : () -> ()

// CHECK:       ^bb0(%rows: index, %cols: index, %x: memref<?x?xf32>, %partials: memref<?xf32>):
// CHECK:         %n_1 = arith.maxsi
// CHECK-NEXT:    %total = arith.muli %n, %n_1 : index
// CHECK-NEXT:    %partial = tir.block_reduce "maximumf" : f32 {
// CHECK:           %first = arith.addi
// CHECK-NEXT:      %stride = arith.muli %bdim, %gdim : index
// CHECK-NEXT:      %[[LOW:.*]] = arith.constant 0xff800000 : f32
// CHECK-NEXT:      %[[MAX:.*]] = scf.for %k = %first to %total step %stride iter_args(%acc = %[[LOW]]) -> (f32) {
// CHECK-NEXT:        %[[R:.*]] = arith.remui %k, %n_1 : index
// CHECK-NEXT:        %j = arith.addi %c0, %[[R]] : index
// CHECK-NEXT:        %[[Q:.*]] = arith.divui %k, %n_1 : index
// CHECK-NEXT:        %i = arith.addi %c0, %[[Q]] : index
// CHECK-NEXT:        %v = memref.load %x[%i, %j] : memref<?x?xf32>
// CHECK-NEXT:        %[[M:.*]] = arith.maximumf %acc, %v : f32
// CHECK-NEXT:        scf.yield %[[M]] : f32
// CHECK-NEXT:      }
// CHECK-NEXT:      tir.block_yield %[[MAX]] : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    tir.block_single {
// CHECK-NEXT:      %bid_1 = "gpu.block_id"() <{dimension = #gpu<dim x>}> : () -> index
// CHECK-NEXT:      memref.store %partial, %partials[%bid_1] : memref<?xf32>
// CHECK-NEXT:    }
// CHECK:         }) {sym_name = "total_k1", tir.block_level} : () -> ()
// CHECK:       ^bb0(%partials: memref<?xf32>, %acc: memref<f32>):
// CHECK-NEXT:    %total = tir.block_reduce "maximumf" : f32 {
// CHECK:           %count = memref.dim %partials
// CHECK:           scf.for %k = %tid to %count step %bdim iter_args
// CHECK:         tir.block_single {
// CHECK-NEXT:      %[[OLD:.*]] = memref.load %acc[] : memref<f32>
// CHECK-NEXT:      %[[NEW:.*]] = arith.maximumf %[[OLD]], %total : f32
// CHECK-NEXT:      memref.store %[[NEW]], %acc[] : memref<f32>
// CHECK:         }) {sym_name = "total_k2", tir.block_level} : () -> ()

// CHECK:       ^bb0(%cols: index, %rows: index, %x: memref<?x?xi64>, %out: memref<?xi64>):
// CHECK:         scf.for %j = %first to %cols step %stride {
// CHECK-NEXT:      scf.for %i = %c0 to %rows step %c1 {
// CHECK-NEXT:        %v = memref.load %x[%i, %j] : memref<?x?xi64>
// CHECK:           }
// CHECK-NEXT:    }
// CHECK-NEXT:    "gpu.return"() : () -> ()
// CHECK-NEXT:  }) {sym_name = "column_sums_k3"} : () -> ()

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

func.func @total(%x: memref<?x?xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf32>
  %cols = memref.dim %x, %c1 : memref<?x?xf32>
  %acc = memref.alloca() : memref<f32>
  %low = arith.constant 0xFF800000 : f32
  memref.store %low, %acc[] : memref<f32>
  scf.for %i = %c0 to %rows step %c1 {
    scf.for %j = %c0 to %cols step %c1 {
      %v = memref.load %x[%i, %j] : memref<?x?xf32>
      %s = memref.load %acc[] : memref<f32>
      %m = arith.maximumf %s, %v : f32
      memref.store %m, %acc[] : memref<f32>
    }
  }
  %max = memref.load %acc[] : memref<f32>
  func.return %max : f32
}

func.func @column_sums(%x: memref<?x?xi64>, %out: memref<?xi64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xi64>
  %cols = memref.dim %x, %c1 : memref<?x?xi64>
  scf.for %i = %c0 to %rows step %c1 {
    scf.for %j = %c0 to %cols step %c1 {
      %v = memref.load %x[%i, %j] : memref<?x?xi64>
      %s = memref.load %out[%j] : memref<?xi64>
      %a = arith.addi %s, %v : i64
      memref.store %a, %out[%j] : memref<?xi64>
    }
  }
  func.return
}

// CHECK:       ^bb0(%m: index, %n: index, %c: memref<?x?xf64>):
// CHECK:         memref.store %zero, %c[%i, %j] : memref<?x?xf64>
// CHECK:         }) {sym_name = "matmul_k4"} : () -> ()
// CHECK:       ^bb0(%m: index, %n: index, %c: memref<?x?xf64>, %k: index, %a: memref<?x?xf64>, %b: memref<?x?xf64>):
// CHECK:         %a_tile = tir.block_buffer : memref<16x16xf64>
// CHECK-NEXT:    %b_tile = tir.block_buffer : memref<16x16xf64>
// CHECK-NEXT:    %c_tile = tir.block_buffer : memref<16x16xf64>
// CHECK:         scf.for %ti = %{{.*}} to %m step %rows_stride {
// CHECK-NEXT:      scf.for %tj = %{{.*}} to %n step %cols_stride {
// CHECK-NEXT:        tir.block_threads {
// CHECK-NEXT:          %ty = "gpu.thread_id"() <{dimension = #gpu<dim y>}> : () -> index
// CHECK-NEXT:          %tx = "gpu.thread_id"() <{dimension = #gpu<dim x>}> : () -> index
// CHECK-NEXT:          %i = arith.addi %ti, %ty : index
// CHECK-NEXT:          %j = arith.addi %tj, %tx : index
// CHECK:               scf.if %{{.*}} {
// CHECK-NEXT:            %[[E:.*]] = memref.load %c[%i, %j] : memref<?x?xf64>
// CHECK-NEXT:            memref.store %[[E]], %c_tile[%ty, %tx] : memref<16x16xf64>
// CHECK:             scf.for %tp = %c0 to %k step %{{.*}} {
// CHECK-NEXT:          tir.block_threads {
// CHECK:                 %x = memref.load %a[%{{.*}}, %{{.*}}] : memref<?x?xf64>
// CHECK-NEXT:            memref.store %x, %a_tile[%ty_1, %tx_1] : memref<16x16xf64>
// CHECK:                 %y = memref.load %b[%{{.*}}, %{{.*}}] : memref<?x?xf64>
// CHECK-NEXT:            memref.store %y, %b_tile[%ty_1, %tx_1] : memref<16x16xf64>
// CHECK:               tir.block_threads {
// CHECK:                   %stage = arith.minsi
// CHECK-NEXT:              %[[START:.*]] = memref.load %c_tile[%ty_2, %tx_2] : memref<16x16xf64>
// CHECK:                   %[[SUM:.*]] = scf.for %kk = %{{.*}} to %stage step %{{.*}} iter_args(%acc = %[[START]]) -> (f64) {
// CHECK-NEXT:                %[[A:.*]] = memref.load %a_tile[%ty_2, %kk] : memref<16x16xf64>
// CHECK-NEXT:                %[[B:.*]] = memref.load %b_tile[%kk, %tx_2] : memref<16x16xf64>
// CHECK:                     %xy = arith.mulf %[[A]], %[[B]] : f64
// CHECK-NEXT:                %[[T:.*]] = arith.addf %acc, %xy : f64
// CHECK-NEXT:                scf.yield %[[T]] : f64
// CHECK:                   memref.store %[[SUM]], %c_tile[%ty_2, %tx_2] : memref<16x16xf64>
// CHECK:             tir.block_threads {
// CHECK:                 %[[R:.*]] = memref.load %c_tile[%ty_3, %tx_3] : memref<16x16xf64>
// CHECK-NEXT:            memref.store %[[R]], %c[%i_2, %j_2] : memref<?x?xf64>
// CHECK:         }) {sym_name = "matmul_k5", tir.block_level} : () -> ()

func.func @matmul(%a: memref<?x?xf64>, %b: memref<?x?xf64>, %c: memref<?x?xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %a, %c0 : memref<?x?xf64>
  %k = memref.dim %a, %c1 : memref<?x?xf64>
  %n = memref.dim %b, %c1 : memref<?x?xf64>
  %zero = arith.constant 0.0 : f64
  scf.for %i = %c0 to %m step %c1 {
    scf.for %j = %c0 to %n step %c1 {
      memref.store %zero, %c[%i, %j] : memref<?x?xf64>
    }
    scf.for %p = %c0 to %k step %c1 {
      scf.for %j = %c0 to %n step %c1 {
        %x = memref.load %a[%i, %p] : memref<?x?xf64>
        %y = memref.load %b[%p, %j] : memref<?x?xf64>
        %s = memref.load %c[%i, %j] : memref<?x?xf64>
        %xy = arith.mulf %x, %y : f64
        %t = arith.addf %s, %xy : f64
        memref.store %t, %c[%i, %j] : memref<?x?xf64>
      }
    }
  } {tir.parallel}
  func.return
}

// A product whose combination reads more than a and b (here w[i, j]) is not tiled: its rows
// are a block's, `for p { for j }` is interchanged, the threads share the columns, each
// carrying its element through p in a register.
// CHECK:       ^bb0(%m: index, %n: index, %c: memref<?x?xf64>, %k: index, %a: memref<?x?xf64>, %b: memref<?x?xf64>, %w: memref<?x?xf64>):
// CHECK:         tir.block_threads {
// CHECK:           scf.for %j = %first to %n step %stride {
// CHECK-NEXT:        %element = memref.load %c[%i, %j] : memref<?x?xf64>
// CHECK-NEXT:        %[[E:.*]] = scf.for %p = %c0 to %k step %c1 iter_args(%acc = %element) -> (f64) {
// CHECK:               %t = arith.addf %acc, %xyw : f64
// CHECK-NEXT:          scf.yield %t : f64
// CHECK-NEXT:        }
// CHECK-NEXT:        memref.store %[[E]], %c[%i, %j] : memref<?x?xf64>
// CHECK:         }) {sym_name = "weighted_k6", tir.block_level} : () -> ()
func.func @weighted(%a: memref<?x?xf64>, %b: memref<?x?xf64>, %w: memref<?x?xf64>, %c: memref<?x?xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %a, %c0 : memref<?x?xf64>
  %k = memref.dim %a, %c1 : memref<?x?xf64>
  %n = memref.dim %b, %c1 : memref<?x?xf64>
  scf.for %i = %c0 to %m step %c1 {
    scf.for %p = %c0 to %k step %c1 {
      scf.for %j = %c0 to %n step %c1 {
        %x = memref.load %a[%i, %p] : memref<?x?xf64>
        %y = memref.load %b[%p, %j] : memref<?x?xf64>
        %v = memref.load %w[%i, %j] : memref<?x?xf64>
        %s = memref.load %c[%i, %j] : memref<?x?xf64>
        %xy = arith.mulf %x, %y : f64
        %xyw = arith.mulf %xy, %v : f64
        %t = arith.addf %s, %xyw : f64
        memref.store %t, %c[%i, %j] : memref<?x?xf64>
      }
    }
  } {tir.parallel}
  func.return
}
