"""Compile time grows linearly with the graph: a chain of n additions (one fused kernel in
the end) goes through our passes and the LLVM emitter in time proportional to n, and so do
the passes on a sum of n terms (one fused kernel of n inputs). Fusion used to clone each
kernel's growing body into the next (n**2 / 2 clones) and emission counted the block at every
node. LLVM's own optimisation of one block of n dependent instructions is not ours and grows
faster than n (about n**1.7 from 1000 to 4000), so the timings stop at the emitted LLVM IR."""

from __future__ import annotations

import time

import numpy as np

import tensorir
from tensorir import tensor
from tensorir.compiler import FunctionGraph, to_tir
from tensorir.lowering import pipelines
from tensorir.lowering.llvm_emitter import emit_llvm_ir


def _chain(n: int) -> tuple[tensor.TensorVariable, tensor.TensorVariable]:
    x = tensor.dvector("x")
    y = x
    for _ in range(n):
        y = y + 1.0
    return x, y


def _compile_chain(n: int) -> float:
    """Seconds from the graph of n chained additions to its LLVM IR."""
    x, y = _chain(n)
    t0 = time.perf_counter()
    module = to_tir(FunctionGraph((x,), (y,), 1), "chain")
    pipelines.lower(module, "loops")
    emit_llvm_ir(module)
    return time.perf_counter() - t0


def test_chained_additions_compile_in_linear_time() -> None:
    x, y = _chain(1000)
    f = tensorir.function([x], y)
    np.testing.assert_array_equal(f([0.0, 1.0]), [1000.0, 1001.0])
    assert f.ir("fused").count("linalg.generic") <= 2  # the broadcast constant and the chain
    small = min(_compile_chain(1000) for _ in range(2))
    large = _compile_chain(4000)
    # linear: 4x the ops take about 4x the time; quadratic would be 16x
    assert large / small < 8, (small, large)


def _wide_sum(x: tensor.TensorVariable, n: int) -> tensor.TensorVariable:
    y = tensor.exp(x * 1.0)
    for i in range(2, n + 1):
        y = y + tensor.exp(x * float(i))
    return y


def _lower_wide(n: int) -> float:
    """Seconds to emit and lower to loops the sum of n terms ``exp(x * i)``: one fused kernel
    with n + 1 inputs (the Python passes; LLVM's code generation of one function of n calls
    is not ours and grows faster than n)."""
    x = tensor.dvector("x")
    y = _wide_sum(x, n)
    t0 = time.perf_counter()
    module = to_tir(FunctionGraph((x,), (y,), 1), "wide")
    pipelines.lower(module, "loops")
    return time.perf_counter() - t0


def test_wide_fused_kernel_compiles_in_linear_time() -> None:
    # fusing each input into a consumer with k inputs used to rebuild its operands, maps and
    # block arguments (k**2 over the sum), and each fused kernel's tensor.dim moved the uses
    # gathered by the ones before it
    x = tensor.dvector("x")
    f = tensorir.function([x], _wide_sum(x, 50))
    assert f.ir("fused").count("linalg.generic") == 1
    np.testing.assert_allclose(f([0.0, 0.01]), [50.0, sum(np.exp(0.01 * np.arange(1, 51)))])
    small = min(_lower_wide(400) for _ in range(2))
    large = _lower_wide(1600)
    # per term: linear is 1, quadratic 4
    ratio = (large / 1600) / (small / 400)
    assert ratio < 2.0, (small, large)
