// RUN: tensorir-opt %s --split-input-file --verify-diagnostics | filecheck %s
// The buffer-level ops' verifiers.

func.func @not_a_view(%x: memref<?xf64>, %step: i64) -> memref<?xf64> {
  // CHECK: tir.subtensor_view: index kinds [4] are not a view
  %v = tir.subtensor_view %x[%step] {kinds = array<i64: 4>} : (memref<?xf64>, i64) -> memref<?xf64>
  func.return %v : memref<?xf64>
}

// -----

func.func @bounds(%x: memref<?xf64>, %out: memref<?xf64>) {
  // CHECK: tir.subtensor_into: index kinds [3] take 2 bounds, got 0
  tir.subtensor_into %x[] into %out {kinds = array<i64: 3>} : (memref<?xf64>) -> memref<?xf64>
  func.return
}

// -----

func.func @gather_rank(%x: memref<?x?xf64>, %rows: memref<?xi64>, %g: memref<?x?x?xf64>) {
  // CHECK: tir.gather_into: out memref<?x?x?xf64> is not like the gathered part
  tir.gather_into %x[%rows] into %g : (memref<?x?xf64>, memref<?xi64>) -> memref<?x?x?xf64>
  func.return
}

// -----

func.func @row(%rows: memref<?x?xf64>, %r: memref<?x?xf64>) {
  tir.map_into %rows : memref<?x?xf64> {
  ^bb0(%i: index):
    // CHECK: tir.row_into: memref<?x?xf64> is not a row of memref<?x?xf64>
    tir.row_into %r into %rows[%i] : memref<?x?xf64>, memref<?x?xf64>
  }
  func.return
}

// -----

func.func @arange_into(%a: i64, %r: memref<?x?xi64>) {
  // CHECK: tir.arange_into: out must be a vector of the bounds' type, got memref<?x?xi64>
  tir.arange_into %a, %a into %r : i64, memref<?x?xi64>
  func.return
}
