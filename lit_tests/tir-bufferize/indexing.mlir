// RUN: tensorir-opt %s -p tir-bufferize | filecheck %s
// The indexing ops become explicit loop nests with memref.load/memref.store: every index
// read at run time is wrapped as Python does (negative counts from the end) and checked
// against its dim (IndexError naming the index, the axis, the size and the user's line)
// before it is used; a slice's step is checked non-zero (ValueError) and its bounds clamped.
// inc_subtensor and scatter_add write into a copy of their input.

// x[i, lo:hi:step]: the integer index is wrapped and checked, the slice's length is
// max(0, ceil((stop - start) / step)) with start and stop clamped as slice.indices does, and
// the loop reads x[i, start + k * step].
// CHECK-LABEL: func.func @subtensor
func.func @subtensor(%x: tensor<?x?xf64>, %i: tensor<i64>, %lo: tensor<i64>, %hi: tensor<i64>, %step: tensor<i64>) -> tensor<?xf64> {
  // CHECK:      %[[ROWS:.*]] = memref.dim %x, %{{.*}} : memref<?x?xf64>
  // CHECK-NEXT: %{{.*}} = arith.constant 1 : index
  // CHECK-NEXT: %[[COLS:.*]] = memref.dim %x, %{{.*}} : memref<?x?xf64>
  // CHECK:      %[[I:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: %[[N:.*]] = arith.index_cast %[[ROWS]] : index to i64
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i64
  // CHECK-NEXT: %[[NEG:.*]] = arith.cmpi slt, %[[I]], %[[ZERO]] : i64
  // CHECK-NEXT: %[[FROM_END:.*]] = arith.addi %[[I]], %[[N]] : i64
  // CHECK-NEXT: %[[WRAPPED:.*]] = arith.select %[[NEG]], %[[FROM_END]], %[[I]] : i64
  // CHECK-NEXT: %[[GE:.*]] = arith.cmpi sge, %[[WRAPPED]], %[[ZERO]] : i64
  // CHECK-NEXT: %[[LT:.*]] = arith.cmpi slt, %[[WRAPPED]], %[[N]] : i64
  // CHECK-NEXT: %[[OK:.*]] = arith.andi %[[GE]], %[[LT]] : i1
  // CHECK-NEXT: tir.check %[[OK]], "IndexError", "index {0} is out of bounds for axis 0 with size {1} (built at p.py:2: row = x[i, lo:hi:step])"(%[[I]], %[[N]] : i64, i64)
  // CHECK-NEXT: %[[ROW:.*]] = arith.index_cast %[[WRAPPED]] : i64 to index
  // CHECK-NEXT: %[[LO:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: %[[HI:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK-NEXT: %[[STEP:.*]] = memref.load %{{.*}}[] : memref<i64>
  // CHECK:      %[[NONZERO:.*]] = arith.cmpi ne, %[[STEP]], %{{.*}} : i64
  // CHECK-NEXT: tir.check %[[NONZERO]], "ValueError", "slice step cannot be zero (built at p.py:2: row = x[i, lo:hi:step])"
  // CHECK:      %[[COUNT:.*]] = arith.ceildivsi %{{.*}}, %[[STEP]] : i64
  // CHECK:      %[[LEN:.*]] = arith.maxsi %[[COUNT]], %{{.*}} : i64
  // CHECK-NEXT: %[[START_I:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK-NEXT: %[[STEP_I:.*]] = arith.index_cast %[[STEP]] : i64 to index
  // CHECK-NEXT: %[[LEN_I:.*]] = arith.index_cast %[[LEN]] : i64 to index
  // CHECK-NEXT: %row = memref.alloc(%[[LEN_I]]) : memref<?xf64>
  // CHECK:      scf.for %[[K:.*]] = %{{.*}} to %[[LEN_I]] step %{{.*}} {
  // CHECK-NEXT:   %[[KS:.*]] = arith.muli %[[K]], %[[STEP_I]] : index
  // CHECK-NEXT:   %[[J:.*]] = arith.addi %[[START_I]], %[[KS]] : index
  // CHECK-NEXT:   %[[V:.*]] = memref.load %x[%[[ROW]], %[[J]]] : memref<?x?xf64>
  // CHECK-NEXT:   memref.store %[[V]], %row[%[[K]]] : memref<?xf64>
  // CHECK-NEXT: }
  // CHECK-NEXT: func.return %row : memref<?xf64>
  %row = tir.subtensor %x[%i, %lo, %hi, %step] {loc = "p.py:2: row = x[i, lo:hi:step]", kinds = array<i64: -1, 7>} : (tensor<?x?xf64>, tensor<i64>, tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xf64>
  func.return %row : tensor<?xf64>
}

// inc_subtensor(x[lo:], v) with a row v: x is copied (it is an argument), v's length is
// checked against the part's (its size-1 dim broadcasts, so it is not checked), and each
// element of the part is loaded, incremented and stored back.
// CHECK-LABEL: func.func @inc_subtensor
func.func @inc_subtensor(%x: tensor<?x?xf64>, %lo: tensor<i64>, %v: tensor<1x?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %y = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?xf64>
  // CHECK-NEXT: "memref.copy"(%x, %y) : (memref<?x?xf64>, memref<?x?xf64>) -> ()
  // CHECK:      %[[ROWS:.*]] = memref.dim %y, %{{.*}} : memref<?x?xf64>
  // CHECK-NEXT: %{{.*}} = arith.constant 1 : index
  // CHECK-NEXT: %[[COLS:.*]] = memref.dim %y, %{{.*}} : memref<?x?xf64>
  // CHECK:      %[[START:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK-NEXT: %[[STEP:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK-NEXT: %[[LEN:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK:      %[[VCOLS:.*]] = memref.dim %v, %{{.*}} : memref<1x?xf64>
  // CHECK-NEXT: %[[FITS:.*]] = arith.cmpi eq, %[[VCOLS]], %[[COLS]] : index
  // CHECK:      tir.check %[[FITS]], "ValueError", "inc_subtensor: a value of shape ({0}, {1}) does not fit a part of shape ({2}, {3}) (built at p.py:3: y = inc_subtensor(x[lo:], v))"
  // CHECK:      scf.for %[[K:.*]] = %{{.*}} to %[[LEN]] step %{{.*}} {
  // CHECK:        scf.for %[[J:.*]] = %{{.*}} to %[[COLS]] step %{{.*}} {
  // CHECK-NEXT:     %[[C0:.*]] = arith.constant 0 : index
  // CHECK-NEXT:     %[[VAL:.*]] = memref.load %v[%[[C0]], %[[J]]] : memref<1x?xf64>
  // CHECK-NEXT:     %[[KS:.*]] = arith.muli %[[K]], %[[STEP]] : index
  // CHECK-NEXT:     %[[I:.*]] = arith.addi %[[START]], %[[KS]] : index
  // CHECK-NEXT:     %[[OLD:.*]] = memref.load %y[%[[I]], %[[J]]] : memref<?x?xf64>
  // CHECK-NEXT:     %[[NEW:.*]] = arith.addf %[[OLD]], %[[VAL]] : f64
  // CHECK-NEXT:     memref.store %[[NEW]], %y[%[[I]], %[[J]]] : memref<?x?xf64>
  // CHECK:      func.return %y : memref<?x?xf64>
  %y = tir.inc_subtensor %x[%lo], %v {loc = "p.py:3: y = inc_subtensor(x[lo:], v)", kinds = array<i64: 1>, set = false} : (tensor<?x?xf64>, tensor<1x?xf64>, tensor<i64>) -> tensor<?x?xf64>
  func.return %y : tensor<?x?xf64>
}

// set_subtensor(x[i], v) on int32 data: the int32 index is sign-extended before it is
// wrapped; the value is stored without reading the old one.
// CHECK-LABEL: func.func @set_subtensor
func.func @set_subtensor(%x: tensor<?xi32>, %i: tensor<i32>, %v: tensor<i32>) -> tensor<?xi32> {
  // CHECK:      %y = memref.alloc(%{{.*}}) : memref<?xi32>
  // CHECK-NEXT: "memref.copy"(%x, %y)
  // CHECK:      %[[I32:.*]] = memref.load %{{.*}}[] : memref<i32>
  // CHECK-NEXT: %[[I:.*]] = arith.extsi %[[I32]] : i32 to i64
  // CHECK:      tir.check %{{.*}}, "IndexError", "index {0} is out of bounds for axis 0 with size {1}"(%[[I]], %{{.*}} : i64, i64)
  // CHECK-NEXT: %[[AT:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK-NEXT: %[[VAL:.*]] = memref.load %{{.*}}[] : memref<i32>
  // CHECK-NEXT: memref.store %[[VAL]], %y[%[[AT]]] : memref<?xi32>
  // CHECK-NEXT: func.return %y : memref<?xi32>
  %y = tir.inc_subtensor %x[%i], %v {kinds = array<i64: -1>, set = true} : (tensor<?xi32>, tensor<i32>, tensor<i32>) -> tensor<?xi32>
  func.return %y : tensor<?xi32>
}

// x[rows, cols]: the index vectors must have one length (IndexError as numpy's); in the
// loop over their positions each index is loaded, wrapped and checked against its axis.
// CHECK-LABEL: func.func @gather
func.func @gather(%x: tensor<?x?xf64>, %rows: tensor<?xi64>, %cols: tensor<?xi32>) -> tensor<?xf64> {
  // CHECK:      %[[NR:.*]] = memref.dim %rows, %{{.*}} : memref<?xi64>
  // CHECK:      %[[NC:.*]] = memref.dim %cols, %{{.*}} : memref<?xi32>
  // CHECK-NEXT: %[[SAME:.*]] = arith.cmpi eq, %[[NR]], %[[NC]] : index
  // CHECK:      tir.check %[[SAME]], "IndexError", "advanced indexing: shape mismatch: indexing arrays could not be broadcast together with shapes ({0},) ({1},) (built at p.py:4: g = x[rows, cols])"
  // CHECK-NEXT: %g = memref.alloc(%[[NR]]) : memref<?xf64>
  // CHECK:      scf.for %[[P:.*]] = %{{.*}} to %[[NR]] step %{{.*}} {
  // CHECK-NEXT:   %[[R:.*]] = memref.load %rows[%[[P]]] : memref<?xi64>
  // CHECK:        tir.check %{{.*}}, "IndexError", "index {0} is out of bounds for axis 0 with size {1} (built at p.py:4: g = x[rows, cols])"(%[[R]], %{{.*}} : i64, i64)
  // CHECK-NEXT:   %[[RI:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK-NEXT:   %[[C32:.*]] = memref.load %cols[%[[P]]] : memref<?xi32>
  // CHECK-NEXT:   %[[C:.*]] = arith.extsi %[[C32]] : i32 to i64
  // CHECK:        tir.check %{{.*}}, "IndexError", "index {0} is out of bounds for axis 1 with size {1} (built at p.py:4: g = x[rows, cols])"(%[[C]], %{{.*}} : i64, i64)
  // CHECK-NEXT:   %[[CI:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK-NEXT:   %[[V:.*]] = memref.load %x[%[[RI]], %[[CI]]] : memref<?x?xf64>
  // CHECK-NEXT:   memref.store %[[V]], %g[%[[P]]] : memref<?xf64>
  // CHECK-NEXT: }
  %g = tir.gather %x[%rows, %cols] {loc = "p.py:4: g = x[rows, cols]"} : (tensor<?x?xf64>, tensor<?xi64>, tensor<?xi32>) -> tensor<?xf64>
  func.return %g : tensor<?xf64>
}

// inc_subtensor(x[rows], v): the value must have the gathered part's shape (ValueError);
// each row of v is added to the row of the copy it names, so repeated rows accumulate.
// CHECK-LABEL: func.func @scatter_add
func.func @scatter_add(%x: tensor<?x?xf64>, %rows: tensor<?xi64>, %v: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %s = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?xf64>
  // CHECK-NEXT: "memref.copy"(%x, %s)
  // CHECK:      %[[ROWS:.*]] = memref.dim %s, %{{.*}} : memref<?x?xf64>
  // CHECK-NEXT: %{{.*}} = arith.constant 1 : index
  // CHECK-NEXT: %[[COLS:.*]] = memref.dim %s, %{{.*}} : memref<?x?xf64>
  // CHECK:      tir.check %{{.*}}, "ValueError", "scatter_add: a value of shape ({0}, {1}) does not fit the indexed part of shape ({2}, {3}) (built at p.py:5: s = inc_subtensor(x[rows], v))"
  // CHECK:      scf.for %[[P:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
  // CHECK-NEXT:   %[[R:.*]] = memref.load %rows[%[[P]]] : memref<?xi64>
  // CHECK:        tir.check %{{.*}}, "IndexError", "index {0} is out of bounds for axis 0 with size {1} (built at p.py:5: s = inc_subtensor(x[rows], v))"(%[[R]], %{{.*}} : i64, i64)
  // CHECK-NEXT:   %[[RI:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK:        scf.for %[[J:.*]] = %{{.*}} to %[[COLS]] step %{{.*}} {
  // CHECK-NEXT:     %[[VAL:.*]] = memref.load %v[%[[P]], %[[J]]] : memref<?x?xf64>
  // CHECK-NEXT:     %[[OLD:.*]] = memref.load %s[%[[RI]], %[[J]]] : memref<?x?xf64>
  // CHECK-NEXT:     %[[NEW:.*]] = arith.addf %[[OLD]], %[[VAL]] : f64
  // CHECK-NEXT:     memref.store %[[NEW]], %s[%[[RI]], %[[J]]] : memref<?x?xf64>
  %s = tir.scatter_add %x[%rows], %v {loc = "p.py:5: s = inc_subtensor(x[rows], v)"} : (tensor<?x?xf64>, tensor<?x?xf64>, tensor<?xi64>) -> tensor<?x?xf64>
  func.return %s : tensor<?x?xf64>
}

// concatenate([a, b], axis=1): the dims off the axis must agree (ValueError); the result
// has the sum of the widths (checked, as its size, against overflow: ValueError), and each
// input is copied at its offset along the axis.
// CHECK-LABEL: func.func @concatenate
func.func @concatenate(%a: tensor<?x?xf64>, %b: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %[[AR:.*]] = memref.dim %a, %{{.*}} : memref<?x?xf64>
  // CHECK-NEXT: %{{.*}} = arith.constant 1 : index
  // CHECK-NEXT: %[[AC:.*]] = memref.dim %a, %{{.*}} : memref<?x?xf64>
  // CHECK:      %[[BR:.*]] = memref.dim %b, %{{.*}} : memref<?x?xf64>
  // CHECK-NEXT: %{{.*}} = arith.constant 1 : index
  // CHECK-NEXT: %[[BC:.*]] = memref.dim %b, %{{.*}} : memref<?x?xf64>
  // CHECK-NEXT: %[[SAME:.*]] = arith.cmpi eq, %[[AR]], %[[BR]] : index
  // CHECK:      tir.check %[[SAME]], "ValueError", "concatenate: all the input array dimensions except for the concatenation axis (1) must match exactly, but input 0 has shape ({0}, {1}) and input 1 has shape ({2}, {3}) (built at p.py:6: ab = concatenate([a, b], axis=1))"
  // CHECK:      %[[WIDTH:.*]] = arith.addi %[[AC]], %[[BC]] : index
  // CHECK:      tir.check %{{.*}}, "ValueError", "concatenate: array is too big: 2 inputs of shape ({0}, {1}), ... along axis 1 (built at p.py:6: ab = concatenate([a, b], axis=1))"
  // CHECK-NEXT: %ab = memref.alloc(%[[AR]], %[[WIDTH]]) : memref<?x?xf64>
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : index
  // CHECK:      scf.for %[[I:.*]] = %{{.*}} to %[[AR]] step %{{.*}} {
  // CHECK:        scf.for %[[J:.*]] = %{{.*}} to %[[AC]] step %{{.*}} {
  // CHECK-NEXT:     %[[VA:.*]] = memref.load %a[%[[I]], %[[J]]] : memref<?x?xf64>
  // CHECK-NEXT:     %[[JA:.*]] = arith.addi %[[J]], %[[ZERO]] : index
  // CHECK-NEXT:     memref.store %[[VA]], %ab[%[[I]], %[[JA]]] : memref<?x?xf64>
  // CHECK:      %[[OFFSET:.*]] = arith.addi %[[ZERO]], %[[AC]] : index
  // CHECK:      scf.for %[[I2:.*]] = %{{.*}} to %[[BR]] step %{{.*}} {
  // CHECK:        scf.for %[[J2:.*]] = %{{.*}} to %[[BC]] step %{{.*}} {
  // CHECK-NEXT:     %[[VB:.*]] = memref.load %b[%[[I2]], %[[J2]]] : memref<?x?xf64>
  // CHECK-NEXT:     %[[JB:.*]] = arith.addi %[[J2]], %[[OFFSET]] : index
  // CHECK-NEXT:     memref.store %[[VB]], %ab[%[[I2]], %[[JB]]] : memref<?x?xf64>
  // CHECK:      func.return %ab : memref<?x?xf64>
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
  // CHECK:      scf.for
  // CHECK:        memref.store %{{.*}}, %y[%{{.*}}] : memref<?xf64>
  // CHECK:      func.return %y : memref<?xf64>
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
  // CHECK:      scf.for
  // CHECK:        %[[V:.*]] = memref.load %t[%{{.*}}] : memref<?xf64>
  // CHECK:        memref.store %[[V]], %r[%{{.*}}] : memref<?xf64>
  // CHECK:      memref.dealloc %t : memref<?xf64>
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

// A slice of the leading dim (a minibatch) is a view: the offset of its first element and
// its sizes, no copy; the start is clamped as Python's slice.indices does.
// CHECK-LABEL: func.func @minibatch_view
func.func @minibatch_view(%data: tensor<?x?xf64>, %lo: tensor<i64>, %hi: tensor<i64>) -> tensor<?xf64> {
  // CHECK:      %[[START:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK-NEXT: arith.index_cast %{{.*}} : i64 to index
  // CHECK-NEXT: %[[N:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK:      %[[ROW:.*]] = arith.muli %{{.*}}, %{{.*}} : index
  // CHECK-NEXT: %[[OFF:.*]] = arith.muli %[[START]], %[[ROW]] : index
  // CHECK-NEXT: %[[AT:.*]] = arith.addi %{{.*}}, %[[OFF]] : index
  // CHECK-NEXT: %batch = tir.view %data[%[[AT]]] (%[[N]], %{{.*}}) : (memref<?x?xf64>, index, index, index) -> memref<?x?xf64>
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
