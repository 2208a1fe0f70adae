"""``scan`` and its relatives compiled: values against numpy loops, Theano's argument
conventions (taps, outputs_info, non_sequences, n_steps, go_backwards), shared-variable and
random-stream updates, nested loops, and the errors Theano raises."""

from __future__ import annotations

import numpy as np
import pytest

import tensorir
from tensorir import tensor as T
from tensorir.gradient import verify_grad
from tensorir.tensor.shared_randomstreams import RandomStreams

rng = np.random.default_rng(0)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
@pytest.mark.parametrize("n", [0, 1, 5])
def test_cumulative_sum_matches_numpy(dtype: str, n: int) -> None:
    x = T.vector("x", dtype=dtype)
    out, updates = tensorir.scan(
        lambda x_t, acc: acc + x_t, sequences=x, outputs_info=np.zeros((), dtype)
    )
    assert updates == {}
    f = tensorir.function([x], out)
    data = (np.arange(n) * 3 - 2).astype(dtype)
    got = f(data)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, np.cumsum(data, dtype=dtype))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(7, 4, 3), (1, 1, 3), (5, 0, 3)])
def test_elman_recurrence_matches_numpy(dtype: str, shape: tuple[int, ...]) -> None:
    X = T.tensor3("X", dtype=dtype)
    W = T.matrix("W", dtype=dtype)
    U = T.matrix("U", dtype=dtype)
    h0 = T.matrix("h0", dtype=dtype)
    hs, _ = tensorir.scan(
        lambda x_t, h: T.tanh(T.dot(x_t, W) + T.dot(h, U)), sequences=X, outputs_info=h0
    )
    f = tensorir.function([X, W, U, h0], hs)
    steps, batch, n_in = shape
    x = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal((n_in, 5)).astype(dtype)
    u = (rng.standard_normal((5, 5)) * 0.3).astype(dtype)
    h = rng.standard_normal((batch, 5)).astype(dtype)
    expected, state = [], h
    for t in range(steps):
        state = np.tanh(x[t] @ w + state @ u)
        expected.append(state)
    got = f(x, w, u, h)
    assert got.shape == (steps, batch, 5)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(got, np.array(expected).reshape(got.shape), rtol=tol, atol=tol)


def test_power_by_repeated_multiplication_with_symbolic_steps() -> None:
    k = T.iscalar("k")
    A = T.dvector("A")
    result, updates = tensorir.scan(
        fn=lambda prior, A: prior * A, outputs_info=T.ones_like(A), non_sequences=A, n_steps=k
    )
    power = tensorir.function([A, k], result[-1], updates=updates)
    np.testing.assert_array_equal(power(np.arange(10.0), 2), np.arange(10.0) ** 2)
    np.testing.assert_array_equal(power(np.arange(4.0), 5), np.arange(4.0) ** 5)
    everything = tensorir.function([A, k], result)
    assert everything(np.ones(3), 0).shape == (0, 3)


def test_sequences_with_taps_are_aligned_as_in_theano() -> None:
    s = T.dvector("s")
    out, _ = tensorir.scan(
        lambda a, b, c: a + 10 * b + 100 * c, sequences=dict(input=s, taps=[-1, 0, 1])
    )
    np.testing.assert_array_equal(
        tensorir.function([s], out)(np.arange(6.0)), [210.0, 321.0, 432.0, 543.0]
    )
    out, _ = tensorir.scan(lambda a, b: a - b, sequences=dict(input=s, taps=[-2, -1]))
    np.testing.assert_array_equal(tensorir.function([s], out)(np.arange(5.0) ** 2), [-1, -3, -5])
    out, _ = tensorir.scan(lambda a: a, sequences=dict(input=s, taps=[2]))
    np.testing.assert_array_equal(tensorir.function([s], out)(np.arange(5.0)), [2.0, 3.0, 4.0])


