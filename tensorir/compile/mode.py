"""``Mode``: how ``function`` compiles, as Theano's ``theano.compile.Mode(linker, optimizer)``.

A mode gives the pipeline's ``Plan`` (``tensorir.lowering.pipelines``): the passes it leaves
out or adds and LLVM's optimisation level. A checking mode may also wrap the compiled kernel
(``instrument``), given the function at the ``adjoint`` level. Modes are named as Theano's
(``get_mode``): ``FAST_RUN``, ``FAST_COMPILE``, ``DebugMode`` (``DEBUG_MODE``) and
``NanGuardMode``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xdsl.dialects.builtin import ModuleOp

from tensorir.lowering.pipelines import PLANS, Plan

# Theano's optimizer names, by the pipeline each runs: its fast_compile set (and no
# optimizer at all) is our FAST_COMPILE; everything else is FAST_RUN. The stabilizing
# rewrites run in both.
_OPTIMIZERS = {
    "fast_run": "FAST_RUN",
    "default": "FAST_RUN",
    "stabilize": "FAST_RUN",
    "o2": "FAST_RUN",
    "o3": "FAST_RUN",
    "o4": "FAST_RUN",
    "fast_compile": "FAST_COMPILE",
    "merge": "FAST_COMPILE",
    "o1": "FAST_COMPILE",
    "None": "FAST_COMPILE",
}
_LINKERS = ("cvm", "vm", "c", "py", "c|py", "c|py_nogc", "cvm_nogc", "vm_nogc", None)

Build = Callable[[ModuleOp], Any]
"""Compiles a module at the ``adjoint`` level to a kernel (given to ``Mode.instrument``)."""


class Mode:
    """A compilation mode. ``optimizer``: one of Theano's optimizer names ('fast_run',
    'fast_compile', 'default', None, ...); ``linker`` is accepted for compatibility (tensorir
    has one linker: LLVM)."""

    needs_adjoint = False  # whether ``instrument`` needs the function at the adjoint level

    def __init__(self, linker: str | None = None, optimizer: str | None = "default"):
        key = "None" if optimizer is None else optimizer
        if key not in _OPTIMIZERS:
            raise ValueError(
                f"Mode: unknown optimizer {optimizer!r}; optimizers: "
                f"{', '.join(repr(k) for k in _OPTIMIZERS)}"
            )
        if linker not in _LINKERS:
            raise ValueError(
                f"Mode: unknown linker {linker!r}; linkers: {', '.join(repr(k) for k in _LINKERS)}"
            )
        self.linker = linker
        self.optimizer = optimizer

    @property
    def base(self) -> str:
        """The named pipeline this mode builds on: FAST_RUN or FAST_COMPILE."""
        return _OPTIMIZERS["None" if self.optimizer is None else self.optimizer]

    def plan(self) -> Plan:
        return PLANS[self.base]

    def instrument(self, kernel: Any, adjoint: ModuleOp | None, build: Build) -> Any:
        """The kernel a function of this mode calls: ``kernel`` itself, or a checking
        wrapper (``adjoint`` is the function at the adjoint level when ``needs_adjoint``)."""
        return kernel

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(vars(self).items()))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


FAST_RUN = Mode(optimizer="fast_run")
FAST_COMPILE = Mode(optimizer="fast_compile")


def get_mode(mode: str | Mode | None) -> Mode:
    """The mode named ``mode`` (Theano's names), the mode itself, or for None the configured
    one (``config.mode``)."""
    if isinstance(mode, Mode):
        return mode
    if mode is None:
        from tensorir.config import config

        mode = config.mode
    if mode == "FAST_RUN":
        return FAST_RUN
    if mode == "FAST_COMPILE":
        return FAST_COMPILE
    if mode in ("DebugMode", "DEBUG_MODE"):
        from tensorir.compile.debugmode import DebugMode

        return DebugMode()
    if mode == "NanGuardMode":
        from tensorir.compile.nanguardmode import NanGuardMode

        return NanGuardMode(True, True, True)
    raise ValueError(f"unknown mode {mode!r}; modes: {', '.join(repr(m) for m in MODE_NAMES)}")


MODE_NAMES = ("FAST_RUN", "FAST_COMPILE", "DebugMode", "DEBUG_MODE", "NanGuardMode")
