"""jacobian and hessian (a ``tir.map`` over rows whose body is a ``tir.grad``), checked
against analytic Jacobians and numpy finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import tensorir
from tensorir import tensor as T
from tensorir.gradient import DisconnectedInputError, hessian, jacobian


def numeric_jacobian(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences: J[i, ...] = d f_i / d x[...]."""
    y0 = np.asarray(f(x))
    J = np.zeros(y0.shape + x.shape)
    for idx in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        J[(...,) + idx] = (np.asarray(f(xp)) - np.asarray(f(xm))) / (2 * eps)
    return J


def test_jacobian_elementwise_and_reduction() -> None:
    x = T.dvector("x")
    y = T.tanh(x) * x.sum()
    f = tensorir.function([x], jacobian(y, x))
    xv = np.array([0.1, -0.4, 0.3, 2.0])
    expected = np.diag((1 - np.tanh(xv) ** 2) * xv.sum()) + np.tanh(xv)[:, None]
    np.testing.assert_allclose(f(xv), expected, rtol=1e-12, atol=1e-12)


def test_jacobian_of_dot_is_the_matrix() -> None:
    x = T.dvector("x")
    A = T.dmatrix("A")
    f = tensorir.function([A, x], jacobian(T.dot(A, x), x))
    Av = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(f(Av, np.ones(4)), Av)


def test_jacobian_with_respect_to_a_matrix_and_a_list() -> None:
    x = T.dvector("x")
    W = T.dmatrix("W")
    y = T.exp(T.dot(W, x))
    JW, Jx = jacobian(y, [W, x])
    f = tensorir.function([W, x], [JW, Jx])
    rng = np.random.default_rng(0)
    Wv, xv = rng.standard_normal((2, 3)), rng.standard_normal(3)
    got_W, got_x = f(Wv, xv)
    assert got_W.shape == (2, 2, 3) and got_x.shape == (2, 3)
    np.testing.assert_allclose(
        got_W, numeric_jacobian(lambda w: np.exp(w @ xv), Wv), rtol=1e-6, atol=1e-8
    )
    np.testing.assert_allclose(
        got_x, numeric_jacobian(lambda v: np.exp(Wv @ v), xv), rtol=1e-6, atol=1e-8
    )


def test_jacobian_float32() -> None:
    x = T.fvector("x")
    f = tensorir.function([x], jacobian(x * x, x))
    out = f(np.array([1.0, 2.0, 3.0], dtype=np.float32))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.diag([2.0, 4.0, 6.0]).astype(np.float32))


def test_jacobian_of_empty_vector() -> None:
    x = T.dvector("x")
    f = tensorir.function([x], jacobian(T.sin(x), x))
    assert f(np.zeros(0)).shape == (0, 0)


def test_jacobian_of_broadcastable_vector() -> None:
    x = T.dvector("x")
    y = T.dvector("y")
    s = x.sum().dimshuffle("x") * y.sum().dimshuffle("x")  # a length-1, broadcastable vector
    f = tensorir.function([x, y], jacobian(s, x))
    np.testing.assert_array_equal(f([1.0, 2.0], [3.0, 4.0]), [[7.0, 7.0]])


def test_jacobian_of_scalar_is_grad() -> None:
    x = T.dvector("x")
    f = tensorir.function([x], jacobian((x**2).sum(), x))
    np.testing.assert_array_equal(f([1.0, 2.0]), [2.0, 4.0])


def test_jacobian_rejects_matrices_and_disconnected() -> None:
    x = T.dvector("x")
    m = T.dmatrix("m")
    with pytest.raises(TypeError, match="scalar or a vector"):
        jacobian(m * 2, m)
    with pytest.raises(DisconnectedInputError, match="x"):
        jacobian(T.exp(m).sum(axis=0), x)
    J = jacobian(T.exp(m).sum(axis=0), x, disconnected_inputs="ignore")
    f = tensorir.function([m, x], J)
    np.testing.assert_array_equal(f(np.ones((2, 3)), np.ones(2)), np.zeros((3, 2)))


def test_hessian_of_cubic_and_quadratic_form() -> None:
    x = T.dvector("x")
    A = T.dmatrix("A")
    H1 = hessian((x**3).sum(), x)
    H2 = hessian(0.5 * T.dot(x, T.dot(A, x)), x)
    f = tensorir.function([x, A], [H1, H2])
    xv = np.array([1.0, -2.0, 0.5])
    Av = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, 4.0]])
    h1, h2 = f(xv, Av)
    np.testing.assert_allclose(h1, np.diag(6 * xv), rtol=1e-14)
    np.testing.assert_allclose(h2, Av, rtol=1e-14)


def test_hessian_of_a_network_loss_matches_finite_differences() -> None:
    w = T.dvector("w")
    x = np.array([0.3, -1.2, 0.7])
    loss = T.sqr(T.tanh(T.dot(w, x)) - 0.25) + T.sum(T.sin(w) * w)
    f = tensorir.function([w], hessian(loss, w))
    grad_fn = tensorir.function([w], tensorir.grad(loss, w))
    wv = np.array([0.1, 0.2, -0.3])
    np.testing.assert_allclose(f(wv), numeric_jacobian(grad_fn, wv), rtol=1e-5, atol=1e-7)


def test_hessian_list_and_errors() -> None:
    a, b = T.dvectors("a", "b")
    cost = (a * b).sum() + (a**2).sum()
    Ha, Hb = hessian(cost, [a, b])
    f = tensorir.function([a, b], [Ha, Hb])
    ha, hb = f([1.0, 2.0], [3.0, 4.0])
    np.testing.assert_array_equal(ha, 2 * np.eye(2))
    np.testing.assert_array_equal(hb, np.zeros((2, 2)))
    m = T.dmatrix("m")
    with pytest.raises(TypeError, match="vectors"):
        hessian((m**2).sum(), m)


def test_grad_through_a_jacobian_is_refused() -> None:
    x = T.dvector("x")
    J = jacobian(T.sin(x), x)
    with pytest.raises(TypeError, match="jacobian or hessian"):
        tensorir.grad(J.sum(), x)


def test_shape_error_inside_a_jacobian_names_the_line() -> None:
    x = T.dvector("x")
    z = T.dvector("z")
    J = jacobian(T.sin(x) * z, x)
    f = tensorir.function([x, z], J)
    with pytest.raises(ValueError, match="test_jacobian.py"):
        f(np.ones(3), np.ones(2))
