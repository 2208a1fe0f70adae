"""Accuracy sweep of the transcendental kernels and their gradients (issue 9, "Stable
kernels"): ``exp``, ``log``, ``log1p``, ``expm1``, ``tanh``, ``sigmoid`` and ``softplus``
compiled through the public API, in float64 and float32, on a dense sweep of their whole
range: magnitudes from the smallest subnormal to 1e4 (log-spaced, both signs), a linear sweep
that crosses every overflow and underflow threshold, a fine one around 0, the neighbours of
each threshold, and the range limits of the dtype.

Why a sweep: a formula is stable only if it holds everywhere. ``1 - tanh(x)**2`` is exact at
``x = 0``, about 2000 ulps off at ``x = 5`` and ``0`` instead of ``1.7e-17`` at ``x = 20``;
``exp(x) / (1 + exp(x))`` is right for ``x < 700`` and ``inf / inf = NaN`` above;
``sigmoid(x) * (1 - sigmoid(x))`` is ``0`` where it should be tiny. A few hand-picked points
miss these; a sweep in ulps against a higher-precision reference does not.

The reference is the same mathematical function computed with a stable formula in a wider
type: ``np.longdouble`` for float64 (x87's 64-bit significand on x86-64, 11 bits more than
float64: its error is about 1/1000 of a float64 ulp; the float64 checks are skipped where
``longdouble`` is no wider than float64) and float64 for float32. The error of a result is
``|result - reference| / ulp(reference)`` in the result's dtype, the ulp taken below the
smallest normal as the subnormal spacing, so that underflow to 0 of a value far below the
smallest subnormal counts as exact. A reference that rounds to ``±inf`` in the dtype (``exp``
past its overflow threshold, the true value then not finite) must be matched by the same
infinity.

Special values are exact: IEEE 754 / C99 Annex F for ``exp``, ``log``, ``log1p``, ``expm1``
and ``tanh`` (signed zeros kept: ``tanh(-0) = expm1(-0) = log1p(-0) = -0``), their limits for
``sigmoid`` and ``softplus``, and for gradients the derivative's formula evaluated in IEEE
arithmetic, as Theano's rules give it: ``d log(x) = 1 / x`` is ``-inf`` at ``-0`` and ``-1`` at
``x = -1``, outside the domain, where the value is NaN.

The numpy reference of the same compiled graph (each op's ``reference`` in ``tir.py``, run by
``tensorir.dialects.evaluate`` on the adjoint-level IR, so the gradient graph too) is held to
the same special values and to a looser ulp bound: numpy's float32 kernels are allowed
several ulps by numpy's own accuracy tests (4 for ``log``, 3 for ``exp``), and a composite
such as ``sigmoid`` adds its steps' errors.

Subnormals: the generated code runs with the process's floating-point environment and no
fast-math flags, so subnormal inputs and results are not flushed to zero; a test says so.

``pytest -s`` prints the measured worst error of each function, dtype, value and gradient.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import tensorir
from tensorir import tensor as T
from tensorir.dialects.evaluate import evaluate_function

# Bounds, in ulps of the result's dtype. Values: the goal of issue 9; the sweep measures at
# most 2.1 (glibc's libm; sigmoid and softplus compose exp, log1p and a division). Gradients:
# the sweep measures at most 4.5 (tanh's, (1 / cosh(x))**2 after tir-stabilize: cosh's error
# doubled by the square) and 3.7 (sigmoid's, sigmoid(x) * sigmoid(-x)); 2**24 random float32
# and 2**21 float64 inputs in [-800, 800] found 5.2 and 4.4. The bound leaves room for another
# libm. numpy's kernels (the ops' references) measure at most 3.2 for values and 7.1 for
# gradients (float32); their bounds leave room for numpy's other SIMD paths.
VALUE_ULP = 4.0
GRAD_ULP = 8.0
NUMPY_VALUE_ULP = 8.0
NUMPY_GRAD_ULP = 16.0

DTYPES = ["float64", "float32"]
SWEEP_LIMIT = 1e4  # largest magnitude of the log-spaced sweep
LOG_POINTS = 12_000  # per sign
LINEAR_POINTS = 20_001
FINE_POINTS = 20_001  # in [-4, 4]
NEIGHBOURS = 3  # ulps each side of every threshold

INF, NAN = float("inf"), float("nan")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` written so that no ``exp`` overflows (the reference's type has
    the range for ``exp(1e4)``, but the formula should not need it)."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1, e) / (1 + e)


def _softplus(x: np.ndarray) -> np.ndarray:
    """``log(1 + exp(x))`` as ``max(x, 0) + log1p(exp(-|x|))``: no overflow, no cancellation."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


