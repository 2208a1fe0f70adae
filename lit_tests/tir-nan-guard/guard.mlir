// RUN: tensorir-opt %s -p tir-nan-guard | filecheck %s
// RUN: tensorir-opt %s -p 'tir-nan-guard{nan=true inf=false big=false}' | filecheck %s --check-prefix=NAN
// NanGuardMode's guards: every float or complex argument at the entry, every float or complex
// result of a tir op right after it (with the op's operands, for their shapes in the message,
// and its loc); constants, integer and boolean values are not guarded.

// CHECK-LABEL: func.func @logistic
// CHECK-NEXT: tir.nan_guard %x, "nan inf big", "input x" : tensor<?xf64>
// CHECK-NEXT: tir.nan_guard %w, "nan inf big", "input w" : tensor<?xf64>
// CHECK-NEXT: %z = tir.mul %x, %w {loc = "lr.py:3: z = x * w"}
// CHECK-NEXT: tir.nan_guard %z, "nan inf big", "the output of tir.mul (z)"(%x, %w : tensor<?xf64>, tensor<?xf64>) {loc = "lr.py:3: z = x * w"} : tensor<?xf64>
// CHECK-NEXT: %one = tir.constant
// CHECK-NEXT: %p = tir.sigmoid %z
// CHECK-NEXT: tir.nan_guard %p, "nan inf big", "the output of tir.sigmoid (p)"(%z : tensor<?xf64>) : tensor<?xf64>
// CHECK-NEXT: %big = tir.gt %p, %one
// CHECK-NEXT: func.return %p, %big
// NAN-LABEL: func.func @logistic
// NAN-NEXT: tir.nan_guard %x, "nan", "input x" : tensor<?xf64>
func.func @logistic(%x: tensor<?xf64>, %w: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xi1>) {
  %z = tir.mul %x, %w {loc = "lr.py:3: z = x * w"} : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %one = tir.constant dense<1.000000e+00> : tensor<1xf64> -> tensor<1xf64>
  %p = tir.sigmoid %z : tensor<?xf64> -> tensor<?xf64>
  %big = tir.gt %p, %one : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xi1>
  func.return %p, %big : tensor<?xf64>, tensor<?xi1>
}

// Integer and boolean values are never NaN, infinite or big (as Theano, which skips them).
// CHECK-LABEL: func.func @integers
// CHECK-NEXT: %s = tir.add %i, %i
// CHECK-NEXT: func.return %s
func.func @integers(%i: tensor<?xi64>) -> tensor<?xi64> {
  %s = tir.add %i, %i : (tensor<?xi64>, tensor<?xi64>) -> tensor<?xi64>
  func.return %s : tensor<?xi64>
}

// A complex value is guarded too (each part).
// CHECK-LABEL: func.func @complex
// CHECK-NEXT: tir.nan_guard %c, "nan inf big", "input c" : tensor<3xcomplex<f32>>
// CHECK-NEXT: %r = tir.real %c
// CHECK-NEXT: tir.nan_guard %r, "nan inf big", "the output of tir.real (r)"(%c : tensor<3xcomplex<f32>>) : tensor<3xf32>
func.func @complex(%c: tensor<3xcomplex<f32>>) -> tensor<3xf32> {
  %r = tir.real %c : tensor<3xcomplex<f32>> -> tensor<3xf32>
  func.return %r : tensor<3xf32>
}
