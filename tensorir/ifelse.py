"""``tensorir.ifelse``: Theano's ``theano.ifelse`` (``ifelse``, lazy: only the branch taken is
computed; ``IfElse``, its op)."""

from __future__ import annotations

from tensorir.frontend.ifelse import IfElse, ifelse

__all__ = ["IfElse", "ifelse"]
