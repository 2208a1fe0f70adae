"""``tir-gpu-kernels`` (L4 -> L4 for the GPU): the loop nests of a function become GPU kernels.

For ``device=cuda`` the function itself runs on the host: it checks shapes, allocates
buffers (in device memory), and launches kernels; every loop nest that touches memory runs on
the device. The pass moves each outermost loop nest that holds only what a kernel may hold
(``arith``, ``math``, ``complex``, loads and stores, ``memref.dim``, stack slots, views,
``scf`` loops and ``if``s, run-time checks: ``outline.KERNEL_OPS``) into a ``gpu.func`` of
the module's one ``gpu.module @tensorir_kernels`` and launches it in its place::

    scf.for %i = %c0 to %n step %c1 {          %blocks = min(max(ceil(%n / 256), 1), 4096)
      ...                              ->      gpu.launch_func @tensorir_kernels::@fn_k0
    } {tir.parallel}                               blocks in (%blocks, %c1, %c1)
                                                   threads in (%c256, %c1, %c1)
                                                   args(%x : memref<?xf64>, %n : index, ...)

    gpu.func @fn_k0(%x: memref<?xf64>, %n: index, ...) kernel {
      %i0 = block_id.x * block_dim.x + thread_id.x          (times the step, plus the start)
      scf.for %i = %i0 to %n step (block_dim.x * grid_dim.x) { ... }    (a grid-stride loop)
      gpu.return
    }

- A loop marked ``{tir.parallel}`` (``tir-parallel-loops``: its iterations are independent)
  becomes a grid-stride loop: thread ``t`` of the grid runs iterations ``t``, ``t + T``, ...
  (``T`` threads in all), so any grid covers any trip count; the grid is the trip count over
  ``block`` threads, at least one block and at most ``max_blocks``.
- Any other nest runs on one thread (a grid of one block of one thread): the same loops in
  the same order. The values it carries out (``iter_args`` results) are stored by the kernel
  into rank-0 buffers that the host reads after the launch.
- Constants and ``memref.get_global`` the nest reads are copied into the kernel; every other
  value it reads from outside is a kernel argument, in order of first use. Every
  ``memref.global`` that a kernel or the host reads is copied into the ``gpu.module``: the
  device has its own copy, which the host finds by name.
- Loops that hold more than a kernel may (an allocation: a scan's step loop, a ``tir.map``'s
  rows) stay on the host and the pass goes into their bodies; it goes into ``scf.if`` and
  ``scf.while`` regions too.
- The host's stack slots (``memref.alloca``, the rank-0 buffers that kernels write: a full
  sum's accumulator) become device buffers: ``memref.alloc`` at the function's start and
  ``memref.dealloc`` before its return.

What stays on the host and reads or writes a buffer (a ``memref.load`` of a rank-0 result, a
``memref.copy``) is a copy between host and device memory (the emitter's ``cuda`` host
target). A host function that calls another (BLAS, an outlined CPU kernel) is an error: the
cuda pipeline leaves out ``tir-linalg-to-blas`` and ``tir-outline-kernels``. The same loops
run on the same values: results are those of the CPU's loops, iteration for iteration.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, gpu, memref, scf
from xdsl.dialects.builtin import (
    AnyFloat,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    StringAttr,
    SymbolRefAttr,
    UnitAttr,
)
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import PassFailedException

from tensorir.abi import PARALLEL_ATTR
from tensorir.lowering.outline import KERNEL_DIALECTS, KERNEL_OPS

KERNEL_MODULE = "tensorir_kernels"
"""The name of the ``gpu.module`` holding a module's kernels."""


def kernel_able(loop: Operation) -> bool:
    """Whether every op of the nest ``loop`` may run in a kernel, and it carries out only
    scalars."""
    if not all(isinstance(r.type, IntegerType | IndexType | AnyFloat) for r in loop.results):
        return False
    return all(
        inner.name in KERNEL_OPS or inner.name.startswith(KERNEL_DIALECTS) for inner in loop.walk()
    )


def _free_values(loop: Operation) -> list[SSAValue]:
    """The values ``loop`` reads that are defined outside it, in order of first use."""
    defined: set[SSAValue] = set()
    free: dict[SSAValue, None] = {}
    for inner in loop.walk():
        for v in inner.operands:
            if v not in defined:
                free.setdefault(v)
        defined.update(inner.results)
        for region in inner.regions:
            for block in region.blocks:
                defined.update(block.args)
    return list(free)


