"""``RandomStreams``: seeded, reproducible random tensors in compiled functions.

Theano's ``RandomStreams(seed)`` (and ``MRG_RandomStreams``) hand out random variables whose
state is a shared variable advanced by its ``default_update`` after each call. Here each draw
owns an int64 counter (a shared scalar, started from a 64-bit key derived from the seed and
the draw's number); element ``k`` of a draw of ``n`` numbers is ``tir.uniform(counter + k)``
(SplitMix64 of the counter, 53 random bits), and the counter's default update adds ``n``
(``2n`` for normal draws). So a function called twice gives new numbers, two streams with
one seed give the same ones, and ``function(..., no_default_updates=True)`` repeats them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tensorir.config import config
from tensorir.dialects import tir
from tensorir.frontend.basic import (
    AllocSizesOp,
    as_tensor_variable,
    cast,
    cos,
    dimshuffle,
    int_div,
    log,
    lt,
    sqrt,
)
from tensorir.frontend.graph import Apply, Op, Variable, apply_op, user_line
from tensorir.frontend.shared import SharedVariable, shared
from tensorir.frontend.subtensor import arange

_MASK = (1 << 64) - 1
_SECOND_DRAW = 0x5851F42D4C957F2D  # offset of a second uniform per element (normal)


def _mix(x: int) -> int:
    """SplitMix64 on Python ints: a 64-bit key from a seed."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _signed(x: int) -> int:
    return x - (1 << 64) if x >= 1 << 63 else x


def uniform01(counters: Variable) -> Variable:
    """``tir.uniform``: a float64 in ``[0, 1)`` for each int64 counter."""
    return apply_op(Op(tir.UniformOp, "uniform"), cast(counters, "int64"))


def _size_scalars(size: Any) -> list[Variable]:
    if isinstance(size, Variable):
        if size.ndim != 0:
            raise TypeError(
                f"random: size must be a tuple of ints or integer scalars, got {size.type} "
                f"({user_line()})"
            )
        size = (size,)
    if isinstance(size, int | np.integer):
        size = (int(size),)
    try:
        entries = list(size)
    except TypeError:
        raise TypeError(f"random: size must be a tuple, got {size!r}") from None
    out = []
    for s in entries:
        v = as_tensor_variable(int(s) if isinstance(s, int | np.integer) else s)
        if v.ndim != 0 or not (v.dtype.startswith("int") or v.dtype == "bool"):
            raise TypeError(f"random: size entries must be integers, got {s!r}")
        out.append(cast(v, "int64"))
    return out


def _positions(sizes: Sequence[Variable]) -> tuple[Variable, Variable]:
    """The row-major position of each element of a tensor of ``sizes`` (int64), and the
    number of elements."""
    total: Variable = as_tensor_variable(np.int64(1))
    for s in sizes:
        total = total * s
    if sizes:  # checked as numpy checks a shape (none negative, no overflow) before any use
        check = AllocSizesOp((None,) * len(sizes), "float64", "random")
        total = Apply(check, [total, *sizes], [total.type]).outputs[0]
    if not sizes:
        return as_tensor_variable(np.int64(0)), total
    ndim = len(sizes)
    pos: Variable | None = None
    stride: Variable = as_tensor_variable(np.int64(1))
    for d in reversed(range(ndim)):
        axis = arange(sizes[d]) * stride
        pattern = ["x"] * ndim
        pattern[d] = 0
        term = dimshuffle(axis, *pattern) if ndim > 1 else axis
        pos = term if pos is None else pos + term
        stride = stride * sizes[d]
    assert pos is not None
    return pos, total


