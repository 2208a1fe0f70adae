"""Theano's ``scan`` (and ``map``, ``reduce``, ``foldl``, ``foldr``): loops in the graph.

``scan(fn, sequences, outputs_info, non_sequences, n_steps, ...)`` calls ``fn`` once, on
placeholders for one step's arguments (the sequences' rows at their taps, the states' past
values, the non-sequences), and records the step's graph in one ``ScanGraphOp`` node. That
node becomes one ``tir.scan`` op whose body is the step's graph (``emit``): the loop is
compiled with the rest of the function, never run by Python.

The step's graph is made self-contained here: every value it reads from outside (the
non-sequences, shared variables, any other variable of the enclosing graph that does not
depend on the step's arguments) becomes a constant operand of the loop, computed once before
it. States are normalised to single values carried from step to step: an output with taps
``[-3, -1]`` carries three (its values 3, 2 and 1 steps back), shifted at each step; a shared
variable that ``fn`` updates, or that has a ``default_update`` (random streams), is a state
too, whose value after the last step is the update ``scan`` returns.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

from xdsl.ir import Block, Region, SSAValue

from tensorir.dialects import tir
from tensorir.frontend.basic import as_tensor_variable, cast, elemwise
from tensorir.frontend.emit import emit_block
from tensorir.frontend.graph import (
    Apply,
    Constant,
    Op,
    TensorType,
    Variable,
    clone_replace,
    graph_inputs,
    toposort,
    user_line,
)
from tensorir.frontend.shared import SharedVariable

__all__ = ["foldl", "foldr", "map", "reduce", "scan", "until"]


class until:  # noqa: N801 (Theano's name)
    """``return outputs, until(condition)`` in a scan step makes the loop stop after the
    first step at which ``condition`` is true (a while loop bounded by ``n_steps``)."""

    def __init__(self, condition: Any):
        c = as_tensor_variable(condition)
        if c.ndim != 0:
            raise TypeError(f"until: the condition must be a scalar, got {c} ({c.type})")
        self.condition = c


class ScanGraphOp(Op):
    """The frontend op of a ``tir.scan``: the step's graph (``inner_inputs``, the body's
    arguments: sequence rows, states, constants; ``inner_outputs``: the states' next values,
    then the stacked values) and the loop's options. Its node's inputs are the step count,
    the sequences, the states' initial values and the constants; its outputs the final
    states, their histories and the stacked values."""

    def __init__(
        self,
        name: str,
        inner_inputs: Sequence[Variable],
        inner_outputs: Sequence[Variable],
        n_seqs: int,
        n_states: int,
        reverse: bool = False,
        truncate: int = -1,
        until: bool = False,
    ):
        super().__init__(tir.ScanOp, name)
        self.inner_inputs = list(inner_inputs)
        self.inner_outputs = list(inner_outputs)
        self.n_seqs = n_seqs
        self.n_states = n_states
        self.reverse = reverse
        self.truncate = truncate
        self.until = until

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def output_types(self) -> list[TensorType]:
        states = [v.type for v in self.inner_outputs[: self.n_states]]
        end = len(self.inner_outputs) - int(self.until)
        stacked = [v.type for v in self.inner_outputs[self.n_states : end]]
        return [
            *states,
            *(TensorType(t.dtype, (False, *t.broadcastable)) for t in states),
            *(TensorType(t.dtype, (False, *t.broadcastable)) for t in stacked),
        ]

    def emit(self, insert: Callable[..., Any], n: SSAValue, *args: Any) -> list[SSAValue]:
        operands = list(args[:-1])  # the last is the first output's type
        seqs = operands[: self.n_seqs]
        inits = operands[self.n_seqs : self.n_seqs + self.n_states]
        consts = operands[self.n_seqs + self.n_states :]
        arg_types = [
            *(tir.ScanOp.row_type(s.type) for s in seqs),
            *(v.type for v in inits),
            *(v.type for v in consts),
        ]
        block = Block(arg_types=arg_types)
        yielded = emit_block(block, self.inner_inputs, self.inner_outputs)
        block.add_op(tir.ScanYieldOp(yielded))
        op = tir.ScanOp(
            n, seqs, inits, consts, Region(block), self.reverse, self.truncate, self.until
        )
        insert(op)
        return list(op.results)


def _as_list(x: Any) -> list[Any]:
    if x is None:
        return []
    if isinstance(x, list | tuple):
        return list(x)
    return [x]


def _is_outputs(x: Any) -> bool:
    if isinstance(x, Variable):
        return True
    return isinstance(x, list | tuple) and all(isinstance(v, Variable) for v in x)


def _is_updates(x: Any) -> bool:
    if isinstance(x, dict):
        return True
    return (
        isinstance(x, list | tuple)
        and len(x) > 0
        and all(isinstance(p, list | tuple) and len(p) == 2 for p in x)
        and all(isinstance(p[0], SharedVariable) for p in x)
    )


def _step_results(ret: Any) -> tuple[Variable | None, list[Any], list[tuple[Any, Any]]]:
    """Theano's reading of what ``fn`` returns: (condition, outputs, updates), from outputs,
    updates, ``until(c)`` or a tuple of two or three of them in that order (updates first
    is accepted with a warning, as Theano did)."""
    if isinstance(ret, until):
        return ret.condition, [], []
    if _is_outputs(ret):
        return None, _as_list(ret), []
    if _is_updates(ret):
        return None, [], _pairs(ret)
    message = (
        "scan: the step function must return its outputs, a dict (or list of pairs) of "
        "updates, an until(condition), or a tuple of these in that order; got "
        f"{ret!r}"
    )
    if not isinstance(ret, list | tuple):
        if ret is None:
            return None, [], []
        return None, [ret], []  # a number or array: a constant output
    items = list(ret)
    if len(items) == 3 and isinstance(items[2], until):
        if _is_updates(items[1]) or items[1] == {}:
            return items[2].condition, _as_list(items[0]), _pairs(items[1])
        raise ValueError(message)
    if len(items) == 2:
        first, second = items
        if isinstance(second, until):
            if _is_updates(first):
                return second.condition, [], _pairs(first)
            return second.condition, _as_list(first), []
        if isinstance(second, dict) or _is_updates(second):
            return None, _as_list(first), _pairs(second)
        if isinstance(first, dict) or _is_updates(first):
            warnings.warn(
                "scan: the step function should return its outputs before its updates",
                stacklevel=3,
            )
            return None, _as_list(second), _pairs(first)
    if all(not isinstance(v, dict | until) for v in items):
        return None, items, []  # outputs, some of them numbers
    raise ValueError(message)


def _pairs(updates: Any) -> list[tuple[Any, Any]]:
    if isinstance(updates, dict):
        return list(updates.items())
    return [(p[0], p[1]) for p in updates]


def _step_values(outputs: Sequence[Variable], placeholders: Sequence[Variable]) -> set[int]:
    """The variables of the step's graph that a step computes (ids): those that depend on
    the step's arguments, and those on a path from a ``grad``'s ``wrt`` variables to its cost
    when that ``grad`` is computed in the step (the gradient is taken in the step, so what it
    differentiates must be computed there, though it does not change from step to step).
    Everything else the step reads is computed once, before the loop."""
    from tensorir.frontend.gradient import GradOp

    step = {id(v) for v in placeholders}
    nodes = toposort(outputs)
    keep: set[int] = set()
    for node in nodes:
        if any(id(v) in step for v in node.inputs) or id(node.outputs[0]) in keep:
            step.update(id(v) for v in node.outputs)
            if isinstance(node.op, GradOp):
                p = node.op.props
                ins = list(node.inputs)
                roots = ins[:1] if p["has_cost"] else []
                wrt = ins[int(p["has_cost"]) : int(p["has_cost"]) + p["n_wrt"]]
                roots += ins[len(ins) - 2 * p["n_known"] : len(ins) - p["n_known"]]
                reached = {id(w) for w in wrt}
                for inner in toposort(roots):
                    if any(id(v) in reached for v in inner.inputs):
                        reached.update(id(v) for v in inner.outputs)
                keep |= reached - {id(w) for w in wrt}
                # what lies between: computed in the step as well (a second pass marks it)
    if keep - step:
        for node in nodes:
            if any(id(v) in step for v in node.inputs) or id(node.outputs[0]) in keep:
                step.update(id(v) for v in node.outputs)
    return step


def _tap_name(x: Variable, k: int) -> str | None:
    if x.name is None:
        return None
    return f"{x.name}[t{k:+d}]" if k else f"{x.name}[t]"


def _state_type_error(what: str, init: Variable, out: Variable, where: Any) -> Exception:
    if init.dtype != out.dtype:
        return ValueError(
            f"scan: the initial state of {what} ({init}, outputs_info) has dtype {init.dtype}, "
            f"while the step function returns {out} of dtype {out.dtype} (built at "
            f"{out.trace}); this can happen if the step function upcasts or downcasts: cast "
            f"one of them (scan called at {where})"
        )
    if init.ndim != out.ndim:
        return ValueError(
            f"scan: the initial state of {what} ({init}) has {init.ndim} dims but the step "
            f"function returns {out} with {out.ndim} (scan called at {where})"
        )
    pairs = zip(init.broadcastable, out.broadcastable, strict=True)
    axes = [i for i, (a, b) in enumerate(pairs) if a != b]
    return TypeError(
        f"scan: the broadcast pattern of {what}'s initial state {init.broadcastable} differs "
        f"from that of the step function's output {out} {out.broadcastable} on axis "
        f"{axes[0]}: a dim fixed to 1 in one may take any size in the other; make them "
        f"consistent (tensor.unbroadcast or tensor.addbroadcast) (scan called at {where})"
    )


def _match_state(what: str, init: Variable, out: Variable, where: Any) -> Variable:
    """``out`` as the next value of a state whose values have ``init``'s type: a dim of
    size 1 in ``out`` that may take any size in ``init`` is unbroadcast; anything else that
    differs raises as Theano does."""
    if out.type == init.type:
        return out
    if out.dtype == init.dtype and out.ndim == init.ndim:
        if all(a <= b for a, b in zip(init.broadcastable, out.broadcastable, strict=True)):
            from tensorir.frontend.function import UnbroadcastOp

            return Apply(UnbroadcastOp(init.broadcastable), [out], [init.type]).outputs[0]
    raise _state_type_error(what, init, out, where)


def scan(
    fn: Callable[..., Any],
    sequences: Any = None,
    outputs_info: Any = None,
    non_sequences: Any = None,
    n_steps: Any = None,
    truncate_gradient: int = -1,
    go_backwards: bool = False,
    mode: Any = None,
    name: str | None = None,
    profile: Any = False,
    allow_gc: Any = None,
    strict: bool = False,
    return_list: bool = False,
) -> tuple[Any, dict[SharedVariable, Variable]]:
    """Theano's ``scan``: returns ``(outputs, updates)``; ``outputs`` holds, for each entry
    of ``outputs_info`` (or each output of ``fn`` when it is empty), the values of that
    output at every step, stacked (``n_steps`` rows); ``updates`` the final values of the
    shared variables that ``fn`` updates (and of the random streams it draws from), to be
    passed to ``function``. See Theano's documentation for the arguments."""
    where = user_line()
    if mode is not None:
        from tensorir.compile import get_mode

        get_mode(mode)
    seqs = _as_list(sequences)
    outs_info = _as_list(outputs_info)
    non_seqs = [
        v if isinstance(v, Variable) else as_tensor_variable(v) for v in _as_list(non_sequences)
    ]
    label = name or "scan"

    # -- the number of steps ---------------------------------------------------------------
    given_steps: Variable | None = None
    if n_steps is not None:
        given_steps = as_tensor_variable(n_steps)
        if not (given_steps.dtype.startswith("int") or given_steps.dtype.startswith("uint")):
            raise ValueError(f" n_steps must be an int. dtype provided is {given_steps.dtype}")
        if given_steps.ndim != 0:
            raise ValueError(f"scan: n_steps must be a scalar, got {given_steps.type}")
        given_steps = cast(given_steps, "int64")

    # -- sequences: one placeholder per tap ------------------------------------------------
    scan_seqs: list[Variable] = []
    inner_seqs: list[Variable] = []
    for i, seq in enumerate(seqs):
        if isinstance(seq, dict):
            if "input" not in seq:
                raise ValueError(f"scan: sequence {i} is a dict without an 'input' entry")
            taps = seq.get("taps")
            x = as_tensor_variable(seq["input"])
            taps = [0] if taps is None else [int(k) for k in _as_list(taps)]
        else:
            x, taps = as_tensor_variable(seq), [0]
        if x.ndim == 0:
            raise ValueError(
                f"scan: sequence {i} ({x}, {x.type}) is a scalar; a sequence is iterated over "
                f"its first dim (scan called at {where})"
            )
        if not taps:
            continue
        high, low = max(max(taps), 0), min(min(taps), 0)  # as if tap 0 were used too
        for k in taps:
            if k == high:
                part = x[k - low :] if k != low else x
            else:
                part = x[k - low : k - high]
            if go_backwards:
                part = part[::-1]
            scan_seqs.append(part)
            inner_seqs.append(TensorType(x.dtype, x.broadcastable[1:])(_tap_name(x, k)))

    if given_steps is not None:
        steps = given_steps
    elif scan_seqs:
        steps = scan_seqs[0].shape[0]
        for s in scan_seqs[1:]:
            steps = elemwise(tir.MinimumOp, "minimum", steps, s.shape[0])
    else:
        raise ValueError(
            " No information about the number of steps provided. Either provide a value for "
            "n_steps argument of scan or provide an input sequence"
        )

    # -- outputs_info: states ---------------------------------------------------------------
    infos: list[dict[str, Any]] = []
    for i, info in enumerate(outs_info):
        if info is None:
            infos.append({})
        elif isinstance(info, dict):
            if info.get("return_steps") is not None:
                raise ValueError(
                    "Using `return_steps` has been deprecated. Simply select the entries you "
                    "need using a subtensor. Scan will optimize memory consumption, so do not "
                    "worry about that."
                )
            initial, taps = info.get("initial"), info.get("taps")
            if initial is None and taps is not None:
                raise ValueError(
                    "If you are using slices of an output you need to provide a initial state "
                    f"for it (outputs_info[{i}])"
                )
            if initial is None:
                infos.append({})
            else:
                taps = [-1] if taps is None else [int(k) for k in _as_list(taps)]
                if any(k >= 0 for k in taps):
                    raise ValueError(f"Can not use future taps of outputs (outputs_info[{i}])")
                infos.append({"initial": as_tensor_variable(initial), "taps": taps})
        else:
            infos.append({"initial": as_tensor_variable(info), "taps": [-1]})

    # carries: (outer initial value, placeholder); per output, its carries and fn's args
    carry_inits: list[Variable] = []
    carry_inner: list[Variable] = []
    state_carries: list[list[int]] = []  # per output with taps: its carries, oldest first
    state_args: list[Variable] = []
    for i, info in enumerate(infos):
        if "initial" not in info:
            state_carries.append([])
            continue
        init, taps = info["initial"], info["taps"]
        if taps == [-1]:
            values = [init]
        else:
            depth = -min(taps)
            if init.ndim == 0:
                raise ValueError(
                    f"scan: outputs_info[{i}] uses taps {taps}, so its initial value needs a "
                    f"leading dim of the {depth} past values, got {init.type}"
                )
            values = [init[j] for j in range(depth)]  # values depth, ..., 1 steps back
        first = len(carry_inits)
        for j, v in enumerate(values):
            carry_inits.append(v)
            back = len(values) - j
            label_v = init.name and f"{init.name}[t-{back}]"
            carry_inner.append(v.type(label_v))
        state_carries.append(list(range(first, len(carry_inits))))
        depth = len(values)
        for k in taps:
            state_args.append(carry_inner[first + depth + k])

    # -- the step -------------------------------------------------------------------------
    args = inner_seqs + state_args + non_seqs
    condition, outputs, fn_updates = _step_results(fn(*args))
    outputs = [as_tensor_variable(v) for v in outputs]
    if outs_info and len(outputs) != len(infos):
        raise ValueError(
            "Please provide None as outputs_info for any output that does not feed back into "
            f"scan (i.e. it behaves like a map) (fn returned {len(outputs)} outputs, "
            f"outputs_info has {len(infos)} entries; scan called at {where})"
        )
    if not outs_info:
        infos = [{} for _ in outputs]
        state_carries = [[] for _ in outputs]

    # next value of each carry, and the stacked outputs
    carry_next: list[Variable | None] = [None] * len(carry_inits)
    for i, carries in enumerate(state_carries):
        if not carries:
            continue
        out = _match_state(f"output {i}", carry_inner[carries[-1]], outputs[i], where)
        outputs[i] = out
        for a, b in zip(carries, carries[1:], strict=False):
            carry_next[a] = carry_inner[b]  # shift: one step further back
        carry_next[carries[-1]] = out

    # non_sequences other than shared variables and constants are opaque to the step: what
    # they are computed from (a random draw, say) is computed once, before the loop (Theano)
    opaque: dict[int, Variable] = {}
    for v in non_seqs:
        if not isinstance(v, SharedVariable | Constant):
            opaque.setdefault(id(v), v)
    opaque_inner = {k: v.type(v.name) for k, v in opaque.items()}
    as_opaque = {opaque[k]: opaque_inner[k] for k in opaque}

    # shared variables updated by fn, then those with a default update (random streams)
    from tensorir.frontend.function import _update_value

    shared_states: list[SharedVariable] = []
    shared_next: list[Variable] = []
    for s, v in fn_updates:
        if not isinstance(s, SharedVariable):
            raise TypeError(f"scan: updates must be keyed by shared variables, got {s!r}")
        if any(s is t for t in shared_states):
            raise ValueError(f"scan: the step function updates {s} twice")
        shared_states.append(s)
        shared_next.append(_update_value(s, v, "scan update"))
    nexts = [v for v in carry_next if v is not None]
    k_out, k_next = len(outputs), len(nexts)
    stop = [] if condition is None else [condition]
    inner = clone_replace([*outputs, *nexts, *shared_next, *stop], as_opaque)
    if stop:
        stop = [inner.pop()]
    outputs, nexts = inner[:k_out], inner[k_out : k_out + k_next]
    shared_next = inner[k_out + k_next :]
    pending: list[Variable] = [*outputs, *shared_next, *nexts, *stop]
    while pending:
        found = [
            v
            for v in graph_inputs(pending)
            if isinstance(v, SharedVariable)
            and v.default_update is not None
            and not any(v is t for t in shared_states)
        ]
        pending = []
        for s in found:
            if any(s is t for t in shared_states):
                continue
            shared_states.append(s)
            nxt = clone_replace([_update_value(s, s.default_update, "default_update")], as_opaque)[
                0
            ]
            shared_next.append(nxt)
            pending.append(nxt)
    shared_inner = [s.type(s.name and f"{s.name}[t-1]") for s in shared_states]

    nexts = nexts + shared_next
    assert len(nexts) == len(carry_inits) + len(shared_states)
    inner_outputs = nexts + outputs + stop
    placeholders = inner_seqs + carry_inner + shared_inner
    replace: dict[Variable, Variable] = dict(zip(shared_states, shared_inner, strict=True))
    inner_outputs = clone_replace(inner_outputs, replace)

    # -- what the step reads from outside: constant operands ---------------------------------
    step = _step_values(inner_outputs, placeholders)
    outer: dict[int, Variable] = {}
    for node in toposort(inner_outputs):
        if id(node.outputs[0]) in step:
            for v in node.inputs:
                if id(v) not in step and not isinstance(v, Constant):
                    outer.setdefault(id(v), v)
    for v in inner_outputs:
        if id(v) not in step and not isinstance(v, Constant):
            outer.setdefault(id(v), v)
    listed_ids = [id(opaque_inner[id(v)]) if id(v) in opaque else id(v) for v in non_seqs]
    order = [k for k in dict.fromkeys(listed_ids) if k in outer]
    order += [k for k in outer if k not in order]
    read = [outer[k] for k in order]
    # the operands: what the step reads, computed from the non_sequences themselves
    consts = clone_replace(read, {opaque_inner[k]: opaque[k] for k in opaque})
    if strict:
        for v in consts:
            if isinstance(v, SharedVariable) and not any(v is w for w in non_seqs):
                raise ValueError(
                    f"scan: strict=True, but the step function uses the shared variable {v}, "
                    "which is not given in non_sequences"
                )
    const_inner = [v.type(v.name) for v in read]
    inner_outputs = clone_replace(inner_outputs, dict(zip(read, const_inner, strict=True)))

    n_states = len(carry_inits) + len(shared_states)
    op = ScanGraphOp(
        label,
        placeholders + const_inner,
        inner_outputs,
        n_seqs=len(scan_seqs),
        n_states=n_states,
        reverse=False,
        truncate=int(truncate_gradient),
        until=condition is not None,
    )
    node = Apply(op, [steps, *scan_seqs, *carry_inits, *shared_states, *consts], op.output_types())
    finals = node.outputs[:n_states]
    stacks = node.outputs[2 * n_states :]
    for v in stacks:
        v.name = None
    result: list[Variable] = list(stacks)
    updates = {s: finals[len(carry_inits) + j] for j, s in enumerate(shared_states)}
    if return_list:
        return result, updates
    if not result:
        return None, updates
    if len(result) == 1:
        return result[0], updates
    return result, updates


