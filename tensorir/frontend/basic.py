"""Theano's tensor functions: constructors, elementwise arithmetic with upcasting and
broadcasting, reductions, ``dot`` and shape operations.

Each function turns Python values into constants with Theano's autocasting, aligns ranks with
``dimshuffle`` and dtypes with ``cast`` (broadcasting and casting are explicit in the IR), then
applies one ``tir`` op, whose own type rule gives the result type.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np
from xdsl.dialects import arith
from xdsl.dialects import tensor as xtensor
from xdsl.dialects.builtin import IndexType
from xdsl.ir import SSAValue

from tensorir.config import config
from tensorir.dialects import tir
from tensorir.dialects import types as T
from tensorir.frontend.graph import (
    Apply,
    Constant,
    Op,
    TensorType,
    Variable,
    apply_op,
    user_line,
)

# --------------------------------------------------------------------------- constants


def _autocast_python_scalar(x: Any) -> np.ndarray:
    """Theano's ``cast_policy='custom'``: a Python int takes the smallest int type that holds
    it; a Python float becomes floatX when floatX is float32, else the smallest float type
    that represents it exactly."""
    if isinstance(x, bool):
        return np.asarray(x, dtype="bool")
    if isinstance(x, int):
        for dtype in ("int8", "int16", "int32", "int64"):
            info = np.iinfo(dtype)
            if info.min <= x <= info.max:
                return np.asarray(x, dtype=dtype)
        raise OverflowError(f"integer constant {x} does not fit in int64")
    if isinstance(x, float):
        if config.floatX == "float32":
            return np.asarray(x, dtype="float32")
        with np.errstate(over="ignore"):
            as32 = np.asarray(x, dtype="float32")
        # compare as Python floats: numpy would compare in float32 (x is weakly typed)
        exact = float(as32) == x or np.isnan(x)
        return as32 if exact else np.asarray(x, dtype="float64")
    if isinstance(x, complex):
        return np.asarray(x, dtype="complex128")
    raise TypeError(f"cannot make a constant of {type(x).__name__} {x!r}")


def constant(x: Any, name: str | None = None, dtype: str | None = None) -> Constant:
    """A constant tensor. Dims of size 1 are broadcastable, as in Theano."""
    if dtype is not None:
        data = np.asarray(x, dtype=dtype)
    elif isinstance(x, bool | int | float | complex) and not isinstance(x, np.generic):
        data = _autocast_python_scalar(x)
    else:
        data = np.asarray(x)
        if data.dtype == object or data.dtype.kind in "USV":
            raise TypeError(f"cannot make a tensor constant of {x!r}")
        if data.dtype.kind == "u":
            data = data.astype(np.result_type(data.dtype, np.int8))
    dtype_name = "bool" if data.dtype == np.bool_ else data.dtype.name
    return Constant(TensorType(dtype_name, [d == 1 for d in data.shape]), data, name=name)


def as_tensor_variable(x: Any, name: str | None = None) -> Variable:
    if isinstance(x, Variable):
        return x
    return constant(x, name=name)


# --------------------------------------------------------------------------- type constructors

_PREFIX_DTYPES = {
    "b": "int8",
    "w": "int16",
    "i": "int32",
    "l": "int64",
    "f": "float32",
    "d": "float64",
    "c": "complex128",
}
_KINDS: dict[str, tuple[bool, ...]] = {
    "scalar": (),
    "vector": (False,),
    "matrix": (False, False),
    "row": (True, False),
    "col": (False, True),
    **{f"tensor{n}": (False,) * n for n in range(3, 8)},
}


def _generic(kind: str) -> Any:
    pattern = _KINDS[kind]

    def make(name: str | None = None, dtype: str | None = None) -> Variable:
        return TensorType(dtype or config.floatX, pattern)(name)

    make.__name__ = kind
    make.__doc__ = f"A {kind} input variable of ``dtype`` (default ``config.floatX``)."
    return make


def _typed(prefix: str, kind: str) -> Any:
    dtype, pattern = _PREFIX_DTYPES[prefix], _KINDS[kind]

    def make(name: str | None = None) -> Variable:
        return TensorType(dtype, pattern)(name)

    make.__name__ = prefix + kind
    make.__doc__ = f"A {kind} input variable of {dtype}."
    return make


def _plural(prefix: str, kind: str) -> Any:
    single = _typed(prefix, kind)

    def make(*names: str) -> Any:
        if len(names) == 1 and isinstance(names[0], int):
            return [single() for _ in range(names[0])]
        if len(names) == 1 and isinstance(names[0], str) and "," in names[0]:
            names = tuple(n.strip() for n in names[0].split(","))
        out = [single(n) for n in names]
        return out[0] if len(out) == 1 else out

    make.__name__ = prefix + ("matrices" if kind == "matrix" else kind + "s")
    return make


def tensor(dtype: str | None = None, broadcastable: Sequence[bool] = (), name: str | None = None):
    """A tensor input variable of any rank: ``tensor('float64', (False, True))``."""
    return TensorType(dtype or config.floatX, broadcastable)(name)


CONSTRUCTORS: dict[str, Any] = {}
for _kind in _KINDS:
    CONSTRUCTORS[_kind] = _generic(_kind)
    for _p in _PREFIX_DTYPES:
        CONSTRUCTORS[_p + _kind] = _typed(_p, _kind)
        _pl = _plural(_p, _kind)
        CONSTRUCTORS[_pl.__name__] = _pl


def _plural_floatx(kind: str) -> Any:
    def make(*names: str) -> Any:
        return _plural("f" if config.floatX == "float32" else "d", kind)(*names)

    make.__name__ = "matrices" if kind == "matrix" else kind + "s"
    return make


CONSTRUCTORS["matrices"] = _plural_floatx("matrix")
for _kind in ("scalar", "vector", "row", "col"):
    CONSTRUCTORS[_kind + "s"] = _plural_floatx(_kind)


# --------------------------------------------------------------------------- elementwise


def cast(x: Any, dtype: str) -> Variable:
    """Convert to ``dtype`` (numpy's ``astype``)."""
    x = as_tensor_variable(x)
    dtype = "bool" if dtype in ("bool", bool) else np.dtype(dtype).name
    if x.dtype == dtype:
        return x
    if isinstance(x, Constant):  # folding a cast of a constant changes no arithmetic
        return constant(x.data.astype(dtype), name=x.name)
    return apply_op(Op(tir.CastOp, "cast", dtype=dtype), x)


def dimshuffle(x: Any, *pattern: Any) -> Variable:
    """Theano's ``x.dimshuffle(1, 'x', 0)``: reorder dims, insert broadcastable ones ('x'),
    drop broadcastable ones (left out)."""
    x = as_tensor_variable(x)
    if len(pattern) == 1 and isinstance(pattern[0], list | tuple):
        pattern = tuple(pattern[0])
    ir_pattern = tuple(-1 if p == "x" else int(p) for p in pattern)
    if ir_pattern == tuple(range(x.ndim)):
        return x
    if isinstance(x, Constant) and sorted(p for p in ir_pattern if p != -1) == list(
        range(x.ndim)
    ):  # a constant only gains or loses size-1 dims, or is transposed: fold it
        moved = np.transpose(x.data, [p for p in ir_pattern if p != -1])
        return constant(moved.reshape([1 if p == -1 else x.data.shape[p] for p in ir_pattern]))
    return apply_op(Op(tir.DimShuffleOp, "DimShuffle", pattern=ir_pattern), x)


def _align_ranks(xs: list[Variable]) -> list[Variable]:
    ndim = builtins.max(x.ndim for x in xs)
    return [
        x if x.ndim == ndim else dimshuffle(x, *(["x"] * (ndim - x.ndim) + list(range(x.ndim))))
        for x in xs
    ]


def _compute_dtype(op_cls: type, dtypes: list[str]) -> str:
    dtype = T.upcast(*dtypes)
    if op_cls is tir.TrueDivOp and not (T.is_float(dtype) or T.is_complex(dtype)):
        # int / int is a float, as in Theano (float32 only for small ints under floatX=float32)
        small = all(d in ("bool", "int8", "int16") for d in dtypes)
        return "float32" if (config.floatX == "float32" and small) else "float64"
    if op_cls.ACCEPTS in ("realfloat", "float") and not (T.is_float(dtype) or T.is_complex(dtype)):
        return "float32" if dtype in ("bool", "int8", "int16") else "float64"
    if dtype == "bool" and op_cls.BOOL_PROMOTES:
        return "int8"
    return dtype


def elemwise(op_cls: type, name: str, *inputs: Any) -> Variable:
    """Apply an elementwise ``tir`` op with Theano's upcasting and broadcasting."""
    xs = [as_tensor_variable(x) for x in inputs]
    dtype = _compute_dtype(op_cls, [x.dtype for x in xs])
    xs = _align_ranks([cast(x, dtype) for x in xs])
    return apply_op(Op(op_cls, name), *xs)


def elementwise(op_cls: type) -> Any:
    """The frontend function of an elementwise ``tir`` op, named by its ``THEANO`` name."""
    name = tir.frontend_name(op_cls)

    def f(*inputs: Any) -> Variable:
        return elemwise(op_cls, name, *inputs)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = op_cls.__doc__
    return f


ELEMENTWISE: dict[str, Any] = {}
"""Theano name -> frontend function, for every elementwise op of the dialect, derived from
its declaration (``tir.elementwise_ops()``; ops registered later are added as they are)."""


def _publish(op_cls: type) -> None:
    if name := tir.frontend_name(op_cls):
        ELEMENTWISE[name] = globals()[name] = elementwise(op_cls)


for _cls in tir.elementwise_ops():
    _publish(_cls)
tir.on_register(_publish)
# the ones this module uses by name (Variable's operators, round, inv, ...)
(add, sub, mul, true_div, int_div, mod, pow, neg, abs, eq, neq, lt, gt, le, ge, real, imag) = (  # noqa: A001
    ELEMENTWISE[name]
    for name in (
        "add sub mul true_div int_div mod pow neg abs eq neq lt gt le ge real imag".split()
    )
)
round_half_to_even = ELEMENTWISE["round_half_to_even"]
round_half_away_from_zero = ELEMENTWISE["round_half_away_from_zero"]


def round(x: Any, mode: str = "half_to_even") -> Variable:  # noqa: A001 (Theano's name)
    """Rounding to the nearest integer value (a float): ties to even (numpy's and Theano
    1.0's default) or ``mode="half_away_from_zero"``."""
    if mode == "half_to_even":
        return round_half_to_even(x)
    if mode == "half_away_from_zero":
        return round_half_away_from_zero(x)
    raise ValueError(f"round: mode must be 'half_to_even' or 'half_away_from_zero', got {mode!r}")


def inv(x: Any) -> Variable:
    """``1 / x`` (Theano's ``inv``)."""
    return true_div(1.0, x)


abs_ = abs
div = true_div


def second(model: Any, value: Any) -> Variable:
    """Theano's ``second``/``fill``: ``value`` broadcast to the shape of ``model`` (and of
    ``value``), with ``value``'s dtype."""
    xs = _align_ranks([as_tensor_variable(model), as_tensor_variable(value)])
    return apply_op(Op(tir.SecondOp, "second"), *xs)


fill = second


def switch(cond: Any, ift: Any, iff: Any) -> Variable:
    """Elementwise ``ift`` where ``cond`` is true (non-zero), else ``iff``; the branches are
    upcast to a common dtype and all three broadcast, as Theano's ``switch``."""
    c = as_tensor_variable(cond)
    if c.dtype != "bool":
        c = neq(c, 0)
    a, b = as_tensor_variable(ift), as_tensor_variable(iff)
    dtype = T.upcast(a.dtype, b.dtype)
    xs = _align_ranks([c, cast(a, dtype), cast(b, dtype)])
    return apply_op(Op(tir.SwitchOp, "switch"), *xs)


def zeros_like(x: Any, dtype: str | None = None) -> Variable:
    """Zeros of the shape of ``x`` (of ``x``'s dtype unless ``dtype`` is given)."""
    x = as_tensor_variable(x)
    return second(x, constant(0, dtype=dtype or x.dtype))


def ones_like(x: Any, dtype: str | None = None) -> Variable:
    """Ones of the shape of ``x`` (of ``x``'s dtype unless ``dtype`` is given)."""
    x = as_tensor_variable(x)
    return second(x, constant(1, dtype=dtype or x.dtype))


# --------------------------------------------------------------------------- reductions


def _norm_axes(x: Variable, axis: Any) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(x.ndim))
    axes = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -x.ndim <= a < x.ndim:
            raise ValueError(f"axis {a} is out of bounds for {x} of rank {x.ndim} ({x.type})")
        out.append(a % x.ndim if x.ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"duplicate axes {axes} for {x}")
    return tuple(sorted(out))


