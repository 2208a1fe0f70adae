"""Indexing against numpy: basic indexing (``x[i]``, ``x[a:b:c]`` with Python ints or symbolic
integer scalars, negative indices and steps, ``None``, ``...``), integer-array indexing of the
leading dims, ``inc_subtensor``/``set_subtensor`` (scatter-add for integer arrays), ``x.shape``,
``x.size`` and ``arange``; run-time IndexError/ValueError naming the user's line; gradients."""

from __future__ import annotations

import functools
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tensorir
from tensorir import tensor
from tensorir.frontend.function import CompiledFunction
from tensorir.gradient import verify_grad

DTYPES = ["float64", "float32", "int32", "bool"]


def _data(shape: tuple[int, ...], dtype: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    return rng.integers(-9, 10, shape).astype(dtype)


def _same(got: object, expected: object) -> None:
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    np.testing.assert_array_equal(got, expected)


def _next_line() -> int:
    """The number of the caller's next line (where the tested expression is built)."""
    return sys._getframe(1).f_lineno + 1


# --------------------------------------------------------------------------- basic indexing

# keys valid for any matrix of at least 3 rows and 3 columns, as Python ints
CONSTANT_KEYS = [
    1,
    -1,
    (2, -3),
    slice(1, -1),
    slice(None, None, -1),
    slice(-2, None, -2),
    slice(-100, 100),
    slice(3, 1),
    slice(3, 1, -1),
    (slice(None), 0),
    (0, slice(None, None, 2)),
    (slice(None, None, -1), slice(1, None, -1)),
    (None, 1),
    (slice(None), None, -1),
    (Ellipsis, -1),
    (-1, Ellipsis),
    (None, Ellipsis, None),
    (Ellipsis,),
]

# slicing keys (no integer index): valid for any shape, empty ones included
SLICING_KEYS = [
    slice(None, None, -1),
    slice(1, None),
    slice(-2, None, -3),
    (slice(None), slice(None, -1)),
    (None, slice(None, None, 2), slice(5, 0, -2)),
    (Ellipsis, None),
]


@pytest.mark.parametrize("dtype", DTYPES)
def test_constant_keys(dtype: str) -> None:
    """Every constant key of one function against numpy, on a 4x5 and a 3x3 matrix."""
    x = tensor.matrix("x", dtype=dtype)
    f = tensorir.function([x], [x[key] for key in CONSTANT_KEYS])
    for shape in [(4, 5), (3, 3)]:
        a = _data(shape, dtype)
        for key, got in zip(CONSTANT_KEYS, f(a), strict=True):
            _same(got, a[key])


@pytest.mark.parametrize("shape", [(4, 5), (0, 3), (3, 0), (0, 0), (1, 1)])
def test_slicing_keys_on_any_shape(shape: tuple[int, int]) -> None:
    a = _data(shape, "int32")
    for key, got in zip(SLICING_KEYS, _slicing_function()(a), strict=True):
        _same(got, a[key])


@functools.cache
def _slicing_function() -> CompiledFunction:
    x = tensor.imatrix("x")
    return tensorir.function([x], [x[key] for key in SLICING_KEYS])


def test_symbolic_bounds_minibatch() -> None:
    """The tutorials' minibatch ``x[i * b:(i + 1) * b]``, and symbolic indices of several
    integer types, negative ones included."""
    x = tensor.dmatrix("x")
    i, b = tensor.lscalars("i", "b")
    k32 = tensor.iscalar("k32")
    k8 = tensor.bscalar("k8")
    f = tensorir.function(
        [x, i, b, k32, k8],
        [x[i * b : (i + 1) * b], x[k32], x[:, k8], x[k8:k32, -k8], x[::k8]],
    )
    a = np.arange(30.0).reshape(10, 3)
    for batch in range(4):  # the last batch is short
        got = f(a, batch, 3, -2, 1)
        _same(got[0], a[batch * 3 : (batch + 1) * 3])
        _same(got[1], a[-2])
        _same(got[2], a[:, 1])
        _same(got[3], a[1:-2, -1])
        _same(got[4], a[::1])
    got = f(a, 0, 3, 9, -1)
    _same(got[1], a[9])
    _same(got[2], a[:, -1])
    _same(got[4], a[::-1])


def test_broadcastable_dims() -> None:
    """Indexing a size-1 dim: an index drops it, a full slice (or 0:1, as Theano) keeps it
    broadcastable, other slices make it dynamic."""
    r = tensor.row("r", dtype="float32")
    c = tensor.col("c", dtype="int32")
    assert r[0].broadcastable == (False,)
    assert r[:, 1].broadcastable == (True,)
    assert r[:].broadcastable == (True, False)
    assert r[0:1].broadcastable == (True, False)
    assert r[1:2].broadcastable == (False, False)
    assert c[:, 0].broadcastable == (False,)
    assert r[None].broadcastable == (True, True, False)
    f = tensorir.function([r, c], [r[0], r[:, 1], r[0:1, ::-1], c[:, 0], c[-1], r[:, None, 2]])
    rr = np.arange(4, dtype="float32")[None]
    cc = np.arange(3, dtype="int32")[:, None]
    expected = [rr[0], rr[:, 1], rr[0:1, ::-1], cc[:, 0], cc[-1], rr[:, None, 2]]
    for g, e in zip(f(rr, cc), expected, strict=True):
        _same(g, e)


def test_three_dims() -> None:
    x = tensor.tensor3("x", dtype="int32")
    keys = [(1, slice(None, None, 2), -1), (Ellipsis, slice(1, None)), (slice(None), None, 2)]
    f = tensorir.function([x], [x[k] for k in keys])
    a = np.arange(24, dtype="int32").reshape(2, 3, 4)
    for k, got in zip(keys, f(a), strict=True):
        _same(got, a[k])


# --------------------------------------------------------------------------- properties


@functools.cache
def _slice_1d(mask: int) -> CompiledFunction:
    """``x[start:stop:step]`` with the parts in ``mask`` (bits: start, stop, step) symbolic
    and the others left out."""
    x = tensor.ivector("x")
    a, b, c = tensor.lscalars("a", "b", "c")
    key = slice(a if mask & 1 else None, b if mask & 2 else None, c if mask & 4 else None)
    return tensorir.function([x, a, b, c], x[key], on_unused_input="ignore")


BOUND = st.one_of(st.none(), st.integers(-12, 12))
STEP = st.one_of(st.none(), st.integers(-5, 5).filter(lambda s: s != 0))


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 9), start=BOUND, stop=BOUND, step=STEP)
def test_slice_1d_like_python(n: int, start: int | None, stop: int | None, step: int | None):
    a = np.arange(100, 100 + n, dtype="int32")
    mask = (start is not None) | (stop is not None) << 1 | (step is not None) << 2
    got = _slice_1d(mask)(a, start or 0, stop or 0, step or 1)
    _same(got, a[start:stop:step])
    assert got.tolist() == list(range(100, 100 + n))[start:stop:step]


