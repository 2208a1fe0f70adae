"""Shape operations (dimshuffle, transpose, reshape, flatten) against numpy, and functions
whose outputs alias their inputs or each other."""

from __future__ import annotations

import numpy as np
import pytest

import tensorir
from tensorir import tensor

A3 = np.arange(24.0).reshape(2, 3, 4)


def _same(got: np.ndarray, expected: np.ndarray) -> None:
    assert got.dtype == expected.dtype and got.shape == expected.shape, (got, expected)
    np.testing.assert_array_equal(got, expected)


def test_dimshuffle_transposes_and_inserts() -> None:
    x = tensor.dtensor3("x")
    outs = [
        x.dimshuffle(2, 0, 1),
        x.dimshuffle("x", 1, "x", 0, 2),
        tensor.dimshuffle(x, (1, 2, 0)),
        x.dimshuffle([0, 1, 2, "x"]),
    ]
    assert outs[1].broadcastable == (True, False, True, False, False)
    f = tensorir.function([x], outs)
    for a in (A3, np.zeros((0, 3, 1)), np.arange(6.0).reshape(1, 2, 3)):
        expected = [
            a.transpose(2, 0, 1),
            a.transpose(1, 0, 2)[None, :, None],
            a.transpose(1, 2, 0),
            a[..., None],
        ]
        for got, e in zip(f(a), expected, strict=True):
            _same(got, e)


def test_dimshuffle_drops_broadcastable_dims() -> None:
    r = tensor.lrow("r")
    c = tensor.lcol("c")
    outs = [r.dimshuffle(1), c.dimshuffle(0), r.dimshuffle("x", 1, 0), c.dimshuffle(1, 0)]
    assert [o.broadcastable for o in outs] == [
        (False,),
        (False,),
        (True, False, True),
        (True, False),
    ]
    f = tensorir.function([r, c], outs)
    row, col = np.array([[1, 2, 3]]), np.array([[4], [5]])
    expected = [row[0], col[:, 0], row.T[None], col.T]
    for got, e in zip(f(row, col), expected, strict=True):
        _same(got, e)
    with pytest.raises(TypeError, match="not broadcastable"):
        tensor.dmatrix("m").dimshuffle(0)
    with pytest.raises(TypeError, match="not valid"):
        tensor.dmatrix("m").dimshuffle(0, 0)


def test_transpose_spellings() -> None:
    x = tensor.dtensor3("x")
    m = tensor.imatrix("m")
    outs = [x.T, x.transpose(), x.transpose(1, 0, 2), x.transpose((0, 2, 1))]
    outs += [tensor.transpose(x, (2, 0, 1)), tensor.transpose(m), m.T.T]
    f = tensorir.function([x, m], outs)
    b = np.arange(6, dtype="int32").reshape(2, 3)
    expected = [A3.T, A3.T, A3.transpose(1, 0, 2), A3.transpose(0, 2, 1)]
    expected += [A3.transpose(2, 0, 1), b.T, b]
    for got, e in zip(f(A3, b), expected, strict=True):
        _same(got, e)
    assert tensor.drow("r").T.broadcastable == (False, True)


def test_reshape() -> None:
    m = tensor.dmatrix("m")
    outs = [
        m.reshape((3, -1)),
        m.reshape((-1,)),
        tensor.reshape(m, (2, 3, 1)),
        m.reshape([6]),
        m.reshape((1, -1, 2)),
        m.reshape(6),
        m.reshape((-1, 1, 1)),
    ]
    assert outs[2].broadcastable == (False, False, True)
    assert outs[4].broadcastable == (True, False, False)
    f = tensorir.function([m], outs)
    a = np.arange(6.0).reshape(2, 3)
    shapes = [(3, -1), (-1,), (2, 3, 1), (6,), (1, -1, 2), (6,), (-1, 1, 1)]
    for got, shape in zip(f(a), shapes, strict=True):
        _same(got, a.reshape(shape))
    # a transposed (non-contiguous) input is reshaped in its logical order
    for got, shape in zip(f(np.arange(6.0).reshape(3, 2).T), shapes, strict=True):
        _same(got, np.arange(6.0).reshape(3, 2).T.reshape(shape))


