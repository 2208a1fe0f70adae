"""The compile driver: a function graph to machine code, one step per level.

    graph --emit--> tir (L1) --passes--> loops (L4) --emit_llvm_ir--> LLVM IR
          --JITLibrary--> machine code --Kernel--> a callable entry point

``compile`` runs the steps in that order; ``module_at`` stops at any level (``f.ir``),
``tensorir-opt`` runs the middle one on IR text. ``function()`` only resolves the user's
arguments into a ``FunctionGraph``; everything after is here. ``config.debug`` (1-3) prints
what each step did.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, IntegerAttr, ModuleOp
from xdsl.ir import Attribute, Block, Operation, SSAValue

from tensorir.abi import UPDATE_ATTR
from tensorir.compile.mode import Mode
from tensorir.config import config
from tensorir.frontend.emit import emit_function
from tensorir.frontend.graph import Variable
from tensorir.lowering import pipelines
from tensorir.lowering.gpu_emitter import GpuEmitted, emit_gpu
from tensorir.lowering.llvm_emitter import emit_llvm_ir
from tensorir.lowering.ptx import to_ptx
from tensorir.runtime import cache as compile_cache
from tensorir.runtime.device import backend as device_backend
from tensorir.runtime.device import find_cublas
from tensorir.runtime.device_kernel import DeviceKernel
from tensorir.runtime.jit import JITLibrary
from tensorir.runtime.jit import host as host_cpu
from tensorir.runtime.kernel import Kernel


@dataclass(frozen=True)
class FunctionGraph:
    """What a compiled function computes: ``inputs`` are the ``n_inputs`` explicit inputs then
    the shared variables it reads or updates; ``outputs`` the outputs then the new value of
    each updated shared variable, the one at ``inputs[updates[j]]`` for the j-th. This is the
    update contract's one encoding: the IR marks those results ``{tir.update = k}``, and the
    emitter and the runtime read it from there."""

    inputs: tuple[Variable, ...]
    outputs: tuple[Variable, ...]
    n_inputs: int
    updates: tuple[int, ...] = ()

    @property
    def n_outputs(self) -> int:
        return len(self.outputs) - len(self.updates)


@dataclass
class Compiled:
    """A compiled function's entry point and the library holding its (host) code; for
    ``device`` cuda, ``kernel`` is a ``DeviceKernel`` and ``gpu`` the emitted module."""

    kernel: Any
    library: JITLibrary
    device: str = "cpu"
    gpu: Any = None
    blas: bool = False  # cuda: dot through the device's BLAS


def to_tir(graph: FunctionGraph, symbol: str) -> ModuleOp:
    """Step 1: the L1 module, one ``func.func @symbol`` with the inputs as arguments and the
    outputs as results, update results marked ``{tir.update = k}``."""
    module = emit_function(symbol, graph.inputs, graph.outputs)
    if graph.updates:
        fn = module.ops.first
        fn.res_attrs = ArrayAttr(  # type: ignore[union-attr]
            [DictionaryAttr({})] * graph.n_outputs
            + [DictionaryAttr({UPDATE_ATTR: IntegerAttr(k, 64)}) for k in graph.updates]
        )
    return module


def run_passes(
    module: ModuleOp,
    level: str,
    mode: Mode,
    start: str = "tir",
    device: str = "cpu",
    blas: bool = False,
) -> ModuleOp:
    """Step 2: the passes from ``start`` to ``level`` (``pipelines.LEVELS``) for ``device``,
    in place; with ``config.debug >= 1`` each pass's time is printed, with ``>= 2`` the IR
    after each too (verified)."""
    verify = config.debug >= 2
    after_pass = _PassReport(verify) if config.debug >= 1 else None
    plan = pipelines.for_device(mode.plan(), device, blas)
    return pipelines.lower(module, level, start, verify=verify, after_pass=after_pass, mode=plan)


class _PassReport:
    """Prints the time each pass took (since the previous report), and with ``show_ir`` the
    IR after it."""

    def __init__(self, show_ir: bool):
        self.show_ir = show_ir
        self.last = time.perf_counter()

    def __call__(self, name: str, module: ModuleOp) -> None:
        now = time.perf_counter()
        print(f"tensorir:   {name:<26} {1e3 * (now - self.last):8.2f} ms", file=sys.stderr)
        if self.show_ir:
            print(f"// -----// IR after {name} //----- //\n{module}", file=sys.stderr)
        self.last = time.perf_counter()


def fingerprint(module: ModuleOp) -> str:
    """Everything the generic printer would print of ``module`` (each op's name, operands,
    result types, properties, attributes, successors and regions, values numbered in order)
    at a fraction of its cost: each distinct attribute is printed once. Two modules print
    alike exactly when their fingerprints are equal; the compile cache's key."""
    values: dict[SSAValue, int] = {}
    blocks: dict[Block, int] = {}
    printed: dict[Attribute, str] = {}

    def text(attr: Attribute) -> str:
        try:
            return printed[attr]
        except KeyError:
            printed[attr] = s = str(attr)
            return s
        except TypeError:  # an unhashable attribute
            return str(attr)

    def number(v: SSAValue) -> str:
        return str(values.setdefault(v, len(values)))

    out: list[str] = []

    def visit(op: Operation) -> None:
        operands = ",".join(number(v) for v in op.operands)
        for r in op.results:
            number(r)
        types = ",".join(text(r.type) for r in op.results)
        props = ";".join(f"{k}={text(v)}" for k, v in sorted(op.properties.items()))
        attrs = ";".join(f"{k}={text(v)}" for k, v in sorted(op.attributes.items()))
        succ = ",".join(str(blocks.setdefault(b, len(blocks))) for b in op.successors)
        out.append(f"{op.name}({operands})->({types})<{props}>{{{attrs}}}[{succ}]")
        for region in op.regions:
            out.append("(")
            for block in region.blocks:
                blocks.setdefault(block, len(blocks))
                out.append("^" + ",".join(f"{number(a)}:{text(a.type)}" for a in block.args))
                for inner in block.ops:
                    visit(inner)
            out.append(")")

    visit(module)
    return "\n".join(out)


