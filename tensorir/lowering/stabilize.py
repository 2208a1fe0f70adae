"""``tir-stabilize`` (L1 -> L1): Theano's stabilizing and specializing rewrites.

Formulas that overflow, underflow or cancel in floating point are replaced by equal ones that
do not: ``log(sigmoid(x))`` is ``-inf`` once ``sigmoid(x)`` underflows to 0, while
``-softplus(-x)`` stays finite; ``log(1 + x)`` loses every digit of a tiny ``x`` that
``log1p(x)`` keeps. The pass runs before ``tir-autodiff`` (gradients are taken of the stable
forms, so ``grad(log(sigmoid(x)))`` is ``sigmoid(-x)``, not ``(1 / 0) * 0``) and again after
it and ``tir-simplify`` (so the gradient graphs' own ``1 - sigmoid(x)`` and ``1 - tanh(x)**2``
are rewritten too), in every mode.

``RULES`` is a table: one rule per line, a pattern, the replacement and its algebraic comment.
A pattern looks through what does not change an elementwise formula: broadcasts and
transposes (``tir.dimshuffle``), float-to-float casts, and constants broadcast from a scalar
(the ``1`` of ``1 + exp(x)`` is a dimshuffled rank-0 constant, perhaps cast). The replacement
applies those dimshuffles and casts to the captured operands. A rule fires only when its
replacement has exactly the type of the value it replaces; an expression that matches no rule
is left as it is, so its results are bit-identical. Values that other ops still read stay for
them; ops left without users are erased.

The rules that are not elementwise are functions: ``log(softmax(x))`` (also through an
indexing op, as in the tutorials' ``log(p)[arange(n), y]`` or ``log(p[arange(n), y])``) and
``log(sum(exp(x)))``. Running the pass again changes nothing: no replacement matches a rule
(``log(sum(exp(x - max)))`` is recognised as the rewrite's own output).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.builder import Builder
from xdsl.context import Context
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, ModuleOp, TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint
from xdsl.traits import Pure

from tensorir.dialects import tir
from tensorir.dialects import types as T
from tensorir.lowering.simplify import constant_value

# --------------------------------------------------------------------------- patterns


@dataclass(frozen=True)
class Var:
    """Matches any value and captures it under ``name``."""

    name: str


@dataclass(frozen=True)
class Const:
    """Matches a float constant all of whose elements equal ``value``."""

    value: float


@dataclass(frozen=True)
class Op:
    """Matches a value computed by an op of class ``op`` whose operands match ``args`` (in
    either order for a commutative op)."""

    op: type[Operation]
    args: tuple[Pattern, ...]


Pattern = Var | Const | Op
_COMMUTATIVE = (tir.AddOp, tir.MulOp)


def _op(cls: type[Operation]) -> Callable[..., Op]:
    def make(*args: Pattern) -> Op:
        return Op(cls, args)

    return make


Log, Exp, Sqrt, Sqr = _op(tir.LogOp), _op(tir.ExpOp), _op(tir.SqrtOp), _op(tir.SqrOp)
Sigmoid, Tanh, Neg = _op(tir.SigmoidOp), _op(tir.TanhOp), _op(tir.NegOp)
Log1p = _op(tir.Log1pOp)
Add, Sub, Mul, Div, Pow = (
    _op(tir.AddOp),
    _op(tir.SubOp),
    _op(tir.MulOp),
    _op(tir.TrueDivOp),
    _op(tir.PowOp),
)
X = Var("x")
ONE, TWO = Const(1.0), Const(2.0)

# A wrapper is an op an elementwise formula commutes with: a dimshuffle or a float cast.
Wrapper = tir.DimShuffleOp | tir.CastOp
Captures = dict[str, tuple[SSAValue, tuple[Wrapper, ...]]]


def _float_type(v: SSAValue) -> bool:
    return isinstance(v.type, TensorType) and T.is_float(T.dtype_of(v.type.element_type))


def _peel(v: SSAValue, path: tuple[Wrapper, ...]) -> tuple[SSAValue, tuple[Wrapper, ...]]:
    """``v`` seen through dimshuffles and float-to-float casts, and the wrappers crossed."""
    while True:
        owner = v.owner
        if isinstance(owner, tir.DimShuffleOp):
            v, path = owner.input, (*path, owner)
        elif isinstance(owner, tir.CastOp) and _float_type(owner.input) and _float_type(v):
            v, path = owner.input, (*path, owner)
        else:
            return v, path


def _constant(v: SSAValue) -> np.ndarray | None:
    """The value of a float constant seen through dimshuffles and casts."""
    v, _ = _peel(v, ())
    return constant_value(v)


def _match(pattern: Pattern, v: SSAValue, path: tuple[Wrapper, ...], caps: Captures) -> bool:
    if isinstance(pattern, Var):
        if pattern.name in caps:  # a variable met twice must be the same value, same path
            return caps[pattern.name] == (v, path)
        caps[pattern.name] = (v, path)
        return True
    if isinstance(pattern, Const):
        value = _constant(v)
        return value is not None and value.size > 0 and bool(np.all(value == pattern.value))
    v, path = _peel(v, path)
    return v.owner is not None and _match_op(pattern, v.owner, path, caps)


def _match_op(pattern: Op, op: Operation, path: tuple[Wrapper, ...], caps: Captures) -> bool:
    """Does ``op`` match ``pattern``? On success ``caps`` holds the captures."""
    if not isinstance(op, pattern.op) or len(op.operands) != len(pattern.args):
        return False
    orders = [tuple(op.operands)]
    if isinstance(op, _COMMUTATIVE):
        orders.append(tuple(reversed(op.operands)))
    for operands in orders:
        trial = dict(caps)
        if all(_match(p, o, path, trial) for p, o in zip(pattern.args, operands, strict=True)):
            caps.update(trial)
            return True
    return False


# --------------------------------------------------------------------------- building


class Replacement:
    """Builds a replacement in front of ``root``, giving each new op ``root``'s location."""

    def __init__(self, root: Operation):
        self.root = root
        self.created: list[Operation] = []
        self.builder = Builder(InsertPoint.before(root), operation_insertion_handler=[self._new])

    def _new(self, op: Operation) -> None:
        if "loc" in self.root.attributes:
            op.attributes["loc"] = self.root.attributes["loc"]
        self.created.append(op)

    def emit(self, op: Operation) -> SSAValue:
        return self.builder.insert(op).results[0]

    def const_like(self, value: float, like: SSAValue) -> SSAValue:
        """A scalar constant of ``like``'s dtype, broadcast to ``like``'s rank."""
        assert isinstance(like.type, TensorType)
        t = TensorType(like.type.element_type, [])
        c = self.emit(tir.ConstantOp(DenseIntOrFPElementsAttr.from_list(t, [value]), t))
        rank = like.type.get_num_dims()
        return self.emit(tir.DimShuffleOp(c, [-1] * rank)) if rank else c

    def wrap(self, v: SSAValue, path: Sequence[Wrapper]) -> SSAValue:
        """``v`` through the wrappers of ``path`` (outermost first), innermost applied first."""
        for w in reversed(path):
            if isinstance(w, tir.DimShuffleOp):
                v = self.emit(tir.DimShuffleOp(v, w.get_pattern()))
            else:
                assert isinstance(w.result.type, TensorType)
                v = self.emit(tir.CastOp(v, T.dtype_of(w.result.type.element_type)))
        return v

    def neg(self, x: SSAValue) -> SSAValue:
        if isinstance(x.owner, tir.NegOp):  # -(-x) = x
            return x.owner.input
        return self.emit(tir.NegOp(x))

    def __getattr__(self, name: str) -> Callable[..., SSAValue]:
        """``b.softplus(x)``, ``b.true_div(a, b)``, ...: the tir op of that name."""
        cls = _OPS_BY_NAME.get(name)
        if cls is None:
            raise AttributeError(name)
        return lambda *operands: self.emit(cls(*operands))

    def rollback(self) -> None:
        for op in reversed(self.created):
            op.detach()
            op.erase()
        self.created.clear()


