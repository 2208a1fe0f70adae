"""``tensor.nnet``: the classifier ops of Theano's ``theano.tensor.nnet`` (softmax,
log_softmax, sigmoid, relu, softplus, cross-entropies)."""

from __future__ import annotations

from typing import Any

from tensorir.config import config
from tensorir.dialects import tir
from tensorir.dialects import types as T
from tensorir.frontend.basic import (
    abs,
    as_tensor_variable,
    cast,
    log,
    mul,
    sigmoid,
    sum,
)
from tensorir.frontend.basic import softplus as basic_softplus
from tensorir.frontend.graph import Op, Variable, apply_op, user_line
from tensorir.frontend.subtensor import arange


def _float(x: Any, name: str) -> Variable:
    x = as_tensor_variable(x)
    if T.is_complex(x.dtype):
        raise TypeError(f"{name}: complex input {x} ({user_line()})")
    if not T.is_float(x.dtype):  # as Theano: integers become floatX (float64 for wide ints)
        x = cast(x, config.floatX if x.dtype in ("bool", "int8", "int16") else "float64")
    return x


def _axis_op(op_cls: type, name: str, x: Any, axis: int) -> Variable:
    x = _float(x, name)
    if x.ndim == 0:
        raise ValueError(f"{name}: needs at least one dim, got the scalar {x} ({user_line()})")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"{name}: axis {axis} is out of range for {x.ndim} dims")
    return apply_op(Op(op_cls, name, axis=axis % x.ndim), x)


def softmax(x: Any, axis: int = -1) -> Variable:
    """``exp(x) / sum(exp(x))`` along ``axis`` (the last by default: each row of a matrix),
    computed as ``exp(x - max)`` so that large inputs do not overflow."""
    return _axis_op(tir.SoftmaxOp, "softmax", x, axis)


def log_softmax(x: Any, axis: int = -1) -> Variable:
    """``log(softmax(x))`` along ``axis``, without underflow."""
    return _axis_op(tir.LogSoftmaxOp, "log_softmax", x, axis)


def relu(x: Any, alpha: float = 0) -> Variable:
    """``max(x, 0)``, or ``alpha * x`` below 0 (leaky), as Theano's formula
    ``0.5 * (1 + alpha) * x + 0.5 * (1 - alpha) * abs(x)``."""
    x = _float(x, "relu")
    if alpha == 0:
        return 0.5 * (x + abs(x))
    return 0.5 * (1 + alpha) * x + 0.5 * (1 - alpha) * abs(x)


def softplus(x: Any) -> Variable:
    """``log(1 + exp(x))`` (``tir.softplus``: finite and accurate for every ``x``)."""
    return basic_softplus(_float(x, "softplus"))


def binary_crossentropy(output: Any, target: Any) -> Variable:
    """``-(target * log(output) + (1 - target) * log(1 - output))`` elementwise."""
    output, target = as_tensor_variable(output), as_tensor_variable(target)
    return -(target * log(output) + (1.0 - target) * log(1.0 - output))


def sigmoid_binary_crossentropy(output: Any, target: Any) -> Variable:
    """``binary_crossentropy(sigmoid(output), target)`` from the logits ``output``; the
    ``tir-stabilize`` pass computes it as ``target * softplus(-output) + (1 - target) *
    softplus(output)``, finite for any logits."""
    return binary_crossentropy(sigmoid(_float(output, "sigmoid_binary_crossentropy")), target)


def categorical_crossentropy(coding_dist: Any, true_dist: Any) -> Variable:
    """Each row's cross-entropy: ``-sum(true_dist * log(coding_dist), axis=-1)`` for one-hot
    or probability targets, ``-log(coding_dist)[arange(n), true_dist]`` for integer labels."""
    p, t = as_tensor_variable(coding_dist), as_tensor_variable(true_dist)
    if t.ndim == p.ndim:
        return -sum(mul(t, log(p)), axis=-1)
    if t.ndim == p.ndim - 1 and p.ndim == 2 and T.is_int(t.dtype):
        return -log(p)[arange(t.shape[0]), t]
    raise TypeError(
        f"categorical_crossentropy: targets {t.type} do not fit predictions {p.type} "
        f"({user_line()})"
    )


__all__ = [
    "binary_crossentropy",
    "categorical_crossentropy",
    "log_softmax",
    "relu",
    "sigmoid",
    "sigmoid_binary_crossentropy",
    "softmax",
    "softplus",
]
