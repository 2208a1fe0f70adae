"""A numpy interpreter of ``tir`` functions: the reference a compiled function is checked
against (the oracle of a DebugMode).

``evaluate_function(fn, args)`` runs a ``func.func`` at the ``tir`` level after
``tir-autodiff`` (``f.module("adjoint")`` of a compiled function): each ``tir`` op by its
``reference`` method (``tensorir/dialects/tir.py``), ``tir.map`` by running its body once per
row, ``tir.if`` by running the region taken (the other one's errors are not raised), and the
few upstream ops found there (``arith`` constants and integer arithmetic on sizes,
``tensor.dim``, ``tensor.extract``, ``func.return``). Values are numpy arrays: a
rank-0 tensor is a 0-d array, an ``index`` or integer scalar a 0-d int array. Every operand
and result is checked against its type (dtype, rank, static sizes), so a wrong reference or a
wrong argument is found where it happens. The errors the generated code raises at run time
(IndexError, ValueError, ...) are raised with the same types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from xdsl.dialects import arith, func
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    TensorType,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue

from tensorir.abi import CHECK_EXCEPTIONS
from tensorir.dialects import tir

Env = dict[SSAValue, np.ndarray]


def evaluate_function(fn: func.FuncOp, args: Sequence[Any]) -> list[np.ndarray]:
    """The results of ``fn`` on ``args`` (one per argument, of its type: a compiled
    function's explicit inputs, then the values of its shared variables), computed with
    numpy."""
    block = fn.body.blocks.first
    if block is None:
        raise TypeError(f"cannot evaluate @{fn.sym_name.data}: it is a declaration")
    if len(args) != len(block.args):
        raise TypeError(f"@{fn.sym_name.data} takes {len(block.args)} arguments, got {len(args)}")
    env: Env = {
        arg: _value(a, arg.type, f"argument {i} of @{fn.sym_name.data}")
        for i, (arg, a) in enumerate(zip(block.args, args, strict=True))
    }
    with np.errstate(all="ignore"):
        results = _run_block(block, env)
    return [np.array(r) for r in results]  # fresh arrays, as the compiled function's


def evaluate_op(
    op: Operation, operands: Sequence[Any], above: Mapping[SSAValue, Any] | None = None
) -> list[np.ndarray]:
    """The results of one op on the values of its operands. A ``tir.map``'s body may read
    values defined above it: their values are looked up in ``above``."""
    if len(operands) != len(op.operands):
        raise TypeError(f"{op.name} takes {len(op.operands)} operands, got {len(operands)}")
    values = [
        _value(v, operand.type, f"operand {i} of {op.name}")
        for i, (operand, v) in enumerate(zip(op.operands, operands, strict=True))
    ]
    with np.errstate(all="ignore"):
        if isinstance(op, tir.MapOp | tir.IfOp):
            env = {k: _value(v, k.type, f"{k} read by {op.name}") for k, v in (above or {}).items()}
            env.update(zip(op.operands, values, strict=True))
            return [_run_map(op, env)] if isinstance(op, tir.MapOp) else _run_if(op, env)
        if isinstance(op, tir.ScanOp):
            return _run_scan(op, values)
        return _evaluate(op, values)


# --------------------------------------------------------------------------- blocks


def _run_block(block: Block, env: Env) -> list[np.ndarray]:
    """Run the ops of ``block`` in order, adding their results to ``env``; the values its
    terminator (``func.return``, ``tir.yield``) passes on."""
    for op in block.ops:
        if isinstance(op, func.ReturnOp | tir.YieldOp | tir.ScanYieldOp):
            return [env[v] for v in op.operands]
        if isinstance(op, tir.MapOp):
            env[op.result] = _run_map(op, env)
            continue
        if isinstance(op, tir.ScanOp):
            env.update(zip(op.results, _run_scan(op, [env[v] for v in op.operands]), strict=True))
            continue
        if isinstance(op, tir.IfOp):
            env.update(zip(op.outs, _run_if(op, env), strict=True))
            continue
        try:
            values = [env[v] for v in op.operands]
        except KeyError:
            raise TypeError(
                f"{op.name} reads a value that has not been computed (a tir.map evaluated "
                "alone by evaluate_op sees only its operands and the values given as above)"
            ) from None
        for result, value in zip(op.results, _evaluate(op, values), strict=True):
            env[result] = value
    raise TypeError("the block has no terminator")


def _run_map(op: tir.MapOp, env: Env) -> np.ndarray:
    """Row ``i`` of the result is what the body yields for ``i`` in ``[0, n)``; every row
    must have the shape of ``like`` (ValueError)."""
    n = int(env[op.n])
    like = env[op.like]
    block = op.body.block
    rows = []
    for i in range(n):
        inner = dict(env)  # the body sees the values above it, its own stay inside
        inner[block.args[0]] = np.asarray(i, np.int64)
        (row,) = _run_block(block, inner)
        if row.shape != like.shape:
            raise ValueError(
                f"map: a row has shape {row.shape} but the rows must have shape {like.shape}"
            )
        rows.append(row)
    dtype = tir.np_dtype(op.result.type)
    out = np.stack(rows) if rows else np.empty((0, *like.shape), dtype)
    return _checked(op, 0, out)


def _run_scan(op: tir.ScanOp, values: list[np.ndarray]) -> list[np.ndarray]:
    """The body run once per step on the sequences' rows, the states and the constants;
    the final states, the states' histories and the stacked values (with ``until``, of the
    steps done). With no step, a stacked value's dims that its type leaves open are 0."""
    n = int(values[0])
    nseq, k = len(op.seqs), len(op.inits)
    seqs, states, consts = (
        values[1 : 1 + nseq],
        values[1 + nseq : 1 + nseq + k],
        values[1 + nseq + k :],
    )
    if n < 0:
        raise IndexError(f"Scan was asked to run for negative number of step {n}")
    for j, s in enumerate(seqs):
        if s.shape[0] < n:
            raise ValueError(
                f"scan: sequence {j} has {s.shape[0]} rows, fewer than the {n} steps asked"
            )
    block = op.body.block
    histories: list[list[np.ndarray]] = [[] for _ in states]
    stacked: list[list[np.ndarray]] = [[] for _ in op.stacks]
    steps = range(n - 1, -1, -1) if op.reverse is not None else range(n)
    rows: list[int] = []
    for t in steps:
        rows.append(t)
        for h, s in zip(histories, states, strict=True):
            h.append(s)
        env: Env = dict(zip(block.args, [*(s[t] for s in seqs), *states, *consts], strict=True))
        out = _run_block(block, env)
        stop = op.until is not None and bool(out.pop())
        for j, (new, old) in enumerate(zip(out[:k], states, strict=True)):
            if new.shape != old.shape:
                raise ValueError(
                    f"scan: the next value of state {j} has shape {new.shape} but must have "
                    f"shape {old.shape}"
                )
        for j, (acc, v) in enumerate(zip(stacked, out[k:], strict=True)):
            if acc and v.shape != acc[0].shape:
                raise ValueError(
                    f"scan: output {j} of a step has shape {v.shape} but the rows must have "
                    f"shape {acc[0].shape}"
                )
            acc.append(v)
        states = [np.array(v) for v in out[:k]]
        if stop:
            break
    order = np.argsort(rows) if rows else []

    def stack(items: list[np.ndarray], t: Attribute) -> np.ndarray:
        if not items:
            assert isinstance(t, TensorType)
            shape = [0 if d == DYNAMIC_INDEX else d for d in t.get_shape()]
            return np.empty(shape, tir.np_dtype(t))
        return np.stack([items[i] for i in order])

    results = [
        *states,
        *(stack(h, r.type) for h, r in zip(histories, op.histories, strict=True)),
        *(stack(z, r.type) for z, r in zip(stacked, op.stacks, strict=True)),
    ]
    return [_checked(op, i, v) for i, v in enumerate(results)]


