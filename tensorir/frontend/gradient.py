"""``grad``: Theano's symbolic differentiation, as a ``tir.grad`` op in the graph.

``grad(cost, wrt)`` does not build the adjoint graph here: it records one ``Grad`` Apply whose
outputs are the gradients, and the ``tir-autodiff`` pass expands it when the function is
compiled (the gradient rules live in ``tensorir/lowering/autodiff.py``). What is decided here
is what Theano decides when ``grad`` is called: argument checking, disconnected inputs, and
integer ``wrt`` (whose gradient is zeros of ``floatX``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, i64
from xdsl.dialects.builtin import TensorType as IRTensorType
from xdsl.ir import Block, Region, SSAValue

from tensorir.config import config
from tensorir.dialects import tir
from tensorir.dialects import types as T
from tensorir.frontend.basic import as_tensor_variable, cast
from tensorir.frontend.graph import Apply, Constant, Op, TensorType, Variable, user_line


class DisconnectedInputError(ValueError):
    """``grad`` was asked for the gradient with respect to a variable the cost does not
    depend on (``disconnected_inputs='raise'``)."""


class GradOp(Op):
    """The frontend side of ``tir.grad``: inputs are the cost (if any), the ``wrt``
    variables, the ``consider_constant`` ones, then the known-gradient variables and their
    gradients."""

    def __init__(self, has_cost: bool, n_wrt: int, n_consider: int, n_known: int):
        super().__init__(
            tir.GradOp,
            "Grad",
            has_cost=has_cost,
            n_wrt=n_wrt,
            n_consider=n_consider,
            n_known=n_known,
        )

    def emit(self, insert: Any, *args: Any) -> Sequence[SSAValue]:
        p = self.props
        ops = list(args[:-1])  # the last argument is the first output's type
        cost = ops.pop(0) if p["has_cost"] else None
        wrt, ops = ops[: p["n_wrt"]], ops[p["n_wrt"] :]
        consider, ops = ops[: p["n_consider"]], ops[p["n_consider"] :]
        known, known_grads = ops[: p["n_known"]], ops[p["n_known"] :]
        return insert(tir.GradOp(cost, wrt, consider, known, known_grads)).results


def _walk(roots: Sequence[Variable], blocked: set[int]) -> Any:
    """The variables ``roots`` depend on (themselves included), each once, not looking past
    the owners of ``blocked`` ones (a constant stops the walk at its definition; it is still
    reached itself)."""
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        yield v
        if v.owner is not None and id(v) not in blocked and v.owner.op.name != DISCONNECTED:
            stack.extend(v.owner.inputs)


def _ancestors(roots: Sequence[Variable], blocked: set[int]) -> set[int]:
    """ids of the variables ``roots`` depend on (see ``_walk``)."""
    return {id(v) for v in _walk(roots, blocked)}


def grad(
    cost: Any,
    wrt: Any,
    consider_constant: Sequence[Any] | None = None,
    disconnected_inputs: str = "raise",
    add_names: bool = True,
    known_grads: dict[Any, Any] | None = None,
    return_disconnected: str = "zero",
    null_gradients: str = "raise",
) -> Any:
    """The gradient of the scalar ``cost`` with respect to ``wrt`` (a variable, or a list or
    tuple of them; the result has the same structure), as Theano's ``grad``."""
    if return_disconnected not in ("zero", "None", "Disconnected"):
        raise ValueError(
            f"grad: return_disconnected must be 'zero', 'None' or 'Disconnected', got "
            f"{return_disconnected!r}"
        )
    where = user_line()
    if cost is None and not known_grads:
        raise ValueError("grad: cost is None and there are no known_grads to start from")
    if cost is not None:
        cost = as_tensor_variable(cost)
        if cost.ndim != 0:
            raise TypeError(
                f"grad: cost must be a scalar, got {cost} of type {cost.type} (ndim "
                f"{cost.ndim}); sum or average it first (at {where})"
            )
        if not T.is_float(cost.dtype):
            raise TypeError(
                f"grad: cost must be a float scalar, got {cost} of dtype {cost.dtype}; cast "
                f"it to a float dtype first (at {where})"
            )
    single = not isinstance(wrt, list | tuple)
    wrt_list = [wrt] if single else list(wrt)
    for i, w in enumerate(wrt_list):
        if not isinstance(w, Variable):
            raise TypeError(
                f"grad: wrt[{i}] must be a symbolic variable, got {type(w).__name__} {w!r} "
                f"(at {where})"
            )
        if isinstance(w, Constant):
            raise TypeError(f"grad: cannot differentiate with respect to the constant {w}")
        if T.is_complex(w.dtype):
            raise TypeError(
                f"grad: cannot differentiate with respect to the complex variable {w} "
                f"({w.type}) (at {where})"
            )
    consider = [as_tensor_variable(c) for c in (consider_constant or [])]
    known_vars: list[Variable] = []
    known_values: list[Variable] = []
    for var, g in (known_grads or {}).items():
        if not isinstance(var, Variable):
            raise TypeError(f"grad: known_grads keys must be symbolic variables, got {var!r}")
        g = as_tensor_variable(g)
        if g.type != var.type:
            g = cast(g, var.dtype) if g.ndim == var.ndim else g
        if g.type != var.type:
            raise TypeError(
                f"grad: the known gradient of {var} has type {g.type}, but {var} has type "
                f"{var.type} (at {where})"
            )
        if not T.is_float(var.dtype):
            continue
        known_vars.append(var)
        known_values.append(g)

    roots = ([cost] if cost is not None else []) + known_vars
    _refuse_maps(roots, {id(c) for c in consider}, where)
    flags = _connected(roots, wrt_list, consider, disconnected_inputs, where)
    results: list[Variable | None] = [None] * len(wrt_list)
    differentiable: list[int] = []
    for i, (w, ok) in enumerate(zip(wrt_list, flags, strict=True)):
        if not ok:
            if return_disconnected == "zero":
                results[i] = _zeros(w)
        elif not T.is_float(w.dtype):
            results[i] = _zeros(w)  # Theano: the gradient of an integer is float zeros
        else:
            differentiable.append(i)

    if differentiable:
        targets = [wrt_list[i] for i in differentiable]
        op = GradOp(cost is not None, len(targets), len(consider), len(known_vars))
        inputs = ([cost] if cost is not None else []) + targets + consider
        inputs += known_vars + known_values
        node = Apply(op, inputs, [TensorType(w.dtype, w.broadcastable) for w in targets])
        for i, out in zip(differentiable, node.outputs, strict=True):
            w = wrt_list[i]
            if add_names and cost is not None and cost.name and w.name:
                out.name = f"(d{cost.name}/d{w.name})"
            results[i] = out
    if single:
        return results[0]
    return tuple(results) if isinstance(wrt, tuple) else results  # Theano: same structure


