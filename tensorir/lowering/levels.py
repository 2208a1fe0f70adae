"""Which level a module is at, read from its ops and types, and the level each pass reads.

A module's ops bound its level from both sides: a ``tir.grad`` means ``tir-autodiff`` has not
run (the ``tir`` level), a memref means ``tir-bufferize`` has (``buffers`` or later).
``level_range`` gathers these bounds; the named pipelines start at the earliest level a module
can be at (the passes they then run again leave a module already past them unchanged), and
``tensorir-opt`` checks each pass's declared ``READS`` against the range before running it,
so a pass given IR of the wrong level is a one-line error naming the pass to run first.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects.builtin import MemRefType, ModuleOp, TensorType
from xdsl.ir import Operation

from tensorir.dialects import tir
from tensorir.lowering.pipelines import LEVELS

ORDER = list(LEVELS)

# The pass that makes each level what it is: run it first when a pass needs that level.
PRODUCER = {
    "adjoint": "tir-autodiff",
    "linalg": "tir-to-linalg",
    "fused": "tir-fuse",
    "buffers": "tir-bufferize",
    "loops": "tir-to-loops",
}

# What each of our passes reads: the first and last level its input may be at.
READS: dict[str, tuple[str, str]] = {
    "tir-stabilize": ("tir", "adjoint"),
    "tir-autodiff": ("tir", "adjoint"),
    "tir-simplify": ("tir", "adjoint"),
    "tir-cse": ("tir", "adjoint"),
    "tir-scan-last": ("tir", "adjoint"),
    "tir-nan-guard": ("tir", "adjoint"),
    "tir-sink-branches": ("adjoint", "adjoint"),
    "tir-to-linalg": ("adjoint", "adjoint"),
    "tir-fuse": ("linalg", "fused"),
    "tir-bufferize": ("linalg", "fused"),
    "tir-linalg-to-blas": ("buffers", "buffers"),
    "tir-to-loops": ("buffers", "buffers"),
    "tir-reductions": ("loops", "loops"),
    "tir-fuse-rows": ("loops", "loops"),
    "tir-outline-kernels": ("loops", "loops"),
    "tir-hoist-allocs": ("loops", "loops"),
    "tir-parallel-loops": ("loops", "loops"),
    "tir-gpu-kernels": ("loops", "loops"),
}

# The tir ops that tir-to-linalg replaces by linalg kernels (tir.constant, tir.check,
# tir.reshape, the indexing ops and tir.map stay until tir-bufferize).
_BEFORE_LINALG = (
    tir.ElementwiseBinaryOp,
    tir.ElementwiseUnaryOp,
    tir.CastOp,
    tir.SwitchOp,
    tir.SizeOp,
    tir.DimShuffleOp,
    tir.ReduceOp,
    tir.DotOp,
    tir.SoftmaxOp,
    tir.LogSoftmaxOp,
    tir.ArgOp,
    tir.NanGuardOp,
)


@dataclass(frozen=True)
class LevelRange:
    """The levels a module can be at, ``first`` to ``last``, each with the reason."""

    first: str = "tir"
    first_why: str = ""
    last: str = "loops"
    last_why: str = ""

    @property
    def consistent(self) -> bool:
        return ORDER.index(self.first) <= ORDER.index(self.last)


def _types(op: Operation):
    yield from (v.type for v in op.results)
    yield from (v.type for v in op.operands)
    for region in op.regions:
        for block in region.blocks:
            yield from (a.type for a in block.args)


def level_range(module: ModuleOp) -> LevelRange:
    """The levels ``module`` can be at, from the ops and types it holds."""
    first, first_why = "tir", ""
    last, last_why = "loops", ""

    def at_most(level: str, why: str) -> None:
        nonlocal last, last_why
        if ORDER.index(level) < ORDER.index(last):
            last, last_why = level, why

    def at_least(level: str, why: str) -> None:
        nonlocal first, first_why
        if ORDER.index(level) > ORDER.index(first):
            first, first_why = level, why

    for op in module.walk():
        if isinstance(op, tir.GradOp):
            at_most("tir", "it has tir.grad")
        elif isinstance(op, _BEFORE_LINALG):
            at_most("adjoint", f"it has {op.name}")
        elif op.name.startswith("linalg."):
            at_most("buffers", f"it has {op.name}")
            at_least("linalg", f"it has {op.name}")
        types = list(_types(op))
        if any(isinstance(t, TensorType) for t in types):
            at_most("fused", "it has tensors")
        if any(isinstance(t, MemRefType) for t in types):
            at_least("buffers", "it has memrefs")
    return LevelRange(first, first_why, last, last_why)


class LevelError(Exception):
    """A pass given a module at a level it does not read."""


def check_reads(pass_name: str, module: ModuleOp) -> None:
    """Raise ``LevelError`` if ``module`` cannot be at a level that ``pass_name`` reads."""
    if pass_name not in READS:
        return
    lo, hi = READS[pass_name]
    levels = level_range(module)
    if not levels.consistent:
        return  # hand-written IR mixing levels: let the pass itself judge it
    wanted = lo if lo == hi else f"{lo} or {hi}"
    if ORDER.index(levels.last) < ORDER.index(lo):
        behind = ORDER.index(lo) - ORDER.index(levels.last)
        first = PRODUCER[lo] if behind == 1 else f"tir-lower-to-{lo}"
        raise LevelError(
            f"{pass_name} reads IR at the {wanted} level, but this IR is at the "
            f"{levels.last} level ({levels.last_why}): run {first} first"
        )
    if ORDER.index(levels.first) > ORDER.index(hi):
        after = PRODUCER[ORDER[ORDER.index(hi) + 1]]
        done = "has already run" if after == pass_name else f"runs before {after}"
        raise LevelError(
            f"{pass_name} reads IR at the {wanted} level, but this IR is already at the "
            f"{levels.first} level ({levels.first_why}): {pass_name} {done}"
        )


def start_level(module: ModuleOp, target: str) -> str:
    """The level a named pipeline to ``target`` starts at for ``module``: the earliest it
    can be at. ``LevelError`` if the module is already past ``target``."""
    levels = level_range(module)
    if ORDER.index(levels.first) > ORDER.index(target):
        raise LevelError(
            f"tir-lower-to-{target}: this IR is already at the {levels.first} level "
            f"({levels.first_why}), past {target}"
        )
    return levels.first
