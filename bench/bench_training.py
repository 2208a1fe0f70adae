"""Per-step time of the trivial training example (seed 000) against the same step in numpy.

    python bench/bench_training.py [--calls 100000]

The step: ``y = (x * W).sum()``, ``W -= 0.1 * grad((target - y) ** 2, W)`` with float32
``x``, ``target`` and a float64 shared ``W`` of 4 elements. tensorir runs the compiled
function (its update written in place); numpy runs the hand-derived gradient. Both are timed
over the same number of calls, with the inputs as the seed passes them (a list and a float)
and as a ready float32 array. Also prints the compile time. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from workloads import numpy_training_step, theano_like, training_step_graph


def compile_step() -> tuple[object, object, float]:
    t0 = time.perf_counter()
    f, W = training_step_graph(theano_like("tensorir"))
    return f, W, time.perf_counter() - t0


def numpy_step_factory() -> tuple[object, np.ndarray]:
    return numpy_training_step()


def timed(fn: object, args: tuple, calls: int) -> float:
    """Seconds per call, best of three runs of ``calls`` calls."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn(*args)  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best / calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100_000)
    n = parser.parse_args().calls
    compile_step()  # the first compile also imports the compiler
    f, W, compile_s = compile_step()
    np_step, W_np = numpy_step_factory()
    print(f"trivial training step, {n} calls; compile {1e3 * compile_s:.1f} ms")
    for label, args in [
        ("list + float (as the seed)", ([1.0, 1.0, 1.0, 1.0], 100.0)),
        ("float32 array + float", (np.ones(4, dtype=np.float32), 100.0)),
    ]:
        t_ir = timed(f, args, n)
        t_np = timed(np_step, args, n)
        print(
            f"  {label:28s} tensorir {1e6 * t_ir:6.2f} us/step   numpy {1e6 * t_np:6.2f} "
            f"us/step   ratio tensorir/numpy {t_ir / t_np:.2f}"
        )
    # both converge to the same weights (the step is the same arithmetic)
    assert np.allclose(W.get_value(), W_np), (W.get_value(), W_np)


if __name__ == "__main__":
    main()
