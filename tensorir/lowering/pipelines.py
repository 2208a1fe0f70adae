"""The passes, registered in one place, and the named pipelines between the levels.

- ``tir`` (L1): ``tir`` ops on tensors, from the frontend, ``tir.grad`` included;
- ``adjoint`` (L1): unstable formulas (``log(sigmoid(x))``, ``log(softmax(x))``, ...)
  rewritten into stable ones (``tir-stabilize``), every ``tir.grad`` replaced by its adjoint
  graph (``tir-autodiff``), ``x ** 2`` specialised and constant arithmetic folded
  (``tir-simplify``), the gradient graphs stabilized (``tir-stabilize`` again), common
  subexpressions merged (``tir-cse``), dead ops dropped (``dce``) and the ops only one
  branch of a ``tir.if`` reads moved into it (``tir-sink-branches``);
- ``linalg`` (L2): ``linalg.generic`` kernels on tensors and ``tir.check``s (``tir-to-linalg``);
- ``fused`` (L2): single-use elementwise kernels inlined into the kernels that read them
  (``tir-fuse``);
- ``buffers`` (L3): the kernels on memrefs, BLAS calls (``tir-bufferize``,
  ``tir-linalg-to-blas``);
- ``loops`` (L4): ``scf`` + ``arith`` + ``math`` + ``memref`` (``tir-to-loops``,
  ``convert-linalg-to-loops``, ``tir-reductions``, ``tir-fuse-rows``, ``lower-affine``), the
  outermost loops with independent iterations marked ``{tir.parallel}``
  (``tir-parallel-loops``);
- ``llvm`` (L5): LLVM IR text, the ``llvm`` target (``tensorir.lowering.llvm_emitter``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass


def _stabilize() -> type[ModulePass]:
    from tensorir.lowering.stabilize import Stabilize

    return Stabilize


def _simplify() -> type[ModulePass]:
    from tensorir.lowering.simplify import Simplify

    return Simplify


def _autodiff() -> type[ModulePass]:
    from tensorir.lowering.autodiff import Autodiff

    return Autodiff


def _cse() -> type[ModulePass]:
    from tensorir.lowering.cse import CommonSubexpressions

    return CommonSubexpressions


def _dce() -> type[ModulePass]:
    from xdsl.transforms.dead_code_elimination import DeadCodeElimination

    return DeadCodeElimination


def _sink_branches() -> type[ModulePass]:
    from tensorir.lowering.sink import SinkBranches

    return SinkBranches


def _tir_to_linalg() -> type[ModulePass]:
    from tensorir.lowering.tir_to_linalg import TirToLinalg

    return TirToLinalg


def _fuse() -> type[ModulePass]:
    from tensorir.lowering.fusion import Fuse

    return Fuse


def _bufferize() -> type[ModulePass]:
    from tensorir.lowering.bufferize import Bufferize

    return Bufferize


def _linalg_to_blas() -> type[ModulePass]:
    from tensorir.lowering.linalg_to_blas import LinalgToBlas

    return LinalgToBlas


def _to_loops() -> type[ModulePass]:
    from tensorir.lowering.to_loops import TirToLoops

    return TirToLoops


def _linalg_to_loops() -> type[ModulePass]:
    from xdsl.transforms.convert_linalg_to_loops import ConvertLinalgToLoopsPass

    return ConvertLinalgToLoopsPass


def _reductions() -> type[ModulePass]:
    from tensorir.lowering.reductions import Reductions

    return Reductions


def _fuse_rows() -> type[ModulePass]:
    from tensorir.lowering.row_fusion import FuseRows

    return FuseRows


def _outline_kernels() -> type[ModulePass]:
    from tensorir.lowering.outline import OutlineKernels

    return OutlineKernels


def _parallel_loops() -> type[ModulePass]:
    from tensorir.lowering.parallel import ParallelLoops

    return ParallelLoops


def _scan_last() -> type[ModulePass]:
    from tensorir.lowering.scan_memory import ScanLast

    return ScanLast


def _hoist_allocs() -> type[ModulePass]:
    from tensorir.lowering.hoist import HoistAllocs

    return HoistAllocs


def _gpu_kernels() -> type[ModulePass]:
    from tensorir.lowering.gpu_kernels import GpuKernels

    return GpuKernels


def _nan_guard() -> type[ModulePass]:
    from tensorir.lowering.nan_guard import NanGuard

    return NanGuard


def _lower_affine() -> type[ModulePass]:
    from tensorir.lowering.lower_affine import LowerAffine

    return LowerAffine


# Our passes, by command-line name (xDSL's own passes are registered by tensorir-opt too).
PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "tir-stabilize": _stabilize,
    "tir-autodiff": _autodiff,
    "tir-simplify": _simplify,
    "tir-cse": _cse,
    "tir-scan-last": _scan_last,
    "tir-nan-guard": _nan_guard,
    "tir-sink-branches": _sink_branches,
    "tir-to-linalg": _tir_to_linalg,
    "tir-fuse": _fuse,
    "tir-bufferize": _bufferize,
    "tir-linalg-to-blas": _linalg_to_blas,
    "tir-to-loops": _to_loops,
    "tir-reductions": _reductions,
    "tir-fuse-rows": _fuse_rows,
    "tir-outline-kernels": _outline_kernels,
    "tir-parallel-loops": _parallel_loops,
    "tir-hoist-allocs": _hoist_allocs,
    "tir-gpu-kernels": _gpu_kernels,
}

# The levels, in order, and the passes that reach each from the one before.
LEVELS: dict[str, tuple[str, ...]] = {
    "tir": (),
    # tir-stabilize runs on the program, then on its gradient graphs; last, what only one
    # branch of a tir.if reads moves into it (after tir-autodiff, which wants the branches
    # as the frontend made them, and after tir-cse)
    "adjoint": (
        "tir-stabilize",
        "tir-autodiff",
        "tir-simplify",
        "tir-stabilize",
        "tir-cse",
        "tir-scan-last",
        "dce",
        "tir-sink-branches",
    ),
    "linalg": ("tir-to-linalg",),
    "fused": ("tir-fuse",),
    "buffers": ("tir-bufferize", "tir-linalg-to-blas"),
    # tir-to-loops first: the generics in a tir.map_into body end inside its loop
    # tir-reductions rewrites the sum loops that convert-linalg-to-loops makes; then the
    # loops over the same rows are fused; loop nests written several times (a
    # gradient's layers) become one function each; last, the outermost loops whose
    # iterations are independent are marked for the thread pool; then the temporaries of
    # the other loops' bodies (a scan's steps) are allocated once, before the loop
    "loops": (
        "tir-to-loops",
        "convert-linalg-to-loops",
        "tir-reductions",
        "tir-fuse-rows",
        "lower-affine",
        "tir-outline-kernels",
        "tir-parallel-loops",
        "tir-hoist-allocs",
    ),
}

_ALL_PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    **PASSES,
    "dce": _dce,
    "convert-linalg-to-loops": _linalg_to_loops,
    "lower-affine": _lower_affine,
}


@dataclass(frozen=True)
class Plan:
    """What a compilation mode does to the pipeline: passes it leaves out (by name), passes it
    runs at the end of a level (``(level, pass)``), and LLVM's optimisation level."""

    exclude: frozenset[str] = frozenset()
    extra: tuple[tuple[str, ModulePass], ...] = ()
    llvm_opt_level: int = 3


