"""Pickle and deepcopy of variables, graphs, shared variables and compiled functions, as
Theano's tutorials use them: a model object with shared parameters and symbolic expressions
saved during training and loaded to predict, ``best_params = copy.deepcopy(params)``."""

from __future__ import annotations

import copy
import io
import pickle
import sys
from typing import Any

import numpy as np
import pytest

import tensorir
from tensorir import tensor
from tensorir.frontend.graph import Apply, Constant, Variable, graph_inputs, toposort
from tensorir.frontend.shared import SharedVariable
from tensorir.runtime.function import Function

PROTOCOLS = list(range(pickle.HIGHEST_PROTOCOL + 1))


def pickled(obj: Any, protocol: int = pickle.DEFAULT_PROTOCOL) -> Any:
    return pickle.loads(pickle.dumps(obj, protocol=protocol))


ROUND_TRIPS = {"pickle": pickled, "deepcopy": copy.deepcopy}
round_trips = pytest.mark.parametrize("round_trip", list(ROUND_TRIPS.values()), ids=ROUND_TRIPS)


def assert_same_graph(a: Variable, b: Variable) -> None:
    """``b`` is a copy of ``a``: same Applies (op, trace, output names and types) and leaves,
    none of them the original objects, and with the same sharing between them."""
    nodes_a, nodes_b = toposort([a]), toposort([b])
    assert len(nodes_a) == len(nodes_b)
    position = {id(n): i for i, n in enumerate(nodes_a)}
    position_b = {id(n): i for i, n in enumerate(nodes_b)}
    leaves_a, leaves_b = graph_inputs([a]), graph_inputs([b])
    leaf = {id(v): i for i, v in enumerate(leaves_a)}
    leaf_b = {id(v): i for i, v in enumerate(leaves_b)}
    for na, nb in zip(nodes_a, nodes_b, strict=True):
        assert na is not nb
        assert na.op == nb.op and str(na.op) == str(nb.op)
        assert na.trace == nb.trace
        assert [(v.type, v.name, v.index, v.trace) for v in na.outputs] == [
            (v.type, v.name, v.index, v.trace) for v in nb.outputs
        ]
        assert all(v.owner is nb for v in nb.outputs)
        for va, vb in zip(na.inputs, nb.inputs, strict=True):
            assert va is not vb and va.type == vb.type and va.name == vb.name
            if va.owner is None:
                assert leaf[id(va)] == leaf_b[id(vb)]
            else:
                assert position[id(va.owner)] == position_b[id(vb.owner)]
                assert vb is vb.owner.outputs[va.index]
    for va, vb in zip(leaves_a, leaves_b, strict=True):
        assert type(va) is type(vb) and va.type == vb.type and va.name == vb.name
        assert va.trace == vb.trace
        if isinstance(va, Constant):
            assert vb.data.dtype == va.data.dtype and np.array_equal(va.data, vb.data)
    assert b.index == a.index and b.name == a.name and b.type == a.type


# --------------------------------------------------------------------------- variables, graphs


@round_trips
def test_input_variable(round_trip) -> None:
    x = tensor.fmatrix("x")
    y = round_trip(x)
    assert y is not x and type(y) is Variable
    assert y.type == x.type and y.name == "x" and y.owner is None and y.trace == x.trace
    assert y.trace.filename == __file__


