"""Device memory and kernel launches for ``device=cuda``: a backend behind ``DEVICE_FUNCTIONS``.

Host code compiled for the GPU (``lowering/gpu_emitter.py``) calls six functions,
``tir_dev_alloc``/``release``/``read``/``write``/``copy``/``launch``; a backend defines them
(native code, compiled once per process from LLVM IR and registered for the JIT) and loads
each function's kernels. Two backends:

- ``driver`` (``config.cuda_backend``, the default): NVIDIA's driver through cuda-python
  (imported only here, only then). One context (the device's primary one), one stream on
  which everything is ordered; device memory from the driver's stream-ordered pool
  (``cuMemAllocAsync``, kept by the pool once freed: a growing memory pool); kernels are PTX
  loaded with ``cuModuleLoadData``, once per distinct code (``ModuleCache``: functions with the
  same kernels share the module). The native functions call the driver's C entry points
  directly (their addresses from ``libcuda``), so a launch costs no Python: a whole call of
  a compiled function is one call into machine code. Reads synchronise (the host needs the
  bytes); nothing else does.
- ``emulator``: no GPU. Device memory is host memory, and a kernel is its ``emulated`` build
  (the same kernel IR compiled for the host, every thread of every block run in turn). It
  runs every GPU function, so the host code, the kernels' index arithmetic and the runtime
  are tested without a GPU.

``DeviceArray`` is an array in device memory; shared variables of GPU functions hold one.
"""

from __future__ import annotations

import ctypes
import functools
import threading
from typing import Any

import numpy as np

from tensorir.abi import DEVICE_BLAS, DEVICE_FUNCTIONS
from tensorir.config import config
from tensorir.runtime.blas import blas_available

FAILED_BYTES = "tir_dev_failed_bytes"
"""A global of each backend's native module: the size of the last allocation that failed."""


class DeviceUnavailable(RuntimeError):
    """``device=cuda`` was asked for and cannot be had: says what is missing."""


class Backend:
    """What the runtime asks of a device."""

    name = "?"
    library: Any  # the JITLibrary of the native functions

    def alloc(self, nbytes: int) -> int:
        """A device buffer of ``nbytes`` (at least 1); MemoryError when there is no room."""
        p = self._alloc(max(int(nbytes), 1))
        if not p:
            raise MemoryError(self.out_of_memory(nbytes))
        return p

    def _alloc(self, nbytes: int) -> int:
        return int(self._alloc_fn(nbytes) or 0)

    def free(self, ptr: int) -> None:
        self._free_fn(ptr)

    def upload(self, ptr: int, arr: np.ndarray) -> None:
        self._check(self._write_fn(ptr, arr.ctypes.data, arr.nbytes), "copy to the device")

    def download(self, arr: np.ndarray, ptr: int) -> None:
        self._check(self._read_fn(arr.ctypes.data, ptr, arr.nbytes), "copy from the device")

    def copy(self, dst: int, src: int, nbytes: int) -> None:
        self._check(self._copy_fn(dst, src, nbytes), "copy on the device")

    def _bind(self) -> None:
        lib = self.library
        sig = ctypes.CFUNCTYPE
        vp, i64, i32 = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int32
        self._alloc_fn = sig(vp, i64)(lib.address("tir_dev_alloc"))
        self._free_fn = sig(None, vp)(lib.address("tir_dev_release"))
        self._read_fn = sig(i32, vp, vp, i64)(lib.address("tir_dev_read"))
        self._write_fn = sig(i32, vp, vp, i64)(lib.address("tir_dev_write"))
        self._copy_fn = sig(i32, vp, vp, i64)(lib.address("tir_dev_copy"))
        self.failed_bytes = ctypes.c_int64.from_address(lib.global_address(FAILED_BYTES))

    def _check(self, rc: int, what: str) -> None:
        if rc:
            raise RuntimeError(f"{self.name}: {what} failed: {self.error_name(rc)}")

    def error_name(self, rc: int) -> str:
        return f"error {rc}"

    def memory_info(self) -> tuple[int, int] | None:
        """(free, total) bytes of device memory, if known."""
        return None

    def out_of_memory(self, nbytes: int | None = None) -> str:
        asked = int(self.failed_bytes.value) if nbytes is None else nbytes
        info = self.memory_info()
        where = f" ({info[0]} bytes free of {info[1]})" if info else ""
        return f"out of device memory: {asked} bytes asked{where}"

    target = "?"
    """The kernels this backend loads: ``emulated`` (LLVM IR for the host) or ``nvptx``
    (PTX, for ``arch``)."""

    def load(self, code: str, emitted: Any, host: Any) -> object:
        """Load the kernels ``code`` (for ``target``) of ``emitted``
        (``gpu_emitter.GpuEmitted``) and fill the tables of the host library ``host``;
        returns what must stay alive while they may run."""
        raise NotImplementedError

    def synchronize(self) -> None:
        pass

    has_blas = False
    """Whether the backend defines ``DEVICE_BLAS`` (then ``dot`` calls it: cuBLAS)."""


