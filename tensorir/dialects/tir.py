"""The ``tir`` dialect: Theano's ops on ranked tensors with value semantics (level L1).

One op per Theano op. Types follow Theano: a dim is either broadcastable (static size 1) or
dynamic (``?``). Broadcasting is explicit: elementwise operands have the same rank and element
type (the frontend inserts ``tir.dimshuffle`` and ``tir.cast``), and a dim of size 1 stretches
against any other. Each op's type rule is its ``infer_type`` classmethod; its verifier and the
frontend both call it, so the rule lives in one place.

Example::

    %c = tir.add %a, %b : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
    %s = tir.sum %c {axes = array<i64: 0>} : tensor<?x?xf64> -> tensor<?xf64>
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    StringAttr,
    TensorType,
    UnitAttr,
    i1,
    i64,
)
from xdsl.ir import Attribute, Block, Dialect, Operation, Region, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    AttrSizedResultSegments,
    IRDLOperation,
    ParsePropInAttrDict,
    base,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import (
    HasParent,
    IsolatedFromAbove,
    IsTerminator,
    Pure,
    RecursiveMemoryEffect,
)
from xdsl.utils.exceptions import VerifyException

from tensorir.abi import CHECK_EXCEPTIONS
from tensorir.dialects import types as T
from tensorir.dialects.tir_buffers import BUFFER_OPS
from tensorir.dialects.tir_gpu import GPU_OPS

ShapedT = base(TensorType) | base(MemRefType)


def _shape(t: Attribute) -> tuple[int, ...]:
    assert isinstance(t, TensorType | MemRefType)
    return tuple(t.get_shape())


def broadcast_dims(op_name: str, *shapes: Sequence[int]) -> list[int]:
    """Result dims of operands broadcast along their size-1 dims (static shapes only)."""
    ranks = {len(s) for s in shapes}
    if len(ranks) != 1:
        raise VerifyException(
            f"{op_name}: operands must have the same rank, got shapes "
            + ", ".join(_fmt_shape(s) for s in shapes)
        )
    out: list[int] = []
    for i in range(len(shapes[0])):
        sizes = {s[i] for s in shapes}
        static = {d for d in sizes if d not in (1, DYNAMIC_INDEX)}
        if len(static) > 1:
            raise VerifyException(
                f"{op_name}: dim {i} does not broadcast: shapes "
                + ", ".join(_fmt_shape(s) for s in shapes)
            )
        if static:
            out.append(static.pop())
        elif sizes == {1}:
            out.append(1)
        else:
            out.append(DYNAMIC_INDEX)
    return out


def _fmt_shape(shape: Sequence[int]) -> str:
    dims = ["?" if d == DYNAMIC_INDEX else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


# --------------------------------------------------------------------------- numpy semantics
#
# Every op that computes values has a ``reference(*operands)`` method: what it computes, in
# numpy, on operand arrays of its operand types (rank-0 tensors as 0-d arrays, ``index`` and
# integer scalars as 0-d int arrays), returning arrays of exactly its result types. The
# families (elementwise, reductions, axis ops, scatters) share one ``reference`` that applies
# the class's ``NUMPY`` function. ``tensorir.dialects.evaluate`` runs whole functions with
# them. Where the generated code and numpy could differ, the rule follows what
# ``lowering/scalar.py`` and the lowerings compute, and says so.

NumpyFn = Callable[..., Any]


def np_dtype(t: Attribute) -> np.dtype:
    """The numpy dtype of a tensor or memref type's elements, or of a scalar type (``index``
    is int64)."""
    elem = t.element_type if isinstance(t, TensorType | MemRefType) else t
    if isinstance(elem, IndexType):
        return np.dtype(np.int64)
    return np.dtype(T.dtype_of(elem))


def exactly(op: Operation, value: Any, k: int = 0) -> np.ndarray:
    """``value`` as an array, which must have the dtype of ``op``'s result ``k``: numpy
    giving another dtype (``bool // bool`` is int8) means the op has no numpy semantics for
    these operands (TypeError)."""
    out = np.asarray(value)
    expected = np_dtype(op.results[k].type)
    if out.dtype != expected:
        got = ", ".join(str(np_dtype(v.type)) for v in op.operands)
        raise TypeError(
            f"{op.name}: numpy computes {out.dtype}, not the result's {expected}, from "
            f"operands of {got}"
        )
    return out


def broadcast_operands(op: Operation, arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The operands of an elementwise op broadcast to its result shape. As in the generated
    kernels, only a static size-1 dim of an operand's type stretches; the other dims must
    agree at run time (ValueError), even where one of them happens to be 1."""
    types = [_shape(v.type) for v in op.operands]
    shape: list[int] = []
    for i in range(len(types[0]) if types else 0):
        sources = [a for a, t in zip(arrays, types, strict=True) if t[i] != 1]
        sizes = {a.shape[i] for a in sources}
        if len(sizes) > 1:
            shapes = " and ".join(str(a.shape) for a in sources)
            raise ValueError(
                f"Input dimension mismatch in {op.name.removeprefix('tir.')}: shapes {shapes} "
                f"do not broadcast at dim {i}"
            )
        shape.append(sizes.pop() if sizes else 1)
    return [np.broadcast_to(a, tuple(shape)) for a in arrays]


def astype(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``x.astype(dtype)``; to bool is ``!= 0`` (NaN is true). A float NaN or out of the
    integer range saturates (NaN gives 0), as the generated code (``fptosi.sat``) does: numpy
    leaves these undefined."""
    x = np.asarray(x)
    if dtype == np.bool_:
        return np.not_equal(x, 0)
    if x.dtype.kind == "f" and dtype.kind == "i":
        info = np.iinfo(dtype)
        low, high = float(info.min), -float(info.min)  # exact powers of two
        inside = (x >= low) & (x < high)
        inner = np.where(inside, x, 0).astype(dtype)
        return np.where(x >= high, info.max, np.where(x < low, info.min, inner)).astype(dtype)
    return x.astype(dtype)


def _sign(x: np.ndarray) -> np.ndarray:
    """``x > 0 ? 1 : (x < 0 ? -1 : x)``: 0 (and -0.0) and NaN stay as they are."""
    if x.dtype == np.bool_:
        return x
    one = x.dtype.type(1)
    return np.where(x > 0, one, np.where(x < 0, -one, x))


def _power(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a ** b``; integers to negative integer powers raise ValueError, as numpy's."""
    if a.dtype.kind == "i" and (b < 0).any():
        raise ValueError("Integers to negative integer powers are not allowed")
    return np.power(a, b)


def _maximum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``numpy.maximum`` (NaN propagates), with IEEE 754-2019's zeros (+0 above -0), as the
    generated code (``llvm.maximum``): numpy's zero takes its sign from the operand order."""
    out = np.maximum(a, b)
    if out.dtype.kind == "f":
        out = np.where((a == 0) & (b == 0), a + b, out)  # -0 only if both are
    return out


def _minimum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``numpy.minimum``, with -0 below +0 (see ``_maximum``)."""
    out = np.minimum(a, b)
    if out.dtype.kind == "f":
        out = np.where((a == 0) & (b == 0), -(-a + -b), out)  # +0 only if both are
    return out


def _extremum(
    x: np.ndarray, axis: int | tuple[int, ...], largest: bool, keepdims: bool = False
) -> np.ndarray:
    """The maximum (or minimum) over ``axis`` (NaN propagates, an empty reduction gives
    -inf or inf for floats), as ``_maximum``: a zero is +0 if any reduced zero is (for the
    minimum: -0 if any is)."""
    if x.dtype.kind != "f":
        return (np.max if largest else np.min)(x, axis=axis, keepdims=keepdims)
    initial = -np.inf if largest else np.inf
    fn = np.max if largest else np.min
    out = fn(x, axis=axis, keepdims=keepdims, initial=initial)
    wanted = (x == 0) & (np.signbit(x) != largest)  # +0 for the maximum, -0 for the minimum
    found = np.any(wanted, axis=axis, keepdims=keepdims)
    zero = x.dtype.type(0.0 if largest else -0.0)
    return np.where((out == 0) & found, zero, np.where(out == 0, -zero, out))


def _exp_minus_abs(x: np.ndarray) -> np.ndarray:
    return np.exp(-np.abs(x))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """``(x >= 0 ? 1 : e) / (1 + e)`` with ``e = exp(-|x|)``: no overflow, tiny values kept."""
    e = _exp_minus_abs(x)
    one = x.dtype.type(1)
    return np.where(x >= 0, one, e) / (one + e)


def _softplus(x: np.ndarray) -> np.ndarray:
    """``max(x, 0) + log1p(exp(-|x|))``."""
    return _maximum(x, x.dtype.type(0)) + np.log1p(_exp_minus_abs(x))


def _round_half_away_from_zero(x: np.ndarray) -> np.ndarray:
    """Ties away from zero (C's ``round``); numpy's ``round`` takes ties to even. Exact: no
    ``x + 0.5``, which rounds 0.49999999999999994 up."""
    t = np.trunc(x)
    away = np.abs(x - t) >= x.dtype.type(0.5)
    return np.where(away, t + np.copysign(np.ones_like(x), x), t)


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function (numpy has none): ``math.erf`` on each element."""
    return np.vectorize(math.erf, otypes=[np.float64])(x).astype(x.dtype)


_SPLITMIX = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB)


def splitmix_unit(counters: np.ndarray) -> np.ndarray:
    """``tir.uniform``: SplitMix64's finalizer of ``counter + golden`` in wrapping uint64
    arithmetic, its top 53 bits scaled to ``[0, 1)`` (float64), bit for bit the generated
    code's (``lowering/scalar.py: _splitmix_unit``). Counters of any integer type are first
    extended to int64 (bool as 0 and 1)."""
    x = np.asarray(counters)
    z = x.astype(np.int64).astype(np.uint64).reshape(-1)  # 1-d: no scalar overflow warnings
    golden, m1, m2 = (np.uint64(c) for c in _SPLITMIX)
    with np.errstate(over="ignore"):
        z = z + golden
        z = (z ^ (z >> np.uint64(30))) * m1
        z = (z ^ (z >> np.uint64(27))) * m2
        z = z ^ (z >> np.uint64(31))
    return ((z >> np.uint64(11)).astype(np.float64) * 2.0**-53).reshape(x.shape)


def _square(x: np.ndarray) -> np.ndarray:
    """``x * x``."""
    return np.multiply(x, x)


def _identity(x: np.ndarray) -> np.ndarray:
    return x


def _first(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a


def _second(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return b


# reductions: f(x, axis=axes, dtype=result dtype)


def _count(x: np.ndarray, axes: Sequence[int]) -> int:
    return math.prod(x.shape[a] for a in axes)


def _max(x: np.ndarray, axis: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    if _count(x, axis) == 0:
        raise ValueError("zero-size array to reduction operation maximum which has no identity")
    return _extremum(x, axis, largest=True)


def _min(x: np.ndarray, axis: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    if _count(x, axis) == 0:
        raise ValueError("zero-size array to reduction operation minimum which has no identity")
    return _extremum(x, axis, largest=False)


def _mean(x: np.ndarray, axis: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """The sum (in the result dtype: float64 for integers) divided by the element count
    (NaN for none)."""
    total = np.sum(x, axis=axis, dtype=dtype)
    return np.true_divide(total, np.asarray(_count(x, axis)).astype(dtype))


def _size(x: np.ndarray, axis: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    return np.asarray(_count(x, axis), dtype)


# axis ops: f(x, axis)


def _shifted(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """``x - max`` along ``axis`` and the sum of its exponentials (kept dims)."""
    shifted = x - _extremum(x, axis, largest=True, keepdims=True)
    return shifted, np.sum(np.exp(shifted), axis=axis, keepdims=True)


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """``exp(x - max) / sum(exp(x - max))``."""
    shifted, total = _shifted(x, axis)
    return np.exp(shifted) / total


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """``x - max - log(sum(exp(x - max)))``."""
    shifted, total = _shifted(x, axis)
    return shifted - np.log(total)


def _argmax(x: np.ndarray, axis: int) -> np.ndarray:
    if x.shape[axis] == 0:
        raise ValueError("argmax: attempt to get argmax of an empty sequence")
    return np.argmax(x, axis=axis).astype(np.int64)


def _argmin(x: np.ndarray, axis: int) -> np.ndarray:
    if x.shape[axis] == 0:
        raise ValueError("argmin: attempt to get argmin of an empty sequence")
    return np.argmin(x, axis=axis).astype(np.int64)


# scatters: f(out, indices, value) writes into out


def _scatter_add(out: np.ndarray, key: tuple[np.ndarray, ...], value: np.ndarray) -> None:
    """Repeated indices accumulate, in index order."""
    np.add.at(out, key, value)


def _scatter_last(out: np.ndarray, key: tuple[np.ndarray, ...], value: np.ndarray) -> None:
    """Stores in index order: of repeated indices the last one wins."""
    flat_keys = tuple(k.reshape(-1).astype(np.intp) for k in key)
    n = flat_keys[0].size
    if n == 0:
        return
    flat = np.ravel_multi_index(flat_keys, out.shape[: len(key)])
    _, first_from_end = np.unique(flat[::-1], return_index=True)
    keep = np.sort(n - 1 - first_from_end)
    rows = value.reshape(n, *value.shape[key[0].ndim :])
    out[tuple(k[keep] for k in flat_keys)] = rows[keep]


def basic_index(kinds: Sequence[int], bounds: Sequence[np.ndarray]) -> tuple[int | slice, ...]:
    """The Python key of ``x[...]`` for ``tir.subtensor``'s ``kinds`` and bound values."""
    values = iter(int(b) for b in bounds)
    key: list[int | slice] = []
    for kind in kinds:
        if kind == INDEX:
            key.append(next(values))
            continue
        start, stop, step = (
            next(values) if kind & bit else None for bit in (SLICE_START, SLICE_STOP, SLICE_STEP)
        )
        key.append(slice(start, stop, step))
    return tuple(key)


def same_shapes(op_name: str, indices: Sequence[np.ndarray]) -> None:
    """Index arrays must have one shape (IndexError): they are not broadcast."""
    for other in indices[1:]:
        if other.shape != indices[0].shape:
            raise IndexError(
                f"{op_name}: shape mismatch: indexing arrays could not be broadcast together "
                f"with shapes {indices[0].shape} {other.shape}"
            )


def index_arrays(
    op_name: str, x: np.ndarray, indices: Sequence[np.ndarray]
) -> tuple[np.ndarray, ...]:
    """Integer index arrays into the leading dims of ``x``, checked as the generated code
    does (one shape, each index within its dim: IndexError) and wrapped (negative counts
    from the end)."""
    same_shapes(op_name, indices)
    out = []
    for axis, idx in enumerate(indices):
        n = x.shape[axis]
        wrapped = np.where(idx < 0, idx.astype(np.int64) + n, idx.astype(np.int64))
        bad = (wrapped < 0) | (wrapped >= n)
        if bad.any():
            i = int(idx[bad].reshape(-1)[0])
            raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
        out.append(wrapped)
    return tuple(out)


def has_reference(op_cls: type[Operation]) -> bool:
    """Whether ``op_cls`` has numpy semantics: a ``reference`` method and, in a family whose
    ``reference`` applies the class's ``NUMPY`` function, that function."""
    return callable(getattr(op_cls, "reference", None)) and (
        getattr(op_cls, "NUMPY", True) is not None
    )


class TypedOp(IRDLOperation):
    """An op whose result type follows from its operands and properties by ``infer_type``."""

    def inferred_type(self) -> Attribute:
        raise NotImplementedError

    def verify_(self) -> None:
        expected = self.inferred_type()
        got = self.results[0].type
        if expected != got:
            raise VerifyException(f"{self.name}: result type should be {expected}, got {got}")


# --------------------------------------------------------------------------- elementwise


class ElementwiseBinaryOp(TypedOp):
    """``%r = tir.<op> %lhs, %rhs : (tensor<..>, tensor<..>) -> tensor<..>``"""

    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = (
        "$lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($result)"
    )

    # "same": the operands' element type; "bool": comparisons give i1.
    RESULT_KIND: ClassVar[str] = "same"
    # dtypes the op accepts ("num": all numeric, "real": no complex, "float", "int").
    ACCEPTS: ClassVar[str] = "num"
    # numpy semantics: a function of both operands broadcast to the result shape
    NUMPY: ClassVar[NumpyFn | None] = None
    # The op's other facts, declared here once and read by every layer:
    # THEANO: the frontend function's name (``tensor.<name>``); None: the IR name without
    # ``tir.``; "": none (the frontend builds the op itself, or it is internal).
    THEANO: ClassVar[str | None] = None
    # SYMBOL: the infix operator printers show ("+"); "": printed as a call.
    SYMBOL: ClassVar[str] = ""
    # BOOL_PROMOTES: bool operands are computed as int8 (Theano's upcast for arithmetic).
    BOOL_PROMOTES: ClassVar[bool] = False

    def __init__(self, lhs: SSAValue | Operation, rhs: SSAValue | Operation):
        lhs, rhs = SSAValue.get(lhs), SSAValue.get(rhs)
        super().__init__(operands=[lhs, rhs], result_types=[self.infer_type(lhs.type, rhs.type)])

    @classmethod
    def result_dtype(cls, dtype: str) -> str:
        return "bool" if cls.RESULT_KIND == "bool" else dtype

    @classmethod
    def infer_type(cls, lhs: Attribute, rhs: Attribute) -> TensorType:
        assert isinstance(lhs, TensorType) and isinstance(rhs, TensorType)
        if lhs.element_type != rhs.element_type:
            raise VerifyException(
                f"{cls.name}: operands must have the same element type, got "
                f"{lhs.element_type} and {rhs.element_type} (insert tir.cast)"
            )
        dtype = T.dtype_of(lhs.element_type)
        check_accepts(cls.name, cls.ACCEPTS, dtype)
        dims = broadcast_dims(cls.name, _shape(lhs), _shape(rhs))
        return TensorType(T.element_type(cls.result_dtype(dtype)), dims)

    def inferred_type(self) -> Attribute:
        return self.infer_type(self.lhs.type, self.rhs.type)

    def reference(self, lhs: np.ndarray, rhs: np.ndarray) -> np.ndarray:
        """``NUMPY`` of both operands broadcast along their static size-1 dims."""
        fn = type(self).NUMPY
        assert fn is not None, f"{self.name} has no NUMPY semantics"
        return exactly(self, fn(*broadcast_operands(self, [lhs, rhs])))


def check_accepts(op_name: str, accepts: str, dtype: str) -> None:
    ok = {
        "num": dtype != "bool" or True,
        "real": not T.is_complex(dtype),
        "float": T.is_float(dtype) or T.is_complex(dtype),
        "realfloat": T.is_float(dtype),
        "int": T.is_int(dtype) or dtype == "bool",
        "complex": T.is_complex(dtype),
    }[accepts]
    if not ok:
        raise VerifyException(f"{op_name}: element type {dtype} is not supported")


@irdl_op_definition
class AddOp(ElementwiseBinaryOp):
    """Elementwise ``lhs + rhs``."""

    name = "tir.add"
    SYMBOL: ClassVar[str] = "+"
    BOOL_PROMOTES: ClassVar[bool] = True
    NUMPY: ClassVar[NumpyFn] = np.add


@irdl_op_definition
class SubOp(ElementwiseBinaryOp):
    """Elementwise ``lhs - rhs``."""

    name = "tir.sub"
    SYMBOL: ClassVar[str] = "-"
    BOOL_PROMOTES: ClassVar[bool] = True
    NUMPY: ClassVar[NumpyFn] = np.subtract


@irdl_op_definition
class MulOp(ElementwiseBinaryOp):
    """Elementwise ``lhs * rhs``."""

    name = "tir.mul"
    SYMBOL: ClassVar[str] = "*"
    BOOL_PROMOTES: ClassVar[bool] = True
    NUMPY: ClassVar[NumpyFn] = np.multiply


@irdl_op_definition
class TrueDivOp(ElementwiseBinaryOp):
    """Elementwise ``lhs / rhs`` on floats (the frontend casts integer operands first)."""

    name = "tir.true_div"
    SYMBOL: ClassVar[str] = "/"
    NUMPY: ClassVar[NumpyFn] = np.true_divide
    ACCEPTS: ClassVar[str] = "float"


@irdl_op_definition
class IntDivOp(ElementwiseBinaryOp):
    """Elementwise ``lhs // rhs``, rounding towards minus infinity (Python's ``//``)."""

    name = "tir.int_div"
    SYMBOL: ClassVar[str] = "//"
    BOOL_PROMOTES: ClassVar[bool] = True
    NUMPY: ClassVar[NumpyFn] = np.floor_divide
    ACCEPTS: ClassVar[str] = "real"


@irdl_op_definition
class ModOp(ElementwiseBinaryOp):
    """Elementwise ``lhs % rhs`` with the sign of ``rhs`` (Python's ``%``)."""

    name = "tir.mod"
    SYMBOL: ClassVar[str] = "%"
    BOOL_PROMOTES: ClassVar[bool] = True
    NUMPY: ClassVar[NumpyFn] = np.mod
    ACCEPTS: ClassVar[str] = "real"


@irdl_op_definition
class PowOp(ElementwiseBinaryOp):
    """Elementwise ``lhs ** rhs``."""

    name = "tir.pow"
    SYMBOL: ClassVar[str] = "**"
    BOOL_PROMOTES: ClassVar[bool] = True
    NUMPY: ClassVar[NumpyFn] = _power
    ACCEPTS: ClassVar[str] = "real"


@irdl_op_definition
class MaximumOp(ElementwiseBinaryOp):
    """Elementwise maximum (NaN propagates, as ``numpy.maximum``)."""

    name = "tir.maximum"
    NUMPY: ClassVar[NumpyFn] = _maximum
    ACCEPTS: ClassVar[str] = "real"


@irdl_op_definition
class MinimumOp(ElementwiseBinaryOp):
    """Elementwise minimum (NaN propagates, as ``numpy.minimum``)."""

    name = "tir.minimum"
    NUMPY: ClassVar[NumpyFn] = _minimum
    ACCEPTS: ClassVar[str] = "real"


class CompareOp(ElementwiseBinaryOp):
    RESULT_KIND: ClassVar[str] = "bool"
    ACCEPTS: ClassVar[str] = "real"


@irdl_op_definition
class EqOp(CompareOp):
    """Elementwise ``lhs == rhs`` giving i1."""

    name = "tir.eq"
    SYMBOL: ClassVar[str] = "=="
    NUMPY: ClassVar[NumpyFn] = np.equal
    ACCEPTS: ClassVar[str] = "num"


@irdl_op_definition
class NeqOp(CompareOp):
    """Elementwise ``lhs != rhs`` giving i1."""

    name = "tir.neq"
    SYMBOL: ClassVar[str] = "!="
    NUMPY: ClassVar[NumpyFn] = np.not_equal
    ACCEPTS: ClassVar[str] = "num"


@irdl_op_definition
class LtOp(CompareOp):
    """Elementwise ``lhs < rhs`` giving i1."""

    name = "tir.lt"
    SYMBOL: ClassVar[str] = "<"
    NUMPY: ClassVar[NumpyFn] = np.less


@irdl_op_definition
class GtOp(CompareOp):
    """Elementwise ``lhs > rhs`` giving i1."""

    name = "tir.gt"
    SYMBOL: ClassVar[str] = ">"
    NUMPY: ClassVar[NumpyFn] = np.greater


@irdl_op_definition
class LeOp(CompareOp):
    """Elementwise ``lhs <= rhs`` giving i1."""

    name = "tir.le"
    SYMBOL: ClassVar[str] = "<="
    NUMPY: ClassVar[NumpyFn] = np.less_equal


@irdl_op_definition
class GeOp(CompareOp):
    """Elementwise ``lhs >= rhs`` giving i1."""

    name = "tir.ge"
    SYMBOL: ClassVar[str] = ">="
    NUMPY: ClassVar[NumpyFn] = np.greater_equal


@irdl_op_definition
class SecondOp(ElementwiseBinaryOp):
    """Theano's ``second`` (``fill``): the values of ``rhs`` broadcast to the shape of both
    operands, of ``rhs``'s element type. ``second(x, 0)`` is ``zeros_like(x)``; gradients
    broadcast with it."""

    name = "tir.second"
    THEANO: ClassVar[str | None] = ""
    NUMPY: ClassVar[NumpyFn] = _second

    @classmethod
    def infer_type(cls, lhs: Attribute, rhs: Attribute) -> TensorType:
        """The broadcast shape of both, the element type of ``rhs`` (``lhs`` gives only its
        shape, so it may have any element type)."""
        assert isinstance(lhs, TensorType) and isinstance(rhs, TensorType)
        dims = broadcast_dims(cls.name, _shape(lhs), _shape(rhs))
        return TensorType(rhs.element_type, dims)


class GradientHookOp(ElementwiseBinaryOp):
    """The value of ``lhs`` unchanged; only its gradient differs (``rhs`` parametrises it)."""

    THEANO: ClassVar[str | None] = ""
    NUMPY: ClassVar[NumpyFn] = _first


@irdl_op_definition
class GradScaleOp(GradientHookOp):
    """Theano's ``grad_scale``: ``lhs`` forward; its gradient multiplied by ``rhs``."""

    name = "tir.grad_scale"


@irdl_op_definition
class GradFloorOp(GradientHookOp):
    """``lhs`` forward; its gradient no lower than ``rhs`` (half of ``grad_clip``)."""

    name = "tir.grad_floor"


@irdl_op_definition
class GradCeilOp(GradientHookOp):
    """``lhs`` forward; its gradient no higher than ``rhs`` (half of ``grad_clip``)."""

    name = "tir.grad_ceil"


@irdl_op_definition
class SwitchOp(TypedOp):
    """Elementwise ``cond ? lhs : rhs`` (Theano's ``switch``, numpy's ``where``); the three
    operands broadcast against each other.

    ``%r = tir.switch %c, %a, %b : (tensor<?xi1>, tensor<?xf64>, tensor<1xf64>)
    -> tensor<?xf64>``
    """

    name = "tir.switch"
    cond = operand_def(TensorType)
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = (
        "$cond `,` $lhs `,` $rhs attr-dict `:` `(` type($cond) `,` type($lhs) `,` type($rhs) "
        "`)` `->` type($result)"
    )

    def __init__(
        self, cond: SSAValue | Operation, lhs: SSAValue | Operation, rhs: SSAValue | Operation
    ):
        cond, lhs, rhs = SSAValue.get(cond), SSAValue.get(lhs), SSAValue.get(rhs)
        super().__init__(
            operands=[cond, lhs, rhs],
            result_types=[self.infer_type(cond.type, lhs.type, rhs.type)],
        )

    @staticmethod
    def infer_type(cond: Attribute, lhs: Attribute, rhs: Attribute) -> TensorType:
        assert isinstance(cond, TensorType)
        assert isinstance(lhs, TensorType) and isinstance(rhs, TensorType)
        if cond.element_type != i1:
            raise VerifyException(f"tir.switch: the condition must be i1, got {cond.element_type}")
        if lhs.element_type != rhs.element_type:
            raise VerifyException(
                f"tir.switch: branches must have the same element type, got "
                f"{lhs.element_type} and {rhs.element_type} (insert tir.cast)"
            )
        dims = broadcast_dims("tir.switch", _shape(cond), _shape(lhs), _shape(rhs))
        return TensorType(lhs.element_type, dims)

    def inferred_type(self) -> Attribute:
        return self.infer_type(self.cond.type, self.lhs.type, self.rhs.type)

    def reference(self, cond: np.ndarray, lhs: np.ndarray, rhs: np.ndarray) -> np.ndarray:
        """``numpy.where`` of the three broadcast along their static size-1 dims."""
        c, a, b = broadcast_operands(self, [cond, lhs, rhs])
        return exactly(self, np.where(c, a, b))


class ElementwiseUnaryOp(TypedOp):
    """``%r = tir.<op> %x : tensor<..> -> tensor<..>``"""

    input = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    ACCEPTS: ClassVar[str] = "num"
    # "same", or "real": complex inputs give their real component type (abs, real, imag).
    RESULT_KIND: ClassVar[str] = "same"
    # numpy semantics: a function of the operand
    NUMPY: ClassVar[NumpyFn | None] = None
    # The op's other facts, declared here once and read by every layer:
    # THEANO: the frontend function's name (``tensor.<name>``); None: the IR name without
    # ``tir.``; "": none (the frontend builds the op itself, or it is internal).
    THEANO: ClassVar[str | None] = None
    # SYMBOL: the infix operator printers show ("+"); "": printed as a call.
    SYMBOL: ClassVar[str] = ""
    # BOOL_PROMOTES: bool operands are computed as int8 (Theano's upcast for arithmetic).
    BOOL_PROMOTES: ClassVar[bool] = False

    def __init__(self, input: SSAValue | Operation):
        input = SSAValue.get(input)
        super().__init__(operands=[input], result_types=[self.infer_type(input.type)])

    @classmethod
    def result_dtype(cls, dtype: str) -> str:
        if cls.RESULT_KIND == "real" and T.is_complex(dtype):
            return {"complex64": "float32", "complex128": "float64"}[dtype]
        return dtype

    @classmethod
    def infer_type(cls, input: Attribute) -> TensorType:
        assert isinstance(input, TensorType)
        dtype = T.dtype_of(input.element_type)
        check_accepts(cls.name, cls.ACCEPTS, dtype)
        return TensorType(T.element_type(cls.result_dtype(dtype)), input.get_shape())

    def inferred_type(self) -> Attribute:
        return self.infer_type(self.input.type)

    def reference(self, input: np.ndarray) -> np.ndarray:
        """``NUMPY`` of the operand."""
        fn = type(self).NUMPY
        assert fn is not None, f"{self.name} has no NUMPY semantics"
        return exactly(self, fn(input))


@irdl_op_definition
class NegOp(ElementwiseUnaryOp):
    """Elementwise ``-x``."""

    name = "tir.neg"
    BOOL_PROMOTES: ClassVar[bool] = True
    NUMPY: ClassVar[NumpyFn] = np.negative


@irdl_op_definition
class SgnOp(ElementwiseUnaryOp):
    """Elementwise sign: -1, 0 or 1 (NaN stays NaN), as ``numpy.sign`` on reals."""

    name = "tir.sgn"
    NUMPY: ClassVar[NumpyFn] = _sign
    ACCEPTS: ClassVar[str] = "real"


@irdl_op_definition
class ZeroGradOp(ElementwiseUnaryOp):
    """Theano's ``zero_grad`` / ``disconnected_grad``: ``x`` forward, no gradient through it.

    ``%c = tir.zero_grad %x : tensor<?xf64> -> tensor<?xf64>``
    """

    name = "tir.zero_grad"
    THEANO: ClassVar[str | None] = ""
    NUMPY: ClassVar[NumpyFn] = _identity


@irdl_op_definition
class UniformOp(ElementwiseUnaryOp):
    """Counter-based random numbers: for each int64 counter ``c``, a float64 in ``[0, 1)``
    from the SplitMix64 hash of ``c`` (53 random bits). Equal counters give equal numbers;
    ``RandomStreams`` draws from consecutive counters and advances them.

    ``%u = tir.uniform %counters : tensor<?xi64> -> tensor<?xf64>``
    """

    name = "tir.uniform"
    THEANO: ClassVar[str | None] = ""
    NUMPY: ClassVar[NumpyFn] = splitmix_unit
    ACCEPTS: ClassVar[str] = "int"

    @classmethod
    def result_dtype(cls, dtype: str) -> str:
        return "float64"


@irdl_op_definition
class AbsOp(ElementwiseUnaryOp):
    """Elementwise ``|x|`` (complex: the modulus, a real)."""

    name = "tir.abs"
    NUMPY: ClassVar[NumpyFn] = np.abs
    RESULT_KIND: ClassVar[str] = "real"


@irdl_op_definition
class SqrOp(ElementwiseUnaryOp):
    """Elementwise ``x * x``."""

    name = "tir.sqr"
    BOOL_PROMOTES: ClassVar[bool] = True
    NUMPY: ClassVar[NumpyFn] = _square


@irdl_op_definition
class ExpOp(ElementwiseUnaryOp):
    """Elementwise ``exp(x)``."""

    name = "tir.exp"
    NUMPY: ClassVar[NumpyFn] = np.exp
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class LogOp(ElementwiseUnaryOp):
    """Elementwise natural logarithm."""

    name = "tir.log"
    NUMPY: ClassVar[NumpyFn] = np.log
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class SqrtOp(ElementwiseUnaryOp):
    """Elementwise square root."""

    name = "tir.sqrt"
    NUMPY: ClassVar[NumpyFn] = np.sqrt
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class TanhOp(ElementwiseUnaryOp):
    """Elementwise hyperbolic tangent."""

    name = "tir.tanh"
    NUMPY: ClassVar[NumpyFn] = np.tanh
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class SinOp(ElementwiseUnaryOp):
    """Elementwise sine."""

    name = "tir.sin"
    NUMPY: ClassVar[NumpyFn] = np.sin
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class CosOp(ElementwiseUnaryOp):
    """Elementwise cosine."""

    name = "tir.cos"
    NUMPY: ClassVar[NumpyFn] = np.cos
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class Log1pOp(ElementwiseUnaryOp):
    """Elementwise ``log(1 + x)``, accurate near 0."""

    name = "tir.log1p"
    NUMPY: ClassVar[NumpyFn] = np.log1p
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class Expm1Op(ElementwiseUnaryOp):
    """Elementwise ``exp(x) - 1``, accurate near 0."""

    name = "tir.expm1"
    NUMPY: ClassVar[NumpyFn] = np.expm1
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class Log2Op(ElementwiseUnaryOp):
    """Elementwise base-2 logarithm."""

    name = "tir.log2"
    NUMPY: ClassVar[NumpyFn] = np.log2
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class Log10Op(ElementwiseUnaryOp):
    """Elementwise base-10 logarithm."""

    name = "tir.log10"
    NUMPY: ClassVar[NumpyFn] = np.log10
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class Exp2Op(ElementwiseUnaryOp):
    """Elementwise ``2 ** x``."""

    name = "tir.exp2"
    NUMPY: ClassVar[NumpyFn] = np.exp2
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class TanOp(ElementwiseUnaryOp):
    """Elementwise tangent."""

    name = "tir.tan"
    NUMPY: ClassVar[NumpyFn] = np.tan
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class ArcsinOp(ElementwiseUnaryOp):
    """Elementwise inverse sine."""

    name = "tir.arcsin"
    NUMPY: ClassVar[NumpyFn] = np.arcsin
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class ArccosOp(ElementwiseUnaryOp):
    """Elementwise inverse cosine."""

    name = "tir.arccos"
    NUMPY: ClassVar[NumpyFn] = np.arccos
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class ArctanOp(ElementwiseUnaryOp):
    """Elementwise inverse tangent."""

    name = "tir.arctan"
    NUMPY: ClassVar[NumpyFn] = np.arctan
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class SinhOp(ElementwiseUnaryOp):
    """Elementwise hyperbolic sine."""

    name = "tir.sinh"
    NUMPY: ClassVar[NumpyFn] = np.sinh
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class CoshOp(ElementwiseUnaryOp):
    """Elementwise hyperbolic cosine."""

    name = "tir.cosh"
    NUMPY: ClassVar[NumpyFn] = np.cosh
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class ErfOp(ElementwiseUnaryOp):
    """Elementwise the error function."""

    name = "tir.erf"
    NUMPY: ClassVar[NumpyFn] = _erf
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class FloorOp(ElementwiseUnaryOp):
    """Elementwise rounding down (float in, float out, as numpy)."""

    name = "tir.floor"
    NUMPY: ClassVar[NumpyFn] = np.floor
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class CeilOp(ElementwiseUnaryOp):
    """Elementwise rounding up."""

    name = "tir.ceil"
    NUMPY: ClassVar[NumpyFn] = np.ceil
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class RoundHalfToEvenOp(ElementwiseUnaryOp):
    """Elementwise rounding to the nearest, ties to even (``numpy.round``)."""

    name = "tir.round_half_to_even"
    NUMPY: ClassVar[NumpyFn] = np.rint
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class RoundHalfAwayFromZeroOp(ElementwiseUnaryOp):
    """Elementwise rounding to the nearest, ties away from zero."""

    name = "tir.round_half_away_from_zero"
    NUMPY: ClassVar[NumpyFn] = _round_half_away_from_zero
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class TruncOp(ElementwiseUnaryOp):
    """Elementwise rounding towards zero."""

    name = "tir.trunc"
    NUMPY: ClassVar[NumpyFn] = np.trunc
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class SigmoidOp(ElementwiseUnaryOp):
    """Elementwise logistic function ``1 / (1 + exp(-x))``, computed from ``exp(-|x|)`` so
    that it neither overflows nor loses the tiny values of large negative ``x``."""

    name = "tir.sigmoid"
    NUMPY: ClassVar[NumpyFn] = _sigmoid
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class SoftplusOp(ElementwiseUnaryOp):
    """Elementwise ``log(1 + exp(x))``, computed as ``max(x, 0) + log1p(exp(-|x|))``: finite
    for every finite ``x`` and accurate where it is tiny (``x`` far below 0).

    ``%s = tir.softplus %x : tensor<?xf64> -> tensor<?xf64>``
    """

    name = "tir.softplus"
    NUMPY: ClassVar[NumpyFn] = _softplus
    ACCEPTS: ClassVar[str] = "realfloat"


@irdl_op_definition
class RealOp(ElementwiseUnaryOp):
    """Real part of a complex tensor."""

    name = "tir.real"
    NUMPY: ClassVar[NumpyFn] = np.real
    ACCEPTS: ClassVar[str] = "complex"
    RESULT_KIND: ClassVar[str] = "real"


@irdl_op_definition
class ImagOp(ElementwiseUnaryOp):
    """Imaginary part of a complex tensor."""

    name = "tir.imag"
    NUMPY: ClassVar[NumpyFn] = np.imag
    ACCEPTS: ClassVar[str] = "complex"
    RESULT_KIND: ClassVar[str] = "real"


@irdl_op_definition
class CastOp(IRDLOperation):
    """Elementwise conversion to another element type, as numpy's ``astype``.

    ``%r = tir.cast %x : tensor<?xf32> -> tensor<?xf64>``
    """

    name = "tir.cast"
    input = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue | Operation, dtype: str):
        input = SSAValue.get(input)
        super().__init__(operands=[input], result_types=[self.infer_type(input.type, dtype)])

    @staticmethod
    def infer_type(input: Attribute, dtype: str) -> TensorType:
        assert isinstance(input, TensorType)
        src = T.dtype_of(input.element_type)
        if T.is_complex(src) and not T.is_complex(dtype):
            raise VerifyException(
                f"tir.cast: cannot cast complex {src} to {dtype}; take tir.real or tir.abs first"
            )
        return TensorType(T.element_type(dtype), input.get_shape())

    def verify_(self) -> None:
        assert isinstance(self.input.type, TensorType)
        assert isinstance(self.result.type, TensorType)
        if self.input.type.get_shape() != self.result.type.get_shape():
            raise VerifyException("tir.cast: input and result shapes differ")
        self.infer_type(self.input.type, T.dtype_of(self.result.type.element_type))

    def reference(self, input: np.ndarray) -> np.ndarray:
        """numpy's ``astype`` (see ``astype`` for bool and saturating float -> int)."""
        return astype(input, np_dtype(self.result.type))


# --------------------------------------------------------------------------- constants


@irdl_op_definition
class ConstantOp(IRDLOperation):
    """A constant tensor. Its type is Theano's: size-1 dims broadcastable, others dynamic.

    ``%c = tir.constant dense<[1.0, 2.0]> : tensor<2xf64> -> tensor<?xf64>``
    """

    name = "tir.constant"
    value = prop_def(DenseIntOrFPElementsAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$value attr-dict `->` type($result)"

    def __init__(self, value: DenseIntOrFPElementsAttr, result_type: TensorType):
        super().__init__(properties={"value": value}, result_types=[result_type])

    def verify_(self) -> None:
        vt = self.value.get_type()
        rt = self.result.type
        assert isinstance(rt, TensorType)
        if vt.element_type != rt.element_type:
            raise VerifyException(
                f"tir.constant: value element type {vt.element_type} differs from "
                f"result element type {rt.element_type}"
            )
        vshape, rshape = tuple(vt.get_shape()), tuple(rt.get_shape())
        if len(vshape) != len(rshape) or any(
            r != DYNAMIC_INDEX and r != v for v, r in zip(vshape, rshape, strict=True)
        ):
            raise VerifyException(
                f"tir.constant: value shape {_fmt_shape(vshape)} does not fit "
                f"result shape {_fmt_shape(rshape)}"
            )

    def reference(self) -> np.ndarray:
        """The value, of its own shape (i1 elements may be stored as -1: true is non-zero)."""
        vt = self.value.get_type()
        dtype = np_dtype(vt)
        values: list[Any] = list(self.value.get_values())
        if dtype.kind == "c":
            values = [complex(re, im) for re, im in values]
        shape = tuple(vt.get_shape())
        if dtype == np.bool_:
            return np.asarray(values, dtype=np.int64).reshape(shape) != 0
        return np.asarray(values, dtype=dtype).reshape(shape)


# --------------------------------------------------------------------------- shape ops


@irdl_op_definition
class DimShuffleOp(TypedOp):
    """Theano's DimShuffle: permute dims, drop broadcastable dims, insert broadcastable ones.

    ``pattern`` lists, for each result dim, the input dim it takes, or -1 for a new
    broadcastable dim (Theano's ``'x'``). Input dims left out must be broadcastable.

    ``%t = tir.dimshuffle %m {pattern = array<i64: 1, -1, 0>}
    : tensor<?x?xf64> -> tensor<?x1x?xf64>``
    """

    name = "tir.dimshuffle"
    input = operand_def(TensorType)
    pattern = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue | Operation, pattern: Sequence[int]):
        input = SSAValue.get(input)
        super().__init__(
            operands=[input],
            properties={"pattern": DenseArrayBase.from_list(i64, list(pattern))},
            result_types=[self.infer_type(input.type, pattern)],
        )

    @staticmethod
    def infer_type(input: Attribute, pattern: Sequence[int]) -> TensorType:
        assert isinstance(input, TensorType)
        shape = tuple(input.get_shape())
        used = [p for p in pattern if p != -1]
        if len(set(used)) != len(used) or any(p < -1 or p >= len(shape) for p in pattern):
            raise VerifyException(
                f"tir.dimshuffle: pattern {list(pattern)} is not valid for rank {len(shape)}"
            )
        for d in range(len(shape)):
            if d not in used and shape[d] != 1:
                raise VerifyException(
                    f"tir.dimshuffle: cannot drop dim {d} of shape {_fmt_shape(shape)}: "
                    "it is not broadcastable"
                )
        return TensorType(input.element_type, [1 if p == -1 else shape[p] for p in pattern])

    def get_pattern(self) -> tuple[int, ...]:
        return tuple(self.pattern.get_values())  # type: ignore[arg-type]

    def inferred_type(self) -> Attribute:
        return self.infer_type(self.input.type, self.get_pattern())

    def reference(self, input: np.ndarray) -> np.ndarray:
        """Drop the dims left out (size 1), permute the others, insert the new ones."""
        pattern = self.get_pattern()
        kept = [p for p in pattern if p != -1]
        dropped = tuple(d for d in range(input.ndim) if d not in kept)
        squeezed = np.squeeze(input, axis=dropped) if dropped else input
        order = sorted(kept)
        moved = np.transpose(squeezed, [order.index(p) for p in kept])
        return moved.reshape([1 if p == -1 else input.shape[p] for p in pattern])


@irdl_op_definition
class ReshapeOp(IRDLOperation):
    """Reshape to the given sizes (one ``index`` operand per result dim), keeping the
    row-major element order. The sizes are final: the frontend resolves ``-1``. On memrefs
    (after bufferization) it is a view of the same buffer.

    ``%r = tir.reshape %x(%n, %m) : (tensor<?xf64>, index, index) -> tensor<?x?xf64>``
    """

    name = "tir.reshape"
    input = operand_def(ShapedT)
    sizes = var_operand_def(IndexType)
    result = result_def(ShapedT)
    traits = traits_def(Pure())
    assembly_format = (
        "$input `(` $sizes `)` attr-dict `:` `(` type($input) (`,` type($sizes)^)? `)` "
        "`->` type($result)"
    )

    def __init__(
        self, input: SSAValue | Operation, sizes: Sequence[SSAValue], result_type: Attribute
    ):
        super().__init__(operands=[input, list(sizes)], result_types=[result_type])

    @staticmethod
    def infer_type(
        input: Attribute,
        *size_operands: Attribute,
        sizes: Sequence[int | None] | None = None,
        outdim: int | None = None,
        broadcastable: Sequence[bool] | None = None,
    ) -> TensorType:
        """The result type of the frontend's three reshapes (exactly one keyword given):
        to ``sizes`` (ints, -1 resolved at run time, None: a size operand), a dim of static
        size 1 broadcastable; ``flatten`` to ``outdim`` dims (the last is broadcastable only
        if every dim it collapses is); ``unbroadcast`` to ``broadcastable`` (same rank, a
        broadcastable dim may become dynamic, never the other way)."""
        assert isinstance(input, TensorType)
        shape = _shape(input)
        if sizes is not None:
            dims = [1 if s == 1 else DYNAMIC_INDEX for s in sizes]
        elif outdim is not None:
            if not 1 <= outdim <= max(len(shape), 1):
                raise VerifyException(f"tir.reshape: cannot flatten {len(shape)} dims to {outdim}")
            last = all(d == 1 for d in shape[outdim - 1 :])
            dims = [1 if d == 1 else DYNAMIC_INDEX for d in shape[: outdim - 1]]
            dims.append(1 if last else DYNAMIC_INDEX)
        else:
            assert broadcastable is not None
            if len(broadcastable) != len(shape) or any(
                b and d != 1 for b, d in zip(broadcastable, shape, strict=True)
            ):
                raise VerifyException(
                    f"tir.reshape: cannot unbroadcast {input} to broadcastable "
                    f"{tuple(broadcastable)}"
                )
            dims = [1 if b else DYNAMIC_INDEX for b in broadcastable]
        return TensorType(input.element_type, dims)

    def verify_(self) -> None:
        it, rt = self.input.type, self.result.type
        assert isinstance(it, TensorType | MemRefType) and isinstance(rt, TensorType | MemRefType)
        if type(it) is not type(rt):
            raise VerifyException("tir.reshape: input and result must both be tensors or memrefs")
        if it.element_type != rt.element_type:
            raise VerifyException("tir.reshape: element types differ")
        if len(self.sizes) != len(rt.get_shape()):
            raise VerifyException(
                f"tir.reshape: {len(self.sizes)} sizes for a result of rank {len(rt.get_shape())}"
            )

    def reference(self, input: np.ndarray, *sizes: np.ndarray) -> np.ndarray:
        """numpy's ``reshape`` (row-major; one size may be -1): a shape numpy refuses, or one
        that contradicts a static size of the result type, is a ValueError."""
        shape = [int(s) for s in sizes]
        if any(s < -1 for s in shape) or shape.count(-1) > 1:
            raise ValueError(
                f"reshape: invalid shape {tuple(shape)}: negative dimensions are not allowed, "
                "and only one may be -1 (unknown)"
            )
        out = np.reshape(input, shape)
        for got, static in zip(out.shape, _shape(self.result.type), strict=True):
            if static != DYNAMIC_INDEX and got != static:
                static_shape = _fmt_shape(_shape(self.result.type))
                raise ValueError(
                    f"reshape: cannot reshape array of size {input.size} into shape "
                    f"{tuple(shape)} (the result has static shape {static_shape})"
                )
        return out


# --------------------------------------------------------------------------- reductions


def check_axes(op_name: str, axes: Sequence[int], rank: int) -> None:
    if list(axes) != sorted(set(axes)) or any(a < 0 or a >= rank for a in axes):
        raise VerifyException(
            f"{op_name}: axes {list(axes)} must be sorted, distinct and within rank {rank}"
        )


class ReduceOp(TypedOp):
    """Reduce over ``axes`` (sorted, distinct), dropping them from the result.

    ``%s = tir.sum %x {axes = array<i64: 0>} : tensor<?x?xf64> -> tensor<?xf64>``
    """

    input = operand_def(TensorType)
    axes = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    ACCEPTS: ClassVar[str] = "num"
    # "same", "acc" (sum/prod: small ints and bool accumulate in int64, as numpy),
    # "float" (mean: ints give float64).
    RESULT_KIND: ClassVar[str] = "same"
    # numpy semantics: f(x, axis=axes, dtype=result dtype)
    NUMPY: ClassVar[NumpyFn | None] = None

    def __init__(self, input: SSAValue | Operation, axes: Sequence[int]):
        input = SSAValue.get(input)
        super().__init__(
            operands=[input],
            properties={"axes": DenseArrayBase.from_list(i64, list(axes))},
            result_types=[self.infer_type(input.type, axes)],
        )

    @classmethod
    def result_dtype(cls, dtype: str) -> str:
        if cls.RESULT_KIND == "acc" and (T.is_int(dtype) or dtype == "bool"):
            return "int64"
        if cls.RESULT_KIND == "float" and (T.is_int(dtype) or dtype == "bool"):
            return "float64"
        return dtype

    @classmethod
    def infer_type(cls, input: Attribute, axes: Sequence[int]) -> TensorType:
        assert isinstance(input, TensorType)
        shape = tuple(input.get_shape())
        check_axes(cls.name, axes, len(shape))
        dtype = T.dtype_of(input.element_type)
        check_accepts(cls.name, cls.ACCEPTS, dtype)
        kept = [d for i, d in enumerate(shape) if i not in axes]
        return TensorType(T.element_type(cls.result_dtype(dtype)), kept)

    def get_axes(self) -> tuple[int, ...]:
        return tuple(self.axes.get_values())  # type: ignore[arg-type]

    def inferred_type(self) -> Attribute:
        return self.infer_type(self.input.type, self.get_axes())

    def reference(self, input: np.ndarray) -> np.ndarray:
        """``NUMPY`` over the axes, accumulating in the result dtype."""
        fn = type(self).NUMPY
        assert fn is not None, f"{self.name} has no NUMPY semantics"
        dtype = np_dtype(self.result.type)
        return exactly(self, fn(input, axis=self.get_axes(), dtype=dtype))


@irdl_op_definition
class SumOp(ReduceOp):
    """Sum over ``axes``."""

    name = "tir.sum"
    NUMPY: ClassVar[NumpyFn] = np.sum
    RESULT_KIND: ClassVar[str] = "acc"


@irdl_op_definition
class ProdOp(ReduceOp):
    """Product over ``axes``."""

    name = "tir.prod"
    NUMPY: ClassVar[NumpyFn] = np.prod
    RESULT_KIND: ClassVar[str] = "acc"


@irdl_op_definition
class MaxOp(ReduceOp):
    """Maximum over ``axes``; an empty reduction raises at run time, as numpy."""

    name = "tir.max"
    NUMPY: ClassVar[NumpyFn] = _max
    ACCEPTS: ClassVar[str] = "real"


@irdl_op_definition
class MinOp(ReduceOp):
    """Minimum over ``axes``; an empty reduction raises at run time, as numpy."""

    name = "tir.min"
    NUMPY: ClassVar[NumpyFn] = _min
    ACCEPTS: ClassVar[str] = "real"


@irdl_op_definition
class MeanOp(ReduceOp):
    """Mean over ``axes`` (sum divided by the number of reduced elements)."""

    name = "tir.mean"
    NUMPY: ClassVar[NumpyFn] = _mean
    RESULT_KIND: ClassVar[str] = "float"


# --------------------------------------------------------------------------- classifier ops


class AxisOp(TypedOp):
    """An op along one ``axis`` of a float tensor."""

    input = operand_def(TensorType)
    axis = prop_def(IntegerAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue | Operation, axis: int):
        input = SSAValue.get(input)
        super().__init__(
            operands=[input],
            properties={"axis": IntegerAttr(axis, i64)},
            result_types=[self.infer_type(input.type, axis)],
        )

    @classmethod
    def check_axis(cls, input: Attribute, axis: int) -> TensorType:
        assert isinstance(input, TensorType)
        rank = len(input.get_shape())
        if not 0 <= axis < rank:
            raise VerifyException(f"{cls.name}: axis {axis} is out of range for rank {rank}")
        return input

    @classmethod
    def infer_type(cls, input: Attribute, axis: int) -> TensorType:
        t = cls.check_axis(input, axis)
        if not T.is_float(T.dtype_of(t.element_type)):
            raise VerifyException(f"{cls.name}: element type {t.element_type} is not a float")
        return t

    def get_axis(self) -> int:
        return self.axis.value.data

    def inferred_type(self) -> Attribute:
        return self.infer_type(self.input.type, self.get_axis())

    # numpy semantics: f(x, axis)
    NUMPY: ClassVar[NumpyFn | None] = None

    def reference(self, input: np.ndarray) -> np.ndarray:
        """``NUMPY`` along the axis."""
        fn = type(self).NUMPY
        assert fn is not None, f"{self.name} has no NUMPY semantics"
        return exactly(self, fn(input, self.get_axis()))


@irdl_op_definition
class SoftmaxOp(AxisOp):
    """``exp(x - max) / sum(exp(x - max))`` along ``axis`` (Theano's ``nnet.softmax``).

    ``%p = tir.softmax %x {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>``
    """

    name = "tir.softmax"
    NUMPY: ClassVar[NumpyFn] = _softmax


@irdl_op_definition
class LogSoftmaxOp(AxisOp):
    """``x - max - log(sum(exp(x - max)))`` along ``axis``: ``log(softmax(x))`` computed
    without underflow (the ``tir-stabilize`` pass rewrites the one into the other).

    ``%l = tir.log_softmax %x {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>``
    """

    name = "tir.log_softmax"
    NUMPY: ClassVar[NumpyFn] = _log_softmax


class ArgOp(AxisOp):
    """The index (int64) of the first extremum along ``axis`` (numpy's semantics: a NaN counts
    as the extremum); an empty axis raises at run time."""

    @classmethod
    def infer_type(cls, input: Attribute, axis: int) -> TensorType:
        t = cls.check_axis(input, axis)
        if T.is_complex(T.dtype_of(t.element_type)):
            raise VerifyException(f"{cls.name}: complex numbers are not ordered")
        return TensorType(i64, [d for k, d in enumerate(t.get_shape()) if k != axis])


@irdl_op_definition
class ArgmaxOp(ArgOp):
    """``numpy.argmax`` along ``axis``.

    ``%i = tir.argmax %x {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?xi64>``
    """

    name = "tir.argmax"
    NUMPY: ClassVar[NumpyFn] = _argmax


@irdl_op_definition
class ArgminOp(ArgOp):
    """``numpy.argmin`` along ``axis``.

    ``%i = tir.argmin %x {axis = 0 : i64} : tensor<?xf64> -> tensor<i64>``
    """

    name = "tir.argmin"
    NUMPY: ClassVar[NumpyFn] = _argmin


# --------------------------------------------------------------------------- linear algebra


@irdl_op_definition
class DotOp(TypedOp):
    """``numpy.dot`` of vectors and matrices: vector.vector -> scalar, matrix.vector ->
    vector, vector.matrix -> vector, matrix.matrix -> matrix. The contracted dims must agree
    at run time.

    ``%c = tir.dot %a, %b : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>``
    """

    name = "tir.dot"
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = (
        "$lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($result)"
    )

    def __init__(self, lhs: SSAValue | Operation, rhs: SSAValue | Operation):
        lhs, rhs = SSAValue.get(lhs), SSAValue.get(rhs)
        super().__init__(operands=[lhs, rhs], result_types=[self.infer_type(lhs.type, rhs.type)])

    @staticmethod
    def infer_type(lhs: Attribute, rhs: Attribute) -> TensorType:
        assert isinstance(lhs, TensorType) and isinstance(rhs, TensorType)
        if lhs.element_type != rhs.element_type:
            raise VerifyException(
                f"tir.dot: operands must have the same element type, got "
                f"{lhs.element_type} and {rhs.element_type}"
            )
        ls, rs = tuple(lhs.get_shape()), tuple(rhs.get_shape())
        if len(ls) not in (1, 2) or len(rs) not in (1, 2):
            raise VerifyException(
                f"tir.dot: operands must be vectors or matrices, got ranks {len(ls)} and {len(rs)}"
            )
        shape = list(ls[:-1]) + list(rs[1:])
        return TensorType(lhs.element_type, shape)

    def inferred_type(self) -> Attribute:
        return self.infer_type(self.lhs.type, self.rhs.type)

    def reference(self, lhs: np.ndarray, rhs: np.ndarray) -> np.ndarray:
        """``numpy.dot`` (integers wrap); contracted dims that differ are a ValueError."""
        if lhs.shape[-1] != rhs.shape[0]:
            raise ValueError(
                f"dot: shapes {lhs.shape} and {rhs.shape} not aligned: {lhs.shape[-1]} "
                f"(dim {lhs.ndim - 1}) != {rhs.shape[0]} (dim 0)"
            )
        return exactly(self, np.dot(lhs, rhs))


@irdl_op_definition
class SizeOp(ReduceOp):
    """The number of elements of ``input`` along ``axes`` (all of them: its size), as an
    int64 scalar: Theano's ``x.size`` or ``prod(x.shape[axes])``. Only the input's shape
    matters.

    ``%n = tir.size %x {axes = array<i64: 0, 1>} : tensor<?x?xf64> -> tensor<i64>``
    """

    name = "tir.size"
    NUMPY: ClassVar[NumpyFn] = _size

    @classmethod
    def infer_type(cls, input: Attribute, axes: Sequence[int]) -> TensorType:
        assert isinstance(input, TensorType)
        check_axes(cls.name, axes, len(input.get_shape()))
        return TensorType(i64, [])


# --------------------------------------------------------------------------- indexing

SLICE_START, SLICE_STOP, SLICE_STEP = 1, 2, 4
# a slice of a size-1 dim known to keep its element (start 0 or none, stop >= 1 or none, no
# step): the part's dim stays size 1 (broadcastable), as Theano's x[0:1] on a row
SLICE_UNIT = 8
INDEX = -1


def _index_kinds_check(op_name: str, kinds: Sequence[int], rank: int, n_bounds: int) -> None:
    if len(kinds) > rank:
        raise VerifyException(f"{op_name}: {len(kinds)} indices for a tensor of rank {rank}")
    expected = sum(1 if k == INDEX else bin(k & 7).count("1") for k in kinds)
    if any(k != INDEX and not 0 <= k <= 15 for k in kinds):
        raise VerifyException(f"{op_name}: invalid index kinds {list(kinds)}")
    if expected != n_bounds:
        raise VerifyException(
            f"{op_name}: index kinds {list(kinds)} take {expected} bounds, got {n_bounds}"
        )


def _check_bounds_types(op_name: str, bounds: Sequence[Attribute]) -> None:
    for t in bounds:
        assert isinstance(t, TensorType)
        if t.get_shape() or not T.is_int(T.dtype_of(t.element_type)):
            raise VerifyException(f"{op_name}: indices and bounds must be integer scalars, got {t}")


def subtensor_type(x: Attribute, kinds: Sequence[int]) -> TensorType:
    """Basic indexing: an integer index drops its dim; a slice keeps it (size 1 only for a
    full slice of a size-1 dim, or one marked ``SLICE_UNIT``); dims after the indexed ones
    stay."""
    assert isinstance(x, TensorType)
    shape = list(x.get_shape())
    out: list[int] = []
    for d, size in enumerate(shape):
        if d < len(kinds):
            if kinds[d] == INDEX:
                continue
            if kinds[d] & SLICE_UNIT and size != 1:
                raise VerifyException(
                    f"tir.subtensor: dim {d} is marked to keep size 1 but has size "
                    f"{'?' if size == DYNAMIC_INDEX else size}"
                )
            unit = size == 1 and (kinds[d] == 0 or kinds[d] & SLICE_UNIT)
            out.append(1 if unit else DYNAMIC_INDEX)
        else:
            out.append(size)
    return TensorType(x.element_type, out)


@irdl_op_definition
class SubtensorOp(IRDLOperation):
    """Basic indexing ``x[i, a:b:c, ...]`` with Python's semantics: ``kinds`` has one entry per
    indexed leading dim: -1 for an integer index (one bound), else a slice whose bitmask
    says which of start (1), stop (2) and step (4) are given, in that order, as ``bounds``
    (integer scalars). Negative indices count from the end; slice bounds are clamped; an
    index out of range raises IndexError and a zero step ValueError at run time.

    ``%r = tir.subtensor %x[%i, %lo, %hi] {kinds = array<i64: -1, 3>}
    : (tensor<?x?xf64>, tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xf64>``
    """

    name = "tir.subtensor"
    input = operand_def(TensorType)
    bounds = var_operand_def(TensorType)
    kinds = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$input `[` $bounds `]` attr-dict `:` `(` type($input) (`,` type($bounds)^)? `)` "
        "`->` type($result)"
    )

    def __init__(self, input: SSAValue, bounds: Sequence[SSAValue], kinds: Sequence[int]):
        super().__init__(
            operands=[input, list(bounds)],
            properties={"kinds": DenseArrayBase.from_list(i64, list(kinds))},
            result_types=[self.infer_type(input.type, *(b.type for b in bounds), kinds=kinds)],
        )

    @staticmethod
    def infer_type(x: Attribute, *bounds: Attribute, kinds: Sequence[int]) -> TensorType:
        assert isinstance(x, TensorType)
        _index_kinds_check("tir.subtensor", kinds, len(x.get_shape()), len(bounds))
        _check_bounds_types("tir.subtensor", bounds)
        return subtensor_type(x, kinds)

    def get_kinds(self) -> tuple[int, ...]:
        return tuple(self.kinds.get_values())  # type: ignore[arg-type]

    def verify_(self) -> None:
        t = self.infer_type(self.input.type, *(b.type for b in self.bounds), kinds=self.get_kinds())
        if self.result.type != t:
            raise VerifyException(f"tir.subtensor: result type should be {t}")

    def reference(self, input: np.ndarray, *bounds: np.ndarray) -> np.ndarray:
        """numpy's basic indexing ``x[i, a:b:c, ...]`` (IndexError, ValueError for a zero
        step, as Python)."""
        return np.asarray(input[basic_index(self.get_kinds(), bounds)])


@irdl_op_definition
class IncSubtensorOp(IRDLOperation):
    """Theano's ``inc_subtensor`` / ``set_subtensor``: a copy of ``x`` whose part
    ``x[bounds...]`` (as ``tir.subtensor``) is incremented by (``set`` false) or set to
    ``value``, which broadcasts to that part's shape.

    ``%r = tir.inc_subtensor %x[%lo, %hi], %v {kinds = array<i64: 3>, set = false}
    : (tensor<?xf64>, tensor<?xf64>, tensor<i64>, tensor<i64>) -> tensor<?xf64>``
    """

    name = "tir.inc_subtensor"
    input = operand_def(TensorType)
    bounds = var_operand_def(TensorType)
    value = operand_def(TensorType)
    kinds = prop_def(DenseArrayBase)
    set = prop_def(IntegerAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$input `[` $bounds `]` `,` $value attr-dict `:` `(` type($input) `,` type($value) "
        "(`,` type($bounds)^)? `)` `->` type($result)"
    )

    @staticmethod
    def infer_type(x: Attribute, *rest: Attribute, **props: Any) -> Attribute:
        """The input's type."""
        return x

    def __init__(
        self,
        input: SSAValue,
        bounds: Sequence[SSAValue],
        value: SSAValue,
        kinds: Sequence[int],
        set: bool = False,
    ):
        super().__init__(
            operands=[input, list(bounds), value],
            properties={
                "kinds": DenseArrayBase.from_list(i64, list(kinds)),
                "set": IntegerAttr(int(set), i1),
            },
            result_types=[input.type],
        )

    def get_kinds(self) -> tuple[int, ...]:
        return tuple(self.kinds.get_values())  # type: ignore[arg-type]

    def is_set(self) -> bool:
        return bool(self.set.value.data)

    def verify_(self) -> None:
        part = SubtensorOp.infer_type(
            self.input.type, *(b.type for b in self.bounds), kinds=self.get_kinds()
        )
        v = self.value.type
        assert isinstance(v, TensorType)
        if v.element_type != part.element_type:
            raise VerifyException("tir.inc_subtensor: value and input element types differ")
        if len(v.get_shape()) != len(part.get_shape()):
            raise VerifyException(
                f"tir.inc_subtensor: value of rank {len(v.get_shape())} for a part of rank "
                f"{len(part.get_shape())}"
            )
        if self.result.type != self.input.type:
            raise VerifyException("tir.inc_subtensor: result type must be the input's")

    def reference(self, input: np.ndarray, *rest: np.ndarray) -> np.ndarray:
        """A copy of ``x`` with ``x[...] += value`` (or ``= value``); the value stretches
        along the static size-1 dims of its type only (else ValueError)."""
        *bounds, value = rest
        out = np.array(input)
        key = basic_index(self.get_kinds(), bounds)
        part = np.asarray(out[key])
        static = _shape(self.value.type)
        if any(s != 1 and v != p for s, v, p in zip(static, value.shape, part.shape, strict=True)):
            kind = "set" if self.is_set() else "inc"
            raise ValueError(
                f"{kind}_subtensor: a value of shape {value.shape} does not fit a part of "
                f"shape {part.shape}"
            )
        value = np.broadcast_to(value, part.shape)
        out[key] = value if self.is_set() else np.add(part, value)
        return out


def _check_index_arrays(op_name: str, x: Attribute, indices: Sequence[Attribute]) -> TensorType:
    """Integer index tensors of one type, indexing the leading dims of ``x``: the result is
    the indices' shape followed by the remaining dims of ``x``."""
    assert isinstance(x, TensorType)
    if not indices:
        raise VerifyException(f"{op_name}: needs at least one index tensor")
    if len(indices) > len(x.get_shape()):
        raise VerifyException(
            f"{op_name}: {len(indices)} index tensors for a tensor of rank {len(x.get_shape())}"
        )
    first = indices[0]
    assert isinstance(first, TensorType)
    for t in indices:
        assert isinstance(t, TensorType)
        if not T.is_int(T.dtype_of(t.element_type)):
            raise VerifyException(f"{op_name}: index tensors must be integers, got {t}")
        if t.get_shape() != first.get_shape():
            raise VerifyException(
                f"{op_name}: index tensors must have one shape (broadcast them first), got "
                f"{first} and {t}"
            )
    return TensorType(x.element_type, [*first.get_shape(), *x.get_shape()[len(indices) :]])


@irdl_op_definition
class GatherOp(IRDLOperation):
    """Advanced integer indexing of the leading dims (Theano's ``AdvancedSubtensor``):
    ``result[p, ...] = x[i0[p], i1[p], ..., ...]`` for every position ``p`` of the index
    tensors (all of one shape). Negative indices count from the end; out-of-range ones raise
    IndexError at run time.

    ``%r = tir.gather %x[%rows, %cols] : (tensor<?x?xf64>, tensor<?xi64>, tensor<?xi64>)
    -> tensor<?xf64>``
    """

    name = "tir.gather"
    input = operand_def(TensorType)
    indices = var_operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = (
        "$input `[` $indices `]` attr-dict `:` `(` type($input) `,` type($indices) `)` "
        "`->` type($result)"
    )

    def __init__(self, input: SSAValue, indices: Sequence[SSAValue]):
        super().__init__(
            operands=[input, list(indices)],
            result_types=[self.infer_type(input.type, *(i.type for i in indices))],
        )

    @staticmethod
    def infer_type(x: Attribute, *indices: Attribute) -> TensorType:
        return _check_index_arrays("tir.gather", x, indices)

    def verify_(self) -> None:
        t = self.infer_type(self.input.type, *(i.type for i in self.indices))
        if self.result.type != t:
            raise VerifyException(f"tir.gather: result type should be {t}")

    def reference(self, input: np.ndarray, *indices: np.ndarray) -> np.ndarray:
        """numpy's ``x[i0, i1, ...]`` with index arrays of one shape."""
        return input[index_arrays("advanced indexing", input, indices)]


class ScatterBase(IRDLOperation):
    """A copy of ``x`` written at ``x[i0[p], i1[p], ..., ...]`` with each ``value[p, ...]``;
    ``value`` has the shape of ``tir.gather``'s result for these indices."""

    input = operand_def(TensorType)
    indices = var_operand_def(TensorType)
    value = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = (
        "$input `[` $indices `]` `,` $value attr-dict `:` `(` type($input) `,` type($value) "
        "`,` type($indices) `)` `->` type($result)"
    )

    # numpy semantics: f(out, index arrays, value) writes the value into out
    NUMPY: ClassVar[NumpyFn | None] = None

    @staticmethod
    def infer_type(x: Attribute, *rest: Attribute) -> Attribute:
        """The input's type."""
        return x

    def __init__(self, input: SSAValue, indices: Sequence[SSAValue], value: SSAValue):
        super().__init__(operands=[input, list(indices), value], result_types=[input.type])

    def reference(self, input: np.ndarray, *rest: np.ndarray) -> np.ndarray:
        """A copy of ``x`` written by ``NUMPY`` at the indexed positions; the value must have
        the gathered part's shape exactly (ValueError)."""
        fn = type(self).NUMPY
        assert fn is not None, f"{self.name} has no NUMPY semantics"
        *indices, value = rest
        name = self.name.removeprefix("tir.")
        same_shapes(name, indices)  # in the generated code's order: shapes, then indices
        expected = indices[0].shape + input.shape[len(indices) :]
        if value.shape != expected:
            raise ValueError(
                f"{name}: a value of shape {value.shape} does not fit the indexed part of "
                f"shape {expected}"
            )
        out = np.array(input)
        fn(out, index_arrays(name, input, indices), value)
        return out

    def verify_(self) -> None:
        part = _check_index_arrays(self.name, self.input.type, [i.type for i in self.indices])
        v = self.value.type
        assert isinstance(v, TensorType)
        if v.element_type != part.element_type or len(v.get_shape()) != len(part.get_shape()):
            raise VerifyException(
                f"{self.name}: value must be like the gathered part {part}, got {v}"
            )
        if self.result.type != self.input.type:
            raise VerifyException(f"{self.name}: result type must be the input's")


@irdl_op_definition
class ScatterAddOp(ScatterBase):
    """Theano's ``AdvancedIncSubtensor``: each ``value[p, ...]`` is added at its position
    (repeated indices accumulate): the gradient of ``tir.gather``.

    ``%r = tir.scatter_add %x[%rows, %cols], %v : (tensor<?x?xf64>, tensor<?xf64>,
    tensor<?xi64>, tensor<?xi64>) -> tensor<?x?xf64>``
    """

    name = "tir.scatter_add"
    NUMPY: ClassVar[NumpyFn] = _scatter_add


@irdl_op_definition
class ScatterOp(ScatterBase):
    """``set_subtensor`` by integer arrays: each ``value[p, ...]`` is stored at its position,
    in order (of repeated indices the last one wins, as numpy's ``x[idx] = v``).

    ``%r = tir.scatter %x[%rows], %v : (tensor<?x?xf64>, tensor<?x?xf64>, tensor<?xi64>)
    -> tensor<?x?xf64>``
    """

    name = "tir.scatter"
    NUMPY: ClassVar[NumpyFn] = _scatter_last


@irdl_op_definition
class ConcatenateOp(IRDLOperation):
    """``numpy.concatenate(inputs, axis)``: the inputs (one rank, one element type) must
    agree on every other dim at run time. The result's other dims are size 1 where an input's
    is.

    ``%r = tir.concatenate %a, %b {axis = 0 : i64} : (tensor<?x?xf64>, tensor<1x?xf64>)
    -> tensor<?x?xf64>``
    """

    name = "tir.concatenate"
    inputs = var_operand_def(TensorType)
    axis = prop_def(IntegerAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$inputs attr-dict `:` `(` type($inputs) `)` `->` type($result)"

    def __init__(self, inputs: Sequence[SSAValue], axis: int):
        super().__init__(
            operands=[list(inputs)],
            properties={"axis": IntegerAttr(axis, i64)},
            result_types=[self.infer_type(*(v.type for v in inputs), axis=axis)],
        )

    @staticmethod
    def infer_type(*inputs: Attribute, axis: int) -> TensorType:
        if not inputs:
            raise VerifyException("tir.concatenate: needs at least one input")
        first = inputs[0]
        assert isinstance(first, TensorType)
        rank = len(first.get_shape())
        if not 0 <= axis < rank:
            raise VerifyException(f"tir.concatenate: axis {axis} is out of range for rank {rank}")
        for t in inputs:
            assert isinstance(t, TensorType)
            if t.element_type != first.element_type or len(t.get_shape()) != rank:
                raise VerifyException(
                    f"tir.concatenate: inputs must have one rank and element type, got "
                    f"{first} and {t}"
                )
        shape = [
            DYNAMIC_INDEX
            if d == axis
            else (1 if any(t.get_shape()[d] == 1 for t in inputs) else DYNAMIC_INDEX)  # type: ignore[attr-defined]
            for d in range(rank)
        ]
        return TensorType(first.element_type, shape)

    def get_axis(self) -> int:
        return self.axis.value.data

    def verify_(self) -> None:
        t = self.infer_type(*(v.type for v in self.inputs), axis=self.get_axis())
        if self.result.type != t:
            raise VerifyException(f"tir.concatenate: result type should be {t}")

    def reference(self, *inputs: np.ndarray) -> np.ndarray:
        """``numpy.concatenate`` (other dims that differ: ValueError)."""
        return np.concatenate(inputs, axis=self.get_axis())


# --------------------------------------------------------------------------- sequences


@irdl_op_definition
class ArangeOp(IRDLOperation):
    """``numpy.arange(start, stop, step)``: ``max(0, ceil((stop - start) / step))`` values
    ``start + k * step``. The operands are scalars of the result's element type; a zero step
    raises at run time.

    ``%r = tir.arange %start, %stop, %step : (tensor<i64>, tensor<i64>, tensor<i64>)
    -> tensor<?xi64>``
    """

    name = "tir.arange"
    start = operand_def(TensorType)
    stop = operand_def(TensorType)
    step = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = (
        "$start `,` $stop `,` $step attr-dict `:` `(` type($start) `,` type($stop) `,` "
        "type($step) `)` `->` type($result)"
    )

    def __init__(self, start: SSAValue, stop: SSAValue, step: SSAValue):
        super().__init__(
            operands=[start, stop, step],
            result_types=[self.infer_type(start.type, stop.type, step.type)],
        )

    @staticmethod
    def infer_type(start: Attribute, stop: Attribute, step: Attribute) -> TensorType:
        for t in (start, stop, step):
            assert isinstance(t, TensorType)
            if t.get_shape():
                raise VerifyException(f"tir.arange: bounds must be scalars, got {t}")
        assert isinstance(start, TensorType)
        if not start.element_type == stop.element_type == step.element_type:  # type: ignore
            raise VerifyException("tir.arange: start, stop and step must have one element type")
        dtype = T.dtype_of(start.element_type)
        if not (T.is_int(dtype) or T.is_float(dtype)):
            raise VerifyException(f"tir.arange: element type {dtype} is not supported")
        return TensorType(start.element_type, [DYNAMIC_INDEX])

    def verify_(self) -> None:
        expected = self.infer_type(self.start.type, self.stop.type, self.step.type)
        if self.result.type != expected:
            raise VerifyException(f"tir.arange: result type should be {expected}")

    def reference(self, start: np.ndarray, stop: np.ndarray, step: np.ndarray) -> np.ndarray:
        """numpy's ``arange``: ``ceil((stop - start) / step)`` values (none if negative),
        exactly for integers, in the element type for floats (as numpy on float32 bounds);
        values ``start + k * step``, for floats numpy's exact sequence ``start``, ``start +
        step``, then ``start + k * ((start + step) - start)``. A zero step (or NaN bounds) is
        a ValueError."""
        dtype = np_dtype(self.result.type)
        if dtype.kind == "f":
            a, b, s = (np.asarray(v, dtype)[()] for v in (start, stop, step))
            span = (b - a) / s
            if s == 0 or np.isnan(span):
                raise ValueError("arange: step must be non-zero and the bounds finite")
            if np.isinf(span) and span > 0:
                raise MemoryError("arange: an infinite number of elements")
            n = max(0, int(np.ceil(span))) if np.isfinite(span) else 0
            second = a + s
            k = np.arange(n, dtype=np.int64).astype(dtype)
            out = a + k * (second - a)
            out[:2] = [a, second][:n]
            return out
        a, b, s = (int(v) for v in (start, stop, step))
        if s == 0:
            raise ValueError("arange: step must not be zero")
        n = max(0, -((a - b) // s))  # ceil((b - a) / s)
        k = np.arange(n, dtype=np.int64).astype(dtype)
        return np.add(np.multiply(k, dtype.type(s)), dtype.type(a)).astype(dtype)


@irdl_op_definition
class MapOp(IRDLOperation):
    """Stack the rows computed by the body for ``i`` in ``[0, n)``: row ``i`` of the result is
    what the body yields when its argument (an int64 scalar) is ``i``. Every row must have the
    shape of ``like`` (checked at run time); the result is ``n`` such rows. The body may use
    values defined above it. ``tensorir.gradient.jacobian`` builds one, with a ``tir.grad``
    in its body.

    ``%J = tir.map %n, %x : (tensor<i64>, tensor<?xf64>) -> tensor<?x?xf64> {
    ^bb0(%i: tensor<i64>): ... tir.yield %row : tensor<?xf64> }``
    """

    name = "tir.map"
    n = operand_def(TensorType)
    like = operand_def(ShapedT)
    body = region_def("single_block")
    result = result_def(ShapedT)
    assembly_format = (
        "$n `,` $like attr-dict `:` `(` type($n) `,` type($like) `)` `->` type($result) $body"
    )

    def __init__(self, n: SSAValue, like: SSAValue, body: Region, result_type: Attribute):
        super().__init__(operands=[n, like], regions=[body], result_types=[result_type])

    @staticmethod
    def infer_type(n: Attribute, like: Attribute) -> TensorType:
        assert isinstance(n, TensorType) and isinstance(like, TensorType)
        if n.get_shape() or n.element_type != i64:
            raise VerifyException(f"tir.map: the row count must be an int64 scalar, got {n}")
        return TensorType(like.element_type, [DYNAMIC_INDEX, *like.get_shape()])

    def verify_(self) -> None:
        if isinstance(self.like.type, TensorType):
            expected = self.infer_type(self.n.type, self.like.type)
            if self.result.type != expected:
                raise VerifyException(f"tir.map: result type should be {expected}")
        block = self.body.block
        if len(block.args) != 1:
            raise VerifyException("tir.map: the body takes one argument, the row index")
        last = block.last_op
        if not isinstance(last, YieldOp) or len(last.values) != 1:
            raise VerifyException("tir.map: the body must end with tir.yield of one row")


def blocks(fn: Operation) -> list[Block]:
    """The blocks of ``tir`` ops in function ``fn``: its body, then the body of every ``tir``
    op with regions (a ``tir.map``'s, a ``tir.scan``'s), each after the block holding it."""
    found = [fn.regions[0].blocks.first]
    for op in fn.walk():
        if op.regions and op.dialect_name() == "tir":
            found.extend(b for r in op.regions for b in r.blocks)
    return [b for b in found if b is not None]


def reads(op: Operation) -> list[SSAValue]:
    """The values ``op`` reads, those read inside its regions included (a ``tir.map`` body
    and the regions of a ``tir.if`` read values defined above them)."""
    if not op.regions:
        return list(op.operands)
    return [v for inner in op.walk() for v in inner.operands]


@irdl_op_definition
class IfOp(IRDLOperation):
    """Theano's ``ifelse``: the values the ``then`` region yields when ``cond`` (a rank-0
    bool) is true, else those the ``else`` region yields; only the region taken runs. Each
    region is one block without arguments ending with ``tir.yield``; it may use values
    defined above it. Both regions yield values of exactly the result types (the branches
    may differ in size along dynamic dims). The frontend's regions only yield values computed
    before the ``tir.if``; ``tir-sink-branches`` moves into a region what only it reads.

    ``%r = tir.if %c : tensor<i1> -> (tensor<?xf64>) { tir.yield %a : tensor<?xf64> }
    else { tir.yield %b : tensor<?xf64> }``
    """

    name = "tir.if"
    cond = operand_def(TensorType)
    then_region = region_def("single_block")
    else_region = region_def("single_block")
    outs = var_result_def(TensorType)
    traits = traits_def(RecursiveMemoryEffect())
    assembly_format = (
        "$cond attr-dict `:` type($cond) `->` `(` type($outs) `)` $then_region `else` $else_region"
    )

    def __init__(self, cond: SSAValue, then_region: Region, else_region: Region):
        types = []
        last = then_region.block.last_op
        if isinstance(last, YieldOp):
            types = [v.type for v in last.values]
        super().__init__(operands=[cond], regions=[then_region, else_region], result_types=[types])

    def verify_(self) -> None:
        t = self.cond.type
        assert isinstance(t, TensorType)
        if t.get_shape() or t.element_type != i1:
            raise VerifyException(f"tir.if: the condition must be a rank-0 bool (i1), got {t}")
        expected = [r.type for r in self.outs]
        for which, region in (("then", self.then_region), ("else", self.else_region)):
            block = region.block
            if block.args:
                raise VerifyException(f"tir.if: the {which} region takes no arguments")
            last = block.last_op
            if not isinstance(last, YieldOp):
                raise VerifyException(f"tir.if: the {which} region must end with tir.yield")
            got = [v.type for v in last.values]
            if got != expected:
                raise VerifyException(
                    f"tir.if: the {which} region yields "
                    f"({', '.join(map(str, got))}) but the results are "
                    f"({', '.join(map(str, expected))})"
                )

    def yielded(self, k: int) -> tuple[SSAValue, SSAValue]:
        """The values the then and else regions yield for result ``k``."""
        then_yield, else_yield = self.then_region.block.last_op, self.else_region.block.last_op
        assert isinstance(then_yield, YieldOp) and isinstance(else_yield, YieldOp)
        return then_yield.values[k], else_yield.values[k]


@irdl_op_definition
class YieldOp(IRDLOperation):
    """The end of a ``tir.map`` body (the row it computes) or of a ``tir.if`` region (the
    values of the ``tir.if``'s results)."""

    name = "tir.yield"
    values = var_operand_def(ShapedT)
    traits = traits_def(IsTerminator(), HasParent(MapOp, IfOp), Pure())
    assembly_format = "$values attr-dict `:` type($values)"

    def __init__(self, *values: SSAValue):
        super().__init__(operands=[list(values)])

    @property
    def value(self) -> SSAValue:
        """The row of a ``tir.map`` body (its only value)."""
        return self.values[0]


# --------------------------------------------------------------------------- scan


@irdl_op_definition
class ScanOp(IRDLOperation):
    """Theano's ``scan``: ``n`` steps of the body, carrying states from step to step.

    At step ``t`` (``0, 1, ..., n - 1``; ``n - 1`` down to ``0`` with ``reverse``) the body's
    arguments are row ``t`` of each of ``seqs``, the carried states (``inits`` at the first
    step) and ``consts``; it yields each state's next value (of that state's type), then one
    value per stacked output. Results: each state's value after the last step (``finals``,
    the init when ``n`` is 0), each state's value at the start of every step stacked in row
    ``t`` (``histories``: what the gradient reads), and each stacked output's value of every
    step in row ``t`` (``stacks``). A stacked result no one reads is never computed. Every
    sequence must have at least ``n`` rows, each step's state must keep its init's shape and
    each stacked output the shape of its first step (checked at run time). The body sees
    only its arguments (isolated from above). ``truncate`` (Theano's ``truncate_gradient``)
    limits backpropagation to the last ``truncate`` steps. With ``until`` (Theano's
    ``until``), the body also yields, last, a scalar condition: the loop stops after the
    first step at which it is true (nonzero), and the histories and stacked results have one
    row per step done.

    ``%h, %hs, %ys = tir.scan %n seqs(%x : tensor<?x3xf64>) init(%h0 : tensor<3xf64>)
    consts(%W : tensor<3x3xf64>) : tensor<i64> -> (tensor<3xf64>), (tensor<?x3xf64>),
    (tensor<?x3xf64>) { ^bb0(%x_t, %h, %W_): ... tir.scan_yield %h1, %h1 : ... }``
    """

    name = "tir.scan"
    n = operand_def(TensorType)
    seqs = var_operand_def(TensorType)
    inits = var_operand_def(TensorType)
    consts = var_operand_def(TensorType)
    finals = var_result_def(TensorType)
    histories = var_result_def(TensorType)
    stacks = var_result_def(TensorType)
    reverse = opt_prop_def(UnitAttr)
    truncate = opt_prop_def(IntegerAttr)
    until = opt_prop_def(UnitAttr)
    body = region_def("single_block")
    traits = traits_def(IsolatedFromAbove(), RecursiveMemoryEffect())
    irdl_options = (
        AttrSizedOperandSegments(as_property=True),
        AttrSizedResultSegments(as_property=True),
        ParsePropInAttrDict(),
    )
    assembly_format = (
        "$n (`seqs` `(` $seqs^ `:` type($seqs) `)`)? (`init` `(` $inits^ `:` type($inits) `)`)? "
        "(`consts` `(` $consts^ `:` type($consts) `)`)? attr-dict `:` type($n) `->` "
        "`(` type($finals) `)` `,` `(` type($histories) `)` `,` `(` type($stacks) `)` $body"
    )

    def __init__(
        self,
        n: SSAValue,
        seqs: Sequence[SSAValue],
        inits: Sequence[SSAValue],
        consts: Sequence[SSAValue],
        body: Region,
        reverse: bool = False,
        truncate: int | None = None,
        until: bool = False,
    ):
        last = body.block.last_op
        assert isinstance(last, ScanYieldOp)
        k = len(inits)
        stacked = [v.type for v in last.values[k : len(last.values) - int(until)]]
        props: dict[str, Attribute] = {}
        if reverse:
            props["reverse"] = UnitAttr()
        if until:
            props["until"] = UnitAttr()
        if truncate is not None and truncate >= 0:
            props["truncate"] = IntegerAttr(truncate, i64)
        super().__init__(
            operands=[n, list(seqs), list(inits), list(consts)],
            result_types=[
                [v.type for v in inits],
                [_stacked(v.type) for v in inits],
                [_stacked(t) for t in stacked],
            ],
            regions=[body],
            properties=props,
        )

    @staticmethod
    def row_type(t: Attribute) -> TensorType:
        """The type of one row of a sequence of type ``t``."""
        assert isinstance(t, TensorType)
        return TensorType(t.element_type, t.get_shape()[1:])

    @staticmethod
    def row_types(seqs: Sequence[SSAValue]) -> list[Attribute]:
        return [ScanOp.row_type(v.type) for v in seqs]

    def arg_types(self) -> list[Attribute]:
        """The body's argument types: the sequences' rows, the states, the constants."""
        return [
            *(self.row_type(v.type) for v in self.seqs),
            *(v.type for v in self.inits),
            *(v.type for v in self.consts),
        ]

    def yielded(self) -> tuple[list[SSAValue], list[SSAValue]]:
        """The body's yielded next states and stacked values."""
        last = self.body.block.last_op
        assert isinstance(last, ScanYieldOp)
        k = len(self.inits)
        end = len(last.values) - int(self.until is not None)
        return list(last.values[:k]), list(last.values[k:end])

    def condition(self) -> SSAValue | None:
        """The stop condition the body yields (``until``), or None."""
        last = self.body.block.last_op
        assert isinstance(last, ScanYieldOp)
        return last.values[-1] if self.until is not None and last.values else None

    def verify_(self) -> None:
        n = self.n.type
        assert isinstance(n, TensorType)
        if n.get_shape() or n.element_type != i64:
            raise VerifyException(f"tir.scan: the step count must be an int64 scalar, got {n}")
        for v in self.seqs:
            if not _shape(v.type):
                raise VerifyException(f"tir.scan: a sequence must have rows, got {v.type}")
        block = self.body.block
        if [a.type for a in block.args] != self.arg_types():
            raise VerifyException(
                "tir.scan: the body's arguments must be the sequences' rows, the states and "
                "the constants, of types " + ", ".join(str(t) for t in self.arg_types())
            )
        if not isinstance(block.last_op, ScanYieldOp):
            raise VerifyException("tir.scan: the body must end with tir.scan_yield")
        values = list(block.last_op.values)
        if self.until is not None:
            if not values or not isinstance(values[-1].type, TensorType) or _shape(values[-1].type):
                raise VerifyException(
                    "tir.scan: with until, the body must yield a scalar condition last"
                )
            values.pop()
        states, stacked = (
            (values[: len(self.inits)], values[len(self.inits) :])
            if len(values) >= len(self.inits)
            else (None, None)
        )
        if states is None or [v.type for v in states] != [v.type for v in self.inits]:
            raise VerifyException(
                "tir.scan: the body must yield the next value of each state, of its init's "
                "type, then the stacked values"
            )
        expected = [
            *(v.type for v in self.inits),
            *(_stacked(v.type) for v in self.inits),
            *(_stacked(v.type) for v in stacked),
        ]
        if [r.type for r in self.results] != expected:
            raise VerifyException(
                "tir.scan: results must be the final states, their histories and the stacked "
                "values, of types " + ", ".join(str(t) for t in expected)
            )


def _stacked(t: Attribute) -> TensorType:
    """The type of ``n`` rows of type ``t``."""
    assert isinstance(t, TensorType)
    return TensorType(t.element_type, [DYNAMIC_INDEX, *t.get_shape()])


@irdl_op_definition
class ScanYieldOp(IRDLOperation):
    """The end of a ``tir.scan`` step: each state's next value, then the stacked values."""

    name = "tir.scan_yield"
    values = var_operand_def(TensorType)
    traits = traits_def(IsTerminator(), HasParent(ScanOp), Pure())
    assembly_format = "($values^ `:` type($values))? attr-dict"

    def __init__(self, values: Sequence[SSAValue]):
        super().__init__(operands=[list(values)])


# --------------------------------------------------------------------------- gradients


@irdl_op_definition
class GradOp(IRDLOperation):
    """Theano's ``grad``: the gradients of the scalar ``cost`` with respect to each ``wrt``
    value, one result per ``wrt``, of its type. Values in ``consider`` are treated as
    constants; ``known`` values start with the adjoints ``known_grads`` (Theano's
    ``known_grads``), added to those flowing from ``cost`` (which may then be absent). The
    ``tir-autodiff`` pass replaces each ``tir.grad`` by its adjoint graph, innermost first.

    ``%gW, %gb = tir.grad %cost : tensor<f64> wrt(%W, %b : tensor<?x?xf64>, tensor<?xf64>)
    -> tensor<?x?xf64>, tensor<?xf64>``
    """

    name = "tir.grad"
    cost = opt_operand_def(TensorType)
    wrt = var_operand_def(TensorType)
    consider = var_operand_def(TensorType)
    known = var_operand_def(TensorType)
    known_grads = var_operand_def(TensorType)
    grads = var_result_def(TensorType)
    irdl_options = (AttrSizedOperandSegments(as_property=True),)
    assembly_format = (
        "($cost^ `:` type($cost))? `wrt` `(` $wrt `:` type($wrt) `)` "
        "(`consider` `(` $consider^ `:` type($consider) `)`)? "
        "(`known` `(` $known^ `:` type($known) `)` `=` `(` $known_grads `:` type($known_grads) "
        "`)`)? attr-dict `->` type($grads)"
    )

    def __init__(
        self,
        cost: SSAValue | None,
        wrt: Sequence[SSAValue],
        consider: Sequence[SSAValue] = (),
        known: Sequence[SSAValue] = (),
        known_grads: Sequence[SSAValue] = (),
    ):
        super().__init__(
            operands=[
                [cost] if cost is not None else [],
                list(wrt),
                list(consider),
                list(known),
                list(known_grads),
            ],
            result_types=[
                self.infer_type(cost.type if cost is not None else None, *(v.type for v in wrt))
            ],
        )

    @staticmethod
    def infer_type(cost: Attribute | None, *wrt: Attribute) -> list[Attribute]:
        if cost is not None:
            assert isinstance(cost, TensorType)
            if cost.get_shape() or not T.is_float(T.dtype_of(cost.element_type)):
                raise VerifyException(f"tir.grad: the cost must be a float scalar, got {cost}")
        for t in wrt:
            assert isinstance(t, TensorType)
            if not T.is_float(T.dtype_of(t.element_type)):
                raise VerifyException(
                    f"tir.grad: can only differentiate with respect to float tensors, got {t}"
                )
        return list(wrt)

    def verify_(self) -> None:
        if self.cost is None and not self.known:
            raise VerifyException("tir.grad: needs a cost or known gradients")
        self.infer_type(
            self.cost.type if self.cost is not None else None, *(v.type for v in self.wrt)
        )
        if [r.type for r in self.grads] != [v.type for v in self.wrt]:
            raise VerifyException("tir.grad: each result must have the type of its wrt value")
        if len(self.known) != len(self.known_grads) or any(
            k.type != g.type for k, g in zip(self.known, self.known_grads, strict=False)
        ):
            raise VerifyException(
                "tir.grad: known values and known gradients must pair up with equal types"
            )


# --------------------------------------------------------------------------- runtime checks


def built_at(op: Operation) -> str:
    """`` (built at file.py:N: source)`` from ``op``'s ``loc`` (the user's line), escaped
    for a ``tir.check`` message (braces are format fields there); empty without one."""
    loc = op.attributes.get("loc")
    if not isinstance(loc, StringAttr):
        return ""
    return f" (built at {loc.data})".replace("{", "{{").replace("}", "}}")


@irdl_op_definition
class NanGuardOp(IRDLOperation):
    """NanGuardMode's check of one value: when ``value`` holds a NaN (``checks`` has
    ``nan``), an infinity (``inf``) or an element of magnitude above ``BIG`` (``big``), the
    compiled function stops and the runtime raises AssertionError, as Theano's NanGuardMode,
    naming ``source`` (``the output of tir.exp``, ``input x``), the dtypes and
    shapes of ``inputs`` (that op's operands) and the user's line (``loc``). An empty value
    passes. NaN is reported before Inf, Inf before a big value.

    ``tir.nan_guard %y, "nan inf big", "the output of tir.exp" (%x : tensor<?xf64>)
    : tensor<?xf64>``
    """

    name = "tir.nan_guard"
    value = operand_def(TensorType)
    inputs = var_operand_def(TensorType)
    checks = prop_def(StringAttr)
    source = prop_def(StringAttr)
    assembly_format = (
        "$value `,` $checks `,` $source (`(` $inputs^ `:` type($inputs) `)`)? attr-dict "
        "`:` type($value)"
    )

    BIG: ClassVar[float] = 1e10  # Theano's threshold for big_is_error
    # Each element's worst finding, as a code; the value's is the largest (0: nothing found).
    CODES: ClassVar[dict[str, int]] = {"nan": 3, "inf": 2, "big": 1}
    FOUND: ClassVar[dict[str, str]] = {
        "nan": "NaN detected",
        "inf": "Inf detected",
        "big": "Big value detected",
    }

    def __init__(
        self, value: SSAValue, checks: Sequence[str], source: str, inputs: Sequence[SSAValue] = ()
    ):
        super().__init__(
            operands=[value, list(inputs)],
            properties={"checks": StringAttr(" ".join(checks)), "source": StringAttr(source)},
        )

    def get_checks(self) -> tuple[str, ...]:
        """The findings that raise, in the order they are reported."""
        found = self.checks.data.split()
        return tuple(k for k in self.CODES if k in found)

    def verify_(self) -> None:
        found = self.checks.data.split()
        if not found or len(set(found)) != len(found) or not set(found) <= set(self.CODES):
            raise VerifyException(
                f"tir.nan_guard: checks must be some of 'nan inf big', got {self.checks.data!r}"
            )
        assert isinstance(self.value.type, TensorType)
        dtype = T.dtype_of(self.value.type.element_type)
        if not (T.is_float(dtype) or T.is_complex(dtype)):
            raise VerifyException(f"tir.nan_guard: guards float or complex values, not {dtype}")

    def message(self, found: str, dims: Sequence[Sequence[str]]) -> str:
        """The error when the value holds what ``found`` names (a key of ``CODES``);
        ``dims[i]`` are the sizes of ``inputs[i]``, as text (format fields in the lowering,
        numbers in the reference), so that both raise the same message."""
        parts = []
        for v, sizes in zip(self.inputs, dims, strict=True):
            assert isinstance(v.type, TensorType)
            shape = ", ".join(sizes) + ("," if len(sizes) == 1 else "")
            name = f"{v.name_hint} " if v.name_hint else ""
            parts.append(f"{name}{T.dtype_of(v.type.element_type)} ({shape})")
        inputs = f"; its inputs: {', '.join(parts)}" if parts else ""
        return (
            f"{self.FOUND[found]}: NanGuardMode found an error in {self.source.data}".replace(
                "{", "{{"
            ).replace("}", "}}")
            + f"{built_at(self)}{inputs}"
        )

    def finding(self, value: np.ndarray) -> str | None:
        """What ``value`` holds that this guard reports (the worst), or None."""
        v = np.asarray(value)
        parts = (v.real, v.imag) if np.iscomplexobj(v) else (v,)
        checks = self.get_checks()
        for part in parts:
            if "nan" in checks and np.isnan(part).any():
                return "nan"
        for part in parts:
            if "inf" in checks and np.isinf(part).any():
                return "inf"
        for part in parts:
            if "big" in checks and (np.abs(part) > self.BIG).any():
                return "big"
        return None

    def reference(self, value: np.ndarray, *inputs: np.ndarray) -> tuple[()]:
        found = self.finding(value)
        if found is not None:
            dims = [[str(n) for n in x.shape] for x in inputs]
            raise AssertionError(self.message(found, dims).format())
        return ()


@irdl_op_definition
class CheckOp(IRDLOperation):
    """A run-time check: when ``cond`` is false, the compiled function stops and the runtime
    raises ``kind`` (a Python exception name) with ``message``, where ``{0}``, ``{1}``, ...
    are replaced by the values of ``values`` at the time of the failure.

    ``tir.check %ok, "ValueError", "dot: shapes ({0}, {1}) and ({2}, {3}) not aligned"
    (%m, %k, %k2, %n : index, index, index, index)``
    """

    name = "tir.check"
    cond = operand_def(i1)
    kind = prop_def(StringAttr)
    message = prop_def(StringAttr)
    values = var_operand_def(IndexType | IntegerType)
    assembly_format = "$cond `,` $kind `,` $message (`(` $values^ `:` type($values) `)`)? attr-dict"

    def __init__(
        self, cond: SSAValue | Operation, kind: str, message: str, values: Sequence[SSAValue] = ()
    ):
        super().__init__(
            operands=[cond, list(values)],
            properties={"kind": StringAttr(kind), "message": StringAttr(message)},
        )

    def verify_(self) -> None:
        if self.kind.data not in CHECK_EXCEPTIONS:
            raise VerifyException(f"tir.check: unsupported exception kind {self.kind.data!r}")
        if len(self.values) > 16:
            raise VerifyException("tir.check: at most 16 values can be reported")


TIR = Dialect(
    "tir",
    [
        AddOp,
        SubOp,
        MulOp,
        TrueDivOp,
        IntDivOp,
        ModOp,
        PowOp,
        MaximumOp,
        MinimumOp,
        EqOp,
        NeqOp,
        LtOp,
        GtOp,
        LeOp,
        GeOp,
        SecondOp,
        GradScaleOp,
        GradFloorOp,
        GradCeilOp,
        SwitchOp,
        NegOp,
        SgnOp,
        UniformOp,
        ZeroGradOp,
        AbsOp,
        SqrOp,
        ExpOp,
        LogOp,
        SqrtOp,
        TanhOp,
        SinOp,
        CosOp,
        SigmoidOp,
        SoftplusOp,
        Log1pOp,
        Expm1Op,
        Log2Op,
        Log10Op,
        Exp2Op,
        TanOp,
        ArcsinOp,
        ArccosOp,
        ArctanOp,
        SinhOp,
        CoshOp,
        ErfOp,
        FloorOp,
        CeilOp,
        RoundHalfToEvenOp,
        RoundHalfAwayFromZeroOp,
        TruncOp,
        RealOp,
        ImagOp,
        CastOp,
        ConstantOp,
        DimShuffleOp,
        ReshapeOp,
        SumOp,
        ProdOp,
        MaxOp,
        MinOp,
        MeanOp,
        DotOp,
        SoftmaxOp,
        LogSoftmaxOp,
        ArgmaxOp,
        ArgminOp,
        SizeOp,
        ArangeOp,
        ConcatenateOp,
        SubtensorOp,
        IncSubtensorOp,
        GatherOp,
        ScatterAddOp,
        ScatterOp,
        MapOp,
        IfOp,
        YieldOp,
        ScanOp,
        ScanYieldOp,
        GradOp,
        NanGuardOp,
        CheckOp,
        *BUFFER_OPS,  # the buffer-level (L3) ops, tir_buffers.py
        *GPU_OPS,  # the ops of block-level GPU kernels, tir_gpu.py
    ],
)


# --------------------------------------------------------------------------- registry

ElementwiseOp = ElementwiseUnaryOp | ElementwiseBinaryOp
_on_register: list[Callable[[type[Operation]], None]] = []


def frontend_name(op_cls: type[Operation]) -> str:
    """The name of the frontend function of an elementwise op (``THEANO``), "" for none."""
    if not issubclass(op_cls, (ElementwiseUnaryOp, ElementwiseBinaryOp)):
        return ""
    if op_cls.THEANO is not None:
        return op_cls.THEANO
    return op_cls.name.removeprefix("tir.")


def elementwise_ops() -> list[type[ElementwiseUnaryOp] | type[ElementwiseBinaryOp]]:
    """Every registered elementwise op that has a frontend function, in registration order."""
    return [cls for cls in TIR.operations if frontend_name(cls)]  # type: ignore[misc]


def on_register(callback: Callable[[type[Operation]], None]) -> None:
    """Call ``callback(op_cls)`` for every op registered from now on (the frontend uses it
    to make the function of an elementwise op registered after it was imported)."""
    _on_register.append(callback)


def register_op(op_cls: type[Operation]) -> type[Operation]:
    """Add an op defined outside this file to the dialect (parsers built afterwards know it)
    and tell the layers that derive from the dialect. Usable as a class decorator, after
    ``@irdl_op_definition``. Its gradient rule and scalar lowering are registered with
    ``lowering.autodiff.register_gradient`` and ``lowering.scalar.register_lowering``."""
    if any(cls.name == op_cls.name for cls in TIR.operations):
        raise ValueError(f"an op named {op_cls.name!r} is already registered")
    TIR._operations.append(op_cls)
    for callback in _on_register:
        callback(op_cls)
    return op_cls
