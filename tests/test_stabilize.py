"""``tir-stabilize`` end to end. Each rewrite, built through the public API, is compiled and
evaluated at extreme inputs (±1e4, ±745, 1e-300, -0.0, ...) in float64 and float32 against
numpy computed stably (``logaddexp``, ``log1p``, ``expm1``, a stable logistic): values and
gradients finite wherever the true value is, and within a few ulps. Also log-sum-exp,
log-softmax and the cross-entropies from the logits, an expression no rule matches (same IR,
same bits as without the pass), and the Theano tutorial's logistic regression run unmodified
through ``python -m tensorir.compat.theano``: no NaN, and the cost falls at every step."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tensorir
from tensorir import tensor as T
from tensorir.frontend.graph import Variable
from tensorir.lowering import pipelines
from tensorir.lowering.stabilize import stabilize

nnet = T.nnet
FLOATS = ["float64", "float32"]
ROOT = Path(__file__).resolve().parent.parent
# a few ulps: every replacement is a handful of correctly rounded operations
RTOL = {"float64": 1e-14, "float32": 2e-6}


# --------------------------------------------------------------------------- references


def expit(x: np.ndarray) -> np.ndarray:
    """The logistic function, stably: (x >= 0 ? 1 : e) / (1 + e) with e = exp(-|x|)."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def sech2(x: np.ndarray) -> np.ndarray:
    """1 / cosh(x)**2 (0 where cosh overflows: the true value is below 1e-600 there)."""
    with np.errstate(over="ignore"):
        return 1.0 / np.cosh(x) ** 2


