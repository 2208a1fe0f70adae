// RUN: tensorir-opt %s -p tir-to-linalg | filecheck %s
// Reductions: a fill with the neutral element, then a generic with reduction iterators.

// CHECK-LABEL: func.func @sum_rows
func.func @sum_rows(%m: tensor<?x?xf64>) -> tensor<?xf64> {
  // CHECK:      arith.constant 0.000000e+00 : f64
  // CHECK:      linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%m : tensor<?x?xf64>)
  // CHECK:        arith.addf
  %s = tir.sum %m {axes = array<i64: 0>} : tensor<?x?xf64> -> tensor<?xf64>
  func.return %s : tensor<?xf64>
}

// max of an empty axis raises, as numpy does; the neutral element is -inf.
// CHECK-LABEL: func.func @max_all
func.func @max_all(%v: tensor<?xf64>) -> tensor<f64> {
  // CHECK: tir.check %{{.*}}, "ValueError", "max: zero-size array to reduction operation maximum which has no identity (input shape ({0},), axes [0])"
  // CHECK: arith.constant 0xfff0000000000000 : f64
  // CHECK: arith.maximumf
  %s = tir.max %v {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  func.return %s : tensor<f64>
}

// Small integer sums accumulate in int64, as numpy.
// CHECK-LABEL: func.func @sum_int8
func.func @sum_int8(%v: tensor<?xi8>) -> tensor<i64> {
  // CHECK: arith.extsi %{{.*}} : i8 to i64
  // CHECK-NEXT: arith.addi
  %s = tir.sum %v {axes = array<i64: 0>} : tensor<?xi8> -> tensor<i64>
  func.return %s : tensor<i64>
}

// mean = sum / number of reduced elements
// CHECK-LABEL: func.func @mean
func.func @mean(%m: tensor<?x?xf32>) -> tensor<?xf32> {
  // CHECK: arith.sitofp %{{.*}} : i64 to f32
  // CHECK: arith.divf
  %s = tir.mean %m {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
  func.return %s : tensor<?xf32>
}

// dot checks the contracted dims and is marked with the BLAS routine it matches.
// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<?x?xf64>, %b: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK: tir.check %{{.*}}, "ValueError", "dot: shapes ({0}, {1}) and ({2}, {3}) not aligned: {1} (dim 1) != {2} (dim 0)"
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"], library_call = "gemm"}
  %c = tir.dot %a, %b : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %c : tensor<?x?xf64>
}

// CHECK-LABEL: func.func @vecmat
func.func @vecmat(%x: tensor<?xf32>, %b: tensor<?x?xf32>) -> tensor<?xf32> {
  // CHECK: library_call = "gemv_t"
  %c = tir.dot %x, %b : (tensor<?xf32>, tensor<?x?xf32>) -> tensor<?xf32>
  func.return %c : tensor<?xf32>
}

// dimshuffle is a copy whose input map permutes, drops or inserts dims.
// CHECK-LABEL: func.func @transpose_expand
func.func @transpose_expand(%m: tensor<?x?xf64>) -> tensor<?x1x?xf64> {
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>]
  %t = tir.dimshuffle %m {pattern = array<i64: 1, -1, 0>} : tensor<?x?xf64> -> tensor<?x1x?xf64>
  func.return %t : tensor<?x1x?xf64>
}

// reshape resolves a -1 size and checks that the element count is kept, that no size
// product overflows (checked by a division: a product that wraps must not pass), and (as
// numpy) that the -1 is not next to a size 0.
// CHECK-LABEL: func.func @reshape
func.func @reshape(%m: tensor<?x?xf64>) -> tensor<?xf64> {
  %minus_one = arith.constant -1 : index
  // CHECK: %[[NZ:.*]] = arith.cmpi ne, %{{.*}}, %{{.*}} : index
  // CHECK: arith.divui
  // CHECK: arith.cmpi ule
  // CHECK: %[[SAME:.*]] = arith.cmpi eq
  // CHECK-NEXT: %[[FITS:.*]] = arith.andi %[[SAME]], %{{.*}} : i1
  // CHECK-NEXT: %[[KNOWN:.*]] = arith.andi %[[FITS]], %{{.*}} : i1
  // CHECK: %[[RESOLVED:.*]] = arith.andi %[[KNOWN]], %[[NZ]] : i1
  // CHECK: %[[OK:.*]] = arith.select %{{.*}}, %[[RESOLVED]], %[[KNOWN]] : i1
  // CHECK: tir.check %[[OK]], "ValueError", "reshape: cannot reshape array of size {0} into shape ({1},)"
  // CHECK-NEXT: %flat = tir.reshape %m(%{{.*}}) : (tensor<?x?xf64>, index) -> tensor<?xf64>
  %flat = tir.reshape %m(%minus_one) : (tensor<?x?xf64>, index) -> tensor<?xf64>
  func.return %flat : tensor<?xf64>
}
