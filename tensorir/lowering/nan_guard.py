"""``tir-nan-guard`` (L1 -> L1): NanGuardMode's checks, one ``tir.nan_guard`` per value.

Every float or complex argument of a function is guarded at its entry, and every float or
complex result of a ``tir`` op (constants aside) right after the op: the compiled function
stops at the first computation that produces a NaN, an infinity or a big value (each kind
an option of the pass, as ``NanGuardMode(nan_is_error, inf_is_error, big_is_error)``), and
the error names that op, its operands' dtypes and shapes and the user's line. A guard reads
the value it checks, so ``tir-fuse`` no longer inlines the op into its consumer (each op stays
a kernel of its own, whose output can be named), and an update it reads is not written in
place (a call that raises changes no shared variable). Ops inside ``tir.map`` bodies and
``tir.if`` regions are checked through the ``tir.map``'s or ``tir.if``'s results.

The pass runs at the end of the ``adjoint`` level in NanGuardMode only (see
``pipelines.Plan``), after the stabilizing rewrites and autodiff: it checks the program that
runs, gradients included.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import SSAValue
from xdsl.passes import ModulePass

from tensorir.dialects import tir
from tensorir.dialects import types as T


def _guarded(v: SSAValue) -> bool:
    if not isinstance(v.type, TensorType):
        return False
    dtype = T.dtype_of(v.type.element_type)
    return T.is_float(dtype) or T.is_complex(dtype)


@dataclass(frozen=True)
class NanGuard(ModulePass):
    """Guard every float value against NaN, infinities and magnitudes above 1e10.

    Each kind is an option: ``nan``, ``inf``, ``big``."""

    name = "tir-nan-guard"

    nan: bool = True
    inf: bool = True
    big: bool = True

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        checks = [k for k, on in (("nan", self.nan), ("inf", self.inf), ("big", self.big)) if on]
        if not checks:
            return
        for fn in op.ops:
            if not isinstance(fn, func.FuncOp) or fn.is_declaration:
                continue
            block = fn.body.blocks.first
            assert block is not None
            ops = list(block.ops)
            first = block.first_op
            assert first is not None
            for i, arg in enumerate(block.args):
                if _guarded(arg):
                    source = f"input {arg.name_hint or i}"
                    block.insert_op_before(tir.NanGuardOp(arg, checks, source), first)
            for inner in ops:
                if inner.dialect_name() != "tir" or isinstance(
                    inner, tir.ConstantOp | tir.CheckOp | tir.NanGuardOp
                ):
                    continue
                inputs = [v for v in inner.operands if isinstance(v.type, TensorType)]
                anchor = inner
                for r in inner.results:
                    if not _guarded(r):
                        continue
                    named = f" ({r.name_hint})" if r.name_hint else ""
                    guard = tir.NanGuardOp(r, checks, f"the output of {inner.name}{named}", inputs)
                    if "loc" in inner.attributes:
                        guard.attributes["loc"] = inner.attributes["loc"]
                    block.insert_op_after(guard, anchor)
                    anchor = guard
