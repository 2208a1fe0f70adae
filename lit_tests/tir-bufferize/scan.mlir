// RUN: tensorir-opt %s -p tir-to-linalg,tir-fuse,tir-bufferize | filecheck %s
// A tir.scan becomes a tir.scan_into loop. Before it: the stacked result, allocated whole
// (its rows have the state's shape), and the state's buffer, a copy of the initial value (an
// argument: not ours to overwrite). In it: the sequence's row, a view at row %t; the step in
// a temporary of its own; the row of the stacked result and the next state written with
// checked copies naming the scan's line; the temporary freed. The final state is the state's
// buffer; the history nobody reads is not allocated.

// CHECK-LABEL: func.func @step
// CHECK:      %[[N:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK:      %[[D:.*]] = memref.dim %h0, %{{.*}} : memref<?xf64>
// CHECK-NEXT: %ys = memref.alloc(%[[N]], %[[D]]) : memref<?x?xf64>
// CHECK:      %[[H:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
// CHECK-NEXT: tir.copy_into %h0 into %[[H]] {what = "scan: an initial state"} : memref<?xf64>, memref<?xf64>
// CHECK:      %[[ROW:.*]] = memref.dim %x, %{{.*}} : memref<?x?xf64>
// CHECK:      %[[STRIDE:.*]] = arith.muli %{{.*}}, %[[ROW]] : index
// CHECK-NEXT: tir.scan_into %[[N]] {loc = "p.py:3: ys, _ = scan(step, sequences=x, outputs_info=h0)"} : index {
// CHECK-NEXT: ^{{.*}}(%t: index):
// CHECK-NEXT:   %[[OFF:.*]] = arith.muli %t, %[[STRIDE]] : index
// CHECK-NEXT:   %x_t = tir.view %x[%[[OFF]]] (%[[ROW]]) : (memref<?x?xf64>, index, index) -> memref<?xf64>
// CHECK:        %[[NEXT:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
// CHECK-NEXT:   linalg.generic {{.*}} ins(%[[H]], %{{.*}}, %x_t : memref<?xf64>, memref<f64>, memref<?xf64>) outs(%[[NEXT]] : memref<?xf64>)
// CHECK:        tir.row_into %[[NEXT]] into %ys[%t] {what = "scan: output 0 of a step", loc = "p.py:3: ys, _ = scan(step, sequences=x, outputs_info=h0)"}
// CHECK-NEXT:   tir.copy_into %[[NEXT]] into %[[H]] {loc = "p.py:3: ys, _ = scan(step, sequences=x, outputs_info=h0)", what = "scan: the next value of state 0"}
// CHECK-NEXT:   memref.dealloc %[[NEXT]] : memref<?xf64>
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[H]], %ys : memref<?xf64>, memref<?x?xf64>
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
