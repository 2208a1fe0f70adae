// RUN: tensorir-opt %s -p tir-reductions | filecheck %s
// A sum along the innermost loop becomes blocks of 256 with 8 float64 lanes (16 float32),
// combined pairwise; loops of any other shape are left as they are.

// CHECK-LABEL: func.func @row_sums
func.func @row_sums(%x: memref<?x?xf64>, %out: memref<?xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf64>
  %cols = memref.dim %x, %c1 : memref<?x?xf64>
  scf.for %i = %c0 to %rows step %c1 {
    // CHECK:      %[[LEVELS:.*]] = memref.alloca() : memref<64xf64>
    // CHECK:      math.ctlz
    // whole blocks: 8 lanes, then carried up the levels
    // CHECK:      scf.for {{.*}} iter_args({{.*}}) -> (f64, f64, f64, f64, f64, f64, f64, f64)
    // CHECK:        arith.addf
    // CHECK:      math.cttz
    // CHECK:      memref.store {{.*}}, %[[LEVELS]]
    // then the tail, the levels, and one store of the row's sum
    // CHECK:      memref.load %out[%i]
    // CHECK-NEXT: arith.addf
    // CHECK-NEXT: memref.store {{.*}}, %out[%i]
    // CHECK-NOT:  scf.for %{{.*}} = %c0 to %cols
    scf.for %j = %c0 to %cols step %c1 {
      %e = memref.load %x[%i, %j] : memref<?x?xf64>
      %sq = arith.mulf %e, %e : f64
      %acc = memref.load %out[%i] : memref<?xf64>
      %r = arith.addf %acc, %sq : f64
      memref.store %r, %out[%i] : memref<?xf64>
    }
  }
  func.return
}

// the accumulator moves with the inner loop (a column sum): not a reduction of that loop
// CHECK-LABEL: func.func @column_sums
// CHECK-NOT:   math.cttz
// CHECK:       scf.for %j = %c0 to %cols step %c1 {
// CHECK-NEXT:    memref.load %x[%i, %j]
func.func @column_sums(%x: memref<?x?xf64>, %out: memref<?xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf64>
  %cols = memref.dim %x, %c1 : memref<?x?xf64>
  scf.for %i = %c0 to %rows step %c1 {
    scf.for %j = %c0 to %cols step %c1 {
      %e = memref.load %x[%i, %j] : memref<?x?xf64>
      %acc = memref.load %out[%j] : memref<?xf64>
      %r = arith.addf %acc, %e : f64
      memref.store %r, %out[%j] : memref<?xf64>
    }
  }
  func.return
}

// a product, an integer sum and a loop that also reads the accumulator elsewhere: unchanged
// CHECK-LABEL: func.func @others
// CHECK-NOT:   math.cttz
func.func @others(%x: memref<?xf64>, %n: memref<?xi64>, %out: memref<f64>, %k: memref<i64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %len = memref.dim %x, %c0 : memref<?xf64>
  scf.for %j = %c0 to %len step %c1 {
    %e = memref.load %x[%j] : memref<?xf64>
    %acc = memref.load %out[] : memref<f64>
    %r = arith.mulf %acc, %e : f64
    memref.store %r, %out[] : memref<f64>
  }
  scf.for %j = %c0 to %len step %c1 {
    %e = memref.load %n[%j] : memref<?xi64>
    %acc = memref.load %k[] : memref<i64>
    %r = arith.addi %acc, %e : i64
    memref.store %r, %k[] : memref<i64>
  }
  scf.for %j = %c0 to %len step %c1 {
    %seen = memref.load %out[] : memref<f64>
    %e = memref.load %x[%j] : memref<?xf64>
    %scaled = arith.mulf %e, %seen : f64
    %acc = memref.load %out[] : memref<f64>
    %r = arith.addf %acc, %scaled : f64
    memref.store %r, %out[] : memref<f64>
  }
  func.return
}
