"""The performance issue's workloads, written once per system (tensorir, numpy, PyTensor,
JAX, torch), and the worker that times them in one process per system.

    python bench/workloads.py --system jax [--quick] [--only W5a,W7] [--repeat 5]

prints one line ``@@BENCH@@ {json}`` on stdout: for each case, ``{"t": seconds}`` (best of
the repeats, per call), ``{"skip": why}`` or ``{"error": why}``. Every case is checked
against numpy once before it is timed, so a wrong result never gets a time.
``bench/run.py`` starts one worker per system and prints the table. Heavy imports stay
inside the functions: importing this module costs nothing but numpy.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

SYSTEMS = ["tensorir", "numpy", "pytensor", "jax", "torch"]
PEERS = ["pytensor", "jax", "torch"]
THEANO_LIKE = ("tensorir", "pytensor")
MARK = "@@BENCH@@"


@dataclass(frozen=True)
class Goal:
    """``ours / ref <= value`` (time ratio), ``bw``: GB/s ratio to the 2-thread copy."""

    ref: str  # "numpy", "jax", "abs" (seconds), "bw"
    value: float
    text: str


GOALS = {
    "import": Goal("abs", 0.3, "<= 0.3 s"),
    "W1": Goal("numpy", 1.0, "<= 1.0x numpy"),
    "W3": Goal("numpy", 0.8, "<= 0.8x numpy"),
    "W5a": Goal("jax", 0.5, "<= 0.5x JAX"),
    "W5b": Goal("bw", 0.8, ">= 80% 2-thread copy GB/s"),
    "W7": Goal("jax", 1.0, "<= 1.0x JAX"),
    "W2": Goal("numpy", 1 / 0.95, ">= 0.95x numpy speed"),
    "W4": Goal("jax", 0.9, "<= 0.9x JAX"),
    "W4b": Goal("jax", 0.9, "<= 0.9x JAX"),
    "W6": Goal("jax", 1.0, "<= 1.0x JAX"),
    "W8": Goal("peers", 1.0, "faster than PyTensor and JAX"),
}
GROUPS = list(GOALS)


@dataclass
class Entry:
    """One timed case: ``fn()`` is timed; ``check()`` (run once first) raises if wrong."""

    fn: Callable[[], object]
    check: Callable[[], None]
    nbytes: int = 0  # bytes read + written per call, for GB/s


def close(got: object, want: object, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want, rtol=rtol, atol=atol)


def result_check(fn: Callable[[], object], want: object, **tol: float) -> Callable[[], None]:
    return lambda: close(fn(), want, **tol)


# ---------------------------------------------------------------------------- systems


def theano_like(system: str) -> SimpleNamespace:
    """tensorir and PyTensor share the graph-building code below through this."""
    if system == "tensorir":
        import tensorir
        from tensorir import tensor as T

        return SimpleNamespace(
            function=tensorir.function,
            shared=tensorir.shared,
            T=T,
            softmax=T.nnet.softmax,
            scan=tensorir.scan,
            grad=tensorir.grad,
        )
    import pytensor
    import pytensor.tensor as pt

    return SimpleNamespace(
        function=pytensor.function,
        shared=pytensor.shared,
        T=pt,
        softmax=lambda z: pt.special.softmax(z, axis=-1),
        scan=pytensor.scan,
        grad=pytensor.grad,
    )


def jax_mod() -> Any:
    import jax

    jax.config.update("jax_enable_x64", True)  # float64 workloads stay float64
    return jax


def unsupported(system: str) -> None:
    raise NotImplementedError(f"no {system} version")


# ---------------------------------------------------------------------------- W1


def w1(system: str, quick: bool) -> dict[str, Entry]:
    a, b = 1.5, 2.5
    if system == "numpy":
        fn: Callable[[], object] = lambda: np.add(a, b)  # noqa: E731
    elif system in THEANO_LIKE:
        ns = theano_like(system)
        x, y = ns.T.dscalar("a"), ns.T.dscalar("b")
        f = ns.function([x, y], x + y)
        fn = lambda: f(a, b)  # noqa: E731
    elif system == "jax":
        jax = jax_mod()
        jf = jax.jit(lambda u, v: u + v)
        fn = lambda: jf(a, b).block_until_ready()  # noqa: E731
    else:
        import torch

        ta, tb = torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)
        fn = lambda: torch.add(ta, tb)  # noqa: E731
    return {"W1 scalar add": Entry(fn, result_check(fn, 4.0))}


# ---------------------------------------------------------------------------- W3


W3_INIT = [0.1, 0.25, 0.15, 0.3]


def training_step_graph(ns: SimpleNamespace) -> tuple[Callable, Any]:
    """The seed's training step (bench/bench_training.py): (compiled step, shared W)."""
    T = ns.T
    x = T.fvector("x")
    target = T.fscalar("target")
    W = ns.shared(np.asarray(W3_INIT), "W")
    y = (x * W).sum()
    cost = (target - y) ** 2
    (g,) = T.grad(cost, [W])
    f = ns.function([x, target], y, updates=[(W, W - 0.1 * g)])
    return f, W


