"""``tir-bufferize`` (L2 -> L3): tensors become buffers (``memref``s).

- A function's tensor arguments become memrefs; rank-0 ones become scalars passed by value
  (stored into a stack slot so that kernels read every operand the same way).
- ``tensor.empty`` becomes ``memref.alloc`` (``memref.alloca`` for rank 0); each
  ``linalg.generic`` writes into the buffer of its ``outs`` operand.
- Temporaries are reused: an elementwise kernel writes into an input temporary of the same
  type that dies there, instead of a fresh buffer.
- ``tir.constant`` becomes a ``memref.global``; ``tir.reshape`` a view of its input buffer.
- ``tir.arange``, ``tir.map`` and the indexing ops (positions known only at run time) become
  the buffer-level ops of ``dialects/tir_buffers.py`` writing into the buffer chosen here: a
  contiguous ``tir.subtensor`` a view (``tir.subtensor_view``), others a fresh buffer of the
  size a ``*_shape`` op computes, or a copy of the input (or the input itself, a temporary
  that dies there) that ``tir.inc_subtensor_into``/``tir.scatter_*_into`` update in place;
  ``tir.map`` a ``tir.map_into`` whose body owns its temporaries. ``tir-to-loops`` makes
  their loops and run-time checks; this pass creates no loop.
- Results: a rank-0 result is returned by value; any other is a buffer this function owns and
  hands to the caller. A result that is an argument, a constant or already returned is copied
  into a fresh buffer first.
- Every temporary the caller does not receive is freed right after its last use.
- Updates (results marked ``tir.update = k``, the new value of argument k, a shared
  variable): an update computed by an all-parallel ``linalg.generic`` that reads argument k
  element for element (same type, aligned indexing map, no view of it) and has no other use
  is written into argument k's buffer when no later op reads that buffer, and the function
  returns argument k itself. Such generics move to just before the return (their only use),
  ordered so that none reads an argument already overwritten; one that cannot be ordered so
  stays where it was and writes a fresh buffer. The copies of returned results are made
  before the first in-place write, so nothing can fail (no check, allocation or copy) once a
  shared buffer has been modified: a call either commits every update or none. An update
  that is argument k itself is returned as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects import tensor as xtensor
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    AffineMapAttr,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    StringAttr,
    TensorType,
    UnitAttr,
)
from xdsl.dialects.linalg.ops import GenericOp, YieldOp
from xdsl.ir import Attribute, Block, BlockArgument, Operation, OpResult, Region, SSAValue
from xdsl.ir.affine import AffineConstantExpr, AffineMap
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.traits import IsTerminator
from xdsl.utils.exceptions import PassFailedException

from tensorir.abi import UPDATE_ATTR
from tensorir.dialects import tir
from tensorir.dialects import tir_buffers as tb
from tensorir.dialects import types as T


def memref_type(t: TensorType) -> MemRefType:
    return MemRefType(t.element_type, t.get_shape())


class FunctionBufferization:
    """Bufferizes one block: a function's body (``run``), or a ``tir.map`` body turned into
    a loop body (``run_body``), which shares the buffers of the values above it but owns,
    and frees, its own temporaries."""

    def __init__(
        self,
        module: ModuleOp,
        fn: func.FuncOp,
        block: Block | None = None,
        parent: FunctionBufferization | None = None,
    ):
        self.module = module
        self.fn = fn
        self.block: Block = block or fn.body.blocks.first  # type: ignore[assignment]
        self.buf: dict[SSAValue, SSAValue] = parent.buf if parent else {}
        # the buffer each buffer value views; owned buffers are their own root
        self.root: dict[SSAValue, SSAValue] = parent.root if parent else {}
        # malloc-ed temporaries, in order of allocation (a dict: ordered, O(1) membership)
        self.owned: dict[SSAValue, None] = {}
        self.last_use: dict[SSAValue, Operation] = {}
        self.dead: list[Operation] = []
        # updates written in place: tensor-level generic -> the argument it overwrites
        self.in_place: dict[Operation, SSAValue] = {}
        # results returned as their argument itself (written in place, or unchanged)
        self.returned_in_place: set[int] = set()
        # the first in-place write: every copy of a returned result is made before it
        self.first_write: Operation | None = None
        # body of each tir.map_into -> (result buffer, row index, the tir.map's loc)
        self.map_targets: dict[Block, tuple[SSAValue, SSAValue, Attribute | None]] = (
            parent.map_targets if parent else {}
        )
        # body of each tir.scan_into -> where its yield goes (see convert_scan)
        self.scan_targets: dict[Block, ScanTargets] = parent.scan_targets if parent else {}

    def insert_before(self, op: Operation, anchor: Operation) -> Operation:
        Rewriter.insert_op(op, InsertPoint.before(anchor))
        return op

    def run(self) -> None:
        block = self.block
        first = block.first_op
        assert first is not None
        self.schedule_updates()
        self.find_last_uses()
        old_args = [a for a in block.args if isinstance(a.type, TensorType)]
        self.convert_arguments(first)
        self.convert_all()
        for arg in old_args:
            block.erase_arg(arg)
        self.insert_deallocs()
        self.fn.update_function_type()

    def find_last_uses(self) -> None:
        """The op of this block that reads each tensor last (uses inside an op's regions
        count as uses by that op; a use of a view is a use of what it views, so that no
        kernel overwrites a buffer a view of it will still read)."""
        view_of: dict[SSAValue, SSAValue] = {}
        for op in self.block.ops:
            if is_view(op):
                view_of[op.results[0]] = op.operands[0]
            for operand in tir.reads(op):
                v: SSAValue | None = operand
                while v is not None and isinstance(v.type, TensorType):
                    self.last_use[v] = op
                    v = view_of.get(v)

    def convert_all(self) -> None:
        for op in list(self.block.ops):
            self.convert(op)
        for op in reversed(self.dead):
            op.drop_all_references()
        for op in self.dead:
            op.erase(safe_erase=False)
        self.dead.clear()

    def run_body(self) -> None:
        """Bufferize a loop body made from a ``tir.map`` body (see ``convert_map``)."""
        self.find_last_uses()
        self.convert_all()
        self.insert_deallocs()

    # -- updates in place ------------------------------------------------------------------

    def updates(self, ret: func.ReturnOp) -> dict[int, int]:
        """Result index -> index of the argument it updates (``tir.update``)."""
        found: dict[int, int] = {}
        if self.fn.res_attrs is None:
            return found
        nargs = len(self.block.args)
        for i, attrs in enumerate(self.fn.res_attrs.data):
            k = attrs.data.get(UPDATE_ATTR)
            if isinstance(k, IntegerAttr) and 0 <= k.value.data < nargs and i < len(ret.operands):
                found[i] = k.value.data
        return found

    def schedule_updates(self) -> None:
        """Choose the updates written in place and move their generics before the return."""
        ret = self.block.last_op
        if not isinstance(ret, func.ReturnOp):
            return
        args = list(self.block.args)
        # the argument each tensor value is (a view of)
        alias: dict[SSAValue, int] = {a: a.index for a in args if isinstance(a.type, TensorType)}
        for op in self.block.ops:
            if is_view(op) and op.operands[0] in alias:
                alias[op.results[0]] = alias[op.operands[0]]
        candidates: list[tuple[GenericOp, int, int]] = []  # (generic, result, argument)
        claimed: set[int] = set()
        for i, k in self.updates(ret).items():
            v, arg = ret.operands[i], args[k]
            if k in claimed or not isinstance(arg.type, TensorType) or not arg.type.get_shape():
                continue
            if v is arg:  # unchanged: nothing to write, nothing to copy
                claimed.add(k)
                self.returned_in_place.add(i)
            elif self.writes_in_place(v, arg, alias):
                claimed.add(k)
                assert isinstance(v.owner, GenericOp)
                candidates.append((v.owner, i, k))
        # Order: a generic may overwrite its argument only if no generic after it reads that
        # argument. Take one whose argument no other remaining generic reads; when none is
        # left (a cycle, e.g. a swap), the first remaining one stays where it is, out of place.
        reads = {c: {alias[x] for x in c.inputs if x in alias} for c, _, _ in candidates}
        remaining = list(candidates)
        while remaining:
            for cand in remaining:
                if not any(cand[2] in reads[o[0]] for o in remaining if o is not cand):
                    break
            else:
                remaining.pop(0)
                continue
            remaining.remove(cand)
            gen, i, k = cand
            gen.detach()
            self.block.insert_op_before(gen, ret)
            self.in_place[gen] = args[k]
            self.returned_in_place.add(i)

    def writes_in_place(self, v: SSAValue, arg: BlockArgument, alias: dict[SSAValue, int]) -> bool:
        """Whether ``v`` (an update of ``arg``) is computed by an all-parallel generic that may
        write into ``arg``'s buffer: same type, its only use is the return, its ``outs`` is a
        ``tensor.empty``, and it reads ``arg`` only directly and element for element."""
        gen = v.owner
        if (
            not isinstance(gen, GenericOp)
            or len(gen.outputs) != 1
            or not v.has_one_use()
            or v.type != arg.type
            or gen.library_call is not None
            or any(it.data.value != "parallel" for it in gen.iterator_types)
            or not isinstance(gen.outputs[0].owner, xtensor.EmptyOp)
        ):
            return False
        assert isinstance(arg.type, TensorType)
        shape = arg.type.get_shape()
        maps = [m.data for m in gen.indexing_maps.data]
        if maps[-1] != AffineMap.identity(len(shape)):
            return False
        reads_arg = False
        for x, m in zip(gen.inputs, maps, strict=False):
            if alias.get(x) != arg.index:
                continue
            if x is not arg or not _aligned(m, shape):
                return False
            reads_arg = True
        return reads_arg

    # -- arguments -------------------------------------------------------------------------

    def convert_arguments(self, first: Operation) -> None:
        for arg in list(self.block.args):
            t = arg.type
            if not isinstance(t, TensorType):
                continue
            if t.get_shape():
                new = self.block.insert_arg(memref_type(t), arg.index)
                self.buf[arg] = new
                self.root[new] = new
            else:  # scalar by value, stored into a stack slot
                new = self.block.insert_arg(t.element_type, arg.index)
                slot = self.insert_before(memref.AllocaOp.get(t.element_type, shape=[]), first)
                self.insert_before(memref.StoreOp.get(new, slot.results[0], []), first)
                self.buf[arg] = slot.results[0]
                self.root[slot.results[0]] = slot.results[0]
            new.name_hint = arg.name_hint

    # -- ops ---------------------------------------------------------------------------------

    def convert(self, op: Operation) -> None:
        if isinstance(op, xtensor.EmptyOp):
            t = op.tensor.type
            assert isinstance(t, TensorType)
            if t.get_shape():
                new = memref.AllocOp(list(op.dynamic_sizes), [], memref_type(t))
                self.owned[new.results[0]] = None
            else:
                new = memref.AllocaOp.get(t.element_type, shape=[])
            self.replace(op, new)
            self.root[new.results[0]] = new.results[0]
        elif isinstance(op, xtensor.ExtractOp):  # a scalar read: a load
            new = memref.LoadOp.get(self.buf[op.tensor], list(op.indices))
            self.insert_before(new, op)
            op.results[0].replace_all_uses_with(new.results[0])
            op.detach()
            op.erase()
        elif isinstance(op, xtensor.DimOp):
            new = memref.DimOp(self.buf[op.source], op.index)
            op.results[0].replace_all_uses_with(new.results[0])
            self.insert_before(new, op)
            op.detach()
            op.erase()
        elif isinstance(op, GenericOp):
            self.convert_generic(op)
        elif isinstance(op, tir.ConstantOp):
            self.convert_constant(op)
        elif isinstance(op, tir.ReshapeOp) and isinstance(op.input.type, TensorType):
            t = op.result.type
            assert isinstance(t, TensorType)
            new = tir.ReshapeOp(self.buf[op.input], list(op.sizes), memref_type(t))
            self.root[new.result] = self.root[self.buf[op.input]]
            self.replace(op, new)
        elif isinstance(op, func.ReturnOp):
            self.convert_return(op)
        elif isinstance(op, tir.ArangeOp):
            self.convert_arange(op)
        elif isinstance(op, tir.SubtensorOp):
            self.convert_subtensor(op)
        elif isinstance(op, tir.IncSubtensorOp):
            self.convert_inc_subtensor(op)
        elif isinstance(op, tir.GatherOp):
            self.convert_gather(op)
        elif isinstance(op, tir.ScatterBase):
            self.convert_scatter(op)
        elif isinstance(op, tir.ConcatenateOp):
            self.convert_concatenate(op)
        elif isinstance(op, tir.MapOp):
            self.convert_map(op)
        elif isinstance(op, tir.IfOp):
            self.convert_if(op)
        elif isinstance(op, tir.YieldOp) and isinstance(op.parent_op(), scf.IfOp):
            self.convert_branch_yield(op)
        elif isinstance(op, tir.YieldOp):
            self.convert_yield(op)
        elif isinstance(op, tir.ScanOp):
            self.convert_scan(op)
        elif isinstance(op, tir.ScanYieldOp):
            self.convert_scan_yield(op)
        elif any(isinstance(v.type, TensorType) for v in (*op.operands, *op.results)):
            raise PassFailedException(f"tir-bufferize: cannot bufferize {op.name}")

    def replace(self, op: Operation, new: Operation) -> None:
        """Put ``new`` where tensor-valued ``op`` was; its result is the buffer of op's result."""
        self.insert_before(new, op)
        new.results[0].name_hint = op.results[0].name_hint
        self.buf[op.results[0]] = new.results[0]
        self.erase_later(op)

    def erase_later(self, op: Operation) -> None:
        """Detach a tensor op now; erase it once no tensor op uses its results."""
        op.detach()
        self.dead.append(op)

    def reusable_input(self, op: GenericOp) -> SSAValue | None:
        """An input temporary the elementwise ``op`` may overwrite: same type as the output,
        read at the same index, and dead after ``op``."""
        if any(it.data.value != "parallel" for it in op.iterator_types):
            return None
        out = op.outputs[0]
        maps = op.indexing_maps.data
        identity = AffineMapAttr(AffineMap.identity(len(out.type.get_shape())))
        for i, inp in enumerate(op.inputs):
            b = self.buf.get(inp)
            if (
                b is not None
                and inp.type == out.type
                and maps[i] == identity
                and self.root.get(b) is b
                and b in self.owned
                and self.last_use.get(inp) is op
                and self.read_only_here(op, i, b, identity)
            ):
                return b
        return None

    def read_only_here(self, op: GenericOp, i: int, b: SSAValue, identity: AffineMapAttr) -> bool:
        """Whether input ``i`` is the only way ``op`` reads buffer ``b``, other than reading
        ``b`` itself element for element too: writing element k of ``b`` is then safe once
        element k is read (``e.T + e`` reads ``b`` transposed as well: not safe)."""
        maps = op.indexing_maps.data
        for j, other in enumerate(op.inputs):
            ob = self.buf.get(other)
            if j == i or ob is None or self.root.get(ob) is not b:
                continue
            if ob is not b or maps[j] != identity:
                return False
        return True

    def convert_generic(self, op: GenericOp) -> None:
        if len(op.outputs) != 1:
            raise PassFailedException("tir-bufferize: generics with one output only")
        out_tensor = op.outputs[0]
        out_buf = self.buf[out_tensor]
        reuse = None
        target = self.in_place.get(op)
        if target is not None:  # an update written into its argument's buffer
            reuse = self.buf[target]
        elif isinstance(out_tensor.owner, Operation) and isinstance(
            self.owner_of(out_buf), memref.AllocOp
        ):
            reuse = self.reusable_input(op)
        if reuse is not None:
            alloc = self.owner_of(out_buf)
            out_buf = reuse
            if isinstance(alloc, memref.AllocOp | memref.AllocaOp) and not alloc.results[0].uses:
                self.owned.pop(alloc.results[0], None)
                alloc.detach()
                alloc.erase()
        new = GenericOp(
            [self.buf[v] for v in op.inputs],
            [out_buf],
            op.detach_region(op.body),
            op.indexing_maps,
            op.iterator_types,
            [],
            library_call=op.library_call,
        )
        self.insert_before(new, op)
        self.buf[op.results[0]] = out_buf
        if target is not None and self.first_write is None:
            self.first_write = new
        self.erase_later(op)

    def owner_of(self, v: SSAValue) -> Operation | None:
        return v.owner if isinstance(v.owner, Operation) else None

    def convert_constant(self, op: tir.ConstantOp) -> None:
        value = op.value
        vt = value.get_type()
        t = MemRefType(vt.element_type, vt.get_shape())
        name = f"__constant_{len(self.module.ops)}"
        glob = memref.GlobalOp.get(
            StringAttr(name), t, value, StringAttr("private"), constant=UnitAttr()
        )
        self.module.body.blocks.first.insert_op_before(glob, self.fn)  # type: ignore[union-attr]
        new = memref.GetGlobalOp(name, t)
        self.replace(op, new)
        self.root[new.results[0]] = new.results[0]

    def convert_return(self, op: func.ReturnOp) -> None:
        results: list[SSAValue] = []
        handed: set[SSAValue] = set()
        # copies go before the first in-place write: nothing may fail after it
        anchor = self.first_write or op
        for i, v in enumerate(op.arguments):
            if not isinstance(v.type, TensorType):
                results.append(v)
                continue
            b = self.buf[v]
            if not v.type.get_shape():  # by value, read before any in-place write (it may
                # be an element of a variable updated in place: its old value)
                results.append(self.insert_before(memref.LoadOp.get(b, []), anchor).results[0])
                continue
            if i in self.returned_in_place:
                results.append(b)
                continue
            root = self.root[b]
            if root in self.owned and root not in handed and _starts_at_root(b):
                handed.add(root)
                del self.owned[root]
                results.append(b)
                continue
            results.append(self.copy(b, anchor))
        new = func.ReturnOp(*results)
        self.insert_before(new, op)
        op.detach()
        op.erase()

    def copy(self, b: SSAValue, anchor: Operation) -> SSAValue:
        """A fresh buffer of ``b``'s type holding a copy of it."""
        t = b.type
        assert isinstance(t, MemRefType)
        dims = []
        for i, size in enumerate(t.get_shape()):
            if size == DYNAMIC_INDEX:
                idx = self.insert_before(_index(i), anchor).results[0]
                dims.append(self.insert_before(memref.DimOp(b, idx), anchor).results[0])
        new = self.insert_before(memref.AllocOp(dims, [], t), anchor).results[0]
        self.insert_before(memref.CopyOp(b, new), anchor)
        return new

    # -- ops whose positions are known at run time: buffer-level tir ops -------------

    def load_scalar(self, v: SSAValue, anchor: Operation) -> SSAValue:
        """The value of the rank-0 tensor ``v``."""
        return self.insert_before(memref.LoadOp.get(self.buf[v], []), anchor).results[0]

    def new_buffer(self, t: TensorType, sizes: list[SSAValue], anchor: Operation) -> SSAValue:
        """A fresh owned buffer of type ``t`` (``sizes``: one per dynamic dim)."""
        b = self.insert_before(memref.AllocOp(sizes, [], memref_type(t)), anchor).results[0]
        self.owned[b] = None
        self.root[b] = b
        return b

    def load_scalars(self, values: Sequence[SSAValue], anchor: Operation) -> list[SSAValue]:
        return [self.load_scalar(v, anchor) for v in values]

    def dims(self, b: SSAValue, anchor: Operation, first: int = 0) -> list[SSAValue]:
        """The dims of buffer ``b`` from ``first`` on, as indices."""
        t = b.type
        assert isinstance(t, MemRefType)
        out = []
        for i, size in enumerate(t.get_shape()[first:], first):
            if size == DYNAMIC_INDEX:
                at = self.insert_before(_index(i), anchor).results[0]
                out.append(self.insert_before(memref.DimOp(b, at), anchor).results[0])
            else:
                out.append(self.insert_before(_index(size), anchor).results[0])
        return out

    def result_buffer(self, op: Operation, sizes: Sequence[SSAValue]) -> SSAValue:
        """A fresh owned buffer for ``op``'s result (``sizes``: one per dim)."""
        return self.result_buffer_of(op.results[0], sizes, op)

    def result_buffer_of(
        self, v: SSAValue, sizes: Sequence[SSAValue], anchor: Operation
    ) -> SSAValue:
        """A fresh owned buffer for the tensor ``v`` (``sizes``: one per dim)."""
        t = v.type
        assert isinstance(t, TensorType)
        dynamic = [x for x, d in zip(sizes, t.get_shape(), strict=True) if d == DYNAMIC_INDEX]
        out = self.new_buffer(t, dynamic, anchor)
        out.name_hint = v.name_hint
        return out

    def copy_of(self, b: SSAValue, t: TensorType, anchor: Operation, what: str) -> SSAValue:
        """A fresh buffer of type ``t`` holding a copy of buffer ``b`` (a stack slot for a
        rank-0 one), made before ``anchor``."""
        if t.get_shape():
            sizes = self.dims(b, anchor)
            dynamic = [x for x, d in zip(sizes, t.get_shape(), strict=True) if d < 0]
            out = self.new_buffer(t, dynamic, anchor)
        else:
            out = self.insert_before(memref.AllocaOp.get(t.element_type, shape=[]), anchor)
            out = out.results[0]
            self.root[out] = out
        self.insert_before(tb.CopyIntoOp(b, out, what), anchor)
        return out

    def emit_into(self, op: Operation, new: Operation, out: SSAValue) -> None:
        """Put the buffer-level ``new`` (writing ``out``) where ``op`` was, with its ``loc``."""
        if "loc" in op.attributes:
            new.attributes["loc"] = op.attributes["loc"]
        self.insert_before(new, op)
        self.buf[op.results[0]] = out
        self.erase_later(op)

    def convert_arange(self, op: tir.ArangeOp) -> None:
        """The checked count (``tir.arange_shape``), a vector of that length, filled by
        ``tir.arange_into``."""
        start, stop, step = self.load_scalars(op.operands, op)
        shape = tb.ArangeShapeOp(start, stop, step)
        if "loc" in op.attributes:
            shape.attributes["loc"] = op.attributes["loc"]
        n = self.insert_before(shape, op).results[0]
        out = self.result_buffer(op, [n])
        self.emit_into(op, tb.ArangeIntoOp(start, step, out), out)

    def convert_subtensor(self, op: tir.SubtensorOp) -> None:
        """A view when the part is contiguous, else a copy into a fresh buffer of the
        part's (checked) shape."""
        x = self.buf[op.input]
        bounds = self.load_scalars(op.bounds, op)
        kinds = op.get_kinds()
        t = op.result.type
        assert isinstance(t, TensorType)
        if is_view(op):
            view = tb.SubtensorViewOp(x, bounds, kinds, memref_type(t))
            if "loc" in op.attributes:
                view.attributes["loc"] = op.attributes["loc"]
            self.replace(op, view)
            self.root[view.result] = self.root[x]
            return
        shape = tb.SubtensorShapeOp(x, bounds, kinds)
        if "loc" in op.attributes:
            shape.attributes["loc"] = op.attributes["loc"]
        self.insert_before(shape, op)
        out = self.result_buffer(op, list(shape.sizes))
        self.emit_into(op, tb.SubtensorIntoOp(x, bounds, out, kinds), out)

    def fresh_or_reused(self, op: Operation) -> SSAValue:
        """The result buffer of an op that writes into a copy of its input: the input itself
        when it is a temporary that dies here and that the op reads through no other operand
        (``set_subtensor(y[::-1], y)`` would read elements it has overwritten), else a fresh
        copy."""
        x_tensor = op.operands[0]
        x = self.buf[x_tensor]
        aliased = any(
            self.root.get(self.buf.get(v)) is x  # type: ignore[arg-type]
            for v in op.operands[1:]
        )
        if (
            self.root.get(x) is x
            and x in self.owned
            and self.last_use.get(x_tensor) is op
            and not aliased
        ):
            out = x
        else:
            out = self.result_buffer(op, self.dims(x, op))
            self.insert_before(memref.CopyOp(x, out), op)
        out.name_hint = op.results[0].name_hint
        return out

    def convert_inc_subtensor(self, op: tir.IncSubtensorOp) -> None:
        out = self.fresh_or_reused(op)
        bounds = self.load_scalars(op.bounds, op)
        new = tb.IncSubtensorIntoOp(
            self.buf[op.value], out, bounds, op.get_kinds(), set=op.is_set()
        )
        self.emit_into(op, new, out)

    def convert_gather(self, op: tir.GatherOp) -> None:
        """A fresh buffer of the indices' shape then the remaining dims of the input."""
        x = self.buf[op.input]
        indices = [self.buf[i] for i in op.indices]
        sizes = self.dims(indices[0], op) + self.dims(x, op, len(indices))
        out = self.result_buffer(op, sizes)
        self.emit_into(op, tb.GatherIntoOp(x, indices, out), out)

    def convert_scatter(self, op: tir.ScatterBase) -> None:
        out = self.fresh_or_reused(op)
        indices = [self.buf[i] for i in op.indices]
        cls = tb.ScatterAddIntoOp if isinstance(op, tir.ScatterAddOp) else tb.ScatterIntoOp
        self.emit_into(op, cls(self.buf[op.value], out, indices), out)

    def convert_concatenate(self, op: tir.ConcatenateOp) -> None:
        """A fresh buffer of the (checked) concatenated shape."""
        inputs = [self.buf[v] for v in op.inputs]
        shape = tb.ConcatenateShapeOp(inputs, op.get_axis())
        if "loc" in op.attributes:
            shape.attributes["loc"] = op.attributes["loc"]
        self.insert_before(shape, op)
        out = self.result_buffer(op, list(shape.sizes))
        self.emit_into(op, tb.ConcatenateIntoOp(inputs, out, op.get_axis()), out)

    def convert_map(self, op: tir.MapOp) -> None:
        """A ``tir.map_into`` over the rows of a fresh result: its body, bufferized with its
        own temporaries (freed in the same iteration), computes row ``i`` and writes it with
        ``tir.row_into``."""

        def ins(new: Operation) -> SSAValue:
            return self.insert_before(new, op).results[0]

        n = ins(arith.IndexCastOp(self.load_scalar(op.n, op), IndexType()))
        like = self.buf[op.like]
        out = self.result_buffer(op, [n, *self.dims(like, op)])
        source = op.body.block
        body = Block(arg_types=[IndexType()])
        iv = body.args[0]
        iv.name_hint = source.args[0].name_hint
        slot = memref.AllocaOp.get(T.element_type("int64"), shape=[])
        body.add_op(slot)
        i64 = _add(body, arith.IndexCastOp(iv, T.element_type("int64")))
        body.add_op(memref.StoreOp.get(i64, slot.results[0], []))
        self.buf[source.args[0]] = slot.results[0]
        self.root[slot.results[0]] = slot.results[0]
        for inner in list(source.ops):
            inner.detach()
            body.add_op(inner)
        self.map_targets[body] = (out, iv, op.attributes.get("loc"))
        new = tb.MapIntoOp(out, Region(body))
        if "loc" in op.attributes:
            new.attributes["loc"] = op.attributes["loc"]
        self.insert_before(new, op)
        FunctionBufferization(self.module, self.fn, body, parent=self).run_body()
        self.buf[op.result] = out
        self.erase_later(op)

    def convert_yield(self, op: tir.YieldOp) -> None:
        """The row is written into its row of the map's result (``tir.row_into``)."""
        block = op.parent_block()
        assert block is not None
        out, iv, loc = self.map_targets[block]
        new = tb.RowIntoOp(self.buf[op.value], out, iv)
        if loc is not None:
            new.attributes["loc"] = loc
        self.insert_before(new, op)
        op.detach()
        op.erase()

    # -- scan ------------------------------------------------------------------------------

    def convert_scan(self, op: tir.ScanOp) -> None:
        """A ``tir.scan_into`` loop. Before it: the states' buffers (an init that dies here
        is carried in its own buffer, any other is copied), and the histories and stacked
        results that are read, allocated whole (a stacked value's row shape is computed
        from the shapes of the step's inputs, ``_RowShapes``). Its body: the step,
        bufferized with its own temporaries, reading the sequences' rows as views; the
        yield becomes the copies into the rows and the states (``convert_scan_yield``)."""

        def ins(new: Operation) -> SSAValue:
            return self.insert_before(new, op).results[0]

        source = op.body.block
        n = ins(arith.IndexCastOp(self.load_scalar(op.n, op), IndexType()))
        nseq, k = len(op.seqs), len(op.inits)
        nexts, stacked = op.yielded()
        shapes = _RowShapes(self, op)
        stacks: list[SSAValue | None] = []
        for v, res in zip(stacked, op.stacks, strict=True):
            if not res.uses:
                stacks.append(None)
                continue
            # a state's next value has its init's shape (checked at each step)
            like = op.inits[nexts.index(v)] if v in nexts else v
            stacks.append(self.result_buffer_of(res, [n, *shapes.dims(like)], op))
        states: list[SSAValue] = []
        for init in op.inits:
            b = self.buf[init]
            t = init.type
            assert isinstance(t, TensorType)
            if (
                t.get_shape()
                and b in self.owned
                and self.root.get(b) is b
                and self.last_use.get(init) is op
                and b not in states
            ):
                states.append(b)  # dies here: carried in its own buffer
                continue
            states.append(self.copy_of(b, t, op, "scan: an initial state"))
        histories: list[SSAValue | None] = []
        for state, res in zip(states, op.histories, strict=True):
            histories.append(
                self.result_buffer_of(res, [n, *self.dims(state, op)], op) if res.uses else None
            )
        # the sequences' row sizes (before the loop) and their rows (views, in it)
        body = Block(arg_types=[IndexType()])
        row = body.args[0]
        row.name_hint = "t"
        for seq, arg in zip(op.seqs, source.args[:nseq], strict=True):
            b = self.buf[seq]
            sizes = self.dims(b, op, first=1)
            count = self.insert_before(_index(1), op).results[0]
            for size in sizes:
                count = ins(arith.MuliOp(count, size))
            offset = _add(body, arith.MuliOp(row, count))
            t = arg.type
            assert isinstance(t, TensorType)
            view = _add(body, tb.ViewOp(b, offset, sizes, memref_type(t)))
            view.name_hint = arg.name_hint
            self.buf[arg] = view
            self.root[view] = self.root.get(b, b)
        for state, arg in zip(states, source.args[nseq : nseq + k], strict=True):
            self.buf[arg] = state
        for c, arg in zip(op.consts, source.args[nseq + k :], strict=True):
            self.buf[arg] = self.buf[c]
        for state, history in zip(states, histories, strict=True):
            if history is not None:
                body.add_op(tb.RowIntoOp(state, history, row))
        for inner in list(source.ops):
            inner.detach()
            body.add_op(inner)
        loc = op.attributes.get("loc")
        stop = None
        if op.until is not None:  # the yield sets it: whether to stop after this step
            stop = ins(memref.AllocaOp.get(IntegerType(1), shape=[]))
        self.scan_targets[body] = ScanTargets(row, states, stacks, loc, stop)
        new = tb.ScanIntoOp(n, Region(body), reverse=op.reverse is not None, stop=stop)
        if loc is not None:
            new.attributes["loc"] = loc
        self.insert_before(new, op)
        FunctionBufferization(self.module, self.fn, body, parent=self).run_body()
        for res, b in zip(op.finals, states, strict=True):
            self.buf[res] = b
        for res, b in zip([*op.histories, *op.stacks], [*histories, *stacks], strict=True):
            if b is None:
                continue
            if new.steps is not None:  # the rows of the steps done: a view from row 0
                t = res.type
                assert isinstance(t, TensorType)
                sizes = [new.steps, *self.dims(b, op, first=1)]
                view = ins(tb.ViewOp(b, ins(_index(0)), sizes, memref_type(t)))
                view.name_hint = res.name_hint
                self.root[view] = b
                b = view
            self.buf[res] = b
        self.erase_later(op)

    def convert_scan_yield(self, op: tir.ScanYieldOp) -> None:
        """The end of a step: each stacked value into its row, then each next state into its
        state's buffer. A next state that is (a view of) a state's buffer is first copied
        aside, so that no state is overwritten before another step's value is read from it
        (a state passed on unchanged is not copied)."""
        block = op.parent_block()
        assert block is not None
        target = self.scan_targets[block]
        k = len(target.states)
        values = [self.buf[v] for v in op.values]

        def at_scan(new: Operation) -> None:  # its run-time errors name the scan's line
            if target.loc is not None:
                new.attributes["loc"] = target.loc
            self.insert_before(new, op)

        if target.stop is not None:  # stop after this step when the condition holds
            cond = values.pop()
            c = self.insert_before(memref.LoadOp.get(cond, []), op).results[0]
            if not (isinstance(c.type, IntegerType) and c.type.width.data == 1):
                if isinstance(c.type, IntegerType):
                    zero = self.insert_before(arith.ConstantOp(IntegerAttr(0, c.type)), op)
                    test: Operation = arith.CmpiOp(c, zero.results[0], "ne")
                else:
                    zero = self.insert_before(arith.ConstantOp(FloatAttr(0.0, c.type)), op)
                    test = arith.CmpfOp(c, zero.results[0], "une")
                c = self.insert_before(test, op).results[0]
            self.insert_before(memref.StoreOp.get(c, target.stop, []), op)
        for j, (v, stack) in enumerate(zip(values[k:], target.stacks, strict=True)):
            if stack is not None:
                new = tb.RowIntoOp(v, stack, target.row)
                new.attributes["what"] = StringAttr(f"scan: output {j} of a step")
                at_scan(new)
        states = set(target.states)
        copies: list[tuple[SSAValue, SSAValue, int]] = []
        for j, (v, state) in enumerate(zip(values[:k], target.states, strict=True)):
            if v is state:
                continue
            if self.root.get(v) in states:
                t = op.values[j].type
                assert isinstance(t, TensorType)
                v = self.copy_of(v, t, op, "scan: a state")
            copies.append((v, state, j))
        for v, state, j in copies:
            at_scan(tb.CopyIntoOp(v, state, f"scan: the next value of state {j}"))
        op.detach()
        op.erase()

    def convert_if(self, op: tir.IfOp) -> None:
        """An ``scf.if`` on the condition's value whose regions are the ``tir.if``'s, each
        bufferized as a block of its own (its temporaries freed inside it) that hands its
        results out (``convert_branch_yield``). The results are buffers of this block: freed
        after their last use, or handed to the caller."""
        cond = self.load_scalar(op.cond, op)
        types: list[Attribute] = []
        for r in op.outs:
            assert isinstance(r.type, TensorType)
            types.append(memref_type(r.type))
        then_region, else_region = op.then_region, op.else_region
        regions = [op.detach_region(then_region), op.detach_region(else_region)]
        new = scf.IfOp(cond, types, regions[0], regions[1])
        self.insert_before(new, op)
        for region in regions:
            FunctionBufferization(self.module, self.fn, region.block, parent=self).run_body()
        for old, b in zip(op.outs, new.results, strict=True):
            b.name_hint = old.name_hint
            self.buf[old] = b
            self.root[b] = b
            if isinstance(old.type, TensorType) and old.type.get_shape():
                self.owned[b] = None  # rank 0: a stack slot, never freed
        self.erase_later(op)

    def convert_branch_yield(self, op: tir.YieldOp) -> None:
        """The end of a ``tir.if`` region: an ``scf.yield`` of buffers the region hands out.
        A buffer the region allocated is handed as it is (no longer freed here); anything
        else (an argument, a constant, a value from above, a view, a buffer already handed)
        is copied into a fresh buffer first, since the ``scf.if``'s result is a buffer the
        block above owns and frees. A rank-0 value is a stack slot nobody frees or writes
        after it is computed: it is handed as it is."""
        handed: set[SSAValue] = set()
        results: list[SSAValue] = []
        for v in op.values:
            b = self.buf[v]
            assert isinstance(v.type, TensorType)
            root = self.root.get(b)
            if not v.type.get_shape():
                results.append(b)
            elif root in self.owned and root not in handed and _starts_at_root(b):
                handed.add(root)
                del self.owned[root]
                results.append(b)
            else:
                results.append(self.copy(b, op))
        self.insert_before(scf.YieldOp(*results), op)
        op.detach()
        op.erase()

    # -- deallocation --------------------------------------------------------------------

    def insert_deallocs(self) -> None:
        position = {op: i for i, op in enumerate(self.block.ops)}
        last: dict[SSAValue, Operation] = {}
        for op in self.block.ops:
            for v in tir.reads(op):
                root = self.root.get(v)
                if root is not None and root in self.owned:
                    if root not in last or position[op] > position[last[root]]:
                        last[root] = op
        for root in self.owned:
            anchor = last.get(root)
            if anchor is None:
                anchor = root.owner  # type: ignore[assignment]
            assert isinstance(anchor, Operation)
            nxt = anchor if anchor.has_trait(IsTerminator) else anchor.next_op
            if nxt is None:  # the end of a tir.map_into body (no terminator)
                self.block.add_op(memref.DeallocOp.get(root))
            else:
                self.block.insert_op_before(memref.DeallocOp.get(root), nxt)