def _reduce(op_cls: type, name: str, x: Any, axis: Any, keepdims: bool, dtype: str | None):
    """``dtype``, as Theano's: the result's dtype. The accumulator is the wider of ``dtype``
    and the input's (``sum(int64 x, dtype="int8")`` sums in int64, then wraps to int8, which
    is numpy's int8 sum)."""
    x = as_tensor_variable(x)
    if dtype is not None and T.upcast(x.dtype, dtype) == dtype:
        x = cast(x, dtype)
    axes = _norm_axes(x, axis)
    out = apply_op(Op(op_cls, name, axes=axes), x) if axes else x
    if dtype is not None and out.dtype != dtype:
        out = cast(out, dtype)
    if keepdims:
        pattern: list[Any] = []
        kept = iter(range(out.ndim))
        for i in range(x.ndim):
            pattern.append("x" if i in axes else next(kept))
        out = dimshuffle(out, *pattern)
    return out


def sum(x: Any, axis: Any = None, dtype: str | None = None, keepdims: bool = False) -> Variable:  # noqa: A001
    """Sum over ``axis`` (None: all; int or tuple)."""
    return _reduce(tir.SumOp, "Sum", x, axis, keepdims, dtype)


def prod(x: Any, axis: Any = None, dtype: str | None = None, keepdims: bool = False) -> Variable:
    """Product over ``axis``."""
    return _reduce(tir.ProdOp, "Prod", x, axis, keepdims, dtype)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:  # noqa: A001
    """Maximum over ``axis``."""
    return _reduce(tir.MaxOp, "Max", x, axis, keepdims, None)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:  # noqa: A001
    """Minimum over ``axis``."""
    return _reduce(tir.MinOp, "Min", x, axis, keepdims, None)


