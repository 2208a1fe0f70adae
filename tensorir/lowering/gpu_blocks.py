"""The loop nests whose GPU kernel a block shares (``tir-gpu-kernels``' block kernels).

``tir-gpu-kernels`` gives a parallel loop one thread per iteration and any other nest one
thread in all. Three kinds of nest do better with threads that work together (the ops of
``tensorir.dialects.tir_gpu``); this module finds them and writes their kernels' bodies:

- **rows** (``row_roles``): a parallel loop whose body reduces (a row's sum or maximum:
  softmax, a matrix-vector product, ``sum(axis=-1)``). A block takes a row (the row loop
  strides over the blocks, the same in every thread); inner loops with independent
  iterations are shared out among the block's threads (``tir.block_threads``), a reduction
  loop is shared out and combined (``tir.block_reduce``), and what the row's code stores is
  stored by one thread (``tir.block_single``).
- **a whole reduction** (``whole_reduction``): a nest whose only store accumulates into one
  element (``sum()``, ``max()``, a dot product of vectors). The nest's iterations are
  numbered and shared out over the whole grid; each block combines its threads' values
  into a partial value (``tir.block_reduce``), and a second kernel of one block combines
  the partial values into the element.
- **columns** (``column_loop``): a nest ``for i { for j { ... } }`` whose inner loop has
  independent iterations (``sum(axis=0)``): the loops are interchanged, so that thread
  ``j`` runs ``i`` in order.
- **matrix products** (``contraction``): a parallel loop over rows computing ``C[i, j] =
  combine(C[i, j], w(a(i, p), b(p, j)))`` over ``p`` (``dot`` without BLAS): tiles of
  ``TILE x TILE`` elements per block of as many threads, ``a`` and ``b`` staged through
  shared memory (``tir.block_buffer``), each element combined over ``p`` in order.

A reduction loop (``reduction``) stores one element, ``R[idx] = combine(R[idx], v)``, at
indices fixed outside the loop, with ``combine`` one of ``tir_gpu.COMBINERS`` and no other
access to ``R``; loops inside it hold the store and nothing else stores. Its threads each
carry a partial value through their loops (``iter_args``) instead of storing it. Floating
sums are combined in a tree, so they round differently from the CPU's running sum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xdsl.dialects import arith, gpu, memref, scf
from xdsl.dialects.builtin import FloatAttr, IndexType, IntegerAttr, MemRefType
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

from tensorir.dialects.tir_gpu import (
    COMBINERS,
    BlockBufferOp,
    BlockReduceOp,
    BlockSingleOp,
    BlockThreadsOp,
    BlockYieldOp,
    identity,
)
from tensorir.lowering.loop_ir import inside, root
from tensorir.lowering.outline import KERNEL_DIALECTS
from tensorir.lowering.parallel import step_is_one, why_serial

_UNIFORM = frozenset({"memref.load", "memref.dim", "memref.get_global", "memref.cast",
                      "tir.view", "tir.reshape", "scf.yield"})  # fmt: skip
"""Ops of a row's code that every thread of its block may run alike (they store nothing)."""


@dataclass
class Reduction:
    """A reduction loop: ``loops`` from the outer one down to the one whose body holds
    ``store`` (``R[idx] = combiner(load, v)``, ``load`` reading ``R[idx]``)."""

    loops: list[scf.ForOp]
    load: memref.LoadOp
    combiner: Operation
    store: memref.StoreOp

    @property
    def kind(self) -> str:
        return self.combiner.name[6:]

    @property
    def type(self) -> Attribute:
        return self.store.value.type


def _one_use(v: SSAValue) -> bool:
    return sum(1 for _ in v.uses) == 1


