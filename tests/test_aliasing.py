"""Arguments that share memory: kernels declare their buffer arguments ``noalias`` and may
write an update into its shared variable's buffer, so the runtime copies whatever overlaps a
buffer the call writes (an input, another shared variable's buffer) before the call. Every
combination is checked against numpy, bit for bit: inputs vs shared variables, shared vs
shared, inputs vs inputs, with views (transposes, slices, overlapping slices ``a[1:]`` and
``a[:-1]``), ``borrow=True`` and ``False``, updates written in place and not; and outputs never
are an array the caller passed in."""

from __future__ import annotations

import numpy as np
import pytest

import tensorir
from tensorir import tensor
from tensorir.abi import FunctionABI
from tensorir.runtime.kernel import Kernel


def base() -> np.ndarray:
    return np.arange(9.0) * 1.5 + 0.25


def kinds(f) -> list[str]:
    return [r.kind for r in f.kernel.abi.results]


def written(f) -> list[bool]:
    return [a.written for a in f.kernel.abi.args]


# -- the defect as reported -------------------------------------------------------------


def test_borrowed_shared_updated_in_place_with_its_own_array_as_input() -> None:
    A = np.arange(16.0).reshape(4, 4) * 0.5 - 3.0
    W = tensorir.shared(A, borrow=True)
    X = tensor.dmatrix("X")
    f = tensorir.function([X], [], updates=[(W, W + X.T)])
    assert kinds(f) == ["argument"] and written(f) == [False, True]
    expected = A + A.T
    assert f(A) == []
    np.testing.assert_array_equal(W.get_value(), expected)
    # borrow: W still is A, which holds the new value
    assert W.get_value(borrow=True) is A
    np.testing.assert_array_equal(A, expected)


def test_two_borrowed_shared_variables_on_one_array() -> None:
    A = np.arange(16.0).reshape(4, 4) + 0.5
    old = A.copy()
    U = tensorir.shared(A, "U", borrow=True)
    V = tensorir.shared(A, "V", borrow=True)
    f = tensorir.function([], U * V.T, updates=[(U, U + 1.0), (V, V * 2.0)])
    assert kinds(f) == ["buffer", "argument", "argument"]
    np.testing.assert_array_equal(f(), old * old.T)
    np.testing.assert_array_equal(U.get_value(), old + 1.0)
    np.testing.assert_array_equal(V.get_value(), old * 2.0)
    # the first argument of the two keeps the borrowed array, the other gets its own copy
    u, v = U.get_value(borrow=True), V.get_value(borrow=True)
    assert (u is A) != (v is A) and not np.shares_memory(u, v)


# -- inputs vs shared variables -----------------------------------------------------------

VIEWS_1D = {
    "same": (slice(None), slice(None)),
    "x=a[1:], W=a[:-1]": (slice(1, None), slice(None, -1)),
    "x=a[:-1], W=a[1:]": (slice(None, -1), slice(1, None)),
    "x=a[:4], W=a[4:8]": (slice(None, 4), slice(4, 8)),  # adjacent, no overlap
}


@pytest.mark.parametrize("views", list(VIEWS_1D), ids=list(VIEWS_1D))
@pytest.mark.parametrize("borrow", [True, False], ids=["borrow", "copy"])
@pytest.mark.parametrize("in_place", [True, False], ids=["in_place", "fresh"])
def test_input_overlapping_shared(views: str, borrow: bool, in_place: bool) -> None:
    xs, ws = VIEWS_1D[views]
    a = base()
    x_arr, w_arr = a[xs], a[ws]
    x_old, w_old = x_arr.copy(), w_arr.copy()
    W = tensorir.shared(w_arr, "W", borrow=borrow)
    x = tensor.dvector("x")
    new = W * 2.0 + x if in_place else W[::-1] * 2.0 + x
    f = tensorir.function([x], [x * 3.0 - W, W.sum() + x.sum()], updates=[(W, new)])
    assert kinds(f)[-1] == ("argument" if in_place else "buffer")
    out, total = f(x_arr)
    np.testing.assert_array_equal(out, x_old * 3.0 - w_old)
    np.testing.assert_array_equal(total, w_old.sum() + x_old.sum())
    expected = (w_old if in_place else w_old[::-1]) * 2.0 + x_old
    np.testing.assert_array_equal(W.get_value(), expected)
    if borrow and in_place:  # written into the borrowed memory itself
        assert W.get_value(borrow=True) is w_arr
        np.testing.assert_array_equal(w_arr, expected)
    else:  # the caller's memory is left as it was
        np.testing.assert_array_equal(a[ws], w_old)
        assert not np.shares_memory(W.get_value(borrow=True), a)


