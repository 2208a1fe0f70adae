"""``ifelse`` (Theano's lazy conditional, a ``tir.if``): values against numpy, laziness (only
the branch taken runs: its kernels sit inside the ``scf.if``, and a branch that would fail
does not when not taken), gradients against finite differences, errors."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from xdsl.dialects import func, scf

import tensorir
from tensorir import tensor as T
from tensorir.gradient import grad, verify_grad
from tensorir.ifelse import ifelse
from tensorir.printing import debugprint

# --------------------------------------------------------------------------- values


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "int8", "bool"])
def test_values_of_each_dtype(dtype: str) -> None:
    c = T.iscalar("c")
    x = T.vector("x", dtype=dtype)
    y = T.vector("y", dtype=dtype)
    f = tensorir.function([c, x, y], ifelse(c, x, y))
    xv = (np.arange(5) % 3).astype(dtype)
    yv = (np.arange(7) % 2).astype(dtype)
    for cv in (1, 0, -3):
        got = f(cv, xv, yv)
        expected = xv if cv else yv
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("shape", [(0, 0), (3, 0), (0, 4), (2, 3), (1, 1)])
def test_shapes_incl_empty_and_branches_of_other_shapes(shape: tuple[int, ...]) -> None:
    c = T.bscalar("c")
    x = T.dmatrix("x")
    y = T.dmatrix("y")
    f = tensorir.function([c, x, y], ifelse(c, x * 2 + 1, T.exp(y).T))
    xv = np.arange(float(np.prod(shape))).reshape(shape)
    yv = np.ones((4, 2))
    np.testing.assert_array_equal(f(1, xv, yv), xv * 2 + 1)
    np.testing.assert_array_equal(f(0, xv, yv), np.exp(yv).T)


def test_conditions_of_any_scalar_type() -> None:
    x = T.dvector("x")
    xv = np.array([1.0, 2.0])
    for cond, values in [
        (T.dscalar("c"), [(0.5, True), (0.0, False), (-0.0, False), (np.nan, True)]),
        (T.scalar("c", dtype="bool"), [(True, True), (False, False)]),
        (T.lscalar("c"), [(2**40, True), (0, False)]),
    ]:
        f = tensorir.function([cond, x], ifelse(cond, x, -x))
        for cv, taken in values:
            np.testing.assert_array_equal(f(cv, xv), xv if taken else -xv)
    # a Python condition is a constant
    g = tensorir.function([x], ifelse(0, x, x + 1))
    np.testing.assert_array_equal(g(xv), xv + 1)


def test_scalar_results_and_uses_after_the_if() -> None:
    c = T.iscalar("c")
    a = T.dscalar("a")
    x = T.dvector("x")
    s = ifelse(c, a * 3, x.sum())
    f = tensorir.function([c, a, x], [s, s + x, T.exp(s)])
    xv = np.array([1.0, 2.5])
    for cv, sv in ((1, 6.0), (0, 3.5)):
        out = f(cv, 2.0, xv)
        np.testing.assert_allclose(out[0], sv)
        np.testing.assert_allclose(out[1], sv + xv)
        np.testing.assert_allclose(out[2], np.exp(sv))


def test_lists_tuples_and_handed_out_buffers() -> None:
    c = T.iscalar("c")
    x = T.dvector("x")
    y = T.dvector("y")
    e = T.exp(x)
    # a value computed once yielded twice, inputs and constants yielded as they are
    out = ifelse(c, [e, e, x, np.ones(2)], [y, T.tanh(y), e, y * 0])
    assert isinstance(out, list) and len(out) == 4
    tup = ifelse(c, (x,), (y,))
    assert isinstance(tup, tuple) and len(tup) == 1
    f = tensorir.function([c, x, y], [*out, tup[0]])
    xv, yv = np.array([0.5, -1.0]), np.array([2.0, 3.0])
    got = f(1, xv, yv)
    for g, ref in zip(got, [np.exp(xv), np.exp(xv), xv, np.ones(2), xv], strict=True):
        np.testing.assert_allclose(g, ref)
    assert len({id(g) for g in got}) == len(got)
    got = f(0, xv, yv)
    for g, ref in zip(got, [yv, np.tanh(yv), np.exp(xv), 0 * yv, yv], strict=True):
        np.testing.assert_allclose(g, ref)
    xv[:] = 7  # the results are the caller's own buffers, not views of the inputs
    assert got[4][0] == 2.0


def test_nested_ifelse() -> None:
    a = T.iscalar("a")
    b = T.iscalar("b")
    x = T.dvector("x")
    inner = ifelse(b, x * 2, x * 3)
    y = ifelse(a, inner + 1, ifelse(b, T.sqrt(x), inner))
    f = tensorir.function([a, b, x], y)
    xv = np.array([4.0, 9.0])
    for av in (0, 1):
        for bv in (0, 1):
            i = xv * 2 if bv else xv * 3
            expected = i + 1 if av else (np.sqrt(xv) if bv else i)
            np.testing.assert_allclose(f(av, bv, xv), expected)


def test_updates_of_shared_variables() -> None:
    w = tensorir.shared(np.array([1.0, 2.0]), name="w")
    k = tensorir.shared(np.int64(0), name="k")
    c = T.iscalar("c")
    f = tensorir.function(
        [c],
        w.sum(),
        updates=[(w, ifelse(c, w * 2, w)), (k, ifelse(c, k + 1, k - 1))],
    )
    assert f(1) == 3.0
    np.testing.assert_array_equal(w.get_value(), [2.0, 4.0])
    assert k.get_value() == 1
    assert f(0) == 6.0
    np.testing.assert_array_equal(w.get_value(), [2.0, 4.0])
    assert k.get_value() == 0
    f(1)
    np.testing.assert_array_equal(w.get_value(), [4.0, 8.0])


def test_constants_take_the_other_branch_type() -> None:
    c = T.iscalar("c")
    x = T.fscalar("x")
    v = T.dvector("v")
    f = tensorir.function(
        [c, x, v], [ifelse(c, x, 0), ifelse(c, 2.5, x), ifelse(c, v, np.array([1, 2]))]
    )
    a, b, d = f(0, np.float32(3), np.array([5.0, 6.0]))
    assert a.dtype == np.float32 and a == 0
    assert b.dtype == np.float32 and b == 3
    np.testing.assert_array_equal(d, [1.0, 2.0])


def test_switch_stays_elementwise() -> None:
    c = T.ivector("c")
    x = T.dvector("x")
    f = tensorir.function([c, x], T.switch(c, x, -x))
    assert "tir.if" not in f.ir("adjoint")
    np.testing.assert_array_equal(f(np.array([1, 0], np.int32), np.array([2.0, 3.0])), [2, -3])


# --------------------------------------------------------------------------- laziness


def test_expensive_branch_runs_only_when_taken() -> None:
    c = T.iscalar("c")
    m = T.dmatrix("m")
    y = ifelse(c, T.dot(m, m).sum() + T.exp(m).sum(), m[0, 0])
    f = tensorir.function([c, m], y)
    # structurally: the whole product (its BLAS call, the sums' loops) is inside the scf.if
    module = f.module("loops")
    entry = module.ops.first
    while not (isinstance(entry, func.FuncOp) and not entry.sym_name.data.startswith("__")):
        entry = entry.next_op
    top = [op for op in entry.body.block.ops]
    assert not any(isinstance(op, scf.ForOp | func.CallOp) for op in top)
    (branch,) = [op for op in top if isinstance(op, scf.IfOp)]
    then_ops = [op.name for op in branch.true_region.walk()]
    assert "func.call" in then_ops and "scf.for" in then_ops
    assert "func.call" not in [op.name for op in branch.false_region.walk()]
    mv = np.random.default_rng(0).random((600, 600))
    np.testing.assert_allclose(f(1, mv), (mv @ mv).sum() + np.exp(mv).sum())
    assert f(0, mv) == mv[0, 0]


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE", "DebugMode", "NanGuardMode"])
def test_a_failing_branch_fails_only_when_taken(mode: str) -> None:
    c = T.iscalar("c")
    x = T.dvector("x")
    y = T.dvector("y")
    i = T.lscalar("i")
    f = tensorir.function([c, x, y, i], ifelse(c, (x + y) * 2, x[i] * y), mode=mode)
    a, b = np.arange(3.0), np.arange(4.0)
    np.testing.assert_array_equal(f(0, a, b, 1), b)  # x + y would not broadcast
    with pytest.raises(ValueError, match=r"shapes \(3,\) and \(4,\).*test_ifelse.py"):
        f(1, a, b, 1)
    np.testing.assert_array_equal(f(1, a, a, 99), 4 * a)  # x[99] would be out of range
    with pytest.raises(IndexError, match="index 99 is out of bounds.*test_ifelse.py"):
        f(0, a, a, 99)


# --------------------------------------------------------------------------- gradients


def _numeric(fn, xv: np.ndarray, eps: float) -> np.ndarray:
    out = np.zeros_like(xv, dtype=np.float64)
    for idx in np.ndindex(*xv.shape):
        xp, xm = xv.copy(), xv.copy()
        xp[idx] += eps
        xm[idx] -= eps
        out[idx] = (float(fn(xp)) - float(fn(xm))) / (2 * eps)
    return out


@pytest.mark.parametrize("dtype, eps, tol", [("float64", 1e-6, 1e-7), ("float32", 1e-2, 2e-3)])
def test_gradient_follows_the_branch_taken(dtype: str, eps: float, tol: float) -> None:
    c = T.iscalar("c")
    x = T.vector("x", dtype=dtype)
    w = T.vector("w", dtype=dtype)
    cost = ifelse(c, T.sum(T.sin(x) * w), T.sum(x**3) + T.sum(w)).sum() * 2
    f = tensorir.function([c, x, w], cost)
    g = tensorir.function([c, x, w], grad(cost, [x, w]))
    xv = np.array([0.3, -1.2, 0.7], dtype)
    wv = np.array([1.5, 0.5, -2.0], dtype)
    for cv in (1, 0):
        gx, gw = g(cv, xv, wv)
        assert gx.dtype == np.dtype(dtype) and gw.dtype == np.dtype(dtype)
        if cv:
            np.testing.assert_allclose(gx, 2 * np.cos(xv) * wv, rtol=tol, atol=tol)
            np.testing.assert_allclose(gw, 2 * np.sin(xv), rtol=tol, atol=tol)
        else:
            np.testing.assert_allclose(gx, 6 * xv**2, rtol=tol, atol=tol)
            np.testing.assert_allclose(gw, 2 * np.ones(3), rtol=tol, atol=tol)
        xd = xv.astype(np.float64)
        numeric = _numeric(lambda v, cv=cv: f(cv, v.astype(dtype), wv), xd, eps)
        np.testing.assert_allclose(gx, numeric, rtol=10 * tol, atol=10 * tol)


def test_verify_grad_and_grad_of_grad() -> None:
    x = T.dvector("x")
    for cv in (0, 1):
        verify_grad(
            lambda v, cv=cv: ifelse(cv, T.tanh(v) * v, T.exp(v) / 3).sum(), [np.array([0.2, 0.9])]
        )
    c = T.iscalar("c")
    s = T.dscalar("s")
    y = ifelse(c, s**3, T.sin(s))
    d1 = grad(y, s)
    d2 = grad(d1, s)
    f = tensorir.function([c, s], [d1, d2])
    np.testing.assert_allclose(f(1, 2.0), [12.0, 12.0])
    np.testing.assert_allclose(f(0, 2.0), [np.cos(2.0), -np.sin(2.0)])
    h = tensorir.function([c, x], tensorir.gradient.hessian(ifelse(c, (x**3).sum(), x.sum()), x))
    np.testing.assert_allclose(h(1, np.array([1.0, 2.0])), np.diag([6.0, 12.0]))
    np.testing.assert_allclose(h(0, np.array([1.0, 2.0])), np.zeros((2, 2)))


def test_gradient_of_list_outputs_and_of_a_variable_in_one_branch() -> None:
    c = T.iscalar("c")
    x = T.dvector("x")
    z = T.dvector("z")
    a, b = ifelse(c, [x * 2, x * z], [z, x])
    cost = a.sum() + (b * b).sum()
    f = tensorir.function([c, x, z], grad(cost, [x, z]))
    xv, zv = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    gx, gz = f(1, xv, zv)
    np.testing.assert_allclose(gx, 2 + 2 * xv * zv * zv)
    np.testing.assert_allclose(gz, 2 * xv * zv * xv)
    gx, gz = f(0, xv, zv)
    np.testing.assert_allclose(gx, 2 * xv)
    np.testing.assert_allclose(gz, np.ones(2))


def test_gradient_into_an_update() -> None:
    w = tensorir.shared(np.array([1.0, -2.0]), name="w")
    c = T.iscalar("c")
    cost = ifelse(c, (w**2).sum(), w.sum())
    step = tensorir.function([c], cost, updates=[(w, w - 0.25 * grad(cost, w))])
    step(1)
    np.testing.assert_allclose(w.get_value(), [0.5, -1.0])
    step(0)
    np.testing.assert_allclose(w.get_value(), [0.25, -1.25])


# --------------------------------------------------------------------------- errors


def test_errors_name_the_types_and_the_line() -> None:
    c = T.iscalar("c")
    x = T.dvector("x")
    with pytest.raises(TypeError, match=r"scalar.*TensorType\(int32, vector\).*test_ifelse.py"):
        ifelse(T.ivector("v"), x, x)
    with pytest.raises(ValueError, match=r"`then` 2, variables on `else` 1.*test_ifelse.py"):
        ifelse(c, [x, x], [x])
    with pytest.raises(
        TypeError,
        match=r"TensorType\(float64, vector\) and TensorType\(float32, vector\).*test_ifelse.py",
    ):
        ifelse(c, x, T.fvector("y"))
    with pytest.raises(TypeError, match=r"TensorType\(float64, vector\) and .*matrix"):
        ifelse(c, x, T.dmatrix("m"))
    with pytest.raises(TypeError, match="identical types"):
        ifelse(c, T.iscalar("i"), 0.5)  # 0.5 is no int32


# --------------------------------------------------------------------------- around it


def test_debugprint_and_theano_spelling() -> None:
    c = T.iscalar("c")
    x = T.dvector("x")
    out = ifelse(c, x * 2, x, name="pick")
    import io

    buf = io.StringIO()
    debugprint(out, file=buf)
    assert buf.getvalue().splitlines()[0].startswith("if{pick}")
    script = (
        "import numpy, theano, theano.tensor as T\n"
        "from theano.ifelse import ifelse\n"
        "c = T.iscalar('c'); x = T.dvector('x')\n"
        "f = theano.function([c, x], ifelse(c, x + 1, x - 1))\n"
        "print(f(1, numpy.zeros(2)), f(0, numpy.zeros(2)))\n"
        "assert theano.ifelse.ifelse is ifelse\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "tensorir.compat.theano", "-c", script],
        capture_output=True,
        text=True,
        env=dict(os.environ),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[1. 1.] [-1. -1.]"


def test_pydotprint_highlights_the_branches() -> None:
    from tensorir.printing import graph_to_dot

    c = T.iscalar("c")
    x = T.dvector("x")
    shared_part = T.exp(x)
    out = ifelse(c, T.tanh(shared_part), T.sqrt(shared_part) * 2, name="pick")
    text = graph_to_dot(out, cond_highlight="pick")
    assert 'label="if{pick}"' in text and "magenta" in text
    clusters = text.split("subgraph ")[1:]
    names = [part.split('"')[1] for part in clusters]
    assert names == ["cluster_Left", "cluster_Right", "cluster_Middle"]
    assert "subgraph" not in graph_to_dot(out)
    with pytest.warns(UserWarning, match="no IfElse"):
        graph_to_dot(out, cond_highlight="other")


def test_pickled_function_with_ifelse_updates_its_shared_variables() -> None:
    import pickle

    c = T.iscalar("c")
    x = T.dvector("x")
    w = tensorir.shared(np.ones(2), name="w")
    f = tensorir.function([c, x], ifelse(c, x * w, x - w), updates=[(w, ifelse(c, w + 1, w))])
    g = pickle.loads(pickle.dumps(f))
    np.testing.assert_array_equal(g(1, np.array([1.0, 2.0])), [1.0, 2.0])
    np.testing.assert_array_equal(g(0, np.array([1.0, 2.0])), [-1.0, 0.0])
    np.testing.assert_array_equal(w.get_value(), [1.0, 1.0])  # g has its own copy
