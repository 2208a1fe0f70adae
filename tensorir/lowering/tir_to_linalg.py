"""``tir-to-linalg`` (L1 -> L2): each ``tir`` op on tensors becomes ``linalg.generic`` kernels.

Elementwise ops, casts and dimshuffles become parallel generics whose indexing maps say how
each operand is read (a broadcast dim reads index 0); reductions and ``dot`` become a fill of
the neutral element and a generic with reduction iterators (``dot`` carries a
``library_call`` naming the BLAS routine it matches). Run-time shape checks come first, as
``tir.check`` ops whose message names the op, both shapes and the user's source line.
``tir.constant`` and ``tir.check`` stay; ``tir.reshape`` gets its ``-1`` size resolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.builder import Builder
from xdsl.context import Context
from xdsl.dialects import arith, func
from xdsl.dialects import tensor as xtensor
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    AffineMapAttr,
    DenseIntOrFPElementsAttr,
    IndexType,
    ModuleOp,
    StringAttr,
    TensorType,
    i64,
)
from xdsl.dialects.linalg.attrs import IteratorTypeAttr
from xdsl.dialects.linalg.ops import GenericOp, YieldOp
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint

from tensorir.abi import MAX_CHECK_VALUES
from tensorir.dialects import tir
from tensorir.dialects import types as T
from tensorir.lowering import scalar

PARALLEL = IteratorTypeAttr.parallel()
REDUCTION = IteratorTypeAttr.reduction()


def _shape(v: SSAValue) -> tuple[int, ...]:
    assert isinstance(v.type, TensorType)
    return tuple(v.type.get_shape())


def _dtype(v: SSAValue | Attribute) -> str:
    t = v.type if isinstance(v, SSAValue) else v
    assert isinstance(t, TensorType)
    return T.dtype_of(t.element_type)


class FunctionLowering:
    """Lowers the ``tir`` ops of one function body, inserting before each op in turn."""

    def __init__(self, block: Block):
        self.block = block
        self.builder = Builder(InsertPoint.at_start(block))  # moved before each op lowered
        self.dims: dict[tuple[SSAValue, int], SSAValue] = {}
        self.consts: dict[int, SSAValue] = {}

    # -- building blocks ---------------------------------------------------------------

    def insert(self, op: Operation) -> Operation:
        return self.builder.insert(op)

    def index(self, n: int) -> SSAValue:
        """An ``index`` constant (inserted at the top of the function, shared)."""
        if n not in self.consts:
            op = arith.ConstantOp.from_int_and_width(n, IndexType())
            first = self.block.first_op
            assert first is not None
            self.block.insert_op_before(op, first)
            self.consts[n] = op.result
        return self.consts[n]

    def dim(self, v: SSAValue, i: int) -> SSAValue:
        """Size of dim ``i`` of ``v``: a constant when static."""
        size = _shape(v)[i]
        if size != DYNAMIC_INDEX:
            return self.index(size)
        key = (v, i)
        if key not in self.dims:
            self.dims[key] = self.insert(xtensor.DimOp(v, self.index(i))).results[0]
        return self.dims[key]

    def dims_of(self, v: SSAValue) -> list[SSAValue]:
        return [self.dim(v, i) for i in range(len(_shape(v)))]

    def check(self, cond: SSAValue, kind: str, message: str, values: Sequence[SSAValue]) -> None:
        self.insert(tir.CheckOp(cond, kind, message, values))

    def where(self, op: Operation) -> str:
        return tir.built_at(op)

    def empty(self, t: TensorType, dims: Sequence[SSAValue]) -> SSAValue:
        dynamic = [d for d, s in zip(dims, t.get_shape(), strict=True) if s == DYNAMIC_INDEX]
        return self.insert(xtensor.EmptyOp(dynamic, t)).results[0]

    def generic(
        self,
        inputs: Sequence[SSAValue],
        init: SSAValue,
        maps: Sequence[AffineMap],
        iterators: Sequence[Attribute],
        body: object,
        library_call: str | None = None,
    ) -> SSAValue:
        """``linalg.generic`` writing into ``init``; ``body(insert, *args)`` gives the value."""
        arg_types = [_elem(v) for v in inputs] + [_elem(init)]
        block = Block(arg_types=arg_types)

        def insert_body(op: Operation) -> Operation:
            block.add_op(op)
            return op

        result = body(insert_body, *block.args)  # type: ignore[operator]
        block.add_op(YieldOp(result))
        op = GenericOp(
            list(inputs),
            [init],
            Region(block),
            [AffineMapAttr(m) for m in maps],
            list(iterators),
            [init.type],
            library_call=StringAttr(library_call) if library_call else None,
        )
        return self.insert(op).results[0]

    def fill(self, t: TensorType, dims: Sequence[SSAValue], value: float | int | bool) -> SSAValue:
        rank = len(t.get_shape())
        dtype = _dtype(t)
        init = self.empty(t, dims)
        return self.generic(
            [],
            init,
            [AffineMap.identity(rank)],
            [PARALLEL] * rank,
            lambda ins, out: scalar.const(ins, value, dtype),
        )

    # -- ops ---------------------------------------------------------------------------

    def lower(self, op: Operation) -> None:
        self.builder.insertion_point = InsertPoint.before(op)
        if isinstance(
            op, tir.ElementwiseBinaryOp | tir.ElementwiseUnaryOp | tir.CastOp | tir.SwitchOp
        ):
            new = self.elementwise(op)
        elif isinstance(op, tir.SizeOp):
            new = self.size(op)
        elif isinstance(op, tir.DimShuffleOp):
            new = self.dimshuffle(op)
        elif isinstance(op, tir.ReduceOp):
            new = self.reduce(op)
        elif isinstance(op, tir.DotOp):
            new = self.dot(op)
        elif isinstance(op, tir.SoftmaxOp | tir.LogSoftmaxOp):
            new = self.softmax(op)
        elif isinstance(op, tir.ArgOp):
            new = self.argmax(op)
        elif isinstance(op, tir.ReshapeOp):
            new = self.reshape(op)
        elif isinstance(op, tir.NanGuardOp):
            self.nan_guard(op)
            op.detach()
            op.erase()
            return
        else:
            return
        if op.results[0].name_hint and not new.name_hint:
            new.name_hint = op.results[0].name_hint
        op.results[0].replace_all_uses_with(new)
        op.detach()
        op.erase()

    def broadcast_checks(self, op: Operation, xs: Sequence[SSAValue], out: TensorType) -> list:
        """Sizes of the result dims; checks that the operands agree on each non-broadcast dim."""
        sizes: list[SSAValue] = []
        for i, size in enumerate(out.get_shape()):
            sources = [x for x in xs if _shape(x)[i] != 1]
            if size == 1 or not sources:
                sizes.append(self.index(1))
                continue
            first = self.dim(sources[0], i)
            for other in sources[1:]:
                if _shape(other)[i] != DYNAMIC_INDEX and _shape(other)[i] == _shape(sources[0])[i]:
                    continue
                ok = self.insert(arith.CmpiOp(first, self.dim(other, i), "eq")).results[0]
                a, b = self.dims_of(sources[0]), self.dims_of(other)
                fmt_a = ", ".join(f"{{{k}}}" for k in range(len(a)))
                fmt_b = ", ".join(f"{{{k + len(a)}}}" for k in range(len(b)))
                if len(a) == 1:
                    fmt_a += ","
                    fmt_b += ","
                name = op.name.removeprefix("tir.")
                self.check(
                    ok,
                    "ValueError",
                    f"Input dimension mismatch in {name}: shapes ({fmt_a}) and ({fmt_b}) do "
                    f"not broadcast at dim {i}{self.where(op)}",
                    a + b,
                )
            sizes.append(first)
        return sizes

    def elementwise(self, op: Operation) -> SSAValue:
        xs = list(op.operands)
        out = op.results[0].type
        assert isinstance(out, TensorType)
        rank = len(out.get_shape())
        sizes = self.broadcast_checks(op, xs, out)
        if isinstance(op, tir.PowOp) and T.is_int(_dtype(xs[1])):
            self.no_negative_exponent(op, xs[1])
        maps = [_broadcast_map(_shape(x), rank) for x in xs] + [AffineMap.identity(rank)]
        in_dtype, out_dtype = _dtype(xs[0]), _dtype(out)
        op_cls = type(op)

        def body(ins: scalar.Insert, *args: SSAValue) -> SSAValue:
            if op_cls is tir.CastOp:
                return scalar.convert(ins, args[0], in_dtype, out_dtype)
            if op_cls is tir.SwitchOp:
                return scalar.select(ins, args[0], args[1], args[2])
            if isinstance(op, tir.ElementwiseBinaryOp):
                return scalar.binary(ins, op_cls, args[0], args[1], in_dtype)
            return scalar.unary(ins, op_cls, args[0], in_dtype)

        return self.generic(xs, self.empty(out, sizes), maps, [PARALLEL] * rank, body)

    def no_negative_exponent(self, op: Operation, e: SSAValue) -> None:
        """Integers to negative integer powers raise, as numpy's."""
        dtype = _dtype(e)

        def negative(ins: scalar.Insert, a: SSAValue, acc: SSAValue) -> SSAValue:
            below = ins(arith.CmpiOp(a, scalar.const(ins, 0, dtype), "slt")).results[0]
            return ins(arith.OrIOp(acc, below)).results[0]

        found = self.fold(e, "bool", 0, negative)
        ok = self.insert(arith.XOrIOp(found, scalar.const(self.insert, 1, "bool"))).results[0]
        self.check(
            ok,
            "ValueError",
            f"Integers to negative integer powers are not allowed{self.where(op)}",
            [],
        )

    def size(self, op: tir.SizeOp) -> SSAValue:
        """The product of the dims along ``axes``, as a rank-0 int64 tensor."""
        count = self.index(1)
        for a in op.get_axes():
            count = self.insert(arith.MuliOp(count, self.dim(op.input, a))).results[0]
        n = self.insert(arith.IndexCastOp(count, i64)).results[0]
        out = op.result.type
        assert isinstance(out, TensorType)
        return self.generic([], self.empty(out, []), [AffineMap.identity(0)], [], lambda ins, o: n)

    def dimshuffle(self, op: tir.DimShuffleOp) -> SSAValue:
        x = op.input
        out = op.result.type
        assert isinstance(out, TensorType)
        pattern = op.get_pattern()
        rank = len(pattern)
        sizes = [self.index(1) if p == -1 else self.dim(x, p) for p in pattern]
        exprs = [
            AffineExpr.dimension(pattern.index(d)) if d in pattern else AffineExpr.constant(0)
            for d in range(len(_shape(x)))
        ]
        maps = [AffineMap(rank, 0, tuple(exprs)), AffineMap.identity(rank)]
        return self.generic(
            [x], self.empty(out, sizes), maps, [PARALLEL] * rank, lambda ins, a, o: a
        )

    def reduce(self, op: tir.ReduceOp) -> SSAValue:
        x = op.input
        out = op.result.type
        assert isinstance(out, TensorType)
        axes = op.get_axes()
        rank = len(_shape(x))
        kind = op.name.removeprefix("tir.")
        in_dtype, acc_dtype = _dtype(x), _dtype(out)
        kept = [i for i in range(rank) if i not in axes]
        count = self.index(1)
        for a in axes:
            count = self.insert(arith.MuliOp(count, self.dim(x, a))).results[0]
        if kind in ("max", "min"):
            ok = self.insert(arith.CmpiOp(count, self.index(0), "sgt")).results[0]
            dims = self.dims_of(x)
            shape = ", ".join(f"{{{k}}}" for k in range(rank)) + ("," if rank == 1 else "")
            self.check(
                ok,
                "ValueError",
                f"{kind}: zero-size array to reduction operation "
                f"{'maximum' if kind == 'max' else 'minimum'} which has no identity "
                f"(input shape ({shape}), axes {list(axes)}){self.where(op)}",
                dims,
            )
        sizes = [self.dim(x, i) for i in kept]
        init = self.fill(out, sizes, scalar.identity(kind, acc_dtype))
        maps = [
            AffineMap.identity(rank),
            AffineMap(rank, 0, tuple(AffineExpr.dimension(i) for i in kept)),
        ]
        iterators = [REDUCTION if i in axes else PARALLEL for i in range(rank)]
        combine = {
            "sum": tir.AddOp,
            "mean": tir.AddOp,
            "prod": tir.MulOp,
            "max": tir.MaximumOp,
            "min": tir.MinimumOp,
        }[kind]

        def body(ins: scalar.Insert, a: SSAValue, acc: SSAValue) -> SSAValue:
            a = scalar.convert(ins, a, in_dtype, acc_dtype)
            return scalar.binary(ins, combine, acc, a, acc_dtype)

        total = self.generic([x], init, maps, iterators, body)
        if kind != "mean":
            return total
        # mean = sum / count
        n_int = self.insert(arith.IndexCastOp(count, i64)).results[0]
        n = scalar.convert(self.insert, n_int, "int64", acc_dtype)
        out_rank = len(kept)
        return self.generic(
            [total],
            self.empty(out, sizes),
            [AffineMap.identity(out_rank)] * 2,
            [PARALLEL] * out_rank,
            lambda ins, s, o: scalar.binary(ins, tir.TrueDivOp, s, n, acc_dtype),
        )

    def along(
        self, x: SSAValue, axis: int, kind: str, dtype: str
    ) -> tuple[SSAValue, list[SSAValue], AffineMap]:
        """The ``kind`` (max, min, sum) reduction of ``x`` along ``axis``; also the sizes of
        the kept dims and the map that reads the reduced result from ``x``'s loops."""
        rank = len(_shape(x))
        kept = [i for i in range(rank) if i != axis]
        sizes = [self.dim(x, i) for i in kept]
        t = TensorType(T.element_type(dtype), [_shape(x)[i] for i in kept])
        init = self.fill(t, sizes, scalar.identity(kind, dtype))
        proj = AffineMap(rank, 0, tuple(AffineExpr.dimension(i) for i in kept))
        combine = {"max": tir.MaximumOp, "min": tir.MinimumOp, "sum": tir.AddOp}[kind]
        iterators = [REDUCTION if i == axis else PARALLEL for i in range(rank)]
        total = self.generic(
            [x],
            init,
            [AffineMap.identity(rank), proj],
            iterators,
            lambda ins, a, acc: scalar.binary(ins, combine, acc, a, dtype),
        )
        return total, sizes, proj

    def softmax(self, op: tir.AxisOp) -> SSAValue:
        """max, exp(x - max), its sum, then the ratio (or x - max - log(sum))."""
        x = op.operands[0]
        t = op.results[0].type
        assert isinstance(t, TensorType)
        axis = op.get_axis()
        dtype = _dtype(x)
        rank = len(_shape(x))
        ident = AffineMap.identity(rank)
        par = [PARALLEL] * rank
        dims = self.dims_of(x)
        m, _, proj = self.along(x, axis, "max", dtype)

        def shifted_exp(ins: scalar.Insert, a: SSAValue, mv: SSAValue, o: SSAValue) -> SSAValue:
            d = scalar.binary(ins, tir.SubOp, a, mv, dtype)
            return scalar.unary(ins, tir.ExpOp, d, dtype)

        e = self.generic([x, m], self.empty(t, dims), [ident, proj, ident], par, shifted_exp)
        total, _, _ = self.along(e, axis, "sum", dtype)
        if isinstance(op, tir.SoftmaxOp):
            return self.generic(
                [e, total],
                self.empty(t, dims),
                [ident, proj, ident],
                par,
                lambda ins, a, sv, o: scalar.binary(ins, tir.TrueDivOp, a, sv, dtype),
            )

        def log_ratio(
            ins: scalar.Insert, a: SSAValue, mv: SSAValue, sv: SSAValue, o: SSAValue
        ) -> SSAValue:
            d = scalar.binary(ins, tir.SubOp, a, mv, dtype)
            return scalar.binary(ins, tir.SubOp, d, scalar.unary(ins, tir.LogOp, sv, dtype), dtype)

        return self.generic(
            [x, m, total], self.empty(t, dims), [ident, proj, proj, ident], par, log_ratio
        )

    def argmax(self, op: tir.ArgOp) -> SSAValue:
        """The extremum, then the smallest index where it (or a NaN) is found."""
        x = op.operands[0]
        t = op.results[0].type
        assert isinstance(t, TensorType)
        axis = op.get_axis()
        dtype = _dtype(x)
        rank = len(_shape(x))
        kind = "max" if isinstance(op, tir.ArgmaxOp) else "min"
        n = self.dim(x, axis)
        ok = self.insert(arith.CmpiOp(n, self.index(0), "sgt")).results[0]
        name = op.name.removeprefix("tir.")
        self.check(
            ok,
            "ValueError",
            f"{name}: attempt to get {name} of an empty sequence{self.where(op)}",
            [],
        )
        m, sizes, proj = self.along(x, axis, kind, dtype)
        # positions along the axis: an int64 vector 0, 1, ..., n - 1
        i64_scalar = TensorType(i64, [])
        n64 = self.insert(arith.IndexCastOp(n, i64)).results[0]
        stop = self.generic(
            [], self.empty(i64_scalar, []), [AffineMap.identity(0)], [], lambda ins, o: n64
        )
        zero = self.scalar_constant(0)
        one = self.scalar_constant(1)
        positions = self.insert(tir.ArangeOp(zero, stop, one)).results[0]
        big = (1 << 63) - 1
        init = self.fill(t, sizes, big)

        def first_hit(
            ins: scalar.Insert, a: SSAValue, mv: SSAValue, i: SSAValue, acc: SSAValue
        ) -> SSAValue:
            hit = scalar.binary(ins, tir.EqOp, a, mv, dtype)
            if T.is_float(dtype):
                nan = ins(arith.CmpfOp(a, a, "uno")).results[0]
                hit = ins(arith.OrIOp(hit, nan)).results[0]
            cand = scalar.select(ins, hit, i, scalar.const(ins, big, "int64"))
            return ins(arith.MinSIOp(acc, cand)).results[0]

        at_axis = AffineMap(rank, 0, (AffineExpr.dimension(axis),))
        iterators = [REDUCTION if i == axis else PARALLEL for i in range(rank)]
        return self.generic(
            [x, m, positions],
            init,
            [AffineMap.identity(rank), proj, at_axis, proj],
            iterators,
            first_hit,
        )

    def scalar_constant(self, value: int) -> SSAValue:
        """A rank-0 int64 ``tir.constant``."""
        t = TensorType(i64, [])
        attr = DenseIntOrFPElementsAttr.from_list(t, [value])
        return self.insert(tir.ConstantOp(attr, t)).results[0]

    def dot(self, op: tir.DotOp) -> SSAValue:
        a, b = op.lhs, op.rhs
        out = op.result.type
        assert isinstance(out, TensorType)
        ra, rb = len(_shape(a)), len(_shape(b))
        ka, kb = self.dim(a, ra - 1), self.dim(b, 0)
        ok = self.insert(arith.CmpiOp(ka, kb, "eq")).results[0]
        da, db = self.dims_of(a), self.dims_of(b)
        fa = ", ".join(f"{{{k}}}" for k in range(ra)) + ("," if ra == 1 else "")
        fb = ", ".join(f"{{{k + ra}}}" for k in range(rb)) + ("," if rb == 1 else "")
        self.check(
            ok,
            "ValueError",
            f"dot: shapes ({fa}) and ({fb}) not aligned: {{{ra - 1}}} (dim {ra - 1}) != "
            f"{{{ra}}} (dim 0){self.where(op)}",
            da + db,
        )
        d = AffineExpr.dimension
        # loops: (i, k, j) with the contiguous index innermost
        maps, iterators, call = {
            (1, 1): ([(d(0),), (d(0),), ()], [REDUCTION], "dot"),
            (2, 1): ([(d(0), d(1)), (d(1),), (d(0),)], [PARALLEL, REDUCTION], "gemv"),
            (1, 2): ([(d(0),), (d(0), d(1)), (d(1),)], [REDUCTION, PARALLEL], "gemv_t"),
            (2, 2): (
                [(d(0), d(1)), (d(1), d(2)), (d(0), d(2))],
                [PARALLEL, REDUCTION, PARALLEL],
                "gemm",
            ),
        }[(ra, rb)]
        sizes = da[:-1] + db[1:]
        n_loops = len(iterators)
        dtype = _dtype(out)
        init = self.fill(out, sizes, 0)

        def body(ins: scalar.Insert, x: SSAValue, y: SSAValue, acc: SSAValue) -> SSAValue:
            return scalar.binary(
                ins, tir.AddOp, acc, scalar.binary(ins, tir.MulOp, x, y, dtype), dtype
            )

        return self.generic(
            [a, b],
            init,
            [AffineMap(n_loops, 0, tuple(m)) for m in maps],
            iterators,
            body,
            library_call=call,
        )

    def fold(self, x: SSAValue, dtype: str, init: int, step: object) -> SSAValue:
        """A scalar of ``dtype`` folded over every element of ``x``: ``init``, then
        ``step(insert, element, acc)`` element by element (a reduction over all dims)."""
        rank = len(_shape(x))
        start = self.fill(TensorType(T.element_type(dtype), []), [], init)
        maps = [AffineMap.identity(rank), AffineMap(rank, 0, ())]
        total = self.generic([x], start, maps, [REDUCTION] * rank, step)
        return self.insert(xtensor.ExtractOp(total, [], T.element_type(dtype))).results[0]

    def nan_guard(self, op: tir.NanGuardOp) -> None:
        """The worst finding over every element (a max-reduction of ``scalar.guard_code``),
        then one check per kind of finding, the worst first. The message reports the sizes of
        the guarded op's operands: static ones in the text, dynamic ones as values of the
        check (as many as it can carry; ``?`` for the rest)."""
        dtype, checks = _dtype(op.value), op.get_checks()

        def worst(ins: scalar.Insert, a: SSAValue, acc: SSAValue) -> SSAValue:
            code = scalar.guard_code(ins, a, dtype, checks)
            return ins(arith.MaxSIOp(acc, code)).results[0]

        code = self.fold(op.value, "int8", 0, worst)
        values: list[SSAValue] = []
        fields: list[list[str]] = []
        for v in op.inputs:
            fields.append([])
            for d, size in enumerate(_shape(v)):
                if size != DYNAMIC_INDEX:
                    fields[-1].append(str(size))
                    continue
                if len(values) == MAX_CHECK_VALUES:
                    fields[-1].append("?")
                    continue
                fields[-1].append(f"{{{len(values)}}}")
                values.append(self.dim(v, d))
        for kind in checks:
            value = scalar.const(self.insert, tir.NanGuardOp.CODES[kind], "int8")
            ok = self.insert(arith.CmpiOp(code, value, "ne")).results[0]
            self.check(ok, "AssertionError", op.message(kind, fields), values)

    def reshape(self, op: tir.ReshapeOp) -> SSAValue:
        """Resolve a ``-1`` size: it is the input's size divided by the other sizes."""
        x = op.input
        out = op.result.type
        assert isinstance(out, TensorType)
        total = self.index(1)
        for d in self.dims_of(x):
            total = self.insert(arith.MuliOp(total, d)).results[0]
        minus_one = self.index(-1)
        if op.sizes:  # as numpy: no size below -1, at most one -1 (sizes given at run time)
            valid = None
            unknown = self.index(0)
            for s in op.sizes:
                ge = self.insert(arith.CmpiOp(s, minus_one, "sge")).results[0]
                valid = ge if valid is None else self.insert(arith.AndIOp(valid, ge)).results[0]
                is_unknown = self.insert(arith.CmpiOp(s, minus_one, "eq")).results[0]
                as_index = self.insert(
                    arith.SelectOp(is_unknown, self.index(1), self.index(0))
                ).results[0]
                unknown = self.insert(arith.AddiOp(unknown, as_index)).results[0]
            one_unknown = self.insert(arith.CmpiOp(unknown, self.index(1), "sle")).results[0]
            valid = self.insert(arith.AndIOp(valid, one_unknown)).results[0]
            listed = ", ".join(f"{{{k}}}" for k in range(len(op.sizes)))
            listed += "," if len(op.sizes) == 1 else ""
            self.check(
                valid,
                "ValueError",
                f"reshape: invalid shape ({listed}): negative dimensions are not allowed, "
                f"and only one may be -1 (unknown){self.where(op)}",
                list(op.sizes),
            )
        is_neg: list[SSAValue] = []
        factors: list[SSAValue] = []
        for s in op.sizes:
            neg = self.insert(arith.CmpiOp(s, minus_one, "eq")).results[0]
            is_neg.append(neg)
            factors.append(self.insert(arith.SelectOp(neg, self.index(1), s)).results[0])
        # products checked for overflow: (4, 2**62 + 1) must not pass as 4 elements
        known, known_fits = scalar.size_product(self.insert, factors)
        known_nz = self.insert(arith.CmpiOp(known, self.index(0), "ne")).results[0]
        safe = self.insert(arith.SelectOp(known_nz, known, self.index(1))).results[0]
        inferred = self.insert(arith.DivUIOp(total, safe)).results[0]
        sizes = [
            self.insert(arith.SelectOp(neg, inferred, s)).results[0]
            for neg, s in zip(is_neg, op.sizes, strict=True)
        ]
        product, fits = scalar.size_product(self.insert, sizes)
        ok = self.insert(arith.CmpiOp(product, total, "eq")).results[0]
        ok = self.insert(arith.AndIOp(ok, fits)).results[0]
        ok = self.insert(arith.AndIOp(ok, known_fits)).results[0]
        if is_neg:  # as numpy, a -1 among sizes whose product is 0 cannot be resolved
            any_neg = is_neg[0]
            for neg in is_neg[1:]:
                any_neg = self.insert(arith.OrIOp(any_neg, neg)).results[0]
            resolved = self.insert(arith.AndIOp(ok, known_nz)).results[0]
            ok = self.insert(arith.SelectOp(any_neg, resolved, ok)).results[0]
        for i, size in enumerate(out.get_shape()):
            if size != DYNAMIC_INDEX:
                same = self.insert(arith.CmpiOp(sizes[i], self.index(size), "eq")).results[0]
                ok = self.insert(arith.AndIOp(ok, same)).results[0]
        shape = ", ".join(f"{{{k + 1}}}" for k in range(len(sizes)))
        shape += "," if len(sizes) == 1 else ""
        self.check(
            ok,
            "ValueError",
            f"reshape: cannot reshape array of size {{0}} into shape ({shape}){self.where(op)}",
            [total, *op.sizes],
        )
        return self.insert(tir.ReshapeOp(x, sizes, out)).results[0]


