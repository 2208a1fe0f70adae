"""NanGuardMode and DebugMode: the checking modes of ``function``.

NanGuardMode must stop at the first computation producing NaN, Inf or a big value and name
it (op, operand shapes and dtypes, the user's line), even inside what FAST_RUN fuses, and
leave shared variables untouched when it raises. DebugMode must check every op against its
numpy reference and catch a deliberately broken lowering, naming the op and its line.
"""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pytest
from xdsl.dialects import math

import tensorir
from tensorir import tensor as T
from tensorir.compile import DebugMode, Mode, NanGuardMode, get_mode
from tensorir.compile.debugmode import (
    BadOptimization,
    BadThunkOutput,
    CheckedKernel,
    DebugModeError,
    InvalidValueError,
)
from tensorir.dialects import tir
from tensorir.lowering import scalar

HERE = "test_checking_modes.py"

# --------------------------------------------------------------------------- NanGuardMode


def test_nan_guard_names_the_op_its_inputs_and_the_line() -> None:
    x = T.dmatrix("x")
    y = T.log(x)  # the line the error must name
    f = tensorir.function([x], y * 2, mode=NanGuardMode(True, True, True))
    np.testing.assert_allclose(f([[1.0, 2.0]]), 2 * np.log([[1.0, 2.0]]))
    with pytest.raises(AssertionError) as e:
        f(np.array([[1.0, -1.0], [2.0, 3.0]]))
    msg = str(e.value)
    assert msg.startswith("NaN detected: NanGuardMode found an error in the output of tir.log")
    assert f"{HERE}:" in msg and "y = T.log(x)" in msg
    assert "its inputs: x float64 (2, 2)" in msg
    with pytest.raises(AssertionError, match=r"^Inf detected: .* tir.log .* x float64 \(1, 2\)"):
        f([[0.0, 1.0]])


def test_nan_guard_big_values_and_inputs() -> None:
    x = T.dvector("x")
    f = tensorir.function([x], T.exp(x), mode="NanGuardMode")
    with pytest.raises(AssertionError, match=r"^Big value detected: .* tir.exp"):
        f([30.0])  # exp(30) ~ 1e13 > 1e10
    with pytest.raises(AssertionError, match=r"^NaN detected: .* input x$"):
        f([np.nan])
    with pytest.raises(AssertionError, match=r"^Big value detected: .* input x$"):
        f([-1e11])


def test_nan_guard_flags_choose_what_raises() -> None:
    x = T.dvector("x")
    only_nan = tensorir.function([x], T.log(x), mode=NanGuardMode(True, False, False))
    assert only_nan([0.0])[0] == -np.inf  # Inf allowed
    with pytest.raises(AssertionError, match="NaN detected"):
        only_nan([-1.0])
    only_big = tensorir.function([x], T.log(x), mode=NanGuardMode(False, False, True))
    assert np.isnan(only_big([-1.0])[0])
    with pytest.raises(AssertionError, match="Big value detected"):  # |-inf| > 1e10
        only_big([0.0])
    with pytest.raises(ValueError, match="nothing to check"):
        NanGuardMode(False, False, False)


def test_nan_guard_names_the_first_op_inside_a_fused_chain() -> None:
    # FAST_RUN fuses exp, sub and mul into one kernel; the guard splits it and names exp,
    # whose overflow is the first bad value (the output itself is NaN: inf - inf)
    x = T.dvector("x")
    e = T.exp(x)
    f = tensorir.function([x], (e - e) * 3, mode=NanGuardMode(True, True, False))
    with pytest.raises(AssertionError, match=r"^Inf detected: .* tir.exp .*e = T.exp\(x\)"):
        f([1000.0])
    fast = tensorir.function([x], (e - e) * 3)
    assert np.isnan(fast([1000.0])[0])
    assert fast.ir("fused").count("linalg.generic") < f.ir("fused").count("linalg.generic")


def test_nan_guard_checks_gradients() -> None:
    x = T.dvector("x")
    g = tensorir.grad(T.sqrt(x).sum(), x)  # 0.5 / sqrt(0) = inf
    f = tensorir.function([x], g, mode=NanGuardMode(True, True, False))
    np.testing.assert_allclose(f([4.0]), [0.25])
    with pytest.raises(AssertionError, match="Inf detected"):
        f([0.0])


