"""``tir-autodiff`` (L1 -> L1): replace each ``tir.grad`` by its adjoint graph.

Reverse-mode differentiation on the ``tir`` ops of one block: starting from the cost (adjoint
1) and any known gradients, walk the ops before the ``tir.grad`` backwards and give each
float operand its adjoint, by the op's gradient rule. A ``tir.grad`` is expanded in program
order, so an inner one (whose results feed the outer one's cost) is already ordinary ops when
the outer one is differentiated: gradients of gradients come from the same rules.

The gradient rules live here, one method per op family, and follow Theano's ``grad``/
``L_op`` formulas term for term (so results match Theano's digits). Every rule returns
adjoints of exactly its operands' types: where an operand was broadcast (a size-1 dim against
a larger one), its adjoint is summed over that dim (``unbroadcast``). Only float values carry
adjoints; integer and bool values (comparisons, ``tir.size``) are constants to
differentiation, and a ``wrt`` that the cost does not depend on gets zeros. A ``tir.if``
(several results, regions) has its own rule, ``GradExpansion.branches`` (Theano's
``IfElse.grad``): each value a region yields gets its result's adjoint when that region is
taken, zeros otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.builder import Builder
from xdsl.context import Context
from xdsl.dialects import arith, func
from xdsl.dialects import tensor as xtensor
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    IndexType,
    ModuleOp,
    TensorType,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint
from xdsl.transforms.dead_code_elimination import region_dce
from xdsl.utils.exceptions import PassFailedException

from tensorir.dialects import tir
from tensorir.dialects import types as T

Adjoint = SSAValue | None


def _shape(v: SSAValue) -> tuple[int, ...]:
    assert isinstance(v.type, TensorType)
    return tuple(v.type.get_shape())


def _dtype(v: SSAValue) -> str:
    assert isinstance(v.type, TensorType)
    return T.dtype_of(v.type.element_type)


def _is_float(v: SSAValue) -> bool:
    return isinstance(v.type, TensorType) and T.is_float(_dtype(v))


class GradExpansion:
    """Builds the adjoint graph of one ``tir.grad``, inserting before it."""

    def __init__(self, block: Block, grad: tir.GradOp):
        self.block = block
        self.grad = grad
        self.loc = grad.attributes.get("loc")
        self.adjoints: dict[SSAValue, SSAValue] = {}
        self.created: list[Operation] = []
        self.reach: set[SSAValue] = set()  # the values on a path from a wrt value
        self.builder = Builder(
            InsertPoint.before(grad), operation_insertion_handler=[self._inserted]
        )

    # -- building ops ----------------------------------------------------------------------

    def emit(self, op: Operation) -> SSAValue:
        return self.builder.insert(op).results[0]

    def _inserted(self, op: Operation) -> None:
        self.created.append(op)
        if self.loc is not None and op.dialect_name() == "tir":
            op.attributes["loc"] = self.loc

    def const(self, value: float, dtype: str, rank: int) -> SSAValue:
        """A scalar constant, as a tensor of ``rank`` size-1 dims (it broadcasts)."""
        t = TensorType(T.element_type(dtype), [])
        c = self.emit(tir.ConstantOp(DenseIntOrFPElementsAttr.from_list(t, [value]), t))
        return self.emit(tir.DimShuffleOp(c, [-1] * rank)) if rank else c

    def const_like(self, value: float, like: SSAValue) -> SSAValue:
        return self.const(value, _dtype(like), len(_shape(like)))

    def zeros_like(self, v: SSAValue) -> SSAValue:
        return self.emit(tir.SecondOp(v, self.const_like(0.0, v)))

    def cast(self, v: SSAValue, dtype: str) -> SSAValue:
        return v if _dtype(v) == dtype else self.emit(tir.CastOp(v, dtype))

    def expand(self, g: SSAValue, rank: int, axes: Sequence[int]) -> SSAValue:
        """``g`` with size-1 dims inserted at ``axes`` (the reduced ones), of rank ``rank``."""
        kept = iter(range(rank - len(axes)))
        pattern = [-1 if i in axes else next(kept) for i in range(rank)]
        return self.emit(tir.DimShuffleOp(g, pattern)) if axes else g

    def dim(self, v: SSAValue, i: int) -> SSAValue:
        idx = self.emit(arith.ConstantOp.from_int_and_width(i, IndexType()))
        return self.emit(xtensor.DimOp(v, idx))

    def as_type(self, v: SSAValue, t: Attribute) -> SSAValue:
        """``v`` with the type ``t`` of the value it is the adjoint of: a size-1 static dim
        of ``v`` where ``t`` has a dynamic one becomes dynamic (a reshape to its own dims)."""
        if v.type == t:
            return v
        assert isinstance(t, TensorType)
        sizes = [self.dim(v, i) for i in range(len(_shape(v)))]
        return self.emit(tir.ReshapeOp(v, sizes, t))

    def unbroadcast(self, g: SSAValue, like: SSAValue) -> SSAValue:
        """Sum ``g`` over the dims where ``like`` was broadcast: the adjoint of ``like``."""
        gs, ls = _shape(g), _shape(like)
        axes = [i for i in range(len(ls)) if ls[i] == 1 and gs[i] != 1]
        if axes:
            g = self.expand(self.emit(tir.SumOp(g, axes)), len(ls), axes)
        return self.as_type(g, like.type)

    # -- the walk --------------------------------------------------------------------------

    def accumulate(self, v: SSAValue, g: SSAValue) -> None:
        if v in self.adjoints:
            self.adjoints[v] = self.emit(tir.AddOp(self.adjoints[v], g))
        else:
            self.adjoints[v] = g

    def run(self) -> None:
        grad = self.grad
        blocked = set(grad.consider)
        reach: set[SSAValue] = set(grad.wrt)
        ops: list[Operation] = []
        for op in _ops_before(grad):
            if any(o in reach for o in tir.reads(op)):
                if isinstance(op, tir.GradOp):
                    raise PassFailedException("tir-autodiff: inner tir.grad not expanded")
                ops.append(op)
                reach.update(r for r in op.results if r not in blocked)
        if grad.cost is not None:
            self.adjoints[grad.cost] = self.const(1.0, _dtype(grad.cost), 0)
        for v, g in zip(grad.known, grad.known_grads, strict=True):
            self.accumulate(v, g)
        self.reach = reach
        for op in reversed(ops):
            if isinstance(op, tir.IfOp):
                self.branches(op, reach, blocked)
                continue
            many = RESULTS_RULES.get(type(op))
            if many is not None:
                gs = [None if r in blocked else self.adjoints.get(r) for r in op.results]
                if all(g is None for g in gs):
                    continue
                contributions = many(self, op, gs)
            else:
                if not op.results or op.results[0] not in self.adjoints:
                    continue
                if op.results[0] in blocked:
                    continue
                rule = RULES.get(type(op))
                if rule is None:
                    raise PassFailedException(f"tir-autodiff: no gradient rule for {op.name}")
                contributions = rule(self, op, self.adjoints[op.results[0]])
            for operand, g in zip(op.operands, contributions, strict=True):
                if g is not None and operand in reach and _is_float(operand):
                    assert g.type == operand.type, (op.name, g.type, operand.type)
                    self.accumulate(operand, g)
        results = [self.adjoints[w] if w in self.adjoints else self.zeros_like(w) for w in grad.wrt]
        for old, new in zip(grad.grads, results, strict=True):
            if old.name_hint and not new.name_hint:
                new.name_hint = old.name_hint
            old.replace_all_uses_with(new)
        grad.detach()
        grad.erase()
        # rules give every operand an adjoint; those of values that need none (constants,
        # values outside the reach of wrt) are dead: erase them, last built first
        for op in reversed(self.created):
            if op.results and all(not r.uses for r in op.results):
                op.detach()
                op.erase()

    def branches(self, op: tir.IfOp, reach: set[SSAValue], blocked: set[SSAValue]) -> None:
        """Theano's ``IfElse.grad``: the value the then region yields for result k gets the
        adjoint ``tir.if %c {g_k} else {0}``, the one the else region yields ``tir.if %c {0}
        else {g_k}`` (one ``tir.if`` per region, for all its results)."""
        ks = [k for k, r in enumerate(op.outs) if r in self.adjoints and r not in blocked]
        computed = [o for r in op.regions for o in r.block.ops if not isinstance(o, tir.YieldOp)]
        if ks and any(v in reach for o in computed for v in tir.reads(o)):
            raise PassFailedException(
                "tir-autodiff: cannot differentiate a tir.if whose regions compute the "
                "values they yield (tir-sink-branches runs after tir-autodiff)"
            )
        for which in (0, 1):
            targets = [(k, op.yielded(k)[which]) for k in ks]
            targets = [(k, v) for k, v in targets if v in reach and _is_float(v)]
            if not targets:
                continue
            grads = [self.adjoints[op.outs[k]] for k, _ in targets]
            zeros = [self.zeros_like(v) for _, v in targets]
            taken, other = (grads, zeros) if which == 0 else (zeros, grads)
            adjoint = self.builder.insert(tir.IfOp(op.cond, _yields(taken), _yields(other)))
            for (_, v), g in zip(targets, adjoint.results, strict=True):
                self.accumulate(v, g)


def _yields(values: Sequence[SSAValue]) -> Region:
    """A region that only yields ``values``."""
    block = Block()
    block.add_op(tir.YieldOp(*values))
    return Region(block)


def _ops_before(op: Operation) -> list[Operation]:
    """The ops that run before ``op``, in program order: those of each enclosing block before
    the op that encloses ``op`` (a ``tir.map`` body sees the values above it), outermost
    first, then those of ``op``'s own block."""
    chain: list[Operation] = []
    current = op
    while (block := current.parent_block()) is not None:
        before: list[Operation] = []
        for other in block.ops:
            if other is current:
                break
            before.append(other)
        chain = before + chain
        parent = block.parent_op()
        if parent is None or isinstance(parent, func.FuncOp | ModuleOp):
            break
        current = parent
    return chain


