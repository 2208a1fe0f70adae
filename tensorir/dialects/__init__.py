"""The project's xDSL dialects. ``context()`` gives an xDSL context that knows them and the
upstream dialects the lowering uses."""

from __future__ import annotations

from xdsl.context import Context


def context() -> Context:
    from xdsl.dialects import get_all_dialects

    from tensorir.dialects.arith_ext import ARITH_EXTRA_OPS
    from tensorir.dialects.tir import TIR

    ctx = Context()
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    ctx.load_dialect(TIR)
    for op in ARITH_EXTRA_OPS:
        ctx.load_op(op)
    return ctx
