"""Compile time of the gradient of a 10-layer MLP (the training step of issue W6).

    python bench/bench_compile_mlp.py [layers] [width]

Builds a tanh MLP of ``layers`` layers (``width`` units each, softmax output), its
negative log-likelihood, the gradient with respect to every weight and bias, and an SGD
update of each; prints the time of ``function()`` (best and median of 5 fresh compiles, after
one that imports the compiler; the compile cache off) and the time of one step on a batch of
20. A benchmark, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
from workloads import mlp_graph, mlp_init, theano_like

import tensorir


def build(layers: int, width: int):
    init = mlp_init([width] * layers + [10], "float64", "normal")
    x, y, cost, updates, _ = mlp_graph(theano_like("tensorir"), init, 0.01, "int64")
    return x, y, cost, updates


def main(layers: int = 10, width: int = 100) -> None:
    tensorir.config.cache = "off"  # every compile in full (bench_warm_start.py: the cache)
    x, y, cost, updates = build(layers, width)
    tensorir.function([x, y], cost, updates=updates)  # imports and first-use costs
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        f = tensorir.function([x, y], cost, updates=updates)
        times.append(time.perf_counter() - t0)
    data = np.random.default_rng(1).standard_normal((20, width))
    labels = np.arange(20) % 10
    f(data, labels)
    t0 = time.perf_counter()
    for _ in range(200):
        f(data, labels)
    step = (time.perf_counter() - t0) / 200
    print(
        f"{layers}-layer MLP ({width} wide) gradient: compile best {min(times):.3f} s, "
        f"median {statistics.median(times):.3f} s; step {step * 1e6:.0f} us"
    )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