def map(  # noqa: A001 (Theano's name)
    fn: Callable[..., Any],
    sequences: Any,
    non_sequences: Any = None,
    truncate_gradient: int = -1,
    go_backwards: bool = False,
    mode: Any = None,
    name: str | None = None,
) -> tuple[Any, dict[SharedVariable, Variable]]:
    """``fn`` applied to each row of the sequences (a scan without states)."""
    return scan(
        fn,
        sequences=sequences,
        outputs_info=[],
        non_sequences=non_sequences,
        truncate_gradient=truncate_gradient,
        go_backwards=go_backwards,
        mode=mode,
        name=name,
    )


def _last(outputs: Any) -> Any:
    if isinstance(outputs, list):
        return [v[-1] for v in outputs]
    return None if outputs is None else outputs[-1]


def reduce(
    fn: Callable[..., Any],
    sequences: Any,
    outputs_info: Any,
    non_sequences: Any = None,
    go_backwards: bool = False,
    mode: Any = None,
    name: str | None = None,
) -> tuple[Any, dict[SharedVariable, Variable]]:
    """The states after the last step of ``scan`` (its outputs' last rows)."""
    outputs, updates = scan(
        fn,
        sequences=sequences,
        outputs_info=outputs_info,
        non_sequences=non_sequences,
        go_backwards=go_backwards,
        truncate_gradient=-1,
        mode=mode,
        name=name,
    )
    return _last(outputs), updates


def foldl(
    fn: Callable[..., Any],
    sequences: Any,
    outputs_info: Any,
    non_sequences: Any = None,
    mode: Any = None,
    name: str | None = None,
) -> tuple[Any, dict[SharedVariable, Variable]]:
    """``reduce`` from the first row to the last."""
    return reduce(fn, sequences, outputs_info, non_sequences, False, mode, name)


def foldr(
    fn: Callable[..., Any],
    sequences: Any,
    outputs_info: Any,
    non_sequences: Any = None,
    mode: Any = None,
    name: str | None = None,
) -> tuple[Any, dict[SharedVariable, Variable]]:
    """``reduce`` from the last row to the first."""
    return reduce(fn, sequences, outputs_info, non_sequences, True, mode, name)
