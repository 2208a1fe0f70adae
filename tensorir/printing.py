"""Printing graphs as Theano users know it: ``debugprint``, ``pp`` and ``pydotprint``.

``debugprint(f)`` writes the graph of a compiled function (or of variables) as an indented text
tree, one line per variable, with ``[id A]`` identifiers; ``pp(y)`` writes an expression in
infix form; ``pydotprint(f, outfile="graph.png")`` draws the graph with graphviz. tensorir
writes the DOT text itself and runs graphviz's ``dot`` program to render it; without graphviz
the DOT file is still written and ``GraphvizNotFound`` says how to install it.

Op names follow Theano's where Theano has one: elementwise ops print as ``Elemwise{add}``,
casts as ``Elemwise{Cast{float32}}``, dimshuffles as ``DimShuffle{x,0}``; other ops print as
the frontend op does (``dot``, ``Sum``, ``Reshape{sizes=(2, 3)}``, ``Grad{...}``).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Mapping, Sequence
from typing import IO, Any

import numpy as np

from tensorir.dialects import tir
from tensorir.frontend.function import CompiledFunction
from tensorir.frontend.graph import Apply, Constant, Variable, toposort
from tensorir.frontend.ifelse import IfElse
from tensorir.frontend.shared import SharedVariable
from tensorir.runtime.function import Function

__all__ = [
    "GraphvizNotFound",
    "debugprint",
    "default_colorCodes",
    "op_label",
    "pp",
    "pprint",
    "pydotprint",
]

# Theano's colours for apply nodes, matched against the op's label and class name; "Output"
# is the fill of the graph's outputs (and of the new values of updated shared variables).
default_colorCodes: dict[str, str] = {  # noqa: N816 (Theano's name)
    "GpuFromHost": "red",
    "HostFromGpu": "red",
    "Scan": "yellow",
    "Shape": "brown",
    "IfElse": "magenta",
    "Elemwise": "#FFAABB",  # dark pink
    "Subtensor": "#FFAAFF",  # purple
    "Alloc": "#FFAA22",  # orange
    "Output": "lightblue",
}

# Theano draws applies as ellipses and variables as boxes.
APPLY_SHAPE = "ellipse"
VAR_SHAPE = "box"
INPUT_COLOR = "green"
SHARED_COLOR = "cyan"
CONSTANT_COLOR = "lightgrey"
UNUSED_COLOR = "grey"

_ELEMWISE = (tir.ElementwiseBinaryOp, tir.ElementwiseUnaryOp, tir.SwitchOp)


class GraphvizNotFound(RuntimeError):  # noqa: N818 (reads as Theano users expect)
    """graphviz's ``dot`` program is not installed, so ``pydotprint`` could not render its
    picture; the graph was written as a DOT file instead (``dot_file``)."""

    def __init__(self, message: str, dot_file: str):
        super().__init__(message)
        self.dot_file = dot_file


# --------------------------------------------------------------------------- graphs


class _Graph:
    """What a printer shows: outputs, the (shared variable, new value) updates, and whether it
    is a compiled function's graph."""

    def __init__(
        self,
        outputs: list[Variable],
        updates: list[tuple[Variable, Variable]],
        is_function: bool,
    ):
        self.outputs = outputs
        self.updates = updates
        self.is_function = is_function


def _function_graph(f: CompiledFunction) -> _Graph:
    """A compiled function's outputs and updates: ``graph_outputs`` holds the outputs, then
    the new value of each updated shared variable, whose position among ``graph_inputs`` is
    in ``update_args``."""
    outs = list(f.graph_outputs)
    n = len(outs) - len(f.update_args)
    updates = [(f.graph_inputs[k], outs[n + j]) for j, k in enumerate(f.update_args)]
    return _Graph(outs[:n], updates, True)


def _graph_of(obj: Any, who: str) -> _Graph:
    if isinstance(obj, CompiledFunction):
        return _function_graph(obj)
    if isinstance(obj, Function):
        raise TypeError(
            f"{who}: this function has no graph to print (it was not compiled by tensorir.function)"
        )
    if isinstance(obj, Variable):
        return _Graph([obj], [], False)
    if isinstance(obj, Apply):
        return _Graph(list(obj.outputs), [], False)
    if isinstance(obj, list | tuple):
        outs: list[Variable] = []
        for item in obj:
            if isinstance(item, Variable):
                outs.append(item)
            elif isinstance(item, Apply):
                outs.extend(item.outputs)
            else:
                raise TypeError(
                    f"{who}: cannot print {item!r} ({type(item).__name__}); expected a "
                    "symbolic variable, an Apply or a compiled function"
                )
        return _Graph(outs, [], False)
    raise TypeError(
        f"{who}: cannot print {obj!r} ({type(obj).__name__}); expected a symbolic variable, a "
        "list of them, an Apply or a compiled function"
    )


