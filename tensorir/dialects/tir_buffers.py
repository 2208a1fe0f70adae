"""Buffer-level ``tir`` ops (level L3): what ``tir-bufferize`` makes of the ops whose
positions are known only at run time, in destination-passing style.

Each writes into a buffer that ``tir-bufferize`` chose (allocated, reused or updated in
place) and has no result; each ``*_shape`` op computes, with the run-time checks that must
come before an allocation, the shape of the buffer to allocate. ``tir-to-loops``
(``tensorir/lowering/to_loops.py``) lowers them to ``scf``/``arith``/``memref`` and
``tir.check``, with the messages of the tensor-level ops, whose ``loc`` attribute they keep.
Scalar operands (slice bounds, integer indices, ``arange``'s bounds) are values, no longer
rank-0 buffers::

    %n = tir.arange_shape %start, %stop, %step : i64
    %r = memref.alloc(%n) : memref<?xi64>
    tir.arange_into %start, %step into %r : i64, memref<?xi64>
    tir.gather_into %x[%rows, %cols] into %g : memref<?x?xf64>, memref<?xi64>, memref<?xi64>
        -> memref<?xf64>

Same namespace as the tensor-level ops (``tir.``); ``tir.py`` adds them to the dialect. This
module imports nothing from ``tir.py`` (the index kinds below are ``tir.subtensor``'s).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from xdsl.dialects.builtin import (
    DenseArrayBase,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    StringAttr,
    UnitAttr,
    i1,
    i64,
)
from xdsl.ir import Attribute, Operation, Region, SSAValue
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    ParsePropInAttrDict,
    VarConstraint,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    opt_result_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import HasParent, NoTerminator, Pure
from xdsl.utils.exceptions import VerifyException

from tensorir.dialects import types as T

# tir.subtensor's index kinds: -1 an integer index, else a slice's bitmask of given parts
_INDEX, _START, _STOP, _STEP = -1, 1, 2, 4


def bounds_taken(kinds: Sequence[int]) -> int:
    """How many scalar bounds index kinds take (one per integer index, one per given slice
    start, stop and step)."""
    return sum(1 if k == _INDEX else bin(k & 7).count("1") for k in kinds)


def is_contiguous(kinds: Sequence[int]) -> bool:
    """Whether ``x[...]`` with these index kinds is a block of consecutive elements of
    ``x``: integer indices on the leading dims, then at most one slice without a step, then
    whole dims."""
    rest = list(kinds)
    while rest and rest[0] == _INDEX:
        rest.pop(0)
    return not rest or (len(rest) == 1 and not rest[0] & _STEP)


def _memref(op_name: str, v: SSAValue, what: str) -> MemRefType:
    t = v.type
    if not isinstance(t, MemRefType):
        raise VerifyException(f"{op_name}: {what} must be a memref, got {t}")
    return t


def _rank(t: MemRefType) -> int:
    return len(t.get_shape())


def _check_kinds(op: Operation, kinds: Sequence[int], rank: int, bounds: Sequence[SSAValue]):
    if len(kinds) > rank:
        raise VerifyException(f"{op.name}: {len(kinds)} indices for a buffer of rank {rank}")
    if any(k != _INDEX and not 0 <= k <= 15 for k in kinds):
        raise VerifyException(f"{op.name}: invalid index kinds {list(kinds)}")
    if bounds_taken(kinds) != len(bounds):
        raise VerifyException(
            f"{op.name}: index kinds {list(kinds)} take {bounds_taken(kinds)} bounds, "
            f"got {len(bounds)}"
        )
    for b in bounds:
        if not isinstance(b.type, IntegerType):
            raise VerifyException(f"{op.name}: bounds must be integer scalars, got {b.type}")


def _part_rank(kinds: Sequence[int], rank: int) -> int:
    return rank - sum(1 for k in kinds if k == _INDEX)


def _check_part(op: _KindsOp, part: MemRefType, whole: MemRefType, what: str) -> None:
    """``part`` (the operand named ``what``) has the element type and rank of the part of
    ``whole`` that ``op``'s index kinds select; the kinds match ``whole`` and the bounds."""
    kinds = op.get_kinds()
    _check_kinds(op, kinds, _rank(whole), list(op.bounds))  # type: ignore[attr-defined]
    if part.element_type != whole.element_type or _rank(part) != _part_rank(kinds, _rank(whole)):
        raise VerifyException(f"{op.name}: {what} {part} is not like a part of {whole}")


