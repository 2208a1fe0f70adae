"""Start-up with compiled code kept: the compile cache and saved functions (issue 15).

    python bench/bench_warm_start.py

Each figure is measured in a new process (the best of 3), so that nothing compiled or
imported before counts:

- the 10-layer MLP's gradient function (bench_compile_mlp.py's), from ``function()`` to its
  first result: with an empty compile cache (cold) and with the cache holding it (warm);
- ``import tensorir.runtime`` alone, then ``tensorir.runtime.load`` of a saved
  logistic-regression predictor and its first call;
- for comparison, PyTensor's and JAX's time to their first result of the same MLP gradient
  step in a new process, with an empty cache and with their on-disk cache holding it
  (PyTensor's compiledir, JAX's persistent compilation cache), when they are installed.

Goals: warm <= 0.05 s; load + first call <= 0.05 s; the import <= 0.2 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap

BENCH = os.path.dirname(os.path.abspath(__file__))

MLP = textwrap.dedent(
    """
    import json, sys, time
    sys.path.insert(0, {bench!r})
    import numpy as np
    from workloads import mlp_graph, mlp_init, theano_like
    ns = theano_like({system!r})
    init = mlp_init([100] * 10 + [10], "float64", "normal")
    x, y, cost, updates, _ = mlp_graph(ns, init, 0.01, "int64")
    data = np.random.default_rng(1).standard_normal((20, 100))
    labels = np.arange(20) % 10
    t0 = time.perf_counter()
    f = ns.function([x, y], cost, updates=updates)
    f(data, labels)
    print(json.dumps(time.perf_counter() - t0))
    """
)
"""The MLP step (bench_compile_mlp.py's) from compile to first result, for tensorir or
PyTensor."""

SAVE = textwrap.dedent(
    """
    import numpy as np, tensorir
    from tensorir import tensor as T
    rng = np.random.default_rng(0)
    x = T.dmatrix("x")
    w = tensorir.shared(rng.standard_normal((784, 10)), "w")
    b = tensorir.shared(np.zeros(10), "b")
    p = T.nnet.softmax(T.dot(x, w) + b)
    predict = tensorir.function([x], T.argmax(p, axis=1))
    predict.save({path!r})
    """
)

LOAD = textwrap.dedent(
    """
    import json, time
    t0 = time.perf_counter()
    import numpy as np
    t1 = time.perf_counter()
    import tensorir.runtime
    t2 = time.perf_counter()
    predict = tensorir.runtime.load({path!r})
    predict(np.zeros((20, 784)))
    t3 = time.perf_counter()
    print(json.dumps([t1 - t0, t2 - t1, t3 - t2]))
    """
)


JAX = textwrap.dedent(
    """
    import json, sys, time
    sys.path.insert(0, {bench!r})
    import numpy as np
    import jax, jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_compilation_cache_dir", {cache!r})
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    from workloads import mlp_init
    params = [jnp.asarray(p) for p in mlp_init([100] * 10 + [10], "float64", "normal")]
    data = jnp.asarray(np.random.default_rng(1).standard_normal((20, 100)))
    labels = jnp.asarray(np.arange(20) % 10)

    def loss(ps, x, y):
        h, n = x, len(ps) // 2
        for k in range(n):
            z = h @ ps[2 * k] + ps[2 * k + 1]
            h = jax.nn.softmax(z, axis=-1) if k == n - 1 else jnp.tanh(z)
        return -jnp.mean(jnp.log(h)[jnp.arange(y.shape[0]), y])

    def step(ps, x, y):
        c, g = jax.value_and_grad(loss)(ps, x, y)
        return c, [p - 0.01 * gp for p, gp in zip(ps, g)]

    t0 = time.perf_counter()
    c, new = jax.jit(step)(params, data, labels)
    c.block_until_ready()
    print(json.dumps(time.perf_counter() - t0))
    """
)


def _peers(tmp: str) -> None:
    """PyTensor and JAX: the same MLP step from compile to first result, cold (empty
    cache) and warm (their on-disk caches holding it), each in new processes."""
    import importlib.util

    for peer in ("pytensor", "jax"):
        if importlib.util.find_spec(peer) is None:
            print(f"{peer}: not installed (pip install -e '.[bench]')")
            continue
        cold, warm = [], []
        for k in range(3):
            where = os.path.join(tmp, f"{peer}{k}")
            if peer == "pytensor":
                source, env = (
                    MLP.format(bench=BENCH, system="pytensor"),
                    {"PYTENSOR_FLAGS": f"compiledir={where}"},
                )
            else:
                source, env = JAX.format(bench=BENCH, cache=where), {}
            try:
                cold.append(_run(source, env))
                warm.append(_run(source, env))
            except subprocess.CalledProcessError as e:
                why = (e.stderr or "").strip().splitlines()[-1:] or ["?"]
                print(f"{peer}: failed to run ({why[0]})")
                break
        if len(warm) < 3:
            continue
        print(f"{peer}: cold {min(cold):.3f} s, warm (its cache) {min(warm):.3f} s")  # type: ignore[type-var]


def _run(source: str, env: dict[str, str]) -> object:
    out = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                         env={**os.environ, **env}, check=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        mlp = MLP.format(bench=BENCH, system="tensorir")
        cold = []
        for k in range(3):
            flags = f"cache_dir={os.path.join(tmp, f'cold{k}')}"
            cold.append(_run(mlp, {"TENSORIR_FLAGS": flags}))
        flags = f"cache_dir={os.path.join(tmp, 'cold0')}"
        warm = min(_run(mlp, {"TENSORIR_FLAGS": flags}) for _ in range(3))  # type: ignore[type-var]
        print(f"10-layer MLP gradient, function() to first result in a new process: "
              f"cold {min(cold):.3f} s, warm (cache hit) {warm:.3f} s")  # type: ignore[type-var]  # fmt: skip

        path = os.path.join(tmp, "predict.tir")
        _run_plain(SAVE.format(path=path))
        runs = [_run(LOAD.format(path=path), {}) for _ in range(3)]
        numpy_import = min(r[0] for r in runs)  # type: ignore[index]
        runtime_import = min(r[1] for r in runs)  # type: ignore[index]
        load = min(r[2] for r in runs)  # type: ignore[index]
        print(f"saved logistic-regression predictor: import numpy {numpy_import:.3f} s, "
              f"import tensorir.runtime {runtime_import:.3f} s after it, "
              f"load + first call {load:.3f} s")  # fmt: skip
        _peers(tmp)


def _run_plain(source: str) -> None:
    subprocess.run([sys.executable, "-c", source], check=True)


if __name__ == "__main__":
    main()
