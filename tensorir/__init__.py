"""tensorir: Theano programs compiled through an MLIR-style multi-level IR to machine code.

``tensorir.function([a, b], a + b)`` compiles; see README.md. The compiler (xDSL) is imported
on first use, so ``tensorir.runtime`` loads alone for embedding.
"""

from __future__ import annotations

from typing import Any

from tensorir.config import config

__version__ = "0.1.0"
__all__ = [
    "Mode",
    "compile",
    "config",
    "foldl",
    "foldr",
    "function",
    "grad",
    "gradient",
    "map",
    "pp",
    "printing",
    "reduce",
    "scan",
    "scan_module",
    "shared",
    "tensor",
    "tensorir",
]


def __getattr__(name: str) -> Any:
    if name == "grad":
        from tensorir.frontend.gradient import grad

        return grad
    if name == "gradient":
        import tensorir.gradient as gradient_module

        return gradient_module
    if name == "tensorir":
        # ``from tensorir import *`` binds ``tensorir`` too, as ``from theano import *`` did
        # (Theano's package imported its own submodules by absolute name), so the tutorials'
        # ``from theano import *`` followed by ``theano.shared(...)`` runs unchanged.
        import sys

        return sys.modules[__name__]
    if name == "ifelse":  # ``theano.ifelse.ifelse`` after a plain ``import theano``
        import tensorir.ifelse as ifelse_module

        return ifelse_module
    if name == "compile":
        import tensorir.compile as compile_module

        return compile_module
    if name == "Mode":
        from tensorir.compile import Mode

        return Mode
    if name == "function":
        from tensorir.frontend.function import function

        return function
    if name == "printing":
        import tensorir.printing as printing_module

        return printing_module
    if name == "pp":  # ``theano.pp(y)``
        from tensorir.printing import pp

        return pp
    if name in ("scan", "map", "reduce", "foldl", "foldr"):  # ``theano.scan``, ...
        import tensorir.frontend.scan as scan_module

        return getattr(scan_module, name)
    if name == "scan_module":
        import tensorir.scan_module as scan_package

        return scan_package
    if name == "shared":
        from tensorir.frontend.shared import shared

        return shared
    if name == "tensor":
        import tensorir.tensor as tensor_module

        return tensor_module
    raise AttributeError(f"module 'tensorir' has no attribute {name!r}")
