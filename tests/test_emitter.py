"""Loop-level IR -> LLVM IR -> machine code, run through the raw call path."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects import get_all_dialects
from xdsl.parser import Parser

from tensorir.dialects.tir import TIR
from tensorir.lowering.llvm_emitter import emit_llvm_ir
from tensorir.runtime import FunctionABI, JITLibrary, Kernel
from tensorir.runtime.blas import blas_available

I64_MIN = np.iinfo(np.int64).min


def _ctx() -> Context:
    ctx = Context()
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    ctx.register_dialect("tir", lambda: TIR)
    return ctx


CTX = _ctx()


def build(src: str) -> tuple[JITLibrary, dict[str, Kernel]]:
    module = Parser(CTX, src).parse_module()
    emitted = emit_llvm_ir(module)
    lib = JITLibrary(emitted.llvm_ir)
    return lib, {n: Kernel(abi, lib.address(n), lib) for n, abi in emitted.functions.items()}


ADD = """
func.func @add(%a: memref<?xf64>, %b: memref<?xf64>) -> memref<?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xf64>
  %m = memref.dim %b, %c0 : memref<?xf64>
  %ok = arith.cmpi eq, %n, %m : index
  tir.check %ok, "ValueError", "add: shapes ({0},) and ({1},) differ" (%n, %m : index, index)
  %c = memref.alloc(%n) : memref<?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %a[%i] : memref<?xf64>
    %y = memref.load %b[%i] : memref<?xf64>
    %z = arith.addf %x, %y : f64
    memref.store %z, %c[%i] : memref<?xf64>
  }
  func.return %c : memref<?xf64>
}
"""


def test_elementwise_add_vectorises_and_runs() -> None:
    lib, k = build(ADD)
    assert re.search(r"<\d+ x double>", lib.optimized_ir)  # vectorised at O3
    a, b = np.random.rand(37), np.random.rand(37)
    (c,) = k["add"](a, b)
    np.testing.assert_array_equal(c, a + b)
    assert c.flags.writeable and c.flags.c_contiguous and c.flags.owndata is False
    c[0] = 1.0  # the result is the caller's
    (e,) = k["add"](np.empty(0), np.empty(0))
    assert e.shape == (0,) and e.dtype == np.float64
    with pytest.raises(ValueError, match=r"add: shapes \(3,\) and \(4,\) differ"):
        k["add"](np.zeros(3), np.zeros(4))
    with pytest.raises(TypeError):
        k["add"](np.zeros(3, np.float32), np.zeros(3, np.float32))
    with pytest.raises(ValueError):  # wrong ndim
        k["add"](np.zeros((3, 1)), np.zeros(3))
    with pytest.raises((ValueError, BufferError)):  # not C-contiguous
        k["add"](np.zeros(6)[::2], np.zeros(3))
    assert "addpd" in lib.asm()


MATRIX = """
func.func @scale_rows(%a: memref<?x?xf32>, %s: memref<?xf32>) -> memref<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %a, %c0 : memref<?x?xf32>
  %n = memref.dim %a, %c1 : memref<?x?xf32>
  %ms = memref.dim %s, %c0 : memref<?xf32>
  %ok = arith.cmpi eq, %m, %ms : index
  tir.check %ok, "IndexError", "rows {0} vs {1}" (%m, %ms : index, index)
  %r = memref.alloc(%m, %n) : memref<?x?xf32>
  scf.for %i = %c0 to %m step %c1 {
    %f = memref.load %s[%i] : memref<?xf32>
    scf.for %j = %c0 to %n step %c1 {
      %x = memref.load %a[%i, %j] : memref<?x?xf32>
      %y = arith.mulf %x, %f : f32
      memref.store %y, %r[%i, %j] : memref<?x?xf32>
    }
  }
  func.return %r : memref<?x?xf32>
}
"""


@pytest.mark.parametrize("shape", [(3, 5), (0, 4), (4, 0), (1, 1)])
def test_matrix_loop_nest_and_empty_dims(shape: tuple[int, int]) -> None:
    _, k = build(MATRIX)
    a = np.random.rand(*shape).astype(np.float32)
    s = np.random.rand(shape[0]).astype(np.float32)
    (r,) = k["scale_rows"](a, s)
    assert r.shape == shape and r.dtype == np.float32
    np.testing.assert_array_equal(r, a * s[:, None])


def test_failing_check_reports_values() -> None:
    _, k = build(MATRIX)
    with pytest.raises(IndexError, match="rows 2 vs 3"):
        k["scale_rows"](np.zeros((2, 2), np.float32), np.zeros(3, np.float32))


SCALARS = """
func.func @mix(%a: f32, %b: i8, %c: i32, %d: i64, %e: i1) -> (f32, i8, i32, i64, i1, f64) {
  %x = arith.addf %a, %a : f32
  %y = arith.muli %b, %b : i8
  %z = arith.subi %c, %c : i32
  %c7 = arith.constant 7 : i32
  %z2 = arith.addi %z, %c7 : i32
  %w = arith.extsi %c : i32 to i64
  %w2 = arith.addi %w, %d : i64
  %t = arith.constant true
  %n = arith.xori %e, %t : i1
  %f = arith.sitofp %d : i64 to f64
  func.return %x, %y, %z2, %w2, %n, %f : f32, i8, i32, i64, i1, f64
}
"""


def test_scalar_types() -> None:
    _, k = build(SCALARS)
    res = k["mix"](np.float32(1.25), -7, -3, 2**40, True)
    expect = [np.float32(2.5), np.int8(49), np.int32(7), np.int64(2**40 - 3), False, 2.0**40]
    for r, e in zip(res, expect, strict=True):
        assert r.shape == () and r.dtype == np.asarray(e).dtype and r == e
    assert k["mix"](0.0, 16, 0, 0, np.bool_(False))[1] == np.int8(0)  # 256 wraps
    assert k["mix"](0.0, 0, 0, 0, False)[4]


CASTS = """
func.func @casts(%x: f64, %b: i1) -> (i32, i64, f32, i64, f64, i8, i64) {
  %0 = arith.fptosi %x : f64 to i32
  %1 = arith.bitcast %x : f64 to i64
  %2 = arith.truncf %x : f64 to f32
  %3 = arith.extui %b : i1 to i64
  %4 = arith.uitofp %3 : i64 to f64
  %5 = arith.trunci %1 : i64 to i8
  %i = arith.index_cast %0 : i32 to index
  %6 = arith.index_cast %i : index to i64
  func.return %0, %1, %2, %3, %4, %5, %6 : i32, i64, f32, i64, f64, i8, i64
}
"""


@pytest.mark.parametrize("x", [2.75, -2.75, 1e30, -1e30, float("nan"), float("inf")])
def test_casts_are_defined_for_any_float(x: float) -> None:
    _, k = build(CASTS)
    i, bits, f, one, fone, low, i64 = k["casts"](x, True)
    if math.isnan(x):
        assert i == 0
    else:
        assert i == np.clip(np.trunc(x), -(2**31), 2**31 - 1)
    assert bits == np.float64(x).view(np.int64) and low == np.int8(bits.astype(np.int8))
    np.testing.assert_array_equal(f, np.float32(x))
    assert (one, fone, i64) == (1, 1.0, i)


BOOLS = """
func.func @negate(%a: memref<?xi1>) -> memref<?xi1> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %t = arith.constant true
  %n = memref.dim %a, %c0 : memref<?xi1>
  %r = memref.alloc(%n) : memref<?xi1>
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %a[%i] : memref<?xi1>
    %y = arith.xori %x, %t : i1
    memref.store %y, %r[%i] : memref<?xi1>
  }
  func.return %r : memref<?xi1>
}
"""


def test_bool_buffers() -> None:
    _, k = build(BOOLS)
    a = np.array([True, False, False, True])
    (r,) = k["negate"](a)
    assert r.dtype == np.bool_
    np.testing.assert_array_equal(r, ~a)


INTDIV = """
func.func @divs(%a: i64, %b: i64) -> (i64, i64, i64, i64, i64, i64) {
  %q = arith.divsi %a, %b : i64
  %r = arith.remsi %a, %b : i64
  %f = arith.floordivsi %a, %b : i64
  %c = arith.ceildivsi %a, %b : i64
  %u = arith.divui %a, %b : i64
  %v = arith.remui %a, %b : i64
  func.return %q, %r, %f, %c, %u, %v : i64, i64, i64, i64, i64, i64
}
func.func @div8(%a: i8, %b: i8) -> i8 {
  %f = arith.floordivsi %a, %b : i8
  func.return %f : i8
}
"""


@pytest.mark.parametrize(
    "a,b", [(7, 2), (-7, 2), (7, -2), (-7, -2), (6, 3), (-6, 3), (5, 0), (0, 0), (I64_MIN, -1)]
)
def test_integer_division_is_guarded(a: int, b: int) -> None:
    _, k = build(INTDIV)
    q, r, f, c, u, v = (int(x) for x in k["divs"](a, b))
    if b == 0:
        assert (q, r, f, c, u, v) == (0, 0, 0, 0, 0, 0)
        return
    if a == I64_MIN:
        assert (q, r, f) == (I64_MIN, 0, I64_MIN)
        return
    assert q == int(a / b) and r == a - b * int(a / b)
    assert f == a // b and c == -(-a // b)
    ua, ub = a % 2**64, b % 2**64
    assert u % 2**64 == ua // ub and v % 2**64 == ua % ub


def test_i8_floordiv_overflow() -> None:
    _, k = build(INTDIV)
    assert int(k["div8"](-128, -1)[0]) == -128
    assert int(k["div8"](-7, 2)[0]) == -4


MATH = """
func.func @m64(%x: f64, %y: f64)
    -> (f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64) {
  %0 = math.exp %x : f64
  %1 = math.log %x : f64
  %2 = math.sqrt %x : f64
  %3 = math.tanh %x : f64
  %4 = math.sin %x : f64
  %5 = math.cos %x : f64
  %6 = math.powf %x, %y : f64
  %7 = math.floor %y : f64
  %8 = math.ceil %y : f64
  %9 = math.copysign %x, %y : f64
  %10 = math.log1p %x : f64
  %11 = math.expm1 %x : f64
  %12 = math.erf %x : f64
  %13 = math.fma %x, %y, %x : f64
  %14 = math.absf %y : f64
  func.return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14
    : f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64
}
func.func @m32(%x: f32) -> (f32, f32, f32) {
  %0 = math.exp %x : f32
  %1 = math.tanh %x : f32
  %2 = math.erf %x : f32
  func.return %0, %1, %2 : f32, f32, f32
}
func.func @ints(%a: i64, %b: i64, %c: i32) -> (i64, i32, i64, i64, i64) {
  %0 = math.ipowi %a, %b : i64
  %1 = math.absi %c : i32
  %2 = arith.maxsi %a, %b : i64
  %3 = arith.minsi %a, %b : i64
  %4 = arith.shli %a, %b : i64
  func.return %0, %1, %2, %3, %4 : i64, i32, i64, i64, i64
}
"""


def test_math() -> None:
    _, k = build(MATH)
    x, y = 0.7, -2.5
    got = [float(r) for r in k["m64"](x, y)]
    expect = [
        np.exp(x), np.log(x), np.sqrt(x), np.tanh(x), np.sin(x), np.cos(x), x**y,
        np.floor(y), np.ceil(y), math.copysign(x, y), np.log1p(x), np.expm1(x), math.erf(x),
        x * y + x, abs(y),
    ]  # fmt: skip
    np.testing.assert_allclose(got, expect, rtol=1e-15)
    f = np.float32(0.3)
    got32 = k["m32"](f)
    assert all(r.dtype == np.float32 for r in got32)
    np.testing.assert_allclose(got32, [np.exp(f), np.tanh(f), math.erf(f)], rtol=1e-6)
    assert [int(r) for r in k["ints"](3, 5, -4)] == [243, 4, 5, 3, 96]
    assert int(k["ints"](-2, 3, 0)[0]) == -8
    assert [int(k["ints"](b, -3, 0)[0]) for b in (2, 1, -1)] == [0, 1, -1]


PREDICATES = "oeq ogt oge olt ole one ord ueq ugt uge ult ule une uno false true".split()
CMPF = "\n".join(
    f"func.func @{p}(%a: f64, %b: f64) -> i1 {{\n"
    f"  %r = arith.cmpf {p}, %a, %b : f64\n  func.return %r : i1\n}}"
    for p in PREDICATES
)
CMPF += """
func.func @fmax(%a: f64, %b: f64) -> (f64, f64, f64, f64) {
  %0 = arith.maximumf %a, %b : f64
  %1 = arith.minimumf %a, %b : f64
  %2 = arith.maxnumf %a, %b : f64
  %3 = arith.minnumf %a, %b : f64
  func.return %0, %1, %2, %3 : f64, f64, f64, f64
}
"""


def test_float_compare_predicates_and_nan() -> None:
    _, k = build(CMPF)
    nan = float("nan")
    table = {
        "oeq": lambda a, b: a == b, "ogt": lambda a, b: a > b, "oge": lambda a, b: a >= b,
        "olt": lambda a, b: a < b, "ole": lambda a, b: a <= b,
        "one": lambda a, b: a < b or a > b, "ord": lambda a, b: a == a and b == b,
        "false": lambda a, b: False, "true": lambda a, b: True,
    }  # fmt: skip
    for a, b in [(1.0, 2.0), (2.0, 2.0), (3.0, 2.0), (nan, 1.0), (1.0, nan)]:
        for p, f in table.items():
            assert bool(k[p](a, b)[0]) == f(a, b), (p, a, b)
        for p in ("eq", "gt", "ge", "lt", "le", "ne"):
            unordered = math.isnan(a) or math.isnan(b)
            o = "one" if p == "ne" else "o" + p
            expect = unordered or table[o](a, b) or (p == "ne" and a != b)
            assert bool(k["u" + p](a, b)[0]) == expect
        assert bool(k["uno"](a, b)[0]) == (math.isnan(a) or math.isnan(b))
    mx, mn, mxn, mnn = (float(r) for r in k["fmax"](nan, 1.0))
    assert math.isnan(mx) and math.isnan(mn) and mxn == 1.0 and mnn == 1.0


COMPLEX = """
func.func @cplx(%a: complex<f64>, %b: complex<f64>)
    -> (complex<f64>, complex<f64>, complex<f64>, f64, i1, i1, f64) {
  %m = complex.mul %a, %b : complex<f64>
  %d = complex.div %a, %b : complex<f64>
  %k = complex.constant [1.5, -2.0] : complex<f64>
  %s = complex.add %m, %k : complex<f64>
  %n = complex.neg %s : complex<f64>
  %t = complex.sub %n, %a : complex<f64>
  %abs = complex.abs %a : complex<f64>
  %eq = complex.eq %a, %b : complex<f64>
  %ne = complex.neq %a, %b : complex<f64>
  %im = complex.im %a : complex<f64>
  func.return %m, %d, %t, %abs, %eq, %ne, %im
    : complex<f64>, complex<f64>, complex<f64>, f64, i1, i1, f64
}
func.func @cbuf(%a: memref<?xcomplex<f64>>, %s: complex<f32>)
    -> (memref<?xcomplex<f64>>, complex<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xcomplex<f64>>
  %r = memref.alloc(%n) : memref<?xcomplex<f64>>
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %a[%i] : memref<?xcomplex<f64>>
    %re = complex.re %x : complex<f64>
    %im = complex.im %x : complex<f64>
    %y = complex.create %im, %re : complex<f64>
    %z = complex.mul %x, %y : complex<f64>
    memref.store %z, %r[%i] : memref<?xcomplex<f64>>
  }
  %s2 = complex.mul %s, %s : complex<f32>
  func.return %r, %s2 : memref<?xcomplex<f64>>, complex<f32>
}
"""


@pytest.mark.parametrize(
    "a,b", [(1 + 2j, 3 - 4j), (1e300 + 1e300j, 1e-300 + 2e300j), (1 + 1j, 0j), (2 - 1j, 1e-9j)]
)
def test_complex(a: complex, b: complex) -> None:
    _, k = build(COMPLEX)
    m, d, t, ab, eq, ne, im = k["cplx"](a, b)
    na, nb = np.complex128(a), np.complex128(b)
    with np.errstate(all="ignore"):
        assert m == na * nb and m.dtype == np.complex128
        np.testing.assert_array_equal(d, na / nb)
        assert t == -(na * nb + (1.5 - 2j)) - na
    assert ab == abs(na) and bool(eq) == (a == b) and bool(ne) == (a != b) and im == a.imag


def test_complex_buffers() -> None:
    _, k = build(COMPLEX)
    a = np.array([1 + 2j, -3.5 + 0.25j, 0j])
    r, s = k["cbuf"](a, np.complex64(1 - 2j))
    np.testing.assert_array_equal(r, a * (a.imag + 1j * a.real))
    assert s.dtype == np.complex64 and s == np.complex64(1 - 2j) ** 2


REDUCE = """
func.func @sum_pos(%a: memref<?xf64>) -> (f64, memref<f64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0.0 : f64
  %n = memref.dim %a, %c0 : memref<?xf64>
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %z) -> (f64) {
    %x = memref.load %a[%i] : memref<?xf64>
    %pos = arith.cmpf ogt, %x, %z : f64
    %v = scf.if %pos -> (f64) {
      scf.yield %x : f64
    } else {
      scf.yield %z : f64
    }
    %acc2 = arith.addf %acc, %v : f64
    scf.yield %acc2 : f64
  }
  %t = memref.alloc() : memref<f64>
  memref.store %s, %t[] : memref<f64>
  %big = arith.cmpf ogt, %s, %z : f64
  scf.if %big {
    %two = arith.constant 2.0 : f64
    %d = arith.mulf %s, %two : f64
    memref.store %d, %t[] : memref<f64>
  }
  func.return %s, %t : f64, memref<f64>
}
"""


def test_iter_args_and_if() -> None:
    _, k = build(REDUCE)
    a = np.array([1.0, -2.0, 3.5, -0.5])
    s, t = k["sum_pos"](a)
    assert s == 4.5 and t.shape == () and t == 9.0
    s, t = k["sum_pos"](np.empty(0))
    assert s == 0.0 and t == 0.0


VIEWS = """
"memref.global"() <{sym_name = "cst", type = memref<2x3xi32>, sym_visibility = "private",
  initial_value = dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>, constant}> : () -> ()
