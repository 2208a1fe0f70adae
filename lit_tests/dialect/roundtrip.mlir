// RUN: tensorir-opt %s | tensorir-opt | filecheck %s
// The tir custom syntax prints and parses back unchanged.

func.func @ops(%a: tensor<?x?xf64>, %row: tensor<1x?xf64>, %n: index) -> tensor<?xf64> {
  // CHECK: %sum = tir.add %a, %row : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  %sum = tir.add %a, %row : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %less = tir.lt %a, %row : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xi1>
  %less = tir.lt %a, %row : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xi1>
  // CHECK-NEXT: %e = tir.exp %a : tensor<?x?xf64> -> tensor<?x?xf64>
  %e = tir.exp %a : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: %cols = tir.sum %sum {axes = array<i64: 0>} : tensor<?x?xf64> -> tensor<?xf64>
  %cols = tir.sum %sum {axes = array<i64: 0>} : tensor<?x?xf64> -> tensor<?xf64>
  // CHECK-NEXT: %t = tir.dimshuffle %a {pattern = array<i64: 1, -1, 0>} : tensor<?x?xf64> -> tensor<?x1x?xf64>
  %t = tir.dimshuffle %a {pattern = array<i64: 1, -1, 0>} : tensor<?x?xf64> -> tensor<?x1x?xf64>
  // CHECK-NEXT: %two = tir.constant dense<2.000000e+00> : tensor<f64> -> tensor<f64>
  %two = tir.constant dense<2.0> : tensor<f64> -> tensor<f64>
  // CHECK-NEXT: %flat = tir.reshape %a(%n) : (tensor<?x?xf64>, index) -> tensor<?xf64>
  %flat = tir.reshape %a(%n) : (tensor<?x?xf64>, index) -> tensor<?xf64>
  // CHECK-NEXT: %prod = tir.dot %a, %a : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %prod = tir.dot %a, %a : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %single = tir.cast %a : tensor<?x?xf64> -> tensor<?x?xf32>
  %single = tir.cast %a : tensor<?x?xf64> -> tensor<?x?xf32>
  // CHECK: %z = tir.real %c : tensor<?xcomplex<f64>> -> tensor<?xf64>
  %c = "test.op"() : () -> tensor<?xcomplex<f64>>
  %z = tir.real %c : tensor<?xcomplex<f64>> -> tensor<?xf64>
  func.return %cols : tensor<?xf64>
}

