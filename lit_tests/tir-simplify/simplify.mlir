// RUN: tensorir-opt %s -p tir-simplify,dce | filecheck %s
// Rewrites that change no bit of any result: pow by 2 is sqr, pow by 1 is its base, and
// arithmetic whose operands are all constants is computed at compile time.

// An L2 penalty and its gradient's exponent: pow(W, 2) -> sqr(W); pow(W, 2 - 1) -> W.
// CHECK-LABEL: func.func @pow_specialize
func.func @pow_specialize(%W: tensor<?x?xf64>) -> (tensor<?x?xf64>, tensor<?x?xf64>) {
  // CHECK-NEXT: %sq = tir.sqr %W : tensor<?x?xf64> -> tensor<?x?xf64>
  // CHECK-NEXT: func.return %sq, %W : tensor<?x?xf64>, tensor<?x?xf64>
  %two = tir.constant dense<2.0> : tensor<f64> -> tensor<f64>
  %one = tir.constant dense<1.0> : tensor<f64> -> tensor<f64>
  %two_b = tir.dimshuffle %two {pattern = array<i64: -1, -1>} : tensor<f64> -> tensor<1x1xf64>
  %sq = tir.pow %W, %two_b : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xf64>
  %exponent = tir.sub %two, %one : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %exp_b = tir.dimshuffle %exponent {pattern = array<i64: -1, -1>} : tensor<f64> -> tensor<1x1xf64>
  %same = tir.pow %W, %exp_b : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xf64>
  func.return %sq, %same : tensor<?x?xf64>, tensor<?x?xf64>
}

// Constant arithmetic is folded in the constants' dtype (float32 here: 0.1f * 3).
// CHECK-LABEL: func.func @fold_float32
func.func @fold_float32() -> tensor<f32> {
  // CHECK-NEXT: %p = tir.constant dense<3.000000e-01> : tensor<f32> -> tensor<f32>
  // CHECK-NEXT: func.return %p : tensor<f32>
  %a = tir.constant dense<0.1> : tensor<f32> -> tensor<f32>
  %b = tir.constant dense<3.0> : tensor<f32> -> tensor<f32>
  %p = tir.mul %a, %b : (tensor<f32>, tensor<f32>) -> tensor<f32>
  func.return %p : tensor<f32>
}

// Not rewritten: pow by 3 (x * x * x rounds differently), a variable exponent, and
// arithmetic with a variable operand (x + 0 is not x for x = -0.0).
// CHECK-LABEL: func.func @untouched
func.func @untouched(%x: tensor<?xf64>, %y: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>) {
  // CHECK: %cube = tir.pow %x
  // CHECK: %var = tir.pow %x, %y
  // CHECK: %plus = tir.add %x
  %three = tir.constant dense<3.0> : tensor<1xf64> -> tensor<1xf64>
  %zero = tir.constant dense<0.0> : tensor<1xf64> -> tensor<1xf64>
  %cube = tir.pow %x, %three : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %var = tir.pow %x, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %plus = tir.add %x, %zero : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %cube, %var, %plus : tensor<?xf64>, tensor<?xf64>, tensor<?xf64>
}
