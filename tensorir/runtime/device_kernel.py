"""The call of a GPU function's host entry point (``tensorir.abi``; buffers in device memory).

``DeviceKernel(abi, address, backend)`` is called as ``runtime.kernel.Kernel`` is, with one
value per argument: a buffer argument is a ``DeviceArray`` (a shared variable's, passed as
it is) or anything numpy converts (an input: uploaded for the call). Results: an output
buffer is downloaded into a numpy array (Theano returns host arrays from GPU functions); an
update stays on the device, a ``DeviceArray`` that the caller stores in its shared
variable; an update written in place is the argument itself; scalars are 0-d arrays. A
failed check raises its exception, as on the CPU; running out of device memory raises
``MemoryError`` with the bytes asked and the device's free and total bytes; a failed call of
the driver raises ``RuntimeError`` naming the driver's error.
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

from tensorir.abi import DEVICE_ERROR, MAX_CHECK_VALUES, FunctionABI
from tensorir.runtime.device import Backend, DeviceArray
from tensorir.runtime.kernel import _fail

_CTYPES = {
    "bool": ctypes.c_int8,
    "int8": ctypes.c_int8,
    "int16": ctypes.c_int16,
    "int32": ctypes.c_int32,
    "int64": ctypes.c_int64,
    "float32": ctypes.c_float,
    "float64": ctypes.c_double,
    "complex64": ctypes.c_float,
    "complex128": ctypes.c_double,
}


class DeviceKernel:
    """Calls a GPU function's entry point (see the module's docstring); thread-safe."""

    def __init__(self, abi: FunctionABI, address: int, backend: Backend, owner: object = None):
        self.abi = abi
        self.address = address
        self.backend = backend
        self.owner = owner  # the host library and the loaded kernels
        params: list[Any] = []
        for a in abi.args:
            if a.kind == "buffer":
                params += [ctypes.c_void_p] + [ctypes.c_int64] * a.ndim
            elif a.dtype.startswith("complex"):
                params += [_CTYPES[a.dtype]] * 2
            else:
                params.append(_CTYPES[a.dtype])
        params += [ctypes.c_void_p, ctypes.c_void_p]
        self._fn = ctypes.CFUNCTYPE(ctypes.c_int64, *params)(address)

    def _argument(self, i: int, value: Any, keep: list[Any]) -> list[Any]:
        spec = self.abi.args[i]
        if spec.kind == "scalar":
            if spec.dtype.startswith("complex"):
                c = complex(value)
                return [c.real, c.imag]
            if spec.dtype == "bool":
                return [1 if value else 0]
            return [np.asarray(value).item()]
        if not isinstance(value, DeviceArray):
            arr = np.ascontiguousarray(value)
            if arr.dtype != np.dtype(spec.dtype) or arr.ndim != spec.ndim:
                raise TypeError(
                    f"{self.abi.name}: argument {i} must be a {spec.dtype} array of "
                    f"{spec.ndim} dims, got {arr.dtype} of {arr.ndim}"
                )
            value = DeviceArray.from_numpy(arr, self.backend)
            keep.append(value)
        elif value.dtype != np.dtype(spec.dtype) or value.ndim != spec.ndim:
            raise TypeError(
                f"{self.abi.name}: argument {i} must be a {spec.dtype} array of {spec.ndim} "
                f"dims, got {value!r}"
            )
        for d, n in spec.static:
            if value.shape[d] != n:
                raise ValueError(
                    f"{self.abi.name}: argument {i} has size {value.shape[d]} along dim {d}, "
                    f"which its type fixes at {n}"
                )
        return [value.ptr, *value.shape]

    def call(self, *args: Any) -> list[Any]:
        abi = self.abi
        if len(args) != len(abi.args):
            raise TypeError(f"{abi.name}: expected {len(abi.args)} arguments, got {len(args)}")
        keep: list[Any] = []  # inputs uploaded for this call
        flat: list[Any] = []
        for i, a in enumerate(args):
            flat += self._argument(i, a, keep)
        out = np.zeros(max(1, abi.out_slots), np.int64)
        err = np.zeros(1 + MAX_CHECK_VALUES, np.int64)
        rc = self._fn(*flat, out.ctypes.data, err.ctypes.data)
        if rc == DEVICE_ERROR:
            raise RuntimeError(
                f"{abi.name}: the device failed: {self.backend.error_name(int(err[0]))}"
            )
        if rc == 2:
            raise MemoryError(f"{abi.name}: {self.backend.out_of_memory()}")
        if rc:
            _fail(abi, int(rc), err)
        results: list[Any] = []
        slot = 0
        for r in abi.results:
            if r.kind == "argument":
                results.append(args[r.arg])
                continue
            if r.kind == "buffer":
                ptr, dims = int(out[slot]), tuple(int(d) for d in out[slot + 1 : slot + 1 + r.ndim])
                arr = DeviceArray(self.backend, ptr, dims, r.dtype)
                results.append(arr if r.update >= 0 else arr.to_numpy())
            else:
                raw = out[slot : slot + r.slots].tobytes()
                results.append(np.frombuffer(raw, np.dtype(r.dtype), count=1).reshape(()).copy())
            slot += r.slots
        return results

    __call__ = call
