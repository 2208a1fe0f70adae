"""Shared variables: Theano's ``shared(value)``, a Variable whose value lives between calls.

A ``SharedVariable`` is a graph input without owner, usable in any expression; its value is a
``runtime.shared.SharedContainer``. A compiled function passes the current value as an
implicit argument and stores the new value of each shared variable it updates (``updates=``,
or the variable's ``default_update``) after a successful call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tensorir.config import config
from tensorir.frontend.graph import TensorType, Variable
from tensorir.runtime.shared import SharedContainer


class SharedVariable(Variable):
    """A variable whose value is stored with it and persists across function calls.

    ``get_value(borrow=False)`` returns a copy of the value (the array itself with
    ``borrow=True``); ``set_value(value, borrow=False)`` converts ``value`` to the variable's
    type (``strict``, ``allow_downcast``) and stores a copy (the array itself with
    ``borrow=True`` when it already has the exact dtype and is C-contiguous).
    ``default_update``, when set to an expression, is the update a function applies to this
    variable when none is given explicitly.
    """

    def __init__(
        self,
        type: TensorType,
        value: Any,
        name: str | None = None,
        strict: bool = False,
        allow_downcast: bool | None = None,
        borrow: bool = False,
    ):
        super().__init__(type, name=name)
        self.container = SharedContainer(
            value,
            type.dtype,
            type.broadcastable,
            name or f"<{type}>",
            strict=strict,
            allow_downcast=allow_downcast,
            float_x=config.floatX,
            borrow=borrow,
        )
        self.default_update: Any = None

    def get_value(self, borrow: bool = False, return_internal_type: bool = False) -> Any:
        """The current value: a copy, or the internal array itself with ``borrow=True``. A
        value in device memory (``device=cuda``) comes back to the host as a new array,
        ``borrow`` or not; with ``return_internal_type=True`` it is the ``DeviceArray``
        itself (``borrow``) or a copy of it in device memory."""
        return self.container.get(borrow=borrow, internal=return_internal_type)

    def set_value(self, value: Any, borrow: bool = False) -> None:
        """Store ``value``, converted to this variable's type; copied unless ``borrow``. A
        value in device memory is uploaded from a numpy array (always a copy); a
        ``DeviceArray`` of exactly its type is copied on the device, or taken with
        ``borrow``."""
        self.container.set(value, borrow=borrow)


def shared(
    value: Any,
    name: str | None = None,
    borrow: bool = False,
    strict: bool = False,
    allow_downcast: bool | None = None,
    broadcastable: Sequence[bool] | None = None,
) -> SharedVariable:
    """A shared variable holding ``value`` (Theano's ``theano.shared``).

    Its dtype is the value's (as ``numpy.asarray``: a Python float is float64, an int int64);
    no dim is broadcastable unless ``broadcastable`` says so. The value is copied unless
    ``borrow=True``.

    Borrow rules: with ``borrow=True`` a C-contiguous, writeable ``numpy.ndarray`` is kept
    itself (anything else is still converted into a copy), so the variable and the caller
    share memory. A function whose update of the variable is written in place writes the new
    value into that array (and into every view of it); an update computed into a fresh buffer
    replaces the variable's array instead, leaving the caller's one behind. Which updates are
    written in place is an optimisation: do not rely on either. Sharing memory never changes
    what a call computes: inputs or other shared variables that overlap a buffer the call
    writes are read as copies (a variable updated in place whose buffer overlaps another one
    updated in place is given a copy of its own), and outputs are always fresh arrays, never
    an input or a shared variable's array. ``get_value(borrow=True)`` returns the internal
    array under the same rules.
    """
    if isinstance(value, Variable):
        raise TypeError(f"shared: the value must be data, not the symbolic variable {value}")
    try:
        data = np.asarray(value)
    except (ValueError, TypeError) as e:
        raise TypeError(f"shared: cannot make a shared variable of {value!r}: {e}") from None
    if data.dtype == object or data.dtype.kind in "USVMm":
        raise TypeError(
            f"shared: no suitable shared variable for {type(value).__name__} {value!r} (a numpy "
            "array or a number is expected)"
        )
    if broadcastable is None:
        broadcastable = (False,) * data.ndim
    broadcastable = tuple(bool(b) for b in broadcastable)
    if len(broadcastable) != data.ndim:
        raise TypeError(
            f"shared: broadcastable {broadcastable} has {len(broadcastable)} entries but the "
            f"value has {data.ndim} dims (shape {data.shape})"
        )
    dtype = "bool" if data.dtype == np.bool_ else data.dtype.name
    t = TensorType(dtype, broadcastable)
    # a value that is not yet an array was converted above: no need to copy it again
    is_array = isinstance(value, np.ndarray)
    return SharedVariable(
        t,
        value if is_array else data,
        name=name,
        strict=strict,
        allow_downcast=allow_downcast,
        borrow=borrow or not is_array,
    )
