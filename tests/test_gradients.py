"""Reverse-mode autodiff: ``verify_grad`` (finite differences) for every differentiable op in
float64 and float32, broadcast operands and empty shapes; gradients of gradients, ``Rop`` and
``Lop`` against numpy Jacobians, ``derivative``/``derivatives`` by multi-index against
analytic formulas, and the behaviour of Theano's ``grad`` API."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tensorir
from tensorir import tensor as T
from tensorir.dialects import tir
from tensorir.gradient import (
    DisconnectedInputError,
    GradientError,
    Lop,
    Rop,
    derivative,
    derivatives,
    grad,
    numeric_grad,
    verify_grad,
)
from tensorir.lowering import autodiff

FLOATS = ["float64", "float32"]


def _any(*shape: int, seed: int = 0) -> np.ndarray:
    """Values in [-1, 1]."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, shape)


def _pos(*shape: int, seed: int = 0) -> np.ndarray:
    """Values in [0.5, 1.5] (domain of log, sqrt, divisors, bases of pow)."""
    return np.random.default_rng(seed).uniform(0.5, 1.5, shape)


def _distinct(*shape: int, seed: int = 0) -> np.ndarray:
    """Values at least 0.1 apart (no near-ties for max/min/maximum under finite differences)."""
    n = int(np.prod(shape))
    return (np.random.default_rng(seed).permutation(n) * 0.1 - n * 0.05).reshape(shape)