func.func @views(%a: memref<?xi32>) -> (memref<?x?xi32>, memref<2x3xi32>, memref<?xi32>, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %g = memref.get_global @cst : memref<2x3xi32>
  %n = memref.dim %a, %c0 : memref<?xi32>
  %ok = arith.cmpi eq, %n, %c3 : index
  tir.check %ok, "ValueError", "need 3 elements, got {0}" (%n : index)
  %cp = memref.alloc(%n) : memref<?xi32>
  "memref.copy"(%a, %cp) : (memref<?xi32>, memref<?xi32>) -> ()
  %v = tir.reshape %cp(%c1, %c3) : (memref<?xi32>, index, index) -> memref<?x?xi32>
  %x = memref.load %g[%c1, %c2] : memref<2x3xi32>
  memref.store %x, %v[%c0, %c0] : memref<?x?xi32>
  %dyn = arith.subi %c2, %c1 : index
  %d = memref.dim %g, %dyn : memref<2x3xi32>
  func.return %v, %g, %a, %d : memref<?x?xi32>, memref<2x3xi32>, memref<?xi32>, index
}
"""


def test_global_copy_reshape_and_returned_non_fresh_buffers() -> None:
    _, k = build(VIEWS)
    a = np.array([7, 8, 9], np.int32)
    v, g, a2, d = k["views"](a)
    np.testing.assert_array_equal(v, [[6, 8, 9]])
    np.testing.assert_array_equal(g, [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(a2, a)
    assert int(d) == 3 and a[0] == 7
    g[0, 0] = 100  # a copy of the constant, not the constant
    a2[0] = 100
    assert k["views"](a)[1][0, 0] == 1 and a[0] == 7
    with pytest.raises(ValueError, match="need 3 elements, got 2"):
        k["views"](np.zeros(2, np.int32))


ALLOC = """
func.func @big(%n: i64) -> memref<?xf64> {
  %i = arith.index_cast %n : i64 to index
  %r = memref.alloc(%i) : memref<?xf64>
  %t = memref.alloc(%i) : memref<?xi8>
  memref.dealloc %t : memref<?xi8>
  %s = memref.alloc() : memref<i64>
  memref.dealloc %s : memref<i64>
  func.return %r : memref<?xf64>
}
"""


def test_allocation_failure_raises_memory_error() -> None:
    _, k = build(ALLOC)
    assert k["big"](5)[0].shape == (5,)
    assert k["big"](0)[0].shape == (0,)
    with pytest.raises(MemoryError):
        k["big"](2**58)


BLAS = """
func.func private @tensorir_cblas_dgemm(i64, i64, i64, i64, i64, i64, f64, memref<?x?xf64>, i64,
    memref<?x?xf64>, i64, f64, memref<?x?xf64>, i64)
