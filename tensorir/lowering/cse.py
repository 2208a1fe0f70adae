"""``tir-cse`` (L1 -> L1): common subexpression elimination in one walk.

Gradient graphs repeat themselves: every rule makes its own constants and dimshuffles, and
some recompute a forward value (``cos(x)`` for ``sin``'s gradient). Two side-effect-free ops
(the ``Pure`` trait, no regions) with the same name, operands, properties and result types
compute the same value; the later one is replaced by the earlier. A ``tir.map`` body sees the
values above it, so its ops are matched against those first (a ``tir.scan`` step, isolated
from above, only against its own).

xDSL's ``cse`` does the same in general (any region structure, equivalent attributes) at
about a millisecond per op; this pass keys each op by a tuple and a dict, so a gradient of a
few hundred ops costs a few milliseconds. Discardable attributes (the user's line, ``loc``)
are not part of the key: the first op keeps its own.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Operation
from xdsl.passes import ModulePass
from xdsl.traits import IsolatedFromAbove, Pure


def _key(op: Operation) -> Hashable | None:
    if op.regions or not op.results or not op.has_trait(Pure):
        return None
    props = tuple(sorted(op.properties.items()))
    return (op.name, tuple(op.operands), props, tuple(r.type for r in op.results))


def cse_block(block: Block, seen: dict[Hashable, Operation]) -> None:
    """Replace each op of ``block`` that repeats one in ``seen`` (which it extends)."""
    for op in list(block.ops):
        for region in op.regions:
            for inner in region.blocks:  # an isolated region (a scan's step) sees nothing above
                cse_block(inner, {} if op.has_trait(IsolatedFromAbove) else dict(seen))
        key = _key(op)
        if key is None:
            continue
        first = seen.get(key)
        if first is None:
            seen[key] = op
            continue
        for old, new in zip(op.results, first.results, strict=True):
            if old.name_hint and not new.name_hint:
                new.name_hint = old.name_hint
            old.replace_all_uses_with(new)
        op.detach()
        op.erase()


@dataclass(frozen=True)
class CommonSubexpressions(ModulePass):
    """Merge repeated side-effect-free ops."""

    name = "tir-cse"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for fn in op.ops:
            for region in fn.regions:
                for block in region.blocks:
                    cse_block(block, {})
