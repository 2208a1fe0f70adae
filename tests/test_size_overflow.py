"""Size products that wrap around 64 bits: reshape and alloc check them as numpy does, so no
shape passes a check by wrapping and no kernel reads or writes outside a buffer."""

from __future__ import annotations

import numpy as np
import pytest

import tensorir
from tensorir import tensor as T

HUGE = 2**62 + 1  # 4 * HUGE wraps to 4


def test_reshape_whose_size_product_wraps_raises() -> None:
    x = T.dvector("x")
    n, m = T.lscalar("n"), T.lscalar("m")
    f = tensorir.function([x, n, m], x.reshape((n, m))[3, 2**62])
    g = tensorir.function([x], x.reshape((4, HUGE))[3, 2**62])
    xv = np.arange(4.0)
    with pytest.raises(ValueError) as numpy_error:
        xv.reshape((4, HUGE))
    assert "cannot reshape array of size 4" in str(numpy_error.value)
    message = rf"reshape: cannot reshape array of size 4 into shape \(4, {HUGE}\).*test_size"
    with pytest.raises(ValueError, match=message):
        f(xv, 4, HUGE)
    with pytest.raises(ValueError, match=message):
        g(xv)
    h = tensorir.function([x, n, m], x.reshape((n, m)))
    np.testing.assert_array_equal(h(xv, 2, 2), xv.reshape(2, 2))
    # 2**32 * 2**32 wraps to 0: an empty vector must not become a (2**32, 2**32) view
    with pytest.raises(ValueError, match="cannot reshape array of size 0"):
        h(np.zeros(0), 2**32, 2**32)
    # the product of the known sizes beside a -1 wraps (2**62 * 4 -> 0)
    k = tensorir.function([x, n, m], x.reshape((-1, n, m)))
    with pytest.raises(ValueError, match="cannot reshape array of size 4"):
        k(xv, 2**62, 4)
    with pytest.raises(ValueError, match="cannot reshape array of size 0"):
        k(np.zeros(0), 2**62, 4)
    assert k(np.zeros(0), 1, 4).shape == (0, 1, 4)


@pytest.mark.parametrize("build", ["zeros", "alloc", "ones"])
def test_alloc_sizes_checked_as_numpy(build: str) -> None:
    n, m = T.lscalar("n"), T.lscalar("m")
    make = {
        "zeros": lambda *s: T.zeros(s),
        "ones": lambda *s: T.ones(s),
        "alloc": lambda *s: T.alloc(np.float64(2.0), *s),
    }[build]
    f = tensorir.function([n, m], make(n, m))
    assert f(2, 3).shape == (2, 3)
    assert f(0, 3).shape == (0, 3)
    assert f(0, 2**59).shape == (0, 2**59)  # 2**62 bytes: numpy allows the empty shape
    for shape in [(-1, 3), (3, -2), (-1, -1)]:
        with pytest.raises(ValueError, match="negative dimensions are not allowed"):
            np.zeros(shape)
        with pytest.raises(
            ValueError, match=r"alloc: negative dimensions are not allowed.*test_size_overflow"
        ):
            f(*shape)
    for shape in [(2**62, 4), (4, HUGE), (2**40, 2**40), (0, 2**62), (2**60, 8)]:
        with pytest.raises(ValueError, match="array is too big"):
            np.zeros(shape)
        with pytest.raises(ValueError, match=r"alloc: array is too big.*float64.*test_size"):
            f(*shape)
    # the same with the shape given as constants: found while building the graph
    with pytest.raises(ValueError, match="alloc: negative dimensions are not allowed"):
        make(-1, 3)
    with pytest.raises(ValueError, match="alloc: array is too big"):
        make(2**62, 4)
    assert tensorir.function([], make(0, 2**59))().shape == (0, 2**59)


def test_failed_size_checks_leave_shared_variables_unchanged() -> None:
    """A call that raises (sizes checked at run time) writes no shared variable, even one
    whose update is written in place."""
    n, m = T.lscalar("n"), T.lscalar("m")
    x = T.dvector("x")
    s = tensorir.shared(np.zeros(3), "s")
    f = tensorir.function(
        [x, n, m],
        [T.zeros((n, m)), x.reshape((n, m))],
        updates=[(s, s + 1)],
    )
    g = tensorir.function([x, n, m], [], updates=[(s, s + x.reshape((n, m)).sum() + T.ones((m,)))])
    for fn in (f, g):
        for args in [(-1, 4), (2**62, 4), (4, HUGE), (4, 2)]:
            with pytest.raises(ValueError):
                fn(np.arange(4.0), *args)
            np.testing.assert_array_equal(s.get_value(), np.zeros(3))
    f(np.arange(4.0), 2, 2)
    np.testing.assert_array_equal(s.get_value(), np.ones(3))


def test_arange_counts_beyond_63_bits_raise_as_numpy() -> None:
    a, b, c = T.lscalar("a"), T.lscalar("b"), T.lscalar("c")
    f = tensorir.function([a, b, c], T.arange(a, b, c))
    u, v, w = T.dscalar("u"), T.dscalar("v"), T.dscalar("w")
    g = tensorir.function([u, v, w], T.arange(u, v, w))
    for fn, args, message in [
        (f, (-(2**63), 2**63 - 1, 1), "Maximum allowed size exceeded"),  # stop - start wraps
        (f, (2**63 - 1, -(2**63), -1), "Maximum allowed size exceeded"),
        (f, (0, 2**62, 1), "array is too big"),
        (g, (0.0, 1e300, 1.0), "Maximum allowed size exceeded"),  # was an undefined fptosi
        (g, (0.0, np.inf, 1.0), "Maximum allowed size exceeded"),
        (g, (0.0, 2.0**62, 1.0), "array is too big"),
    ]:
        with pytest.raises(ValueError, match=f"(?i){message.split()[0]}"):
            np.arange(*args)
        with pytest.raises(ValueError, match=rf"arange: {message}.*test_size_overflow"):
            fn(*args)
    np.testing.assert_array_equal(f(0, 2**62, 2**61), np.arange(0, 2**62, 2**61))
    np.testing.assert_array_equal(f(5, -3, -2), np.arange(5, -3, -2))
    np.testing.assert_array_equal(g(0.0, -1e300, 1.0), np.zeros(0))
    np.testing.assert_array_equal(g(0.0, 2.5, 0.5), np.arange(0.0, 2.5, 0.5))


def test_concatenate_whose_size_sum_wraps_raises() -> None:
    """Four (2**62, 0) int8 arrays (numpy allows the shape) would concatenate to 2**64 rows,
    wrapped to 0: the sum of the sizes is checked like any size product."""
    a = T.bmatrix("a")
    f = tensorir.function([a], T.concatenate([a, a, a, a], axis=0))
    np.testing.assert_array_equal(f(np.ones((2, 3), np.int8)), np.ones((8, 3), np.int8))
    big = np.empty((2**62, 0), np.int8)
    message = r"concatenate: array is too big: 4 inputs of shape \(4611686018427387904, 0\)"
    with pytest.raises(ValueError, match=message + ".*test_size_overflow"):
        f(big)
