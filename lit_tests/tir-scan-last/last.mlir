// RUN: tensorir-opt %s -p tir-scan-last,dce | filecheck %s
// The last row of a stacked state is the final state: ys[-1] becomes %h after a check that
// the loop ran at least once (numpy's IndexError otherwise), and the stacked result is no
// longer read.

// CHECK-LABEL: func.func @last
// CHECK:      %h, %hs, %ys = tir.scan %n
// CHECK:      %[[N:.*]] = tensor.extract %n[] : tensor<i64>
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-NEXT: %[[RAN:.*]] = arith.cmpi sgt, %[[N]], %[[ZERO]] : i64
// CHECK-NEXT: tir.check %[[RAN]], "IndexError", "index -1 is out of bounds for axis 0 with size {0} (built at p.py:4: r = ys[-1])"(%[[N]] : i64) {loc = "p.py:4: r = ys[-1]"}
// CHECK-NEXT: func.return %h : tensor<?xf64>
func.func @last(%n: tensor<i64>, %h0: tensor<?xf64>) -> tensor<?xf64> {
  %h, %hs, %ys = tir.scan %n init(%h0 : tensor<?xf64>) : tensor<i64> -> (tensor<?xf64>), (tensor<?x?xf64>), (tensor<?x?xf64>) {
  ^bb0(%h_prev: tensor<?xf64>):
    %h_next = tir.exp %h_prev : tensor<?xf64> -> tensor<?xf64>
    tir.scan_yield %h_next, %h_next : tensor<?xf64>, tensor<?xf64>
  }
  %minus_one = tir.constant dense<-1> : tensor<i64> -> tensor<i64>
  %r = tir.subtensor %ys[%minus_one] {loc = "p.py:4: r = ys[-1]", kinds = array<i64: -1>} : (tensor<?x?xf64>, tensor<i64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// Unchanged: another row (ys[-2]), and the last row of a stacked value that is no state's
// next value (a map's output).
// CHECK-LABEL: func.func @unchanged
// CHECK:      %second_last = tir.subtensor %ys[%{{.*}}] {kinds = array<i64: -1>}
// CHECK:      %mapped_last = tir.subtensor %zs[%{{.*}}] {kinds = array<i64: -1>}
// CHECK-NOT:  tir.check
func.func @unchanged(%n: tensor<i64>, %h0: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  %h, %hs, %ys, %zs = tir.scan %n init(%h0 : tensor<?xf64>) : tensor<i64> -> (tensor<?xf64>), (tensor<?x?xf64>), (tensor<?x?xf64>, tensor<?x?xf64>) {
  ^bb0(%h_prev: tensor<?xf64>):
    %h_next = tir.exp %h_prev : tensor<?xf64> -> tensor<?xf64>
    %z = tir.neg %h_prev : tensor<?xf64> -> tensor<?xf64>
    tir.scan_yield %h_next, %h_next, %z : tensor<?xf64>, tensor<?xf64>, tensor<?xf64>
  }
  %minus_two = tir.constant dense<-2> : tensor<i64> -> tensor<i64>
  %second_last = tir.subtensor %ys[%minus_two] {kinds = array<i64: -1>} : (tensor<?x?xf64>, tensor<i64>) -> tensor<?xf64>
  %minus_one = tir.constant dense<-1> : tensor<i64> -> tensor<i64>
  %mapped_last = tir.subtensor %zs[%minus_one] {kinds = array<i64: -1>} : (tensor<?x?xf64>, tensor<i64>) -> tensor<?xf64>
  func.return %second_last, %mapped_last : tensor<?xf64>, tensor<?xf64>
}