def _check_seed(seed: Any) -> int:
    """A seed as numpy's ``RandomState`` takes it (Theano's ``RandomStreams`` seeded one): an
    integer in ``[0, 2**32)``. Others are refused rather than folded onto the same stream
    (``1.5`` is not ``1``, ``2**64`` is not ``0``)."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"RandomStreams: the seed must be an integer, got {seed!r}")
    if not 0 <= int(seed) < 2**32:
        raise ValueError(f"RandomStreams: the seed must be between 0 and 2**32 - 1, got {seed}")
    return int(seed)


class RandomStreams:
    """Theano's ``RandomStreams(seed)``: ``uniform``, ``normal``, ``binomial`` (and
    ``random_integers``) give random tensors that change at every call of a function that
    uses them, reproducibly for a given seed."""

    def __init__(self, seed: int | None = None):
        self.default_seed = 12345 if seed is None else _check_seed(seed)
        self.state_updates: list[tuple[SharedVariable, Variable]] = []
        self._draws = itertools.count()

    # -- state ---------------------------------------------------------------------------

    def _key(self, k: int) -> int:
        return _signed(_mix(_mix(self.default_seed & _MASK) ^ (k * 0x9E3779B97F4A7C15 & _MASK)))

    def seed(self, seed: int | None = None) -> None:
        """Restart every draw of these streams from ``seed`` (the constructor's by default)."""
        if seed is not None:
            self.default_seed = _check_seed(seed)
        for k, (state, _) in enumerate(self.state_updates):
            state.set_value(np.int64(self._key(k)))

    def _counter(self, n: Variable, per_element: int = 1) -> Variable:
        k = next(self._draws)
        state = shared(np.int64(self._key(k)), name=f"rng_state_{k}")
        advance = n * per_element if per_element != 1 else n
        state.default_update = state + advance
        self.state_updates.append((state, state.default_update))
        return state

    def _uniform01(self, size: Any, draws: int = 1) -> list[Variable]:
        sizes = _size_scalars(size)
        pos, n = _positions(sizes)
        state = self._counter(n, draws)
        out = []
        for t in range(draws):
            base = state + np.int64(_signed((t * _SECOND_DRAW) & _MASK)) if t else state
            counters = base + pos if sizes else base
            out.append(uniform01(counters))
        return out

    # -- distributions -----------------------------------------------------------------------

    def uniform(
        self,
        size: Any = (),
        low: Any = 0.0,
        high: Any = 1.0,
        ndim: int | None = None,
        dtype: str | None = None,
        nstreams: Any = None,
    ) -> Variable:
        """Uniform numbers in ``[low, high)`` of shape ``size`` (``dtype`` floatX by
        default)."""
        dtype = dtype or config.floatX
        (u,) = self._uniform01(size)
        if dtype == "float32":  # keep 24 bits, exact in float32: the cast cannot round to 1
            u = int_div(u * 16777216.0, 1.0) * (1.0 / 16777216.0)
        low, high = as_tensor_variable(low), as_tensor_variable(high)
        return cast(
            cast(low, "float64") + (cast(high, "float64") - cast(low, "float64")) * u, dtype
        )

    def normal(
        self,
        size: Any = (),
        avg: Any = 0.0,
        std: Any = 1.0,
        ndim: int | None = None,
        dtype: str | None = None,
        nstreams: Any = None,
    ) -> Variable:
        """Normal numbers of mean ``avg`` and deviation ``std`` (Box-Muller)."""
        dtype = dtype or config.floatX
        u1, u2 = self._uniform01(size, draws=2)
        radius = sqrt(-2.0 * log(1.0 - u1))
        z = radius * cos((2.0 * math.pi) * u2)
        return cast(
            cast(as_tensor_variable(avg), "float64") + cast(as_tensor_variable(std), "float64") * z,
            dtype,
        )

    def binomial(
        self,
        size: Any = (),
        n: int = 1,
        p: Any = 0.5,
        ndim: int | None = None,
        dtype: str = "int64",
        nstreams: Any = None,
    ) -> Variable:
        """The number of successes in ``n`` trials of probability ``p`` (``n`` a Python
        int; ``n=1``: Bernoulli, a denoising autoencoder's corruption mask)."""
        if not isinstance(n, int | np.integer) or n < 0:
            raise TypeError(f"binomial: n must be a non-negative Python int, got {n!r}")
        p = cast(as_tensor_variable(p), "float64")
        draws = self._uniform01(size, draws=max(int(n), 1))
        total: Variable | None = None
        for u in draws[: int(n)]:
            hit = cast(lt(u, p), "int64")
            total = hit if total is None else total + hit
        if total is None:
            total = cast(draws[0], "int64") * 0
        return cast(total, dtype)

    def random_integers(
        self,
        size: Any = (),
        low: int = 0,
        high: int = 1,
        ndim: int | None = None,
        dtype: str = "int64",
    ) -> Variable:
        """Integers uniform in ``[low, high]`` (both included)."""
        (u,) = self._uniform01(size)
        span = (
            cast(as_tensor_variable(high), "float64")
            - cast(as_tensor_variable(low), "float64")
            + 1.0
        )
        return cast(int_div(u * span, 1.0) + cast(as_tensor_variable(low), "float64"), dtype)


MRG_RandomStreams = RandomStreams
"""Theano's ``sandbox.rng_mrg.MRG_RandomStreams`` has the same interface."""
