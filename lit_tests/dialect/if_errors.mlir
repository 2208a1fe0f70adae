// RUN: tensorir-opt %s --split-input-file --verify-diagnostics | filecheck %s
// Verifier errors of tir.if.

func.func @cond(%c: tensor<?xi1>, %a: tensor<?xf64>) {
  // CHECK: tir.if: the condition must be a rank-0 bool (i1), got tensor<?xi1>
  %r = tir.if %c : tensor<?xi1> -> (tensor<?xf64>) {
    tir.yield %a : tensor<?xf64>
  } else {
    tir.yield %a : tensor<?xf64>
  }
  func.return
}

// -----

func.func @cond_dtype(%c: tensor<f64>, %a: tensor<?xf64>) {
  // CHECK: tir.if: the condition must be a rank-0 bool (i1), got tensor<f64>
  %r = tir.if %c : tensor<f64> -> (tensor<?xf64>) {
    tir.yield %a : tensor<?xf64>
  } else {
    tir.yield %a : tensor<?xf64>
  }
  func.return
}

// -----

func.func @types(%c: tensor<i1>, %a: tensor<?xf64>, %b: tensor<?xf32>) {
  // CHECK: tir.if: the else region yields (tensor<?xf32>) but the results are (tensor<?xf64>)
  %r = tir.if %c : tensor<i1> -> (tensor<?xf64>) {
    tir.yield %a : tensor<?xf64>
  } else {
    tir.yield %b : tensor<?xf32>
  }
  func.return
}

// -----

func.func @count(%c: tensor<i1>, %a: tensor<?xf64>) {
  // CHECK: tir.if: the then region yields (tensor<?xf64>, tensor<?xf64>) but the results are (tensor<?xf64>)
  %r = tir.if %c : tensor<i1> -> (tensor<?xf64>) {
    tir.yield %a, %a : tensor<?xf64>, tensor<?xf64>
  } else {
    tir.yield %a : tensor<?xf64>
  }
  func.return
}

// -----

func.func @static(%c: tensor<i1>, %a: tensor<?xf64>, %b: tensor<1xf64>) {
  // CHECK: tir.if: the else region yields (tensor<1xf64>) but the results are (tensor<?xf64>)
  %r = tir.if %c : tensor<i1> -> (tensor<?xf64>) {
    tir.yield %a : tensor<?xf64>
  } else {
    tir.yield %b : tensor<1xf64>
  }
  func.return
}
