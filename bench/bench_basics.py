"""Scalar add and float64 dot: tensorir against numpy (and PyTensor / JAX when installed).

    python bench/bench_basics.py

Prints compile time, per-call latency of the quick guide's scalar-add function next to
``np.add`` on two floats, and float64 ``dot`` of 1000x1000 matrices in GFLOP/s, with ratios.
Benchmarks, not tests: numbers depend on the machine.
"""

from __future__ import annotations

import time
import timeit
from collections.abc import Callable

import numpy as np

import tensorir
from tensorir import tensor


def per_call(fn: Callable[[], object], repeat: int = 7, number: int = 20000) -> float:
    """Best time of one call, in seconds."""
    return min(timeit.repeat(fn, repeat=repeat, number=number)) / number


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def peers() -> dict[str, object]:
    found: dict[str, object] = {}
    try:
        import pytensor  # type: ignore[import-not-found]

        found["pytensor"] = pytensor
    except ImportError:
        pass
    try:
        import jax  # type: ignore[import-not-found]

        found["jax"] = jax
    except ImportError:
        pass
    return found


def scalar_add() -> None:
    a, b = tensor.dscalar(), tensor.dscalar()
    t0 = time.perf_counter()
    tensorir.function([a, b], a + b)  # the first compile also imports the compiler
    cold_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    f = tensorir.function([a, b], a + b)
    compile_s = time.perf_counter() - t0
    ours = per_call(lambda: f(1.5, 2.5))
    x, y = 1.5, 2.5
    ref = per_call(lambda: np.add(x, y))
    print("scalar add  (f(1.5, 2.5))")
    print(f"  tensorir first compile     {cold_s * 1e3:8.1f} ms (imports the compiler)")
    print(f"  tensorir compile time      {compile_s * 1e3:8.1f} ms")
    print(f"  tensorir per call          {ours * 1e6:8.2f} us")
    print(f"  numpy np.add(1.5, 2.5)     {ref * 1e6:8.2f} us")
    print(f"  ratio tensorir/numpy       {ours / ref:8.2f}")
    for name, mod in peers().items():
        if name == "pytensor":
            import pytensor.tensor as pt  # type: ignore[import-not-found]

            pa, pb = pt.dscalar(), pt.dscalar()
            t0 = time.perf_counter()
            pf = mod.function([pa, pb], pa + pb)  # type: ignore[attr-defined]
            pc = time.perf_counter() - t0
            theirs = per_call(lambda pf=pf: pf(1.5, 2.5))
            print(f"  pytensor compile / call    {pc * 1e3:8.1f} ms {theirs * 1e6:8.2f} us")
        if name == "jax":
            jf = mod.jit(lambda u, v: u + v)  # type: ignore[attr-defined]
            jf(1.5, 2.5)
            theirs = per_call(lambda jf=jf: jf(1.5, 2.5), number=2000)
            print(f"  jax.jit per call           {theirs * 1e6:8.2f} us")


def dot(n: int = 1000) -> None:
    rng = np.random.default_rng(0)
    a_val, b_val = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    a, b = tensor.dmatrices("a", "b")
    f = tensorir.function([a, b], tensor.dot(a, b))
    np.testing.assert_allclose(f(a_val, b_val), a_val @ b_val, rtol=1e-10, atol=1e-10)
    flops = 2.0 * n**3
    ours = best_of(lambda: f(a_val, b_val))
    ref = best_of(lambda: np.dot(a_val, b_val))
    print(f"float64 dot {n}x{n}")
    print(f"  tensorir                   {flops / ours / 1e9:8.2f} GFLOP/s")
    print(
        f"  numpy np.dot               {flops / ref / 1e9:8.2f} GFLOP/s   "
        f"ratio tensorir/numpy {ref / ours:5.2f}"
    )


if __name__ == "__main__":
    print(f"peers installed: {', '.join(peers()) or 'none besides numpy'}")
    scalar_add()
    dot()
