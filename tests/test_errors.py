"""Bad calls raise clean Python exceptions with useful messages; odd but valid inputs work."""

from __future__ import annotations

import numpy as np
import pytest

import tensorir
from tensorir import tensor

ONES = np.ones((2, 3))


@pytest.fixture(scope="module")
def add_fn():
    x, y = tensor.dmatrices("x", "y")
    return tensorir.function([x, y], x + y)  # the add line


def test_wrong_number_of_arguments(add_fn) -> None:
    for args in [(ONES,), (ONES, ONES, ONES), ()]:
        with pytest.raises(TypeError, match="expected 2 argument"):
            add_fn(*args)


def test_wrong_ndim(add_fn) -> None:
    with pytest.raises(TypeError, match="wrong number of dimensions") as info:
        add_fn(np.ones(3), ONES)
    assert "x" in str(info.value) and "float64" in str(info.value)
    with pytest.raises(TypeError, match="wrong number of dimensions"):
        add_fn(ONES, np.ones((1, 2, 3)))
    with pytest.raises(TypeError, match="wrong number of dimensions"):
        add_fn(ONES, 1.0)


@pytest.mark.parametrize("bad", ["abc", [[1, 2], [3]], None, {"a": 1}, [["a", "b"]], object()])
def test_values_that_do_not_convert(add_fn, bad) -> None:
    with pytest.raises(TypeError):
        add_fn(bad, ONES)


def test_lists_and_int_arrays_convert(add_fn) -> None:
    np.testing.assert_array_equal(add_fn([[1, 2, 3], [4, 5, 6]], ONES), [[2, 3, 4], [5, 6, 7]])
    # Theano accepts int64 data for a float64 input (the upcast is float64)
    got = add_fn(np.arange(6).reshape(2, 3), ONES)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.arange(6).reshape(2, 3) + 1.0)
    for dtype in ("int8", "int32", "float32", "bool"):
        got = add_fn(np.ones((2, 3), dtype), ONES)
        np.testing.assert_array_equal(got, np.full((2, 3), 2.0))


def test_float64_data_for_a_float32_input() -> None:
    x = tensor.fmatrix("x")
    f = tensorir.function([x], x * 2)
    with pytest.raises(TypeError, match="allow_input_downcast"):
        f(np.ones((2, 2)))
    with pytest.raises(TypeError, match="allow_input_downcast"):
        f([[0.1]])  # not exact in float32
    np.testing.assert_array_equal(f([[1.5, 2.0]]), np.array([[3.0, 4.0]], "float32"))
    g = tensorir.function([x], x * 2, allow_input_downcast=True)
    got = g(np.full((2, 2), 0.1))
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, np.full((2, 2), 0.1, "float32") * 2)
    i = tensor.ivector("i")
    with pytest.raises(TypeError, match="int64"):
        tensorir.function([i], i + 1)(np.arange(3))
    np.testing.assert_array_equal(
        tensorir.function([i], i + 1, allow_input_downcast=True)(np.arange(3)), [1, 2, 3]
    )


def test_python_float_for_a_float32_input_follows_floatx() -> None:
    old = tensorir.config.floatX
    try:
        s = tensor.fscalar("s")
        tensorir.config.floatX = "float64"
        f = tensorir.function([s], s * 2)
        with pytest.raises(TypeError):
            f(0.1)  # float32 is not floatX and 0.1 is not exact in it
        assert f(0.5) == 1.0  # exact values are fine
        tensorir.config.floatX = "float32"
        g = tensorir.function([s], s * 2)
        got = g(0.1)
        assert got.dtype == np.float32 and got == np.float32(0.1) * 2
    finally:
        tensorir.config.floatX = old


def test_integer_inputs_refuse_lossy_values() -> None:
    i = tensor.iscalar("i")
    f = tensorir.function([i], i * 2)
    assert f(3) == 6 and f(np.int64(3)) == 6 and f(4.0) == 8
    for bad in (2.5, 2**40, "3"):
        with pytest.raises(TypeError):
            f(bad)


