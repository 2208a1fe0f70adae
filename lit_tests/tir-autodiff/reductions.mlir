// RUN: tensorir-opt %s -p tir-autodiff | filecheck %s
// Gradient rules of the reductions. gz has the reduced rank: it gets size-1 dims back at the
// reduced axes (tir.dimshuffle with -1) and is then broadcast to the input's shape.

// sum: gz re-expanded and filled to the input's shape with tir.second. Here the cost is
// sum(sqr(rowsums(m))): the row sums' adjoint 2 * rowsums goes back as a column.
// CHECK-LABEL: func.func @sum_axis
func.func @sum_axis(%m: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %[[GROWS:.*]] = tir.mul %{{.*}}, %{{.*}} : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  // CHECK-NEXT: %[[COL:.*]] = tir.dimshuffle %[[GROWS]] {pattern = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  // CHECK-NEXT: %gm = tir.second %m, %[[COL]] : (tensor<?x?xf64>, tensor<?x1xf64>) -> tensor<?x?xf64>
  %rows = tir.sum %m {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  %sq = tir.sqr %rows : tensor<?xf64> -> tensor<?xf64>
  %cost = tir.sum %sq {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gm = tir.grad %cost : tensor<f64> wrt(%m : tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %gm : tensor<?x?xf64>
}

// mean over everything: gz divided by the element count (tir.size, an int64 cast to the
// float type), filled to the input's shape. float32 stays float32.
// CHECK-LABEL: func.func @mean_all
func.func @mean_all(%m: tensor<?x?xf32>) -> tensor<?x?xf32> {
  // CHECK:      %[[GZ:.*]] = tir.constant dense<1.000000e+00> : tensor<f32>
  // CHECK-NEXT: %[[N:.*]] = tir.size %m {axes = array<i64: 0, 1>} : tensor<?x?xf32> -> tensor<i64>
  // CHECK-NEXT: %[[NF:.*]] = tir.cast %[[N]] : tensor<i64> -> tensor<f32>
  // CHECK-NEXT: %[[Q:.*]] = tir.true_div %[[GZ]], %[[NF]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
  // CHECK-NEXT: %[[Q11:.*]] = tir.dimshuffle %[[Q]] {pattern = array<i64: -1, -1>} : tensor<f32> -> tensor<1x1xf32>
  // CHECK-NEXT: %gm = tir.second %m, %[[Q11]] : (tensor<?x?xf32>, tensor<1x1xf32>) -> tensor<?x?xf32>
  %avg = tir.mean %m {axes = array<i64: 0, 1>} : tensor<?x?xf32> -> tensor<f32>
  %gm = tir.grad %avg : tensor<f32> wrt(%m : tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %gm : tensor<?x?xf32>
}

// mean over axis 0: the count is that of the reduced axis only.
// CHECK-LABEL: func.func @mean_axis
func.func @mean_axis(%m: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %[[N:.*]] = tir.size %m {axes = array<i64: 0>} : tensor<?x?xf64> -> tensor<i64>
  // CHECK-NEXT: %[[NF:.*]] = tir.cast %[[N]] : tensor<i64> -> tensor<f64>
  // CHECK-NEXT: %[[N1:.*]] = tir.dimshuffle %[[NF]] {pattern = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
  // CHECK-NEXT: %[[Q:.*]] = tir.true_div %{{.*}}, %[[N1]] : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  // CHECK-NEXT: %[[ROW:.*]] = tir.dimshuffle %[[Q]] {pattern = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
  // CHECK-NEXT: %gm = tir.second %m, %[[ROW]]
  %cols = tir.mean %m {axes = array<i64: 0>} : tensor<?x?xf64> -> tensor<?xf64>
  %cost = tir.sum %cols {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gm = tir.grad %cost : tensor<f64> wrt(%m : tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %gm : tensor<?x?xf64>
}

// max: gz where the element equals the max (an eq mask cast to float; every tie gets it).
// CHECK-LABEL: func.func @max
func.func @max(%v: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      %[[TOP1:.*]] = tir.dimshuffle %top {pattern = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
  // CHECK-NEXT: %[[EQ:.*]] = tir.eq %v, %[[TOP1]] : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xi1>
  // CHECK-NEXT: %[[MASK:.*]] = tir.cast %[[EQ]] : tensor<?xi1> -> tensor<?xf64>
  // CHECK-NEXT: %[[GZ1:.*]] = tir.dimshuffle
  // CHECK-NEXT: %gv = tir.mul %[[GZ1]], %[[MASK]] : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %top = tir.max %v {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gv = tir.grad %top : tensor<f64> wrt(%v : tensor<?xf64>) -> tensor<?xf64>
  func.return %gv : tensor<?xf64>
}

// min over axis 1: the minimum and gz both come back as columns.
// CHECK-LABEL: func.func @min_axis
func.func @min_axis(%m: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK:      %[[LOW:.*]] = tir.dimshuffle %low {pattern = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  // CHECK-NEXT: %[[EQ:.*]] = tir.eq %m, %[[LOW]] : (tensor<?x?xf64>, tensor<?x1xf64>) -> tensor<?x?xi1>
  // CHECK-NEXT: %[[MASK:.*]] = tir.cast %[[EQ]]
  // CHECK-NEXT: %[[GCOL:.*]] = tir.dimshuffle %{{.*}} {pattern = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  // CHECK-NEXT: %gm = tir.mul %[[GCOL]], %[[MASK]] : (tensor<?x1xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %low = tir.min %m {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  %cost = tir.sum %low {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gm = tir.grad %cost : tensor<f64> wrt(%m : tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %gm : tensor<?x?xf64>
}

// prod, exact at zeros (Theano's rule): count the zeros of each reduced slice; with none,
// gz * prod / x; with one, the product of the others (zeros replaced by 1) at the zero and 0
// elsewhere; with more, 0.
// CHECK-LABEL: func.func @prod
func.func @prod(%v: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      %[[P1:.*]] = tir.dimshuffle %p {pattern = array<i64: -1>}
  // CHECK:      %[[ISZERO:.*]] = tir.eq %v, %{{.*}} : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xi1>
  // CHECK-NEXT: %[[ISZEROI:.*]] = tir.cast %[[ISZERO]] : tensor<?xi1> -> tensor<?xi64>
  // CHECK-NEXT: %[[NZ:.*]] = tir.sum %[[ISZEROI]] {axes = array<i64: 0>} : tensor<?xi64> -> tensor<i64>
  // CHECK-NEXT: %[[NZ1:.*]] = tir.dimshuffle %[[NZ]]
  // CHECK:      %[[NOZEROS:.*]] = tir.switch %[[ISZERO]], %{{.*}}, %v
  // CHECK-NEXT: %[[OTHERS:.*]] = tir.prod %[[NOZEROS]] {axes = array<i64: 0>}
  // CHECK-NEXT: %[[OTHERS1:.*]] = tir.dimshuffle %[[OTHERS]]
  // CHECK:      %[[ONEZERO:.*]] = tir.eq %[[NZ1]], %{{.*}} : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi1>
  // CHECK-NEXT: %[[SINGLE:.*]] = tir.switch %[[ONEZERO]], %[[OTHERS1]], %{{.*}}
  // CHECK-NEXT: %[[ATZERO:.*]] = tir.switch %[[ISZERO]], %[[SINGLE]], %{{.*}}
  // CHECK-NEXT: %[[SIMPLE:.*]] = tir.true_div %[[P1]], %v
  // CHECK-NEXT: %[[NOZERO:.*]] = tir.eq %[[NZ1]], %{{.*}}
  // CHECK-NEXT: %[[LOCAL:.*]] = tir.switch %[[NOZERO]], %[[SIMPLE]], %[[ATZERO]]
  // CHECK-NEXT: %gv = tir.mul %[[LOCAL]], %{{.*}}
  %p = tir.prod %v {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %gv = tir.grad %p : tensor<f64> wrt(%v : tensor<?xf64>) -> tensor<?xf64>
  func.return %gv : tensor<?xf64>
}

// Integer reductions carry no adjoint: sum of a bool mask cast to float is a constant to
// differentiation, so only the direct path from %x contributes.
// CHECK-LABEL: func.func @integer_path
func.func @integer_path(%x: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      %cost = tir.add
  // CHECK-NOT:  tir.cast
  // CHECK:      %gx = tir.second %x, %{{.*}}
  // CHECK-NEXT: func.return %gx
  %zero = tir.constant dense<0.0> : tensor<1xf64> -> tensor<1xf64>
  %pos = tir.gt %x, %zero : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xi1>
  %n = tir.sum %pos {axes = array<i64: 0>} : tensor<?xi1> -> tensor<i64>
  %nf = tir.cast %n : tensor<i64> -> tensor<f64>
  %s = tir.sum %x {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %cost = tir.add %s, %nf : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %gx = tir.grad %cost : tensor<f64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  func.return %gx : tensor<?xf64>
}