def log_softmax(z: np.ndarray) -> np.ndarray:
    d = z - z.max(axis=-1, keepdims=True)
    return d - np.log(np.exp(d).sum(axis=-1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    return np.exp(log_softmax(z))


def check(got: Any, expected: np.ndarray, dtype: str, what: str = "") -> None:
    """``got`` has ``dtype``, is finite exactly where ``expected`` (rounded to ``dtype``) is,
    equal to it where infinite and within a few ulps elsewhere."""
    got = np.asarray(got)
    want = np.asarray(expected, dtype=np.float64).astype(dtype)
    assert got.dtype == dtype, (what, got.dtype)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    assert not np.isnan(got).any(), (what, got)
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(want), err_msg=what)
    tiny = np.finfo(dtype).tiny  # subnormal results carry fewer digits
    np.testing.assert_allclose(got, want, rtol=RTOL[dtype], atol=tiny, err_msg=what)


# --------------------------------------------------------------------------- elementwise rules

EXTREME = [-1e4, -745.0, -100.0, -30.0, -1.0, -1e-300, -0.0, 0.0, 1e-300, 1.0, 30.0, 100.0]
EXTREME += [745.0, 1e4]
NEAR_ZERO = [-0.5, -1e-10, -1e-300, -0.0, 0.0, 1e-300, 1e-10, 1.0, 1e10, 1e300]
BELOW_ONE = [-1e300, -1e10, -1.0, -1e-10, -1e-300, -0.0, 0.0, 1e-300, 1e-10, 0.5]
EXPM1 = [-1e4, -745.0, -1.0, -1e-10, -1e-300, -0.0, 0.0, 1e-300, 1e-10, 1.0, 700.0]
# squares that overflow and underflow in each dtype
SQUARES = {
    "float64": [-1e200, -3.0, -1e-200, -0.0, 0.0, 1e-200, 3.0, 1e200],
    "float32": [-1e30, -3.0, -1e-30, -0.0, 0.0, 1e-30, 3.0, 1e30],
}

Expr = Callable[[Variable], Variable]
Ref = Callable[[np.ndarray], np.ndarray]

# name: (the user's expression, its value, its derivative, inputs)
RULES: dict[str, tuple[Expr, Ref, Ref, list[float] | dict[str, list[float]]]] = {
    "log(sigmoid(x))": (
        lambda x: T.log(nnet.sigmoid(x)),
        lambda x: -softplus(-x),
        lambda x: expit(-x),
        EXTREME,
    ),
    "log(1 - sigmoid(x))": (
        lambda x: T.log(1 - nnet.sigmoid(x)),
        lambda x: -softplus(x),
        lambda x: -expit(x),
        EXTREME,
    ),
    "log1p(-sigmoid(x))": (
        lambda x: T.log1p(-nnet.sigmoid(x)),
        lambda x: -softplus(x),
        lambda x: -expit(x),
        EXTREME,
    ),
    "log(1 + exp(x))": (
        lambda x: T.log(1 + T.exp(x)),
        softplus,
        expit,
        EXTREME,
    ),
    "log1p(exp(x))": (
        lambda x: T.log1p(T.exp(x)),
        softplus,
        expit,
        EXTREME,
    ),
    "1 / (1 + exp(x))": (
        lambda x: 1 / (1 + T.exp(x)),
        lambda x: expit(-x),
        lambda x: -expit(x) * expit(-x),
        EXTREME,
    ),
    "exp(x) / (1 + exp(x))": (
        lambda x: T.exp(x) / (1 + T.exp(x)),
        expit,
        lambda x: expit(x) * expit(-x),
        EXTREME,
    ),
    "1 - sigmoid(x)": (
        lambda x: 1 - nnet.sigmoid(x),
        lambda x: expit(-x),
        lambda x: -expit(x) * expit(-x),
        EXTREME,
    ),
    "log(1 + x)": (
        lambda x: T.log(1 + x),
        np.log1p,
        lambda x: 1 / (1 + x),
        NEAR_ZERO,
    ),
    "log(1 - x)": (
        lambda x: T.log(1 - x),
        lambda x: np.log1p(-x),
        lambda x: -1 / (1 - x),
        BELOW_ONE,
    ),
    "exp(x) - 1": (
        lambda x: T.exp(x) - 1,
        np.expm1,
        np.exp,
        EXPM1,
    ),
    "1 - tanh(x) ** 2": (
        lambda x: 1 - T.tanh(x) ** 2,
        sech2,
        lambda x: -2 * sech2(x) * np.tanh(x),
        EXTREME,
    ),
    "1 - sqr(tanh(x))": (
        lambda x: 1 - T.sqr(T.tanh(x)),
        sech2,
        lambda x: -2 * sech2(x) * np.tanh(x),
        EXTREME,
    ),
    "tanh(x)": (  # its gradient is 1 - tanh(x)**2, stabilized after tir-autodiff
        T.tanh,
        np.tanh,
        sech2,
        EXTREME,
    ),
    "sigmoid(x)": (  # its gradient is s * (1 - s): 1 - s is stabilized after tir-autodiff
        nnet.sigmoid,
        expit,
        lambda x: expit(x) * expit(-x),
        EXTREME,
    ),
    "sqrt(sqr(x))": (
        lambda x: T.sqrt(T.sqr(x)),
        np.abs,
        np.sign,  # |x|'s gradient: 0 at 0, where sqrt(x**2)'s would be 0 / 0
        SQUARES,
    ),
    "sqrt(x ** 2)": (
        lambda x: T.sqrt(x**2),
        np.abs,
        np.sign,
        SQUARES,
    ),
    "sqrt(x * x)": (
        lambda x: T.sqrt(x * x),
        np.abs,
        np.sign,
        SQUARES,
    ),
    "-(-x)": (
        lambda x: -(-x),  # noqa: B002 (a double negation, not a decrement)
        lambda x: x,
        np.ones_like,
        EXTREME,
    ),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", list(RULES))
def test_rule_at_extreme_inputs(name: str, dtype: str) -> None:
    expr, value, derivative, inputs = RULES[name]
    x = T.vector("x", dtype=dtype)
    y = expr(x)
    f = tensorir.function([x], [y, tensorir.grad(T.sum(y), x)])
    with np.errstate(over="ignore"):  # 1e300 is inf in float32: an extreme input too
        xs = np.array(inputs[dtype] if isinstance(inputs, dict) else inputs, dtype=dtype)
    exact = xs.astype(np.float64)
    got, grad = f(xs)
    with np.errstate(over="ignore", divide="ignore"):
        check(got, value(exact), dtype, f"{name} at {xs}")
        check(grad, derivative(exact), dtype, f"d/dx {name} at {xs}")


@pytest.mark.parametrize("dtype", FLOATS)
def test_signed_zeros(dtype: str) -> None:
    """log1p(-0.0) and expm1(-0.0) are -0.0, as numpy's; |-0.0| is 0.0."""
    x = T.vector("x", dtype=dtype)
    f = tensorir.function([x], [T.log(1 + x), T.log(1 - x), T.exp(x) - 1, T.sqrt(x * x)])
    zeros = np.array([-0.0, 0.0], dtype=dtype)
    for got, want in zip(
        f(zeros), [np.log1p(zeros), np.log1p(-zeros), np.expm1(zeros), np.abs(zeros)], strict=True
    ):
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


# --------------------------------------------------------------------------- log-sum-exp


@pytest.mark.parametrize("dtype", FLOATS)
def test_log_sum_exp(dtype: str) -> None:
    """log(sum(exp(x))) over each row, all of a vector and with keepdims: 1000 + log(2 + 1/e)
    for a row of 1000s (exp overflows), -inf for a row of -inf, never NaN; its gradient is
    softmax's (checked on the finite rows: at a row of -inf it is 0 / 0, as the formula's)."""
    m = T.matrix("m", dtype=dtype)
    v = T.vector("v", dtype=dtype)
    rows = T.log(T.sum(T.exp(m), axis=1))
    f = tensorir.function(
        [m, v],
        [
            rows,
            T.log(T.sum(T.exp(m), axis=1, keepdims=True)),
            T.log(T.sum(T.exp(v))),
            tensorir.grad(T.sum(rows), m),
        ],
    )
    big = 1000.0 if dtype == "float64" else 100.0  # exp overflows in either dtype
    mv = np.array([[big, big, big - 1], [-1e4, 0.0, 1e4], [-np.inf, -np.inf, -np.inf]], dtype=dtype)
    vv = np.array([big, big], dtype=dtype)
    with np.errstate(invalid="ignore"):
        lse_rows, lse_keep, lse_vector, _ = f(mv, vv)
    exact = np.logaddexp.reduce(mv.astype(np.float64), axis=1)
    check(lse_rows, exact, dtype, "rows")
    assert lse_rows[2] == -np.inf
    check(lse_keep, exact[:, None], dtype, "keepdims")
    check(lse_vector, big + np.log(2.0), dtype, "vector")
    grad = f(mv[:2], vv)[3]
    check(grad, softmax(mv[:2].astype(np.float64)), dtype, "gradient")


def test_log_sum_exp_with_the_sums_dtype() -> None:
    """sum(exp(xf), dtype="float64"): the stable form is computed in float64, so exp of
    float32 inputs beyond 88.7 does not overflow."""
    xf = T.fvector("xf")
    f = tensorir.function([xf], T.log(T.sum(T.exp(xf), dtype="float64")))
    xs = np.array([100.0, 100.0, -np.inf], dtype="float32")
    check(f(xs), 100.0 + np.log(2.0), "float64")


def test_log_sum_exp_is_rewritten_once() -> None:
    """The second run of the pass (after tir-autodiff) leaves the first run's
    log(sum(exp(x - max))) alone: one max per log-sum-exp, also in the gradient graph."""
    m = T.dmatrix("m")
    lse = T.log(T.sum(T.exp(m), axis=1))
    f = tensorir.function([m], [lse, tensorir.grad(T.sum(lse), m)])
    assert f.ir("adjoint").count("tir.max") == 1


@pytest.mark.xfail(
    strict=True,
    raises=ValueError,
    reason="the rewrite's max raises over an empty axis, where log(sum(exp(x))) is -inf",
)
def test_log_sum_exp_of_an_empty_axis() -> None:
    m = T.dmatrix("m")
    f = tensorir.function([m], T.log(T.sum(T.exp(m), axis=1)))
    np.testing.assert_array_equal(f(np.zeros((2, 0))), [-np.inf, -np.inf])


# --------------------------------------------------------------------------- classifiers

LOGITS = [[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0], [-1e4, 1e4, 0.0], [-745.0, 745.0, 1.0]]
LABELS = [2, 1, 0, 0]


@pytest.mark.parametrize("dtype", FLOATS)
def test_categorical_crossentropy_from_the_logits(dtype: str) -> None:
    """categorical_crossentropy(softmax(z), y) with labels and with one-hot targets, and the
    tutorials' NLL both ways (log(p)[arange(n), y] and log(p[arange(n), y])): the values are
    -log_softmax(z) at the labels (2000 and 2e4 where softmax underflows to 0), the gradient
    softmax(z) - onehot(y)."""
    z = T.matrix("z", dtype=dtype)
    y = T.lvector("y")
    t = T.matrix("t", dtype=dtype)
    p = nnet.softmax(z)
    labels = nnet.categorical_crossentropy(p, y)
    one_hot = nnet.categorical_crossentropy(p, t)
    rows = T.arange(y.shape[0])
    nll_outside = -T.mean(T.log(p)[rows, y])
    nll_inside = -T.mean(T.log(p[rows, y]))
    f = tensorir.function(
        [z, y, t],
        [
            labels,
            one_hot,
            nll_outside,
            nll_inside,
            tensorir.grad(T.sum(labels), z),
            tensorir.grad(T.sum(one_hot), z),
            tensorir.grad(nll_inside, z),
        ],
    )
    zv = np.array(LOGITS, dtype=dtype)
    yv = np.array(LABELS)
    tv = np.eye(3, dtype=dtype)[yv]
    got = f(zv, yv, tv)
    exact = zv.astype(np.float64)
    xent = -log_softmax(exact)[np.arange(len(yv)), yv]
    grad = softmax(exact) - np.eye(3)[yv]
    check(got[0], xent, dtype, "labels")
    check(got[1], xent, dtype, "one-hot")
    check(got[2], xent.mean(), dtype, "log(p)[arange(n), y]")
    check(got[3], xent.mean(), dtype, "log(p[arange(n), y])")
    check(got[4], grad, dtype, "gradient, labels")
    check(got[5], grad, dtype, "gradient, one-hot")
    check(got[6], grad / len(yv), dtype, "gradient, log(p[arange(n), y])")


BCE_LOGITS = [-1e3, -745.0, -40.0, -1.0, 0.0, 1.0, 40.0, 745.0, 1e3]
BCE_TARGETS = [0.0, 1.0, 0.0, 1.0, 0.3, 0.0, 1.0, 0.0, 1.0]


@pytest.mark.parametrize("dtype", FLOATS)
def test_binary_crossentropy_from_the_logits(dtype: str) -> None:
    """binary_crossentropy(sigmoid(z), t), sigmoid_binary_crossentropy(z, t) and the tutorial's
    -t * log(p) - (1 - t) * log(1 - p) with p = 1 / (1 + exp(-z)): t * softplus(-z) +
    (1 - t) * softplus(z) (1e3 where p rounds to 0 or 1), and the gradient sigmoid(z) - t."""
    z = T.vector("z", dtype=dtype)
    t = T.vector("t", dtype=dtype)
    p = 1 / (1 + T.exp(-z))
    costs = [
        nnet.binary_crossentropy(nnet.sigmoid(z), t),
        nnet.sigmoid_binary_crossentropy(z, t),
        -t * T.log(p) - (1 - t) * T.log(1 - p),
    ]
    f = tensorir.function([z, t], costs + [tensorir.grad(T.sum(c), z) for c in costs])
    zv = np.array(BCE_LOGITS, dtype=dtype)
    tv = np.array(BCE_TARGETS, dtype=dtype)
    exact_z, exact_t = zv.astype(np.float64), tv.astype(np.float64)
    xent = exact_t * softplus(-exact_z) + (1 - exact_t) * softplus(exact_z)
    got = f(zv, tv)
    # sigmoid(z) - t without cancellation: 1 - sigmoid(40) is sigmoid(-40), not 0
    dxent = (1 - exact_t) * expit(exact_z) - exact_t * expit(-exact_z)
    for k, (value, grad) in enumerate(zip(got[:3], got[3:], strict=True)):
        check(value, xent, dtype, f"cost {k}")
        check(grad, dxent, dtype, f"gradient {k}")


# --------------------------------------------------------------------------- no rule matches


def _no_rule(x: Variable, y: Variable) -> list[Variable]:
    """Near misses of every rule: another constant, another op in between, another value."""
    return [
        T.log(2 + T.exp(x)),
        T.log(x - 1),
        T.exp(x) - 2,
        T.sqrt(x * y),
        T.sqrt(x**3),
        2 - nnet.sigmoid(x),
        1 - T.tanh(x) ** 3,
        T.log(nnet.sigmoid(x) * y),
        T.log(T.sum(T.exp(x) * y)),
        T.log(nnet.softmax(x) * y),
    ]


def test_no_rule_leaves_the_ir_unchanged() -> None:
    x, y = T.dvector("x"), T.dvector("y")
    f = tensorir.function([x, y], _no_rule(x, y))
    module = f.module("tir")
    before = str(module)
    stabilize(module)
    assert str(module) == before


def test_no_rule_gives_the_same_bits_as_without_the_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    x, y = T.dvector("x"), T.dvector("y")
    rng = np.random.default_rng(9)
    xv = np.concatenate([rng.normal(0, 3, 20), [-1e4, -745.0, 0.0, -0.0, 745.0, 1e4]])
    yv = np.abs(rng.normal(0, 2, xv.size))
    with np.errstate(all="ignore"):
        stable = tensorir.function([x, y], _no_rule(x, y))(xv, yv)
    adjoint = tuple(p for p in pipelines.LEVELS["adjoint"] if p != "tir-stabilize")
    monkeypatch.setitem(pipelines.LEVELS, "adjoint", adjoint)
    plain = tensorir.function([x, y], _no_rule(x, y))
    assert "tir.log" in plain.ir("adjoint") and "softplus" not in plain.ir("adjoint")
    for a, b in zip(stable, plain(xv, yv), strict=True):
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes()


def test_the_pass_changes_nothing_the_second_time() -> None:
    """Every rule's replacement is left alone by a second run."""
    x = T.dvector("x")
    m = T.dmatrix("m")
    outs = [expr(x) for expr, *_ in RULES.values()]
    outs += [T.log(T.sum(T.exp(m), axis=1)), T.log(nnet.softmax(m))]
    module = tensorir.function([x, m], outs).module("tir")
    stabilize(module)
    once = str(module)
    stabilize(module)
    assert str(module) == once


# --------------------------------------------------------------------------- the tutorial

# Theano's tutorial "A Real Example: Logistic Regression", unmodified except: a seed, 20
# training steps instead of 10000, and the cost compiled and printed at each step.
TUTORIAL = """\
import numpy
import theano
import theano.tensor as T
rng = numpy.random
rng.seed(9)

N = 400                                   # training sample size
feats = 784                               # number of input variables

# generate a dataset: D = (input_values, target_class)
D = (rng.randn(N, feats), rng.randint(size=N, low=0, high=2))
training_steps = 20

# Declare Theano symbolic variables
x = T.dmatrix("x")
y = T.dvector("y")

# initialize the weight vector w randomly
#
# this and the following bias variable b
# are shared so they keep their values
# between training iterations (updates)
w = theano.shared(rng.randn(feats), name="w")

# initialize the bias term
b = theano.shared(0., name="b")

print("Initial model:")
print(w.get_value())
print(b.get_value())

# Construct Theano expression graph
{model}
prediction = p_1 > 0.5                    # The prediction thresholded
cost = xent.mean() + 0.01 * (w ** 2).sum()# The cost to minimize
gw, gb = T.grad(cost, [w, b])             # Compute the gradient of the cost
                                          # w.r.t weight vector w and
                                          # bias term b
                                          # (we shall return to this in a
                                          # following section of this tutorial)

# Compile
train = theano.function(
          inputs=[x,y],
          outputs=[prediction, xent],
          updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)))
predict = theano.function(inputs=[x], outputs=prediction)
cost_of = theano.function(inputs=[x,y], outputs=cost)

# Train
for i in range(training_steps):
    c = cost_of(D[0], D[1])
    pred, err = train(D[0], D[1])
    print("step", i, repr(float(c)), numpy.isfinite(err).all(), numpy.isfinite(w.get_value()).all())

print("Final model:")
print(w.get_value())
print(b.get_value())
print("target values for D:")
print(D[1])
print("prediction on D:")
print(predict(D[0]))
print("final cost", repr(float(cost_of(D[0], D[1]))))
"""

WRITTEN_OUT = """\
p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))   # Probability that target = 1
xent = -y * T.log(p_1) - (1-y) * T.log(1-p_1) # Cross-entropy loss function"""

NNET = """\
p_1 = T.nnet.sigmoid(T.dot(x, w) + b)     # Probability that target = 1
xent = T.nnet.binary_crossentropy(p_1, y) # Cross-entropy loss function"""


@pytest.mark.parametrize("model", [WRITTEN_OUT, NNET], ids=["written-out", "nnet"])
def test_tutorial_logistic_regression(model: str, tmp_path: Path) -> None:
    script = tmp_path / "logistic_regression.py"
    script.write_text(TUTORIAL.format(model=model))
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    done = subprocess.run(
        [sys.executable, "-m", "tensorir.compat.theano", str(script)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
    )
    assert done.returncode == 0, done.stderr
    assert "nan" not in done.stdout.lower(), done.stdout
    steps = re.findall(r"^step (\d+) (\S+) (\w+) (\w+)$", done.stdout, re.MULTILINE)
    assert len(steps) == 20, done.stdout
    costs = [float(c) for _, c, _, _ in steps]
    costs.append(float(re.findall(r"^final cost (\S+)$", done.stdout, re.MULTILINE)[0]))
    assert all(np.isfinite(costs)), costs
    assert (np.diff(costs) < 0).all(), costs
    assert all(xent == "True" and w == "True" for _, _, xent, w in steps), steps


def test_tutorial_needs_the_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without tir-stabilize the tutorial's cross-entropy is NaN already at the first step
    (1 - p_1 rounds to 0 once the logit passes 37, and (1 - y) * log(0) is 0 * -inf): the test
    above checks something."""
    adjoint = tuple(p for p in pipelines.LEVELS["adjoint"] if p != "tir-stabilize")
    monkeypatch.setitem(pipelines.LEVELS, "adjoint", adjoint)
    x, y = T.dmatrix("x"), T.dvector("y")
    w = T.dvector("w")
    p_1 = 1 / (1 + T.exp(-T.dot(x, w)))
    xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)
    rng = np.random.default_rng(9)
    xv, wv = rng.normal(size=(400, 784)), rng.normal(size=784)
    yv = rng.integers(0, 2, 400).astype(float)
    with np.errstate(all="ignore"):
        assert np.isnan(tensorir.function([x, y, w], xent)(xv, yv, wv)).any()
