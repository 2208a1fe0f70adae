"""Converting call data to an input's type, with Theano's rules (numpy only).

No silent loss of precision unless ``allow_downcast``; Python floats may always become floatX;
the number of dims must match and broadcastable dims must have size 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def _short(data: Any) -> str:
    s = repr(data)
    return s if len(s) <= 80 else s[:75] + "(...)"


def _upcast(a: str, b: str) -> str:
    return np.result_type(np.dtype(a), np.dtype(b)).name


def convert(
    data: Any,
    dtype: str,
    broadcastable: tuple[bool, ...],
    allow_downcast: bool | None,
    float_x: str,
    what: str,
    hint: str = "set allow_input_downcast=True when calling function()",
) -> np.ndarray:
    """``data`` as an array of ``dtype`` with ``len(broadcastable)`` dims; ``what`` names the
    input in errors and ``hint`` says how to allow a downcast."""
    if isinstance(data, np.ndarray) and data.dtype == dtype:
        arr = data
    elif allow_downcast:
        try:
            arr = np.asarray(data, dtype=dtype)
        except (ValueError, TypeError) as e:
            raise TypeError(f"{what}: cannot convert {_short(data)} to {dtype}: {e}") from None
    elif isinstance(data, float | np.floating) and dtype == float_x:
        arr = np.asarray(data, dtype=dtype)
    elif isinstance(data, np.ndarray):
        if data.dtype == object or _upcast(dtype, data.dtype.name) != dtype:
            raise TypeError(
                f"{what} cannot store a value of dtype {data.dtype} without risking loss of "
                f"precision. If you do not mind this loss, you can: 1) explicitly cast your "
                f"data to {dtype}, or 2) {hint}."
            )
        arr = data.astype(dtype)
    else:
        try:
            original = np.asarray(data)
        except (ValueError, TypeError) as e:
            raise TypeError(f"{what}: cannot convert {_short(data)} to {dtype}: {e}") from None
        if original.dtype == object or original.dtype.kind in "USVM":
            raise TypeError(f"{what}: cannot convert {_short(data)} to a {dtype} array")
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                arr = original.astype(dtype)
        except (ValueError, TypeError) as e:
            raise TypeError(f"{what}: cannot convert {_short(data)} to {dtype}: {e}") from None
        if not _lossless(original, arr):
            raise TypeError(
                f"{what} cannot store accurately value {_short(data)}, it would be represented "
                f"as {_short(arr)}. If you do not mind this precision loss, you can: 1) "
                f"explicitly convert your data to a numpy array of dtype {dtype}, or 2) {hint}."
            )
    if arr.ndim != len(broadcastable):
        raise TypeError(
            f"{what}: wrong number of dimensions: expected {len(broadcastable)}, got {arr.ndim} "
            f"with shape {arr.shape}."
        )
    for i, b in enumerate(broadcastable):
        if b and arr.shape[i] != 1:
            raise TypeError(
                f"{what}: non-unit value on shape on a broadcastable dimension: dim {i} of "
                f"shape {arr.shape} must be 1."
            )
    return arr


def _lossless(original: np.ndarray, converted: np.ndarray) -> bool:
    """Whether ``converted`` holds exactly the values of ``original`` (NaN for NaN)."""
    equal = original == converted
    if equal.all():
        return True
    if original.dtype.kind not in "fc":
        return False
    with np.errstate(invalid="ignore"):
        nan = np.isnan(original) & np.isnan(converted)
    return bool((equal | nan).all())


def converter(
    dtype: str,
    broadcastable: tuple[bool, ...],
    allow_downcast: bool | None,
    float_x: str,
    what: str,
) -> Callable[[Any], Any]:
    """A fast converter for one input: exact arrays and Python floats pass untouched."""
    ndim = len(broadcastable)
    npdtype = np.dtype(dtype)
    if ndim == 0:
        exact_py = {"float64": float, "bool": bool, "complex128": complex}.get(dtype)
        if npdtype.kind == "i":
            info = np.iinfo(npdtype)
            low, high = int(info.min), int(info.max)

            def to_int(x: Any) -> Any:  # a Python int in range is exact
                if type(x) is int and low <= x <= high:
                    return x
                return convert(x, dtype, broadcastable, allow_downcast, float_x, what)[()]

            return to_int
        if dtype == "float32":
            f32 = np.float32

            def to_float32(x: Any) -> Any:  # a Python float float32 holds exactly
                if type(x) is float:
                    y = f32(x)
                    if float(y) == x or allow_downcast or float_x == "float32":
                        return y
                return convert(x, dtype, broadcastable, allow_downcast, float_x, what)[()]

            return to_float32

        def to_scalar(x: Any) -> Any:
            if type(x) is exact_py:
                return x
            return convert(x, dtype, broadcastable, allow_downcast, float_x, what)[()]

        return to_scalar

    narrow = npdtype == np.float32 or npdtype == np.complex64

    def to_buffer(x: Any) -> np.ndarray:
        if (
            type(x) is np.ndarray
            and x.dtype == npdtype
            and x.ndim == ndim
            and x.flags.c_contiguous
            and x.flags.aligned
            and not any(broadcastable)
        ):
            return x
        if type(x) is list:  # a list of numbers that the dtype holds exactly: one pass
            try:
                if narrow:  # float32: values beyond its range would warn while casting
                    with np.errstate(over="ignore"):
                        arr = np.asarray(x, dtype=npdtype)
                else:
                    arr = np.asarray(x, dtype=npdtype)
            except (OverflowError, ValueError, TypeError):
                arr = None
            if arr is not None and arr.ndim == ndim and arr.tolist() == x:
                if not any(broadcastable) or all(
                    arr.shape[i] == 1 for i, b in enumerate(broadcastable) if b
                ):
                    return arr
        arr = convert(x, dtype, broadcastable, allow_downcast, float_x, what)
        if not arr.flags.c_contiguous or not arr.flags.aligned:  # compiled code needs both
            arr = np.array(arr, order="C", copy=True)
        return arr

    return to_buffer
