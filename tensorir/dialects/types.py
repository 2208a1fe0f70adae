"""Theano's type system on top of xDSL's builtin types.

A Theano type is a dtype and a broadcastable pattern. In IR it is a ranked ``tensor`` whose
broadcastable dims are the static size 1 and whose other dims are dynamic (``?``):
``row`` of float64 is ``tensor<1x?xf64>``. These functions are the one place where dtype
names, element types and the promotion rules meet.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    ComplexType,
    Float32Type,
    Float64Type,
    IntegerType,
    MemRefType,
    TensorType,
    f32,
    f64,
    i1,
    i8,
    i16,
    i32,
    i64,
)
from xdsl.ir import Attribute

DTYPES: tuple[str, ...] = (
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "float32",
    "float64",
    "complex64",
    "complex128",
)

_ELEMENT_TYPES: dict[str, Attribute] = {
    "bool": i1,
    "int8": i8,
    "int16": i16,
    "int32": i32,
    "int64": i64,
    "float32": f32,
    "float64": f64,
    "complex64": ComplexType(f32),
    "complex128": ComplexType(f64),
}


def element_type(dtype: str) -> Attribute:
    """The xDSL element type of a dtype name (``"float64"`` -> ``f64``)."""
    try:
        return _ELEMENT_TYPES[dtype]
    except KeyError:
        raise TypeError(
            f"unsupported dtype {dtype!r}; tensorir supports {', '.join(DTYPES)}"
        ) from None


def dtype_of(elem: Attribute) -> str:
    """The dtype name of an xDSL element type (``f64`` -> ``"float64"``)."""
    for name, t in _ELEMENT_TYPES.items():
        if t == elem:
            return name
    raise TypeError(f"element type {elem} has no tensorir dtype")


def is_float(dtype: str) -> bool:
    return dtype in ("float32", "float64")


def is_complex(dtype: str) -> bool:
    return dtype in ("complex64", "complex128")


def is_int(dtype: str) -> bool:
    return dtype in ("int8", "int16", "int32", "int64")


def is_float_elem(elem: Attribute) -> bool:
    return isinstance(elem, Float32Type | Float64Type)


def is_int_elem(elem: Attribute) -> bool:
    return isinstance(elem, IntegerType)


def tensor_type(dtype: str, broadcastable: Sequence[bool]) -> TensorType:
    """``tensor_type("float64", (True, False))`` is ``tensor<1x?xf64>``."""
    return TensorType(element_type(dtype), [1 if b else DYNAMIC_INDEX for b in broadcastable])


def broadcastable_of(t: TensorType | MemRefType) -> tuple[bool, ...]:
    return tuple(d == 1 for d in t.get_shape())


def upcast(*dtypes: str) -> str:
    """Theano's (and numpy's) dtype promotion: float32 with float64 gives float64."""
    out = np.result_type(*[np.dtype(d) for d in dtypes])
    return out.name


def broadcast_pattern(*patterns: Sequence[bool]) -> tuple[bool, ...]:
    """Elementwise result pattern: a dim broadcasts only where every operand's does."""
    ndim = len(patterns[0])
    return tuple(all(p[i] for p in patterns) for i in range(ndim))
