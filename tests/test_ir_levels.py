"""``f.ir(level)`` prints text that ``tensorir-opt`` reads back, at every level."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import tensorir
from tensorir import tensor

LEVELS = ["tir", "linalg", "fused", "buffers", "loops"]


def _opt_command() -> list[str]:
    # the tool of this checkout, not a tensorir-opt installed from another one
    return [sys.executable, "-m", "tensorir.opt"]


def _opt(text: str, *args: str) -> str:
    done = subprocess.run(
        [*_opt_command(), "-", *args], input=text, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def fn():
    m = tensor.dmatrix("m")
    v = tensor.dvector("v")
    s = tensor.dscalar("s")
    i = tensor.imatrix("i")
    outs = [
        tensor.dot(m, v) * s + 1,
        m.sum(axis=0),
        m.max(),
        m.reshape((-1,)),
        m.T,
        tensor.dot(i, i),
    ]
    return tensorir.function([m, v, s, i], outs)


def test_function_computes(fn) -> None:
    a, b = np.arange(6.0).reshape(2, 3), np.array([1.0, 0.0, -1.0])
    k = np.arange(4, dtype="int32").reshape(2, 2)
    got = fn(a, b, 2.0, k)
    expected = [a @ b * 2 + 1, a.sum(0), a.max(), a.reshape(-1), a.T, k @ k]
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_array_equal(g, e)


def test_every_level_parses_back(fn) -> None:
    texts = [fn.ir(level).strip() for level in LEVELS]
    assert all("func.func" in t for t in texts)
    # one tensorir-opt run reads the five modules and prints each of them again unchanged
    printed = _opt("\n// -----\n".join(texts), "--split-input-file")
    assert [p.strip() for p in printed.split("// -----")] == texts


def test_tir_text_lowers_with_the_named_pipeline(fn) -> None:
    loops = _opt(fn.ir("tir"), "-p", "tir-lower-to-loops")
    assert loops.strip() == fn.ir("loops").strip()


def test_level_contents(fn) -> None:
    tir = fn.ir("tir")
    assert "tir.dot" in tir and "tir.sum" in tir and "tir.reshape" in tir and "loc" in tir
    linalg = fn.ir("linalg")
    assert "linalg.generic" in linalg and "tir.check" in linalg and "tir.dot" not in linalg
    buffers = fn.ir("buffers")
    assert "memref.alloc" in buffers and "tensor.empty" not in buffers and "tensor<?" not in buffers
    assert "tensorir_cblas_dgemv" in buffers  # the float dot calls BLAS
    assert 'library_call = "gemm"' in buffers  # the int32 dot stays a kernel
    loops = fn.ir("loops")
    assert "scf.for" in loops and "linalg.generic" not in loops


def test_llvm_level(fn) -> None:
    llvm = fn.ir("llvm")
    assert "define" in llvm and fn.symbol in llvm
    # the llvm target of tensorir-opt prints the same module from the loops level
    from_opt = _opt(fn.ir("loops"), "-t", "llvm")
    assert "define" in from_opt and fn.symbol in from_opt


def test_unknown_level(fn) -> None:
    with pytest.raises(ValueError, match="level"):
        fn.ir("assembly")
