"""tensorir: Theano programs compiled through an MLIR-style multi-level IR to machine code.

``tensorir.function([a, b], a + b)`` compiles; see README.md.
"""

from __future__ import annotations

from tensorir import tensor
from tensorir.config import config
from tensorir.frontend.function import function

__version__ = "0.1.0"
__all__ = ["config", "function", "tensor"]
