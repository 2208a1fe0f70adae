"""Shared variables: construction, types, get_value / set_value with Theano's copy-unless-borrow
semantics, conversion errors, and use in expressions."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import tensorir
from tensorir import tensor
from tensorir.frontend.shared import SharedVariable
from tensorir.runtime.shared import SharedContainer


def test_reachable_names() -> None:
    assert tensorir.shared is tensor.shared
    namespace: dict = {}
    exec("from tensorir import *", namespace)
    assert namespace["shared"] is tensorir.shared
    assert tensor.SharedVariable is SharedVariable


@pytest.mark.parametrize(
    "value, dtype, ndim",
    [
        (np.asarray([0.1, 0.25]), "float64", 1),
        (np.zeros((2, 3), "float32"), "float32", 2),
        (np.arange(4, dtype="int32"), "int32", 1),
        (1.5, "float64", 0),
        (3, "int64", 0),
        (True, "bool", 0),
        (1 + 2j, "complex128", 0),
        (np.float32(2.5), "float32", 0),
        ([[1, 2], [3, 4]], "int64", 2),
    ],
)
def test_type_from_value(value, dtype, ndim) -> None:
    s = tensorir.shared(value)
    assert s.type == tensor.TensorType(dtype, (False,) * ndim)
    assert s.dtype == dtype and s.ndim == ndim
    got = s.get_value()
    assert isinstance(got, np.ndarray) and got.dtype == dtype and got.ndim == ndim
    np.testing.assert_array_equal(got, np.asarray(value))


def test_name_str_and_default_update() -> None:
    W = tensorir.shared(np.zeros(3), "W")
    assert W.name == "W" and str(W) == "W"
    assert W.default_update is None
    assert isinstance(W, tensor.Variable) and W.owner is None
    unnamed = tensorir.shared(np.zeros(3))
    assert "float64" in str(unnamed)


def test_broadcastable_pattern() -> None:
    r = tensorir.shared(np.zeros((1, 3)), "r", broadcastable=(True, False))
    assert r.broadcastable == (True, False)
    assert tensorir.shared(np.zeros((1, 3))).broadcastable == (False, False)
    with pytest.raises(TypeError, match="broadcastable"):
        r.set_value(np.zeros((2, 3)))
    r.set_value(np.ones((1, 5)))
    assert r.get_value().shape == (1, 5)
    with pytest.raises(TypeError, match="entries"):
        tensorir.shared(np.zeros(3), broadcastable=(False, False))
    with pytest.raises(TypeError, match="size 1|must be 1"):
        tensorir.shared(np.zeros((2, 3)), broadcastable=(True, False))


def test_unsupported_values() -> None:
    for bad in ["abc", object(), [[1, 2], [3]], np.zeros(2, "uint16")]:
        with pytest.raises(TypeError):
            tensorir.shared(bad)
    with pytest.raises(TypeError, match="symbolic"):
        tensorir.shared(tensor.dvector())


def test_seed_program_in_process(capsys) -> None:
    W = tensorir.shared(np.asarray([0.1, 0.25, 0.15, 0.3]), "W")
    print("Original: ", W.get_value())
    W.set_value([0.5, 0.2, 0.4, 0.2])
    print("After modifications:", W.get_value())
    out = capsys.readouterr().out
    assert out == "Original:  [0.1  0.25 0.15 0.3 ]\nAfter modifications: [0.5 0.2 0.4 0.2]\n"


# --------------------------------------------------------------------------- borrow


def test_construction_copies_unless_borrow() -> None:
    a = np.arange(3.0)
    s = tensorir.shared(a)
    a[0] = 100
    assert s.get_value()[0] == 0
    b = np.arange(3.0)
    t = tensorir.shared(b, borrow=True)
    b[0] = 100
    assert t.get_value()[0] == 100
    assert t.get_value(borrow=True) is b


def test_get_value_copies_unless_borrow() -> None:
    s = tensorir.shared(np.arange(3.0))
    v = s.get_value()
    v[0] = 42
    assert s.get_value()[0] == 0
    inner = s.get_value(borrow=True)
    assert inner is s.get_value(borrow=True)
    inner[0] = 42
    assert s.get_value()[0] == 42
    assert s.get_value(return_internal_type=True)[0] == 42


def test_set_value_copies_unless_borrow() -> None:
    s = tensorir.shared(np.zeros(3))
    a = np.arange(3.0)
    s.set_value(a)
    a[0] = 7
    assert s.get_value()[0] == 0
    s.set_value(a, borrow=True)
    assert s.get_value(borrow=True) is a
    a[1] = 8
    assert s.get_value()[1] == 8


def test_borrowed_storage_is_c_contiguous_and_writeable() -> None:
    s = tensorir.shared(np.zeros((2, 3)))
    t = np.arange(6.0).reshape(3, 2).T  # Fortran order
    s.set_value(t, borrow=True)
    got = s.get_value(borrow=True)
    assert got.flags.c_contiguous and got.flags.writeable
    np.testing.assert_array_equal(got, t)
    ro = np.ones((2, 2))
    ro.flags.writeable = False
    s.set_value(ro, borrow=True)
    assert s.get_value(borrow=True).flags.writeable


def test_set_value_any_shape_same_ndim() -> None:
    s = tensorir.shared(np.zeros((2, 3)))
    s.set_value(np.ones((5, 1)))
    assert s.get_value().shape == (5, 1)
    s.set_value(np.ones((0, 4)))
    assert s.get_value().shape == (0, 4)


# --------------------------------------------------------------------------- conversion


def test_set_value_lists_and_upcasts() -> None:
    s = tensorir.shared(np.zeros(4))
    s.set_value([1, 2, 3, 4])
    got = s.get_value()
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [1, 2, 3, 4])
    s.set_value(np.arange(2, dtype="int32"))
    assert s.get_value().dtype == np.float64
    s.set_value(np.arange(3, dtype="float32"))
    assert s.get_value(borrow=True).dtype == np.float64


def test_set_value_dtype_errors() -> None:
    i = tensorir.shared(np.zeros(3, "int32"), "i")
    with pytest.raises(TypeError, match="loss of precision") as info:
        i.set_value(np.ones(3))
    assert "i" in str(info.value) and "int32" in str(info.value)
    assert "allow_downcast=True" in str(info.value)
    with pytest.raises(TypeError, match="accurately"):
        i.set_value([0.5, 1, 2])
    i.set_value([1.0, 2.0, 3.0])  # exact: accepted
    np.testing.assert_array_equal(i.get_value(), [1, 2, 3])
    with pytest.raises(TypeError):
        i.set_value(["a", "b"])
    f = tensorir.shared(np.zeros(2, "float32"))
    with pytest.raises(TypeError):
        f.set_value(np.array([0.1, 0.2]))
    assert f.get_value().dtype == np.float32


def test_allow_downcast() -> None:
    i = tensorir.shared(np.zeros(3, "int32"), allow_downcast=True)
    i.set_value(np.array([1.7, 2.2, -3.9]))
    assert i.get_value().dtype == np.int32
    np.testing.assert_array_equal(i.get_value(), [1, 2, -3])


def test_strict() -> None:
    s = tensorir.shared(np.zeros(3), strict=True)
    s.set_value(np.ones(3))
    with pytest.raises(TypeError, match="strict"):
        s.set_value([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="strict"):
        s.set_value(np.ones(3, "float32"))


def test_ndim_mismatch() -> None:
    s = tensorir.shared(np.zeros(3), "v")
    with pytest.raises(TypeError, match="wrong number of dimensions"):
        s.set_value(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="wrong number of dimensions"):
        s.set_value(1.0)
    np.testing.assert_array_equal(s.get_value(), np.zeros(3))


def test_scalar_shared() -> None:
    c = tensorir.shared(0, "count")
    assert c.type == tensor.TensorType("int64", ())
    c.set_value(5)
    got = c.get_value()
    assert got.shape == () and got.dtype == np.int64 and got == 5
    with pytest.raises(TypeError):
        c.set_value(2.5)
    c.set_value(np.int8(3))
    assert c.get_value() == 3 and c.get_value().dtype == np.int64


def test_container_alone() -> None:
    box = SharedContainer([1.0, 2.0], "float64", (False,), "box")
    assert box.value.dtype == np.float64 and box.get(borrow=True) is box.value
    box.set(np.array([3.0]), borrow=False)
    np.testing.assert_array_equal(box.get(), [3.0])


# --------------------------------------------------------------------------- in expressions


def test_shared_in_expressions() -> None:
    W = tensorir.shared(np.array([[1.0, 2.0], [3.0, 4.0]]), "W")
    b = tensorir.shared(np.array([0.5, -0.5]), "b")
    x = tensor.dvector("x")
    f = tensorir.function([x], tensor.dot(W, x) + b)
    xv = np.array([1.0, 1.0])
    np.testing.assert_allclose(f(xv), W.get_value() @ xv + b.get_value())
    W.set_value(np.eye(2))  # the function reads the current value at each call
    np.testing.assert_allclose(f(xv), xv + b.get_value())
    # a function of shared variables only
    g = tensorir.function([], (W * 2).sum())
    assert g() == 4.0


def test_output_that_is_a_shared_variable_is_a_copy() -> None:
    W = tensorir.shared(np.arange(3.0), "W")
    f = tensorir.function([], W)
    out = f()
    np.testing.assert_array_equal(out, [0, 1, 2])
    out[0] = 9
    assert W.get_value()[0] == 0


def test_shared_scalar_in_expression() -> None:
    s = tensorir.shared(2.5, "s")
    x = tensor.dvector("x")
    f = tensorir.function([x], x * s)
    np.testing.assert_array_equal(f([1.0, 2.0]), [2.5, 5.0])
    s.set_value(-1.0)
    np.testing.assert_array_equal(f([1.0, 2.0]), [-1.0, -2.0])
    for value in [True, 1 + 2j, np.float32(1.5), 7]:
        t = tensorir.shared(value)
        g = tensorir.function([], t * 2)
        assert g() == value * 2
        assert tensorir.function([], t)() == value


def test_shared_variable_operators_need_no_other_import() -> None:
    # a fresh interpreter that imports only the package: the operators of a shared variable
    # work before tensorir.tensor has been imported
    script = (
        "import numpy as np, tensorir\n"
        "s = tensorir.shared(np.ones(3), name='s')\n"
        "print(tensorir.function([], (s + 1) * s[0])())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[2. 2. 2.]"


def test_in_place_update_never_writes_a_read_only_array() -> None:
    a = np.ones(4)
    a.setflags(write=False)
    w = tensorir.shared(a, borrow=True)
    x = tensor.dvector("x")
    f = tensorir.function([x], [], updates=[(w, w + x)])
    f(np.ones(4))
    np.testing.assert_array_equal(a, np.ones(4))  # the user's array is left as it was
    np.testing.assert_array_equal(w.get_value(), np.full(4, 2.0))
    w.set_value(a, borrow=True)
    f(np.ones(4))
    np.testing.assert_array_equal(a, np.ones(4))
    np.testing.assert_array_equal(w.get_value(), np.full(4, 2.0))
