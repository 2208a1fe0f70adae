"""``tir-fuse-rows`` (L4 -> L4): consecutive loops over the same rows become one loop.

After ``convert-linalg-to-loops`` each kernel is its own loop nest, so softmax over a matrix
is six passes over it: fill the row maxima, the maxima, ``exp(x - max)``, fill the sums, the
sums, the ratios. Each reads or writes only row ``i`` of the buffers the others use, so
they can run row by row, one after the other inside one loop over the rows::

    scf.for %i = %c0 to %rows step %c1 { ...A(i)... }      scf.for %i = %c0 to %rows ... {
    %t = memref.alloc(%rows, %cols)                 ->       ...A(i)...
    scf.for %j = %c0 to %rows step %c1 { ...B(j)... }        ...B(i)...
                                                           }
then a row is still in the cache when the next kernel reads it (a 4096 x 1000 float32 softmax
reads and writes memory once instead of three times).

The loops of the function body and of the regions of its ``scf.if``s (a ``tir.if``'s
branches) are fused, each block on its own. Two loops fuse when they have the same bounds
(sizes compared through ``memref.dim`` of the buffer or of the ``memref.alloc`` that made
it), step 1 and no results; when between them
there are only constants, ``memref.dim``s and ``memref.alloc``s (moved before the fused
loop) and ``memref.dealloc``s (left after it: a buffer freed there is not used by the later
loop); when their bodies hold only loads, stores, ``arith``/``math`` ops, stack slots and
inner ``scf.for`` loops (no ``tir.check``: the order of errors stays); and when every buffer
that one of them writes and the other reads or writes is a function argument or an
allocation (not a view) accessed by both only at row ``[%i, ...]`` of their own loop. Fused,
iteration ``i`` of the second runs after iteration ``i`` of the first and before iteration
``i + 1``: it reads nothing the first writes in another row, so every value is the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.ir import Block, BlockArgument, Operation, SSAValue
from xdsl.passes import ModulePass

from tensorir.lowering.loop_ir import walk

_BETWEEN = (arith.ConstantOp, memref.DimOp, memref.AllocOp)


def _const(v: SSAValue) -> int | None:
    op = v.owner
    if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
        return op.value.value.data
    return None


def _size_key(v: SSAValue) -> object:
    """Equal keys: equal sizes (the same value, or the same dim of the same buffer)."""
    op = v.owner
    if isinstance(op, memref.DimOp):
        index = _const(op.index)
        source = op.source.owner
        if index is not None and isinstance(source, memref.AllocOp):
            shape = source.memref.type.get_shape()  # type: ignore[attr-defined]
            if 0 <= index < len(shape) and shape[index] < 0:
                dynamic = sum(1 for d in shape[:index] if d < 0)
                return _size_key(source.dynamic_sizes[dynamic])
        if index is not None:
            return ("dim", op.source, index)
    c = _const(v)
    return ("const", c) if c is not None else v


def _row_loop(op: Operation) -> bool:
    return (
        isinstance(op, scf.ForOp)
        and not op.results
        and _const(op.lb) == 0
        and _const(op.step) == 1
        and len(op.body.blocks) == 1
    )


@dataclass
class _Accesses:
    ok: bool
    reads: dict[SSAValue, list[list[SSAValue]]]
    writes: dict[SSAValue, list[list[SSAValue]]]


def _accesses(loop: scf.ForOp) -> _Accesses:
    reads: dict[SSAValue, list[list[SSAValue]]] = {}
    writes: dict[SSAValue, list[list[SSAValue]]] = {}
    for op in walk(loop.body.block):
        if isinstance(op, memref.LoadOp):
            reads.setdefault(op.memref, []).append(list(op.indices))
        elif isinstance(op, memref.StoreOp):
            writes.setdefault(op.memref, []).append(list(op.indices))
        elif isinstance(op, scf.ForOp | scf.YieldOp | memref.AllocaOp | memref.DimOp):
            continue
        elif op.dialect_name() not in ("arith", "math"):
            return _Accesses(False, {}, {})
    return _Accesses(True, reads, writes)


def _row_local(indices: list[list[SSAValue]], iv: SSAValue) -> bool:
    return all(ix and ix[0] is iv for ix in indices)


def _plain_buffer(m: SSAValue) -> bool:
    return isinstance(m, BlockArgument) or isinstance(m.owner, memref.AllocOp)


def _fusable(a: scf.ForOp, b: scf.ForOp) -> bool:
    if not (_row_loop(a) and _row_loop(b)) or _size_key(a.ub) != _size_key(b.ub):
        return False
    ea, eb = _accesses(a), _accesses(b)
    if not (ea.ok and eb.ok):
        return False
    ia, ib = a.body.block.args[0], b.body.block.args[0]
    shared = (set(ea.writes) & (set(eb.reads) | set(eb.writes))) | (set(eb.writes) & set(ea.reads))
    for m in shared:
        if not _plain_buffer(m):
            return False
        uses_a = ea.reads.get(m, []) + ea.writes.get(m, [])
        uses_b = eb.reads.get(m, []) + eb.writes.get(m, [])
        if not (_row_local(uses_a, ia) and _row_local(uses_b, ib)):
            return False
    return True


def _fuse_block(block: Block) -> None:
    current: scf.ForOp | None = None
    between: list[Operation] = []
    for op in list(block.ops):
        if current is not None and isinstance(op, scf.ForOp) and _fusable(current, op):
            for moved in between:  # allocations and sizes go before the fused loop
                if not isinstance(moved, memref.DeallocOp):
                    moved.detach()
                    block.insert_op_before(moved, current)
            between = [m for m in between if isinstance(m, memref.DeallocOp)]
            target = current.body.block
            yield_op = target.last_op
            assert yield_op is not None
            source = op.body.block
            source.args[0].replace_all_uses_with(target.args[0])
            for inner in list(source.ops):
                if isinstance(inner, scf.YieldOp):
                    continue
                inner.detach()
                target.insert_op_before(inner, yield_op)
            op.detach()
            op.erase()
            continue
        if current is not None and isinstance(op, (*_BETWEEN, memref.DeallocOp)):
            between.append(op)
            continue
        current = op if isinstance(op, scf.ForOp) and _row_loop(op) else None
        between = []
        if isinstance(op, scf.IfOp):  # a tir.if's branches: blocks of loops of their own
            for region in op.regions:
                for inner in region.blocks:
                    _fuse_block(inner)


@dataclass(frozen=True)
class FuseRows(ModulePass):
    """Fuse consecutive loops over the same rows that touch only their row of shared buffers.

    Row by row, the data stays in the cache."""

    name = "tir-fuse-rows"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for fn in op.ops:
            if isinstance(fn, func.FuncOp) and not fn.is_declaration:
                _fuse_block(fn.body.block)