_LLVM_TYPES = {"i32": "i32", "i64": "i64", "f64": "double", "f32": "float", "ptr": "ptr"}


def _signature(name: str) -> tuple[str, list[str], str]:
    """``DEVICE_BLAS[name]`` as LLVM: the routine (``dgemm``), typed parameters, the
    scalar type of its values."""
    _ret, args = DEVICE_BLAS[name]
    params = [f"{_LLVM_TYPES[t]} %a{k}" for k, t in enumerate(args)]
    real = "double" if name[len("tir_dev_blas_")] == "d" else "float"
    return name[len("tir_dev_blas_") :], params, real


def _emulated_blas() -> str:
    """``DEVICE_BLAS`` for the emulator: the CPU's BLAS (``tensorir_cblas_<x>``) on device
    memory, which is host memory."""
    from tensorir.runtime.blas import PREFIX

    out = []
    for name in DEVICE_BLAS:
        routine, params, real = _signature(name)
        args = ", ".join(params[:-1] if routine.endswith("dot") else params)
        types = ", ".join(a.split()[0] for a in args.split(", "))
        if routine.endswith("dot"):
            out.append(f"declare {real} @{PREFIX}{routine}({types})")
            body = (f"  %r = call {real} @{PREFIX}{routine}({args})\n"
                    f"  store {real} %r, ptr %a5")  # fmt: skip
        else:
            out.append(f"declare void @{PREFIX}{routine}({types})")
            body = f"  call void @{PREFIX}{routine}({args})"
        out.append(f"define i32 @{name}({', '.join(params)}) {{\n{body}\n  ret i32 0\n}}")
    return "\n".join(out)


CUBLAS_ERROR = 100000
"""A ``DEVICE_BLAS`` call returns ``CUBLAS_ERROR + status`` when cuBLAS fails."""

_CUBLAS_FUNCTIONS = {"gemm": "cublas{P}gemm_v2_64", "gemv": "cublas{P}gemv_v2_64",
                     "dot": "cublas{P}dot_v2_64"}  # fmt: skip