def test_outputs_with_several_past_taps() -> None:
    n = T.iscalar("n")
    init = T.constant(np.array([0.0, 1.0]))
    fib, _ = tensorir.scan(
        lambda a, b: a + b, outputs_info=dict(initial=init, taps=[-2, -1]), n_steps=n
    )
    np.testing.assert_array_equal(
        tensorir.function([n], fib)(10), [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]
    )
    # taps given out of order and one skipped: x[t] = x[t-1] - x[t-3]
    x0 = T.dvector("x0")
    out, _ = tensorir.scan(
        lambda a3, a1: a1 - a3, outputs_info=dict(initial=x0, taps=[-3, -1]), n_steps=4
    )
    expected = [1.0, 2.0, 4.0]
    for _ in range(4):
        expected.append(expected[-1] - expected[-3])
    np.testing.assert_array_equal(
        tensorir.function([x0], out)(np.array([1.0, 2.0, 4.0])), expected[3:]
    )


def test_go_backwards_and_foldr() -> None:
    v = T.dvector("v")
    out, _ = tensorir.scan(
        lambda a, acc: acc * 10 + a, sequences=v, outputs_info=np.float64(0), go_backwards=True
    )
    np.testing.assert_array_equal(tensorir.function([v], out)(np.arange(4.0)), [3, 32, 321, 3210])
    total, _ = tensorir.foldr(lambda a, acc: acc * 10 + a, sequences=v, outputs_info=np.float64(0))
    assert tensorir.function([v], total)(np.arange(4.0)) == 3210
    total, _ = tensorir.foldl(lambda a, acc: acc * 10 + a, sequences=v, outputs_info=np.float64(0))
    assert tensorir.function([v], total)(np.arange(4.0)) == 123


def test_polynomial_from_coefficients() -> None:
    coefficients = T.vector("coefficients")
    x = T.scalar("x")
    components, _ = tensorir.scan(
        fn=lambda c, power, free: c * (free**power),
        outputs_info=None,
        sequences=[coefficients, T.arange(10000)],
        non_sequences=x,
    )
    f = tensorir.function([coefficients, x], components.sum())
    assert f(np.asarray([1, 0, 2], dtype=tensorir.config.floatX), 3) == 19.0


def test_map_with_several_outputs_and_n_steps_shorter_than_the_sequence() -> None:
    v = T.dvector("v")
    (doubled, plus), _ = tensorir.map(lambda a: [a * 2, a + 1], sequences=v)
    f = tensorir.function([v], [doubled, plus])
    a, b = f(np.arange(3.0))
    np.testing.assert_array_equal(a, [0, 2, 4])
    np.testing.assert_array_equal(b, [1, 2, 3])
    out, _ = tensorir.scan(lambda a: a * a, sequences=v, n_steps=2)
    np.testing.assert_array_equal(tensorir.function([v], out)(np.arange(5.0)), [0, 1])


def test_nested_scan() -> None:
    M = T.dmatrix("M")

    def row_cumsum(r):
        out, _ = tensorir.scan(lambda a, acc: acc + a, sequences=r, outputs_info=np.float64(0))
        return out

    out, _ = tensorir.scan(row_cumsum, sequences=M)
    data = rng.standard_normal((4, 6))
    np.testing.assert_allclose(tensorir.function([M], out)(data), np.cumsum(data, axis=1))


def test_free_variables_and_non_sequences_are_loop_constants() -> None:
    W = T.dmatrix("W")
    W2 = W**2  # used in the step without being passed: computed once, before the loop
    h0 = T.dvector("h0")
    out, _ = tensorir.scan(lambda h: T.dot(h, W2), outputs_info=h0, n_steps=3)
    f = tensorir.function([W, h0], out)
    w, h = rng.standard_normal((3, 3)), rng.standard_normal(3)
    expected, state = [], h
    for _ in range(3):
        state = state @ (w**2)
        expected.append(state)
    np.testing.assert_allclose(f(w, h), expected)
    (scan_op,) = [op for op in f.module("tir").walk() if op.name == "tir.scan"]
    assert not [op for op in scan_op.body.block.ops if op.name == "tir.pow"]