def reduction(loop: scf.ForOp) -> Reduction | None:
    """``loop`` as a reduction loop (see the module), or None."""
    if loop.iter_args or loop.results:
        return None
    stores = []
    for op in loop.walk():
        if op.name == "tir.check" or isinstance(op, memref.AllocaOp):
            return None
        if isinstance(op, memref.StoreOp):
            stores.append(op)
    if len(stores) != 1:
        return None
    store = stores[0]
    combiner = store.value.owner
    if not (isinstance(combiner, Operation) and combiner.name.startswith("arith.")):
        return None
    if combiner.name[6:] not in COMBINERS or not _one_use(store.value):
        return None
    load = next(
        (v.owner for v in combiner.operands
         if isinstance(v.owner, memref.LoadOp) and v.owner.memref is store.memref
         and list(v.owner.indices) == list(store.indices)),
        None,
    )  # fmt: skip
    if load is None or not _one_use(load.res) or load.parent_block() is not store.parent_block():
        return None
    if any(inside(i, loop) for i in store.indices) or inside(store.memref, loop):
        return None
    target = root(store.memref)
    if target is None:
        return None
    for op in loop.walk():
        if isinstance(op, memref.LoadOp) and op is not load:
            other = root(op.memref)
            if other is None or other is target or (isinstance(other, tuple) and other == target):
                return None
    chain = [loop]
    at = store.parent_op()
    inner: list[scf.ForOp] = []
    while at is not loop:
        if not isinstance(at, scf.ForOp) or at.iter_args:
            return None
        inner.insert(0, at)
        at = at.parent_op()
    return Reduction(chain + inner, load, combiner, store)


Role = Reduction | scf.ForOp | None
"""What a block does with an op of a row's code: combine a reduction loop (its
``Reduction``), interchange a loop with its inner loop and share that out (the inner
``scf.for``), or share out a loop with independent iterations, or store with one thread
(None)."""


def row_roles(loop: scf.ForOp) -> dict[Operation, Role] | None:
    """For a parallel ``loop`` whose rows are worth a block (its body reduces, or holds
    loops around loops: a matrix product's row): the ops of its body that the block runs
    together, with their ``Role``s, the others being uniform; None when its body holds
    anything else, a run-time check (a failing thread leaves the kernel: the block would
    wait for it) or nothing worth a block."""
    if any(op.name == "tir.check" for op in loop.walk()):
        return None
    roles: dict[Operation, Role] = {}
    worth = False
    for op in loop.body.block.ops:
        if op.name in _UNIFORM or op.name.startswith(KERNEL_DIALECTS):
            continue
        if isinstance(op, memref.StoreOp):
            roles[op] = None
        elif isinstance(op, scf.ForOp) and (red := reduction(op)) is not None:
            roles[op] = red
            worth = True
        elif isinstance(op, scf.ForOp) and why_serial(op) is None:
            roles[op] = None
            worth = worth or any(isinstance(o, scf.ForOp) for o in op.body.block.walk())
        elif isinstance(op, scf.ForOp) and (inner := column_loop(op)) is not None:
            roles[op] = inner
            worth = True
        else:
            return None
    return roles if worth else None


def whole_reduction(loop: scf.ForOp) -> Reduction | None:
    """``loop`` as a reduction into one element whose loops all have step 1 and bounds
    defined outside ``loop`` (its iterations can be numbered), or None."""
    red = reduction(loop)
    if red is None:
        return None
    for inner in red.loops:
        if not step_is_one(inner) or any(inside(v, loop) for v in (inner.lb, inner.ub)):
            return None
    return red


def column_loop(loop: scf.ForOp) -> scf.ForOp | None:
    """The inner loop of a nest ``for i { for j {...} }`` that may be interchanged so that
    the ``j`` run in parallel: ``loop``'s body is that loop and uniform ops, the inner loop's
    iterations are independent (each touches only elements whose index holds its ``j``,
    in every ``i``), and its bounds are defined outside ``loop``."""
    if loop.iter_args or loop.results:
        return None
    inner: scf.ForOp | None = None
    for op in loop.body.block.ops:
        if isinstance(op, scf.ForOp) and inner is None:
            inner = op
        elif not (op.name in _UNIFORM or op.name.startswith(KERNEL_DIALECTS)):
            return None
    if inner is None or why_serial(inner) is not None:
        return None
    if any(inside(v, loop) for v in (inner.lb, inner.ub)):
        return None
    return inner


# ---------------------------------------------------------------------- building kernels


class _Builder:
    """Appends ops to a block, naming their results."""

    def __init__(self, block: Block):
        self.block = block

    def __call__(self, op: Operation, name: str | None = None) -> SSAValue:
        self.block.add_op(op)
        if name is not None:
            op.results[0].name_hint = name
        return op.results[0]

    def index(self, value: int) -> SSAValue:
        return self(arith.ConstantOp(IntegerAttr(value, IndexType())))

    def special(self, op: type[gpu.ThreadIdOp], name: str) -> SSAValue:
        return self(op(gpu.DimensionAttr(gpu.DimensionEnum.X)), name)  # type: ignore[call-arg]


