"""Small matrix products without BLAS's overhead: ``tensorir_cblas_dgemm``/``sgemm``.

Compiled code calls ``tensorir_cblas_<p>gemm`` with CBLAS's arguments. For a small product
(``m * n * k`` up to ``SMALL``; a recurrent step's ``16 x 100 @ 100 x 100``) OpenBLAS spends
about as long deciding, packing and splitting as computing (8.5 us here for 160k
multiply-adds), so these entry points compute it themselves with a register-blocked kernel:
blocks of ``ROWS`` rows of C by two vectors of columns, the accumulators kept in registers
over the whole ``k`` loop, each step one broadcast of A per row and one load of B per vector
(masked at the right edge), fused multiply-adds. Anything else (a transposed operand, alpha
or beta other than 1 and 0, a large product) goes to OpenBLAS unchanged. The summation order
over ``k`` is the plain one, the same for every size, and each product is one rounding of an
FMA: results match the naive sum to within BLAS's own rounding differences.

Each precision's module is compiled once per process, when a module calling it is first
compiled, with OpenBLAS's routine as its fallback, and registered for the JIT under the name
compiled code calls.
"""

from __future__ import annotations

import functools

from llvmlite import ir

SMALL = 1 << 20
"""Products of at most this many multiply-adds are computed here (OpenBLAS's own packing
and threads pay off beyond)."""

ROWS = 4
"""Rows of C per block."""

I1, I32, I64, PTR, VOID = (
    ir.IntType(1),
    ir.IntType(32),
    ir.IntType(64),
    ir.PointerType(),
    ir.VoidType(),
)
ROW_MAJOR, NO_TRANS = 101, 111