def _cublas_natives() -> str:
    """``DEVICE_BLAS`` for the driver: cuBLAS's 64-bit routines on the backend's stream,
    through the pointers ``@tir_cublas_<name>`` and the handle ``@tir_cublas_handle`` the
    backend sets. CBLAS's row-major product is cuBLAS's column-major one transposed:
    ``C = op(A) op(B)`` is ``C^T = op(B)^T op(A)^T``, and a row-major matrix is its
    transpose in column-major order."""
    out = [
        "@tir_cublas_handle = global ptr null",
        "define internal i32 @tir_cublas_status(i32 %rc) {",
        "  %ok = icmp eq i32 %rc, 0",
        f"  %e = add i32 %rc, {CUBLAS_ERROR}",
        "  %r = select i1 %ok, i32 0, i32 %e",
        "  ret i32 %r",
        "}",
    ]
    for name in DEVICE_BLAS:
        routine, params, real = _signature(name)
        cublas = _CUBLAS_FUNCTIONS[routine[1:]].format(P=routine[0].upper())
        out.append(f"@tir_cublas_{cublas} = global ptr null")
        lines = ["  %h = load ptr, ptr @tir_cublas_handle",
                 f"  %f = load ptr, ptr @tir_cublas_{cublas}"]  # fmt: skip
        if routine.endswith("gemm"):  # order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc
            lines += [
                f"  %al = alloca {real}", f"  store {real} %a6, ptr %al",
                f"  %be = alloca {real}", f"  store {real} %a11, ptr %be",
                "  %ta = icmp eq i32 %a1, 112", "  %opa = zext i1 %ta to i32",
                "  %tb = icmp eq i32 %a2, 112", "  %opb = zext i1 %tb to i32",
                "  %rc = call i32 %f(ptr %h, i32 %opb, i32 %opa, i64 %a4, i64 %a3, i64 %a5, "
                "ptr %al, ptr %a9, i64 %a10, ptr %a7, i64 %a8, ptr %be, ptr %a12, i64 %a13)",
            ]  # fmt: skip
        elif routine.endswith("gemv"):  # order, trans, m, n, alpha, a, lda, x, incx, beta, y, incy
            lines += [
                f"  %al = alloca {real}", f"  store {real} %a4, ptr %al",
                f"  %be = alloca {real}", f"  store {real} %a9, ptr %be",
                "  %plain = icmp eq i32 %a1, 111", "  %op = zext i1 %plain to i32",
                "  %rc = call i32 %f(ptr %h, i32 %op, i64 %a3, i64 %a2, ptr %al, ptr %a5, "
                "i64 %a6, ptr %a7, i64 %a8, ptr %be, ptr %a10, i64 %a11)",
            ]  # fmt: skip
        else:  # n, x, incx, y, incy, result (host memory: cuBLAS waits for it)
            lines.append("  %rc = call i32 %f(ptr %h, i64 %a0, ptr %a1, i64 %a2, ptr %a3, "
                         "i64 %a4, ptr %a5)")  # fmt: skip
        lines += ["  %r = call i32 @tir_cublas_status(i32 %rc)", "  ret i32 %r"]
        out.append(f"define i32 @{name}({', '.join(params)}) {{\n" + "\n".join(lines) + "\n}")
    return "\n".join(out)


def find_cublas() -> str | None:
    """The path of cuBLAS's library: the ``nvidia-cublas`` wheel's, else the system's; None
    when there is none."""
    import glob
    import importlib.util
    import os

    spec = importlib.util.find_spec("nvidia")
    roots = list(spec.submodule_search_locations or []) if spec is not None else []
    for root in roots:
        for pattern in ("cu*/lib/libcublas.so*", "cublas/lib/libcublas.so*"):
            found = sorted(glob.glob(os.path.join(root, pattern)))
            if found:
                return found[-1]
    import ctypes.util

    return ctypes.util.find_library("cublas")


def _fill(host: Any, table: str, addresses: list[int]) -> None:
    if not addresses:
        return
    base = host.global_address(table)
    (ctypes.c_void_p * len(addresses)).from_address(base)[:] = addresses


# --------------------------------------------------------------------------- emulator


_EMULATOR = """
; ModuleID = "tensorir_device"
@tir_dev_failed_bytes = global i64 0
declare ptr @ALLOC(i64)
declare void @RELEASE(ptr)
declare void @llvm.memmove.p0.p0.i64(ptr, ptr, i64, i1)

define ptr @tir_dev_alloc(i64 %n) {
  %p = call ptr @ALLOC(i64 %n)
  %bad = icmp eq ptr %p, null
  br i1 %bad, label %fail, label %ok
fail:
  store i64 %n, ptr @tir_dev_failed_bytes
  br label %ok
ok:
  ret ptr %p
}

define void @tir_dev_release(ptr %p) {
  call void @RELEASE(ptr %p)
  ret void
}

define i32 @tir_dev_read(ptr %host, ptr %dev, i64 %n) {
  call void @llvm.memmove.p0.p0.i64(ptr %host, ptr %dev, i64 %n, i1 false)
  ret i32 0
}

define i32 @tir_dev_write(ptr %dev, ptr %host, i64 %n) {
  call void @llvm.memmove.p0.p0.i64(ptr %dev, ptr %host, i64 %n, i1 false)
  ret i32 0
}

define i32 @tir_dev_copy(ptr %to, ptr %from, i64 %n) {
  call void @llvm.memmove.p0.p0.i64(ptr %to, ptr %from, i64 %n, i1 false)
  ret i32 0
}

define i32 @tir_dev_launch(ptr %kernel, i64 %gx, i64 %gy, i64 %bx, i64 %by, ptr %params) {
  call void %kernel(i64 %gx, i64 %gy, i64 %bx, i64 %by, ptr %params)
  ret i32 0
}
"""
"""The emulator's native functions (``DEVICE_FUNCTIONS``): host memory, a launch calls the kernel's
``.emu`` function (every thread of the grid in turn)."""