UPDATES_2D = {
    "W - X.T/2 (in place)": (lambda W, X: W - X.T * 0.5, True),
    "W - X/2 (in place)": (lambda W, X: W - X * 0.5, True),
    "W.T - X (fresh)": (lambda W, X: W.T - X, False),
}


@pytest.mark.parametrize("update", list(UPDATES_2D))
@pytest.mark.parametrize("arg", ["A", "A.T", "A[::-1]", "B"])
def test_views_2d(update: str, arg: str) -> None:
    """The input is the shared variable's array, a transposed or reversed view of it (not
    contiguous: converted to a copy), or another array."""
    A = np.arange(16.0).reshape(4, 4) * 0.25 - 1.0
    B = np.arange(16.0).reshape(4, 4)[::-1].copy()
    old_A = A.copy()
    value = {"A": A, "A.T": A.T, "A[::-1]": A[::-1], "B": B}[arg]
    old_value = value.copy()
    W = tensorir.shared(A, "W", borrow=True)
    X = tensor.dmatrix("X")
    make, in_place = UPDATES_2D[update]
    f = tensorir.function([X], [(X * 2.0).sum(), X + 0.0], updates=[(W, make(W, X))])
    assert kinds(f)[-1] == ("argument" if in_place else "buffer")
    total, same = f(value)
    assert total == (old_value * 2.0).sum()
    np.testing.assert_array_equal(same, old_value)
    np.testing.assert_array_equal(W.get_value(), make(old_A, old_value))
    assert (W.get_value(borrow=True) is A) == in_place


def test_input_is_the_shared_array_read_through_a_transpose() -> None:
    """``W + X.T`` with X = W's own array and the sum as an output."""
    A = np.arange(9.0).reshape(3, 3) ** 1.5
    old = A.copy()
    W = tensorir.shared(A, borrow=True)
    X = tensor.dmatrix("X")
    f = tensorir.function([X], [X.T * W], updates=[(W, W * X.T + X)])
    assert kinds(f)[-1] == "argument"
    (prod,) = f(A)
    np.testing.assert_array_equal(prod, old.T * old)
    np.testing.assert_array_equal(W.get_value(), old * old.T + old)
    assert W.get_value(borrow=True) is A


def test_input_reinterpreting_the_shared_bytes() -> None:
    """Overlap is of bytes: an int64 view of a float64 shared buffer is copied too."""
    A = np.linspace(-2.0, 3.0, 7)
    bits = A[:-1].view(np.int64)  # W[i] is A[i + 1]: a forward loop would read new bytes
    old_bits, old_w = bits.copy(), A[1:].copy()
    W = tensorir.shared(A[1:], borrow=True)
    k = tensor.lvector("k")
    f = tensorir.function([k], k + 1, updates=[(W, W * 3.0 + k)])
    assert kinds(f) == ["buffer", "argument"]
    np.testing.assert_array_equal(f(bits), old_bits + 1)
    np.testing.assert_array_equal(W.get_value(), old_w * 3.0 + old_bits)


def test_input_that_does_not_overlap_is_not_copied() -> None:
    """No overlap: the kernel reads the caller's array (a fresh copy would not be seen)."""
    W = tensorir.shared(np.zeros(4), borrow=True)
    x = tensor.dvector("x")
    f = tensorir.function([x], [], updates=[(W, W + x)])
    src = f.kernel.source
    assert "copy()" in src  # the check is generated
    xv = np.arange(4.0)
    f(xv)
    np.testing.assert_array_equal(W.get_value(), xv)


# -- shared vs shared ---------------------------------------------------------------------


