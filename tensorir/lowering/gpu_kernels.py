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
- Block kernels (``gpu_blocks``; option ``block-kernels``, on by default): a parallel loop
  whose body reduces gets a block per row (grid: the rows, at most ``max_blocks``; 256
  threads); a nest reducing into one element gets two kernels, the grid's blocks' partial
  values into a device buffer, then one block combining them; a serial ``for i { for j }``
  whose inner loop has independent iterations is interchanged into a parallel loop; a
  matrix product's rows are tiled (16 x 16 blocks, shared memory), its fill split off.
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

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from xdsl.context import Context
from xdsl.dialects import arith, func, gpu, memref, scf
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
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

from tensorir.abi import BLAS_PREFIX, PARALLEL_ATTR
from tensorir.dialects.tir_gpu import BLOCK_LEVEL
from tensorir.lowering.gpu_blocks import (
    TILE,
    Reduction,
    build_partials,
    build_rows,
    build_tiles,
    build_total,
    column_loop,
    contraction,
    interchange,
    row_roles,
    split_init,
    whole_reduction,
)
from tensorir.lowering.loop_ir import inside
from tensorir.lowering.outline import KERNEL_DIALECTS, KERNEL_OPS
from tensorir.lowering.parallel import why_serial

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


def _free_values(block: Block) -> list[SSAValue]:
    """The values the ops of ``block`` read that are defined outside it, in order of first
    use."""
    defined: set[SSAValue] = set(block.args)
    free: dict[SSAValue, None] = {}
    for inner in block.walk():
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
    blocks: bool = True
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
        """Move ``loop`` into a new kernel (two for a whole reduction) launched in its
        place."""
        parallel = PARALLEL_ATTR in loop.attributes
        if self.blocks and parallel and (con := contraction(loop)) is not None:
            init = split_init(con)
            if init is not None:
                self.outline(fn_name, init)
            host = _Host(loop)
            tile = host.const(TILE)
            m, n = host.trips(loop, "rows"), host.trips(con.cols, "columns")
            gx = host.clamp(host.ceil_div(n, tile), MAX_GRID_Y, "grid_x")
            gy = host.clamp(host.ceil_div(m, tile), MAX_GRID_Y, "grid_y")
            self._launch(fn_name, host, (gx, gy), (tile, tile),
                         lambda body: build_tiles(body, con), block_level=True)  # fmt: skip
            loop.detach()
            loop.erase()
            return
        if self.blocks and parallel and (roles := row_roles(loop)) is not None:
            host = _Host(loop)
            one, block = host.const(1), host.const(self.block_size)
            grid = host.clamp(host.trips(loop, "rows"), self.max_blocks, "grid_x")
            self._launch(fn_name, host, (grid, one), (block, one),
                         lambda body: build_rows(body, loop, roles), block_level=True)  # fmt: skip
            return
        if self.blocks and not parallel and (red := whole_reduction(loop)) is not None:
            self._whole_reduction(fn_name, loop, red)
            return
        if self.blocks and not parallel and (inner := column_loop(loop)) is not None:
            loop = interchange(loop, inner)
            loop.attributes[PARALLEL_ATTR] = UnitAttr()
            parallel = True
        host = _Host(loop)
        one = host.const(1)
        outs: list[SSAValue] = []  # rank-0 buffers for the values the nest carries out
        for r in loop.results:
            alloc = memref.AllocOp.get(r.type, shape=[])
            alloc.memref.name_hint = f"{r.name_hint}_out" if r.name_hint else "carried"
            outs.append(host.op(alloc))
        inner = _inner_parallel(loop) if parallel else None
        if inner is not None:
            grid, threads = self._grid_2d(host, loop, inner)
        elif parallel:
            grid, threads = self._grid(host, loop)
        else:
            grid, threads = (one, one), (one, one)

        def fill(body: Block) -> None:
            if inner is not None:  # rows over y, columns over x
                rows = _strided(body, "y", loop)
                columns = _strided(body, "x", inner)
                _replace_loop(inner, *columns)
                _replace_loop(loop, *rows, into=body)
            elif parallel:
                _replace_loop(loop, *_strided(body, "x", loop), into=body)
            else:
                loop.detach()
                body.add_op(loop)
                for r, buffer in zip(loop.results, outs, strict=True):
                    body.add_op(memref.StoreOp.get(r, buffer, []))

        users = [[(use.operation, use.index) for use in r.uses] for r in loop.results]
        after: Operation = self._launch(fn_name, host, grid, threads, fill)
        for uses, buffer in zip(users, outs, strict=True):
            load = memref.LoadOp.get(buffer, [])
            load.res.name_hint = next((u.operands[k].name_hint for u, k in uses), None)
            release = memref.DeallocOp.get(buffer)
            host.rewriter.insert_op([load, release], InsertPoint.after(after))
            after = release
            for user, k in uses:  # the host's uses (the kernel stores the value)
                user.operands = [load.res if n == k else v for n, v in enumerate(user.operands)]

    def _whole_reduction(self, fn_name: str, loop: scf.ForOp, red: Reduction) -> None:
        """Two kernels for a nest reducing into one element: every block's partial value
        (the nest's iterations numbered and shared out over the grid), then one block
        combining them into the element."""
        host = _Host(loop)
        one, block = host.const(1), host.const(self.block_size)
        total = host.trips(red.loops[0], "trips")
        for inner in red.loops[1:]:
            total = host.op(arith.MuliOp(total, host.trips(inner, "trips")), "total")
        grid = host.clamp(host.ceil_div(total, block), self.max_blocks, "grid_x")
        alloc = memref.AllocOp.get(red.type, shape=[DYNAMIC_INDEX], dynamic_sizes=[grid])
        partials = host.op(alloc, "partials")
        grids = ((grid, one), (one, one))
        for g, build in zip(grids, (build_partials, build_total), strict=True):
            fill = partial(build, red=red, partials=partials)
            self._launch(fn_name, host, g, (block, one), fill, block_level=True)
        host.rewriter.insert_op(memref.DeallocOp.get(partials), host.at)
        loop.detach()
        loop.erase()

    def _launch(
        self,
        fn_name: str,
        host: _Host,
        grid: tuple[SSAValue, SSAValue],
        threads: tuple[SSAValue, SSAValue],
        fill: Callable[[Block], None],
        block_level: bool = False,
    ) -> gpu.LaunchFuncOp:
        """A new kernel whose code ``fill`` writes (with the host's values), launched at
        ``host``'s place: the constants and globals it reads are copied into it, every other
        value from outside is an argument, in order of first use."""
        body = Block()
        fill(body)
        body.add_op(gpu.ReturnOp([]))
        args: list[SSAValue] = []
        mapping: dict[SSAValue, SSAValue] = {}
        first = body.first_op
        for v in _free_values(body):
            owner = v.owner
            if isinstance(owner, arith.ConstantOp | memref.GetGlobalOp):
                clone = owner.clone()
                body.insert_op_before(clone, first)
                mapping[v] = clone.results[0]
            else:
                arg = body.insert_arg(v.type, len(args))
                arg.name_hint = v.name_hint  # the host's names, where it has them
                mapping[v] = arg
                args.append(v)
        for inner in body.walk():
            inner.operands = [mapping.get(v, v) for v in inner.operands]
        name = f"{fn_name}_k{self.count}"
        self.count += 1
        kernel = gpu.FuncOp(name, ([v.type for v in args], []), Region(body), kernel=True)
        if block_level:
            kernel.attributes[BLOCK_LEVEL] = UnitAttr()
        self.block.add_op(kernel)
        one = host.const(1)
        launch = gpu.LaunchFuncOp(
            SymbolRefAttr(KERNEL_MODULE, [StringAttr(name)]),
            [*grid, one],
            [*threads, one],
            kernelOperands=args,
        )
        host.rewriter.insert_op(launch, host.at)
        return launch

    def _grid(
        self, host: _Host, loop: scf.ForOp
    ) -> tuple[tuple[SSAValue, SSAValue], tuple[SSAValue, SSAValue]]:
        """The launch's grid and block sizes (x, y) for the parallel ``loop`` (step 1):
        ``block`` threads, the trip count over ``block`` blocks (at least 1, at most
        ``max_blocks``)."""
        block = host.const(self.block_size)
        trips = host.trips(loop, "trips")
        grid = host.clamp(host.ceil_div(trips, block), self.max_blocks, "grid_x")
        return (grid, host.const(1)), (block, host.const(1))

    def _grid_2d(
        self, host: _Host, loop: scf.ForOp, inner: scf.ForOp
    ) -> tuple[tuple[SSAValue, SSAValue], tuple[SSAValue, SSAValue]]:
        """Rows (``loop``) over y, columns (``inner``) over x: a block is ``bx`` columns (the
        row's length rounded up to a warp, at most ``block``) by ``block / bx`` rows; the
        grid covers the columns (at most ``max_blocks`` blocks) and the rows (at most
        65535)."""
        warp, block = host.const(32), host.const(self.block_size)
        rows, columns = host.trips(loop, "rows"), host.trips(inner, "columns")
        width = host.op(arith.MuliOp(host.ceil_div(columns, warp), warp))
        bx = host.op(arith.MinSIOp(host.op(arith.MaxSIOp(width, warp)), block), "block_x")
        by = host.op(arith.DivUIOp(block, bx), "block_y")
        gx = host.clamp(host.ceil_div(columns, bx), self.max_blocks, "grid_x")
        gy = host.clamp(host.ceil_div(rows, by), MAX_GRID_Y, "grid_y")
        return (gx, gy), (bx, by)


