// RUN: tensorir-opt %s -p tir-to-linalg | filecheck %s
// The classifier ops as kernels. softmax: the maximum along the axis (fill -inf, maximumf),
// e = exp(x - max) elementwise, its sum along the axis (fill 0, addf), then e / sum.
// log_softmax: the same max and sum of exp(x - max), then x - max - log(sum).
// argmax/argmin: an empty axis raises; the extremum along the axis, the positions along it
// from tir.arange, then the minimum of the positions whose element equals the extremum (or
// is NaN), so the first occurrence wins and a NaN counts as the extremum, as in numpy.

// Softmax of each row of a matrix: the reductions run along d1 and write per row (d0).
// CHECK-LABEL: func.func @softmax_rows
func.func @softmax_rows(%x: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK:      arith.constant 0xfff0000000000000 : f64
  // CHECK:      %[[MAX:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<?x?xf64>)
  // CHECK:        arith.maximumf
  // CHECK:      %[[E:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %[[MAX]] : tensor<?x?xf64>, tensor<?xf64>)
  // CHECK-NEXT: ^{{.*}}(%[[XV:.*]]: f64, %[[MV:.*]]: f64, %{{.*}}: f64):
  // CHECK-NEXT:   %[[D:.*]] = arith.subf %[[XV]], %[[MV]] : f64
  // CHECK-NEXT:   %[[EXP:.*]] = math.exp %[[D]] : f64
  // CHECK-NEXT:   linalg.yield %[[EXP]] : f64
  // CHECK:      arith.constant 0.000000e+00 : f64
  // CHECK:      %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[E]] : tensor<?x?xf64>)
  // CHECK:        arith.addf
  // CHECK:      %p = linalg.generic {{.*}} ins(%[[E]], %[[SUM]] : tensor<?x?xf64>, tensor<?xf64>)
  // CHECK-NEXT: ^{{.*}}(%[[EV:.*]]: f64, %[[SV:.*]]: f64, %{{.*}}: f64):
  // CHECK-NEXT:   %[[Q:.*]] = arith.divf %[[EV]], %[[SV]] : f64
  // CHECK-NEXT:   linalg.yield %[[Q]] : f64
  // CHECK:      func.return %p
  %p = tir.softmax %x {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  func.return %p : tensor<?x?xf64>
}

// Softmax along axis 0: the max and the sum are per column (d1).
// CHECK-LABEL: func.func @softmax_columns
func.func @softmax_columns(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  // CHECK:      arith.constant 0xff800000 : f32
  // CHECK:      linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%x : tensor<?x?xf32>)
  // CHECK:        arith.maximumf
  // CHECK:        math.exp
  // CHECK:      linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]}
  // CHECK:        arith.addf
  // CHECK:        arith.divf
  %p = tir.softmax %x {axis = 0 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
  func.return %p : tensor<?x?xf32>
}

// log_softmax of a vector: max and sum are rank-0; the last kernel reads x, max and sum and
// computes (x - max) - log(sum), never taking the log of an underflowed exp.
// CHECK-LABEL: func.func @log_softmax
func.func @log_softmax(%x: tensor<?xf32>) -> tensor<?xf32> {
  // CHECK:      %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%x : tensor<?xf32>)
  // CHECK:        arith.maximumf
  // CHECK:      %[[E:.*]] = linalg.generic {{.*}} ins(%x, %[[MAX]] : tensor<?xf32>, tensor<f32>)
  // CHECK:        arith.subf
  // CHECK-NEXT:   math.exp
  // CHECK:      %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[E]] : tensor<?xf32>)
  // CHECK:        arith.addf
  // CHECK:      %l = linalg.generic {{.*}} ins(%x, %[[MAX]], %[[SUM]] : tensor<?xf32>, tensor<f32>, tensor<f32>)
  // CHECK-NEXT: ^{{.*}}(%[[XV:.*]]: f32, %[[MV:.*]]: f32, %[[SV:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT:   %[[D:.*]] = arith.subf %[[XV]], %[[MV]] : f32
  // CHECK-NEXT:   %[[LOGSUM:.*]] = math.log %[[SV]] : f32
  // CHECK-NEXT:   %[[R:.*]] = arith.subf %[[D]], %[[LOGSUM]] : f32
  // CHECK-NEXT:   linalg.yield %[[R]] : f32
  %l = tir.log_softmax %x {axis = 0 : i64} : tensor<?xf32> -> tensor<?xf32>
  func.return %l : tensor<?xf32>
}

// argmax along the rows of a float matrix: the row length is checked non-zero, the
// positions 0..n-1 come from tir.arange, and the result is min over the row of
// (x == max or x is NaN) ? position : INT64_MAX.
// CHECK-LABEL: func.func @argmax_rows
func.func @argmax_rows(%x: tensor<?x?xf64>) -> tensor<?xi64> {
  // CHECK:      %[[N:.*]] = tensor.dim %x, %{{.*}} : tensor<?x?xf64>
  // CHECK-NEXT: %[[NONEMPTY:.*]] = arith.cmpi sgt, %[[N]], %{{.*}} : index
  // CHECK-NEXT: tir.check %[[NONEMPTY]], "ValueError", "argmax: attempt to get argmax of an empty sequence (built at p.py:7: i = argmax(x, axis=1))"
  // CHECK:      %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%x : tensor<?x?xf64>)
  // CHECK:        arith.maximumf
  // CHECK:      %[[POS:.*]] = tir.arange %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  // CHECK:      arith.constant 9223372036854775807 : i64
  // CHECK:      %i = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %[[MAX]], %[[POS]] : tensor<?x?xf64>, tensor<?xf64>, tensor<?xi64>)
  // CHECK-NEXT: ^{{.*}}(%[[XV:.*]]: f64, %[[MV:.*]]: f64, %[[K:.*]]: i64, %[[ACC:.*]]: i64):
  // CHECK-NEXT:   %[[IS_MAX:.*]] = arith.cmpf oeq, %[[XV]], %[[MV]] : f64
  // CHECK-NEXT:   %[[IS_NAN:.*]] = arith.cmpf uno, %[[XV]], %[[XV]] : f64
  // CHECK-NEXT:   %[[HIT:.*]] = arith.ori %[[IS_MAX]], %[[IS_NAN]] : i1
  // CHECK-NEXT:   %[[BIG:.*]] = arith.constant 9223372036854775807 : i64
  // CHECK-NEXT:   %[[CAND:.*]] = arith.select %[[HIT]], %[[K]], %[[BIG]] : i64
  // CHECK-NEXT:   %[[FIRST:.*]] = arith.minsi %[[ACC]], %[[CAND]] : i64
  // CHECK-NEXT:   linalg.yield %[[FIRST]] : i64
  %i = tir.argmax %x {loc = "p.py:7: i = argmax(x, axis=1)", axis = 1 : i64} : tensor<?x?xf64> -> tensor<?xi64>
  func.return %i : tensor<?xi64>
}

// argmin of an int32 vector: the minimum (fill INT32_MAX, minsi), then integer equality
// (no NaN test) picks the first position.
// CHECK-LABEL: func.func @argmin_int32
func.func @argmin_int32(%x: tensor<?xi32>) -> tensor<i64> {
  // CHECK:      tir.check %{{.*}}, "ValueError", "argmin: attempt to get argmin of an empty sequence"
  // CHECK:      arith.constant 2147483647 : i32
  // CHECK:      %[[MIN:.*]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%x : tensor<?xi32>)
  // CHECK:        arith.minsi
  // CHECK:      %[[POS:.*]] = tir.arange
  // CHECK:      %i = linalg.generic {{.*}} ins(%x, %[[MIN]], %[[POS]] : tensor<?xi32>, tensor<i32>, tensor<?xi64>)
  // CHECK-NEXT: ^{{.*}}(%[[XV:.*]]: i32, %[[MV:.*]]: i32, %[[K:.*]]: i64, %[[ACC:.*]]: i64):
  // CHECK-NEXT:   %[[HIT:.*]] = arith.cmpi eq, %[[XV]], %[[MV]] : i32
  // CHECK-NEXT:   %[[BIG:.*]] = arith.constant 9223372036854775807 : i64
  // CHECK-NEXT:   %[[CAND:.*]] = arith.select %[[HIT]], %[[K]], %[[BIG]] : i64
  // CHECK-NEXT:   %[[FIRST:.*]] = arith.minsi %[[ACC]], %[[CAND]] : i64
  // CHECK-NEXT:   linalg.yield %[[FIRST]] : i64
  %i = tir.argmin %x {axis = 0 : i64} : tensor<?xi32> -> tensor<i64>
  func.return %i : tensor<i64>
}
