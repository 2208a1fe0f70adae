"""``tir-log-softmax`` (L1 -> L1): ``log(softmax(x))`` becomes ``log_softmax(x)``.

``softmax`` underflows to 0 for inputs far below the row's maximum, and ``log(0)`` is
``-inf``; ``log_softmax`` computes ``x - max - log(sum(exp(x - max)))`` instead, finite for
every finite input, and its gradient (``g - exp(lsm) * sum(g)``) is cheaper. The rewrite runs
before ``tir-autodiff``, so gradients of the tutorials' negative log-likelihood
``-mean(log(softmax(x))[arange(n), y])`` go through the stable form. A softmax with other
users stays for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from tensorir.dialects import tir


@dataclass(frozen=True)
class LogSoftmaxRewrite(ModulePass):
    """Rewrite ``tir.log(tir.softmax(x))`` into ``tir.log_softmax(x)``."""

    name = "tir-log-softmax"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for log in [o for o in op.walk() if isinstance(o, tir.LogOp)]:
            softmax = log.input.owner
            if not isinstance(softmax, tir.SoftmaxOp):
                continue
            new = tir.LogSoftmaxOp(softmax.input, softmax.get_axis())
            for key in ("loc",):
                if key in log.attributes:
                    new.attributes[key] = log.attributes[key]
            block = log.parent_block()
            assert block is not None
            block.insert_op_before(new, log)
            new.result.name_hint = log.result.name_hint
            log.result.replace_all_uses_with(new.result)
            log.detach()
            log.erase()
            if not softmax.result.uses:
                softmax.detach()
                softmax.erase()
