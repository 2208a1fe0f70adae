"""``tensorir.tensor``: Theano's ``theano.tensor`` namespace (types, constructors, ops), with
the submodules ``nnet`` and ``shared_randomstreams``."""

from __future__ import annotations

from typing import Any

from tensorir.frontend.basic import (
    CONSTRUCTORS,
    ELEMENTWISE,
    abs_,
    alloc,
    argmax,
    argmin,
    as_tensor_variable,
    cast,
    clip,
    constant,
    dimshuffle,
    div,
    dot,
    fill,
    flatten,
    inv,
    max,
    max_and_argmax,
    mean,
    min,
    ones,
    ones_like,
    outer,
    prod,
    reshape,
    round,
    second,
    sum,
    switch,
    tensor,
    transpose,
    zeros,
    zeros_like,
)
from tensorir.frontend.gradient import grad
from tensorir.frontend.graph import Constant, TensorType, Variable
from tensorir.frontend.shared import SharedVariable, shared
from tensorir.frontend.subtensor import (
    arange,
    concatenate,
    inc_subtensor,
    join,
    set_subtensor,
    shape_i,
    stack,
)
from tensorir.tensor import nnet, shared_randomstreams

TensorVariable = Variable
TensorConstant = Constant

globals().update(CONSTRUCTORS)
globals().update(ELEMENTWISE)  # add, exp, ...: one function per elementwise op of the dialect


def __getattr__(name: str) -> Any:
    """The function of an elementwise op registered after this module was imported."""
    if name in ELEMENTWISE:
        return ELEMENTWISE[name]
    raise AttributeError(f"module 'tensorir.tensor' has no attribute {name!r}")


__all__ = [
    "Constant",
    "SharedVariable",
    "TensorConstant",
    "TensorType",
    "TensorVariable",
    "Variable",
    "abs_",
    "alloc",
    "arange",
    "argmax",
    "argmin",
    "as_tensor_variable",
    "cast",
    "clip",
    "concatenate",
    "constant",
    "dimshuffle",
    "div",
    "dot",
    "fill",
    "flatten",
    "grad",
    "inc_subtensor",
    "inv",
    "join",
    "max",
    "max_and_argmax",
    "mean",
    "min",
    "nnet",
    "ones",
    "ones_like",
    "outer",
    "prod",
    "reshape",
    "round",
    "second",
    "set_subtensor",
    "shape_i",
    "shared",
    "shared_randomstreams",
    "stack",
    "sum",
    "switch",
    "tensor",
    "transpose",
    "zeros",
    "zeros_like",
    *CONSTRUCTORS,
    *ELEMENTWISE,
]
