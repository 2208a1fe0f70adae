"""JIT compilation of LLVM IR text to machine code for the host CPU (llvmlite, MCJIT)."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import re
from collections.abc import Callable

import llvmlite.binding as llvm

from tensorir.abi import ALLOC, LIBM_PREFIX, PARALLEL_FOR
from tensorir.config import config
from tensorir.runtime import alloc, optimizer, threads
from tensorir.runtime.blas import PREFIX as BLAS_PREFIX
from tensorir.runtime.blas import blas_symbols

# What LLVM's code generator itself may call when it lowers intrinsics and libcalls it
# recognises (llvm.exp.f64 -> exp, frem -> fmod, llvm.memcpy -> memcpy, sin + cos -> sincos):
# registered up front, since these calls appear only in the machine code. The functions the
# emitter calls by name are the module's declarations, resolved one by one (_resolve).
_LIBC = ("malloc", "free", "memcpy", "memmove", "memset")
_CODEGEN_LIBM = (
    "exp", "exp2", "exp10", "log", "log2", "log10", "pow", "sin", "cos", "sincos", "fmod",
    "floor", "ceil", "trunc", "round", "roundeven", "rint", "nearbyint", "sqrt", "fma", "fmin",
    "fmax", "ldexp",
)  # fmt: skip


@functools.cache
def _libraries() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    """libc (the process's own symbols) and libm, without ``find_library``'s subprocesses
    where the usual names load."""
    try:
        libm = ctypes.CDLL("libm.so.6")
    except OSError:
        libm = ctypes.CDLL(ctypes.util.find_library("m"))
    return ctypes.CDLL(None), libm


@functools.cache
def _resolve(name: str) -> bool:
    """Register the address of C function ``name`` (libm's, else libc's; ``__tir_libm_<f>``
    is libm's ``f`` under a name LLVM does not know) for the JIT; False if neither has it."""
    c_name = name.removeprefix(LIBM_PREFIX)
    for lib in reversed(_libraries()):
        fn = getattr(lib, c_name, None)
        if fn is not None:
            llvm.add_symbol(name, ctypes.cast(fn, ctypes.c_void_p).value)
            return True
    return False


@functools.cache
def _init() -> None:
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    for name in _LIBC + _CODEGEN_LIBM + tuple(n + "f" for n in _CODEGEN_LIBM):
        _resolve(name)


_registered: set[str] = set()


def register_symbols(symbols: dict[str, int]) -> None:
    """Make each ``name`` callable from JIT-compiled code at its ``address`` (the runtime's
    own helpers, CPython's and numpy's C functions)."""
    _init()
    for name, address in symbols.items():
        if name not in _registered:
            llvm.add_symbol(name, address)
            _registered.add(name)


def _resolve_declarations(mod: llvm.ModuleRef) -> None:
    """Make every external function ``mod`` declares callable, or raise (MCJIT would abort
    the process on a symbol it cannot find)."""
    for fn in mod.functions:
        if fn.is_declaration:
            _resolve_declared(fn.name)


_DECLARED = re.compile(r'^declare [^@\n]*@"?([^"(\s]+)"?\(', re.MULTILINE)
"""An external function's name in LLVM IR text (to resolve those of code loaded as compiled,
without parsing its module)."""


def _resolve_declared(name: str) -> None:
    """Make the external function ``name`` callable, or raise RuntimeError."""
    if name.startswith(("llvm.", BLAS_PREFIX)) or name in _registered:
        return
    if not _resolve(name):
        raise RuntimeError(
            f"the generated code calls {name!r}, which neither libm nor libc provides"
        )


def host() -> tuple[str, str]:
    """The host CPU's name and features, as code is compiled for them."""
    return _host()


@functools.cache
def _host() -> tuple[str, str]:
    _init()
    return llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten()


_BLAS_REF = re.compile(re.escape(BLAS_PREFIX))
_blas_registered = False


def _register_blas(llvm_ir: str) -> None:
    """OpenBLAS's routines, but ``gemm``: the runtime's own (small products without
    OpenBLAS's overhead, ``small_gemm.py``), compiled for the precisions ``llvm_ir`` calls."""
    global _blas_registered
    if not _blas_registered:
        register_symbols({k: v for k, v in blas_symbols().items() if not k.endswith("gemm")})
        _blas_registered = True
    from tensorir.runtime import small_gemm

    for p in "ds":
        name = f"{BLAS_PREFIX}{p}gemm"
        if name in llvm_ir:
            register_symbols({name: small_gemm.address(p)})


_optimized_here = 0  # modules this process has optimised itself


def _optimize_here() -> bool:
    """Whether this process runs the next module's LLVM pipeline itself (see optimizer.py:
    the first ``config.llvm_opt_in_process`` modules, or all when it is -1)."""
    global _optimized_here
    limit = config.llvm_opt_in_process
    if limit == -1 or _optimized_here < limit:
        _optimized_here += 1
        return True
    return False


class JITLibrary:
    """LLVM IR text optimised at O3 for the host CPU and compiled in memory.

    ``address(name)`` gives an entry point's address; the library must stay alive while
    that address is used.
    """

    def __init__(
        self,
        llvm_ir: str,
        opt_level: int = 3,
        object_code: bytes | None = None,
        runtime: bool = False,
    ):
        """``llvm_ir`` compiled; with ``object_code`` (its code as compiled before: the
        compile cache's), that code is loaded instead and ``llvm_ir`` only says what of the
        runtime it calls. ``object_code`` afterwards holds the code. ``runtime``: a module of
        the runtime itself (``runtime_library``), which calls none of its helpers."""
        _init()
        self.llvm_ir = llvm_ir  # as emitted, before optimisation
        self.opt_level = opt_level
        if not runtime:
            if _BLAS_REF.search(llvm_ir):
                _register_blas(llvm_ir)
            if PARALLEL_FOR in llvm_ir:
                threads.pool()  # compiled once; registers tir_parallel_for
            if ALLOC in llvm_ir:
                alloc.address(ALLOC)  # compiled once; registers tir_alloc and tir_release
        cpu, features = _host()
        # One TargetMachine per engine: the engine uses it for as long as it lives.
        self._tm = optimizer.target_machine(cpu, features, opt_level, jit=True)
        if object_code is not None:
            self._optimized_ir: str | None = None  # made again only if asked for
            for name in _DECLARED.findall(llvm_ir):
                _resolve_declared(name)
            self._module = llvm.parse_assembly("")
            self._engine = llvm.create_mcjit_compiler(self._module, self._tm)
            self._engine.add_object_file(llvm.ObjectFileRef.from_data(object_code))
            self._engine.finalize_object()
            self.object_code = object_code
            return
        if _optimize_here():
            mod = llvm.parse_assembly(llvm_ir)
            mod.verify()
            optimizer.run_pipeline(mod, self._tm, opt_level)
            self._optimized_ir = str(mod)
        else:
            self._optimized_ir = optimizer.optimize_in_helper(llvm_ir, cpu, features, opt_level)
            mod = llvm.parse_assembly(self._optimized_ir)
        _resolve_declarations(mod)
        self._module = mod
        self._engine = llvm.create_mcjit_compiler(mod, self._tm)
        compiled: list[bytes] = []
        self._engine.set_object_cache(lambda _module, code: compiled.append(bytes(code)))
        self._engine.finalize_object()
        self.object_code = compiled[0] if compiled else None

    @property
    def optimized_ir(self) -> str:
        """The LLVM IR as optimised (for code loaded from the compile cache: optimised again,
        the same pipeline giving the same IR, when first asked for)."""
        if self._optimized_ir is None:
            cpu, features = _host()
            self._optimized_ir = optimizer.optimize_in_helper(
                self.llvm_ir, cpu, features, self.opt_level
            )
        return self._optimized_ir

    def address(self, name: str) -> int:
        """The address of the compiled function ``name``; KeyError if there is none."""
        addr = self._engine.get_function_address(name)
        if not addr:
            raise KeyError(f"no compiled function named {name!r}")
        return addr

    def global_address(self, name: str) -> int:
        """The address of the global variable ``name``; KeyError if there is none."""
        addr = self._engine.get_global_value_address(name)
        if not addr:
            raise KeyError(f"no global named {name!r}")
        return addr

    def asm(self) -> str:
        """The optimised module as host assembly (for debugging)."""
        return self._tm.emit_assembly(llvm.parse_assembly(self.optimized_ir))


def runtime_library(name: str, make_ir: Callable[[], str], opt_level: int) -> JITLibrary:
    """A module of the runtime itself (the allocator, the thread pool, the small matrix
    products), ``name`` (with what decides its text: ``tensorir_alloc cache``), whose LLVM IR
    ``make_ir`` builds: compiled for this CPU, or its code loaded from the compile cache
    (keyed by ``name`` and tensorir's sources: the IR is not even built), so that a new
    process does not compile them again."""
    from tensorir.runtime import cache

    parts = cache.runtime_parts(name, opt_level, *_host())
    entry = cache.load(parts, log=False)
    if entry is not None:
        return JITLibrary(entry.llvm_ir, opt_level, object_code=entry.object_code, runtime=True)
    llvm_ir = make_ir()
    library = JITLibrary(llvm_ir, opt_level, runtime=True)
    if library.object_code is not None:
        cache.store(parts, cache.Entry("", None, llvm_ir, library.object_code))
    return library
