"""device=cuda on a real GPU (the CUDA driver through cuda-python): skipped, with the reason,
where there is none. The same programs as ``test_gpu.py``'s emulator tests, loaded as PTX
and launched on the device, against the CPU; the seed's training example printing the CPU's
digits; the logistic regression tutorial learning in float32 with its dataset on the
device."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tensorir
from tensorir import config
from tensorir import tensor as T
from tensorir.runtime.device import DeviceArray, DeviceUnavailable, backend

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _why_no_gpu() -> str | None:
    try:
        backend("driver")
    except DeviceUnavailable as e:
        return str(e).splitlines()[0]
    return None


pytestmark = pytest.mark.skipif(_why_no_gpu() is not None, reason=f"no GPU: {_why_no_gpu()}")


@pytest.fixture(autouse=True)
def driver() -> Any:
    saved = config.cuda_backend
    config.cuda_backend = "driver"
    yield
    config.cuda_backend = saved


def _programs() -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_gpu import PROGRAMS

    return PROGRAMS


@pytest.mark.parametrize("name", sorted(_programs()))
def test_program_on_the_gpu_matches_the_cpu(name: str) -> None:
    inputs, outputs, args = _programs()[name]
    cpu = tensorir.function(inputs, outputs)
    gpu = tensorir.function(inputs, outputs, device="cuda")
    for e, g in zip(cpu(*args), gpu(*args), strict=True):
        assert g.dtype == e.dtype and g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=1e-6 if g.dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_elementwise_and_math_on_large_arrays(dtype: str) -> None:
    x, y = T.vector("x", dtype=dtype), T.vector("y", dtype=dtype)
    f = tensorir.function([x, y], [2 * x + 3 * y + 0.5, T.exp(-x * x) * T.sin(x) + T.tanh(y)],
                          device="cuda")  # fmt: skip
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(3_000_001).astype(dtype) for _ in range(2))
    fused, math = f(a, b)
    np.testing.assert_allclose(
        fused, 2 * a + 3 * b + 0.5, rtol=1e-6 if dtype == "float32" else 1e-15
    )
    np.testing.assert_allclose(math, np.exp(-a * a) * np.sin(a) + np.tanh(b),
                               rtol=1e-5 if dtype == "float32" else 1e-13, atol=1e-6)  # fmt: skip


@pytest.mark.parametrize("shape", [(0, 5), (1, 1), (3, 1000), (5000, 3), (1024, 1024)])
def test_reductions_with_warp_shuffles_and_shared_memory(shape: tuple[int, int]) -> None:
    x = T.dmatrix("x")
    outs = [x.sum(1), x.sum(0), x.sum(), T.dot(x, x.T.sum(1))]
    if 0 not in shape:
        outs += [x.max(1), x.min(), T.argmax(x, axis=1), T.nnet.softmax(x)]
    f = tensorir.function([x], outs, device="cuda")
    a = np.random.default_rng(1).integers(-8, 9, shape).astype("float64")
    want = [a.sum(1), a.sum(0), a.sum(), a @ a.T.sum(1)]
    if 0 not in shape:
        e = np.exp(a - a.max(1, keepdims=True))
        want += [a.max(1), a.min(), a.argmax(1), e / e.sum(1, keepdims=True)]
    for g, w in zip(f(a), want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dot(dtype: str) -> None:
    x, y, v = T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype), T.vector("v", dtype=dtype)
    f = tensorir.function([x, y, v], [T.dot(x, y), T.dot(x.T, v), T.dot(v, v)], device="cuda")
    rng = np.random.default_rng(2)
    a, b, c = (rng.standard_normal(s).astype(dtype) for s in ((300, 200), (200, 500), (300,)))
    rtol = 1e-4 if dtype == "float32" else 1e-12
    for g, w in zip(f(a, b, c), [a @ b, a.T @ c, c @ c], strict=True):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol)


def test_shared_variables_live_on_the_device() -> None:
    data = tensorir.shared(np.arange(40.0).reshape(10, 4), "data")
    w = tensorir.shared(np.zeros(4), "w")
    i = T.lscalar("i")
    step = tensorir.function([i], w.sum(), updates=[(w, w + data[i])], device="cuda")
    for k in range(10):
        step(k)
    assert isinstance(w.container.value, DeviceArray)
    np.testing.assert_array_equal(w.get_value(), np.arange(40.0).reshape(10, 4).sum(0))


def test_seed_training_example_prints_the_cpus_digits() -> None:
    run = [sys.executable, str(EXAMPLES / "trivial_training.py")]
    env = {**os.environ, "TENSORIR_FLAGS": "device=cuda"}
    gpu = subprocess.run(run, capture_output=True, text=True, env=env, check=True).stdout
    cpu = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert gpu == cpu


def test_logistic_regression_tutorial_learns_on_the_gpu(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    data = tmp_path / "mnist_like.pkl.gz"
    subprocess.run([sys.executable, "-m", "tensorir.datasets.mnist_like", str(data),
                    "--sizes", "5000,1000,1000"], check=True)  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "logistic_sgd.py"), "--dataset", str(data),
         "--model", str(tmp_path / "best.pkl")],
        capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "TENSORIR_FLAGS": "device=cuda,floatX=float32"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    error = float(re.search(r"test error ([\d.]+) %", done.stdout).group(1))  # type: ignore[union-attr]
    assert error <= 15.0, done.stdout
