"""A compiled function's call in machine code, for the common case.

The generated Python call (``runtime/function.py``) costs about 0.6 us and more per array;
numpy's own calls cost 0.3-0.5 us. This module builds, with llvmlite, a CPython builtin
function (``METH_FASTCALL | METH_KEYWORDS``) that does the whole call natively when the
arguments are exactly what the kernel takes: C-contiguous aligned ndarrays of the input's
dtype and ndim (and size 1 on broadcastable dims), Python floats for float64 scalars. It calls
the kernel without the GIL (``out`` and ``err`` on its own stack), wraps each result buffer in
an ndarray that owns it (its base a capsule that frees it) and each scalar result in a 0-d
array. Anything else -- keywords, other types, a failed check, an allocation failure -- goes to
the Python call (``fallback``), which converts, raises the right error, or runs again: only
functions with no shared variables get a native call, so running again changes nothing.

Layouts used (stable C ABI): ``PyObject`` (refcount, type), ``PyFloatObject.ob_fval`` at 16,
numpy's ``PyArrayObject_fields`` (data at 16, nd at 24, dimensions at 32, descr at 56, flags
at 64) and its C API table (``PyArray_Type`` [2], ``PyArray_NewFromDescr`` [94],
``PyArray_SetBaseObject`` [282]).
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable
from typing import Any

import llvmlite.ir as ir
import numpy as np

from tensorir.abi import RELEASE, FunctionABI
from tensorir.runtime import alloc
from tensorir.runtime.jit import JITLibrary, register_symbols

I8, I32, I64 = ir.IntType(8), ir.IntType(32), ir.IntType(64)
PTR = ir.PointerType()

PREFIX = "__tir_py_"
"""The native call's names for the C functions it calls (see ``jit.register_symbols``)."""
_METH_FASTCALL_KEYWORDS = 0x80 | 0x02
_C_CONTIGUOUS_ALIGNED = 0x0001 | 0x0100
_CARRAY = 0x0001 | 0x0100 | 0x0400  # C-contiguous, aligned, writeable
_SCALAR_TYPES = {
    "bool": I8, "int8": I8, "int16": ir.IntType(16), "int32": I32, "int64": I64,
    "float32": ir.FloatType(), "float64": ir.DoubleType(),
}  # fmt: skip


def supported(abi: FunctionABI) -> bool:
    """Whether the native call handles ``abi``: buffers and float64 scalars in, no written
    argument (no update), buffers and real scalars out."""
    for a in abi.args:
        if a.written or (a.kind == "scalar" and a.dtype != "float64"):
            return False
        if a.kind == "buffer" and a.dtype not in _SCALAR_TYPES:
            return False
    return all(r.kind != "argument" and r.dtype in _SCALAR_TYPES for r in abi.results)


@functools.cache
def _api() -> dict[str, int]:
    """Addresses of the CPython and numpy functions and objects the native call uses."""
    py = ctypes.pythonapi

    def fn(name: str) -> int:
        return ctypes.cast(getattr(py, name), ctypes.c_void_p).value  # type: ignore[return-value]

    get_pointer = py.PyCapsule_GetPointer
    get_pointer.restype, get_pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    from numpy._core import _multiarray_umath

    table = (ctypes.c_void_p * 300).from_address(get_pointer(_multiarray_umath._ARRAY_API, None))
    return {
        "PyEval_SaveThread": fn("PyEval_SaveThread"),
        "PyEval_RestoreThread": fn("PyEval_RestoreThread"),
        "PyCapsule_New": fn("PyCapsule_New"),
        "PyCapsule_GetPointer": fn("PyCapsule_GetPointer"),
        "PyObject_Vectorcall": fn("PyObject_Vectorcall"),
        "PyList_New": fn("PyList_New"),
        "Py_IncRef": fn("Py_IncRef"),
        "Py_DecRef": fn("Py_DecRef"),
        "PyFloat_Type": ctypes.addressof(ctypes.c_char.in_dll(py, "PyFloat_Type")),
        "PyArray_Type": table[2],
        "PyArray_NewFromDescr": table[94],
        "PyArray_SetBaseObject": table[282],
    }


def _signature(abi: FunctionABI) -> tuple:
    return (
        tuple((a.kind, a.dtype, a.ndim, a.static) for a in abi.args),
        tuple((r.kind, r.dtype, r.ndim) for r in abi.results),
    )


