// RUN: tensorir-opt %s -p tir-cse | filecheck %s
// Repeated side-effect-free ops are merged into the first: same name, operands, properties
// and result types. A tir.map body reuses what is computed above it.

// CHECK-LABEL: func.func @repeated
func.func @repeated(%x: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>, tensor<f64>, tensor<f64>) {
  // CHECK:      %two = tir.constant dense<2.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  // CHECK-NEXT: %a = tir.mul %x, %two
  // CHECK-NEXT: %s = tir.sum %a {axes = array<i64: 0>}
  // CHECK-NEXT: %m = tir.max %a {axes = array<i64: 0>}
  // CHECK-NEXT: func.return %a, %a, %s, %m
  %two = tir.constant dense<2.0> : tensor<1xf64> -> tensor<1xf64>
  %two_again = tir.constant dense<2.0> : tensor<1xf64> -> tensor<1xf64>
  %a = tir.mul %x, %two : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %b = tir.mul %x, %two_again : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %s = tir.sum %a {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  %m = tir.max %b {axes = array<i64: 0>} : tensor<?xf64> -> tensor<f64>
  func.return %a, %b, %s, %m : tensor<?xf64>, tensor<?xf64>, tensor<f64>, tensor<f64>
}

// Not merged: a different operand order, or a different property.
// CHECK-LABEL: func.func @different
func.func @different(%x: tensor<?x?xf64>, %y: tensor<?x?xf64>) -> (tensor<?x?xf64>, tensor<?x?xf64>, tensor<?xf64>, tensor<?xf64>) {
  // CHECK: %xy = tir.sub %x, %y
  // CHECK: %yx = tir.sub %y, %x
  // CHECK: %rows = tir.sum %x {axes = array<i64: 0>}
  // CHECK: %cols = tir.sum %x {axes = array<i64: 1>}
  %xy = tir.sub %x, %y : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %yx = tir.sub %y, %x : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %rows = tir.sum %x {axes = array<i64: 0>} : tensor<?x?xf64> -> tensor<?xf64>
  %cols = tir.sum %x {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>
  func.return %xy, %yx, %rows, %cols : tensor<?x?xf64>, tensor<?x?xf64>, tensor<?xf64>, tensor<?xf64>
}

// A map body reuses the exp computed above it.
// CHECK-LABEL: func.func @map_body
func.func @map_body(%n: tensor<i64>, %x: tensor<?xf64>) -> (tensor<?x?xf64>, tensor<?xf64>) {
  // CHECK:      %e = tir.exp %x
  // CHECK:      ^bb0(%i: tensor<i64>):
  // CHECK-NEXT:   tir.yield %e : tensor<?xf64>
  %e = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
  %rows = tir.map %n, %x : (tensor<i64>, tensor<?xf64>) -> tensor<?x?xf64> {
  ^bb0(%i: tensor<i64>):
    %e2 = tir.exp %x : tensor<?xf64> -> tensor<?xf64>
    tir.yield %e2 : tensor<?xf64>
  }
  func.return %rows, %e : tensor<?x?xf64>, tensor<?xf64>
}
