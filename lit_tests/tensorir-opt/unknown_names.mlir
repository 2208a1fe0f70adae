// RUN: not tensorir-opt %s -p tir-fus 2>&1 | filecheck %s --check-prefix=PASS
// RUN: not tensorir-opt %s -p tir-to-linalg,tir-lower-to-lops 2>&1 | filecheck %s --check-prefix=PIPELINE
// RUN: not tensorir-opt %s -t llmv 2>&1 | filecheck %s --check-prefix=TARGET
// An unknown pass or target is one line with the nearest name, nothing else.

// PASS:            {{^}}tensorir-opt: unknown pass 'tir-fus' (did you mean 'tir-fuse'?){{$}}
// PASS-NOT:        {{.}}
// PIPELINE:        {{^}}tensorir-opt: unknown pass 'tir-lower-to-lops' (did you mean 'tir-lower-to-loops'?){{$}}
// PIPELINE-NOT:    {{.}}
// TARGET:          {{^}}tensorir-opt: unknown target 'llmv' (did you mean 'llvm'?){{$}}
// TARGET-NOT:      {{.}}

func.func @f() {
  func.return
}
