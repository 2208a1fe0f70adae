"""``function(inputs, outputs)``: compile a graph through every level to machine code.

L0 graph -> L1 ``tir`` (emit) -> L2 ``linalg`` -> L3 buffers -> L4 loops (passes named in
``lowering/pipelines.py``) -> LLVM IR (``llvm_emitter``) -> machine code (``runtime.jit``).
``f.ir(level)`` shows the function at any level, as text ``tensorir-opt`` reads back.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
import time
from collections.abc import Sequence

from xdsl.dialects.builtin import ModuleOp

from tensorir.config import config
from tensorir.frontend.emit import emit_function
from tensorir.frontend.graph import Variable, graph_inputs
from tensorir.lowering import pipelines
from tensorir.lowering.llvm_emitter import emit_llvm_ir
from tensorir.runtime.function import Function, InputSpec
from tensorir.runtime.jit import JITLibrary
from tensorir.runtime.kernel import Kernel

_counter = itertools.count()


class UnusedInputError(ValueError):
    """An input is not needed to compute any output (``on_unused_input='raise'``)."""


class CompiledFunction(Function):
    """A Function that also knows its graph, so it can show its IR at every level."""

    def __init__(self, symbol: str, graph_in: list[Variable], graph_out: list[Variable], **kw):
        self.symbol = symbol
        self.graph_inputs = graph_in
        self.graph_outputs = graph_out
        super().__init__(**kw)

    def module(self, level: str = "tir") -> ModuleOp:
        module = emit_function(self.symbol, self.graph_inputs, self.graph_outputs)
        return pipelines.lower(module, level)

    def ir(self, level: str = "tir") -> str:
        """The function's IR at ``level`` (tir, linalg, buffers, loops) or its LLVM IR."""
        if level == "llvm":
            return self.library.llvm_ir
        return str(self.module(level))


def debug_level() -> int:
    """``TENSORIR_DEBUG``: 1 prints each compiled function and its compile times, 2 also
    verifies and prints the IR after every pass, 3 also prints the LLVM IR before and after
    optimisation."""
    value = os.environ.get("TENSORIR_DEBUG", "0")
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"TENSORIR_DEBUG must be an integer level 0-3, got {value!r}") from None


def _print_after_pass(name: str, module: ModuleOp) -> None:
    print(f"// -----// IR after {name} //----- //\n{module}", file=sys.stderr)


def _symbol(name: str | None) -> str:
    base = re.sub(r"[^A-Za-z0-9_]", "_", name or "fn")
    return f"{base}_{next(_counter)}"


def function(
    inputs: Sequence[Variable],
    outputs: Variable | Sequence[Variable] | None = None,
    allow_input_downcast: bool | None = None,
    on_unused_input: str | None = None,
    name: str | None = None,
) -> CompiledFunction:
    """Compile ``outputs`` as a function of ``inputs``."""
    inputs = list(inputs)
    for i, v in enumerate(inputs):
        if not isinstance(v, Variable):
            raise TypeError(f"function: input {i} must be a symbolic variable, got {v!r}")
    as_list = isinstance(outputs, list | tuple)
    outs: list[Variable] = (
        [] if outputs is None else list(outputs) if as_list else [outputs]  # type: ignore[list-item]
    )
    from tensorir.frontend.basic import as_tensor_variable

    outs = [as_tensor_variable(o) for o in outs]
    _check_unused(inputs, outs, on_unused_input or "raise")
    symbol = _symbol(name)
    debug = debug_level()
    t0 = time.perf_counter()
    module = emit_function(symbol, inputs, outs)
    if debug >= 2:
        module.verify()
        print(f"// -----// {symbol}: tir //----- //\n{module}", file=sys.stderr)
    t1 = time.perf_counter()
    pipelines.lower(
        module,
        "loops",
        verify=debug >= 2,
        after_pass=_print_after_pass if debug >= 2 else None,
    )
    t2 = time.perf_counter()
    emitted = emit_llvm_ir(module)
    library = JITLibrary(emitted.llvm_ir)
    t3 = time.perf_counter()
    if debug >= 3:
        print(f"// -----// {symbol}: LLVM IR //----- //\n{emitted.llvm_ir}", file=sys.stderr)
        print(f"// -----// {symbol}: optimised //----- //\n{library.optimized_ir}", file=sys.stderr)
    if debug >= 1:
        print(
            f"tensorir: compiled {symbol} ({len(inputs)} inputs, {len(outs)} outputs): "
            f"emit {1e3 * (t1 - t0):.1f} ms, passes {1e3 * (t2 - t1):.1f} ms, "
            f"LLVM {1e3 * (t3 - t2):.1f} ms",
            file=sys.stderr,
        )
    kernel = Kernel(emitted.functions[symbol], library.address(symbol), owner=library)
    f = CompiledFunction(
        symbol,
        inputs,
        outs,
        kernel=kernel,
        inputs=[
            InputSpec(v.name or f"<input {i}>", v.dtype, v.broadcastable)
            for i, v in enumerate(inputs)
        ],
        outputs_as_list=as_list,
        allow_input_downcast=allow_input_downcast,
        float_x=config.floatX,
        name=name or "function",
    )
    f.library = library
    return f


def _check_unused(inputs: list[Variable], outputs: list[Variable], policy: str) -> None:
    if policy not in ("raise", "warn", "ignore"):
        raise ValueError(f"on_unused_input must be 'raise', 'warn' or 'ignore', got {policy!r}")
    if policy == "ignore":
        return
    used = {id(v) for v in graph_inputs(outputs)}
    for i, v in enumerate(inputs):
        if id(v) in used:
            continue
        msg = (
            f"function was asked to create a function computing outputs given certain inputs, "
            f"but the provided input variable at index {i} ({v}, created at {v.trace}) is not "
            f"part of the computational graph needed to compute the outputs. To make this "
            f"error into a warning, pass on_unused_input='warn' to function(); to disable it "
            f"completely, use on_unused_input='ignore'."
        )
        if policy == "raise":
            raise UnusedInputError(msg)
        import warnings

        warnings.warn(msg, stacklevel=3)
