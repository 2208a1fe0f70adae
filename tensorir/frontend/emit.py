"""L0 -> L1: turn a frontend graph into a ``func.func`` of ``tir`` ops.

Each Apply becomes one op (or a few, for ops whose operands are sizes), carrying a ``loc``
attribute with the user's source line so that lowering can put it in run-time error messages.
Named variables keep their names as SSA names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, ModuleOp, StringAttr, TensorType
from xdsl.ir import Block, Operation, Region, SSAValue

from tensorir.dialects import tir
from tensorir.dialects import types as T
from tensorir.frontend.graph import Constant, Variable, toposort


class MissingInputError(ValueError):
    """An output depends on an input variable that is not among the function's inputs."""


def _ssa_name(name: str | None) -> str | None:
    if not name:
        return None
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if cleaned[0].isdigit():
        cleaned = "v" + cleaned
    return cleaned


def constant_attr(data: np.ndarray) -> DenseIntOrFPElementsAttr:
    dtype = "bool" if data.dtype == np.bool_ else data.dtype.name
    ir_type = TensorType(T.element_type(dtype), data.shape)
    flat = data.reshape(-1)
    if T.is_complex(dtype):
        values: list = [(float(v.real), float(v.imag)) for v in flat]
    elif T.is_float(dtype):
        values = [float(v) for v in flat]
    else:
        values = [int(v) for v in flat]
    if not values:
        values = []
    return DenseIntOrFPElementsAttr.from_list(ir_type, values)


def _check_constant(v: Constant) -> None:
    """A constant's data must have its type (dtype, dims, size 1 along the broadcastable
    ones): the code is generated from the type, so data edited after the constant was made
    (an edited pickle) would be read outside its buffer."""
    data, t = v.data, v.type
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != np.dtype(t.dtype)
        or data.ndim != t.ndim
        or any(b and n != 1 for b, n in zip(t.broadcastable, data.shape, strict=True))
    ):
        shown = (
            f"{data.dtype} data of shape {data.shape}"
            if isinstance(data, np.ndarray)
            else type(data).__name__
        )
        raise TypeError(
            f"constant {v} of type {t} (created at {v.trace}) holds {shown}, which does not "
            "have its type (dtype, number of dims, size 1 along the broadcastable ones)"
        )


def emit_function(name: str, inputs: Sequence[Variable], outputs: Sequence[Variable]) -> ModuleOp:
    """A module holding ``func.func @name`` that computes ``outputs`` from ``inputs``."""
    arg_types = [v.type.ir_type() for v in inputs]
    block = Block(arg_types=arg_types)
    returned = emit_block(block, inputs, outputs)
    block.add_op(func.ReturnOp(*returned))
    fn = func.FuncOp(name, (arg_types, [r.type for r in returned]), Region(block))
    return ModuleOp([fn])


def emit_block(
    block: Block, inputs: Sequence[Variable], outputs: Sequence[Variable]
) -> list[SSAValue]:
    """Append to ``block`` (whose arguments stand for ``inputs``) the ops that compute
    ``outputs``; return their values. A function's body, or a ``tir.scan`` step's."""
    values: dict[int, SSAValue] = {}
    for v, arg in zip(inputs, block.args, strict=True):
        if id(v) in values:
            raise ValueError(f"input {v} is given twice in the list of inputs")
        values[id(v)] = arg
        arg.name_hint = _ssa_name(v.name)

    def insert(op: Operation) -> Operation:
        block.add_op(op)
        return op

    def value_of(v: Variable, user: Variable) -> SSAValue:
        if id(v) in values:
            return values[id(v)]
        if isinstance(v, Constant):
            _check_constant(v)
            op = insert(tir.ConstantOp(constant_attr(v.data), v.type.ir_type()))
            values[id(v)] = op.results[0]
            return op.results[0]
        raise MissingInputError(
            f"input {v} ({v.type}, created at {v.trace}) is needed to compute {user} but was "
            "not provided: list it among the function's inputs (or in givens)"
        )

    for node in toposort(outputs):
        out = node.outputs[0]
        operands = [value_of(v, out) for v in node.inputs]
        last = block.last_op  # the node's ops follow it (counting the block is O(n))
        results: Sequence[SSAValue]
        if hasattr(node.op, "emit"):
            emitted = node.op.emit(insert, *operands, out.type)
            results = [emitted] if isinstance(emitted, SSAValue) else emitted
        else:
            results = insert(node.op.build(*operands)).results
        loc = StringAttr(str(node.trace)) if node.trace else None
        top = block.first_op if last is None else last.next_op
        while loc is not None and top is not None:
            for op in top.walk():  # the ops of a tir.map body too (a scan step's have theirs)
                if op.dialect_name() == "tir" and "loc" not in op.attributes:
                    op.attributes["loc"] = loc
                    if isinstance(op, tir.CheckOp):  # a check the frontend emits: its line
                        message = op.message.data + tir.built_at(op)
                        op.properties["message"] = StringAttr(message)
            top = top.next_op
        for var, result in zip(node.outputs, results, strict=True):
            result.name_hint = _ssa_name(var.name)
            values[id(var)] = result

    return [value_of(v, v) for v in outputs]
