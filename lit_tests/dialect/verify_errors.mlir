// RUN: tensorir-opt %s --split-input-file --verify-diagnostics | filecheck %s
// Verifier errors of the tir dialect.

func.func @rank(%a: tensor<?x?xf64>, %v: tensor<?xf64>) {
  // CHECK: tir.add: operands must have the same rank, got shapes (?, ?), (?,)
  %0 = tir.add %a, %v : (tensor<?x?xf64>, tensor<?xf64>) -> tensor<?x?xf64>
  func.return
}

// -----

func.func @dtype(%a: tensor<?xf64>, %b: tensor<?xf32>) {
  // CHECK: tir.mul: operands must have the same element type, got f64 and f32 (insert tir.cast)
  %0 = tir.mul %a, %b : (tensor<?xf64>, tensor<?xf32>) -> tensor<?xf64>
  func.return
}

// -----

func.func @result(%a: tensor<?xf64>, %b: tensor<1xf64>) {
  // CHECK: tir.add: result type should be tensor<?xf64>, got tensor<1xf64>
  %0 = tir.add %a, %b : (tensor<?xf64>, tensor<1xf64>) -> tensor<1xf64>
  func.return
}

// -----

func.func @drop(%a: tensor<?x?xf64>) {
  // CHECK: tir.dimshuffle: cannot drop dim 1 of shape (?, ?): it is not broadcastable
  %0 = tir.dimshuffle %a {pattern = array<i64: 0>} : tensor<?x?xf64> -> tensor<?xf64>
  func.return
}

// -----

func.func @axes(%a: tensor<?x?xf64>) {
  // CHECK: tir.sum: axes [2] must be sorted, distinct and within rank 2
  %0 = tir.sum %a {axes = array<i64: 2>} : tensor<?x?xf64> -> tensor<?x?xf64>
  func.return
}

// -----

func.func @exp_int(%a: tensor<?xi32>) {
  // CHECK: tir.exp: element type int32 is not supported
  %0 = tir.exp %a : tensor<?xi32> -> tensor<?xi32>
  func.return
}

// -----

func.func @dot_rank(%a: tensor<?x?x?xf64>, %b: tensor<?xf64>) {
  // CHECK: tir.dot: operands must be vectors or matrices, got ranks 3 and 1
  %0 = tir.dot %a, %b : (tensor<?x?x?xf64>, tensor<?xf64>) -> tensor<?x?xf64>
  func.return
}

// -----

func.func @check_kind(%ok: i1) {
  // CHECK: tir.check: unsupported exception kind 'KeyError'
  tir.check %ok, "KeyError", "boom"
  func.return
}

// -----

