// RUN: tensorir-opt %s -p tir-outline-kernels | filecheck %s
// A loop nest written twice (the same code on other buffers) becomes one private function,
// called in place of each; its constants are copied in, every other value it reads from
// outside is an argument, the values it carries out are its results, its checks go with it.
// A nest written once (in a small function), a nest that allocates, and a nest whose buffers
// share a root stay where they are.

// CHECK-LABEL: func.func @twice
// CHECK:         %n = memref.dim %a, %c0 : memref<?xf64>
// CHECK-NEXT:    func.call @__tensorir_kernel_0(%n, %a, %b) : (index, memref<?xf64>, memref<?xf64>) -> ()
// CHECK-NEXT:    func.call @__tensorir_kernel_0(%n, %b, %c) : (index, memref<?xf64>, memref<?xf64>) -> ()
// CHECK-NEXT:    scf.for
// CHECK:         func.return
func.func @twice(%a: memref<?xf64>, %b: memref<?xf64>, %c: memref<?xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %two = arith.constant 2.000000e+00 : f64
  %n = memref.dim %a, %c0 : memref<?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %a[%i] : memref<?xf64>
    %y = arith.mulf %x, %two : f64
    memref.store %y, %b[%i] : memref<?xf64>
  }
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %b[%i] : memref<?xf64>
    %y = arith.mulf %x, %two : f64
    memref.store %y, %c[%i] : memref<?xf64>
  }
  // written once: stays
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %c[%i] : memref<?xf64>
    %y = arith.addf %x, %two : f64
    memref.store %y, %a[%i] : memref<?xf64>
  }
  func.return
}

// the checks go into the kernel; the sums come back as its results
// CHECK-LABEL: func.func @checks_and_sums
// CHECK:         func.call @__tensorir_kernel_1(%n, %a) : (index, memref<?xi64>) -> ()
// CHECK-NEXT:    func.call @__tensorir_kernel_1(%n, %b) : (index, memref<?xi64>) -> ()
// CHECK-NEXT:    %[[SA:.*]] = func.call @__tensorir_kernel_2(%n, %a) : (index, memref<?xi64>) -> i64
// CHECK-NEXT:    %[[SB:.*]] = func.call @__tensorir_kernel_2(%n, %b) : (index, memref<?xi64>) -> i64
// CHECK-NEXT:    %{{.*}} = arith.addi %[[SA]], %[[SB]] : i64
func.func @checks_and_sums(%a: memref<?xi64>, %b: memref<?xi64>) -> i64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0 : i64
  %n = memref.dim %a, %c0 : memref<?xi64>
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %a[%i] : memref<?xi64>
    %ok = arith.cmpi sge, %x, %z : i64
    tir.check %ok, "IndexError", "negative {0}"(%x : i64)
  }
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %b[%i] : memref<?xi64>
    %ok = arith.cmpi sge, %x, %z : i64
    tir.check %ok, "IndexError", "negative {0}"(%x : i64)
  }
  %sa = scf.for %i = %c0 to %n step %c1 iter_args(%s = %z) -> (i64) {
    %x = memref.load %a[%i] : memref<?xi64>
    %t = arith.addi %s, %x : i64
    scf.yield %t : i64
  }
  %sb = scf.for %i = %c0 to %n step %c1 iter_args(%s = %z) -> (i64) {
    %x = memref.load %b[%i] : memref<?xi64>
    %t = arith.addi %s, %x : i64
    scf.yield %t : i64
  }
  %r = arith.addi %sa, %sb : i64
  func.return %r : i64
}

// the second nest reads and writes two views of %a, the fourth allocates: not outlined
// CHECK-LABEL: func.func @stay
// CHECK-NOT:     func.call
// CHECK:         scf.for
// CHECK:         scf.for
// CHECK:         scf.for
// CHECK:         scf.for
func.func @stay(%a: memref<?xf64>, %b: memref<?xf64>, %c: memref<?xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %n = memref.dim %b, %c0 : memref<?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %b[%i] : memref<?xf64>
    %y = arith.negf %x : f64
    memref.store %y, %c[%i] : memref<?xf64>
  }
  %lo = tir.view %a[%c0] (%n) : (memref<?xf64>, index, index) -> memref<?xf64>
  %hi = tir.view %a[%c2] (%n) : (memref<?xf64>, index, index) -> memref<?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %lo[%i] : memref<?xf64>
    %y = arith.negf %x : f64
    memref.store %y, %hi[%i] : memref<?xf64>
  }
  scf.for %i = %c0 to %n step %c1 {
    %t = memref.alloc(%n) : memref<?xf64>
    memref.dealloc %t : memref<?xf64>
  }
  scf.for %i = %c0 to %n step %c1 {
    %t = memref.alloc(%n) : memref<?xf64>
    memref.dealloc %t : memref<?xf64>
  }
  func.return
}

// the function: the first nest moved in, the constants it reads copied
// CHECK-LABEL: func.func private @__tensorir_kernel_0(%0: index, %1: memref<?xf64>, %2: memref<?xf64>) {
// CHECK-NEXT:    %c0 = arith.constant 0 : index
// CHECK-NEXT:    %c1 = arith.constant 1 : index
// CHECK-NEXT:    %two = arith.constant 2.000000e+00 : f64
// CHECK-NEXT:    scf.for %i = %c0 to %0 step %c1 {
// CHECK-NEXT:      %x = memref.load %1[%i] : memref<?xf64>
// CHECK-NEXT:      %y = arith.mulf %x, %two : f64
// CHECK-NEXT:      memref.store %y, %2[%i] : memref<?xf64>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return
// CHECK-NEXT:  }
// CHECK-LABEL: func.func private @__tensorir_kernel_1(%0: index, %1: memref<?xi64>) {
// CHECK:           tir.check %ok, "IndexError", "negative {0}"(%x : i64)
// CHECK-LABEL: func.func private @__tensorir_kernel_2(%0: index, %1: memref<?xi64>) -> i64 {
// CHECK:         %sa = scf.for
// CHECK:         func.return %sa : i64