def _run_if(op: tir.IfOp, env: Env) -> list[np.ndarray]:
    """What the region taken yields: ``then`` when the condition is true; the other region
    does not run (its errors are not raised)."""
    region = op.then_region if bool(env[op.cond]) else op.else_region
    values = _run_block(region.block, dict(env))  # its own values stay inside
    return [_checked(op, k, v) for k, v in enumerate(values)]


# --------------------------------------------------------------------------- one op


def _evaluate(op: Operation, values: list[np.ndarray]) -> list[np.ndarray]:
    if isinstance(op, tir.GradOp):
        raise TypeError(
            "tir.grad is not expanded: evaluate the function after tir-autodiff (the "
            "'adjoint' level: f.module('adjoint') of a compiled function)"
        )
    reference = getattr(op, "reference", None)
    if reference is not None:
        out = reference(*values)
        outs = list(out) if isinstance(out, tuple) else [out]
        return [_checked(op, k, v) for k, v in enumerate(outs)]
    rule = _UPSTREAM.get(op.name)
    if rule is None:
        raise TypeError(f"cannot evaluate {op.name}: it has no reference semantics")
    out = rule(op, values)
    return [_checked(op, k, v) for k, v in enumerate(out)]


def _value(v: Any, t: Attribute, what: str) -> np.ndarray:
    """``v`` as a value of type ``t``: an array of its dtype (exactly, when ``v`` is an array
    already), rank and static sizes."""
    dtype = tir.np_dtype(t)
    if isinstance(v, np.ndarray | np.generic):
        arr = np.asarray(v)
        if arr.dtype != dtype:
            raise TypeError(f"{what}: expected {dtype} for {t}, got {arr.dtype}")
    else:
        arr = np.asarray(v, dtype)
    _check_shape(arr, t, what)
    return arr