def numpy_training_step() -> tuple[Callable, np.ndarray]:
    """The same step by hand: (step(x, target), W updated in place)."""
    W = np.asarray(W3_INIT)

    def step(x: object, target: float) -> np.ndarray:
        xv = np.asarray(x, dtype=np.float32).astype(np.float64)
        t = np.float64(np.float32(target))
        y = (xv * W).sum()
        g = -((t - y) * 2.0) * xv
        W[...] = W - 0.1 * g
        return y

    return step, W


def w3(system: str, quick: bool) -> dict[str, Entry]:
    x, target = np.ones(4, dtype=np.float32), 100.0
    ref_step, ref_W = numpy_training_step()
    for _ in range(3):
        ref_step(x, target)
    want = ref_W.copy()
    if system == "numpy":
        step, W = numpy_training_step()
        fn: Callable[[], object] = lambda: step(x, target)  # noqa: E731
        get_W: Callable[[], object] = lambda: W  # noqa: E731
    elif system in THEANO_LIKE:
        f, Ws = training_step_graph(theano_like(system))
        fn = lambda: f(x, target)  # noqa: E731
        get_W = lambda: Ws.get_value()  # noqa: E731
    elif system == "jax":
        jax = jax_mod()
        jnp = jax.numpy

        def loss(W: Any, xv: Any, t: Any) -> Any:
            y = (xv * W).sum()
            return (t - y) ** 2, y

        @jax.jit
        def jstep(W: Any, xv: Any, t: Any) -> Any:
            g, y = jax.grad(loss, has_aux=True)(W, xv, t)
            return W - 0.1 * g, y

        state = {"W": jnp.asarray(np.asarray(W3_INIT))}
        t32 = np.float32(target)

        def fn() -> object:
            state["W"], y = jstep(state["W"], x, t32)
            return y.block_until_ready()

        get_W = lambda: state["W"]  # noqa: E731
    else:
        import torch

        Wt = torch.tensor(W3_INIT, dtype=torch.float64, requires_grad=True)
        xt, tt = torch.from_numpy(x), torch.tensor(np.float32(target))

        def fn() -> object:
            y = (xt * Wt).sum()
            ((tt - y) ** 2).backward()
            with torch.no_grad():
                Wt.sub_(0.1 * Wt.grad)
                Wt.grad = None
            return y

        get_W = lambda: Wt.detach().numpy()  # noqa: E731

    def check() -> None:
        for _ in range(3):
            fn()
        close(get_W(), want, rtol=1e-6)

    return {"W3 training step": Entry(fn, check)}


# ---------------------------------------------------------------------------- W5a, W5b, W7