def mean(x: Any, axis: Any = None, dtype: str | None = None, keepdims: bool = False) -> Variable:
    """Mean over ``axis``."""
    return _reduce(tir.MeanOp, "Mean", x, axis, keepdims, dtype)


# --------------------------------------------------------------------------- linear algebra


def _one_axis(x: Variable, axis: Any, name: str) -> tuple[Variable, int]:
    """``x`` and the axis an argmax-like op works along (None: all of ``x``, flattened)."""
    if axis is None:
        return (flatten(x) if x.ndim != 1 else x), 0
    if isinstance(axis, list | tuple):
        if len(axis) != 1:
            raise ValueError(f"{name}: one axis at most, got {axis} ({user_line()})")
        axis = axis[0]
    if not -x.ndim <= int(axis) < x.ndim:
        raise ValueError(f"{name}: axis {axis} is out of range for {x} of {x.ndim} dims")
    return x, int(axis) % x.ndim


def _arg(op_cls: type, name: str, x: Any, axis: Any, keepdims: bool) -> Variable:
    x = as_tensor_variable(x)
    if x.ndim == 0:
        raise ValueError(f"{name}: {x} is a scalar ({user_line()})")
    flat, a = _one_axis(x, axis, name)
    out = apply_op(Op(op_cls, name, axis=a), flat)
    if keepdims:
        kept = iter(range(out.ndim))
        axes = range(x.ndim) if axis is None else [a]
        out = dimshuffle(out, *["x" if i in axes else next(kept) for i in range(x.ndim)])
    return out


