"""Vectorizable math functions emitted as LLVM IR (``@tir.vm.<name>.<f32|f64>``).

The LLVM emitter calls these instead of ``llvm.exp.*`` / libm: LLVM lowers those to scalar
library calls, which keep the loop vectorizer from widening a loop. Each function here is
``internal alwaysinline`` straight-line code -- arithmetic, ``llvm.fma``, ``llvm.fabs``,
``llvm.copysign``, ``llvm.rint``, bit casts, integer ops and ``select`` -- so after inlining
the vectorizer turns it into ``<8 x float>`` / ``<4 x double>`` (or wider) code.

Techniques: Cody-Waite range reduction (``exp``: ``x - k ln2`` with a two-part ``ln2`` and
FMA; ``sin``/``cos``: ``x - n pi/2`` with a three-part ``pi/2``, exact first step and a
two-sum), near-minimax polynomials (Chebyshev or Lawson fits made with mpmath, Horner
with FMA), ``2**k`` from exponent bits with the scale split in two factors (no spurious
overflow or flush near the overflow/denormal thresholds), the fdlibm forms of
``log``/``log1p`` (``f - hfsq + s (hfsq + R(s^2))``, ``s = f / (2 + f)``), ``expm1`` as
``2^k expm1(r) + (2^k - 1)``, ``tanh`` from ``expm1(2|x|)``, ``erf`` as an odd polynomial
below 1 and ``1 - exp(-x^2) erfcx(x)`` above (three intervals, coefficients chosen by
``select``; float32: one interval), ``pow`` as ``exp(y log x)`` with ``log x`` in
double-double. ``float32`` ``pow`` is computed in ``float64`` and rounded.

``float64`` ``sin``/``cos`` reduce exactly enough for ``|x| <= 2**40``; ``float32`` ones
reduce in ``float32`` with a three-part ``pi/2`` up to ``71476.0625`` (numpy's bound).
Beyond the bound, and for infinities and NaN, they call libm's ``sin``/``cos``, declared as
``__tir_libm_<name>`` (a name LLVM does not turn into ``llvm.sin``, which it would call on
every lane) with masked vector variants (LLVM's vector function ABI,
``vector-function-abi-variant``): the loop vectorizer keeps the loop vector and calls
``__tir_libm_<name>_m<N>(x, mask)``, which calls libm only for the masked lanes, and only
when a lane is masked. ``finish(module)`` keeps the variants alive until then.

Accuracy (``tests/test_vecmath.py``; ``--long``: 2,000,000 arguments per function and dtype,
random bit patterns over the whole domain and ordinary arguments, against ``longdouble``):
at most 2.3 ulp (``tanh``; ``exp``, ``exp2``, ``log``, ``log1p``, ``pow`` below 0.85: ``exp``
keeps ``1 + r`` exact and rounds once); special values (infinities, NaN, signed zeros,
denormals, the overflow and underflow thresholds) exactly as numpy's.
"""

from __future__ import annotations

import math
import struct
import weakref
from collections.abc import Callable, Sequence

import llvmlite.ir as ir

from tensorir.abi import LIBM_PREFIX

F32, F64 = ir.FloatType(), ir.DoubleType()
I1, I32, I64 = ir.IntType(1), ir.IntType(32), ir.IntType(64)

FUNCTIONS = ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "tanh", "sin", "cos",
             "erf", "pow")  # fmt: skip
"""The functions this module builds (``pow`` takes two arguments)."""

TRIG_BOUND = {True: 2.0**40, False: 71476.0625}
"""``|x|`` above which ``sin``/``cos`` call libm (float64, float32): the reductions here are
exact enough below."""

# --------------------------------------------------------------------------- coefficients
# Near-minimax (Chebyshev) fits, lowest degree first; see the docstring.