def elementwise(system: str, arrays: list[np.ndarray], expr: Callable, atol: float = 1e-5) -> Entry:
    """``expr(lib, *arrays)`` written once: lib is numpy, the tensor module, jnp or torch;
    checked against numpy in float64."""
    want = expr(np, *(a.astype(np.float64) for a in arrays)).astype(arrays[0].dtype)
    if system == "numpy":
        fn: Callable[[], object] = lambda: expr(np, *arrays)  # noqa: E731
    elif system in THEANO_LIKE:
        ns = theano_like(system)
        kinds = {1: ns.T.vector, 2: ns.T.matrix}
        ins = [kinds[a.ndim](dtype=str(a.dtype)) for a in arrays]
        f = ns.function(ins, expr(ns, *ins))
        fn = lambda: f(*arrays)  # noqa: E731
    elif system == "jax":
        jax = jax_mod()
        jf = jax.jit(lambda *a: expr(jax.numpy, *a))
        dev = [jax.device_put(a) for a in arrays]
        fn = lambda: jf(*dev).block_until_ready()  # noqa: E731
    else:
        import torch

        ts = [torch.from_numpy(a) for a in arrays]
        fn = lambda: expr(torch, *ts)  # noqa: E731
    nbytes = sum(a.nbytes for a in arrays) + want.nbytes
    return Entry(fn, result_check(fn, want, rtol=1e-4, atol=atol), nbytes)


def lib_call(lib: Any, name: str) -> Callable:
    """exp / sin / tanh of numpy, jnp, torch or a Theano-like namespace."""
    return getattr(lib.T if isinstance(lib, SimpleNamespace) else lib, name)


def w5a_expr(lib: Any, x: Any) -> Any:
    exp, sin, tanh = (lib_call(lib, n) for n in ("exp", "sin", "tanh"))
    return exp(-x * x) * sin(x) + 0.5 * tanh(x)


def w5b_expr(lib: Any, x: Any, y: Any) -> Any:
    return 2 * x + 3 * y + 1


def w5a(system: str, quick: bool) -> dict[str, Entry]:
    n = 1_000_000 if quick else 10_000_000
    x = np.random.default_rng(0).standard_normal(n).astype(np.float32)
    return {f"W5a exp*sin+tanh {n:.0e}": elementwise(system, [x], w5a_expr)}


def w5b(system: str, quick: bool) -> dict[str, Entry]:
    n = 1_000_000 if quick else 10_000_000
    rng = np.random.default_rng(0)
    x, y = (rng.standard_normal(n).astype(np.float32) for _ in range(2))
    out = {f"W5b 2x+3y+1 {n:.0e}": elementwise(system, [x, y], w5b_expr)}
    if system == "numpy":  # the bandwidth references: one-thread and two-thread copy
        dst = np.empty_like(x)
        pool = ThreadPoolExecutor(2)
        half = n // 2

        def copy2() -> None:
            futures = [
                pool.submit(np.copyto, dst[:half], x[:half]),
                pool.submit(np.copyto, dst[half:], x[half:]),
            ]
            for fu in futures:
                fu.result()

        def check_copy(f: Callable[[], object]) -> Callable[[], None]:
            def check() -> None:
                dst[...] = 0
                f()
                np.testing.assert_array_equal(dst, x)

            return check

        one = lambda: np.copyto(dst, x)  # noqa: E731
        out["W5b copy 1 thread"] = Entry(one, check_copy(one), 2 * x.nbytes)
        out["W5b copy 2 threads"] = Entry(copy2, check_copy(copy2), 2 * x.nbytes)
    return out


def softmax_rows(lib: Any, x: Any) -> Any:
    if lib is np:
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if isinstance(lib, SimpleNamespace):
        return lib.softmax(x)
    if getattr(lib, "__name__", "") == "torch":
        return lib.softmax(x, dim=1)
    import jax

    return jax.nn.softmax(x, axis=1)


