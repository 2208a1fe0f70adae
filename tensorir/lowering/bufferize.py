"""``tir-bufferize`` (L2 -> L3): tensors become buffers (``memref``s).

- A function's tensor arguments become memrefs; rank-0 ones become scalars passed by value
  (stored into a stack slot so that kernels read every operand the same way).
- ``tensor.empty`` becomes ``memref.alloc`` (``memref.alloca`` for rank 0); each
  ``linalg.generic`` writes into the buffer of its ``outs`` operand.
- Temporaries are reused: an elementwise kernel writes into an input temporary of the same
  type that dies there, instead of a fresh buffer.
- ``tir.constant`` becomes a ``memref.global``; ``tir.reshape`` a view of its input buffer.
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

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects import arith, func, math, memref, scf
from xdsl.dialects import tensor as xtensor
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    AffineMapAttr,
    FloatAttr,
    IndexType,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
    TensorType,
    UnitAttr,
)
from xdsl.dialects.linalg.ops import GenericOp
from xdsl.ir import Block, BlockArgument, Operation, SSAValue
from xdsl.ir.affine import AffineConstantExpr, AffineMap
from xdsl.passes import ModulePass
from xdsl.traits import IsTerminator
from xdsl.utils.exceptions import PassFailedException

from tensorir.abi import UPDATE_ATTR
from tensorir.dialects import tir
from tensorir.dialects import types as T
from tensorir.lowering import indexing


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
        # loop body of each tir.map -> (result buffer, row index, row dims, where)
        self.map_targets: dict[Block, tuple[SSAValue, SSAValue, list[SSAValue], str]] = (
            parent.map_targets if parent else {}
        )

    def insert_before(self, op: Operation, anchor: Operation) -> Operation:
        self.block.insert_op_before(op, anchor)
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
            indexing.lower_subtensor(self, op)
        elif isinstance(op, tir.IncSubtensorOp):
            indexing.lower_inc_subtensor(self, op)
        elif isinstance(op, tir.GatherOp):
            indexing.lower_gather(self, op)
        elif isinstance(op, tir.ScatterBase):
            indexing.lower_scatter_add(self, op)
        elif isinstance(op, tir.ConcatenateOp):
            indexing.lower_concatenate(self, op)
        elif isinstance(op, tir.MapOp):
            self.convert_map(op)
        elif isinstance(op, tir.YieldOp):
            self.convert_yield(op)
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

    # -- sequences and maps: explicit loops ------------------------------------------------

    def load_scalar(self, v: SSAValue, anchor: Operation) -> SSAValue:
        """The value of the rank-0 tensor ``v``."""
        return self.insert_before(memref.LoadOp.get(self.buf[v], []), anchor).results[0]

    def new_buffer(self, t: TensorType, sizes: list[SSAValue], anchor: Operation) -> SSAValue:
        """A fresh owned buffer of type ``t`` (``sizes``: one per dynamic dim)."""
        b = self.insert_before(memref.AllocOp(sizes, [], memref_type(t)), anchor).results[0]
        self.owned[b] = None
        self.root[b] = b
        return b

    def convert_arange(self, op: tir.ArangeOp) -> None:
        """``start + k * step`` for ``k < max(0, ceil((stop - start) / step))``, numpy's
        count (for integers computed without overflow, for floats with numpy's special
        cases; a count beyond int64 is numpy's ValueError): a loop (for floats numpy's exact
        sequence)."""
        start, stop, step = (self.load_scalar(v, op) for v in op.operands)
        t = op.result.type
        assert isinstance(t, TensorType)
        dtype = T.dtype_of(t.element_type)
        elem = t.element_type

        def ins(new: Operation) -> SSAValue:
            return self.insert_before(new, op).results[0]

        i64 = T.element_type("int64")

        def i64_const(v: int) -> SSAValue:
            return ins(arith.ConstantOp(IntegerAttr(v, i64)))

        too_long = f"arange: Maximum allowed size exceeded{tir.built_at(op)}"
        if T.is_float(dtype):
            zero = ins(arith.ConstantOp(FloatAttr(0.0, elem)))
            ok = ins(arith.CmpfOp(step, zero, "une"))
            delta = ins(arith.SubfOp(stop, start))
            span = ins(arith.DivfOp(delta, step))
            ok = ins(arith.AndIOp(ok, ins(arith.CmpfOp(span, span, "ord"))))
            self.insert_before(
                tir.CheckOp(
                    ok,
                    "ValueError",
                    f"arange: step must be non-zero and the bounds finite{tir.built_at(op)}",
                ),
                op,
            )
            ceil = ins(math.CeilOp(span))
            limit = ins(arith.ConstantOp(FloatAttr(2.0**63, elem)))
            fits = ins(arith.CmpfOp(ceil, limit, "olt"))
            self.insert_before(tir.CheckOp(fits, "ValueError", too_long), op)
            # numpy: a ratio that underflows to +0 while the bounds differ is one element
            count = ins(arith.FPToSIOp(ins(arith.MaximumfOp(ceil, zero)), i64))
            bits = T.element_type("int32" if dtype == "float32" else "int64")
            as_int = ins(arith.BitcastOp(span, bits))
            positive = ins(arith.CmpiOp(as_int, ins(arith.ConstantOp(IntegerAttr(0, bits))), "sge"))
            underflow = ins(arith.AndIOp(ins(arith.CmpfOp(span, zero, "oeq")), positive))
            one_element = ins(arith.AndIOp(ins(arith.CmpfOp(delta, zero, "une")), underflow))
            count = ins(arith.SelectOp(one_element, i64_const(1), count))
        else:
            zero = ins(arith.ConstantOp(IntegerAttr(0, elem)))
            ok = ins(arith.CmpiOp(step, zero, "ne"))
            self.insert_before(
                tir.CheckOp(ok, "ValueError", f"arange: step must not be zero{tir.built_at(op)}"),
                op,
            )
            # as numpy's on Python ints (Theano's arange passes them): the distance exactly, in
            # 64 bits unsigned
            wide = [ins(arith.ExtSIOp(v, i64)) if elem != i64 else v for v in (start, stop, step)]
            start64, stop64, step64 = wide
            up = ins(arith.CmpiOp(step64, i64_const(0), "sgt"))
            hi = ins(arith.SelectOp(up, stop64, start64))
            lo = ins(arith.SelectOp(up, start64, stop64))
            distance = ins(arith.SubiOp(hi, lo))  # modulo 2**64: exact as unsigned
            stride = ins(arith.SelectOp(up, step64, ins(arith.SubiOp(i64_const(0), step64))))
            # numpy's count is ceil of the rounded ratio, ceil(RN(distance / stride)): the
            # quotient q, plus 1 when the remainder r survives the rounding, RN(q + r / stride)
            # > q (always but for strides above 2**52, where numpy drops a last element)
            quotient = ins(arith.DivUIOp(distance, stride))
            remainder = ins(arith.RemUIOp(distance, stride))
            f64 = T.element_type("float64")
            q = ins(arith.UIToFPOp(quotient, f64))
            ratio = ins(
                arith.DivfOp(ins(arith.UIToFPOp(remainder, f64)), ins(arith.UIToFPOp(stride, f64)))
            )
            survives = ins(arith.CmpfOp(ins(arith.AddfOp(q, ratio)), q, "ogt"))
            count = ins(arith.AddiOp(quotient, ins(arith.ExtUIOp(survives, i64))))
            empty = ins(arith.CmpiOp(hi, lo, "sle"))
            fits = ins(arith.OrIOp(empty, ins(arith.CmpiOp(count, i64_const(0), "sge"))))
            self.insert_before(tir.CheckOp(fits, "ValueError", too_long), op)
            count = ins(arith.SelectOp(empty, i64_const(0), count))
        itemsize = np.dtype(dtype).itemsize
        fits = ins(
            arith.CmpiOp(
                count, ins(arith.ConstantOp(IntegerAttr((2**63 - 1) // itemsize, i64))), "sle"
            )
        )
        self.insert_before(
            tir.CheckOp(
                fits,
                "ValueError",
                f"arange: array is too big: {{0}} elements of {dtype} are more than 2**63 - 1 "
                f"bytes{tir.built_at(op)}",
                [count],
            ),
            op,
        )
        n = ins(arith.IndexCastOp(count, IndexType()))
        out = self.new_buffer(t, [n], op)
        out.name_hint = op.result.name_hint
        if T.is_float(dtype):
            # as numpy's fill: start, start + step, then start + k * delta with
            # delta = (start + step) - start
            second = ins(arith.AddfOp(start, step))
            delta = ins(arith.SubfOp(second, start))
        inner, (k,) = indexing.Builder(self.block, op).nest([n])
        if T.is_float(dtype):
            k64 = inner(arith.IndexCastOp(k, i64))
            kv = inner(arith.SIToFPOp(k64, elem))
            value = inner(arith.AddfOp(start, inner(arith.MulfOp(kv, delta))))
            first, second_k = (inner.cmp(k64, inner.i64(j), "eq") for j in (0, 1))
            value = inner(arith.SelectOp(second_k, second, value))
            value = inner(arith.SelectOp(first, start, value))
        else:
            kv = inner(arith.IndexCastOp(k, elem))
            value = inner(arith.AddiOp(start, inner(arith.MuliOp(kv, step))))
        inner(memref.StoreOp.get(value, out, [k]))
        self.buf[op.result] = out
        self.erase_later(op)

    def convert_map(self, op: tir.MapOp) -> None:
        """A loop over the rows: the body, bufferized with its own temporaries, computes row
        ``i`` and copies it into row ``i`` of the result (after checking its shape)."""

        def ins(new: Operation) -> SSAValue:
            return self.insert_before(new, op).results[0]

        n = ins(arith.IndexCastOp(self.load_scalar(op.n, op), IndexType()))
        like = self.buf[op.like]
        t = op.result.type
        assert isinstance(t, TensorType)
        row_shape = t.get_shape()[1:]
        dims = [
            ins(memref.DimOp(like, ins(_index(i)))) if size == DYNAMIC_INDEX else ins(_index(size))
            for i, size in enumerate(row_shape)
        ]
        sizes = [n] + [d for d, size in zip(dims, row_shape, strict=True) if size == DYNAMIC_INDEX]
        out = self.new_buffer(t, sizes, op)
        out.name_hint = op.result.name_hint
        source = op.body.block
        body = Block(arg_types=[IndexType()])
        iv = body.args[0]
        slot = memref.AllocaOp.get(T.element_type("int64"), shape=[])
        body.add_op(slot)
        i64 = _add(body, arith.IndexCastOp(iv, T.element_type("int64")))
        body.add_op(memref.StoreOp.get(i64, slot.results[0], []))
        self.buf[source.args[0]] = slot.results[0]
        self.root[slot.results[0]] = slot.results[0]
        for inner in list(source.ops):
            inner.detach()
            body.add_op(inner)
        body.add_op(scf.YieldOp())
        self.map_targets[body] = (out, iv, dims, tir.built_at(op))
        self.insert_before(scf.ForOp(ins(_index(0)), n, ins(_index(1)), [], body), op)
        FunctionBufferization(self.module, self.fn, body, parent=self).run_body()
        self.buf[op.result] = out
        self.erase_later(op)

    def convert_yield(self, op: tir.YieldOp) -> None:
        """Check the row's shape and copy it into its row of the map's result."""
        block = op.parent_block()
        assert block is not None
        out, iv, dims, where = self.map_targets[block]
        row = self.buf[op.value]
        row_t = row.type
        assert isinstance(row_t, MemRefType)

        b = indexing.Builder(block, op)
        got = b.dims(row)
        fmt_a = ", ".join(f"{{{k}}}" for k in range(len(dims)))
        fmt_b = ", ".join(f"{{{k + len(dims)}}}" for k in range(len(dims)))
        b.check_equal(
            list(zip(got, dims, strict=True)),
            "ValueError",
            f"map: a row has shape ({fmt_a}) but the rows must have shape ({fmt_b}){where}",
            [*got, *dims],
        )
        inner, indices = b.nest(got)  # the copy: a loop nest over the row's dims
        value = inner(memref.LoadOp.get(row, indices))
        inner(memref.StoreOp.get(value, out, [iv, *indices]))
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
            assert nxt is not None
            self.block.insert_op_before(memref.DeallocOp.get(root), nxt)


def _starts_at_root(b: SSAValue) -> bool:
    """Whether buffer ``b`` starts where its root does (itself or reshapes of it, not a
    ``tir.view`` at an offset): only such a pointer can be handed over to be freed."""
    while isinstance(b.owner, tir.ReshapeOp):
        b = b.owner.input
    return not isinstance(b.owner, tir.ViewOp)


def is_view(op: Operation) -> bool:
    """Whether the tensor op ``op`` becomes a view of its first operand's buffer."""
    if isinstance(op, tir.ReshapeOp):
        return isinstance(op.input.type, TensorType)
    return isinstance(op, tir.SubtensorOp) and indexing.is_contiguous(op)


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