def _neutral(red: Reduction) -> arith.ConstantOp:
    t = red.type
    value = identity(red.kind, t)
    if isinstance(value, float):
        return arith.ConstantOp(FloatAttr(value, t))  # type: ignore[arg-type]
    return arith.ConstantOp(IntegerAttr(value, t))  # type: ignore[arg-type]


def _carry(
    loop: scf.ForOp, red: Reduction, acc_in: SSAValue, lb: SSAValue, step: SSAValue
) -> scf.ForOp:
    """``loop`` (a loop of ``red``) rebuilt from ``lb`` by ``step``, carrying the
    accumulator (from ``acc_in``) instead of storing it: its result is the value
    combined. It takes ``loop``'s place; ``loop`` is erased."""
    region = loop.detach_region(loop.body)
    block = region.block
    acc = block.insert_arg(red.type, 1)
    acc.name_hint = "acc"
    new = scf.ForOp(lb, loop.ub, step, [acc_in], region)
    parent = loop.parent_block()
    assert parent is not None
    parent.insert_op_before(new, loop)
    loop.detach()
    loop.erase()
    if red.store.parent_block() is block:
        red.combiner.operands = [acc if v is red.load.res else v for v in red.combiner.operands]
        for op in (red.store, red.load):
            op.detach()
            op.erase()
        out = red.combiner.results[0]
    else:
        nested = next(
            op for op in block.ops if isinstance(op, scf.ForOp) and op.is_ancestor(red.store)
        )
        out = _carry(nested, red, acc, nested.lb, nested.step).results[0]
    last = block.last_op
    assert isinstance(last, scf.YieldOp)
    last.operands = [out]
    return new


def _wrap(op: Operation, make: Callable[[Region], Operation]) -> Operation:
    """``op`` moved into the region of a new op ``make`` builds, in ``op``'s place."""
    parent = op.parent_block()
    assert parent is not None
    inner = Block()
    wrapper = make(Region(inner))
    parent.insert_op_before(wrapper, op)
    op.detach()
    inner.add_op(op)
    return wrapper


def _combine_into(red: Reduction, value: SSAValue, into: Block) -> None:
    """``R[idx] = combine(R[idx], value)`` at the end of ``into``."""
    b = _Builder(into)
    old = b(memref.LoadOp.get(red.store.memref, list(red.store.indices)))
    new = b(type(red.combiner)(old, value))  # type: ignore[call-arg]
    into.add_op(memref.StoreOp.get(new, red.store.memref, list(red.store.indices)))


def _shared_reduction(loop: scf.ForOp, red: Reduction) -> None:
    """The reduction ``loop`` of a row's code: its iterations shared out among the block's
    threads, each thread's value combined (``tir.block_reduce``), the total combined into
    the element by one thread (``tir.block_single``)."""
    kind, t = red.kind, red.type
    region = Block()
    reduce = BlockReduceOp(kind, t, Region(region))
    reduce.result.name_hint = "partial"
    parent = loop.parent_block()
    assert parent is not None
    parent.insert_op_before(reduce, loop)
    b = _Builder(region)
    tid, bdim = b.special(gpu.ThreadIdOp, "tid"), b.special(gpu.BlockDimOp, "bdim")
    first = b(arith.AddiOp(loop.lb, b(arith.MuliOp(tid, loop.step))), "first")
    stride = b(arith.MuliOp(bdim, loop.step), "stride")
    neutral = b(_neutral(red))
    loop.detach()
    region.add_op(loop)
    carried = _carry(loop, red, neutral, first, stride)
    region.add_op(BlockYieldOp(carried.results[0]))
    single = Block()
    _combine_into(red, reduce.result, single)
    parent.insert_op_after(BlockSingleOp(Region(single)), reduce)