_EXP_Q64 = (
    0.5000000000000001,
    0.16666666666666669,
    0.041666666666624164,
    0.008333333333330065,
    0.0013888888917196719,
    0.00019841269863040545,
    2.4801521322368692e-05,
    2.7557268480310024e-06,
    2.7620075879983367e-07,
    2.5100375832561234e-08,
)
_EXP_Q32 = (
    0.5,
    0.1666657702559799,
    0.041666554662050534,
    0.008363173074513711,
    0.001392617611993558,
)
_LOG_R64 = (
    0.666666666666667,
    0.3999999999989925,
    0.2857142862609121,
    0.22222211115908194,
    0.18182890501052568,
    0.15331675878950865,
    0.14617014706712986,
)
_LOG_R32 = (
    0.6666668506281063,
    0.39988771057970135,
    0.29580380839613957,
)
_SIN_S64 = (
    -0.16666666666666666,
    0.008333333333330948,
    -0.00019841269836756774,
    2.7557316101617874e-06,
    -2.505113165023518e-08,
    1.5918115263265974e-10,
)
_COS_C64 = (
    0.041666666666666664,
    -0.0013888888888887398,
    2.480158729876456e-05,
    -2.7557317271145144e-07,
    2.087614614655861e-09,
    -1.1382623647474604e-11,
)
_ERF_E64 = (
    1.1283791670955126,
    -0.37612638903183543,
    0.11283791670945006,
    -0.02686617064323777,
    0.0052239776071164225,
    -0.0008548325975389692,
    0.00012055294904839707,
    -1.492473690741966e-05,
    1.6447424703317362e-06,
    -1.6208483801871705e-07,
    1.3720064546777686e-08,
    -7.795898827002142e-10,
)
_ERFC_G0 = (
    0.3215854164543175,
    -0.16362291773256007,
    0.07615103985548055,
    -0.03293090529956347,
    0.013377340952802835,
    -0.005145957547915988,
    0.0018861348854630824,
    -0.0006619300686179933,
    0.00022330981211640024,
    -7.265888759557882e-05,
    2.286543658874603e-05,
    -6.975285854904505e-06,
    2.061689065129881e-06,
    -5.946998373950516e-07,
    1.8038197652346406e-07,
    -4.932844202000261e-08,
)
_ERFC_G1 = (
    0.19366209627906866,
    -0.06323763756063483,
    0.01975859298732897,
    -0.005934337896999284,
    0.001719581885061462,
    -0.0004821950849322654,
    0.0001311818037632169,
    -3.4698610270387155e-05,
    8.940133543917338e-06,
    -2.247368610883161e-06,
    5.520607070345556e-07,
    -1.3264363071840677e-07,
    3.103266553704028e-08,
    -7.162110554563578e-09,
    1.819371994210045e-09,
    -4.029989243785423e-10,
)
_ERFC_G2 = (
    0.11630270721024713,
    -0.023503448598163123,
    0.0046613263689870375,
    -0.0009080988970320573,
    0.00017392830384343463,
    -3.277578110287109e-05,
    6.081115557021995e-06,
    -1.1115678822071087e-06,
    2.002894521341176e-07,
    -3.559534170211966e-08,
    6.24584245950732e-09,
    -1.0813100185433638e-09,
    1.8226396585714537e-10,
    -3.081317881965821e-11,
    6.183166565869695e-12,
    -1.0171709689071707e-12,
)
_ATANH_TAIL = tuple(2.0 / (2 * k + 5) for k in range(11))
"""``2 atanh(s) = 2s + (2/3) s^3 + s^5 (2/5 + (2/7) s^2 + ...)``: the Taylor tail, exact to
about 2^-70 relative for ``|s| <= 3 - 2 sqrt(2)`` (fdlibm's minimax ``R`` stops at 2^-58)."""
_SIN_S32 = (-0.1666665524244308, 0.008332177996635437, -0.00019517255714163184)
_COS_C32 = (0.04166664555668831, -0.0013887366512790322, 2.4438395485049114e-05)
_PIO2_F32 = (1.570796012878418, 3.1391647326017846e-07, 5.390302953474238e-15)
"""``pi/2`` in three float32 parts; the first has 20 significant bits (Cody-Waite)."""
_ERF_P32 = (0.12837916612625122, -0.3761262595653534, 0.11283600330352783,
            -0.02685445547103882, 0.005189553834497929, -0.0008020990062505007,
            7.889579865150154e-05)  # fmt: skip
"""``erf(x) / x - 1`` as a polynomial in ``x^2`` on ``[0, 1]`` (Lawson fit, 1.2e-9)."""
_ERFCX_Q32 = (0.21080636978149414, -0.07434733957052231, 0.024938002228736877,
              -0.008001687005162239, 0.0024670283310115337, -0.0007331708329729736,
              0.00021099076548125595, -5.9504745877347887e-05, 1.605040415597614e-05,
              -3.755553507289733e-06, 1.001977693704248e-06, -4.251225504958711e-07,
              9.917258836367182e-08)  # fmt: skip
"""``erfc(x) exp(x^2)`` as a polynomial in ``x - 2.5`` on ``[1, 4]`` (5e-9 relative)."""
_PIO2 = (
    1.5707963267948966,
    6.123233995736766e-17,
    -1.4973849048591698e-33,
)
_LN2 = (
    0.6931471805599453,
    2.3190468138462996e-17,
)


def _f64_bits(v: float) -> int:
    return struct.unpack("<q", struct.pack("<d", v))[0]


def _f32_bits(v: float) -> int:
    return struct.unpack("<i", struct.pack("<f", v))[0]


def _trim(v: float, bits: int) -> float:
    """``v`` with the low ``bits`` bits of its float64 significand cleared."""
    return struct.unpack("<d", struct.pack("<q", _f64_bits(v) & ~((1 << bits) - 1)))[0]


def _f32(v: float) -> float:
    return struct.unpack("<f", struct.pack("<f", v))[0]


def _split(hi_lo: tuple[float, float], bits: int) -> tuple[float, float]:
    """A constant as ``hi + lo`` with ``hi`` short enough that ``k * hi`` is exact for
    small integers ``k``."""
    hi = _trim(hi_lo[0], bits)
    return hi, (hi_lo[0] - hi) + hi_lo[1]


_LN2_SHORT64 = _split(_LN2, 32)  # fdlibm's ln2_hi / ln2_lo
_LN2_SHORT32 = (_f32(_trim(_LN2[0], 41)), _f32(_LN2[0] - _trim(_LN2[0], 41)))
_LN2_F32 = (_f32(_LN2[0]), _f32(_LN2[0] - _f32(_LN2[0])))
_LOG10_2 = (0.30102999566398120, -2.8037281277851704e-18)
_LOG10E = (0.4342944819032518, 1.098319650216765e-17)
_LOG2E = (1.4426950408889634, 2.0355273740931033e-17)