@dataclass
class ScanTargets:
    """Where the yield of a ``tir.scan_into`` body goes: the step's row, the states' buffers
    and the stacked results' buffers (None: not read, not written)."""

    row: SSAValue
    states: list[SSAValue]
    stacks: list[SSAValue | None]
    loc: Attribute | None
    stop: SSAValue | None = None  # with until: whether the loop stops after this step


class _RowShapes:
    """The dims of a value of a ``tir.scan`` step, computed before the loop (in the block
    being bufferized, where ``scan`` is) from the shapes of the step's inputs: the stacked
    results are allocated whole before the first step. A dim is followed back through the
    kernels that write the value (a generic's ``outs``, a ``tensor.empty``'s sizes, a
    reshape's, an inner scan's results), the index arithmetic on ``tensor.dim``s and the
    rank-0 kernels on constants that compute sizes, to the shapes of the step's arguments
    (those of an inner scan's step: to its operands). A dim that depends on a value computed
    in the step cannot be known before the loop (an error)."""

    def __init__(self, owner: FunctionBufferization, scan: tir.ScanOp):
        self.owner = owner
        self.scan = scan
        # a step argument -> (the value it is a row of (first = 1) or is (first = 0))
        self.args: dict[SSAValue, tuple[SSAValue, int]] = {}
        self.enter(scan)
        self.outer = set(scan.operands)
        self.cache: dict[tuple[SSAValue, int], SSAValue] = {}

    def enter(self, scan: tir.ScanOp) -> None:
        block = scan.body.block
        nseq = len(scan.seqs)
        for seq, arg in zip(scan.seqs, block.args[:nseq], strict=True):
            self.args[arg] = (seq, 1)
        for value, arg in zip([*scan.inits, *scan.consts], block.args[nseq:], strict=True):
            self.args[arg] = (value, 0)

    def insert(self, op: Operation) -> SSAValue:
        return self.owner.insert_before(op, self.scan).results[0]

    def fail(self, v: SSAValue) -> PassFailedException:
        where = tir.built_at(self.scan).replace("{{", "{").replace("}}", "}")
        what = v.owner.name if isinstance(v.owner, Operation) else "a step's argument"
        return PassFailedException(
            f"tir-bufferize: the shape of a value that scan stacks depends on a value computed "
            f"in the step ({what}), so it cannot be allocated before the loop{where}"
        )

    def dims(self, v: SSAValue) -> list[SSAValue]:
        t = v.type
        assert isinstance(t, TensorType)
        return [self.dim(v, i) for i in range(len(t.get_shape()))]

    def dim(self, v: SSAValue, i: int) -> SSAValue:
        t = v.type
        assert isinstance(t, TensorType)
        size = t.get_shape()[i]
        if size != DYNAMIC_INDEX:
            return self.insert(_index(size))
        key = (v, i)
        if key not in self.cache:
            self.cache[key] = self.find_dim(v, i, t)
        return self.cache[key]

    def find_dim(self, v: SSAValue, i: int, t: TensorType) -> SSAValue:
        if v in self.outer:
            return self.insert(memref.DimOp(self.owner.buf[v], self.insert(_index(i))))
        if v in self.args:
            value, first = self.args[v]
            return self.dim(value, first + i)
        owner = v.owner
        if isinstance(owner, GenericOp) and len(owner.outputs) == 1:
            return self.dim(owner.outputs[0], i)
        if isinstance(owner, xtensor.EmptyOp):
            dynamic = [j for j, d in enumerate(t.get_shape()) if d == DYNAMIC_INDEX]
            return self.value(owner.dynamic_sizes[dynamic.index(i)])
        if isinstance(owner, tir.ReshapeOp):
            return self.value(owner.sizes[i])
        if isinstance(owner, tir.IncSubtensorOp | tir.ScatterBase):  # the input's shape
            return self.dim(owner.operands[0], i)
        if isinstance(owner, tir.ScanOp):
            assert isinstance(v, OpResult)
            k = len(owner.inits)
            r = v.index
            if r < k:
                return self.dim(owner.inits[r], i)
            if i == 0:
                n = self.scalar(owner.n)
                return self.insert(arith.IndexCastOp(n, IndexType()))
            if r < 2 * k:
                return self.dim(owner.inits[r - k], i - 1)
            self.enter(owner)
            return self.dim(owner.yielded()[1][r - 2 * k], i - 1)
        raise self.fail(v)

    def value(self, v: SSAValue) -> SSAValue:
        """The index or integer ``v`` of the step, computed before the loop."""
        owner = v.owner
        if isinstance(owner, xtensor.DimOp):
            index = owner.index.owner
            if isinstance(index, arith.ConstantOp) and isinstance(index.value, IntegerAttr):
                return self.dim(owner.source, index.value.value.data)
            raise self.fail(v)
        if isinstance(owner, xtensor.ExtractOp) and not owner.indices:
            return self.scalar(owner.tensor)
        if isinstance(owner, arith.ConstantOp):
            return self.insert(owner.clone())
        if isinstance(owner, Operation) and owner.dialect_name() == "arith":
            new = owner.clone()
            for j, x in enumerate(owner.operands):
                new.operands[j] = self.value(x)
            return self.insert(new)
        raise self.fail(v)

    def scalar(self, v: SSAValue) -> SSAValue:
        """The value of the rank-0 tensor ``v`` of the step, computed before the loop: a
        constant operand's, or a rank-0 kernel's on such values."""
        if v in self.outer:
            return self.insert(memref.LoadOp.get(self.owner.buf[v], []))
        if v in self.args:
            value, first = self.args[v]
            if first == 0 and self.const(v):
                return self.scalar(value)
            raise self.fail(v)
        owner = v.owner
        if isinstance(owner, tir.ConstantOp):
            attr = owner.value
            (x,) = attr.get_values()
            elem = attr.get_type().element_type
            if isinstance(x, float):
                return self.insert(arith.ConstantOp(FloatAttr(x, elem)))
            return self.insert(arith.ConstantOp(IntegerAttr(int(x), elem)))
        if isinstance(owner, GenericOp) and len(owner.outputs) == 1 and _rank0(v):
            body = owner.body.block
            env: dict[SSAValue, SSAValue] = {
                arg: self.scalar(x) for arg, x in zip(body.args, owner.inputs, strict=False)
            }
            for inner in body.ops:
                if isinstance(inner, YieldOp):
                    y = inner.operands[0]
                    return env[y] if y in env else self.value(y)
                new = inner.clone()
                for j, x in enumerate(inner.operands):
                    new.operands[j] = env[x] if x in env else self.value(x)
                out = self.insert(new)
                if inner.results:
                    env[inner.results[0]] = out
        raise self.fail(v)

    def const(self, arg: SSAValue) -> bool:
        """Whether a step argument is a state (its value changes from step to step) or a
        constant (it does not)."""
        assert isinstance(arg, BlockArgument)
        op = arg.block.parent_op()
        assert isinstance(op, tir.ScanOp)
        return arg.index >= len(op.seqs) + len(op.inits)