def _index_of(seq: Sequence[Any], item: Any) -> int:
    return next(i for i, x in enumerate(seq) if x is item)


# --------------------------------------------------------------------------- labels


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _scalar_str(value: Any) -> str:
    """One element as numpy prints it alone: ``2.0``, ``0.1`` (float32 too), ``3``, ``True``."""
    return str(np.asarray(value).reshape(-1)[0])


def _constant_str(c: Constant) -> str:
    """Theano's ``TensorConstant{...}``: the value of a scalar, ``(shape) of v`` for an array
    of equal elements, the elements of a small array, else the type."""
    data = np.asarray(c.data)
    if data.ndim == 0:
        body = _scalar_str(data)
    elif data.size > 0 and np.all(data == data.reshape(-1)[0]):
        body = f"{data.shape} of {_scalar_str(data.reshape(-1)[0])}"
    elif data.size <= 16:
        body = _one_line(np.array2string(data))
    else:
        body = str(c.type)
    return f"TensorConstant{{{body}}}"


def _leaf_str(v: Variable) -> str:
    """A variable without owner as ``debugprint`` names it."""
    if v.name is not None:
        return v.name
    if isinstance(v, Constant):
        return _constant_str(v)
    return f"<{v.type}>"


def _dimshuffle_pattern(node: Apply) -> tuple[int, ...]:
    return tuple(node.op.props["pattern"])


def op_label(node: Apply) -> str:
    """The name of ``node``'s op, as Theano prints it where Theano has one: ``Elemwise{add}``,
    ``Elemwise{Cast{float32}}``, ``DimShuffle{x,0}``, ``Sum`` / ``Sum{axis=[0]}``; otherwise
    the frontend op's own name (``dot``, ``Reshape{sizes=(2, 3)}``)."""
    op = node.op
    cls = op.ir_op
    if type(op).__name__ == "Op" and isinstance(cls, type):
        if issubclass(cls, tir.CastOp):
            return f"Elemwise{{Cast{{{op.props['dtype']}}}}}"
        if issubclass(cls, _ELEMWISE) and not op.props:
            return f"Elemwise{{{op.name}}}"
        if issubclass(cls, tir.DimShuffleOp):
            pattern = ",".join("x" if p == -1 else str(p) for p in _dimshuffle_pattern(node))
            return f"{op.name}{{{pattern}}}"
        if issubclass(cls, tir.ReduceOp) and set(op.props) == {"axes"}:
            axes = list(op.props["axes"])
            if node.inputs and axes == list(range(node.inputs[0].ndim)):
                return op.name
            return f"{op.name}{{axis={axes}}}"
    return str(op)


# --------------------------------------------------------------------------- debugprint


def char_from_number(number: int) -> str:
    """``number`` in base 26 with the digits A-Z (Theano's ids: A, B, ..., Z, BA, BB, ...)."""
    digits = ""
    while True:
        number, remainder = divmod(number, 26)
        digits = chr(ord("A") + remainder) + digits
        if number == 0:
            return digits


def _join(head: str, id_str: str) -> str:
    return f"{head} {id_str}" if id_str else head