@round_trips
def test_graph_with_constants_and_several_outputs(round_trip) -> None:
    x = tensor.dmatrix("x")
    v = tensor.dvector("v")
    h = tensor.tanh(tensor.dot(x, v) + 1.5)  # a Python constant becomes a Constant
    h.name = "h"
    total = (h * np.array([2.0, 3.0])).sum()
    outs = [h, total, h.max(), tensor.cast(total, "float32")]
    copies = round_trip(outs)
    for a, b in zip(outs, copies, strict=True):
        assert_same_graph(a, b)
    # the subexpression and the inputs are shared, as in the original graph
    h2 = copies[0]
    assert h2.name == "h"
    assert copies[1].owner.inputs[0].owner.inputs[0] is h2
    assert graph_inputs(copies)[:2] == graph_inputs([h2])[:2]
    x2, v2 = graph_inputs([h2])[:2]
    assert (x2.name, v2.name) == ("x", "v")
    f = tensorir.function([x, v], outs)
    f2 = tensorir.function([x2, v2], copies)
    a, b = np.arange(6.0).reshape(2, 3) / 7, np.array([0.5, -1.0, 2.0])
    for r, r2 in zip(f(a, b), f2(a, b), strict=True):
        assert r.dtype == r2.dtype
        np.testing.assert_array_equal(r, r2)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_every_protocol(protocol: int) -> None:
    x = tensor.dvector("x")
    s = tensorir.shared(np.arange(3.0), "s")
    y = tensor.exp(x * s).sum()
    y2, s2 = pickled((y, s), protocol)
    assert_same_graph(y, y2)
    assert graph_inputs([y2])[1] is s2
    np.testing.assert_array_equal(s2.get_value(), [0.0, 1.0, 2.0])


@round_trips
def test_gradient_graph(round_trip) -> None:
    x = tensor.dvector("x")
    w = tensor.dvector("w")
    cost = tensor.sqr(tensor.dot(x, w) - 1.0)
    g = tensorir.grad(cost, [w])[0]
    g2 = round_trip(g)
    assert_same_graph(g, g2)
    x2, w2 = graph_inputs([g2])[:2]
    f, f2 = tensorir.function([x, w], g), tensorir.function([x2, w2], g2)
    a, b = np.array([1.0, 2.0]), np.array([0.5, 0.25])
    np.testing.assert_array_equal(f(a, b), f2(a, b))


@round_trips
def test_apply_alone(round_trip) -> None:
    x = tensor.dvector("x")
    node = ((x + 1) * 2).owner
    node2 = round_trip(node)
    assert type(node2) is Apply and node2 is not node
    assert node2.op == node.op and node2.outputs[0].owner is node2
    assert_same_graph(node.outputs[0], node2.outputs[0])


def test_copy_is_shallow() -> None:
    x = tensor.dvector("x")
    y = x + 1
    c = copy.copy(y)
    assert c is not y and c.owner is y.owner and c.type == y.type
    node = copy.copy(y.owner)
    assert node is not y.owner and node.inputs is y.owner.inputs
    # a copy of an output pickles as such: same owner, its own attributes
    c.name = "c"
    y2, c2 = pickled((y, c))
    assert c2 is not y2 and c2.owner is y2.owner and c2.name == "c" and y2.name is None


def test_identity_preserved_across_objects_of_one_pickle() -> None:
    x = tensor.dvector("x")
    a = x * 2
    b = a + 1
    c = a - 1
    loaded = pickled({"b": b, "a": a, "c": c, "nodes": [b.owner, c.owner]})
    assert loaded["b"].owner.inputs[0] is loaded["a"]
    assert loaded["c"].owner.inputs[0] is loaded["a"]
    assert loaded["nodes"] == [loaded["b"].owner, loaded["c"].owner]
    assert graph_inputs([loaded["b"]])[0] is graph_inputs([loaded["c"]])[0]


def test_separate_pickles_are_independent() -> None:
    x = tensor.dvector("x")
    y = x + 1
    y1, y2 = pickled(y), pickled(y)
    assert y1 is not y2 and y1.owner.inputs[0] is not y2.owner.inputs[0]


