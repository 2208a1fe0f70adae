"""``function(..., updates=...)``: every update is computed from the values before the call and
committed only if the call succeeds; updates that can be are written in place into the shared
variable's buffer; default_update; the errors Theano users expect."""

from __future__ import annotations

import numpy as np
import pytest

import tensorir
from tensorir import tensor
from tensorir.abi import FunctionABI


def address(s) -> int:
    return s.get_value(borrow=True).ctypes.data


def result_kinds(f) -> list[str]:
    return [r.kind for r in f.kernel.abi.results]


def test_training_step_in_place() -> None:
    x = tensor.dvector("x")
    W = tensorir.shared(np.array([0.1, 0.25, 0.15, 0.3]), "W")
    f = tensorir.function([x], (x * W).sum(), updates=[(W, W - 0.1 * x)])
    assert result_kinds(f) == ["scalar", "argument"]
    abi = f.kernel.abi
    assert abi.results[1].arg == 1 and abi.results[1].slots == 0 and abi.out_slots == 1
    assert FunctionABI.from_json(abi.to_json()) == abi
    before = address(W)
    w = W.get_value()
    for i in range(5):
        xv = np.array([1.0, 2.0, -1.0, 0.5]) * (i + 1)
        assert f(xv) == pytest.approx((xv * w).sum())
        w = w - 0.1 * xv
        np.testing.assert_allclose(W.get_value(), w)
        assert address(W) == before


def test_updates_as_dict_and_list() -> None:
    a = tensorir.shared(np.zeros(3), "a")
    b = tensorir.shared(np.ones(3), "b")
    f = tensorir.function([], [], updates={a: a + 1, b: b * 3})
    assert f() == []
    np.testing.assert_array_equal(a.get_value(), [1, 1, 1])
    np.testing.assert_array_equal(b.get_value(), [3, 3, 3])
    g = tensorir.function([], a.sum(), updates=[(a, a * 2), (b, b - 1)])
    assert g() == 3.0
    np.testing.assert_array_equal(a.get_value(), [2, 2, 2])
    np.testing.assert_array_equal(b.get_value(), [2, 2, 2])


def test_swap_uses_old_values() -> None:
    a = tensorir.shared(np.array([1.0, 2.0]), "a")
    b = tensorir.shared(np.array([3.0, 4.0]), "b")
    f = tensorir.function([], [], updates=[(a, b), (b, a)])
    f()
    np.testing.assert_array_equal(a.get_value(), [3, 4])
    np.testing.assert_array_equal(b.get_value(), [1, 2])
    f()
    np.testing.assert_array_equal(a.get_value(), [1, 2])
    np.testing.assert_array_equal(b.get_value(), [3, 4])
    # the new value of a is a copy of b, not b's buffer
    a.get_value(borrow=True)[0] = 100
    assert b.get_value()[0] == 3


def test_cycle_of_elementwise_updates() -> None:
    """Each update reads the other's old value: one is written in place, one is not."""
    a = tensorir.shared(np.array([1.0, 2.0, 3.0]), "a")
    b = tensorir.shared(np.array([10.0, 20.0, 30.0]), "b")
    f = tensorir.function([], [], updates=[(a, a + b), (b, b - a)])
    assert sorted(result_kinds(f)) == ["argument", "buffer"]
    av, bv = a.get_value(), b.get_value()
    for _ in range(3):
        f()
        av, bv = av + bv, bv - av
        np.testing.assert_array_equal(a.get_value(), av)
        np.testing.assert_array_equal(b.get_value(), bv)


def test_chain_both_in_place() -> None:
    """a's update reads b, b's update reads only b: a is written first, then b, both in place."""
    a = tensorir.shared(np.array([1.0, 2.0]), "a")
    b = tensorir.shared(np.array([5.0, 7.0]), "b")
    f = tensorir.function([], [], updates=[(b, b * 2), (a, a + b)])
    assert result_kinds(f) == ["argument", "argument"]
    pa, pb = address(a), address(b)
    f()
    np.testing.assert_array_equal(a.get_value(), [6, 9])
    np.testing.assert_array_equal(b.get_value(), [10, 14])
    assert (address(a), address(b)) == (pa, pb)