@dataclass(frozen=True)
class Kernel:
    """A function under test: the graph builder and its value and derivative in numpy (applied
    in the wider reference type, with formulas that neither overflow nor cancel there)."""

    build: Callable[[Any], Any]
    value: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]


KERNELS: dict[str, Kernel] = {
    "exp": Kernel(T.exp, np.exp, np.exp),
    "log": Kernel(T.log, np.log, lambda x: 1 / x),
    "log1p": Kernel(T.log1p, np.log1p, lambda x: 1 / (1 + x)),
    "expm1": Kernel(T.expm1, np.expm1, np.exp),
    "tanh": Kernel(T.tanh, np.tanh, lambda x: 1 / np.cosh(x) ** 2),
    "sigmoid": Kernel(T.nnet.sigmoid, _sigmoid, lambda x: _sigmoid(x) * _sigmoid(-x)),
    "softplus": Kernel(T.nnet.softplus, _softplus, _sigmoid),
}

# (x, value, derivative) for every kernel, the same in both dtypes (lists, not dicts: 0.0 and
# -0.0 are equal as keys); every kernel also maps NaN to NaN, value and derivative
Special = list[tuple[float, float, float]]
_SPECIAL_ROWS: dict[str, Special] = {
    "exp": [(0.0, 1.0, 1.0), (-0.0, 1.0, 1.0), (INF, INF, INF), (-INF, 0.0, 0.0)],
    "log": [
        (0.0, -INF, INF),
        (-0.0, -INF, -INF),
        (1.0, 0.0, 1.0),
        (INF, INF, 0.0),
        (-INF, NAN, -0.0),
        (-1.0, NAN, -1.0),
    ],
    "log1p": [
        (0.0, 0.0, 1.0),
        (-0.0, -0.0, 1.0),
        (-1.0, -INF, INF),
        (-2.0, NAN, -1.0),
        (INF, INF, 0.0),
        (-INF, NAN, -0.0),
    ],
    "expm1": [(0.0, 0.0, 1.0), (-0.0, -0.0, 1.0), (INF, INF, INF), (-INF, -1.0, 0.0)],
    "tanh": [(0.0, 0.0, 1.0), (-0.0, -0.0, 1.0), (INF, 1.0, 0.0), (-INF, -1.0, 0.0)],
    "sigmoid": [(0.0, 0.5, 0.25), (-0.0, 0.5, 0.25), (INF, 1.0, 0.0), (-INF, 0.0, 0.0)],
    "softplus": [
        (0.0, float(np.log(2.0)), 0.5),
        (-0.0, float(np.log(2.0)), 0.5),
        (INF, INF, 1.0),
        (-INF, 0.0, 0.0),
    ],
}
SPECIAL: dict[str, Special] = {
    name: [*rows, (NAN, NAN, NAN)] for name, rows in _SPECIAL_ROWS.items()
}


def _reference_type(dtype: str) -> type[np.floating[Any]]:
    if dtype == "float32":
        return np.float64
    if np.finfo(np.longdouble).nmant < 63:
        pytest.skip("np.longdouble is no wider than float64 here: no float64 reference")
    return np.longdouble


def _thresholds(dtype: str) -> list[float]:
    """Where a kernel changes regime: overflow and underflow of ``exp`` (so of ``expm1``,
    ``sigmoid``, ``softplus``), half of them (``tanh``'s derivative ``4 exp(-2|x|)``), where
    ``softplus(x)`` becomes ``x`` and ``tanh`` rounds to 1, and the domain edge of ``log1p``."""
    fi = np.finfo(dtype)
    ln_max, ln_sub = float(np.log(fi.max)), float(np.log(fi.smallest_subnormal))
    ln_tiny, ln_eps = float(np.log(fi.tiny)), float(np.log(fi.eps))
    points = [ln_max, ln_sub, ln_tiny, ln_max / 2, ln_sub / 2, ln_tiny / 2, ln_eps, ln_eps / 2]
    return [*points, *(-p for p in points), -1.0, 1.0, 0.5, -0.5]