@functools.cache
def _slice_2d() -> CompiledFunction:
    x = tensor.dmatrix("x")
    s = tensor.lscalars("a", "b", "c", "d", "e", "f")
    i = tensor.lscalar("i")
    return tensorir.function(
        [x, *s, i], [x[s[0] : s[1] : s[2], s[3] : s[4] : s[5]], x[i, s[0] : s[1] : s[2]]]
    )


@settings(max_examples=150, deadline=None)
@given(
    rows=st.integers(0, 6),
    cols=st.integers(0, 6),
    bounds=st.lists(st.integers(-8, 8), min_size=4, max_size=4),
    steps=st.lists(st.integers(-3, 3).filter(lambda s: s != 0), min_size=2, max_size=2),
    i=st.integers(-8, 8),
)
def test_slice_2d_like_numpy(
    rows: int, cols: int, bounds: list[int], steps: list[int], i: int
) -> None:
    a = np.arange(rows * cols, dtype="float64").reshape(rows, cols)
    (r0, r1, c0, c1), (rs, cs) = bounds, steps
    f = _slice_2d()
    if -rows <= i < rows:
        both, row = f(a, r0, r1, rs, c0, c1, cs, i)
        _same(both, a[r0:r1:rs, c0:c1:cs])
        _same(row, a[i, r0:r1:rs])
    else:
        with pytest.raises(IndexError, match=f"index {i} is out of bounds for axis 0"):
            f(a, r0, r1, rs, c0, c1, cs, i)


