"""Indexing ops as explicit loops, for ``tir-bufferize`` (L2 -> L3).

``tir.subtensor`` (basic indexing with Python's semantics), ``tir.inc_subtensor``,
``tir.gather`` (advanced integer indexing) and ``tir.scatter_add`` read or write at
positions computed at run time, which ``linalg.generic`` indexing maps cannot express. Each
becomes a nest of ``scf.for`` loops over the result (or the part written) with
``memref.load``/``memref.store``; every index is wrapped (negative counts from the end) and
checked against its dim before use, so no input can make the code read or write out of
bounds: an index out of range raises IndexError, a zero slice step ValueError.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import DYNAMIC_INDEX, IndexType, IntegerAttr, MemRefType, TensorType
from xdsl.ir import Block, Operation, SSAValue

from tensorir.dialects import tir
from tensorir.dialects import types as T
from tensorir.lowering import scalar

if TYPE_CHECKING:
    from tensorir.lowering.bufferize import FunctionBufferization

I64 = T.element_type("int64")


class Builder:
    """Inserts ops before ``anchor`` in ``block``; ``nest`` moves it into a loop nest."""

    def __init__(self, block: Block, anchor: Operation):
        self.block = block
        self.anchor = anchor

    def __call__(self, op: Operation) -> SSAValue:
        self.block.insert_op_before(op, self.anchor)
        return op.results[0] if op.results else None  # type: ignore[return-value]

    def index(self, n: int) -> SSAValue:
        return self(arith.ConstantOp.from_int_and_width(n, IndexType()))

    def i64(self, n: int) -> SSAValue:
        return self(arith.ConstantOp(IntegerAttr(n, I64)))

    def to_i64(self, v: SSAValue) -> SSAValue:
        """An integer scalar of any width, or an index, as i64."""
        if isinstance(v.type, IndexType):
            return self(arith.IndexCastOp(v, I64))
        width = v.type.width.data  # type: ignore[attr-defined]
        if width == 64:
            return v
        return self(arith.ExtUIOp(v, I64) if width == 1 else arith.ExtSIOp(v, I64))

    def to_index(self, v: SSAValue) -> SSAValue:
        return self(arith.IndexCastOp(v, IndexType()))

    def select(self, c: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        return self(arith.SelectOp(c, a, b))

    def cmp(self, a: SSAValue, b: SSAValue, pred: str) -> SSAValue:
        return self(arith.CmpiOp(a, b, pred))

    def check(self, ok: SSAValue, kind: str, message: str, values: Sequence[SSAValue]) -> None:
        self(tir.CheckOp(ok, kind, message, [self.to_i64(v) for v in values]))

    def check_equal(
        self,
        pairs: Sequence[tuple[SSAValue, SSAValue]],
        kind: str,
        message: str,
        values: Sequence[SSAValue],
    ) -> None:
        """A check that every pair of sizes is equal (none when there is no pair)."""
        ok: SSAValue | None = None
        for a, c in pairs:
            same = self.cmp(a, c, "eq")
            ok = same if ok is None else self(arith.AndIOp(ok, same))
        if ok is not None:
            self.check(ok, kind, message, values)

    def dims(self, buf: SSAValue) -> list[SSAValue]:
        """Every dim of a buffer, as an index."""
        t = buf.type
        assert isinstance(t, MemRefType)
        return [
            self(memref.DimOp(buf, self.index(i))) if s == DYNAMIC_INDEX else self.index(s)
            for i, s in enumerate(t.get_shape())
        ]

    def nest(self, sizes: Sequence[SSAValue]) -> tuple[Builder, list[SSAValue]]:
        """A loop nest over ``sizes``; returns a builder inside it and the loop indices."""
        inner: Builder = self
        ivs: list[SSAValue] = []
        for size in sizes:
            body = Block(arg_types=[IndexType()])
            body.add_op(scf.YieldOp())
            inner(scf.ForOp(inner.index(0), size, inner.index(1), [], body))
            ivs.append(body.args[0])
            inner = Builder(body, body.last_op)  # type: ignore[arg-type]
        return inner, ivs


def _shape_text(first: int, n: int) -> str:
    dims = ", ".join(f"{{{first + k}}}" for k in range(n))
    return f"({dims}{',' if n == 1 else ''})"


def wrap_index(
    b: Builder, i: SSAValue, n: SSAValue, axis: int, where: str, what: str = "index"
) -> SSAValue:
    """``i`` (i64) wrapped as Python does (negative counts from the end) and checked to be
    within ``[0, n)``; returns it as an index."""
    n64 = b.to_i64(n)
    zero = b.i64(0)
    wrapped = b.select(b.cmp(i, zero, "slt"), b(arith.AddiOp(i, n64)), i)
    ok = b(arith.AndIOp(b.cmp(wrapped, zero, "sge"), b.cmp(wrapped, n64, "slt")))
    b.check(
        ok,
        "IndexError",
        f"{what} {{0}} is out of bounds for axis {axis} with size {{1}}{where}",
        [i, n64],
    )
    return b.to_index(wrapped)


def _clamp_bound(b: Builder, v: SSAValue, n: SSAValue, negative_step: SSAValue) -> SSAValue:
    """A given slice start or stop, clamped as ``slice.indices`` does."""
    zero, minus_one = b.i64(0), b.i64(-1)
    v = b.select(b.cmp(v, zero, "slt"), b(arith.AddiOp(v, n)), v)
    low = b.select(negative_step, minus_one, zero)
    high = b.select(negative_step, b(arith.SubiOp(n, b.i64(1))), n)
    v = b.select(b.cmp(v, zero, "slt"), low, v)
    return b.select(b.cmp(v, n, "sge"), high, v)


SLICE_PARTS = ((tir.SLICE_START, "start"), (tir.SLICE_STOP, "stop"), (tir.SLICE_STEP, "step"))


def part_indices(
    b: Builder, bounds: Sequence[SSAValue], x: SSAValue, kinds: Sequence[int], where: str
) -> tuple[list[SSAValue], list[tuple[int, SSAValue, SSAValue | None]]]:
    """For ``x[bounds...]`` (``kinds`` as in ``tir.subtensor``, ``bounds`` the buffers of
    its scalar bounds): the sizes of the part's dims, and for each dim of ``x`` how to find
    the source index from the part's loop indices: ``(part_dim, start, step)`` (``part_dim``
    -1: the fixed index ``start``)."""
    fb_bounds = list(bounds)
    dims = b.dims(x)
    sizes: list[SSAValue] = []
    how: list[tuple[int, SSAValue, SSAValue | None]] = []
    k = 0
    for d, n in enumerate(dims):
        if d >= len(kinds):
            how.append((len(sizes), b.index(0), None))
            sizes.append(n)
            continue
        kind = kinds[d]
        if kind == tir.INDEX:
            i = b.to_i64(b(memref.LoadOp.get(fb_bounds[k], [])))
            k += 1
            how.append((-1, wrap_index(b, i, n, d, where), None))
            continue
        given = {}
        for bit, name in (
            (tir.SLICE_START, "start"),
            (tir.SLICE_STOP, "stop"),
            (tir.SLICE_STEP, "step"),
        ):
            if kind & bit:
                given[name] = b.to_i64(b(memref.LoadOp.get(fb_bounds[k], [])))
                k += 1
        n64 = b.to_i64(n)
        step = given.get("step", b.i64(1))
        if "step" in given:
            b.check(
                b.cmp(step, b.i64(0), "ne"), "ValueError", f"slice step cannot be zero{where}", []
            )
        negative = b.cmp(step, b.i64(0), "slt")
        if "start" in given:
            start = _clamp_bound(b, given["start"], n64, negative)
        else:
            start = b.select(negative, b(arith.SubiOp(n64, b.i64(1))), b.i64(0))
        if "stop" in given:
            stop = _clamp_bound(b, given["stop"], n64, negative)
        else:
            stop = b.select(negative, b.i64(-1), n64)
        # length: ceil((stop - start) / step), at least 0
        span = b(arith.SubiOp(stop, start))
        length = b(arith.MaxSIOp(b(arith.CeilDivSIOp(span, step)), b.i64(0)))
        how.append((len(sizes), b.to_index(start), b.to_index(step)))
        sizes.append(b.to_index(length))
    return sizes, how


def source_indices(
    b: Builder, how: Sequence[tuple[int, SSAValue, SSAValue | None]], ivs: Sequence[SSAValue]
) -> list[SSAValue]:
    out = []
    for part_dim, start, step in how:
        if part_dim == -1:
            out.append(start)
        elif step is None:
            out.append(ivs[part_dim])
        else:
            out.append(b(arith.AddiOp(start, b(arith.MuliOp(ivs[part_dim], step)))))
    return out


def _dynamic(sizes: Sequence[SSAValue], t: TensorType) -> list[SSAValue]:
    """The sizes of the dynamic dims of ``t``."""
    return [s for s, d in zip(sizes, t.get_shape(), strict=True) if d == DYNAMIC_INDEX]


def _fresh_or_reused(fb: FunctionBufferization, op: Operation, b: Builder) -> SSAValue:
    """The result buffer of an op that writes into a copy of its input: the input itself
    when it is a temporary that dies here and that the op reads through no other operand
    (``set_subtensor(y[::-1], y)`` would read elements it has overwritten), else a fresh
    copy."""
    x_tensor = op.operands[0]
    x = fb.buf[x_tensor]
    aliased = any(
        fb.root.get(fb.buf.get(v)) is x  # type: ignore[arg-type]
        for v in op.operands[1:]
    )
    if fb.root.get(x) is x and x in fb.owned and fb.last_use.get(x_tensor) is op and not aliased:
        return x
    t = op.results[0].type
    assert isinstance(t, TensorType)
    out = fb.new_buffer(t, _dynamic(b.dims(x), t), op)
    b(memref.CopyOp(x, out))
    return out


def _add(b: Builder, a: SSAValue, c: SSAValue) -> SSAValue:
    dtype = T.dtype_of(a.type)
    if T.is_float(dtype):
        return b(arith.AddfOp(a, c))
    if T.is_complex(dtype):
        from xdsl.dialects import complex

        return b(complex.AddOp(a, c))
    if dtype == "bool":
        return b(arith.OrIOp(a, c))
    return b(arith.AddiOp(a, c))


def is_contiguous(op: tir.SubtensorOp) -> bool:
    """Whether ``x[...]`` is a block of consecutive elements of ``x``: integer indices on
    the leading dims, then at most one slice without a step, then whole dims."""
    kinds = list(op.get_kinds())
    while kinds and kinds[0] == tir.INDEX:
        kinds.pop(0)
    return not kinds or (len(kinds) == 1 and not kinds[0] & tir.SLICE_STEP)


def lower_subtensor(fb: FunctionBufferization, op: tir.SubtensorOp) -> None:
    b = Builder(fb.block, op)
    where = tir.built_at(op)
    x = fb.buf[op.input]
    bounds = [fb.buf[v] for v in op.bounds]
    sizes, how = part_indices(b, bounds, x, op.get_kinds(), where)
    t = op.result.type
    assert isinstance(t, TensorType)
    if is_contiguous(op):  # a view: element offset of the first element, the part's sizes
        dims = b.dims(x)
        offset = b.index(0)
        for d, (part_dim, start, _) in enumerate(how):
            if part_dim == -1 or d == len(op.get_kinds()) - 1:
                stride = b.index(1)
                for later in dims[d + 1 :]:
                    stride = b(arith.MuliOp(stride, later))
                offset = b(arith.AddiOp(offset, b(arith.MuliOp(start, stride))))
        view = b(tir.ViewOp(x, offset, sizes, MemRefType(t.element_type, t.get_shape())))
        view.name_hint = op.result.name_hint
        fb.buf[op.result] = view
        fb.root[view] = fb.root[x]
        fb.erase_later(op)
        return
    out = fb.new_buffer(t, _dynamic(sizes, t), op)
    out.name_hint = op.result.name_hint
    inner, ivs = b.nest(sizes)
    value = inner(memref.LoadOp.get(x, source_indices(inner, how, ivs)))
    inner(memref.StoreOp.get(value, out, ivs))
    fb.buf[op.result] = out
    fb.erase_later(op)


def lower_inc_subtensor(fb: FunctionBufferization, op: tir.IncSubtensorOp) -> None:
    b = Builder(fb.block, op)
    where = tir.built_at(op)
    out = _fresh_or_reused(fb, op, b)
    out.name_hint = op.result.name_hint
    bounds = [fb.buf[v] for v in op.bounds]
    sizes, how = part_indices(b, bounds, out, op.get_kinds(), where)
    v = fb.buf[op.value]
    v_dims = b.dims(v)
    v_shape = v.type.get_shape()  # type: ignore[attr-defined]
    r = len(sizes)
    b.check_equal(
        [
            (vd, size)
            for vd, size, static in zip(v_dims, sizes, v_shape, strict=True)
            if static != 1
        ],
        "ValueError",  # (a size-1 dim of the value broadcasts)
        f"{'set' if op.is_set() else 'inc'}_subtensor: a value of shape "
        f"{_shape_text(0, r)} does not fit a part of shape {_shape_text(r, r)}{where}",
        [*v_dims, *sizes],
    )
    inner, ivs = b.nest(sizes)
    v_idx = [inner.index(0) if s == 1 else iv for iv, s in zip(ivs, v_shape, strict=True)]
    value = inner(memref.LoadOp.get(v, v_idx))
    dst = source_indices(inner, how, ivs)
    if not op.is_set():
        value = _add(inner, inner(memref.LoadOp.get(out, dst)), value)
    inner(memref.StoreOp.get(value, out, dst))
    fb.buf[op.result] = out
    fb.erase_later(op)


def _index_positions(
    b: Builder, indices: Sequence[SSAValue], where: str, what: str
) -> list[SSAValue]:
    """The common shape of the index buffers, checked equal."""
    shape = b.dims(indices[0])
    for other in indices[1:]:
        dims = b.dims(other)
        r = len(shape)
        b.check_equal(
            list(zip(shape, dims, strict=True)),
            "IndexError",
            f"{what}: shape mismatch: indexing arrays could not be broadcast together "
            f"with shapes {_shape_text(0, r)} {_shape_text(r, r)}{where}",
            [*shape, *dims],
        )
    return shape


def _gathered(
    inner: Builder, x_dims: Sequence[SSAValue], indices: Sequence[SSAValue], ivs: list, where: str
) -> list[SSAValue]:
    """The indices into ``x`` at position ``ivs`` of the index buffers, wrapped and checked."""
    out = []
    for axis, idx in enumerate(indices):
        i = inner.to_i64(inner(memref.LoadOp.get(idx, ivs)))
        out.append(wrap_index(inner, i, x_dims[axis], axis, where))
    return out


def lower_gather(fb: FunctionBufferization, op: tir.GatherOp) -> None:
    b = Builder(fb.block, op)
    where = tir.built_at(op)
    x = fb.buf[op.input]
    indices = [fb.buf[i] for i in op.indices]
    x_dims = b.dims(x)
    positions = _index_positions(b, indices, where, "advanced indexing")
    trailing = x_dims[len(indices) :]
    t = op.result.type
    assert isinstance(t, TensorType)
    sizes = positions + trailing
    out = fb.new_buffer(t, _dynamic(sizes, t), op)
    out.name_hint = op.result.name_hint
    outer, ivs = b.nest(positions)
    src = _gathered(outer, x_dims, indices, ivs, where)
    inner, rest = outer.nest(trailing)
    value = inner(memref.LoadOp.get(x, [*src, *rest]))
    inner(memref.StoreOp.get(value, out, [*ivs, *rest]))
    fb.buf[op.result] = out
    fb.erase_later(op)


def lower_scatter_add(fb: FunctionBufferization, op: tir.ScatterBase) -> None:
    """``tir.scatter_add`` (adds) and ``tir.scatter`` (stores), in index order."""
    b = Builder(fb.block, op)
    where = tir.built_at(op)
    out = _fresh_or_reused(fb, op, b)
    out.name_hint = op.result.name_hint
    indices = [fb.buf[i] for i in op.indices]
    v = fb.buf[op.value]
    x_dims = b.dims(out)
    positions = _index_positions(b, indices, where, "scatter_add")
    trailing = x_dims[len(indices) :]
    expected = positions + trailing
    v_dims = b.dims(v)
    r = len(expected)
    b.check_equal(
        list(zip(v_dims, expected, strict=True)),
        "ValueError",
        f"{op.name.removeprefix('tir.')}: a value of shape {_shape_text(0, r)} does not fit the "
        f"indexed part of shape {_shape_text(r, r)}{where}",
        [*v_dims, *expected],
    )
    outer, ivs = b.nest(positions)
    dst = _gathered(outer, x_dims, indices, ivs, where)
    inner, rest = outer.nest(trailing)
    value = inner(memref.LoadOp.get(v, [*ivs, *rest]))
    target = [*dst, *rest]
    if isinstance(op, tir.ScatterAddOp):
        value = _add(inner, inner(memref.LoadOp.get(out, target)), value)
    inner(memref.StoreOp.get(value, out, target))
    fb.buf[op.result] = out
    fb.erase_later(op)


def lower_concatenate(fb: FunctionBufferization, op: tir.ConcatenateOp) -> None:
    """Check the inputs agree off the axis, then copy each at its offset along the axis."""
    b = Builder(fb.block, op)
    where = tir.built_at(op)
    axis = op.get_axis()
    inputs = [fb.buf[v] for v in op.inputs]
    dims = [b.dims(x) for x in inputs]
    rank = len(dims[0])
    for k, other in enumerate(dims[1:], 1):
        b.check_equal(
            [(dims[0][d], other[d]) for d in range(rank) if d != axis],
            "ValueError",
            f"concatenate: all the input array dimensions except for the concatenation "
            f"axis ({axis}) must match exactly, but input 0 has shape "
            f"{_shape_text(0, rank)} and input {k} has shape {_shape_text(rank, rank)}{where}",
            [*dims[0], *other],
        )
    total = dims[0][axis]
    fits = b(arith.ConstantOp.from_int_and_width(1, 1))
    for other in dims[1:]:  # non-negative sizes: a sum that overflows is negative
        total = b(arith.AddiOp(total, other[axis]))
        fits = b(arith.AndIOp(fits, b.cmp(total, b.index(0), "sge")))
    sizes = [total if d == axis else dims[0][d] for d in range(rank)]
    t = op.result.type
    assert isinstance(t, TensorType)

    def insert(new: Operation) -> Operation:
        b(new)
        return new

    itemsize = np.dtype(T.dtype_of(t.element_type)).itemsize
    _, product_fits = scalar.size_product(insert, sizes, itemsize)
    b.check(
        b(arith.AndIOp(fits, product_fits)),
        "ValueError",
        f"concatenate: array is too big: {len(op.inputs)} inputs of shape "
        f"{_shape_text(0, rank)}, ... along axis {axis}{where}",
        dims[0],
    )
    out = fb.new_buffer(t, _dynamic(sizes, t), op)
    out.name_hint = op.result.name_hint
    offset = b.index(0)
    for x, xd in zip(inputs, dims, strict=True):
        inner, ivs = b.nest(xd)
        value = inner(memref.LoadOp.get(x, ivs))
        dst = list(ivs)
        dst[axis] = inner(arith.AddiOp(ivs[axis], offset))
        inner(memref.StoreOp.get(value, out, dst))
        offset = b(arith.AddiOp(offset, xd[axis]))
    fb.buf[op.result] = out
    fb.erase_later(op)
