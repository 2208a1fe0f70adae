"""``tir-reductions`` (L4 -> L4): float sums along the innermost loop, blocked and pairwise.

``convert-linalg-to-loops`` makes a sum along the innermost loop of a kernel (``x.sum(axis=-1)``,
softmax's denominators, a mean, a dot product written elementwise) into::

    scf.for %k = %lb to %ub step %c1 {
      ...                                   // %e, from loads that may depend on %k
      %acc = memref.load %out[I]            // I defined outside the loop
      %r = arith.addf %acc, %e
      memref.store %r, %out[I]
    }

which adds the elements one after the other: LLVM must keep that order, so the loop does not
vectorize, and the rounding error grows with the length (a float32 sum of 2**25 ones stops at
2**24). This pass rewrites such a loop as::

    acc0 = out[I]; levels[c] = the sum of 2**c blocks, pending
    for each block of B = 256 elements, in order:
        16 partial sums (8 for float64), lane l taking every 16th element from l on,
        combined as a balanced tree
        carried up the levels as a binary counter: block j meets its pairwise partner
    tail = the elements after the last whole block, summed the same way, then one by one
    out[I] = acc0 + (tail + levels[0] + levels[1] + ...)

Each element goes through at most B / lanes additions in its lane, log2(lanes) in the tree
and one per level above its block: an error bound in O(log n), as numpy's pairwise
summation (which also keeps 8 partial sums per block). The partial sums are independent, so
LLVM's vectorizers put the lanes in one vector register; the order is fixed by the pass, not
by them, so a kernel gives the same bits fused or not and on every CPU. NaN and infinities
propagate as before; a sum of only -0.0 was +0.0 before (the accumulator starts at +0.0)
and stays so.

A loop is rewritten only when it has exactly that shape: step 1, no results, no nested
regions, only loads and ``arith``/``math`` ops besides the one load-add-store of ``out``,
which no other op of the loop reads or writes, at indices defined outside the loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.builder import Builder
from xdsl.context import Context
from xdsl.dialects import arith, math, memref, scf
from xdsl.dialects.builtin import (
    FloatAttr,
    IndexType,
    IntegerAttr,
    ModuleOp,
    i64,
)
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint

from tensorir.lowering.loop_ir import inside

BLOCK = 256
"""Elements summed per block: long enough for LLVM's vector lanes (16 x 4 for float32 on
AVX-512), short enough that a lane's own chain stays a few additions."""

LEVELS = 64
"""Pairwise levels: 2**64 blocks, more than any buffer."""


@dataclass
class _Sum:
    loop: scf.ForOp
    acc: memref.LoadOp
    add: arith.AddfOp
    store: memref.StoreOp
    element: SSAValue  # the added value, %e


def _match(loop: scf.ForOp) -> _Sum | None:
    """The load-add-store of a sum loop, or None if ``loop`` does not have that shape."""
    if loop.results or len(loop.body.blocks) != 1:
        return None
    step = loop.step.owner
    if not (
        isinstance(step, arith.ConstantOp)
        and isinstance(step.value, IntegerAttr)
        and step.value.value.data == 1
    ):
        return None
    block = loop.body.block
    ops = list(block.ops)
    if len(ops) < 4 or not isinstance(ops[-1], scf.YieldOp) or ops[-1].operands:
        return None
    store, add, acc = ops[-2], ops[-3], ops[-4]
    if not (
        isinstance(store, memref.StoreOp)
        and isinstance(add, arith.AddfOp)
        and isinstance(acc, memref.LoadOp)
        and store.value is add.result
        and store.memref is acc.memref
        and list(store.indices) == list(acc.indices)
    ):
        return None
    if add.fastmath is not None and add.fastmath.data:
        return None  # already rewritten, or flags we would have to keep
    if add.lhs is acc.res and add.rhs is not acc.res:
        element = add.rhs
    elif add.rhs is acc.res and add.lhs is not acc.res:
        element = add.lhs
    else:
        return None
    if _n_uses(acc.res) != 1 or _n_uses(add.result) != 1:
        return None
    out = acc.memref
    for v in (out, *acc.indices):  # defined outside the loop
        if inside(v, loop):
            return None
    for op in ops[:-4]:
        if op.regions or isinstance(op, memref.StoreOp):
            return None
        if op.dialect_name() not in ("arith", "math") and not isinstance(op, memref.LoadOp):
            return None
        if isinstance(op, memref.LoadOp) and op.memref is out:
            return None
    return _Sum(loop, acc, add, store, element)