def _zeros(w: Variable) -> Variable:
    from tensorir.frontend.basic import zeros_like

    return zeros_like(w, w.dtype if T.is_float(w.dtype) else config.floatX)


# --------------------------------------------------------------------------- gradient hooks

DISCONNECTED = "DisconnectedGrad"


def zero_grad(x: Any) -> Variable:
    """``x``, whose gradient is zero: ``grad`` treats it as a constant (Theano's
    ``zero_grad``)."""
    from tensorir.frontend.basic import elemwise

    return elemwise(tir.ZeroGradOp, "ZeroGrad", x)


def disconnected_grad(x: Any) -> Variable:
    """``x``, whose gradient is disconnected: as ``zero_grad``, and a variable reached only
    through it counts as disconnected (``disconnected_inputs``)."""
    from tensorir.frontend.graph import apply_op

    return apply_op(Op(tir.ZeroGradOp, DISCONNECTED), as_tensor_variable(x))


def _hook(op_cls: type, name: str, x: Any, param: Any) -> Variable:
    from tensorir.frontend.basic import _align_ranks
    from tensorir.frontend.graph import apply_op

    x = as_tensor_variable(x)
    param = as_tensor_variable(param)
    if param.ndim != 0:
        raise TypeError(f"{name}: the parameter must be a scalar, got {param.type}")
    if not T.is_float(x.dtype):
        raise TypeError(f"{name}: {x} has no gradient ({x.type}); it must be a float tensor")
    return apply_op(Op(op_cls, name), *_align_ranks([x, cast(param, x.dtype)]))


def grad_scale(x: Any, multiplier: Any) -> Variable:
    """``x``, whose gradient is multiplied by ``multiplier`` (Theano's ``grad_scale``)."""
    return _hook(tir.GradScaleOp, "GradScale", x, multiplier)