# --------------------------------------------------------------------------- basic errors


def test_index_out_of_range_names_index_axis_size_and_line() -> None:
    x = tensor.dmatrix("x")
    i = tensor.lscalar("i")
    line = _next_line()
    f = tensorir.function([x, i], [x[i], x[:, i]])
    a = np.zeros((4, 2))
    with pytest.raises(IndexError) as info:
        f(a, 4)
    message = str(info.value)
    assert "index 4 is out of bounds for axis 0 with size 4" in message
    assert f"test_indexing.py:{line}" in message and "x[i]" in message
    with pytest.raises(IndexError, match="index -3 is out of bounds for axis 1 with size 2"):
        f(a, -3)
    with pytest.raises(IndexError, match="index 0 is out of bounds for axis 0 with size 0"):
        f(np.zeros((0, 2)), 0)
    # a constant index is checked at run time too
    g = tensorir.function([x], x[2, -1])
    assert g(np.ones((3, 1))) == 1.0
    with pytest.raises(IndexError, match="index 2 is out of bounds for axis 0 with size 2"):
        g(np.ones((2, 5)))


def test_zero_step() -> None:
    x = tensor.dvector("x")
    s = tensor.lscalar("s")
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        x[::0]
    line = _next_line()
    f = tensorir.function([x, s], x[1::s])
    np.testing.assert_array_equal(f(np.arange(4.0), 2), [1.0, 3.0])
    with pytest.raises(ValueError, match="slice step cannot be zero") as info:
        f(np.arange(4.0), 0)
    assert f"test_indexing.py:{line}" in str(info.value)


def test_bad_keys_at_build_time() -> None:
    x = tensor.dmatrix("x")
    with pytest.raises(IndexError, match="too many indices"):
        x[1, 2, 3]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., ...]
    with pytest.raises(TypeError, match="integer scalar"):
        x[tensor.dscalar("f")]
    with pytest.raises(TypeError, match="integer"):
        x[1.5]
    with pytest.raises(TypeError, match="bool"):
        x[True]
    with pytest.raises(IndexError, match="integer type"):
        x[tensor.dvector("fv")]
    with pytest.raises(IndexError, match="integer type"):
        x[np.array([True, False])]
    with pytest.raises(IndexError, match="leading dims"):
        x[:, [0, 1]]
    with pytest.raises(IndexError, match="leading dims"):
        x[[0, 1], 1:]


# --------------------------------------------------------------------------- integer arrays


@pytest.mark.parametrize("dtype", DTYPES)
def test_integer_array_indexing(dtype: str) -> None:
    x = tensor.matrix("x", dtype=dtype)
    rows = tensor.lvector("rows")
    cols = tensor.ivector("cols")
    grid = tensor.lmatrix("grid")
    f = tensorir.function(
        [x, rows, cols, grid],
        [x[rows], x[rows, :], x[rows, cols], x[grid], x[grid, -1], x[[0, -1]], x[rows, 1]],
    )
    a = _data((4, 3), dtype)
    rr = np.array([0, 3, -1, 0, 0])  # negative and repeated
    cc = np.array([2, 0, -3, 1, 1], dtype="int32")
    gg = np.array([[1, 2], [-4, 1]])
    expected = [a[rr], a[rr, :], a[rr, cc], a[gg], a[gg, -1], a[[0, -1]], a[rr, 1]]
    for got, e in zip(f(a, rr, cc, gg), expected, strict=True):
        _same(got, e)
    # empty index arrays
    none = np.zeros(0, dtype="int64")
    got = f(a, none, none.astype("int32"), np.zeros((0, 2), "int64"))
    for g, e in zip(got, [a[none], a[none], a[none, none], a[none.reshape(0, 2)]], strict=False):
        _same(g, e)
    assert [g.shape for g in got] == [(0, 3), (0, 3), (0,), (0, 2, 3), (0, 2), (2, 3), (0,)]
    # an empty matrix: only the constant indices [0, -1] are out of range
    with pytest.raises(IndexError, match="index 0 is out of bounds for axis 0 with size 0"):
        f(np.zeros((0, 3), dtype), none, none.astype("int32"), np.zeros((0, 2), "int64"))