def _gemm(m: ir.Module, prefix: str, elem: ir.Type, width: int) -> None:
    """``tir_gemm_<prefix>`` (CBLAS's ``<prefix>gemm`` arguments), falling back to
    ``tir_openblas_<prefix>gemm``."""
    args = [I32, I32, I32, I64, I64, I64, elem, PTR, I64, PTR, I64, elem, PTR, I64]
    fnty = ir.FunctionType(VOID, args)
    fallback = ir.Function(m, fnty, f"tir_openblas_{prefix}gemm")
    f = ir.Function(m, fnty, f"tir_gemm_{prefix}")
    order, ta, tb, mm, nn, kk, alpha, a, lda, bp, ldb, beta, c, ldc = f.args
    vec = ir.VectorType(elem, width)
    mask_t = ir.VectorType(I1, width)
    align = ir.Constant(I32, 8 if isinstance(elem, ir.DoubleType) else 4)
    suffix = f"v{width}{'f64' if isinstance(elem, ir.DoubleType) else 'f32'}"
    fma = ir.Function(m, ir.FunctionType(vec, [vec, vec, vec]), f"llvm.fma.{suffix}")
    mload = ir.Function(
        m, ir.FunctionType(vec, [PTR, I32, mask_t, vec]), f"llvm.masked.load.{suffix}.p0"
    )
    mstore = ir.Function(
        m, ir.FunctionType(VOID, [vec, PTR, I32, mask_t]), f"llvm.masked.store.{suffix}.p0"
    )

    entry = f.append_basic_block("entry")
    small = f.append_basic_block("small")
    blas = f.append_basic_block("blas")
    b = ir.IRBuilder(entry)
    one, zero = ir.Constant(elem, 1.0), ir.Constant(elem, 0.0)
    ok = b.and_(
        b.icmp_signed("==", order, ir.Constant(I32, ROW_MAJOR)),
        b.icmp_signed("==", ta, ir.Constant(I32, NO_TRANS)),
    )
    ok = b.and_(ok, b.icmp_signed("==", tb, ir.Constant(I32, NO_TRANS)))
    ok = b.and_(ok, b.fcmp_ordered("==", alpha, one))
    ok = b.and_(ok, b.fcmp_ordered("==", beta, zero))
    work = b.mul(b.mul(mm, nn), kk)  # a wrapped product only picks the kernel (right at any size)
    ok = b.and_(ok, b.icmp_signed("<=", work, ir.Constant(I64, SMALL)))
    ok = b.and_(ok, b.icmp_signed(">", mm, ir.Constant(I64, 0)))
    ok = b.and_(ok, b.icmp_signed(">", nn, ir.Constant(I64, 0)))
    b.cbranch(ok, small, blas)

    b.position_at_end(blas)
    b.call(fallback, list(f.args))
    b.ret_void()

    # for i0 in range(0, m, ROWS): for j0 in range(0, n, 2 * width): block
    b.position_at_end(small)
    zero64, step_rows, step_cols = (
        ir.Constant(I64, 0),
        ir.Constant(I64, ROWS),
        ir.Constant(I64, 2 * width),
    )
    last_row = b.sub(mm, ir.Constant(I64, 1))
    lanes = ir.Constant(ir.VectorType(I64, width), list(range(width)))
    zero_vec = ir.Constant(vec, [0.0] * width)

    rows_head = f.append_basic_block("rows")
    cols_head = f.append_basic_block("cols")
    k_head = f.append_basic_block("k")
    k_body = f.append_basic_block("k_body")
    store = f.append_basic_block("store")
    cols_next = f.append_basic_block("cols_next")
    rows_next = f.append_basic_block("rows_next")
    done = f.append_basic_block("done")

    b.branch(rows_head)
    b.position_at_end(rows_head)
    i0 = b.phi(I64, "i0")
    i0.add_incoming(zero64, small)
    b.cbranch(b.icmp_signed("<", i0, mm), cols_head, done)

    # a block's rows: i0 + r, the last row repeated past m (computed, not stored)
    b.position_at_end(cols_head)
    j0 = b.phi(I64, "j0")
    j0.add_incoming(zero64, rows_head)
    left = b.sub(nn, j0)

    def splat(x: ir.Value, t: ir.VectorType) -> ir.Value:
        v = b.insert_element(ir.Constant(t, ir.Undefined), x, ir.Constant(I32, 0))
        return b.shuffle_vector(
            v, ir.Constant(t, ir.Undefined), ir.Constant(ir.VectorType(I32, t.count), [0] * t.count)
        )

    left_v = splat(left, ir.VectorType(I64, width))
    masks = [
        b.icmp_signed("<", lanes, left_v),
        b.icmp_signed(
            "<", b.add(lanes, ir.Constant(ir.VectorType(I64, width), [width] * width)), left_v
        ),
    ]
    rows = [
        b.select(
            b.icmp_signed(">", b.add(i0, ir.Constant(I64, r)), last_row),
            last_row,
            b.add(i0, ir.Constant(I64, r)),
        )
        for r in range(ROWS)
    ]
    a_rows = [b.gep(a, [b.mul(row, lda)], source_etype=elem) for row in rows]
    b.branch(k_head)

    b.position_at_end(k_head)
    kv = b.phi(I64, "k")
    kv.add_incoming(zero64, cols_head)
    accs = [[b.phi(vec, f"acc{r}_{v}") for v in range(2)] for r in range(ROWS)]
    for row in accs:
        for acc in row:
            acc.add_incoming(zero_vec, cols_head)
    b.cbranch(b.icmp_signed("<", kv, kk), k_body, store)

    b.position_at_end(k_body)
    b_row = b.gep(bp, [b.add(b.mul(kv, ldb), j0)], source_etype=elem)
    bvs = [
        b.call(mload, [b_row, align, masks[0], zero_vec]),
        b.call(
            mload,
            [b.gep(b_row, [ir.Constant(I64, width)], source_etype=elem), align, masks[1], zero_vec],
        ),
    ]
    for r in range(ROWS):
        av = splat(b.load(b.gep(a_rows[r], [kv], source_etype=elem), typ=elem), vec)
        for v in range(2):
            accs[r][v].add_incoming(b.call(fma, [av, bvs[v], accs[r][v]]), k_body)
    kv.add_incoming(b.add(kv, ir.Constant(I64, 1)), k_body)
    b.branch(k_head)

    b.position_at_end(store)
    for r in range(ROWS):
        row = b.add(i0, ir.Constant(I64, r))
        target = f.append_basic_block(f"store{r}")
        after = f.append_basic_block(f"stored{r}")
        b.cbranch(b.icmp_signed("<", row, mm), target, after)
        b.position_at_end(target)
        c_row = b.gep(c, [b.add(b.mul(row, ldc), j0)], source_etype=elem)
        b.call(mstore, [accs[r][0], c_row, align, masks[0]])
        b.call(
            mstore,
            [
                accs[r][1],
                b.gep(c_row, [ir.Constant(I64, width)], source_etype=elem),
                align,
                masks[1],
            ],
        )
        b.branch(after)
        b.position_at_end(after)
    b.branch(cols_next)

    b.position_at_end(cols_next)
    j_next = b.add(j0, step_cols)
    j0.add_incoming(j_next, cols_next)
    b.cbranch(b.icmp_signed("<", j_next, nn), cols_head, rows_next)

    b.position_at_end(rows_next)
    i0.add_incoming(b.add(i0, step_rows), rows_next)
    b.branch(rows_head)

    b.position_at_end(done)
    b.ret_void()


def module_text(prefix: str) -> str:
    m = ir.Module(f"tensorir_small_{prefix}gemm")
    if prefix == "d":
        _gemm(m, "d", ir.DoubleType(), 8)
    else:
        _gemm(m, "s", ir.FloatType(), 16)
    return str(m)


@functools.cache
def address(prefix: str) -> int:
    """The address of ``tir_gemm_<prefix>`` (``d`` or ``s``), the entry point registered as
    ``tensorir_cblas_<prefix>gemm``: compiled on first use (about 25 ms at O2; loaded from
    the compile cache by later processes), with OpenBLAS's routine as its fallback."""
    from tensorir.runtime.blas import PREFIX, blas_symbols
    from tensorir.runtime.jit import register_symbols, runtime_library

    blas = blas_symbols()[f"{PREFIX}{prefix}gemm"]
    register_symbols({f"tir_openblas_{prefix}gemm": blas})
    library = runtime_library(f"tensorir_small_{prefix}gemm", lambda: module_text(prefix), 2)
    _keep.append(library)
    return library.address(f"tir_gemm_{prefix}")  # type: ignore[no-any-return]


_keep: list[object] = []
