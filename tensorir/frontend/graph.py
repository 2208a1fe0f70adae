"""The frontend graph (level L0): Theano's vocabulary of Type, Variable, Apply and Op.

A Variable records its type, the Apply that produced it (None for inputs and constants), a
name, and the user's source line that built it, so every later error can point there. An Op
names the ``tir`` dialect op it becomes and the properties of that op; its type rule is the
dialect op's ``infer_type``, never re-implemented here.
"""

from __future__ import annotations

import copy
import linecache
import os
import sys
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from xdsl.dialects.builtin import TensorType as IRTensorType
from xdsl.utils.exceptions import VerifyException

from tensorir.dialects import types as T
from tensorir.runtime.convert import convert

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass(frozen=True)
class SourceLine:
    """Where the user built an expression."""

    filename: str
    lineno: int
    text: str

    def __str__(self) -> str:
        where = f"{os.path.basename(self.filename)}:{self.lineno}"
        return f"{where}: {self.text}" if self.text else where


def user_line() -> SourceLine | None:
    """The innermost stack frame outside the tensorir package."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(_PACKAGE_DIR + os.sep):
            text = linecache.getline(filename, frame.f_lineno).strip()
            return SourceLine(filename, frame.f_lineno, text)
        frame = frame.f_back  # type: ignore[assignment]
    return None


class TensorType:
    """A dtype and a broadcastable pattern: Theano's TensorType.

    ``TensorType("float64", (False, False))`` is a matrix of doubles; calling a type makes a
    new input variable of it.
    """

    __slots__ = ("dtype", "broadcastable")

    def __init__(self, dtype: str, broadcastable: Sequence[bool]):
        dtype = str(np.dtype(dtype)) if dtype != "bool" else "bool"
        if dtype not in T.DTYPES:
            raise TypeError(f"unsupported dtype {dtype!r}; tensorir supports {', '.join(T.DTYPES)}")
        self.dtype = dtype
        self.broadcastable = tuple(bool(b) for b in broadcastable)

    @property
    def ndim(self) -> int:
        return len(self.broadcastable)

    def __call__(self, name: str | None = None) -> Variable:
        return Variable(self, name=name)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TensorType)
            and self.dtype == other.dtype
            and self.broadcastable == other.broadcastable
        )

    def __hash__(self) -> int:
        return hash((self.dtype, self.broadcastable))

    def __getstate__(self) -> Any:  # pickle protocols 0 and 1 need it for __slots__
        return None, {"dtype": self.dtype, "broadcastable": self.broadcastable}

    def __repr__(self) -> str:
        kinds = {
            (): "scalar",
            (False,): "vector",
            (False, False): "matrix",
            (True, False): "row",
            (False, True): "col",
        }
        kind = kinds.get(self.broadcastable, str(self.broadcastable))
        return f"TensorType({self.dtype}, {kind})"

    def ir_type(self) -> IRTensorType:
        return T.tensor_type(self.dtype, self.broadcastable)

    @staticmethod
    def from_ir(t: Any) -> TensorType:
        return TensorType(T.dtype_of(t.element_type), T.broadcastable_of(t))

    def filter(self, data: Any, allow_downcast: bool | None = None) -> np.ndarray:
        """Convert call data to this type, with Theano's rules (see runtime.convert)."""
        from tensorir.config import config

        return convert(
            data, self.dtype, self.broadcastable, allow_downcast, config.floatX, str(self)
        )


class Op:
    """A frontend op: the ``tir`` op class it becomes and that op's properties.

    ``build`` makes the dialect op from IR operands; ``infer`` is the dialect's type rule.
    """

    __slots__ = ("ir_op", "props", "name")

    def __init__(self, ir_op: type, name: str, **props: Any):
        self.ir_op = ir_op
        self.props = props
        self.name = name

    def build(self, *operands: Any) -> Any:
        return self.ir_op(*operands, **self.props)

    def infer(self, *input_types: TensorType) -> TensorType:
        ir_types = [t.ir_type() for t in input_types]
        return TensorType.from_ir(self.ir_op.infer_type(*ir_types, **self.props))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Op) and (self.ir_op, self.props) == (other.ir_op, other.props)

    def __hash__(self) -> int:
        return hash((self.ir_op, tuple(sorted((k, repr(v)) for k, v in self.props.items()))))

    def __getstate__(self) -> Any:  # pickle protocols 0 and 1 need it for __slots__
        slots = {"ir_op": self.ir_op, "props": self.props, "name": self.name}
        return getattr(self, "__dict__", None) or None, slots

    def __str__(self) -> str:
        if not self.props:
            return self.name
        return f"{self.name}{{{', '.join(f'{k}={v}' for k, v in self.props.items())}}}"


