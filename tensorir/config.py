"""Configuration, as Theano users know it: ``config.floatX``, ``config.mode``, ``config.device``,
and ``config.threads``.

Values come from the ``TENSORIR_FLAGS`` environment variable
(``"floatX=float32,mode=FAST_COMPILE"``) and can be changed in code
(``tensorir.config.floatX = "float32"``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Option:
    """One setting: its default, what it means, and the values it takes (``choices`` for a
    name; any text when the default is text and there are no choices; else an integer of at
    least ``minimum``)."""

    default: str | int
    doc: str
    choices: tuple[str, ...] = ()
    minimum: int = 0
    aliases: tuple[tuple[str, str], ...] = ()  # other spellings of a choice

    def check(self, key: str, value: object) -> str | int:
        value = dict(self.aliases).get(value, value)  # type: ignore[call-overload]
        if self.choices:
            if value not in self.choices:
                raise ValueError(
                    f"config.{key} must be one of {', '.join(self.choices)}, got {value!r}"
                )
            return value  # type: ignore[return-value]
        if isinstance(self.default, str):
            return str(value)
        try:
            number = int(value) if isinstance(value, (int, str)) and value != "" else None
        except ValueError:
            number = None
        if isinstance(value, bool) or number is None or number < self.minimum:
            raise ValueError(f"config.{key} must be an integer >= {self.minimum}, got {value!r}")
        return number


OPTIONS: dict[str, Option] = {
    "floatX": Option("float64", "dtype of float variables and constants", ("float64", "float32")),
    "mode": Option(
        "FAST_RUN",
        "default compilation mode",
        ("FAST_RUN", "FAST_COMPILE", "DebugMode", "DEBUG_MODE", "NanGuardMode"),
    ),
    "device": Option(
        "cpu",
        "where functions run (Theano's 'gpu', 'cuda0' and 'gpu0' are 'cuda')",
        ("cpu", "cuda"),
        aliases=(("gpu", "cuda"), ("cuda0", "cuda"), ("gpu0", "cuda")),
    ),
    "cuda_backend": Option(
        "driver",
        "how device=cuda runs: 'driver', on an NVIDIA GPU through cuda-python; 'emulator', "
        "the same host code and kernels on the CPU (every GPU thread in turn), for testing",
        ("driver", "emulator"),
    ),
    "cuda_dot": Option(
        "cublas",
        "how device=cuda computes dot: 'cublas', through cuBLAS where the backend has it (the "
        "nvidia-cublas wheel; the emulator uses the CPU's BLAS), else kernels; 'kernels', "
        "always the compiler's own kernels",
        ("cublas", "kernels"),
    ),
    "cache": Option(
        "on",
        "the on-disk compile cache: 'on' (compiled functions' code kept in cache_dir and "
        "loaded again by any process), 'off'",
        ("on", "off"),
    ),
    "cache_dir": Option(
        "",
        "the compile cache's directory (private to the user); empty: "
        "$XDG_CACHE_HOME/tensorir, else ~/.cache/tensorir",
    ),
    "log_compiles": Option(
        0, "1: say on stderr, for each compile, whether the cache had it and, if not, why"
    ),
    "debug": Option(
        0,
        "1: print each compiled function and its compile times; 2: also verify and print the "
        "IR after every pass; 3: also the LLVM IR before and after optimisation (every level "
        "compiles in full: the compile cache is written, never read)",
        minimum=0,
    ),
    "math": Option(
        "vector",
        "elementary functions (exp, log, sin, tanh, erf, pow, ...): 'vector', tensorir's own, "
        "within 4 ulp, which loops vectorize; 'libm', the C library's, one call per element",
        ("vector", "libm"),
    ),
    "llvm_opt_in_process": Option(
        64,
        "LLVM optimisations this process runs itself before handing them to a helper process "
        "(each leaves ~80 KB of native memory in llvmlite); 0: always the helper, -1: never",
        minimum=-1,
    ),
    "threads": Option(
        _cores(),
        "threads that run the outermost parallel loops of large kernels (the caller's and a "
        "pool's, started on first use); 1: no pool. Default: the cores this process may use",
        minimum=1,
    ),
}

_watchers: dict[str, list[Callable[[object], None]]] = {}


def on_change(key: str, watcher: Callable[[object], None]) -> None:
    """Call ``watcher(value)`` after each change of option ``key`` (the runtime's thread pool
    follows ``threads`` so)."""
    _watchers.setdefault(key, []).append(watcher)


class Config:
    floatX: str = "float64"  # noqa: N815 (Theano's name)
    mode: str = "FAST_RUN"
    device: str = "cpu"
    cuda_backend: str = "driver"
    cuda_dot: str = "cublas"
    cache: str = "on"
    cache_dir: str = ""
    log_compiles: int = 0
    debug: int = 0
    math: str = "vector"
    llvm_opt_in_process: int = 64
    threads: int = OPTIONS["threads"].default  # type: ignore[assignment]

    def __setattr__(self, key: str, value: object) -> None:
        if key not in OPTIONS:
            raise AttributeError(f"config has no option {key!r}; options: {', '.join(OPTIONS)}")
        checked = OPTIONS[key].check(key, value)
        object.__setattr__(self, key, checked)
        for watcher in _watchers.get(key, ()):
            watcher(checked)

    def __repr__(self) -> str:
        return "Config(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in OPTIONS) + ")"


def apply_flags(cfg: Config, flags: str) -> None:
    """Set options from ``"key=value,key=value"`` (the ``TENSORIR_FLAGS`` syntax)."""
    for item in filter(None, (s.strip() for s in flags.split(","))):
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"TENSORIR_FLAGS: expected key=value, got {item!r}")
        setattr(cfg, key.strip(), value.strip())


config = Config()
if "TENSORIR_DEBUG" in os.environ:  # the older spelling of TENSORIR_FLAGS=debug=N
    config.debug = os.environ["TENSORIR_DEBUG"]
apply_flags(config, os.environ.get("TENSORIR_FLAGS", ""))
