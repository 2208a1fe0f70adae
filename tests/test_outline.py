"""tir-outline-kernels: loop nests written several times (a gradient's layers) are compiled
once, as kernels the function calls; a large function has all its loop nests in kernels and
its own code (glue) is compiled without optimisation. Results, errors and the ABI are those
of the inline code."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tensorir
from tensorir import tensor


def _mlp(layers: int, width: int) -> tuple:
    """A tanh MLP with a softmax output, its mean NLL and SGD updates (bench W6's)."""
    rng = np.random.default_rng(0)
    sizes = [width] * layers + [10]
    params = []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        params.append(tensorir.shared(rng.standard_normal((n_in, n_out)) * 0.1, name=f"W{k}"))
        params.append(tensorir.shared(np.zeros(n_out), name=f"b{k}"))
    x = tensor.dmatrix("x")
    y = tensor.lvector("y")
    h = x
    for k in range(layers):
        z = tensor.dot(h, params[2 * k]) + params[2 * k + 1]
        h = tensor.nnet.softmax(z) if k == layers - 1 else tensor.tanh(z)
    cost = -tensor.mean(tensor.log(h)[tensor.arange(y.shape[0]), y])
    grads = tensor.grad(cost, params)
    f = tensorir.function(
        [x, y], cost, updates=[(p, p - 0.01 * g) for p, g in zip(params, grads, strict=True)]
    )
    return f, [p.get_value() for p in params]


def _numpy_step(params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    """The same step by hand, in place; the cost before it."""
    hs, h = [x], x
    n = len(params) // 2
    for k in range(n):
        z = h @ params[2 * k] + params[2 * k + 1]
        if k == n - 1:
            e = np.exp(z - z.max(axis=1, keepdims=True))
            h = e / e.sum(axis=1, keepdims=True)
        else:
            h = np.tanh(z)
        hs.append(h)
    rows = np.arange(len(y))
    cost = -np.mean(np.log(h[rows, y]))
    d = h.copy()
    d[rows, y] -= 1
    d /= len(y)
    for k in reversed(range(n)):
        gW, gb = hs[k].T @ d, d.sum(axis=0)
        if k:
            d = (d @ params[2 * k].T) * (1 - hs[k] ** 2)
        params[2 * k] -= 0.01 * gW
        params[2 * k + 1] -= 0.01 * gb
    return cost


@pytest.fixture(scope="module")
def mlp() -> tuple:
    return _mlp(10, 100)


def test_mlp_gradient_is_compiled_as_a_few_kernels(mlp) -> None:
    """The guard of the compile-time work: the 10-layer gradient's LLVM IR stays small (it
    was 12,700 lines, one free per live buffer per failure and every layer's loops written
    out; now about 3,000; the bound leaves room for richer kernels, not for the repeats),
    its loops are a few kernels called from glue compiled without optimisation."""
    f, _ = mlp
    llvm = f.ir("llvm")
    lines = llvm.count("\n")
    assert lines < 6000, lines
    # kernels, not the bodies of their parallel loops (@"__tensorir_kernel_3.parallel0")
    kernels = len(re.findall(r'define internal \w+ @"__tensorir_kernel_\d+"\(', llvm))
    assert 0 < kernels <= 30, kernels
    assert len(re.findall(r'call void @"__tensorir_kernel_\d+"\(', llvm)) >= 60
    entry = next(line for line in llvm.splitlines() if line.startswith("define i64"))
    assert "optnone" in entry
    loops = f.ir("loops")
    body = loops[: loops.index("func.func private")]
    assert "scf.for" not in body  # every loop nest of the function is in a kernel


def test_mlp_steps_match_numpy(mlp) -> None:
    f, init = mlp
    params = [p.copy() for p in init]
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((20, 100)), np.arange(20) % 10
    for _ in range(3):
        want = _numpy_step(params, x, y)
        assert f(x, y) == pytest.approx(want, rel=1e-10)
    for p, v in zip(f.shared_variables, params, strict=True):
        np.testing.assert_allclose(p.get_value(), v, rtol=1e-9, atol=1e-12)


def test_a_check_in_a_kernel_raises_its_message(mlp) -> None:
    """The label gather's bound check is in a kernel of the large function."""
    f, _ = mlp
    x, y = np.zeros((4, 100)), np.array([0, 1, 10, 2])
    with pytest.raises(IndexError, match="index 10 is out of bounds for axis 1 with size 10"):
        f(x, y)
    with pytest.raises(ValueError, match="shapes"):
        f(np.zeros((4, 99)), np.array([0, 1, 2, 3]))


def test_repeated_checked_nests_report_their_own_check() -> None:
    """Two gathers on one line are one kernel (their messages are the same); each call's
    failure is reported with its own values, and the function's later checks still fire."""
    x = tensor.dvector("x")
    y = tensor.dvector("y")
    i = tensor.lvector("i")
    f = tensorir.function([x, y, i], [x[i], y[i]])  # one line: one message for both
    assert "__tensorir_kernel_" in f.ir("loops")
    a, b = np.arange(5.0), np.arange(3.0)
    r = f(a, b, np.array([0, 2, -1]))
    np.testing.assert_array_equal(r[0], [0.0, 2.0, 4.0])
    np.testing.assert_array_equal(r[1], [0.0, 2.0, 2.0])
    with pytest.raises(IndexError, match="index 5 is out of bounds for axis 0 with size 5"):
        f(a, b, np.array([5]))
    with pytest.raises(IndexError, match="index 4 is out of bounds for axis 0 with size 3"):
        f(a, b, np.array([4]))


def test_small_functions_keep_their_loops() -> None:
    """A nest written once in a small function stays inline, and nothing is outlined."""
    x = tensor.dvector("x")
    f = tensorir.function([x], tensor.exp(x).sum() + (x * 2).sum())
    assert "func.func private" not in f.ir("loops")
    assert "optnone" not in f.ir("llvm")