def test_nan_guard_call_that_raises_changes_no_shared_variable() -> None:
    x = T.dvector("x")
    w = tensorir.shared(np.array([1.0, 2.0]), name="w")
    f = tensorir.function([x], [], updates=[(w, w * x)], mode="NanGuardMode")
    f([2.0, 3.0])
    np.testing.assert_array_equal(w.get_value(), [2.0, 6.0])
    with pytest.raises(AssertionError, match="NaN detected"):
        f([np.nan, 1.0])
    with pytest.raises(AssertionError, match="Inf detected"):
        f([np.inf, 1.0])
    np.testing.assert_array_equal(w.get_value(), [2.0, 6.0])


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128"])
def test_nan_guard_dtypes_and_empty_arrays(dtype: str) -> None:
    x = T.vector("x", dtype=dtype)
    f = tensorir.function([x], x * 2, mode="NanGuardMode")
    assert f(np.zeros(0, dtype)).shape == (0,)  # nothing to check
    np.testing.assert_array_equal(f(np.ones(3, dtype)), np.full(3, 2, dtype))
    bad = np.ones(3, dtype)
    bad[1] = np.nan
    with pytest.raises(AssertionError, match="NaN detected"):
        f(bad)
    i = T.lvector("i")
    ints = tensorir.function([i], i * 10**11, mode="NanGuardMode")  # integers are not checked
    assert ints([1])[0] == 10**11


def test_nan_guard_results_equal_fast_run() -> None:
    x, y = T.dmatrices("x", "y")
    out = T.tanh(T.dot(x, y)).sum(axis=0) + T.nnet.sigmoid(x).mean()
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))
    guarded = tensorir.function([x, y], out, mode=NanGuardMode(True, True, True))
    np.testing.assert_array_equal(guarded(a, b), tensorir.function([x, y], out)(a, b))


def test_modes_pickle_and_compare() -> None:
    x = T.dvector("x")
    f = tensorir.function([x], T.log(x), mode=NanGuardMode(True, False, False))
    g = pickle.loads(pickle.dumps(f))
    assert g.mode == NanGuardMode(True, False, False) != NanGuardMode(True, True, False)
    with pytest.raises(AssertionError, match="NaN detected"):
        g([-1.0])
    assert get_mode("FAST_COMPILE") == Mode(optimizer="fast_compile")
    assert isinstance(get_mode("DEBUG_MODE"), DebugMode)
    with pytest.raises(ValueError, match="unknown mode 'FAST'"):
        tensorir.function([x], x, mode="FAST")
    with pytest.raises(ValueError, match="unknown optimizer"):
        Mode(optimizer="fastest")