class _Ops:
    """Straight-line arithmetic on one float type ``t`` (and the integers of its width)."""

    def __init__(self, b: ir.IRBuilder, t: ir.Type):
        self.b = b
        self.t = t
        self.f64 = isinstance(t, ir.DoubleType)
        self.it = I64 if self.f64 else I32
        self.mant = 52 if self.f64 else 23
        self.bias = 1023 if self.f64 else 127
        self.module: ir.Module = b.module

    def c(self, v: float) -> ir.Constant:
        return ir.Constant(self.t, v)

    def ci(self, v: int) -> ir.Constant:
        return ir.Constant(self.it, v)

    def _intr(self, name: str, n: int) -> ir.Function:
        full = f"llvm.{name}.{'f64' if self.f64 else 'f32'}"
        fn = self.module.globals.get(full)
        if fn is None:
            fn = ir.Function(self.module, ir.FunctionType(self.t, [self.t] * n), full)
        return fn  # type: ignore[no-any-return]

    def add(self, a: ir.Value, b: ir.Value) -> ir.Value:
        return self.b.fadd(a, b)

    def sub(self, a: ir.Value, b: ir.Value) -> ir.Value:
        return self.b.fsub(a, b)

    def mul(self, a: ir.Value, b: ir.Value) -> ir.Value:
        return self.b.fmul(a, b)

    def div(self, a: ir.Value, b: ir.Value) -> ir.Value:
        return self.b.fdiv(a, b)

    def neg(self, a: ir.Value) -> ir.Value:
        return self.b.fneg(a)

    def fma(self, a: ir.Value, b: ir.Value, c: ir.Value) -> ir.Value:
        return self.b.call(self._intr("fma", 3), [a, b, c])

    def abs(self, a: ir.Value) -> ir.Value:
        return self.b.call(self._intr("fabs", 1), [a])

    def rint(self, a: ir.Value) -> ir.Value:
        return self.b.call(self._intr("rint", 1), [a])

    def copysign(self, a: ir.Value, b: ir.Value) -> ir.Value:
        return self.b.call(self._intr("copysign", 2), [a, b])

    def cmp(self, op: str, a: ir.Value, b: ir.Value) -> ir.Value:
        """Ordered comparison: false when either side is NaN."""
        return self.b.fcmp_ordered(op, a, b)

    def sel(self, c: ir.Value, a: ir.Value, b: ir.Value) -> ir.Value:
        return self.b.select(c, a, b)

    def and_(self, a: ir.Value, b: ir.Value) -> ir.Value:
        return self.b.and_(a, b)

    def isnan(self, a: ir.Value) -> ir.Value:
        return self.b.fcmp_unordered("uno", a, a)

    def bits(self, a: ir.Value) -> ir.Value:
        return self.b.bitcast(a, self.it)

    def float_of_bits(self, i: ir.Value) -> ir.Value:
        return self.b.bitcast(i, self.t)

    def tofloat(self, i: ir.Value) -> ir.Value:
        return self.b.sitofp(i, self.t)

    def horner(self, x: ir.Value, coeffs: Sequence[float | ir.Value]) -> ir.Value:
        """``c0 + c1 x + ... + cn x^n`` (coefficients lowest first), Horner with FMA."""
        cs = [self.c(v) if isinstance(v, float) else v for v in coeffs]
        acc = cs[-1]
        for v in reversed(cs[:-1]):
            acc = self.fma(acc, x, v)
        return acc

    def clamp(self, x: ir.Value, lo: float, hi: float) -> ir.Value:
        """``x`` limited to ``[lo, hi]``; NaN stays NaN."""
        x = self.sel(self.cmp(">", x, self.c(hi)), self.c(hi), x)
        return self.sel(self.cmp("<", x, self.c(lo)), self.c(lo), x)

    def pow2(self, k: ir.Value) -> ir.Value:
        """``2**k`` for an integer ``k`` in the normal range."""
        return self.float_of_bits(self.b.shl(self.b.add(k, self.ci(self.bias)), self.ci(self.mant)))

    def scale(self, p: ir.Value, k: ir.Value) -> ir.Value:
        """``p * 2**k`` in two exact-or-once-rounded steps (``|k|`` up to twice the exponent
        range): no overflow of the scale factor itself, one rounding into denormals."""
        k1 = self.b.ashr(k, self.ci(1))
        k2 = self.b.sub(k, k1)
        return self.mul(self.mul(p, self.pow2(k1)), self.pow2(k2))

    def shifter(self) -> float:
        return 1.5 * 2.0**52 if self.f64 else 1.5 * 2.0**23

    def round_int(self, t: ir.Value) -> tuple[ir.Value, ir.Value]:
        """From ``t = y + shifter``: ``rint(y)`` as a float and as an integer."""
        sh = self.shifter()
        kf = self.sub(t, self.c(sh))
        bits = _f64_bits(sh) if self.f64 else _f32_bits(sh)
        return kf, self.b.sub(self.bits(t), self.ci(bits))

    def call(self, name: str, args: Sequence[ir.Value], t: ir.Type | None = None) -> ir.Value:
        return self.b.call(declare(self.module, name, t or self.t), list(args))


# --------------------------------------------------------------------------- exp family


def _exp_q(o: _Ops) -> tuple[float, ...]:
    return _EXP_Q64 if o.f64 else _EXP_Q32


def _exp_reduce(o: _Ops, x: ir.Value) -> tuple[ir.Value, ir.Value]:
    """``x = k ln2 + r``, ``|r| <= ln2/2``: (k as an integer, r)."""
    t = o.fma(x, o.c(_LOG2E[0]), o.c(o.shifter()))
    kf, k = o.round_int(t)
    ln2 = _LN2 if o.f64 else _LN2_F32
    nk = o.neg(kf)
    r = o.fma(nk, o.c(ln2[0]), x)
    return k, o.fma(nk, o.c(ln2[1]), r)