def test_pickler_kept_alive_between_pickles() -> None:
    """One Pickler dumping several times refers back to what it wrote; a pickle made while it
    lives, or inside another pickle, writes its own graph (with little stack: the sessions
    do not mix)."""
    _, steps = chain(2000)
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(_stack()) + 150)
    try:
        pickler.dump(steps[-1])
        alone = pickle.dumps(steps[-1])
        pickler.dump(steps[1000])
        alone_too = pickle.dumps(steps[1000])
    finally:
        sys.setrecursionlimit(limit)
    buf.seek(0)
    unpickler = pickle.Unpickler(buf)
    last, middle = unpickler.load(), unpickler.load()
    check_chain(last, 2000)
    assert toposort([last])[1000].outputs[0] is middle
    check_chain(pickle.loads(alone), 2000)
    check_chain(pickle.loads(alone_too), 1001)


# --------------------------------------------------------------------------- long graphs


def chain(n: int) -> tuple[Variable, list[Variable]]:
    x = tensor.dvector("x")
    y, steps = x, []
    for i in range(n):
        y = y + float(i) if i % 2 else y * 1.5
        steps.append(y)
    return x, steps


def check_chain(last: Variable, n: int) -> None:
    v, count = last, 0
    while v.owner is not None:
        assert v.owner.op.name == ("add" if (n - 1 - count) % 2 else "mul")
        const = v.owner.inputs[1]
        assert isinstance(const, Constant)
        assert const.data.item() == (float(n - 1 - count) if (n - 1 - count) % 2 else 1.5)
        v = v.owner.inputs[0]
        count += 1
    assert count == n and v.name == "x"


@round_trips
def test_long_chain(round_trip) -> None:
    _, steps = chain(2000)
    check_chain(round_trip(steps[-1]), 2000)


@round_trips
def test_every_step_of_a_long_chain(round_trip) -> None:
    """Each Apply is written once per pickle, however many of its outputs are pickled."""
    _, steps = chain(2000)
    loaded = round_trip(steps)
    check_chain(loaded[-1], 2000)
    assert all(b.owner.inputs[0] is a for a, b in zip(loaded, loaded[1:], strict=False))
    assert len(pickle.dumps(steps)) < 2 * len(pickle.dumps(steps[-1]))


def test_long_graph_needs_little_stack() -> None:
    """Pickling does not recurse along the graph: a 6000-op graph pickles and deep-copies
    with 150 frames of stack to spare."""
    x = tensor.dvector("x")
    y = x
    for _ in range(3000):
        y = tensor.exp(y) * x
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(_stack()) + 150)
    try:
        data = pickle.dumps(y)
        copied = copy.deepcopy(y)
    finally:
        sys.setrecursionlimit(limit)
    loaded = pickle.loads(data)
    assert len(toposort([loaded])) == len(toposort([copied])) == 6000


def test_failed_pickle_then_long_graph() -> None:
    """A pickle that fails leaves nothing behind that the next one could trip on."""
    x = tensor.dvector("x")
    bad = x + 1
    bad.tag = lambda: None  # not picklable
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        pickle.dumps([x, bad])
    _, steps = chain(2000)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(_stack()) + 150)
    try:
        data = pickle.dumps(steps[-1])
    finally:
        sys.setrecursionlimit(limit)
    check_chain(pickle.loads(data), 2000)


class PicklesItsOwn:
    """Pickles an expression inside another pickle (a nested pickle)."""

    def __init__(self, expr: Variable) -> None:
        self.expr = expr

    def __getstate__(self) -> dict[str, Any]:
        return {"blob": pickle.dumps(self.expr)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.expr = pickle.loads(state["blob"])


@round_trips
def test_nested_pickle(round_trip) -> None:
    _, steps = chain(2000)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(_stack()) + 200)
    try:
        y, holder = round_trip([steps[-1], PicklesItsOwn(steps[1000])])
    finally:
        sys.setrecursionlimit(limit)
    check_chain(y, 2000)
    check_chain(holder.expr, 1001)
    assert holder.expr is not toposort([y])[1000].outputs[0]


def _stack() -> list[Any]:
    frames, f = [], sys._getframe()
    while f is not None:
        frames.append(f)
        f = f.f_back
    return frames


# --------------------------------------------------------------------------- shared variables


