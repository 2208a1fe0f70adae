// RUN: tensorir-opt %s | filecheck %s
// tir.if prints and parses back: the condition, the result types, the two regions, each
// ending with tir.yield; a region may use values defined above it.

// CHECK-LABEL: func.func @pick
func.func @pick(%c: tensor<i1>, %a: tensor<?xf64>, %b: tensor<?xf64>) -> (tensor<?xf64>, tensor<f64>) {
  // CHECK:      %r, %s = tir.if %c {loc = "p.py:3: r, s = ifelse(c, [a, 2], [-b, 0])"} : tensor<i1> -> (tensor<?xf64>, tensor<f64>) {
  // CHECK-NEXT:   %two = tir.constant dense<2.000000e+00> : tensor<f64> -> tensor<f64>
  // CHECK-NEXT:   tir.yield %a, %two : tensor<?xf64>, tensor<f64>
  // CHECK-NEXT: } else {
  // CHECK-NEXT:   %n = tir.neg %b : tensor<?xf64> -> tensor<?xf64>
  // CHECK-NEXT:   %zero = tir.constant dense<0.000000e+00> : tensor<f64> -> tensor<f64>
  // CHECK-NEXT:   tir.yield %n, %zero : tensor<?xf64>, tensor<f64>
  // CHECK-NEXT: }
  %r, %s = tir.if %c {loc = "p.py:3: r, s = ifelse(c, [a, 2], [-b, 0])"} : tensor<i1> -> (tensor<?xf64>, tensor<f64>) {
    %two = tir.constant dense<2.0> : tensor<f64> -> tensor<f64>
    tir.yield %a, %two : tensor<?xf64>, tensor<f64>
  } else {
    %n = tir.neg %b : tensor<?xf64> -> tensor<?xf64>
    %zero = tir.constant dense<0.0> : tensor<f64> -> tensor<f64>
    tir.yield %n, %zero : tensor<?xf64>, tensor<f64>
  }
  func.return %r, %s : tensor<?xf64>, tensor<f64>
}
