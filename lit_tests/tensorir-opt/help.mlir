// RUN: tensorir-opt --help | filecheck %s
// RUN: tensorir-opt --list-xdsl-passes | filecheck %s --check-prefix=XDSL
// RUN: tensorir-opt --version | filecheck %s --check-prefix=VERSION
// --help lists tensorir's passes and pipelines first, a line each, then xDSL's options;
// xDSL's own passes are counted, and listed by --list-xdsl-passes.

// CHECK:      tensorir's passes (levels: tir, adjoint, linalg, fused, buffers, loops):
// CHECK-NEXT:   tir-stabilize          Rewrite unstable formulas into equal stable ones.
// CHECK-NEXT:   tir-autodiff           Expand every tir.grad into its adjoint graph, innermost first.
// CHECK:        tir-bufferize          Turn tensors into buffers
// CHECK:      pipelines, each starting at the level its input is at:
// CHECK-NEXT:   tir-lower-to-adjoint   Run every pass up to the adjoint level, from the input's level.
// CHECK:        tir-lower-to-loops
// CHECK:      xDSL's {{[0-9]+}} passes run too (--list-xdsl-passes lists them).
// CHECK:      options:
// CHECK:        -p PASSES, --passes PASSES

// XDSL-DAG:   {{^}}convert-linalg-to-loops{{$}}
// XDSL-DAG:   {{^}}dce{{$}}

// VERSION:    tensorir-opt {{[0-9.]+}} (xdsl {{[0-9.]+}}, llvmlite {{[0-9.]+}})