def w7(system: str, quick: bool) -> dict[str, Entry]:
    n = 1024 if quick else 4096
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(np.float32)
    s = rng.standard_normal((n, 1000)).astype(np.float32)
    return {
        f"W7 sum axis=1 {n}^2": elementwise(system, [a], lambda lib, x: x.sum(axis=1), 1e-3),
        f"W7 sum axis=0 {n}^2": elementwise(system, [a], lambda lib, x: x.sum(axis=0), 1e-3),
        f"W7 softmax {n}x1000": elementwise(system, [s], softmax_rows),
    }


# ---------------------------------------------------------------------------- W2


def w2(system: str, quick: bool) -> dict[str, Entry]:
    out = {}
    for dtype in ("float32", "float64"):
        for n in (64, 256, 1024) if quick else (64, 256, 1024, 4096):
            rng = np.random.default_rng(n)
            a, b = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))
            want = a.astype(np.float64) @ b.astype(np.float64)
            if system == "numpy":
                fn: Callable[[], object] = lambda a=a, b=b: np.dot(a, b)  # noqa: E731
            elif system in THEANO_LIKE:
                ns = theano_like(system)
                x, y = ns.T.matrix("a", dtype=dtype), ns.T.matrix("b", dtype=dtype)
                f = ns.function([x, y], ns.T.dot(x, y))
                fn = lambda f=f, a=a, b=b: f(a, b)  # noqa: E731
            elif system == "jax":
                jax = jax_mod()
                jf = jax.jit(jax.numpy.dot)
                da, db = jax.device_put(a), jax.device_put(b)
                fn = lambda jf=jf, da=da, db=db: jf(da, db).block_until_ready()  # noqa: E731
            else:
                import torch

                ta, tb = torch.from_numpy(a), torch.from_numpy(b)
                fn = lambda ta=ta, tb=tb: torch.mm(ta, tb)  # noqa: E731
            tol = 1e-3 * np.sqrt(n) if dtype == "float32" else 1e-9 * np.sqrt(n)
            short = "f32" if dtype == "float32" else "f64"
            out[f"W2 dot {short} n={n}"] = Entry(fn, result_check(fn, want, rtol=tol, atol=tol))
    return out


# ---------------------------------------------------------------------------- MLPs (W4, W4b, W6)


def mlp_init(sizes: list[int], dtype: str, kind: str) -> list[np.ndarray]:
    """[W0, b0, W1, b1, ...]: ``tutorial`` (zeros; uniform hidden layers, RandomState(1234)
    as the deep-learning tutorials) or ``normal`` (bench_compile_mlp: rng(0) * 0.1)."""
    params = []
    rng_t, rng_n = np.random.RandomState(1234), np.random.default_rng(0)
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        if kind == "normal":
            W = rng_n.standard_normal((n_in, n_out)) * 0.1
        elif k < len(sizes) - 2:
            bound = np.sqrt(6.0 / (n_in + n_out))
            W = rng_t.uniform(-bound, bound, (n_in, n_out))
        else:
            W = np.zeros((n_in, n_out))
        params += [W.astype(dtype), np.zeros(n_out, dtype)]
    return params


def mlp_graph(ns: SimpleNamespace, init: list[np.ndarray], lr: float, label_dtype: str) -> tuple:
    """tanh hidden layers, softmax output, mean NLL, SGD updates of every parameter:
    (x, y, cost, updates, shared params)."""
    T = ns.T
    x = T.matrix("x", dtype=str(init[0].dtype))
    y = T.vector("y", dtype=label_dtype)
    params = [ns.shared(v.copy(), name=f"p{i}") for i, v in enumerate(init)]
    h = x
    n_layers = len(params) // 2
    for k in range(n_layers):
        z = T.dot(h, params[2 * k]) + params[2 * k + 1]
        h = ns.softmax(z) if k == n_layers - 1 else T.tanh(z)
    cost = -T.mean(T.log(h)[T.arange(y.shape[0]), y])
    grads = T.grad(cost, params)
    rate = np.asarray(lr, dtype=init[0].dtype)  # a float32 model stays float32
    updates = [(p, p - rate * g) for p, g in zip(params, grads, strict=True)]
    return x, y, cost, updates, params