def _expm1_poly(o: _Ops, r: ir.Value) -> ir.Value:
    """``expm1(r)`` for ``|r| <= ln2/2``: ``r + r^2 q(r)``."""
    return o.fma(o.mul(r, r), o.horner(r, _exp_q(o)), r)


def _exp_of_reduced(o: _Ops, r: ir.Value, err: ir.Value) -> ir.Value:
    """``exp(r + err)`` for ``|r| <= ln2/2`` and a tiny ``err``, rounded once at the end:
    ``1 + r`` is kept exactly as ``hi + lo`` (Fast2Sum), so the result is within about
    0.52 ulp instead of 1 (``exp(1)`` is numpy's ``e``)."""
    hi = o.add(o.c(1.0), r)
    lo = o.add(o.sub(o.c(1.0), hi), r)
    r2, q = o.mul(r, r), o.horner(r, _exp_q(o))
    err = o.fma(err, o.fma(r2, q, r), err)  # err exp(r): err may be large (pow's y log x)
    tail = o.fma(r2, q, err)
    return o.add(hi, o.add(lo, tail))


def _exp(o: _Ops, x: ir.Value, xlo: ir.Value | None = None) -> ir.Value:
    lim = (-750.0, 750.0) if o.f64 else (-110.0, 100.0)
    x = o.clamp(x, *lim)
    t = o.fma(x, o.c(_LOG2E[0]), o.c(o.shifter()))
    kf, k = o.round_int(t)
    ln2 = _LN2 if o.f64 else _LN2_F32
    nk = o.neg(kf)
    rh = o.fma(nk, o.c(ln2[0]), x)  # exact: x - k ln2_hi needs no more bits than it has
    tl = o.mul(kf, o.c(ln2[1]))
    r = o.sub(rh, tl)
    err = o.sub(o.sub(rh, r), tl)  # (rh - tl) - r, exactly: |rh| >= |tl|
    if xlo is not None:
        err = o.add(err, xlo)
    return o.scale(_exp_of_reduced(o, r, err), k)


def _exp2(o: _Ops, x: ir.Value) -> ir.Value:
    x = o.clamp(x, *((-1100.0, 1100.0) if o.f64 else (-160.0, 160.0)))
    kf, k = o.round_int(o.add(x, o.c(o.shifter())))
    f = o.sub(x, kf)  # exact, |f| <= 1/2
    ln2 = _LN2 if o.f64 else _LN2_F32
    r = o.mul(f, o.c(ln2[0]))
    err = o.fma(f, o.c(ln2[0]), o.neg(r))  # f ln2_hi = r + err exactly
    err = o.fma(f, o.c(ln2[1]), err)
    return o.scale(_exp_of_reduced(o, r, err), k)


def _expm1(o: _Ops, x: ir.Value) -> ir.Value:
    x0 = x
    x = o.clamp(x, *((-45.0, 750.0) if o.f64 else (-20.0, 100.0)))
    k, r = _exp_reduce(o, x)
    q = _expm1_poly(o, r)
    big = o.b.icmp_signed(">", k, o.ci(o.mant + 1))
    # |k| small: 2^k q + (2^k - 1), with 2^k - 1 exact; large k: 2^k (1 + q) - 1.
    ks = o.sel(big, o.ci(0), k)
    s = o.pow2(ks)
    small = o.fma(s, q, o.sub(s, o.c(1.0)))
    large = o.sub(o.scale(o.add(o.c(1.0), q), k), o.c(1.0))
    res = o.sel(big, large, small)
    return o.sel(o.cmp("==", x0, o.c(0.0)), x0, res)


def _tanh(o: _Ops, x: ir.Value) -> ir.Value:
    ax = o.abs(x)
    t = o.call("expm1", [o.add(ax, ax)])
    d = o.add(t, o.c(2.0))
    big = o.sub(o.c(1.0), o.div(o.c(2.0), d))
    small = o.div(t, d)
    res = o.sel(o.cmp(">", ax, o.c(0.55)), big, small)
    return o.copysign(res, x)


# --------------------------------------------------------------------------- log family


def _log_r(o: _Ops) -> tuple[float, ...]:
    return _LOG_R64 if o.f64 else _LOG_R32


_SQRT_HALF_BITS = {True: 0x3FE6A09E667F3BCD, False: 0x3F3504F3}
_ONE_BITS = {True: 0x3FF0000000000000, False: 0x3F800000}


def _decompose(o: _Ops, u: ir.Value) -> tuple[ir.Value, ir.Value]:
    """``u = 2^k m`` with ``m`` in ``[sqrt(1/2), sqrt(2))`` for positive normal ``u``:
    (k as an integer, m)."""
    sh = _SQRT_HALF_BITS[o.f64]
    v = o.b.add(o.bits(u), o.ci(_ONE_BITS[o.f64] - sh))
    k = o.b.sub(o.b.ashr(v, o.ci(o.mant)), o.ci(o.bias))
    mb = o.b.add(o.b.and_(v, o.ci((1 << o.mant) - 1)), o.ci(sh))
    return k, o.float_of_bits(mb)


def _log1p_parts(o: _Ops, f: ir.Value) -> tuple[ir.Value, ir.Value]:
    """For ``f`` in ``[sqrt(1/2) - 1, sqrt(2) - 1]``: ``log1p(f) = f - (hfsq - t)``,
    returns (hfsq, t)."""
    s = o.div(f, o.add(o.c(2.0), f))
    z = o.mul(s, s)
    r = o.mul(z, o.horner(z, _log_r(o)))
    hfsq = o.mul(o.mul(o.c(0.5), f), f)
    return hfsq, o.mul(s, o.add(hfsq, r))