@round_trips
@pytest.mark.parametrize(
    "value, kw",
    [
        (np.arange(6, dtype="float32").reshape(2, 3), {}),
        (np.arange(4, dtype="int32"), {"strict": True}),
        (2.5, {"allow_downcast": True}),
        (True, {}),
        (1 + 2j, {}),
        (np.ones((1, 3)), {"broadcastable": (True, False)}),
    ],
)
def test_shared_variable(round_trip, value, kw) -> None:
    s = tensorir.shared(value, name="s", **kw)
    s2 = round_trip(s)
    assert type(s2) is SharedVariable and s2 is not s
    assert s2.type == s.type and s2.broadcastable == s.broadcastable and s2.name == "s"
    assert s2.trace == s.trace
    v, v2 = s.get_value(borrow=True), s2.get_value(borrow=True)
    assert v2.dtype == v.dtype and v2.shape == v.shape and np.array_equal(v, v2)
    assert not np.shares_memory(v, v2)
    assert v2.flags.c_contiguous and v2.flags.writeable and type(v2) is np.ndarray
    c, c2 = s.container, s2.container
    assert (c2.strict, c2.allow_downcast, c2.dtype, c2.broadcastable, c2.name) == (
        c.strict,
        c.allow_downcast,
        c.dtype,
        c.broadcastable,
        c.name,
    )
    # the two are independent
    s2.set_value(np.zeros_like(v2))
    assert np.array_equal(s.get_value(), v)


@round_trips
def test_shared_default_update(round_trip) -> None:
    counter = tensorir.shared(np.int64(0), "counter")
    counter.default_update = counter + 1
    c2 = round_trip(counter)
    assert c2.default_update.owner.inputs[0] is c2
    f = tensorir.function([], c2)
    assert [int(f()) for _ in range(3)] == [0, 1, 2]
    assert int(c2.get_value()) == 3 and int(counter.get_value()) == 0


def test_shared_after_set_value_borrow() -> None:
    s = tensorir.shared(np.zeros((2, 5)), "s")
    big = np.arange(20.0).reshape(4, 5)
    s.set_value(big[1:3], borrow=True)  # aliases a C-contiguous part of big
    assert np.shares_memory(s.get_value(borrow=True), big)
    for s2 in (pickled(s), copy.deepcopy(s)):
        v = s2.get_value(borrow=True)
        assert type(v) is np.ndarray and v.dtype == np.float64 and v.shape == (2, 5)
        assert v.flags.c_contiguous and v.flags.writeable
        assert not np.shares_memory(v, big)
        np.testing.assert_array_equal(v, big[1:3])
        f = tensorir.function([], [], updates=[(s2, s2 * 2)])
        f()
        np.testing.assert_array_equal(s2.get_value(), big[1:3] * 2)
    np.testing.assert_array_equal(big[1:3], np.arange(5.0, 15.0).reshape(2, 5))


def test_shared_value_from_read_only_buffers() -> None:
    """Out-of-band pickle buffers may be read-only: the loaded value is made writeable."""
    s = tensorir.shared(np.arange(6.0).reshape(2, 3), "s")
    buffers: list[Any] = []
    data = pickle.dumps(s, protocol=5, buffer_callback=buffers.append)
    s2 = pickle.loads(data, buffers=[bytes(b.raw()) for b in buffers])
    v = s2.get_value(borrow=True)
    assert v.flags.writeable and v.flags.c_contiguous and v.dtype == np.float64
    tensorir.function([], [], updates=[(s2, s2 + 1)])()
    np.testing.assert_array_equal(s2.get_value(), np.arange(1.0, 7.0).reshape(2, 3))


def test_shared_value_written_by_compiled_code() -> None:
    s = tensorir.shared(np.ones(4, dtype="float32"), "s")
    tensorir.function([], [], updates=[(s, tensor.exp(s) * 2)])()  # a buffer from the kernel
    s2 = pickled(s)
    np.testing.assert_array_equal(s2.get_value(), s.get_value())
    assert s2.get_value(borrow=True).dtype == np.float32