def numpy_mlp_step(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, lr: float) -> float:
    """One SGD step of the same MLP by hand, in place; returns the cost before it."""
    hs = [x]
    n_layers = len(params) // 2
    for k in range(n_layers):
        z = hs[-1] @ params[2 * k] + params[2 * k + 1]
        hs.append(softmax_rows(np, z) if k == n_layers - 1 else np.tanh(z))
    rows = np.arange(len(y))
    cost = -np.mean(np.log(hs[-1][rows, y]))
    d = hs[-1].copy()
    d[rows, y] -= 1
    d /= len(y)
    for k in reversed(range(n_layers)):
        W = params[2 * k]
        gW, gb = hs[k].T @ d, d.sum(axis=0)
        if k:
            d = (d @ W.T) * (1 - hs[k] * hs[k])
        W -= lr * gW
        params[2 * k + 1] -= lr * gb
    return float(cost)


def jax_mlp_step(lr: float) -> Callable:
    """A fresh jit'd ``step(params, x, y) -> (cost, new params)`` (jax.value_and_grad)."""
    jax = jax_mod()
    jnp = jax.numpy

    def loss(params: list, x: Any, y: Any) -> Any:
        h = x
        n_layers = len(params) // 2
        for k in range(n_layers):
            z = h @ params[2 * k] + params[2 * k + 1]
            h = jax.nn.log_softmax(z, axis=1) if k == n_layers - 1 else jnp.tanh(z)
        return -jnp.mean(h[jnp.arange(y.shape[0]), y])

    def step(params: list, x: Any, y: Any) -> Any:
        cost, grads = jax.value_and_grad(loss)(params, x, y)
        return cost, [p - lr * g for p, g in zip(params, grads, strict=True)]

    return jax.jit(step)


def torch_mlp_step(lr: float) -> Callable:
    import torch

    def step(params: list, x: Any, y: Any) -> Any:
        h = x
        n_layers = len(params) // 2
        for k in range(n_layers):
            z = h @ params[2 * k] + params[2 * k + 1]
            h = torch.log_softmax(z, dim=1) if k == n_layers - 1 else torch.tanh(z)
        cost = torch.nn.functional.nll_loss(h, y)
        cost.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
        return cost.detach()

    return step


def mlp_step_entry(
    system: str, init: list[np.ndarray], lr: float, x: np.ndarray, y: np.ndarray
) -> tuple[Callable[[], object], Callable[[], None]]:
    """One SGD step per call; the check: two steps' costs equal numpy's."""
    ref = [p.copy() for p in init]
    want = [numpy_mlp_step(ref, x, y, lr) for _ in range(2)]
    costs: list[float] = []
    if system == "numpy":
        params = [p.copy() for p in init]
        fn: Callable[[], object] = lambda: numpy_mlp_step(params, x, y, lr)  # noqa: E731
    elif system in THEANO_LIKE:
        xs, ys, cost, updates, _ = mlp_graph(theano_like(system), init, lr, str(y.dtype))
        f = theano_like(system).function([xs, ys], cost, updates=updates)
        fn = lambda: f(x, y)  # noqa: E731
    elif system == "jax":
        jax = jax_mod()
        jstep = jax_mlp_step(lr)
        state = {"p": [jax.device_put(p) for p in init]}
        dx, dy = jax.device_put(x), jax.device_put(y)

        def fn() -> object:
            c, state["p"] = jstep(state["p"], dx, dy)
            return c.block_until_ready()
    else:
        import torch

        tstep = torch_mlp_step(lr)
        tp = [torch.tensor(p, requires_grad=True) for p in init]
        tx, ty = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
        fn = lambda: tstep(tp, tx, ty)  # noqa: E731

    def check() -> None:
        costs[:] = [float(np.asarray(fn())) for _ in range(2)]
        close(costs, want, rtol=1e-4 if x.dtype == np.float32 else 1e-9)

    return fn, check


