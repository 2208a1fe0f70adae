// RUN: tensorir-opt %s -p tir-outline-kernels | filecheck %s
// Loop nests in the regions of an scf.if (a tir.if's branches) are outlined like the
// function's own: the call takes the nest's place in its region, so the nest still runs
// only when its region does.

// CHECK-LABEL: func.func @pick
// CHECK:       %r = scf.if %c -> (memref<?xf64>) {
// CHECK:         %a = memref.alloc(%n) : memref<?xf64>
// CHECK-NEXT:    func.call @__tensorir_kernel_0(%n, %x, %a) : (index, memref<?xf64>, memref<?xf64>) -> ()
// CHECK-NEXT:    scf.yield %a : memref<?xf64>
// CHECK-NEXT:  } else {
// CHECK:         %b = memref.alloc(%n) : memref<?xf64>
// CHECK-NEXT:    func.call @__tensorir_kernel_0(%n, %y, %b) : (index, memref<?xf64>, memref<?xf64>) -> ()
// CHECK-NEXT:    scf.yield %b : memref<?xf64>
// CHECK-NEXT:  }
// CHECK:       func.func private @__tensorir_kernel_0
func.func @pick(%c: i1, %n: index, %x: memref<?xf64>, %y: memref<?xf64>) -> memref<?xf64> {
  %r = scf.if %c -> (memref<?xf64>) {
    %a = memref.alloc(%n) : memref<?xf64>
    %0 = arith.constant 0 : index
    %1 = arith.constant 1 : index
    scf.for %i = %0 to %n step %1 {
      %v = memref.load %x[%i] : memref<?xf64>
      %t = math.tanh %v : f64
      memref.store %t, %a[%i] : memref<?xf64>
    }
    scf.yield %a : memref<?xf64>
  } else {
    %b = memref.alloc(%n) : memref<?xf64>
    %2 = arith.constant 0 : index
    %3 = arith.constant 1 : index
    scf.for %j = %2 to %n step %3 {
      %w = memref.load %y[%j] : memref<?xf64>
      %u = math.tanh %w : f64
      memref.store %u, %b[%j] : memref<?xf64>
    }
    scf.yield %b : memref<?xf64>
  }
  func.return %r : memref<?xf64>
}