def test_integer_array_errors() -> None:
    x = tensor.dmatrix("x")
    rows, cols = tensor.lvectors("rows", "cols")
    line = _next_line()
    f = tensorir.function([x, rows, cols], x[rows, cols])
    a = np.zeros((3, 2))
    with pytest.raises(IndexError) as info:
        f(a, np.array([0, 3]), np.array([0, 1]))
    assert "index 3 is out of bounds for axis 0 with size 3" in str(info.value)
    assert f"test_indexing.py:{line}" in str(info.value)
    with pytest.raises(IndexError, match="index -3 is out of bounds for axis 1 with size 2"):
        f(a, np.array([0, 1]), np.array([0, -3]))
    with pytest.raises(ValueError, match="do not broadcast"):
        f(a, np.array([0, 1, 2]), np.array([0, 1]))


# --------------------------------------------------------------------------- inc/set_subtensor


@pytest.mark.parametrize("dtype", DTYPES)
def test_inc_and_set_subtensor(dtype: str) -> None:
    x = tensor.matrix("x", dtype=dtype)
    v = tensor.vector("v", dtype=dtype)
    s = tensor.scalar("s", dtype=dtype)
    i = tensor.lscalar("i")
    outs = [
        tensor.inc_subtensor(x[1:3], v),  # a vector broadcast over two rows
        tensor.set_subtensor(x[1:3], v),
        tensor.inc_subtensor(x[i, ::-2], s),
        tensor.set_subtensor(x[:, -1], x[:, 0]),
        tensor.set_subtensor(x[::-1, 1:][i], v[1:]),  # of the part, as Theano
        tensor.inc_subtensor(x[-1:], x[:1]),
    ]
    f = tensorir.function([x, v, s, i], outs)
    a, vv, ss = _data((4, 3), dtype, 1), _data((3,), dtype, 2), _data((), dtype, 3)
    expected = []
    for inc, key, value in [
        (True, slice(1, 3), vv),
        (False, slice(1, 3), vv),
        (True, (2, slice(None, None, -2)), ss),
        (False, (slice(None), -1), a[:, 0]),
        (None, None, None),
        (True, slice(-1, None), a[:1]),
    ]:
        if inc is None:
            part = a[::-1, 1:].copy()
            part[2] = vv[1:]
            expected.append(part)
            continue
        e = a.copy()
        if inc:
            e[key] = e[key] + value if dtype != "bool" else e[key] | value
        else:
            e[key] = value
        expected.append(e)
    for got, e in zip(f(a, vv, ss, 2), expected, strict=True):
        _same(got, e)


@pytest.mark.parametrize("dtype", ["float64", "int32", "bool"])
def test_inc_subtensor_integer_arrays_accumulate(dtype: str) -> None:
    """inc_subtensor(x[rows], v) adds each row of v where it points: repeated rows add up
    (numpy.add.at, not x[rows] += v)."""
    x = tensor.matrix("x", dtype=dtype)
    rows, cols = tensor.lvectors("rows", "cols")
    v = tensor.matrix("v", dtype=dtype)
    w = tensor.vector("w", dtype=dtype)
    f = tensorir.function(
        [x, rows, cols, v, w],
        [tensor.inc_subtensor(x[rows], v), tensor.inc_subtensor(x[rows, cols], w)],
    )
    a = _data((4, 3), dtype, 1)
    rr, cc = np.array([1, -1, 1, 1]), np.array([0, 2, 0, -1])
    vv, ww = _data((4, 3), dtype, 2), _data((4,), dtype, 3)
    e1, e2 = a.copy(), a.copy()
    if dtype == "bool":
        np.logical_or.at(e1, rr, vv)
        np.logical_or.at(e2, (rr, cc), ww)
    else:
        np.add.at(e1, rr, vv)
        np.add.at(e2, (rr, cc), ww)
    got = f(a, rr, cc, vv, ww)
    _same(got[0], e1)
    _same(got[1], e2)


