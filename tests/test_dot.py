"""``tensor.dot`` against ``numpy.dot``: every vector/matrix combination, BLAS (float) and
loop (int) paths, broadcastable operands, empty contractions, shape errors, scalars."""

from __future__ import annotations

import numpy as np
import pytest

import tensorir
from tensorir import tensor

# (m, k, n): the contraction is k
SIZES = [(3, 4, 5), (1, 1, 1), (2, 7, 1), (1, 6, 3), (17, 33, 9)]
EMPTY = [(2, 0, 3), (0, 3, 2), (3, 2, 0), (0, 0, 0)]


def _operand(kind: str, m: int, k: int, n: int, side: str) -> tuple[int, ...]:
    if kind == "v":
        return (k,)
    return (m, k) if side == "a" else (k, n)


def _data(shape: tuple[int, ...], dtype: str, rng: np.random.Generator) -> np.ndarray:
    return rng.integers(-5, 6, shape).astype(dtype)


def _check(got: np.ndarray, expected: np.ndarray) -> None:
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    np.testing.assert_allclose(got, expected, rtol=1e-5 if got.dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
def test_every_combination(dtype: str) -> None:
    va, ma = tensor.vector("va", dtype=dtype), tensor.matrix("ma", dtype=dtype)
    vb, mb = tensor.vector("vb", dtype=dtype), tensor.matrix("mb", dtype=dtype)
    combos = {"vv": (va, vb), "mv": (ma, vb), "vm": (va, mb), "mm": (ma, mb)}
    rng = np.random.default_rng(0)
    for name, (a, b) in combos.items():
        out = tensor.dot(a, b)
        assert out.dtype == dtype and out.ndim == a.ndim + b.ndim - 2
        f = tensorir.function([a, b], out)
        for m, k, n in SIZES + EMPTY:
            x = _data(_operand(name[0], m, k, n, "a"), dtype, rng)
            y = _data(_operand(name[1], m, k, n, "b"), dtype, rng)
            _check(f(x, y), np.dot(x, y))
    # the method spelling
    g = tensorir.function([ma, mb], ma.dot(mb))
    x, y = _data((2, 3), dtype, rng), _data((3, 4), dtype, rng)
    _check(g(x, y), x.dot(y))


@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_empty_contraction_gives_zeros(dtype: str) -> None:
    a, b = tensor.matrix("a", dtype=dtype), tensor.matrix("b", dtype=dtype)
    u, v = tensor.vector("u", dtype=dtype), tensor.vector("v", dtype=dtype)
    f = tensorir.function([a, b, u, v], [tensor.dot(a, b), tensor.dot(u, v), tensor.dot(a, v)])
    mm, vv, mv = f(
        np.ones((3, 0), dtype), np.ones((0, 4), dtype), np.ones(0, dtype), np.ones(0, dtype)
    )
    _check(mm, np.zeros((3, 4), dtype))
    _check(vv, np.zeros((), dtype))
    _check(mv, np.zeros(3, dtype))


def test_non_contiguous_operands() -> None:
    a, b = tensor.dmatrices("a", "b")
    f = tensorir.function([a, b], tensor.dot(a, b))
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(5, 4)), rng.normal(size=(10, 8))
    _check(f(x.T, y[::2, ::2]), np.dot(x.T, y[::2, ::2]))
    _check(f(np.asfortranarray(x), np.asfortranarray(y[:4])), np.dot(x, y[:4]))


def test_row_and_col_operands() -> None:
    r, c = tensor.drow("r"), tensor.dcol("c")
    m = tensor.dmatrix("m")
    outs = [tensor.dot(r, c), tensor.dot(c, r), tensor.dot(r, m), tensor.dot(m, c)]
    assert [o.broadcastable for o in outs] == [
        (True, True),
        (False, False),
        (True, False),
        (False, True),
    ]
    f = tensorir.function([r, c, m], outs)
    rng = np.random.default_rng(2)
    x, y, z = rng.normal(size=(1, 4)), rng.normal(size=(4, 1)), rng.normal(size=(4, 4))
    for got, e in zip(f(x, y, z), [x @ y, y @ x, x @ z, z @ y], strict=True):
        _check(got, e)


def test_mixed_dtypes_upcast() -> None:
    i, d = tensor.imatrix("i"), tensor.dmatrix("d")
    f32, i32 = tensor.fvector("f32"), tensor.ivector("i32")
    b8 = tensor.bvector("b8")
    outs = [tensor.dot(i, d), tensor.dot(f32, i32), tensor.dot(b8, b8)]
    f = tensorir.function([i, d, f32, i32, b8], outs)
    x, y = np.arange(6, dtype="int32").reshape(2, 3), np.ones((3, 2))
    u, v, w = np.ones(3, "float32"), np.arange(3, dtype="int32"), np.array([100, 100], "int8")
    got = f(x, y, u, v, w)
    _check(got[0], np.dot(x, y))
    _check(got[1], np.dot(u, v))
    # int8 dot accumulates in int8, as numpy (Theano keeps the input dtype)
    _check(got[2], np.dot(w, w))


