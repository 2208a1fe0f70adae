"""``tir-parallel-loops`` (L4 -> L4): mark the outermost loops whose iterations are independent.

A loop marked ``{tir.parallel}`` may run its iterations in any order, on several threads at
once (the LLVM emitter outlines its body and hands large ones to the thread pool,
``runtime/threads.py``)::

    scf.for %i = %c0 to %n step %c1 {
      %v = memref.load %x[%i, %j] ...
      memref.store %w, %out[%i, %j] ...
    } {tir.parallel}

The pass reads the loop's code, not where it came from, so kernels of ``convert-linalg-to-loops``
(a generic whose first iterator is parallel), of ``tir-to-loops`` and of the later loop passes
are judged alike. An outermost ``scf.for`` (not inside another loop) is marked when:

- it has step 1 and carries no value from one iteration to the next (no ``iter_args``);
- its body (nested loops and ``scf.if``s included) holds only ``arith``, ``math`` and
  ``complex`` ops, ``memref.load``/``store``/``dim``/``get_global``, stack slots
  (``memref.alloca``: each iteration's own), ``scf`` control flow and run-time checks
  (``tir.check``): no call (BLAS keeps its own threads and runs outside parallel regions), no
  allocation or free (a heap buffer whose lifetime crosses iterations), no view made inside
  the loop;
- a loop with a check writes only buffers of the function's own (allocations, stack slots):
  it may run iterations past the first failing one before the failure is raised (the emitter
  raises the check of the first failing iteration, as the serial loop would), and a buffer
  the caller holds (an argument, a global) must be left as it was by a failed call;
- every buffer it stores into (other than its own stack slots) is reached through a known
  root (a function argument, an allocation, a stack slot or global of the function, through
  views), and every load or store of that root in the loop goes through the same value with
  ``%i`` at one place of the index, the same for all of them (``[%i, ...]``: iteration ``i``
  touches only row ``i`` of what it writes, and no other iteration reads that row; or column
  ``i``, ``[%j, %i]``). Buffers only read may be read anywhere; a buffer whose root is unknown
  may not be read when the loop writes anything.

Distinct roots never overlap: allocations are fresh, and an argument the code writes shares
no byte with any other argument (the runtime copies what overlaps, see ``tensorir.abi``).

A loop already marked that the pass cannot prove parallel is an error naming the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, UnitAttr
from xdsl.ir import Block, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from tensorir.abi import PARALLEL_ATTR
from tensorir.lowering.loop_ir import inside, root, walk

_PURE_DIALECTS = ("arith", "math", "complex")
"""Ops whose memref result is (a view of) their first operand's memory."""
_ALLOWED = (
    memref.LoadOp,
    memref.StoreOp,
    memref.DimOp,
    memref.AllocaOp,
    memref.GetGlobalOp,
    scf.ForOp,
    scf.IfOp,
    scf.YieldOp,
)


def step_is_one(loop: scf.ForOp) -> bool:
    step = loop.step.owner
    return (
        isinstance(step, arith.ConstantOp)
        and isinstance(step.value, IntegerAttr)
        and step.value.value.data == 1
    )


@dataclass
class _Access:
    value: SSAValue
    indices: list[SSAValue]
    store: bool


def why_serial(loop: scf.ForOp) -> str | None:
    """Why the iterations of ``loop`` may not run in parallel; None when they may."""
    if loop.results or loop.iter_args:
        return "it carries values from one iteration to the next"
    if not step_is_one(loop):
        return "its step is not the constant 1"
    iv = loop.body.block.args[0]
    return _conflicts(loop, lambda v: owned(v, iv), checks_allowed=True)


def owned(v: SSAValue, iv: SSAValue) -> bool:
    """Whether index ``v`` is the loop variable ``iv``: distinct iterations' values never
    meet."""
    return v is iv


