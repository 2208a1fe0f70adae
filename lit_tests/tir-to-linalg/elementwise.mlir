// RUN: tensorir-opt %s -p tir-to-linalg | filecheck %s
// Elementwise ops become parallel generics; a broadcast operand is read at index 0 along
// its size-1 dims; operands that must agree on a dim are checked at run time.

// CHECK-LABEL: func.func @add_row
func.func @add_row(%m: tensor<?x?xf64>, %row: tensor<1x?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %[[D0:.*]] = tensor.dim %m, %{{.*}} : tensor<?x?xf64>
  // CHECK-NEXT: %[[D1:.*]] = tensor.dim %m, %{{.*}} : tensor<?x?xf64>
  // CHECK-NEXT: %[[R1:.*]] = tensor.dim %row, %{{.*}} : tensor<1x?xf64>
  // CHECK-NEXT: %[[OK:.*]] = arith.cmpi eq, %[[D1]], %[[R1]] : index
  // CHECK-NEXT: tir.check %[[OK]], "ValueError", "Input dimension mismatch in add: shapes ({0}, {1}) and ({2}, {3}) do not broadcast at dim 1 (built at prog.py:3: c = m + row)"
  // CHECK-NEXT: %[[E:.*]] = tensor.empty(%[[D0]], %[[D1]]) : tensor<?x?xf64>
  // CHECK-NEXT: %c = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%m, %row : tensor<?x?xf64>, tensor<1x?xf64>) outs(%[[E]] : tensor<?x?xf64>)
  // CHECK:        arith.addf
  %c = tir.add %m, %row {loc = "prog.py:3: c = m + row"} : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  func.return %c : tensor<?x?xf64>
}

// Scalars: rank-0 generics, no loops and no checks.
// CHECK-LABEL: func.func @scalar_add
func.func @scalar_add(%a: tensor<f64>, %b: tensor<f64>) -> tensor<f64> {
  // CHECK-NOT: tir.check
  // CHECK: %c = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%a, %b : tensor<f64>, tensor<f64>)
  %c = tir.add %a, %b : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %c : tensor<f64>
}

// Integer mod follows Python: the remainder takes the sign of the divisor.
// CHECK-LABEL: func.func @int_mod
func.func @int_mod(%a: tensor<?xi32>, %b: tensor<?xi32>) -> tensor<?xi32> {
  // CHECK: arith.remsi
  // CHECK: arith.xori
  // CHECK: arith.select
  %c = tir.mod %a, %b : (tensor<?xi32>, tensor<?xi32>) -> tensor<?xi32>
  func.return %c : tensor<?xi32>
}

// Casts convert each element.
// CHECK-LABEL: func.func @cast
func.func @cast(%a: tensor<?xf32>) -> tensor<?xf64> {
  // CHECK: arith.extf %{{.*}} : f32 to f64
  %c = tir.cast %a : tensor<?xf32> -> tensor<?xf64>
  func.return %c : tensor<?xf64>
}

// sigmoid(x) = (x >= 0 ? 1 : e) / (1 + e) with e = exp(-|x|): no overflow, tiny values kept
// CHECK-LABEL: func.func @sigmoid
func.func @sigmoid(%a: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      ^bb0(%[[X:.*]]: f64, %{{.*}}: f64):
  // CHECK-NEXT: %[[ABS:.*]] = math.absf %[[X]] : f64
  // CHECK-NEXT: %[[NEG:.*]] = arith.negf %[[ABS]] : f64
  // CHECK-NEXT: %[[E:.*]] = math.exp %[[NEG]] : f64
  // CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
  // CHECK-NEXT: %[[POS:.*]] = arith.cmpf oge, %[[X]], %[[ZERO]] : f64
  // CHECK-NEXT: %[[NUM:.*]] = arith.select %[[POS]], %[[ONE]], %[[E]] : f64
  // CHECK-NEXT: %[[DEN:.*]] = arith.addf %[[ONE]], %[[E]] : f64
  // CHECK-NEXT: %[[S:.*]] = arith.divf %[[NUM]], %[[DEN]] : f64
  // CHECK-NEXT: linalg.yield %[[S]] : f64
  %c = tir.sigmoid %a : tensor<?xf64> -> tensor<?xf64>
  func.return %c : tensor<?xf64>
}

// softplus(x) = max(x, 0) + log1p(exp(-|x|)), in float32
// CHECK-LABEL: func.func @softplus
func.func @softplus(%a: tensor<?xf32>) -> tensor<?xf32> {
  // CHECK:      ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[ABS:.*]] = math.absf %[[X]] : f32
  // CHECK-NEXT: %[[NEG:.*]] = arith.negf %[[ABS]] : f32
  // CHECK-NEXT: %[[E:.*]] = math.exp %[[NEG]] : f32
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT: %[[POS:.*]] = arith.maximumf %[[X]], %[[ZERO]] : f32
  // CHECK-NEXT: %[[L:.*]] = math.log1p %[[E]] : f32
  // CHECK-NEXT: %[[S:.*]] = arith.addf %[[POS]], %[[L]] : f32
  // CHECK-NEXT: linalg.yield %[[S]] : f32
  %c = tir.softplus %a : tensor<?xf32> -> tensor<?xf32>
  func.return %c : tensor<?xf32>
}