def test_not_in_place_when_the_shape_may_change() -> None:
    M = tensor.dmatrix("M")
    v = tensorir.shared(np.array([1.0, 2.0]), "v")
    f = tensorir.function([M], [], updates=[(v, tensor.dot(M, v))])
    assert result_kinds(f) == ["buffer"]
    m = np.arange(6.0).reshape(3, 2)
    f(m)
    np.testing.assert_array_equal(v.get_value(), m @ np.array([1.0, 2.0]))
    assert v.get_value().shape == (3,)


def test_returned_old_value_and_in_place_update() -> None:
    W = tensorir.shared(np.array([1.0, 2.0]), "W")
    f = tensorir.function([], [W, W * 10], updates=[(W, W + 1)])
    p = address(W)
    old, scaled = f()
    np.testing.assert_array_equal(old, [1, 2])
    np.testing.assert_array_equal(scaled, [10, 20])
    np.testing.assert_array_equal(W.get_value(), [2, 3])
    assert address(W) == p
    old[0] = 50  # the output is a copy, not the shared buffer
    assert W.get_value()[0] == 2


def test_update_also_an_output() -> None:
    W = tensorir.shared(np.array([1.0, 2.0]), "W")
    new = W * 2
    f = tensorir.function([], new, updates=[(W, new)])
    np.testing.assert_array_equal(f(), [2, 4])
    np.testing.assert_array_equal(W.get_value(), [2, 4])
    out = f()
    np.testing.assert_array_equal(out, [4, 8])
    out[0] = -1
    np.testing.assert_array_equal(W.get_value(), [4, 8])


def test_identity_update_costs_nothing() -> None:
    s = tensorir.shared(np.array([1.0, 2.0]), "s")
    f = tensorir.function([], s.sum(), updates=[(s, s)])
    assert result_kinds(f) == ["scalar", "argument"]
    arr = s.get_value(borrow=True)
    assert f() == 3.0
    assert s.get_value(borrow=True) is arr


def test_scalar_counter() -> None:
    c = tensorir.shared(0, "count")
    inc = tensor.lscalar("inc")
    f = tensorir.function([inc], c, updates=[(c, c + inc)])
    assert [int(f(k)) for k in (1, 2, 3)] == [0, 1, 3]
    assert c.get_value() == 6 and c.get_value().dtype == np.int64
    reset = tensorir.function([], [], updates=[(c, 0)])  # a Python constant of c's type
    reset()
    assert c.get_value() == 0


def test_float_scalar_and_complex_scalar() -> None:
    s = tensorir.shared(1.5, "s")
    z = tensorir.shared(1 + 1j, "z")
    f = tensorir.function([], [s * 2, z], updates=[(s, s * s), (z, z * 1j)])
    out = f()
    assert out[0] == 3.0 and out[1] == 1 + 1j
    assert s.get_value() == 2.25 and z.get_value() == (1 + 1j) * 1j


def test_float32_and_int_in_place() -> None:
    W = tensorir.shared(np.ones((2, 3), "float32"), "W")
    x = tensor.fmatrix("x")
    # in place: the update's last kernel reads W element for element
    f = tensorir.function([x], [], updates=[(W, W + x * np.float32(0.25))])
    p = address(W)
    f(np.full((2, 3), 6, "float32"))
    np.testing.assert_array_equal(W.get_value(), np.full((2, 3), 2.5, "float32"))
    assert W.get_value().dtype == np.float32 and address(W) == p
    n = tensorir.shared(np.arange(4, dtype="int32"), "n")
    g = tensorir.function([], [], updates=[(n, n * 3)])
    g()
    np.testing.assert_array_equal(n.get_value(), [0, 3, 6, 9])


def test_update_from_another_shared_variable_is_copied() -> None:
    a = tensorir.shared(np.zeros(2), "a")
    b = tensorir.shared(np.array([1.0, 2.0]), "b")
    tensorir.function([], [], updates=[(a, b)])()
    np.testing.assert_array_equal(a.get_value(), [1, 2])
    assert not np.shares_memory(a.get_value(borrow=True), b.get_value(borrow=True))