def _log_reduce(o: _Ops, x: ir.Value) -> tuple[ir.Value, ir.Value]:
    """(k as a float, log1p(f)) with ``x = 2^k (1 + f)``, denormals included."""
    tiny = o.cmp("<", x, o.c(2.2250738585072014e-308 if o.f64 else 1.1754943508222875e-38))
    up = 54 if o.f64 else 25
    xs = o.sel(tiny, o.mul(x, o.c(2.0**up)), x)
    k, m = _decompose(o, xs)
    k = o.b.sub(k, o.sel(tiny, o.ci(up), o.ci(0)))
    f = o.sub(m, o.c(1.0))
    hfsq, t = _log1p_parts(o, f)
    return o.tofloat(k), o.sub(f, o.sub(hfsq, t))


def _log_specials(o: _Ops, x: ir.Value, core: ir.Value) -> ir.Value:
    ok = o.and_(o.cmp(">", x, o.c(0.0)), o.cmp("<", x, o.c(math.inf)))
    special = o.sel(
        o.cmp("==", x, o.c(0.0)),
        o.c(-math.inf),
        o.sel(o.cmp("<", x, o.c(0.0)), o.c(math.nan), o.add(x, x)),
    )
    return o.sel(ok, core, special)


def _log(o: _Ops, x: ir.Value) -> ir.Value:
    tiny = o.cmp("<", x, o.c(2.2250738585072014e-308 if o.f64 else 1.1754943508222875e-38))
    up = 54 if o.f64 else 25
    xs = o.sel(tiny, o.mul(x, o.c(2.0**up)), x)
    k, m = _decompose(o, xs)
    kf = o.tofloat(o.b.sub(k, o.sel(tiny, o.ci(up), o.ci(0))))
    f = o.sub(m, o.c(1.0))
    hfsq, t = _log1p_parts(o, f)
    hi, lo = _LN2_SHORT64 if o.f64 else _LN2_SHORT32
    # k ln2_hi - ((hfsq - (t + k ln2_lo)) - f)
    inner = o.sub(o.sub(hfsq, o.fma(kf, o.c(lo), t)), f)
    return _log_specials(o, x, o.fma(kf, o.c(hi), o.neg(inner)))


def _log2(o: _Ops, x: ir.Value) -> ir.Value:
    kf, lp = _log_reduce(o, x)
    core = o.add(kf, o.fma(lp, o.c(_LOG2E[0]), o.mul(lp, o.c(_LOG2E[1]))))
    return _log_specials(o, x, core)


def _log10(o: _Ops, x: ir.Value) -> ir.Value:
    kf, lp = _log_reduce(o, x)
    hi = _trim(_LOG10_2[0], 32) if o.f64 else _f32(_trim(_LOG10_2[0], 41))
    lo = (_LOG10_2[0] - hi) + _LOG10_2[1]
    tail = o.fma(kf, o.c(lo), o.fma(lp, o.c(_LOG10E[0]), o.mul(lp, o.c(_LOG10E[1]))))
    return _log_specials(o, x, o.fma(kf, o.c(hi), tail))


def _log1p(o: _Ops, x: ir.Value) -> ir.Value:
    u = o.add(o.c(1.0), x)
    k, m = _decompose(o, u)
    kf = o.tofloat(k)
    # the rounding error of 1 + x, relative to u (musl's log1p)
    c = o.sel(
        o.b.icmp_signed(">=", k, o.ci(2)),
        o.sub(o.c(1.0), o.sub(u, x)),
        o.sub(x, o.sub(u, o.c(1.0))),
    )
    c = o.sel(o.b.icmp_signed(">", k, o.ci(o.mant + 1)), o.c(0.0), o.div(c, u))
    f = o.sub(m, o.c(1.0))
    hfsq, t = _log1p_parts(o, f)
    hi, lo = _LN2_SHORT64 if o.f64 else _LN2_SHORT32
    inner = o.sub(o.sub(hfsq, o.add(t, o.fma(kf, o.c(lo), c))), f)
    core = o.fma(kf, o.c(hi), o.neg(inner))
    ok = o.and_(o.cmp(">", x, o.c(-1.0)), o.cmp("<", x, o.c(math.inf)))
    special = o.sel(
        o.cmp("==", x, o.c(-1.0)),
        o.c(-math.inf),
        o.sel(o.cmp("<", x, o.c(-1.0)), o.c(math.nan), o.add(x, x)),
    )
    res = o.sel(ok, core, special)
    return o.sel(o.cmp("==", x, o.c(0.0)), x, res)


# --------------------------------------------------------------------------- sin, cos