def test_best_params_deepcopy() -> None:
    """The tutorial's early stopping: ``best_params = copy.deepcopy(params)``."""
    W = tensorir.shared(np.ones((2, 2)), "W")
    b = tensorir.shared(np.zeros(2), "b")
    params = [W, b]
    step = tensorir.function([], [], updates=[(W, W * 0.5), (b, b + 1)])
    step()
    best_params = copy.deepcopy(params)
    step()
    np.testing.assert_array_equal(best_params[0].get_value(), np.full((2, 2), 0.5))
    np.testing.assert_array_equal(best_params[1].get_value(), [1.0, 1.0])
    np.testing.assert_array_equal(W.get_value(), np.full((2, 2), 0.25))


# --------------------------------------------------------------------------- functions


@round_trips
def test_function_without_updates(round_trip) -> None:
    x = tensor.dmatrix("x")
    y = tensor.dvector("y")
    f = tensorir.function([x, y], [tensor.dot(x, y), (x * 2).sum()], name="f")
    f2 = round_trip(f)
    a, b = np.arange(6.0).reshape(2, 3), np.array([1.0, -1.0, 0.5])
    for r, r2 in zip(f(a, b), f2(a, b), strict=True):
        np.testing.assert_array_equal(r, r2)
    assert f2.name == "f" and [i.name for i in f2.inputs] == ["x", "y"]
    assert f2(y=b, x=a)[1] == f(a, b)[1]
    assert isinstance(f2.ir("tir"), str) and "tir.dot" in f2.ir("tir")


@pytest.mark.parametrize("outputs", ["single", "list", "dict", "none"])
def test_function_output_forms(outputs: str) -> None:
    x = tensor.dvector("x")
    form = {"single": x + 1, "list": [x + 1], "dict": {"y": x + 1}, "none": None}[outputs]
    f = tensorir.function([x], form, on_unused_input="ignore")
    for f2 in (pickled(f), copy.deepcopy(f), copy.copy(f)):
        r, r2 = f([1.0, 2.0]), f2([1.0, 2.0])
        assert type(r2) is type(r)
        if outputs == "dict":
            assert list(r2) == ["y"]
            np.testing.assert_array_equal(r2["y"], r["y"])
        elif outputs == "none":
            assert r2 == []
        else:
            np.testing.assert_array_equal(r2, r)


def test_function_options() -> None:
    x = tensor.fvector("x")
    unused = tensor.dscalar("unused")
    f = tensorir.function(
        [x, unused], x * 2, allow_input_downcast=True, on_unused_input="ignore", name="opts"
    )
    f2 = pickled(f)
    assert f2.options["allow_input_downcast"] is True
    assert f2.options["on_unused_input"] == "ignore" and f2.name == "opts"
    r = f2(np.array([1.0, 2.0]), 0.0)  # float64 data downcast to the float32 input
    assert r.dtype == np.float32 and np.array_equal(r, [2.0, 4.0])
    strict = pickled(tensorir.function([x], x * 2))
    with pytest.raises(TypeError):
        strict(np.array([1.0, 2.0]))


def test_function_with_givens() -> None:
    x = tensor.dvector("x")
    data = tensorir.shared(np.arange(10.0), "data")
    i = tensor.lscalar("i")
    f = tensorir.function([i], (x * 2).sum() + i, givens={x: data * 3})
    f2, data2 = pickled((f, data))
    assert f2(1) == f(1) == 271.0
    data2.set_value(np.ones(10))
    assert f2(1) == 61.0 and f(1) == 271.0