def _check_index_buffers(op: Operation, x: MemRefType, indices: Sequence[SSAValue]) -> int:
    """Integer index buffers of one rank indexing the leading dims of ``x``: the rank of
    the gathered part."""
    if not indices or len(indices) > _rank(x):
        raise VerifyException(f"{op.name}: {len(indices)} index buffers for rank {_rank(x)}")
    rank = None
    for i in indices:
        t = _memref(op.name, i, "an index")
        if not T.is_int(T.dtype_of(t.element_type)):
            raise VerifyException(f"{op.name}: index buffers must be integers, got {t}")
        if rank is not None and _rank(t) != rank:
            raise VerifyException(f"{op.name}: index buffers must have one rank")
        rank = _rank(t)
    assert rank is not None
    return rank + _rank(x) - len(indices)


class _KindsOp(IRDLOperation):
    """Shared by the ops that take ``tir.subtensor``'s ``kinds``."""

    def get_kinds(self) -> tuple[int, ...]:
        return tuple(self.kinds.get_values())  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- arange


@irdl_op_definition
class ArangeShapeOp(IRDLOperation):
    """The length of ``numpy.arange(start, stop, step)`` (numpy's count), checked: a zero
    step (or NaN bounds), a count beyond 63 bits or of more than 2**63 - 1 bytes raise
    ValueError. The operands are scalars of the sequence's element type.

    ``%n = tir.arange_shape %start, %stop, %step : f64``
    """

    name = "tir.arange_shape"
    T: ClassVar = VarConstraint("T", AnyAttr())
    start = operand_def(T)
    stop = operand_def(T)
    step = operand_def(T)
    result = result_def(IndexType)
    assembly_format = "$start `,` $stop `,` $step attr-dict `:` type($start)"

    def __init__(self, start: SSAValue, stop: SSAValue, step: SSAValue):
        super().__init__(operands=[start, stop, step], result_types=[IndexType()])

    def verify_(self) -> None:
        t = self.start.type
        if not t == self.stop.type == self.step.type:
            raise VerifyException(f"{self.name}: start, stop and step must have one type")
        dtype = T.dtype_of(t)
        if not (T.is_int(dtype) or T.is_float(dtype)):
            raise VerifyException(f"{self.name}: element type {dtype} is not supported")


@irdl_op_definition
class ArangeIntoOp(IRDLOperation):
    """Fills ``out`` (a vector) with ``start + k * step`` (for floats numpy's exact sequence
    ``start``, ``start + step``, then ``start + k * ((start + step) - start)``).

    ``tir.arange_into %start, %step into %r : f64, memref<?xf64>``
    """

    name = "tir.arange_into"
    T: ClassVar = VarConstraint("T", AnyAttr())
    start = operand_def(T)
    step = operand_def(T)
    out = operand_def(MemRefType)
    assembly_format = "$start `,` $step `into` $out attr-dict `:` type($start) `,` type($out)"

    def __init__(self, start: SSAValue, step: SSAValue, out: SSAValue):
        super().__init__(operands=[start, step, out])

    def verify_(self) -> None:
        t = _memref(self.name, self.out, "out")
        if _rank(t) != 1 or t.element_type != self.start.type or self.step.type != t.element_type:
            raise VerifyException(f"{self.name}: out must be a vector of the bounds' type, got {t}")


# --------------------------------------------------------------------------- basic indexing