class _DebugPrinter:
    def __init__(
        self,
        out: IO[str],
        print_type: bool,
        ids: str,
        stop_on_name: bool,
        done: dict[Any, str],
        print_storage: bool,
    ):
        self.out = out
        self.print_type = print_type
        self.ids = ids
        self.stop_on_name = stop_on_name
        self.done = done
        self.print_storage = print_storage

    def id_str(self, obj: Any) -> str:
        if obj in self.done:
            return self.done[obj]
        if self.ids == "CHAR":
            s = f"[id {char_from_number(len(self.done))}]"
        elif self.ids == "int":
            s = f"[id {len(self.done)}]"
        elif self.ids == "id":
            s = f"[id {id(obj)}]"
        else:
            s = ""
        self.done[obj] = s
        return s

    def write(self, line: str) -> None:
        self.out.write(line.rstrip() + "\n")

    def storage(self, v: Variable) -> str:
        if not self.print_storage:
            return ""
        if isinstance(v, SharedVariable):
            return " " + _one_line(np.array2string(v.get_value(borrow=True)))
        if isinstance(v, Constant):
            return " " + _one_line(np.array2string(np.asarray(v.data)))
        return ""

    def tree(self, root: Variable, depth: int, order: Mapping[int, int] | None) -> None:
        """Print ``root`` and, below it, what it is computed from (each Apply's inputs once:
        a second use prints only its line)."""
        stack: list[tuple[Variable, str, str, int]] = [(root, "", "", depth)]
        while stack:
            r, prefix, prefix_child, d = stack.pop()
            if d == 0:
                continue
            type_str = f" <{r.type}>" if self.print_type else ""
            node = r.owner
            if node is None:
                head = _join(f"{prefix}{_leaf_str(r)}", self.id_str(r))
                self.write(head + type_str + self.storage(r))
                continue
            already_printed = node in self.done
            id_str = self.id_str(node)
            idx = "" if len(node.outputs) == 1 else f".{_index_of(node.outputs, r)}"
            position = "" if order is None else str(order[id(node)])
            name = r.name or ""
            head = _join(f"{prefix}{op_label(node)}{idx}", id_str)
            self.write(f"{head}{type_str} '{name}'   {position}")
            if already_printed or (self.stop_on_name and r.name is not None):
                continue
            children = []
            for i, inp in enumerate(node.inputs):
                last = i == len(node.inputs) - 1
                children.append(
                    (inp, prefix_child + " |", prefix_child + ("  " if last else " |"), d - 1)
                )
            stack.extend(reversed(children))


def debugprint(
    obj: Any,
    depth: int = -1,
    print_type: bool = False,
    file: Any = None,
    ids: str = "CHAR",
    stop_on_name: bool = False,
    done: dict[Any, str] | None = None,
    print_storage: bool = False,
) -> Any:
    """Print a graph as a text tree (Theano's ``theano.printing.debugprint``).

    ``obj``: a variable, an Apply, a compiled function, or a list of them. Each line is one
    variable: the op that computes it (``Elemwise{add}``) or, for an input, its name; then its
    id (``[id A]``; ``ids`` = "CHAR", "int", "id" or "" for none), its type with
    ``print_type``, and its name in quotes. Inputs are indented below with `` |``; an Apply met
    again prints one line, not its inputs again. For a compiled function, each op's line ends
    with its position in the function's topological order, and each update follows the
    outputs as ``Update of W [id D]:`` and the tree of its new value. ``depth`` limits the
    levels printed (-1: all); ``stop_on_name`` prints nothing below a named variable; ``done``
    (a dict) keeps the ids between calls; ``print_storage`` adds the values of shared
    variables and constants.

    ``file``: None prints to stdout (and returns None), "str" returns the text, a file object
    is written to and returned.
    """
    if not isinstance(depth, int) or isinstance(depth, bool):
        raise TypeError(f"debugprint: depth must be an int, got {depth!r}")
    if ids not in ("CHAR", "int", "id", ""):
        raise ValueError(f"debugprint: ids must be 'CHAR', 'int', 'id' or '', got {ids!r}")
    if file == "str":
        out: IO[str] = io.StringIO()
    elif file is None:
        out = sys.stdout
    else:
        out = file
    printer = _DebugPrinter(
        out, print_type, ids, stop_on_name, {} if done is None else done, print_storage
    )
    items = obj if isinstance(obj, list | tuple) else [obj]
    for item in items:
        graph = _graph_of(item, "debugprint")
        order: dict[int, int] | None = None
        if graph.is_function:
            values = graph.outputs + [u for _, u in graph.updates]
            order = {id(node): i for i, node in enumerate(toposort(values))}
        for r in graph.outputs:
            printer.tree(r, depth, order)
        for shared, value in graph.updates:
            printer.write(f"Update of {_leaf_str(shared)} {printer.id_str(shared)}:")
            printer.tree(value, depth, order)
    if file == "str":
        assert isinstance(out, io.StringIO)
        return out.getvalue()
    if file is None:
        out.flush()
        return None
    return file


# --------------------------------------------------------------------------- pp