def _n_uses(v: SSAValue) -> int:
    return sum(1 for _ in v.uses)


def _rewrite(s: _Sum) -> None:
    loop = s.loop
    elem = s.add.result.type
    b = Builder(InsertPoint.before(loop))

    def c(op: Operation) -> SSAValue:
        return b.insert(op).results[0]

    def index(n: int) -> SSAValue:
        return c(arith.ConstantOp.from_int_and_width(n, IndexType()))

    zero_f = c(arith.ConstantOp(FloatAttr(0.0, elem)))  # type: ignore[arg-type]
    zero, one, block = index(0), index(1), index(BLOCK)
    lb, ub = loop.lb, loop.ub
    n = c(arith.MaxSIOp(c(arith.SubiOp(ub, lb)), zero))
    n_blocks = c(arith.DivUIOp(n, block))
    levels = c(memref.AllocaOp.get(elem, shape=[LEVELS]))
    n_blocks64 = c(arith.IndexCastOp(n_blocks, i64))
    used = c(
        arith.SubiOp(
            c(arith.ConstantOp(IntegerAttr(LEVELS, i64))),
            c(math.CountLeadingZerosOp(n_blocks64)),
        )
    )
    used = c(arith.IndexCastOp(used, IndexType()))

    # levels[0..used) = 0
    body = Block(arg_types=[IndexType()])
    body.add_ops([memref.StoreOp.get(zero_f, levels, [body.args[0]]), scf.YieldOp()])
    b.insert(scf.ForOp(zero, used, one, [], body))

    # whole blocks, each carried up the levels
    body = Block(arg_types=[IndexType()])
    inner = Builder(InsertPoint.at_end(body))
    j = body.args[0]
    start = inner.insert(arith.AddiOp(lb, inner.insert(arith.MuliOp(j, block)).result)).result
    end = inner.insert(arith.AddiOp(start, block)).result
    partial = _block_sum(inner, s, start, end, zero_f, one, whole=True)
    j64 = inner.insert(arith.IndexCastOp(j, i64)).result
    ones = inner.insert(arith.ConstantOp(IntegerAttr(-1, i64))).result
    carries = inner.insert(math.CountTrailingZerosOp(inner.insert(arith.XOrIOp(j64, ones)))).result
    carries = inner.insert(arith.IndexCastOp(carries, IndexType())).result
    carry_body = Block(arg_types=[IndexType(), elem])
    level, carried = carry_body.args
    held = memref.LoadOp.get(levels, [level])
    carry_body.add_ops(
        [
            held,
            memref.StoreOp.get(zero_f, levels, [level]),
            added := arith.AddfOp(held.res, carried),
            scf.YieldOp(added.result),
        ]
    )
    carry = inner.insert(scf.ForOp(zero, carries, one, [partial], carry_body)).results[0]
    inner.insert(memref.StoreOp.get(carry, levels, [carries]))
    inner.insert(scf.YieldOp())
    b.insert(scf.ForOp(zero, n_blocks, one, [], body))

    # the tail, then every level from the lowest
    tail_start = c(arith.AddiOp(lb, c(arith.MuliOp(n_blocks, block))))
    tail = _block_sum(b, s, tail_start, c(arith.MaxSIOp(ub, lb)), zero_f, one, whole=False)
    total_body = Block(arg_types=[IndexType(), elem])
    level, running = total_body.args
    held = memref.LoadOp.get(levels, [level])
    total_body.add_ops([held, added := arith.AddfOp(held.res, running), scf.YieldOp(added.result)])
    total = b.insert(scf.ForOp(zero, used, one, [tail], total_body)).results[0]

    before = c(memref.LoadOp.get(s.acc.memref, list(s.acc.indices)))
    result = c(arith.AddfOp(before, total))
    b.insert(memref.StoreOp.get(result, s.acc.memref, list(s.acc.indices)))
    loop.detach()
    loop.erase()


