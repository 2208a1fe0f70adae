"""``tir-linalg-to-blas`` (L3): a ``linalg.generic`` on float32/float64 buffers whose
``library_call`` names a BLAS routine (``gemm``, ``gemv``, ``gemv_t``, ``dot``, as
``tir-to-linalg`` marks ``tir.dot``) becomes a call of the CBLAS routine that numpy's OpenBLAS
provides (row-major, ILP64). Other element types keep the generic, which becomes loops.

BLAS is called with ``beta = 0``. ``gemm`` then overwrites its output, zeros for an empty
contraction (k = 0), so the fill of zeros that ``tir-to-linalg`` put before it is dropped.
``gemv`` returns at once, leaving its output untouched, when the contraction is empty: its
(cheap, O(m)) fill stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.builder import Builder
from xdsl.context import Context
from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
    i32,
    i64,
)
from xdsl.dialects.linalg.ops import GenericOp
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint

from tensorir.abi import BLAS_PREFIX

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112


class _Call:
    """Builds the operands of one BLAS call before ``anchor``."""

    def __init__(self, anchor: Operation):
        self.builder = Builder(InsertPoint.before(anchor))

    def insert(self, op: Operation) -> SSAValue:
        return self.builder.insert(op).results[0]

    def enum(self, value: int) -> SSAValue:
        return self.insert(arith.ConstantOp(IntegerAttr(value, i32)))

    def int(self, value: int) -> SSAValue:
        return self.insert(arith.ConstantOp(IntegerAttr(value, i64)))

    def dim(self, buf: SSAValue, i: int) -> SSAValue:
        idx = self.insert(arith.ConstantOp.from_int_and_width(i, IndexType()))
        size = self.insert(memref.DimOp(buf, idx))
        return self.insert(arith.IndexCastOp(size, i64))

    def ld(self, size: SSAValue) -> SSAValue:
        """Leading dimension: at least 1, as BLAS requires even for empty matrices."""
        return self.insert(arith.MaxSIOp(size, self.int(1)))

    def real(self, value: float, elem: Attribute) -> SSAValue:
        return self.insert(arith.ConstantOp(FloatAttr(value, elem)))  # type: ignore[arg-type]


def _generic_buffer(t: Attribute) -> MemRefType:
    assert isinstance(t, MemRefType)
    return MemRefType(t.element_type, [DYNAMIC_INDEX] * len(t.get_shape()))


def _cast(c: _Call, v: SSAValue) -> SSAValue:
    """View a buffer through a type with all dims dynamic, so one declaration fits all."""
    generic = _generic_buffer(v.type)
    if v.type == generic:
        return v
    return c.insert(memref.CastOp.get(v, generic))


def lower_to_blas(op: GenericOp, module: ModuleOp) -> bool:
    call = op.library_call.data if op.library_call else None
    if call is None or op.res:
        return False
    out = op.outputs[0]
    out_t = out.type
    assert isinstance(out_t, MemRefType)
    elem = out_t.element_type
    if not isinstance(elem, Float32Type | Float64Type):
        return False
    p = "d" if isinstance(elem, Float64Type) else "s"
    a, b = op.inputs
    c = _Call(op)
    one, zero = c.real(1.0, elem), c.real(0.0, elem)
    # an operand may be read transposed (tir-fuse folds a transpose into the kernel's map):
    # BLAS reads it in place, with its trans flag
    flipped = _transposed_operands(op, call)
    if flipped is None:
        return False
    if call == "gemm":  # C(m, n) = A(m, k) B(k, n)
        ta, tb = flipped
        m, k = (c.dim(a, 1), c.dim(a, 0)) if ta else (c.dim(a, 0), c.dim(a, 1))
        n = c.dim(b, 0) if tb else c.dim(b, 1)
        lda, ldb = c.dim(a, 1), c.dim(b, 1)  # row lengths as stored
        args = [
            c.enum(ROW_MAJOR), c.enum(TRANS if ta else NO_TRANS), c.enum(TRANS if tb else NO_TRANS),
            m, n, k, one, _cast(c, a), c.ld(lda), _cast(c, b), c.ld(ldb), zero, _cast(c, out),
            c.ld(n),
        ]  # fmt: skip
        name = f"{BLAS_PREFIX}{p}gemm"
    elif call in ("gemv", "gemv_t"):  # y = A x, or y = x B = B^T x
        mat, vec = (a, b) if call == "gemv" else (b, a)
        rows, cols = c.dim(mat, 0), c.dim(mat, 1)
        trans = NO_TRANS if (call == "gemv") != any(flipped) else TRANS
        args = [
            c.enum(ROW_MAJOR), c.enum(trans), rows, cols, one, _cast(c, mat), c.ld(cols),
            _cast(c, vec), c.int(1), zero, _cast(c, out), c.int(1),
        ]  # fmt: skip
        name = f"{BLAS_PREFIX}{p}gemv"
    elif call == "dot":  # s = x . y
        args = [c.dim(a, 0), _cast(c, a), c.int(1), _cast(c, b), c.int(1)]
        name = f"{BLAS_PREFIX}{p}dot"
    else:
        return False
    results = [elem] if call == "dot" else []
    _declare(module, name, [v.type for v in args], results)
    call_op = func.CallOp(name, args, results)
    block = op.parent_block()
    assert block is not None
    block.insert_op_before(call_op, op)
    if call == "dot":
        block.insert_op_before(memref.StoreOp.get(call_op.results[0], out, []), op)
    if call == "gemm":
        _drop_zero_fill(out, op)
    op.detach()
    op.erase()
    return True


def _transposed_operands(op: GenericOp, call: str) -> tuple[bool, bool] | None:
    """For each input of a BLAS-marked kernel, whether it is read transposed; None when a
    map is neither the routine's own nor its transpose (then the kernel stays loops)."""
    d = AffineExpr.dimension
    maps = [m.data for m in op.indexing_maps.data]
    n = len(op.iterator_types.data)

    def amap(*exprs: AffineExpr) -> AffineMap:
        return AffineMap(n, 0, exprs)

    normal, swapped = {
        "gemm": ([amap(d(0), d(1)), amap(d(1), d(2))], [amap(d(1), d(0)), amap(d(2), d(1))]),
        "gemv": ([amap(d(0), d(1)), amap(d(1))], [amap(d(1), d(0)), amap(d(1))]),
        "gemv_t": ([amap(d(0)), amap(d(0), d(1))], [amap(d(0)), amap(d(1), d(0))]),
        "dot": ([amap(d(0)), amap(d(0))], [amap(d(0)), amap(d(0))]),
    }[call]
    flags = []
    for m, plain, flip in zip(maps[:2], normal, swapped, strict=True):
        if m == plain:
            flags.append(False)
        elif m == flip:
            flags.append(True)
        else:
            return None
    return flags[0], flags[1]


def _drop_zero_fill(out: SSAValue, kernel: GenericOp) -> None:
    """Erase the generic that only initialises ``out`` for ``kernel``: BLAS overwrites it."""
    for use in list(out.uses):
        fill = use.operation
        if isinstance(fill, GenericOp) and fill is not kernel and not fill.inputs:
            fill.detach()
            fill.erase()


def _declare(module: ModuleOp, name: str, inputs: list[Attribute], results: list[Attribute]):
    for existing in module.ops:
        if isinstance(existing, func.FuncOp) and existing.sym_name.data == name:
            return
    decl = func.FuncOp.external(name, inputs, results)
    decl.sym_visibility = StringAttr("private")
    module.body.blocks.first.add_op(decl)  # type: ignore[union-attr]


@dataclass(frozen=True)
class LinalgToBlas(ModulePass):
    """Replace BLAS-shaped float kernels by calls of numpy's OpenBLAS."""

    name = "tir-linalg-to-blas"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for inner in list(op.walk()):
            if isinstance(inner, GenericOp):
                lower_to_blas(inner, op)