def _checked(op: Operation, k: int, value: Any) -> np.ndarray:
    """Result ``k`` of ``op``, checked against its type: a mismatch is a bug of the
    reference (or of the IR), not of the program."""
    arr = np.asarray(value)
    t = op.results[k].type
    if arr.dtype != tir.np_dtype(t):
        raise RuntimeError(f"{op.name}: the reference gave {arr.dtype} for a result of {t}")
    _check_shape(arr, t, f"result {k} of {op.name}", RuntimeError)
    return arr


def _check_shape(
    arr: np.ndarray, t: Attribute, what: str, error: type[Exception] = ValueError
) -> None:
    if isinstance(t, TensorType | MemRefType):
        shape = tuple(t.get_shape())
    else:
        shape = ()
    if arr.ndim != len(shape) or any(
        s != DYNAMIC_INDEX and s != d for s, d in zip(shape, arr.shape, strict=True)
    ):
        raise error(f"{what}: shape {arr.shape} does not fit {t}")


# --------------------------------------------------------------------------- upstream ops

Rule = Callable[[Operation, list[np.ndarray]], list[np.ndarray]]


def _bits(t: Attribute) -> int:
    if isinstance(t, IndexType):
        return 64
    assert isinstance(t, IntegerType)
    return t.width.data


def _signed(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if bits > 1 and v >= 1 << (bits - 1) else v


def _scalar(v: int, t: Attribute) -> np.ndarray:
    """An integer of type ``t`` (``index``: int64; ``i1``: bool), wrapped to its width."""
    return np.asarray(_signed(v, _bits(t)), tir.np_dtype(t))


def _int(v: np.ndarray, t: Attribute, unsigned: bool = False) -> int:
    """The integer ``v`` of type ``t``, read signed (or unsigned)."""
    bits = _bits(t)
    x = int(v)
    if bits == 1:
        x = -x if not unsigned else x  # an i1 true is -1 signed
    return x & ((1 << bits) - 1) if unsigned else x


def _constant(op: Operation, values: list[np.ndarray]) -> list[np.ndarray]:
    assert isinstance(op, arith.ConstantOp)
    attr = op.value
    t = op.result.type
    if isinstance(attr, IntegerAttr):
        return [_scalar(attr.value.data, t)]
    if isinstance(attr, FloatAttr):
        return [np.asarray(attr.value.data, tir.np_dtype(t))]
    raise TypeError(f"cannot evaluate arith.constant of {attr}")


def _div(a: int, b: int, rounding: str) -> int:
    """Integer division as the generated code: by zero gives 0."""
    if b == 0:
        return 0
    if rounding == "floor":
        return a // b
    if rounding == "ceil":
        return -(-a // b)
    q = abs(a) // abs(b)  # towards zero
    return q if (a < 0) == (b < 0) else -q


def _rem(a: int, b: int) -> int:
    """The remainder with the sign of ``a`` (C's ``%``); by zero gives 0."""
    return 0 if b == 0 else a - _div(a, b, "trunc") * b


_SIGNED_BINARY: dict[str, Callable[[int, int], int]] = {
    "arith.addi": lambda a, b: a + b,
    "arith.subi": lambda a, b: a - b,
    "arith.muli": lambda a, b: a * b,
    "arith.divsi": lambda a, b: _div(a, b, "trunc"),
    "arith.floordivsi": lambda a, b: _div(a, b, "floor"),
    "arith.ceildivsi": lambda a, b: _div(a, b, "ceil"),
    "arith.remsi": _rem,
    "arith.maxsi": max,
    "arith.minsi": min,
    "arith.andi": lambda a, b: a & b,
    "arith.ori": lambda a, b: a | b,
    "arith.xori": lambda a, b: a ^ b,
}
_UNSIGNED_BINARY: dict[str, Callable[[int, int], int]] = {
    "arith.divui": lambda a, b: _div(a, b, "floor"),
    "arith.remui": lambda a, b: 0 if b == 0 else a % b,
    "arith.maxui": max,
    "arith.minui": min,
}
# arith.cmpi predicates, by their number
_CMPI: list[tuple[Callable[[int, int], bool], bool]] = [
    (lambda a, b: a == b, False),
    (lambda a, b: a != b, False),
    (lambda a, b: a < b, False),
    (lambda a, b: a <= b, False),
    (lambda a, b: a > b, False),
    (lambda a, b: a >= b, False),
    (lambda a, b: a < b, True),
    (lambda a, b: a <= b, True),
    (lambda a, b: a > b, True),
    (lambda a, b: a >= b, True),
]


def _integer_binary(op: Operation, values: list[np.ndarray]) -> list[np.ndarray]:
    t = op.operands[0].type
    unsigned = op.name in _UNSIGNED_BINARY
    fn = _UNSIGNED_BINARY[op.name] if unsigned else _SIGNED_BINARY[op.name]
    a, b = (_int(v, t, unsigned) for v in values)
    return [_scalar(fn(a, b), op.results[0].type)]


def _cmpi(op: Operation, values: list[np.ndarray]) -> list[np.ndarray]:
    predicate = op.properties["predicate"]
    assert isinstance(predicate, IntegerAttr)
    fn, unsigned = _CMPI[predicate.value.data]
    t = op.operands[0].type
    a, b = (_int(v, t, unsigned) for v in values)
    return [np.asarray(fn(a, b))]


def _select(op: Operation, values: list[np.ndarray]) -> list[np.ndarray]:
    cond, a, b = values
    return [a if bool(cond) else b]


def _integer_cast(op: Operation, values: list[np.ndarray]) -> list[np.ndarray]:
    """``index_cast``/``extsi``/``trunci`` read signed, ``index_castui``/``extui`` unsigned,
    and wrap to the result's width."""
    unsigned = op.name in ("arith.index_castui", "arith.extui")
    return [_scalar(_int(values[0], op.operands[0].type, unsigned), op.results[0].type)]


def _dim(op: Operation, values: list[np.ndarray]) -> list[np.ndarray]:
    x, i = values
    if not 0 <= int(i) < x.ndim:
        raise IndexError(f"tensor.dim: dim {int(i)} of a tensor of rank {x.ndim}")
    return [np.asarray(x.shape[int(i)], np.int64)]


def _extract(op: Operation, values: list[np.ndarray]) -> list[np.ndarray]:
    x, *indices = values
    return [np.asarray(x[tuple(int(i) for i in indices)])]


def _check(op: Operation, values: list[np.ndarray]) -> list[np.ndarray]:
    """``tir.check``: raise its exception, with its message, when the condition is false."""
    assert isinstance(op, tir.CheckOp)
    cond, *reported = values
    if not bool(cond):
        message = op.message.data.format(*(int(v) for v in reported))
        raise CHECK_EXCEPTIONS[op.kind.data](message)
    return []


_UPSTREAM: dict[str, Rule] = {
    "arith.constant": _constant,
    **{name: _integer_binary for name in (*_SIGNED_BINARY, *_UNSIGNED_BINARY)},
    "arith.cmpi": _cmpi,
    "arith.select": _select,
    **{
        name: _integer_cast
        for name in (
            "arith.index_cast",
            "arith.index_castui",
            "arith.extsi",
            "arith.extui",
            "arith.trunci",
        )
    },
    "tensor.dim": _dim,
    "tensor.extract": _extract,
    "tir.check": _check,
}
