"""``tir-outline-kernels`` (L4 -> L4): a loop nest written several times becomes one function.

A gradient repeats its kernels: each layer of an MLP has the same bias add, ``tanh``, its
derivative, the bias gradient's column sum and the two SGD updates, on buffers of other
layers. Each copy costs LLVM the same work (vectorising, unrolling, code generation), which
is most of a large function's compile time. This pass finds the outermost loop nests of a
function that are the same code up to the values they read from outside (buffers, sizes,
scalars), moves the first one into a private function whose arguments are those values, and
replaces each of them by a call::

    scf.for %i = %c0 to %n step %c1 {           func.func private @__tensorir_kernel_0(
      ... memref.load %a[%i, %j] ...                %a: memref<?x?xf64>, %n: index, ...) {
    }                                  ->         scf.for ... { ... }   func.return
                                                }
                                                ...
                                                func.call @__tensorir_kernel_0(%a, %n, ...)

The nests are the function's outermost loops, those in the regions of an ``scf.if`` (a
``tir.if``) included: the call takes the nest's place in its region. A nest is outlined
only when it occurs at least twice (a function without repeats is
unchanged), carries no value out (no ``iter_args`` results) and holds only loops, ``scf.if``,
``arith``, ``math`` and ``complex`` ops, loads, stores, ``memref.dim``, stack slots and
views: no run-time check (its id and message are the caller's), no allocation, no call.
Constants it reads are copied into the function (they are part of the code compared); every
other value read from outside is an argument. The buffers passed to one call have distinct
roots (function arguments, allocations, stack slots, globals; views resolved to what they
view), so they never overlap where one is written (an argument the code writes shares no
byte with another, see ``tensorir.abi``): the emitter marks a kernel's pointers ``noalias``
as it does the entry point's, and the loops vectorise as they did inline. A nest whose
buffers share a root, or have no known root, stays where it is.

The same loops run in the same order on the same values: results are bit-identical.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, scf
from xdsl.dialects.builtin import AnyFloat, IndexType, IntegerType, MemRefType, ModuleOp
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass

from tensorir.lowering.loop_ir import root as loop_root

KERNEL_PREFIX = "__tensorir_kernel_"

LARGE = 1000
"""A function of at least this many ops has every loop nest it can outlined, repeated or not:
its own code is then only the glue between kernels (checks, allocations, BLAS and kernel
calls), which the emitter compiles without optimisation."""

KERNEL_OPS = frozenset(
    {
        "scf.for",
        "scf.if",
        "scf.yield",
        "memref.load",
        "memref.store",
        "memref.dim",
        "memref.alloca",
        "memref.cast",
        "memref.get_global",
        "tir.view",
        "tir.reshape",
        "tir.check",
    }
)
KERNEL_DIALECTS = ("arith.", "math.", "complex.")
"""What a kernel may hold: these ops and those of these dialects (here, and in a GPU kernel:
``gpu_kernels.py``)."""


class _NotAKernel(Exception):
    pass


@dataclass
class _Nest:
    """An outermost loop nest: its code up to the values it reads from outside (``key``)
    and those values (``free``, in order of first use)."""

    op: scf.ForOp
    key: tuple
    free: list[SSAValue]
    constants: set[Operation]  # the constants from outside that it reads


def _describe(op: scf.ForOp) -> _Nest | None:
    local: dict[SSAValue, int] = {}
    free: dict[SSAValue, int] = {}
    constants: set[Operation] = set()
    parts: list[Hashable] = []

    def ref(v: SSAValue) -> Hashable:
        if v in local:
            return local[v]
        owner = v.owner
        if isinstance(owner, arith.ConstantOp):
            constants.add(owner)
            return ("const", owner.value)
        if v not in free:
            free[v] = len(free)
        return ("free", free[v])

    def visit(inner: Operation) -> None:
        name = inner.name
        if name not in KERNEL_OPS and not name.startswith(KERNEL_DIALECTS):
            raise _NotAKernel(name)
        props = tuple(sorted(inner.properties.items())) if inner.properties else ()
        attrs = tuple(sorted(inner.attributes.items())) if inner.attributes else ()
        operands = tuple(ref(v) for v in inner.operands)
        parts.append((name, operands, tuple(r.type for r in inner.results), props, attrs))
        for r in inner.results:
            local[r] = len(local)
        for region in inner.regions:
            parts.append(len(region.blocks))
            for block in region.blocks:
                parts.append(tuple(a.type for a in block.args))
                for a in block.args:
                    local[a] = len(local)
                for nested in block.ops:
                    visit(nested)

    if not all(isinstance(r.type, IntegerType | IndexType | AnyFloat) for r in op.results):
        return None  # a kernel returns scalars
    try:
        visit(op)
        hash(tuple(parts))
    except (_NotAKernel, TypeError):  # an op a kernel may not hold, an unhashable attribute
        return None
    values = list(free)
    roots: set[Hashable] = set()
    for v in values:
        if isinstance(v.type, MemRefType):
            root = loop_root(v)
            if root is None or root in roots:
                return None
            roots.add(root)
    parts.append(tuple(v.type for v in values))
    return _Nest(op, tuple(parts), values, constants)


def _outline(
    module: ModuleOp, name: str, nests: list[_Nest], replaced: dict[SSAValue, SSAValue]
) -> None:
    """Move the first nest into a new private function ``name``, then call it in place of
    every nest."""
    for n in nests:  # a value read may be the result of a nest outlined before: its call's
        n.free = [replaced.get(v, v) for v in n.free]
    first = nests[0]
    types = [v.type for v in first.free]
    results = [r.type for r in first.op.results]
    block = Block(arg_types=types)
    module.body.block.add_op(func.FuncOp(name, (types, results), Region(block), "private"))
    calls = [func.CallOp(name, n.free, results) for n in nests]
    for n, call in zip(nests, calls, strict=True):
        parent = n.op.parent_block()
        assert parent is not None
        parent.insert_op_before(call, n.op)
        for old, new in zip(n.op.results, call.results, strict=True):
            old.replace_all_uses_with(new)
            replaced[old] = new
    mapping: dict[SSAValue, SSAValue] = dict(zip(first.free, block.args, strict=True))
    ops = list(first.op.walk())
    inside = set(ops)
    constants = set().union(*(n.constants for n in nests))  # erased below if now unused
    first.op.detach()
    block.add_op(first.op)
    block.add_op(func.ReturnOp(*first.op.results))
    for inner in ops:
        operands = inner.operands
        if not any(v in mapping or _outer_constant(v, inside) for v in operands):
            continue
        new = []
        for v in operands:
            if v not in mapping and _outer_constant(v, inside):
                copy = v.owner.clone()  # type: ignore[union-attr]
                block.insert_op_before(copy, first.op)
                mapping[v] = copy.results[0]
            new.append(mapping.get(v, v))
        inner.operands = new
    for n in nests[1:]:
        n.op.detach()
        n.op.erase()
    for c in constants:
        if not c.results[0].uses:
            c.detach()
            c.erase()


def _outermost_loops(block: Block) -> list[scf.ForOp]:
    """The loops of ``block`` and those in the regions of its ``scf.if``s (at any depth),
    not inside another loop. A nest in a region is called from that region: it still runs
    only when the region does."""
    loops: list[scf.ForOp] = []
    for op in block.ops:
        if isinstance(op, scf.ForOp):
            loops.append(op)
        elif isinstance(op, scf.IfOp):
            for region in op.regions:
                for inner in region.blocks:
                    loops.extend(_outermost_loops(inner))
    return loops


def _function_of(op: Operation) -> Operation | None:
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, func.FuncOp):
        parent = parent.parent_op()
    return parent


def _outer_constant(v: SSAValue, inside: set[Operation]) -> bool:
    return isinstance(v.owner, arith.ConstantOp) and v.owner not in inside


@dataclass(frozen=True)
class OutlineKernels(ModulePass):
    """Outline each loop nest written several times into one function called in its place.

    LLVM then compiles each such kernel once."""

    name = "tir-outline-kernels"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        taken = {f.sym_name.data for f in op.ops if isinstance(f, func.FuncOp)}
        groups: dict[tuple, list[_Nest]] = {}
        large: dict[Operation | None, bool] = {}
        for fn in list(op.ops):
            if not isinstance(fn, func.FuncOp) or fn.is_declaration:
                continue
            if fn.sym_name.data.startswith(KERNEL_PREFIX):
                continue
            large[fn] = sum(1 for _ in fn.walk()) >= LARGE
            for inner in _outermost_loops(fn.body.block):
                nest = _describe(inner)
                if nest is not None:
                    groups.setdefault(nest.key, []).append(nest)
        n = 0
        replaced: dict[SSAValue, SSAValue] = {}
        for nests in groups.values():
            if len(nests) < 2 and not large.get(_function_of(nests[0].op)):
                continue
            while f"{KERNEL_PREFIX}{n}" in taken:
                n += 1
            _outline(op, f"{KERNEL_PREFIX}{n}", nests, replaced)
            taken.add(f"{KERNEL_PREFIX}{n}")