def grad_clip(x: Any, lower_bound: Any, upper_bound: Any) -> Variable:
    """``x``, whose gradient is clipped to ``[lower_bound, upper_bound]`` (Theano's
    ``grad_clip``)."""
    if (
        isinstance(lower_bound, int | float)
        and isinstance(upper_bound, int | float)
        and lower_bound > upper_bound
    ):
        raise ValueError(f"grad_clip: lower_bound {lower_bound} > upper_bound {upper_bound}")
    return _hook(
        tir.GradCeilOp, "GradClip", _hook(tir.GradFloorOp, "GradClip", x, lower_bound), upper_bound
    )


# --------------------------------------------------------------------------- jacobian


class JacobianOp(Op):
    """The Jacobian of a vector with respect to one variable: inputs are the vector, the
    variable, then the ``consider_constant`` variables. It becomes a ``tir.map`` over the
    vector's elements whose body is the ``tir.grad`` of element ``i`` (the vector's adjoint
    seeded with the one-hot row ``i``)."""

    def __init__(self, n_consider: int):
        super().__init__(tir.MapOp, "Jacobian", n_consider=n_consider)

    def emit(self, insert: Any, y: SSAValue, w: SSAValue, *args: Any) -> SSAValue:
        consider = list(args[:-1])
        out_type = args[-1]
        n = insert(tir.SizeOp(y, [0])).result
        y_type = y.type
        assert isinstance(y_type, IRTensorType)
        body = Block(arg_types=[IRTensorType(i64, [])])
        i = body.args[0]
        i.name_hint = "i"

        def add(op: Any) -> SSAValue:
            body.add_op(op)
            return op.results[0]

        def scalar(value: int) -> SSAValue:
            t = IRTensorType(i64, [])
            return add(tir.ConstantOp(DenseIntOrFPElementsAttr.from_list(t, [value]), t))

        positions = add(tir.ArangeOp(scalar(0), n, scalar(1)))
        one_hot = add(tir.EqOp(positions, add(tir.DimShuffleOp(i, [-1]))))
        seed = add(tir.CastOp(one_hot, T.dtype_of(y_type.element_type)))
        if seed.type != y_type:  # a broadcastable (length-1) vector
            from xdsl.dialects import arith
            from xdsl.dialects.builtin import IndexType

            size = add(arith.ConstantOp.from_int_and_width(1, IndexType()))
            seed = add(tir.ReshapeOp(seed, [size], y_type))
        row = add(tir.GradOp(None, [w], consider, [y], [seed]))
        body.add_op(tir.YieldOp(row))
        return insert(tir.MapOp(n, w, Region(body), out_type.ir_type())).result


def _refuse_maps(roots: Sequence[Variable], blocked: set[int], where: Any) -> None:
    """``grad`` has no rule for a Jacobian (a ``tir.map``): say so when it is asked for."""
    for v in _walk(roots, blocked):
        if v.owner is not None and id(v) not in blocked and isinstance(v.owner.op, JacobianOp):
            raise TypeError(
                f"grad: cannot differentiate through the jacobian or hessian {v} (at {where}); "
                "differentiate the expression itself instead (tensorir.gradient.derivatives "
                "gives derivatives of any order)"
            )


def _connected(
    roots: Sequence[Variable],
    wrt: Sequence[Variable],
    consider: Sequence[Variable],
    policy: str,
    where: Any,
) -> list[bool]:
    """Which of ``wrt`` the ``roots`` depend on; a disconnected one raises, warns or passes
    as ``policy`` ('raise', 'warn', 'ignore') says."""
    if policy not in ("raise", "warn", "ignore"):
        raise ValueError(f"disconnected_inputs must be 'raise', 'warn' or 'ignore', got {policy!r}")
    connected = _ancestors(roots, {id(c) for c in consider})
    flags = []
    for w in wrt:
        ok = id(w) in connected
        if not ok:
            message = (
                f"grad method was asked to compute the gradient with respect to a variable "
                f"that is not part of the computational graph of the cost, or is used only "
                f"by a non-differentiable operator: {w} ({w.type}, created at {w.trace}; "
                f"grad called at {where})"
            )
            if policy == "raise":
                raise DisconnectedInputError(message)
            if policy == "warn":
                warnings.warn(message, stacklevel=3)
        flags.append(ok)
    return flags


