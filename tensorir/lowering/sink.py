"""``tir-sink-branches`` (L1 -> L1): ops only one branch of a ``tir.if`` reads move into it.

MLIR's ``control-flow-sink``. The frontend's ``tir.if`` yields values computed before it, so
as emitted both branches would be computed. This pass moves every side-effect-free op whose
results are read only inside one region of a ``tir.if`` (by ops in it, at any depth) into
the start of that region, keeping the ops' order; the ops it reads may then be read only
there too and follow it, so a branch's whole expression moves in. What the other region, an
op after the ``tir.if`` or another ``tir.if`` reads stays where it is::

    %a = tir.dot %x, %y ...                    %r = tir.if %c ... {
    %b = tir.neg %x ...                          %a = tir.dot %x, %y ...
    %r = tir.if %c ... {               ->        tir.yield %a ...
      tir.yield %a ...                         } else {
    } else {                                     %b = tir.neg %x ...
      tir.yield %b ...                           tir.yield %b ...
    }                                          }

Only the branch taken then computes its values: an expensive branch costs nothing when not
taken, and a branch that would fail (an index out of range, shapes that do not match) fails
only when taken, since ``tir-to-linalg`` puts each op's run-time checks next to it. Regions
are visited after the block holding them, so a ``tir.if`` moved into a branch gets its own
ops sunk in turn. Ops with effects (a ``tir.check``) stay. It runs last at the ``adjoint``
level: ``tir-autodiff`` differentiates a ``tir.if`` whose regions only yield, and
``tir-cse`` run after it could only merge an op in a region with an equal one before the
``tir.if`` (never with one in the other region), which computes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Operation, Region
from xdsl.passes import ModulePass
from xdsl.traits import IsTerminator, is_side_effect_free

from tensorir.dialects import tir


def _region_within(user: Operation, if_op: tir.IfOp) -> Region | None:
    """The region of ``if_op`` that holds ``user`` (at any depth); None if none does."""
    op: Operation | None = user
    while op is not None:
        region = op.parent_region()
        if region is None:
            return None
        if region.parent is if_op:
            return region
        op = region.parent_op()
    return None


def _only_region(op: Operation, if_op: tir.IfOp) -> Region | None:
    """The one region of ``if_op`` inside which all of ``op``'s results are read; None if
    they are read outside it, in both regions, or not at all."""
    found: Region | None = None
    for result in op.results:
        for use in result.uses:
            region = _region_within(use.operation, if_op)
            if region is None or (found is not None and region is not found):
                return None
            found = region
    return found


def sink_into(if_op: tir.IfOp) -> None:
    """Move the ops before ``if_op`` in its block that only one of its regions reads into
    that region, last first (each at the region's start: their order is kept)."""
    op = if_op.prev_op
    while op is not None:
        prev = op.prev_op
        if not op.has_trait(IsTerminator) and is_side_effect_free(op):
            region = _only_region(op, if_op)
            if region is not None:
                block = region.block
                op.detach()
                first = block.first_op
                assert first is not None  # the region ends with its tir.yield
                block.insert_op_before(op, first)
        op = prev


def sink_block(block: Block) -> None:
    """Sink into every ``tir.if`` of ``block`` (the last first), then into those nested in
    the regions of its ops."""
    for op in reversed([o for o in block.ops if isinstance(o, tir.IfOp)]):
        sink_into(op)
    for op in block.ops:
        for region in op.regions:
            for inner in region.blocks:
                sink_block(inner)


@dataclass(frozen=True)
class SinkBranches(ModulePass):
    """Move the ops that only one region of a ``tir.if`` reads into that region."""

    name = "tir-sink-branches"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for fn in op.ops:
            if isinstance(fn, func.FuncOp) and not fn.is_declaration:
                sink_block(fn.body.block)
