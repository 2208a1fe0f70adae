"""tensorir's vector math (``lowering/vecmath.py``): accuracy in ulp over the whole domain
against a higher-precision reference, special values exactly as numpy gives them, and loops
that call it vectorize.

The reference is numpy's ``longdouble`` (x87 80-bit: 64 significant bits, libm's ``expl``,
``sinl``, ...); ``erf`` has none there, so it is summed here in ``longdouble`` from a series
of positive terms. The bound asserted is the issue's, 4 ulp; measured with ``--long``
(1,000,000 random bit patterns and 1,000,000 ordinary arguments per function and dtype) the
largest errors are 2.3 ulp (``tanh``), 2.2 (``expm1``), 1.9 (``log10`` float32), 1.7
(``log2``), 1.5 (``sin``/``cos`` float32), 1.2 (``erf``); ``exp``, ``exp2``, ``log``,
``log1p`` and ``pow`` stay below 0.85; float32 ``pow`` (computed in float64) is correctly
rounded.
"""

from __future__ import annotations

import ctypes
import math

import llvmlite.ir as ir
import numpy as np
import pytest

from tensorir import config, function
from tensorir import tensor as T
from tensorir.lowering import vecmath
from tensorir.runtime.jit import JITLibrary

L = np.longdouble
ULP_BOUND = 4.0
DTYPES = (np.float32, np.float64)


def build(name: str, dtype: type) -> object:
    """A compiled loop ``out[i] = name(x[i] [, y[i]])`` over float arrays of ``dtype``."""
    t = vecmath.F32 if dtype == np.float32 else vecmath.F64
    module = ir.Module("vecmath_test")
    nargs = 2 if name == "pow" else 1
    ptr, i64 = ir.PointerType(), ir.IntType(64)
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [ptr] * (nargs + 1) + [i64]), "k")
    *ins, out, n = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    entry = b.block
    head, body, done = (fn.append_basic_block(s) for s in ("head", "body", "done"))
    b.branch(head)
    b.position_at_end(head)
    i = b.phi(i64)
    i.add_incoming(ir.Constant(i64, 0), entry)
    b.cbranch(b.icmp_signed("<", i, n), body, done)
    b.position_at_end(body)
    xs = [b.load(b.gep(p, [i], inbounds=True, source_etype=t), typ=t) for p in ins]
    result = b.call(vecmath.declare(module, name, t), xs)
    b.store(result, b.gep(out, [i], inbounds=True, source_etype=t))
    i.add_incoming(b.add(i, ir.Constant(i64, 1)), body)
    b.branch(head)
    b.position_at_end(done)
    b.ret_void()
    vecmath.finish(module)
    lib = JITLibrary(str(module))
    proto = ctypes.CFUNCTYPE(None, *([ctypes.c_void_p] * (nargs + 1)), ctypes.c_int64)
    kernel = proto(lib.address("k"))

    def call(*arrays: np.ndarray) -> np.ndarray:
        arrays = tuple(np.ascontiguousarray(a, dtype) for a in arrays)
        result = np.empty_like(arrays[0])
        kernel(*[a.ctypes.data for a in arrays], result.ctypes.data, result.size)
        return result

    call.lib = lib  # type: ignore[attr-defined]  # keeps the code alive
    return call


_PI = L("3.14159265358979323846264338327950288")


def erf_reference(x: np.ndarray) -> np.ndarray:
    """``erf`` in longdouble: ``2/sqrt(pi) exp(-x^2) sum 2^n x^(2n+1) / (2n+1)!!`` (all terms
    positive: no cancellation); 1 beyond 6.5, where erf rounds to 1 in float64."""
    x = np.asarray(x, L)
    ax = np.abs(x)
    res = np.ones_like(ax)
    small = ax < 6.5
    a = ax[small]
    term, total, x2 = a.copy(), a.copy(), 2 * a * a
    for k in range(1, 500):
        term = term * x2 / (2 * k + 1)
        total = total + term
    res[small] = 2 / np.sqrt(_PI) * np.exp(-a * a) * total
    return np.copysign(res, x)


REFERENCE = {
    "exp": np.exp,
    "exp2": np.exp2,
    "expm1": np.expm1,
    "log": np.log,
    "log2": np.log2,
    "log10": np.log10,
    "log1p": np.log1p,
    "tanh": np.tanh,
    "sin": np.sin,
    "cos": np.cos,
    "erf": erf_reference,
    "pow": np.power,
}
NUMPY = {**REFERENCE, "erf": np.vectorize(math.erf, otypes=[float])}


