// RUN: tensorir-opt %s -p tir-lower-to-gpu -t gpu-llvm | filecheck %s
// The host code of a GPU function: its buffers come from the device backend, a kernel is
// launched through the table the runtime fills with its handles, its arguments packed as
// cuLaunchKernel takes them (an array of pointers to each), and a failed device call fails
// the call with code 3.

// CHECK:      ; host
// CHECK:      @"double.kernels" = global [1 x ptr] zeroinitializer
// CHECK:      define i64 @"double"(ptr noalias %{{.*}}, i64 %{{.*}}, ptr noalias %{{.*}}, ptr noalias %{{.*}})
// CHECK:        call ptr @"tir_dev_alloc"(i64
// CHECK:        getelementptr inbounds [1 x ptr], [1 x ptr]* @"double.kernels", i64 0, i64 0
// CHECK:        call i32 @"tir_dev_launch"(ptr %{{.*}}, i64 %{{.*}}, i64 1, i64 256, i64 1, ptr %{{.*}})
// CHECK:      tir_dev_launch_failed:
// CHECK:        phi  i64 [3, %"tir_dev_launch_failed"]
// CHECK:      ; kernels (nvptx)
// CHECK:      target triple = "nvptx64-nvidia-cuda"
// CHECK:      define ptx_kernel void @"double_k0"(i64 %{{.*}}, ptr %{{.*}}, i64 %{{.*}}, ptr %{{.*}}, i64 %{{.*}})
// CHECK:        call i32 @"llvm.nvvm.read.ptx.sreg.tid.x"()
func.func @double(%x: tensor<?xf64>) -> tensor<?xf64> {
  %y = tir.add %x, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %y : tensor<?xf64>
}
