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

    def __str__(self) -> str:
        if not self.props:
            return self.name
        return f"{self.name}{{{', '.join(f'{k}={v}' for k, v in self.props.items())}}}"


class Apply:
    """One application of an op to input variables, producing output variables."""

    __slots__ = ("op", "inputs", "outputs", "trace")

    def __init__(self, op: Op, inputs: Sequence[Variable], output_types: Sequence[TensorType]):
        self.op = op
        self.inputs = list(inputs)
        self.trace = user_line()
        self.outputs = [Variable(t, owner=self, index=i) for i, t in enumerate(output_types)]


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

    def __bool__(self) -> bool:
        raise TypeError(
            "a symbolic variable has no truth value; use tensor.switch / tensor.eq to build "
            "a condition"
        )

    def __iter__(self) -> Any:
        raise TypeError("a symbolic tensor cannot be iterated over")

    # Arithmetic, comparisons, reductions and shape methods are attached in basic.py, next to
    # the functions that build them.


class Constant(Variable):
    """A constant in the graph; ``data`` has exactly the variable's dtype."""

    def __init__(self, type: TensorType, data: np.ndarray, name: str | None = None):
        super().__init__(type, name=name)
        self.data = data

    def __str__(self) -> str:
        if self.name is not None:
            return self.name
        return np.array2string(self.data) if self.data.size <= 8 else f"Constant{{{self.type}}}"


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
