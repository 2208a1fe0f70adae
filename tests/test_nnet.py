"""The classifier ops against numpy: softmax and log_softmax (any axis, no overflow), sigmoid,
relu, softplus, the cross-entropies, argmax/argmin (first occurrence, NaN, empty axis),
max_and_argmax, clip, outer, concatenate/stack/join, switch, zeros_like/ones_like; their
gradients; the tutorials' logistic regression (NLL through the ``tir-stabilize`` rewrite,
zero-one loss, SGD steps) against numpy."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import tensorir
from tensorir import tensor
from tensorir.gradient import verify_grad

nnet = tensor.nnet


def _same(got: object, expected: object) -> None:
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    np.testing.assert_array_equal(got, expected)


def _close(got: object, expected: object, dtype: str = "float64") -> None:
    got = np.asarray(got)
    assert got.dtype == dtype, (got.dtype, dtype)
    assert got.shape == np.shape(expected), (got.shape, np.shape(expected))
    tol = 1e-12 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


def _next_line() -> int:
    return sys._getframe(1).f_lineno + 1


def np_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True, initial=-np.inf))
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    d = x - x.max(axis=axis, keepdims=True, initial=-np.inf)
    with np.errstate(divide="ignore"):  # an empty axis: log(0), broadcast to nothing
        return d - np.log(np.exp(d).sum(axis=axis, keepdims=True))


# --------------------------------------------------------------------------- activations


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_softmax_family(dtype: str) -> None:
    x = tensor.matrix("x", dtype=dtype)
    v = tensor.vector("v", dtype=dtype)
    f = tensorir.function(
        [x, v],
        [
            nnet.softmax(x),
            nnet.softmax(x, axis=0),
            nnet.log_softmax(x),
            nnet.log_softmax(x, axis=-2),
            nnet.softmax(v),
            nnet.log_softmax(v),
            nnet.sigmoid(x),
            nnet.relu(x),
            nnet.softplus(x),
        ],
    )
    rng = np.random.default_rng(0)
    for scale, shape in [(1.0, (3, 4)), (300.0, (5, 2)), (1.0, (0, 3)), (1.0, (1, 1))]:
        a = (rng.normal(size=shape) * scale).astype(dtype)
        vv = (rng.normal(size=shape[1]) * scale).astype(dtype)
        got = f(a, vv)
        _close(got[0], np_softmax(a), dtype)
        _close(got[1], np_softmax(a, 0), dtype)
        _close(got[2], np_log_softmax(a), dtype)
        _close(got[3], np_log_softmax(a, 0), dtype)
        _close(got[4], np_softmax(vv), dtype)
        _close(got[5], np_log_softmax(vv), dtype)
        assert np.isfinite(got[2]).all() and np.isfinite(got[0]).all()  # large inputs
        with np.errstate(over="ignore"):
            _close(got[6], 1 / (1 + np.exp(-a)), dtype)
            _close(got[8], np.where(a > 30, a, np.log1p(np.exp(a))), dtype)
        _close(got[7], np.maximum(a, 0), dtype)


def test_activation_types_and_errors() -> None:
    x = tensor.imatrix("x")
    assert nnet.softmax(x).dtype == "float64"  # integers go to floats, as Theano
    assert nnet.softmax(tensor.bmatrix("b")).dtype == tensorir.config.floatX
    assert nnet.relu(tensor.fmatrix("f")).dtype == "float32"
    with pytest.raises(ValueError, match="needs at least one dim"):
        nnet.softmax(tensor.dscalar("s"))
    with pytest.raises(ValueError, match="axis 1 is out of range"):
        nnet.log_softmax(tensor.dvector("v"), axis=1)
    with pytest.raises(TypeError, match="complex"):
        nnet.softmax(tensor.cmatrix("z"))
    f = tensorir.function([x], [nnet.softmax(x), nnet.relu(x, alpha=0.5)])
    got = f(np.array([[1, 2], [-3, 0]], dtype="int32"))
    _close(got[0], np_softmax(np.array([[1.0, 2.0], [-3.0, 0.0]])))
    _close(got[1], np.array([[1.0, 2.0], [-1.5, 0.0]]))


def test_crossentropies() -> None:
    p, t = tensor.dmatrices("p", "t")
    y = tensor.lvector("y")
    f = tensorir.function(
        [p, t, y],
        [
            nnet.binary_crossentropy(p, t),
            nnet.categorical_crossentropy(p, t),
            nnet.categorical_crossentropy(p, y),
        ],
    )
    rng = np.random.default_rng(1)
    probs = np_softmax(rng.normal(size=(4, 3)))
    labels = np.array([0, 2, 2, 1])
    onehot = np.eye(3)[labels]
    got = f(probs, onehot, labels)
    _close(got[0], -(onehot * np.log(probs) + (1 - onehot) * np.log(1 - probs)))
    _close(got[1], -np.log(probs[np.arange(4), labels]))
    _close(got[2], -np.log(probs[np.arange(4), labels]))
    with pytest.raises(TypeError, match="do not fit"):
        nnet.categorical_crossentropy(p, tensor.dvector("fv"))


# --------------------------------------------------------------------------- argmax, argmin


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "int8", "bool"])
def test_argmax_argmin(dtype: str) -> None:
    x = tensor.matrix("x", dtype=dtype)
    maxima, where = tensor.max_and_argmax(x, axis=0)
    f = tensorir.function(
        [x],
        [
            tensor.argmax(x),
            tensor.argmax(x, axis=0),
            tensor.argmax(x, axis=-1, keepdims=True),
            tensor.argmin(x, axis=1),
            tensor.argmin(x, keepdims=True),
            maxima,
            where,
        ],
    )
    rng = np.random.default_rng(2)
    for shape in [(4, 5), (1, 3), (6, 1)]:
        a = rng.integers(0, 3, shape).astype(dtype)  # many ties: the first one wins
        got = f(a)
        expected = [
            np.argmax(a),
            np.argmax(a, axis=0),
            np.argmax(a, axis=-1, keepdims=True),
            np.argmin(a, axis=1),
            np.argmin(a, keepdims=True),
            np.max(a, axis=0),
            np.argmax(a, axis=0),
        ]
        for k, (g, e) in enumerate(zip(got, expected, strict=True)):
            _same(g, np.asarray(e, dtype=dtype if k == 5 else "int64"))  # positions: int64


def test_argmax_nan_and_infinities() -> None:
    x = tensor.dmatrix("x")
    f = tensorir.function([x], [tensor.argmax(x, axis=1), tensor.argmin(x, axis=1)])
    a = np.array(
        [
            [1.0, np.nan, 3.0, np.nan],
            [-np.inf, -np.inf, -np.inf, -np.inf],
            [np.inf, 2.0, np.inf, -np.inf],
            [np.nan, np.nan, np.nan, np.nan],
        ]
    )
    got = f(a)
    _same(got[0], np.argmax(a, axis=1))
    _same(got[1], np.argmin(a, axis=1))


def test_argmax_empty_axis() -> None:
    x = tensor.fmatrix("x")
    line = _next_line()
    f = tensorir.function([x], tensor.argmax(x, axis=0))
    g = tensorir.function([x], tensor.argmin(x, axis=1))
    _same(g(np.zeros((0, 3), "float32")), np.zeros(0, "int64"))  # nothing to reduce: fine
    with pytest.raises(ValueError, match="attempt to get argmax of an empty sequence") as info:
        f(np.zeros((0, 3), "float32"))
    assert f"test_nnet.py:{line}" in str(info.value)
    with pytest.raises(ValueError, match="argmin of an empty sequence"):
        g(np.zeros((2, 0), "float32"))
    with pytest.raises(ValueError, match="one axis at most"):
        tensor.argmax(x, axis=(0, 1))
    with pytest.raises(TypeError, match="not ordered|complex"):
        tensor.argmax(tensor.cvector("z"))


# --------------------------------------------------------------------------- other ops


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32"])
def test_clip_outer_switch_likes(dtype: str) -> None:
    x = tensor.vector("x", dtype=dtype)
    y = tensor.vector("y", dtype=dtype)
    c = tensor.vector("c", dtype="bool")
    lo, hi = tensor.scalar("lo", dtype=dtype), tensor.scalar("hi", dtype=dtype)
    f = tensorir.function(
        [x, y, c, lo, hi],
        [
            tensor.clip(x, 0, 2),
            tensor.clip(x, lo, hi),
            tensor.outer(x, y),
            tensor.switch(c, x, y),
            tensor.switch(c, x, 0),
            tensor.zeros_like(x),
            tensor.ones_like(c),
        ],
    )
    a = np.arange(-3, 4).astype(dtype)
    b = np.arange(7)[::-1].astype(dtype)
    cc = a > 0
    got = f(a, b, cc, np.asarray(-1, dtype), np.asarray(1, dtype))
    _same(got[0], np.clip(a, 0, 2).astype(dtype))
    _same(got[1], np.clip(a, -1, 1).astype(dtype))
    _same(got[2], np.outer(a, b))
    _same(got[3], np.where(cc, a, b))
    _same(got[4], np.where(cc, a, np.zeros((), dtype)))
    _same(got[5], np.zeros_like(a))
    _same(got[6], np.ones_like(cc))


def test_concatenate_stack_join() -> None:
    a = tensor.imatrix("a")
    b = tensor.fmatrix("b")
    r = tensor.row("r", dtype="int32")
    v, w = tensor.ivectors("v", "w")
    s = tensor.fscalar("s")
    assert tensor.concatenate([a, r]).broadcastable == (False, False)
    assert tensor.concatenate([r, r], axis=1).broadcastable == (True, False)
    assert tensor.stack([s, s]).broadcastable == (False,)
    f = tensorir.function(
        [a, b, r, v, w, s],
        [
            tensor.concatenate([a, b], axis=1),  # int32 and float32 upcast to float64
            tensor.concatenate([a, r, a]),
            tensor.join(-1, a, a),
            tensor.stack([v, w]),
            tensor.stack([v, w], axis=1),
            tensor.stack([v, w], axis=-1),
            tensor.stack([s, s, 2 * s]),
            tensor.concatenate([v]),
        ],
    )
    aa = np.arange(6, dtype="int32").reshape(3, 2)
    bb = np.ones((3, 1), "float32")
    rr = np.array([[7, 8]], "int32")
    vv, ww = np.arange(3, dtype="int32"), np.arange(3, 6, dtype="int32")
    got = f(aa, bb, rr, vv, ww, np.float32(1.5))
    _same(got[0], np.concatenate([aa, bb], axis=1).astype("float64"))
    _same(got[1], np.concatenate([aa, rr, aa]))
    _same(got[2], np.concatenate([aa, aa], axis=-1))
    _same(got[3], np.stack([vv, ww]))
    _same(got[4], np.stack([vv, ww], axis=1))
    _same(got[5], np.stack([vv, ww], axis=-1))
    _same(got[6], np.array([1.5, 1.5, 3.0], "float32"))
    _same(got[7], vv)
    # empty inputs
    got = f(aa[:0], bb[:0], rr, vv[:0], ww[:0], np.float32(0))
    assert [g.shape for g in got[:6]] == [(0, 3), (1, 2), (0, 4), (2, 0), (0, 2), (0, 2)]


def test_concatenate_errors() -> None:
    a, b = tensor.dmatrices("a", "b")
    with pytest.raises(TypeError, match="same number of dims"):
        tensor.concatenate([a, tensor.dvector("v")])
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        tensor.concatenate([a, b], axis=2)
    with pytest.raises(ValueError, match="at least one tensor"):
        tensor.concatenate([])
    with pytest.raises(TypeError, match="zero-dimensional"):
        tensor.concatenate([tensor.dscalar("s"), tensor.dscalar("t")])
    line = _next_line()
    f = tensorir.function([a, b], [tensor.concatenate([a, b], axis=1), tensor.stack([a, b])])
    with pytest.raises(ValueError, match=r"input 0 has shape \(2, 2\) and input 1 has shape \(3"):
        f(np.ones((2, 2)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="concatenate") as info:
        f(np.ones((2, 2)), np.ones((2, 3)))  # fine along axis 1, not for stack
    assert f"test_nnet.py:{line}" in str(info.value)


# --------------------------------------------------------------------------- gradients

RNG = np.random.default_rng(7)
M = RNG.normal(size=(4, 5))


@pytest.mark.parametrize(
    "fun, point",
    [
        (lambda x: nnet.softmax(x), [M]),
        (lambda x: nnet.softmax(x, axis=0), [M]),
        (lambda x: nnet.softmax(x), [M[0]]),
        (lambda x: nnet.log_softmax(x), [M]),
        (lambda x: nnet.log_softmax(x, axis=0), [M]),
        (lambda x: tensor.log(nnet.softmax(x)), [M]),  # rewritten to log_softmax
        (lambda x: tensor.clip(x, -0.5, 0.5), [M]),
        (lambda x, lo: tensor.clip(x, lo, 0.7), [M, np.array(-0.3)]),
        (lambda x: nnet.sigmoid(x) + nnet.softplus(x) + nnet.relu(x, 0.1), [M]),
        (lambda x: tensor.max_and_argmax(x, axis=1)[0], [M]),
        (lambda x, y: tensor.outer(x, y), [M[0], M[1, :3]]),
        (lambda x, y: tensor.concatenate([x, y, x], axis=1), [M, M[:, :2]]),
        (lambda x, y: tensor.stack([x, y, x]), [M[0], M[1]]),
        (
            lambda x: nnet.categorical_crossentropy(nnet.softmax(x), np.array([0, 4, 2, 2])),
            [M],
        ),
    ],
    ids=[
        "softmax",
        "softmax_axis0",
        "softmax_vector",
        "log_softmax",
        "log_softmax_axis0",
        "log_of_softmax",
        "clip",
        "clip_symbolic_bound",
        "activations",
        "max_and_argmax",
        "outer",
        "concatenate",
        "stack",
        "crossentropy",
    ],
)
def test_verify_grad(fun, point) -> None:
    verify_grad(fun, point, rng=np.random.default_rng(3))


def test_verify_grad_float32() -> None:
    f32 = M.astype("float32")
    verify_grad(lambda x: nnet.log_softmax(x) * nnet.softmax(x), [f32])


# --------------------------------------------------------------------------- logistic regression


def _numpy_nll(x, y, W, b):
    p = np_softmax(x @ W + b)
    n = len(y)
    nll = -np.mean(np.log(p[np.arange(n), y]))
    dz = p.copy()
    dz[np.arange(n), y] -= 1.0
    dz /= n
    return nll, x.T @ dz, dz.sum(axis=0), np.mean(p.argmax(axis=1) != y)


@pytest.fixture(scope="module")
def logreg():
    """The deep-learning tutorials' logistic regression: NLL, zero-one loss, gradients and an
    SGD step, on shared W and b."""
    x = tensor.dmatrix("x")
    y = tensor.lvector("y")
    W = tensorir.shared(np.zeros((3, 4)), "W")
    b = tensorir.shared(np.zeros(4), "b")
    p = nnet.softmax(tensor.dot(x, W) + b)
    nll = -tensor.mean(tensor.log(p)[tensor.arange(y.shape[0]), y])
    errors = tensor.mean(tensor.neq(tensor.argmax(p, axis=1), y))
    gW, gb = tensor.grad(nll, [W, b])
    evaluate = tensorir.function([x, y], [nll, errors, gW, gb])
    train = tensorir.function([x, y], nll, updates=[(W, W - 0.5 * gW), (b, b - 0.5 * gb)])
    return W, b, evaluate, train


def test_nll_and_zero_one_loss_against_numpy(logreg) -> None:
    W, b, evaluate, _ = logreg
    rng = np.random.default_rng(5)
    for n in [7, 1]:
        x, y = rng.normal(size=(n, 3)), rng.integers(0, 4, n)
        W.set_value(rng.normal(size=(3, 4)))
        b.set_value(rng.normal(size=4))
        nll, err, gW, gb = evaluate(x, y)
        e_nll, e_gW, e_gb, e_err = _numpy_nll(x, y, W.get_value(), b.get_value())
        _close(nll, e_nll)
        _close(gW, e_gW)
        _close(gb, e_gb)
        _same(err, e_err)
    with pytest.raises(IndexError, match="index 4 is out of bounds for axis 1 with size 4"):
        evaluate(x, np.array([4]))


def test_nll_goes_through_log_softmax() -> None:
    """The rewrite: at the adjoint level the NLL and its gradient read log_softmax, and no
    softmax is left."""
    x = tensor.dmatrix("x")
    y = tensor.lvector("y")
    W = tensorir.shared(np.zeros((3, 4)), "W")
    b = tensorir.shared(np.zeros(4), "b")
    p = nnet.softmax(tensor.dot(x, W) + b)
    nll = -tensor.mean(tensor.log(p)[tensor.arange(y.shape[0]), y])
    f = tensorir.function([x, y], [nll, *tensor.grad(nll, [W, b])])
    ir = f.ir("adjoint")
    assert "tir.log_softmax" in ir
    assert "tir.softmax" not in ir
    assert "tir.softmax" in f.ir("tir")
    # a softmax that is also an output stays beside the log_softmax
    g = tensorir.function([x, y], [nll, p])
    assert "tir.softmax" in g.ir("adjoint") and "tir.log_softmax" in g.ir("adjoint")
    # finite where log(softmax) would be log(0) = -inf
    scores = tensor.dmatrix("scores")
    h = tensorir.function([scores], tensor.log(nnet.softmax(scores)))
    _close(h(np.array([[0.0, -1000.0]])), np.array([[0.0, -1000.0]]))


def test_sgd_steps_against_numpy(logreg) -> None:
    W, b, _, train = logreg
    rng = np.random.default_rng(9)
    x, y = rng.normal(size=(20, 3)), rng.integers(0, 4, 20)
    W.set_value(np.zeros((3, 4)))
    b.set_value(np.zeros(4))
    w_np, b_np = np.zeros((3, 4)), np.zeros(4)
    costs = []
    for _ in range(5):
        cost = train(x, y)
        e_cost, gW, gb, _ = _numpy_nll(x, y, w_np, b_np)
        w_np, b_np = w_np - 0.5 * gW, b_np - 0.5 * gb
        _close(cost, e_cost)
        costs.append(float(cost))
    np.testing.assert_allclose(W.get_value(), w_np, rtol=1e-12)
    np.testing.assert_allclose(b.get_value(), b_np, rtol=1e-12)
    assert costs[0] == pytest.approx(np.log(4)) and costs[-1] < costs[0]