def _at(b: ir.IRBuilder, obj: ir.Value, offset: int, typ: ir.Type) -> ir.Value:
    """The ``typ`` field at byte ``offset`` of the struct at ``obj``."""
    return b.load(b.gep(obj, [ir.Constant(I64, offset)], source_etype=I8), typ=typ)


def _item(b: ir.IRBuilder, array: ir.Value, index: int, typ: ir.Type) -> ir.Value:
    """``array[index]`` of ``typ`` elements."""
    return b.load(b.gep(array, [ir.Constant(I64, index)], source_etype=typ), typ=typ)


class _Builder:
    """The LLVM IR of one native call, for one ABI signature (the kernel and the fallback
    come at run time from the context the builtin function is bound to)."""

    def __init__(self, abi: FunctionABI, as_list: bool):
        self.abi = abi
        self.api = _api()
        self.module = ir.Module("tensorir_call")
        self.as_list = as_list

    def const_fn(self, name: str, ret: ir.Type, args: list[ir.Type]) -> ir.Function:
        """The C function ``name`` (registered for the JIT under ``PREFIX + name``)."""
        full = PREFIX + name
        fn = self.module.globals.get(full)
        if fn is None:
            fn = ir.Function(self.module, ir.FunctionType(ret, args), full)
        return fn  # type: ignore[no-any-return]

    def release(self) -> ir.Function:
        """The runtime's ``tir_release`` (registered for the JIT by ``runtime/alloc.py``)."""
        fn = self.module.globals.get(RELEASE)
        if fn is None:
            fn = ir.Function(self.module, ir.FunctionType(ir.VoidType(), [PTR]), RELEASE)
        return fn  # type: ignore[no-any-return]

    def const_ptr(self, name: str) -> ir.Value:
        return ir.Constant(I64, self.api[name]).inttoptr(PTR)

    def build(self) -> str:
        abi, m = self.abi, self.module
        # the capsule destructor: release the buffer the capsule holds
        dtor = ir.Function(m, ir.FunctionType(ir.VoidType(), [PTR]), "tir_free_capsule")
        b = ir.IRBuilder(dtor.append_basic_block("entry"))
        get = self.const_fn("PyCapsule_GetPointer", PTR, [PTR, PTR])
        b.call(
            self.release(),
            [b.call(get, [dtor.args[0], ir.Constant(PTR, None)])],
        )
        b.ret_void()

        fn = ir.Function(m, ir.FunctionType(PTR, [PTR, PTR, I64, PTR]), "tir_native_call")
        ctx_obj, args, nargsf, kwnames = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        slow = fn.append_basic_block("slow")
        holder = _at(b, ctx_obj, 24, PTR)
        ctx = b.call(get, [holder, ir.Constant(PTR, None)])  # self[0]: the context capsule
        kernel, fallback = _item(b, ctx, 0, PTR), _item(b, ctx, 1, PTR)
        descrs = b.gep(ctx, [ir.Constant(I64, 2)], source_etype=PTR)

        def check(cond: ir.Value) -> None:
            ok = fn.append_basic_block("ok")
            b.cbranch(cond, ok, slow)
            b.position_at_end(ok)

        nargs = b.and_(nargsf, ir.Constant(I64, (1 << 63) - 1))
        check(b.and_(b.icmp_unsigned("==", nargs, ir.Constant(I64, len(abi.args))),
                     b.icmp_unsigned("==", kwnames, ir.Constant(PTR, None))))  # fmt: skip
        call_args: list[ir.Value] = []
        arr_type = self.const_ptr("PyArray_Type")
        float_type = self.const_ptr("PyFloat_Type")
        n_descr = 0
        for i, a in enumerate(abi.args):
            obj = _item(b, args, i, PTR)
            typ = _at(b, obj, 8, PTR)
            if a.kind == "scalar":  # float64 from an exact Python float
                check(b.icmp_unsigned("==", typ, float_type))
                call_args.append(_at(b, obj, 16, ir.DoubleType()))
                continue
            check(b.icmp_unsigned("==", typ, arr_type))
            descr = b.load(b.gep(obj, [ir.Constant(I64, 56)], source_etype=I8), typ=PTR)
            want = b.load(b.gep(descrs, [ir.Constant(I64, n_descr)], source_etype=PTR), typ=PTR)
            n_descr += 1
            nd = b.load(b.gep(obj, [ir.Constant(I64, 24)], source_etype=I8), typ=I32)
            flags = b.load(b.gep(obj, [ir.Constant(I64, 64)], source_etype=I8), typ=I32)
            good = b.and_(b.icmp_unsigned("==", descr, want),
                          b.icmp_unsigned("==", nd, ir.Constant(I32, a.ndim)))  # fmt: skip
            aligned = b.and_(flags, ir.Constant(I32, _C_CONTIGUOUS_ALIGNED))
            check(
                b.and_(
                    good, b.icmp_unsigned("==", aligned, ir.Constant(I32, _C_CONTIGUOUS_ALIGNED))
                )
            )
            data = b.load(b.gep(obj, [ir.Constant(I64, 16)], source_etype=I8), typ=PTR)
            dims_ptr = b.load(b.gep(obj, [ir.Constant(I64, 32)], source_etype=I8), typ=PTR)
            dims = [b.load(b.gep(dims_ptr, [ir.Constant(I64, j)], source_etype=I64), typ=I64)
                    for j in range(a.ndim)]  # fmt: skip
            for j, size in a.static:
                check(b.icmp_signed("==", dims[j], ir.Constant(I64, size)))
            call_args += [data, *dims]
        # the kernel, without the GIL; out and err on this stack
        out = b.alloca(I64, ir.Constant(I64, max(abi.out_slots, 1)))
        err = b.alloca(I64, ir.Constant(I64, 17))
        params = [v.type for v in call_args] + [PTR, PTR]
        state = b.call(self.const_fn("PyEval_SaveThread", PTR, []), [])
        callee = b.inttoptr(b.ptrtoint(kernel, I64), ir.FunctionType(I64, params).as_pointer())
        rc = b.call(callee, [*call_args, out, err])
        b.call(self.const_fn("PyEval_RestoreThread", ir.VoidType(), [PTR]), [state])
        check(b.icmp_signed("==", rc, ir.Constant(I64, 0)))
        results = self._results(b, fn, out, descrs, n_descr, dtor)
        b.ret(results)
        # anything else: the Python call
        b.position_at_end(slow)
        vectorcall = self.const_fn("PyObject_Vectorcall", PTR, [PTR, PTR, I64, PTR])
        b.ret(b.call(vectorcall, [fallback, args, nargsf, kwnames]))
        return str(m)

    def _results(self, b: ir.IRBuilder, fn: ir.Function, out: ir.Value, descrs: ir.Value,
                 first_descr: int, dtor: ir.Function) -> ir.Value:  # fmt: skip
        """Wrap each result: a buffer in an ndarray owning it, a scalar in a 0-d array. If
        numpy cannot make one (out of memory), the buffers not yet owned are freed, the arrays
        made are released, and NULL goes back with numpy's exception set."""
        abi = self.abi
        new = self.const_fn("PyArray_NewFromDescr", PTR, [PTR, PTR, I32, PTR, PTR, PTR, I32, PTR])
        set_base = self.const_fn("PyArray_SetBaseObject", I32, [PTR, PTR])
        capsule = self.const_fn("PyCapsule_New", PTR, [PTR, PTR, PTR])
        incref = self.const_fn("Py_IncRef", ir.VoidType(), [PTR])
        decref = self.const_fn("Py_DecRef", ir.VoidType(), [PTR])
        free = self.release()
        arr_type = self.const_ptr("PyArray_Type")
        null = ir.Constant(PTR, None)
        slots, slot = [], 0
        for r in abi.results:
            slots.append(slot)
            slot += r.slots
        objs: list[ir.Value] = []

        def fail_unless(ok: ir.Value, k: int, also: ir.Value | None = None) -> None:
            """Unless ``ok``: release ``also`` and the arrays made, free the buffers of results
            ``k`` on, return NULL."""
            good, bad = fn.append_basic_block("made"), fn.append_basic_block("no_memory")
            b.cbranch(ok, good, bad)
            b.position_at_end(bad)
            if also is not None:
                b.call(decref, [also])
            for obj in objs:
                b.call(decref, [obj])
            for j in range(k, len(abi.results)):
                if abi.results[j].kind == "buffer":
                    data = b.load(
                        b.gep(out, [ir.Constant(I64, slots[j])], source_etype=I64), typ=PTR
                    )
                    b.call(free, [data])
            b.ret(null)
            b.position_at_end(good)

        for k, r in enumerate(abi.results):
            descr = b.load(
                b.gep(descrs, [ir.Constant(I64, first_descr + k)], source_etype=PTR), typ=PTR
            )
            b.call(incref, [descr])  # NewFromDescr steals a reference
            if r.kind == "buffer":
                data = _item(b, out, slots[k], PTR)
                dims = b.gep(out, [ir.Constant(I64, slots[k] + 1)], source_etype=I64)
                arr = b.call(new, [arr_type, descr, ir.Constant(I32, r.ndim), dims, null, data,
                                   ir.Constant(I32, _CARRAY), null])  # fmt: skip
                fail_unless(b.icmp_unsigned("!=", arr, null), k)
                cap = b.call(capsule, [data, null, dtor])
                fail_unless(b.icmp_unsigned("!=", cap, null), k, also=arr)
                b.call(set_base, [arr, cap])  # steals cap; cannot fail on a fresh array
            else:
                arr = b.call(new, [arr_type, descr, ir.Constant(I32, 0), null, null, null,
                                   ir.Constant(I32, 0), null])  # fmt: skip
                fail_unless(b.icmp_unsigned("!=", arr, null), k)
                t = _SCALAR_TYPES[r.dtype]
                value = b.load(b.gep(out, [ir.Constant(I64, slots[k])], source_etype=I64), typ=t)
                b.store(value, _at(b, arr, 16, PTR))  # into the 0-d array's data
            objs.append(arr)
        if not self.as_list:
            return objs[0]
        lst = b.call(self.const_fn("PyList_New", PTR, [I64]), [ir.Constant(I64, len(objs))])
        fail_unless(b.icmp_unsigned("!=", lst, null), len(abi.results))
        items = _at(b, lst, 24, PTR)  # PyListObject.ob_item
        for k, arr in enumerate(objs):  # PyList_SET_ITEM: the list takes the references
            b.store(arr, b.gep(items, [ir.Constant(I64, k)], source_etype=PTR))
        return lst