def _sincos_f64(o: _Ops, x: ir.Value, cosine: bool) -> ir.Value:
    """``sin``/``cos`` for ``|x| <= TRIG_BOUND`` (float64)."""
    c1, c2, c3 = (o.c(v) for v in _PIO2)
    t = o.fma(x, o.c(2.0 / math.pi), o.c(o.shifter()))
    n, ni = o.round_int(t)
    a = o.fma(o.neg(n), c1, x)  # exact: |a| < 1 is a multiple of 2^-52
    p = o.mul(n, c2)
    pe = o.fma(n, c2, o.neg(p))  # n c2 = p + pe exactly
    r0 = o.sub(a, p)  # two-sum a - p = r0 + err
    bb = o.sub(r0, a)
    err = o.add(o.sub(a, o.sub(r0, bb)), o.sub(o.neg(p), bb))
    tail = o.fma(o.neg(n), c3, o.sub(err, pe))
    r = o.add(r0, tail)
    rl = o.sub(tail, o.sub(r, r0))
    z = o.mul(r, r)
    sinp = o.add(r, o.fma(o.mul(r, z), o.horner(z, _SIN_S64), rl))
    hz = o.mul(o.c(0.5), z)
    w = o.sub(o.c(1.0), hz)
    cc = o.fma(o.mul(z, z), o.horner(z, _COS_C64), o.neg(o.mul(r, rl)))
    cosp = o.add(w, o.add(o.sub(o.sub(o.c(1.0), w), hz), cc))
    return _quadrant(o, x, ni, sinp, cosp, cosine)


def _sincos_f32(o: _Ops, x: ir.Value, cosine: bool) -> ir.Value:
    """``sin``/``cos`` for ``|x| <= TRIG_BOUND`` (float32): ``x - n pi/2`` with a three-part
    ``pi/2`` (the first product exact) and FMA, then degree-7 and degree-8 polynomials."""
    t = o.fma(x, o.c(_f32(2.0 / math.pi)), o.c(o.shifter()))
    n, ni = o.round_int(t)
    nn = o.neg(n)
    r = x
    for part in _PIO2_F32:
        r = o.fma(nn, o.c(part), r)
    z = o.mul(r, r)
    sinp = o.fma(o.mul(r, z), o.horner(z, _SIN_S32), r)
    cosp = o.fma(o.mul(z, z), o.horner(z, _COS_C32), o.fma(o.c(-0.5), z, o.c(1.0)))
    return _quadrant(o, x, ni, sinp, cosp, cosine)


def _quadrant(
    o: _Ops, x: ir.Value, n: ir.Value, sinp: ir.Value, cosp: ir.Value, cosine: bool
) -> ir.Value:
    """``sin``/``cos`` of ``x = n pi/2 + r`` from ``sin r`` and ``cos r``; ``sin(-0) = -0``."""
    q = o.b.add(n, o.ci(1)) if cosine else n
    res = o.sel(o.b.trunc(q, I1), cosp, sinp)
    neg = o.b.icmp_unsigned("!=", o.b.and_(q, o.ci(2)), o.ci(0))
    res = o.sel(neg, o.neg(res), res)
    return res if cosine else o.sel(o.cmp("==", x, o.c(0.0)), x, res)


def _trig(name: str) -> Callable[[_Ops, ir.Value], ir.Value]:
    def build(o: _Ops, x: ir.Value) -> ir.Value:
        fn = o.b.function
        big = o.b.fcmp_unordered(">", o.abs(x), o.c(TRIG_BOUND[o.f64]))  # NaN: libm's NaN
        slow = fn.append_basic_block("libm")
        fast = fn.append_basic_block("fast")
        o.b.cbranch(big, slow, fast)
        o.b.position_at_end(slow)
        o.b.ret(o.b.call(_libm_with_variants(o.module, name if o.f64 else name + "f", o.t), [x]))
        o.b.position_at_end(fast)
        return (_sincos_f64 if o.f64 else _sincos_f32)(o, x, name == "cos")

    return build


_LANES = {True: (2, 4, 8, 16), False: (2, 4, 8, 16, 32)}
"""The vector widths that libm fallbacks have masked vector variants for (f64, f32)."""


def _libm_with_variants(module: ir.Module, name: str, t: ir.Type) -> ir.Function:
    """libm's ``name`` declared with masked vector variants (LLVM's vector function ABI), so
    that a loop calling it on a rarely taken path still vectorizes: the vector loop calls
    ``tir.vm.<name>.m<N>(x, mask)``, which calls libm only for the masked lanes, and only
    when there are some."""
    name = LIBM_PREFIX + name  # under its own name LLVM would call it on every lane
    fn = module.globals.get(name)
    if fn is not None:
        return fn  # type: ignore[no-any-return]
    fn = ir.Function(module, ir.FunctionType(t, [t]), name)
    fn.attributes.add("nounwind")
    fn.attributes.add("readnone")  # errno is not read by generated code
    variants = []
    for n in _LANES[isinstance(t, ir.DoubleType)]:
        variant = _masked_variant(module, fn, t, n)
        variants.append(f"_ZGV_LLVM_M{n}v_{name}({variant.name})")
        _KEEP.setdefault(module, []).append(variant)
    # llvmlite knows only keyword attributes; LLVM reads this string attribute.
    set.add(fn.attributes, f'"vector-function-abi-variant"="{",".join(variants)}"')
    return fn


_KEEP: weakref.WeakKeyDictionary[ir.Module, list[ir.Function]] = weakref.WeakKeyDictionary()
"""Each module's vector variants: nothing calls them until the loop vectorizer does."""


def finish(module: ir.Module) -> None:
    """Call once ``module`` is complete: keeps its vector variants alive (``llvm.compiler.used``)
    until the loop vectorizer has had its chance to call them."""
    keep = _KEEP.pop(module, [])
    if keep:
        arr = ir.ArrayType(ir.PointerType(), len(keep))
        used = ir.GlobalVariable(module, arr, "llvm.compiler.used")
        used.linkage = "appending"
        used.section = "llvm.metadata"
        used.initializer = ir.Constant(arr, keep)


