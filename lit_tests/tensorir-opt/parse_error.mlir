// RUN: not tensorir-opt %s 2>&1 | filecheck %s
// RUN: not tensorir-opt %s.missing 2>&1 | filecheck %s --check-prefix=MISSING
// Malformed IR: file:line:col, the line and a caret, like a compiler; no traceback.
// A missing file: one line.

// CHECK:         parse_error.mlir:[[# @LINE + 4]]:15: error: Expected argument or type
// CHECK-NEXT:    {{^}}func.func @f( {{{$}}
// CHECK-NEXT:    {{^}}              ^{{$}}
// CHECK-NOT:     {{.}}
func.func @f( {
  func.return
}

// MISSING:       {{^}}tensorir-opt: {{.*}}parse_error.mlir.missing: no such file{{$}}
// MISSING-NOT:   {{.}}
