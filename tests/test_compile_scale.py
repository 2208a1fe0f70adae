"""Compile time grows linearly with the graph: a chain of n additions (one fused kernel in
the end) compiles in time proportional to n. Fusion used to clone each kernel's growing body
into the next (n**2 / 2 clones) and emission counted the block at every node."""

from __future__ import annotations

import time

import numpy as np

import tensorir
from tensorir import tensor


def _compile_chain(n: int) -> float:
    x = tensor.dvector("x")
    y = x
    for _ in range(n):
        y = y + 1.0
    t0 = time.perf_counter()
    f = tensorir.function([x], y)
    seconds = time.perf_counter() - t0
    np.testing.assert_array_equal(f([0.0, 1.0]), [n, n + 1.0])
    assert f.ir("fused").count("linalg.generic") <= 2  # the broadcast constant and the chain
    return seconds


def test_chained_additions_compile_in_linear_time() -> None:
    _compile_chain(50)  # imports and first-use costs out of the way
    small = min(_compile_chain(1000) for _ in range(2))
    large = _compile_chain(4000)
    # linear: 4x the ops take about 4x the time; quadratic would be 16x
    assert large / small < 8, (small, large)
