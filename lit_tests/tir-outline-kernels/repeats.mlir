// RUN: tensorir-opt %s -p tir-outline-kernels | filecheck %s
// A loop nest written twice (the same code on other buffers) becomes one private function,
// called in place of each; its constants are copied in, every other value it reads from
// outside is an argument. A nest written once, a nest that checks, and a nest whose buffers
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

// CHECK-LABEL: func.func @checks
// CHECK-NOT:     func.call
// CHECK:         tir.check
// CHECK:         tir.check
func.func @checks(%a: memref<?xi64>, %b: memref<?xi64>) {
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
  func.return
}

// the second nest reads and writes two views of %a: not outlined (nor is the first, written
// once then)
// CHECK-LABEL: func.func @shared_root
// CHECK-NOT:     func.call
// CHECK:         scf.for
// CHECK:         scf.for
func.func @shared_root(%a: memref<?xf64>, %b: memref<?xf64>, %c: memref<?xf64>) {
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
