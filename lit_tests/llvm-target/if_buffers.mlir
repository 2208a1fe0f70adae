// RUN: tensorir-opt %s -t llvm | filecheck %s
// An scf.if with memref results: a branch per region, phis for the data pointer and dims.
// A buffer a region allocates and yields leaves that region's slot at the region's end and
// is held in a slot of its own after the merge: a later failure frees it once (whichever
// region ran), and its dealloc clears that slot.

// CHECK-LABEL: define i64 @"pick"
// CHECK:       br i1 %{{.*}}, label %"if_then", label %"if_else"
// CHECK:       if_end:
// CHECK-NEXT:  %[[P:.*]] = phi  ptr [%[[A:.*]], %{{.*}}], [%[[B:.*]], %{{.*}}]
// CHECK-NEXT:  %{{.*}} = phi  i64
// CHECK-NEXT:  %[[SLOT:.*]] = getelementptr inbounds ptr, ptr %{{.*}}, i64 2
// CHECK-NEXT:  store ptr %[[P]], ptr %[[SLOT]]
// CHECK:       %[[A]] = call ptr @"tir_alloc"
// CHECK:       %[[SA:.*]] = getelementptr inbounds ptr, ptr %{{.*}}, i64 0
// CHECK-NEXT:  store ptr %[[A]], ptr %[[SA]]
// CHECK-NEXT:  store ptr null, ptr %[[SA]]
// CHECK-NEXT:  br label %"if_end"
// CHECK:       %[[B]] = call ptr @"tir_alloc"
// CHECK:       %[[SB:.*]] = getelementptr inbounds ptr, ptr %{{.*}}, i64 1
// CHECK-NEXT:  store ptr %[[B]], ptr %[[SB]]
// CHECK-NEXT:  store ptr null, ptr %[[SB]]
// CHECK-NEXT:  br label %"if_end"
// CHECK:       call void @"__tensorir_free_all"
// CHECK:       call void @"tir_release"(ptr %[[P]])
// CHECK-NEXT:  store ptr null, ptr %[[SLOT]]
func.func @pick(%c: i1, %n: index, %k: index) -> memref<?xf64> {
  %r = scf.if %c -> (memref<?xf64>) {
    %a = memref.alloc(%n) : memref<?xf64>
    scf.yield %a : memref<?xf64>
  } else {
    %b = memref.alloc(%k) : memref<?xf64>
    scf.yield %b : memref<?xf64>
  }
  %z = arith.constant 0 : index
  %ok = arith.cmpi ne, %n, %z : index
  tir.check %ok, "ValueError", "empty"
  %out = memref.alloc(%n) : memref<?xf64>
  memref.dealloc %r : memref<?xf64>
  %ok2 = arith.cmpi ne, %k, %z : index
  tir.check %ok2, "ValueError", "empty k"
  func.return %out : memref<?xf64>
}