def jacobian(
    expression: Any,
    wrt: Any,
    consider_constant: Sequence[Any] | None = None,
    disconnected_inputs: str = "raise",
) -> Any:
    """The Jacobian of the vector ``expression`` with respect to ``wrt`` (a variable or a
    list): for each ``w``, a tensor of shape ``expression.shape + w.shape`` whose row ``i``
    is ``grad(expression[i], w)``. A scalar ``expression`` gives its gradient."""
    where = user_line()
    y = as_tensor_variable(expression)
    single = not isinstance(wrt, list | tuple)
    ws = [wrt] if single else list(wrt)
    if y.ndim == 0:
        return grad(y, wrt, consider_constant, disconnected_inputs)
    if y.ndim != 1:
        raise TypeError(
            f"jacobian: expression must be a scalar or a vector, got {y} of type {y.type} "
            f"(at {where}); flatten it first"
        )
    if not T.is_float(y.dtype):
        raise TypeError(f"jacobian: expression must be floats, got {y.type} (at {where})")
    for w in ws:
        if not isinstance(w, Variable) or not T.is_float(w.dtype):
            raise TypeError(f"jacobian: wrt must be float variables, got {w!r} (at {where})")
    consider = [as_tensor_variable(c) for c in (consider_constant or [])]
    # raises or warns for a disconnected w; its rows are zeros (from tir-autodiff) otherwise
    _connected([y], ws, consider, disconnected_inputs, where)
    out = []
    for w in ws:
        op = JacobianOp(len(consider))
        out_type = TensorType(w.dtype, (False, *w.broadcastable))
        out.append(Apply(op, [y, w, *consider], [out_type]).outputs[0])
    return out[0] if single else out


def hessian(
    cost: Any,
    wrt: Any,
    consider_constant: Sequence[Any] | None = None,
    disconnected_inputs: str = "raise",
) -> Any:
    """The Hessian of the scalar ``cost`` with respect to each vector in ``wrt``: the
    Jacobian of its gradient (gradients of gradients, by the same autodiff pass)."""
    where = user_line()
    single = not isinstance(wrt, list | tuple)
    ws = [wrt] if single else list(wrt)
    out = []
    for w in ws:
        if not isinstance(w, Variable) or w.ndim != 1:
            raise TypeError(
                f"hessian: wrt must be vectors, got {w} of type "
                f"{getattr(w, 'type', type(w).__name__)} (at {where})"
            )
        g = grad(cost, w, consider_constant, disconnected_inputs)
        out.append(jacobian(g, w, consider_constant, "ignore"))
    return out[0] if single else out


# --------------------------------------------------------------------------- Lop, Rop


def Lop(  # noqa: N802 (Theano's name)
    f: Any,
    wrt: Any,
    eval_points: Any,
    consider_constant: Sequence[Any] | None = None,
    disconnected_inputs: str = "raise",
) -> Any:
    """The vector-Jacobian product ``eval_points^T . d f / d wrt`` (``f`` and
    ``eval_points``: a variable or matching lists of them), by reverse mode."""
    fs = list(f) if isinstance(f, list | tuple) else [f]
    vs = list(eval_points) if isinstance(eval_points, list | tuple) else [eval_points]
    if len(fs) != len(vs):
        raise ValueError(f"Lop: {len(fs)} expressions but {len(vs)} eval_points")
    known = {as_tensor_variable(a): as_tensor_variable(b) for a, b in zip(fs, vs, strict=True)}
    return grad(
        None,
        wrt,
        consider_constant=consider_constant,
        disconnected_inputs=disconnected_inputs,
        known_grads=known,
    )


def Rop(f: Any, wrt: Any, eval_points: Any, disconnected_outputs: str = "raise") -> Any:  # noqa: N802
    """The Jacobian-vector product ``d f / d wrt . eval_points``, by the transpose of the
    vector-Jacobian product: with ``u`` a stand-in for the cotangent of ``f`` (zeros; only
    its place in the graph matters, the product is linear in it),
    ``Rop = grad(sum(Lop(f, wrt, u) * v), u)``."""
    from tensorir.frontend.basic import mul, zeros_like
    from tensorir.frontend.basic import sum as tsum

    single_f = not isinstance(f, list | tuple)
    fs = [as_tensor_variable(x) for x in ([f] if single_f else f)]
    ws = list(wrt) if isinstance(wrt, list | tuple) else [wrt]
    vs = list(eval_points) if isinstance(eval_points, list | tuple) else [eval_points]
    if len(ws) != len(vs):
        raise ValueError(f"Rop: {len(ws)} wrt variables but {len(vs)} eval_points")
    for w, v in zip(ws, vs, strict=True):
        v = as_tensor_variable(v)
        if v.ndim != w.ndim:
            raise ValueError(
                f"Rop: eval_point {v} has {v.ndim} dims but {w} has {w.ndim} ({user_line()})"
            )
    us = [zeros_like(x) for x in fs]
    lops = Lop(fs, ws, us, disconnected_inputs="ignore")
    total = None
    for g, v in zip(lops, vs, strict=True):
        term = tsum(mul(g, v))
        total = term if total is None else total + term
    assert total is not None
    out = grad(total, us, disconnected_inputs=disconnected_outputs)
    return out[0] if single_f else out


