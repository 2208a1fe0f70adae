"""Forward values of the ops added with autodiff (switch, sgn, second/fill, zeros_like,
ones_like) against numpy: dtypes, broadcast dims, empty shapes."""

from __future__ import annotations

import numpy as np
import pytest

import tensorir
from tensorir import tensor

DTYPES = ["bool", "int8", "int32", "int64", "float32", "float64"]


def _data(shape: tuple[int, ...], dtype: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    return rng.integers(-3, 4, shape).astype(dtype)


def _same(got: np.ndarray, expected: np.ndarray) -> None:
    expected = np.asarray(expected)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("dtype", DTYPES)
def test_forward_values(dtype: str) -> None:
    """One function per dtype: a matrix against a row, a column and a scalar; then the same
    function on empty inputs (0 rows) and on size-1 dims."""
    c = tensor.matrix("c", dtype="bool")
    m = tensor.matrix("m", dtype=dtype)
    r = tensor.row("r", dtype=dtype)
    k = tensor.col("k", dtype=dtype)
    s = tensor.scalar("s", dtype=dtype)
    outs = [
        tensor.switch(c, m, r),
        tensor.switch(c, k, s),
        tensor.second(m, r),
        tensor.fill(k, s),
        tensor.zeros_like(m),
        tensor.ones_like(r),
        tensor.zeros_like(k, dtype="float32"),
    ]
    if dtype != "bool":
        outs.append(tensor.sgn(m))
    f = tensorir.function([c, m, r, k, s], outs)

    for n_rows, n_cols in [(3, 4), (0, 4), (3, 0), (1, 1)]:
        cc = _data((n_rows, n_cols), "bool", 1)
        mm = _data((n_rows, n_cols), dtype, 2)
        rr = _data((1, n_cols), dtype, 3)
        kk = _data((n_rows, 1), dtype, 4)
        ss = _data((), dtype, 5)
        expected = [
            np.where(cc, mm, rr),
            np.where(cc, kk, ss),
            np.broadcast_to(rr, mm.shape),
            np.broadcast_to(ss, kk.shape),
            np.zeros_like(mm),
            np.ones_like(rr),
            np.zeros(kk.shape, "float32"),
        ]
        if dtype != "bool":
            expected.append(np.sign(mm))
        for got, exp in zip(f(cc, mm, rr, kk, ss), expected, strict=True):
            _same(got, exp)


def test_sgn_floats() -> None:
    """sgn is numpy's sign on reals: -0.0 and 0.0 give zero, NaN stays NaN, inf gives 1."""
    x = tensor.dvector("x")
    y = tensor.fvector("y")
    f = tensorir.function([x, y], [tensor.sgn(x), tensor.sgn(y)])
    a = np.array([np.nan, -0.0, 0.0, -2.5, 3.0, np.inf, -np.inf, 1e-300])
    gx, gy = f(a, a.astype("float32"))
    np.testing.assert_array_equal(gx, np.sign(a))
    np.testing.assert_array_equal(gy, np.sign(a.astype("float32")))
    assert gy.dtype == np.float32


def test_switch_condition_and_dtypes() -> None:
    """A non-bool condition means 'non-zero'; branches of different dtypes are upcast; Python
    scalars broadcast."""
    i = tensor.ivector("i")
    x = tensor.dvector("x")
    f = tensorir.function([i, x], [tensor.switch(i, x, -1), tensor.switch(i > 0, i, x)])
    ii = np.array([0, 2, -1, 0], "int32")
    xx = np.array([1.5, 2.5, 3.5, 4.5])
    a, b = f(ii, xx)
    _same(a, np.where(ii != 0, xx, -1.0))
    _same(b, np.where(ii > 0, ii, xx))


def test_switch_on_empty_and_broadcast_condition() -> None:
    """The condition broadcasts too: a row condition selects columns."""
    c = tensor.row("c", dtype="bool")
    a = tensor.dmatrix("a")
    b = tensor.dscalar("b")
    f = tensorir.function([c, a, b], tensor.switch(c, a, b))
    cc = np.array([[True, False, True]])
    aa = np.arange(6.0).reshape(2, 3)
    _same(f(cc, aa, 9.0), np.where(cc, aa, 9.0))
    _same(f(np.zeros((1, 0), bool), np.zeros((2, 0)), 9.0), np.zeros((2, 0)))


@pytest.mark.parametrize("op", ["switch", "second"])
def test_shape_mismatch_raises(op: str) -> None:
    """Dims that do not broadcast are a run-time ValueError naming the op."""
    x = tensor.dvector("x")
    y = tensor.dvector("y")
    out = tensor.switch(x > 0, x, y) if op == "switch" else tensor.second(x, y)
    f = tensorir.function([x, y], out)
    with pytest.raises(ValueError, match=f"Input dimension mismatch in {op}"):
        f(np.ones(3), np.ones(2))


def test_zeros_ones_like_dtype() -> None:
    """zeros_like/ones_like keep the model's dtype unless one is given."""
    x = tensor.dvector("x")
    f = tensorir.function(
        [x],
        [
            tensor.zeros_like(x, dtype="int32"),
            tensor.ones_like(x, dtype="float32"),
            tensor.ones_like(x),
        ],
    )
    a, b, c = f(np.array([1.0, 2.0, 3.0]))
    _same(a, np.zeros(3, "int32"))
    _same(b, np.ones(3, "float32"))
    _same(c, np.ones(3))


def test_second_takes_the_dtype_of_its_value() -> None:
    """As Theano's fill: the model gives the shape, the value its dtype."""
    x, i = tensor.dvector("x"), tensor.ivector("i")
    f = tensorir.function(
        [x, i], [tensor.second(x, i), tensor.fill(i, x), tensor.zeros_like(x, "int8")]
    )
    a, b, c = f([1.5, 2.5], [7, 8])
    assert a.dtype == np.int32 and list(a) == [7, 8]
    assert b.dtype == np.float64 and list(b) == [1.5, 2.5]
    assert c.dtype == np.int8 and list(c) == [0, 0]
