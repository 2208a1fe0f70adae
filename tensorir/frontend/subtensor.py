"""Indexing, symbolic shapes and ``arange``: ``x[i]``, ``x[a:b:c]``, ``x[ivec, jvec]``,
``x.shape[0]``, ``x.size``, ``inc_subtensor``/``set_subtensor`` and ``arange``, as Theano.

Basic indexing (integers and slices, bounds Python ints or symbolic integer scalars) becomes
``tir.subtensor``; indexing the leading dims by integer arrays becomes ``tir.gather`` (the
index arrays broadcast together first); ``None`` inserts a broadcastable dim. Python's
semantics hold at run time: negative indices count from the end, slice bounds are clamped,
and an index out of range raises IndexError.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from xdsl.ir import SSAValue

from tensorir.dialects import tir
from tensorir.dialects import types as T
from tensorir.frontend.basic import (
    _align_ranks,
    as_tensor_variable,
    cast,
    constant,
    dimshuffle,
    second,
)
from tensorir.frontend.graph import Op, Variable, apply_op, user_line


class SubtensorOp(Op):
    """``x[bounds...]``: ``kinds`` as in ``tir.subtensor``."""

    def __init__(self, kinds: tuple[int, ...]):
        super().__init__(tir.SubtensorOp, "Subtensor", kinds=kinds)

    def build(self, x: SSAValue, *bounds: SSAValue) -> Any:
        return tir.SubtensorOp(x, bounds, self.props["kinds"])


class IncSubtensorOp(Op):
    """``inc_subtensor(x[bounds...], value)`` or ``set_subtensor``."""

    def __init__(self, kinds: tuple[int, ...], set: bool):
        super().__init__(
            tir.IncSubtensorOp, "SetSubtensor" if set else "IncSubtensor", kinds=kinds, set=set
        )

    def build(self, x: SSAValue, *rest: SSAValue) -> Any:
        *bounds, value = rest
        return tir.IncSubtensorOp(x, bounds, value, self.props["kinds"], self.props["set"])


class GatherOp(Op):
    """``x[i0, i1, ...]`` with integer index tensors of one shape."""

    def __init__(self) -> None:
        super().__init__(tir.GatherOp, "AdvancedSubtensor")

    def build(self, x: SSAValue, *indices: SSAValue) -> Any:
        return tir.GatherOp(x, indices)


class ScatterAddOp(Op):
    """``inc_subtensor(x[i0, i1, ...], value)`` (or ``set_subtensor``: ``set``)."""

    def __init__(self, set: bool = False) -> None:
        name = "AdvancedSetSubtensor" if set else "AdvancedIncSubtensor"
        super().__init__(tir.ScatterOp if set else tir.ScatterAddOp, name)

    def build(self, x: SSAValue, *rest: SSAValue) -> Any:
        *indices, value = rest
        return self.ir_op(x, indices, value)


def _int_scalar(v: Any, what: str) -> Variable:
    """A bound or index as an integer scalar variable (Python ints become int64 constants)."""
    if isinstance(v, bool | np.bool_):
        raise TypeError(f"{what} must be an integer, got a bool {v!r}")
    if isinstance(v, int | np.integer):
        return constant(int(v), dtype="int64")
    if isinstance(v, Variable):
        if v.ndim != 0 or not T.is_int(v.dtype):
            raise TypeError(
                f"{what} must be an integer scalar, got {v} of type {v.type} ({user_line()})"
            )
        return v
    raise TypeError(f"{what} must be an integer or an integer scalar variable, got {v!r}")


def _is_index_array(v: Any) -> bool:
    if isinstance(v, Variable):
        return v.ndim >= 1
    if isinstance(v, list | tuple | np.ndarray):
        return True
    return False


def getitem(x: Variable, key: Any) -> Variable:
    """``x[key]`` with numpy's basic and (leading-dims) integer-array indexing."""
    entries = list(key) if isinstance(key, tuple) else [key]
    if any(e is Ellipsis for e in entries):
        if entries.count(Ellipsis) > 1:
            raise IndexError("an index can only have a single ellipsis ('...')")
        i = entries.index(Ellipsis)
        used = sum(1 for e in entries if e is not None and e is not Ellipsis)
        entries[i : i + 1] = [slice(None)] * (x.ndim - used)
    used = sum(1 for e in entries if e is not None)
    if used > x.ndim:
        raise IndexError(
            f"too many indices for {x} ({x.type}): {x.ndim} dims, {used} indexed ({user_line()})"
        )
    if any(_is_index_array(e) for e in entries):
        return _advanced(x, entries)
    # basic indexing: integers and slices; None inserts a broadcastable dim afterwards
    kinds: list[int] = []
    bounds: list[Variable] = []
    new_axes: list[int] = []  # positions of None in the result
    out_pos = 0
    for e in entries:
        if e is None:
            new_axes.append(out_pos)
            out_pos += 1
            continue
        if isinstance(e, slice):
            kind = 0
            for bit, part, name in (
                (tir.SLICE_START, e.start, "slice start"),
                (tir.SLICE_STOP, e.stop, "slice stop"),
                (tir.SLICE_STEP, e.step, "slice step"),
            ):
                if part is not None:
                    kind |= bit
                    bounds.append(_int_scalar(part, name))
            if isinstance(e.step, int) and e.step == 0:
                raise ValueError("slice step cannot be zero")
            if _keeps_unit(x, len(kinds), e):
                kind |= tir.SLICE_UNIT
            kinds.append(kind)
            out_pos += 1
        else:
            kinds.append(tir.INDEX)
            bounds.append(_int_scalar(e, "an index"))
    while kinds and kinds[-1] == 0:  # trailing full slices change nothing
        kinds.pop()
    out = x if not kinds else apply_op(SubtensorOp(tuple(kinds)), x, *bounds)
    if new_axes:
        pattern: list[Any] = list(range(out.ndim))
        for pos in new_axes:
            pattern.insert(pos, "x")
        out = dimshuffle(out, *pattern)
    return out