def _away_from_zero(*shape: int, seed: int = 0) -> np.ndarray:
    """Values in +-[0.3, 1] (abs, sgn and mod are not differentiable at their kinks)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.3, 1.0, shape) * rng.choice([-1.0, 1.0], shape)


# name -> (function of symbolic inputs, point (float64 arrays)); broadcast operands come
# from the point's size-1 dims (verify_grad makes them broadcastable)
ELEMENTWISE: dict[str, tuple[Callable[..., Any], list[np.ndarray]]] = {
    "add_row": (lambda a, b: a + b, [_any(3, 4), _any(1, 4, seed=1)]),
    "sub_col": (lambda a, b: a - b, [_any(3, 4), _any(3, 1, seed=1)]),
    "mul_scalar": (lambda a, b: a * b, [_any(), _any(3, 4, seed=1)]),
    "mul_col_row": (lambda a, b: a * b, [_any(3, 1), _any(1, 4, seed=1)]),
    "true_div_row": (lambda a, b: a / b, [_any(3, 4), _pos(1, 4, seed=1)]),
    "true_div_scalar": (lambda a, b: a / b, [_pos(), _pos(3, 4, seed=1)]),
    # x % y with x / y well away from integers: the floor does not jump under perturbation
    "mod_col": (
        lambda a, b: a % b,
        [np.array([[0.25, 1.3, 2.6, -0.7]] * 3), np.array([[1.0], [1.1], [0.9]])],
    ),
    "pow_row": (lambda a, b: a**b, [_pos(3, 4), _any(1, 4, seed=1)]),
    "pow_const": (lambda a: a**3, [_any(3, 4)]),
    "maximum_row": (T.maximum, [_distinct(3, 4), _distinct(1, 4, seed=1) + 0.05]),
    "minimum_col": (T.minimum, [_distinct(3, 4), _distinct(3, 1, seed=1) + 0.05]),
    "neg": (lambda a: -a, [_any(3, 4)]),
    "abs": (abs, [_away_from_zero(3, 4)]),
    "sqr": (T.sqr, [_any(3, 4)]),
    "exp": (T.exp, [_any(3, 4)]),
    "log": (T.log, [_pos(3, 4)]),
    "sqrt": (T.sqrt, [_pos(3, 4)]),
    "tanh": (T.tanh, [_any(3, 4)]),
    "sin": (T.sin, [_any(3, 4)]),
    "cos": (T.cos, [_any(3, 4)]),
    "sigmoid": (T.sigmoid, [_any(3, 4)]),
    # the branches broadcast against the condition; the condition depends on the input
    "switch": (lambda a, b: T.switch(a > 0, T.sqr(a), b * 3), [_away_from_zero(3, 4), _any(1, 4)]),
    "switch_scalar_branch": (lambda a, b: T.switch(a > 0, a, b), [_away_from_zero(3, 4), _any()]),
    "second_row": (T.second, [_any(3, 4), _any(1, 4, seed=1)]),
    "sgn_times": (lambda a: T.sgn(a) * a, [_away_from_zero(3, 4)]),
    "multi_use": (lambda a: a * T.exp(a) + a, [_any(3, 4)]),
}

SHAPES: dict[str, tuple[Callable[..., Any], list[np.ndarray]]] = {
    "dimshuffle": (lambda a: a.dimshuffle(1, "x", 0), [_any(3, 4)]),
    "dimshuffle_3d": (lambda a: a.dimshuffle(2, 0, "x", 1), [_any(2, 3, 4)]),
    "dimshuffle_drop": (lambda a: a.dimshuffle(1) * 2, [_any(1, 4)]),
    "transpose": (lambda a: a.T, [_any(3, 4)]),
    "reshape": (lambda a: a.reshape((2, 6)), [_any(3, 4)]),
    "reshape_minus_one": (lambda a: a.reshape((-1, 2)), [_any(3, 4)]),
    "reshape_from_row": (lambda a: a.reshape((4,)), [_any(1, 4)]),
    "reshape_3d_sum": (lambda a: a.reshape((2, 3, 2)).sum(axis=1), [_any(3, 4)]),
    "flatten": (T.flatten, [_any(3, 4)]),
    "flatten_ndim2": (lambda a: T.flatten(a, 2), [_any(2, 3, 4)]),
    "dot_mm": (T.dot, [_any(3, 4), _any(4, 2, seed=1)]),
    "dot_mv": (T.dot, [_any(3, 4), _any(4, seed=1)]),
    "dot_vm": (T.dot, [_any(4), _any(4, 2, seed=1)]),
    "dot_vv": (T.dot, [_any(4), _any(4, seed=1)]),
    "dot_then_add_row": (lambda a, b, c: T.dot(a, b) + c, [_any(3, 4), _any(4, 2), _any(1, 2)]),
    # size-1 dims in dot operands (broadcastable in the type): an outer product, a 1x1 result
    "dot_col_row": (T.dot, [_any(3, 1), _any(1, 4, seed=1)]),
    "dot_row_col": (T.dot, [_any(1, 3), _any(3, 1, seed=1)]),
}


def _stacked(reduce: Callable[..., Any]) -> Callable[[Any], Any]:
    """One output that sums the reduction over axis None, 0 and 1 (with keepdims), broadcast
    to the input's shape: the random projection of verify_grad weighs each differently, so
    each gets its gradient checked (one compile instead of three)."""
    return lambda a: reduce(a) + reduce(a, axis=0) + reduce(a, axis=1, keepdims=True)


REDUCTIONS: dict[str, tuple[Callable[..., Any], list[np.ndarray]]] = {
    "sum": (_stacked(T.sum), [_any(3, 4)]),
    "mean": (_stacked(T.mean), [_any(3, 4)]),
    "prod": (_stacked(T.prod), [_pos(3, 4)]),
    # zeros in the input: none, one and two per row; prod is linear in each element, so
    # one-sided differences are exact there
    "prod_zeros_axis1": (
        lambda a: T.prod(a, axis=1),
        [np.array([[0.5, 1.5, 2.0], [0.0, 1.5, 2.0], [0.0, 0.0, 2.0]])],
    ),
    "prod_zeros_all": (T.prod, [np.array([[0.0, 1.5], [2.0, 0.7]])]),
    "max": (_stacked(T.max), [_distinct(3, 4)]),
    "min": (_stacked(T.min), [_distinct(3, 4, seed=1)]),
    "sum_3d_axes": (lambda a: a.sum(axis=(0, 2), keepdims=True), [_any(2, 3, 4)]),
    "mean_3d_axes": (lambda a: a.mean(axis=(0, 2)), [_any(2, 3, 4)]),
    "max_keepdims_col": (lambda a: a.max(axis=0, keepdims=True) * a, [_distinct(3, 4)]),
}

ALL_CASES = {**ELEMENTWISE, **SHAPES, **REDUCTIONS}
# more broadcast patterns and shapes of ops covered above: float64 only (compiles dominate)
VARIANTS = {
    "mul_col_row",
    "true_div_scalar",
    "pow_const",
    "switch_scalar_branch",
    "sgn_times",
    "multi_use",
    "dimshuffle_3d",
    "dimshuffle_drop",
    "reshape_minus_one",
    "reshape_from_row",
    "reshape_3d_sum",
    "flatten_ndim2",
    "dot_then_add_row",
    "dot_col_row",
    "dot_row_col",
    "prod_zeros_all",
    "sum_3d_axes",
    "mean_3d_axes",
    "max_keepdims_col",
}
VERIFY = [(c, d) for c in sorted(ALL_CASES) for d in FLOATS if d == "float64" or c not in VARIANTS]


@pytest.mark.parametrize(("case", "dtype"), VERIFY)
def test_verify_grad(case: str, dtype: str) -> None:
    fun, point = ALL_CASES[case]
    verify_grad(fun, [p.astype(dtype) for p in point], rng=np.random.default_rng(7))


@pytest.mark.parametrize("dtype", FLOATS)
def test_verify_grad_cast(dtype: str) -> None:
    """The gradient of a cast is cast back. A float32 value inside a float64 function loses
    digits, so the finite differences take a coarser step and tolerance."""
    other = "float32" if dtype == "float64" else "float64"
    verify_grad(
        lambda a: T.exp(T.cast(a, other)) * 2,
        [_any(3, 4).astype(dtype)],
        eps=1e-3,
        abs_tol=1e-2,
        rel_tol=1e-2,
    )


@pytest.mark.parametrize(
    ("fun", "point"),
    [
        (T.exp, [np.zeros((0, 3))]),
        (lambda a: a.sum(axis=0), [np.zeros((0, 3))]),
        (lambda a: T.prod(a, axis=1), [np.zeros((3, 0))]),
        (lambda a, b: T.dot(a, b), [np.zeros((3, 0)), np.zeros((0, 2))]),
        (lambda a, b: a * b, [np.zeros((0, 4)), _any(1, 4)]),
    ],
    ids=["exp", "sum", "prod", "dot", "mul_row"],
)
def test_verify_grad_empty(fun: Callable[..., Any], point: list[np.ndarray]) -> None:
    """Over an empty point there is nothing to compare: verify_grad passes."""
    verify_grad(fun, point)


def test_grad_values_on_empty_inputs() -> None:
    """Gradients of empty inputs are empty arrays of the input's shape; a dot whose rows are
    empty still gives a full (zero) gradient to its other operand."""
    x = T.dmatrix("x")
    f = tensorir.function(
        [x],
        [
            grad(x.sum(), x),
            grad(T.prod(x), x),
            grad(x.mean(axis=1).sum(), x),
            grad(T.sqr(x).sum(), x),
        ],
    )
    for shape in [(0, 3), (2, 0), (0, 0)]:
        for g in f(np.zeros(shape)):
            assert g.shape == shape and g.dtype == np.float64
    a, b = T.dmatrices("a", "b")
    fd = tensorir.function([a, b], grad(T.dot(a, b).sum(), [a, b]))
    ga, gb = fd(np.ones((0, 4)), np.ones((4, 2)))
    assert ga.shape == (0, 4)
    np.testing.assert_array_equal(gb, np.zeros((4, 2)))
    ga, gb = fd(np.ones((3, 0)), np.ones((0, 2)))
    assert ga.shape == (3, 0) and gb.shape == (0, 2)


def test_grad_exact_values() -> None:
    """Exact gradients where finite differences cannot look: ties of max (every tie gets the
    gradient, as Theano), abs at 0 (sgn: 0), prod with two zeros (0) and pow's exponent at a
    zero base (0, not NaN)."""
    x, y = T.dvectors("x", "y")
    m = T.dmatrix("m")
    f = tensorir.function(
        [x, y, m],
        [
            grad(x.max(), x),
            grad(abs(x).sum(), x),
            grad(T.prod(m), m),
            grad((x**y).sum(), y),
        ],
    )
    gmax, gabs, gprod, gpow = f(
        np.array([0.0, 3.0, 3.0, -1.0]),
        np.array([2.0, 2.0, 2.0, 2.0]),
        np.array([[0.0, 1], [0, 3]]),
    )
    np.testing.assert_array_equal(gmax, [0, 1, 1, 0])
    np.testing.assert_array_equal(gabs, [0, 1, 1, -1])
    np.testing.assert_array_equal(gprod, np.zeros((2, 2)))
    # Theano's formula y * log(x) * x**y: NaN for a negative base
    np.testing.assert_allclose(gpow, [0.0, 9 * np.log(3), 9 * np.log(3), np.nan])


def test_grad_dtypes_follow_wrt() -> None:
    """Each gradient has its wrt's type, whatever the cost's dtype; an integer path is a
    constant to differentiation."""
    x64 = T.dvector("x64")
    x32 = T.fvector("x32")
    g32 = grad(T.cast(x32, "float64").sum() * 2, x32)
    g64 = grad(T.cast(x64, "float32").sum(), x64)
    gint = grad((T.cast(x64, "int32") * x64).sum(), x64)
    assert (g32.dtype, g64.dtype) == ("float32", "float64")
    f = tensorir.function([x32, x64], [g32, g64, gint])
    a, b, c = f(np.ones(2, "float32"), np.array([1.5, 2.5]))
    assert a.dtype == np.float32 and b.dtype == np.float64
    np.testing.assert_array_equal(a, [2, 2])
    np.testing.assert_array_equal(b, [1, 1])
    np.testing.assert_array_equal(c, [1, 2])


# --------------------------------------------------------------------------- second order


def test_hessian_vector_product() -> None:
    """H v of sum(x**3) is 6 x v, as the grad of (grad . v)."""
    x, v = T.dvectors("x", "v")
    gx = grad((x**3).sum(), x)
    hv = grad((gx * v).sum(), x)
    f = tensorir.function([x, v], [gx, hv])
    xx = _any(5)
    vv = _any(5, seed=1)
    g, h = f(xx, vv)
    np.testing.assert_allclose(g, 3 * xx**2, rtol=1e-12)
    np.testing.assert_allclose(h, 6 * xx * vv, rtol=1e-12)


def test_hessian_vector_product_of_network() -> None:
    """For c = sum(tanh(W x)): grad = W^T (1 - t^2), H = W^T diag(-2 t (1 - t^2)) W."""
    W = T.dmatrix("W")
    x, v = T.dvectors("x", "v")
    gx = grad(T.tanh(T.dot(W, x)).sum(), x)
    hv = grad(T.dot(gx, v), x)
    f = tensorir.function([W, x, v], [gx, hv])
    ww, xx, vv = _any(3, 4), _any(4, seed=1), _any(4, seed=2)
    t = np.tanh(ww @ xx)
    g, h = f(ww, xx, vv)
    np.testing.assert_allclose(g, ww.T @ (1 - t**2), rtol=1e-12)
    hess = ww.T @ np.diag(-2 * t * (1 - t**2)) @ ww
    np.testing.assert_allclose(h, hess @ vv, rtol=1e-10, atol=1e-14)


def test_second_derivatives_of_reductions() -> None:
    """d/dx of the gradient of prod (the mixed products) and of mean (zero)."""
    x = T.dvector("x")
    f = tensorir.function(
        [x], [grad(grad(T.prod(x), x).sum(), x), grad(grad(x.mean() ** 2, x).sum(), x)]
    )
    hp, hm = f(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(hp, [5.0, 4.0, 3.0])
    np.testing.assert_allclose(hm, np.full(3, 2 / 3))


# --------------------------------------------------------------------------- Rop, Lop


def _jacobian(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """Central differences: J[i, j] = d f_i / d x_j (f and x flattened)."""
    eps = 1e-6
    cols = []
    for j in range(x.size):
        d = np.zeros(x.size)
        d[j] = eps
        d = d.reshape(x.shape)
        cols.append(((f(x + d) - f(x - d)) / (2 * eps)).reshape(-1))
    return np.stack(cols, axis=1)


def test_rop_lop_against_jacobians() -> None:
    """Rop is J v and Lop is u^T J, for f(W, x) = tanh(W x) * sum(x), with respect to x and
    to W."""
    W, V = T.dmatrices("W", "V")
    x, v, u = T.dvectors("x", "v", "u")
    y = T.tanh(T.dot(W, x)) * x.sum()
    f = tensorir.function([W, x, V, v, u], [Rop(y, x, v), Lop(y, x, u), Rop(y, W, V), Lop(y, W, u)])
    ww, xx, vv_w = _any(3, 4), _any(4, seed=1), _any(3, 4, seed=2)
    vv, uu = _any(4, seed=3), _any(3, seed=4)
    rx, lx, rw, lw = f(ww, xx, vv_w, vv, uu)

    def np_f(w: np.ndarray, x_: np.ndarray) -> np.ndarray:
        return np.tanh(w @ x_) * x_.sum()

    jx = _jacobian(lambda x_: np_f(ww, x_), xx)
    jw = _jacobian(lambda w: np_f(w, xx), ww)
    np.testing.assert_allclose(rx, jx @ vv, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(lx, uu @ jx, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(rw, jw @ vv_w.reshape(-1), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(lw, (uu @ jw).reshape(3, 4), rtol=1e-7, atol=1e-9)


def test_rop_lists() -> None:
    """Lists of expressions and of wrt: Rop sums the contributions of every wrt, one result
    per expression."""
    W, V = T.dmatrices("W", "V")
    x, v = T.dvectors("x", "v")
    f = tensorir.function(
        [W, x, V, v], [Rop(T.dot(W, x), [W, x], [V, v]), *Rop([x * 2, T.sin(x)], x, v)]
    )
    ww, xx, vw, vx = _any(2, 3), _any(3, seed=1), _any(2, 3, seed=2), _any(3, seed=3)
    r, r2, rsin = f(ww, xx, vw, vx)
    np.testing.assert_allclose(r, vw @ xx + ww @ vx, rtol=1e-12)
    np.testing.assert_allclose(r2, 2 * vx, rtol=1e-12)
    np.testing.assert_allclose(rsin, np.cos(xx) * vx, rtol=1e-12)


# --------------------------------------------------------------------------- derivative(s)


W1, W2 = 0.3, 0.7


@pytest.mark.parametrize(
    ("expr", "index", "expected"),
    [
        # sin(w1) * w2**3
        ("trig", {"w1": 2, "w2": 1}, -np.sin(W1) * 3 * W2**2),
        ("trig", {"w1": 3}, -np.cos(W1) * W2**3),
        ("trig", {"w2": 3}, 6 * np.sin(W1)),
        ("trig", {"w1": 1, "w2": 2}, np.cos(W1) * 6 * W2),
        ("trig", {}, np.sin(W1) * W2**3),
        # exp(w1 * w2)
        ("exp", {"w1": 2, "w2": 1}, (2 * W2 + W1 * W2**2) * np.exp(W1 * W2)),
        ("exp", {"w2": 1, "w1": 2}, (2 * W2 + W1 * W2**2) * np.exp(W1 * W2)),
        ("exp", {"w1": 1, "w2": 1}, (1 + W1 * W2) * np.exp(W1 * W2)),
        # 3 w1^3 w2 + 2 w1 w2^2 - 5 w2^3 + 7
        ("poly", {"w1": 1}, 9 * W1**2 * W2 + 2 * W2**2),
        ("poly", {"w1": 2, "w2": 1}, 18 * W1),
        ("poly", {"w1": 1, "w2": 2}, 4.0),
        ("poly", {"w2": 3}, -30.0),
        ("poly", {"w1": 3, "w2": 1}, 18.0),
        ("poly", {"w1": 2, "w2": 2}, 0.0),
    ],
)
def test_derivative_multi_index(expr: str, index: dict[str, int], expected: float) -> None:
    w1, w2 = T.dscalars("w1", "w2")
    e = {
        "trig": T.sin(w1) * w2**3,
        "exp": T.exp(w1 * w2),
        "poly": 3 * w1**3 * w2 + 2 * w1 * w2**2 - 5 * w2**3 + 7,
    }[expr]
    d = derivative(e, {{"w1": w1, "w2": w2}[k]: n for k, n in index.items()})
    f = tensorir.function([w1, w2], d, on_unused_input="ignore")
    np.testing.assert_allclose(f(W1, W2), expected, rtol=1e-12, atol=1e-12)


def test_derivatives_all_partials() -> None:
    """derivatives(exp(w1 w2), [w1, w2], 3): all 10 partials of order <= 3."""
    w1, w2 = T.dscalars("w1", "w2")
    ds = derivatives(T.exp(w1 * w2), [w1, w2], 3)
    e = np.exp(W1 * W2)
    expected = {
        (0, 0): e,
        (1, 0): W2 * e,
        (0, 1): W1 * e,
        (2, 0): W2**2 * e,
        (1, 1): (1 + W1 * W2) * e,
        (0, 2): W1**2 * e,
        (3, 0): W2**3 * e,
        (2, 1): (2 * W2 + W1 * W2**2) * e,
        (1, 2): (2 * W1 + W1**2 * W2) * e,
        (0, 3): W1**3 * e,
    }
    assert sorted(ds) == sorted(expected)
    keys = sorted(ds)
    f = tensorir.function([w1, w2], [ds[k] for k in keys])
    for k, got in zip(keys, f(W1, W2), strict=True):
        np.testing.assert_allclose(got, expected[k], rtol=1e-12, err_msg=str(k))


def test_derivative_rejects_tensors() -> None:
    x = T.dvector("x")
    w = T.dscalar("w")
    with pytest.raises(TypeError, match="scalars"):
        derivative((x * w).sum(), {x: 1})
    with pytest.raises(TypeError, match="scalars"):
        derivatives((x * w).sum(), [x, w], 2)
    with pytest.raises(ValueError, match="non-negative integer"):
        derivative(w * 2, {w: -1})


# --------------------------------------------------------------------------- the grad API


def test_wrt_structure() -> None:
    """A single variable gives one gradient, a list a list, a tuple a tuple."""
    x, y = T.dvectors("x", "y")
    c = (x * y).sum()
    assert isinstance(grad(c, x), T.Variable)
    assert isinstance(grad(c, [x]), list) and len(grad(c, [x])) == 1
    assert isinstance(grad(c, (x, y)), tuple) and len(grad(c, (x, y))) == 2
    f = tensorir.function([x, y], grad(c, [x, y, x]))
    gx, gy, gx2 = f(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    np.testing.assert_array_equal(gx, [3, 4])
    np.testing.assert_array_equal(gy, [1, 2])
    np.testing.assert_array_equal(gx2, gx)


def test_grad_wrt_intermediate() -> None:
    x = T.dvector("x")
    h = x * 3
    f = tensorir.function([x], grad((h**2).sum(), h))
    np.testing.assert_array_equal(f(np.array([1.0, 2.0])), [6, 12])


def test_consider_constant() -> None:
    """A variable in consider_constant passes no gradient: d/dx sum(h * x) is h (not 2h) when
    h = 3x is constant."""
    x = T.dvector("x")
    h = x * 3
    c = (h * x).sum()
    f = tensorir.function([x], [grad(c, x), grad(c, x, consider_constant=[h])])
    full, partial = f(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(full, [6, 12])
    np.testing.assert_array_equal(partial, [3, 6])
    # with h constant, x reaches the cost only through h: disconnected
    with pytest.raises(DisconnectedInputError):
        grad((h**2).sum(), x, consider_constant=[h])
    # as in Theano, a constant stops the walk at its definition, not at its uses: a wrt in
    # consider_constant still gets its own gradient; a cost in it passes nothing back
    f2 = tensorir.function(
        [x],
        [
            grad((h**2).sum(), h, consider_constant=[h]),
            grad((x**2).sum(), x, consider_constant=[x]),
        ],
    )
    gh, gx = f2(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(gh, [6, 12])
    np.testing.assert_array_equal(gx, [2, 4])
    with pytest.raises(DisconnectedInputError):
        grad(c, x, consider_constant=[c])


def test_known_grads() -> None:
    """known_grads seeds the adjoint of a variable: alone (cost None) and added to the cost's."""
    x, y = T.dvectors("x", "y")
    h = x * 3
    c = (h**2).sum()
    f = tensorir.function(
        [x, y], [grad(None, x, known_grads={h: y}), grad(c, x, known_grads={h: y})]
    )
    alone, both = f(np.array([1.0, 1.0]), np.array([1.0, 2.0]))
    np.testing.assert_array_equal(alone, [3, 6])
    np.testing.assert_array_equal(both, [3 * (6 + 1), 3 * (6 + 2)])
    with pytest.raises(ValueError, match="known_grads"):
        grad(None, x)


