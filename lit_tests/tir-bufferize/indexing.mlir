// RUN: tensorir-opt %s -p tir-bufferize | filecheck %s
// tir-bufferize decides the buffers of the indexing ops and leaves each as a buffer-level op
// writing into the buffer it chose (tir-to-loops makes the loops and the run-time checks):
// a contiguous part is a view, another part a fresh buffer of the part's checked shape;
// inc_subtensor and scatter_add write into a copy of their input, or into the input itself
// when it is a temporary that dies there. Scalar bounds are loaded and passed as values;
// each op keeps its loc for the messages.

// x[i, lo:hi:step] (a step: not contiguous): the part's checked shape, a fresh buffer of
// that shape, the copy into it; no loop here.
// CHECK-LABEL: func.func @subtensor
func.func @subtensor(%x: tensor<?x?xf64>, %i: tensor<i64>, %lo: tensor<i64>, %hi: tensor<i64>, %step: tensor<i64>) -> tensor<?xf64> {
  // CHECK:      %[[I:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: %[[LO:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: %[[HI:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: %[[STEP:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: %[[N:.*]] = tir.subtensor_shape %x[%[[I]], %[[LO]], %[[HI]], %[[STEP]]] {loc = "p.py:2: row = x[i, lo:hi:step]", kinds = array<i64: -1, 7>} : (memref<?x?xf64>, i64, i64, i64, i64) -> index
  // CHECK-NEXT: %row = memref.alloc(%[[N]]) : memref<?xf64>
  // CHECK-NEXT: tir.subtensor_into %x[%[[I]], %[[LO]], %[[HI]], %[[STEP]]] into %row {loc = "p.py:2: row = x[i, lo:hi:step]", kinds = array<i64: -1, 7>} : (memref<?x?xf64>, i64, i64, i64, i64) -> memref<?xf64>
  // CHECK-NEXT: func.return %row : memref<?xf64>
  // CHECK-NOT:  scf.for
  %row = tir.subtensor %x[%i, %lo, %hi, %step] {loc = "p.py:2: row = x[i, lo:hi:step]", kinds = array<i64: -1, 7>} : (tensor<?x?xf64>, tensor<i64>, tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xf64>
  func.return %row : tensor<?xf64>
}

// inc_subtensor(x[lo:], v) with a row v: x is copied (it is an argument) into the result,
// which the increment then writes in place.
// CHECK-LABEL: func.func @inc_subtensor
func.func @inc_subtensor(%x: tensor<?x?xf64>, %lo: tensor<i64>, %v: tensor<1x?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %[[R:.*]] = memref.dim %x, %{{.*}} : memref<?x?xf64>
  // CHECK:      %[[C:.*]] = memref.dim %x, %{{.*}} : memref<?x?xf64>
  // CHECK-NEXT: %y = memref.alloc(%[[R]], %[[C]]) : memref<?x?xf64>
  // CHECK-NEXT: "memref.copy"(%x, %y) : (memref<?x?xf64>, memref<?x?xf64>) -> ()
  // CHECK-NEXT: %[[LO:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: tir.inc_subtensor_into %v into %y[%[[LO]]] {loc = "p.py:3: y = inc_subtensor(x[lo:], v)", kinds = array<i64: 1>, set = false} : memref<1x?xf64>, memref<?x?xf64>, i64
  // CHECK-NEXT: func.return %y : memref<?x?xf64>
  %y = tir.inc_subtensor %x[%lo], %v {loc = "p.py:3: y = inc_subtensor(x[lo:], v)", kinds = array<i64: 1>, set = false} : (tensor<?x?xf64>, tensor<1x?xf64>, tensor<i64>) -> tensor<?x?xf64>
  func.return %y : tensor<?x?xf64>
}

// set_subtensor(x[i], v) on int32 data: a rank-0 value is passed as its stack slot, the
// index as an i32 value.
// CHECK-LABEL: func.func @set_subtensor
func.func @set_subtensor(%x: tensor<?xi32>, %i: tensor<i32>, %v: tensor<i32>) -> tensor<?xi32> {
  // CHECK:      memref.store %v, %[[V:.*]][] : memref<i32>
  // CHECK:      %y = memref.alloc(%{{.*}}) : memref<?xi32>
  // CHECK-NEXT: "memref.copy"(%x, %y)
  // CHECK-NEXT: %[[I:.*]] = memref.load %{{.*}}[] : memref<i32>
  // CHECK-NEXT: tir.inc_subtensor_into %[[V]] into %y[%[[I]]] {kinds = array<i64: -1>, set = true} : memref<i32>, memref<?xi32>, i32
  // CHECK-NEXT: func.return %y : memref<?xi32>
  %y = tir.inc_subtensor %x[%i], %v {kinds = array<i64: -1>, set = true} : (tensor<?xi32>, tensor<i32>, tensor<i32>) -> tensor<?xi32>
  func.return %y : tensor<?xi32>
}

// x[rows, cols]: a fresh buffer of the index vectors' length (their equal lengths are
// checked by tir-to-loops), written by tir.gather_into.
// CHECK-LABEL: func.func @gather
func.func @gather(%x: tensor<?x?xf64>, %rows: tensor<?xi64>, %cols: tensor<?xi32>) -> tensor<?xf64> {
  // CHECK:      %[[NR:.*]] = memref.dim %rows, %{{.*}} : memref<?xi64>
  // CHECK-NEXT: %g = memref.alloc(%[[NR]]) : memref<?xf64>
  // CHECK-NEXT: tir.gather_into %x[%rows, %cols] into %g {loc = "p.py:4: g = x[rows, cols]"} : (memref<?x?xf64>, memref<?xi64>, memref<?xi32>) -> memref<?xf64>
  // CHECK-NEXT: func.return %g : memref<?xf64>
  %g = tir.gather %x[%rows, %cols] {loc = "p.py:4: g = x[rows, cols]"} : (tensor<?x?xf64>, tensor<?xi64>, tensor<?xi32>) -> tensor<?xf64>
  func.return %g : tensor<?xf64>
}

// inc_subtensor(x[rows], v): x is copied into the result, which tir.scatter_add_into
// updates in place.
// CHECK-LABEL: func.func @scatter_add
func.func @scatter_add(%x: tensor<?x?xf64>, %rows: tensor<?xi64>, %v: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %s = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?xf64>
  // CHECK-NEXT: "memref.copy"(%x, %s)
  // CHECK-NEXT: tir.scatter_add_into %v into %s[%rows] {loc = "p.py:5: s = inc_subtensor(x[rows], v)"} : memref<?x?xf64>, memref<?x?xf64>, memref<?xi64>
  // CHECK-NEXT: func.return %s : memref<?x?xf64>
  %s = tir.scatter_add %x[%rows], %v {loc = "p.py:5: s = inc_subtensor(x[rows], v)"} : (tensor<?x?xf64>, tensor<?x?xf64>, tensor<?xi64>) -> tensor<?x?xf64>
  func.return %s : tensor<?x?xf64>
}

// concatenate([a, b], axis=1): the result's shape (its checks come before the allocation:
// a size that overflows must not reach memref.alloc), a fresh buffer, the copies into it.
// CHECK-LABEL: func.func @concatenate
func.func @concatenate(%a: tensor<?x?xf64>, %b: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %[[R:.*]], %[[C:.*]] = tir.concatenate_shape %a, %b {loc = "p.py:6: ab = concatenate([a, b], axis=1)", axis = 1 : i64} : (memref<?x?xf64>, memref<?x?xf64>) -> (index, index)
  // CHECK-NEXT: %ab = memref.alloc(%[[R]], %[[C]]) : memref<?x?xf64>
  // CHECK-NEXT: tir.concatenate_into %a, %b into %ab {loc = "p.py:6: ab = concatenate([a, b], axis=1)", axis = 1 : i64} : (memref<?x?xf64>, memref<?x?xf64>) -> memref<?x?xf64>
  // CHECK-NEXT: func.return %ab : memref<?x?xf64>
  %ab = tir.concatenate %a, %b {loc = "p.py:6: ab = concatenate([a, b], axis=1)", axis = 1 : i64} : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %ab : tensor<?x?xf64>
}

// inc_subtensor of a temporary that dies there writes into the temporary's buffer (named %y after
// the result): no copy.
// CHECK-LABEL: func.func @in_place
func.func @in_place(%x: tensor<?xf64>, %lo: tensor<i64>, %v: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      %y = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK-NEXT: linalg.generic {{.*}} ins(%x : memref<?xf64>) outs(%y : memref<?xf64>)
  // CHECK-NOT:  memref.alloc
  // CHECK-NOT:  memref.copy
  // CHECK:      tir.inc_subtensor_into %v into %y[%{{.*}}]
  // CHECK-NEXT: func.return %y : memref<?xf64>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf64>
  %t = tensor.empty(%n) : tensor<?xf64>
  %e = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<?xf64>) outs(%t : tensor<?xf64>) {
  ^bb0(%a: f64, %o: f64):
    %ex = math.exp %a : f64
    linalg.yield %ex : f64
  } -> tensor<?xf64>
  %y = tir.inc_subtensor %e[%lo], %v {kinds = array<i64: 1>, set = false} : (tensor<?xf64>, tensor<?xf64>, tensor<i64>) -> tensor<?xf64>
  func.return %y : tensor<?xf64>
}