def _keeps_unit(x: Variable, d: int, e: slice) -> bool:
    """Theano's rule: a slice of a broadcastable dim from 0 (or none) to a constant >= 1 (or
    none), without a step, keeps the dim broadcastable."""
    if d >= x.ndim or not x.broadcastable[d] or e.step is not None:
        return False
    start_ok = e.start is None or (isinstance(e.start, int | np.integer) and e.start == 0)
    stop_ok = e.stop is None or (isinstance(e.stop, int | np.integer) and e.stop >= 1)
    return bool(start_ok and stop_ok)


def _index_arrays(entries: Sequence[Any], x: Variable) -> list[Variable]:
    """The leading integer index arrays, broadcast to one shape (and rank)."""
    arrays = []
    for e in entries:
        v = as_tensor_variable(e) if not isinstance(e, Variable) else e
        if not T.is_int(v.dtype):
            raise IndexError(
                f"arrays used as indices must be of integer type, got {v} of type {v.type} "
                f"({user_line()})"
            )
        arrays.append(v)
    arrays = _align_ranks(arrays)
    if len(arrays) > 1:  # broadcast every index against the others
        arrays = [cast(a, "int64") for a in arrays]
        out = []
        for i, a in enumerate(arrays):
            for j, other in enumerate(arrays):
                if j != i:
                    a = second(other, a)
            out.append(a)
        arrays = out
    return arrays


def _is_int_scalar(v: Any) -> bool:
    if isinstance(v, bool | np.bool_):
        return False
    if isinstance(v, int | np.integer):
        return True
    return isinstance(v, Variable) and v.ndim == 0


def _advanced(x: Variable, entries: list[Any]) -> Variable:
    k = 0
    while k < len(entries) and (_is_index_array(entries[k]) or _is_int_scalar(entries[k])):
        k += 1
    rest = entries[k:]
    if any(not (isinstance(e, slice) and e == slice(None)) for e in rest):
        raise IndexError(
            "tensorir supports integer-array indexing of the leading dims followed by full "
            f"slices only (such as x[rows, cols] or x[rows, :]); got {entries!r} "
            f"({user_line()})"
        )
    arrays = _index_arrays(entries[:k], x)
    return apply_op(GatherOp(), x, *arrays)


