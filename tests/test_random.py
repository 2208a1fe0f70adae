"""Random streams: reproducible by seed, new numbers at every call (the counter's
``default_update``), repeated with ``no_default_updates``, ``seed()`` restarts; statistics of
uniform, normal and binomial draws; dtypes (floatX by default); symbolic sizes; the counter
scheme itself (SplitMix64 of consecutive int64 counters); a denoising autoencoder's
corruption mask."""

from __future__ import annotations

import numpy as np
import pytest

import tensorir
from tensorir import tensor
from tensorir.config import config
from tensorir.sandbox.rng_mrg import MRG_RandomStreams
from tensorir.tensor.shared_randomstreams import RandomStreams


def _splitmix_unit(counters: np.ndarray) -> np.ndarray:
    """What ``tir.uniform`` computes: SplitMix64 of each counter, its top 53 bits in [0, 1)."""
    with np.errstate(over="ignore"):
        z = counters.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


# --------------------------------------------------------------------------- streams and state


def test_successive_calls_differ_and_seeds_reproduce() -> None:
    srng = RandomStreams(seed=234)
    u = srng.uniform((2, 3))
    n = srng.normal((4,))
    f = tensorir.function([], [u, n])
    first, second = f(), f()
    assert first[0].shape == (2, 3) and first[1].shape == (4,)
    assert not np.array_equal(first[0], second[0])
    assert not np.array_equal(first[1], second[1])
    # another stream with the same seed, and the MRG streams, give the same numbers
    for other in (RandomStreams(seed=234), MRG_RandomStreams(seed=234)):
        g = tensorir.function([], [other.uniform((2, 3)), other.normal((4,))])
        for a, b in zip(g(), first, strict=True):
            np.testing.assert_array_equal(a, b)
    # a different seed gives different numbers
    h = tensorir.function([], RandomStreams(seed=235).uniform((2, 3)))
    assert not np.array_equal(h(), first[0])