// The ops of autodiff: second (fill), switch, sgn, size and every form of tir.grad (several
// wrt, consider, known gradients without a cost, all together).
// CHECK-LABEL: func.func @autodiff_ops
func.func @autodiff_ops(%a: tensor<?x?xf64>, %row: tensor<1x?xf64>, %c: tensor<?x?xi1>, %g: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK-NEXT: %filled = tir.second %a, %row : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  %filled = tir.second %a, %row : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %picked = tir.switch %c, %a, %row : (tensor<?x?xi1>, tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  %picked = tir.switch %c, %a, %row : (tensor<?x?xi1>, tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %sign = tir.sgn %a : tensor<?x?xf64> -> tensor<?x?xf64>
  %sign = tir.sgn %a : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: %l1p = tir.log1p %a : tensor<?x?xf64> -> tensor<?x?xf64>
  %l1p = tir.log1p %a : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: %sp = tir.softplus %a : tensor<?x?xf64> -> tensor<?x?xf64>
  %sp = tir.softplus %a : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: tir.nan_guard %sp, "nan inf", "the output of tir.softplus"(%a : tensor<?x?xf64>) : tensor<?x?xf64>
  tir.nan_guard %sp, "nan inf", "the output of tir.softplus" (%a : tensor<?x?xf64>) : tensor<?x?xf64>
  // CHECK-NEXT: %erfa = tir.erf %a : tensor<?x?xf64> -> tensor<?x?xf64>
  %erfa = tir.erf %a : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: %even = tir.round_half_to_even %a : tensor<?x?xf64> -> tensor<?x?xf64>
  %even = tir.round_half_to_even %a : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: %n = tir.size %a {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<i64>
  %n = tir.size %a {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<i64>
  // CHECK-NEXT: %cost = tir.sum %picked
  %cost = tir.sum %picked {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<f64>
  // CHECK-NEXT: %ga, %grow = tir.grad %cost : tensor<f64> wrt(%a, %row : tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>, tensor<1x?xf64>
  %ga, %grow = tir.grad %cost : tensor<f64> wrt(%a, %row : tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>, tensor<1x?xf64>
  // CHECK-NEXT: %gc = tir.grad %cost : tensor<f64> wrt(%a : tensor<?x?xf64>) consider(%filled, %sign : tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %gc = tir.grad %cost : tensor<f64> wrt(%a : tensor<?x?xf64>) consider(%filled, %sign : tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %gk = tir.grad wrt(%a : tensor<?x?xf64>) known(%picked : tensor<?x?xf64>) = (%g : tensor<?x?xf64>) -> tensor<?x?xf64>
  %gk = tir.grad wrt(%a : tensor<?x?xf64>) known(%picked : tensor<?x?xf64>) = (%g : tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %gall = tir.grad %cost : tensor<f64> wrt(%row : tensor<1x?xf64>) consider(%filled : tensor<?x?xf64>) known(%picked : tensor<?x?xf64>) = (%g : tensor<?x?xf64>) -> tensor<1x?xf64>
  %gall = tir.grad %cost : tensor<f64> wrt(%row : tensor<1x?xf64>) consider(%filled : tensor<?x?xf64>) known(%picked : tensor<?x?xf64>) = (%g : tensor<?x?xf64>) -> tensor<1x?xf64>
  func.return %ga : tensor<?x?xf64>
}

// Indexing: subtensor (no bounds: a full slice; an index then a slice with start, stop and
// step, the bounds of any integer type), inc_subtensor (inc and set), gather, scatter_add,
// concatenate.
// CHECK-LABEL: func.func @indexing_ops
func.func @indexing_ops(%x: tensor<?x?xf64>, %i: tensor<i64>, %lo: tensor<i32>, %v: tensor<1x?xf64>, %rows: tensor<?xi64>, %cols: tensor<?xi64>, %g: tensor<?x?xf64>) -> tensor<?x?xf64> {
  // CHECK-NEXT: %all = tir.subtensor %x[] {kinds = array<i64: 0>} : (tensor<?x?xf64>) -> tensor<?x?xf64>
  %all = tir.subtensor %x[] {kinds = array<i64: 0>} : (tensor<?x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %row = tir.subtensor %x[%i, %lo, %i, %i] {kinds = array<i64: -1, 7>} : (tensor<?x?xf64>, tensor<i64>, tensor<i32>, tensor<i64>, tensor<i64>) -> tensor<?xf64>
  %row = tir.subtensor %x[%i, %lo, %i, %i] {kinds = array<i64: -1, 7>} : (tensor<?x?xf64>, tensor<i64>, tensor<i32>, tensor<i64>, tensor<i64>) -> tensor<?xf64>
  // CHECK-NEXT: %inc = tir.inc_subtensor %x[%lo], %v {kinds = array<i64: 1>, set = false} : (tensor<?x?xf64>, tensor<1x?xf64>, tensor<i32>) -> tensor<?x?xf64>
  %inc = tir.inc_subtensor %x[%lo], %v {kinds = array<i64: 1>, set = false} : (tensor<?x?xf64>, tensor<1x?xf64>, tensor<i32>) -> tensor<?x?xf64>
  // CHECK-NEXT: %set = tir.inc_subtensor %x[], %v {kinds = array<i64: 0>, set = true} : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  %set = tir.inc_subtensor %x[], %v {kinds = array<i64: 0>, set = true} : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %picked = tir.gather %x[%rows, %cols] : (tensor<?x?xf64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xf64>
  %picked = tir.gather %x[%rows, %cols] : (tensor<?x?xf64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xf64>
  // CHECK-NEXT: %added = tir.scatter_add %x[%rows], %g : (tensor<?x?xf64>, tensor<?x?xf64>, tensor<?xi64>) -> tensor<?x?xf64>
  %added = tir.scatter_add %x[%rows], %g : (tensor<?x?xf64>, tensor<?x?xf64>, tensor<?xi64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %stored = tir.scatter %x[%rows], %g : (tensor<?x?xf64>, tensor<?x?xf64>, tensor<?xi64>) -> tensor<?x?xf64>
  %stored = tir.scatter %x[%rows], %g : (tensor<?x?xf64>, tensor<?x?xf64>, tensor<?xi64>) -> tensor<?x?xf64>
  // CHECK-NEXT: %joined = tir.concatenate %x, %v {axis = 0 : i64} : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  %joined = tir.concatenate %x, %v {axis = 0 : i64} : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  func.return %joined : tensor<?x?xf64>
}

// Classifier and random ops: softmax, log_softmax, argmax, argmin (int64 positions) and
// uniform (an int64 counter to a float64 in [0, 1)).
// CHECK-LABEL: func.func @classifier_ops
func.func @classifier_ops(%x: tensor<?x?xf32>, %counters: tensor<?xi64>) -> tensor<?xi64> {
  // CHECK-NEXT: %p = tir.softmax %x {axis = 1 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
  %p = tir.softmax %x {axis = 1 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK-NEXT: %logp = tir.log_softmax %x {axis = 0 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
  %logp = tir.log_softmax %x {axis = 0 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
  // CHECK-NEXT: %best = tir.argmax %x {axis = 1 : i64} : tensor<?x?xf32> -> tensor<?xi64>
  %best = tir.argmax %x {axis = 1 : i64} : tensor<?x?xf32> -> tensor<?xi64>
  // CHECK-NEXT: %worst = tir.argmin %x {axis = 0 : i64} : tensor<?x?xf32> -> tensor<?xi64>
  %worst = tir.argmin %x {axis = 0 : i64} : tensor<?x?xf32> -> tensor<?xi64>
  // CHECK-NEXT: %u = tir.uniform %counters : tensor<?xi64> -> tensor<?xf64>
  %u = tir.uniform %counters : tensor<?xi64> -> tensor<?xf64>
  func.return %best : tensor<?xi64>
}

// Buffer-level views (tir-bufferize makes them): a reshape and an offset block of rows.
// CHECK-LABEL: func.func @views
func.func @views(%data: memref<?x?xf64>, %at: index, %n: index, %m: index) -> memref<?x?xf64> {
  // CHECK-NEXT: %rows = tir.view %data[%at] (%n, %m) : (memref<?x?xf64>, index, index, index) -> memref<?x?xf64>
  %rows = tir.view %data[%at] (%n, %m) : (memref<?x?xf64>, index, index, index) -> memref<?x?xf64>
  func.return %rows : memref<?x?xf64>
}