func.func @switch_cond(%c: tensor<?xf64>, %a: tensor<?xf64>) {
  // CHECK: tir.switch: the condition must be i1, got f64
  %0 = tir.switch %c, %a, %a : (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return
}

// -----

func.func @switch_branches(%c: tensor<?xi1>, %a: tensor<?xf64>, %b: tensor<?xf32>) {
  // CHECK: tir.switch: branches must have the same element type, got f64 and f32 (insert tir.cast)
  %0 = tir.switch %c, %a, %b : (tensor<?xi1>, tensor<?xf64>, tensor<?xf32>) -> tensor<?xf64>
  func.return
}

// -----

func.func @switch_rank(%c: tensor<?x?xi1>, %a: tensor<?xf64>) {
  // CHECK: tir.switch: operands must have the same rank, got shapes (?, ?), (?,), (?,)
  %0 = tir.switch %c, %a, %a : (tensor<?x?xi1>, tensor<?xf64>, tensor<?xf64>) -> tensor<?x?xf64>
  func.return
}

// -----

func.func @second_dtype(%a: tensor<?xf64>, %b: tensor<?xi32>) {
  // The model (lhs) gives only its shape; the result has the value's (rhs) element type.
  // CHECK: tir.second: result type should be tensor<?xi32>, got tensor<?xf64>
  %0 = tir.second %a, %b : (tensor<?xf64>, tensor<?xi32>) -> tensor<?xf64>
  func.return
}

// -----

func.func @sgn_complex(%a: tensor<?xcomplex<f64>>) {
  // CHECK: tir.sgn: element type complex128 is not supported
  %0 = tir.sgn %a : tensor<?xcomplex<f64>> -> tensor<?xcomplex<f64>>
  func.return
}

// -----

func.func @size_axes(%a: tensor<?x?xf64>) {
  // CHECK: tir.size: axes [1, 0] must be sorted, distinct and within rank 2
  %0 = tir.size %a {axes = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<i64>
  func.return
}

// -----

func.func @size_type(%a: tensor<?x?xf64>) {
  // CHECK: tir.size: result type should be tensor<i64>, got tensor<i32>
  %0 = tir.size %a {axes = array<i64: 0>} : tensor<?x?xf64> -> tensor<i32>
  func.return
}

// -----

func.func @grad_int_wrt(%c: tensor<f64>, %i: tensor<?xi64>) {
  // CHECK: tir.grad: can only differentiate with respect to float tensors, got tensor<?xi64>
  %0 = tir.grad %c : tensor<f64> wrt(%i : tensor<?xi64>) -> tensor<?xi64>
  func.return
}

// -----

func.func @grad_cost(%c: tensor<1xf64>, %x: tensor<?xf64>) {
  // CHECK: tir.grad: the cost must be a float scalar, got tensor<1xf64>
  %0 = tir.grad %c : tensor<1xf64> wrt(%x : tensor<?xf64>) -> tensor<?xf64>
  func.return
}

// -----

func.func @view_sizes(%data: memref<?x?xf64>, %at: index, %n: index) {
  // CHECK: tir.view: 1 sizes for a result of rank 2
  %rows = tir.view %data[%at] (%n) : (memref<?x?xf64>, index, index) -> memref<?x?xf64>
  func.return
}

// -----

func.func @nan_guard_checks(%x: tensor<?xf64>) {
  // CHECK: tir.nan_guard: checks must be some of 'nan inf big', got 'nan huge'
  tir.nan_guard %x, "nan huge", "input x" : tensor<?xf64>
  func.return
}

// -----

func.func @nan_guard_integer(%i: tensor<?xi32>) {
  // CHECK: tir.nan_guard: guards float or complex values, not int32
  tir.nan_guard %i, "nan", "input i" : tensor<?xi32>
  func.return
}

// -----

func.func @scan_state_type(%n: tensor<i64>, %h0: tensor<?xf64>) {
  // CHECK: tir.scan: the body must yield the next value of each state, of its init's type, then the stacked values
  %h, %hs = tir.scan %n init(%h0 : tensor<?xf64>) : tensor<i64> -> (tensor<?xf64>), (tensor<?x?xf64>), () {
  ^bb0(%h_prev: tensor<?xf64>):
    %s = tir.sum %h_prev {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
    tir.scan_yield %s : tensor<f64>
  }
  func.return
}

// -----

func.func @scan_arguments(%n: tensor<i64>, %x: tensor<?x3xf64>) {
  // CHECK: tir.scan: the body's arguments must be the sequences' rows, the states and the constants, of types tensor<3xf64>
  %ys = tir.scan %n seqs(%x : tensor<?x3xf64>) : tensor<i64> -> (), (), (tensor<?x?x3xf64>) {
  ^bb0(%row: tensor<?x3xf64>):
    tir.scan_yield %row : tensor<?x3xf64>
  }
  func.return
}

// -----

func.func @scan_isolated(%n: tensor<i64>, %x: tensor<?xf64>, %c: tensor<f64>) {
  // CHECK: Operation using value defined out of its IsolatedFromAbove parent
  %ys = tir.scan %n seqs(%x : tensor<?xf64>) : tensor<i64> -> (), (), (tensor<?xf64>) {
  ^bb0(%x_t: tensor<f64>):
    %y = tir.add %x_t, %c : (tensor<f64>, tensor<f64>) -> tensor<f64>
    tir.scan_yield %y : tensor<f64>
  }
  func.return
}

// -----

func.func @scan_count(%n: tensor<i32>, %x: tensor<?xf64>) {
  // CHECK: tir.scan: the step count must be an int64 scalar, got tensor<i32>
  %ys = tir.scan %n seqs(%x : tensor<?xf64>) : tensor<i32> -> (), (), (tensor<?xf64>) {
  ^bb0(%x_t: tensor<f64>):
    tir.scan_yield %x_t : tensor<f64>
  }
  func.return
}