def _conflicts(
    loop: scf.ForOp, owned: Callable[[SSAValue], bool], checks_allowed: bool
) -> str | None:
    """Why two iterations of ``loop`` may touch a same element, one of them writing it (or
    its body holds what cannot run in parallel); None if they cannot. An iteration owns the
    elements whose index, at some place fixed per buffer, is a value ``owned`` by it."""
    accesses: list[_Access] = []
    checks = False
    for op in walk(loop.body.block):
        if op.dialect_name() in _PURE_DIALECTS:
            continue
        if op.name == "tir.check" and checks_allowed:
            checks = True
            continue
        if not isinstance(op, _ALLOWED):
            if op.name == "tir.check":
                return "it has a run-time check"
            if isinstance(op, func.CallOp):
                return f"it calls @{op.callee.root_reference.data}"
            if isinstance(op, memref.AllocOp | memref.DeallocOp):
                return f"it has {op.name} (a heap buffer of the iterations)"
            return f"it has {op.name}"
        if isinstance(op, memref.LoadOp):
            accesses.append(_Access(op.memref, list(op.indices), False))
        elif isinstance(op, memref.StoreOp):
            accesses.append(_Access(op.memref, list(op.indices), True))
    roots = {id(a): root(a.value) for a in accesses}

    def private(a: _Access) -> bool:  # a stack slot of the iteration itself
        r = roots[id(a)]
        return isinstance(r, memref.AllocaOp) and inside(r.memref, loop)

    shared = [a for a in accesses if not private(a)]
    written = [a for a in shared if a.store]
    if not written:
        return None
    for a in shared:
        if roots[id(a)] is None:
            verb = "writes" if a.store else "reads"
            return f"it {verb} {_name(a.value)}, a buffer of unknown origin"
    for w in written:
        r = roots[id(w)]
        if checks and isinstance(r, tuple):
            return (
                f"it has a run-time check and writes {_name(w.value)}, which the caller holds "
                "(a failed call must leave it as it was)"
            )
        same = [a for a in shared if _same(roots[id(a)], r)]
        for a in same:
            if a.value is not w.value:
                verb = "writes" if a.store else "reads"
                return (
                    f"it writes {_name(w.value)} and {verb} {_name(a.value)}, which views "
                    "the same memory"
                )
        places = set(range(len(w.indices)))
        for a in same:
            places &= {p for p, v in enumerate(a.indices) if owned(v)}
        if not places:
            return (
                f"it writes {_name(w.value)} and accesses it at indices that do not all hold "
                "the iteration's own index at one place: iterations share elements"
            )
    return None


def _same(a: object, b: object) -> bool:
    return a is b or (isinstance(a, tuple) and a == b)


def _name(v: SSAValue) -> str:
    return f"%{v.name_hint}" if v.name_hint else "a buffer"


def _outermost_loops(block: Block) -> Iterator[scf.ForOp]:
    for op in block.ops:
        if isinstance(op, scf.ForOp):
            yield op
            continue
        for region in op.regions:
            for inner in region.blocks:
                yield from _outermost_loops(inner)


@dataclass(frozen=True)
class ParallelLoops(ModulePass):
    """Mark the outermost loops whose iterations are independent (``{tir.parallel}``).

    The LLVM emitter runs a marked loop's iterations on the thread pool when its work is
    large. A loop already marked that cannot be proven parallel is an error."""

    name = "tir-parallel-loops"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for fn in op.ops:
            if not isinstance(fn, func.FuncOp) or fn.is_declaration:
                continue
            outermost = set()
            for loop in _outermost_loops(fn.body.block):
                outermost.add(id(loop))
                reason = why_serial(loop)
                if reason is None:
                    loop.attributes[PARALLEL_ATTR] = UnitAttr()
                elif PARALLEL_ATTR in loop.attributes:
                    raise PassFailedException(
                        f"@{fn.sym_name.data}: a loop is marked {PARALLEL_ATTR}, but {reason}"
                    )
            for inner in fn.walk():
                if (
                    isinstance(inner, scf.ForOp)
                    and id(inner) not in outermost
                    and PARALLEL_ATTR in inner.attributes
                ):
                    raise PassFailedException(
                        f"@{fn.sym_name.data}: a loop inside another loop is marked "
                        f"{PARALLEL_ATTR}; only outermost loops run in parallel"
                    )