@pytest.mark.parametrize("views", list(VIEWS_1D), ids=list(VIEWS_1D))
@pytest.mark.parametrize("which", ["first", "second", "both", "none"])
def test_shared_overlapping_shared(views: str, which: str) -> None:
    us, vs = VIEWS_1D[views]
    a = base()
    u_arr, v_arr = a[us], a[vs]
    u_old, v_old = u_arr.copy(), v_arr.copy()
    U = tensorir.shared(u_arr, "U", borrow=True)
    V = tensorir.shared(v_arr, "V", borrow=True)
    updates = []
    if which == "first":  # U in place, reading V
        updates = [(U, U * 0.5 + V)]
    if which == "second":  # V in place, reading U
        updates = [(V, V - U * 2.0)]
    if which == "both":  # both in place (each reads only itself: no cycle)
        updates = [(U, U * 0.5 + 1.0), (V, V - 2.0)]
    if which == "none":  # updates not in place: fresh buffers
        updates = [(U, U[::-1] + V), (V, V[::-1] - U)]
    f = tensorir.function([], [U * V, U.sum()], updates=updates)
    assert all(k == ("buffer" if which == "none" else "argument") for k in kinds(f)[2:])
    prod, total = f()
    np.testing.assert_array_equal(prod, u_old * v_old)
    assert total == u_old.sum()
    if which == "first":
        np.testing.assert_array_equal(U.get_value(), u_old * 0.5 + v_old)
        assert U.get_value(borrow=True) is u_arr
    if which == "second":
        np.testing.assert_array_equal(V.get_value(), v_old - u_old * 2.0)
        assert V.get_value(borrow=True) is v_arr
    if which == "both":
        np.testing.assert_array_equal(U.get_value(), u_old * 0.5 + 1.0)
        np.testing.assert_array_equal(V.get_value(), v_old - 2.0)
        assert U.get_value(borrow=True) is u_arr  # the first keeps its array
        overlap = np.shares_memory(u_arr, v_arr)
        assert (V.get_value(borrow=True) is v_arr) == (not overlap)
    if which == "none":
        np.testing.assert_array_equal(U.get_value(), u_old[::-1] + v_old)
        np.testing.assert_array_equal(V.get_value(), v_old[::-1] - u_old)
        np.testing.assert_array_equal(a, base())  # nothing written in place


def test_read_only_shared_is_copied_for_the_call_only() -> None:
    """A shared variable only read that overlaps a written one is read as it was before the
    call; its container keeps its (borrowed) array, which then shows the written bytes."""
    a = base()
    old = a.copy()
    R = tensorir.shared(a[1:], "R", borrow=True)
    W = tensorir.shared(a[:-1], "W", borrow=True)
    f = tensorir.function([], R * 1.0, updates=[(W, W + R)])
    assert sorted(written(f)) == [False, True]
    out = f()
    np.testing.assert_array_equal(out, old[1:])
    np.testing.assert_array_equal(W.get_value(), old[:-1] + old[1:])
    assert np.shares_memory(R.get_value(borrow=True), a)
    np.testing.assert_array_equal(R.get_value(), a[1:])  # borrowed: shows W's new bytes


def test_unchanged_update_is_not_a_write() -> None:
    """``updates=[(s, s)]`` returns the argument itself and writes nothing: no check, no
    copy, and two such variables on one array keep it."""
    A = np.arange(4.0)
    U = tensorir.shared(A, "U", borrow=True)
    V = tensorir.shared(A, "V", borrow=True)
    x = tensor.dvector("x")
    f = tensorir.function([x], U + V + x, updates=[(U, U), (V, V)])
    assert kinds(f) == ["buffer", "argument", "argument"]
    assert not any(written(f))
    assert "copy()" not in f.kernel.source
    np.testing.assert_array_equal(f(A), A + A + A)
    assert U.get_value(borrow=True) is A and V.get_value(borrow=True) is A


# -- inputs vs inputs ---------------------------------------------------------------------


@pytest.mark.parametrize("updated", [False, True], ids=["no_update", "update"])
def test_inputs_overlapping_each_other(updated: bool) -> None:
    """Buffers only read may overlap: no copy is needed, results are numpy's."""
    a = base()
    old = a.copy()
    x, y = tensor.dvectors("x", "y")
    W = tensorir.shared(np.ones(8), "W")
    updates = [(W, W + x * y)] if updated else []
    f = tensorir.function([x, y], [x * y - x, (x + y).sum()], updates=updates)
    for xv, yv in [(a[1:], a[:-1]), (a[:-1], a[1:]), (a[:-1], a[:-1])]:
        w_old = W.get_value()
        d, s = f(xv, yv)
        np.testing.assert_array_equal(d, xv * yv - xv)
        assert s == (xv + yv).sum()
        if updated:
            np.testing.assert_array_equal(W.get_value(), w_old + xv * yv)
    np.testing.assert_array_equal(a, old)


def test_same_array_twice_2d() -> None:
    A = np.arange(12.0).reshape(3, 4) / 7.0
    X, Y = tensor.dmatrices("X", "Y")
    f = tensorir.function([X, Y], [tensor.dot(X, Y.T), X * Y + X])
    d, e = f(A, A)
    np.testing.assert_allclose(d, A @ A.T)
    np.testing.assert_array_equal(e, A * A + A)


# -- outputs vs inputs --------------------------------------------------------------------