class Emulator(Backend):
    """Kernels run on the CPU, device memory is host memory (see the module's docstring)."""

    name = "cuda emulator"

    def __init__(self) -> None:
        from tensorir.abi import ALLOC, RELEASE
        from tensorir.runtime import alloc
        from tensorir.runtime.jit import JITLibrary, register_symbols

        alloc.address(ALLOC)  # registered for the native module
        self.library = JITLibrary(_EMULATOR.replace("ALLOC", ALLOC).replace("RELEASE", RELEASE))
        register_symbols({n: self.library.address(n) for n in DEVICE_FUNCTIONS})
        self._bind()
        if blas_available():
            self.blas = JITLibrary(_emulated_blas())
            register_symbols({n: self.blas.address(n) for n in DEVICE_BLAS})
            self.has_blas = True

    target = "emulated"

    def load(self, code: str, emitted: Any, host: Any) -> object:
        from tensorir.runtime.jit import JITLibrary

        if not emitted.kernels:
            return None
        kernels = JITLibrary(code)
        _fill(
            host, emitted.kernel_table, [kernels.address(f"{k.name}.emu") for k in emitted.kernels]
        )
        _fill(host, emitted.global_table, [kernels.global_address(g) for g in emitted.globals])
        return kernels


# --------------------------------------------------------------------------- CUDA driver

_DRIVER_FUNCTIONS = (
    "cuMemAllocAsync",
    "cuMemFreeAsync",
    "cuMemcpyDtoHAsync_v2",
    "cuMemcpyHtoDAsync_v2",
    "cuMemcpyDtoDAsync_v2",
    "cuStreamSynchronize",
    "cuLaunchKernel",
)
"""The driver's C entry points the native functions call, through the pointers
``@tir_cu_<name>`` that the backend sets, all on the stream ``@tir_cu_stream``."""

