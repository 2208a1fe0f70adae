"""Upstream MLIR ``arith`` ops that xDSL's ``arith`` dialect lacks.

``arith.remf`` is C's ``fmod`` (the remainder takes the sign of the dividend); the scalar
bodies of float ``tir.mod`` and ``tir.int_div`` use it, and the LLVM emitter turns it into
``frem``. ``context()`` and ``tensorir-opt`` load these ops next to xDSL's ``arith``.
"""

from __future__ import annotations

from xdsl.dialects.arith import FloatingPointLikeBinaryOperation
from xdsl.irdl import irdl_op_definition, traits_def
from xdsl.traits import Pure


@irdl_op_definition
class RemFOp(FloatingPointLikeBinaryOperation):
    """``%r = arith.remf %a, %b : f64``: ``fmod(a, b)``."""

    name = "arith.remf"
    traits = traits_def(Pure())


ARITH_EXTRA_OPS = (RemFOp,)