def _masked_variant(module: ir.Module, scalar: ir.Function, t: ir.Type, n: int) -> ir.Function:
    """``<n x t> f(<n x t> x, <n x i1> mask)``: ``scalar`` on the masked lanes of ``x``, the
    other lanes unchanged; a cold out-of-line loop, entered only if a lane is masked."""
    vt, mt = ir.VectorType(t, n), ir.VectorType(I1, n)
    slow = ir.Function(module, ir.FunctionType(vt, [vt, mt]), f"{scalar.name}_lanes{n}")
    slow.linkage = "internal"
    slow.attributes.add("noinline")
    slow.attributes.add("cold")
    slow.attributes.add("nounwind")
    x, mask = slow.args
    b = ir.IRBuilder(slow.append_basic_block("entry"))
    entry = b.block
    loop, call, nxt, done = (slow.append_basic_block(s) for s in ("lane", "call", "next", "done"))
    b.branch(loop)
    b.position_at_end(loop)
    i, acc = b.phi(I32), b.phi(vt)
    i.add_incoming(ir.Constant(I32, 0), entry)
    acc.add_incoming(x, entry)
    b.cbranch(b.extract_element(mask, i), call, nxt)
    b.position_at_end(call)
    called = b.insert_element(acc, b.call(scalar, [b.extract_element(x, i)]), i)
    b.branch(nxt)
    b.position_at_end(nxt)
    merged = b.phi(vt)
    merged.add_incoming(acc, loop)
    merged.add_incoming(called, call)
    i2 = b.add(i, ir.Constant(I32, 1))
    i.add_incoming(i2, nxt)
    acc.add_incoming(merged, nxt)
    b.cbranch(b.icmp_unsigned("<", i2, ir.Constant(I32, n)), loop, done)
    b.position_at_end(done)
    b.ret(merged)

    fn = ir.Function(module, ir.FunctionType(vt, [vt, mt]), f"{scalar.name}_m{n}")
    fn.linkage = "internal"
    fn.attributes.add("alwaysinline")
    fn.attributes.add("nounwind")
    x, mask = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    some = b.icmp_unsigned("!=", b.bitcast(mask, ir.IntType(n)), ir.Constant(ir.IntType(n), 0))
    cold, hot = fn.append_basic_block("some"), fn.append_basic_block("none")
    b.cbranch(some, cold, hot)
    b.position_at_end(cold)
    b.ret(b.call(slow, [x, mask]))
    b.position_at_end(hot)
    b.ret(x)
    return fn


# --------------------------------------------------------------------------- erf, pow


_ERF_MID = (1.5, 2.75, 4.75)


def _erf_f64(o: _Ops, x: ir.Value) -> ir.Value:
    ax = o.abs(x)
    small = o.fma(x, o.horner(o.mul(x, x), (_ERF_E64[0] - 1.0, *_ERF_E64[1:])), x)
    a = o.clamp(ax, 1.0, 6.0)
    i1 = o.cmp("<", a, o.c(2.0))
    i2 = o.cmp("<", a, o.c(3.5))

    def pick(v: Sequence[float]) -> ir.Value:
        return o.sel(i1, o.c(v[0]), o.sel(i2, o.c(v[1]), o.c(v[2])))

    t = o.sub(a, pick(_ERF_MID))
    cs = [pick(v) for v in zip(_ERFC_G0, _ERFC_G1, _ERFC_G2, strict=True)]
    g = o.horner(t, cs)
    e = o.call("exp", [o.neg(o.mul(a, a))])
    large = o.copysign(o.sub(o.c(1.0), o.mul(e, g)), x)
    return o.sel(o.cmp("<", ax, o.c(1.0)), small, large)


def _erf_f32(o: _Ops, x: ir.Value) -> ir.Value:
    """float32 ``erf``: ``x + x P(x^2)`` below 1; above, ``1 - exp(-x^2) Q(x)`` with ``Q`` the
    scaled ``erfc`` on ``[1, 4]`` (float32's ``erf`` is 1 from 3.92 on) and ``x^2`` kept
    exact as ``h + l``."""
    ax = o.abs(x)
    small = o.fma(x, o.horner(o.mul(x, x), _ERF_P32), x)  # x + x r: r's error counts 1/9
    a = o.clamp(ax, 1.0, 4.0)
    h = o.mul(a, a)
    l = o.fma(a, a, o.neg(h))  # noqa: E741
    e = o.call("exp", [o.neg(h)])
    e = o.fma(o.neg(e), l, e)  # exp(-h - l)
    q = o.horner(o.sub(a, o.c(2.5)), _ERFCX_Q32)
    large = o.copysign(o.fma(o.neg(e), q, o.c(1.0)), x)
    return o.sel(o.cmp("<", ax, o.c(1.0)), small, large)


def _erf(o: _Ops, x: ir.Value) -> ir.Value:
    return (_erf_f64 if o.f64 else _erf_f32)(o, x)