@irdl_op_definition
class SubtensorViewOp(_KindsOp):
    """``x[i, a:b, ...]`` when it is a block of consecutive elements of ``x`` (integer
    indices on the leading dims, then at most one slice without step): a view of ``x``,
    no copy. Indices are wrapped and checked (IndexError), slices clamped, as
    ``tir.subtensor``.

    ``%rows = tir.subtensor_view %data[%lo, %hi] {kinds = array<i64: 3>}
    : (memref<?x?xf64>, i64, i64) -> memref<?x?xf64>``
    """

    name = "tir.subtensor_view"
    input = operand_def(MemRefType)
    bounds = var_operand_def(IntegerType)
    kinds = prop_def(DenseArrayBase)
    result = result_def(MemRefType)
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$input `[` $bounds `]` attr-dict `:` `(` type($input) (`,` type($bounds)^)? `)` "
        "`->` type($result)"
    )

    def __init__(
        self, input: SSAValue, bounds: Sequence[SSAValue], kinds: Sequence[int], t: Attribute
    ):
        super().__init__(
            operands=[input, list(bounds)],
            properties={"kinds": DenseArrayBase.from_list(i64, list(kinds))},
            result_types=[t],
        )

    def verify_(self) -> None:
        x = _memref(self.name, self.input, "input")
        _check_kinds(self, self.get_kinds(), _rank(x), list(self.bounds))
        if not is_contiguous(self.get_kinds()):
            raise VerifyException(
                f"{self.name}: index kinds {list(self.get_kinds())} are not a view"
            )
        r = self.result.type
        assert isinstance(r, MemRefType)
        if r.element_type != x.element_type or _rank(r) != _part_rank(self.get_kinds(), _rank(x)):
            raise VerifyException(f"{self.name}: result type {r} is not a part of {x}")


@irdl_op_definition
class SubtensorShapeOp(_KindsOp):
    """The shape of ``x[i, a:b:c, ...]`` (one size per dim of the part), checked: an index
    out of range is an IndexError, a zero step a ValueError.

    ``%n = tir.subtensor_shape %x[%i, %lo, %hi, %step] {kinds = array<i64: -1, 7>}
    : (memref<?x?xf64>, i64, i64, i64, i64) -> index``
    """

    name = "tir.subtensor_shape"
    input = operand_def(MemRefType)
    bounds = var_operand_def(IntegerType)
    kinds = prop_def(DenseArrayBase)
    sizes = var_result_def(IndexType)
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$input `[` $bounds `]` attr-dict `:` `(` type($input) (`,` type($bounds)^)? `)` "
        "`->` type($sizes)"
    )

    def __init__(self, input: SSAValue, bounds: Sequence[SSAValue], kinds: Sequence[int]):
        t = input.type
        assert isinstance(t, MemRefType)
        n = _part_rank(kinds, _rank(t))
        super().__init__(
            operands=[input, list(bounds)],
            properties={"kinds": DenseArrayBase.from_list(i64, list(kinds))},
            result_types=[[IndexType()] * n],
        )

    def verify_(self) -> None:
        x = _memref(self.name, self.input, "input")
        _check_kinds(self, self.get_kinds(), _rank(x), list(self.bounds))
        if len(self.sizes) != _part_rank(self.get_kinds(), _rank(x)):
            raise VerifyException(f"{self.name}: one size per dim of the part")


@irdl_op_definition
class SubtensorIntoOp(_KindsOp):
    """Copies ``x[i, a:b:c, ...]`` (Python's semantics, as ``tir.subtensor``) into ``out``,
    which has the part's shape (``tir.subtensor_shape``). Indices are checked as there.

    ``tir.subtensor_into %x[%i, %lo, %hi, %step] into %row {kinds = array<i64: -1, 7>}
    : (memref<?x?xf64>, i64, i64, i64, i64) -> memref<?xf64>``
    """

    name = "tir.subtensor_into"
    input = operand_def(MemRefType)
    bounds = var_operand_def(IntegerType)
    out = operand_def(MemRefType)
    kinds = prop_def(DenseArrayBase)
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$input `[` $bounds `]` `into` $out attr-dict `:` `(` type($input) "
        "(`,` type($bounds)^)? `)` `->` type($out)"
    )

    def __init__(
        self, input: SSAValue, bounds: Sequence[SSAValue], out: SSAValue, kinds: Sequence[int]
    ):
        super().__init__(
            operands=[input, list(bounds), out],
            properties={"kinds": DenseArrayBase.from_list(i64, list(kinds))},
        )

    def verify_(self) -> None:
        x = _memref(self.name, self.input, "input")
        out = _memref(self.name, self.out, "out")
        _check_part(self, out, x, "out")


