"""Facts about loops-level IR that several passes need: every op in nested blocks, whether a
value is defined inside a loop, and which memory a memref value views."""

from __future__ import annotations

from collections.abc import Iterator

from xdsl.dialects import func, memref, scf
from xdsl.ir import Block, BlockArgument, Operation, SSAValue

VIEWS = ("memref.cast", "tir.reshape", "tir.view")
"""Ops whose result views (part of) the memory of their first operand."""


def walk(block: Block) -> Iterator[Operation]:
    """Every op of ``block``, each followed by the ops nested in it."""
    for op in block.ops:
        yield op
        for region in op.regions:
            for inner in region.blocks:
                yield from walk(inner)


def inside(v: SSAValue, loop: Operation) -> bool:
    """Whether ``v`` is defined inside ``loop`` (by an op in it or as an argument of one of
    its blocks)."""
    owner = v.owner
    op = owner.parent_op() if isinstance(owner, Block) else owner
    while op is not None:
        if op is loop:
            return True
        op = op.parent_op()
    return False


def root(v: SSAValue) -> object | None:
    """The memory a memref value views: ``("arg", k)`` for function argument k, the
    ``memref.alloc``/``alloca`` op that made it, ``("global", name)``; None if unknown (a
    loop-carried memref, a ``select`` of two buffers). Two different roots never overlap.

    A result of an ``scf.if`` whose regions both yield a buffer they allocated (``tir.if``
    results, as ``tir-bufferize`` hands them out) has the then region's allocation as its
    root: no value outside the regions views either allocation, so that root is distinct
    from every other one met outside them, whichever region runs."""
    while True:
        if isinstance(v, BlockArgument):
            parent = v.owner.parent_op()
            return ("arg", v.index) if isinstance(parent, func.FuncOp) else None
        op = v.owner
        if op.name in VIEWS:
            v = op.operands[0]
        elif isinstance(op, memref.AllocOp | memref.AllocaOp):
            return op
        elif isinstance(op, memref.GetGlobalOp):
            return ("global", op.name_.root_reference.data)
        elif isinstance(op, scf.IfOp):
            return _branch_root(op, v.index)
        else:
            return None


def _branch_root(op: scf.IfOp, k: int) -> object | None:
    allocations = []
    for region in op.regions:
        last = region.block.last_op
        r = root(last.operands[k]) if last is not None and last.operands else None
        if not isinstance(r, memref.AllocOp | memref.AllocaOp) or not op.is_ancestor(r):
            return None
        allocations.append(r)
    return allocations[0]