def test_shared_variable_updated_by_the_step() -> None:
    counter = tensorir.shared(np.float64(0), name="counter")
    v = T.dvector("v")
    out, updates = tensorir.scan(lambda x: (x + counter, {counter: counter + 1}), sequences=v)
    assert list(updates) == [counter]
    f = tensorir.function([v], out, updates=updates)
    np.testing.assert_array_equal(f(np.zeros(3)), [0, 1, 2])
    assert counter.get_value() == 3
    np.testing.assert_array_equal(f(np.zeros(2)), [3, 4])
    assert counter.get_value() == 5


def test_random_streams_inside_scan_draw_new_numbers_each_step() -> None:
    srng = RandomStreams(seed=234)
    M = T.dmatrix("M")
    out, updates = tensorir.scan(lambda x: x + srng.uniform(size=(2,)), sequences=M)
    assert len(updates) == 1
    f = tensorir.function([M], out, updates=updates)
    first, second = f(np.zeros((3, 2))), f(np.zeros((3, 2)))
    assert len({tuple(r) for r in first}) == 3  # each step its own numbers
    assert not np.array_equal(first, second)  # each call too
    assert ((0 <= first) & (first < 1)).all()
    srng.seed(234)
    np.testing.assert_array_equal(f(np.zeros((3, 2))), first)


def test_return_list_and_no_outputs() -> None:
    v = T.dvector("v")
    out, _ = tensorir.scan(lambda a: a + 1, sequences=v, return_list=True)
    assert isinstance(out, list) and len(out) == 1
    counter = tensorir.shared(np.int64(0))
    out, updates = tensorir.scan(lambda a: {counter: counter + 1}, sequences=v)
    assert out is None
    f = tensorir.function([v], [], updates=updates)
    f(np.zeros(4))
    assert counter.get_value() == 4


# --------------------------------------------------------------------------- errors


def test_run_time_errors_name_the_scan() -> None:
    v = T.dvector("v")
    n = T.iscalar("n")
    out, _ = tensorir.scan(lambda h: h * 2, outputs_info=v, n_steps=n)
    f = tensorir.function([v, n], out)
    with pytest.raises(IndexError, match="negative number of step -1.*test_scan.py"):
        f(np.ones(2), -1)
    out, _ = tensorir.scan(lambda a: a, sequences=v, n_steps=n)
    g = tensorir.function([v, n], out)
    with pytest.raises(ValueError, match="sequence 0 has 2 rows, fewer than the 3 steps"):
        g(np.ones(2), 3)
    # a state whose shape changes from one step to the next
    out, _ = tensorir.scan(lambda h: h[1:] + h[:-1], outputs_info=v, n_steps=2)
    h = tensorir.function([v], out)
    with pytest.raises(ValueError, match="output 0 of a step has shape .2. but the rows must"):
        h(np.ones(3))


def test_graph_errors_are_theanos() -> None:
    v = T.dvector("v")
    x = T.fvector("x")
    with pytest.raises(ValueError, match="has dtype float32, while the step function"):
        tensorir.scan(lambda a, acc: acc + a, sequences=v, outputs_info=T.zeros_like(x))
    with pytest.raises(TypeError, match="broadcast pattern"):
        tensorir.scan(lambda acc: acc + v, outputs_info=T.constant(np.zeros(1)), n_steps=2)
    with pytest.raises(ValueError, match="Please provide None as outputs_info"):
        tensorir.scan(lambda a, acc: [acc + a, a], sequences=v, outputs_info=[np.float64(0)])
    with pytest.raises(ValueError, match="n_steps must be an int"):
        tensorir.scan(lambda acc: acc, outputs_info=v, n_steps=T.dscalar())
    with pytest.raises(ValueError, match="No information about the number of steps"):
        tensorir.scan(lambda acc: acc, outputs_info=v)
    with pytest.raises(ValueError, match="future taps"):
        tensorir.scan(lambda a: a, outputs_info=dict(initial=v, taps=[1]), n_steps=2)
    with pytest.raises(ValueError, match="initial state"):
        tensorir.scan(lambda a: a, outputs_info=dict(taps=[-1]), n_steps=2)
    shared = tensorir.shared(np.zeros(2), name="w")
    with pytest.raises(ValueError, match="strict=True.*w"):
        tensorir.scan(lambda a: a + shared, sequences=v, strict=True)


