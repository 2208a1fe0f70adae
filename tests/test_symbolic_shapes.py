"""reshape with symbolic sizes, zeros/ones/alloc of symbolic shapes."""

from __future__ import annotations

import numpy as np
import pytest

import tensorir
from tensorir import tensor as T
from tensorir.gradient import verify_grad


def test_reshape_by_symbolic_sizes() -> None:
    x = T.dmatrix("x")
    n = T.lscalar("n")
    f = tensorir.function(
        [x, n], [x.reshape((x.shape[0], -1)), x.reshape((n, -1)), x.reshape((n, x.shape[0]))]
    )
    xv = np.arange(6.0).reshape(2, 3)
    a, b, c = f(xv, 3)
    np.testing.assert_array_equal(a, xv)
    np.testing.assert_array_equal(b, xv.reshape(3, -1))
    np.testing.assert_array_equal(c, xv.reshape(3, 2))
    with pytest.raises(ValueError, match=r"cannot reshape array of size 6 into shape \(4, -1\)"):
        f(xv, 4)


def test_reshape_shape_errors() -> None:
    x = T.dmatrix("x")
    with pytest.raises(TypeError, match="integer scalars"):
        x.reshape((T.dscalar("s"), 2))
    with pytest.raises(TypeError, match="tuple"):
        x.reshape(T.lvector("v"))
    with pytest.raises(ValueError, match="at most one -1"):
        x.reshape((-1, -1))


def test_reshape_by_symbolic_sizes_gradient() -> None:
    verify_grad(lambda a: a.reshape((a.shape[1], a.shape[0])) ** 3, [np.random.rand(2, 3)])


def test_zeros_ones_alloc() -> None:
    x = T.dmatrix("x")
    n = T.lscalar("n")
    f = tensorir.function(
        [x, n],
        [
            T.zeros((x.shape[1], 2)),
            T.ones(x.shape, dtype="int32"),
            T.alloc(x.sum(), 2, n),
            T.zeros((3,)),
            T.alloc(np.float32(1.5), n),
            T.zeros((0, n)),
        ],
    )
    xv = np.arange(6.0).reshape(2, 3)
    z, o, a, z3, a32, empty = f(xv, 4)
    np.testing.assert_array_equal(z, np.zeros((3, 2)))
    assert o.dtype == np.int32 and o.shape == (2, 3) and (o == 1).all()
    np.testing.assert_array_equal(a, np.full((2, 4), 15.0))
    assert z3.dtype == np.dtype(tensorir.config.floatX) and z3.shape == (3,)
    assert a32.dtype == np.float32 and list(a32) == [1.5] * 4
    assert empty.shape == (0, 4)


def test_alloc_gradient_sums_the_broadcast() -> None:
    v = T.dvector("v")
    n = T.lscalar("n")
    g = T.grad((T.alloc(v, n, v.shape[0]) * 2).sum(), v)
    f = tensorir.function([v, n], g)
    np.testing.assert_array_equal(f([1.0, 2.0], 3), [6.0, 6.0])


def test_reshape_refuses_negative_sizes_given_at_run_time() -> None:
    """Sizes below -1, or two -1s, are numpy's errors, checked before anything is built
    (negative dims would otherwise reach the caller)."""
    x = T.dvector("x")
    n, m = T.lscalars("n", "m")
    f = tensorir.function([x, n, m], x.reshape((n, m)) * 2)
    assert f(np.arange(15.0), -1, 3).shape == (5, 3)
    for bad in [(-5, -3), (-1, -1), (-3, 5)]:
        with pytest.raises(ValueError, match="negative dimensions are not allowed"):
            f(np.arange(15.0), *bad)