_DRIVER = """
; ModuleID = "tensorir_device"
@tir_dev_failed_bytes = global i64 0
@tir_cu_stream = global ptr null
@tir_cu_cuMemAllocAsync = global ptr null
@tir_cu_cuMemFreeAsync = global ptr null
@tir_cu_cuMemcpyDtoHAsync_v2 = global ptr null
@tir_cu_cuMemcpyHtoDAsync_v2 = global ptr null
@tir_cu_cuMemcpyDtoDAsync_v2 = global ptr null
@tir_cu_cuStreamSynchronize = global ptr null
@tir_cu_cuLaunchKernel = global ptr null

define ptr @tir_dev_alloc(i64 %n) {
  %out = alloca ptr
  %s = load ptr, ptr @tir_cu_stream
  %f = load ptr, ptr @tir_cu_cuMemAllocAsync
  %rc = call i32 %f(ptr %out, i64 %n, ptr %s)
  %ok = icmp eq i32 %rc, 0
  br i1 %ok, label %good, label %bad
good:
  %p = load ptr, ptr %out
  ret ptr %p
bad:
  store i64 %n, ptr @tir_dev_failed_bytes
  ret ptr null
}

define void @tir_dev_release(ptr %p) {
  %s = load ptr, ptr @tir_cu_stream
  %f = load ptr, ptr @tir_cu_cuMemFreeAsync
  %rc = call i32 %f(ptr %p, ptr %s)
  ret void
}

define i32 @tir_dev_read(ptr %host, ptr %dev, i64 %n) {
  %s = load ptr, ptr @tir_cu_stream
  %f = load ptr, ptr @tir_cu_cuMemcpyDtoHAsync_v2
  %rc = call i32 %f(ptr %host, ptr %dev, i64 %n, ptr %s)
  %ok = icmp eq i32 %rc, 0
  br i1 %ok, label %sync, label %bad
sync:
  %g = load ptr, ptr @tir_cu_cuStreamSynchronize
  %rc2 = call i32 %g(ptr %s)
  ret i32 %rc2
bad:
  ret i32 %rc
}

define i32 @tir_dev_write(ptr %dev, ptr %host, i64 %n) {
  %s = load ptr, ptr @tir_cu_stream
  %f = load ptr, ptr @tir_cu_cuMemcpyHtoDAsync_v2
  %rc = call i32 %f(ptr %dev, ptr %host, i64 %n, ptr %s)
  ret i32 %rc
}

define i32 @tir_dev_copy(ptr %to, ptr %from, i64 %n) {
  %s = load ptr, ptr @tir_cu_stream
  %f = load ptr, ptr @tir_cu_cuMemcpyDtoDAsync_v2
  %rc = call i32 %f(ptr %to, ptr %from, i64 %n, ptr %s)
  ret i32 %rc
}

define i32 @tir_dev_launch(ptr %kernel, i64 %gx, i64 %gy, i64 %bx, i64 %by, ptr %params) {
  %s = load ptr, ptr @tir_cu_stream
  %f = load ptr, ptr @tir_cu_cuLaunchKernel
  %gx32 = trunc i64 %gx to i32
  %gy32 = trunc i64 %gy to i32
  %bx32 = trunc i64 %bx to i32
  %by32 = trunc i64 %by to i32
  %rc = call i32 %f(ptr %kernel, i32 %gx32, i32 %gy32, i32 1, i32 %bx32, i32 %by32, i32 1,
                    i32 0, ptr %s, ptr %params, ptr null)
  ret i32 %rc
}
"""
"""The driver backend's native functions (``DEVICE_FUNCTIONS``): the driver's calls, on the
backend's stream."""


