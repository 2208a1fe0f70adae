"""The small-product kernel behind ``tensorir_cblas_dgemm``/``sgemm`` (runtime/small_gemm.py):
values against numpy at every block edge, and the cases it hands to OpenBLAS."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

import tensorir
from tensorir import tensor as T
from tensorir.runtime import small_gemm

rng = np.random.default_rng(0)


def _dot(dtype: str):
    a, b = T.matrix("a", dtype=dtype), T.matrix("b", dtype=dtype)
    return tensorir.function([a, b], T.dot(a, b))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_block_edge_matches_numpy(dtype: str) -> None:
    f = _dot(dtype)
    width = 16 if dtype == "float64" else 32  # columns per block: two vectors
    tol = 1e-5 if dtype == "float32" else 1e-13
    for m in (1, 3, 4, 5, 8, 9):
        for n in (1, width // 2 - 1, width - 1, width, width + 1, 2 * width + 3):
            for k in (0, 1, 7, 64):
                a = rng.standard_normal((m, k)).astype(dtype)
                b = rng.standard_normal((k, n)).astype(dtype)
                got = f(a, b)
                assert got.shape == (m, n)
                np.testing.assert_allclose(got, a @ b, rtol=tol, atol=tol * max(k, 1))


def test_transposed_and_large_products_go_to_openblas_unchanged() -> None:
    a, b = T.dmatrix("a"), T.dmatrix("b")
    f = tensorir.function([a, b], [T.dot(a.T, b), T.dot(a, b.T)])
    x, y = rng.standard_normal((7, 5)), rng.standard_normal((7, 5))
    at_b, a_bt = f(x, y)
    np.testing.assert_allclose(at_b, x.T @ y, rtol=1e-13)
    np.testing.assert_allclose(a_bt, x @ y.T, rtol=1e-13)
    big = _dot("float64")
    x, y = rng.standard_normal((128, 96)), rng.standard_normal((96, 128))  # > SMALL
    assert 128 * 96 * 128 > small_gemm.SMALL
    np.testing.assert_allclose(big(x, y), x @ y, rtol=1e-12)


def _cblas(prefix: str):
    real = ctypes.c_double if prefix == "d" else ctypes.c_float
    args = [ctypes.c_int32] * 3 + [ctypes.c_int64] * 3 + [real, ctypes.c_void_p, ctypes.c_int64]
    args += [ctypes.c_void_p, ctypes.c_int64, real, ctypes.c_void_p, ctypes.c_int64]
    return ctypes.CFUNCTYPE(None, *args)(small_gemm.address(prefix))


def test_the_entry_point_has_cblas_semantics() -> None:
    """Called directly: leading dimensions larger than the rows (parts of bigger matrices),
    and alpha and beta other than 1 and 0 (handed to OpenBLAS)."""
    gemm = _cblas("d")
    big_a, big_b = rng.standard_normal((6, 11)), rng.standard_normal((9, 13))
    a, b = big_a[:, :9], big_b[:, :10]  # lda = 11, ldb = 13
    c = np.full((6, 12), 7.0)  # ldc = 12: columns 10 and 11 untouched
    gemm(101, 111, 111, 6, 10, 9, 1.0, big_a.ctypes.data, 11, big_b.ctypes.data, 13, 0.0,
         c.ctypes.data, 12)  # fmt: skip
    np.testing.assert_allclose(c[:, :10], a @ b, rtol=1e-13)
    assert (c[:, 10:] == 7.0).all()
    c2 = np.ones((6, 12))
    gemm(101, 111, 111, 6, 10, 9, 2.0, big_a.ctypes.data, 11, big_b.ctypes.data, 13, 0.5,
         c2.ctypes.data, 12)  # fmt: skip
    np.testing.assert_allclose(c2[:, :10], 2.0 * (a @ b) + 0.5, rtol=1e-13)
