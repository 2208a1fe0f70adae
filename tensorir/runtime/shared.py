"""The buffer of a shared variable (numpy only, so that the runtime loads alone).

A ``SharedContainer`` holds one array of a fixed dtype and number of dims, C-contiguous and
writeable, so that compiled code may read it as an argument and write an update into it in
place. ``runtime.function.Function`` passes the container's array to the kernel and stores
the update results back into it (``_value``, unchecked: they have its type by construction)
once the call has succeeded.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from tensorir.runtime.convert import convert

_HINT = "pass allow_downcast=True to shared()"


class SharedContainer:
    """One shared buffer: Theano's ``Container`` of a shared variable.

    ``value`` is the current array (a 0-d array for a scalar); compiled functions read it and
    replace (or overwrite) it. ``get``/``set`` copy unless ``borrow``, as Theano's
    ``get_value``/``set_value``: with ``borrow`` the caller and the container share one array,
    which an update written in place overwrites and any other update replaces. A compiled
    call never reads a borrowed buffer while writing memory it overlaps (``runtime.kernel``
    copies), so sharing memory never changes what a call computes.

    ``lock`` (re-entrant, so that a signal handler on the thread holding it cannot deadlock) is
    held by a compiled function that updates this variable from reading its value until its
    updates are stored, and by ``get`` (a copy) and ``set``: neither sees half a call.
    """

    __slots__ = (
        "_value",
        "dtype",
        "broadcastable",
        "name",
        "strict",
        "allow_downcast",
        "float_x",
        "lock",
        "device",
    )
    _STATE = ("value", "dtype", "broadcastable", "name", "strict", "allow_downcast", "float_x")

    def __init__(
        self,
        value: Any,
        dtype: str,
        broadcastable: tuple[bool, ...],
        name: str,
        strict: bool = False,
        allow_downcast: bool | None = None,
        float_x: str = "float64",
        borrow: bool = False,
    ):
        self.dtype = dtype
        self.broadcastable = tuple(broadcastable)
        self.name = name
        self.strict = strict
        self.allow_downcast = allow_downcast
        self.float_x = float_x
        self.lock = threading.RLock()
        self.device: Any = None  # the device backend holding the value, None: host memory
        self._value = np.empty([int(b) for b in self.broadcastable], dtype)
        self.set(value, borrow=borrow)

    def to_device(self, backend: Any) -> None:
        """Keep the value in ``backend``'s device memory (a ``DeviceArray``), where GPU
        functions read it and store their updates; ``get`` copies it back to the host."""
        from tensorir.runtime.device import DeviceArray

        if not self.broadcastable:  # a scalar: passed by value, so kept on the host
            return
        with self.lock:
            if self.device is backend:
                return
            host = self.get()
            self._value = DeviceArray.from_numpy(host, backend)
            self.device = backend

    def to_host(self) -> None:
        """Keep the value in host memory again (a CPU function reads it)."""
        with self.lock:
            if self.device is not None:
                self._value = self._value.to_numpy()
                self.device = None

    @property
    def value(self) -> np.ndarray:
        """The current array; compiled code reads it and may write an update into it.
        Compiled calls read and store ``_value`` directly: their results have this type by
        construction, and their commit must be plain stores (``runtime.function``)."""
        return self._value

    @value.setter
    def value(self, arr: np.ndarray) -> None:
        """Every write (``set``, unpickling, a user's own) is checked: compiled code trusts
        the dtype, the number of dims, the size 1 of the broadcastable dims and the
        C-contiguous writeable layout of what it is given. (Compiled calls store their
        results in ``_value``: see ``value``.)"""
        if (
            type(arr) is not np.ndarray
            or arr.dtype != np.dtype(self.dtype)
            or arr.ndim != len(self.broadcastable)
            or not arr.flags.c_contiguous
            or not arr.flags.writeable
            or not arr.flags.aligned
            or any(b and n != 1 for b, n in zip(self.broadcastable, arr.shape, strict=True))
        ):
            shown = (
                f"a {type(arr).__name__}"
                if not isinstance(arr, np.ndarray)
                else f"{arr.dtype} array of shape {arr.shape} (C-contiguous "
                f"{arr.flags.c_contiguous}, writeable {arr.flags.writeable})"
            )
            raise TypeError(
                f"{self.describe()}: its value must be a C-contiguous, writeable {self.dtype} "
                f"array of {self.ndim} dims with size 1 along the broadcastable ones, got "
                f"{shown}; use set_value"
            )
        self._value = arr

    @property
    def ndim(self) -> int:
        return len(self.broadcastable)

    def describe(self) -> str:
        return f"shared variable {self.name} ({self.dtype} with broadcastable {self.broadcastable})"

    def filter(self, value: Any) -> np.ndarray:
        """``value`` as an array of this container's type (Theano's ``TensorType.filter``):
        with ``strict`` it must already be an array of exactly that dtype and ndim; otherwise it
        is converted without loss of precision unless ``allow_downcast``."""
        what = self.describe()
        if self.strict:
            if not isinstance(value, np.ndarray):
                raise TypeError(
                    f"{what} is strict: expected a numpy.ndarray of dtype {self.dtype}, got "
                    f"{type(value).__name__}"
                )
            if value.dtype != np.dtype(self.dtype):
                raise TypeError(f"{what} is strict: expected dtype {self.dtype}, got {value.dtype}")
        return convert(
            value,
            self.dtype,
            self.broadcastable,
            self.allow_downcast,
            self.float_x,
            what,
            hint=_HINT,
        )

    def set(self, value: Any, borrow: bool = False) -> None:
        """Store ``value`` (converted); a copy unless ``borrow`` and it already has the exact
        type and layout (then the container aliases it). A ``DeviceArray`` (of exactly this
        type) for a value in the same device's memory is copied there, or taken with
        ``borrow``."""
        from tensorir.runtime.device import DeviceArray

        if isinstance(value, DeviceArray):
            self._check_device_array(value)
            if self.device is value.backend:
                with self.lock:
                    self._value = value if borrow else value.copy()
                return
            value = value.to_numpy()
        arr = self.filter(value)
        if not borrow and isinstance(value, np.ndarray) and np.may_share_memory(arr, value):
            arr = arr.copy()
        if (
            not arr.flags.c_contiguous
            or not arr.flags.writeable
            or not arr.flags.aligned
            or type(arr) is not np.ndarray
        ):
            arr = np.array(arr, order="C", copy=True, subok=False)
        with self.lock:
            if self.device is not None:  # uploaded: the device copy is the value
                self._value = DeviceArray.from_numpy(arr, self.device)
                return
            self.value = arr

    def _check_device_array(self, value: Any) -> None:
        shape_ok = value.ndim == self.ndim and all(
            not b or n == 1 for b, n in zip(self.broadcastable, value.shape, strict=True)
        )
        if value.dtype != np.dtype(self.dtype) or not shape_ok:
            raise TypeError(
                f"{self.describe()}: a device array of {value.dtype} and shape {value.shape} "
                f"does not have its type; pass a numpy array to convert it"
            )

    def get(self, borrow: bool = False, internal: bool = False) -> Any:
        """The current array: the container's own (``borrow``) or a copy. A value in device
        memory is copied to the host, unless ``internal``: then it is the ``DeviceArray``
        itself (``borrow``) or a copy in device memory (Theano's
        ``return_internal_type``)."""
        if borrow and self.device is None:
            return self.value
        with self.lock:
            if self.device is not None and internal:
                return self._value if borrow else self._value.copy()
            if self.device is not None:
                return self._value.to_numpy()  # type: ignore[no-any-return]
            return self.value.copy()

    def get_value(self, borrow: bool = False) -> Any:
        """``get`` under Theano's name (a loaded function's shared variables are these)."""
        return self.get(borrow)

    def set_value(self, value: Any, borrow: bool = False) -> None:
        """``set`` under Theano's name."""
        self.set(value, borrow=borrow)

    def __getstate__(self) -> dict[str, Any]:
        state = {name: getattr(self, name) for name in self._STATE}
        if self.device is not None:
            state["value"] = self.get()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickled (or deep-copied): the value is checked as ``set_value`` checks it (a
        pickle edited to hold a value of another dtype, number of dims or a broadcastable
        dim of size other than 1 raises TypeError) and is again a C-contiguous, writeable
        array of exactly this dtype, as compiled code expects; a lock of its own."""
        self.lock = threading.RLock()
        self.device = None
        state = dict(state)
        value = state.pop("value")
        for name, v in state.items():
            setattr(self, name, v)
        self.broadcastable = tuple(self.broadcastable)
        self._value = np.empty([int(b) for b in self.broadcastable], self.dtype)
        self.set(value, borrow=True)

    def __repr__(self) -> str:
        return f"SharedContainer({self.name}, {self.dtype}, {self.broadcastable})"