def test_function_with_updates_pickled_alone() -> None:
    x = tensor.dvector("x")
    W = tensorir.shared(np.zeros(3), "W")
    f = tensorir.function([x], (W * x).sum(), updates=[(W, W + x)])
    f([1.0, 2.0, 3.0])
    f2 = pickled(f)
    (W2,) = f2.shared_variables
    assert W2 is not W and W2.name == "W"
    assert f2([1.0, 1.0, 1.0]) == f([1.0, 1.0, 1.0]) == 6.0
    np.testing.assert_array_equal(W2.get_value(), [2.0, 3.0, 4.0])
    f2([1.0, 1.0, 1.0])
    np.testing.assert_array_equal(W2.get_value(), [3.0, 4.0, 5.0])
    np.testing.assert_array_equal(W.get_value(), [2.0, 3.0, 4.0])


def test_function_pickled_with_its_shared_variables() -> None:
    x = tensor.dvector("x")
    W = tensorir.shared(np.zeros(3), "W")
    b = tensorir.shared(np.float64(0.0), "b")
    b.default_update = b + 1
    f = tensorir.function([x], (W * x).sum() + b, updates=[(W, W + x)])
    saved = pickle.dumps({"f": f, "params": [W, b]})
    f([1.0, 1.0, 1.0])
    loaded = pickle.loads(saved)
    f2, (W2, b2) = loaded["f"], loaded["params"]
    assert f2.shared_variables == [b2, W2] or f2.shared_variables == [W2, b2]
    assert f2([1.0, 2.0, 3.0]) == 0.0
    np.testing.assert_array_equal(W2.get_value(), [1.0, 2.0, 3.0])
    assert float(b2.get_value()) == 1.0
    W2.set_value([1.0, 1.0, 1.0])
    assert f2([1.0, 1.0, 1.0]) == 4.0
    # the original is untouched by the copy's calls
    np.testing.assert_array_equal(W.get_value(), [1.0, 1.0, 1.0])
    assert float(b.get_value()) == 1.0


def test_deepcopy_and_copy_of_a_function() -> None:
    x = tensor.dvector("x")
    W = tensorir.shared(np.zeros(2), "W")
    f = tensorir.function([x], W.sum(), updates=[(W, W + x)])
    g = copy.deepcopy(f)
    (Wg,) = g.shared_variables
    assert Wg is not W and Wg.container is not W.container
    assert g.kernel is f.kernel  # the same machine code, no recompilation
    g([1.0, 2.0])
    np.testing.assert_array_equal(Wg.get_value(), [1.0, 2.0])
    np.testing.assert_array_equal(W.get_value(), [0.0, 0.0])
    h = copy.copy(f)
    assert h is not f and h.shared_variables == [W]
    h([1.0, 1.0])
    np.testing.assert_array_equal(W.get_value(), [1.0, 1.0])
    assert f([0.0, 0.0]) == 2.0
    # deepcopy with its shared variables keeps them linked
    g2, W3 = copy.deepcopy((f, W))
    g2([5.0, 5.0])
    np.testing.assert_array_equal(W3.get_value(), [6.0, 6.0])
    np.testing.assert_array_equal(W.get_value(), [1.0, 1.0])


def test_runtime_function_does_not_pickle() -> None:
    x = tensor.dvector("x")
    f = tensorir.function([x], x + 1)
    rf = Function(
        kernel=f.kernel,
        inputs=f.inputs,
        outputs_as_list=False,
        allow_input_downcast=None,
        float_x="float64",
        name="raw",
    )
    np.testing.assert_array_equal(rf([1.0]), [2.0])
    for attempt in (pickle.dumps, copy.deepcopy, copy.copy):
        with pytest.raises(TypeError, match="raw: a runtime Function .* cannot be pickled"):
            attempt(rf)


# --------------------------------------------------------------------------- a model


