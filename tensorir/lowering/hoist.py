"""``tir-hoist-allocs`` (L4 -> L4): allocate a loop body's temporaries once, not per iteration.

A ``tir.scan`` step or a ``tir.map`` row runs as the body of an ``scf.for`` (an ``scf.while``
for a scan with ``until``: its body) that allocates its
temporaries and frees them in the same iteration. When a temporary's sizes do not change from
one iteration to the next, this pass moves its ``memref.alloc`` before the loop and its
``memref.dealloc`` after it, so that the loop allocates nothing::

    scf.for %t = %c0 to %n step %c1 {            %d = memref.dim %h, %c0
      %d = memref.dim %h, %c0                    %tmp = memref.alloc(%d)
      %tmp = memref.alloc(%d)           ->       scf.for %t = %c0 to %n step %c1 {
      ...                                          ...
      memref.dealloc %tmp                        }
    }                                            memref.dealloc %tmp

Loop-invariant size arithmetic moves out with it: ``arith`` ops (not division, which may
trap) and ``memref.dim`` whose operands are defined outside the loop; ``memref.dim`` of a
``tir.view`` or ``tir.reshape`` made in the loop is first read off the view's sizes (a row
of a sequence has the same shape at every step). A temporary is moved only when the same
block frees it (its lifetime is one iteration, so one buffer serves every iteration: each
iteration writes it before reading it, as a fresh buffer is). Loops marked ``tir.parallel``
are left alone (their iterations may run at once); innermost loops are done first, so a
temporary of a nested loop leaves every loop its sizes allow.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass

from tensorir.abi import PARALLEL_ATTR
from tensorir.lowering.loop_ir import inside

_TRAPPING = (
    arith.DivSIOp,
    arith.DivUIOp,
    arith.RemSIOp,
    arith.RemUIOp,
    arith.CeilDivSIOp,
    arith.CeilDivUIOp,
    arith.FloorDivSIOp,
)


def _fold_view_dim(op: memref.DimOp) -> SSAValue | None:
    """The size operand of the view or reshape that ``op`` measures, if the dim is known."""
    src = op.source.owner
    index = op.index.owner
    if not isinstance(index, arith.ConstantOp) or not isinstance(index.value, IntegerAttr):
        return None
    i = index.value.value.data
    if isinstance(src, Operation) and src.name == "tir.view":
        sizes = list(src.operands[2:])
    elif isinstance(src, Operation) and src.name == "tir.reshape":
        sizes = list(src.operands[1:])
    else:
        return None
    return sizes[i] if 0 <= i < len(sizes) else None


Loop = scf.ForOp | scf.WhileOp


def _movable(op: Operation, loop: Loop) -> bool:
    """A side-effect-free size computation whose operands are all defined outside ``loop``."""
    if isinstance(op, memref.DimOp) or (
        op.dialect_name() == "arith" and not op.regions and not isinstance(op, _TRAPPING)
    ):
        return not any(inside(v, loop) for v in op.operands)
    return False


def hoist(loop: Loop) -> None:
    body = loop.regions[-1].block  # a while loop's "after" region: its body
    freed = {
        op.memref: op for op in body.ops if isinstance(op, memref.DeallocOp)
    }  # temporaries freed in this iteration
    for op in list(body.ops):
        if isinstance(op, memref.DimOp):
            size = _fold_view_dim(op)
            if size is not None:
                op.result.replace_all_uses_with(size)
                op.detach()
                op.erase()
                continue
        if _movable(op, loop):
            op.detach()
            loop.parent_block().insert_op_before(op, loop)  # type: ignore[union-attr]
        elif (
            isinstance(op, memref.AllocOp)
            and op.memref in freed
            and not any(inside(v, loop) for v in op.operands)
        ):
            op.detach()
            block = loop.parent_block()
            assert block is not None
            block.insert_op_before(op, loop)
            dealloc = freed[op.memref]
            dealloc.detach()
            block.insert_op_after(dealloc, loop)


def _loops(op: Operation) -> list[Loop]:
    """The ``scf.for`` and ``scf.while`` loops in ``op``, innermost first, outside parallel
    loops."""
    found: list[Loop] = []
    for region in op.regions:
        for block in region.blocks:
            for inner in block.ops:
                if isinstance(inner, scf.ForOp) and PARALLEL_ATTR in inner.attributes:
                    continue
                found.extend(_loops(inner))
                if isinstance(inner, Loop):
                    found.append(inner)
    return found


@dataclass(frozen=True)
class HoistAllocs(ModulePass):
    """Move loop-invariant temporaries (and their size arithmetic) out of loops."""

    name = "tir-hoist-allocs"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for fn in op.ops:
            if isinstance(fn, func.FuncOp) and not fn.is_declaration:
                for loop in _loops(fn):
                    hoist(loop)
