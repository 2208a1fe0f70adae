// RUN: tensorir-opt %s -p tir-outline-kernels -t llvm | filecheck %s
// A kernel that checks takes err and the id its caller gives its first check less one; the
// caller clears err[0] before each call and fails when the kernel set it. A kernel's results
// are its return value.
// CHECK: define internal i64 @"__tensorir_kernel_0"(i64 %{{[^,]*}}, ptr noalias %{{[^,]*}}, i64 %{{[^,]*}}, ptr noalias %[[ERR:"[^"]*"]], i64 %[[BASE:"[^"]*"]]) noinline nounwind
// CHECK: check1_failed:
// CHECK-NEXT: %[[ID:"[^"]*"]] = add i64 %[[BASE]], 1
// CHECK-NEXT: store i64 %[[ID]], ptr %[[ERR]]
// CHECK: ret i64 0
// CHECK: define i64 @"checked_sums"
// CHECK: store i64 0, ptr %[[E:"[^"]*"]]
// CHECK-NEXT: call i64 @"__tensorir_kernel_0"(i64 %{{[^,]*}}, ptr %{{[^,]*}}, i64 %{{[^,]*}}, ptr %[[E]], i64 0)
// CHECK-NEXT: load i64, ptr %[[E]]
// CHECK: store i64 0, ptr %[[E]]
// CHECK-NEXT: call i64 @"__tensorir_kernel_0"(i64 %{{[^,]*}}, ptr %{{[^,]*}}, i64 %{{[^,]*}}, ptr %[[E]], i64 1)
func.func @checked_sums(%a: memref<?xi64>, %b: memref<?xi64>) -> i64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0 : i64
  %n = memref.dim %a, %c0 : memref<?xi64>
  %sa = scf.for %i = %c0 to %n step %c1 iter_args(%s = %z) -> (i64) {
    %x = memref.load %a[%i] : memref<?xi64>
    %ok = arith.cmpi sge, %x, %z : i64
    tir.check %ok, "ValueError", "negative {0}"(%x : i64)
    %t = arith.addi %s, %x : i64
    scf.yield %t : i64
  }
  %sb = scf.for %i = %c0 to %n step %c1 iter_args(%s = %z) -> (i64) {
    %x = memref.load %b[%i] : memref<?xi64>
    %ok = arith.cmpi sge, %x, %z : i64
    tir.check %ok, "ValueError", "negative {0}"(%x : i64)
    %t = arith.addi %s, %x : i64
    scf.yield %t : i64
  }
  %r = arith.addi %sa, %sb : i64
  func.return %r : i64
}
