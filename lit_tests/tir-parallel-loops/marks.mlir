// RUN: tensorir-opt %s -p tir-parallel-loops | filecheck %s
// The outermost loops whose iteration i touches only row i of what it writes are marked
// {tir.parallel}; the loops inside them are not.

// an elementwise kernel, constants read through a global
// CHECK-LABEL: func.func @axpy
// CHECK:       scf.for %i = %c0 to %n step %c1 {
// CHECK:         memref.store %r, %out[%i] : memref<?xf32>
// CHECK-NEXT:  } {tir.parallel}
"memref.global"() <{sym_name = "two", type = memref<1xf32>, initial_value = dense<2.000000e+00> : tensor<1xf32>, sym_visibility = "private", constant}> : () -> ()
func.func @axpy(%x: memref<?xf32>, %y: memref<?xf32>) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  %two = memref.get_global @two : memref<1xf32>
  %out = memref.alloc(%n) : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %a = memref.load %two[%c0] : memref<1xf32>
    %v = memref.load %x[%i] : memref<?xf32>
    %w = memref.load %y[%i] : memref<?xf32>
    %p = arith.mulf %a, %v : f32
    %r = arith.addf %p, %w : f32
    memref.store %r, %out[%i] : memref<?xf32>
  }
  func.return %out : memref<?xf32>
}

// a sum along each row: the row's accumulator is read and written at [%i], the inner loop
// carries a value and uses a stack slot of its own; an in-place update of an argument
// CHECK-LABEL: func.func @row_sums
// CHECK:       scf.for %i = %c0 to %rows step %c1 {
// CHECK:         %s = scf.for %j = %c0 to %cols step %c1 iter_args(%acc = %zero) -> (f64) {
// CHECK:         }
// CHECK-NOT:     tir.parallel
// CHECK:         memref.store %t, %sums[%i] : memref<?xf64>
// CHECK-NEXT:  } {tir.parallel}
func.func @row_sums(%x: memref<?x?xf64>, %sums: memref<?xf64>) -> memref<?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf64>
  %cols = memref.dim %x, %c1 : memref<?x?xf64>
  %zero = arith.constant 0.000000e+00 : f64
  scf.for %i = %c0 to %rows step %c1 {
    %slot = memref.alloca() : memref<4xf64>
    memref.store %zero, %slot[%c0] : memref<4xf64>
    %s = scf.for %j = %c0 to %cols step %c1 iter_args(%acc = %zero) -> (f64) {
      %v = memref.load %x[%i, %j] : memref<?x?xf64>
      %a = arith.addf %acc, %v : f64
      scf.yield %a : f64
    }
    %old = memref.load %sums[%i] : memref<?xf64>
    %k = memref.load %slot[%c0] : memref<4xf64>
    %u = arith.addf %old, %s : f64
    %t = arith.addf %u, %k : f64
    memref.store %t, %sums[%i] : memref<?xf64>
  }
  func.return %sums : memref<?xf64>
}

// a row of a matrix scaled by a vector read whole in every iteration, under an scf.if
// CHECK-LABEL: func.func @scale_rows
// CHECK:       scf.for %i = %c0 to %rows step %c1 {
// CHECK:       } {tir.parallel}
func.func @scale_rows(%x: memref<?x?xf32>, %v: memref<?xf32>, %flag: i1) -> memref<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf32>
  %cols = memref.dim %x, %c1 : memref<?x?xf32>
  %out = memref.alloc(%rows, %cols) : memref<?x?xf32>
  scf.for %i = %c0 to %rows step %c1 {
    scf.for %j = %c0 to %cols step %c1 {
      %a = memref.load %x[%i, %j] : memref<?x?xf32>
      %b = memref.load %v[%j] : memref<?xf32>
      %p = arith.mulf %a, %b : f32
      %r = scf.if %flag -> (f32) {
        %q = math.exp %p : f32
        scf.yield %q : f32
      } else {
        scf.yield %p : f32
      }
      memref.store %r, %out[%i, %j] : memref<?x?xf32>
    }
  }
  func.return %out : memref<?x?xf32>
}

// a gather checking each index: it writes only its own allocation, so a failed call leaves
// nothing behind; the emitter raises the first failing iteration's check
// CHECK-LABEL: func.func @gather
// CHECK:       scf.for %i = %c0 to %n step %c1 {
// CHECK:         tir.check
// CHECK:       } {tir.parallel}
func.func @gather(%x: memref<?x?xf64>, %idx: memref<?xi64>) -> memref<?x?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0 : i64
  %n = memref.dim %idx, %c0 : memref<?xi64>
  %rows = memref.dim %x, %c0 : memref<?x?xf64>
  %cols = memref.dim %x, %c1 : memref<?x?xf64>
  %rows64 = arith.index_cast %rows : index to i64
  %out = memref.alloc(%n, %cols) : memref<?x?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %k = memref.load %idx[%i] : memref<?xi64>
    %lo = arith.cmpi sge, %k, %zero : i64
    %hi = arith.cmpi slt, %k, %rows64 : i64
    %ok = arith.andi %lo, %hi : i1
    "tir.check"(%ok, %k, %rows64) <{kind = "IndexError", message = "index {0} is out of bounds for size {1}"}> : (i1, i64, i64) -> ()
    %r = arith.index_cast %k : i64 to index
    scf.for %j = %c0 to %cols step %c1 {
      %v = memref.load %x[%r, %j] : memref<?x?xf64>
      memref.store %v, %out[%i, %j] : memref<?x?xf64>
    }
  }
  func.return %out : memref<?x?xf64>
}

// a transpose: iteration i writes column i of %out, the same place of every access
// CHECK-LABEL: func.func @transpose
// CHECK:       scf.for %i = %c0 to %rows step %c1 {
// CHECK:       } {tir.parallel}
func.func @transpose(%x: memref<?x?xf64>) -> memref<?x?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf64>
  %cols = memref.dim %x, %c1 : memref<?x?xf64>
  %out = memref.alloc(%cols, %rows) : memref<?x?xf64>
  scf.for %i = %c0 to %rows step %c1 {
    scf.for %j = %c0 to %cols step %c1 {
      %v = memref.load %x[%i, %j] : memref<?x?xf64>
      memref.store %v, %out[%j, %i] : memref<?x?xf64>
    }
  }
  func.return %out : memref<?x?xf64>
}
