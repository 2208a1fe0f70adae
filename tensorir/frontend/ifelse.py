"""Theano's ``ifelse``: one of two lists of values, chosen by a scalar condition at run time.

``ifelse(c, then_branch, else_branch)`` is lazy: only the branch taken is computed (unlike
``switch``, elementwise, which computes both). It becomes one ``tir.if`` whose regions yield
the branches' values; ``tir-sink-branches`` then moves into each region the ops only it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from xdsl.ir import Block, Region, SSAValue

from tensorir.dialects import tir
from tensorir.frontend.basic import ELEMENTWISE, as_tensor_variable
from tensorir.frontend.graph import Apply, Constant, Op, Variable, user_line


class IfElse(Op):
    """The frontend side of ``tir.if``: inputs are the condition (a bool scalar), the
    ``n_outs`` values of the then branch, then those of the else branch; one output per
    pair, of their (common) type. Printed ``if{}`` (``if{name}``), as Theano's."""

    def __init__(self, n_outs: int, name: str | None = None):
        super().__init__(tir.IfOp, "IfElse", n_outs=n_outs, label=name)

    def emit(self, insert: Any, cond: SSAValue, *args: Any) -> Sequence[SSAValue]:
        n = self.props["n_outs"]
        values = list(args[:-1])  # the last argument is the first output's type
        thens, elses = values[:n], values[n:]
        regions = []
        for yielded in (thens, elses):
            block = Block()
            block.add_op(tir.YieldOp(*yielded))
            regions.append(Region(block))
        return insert(tir.IfOp(cond, *regions)).results

    def __str__(self) -> str:
        return f"if{{{self.props['label'] or ''}}}"


def _as_branch_value(x: Any, other: Any) -> Variable:
    """``x`` as a variable; a constant (or a Python number, an array) becomes a constant of
    the type of ``other`` when its data converts to that type exactly (``ifelse(c, x, 0)``
    with ``x`` a float vector needs a vector; with ``x`` a float scalar, 0 is that scalar)."""
    if isinstance(x, Variable) and not isinstance(x, Constant):
        return x
    if not isinstance(other, Variable) or isinstance(other, Constant):
        return as_tensor_variable(x)
    data = np.asarray(x.data if isinstance(x, Constant) else x)
    t = other.type
    if data.dtype.kind not in "biufc" or data.ndim != t.ndim:
        return as_tensor_variable(x)
    if any(b and n != 1 for b, n in zip(t.broadcastable, data.shape, strict=True)):
        return as_tensor_variable(x)
    with np.errstate(all="ignore"):
        converted = data.astype(np.dtype(t.dtype))
        exact = converted.astype(data.dtype) == data
    if data.dtype.kind in "fc":
        exact |= np.isnan(data) & np.isnan(converted)
    if not np.all(exact):
        return as_tensor_variable(x)
    return Constant(t, converted, name=x.name if isinstance(x, Constant) else None)


def ifelse(
    condition: Any,
    then_branch: Any,
    else_branch: Any,
    name: str | None = None,
) -> Any:
    """``then_branch`` if ``condition`` (a scalar, true when non-zero) else ``else_branch``,
    computing only the branch taken (Theano's ``theano.ifelse.ifelse``).

    The branches are a variable each, or lists (tuples) of as many variables; each pair must
    have the same type (a constant converts to the other's type when its value allows).
    Returns a variable, or a list (tuple) of them when ``then_branch`` is one."""
    kind = type(then_branch) if isinstance(then_branch, list | tuple) else None
    thens = list(then_branch) if isinstance(then_branch, list | tuple) else [then_branch]
    elses = list(else_branch) if isinstance(else_branch, list | tuple) else [else_branch]
    if len(thens) != len(elses):
        raise ValueError(
            "The number of values on the `then` branch should have the same number of "
            f"variables as the `else` branch : (variables on `then` {len(thens)}, variables "
            f"on `else` {len(elses)}) (built at {user_line()})"
        )
    pairs = [
        (_as_branch_value(t, e), _as_branch_value(e, t)) for t, e in zip(thens, elses, strict=True)
    ]
    for t, e in pairs:
        if t.type != e.type:
            raise TypeError(
                "The two branches should have identical types, but they are "
                f"{t.type} and {e.type} respectively. This error could be raised if for "
                "instance you have two different tensor types. The best fix is to do a "
                f"tensor.cast to the same type on one of the branches. (built at {user_line()})"
            )
    cond = as_tensor_variable(condition)
    if cond.ndim != 0:
        raise TypeError(
            "Condition given to the op has to be a scalar with 0 standing for False, "
            f"anything else for True; got {cond.type} (built at {user_line()})"
        )
    if cond.dtype != "bool":
        cond = ELEMENTWISE["neq"](cond, 0)
    outs: list[Variable] = []
    if pairs:
        ins = [cond] + [t for t, _ in pairs] + [e for _, e in pairs]
        node = Apply(IfElse(len(pairs), name), ins, [t.type for t, _ in pairs])
        outs = list(node.outputs)
    if kind is None:
        return outs[0]
    return kind(outs)