def test_broadcastable_update_of_a_non_broadcastable_variable() -> None:
    W = tensorir.shared(np.arange(6.0).reshape(2, 3), "W")
    f = tensorir.function([], [], updates=[(W, W.sum(axis=0, keepdims=True))])
    f()
    np.testing.assert_array_equal(W.get_value(), [[3.0, 5.0, 7.0]])
    assert W.type.broadcastable == (False, False)


# --------------------------------------------------------------------------- atomicity


def test_failed_call_changes_no_shared_variable() -> None:
    """b's update fails a shape check; a's update (in place, built first) must not happen."""
    a = tensorir.shared(np.array([1.0, 2.0, 3.0]), "a")
    b = tensorir.shared(np.array([1.0, 1.0, 1.0]), "b")
    c = tensorir.shared(np.array([5.0, 5.0, 5.0]), "c")
    x = tensor.dvector("x")
    f = tensorir.function([x], a.sum(), updates=[(a, a * 2), (c, tensor.dot(a, a) + c), (b, b + x)])
    assert result_kinds(f).count("argument") >= 2
    saved = [s.get_value() for s in (a, b, c)]
    addresses = [address(s) for s in (a, b, c)]
    for _ in range(3):
        with pytest.raises(ValueError, match="do not broadcast"):
            f(np.ones(4))
        for s, v in zip((a, b, c), saved, strict=True):
            np.testing.assert_array_equal(s.get_value(), v)
    assert [address(s) for s in (a, b, c)] == addresses
    assert f(np.ones(3)) == 6.0
    np.testing.assert_array_equal(a.get_value(), [2, 4, 6])
    np.testing.assert_array_equal(b.get_value(), [2, 2, 2])
    np.testing.assert_array_equal(c.get_value(), [19, 19, 19])


def test_failed_input_conversion_changes_nothing() -> None:
    a = tensorir.shared(np.array([1.0, 2.0]), "a")
    x = tensor.dvector("x")
    f = tensorir.function([x], [], updates=[(a, a + x)])
    with pytest.raises(TypeError):
        f("not numbers")
    np.testing.assert_array_equal(a.get_value(), [1, 2])


# --------------------------------------------------------------------------- errors


def test_update_type_mismatch_message() -> None:
    W = tensorir.shared(np.zeros(3, "float32"), "W")
    x = tensor.dvector("x")
    new_w = W - 0.1 * x  # float64: the line the error shows
    with pytest.raises(TypeError) as info:
        tensorir.function([x], [], updates=[(W, new_w)])
    msg = str(info.value)
    for part in ("W", "float32", "float64", "new_w = W - 0.1 * x", "cast", "astype"):
        assert part in msg, (part, msg)
    ok = tensorir.function([x], [], updates=[(W, tensor.cast(new_w, "float32"))])
    ok(np.ones(3))
    np.testing.assert_allclose(W.get_value(), np.full(3, -0.1, "float32"))


def test_update_ndim_and_broadcast_mismatch() -> None:
    W = tensorir.shared(np.zeros(3), "W")
    with pytest.raises(TypeError, match="number of dims"):
        tensorir.function([], [], updates=[(W, W.sum())])
    r = tensorir.shared(np.zeros((1, 3)), "r", broadcastable=(True, False))
    m = tensor.dmatrix("m")
    with pytest.raises(TypeError, match="broadcastable") as info:
        tensorir.function([m], [], updates=[(r, m)])
    assert "r" in str(info.value)
    with pytest.raises(TypeError, match="W"):
        tensorir.function([], [], updates=[(W, [1.0, 2.0, "x"])])
    with pytest.raises(TypeError, match="W"):
        tensorir.function([], [], updates=[(W, 1.5)])  # a scalar for a vector


def test_update_target_must_be_shared() -> None:
    x = tensor.dvector("x")
    with pytest.raises(TypeError, match="x.*shared variable"):
        tensorir.function([x], [], updates=[(x, x + 1)])
    with pytest.raises(TypeError, match="pairs"):
        tensorir.function([x], x, updates=[x])
    with pytest.raises(TypeError, match="pairs"):
        tensorir.function([x], x, updates=x)