def test_output_that_is_an_input_is_a_copy() -> None:
    x = tensor.dvector("x")
    f = tensorir.function([x], [x, x * 1.0])
    xv = np.arange(3.0)
    out, same = f(xv)
    assert out is not xv and not np.shares_memory(out, xv)
    np.testing.assert_array_equal(out, xv)
    np.testing.assert_array_equal(same, xv)
    out[0] = 99.0
    assert xv[0] == 0.0


def test_output_that_is_a_shared_variable_is_a_copy() -> None:
    W = tensorir.shared(np.arange(3.0), borrow=True)
    mine = W.get_value(borrow=True)
    f = tensorir.function([], W, updates=[(W, W + 1.0)])
    assert kinds(f) == ["buffer", "argument"]
    out = f()
    np.testing.assert_array_equal(out, [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(W.get_value(), [1.0, 2.0, 3.0])
    assert not np.shares_memory(out, mine) and W.get_value(borrow=True) is mine


def test_output_equal_to_an_update_is_not_the_shared_buffer() -> None:
    W = tensorir.shared(np.ones(3), borrow=True)
    x = tensor.dvector("x")
    f = tensorir.function([x], W + x, updates=[(W, W + x)])
    out = f(np.arange(3.0))
    np.testing.assert_array_equal(out, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(W.get_value(), [1.0, 2.0, 3.0])
    assert not np.shares_memory(out, W.get_value(borrow=True))
    out[0] = -1.0
    assert W.get_value()[0] == 1.0


# -- the written arguments and the generated checks ----------------------------------------


def test_written_arguments() -> None:
    x = tensor.dvector("x")
    A = tensor.dmatrix("A")
    W = tensorir.shared(np.zeros(3), "W")
    M = tensorir.shared(np.zeros((3, 3)), "M")
    f = tensorir.function([x, A], tensor.dot(A, x), updates=[(W, W + x), (M, tensor.dot(A, M))])
    # W in place; M gets a fresh buffer from gemm (its argument is only read); x, A read
    assert written(f) == [False, False, True, False]
    assert FunctionABI.from_json(f.kernel.abi.to_json()) == f.kernel.abi
    g = tensorir.function([x, A], [tensor.dot(A, x), A.T * 2.0])
    assert not any(written(g)) and "from_buffer(a0)" in g.kernel.source
    assert "copy()" not in g.kernel.source


def test_kernel_alone_copies_overlapping_arguments() -> None:
    """The check lives in the Kernel: calling it directly is safe too."""
    A = np.arange(16.0).reshape(4, 4)
    W = tensorir.shared(np.zeros((4, 4)))
    X = tensor.dmatrix("X")
    f = tensorir.function([X], [], updates=[(W, W + X.T)])
    kernel: Kernel = f.kernel
    buf = A.copy()
    (res,) = kernel(buf, buf)
    assert res is buf
    np.testing.assert_array_equal(buf, A + A.T)


def test_empty_arguments() -> None:
    """Empty buffers share no data: any answer of the check is right; nothing fails."""
    A = np.arange(4.0)
    W = tensorir.shared(A, borrow=True)
    x = tensor.dvector("x")
    f = tensorir.function([x], x * 2.0, updates=[(W, W + x.sum())])
    assert kinds(f) == ["buffer", "argument"]
    for empty in (A[2:2], np.zeros(0), A[:0]):
        out = f(empty)
        assert out.shape == (0,)
    np.testing.assert_array_equal(W.get_value(), np.arange(4.0))
    E = tensorir.shared(np.zeros((0, 3)), borrow=True)
    Y = tensor.dmatrix("Y")
    g = tensorir.function([Y], [], updates=[(E, E + Y)])
    g(E.get_value(borrow=True))
    assert E.get_value().shape == (0, 3)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "complex128"])
def test_overlapping_slices_every_dtype(dtype: str) -> None:
    """x = a[:-1] read while W = a[1:] is written in place: a forward loop would read the
    bytes it has just written, whatever the dtype (and vectorised code reads them early)."""
    a = (np.arange(65) % 7 - 3).astype(dtype)
    x_old, w_old = a[:-1].copy(), a[1:].copy()
    W = tensorir.shared(a[1:], borrow=True)
    x = tensor.vector("x", dtype=dtype)
    f = tensorir.function([x], [], updates=[(W, W * 2 + x)])
    assert kinds(f) == ["argument"]
    for _ in range(3):  # the borrowed array is written again each time
        f(a[:-1])
        expected = w_old * 2 + x_old
        np.testing.assert_array_equal(W.get_value(), expected)
        w_old, x_old = expected, np.concatenate([a[:1], expected])[:-1]
        assert W.get_value(borrow=True).base is a
