"""``function(..., givens=...)`` and the graph substitution behind it (``clone_replace``)."""

from __future__ import annotations

import numpy as np
import pytest

import tensorir
from tensorir import tensor
from tensorir.frontend.graph import Apply, Op, TensorType, clone_replace, toposort


def test_replace_a_variable_by_an_expression_of_an_input() -> None:
    x = tensor.dvector("x")
    y = tensor.dvector("y")
    f = tensorir.function([y], (x * 2).sum(), givens={x: y + 1})
    assert f([1.0, 2.0]) == 10.0
    g = tensorir.function([y], x * x, givens=[(x, tensor.exp(y))])
    np.testing.assert_allclose(g([0.0, 1.0]), np.exp([0.0, 1.0]) ** 2)


def test_replace_an_intermediate_variable() -> None:
    x = tensor.dvector("x")
    y = tensor.dvector("y")
    h = x * 2
    out = h + 1
    f = tensorir.function([y], out, givens={h: y})
    np.testing.assert_array_equal(f([5.0, 6.0]), [6.0, 7.0])


def test_replace_by_a_constant() -> None:
    x = tensor.dvector("x")
    f = tensorir.function([], x.sum(), givens={x: [1.0, 2.0, 4.0]})
    assert f() == 7.0
    i = tensor.lscalar("i")
    g = tensorir.function([], i * 3, givens={i: 5})
    assert g() == 15


def test_replace_a_shared_variable_by_an_input() -> None:
    W = tensorir.shared(np.array([1.0, 2.0]), "W")
    y = tensor.dvector("y")
    f = tensorir.function([y], W * 2, givens={W: y})
    np.testing.assert_array_equal(f([3.0, 4.0]), [6.0, 8.0])
    assert f.shared_variables == []
    np.testing.assert_array_equal(W.get_value(), [1, 2])


def test_givens_apply_to_updates_and_default_updates() -> None:
    a = tensorir.shared(np.zeros(2), "a")
    W = tensorir.shared(np.array([100.0, 100.0]), "W")
    b = tensorir.shared(np.array([1.0, 2.0]), "b")
    f = tensorir.function([], [], updates=[(a, a + W)], givens={W: b})
    f()
    f()
    np.testing.assert_array_equal(a.get_value(), [2, 4])
    s = tensorir.shared(np.zeros(2), "s")
    s.default_update = s + W
    g = tensorir.function([], s.sum(), givens={W: b})
    assert g() == 0.0
    np.testing.assert_array_equal(s.get_value(), [1, 2])


def test_update_of_a_replaced_shared_variable() -> None:
    """givens change what the graph reads, not which variable an update stores into."""
    W = tensorir.shared(np.array([1.0, 2.0]), "W")
    y = tensor.dvector("y")
    f = tensorir.function([y], [], updates=[(W, W + 1)], givens={W: y})
    f([10.0, 20.0])
    np.testing.assert_array_equal(W.get_value(), [11, 21])


def test_broadcastable_replacement() -> None:
    m = tensor.dmatrix("m")
    r = tensor.drow("r")
    f = tensorir.function([r], m * 2, givens={m: r})
    np.testing.assert_array_equal(f([[1.0, 2.0]]), [[2.0, 4.0]])


def test_type_mismatch() -> None:
    x = tensor.dvector("x")
    y = tensor.fvector("y")
    with pytest.raises(TypeError) as info:
        tensorir.function([y], x * 2, givens={x: y * 2})
    msg = str(info.value)
    for part in ("x", "TensorType(float64, vector)", "TensorType(float32, vector)", "cast"):
        assert part in msg, (part, msg)
    m = tensor.dmatrix("m")
    with pytest.raises(TypeError, match="number of dims"):
        tensorir.function([m], x * 2, givens={x: m})
    r = tensor.drow("r")
    with pytest.raises(TypeError, match="broadcastable"):
        tensorir.function([m], r * 2, givens={r: m})
    with pytest.raises(TypeError, match="x"):
        tensorir.function([], x * 2, givens={x: 1.5})


def test_bad_keys() -> None:
    x = tensor.dvector("x")
    y = tensor.dvector("y")
    c = tensor.constant(np.ones(2))
    with pytest.raises(TypeError, match="non-constant"):
        tensorir.function([y], x + c, givens={c: y})
    with pytest.raises(TypeError, match="non-constant"):
        tensorir.function([y], x, givens=[("x", y)])
    with pytest.raises(RuntimeError, match="input to your function"):
        tensorir.function([x, y], x + y, givens={x: y})
    with pytest.raises(ValueError, match="twice"):
        tensorir.function([y], x * 2, givens=[(x, y), (x, y + 1)])
    with pytest.raises(TypeError, match="givens"):
        tensorir.function([y], x * 2, givens=y)


def test_unused_input_after_givens() -> None:
    x = tensor.dvector("x")
    y = tensor.dvector("y")
    z = tensor.dvector("z")
    with pytest.raises(ValueError, match="index 1"):
        tensorir.function([y, z], x * 2, givens={x: y})
    f = tensorir.function([y, z], x * 2, givens={x: y}, on_unused_input="ignore")
    np.testing.assert_array_equal(f([1.0], [2.0]), [2.0])


# --------------------------------------------------------------------------- clone_replace


def test_clone_replace_keeps_names_traces_and_leaves_the_original() -> None:
    x = tensor.dvector("x")
    y = tensor.dvector("y")
    a = x * 2
    a.name = "a"
    b = tensor.exp(a) + x
    b.name = "b"
    (nb,) = clone_replace([b], {x: y})
    assert nb is not b and nb.name == "b" and nb.trace == b.trace
    assert nb.owner.op == b.owner.op
    na = nb.owner.inputs[0].owner.inputs[0]
    assert na.name == "a" and na.trace == a.trace and na is not a
    assert na.owner.inputs[0] is y and nb.owner.inputs[1] is y
    # the original graph is unchanged
    assert b.owner.inputs[1] is x and a.owner.inputs[0] is x
    # nothing to replace: the same variables
    z = tensor.dvector("z")
    assert clone_replace([b, a], {z: y}) == [b, a]
    # an output that is itself a key
    assert clone_replace([x, b], {x: y})[0] is y


def test_clone_replace_several_outputs_shares_unchanged_parts() -> None:
    x = tensor.dvector("x")
    y = tensor.dvector("y")
    w = tensor.dvector("w")
    t = TensorType("float64", (False,))
    node = Apply(Op(object, "Pair"), [x, w], [t, t])
    first, second = node.outputs
    unchanged = w * 3
    out1, out2, out3 = clone_replace([first + 1, second, unchanged], {x: y})
    clone = out2.owner
    assert clone is not node and clone.op is node.op and clone.trace == node.trace
    assert clone.inputs == [y, w] and clone.outputs[0] is out1.owner.inputs[0]
    assert [o.index for o in clone.outputs] == [0, 1]
    assert out3 is unchanged
    assert len(toposort([out1, out2])) == 2