def _elem(v: SSAValue) -> Attribute:
    assert isinstance(v.type, TensorType)
    return v.type.element_type


def _broadcast_map(shape: Sequence[int], rank: int) -> AffineMap:
    """Read an operand of ``shape``: index 0 along its size-1 dims, the loop index elsewhere."""
    exprs = [
        AffineExpr.constant(0) if shape[i] == 1 else AffineExpr.dimension(i) for i in range(rank)
    ]
    return AffineMap(rank, 0, tuple(exprs))


@dataclass(frozen=True)
class TirToLinalg(ModulePass):
    """Lower ``tir`` tensor ops to ``linalg.generic`` kernels with run-time shape checks."""

    name = "tir-to-linalg"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for fn in op.ops:
            if not isinstance(fn, func.FuncOp) or fn.is_declaration:
                continue
            # every block, those of tir.map bodies and tir.if regions included (an op
            # in a region gets its checks there: they run only when the region does)
            blocks = [fn.body.blocks.first] + [
                region.block
                for inner in fn.walk()
                if isinstance(inner, tir.MapOp | tir.IfOp)
                for region in inner.regions
            ]
            for block in blocks:
                assert block is not None
                lowering = FunctionLowering(block)
                for inner in list(block.ops):
                    lowering.lower(inner)