class LogisticRegression:
    """The tutorial's classifier: shared ``W`` and ``b``, symbolic ``p_y_given_x``."""

    def __init__(self, n_in: int, n_out: int) -> None:
        self.x = tensor.dmatrix("x")
        self.W = tensorir.shared(np.zeros((n_in, n_out)), name="W")
        self.b = tensorir.shared(np.zeros(n_out), name="b")
        z = tensor.dot(self.x, self.W) + self.b
        e = tensor.exp(z - z.max(axis=1).dimshuffle(0, "x"))
        self.p_y_given_x = e / e.sum(axis=1).dimshuffle(0, "x")
        self.params = [self.W, self.b]

    def negative_log_likelihood(self, y_onehot: Variable) -> Variable:
        return -tensor.mean(tensor.sum(y_onehot * tensor.log(self.p_y_given_x), axis=1))


def test_model_saved_during_training() -> None:
    rng = np.random.default_rng(0)
    data = rng.normal(size=(20, 4))
    labels = np.eye(3)[rng.integers(0, 3, size=20)]
    model = LogisticRegression(4, 3)
    y = tensor.dmatrix("y")
    cost = model.negative_log_likelihood(y)
    grads = tensorir.grad(cost, model.params)
    train = tensorir.function(
        [model.x, y],
        cost,
        updates=[(p, p - 0.5 * g) for p, g in zip(model.params, grads, strict=True)],
    )
    predict = tensorir.function([model.x], model.p_y_given_x)
    snapshots, expected = [], []
    for _ in range(5):
        train(data, labels)
        snapshots.append(pickle.dumps(model))
        expected.append((model.W.get_value(), model.b.get_value(), predict(data)))
    for saved, (W, b, p) in zip(snapshots, expected, strict=True):
        loaded = pickle.loads(saved)
        assert loaded.params[0] is loaded.W and loaded.params[1] is loaded.b
        np.testing.assert_array_equal(loaded.W.get_value(), W)
        np.testing.assert_array_equal(loaded.b.get_value(), b)
        # the expression still refers to the loaded shared variables and input
        assert graph_inputs([loaded.p_y_given_x]) == [loaded.x, loaded.W, loaded.b]
        predict2 = tensorir.function([loaded.x], loaded.p_y_given_x)
        np.testing.assert_array_equal(predict2(data), p)
    # a loaded model trains on: a new training function updates the loaded parameters only
    loaded = pickle.loads(snapshots[0])
    cost2 = loaded.negative_log_likelihood(y)
    grads2 = tensorir.grad(cost2, loaded.params)
    train2 = tensorir.function(
        [loaded.x, y],
        cost2,
        updates=[(p, p - 0.5 * g) for p, g in zip(loaded.params, grads2, strict=True)],
    )
    train2(data, labels)
    np.testing.assert_allclose(loaded.W.get_value(), expected[1][0], rtol=1e-12)
    np.testing.assert_array_equal(model.W.get_value(), expected[-1][0])


def test_model_with_its_functions() -> None:
    """The functions travel with the model and stay linked to its shared variables."""
    model = LogisticRegression(2, 2)
    y = tensor.dmatrix("y")
    cost = model.negative_log_likelihood(y)
    grads = tensorir.grad(cost, model.params)
    model.train = tensorir.function(
        [model.x, y],
        cost,
        updates=[(p, p - 0.1 * g) for p, g in zip(model.params, grads, strict=True)],
    )
    model.predict = tensorir.function([model.x], model.p_y_given_x)
    data, labels = np.array([[1.0, 0.0], [0.0, 1.0]]), np.eye(2)
    model.train(data, labels)
    copies = {"pickle": pickled(model), "deepcopy": copy.deepcopy(model)}
    before = model.W.get_value()
    for other in copies.values():
        np.testing.assert_array_equal(other.W.get_value(), before)
        np.testing.assert_array_equal(other.predict(data), model.predict(data))
        other.train(data, labels)
        other.train(data, labels)
        np.testing.assert_array_equal(model.W.get_value(), before)
        assert not np.array_equal(other.W.get_value(), before)
        np.testing.assert_array_equal(
            other.predict(data), tensorir.function([other.x], other.p_y_given_x)(data)
        )
    np.testing.assert_array_equal(copies["pickle"].W.get_value(), copies["deepcopy"].W.get_value())