def inc_subtensor(
    x: Variable,
    y: Any,
    inplace: bool = False,
    set_instead_of_inc: bool = False,
    tolerate_inplace_aliasing: bool = False,
) -> Variable:
    """Theano's ``inc_subtensor(x[...], y)``: the tensor ``x[...]`` was taken from, with that
    part incremented by ``y`` (or set to it, ``set_instead_of_inc``)."""
    node = x.owner
    y = as_tensor_variable(y)
    if node is not None and node.op.ir_op is tir.DimShuffleOp:
        # x[None, i]: the indexing, then new broadcastable dims; y loses those dims
        pattern = node.op.props["pattern"]
        kept = [p for p in pattern if p != -1]
        if kept == list(range(node.inputs[0].ndim)):
            if y.ndim > x.ndim:
                raise ValueError(
                    f"inc_subtensor: a value of {y.ndim} dims cannot go into a part of "
                    f"{x.ndim} ({user_line()})"
                )
            if y.ndim < x.ndim:
                y = dimshuffle(y, *(["x"] * (x.ndim - y.ndim) + list(range(y.ndim))))
            new_dims = [k for k, p in enumerate(pattern) if p == -1]
            y = _drop_unit_dims(y, new_dims)
            return inc_subtensor(node.inputs[0], y, inplace, set_instead_of_inc)
    if node is None or not isinstance(node.op, SubtensorOp | GatherOp):
        raise TypeError(
            f"inc_subtensor/set_subtensor: the first argument must be an indexing of a "
            f"tensor (x[...]), got {x} ({user_line()})"
        )
    base = node.inputs[0]
    y = as_tensor_variable(y)
    if y.ndim > x.ndim:
        raise ValueError(
            f"inc_subtensor: a value of {y.ndim} dims cannot go into a part of {x.ndim} "
            f"({user_line()})"
        )
    y = cast(y, base.dtype)
    if y.ndim < x.ndim:
        y = dimshuffle(y, *(["x"] * (x.ndim - y.ndim) + list(range(y.ndim))))
    if isinstance(node.op, GatherOp):
        y = second(x, y)  # the value must have the gathered part's full shape
        return apply_op(ScatterAddOp(set_instead_of_inc), base, *node.inputs[1:], y)
    op = IncSubtensorOp(node.op.props["kinds"], set_instead_of_inc)
    return apply_op(op, base, *node.inputs[1:], y)


def _drop_unit_dims(y: Variable, dims: Sequence[int]) -> Variable:
    """``y`` without its ``dims``, which must have size 1 (checked at run time when they are
    not broadcastable)."""
    rest = [k for k in range(y.ndim) if k not in dims]
    if all(y.broadcastable[k] for k in dims):
        return dimshuffle(y, *rest)
    from tensorir.frontend.basic import reshape

    return reshape(y, tuple(shape_i(y, k) for k in rest))


def set_subtensor(
    x: Variable, y: Any, inplace: bool = False, tolerate_inplace_aliasing: bool = False
) -> Variable:
    """Theano's ``set_subtensor(x[...], y)``."""
    return inc_subtensor(x, y, set_instead_of_inc=True)


# --------------------------------------------------------------------------- shapes


def shape_i(x: Any, i: int) -> Variable:
    """The size of dim ``i`` of ``x`` as an int64 scalar (Theano's ``x.shape[i]``)."""
    x = as_tensor_variable(x)
    if not -x.ndim <= i < x.ndim:
        raise IndexError(f"{x} has {x.ndim} dims; there is no dim {i} ({user_line()})")
    return apply_op(Op(tir.SizeOp, "Shape_i", axes=(i % x.ndim,)), x)


def size(x: Any) -> Variable:
    """The number of elements of ``x`` as an int64 scalar."""
    x = as_tensor_variable(x)
    return apply_op(Op(tir.SizeOp, "Size", axes=tuple(range(x.ndim))), x)