def test_rank0_operand_scales() -> None:
    s = tensor.dscalar("s")
    m = tensor.dmatrix("m")
    v = tensor.dvector("v")
    f = tensorir.function([s, m, v], [tensor.dot(s, m), tensor.dot(v, s), tensor.dot(s, s)])
    x, y = np.arange(6.0).reshape(2, 3), np.array([1.0, -2.0])
    got = f(2.5, x, y)
    for g, e in zip(got, [np.dot(2.5, x), np.dot(y, 2.5), np.dot(2.5, 2.5)], strict=True):
        _check(g, np.asarray(e))
    g = tensorir.function([m], tensor.dot(m, 3))
    _check(g(x), np.dot(x, 3.0))


@pytest.mark.parametrize("dtype", ["float64", "int32"])
def test_mismatched_shapes_raise_with_shapes_and_line(dtype: str) -> None:
    va, ma = tensor.vector("va", dtype=dtype), tensor.matrix("ma", dtype=dtype)
    vb, mb = tensor.vector("vb", dtype=dtype), tensor.matrix("mb", dtype=dtype)
    f_vv = tensorir.function([va, vb], tensor.dot(va, vb))  # the vv line
    f_mv = tensorir.function([ma, vb], tensor.dot(ma, vb))
    f_vm = tensorir.function([va, mb], va.dot(mb))
    f_mm = tensorir.function([ma, mb], tensor.dot(ma, mb))
    cases = [
        (f_vv, (3,), (4,), "(3,) and (4,)", "the vv line"),
        (f_mv, (2, 3), (4,), "(2, 3) and (4,)", "tensor.dot(ma, vb)"),
        (f_vm, (3,), (4, 2), "(3,) and (4, 2)", "va.dot(mb)"),
        (f_mm, (2, 3), (4, 5), "(2, 3) and (4, 5)", "tensor.dot(ma, mb)"),
    ]
    for f, sa, sb, shapes, text in cases:
        with pytest.raises(ValueError) as info:
            f(np.ones(sa, dtype), np.ones(sb, dtype))
        msg = str(info.value)
        assert msg.startswith("dot:"), msg
        assert shapes in msg and "test_dot.py" in msg and text in msg, msg
    # nothing leaked or broke: the function still computes
    _check(f_mm(np.ones((2, 3), dtype), np.ones((3, 5), dtype)), np.full((2, 5), 3, dtype))


def test_rank3_operand_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="dot"):
        tensor.dot(tensor.dtensor3("t"), tensor.dmatrix("m"))


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32"])
def test_transposed_operands_read_in_place(dtype: str) -> None:
    """dot(x.T, d), dot(x, d.T), dot(x.T, v), dot(w, x.T): BLAS reads the transposed matrix
    with its trans flag (floats); integer dots are loops through the transposed map."""
    rng = np.random.default_rng(0)
    x, d = tensor.matrix("x", dtype=dtype), tensor.matrix("d", dtype=dtype)
    v, w = tensor.vector("v", dtype=dtype), tensor.vector("w", dtype=dtype)
    f = tensorir.function(
        [x, d, v, w],
        [
            tensor.dot(x.T, d),
            tensor.dot(x, d.T),
            tensor.dot(x.T, v),
            tensor.dot(w, x.T),
            tensor.dot(x.T, x),
        ],
    )
    if dtype != "int32":  # no transposed copy is made: BLAS gets the matrices as they are
        assert "affine_map<(d0, d1) -> (d1, d0)>" not in f.ir("buffers")
        assert f.ir("buffers").count("func.call @tensorir_cblas") == 5
    for m in (0, 1, 5):
        xv = (rng.random((m, 3)) * 10).astype(dtype)
        dv = (rng.random((m, 3)) * 10).astype(dtype)
        vv, wv = (rng.random(m) * 10).astype(dtype), (rng.random(3) * 10).astype(dtype)
        expected = [xv.T @ dv, xv @ dv.T, xv.T @ vv, wv @ xv.T, xv.T @ xv]
        for got, want in zip(f(xv, dv, vv, wv), expected, strict=True):
            assert got.shape == want.shape and got.dtype == want.dtype
            np.testing.assert_allclose(got, want, rtol=1e-5)