@irdl_op_definition
class IncSubtensorIntoOp(_KindsOp):
    """``out[i, a:b:c, ...] += value`` (``set``: ``= value``) in place, as Theano's
    ``inc_subtensor``/``set_subtensor`` on a buffer holding the input (``tir-bufferize``
    copies it there, or reuses a dead temporary). The value stretches along its static
    size-1 dims; another shape is a ValueError, an index out of range an IndexError.

    ``tir.inc_subtensor_into %v into %y[%lo] {kinds = array<i64: 1>, set = false}
    : memref<1x?xf64>, memref<?x?xf64>, i64``
    """

    name = "tir.inc_subtensor_into"
    value = operand_def(MemRefType)
    out = operand_def(MemRefType)
    bounds = var_operand_def(IntegerType)
    kinds = prop_def(DenseArrayBase)
    set = prop_def(IntegerAttr)
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$value `into` $out `[` $bounds `]` attr-dict `:` type($value) `,` type($out) "
        "(`,` type($bounds)^)?"
    )

    def __init__(
        self,
        value: SSAValue,
        out: SSAValue,
        bounds: Sequence[SSAValue],
        kinds: Sequence[int],
        set: bool = False,
    ):
        super().__init__(
            operands=[value, out, list(bounds)],
            properties={
                "kinds": DenseArrayBase.from_list(i64, list(kinds)),
                "set": IntegerAttr(int(set), i1),
            },
        )

    def is_set(self) -> bool:
        return bool(self.set.value.data)

    def verify_(self) -> None:
        out = _memref(self.name, self.out, "out")
        v = _memref(self.name, self.value, "value")
        _check_part(self, v, out, "value")


# --------------------------------------------------------------------------- integer arrays


@irdl_op_definition
class GatherIntoOp(IRDLOperation):
    """``out[p, ...] = x[i0[p], i1[p], ..., ...]`` for every position ``p`` of the index
    buffers, which must have one shape (IndexError); indices are wrapped and checked
    (IndexError). ``out`` has the indices' shape then the remaining dims of ``x``.

    ``tir.gather_into %x[%rows, %cols] into %g
    : (memref<?x?xf64>, memref<?xi64>, memref<?xi32>) -> memref<?xf64>``
    """

    name = "tir.gather_into"
    input = operand_def(MemRefType)
    indices = var_operand_def(MemRefType)
    out = operand_def(MemRefType)
    assembly_format = (
        "$input `[` $indices `]` `into` $out attr-dict `:` `(` type($input) `,` "
        "type($indices) `)` `->` type($out)"
    )

    def __init__(self, input: SSAValue, indices: Sequence[SSAValue], out: SSAValue):
        super().__init__(operands=[input, list(indices), out])

    def verify_(self) -> None:
        x = _memref(self.name, self.input, "input")
        out = _memref(self.name, self.out, "out")
        rank = _check_index_buffers(self, x, list(self.indices))
        if out.element_type != x.element_type or _rank(out) != rank:
            raise VerifyException(f"{self.name}: out {out} is not like the gathered part")


class ScatterIntoBase(IRDLOperation):
    """Writes each ``value[p, ...]`` at ``out[i0[p], i1[p], ..., ...]``, in index order, in
    place (``out`` holds a copy of the tensor-level op's input). ``value`` must have the
    gathered part's shape (ValueError); indices as ``tir.gather_into``."""

    value = operand_def(MemRefType)
    out = operand_def(MemRefType)
    indices = var_operand_def(MemRefType)
    assembly_format = (
        "$value `into` $out `[` $indices `]` attr-dict `:` type($value) `,` type($out) `,` "
        "type($indices)"
    )
    # the name in messages: the tensor-level op's
    KIND: ClassVar[str] = ""
    # whether each value is added (repeated indices accumulate) rather than stored
    ADDS: ClassVar[bool] = False

    def __init__(self, value: SSAValue, out: SSAValue, indices: Sequence[SSAValue]):
        super().__init__(operands=[value, out, list(indices)])

    def verify_(self) -> None:
        out = _memref(self.name, self.out, "out")
        v = _memref(self.name, self.value, "value")
        rank = _check_index_buffers(self, out, list(self.indices))
        if v.element_type != out.element_type or _rank(v) != rank:
            raise VerifyException(f"{self.name}: value {v} is not like the gathered part")