def to_machine_code(module: ModuleOp, symbol: str, mode: Mode) -> Compiled:
    """Steps 3 and 4: LLVM IR of a loops-level module, compiled; the entry point ``symbol``."""
    emitted = emit_llvm_ir(module, math=config.math)
    library = JITLibrary(emitted.llvm_ir, opt_level=mode.plan().llvm_opt_level)
    if config.debug >= 3:
        print(f"// -----// {symbol}: LLVM IR //----- //\n{emitted.llvm_ir}", file=sys.stderr)
        print(f"// -----// {symbol}: optimised //----- //\n{library.optimized_ir}", file=sys.stderr)
    kernel = Kernel(emitted.functions[symbol], library.address(symbol), owner=library)
    return Compiled(kernel, library)


def module_at(
    graph: FunctionGraph,
    symbol: str,
    level: str,
    mode: Mode,
    device: str = "cpu",
    blas: bool = False,
) -> ModuleOp:
    """The function's module at ``level`` (``tir``, ``adjoint``, ..., ``loops``) for
    ``device`` (for cuda, ``loops`` holds the host code and the ``gpu.module``; ``blas``:
    ``dot`` through the device's BLAS)."""
    module = to_tir(graph, symbol)
    return pipelines.lower(module, level, mode=pipelines.for_device(mode.plan(), device, blas))


def device_blas(backend: Any = None) -> bool:
    """Whether a GPU function's ``dot`` calls the device's BLAS: ``config.cuda_dot`` is
    ``cublas`` and ``backend`` has it (without a backend: cuBLAS's library is installed, as
    the driver would find it)."""
    if config.cuda_dot != "cublas":
        return False
    return bool(backend.has_blas) if backend is not None else find_cublas() is not None


def to_gpu(module: ModuleOp, target: str) -> GpuEmitted:
    """Steps 3 for the GPU: the host's LLVM IR and the kernels' for ``target`` (``nvptx``
    or ``emulated``) of a module lowered for cuda."""
    return emit_gpu(module, target)


def ptx(graph: FunctionGraph, symbol: str, mode: Mode, arch: str) -> str:
    """The PTX of the kernels a GPU function of ``graph`` launches (no GPU needed)."""
    module = module_at(graph, symbol, "loops", mode, device="cuda", blas=device_blas())
    emitted = to_gpu(module, "nvptx")
    module.erase(safe_erase=False)
    return to_ptx(emitted.kernels_ir, arch) if emitted.kernels else ""


