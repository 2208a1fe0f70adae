"""``function(inputs, outputs, updates=..., givens=...)``: compile a graph through every level
to machine code.

L0 graph -> L1 ``tir`` (emit) -> L2 ``linalg`` -> L2 ``fused`` -> L3 buffers -> L4 loops
(passes named in ``lowering/pipelines.py``) -> LLVM IR (``llvm_emitter``) -> machine code
(``runtime.jit``).
``f.ir(level)`` shows the function at any level, as text ``tensorir-opt`` reads back.

Shared variables the graph reads or updates are extra arguments of the ``func.func``, after the
explicit inputs; the new value of each updated shared variable is an extra result, after the
outputs, marked ``{tir.update = k}`` with the index k of its argument. ``givens`` substitute
variables in the graph before it is emitted (``graph.clone_replace``).
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from xdsl.dialects import arith
from xdsl.dialects import tensor as xtensor
from xdsl.dialects.builtin import IndexType, ModuleOp
from xdsl.ir import SSAValue

from tensorir import compiler
from tensorir.compile.mode import Mode, get_mode
from tensorir.compiler import FunctionGraph
from tensorir.config import OPTIONS, config
from tensorir.dialects import tir
from tensorir.frontend.graph import (
    Apply,
    Constant,
    Op,
    TensorType,
    Variable,
    clone_replace,
    graph_inputs,
)
from tensorir.frontend.shared import SharedVariable
from tensorir.lowering.ptx import DEFAULT_ARCH
from tensorir.runtime.function import Function, InputSpec

_counter = itertools.count()


class UnusedInputError(ValueError):
    """An input is not needed to compute any output (``on_unused_input='raise'``)."""


class CompiledFunction(Function):
    """A Function that also knows its graph, so it can show its IR at every level.

    ``graph_inputs`` are the explicit inputs then the shared variables it reads or updates;
    ``graph_outputs`` the outputs then the new value of each updated shared variable.

    It pickles as its graph and ``options``, never its machine code: unpickling compiles the
    graph again, with the unpickled shared variables (those pickled with it stay linked to it).
    ``copy.deepcopy`` reuses the code with a deep copy of the graph, so the copy updates its
    own copies of the shared variables; ``copy.copy`` shares them.
    """

    def __init__(self, symbol: str, graph: FunctionGraph, **kw: Any):
        self.symbol = symbol
        self.graph = graph
        super().__init__(**kw)

    @property
    def graph_inputs(self) -> list[Variable]:
        return list(self.graph.inputs)

    @property
    def graph_outputs(self) -> list[Variable]:
        return list(self.graph.outputs)

    @property
    def update_args(self) -> list[int]:
        return list(self.graph.updates)

    def module(self, level: str = "tir") -> ModuleOp:
        c = self.compiled
        mode = get_mode(self.mode)
        return compiler.module_at(self.graph, self.symbol, level, mode, c.device, c.blas)

    def ir(self, level: str = "tir") -> str:
        """The function's IR at ``level`` (tir, adjoint, linalg, fused, buffers, loops), its
        LLVM IR (llvm: for a GPU function, its host code) or, for a GPU function, the LLVM IR
        of its kernels (kernels) and their PTX (ptx)."""
        if level == "llvm":
            return self.library.llvm_ir
        if level in ("kernels", "ptx"):
            if self.compiled.device != "cuda":
                raise ValueError(f"{self.name}: a CPU function has no {level}")
            if level == "kernels":
                return self.compiled.gpu.kernels_ir  # type: ignore[no-any-return]
            arch = getattr(self.compiled.kernel.backend, "arch", DEFAULT_ARCH)
            return compiler.ptx(self.graph, self.symbol, get_mode(self.mode), arch)
        return str(self.module(level))

    def __reduce_ex__(self, protocol: Any) -> Any:
        g = self.graph
        return compile_graph, (list(g.inputs), list(g.outputs), list(g.updates), g.n_inputs,
                               self.options)  # fmt: skip

    def __copy__(self) -> CompiledFunction:
        return _make_function(self.symbol, self.graph, self.options, self.compiled)

    def __deepcopy__(self, memo: dict[int, Any]) -> CompiledFunction:
        """This function's code called on a deep copy of its graph (and shared variables)."""
        graph, options = copy.deepcopy((self.graph, self.options), memo)
        clone = _make_function(self.symbol, graph, options, self.compiled)
        memo[id(self)] = clone
        return clone


