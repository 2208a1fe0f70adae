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
