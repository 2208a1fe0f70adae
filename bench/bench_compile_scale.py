"""Compile time and memory against graph size: chains of n additions.

    python bench/bench_compile_scale.py [n ...]

Builds ``y = x + 1 + 1 + ...`` (n additions; one fused kernel in the end), compiles it and
prints the compile time, the time per op, the ratio to the previous size's time per op (1.0
is linear) and the peak resident memory. Benchmarks, not tests: numbers depend on the
machine.
"""

from __future__ import annotations

import resource
import sys
import time

import tensorir
from tensorir import tensor


def main(sizes: list[int]) -> None:
    x = tensor.dvector("x")
    tensorir.function([x], x + 1)  # imports and first-use costs out of the way
    previous = None
    for n in sizes:
        y = x
        for _ in range(n):
            y = y + 1.0
        t0 = time.perf_counter()
        f = tensorir.function([x], y)
        seconds = time.perf_counter() - t0
        assert f([0.0])[0] == n
        per_op = seconds / n
        ratio = f"{per_op / previous:5.2f}" if previous else "    -"
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{n:7d} adds: {seconds:7.2f} s  {per_op * 1e3:6.2f} ms/op  x{ratio}  "
            f"peak {peak:.0f} MB"
        )
        previous = per_op


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 4000, 10000])