def _pp_constant(c: Constant) -> str:
    data = np.asarray(c.data)
    if data.size == 1:
        return _scalar_str(data.reshape(-1)[0])
    return _one_line(np.array2string(data))


def _axis_str(node: Apply) -> str:
    axes = tuple(node.op.props["axes"])
    if node.inputs and axes == tuple(range(node.inputs[0].ndim)):
        return ""
    return f", axis={axes[0]}" if len(axes) == 1 else f", axis={axes}"


def _pp_apply(node: Apply, args: list[tuple[str, bool]]) -> tuple[str, bool]:
    """The text of ``node``'s (first) output from its inputs' texts; the flag says whether it
    is an infix expression in parentheses."""
    op = node.op
    cls = op.ir_op if isinstance(op.ir_op, type) else type(None)

    def bare(i: int) -> str:  # an argument of a call needs no parentheses of its own
        text, infix = args[i]
        return text[1:-1] if infix else text

    def call(name: str, extra: str = "") -> tuple[str, bool]:
        return f"{name}({', '.join(bare(i) for i in range(len(args)))}{extra})", False

    generic = type(op).__name__ == "Op"
    symbol = getattr(cls, "SYMBOL", "")
    if generic and symbol and len(args) == 2:
        return f"({args[0][0]} {symbol} {args[1][0]})", True
    if generic and issubclass(cls, tir.NegOp):
        return f"(-{args[0][0]})", True
    if generic and issubclass(cls, tir.CastOp):
        return call("cast", f", {op.props['dtype']!r}")
    if generic and issubclass(cls, _ELEMWISE) and not op.props:
        return call(op.name)
    if generic and issubclass(cls, tir.DimShuffleOp):
        pattern = _dimshuffle_pattern(node)
        kept = [p for p in pattern if p != -1]
        x = node.inputs[0]
        if kept == list(range(x.ndim)):  # only broadcastable dims added: implicit
            return args[0]
        if x.ndim >= 2 and kept == list(reversed(range(x.ndim))) and len(kept) == len(pattern):
            return f"{args[0][0]}.T", False
        shown = ", ".join(repr("x") if p == -1 else str(p) for p in pattern)
        return call("dimshuffle", f", {shown}")
    if generic and issubclass(cls, tir.ReduceOp) and set(op.props) == {"axes"}:
        return call(op.name.lower(), _axis_str(node))
    if generic and issubclass(cls, tir.DotOp):
        return call("dot")
    if op.name == "Reshape":
        return call("reshape", f", {tuple(op.props['sizes'])}")
    if op.name == "Flatten":
        return call("flatten", f", {op.props['outdim']}")
    if op.name == "Grad" and not (op.props.get("n_consider") or op.props.get("n_known")):
        if op.props.get("has_cost"):
            wrt = ", ".join(bare(i) for i in range(1, len(args)))
            return f"grad({bare(0)}, [{wrt}])", False
    if op.name == "Jacobian" and not op.props.get("n_consider"):
        return call("jacobian")
    return call(str(op))


def pp(var: Any) -> str:
    """An expression as text (Theano's ``theano.pp``): ``(x + y)``, ``sum(x * W)``,
    ``dot(a, b)``. Binary arithmetic and comparisons print in infix form in parentheses,
    other ops as calls; named variables (other than ``var`` itself) by their name, constants
    by their value, unnamed inputs by their type."""
    if isinstance(var, Apply) and len(var.outputs) == 1:
        var = var.outputs[0]
    if not isinstance(var, Variable):
        raise TypeError(f"pp: expected a symbolic variable, got {var!r} ({type(var).__name__})")
    texts: dict[int, tuple[str, bool]] = {}

    def text_of(v: Variable) -> tuple[str, bool]:
        if v.name is not None and (v is not var or v.owner is None):
            return v.name, False
        if v.owner is None:
            if isinstance(v, Constant):
                return _pp_constant(v), False
            return f"<{v.type}>", False
        return texts[id(v)]

    for node in toposort([var]):
        text, infix = _pp_apply(node, [text_of(v) for v in node.inputs])
        for i, out in enumerate(node.outputs):
            if len(node.outputs) == 1:
                texts[id(out)] = (text, infix)
            else:
                texts[id(out)] = (f"{text}[{i}]", False)
    return text_of(var)[0]


pprint = pp