_OPS_BY_NAME: dict[str, type[Operation]] = {
    cls.name.removeprefix("tir."): cls
    for cls in tir.TIR.operations
    if issubclass(cls, tir.ElementwiseUnaryOp | tir.ElementwiseBinaryOp | tir.SwitchOp)
}


# --------------------------------------------------------------------------- the rules


class M:
    """The captures of a match, each already wrapped as it was seen from the root."""

    def __init__(self, b: Replacement, caps: Captures):
        self._values = {name: b.wrap(v, path) for name, (v, path) in caps.items()}

    def __getattr__(self, name: str) -> SSAValue:
        return self._values[name]


Build = Callable[[Replacement, M], SSAValue]


def _sech2(b: Replacement, x: SSAValue) -> SSAValue:
    """``1 - tanh(x)**2`` with every intermediate in ``[0, 4]``: ``1 - t * t`` for
    ``|x| < 1/2`` (``t = tanh(x)``, ``t * t < 0.22``: no cancellation, and near 0 the value
    and its gradient ``-2 t t'`` keep every digit; written as a product, which no rule
    matches again), else ``4e / (1 + e)**2`` with ``e = exp(-2|x|)`` (0 where
    ``tanh`` rounds to ``±1``). Neither the value nor its gradient ever computes ``inf * 0``
    (NaN), and no intermediate is infinite or big: ``cosh(x)`` would be above 1e10 from
    ``|x| > 24``, which NanGuardMode reports, and overflow from ``|x| > 710``."""
    t = b.tanh(x)
    one = b.const_like(1.0, x)
    near_zero = b.sub(one, b.mul(t, t))
    magnitude = b.abs(x)
    e = b.exp(b.mul(b.const_like(-2.0, x), magnitude))
    far = b.true_div(b.mul(b.const_like(4.0, x), e), b.sqr(b.add(one, e)))
    return b.switch(b.lt(magnitude, b.const_like(0.5, x)), near_zero, far)


