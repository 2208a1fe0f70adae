// RUN: tensorir-opt %s -p tir-bufferize | filecheck %s
// tir.arange becomes its checked length (tir.arange_shape), a fresh vector of that length
// and tir.arange_into writing it; a map allocates its result and becomes a tir.map_into
// whose body has its own temporaries (freed in the same iteration) and writes its row with
// tir.row_into. The loops are tir-to-loops'.

// CHECK-LABEL: func.func @arange
func.func @arange(%start: tensor<i64>, %stop: tensor<i64>, %step: tensor<i64>) -> tensor<?xi64> {
  // CHECK:      %[[START:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: %[[STOP:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: %[[STEP:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: %[[N:.*]] = tir.arange_shape %[[START]], %[[STOP]], %[[STEP]] {loc = "p.py:1: r = arange(a, b, c)"} : i64
  // CHECK-NEXT: %r = memref.alloc(%[[N]]) : memref<?xi64>
  // CHECK-NEXT: tir.arange_into %[[START]], %[[STEP]] into %r {loc = "p.py:1: r = arange(a, b, c)"} : i64, memref<?xi64>
  // CHECK-NEXT: func.return %r : memref<?xi64>
  %r = tir.arange %start, %stop, %step {loc = "p.py:1: r = arange(a, b, c)"} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  func.return %r : tensor<?xi64>
}

// Float bounds: the same ops on f64 values.
// CHECK-LABEL: func.func @arange_f64
func.func @arange_f64(%start: tensor<f64>, %stop: tensor<f64>, %step: tensor<f64>) -> tensor<?xf64> {
  // CHECK:      %[[N:.*]] = tir.arange_shape %{{.*}}, %{{.*}}, %{{.*}} : f64
  // CHECK-NEXT: %r = memref.alloc(%[[N]]) : memref<?xf64>
  // CHECK-NEXT: tir.arange_into %{{.*}}, %{{.*}} into %r : f64, memref<?xf64>
  %r = tir.arange %start, %stop, %step : (tensor<f64>, tensor<f64>, tensor<f64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// A map whose rows are exp(x) * i: the row index is stored into a stack slot the body reads;
// the body's temporary is freed after its row is written.
// CHECK-LABEL: func.func @map
func.func @map(%n: tensor<i64>, %x: tensor<?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %[[N:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK:      %[[D:.*]] = memref.dim %x, %{{.*}} : memref<?xf64>
  // CHECK-NEXT: %rows = memref.alloc(%[[N]], %[[D]]) : memref<?x?xf64>
  // CHECK-NEXT: tir.map_into %rows {loc = "p.py:7: J = jacobian(y, x)"} : memref<?x?xf64> {
  // CHECK-NEXT: ^{{.*}}(%i: index):
  // CHECK-NEXT:   %[[SLOT:.*]] = memref.alloca() : memref<i64>
  // CHECK-NEXT:   %[[IV:.*]] = arith.index_cast %i : index to i64
  // CHECK-NEXT:   memref.store %[[IV]], %[[SLOT]][] : memref<i64>
  // CHECK:        %[[ROW:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK:        linalg.generic {{.*}} ins(%x, %[[SLOT]] : memref<?xf64>, memref<i64>) outs(%[[ROW]] : memref<?xf64>)
  // CHECK:        tir.row_into %[[ROW]] into %rows[%i] {loc = "p.py:7: J = jacobian(y, x)"} : memref<?xf64>, memref<?x?xf64>
  // CHECK-NEXT:   memref.dealloc %[[ROW]] : memref<?xf64>
  // CHECK-NEXT: }
  // CHECK-NEXT: func.return %rows : memref<?x?xf64>
  // CHECK-NOT:  scf.for
  %rows = tir.map %n, %x {loc = "p.py:7: J = jacobian(y, x)"} : (tensor<i64>, tensor<?xf64>) -> tensor<?x?xf64> {
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