class Apply:
    """One application of an op to input variables, producing output variables.

    Pickled (or deep-copied), it first writes the Applies it depends on that the pickle does
    not hold yet, in topological order, so a graph of any depth pickles without deep
    recursion (see ``_Before`` and ``_SessionToken``).
    """

    __slots__ = ("op", "inputs", "outputs", "trace")

    def __init__(self, op: Op, inputs: Sequence[Variable], output_types: Sequence[TensorType]):
        self.op = op
        self.inputs = list(inputs)
        self.trace = user_line()
        self.outputs = [Variable(t, owner=self, index=i) for i, t in enumerate(output_types)]

    def __copy__(self) -> Apply:
        clone = Apply.__new__(Apply)
        clone.op = self.op
        clone.inputs = self.inputs
        clone.outputs = self.outputs
        clone.trace = self.trace
        return clone

    def __reduce_ex__(self, protocol: Any) -> Any:
        token = _session.token() or _new_session()
        inputs = tuple((v.owner, v.index) if _is_output(v) else v for v in self.inputs)
        outputs = tuple((type(v), _output_state(v)) for v in self.outputs)
        return _rebuild_apply, (token, _Before(self), self.op, self.trace, inputs, outputs)


def apply_op(op: Op, *inputs: Variable) -> Variable:
    """Apply ``op``, computing the output type with the dialect's rule; a type error names the
    user's line."""
    try:
        out_type = op.infer(*(v.type for v in inputs))
    except VerifyException as e:
        where = user_line()
        shapes = ", ".join(f"{v} : {v.type}" for v in inputs)
        raise TypeError(f"{op.name}: {e} (inputs {shapes}; built at {where})") from None
    return Apply(op, inputs, [out_type]).outputs[0]


class Variable:
    """A symbolic value: Theano's TensorVariable. Arithmetic operators build the graph."""

    __array_priority__ = 1000  # numpy defers to our operators: ndarray + Variable -> Variable

    def __init__(
        self,
        type: TensorType,
        owner: Apply | None = None,
        index: int = 0,
        name: str | None = None,
    ):
        self.type = type
        self.owner = owner
        self.index = index
        self.name = name
        self.trace = owner.trace if owner is not None else user_line()

    dtype = property(lambda self: self.type.dtype)
    ndim = property(lambda self: self.type.ndim)
    broadcastable = property(lambda self: self.type.broadcastable)

    def __str__(self) -> str:
        if self.name is not None:
            return self.name
        if self.owner is not None:
            return f"{self.owner.op}.{self.index}"
        return f"<{self.type}>"

    __repr__ = __str__

    def __hash__(self) -> int:
        return id(self)

    def __copy__(self) -> Variable:
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        return clone

    def __reduce_ex__(self, protocol: Any) -> Any:
        """A variable without owner pickles its attributes; the output of an Apply pickles
        the Applies it depends on (``Apply.__reduce_ex__``) and its index."""
        if self.owner is None:
            return super().__reduce_ex__(protocol)
        if _is_output(self):
            return _graph_output, (self.owner, self.index)
        state = _output_state(self)  # a copy of an output, not its Apply's own output
        return _graph_output, (self.owner, self.index, type(self), state)

    def __bool__(self) -> bool:
        raise TypeError(
            "a symbolic variable has no truth value; use tensor.switch / tensor.eq to build "
            "a condition"
        )

    def __iter__(self) -> Any:
        raise TypeError("a symbolic tensor cannot be iterated over")

    # Arithmetic, comparisons, reductions, indexing and shapes: see the end of this file.


