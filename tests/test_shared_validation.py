"""Values entering compiled code from outside (shared values however they are written,
unpickled state, arguments) are checked for dtype, number of dims and the size 1 of their
broadcastable dims before any kernel runs: none can make it read or write outside a buffer."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import tensorir
from tensorir import tensor as T
from tensorir.runtime.shared import SharedContainer


def _model() -> tuple:
    x = T.dvector("x")
    b = tensorir.shared(np.ones(1), "b", broadcastable=(True,))
    return tensorir.function([x], x + b, updates=[(b, b * 2)]), b


def test_unpickled_shared_value_of_the_wrong_shape_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pickle edited so that a broadcastable (True,) variable holds a (0,) value does not
    load (it used to load, then read and write outside the value's buffer)."""
    f, b = _model()
    np.testing.assert_array_equal(f(np.ones(3)), [2.0, 2.0, 2.0])
    original = SharedContainer.__getstate__

    def edited(self: SharedContainer) -> dict:
        state = original(self)
        state["value"] = np.zeros(0)
        return state

    monkeypatch.setattr(SharedContainer, "__getstate__", edited)
    data = pickle.dumps(f)
    monkeypatch.setattr(SharedContainer, "__getstate__", original)
    with pytest.raises(TypeError, match=r"shared variable b .*broadcastable \(True,\).*\(0,\)"):
        pickle.loads(data)
    # an edited dtype that converts without loss is converted; one of another ndim raises
    state = b.container.__getstate__()
    c = SharedContainer.__new__(SharedContainer)
    c.__setstate__({**state, "value": np.ones(1, np.int32)})
    assert c.value.dtype == np.float64 and c.value.flags.c_contiguous
    with pytest.raises(TypeError, match="wrong number of dimensions"):
        c.__setstate__({**state, "value": np.ones((1, 1))})
    g = pickle.loads(pickle.dumps(f))  # an unedited pickle still loads and runs
    np.testing.assert_array_equal(g(np.ones(3)), [3.0, 3.0, 3.0])


def test_every_write_of_a_shared_value_is_checked() -> None:
    f, b = _model()
    bad = [
        np.zeros(0),
        np.zeros(2),
        np.zeros((1, 1)),
        np.zeros(1, np.float32),
        np.zeros(3)[::2],  # two elements, strided
    ]
    for value in bad[:3]:
        with pytest.raises(TypeError, match="shared variable b"):
            b.set_value(value, borrow=True)
        with pytest.raises(TypeError, match="shared variable b"):
            b.set_value(value)
    readonly = np.ones(1)
    readonly.flags.writeable = False
    for value in [*bad, readonly, [1.0]]:
        with pytest.raises(TypeError, match=r"shared variable b .*its value must be"):
            b.container.value = value  # type: ignore[assignment]
    np.testing.assert_array_equal(b.get_value(), [1.0])
    b.set_value(readonly, borrow=True)  # copied: compiled code may write into the value
    assert b.get_value(borrow=True).flags.writeable
    np.testing.assert_array_equal(f(np.ones(3)), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(b.get_value(), [2.0])


def test_the_kernel_checks_broadcastable_dims_itself() -> None:
    """Even a value that bypasses the container's checks reaches no kernel: the call checks
    the sizes the code takes as static (broadcastable dims) and raises TypeError."""
    f, b = _model()
    object.__setattr__(b.container, "_value", np.zeros(0))
    with pytest.raises(TypeError, match=r"must have the shape \(1,\).*got shape \(0,\)"):
        f(np.ones(3))
    assert b.container.value.shape == (0,)
    r = T.drow("r")
    g = tensorir.function([r], r * 2)
    with pytest.raises(TypeError, match="broadcastable"):
        g(np.zeros((0, 3)))


def test_unaligned_and_strided_arguments() -> None:
    x = T.dvector("x")
    f = tensorir.function([x], x * 2 + x.sum())
    raw = bytearray(8 * 5 + 1)
    data = np.arange(5.0)
    raw[1:] = data.tobytes()
    unaligned = np.frombuffer(raw, np.float64, count=5, offset=1)
    assert not unaligned.flags.aligned
    np.testing.assert_array_equal(f(unaligned), data * 2 + data.sum())
    strided = np.arange(10.0)[::-2]
    np.testing.assert_array_equal(f(strided), strided * 2 + strided.sum())
    readonly = np.arange(5.0)
    readonly.flags.writeable = False
    np.testing.assert_array_equal(f(readonly), readonly * 2 + readonly.sum())


def test_unpickled_constant_of_the_wrong_shape_raises() -> None:
    """A constant's data edited after it was made (as in an edited pickle) no longer has its
    type: compiling (unpickling a function compiles it) raises instead of reading outside the
    data."""
    x = T.dvector("x")
    c = T.constant(np.ones(1) * 5)
    assert c.type.broadcastable == (True,)
    f = tensorir.function([x], x + c)
    np.testing.assert_array_equal(f(np.ones(3)), [6.0, 6.0, 6.0])
    c.data = np.zeros(0)
    data = pickle.dumps(f)
    with pytest.raises(TypeError, match=r"constant .*\(True,\).*test_shared_validation.*\(0,\)"):
        pickle.loads(data)
    c.data = np.ones(1, np.float32)
    with pytest.raises(TypeError, match="float32 data of shape"):
        tensorir.function([x], x + c)


def test_the_calls_own_shape_check_names_the_variable() -> None:
    # a value stored around every container check (by writing its private slot) still never
    # reaches the kernel: the call checks the static sizes and names the shared variable
    r = tensorir.shared(np.zeros((1,)), name="r", broadcastable=(True,))
    x = T.dvector("x")
    f = tensorir.function([x], x + r)
    r.container._value = np.zeros(2)
    with pytest.raises(TypeError, match=r"argument 1 \(shared variable r\), float64, must have"):
        f(np.ones(3))