@irdl_op_definition
class ScatterAddIntoOp(ScatterIntoBase):
    """``tir.scatter_add`` in place: each value is added (repeated indices accumulate).

    ``tir.scatter_add_into %v into %s[%rows] : memref<?x?xf64>, memref<?x?xf64>,
    memref<?xi64>``
    """

    name = "tir.scatter_add_into"
    KIND: ClassVar[str] = "scatter_add"
    ADDS: ClassVar[bool] = True


@irdl_op_definition
class ScatterIntoOp(ScatterIntoBase):
    """``tir.scatter`` in place: each value is stored (of repeated indices the last wins).

    ``tir.scatter_into %v into %s[%rows] : memref<?x?xf64>, memref<?x?xf64>, memref<?xi64>``
    """

    name = "tir.scatter_into"
    KIND: ClassVar[str] = "scatter"


# --------------------------------------------------------------------------- concatenate


def _check_concatenated(op: Operation, inputs: Sequence[SSAValue], axis: int) -> MemRefType:
    if not inputs:
        raise VerifyException(f"{op.name}: needs at least one input")
    first = _memref(op.name, inputs[0], "an input")
    if not 0 <= axis < _rank(first):
        raise VerifyException(f"{op.name}: axis {axis} is out of range for rank {_rank(first)}")
    for v in inputs:
        t = _memref(op.name, v, "an input")
        if t.element_type != first.element_type or _rank(t) != _rank(first):
            raise VerifyException(f"{op.name}: inputs must have one rank and element type")
    return first


@irdl_op_definition
class ConcatenateShapeOp(IRDLOperation):
    """The shape of ``numpy.concatenate(inputs, axis)``, checked: the inputs must agree off
    the axis, and the result's size in bytes must fit 63 bits (ValueError).

    ``%r, %c = tir.concatenate_shape %a, %b {axis = 1 : i64}
    : (memref<?x?xf64>, memref<?x?xf64>) -> (index, index)``
    """

    name = "tir.concatenate_shape"
    inputs = var_operand_def(MemRefType)
    axis = prop_def(IntegerAttr)
    sizes = var_result_def(IndexType)
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$inputs attr-dict `:` `(` type($inputs) `)` `->` `(` type($sizes) `)`"

    def __init__(self, inputs: Sequence[SSAValue], axis: int):
        t = inputs[0].type
        assert isinstance(t, MemRefType)
        super().__init__(
            operands=[list(inputs)],
            properties={"axis": IntegerAttr(axis, i64)},
            result_types=[[IndexType()] * _rank(t)],
        )

    def get_axis(self) -> int:
        return self.axis.value.data

    def verify_(self) -> None:
        first = _check_concatenated(self, list(self.inputs), self.get_axis())
        if len(self.sizes) != _rank(first):
            raise VerifyException(f"{self.name}: one size per dim")


@irdl_op_definition
class ConcatenateIntoOp(IRDLOperation):
    """Copies each input into ``out`` at its offset along ``axis`` (``out`` has
    ``tir.concatenate_shape``'s shape).

    ``tir.concatenate_into %a, %b into %ab {axis = 1 : i64}
    : (memref<?x?xf64>, memref<?x?xf64>) -> memref<?x?xf64>``
    """

    name = "tir.concatenate_into"
    inputs = var_operand_def(MemRefType)
    out = operand_def(MemRefType)
    axis = prop_def(IntegerAttr)
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$inputs `into` $out attr-dict `:` `(` type($inputs) `)` `->` type($out)"

    def __init__(self, inputs: Sequence[SSAValue], out: SSAValue, axis: int):
        super().__init__(operands=[list(inputs), out], properties={"axis": IntegerAttr(axis, i64)})

    def get_axis(self) -> int:
        return self.axis.value.data

    def verify_(self) -> None:
        first = _check_concatenated(self, list(self.inputs), self.get_axis())
        out = _memref(self.name, self.out, "out")
        if out.element_type != first.element_type or _rank(out) != _rank(first):
            raise VerifyException(f"{self.name}: out {out} is not like the inputs")


