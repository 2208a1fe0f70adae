"""The rest of Theano's elementwise math (log1p, expm1, log2, log10, exp2, tan, arcsin,
arccos, arctan, sinh, cosh, erf, floor, ceil, round, trunc, inv): values against numpy,
gradients against finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tensorir
from tensorir import tensor as T
from tensorir.gradient import verify_grad

_erf = np.vectorize(math.erf)

CASES = {
    "log1p": (np.log1p, (-0.5, 2.0)),
    "expm1": (np.expm1, (-2.0, 2.0)),
    "log2": (np.log2, (0.1, 4.0)),
    "log10": (np.log10, (0.1, 4.0)),
    "exp2": (np.exp2, (-3.0, 3.0)),
    "tan": (np.tan, (-1.2, 1.2)),
    "arcsin": (np.arcsin, (-0.9, 0.9)),
    "arccos": (np.arccos, (-0.9, 0.9)),
    "arctan": (np.arctan, (-3.0, 3.0)),
    "sinh": (np.sinh, (-2.0, 2.0)),
    "cosh": (np.cosh, (-2.0, 2.0)),
    "erf": (_erf, (-2.0, 2.0)),
    "inv": (lambda a: 1.0 / a, (0.5, 3.0)),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_value_and_gradient(name: str, dtype: str) -> None:
    ref, (lo, hi) = CASES[name]
    op = getattr(T, name)
    x = T.vector("x", dtype=dtype)
    f = tensorir.function([x], op(x))
    values = np.linspace(lo, hi, 7).astype(dtype)
    got = f(values)
    assert got.dtype == np.dtype(dtype)
    rtol = 1e-6 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(got, ref(values.astype("float64")), rtol=rtol, atol=rtol)
    assert f(np.zeros(0, dtype=dtype)).shape == (0,)
    verify_grad(op, [np.linspace(lo, hi, 5).astype(dtype)[1:-1]])


def test_rounding() -> None:
    x = T.dvector("x")
    f = tensorir.function(
        [x],
        [
            T.floor(x),
            T.ceil(x),
            T.trunc(x),
            T.round(x),
            T.round(x, mode="half_away_from_zero"),
            T.round_half_to_even(x),
        ],
    )
    v = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.7, -2.7, np.nan, np.inf, -0.0])
    fl, ce, tr, ro, away, even = f(v)
    np.testing.assert_array_equal(fl, np.floor(v))
    np.testing.assert_array_equal(ce, np.ceil(v))
    np.testing.assert_array_equal(tr, np.trunc(v))
    np.testing.assert_array_equal(ro, np.round(v))
    np.testing.assert_array_equal(even, np.round(v))
    np.testing.assert_array_equal(away, np.sign(v) * np.floor(np.abs(v) + 0.5))
    with pytest.raises(ValueError, match="mode"):
        T.round(x, mode="up")
    # piecewise constant: zero gradient
    g = tensorir.function([x], T.grad(T.floor(x).sum() + T.round(x).sum(), x))
    np.testing.assert_array_equal(g([0.3, 1.7]), [0.0, 0.0])


def test_integers_become_floats() -> None:
    i = T.ivector("i")
    f = tensorir.function([i], [T.floor(i), T.log1p(i), T.exp2(i)])
    a, b, c = f([1, 2, 3])
    assert a.dtype == b.dtype == c.dtype == np.float64
    np.testing.assert_array_equal(c, [2.0, 4.0, 8.0])
