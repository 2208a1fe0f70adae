// RUN: tensorir-opt %s -p tir-to-linalg | filecheck %s
// Before a tir.scan: its step count is checked non-negative and each sequence long enough
// (the messages name the scan's line); the step's tir ops become kernels inside the body,
// with their own shape checks. The loop itself stays a tir.scan until tir-bufferize.

// CHECK-LABEL: func.func @step
// CHECK:      %[[N:.*]] = tensor.extract %n[] : tensor<i64>
// CHECK:      %[[NONNEG:.*]] = arith.cmpi sge, %[[N]], %{{.*}} : i64
// CHECK-NEXT: tir.check %[[NONNEG]], "IndexError", "Scan was asked to run for negative number of step {0} (built at p.py:3: ys, _ = scan(step, sequences=x, outputs_info=h0))"(%[[N]] : i64)
// CHECK-NEXT: %[[ROWS:.*]] = tensor.dim %x, %{{.*}} : tensor<?x?xf64>
// CHECK-NEXT: %[[ROWS64:.*]] = arith.index_cast %[[ROWS]] : index to i64
// CHECK-NEXT: %[[LONG:.*]] = arith.cmpi sge, %[[ROWS64]], %[[N]] : i64
// CHECK-NEXT: tir.check %[[LONG]], "ValueError", "scan: sequence 0 has {0} rows, fewer than the {1} steps asked (built at p.py:3: ys, _ = scan(step, sequences=x, outputs_info=h0))"(%[[ROWS64]], %[[N]] : i64, i64)
// CHECK-NEXT: %h, %hs, %ys = tir.scan %n seqs(%x : tensor<?x?xf64>) init(%h0 : tensor<?xf64>) consts(%w : tensor<f64>)
// CHECK-NEXT: ^{{.*}}(%x_t: tensor<?xf64>, %h_prev: tensor<?xf64>, %w_: tensor<f64>):
// CHECK:        %wb = linalg.generic {{.*}} ins(%w_ : tensor<f64>)
// CHECK:        %s = linalg.generic {{.*}} ins(%h_prev, %wb : tensor<?xf64>, tensor<1xf64>)
// CHECK:        tir.check %{{.*}}, "ValueError", "Input dimension mismatch in add
// CHECK:        %h_next = linalg.generic {{.*}} ins(%s, %x_t : tensor<?xf64>, tensor<?xf64>)
// CHECK:        tir.scan_yield %h_next, %h_next : tensor<?xf64>, tensor<?xf64>
// CHECK-NOT:  tir.add
func.func @step(%n: tensor<i64>, %x: tensor<?x?xf64>, %h0: tensor<?xf64>, %w: tensor<f64>) -> (tensor<?xf64>, tensor<?x?xf64>) {
  %h, %hs, %ys = tir.scan %n seqs(%x : tensor<?x?xf64>) init(%h0 : tensor<?xf64>) consts(%w : tensor<f64>) {loc = "p.py:3: ys, _ = scan(step, sequences=x, outputs_info=h0)"} : tensor<i64> -> (tensor<?xf64>), (tensor<?x?xf64>), (tensor<?x?xf64>) {
  ^bb0(%x_t: tensor<?xf64>, %h_prev: tensor<?xf64>, %w_: tensor<f64>):
    %wb = tir.dimshuffle %w_ {pattern = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
    %s = tir.mul %h_prev, %wb : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
    %h_next = tir.add %s, %x_t : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    tir.scan_yield %h_next, %h_next : tensor<?xf64>, tensor<?xf64>
  }
  func.return %h, %ys : tensor<?xf64>, tensor<?x?xf64>
}
