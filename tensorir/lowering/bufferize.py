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
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, memref
from xdsl.dialects import tensor as xtensor
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    AffineMapAttr,
    IndexType,
    MemRefType,
    ModuleOp,
    StringAttr,
    TensorType,
    UnitAttr,
)
from xdsl.dialects.linalg.ops import GenericOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.ir.affine import AffineMap
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from tensorir.dialects import tir


def memref_type(t: TensorType) -> MemRefType:
    return MemRefType(t.element_type, t.get_shape())


class FunctionBufferization:
    def __init__(self, module: ModuleOp, fn: func.FuncOp):
        self.module = module
        self.fn = fn
        self.block: Block = fn.body.blocks.first  # type: ignore[assignment]
        self.buf: dict[SSAValue, SSAValue] = {}
        # the buffer each buffer value views; owned buffers are their own root
        self.root: dict[SSAValue, SSAValue] = {}
        # malloc-ed temporaries, in order of allocation (a dict: ordered, O(1) membership)
        self.owned: dict[SSAValue, None] = {}
        self.last_use: dict[SSAValue, Operation] = {}
        self.dead: list[Operation] = []

    def insert_before(self, op: Operation, anchor: Operation) -> Operation:
        self.block.insert_op_before(op, anchor)
        return op

    def run(self) -> None:
        block = self.block
        first = block.first_op
        assert first is not None
        for op in block.ops:
            for operand in op.operands:
                if isinstance(operand.type, TensorType):
                    self.last_use[operand] = op
        old_args = [a for a in block.args if isinstance(a.type, TensorType)]
        self.convert_arguments(first)
        for op in list(block.ops):
            self.convert(op)
        for op in reversed(self.dead):
            op.drop_all_references()
        for op in self.dead:
            op.erase(safe_erase=False)
        for arg in old_args:
            block.erase_arg(arg)
        self.insert_deallocs()
        self.fn.update_function_type()

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
        for i, inp in enumerate(op.inputs):
            b = self.buf.get(inp)
            if (
                b is not None
                and inp.type == out.type
                and maps[i] == AffineMapAttr(AffineMap.identity(len(out.type.get_shape())))
                and self.root.get(b) is b
                and b in self.owned
                and self.last_use.get(inp) is op
                and all(self.buf.get(other) is not b for other in op.inputs[i + 1 :])
            ):
                return b
        return None

    def convert_generic(self, op: GenericOp) -> None:
        if len(op.outputs) != 1:
            raise PassFailedException("tir-bufferize: generics with one output only")
        out_tensor = op.outputs[0]
        out_buf = self.buf[out_tensor]
        reuse = None
        if isinstance(out_tensor.owner, Operation) and isinstance(
            self.owner_of(out_buf), memref.AllocOp
        ):
            reuse = self.reusable_input(op)
        if reuse is not None:
            alloc = self.owner_of(out_buf)
            out_buf = reuse
            if not alloc.results[0].uses:
                del self.owned[alloc.results[0]]
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
        for v in op.arguments:
            if not isinstance(v.type, TensorType):
                results.append(v)
                continue
            b = self.buf[v]
            if not v.type.get_shape():
                results.append(self.insert_before(memref.LoadOp.get(b, []), op).results[0])
                continue
            root = self.root[b]
            if root in self.owned and root not in handed:
                handed.add(root)
                del self.owned[root]
                results.append(b)
                continue
            results.append(self.copy(b, op))
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

    # -- deallocation --------------------------------------------------------------------

    def insert_deallocs(self) -> None:
        position = {op: i for i, op in enumerate(self.block.ops)}
        last: dict[SSAValue, Operation] = {}
        for op in self.block.ops:
            for v in op.operands:
                root = self.root.get(v)
                if root is not None and root in self.owned:
                    if root not in last or position[op] > position[last[root]]:
                        last[root] = op
        for root in self.owned:
            anchor = last.get(root)
            if anchor is None:
                anchor = root.owner  # type: ignore[assignment]
            assert isinstance(anchor, Operation)
            nxt = anchor if isinstance(anchor, func.ReturnOp) else anchor.next_op
            assert nxt is not None
            self.block.insert_op_before(memref.DeallocOp.get(root), nxt)


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