def _lanes(elem: object) -> int:
    """Partial sums per block: one 512-bit vector of ``elem``."""
    return 8 if getattr(elem, "bitwidth", 64) == 64 else 16


def _block_sum(
    b: Builder,
    s: _Sum,
    start: SSAValue,
    end: SSAValue,
    zero_f: SSAValue,
    one: SSAValue,
    whole: bool,
) -> SSAValue:
    """``sum(e(k) for k in [start, end))`` in a fixed order: ``_lanes`` partial sums, lane
    ``l`` taking the elements ``k`` with ``(k - start) % lanes == l``, combined as a balanced
    tree, then (unless the block is ``whole``, a multiple of the lanes) the elements after the
    last full round, one after the other. Independent partial sums are what the vectorizer
    widens; the order does not depend on it, so a kernel gives the same bits fused or not."""
    elem = s.add.result.type
    lanes = _lanes(elem)

    def c(op: Operation) -> SSAValue:
        return b.insert(op).results[0]

    step = c(arith.ConstantOp.from_int_and_width(lanes, IndexType()))
    if whole:
        mid = end
    else:
        length = c(arith.SubiOp(end, start))
        rounds = c(arith.MuliOp(c(arith.DivUIOp(length, step)), step))
        mid = c(arith.AddiOp(start, rounds))
    body = Block(arg_types=[IndexType(), *([elem] * lanes)])
    k, *accs = body.args
    inner = Builder(InsertPoint.at_end(body))
    sums = []
    for lane, acc in enumerate(accs):
        at = k
        if lane:
            offset = inner.insert(arith.ConstantOp.from_int_and_width(lane, IndexType())).result
            at = inner.insert(arith.AddiOp(k, offset)).result
        sums.append(inner.insert(arith.AddfOp(acc, _element(inner, s, at))).result)
    inner.insert(scf.YieldOp(*sums))
    partials = list(b.insert(scf.ForOp(start, mid, step, [zero_f] * lanes, body)).results)
    while len(partials) > 1:  # a balanced tree: (p0 + p1) + (p2 + p3) ...
        partials = [
            c(arith.AddfOp(partials[i], partials[i + 1])) for i in range(0, len(partials), 2)
        ]
    total = partials[0]
    if whole:
        return total
    body = Block(arg_types=[IndexType(), elem])
    k, acc = body.args
    inner = Builder(InsertPoint.at_end(body))
    inner.insert(scf.YieldOp(inner.insert(arith.AddfOp(acc, _element(inner, s, k))).result))
    return b.insert(scf.ForOp(mid, end, one, [total], body)).results[0]


def _element(b: Builder, s: _Sum, k: SSAValue) -> SSAValue:
    """The loop's element expression at index ``k``, its ops cloned at ``b``."""
    mapping: dict[SSAValue, SSAValue] = {s.loop.body.block.args[0]: k}
    for op in s.loop.body.block.ops:
        if op is s.acc:
            break
        b.insert(op.clone(value_mapper=mapping))
    return mapping.get(s.element, s.element)


@dataclass(frozen=True)
class Reductions(ModulePass):
    """Float sums along the innermost loop: blocked, vectorizable, combined pairwise."""

    name = "tir-reductions"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        loops = [o for o in op.walk() if isinstance(o, scf.ForOp)]
        for loop in loops:
            found = _match(loop)
            if found is not None:
                _rewrite(found)
