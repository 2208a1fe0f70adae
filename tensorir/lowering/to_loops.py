"""``tir-to-loops`` (L3 -> L4): the buffer-level ``tir`` ops become loops.

``tir-bufferize`` leaves, for the ops whose positions are known only at run time, ops of
``tir_buffers.py`` writing into the buffers it chose. This pass lowers each to ``scf.for``
nests of ``memref.load``/``memref.store`` with ``arith``, and the run-time checks
(``tir.check``) that make them safe:

- ``tir.subtensor_view``/``_shape``/``_into``, ``tir.inc_subtensor_into`` (basic indexing
  with Python's semantics), ``tir.gather_into``, ``tir.scatter_add_into``/``tir.scatter_into``
  (integer arrays on the leading dims): every index is wrapped (negative counts from the end)
  and checked against its dim before use, so no input can make the code read or write out of
  bounds: an index out of range raises IndexError, a zero slice step ValueError; values and
  index arrays of the wrong shape raise as numpy does;
- ``tir.concatenate_shape``/``_into``: the inputs agree off the axis, the size fits;
- ``tir.arange_shape``/``_into``: numpy's count, then ``start + k * step``;
- ``tir.map_into``: an ``scf.for`` over the rows; ``tir.row_into`` checks a row's shape and
  copies it.

It runs first at the loops level, before ``convert-linalg-to-loops`` (the generics in a
``tir.map_into`` body become loops inside its ``scf.for``). A ``*_shape`` op and the
``*_into`` op after it in the same block share the work: the slice's starts and steps are
computed, and checked, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.builder import Builder as XBuilder
from xdsl.context import Context
from xdsl.dialects import arith, math, memref, scf
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    StringAttr,
    TensorType,
)
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint
from xdsl.utils.exceptions import PassFailedException

from tensorir.dialects import tir
from tensorir.dialects import tir_buffers as tb
from tensorir.dialects import types as T
from tensorir.lowering import scalar

I64 = T.element_type("int64")


class Builder:
    """The loop-building vocabulary (constants, casts, compares, checks, loop nests) over
    xDSL's ``Builder``, inserting before ``anchor`` in ``block``; ``nest`` gives one inside a
    loop nest."""

    def __init__(self, block: Block, anchor: Operation):
        self.block = block
        self.builder = XBuilder(InsertPoint.before(anchor))

    def __call__(self, op: Operation) -> SSAValue:
        self.builder.insert(op)
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
    """For ``x[bounds...]`` (``kinds`` as in ``tir.subtensor``, ``bounds`` its scalar
    bounds): the sizes of the part's dims, and for each dim of ``x`` how to find
    the source index from the part's loop indices: ``(part_dim, start, step)`` (``part_dim``
    -1: the fixed index ``start``)."""
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
            i = b.to_i64(bounds[k])
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
                given[name] = b.to_i64(bounds[k])
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


# --------------------------------------------------------------------------- the ops

How = list[tuple[int, SSAValue, SSAValue | None]]


class Lowering:
    """Lowers the buffer-level ops of one module, remembering what a ``*_shape`` op computed
    for the ``*_into`` op that follows it."""

    def __init__(self) -> None:
        # (input, bounds, kinds) of a tir.subtensor_shape -> (its block, sizes, how)
        self.parts: dict[tuple, tuple[Block, list[SSAValue], How]] = {}
        # the out buffer of a tir.map_into -> the dims of its rows
        self.row_dims: dict[SSAValue, list[SSAValue]] = {}

    def run(self, module: ModuleOp) -> None:
        ops = list(module.walk())
        for op in ops:
            if any(isinstance(v.type, TensorType) for v in (*op.operands, *op.results)):
                raise PassFailedException(
                    f"tir-to-loops: {op.name} works on tensors; run tir-bufferize first"
                )
        for op in ops:
            lower = _LOWERINGS.get(type(op))
            if lower is not None:
                lower(self, op)

    def builder(self, op: Operation) -> Builder:
        block = op.parent_block()
        assert block is not None
        return Builder(block, op)

    def replace(self, op: Operation, values: Sequence[SSAValue]) -> None:
        for old, new in zip(op.results, values, strict=True):
            if old.name_hint and not new.name_hint:
                new.name_hint = old.name_hint
            old.replace_all_uses_with(new)
        op.detach()
        op.erase()

    # -- arange ----------------------------------------------------------------------------

    def arange_shape(self, op: tb.ArangeShapeOp) -> None:
        """numpy's count: for integers computed without overflow, for floats with numpy's
        special cases; a count beyond int64 or 2**63 - 1 bytes is numpy's ValueError."""
        b = self.builder(op)
        start, stop, step = op.start, op.stop, op.step
        elem = start.type
        dtype = T.dtype_of(elem)
        where = tir.built_at(op)
        too_long = f"arange: Maximum allowed size exceeded{where}"
        if T.is_float(dtype):
            zero = b(arith.ConstantOp(FloatAttr(0.0, elem)))
            ok = b(arith.CmpfOp(step, zero, "une"))
            delta = b(arith.SubfOp(stop, start))
            span = b(arith.DivfOp(delta, step))
            ok = b(arith.AndIOp(ok, b(arith.CmpfOp(span, span, "ord"))))
            b(
                tir.CheckOp(
                    ok, "ValueError", f"arange: step must be non-zero and the bounds finite{where}"
                )
            )
            ceil = b(math.CeilOp(span))
            limit = b(arith.ConstantOp(FloatAttr(2.0**63, elem)))
            fits = b(arith.CmpfOp(ceil, limit, "olt"))
            b(tir.CheckOp(fits, "ValueError", too_long))
            # numpy: a ratio that underflows to +0 while the bounds differ is one element
            count = b(arith.FPToSIOp(b(arith.MaximumfOp(ceil, zero)), I64))
            bits = T.element_type("int32" if dtype == "float32" else "int64")
            as_int = b(arith.BitcastOp(span, bits))
            positive = b(arith.CmpiOp(as_int, b(arith.ConstantOp(IntegerAttr(0, bits))), "sge"))
            underflow = b(arith.AndIOp(b(arith.CmpfOp(span, zero, "oeq")), positive))
            one_element = b(arith.AndIOp(b(arith.CmpfOp(delta, zero, "une")), underflow))
            count = b(arith.SelectOp(one_element, b.i64(1), count))
        else:
            zero = b(arith.ConstantOp(IntegerAttr(0, elem)))
            ok = b(arith.CmpiOp(step, zero, "ne"))
            b(tir.CheckOp(ok, "ValueError", f"arange: step must not be zero{where}"))
            # as numpy's on Python ints (Theano's arange passes them): the distance exactly, in
            # 64 bits unsigned
            wide = [b(arith.ExtSIOp(v, I64)) if elem != I64 else v for v in (start, stop, step)]
            start64, stop64, step64 = wide
            up = b(arith.CmpiOp(step64, b.i64(0), "sgt"))
            hi = b(arith.SelectOp(up, stop64, start64))
            lo = b(arith.SelectOp(up, start64, stop64))
            distance = b(arith.SubiOp(hi, lo))  # modulo 2**64: exact as unsigned
            stride = b(arith.SelectOp(up, step64, b(arith.SubiOp(b.i64(0), step64))))
            # numpy's count is ceil of the rounded ratio, ceil(RN(distance / stride)): the
            # quotient q, plus 1 when the remainder r survives the rounding, RN(q + r / stride)
            # > q (always but for strides above 2**52, where numpy drops a last element)
            quotient = b(arith.DivUIOp(distance, stride))
            remainder = b(arith.RemUIOp(distance, stride))
            f64 = T.element_type("float64")
            q = b(arith.UIToFPOp(quotient, f64))
            ratio = b(
                arith.DivfOp(b(arith.UIToFPOp(remainder, f64)), b(arith.UIToFPOp(stride, f64)))
            )
            survives = b(arith.CmpfOp(b(arith.AddfOp(q, ratio)), q, "ogt"))
            count = b(arith.AddiOp(quotient, b(arith.ExtUIOp(survives, I64))))
            empty = b(arith.CmpiOp(hi, lo, "sle"))
            fits = b(arith.OrIOp(empty, b(arith.CmpiOp(count, b.i64(0), "sge"))))
            b(tir.CheckOp(fits, "ValueError", too_long))
            count = b(arith.SelectOp(empty, b.i64(0), count))
        itemsize = np.dtype(dtype).itemsize
        fits = b(arith.CmpiOp(count, b.i64((2**63 - 1) // itemsize), "sle"))
        b(
            tir.CheckOp(
                fits,
                "ValueError",
                f"arange: array is too big: {{0}} elements of {dtype} are more than 2**63 - 1 "
                f"bytes{where}",
                [count],
            )
        )
        self.replace(op, [b(arith.IndexCastOp(count, IndexType()))])

    def arange_into(self, op: tb.ArangeIntoOp) -> None:
        b = self.builder(op)
        start, step, out = op.start, op.step, op.out
        elem = start.type
        (n,) = b.dims(out)
        if T.is_float(T.dtype_of(elem)):
            # as numpy's fill: start, start + step, then start + k * delta with
            # delta = (start + step) - start
            second = b(arith.AddfOp(start, step))
            delta = b(arith.SubfOp(second, start))
        inner, (k,) = b.nest([n])
        if T.is_float(T.dtype_of(elem)):
            k64 = inner(arith.IndexCastOp(k, I64))
            kv = inner(arith.SIToFPOp(k64, elem))
            value = inner(arith.AddfOp(start, inner(arith.MulfOp(kv, delta))))
            first, second_k = (inner.cmp(k64, inner.i64(j), "eq") for j in (0, 1))
            value = inner(arith.SelectOp(second_k, second, value))
            value = inner(arith.SelectOp(first, start, value))
        else:
            kv = inner(arith.IndexCastOp(k, elem))
            value = inner(arith.AddiOp(start, inner(arith.MuliOp(kv, step))))
        inner(memref.StoreOp.get(value, out, [k]))
        op.detach()
        op.erase()

    # -- basic indexing --------------------------------------------------------------------

    def part(
        self, b: Builder, op: tb.SubtensorShapeOp | tb.SubtensorIntoOp
    ) -> tuple[list[SSAValue], How]:
        """The sizes of ``x[...]`` and how to index ``x``: those a ``tir.subtensor_shape``
        of the same block computed, else computed here."""
        key = (op.input, tuple(op.bounds), op.get_kinds())
        known = self.parts.get(key)
        if known is not None and known[0] is b.block:
            return known[1], known[2]
        sizes, how = part_indices(b, list(op.bounds), op.input, op.get_kinds(), tir.built_at(op))
        self.parts[key] = (b.block, sizes, how)
        return sizes, how

    def subtensor_view(self, op: tb.SubtensorViewOp) -> None:
        """A view: the element offset of the part's first element, the part's sizes."""
        b = self.builder(op)
        x = op.input
        kinds = op.get_kinds()
        sizes, how = part_indices(b, list(op.bounds), x, kinds, tir.built_at(op))
        dims = b.dims(x)
        offset = b.index(0)
        for d, (part_dim, start, _) in enumerate(how):
            if part_dim == -1 or d == len(kinds) - 1:
                stride = b.index(1)
                for later in dims[d + 1 :]:
                    stride = b(arith.MuliOp(stride, later))
                offset = b(arith.AddiOp(offset, b(arith.MuliOp(start, stride))))
        self.replace(op, [b(tb.ViewOp(x, offset, sizes, op.result.type))])

    def subtensor_shape(self, op: tb.SubtensorShapeOp) -> None:
        sizes, _ = self.part(self.builder(op), op)
        self.replace(op, sizes)

    def subtensor_into(self, op: tb.SubtensorIntoOp) -> None:
        b = self.builder(op)
        sizes, how = self.part(b, op)
        inner, ivs = b.nest(sizes)
        value = inner(memref.LoadOp.get(op.input, source_indices(inner, how, ivs)))
        inner(memref.StoreOp.get(value, op.out, ivs))
        op.detach()
        op.erase()

    def inc_subtensor_into(self, op: tb.IncSubtensorIntoOp) -> None:
        b = self.builder(op)
        where = tir.built_at(op)
        out, v = op.out, op.value
        sizes, how = part_indices(b, list(op.bounds), out, op.get_kinds(), where)
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
        op.detach()
        op.erase()

    # -- integer arrays --------------------------------------------------------------------

    def gather_into(self, op: tb.GatherIntoOp) -> None:
        b = self.builder(op)
        where = tir.built_at(op)
        x, out = op.input, op.out
        indices = list(op.indices)
        x_dims = b.dims(x)
        positions = _index_positions(b, indices, where, "advanced indexing")
        trailing = x_dims[len(indices) :]
        outer, ivs = b.nest(positions)
        src = _gathered(outer, x_dims, indices, ivs, where)
        inner, rest = outer.nest(trailing)
        value = inner(memref.LoadOp.get(x, [*src, *rest]))
        inner(memref.StoreOp.get(value, out, [*ivs, *rest]))
        op.detach()
        op.erase()

    def scatter_into(self, op: tb.ScatterIntoBase) -> None:
        """``tir.scatter_add_into`` (adds) and ``tir.scatter_into`` (stores), in index
        order."""
        b = self.builder(op)
        where = tir.built_at(op)
        out, v = op.out, op.value
        indices = list(op.indices)
        x_dims = b.dims(out)
        positions = _index_positions(b, indices, where, "scatter_add")
        trailing = x_dims[len(indices) :]
        expected = positions + trailing
        v_dims = b.dims(v)
        r = len(expected)
        b.check_equal(
            list(zip(v_dims, expected, strict=True)),
            "ValueError",
            f"{op.KIND}: a value of shape {_shape_text(0, r)} does not fit the indexed part of "
            f"shape {_shape_text(r, r)}{where}",
            [*v_dims, *expected],
        )
        outer, ivs = b.nest(positions)
        dst = _gathered(outer, x_dims, indices, ivs, where)
        inner, rest = outer.nest(trailing)
        value = inner(memref.LoadOp.get(v, [*ivs, *rest]))
        target = [*dst, *rest]
        if op.ADDS:
            value = _add(inner, inner(memref.LoadOp.get(out, target)), value)
        inner(memref.StoreOp.get(value, out, target))
        op.detach()
        op.erase()

    # -- concatenate -----------------------------------------------------------------------

    def concatenate_shape(self, op: tb.ConcatenateShapeOp) -> None:
        """Check the inputs agree off the axis and the result's size fits."""
        b = self.builder(op)
        where = tir.built_at(op)
        axis = op.get_axis()
        dims = [b.dims(x) for x in op.inputs]
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
        t = op.inputs[0].type
        assert isinstance(t, MemRefType)

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
        self.replace(op, sizes)

    def concatenate_into(self, op: tb.ConcatenateIntoOp) -> None:
        """Copy each input at its offset along the axis."""
        b = self.builder(op)
        axis = op.get_axis()
        offset = b.index(0)
        for x in op.inputs:
            xd = b.dims(x)
            inner, ivs = b.nest(xd)
            value = inner(memref.LoadOp.get(x, ivs))
            dst = list(ivs)
            dst[axis] = inner(arith.AddiOp(ivs[axis], offset))
            inner(memref.StoreOp.get(value, op.out, dst))
            offset = b(arith.AddiOp(offset, xd[axis]))
        op.detach()
        op.erase()

    # -- map -------------------------------------------------------------------------------

    def map_into(self, op: tb.MapIntoOp) -> None:
        """An ``scf.for`` over the rows of ``out`` running the body."""
        b = self.builder(op)
        n, *row = b.dims(op.out)
        self.row_dims[op.out] = row
        source = op.body.block
        body = Block(arg_types=[IndexType()])
        source.args[0].replace_all_uses_with(body.args[0])
        for inner in list(source.ops):
            inner.detach()
            body.add_op(inner)
        body.add_op(scf.YieldOp())
        b(scf.ForOp(b.index(0), n, b.index(1), [], body))
        op.detach()
        op.erase()

    def scan_into(self, op: tb.ScanIntoOp) -> None:
        """An ``scf.for`` over the steps; the body's row is the step (``n - 1 - step`` with
        ``reverse``). With ``stop``: an ``scf.while`` carrying the step and whether to go on,
        which stops after ``n`` steps or after the first step that sets ``stop``; the number
        of steps done is its first result."""
        b = self.builder(op)
        source = op.body.block
        i1 = IntegerType(1)
        until = op.stop is not None
        body = Block(arg_types=[IndexType(), i1] if until else [IndexType()])
        step = body.args[0]
        if op.reverse is not None:
            last = b(arith.SubiOp(op.n, b.index(1)))
            row = arith.SubiOp(last, step)
            body.add_op(row)
            source.args[0].replace_all_uses_with(row.result)
        else:
            source.args[0].replace_all_uses_with(step)
        for inner in list(source.ops):
            inner.detach()
            body.add_op(inner)
        if not until:
            body.add_op(scf.YieldOp())
            b(scf.ForOp(b.index(0), op.n, b.index(1), [], body))
        else:
            assert op.stop is not None and op.steps is not None
            stopped = memref.LoadOp.get(op.stop, [])
            true = arith.ConstantOp.from_int_and_width(1, i1)
            go = arith.XOrIOp(stopped, true)
            nxt = arith.AddiOp(step, b.index(1))
            for new in (stopped, true, go, nxt):
                body.add_op(new)
            body.add_op(scf.YieldOp(nxt, go))
            before = Block(arg_types=[IndexType(), i1])
            more = arith.CmpiOp(before.args[0], op.n, "slt")
            cond = arith.AndIOp(more, before.args[1])
            before.add_ops([more, cond, scf.ConditionOp(cond, *before.args)])
            start = b(arith.ConstantOp.from_int_and_width(1, i1))
            loop = scf.WhileOp([b.index(0), start], [IndexType(), i1], [before], [body])
            b(loop)
            op.steps.replace_all_uses_with(loop.results[0])
        op.detach()
        op.erase()

    def copy_into(self, op: tb.CopyIntoOp) -> None:
        """Check that the shapes agree, then copy (a loop nest)."""
        b = self.builder(op)
        got, dims = b.dims(op.source), b.dims(op.dest)
        fmt_a = ", ".join(f"{{{k}}}" for k in range(len(dims)))
        fmt_b = ", ".join(f"{{{k + len(dims)}}}" for k in range(len(dims)))
        b.check_equal(
            list(zip(got, dims, strict=True)),
            "ValueError",
            f"{op.what.data} has shape ({fmt_a}) but must have shape ({fmt_b}){tir.built_at(op)}",
            [*got, *dims],
        )
        inner, indices = b.nest(got)
        inner(memref.StoreOp.get(inner(memref.LoadOp.get(op.source, indices)), op.dest, indices))
        op.detach()
        op.erase()

    def row_into(self, op: tb.RowIntoOp) -> None:
        """Check the row's shape, then copy it into its row (a loop nest)."""
        b = self.builder(op)
        row, out = op.row, op.out
        dims = self.row_dims.get(out)
        if dims is None:
            dims = b.dims(out)[1:]
        got = b.dims(row)
        fmt_a = ", ".join(f"{{{k}}}" for k in range(len(dims)))
        fmt_b = ", ".join(f"{{{k + len(dims)}}}" for k in range(len(dims)))
        what = op.attributes.get("what")
        b.check_equal(
            list(zip(got, dims, strict=True)),
            "ValueError",
            f"{what.data if isinstance(what, StringAttr) else 'map: a row'} has shape "
            f"({fmt_a}) but the rows must have shape ({fmt_b}){tir.built_at(op)}",
            [*got, *dims],
        )
        inner, indices = b.nest(got)
        value = inner(memref.LoadOp.get(row, indices))
        inner(memref.StoreOp.get(value, out, [op.index, *indices]))
        op.detach()
        op.erase()


_LOWERINGS = {
    tb.ArangeShapeOp: Lowering.arange_shape,
    tb.ArangeIntoOp: Lowering.arange_into,
    tb.SubtensorViewOp: Lowering.subtensor_view,
    tb.SubtensorShapeOp: Lowering.subtensor_shape,
    tb.SubtensorIntoOp: Lowering.subtensor_into,
    tb.IncSubtensorIntoOp: Lowering.inc_subtensor_into,
    tb.GatherIntoOp: Lowering.gather_into,
    tb.ScatterAddIntoOp: Lowering.scatter_into,
    tb.ScatterIntoOp: Lowering.scatter_into,
    tb.ConcatenateShapeOp: Lowering.concatenate_shape,
    tb.ConcatenateIntoOp: Lowering.concatenate_into,
    tb.MapIntoOp: Lowering.map_into,
    tb.RowIntoOp: Lowering.row_into,
    tb.ScanIntoOp: Lowering.scan_into,
    tb.CopyIntoOp: Lowering.copy_into,
}


@dataclass(frozen=True)
class TirToLoops(ModulePass):
    """Lower the buffer-level ``tir`` ops to ``scf``/``arith``/``memref`` and ``tir.check``."""

    name = "tir-to-loops"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        Lowering().run(op)