def test_debug_mode_checks_the_loop_against_the_reference() -> None:
    X = T.dmatrix("X")
    h0 = T.dvector("h0")
    hs, _ = tensorir.scan(lambda x_t, h: T.tanh(x_t + h), sequences=X, outputs_info=h0)
    f = tensorir.function([X, h0], hs, mode="DebugMode")
    x, h = rng.standard_normal((4, 3)), rng.standard_normal(3)
    expected, state = [], h
    for t in range(4):
        state = np.tanh(x[t] + state)
        expected.append(state)
    np.testing.assert_allclose(f(x, h), expected)


# --------------------------------------------------------------------------- gradients


def _elman(X, W, U, h0):
    hs, _ = tensorir.scan(
        lambda x_t, h: T.tanh(T.dot(x_t, W) + T.dot(h, U)), sequences=X, outputs_info=h0
    )
    return (hs**2).sum() + hs[-1].sum()


def test_backpropagation_through_time_against_finite_differences() -> None:
    values = [
        rng.standard_normal((5, 2, 3)),
        rng.standard_normal((3, 4)),
        rng.standard_normal((4, 4)) * 0.5,
        rng.standard_normal((2, 4)),
    ]
    verify_grad(_elman, values, rng=np.random.RandomState(0))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradients_have_their_values_dtypes(dtype: str) -> None:
    x = T.vector("x", dtype=dtype)
    w = T.scalar("w", dtype=dtype)
    o, _ = tensorir.scan(
        lambda a, acc: T.tanh(acc * w + a), sequences=x, outputs_info=np.asarray(0.2, dtype)
    )
    gx, gw = tensorir.grad(o.sum(), [x, w])
    f = tensorir.function([x, w], [gx, gw])
    xv, wv = np.array([0.1, -0.3, 0.7, 0.2], dtype), np.asarray(0.9, dtype)
    got_x, got_w = f(xv, wv)
    assert got_x.dtype == got_w.dtype == np.dtype(dtype)

    def total(xv: np.ndarray, wv: float) -> float:
        acc, s = 0.2, 0.0
        for t in range(len(xv)):
            acc = np.tanh(acc * wv + xv[t])
            s += acc
        return s

    eps = 1e-6
    x64 = xv.astype(np.float64)
    num_x = [(total(x64 + eps * e, 0.9) - total(x64 - eps * e, 0.9)) / (2 * eps) for e in np.eye(4)]
    num_w = (total(x64, 0.9 + eps) - total(x64, 0.9 - eps)) / (2 * eps)
    tol = 1e-4 if dtype == "float32" else 1e-8
    np.testing.assert_allclose(got_x, num_x, rtol=tol, atol=tol)
    np.testing.assert_allclose(got_w, num_w, rtol=tol, atol=tol)