# --------------------------------------------------------------------------- pydotprint


def _quote(text: str) -> str:
    """A DOT quoted string: backslashes, quotes and newlines escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def _attrs(attrs: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={_quote(v)}" for k, v in attrs.items())


class _Dot:
    """A directed graph written as DOT text; nodes keep the attributes they were added with."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, str]] = {}
        self.edges: list[tuple[str, str, dict[str, str]]] = []
        self.clusters: dict[str, list[str]] = {}  # name -> node ids drawn inside it

    def node(self, node_id: str, **attrs: str) -> None:
        self.nodes.setdefault(node_id, attrs)

    def edge(self, src: str, dst: str, **attrs: str) -> None:
        self.edges.append((src, dst, {k: v for k, v in attrs.items() if v}))

    def text(self) -> str:
        lines = ["digraph G {"]
        for node_id, attrs in self.nodes.items():
            lines.append(f"  {_quote(node_id)} [{_attrs(attrs)}];")
        for name, members in self.clusters.items():
            if members:
                lines.append(f"  subgraph {_quote('cluster_' + name)} {{")
                lines.append(f"    label={_quote(name)};")
                lines.extend(f"    {_quote(m)};" for m in members)
                lines.append("  }")
        for src, dst, attrs in self.edges:
            tail = f" [{_attrs(attrs)}]" if attrs else ""
            lines.append(f"  {_quote(src)} -> {_quote(dst)}{tail};")
        lines.append("}")
        return "\n".join(lines) + "\n"


def _truncate(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 3] + "..."


def _node_attrs(label: str, shape: str, color: str | None, high_contrast: bool) -> dict[str, str]:
    attrs = {"label": label, "shape": shape}
    if color is not None:
        if high_contrast:
            attrs.update(style="filled", fillcolor=color)
        else:
            attrs["color"] = color
    return attrs


