"""Views: reshapes and slices of leading dims read their input's buffer without a copy; no
kernel may overwrite a buffer that a view of it will still read."""

from __future__ import annotations

import numpy as np

import tensorir
from tensorir import tensor as T


def test_a_reshape_view_outlives_its_source_tensor() -> None:
    """t is last used by exp(t), but the view r of t is read (returned) afterwards: exp may
    not write into t's buffer."""
    x = T.dvector("x")
    t = x * 2
    r = t.reshape((2, 2))
    f = tensorir.function([x], [r, T.exp(t)])
    a, b = f(np.array([0.0, 1, 2, 3]))
    np.testing.assert_array_equal(a, [[0.0, 2.0], [4.0, 6.0]])
    np.testing.assert_allclose(b, np.exp([0.0, 2, 4, 6]))
    g = tensorir.function([x], [r.sum(), T.exp(t).sum(), r * 1.0])
    np.testing.assert_array_equal(g(np.array([0.0, 1, 2, 3]))[2], [[0.0, 2.0], [4.0, 6.0]])


def test_slices_of_leading_dims_are_views() -> None:
    m = T.dmatrix("m")
    i = T.lscalar("i")
    outs = [m[i * 2 : (i + 1) * 2], m[1], m[1, 1:], (m * 2)[1:3], m[-1], (m * 3)[2].reshape((3, 1))]
    f = tensorir.function([m, i], outs)
    assert f.ir("buffers").count("tir.subtensor_view") == 6
    mv = np.arange(12.0).reshape(4, 3)
    expected = [mv[2:4], mv[1], mv[1, 1:], (mv * 2)[1:3], mv[-1], (mv * 3)[2].reshape(3, 1)]
    for got, want in zip(f(mv, 1), expected, strict=True):
        np.testing.assert_array_equal(got, want)
        assert got.flags.owndata or got.base is not None  # a fresh array, not the input
    assert f(mv, 5)[0].shape == (0, 3)
    # a step or an inner slice is copied, not viewed
    g = tensorir.function([m], [m[::2], m[:, 1:]])
    assert "tir.subtensor_view" not in g.ir("buffers")
    assert g.ir("buffers").count("tir.subtensor_into") == 2
    np.testing.assert_array_equal(g(mv)[0], mv[::2])


def test_minibatch_view_of_a_shared_dataset_and_an_update() -> None:
    """A view of a shared variable read by the outputs, the variable updated in place: the
    outputs see the old value."""
    data = tensorir.shared(np.arange(12.0).reshape(6, 2), name="data")
    i = T.lscalar("i")
    batch = data[i * 2 : (i + 1) * 2]
    f = tensorir.function([i], [batch, batch.sum()], updates=[(data, data * 2)])
    rows, total = f(1)
    np.testing.assert_array_equal(rows, [[4.0, 5.0], [6.0, 7.0]])
    assert total == 22.0
    np.testing.assert_array_equal(data.get_value(), np.arange(12.0).reshape(6, 2) * 2)


def test_givens_minibatch_is_not_copied_and_trains() -> None:
    x = T.matrix("x")
    data = tensorir.shared(np.ones((6, 3)), name="data")
    W = tensorir.shared(np.zeros(3), name="W")
    i = T.lscalar("i")
    cost = ((T.dot(x, W) - 1.0) ** 2).mean()
    g = T.grad(cost, W)
    f = tensorir.function(
        [i], cost, updates=[(W, W - 0.1 * g)], givens={x: data[i * 2 : (i + 1) * 2]}
    )
    assert "tir.subtensor_view" in f.ir("buffers")
    costs = [float(f(k % 3)) for k in range(20)]
    assert costs[-1] < costs[0]