# --------------------------------------------------------------------------- derivatives


def derivative(expr: Any, index: dict[Variable, int] | Sequence[tuple[Variable, int]]) -> Any:
    """The partial derivative of the scalar ``expr`` by a multi-index: ``{w1: 2, w2: 1}`` is
    d^3 expr / dw1^2 dw2 (pyaudi's ``get_derivative``), by repeated ``grad``."""
    items = list(index.items()) if isinstance(index, dict) else list(index)
    e = as_tensor_variable(expr)
    for w, order in items:
        if not isinstance(w, Variable) or w.ndim != 0:
            raise TypeError(
                f"derivative: multi-index variables must be scalars, got {w} "
                f"({getattr(w, 'type', type(w).__name__)}); use grad, jacobian or hessian for "
                "tensors"
            )
        if int(order) != order or order < 0:
            raise ValueError(f"derivative: the order of {w} must be a non-negative integer")
        for _ in range(int(order)):
            e = grad(e, w, disconnected_inputs="ignore")
    return e


def derivatives(expr: Any, wrt: Sequence[Variable], order: int) -> dict[tuple[int, ...], Any]:
    """Every partial derivative of the scalar ``expr`` with respect to the scalars ``wrt`` up
    to ``order``, keyed by multi-index (``(0, 0)`` is ``expr`` itself); each is the
    ``grad`` of one of lower order, so they share their subgraphs."""
    wrt = list(wrt)
    for w in wrt:
        if not isinstance(w, Variable) or w.ndim != 0:
            raise TypeError(f"derivatives: variables must be scalars, got {w}")
    out: dict[tuple[int, ...], Any] = {(0,) * len(wrt): as_tensor_variable(expr)}
    frontier = [(0,) * len(wrt)]
    for _ in range(order):
        nxt: list[tuple[int, ...]] = []
        for idx in frontier:
            # extend only at or after the last nonzero position: each multi-index once
            last = max((i for i, k in enumerate(idx) if k), default=0)
            for i in range(last, len(wrt)):
                new = idx[:i] + (idx[i] + 1,) + idx[i + 1 :]
                out[new] = grad(out[idx], wrt[i], disconnected_inputs="ignore")
                nxt.append(new)
        frontier = nxt
    return out


# --------------------------------------------------------------------------- verify_grad


class GradientError(Exception):
    """``verify_grad`` found an analytic gradient that differs from finite differences."""

    def __init__(
        self,
        arg: int,
        err_pos: int,
        abs_err: float,
        rel_err: float,
        abs_tol: float,
        rel_tol: float,
        analytic: Any,
        numeric: Any,
    ):
        super().__init__(
            f"GradientError: numeric gradient and analytic gradient exceed tolerance:\n"
            f"  At position {err_pos} of argument {arg},\n"
            f"    abs. error = {abs_err}, abs. tolerance = {abs_tol}\n"
            f"    rel. error = {rel_err}, rel. tolerance = {rel_tol}\n"
            f"  analytic gradient: {analytic}\n  numeric gradient:  {numeric}"
        )
        self.arg, self.err_pos = arg, err_pos
        self.abs_err, self.rel_err = abs_err, rel_err
        self.abs_tol, self.rel_tol = abs_tol, rel_tol


# Theano's tolerances (verify_grad) and finite-difference steps (numeric_grad)
_TYPE_TOL = {"float32": 1e-2, "float64": 1e-4}
_TYPE_EPS = {"float32": 3e-4, "float64": 1e-7}


def numeric_grad(f: Any, pt: Sequence[Any], eps: float | None = None) -> list[Any]:
    """One-sided finite differences of the scalar function ``f`` at ``pt`` (Theano's
    ``numeric_grad``): ``(f(x + eps e_i) - f(x)) / eps`` for every element."""
    import numpy as np

    pt = [np.array(p, copy=True) for p in pt]
    if eps is None:
        eps = max(_TYPE_EPS.get(str(p.dtype), 1e-7) for p in pt)
    f_x = float(f(*pt))
    grads = []
    for p in pt:
        g = np.zeros(p.shape, dtype="float64")
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            orig = flat[i]
            flat[i] = orig + eps
            gflat[i] = (float(f(*pt)) - f_x) / eps
            flat[i] = orig
        grads.append(g)
    return grads