MAX_GRID_Y = 65535
"""CUDA's largest grid along y."""


class _Host:
    """Builds host arithmetic before a loop, each constant made once."""

    def __init__(self, loop: Operation):
        self.rewriter = Rewriter()
        after = loop.next_op  # a loop is never its block's terminator
        assert after is not None
        self.at = InsertPoint.before(after)  # stays put when the loop moves into a kernel
        self.consts: dict[int, SSAValue] = {}

    def op(self, op: Operation, name: str | None = None) -> SSAValue:
        self.rewriter.insert_op(op, self.at)
        if name is not None:
            op.results[0].name_hint = name
        return op.results[0]

    def const(self, value: int) -> SSAValue:
        if value not in self.consts:
            self.consts[value] = self.op(_index(value))
        return self.consts[value]

    def trips(self, loop: scf.ForOp, name: str) -> SSAValue:
        """``max(ub - lb, 0)``: the trip count of a loop of step 1."""
        span = self.op(arith.SubiOp(loop.ub, loop.lb))
        return self.op(arith.MaxSIOp(span, self.const(0)), name)

    def ceil_div(self, n: SSAValue, d: SSAValue) -> SSAValue:
        """``(n + d - 1) / d`` for ``0 <= n < 2**63`` and ``d > 0``: the sum stays below
        2**64, so unsigned division is exact."""
        total = self.op(arith.AddiOp(n, self.op(arith.SubiOp(d, self.const(1)))))
        return self.op(arith.DivUIOp(total, d))

    def clamp(self, n: SSAValue, most: int, name: str) -> SSAValue:
        """``min(max(n, 1), most)``: a grid has at least one block."""
        low = self.op(arith.MaxSIOp(n, self.const(1)))
        return self.op(arith.MinSIOp(low, self.const(most)), name)