def test_value_that_is_the_indexed_temporary() -> None:
    """``set_subtensor(y[::-1], y)`` with y a temporary: y may not be overwritten while it is
    read as the value (a view of it neither)."""
    x = tensor.dvector("x")
    m = tensor.dmatrix("m")
    y, ym = x * 2, m * 2
    f = tensorir.function(
        [x, m],
        [
            tensor.set_subtensor(y[::-1], y),
            tensor.inc_subtensor((x + 1)[::-1], x + 1),
            tensor.set_subtensor(ym[::-1], ym.reshape((-1,)).reshape((3, 2))),
            tensor.set_subtensor(ym[:, ::-1], ym),
        ],
    )
    a, am = np.arange(6.0), np.arange(6.0).reshape(3, 2)
    got = f(a, am)
    _same(got[0], (2 * a)[::-1])
    _same(got[1], (a + 1) + (a + 1)[::-1])
    _same(got[2], (2 * am)[::-1])
    _same(got[3], (2 * am)[:, ::-1])


def test_inc_subtensor_errors() -> None:
    x = tensor.dmatrix("x")
    v = tensor.dvector("v")
    rows = tensor.lvector("rows")
    with pytest.raises(TypeError, match=r"indexing of a tensor \(x\[...\]\)"):
        tensor.inc_subtensor(x, 1.0)
    with pytest.raises(ValueError, match="2 dims cannot go into a part of 1"):
        tensor.set_subtensor(x[0], x)
    line = _next_line()
    f = tensorir.function([x, v], [tensor.inc_subtensor(x[1:], v)])
    with pytest.raises(ValueError, match=r"does not fit a part of shape \(2, 3\)") as info:
        f(np.zeros((3, 3)), np.zeros(2))
    assert f"test_indexing.py:{line}" in str(info.value)
    g = tensorir.function([x, v, rows], tensor.inc_subtensor(x[rows], v))
    with pytest.raises(IndexError, match="index 5 is out of bounds for axis 0 with size 3"):
        g(np.zeros((3, 2)), np.zeros(2), np.array([5]))


def test_shared_update_with_inc_subtensor() -> None:
    """A sparse update of a shared matrix, as in embedding training."""
    W = tensorir.shared(np.zeros((4, 3)), "W")
    rows = tensor.lvector("rows")
    g = tensor.dmatrix("g")
    i = tensor.lscalar("i")
    step = tensorir.function([rows, g], [], updates=[(W, tensor.inc_subtensor(W[rows], -g))])
    reset = tensorir.function([i], W[i], updates=[(W, tensor.set_subtensor(W[i], 7.0))])
    step(np.array([1, 1, 3]), np.ones((3, 3)))
    expected = np.zeros((4, 3))
    expected[1], expected[3] = -2.0, -1.0
    np.testing.assert_array_equal(W.get_value(), expected)
    np.testing.assert_array_equal(reset(1), [-2.0, -2.0, -2.0])  # the value before the update
    expected[1] = 7.0
    np.testing.assert_array_equal(W.get_value(), expected)


# --------------------------------------------------------------------------- shapes, arange


def test_shape_and_size() -> None:
    x = tensor.tensor3("x", dtype="float32")
    assert x.shape[0].dtype == "int64" and x.shape[0].ndim == 0
    assert x.size.dtype == "int64"
    assert len(x.shape) == 3
    with pytest.raises(IndexError, match="there is no dim 3"):
        x.shape[3]
    first, *rest = x.shape
    f = tensorir.function(
        [x],
        [first, x.shape[-1], tensor.shape_i(x, 1), x.size],
    )
    for shape in [(2, 3, 4), (0, 5, 1)]:
        a = np.ones(shape, "float32")
        got = f(a)
        _same(got[0], np.int64(shape[0]))
        _same(got[1], np.int64(shape[2]))
        _same(got[2], np.int64(shape[1]))
        _same(got[3], np.int64(a.size))
    assert len(rest) == 2


