// RUN: tensorir-opt %s -p tir-to-loops | filecheck %s
// tir.arange_shape and tir.arange_into become numpy's count (checked) and a loop storing
// start + k * step; tir.map_into becomes an scf.for over the rows of its buffer, whose
// tir.row_into checks the row's shape and copies it by a loop nest.

// CHECK-LABEL: func.func @arange
func.func @arange(%start: i64, %stop: i64, %step: i64) -> memref<?xi64> {
  // CHECK:      tir.check %{{.*}}, "ValueError", "arange: step must not be zero (built at p.py:1: r = arange(a, b, c))"
  // CHECK:      %[[UP:.*]] = arith.cmpi sgt, %step, %{{.*}} : i64
  // CHECK-NEXT: %[[HI:.*]] = arith.select %[[UP]], %stop, %start : i64
  // CHECK-NEXT: %[[LO:.*]] = arith.select %[[UP]], %start, %stop : i64
  // CHECK-NEXT: %[[SPAN:.*]] = arith.subi %[[HI]], %[[LO]] : i64
  // CHECK:      %[[Q:.*]] = arith.divui %[[SPAN]], %[[STRIDE:.*]] : i64
  // CHECK-NEXT: %[[R:.*]] = arith.remui %[[SPAN]], %[[STRIDE]] : i64
  // CHECK:      %[[COUNT:.*]] = arith.addi %[[Q]], %{{.*}} : i64
  // CHECK-NEXT: %[[EMPTY:.*]] = arith.cmpi sle, %[[HI]], %[[LO]] : i64
  // CHECK:      tir.check %{{.*}}, "ValueError", "arange: Maximum allowed size exceeded (built at p.py:1: r = arange(a, b, c))"
  // CHECK:      %[[N:.*]] = arith.select %[[EMPTY]], %{{.*}}, %[[COUNT]] : i64
  // CHECK:      tir.check %{{.*}}, "ValueError", "arange: array is too big: {0} elements of int64 are more than 2**63 - 1 bytes (built at p.py:1: r = arange(a, b, c))"(%[[N]] : i64)
  // CHECK-NEXT: %[[NI:.*]] = arith.index_cast %[[N]] : i64 to index
  // CHECK-NEXT: %r = memref.alloc(%[[NI]]) : memref<?xi64>
  // CHECK:      %[[LEN:.*]] = memref.dim %r, %{{.*}} : memref<?xi64>
  // CHECK:      scf.for %[[K:.*]] = %{{.*}} to %[[LEN]] step %{{.*}} {
  // CHECK:        %[[V:.*]] = arith.addi %start, %{{.*}} : i64
  // CHECK-NEXT:   memref.store %[[V]], %r[%[[K]]] : memref<?xi64>
  // CHECK:      func.return %r : memref<?xi64>
  %n = tir.arange_shape %start, %stop, %step {loc = "p.py:1: r = arange(a, b, c)"} : i64
  %r = memref.alloc(%n) : memref<?xi64>
  tir.arange_into %start, %step into %r {loc = "p.py:1: r = arange(a, b, c)"} : i64, memref<?xi64>
  func.return %r : memref<?xi64>
}

// Float bounds: the count is ceil((stop - start) / step), and NaN bounds are refused; as
// numpy, a count beyond 63 bits (or beyond 2**63 - 1 bytes) is a ValueError. The values are
// numpy's: start, start + step, then start + k * ((start + step) - start).
// CHECK-LABEL: func.func @arange_f64
func.func @arange_f64(%start: f64, %stop: f64, %step: f64) -> memref<?xf64> {
  // CHECK:      %[[Q:.*]] = arith.divf
  // CHECK:      arith.cmpf ord, %[[Q]], %[[Q]] : f64
  // CHECK:      tir.check %{{.*}}, "ValueError", "arange: step must be non-zero and the bounds finite"
  // CHECK:      %[[C:.*]] = math.ceil %[[Q]] : f64
  // CHECK:      arith.cmpf olt, %[[C]], %{{.*}} : f64
  // CHECK:      tir.check %{{.*}}, "ValueError", "arange: Maximum allowed size exceeded"
  // CHECK:      %[[SECOND:.*]] = arith.addf %start, %step : f64
  // CHECK-NEXT: %[[DELTA:.*]] = arith.subf %[[SECOND]], %start : f64
  // CHECK:      scf.for
  // CHECK:        arith.sitofp
  // CHECK:        arith.mulf %{{.*}}, %[[DELTA]]
  // CHECK:        arith.addf
  %n = tir.arange_shape %start, %stop, %step : f64
  %r = memref.alloc(%n) : memref<?xf64>
  tir.arange_into %start, %step into %r : f64, memref<?xf64>
  func.return %r : memref<?xf64>
}

