// RUN: tensorir-opt %s -p tir-to-linalg | filecheck %s
// Float // and % follow numpy's divmod: both start from fmod (arith.remf), so that
// 1.0 // 0.1 is 9 (not floor(1.0 / 0.1) = 10) and a zero remainder takes the divisor's sign.

// CHECK-LABEL: func.func @float_mod
func.func @float_mod(%a: tensor<?xf64>, %b: tensor<?xf64>) -> tensor<?xf64> {
  // CHECK:      ^bb0(%[[A:.*]]: f64, %[[B:.*]]: f64, %{{.*}}: f64):
  // CHECK-NEXT:   %[[R:.*]] = arith.remf %[[A]], %[[B]] : f64
  // CHECK:        %[[Z:.*]] = math.copysign %{{.*}}, %[[B]] : f64
  // CHECK-NEXT:   %[[R0:.*]] = arith.select %{{.*}}, %[[R]], %[[Z]] : f64
  // CHECK:        %[[OUT:.*]] = arith.select %{{.*}}, %{{.*}}, %[[R0]] : f64
  // CHECK-NEXT:   linalg.yield %[[OUT]] : f64
  %c = tir.mod %a, %b : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %c : tensor<?xf64>
}

// CHECK-LABEL: func.func @float_floor_div
func.func @float_floor_div(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  // CHECK:      ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
  // CHECK:        %[[Q:.*]] = arith.divf %[[A]], %[[B]] : f32
  // CHECK-NEXT:   %[[M:.*]] = arith.remf %[[A]], %[[B]] : f32
  // CHECK-NEXT:   %[[S:.*]] = arith.subf %[[A]], %[[M]] : f32
  // CHECK-NEXT:   %{{.*}} = arith.divf %[[S]], %[[B]] : f32
  // CHECK:        math.floor
  // CHECK:        math.copysign
  // CHECK:        %[[BNZ:.*]] = arith.cmpf une, %[[B]], %{{.*}} : f32
  // CHECK-NEXT:   %[[OUT:.*]] = arith.select %[[BNZ]], %{{.*}}, %[[Q]] : f32
  // CHECK-NEXT:   linalg.yield %[[OUT]] : f32
  %c = tir.int_div %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %c : tensor<?xf32>
}
