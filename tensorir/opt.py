"""``tensorir-opt``: xDSL's opt driver with tensorir's dialects, passes, pipelines and the
``llvm`` target (LLVM IR text).

    tensorir-opt prog.mlir -p tir-to-linalg,tir-bufferize
    tensorir-opt prog.mlir -p tir-lower-to-loops -t llvm
    python -m tensorir.opt prog.mlir ...

Mistakes are one line on stderr and exit status 1, never a traceback: an unknown pass or
target (with the nearest name), a missing input file, malformed IR (``file:line:col:
message``, the line and a caret), a pass given IR of a level it does not read (the pass to
run first, from ``lowering/levels.py``) and a pass that fails. A traceback is a bug.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any, NoReturn

import llvmlite
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, PassPipeline
from xdsl.utils.arg_spec import parse_pipeline, parse_spec
from xdsl.utils.exceptions import (
    ArgSpecParseError,
    DiagnosticException,
    ParseError,
    PassFailedException,
)
from xdsl.utils.target import Target
from xdsl.xdsl_opt_main import xDSLOptMain

from tensorir import __version__
from tensorir.dialects.arith_ext import ARITH_EXTRA_OPS
from tensorir.dialects.tir import TIR
from tensorir.lowering.levels import LevelError, check_reads
from tensorir.lowering.pipelines import LEVELS, PASSES, PIPELINES

PROG = "tensorir-opt"


class OptError(Exception):
    """A mistake in the command or its input, reported as one line."""


def fail(message: str) -> NoReturn:
    print(f"{PROG}: {message}", file=sys.stderr)
    raise SystemExit(1)


def did_you_mean(name: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for the choice nearest ``name``, or nothing."""
    close = difflib.get_close_matches(name, choices, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def summary(pass_class: type[ModulePass]) -> str:
    """The first line of a pass's docstring, without reStructuredText's double backquotes."""
    doc = (pass_class.__doc__ or "").strip()
    return doc.splitlines()[0].replace("``", "") if doc else ""


def format_parse_error(e: ParseError) -> str:
    """``file:line:col: message``, the source line and a caret under the column."""
    span = e.span
    file, line, col = span.get_location()
    start = span.input.get_start_of_line(span.start)
    end = span.input.get_end_of_line(span.start)
    source = span.input.content[start:end]
    if isinstance(source, bytes):
        source = source.decode("utf-8", "replace")
    source = source.rstrip("\r\n")
    caret = "".join(c if c == "\t" else " " for c in source[: col - 1]) + "^"
    message = " ".join(e.msg.split())
    return f"{file}:{line}:{col}: error: {message}\n{source}\n{caret}"


@dataclass(frozen=True)
class LLVMIRTarget(Target):
    """Print the LLVM IR that the JIT compiles, for a module at the loops level."""

    name = "llvm"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        from tensorir.config import config
        from tensorir.lowering.llvm_emitter import EmitError, print_llvm_ir

        try:
            print_llvm_ir(module, output, math=config.math)
        except EmitError as e:
            raise OptError(str(e)) from None


@dataclass(frozen=True)
class GpuLLVMTarget(Target):
    """Print the LLVM IR of a module lowered for the GPU: the host code, then the kernels
    for NVPTX."""

    name = "gpu-llvm"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        from tensorir.lowering.gpu_emitter import emit_gpu
        from tensorir.lowering.llvm_emitter import EmitError

        try:
            emitted = emit_gpu(module, "nvptx")
        except EmitError as e:
            raise OptError(str(e).replace("tir-lower-to-loops", "tir-lower-to-gpu")) from None
        output.write(f"; host\n{emitted.host_ir}\n; kernels (nvptx)\n{emitted.kernels_ir}")


@dataclass(frozen=True)
class PTXTarget(Target):
    """Print the PTX of the kernels of a module lowered for the GPU (sm_90; libdevice
    linked)."""

    name = "ptx"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        from tensorir.lowering.gpu_emitter import emit_gpu
        from tensorir.lowering.llvm_emitter import EmitError
        from tensorir.lowering.ptx import DEFAULT_ARCH, LibdeviceNotFound, to_ptx

        try:
            emitted = emit_gpu(module, "nvptx")
            output.write(to_ptx(emitted.kernels_ir, DEFAULT_ARCH) if emitted.kernels else "")
        except (EmitError, LibdeviceNotFound) as e:
            raise OptError(str(e).replace("tir-lower-to-loops", "tir-lower-to-gpu")) from None


class TensorirOptMain(xDSLOptMain):
    version_format = (
        f"{PROG} {__version__} (xdsl {{xdsl_version}}, llvmlite {llvmlite.__version__})"
    )

    def __init__(self, args: Sequence[str] | None = None):
        super().__init__(args=args)

    # ----------------------------------------------------------------- registration

    def register_all_dialects(self) -> None:
        super().register_all_dialects()
        self.ctx.register_dialect("tir", lambda: TIR)
        for op in ARITH_EXTRA_OPS:
            self.ctx.load_op(op)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        self.xdsl_passes = sorted(self.available_passes)
        for name, factory in {**PASSES, **PIPELINES}.items():
            self.register_pass(name, factory)

    def register_all_targets(self) -> None:
        super().register_all_targets()
        self.available_targets["llvm"] = lambda: LLVMIRTarget
        self.available_targets["gpu-llvm"] = lambda: GpuLLVMTarget
        self.available_targets["ptx"] = lambda: PTXTarget

    # ----------------------------------------------------------------- arguments

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.prog = PROG
        arg_parser.usage = f"{PROG} [input_file] [-p PASSES] [-t TARGET] [options]"
        arg_parser.formatter_class = argparse.RawDescriptionHelpFormatter
        arg_parser.description = self.pass_listing()
        for action in arg_parser._actions:
            if action.dest == "passes":
                action.type = self.checked_passes
                action.help = "comma-separated passes to run in order (listed above)"
            elif action.dest == "target":
                action.type = self.checked_target
                action.help = (
                    "what to print: mlir (default), llvm (LLVM IR, for IR at the loops "
                    "level), gpu-llvm or ptx (for IR lowered by tir-lower-to-gpu) or another "
                    f"of xDSL's ({', '.join(sorted(self.available_targets))})"
                )
        xdsl_passes = self.xdsl_passes
        arg_parser.add_argument(
            "--list-xdsl-passes",
            action=_ListAction,
            lines=xdsl_passes,
            help="list xDSL's own passes and exit",
        )

    def pass_listing(self) -> str:
        """The top of ``--help``: our passes and pipelines with a line each."""

        def rows(names: Sequence[str]) -> list[str]:
            return [f"  {name:<22} {summary(self.available_passes[name]())}" for name in names]

        return "\n".join(
            [
                "Read IR at any level of tensorir (standard input if no file or '-'), run",
                "passes on it, print the result (MLIR, or LLVM IR with -t llvm).",
                "",
                f"tensorir's passes (levels: {', '.join(LEVELS)}):",
                *rows(list(PASSES)),
                "",
                "pipelines, each starting at the level its input is at:",
                *rows(list(PIPELINES)),
                "",
                f"xDSL's {len(self.xdsl_passes)} passes run too (--list-xdsl-passes lists them).",
                "",
                "example: tensorir-opt prog.mlir -p tir-lower-to-loops -t llvm",
            ]
        )

    def checked_passes(self, spec: str) -> str:
        try:
            names = [p.name for p in parse_pipeline(spec)]
        except ArgSpecParseError as e:  # not an Exception: a BaseException
            # its text: a header, the spec's location, the spec, a caret, the message
            lines = str(e).splitlines()
            fail(f"malformed -p '{spec}': {lines[-1].strip()} at {lines[1]}")
        for name in names:
            if name not in self.available_passes:
                fail(f"unknown pass '{name}'{did_you_mean(name, list(self.available_passes))}")
        return spec

    def checked_target(self, spec: str) -> str:
        name = parse_spec(spec).name
        if name not in self.available_targets:
            fail(f"unknown target '{name}'{did_you_mean(name, list(self.available_targets))}")
        return spec

    # ----------------------------------------------------------------- running

    def get_input_stream(self) -> tuple[IO[bytes], str]:
        path = self.args.input_file
        if path is None or path == "-":  # the usual spelling of standard input
            self.args.input_file = None  # named stdin in messages
            return sys.stdin.buffer, "mlir"
        if not os.path.isfile(path):
            raise OptError(f"{path}: no such file")
        _, extension = os.path.splitext(path)
        extension = extension.removeprefix(".")
        return open(path, "rb"), extension if extension in self.available_frontends else "mlir"

    def setup_pipeline(self) -> None:
        try:
            super().setup_pipeline()
        except ValueError as e:  # a pass's options, named in -p, that it does not have
            fail(f"-p '{self.args.passes}': {e}")
        self.pipeline = PassPipeline(self.pipeline.passes, _checking(self.pipeline.callback))

    def run(self) -> None:
        try:
            super().run()
        except ParseError as e:
            print(format_parse_error(e), file=sys.stderr)
            raise SystemExit(1) from None
        except (OptError, LevelError, PassFailedException) as e:
            fail(str(e))
        except DiagnosticException as e:  # the verifier's
            fail(str(e).strip())


def _checking(callback: Callable[..., None] | None) -> Callable[..., None]:
    """The pipeline's callback, then the check that the next pass reads the module's level."""

    def check(previous: ModulePass | None, module: ModuleOp, next: ModulePass | None) -> None:
        if callback is not None:
            callback(previous, module, next)
        if next is not None:
            check_reads(next.name, module)

    return check


class _ListAction(argparse.Action):
    """Print ``lines``, one a line, and exit."""

    def __init__(self, *args: Any, lines: Sequence[str] = (), **kwargs: Any):
        super().__init__(*args, nargs=0, **kwargs)
        self.lines = lines

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print("\n".join(self.lines))
        parser.exit()


def main(args: Sequence[str] | None = None) -> None:
    TensorirOptMain(args).run()


if __name__ == "__main__":
    main()