def w4(system: str, quick: bool) -> dict[str, Entry]:
    """One epoch of the logistic-regression tutorial on synthetic data (shared data set,
    minibatch index and givens for the Theano-like systems)."""
    n, batch, lr = (10_000 if quick else 50_000), 600, 0.13
    rng = np.random.default_rng(0)
    data_x = rng.random((n, 784), dtype=np.float32)
    data_y = rng.integers(0, 10, n).astype(np.int32)
    n_batches = n // batch
    init = mlp_init([784, 10], "float32", "tutorial")
    ref = [p.copy() for p in init]
    n_check = 3  # the check: the first steps (the run over random labels is chaotic)
    for i in range(n_check):
        sl = slice(i * batch, (i + 1) * batch)
        numpy_mlp_step(ref, data_x[sl], data_y[sl], lr)
    get: Callable[[], list]
    if system == "numpy":
        params = [p.copy() for p in init]

        def run(nb: int) -> object:
            for i in range(nb):
                sl = slice(i * batch, (i + 1) * batch)
                numpy_mlp_step(params, data_x[sl], data_y[sl], lr)
            return params

        get = lambda: params  # noqa: E731
    elif system in THEANO_LIKE:
        ns = theano_like(system)
        x, y, cost, updates, shared = mlp_graph(ns, init, lr, "int32")
        sx, sy = ns.shared(data_x, "data_x"), ns.shared(data_y, "data_y")
        index = ns.T.lscalar("index")
        part = slice(index * batch, (index + 1) * batch)
        train = ns.function([index], cost, updates=updates, givens={x: sx[part], y: sy[part]})

        def run(nb: int) -> object:
            for i in range(nb):
                train(i)
            return None

        get = lambda: [p.get_value() for p in shared]  # noqa: E731
    elif system == "jax":
        jax = jax_mod()
        jstep = jax_mlp_step(lr)
        lax = jax.lax

        @jax.jit
        def batch_step(params: list, X: Any, Y: Any, i: Any) -> Any:
            xb = lax.dynamic_slice_in_dim(X, i * batch, batch)
            yb = lax.dynamic_slice_in_dim(Y, i * batch, batch)
            return jstep(params, xb, yb)[1]

        state = {"p": [jax.device_put(p) for p in init]}
        dx, dy = jax.device_put(data_x), jax.device_put(data_y)

        def run(nb: int) -> object:
            for i in range(nb):
                state["p"] = batch_step(state["p"], dx, dy, i)
            return jax.block_until_ready(state["p"])

        get = lambda: state["p"]  # noqa: E731
    else:
        import torch

        tstep = torch_mlp_step(lr)
        tp = [torch.tensor(p, requires_grad=True) for p in init]
        tx, ty = torch.from_numpy(data_x), torch.from_numpy(data_y.astype(np.int64))

        def run(nb: int) -> object:
            for i in range(nb):
                tstep(tp, tx[i * batch : (i + 1) * batch], ty[i * batch : (i + 1) * batch])
            return None

        get = lambda: [p.detach().numpy() for p in tp]  # noqa: E731

    def fn() -> object:
        return run(n_batches)

    def check() -> None:
        run(n_check)
        for got, want in zip(get(), ref, strict=True):
            close(got, want, rtol=1e-3, atol=1e-5)

    return {f"W4 logreg epoch {n}": Entry(fn, check)}


def w4b(system: str, quick: bool) -> dict[str, Entry]:
    rng = np.random.default_rng(0)
    x = rng.random((20, 784), dtype=np.float32)
    y = rng.integers(0, 10, 20).astype(np.int32)
    init = mlp_init([784, 500, 10], "float32", "tutorial")
    fn, check = mlp_step_entry(system, init, 0.01, x, y)
    return {"W4b MLP step b=20": Entry(fn, check)}