def _symbol(name: str | None) -> str:
    base = re.sub(r"[^A-Za-z0-9_]", "_", name or "fn")
    return f"{base}_{next(_counter)}"


def function(
    inputs: Sequence[Variable],
    outputs: Variable | Sequence[Variable] | Mapping[str, Variable] | None = None,
    mode: str | Mode | None = None,
    updates: Any = None,
    givens: Any = None,
    no_default_updates: bool | Sequence[SharedVariable] = False,
    accept_inplace: bool = False,
    name: str | None = None,
    rebuild_strict: bool = True,
    allow_input_downcast: bool | None = None,
    profile: Any = None,
    on_unused_input: str | None = None,
    device: str | None = None,
) -> CompiledFunction:
    """Compile ``outputs`` as a function of ``inputs`` (Theano's ``theano.function``).

    ``outputs``: one variable (the call returns one array), a list or tuple (a list), a dict of
    variables keyed by strings (a dict) or None (``[]``). ``updates``: (shared variable, new
    value) pairs or a dict; after each successful call every shared variable holds its new
    value, all computed from the values before the call. ``givens``: (variable, replacement)
    pairs or a dict, substituted in the outputs and the updates. A shared variable with a
    ``default_update`` and no explicit update gets that update, unless ``no_default_updates``
    is True or lists it. ``mode``: None (``config.mode``), a name ('FAST_RUN',
    'FAST_COMPILE', 'DebugMode', 'NanGuardMode') or a ``tensorir.compile.Mode`` such as
    ``NanGuardMode(nan_is_error=True, inf_is_error=True, big_is_error=False)``.
    ``accept_inplace``, ``rebuild_strict`` and ``profile`` are accepted for compatibility.
    ``device``: 'cpu' or 'cuda' (also Theano's 'gpu'), ``config.device`` by default.
    """
    return compile_graph(*resolve(**locals()))


def resolve(
    inputs: Sequence[Variable],
    outputs: Any,
    mode: str | Mode | None,
    updates: Any,
    givens: Any,
    no_default_updates: bool | Sequence[SharedVariable],
    accept_inplace: bool,
    name: str | None,
    rebuild_strict: bool,
    allow_input_downcast: bool | None,
    profile: Any,
    on_unused_input: str | None,
    device: str | None,
) -> tuple[list[Variable], list[Variable], list[int], int, dict[str, Any]]:
    """``function``'s arguments resolved into what ``compile_graph`` takes: the graph's inputs
    (explicit, then shared variables), its outputs (then the updates' values), the input each
    update replaces, the number of explicit inputs and the options."""
    if device is not None:
        device = OPTIONS["device"].check("device", device)  # type: ignore[assignment]
    try:
        get_mode(mode)
    except ValueError as e:
        raise ValueError(f"function: {e}") from None
    if isinstance(inputs, Variable):
        raise TypeError(
            "function: the inputs must be given in a list, even when there is a single input"
        )
    inputs = list(inputs)
    for i, v in enumerate(inputs):
        if isinstance(v, SharedVariable):
            raise TypeError(
                f"Cannot use a shared variable ({v}) as explicit input. Consider substituting a "
                "non-shared variable via the `givens` parameter"
            )
        if not isinstance(v, Variable):
            raise TypeError(f"function: input {i} must be a symbolic variable, got {v!r}")
    outs, output_keys, as_list = _outputs(outputs)
    replace = _givens(givens, inputs)
    update_pairs = _updates(updates)
    n = len(outs)
    if replace:
        replaced = clone_replace(outs + [u for _, u in update_pairs], replace)
        outs = replaced[:n]
        update_pairs = [(s, u) for (s, _), u in zip(update_pairs, replaced[n:], strict=True)]
    update_pairs, shared_in = _default_updates(outs, update_pairs, no_default_updates, replace)
    update_values = [u for _, u in update_pairs]
    _check_unused(inputs, outs + update_values, on_unused_input or "raise")
    read = {id(s) for s in shared_in}
    shared_args = shared_in + [s for s, _ in update_pairs if id(s) not in read]
    position = {id(s): len(inputs) + k for k, s in enumerate(shared_args)}
    update_args = [position[id(s)] for s, _ in update_pairs]
    options = {
        "name": name,
        "outputs_as_list": as_list,
        "output_keys": output_keys,
        "allow_input_downcast": allow_input_downcast,
        "float_x": config.floatX,
        "mode": mode,
        "profile": profile,
        "accept_inplace": accept_inplace,
        "rebuild_strict": rebuild_strict,
        "on_unused_input": on_unused_input,
        "device": device,
    }
    return inputs + shared_args, outs + update_values, update_args, len(inputs), options


