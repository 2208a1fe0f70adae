"""Theano's gradient hooks: zero_grad, disconnected_grad, grad_scale, grad_clip."""

from __future__ import annotations

import numpy as np
import pytest

import tensorir
from tensorir import tensor as T
from tensorir.gradient import (
    DisconnectedInputError,
    disconnected_grad,
    grad_clip,
    grad_scale,
    zero_grad,
)


def test_forward_values_are_unchanged() -> None:
    x = T.fmatrix("x")
    f = tensorir.function(
        [x], [zero_grad(x), disconnected_grad(x), grad_scale(x, 3.0), grad_clip(x, -1, 1)]
    )
    v = np.arange(6, dtype="float32").reshape(2, 3)
    for out in f(v):
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out, v)


def test_gradients_through_the_hooks() -> None:
    x, y = T.dvectors("x", "y")
    cost = (x * zero_grad(x)).sum() + (grad_scale(y, 3.0) ** 2).sum()
    cost = cost + grad_clip(x * 10, -1.0, 2.0).sum() + grad_clip(y, 0.5, 0.75).sum() * 4
    f = tensorir.function([x, y], T.grad(cost, [x, y]))
    gx, gy = f([1.0, 2.0], [3.0, 4.0])
    np.testing.assert_array_equal(gx, [1.0 + 10.0, 2.0 + 10.0])  # x * const, clip(1) * 10
    np.testing.assert_array_equal(gy, [3 * 2 * 3.0 + 0.75, 3 * 2 * 4.0 + 0.75])  # clip(4)


def test_disconnected_grad_disconnects() -> None:
    x = T.dvector("x")
    with pytest.raises(DisconnectedInputError, match="x"):
        T.grad(disconnected_grad(x).sum(), x)
    g = T.grad(disconnected_grad(x).sum(), x, disconnected_inputs="ignore")
    np.testing.assert_array_equal(tensorir.function([x], g)([1.0, 2.0]), [0.0, 0.0])
    # zero_grad is connected: zeros, no error
    z = T.grad(zero_grad(x).sum(), x)
    np.testing.assert_array_equal(tensorir.function([x], z)([1.0, 2.0]), [0.0, 0.0])


def test_hook_errors() -> None:
    x = T.dvector("x")
    with pytest.raises(TypeError, match="scalar"):
        grad_scale(x, x)
    with pytest.raises(TypeError, match="no gradient"):
        grad_scale(T.ivector("i"), 2.0)
    with pytest.raises(ValueError, match="lower_bound"):
        grad_clip(x, 1.0, -1.0)