def sweep(dtype: str) -> np.ndarray:
    """The finite inputs of the sweep, in ``dtype``."""
    fi = np.finfo(dtype)
    smallest = float(fi.smallest_subnormal)
    magnitudes = np.logspace(np.log10(smallest), np.log10(SWEEP_LIMIT), LOG_POINTS)
    reach = 1.05 * -float(np.log(smallest))  # beyond every exp threshold
    parts = [
        magnitudes,
        -magnitudes,
        np.linspace(-reach, reach, LINEAR_POINTS),
        np.linspace(-4.0, 4.0, FINE_POINTS),
        np.array([0.0, -0.0]),
        np.outer([1.0, -1.0], [fi.max, fi.tiny, smallest, SWEEP_LIMIT]).ravel(),
    ]
    near = np.array(_thresholds(dtype), dtype=dtype)
    for direction in (np.inf, -np.inf):
        step = near
        for _ in range(NEIGHBOURS):
            step = np.nextafter(step, np.array(direction, dtype))
            parts.append(step)
    parts.append(near)
    with np.errstate(over="ignore"):
        xs = np.concatenate([np.asarray(p, dtype=dtype) for p in parts]).astype(dtype)
    return xs[np.isfinite(xs)]


def ulp_error(got: np.ndarray, ref: np.ndarray, dtype: str) -> np.ndarray:
    """``|got - ref|`` in ulps of ``ref`` in ``dtype`` (``ref`` in a wider type). Exact (0)
    where both are NaN or ``ref`` rounds to the infinity ``got`` is; ``inf`` where only one is
    NaN."""
    fi = np.finfo(dtype)
    _, exponent = np.frexp(np.abs(ref))
    exponent = np.where(ref == 0, fi.minexp + 1, exponent)
    ulp = np.ldexp(np.ones_like(ref), np.maximum(exponent, fi.minexp + 1) - (fi.nmant + 1))
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(got.astype(ref.dtype) - ref) / ulp
        rounded = ref.astype(dtype)
    err = np.where(np.isinf(rounded) & (got == rounded), 0.0, err)
    err = np.where(np.isnan(ref) & np.isnan(got), 0.0, err)
    return np.where(np.isnan(err), np.inf, err)


