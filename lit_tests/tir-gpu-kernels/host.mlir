// RUN: tensorir-opt %s -p tir-gpu-kernels | filecheck %s
// A loop that allocates (a scan's steps) stays on the host; the nests in its body and in
// the regions of an scf.if become kernels launched from there.

// CHECK:      func.func @steps(%h: memref<?xf64>, %n: index, %c: i1) {
// CHECK:        scf.for %t = %c0 to %n step %c1 {
// CHECK-NEXT:     %tmp = memref.alloc(%d) : memref<?xf64>
// CHECK:          "gpu.launch_func"({{.*}}, %d, %h, %tmp) <{kernel = @tensorir_kernels::@steps_k0
// CHECK:          "gpu.launch_func"({{.*}}, %d, %tmp, %h) <{kernel = @tensorir_kernels::@steps_k1
// CHECK-NEXT:     memref.dealloc %tmp : memref<?xf64>
// CHECK-NEXT:   }
// CHECK-NEXT:   scf.if %c {
// CHECK:          "gpu.launch_func"({{.*}}, %d, %h) <{kernel = @tensorir_kernels::@steps_k2
// CHECK-NEXT:   }
// CHECK:        math.tanh
// CHECK:        }) {sym_name = "steps_k0"}
// CHECK:        }) {sym_name = "steps_k1"}
// CHECK:        }) {sym_name = "steps_k2"}

func.func @steps(%h: memref<?xf64>, %n: index, %c: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d = memref.dim %h, %c0 : memref<?xf64>
  scf.for %t = %c0 to %n step %c1 {
    %tmp = memref.alloc(%d) : memref<?xf64>
    scf.for %i = %c0 to %d step %c1 {
      %v = memref.load %h[%i] : memref<?xf64>
      %y = math.tanh %v : f64
      memref.store %y, %tmp[%i] : memref<?xf64>
    } {tir.parallel}
    scf.for %i = %c0 to %d step %c1 {
      %v = memref.load %tmp[%i] : memref<?xf64>
      memref.store %v, %h[%i] : memref<?xf64>
    } {tir.parallel}
    memref.dealloc %tmp : memref<?xf64>
  }
  scf.if %c {
    scf.for %i = %c0 to %d step %c1 {
      %zero = arith.constant 0.0 : f64
      memref.store %zero, %h[%i] : memref<?xf64>
    } {tir.parallel}
  }
  func.return
}
