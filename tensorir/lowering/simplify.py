"""``tir-simplify`` (L1 -> L1): rewrites that change no result, bit for bit.

- ``x ** 2`` becomes ``sqr(x)`` (``x * x``) and ``x ** 1`` becomes ``x``, as Theano's
  ``pow_specialize``: a correctly rounded ``pow`` with those exponents gives exactly these
  values, and a ``pow`` call per element costs tens of nanoseconds (an L2 penalty on a
  784x500 weight matrix, and its gradient ``2 * W ** 1``, are the bulk of an MLP step).
- ``add``, ``sub``, ``mul``, ``true_div`` and ``neg`` of float constants are computed now, in
  the constants' dtype with IEEE arithmetic (numpy's), as the generated code would compute
  them: the gradient of ``x ** 2`` has ``x ** (2 - 1)``, which then becomes ``x``.

Nothing is reassociated: only ops whose operands are all constants are folded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, ModuleOp, TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass

from tensorir.dialects import tir
from tensorir.dialects import types as T


def constant_value(v: SSAValue) -> np.ndarray | None:
    """The value of ``v`` when it is a constant (through dimshuffles), else None."""
    owner = v.owner
    if isinstance(owner, tir.DimShuffleOp):
        inner = constant_value(owner.input)
        if inner is None:
            return None
        pattern = owner.get_pattern()
        kept = [p for p in pattern if p != -1]
        dropped = tuple(d for d in range(inner.ndim) if d not in kept)
        arr = inner.reshape([s for d, s in enumerate(inner.shape) if d not in dropped])
        order = sorted(range(len(kept)), key=lambda k: kept[k])
        arr = arr.transpose(np.argsort(order)) if kept else arr
        return arr.reshape([1 if p == -1 else inner.shape[p] for p in pattern])
    if not isinstance(owner, tir.ConstantOp):
        return None
    vt = owner.value.get_type()
    dtype = T.dtype_of(vt.element_type)
    if not T.is_float(dtype):
        return None
    return np.asarray(owner.value.get_values(), dtype=dtype).reshape(tuple(vt.get_shape()))


_FOLD = {
    tir.AddOp: np.add,
    tir.SubOp: np.subtract,
    tir.MulOp: np.multiply,
    tir.TrueDivOp: np.divide,
}


def _constant_op(value: np.ndarray, t: TensorType) -> tir.ConstantOp:
    vt = TensorType(t.element_type, list(value.shape))
    attr = DenseIntOrFPElementsAttr.from_list(vt, [float(v) for v in value.reshape(-1)])
    return tir.ConstantOp(attr, t)


def _replace(op: Operation, new_value: SSAValue, new_op: Operation | None = None) -> None:
    if new_op is not None:
        block = op.parent_block()
        assert block is not None
        block.insert_op_before(new_op, op)
        if "loc" in op.attributes and new_op.dialect_name() == "tir":
            new_op.attributes["loc"] = op.attributes["loc"]
    if op.results[0].name_hint and not new_value.name_hint:
        new_value.name_hint = op.results[0].name_hint
    op.results[0].replace_all_uses_with(new_value)
    op.detach()
    op.erase()


def simplify(op: Operation) -> None:
    t = op.results[0].type if op.results else None
    if not isinstance(t, TensorType):
        return
    if type(op) in _FOLD or isinstance(op, tir.NegOp):
        values = [constant_value(v) for v in op.operands]
        if any(v is None for v in values):
            return
        with np.errstate(all="ignore"):
            folded = _FOLD[type(op)](*values) if type(op) in _FOLD else np.negative(values[0])
        folded = np.asarray(folded, dtype=T.dtype_of(t.element_type))
        if folded.ndim != len(t.get_shape()):
            return
        new = _constant_op(folded, t)
        _replace(op, new.result, new)
    elif isinstance(op, tir.PowOp):
        exponent = constant_value(op.rhs)
        if exponent is None or exponent.size == 0 or op.lhs.type != t:
            return
        if np.all(exponent == 2.0):
            new = tir.SqrOp(op.lhs)
            _replace(op, new.result, new)
        elif np.all(exponent == 1.0):
            _replace(op, op.lhs)


@dataclass(frozen=True)
class Simplify(ModulePass):
    """Specialise ``pow`` by 2 and 1, fold arithmetic on constants."""

    name = "tir-simplify"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for inner in list(op.walk()):  # program order: operands are simplified first
            if inner.parent is not None:
                simplify(inner)
