"""Elementwise ops against numpy: values, result dtypes (Theano's upcasting) and shapes
(broadcasting, rank alignment, empty dims). Each test builds the same expression in tensorir
and numpy. Compiled functions are cached per signature, and one compiled function is called
on several shapes."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tensorir
from tensorir import tensor

INTS = ["int8", "int16", "int32", "int64"]
FLOATS = ["float32", "float64"]
DTYPES = INTS + FLOATS
RNG_SEED = 1234

# name -> (tensorir expression, numpy expression)
ARITH = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "true_div": (lambda a, b: a / b, lambda a, b: a / b),
    "floor_div": (lambda a, b: a // b, lambda a, b: a // b),
    "mod": (lambda a, b: a % b, lambda a, b: a % b),
    "maximum": (tensor.maximum, np.maximum),
    "minimum": (tensor.minimum, np.minimum),
}
COMPARE = {
    "eq": (tensor.eq, np.equal),
    "neq": (tensor.neq, np.not_equal),
    "lt": (tensor.lt, np.less),
    "gt": (tensor.gt, np.greater),
    "le": (tensor.le, np.less_equal),
    "ge": (tensor.ge, np.greater_equal),
    "op_lt": (lambda a, b: a < b, lambda a, b: a < b),
    "op_gt": (lambda a, b: a > b, lambda a, b: a > b),
    "op_le": (lambda a, b: a <= b, lambda a, b: a <= b),
    "op_ge": (lambda a, b: a >= b, lambda a, b: a >= b),
}
BINARY = {**ARITH, **COMPARE}


def vec(dtype: str, name: str = "x") -> tensor.Variable:
    return tensor.TensorType(dtype, (False,))(name)


def sample(dtype: str, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Small values with zeros and negatives; floats are not all integral."""
    rng = np.random.default_rng(RNG_SEED + seed)
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype in INTS:
        return rng.integers(-9, 10, size=shape).astype(dtype)
    if dtype.startswith("complex"):
        return (rng.uniform(-3, 3, shape) + 1j * rng.uniform(-3, 3, shape)).astype(dtype)
    out = rng.uniform(-9, 9, size=shape)
    flat = out.reshape(-1)  # a view
    flat[::3] = np.round(flat[::3])  # some exact zeros and integers
    return out.astype(dtype)


def expect_equal(got: np.ndarray, want: np.ndarray, rtol: float = 0.0) -> None:
    """Same dtype, same shape, same values (NaNs in the same places); exact when rtol=0."""
    want = np.asarray(want)
    assert got.dtype == want.dtype, f"dtype {got.dtype}, numpy gives {want.dtype}"
    assert got.shape == want.shape, f"shape {got.shape}, numpy gives {want.shape}"
    if rtol:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=0, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


def float_rtol(dtype: str) -> float:
    return 2e-6 if dtype in ("float32", "complex64") else 1e-14


def theano_binary_dtype(name: str, a: str, b: str) -> str:
    """Theano's result dtype: numpy's promotion; int / int is float64 (floatX); comparisons
    give bool."""
    if name in COMPARE:
        return "bool"
    out = np.result_type(a, b).name
    if name == "true_div" and out in INTS:
        return "float64"
    return out


def upgrade_to_float(dtype: str) -> str:
    """Theano's dtype for exp, log, ... of an integer input."""
    return {"bool": "float32", "int8": "float32", "int16": "float32"}.get(
        dtype, "float64" if dtype in INTS else dtype
    )


# --------------------------------------------------------------------------- binary ops


@functools.cache
def binary_fn(dtype: str) -> tensorir.function:
    x, y = vec(dtype, "x"), vec(dtype, "y")
    return tensorir.function([x, y], [f(x, y) for f, _ in BINARY.values()])


@pytest.mark.parametrize("name", list(BINARY))
@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_same_dtype(name: str, dtype: str) -> None:
    a, b = sample(dtype, (40,), 0), sample(dtype, (40,), 1)
    got = binary_fn(dtype)(a, b)[list(BINARY).index(name)]
    with np.errstate(all="ignore"):
        want = BINARY[name][1](a, b)
    if name == "true_div" and dtype in INTS:
        assert want.dtype == np.float64
    expect_equal(got, want)


