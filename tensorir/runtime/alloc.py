"""The allocator of compiled code: ``tir_alloc(n)`` and ``tir_release(p)`` (see
``tensorir.abi``), native code compiled once per process with llvmlite.

Small buffers are ``malloc``'s and ``free``'s. A buffer of ``LARGE`` bytes or more is the
expensive kind: glibc maps it fresh (``mmap``) and gives it back at ``free`` (``munmap``), so
each new one costs a page fault and the kernel's zeroing per page -- as much as the loop that
fills it (``2x + 3y + 1`` over 10M float32: 4.7 ms, of which a warm output would need 2.4).
So:

- a fresh large buffer is advised to use transparent huge pages (Linux; numpy does the same):
  one fault per 2 MiB instead of per 4 KiB;
- a released large buffer is kept in one of ``SLOTS`` slots, up to ``CACHED_BYTES`` in all,
  and ``tir_alloc`` takes a kept buffer of at least the size asked and at most twice it before
  asking ``malloc``: a function called again and again reuses its outputs' memory once the
  caller has dropped them (what XLA's and PyTorch's caching allocators do).

Slots are taken and filled with atomic exchanges, so any thread may allocate and release. A
buffer's size is ``malloc_usable_size``'s (glibc); without it (other C libraries) there is no
cache and ``tir_alloc``/``tir_release`` are ``malloc``/``free``.
"""

from __future__ import annotations

import ctypes
import functools
import sys

import llvmlite.ir as ir

from tensorir.abi import ALLOC, RELEASE

LARGE = 1 << 22
"""Buffers from this size on (4 MiB) use huge pages and may be kept for reuse."""
SLOTS = 8
"""Released large buffers kept at most."""
CACHED_BYTES = 1 << 29
"""Bytes kept at most (512 MiB)."""
_MADV_HUGEPAGE = 14

I32, I64, PTR, VOID = ir.IntType(32), ir.IntType(64), ir.PointerType(), ir.VoidType()