def _shared_loop(loop: scf.ForOp) -> None:
    """A loop of a row's code with independent iterations, shared out among the block's
    threads (``tir.block_threads``)."""
    wrapper = _wrap(loop, BlockThreadsOp)
    inner = wrapper.regions[0].block
    loop.detach()
    b = _Builder(inner)
    tid, bdim = b.special(gpu.ThreadIdOp, "tid"), b.special(gpu.BlockDimOp, "bdim")
    first = b(arith.AddiOp(loop.lb, b(arith.MuliOp(tid, loop.step))), "first")
    stride = b(arith.MuliOp(bdim, loop.step), "stride")
    shared = scf.ForOp(first, loop.ub, stride, [], loop.detach_region(loop.body))
    inner.add_op(shared)
    loop.erase()
    for op in list(shared.body.block.ops):
        if isinstance(op, scf.ForOp) and (red := reduction(op)) is not None:
            _in_register(op, red)


def _in_register(loop: scf.ForOp, red: Reduction) -> None:
    """A thread's reduction ``loop`` carrying the element in a register: loaded before,
    stored after (a matrix product's element over ``k``)."""
    target, indices = red.store.memref, list(red.store.indices)
    parent = loop.parent_block()
    assert parent is not None
    load = memref.LoadOp.get(target, indices)
    load.res.name_hint = "element"
    parent.insert_op_before(load, loop)
    carried = _carry(loop, red, load.res, loop.lb, loop.step)
    parent.insert_op_after(memref.StoreOp.get(carried.results[0], target, indices), carried)


def build_rows(body: Block, loop: scf.ForOp, roles: dict[Operation, Role]) -> None:
    """``loop`` (a parallel loop of ``row_roles``) at the end of ``body`` as a block
    kernel's code: the rows stride over the blocks; ``roles``' ops shared by the block."""
    b = _Builder(body)
    bid, gdim = b.special(gpu.BlockIdOp, "bid"), b.special(gpu.GridDimOp, "gdim")
    first = b(arith.AddiOp(loop.lb, b(arith.MuliOp(bid, loop.step))), "row")
    stride = b(arith.MuliOp(gdim, loop.step), "rows_stride")
    region = loop.detach_region(loop.body)
    body.add_op(scf.ForOp(first, loop.ub, stride, [], region))
    loop.detach()
    loop.erase()
    for op, role in roles.items():
        if isinstance(role, Reduction):
            _shared_reduction(op, role)  # type: ignore[arg-type]
        elif isinstance(role, scf.ForOp):
            _shared_loop(interchange(op, role))  # type: ignore[arg-type]
        elif isinstance(op, scf.ForOp):
            _shared_loop(op)
        else:
            _wrap(op, BlockSingleOp)


def build_partials(body: Block, red: Reduction, partials: SSAValue) -> None:
    """Kernel 1 of a whole reduction, at the end of ``body``: the nest's iterations,
    numbered, shared out over the grid; block ``b``'s value combined into ``partials[b]``.
    The nest's loops are left as they were (the caller erases them)."""
    b = _Builder(body)
    sizes = []
    for inner in red.loops:
        span = b(arith.SubiOp(inner.ub, inner.lb))
        sizes.append(b(arith.MaxSIOp(span, b.index(0)), "n"))
    total = sizes[0]
    for n in sizes[1:]:
        total = b(arith.MuliOp(total, n), "total")
    region = Block()
    reduce = BlockReduceOp(red.kind, red.type, Region(region))
    reduce.result.name_hint = "partial"
    body.add_op(reduce)
    r = _Builder(region)
    tid, bid = r.special(gpu.ThreadIdOp, "tid"), r.special(gpu.BlockIdOp, "bid")
    bdim, gdim = r.special(gpu.BlockDimOp, "bdim"), r.special(gpu.GridDimOp, "gdim")
    first = r(arith.AddiOp(r(arith.MuliOp(bid, bdim)), tid), "first")
    stride = r(arith.MuliOp(bdim, gdim), "stride")
    neutral = r(_neutral(red))
    step = Block(arg_types=[IndexType(), red.type])
    flat, acc = step.args
    flat.name_hint, acc.name_hint = "k", "acc"
    s = _Builder(step)
    mapping: dict[SSAValue, SSAValue] = {}
    rest = flat
    for inner, n in reversed(list(zip(red.loops[1:], sizes[1:], strict=True))):
        iv = inner.body.block.args[0]
        mapping[iv] = s(arith.AddiOp(inner.lb, s(arith.RemUIOp(rest, n))), iv.name_hint)
        rest = s(arith.DivUIOp(rest, n))
    iv = red.loops[0].body.block.args[0]
    mapping[iv] = s(arith.AddiOp(red.loops[0].lb, rest), iv.name_hint)
    skip = {red.load, red.combiner, red.store}
    for level, inner in enumerate(red.loops):
        deeper = red.loops[level + 1] if level + 1 < len(red.loops) else None
        for op in inner.body.block.ops:
            if op is deeper:
                break
            if op in skip or isinstance(op, scf.YieldOp):
                continue
            step.add_op(op.clone(mapping))
    value = next(v for v in red.combiner.operands if v is not red.load.res)
    combined = s(type(red.combiner)(acc, mapping.get(value, value)))  # type: ignore[call-arg]
    step.add_op(scf.YieldOp(combined))
    loop = scf.ForOp(first, total, stride, [neutral], Region(step))
    region.add_op(loop)
    region.add_op(BlockYieldOp(loop.results[0]))
    single = Block()
    bid_single = _Builder(single).special(gpu.BlockIdOp, "bid")
    single.add_op(memref.StoreOp.get(reduce.result, partials, [bid_single]))
    body.add_op(BlockSingleOp(Region(single)))


