"""device=cuda workloads against the device's own copy bandwidth and the peers on the GPU.

    python bench/bench_gpu.py [--quick] [--backend driver|emulator] [--repeat 10]

Each workload keeps its data on the device (shared variables; results go to a shared
variable through an update, so nothing is copied back) and is timed per call, the device
synchronised after each batch of calls. Ratios printed:

- fused elementwise ``2x + 3y + 0.5`` (float32, 12 bytes an element) and a transcendental
  ``exp(-x*x)*sin(x) + 0.5*tanh(x)`` (8 bytes): GB/s against a device-to-device copy's
  (goal: the fused kernel at >= 85 % of the copy);
- reductions: ``sum(axis=1)``, ``sum()``, ``sum(axis=0)`` and softmax's rows, GB/s;
- ``dot`` of square float32 matrices: TFLOP/s, against ``torch.matmul`` (cuBLAS) or CuPy
  when importable with a GPU;
- a training step (logistic regression, 784 x 10, minibatches of 600 sliced from a dataset
  on the device): time per step, against the same step under ``jax.jit`` on the GPU.

``--backend emulator`` runs it all on the CPU with small sizes: a check of this script, not
a measurement. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import tensorir
from tensorir import config
from tensorir import tensor as T
from tensorir.runtime.device import backend as device_backend


def per_call(fn: Callable[[], Any], sync: Callable[[], None], repeat: int, calls: int) -> float:
    """Seconds per call: best of ``repeat`` batches of ``calls`` calls, synchronised."""
    fn()
    sync()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        sync()
        best = min(best, time.perf_counter() - t0)
    return best / calls


def device_copy(n: int, args: argparse.Namespace) -> float:
    """Seconds for a device-to-device copy of ``n`` float32 elements."""
    b = device_backend()
    src, dst = b.alloc(4 * n), b.alloc(4 * n)
    try:
        return per_call(lambda: b.copy(dst, src, 4 * n), b.synchronize, args.repeat, args.calls)
    finally:
        b.free(src)
        b.free(dst)


def on_device(outputs_to: list[tuple[Any, Any]]) -> Callable[[], Any]:
    """A function of no inputs storing each expression into its shared variable."""
    return tensorir.function([], [], updates=outputs_to, device="cuda")


def shared(a: np.ndarray, name: str) -> Any:
    return tensorir.shared(a, name)


def peer_torch() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch if torch.cuda.is_available() else None


def peer_jax() -> Any:
    try:
        import jax
    except ImportError:
        return None
    return jax if jax.devices()[0].platform == "gpu" else None


def row(what: str, ours: str, ref: str = "", ratio: str = "") -> None:
    print(f"| {what} | {ours} | {ref} | {ratio} |")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--backend", default="driver", choices=["driver", "emulator"])
    p.add_argument("--repeat", type=int, default=10)
    args = p.parse_args()
    config.cuda_backend = args.backend
    config.floatX = "float32"  # the tutorials' GPU setting: Python floats stay float32
    small = args.quick or args.backend == "emulator"
    args.calls = 2 if args.backend == "emulator" else (5 if args.quick else 20)
    sync = device_backend().synchronize
    rng = np.random.default_rng(0)
    print(f"# device=cuda, backend {args.backend}")
    print("| workload | tensorir | reference | ratio |\n|---|---|---|---|")

    n = 1 << (16 if small else 28)
    copy = device_copy(n, args)
    copy_gbs = 8 * n / copy / 1e9
    row(f"device copy, {n} float32", f"{copy_gbs:.0f} GB/s")
    x = shared(rng.standard_normal(n).astype("float32"), "x")
    y = shared(rng.standard_normal(n).astype("float32"), "y")
    z = shared(np.zeros(n, "float32"), "z")
    fused = on_device([(z, 2 * x + 3 * y + 0.5)])
    t = per_call(fused, sync, args.repeat, args.calls)
    np.testing.assert_allclose(z.get_value(), 2 * x.get_value() + 3 * y.get_value() + 0.5,
                               rtol=1e-6)  # fmt: skip
    gbs = 12 * n / t / 1e9
    row("2x + 3y + 0.5 (goal >= 85 % of copy)", f"{gbs:.0f} GB/s", f"{copy_gbs:.0f} GB/s copy",
        f"{gbs / copy_gbs:.0%}")  # fmt: skip
    math = on_device([(z, T.exp(-x * x) * T.sin(x) + 0.5 * T.tanh(x))])
    t = per_call(math, sync, args.repeat, args.calls)
    gbs = 8 * n / t / 1e9
    row("exp(-x*x)*sin(x) + 0.5*tanh(x)", f"{gbs:.0f} GB/s", f"{copy_gbs:.0f} GB/s copy",
        f"{gbs / copy_gbs:.0%}")  # fmt: skip
    del x, y, z, fused, math

    side = 1 << (8 if small else 14)
    m = shared(rng.standard_normal((side, side)).astype("float32"), "m")
    r = shared(np.zeros(side, "float32"), "r")
    s = shared(np.zeros((), "float32"), "s")
    sm = shared(np.zeros((side, side), "float32"), "sm")
    cases = [("sum(axis=1)", r, m.sum(1)), ("sum(axis=0)", r, m.sum(0)), ("sum()", s, m.sum()),
             ("softmax rows", sm, T.nnet.softmax(m))]  # fmt: skip
    for what, target, expr in cases:
        t = per_call(on_device([(target, expr)]), sync, args.repeat, args.calls)
        reads = 4 * side * side * (3 if what.startswith("softmax") else 1)
        gbs = reads / t / 1e9
        row(f"{what} of {side}^2 float32", f"{gbs:.0f} GB/s", f"{copy_gbs:.0f} GB/s copy",
            f"{gbs / copy_gbs:.0%}")  # fmt: skip
    del m, r, s, sm

    side = 1 << (6 if small else 13)
    a = shared(rng.standard_normal((side, side)).astype("float32"), "a")
    b = shared(rng.standard_normal((side, side)).astype("float32"), "b")
    c = shared(np.zeros((side, side), "float32"), "c")
    t = per_call(on_device([(c, T.dot(a, b))]), sync, args.repeat, max(1, args.calls // 4))
    np.testing.assert_allclose(c.get_value(), a.get_value() @ b.get_value(), rtol=1e-3,
                               atol=1e-3)  # fmt: skip
    tflops = 2 * side**3 / t / 1e12
    torch = peer_torch()
    if torch is not None:
        ta, tb = (torch.from_numpy(v.get_value()).cuda() for v in (a, b))
        tt = per_call(lambda: ta @ tb, torch.cuda.synchronize, args.repeat, args.calls)
        ref = f"{2 * side**3 / tt / 1e12:.1f} TFLOP/s torch"
        row(f"dot {side}^2 float32", f"{tflops:.1f} TFLOP/s", ref, f"{tt / t:.2f}x")
    else:
        row(f"dot {side}^2 float32", f"{tflops:.2f} TFLOP/s", "torch with CUDA not importable")
    del a, b, c

    rows, batch = (2000 if small else 50000), 600
    data = shared(rng.standard_normal((rows, 784)).astype("float32"), "data")
    labels = shared(rng.integers(0, 10, rows).astype("int64"), "labels")
    W = shared(np.zeros((784, 10), "float32"), "W")
    bias = shared(np.zeros(10, "float32"), "b")
    i = T.lscalar("i")
    xb, yb = T.fmatrix("xb"), T.lvector("yb")
    p_y = T.nnet.softmax(T.dot(xb, W) + bias)
    cost = -T.mean(T.log(p_y)[T.arange(yb.shape[0]), yb])
    gW, gb = T.grad(cost, [W, bias])
    step = tensorir.function(
        [i], cost, updates=[(W, W - 0.13 * gW), (bias, bias - 0.13 * gb)],
        givens={xb: data[i * batch : (i + 1) * batch], yb: labels[i * batch : (i + 1) * batch]},
        device="cuda",
    )  # fmt: skip
    batches = rows // batch
    k = [0]

    def one_step() -> None:
        step(k[0] % batches)
        k[0] += 1

    t = per_call(one_step, sync, args.repeat, args.calls * 5)
    jax = peer_jax()
    if jax is not None:
        import jax.numpy as jnp

        jd, jl = jnp.asarray(data.get_value()), jnp.asarray(labels.get_value())

        def loss(params: Any, xs: Any, ys: Any) -> Any:
            w, bb = params
            logp = jax.nn.log_softmax(xs @ w + bb)
            return -jnp.mean(logp[jnp.arange(ys.shape[0]), ys])

        @jax.jit
        def jstep(params: Any, j: Any) -> Any:
            xs = jax.lax.dynamic_slice_in_dim(jd, j * batch, batch)
            ys = jax.lax.dynamic_slice_in_dim(jl, j * batch, batch)
            c, g = jax.value_and_grad(loss)(params, xs, ys)
            return c, jax.tree_util.tree_map(lambda p_, g_: p_ - 0.13 * g_, params, g)

        state = [(jnp.zeros((784, 10), "float32"), jnp.zeros(10, "float32"))]

        def jax_step() -> None:
            c, state[0] = jstep(state[0], k[0] % batches)
            k[0] += 1

        tj = per_call(jax_step, lambda: jax.block_until_ready(state[0]), args.repeat,
                      args.calls * 5)  # fmt: skip
        row("training step (784x10, batch 600)", f"{t * 1e6:.0f} us", f"{tj * 1e6:.0f} us JAX",
            f"{t / tj:.2f}x")  # fmt: skip
    else:
        row("training step (784x10, batch 600)", f"{t * 1e6:.0f} us", "JAX on GPU not importable")


if __name__ == "__main__":
    main()
