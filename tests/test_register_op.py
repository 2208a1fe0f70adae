"""A new elementwise op from outside the package: its declaration, gradient rule and scalar
lowering are all it takes. The frontend function (``tensor.cube``), the type rule, dtype
upcasting, parsing, fusion, bufferization, the LLVM code, DebugMode's numpy reference and
``grad`` all derive from them."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest
from xdsl.irdl import irdl_op_definition
from xdsl.parser import Parser

import tensorir
from tensorir import tensor as T
from tensorir.dialects import context, tir
from tensorir.gradient import verify_grad
from tensorir.lowering import autodiff, scalar


def _cube(x: np.ndarray) -> np.ndarray:
    return x * x * x


# 1. the declaration: IR name, accepted dtypes, numpy semantics (Theano name: "cube")
@tir.register_op
@irdl_op_definition
class CubeOp(tir.ElementwiseUnaryOp):
    """Elementwise ``x ** 3``."""

    name = "tir.cube"
    ACCEPTS: ClassVar[str] = "realfloat"
    NUMPY: ClassVar[tir.NumpyFn] = _cube


# 2. the gradient rule: d(x**3)/dx = 3 x**2
autodiff.register_derivative(
    CubeOp, lambda e, x, z: e.emit(tir.MulOp(e.const_like(3.0, x), e.emit(tir.SqrOp(x))))
)


# 3. the scalar lowering: x * (x * x)
@scalar.register_lowering(CubeOp)
def _lower_cube(insert, x, dtype):
    return scalar.binary(insert, tir.MulOp, x, scalar.binary(insert, tir.MulOp, x, x, dtype), dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", [(5,), (0,), (3, 1), (2, 4)])
def test_cube_compiles_and_matches_numpy(dtype: str, shape: tuple[int, ...]) -> None:
    x = T.tensor(dtype, (False,) * len(shape), name="x")
    y = T.cube(x) + 1  # the frontend function derives from the declaration
    f = tensorir.function([x], y)
    a = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    out = f(a)
    assert out.dtype == dtype and out.shape == shape
    np.testing.assert_allclose(out, a * a * a + 1, rtol=1e-6 if dtype == "float32" else 1e-15)
    assert "tir.cube" in f.ir("tir")


def test_cube_of_integers_is_float_as_for_other_float_only_ops() -> None:
    i = T.lvector("i")
    f = tensorir.function([i], T.cube(i))
    np.testing.assert_array_equal(f(np.array([2, -3])), [8.0, -27.0])
    assert f(np.array([2])).dtype == np.float64


def test_cube_gradient_matches_finite_differences() -> None:
    x = T.dvector("x")
    g = tensorir.grad(T.cube(x).sum(), x)
    f = tensorir.function([x], g)
    a = np.array([-1.5, 0.0, 2.0])
    np.testing.assert_allclose(f(a), 3 * a * a, rtol=1e-15)
    verify_grad(lambda v: T.cube(v).sum(), [np.array([0.3, -1.2, 2.5])])
    # second order through the same rules
    h = tensorir.function([x], tensorir.grad(tensorir.grad(T.cube(x).sum(), x).sum(), x))
    np.testing.assert_allclose(h(a), 6 * a, rtol=1e-15)


def test_cube_in_debug_mode_checks_against_its_numpy_reference() -> None:
    x = T.dvector("x")
    f = tensorir.function([x], T.cube(x) * 2, mode="DebugMode")
    np.testing.assert_allclose(f(np.array([1.0, 2.0])), [2.0, 16.0])


def test_cube_ir_parses_back_and_rejects_integers() -> None:
    x = T.dvector("x")
    text = tensorir.function([x], T.cube(x)).ir("tir")
    parsed = Parser(context(), text).parse_module()  # a parser made after registration
    assert any(op.name == "tir.cube" for op in parsed.walk())
    with pytest.raises(Exception, match="tir.cube: element type int64 is not supported"):
        Parser(context(), text.replace("f64", "i64")).parse_module().verify()


def test_registering_a_name_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="already registered"):
        tir.register_op(CubeOp)


def test_an_op_without_a_lowering_says_so() -> None:
    @tir.register_op
    @irdl_op_definition
    class HalfOp(tir.ElementwiseUnaryOp):
        """Elementwise ``x / 2`` (declared, no lowering registered)."""

        name = "tir.half_unlowered"
        ACCEPTS: ClassVar[str] = "realfloat"

    x = T.dvector("x")
    with pytest.raises(KeyError, match="tir.half_unlowered has no scalar lowering"):
        tensorir.function([x], T.half_unlowered(x))