def test_gradients_through_taps_go_backwards_nested_and_map() -> None:
    def taps(x0, c):
        o, _ = tensorir.scan(
            lambda a, b, c: a * c + T.sin(b),
            outputs_info=dict(initial=x0, taps=[-2, -1]),
            non_sequences=c,
            n_steps=6,
        )
        return o.sum()

    def seq_taps(s):
        o, _ = tensorir.scan(lambda a, b, c: a * b + c**2, sequences=dict(input=s, taps=[-1, 0, 2]))
        return o.sum()

    def backwards(s, h):
        o, _ = tensorir.scan(
            lambda a, acc: T.tanh(acc + a), sequences=s, outputs_info=h, go_backwards=True
        )
        return (o * np.arange(1, 6)).sum()

    def nested(M, w):
        def row(r, w):
            out, _ = tensorir.scan(
                lambda a, acc, w: T.tanh(acc * w + a),
                sequences=r,
                outputs_info=np.float64(0),
                non_sequences=w,
            )
            return out

        o, _ = tensorir.scan(row, sequences=M, non_sequences=w)
        return (o**2).sum()

    def mapped(v):
        o, _ = tensorir.map(lambda a: T.exp(a) * a, sequences=v)
        return o.sum()

    def last(v, h):
        r, _ = tensorir.reduce(lambda a, acc: acc * 0.9 + T.sin(a), sequences=v, outputs_info=h)
        return r

    r = np.random.RandomState(0)
    verify_grad(taps, [rng.standard_normal((2, 3)), rng.standard_normal(3)], rng=r)
    verify_grad(seq_taps, [rng.standard_normal(7)], rng=r)
    verify_grad(backwards, [rng.standard_normal(5), np.array(0.3)], rng=r)
    verify_grad(nested, [rng.standard_normal((3, 4)), np.array(0.8)], rng=r)
    verify_grad(mapped, [rng.standard_normal(4)], rng=r)
    verify_grad(last, [rng.standard_normal(6), np.array(0.1)], rng=r)


def test_gradient_with_respect_to_a_shared_weight_used_but_not_passed() -> None:
    W = tensorir.shared(rng.standard_normal((3, 3)), name="W")
    X = T.dmatrix("X")
    hs, _ = tensorir.scan(
        lambda x_t, h: T.tanh(T.dot(h, W) + x_t), sequences=X, outputs_info=T.zeros_like(X[0])
    )
    gW = tensorir.function([X], tensorir.grad(hs.sum(), W))
    x, w = rng.standard_normal((4, 3)), W.get_value()

    def total(w: np.ndarray) -> float:
        h, s = np.zeros(3), 0.0
        for t in range(4):
            h = np.tanh(h @ w + x[t])
            s += h.sum()
        return s

    eps = 1e-6
    num = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            d = np.zeros((3, 3))
            d[i, j] = eps
            num[i, j] = (total(w + d) - total(w - d)) / (2 * eps)
    np.testing.assert_allclose(gW(x), num, rtol=1e-7, atol=1e-8)


def test_truncate_gradient_backpropagates_through_the_last_steps_only() -> None:
    x = T.dvector("x")
    w = T.dscalar("w")
    o, _ = tensorir.scan(
        lambda a, acc: acc * w + a, sequences=x, outputs_info=np.float64(0), truncate_gradient=2
    )
    g = tensorir.function([x, w], tensorir.grad(o[-1], x))
    np.testing.assert_array_equal(g(np.ones(5), 0.5), [0, 0, 0, 0.5, 1])
    np.testing.assert_array_equal(g(np.ones(1), 0.5), [1])


def test_second_order_hessian_and_rop_through_scan() -> None:
    x = T.dvector("x")
    w = T.dscalar("w")
    o, _ = tensorir.scan(
        lambda a, acc: T.tanh(acc * w + a), sequences=x, outputs_info=np.float64(0.2)
    )
    cost = o.sum()
    gw = tensorir.grad(cost, w)
    f = tensorir.function([x, w], [gw, tensorir.grad(gw, w)])
    g = tensorir.function([x, w], gw)
    xv, wv, eps = rng.standard_normal(5), 0.7, 1e-5
    np.testing.assert_allclose(
        f(xv, wv)[1], (g(xv, wv + eps) - g(xv, wv - eps)) / (2 * eps), rtol=1e-6
    )
    H = tensorir.function([x, w], tensorir.gradient.hessian(cost, x))(xv, wv)
    gx = tensorir.function([x, w], tensorir.grad(cost, x))
    num = np.array([(gx(xv + eps * e, wv) - gx(xv - eps * e, wv)) / (2 * eps) for e in np.eye(5)])
    np.testing.assert_allclose(H, num, atol=1e-8)
    v = T.dvector("v")
    R = tensorir.function([x, w, v], tensorir.gradient.Rop(o, x, v))
    out = tensorir.function([x, w], o)
    d = rng.standard_normal(5)
    np.testing.assert_allclose(
        R(xv, wv, d), (out(xv + eps * d, wv) - out(xv - eps * d, wv)) / (2 * eps), atol=1e-9
    )