class Constant(Variable):
    """A constant in the graph; ``data`` has exactly the variable's dtype."""

    def __init__(self, type: TensorType, data: np.ndarray, name: str | None = None):
        super().__init__(type, name=name)
        self.data = data

    def __str__(self) -> str:
        if self.name is not None:
            return self.name
        return np.array2string(self.data) if self.data.size <= 8 else f"Constant{{{self.type}}}"


# --------------------------------------------------------------------------- pickling


class _SessionToken:
    """Stands for one pickle (or deep copy) in the arguments of every Apply it writes.

    Written once, it stays in the pickler's memo (which keeps it alive: the session holds it
    weakly) and every later Apply of that pickle refers to it for a few bytes. A pickler that
    writes it a second time is another one (a pickle made inside another, or after another
    that is still alive): that starts a new session, whose token it writes instead. So
    ``_session.written`` always lists Applies that the pickler at work holds. It unpickles as
    None.
    """

    __slots__ = ("claimed", "__weakref__")

    def __init__(self) -> None:
        self.claimed = False

    def __reduce__(self) -> Any:
        if not self.claimed:
            self.claimed = True
            return _none, ()
        return _none, (_new_session(),)


class _PickleSession(threading.local):
    def __init__(self) -> None:
        self.token: Callable[[], _SessionToken | None] = lambda: None
        self.written: set[int] = set()


_session = _PickleSession()


def _none(*args: Any) -> None:
    return None


def _new_session() -> _SessionToken:
    token = _SessionToken()
    _session.token = weakref.ref(token)
    _session.written = set()
    return token


class _Before:
    """The Applies ``node`` depends on that the pickle does not hold yet, written before it.

    Resolved when pickle reaches it, after the session token: each of them finds its own
    ancestors written, so the recursion depth stays bounded and each Apply is visited once
    per pickle (the memo keeps the written Applies alive, so their ids are not reused).
    Unpickled, it is None.
    """

    __slots__ = ("node",)

    def __init__(self, node: Apply):
        self.node = node

    def __reduce__(self) -> Any:
        written = _session.written
        before = _unwritten_ancestors(self.node, written)
        written.add(id(self.node))
        return _none, before


def _unwritten_ancestors(node: Apply, written: set[int]) -> tuple[Apply, ...]:
    """The Applies ``node`` depends on that are not in ``written``, in topological order (not
    looking past written ones, whose ancestors are written)."""
    order: list[Apply] = []
    seen = {id(node)}
    stack: list[tuple[Apply, bool]] = [
        (v.owner, False) for v in reversed(node.inputs) if v.owner is not None
    ]
    while stack:
        a, expanded = stack.pop()
        if expanded:
            order.append(a)
            continue
        if id(a) in seen or id(a) in written:
            continue
        seen.add(id(a))
        stack.append((a, True))
        for v in reversed(a.inputs):
            if v.owner is not None and id(v.owner) not in seen and id(v.owner) not in written:
                stack.append((v.owner, False))
    return tuple(order)


def _is_output(v: Variable) -> bool:
    """``v`` is its owner's own output (not a copy of one)."""
    if v.owner is None:
        return False
    outputs = v.owner.outputs
    return 0 <= v.index < len(outputs) and outputs[v.index] is v


def _output_state(v: Variable) -> dict[str, Any]:
    return {k: x for k, x in v.__dict__.items() if k != "owner"}


def _rebuild_apply(
    token: None,
    before: None,
    op: Op,
    trace: SourceLine | None,
    inputs: Sequence[Any],
    outputs: Sequence[Any],
) -> Apply:
    """An unpickled Apply (``before``, its ancestors, were rebuilt first)."""
    node = Apply.__new__(Apply)
    node.op = op
    node.trace = trace
    node.inputs = [x if isinstance(x, Variable) else x[0].outputs[x[1]] for x in inputs]
    node.outputs = []
    for cls, state in outputs:
        v = object.__new__(cls)
        v.__dict__.update(state)
        v.owner = node
        node.outputs.append(v)
    return node


