// RUN: tensorir-opt %s -p tir-parallel-loops | filecheck %s
// Loops whose iterations depend on each other, or that fail, call or allocate, stay serial.

// CHECK-NOT: tir.parallel

// a sum along the outer dimension: every iteration adds into the same elements
func.func @column_sums(%x: memref<?x?xf32>, %sums: memref<?xf32>) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf32>
  %cols = memref.dim %x, %c1 : memref<?x?xf32>
  scf.for %i = %c0 to %rows step %c1 {
    scf.for %j = %c0 to %cols step %c1 {
      %v = memref.load %x[%i, %j] : memref<?x?xf32>
      %s = memref.load %sums[%j] : memref<?xf32>
      %a = arith.addf %s, %v : f32
      memref.store %a, %sums[%j] : memref<?xf32>
    }
  }
  func.return %sums : memref<?xf32>
}

// a sum of everything into one element, a nest whose outer loop stores into one element,
// and a nest whose iteration reads element j + 1 of what it writes
func.func @nests(%x: memref<?x?xf32>, %acc: memref<1xf32>, %sums: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf32>
  %cols = memref.dim %x, %c1 : memref<?x?xf32>
  %m = arith.subi %cols, %c1 : index
  scf.for %i = %c0 to %rows step %c1 {
    scf.for %j = %c0 to %cols step %c1 {
      %v = memref.load %x[%i, %j] : memref<?x?xf32>
      %s = memref.load %acc[%c0] : memref<1xf32>
      %a = arith.addf %s, %v : f32
      memref.store %a, %acc[%c0] : memref<1xf32>
    }
  }
  scf.for %i2 = %c0 to %rows step %c1 {
    %v = memref.load %x[%i2, %c0] : memref<?x?xf32>
    memref.store %v, %sums[%c0] : memref<?xf32>
    scf.for %j2 = %c0 to %cols step %c1 {
      %w = memref.load %x[%i2, %j2] : memref<?x?xf32>
      memref.store %w, %sums[%j2] : memref<?xf32>
    }
  }
  scf.for %i3 = %c0 to %rows step %c1 {
    scf.for %j3 = %c0 to %m step %c1 {
      %next = arith.addi %j3, %c1 : index
      %w = memref.load %sums[%next] : memref<?xf32>
      memref.store %w, %sums[%j3] : memref<?xf32>
    }
  }
  func.return
}

// iteration i reads the element iteration i + 1 writes
func.func @shift(%x: memref<?xf64>) -> memref<?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?xf64>
  %m = arith.subi %n, %c1 : index
  scf.for %i = %c0 to %m step %c1 {
    %next = arith.addi %i, %c1 : index
    %v = memref.load %x[%next] : memref<?xf64>
    memref.store %v, %x[%i] : memref<?xf64>
  }
  func.return %x : memref<?xf64>
}

// a total carried from one iteration to the next, and a rank-0 accumulator
func.func @totals(%x: memref<?xf64>, %acc: memref<f64>) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?xf64>
  %zero = arith.constant 0.000000e+00 : f64
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%a = %zero) -> (f64) {
    %v = memref.load %x[%i] : memref<?xf64>
    %b = arith.addf %a, %v : f64
    scf.yield %b : f64
  }
  scf.for %i2 = %c0 to %n step %c1 {
    %v = memref.load %x[%i2] : memref<?xf64>
    %old = memref.load %acc[] : memref<f64>
    %b = arith.addf %old, %v : f64
    memref.store %b, %acc[] : memref<f64>
  }
  func.return %s : f64
}

// a run-time check in a loop that writes an argument, a BLAS call, a buffer allocated and
// freed in each iteration, a step of 2
func.func private @tensorir_cblas_ddot(i64, memref<?xf64>, i64, memref<?xf64>, i64) -> f64
func.func @effects(%x: memref<?x?xf64>, %out: memref<?xf64>) -> memref<?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %i1 = arith.constant 1 : i64
  %rows = memref.dim %x, %c0 : memref<?x?xf64>
  %cols = memref.dim %x, %c1 : memref<?x?xf64>
  %n = memref.dim %out, %c0 : memref<?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %out[%i] : memref<?xf64>
    %ok = arith.cmpf oeq, %v, %v : f64
    "tir.check"(%ok) <{kind = "ValueError", message = "nan"}> : (i1) -> ()
    memref.store %v, %out[%i] : memref<?xf64>
  }
  scf.for %i2 = %c0 to %n step %c1 {
    %d = func.call @tensorir_cblas_ddot(%i1, %out, %i1, %out, %i1) : (i64, memref<?xf64>, i64, memref<?xf64>, i64) -> f64
    memref.store %d, %out[%i2] : memref<?xf64>
  }
  scf.for %i3 = %c0 to %n step %c1 {
    %t = memref.alloc(%cols) : memref<?xf64>
    %v = memref.load %out[%i3] : memref<?xf64>
    memref.store %v, %t[%c0] : memref<?xf64>
    memref.dealloc %t : memref<?xf64>
    memref.store %v, %out[%i3] : memref<?xf64>
  }
  scf.for %i4 = %c0 to %n step %c2 {
    %v = memref.load %out[%i4] : memref<?xf64>
    memref.store %v, %out[%i4] : memref<?xf64>
  }
  func.return %out : memref<?xf64>
}

// a write into a buffer that the loop also reads through a view of another shape, and a
// write through a buffer chosen at run time
func.func @views(%x: memref<?x?xf64>, %y: memref<?x?xf64>, %flag: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf64>
  %cols = memref.dim %x, %c1 : memref<?x?xf64>
  %flat = "tir.reshape"(%x, %cols, %rows) : (memref<?x?xf64>, index, index) -> memref<?x?xf64>
  scf.for %i = %c0 to %rows step %c1 {
    %v = memref.load %flat[%i, %c0] : memref<?x?xf64>
    memref.store %v, %x[%i, %c0] : memref<?x?xf64>
  }
  %either = arith.select %flag, %x, %y : memref<?x?xf64>
  scf.for %i2 = %c0 to %rows step %c1 {
    %v = memref.load %y[%i2, %c0] : memref<?x?xf64>
    memref.store %v, %either[%i2, %c0] : memref<?x?xf64>
  }
  func.return
}