def build_total(body: Block, red: Reduction, partials: SSAValue) -> None:
    """Kernel 2 of a whole reduction (one block), at the end of ``body``: the partial
    values combined into the element."""
    region = Block()
    reduce = BlockReduceOp(red.kind, red.type, Region(region))
    reduce.result.name_hint = "total"
    r = _Builder(region)
    tid, bdim = r.special(gpu.ThreadIdOp, "tid"), r.special(gpu.BlockDimOp, "bdim")
    count = r(memref.DimOp(partials, r.index(0)), "count")
    neutral = r(_neutral(red))
    step = Block(arg_types=[IndexType(), red.type])
    k, acc = step.args
    k.name_hint, acc.name_hint = "k", "acc"
    s = _Builder(step)
    part = s(memref.LoadOp.get(partials, [k]))
    step.add_op(scf.YieldOp(s(type(red.combiner)(acc, part))))  # type: ignore[call-arg]
    loop = scf.ForOp(tid, count, bdim, [neutral], Region(step))
    region.add_op(loop)
    region.add_op(BlockYieldOp(loop.results[0]))
    body.add_op(reduce)
    single = Block()
    _combine_into(red, reduce.result, single)
    body.add_op(BlockSingleOp(Region(single)))


def interchange(loop: scf.ForOp, inner: scf.ForOp) -> scf.ForOp:
    """``for i { ...; for j { body } }`` as ``for j { for i { ...; body } }`` (``inner`` of
    ``column_loop``), in ``loop``'s place; returns the new outer loop."""
    parent = loop.parent_block()
    assert parent is not None
    j = inner.body.block.args[0]
    outer_block = Block(arg_types=[IndexType()])
    outer = scf.ForOp(inner.lb, inner.ub, inner.step, [], Region(outer_block))
    parent.insert_op_before(outer, loop)
    j.replace_all_uses_with(outer_block.args[0])
    outer_block.args[0].name_hint = j.name_hint
    for op in list(inner.body.block.ops):
        if isinstance(op, scf.YieldOp):
            continue
        op.detach()
        loop.body.block.insert_op_before(op, inner)
    inner.detach()
    inner.erase()
    loop.detach()
    outer_block.add_op(loop)
    outer_block.add_op(scf.YieldOp())
    return outer


# ---------------------------------------------------------------------- matrix products

TILE = 16
"""A tiled matrix product's tile: TILE x TILE elements of the result per block of as many
threads, the operands staged through shared memory TILE columns (rows) at a time."""


@dataclass
class Contraction:
    """A parallel loop over rows ``i`` computing a matrix product's rows: ``init`` (optional)
    ``for j { C[i, j] = ... }``, then ``for p { for j { C[i, j] = combine(C[i, j],
    w(a, b)) } }`` where ``a`` is computed from ``i`` and ``p`` (``a_ops``), ``b`` from
    ``p`` and ``j`` (``b_ops``) and ``w`` from both (``mix_ops``)."""

    rows: scf.ForOp
    init: scf.ForOp | None
    depth: scf.ForOp
    cols: scf.ForOp
    element: Reduction  # the store, load and combiner of C[i, j] in the loop over p
    a_ops: list[Operation]
    a: SSAValue
    b_ops: list[Operation]
    b: SSAValue
    mix_ops: list[Operation]