def w6(system: str, quick: bool, layers: int = 10, width: int = 100) -> dict[str, Entry]:
    sizes = [width] * layers + [10]
    init = mlp_init(sizes, "float64", "normal")
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((20, width)), np.arange(20, dtype=np.int64) % 10
    out = {}
    if system in THEANO_LIKE:
        ns = theano_like(system)
        warm = ns.T.dscalar("warm")
        ns.function([warm], warm * 2 + 1)  # imports and first-use costs

        def compile_fresh() -> object:
            xs, ys, cost, updates, _ = mlp_graph(ns, init, 0.01, "int64")
            return ns.function([xs, ys], cost, updates=updates)

        out["W6 compile 10-layer grad"] = Entry(compile_fresh, lambda: None)
    elif system == "jax":
        jax = jax_mod()
        jax.jit(lambda u: u + 1)(1.0)  # imports and first-use costs
        dev = [jax.device_put(p) for p in init]

        def compile_fresh() -> object:  # trace + compile + the first step
            return jax.block_until_ready(jax_mlp_step(0.01)(dev, x, y))

        out["W6 compile 10-layer grad"] = Entry(compile_fresh, lambda: None)
    fn, check = mlp_step_entry(system, init, 0.01, x, y)
    out["W6 step b=20"] = Entry(fn, check)
    return out


# ---------------------------------------------------------------------------- import


IMPORTS = {
    "tensorir": "import tensorir; import tensorir.tensor",
    "numpy": "import numpy",
    "pytensor": "import pytensor; import pytensor.tensor",
    "jax": "import jax; import jax.numpy",
    "torch": "import torch",
}


def w_import(system: str, quick: bool) -> dict[str, Entry]:
    code = (
        "import time; t = time.perf_counter(); "
        + IMPORTS[system]
        + "; print(time.perf_counter() - t)"
    )
    last = {}

    def fn() -> object:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        last["t"] = float(out.stdout.split()[-1])
        return last["t"]

    return {"import (fresh process)": Entry(fn, lambda: None)}


# ---------------------------------------------------------------------------- W8


def numpy_rnn(x: np.ndarray, w: np.ndarray, u: np.ndarray, h0: np.ndarray, grad: bool) -> Any:
    """``h[t] = tanh(x[t] W + h[t-1] U)``; with ``grad``, the cost ``sum(h**2)`` and its
    gradients with respect to W and U by backpropagation through time."""
    hs = np.empty((len(x), *h0.shape))
    h = h0
    for t in range(len(x)):
        h = np.tanh(x[t] @ w + h @ u)
        hs[t] = h
    if not grad:
        return hs
    gw, gu, gh = np.zeros_like(w), np.zeros_like(u), np.zeros_like(h0)
    for t in range(len(x) - 1, -1, -1):
        gh = gh + 2 * hs[t]
        gz = gh * (1 - hs[t] ** 2)
        prev = hs[t - 1] if t else h0
        gw += x[t].T @ gz
        gu += prev.T @ gz
        gh = gz @ u.T
    return (hs**2).sum(), gw, gu