// set_subtensor(e[::step], e): the temporary is also the value, so writing into it would read
// elements already overwritten (step -1); the result is a copy.
// CHECK-LABEL: func.func @value_aliases_input
func.func @value_aliases_input(%x: tensor<?xf64>, %step: tensor<i64>) -> tensor<?xf64> {
  // CHECK:      %t = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK-NEXT: linalg.generic {{.*}} ins(%x : memref<?xf64>) outs(%t : memref<?xf64>)
  // CHECK:      %r = memref.alloc(%{{.*}}) : memref<?xf64>
  // CHECK-NEXT: "memref.copy"(%t, %r) : (memref<?xf64>, memref<?xf64>) -> ()
  // CHECK-NEXT: %[[STEP:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: tir.inc_subtensor_into %t into %r[%[[STEP]]] {kinds = array<i64: 4>, set = true}
  // CHECK-NEXT: memref.dealloc %t : memref<?xf64>
  // CHECK-NEXT: func.return %r : memref<?xf64>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf64>
  %t = tensor.empty(%n) : tensor<?xf64>
  %e = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<?xf64>) outs(%t : tensor<?xf64>) {
  ^bb0(%a: f64, %o: f64):
    %ex = math.exp %a : f64
    linalg.yield %ex : f64
  } -> tensor<?xf64>
  %r = tir.inc_subtensor %e[%step], %e {kinds = array<i64: 4>, set = true} : (tensor<?xf64>, tensor<?xf64>, tensor<i64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// A slice of the leading dim (a minibatch) is a view (tir-to-loops computes its offset and
// sizes): no copy, and the kernels read the view.
// CHECK-LABEL: func.func @minibatch_view
func.func @minibatch_view(%data: tensor<?x?xf64>, %lo: tensor<i64>, %hi: tensor<i64>) -> tensor<?xf64> {
  // CHECK:      %[[LO:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: %[[HI:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: %batch = tir.subtensor_view %data[%[[LO]], %[[HI]]] {kinds = array<i64: 3>} : (memref<?x?xf64>, i64, i64) -> memref<?x?xf64>
  // CHECK-NOT:  memref.copy
  // CHECK:      linalg.generic {{.*}} ins(%batch : memref<?x?xf64>)
  %batch = tir.subtensor %data[%lo, %hi] {kinds = array<i64: 3>} : (tensor<?x?xf64>, tensor<i64>, tensor<i64>) -> tensor<?x?xf64>
  %c = arith.constant 0 : index
  %d = tensor.dim %batch, %c : tensor<?x?xf64>
  %e = tensor.empty(%d) : tensor<?xf64>
  %z = arith.constant 0.0 : f64
  %f = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e : tensor<?xf64>) {
  ^bb0(%o: f64):
    linalg.yield %z : f64
  } -> tensor<?xf64>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%batch : tensor<?x?xf64>) outs(%f : tensor<?xf64>) {
  ^bb0(%a: f64, %acc: f64):
    %t = arith.addf %acc, %a : f64
    linalg.yield %t : f64
  } -> tensor<?xf64>
  func.return %s : tensor<?xf64>
}