def _compile_cuda(graph: FunctionGraph, symbol: str, mode: Mode) -> Compiled:
    """Every step for ``device=cuda``: the backend first (a missing GPU is the first error),
    the host code JIT-compiled, the kernels loaded and their tables filled."""
    backend = device_backend()
    if mode.needs_adjoint:
        raise NotImplementedError(
            f"{type(mode).__name__} checks compiled code against the CPU's reference and runs "
            "on device=cpu only; compile this function with device='cpu'"
        )
    t0 = time.perf_counter()
    module = to_tir(graph, symbol)
    blas = device_blas(backend)
    run_passes(module, "loops", mode, device="cuda", blas=blas)
    t1 = time.perf_counter()
    emitted = to_gpu(module, backend.target)
    module.erase(safe_erase=False)
    library = JITLibrary(emitted.host_ir, opt_level=mode.plan().llvm_opt_level)
    code = emitted.kernels_ir
    if backend.target == "nvptx" and emitted.kernels:
        code = to_ptx(code, backend.arch)  # type: ignore[attr-defined]
    loaded = backend.load(code, emitted, library)
    t2 = time.perf_counter()
    if config.debug >= 1:
        print(
            f"tensorir: compiled {symbol} for {backend.name} ({len(emitted.kernels)} kernels): "
            f"passes {1e3 * (t1 - t0):.1f} ms, LLVM and load {1e3 * (t2 - t1):.1f} ms",
            file=sys.stderr,
        )
    if config.debug >= 3:
        print(f"// -----// {symbol}: host LLVM IR //----- //\n{emitted.host_ir}", file=sys.stderr)
        print(f"// -----// {symbol}: kernels //----- //\n{emitted.kernels_ir}", file=sys.stderr)
    abi = emitted.functions[symbol]
    kernel = DeviceKernel(abi, library.address(symbol), backend, owner=(library, loaded))
    return Compiled(kernel, library, device="cuda", gpu=emitted, blas=blas)


def compile(  # noqa: A001
    graph: FunctionGraph, symbol: str, mode: Mode, device: str | None = None
) -> Compiled:
    """Every step, graph to entry point, for ``device`` (``config.device`` by default). A
    mode that checks the code (DebugMode) gets the module at the adjoint level and a way to
    build more code from it (``Mode.instrument``)."""
    device = device or config.device
    if device == "cuda":
        return _compile_cuda(graph, symbol, mode)
    t0 = time.perf_counter()
    module = to_tir(graph, symbol)
    if config.debug >= 2:
        module.verify()
        print(f"// -----// {symbol}: tir //----- //\n{module}", file=sys.stderr)

    def build(probe: ModuleOp) -> Kernel:
        pipelines.lower(probe, "loops", start="adjoint", mode=mode.plan())
        return to_machine_code(probe, symbol, mode).kernel

    parts = None
    if config.cache == "on" and not mode.needs_adjoint:  # DebugMode keeps its IR: no cache
        parts = compile_cache.key_parts(fingerprint(module), symbol, mode.plan(), *host_cpu())
        # with config.debug, every step runs and is shown (the entry is written again)
        entry = compile_cache.load(parts) if not config.debug else None
        if entry is not None:
            module.erase(safe_erase=False)
            opt_level = mode.plan().llvm_opt_level
            library = JITLibrary(entry.llvm_ir, opt_level, object_code=entry.object_code)
            kernel = Kernel(entry.abi, library.address(entry.symbol), owner=library)
            return Compiled(mode.instrument(kernel, None, build), library)
    t1 = time.perf_counter()
    run_passes(module, "adjoint", mode)
    adjoint = module.clone() if mode.needs_adjoint else None
    run_passes(module, "loops", mode, start="adjoint")
    t2 = time.perf_counter()
    compiled = to_machine_code(module, symbol, mode)
    module.erase(safe_erase=False)  # the IR is cyclic: free it now, not at the next full GC
    t3 = time.perf_counter()
    library = compiled.library
    if parts is not None and library.object_code is not None:
        entry = compile_cache.Entry(symbol, compiled.kernel.abi, library.llvm_ir,
                                    library.object_code)  # fmt: skip
        compile_cache.store(parts, entry)
    if config.debug >= 1:
        print(
            f"tensorir: compiled {symbol} ({graph.n_inputs} inputs, {graph.n_outputs} outputs, "
            f"{len(graph.inputs) - graph.n_inputs} shared, {len(graph.updates)} updates): "
            f"emit {1e3 * (t1 - t0):.1f} ms, passes {1e3 * (t2 - t1):.1f} ms, "
            f"LLVM {1e3 * (t3 - t2):.1f} ms",
            file=sys.stderr,
        )

    compiled.kernel = mode.instrument(compiled.kernel, adjoint, build)
    return compiled
