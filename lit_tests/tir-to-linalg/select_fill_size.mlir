// RUN: tensorir-opt %s -p tir-to-linalg | filecheck %s
// The ops autodiff emits: switch is an elementwise arith.select over three broadcasting
// operands, second (fill) yields its rhs at the lhs's shape, sgn is two compares and two
// selects, size multiplies tensor.dims of the counted axes.

// A row branch against a matrix condition: read at index 0 along dim 0, and the run-time
// checks cover each pair of operands that must agree on a dim.
// CHECK-LABEL: func.func @switch
func.func @switch(%c: tensor<?x?xi1>, %a: tensor<?x?xf64>, %row: tensor<1x?xf64>) -> tensor<?x?xf64> {
  // CHECK:      tir.check %{{.*}}, "ValueError", "Input dimension mismatch in switch: shapes ({0}, {1}) and ({2}, {3}) do not broadcast at dim 0 (built at prog.py:4: r = switch(c, a, row))"
  // CHECK:      tir.check %{{.*}}, "ValueError", "Input dimension mismatch in switch: {{.*}} at dim 1
  // CHECK:      %[[R1:.*]] = tensor.dim %row, %{{.*}} : tensor<1x?xf64>
  // CHECK:      tir.check %{{.*}}, "ValueError", "Input dimension mismatch in switch: {{.*}} at dim 1
  // CHECK:      %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%c, %a, %row : tensor<?x?xi1>, tensor<?x?xf64>, tensor<1x?xf64>)
  // CHECK-NEXT: ^bb0(%[[C:.*]]: i1, %[[A:.*]]: f64, %[[B:.*]]: f64, %{{.*}}: f64):
  // CHECK-NEXT:   %[[SEL:.*]] = arith.select %[[C]], %[[A]], %[[B]] : f64
  // CHECK-NEXT:   linalg.yield %[[SEL]] : f64
  %r = tir.switch %c, %a, %row {loc = "prog.py:4: r = switch(c, a, row)"} : (tensor<?x?xi1>, tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  func.return %r : tensor<?x?xf64>
}

// fill a matrix with a 1x1 value: no check (a size-1 operand always broadcasts), the body
// yields the rhs element and ignores the lhs one.
// CHECK-LABEL: func.func @second
func.func @second(%a: tensor<?x?xf32>, %s: tensor<1x1xf32>) -> tensor<?x?xf32> {
  // CHECK-NOT:  tir.check
  // CHECK:      %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a, %s : tensor<?x?xf32>, tensor<1x1xf32>)
  // CHECK-NEXT: ^bb0(%{{.*}}: f32, %[[S:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT:   linalg.yield %[[S]] : f32
  %r = tir.second %a, %s : (tensor<?x?xf32>, tensor<1x1xf32>) -> tensor<?x?xf32>
  func.return %r : tensor<?x?xf32>
}

// sgn: x > 0 ? 1 : (x < 0 ? -1 : x), so 0 and NaN map to themselves; integers alike.
// CHECK-LABEL: func.func @sgn
func.func @sgn(%a: tensor<?xf64>, %i: tensor<?xi32>) -> (tensor<?xf64>, tensor<?xi32>) {
  // CHECK:      ^bb0(%[[X:.*]]: f64, %{{.*}}: f64):
  // CHECK-NEXT:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
  // CHECK-NEXT:   %[[POS:.*]] = arith.cmpf ogt, %[[X]], %[[ZERO]] : f64
  // CHECK-NEXT:   %[[NEG:.*]] = arith.cmpf olt, %[[X]], %[[ZERO]] : f64
  // CHECK-NEXT:   %[[M1:.*]] = arith.constant -1.000000e+00 : f64
  // CHECK-NEXT:   %[[S1:.*]] = arith.select %[[NEG]], %[[M1]], %[[X]] : f64
  // CHECK-NEXT:   %[[P1:.*]] = arith.constant 1.000000e+00 : f64
  // CHECK-NEXT:   %[[S2:.*]] = arith.select %[[POS]], %[[P1]], %[[S1]] : f64
  // CHECK-NEXT:   linalg.yield %[[S2]] : f64
  // CHECK:        arith.cmpi sgt, %{{.*}}, %{{.*}} : i32
  // CHECK-NEXT:   arith.cmpi slt, %{{.*}}, %{{.*}} : i32
  %r = tir.sgn %a : tensor<?xf64> -> tensor<?xf64>
  %ri = tir.sgn %i : tensor<?xi32> -> tensor<?xi32>
  func.return %r, %ri : tensor<?xf64>, tensor<?xi32>
}

// size: the product of the counted dims (read with tensor.dim), as an int64 scalar.
// CHECK-LABEL: func.func @size
func.func @size(%a: tensor<?x?x?xf64>) -> (tensor<i64>, tensor<i64>) {
  // CHECK-DAG:  %[[C0:.*]] = arith.constant 0 : index
  // CHECK-DAG:  %[[C1:.*]] = arith.constant 1 : index
  // CHECK-DAG:  %[[C2:.*]] = arith.constant 2 : index
  // CHECK:      %[[D0:.*]] = tensor.dim %a, %[[C0]]
  // CHECK-NEXT: %[[P0:.*]] = arith.muli %[[C1]], %[[D0]] : index
  // CHECK-NEXT: %[[D1:.*]] = tensor.dim %a, %[[C1]]
  // CHECK-NEXT: %[[P1:.*]] = arith.muli %[[P0]], %[[D1]] : index
  // CHECK-NEXT: %[[D2:.*]] = tensor.dim %a, %[[C2]]
  // CHECK-NEXT: %[[P2:.*]] = arith.muli %[[P1]], %[[D2]] : index
  // CHECK-NEXT: %[[N:.*]] = arith.index_cast %[[P2]] : index to i64
  // CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<i64>
  // CHECK-NEXT: %all = linalg.generic {indexing_maps = [affine_map<() -> ()>], iterator_types = []} outs(%[[E]] : tensor<i64>)
  // CHECK-NEXT: ^bb0(%{{.*}}: i64):
  // CHECK-NEXT:   linalg.yield %[[N]] : i64
  // Axes 0 and 2 only (the dims already read are reused):
  // CHECK:      %[[Q0:.*]] = arith.muli %[[C1]], %[[D0]] : index
  // CHECK-NEXT: %[[Q1:.*]] = arith.muli %[[Q0]], %[[D2]] : index
  // CHECK-NEXT: %[[M:.*]] = arith.index_cast %[[Q1]] : index to i64
  // CHECK:      %some = linalg.generic
  // CHECK:        linalg.yield %[[M]] : i64
  %all = tir.size %a {axes = array<i64: 0, 1, 2>} : tensor<?x?x?xf64> -> tensor<i64>
  %some = tir.size %a {axes = array<i64: 0, 2>} : tensor<?x?x?xf64> -> tensor<i64>
  func.return %all, %some : tensor<i64>, tensor<i64>
}
