// RUN: tensorir-opt %s -p tir-to-loops | filecheck %s
// The buffer-level indexing ops become explicit loop nests with memref.load/memref.store:
// every index read at run time is wrapped as Python does (negative counts from the end) and
// checked against its dim (IndexError naming the index, the axis, the size and the user's
// line) before it is used; a slice's step is checked non-zero (ValueError) and its bounds
// clamped. The buffers are tir-bufferize's: this pass allocates nothing.

// x[i, lo:hi:step]: the integer index is wrapped and checked, the slice's length is
// max(0, ceil((stop - start) / step)) with start and stop clamped as slice.indices does, and
// the loop reads x[i, start + k * step]. tir.subtensor_shape and the tir.subtensor_into after
// it share that work: it is done, and checked, once.
// CHECK-LABEL: func.func @subtensor
func.func @subtensor(%x: memref<?x?xf64>, %i: i64, %lo: i64, %hi: i64, %step: i64) -> memref<?xf64> {
  // CHECK:      %[[ROWS:.*]] = memref.dim %x, %{{.*}} : memref<?x?xf64>
  // CHECK-NEXT: %{{.*}} = arith.constant 1 : index
  // CHECK-NEXT: %[[COLS:.*]] = memref.dim %x, %{{.*}} : memref<?x?xf64>
  // CHECK-NEXT: %[[N:.*]] = arith.index_cast %[[ROWS]] : index to i64
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i64
  // CHECK-NEXT: %[[NEG:.*]] = arith.cmpi slt, %i, %[[ZERO]] : i64
  // CHECK-NEXT: %[[FROM_END:.*]] = arith.addi %i, %[[N]] : i64
  // CHECK-NEXT: %[[WRAPPED:.*]] = arith.select %[[NEG]], %[[FROM_END]], %i : i64
  // CHECK-NEXT: %[[GE:.*]] = arith.cmpi sge, %[[WRAPPED]], %[[ZERO]] : i64
  // CHECK-NEXT: %[[LT:.*]] = arith.cmpi slt, %[[WRAPPED]], %[[N]] : i64
  // CHECK-NEXT: %[[OK:.*]] = arith.andi %[[GE]], %[[LT]] : i1
  // CHECK-NEXT: tir.check %[[OK]], "IndexError", "index {0} is out of bounds for axis 0 with size {1} (built at p.py:2: row = x[i, lo:hi:step])"(%i, %[[N]] : i64, i64)
  // CHECK-NEXT: %[[ROW:.*]] = arith.index_cast %[[WRAPPED]] : i64 to index
  // CHECK:      %[[NONZERO:.*]] = arith.cmpi ne, %step, %{{.*}} : i64
  // CHECK-NEXT: tir.check %[[NONZERO]], "ValueError", "slice step cannot be zero (built at p.py:2: row = x[i, lo:hi:step])"
  // CHECK:      %[[COUNT:.*]] = arith.ceildivsi %{{.*}}, %step : i64
  // CHECK:      %[[LEN:.*]] = arith.maxsi %[[COUNT]], %{{.*}} : i64
  // CHECK-NEXT: %[[START_I:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK-NEXT: %[[STEP_I:.*]] = arith.index_cast %step : i64 to index
  // CHECK-NEXT: %[[LEN_I:.*]] = arith.index_cast %[[LEN]] : i64 to index
  // CHECK-NEXT: %row = memref.alloc(%[[LEN_I]]) : memref<?xf64>
  // CHECK-NOT:  tir.check
  // CHECK:      scf.for %[[K:.*]] = %{{.*}} to %[[LEN_I]] step %{{.*}} {
  // CHECK-NEXT:   %[[KS:.*]] = arith.muli %[[K]], %[[STEP_I]] : index
  // CHECK-NEXT:   %[[J:.*]] = arith.addi %[[START_I]], %[[KS]] : index
  // CHECK-NEXT:   %[[V:.*]] = memref.load %x[%[[ROW]], %[[J]]] : memref<?x?xf64>
  // CHECK-NEXT:   memref.store %[[V]], %row[%[[K]]] : memref<?xf64>
  // CHECK-NEXT: }
  // CHECK-NEXT: func.return %row : memref<?xf64>
  %n = tir.subtensor_shape %x[%i, %lo, %hi, %step] {loc = "p.py:2: row = x[i, lo:hi:step]", kinds = array<i64: -1, 7>} : (memref<?x?xf64>, i64, i64, i64, i64) -> index
  %row = memref.alloc(%n) : memref<?xf64>
  tir.subtensor_into %x[%i, %lo, %hi, %step] into %row {loc = "p.py:2: row = x[i, lo:hi:step]", kinds = array<i64: -1, 7>} : (memref<?x?xf64>, i64, i64, i64, i64) -> memref<?xf64>
  func.return %row : memref<?xf64>
}