def graph_to_dot(
    fct: Any,
    compact: bool = True,
    with_ids: bool = False,
    high_contrast: bool = True,
    colorCodes: Mapping[str, str] | None = None,  # noqa: N803 (Theano's name)
    max_label_size: int = 70,
    var_with_name_simple: bool = False,
    cond_highlight: Any = None,
) -> str:
    """The DOT text ``pydotprint`` renders (see there for the arguments)."""
    colors = dict(default_colorCodes if colorCodes is None else colorCodes)
    output_color = colors.get("Output", "lightblue")
    graph = _graph_of(fct, "pydotprint")
    outputs = graph.outputs
    update_of = {id(u): s for s, u in graph.updates}
    results = {id(v) for v in outputs} | set(update_of)
    topo = toposort(outputs + [u for _, u in graph.updates])
    position = {id(node): i for i, node in enumerate(topo)}
    used = {id(v) for node in topo for v in node.inputs} | results

    dot = _Dot()
    all_strings: set[str] = set()
    var_ids: dict[int, tuple[str, str]] = {}
    apply_ids: dict[int, tuple[str, str]] = {}

    def var_name(v: Variable) -> tuple[str, str]:
        if id(v) in var_ids:
            return var_ids[id(v)]
        shared = update_of.get(id(v))
        if v.name is not None:
            label = v.name if var_with_name_simple else f"name={v.name} {v.type}"
        elif isinstance(v, Constant):
            value = "val=" + str(np.asarray(v.data)).split("\n")[0]
            label = f"{value} {v.type}"
        elif shared is not None and shared.name is not None:
            label = shared.name if var_with_name_simple else f"{shared.name} {v.type}"
        else:
            label = str(v.type)
        label = _truncate(label, max_label_size)
        all_strings.add(label)
        var_ids[id(v)] = (label, f"var{len(var_ids)}")
        return var_ids[id(v)]

    def apply_name(node: Apply) -> tuple[str, str]:
        if id(node) in apply_ids:
            return apply_ids[id(node)]
        label = op_label(node).replace(":", "_")
        if label in all_strings or with_ids:
            idx = f" id={position[id(node)]}"
            if len(label) + len(idx) > max_label_size:
                label = label[: max_label_size - 3 - len(idx)] + idx + "..."
            else:
                label += idx
        elif len(label) > max_label_size:
            label = _truncate(label, max_label_size)
            n = 1
            while label in all_strings:
                n += 1
                suffix = f" id={n}"
                label = label[: max_label_size - 3 - len(suffix)] + "..." + suffix
        all_strings.add(label)
        apply_ids[id(node)] = (label, f"apply{len(apply_ids)}")
        return apply_ids[id(node)]

    def leaf_color(v: Variable) -> str:
        if isinstance(v, SharedVariable):
            return SHARED_COLOR
        if isinstance(v, Constant):
            return CONSTANT_COLOR
        return INPUT_COLOR

    branches = _branches(topo, cond_highlight)
    if branches is not None:
        dot.clusters = {"Left": [], "Right": [], "Middle": []}
    for node in topo:
        label, aid = apply_name(node)
        if branches is not None and id(node) in branches:
            dot.clusters[branches[id(node)]].append(aid)
        matched = None
        for op_name, color in colors.items():
            if op_name != "Output" and op_name in f"{op_label(node)} {type(node.op).__name__}":
                matched = color
        dot.node(aid, **_node_attrs(label, APPLY_SHAPE, matched, high_contrast))
        for i, v in enumerate(node.inputs):
            vlabel, vid = var_name(v)
            edge_label = str(i) if len(node.inputs) > 1 else ""
            if v.owner is None:
                dot.node(vid, **_node_attrs(vlabel, VAR_SHAPE, leaf_color(v), high_contrast))
                dot.edge(vid, aid, label=edge_label)
            elif v.name is not None or not compact or id(v) in results:
                dot.edge(vid, aid, label=edge_label)
            else:  # an unnamed intermediate: an edge between the applies, labelled by type
                edge_label = _truncate(f"{edge_label} {v.type}".strip(), max_label_size)
                dot.edge(apply_name(v.owner)[1], aid, label=edge_label)
        for i, v in enumerate(node.outputs):
            vlabel, vid = var_name(v)
            edge_label = str(i) if len(node.outputs) > 1 else ""
            if id(v) in results:
                dot.edge(aid, vid, label=edge_label)
                dot.node(vid, **_node_attrs(vlabel, VAR_SHAPE, output_color, high_contrast))
            elif id(v) not in used:  # an output of the apply nothing uses
                dot.edge(aid, vid, label=edge_label)
                dot.node(vid, **_node_attrs(vlabel, VAR_SHAPE, UNUSED_COLOR, high_contrast))
            elif v.name is not None or not compact:
                if compact:
                    edge_label = _truncate(f"{edge_label} {v.type}".strip(), max_label_size)
                dot.edge(aid, vid, label=edge_label)
                dot.node(vid, **_node_attrs(vlabel, VAR_SHAPE, None, high_contrast))

    # outputs and new values that are inputs themselves (``function([x], x)``)
    for v in outputs + [u for _, u in graph.updates]:
        if v.owner is None:
            vlabel, vid = var_name(v)
            dot.node(vid, **_node_attrs(vlabel, VAR_SHAPE, output_color, high_contrast))
    # each new value is stored into its shared variable
    for shared, value in graph.updates:
        slabel, sid = var_name(shared)
        dot.node(sid, **_node_attrs(slabel, VAR_SHAPE, SHARED_COLOR, high_contrast))
        _, uid = var_name(value)
        # constraint=false: the shared variable stays above the ops that read it
        dot.edge(uid, sid, label="UPDATE", color="blue", style="dashed", constraint="false")
    return dot.text()


def _branches(topo: Sequence[Apply], cond_highlight: Any) -> dict[int, str] | None:
    """Theano's ``cond_highlight``: for the ``ifelse`` named ``cond_highlight`` (any, when it
    is True), which applies its first then value depends on (``Left``), its first else value
    (``Right``) or both (``Middle``); None when there is no such ``ifelse``."""
    if cond_highlight is None:
        return None
    cond = None
    for node in topo:
        if isinstance(node.op, IfElse) and (
            cond_highlight is True or node.op.props["label"] == cond_highlight
        ):
            cond = node
    if cond is None:
        warnings.warn(
            "pydotprint: cond_highlight is set but there is no IfElse node in the graph",
            stacklevel=4,
        )
        return None
    n = cond.op.props["n_outs"]
    sides = [{id(a) for a in toposort([cond.inputs[k]])} for k in (1, 1 + n)]
    out: dict[int, str] = {}
    for node_id in sides[0] | sides[1]:
        both = node_id in sides[0] and node_id in sides[1]
        out[node_id] = "Middle" if both else "Left" if node_id in sides[0] else "Right"
    return out


