// RUN: tensorir-opt %s -p tir-to-linalg | filecheck %s
// tir.nan_guard: one max-reduction of each element's finding (3 NaN, 2 infinity, 1 big, 0
// none; only the kinds asked for), then one AssertionError check per kind, the worst first.
// The message names the op, the user's line and the operands' shapes (dynamic sizes as
// values of the check, static ones in the text).

// CHECK-LABEL: func.func @guard
func.func @guard(%x: tensor<?x3xf32>, %y: tensor<?x3xf32>) {
  // CHECK:      %[[WORST:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%y : tensor<?x3xf32>) outs(%{{.*}} : tensor<i8>) {
  // CHECK-NEXT: ^bb0(%[[E:.*]]: f32, %[[ACC:.*]]: i8):
  // CHECK-NEXT:   %[[NONE:.*]] = arith.constant 0 : i8
  // CHECK-NEXT:   %[[MAG:.*]] = math.absf %[[E]] : f32
  // CHECK-NEXT:   %[[INF:.*]] = arith.constant 0x7f800000 : f32
  // CHECK-NEXT:   %[[ISINF:.*]] = arith.cmpf oeq, %[[MAG]], %[[INF]] : f32
  // CHECK-NEXT:   %[[TWO:.*]] = arith.constant 2 : i8
  // CHECK-NEXT:   %[[C1:.*]] = arith.select %[[ISINF]], %[[TWO]], %[[NONE]] : i8
  // CHECK-NEXT:   %[[ISNAN:.*]] = arith.cmpf uno, %[[E]], %[[E]] : f32
  // CHECK-NEXT:   %[[THREE:.*]] = arith.constant 3 : i8
  // CHECK-NEXT:   %[[C2:.*]] = arith.select %[[ISNAN]], %[[THREE]], %[[C1]] : i8
  // CHECK-NEXT:   %[[M:.*]] = arith.maxsi %[[ACC]], %[[C2]] : i8
  // CHECK-NEXT:   linalg.yield %[[M]] : i8
  // CHECK:      %[[CODE:.*]] = tensor.extract %[[WORST]][] : tensor<i8>
  // CHECK-NEXT: %[[N:.*]] = tensor.dim %x
  // CHECK:      %[[OK:.*]] = arith.cmpi ne, %[[CODE]], %{{.*}} : i8
  // CHECK-NEXT: tir.check %[[OK]], "AssertionError", "NaN detected: NanGuardMode found an error in the output of tir.exp (built at m.py:2: y = T.exp(x)); its inputs: x float32 ({0}, 3)"(%[[N]] : index)
  // CHECK:      tir.check %{{.*}}, "AssertionError", "Inf detected: {{.*}}"(%[[N]] : index)
  // CHECK-NOT:  Big value
  tir.nan_guard %y, "nan inf", "the output of tir.exp" (%x : tensor<?x3xf32>) {loc = "m.py:2: y = T.exp(x)"} : tensor<?x3xf32>
  func.return
}

// big: magnitudes above 1e10; a complex value is checked part by part.
// CHECK-LABEL: func.func @complex_big
// CHECK:      complex.re
// CHECK:      arith.cmpf ogt, %{{.*}}, %{{.*}} : f64
// CHECK:      complex.im
// CHECK:      arith.cmpf ogt
// CHECK:      tir.check %{{.*}}, "AssertionError", "Big value detected: NanGuardMode found an error in input c"
func.func @complex_big(%c: tensor<2xcomplex<f64>>) {
  tir.nan_guard %c, "big", "input c" : tensor<2xcomplex<f64>>
  func.return
}
