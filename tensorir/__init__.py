"""tensorir: Theano programs compiled through an MLIR-style multi-level IR to machine code.

``tensorir.function([a, b], a + b)`` compiles; see README.md. The compiler (xDSL) is imported
on first use, so ``tensorir.runtime`` loads alone for embedding.
"""

from __future__ import annotations

from typing import Any

from tensorir.config import config

__version__ = "0.1.0"
__all__ = ["config", "function", "tensor"]


def __getattr__(name: str) -> Any:
    if name == "function":
        from tensorir.frontend.function import function

        return function
    if name == "tensor":
        import tensorir.tensor as tensor_module

        return tensor_module
    raise AttributeError(f"module 'tensorir' has no attribute {name!r}")