def _signs_agree(got: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Where ``got`` is a zero, it has the sign of ``ref`` (a zero or a value that underflowed)."""
    return (got != 0) | np.isnan(ref) | (np.signbit(got) == np.signbit(ref))


@functools.cache
def compiled(name: str, dtype: str, mode: str = "FAST_RUN") -> Any:
    """The value and the gradient of ``sum(kernel(x))`` as one compiled function."""
    x = T.vector("x", dtype=dtype)
    y = KERNELS[name].build(x)
    return tensorir.function([x], [y, tensorir.grad(T.sum(y), x)], mode=mode)


def numpy_reference(name: str, dtype: str, xs: np.ndarray) -> list[np.ndarray]:
    """The same function (the stabilized gradient graph included) run by numpy: each op's
    ``reference``, at the adjoint level."""
    return evaluate_function(compiled(name, dtype).module("adjoint").ops.first, [xs])


MEASURED: dict[tuple[str, str], dict[str, float]] = {}


@pytest.fixture(scope="module", autouse=True)
def _print_table() -> Iterator[None]:
    """Print the worst errors measured by the sweep (shown with ``pytest -s``)."""
    yield
    if not MEASURED:
        return
    print("\nworst error in ulps (compiled / numpy reference of the same graph)")
    print(f"{'function':10} {'dtype':8} {'value':>8} {'grad':>8} {'np value':>9} {'np grad':>8}")
    for (name, dtype), m in sorted(MEASURED.items()):
        row = (m["value"], m["grad"], m["np value"], m["np grad"])
        print(f"{name:10} {dtype:8} " + " ".join(f"{v:8.3f}" for v in row))


def _worst(err: np.ndarray, xs: np.ndarray) -> tuple[float, float]:
    k = int(np.argmax(err))
    return float(err[k]), float(xs[k])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(KERNELS))
def test_sweep(name: str, dtype: str) -> None:
    """Every finite input of the sweep: values within ``VALUE_ULP``, gradients within
    ``GRAD_ULP`` of the wide reference (infinite where the true value overflows the dtype,
    never NaN), zeros with the reference's sign; numpy's reference within its bounds."""
    ref_type = _reference_type(dtype)
    xs = sweep(dtype)
    kernel = KERNELS[name]
    wide = xs.astype(ref_type)
    with np.errstate(all="ignore"):
        ref_value, ref_grad = kernel.value(wide), kernel.derivative(wide)
    value, grad = compiled(name, dtype)(xs)
    np_value, np_grad = numpy_reference(name, dtype, xs)
    assert value.dtype == grad.dtype == np.dtype(dtype)

    measured: dict[str, float] = {}
    checks = [
        ("value", value, ref_value, VALUE_ULP),
        ("grad", grad, ref_grad, GRAD_ULP),
        ("np value", np_value, ref_value, NUMPY_VALUE_ULP),
        ("np grad", np_grad, ref_grad, NUMPY_GRAD_ULP),
    ]
    for what, got, ref, bound in checks:
        err = ulp_error(got, ref, dtype)
        worst, at = _worst(err, xs)
        measured[what] = worst
        assert worst <= bound, f"{name} {dtype} {what}: {worst} ulp at x = {at!r}"
        signs = _signs_agree(got, ref)
        assert signs.all(), f"{name} {dtype} {what}: zero of the wrong sign at {xs[~signs]}"
    MEASURED[(name, dtype)] = measured


def _same(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Bit-level agreement of special values: both NaN, or equal with the same sign."""
    both_nan = np.isnan(got) & np.isnan(want)
    return both_nan | ((got == want) & (np.signbit(got) == np.signbit(want)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(KERNELS))
def test_special_values(name: str, dtype: str) -> None:
    """Infinities, NaN, signed zeros and domain edges: exactly the C99 / numpy value, for the
    compiled function and for numpy's reference of the same graph."""
    xs, want_value, want_grad = np.array(SPECIAL[name], dtype=dtype).T
    got = compiled(name, dtype)(xs)
    for source, (value, grad) in (("compiled", got), ("numpy", numpy_reference(name, dtype, xs))):
        for what, g, w in (("value", value, want_value), ("grad", grad, want_grad)):
            ok = _same(g, w)
            assert ok.all(), f"{source} {name} {dtype} {what} at {xs[~ok]}: {g[~ok]} != {w[~ok]}"


@pytest.mark.parametrize("dtype", DTYPES)
def test_subnormals_are_not_flushed(dtype: str) -> None:
    """Subnormal inputs are read as themselves and subnormal results are kept: no
    flush-to-zero or denormals-are-zero mode in the generated code."""
    fi = np.finfo(dtype)
    sub = np.array([fi.smallest_subnormal, -fi.smallest_subnormal, fi.tiny / 4], dtype=dtype)
    for name in ("tanh", "expm1", "log1p"):  # f(x) = x for tiny x
        value, grad = compiled(name, dtype)(sub)
        np.testing.assert_array_equal(value, sub)
        np.testing.assert_array_equal(grad, np.ones_like(sub))
    value, _ = compiled("log", dtype)(sub[:1])
    assert value[0] == np.log(sub[:1].astype(np.float64))[0].astype(dtype)  # not -inf
    # exp, sigmoid and softplus just above the smallest subnormal result: 4 * smallest
    x = np.array([np.log(4 * float(fi.smallest_subnormal))], dtype=dtype)
    for name in ("exp", "sigmoid", "softplus"):
        value, grad = compiled(name, dtype)(x)
        assert 0 < value[0] < fi.tiny and 0 < grad[0] < fi.tiny, (name, value, grad)


@pytest.mark.parametrize("dtype", DTYPES)
def test_fast_compile_gives_the_same_bits(dtype: str) -> None:
    """The stable forms do not depend on the mode: ``FAST_COMPILE`` (no ``tir-cse``, LLVM O1)
    runs ``tir-stabilize`` too and calls the same libm, so the sweep gives the same bits."""
    xs = sweep(dtype)
    for name in KERNELS:
        fast_run = compiled(name, dtype)(xs)
        fast_compile = compiled(name, dtype, "FAST_COMPILE")(xs)
        for a, b in zip(fast_run, fast_compile, strict=True):
            assert np.array_equal(a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}")), name