def verify_grad(
    fun: Any,
    pt: Sequence[Any],
    n_tests: int = 2,
    rng: Any = None,
    eps: float | None = None,
    out_type: str | None = None,
    abs_tol: float | None = None,
    rel_tol: float | None = None,
    mode: Any = None,
    cast_to_output_type: bool = False,
    no_debug_ref: bool = True,
) -> None:
    """Check ``grad`` of ``fun`` (a Python function of symbolic variables returning one
    variable) at the point ``pt`` (a list of numpy arrays) against finite differences, as
    Theano's ``verify_grad``: the output is projected on a random tensor to a scalar cost,
    and ``GradientError`` is raised where the analytic and numeric gradients differ by more
    than both the absolute and the relative tolerance (by default 1e-4 for float64 inputs,
    1e-2 for float32)."""
    import numpy as np

    from tensorir.frontend.function import function

    if not isinstance(pt, list | tuple):
        raise TypeError("verify_grad: pt must be a list or tuple of arrays")
    pt = [np.array(p) for p in pt]
    for i, p in enumerate(pt):
        if p.dtype.kind != "f":
            raise TypeError(
                f"verify_grad: point {i} has dtype {p.dtype}; it can only check float inputs"
            )
    if rng is None:
        rng = np.random.default_rng(23)
    tol_a = abs_tol if abs_tol is not None else max(_TYPE_TOL[str(p.dtype)] for p in pt)
    tol_r = rel_tol if rel_tol is not None else max(_TYPE_TOL[str(p.dtype)] for p in pt)
    inputs = [
        TensorType(str(p.dtype), [d == 1 for d in p.shape])(name=f"input {i}")
        for i, p in enumerate(pt)
    ]
    out = fun(*inputs)
    if isinstance(out, list | tuple):
        raise TypeError("verify_grad: fun must return one variable, not a list")
    out = as_tensor_variable(out)
    if not T.is_float(out.dtype):
        raise TypeError(f"verify_grad: fun returns {out.type}; it must return floats")
    projection = TensorType(out.dtype, out.broadcastable)(name="random projection")
    from tensorir.frontend.basic import mul
    from tensorir.frontend.basic import sum as tsum

    cost = tsum(mul(projection, out))
    grads = grad(cost, inputs, disconnected_inputs="ignore")
    grad_fn = function([*inputs, projection], grads, on_unused_input="ignore")
    out_fn = function(inputs, out, on_unused_input="ignore")
    o_shape = np.asarray(out_fn(*pt)).shape

    def cost_fn(*args: Any) -> float:  # the projected cost, summed in float64 by numpy
        *xs, r = args
        return float(np.sum(np.asarray(out_fn(*xs), dtype="float64") * r))

    def random_projection() -> Any:
        sample = rng.random(o_shape) if hasattr(rng, "random") else rng.rand(*o_shape)
        return (np.asarray(sample) + 0.5).astype(out.dtype)

    for _ in range(n_tests):
        r = random_projection()
        numeric = numeric_grad(lambda *xs, r=r: cost_fn(*xs, r), pt, eps)
        analytic = grad_fn(*pt, r)
        worst = None
        for i, (a, n) in enumerate(zip(analytic, numeric, strict=True)):
            a = np.asarray(a, dtype="float64")
            if a.shape != n.shape:
                raise ValueError(
                    f"verify_grad: analytic gradient {i} has shape {a.shape}, the point has "
                    f"{n.shape}"
                )
            if a.size == 0:
                continue
            abs_err = np.abs(a - n)
            rel_err = abs_err / np.maximum(np.abs(a) + np.abs(n), 1e-8)
            scaled = np.minimum(abs_err / tol_a, rel_err / tol_r).reshape(-1)
            pos = int(np.argmax(scaled))
            if worst is None or scaled[pos] > worst[0]:
                worst = (scaled[pos], i, pos, abs_err.reshape(-1)[pos], rel_err.reshape(-1)[pos])
        if worst is not None and worst[3] > tol_a and worst[4] > tol_r:
            _, i, pos, ae, re_ = worst
            raise GradientError(i, pos, ae, re_, tol_a, tol_r, analytic[i], numeric[i])