def compile_graph(
    graph_in: list[Variable],
    graph_out: list[Variable],
    update_args: list[int],
    n_inputs: int,
    options: dict[str, Any],
) -> CompiledFunction:
    """Compile a resolved graph (givens applied, default updates added): ``graph_in`` are the
    ``n_inputs`` explicit inputs then the shared variables, ``graph_out`` the outputs then one
    new value per entry of ``update_args`` (the argument it updates). ``options`` are
    ``function``'s (``name``, ``outputs_as_list``, ``output_keys``, ``allow_input_downcast``,
    ``float_x``, ...). Used by ``function`` and to unpickle a function."""
    graph = FunctionGraph(tuple(graph_in), tuple(graph_out), n_inputs, tuple(update_args))
    symbol = _symbol(options["name"])
    device = options.get("device") or config.device
    compiled = compiler.compile(graph, symbol, get_mode(options["mode"]), device)
    return _make_function(symbol, graph, options, compiled)


def _make_function(
    symbol: str, graph: FunctionGraph, options: dict[str, Any], compiled: compiler.Compiled
) -> CompiledFunction:
    """The CompiledFunction calling ``compiled`` on this graph's shared variables; a copy of a
    function passes the same code with a copy of its graph."""
    shared_args = graph.inputs[graph.n_inputs :]
    for s in shared_args:  # where the function reads them: device memory for a GPU one
        container = s.container  # type: ignore[attr-defined]
        if compiled.device == "cuda":
            container.to_device(compiled.kernel.backend)
        else:
            container.to_host()
    f = CompiledFunction(
        symbol,
        graph,
        kernel=compiled.kernel,
        inputs=[
            InputSpec(v.name or f"<input {i}>", v.dtype, v.broadcastable)
            for i, v in enumerate(graph.inputs[: graph.n_inputs])
        ],
        outputs_as_list=options["outputs_as_list"],
        allow_input_downcast=options["allow_input_downcast"],
        float_x=options["float_x"],
        name=options["name"] or "function",
        shared=[s.container for s in shared_args],  # type: ignore[attr-defined]
        output_keys=options["output_keys"],
    )
    f.compiled = compiled
    f.library = compiled.library
    f.shared_variables = list(shared_args)
    f.options = options
    f.mode = options["mode"] or config.mode
    f.profile = options["profile"]
    f.accept_inplace = options["accept_inplace"]
    f.rebuild_strict = options["rebuild_strict"]
    return f


# --------------------------------------------------------------------------- arguments


def _outputs(outputs: Any) -> tuple[list[Variable], list[str] | None, bool]:
    """The output variables, the keys of dict outputs, and whether a list is returned."""
    from tensorir.frontend.basic import as_tensor_variable

    keys: list[str] | None = None
    if outputs is None:
        outs: list[Any] = []
    elif isinstance(outputs, Mapping):
        keys = list(outputs)
        for k in keys:
            if not isinstance(k, str):
                raise TypeError(f"function: the keys of dict outputs must be strings, got {k!r}")
        outs = [outputs[k] for k in keys]
    elif isinstance(outputs, list | tuple):
        outs = list(outputs)
    else:
        outs = [outputs]
    as_list = outputs is None or isinstance(outputs, list | tuple)
    return [as_tensor_variable(o) for o in outs], keys, as_list


