"""Reductions (sum, mean, max, min, prod) against numpy: axes, keepdims, dtypes, empty dims."""

from __future__ import annotations

import numpy as np
import pytest

import tensorir
from tensorir import tensor

DTYPES = ["int8", "int32", "int64", "float32", "float64"]
REDUCTIONS = ["sum", "mean", "max", "min", "prod"]
# (axis, keepdims): ints, negative ints, tuples (unsorted too), all axes
AXES = [(None, False), (None, True), (0, False), (-1, True), ((1, 0), False), (-2, True)]
SHAPES = [(3, 4), (1, 5), (4, 1), (1, 1)]


def _data(shape: tuple[int, ...], dtype: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    # small values: products of int8 stay exact, as numpy computes them in int64
    return rng.integers(-3, 4, shape).astype(dtype)


def _check(got: np.ndarray, expected: np.ndarray) -> None:
    expected = np.asarray(expected)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    rtol = 1e-5 if expected.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, expected, rtol=rtol)


@pytest.mark.parametrize("dtype", DTYPES)
def test_all_reductions_all_axes(dtype: str) -> None:
    """One function per dtype computes every reduction over every axis spelling."""
    x = tensor.matrix("x", dtype=dtype)
    cases = [(fn, axis, keep) for fn in REDUCTIONS for axis, keep in AXES]
    outs = []
    for i, (fn, axis, keep) in enumerate(cases):
        # alternate the function and the method spelling
        outs.append(
            getattr(tensor, fn)(x, axis=axis, keepdims=keep)
            if i % 2
            else getattr(x, fn)(axis=axis, keepdims=keep)
        )
    f = tensorir.function([x], outs)
    for shape in SHAPES:
        a = _data(shape, dtype)
        for got, (fn, axis, keep) in zip(f(a), cases, strict=True):
            _check(got, getattr(np, fn)(a, axis=axis, keepdims=keep))


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "bool"])
def test_integer_result_dtypes(dtype: str) -> None:
    """As numpy: sum/prod of small ints (and bool) accumulate in int64, mean gives float64."""
    x = tensor.tensor(dtype, (False, False), "x")
    s, m, p = x.sum(), x.mean(axis=0), tensor.prod(x, axis=1)
    assert s.dtype == "int64" and m.dtype == "float64" and p.dtype == "int64"
    f = tensorir.function([x], [s, m, p])
    a = _data((3, 5), dtype, seed=1)
    for got, expected in zip(f(a), [a.sum(), a.mean(axis=0), a.prod(axis=1)], strict=True):
        _check(got, expected)


def test_int8_sum_does_not_overflow() -> None:
    x = tensor.bvector("x")
    f = tensorir.function([x], [x.sum(), x.prod()])
    a = np.full(300, 100, dtype="int8")
    total, product = f(a)
    assert total.dtype == np.int64 and total == 30000
    _check(product, a[:5].prod() ** 60)
    _check(f(np.full(5, -128, dtype="int8"))[1], np.full(5, -128, dtype="int8").prod())


def test_bool_reductions() -> None:
    b = tensor.tensor("bool", (False, False), "b")
    outs = [b.sum(), b.sum(axis=1), b.mean(axis=0), b.max(axis=0), b.min(), b.prod(axis=1)]
    f = tensorir.function([b], outs)
    for seed in range(3):
        a = _data((4, 3), "bool", seed)
        expected = [a.sum(), a.sum(axis=1), a.mean(axis=0), a.max(axis=0), a.min(), a.prod(1)]
        for got, e in zip(f(a), expected, strict=True):
            _check(got, e)


def test_float32_stays_float32() -> None:
    x = tensor.fmatrix("x")
    outs = [x.sum(axis=0), x.mean(), x.max(axis=1), x.prod(axis=-1, keepdims=True)]
    assert [o.dtype for o in outs] == ["float32"] * 4
    f = tensorir.function([x], outs)
    a = np.random.default_rng(2).normal(size=(6, 7)).astype("float32")
    expected = [a.sum(axis=0), a.mean(), a.max(axis=1), a.prod(axis=-1, keepdims=True)]
    for got, e in zip(f(a), expected, strict=True):
        _check(got, e)


def test_dtype_argument_casts_first() -> None:
    x = tensor.bvector("x")
    s = x.sum(dtype="int8")
    f = tensorir.function([x], [s, tensor.mean(x, dtype="float32")])
    a = np.arange(-3, 5, dtype="int8")
    _check(f(a)[0], np.sum(a, dtype="int8"))  # the dtype of the result, as numpy
    np.testing.assert_allclose(f(a)[1], a.mean(), rtol=1e-6)
    assert f(a)[1].dtype == np.float32