def _rank0(v: SSAValue) -> bool:
    return isinstance(v.type, TensorType) and not v.type.get_shape()


def _starts_at_root(b: SSAValue) -> bool:
    """Whether buffer ``b`` starts where its root does (itself or reshapes of it, not a
    ``tir.subtensor_view`` at an offset): only such a pointer can be handed over to be
    freed."""
    while isinstance(b.owner, tir.ReshapeOp):
        b = b.owner.input
    if isinstance(b.owner, tb.ViewOp):  # the first rows (a while loop's steps done)
        offset = b.owner.offset.owner
        return (
            isinstance(offset, arith.ConstantOp)
            and isinstance(offset.value, IntegerAttr)
            and offset.value.value.data == 0
            and _starts_at_root(b.owner.input)
        )
    return not isinstance(b.owner, tb.SubtensorViewOp)


def is_view(op: Operation) -> bool:
    """Whether the tensor op ``op`` becomes a view of its first operand's buffer."""
    if isinstance(op, tir.ReshapeOp):
        return isinstance(op.input.type, TensorType)
    return isinstance(op, tir.SubtensorOp) and tb.is_contiguous(op.get_kinds())


def _add(block: Block, op: Operation) -> SSAValue:
    block.add_op(op)
    return op.results[0]


def _aligned(m: AffineMap, shape: tuple[int, ...]) -> bool:
    """Whether an operand of ``shape`` read through ``m`` is read element for element with
    the identity output (index 0 along a size-1 dim is the loop index there)."""
    if m.num_dims != len(shape) or len(m.results) != len(shape):
        return False
    identity = AffineMap.identity(len(shape)).results
    return all(
        e == d or (isinstance(e, AffineConstantExpr) and e.value == 0 and size == 1)
        for e, d, size in zip(m.results, identity, shape, strict=True)
    )


def _index(n: int) -> Operation:
    return arith.ConstantOp.from_int_and_width(n, IndexType())


@dataclass(frozen=True)
class Bufferize(ModulePass):
    """Turn tensors into buffers: allocate, reuse temporaries, free, hand results over."""

    name = "tir-bufferize"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for fn in list(op.ops):
            if isinstance(fn, func.FuncOp) and not fn.is_declaration:
                FunctionBufferization(op, fn).run()