def _index(value: int) -> arith.ConstantOp:
    return arith.ConstantOp(IntegerAttr(value, IndexType()))


@dataclass
class _Kernels:
    """The ``gpu.module`` being filled, and the names taken in it."""

    module: ModuleOp
    block: Block
    block_size: int
    max_blocks: int
    count: int = 0
    globals_copied: frozenset[str] = frozenset()

    def copy_global(self, name: str) -> None:
        """Copy ``memref.global @name`` into the ``gpu.module`` (once)."""
        if name in self.globals_copied:
            return
        for op in self.module.ops:
            if op.name == "memref.global" and op.properties["sym_name"].data == name:  # type: ignore[attr-defined]
                self.block.add_op(op.clone())
                self.globals_copied = self.globals_copied | {name}
                return
        raise PassFailedException(f"tir-gpu-kernels: no memref.global @{name}")

    def outline(self, fn_name: str, loop: scf.ForOp) -> None:
        """Move ``loop`` into a new kernel and launch it in its place."""
        parallel = PARALLEL_ATTR in loop.attributes
        args: list[SSAValue] = []
        copied: list[Operation] = []  # constants and globals cloned into the kernel
        for v in _free_values(loop):
            owner = v.owner
            if isinstance(owner, arith.ConstantOp | memref.GetGlobalOp):
                copied.append(owner)
            else:
                args.append(v)
        host = Rewriter()
        before = InsertPoint.before(loop)
        one = _index(1)
        host.insert_op(one, before)
        outs: list[SSAValue] = []  # rank-0 buffers for the values the nest carries out
        for r in loop.results:
            alloc = memref.AllocOp.get(r.type, shape=[])
            alloc.memref.name_hint = f"{r.name_hint}_out" if r.name_hint else "carried"
            host.insert_op(alloc, before)
            outs.append(alloc.memref)
        grid, threads = self._grid(host, loop) if parallel else (one.result, one.result)
        name = f"{fn_name}_k{self.count}"
        self.count += 1
        types = [v.type for v in args] + [o.type for o in outs]
        launch = gpu.LaunchFuncOp(
            SymbolRefAttr(KERNEL_MODULE, [StringAttr(name)]),
            [grid, one.result, one.result],
            [threads, one.result, one.result],
            kernelOperands=[*args, *outs],
        )
        host.insert_op(launch, before)
        after: Operation = launch
        for r, buffer in zip(loop.results, outs, strict=True):
            load = memref.LoadOp.get(buffer, [])
            release = memref.DeallocOp.get(buffer)
            host.insert_op([load, release], InsertPoint.after(after))
            after = release
            r.replace_all_uses_with(load.res)
        body = Block(arg_types=types)
        for arg, v in zip(body.args, [*args, *outs], strict=True):
            arg.name_hint = v.name_hint  # the host's names, where it has them
        kernel = gpu.FuncOp(name, (types, []), Region(body), kernel=True)
        self.block.add_op(kernel)
        mapping: dict[SSAValue, SSAValue] = dict(zip(args, body.args, strict=False))
        for op in copied:
            clone = op.clone()
            body.add_op(clone)
            mapping[op.results[0]] = clone.results[0]
        if parallel:
            self._grid_stride(body, loop, mapping)
            loop.detach()
            loop.erase()
        else:
            loop.detach()
            body.add_op(loop)
            for r, buffer in zip(loop.results, body.args[len(args) :], strict=True):
                body.add_op(memref.StoreOp.get(r, buffer, []))
        body.add_op(gpu.ReturnOp([]))
        for inner in kernel.walk():
            if inner is not kernel:
                inner.operands = [mapping.get(v, v) for v in inner.operands]

    def _grid(self, host: Rewriter, loop: scf.ForOp) -> tuple[SSAValue, SSAValue]:
        """The launch's grid and block sizes for the parallel ``loop`` (step 1)."""
        at = InsertPoint.before(loop)
        zero, one = _index(0), _index(1)
        block, most = _index(self.block_size), _index(self.max_blocks)
        last = _index(self.block_size - 1)
        span = arith.SubiOp(loop.ub, loop.lb)
        trips = arith.MaxSIOp(span, zero)
        rounded = arith.AddiOp(trips, last)  # below 2**64: unsigned division is exact
        blocks = arith.DivUIOp(rounded, block)
        at_least = arith.MaxSIOp(blocks, one)
        grid = arith.MinSIOp(at_least, most)
        ops = [zero, one, block, most, last, span, trips, rounded, blocks, at_least, grid]
        host.insert_op(ops, at)
        return grid.result, block.result

    @staticmethod
    def _grid_stride(body: Block, loop: scf.ForOp, mapping: dict[SSAValue, SSAValue]) -> None:
        """``scf.for %i = lb + gid * step to ub step (threads * step)`` in ``body``, the
        loop's body moved into it."""
        x = gpu.DimensionAttr(gpu.DimensionEnum.X)
        tid, bid = gpu.ThreadIdOp(x), gpu.BlockIdOp(x)
        bdim, gdim = gpu.BlockDimOp(x), gpu.GridDimOp(x)
        step = mapping.get(loop.step, loop.step)
        lb = mapping.get(loop.lb, loop.lb)
        first = arith.MuliOp(bid, bdim)
        gid = arith.AddiOp(first, tid)
        offset = arith.MuliOp(gid, step)
        start = arith.AddiOp(lb, offset)
        threads = arith.MuliOp(bdim, gdim)
        stride = arith.MuliOp(threads, step)
        ops = (tid, bid, bdim, gdim, first, gid, offset, start, threads, stride)
        names = ("tid", "bid", "bdim", "gdim", "", "gid", "", "first", "threads", "stride")
        for op, hint in zip(ops, names, strict=True):
            op.results[0].name_hint = hint or None
            body.add_op(op)
        region = loop.detach_region(loop.body)
        body.add_op(scf.ForOp(start, mapping.get(loop.ub, loop.ub), stride, [], region))