def _pairs(arg: Any, what: str) -> list[tuple[Any, Any]]:
    """``arg`` (a dict or a sequence of pairs) as a list of pairs."""
    if arg is None:
        return []
    if isinstance(arg, Mapping):
        return list(arg.items())
    try:
        if isinstance(arg, Variable | str | bytes):
            raise TypeError
        items = list(arg)
    except TypeError:
        raise TypeError(
            f"function: {what} must be a dict or a list of pairs, got {arg!r}"
        ) from None
    pairs = []
    for item in items:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise TypeError(
                f"function: {what} must be a dict or a list of pairs; got the item {item!r}"
            )
        pairs.append((item[0], item[1]))
    return pairs


class UnbroadcastOp(Op):
    """A view of a variable as a less broadcastable type of the same dtype and rank (a dim of
    size 1 that may take any size): a ``tir.reshape`` to its own dims."""

    def __init__(self, broadcastable: tuple[bool, ...]):
        super().__init__(tir.ReshapeOp, "Unbroadcast", broadcastable=broadcastable)

    def emit(self, insert: Any, x: SSAValue, out_type: TensorType) -> SSAValue:
        sizes = []
        for i in range(out_type.ndim):
            idx = insert(arith.ConstantOp.from_int_and_width(i, IndexType())).result
            sizes.append(insert(xtensor.DimOp(x, idx)).result)
        return insert(tir.ReshapeOp(x, sizes, out_type.ir_type())).result


def filter_variable(t: TensorType, x: Any, mismatch: Any) -> Variable:
    """``x`` as a variable of type ``t`` (Theano's ``TensorType.filter_variable``): data
    becomes a constant converted with ``t``'s rules; a variable must have type ``t``, or be of
    the same dtype and rank and broadcastable where ``t`` is (it is then viewed as ``t``).
    Otherwise ``mismatch(x)`` returns the TypeError to raise."""
    if not isinstance(x, Variable):
        try:
            return Constant(t, t.filter(x))
        except TypeError as e:
            raise mismatch(None, str(e)) from None
    if x.type == t:
        return x
    if (
        x.dtype == t.dtype
        and x.ndim == t.ndim
        and all(xb or not tb for xb, tb in zip(x.broadcastable, t.broadcastable, strict=True))
    ):
        op = UnbroadcastOp(t.broadcastable)
        node = Apply(op, [x], [t])
        node.trace = x.trace
        node.outputs[0].trace = x.trace
        return node.outputs[0]
    raise mismatch(x, None)


def _type_advice(t: TensorType, x: Variable) -> str:
    if x.ndim != t.ndim:
        return f"they differ in the number of dims ({x.ndim} instead of {t.ndim})"
    if x.dtype != t.dtype:
        return (
            f"convert its dtype, e.g. with tensor.cast(<expression>, '{t.dtype}') or "
            f"<expression>.astype('{t.dtype}')"
        )
    pairs = zip(x.broadcastable, t.broadcastable, strict=True)
    dims = [i for i, (xb, tb) in enumerate(pairs) if tb and not xb]
    return (
        f"the target is broadcastable (size 1) along dim(s) {dims} but the value is not: "
        "build the value with that pattern (e.g. with dimshuffle), or make the target "
        "non-broadcastable there"
    )


def _updates(updates: Any) -> list[tuple[SharedVariable, Variable]]:
    """Validated (shared variable, value of its type) pairs."""
    pairs: list[tuple[SharedVariable, Variable]] = []
    seen: set[int] = set()
    for target, value in _pairs(updates, "updates"):
        if not isinstance(target, SharedVariable):
            raise TypeError(
                f"function: the update target {target!r} must be a shared variable "
                f"(tensorir.shared), got {type(target).__name__}"
            )
        if id(target) in seen:
            raise ValueError(
                f"function: shared variable {target} has more than one update expression"
            )
        seen.add(id(target))
        pairs.append((target, _update_value(target, value, "update")))
    return pairs


