"""The native call (``runtime/native_call.py``): a function without shared variables is
called in machine code when its arguments are exactly what the kernel takes, and through the
Python call otherwise; both give the same results and the same errors."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import tensorir
from tensorir import tensor


def python_call(f: object) -> object:
    """The Python call the native one falls back to."""
    return f.python_call  # type: ignore[attr-defined]


def is_native(f: object) -> bool:
    return type(type(f).__call__).__name__ == "builtin_function_or_method"


def test_which_functions_are_native() -> None:
    x, y = tensor.dmatrix("x"), tensor.dscalar("y")
    assert is_native(tensorir.function([x, y], x * y))
    assert is_native(tensorir.function([x, y], [x * y, (x * y).sum()]))
    w = tensorir.shared(np.zeros((2, 2)), name="w")
    assert not is_native(tensorir.function([x], x + w))  # reads a shared variable
    assert not is_native(tensorir.function([x], x, updates=[(w, w + x)]))
    assert not is_native(tensorir.function([x, y], {"out": x * y}))
    assert not is_native(tensorir.function([x], x.sum(), mode="DebugMode"))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "bool"])
@pytest.mark.parametrize("shape", [(), (0,), (5,), (3, 4), (2, 0, 3)])
def test_same_results_as_the_python_call(dtype: str, shape: tuple[int, ...]) -> None:
    x = tensor.tensor(dtype, (False,) * len(shape), name="x")
    outs = [x * 2 if dtype != "bool" else tensor.eq(x, 0), x.astype("int64").sum()]
    f = tensorir.function([x], outs)
    rng = np.random.default_rng(0)
    a = (rng.standard_normal(shape) * 10).astype(dtype)
    got, want = f(a), python_call(f)(a)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_array_equal(g, w)
        assert g.flags.c_contiguous and g.flags.writeable


def test_scalars_and_broadcastable_inputs() -> None:
    x, row, s = tensor.dmatrix("x"), tensor.row("r", dtype="float64"), tensor.dscalar("s")
    f = tensorir.function([x, row, s], x + row * s)
    a, r = np.arange(6.0).reshape(2, 3), np.ones((1, 3))
    np.testing.assert_array_equal(f(a, r, 2.0), a + 2.0)
    np.testing.assert_array_equal(f(a, r, np.float64(2.0)), a + 2.0)  # not a float: Python
    with pytest.raises(TypeError, match="broadcastable dimension"):
        f(a, np.ones((2, 3)), 2.0)  # size 2 on a broadcastable dim: the Python call says so
    assert repr(tensorir.function([s], s * 2)(1.5)) == "array(3.)"


def test_other_arguments_take_the_python_call() -> None:
    x, y = tensor.fmatrix("x"), tensor.fmatrix("y")
    f = tensorir.function([x, y], x - y)
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = np.ones((3, 4), np.float32)
    want = a - b
    np.testing.assert_array_equal(f(a, b), want)
    np.testing.assert_array_equal(f(a.tolist(), b), want)  # a list
    np.testing.assert_array_equal(f(np.asfortranarray(a), b), want)  # not C-contiguous
    np.testing.assert_array_equal(f(a, y=b), want)  # a keyword
    np.testing.assert_array_equal(f(x=a, y=b), want)
    ro = a.copy()
    ro.flags.writeable = False
    np.testing.assert_array_equal(f(ro, b), want)  # read-only: read only
    with pytest.raises(TypeError, match="expected 2 argument"):
        f(a)
    with pytest.raises(TypeError, match="expected 2 argument"):
        f(a, b, b)
    with pytest.raises(TypeError, match="float64"):
        f(a.astype(np.float64), b)  # would lose precision
    with pytest.raises(ValueError, match="Input dimension mismatch"):
        f(a, np.ones((2, 4), np.float32))  # a failed check: raised by the Python call


def test_failures_raise_as_the_python_call_does() -> None:
    """A failed check or allocation in the native call: the Python call runs and raises."""
    s = tensor.dscalar("s")
    f = tensorir.function([s], tensor.alloc(1.0, s.astype("int64"), s.astype("int64")).sum())
    assert is_native(f)
    assert f(3.0) == 9.0
    for size in (1e10, -1.0):
        with pytest.raises((MemoryError, ValueError)) as native:
            f(size)
        with pytest.raises(native.type) as python:
            python_call(f)(size)
        assert str(native.value) == str(python.value)


def test_no_reference_or_memory_is_leaked() -> None:
    x, y = tensor.dvector("x"), tensor.dscalar("y")
    f = tensorir.function([x, y], [x * y, x.sum()])
    a = np.ones(1 << 16)
    before = sys.getrefcount(a), sys.getrefcount(f)
    for _ in range(2000):
        out, total = f(a, 2.0)
    assert (sys.getrefcount(a), sys.getrefcount(f)) == before
    assert sys.getrefcount(out) == 2 and out.base is not None
    if sys.platform.startswith("linux"):
        with open("/proc/self/statm") as fh:
            rss0 = int(fh.read().split()[1])
        for _ in range(3000):
            f(a, 2.0)  # 512 KB a call: freed when the array goes
        with open("/proc/self/statm") as fh:
            rss1 = int(fh.read().split()[1])
        assert (rss1 - rss0) * 4096 < 64 << 20


def test_threads_call_at_once() -> None:
    x = tensor.dvector("x")
    f = tensorir.function([x], (x * x).sum())
    errors: list[str] = []

    def work(k: int) -> None:
        a = np.full(1000, float(k))
        for _ in range(2000):
            if f(a) != 1000.0 * k * k:
                errors.append(f"thread {k}")
                return

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