// Alone (its buffer allocated some other way), tir.subtensor_into computes and checks the
// part itself.
// CHECK-LABEL: func.func @subtensor_alone
func.func @subtensor_alone(%x: memref<?xf64>, %step: i64, %out: memref<?xf64>) {
  // CHECK:      tir.check %{{.*}}, "ValueError", "slice step cannot be zero"
  // CHECK:      scf.for
  // CHECK:        memref.store %{{.*}}, %out[%{{.*}}] : memref<?xf64>
  tir.subtensor_into %x[%step] into %out {kinds = array<i64: 4>} : (memref<?xf64>, i64) -> memref<?xf64>
  func.return
}

// inc_subtensor(x[lo:], v) with a row v, into y (a copy of x): v's length is checked
// against the part's (its size-1 dim broadcasts, so it is not checked), and each element
// of the part is loaded, incremented and stored back.
// CHECK-LABEL: func.func @inc_subtensor
func.func @inc_subtensor(%y: memref<?x?xf64>, %lo: i64, %v: memref<1x?xf64>) {
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
  tir.inc_subtensor_into %v into %y[%lo] {loc = "p.py:3: y = inc_subtensor(x[lo:], v)", kinds = array<i64: 1>, set = false} : memref<1x?xf64>, memref<?x?xf64>, i64
  func.return
}

// set_subtensor(x[i], v) on int32 data: the int32 index is sign-extended before it is
// wrapped; the value (a rank-0 buffer) is stored without reading the old one.
// CHECK-LABEL: func.func @set_subtensor
func.func @set_subtensor(%y: memref<?xi32>, %i: i32, %v: memref<i32>) {
  // CHECK:      %[[I:.*]] = arith.extsi %i : i32 to i64
  // CHECK:      tir.check %{{.*}}, "IndexError", "index {0} is out of bounds for axis 0 with size {1}"(%[[I]], %{{.*}} : i64, i64)
  // CHECK-NEXT: %[[AT:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK-NEXT: %[[VAL:.*]] = memref.load %v[] : memref<i32>
  // CHECK-NEXT: memref.store %[[VAL]], %y[%[[AT]]] : memref<?xi32>
  // CHECK-NEXT: func.return
  tir.inc_subtensor_into %v into %y[%i] {kinds = array<i64: -1>, set = true} : memref<i32>, memref<?xi32>, i32
  func.return
}

// x[rows, cols]: the index vectors must have one length (IndexError as numpy's); in the
// loop over their positions each index is loaded, wrapped and checked against its axis.
// CHECK-LABEL: func.func @gather
func.func @gather(%x: memref<?x?xf64>, %rows: memref<?xi64>, %cols: memref<?xi32>, %g: memref<?xf64>) {
  // CHECK:      %[[NR:.*]] = memref.dim %rows, %{{.*}} : memref<?xi64>
  // CHECK:      %[[NC:.*]] = memref.dim %cols, %{{.*}} : memref<?xi32>
  // CHECK-NEXT: %[[SAME:.*]] = arith.cmpi eq, %[[NR]], %[[NC]] : index
  // CHECK:      tir.check %[[SAME]], "IndexError", "advanced indexing: shape mismatch: indexing arrays could not be broadcast together with shapes ({0},) ({1},) (built at p.py:4: g = x[rows, cols])"
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
  tir.gather_into %x[%rows, %cols] into %g {loc = "p.py:4: g = x[rows, cols]"} : (memref<?x?xf64>, memref<?xi64>, memref<?xi32>) -> memref<?xf64>
  func.return
}

// inc_subtensor(x[rows], v) into s (a copy of x): the value must have the gathered part's
// shape (ValueError); each row of v is added to the row it names, so repeated rows
// accumulate.
// CHECK-LABEL: func.func @scatter_add
func.func @scatter_add(%s: memref<?x?xf64>, %rows: memref<?xi64>, %v: memref<?x?xf64>) {
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
  tir.scatter_add_into %v into %s[%rows] {loc = "p.py:5: s = inc_subtensor(x[rows], v)"} : memref<?x?xf64>, memref<?x?xf64>, memref<?xi64>
  func.return
}