def _log_dd(o: _Ops, x: ir.Value) -> tuple[ir.Value, ir.Value]:
    """``log(x) = hi + lo`` (about 2^-64 relative) for positive finite float64 ``x``."""
    tiny = o.cmp("<", x, o.c(2.2250738585072014e-308))
    xs = o.sel(tiny, o.mul(x, o.c(2.0**54)), x)
    k, m = _decompose(o, xs)
    kf = o.tofloat(o.b.sub(k, o.sel(tiny, o.ci(54), o.ci(0))))
    f = o.sub(m, o.c(1.0))  # exact
    two = o.c(2.0)
    den = o.add(two, f)
    den_lo = o.add(o.sub(two, den), f)
    s = o.div(f, den)
    s_lo = o.div(o.sub(o.fma(o.neg(s), den, f), o.mul(s, den_lo)), den)
    # log(m) = 2 atanh(s + s_lo) = 2 s + 2 s_lo + (2/3) s^3 + s^5 P(s^2)
    z = o.mul(s, s)
    ze = o.fma(s, s, o.neg(z))
    s3 = o.mul(z, s)
    s3e = o.fma(z, s, o.neg(s3))
    s3e = o.add(s3e, o.fma(ze, s, o.mul(o.mul(o.c(3.0), z), s_lo)))
    c23 = (2.0 / 3.0, 3.700743415417188e-17)  # 2/3 = hi + lo
    t_hi = o.mul(o.c(c23[0]), s3)
    t_lo = o.fma(o.c(c23[0]), s3, o.neg(t_hi))
    t_lo = o.add(t_lo, o.fma(o.c(c23[0]), s3e, o.mul(o.c(c23[1]), s3)))
    rest = o.mul(o.mul(s3, z), o.horner(z, _ATANH_TAIL))
    kh = o.mul(kf, o.c(_LN2[0]))
    kl = o.fma(kf, o.c(_LN2[0]), o.neg(kh))
    kl = o.fma(kf, o.c(_LN2[1]), kl)
    s2 = o.add(s, s)

    def two_sum(a: ir.Value, b: ir.Value) -> tuple[ir.Value, ir.Value]:
        sm = o.add(a, b)
        bv = o.sub(sm, a)
        return sm, o.add(o.sub(a, o.sub(sm, bv)), o.sub(b, bv))

    a1, e1 = two_sum(kh, s2)
    a2, e2 = two_sum(a1, t_hi)
    lo = o.add(o.add(o.add(e1, e2), o.add(kl, o.add(s_lo, s_lo))), o.add(t_lo, rest))
    hi = o.add(a2, lo)
    return hi, o.sub(lo, o.sub(hi, a2))


def _pow_f64(o: _Ops, x: ir.Value, y: ir.Value) -> ir.Value:
    ax = o.abs(x)
    hi, lo = _log_dd(o, ax)
    finite = o.and_(o.cmp(">", ax, o.c(0.0)), o.cmp("<", ax, o.c(math.inf)))
    inf = o.c(math.inf)
    hi = o.sel(finite, hi, o.sel(o.cmp("==", ax, o.c(0.0)), o.neg(inf), o.add(ax, ax)))
    lo = o.sel(finite, lo, o.c(0.0))
    ph = o.mul(y, hi)
    pl = o.fma(y, lo, o.fma(y, hi, o.neg(ph)))
    pl = o.sel(o.cmp("<", o.abs(ph), o.c(1000.0)), pl, o.c(0.0))
    core = _exp(o, ph, pl)
    yr = o.rint(y)
    yint = o.cmp("==", yr, y)
    h = o.mul(y, o.c(0.5))
    yodd = o.and_(yint, o.cmp("!=", o.rint(h), h))
    sign = o.b.icmp_signed("<", o.bits(x), o.ci(0))
    res = o.sel(o.and_(sign, yodd), o.neg(core), core)
    negfinite = o.and_(o.cmp("<", x, o.c(0.0)), o.cmp(">", x, o.neg(inf)))
    bad = o.and_(negfinite, o.b.and_(o.b.not_(yint), o.cmp("<", o.abs(y), inf)))
    res = o.sel(bad, o.c(math.nan), res)
    one = o.c(1.0)
    # pow(-1, +-inf) = 1, pow(1, y) = 1, pow(x, 0) = 1
    unit = o.b.or_(o.cmp("==", x, one), o.cmp("==", y, o.c(0.0)))
    unit = o.b.or_(unit, o.and_(o.cmp("==", ax, one), o.cmp("==", o.abs(y), inf)))
    return o.sel(unit, one, res)


def _pow(o: _Ops, x: ir.Value, y: ir.Value) -> ir.Value:
    if o.f64:
        return _pow_f64(o, x, y)
    o64 = _Ops(o.b, F64)
    r = _pow_f64(o64, o.b.fpext(x, F64), o.b.fpext(y, F64))
    return o.b.fptrunc(r, o.t)


# --------------------------------------------------------------------------- functions

_BUILDERS: dict[str, Callable[..., ir.Value]] = {
    "exp": _exp,
    "exp2": _exp2,
    "expm1": _expm1,
    "log": _log,
    "log2": _log2,
    "log10": _log10,
    "log1p": _log1p,
    "tanh": _tanh,
    "sin": _trig("sin"),
    "cos": _trig("cos"),
    "erf": _erf,
    "pow": _pow,
}


def declare(module: ir.Module, name: str, t: ir.Type) -> ir.Function:
    """The function ``@tir.vm.<name>.<f32|f64>`` of ``module``, built on first use."""
    if name not in _BUILDERS:
        raise KeyError(f"vecmath has no function {name!r}; it has {', '.join(FUNCTIONS)}")
    full = f"tir.vm.{name}.{'f64' if isinstance(t, ir.DoubleType) else 'f32'}"
    fn = module.globals.get(full)
    if fn is not None:
        return fn  # type: ignore[no-any-return]
    nargs = 2 if name == "pow" else 1
    fn = ir.Function(module, ir.FunctionType(t, [t] * nargs), full)
    fn.linkage = "internal"
    fn.attributes.add("alwaysinline")
    fn.attributes.add("nounwind")
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    b.ret(_BUILDERS[name](_Ops(b, t), *fn.args))
    return fn
