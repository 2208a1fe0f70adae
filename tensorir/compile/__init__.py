"""Compilation modes, as Theano's ``theano.compile``: ``Mode``, ``get_mode``, the checking
modes ``NanGuardMode`` (``tensorir.compile.nanguardmode``) and ``DebugMode``
(``tensorir.compile.debugmode``)."""

from __future__ import annotations

from tensorir.compile.debugmode import DebugMode
from tensorir.compile.mode import FAST_COMPILE, FAST_RUN, Mode, get_mode
from tensorir.compile.nanguardmode import NanGuardMode

__all__ = ["FAST_COMPILE", "FAST_RUN", "DebugMode", "Mode", "NanGuardMode", "get_mode"]
