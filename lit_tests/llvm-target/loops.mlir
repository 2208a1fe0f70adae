// RUN: tensorir-opt %s -p tir-lower-to-loops -t llvm | filecheck %s
// Buffers are (noalias data pointer, dims); loads and stores address them with inbounds
// getelementptr; a failed check stores its id and values into err and returns 1. Buffers
// come from the runtime's allocator (tir_alloc, tir_release: see runtime/alloc.py). The
// elementwise loop is parallel: its body is outlined as body(ctx, lo, hi), called directly
// when the work is small, else through the thread pool.

// CHECK: define i64 @"add"(ptr noalias %{{.*}}, i64 %{{.*}}, ptr noalias %{{.*}}, i64 %{{.*}}, ptr noalias %{{.*}}, ptr noalias %{{.*}})
// CHECK: br i1 %{{.*}}, label %"check1_ok", label %"check1_failed"
// CHECK: check1_failed:
// CHECK: ret i64 1
// CHECK: call ptr @"tir_alloc"
// CHECK: icmp slt i64 %{{.*}}, 65536
// CHECK: call void @"add.parallel0"(
// CHECK: call void @"tir_parallel_for"(void (ptr, i64, i64)* @"add.parallel0"
// CHECK: ret i64 0
// CHECK: define internal void @"add.parallel0.loop"(i64 %{{.*}}, i64 %{{.*}}, ptr noalias
// CHECK: getelementptr inbounds double
// CHECK: fadd double
// CHECK: ret void
// CHECK: define internal void @"add.parallel0"(ptr %{{.*}}, i64 %{{.*}}, i64 %{{.*}})
// CHECK: call void @"add.parallel0.loop"
// CHECK: declare void @"tir_parallel_for"(ptr {{.*}}, ptr {{.*}}, i64 {{.*}}, i64 {{.*}})
func.func @add(%x: tensor<?xf64>, %y: tensor<?xf64>) -> tensor<?xf64> {
  %z = tir.add %x, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %z : tensor<?xf64>
}
