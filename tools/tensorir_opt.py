"""``tensorir-opt``: xDSL's opt driver with tensorir's dialects, passes, pipelines and the
``llvm`` target (LLVM IR text).

    tensorir-opt prog.mlir -p tir-to-linalg,tir-bufferize
    tensorir-opt prog.mlir -p tir-lower-to-loops -t llvm
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import IO

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.target import Target
from xdsl.xdsl_opt_main import xDSLOptMain

from tensorir.dialects.arith_ext import ARITH_EXTRA_OPS
from tensorir.dialects.tir import TIR
from tensorir.lowering.pipelines import PASSES, PIPELINES


@dataclass(frozen=True)
class LLVMIRTarget(Target):
    """Print the LLVM IR that the JIT compiles, for a module at the loops level."""

    name = "llvm"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        from tensorir.lowering.llvm_emitter import EmitError, print_llvm_ir

        try:
            print_llvm_ir(module, output)
        except EmitError as e:
            print(f"tensorir-opt: {e}", file=sys.stderr)
            raise SystemExit(1) from None


class TensorirOptMain(xDSLOptMain):
    def get_input_stream(self) -> tuple[IO[bytes], str]:
        if self.args.input_file == "-":  # the usual spelling of standard input
            self.args.input_file = None
        return super().get_input_stream()

    def register_all_dialects(self) -> None:
        super().register_all_dialects()
        self.ctx.register_dialect("tir", lambda: TIR)
        for op in ARITH_EXTRA_OPS:
            self.ctx.load_op(op)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        for name, factory in {**PASSES, **PIPELINES}.items():
            self.register_pass(name, factory)

    def register_all_targets(self) -> None:
        super().register_all_targets()
        self.available_targets["llvm"] = lambda: LLVMIRTarget


def main() -> None:
    TensorirOptMain().run()


if __name__ == "__main__":
    main()