def _host_slots(fn: func.FuncOp) -> None:
    """The host's stack slots become device buffers, allocated at the function's start and
    freed before it returns."""
    entry = fn.body.block
    slots = [op for op in fn.walk() if isinstance(op, memref.AllocaOp)]
    ret = entry.last_op
    assert isinstance(ret, func.ReturnOp)
    for slot in slots:
        t = slot.memref.type
        assert isinstance(t, MemRefType)
        if any(d < 0 for d in t.get_shape()):
            raise PassFailedException("tir-gpu-kernels: a stack slot of dynamic size")
        alloc = memref.AllocOp.get(t.element_type, shape=t.get_shape())
        first = entry.first_op
        assert first is not None
        entry.insert_op_before(alloc, first)
        slot.memref.replace_all_uses_with(alloc.memref)
        slot.detach()
        slot.erase()
        entry.insert_op_before(memref.DeallocOp.get(alloc.memref), ret)


def _place(kernels: _Kernels, fn_name: str, block: Block) -> None:
    """Outline the kernels of ``block``, going into the loops and regions that stay."""
    for op in list(block.ops):
        if isinstance(op, scf.ForOp) and kernel_able(op):
            kernels.outline(fn_name, op)
        elif isinstance(op, func.CallOp):
            callee = op.callee.root_reference.data
            raise PassFailedException(
                f"tir-gpu-kernels: @{fn_name} calls @{callee}: a function for the GPU calls "
                "nothing (run the cuda pipeline, without tir-linalg-to-blas and "
                "tir-outline-kernels)"
            )
        else:
            for region in op.regions:
                for inner in region.blocks:
                    _place(kernels, fn_name, inner)


@dataclass(frozen=True)
class GpuKernels(ModulePass):
    """Move each loop nest of a function into a GPU kernel launched in its place.

    Parallel loops become grid-stride loops over the grid's threads; other nests run on one
    thread; the host's stack slots become device buffers."""

    name = "tir-gpu-kernels"

    block: int = 256
    max_blocks: int = 4096

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if any(isinstance(inner, gpu.ModuleOp) for inner in op.ops):
            return  # already done
        body = Block()
        kernels = _Kernels(op, body, self.block, self.max_blocks)
        functions = [f for f in op.ops if isinstance(f, func.FuncOp) and not f.is_declaration]
        for fn in functions:
            _place(kernels, fn.sym_name.data, fn.body.block)
            _host_slots(fn)
        if not body.ops:
            return
        for fn in [*functions, *body.ops]:  # the globals that the host or a kernel reads
            for inner in fn.walk():
                if isinstance(inner, memref.GetGlobalOp):
                    kernels.copy_global(inner.name_.root_reference.data)
        op.body.block.add_op(gpu.ModuleOp(StringAttr(KERNEL_MODULE), Region(body)))
        op.attributes["gpu.container_module"] = UnitAttr()