def ulp_errors(got: np.ndarray, ref: np.ndarray, dtype: type) -> np.ndarray:
    """``|got - ref|`` in units of the last place of ``ref`` rounded to ``dtype``; 0 where
    they agree exactly (infinities, NaN), inf where only one is finite."""
    with np.errstate(all="ignore"):
        rounded = ref.astype(dtype)
        err = np.abs(got.astype(L) - ref) / np.spacing(np.abs(rounded)).astype(L)
    same = (got == rounded) | (np.isnan(got) & np.isnan(rounded))
    err = np.where(same, 0, err)
    return np.where(np.isfinite(rounded) | same, err, np.inf)


def random_floats(rng: np.random.Generator, dtype: type, n: int) -> np.ndarray:
    """Uniform random bit patterns over every finite float of ``dtype`` (both signs)."""
    int_t, top = (np.int32, 0x7F800000) if dtype == np.float32 else (np.int64, 0x7FF << 52)
    bits = rng.integers(0, top, n, dtype=np.int64).astype(int_t)
    return bits.view(dtype) * rng.choice(np.array([-1, 1], dtype), n)


def arguments(name: str, dtype: type, n: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.concatenate(
        [random_floats(rng, dtype, n), rng.uniform(-10, 10, n).astype(dtype)]
        + [rng.uniform(-1, 1, n).astype(dtype)] * (name == "log1p")
    )
    if name != "pow":
        return [x]
    y = rng.uniform(-60, 60, x.size).astype(dtype)
    near_one = rng.uniform(0.5, 2, n).astype(dtype)  # large y * log x: the exp's hard case
    big_y = rng.uniform(-1000, 1000, n).astype(dtype)
    return [np.concatenate([x, near_one]), np.concatenate([y, big_y])]


@pytest.fixture(scope="module")
def kernels() -> dict[tuple[str, type], object]:
    return {}


def kernel(cache: dict, name: str, dtype: type) -> object:
    if (name, dtype) not in cache:
        cache[name, dtype] = build(name, dtype)
    return cache[name, dtype]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name", vecmath.FUNCTIONS)
def test_ulp_bound(name: str, dtype: type, kernels: dict, request: pytest.FixtureRequest) -> None:
    n = 1_000_000 if request.config.getoption("--long") else 20_000
    args = arguments(name, dtype, n, seed=vecmath.FUNCTIONS.index(name))
    got = kernel(kernels, name, dtype)(*args)
    with np.errstate(all="ignore"):
        ref = REFERENCE[name](*[a.astype(L) for a in args])
    err = ulp_errors(got, ref, dtype)
    worst = int(np.argmax(err))
    assert err[worst] <= ULP_BOUND, (
        f"{name} {np.dtype(dtype).name}: {err[worst]:.2f} ulp at "
        f"{[a[worst] for a in args]}: got {got[worst]!r}, reference {ref[worst]!r}"
    )


def special_values(dtype: type) -> np.ndarray:
    fi = np.finfo(dtype)
    values = [
        0.0, -0.0, math.inf, -math.inf, math.nan, fi.smallest_subnormal,
        -fi.smallest_subnormal, fi.tiny, -fi.tiny, fi.max, -fi.max, 1.0, -1.0, 0.5, 2.0,
        1e-30, -1e-30, 1e30, -1e30, 1e-8, -1e-8, 19.0, 20.0, -20.0, 50.0, math.pi,
        -math.pi / 2, 2.0**40, 2.0**41, -(2.0**60), 71476.0625, 71476.07, 1e300, 1e-320,
        # exp/exp2 overflow and underflow thresholds of both types
        88.72283, 88.72284, -87.33654, -103.97208, -103.97209, 128.0, -149.0, -150.0,
        709.782712893384, 709.7827128933841, -708.3964185322641, -745.1332191019411,
        -745.1332191019412, 1024.0, -1074.0, -1075.0,
    ]  # fmt: skip
    with np.errstate(over="ignore"):
        return np.array(values, dtype)


def same_value(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return ((a == b) & (np.signbit(a) == np.signbit(b))) | (np.isnan(a) & np.isnan(b))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name", [n for n in vecmath.FUNCTIONS if n != "pow"])
def test_special_values(name: str, dtype: type, kernels: dict) -> None:
    """Infinities, NaN, signed zeros, denormals and the overflow thresholds: where numpy's
    result is not finite, zero or the argument is not finite, exactly numpy's result;
    elsewhere within the ulp bound."""
    x = special_values(dtype)
    got = kernel(kernels, name, dtype)(x)
    with np.errstate(all="ignore"):
        want = NUMPY[name](x).astype(dtype)
        ref = REFERENCE[name](x.astype(L))
    err = ulp_errors(got, ref, dtype)
    exact = ~np.isfinite(want) | (want == 0) | ~np.isfinite(x)
    bad = (exact & ~same_value(got, want)) | (~exact & (err > ULP_BOUND))
    assert not bad.any(), [(x[i], got[i], want[i]) for i in np.flatnonzero(bad)]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_pow_special_values(dtype: type, kernels: dict) -> None:
    """C99's pow table: every pair of special and ordinary values as numpy gives it."""
    tiny, huge = (1e-40, 1e38) if dtype == np.float32 else (1e-300, 1e300)
    values = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, tiny, huge]
    values += [math.inf, -math.inf, math.nan]
    x, y = (a.ravel() for a in np.meshgrid(np.array(values, dtype), np.array(values, dtype)))
    got = kernel(kernels, "pow", dtype)(x, y)
    with np.errstate(all="ignore"):
        want = np.power(x, y)
        err = ulp_errors(got, np.power(x.astype(L), y.astype(L)), dtype)
    exact = ~np.isfinite(want) | (want == 0)
    bad = (exact & ~same_value(got, want)) | (~exact & (err > ULP_BOUND))
    assert not bad.any(), [(x[i], y[i], got[i], want[i]) for i in np.flatnonzero(bad)]


def test_sin_cos_beyond_the_reduction_bound(kernels: dict) -> None:
    """Past ``TRIG_BOUND`` sin and cos call libm, lane by lane, inside a vectorized loop."""
    for dtype in DTYPES:
        bound = vecmath.TRIG_BOUND[dtype == np.float64]
        x = np.linspace(-3, 3, 1001).astype(dtype)
        x[::7] = (np.linspace(1.5, 1e6, x[::7].size) * bound).astype(dtype)
        for name in ("sin", "cos"):
            got = kernel(kernels, name, dtype)(x)
            err = ulp_errors(got, REFERENCE[name](x.astype(L)), dtype)
            assert err.max() <= ULP_BOUND, (name, dtype)


# ---- through the compiler


@pytest.fixture
def math_option() -> object:
    saved = config.math
    yield
    config.math = saved


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_function_uses_vector_math(dtype: str, math_option: object) -> None:
    """A compiled function calls vecmath, whose loop vectorizes; ``math=libm`` calls libm;
    both agree with numpy on the same expression (W5a, the issue's workload)."""
    xv = np.random.default_rng(0).uniform(-5, 5, 1000).astype(dtype)
    xv[::97] *= 1e30  # sin's libm lanes
    with np.errstate(over="ignore"):
        want = np.exp(-xv * xv) * np.sin(xv) + 0.5 * np.tanh(xv)
    results = {}
    for choice in ("vector", "libm"):
        config.math = choice
        x = T.vector("x", dtype=dtype)
        f = function([x], T.exp(-x * x) * T.sin(x) + 0.5 * T.tanh(x))
        results[choice] = f(xv)
        llvm_ir = f.ir("llvm")
        assert ("tir.vm.sin." in llvm_ir) == (choice == "vector")
    for got in results.values():
        np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == "float32" else 1e-14)


def test_vector_math_loop_vectorizes() -> None:
    """The optimised code of a loop calling exp, log, tanh and sin has vector types: LLVM
    inlined vecmath's functions and widened the loop (libm calls would keep it scalar)."""
    for name in ("exp", "log", "tanh", "sin", "cos", "erf", "pow"):
        f = build(name, np.float32)
        assert "x float>" in f.lib.optimized_ir, name  # type: ignore[attr-defined]


def test_math_option_is_checked() -> None:
    with pytest.raises(ValueError, match="config.math must be one of vector, libm"):
        config.math = "fast"
