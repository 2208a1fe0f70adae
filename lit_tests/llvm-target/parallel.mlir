// RUN: tensorir-opt %s -p tir-parallel-loops -t llvm | filecheck %s
// A parallel loop with a check: the kernel's ctx starts with a failure record (first failing
// iteration, lock, check id, values); a failing iteration records itself if it is the first
// and ends its chunk; after the loop the kernel raises the recorded check as a serial loop
// would (err[0] = id, err[1..] = values, then the shared cleanup frees the buffers and
// returns 1).

// CHECK: define i64 @"gather"(
// CHECK: alloca {{[{]}}{i64, i32, i64, [2 x i64]}, {{.*}}}
// CHECK: store i64 9223372036854775807
// CHECK: call void @"gather.parallel0"(
// CHECK: call void @"tir_parallel_for"(
// CHECK: parallel_failed:
// CHECK: br label %"cleanup"
// CHECK: parallel_ok:
// CHECK: ret i64 0
// CHECK: cleanup:
// CHECK: phi i64 [1, %"parallel_failed"]
// CHECK: call void @"__tensorir_free_all"
// CHECK: define internal void @"gather.parallel0.loop"(i64 %{{.*}}, i64 %{{.*}}, ptr %{{.*}}, ptr noalias
// CHECK: record_lock:
// CHECK: cmpxchg ptr
// CHECK: record_locked:
// CHECK: atomicrmw xchg ptr {{.*}}, i32 0 release
// CHECK: ret void
func.func @gather(%x: memref<?x?xf64>, %idx: memref<?xi64>) -> memref<?x?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0 : i64
  %n = memref.dim %idx, %c0 : memref<?xi64>
  %rows = memref.dim %x, %c0 : memref<?x?xf64>
  %cols = memref.dim %x, %c1 : memref<?x?xf64>
  %rows64 = arith.index_cast %rows : index to i64
  %out = memref.alloc(%n, %cols) : memref<?x?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %k = memref.load %idx[%i] : memref<?xi64>
    %lo = arith.cmpi sge, %k, %zero : i64
    %hi = arith.cmpi slt, %k, %rows64 : i64
    %ok = arith.andi %lo, %hi : i1
    "tir.check"(%ok, %k, %rows64) <{kind = "IndexError", message = "index {0} is out of bounds for size {1}"}> : (i1, i64, i64) -> ()
    %r = arith.index_cast %k : i64 to index
    scf.for %j = %c0 to %cols step %c1 {
      %v = memref.load %x[%r, %j] : memref<?x?xf64>
      memref.store %v, %out[%i, %j] : memref<?x?xf64>
    }
  }
  func.return %out : memref<?x?xf64>
}