@pytest.mark.parametrize("seed", [0, 1])
def test_float_arange_is_numpys_bit_for_bit(seed: int) -> None:
    """numpy fills start, start + step, then start + k * ((start + step) - start)."""
    a, b, c = tensor.dscalars("a", "b", "c")
    f = tensorir.function([a, b, c], tensor.arange(a, b, c))
    rng = np.random.default_rng(seed)
    for _ in range(200):
        s, e, st = rng.normal() * 10, rng.normal() * 10, rng.normal()
        _same(f(s, e, st), np.arange(s, e, st))


def test_arange() -> None:
    a, b, s = tensor.lscalars("a", "b", "s")
    lo, step = tensor.dscalars("lo", "step")
    assert tensor.arange(5).dtype == "int64"
    assert tensor.arange(a, b, s, dtype="int32").dtype == "int32"
    f = tensorir.function(
        [a, b, s, lo, step],
        [
            tensor.arange(b),
            tensor.arange(a, b, s),
            tensor.arange(a, b, s, dtype="float32"),
            tensor.arange(lo, 1.0, step),
        ],
    )
    for args in [(1, 10, 3), (10, 1, -3), (5, 5, 1), (0, -3, 1), (-7, 7, 5)]:
        start, stop, st_ = args
        got = f(start, stop, st_, 0.25, 0.3)
        _same(got[0], np.arange(stop, dtype="int64"))
        _same(got[1], np.arange(start, stop, st_, dtype="int64"))
        _same(got[2], np.arange(start, stop, st_, dtype="float32"))
        _same(got[3], np.arange(0.25, 1.0, 0.3))  # numpy's sequence, bit for bit
    line = _next_line()
    g = tensorir.function([a, b, s], tensor.arange(a, b, s))
    with pytest.raises(ValueError, match="step must not be zero") as info:
        g(0, 5, 0)
    assert f"test_indexing.py:{line}" in str(info.value)


# --------------------------------------------------------------------------- gradients

RNG = np.random.default_rng(42)
M = RNG.normal(size=(4, 5))


@pytest.mark.parametrize(
    "fun, point",
    [
        (lambda x: x[1:3, ::-2], [M]),
        (lambda x: x[-1], [M]),
        (lambda x: x[None, 1:, None], [M]),
        (lambda x: x[np.array([0, 2, 0, 0])], [M]),  # repeated rows: their adjoints add up
        (lambda x: x[np.array([0, 2, 0]), np.array([1, -1, 1])], [M]),
        (lambda x, y: tensor.inc_subtensor(x[1:3], y), [M, RNG.normal(size=(2, 5))]),
        (lambda x, y: tensor.inc_subtensor(x[1:3], y), [M, RNG.normal(size=(1, 5))]),
        (lambda x, y: tensor.inc_subtensor(x[::-1, 2], y), [M, np.array(0.3)]),
        (lambda x, y: tensor.set_subtensor(x[1:3], y), [M, RNG.normal(size=(2, 5))]),
        (lambda x, y: tensor.set_subtensor(x[:, -2], y), [M, RNG.normal(size=(4,))]),
        (
            lambda x, y: tensor.inc_subtensor(x[np.array([0, 2, 0])], y),
            [M, RNG.normal(size=(3, 5))],
        ),
        (lambda x, y: tensor.concatenate([x, y, x], axis=0), [M, RNG.normal(size=(1, 5))]),
        (lambda x, y: tensor.concatenate([x, y], axis=1), [M, RNG.normal(size=(4, 2))]),
        (lambda x, y: tensor.stack([x, y], axis=1), [M[0], M[1]]),
    ],
    ids=[
        "slices",
        "index",
        "newaxis",
        "rows_repeated",
        "rows_cols",
        "inc",
        "inc_row",
        "inc_scalar",
        "set",
        "set_column",
        "inc_rows_repeated",
        "concatenate_rows",
        "concatenate_columns",
        "stack",
    ],
)
def test_verify_grad(fun, point) -> None:
    verify_grad(fun, point, rng=np.random.default_rng(3))


