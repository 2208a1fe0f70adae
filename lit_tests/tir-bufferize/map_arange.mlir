// RUN: tensorir-opt %s -p tir-bufferize | filecheck %s
// tir.arange and tir.map become explicit loops: arange stores start + k * step for each k
// (the count from the distance in 64 bits unsigned, so that no bound wraps, as numpy's);
// a map allocates its result, runs its body once per row with the body's own temporaries
// (freed in the same iteration), checks the row's shape and copies it into its row.

// CHECK-LABEL: func.func @arange
func.func @arange(%start: tensor<i64>, %stop: tensor<i64>, %step: tensor<i64>) -> tensor<?xi64> {
  // CHECK:      %[[START:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: %[[STOP:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: %[[STEP:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK:      tir.check %{{.*}}, "ValueError", "arange: step must not be zero (built at p.py:1: r = arange(a, b, c))"
  // CHECK:      %[[UP:.*]] = arith.cmpi sgt, %[[STEP]], %{{.*}} : i64
  // CHECK-NEXT: %[[HI:.*]] = arith.select %[[UP]], %[[STOP]], %[[START]] : i64
  // CHECK-NEXT: %[[LO:.*]] = arith.select %[[UP]], %[[START]], %[[STOP]] : i64
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
  // CHECK:      scf.for %[[K:.*]] = %{{.*}} to %[[NI]] step %{{.*}} {
  // CHECK:        %[[V:.*]] = arith.addi %[[START]], %{{.*}} : i64
  // CHECK-NEXT:   memref.store %[[V]], %r[%[[K]]] : memref<?xi64>
  // CHECK:      func.return %r : memref<?xi64>
  %r = tir.arange %start, %stop, %step {loc = "p.py:1: r = arange(a, b, c)"} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  func.return %r : tensor<?xi64>
}

// Float bounds: the count is ceil((stop - start) / step), and NaN bounds are refused; as
// numpy, a count beyond 63 bits (or beyond 2**63 - 1 bytes) is a ValueError.
// CHECK-LABEL: func.func @arange_f64
func.func @arange_f64(%start: tensor<f64>, %stop: tensor<f64>, %step: tensor<f64>) -> tensor<?xf64> {
  // CHECK:      %[[Q:.*]] = arith.divf
  // CHECK:      arith.cmpf ord, %[[Q]], %[[Q]] : f64
  // CHECK:      tir.check %{{.*}}, "ValueError", "arange: step must be non-zero and the bounds finite"
  // CHECK:      %[[C:.*]] = math.ceil %[[Q]] : f64
  // CHECK:      arith.cmpf olt, %[[C]], %{{.*}} : f64
  // CHECK:      tir.check %{{.*}}, "ValueError", "arange: Maximum allowed size exceeded"
  // CHECK:      scf.for
  // CHECK:        arith.sitofp
  // CHECK:        arith.mulf
  // CHECK:        arith.addf
  %r = tir.arange %start, %stop, %step : (tensor<f64>, tensor<f64>, tensor<f64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// A map whose rows are exp(x) * i: the row index is stored into a stack slot the body reads;
// the body's temporary is freed after its row is copied.
// CHECK-LABEL: func.func @map
func.func @map(%n: tensor<i64>, %x: tensor<?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %[[N:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK:      %[[D:.*]] = memref.dim %x, %{{.*}} : memref<?xf64>
  // CHECK-NEXT: %rows = memref.alloc(%[[N]], %[[D]]) : memref<?x?xf64>
  // CHECK:      scf.for %[[I:.*]] = %{{.*}} to %[[N]] step %{{.*}} {
  // CHECK-NEXT:   %[[SLOT:.*]] = memref.alloca() : memref<i64>
  // CHECK-NEXT:   %[[IV:.*]] = arith.index_cast %[[I]] : index to i64
  // CHECK-NEXT:   memref.store %[[IV]], %[[SLOT]][] : memref<i64>
  // CHECK:        %[[ROW:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK:        linalg.generic {{.*}} ins(%x, %[[SLOT]] : memref<?xf64>, memref<i64>) outs(%[[ROW]] : memref<?xf64>)
  // CHECK:        tir.check %{{.*}}, "ValueError", "map: a row has shape ({0}) but the rows must have shape ({1})"
  // CHECK:        scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
  // CHECK-NEXT:     %[[V:.*]] = memref.load %[[ROW]][%[[J]]] : memref<?xf64>
  // CHECK-NEXT:     memref.store %[[V]], %rows[%[[I]], %[[J]]] : memref<?x?xf64>
  // CHECK-NEXT:   }
  // CHECK-NEXT:   memref.dealloc %[[ROW]] : memref<?xf64>
  // CHECK-NEXT: }
  // CHECK:      func.return %rows : memref<?x?xf64>
  %rows = tir.map %n, %x : (tensor<i64>, tensor<?xf64>) -> tensor<?x?xf64> {
  ^bb0(%i: tensor<i64>):
    %c0 = arith.constant 0 : index
    %d = tensor.dim %x, %c0 : tensor<?xf64>
    %e = tensor.empty(%d) : tensor<?xf64>
    %row = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x, %i : tensor<?xf64>, tensor<i64>) outs(%e : tensor<?xf64>) {
    ^bb0(%a: f64, %b: i64, %o: f64):
      %ex = math.exp %a : f64
      %bf = arith.sitofp %b : i64 to f64
      %m = arith.mulf %ex, %bf : f64
      linalg.yield %m : f64
    } -> tensor<?xf64>
    tir.yield %row : tensor<?xf64>
  }
  func.return %rows : tensor<?x?xf64>
}