# fmt: off
RULES: list[tuple[Op, Build]] = [
    (Log(Sigmoid(X)), lambda b, m: b.neg(b.softplus(b.neg(m.x)))),      # log(sigmoid(x)) -> -softplus(-x)  # noqa: E501
    (Log(Sub(ONE, Sigmoid(X))), lambda b, m: b.neg(b.softplus(m.x))),   # log(1 - sigmoid(x)) -> -softplus(x)  # noqa: E501
    (Log(Add(ONE, Exp(X))), lambda b, m: b.softplus(m.x)),              # log(1 + exp(x)) -> softplus(x)  # noqa: E501
    (Log1p(Exp(X)), lambda b, m: b.softplus(m.x)),                      # log1p(exp(x)) -> softplus(x)  # noqa: E501
    (Log1p(Neg(Sigmoid(X))), lambda b, m: b.neg(b.softplus(m.x))),      # log1p(-sigmoid(x)) -> -softplus(x)  # noqa: E501
    (Log(Add(ONE, X)), lambda b, m: b.log1p(m.x)),                      # log(1 + x) -> log1p(x)
    (Log(Sub(ONE, X)), lambda b, m: b.log1p(b.neg(m.x))),               # log(1 - x) -> log1p(-x)
    (Sub(Exp(X), ONE), lambda b, m: b.expm1(m.x)),                      # exp(x) - 1 -> expm1(x)
    (Div(ONE, Add(ONE, Exp(X))), lambda b, m: b.sigmoid(b.neg(m.x))),   # 1 / (1 + exp(x)) -> sigmoid(-x)  # noqa: E501
    (Div(Exp(X), Add(ONE, Exp(X))), lambda b, m: b.sigmoid(m.x)),       # exp(x) / (1 + exp(x)) -> sigmoid(x)  # noqa: E501
    (Sub(ONE, Sigmoid(X)), lambda b, m: b.sigmoid(b.neg(m.x))),         # 1 - sigmoid(x) -> sigmoid(-x)  # noqa: E501
    (Sub(ONE, Sqr(Tanh(X))), lambda b, m: _sech2(b, m.x)),             # 1 - tanh(x)**2 -> sech(x)**2 (_sech2)  # noqa: E501
    (Sub(ONE, Pow(Tanh(X), TWO)), lambda b, m: _sech2(b, m.x)),        # 1 - tanh(x) ** 2 -> the same  # noqa: E501
    (Sqrt(Sqr(X)), lambda b, m: b.abs(m.x)),                            # sqrt(x**2) -> |x|
    (Sqrt(Pow(X, TWO)), lambda b, m: b.abs(m.x)),                       # sqrt(x ** 2) -> |x|
    (Sqrt(Mul(X, X)), lambda b, m: b.abs(m.x)),                         # sqrt(x * x) -> |x|
    (Neg(Neg(X)), lambda b, m: m.x),                                    # -(-x) -> x
]
# fmt: on


def _log_softmax(b: Replacement, log: Operation) -> SSAValue | None:
    """``log(softmax(x)) -> log_softmax(x)``, also through an indexing op:
    ``log(index(softmax(x), i)) -> index(log_softmax(x), i)`` (indexing commutes with log),
    and through dimshuffles and float casts on either side of the indexing op."""
    v, outer = _peel(log.operands[0], ())
    inner: tuple[Wrapper, ...] = ()
    index = v.owner if isinstance(v.owner, tir.GatherOp | tir.SubtensorOp) else None
    if index is not None:
        v, inner = _peel(index.operands[0], ())
    softmax = v.owner
    if not isinstance(softmax, tir.SoftmaxOp):
        return None
    lsm = b.emit(tir.LogSoftmaxOp(softmax.input, softmax.get_axis()))
    if index is None:
        return b.wrap(lsm, outer)
    picked = index.clone()
    picked.operands = [b.wrap(lsm, inner), *index.operands[1:]]
    return b.wrap(b.emit(picked), outer)


