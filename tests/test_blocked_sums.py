"""tir-reductions: float sums along the innermost loop, blocked and pairwise. As accurate as
numpy's pairwise summation, the same bits fused or not, NaN and infinities as before."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tensorir
from tensorir import tensor as T


def _sum_fn(dtype: str, axis: int | None):
    x = T.tensor(dtype, (False, False), name="x")
    return tensorir.function([x], x.sum(axis=axis))


def test_a_float32_sum_does_not_stop_at_2_to_the_24() -> None:
    """Adding ones one by one in float32 stops at 2**24 (16777216 + 1 rounds back)."""
    n = 2**24 + 4096
    f = _sum_fn("float32", None)
    got = f(np.ones((1, n), np.float32))
    assert got == np.float32(n) == np.ones(n, np.float32).sum()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", [0, 1, 7, 16, 17, 255, 256, 257, 1000, 4097, 65537, 300001])
def test_as_accurate_as_numpy(dtype: str, n: int) -> None:
    """The error, in units of eps * sum(|a|) (sequential summation's bound is n - 1 of them,
    pairwise summation's log2(n)), stays within 2 units or 3 times numpy's, for data with
    and without cancellation."""
    rng = np.random.default_rng(n)
    f = _sum_fn(dtype, 1)
    eps = float(np.finfo(dtype).eps)
    for _ in range(4):
        a = (rng.standard_normal((2, n)) * rng.choice([1e-3, 1.0, 1e3], (2, n))).astype(dtype)
        a[1] = np.abs(a[1]) + 1  # no cancellation
        exact = _exact(a.astype(np.float64))
        got = f(a)
        assert got.dtype == dtype and got.shape == (2,)
        unit = eps * np.abs(a.astype(np.float64)).sum(axis=1) + np.finfo(dtype).tiny
        ours = np.abs(got.astype(np.float64) - exact) / unit
        theirs = np.abs(a.sum(axis=1).astype(np.float64) - exact) / unit
        assert np.all(ours <= np.maximum(2.0, 3 * theirs)), (ours, theirs)


def _exact(a: np.ndarray) -> np.ndarray:
    import math

    return np.array([math.fsum(row) for row in a])


def test_special_values_propagate() -> None:
    f = _sum_fn("float64", 1)
    a = np.ones((4, 600))
    a[0, 300] = np.nan
    a[1, 5] = np.inf
    a[2, 10], a[2, 599] = np.inf, -np.inf
    a[3] = -0.0
    got = f(a)
    assert np.isnan(got[0]) and got[1] == np.inf and np.isnan(got[2])
    assert got[3] == 0.0 and not np.signbit(got[3])  # the accumulator starts at +0.0
    assert f(np.ones((3, 0))).tolist() == [0.0, 0.0, 0.0]


def test_fused_element_expressions_and_means() -> None:
    x = T.fmatrix("x")
    f = tensorir.function([x], [(T.exp(x) * 2).sum(axis=1), x.mean(axis=1), T.nnet.softmax(x)])
    a = np.random.default_rng(3).standard_normal((5, 1000)).astype(np.float32)
    s, m, p = f(a)
    np.testing.assert_allclose(s, (np.exp(a) * 2).sum(axis=1), rtol=2e-6)
    np.testing.assert_allclose(m, a.mean(axis=1), rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=2e-6)


def test_the_lanes_are_vectorized() -> None:
    f = _sum_fn("float32", 1)
    assert re.search(r"fadd <\d+ x float>", f.library.optimized_ir)


def test_row_kernels_run_in_one_loop_with_the_same_values() -> None:
    """tir-fuse-rows: softmax's six loops over the rows are one; values as numpy's."""
    x = T.dmatrix("x")
    f = tensorir.function([x], [T.nnet.softmax(x), T.nnet.log_softmax(x)])
    loops = f.ir("loops")
    top = [line for line in loops.splitlines() if line.startswith("    scf.for")]
    assert len(top) == 1, top
    a = np.random.default_rng(5).standard_normal((7, 300)) * 30
    p, lp = f(a)
    shifted = a - a.max(axis=1, keepdims=True)
    expected = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(p, expected, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(lp, shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)))
