"""A GPU module (the output of ``tir-gpu-kernels``) to LLVM IR: host code and kernels.

The module's functions become host entry points with the calling convention of
``tensorir.abi``; their buffers are device memory. The host code allocates and frees them
with ``tir_dev_alloc``/``tir_dev_release``, reads and writes them with ``tir_dev_read``/
``tir_dev_write``/``tir_dev_copy`` and launches kernels with ``tir_dev_launch``
(``abi.DEVICE_FUNCTIONS``); the runtime's device backend provides the six (the CUDA
driver, or the emulator that runs kernels on the CPU). A launch finds its kernel in the
table ``@<prefix>.kernels``, and the host finds a global's device copy in
``@<prefix>.globals``: the runtime fills both once the kernels are loaded.

The kernels of the ``gpu.module`` are a second LLVM module, for one of two targets:

- ``nvptx``: ``ptx_kernel`` functions for llvmlite's NVPTX back end; thread ids are
  ``llvm.nvvm.read.ptx.sreg.*``; every elementary function is a libdevice call (``__nv_exp``,
  ``__nv_tanhf``, ...: ``libdevice_name``): LLVM's ``llvm.exp`` and friends abort the process
  on NVPTX;
- ``emulated``: the same kernels for the host, each taking a context (``THREAD_CONTEXT``:
  thread and block ids, block and grid sizes, along x and y) as its first argument and the
  CPU's math; ``<kernel>.emu(gx, gy, bx, by, params)`` runs every thread of every block in
  turn, so index arithmetic and results can be checked without a GPU.

A kernel's arguments are those of an outlined CPU kernel: a buffer is its data pointer and
its dynamic dims, a scalar its value (``bool`` as a byte), and a kernel that checks takes
``err`` (a device buffer) and the base of its checks' ids. A failing check claims ``err[0]``
with a compare-and-swap and writes its values; the host reads ``err`` back after the launch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import llvmlite.ir as ir
from xdsl.dialects import gpu, memref
from xdsl.dialects.builtin import ComplexType, IntegerType, MemRefType, ModuleOp
from xdsl.ir import Operation

from tensorir.abi import (
    BLAS_PREFIX,
    DEVICE_BLAS,
    DEVICE_ERROR,
    DEVICE_FUNCTIONS,
    MAX_CHECK_VALUES,
    CheckSpec,
    FunctionABI,
)
from tensorir.dialects.tir_gpu import (
    BLOCK_LEVEL,
    BlockReduceOp,
    BlockSingleOp,
    BlockThreadsOp,
    identity,
)
from tensorir.lowering import vecmath
from tensorir.lowering.llvm_emitter import (
    I1,
    I8,
    I32,
    I64,
    PTR,
    VOID,
    EmitError,
    Handler,
    Memref,
    _const,
    _elem_size,
    _FunctionEmitter,
    _ModuleEmitter,
    _operands,
    combine,
    memory_type,
    registrar,
    value_type,
)

NVPTX_TRIPLE = "nvptx64-nvidia-cuda"
TARGETS = ("nvptx", "emulated")

_NO_NVPTX = frozenset({"exp", "exp2", "exp10", "log", "log2", "log10", "pow", "sin", "cos"})
"""LLVM intrinsics that NVPTX cannot select (LLVM aborts the process): libdevice's instead."""


def libdevice_name(name: str) -> str:
    """What a kernel for NVPTX calls for ``name``: libdevice's ``__nv_<f>`` for a C math
    function (``tanhf`` -> ``__nv_tanhf``) and for an intrinsic NVPTX cannot select
    (``llvm.exp.f64`` -> ``__nv_exp``); other intrinsics as they are."""
    if name.startswith("llvm."):
        base, _, suffix = name[5:].rpartition(".")
        if base in _NO_NVPTX:
            return f"__nv_{base}{'f' if suffix == 'f32' else ''}"
        return name
    if name.startswith("__"):
        return name
    return f"__nv_{name}"


@dataclass(frozen=True)
class KernelInfo:
    """A kernel: its name and the checks it makes (its ids are its launch's base plus 1, 2,
    ...)."""

    name: str
    checks: tuple[CheckSpec, ...]