def w8(system: str, quick: bool) -> dict[str, Entry]:
    steps, batch, units = (100 if quick else 1000), 16, 100
    rng = np.random.default_rng(8)
    x = rng.standard_normal((steps, batch, units)) * 0.5
    w = rng.standard_normal((units, units)) / np.sqrt(units)
    u = rng.standard_normal((units, units)) / np.sqrt(units)
    h0 = np.zeros((batch, units))
    want_fwd = numpy_rnn(x, w, u, h0, False)
    want_grad = numpy_rnn(x, w, u, h0, True)
    if system == "numpy":
        fwd = lambda: numpy_rnn(x, w, u, h0, False)  # noqa: E731
        both = lambda: numpy_rnn(x, w, u, h0, True)  # noqa: E731
    elif system in THEANO_LIKE:
        ns = theano_like(system)
        T = ns.T
        X, W, U, H0 = T.dtensor3("X"), T.dmatrix("W"), T.dmatrix("U"), T.dmatrix("h0")
        hs, _ = ns.scan(
            lambda x_t, h, W, U: T.tanh(T.dot(x_t, W) + T.dot(h, U)),
            sequences=X,
            outputs_info=H0,
            non_sequences=[W, U],
        )
        cost = (hs**2).sum()
        f_fwd = ns.function([X, W, U, H0], hs)
        f_both = ns.function([X, W, U, H0], [cost, *ns.grad(cost, [W, U])])
        fwd = lambda: f_fwd(x, w, u, h0)  # noqa: E731
        both = lambda: f_both(x, w, u, h0)  # noqa: E731
    elif system == "jax":
        jax = jax_mod()
        jnp = jax.numpy

        def run(x: Any, w: Any, u: Any, h0: Any) -> Any:
            def step(h: Any, x_t: Any) -> Any:
                h = jnp.tanh(x_t @ w + h @ u)
                return h, h

            return jax.lax.scan(step, h0, x)[1]

        def loss(w: Any, u: Any, x: Any, h0: Any) -> Any:
            return (run(x, w, u, h0) ** 2).sum()

        jf = jax.jit(run)
        jg = jax.jit(jax.value_and_grad(loss, argnums=(0, 1)))

        def fwd() -> object:
            return jf(x, w, u, h0).block_until_ready()

        def both() -> object:
            c, (gw, gu) = jg(w, u, x, h0)
            return c.block_until_ready(), gw, gu
    else:
        unsupported(system)

    def check_both() -> None:
        for got, want in zip(both(), want_grad, strict=True):
            close(got, want, rtol=1e-7, atol=1e-7)

    return {
        f"W8 scan RNN {steps} steps": Entry(fwd, result_check(fwd, want_fwd, rtol=1e-8)),
        f"W8 scan RNN + grad {steps}": Entry(both, check_both),
    }


BUILDERS: dict[str, Callable[[str, bool], dict[str, Entry]]] = {
    "import": w_import,
    "W1": w1,
    "W3": w3,
    "W5a": w5a,
    "W5b": w5b,
    "W7": w7,
    "W2": w2,
    "W4": w4,
    "W4b": w4b,
    "W6": w6,
    "W8": w8,
}


# ---------------------------------------------------------------------------- timing


def best_time(fn: Callable[[], object], repeat: int, target: float = 0.05) -> float:
    """Seconds per call: best of ``repeat`` runs of enough calls to last ``target`` s."""
    t0 = time.perf_counter()
    fn()
    one = time.perf_counter() - t0
    number = max(1, int(target / max(one, 1e-7)))
    if one > 1.0:
        repeat = min(repeat, 3)
    best = one
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def run_system(system: str, groups: list[str], quick: bool, repeat: int) -> dict[str, dict]:
    results: dict[str, dict] = {}
    for group in groups:
        try:
            entries = BUILDERS[group](system, quick)
        except Exception as e:  # one system failing a workload must not stop the others
            traceback.print_exc()
            results[group] = {"error": f"{type(e).__name__}: {e}"[:200]}
            continue
        for key, entry in entries.items():
            try:
                entry.check()
            except Exception as e:
                traceback.print_exc()
                results[key] = {"error": f"wrong/failed: {type(e).__name__}: {e}"[:200]}
                continue
            if key.startswith("import"):
                entry.fn = _import_time(entry.fn)
            t = best_time(entry.fn, repeat) if not key.startswith("import") else entry.fn()
            results[key] = {"t": t, "group": group, "nbytes": entry.nbytes}
            print(f"{system:9s} {key:28s} {t:.3e} s", file=sys.stderr, flush=True)
    return results


def _import_time(fn: Callable[[], object]) -> Callable[[], float]:
    return lambda: min(float(fn()) for _ in range(5))  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--system", required=True, choices=SYSTEMS)
    parser.add_argument("--only", default=",".join(GROUPS))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    groups = [g for g in args.only.split(",") if g]
    results = run_system(args.system, groups, args.quick, args.repeat)
    print(MARK, json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