def _graph_output(node: Apply, index: int, cls: type | None = None, state: Any = None) -> Variable:
    """An unpickled output of ``node`` (or a copy of one, with its own attributes)."""
    if cls is None:
        return node.outputs[index]
    v = object.__new__(cls)
    v.__dict__.update(state)
    v.owner = node
    return v


def toposort(outputs: Sequence[Variable]) -> list[Apply]:
    """Applies that compute ``outputs``, each after those it depends on."""
    order: list[Apply] = []
    seen: set[int] = set()
    stack: list[tuple[Apply, bool]] = [(v.owner, False) for v in reversed(outputs) if v.owner]
    while stack:
        node, expanded = stack.pop()
        if id(node) in seen:
            continue
        if expanded:
            seen.add(id(node))
            order.append(node)
            continue
        stack.append((node, True))
        for inp in reversed(node.inputs):
            if inp.owner is not None and id(inp.owner) not in seen:
                stack.append((inp.owner, False))
    return order


def graph_inputs(outputs: Sequence[Variable]) -> list[Variable]:
    """Variables without owner that ``outputs`` depend on, in order of first appearance."""
    found: dict[int, Variable] = {}
    for v in outputs:
        if v.owner is None:
            found.setdefault(id(v), v)
    for node in toposort(outputs):
        for v in node.inputs:
            if v.owner is None:
                found.setdefault(id(v), v)
    return list(found.values())


def clone_replace(
    outputs: Sequence[Variable], replace: Mapping[Variable, Variable]
) -> list[Variable]:
    """``outputs`` with every use of a key of ``replace`` replaced by its value.

    The Applies between the replaced variables and ``outputs`` are cloned (same op, trace and
    output names and types, every output of an Apply with several); the rest of the graph is
    shared, and ``outputs`` themselves are left unchanged. The replacement values are used as
    they are (not searched for keys), and must have the types of the variables they replace.
    """
    new: dict[int, Variable] = {id(k): v for k, v in replace.items()}
    for node in toposort([v for v in outputs if id(v) not in new]):
        if not any(id(v) in new for v in node.inputs):
            continue
        clone = Apply.__new__(Apply)
        clone.op = node.op
        clone.inputs = [new.get(id(v), v) for v in node.inputs]
        clone.trace = node.trace
        clone.outputs = []
        for out in node.outputs:
            c = copy.copy(out)
            c.owner = clone
            clone.outputs.append(c)
            new.setdefault(id(out), c)  # an output that is itself a key stays replaced
    return [new.get(id(v), v) for v in outputs]


Builder = Callable[..., Variable]


# A Variable's operators and methods (``x + 1``, ``x[i]``, ``x.sum()``, ``x.T``) are the
# functions of ``basic`` and ``subtensor``, which import this module: each is looked up in
# ``methods`` when called, so they work wherever a Variable comes from (a shared variable
# made before ``tensorir.tensor`` was imported, an unpickled graph) without an import cycle.
_METHOD_NAMES = (
    "__add__ __radd__ __sub__ __rsub__ __mul__ __rmul__ __truediv__ __rtruediv__ "
    "__floordiv__ __rfloordiv__ __mod__ __rmod__ __pow__ __rpow__ __neg__ __abs__ __lt__ "
    "__gt__ __le__ __ge__ __getitem__ sum prod max min mean dot dimshuffle reshape flatten "
    "transpose astype argmax argmin clip"
).split()
_PROPERTY_NAMES = ("T", "real", "imag", "shape", "size")


def _method(name: str) -> Callable[..., Any]:
    def method(self: Variable, *args: Any, **kwargs: Any) -> Any:
        from tensorir.frontend.methods import METHODS

        return METHODS[name](self, *args, **kwargs)

    method.__name__ = name
    return method


def _property(name: str) -> property:
    def get(self: Variable) -> Any:
        from tensorir.frontend.methods import PROPERTIES

        return PROPERTIES[name](self)

    get.__name__ = name
    return property(get)


for _name in _METHOD_NAMES:
    setattr(Variable, _name, _method(_name))
for _name in _PROPERTY_NAMES:
    setattr(Variable, _name, _property(_name))