@dataclass
class GpuEmitted:
    """A GPU module's LLVM IR: the host's entry points (``host_ir``, ``functions``) and the
    kernels for ``target`` (``kernels_ir``), with the tables the runtime fills."""

    host_ir: str
    functions: dict[str, FunctionABI]
    kernels_ir: str
    target: str
    kernels: tuple[KernelInfo, ...]
    kernel_table: str  # @<prefix>.kernels: one pointer per kernel, in ``kernels``' order
    globals: tuple[str, ...]  # the device globals the host reads, by their kernel-IR name
    global_table: str  # @<prefix>.globals


def gpu_module_of(module: ModuleOp) -> gpu.ModuleOp:
    for op in module.ops:
        if isinstance(op, gpu.ModuleOp):
            return op
    raise EmitError("gpu emitter: no gpu.module (run tir-gpu-kernels first)")


def emit_gpu(module: ModuleOp, target: str = "nvptx") -> GpuEmitted:
    """Translate a module lowered for the GPU into host and kernel LLVM IR."""
    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(TARGETS)}, got {target!r}")
    entries = [op.sym_name.data for op in module.ops if op.name == "func.func"]
    prefix = entries[0] if entries else "tensorir"
    has_kernels = any(isinstance(op, gpu.ModuleOp) for op in module.ops)
    device = _DeviceModule(module, target, prefix)
    kernels_ir = device.emit_kernels() if has_kernels else ""
    host = _HostModule(module, prefix, device)
    emitted = host.emit()
    return GpuEmitted(
        emitted.llvm_ir,
        emitted.functions,
        kernels_ir,
        target,
        tuple(device.infos),
        host.kernel_table_name,
        tuple(host.global_names),
        host.global_table_name,
    )


# --------------------------------------------------------------------------- kernels