def test_no_allocation_per_step() -> None:
    """The step's temporaries (the Elman step's dots and sums, forward and backward) are
    allocated once, before the loop: no ``memref.alloc`` is left inside any loop."""
    X = T.dtensor3("X")
    W = T.dmatrix("W")
    U = T.dmatrix("U")
    h0 = T.dmatrix("h0")
    cost = _elman(X, W, U, h0)
    f = tensorir.function([X, W, U, h0], [cost, *tensorir.grad(cost, [W, U, h0])])
    loops = [op for op in f.module("loops").walk() if op.name == "scf.for"]
    scans = [op for op in loops if any(x.name == "tir.view" for x in op.walk())]
    assert len(scans) == 2  # forward and backward
    for loop in loops:
        assert not [x for x in loop.walk() if x.name == "memref.alloc"]


def test_only_the_last_row_used_keeps_no_rows() -> None:
    """Theano's memory-saving rewrite: ``result[-1]`` of a stacked state is the final state,
    and no row is stored."""
    k = T.iscalar("k")
    A = T.dvector("A")
    result, _ = tensorir.scan(
        lambda p, A: p * A, outputs_info=T.ones_like(A), non_sequences=A, n_steps=k
    )
    f = tensorir.function([A, k], result[-1])
    np.testing.assert_array_equal(f(np.arange(4.0), 3), np.arange(4.0) ** 3)
    with pytest.raises(IndexError, match="index -1 is out of bounds for axis 0 with size 0"):
        f(np.arange(4.0), 0)
    allocs = [op for op in f.module("loops").walk() if op.name == "memref.alloc"]
    # the state and the step's temporary (allocated once): no buffer of rows
    assert [len(op.results[0].type.get_shape()) for op in allocs] == [1, 1]


# --------------------------------------------------------------------------- until


def test_until_stops_after_the_first_step_meeting_the_condition() -> None:
    from tensorir.scan_module import until

    x = T.dscalar("x")

    def power_of_2(previous_power, max_value):
        return previous_power * 2, until(previous_power * 2 > max_value)

    values, _ = tensorir.scan(
        power_of_2, outputs_info=T.constant(1.0), non_sequences=x, n_steps=1024
    )
    f = tensorir.function([x], values)
    np.testing.assert_array_equal(f(45), [2, 4, 8, 16, 32, 64])
    np.testing.assert_array_equal(f(0.5), [2])
    np.testing.assert_array_equal(f(1e30), 2.0 ** np.arange(1, 101))  # 2**100 > 1e30
    bounded, _ = tensorir.scan(power_of_2, outputs_info=T.constant(1.0), non_sequences=x, n_steps=3)
    np.testing.assert_array_equal(tensorir.function([x], bounded)(1e9), [2, 4, 8])
    assert tensorir.function([x], values[-1])(45) == 64