def _inner_parallel(loop: scf.ForOp) -> scf.ForOp | None:
    """The loop of a parallel ``loop``'s body whose iterations are independent too (an
    elementwise kernel's columns), when the body is that loop and pure scalar ops, and its
    bounds are defined outside ``loop``: then rows and columns both go to threads."""
    inner: scf.ForOp | None = None
    for op in loop.body.block.ops:
        if isinstance(op, scf.ForOp):
            if inner is not None:
                return None
            inner = op
        elif not (op.name.startswith(KERNEL_DIALECTS) or op.name in ("memref.dim", "scf.yield")):
            return None
    if inner is None or inner.iter_args or why_serial(inner) is not None:
        return None
    if inside(inner.lb, loop) or inside(inner.ub, loop):
        return None
    return inner


def _strided(body: Block, dim: str, loop: scf.ForOp) -> tuple[SSAValue, SSAValue]:
    """In ``body``: the first iteration of ``loop`` that this thread runs along ``dim`` and
    its stride, ``lb + (block_id * block_dim + thread_id) * step`` and ``block_dim *
    grid_dim * step`` (a grid-stride loop: any grid covers any trip count)."""
    d = gpu.DimensionAttr(gpu.DimensionEnum.X if dim == "x" else gpu.DimensionEnum.Y)
    tid, bid = gpu.ThreadIdOp(d), gpu.BlockIdOp(d)
    bdim, gdim = gpu.BlockDimOp(d), gpu.GridDimOp(d)
    step, lb = loop.step, loop.lb
    base = arith.MuliOp(bid, bdim)
    gid = arith.AddiOp(base, tid)
    offset = arith.MuliOp(gid, step)
    start = arith.AddiOp(lb, offset)
    threads = arith.MuliOp(bdim, gdim)
    stride = arith.MuliOp(threads, step)
    ops = (tid, bid, bdim, gdim, base, gid, offset, start, threads, stride)
    names = ("tid", "bid", "bdim", "gdim", "", "gid", "", "first", "threads", "stride")
    for op, hint in zip(ops, names, strict=True):
        op.results[0].name_hint = f"{hint}_{dim}" if hint and dim == "y" else hint or None
        body.add_op(op)
    return start.result, stride.result


def _replace_loop(
    loop: scf.ForOp, start: SSAValue, stride: SSAValue, into: Block | None = None
) -> None:
    """``loop`` as ``scf.for %i = start to ub step stride`` with the same body, at the end of
    ``into`` (else where ``loop`` is); ``loop`` is erased."""
    region = loop.detach_region(loop.body)
    new = scf.ForOp(start, loop.ub, stride, [], region)
    if into is not None:
        into.add_op(new)
    else:
        parent = loop.parent_block()
        assert parent is not None
        parent.insert_op_before(new, loop)
    loop.detach()
    loop.erase()


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
            if callee.startswith(BLAS_PREFIX):
                continue  # the host calls the device's BLAS on device buffers
            raise PassFailedException(
                f"tir-gpu-kernels: @{fn_name} calls @{callee}: a function for the GPU calls "
                "only the device's BLAS (run the cuda pipeline, without "
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
    block_kernels: bool = True

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if any(isinstance(inner, gpu.ModuleOp) for inner in op.ops):
            return  # already done
        body = Block()
        kernels = _Kernels(op, body, self.block, self.max_blocks, self.block_kernels)
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