class Shape(Sequence[Variable]):
    """``x.shape``: a sequence of int64 scalars, one per dim (``x.shape[0]``, ``len``,
    unpacking, or a whole shape passed to ``reshape``/``zeros``)."""

    def __init__(self, x: Variable):
        self.x = x

    def __len__(self) -> int:
        return self.x.ndim

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [shape_i(self.x, k) for k in range(self.x.ndim)[i]]
        if isinstance(i, int | np.integer):
            return shape_i(self.x, int(i))
        raise TypeError(f"x.shape[{i!r}]: use a Python int")

    def __iter__(self) -> Iterator[Variable]:
        return iter([shape_i(self.x, k) for k in range(self.x.ndim)])

    def __repr__(self) -> str:
        return f"Shape({self.x})"


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: str | None = None) -> Variable:
    """``numpy.arange`` with symbolic bounds. Integer bounds give int64 (as Theano)."""
    if stop is None:
        start, stop = 0, start
    start, stop, step = (as_tensor_variable(v) for v in (start, stop, step))
    for v, name in ((start, "start"), (stop, "stop"), (step, "step")):
        if v.ndim != 0:
            raise TypeError(f"arange: {name} must be a scalar, got {v.type} ({user_line()})")
        if T.is_complex(v.dtype):
            raise TypeError(f"arange: {name} cannot be complex ({user_line()})")
    if dtype is None:
        dtype = T.upcast(start.dtype, stop.dtype, step.dtype)
        if not T.is_float(dtype):
            dtype = "int64"
    start, stop, step = (cast(v, dtype) for v in (start, stop, step))
    return apply_op(Op(tir.ArangeOp, "ARange"), start, stop, step)


class ConcatenateOp(Op):
    """``concatenate(inputs, axis)``."""

    def __init__(self, axis: int):
        super().__init__(tir.ConcatenateOp, "Join", axis=axis)

    def build(self, *inputs: SSAValue) -> Any:
        return tir.ConcatenateOp(inputs, self.props["axis"])


def concatenate(tensor_list: Sequence[Any], axis: int = 0) -> Variable:
    """``numpy.concatenate``: the tensors (one number of dims; dtypes upcast) joined along
    ``axis``."""
    xs = [as_tensor_variable(x) for x in tensor_list]
    if not xs:
        raise ValueError("concatenate: needs at least one tensor")
    ranks = {x.ndim for x in xs}
    if len(ranks) != 1:
        raise TypeError(
            f"concatenate: all tensors must have the same number of dims, got "
            f"{', '.join(f'{x} ({x.type})' for x in xs)} ({user_line()})"
        )
    ndim = ranks.pop()
    if ndim == 0:
        raise TypeError("concatenate: zero-dimensional tensors cannot be joined; use stack")
    if not -ndim <= axis < ndim:
        raise ValueError(f"concatenate: axis {axis} is out of range for {ndim} dims")
    dtype = T.upcast(*(x.dtype for x in xs))
    xs = [cast(x, dtype) for x in xs]
    if len(xs) == 1:
        return xs[0]
    return apply_op(ConcatenateOp(axis % ndim), *xs)


def join(axis: int, *tensors: Any) -> Variable:
    """Theano's ``join(axis, *tensors)``: ``concatenate(tensors, axis)``."""
    return concatenate(tensors, axis)


def stack(tensors: Sequence[Any], axis: int = 0) -> Variable:
    """``numpy.stack``: the tensors (one shape) joined along a new ``axis``."""
    xs = [as_tensor_variable(x) for x in tensors]
    if not xs:
        raise ValueError("stack: needs at least one tensor")
    ndim = xs[0].ndim
    if not -(ndim + 1) <= axis <= ndim:
        raise ValueError(f"stack: axis {axis} is out of range for {ndim + 1} dims")
    axis %= ndim + 1
    pattern: list[Any] = list(range(ndim))
    pattern.insert(axis, "x")
    expanded = [dimshuffle(x, *pattern) if x.ndim == ndim else x for x in xs]
    if len(expanded) == 1:
        return expanded[0]
    return concatenate(expanded, axis)