def test_rank3_axes_and_keepdims() -> None:
    t = tensor.ltensor3("t")
    cases = [
        ("sum", (0, 2), False),
        ("max", (-1, 0), True),
        ("prod", 1, False),
        ("min", None, True),
        ("mean", (1, 2), True),
        ("sum", (0, 1, 2), False),
    ]
    f = tensorir.function([t], [getattr(t, fn)(axis=ax, keepdims=k) for fn, ax, k in cases])
    for shape in [(2, 3, 4), (1, 3, 1), (4, 1, 2)]:
        a = _data(shape, "int64", seed=3)
        for got, (fn, ax, k) in zip(f(a), cases, strict=True):
            _check(got, getattr(np, fn)(a, axis=ax, keepdims=k))


def test_reductions_of_a_scalar_and_of_broadcastable_dims() -> None:
    s = tensor.dscalar("s")
    r = tensor.drow("r")
    f = tensorir.function(
        [s, r], [s.sum(), s.max(keepdims=True), r.sum(axis=0), r.max(axis=1), r.mean()]
    )
    row = np.array([[1.0, -2.0, 5.0]])
    got = f(3.5, row)
    expected = [np.sum(3.5), np.max(3.5, keepdims=True), row.sum(0), row.max(1), row.mean()]
    for g, e in zip(got, expected, strict=True):
        _check(g, np.asarray(e))
    assert r.sum(axis=0).broadcastable == (False,)
    assert r.max(axis=1, keepdims=True).broadcastable == (True, True)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_empty_sum_prod_mean() -> None:
    x = tensor.dmatrix("x")
    outs = [x.sum(), x.sum(axis=0), x.sum(axis=1), x.prod(axis=0), x.prod(), x.mean(axis=1)]
    f = tensorir.function([x], outs)
    for shape in [(0, 3), (3, 0), (0, 0)]:
        a = np.zeros(shape)
        expected = [a.sum(), a.sum(0), a.sum(1), a.prod(0), a.prod(), a.mean(axis=1)]
        for got, e in zip(f(a), expected, strict=True):
            _check(got, e)
    assert f(np.zeros((0, 3)))[0] == 0.0
    i = tensor.ivector("i")
    g = tensorir.function([i], [i.sum(), i.prod()])
    total, product = g(np.zeros(0, dtype="int32"))
    assert total.dtype == np.int64 and total == 0 and product == 1


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_mean_of_empty_is_nan() -> None:
    x = tensor.dvector("x")
    got = tensorir.function([x], x.mean())(np.zeros(0))
    assert got.dtype == np.float64 and np.isnan(got)


@pytest.mark.parametrize("fn", ["max", "min"])
def test_max_min_over_an_empty_axis_raise(fn: str) -> None:
    x = tensor.dmatrix("x")
    f = tensorir.function([x], getattr(x, fn)(axis=0))
    g = tensorir.function([x], getattr(tensor, fn)(x))
    # numpy raises ValueError too
    with pytest.raises(ValueError):
        getattr(np.zeros((0, 3)), fn)(axis=0)
    for call in (lambda: f(np.zeros((0, 3))), lambda: g(np.zeros((2, 0)))):
        with pytest.raises(ValueError, match=f"{fn}: zero-size array") as info:
            call()
        assert "test_reductions.py" in str(info.value)
    # reducing a non-empty axis of an empty array is fine, as in numpy
    _check(f(np.zeros((3, 0))), np.zeros((3, 0)).max(axis=0))
    # the function still works after an error
    a = np.arange(6.0).reshape(2, 3)
    _check(f(a), getattr(a, fn)(axis=0))


def test_nan_propagates_through_max_and_min() -> None:
    x = tensor.dvector("x")
    f = tensorir.function([x], [x.max(), x.min(), x.sum()])
    got = f(np.array([1.0, np.nan, -2.0]))
    assert all(np.isnan(g) for g in got)
    assert f(np.array([-np.inf, 1.0]))[1] == -np.inf


def test_bad_axes_raise_when_building() -> None:
    x = tensor.dmatrix("x")
    with pytest.raises(ValueError, match="out of bounds"):
        x.sum(axis=2)
    with pytest.raises(ValueError, match="out of bounds"):
        tensor.max(x, axis=-3)
    with pytest.raises(ValueError, match="duplicate"):
        x.sum(axis=(0, -2))
    with pytest.raises(TypeError):
        tensor.cmatrix("c").max()


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "float32", "float64", "bool"])
def test_reduction_dtype_is_the_result_dtype(dtype: str) -> None:
    # as numpy's (and Theano's): int8 wraps as numpy's int8 sum does
    x = tensor.lvector("x")
    a = np.array([100, 100, 77], "int64")
    f = tensorir.function([x], [tensor.sum(x, dtype=dtype), x.prod(dtype=dtype)])
    total, product = f(a)
    assert total.dtype == dtype and product.dtype == dtype
    np.testing.assert_array_equal(total, np.sum(a, dtype=dtype))
    np.testing.assert_array_equal(product, np.prod(a, dtype=dtype))
    v = tensor.fvector("v")  # a wider dtype: the input is cast first, as numpy
    np.testing.assert_array_equal(
        tensorir.function([v], v.sum(dtype="float64"))(np.float32([0.1, 0.2])),
        np.float32([0.1, 0.2]).sum(dtype="float64"),
    )