def _dependences(block: Block, ivs: dict[SSAValue, str]) -> dict[Operation, set[str]] | None:
    """For each op of ``block`` (but its terminator), the loop variables (``ivs``' names) it
    depends on; None if an op has regions."""
    deps: dict[Operation, set[str]] = {}
    of_value: dict[SSAValue, set[str]] = {}
    for op in block.ops:
        if isinstance(op, scf.YieldOp):
            continue
        if op.regions:
            return None
        d: set[str] = set()
        for v in op.operands:
            d |= {ivs[v]} if v in ivs else of_value.get(v, set())
        deps[op] = d
        for r in op.results:
            of_value[r] = d
    return deps


def contraction(loop: scf.ForOp) -> Contraction | None:
    """``loop`` as a ``Contraction`` (see there; step 1 and bounds outside ``loop``
    everywhere, nothing stored but ``C``), or None."""
    if any(op.name == "tir.check" for op in loop.walk()):
        return None
    ops = [op for op in loop.body.block.ops if not isinstance(op, scf.YieldOp)]
    if not ops or len(ops) > 2 or not all(isinstance(op, scf.ForOp) for op in ops):
        return None
    init, depth = (None, ops[0]) if len(ops) == 1 else ops
    cols = column_loop(depth)  # type: ignore[arg-type]
    if cols is None or [o for o in depth.body.block.ops if not isinstance(o, scf.YieldOp)] != [
        cols
    ]:
        return None
    for inner in (loop, depth, cols):
        if not step_is_one(inner) or any(inside(v, loop) for v in (inner.lb, inner.ub)):
            return None
    i, p, j = (x.body.block.args[0] for x in (loop, depth, cols))
    stores = [op for op in cols.body.block.ops if isinstance(op, memref.StoreOp)]
    if len(stores) != 1 or list(stores[0].indices) != [i, j]:
        return None
    element = _element(stores[0])
    if element is None:
        return None
    deps = _dependences(cols.body.block, {i: "i", p: "p", j: "j"})
    if deps is None:
        return None
    special = {element.load, element.combiner, element.store}
    a_ops = [op for op, d in deps.items() if op not in special and "j" not in d]
    b_ops = [op for op, d in deps.items() if op not in special and "i" not in d]
    mix_ops = [op for op, d in deps.items() if op not in special and {"i", "j"} <= d]
    if any(isinstance(op, memref.StoreOp) for op in a_ops + b_ops) or any(
        not (op.name.startswith(KERNEL_DIALECTS)) for op in mix_ops
    ):
        return None
    mixed = {r for op in mix_ops for r in op.results}
    used = {v for op in [*mix_ops, element.combiner] for v in op.operands if v not in mixed}
    a_values = [v for v in used if any(v in op.results for op in a_ops) and "i" in deps[v.owner]]  # type: ignore[index]
    b_values = [v for v in used if any(v in op.results for op in b_ops) and "j" in deps[v.owner]]  # type: ignore[index]
    if len(a_values) != 1 or len(b_values) != 1:
        return None
    if any(v in (i, j) for v in used):
        return None
    if init is not None and not _init_of(init, i, element.store.memref):  # type: ignore[arg-type]
        return None
    target = root(element.store.memref)
    for op in a_ops + b_ops:
        if isinstance(op, memref.LoadOp):
            source = root(op.memref)
            if target is None or source is None or source is target or source == target:
                return None  # an operand may be the product itself
    return Contraction(loop, init, depth, cols, element, a_ops, a_values[0], b_ops, b_values[0],
                       mix_ops)  # type: ignore[arg-type]  # fmt: skip


def _element(store: memref.StoreOp) -> Reduction | None:
    """``store`` as ``C[idx] = combine(C[idx], w)`` (a ``Reduction`` without loops)."""
    combiner = store.value.owner
    if not (isinstance(combiner, Operation) and combiner.name.startswith("arith.")):
        return None
    if combiner.name[6:] not in COMBINERS or not _one_use(store.value):
        return None
    for v in combiner.operands:
        load = v.owner
        if (isinstance(load, memref.LoadOp) and load.memref is store.memref
                and list(load.indices) == list(store.indices) and _one_use(load.res)):  # fmt: skip
            return Reduction([], load, combiner, store)
    return None