// A map whose rows are exp(x) * i: the body becomes the loop's body, its row index the
// loop's; the row's shape is checked against the result's rows (dims taken once, before
// the loop) and the row copied; the body's own dealloc stays after the copy.
// CHECK-LABEL: func.func @map
func.func @map(%n: index, %x: memref<?xf64>) -> memref<?x?xf64> {
  // CHECK:      %rows = memref.alloc
  // CHECK:      %[[N:.*]] = memref.dim %rows, %{{.*}} : memref<?x?xf64>
  // CHECK:      %[[D:.*]] = memref.dim %rows, %{{.*}} : memref<?x?xf64>
  // CHECK:      scf.for %[[I:.*]] = %{{.*}} to %[[N]] step %{{.*}} {
  // CHECK-NEXT:   %[[SLOT:.*]] = memref.alloca() : memref<i64>
  // CHECK-NEXT:   %[[IV:.*]] = arith.index_cast %[[I]] : index to i64
  // CHECK-NEXT:   memref.store %[[IV]], %[[SLOT]][] : memref<i64>
  // CHECK:        %[[ROW:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK:        linalg.generic {{.*}} ins(%x, %[[SLOT]] : memref<?xf64>, memref<i64>) outs(%[[ROW]] : memref<?xf64>)
  // CHECK:        %[[GOT:.*]] = memref.dim %[[ROW]], %{{.*}} : memref<?xf64>
  // CHECK-NEXT:   %[[OK:.*]] = arith.cmpi eq, %[[GOT]], %[[D]] : index
  // CHECK:        tir.check %[[OK]], "ValueError", "map: a row has shape ({0}) but the rows must have shape ({1}) (built at p.py:7: J = jacobian(y, x))"
  // CHECK:        scf.for %[[J:.*]] = %{{.*}} to %[[GOT]] step %{{.*}} {
  // CHECK-NEXT:     %[[V:.*]] = memref.load %[[ROW]][%[[J]]] : memref<?xf64>
  // CHECK-NEXT:     memref.store %[[V]], %rows[%[[I]], %[[J]]] : memref<?x?xf64>
  // CHECK-NEXT:   }
  // CHECK-NEXT:   memref.dealloc %[[ROW]] : memref<?xf64>
  // CHECK-NEXT: }
  // CHECK:      func.return %rows : memref<?x?xf64>
  %c0 = arith.constant 0 : index
  %d = memref.dim %x, %c0 : memref<?xf64>
  %rows = memref.alloc(%n, %d) : memref<?x?xf64>
  tir.map_into %rows {loc = "p.py:7: J = jacobian(y, x)"} : memref<?x?xf64> {
  ^bb0(%i: index):
    %slot = memref.alloca() : memref<i64>
    %i64 = arith.index_cast %i : index to i64
    memref.store %i64, %slot[] : memref<i64>
    %e = memref.alloc(%d) : memref<?xf64>
    linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x, %slot : memref<?xf64>, memref<i64>) outs(%e : memref<?xf64>) {
    ^bb0(%a: f64, %b: i64, %o: f64):
      %ex = math.exp %a : f64
      %bf = arith.sitofp %b : i64 to f64
      %m = arith.mulf %ex, %bf : f64
      linalg.yield %m : f64
    }
    tir.row_into %e into %rows[%i] {loc = "p.py:7: J = jacobian(y, x)"} : memref<?xf64>, memref<?x?xf64>
    memref.dealloc %e : memref<?xf64>
  }
  func.return %rows : memref<?x?xf64>
}