@pytest.mark.parametrize("name", list(BINARY))
@pytest.mark.parametrize("a", DTYPES + ["bool"])
@pytest.mark.parametrize("b", DTYPES)
def test_binary_result_dtype_follows_upcasting(name: str, a: str, b: str) -> None:
    out = BINARY[name][0](vec(a, "x"), vec(b, "y"))
    assert out.dtype == theano_binary_dtype(name, a, b)
    assert out.broadcastable == (False,)


MIXED = [(a, b) for i, a in enumerate(DTYPES) for b in DTYPES[i + 1 :]]


@functools.cache
def mixed_fn(a: str, b: str) -> tensorir.function:
    x, y = vec(a, "x"), vec(b, "y")
    return tensorir.function([x, y], [x + y, y - x, x * y, x / y, y // x, x % y, x < y])


@pytest.mark.parametrize(("a", "b"), MIXED)
def test_binary_mixed_dtypes_upcast(a: str, b: str) -> None:
    x, y = sample(a, (30,), 2), sample(b, (30,), 3)
    with np.errstate(all="ignore"):
        want = [x + y, y - x, x * y, x / y, y // x, x % y, x < y]
    for got, w in zip(mixed_fn(a, b)(x, y), want, strict=True):
        expect_equal(got, w)


@pytest.mark.parametrize("dtype", DTYPES)
def test_pow(dtype: str) -> None:
    x, y = vec(dtype, "x"), vec(dtype, "y")
    f = tensorir.function([x, y], x**y)
    a = sample(dtype, (30,), 4)
    b = np.abs(sample(dtype, (30,), 5)) % 4  # small non-negative exponents
    if dtype in FLOATS:
        a = np.abs(a)
        b = b + np.asarray(0.5, dtype)
    expect_equal(f(a, b), a**b, rtol=0 if dtype in INTS else float_rtol(dtype))


def test_pow_mixed_dtypes_and_constants() -> None:
    x, n = tensor.fvector("x"), tensor.bvector("n")
    f = tensorir.function([x, n], [x**n, n**2, 2**n, x**2.0])
    a, b = np.linspace(0, 3, 7, dtype="float32"), np.arange(7, dtype="int8") % 4
    got = f(a, b)
    want = [a**b, b ** np.int8(2), np.int8(2) ** b, a ** np.float32(2)]
    for g, w in zip(got, want, strict=True):
        expect_equal(g, w, rtol=2e-6)


@pytest.mark.parametrize("dtype", INTS)
def test_integer_wraparound_as_numpy(dtype: str) -> None:
    info = np.iinfo(dtype)
    x, y = vec(dtype, "x"), vec(dtype, "y")
    f = tensorir.function([x, y], [x + y, x - y, x * y, -x, abs(x)])
    a = np.array([info.max, info.min, info.min, 3, info.max], dtype=dtype)
    b = np.array([1, 1, -1, info.max, info.max], dtype=dtype)
    with np.errstate(all="ignore"):
        want = [a + b, a - b, a * b, -a, np.abs(a)]
    for g, w in zip(f(a, b), want, strict=True):
        expect_equal(g, w)


# --------------------------------------------------------------------------- division by zero


@pytest.mark.parametrize("dtype", INTS)
def test_integer_division_by_zero_gives_zero(dtype: str) -> None:
    info = np.iinfo(dtype)
    x, y = vec(dtype, "x"), vec(dtype, "y")
    f = tensorir.function([x, y], [x // y, x % y, x / y])
    a = np.array([5, -5, 0, info.min, info.min, info.max, 7, -7], dtype=dtype)
    b = np.array([0, 0, 0, 0, -1, -1, -2, 2], dtype=dtype)
    with np.errstate(all="ignore"):
        want = [a // b, a % b, a / b]
    for g, w in zip(f(a, b), want, strict=True):
        expect_equal(g, w)


@pytest.mark.parametrize("dtype", INTS)
def test_integer_scalar_division_by_zero(dtype: str) -> None:
    x, y = tensor.TensorType(dtype, ())("x"), tensor.TensorType(dtype, ())("y")
    f = tensorir.function([x, y], [x // y, x % y])
    for g in f(7, 0):
        expect_equal(g, np.zeros((), dtype))


@pytest.mark.parametrize("dtype", FLOATS)
def test_float_floor_div_and_mod_as_numpy(dtype: str) -> None:
    """numpy's divmod: 1.0 // 0.1 is 9.0, a zero remainder takes the divisor's sign."""
    x, y = vec(dtype, "x"), vec(dtype, "y")
    f = tensorir.function([x, y], [x // y, x % y])
    inf, nan = np.inf, np.nan
    a = np.array([1.0, 5, -5, 5, -5, 0, -0.0, 7.5, inf, 1, nan, 3, 3, -3, 0, 2, 1.0], dtype)
    b = np.array([0.1, 3, 3, -3, -3, 2, 2, 0, 1, inf, 1, -inf, 0, 0, 0, -1, 0.3], dtype)
    with np.errstate(all="ignore"):
        want = [a // b, a % b]
    for g, w in zip(f(a, b), want, strict=True):
        expect_equal(g, w)
        np.testing.assert_array_equal(np.signbit(g), np.signbit(w))


# --------------------------------------------------------------------------- NaN and inf


def test_nan_inf_in_maximum_minimum_and_comparisons() -> None:
    x, y = tensor.dvectors("x", "y")
    outs = [tensor.maximum, tensor.minimum, *(f for f, _ in COMPARE.values())]
    nps = [np.maximum, np.minimum, *(f for _, f in COMPARE.values())]
    f = tensorir.function([x, y], [o(x, y) for o in outs])
    nan, inf = np.nan, np.inf
    a = np.array([nan, 1.0, inf, -inf, nan, 0.0, -0.0, inf, -inf, 2.0])
    b = np.array([1.0, nan, 1.0, nan, nan, -0.0, 0.0, inf, inf, -inf])
    for got, fn in zip(f(a, b), nps, strict=True):
        expect_equal(got, fn(a, b))


def test_float32_nan_propagates_through_arithmetic() -> None:
    x, y = tensor.fvectors("x", "y")
    f = tensorir.function([x, y], [x + y, x * y, x / y, tensor.maximum(x, y)])
    a = np.array([np.nan, np.inf, np.inf, 1.0, 0.0], "float32")
    b = np.array([1.0, -np.inf, np.inf, np.nan, 0.0], "float32")
    with np.errstate(all="ignore"):
        want = [a + b, a * b, a / b, np.maximum(a, b)]
    for g, w in zip(f(a, b), want, strict=True):
        expect_equal(g, w)


# --------------------------------------------------------------------------- unary ops

UNARY = {
    "neg": (lambda v: -v, np.negative),
    "abs": (abs, np.abs),
    "tensor.abs": (tensor.abs, np.abs),
    "sqr": (tensor.sqr, np.square),
    "exp": (tensor.exp, np.exp),
    "log": (tensor.log, np.log),
    "sqrt": (tensor.sqrt, np.sqrt),
    "tanh": (tensor.tanh, np.tanh),
    "sin": (tensor.sin, np.sin),
    "cos": (tensor.cos, np.cos),
    "sigmoid": (tensor.sigmoid, lambda v: 1 / (1 + np.exp(-v))),
}
FLOAT_RESULT = {"exp", "log", "sqrt", "tanh", "sin", "cos", "sigmoid"}


@functools.cache
def unary_fn(dtype: str) -> tensorir.function:
    x = vec(dtype)
    return tensorir.function([x], [f(x) for f, _ in UNARY.values()])


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("dtype", DTYPES)
def test_unary(name: str, dtype: str) -> None:
    a = sample(dtype, (40,), 6)
    if name in ("log", "sqrt"):  # include negative inputs (NaN) and zero (-inf)
        a[:3] = np.array([0, -1, 4], dtype)
    got = unary_fn(dtype)(a)[list(UNARY).index(name)]
    out_dtype = upgrade_to_float(dtype) if name in FLOAT_RESULT else dtype
    with np.errstate(all="ignore"):
        want = UNARY[name][1](a.astype(out_dtype))
    exact = name not in FLOAT_RESULT
    expect_equal(got, want, rtol=0 if exact else float_rtol(out_dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_unary_result_dtype_upgrades_ints_to_float(dtype: str) -> None:
    x = vec(dtype)
    for name, (f, _) in UNARY.items():
        want = upgrade_to_float(dtype) if name in FLOAT_RESULT else dtype
        assert f(x).dtype == want, name


def test_sigmoid_extremes() -> None:
    x = tensor.dvector("x")
    f = tensorir.function([x], tensor.sigmoid(x))
    a = np.array([-800.0, -40.0, 0.0, 40.0, 800.0, np.inf, -np.inf, np.nan])
    with np.errstate(all="ignore"):
        expect_equal(f(a), 1 / (1 + np.exp(-a)), rtol=1e-15)


def test_bool_abs_and_comparisons() -> None:
    x, y = tensor.TensorType("bool", (False,))("x"), tensor.TensorType("bool", (False,))("y")
    f = tensorir.function(
        [x, y], [abs(x), tensor.maximum(x, y), tensor.minimum(x, y), tensor.eq(x, y), x < y]
    )
    a = np.array([True, True, False, False])
    b = np.array([True, False, True, False])
    want = [np.abs(a), np.maximum(a, b), np.minimum(a, b), a == b, a < b]
    for g, w in zip(f(a, b), want, strict=True):
        expect_equal(g, w)


# --------------------------------------------------------------------------- casts

ALL = ["bool", *DTYPES]


@functools.cache
def cast_fn(src: str) -> tensorir.function:
    x = vec(src)
    return tensorir.function([x], [tensor.cast(x, d) for d in ALL if d != src] + [x.astype(src)])


def cast_sample(src: str) -> np.ndarray:
    a = sample(src, (33,), 7)
    if src in FLOATS:  # in range of every int type, with fractions of both signs
        a = (a * 14).astype(src)
        a[:6] = np.array([0.0, -0.0, 0.5, -0.5, 127.9, -128.9], src)
    if src == "int64":
        a[:3] = [2**40 + 1, -(2**53) - 1, 2**62 + 12345]
    if src == "int32":
        a[:2] = [2**31 - 1, -(2**31)]
    return a


@pytest.mark.parametrize("dst", ALL)
@pytest.mark.parametrize("src", ALL)
def test_cast(src: str, dst: str) -> None:
    a = cast_sample(src)
    targets = [d for d in ALL if d != src] + [src]
    got = cast_fn(src)(a)[targets.index(dst)]
    with np.errstate(all="ignore"):
        expect_equal(got, a.astype(dst))


def test_cast_float_special_values_to_bool_and_float32() -> None:
    x = tensor.dvector("x")
    f = tensorir.function([x], [tensor.cast(x, "bool"), tensor.cast(x, "float32")])
    a = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e300, 1e-300, 0.1])
    with np.errstate(all="ignore"):
        want = [a.astype(bool), a.astype("float32")]
    for g, w in zip(f(a), want, strict=True):
        expect_equal(g, w)


def test_cast_to_same_dtype_is_identity() -> None:
    x = tensor.dvector("x")
    assert tensor.cast(x, "float64") is x


# --------------------------------------------------------------------------- constants


@pytest.mark.parametrize(
    ("make", "const", "want"),
    [
        (tensor.fvector, 2.0, "float32"),  # exactly representable in float32
        (tensor.fvector, 0.5, "float32"),
        (tensor.fvector, 0.1, "float64"),  # not representable: float64, as Theano
        (tensor.fvector, 1e300, "float64"),
        (tensor.fvector, float("inf"), "float32"),
        (tensor.fvector, 1, "float32"),
        (tensor.fvector, 100_000, "float64"),  # int32 constant with float32
        (tensor.bvector, 1, "int8"),
        (tensor.bvector, -128, "int8"),
        (tensor.bvector, 300, "int16"),
        (tensor.bvector, 2.0, "float32"),
        (tensor.bvector, 0.1, "float64"),
        (tensor.ivector, 1, "int32"),
        (tensor.ivector, 2**40, "int64"),
        (tensor.lvector, 2.5, "float64"),
        (tensor.dvector, 1, "float64"),
    ],
)
def test_python_constant_autocast(make, const, want: str) -> None:
    x = make("x")
    assert (x + const).dtype == want
    assert (const * x).dtype == want


def test_python_constants_values() -> None:
    x, b = tensor.fvector("x"), tensor.bvector("b")
    f = tensorir.function([x, b], [x + 2.0, x + 0.1, b + 1, 1 - b, b * 300, b / 2, 2.5 * b])
    a = np.array([0.0, 1.5, -3.25], "float32")
    c = np.array([127, -128, 5], "int8")
    want = [
        a + np.float32(2.0),
        a.astype("float64") + 0.1,
        c + np.int8(1),
        np.int8(1) - c,
        c * np.int16(300),
        c / np.int8(2),
        np.float32(2.5) * c,
    ]
    with np.errstate(all="ignore"):
        for g, w in zip(f(a, c), want, strict=True):
            expect_equal(g, w)


def test_array_constant_broadcasts() -> None:
    m = tensor.imatrix("m")
    f = tensorir.function([m], [m + np.array([1, 2, 3], "int32"), m * np.array([[2]], "int8")])
    a = np.arange(12, dtype="int32").reshape(4, 3)
    expect_equal(f(a)[0], a + np.array([1, 2, 3], "int32"))
    expect_equal(f(a)[1], a * np.int32(2))


# --------------------------------------------------------------------------- shapes


@functools.cache
def broadcast_fn(ta: tuple, tb: tuple) -> tensorir.function:
    x = tensor.TensorType(*ta)("x")
    y = tensor.TensorType(*tb)("y")
    return tensorir.function([x, y], [x + y, x * y, y - x, tensor.maximum(x, y), x < y])


def np_ops(a: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
    return [a + b, a * b, b - a, np.maximum(a, b), a < b]


BROADCAST_CASES = [
    # (type of x, type of y, shapes of (x, y) to call with)
    (("float64", ()), ("float64", ()), [((), ())]),
    (("float64", (False,)), ("float64", (False,)), [((5,), (5,)), ((0,), (0,)), ((1,), (1,))]),
    (("float64", (True, False)), ("float64", (False, True)), [((1, 4), (3, 1)), ((1, 0), (3, 1)),
                                                               ((1, 4), (0, 1)), ((1, 1), (1, 1))]),
    (("float64", (False,)), ("float64", (False, False)), [((4,), (3, 4)), ((0,), (5, 0)),
                                                          ((4,), (0, 4)), ((1,), (2, 1))]),
    (("float64", ()), ("float32", (False, False)), [((), (3, 4)), ((), (0, 2)), ((), (2, 0))]),
    (("int16", (False, False, False)), ("int32", (True, False)), [((2, 3, 4), (1, 4)),
                                                                  ((2, 0, 4), (1, 4)),
                                                                  ((0, 3, 4), (1, 4)),
                                                                  ((2, 3, 0), (1, 0))]),
    (("float32", (False, True)), ("int8", (True, False, True)), [((5, 1), (1, 5, 1)),
                                                                 ((0, 1), (1, 0, 1))]),
    (("float64", (True, True)), ("float64", (False, False)), [((1, 1), (3, 4)),
                                                              ((1, 1), (0, 4))]),
    (("int64", (False, True, False)), ("int64", (False, False)), [((2, 1, 3), (4, 3)),
                                                                  ((0, 1, 3), (4, 3)),
                                                                  ((2, 1, 3), (0, 3))]),
    (("float32", ()), ("float32", (False, False, False)), [((), (2, 3, 4)), ((), (2, 0, 4))]),
]  # fmt: skip


@pytest.mark.parametrize(("ta", "tb", "shapes"), BROADCAST_CASES)
def test_broadcasting_and_rank_alignment(ta: tuple, tb: tuple, shapes: list) -> None:
    f = broadcast_fn(ta, tb)
    for k, (sa, sb) in enumerate(shapes):
        a, b = sample(ta[0], sa, k), sample(tb[0], sb, k + 10)
        for got, want in zip(f(a, b), np_ops(a, b), strict=True):
            expect_equal(got, want)


@pytest.mark.parametrize(("ta", "tb", "shapes"), BROADCAST_CASES)
def test_broadcast_result_pattern(ta: tuple, tb: tuple, shapes: list) -> None:
    x, y = tensor.TensorType(*ta)("x"), tensor.TensorType(*tb)("y")
    n = max(len(ta[1]), len(tb[1]))
    pa = (True,) * (n - len(ta[1])) + tuple(ta[1])
    pb = (True,) * (n - len(tb[1])) + tuple(tb[1])
    want = tuple(p and q for p, q in zip(pa, pb, strict=True))
    assert (x + y).broadcastable == want
    assert (x < y).broadcastable == want


def test_broadcastable_result_keeps_size_one_dims() -> None:
    r, c = tensor.drow("r"), tensor.dcol("c")
    f = tensorir.function([r, c], [r + r, c * c, r.T + c])
    a, b = sample("float64", (1, 3)), sample("float64", (3, 1))
    got = f(a, b)
    expect_equal(got[0], a + a)
    expect_equal(got[1], b * b)
    expect_equal(got[2], a.T + b)
    with pytest.raises(ValueError, match="do not broadcast"):
        f(a, sample("float64", (4, 1)))


def test_unary_on_every_rank_and_empty_dims() -> None:
    x = tensor.dtensor3("x")
    f = tensorir.function([x], [tensor.exp(x), -x, tensor.sqr(x)])
    for shape in [(2, 3, 4), (0, 3, 4), (2, 0, 4), (2, 3, 0), (1, 1, 1)]:
        a = sample("float64", shape)
        want = [np.exp(a), -a, a * a]
        for g, w in zip(f(a), want, strict=True):
            expect_equal(g, w, rtol=1e-14)


def test_scalar_inputs_give_0d_arrays() -> None:
    for make, dtype in [(tensor.dscalar, "float64"), (tensor.fscalar, "float32"),
                        (tensor.bscalar, "int8"), (tensor.wscalar, "int16"),
                        (tensor.iscalar, "int32"), (tensor.lscalar, "int64")]:  # fmt: skip
        x, y = make("x"), make("y")
        f = tensorir.function([x, y], [x + y, x * y, x < y, -x, x // y])
        a, b = np.asarray(7, dtype), np.asarray(-2, dtype)
        want = [a + b, a * b, a < b, -a, a // b]
        for g, w in zip(f(a, b), want, strict=True):
            expect_equal(g, w)


def test_chained_expressions_reuse_temporaries_correctly() -> None:
    x, r = tensor.dmatrix("x"), tensor.drow("r")
    t = x * 2.0 + r
    out = [(t - 1.0) * (t + 1.0) / (x * x + 3.0), t * t - tensor.exp(-t), tensor.sqr(r - r * 0.5)]
    f = tensorir.function([x, r], out)
    a, b = sample("float64", (4, 5), 1), sample("float64", (1, 5), 2)
    tt = a * 2.0 + b
    want = [(tt - 1.0) * (tt + 1.0) / (a * a + 3.0), tt * tt - np.exp(-tt), np.square(b - b * 0.5)]
    for g, w in zip(f(a, b), want, strict=True):
        expect_equal(g, w, rtol=1e-14)


def test_non_contiguous_and_aliased_inputs() -> None:
    x, y = tensor.fmatrices("x", "y")
    f = tensorir.function([x, y], [x - y, x * y])
    a = sample("float32", (6, 8), 3)
    views = [(a[::2, 1::3], a[1::2, ::3]), (a.T, np.asfortranarray(a.T)), (a, a)]
    for p, q in views:
        for g, w in zip(f(p, q), [p - q, p * q], strict=True):
            expect_equal(g, w)


def test_non_broadcastable_size_one_dim_does_not_stretch() -> None:
    """As Theano: a vector of length 1 is not a broadcastable dim."""
    v, m = tensor.dvector("v"), tensor.dmatrix("m")
    f = tensorir.function([v, m], v + m)
    with pytest.raises(ValueError, match="do not broadcast at dim 1"):
        f(np.ones(1), np.ones((3, 4)))
    with pytest.raises(ValueError, match="do not broadcast at dim 1"):
        f(np.ones(4), np.ones((3, 5)))


def test_broadcastable_input_rejects_wrong_size() -> None:
    r, m = tensor.drow("r"), tensor.dmatrix("m")
    f = tensorir.function([r, m], r + m)
    with pytest.raises(TypeError, match="broadcastable"):
        f(np.ones((2, 4)), np.ones((2, 4)))


# --------------------------------------------------------------------------- complex

COMPLEX_OPS = {
    "add": (lambda x, y: x + y, lambda a, b: a + b),
    "sub": (lambda x, y: x - y, lambda a, b: a - b),
    "mul": (lambda x, y: x * y, lambda a, b: a * b),
    "neg": (lambda x, y: -x, lambda a, b: -a),
    "abs": (lambda x, y: abs(x), lambda a, b: np.abs(a)),
    "real": (lambda x, y: x.real, lambda a, b: a.real),
    "imag": (lambda x, y: x.imag, lambda a, b: a.imag),
    "tensor.real": (lambda x, y: tensor.real(x), lambda a, b: np.real(a)),
    "tensor.imag": (lambda x, y: tensor.imag(y), lambda a, b: np.imag(b)),
    "eq": (tensor.eq, np.equal),
    "neq": (tensor.neq, np.not_equal),
}


@functools.cache
def complex_fn(dtype: str) -> tensorir.function:
    x, y = vec(dtype, "x"), vec(dtype, "y")
    return tensorir.function([x, y], [f(x, y) for f, _ in COMPLEX_OPS.values()])


@pytest.mark.parametrize("name", list(COMPLEX_OPS))
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex(name: str, dtype: str) -> None:
    a, b = sample(dtype, (20,), 8), sample(dtype, (20,), 9)
    a[:2], b[:2] = 1 + 2j, 1 + 2j  # some equal elements
    got = complex_fn(dtype)(a, b)[list(COMPLEX_OPS).index(name)]
    exact = name not in ("mul", "abs")
    expect_equal(got, COMPLEX_OPS[name][1](a, b), rtol=0 if exact else float_rtol(dtype))


def test_complex_construction_and_upcasting() -> None:
    z = tensor.cvector("z")
    assert z.dtype == "complex128"
    d, f32 = tensor.dvector("d"), tensor.fvector("f")
    outs = [z + d, z * 2, z - 1.5, tensor.cast(d, "complex128"), tensor.cast(f32, "complex64")]
    assert [o.dtype for o in outs[:3]] == ["complex128"] * 3
    f = tensorir.function([z, d, f32], outs)
    a = np.array([1 + 2j, -3.5 + 0.5j, 0j])
    b = np.array([1.0, -2.0, 0.25])
    c = b.astype("float32")
    want = [a + b, a * 2, a - 1.5, b.astype("complex128"), c.astype("complex64")]
    for g, w in zip(f(a, b, c), want, strict=True):
        expect_equal(g, w)


def test_complex_scalar() -> None:
    x = tensor.cscalar("x")
    f = tensorir.function([x], [x * x, abs(x), x.real, x.imag])
    want = [np.complex128((3 + 4j) ** 2), np.float64(5.0), np.float64(3.0), np.float64(4.0)]
    for g, w in zip(f(3 + 4j), want, strict=True):
        expect_equal(g, w, rtol=1e-15)


# --------------------------------------------------------------------------- property test

_DTYPE = st.sampled_from(DTYPES)


@st.composite
def broadcast_case(draw):
    """Two operands of random rank, dtype and broadcastable pattern, and shapes that fit."""
    ndim = draw(st.integers(0, 3))
    sizes = draw(st.lists(st.integers(0, 4), min_size=ndim, max_size=ndim))
    operands = []
    for _ in range(2):
        rank = draw(st.integers(0, ndim))
        pattern = tuple(draw(st.lists(st.booleans(), min_size=rank, max_size=rank)))
        shape = tuple(1 if b else s for b, s in zip(pattern, sizes[ndim - rank :], strict=True))
        operands.append((draw(_DTYPE), pattern, shape))
    return operands


@functools.cache
def add_mul_fn(ta: tuple, tb: tuple) -> tensorir.function:
    x, y = tensor.TensorType(*ta)("x"), tensor.TensorType(*tb)("y")
    return tensorir.function([x, y], [x + y, x * y])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broadcast_case(), st.integers(0, 2**16))
def test_property_add_mul_agree_with_numpy(case, seed: int) -> None:
    (da, pa, sa), (db, pb, sb) = case
    a, b = sample(da, sa, seed), sample(db, sb, seed + 1)
    got = add_mul_fn((da, pa), (db, pb))(a, b)
    with np.errstate(all="ignore"):
        want = [a + b, a * b]
    for g, w in zip(got, want, strict=True):
        expect_equal(g, w)