def test_until_with_vector_states_gradient_and_debug_mode() -> None:
    from tensorir.scan_module import until

    v = T.dvector("v")
    w = T.dscalar("w")

    def step(h, w):
        h2 = T.tanh(h * w + 0.3)
        return h2, until(h2.sum() > 2.5)

    hs, _ = tensorir.scan(step, outputs_info=v, non_sequences=w, n_steps=50)
    x = np.array([0.1, 0.2, 0.3])
    expected, h = [], x
    while len(expected) < 50:
        h = np.tanh(h * 1.5 + 0.3)
        expected.append(h)
        if h.sum() > 2.5:
            break
    np.testing.assert_allclose(tensorir.function([v, w], hs)(x, 1.5), expected, rtol=1e-14)
    np.testing.assert_allclose(
        tensorir.function([v, w], hs, mode="DebugMode")(x, 1.5), expected, rtol=1e-14
    )
    loops = tensorir.function([v, w], hs).module("loops")
    whiles = [op for op in loops.walk() if op.name == "scf.while"]
    assert len(whiles) == 1 and not [x for x in whiles[0].walk() if x.name == "memref.alloc"]
    verify_grad(
        lambda v, w: (
            tensorir.scan(step, outputs_info=v, non_sequences=w, n_steps=50)[0] ** 2
        ).sum(),
        [x, np.array(1.5)],
        rng=np.random.RandomState(0),
    )


# --------------------------------------------------------------------------- around scan


def test_theano_spellings_through_the_compat_layer() -> None:
    import subprocess
    import sys

    code = (
        "import numpy, theano, theano.tensor as T\n"
        "from theano.scan_module import until\n"
        "x = T.dvector('x')\n"
        "s, _ = theano.scan(lambda a, acc: acc + a, sequences=x, outputs_info=numpy.float64(0))\n"
        "m, _ = theano.map(lambda a: a * 2, sequences=x)\n"
        "r, _ = theano.reduce(lambda a, acc: acc * a, sequences=x, outputs_info=numpy.float64(1))\n"
        "w, _ = theano.scan_module.scan(lambda acc: (acc * 2, until(acc > 5)), "
        "outputs_info=numpy.float64(1), n_steps=10)\n"
        "print(theano.function([x], [s, m, r, w])(numpy.arange(1.0, 4.0)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "tensorir.compat.theano", "-c", code],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == (
        "[array([1., 3., 6.]), array([2., 4., 6.]), array(6.), array([ 2., 4., 8., 16.])]".split()
    )


def test_a_function_with_scan_pickles_and_modes_check_it() -> None:
    import pickle

    from tensorir.compile.nanguardmode import NanGuardMode
    from tensorir.scan_module import until

    v = T.dvector("v")
    o, _ = tensorir.scan(lambda a, acc: T.log(acc) + a, sequences=v, outputs_info=np.float64(2))
    w, _ = tensorir.scan(lambda acc: (acc * 2, until(acc > 5)), outputs_info=o[-1], n_steps=9)
    f = tensorir.function([v], [o, w])
    g = pickle.loads(pickle.dumps(f))
    for got, want in zip(g(np.array([0.1, 0.2])), f(np.array([0.1, 0.2])), strict=True):
        np.testing.assert_array_equal(got, want)
    guard = NanGuardMode(nan_is_error=True, inf_is_error=True, big_is_error=False)
    h = tensorir.function([v], o, mode=guard)
    h(np.array([0.1, 0.2]))
    with pytest.raises(AssertionError, match="NaN detected.*tir.scan"):
        h(np.array([-5.0, 0.2, 0.3]))  # log of a negative state at the third step
    fast = tensorir.function([v], o, mode="FAST_COMPILE")
    np.testing.assert_array_equal(fast(np.array([0.1, 0.2])), f(np.array([0.1, 0.2]))[0])


def test_jacobian_of_a_scan_output() -> None:
    v = T.dvector("v")
    o, _ = tensorir.scan(lambda a, acc: acc * a + a, sequences=v, outputs_info=np.float64(1))
    J = tensorir.function([v], tensorir.gradient.jacobian(o, v))(np.array([2.0, 3.0, 4.0]))
    # o_t = o_{t-1} * v_t + v_t from o_{-1} = 1: o = [4, 15, 64]
    expected = np.array([[2.0, 0, 0], [3 * 2.0, 4 + 1, 0], [4 * 3 * 2.0, 4 * 5, 15 + 1]])
    np.testing.assert_allclose(J, expected)
