"""A Variable's operators and methods (``x + 1``, ``x[i]``, ``x.sum()``, ``x.T``,
``x.shape``): the functions of ``basic`` and ``subtensor`` that ``graph.Variable`` calls.

``graph`` names them and looks them up here when first called (a function-level import), so
the frontend's modules import each other in one direction: graph <- basic <- subtensor <-
methods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tensorir.frontend import basic as B
from tensorir.frontend import subtensor as S


def _reflected(f: Any) -> Any:
    return lambda self, other: f(other, self)


METHODS: dict[str, Callable[..., Any]] = {
    "__add__": B.add,
    "__radd__": _reflected(B.add),
    "__sub__": B.sub,
    "__rsub__": _reflected(B.sub),
    "__mul__": B.mul,
    "__rmul__": _reflected(B.mul),
    "__truediv__": B.true_div,
    "__rtruediv__": _reflected(B.true_div),
    "__floordiv__": B.int_div,
    "__rfloordiv__": _reflected(B.int_div),
    "__mod__": B.mod,
    "__rmod__": _reflected(B.mod),
    "__pow__": B.pow,
    "__rpow__": _reflected(B.pow),
    "__neg__": B.neg,
    "__abs__": B.abs,
    "__lt__": B.lt,
    "__gt__": B.gt,
    "__le__": B.le,
    "__ge__": B.ge,
    "__getitem__": S.getitem,
    "sum": B.sum,
    "prod": B.prod,
    "max": B.max,
    "min": B.min,
    "mean": B.mean,
    "dot": B.dot,
    "dimshuffle": B.dimshuffle,
    "reshape": B.reshape,
    "flatten": B.flatten,
    "transpose": B._transpose_method,
    "astype": B.cast,
    "argmax": B.argmax,
    "argmin": B.argmin,
    "clip": B.clip,
}
"""Variable's methods, by name."""

PROPERTIES: dict[str, Callable[[Any], Any]] = {
    "T": B.transpose,
    "real": B.real,
    "imag": B.imag,
    "shape": S.Shape,
    "size": S.size,
}
"""Variable's properties, by name."""