# Theano's modes: FAST_RUN runs every pass and LLVM at O3; FAST_COMPILE leaves out tir-cse
# and compiles at LLVM O1 (no vectorisation). Results are the same bits either way. Fusion
# and tir-simplify stay in both: they cut the work of everything after them (left out, the
# MLP's training step compiles slower and runs 8x slower). The checking modes (NanGuardMode,
# DebugMode: ``tensorir.compile``) build their plans on these.
PLANS: dict[str, Plan] = {
    "FAST_RUN": Plan(),
    "FAST_COMPILE": Plan(exclude=frozenset({"tir-cse"}), llvm_opt_level=1),
}


DEVICES = ("cpu", "cuda")

CPU_ONLY = frozenset({"tir-linalg-to-blas", "tir-reductions", "tir-outline-kernels"})
"""The passes the ``cuda`` pipeline leaves out: BLAS calls and outlined CPU kernels (calls,
which a GPU function does not make) and the CPU's blocked sums (a thread's loop on the GPU
reads a column per step, coalesced, as it is)."""


def for_device(mode: str | Plan, device: str, blas: bool = False) -> Plan:
    """The plan of ``mode`` for ``device``: for ``cuda``, without ``CPU_ONLY`` and with
    ``tir-gpu-kernels`` at the end of the loops level; with ``blas`` (the device has BLAS:
    cuBLAS), ``tir-linalg-to-blas`` stays, its calls made on the host with device buffers."""
    p = plan(mode)
    if device == "cpu":
        return p
    if device != "cuda":
        raise ValueError(f"unknown device {device!r}; devices: {', '.join(DEVICES)}")
    gpu = _gpu_kernels()()
    cpu_only = CPU_ONLY - {"tir-linalg-to-blas"} if blas else CPU_ONLY
    return Plan(p.exclude | cpu_only, (*p.extra, ("loops", gpu)), p.llvm_opt_level)