def test_duplicate_update() -> None:
    W = tensorir.shared(np.zeros(3), "W")
    with pytest.raises(ValueError, match="W"):
        tensorir.function([], [], updates=[(W, W + 1), (W, W + 2)])


def test_shared_variable_as_input() -> None:
    W = tensorir.shared(np.zeros(3), "W")
    with pytest.raises(TypeError) as info:
        tensorir.function([W], W * 2)
    assert str(info.value) == (
        "Cannot use a shared variable (W) as explicit input. Consider substituting a "
        "non-shared variable via the `givens` parameter"
    )


def test_input_used_only_by_an_update_is_used() -> None:
    x = tensor.dvector("x")
    y = tensor.dvector("y")
    W = tensorir.shared(np.zeros(2), "W")
    f = tensorir.function([x], [], updates=[(W, W + x)])
    f([1.0, 2.0])
    np.testing.assert_array_equal(W.get_value(), [1, 2])
    with pytest.raises(ValueError, match="index 1"):
        tensorir.function([x, y], [], updates=[(W, W + x)])


# --------------------------------------------------------------------------- default_update


def test_default_update() -> None:
    s = tensorir.shared(np.array([1.0, 2.0]), "s")
    s.default_update = s + 1
    f = tensorir.function([], s.sum())
    assert f() == 3.0
    assert f() == 5.0
    np.testing.assert_array_equal(s.get_value(), [3, 4])
    g = tensorir.function([], s.sum(), no_default_updates=True)
    assert g() == 7.0 and g() == 7.0
    h = tensorir.function([], s.sum(), no_default_updates=[s])
    assert h() == 7.0 and h() == 7.0
    explicit = tensorir.function([], s.sum(), updates=[(s, s * 0)])  # wins over the default
    assert explicit() == 7.0
    np.testing.assert_array_equal(s.get_value(), [0, 0])


def test_default_update_chain_and_unread_variable() -> None:
    a = tensorir.shared(1.0, "a")
    b = tensorir.shared(10.0, "b")
    unread = tensorir.shared(0.0, "unread")
    a.default_update = a + b  # reaching b, whose own default update applies too
    b.default_update = b * 2
    unread.default_update = unread + 1
    f = tensorir.function([], a * 1)
    assert f() == 1.0
    assert a.get_value() == 11.0 and b.get_value() == 20.0
    assert unread.get_value() == 0.0  # not read by the function: no default update
    with pytest.raises(TypeError, match="default_update"):
        a.default_update = tensor.cast(a, "float32")
        tensorir.function([], a * 1)


# --------------------------------------------------------------------------- outputs, IR


def test_dict_outputs() -> None:
    x = tensor.dvector("x")
    W = tensorir.shared(np.array([1.0, 2.0]), "W")
    f = tensorir.function([x], {"dot": (x * W).sum(), "twice": x * 2}, updates=[(W, W + x)])
    out = f([1.0, 1.0])
    assert set(out) == {"dot", "twice"}
    assert out["dot"] == 3.0
    np.testing.assert_array_equal(out["twice"], [2, 2])
    np.testing.assert_array_equal(W.get_value(), [2, 3])
    g = tensorir.function([x], {"y": x + 1})
    assert list(g([1.0])) == ["y"]
    with pytest.raises(TypeError, match="strings"):
        tensorir.function([x], {1: x})


def test_outputs_none_and_single() -> None:
    W = tensorir.shared(np.zeros(2), "W")
    assert tensorir.function([], None, updates=[(W, W + 1)])() == []
    np.testing.assert_array_equal(W.get_value(), [1, 1])
    single = tensorir.function([], W.sum(), updates=[(W, W + 1)])()
    assert isinstance(single, np.ndarray) and single == 2.0


