"""Scalar semantics of the ``tir`` elementwise ops: the body of each op's loop, in ``arith``,
``math`` and ``complex``. This is the one place that says what ``tir.mod`` or ``tir.cast``
computes on one element; ``tir-to-linalg`` puts these bodies into ``linalg.generic`` regions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from xdsl.dialects import arith, complex, math
from xdsl.dialects.builtin import (
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
)
from xdsl.ir import Operation, SSAValue

from tensorir.dialects import arith_ext as ext
from tensorir.dialects import tir
from tensorir.dialects import types as T

Insert = Callable[[Operation], Operation]


def _v(op: Operation) -> SSAValue:
    return op.results[0]


def const(insert: Insert, value: float | int | bool, dtype: str) -> SSAValue:
    """A scalar constant of ``dtype``."""
    elem = T.element_type(dtype)
    if T.is_float(dtype):
        return _v(insert(arith.ConstantOp(FloatAttr(float(value), elem))))
    if T.is_complex(dtype):
        part = T.element_type({"complex64": "float32", "complex128": "float64"}[dtype])
        re = _v(insert(arith.ConstantOp(FloatAttr(float(value), part))))
        im = _v(insert(arith.ConstantOp(FloatAttr(0.0, part))))
        return _v(insert(complex.CreateOp(re, im, elem)))
    assert isinstance(elem, IntegerType)
    return _v(insert(arith.ConstantOp(IntegerAttr(int(value), elem))))


def convert(insert: Insert, x: SSAValue, src: str, dst: str) -> SSAValue:
    """``numpy.asarray(x, src).astype(dst)`` on one element."""
    if src == dst:
        return x
    elem = T.element_type(dst)
    if dst == "bool":  # x != 0
        if T.is_complex(src):
            zero = const(insert, 0, src)
            return _v(insert(complex.NotEqualOp(x, zero)))
        zero = const(insert, 0, src)
        if T.is_float(src):
            return _v(insert(arith.CmpfOp(x, zero, "une")))
        return _v(insert(arith.CmpiOp(x, zero, "ne")))
    if T.is_complex(dst):
        part = "float32" if dst == "complex64" else "float64"
        if T.is_complex(src):
            re = _v(insert(complex.ReOp(x)))
            im = _v(insert(complex.ImOp(x)))
            src_part = "float32" if src == "complex64" else "float64"
            re, im = convert(insert, re, src_part, part), convert(insert, im, src_part, part)
        else:
            re = convert(insert, x, src, part)
            im = const(insert, 0.0, part)
        return _v(insert(complex.CreateOp(re, im, elem)))
    if T.is_float(dst):
        if T.is_float(src):
            width = {"float32": 32, "float64": 64}
            cls = arith.ExtFOp if width[dst] > width[src] else arith.TruncFOp
            return _v(insert(cls(x, elem)))
        if src == "bool":
            return _v(insert(arith.UIToFPOp(x, elem)))
        return _v(insert(arith.SIToFPOp(x, elem)))
    # integer destination
    if T.is_float(src):
        return _v(insert(arith.FPToSIOp(x, elem)))
    src_w, dst_w = _int_width(src), _int_width(dst)
    if src == "bool":
        return _v(insert(arith.ExtUIOp(x, elem)))
    if dst_w > src_w:
        return _v(insert(arith.ExtSIOp(x, elem)))
    return _v(insert(arith.TruncIOp(x, elem)))


def _int_width(dtype: str) -> int:
    elem = T.element_type(dtype)
    assert isinstance(elem, IntegerType)
    return elem.width.data


def _floor_mod_fix(insert: Insert, r: SSAValue, b: SSAValue, dtype: str) -> SSAValue:
    """Python's ``%``: the remainder takes the sign of the divisor (a zero float remainder
    too, as numpy: ``5.0 % -1.0`` is ``-0.0``)."""
    zero = const(insert, 0, dtype)
    if T.is_float(dtype):
        r_neg = _v(insert(arith.CmpfOp(r, zero, "olt")))
        b_neg = _v(insert(arith.CmpfOp(b, zero, "olt")))
        r_nz = _v(insert(arith.CmpfOp(r, zero, "une")))
        fixed = _v(insert(arith.AddfOp(r, b)))
        signed_zero = _v(insert(math.CopySignOp(zero, b)))
        r = _v(insert(arith.SelectOp(r_nz, r, signed_zero)))
    else:
        r_neg = _v(insert(arith.CmpiOp(r, zero, "slt")))
        b_neg = _v(insert(arith.CmpiOp(b, zero, "slt")))
        r_nz = _v(insert(arith.CmpiOp(r, zero, "ne")))
        fixed = _v(insert(arith.AddiOp(r, b)))
    differ = _v(insert(arith.XOrIOp(r_neg, b_neg)))
    need = _v(insert(arith.AndIOp(differ, r_nz)))
    return _v(insert(arith.SelectOp(need, fixed, r)))


def _float_floor_div(insert: Insert, a: SSAValue, b: SSAValue, dtype: str) -> SSAValue:
    """numpy's float ``a // b`` (``npy_floor_divide``): computed from ``fmod`` so that it
    agrees with ``%`` (``1.0 // 0.1`` is 9, not ``floor(1.0 / 0.1)`` = 10)::

        mod = fmod(a, b); div = (a - mod) / b
        if mod != 0 and (b < 0) != (mod < 0): div -= 1
        q = floor(div); if div - q > 0.5: q += 1
        if div == 0: q = copysign(0, a / b)
        if b == 0: q = a / b
    """
    zero, one, half = (const(insert, v, dtype) for v in (0.0, 1.0, 0.5))
    quotient = _v(insert(arith.DivfOp(a, b)))
    mod = _v(insert(ext.RemFOp(a, b)))
    div = _v(insert(arith.DivfOp(_v(insert(arith.SubfOp(a, mod))), b)))
    mod_nz = _v(insert(arith.CmpfOp(mod, zero, "une")))
    b_neg = _v(insert(arith.CmpfOp(b, zero, "olt")))
    mod_neg = _v(insert(arith.CmpfOp(mod, zero, "olt")))
    need = _v(insert(arith.AndIOp(mod_nz, _v(insert(arith.XOrIOp(b_neg, mod_neg))))))
    div = _v(insert(arith.SelectOp(need, _v(insert(arith.SubfOp(div, one))), div)))
    q = _v(insert(math.FloorOp(div)))
    round_up = _v(insert(arith.CmpfOp(_v(insert(arith.SubfOp(div, q))), half, "ogt")))
    q = _v(insert(arith.SelectOp(round_up, _v(insert(arith.AddfOp(q, one))), q)))
    div_nz = _v(insert(arith.CmpfOp(div, zero, "une")))
    q = _v(insert(arith.SelectOp(div_nz, q, _v(insert(math.CopySignOp(zero, quotient))))))
    b_nz = _v(insert(arith.CmpfOp(b, zero, "une")))
    return _v(insert(arith.SelectOp(b_nz, q, quotient)))


_FLOAT_BIN = {
    tir.AddOp: arith.AddfOp,
    tir.SubOp: arith.SubfOp,
    tir.MulOp: arith.MulfOp,
    tir.TrueDivOp: arith.DivfOp,
    tir.PowOp: math.PowFOp,
    tir.MaximumOp: arith.MaximumfOp,
    tir.MinimumOp: arith.MinimumfOp,
}
_INT_BIN = {
    tir.AddOp: arith.AddiOp,
    tir.SubOp: arith.SubiOp,
    tir.MulOp: arith.MuliOp,
    tir.IntDivOp: arith.FloorDivSIOp,
    tir.PowOp: math.IPowIOp,
    tir.MaximumOp: arith.MaxSIOp,
    tir.MinimumOp: arith.MinSIOp,
}
_COMPLEX_BIN = {
    tir.AddOp: complex.AddOp,
    tir.SubOp: complex.SubOp,
    tir.MulOp: complex.MulOp,
    tir.TrueDivOp: complex.DivOp,
    tir.EqOp: complex.EqualOp,
    tir.NeqOp: complex.NotEqualOp,
}
_CMP = {
    tir.EqOp: ("oeq", "eq", "eq"),
    tir.NeqOp: ("une", "ne", "ne"),
    tir.LtOp: ("olt", "slt", "ult"),
    tir.GtOp: ("ogt", "sgt", "ugt"),
    tir.LeOp: ("ole", "sle", "ule"),
    tir.GeOp: ("oge", "sge", "uge"),
}
_FLOAT_UNARY = {
    tir.ExpOp: math.ExpOp,
    tir.LogOp: math.LogOp,
    tir.SqrtOp: math.SqrtOp,
    tir.TanhOp: math.TanhOp,
    tir.SinOp: math.SinOp,
    tir.CosOp: math.CosOp,
    tir.Log1pOp: math.Log1pOp,
    tir.Expm1Op: math.ExpM1Op,
    tir.Log2Op: math.Log2Op,
    tir.Log10Op: math.Log10Op,
    tir.Exp2Op: math.Exp2Op,
    tir.TanOp: math.TanOp,
    tir.ArcsinOp: math.AsinOp,
    tir.ArccosOp: math.AcosOp,
    tir.ArctanOp: math.AtanOp,
    tir.SinhOp: math.SinhOp,
    tir.CoshOp: math.CoshOp,
    tir.ErfOp: math.ErfOp,
    tir.FloorOp: math.FloorOp,
    tir.CeilOp: math.CeilOp,
    tir.RoundHalfToEvenOp: math.RoundEvenOp,
    tir.RoundHalfAwayFromZeroOp: math.RoundOp,
    tir.TruncOp: math.TruncOp,
}


Rule = Callable[..., SSAValue]
"""A scalar lowering: ``rule(insert, *operands, dtype)`` builds one element of the op from
its operands' elements (all of ``dtype``, the operands' element type) and returns it."""

LOWERINGS: dict[type, Rule] = {}
"""The scalar lowering of each elementwise op."""


def register_lowering(*op_classes: type) -> Callable[[Rule], Rule]:
    """Decorator: ``rule`` is the scalar lowering of ``op_classes``."""

    def register(rule: Rule) -> Rule:
        for op_cls in op_classes:
            LOWERINGS[op_cls] = rule
        return rule

    return register


def register_math(op_cls: type, math_op: type[Operation]) -> None:
    """``op_cls`` is the ``math`` dialect op ``math_op`` on each element (``math.exp``,
    ...); the LLVM emitter maps it to an intrinsic or a libm call."""
    LOWERINGS[op_cls] = lambda insert, x, dtype: _v(insert(math_op(x)))


def binary(insert: Insert, op_cls: type, a: SSAValue, b: SSAValue, dtype: str) -> SSAValue:
    """One element of ``op_cls`` applied to ``a`` and ``b`` of ``dtype``."""
    return _rule(op_cls)(insert, a, b, dtype)


def unary(insert: Insert, op_cls: type, x: SSAValue, dtype: str) -> SSAValue:
    """One element of ``op_cls`` applied to ``x`` of ``dtype``."""
    return _rule(op_cls)(insert, x, dtype)


def _rule(op_cls: type) -> Rule:
    rule = LOWERINGS.get(op_cls)
    if rule is None:
        raise KeyError(
            f"{getattr(op_cls, 'name', op_cls)} has no scalar lowering "
            "(register one with tensorir.lowering.scalar.register_lowering)"
        )
    return rule


def _compare(insert: Insert, a: SSAValue, b: SSAValue, dtype: str, *, op_cls: type) -> SSAValue:
    if T.is_complex(dtype):
        return _v(insert(_COMPLEX_BIN[op_cls](a, b)))
    f_pred, s_pred, u_pred = _CMP[op_cls]
    if T.is_float(dtype):
        return _v(insert(arith.CmpfOp(a, b, f_pred)))
    return _v(insert(arith.CmpiOp(a, b, u_pred if dtype == "bool" else s_pred)))


def _arithmetic(op_cls: type) -> Rule:
    def rule(insert: Insert, a: SSAValue, b: SSAValue, dtype: str) -> SSAValue:
        if T.is_complex(dtype):
            return _v(insert(_COMPLEX_BIN[op_cls](a, b)))
        if T.is_float(dtype):
            if op_cls is tir.IntDivOp:
                return _float_floor_div(insert, a, b, dtype)
            if op_cls is tir.ModOp:  # a % b = fmod(a, b) moved to the sign of b
                return _floor_mod_fix(insert, _v(insert(ext.RemFOp(a, b))), b, dtype)
            return _v(insert(_FLOAT_BIN[op_cls](a, b)))
        if dtype == "bool":
            logical = {tir.MaximumOp: arith.OrIOp, tir.MinimumOp: arith.AndIOp}
            return _v(insert(logical[op_cls](a, b)))
        if op_cls is tir.ModOp:  # a % b = rem(a, b) moved to the sign of b
            return _floor_mod_fix(insert, _v(insert(arith.RemSIOp(a, b))), b, dtype)
        return _v(insert(_INT_BIN[op_cls](a, b)))

    return rule


for _cls in (*_FLOAT_BIN, tir.IntDivOp, tir.ModOp):
    LOWERINGS[_cls] = _arithmetic(_cls)
for _cls in _CMP:
    LOWERINGS[_cls] = functools.partial(_compare, op_cls=_cls)
for _cls, _math_op in _FLOAT_UNARY.items():
    register_math(_cls, _math_op)


@register_lowering(tir.SecondOp)
def _second(insert: Insert, a: SSAValue, b: SSAValue, dtype: str) -> SSAValue:
    return b  # the shape of a, the value of b


@register_lowering(tir.GradScaleOp, tir.GradFloorOp, tir.GradCeilOp, tir.ZeroGradOp)
def _first(insert: Insert, a: SSAValue, *rest: Any) -> SSAValue:
    return a  # unchanged: only the gradient differs


@register_lowering(tir.SqrOp)
def _sqr(insert: Insert, x: SSAValue, dtype: str) -> SSAValue:  # x * x
    return binary(insert, tir.MulOp, x, x, dtype)


@register_lowering(tir.NegOp)
def _neg(insert: Insert, x: SSAValue, dtype: str) -> SSAValue:
    if T.is_complex(dtype):
        return _v(insert(complex.NegOp(x)))
    if T.is_float(dtype):
        return _v(insert(arith.NegfOp(x)))
    return _v(insert(arith.SubiOp(const(insert, 0, dtype), x)))  # -x = 0 - x


@register_lowering(tir.AbsOp)
def _abs(insert: Insert, x: SSAValue, dtype: str) -> SSAValue:
    if T.is_complex(dtype):
        return _v(insert(complex.AbsOp(x)))
    if T.is_float(dtype):
        return _v(insert(math.AbsFOp(x)))
    if dtype == "bool":
        return x
    return _v(insert(math.AbsIOp(x)))


@register_lowering(tir.SgnOp)
def _sgn(insert: Insert, x: SSAValue, dtype: str) -> SSAValue:
    """``x > 0 ? 1 : (x < 0 ? -1 : x)``, so 0 and NaN stay."""
    if dtype == "bool":
        return x
    zero = const(insert, 0, dtype)
    if T.is_float(dtype):
        pos = _v(insert(arith.CmpfOp(x, zero, "ogt")))
        neg = _v(insert(arith.CmpfOp(x, zero, "olt")))
    else:
        pos = _v(insert(arith.CmpiOp(x, zero, "sgt")))
        neg = _v(insert(arith.CmpiOp(x, zero, "slt")))
    minus = _v(insert(arith.SelectOp(neg, const(insert, -1, dtype), x)))
    return _v(insert(arith.SelectOp(pos, const(insert, 1, dtype), minus)))


@register_lowering(tir.UniformOp)
def _uniform(insert: Insert, x: SSAValue, dtype: str) -> SSAValue:
    return _splitmix_unit(insert, convert(insert, x, dtype, "int64"))


@register_lowering(tir.RealOp)
def _real(insert: Insert, x: SSAValue, dtype: str) -> SSAValue:
    return _v(insert(complex.ReOp(x)))


@register_lowering(tir.ImagOp)
def _imag(insert: Insert, x: SSAValue, dtype: str) -> SSAValue:
    return _v(insert(complex.ImOp(x)))


@register_lowering(tir.SigmoidOp)
def _sigmoid(insert: Insert, x: SSAValue, dtype: str) -> SSAValue:
    """``(x >= 0 ? 1 : e) / (1 + e)``, ``e = exp(-|x|)``: no overflow, and ``e / (1 + e)``
    keeps the tiny values of large negative x."""
    e = _exp_minus_abs(insert, x)
    one = const(insert, 1.0, dtype)
    non_negative = _v(insert(arith.CmpfOp(x, const(insert, 0.0, dtype), "oge")))
    numerator = _v(insert(arith.SelectOp(non_negative, one, e)))
    return _v(insert(arith.DivfOp(numerator, _v(insert(arith.AddfOp(one, e))))))


@register_lowering(tir.SoftplusOp)
def _softplus(insert: Insert, x: SSAValue, dtype: str) -> SSAValue:
    """``max(x, 0) + log1p(exp(-|x|))``."""
    e = _exp_minus_abs(insert, x)
    positive_part = _v(insert(arith.MaximumfOp(x, const(insert, 0.0, dtype))))
    return _v(insert(arith.AddfOp(positive_part, _v(insert(math.Log1pOp(e))))))


def _exp_minus_abs(insert: Insert, x: SSAValue) -> SSAValue:
    """``exp(-|x|)``, in ``(0, 1]`` for every non-NaN ``x``."""
    return _v(insert(math.ExpOp(_v(insert(arith.NegfOp(_v(insert(math.AbsFOp(x)))))))))


def _splitmix_unit(insert: Insert, x: SSAValue) -> SSAValue:
    """SplitMix64's finalizer of ``x + golden`` (i64, wrapping), its top 53 bits scaled to
    ``[0, 1)`` as a float64."""

    def c(v: int) -> SSAValue:  # a 64-bit pattern as a signed i64 constant
        return const(insert, v - (1 << 64) if v >= 1 << 63 else v, "int64")

    def xorshift(z: SSAValue, n: int) -> SSAValue:
        return _v(insert(arith.XOrIOp(z, _v(insert(arith.ShRUIOp(z, c(n)))))))

    z = _v(insert(arith.AddiOp(x, c(0x9E3779B97F4A7C15))))
    z = _v(insert(arith.MuliOp(xorshift(z, 30), c(0xBF58476D1CE4E5B9))))
    z = _v(insert(arith.MuliOp(xorshift(z, 27), c(0x94D049BB133111EB))))
    z = xorshift(z, 31)
    top = _v(insert(arith.ShRUIOp(z, c(11))))
    f = _v(insert(arith.UIToFPOp(top, T.element_type("float64"))))
    return _v(insert(arith.MulfOp(f, const(insert, 2.0**-53, "float64"))))


def select(insert: Insert, cond: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
    """``cond ? a : b`` (``tir.switch``)."""
    return _v(insert(arith.SelectOp(cond, a, b)))


def identity(kind: str, dtype: str) -> float | int | bool:
    """The neutral element of a reduction over ``dtype``."""
    if kind == "sum" or kind == "mean":
        return 0
    if kind == "prod":
        return 1
    if T.is_float(dtype):
        return float("-inf") if kind == "max" else float("inf")
    if dtype == "bool":
        return kind != "max"
    bits = _int_width(dtype)
    return -(2 ** (bits - 1)) if kind == "max" else 2 ** (bits - 1) - 1


def guard_code(insert: Insert, x: SSAValue, dtype: str, checks: Sequence[str]) -> SSAValue:
    """``tir.nan_guard``'s finding on one element, as an ``i8``: its ``CODES`` entry for the
    worst of ``checks`` that ``x`` shows (NaN, then infinity, then a magnitude above ``BIG``),
    0 for none. A complex element shows what either part shows."""
    if T.is_complex(dtype):
        part = {"complex64": "float32", "complex128": "float64"}[dtype]
        re = guard_code(insert, _v(insert(complex.ReOp(x))), part, checks)
        im = guard_code(insert, _v(insert(complex.ImOp(x))), part, checks)
        return _v(insert(arith.MaxSIOp(re, im)))
    code = const(insert, 0, "int8")
    magnitude = _v(insert(math.AbsFOp(x)))
    tests = {
        "big": lambda: arith.CmpfOp(magnitude, const(insert, tir.NanGuardOp.BIG, dtype), "ogt"),
        "inf": lambda: arith.CmpfOp(magnitude, const(insert, float("inf"), dtype), "oeq"),
        "nan": lambda: arith.CmpfOp(x, x, "uno"),
    }
    for kind in ("big", "inf", "nan"):  # the worst last, so that it wins
        if kind in checks:
            found = _v(insert(tests[kind]()))
            value = const(insert, tir.NanGuardOp.CODES[kind], "int8")
            code = _v(insert(arith.SelectOp(found, value, code)))
    return code


INT64_MAX = 2**63 - 1


def size_product(
    insert: Insert, sizes: Sequence[SSAValue], itemsize: int = 1
) -> tuple[SSAValue, SSAValue]:
    """The product of the non-negative ``index`` values ``sizes`` and an ``i1`` that is true
    when it fits, as numpy's rule for shapes: the product of the non-zero sizes times
    ``itemsize`` must not exceed ``INT64_MAX`` (so a shape with a zero still fails when its
    other sizes are absurd). Every size product of generated code that may come from user
    sizes goes through here: one that wraps could pass a shape check."""

    def index(n: int) -> SSAValue:
        return _v(insert(arith.ConstantOp.from_int_and_width(n, IndexType())))

    zero, one = index(0), index(1)
    nonzero = index(itemsize)
    fits = _v(insert(arith.ConstantOp.from_int_and_width(1, 1)))
    any_zero = _v(insert(arith.ConstantOp.from_int_and_width(0, 1)))
    limit = index(INT64_MAX)
    for s in sizes:
        is_zero = _v(insert(arith.CmpiOp(s, zero, "eq")))
        factor = select(insert, is_zero, one, s)
        # nonzero * factor <= MAX  <=>  nonzero <= MAX / factor (factor >= 1)
        bound = _v(insert(arith.DivUIOp(limit, factor)))
        ok = _v(insert(arith.CmpiOp(nonzero, bound, "ule")))
        fits = _v(insert(arith.AndIOp(fits, ok)))
        nonzero = _v(insert(arith.MuliOp(nonzero, factor)))
        any_zero = _v(insert(arith.OrIOp(any_zero, is_zero)))
    product = nonzero
    if itemsize != 1:
        product = _v(insert(arith.DivUIOp(nonzero, index(itemsize))))
    return select(insert, any_zero, zero, product), fits