def plan(mode: str | Plan) -> Plan:
    """The plan of a mode given by name, or the plan itself."""
    if isinstance(mode, Plan):
        return mode
    if mode not in PLANS:
        raise ValueError(f"unknown mode {mode!r}; modes: {', '.join(PLANS)}")
    return PLANS[mode]


def passes_to(level: str, start: str = "tir", mode: str | Plan = "FAST_RUN") -> list[ModulePass]:
    """The passes that lower a module from level ``start`` to level ``level`` in ``mode``."""
    names = list(LEVELS)
    for lv in (level, start):
        if lv not in LEVELS:
            raise ValueError(f"unknown level {lv!r}; levels: {', '.join(names)}, llvm")
    p = plan(mode)
    out: list[ModulePass] = []
    for name in names[names.index(start) + 1 : names.index(level) + 1]:
        out.extend(_ALL_PASSES[q]()() for q in LEVELS[name] if q not in p.exclude)
        out.extend(extra for at, extra in p.extra if at == name)
    return out


def lower(
    module: ModuleOp,
    level: str,
    start: str = "tir",
    verify: bool = False,
    after_pass: Callable[[str, ModuleOp], None] | None = None,
    mode: str | Plan = "FAST_RUN",
) -> ModuleOp:
    """Run the passes from ``start`` to ``level`` on ``module`` in place; verify after each
    pass only when asked (debug mode), and call ``after_pass(name, module)`` if given."""
    ctx = Context()
    for p in passes_to(level, start, mode):
        p.apply(ctx, module)
        if verify:
            module.verify()
        if after_pass is not None:
            after_pass(p.name, module)
    return module


def _pipeline_pass(level: str) -> Callable[[], type[ModulePass]]:
    def factory() -> type[ModulePass]:
        @dataclass(frozen=True)
        class LowerTo(ModulePass):
            name = f"tir-lower-to-{level}"

            def apply(self, ctx: Context, op: ModuleOp) -> None:
                from tensorir.lowering.levels import start_level

                lower(op, level, start=start_level(op, level))

        LowerTo.__doc__ = f"Run every pass up to the {level} level, from the input's level."
        return LowerTo

    return factory


def _gpu_pipeline() -> type[ModulePass]:
    @dataclass(frozen=True)
    class LowerToGpu(ModulePass):
        """Run every pass of the cuda pipeline (loop nests in GPU kernels) from the input's level.

        The output is the loops level for ``device=cuda``: host functions launching the
        kernels of a ``gpu.module``."""

        name = "tir-lower-to-gpu"

        def apply(self, ctx: Context, op: ModuleOp) -> None:
            from tensorir.lowering.levels import start_level

            lower(op, "loops", start=start_level(op, "loops"), mode=for_device("FAST_RUN", "cuda"))

    return LowerToGpu


# Named pipelines: ``-p tir-lower-to-loops`` runs every pass from the level its input is at
# (``levels.start_level``: a dump of any level) to L4; ``-p tir-lower-to-gpu`` the same for
# the GPU (then ``-t ptx`` prints the kernels' PTX).
PIPELINES: dict[str, Callable[[], type[ModulePass]]] = {
    **{f"tir-lower-to-{level}": _pipeline_pass(level) for level in list(LEVELS)[1:]},
    "tir-lower-to-gpu": _gpu_pipeline,
}
