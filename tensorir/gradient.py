"""``tensorir.gradient``: Theano's ``theano.gradient`` (``grad``, ``jacobian``, ``hessian``,
``Lop``, ``Rop``, ``verify_grad``, ``numeric_grad``) and pyaudi-style derivatives by multi-index."""

from __future__ import annotations

from tensorir.frontend.gradient import (
    DisconnectedInputError,
    GradientError,
    Lop,
    Rop,
    derivative,
    derivatives,
    disconnected_grad,
    grad,
    grad_clip,
    grad_scale,
    hessian,
    jacobian,
    numeric_grad,
    verify_grad,
    zero_grad,
)

__all__ = [
    "DisconnectedInputError",
    "GradientError",
    "Lop",
    "Rop",
    "derivative",
    "derivatives",
    "disconnected_grad",
    "grad",
    "grad_clip",
    "grad_scale",
    "hessian",
    "jacobian",
    "numeric_grad",
    "verify_grad",
    "zero_grad",
]