def test_ir_shows_shared_arguments_and_updates() -> None:
    x = tensor.dvector("x")
    W = tensorir.shared(np.zeros(3), "W")
    f = tensorir.function([x], (x * W).sum(), updates=[(W, W - 0.1 * x)])
    tir_text = f.ir("tir")
    assert "%W: tensor<?xf64>" in tir_text and "{tir.update = 1 : i64}" in tir_text
    buffers = f.ir("buffers")
    assert "outs(%W : memref<?xf64>)" in buffers
    assert "func.return %" in buffers and ", %W : f64, memref<?xf64>" in buffers
    for level in ("linalg", "loops", "llvm"):
        assert f.ir(level)


def test_mode_and_compatibility_arguments() -> None:
    x = tensor.dvector("x")
    for mode in (None, "FAST_RUN", "FAST_COMPILE"):
        f = tensorir.function([x], x + 1, mode=mode, profile=False, accept_inplace=True)
        assert f.mode == (mode or tensorir.config.mode)  # None: the configured mode
    with pytest.raises(ValueError, match="mode"):
        tensorir.function([x], x + 1, mode="NO_SUCH_MODE")
    with pytest.raises(TypeError, match="list"):
        tensorir.function(x, x + 1)


def test_copy_of_a_shared_variable_is_taken_before_it_is_overwritten() -> None:
    """a's update is b's old value (a copy); b's update is written in place after it."""
    a = tensorir.shared(np.zeros(2), "a")
    b = tensorir.shared(np.array([1.0, 2.0]), "b")
    f = tensorir.function([], [], updates=[(b, b + 1), (a, b)])
    assert result_kinds(f) == ["argument", "buffer"]
    f()
    np.testing.assert_array_equal(a.get_value(), [1, 2])
    np.testing.assert_array_equal(b.get_value(), [2, 3])


def test_element_of_a_variable_updated_in_place_is_its_old_value() -> None:
    # a rank-0 output is read before the in-place write, a slice copied before it
    vec = tensorir.shared(np.zeros(4), "vec")
    f = tensorir.function([], [vec[0], vec[1:3]], updates=[(vec, vec + 1)])
    for step in range(3):
        first, middle = f()
        assert first == step
        np.testing.assert_array_equal(middle, [step, step])
    np.testing.assert_array_equal(vec.get_value(), np.full(4, 3.0))


def test_one_generated_frame_per_call() -> None:
    """A call is one generated ``__call__`` (conversions and the kernel's own lines, no
    nested Python call); keywords and wrong counts take the general path, same results."""
    w = tensorir.shared(np.zeros(3), name="w")
    x, lr = tensor.dvector("x"), tensor.dscalar("lr")
    f = tensorir.function([x, lr], (w * x).sum(), updates=[(w, w + lr * x)])
    assert "kcall" not in f.call_source and "fn(" in f.call_source and "with L0" in f.call_source
    assert type(f).__call__.__code__.co_name == "__call__"
    ones = np.ones(3)
    assert f(ones, 1.0) == 0.0
    assert f(ones, lr=1.0) == 3.0
    assert f(lr=2.0, x=ones) == 6.0
    np.testing.assert_array_equal(w.get_value(), [4.0, 4.0, 4.0])
    with pytest.raises(TypeError, match=r"expected 2 argument\(s\) \(x, lr\), got 3"):
        f(ones, 1.0, 2.0)
    with pytest.raises(TypeError, match=r"expected 2 argument\(s\) \(x, lr\), got 1"):
        f(ones)
    with pytest.raises(TypeError, match="missing input"):
        f(x=ones)
    np.testing.assert_array_equal(w.get_value(), [4.0, 4.0, 4.0])


def test_many_updated_shared_variables() -> None:
    """A call that updates 30 shared variables takes 30 locks (more than one with statement
    may hold): positionally and with keywords, every update lands once."""
    ws = [tensorir.shared(np.full(2, float(k)), name=f"w{k}") for k in range(30)]
    x = tensor.dvector("x")
    total = ws[0].sum()
    for w in ws[1:]:
        total = total + w.sum()
    f = tensorir.function([x], total, updates=[(w, w + x) for w in ws])
    ones = np.ones(2)
    assert f(ones) == 2 * sum(range(30))
    assert f(x=ones) == 2 * sum(range(30)) + 60
    for k, w in enumerate(ws):
        np.testing.assert_array_equal(w.get_value(), [k + 2.0, k + 2.0])
