"""``tir-scan-last`` (L1 -> L1): a scan's last row read from its final state (Theano's
memory-saving rewrite of scan).

A Theano program that wants the result of a loop takes the last row of the stacked output:
``result[-1]`` (``reduce``, ``foldl`` and ``foldr`` do it for you). When the stacked value is
also a state's next value, that row is the state after the last step, which the loop keeps
anyway: the read becomes the final state, and a stacked result that nothing else reads is then
not computed (``tir-bufferize`` allocates no rows for it), so the loop needs memory for its
states only, not for every step::

    %h, %hs, %ys = tir.scan %n init(%h0 ...) { ... tir.scan_yield %h1, %h1 }
    %last = tir.subtensor %ys[%minus_one] {kinds = array<i64: -1>}

becomes ``%h``, after a check that the loop ran at least once (``ys[-1]`` of no rows raises
IndexError, as numpy does; the check keeps that).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func
from xdsl.dialects import tensor as xtensor
from xdsl.dialects.builtin import ModuleOp, i64
from xdsl.ir import OpResult
from xdsl.passes import ModulePass

from tensorir.dialects import tir


def _is_minus_one(v: object) -> bool:
    owner = getattr(v, "owner", None)
    if not isinstance(owner, tir.ConstantOp):
        return False
    values = owner.value.get_values()
    return len(values) == 1 and not owner.value.get_type().get_shape() and values[0] == -1


def last_row(op: tir.SubtensorOp) -> bool:
    """Rewrite ``op`` if it reads the last row of a scan's stacked state; whether it did."""
    ys = op.input
    if op.get_kinds() != (-1,) or not _is_minus_one(op.bounds[0]):
        return False
    scan = ys.owner
    if not isinstance(scan, tir.ScanOp) or not isinstance(ys, OpResult):
        return False
    k = len(scan.inits)
    j = ys.index - 2 * k
    if j < 0:
        return False
    nexts, stacked = scan.yielded()
    if stacked[j] not in nexts:
        return False
    final = scan.finals[nexts.index(stacked[j])]
    if final.type != op.result.type:
        return False
    block = op.parent_block()
    assert block is not None
    n = xtensor.ExtractOp(scan.n, [], i64)
    zero = arith.ConstantOp.from_int_and_width(0, i64)
    ran = arith.CmpiOp(n, zero, "sgt")
    check = tir.CheckOp(
        ran,
        "IndexError",
        f"index -1 is out of bounds for axis 0 with size {{0}}{tir.built_at(op)}",
        [n.results[0]],
    )
    if "loc" in op.attributes:
        check.attributes["loc"] = op.attributes["loc"]
    for new in (n, zero, ran, check):
        block.insert_op_before(new, op)
    if op.result.name_hint and not final.name_hint:
        final.name_hint = op.result.name_hint
    op.result.replace_all_uses_with(final)
    op.detach()
    op.erase()
    return True


@dataclass(frozen=True)
class ScanLast(ModulePass):
    """Read the last row of a scan's stacked state from its final state."""

    name = "tir-scan-last"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for fn in op.ops:
            if isinstance(fn, func.FuncOp) and not fn.is_declaration:
                for inner in list(fn.walk()):
                    if isinstance(inner, tir.SubtensorOp):
                        last_row(inner)