# --------------------------------------------------------------------------- rules
# Each rule takes the expansion, the op and the adjoint of its result, and returns one
# adjoint (or None: no gradient) per operand.

Rule = Callable[[GradExpansion, Operation, SSAValue], list[Adjoint]]


def _add(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    x, y = op.operands
    return [e.unbroadcast(g, x), e.unbroadcast(g, y)]


def _sub(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    x, y = op.operands
    return [e.unbroadcast(g, x), e.unbroadcast(e.emit(tir.NegOp(g)), y)]


def _mul(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    x, y = op.operands
    return [
        e.unbroadcast(e.emit(tir.MulOp(g, y)), x),
        e.unbroadcast(e.emit(tir.MulOp(g, x)), y),
    ]


def _true_div(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # Theano: gz / y and -gz * x / (y * y)
    x, y = op.operands
    gx = e.emit(tir.TrueDivOp(g, y))
    num = e.emit(tir.MulOp(e.emit(tir.NegOp(g)), x))
    gy = e.emit(tir.TrueDivOp(num, e.emit(tir.MulOp(y, y))))
    return [e.unbroadcast(gx, x), e.unbroadcast(gy, y)]


def _mod(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # Theano: gz and -(x // y) * gz
    x, y = op.operands
    q = e.emit(tir.NegOp(e.emit(tir.IntDivOp(x, y))))
    return [e.unbroadcast(g, x), e.unbroadcast(e.emit(tir.MulOp(q, g)), y)]


def _pow(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # Theano: gz * y * x ** (y - 1) and gz * log(x) * x ** y, the latter 0 where x == 0
    x, y = op.operands
    z = op.results[0]
    ym1 = e.emit(tir.SubOp(y, e.const_like(1.0, y)))
    gx = e.emit(tir.MulOp(e.emit(tir.MulOp(g, y)), e.emit(tir.PowOp(x, ym1))))
    gy = e.emit(tir.MulOp(e.emit(tir.MulOp(g, e.emit(tir.LogOp(x)))), z))
    x_zero = e.emit(tir.EqOp(x, e.const_like(0.0, x)))
    gy = e.emit(tir.SwitchOp(x_zero, e.const_like(0.0, gy), gy))
    return [e.unbroadcast(gx, x), e.unbroadcast(gy, y)]


def _extremum(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # Theano: eq(z, x) * gz and eq(z, y) * gz (ties: both)
    x, y = op.operands
    z = op.results[0]
    out: list[Adjoint] = []
    for v in (x, y):
        mask = e.cast(e.emit(tir.EqOp(z, v)), _dtype(g))
        out.append(e.unbroadcast(e.emit(tir.MulOp(mask, g)), v))
    return out


def _zero(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    return [None] * len(op.operands)


def _second(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    x, y = op.operands
    return [None, e.unbroadcast(g, y)]


def _grad_hook(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # the adjoint of x scaled (grad_scale) or bounded (grad_floor, grad_ceil) by rhs
    x, param = op.operands
    combine = {
        tir.GradScaleOp: tir.MulOp,
        tir.GradFloorOp: tir.MaximumOp,
        tir.GradCeilOp: tir.MinimumOp,
    }[type(op)]
    return [e.unbroadcast(e.emit(combine(g, param)), x), None]


def _switch(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    c, a, b = op.operands
    zero = e.const_like(0.0, g)
    ga = e.emit(tir.SwitchOp(c, g, zero))
    gb = e.emit(tir.SwitchOp(c, zero, g))
    return [None, e.unbroadcast(ga, a), e.unbroadcast(gb, b)]


def _neg(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    return [e.emit(tir.NegOp(g))]


def _abs(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    (x,) = op.operands
    if not _is_float(x):  # |complex| is real; complex values carry no adjoint
        return [None]
    return [e.emit(tir.MulOp(g, e.emit(tir.SgnOp(x))))]


def _sqr(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    (x,) = op.operands  # Theano: gz * x * 2
    return [e.emit(tir.MulOp(e.emit(tir.MulOp(g, x)), e.const_like(2.0, x)))]


def _exp(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    return [e.emit(tir.MulOp(g, op.results[0]))]  # Theano: gz * exp(x)


def _log(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    return [e.emit(tir.TrueDivOp(g, op.operands[0]))]  # Theano: gz / x


def _sqrt(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # Theano: (gz * 0.5) / sqrt(x)
    half = e.emit(tir.MulOp(g, e.const_like(0.5, g)))
    return [e.emit(tir.TrueDivOp(half, op.results[0]))]


def _tanh(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # Theano: gz * (1 - sqr(tanh(x)))
    z = op.results[0]
    return [e.emit(tir.MulOp(g, e.emit(tir.SubOp(e.const_like(1.0, z), e.emit(tir.SqrOp(z))))))]


def _sin(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    return [e.emit(tir.MulOp(g, e.emit(tir.CosOp(op.operands[0]))))]  # gz * cos(x)


def _cos(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # Theano: -gz * sin(x)
    return [e.emit(tir.MulOp(e.emit(tir.NegOp(g)), e.emit(tir.SinOp(op.operands[0]))))]


def _unary_rule(derivative: Callable[[GradExpansion, SSAValue, SSAValue], SSAValue]) -> Rule:
    """A rule ``g * derivative(x, z)`` (Theano's ``gz * f'(x)``) for a unary op."""

    def rule(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
        return [e.emit(tir.MulOp(g, derivative(e, op.operands[0], op.results[0])))]

    return rule


def _inverse(e: GradExpansion, d: SSAValue) -> SSAValue:
    return e.emit(tir.TrueDivOp(e.const_like(1.0, d), d))


def _one_minus_sqr(e: GradExpansion, x: SSAValue) -> SSAValue:
    return e.emit(tir.SubOp(e.const_like(1.0, x), e.emit(tir.SqrOp(x))))


_UNARY_DERIVATIVES: dict[
    type[Operation], Callable[[GradExpansion, SSAValue, SSAValue], SSAValue]
] = {
    # 1 / (1 + x)
    tir.Log1pOp: lambda e, x, z: _inverse(e, e.emit(tir.AddOp(e.const_like(1.0, x), x))),
    tir.Expm1Op: lambda e, x, z: e.emit(tir.ExpOp(x)),
    tir.Log2Op: lambda e, x, z: _inverse(e, e.emit(tir.MulOp(x, e.const_like(np.log(2.0), x)))),
    tir.Log10Op: lambda e, x, z: _inverse(e, e.emit(tir.MulOp(x, e.const_like(np.log(10.0), x)))),
    tir.Exp2Op: lambda e, x, z: e.emit(tir.MulOp(z, e.const_like(np.log(2.0), z))),
    tir.TanOp: lambda e, x, z: _inverse(e, e.emit(tir.SqrOp(e.emit(tir.CosOp(x))))),
    tir.ArcsinOp: lambda e, x, z: _inverse(e, e.emit(tir.SqrtOp(_one_minus_sqr(e, x)))),
    tir.ArccosOp: lambda e, x, z: e.emit(
        tir.NegOp(_inverse(e, e.emit(tir.SqrtOp(_one_minus_sqr(e, x)))))
    ),
    tir.ArctanOp: lambda e, x, z: _inverse(
        e, e.emit(tir.AddOp(e.const_like(1.0, x), e.emit(tir.SqrOp(x))))
    ),
    tir.SinhOp: lambda e, x, z: e.emit(tir.CoshOp(x)),
    tir.CoshOp: lambda e, x, z: e.emit(tir.SinhOp(x)),
    # 2 / sqrt(pi) * exp(-x * x)
    tir.ErfOp: lambda e, x, z: e.emit(
        tir.MulOp(
            e.const_like(2.0 / np.sqrt(np.pi), x),
            e.emit(tir.ExpOp(e.emit(tir.NegOp(e.emit(tir.SqrOp(x)))))),
        )
    ),
}


def _sigmoid(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # Theano: gz * sigmoid(x) * (1 - sigmoid(x))
    z = op.results[0]
    one_minus = e.emit(tir.SubOp(e.const_like(1.0, z), z))
    return [e.emit(tir.MulOp(e.emit(tir.MulOp(g, z)), one_minus))]


def _softplus(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # Theano: gz * sigmoid(x)
    return [e.emit(tir.MulOp(g, e.emit(tir.SigmoidOp(op.operands[0]))))]


def _cast(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    (x,) = op.operands
    return [e.cast(g, _dtype(x)) if _is_float(x) else None]


def _dimshuffle(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    assert isinstance(op, tir.DimShuffleOp)
    x = op.input
    pattern = op.get_pattern()
    # each input dim reads the result dim it went to; dropped (broadcastable) dims come back
    # as new size-1 dims, and the result's new 'x' dims (size 1) are dropped
    back = [pattern.index(d) if d in pattern else -1 for d in range(len(_shape(x)))]
    return [e.as_type(e.emit(tir.DimShuffleOp(g, back)), x.type)]


def _reshape(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    assert isinstance(op, tir.ReshapeOp)
    x = op.input
    sizes = [e.dim(x, i) for i in range(len(_shape(x)))]
    return [e.emit(tir.ReshapeOp(g, sizes, x.type)), *([None] * len(op.sizes))]


def _sum(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    assert isinstance(op, tir.ReduceOp)
    x = op.input
    if not _is_float(x):
        return [None]
    g = e.expand(g, len(_shape(x)), op.get_axes())
    return [e.emit(tir.SecondOp(x, g))]


def _mean(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # the gradient of sum, divided by the number of reduced elements
    assert isinstance(op, tir.ReduceOp)
    x = op.input
    if not _is_float(x):
        return [None]
    axes = op.get_axes()
    g_rank = len(_shape(g))
    count = e.cast(e.emit(tir.SizeOp(x, axes)), _dtype(g))
    scaled = e.emit(tir.TrueDivOp(g, e.expand(count, g_rank, list(range(g_rank)))))
    return [e.emit(tir.SecondOp(x, e.expand(scaled, len(_shape(x)), axes)))]


def _prod(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    """Theano's Prod gradient, exact where inputs are zero: with no zero in a reduced slice,
    ``gz * prod / x``; with one zero, the product of the others at the zero and 0 elsewhere;
    with more, 0."""
    assert isinstance(op, tir.ReduceOp)
    x = op.input
    if not _is_float(x):
        return [None]
    axes = op.get_axes()
    rank = len(_shape(x))
    z = e.expand(op.results[0], rank, axes)
    gz = e.expand(g, rank, axes)
    is_zero = e.emit(tir.EqOp(x, e.const_like(0.0, x)))
    n_zero = e.expand(e.emit(tir.SumOp(e.cast(is_zero, "int64"), axes)), rank, axes)
    one_i = e.const(1, "int64", rank)
    zero_i = e.const(0, "int64", rank)
    others = e.expand(
        e.emit(tir.ProdOp(e.emit(tir.SwitchOp(is_zero, e.const_like(1.0, x), x)), axes)),
        rank,
        axes,
    )
    zero = e.const_like(0.0, x)
    single = e.emit(tir.SwitchOp(e.emit(tir.EqOp(n_zero, one_i)), others, zero))
    at_zero = e.emit(tir.SwitchOp(is_zero, single, zero))
    simple = e.emit(tir.TrueDivOp(z, x))
    local = e.emit(tir.SwitchOp(e.emit(tir.EqOp(n_zero, zero_i)), simple, at_zero))
    return [e.as_type(e.emit(tir.MulOp(local, gz)), x.type)]


def _max_min(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # Theano: gz * eq(x, max) (every tie gets the gradient)
    assert isinstance(op, tir.ReduceOp)
    x = op.input
    if not _is_float(x):
        return [None]
    axes = op.get_axes()
    rank = len(_shape(x))
    mask = e.cast(e.emit(tir.EqOp(x, e.expand(op.results[0], rank, axes))), _dtype(x))
    return [e.as_type(e.emit(tir.MulOp(e.expand(g, rank, axes), mask)), x.type)]


def _transpose(e: GradExpansion, v: SSAValue) -> SSAValue:
    return e.emit(tir.DimShuffleOp(v, [1, 0]))


def _outer(e: GradExpansion, u: SSAValue, v: SSAValue) -> SSAValue:
    return e.emit(
        tir.MulOp(e.emit(tir.DimShuffleOp(u, [0, -1])), e.emit(tir.DimShuffleOp(v, [-1, 0])))
    )


def _dot(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    a, b = op.operands
    ranks = (len(_shape(a)), len(_shape(b)))
    if ranks == (2, 2):  # Theano: dot(gz, y.T), dot(x.T, gz)
        ga = e.emit(tir.DotOp(g, _transpose(e, b)))
        gb = e.emit(tir.DotOp(_transpose(e, a), g))
    elif ranks == (2, 1):
        ga = _outer(e, g, b)
        gb = e.emit(tir.DotOp(_transpose(e, a), g))
    elif ranks == (1, 2):
        ga = e.emit(tir.DotOp(b, g))
        gb = _outer(e, a, g)
    else:
        ga = e.emit(tir.MulOp(e.expand(g, 1, [0]), b))
        gb = e.emit(tir.MulOp(e.expand(g, 1, [0]), a))
    return [e.as_type(ga, a.type), e.as_type(gb, b.type)]


def _subtensor(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # the part's adjoint added into zeros of the input's shape
    assert isinstance(op, tir.SubtensorOp)
    x = op.input
    inc = tir.IncSubtensorOp(e.zeros_like(x), list(op.bounds), g, op.get_kinds())
    return [e.emit(inc), *([None] * len(op.bounds))]


def _inc_subtensor(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # x: g (with the part zeroed for set_subtensor); value: the part of g, unbroadcast
    assert isinstance(op, tir.IncSubtensorOp)
    bounds, kinds = list(op.bounds), op.get_kinds()
    part = e.emit(tir.SubtensorOp(g, bounds, kinds))
    gx = g
    if op.is_set():
        zero = e.const(0.0, _dtype(g), len(_shape(part)))
        gx = e.emit(tir.IncSubtensorOp(g, bounds, zero, kinds, set=True))
    return [gx, *([None] * len(bounds)), e.unbroadcast(part, op.value)]


def _gather(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # scatter-add of the adjoint into zeros: repeated indices accumulate
    assert isinstance(op, tir.GatherOp)
    x = op.input
    gx = e.emit(tir.ScatterAddOp(e.zeros_like(x), list(op.indices), g))
    return [gx, *([None] * len(op.indices))]


def _scatter_add(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    assert isinstance(op, tir.ScatterAddOp)
    gv = e.emit(tir.GatherOp(g, list(op.indices)))
    return [g, *([None] * len(op.indices)), e.as_type(gv, op.value.type)]


def _sum_along(e: GradExpansion, v: SSAValue, axis: int) -> SSAValue:
    """``sum(v, axis, keepdims=True)``."""
    return e.expand(e.emit(tir.SumOp(v, [axis])), len(_shape(v)), [axis])


def _softmax(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # Theano's SoftmaxGrad: dx = g * sm - sum(g * sm, axis) * sm
    assert isinstance(op, tir.SoftmaxOp)
    sm = op.results[0]
    gsm = e.emit(tir.MulOp(g, sm))
    dx = e.emit(tir.SubOp(gsm, e.emit(tir.MulOp(_sum_along(e, gsm, op.get_axis()), sm))))
    return [dx]


def _log_softmax(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # g - exp(lsm) * sum(g, axis)
    assert isinstance(op, tir.LogSoftmaxOp)
    sm = e.emit(tir.ExpOp(op.results[0]))
    return [e.emit(tir.SubOp(g, e.emit(tir.MulOp(sm, _sum_along(e, g, op.get_axis())))))]


def _concatenate(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # each input's slice of the adjoint along the axis: g[..., off:off + n, ...]
    assert isinstance(op, tir.ConcatenateOp)
    axis = op.get_axis()
    kinds = [0] * axis + [tir.SLICE_START | tir.SLICE_STOP]
    out: list[Adjoint] = []
    offset = e.const(0, "int64", 0)
    for x in op.inputs:
        end = e.emit(tir.AddOp(offset, e.emit(tir.SizeOp(x, [axis]))))
        part = e.emit(tir.SubtensorOp(g, [offset, end], kinds))
        out.append(e.as_type(part, x.type))
        offset = end
    return out


def _scatter(e: GradExpansion, op: Operation, g: SSAValue) -> list[Adjoint]:
    # x: g with the written positions zeroed; value: g gathered there
    assert isinstance(op, tir.ScatterOp)
    indices = list(op.indices)
    zero = e.zeros_like(op.value)
    gx = e.emit(tir.ScatterOp(g, indices, zero))
    gv = e.emit(tir.GatherOp(g, indices))
    return [gx, *([None] * len(indices)), e.as_type(gv, op.value.type)]


def _scan(e: GradExpansion, op: Operation, gs: list[Adjoint]) -> list[Adjoint]:
    """Backpropagation through time: a ``tir.scan`` running the other way over the same
    steps (the last ``truncate`` only, as Theano's ``truncate_gradient``). Its sequences are
    the forward sequences, the forward states' histories (each step's inputs) and the
    adjoints of the stacked values and histories; its states the adjoints of the forward
    states (starting from those of the final states) and the sums of the constants'
    adjoints. Its step recomputes the forward step from those inputs and differentiates it
    (a ``tir.grad`` seeded with the adjoints of what the step yields, expanded at once).
    The adjoint of a sequence is its stacked step adjoints, placed at their rows in zeros of
    the sequence's shape; of an init, the state adjoint after the last backward step; of a
    constant, its sum."""
    assert isinstance(op, tir.ScanOp)
    nseq, k = len(op.seqs), len(op.inits)
    g_final, g_hist, g_stack = gs[:k], gs[k : 2 * k], gs[2 * k :]
    body = op.body.block
    x_args, h_args, w_args = body.args[:nseq], body.args[nseq : nseq + k], body.args[nseq + k :]
    nexts, stacked = op.yielded()
    seq_d = [_is_float(s) and s in e.reach for s in op.seqs]
    state_d = [_is_float(c) for c in op.inits]
    const_d = [_is_float(w) and w in e.reach for w in op.consts]
    stack_g = [(j, g) for j, g in enumerate(g_stack) if g is not None]
    hist_g = [(j, g) for j, g in enumerate(g_hist) if g is not None]

    # the steps done: n, or with until the rows of a stacked result (the first step that
    # met the condition was the last)
    steps = op.n
    if op.until is not None:
        done = op.histories[0] if k else op.stacks[[g is not None for g in g_stack].index(True)]
        steps = e.emit(tir.SizeOp(done, [0]))
    # the steps backpropagated through: all, or the last `truncate`
    n = steps
    start: SSAValue | None = None  # the first forward row covered, when truncated
    if op.truncate is not None:
        limit = e.const(op.truncate.value.data, "int64", 0)
        n = e.emit(tir.MinimumOp(steps, limit))
        if op.reverse is None:  # the forward scan ends at row n - 1
            start = e.emit(tir.SubOp(steps, n))
        else:  # it ends at row 0
            start = e.const(0, "int64", 0)

    def rows(v: SSAValue) -> SSAValue:
        """The rows of ``v`` the backward steps read."""
        if start is None:
            return v
        stop = e.emit(tir.AddOp(start, n))
        kinds = [tir.SLICE_START | tir.SLICE_STOP]
        return e.emit(tir.SubtensorOp(v, [start, stop], kinds))

    histories = list(op.histories)
    seqs = [rows(v) for v in [*op.seqs, *histories]]
    seqs += [rows(g) for _, g in stack_g] + [rows(g) for _, g in hist_g]
    # the forward's float stacked values, read back rather than recomputed by the adjoint
    saved = [j for j, v in enumerate(stacked) if _is_float(v) and stacked.index(v) == j]
    seqs += [rows(op.stacks[j]) for j in saved]
    inits = [
        g_final[j] if g_final[j] is not None else e.zeros_like(c)
        for j, c in enumerate(op.inits)
        if state_d[j]
    ]
    inits += [e.zeros_like(w) for w, d in zip(op.consts, const_d, strict=True) if d]
    consts = list(op.consts)

    step = Block(arg_types=tir.ScanOp.row_types(seqs) + [v.type for v in inits + consts])
    args = iter(step.args)
    xs = [next(args) for _ in op.seqs]
    hs = [next(args) for _ in op.inits]
    gz = [next(args) for _ in stack_g]
    gh = [next(args) for _ in hist_g]
    zs = [next(args) for _ in saved]
    a = [next(args) for d in state_d if d]
    acc = [next(args) for d in const_d if d]
    ws = [next(args) for _ in consts]
    for new, old in zip([*xs, *hs, *ws], [*x_args, *h_args, *w_args], strict=True):
        new.name_hint = old.name_hint
    for new, old in zip(a, [h for h, d in zip(h_args, state_d, strict=True) if d], strict=True):
        new.name_hint = old.name_hint and f"g_{old.name_hint}"
    for new, old in zip(acc, [w for w, d in zip(w_args, const_d, strict=True) if d], strict=True):
        new.name_hint = old.name_hint and f"g_{old.name_hint}"
    mapping: dict[SSAValue, SSAValue] = dict(zip(x_args, xs, strict=True))
    mapping.update(zip(h_args, hs, strict=True))
    mapping.update(zip(w_args, ws, strict=True))
    for inner in body.ops:
        if isinstance(inner, tir.ScanYieldOp):
            break
        step.add_op(inner.clone(value_mapper=mapping))
    known: dict[SSAValue, SSAValue] = {}

    def seed(v: SSAValue, g: SSAValue) -> None:
        v = mapping.get(v, v)
        if v in known:
            add = tir.AddOp(known[v], g)
            step.add_op(add)
            known[v] = add.result
        else:
            known[v] = g

    for g, v in zip(a, [v for v, d in zip(nexts, state_d, strict=True) if d], strict=True):
        seed(v, g)
    for (j, _), g in zip(stack_g, gz, strict=True):
        seed(stacked[j], g)
    for (j, _), g in zip(hist_g, gh, strict=True):
        seed(h_args[j], g)
    wrt = [x for x, d in zip(xs, seq_d, strict=True) if d]
    wrt += [h for h, d in zip(hs, state_d, strict=True) if d]
    wrt += [w for w, d in zip(ws, const_d, strict=True) if d]
    known = {v: g for v, g in known.items() if _is_float(v)}
    grad = tir.GradOp(None, wrt, [], list(known), list(known.values()))
    step.add_op(grad)
    found = iter(grad.grads)
    g_x = [next(found) for d in seq_d if d]
    g_h = [next(found) for d in state_d if d]
    g_w = [next(found) for d in const_d if d]
    sums = []
    for total, g in zip(acc, g_w, strict=True):
        add = tir.AddOp(total, g)
        step.add_op(add)
        sums.append(add.result)
    step.add_op(tir.ScanYieldOp([*g_h, *sums, *g_x]))
    GradExpansion(step, grad).run()
    # the adjoint reads the forward's saved values (tanh's result, say): the recomputed ones
    # then feed nothing but each other, and are dead
    for j, z in zip(saved, zs, strict=True):
        z.name_hint = stacked[j].name_hint
        mapping[stacked[j]].replace_all_uses_with(z)
    region = Region(step)
    region_dce(region)
    # a sequence the backward step does not read (a history, a saved value) is not passed:
    # the forward scan then does not compute it
    for i in range(len(seqs) - 1, -1, -1):
        if not step.args[i].uses:
            step.erase_arg(step.args[i])
            del seqs[i]
    back = tir.ScanOp(n, seqs, inits, consts, region, reverse=op.reverse is None)
    e.builder.insert(back)
    finals = iter(back.finals)
    stacks = iter(back.stacks)
    out: list[Adjoint] = [None]
    for s, d in zip(op.seqs, seq_d, strict=True):
        if not d:
            out.append(None)
            continue
        g = next(stacks)  # the covered rows' adjoints, in zeros of the sequence's shape
        begin = start if start is not None else e.const(0, "int64", 0)
        stop = e.emit(tir.AddOp(begin, n))
        kinds = [tir.SLICE_START | tir.SLICE_STOP]
        part = tir.SubtensorOp.infer_type(s.type, begin.type, stop.type, kinds=kinds)
        g = e.as_type(g, part)
        out.append(e.emit(tir.IncSubtensorOp(e.zeros_like(s), [begin, stop], g, kinds)))
    for d in state_d:
        out.append(next(finals) if d else None)
    for d in const_d:
        out.append(next(finals) if d else None)
    return out


ResultsRule = Callable[[GradExpansion, Operation, list[Adjoint]], list[Adjoint]]
RESULTS_RULES: dict[type[Operation], ResultsRule] = {tir.ScanOp: _scan}
"""The gradient rules of ops with several results: they take the adjoint of each result
(None: none flows there)."""


RULES: dict[type[Operation], Rule] = {
    tir.AddOp: _add,
    tir.SubOp: _sub,
    tir.MulOp: _mul,
    tir.TrueDivOp: _true_div,
    tir.IntDivOp: _zero,
    tir.ModOp: _mod,
    tir.PowOp: _pow,
    tir.MaximumOp: _extremum,
    tir.MinimumOp: _extremum,
    tir.SecondOp: _second,
    tir.SwitchOp: _switch,
    tir.GradScaleOp: _grad_hook,
    tir.GradFloorOp: _grad_hook,
    tir.GradCeilOp: _grad_hook,
    tir.ZeroGradOp: _zero,
    tir.NegOp: _neg,
    tir.AbsOp: _abs,
    tir.SgnOp: _zero,
    tir.UniformOp: _zero,
    tir.SqrOp: _sqr,
    tir.ExpOp: _exp,
    tir.LogOp: _log,
    tir.SqrtOp: _sqrt,
    tir.TanhOp: _tanh,
    tir.SinOp: _sin,
    tir.CosOp: _cos,
    tir.SigmoidOp: _sigmoid,
    tir.SoftplusOp: _softplus,
    tir.RealOp: _zero,
    tir.ImagOp: _zero,
    tir.CastOp: _cast,
    tir.DimShuffleOp: _dimshuffle,
    tir.ReshapeOp: _reshape,
    tir.SumOp: _sum,
    tir.MeanOp: _mean,
    tir.ProdOp: _prod,
    tir.MaxOp: _max_min,
    tir.MinOp: _max_min,
    tir.DotOp: _dot,
    tir.SoftmaxOp: _softmax,
    tir.LogSoftmaxOp: _log_softmax,
    tir.ConcatenateOp: _concatenate,
    **{cls: _unary_rule(d) for cls, d in _UNARY_DERIVATIVES.items()},
    tir.FloorOp: _zero,
    tir.CeilOp: _zero,
    tir.RoundHalfToEvenOp: _zero,
    tir.RoundHalfAwayFromZeroOp: _zero,
    tir.TruncOp: _zero,
    tir.SubtensorOp: _subtensor,
    tir.IncSubtensorOp: _inc_subtensor,
    tir.GatherOp: _gather,
    tir.ScatterAddOp: _scatter_add,
    tir.ScatterOp: _scatter,
}
"""The gradient rule of each differentiable op (comparisons and ``tir.size`` give integers
or bools, which carry no adjoint, so they need none)."""


def register_gradient(op_cls: type[Operation], rule: Rule) -> None:
    """``rule(e, op, g)`` gives the adjoints of ``op``'s operands (None for none) from the
    adjoint ``g`` of its result, building ops with ``e`` (a ``GradExpansion``)."""
    RULES[op_cls] = rule


def register_derivative(
    op_cls: type[Operation], derivative: Callable[[GradExpansion, SSAValue, SSAValue], SSAValue]
) -> None:
    """For an elementwise unary op: ``derivative(e, x, z)`` is ``dz/dx`` at operand ``x``
    and result ``z``; the adjoint is ``g * dz/dx``."""
    RULES[op_cls] = _unary_rule(derivative)


@dataclass(frozen=True)
class Autodiff(ModulePass):
    """Expand every ``tir.grad`` into its adjoint graph, innermost first."""

    name = "tir-autodiff"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for fn in op.ops:
            if not isinstance(fn, func.FuncOp) or fn.is_declaration:
                continue
            grads = [inner for inner in fn.walk() if isinstance(inner, tir.GradOp)]
            for grad in grads:  # program order: an inner grad comes before the outer one
                block = grad.parent_block()
                assert block is not None
                GradExpansion(block, grad).run()