// set_subtensor(x[rows], v): each row is stored, the last of repeated rows wins; the
// messages name scatter.
// CHECK-LABEL: func.func @scatter
func.func @scatter(%s: memref<?xf64>, %rows: memref<?xi64>, %v: memref<?xf64>) {
  // CHECK:      tir.check %{{.*}}, "ValueError", "scatter: a value of shape ({0},) does not fit the indexed part of shape ({1},)"
  // CHECK:      scf.for %[[P:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
  // CHECK:        %[[VAL:.*]] = memref.load %v[%[[P]]] : memref<?xf64>
  // CHECK-NEXT:   memref.store %[[VAL]], %s[%{{.*}}] : memref<?xf64>
  tir.scatter_into %v into %s[%rows] : memref<?xf64>, memref<?xf64>, memref<?xi64>
  func.return
}

// concatenate([a, b], axis=1): the dims off the axis must agree (ValueError); the result
// has the sum of the widths (checked, as its size, against overflow: ValueError), and each
// input is copied at its offset along the axis.
// CHECK-LABEL: func.func @concatenate
func.func @concatenate(%a: memref<?x?xf64>, %b: memref<?x?xf64>) -> memref<?x?xf64> {
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
  // CHECK:      scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
  // CHECK:        scf.for %[[J:.*]] = %{{.*}} to %[[AC2:.*]] step %{{.*}} {
  // CHECK-NEXT:     %[[VA:.*]] = memref.load %a[%[[I]], %[[J]]] : memref<?x?xf64>
  // CHECK-NEXT:     %[[JA:.*]] = arith.addi %[[J]], %[[ZERO]] : index
  // CHECK-NEXT:     memref.store %[[VA]], %ab[%[[I]], %[[JA]]] : memref<?x?xf64>
  // CHECK:      %[[OFFSET:.*]] = arith.addi %[[ZERO]], %[[AC2]] : index
  // CHECK:      scf.for %[[I2:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
  // CHECK:        scf.for %[[J2:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
  // CHECK-NEXT:     %[[VB:.*]] = memref.load %b[%[[I2]], %[[J2]]] : memref<?x?xf64>
  // CHECK-NEXT:     %[[JB:.*]] = arith.addi %[[J2]], %[[OFFSET]] : index
  // CHECK-NEXT:     memref.store %[[VB]], %ab[%[[I2]], %[[JB]]] : memref<?x?xf64>
  // CHECK:      func.return %ab : memref<?x?xf64>
  %r, %c = tir.concatenate_shape %a, %b {loc = "p.py:6: ab = concatenate([a, b], axis=1)", axis = 1 : i64} : (memref<?x?xf64>, memref<?x?xf64>) -> (index, index)
  %ab = memref.alloc(%r, %c) : memref<?x?xf64>
  tir.concatenate_into %a, %b into %ab {loc = "p.py:6: ab = concatenate([a, b], axis=1)", axis = 1 : i64} : (memref<?x?xf64>, memref<?x?xf64>) -> memref<?x?xf64>
  func.return %ab : memref<?x?xf64>
}

// A slice of the leading dim (a minibatch) is a view: the offset of its first element and
// its sizes, no copy; the start is clamped as Python's slice.indices does.
// CHECK-LABEL: func.func @minibatch_view
func.func @minibatch_view(%data: memref<?x?xf64>, %lo: i64, %hi: i64) -> memref<?x?xf64> {
  // CHECK:      %[[START:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK-NEXT: arith.index_cast %{{.*}} : i64 to index
  // CHECK-NEXT: %[[N:.*]] = arith.index_cast %{{.*}} : i64 to index
  // CHECK:      %[[ROW:.*]] = arith.muli %{{.*}}, %{{.*}} : index
  // CHECK-NEXT: %[[OFF:.*]] = arith.muli %[[START]], %[[ROW]] : index
  // CHECK-NEXT: %[[AT:.*]] = arith.addi %{{.*}}, %[[OFF]] : index
  // CHECK-NEXT: %batch = tir.view %data[%[[AT]]] (%[[N]], %{{.*}}) : (memref<?x?xf64>, index, index, index) -> memref<?x?xf64>
  // CHECK-NOT:  memref.copy
  // CHECK:      func.return %batch
  %batch = tir.subtensor_view %data[%lo, %hi] {kinds = array<i64: 3>} : (memref<?x?xf64>, i64, i64) -> memref<?x?xf64>
  func.return %batch : memref<?x?xf64>
}
