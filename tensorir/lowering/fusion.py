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


def _unit_loops(op: GenericOp, maps: Sequence[AffineMap]) -> set[int]:
    """Loops whose extent is statically 1: they index a static size-1 dim of an operand."""
    found: set[int] = set()
    for v, m in zip(op.operands, maps, strict=True):
        for e, size in zip(m.results, _shape(v), strict=False):
            if isinstance(e, AffineDimExpr) and size == 1:
                found.add(e.position)
    return found


def _reads_each_once(consumer: GenericOp, maps: Sequence[AffineMap], m: AffineMap) -> bool:
    """Whether ``consumer`` (indexing ``maps``) reads each element of an operand read through
    ``m`` at most once: ``m``'s results are loop indices or constants and every loop that may
    run more than once appears among them."""
    if not all(isinstance(e, AffineDimExpr | AffineConstantExpr) for e in m.results):
        return False
    used = {e.position for e in m.results if isinstance(e, AffineDimExpr)}
    missing = set(range(m.num_dims)) - used
    return not missing or missing <= _unit_loops(consumer, maps)


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
        changed = True
        while changed:
            changed = False
            inputs = _inputs(consumer)
            for v in inputs:
                producer = v.owner
                if not isinstance(producer, GenericOp):
                    continue
                if copies_only and not _computes_nothing(producer):
                    continue
                positions = self.fusable(producer, consumer, len(inputs))
                if positions is not None:
                    self.fuse(producer, consumer, inputs, positions)
                    changed = True
                    break

    def fusable(self, producer: GenericOp, consumer: GenericOp, n_inputs: int) -> list[int] | None:
        """The input positions of ``consumer`` that read ``producer``'s result, if fusing
        ``producer`` into ``consumer`` is legal and duplicates no work; else None."""
        if producer.parent is not consumer.parent or not _is_fusable_producer(producer):
            return None
        positions: list[int] = []
        for use in producer.results[0].uses:
            user = use.operation
            if user is consumer and use.index < n_inputs:
                positions.append(use.index)
            elif not (isinstance(user, xtensor.DimOp) and use.index == 0):
                return None
        if not positions:
            return None
        positions.sort()
        c_maps = _maps(consumer)
        m = c_maps[positions[0]]
        if any(c_maps[i] != m for i in positions):
            return None
        if not _computes_nothing(producer) and not _reads_each_once(consumer, c_maps, m):
            return None
        kept = [c_maps[i] for i in range(len(c_maps)) if i not in positions]
        composed = [pm.compose(m) for pm in _maps(producer)[:-1]]
        if not _bounds_readable(kept + composed, len(consumer.iterator_types.data)):
            return None
        return positions

    def fuse(
        self,
        producer: GenericOp,
        consumer: GenericOp,
        inputs: tuple[SSAValue, ...],
        positions: list[int],
    ) -> None:
        """Inline ``producer`` into ``consumer`` (modified in place), which reads it as the
        inputs at ``positions``, then erase ``producer``."""
        block = consumer.body.block
        p_block = producer.body.block
        p_inputs = _inputs(producer)
        c_maps = _maps(consumer)
        p_maps = _maps(producer)
        pos = positions[0]
        m = c_maps[pos]
        n_new = len(p_inputs)
        # the producer's inputs, as new block arguments where the fused operand was
        mapper: dict[SSAValue, SSAValue] = {}
        for j in range(n_new):
            mapper[p_block.args[j]] = block.insert_arg(p_block.args[j].type, pos + j)
        # the producer's body in front of the consumer's
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
        fused_args = [block.args[i + n_new] for i in positions]
        for arg in fused_args:
            arg.replace_all_uses_with(yielded)
        # operands, maps and block arguments of the inputs of the fused generic
        entries: list[tuple[SSAValue, AffineMap, BlockArgument]] = []
        for i, v in enumerate(inputs):
            if i == pos:
                for j, x in enumerate(p_inputs):
                    entries.append((x, p_maps[j].compose(m), block.args[pos + j]))
            if i not in positions:
                entries.append((v, c_maps[i], block.args[i + n_new if i >= pos else i]))
        for arg in fused_args:
            block.erase_arg(arg)
        # merge inputs that are the same value read through the same map, keeping the
        # consumer's argument (the producer's new ones have few uses: replacing those keeps a
        # long chain's fusion linear)
        fresh = {block.args[pos + j] for j in range(n_new)}
        keep: dict[tuple[SSAValue, AffineMap], BlockArgument] = {}
        for v, em, arg in entries:
            known = keep.get((v, em))
            if known is None or (known in fresh and arg not in fresh):
                keep[(v, em)] = arg
        merged: list[tuple[SSAValue, AffineMap]] = []
        for v, em, arg in entries:
            kept = keep[(v, em)]
            if arg is kept:
                merged.append((v, em))
            else:
                arg.replace_all_uses_with(kept)
                block.erase_arg(arg)
        _set_inputs(consumer, merged, len(inputs))
        self.erase_producer(producer)

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
                    dim.result.replace_all_uses_with(size)
                    _erase(dim)
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