class Driver(Backend):
    """NVIDIA's driver through cuda-python (see the module's docstring)."""

    name = "cuda"

    def __init__(self) -> None:
        try:
            from cuda.bindings import driver as cu
        except ImportError as e:
            raise DeviceUnavailable(
                "device=cuda needs cuda-python, which is not installed (pip install "
                "'tensorir[cuda]'); without a GPU, TENSORIR_FLAGS=cuda_backend=emulator runs "
                f"GPU functions on the CPU ({e})"
            ) from None
        self.cu = cu
        try:
            self._ok(cu.cuInit(0), "cuInit")
            count = self._ok(cu.cuDeviceGetCount(), "cuDeviceGetCount")
        except DeviceUnavailable:
            raise
        except Exception as e:  # noqa: BLE001 - cuda-python raises when libcuda is missing
            raise DeviceUnavailable(
                f"device=cuda: no NVIDIA driver could be loaded ({type(e).__name__}: {e})"
            ) from None
        if not count:
            raise DeviceUnavailable("device=cuda: the NVIDIA driver sees no GPU")
        self.device = self._ok(cu.cuDeviceGet(0), "cuDeviceGet")
        self.context = self._ok(
            cu.cuDevicePrimaryCtxRetain(self.device), "cuDevicePrimaryCtxRetain"
        )
        self._ok(cu.cuCtxSetCurrent(self.context), "cuCtxSetCurrent")
        self.stream = self._ok(
            cu.cuStreamCreate(cu.CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate"
        )
        attr = cu.CUdevice_attribute
        major = self._attr(attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
        minor = self._attr(attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)
        self.arch = f"sm_{major}{minor}"
        pool = self._ok(cu.cuDeviceGetDefaultMemPool(self.device), "cuDeviceGetDefaultMemPool")
        threshold = cu.cuuint64_t(2**64 - 1)  # keep freed memory for the next allocations
        self._ok(
            cu.cuMemPoolSetAttribute(
                pool, cu.CUmemPool_attribute.CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, threshold
            ),
            "cuMemPoolSetAttribute",
        )
        self.library = self._native()
        self._bind()
        self.modules = ModuleCache(self._load_module, self._unload_module)
        self.blas, self.no_blas = self._cublas()
        self.has_blas = self.blas is not None

    def _native(self) -> Any:
        from tensorir.runtime.jit import JITLibrary, register_symbols

        libcuda = ctypes.CDLL("libcuda.so.1")
        library = JITLibrary(_DRIVER)
        for cu_name in _DRIVER_FUNCTIONS:
            address = ctypes.cast(getattr(libcuda, cu_name), ctypes.c_void_p).value
            ctypes.c_void_p.from_address(
                library.global_address(f"tir_cu_{cu_name}")
            ).value = address
        ctypes.c_void_p.from_address(library.global_address("tir_cu_stream")).value = int(
            self.stream
        )
        register_symbols({n: library.address(n) for n in DEVICE_FUNCTIONS})
        return library

    def _cublas(self) -> tuple[Any, str | None]:
        """cuBLAS's routines as ``DEVICE_BLAS`` (a handle on the backend's stream), or why
        there are none (``dot`` then runs as kernels)."""
        from tensorir.runtime.jit import JITLibrary, register_symbols

        path = find_cublas()
        if path is None:
            return None, "cuBLAS not found (pip install nvidia-cublas)"
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            return None, f"cuBLAS could not be loaded: {e}"
        handle = ctypes.c_void_p()
        status = lib.cublasCreate_v2(ctypes.byref(handle))
        if status == 0:
            status = lib.cublasSetStream_v2(handle, ctypes.c_void_p(int(self.stream)))
        if status != 0:
            return None, f"cublasCreate failed with status {status}"
        self._cublas_handle = (lib, handle)  # kept for the process
        library = JITLibrary(_cublas_natives())

        def put(symbol: str, address: int | None) -> None:
            ctypes.c_void_p.from_address(library.global_address(symbol)).value = address

        put("tir_cublas_handle", handle.value)
        for pattern in _CUBLAS_FUNCTIONS.values():
            for p in "DS":
                name = pattern.format(P=p)
                put(f"tir_cublas_{name}", ctypes.cast(getattr(lib, name), ctypes.c_void_p).value)
        register_symbols({n: library.address(n) for n in DEVICE_BLAS})
        return library, None

    def _ok(self, result: Any, what: str) -> Any:
        err, *rest = result
        if err != self.cu.CUresult.CUDA_SUCCESS:
            raise DeviceUnavailable(f"device=cuda: {what} failed: {self.error_name(int(err))}")
        return rest[0] if len(rest) == 1 else rest

    def _attr(self, a: Any) -> int:
        return int(self._ok(self.cu.cuDeviceGetAttribute(a, self.device), "cuDeviceGetAttribute"))

    def error_name(self, rc: int) -> str:
        if rc >= CUBLAS_ERROR:
            return f"cuBLAS status {rc - CUBLAS_ERROR}"
        try:
            err, name = self.cu.cuGetErrorName(self.cu.CUresult(rc))
            return name.decode() if isinstance(name, bytes) else str(name)
        except Exception:  # noqa: BLE001 - an unknown code
            return f"CUDA error {rc}"

    def memory_info(self) -> tuple[int, int] | None:
        err, free, total = self.cu.cuMemGetInfo()
        return (int(free), int(total)) if err == self.cu.CUresult.CUDA_SUCCESS else None

    target = "nvptx"

    def load(self, code: str, emitted: Any, host: Any) -> object:
        if not emitted.kernels:
            return None
        module, lease = self.modules.acquire(code)
        handles = [
            int(self._ok(self.cu.cuModuleGetFunction(module, k.name.encode()), k.name))
            for k in emitted.kernels
        ]
        _fill(host, emitted.kernel_table, handles)
        addresses = []
        for g in emitted.globals:
            ptr, _size = self._ok(self.cu.cuModuleGetGlobal(module, g.encode()), g)
            addresses.append(int(ptr))
        _fill(host, emitted.global_table, addresses)
        return lease

    def synchronize(self) -> None:
        self._ok(self.cu.cuStreamSynchronize(self.stream), "cuStreamSynchronize")

    def _load_module(self, code: str) -> Any:
        return self._ok(self.cu.cuModuleLoadData(code.encode() + b"\0"), "cuModuleLoadData")

    def _unload_module(self, module: Any) -> None:
        self.synchronize()  # no kernel of it may still run
        self.cu.cuModuleUnload(module)


class ModuleCache:
    """Loaded modules by their code: functions whose kernels are the same code share one
    module, unloaded when the last of them is dropped (its ``Lease`` collected)."""

    def __init__(self, load: Any, unload: Any):
        self._load, self._unload = load, unload
        self._modules: dict[str, list[Any]] = {}  # code -> [module, users]
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._modules)

    def acquire(self, code: str) -> tuple[Any, ModuleCache.Lease]:
        with self._lock:
            entry = self._modules.get(code)
            if entry is None:
                entry = self._modules[code] = [self._load(code), 0]
            entry[1] += 1
            return entry[0], ModuleCache.Lease(self, code)

    def release(self, code: str) -> None:
        with self._lock:
            entry = self._modules[code]
            entry[1] -= 1
            if entry[1]:
                return
            del self._modules[code]
        self._unload(entry[0])

    class Lease:
        """A function's hold on a cached module."""

        def __init__(self, cache: ModuleCache, code: str):
            self.cache, self.code = cache, code

        def __del__(self) -> None:
            try:
                self.cache.release(self.code)
            except Exception:  # noqa: BLE001, S110 - at exit the driver may be gone
                pass


_lock = threading.Lock()


@functools.cache
def _backend(name: str) -> Backend:
    return Emulator() if name == "emulator" else Driver()


def backend(name: str | None = None) -> Backend:
    """The device backend ``name`` (``config.cuda_backend`` by default), set up once.
    Raises ``DeviceUnavailable`` saying what is missing when there is no usable GPU."""
    with _lock:
        return _backend(name or config.cuda_backend)


# --------------------------------------------------------------------------- arrays


class DeviceArray:
    """A C-contiguous array in device memory, owned (freed when dropped) unless it is a
    view of another's."""

    __slots__ = ("backend", "ptr", "shape", "dtype", "owner", "__weakref__")

    def __init__(
        self, backend: Backend, ptr: int, shape: tuple[int, ...], dtype: Any, owner: Any = None
    ):
        self.backend = backend
        self.ptr = int(ptr)
        self.shape = tuple(int(d) for d in shape)
        self.dtype = np.dtype(dtype)
        self.owner = owner  # None: this array frees ptr

    @classmethod
    def empty(cls, shape: tuple[int, ...], dtype: Any, on: Backend) -> DeviceArray:
        n = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        return cls(on, on.alloc(n), shape, dtype)

    @classmethod
    def from_numpy(cls, arr: np.ndarray, on: Backend) -> DeviceArray:
        arr = np.ascontiguousarray(arr)
        out = cls.empty(arr.shape, arr.dtype, on)
        if arr.nbytes:
            on.upload(out.ptr, arr)
        return out

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    def to_numpy(self) -> np.ndarray:
        out = np.empty(self.shape, self.dtype)
        if out.nbytes:
            self.backend.download(out, self.ptr)
        return out

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = self.to_numpy()
        return a if dtype is None else a.astype(dtype)

    def copy(self) -> DeviceArray:
        out = DeviceArray.empty(self.shape, self.dtype, self.backend)
        if self.nbytes:
            self.backend.copy(out.ptr, self.ptr, self.nbytes)
        return out

    def __repr__(self) -> str:
        return f"DeviceArray(shape={self.shape}, dtype={self.dtype}, on={self.backend.name})"

    def __del__(self) -> None:
        if self.owner is None and self.ptr:
            try:
                self.backend.free(self.ptr)
            except Exception:  # noqa: BLE001, S110 - at exit the backend may be gone
                pass
