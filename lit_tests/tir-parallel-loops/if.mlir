// RUN: tensorir-opt %s -p tir-parallel-loops | filecheck %s
// Loops inside the regions of an scf.if are outermost loops too. The result of an scf.if
// whose regions both yield a buffer they allocated (a tir.if, bufferized) is memory of its
// own: a loop reading it and writing another buffer is parallel. One that may be an argument
// (the else region yields %x itself) is of unknown origin: the loop stays serial.

// CHECK-LABEL: func.func @fresh
func.func @fresh(%c: i1, %n: index, %x: memref<?xf64>) -> memref<?xf64> {
  %0 = arith.constant 0 : index
  %1 = arith.constant 1 : index
  %r = scf.if %c -> (memref<?xf64>) {
    %a = memref.alloc(%n) : memref<?xf64>
    // CHECK: scf.for %i
    scf.for %i = %0 to %n step %1 {
      %v = memref.load %x[%i] : memref<?xf64>
      memref.store %v, %a[%i] : memref<?xf64>
    // CHECK: } {tir.parallel}
    }
    scf.yield %a : memref<?xf64>
  } else {
    %b = memref.alloc(%n) : memref<?xf64>
    scf.yield %b : memref<?xf64>
  }
  %out = memref.alloc(%n) : memref<?xf64>
  // CHECK: scf.for %j
  scf.for %j = %0 to %n step %1 {
    %w = memref.load %r[%j] : memref<?xf64>
    %e = math.exp %w : f64
    memref.store %e, %out[%j] : memref<?xf64>
  // CHECK: } {tir.parallel}
  }
  memref.dealloc %r : memref<?xf64>
  func.return %out : memref<?xf64>
}

// CHECK-LABEL: func.func @maybe_argument
func.func @maybe_argument(%c: i1, %n: index, %x: memref<?xf64>) -> memref<?xf64> {
  %0 = arith.constant 0 : index
  %1 = arith.constant 1 : index
  %r = scf.if %c -> (memref<?xf64>) {
    %a = memref.alloc(%n) : memref<?xf64>
    scf.yield %a : memref<?xf64>
  } else {
    scf.yield %x : memref<?xf64>
  }
  %out = memref.alloc(%n) : memref<?xf64>
  // CHECK: scf.for %j
  scf.for %j = %0 to %n step %1 {
    %w = memref.load %r[%j] : memref<?xf64>
    memref.store %w, %out[%j] : memref<?xf64>
  // CHECK-NEXT: memref.load
  // CHECK-NEXT: memref.store
  // CHECK-NEXT: }{{$}}
  }
  func.return %out : memref<?xf64>
}