class _DeviceModule(_ModuleEmitter):
    """The kernels of the ``gpu.module``, one LLVM module for ``target``."""

    def __init__(self, module: ModuleOp, target: str, prefix: str):
        super().__init__(module, "vector" if target == "emulated" else "libm")
        self.target = target
        self.prefix = prefix
        self.infos: list[KernelInfo] = []
        if target == "nvptx":
            self.llmod.triple = NVPTX_TRIPLE

    global_linkage = ""  # external: the runtime finds a global by name

    def intrinsic(self, name: str, ret: ir.Type, args: Sequence[ir.Type]) -> ir.Function:
        """For NVPTX, C math and the intrinsics it cannot select come from libdevice."""
        if self.target == "nvptx":
            name = libdevice_name(name)
        return super().intrinsic(name, ret, args)

    def global_symbol(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def block_scratch(self) -> ir.GlobalVariable:
        """The block's shared memory for ``tir.block_reduce``: one 8-byte slot per warp."""
        name = "tir_block_scratch"
        if name not in self.llmod.globals:
            g = ir.GlobalVariable(self.llmod, SCRATCH, name, addrspace=3)
            g.linkage = "internal"
            g.initializer = ir.Constant(SCRATCH, ir.Undefined)
            g.align = 8
        return self.llmod.globals[name]  # type: ignore[no-any-return]

    def emit_kernels(self) -> str:
        body = gpu_module_of(self.module).body.block
        for op in body.ops:
            if op.name == "memref.global":
                self._global(op)
        for op in body.ops:
            if isinstance(op, gpu.FuncOp):
                emitter = _KernelEmitter(self, op)  # type: ignore[arg-type]
                emitter.emit_gpu_kernel()
                self.infos.append(KernelInfo(op.sym_name.data, tuple(emitter.checks)))
            elif op.name != "memref.global":
                raise EmitError(f"gpu emitter: unsupported op {op.name} in the gpu.module")
        if self.target == "emulated":
            vecmath.finish(self.llmod)
        return str(self.llmod)


class _KernelEmitter(_FunctionEmitter):
    HANDLERS: dict[str, Handler] = {}

    def emit_gpu_kernel(self) -> None:
        """A ``gpu.func``: buffers as data pointer and dynamic dims, scalars by value
        (``bool`` as a byte), then ``err`` and the base of its check ids if it checks; for
        the emulator, the thread context first, and a ``.emu`` function running the grid."""
        op: Any = self.op
        parent: _DeviceModule = self.parent  # type: ignore[assignment]
        name = op.sym_name.data
        block = op.body.blocks.first
        assert block is not None
        types = list(op.function_type.inputs.data)
        params = kernel_params(types)
        checks = any(inner.name == "tir.check" for inner in op.walk())
        if checks:
            params += [PTR, I64]
        emulated = parent.target == "emulated"
        fn = ir.Function(
            parent.llmod, ir.FunctionType(VOID, ([PTR] if emulated else []) + params), name
        )
        fn.attributes.add("nounwind")
        if emulated:
            fn.linkage = "internal"
        else:
            fn.calling_convention = "ptx_kernel"
        parent.functions[name] = fn
        self.fn = fn
        self.kernel = True
        self.allocas = ir.IRBuilder(fn.append_basic_block("allocas"))
        self.entry = fn.append_basic_block("entry")
        self.b = ir.IRBuilder(self.entry)
        it = iter(fn.args)
        self.context = next(it) if emulated else None
        for arg, t in zip(block.args, types, strict=True):
            if isinstance(t, MemRefType):
                ptr = next(it)
                dims = [next(it) if d < 0 else _const(I64, d) for d in t.get_shape()]
                self.values[arg] = Memref(ptr, dims, memory_type(t.element_type))
            elif isinstance(t, ComplexType):
                self.values[arg] = self._complex(value_type(t), next(it), next(it))
            elif t == IntegerType(1):
                self.values[arg] = self.b.icmp_unsigned("!=", next(it), _const(I8, 0))
            else:
                self.values[arg] = next(it)
        if checks:
            self.err, self.check_base = next(it), next(it)
        self.emit_block(block)
        self.allocas.branch(self.entry)
        if emulated:
            _emulated_grid(parent.llmod, fn, params, threads=BLOCK_LEVEL not in op.attributes)

    def fail_check(self, check_id: ir.Value, values: Sequence[ir.Value]) -> None:
        """The first failing thread claims ``err[0]`` (compare-and-swap from 0) and writes
        its values; every failing thread returns."""
        b = self.b
        old = b.cmpxchg(self.err, _const(I64, 0), check_id, "monotonic", "monotonic")
        won = b.extract_value(old, 1)
        with b.if_then(won):
            for k, x in enumerate(values, 1):
                b.store(x, b.gep(self.err, [_const(I64, k)], inbounds=True, source_etype=I64))
        self.kernel_return(b)

    def barrier(self) -> None:
        """``bar.sync 0``: the block waits for all its threads (NVPTX only)."""
        self.b.call(self.parent.intrinsic("llvm.nvvm.barrier0", VOID, []), [])

    @contextmanager
    def each_thread(self) -> Iterator[None]:
        """For the emulator: the code written inside the ``with`` run by every thread of the
        block in turn (``tid.y`` and ``tid.x`` set in the context), then thread 0 again."""
        assert self.context is not None

        def slot(dim: str) -> ir.Value:
            k = _const(I64, THREAD_CONTEXT.index(("tid", dim)))
            return self.b.gep(self.context, [k], source_etype=I64)

        with _counted(self.b, self.fn, self.thread_value("ntid", "y"), slot("y")):
            with _counted(self.b, self.fn, self.thread_value("ntid", "x"), slot("x")):
                yield

    def warp_reduce(self, kind: str, v: ir.Value) -> ir.Value:
        """``v`` combined over the warp's lanes (lane 0 holds the total): shuffles down by
        16, 8, 4, 2 and 1 lanes, 32 bits at a time."""
        b = self.b
        shfl = self.parent.intrinsic("llvm.nvvm.shfl.sync.down.i32", I32, [I32] * 4)
        t = v.type
        bits = _bits(t)
        word = ir.IntType(bits)
        for offset in (16, 8, 4, 2, 1):
            x = v if isinstance(t, ir.IntType) else b.bitcast(v, word)
            if bits <= 32:
                parts = [b.zext(x, I32) if bits < 32 else x]
            else:
                parts = [b.trunc(x, I32), b.trunc(b.lshr(x, _const(I64, 32)), I32)]
            moved = [b.call(shfl, [_const(I32, -1), p, _const(I32, offset), _const(I32, 31)])
                     for p in parts]  # fmt: skip
            if bits <= 32:
                y = b.trunc(moved[0], word) if bits < 32 else moved[0]
            else:
                y = b.or_(b.zext(moved[0], I64), b.shl(b.zext(moved[1], I64), _const(I64, 32)))
            other = y if isinstance(t, ir.IntType) else b.bitcast(y, t)
            v = combine(self, kind, v, other)
        return v

    def thread_value(self, sreg: str, dim: str) -> ir.Value:
        """The special register ``%sreg.dim`` (``tid``, ``ctaid``, ``ntid``, ``nctaid``):
        for the emulator from its context argument, on NVPTX the register itself."""
        if self.context is not None:
            k = _const(I64, THREAD_CONTEXT.index((sreg, dim)))
            return self.b.load(self.b.gep(self.context, [k], source_etype=I64), typ=I64)
        f = self.parent.intrinsic(f"llvm.nvvm.read.ptx.sreg.{sreg}.{dim}", I32, [])
        return self.b.zext(self.b.call(f, []), I64)


def kernel_params(types: Sequence[Any]) -> list[ir.Type]:
    """A kernel's LLVM parameters for its ``gpu.func`` argument types (before ``err``)."""
    params: list[ir.Type] = []
    for t in types:
        if isinstance(t, MemRefType):
            params += [PTR] + [I64] * sum(1 for d in t.get_shape() if d < 0)
        elif isinstance(t, ComplexType):
            params += [value_type(t.element_type)] * 2
        else:
            params.append(memory_type(t))
    return params


def _emulated_grid(
    llmod: ir.Module, kernel: ir.Function, params: list[ir.Type], threads: bool = True
) -> None:
    """``void <kernel>.emu(i64 gx, i64 gy, i64 bx, i64 by, ptr params)``: the kernel run for
    every block and every thread in turn, its arguments read through ``params``
    (``cuLaunchKernel``'s). The context is ``THREAD_CONTEXT``'s values in order. A block
    kernel (not ``threads``) runs once per block, as thread 0: its block ops loop over the
    threads themselves."""
    fn = ir.Function(llmod, ir.FunctionType(VOID, [I64, I64, I64, I64, PTR]), f"{kernel.name}.emu")
    gx, gy, bx, by, argv = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    context = b.alloca(I64, size=_const(I64, len(THREAD_CONTEXT)))

    def put(key: tuple[str, str], v: ir.Value) -> None:
        k = THREAD_CONTEXT.index(key)
        b.store(v, b.gep(context, [_const(I64, k)], source_etype=I64))

    for key, v in ((("ntid", "x"), bx), (("ntid", "y"), by), (("nctaid", "x"), gx),
                   (("nctaid", "y"), gy)):  # fmt: skip
        put(key, v)
    args = []
    for k, t in enumerate(params):
        at = b.load(b.gep(argv, [_const(I64, k)], source_etype=PTR), typ=PTR)
        args.append(b.load(at, typ=t))
    with _counted(b, fn, gy) as block_y:
        put(("ctaid", "y"), block_y)
        with _counted(b, fn, gx) as block_x:
            put(("ctaid", "x"), block_x)
            if not threads:
                put(("tid", "x"), _const(I64, 0))
                put(("tid", "y"), _const(I64, 0))
                b.call(kernel, [context, *args])
            else:
                with _counted(b, fn, by) as thread_y:
                    put(("tid", "y"), thread_y)
                    with _counted(b, fn, bx) as thread_x:
                        put(("tid", "x"), thread_x)
                        b.call(kernel, [context, *args])
    b.ret_void()


THREAD_CONTEXT = (
    ("tid", "x"), ("tid", "y"), ("ctaid", "x"), ("ctaid", "y"),
    ("ntid", "x"), ("ntid", "y"), ("nctaid", "x"), ("nctaid", "y"),
)  # fmt: skip
"""An emulated kernel's thread context: NVPTX's special registers it stands for, in order."""


def _bits(t: ir.Type) -> int:
    if isinstance(t, ir.IntType):
        return int(t.width)
    return {ir.DoubleType: 64, ir.FloatType: 32, ir.HalfType: 16}[type(t)]


SCRATCH = ir.ArrayType(I64, 32)
"""A block kernel's shared memory: a slot for each of a block's (at most 32) warps."""


class _counted:
    """``for i in range(n)`` around the body written inside the ``with``; yields ``i``; with
    ``at``, ``i`` is stored there at each iteration and 0 after the loop."""

    def __init__(self, b: ir.IRBuilder, fn: ir.Function, n: ir.Value, at: ir.Value | None = None):
        self.b, self.fn, self.n, self.at = b, fn, n, at

    def __enter__(self) -> ir.Value:
        b = self.b
        self.pre = b.block
        self.header = self.fn.append_basic_block("emu_header")
        self.body = self.fn.append_basic_block("emu_body")
        self.exit = self.fn.append_basic_block("emu_exit")
        b.branch(self.header)
        b.position_at_end(self.header)
        self.i = b.phi(I64)
        self.i.add_incoming(_const(I64, 0), self.pre)
        b.cbranch(b.icmp_signed("<", self.i, self.n), self.body, self.exit)
        b.position_at_end(self.body)
        if self.at is not None:
            b.store(self.i, self.at)
        return self.i

    def __exit__(self, *exc: object) -> None:
        b = self.b
        self.i.add_incoming(b.add(self.i, _const(I64, 1)), b.block)
        b.branch(self.header)
        b.position_at_end(self.exit)
        if self.at is not None:
            b.store(_const(I64, 0), self.at)


_kernel_on = registrar(_KernelEmitter.HANDLERS)


_SPECIAL_REGISTERS = {
    "gpu.thread_id": "tid",
    "gpu.block_id": "ctaid",
    "gpu.block_dim": "ntid",
    "gpu.grid_dim": "nctaid",
}


@_kernel_on(*_SPECIAL_REGISTERS)
def _thread_value(e: _KernelEmitter, op: Operation) -> Any:
    dim = op.properties["dimension"].data.value  # type: ignore[attr-defined]
    if dim not in ("x", "y"):
        raise EmitError(f"gpu emitter: {op.name} along {dim} (kernels use x and y)")
    return e.thread_value(_SPECIAL_REGISTERS[op.name], dim)


@_kernel_on("gpu.return")
def _gpu_return(e: _KernelEmitter, op: Operation) -> None:
    e.b.ret_void()


# ---- block kernels (tir_gpu): NVPTX barriers, shuffles and shared memory; the emulator
# loops over the block's threads at each op, phase by phase


def _wait_for_uniform_code(e: _KernelEmitter, op: Operation) -> None:
    """Before a block op that stores, the block waits for the loads of the uniform code
    since the last block op (a thread must not overwrite what another has yet to read).
    At the start of a loop's body, the loads are those of the previous iteration."""
    prev = op.prev_op
    while prev is not None:
        if isinstance(prev, BlockThreadsOp | BlockSingleOp | BlockReduceOp):
            return
        if any(isinstance(inner, memref.LoadOp) for inner in prev.walk()):
            break
        prev = prev.prev_op
    e.barrier()


@_kernel_on("tir.block_threads")
def _block_threads(e: _KernelEmitter, op: Operation) -> None:
    if e.context is None:
        _wait_for_uniform_code(e, op)
        e.emit_block(op.regions[0].block)
        e.barrier()
        return
    with e.each_thread():
        e.emit_block(op.regions[0].block)


@_kernel_on("tir.block_single")
def _block_single(e: _KernelEmitter, op: Operation) -> None:
    if e.context is None:
        _wait_for_uniform_code(e, op)
        tids = e.b.or_(e.thread_value("tid", "x"), e.thread_value("tid", "y"))
        first = e.b.icmp_unsigned("==", tids, _const(I64, 0))
        with e.b.if_then(first):
            e.emit_block(op.regions[0].block)
        e.barrier()
        return
    e.emit_block(op.regions[0].block)  # the emulator's uniform code runs as thread 0


@_kernel_on("tir.block_buffer")
def _block_buffer(e: _KernelEmitter, op: Operation) -> Any:
    """Shared memory: on NVPTX a global of address space 3 (one per op), its address made
    generic; the emulator's block is one call of the kernel, so a stack slot is its own."""
    t = op.results[0].type
    shape = t.get_shape()  # type: ignore[attr-defined]
    elem = memory_type(t.element_type)  # type: ignore[attr-defined]
    n = math.prod(shape)
    dims = [_const(I64, d) for d in shape]
    if e.context is not None:
        return Memref(e.allocas.alloca(elem, size=_const(I64, max(n, 1))), dims, elem)
    array = ir.ArrayType(elem, max(n, 1))
    g = ir.GlobalVariable(e.parent.llmod, array, e.parent.llmod.get_unique_name("tir_block_buffer"),
                          addrspace=3)  # fmt: skip
    g.linkage = "internal"
    g.initializer = ir.Constant(array, ir.Undefined)
    g.align = 16
    return Memref(e.b.addrspacecast(g, PTR), dims, elem)


@_kernel_on("tir.block_reduce")
def _block_reduce(e: _KernelEmitter, op: Operation) -> Any:
    """Every thread's value of the region, combined: on NVPTX by shuffles within each warp,
    the warps' values through shared memory, combined again by the first warp and handed to
    every thread through shared memory; the emulator combines the threads' values in order."""
    kind = op.properties["kind"].data  # type: ignore[attr-defined]
    t = value_type(op.results[0].type)
    neutral = _const(t, identity(kind, op.results[0].type))
    b = e.b
    if e.context is not None:
        slot = e.allocas.alloca(t)
        b.store(neutral, slot)
        with e.each_thread():
            (v,) = e.emit_block(op.regions[0].block)
            b.store(combine(e, kind, b.load(slot, typ=t), v), slot)
        return b.load(slot, typ=t)
    (v,) = e.emit_block(op.regions[0].block)
    tid = e.thread_value("tid", "x")
    lane = b.and_(tid, _const(I64, 31))
    warp = b.lshr(tid, _const(I64, 5))
    warps = b.lshr(b.add(e.thread_value("ntid", "x"), _const(I64, 31)), _const(I64, 5))
    scratch = e.parent.block_scratch()  # type: ignore[attr-defined]

    def at(k: ir.Value) -> ir.Value:
        slot = b.gep(scratch, [_const(I64, 0), k], inbounds=True, source_etype=SCRATCH)
        return b.bitcast(slot, t.as_pointer(addrspace=3))

    v = e.warp_reduce(kind, v)
    e.barrier()  # the scratch's last readers are done
    with b.if_then(b.icmp_unsigned("==", lane, _const(I64, 0))):
        b.store(v, at(warp))
    e.barrier()
    mine = b.icmp_unsigned("<", tid, warps)
    first = b.select(mine, b.load(at(b.select(mine, tid, _const(I64, 0))), typ=t), neutral)
    total = e.warp_reduce(kind, first)
    e.barrier()
    with b.if_then(b.icmp_unsigned("==", tid, _const(I64, 0))):
        b.store(total, at(_const(I64, 0)))
    e.barrier()
    return b.load(at(_const(I64, 0)), typ=t)


# --------------------------------------------------------------------------- host


class _HostModule(_ModuleEmitter):
    """The entry points, for the host: buffers in device memory, kernels launched."""

    def __init__(self, module: ModuleOp, prefix: str, device: _DeviceModule):
        super().__init__(module)
        self.device = device
        self.kernel_index = {k.name: i for i, k in enumerate(device.infos)}
        self.kernel_checks = {k.name: k.checks for k in device.infos}
        self.kernel_table_name = f"{prefix}.kernels"
        self.global_table_name = f"{prefix}.globals"
        read = {
            inner.properties["name"].root_reference.data  # type: ignore[attr-defined]
            for fn in module.ops
            if fn.name == "func.func"
            for inner in fn.walk()
            if inner.name == "memref.get_global"
        }
        self.global_names = sorted(device.global_symbol(name) for name in read)
        self.kernel_table = self._table(self.kernel_table_name, len(device.infos))
        self.global_table = self._table(self.global_table_name, len(self.global_names))

    def _table(self, name: str, n: int) -> ir.GlobalVariable:
        t = ir.ArrayType(PTR, max(1, n))
        gv = ir.GlobalVariable(self.llmod, t, name)
        gv.initializer = ir.Constant(t, None)
        return gv

    @property
    def function_emitter(self) -> type[_FunctionEmitter]:
        return _HostEmitter

    def other_top_level(self, op: Operation) -> None:
        if not isinstance(op, gpu.ModuleOp):
            super().other_top_level(op)

    def allocator(self) -> ir.Function:
        return self.device_fn("tir_dev_alloc")

    def release_fn(self) -> ir.Function:
        return self.device_fn("tir_dev_release")

    def device_fn(self, name: str) -> ir.Function:
        ret, args = DEVICE_FUNCTIONS.get(name) or DEVICE_BLAS[name]
        types = {"ptr": PTR, "i64": I64, "i32": I32, "void": VOID, "f64": ir.DoubleType(),
                 "f32": ir.FloatType()}  # fmt: skip
        return self.intrinsic(name, types[ret], [types[a] for a in args])

    def device_global(self, name: str) -> int:
        """The slot of the device copy of ``memref.global @name`` in the globals table."""
        if name not in self.device.globals:  # read only by the host: no kernel has it
            raise EmitError(f"gpu emitter: the host reads @{name}, which no kernel has")
        return self.global_names.index(self.device.global_symbol(name))


class _HostEmitter(_FunctionEmitter):
    HANDLERS: dict[str, Handler] = {}

    def __init__(self, parent: _ModuleEmitter, op: Any):
        super().__init__(parent, op)
        self.device_globals: set[ir.Value] = set()

    def owns(self, ptr: ir.Value) -> bool:
        return super().owns(ptr) and ptr not in self.device_globals

    def device_call(self, name: str, args: Sequence[ir.Value]) -> None:
        """Call the backend's ``name``; when it returns an error code, fail the call with
        ``DEVICE_ERROR`` and the code in ``err[0]``."""
        rc = self.b.call(self.parent.device_fn(name), list(args))  # type: ignore[attr-defined]
        bad = self.b.icmp_signed("!=", rc, _const(I32, 0))
        fail = self.fn.append_basic_block(f"{name}_failed")
        ok = self.fn.append_basic_block(f"{name}_ok")
        self.b.cbranch(bad, fail, ok)
        fb = ir.IRBuilder(fail)
        fb.store(fb.sext(rc, I64), self.err)
        self.fail(fb, DEVICE_ERROR)
        self.b.position_at_end(ok)

    def memcpy(self, dst: ir.Value, src: ir.Value, n: ir.Value) -> None:
        self.device_call("tir_dev_copy", [dst, src, n])


_host_on = registrar(_HostEmitter.HANDLERS)


@_host_on("memref.alloc", "memref.alloca")
def _device_alloc(e: _HostEmitter, op: Operation) -> Any:
    """Every buffer of the host code is device memory (rank 0 too: kernels write them)."""
    t = op.results[0].type
    assert isinstance(t, MemRefType)
    elem = memory_type(t.element_type)
    it = iter(op.operands)
    dims = [e.v(next(it)) if d < 0 else _const(I64, d) for d in t.get_shape()]
    ptr = e.malloc(e.nbytes(Memref(ir.Constant(PTR, None), dims, elem)))
    e.hold(ptr)
    return Memref(ptr, dims, elem)


@_host_on("memref.dealloc")
def _device_free(e: _HostEmitter, op: Operation) -> None:
    e.release(e.v(op.operands[0]).ptr)


def _host_slot(e: _HostEmitter, t: ir.Type) -> ir.Value:
    return e.entry_alloca(t)


@_host_on("memref.load")
def _device_load(e: _HostEmitter, op: Operation) -> Any:
    m = e.v(op.operands[0])
    slot = _host_slot(e, m.elem)
    e.device_call("tir_dev_read", [slot, e.address(m, op.operands[1:]), _const(I64, _size(m))])
    x = e.b.load(slot, typ=m.elem)
    if op.results[0].type == IntegerType(1):
        return e.b.icmp_unsigned("!=", x, _const(I8, 0))
    return x


@_host_on("memref.store")
def _device_store(e: _HostEmitter, op: Operation) -> None:
    x, m = e.v(op.operands[0]), e.v(op.operands[1])
    if op.operands[0].type == IntegerType(1):
        x = e.b.zext(x, I8)
    slot = _host_slot(e, m.elem)
    e.b.store(x, slot)
    e.device_call("tir_dev_write", [e.address(m, op.operands[2:]), slot, _const(I64, _size(m))])


@_host_on("func.call")
def _device_blas(e: _HostEmitter, op: Operation) -> Any:
    """A BLAS routine (``tir-linalg-to-blas``) on device buffers: the device's
    (``DEVICE_BLAS``); ``dot``'s result comes back through a host slot."""
    callee = op.properties["callee"].root_reference.data  # type: ignore[attr-defined]
    if not callee.startswith(BLAS_PREFIX):
        raise EmitError(f"gpu emitter: the host calls @{callee}; it calls only the device's BLAS")
    args = [a.ptr if isinstance(a, Memref) else a for a in _operands(e, op)]
    name = f"tir_dev_blas_{callee[len(BLAS_PREFIX) :]}"
    if not op.results:
        e.device_call(name, args)
        return None
    slot = _host_slot(e, value_type(op.results[0].type))
    e.device_call(name, [*args, slot])
    return e.b.load(slot, typ=value_type(op.results[0].type))


def _is_one(v: Any) -> bool:
    owner = v.owner
    return owner.name == "arith.constant" and owner.value.value.data == 1


def _size(m: Memref) -> int:
    return _elem_size(m.elem)


@_host_on("memref.get_global")
def _device_global(e: _HostEmitter, op: Operation) -> Any:
    parent: _HostModule = e.parent  # type: ignore[assignment]
    name = op.properties["name"].root_reference.data  # type: ignore[attr-defined]
    _, t = parent.device.globals[name]
    k = parent.device_global(name)
    at = e.b.gep(parent.global_table, [_const(I64, 0), _const(I64, k)], inbounds=True)
    ptr = e.b.load(at, typ=PTR)
    e.device_globals.add(ptr)
    return Memref(ptr, [_const(I64, d) for d in t.get_shape()], memory_type(t.element_type))


@_host_on("gpu.launch_func")
def _launch(e: _HostEmitter, op: Operation) -> None:
    """Pack the kernel's arguments (``params[i]`` points at argument i), launch it, and for a
    kernel that checks, read ``err`` back: a check that failed fails the call."""
    parent: _HostModule = e.parent  # type: ignore[assignment]
    launch: Any = op
    name = launch.kernel.nested_references.data[0].data
    b = e.b
    values: list[ir.Value] = []
    for v, x in zip(launch.kernelOperands, _operands(e, launch)[6:], strict=True):
        if isinstance(x, Memref):
            shape = v.type.get_shape()
            values += [x.ptr, *(d for d, n in zip(x.dims, shape, strict=True) if n < 0)]
        elif isinstance(x.type, ir.LiteralStructType):
            values += [b.extract_value(x, 0), b.extract_value(x, 1)]
        elif v.type == IntegerType(1):
            values.append(b.zext(x, I8))
        else:
            values.append(x)
    checks = parent.kernel_checks[name]
    err_bytes = _const(I64, 8 * (1 + MAX_CHECK_VALUES))
    errbuf = None
    if checks:
        errbuf = e.malloc(err_bytes)
        e.hold(errbuf)
        zeros = e.allocas.alloca(I64, size=_const(I64, 1 + MAX_CHECK_VALUES))
        memset = parent.intrinsic("llvm.memset.p0.i64", VOID, [PTR, I8, I64, I1])
        b.call(memset, [zeros, _const(I8, 0), err_bytes, _const(I1, 0)])
        e.device_call("tir_dev_write", [errbuf, zeros, err_bytes])
        values += [errbuf, _const(I64, len(e.checks))]
        e.checks.extend(checks)
    argv = e.allocas.alloca(PTR, size=_const(I64, max(1, len(values))))
    for k, x in enumerate(values):
        slot = e.allocas.alloca(x.type)
        b.store(x, slot)
        b.store(slot, b.gep(argv, [_const(I64, k)], inbounds=True, source_etype=PTR))
    table = parent.kernel_table
    at = b.gep(table, [_const(I64, 0), _const(I64, parent.kernel_index[name])], inbounds=True)
    kernel = b.load(at, typ=PTR)
    sizes = [launch.gridSizeX, launch.gridSizeY, launch.blockSizeX, launch.blockSizeY]
    if any(not _is_one(v) for v in (launch.gridSizeZ, launch.blockSizeZ)):
        raise EmitError("gpu emitter: a launch along z (kernels use x and y)")
    e.device_call("tir_dev_launch", [kernel, *(e.v(v) for v in sizes), argv])
    if errbuf is not None:
        e.device_call("tir_dev_read", [e.err, errbuf, err_bytes])
        e.release(errbuf)
        failed = b.icmp_signed("!=", b.load(e.err, typ=I64), _const(I64, 0))
        fail = e.fn.append_basic_block("kernel_failed")
        ok = e.fn.append_basic_block("kernel_ok")
        b.cbranch(failed, fail, ok)
        e.fail(ir.IRBuilder(fail), 1)
        b.position_at_end(ok)