def test_disconnected_inputs() -> None:
    x, y = T.dvectors("x", "y")
    c = (x**2).sum()
    with pytest.raises(DisconnectedInputError, match=r"not part of the computational graph.*\by\b"):
        grad(c, y)
    assert issubclass(DisconnectedInputError, ValueError)
    with pytest.warns(UserWarning, match="not part of the computational graph"):
        gw = grad(c, [x, y], disconnected_inputs="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gi = grad(c, [x, y], disconnected_inputs="ignore")
    f = tensorir.function([x, y], [*gw, *gi])
    for got, exp in zip(
        f(np.ones(3), np.ones(2)), [[2, 2, 2], [0, 0], [2, 2, 2], [0, 0]], strict=True
    ):
        np.testing.assert_array_equal(got, exp)
        assert got.dtype == np.float64
    assert grad(c, [x, y], disconnected_inputs="ignore", return_disconnected="None")[1] is None
    with pytest.raises(ValueError, match="disconnected_inputs"):
        grad(c, x, disconnected_inputs="maybe")


def test_integer_wrt_gives_float_zeros() -> None:
    x = T.dvector("x")
    i = T.ivector("i")
    gi = grad((x * i).sum(), i)
    assert gi.dtype == "float64"
    f = tensorir.function([x, i], gi, on_unused_input="ignore")
    got = f(np.ones(3), np.array([1, 2, 3], "int32"))
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.zeros(3))


