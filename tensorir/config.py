"""Configuration, as Theano users know it: ``config.floatX``, ``config.mode``, ``config.device``.

Values come from the ``TENSORIR_FLAGS`` environment variable
(``"floatX=float32,mode=FAST_COMPILE"``) and can be changed in code
(``tensorir.config.floatX = "float32"``).
"""

from __future__ import annotations

import os

_CHOICES: dict[str, tuple[str, ...]] = {
    "floatX": ("float64", "float32"),
    "mode": ("FAST_RUN", "FAST_COMPILE", "DebugMode", "DEBUG_MODE", "NanGuardMode"),
    "device": ("cpu", "cuda"),
}


class Config:
    floatX: str = "float64"  # noqa: N815 (Theano's name)
    mode: str = "FAST_RUN"
    device: str = "cpu"

    def __setattr__(self, key: str, value: str) -> None:
        if key not in _CHOICES:
            raise AttributeError(f"config has no option {key!r}; options: {', '.join(_CHOICES)}")
        if value not in _CHOICES[key]:
            raise ValueError(
                f"config.{key} must be one of {', '.join(_CHOICES[key])}, got {value!r}"
            )
        object.__setattr__(self, key, value)

    def __repr__(self) -> str:
        return "Config(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in _CHOICES) + ")"


def apply_flags(cfg: Config, flags: str) -> None:
    """Set options from ``"key=value,key=value"`` (the ``TENSORIR_FLAGS`` syntax)."""
    for item in filter(None, (s.strip() for s in flags.split(","))):
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"TENSORIR_FLAGS: expected key=value, got {item!r}")
        setattr(cfg, key.strip(), value.strip())


config = Config()
apply_flags(config, os.environ.get("TENSORIR_FLAGS", ""))