def _module(cache: bool) -> str:
    m = ir.Module("tensorir_alloc")

    def declare(name: str, ret: ir.Type, args: list[ir.Type]) -> ir.Function:
        return ir.Function(m, ir.FunctionType(ret, args), name)

    malloc, free = declare("malloc", PTR, [I64]), declare("free", VOID, [PTR])
    usable = declare("malloc_usable_size", I64, [PTR]) if cache else None
    madvise = declare("madvise", I32, [PTR, I64, I32]) if sys.platform.startswith("linux") else None
    slots = ir.GlobalVariable(m, ir.ArrayType(PTR, SLOTS), "tir_alloc_slots")
    slots.initializer = ir.Constant(ir.ArrayType(PTR, SLOTS), None)
    slots.linkage = "internal"
    cached = ir.GlobalVariable(m, I64, "tir_alloc_cached")
    cached.initializer = ir.Constant(I64, 0)
    cached.linkage = "internal"
    null = ir.Constant(PTR, None)

    def slot(b: ir.IRBuilder, i: int) -> ir.Value:
        return b.gep(slots, [ir.Constant(I32, 0), ir.Constant(I32, i)], inbounds=True)

    # ---- tir_alloc(n)
    fn = ir.Function(m, ir.FunctionType(PTR, [I64]), ALLOC)
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    n = b.select(
        b.icmp_signed("<", fn.args[0], ir.Constant(I64, 1)), ir.Constant(I64, 1), fn.args[0]
    )
    fresh = fn.append_basic_block("fresh")
    small = fn.append_basic_block("small")
    b.cbranch(b.icmp_signed("<", n, ir.Constant(I64, LARGE)), small, fn.append_basic_block("large"))
    b.position_at_end(small)
    b.ret(b.call(malloc, [n]))
    b.position_at_end(fn.blocks[-1])
    if cache:
        assert usable is not None
        for i in range(SLOTS):
            here = b.load(slot(b, i), typ=PTR)
            look, nxt = fn.append_basic_block(f"look{i}"), fn.append_basic_block(f"next{i}")
            b.cbranch(b.icmp_unsigned("!=", here, null), look, nxt)
            b.position_at_end(look)
            got = b.atomic_rmw("xchg", slot(b, i), null, "seq_cst")
            taken, back = fn.append_basic_block(f"taken{i}"), fn.append_basic_block(f"back{i}")
            b.cbranch(b.icmp_unsigned("!=", got, null), taken, nxt)
            b.position_at_end(taken)
            size = b.call(usable, [got])
            fits = b.and_(b.icmp_unsigned(">=", size, n),
                          b.icmp_unsigned("<=", b.lshr(size, ir.Constant(I64, 1)), n))  # fmt: skip
            use = fn.append_basic_block(f"use{i}")
            b.cbranch(fits, use, back)
            b.position_at_end(use)
            b.atomic_rmw("sub", cached, size, "seq_cst")
            b.ret(got)
            b.position_at_end(back)  # not this one: back in its slot, or freed
            pair = b.cmpxchg(slot(b, i), null, got, "seq_cst", "seq_cst")
            lost = fn.append_basic_block(f"lost{i}")
            b.cbranch(b.extract_value(pair, 1), nxt, lost)
            b.position_at_end(lost)
            b.atomic_rmw("sub", cached, size, "seq_cst")
            b.call(free, [got])
            b.branch(nxt)
            b.position_at_end(nxt)
    b.branch(fresh)
    b.position_at_end(fresh)
    p = b.call(malloc, [n])
    if madvise is not None:
        with b.if_then(b.icmp_unsigned("!=", p, null)):
            offset = b.sub(
                ir.Constant(I64, 4096), b.and_(b.ptrtoint(p, I64), ir.Constant(I64, 4095))
            )
            start = b.gep(p, [offset], source_etype=ir.IntType(8))
            b.call(madvise, [start, b.sub(n, offset), ir.Constant(I32, _MADV_HUGEPAGE)])
    b.ret(p)

    # ---- tir_release(p)
    fn = ir.Function(m, ir.FunctionType(VOID, [PTR]), RELEASE)
    (p,) = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    done, drop = fn.append_basic_block("done"), fn.append_basic_block("free")
    if cache:
        assert usable is not None
        keep = fn.append_basic_block("keep")
        b.cbranch(b.icmp_unsigned("==", p, null), done, fn.append_basic_block("some"))
        b.position_at_end(fn.blocks[-1])
        size = b.call(usable, [p])
        b.cbranch(b.icmp_unsigned("<", size, ir.Constant(I64, LARGE)), drop, keep)
        b.position_at_end(keep)
        before = b.atomic_rmw("add", cached, size, "seq_cst")
        full = fn.append_basic_block("full")
        room = b.icmp_unsigned("<=", b.add(before, size), ir.Constant(I64, CACHED_BYTES))
        b.cbranch(room, fn.append_basic_block("slots"), full)
        b.position_at_end(fn.blocks[-1])
        for i in range(SLOTS):
            nxt = fn.append_basic_block(f"next{i}")
            try_ = fn.append_basic_block(f"try{i}")
            b.cbranch(b.icmp_unsigned("==", b.load(slot(b, i), typ=PTR), null), try_, nxt)
            b.position_at_end(try_)
            pair = b.cmpxchg(slot(b, i), null, p, "seq_cst", "seq_cst")
            b.cbranch(b.extract_value(pair, 1), done, nxt)
            b.position_at_end(nxt)
        b.branch(full)
        b.position_at_end(full)  # no room: not kept
        b.atomic_rmw("sub", cached, size, "seq_cst")
        b.branch(drop)
    else:
        b.branch(drop)
    b.position_at_end(drop)
    b.call(free, [p])
    b.branch(done)
    b.position_at_end(done)
    b.ret_void()
    return str(m)


@functools.cache
def _library() -> object:
    from tensorir.runtime.jit import register_symbols, runtime_library

    libc = ctypes.CDLL(None)
    cache = hasattr(libc, "malloc_usable_size")
    library = runtime_library(f"tensorir_alloc cache={cache}", lambda: _module(cache), 2)
    register_symbols({name: library.address(name) for name in (ALLOC, RELEASE)})
    return library


def address(name: str) -> int:
    """The address of ``tir_alloc`` or ``tir_release`` (compiled and registered for the JIT
    on first use)."""
    return _library().address(name)  # type: ignore[attr-defined, no-any-return]