# --------------------------------------------------------------------------- scan


@irdl_op_definition
class ScanIntoOp(IRDLOperation):
    """``tir.scan`` on buffers: the body runs ``n`` times, its argument the row of the step
    (``0, 1, ..., n - 1``, or ``n - 1`` down to ``0`` with ``reverse``). The body reads the
    buffers above it (the sequences' rows are views at that row), stores each state's value
    into its history row (``tir.row_into``), computes the step in buffers of its own, writes
    the stacked values into their rows and the next states into the states' buffers
    (``tir.copy_into``), and frees its temporaries. No terminator.

    ``tir.scan_into %n {reverse} : index { ^bb0(%t: index): ... }``

    With ``stop`` (Theano's ``until``), a stack slot the body sets to whether the loop must
    stop after this step: the loop stops then, and ``steps`` is the number of steps done.

    ``%m = tir.scan_into %n stop %stop : index, memref<i1> -> index { ... }``
    """

    name = "tir.scan_into"
    n = operand_def(IndexType)
    stop = opt_operand_def(MemRefType)
    steps = opt_result_def(IndexType)
    reverse = opt_prop_def(UnitAttr)
    body = region_def("single_block")
    traits = traits_def(NoTerminator())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$n (`stop` $stop^)? attr-dict `:` type($n) (`,` type($stop)^)? (`->` type($steps)^)? $body"
    )

    def __init__(
        self, n: SSAValue, body: Region, reverse: bool = False, stop: SSAValue | None = None
    ):
        props = {"reverse": UnitAttr()} if reverse else {}
        super().__init__(
            operands=[n, [stop] if stop is not None else []],
            result_types=[[IndexType()] if stop is not None else []],
            regions=[body],
            properties=props,
        )

    def verify_(self) -> None:
        args = self.body.block.args
        if len(args) != 1 or not isinstance(args[0].type, IndexType):
            raise VerifyException(f"{self.name}: the body takes one argument, the step's row")


@irdl_op_definition
class CopyIntoOp(IRDLOperation):
    """Copies ``source`` into ``dest`` after checking that they have the same shape
    (ValueError: ``what`` has shape (...) but must have shape (...)).

    ``tir.copy_into %h1 into %h {what = "scan: the next value of state 0"} :
    memref<?xf64>, memref<?xf64>``
    """

    name = "tir.copy_into"
    source = operand_def(MemRefType)
    dest = operand_def(MemRefType)
    what = prop_def(StringAttr)
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$source `into` $dest attr-dict `:` type($source) `,` type($dest)"

    def __init__(self, source: SSAValue, dest: SSAValue, what: str):
        super().__init__(operands=[source, dest], properties={"what": StringAttr(what)})

    def verify_(self) -> None:
        a = _memref(self.name, self.source, "source")
        b = _memref(self.name, self.dest, "dest")
        if a.element_type != b.element_type or _rank(a) != _rank(b):
            raise VerifyException(f"{self.name}: {a} cannot be copied into {b}")


# --------------------------------------------------------------------------- map


@irdl_op_definition
class MapIntoOp(IRDLOperation):
    """``tir.map`` on buffers: the body runs once per row ``i`` of ``out`` (its argument, an
    ``index``), computes that row in buffers of its own and writes it with ``tir.row_into``;
    it frees its own temporaries. No terminator.

    ``tir.map_into %J : memref<?x?xf64> { ^bb0(%i: index): ... tir.row_into %row into
    %J[%i] : memref<?xf64>, memref<?x?xf64> memref.dealloc %row : memref<?xf64> }``
    """

    name = "tir.map_into"
    out = operand_def(MemRefType)
    body = region_def("single_block")
    traits = traits_def(NoTerminator())
    assembly_format = "$out attr-dict `:` type($out) $body"

    def __init__(self, out: SSAValue, body: Region):
        super().__init__(operands=[out], regions=[body])

    def verify_(self) -> None:
        out = _memref(self.name, self.out, "out")
        if _rank(out) < 1:
            raise VerifyException(f"{self.name}: out must have rows")
        args = self.body.block.args
        if len(args) != 1 or not isinstance(args[0].type, IndexType):
            raise VerifyException(f"{self.name}: the body takes one argument, the row index")


