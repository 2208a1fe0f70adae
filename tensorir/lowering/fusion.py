"""``tir-fuse`` (L2): elementwise producers are inlined into the generics that read them.

MLIR's elementwise op fusion on tensors. A ``linalg.generic`` (the producer) is fused into a
generic that reads its result (the consumer) when

- the producer is all-parallel, has one output read through the identity map, no
  ``library_call`` (those become BLAS calls) and a body that does not read its output;
- the consumer has no ``library_call`` and is in the same block (``tir.map`` bodies too);
- every use of the producer's result is an input of the consumer, always read through the
  same indexing map, or a ``tensor.dim`` (rewritten to the size of the producer's ``outs``);
- no work is duplicated: the consumer reads each element of the producer's result at most
  once (its map for that operand reaches every loop whose extent may exceed 1), unless the
  producer's body computes nothing (a copy, a dimshuffle, a fill);
- every loop of the fused generic still has its size on some operand (a loop dim appears on
  its own in some indexing map), as loop lowering reads the loop bounds off the operands;

A BLAS-marked consumer takes no fusion, but reads a matrix that a transpose copies through
the transposed map instead (BLAS passes its trans flag); the copy stays only while other
readers need it.

Fusing puts the producer's inputs where the fused operand was, with the indexing map of the
consumer for that operand composed with the producer's map for each input, clones the
producer's body in front of the consumer's and replaces the consumer's block argument by the
value the producer yields. Inputs that become the same value read through the same map are
merged. Consumers are visited last to first and each absorbs producers until none is left, so a
chain such as ``sum(exp(x) * y + z)`` becomes one generic; copies (dimshuffles, fills) are
inlined first, everything else then. Before that, inputs a body never reads (the shape operand
of Theano's ``second``) are dropped and generics left unread are erased, which frees more
producers to be fused. Each element is computed by the same scalar operations in the same
order as before, so results are bit-identical. The ``tir.check``s stay as they are;
``tensor.empty``s and ``tensor.dim``s left unused go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func
from xdsl.dialects import tensor as xtensor
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    AffineMapAttr,
    ArrayAttr,
    DenseArrayBase,
    IndexType,
    IntegerAttr,
    ModuleOp,
    ShapedType,
    i32,
)
from xdsl.dialects.linalg.ops import GenericOp, YieldOp
from xdsl.ir import Block, BlockArgument, Operation, SSAValue
from xdsl.ir.affine import AffineConstantExpr, AffineDimExpr, AffineExpr, AffineMap
from xdsl.passes import ModulePass


def _maps(op: GenericOp) -> list[AffineMap]:
    return [m.data for m in op.indexing_maps.data]


def _inputs(op: GenericOp) -> tuple[SSAValue, ...]:
    """The inputs of a generic on tensors (one result per output); none on buffers."""
    n_out = len(op.results)
    return tuple(op.operands)[:-n_out] if n_out else ()


def _shape(v: SSAValue) -> tuple[int, ...]:
    t = v.type
    return tuple(t.get_shape()) if isinstance(t, ShapedType) else ()


def _is_fusable_producer(op: GenericOp) -> bool:
    """All-parallel, one output written through the identity map, no library call, and a
    body that yields one value without reading the output element."""
    if len(op.results) != 1 or op.library_call is not None:
        return False
    iterators = op.iterator_types.data
    if any(it.data.value != "parallel" for it in iterators):
        return False
    if op.indexing_maps.data[-1].data != AffineMap.identity(len(iterators)):
        return False
    block = op.body.block
    last = block.last_op
    if not isinstance(last, YieldOp) or len(last.operands) != 1:
        return False
    return not block.args[-1].uses


def _is_transpose(op: GenericOp) -> bool:
    """A copy of a matrix read transposed: one input, its element yielded unchanged, read
    through ``(d0, d1) -> (d1, d0)``."""
    if len(_inputs(op)) != 1 or len(op.iterator_types.data) != 2:
        return False
    block = op.body.block
    last = block.last_op
    if len(block.ops) != 1 or not isinstance(last, YieldOp):
        return False
    if last.operands[0] is not block.args[0]:
        return False
    maps = _maps(op)
    d = AffineExpr.dimension
    return maps[0] == AffineMap(2, 0, (d(1), d(0))) and maps[1] == AffineMap.identity(2)


def _computes_nothing(op: GenericOp) -> bool:
    """Whether the body only yields a block argument, an outer value or a constant."""
    return all(isinstance(o, arith.ConstantOp | YieldOp) for o in op.body.block.ops)


def _bounds_readable(maps: Sequence[AffineMap], n_loops: int) -> bool:
    """Whether each loop appears on its own as a result of some map (its size is then the
    size of that operand's dim)."""
    seen = {e.position for m in maps for e in m.results if isinstance(e, AffineDimExpr)}
    return seen >= set(range(n_loops))


def _constant_index(v: SSAValue) -> int | None:
    owner = v.owner
    if isinstance(owner, arith.ConstantOp) and isinstance(owner.value, IntegerAttr):
        return owner.value.value.data
    return None


class BlockFusion:
    """Fuses the generics of one block (a function body or a ``tir.map`` body)."""

    def __init__(self, block: Block):
        self.block = block

    def run(self) -> None:
        # dead code first: inputs a body never reads (the shape operand of a fill-like
        # ``second``), and generics nothing reads any more (backwards, so chains go at once)
        for op in reversed(list(self.block.ops)):
            if isinstance(op, GenericOp) and op.parent is self.block:
                if _is_dead(op):
                    self.erase_producer(op)
                else:
                    _drop_unused_inputs(op)
        # copies (dimshuffles, broadcasts, fills) first: a copy inlined into its reader lets
        # what it copies stay the smaller kernel it is (a rank-0 scalar expression stays one
        # rank-0 kernel instead of being computed into its 1-element broadcast)
        # Consumers last to first: a chain's last kernel absorbs each producer while that
        # producer is still one op's body, so each body is cloned once (first to last, every
        # kernel of a chain of n would be cloned again into each next one: n**2 / 2 clones).
        for copies_only in (True, False):
            for op in reversed(list(self.block.ops)):
                if isinstance(op, GenericOp) and op.parent is self.block:
                    self.absorb_producers(op, copies_only)

    def absorb_producers(self, consumer: GenericOp, copies_only: bool) -> None:
        """Fuse producers (only those that compute nothing if ``copies_only``) into
        ``consumer`` until none is left. Into a BLAS-marked consumer, only transposes: BLAS
        reads a transposed matrix in place (``tir-linalg-to-blas`` passes its flag)."""
        if not consumer.results:
            return
        if consumer.library_call is not None:
            self.read_transposes_in_place(consumer)
            return
        _Absorption(self, consumer, copies_only).run()

    def read_transposes_in_place(self, consumer: GenericOp) -> None:
        """A BLAS-marked ``consumer`` reads each matrix that a transpose copies through the
        transposed map instead (BLAS passes its trans flag): the copy is not needed by this
        reader, and goes when no other reader is left."""
        inputs = _inputs(consumer)
        maps = _maps(consumer)
        entries: list[tuple[SSAValue, AffineMap]] = []
        done: list[GenericOp] = []
        for v, m in zip(inputs, maps[: len(inputs)], strict=True):
            producer = v.owner
            if (
                isinstance(producer, GenericOp)
                and producer.parent is consumer.parent
                and _is_transpose(producer)
            ):
                entries.append((_inputs(producer)[0], _maps(producer)[0].compose(m)))
                done.append(producer)
            else:
                entries.append((v, m))
        if not done:
            return
        _set_inputs(consumer, entries, len(inputs))
        for producer in done:
            if all(isinstance(u.operation, xtensor.DimOp) for u in producer.results[0].uses):
                self.erase_producer(producer)

    def erase_producer(self, producer: GenericOp) -> None:
        """Erase a generic nothing reads but ``tensor.dim``s (a fused producer), which now
        read the size of its ``outs``; a ``tensor.empty`` it leaves unused goes too."""
        outs = tuple(producer.operands)[-len(producer.results) :]
        for res, out in zip(producer.results, outs, strict=True):
            for use in list(res.uses):
                dim = use.operation
                assert isinstance(dim, xtensor.DimOp)
                size = self.size_of(out, dim)
                if size is None:
                    dim.operands = (out, dim.index)
                else:
                    _replace_dim(dim, size)
        _erase(producer)
        for out in outs:
            _erase_if_dead(out)

    @staticmethod
    def size_of(out: SSAValue, dim: xtensor.DimOp) -> SSAValue | None:
        """Size ``dim`` asks of ``out`` when it is known without reading ``out``: a static
        size (a new constant) or a dynamic size of the ``tensor.empty`` it is."""
        i = _constant_index(dim.index)
        shape = _shape(out)
        if i is None or not 0 <= i < len(shape):
            return None
        if shape[i] != DYNAMIC_INDEX:
            const = arith.ConstantOp.from_int_and_width(shape[i], IndexType())
            where = dim.parent
            assert where is not None
            where.insert_op_before(const, dim)
            return const.result
        empty = out.owner
        if not isinstance(empty, xtensor.EmptyOp):
            return None
        k = sum(1 for s in shape[:i] if s == DYNAMIC_INDEX)
        return empty.dynamic_sizes[k]


class _Entry:
    """An input of the consumer being fused into: its value, indexing map and block argument
    (``dims``: the loops its map indexes on their own; ``units``: those of static extent 1 by
    it), linked in the order of the inputs (``prev``, ``next``) and, for a candidate producer's
    result, in the order of the candidates (``cprev``, ``cnext``)."""

    __slots__ = ("value", "map", "arg", "dims", "units", "prev", "next", "cprev", "cnext")

    def __init__(self, value: SSAValue | None, m: AffineMap | None, arg: BlockArgument | None):
        self.value = value
        self.map = m
        self.arg = arg
        self.dims: frozenset[int] = frozenset()
        self.units: frozenset[int] = frozenset()
        self.prev: _Entry = self
        self.next: _Entry = self
        self.cprev: _Entry | None = None
        self.cnext: _Entry | None = None


def _loops_of(v: SSAValue, m: AffineMap) -> tuple[frozenset[int], frozenset[int]]:
    """The loops ``m`` indexes on their own, and those of them that index a static size-1 dim
    of ``v``."""
    dims = frozenset(e.position for e in m.results if isinstance(e, AffineDimExpr))
    units = frozenset(
        e.position
        for e, size in zip(m.results, _shape(v), strict=False)
        if isinstance(e, AffineDimExpr) and size == 1
    )
    return dims, units


class _Absorption:
    """Fuses producers into one consumer until none is left.

    Each step fuses the first input (in order) whose producer may be fused, as the consumer
    is then. The inputs are kept here while fusing, not in the IR: a linked list in order, a
    dict from (value, map) to input (merging), from value to inputs (its uses) and per loop the
    number of operands indexing it on their own (bounds readable) and as a static size-1 dim
    (work not duplicated); candidates (results of generics that may ever be fused) are linked
    in order too. A step then costs the size of the producer, not of the consumer: a kernel
    that absorbs n producers compiles in time linear in n (rebuilding the operands, maps and
    block arguments at each step was n**2). The operands, maps and block arguments are set
    once at the end. Candidates that may not be fused yet are looked at again after each step
    (a use by another producer goes when that producer is fused)."""

    def __init__(self, fusion: BlockFusion, consumer: GenericOp, copies_only: bool):
        self.fusion = fusion
        self.consumer = consumer
        self.copies_only = copies_only
        self.block = consumer.body.block
        self.n_loops = len(consumer.iterator_types.data)
        operands = tuple(consumer.operands)
        self.n_inputs = len(operands) - len(consumer.results)
        self.outputs = operands[self.n_inputs :]
        map_attrs = consumer.indexing_maps.data
        self.out_maps = map_attrs[self.n_inputs :]
        self.out_args = self.block.args[self.n_inputs :]
        self.seen = [0] * self.n_loops
        self.unit = [0] * self.n_loops
        for v, attr in zip(self.outputs, self.out_maps, strict=True):
            dims, units = _loops_of(v, attr.data)
            self._count(dims, units, 1)
        self.head = _Entry(None, None, None)
        self.head.cprev = self.head.cnext = self.head
        self.by_key: dict[tuple[SSAValue, AffineMap], _Entry] = {}
        self.by_value: dict[SSAValue, dict[_Entry, None]] = {}
        # inputs that repeat an earlier one: merged into it by the first fusion
        self.duplicates: list[tuple[BlockArgument, BlockArgument]] = []
        self.fused = False
        last = self.head
        clast = self.head
        for i, v in enumerate(operands[: self.n_inputs]):
            m = map_attrs[i].data
            arg = self.block.args[i]
            known = self.by_key.get((v, m))
            if known is not None:
                assert known.arg is not None
                self.duplicates.append((arg, known.arg))
                continue
            last = self._insert(last, v, m, arg)
            if self._is_candidate(v):
                clast = self._insert_candidate(clast, last)

    def _count(self, dims: frozenset[int], units: frozenset[int], sign: int) -> None:
        for d in dims:
            self.seen[d] += sign
        for d in units:
            self.unit[d] += sign

    def _insert(self, after: _Entry, v: SSAValue, m: AffineMap, arg: BlockArgument) -> _Entry:
        entry = _Entry(v, m, arg)
        entry.dims, entry.units = _loops_of(v, m)
        self._count(entry.dims, entry.units, 1)
        entry.prev = after
        entry.next = after.next
        after.next.prev = entry
        after.next = entry
        self.by_key[(v, m)] = entry
        self.by_value.setdefault(v, {})[entry] = None
        return entry

    def _insert_candidate(self, after: _Entry, entry: _Entry) -> _Entry:
        assert after.cnext is not None
        entry.cprev = after
        entry.cnext = after.cnext
        after.cnext.cprev = entry
        after.cnext = entry
        return entry

    def _remove(self, entry: _Entry) -> None:
        assert entry.value is not None and entry.map is not None
        self._count(entry.dims, entry.units, -1)
        entry.prev.next = entry.next
        entry.next.prev = entry.prev
        if entry.cprev is not None and entry.cnext is not None:
            entry.cprev.cnext = entry.cnext
            entry.cnext.cprev = entry.cprev
        del self.by_key[(entry.value, entry.map)]
        users = self.by_value[entry.value]
        del users[entry]
        if not users:
            del self.by_value[entry.value]

    def _is_candidate(self, v: SSAValue) -> bool:
        """Whether ``v`` is the result of a generic that fusion into this consumer may take
        (what does not change while fusing)."""
        producer = v.owner
        return (
            isinstance(producer, GenericOp)
            and producer.parent is self.consumer.parent
            and (not self.copies_only or _computes_nothing(producer))
            and _is_fusable_producer(producer)
        )

    def run(self) -> None:
        while True:
            entry = self.head.cnext
            while entry is not self.head:
                assert entry is not None
                composed = self.fusable(entry)
                if composed is not None:
                    self.fuse(entry, composed)
                    break
                entry = entry.cnext
            else:
                break
        if self.fused:
            self.materialize()

    def fusable(self, entry: _Entry) -> list[AffineMap] | None:
        """The maps of the producer's inputs composed with the consumer's map for its result,
        if fusing the producer of ``entry`` is legal and duplicates no work; else None."""
        v, m = entry.value, entry.map
        assert v is not None and m is not None
        producer = v.owner
        assert isinstance(producer, GenericOp)
        if len(self.by_value[v]) != 1:
            return None  # read through several maps
        for use in v.uses:
            user = use.operation
            if user is self.consumer:
                if self.fused or use.index >= self.n_inputs:
                    return None  # an output of the consumer (its inputs are detached once fused)
            elif not (isinstance(user, xtensor.DimOp) and use.index == 0):
                return None
        if not _computes_nothing(producer) and not self._reads_each_once(m):
            return None
        composed = [pm.compose(m) for pm in _maps(producer)[:-1]]
        extra = {e.position for cm in composed for e in cm.results if isinstance(e, AffineDimExpr)}
        for d in range(self.n_loops):
            if self.seen[d] - (d in entry.dims) <= 0 and d not in extra:
                return None
        return composed

    def _reads_each_once(self, m: AffineMap) -> bool:
        """Whether the consumer reads each element of an operand read through ``m`` at most
        once: ``m``'s results are loop indices or constants and every loop that may run more
        than once (not statically of extent 1 by some operand) appears among them."""
        if not all(isinstance(e, AffineDimExpr | AffineConstantExpr) for e in m.results):
            return False
        used = {e.position for e in m.results if isinstance(e, AffineDimExpr)}
        missing = set(range(m.num_dims)) - used
        return all(d < self.n_loops and self.unit[d] > 0 for d in missing)

    def fuse(self, entry: _Entry, composed: list[AffineMap]) -> None:
        """Inline the producer of ``entry`` into the consumer: its inputs where ``entry`` was
        (merged into equal ones), its body in front of the consumer's; then erase it."""
        assert entry.value is not None and entry.arg is not None
        producer = entry.value.owner
        assert isinstance(producer, GenericOp)
        block = self.block
        if not self.fused:
            self.fused = True
            for dup, kept in self.duplicates:
                dup.replace_all_uses_with(kept)
                dup.erase()
            self.consumer.operands = self.outputs  # the inputs are set again at the end
        p_block = producer.body.block
        p_inputs = _inputs(producer)
        mapper: dict[SSAValue, SSAValue] = {}
        new_args: list[BlockArgument] = []
        for j in range(len(p_inputs)):
            arg = BlockArgument(p_block.args[j].type, block, 0)  # numbered at the end
            mapper[p_block.args[j]] = arg
            new_args.append(arg)
        first = block.first_op
        yielded: SSAValue | None = None
        for op in p_block.ops:
            if isinstance(op, YieldOp):
                yielded = mapper.get(op.operands[0], op.operands[0])
                break
            clone = op.clone(mapper)
            if first is None:
                block.add_op(clone)
            else:
                block.insert_op_before(clone, first)
        assert yielded is not None
        entry.arg.replace_all_uses_with(yielded)
        entry.arg.erase()
        # the producer's inputs where the fused one was; those equal to an input already there
        # (the same value read through the same map) are merged into it
        last = entry
        clast = entry
        for x, em, arg in zip(p_inputs, composed, new_args, strict=True):
            known = self.by_key.get((x, em))
            if known is not None:
                assert known.arg is not None
                arg.replace_all_uses_with(known.arg)
                arg.erase()
                continue
            last = self._insert(last, x, em, arg)
            if self._is_candidate(x):
                clast = self._insert_candidate(clast, last)
        self._remove(entry)
        self.fusion.erase_producer(producer)

    def materialize(self) -> None:
        """Set the operands, indexing maps and block arguments of the consumer."""
        values: list[SSAValue] = []
        maps: list[AffineMapAttr] = []
        args: list[BlockArgument] = []
        entry = self.head.next
        while entry is not self.head:
            assert entry.value is not None and entry.map is not None and entry.arg is not None
            values.append(entry.value)
            maps.append(AffineMapAttr(entry.map))
            args.append(entry.arg)
            entry = entry.next
        args.extend(self.out_args)
        for i, arg in enumerate(args):
            arg.index = i
        # xDSL has no call to set a block's arguments at once (insert_arg and erase_arg
        # renumber the arguments after the one they change: n**2 over n steps)
        self.block._args = tuple(args)  # pyright: ignore[reportPrivateUsage]
        consumer = self.consumer
        consumer.operands = (*values, *self.outputs)
        consumer.properties["indexing_maps"] = ArrayAttr(maps + list(self.out_maps))
        consumer.properties["operandSegmentSizes"] = DenseArrayBase.from_list(
            i32, [len(values), len(self.outputs)]
        )


def _has_fewer_uses(a: SSAValue, b: SSAValue) -> bool:
    """Whether ``a`` has fewer uses than ``b``, in time the smaller count."""
    ia, ib = iter(a.uses), iter(b.uses)
    while True:
        if next(ia, None) is None:
            return next(ib, None) is not None
        if next(ib, None) is None:
            return False


def _replace_dim(dim: xtensor.DimOp, size: SSAValue) -> None:
    """Replace the ``tensor.dim`` ``dim`` by ``size`` and erase it. When ``size`` is another
    ``tensor.dim`` with fewer uses, that one takes the place of the other instead (``dim``
    moved to where it is, reading what it reads): the printed IR is the same, and a chain of
    fused kernels, each sized by a ``tensor.dim`` of the one before, moves each use once
    rather than all the uses gathered so far at each step (n**2 over a chain of n)."""
    other = size.owner
    if not (isinstance(other, xtensor.DimOp) and _has_fewer_uses(size, dim.result)):
        dim.result.replace_all_uses_with(size)
        _erase(dim)
        return
    if size.name_hint is not None:
        dim.result.name_hint = size.name_hint
    dim.detach()
    parent = other.parent
    assert parent is not None
    parent.insert_op_before(dim, other)
    dim.operands = tuple(other.operands)
    size.replace_all_uses_with(dim.result)
    _erase(other)


def _is_dead(op: GenericOp) -> bool:
    """Whether nothing reads the results of ``op`` (a generic on tensors) but ``tensor.dim``s."""
    return bool(op.results) and all(
        isinstance(use.operation, xtensor.DimOp) and use.index == 0
        for res in op.results
        for use in res.uses
    )


def _set_inputs(op: GenericOp, inputs: Sequence[tuple[SSAValue, AffineMap]], n_old: int) -> None:
    """Make ``inputs`` (value, indexing map) the inputs of ``op``, whose body's arguments
    already match them, in place of its ``n_old`` inputs."""
    outputs = tuple(op.operands)[n_old:]
    out_maps = op.indexing_maps.data[n_old:]
    op.operands = (*(v for v, _ in inputs), *outputs)
    op.properties["indexing_maps"] = ArrayAttr(
        [AffineMapAttr(m) for _, m in inputs] + list(out_maps)
    )
    op.properties["operandSegmentSizes"] = DenseArrayBase.from_list(
        i32, [len(inputs), len(outputs)]
    )


def _drop_unused_inputs(op: GenericOp) -> None:
    """Drop the inputs whose element the body never reads, as long as the loop sizes can
    still be read off the operands that remain."""
    if op.library_call is not None or not op.results:
        return
    block = op.body.block
    inputs = _inputs(op)
    maps = _maps(op)
    n_loops = len(op.iterator_types.data)
    dropped: set[int] = set()
    for i in range(len(inputs)):
        if block.args[i].uses:
            continue
        rest = [m for k, m in enumerate(maps) if k != i and k not in dropped]
        if _bounds_readable(rest, n_loops):
            dropped.add(i)
    if not dropped:
        return
    for i in sorted(dropped, reverse=True):
        block.erase_arg(block.args[i])
    kept = [(v, maps[i]) for i, v in enumerate(inputs) if i not in dropped]
    _set_inputs(op, kept, len(inputs))


def _erase(op: Operation) -> None:
    op.detach()
    op.erase()


def _erase_if_dead(v: SSAValue) -> None:
    """Erase the ``tensor.empty`` or ``tensor.dim`` defining ``v`` if it has no use left, and
    then those defining its operands."""
    owner = v.owner
    if not isinstance(owner, xtensor.EmptyOp | xtensor.DimOp) or owner.results[0].uses:
        return
    operands = list(owner.operands)
    _erase(owner)
    for x in operands:
        _erase_if_dead(x)


def _blocks(fn: func.FuncOp) -> list[Block]:
    """The blocks holding generics, in order: the function's body, ``tir.map`` bodies."""
    blocks: dict[Block, None] = {}
    for op in fn.walk():
        if isinstance(op, GenericOp) and op.parent is not None:
            blocks[op.parent] = None
    return list(blocks)


@dataclass(frozen=True)
class Fuse(ModulePass):
    """Inline single-use elementwise ``linalg.generic``s into the generics that read them."""

    name = "tir-fuse"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for fn in op.ops:
            if isinstance(fn, func.FuncOp) and not fn.is_declaration:
                for block in _blocks(fn):
                    BlockFusion(block).run()