def test_shapes_that_do_not_broadcast(add_fn) -> None:
    with pytest.raises(ValueError) as info:
        add_fn(np.ones((2, 3)), np.ones((3, 2)))
    msg = str(info.value)
    assert "add" in msg and "(2, 3)" in msg and "(3, 2)" in msg, msg
    assert "test_errors.py" in msg and "the add line" in msg, msg
    m, w = tensor.dmatrix("m"), tensor.dvector("w")
    h = tensorir.function([m, w], m * w)
    with pytest.raises(ValueError, match=r"mul.*\(2, 3\).*\(1, 4\)"):
        h(np.ones((2, 3)), np.ones(4))
    np.testing.assert_array_equal(
        h(np.ones((2, 3)), np.arange(3.0)), np.ones((2, 3)) * np.arange(3)
    )


def test_broadcastable_input_given_a_non_1_dim() -> None:
    r = tensor.drow("r")
    m = tensor.dmatrix("m")
    f = tensorir.function([r, m], r + m)
    with pytest.raises(TypeError, match="broadcastable"):
        f(np.ones((2, 3)), np.ones((2, 3)))
    np.testing.assert_array_equal(f(np.ones((1, 3)), np.ones((4, 3))), np.full((4, 3), 2.0))


def test_unused_inputs() -> None:
    x, y = tensor.dvectors("x", "y")
    with pytest.raises(ValueError, match=r"index 1 \(y") as info:
        tensorir.function([x, y], x * 2)
    assert "on_unused_input" in str(info.value)
    with pytest.raises(ValueError, match="on_unused_input"):
        tensorir.function([x], x, on_unused_input="sometimes")
    f = tensorir.function([x, y], x * 2, on_unused_input="ignore")
    np.testing.assert_array_equal(f(np.ones(2), np.zeros(5)), [2.0, 2.0])
    with pytest.warns(UserWarning, match="index 1"):
        tensorir.function([x, y], x * 2, on_unused_input="warn")


def test_missing_inputs_raise_at_function_time() -> None:
    x = tensor.dvector("x")
    hidden = tensor.dvector("hidden")
    with pytest.raises(ValueError, match="hidden") as info:
        tensorir.function([x], x + hidden * 2)
    assert "test_errors.py" in str(info.value)


def test_input_given_twice_in_inputs() -> None:
    x = tensor.dvector("x")
    with pytest.raises(ValueError, match="twice"):
        tensorir.function([x, x], x * 2)


def test_non_variable_input() -> None:
    with pytest.raises(TypeError, match="symbolic"):
        tensorir.function([np.ones(2)], tensor.dvector("x"))


def test_non_contiguous_and_fortran_inputs(add_fn) -> None:
    base = np.arange(48.0).reshape(6, 8)
    cases = [
        (base[::2, 1::3], np.ones((3, 3))),
        (np.asfortranarray(base[:2, :3]), np.asfortranarray(ONES)),
        (base[:3, :2].T, base[3:5, 5:8]),
        (base[::-2, ::-3], base[:3, :3]),
    ]
    for a, b in cases:
        np.testing.assert_array_equal(add_fn(a, b), a + b)
    before = base.copy()
    add_fn(base[::2, ::3], np.ones((3, 3)))
    np.testing.assert_array_equal(base, before)  # inputs are never written


def test_broadcast_views_and_zero_strides(add_fn) -> None:
    b = np.broadcast_to(np.arange(3.0), (2, 3))
    np.testing.assert_array_equal(add_fn(b, ONES), b + 1)


def test_keyword_arguments() -> None:
    x, y = tensor.dmatrices("x", "y")
    f = tensorir.function([x, y], x - y)
    a, b = np.ones((2, 2)), np.full((2, 2), 3.0)
    np.testing.assert_array_equal(f(y=b, x=a), a - b)
    np.testing.assert_array_equal(f(a, y=b), a - b)
    with pytest.raises(TypeError, match="unknown input name"):
        f(a, z=b)
    with pytest.raises(TypeError, match="twice"):
        f(a, x=b)
    with pytest.raises(TypeError, match="missing"):
        f(x=a)


def test_errors_at_graph_building_name_the_line() -> None:
    with pytest.raises(TypeError) as info:
        tensor.lt(tensor.cmatrix("c"), tensor.dmatrix("d"))  # the compare line
    assert "test_errors.py" in str(info.value) and "the compare line" in str(info.value)
    with pytest.raises(TypeError):
        bool(tensor.dscalar("s") > 0)


def test_function_survives_errors(add_fn) -> None:
    for _ in range(3):
        with pytest.raises(ValueError):
            add_fn(np.ones((2, 3)), np.ones((3, 3)))
    np.testing.assert_array_equal(add_fn(ONES, ONES), 2 * ONES)