@irdl_op_definition
class RowIntoOp(IRDLOperation):
    """Copies ``row`` into row ``i`` of ``out`` after checking that it has the shape of
    ``out``'s rows (ValueError, the ``tir.map``'s message).

    ``tir.row_into %row into %J[%i] : memref<?xf64>, memref<?x?xf64>``
    """

    name = "tir.row_into"
    row = operand_def(MemRefType)
    out = operand_def(MemRefType)
    index = operand_def(IndexType)
    traits = traits_def(HasParent(MapIntoOp, ScanIntoOp))
    assembly_format = "$row `into` $out `[` $index `]` attr-dict `:` type($row) `,` type($out)"

    def __init__(self, row: SSAValue, out: SSAValue, index: SSAValue):
        super().__init__(operands=[row, out, index])

    def verify_(self) -> None:
        row = _memref(self.name, self.row, "row")
        out = _memref(self.name, self.out, "out")
        if row.element_type != out.element_type or _rank(row) + 1 != _rank(out):
            raise VerifyException(f"{self.name}: {row} is not a row of {out}")


# Added to the tir dialect by tir.py.
@irdl_op_definition
class ViewOp(IRDLOperation):
    """A view of ``sizes`` consecutive elements (row-major) of a buffer, starting ``offset``
    elements in: what ``tir-to-loops`` makes of a ``tir.subtensor_view``, a slice of leading
    dims (``x[i]``, ``x[a:b]``), so that a minibatch ``data[i * b:(i + 1) * b]`` is not
    copied.

    ``%rows = tir.view %data[%offset](%n, %m) : (memref<?x?xf64>, index, index, index)
    -> memref<?x?xf64>``
    """

    name = "tir.view"
    input = operand_def(MemRefType)
    offset = operand_def(IndexType)
    sizes = var_operand_def(IndexType)
    result = result_def(MemRefType)
    traits = traits_def(Pure())
    assembly_format = (
        "$input `[` $offset `]` `(` $sizes `)` attr-dict `:` `(` type($input) `,` "
        "type($offset) (`,` type($sizes)^)? `)` `->` type($result)"
    )

    def __init__(
        self, input: SSAValue, offset: SSAValue, sizes: Sequence[SSAValue], result_type: Attribute
    ):
        super().__init__(operands=[input, offset, list(sizes)], result_types=[result_type])

    def verify_(self) -> None:
        it, rt = self.input.type, self.result.type
        assert isinstance(it, MemRefType) and isinstance(rt, MemRefType)
        if it.element_type != rt.element_type:
            raise VerifyException("tir.view: element types differ")
        if len(self.sizes) != len(rt.get_shape()):
            raise VerifyException(
                f"tir.view: {len(self.sizes)} sizes for a result of rank {len(rt.get_shape())}"
            )

    def reference(self, input: np.ndarray, offset: np.ndarray, *sizes: np.ndarray) -> np.ndarray:
        """The ``prod(sizes)`` elements from ``offset`` on of the row-major buffer, in that
        shape (past its end: IndexError)."""
        start, shape = int(offset), [int(s) for s in sizes]
        n = math.prod(shape)
        if start < 0 or min(shape, default=0) < 0 or start + n > input.size:
            raise IndexError(
                f"view: {n} elements from offset {start} do not fit a buffer of {input.size}"
            )
        return np.reshape(input, -1)[start : start + n].reshape(shape)


BUFFER_OPS: list[type[Operation]] = [
    ArangeShapeOp,
    ArangeIntoOp,
    SubtensorViewOp,
    ViewOp,
    SubtensorShapeOp,
    SubtensorIntoOp,
    IncSubtensorIntoOp,
    GatherIntoOp,
    ScatterAddIntoOp,
    ScatterIntoOp,
    ConcatenateShapeOp,
    ConcatenateIntoOp,
    MapIntoOp,
    ScanIntoOp,
    CopyIntoOp,
    RowIntoOp,
]