func.func private @tensorir_cblas_sgemm(i64, i64, i64, i64, i64, i64, f32, memref<?x?xf32>, i64,
    memref<?x?xf32>, i64, f32, memref<?x?xf32>, i64)
func.func private @tensorir_cblas_ddot(i64, memref<?xf64>, i64, memref<?xf64>, i64) -> f64
func.func @dgemm(%a: memref<?x?xf64>, %b: memref<?x?xf64>) -> memref<?x?xf64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %a, %c0 : memref<?x?xf64>
  %k = memref.dim %a, %c1 : memref<?x?xf64>
  %k2 = memref.dim %b, %c0 : memref<?x?xf64>
  %n = memref.dim %b, %c1 : memref<?x?xf64>
  %ok = arith.cmpi eq, %k, %k2 : index
  tir.check %ok, "ValueError", "shapes ({0},{1}) and ({2},{3}) not aligned"
    (%m, %k, %k2, %n : index, index, index, index)
  %c = memref.alloc(%m, %n) : memref<?x?xf64>
  %row = arith.constant 101 : i64
  %nt = arith.constant 111 : i64
  %one = arith.constant 1 : i64
  %mi = arith.index_cast %m : index to i64
  %ni = arith.index_cast %n : index to i64
  %ki = arith.index_cast %k : index to i64
  %lda = arith.maxsi %ki, %one : i64
  %ldb = arith.maxsi %ni, %one : i64
  %alpha = arith.constant 1.0 : f64
  %beta = arith.constant 0.0 : f64
  func.call @tensorir_cblas_dgemm(%row, %nt, %nt, %mi, %ni, %ki, %alpha, %a, %lda, %b, %ldb, %beta,
    %c, %ldb) : (i64, i64, i64, i64, i64, i64, f64, memref<?x?xf64>, i64, memref<?x?xf64>, i64,
    f64, memref<?x?xf64>, i64) -> ()
  func.return %c : memref<?x?xf64>
}
func.func @sgemm(%a: memref<4x3xf32>, %b: memref<3x2xf32>) -> memref<4x2xf32> {
  %c = memref.alloc() : memref<4x2xf32>
  %row = arith.constant 101 : i64
  %nt = arith.constant 111 : i64
  %m = arith.constant 4 : i64
  %n = arith.constant 2 : i64
  %k = arith.constant 3 : i64
  %alpha = arith.constant 1.0 : f32
  %beta = arith.constant 0.0 : f32
  %ad = "memref.cast"(%a) : (memref<4x3xf32>) -> memref<?x?xf32>
  %bd = "memref.cast"(%b) : (memref<3x2xf32>) -> memref<?x?xf32>
  %cd = "memref.cast"(%c) : (memref<4x2xf32>) -> memref<?x?xf32>
  func.call @tensorir_cblas_sgemm(%row, %nt, %nt, %m, %n, %k, %alpha, %ad, %k, %bd, %n, %beta,
    %cd, %n) : (i64, i64, i64, i64, i64, i64, f32, memref<?x?xf32>, i64, memref<?x?xf32>, i64,
    f32, memref<?x?xf32>, i64) -> ()
  func.return %c : memref<4x2xf32>
}
func.func @ddot(%a: memref<?xf64>, %b: memref<?xf64>) -> f64 {
  %c0 = arith.constant 0 : index
  %n = memref.dim %a, %c0 : memref<?xf64>
  %ni = arith.index_cast %n : index to i64
  %one = arith.constant 1 : i64
  %r = func.call @tensorir_cblas_ddot(%ni, %a, %one, %b, %one)
    : (i64, memref<?xf64>, i64, memref<?xf64>, i64) -> f64
  func.return %r : f64
}
"""


@pytest.mark.skipif(not blas_available(), reason="numpy bundles no ILP64 OpenBLAS here")
@pytest.mark.parametrize("m,k,n", [(5, 7, 3), (64, 33, 17), (3, 0, 2), (0, 4, 2)])
def test_blas_gemm(m: int, k: int, n: int) -> None:
    _, kern = build(BLAS)
    a, b = np.random.rand(m, k), np.random.rand(k, n)
    (c,) = kern["dgemm"](a, b)
    np.testing.assert_allclose(c, a @ b, rtol=1e-12, atol=1e-14)
    af, bf = np.random.rand(4, 3).astype(np.float32), np.random.rand(3, 2).astype(np.float32)
    (cf,) = kern["sgemm"](af, bf)
    assert cf.dtype == np.float32
    np.testing.assert_allclose(cf, af @ bf, rtol=1e-5)
    x = np.random.rand(m)
    assert float(kern["ddot"](x, x)[0]) == pytest.approx(x @ x)
    with pytest.raises(ValueError, match=r"shapes \(2,3\) and \(4,5\) not aligned"):
        kern["dgemm"](np.zeros((2, 3)), np.zeros((4, 5)))


def test_abi_json_round_trip() -> None:
    emitted = emit_llvm_ir(Parser(CTX, ADD + VIEWS).parse_module())
    for abi in emitted.functions.values():
        assert FunctionABI.from_json(abi.to_json()) == abi
    views = emitted.functions["views"]
    assert [r.slots for r in views.results] == [3, 3, 2, 1]
    assert views.checks[0].kind == "ValueError"


def test_runtime_loads_without_compiler() -> None:
    """The runtime package alone (the top-level package stubbed) imports no compiler part."""
    import tensorir

    code = (
        "import sys, types\n"
        "pkg = types.ModuleType('tensorir'); pkg.__path__ = [sys.argv[1]]\n"
        "sys.modules['tensorir'] = pkg\n"
        "import tensorir.runtime\n"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'xdsl' or "
        "m.startswith(('tensorir.lowering', 'tensorir.frontend', 'tensorir.dialects'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code, tensorir.__path__[0]], check=True)