def test_nan_guard_through_the_theano_import_path() -> None:
    script = (
        "import numpy as np, theano, theano.tensor as T\n"
        "from theano.compile.nanguardmode import NanGuardMode\n"
        "x = T.matrix('x')\n"
        "y = T.dot(x, x)\n"
        "f = theano.function([x], y, mode=NanGuardMode(nan_is_error=True, inf_is_error=True,"
        " big_is_error=True))\n"
        "try:\n"
        "    f(np.full((2, 2), 1e6))\n"
        "except AssertionError as e:\n"
        "    print(str(e).splitlines()[0])\n"
    )
    out = subprocess.run(
        [sys.executable, "-m", "tensorir.compat.theano", "-c", script],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("Big value detected: NanGuardMode found an error in the output")
    assert "tir.dot" in out.stdout and "x float64 (2, 2), x float64 (2, 2)" in out.stdout


# --------------------------------------------------------------------------- DebugMode


def _training_step(mode: str | Mode) -> tuple[tensorir.function, tensorir.shared]:
    x = T.dmatrix("x")
    y = T.dvector("y")
    w = tensorir.shared(np.linspace(-1, 1, 3), name="w")
    p = T.nnet.sigmoid(T.dot(x, w))
    cost = T.nnet.binary_crossentropy(p, y).mean() + 0.01 * (w**2).sum()
    gw = tensorir.grad(cost, w)
    return tensorir.function([x, y], [cost, p > 0.5], updates=[(w, w - 0.1 * gw)], mode=mode), w


def test_debug_mode_checks_a_correct_function_and_matches_fast_run() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((5, 3)), (rng.random(5) > 0.5).astype(float)
    debug, wd = _training_step("DebugMode")
    fast, wf = _training_step("FAST_RUN")
    for _ in range(3):
        (cd, pd), (cf, pf) = debug(a, b), fast(a, b)
        np.testing.assert_allclose(cd, cf, rtol=1e-12)
        np.testing.assert_array_equal(pd, pf)
    np.testing.assert_allclose(wd.get_value(), wf.get_value(), rtol=1e-12)
    assert isinstance(debug.kernel, CheckedKernel)


def test_debug_mode_catches_a_broken_lowering(monkeypatch: pytest.MonkeyPatch) -> None:
    # break one lowering: tir.exp compiled as 2**x
    monkeypatch.setitem(
        scalar.LOWERINGS, tir.ExpOp, lambda ins, x, dtype: ins(math.Exp2Op(x)).result
    )
    x = T.dvector("x")
    w = tensorir.shared(np.array([1.0, 2.0]), name="w")
    y = T.exp(x) * w  # the line the error must name
    f = tensorir.function([x], y.sum(), updates=[(w, w + 1)], mode="DebugMode")
    with pytest.raises(BadThunkOutput) as e:
        f([1.0, 2.0])
    msg = str(e.value)
    assert "tir.exp" in msg and f"{HERE}:" in msg and "y = T.exp(x) * w" in msg
    assert "largest difference 3.38905609893065" in msg and "(compiled 4.0, reference" in msg
    assert "its inputs: x float64 (2,)" in msg
    np.testing.assert_array_equal(w.get_value(), [1.0, 2.0])  # the failed call changed nothing
    # FAST_RUN does not notice
    assert tensorir.function([x], T.exp(x))([2.0])[0] == 4.0


def test_debug_mode_catches_a_broken_reduction(monkeypatch: pytest.MonkeyPatch) -> None:
    real = scalar.identity
    monkeypatch.setattr(
        scalar, "identity", lambda kind, dtype: 1 if kind == "sum" else real(kind, dtype)
    )
    x = T.fmatrix("x")
    f = tensorir.function([x], x.sum(axis=1), mode=DebugMode())
    with pytest.raises(BadThunkOutput, match=r"tir.sum .*largest difference 1.0"):
        f(np.ones((2, 3), "float32"))


def test_debug_mode_check_isfinite() -> None:
    x = T.dvector("x")
    f = tensorir.function([x], T.log(x), mode="DebugMode")
    with pytest.raises(InvalidValueError, match=r"tir.log .* computed an infinity"):
        f([0.0, 1.0])
    lenient = tensorir.function([x], T.log(x), mode=DebugMode(check_isfinite=False))
    assert lenient([0.0])[0] == -np.inf
    assert issubclass(InvalidValueError, DebugModeError)


def test_debug_mode_catches_a_wrong_optimized_result() -> None:
    x = T.dvector("x")
    f = tensorir.function([x], x + 1, mode="DebugMode")
    checked = f.kernel
    assert isinstance(checked, CheckedKernel)

    real = checked.kernel

    class Wrong:  # the optimized kernel, off by one
        abi = real.abi

        def call(self, *args: object) -> list[np.ndarray]:
            return [r + 1 for r in real.call(*args)]

    checked.kernel = Wrong()
    with pytest.raises(BadOptimization, match="result 0 .* largest difference 1.0"):
        checked.call(np.array([1.0, 2.0]))


def test_debug_mode_from_the_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tensorir.config, "mode", "DebugMode")
    x = T.dvector("x")
    f = tensorir.function([x], T.tanh(x) * 2)
    assert isinstance(f.kernel, CheckedKernel)
    np.testing.assert_allclose(f([0.5]), 2 * np.tanh([0.5]))


def test_debug_mode_checks_jacobian_maps() -> None:
    # a tir.map's body reads values defined above it: checked with their compiled values
    x = T.dvector("x")
    w = T.dvector("w")
    f = tensorir.function([x, w], tensorir.gradient.jacobian(T.tanh(x * w), x), mode="DebugMode")
    a, b = np.array([0.1, -0.4, 2.0]), np.array([1.5, 0.5, -1.0])
    np.testing.assert_allclose(f(a, b), np.diag(b / np.cosh(a * b) ** 2), rtol=1e-12)


def test_bool_constant_results_hold_numpy_bool_bytes() -> None:
    # found by DebugMode: a 1-bit true constant was stored as the byte 255, which numpy
    # prints as True but compares unequal to True
    f = tensorir.function([], T.as_tensor_variable(np.array([True, False])))
    np.testing.assert_array_equal(f().view(np.uint8), [1, 0])
    c = T.vector("c", dtype="bool")
    g = tensorir.function([c], T.ones_like(c), mode="DebugMode")
    np.testing.assert_array_equal(g(np.array([True, False])), [True, True])


def test_stable_gradients_raise_no_false_alarm() -> None:
    # the stabilized tanh and sigmoid gradients have no big or infinite intermediate (a
    # sech**2 through cosh would be above 1e10 from |x| > 24, infinite from |x| > 710)
    x = T.dvector("x")
    cost = (T.tanh(x) + T.nnet.sigmoid(x) + T.nnet.softplus(x)).sum()
    g = tensorir.grad(cost, x)
    big = np.array([-1e4, -800.0, -30.0, 0.0, 30.0, 800.0, 1e4])
    guarded = tensorir.function([x], g, mode=NanGuardMode(True, True, True))
    checked = tensorir.function([x], g, mode="DebugMode")
    expected = tensorir.function([x], g)(big)
    np.testing.assert_array_equal(guarded(big), expected)
    np.testing.assert_allclose(checked(big), expected, rtol=1e-15)
    assert np.isfinite(expected).all()
