"""Compile time and memory against graph size: chains of n additions, or wide sums.

    python bench/bench_compile_scale.py [n ...]
    python bench/bench_compile_scale.py --wide [n ...]

Builds ``y = x + 1 + 1 + ...`` (n additions; one fused kernel in the end) or, with
``--wide``, ``y = exp(x * 1) + exp(x * 2) + ... + exp(x * n)`` (n distinct terms; one fused
kernel with n + 1 inputs), compiles it and prints the compile time, the time per op (per
term), the ratio to the previous size's time per op (1.0 is linear) and the peak resident
memory. Benchmarks, not tests: numbers depend on the machine.
"""

from __future__ import annotations

import math
import resource
import sys
import time

import tensorir
from tensorir import tensor


def chain(x: tensor.TensorVariable, n: int) -> tensor.TensorVariable:
    y = x
    for _ in range(n):
        y = y + 1.0
    return y


def wide(x: tensor.TensorVariable, n: int) -> tensor.TensorVariable:
    y = tensor.exp(x * 1.0)
    for i in range(2, n + 1):
        y = y + tensor.exp(x * float(i))
    return y


def main(sizes: list[int], is_wide: bool) -> None:
    x = tensor.dvector("x")
    tensorir.function([x], x + 1)  # imports and first-use costs out of the way
    previous = None
    what = "terms" if is_wide else "adds"
    for n in sizes:
        y = wide(x, n) if is_wide else chain(x, n)
        t0 = time.perf_counter()
        f = tensorir.function([x], y)
        seconds = time.perf_counter() - t0
        expected = sum(math.exp(0.01 * i) for i in range(1, n + 1)) if is_wide else n + 0.01
        assert math.isclose(f([0.01])[0], expected, rel_tol=1e-9)
        per_op = seconds / n
        ratio = f"{per_op / previous:5.2f}" if previous else "    -"
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{n:7d} {what}: {seconds:7.2f} s  {per_op * 1e3:6.2f} ms/op  x{ratio}  "
            f"peak {peak:.0f} MB"
        )
        previous = per_op


if __name__ == "__main__":
    args = sys.argv[1:]
    is_wide = "--wide" in args
    sizes = [int(a) for a in args if a != "--wide"]
    main(sizes or ([250, 500, 1000, 2000] if is_wide else [1000, 4000, 10000]), is_wide)