def _init_of(init: scf.ForOp, i: SSAValue, target: SSAValue) -> bool:
    """Whether ``init`` is ``for j { C[i, j] = v }``, ``v`` from pure ops."""
    if init.iter_args:
        return False
    j = init.body.block.args[0]
    for op in init.body.block.ops:
        if isinstance(op, memref.StoreOp):
            if op.memref is not target or list(op.indices) != [i, j]:
                return False
        elif not (op.name.startswith(KERNEL_DIALECTS) or isinstance(op, scf.YieldOp)):
            return False
    return True


class _Threads(_Builder):
    """A ``tir.block_threads`` region of a tiled product, with this thread's ``ty``/``tx``."""

    def __init__(self, at: Block):
        region = Block()
        at.add_op(BlockThreadsOp(Region(region)))
        super().__init__(region)
        self.ty = self(gpu.ThreadIdOp(gpu.DimensionAttr(gpu.DimensionEnum.Y)), "ty")
        self.tx = self(gpu.ThreadIdOp(gpu.DimensionAttr(gpu.DimensionEnum.X)), "tx")

    def below(self, x: SSAValue, bound: SSAValue) -> SSAValue:
        return self(arith.CmpiOp(x, bound, "slt"))

    def when(self, cond: SSAValue) -> _Before:
        """``scf.if cond { ... }`` at the end of the region; a builder of its body."""
        then = Block([scf.YieldOp()])
        self.block.add_op(scf.IfOp(cond, [], Region(then)))
        return _Before(then)


class _Before(_Builder):
    """Inserts ops before the block's terminator (an op without results gives None)."""

    def __call__(self, op: Operation, name: str | None = None) -> SSAValue:
        last = self.block.last_op
        assert last is not None
        self.block.insert_op_before(op, last)
        if name is not None:
            op.results[0].name_hint = name
        return op.results[0] if op.results else None  # type: ignore[return-value]


def split_init(con: Contraction) -> scf.ForOp | None:
    """The product's ``init`` moved into a parallel loop of its own over the rows, before
    the product's (each row's init touches only that row's elements, which only that row's
    product reads); returns it (None without ``init``)."""
    init, rows = con.init, con.rows
    if init is None:
        return None
    block = Block(arg_types=[IndexType()])
    block.args[0].name_hint = rows.body.block.args[0].name_hint
    for use in list(rows.body.block.args[0].uses):
        if init.is_ancestor(use.operation):
            use.operation.operands = [
                block.args[0] if k == use.index else v for k, v in enumerate(use.operation.operands)
            ]
    init.detach()
    block.add_op(init)
    block.add_op(scf.YieldOp())
    loop = scf.ForOp(rows.lb, rows.ub, rows.step, [], Region(block))
    loop.attributes.update({k: v for k, v in rows.attributes.items()})
    parent = rows.parent_block()
    assert parent is not None
    parent.insert_op_before(loop, rows)
    con.init = None
    return loop


