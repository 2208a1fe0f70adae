"""``NanGuardMode``: stop at the first computation that produces a NaN, an infinity or a big
value, as Theano's ``theano.compile.nanguardmode.NanGuardMode``.

The mode adds the ``tir-nan-guard`` pass at the end of the ``adjoint`` level: every float
input and every float result of every op is checked right after it is computed, and the
first finding raises AssertionError naming the op, its operands' dtypes and shapes and the
user's line that built it. Fusion splits where a guard reads a value, so that each op can be
named; a call that raises changes no shared variable.
"""

from __future__ import annotations

import dataclasses

from tensorir.compile.mode import Mode
from tensorir.lowering.nan_guard import NanGuard
from tensorir.lowering.pipelines import Plan


class NanGuardMode(Mode):
    """``nan_is_error``, ``inf_is_error``, ``big_is_error`` (an element of magnitude above
    1e10): which findings raise; None is True, Theano's default."""

    def __init__(
        self,
        nan_is_error: bool | None = None,
        inf_is_error: bool | None = None,
        big_is_error: bool | None = None,
        optimizer: str | None = "default",
        linker: str | None = None,
    ):
        super().__init__(linker, optimizer)
        self.nan_is_error = True if nan_is_error is None else bool(nan_is_error)
        self.inf_is_error = True if inf_is_error is None else bool(inf_is_error)
        self.big_is_error = True if big_is_error is None else bool(big_is_error)
        if not (self.nan_is_error or self.inf_is_error or self.big_is_error):
            raise ValueError(
                "NanGuardMode: nan_is_error, inf_is_error and big_is_error are all False, so "
                "there is nothing to check; use another mode"
            )

    def plan(self) -> Plan:
        base = super().plan()
        guard = NanGuard(self.nan_is_error, self.inf_is_error, self.big_is_error)
        return dataclasses.replace(base, extra=(*base.extra, ("adjoint", guard)))
