"""Configuration as Theano users know it: floatX, mode and device, from TENSORIR_FLAGS or in
code."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest

import tensorir
from tensorir import tensor as T


@pytest.fixture
def restore_config():
    saved = (tensorir.config.floatX, tensorir.config.mode, tensorir.config.device)
    yield tensorir.config
    tensorir.config.floatX, tensorir.config.mode, tensorir.config.device = saved


def flags_run(flags: str, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "TENSORIR_FLAGS": flags},
    )


def test_flags_from_the_environment() -> None:
    done = flags_run(
        "floatX=float32,mode=FAST_COMPILE",
        "import tensorir; from tensorir import tensor as T; "
        "print(tensorir.config.floatX, tensorir.config.mode, T.matrix().dtype)",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["float32", "FAST_COMPILE", "float32"]


def test_bad_flags_are_errors() -> None:
    done = flags_run("floatX=float16", "import tensorir")
    assert done.returncode != 0 and "floatX must be one of" in done.stderr
    done = flags_run("optimizer", "import tensorir")
    assert done.returncode != 0 and "expected key=value" in done.stderr
    with pytest.raises(AttributeError, match="no option"):
        tensorir.config.optimizer = "fast_run"  # type: ignore[attr-defined]


def test_float32_autocast_keeps_sgd_in_float32(restore_config) -> None:
    """Under floatX=float32, Python floats become float32, so ``p - 0.13 * g`` stays float32
    and the update type-checks against a float32 shared variable."""
    restore_config.floatX = "float32"
    x = T.matrix("x")
    y = T.ivector("y")
    W = tensorir.shared(np.zeros((4, 3), dtype="float32"), name="W")
    p = T.nnet.softmax(T.dot(x, W))
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    g = T.grad(cost, W)
    assert x.dtype == "float32" and (W - 0.13 * g).dtype == "float32"
    train = tensorir.function([x, y], cost, updates=[(W, W - 0.13 * g)])
    out = train(np.ones((2, 4), dtype="float32"), np.array([0, 2], dtype="int32"))
    assert out.dtype == np.float32
    assert W.get_value().dtype == np.float32 and np.any(W.get_value() != 0)


def test_float64_keeps_float64_and_update_mismatch_says_cast(restore_config) -> None:
    restore_config.floatX = "float64"
    W = tensorir.shared(np.zeros(3, dtype="float32"), name="W")
    v = T.dvector("v")
    with pytest.raises(TypeError, match="cast"):
        tensorir.function([v], [], updates=[(W, W - 0.1 * v)])


def test_fast_compile_runs_less_optimisation_same_results(restore_config) -> None:
    x = T.dmatrix("x")
    y = (T.exp(x) * 2 + 1).sum(axis=1) + (x**2).sum(axis=1)
    fast_run = tensorir.function([x], y)
    fast_compile = tensorir.function([x], y, mode="FAST_COMPILE")
    a = np.random.default_rng(0).standard_normal((3, 5))
    np.testing.assert_array_equal(fast_run(a), fast_compile(a))
    assert fast_compile.mode == "FAST_COMPILE" and fast_run.mode == "FAST_RUN"
    assert fast_compile.library.opt_level == 1 and fast_run.library.opt_level == 3
    g = T.grad(y.sum(), x)  # the gradient repeats subexpressions: only FAST_RUN merges them
    assert tensorir.function([x], g, mode="FAST_COMPILE").ir("adjoint").count(
        "tir.constant"
    ) > tensorir.function([x], g).ir("adjoint").count("tir.constant")
    restore_config.mode = "FAST_COMPILE"
    assert tensorir.function([x], y).mode == "FAST_COMPILE"
    with pytest.raises(ValueError, match="mode"):
        tensorir.function([x], y, mode="NO_SUCH_MODE")


def test_device_cuda_is_one_clear_error(restore_config) -> None:
    restore_config.device = "cuda"
    x = T.dvector("x")
    with pytest.raises(RuntimeError, match="device=cuda"):
        tensorir.function([x], x * 2)
    restore_config.device = "cpu"
    assert tensorir.function([x], x * 2)([1.0])[0] == 2.0


@pytest.mark.parametrize(
    "env", [{"TENSORIR_FLAGS": "debug=2"}, {"TENSORIR_DEBUG": "2"}], ids=["flags", "legacy"]
)
def test_debug_levels_print_each_step(env: dict[str, str]) -> None:
    code = (
        "import tensorir; from tensorir import tensor as T; x = T.dvector('x'); "
        "print(tensorir.config.debug); tensorir.function([x], x + 1)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env}
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2"
    assert "IR after tir-fuse" in done.stderr and "tensorir: compiled fn_" in done.stderr
    assert re.search(r"tensorir:   tir-fuse +\d+\.\d+ ms", done.stderr)  # time per pass
    assert "LLVM IR //" not in done.stderr  # level 3 only


def test_debug_level_values() -> None:
    with pytest.raises(ValueError, match="config.debug must be an integer >= 0"):
        tensorir.config.debug = -1