def test_bad_costs_raise_type_error() -> None:
    x = T.dvector("x")
    i = T.ivector("i")
    y = x**2
    y.name = "squares"
    with pytest.raises(TypeError, match="cost must be a scalar.*squares"):
        grad(y, x)
    s = i.sum()
    s.name = "total"
    with pytest.raises(TypeError, match="cost must be a float scalar.*total.*int64"):
        grad(s, i)
    with pytest.raises(TypeError, match="constant"):
        grad(x.sum(), T.constant(np.ones(2)))


def test_add_names() -> None:
    W = T.dmatrix("W")
    b = T.dvector("b")
    cost = (T.dot(W, b) ** 2).sum()
    cost.name = "cost"
    gW, gb = grad(cost, [W, b])
    assert (gW.name, gb.name) == ("(dcost/dW)", "(dcost/db)")
    assert grad(cost, W, add_names=False).name is None
    unnamed = (T.dot(W, b) ** 2).sum()
    assert grad(unnamed, W).name is None


# --------------------------------------------------------------------------- verify_grad


def test_verify_grad_catches_a_wrong_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """A gradient rule for exp that forgets its factor exp(x) fails verification."""

    def wrong_exp(e: Any, op: Any, g: Any) -> list[Any]:
        return [g]

    monkeypatch.setitem(autodiff.RULES, tir.ExpOp, wrong_exp)
    with pytest.raises(GradientError, match="numeric gradient and analytic gradient") as info:
        verify_grad(T.exp, [_any(2, 3)])
    assert info.value.arg == 0
    assert info.value.abs_err > info.value.abs_tol


def test_verify_grad_arguments() -> None:
    with pytest.raises(TypeError, match="float"):
        verify_grad(T.exp, [np.ones(3, "int32")])
    with pytest.raises(TypeError, match="list or tuple"):
        verify_grad(T.exp, np.ones(3))


def test_numeric_grad() -> None:
    """One-sided differences of sum(x**2) approximate 2x."""
    x = np.array([1.0, -2.0, 0.5])
    (g,) = numeric_grad(lambda a: float((a**2).sum()), [x])
    np.testing.assert_allclose(g, 2 * x, atol=1e-6)