def argmax(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """Index (int64) of the first maximum along ``axis`` (None: of the flattened tensor)."""
    return _arg(tir.ArgmaxOp, "argmax", x, axis, keepdims)


def argmin(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """Index (int64) of the first minimum along ``axis`` (None: of the flattened tensor)."""
    return _arg(tir.ArgminOp, "argmin", x, axis, keepdims)


def max_and_argmax(x: Any, axis: Any = None, keepdims: bool = False) -> list[Variable]:
    """Theano's ``max_and_argmax``: ``[max(x, axis), argmax(x, axis)]``."""
    return [max(x, axis=axis, keepdims=keepdims), argmax(x, axis=axis, keepdims=keepdims)]


def clip(x: Any, min: Any, max: Any) -> Variable:  # noqa: A002 (Theano's names)
    """``x`` limited to ``[min, max]`` elementwise; the gradient flows to ``x`` inside the
    interval (bounds included) and to a bound where it is the value, as Theano's ``clip``."""
    x = as_tensor_variable(x)
    return switch(lt(x, min), min, switch(gt(x, max), max, x))


def outer(x: Any, y: Any) -> Variable:
    """The outer product of two vectors."""
    x, y = as_tensor_variable(x), as_tensor_variable(y)
    if x.ndim != 1 or y.ndim != 1:
        raise TypeError(f"outer: needs two vectors, got {x.type} and {y.type} ({user_line()})")
    return mul(dimshuffle(x, 0, "x"), dimshuffle(y, "x", 0))


def dot(a: Any, b: Any) -> Variable:
    """``numpy.dot`` for scalars, vectors and matrices."""
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    if a.ndim == 0 or b.ndim == 0:
        return mul(a, b)
    if a.ndim > 2 or b.ndim > 2:
        raise TypeError(
            f"dot: operands of rank {a.ndim} and {b.ndim} are not supported (vectors and "
            f"matrices only): {a} : {a.type}, {b} : {b.type}"
        )
    dtype = T.upcast(a.dtype, b.dtype)
    if dtype == "bool":
        dtype = "int64"
    return apply_op(Op(tir.DotOp, "dot"), cast(a, dtype), cast(b, dtype))


# --------------------------------------------------------------------------- shapes


class ReshapeFrontendOp(Op):
    """Reshape to ``sizes``: Python ints (``-1`` inferred) or, where an entry is None, the
    next symbolic integer scalar among the inputs. Constant sizes of 1 are broadcastable."""

    def __init__(self, sizes: tuple[int | None, ...]):
        super().__init__(tir.ReshapeOp, "Reshape", sizes=sizes)

    def emit(self, insert: Any, x: SSAValue, *args: Any) -> SSAValue:
        *symbolic, out_type = args
        given = iter(symbolic)
        sizes = []
        for s in self.props["sizes"]:
            if s is not None:
                sizes.append(insert(arith.ConstantOp.from_int_and_width(s, IndexType())).result)
                continue
            v = next(given)  # an integer scalar tensor: its value, as an index
            scalar = insert(xtensor.ExtractOp(v, [], v.type.element_type)).results[0]
            sizes.append(insert(arith.IndexCastOp(scalar, IndexType())).result)
        return insert(tir.ReshapeOp(x, sizes, out_type.ir_type())).result


class FlattenOp(Op):
    """Keep the first ``ndim - 1`` dims and collapse the rest into one."""

    def __init__(self, outdim: int):
        super().__init__(tir.ReshapeOp, "Flatten", outdim=outdim)

    def emit(self, insert: Any, x: SSAValue, out_type: TensorType) -> SSAValue:
        outdim = self.props["outdim"]

        def dim(i: int) -> SSAValue:
            idx = insert(arith.ConstantOp.from_int_and_width(i, IndexType())).result
            return insert(xtensor.DimOp(x, idx)).result

        sizes = [dim(i) for i in range(outdim - 1)]
        # the product of the collapsed dims, not -1: a -1 cannot be resolved when a kept dim
        # is 0, and flattening an empty (0, 3) to 2 dims gives (0, 3)
        last = insert(arith.ConstantOp.from_int_and_width(1, IndexType())).result
        for i in range(outdim - 1, len(x.type.get_shape())):  # type: ignore[attr-defined]
            last = insert(arith.MuliOp(last, dim(i))).result
        sizes.append(last)
        return insert(tir.ReshapeOp(x, sizes, out_type.ir_type())).result


def _size_entry(s: Any, what: str) -> int | Variable:
    """A shape entry: a Python int, or an integer scalar variable."""
    if isinstance(s, Variable):
        if s.ndim != 0 or not (T.is_int(s.dtype) or s.dtype == "bool"):
            raise TypeError(f"{what}: shape entries must be integer scalars, got {s} ({s.type})")
        if isinstance(s, Constant):
            return int(s.data)
        return s
    try:
        return int(s)
    except (TypeError, ValueError):
        raise TypeError(
            f"{what}: shape entries must be ints or integer scalars, got {s!r}"
        ) from None


def _shape_entries(shape: Any, what: str) -> list[int | Variable]:
    if isinstance(shape, int | np.integer | Variable) and not (
        isinstance(shape, Variable) and shape.ndim == 1
    ):
        shape = (shape,)
    if isinstance(shape, Variable):
        raise TypeError(
            f"{what}: give the shape as a tuple (of ints or integer scalars, e.g. x.shape), "
            f"got the vector {shape}"
        )
    try:
        return [_size_entry(s, what) for s in shape]
    except TypeError as e:
        if "shape entries" in str(e):
            raise
        raise TypeError(f"{what}: shape must be a tuple, got {shape!r}") from None


def reshape(x: Any, shape: Any, ndim: int | None = None) -> Variable:
    """Reshape to ``shape``: a tuple of ints (one may be -1) or integer scalars (such as
    ``x.shape[0]``); sizes given symbolically are checked at run time."""
    x = as_tensor_variable(x)
    entries = _shape_entries(shape, "reshape")
    if ndim is not None and ndim != len(entries):
        raise ValueError(f"reshape: ndim={ndim} but shape has {len(entries)} entries")
    constants = [s for s in entries if isinstance(s, int)]
    if constants.count(-1) > 1 or any(s < -1 for s in constants):
        raise ValueError(f"reshape: invalid shape {constants} (at most one -1, no other negatives)")
    symbolic = [cast(s, "int64") for s in entries if isinstance(s, Variable)]
    op = ReshapeFrontendOp(tuple(None if isinstance(s, Variable) else s for s in entries))
    return Apply(op, [x, *symbolic], [op.infer(x.type)]).outputs[0]


class AllocSizesOp(Op):
    """The element count of ``alloc``'s shape (its first input, their wrapping product),
    passed on once the sizes are checked at run time as numpy checks a shape: none
    negative, and the product of the non-zero ones times the item size fits in 63 bits.
    ``sizes`` are Python ints or, where None, the next symbolic size among the inputs;
    ``what`` names the op in the messages (``alloc``, ``uniform``, ...)."""

    def __init__(self, sizes: tuple[int | None, ...], dtype: str, what: str = "alloc"):
        super().__init__(tir.CheckOp, "AllocSizes", sizes=sizes, dtype=dtype, what=what)

    def infer(self, total: TensorType, *symbolic: TensorType) -> TensorType:
        return total

    def emit(self, insert: Any, total: SSAValue, *args: Any) -> SSAValue:
        from tensorir.lowering.scalar import size_product

        *symbolic, _ = args
        given = iter(symbolic)
        sizes: list[SSAValue] = []
        for s in self.props["sizes"]:
            if s is not None:
                sizes.append(insert(arith.ConstantOp.from_int_and_width(s, IndexType())).result)
                continue
            v = next(given)
            scalar = insert(xtensor.ExtractOp(v, [], v.type.element_type)).results[0]
            sizes.append(insert(arith.IndexCastOp(scalar, IndexType())).result)
        shape = ", ".join(f"{{{k}}}" for k in range(len(sizes)))
        shape += "," if len(sizes) == 1 else ""
        zero = insert(arith.ConstantOp.from_int_and_width(0, IndexType())).result
        valid = insert(arith.ConstantOp.from_int_and_width(1, 1)).result
        for s in sizes:
            ge = insert(arith.CmpiOp(s, zero, "sge")).result
            valid = insert(arith.AndIOp(valid, ge)).result
        # the user's line is appended to the messages when the function is emitted
        insert(
            tir.CheckOp(
                valid,
                "ValueError",
                f"{self.props['what']}: negative dimensions are not allowed: shape ({shape})",
                sizes,
            )
        )
        itemsize = np.dtype(self.props["dtype"]).itemsize
        _, fits = size_product(insert, sizes, itemsize)
        insert(
            tir.CheckOp(
                fits,
                "ValueError",
                f"{self.props['what']}: array is too big: shape ({shape}) of "
                f"{self.props['dtype']} is more "
                "than 2**63 - 1 bytes",
                sizes,
            )
        )
        return total


def alloc(value: Any, *shape: Any) -> Variable:
    """Theano's ``alloc``: ``value`` broadcast to ``shape`` (ints or integer scalars)."""
    value = as_tensor_variable(value)
    if (
        len(shape) == 1
        and isinstance(shape[0], list | tuple | Sequence)
        and not isinstance(shape[0], Variable)
    ):
        shape = tuple(shape[0])
    entries = _shape_entries(shape, "alloc")
    if value.ndim > len(entries):
        raise ValueError(f"alloc: a value of {value.ndim} dims does not fit {len(entries)} dims")
    itemsize = np.dtype(value.dtype).itemsize
    shape_text = ", ".join(str(s) for s in entries) + ("," if len(entries) == 1 else "")
    constants = [s for s in entries if isinstance(s, int)]
    if any(s < 0 for s in constants):
        raise ValueError(
            f"alloc: negative dimensions are not allowed: shape ({shape_text}) (at {user_line()})"
        )
    nonzero = int(np.prod([s for s in constants if s != 0], dtype=object)) * itemsize
    if nonzero > 2**63 - 1:
        raise ValueError(
            f"alloc: array is too big: shape ({shape_text}) of {value.dtype} is more than "
            f"2**63 - 1 bytes (at {user_line()})"
        )
    total: Any = np.int64(1)
    for s in entries:
        total = total * s
    symbolic = [cast(s, "int64") for s in entries if isinstance(s, Variable)]
    if symbolic:  # the sizes checked at run time before anything is computed from them
        op = AllocSizesOp(
            tuple(None if isinstance(s, Variable) else s for s in entries), value.dtype
        )
        total = Apply(op, [total, *symbolic], [total.type]).outputs[0]
    from tensorir.frontend.subtensor import arange

    positions = arange(total) if isinstance(total, Variable) else arange(int(total))
    blank = reshape(second(positions, constant(0, dtype=value.dtype)), tuple(entries))
    return second(blank, value)


def zeros(shape: Any, dtype: str | None = None) -> Variable:
    """Zeros of ``shape`` (ints or integer scalars such as ``x.shape[0]``), floatX by
    default."""
    return alloc(constant(0, dtype=dtype or config.floatX), *_shape_entries(shape, "zeros"))


def ones(shape: Any, dtype: str | None = None) -> Variable:
    """Ones of ``shape``, floatX by default."""
    return alloc(constant(1, dtype=dtype or config.floatX), *_shape_entries(shape, "ones"))


def flatten(x: Any, ndim: int = 1) -> Variable:
    """Collapse all dims from ``ndim - 1`` on into one."""
    x = as_tensor_variable(x)
    if not 1 <= ndim <= builtins.max(x.ndim, 1):
        raise ValueError(f"flatten: ndim must be between 1 and {x.ndim}, got {ndim}")
    op = FlattenOp(ndim)
    return Apply(op, [x], [op.infer(x.type)]).outputs[0]


def transpose(x: Any, axes: Sequence[int] | None = None) -> Variable:
    """Permute the dims by ``axes`` (default: reverse them), as ``numpy.transpose``."""
    x = as_tensor_variable(x)
    return dimshuffle(x, *(reversed(range(x.ndim)) if axes is None else axes))


def _transpose_method(x: Variable, *axes: Any) -> Variable:
    """``x.transpose()``, ``x.transpose(1, 0)`` or ``x.transpose((1, 0))``, as numpy."""
    if len(axes) == 1 and isinstance(axes[0], Sequence | None):
        return transpose(x, axes[0])
    return transpose(x, axes or None)