def _find_dot() -> str | None:
    """graphviz's ``dot`` program, if it is installed."""
    return shutil.which("dot")


def _install_advice() -> str:
    return (
        "install graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install "
        "graphviz; conda: conda install graphviz)"
    )


def pydotprint(
    fct: Any,
    outfile: str | os.PathLike[str] | None = None,
    compact: bool = True,
    format: str = "png",  # noqa: A002 (Theano's name)
    with_ids: bool = False,
    high_contrast: bool = True,
    cond_highlight: Any = None,
    colorCodes: Mapping[str, str] | None = None,  # noqa: N803 (Theano's name)
    max_label_size: int = 70,
    scan_graphs: bool = False,
    var_with_name_simple: bool = False,
    print_output_file: bool = True,
    return_image: bool = False,
) -> bytes | None:
    """Draw a graph with graphviz (Theano's ``theano.printing.pydotprint``).

    ``fct``: a compiled function (its outputs and updates), a variable, an Apply or a list of
    variables. Ops are ellipses, variables boxes: inputs green, shared variables cyan,
    constants light grey, outputs (and new values of shared variables) light blue, unused
    outputs grey. An edge into an op with several inputs is labelled with the input's
    position; with ``compact`` an unnamed intermediate variable is an edge labelled with its
    type, not a box. An update is a dashed edge ``UPDATE`` from the new value to its shared
    variable. ``var_with_name_simple`` labels named variables by their name only;
    ``with_ids`` adds each op's position in topological order; labels are cut at
    ``max_label_size``; ``colorCodes`` maps op names to fill colours (default
    ``default_colorCodes``).

    ``outfile`` (default ``tensorir_graph.<format>`` in the current directory; ``.<format>``
    is appended when missing) is rendered by graphviz's ``dot -T<format>`` (png, svg, pdf,
    ...); ``format="dot"`` writes the DOT text alone, without graphviz. Without graphviz,
    the DOT text is written next to ``outfile`` (``.dot``) and ``GraphvizNotFound`` is
    raised. ``return_image`` returns the rendered bytes instead of writing ``outfile``.
    ``cond_highlight`` (the name of an ``ifelse``, or True for any) draws the applies its
    first then value depends on in a cluster ``Left``, those of its first else value in
    ``Right``, those of both in ``Middle``, as Theano did; ``scan_graphs`` is accepted for
    compatibility (tensorir has no Scan op).
    """
    if not re.fullmatch(r"[A-Za-z0-9_:.-]+", format):
        raise ValueError(f"pydotprint: invalid format {format!r} (e.g. 'png', 'svg', 'pdf')")
    text = graph_to_dot(
        fct,
        compact=compact,
        with_ids=with_ids,
        high_contrast=high_contrast,
        colorCodes=colorCodes,
        max_label_size=max_label_size,
        var_with_name_simple=var_with_name_simple,
        cond_highlight=cond_highlight,
    )
    path = os.fspath(outfile) if outfile is not None else f"tensorir_graph.{format}"
    if not path.endswith("." + format):
        path += "." + format
    path = os.path.abspath(path)
    if format == "dot":
        if return_image:
            return text.encode("utf-8")
        _write(path, text)
    else:
        dot_file = os.path.splitext(path)[0] + ".dot"
        program = _find_dot()
        if program is None:
            _write(dot_file, text)
            raise GraphvizNotFound(
                f"pydotprint: graphviz's 'dot' program was not found, so {path} could not be "
                f"rendered; the graph was written in DOT format to {dot_file}. To render "
                f"pictures, {_install_advice()}, or render the DOT file elsewhere with "
                f"'dot -T{format} {dot_file} -o {path}'. pydotprint(..., format='dot') writes "
                "the DOT text only.",
                dot_file,
            )
        command = [program, f"-T{format}"]
        if not return_image:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            command += ["-o", path]
        done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True)
        if done.returncode != 0:
            _write(dot_file, text)
            message = done.stderr.decode("utf-8", "replace").strip()
            raise RuntimeError(
                f"pydotprint: graphviz's dot could not render {path} as {format!r}: {message} "
                f"(the graph was written in DOT format to {dot_file})"
            )
        if return_image:
            return done.stdout
    if print_output_file:
        print("The output file is available at", path)
    return None


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
