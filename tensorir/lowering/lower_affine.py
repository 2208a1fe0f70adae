"""``lower-affine`` as the loops pipeline runs it: xDSL's pass, with a fast path.

After ``convert-linalg-to-loops`` and our loop passes the only affine ops left are
``affine.apply``s (the constant or offset indices of broadcast operands). xDSL's pass drives
its patterns with a rewrite walker that visits every op of the module twice and asks each
whether it is dead (a third of the time of the loops level on a large function); here each
``affine.apply`` is rewritten where it is, by xDSL's own expansion (``affine_expr_ops``), and
then the ops that nothing uses and that have no effect (arithmetic, sizes, loads) are erased,
as the walker erases them. A module holding other affine ops (``affine.for``, ``affine.load``,
...: hand-written IR) goes through xDSL's pass unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import affine
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.rewriter import Rewriter
from xdsl.transforms.dead_code_elimination import is_trivially_dead
from xdsl.transforms.lower_affine import LowerAffinePass, affine_expr_ops

_REGION_OPS = ("scf.for", "scf.if")  # the ops without results that can be dead: loops that
# only read


def _lower_apply(op: affine.ApplyOp) -> None:
    amap = op.map.data
    operands = op.mapOperands
    dims, symbols = operands[: amap.num_dims], operands[amap.num_dims :]
    ops, value = affine_expr_ops(amap.results[0], dims, symbols)
    new_results: list[SSAValue] = [value]
    Rewriter.replace_op(op, ops, new_results)


def _erase_dead(module: ModuleOp) -> None:
    """Erase what the walker would: the ops whose results are unused and which have no effect
    but reading or allocating what they return (users before what they use: one pass)."""
    for op in reversed(list(module.walk())):
        if op.results:
            if any(r.first_use is not None for r in op.results):
                continue
        elif op.name not in _REGION_OPS:
            continue
        if op.parent is not None and is_trivially_dead(op):
            op.detach()
            op.erase()


@dataclass(frozen=True)
class LowerAffine(LowerAffinePass):
    """Lower affine ops to arith and scf (xDSL's lower-affine, fast when only affine.apply is
    left)."""

    name = "lower-affine"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        found: list[Operation] = [o for o in op.walk() if o.name.startswith("affine.")]
        if not all(isinstance(o, affine.ApplyOp) for o in found):
            super().apply(ctx, op)
            return
        for apply in found:
            assert isinstance(apply, affine.ApplyOp)
            _lower_apply(apply)
        _erase_dead(op)