def _update_value(target: SharedVariable, value: Any, what: str) -> Variable:
    def mismatch(x: Variable | None, detail: str | None) -> TypeError:
        if x is None:
            return TypeError(
                f"function: the {what} of shared variable {target} ({target.type}) cannot be "
                f"the value {value!r}: {detail}"
            )
        return TypeError(
            f"function: the {what} of a shared variable must have the same type as the "
            f"variable: shared variable {target} has type {target.type}, but its {what} {x} "
            f"has type {x.type} (built at {x.trace}); {_type_advice(target.type, x)}"
        )

    return filter_variable(target.type, value, mismatch)


def _givens(givens: Any, inputs: list[Variable]) -> dict[Variable, Variable]:
    """Validated substitutions: variable -> replacement of its type."""
    replace: dict[Variable, Variable] = {}
    input_ids = {id(v) for v in inputs}
    for key, value in _pairs(givens, "givens"):
        if not isinstance(key, Variable) or isinstance(key, Constant):
            raise TypeError(
                f"function: a givens key must be a non-constant symbolic variable, got {key!r}"
            )
        if id(key) in input_ids:
            raise RuntimeError(
                f"You are trying to replace variable '{key}' through the `givens` parameter, "
                "but this variable is an input to your function. Replacing inputs is "
                "forbidden because it has no effect. To compute f(x) from a new input y, use "
                "function([y], f(x), givens={x: g(y)})."
            )
        if key in replace:
            raise ValueError(f"function: variable {key} is replaced twice in givens")

        def mismatch(
            x: Variable | None, detail: str | None, key: Variable = key, value: Any = value
        ) -> TypeError:
            if x is None:
                return TypeError(
                    f"function: givens cannot replace {key} ({key.type}) by {value!r}: {detail}"
                )
            return TypeError(
                f"function: givens replacement must have the type of the variable it "
                f"replaces: {key} has type {key.type} but its replacement {x} has type "
                f"{x.type} (built at {x.trace}); {_type_advice(key.type, x)}"
            )

        replace[key] = filter_variable(key.type, value, mismatch)
    return replace


def _default_updates(
    outs: list[Variable],
    pairs: list[tuple[SharedVariable, Variable]],
    no_default_updates: bool | Sequence[SharedVariable],
    replace: dict[Variable, Variable],
) -> tuple[list[tuple[SharedVariable, Variable]], list[SharedVariable]]:
    """Add the default updates of the shared variables the graph reads (and those their
    default updates read, and so on); return the updates and the shared variables read, in
    order of first appearance."""
    if isinstance(no_default_updates, bool):
        skip_all, skip = no_default_updates, set()
    else:
        skip_all, skip = False, {id(s) for s in no_default_updates}
    pairs = list(pairs)
    updated = {id(s) for s, _ in pairs}
    found: list[SharedVariable] = []
    seen: set[int] = set()
    pending = outs + [u for _, u in pairs]
    while pending:
        new: list[SharedVariable] = []
        for v in graph_inputs(pending):
            if isinstance(v, SharedVariable) and id(v) not in seen:
                seen.add(id(v))
                found.append(v)
                new.append(v)
        pending = []
        for s in new:
            if s.default_update is None or skip_all or id(s) in skip or id(s) in updated:
                continue
            value = _update_value(s, s.default_update, "default_update")
            if replace:
                value = clone_replace([value], replace)[0]
            pairs.append((s, value))
            updated.add(id(s))
            pending.append(value)
    return pairs, found


def _check_unused(inputs: list[Variable], outputs: list[Variable], policy: str) -> None:
    if policy not in ("raise", "warn", "ignore"):
        raise ValueError(f"on_unused_input must be 'raise', 'warn' or 'ignore', got {policy!r}")
    if policy == "ignore":
        return
    used = {id(v) for v in graph_inputs(outputs)}
    for i, v in enumerate(inputs):
        if id(v) in used:
            continue
        msg = (
            f"function was asked to create a function computing outputs given certain inputs, "
            f"but the provided input variable at index {i} ({v}, created at {v.trace}) is not "
            f"part of the computational graph needed to compute the outputs. To make this "
            f"error into a warning, pass on_unused_input='warn' to function(); to disable it "
            f"completely, use on_unused_input='ignore'."
        )
        if policy == "raise":
            raise UnusedInputError(msg)
        import warnings

        warnings.warn(msg, stacklevel=3)