class _MethodDef(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("meth", ctypes.c_void_p), ("flags", ctypes.c_int),
                ("doc", ctypes.c_char_p)]  # fmt: skip


@functools.lru_cache(maxsize=128)
def _compiled(signature: tuple, as_list: bool) -> tuple[JITLibrary, _MethodDef]:
    """The native call of one ABI signature, compiled once per process."""
    args, results = signature
    from tensorir.abi import ArgSpec, ResultSpec

    abi = FunctionABI(
        "native",
        tuple(ArgSpec(k, d, n, False, st) for k, d, n, st in args),
        tuple(ResultSpec(k, d, n) for k, d, n in results),
    )
    register_symbols({PREFIX + k: v for k, v in _api().items()})
    alloc.address(RELEASE)  # compiles and registers tir_release
    library = JITLibrary(_Builder(abi, as_list).build(), opt_level=2)
    method = _MethodDef(b"tensorir_call", library.address("tir_native_call"),
                        _METH_FASTCALL_KEYWORDS, None)  # fmt: skip
    return library, method


def native_call(
    abi: FunctionABI, address: int, fallback: Callable[..., Any], as_list: bool
) -> Callable[..., Any] | None:
    """A builtin function that calls the kernel at ``address`` (whose ABI is ``abi``) and
    returns its single output (a list of its outputs with ``as_list``), or calls ``fallback``
    with the same arguments when it cannot; None when ``abi`` is not ``supported``."""
    if not supported(abi) or not abi.results or sys.implementation.name != "cpython":
        return None
    library, method = _compiled(_signature(abi), as_list)
    dtypes = [np.dtype(a.dtype) for a in abi.args if a.kind == "buffer"]
    dtypes += [np.dtype(r.dtype) for r in abi.results]
    ctx = (ctypes.c_void_p * (2 + len(dtypes)))(address, id(fallback), *map(id, dtypes))
    py = ctypes.pythonapi
    py.PyCapsule_New.restype = ctypes.py_object
    py.PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
    capsule = py.PyCapsule_New(ctypes.addressof(ctx), None, None)
    py.PyCFunction_NewEx.restype = ctypes.py_object
    py.PyCFunction_NewEx.argtypes = [ctypes.c_void_p, ctypes.py_object, ctypes.c_void_p]
    # the function's self: the context capsule first, then all the machine code reads
    self = (capsule, ctx, library, method, fallback, dtypes)
    return py.PyCFunction_NewEx(ctypes.addressof(method), self, None)  # type: ignore[no-any-return]