def test_gradient_of_repeated_gather_counts() -> None:
    """The gradient of sum(x[rows]) counts how often each row is taken; that of a symbolic
    minibatch x[i * b:(i + 1) * b] is zero outside it."""
    x = tensor.dmatrix("x")
    rows = tensor.lvector("rows")
    i, b = tensor.lscalars("i", "b")
    gx = tensor.grad(tensor.sum(x[rows]) + tensor.sum(x[i * b : (i + 1) * b] ** 2), x)
    f = tensorir.function([x, rows, i, b], gx)
    a = np.arange(8.0).reshape(4, 2)
    expected = np.zeros((4, 2))
    np.add.at(expected, np.array([0, 0, 3, -1]), 1.0)
    expected[2:4] += 2 * a[2:4]
    np.testing.assert_array_equal(f(a, np.array([0, 0, 3, -1]), 1, 2), expected)


def test_set_subtensor_by_integer_arrays() -> None:
    """numpy's ``x[idx] = v``: of repeated indices the last write wins; the gradient zeroes
    the written rows of x's adjoint and gathers the value's."""
    x, v = tensor.dmatrix("x"), tensor.dmatrix("v")
    i = tensor.lvector("i")
    f = tensorir.function([x, i, v], [tensor.set_subtensor(x[i], v), tensor.set_subtensor(x[i], 7)])
    xv, iv, vv = np.ones((4, 2)), np.array([1, -1, 1]), np.arange(6.0).reshape(3, 2)
    a, b = f(xv, iv, vv)
    ra, rb = xv.copy(), xv.copy()
    ra[iv] = vv
    rb[iv] = 7
    _same(a, ra)
    _same(b, rb)
    with pytest.raises(IndexError, match="out of bounds"):
        f(xv, np.array([4]), vv[:1])
    verify_grad(
        lambda a, b: tensor.set_subtensor(a[[0, 2]], b) ** 2,
        [np.random.rand(4, 2), np.random.rand(2, 2)],
    )


def test_slices_keeping_a_broadcastable_dim() -> None:
    """As Theano: a slice from 0 (or none) to a constant >= 1 (or none) of a broadcastable
    dim keeps it broadcastable, so ``row[0:1] + matrix`` broadcasts; other slices do not."""
    r, m = tensor.drow("r"), tensor.dmatrix("m")
    assert r[0:1].broadcastable == (True, False)
    assert r[:1, 1:].broadcastable == (True, False)
    assert r[:, 0].broadcastable == (True,)
    assert r[0:0].broadcastable == (False, False)
    assert r[1:].broadcastable == (False, False)
    assert r[::1].broadcastable == (False, False)
    assert m[0:1].broadcastable == (False, False)
    f = tensorir.function([r, m], [r[0:1] + m, r[0:0]])
    a, b = f(np.array([[1.0, 2.0]]), np.ones((3, 2)))
    _same(a, np.array([[2.0, 3.0]] * 3))
    assert b.shape == (0, 2)
    verify_grad(lambda x: x[0:1] * 3, [np.random.rand(1, 3)])


def test_inc_and_set_subtensor_through_new_axes() -> None:
    """``inc_subtensor(x[None, 1], v)``: the new broadcastable dims of the part are dropped
    from the value (a size other than 1 there is a run-time error)."""
    x, v, w = tensor.dmatrix("x"), tensor.dmatrix("v"), tensor.dvector("w")
    f = tensorir.function(
        [x, v, w],
        [
            tensor.inc_subtensor(x[None, 1], v),
            tensor.set_subtensor(x[1, None], w),
            tensor.set_subtensor(x[:, None, 0], 5.0),
        ],
    )
    xv = np.zeros((3, 2))
    a, b, c = f(xv, np.array([[1.0, 2.0]]), np.array([7.0, 8.0]))
    _same(a, np.array([[0.0, 0.0], [1.0, 2.0], [0.0, 0.0]]))
    _same(b, np.array([[0.0, 0.0], [7.0, 8.0], [0.0, 0.0]]))
    _same(c, np.array([[5.0, 0.0]] * 3))
    with pytest.raises(ValueError, match="cannot reshape"):
        f(xv, np.ones((2, 2)), np.array([7.0, 8.0]))
    verify_grad(
        lambda a, b: tensor.inc_subtensor(a[None, 1], b) ** 2,
        [np.random.rand(3, 2), np.random.rand(1, 2)],
    )