def _log_sum_exp(b: Replacement, log: Operation) -> SSAValue | None:
    """``log(sum(exp(x), axes)) -> m + log(sum(exp(x - m), axes))`` with ``m = max(x, axes)``
    (0 where that is infinite, so that ``x - m`` is never ``inf - inf``); ``m`` carries no
    gradient (the sum does not depend on it), so the gradient is exactly softmax's."""
    v, path = _peel(log.operands[0], ())
    if any(isinstance(w, tir.CastOp) for w in path):
        return None
    total = v.owner
    if not isinstance(total, tir.SumOp):
        return None
    e, inner = _peel(total.input, ())  # sum(cast(exp(x))): the sum's dtype argument
    if not isinstance(e.owner, tir.ExpOp):
        return None
    axes = total.get_axes()
    if _shifted_by_max(e.owner.input, axes):  # this rule's own output: already stable
        return None
    x = b.wrap(e.owner.input, inner)
    m = b.emit(tir.MaxOp(x, axes))
    infinite = b.eq(b.abs(m), b.const_like(float("inf"), m))
    m = b.zero_grad(b.switch(infinite, b.const_like(0.0, m), m))
    rank = len(x.type.get_shape())  # type: ignore[union-attr]
    kept = iter(range(rank - len(axes)))
    m_wide = b.emit(tir.DimShuffleOp(m, [-1 if i in axes else next(kept) for i in range(rank)]))
    shifted = b.emit(tir.SumOp(b.exp(b.sub(x, m_wide)), axes))
    return b.wrap(b.add(m, b.log(shifted)), path)


def _shifted_by_max(x: SSAValue, axes: tuple[int, ...]) -> bool:
    """Is ``x`` the ``x - m`` that ``_log_sum_exp`` builds, ``m`` the max of ``x`` over
    ``axes`` (so that the pass, run again, leaves its own output alone)?"""
    if not isinstance(x.owner, tir.SubOp):
        return False
    unshifted, shift = x.owner.operands
    shift, _ = _peel(shift, ())
    if not isinstance(shift.owner, tir.ZeroGradOp):
        return False
    switch = shift.owner.input.owner
    if not isinstance(switch, tir.SwitchOp):
        return False
    m = switch.operands[2].owner
    return isinstance(m, tir.MaxOp) and m.input == unshifted and m.get_axes() == axes


FUNCTION_RULES: dict[type[Operation], list[Callable[[Replacement, Operation], SSAValue | None]]] = {
    tir.LogOp: [_log_softmax, _log_sum_exp],
}

_BY_ROOT: dict[type[Operation], list[tuple[Op, Build]]] = {}
for _pattern, _build in RULES:
    _BY_ROOT.setdefault(_pattern.op, []).append((_pattern, _build))


# --------------------------------------------------------------------------- the pass


def _rewrite(op: Operation) -> bool:
    """Apply the first rule that fires at ``op``; True if one did."""
    result = op.results[0] if len(op.results) == 1 else None
    if result is None or not _float_type(result):
        return False
    for fn in FUNCTION_RULES.get(type(op), []):
        b = Replacement(op)
        if _commit(op, b, fn(b, op)):
            return True
    for pattern, build in _BY_ROOT.get(type(op), []):
        caps: Captures = {}
        if not _match_op(pattern, op, (), caps):
            continue
        b = Replacement(op)
        if _commit(op, b, build(b, M(b, caps))):
            return True
    return False


def _commit(op: Operation, b: Replacement, new: SSAValue | None) -> bool:
    """Replace ``op``'s result by ``new`` if it has exactly its type (else undo ``b``)."""
    old = op.results[0]
    if new is None or new.type != old.type:
        b.rollback()
        return False
    created = any(new.owner is c for c in b.created)
    if old.name_hint and (created or not new.name_hint):  # a clone's name is the root's too
        new.name_hint = old.name_hint
    old.replace_all_uses_with(new)
    _erase_dead(op)
    return True


def _erase_dead(op: Operation) -> None:
    """Erase ``op`` and, in turn, the side-effect-free producers it leaves without users."""
    pending = [op]
    while pending:
        dead = pending.pop()
        if dead.parent is None or any(r.uses for r in dead.results):
            continue
        producers = [o.owner for o in dead.operands if isinstance(o.owner, Operation)]
        dead.detach()
        dead.erase()
        pending.extend(p for p in producers if p.has_trait(Pure))


def stabilize(module: ModuleOp) -> None:
    for op in list(module.walk()):  # program order: operands are rewritten first
        if op.parent is not None:
            _rewrite(op)


@dataclass(frozen=True)
class Stabilize(ModulePass):
    """Rewrite unstable formulas into equal stable ones.

    ``log(sigmoid(x))``, ``log(1 + x)``, ``log(sum(exp(x)))``, ..."""

    name = "tir-stabilize"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        stabilize(op)