def test_seed_restarts_every_draw() -> None:
    srng = RandomStreams(seed=1)
    f = tensorir.function([], [srng.uniform((3,)), srng.binomial((5,), p=0.5)])
    a1, a2 = f(), f()
    srng.seed()  # the constructor's seed
    b1 = f()
    for x, y in zip(a1, b1, strict=True):
        np.testing.assert_array_equal(x, y)
    srng.seed(99)
    c1 = f()
    srng.seed(99)
    for x, y in zip(c1, f(), strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(c1[0], a1[0]) and not np.array_equal(a1[0], a2[0])


def test_no_default_updates_repeats() -> None:
    srng = RandomStreams(seed=3)
    u = srng.uniform((4,))
    frozen = tensorir.function([], u, no_default_updates=True)
    moving = tensorir.function([], u)
    a, b = frozen(), frozen()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(moving(), a)  # the same state: the same numbers
    c = moving()
    assert not np.array_equal(c, a)
    d = frozen()  # the state as moving left it
    assert not np.array_equal(d, c)
    np.testing.assert_array_equal(moving(), d)


def test_functions_share_a_stream_and_one_variable_is_one_draw() -> None:
    srng = RandomStreams(seed=5)
    u = srng.uniform((3,))
    f1 = tensorir.function([], u)
    f2 = tensorir.function([], [u, u * 2.0])
    a1, a2 = f1(), f1()
    srng.seed()
    np.testing.assert_array_equal(f1(), a1)
    b, twice = f2()  # the state f1 left: f1's second draw
    np.testing.assert_array_equal(b, a2)
    np.testing.assert_array_equal(twice, 2.0 * a2)  # u read twice in one call: one draw


def test_counter_scheme() -> None:
    """Element k of a draw of n numbers is SplitMix64 of (state + k); the state then advances
    by n (by 2n for a normal draw, which uses two uniforms per element)."""
    srng = RandomStreams(seed=11)
    f = tensorir.function([], [srng.uniform((2, 3)), srng.normal((5,))])
    (u_state, _), (n_state, _) = srng.state_updates
    s0, t0 = int(u_state.get_value()), int(n_state.get_value())
    u, _ = f()
    np.testing.assert_array_equal(u.ravel(), _splitmix_unit(s0 + np.arange(6, dtype=np.int64)))
    assert int(u_state.get_value()) == s0 + 6
    assert int(n_state.get_value()) == t0 + 10
    # the counter wraps around at the int64 bounds
    u_state.set_value(np.int64(2**63 - 3))
    u, _ = f()
    counters = (np.arange(2**63 - 3, 2**63 + 3, dtype=np.uint64)).astype(np.int64)
    np.testing.assert_array_equal(u.ravel(), _splitmix_unit(counters))
    assert int(u_state.get_value()) == -(2**63) + 3


# --------------------------------------------------------------------------- distributions


def test_statistics() -> None:
    srng = RandomStreams(seed=2024)
    f = tensorir.function(
        [],
        [
            srng.normal((100000,), avg=1.5, std=2.0),
            srng.uniform((100000,), low=-2.0, high=3.0),
            srng.binomial((100000,), n=1, p=0.3),
            srng.binomial((50000,), n=3, p=0.25),
            srng.random_integers((20000,), low=2, high=5),
        ],
    )
    normal, uniform, bernoulli, binomial, integers = f()
    assert abs(normal.mean() - 1.5) < 0.03 and abs(normal.std() - 2.0) < 0.03
    z = (normal - 1.5) / 2.0
    assert abs(np.mean(np.abs(z) < 1) - 0.6827) < 0.01  # it is normal, not just centred
    assert uniform.min() >= -2.0 and uniform.max() < 3.0
    assert abs(uniform.mean() - 0.5) < 0.03 and abs(uniform.std() - 5 / np.sqrt(12)) < 0.03
    assert set(np.unique(bernoulli)) == {0, 1} and abs(bernoulli.mean() - 0.3) < 0.01
    pmf = [27 / 64, 27 / 64, 9 / 64, 1 / 64]
    np.testing.assert_allclose(np.bincount(binomial, minlength=4) / 50000, pmf, atol=0.01)
    assert set(np.unique(integers)) == {2, 3, 4, 5}
    np.testing.assert_allclose(np.bincount(integers - 2) / 20000, 0.25, atol=0.015)


def test_dtypes(monkeypatch) -> None:
    srng = RandomStreams(seed=4)
    assert srng.uniform((2,)).dtype == config.floatX
    assert srng.binomial((2,)).dtype == "int64"
    monkeypatch.setattr(config, "floatX", "float32")
    assert srng.uniform((2,)).dtype == "float32"
    assert srng.normal((2,)).dtype == "float32"
    monkeypatch.setattr(config, "floatX", "float64")
    outs = [
        srng.uniform((3,)),
        srng.uniform((3,), dtype="float32"),
        srng.normal((3,), dtype="float32"),
        srng.binomial((3,), p=0.5, dtype="int32"),
        srng.binomial((3,), p=0.5, dtype="float32"),
        srng.binomial((3,), p=0.5, dtype="bool"),
        srng.random_integers((3,), 0, 9, dtype="int8"),
    ]
    got = tensorir.function([], outs)()
    dtypes = ["float64", "float32", "float32", "int32", "float32", "bool", "int8"]
    assert [g.dtype for g in got] == dtypes


def test_float32_uniform_stays_below_high() -> None:
    """A float64 draw just below 1 must not round up to 1 in float32: SplitMix64 of the
    counter 63433462 is 1 - 2**-27 or so, 1.0 once rounded to float32."""
    assert np.float32(_splitmix_unit(np.array([63433462]))[0]) == 1.0
    srng = RandomStreams(seed=0)
    f = tensorir.function(
        [], [srng.uniform((3,), dtype="float32"), srng.uniform((3,), -1, 1, dtype="float32")]
    )
    for state, _ in srng.state_updates:
        state.set_value(np.int64(63433462 - 1))  # element 1 reads that counter
    unit, wide = f()
    assert unit.max() < 1.0 and wide.max() < 1.0
    assert unit[1] == np.float32(1 - 2**-24)


def test_parameters_may_be_symbolic() -> None:
    srng = RandomStreams(seed=6)
    lo = tensor.dscalar("lo")
    p = tensor.dvector("p")
    f = tensorir.function(
        [lo, p],
        [
            srng.uniform((1000,), low=lo, high=lo + 1.0),
            srng.normal((1000,), avg=lo, std=0.0),
            srng.binomial((50, 3), p=p),
        ],
    )
    u, n, b = f(10.0, np.array([0.0, 1.0, 0.5]))
    assert u.min() >= 10.0 and u.max() < 11.0
    np.testing.assert_array_equal(n, np.full(1000, 10.0))
    assert (b[:, 0] == 0).all() and (b[:, 1] == 1).all() and 0 < b[:, 2].sum() < 50


def test_sizes() -> None:
    """Sizes: a tuple, a list, an int, (), symbolic entries, a whole symbolic shape, empty."""
    srng = RandomStreams(seed=8)
    x = tensor.dmatrix("x")
    n = tensor.lscalar("n")
    k = tensor.iscalar("k")
    f = tensorir.function(
        [x, n, k],
        [
            srng.uniform(x.shape),
            srng.normal((n, 2)),
            srng.binomial((x.shape[1],), p=0.5),
            srng.uniform(k),
            srng.uniform([2, 2]),
            srng.uniform(()),
            srng.uniform((0, 3)),
        ],
    )
    got = f(np.ones((3, 4)), 5, 2)
    assert [g.shape for g in got] == [(3, 4), (5, 2), (4,), (2,), (2, 2), (), (0, 3)]
    got = f(np.ones((0, 4)), 0, 0)
    assert [g.shape for g in got[:4]] == [(0, 4), (0, 2), (4,), (0,)]
    with pytest.raises(TypeError, match="size"):
        srng.uniform(x)
    with pytest.raises(TypeError, match="size entries must be integers"):
        srng.uniform((1.5,))
    with pytest.raises(TypeError, match="non-negative Python int"):
        srng.binomial((2,), n=-1)


# --------------------------------------------------------------------------- denoising autoencoder


def test_denoising_autoencoder_corruption() -> None:
    """The tutorial's ``get_corrupted_input``: each input kept with probability
    1 - corruption_level, else zeroed; the same mask in the value and its gradient of one call,
    a new mask at the next call."""
    srng = RandomStreams(seed=2**30)
    x = tensor.matrix("x", dtype=config.floatX)
    corruption_level = 0.3
    mask = srng.binomial(size=x.shape, n=1, p=1 - corruption_level, dtype=config.floatX)
    tilde = x * mask
    assert tilde.dtype == config.floatX
    W = tensorir.shared(np.full((50, 1), 0.5), "W")
    cost = tensor.sum(tensor.dot(tilde, W))
    f = tensorir.function([x], [tilde, tensor.grad(cost, x)])
    data = np.random.default_rng(0).uniform(1.0, 2.0, (400, 50))
    tilde1, grad1 = f(data)
    kept = tilde1 != 0
    np.testing.assert_array_equal(tilde1[kept], data[kept])
    np.testing.assert_array_equal(grad1, 0.5 * kept)
    assert abs(kept.mean() - 0.7) < 0.02
    tilde2, _ = f(data)
    assert not np.array_equal(tilde2 != 0, kept)


@pytest.mark.parametrize(
    ("seed", "error"),
    [
        (-1, ValueError),
        (2**32, ValueError),
        (2**64, ValueError),
        (1.5, TypeError),
        ("1", TypeError),
    ],
)
def test_seeds_outside_numpys_range_raise(seed: object, error: type[Exception]) -> None:
    # as numpy's RandomState: not folded onto another seed's stream (2**64 is not 0)
    with pytest.raises(error, match="seed must be"):
        RandomStreams(seed=seed)  # type: ignore[arg-type]
    with pytest.raises(error, match="seed must be"):
        RandomStreams(seed=1).seed(seed)  # type: ignore[arg-type]
    assert RandomStreams(seed=np.uint32(2**32 - 1)).default_seed == 2**32 - 1


def test_negative_random_sizes_raise_as_numpy() -> None:
    n = tensor.lscalar("n")
    rs = RandomStreams(seed=1)
    f = tensorir.function([n], [rs.uniform((n, 2)), rs.normal((n,))])
    assert [a.shape for a in f(3)] == [(3, 2), (3,)]
    with pytest.raises(ValueError, match=r"random: negative dimensions are not allowed: shape "):
        f(-1)
    with pytest.raises(ValueError, match="negative dimensions are not allowed"):
        np.random.default_rng(0).uniform(size=(-1, 2))