def build_tiles(body: Block, con: Contraction) -> None:
    """The tiled product at the end of ``body`` (``init`` split off first): block (bx, by)
    computes TILE x TILE tiles
    of ``C`` (striding over the grid along both), staging TILE columns of ``a`` and TILE
    rows of ``b`` at a time in shared memory; each thread carries its element in shared
    memory across the stages and combines in the CPU's order (``p`` ascending)."""
    b = _Builder(body)
    tile = b.index(TILE)
    ydim, xdim = gpu.DimensionAttr(gpu.DimensionEnum.Y), gpu.DimensionAttr(gpu.DimensionEnum.X)
    rows, depth, cols = con.rows, con.depth, con.cols
    target, elem = con.element.store.memref, con.element.store.value.type
    a_tile = b(BlockBufferOp(MemRefType(con.a.type, [TILE, TILE])), "a_tile")
    b_tile = b(BlockBufferOp(MemRefType(con.b.type, [TILE, TILE])), "b_tile")
    acc_tile = b(BlockBufferOp(MemRefType(elem, [TILE, TILE])), "c_tile")
    row0 = b(arith.AddiOp(rows.lb, b(arith.MuliOp(b(gpu.BlockIdOp(ydim), "bid_y"), tile))))
    col0 = b(arith.AddiOp(cols.lb, b(arith.MuliOp(b(gpu.BlockIdOp(xdim), "bid_x"), tile))))
    row_stride = b(arith.MuliOp(b(gpu.GridDimOp(ydim), "gdim_y"), tile), "rows_stride")
    col_stride = b(arith.MuliOp(b(gpu.GridDimOp(xdim), "gdim_x"), tile), "cols_stride")
    ti_block = Block(arg_types=[IndexType()])
    ti_block.args[0].name_hint = "ti"
    body.add_op(scf.ForOp(row0, rows.ub, row_stride, [], Region(ti_block)))
    tj_block = Block(arg_types=[IndexType()])
    tj_block.args[0].name_hint = "tj"
    ti_block.add_op(scf.ForOp(col0, cols.ub, col_stride, [], Region(tj_block)))
    ti_block.add_op(scf.YieldOp())
    ti, tj = ti_block.args[0], tj_block.args[0]
    i_iv, p_iv, j_iv = (x.body.block.args[0] for x in (rows, depth, cols))

    def element(t: _Threads) -> tuple[SSAValue, SSAValue, _Builder]:
        i = t(arith.AddiOp(ti, t.ty), "i")
        j = t(arith.AddiOp(tj, t.tx), "j")
        ok = t(arith.AndIOp(t.below(i, rows.ub), t.below(j, cols.ub)))
        return i, j, t.when(ok)

    t = _Threads(tj_block)  # the tile's elements into shared memory
    i, j, w = element(t)
    w(memref.StoreOp.get(w(memref.LoadOp.get(target, [i, j])), acc_tile, [t.ty, t.tx]))

    tp_block = Block(arg_types=[IndexType()])
    tp_block.args[0].name_hint = "tp"
    tj_block.add_op(scf.ForOp(depth.lb, depth.ub, tile, [], Region(tp_block)))
    tp = tp_block.args[0]
    t = _Threads(tp_block)  # stage a's and b's tiles
    for ops, value, tile_buffer, (rv, rb), (cv, cb) in (
        (con.a_ops, con.a, a_tile, (i_iv, rows.ub), (p_iv, depth.ub)),
        (con.b_ops, con.b, b_tile, (p_iv, depth.ub), (j_iv, cols.ub)),
    ):
        r = t(arith.AddiOp(ti if rv is i_iv else tp, t.ty))
        c = t(arith.AddiOp(tp if cv is p_iv else tj, t.tx))
        w = t.when(t(arith.AndIOp(t.below(r, rb), t.below(c, cb))))
        mapping = {rv: r, cv: c}
        for op in ops:
            w(op.clone(mapping))
        w(memref.StoreOp.get(mapping[value], tile_buffer, [t.ty, t.tx]))
    t = _Threads(tp_block)  # combine a stage into each element
    i, j, w = element(t)
    span = w(arith.MinSIOp(tile, w(arith.SubiOp(depth.ub, tp))), "stage")
    start = w(memref.LoadOp.get(acc_tile, [t.ty, t.tx]))
    step = Block(arg_types=[IndexType(), elem])
    kk, acc = step.args
    kk.name_hint, acc.name_hint = "kk", "acc"
    s = _Builder(step)
    mapping = {
        con.a: s(memref.LoadOp.get(a_tile, [t.ty, kk])),
        con.b: s(memref.LoadOp.get(b_tile, [kk, t.tx])),
        i_iv: i,
        j_iv: j,
        p_iv: s(arith.AddiOp(tp, kk), "p"),
    }
    for op in con.mix_ops:
        step.add_op(op.clone(mapping))
    comb = con.element.combiner
    operands = [acc if v is con.element.load.res else mapping.get(v, v) for v in comb.operands]
    step.add_op(scf.YieldOp(s(type(comb)(*operands))))  # type: ignore[call-arg]
    zero = w(arith.ConstantOp(IntegerAttr(0, IndexType())))
    one = w(arith.ConstantOp(IntegerAttr(1, IndexType())))
    combined = w(scf.ForOp(zero, span, one, [start], Region(step)))
    w(memref.StoreOp.get(combined, acc_tile, [t.ty, t.tx]))
    tp_block.add_op(scf.YieldOp())

    t = _Threads(tj_block)  # the tile's elements back into C
    i, j, w = element(t)
    w(memref.StoreOp.get(w(memref.LoadOp.get(acc_tile, [t.ty, t.tx])), target, [i, j]))
    tj_block.add_op(scf.YieldOp())
