"""The CUDA target without a GPU: the PTX that ``function`` would launch.

``compile_ptx(inputs, outputs, updates=None, givens=None, arch="sm_90")`` takes
``function``'s arguments and returns the PTX of the kernels of the function compiled for
``device=cuda`` (llvmlite's NVPTX back end, libdevice linked for the math): what a GPU would
load. ``ptxas`` checks it (``tensorir.lowering.ptx.assemble``).
"""

from __future__ import annotations

from typing import Any

from tensorir import compiler
from tensorir.compile.mode import get_mode
from tensorir.compiler import FunctionGraph
from tensorir.frontend.function import resolve
from tensorir.lowering.ptx import ARCHS, assemble, find_libdevice, find_ptxas
from tensorir.runtime.device import DeviceArray, DeviceUnavailable

__all__ = [
    "ARCHS",
    "DeviceArray",
    "DeviceUnavailable",
    "assemble",
    "compile_ptx",
    "find_libdevice",
    "find_ptxas",
]


def compile_ptx(
    inputs: Any,
    outputs: Any = None,
    updates: Any = None,
    givens: Any = None,
    arch: str = "sm_90",
    mode: Any = None,
    no_default_updates: Any = False,
    on_unused_input: str | None = None,
) -> str:
    """The PTX of the kernels that ``function(inputs, outputs, updates=updates,
    givens=givens)`` launches on a GPU of compute capability ``arch``; empty when the
    function launches none (it only moves buffers)."""
    graph_in, graph_out, update_args, n_inputs, options = resolve(
        inputs=inputs,
        outputs=outputs,
        mode=mode,
        updates=updates,
        givens=givens,
        no_default_updates=no_default_updates,
        accept_inplace=False,
        name="ptx",
        rebuild_strict=True,
        allow_input_downcast=None,
        profile=None,
        on_unused_input=on_unused_input,
        device="cuda",
    )
    graph = FunctionGraph(tuple(graph_in), tuple(graph_out), n_inputs, tuple(update_args))
    return compiler.ptx(graph, "ptx", get_mode(options["mode"]), arch)