def test_reshape_of_an_expression_and_empty_arrays() -> None:
    v = tensor.lvector("v")
    f = tensorir.function([v], [(v * 2).reshape((2, -1)), v.reshape((-1, 2)) + 1])
    got = f(np.arange(6))
    _same(got[0], (np.arange(6) * 2).reshape(2, -1))
    _same(got[1], np.arange(6).reshape(-1, 2) + 1)
    g = tensorir.function([v], v.reshape((-1, 3)))
    _same(g(np.zeros(0, "int64")), np.zeros((0, 3), "int64"))


def test_reshape_wrong_size_raises() -> None:
    m = tensor.dmatrix("m")
    f = tensorir.function([m], m.reshape((3, -1)))
    g = tensorir.function([m], m.reshape((4,)))
    h = tensorir.function([m], m.reshape((-1, 0)))
    for fn, data in [(f, np.ones((2, 4))), (g, np.ones((2, 3))), (h, np.ones((0, 3)))]:
        with pytest.raises(ValueError, match="reshape") as info:
            fn(data)
        assert "test_shapes.py" in str(info.value)
    # numpy refuses the last one too
    with pytest.raises(ValueError):
        np.ones((0, 3)).reshape((-1, 0))
    with pytest.raises(ValueError, match=r"into shape \(4,\)"):
        g(np.ones((2, 3)))
    with pytest.raises(ValueError, match="reshape"):
        m.reshape((-1, -1))
    with pytest.raises(ValueError, match="reshape"):
        m.reshape((2, 3), ndim=3)


def test_flatten() -> None:
    x = tensor.dtensor3("x")
    m = tensor.bmatrix("m")
    outs = [x.flatten(), x.flatten(2), tensor.flatten(x, 3), m.flatten(), m.flatten(2)]
    assert [o.ndim for o in outs] == [1, 2, 3, 1, 2]
    f = tensorir.function([x, m], outs)
    for a in (A3, np.zeros((0, 3, 4)), np.zeros((3, 0, 2))):
        b = np.arange(12, dtype="int8").reshape(3, 4)
        # not reshape(n, -1), which numpy refuses for an empty array
        collapsed = a.reshape(a.shape[0], a.shape[1] * a.shape[2])
        expected = [a.reshape(-1), collapsed, a, b.reshape(-1), b]
        for got, e in zip(f(a, b), expected, strict=True):
            _same(got, e)
    with pytest.raises(ValueError, match="flatten"):
        x.flatten(4)


def test_output_is_input_returns_a_copy() -> None:
    m = tensor.dmatrix("m")
    a = np.arange(6.0).reshape(2, 3)
    for outs in (m, [m], [m, m], [m.T.T], [m.reshape((2, 3))]):
        f = tensorir.function([m], outs)
        got = f(a)
        arrays = got if isinstance(got, list) else [got]
        assert isinstance(got, list) == isinstance(outs, list)
        for g in arrays:
            _same(g, a)
            assert not np.shares_memory(g, a)
        if len(arrays) == 2:
            assert not np.shares_memory(arrays[0], arrays[1])
        arrays[0][0, 0] = 100.0
        assert a[0, 0] == 0.0


def test_shared_subexpression_and_repeated_output() -> None:
    x = tensor.dvector("x")
    s = x * 2 + 1
    f = tensorir.function([x], [s, s.sum(), s * s, s])
    a = np.arange(4.0)
    got = f(a)
    e = a * 2 + 1
    for g, expected in zip(got, [e, e.sum(), e * e, e], strict=True):
        _same(g, np.asarray(expected))
    assert not np.shares_memory(got[0], got[3])
    got[0][:] = -1
    _same(got[3], e)
    # a view of an intermediate, returned next to it
    m = tensor.dmatrix("m")
    t = m + 1
    g = tensorir.function([m], [t, t.T, t.reshape((-1,))])
    b = np.arange(6.0).reshape(2, 3)
    out = g(b)
    for o, expected in zip(out, [b + 1, (b + 1).T, (b + 1).reshape(-1)], strict=True):
        _same(o, expected)
    assert not np.shares_memory(out[0], out[2])


def test_outputs_as_list_or_single() -> None:
    x = tensor.dscalar("x")
    assert isinstance(tensorir.function([x], x + 1)(1.0), np.ndarray)
    single = tensorir.function([x], [x + 1])(1.0)
    assert isinstance(single, list) and len(single) == 1 and single[0] == 2.0
    pair = tensorir.function([x], (x + 1, x * 3))(2.0)
    assert isinstance(pair, list) and [float(p) for p in pair] == [3.0, 6.0]
    assert tensorir.function([x], [], on_unused_input="ignore")(1.0) == []
