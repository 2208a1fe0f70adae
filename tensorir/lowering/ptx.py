"""Kernel LLVM IR (``gpu_emitter``'s ``nvptx`` target) to PTX with llvmlite's NVPTX back end.

libdevice (``libdevice.10.bc``: CUDA's ``nvvm/libdevice``, or the ``nvidia-nvvm`` wheel) is
linked in when the kernels call it, and its functions are made internal before O3, so only
those called remain (a few KiB of PTX rather than 680). ``TENSORIR_LIBDEVICE`` names the file
explicitly. ``ptxas`` (CUDA's, or the ``nvidia-cuda-nvcc`` wheel's) assembles PTX without a
GPU: ``assemble`` runs it, to check the PTX the compiler makes.
"""

from __future__ import annotations

import glob
import os
import shutil
import site
import subprocess
import sys
import tempfile
from functools import cache

import llvmlite.binding as llvm

from tensorir.lowering.gpu_emitter import NVPTX_TRIPLE

ARCHS = ("sm_75", "sm_80", "sm_86", "sm_89", "sm_90", "sm_100", "sm_120")
DEFAULT_ARCH = "sm_90"

_WHEEL_DIRS = ("nvidia/cu13", "nvidia/cuda_nvcc", "nvidia/cuda_nvvm", "nvidia/nvvm", "nvidia")


def _site_dirs() -> list[str]:
    dirs = list(site.getsitepackages()) + [site.getusersitepackages()]
    dirs += [p for p in sys.path if p.endswith("site-packages")]
    return list(dict.fromkeys(d for d in dirs if os.path.isdir(d)))


def _cuda_homes() -> list[str]:
    homes = [os.environ.get(k, "") for k in ("CUDA_HOME", "CUDA_PATH")]
    homes += sorted(glob.glob("/usr/local/cuda*"), reverse=True)
    return [h for h in homes if h and os.path.isdir(h)]


@cache
def find_libdevice() -> str | None:
    """The path of ``libdevice.10.bc``: ``TENSORIR_LIBDEVICE``, the ``nvidia-nvvm`` wheel,
    then a CUDA installation; None if there is none."""
    named = os.environ.get("TENSORIR_LIBDEVICE")
    if named:
        return named if os.path.isfile(named) else None
    roots = [os.path.join(d, w) for d in _site_dirs() for w in _WHEEL_DIRS] + _cuda_homes()
    for r in roots:
        hits = sorted(glob.glob(os.path.join(r, "**", "libdevice*.bc"), recursive=True))
        if hits:
            return hits[0]
    return None


@cache
def find_ptxas() -> str | None:
    """The path of ``ptxas``: on ``PATH``, in the ``nvidia-cuda-nvcc`` wheel, or in a CUDA
    installation; None if there is none."""
    found = shutil.which("ptxas")
    if found:
        return found
    roots = [os.path.join(d, w) for d in _site_dirs() for w in _WHEEL_DIRS] + _cuda_homes()
    for r in roots:
        for hit in sorted(glob.glob(os.path.join(r, "**", "bin", "ptxas"), recursive=True)):
            if os.access(hit, os.X_OK):
                return hit
    return None


class LibdeviceNotFound(RuntimeError):
    """The kernels call libdevice and no ``libdevice.10.bc`` was found."""


@cache
def _libdevice_bitcode(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _init() -> None:
    llvm.initialize_all_targets()
    llvm.initialize_all_asmprinters()


def to_ptx(kernels_ir: str, arch: str = DEFAULT_ARCH, opt_level: int = 3) -> str:
    """PTX for the kernels of ``kernels_ir`` on ``arch`` (``sm_80``, ``sm_90``, ...)."""
    if arch not in ARCHS:
        raise ValueError(f"arch must be one of {', '.join(ARCHS)}, got {arch!r}")
    _init()
    mod = llvm.parse_assembly(kernels_ir)
    target = llvm.Target.from_triple(NVPTX_TRIPLE)
    tm = target.create_target_machine(cpu=arch, features="", opt=opt_level, codemodel="default")
    mod.triple = NVPTX_TRIPLE
    mod.data_layout = str(tm.target_data)
    if any(f.is_declaration and f.name.startswith("__nv_") for f in mod.functions):
        path = find_libdevice()
        if path is None:
            raise LibdeviceNotFound(
                "the kernels call libdevice (the GPU's math functions) and no libdevice.10.bc "
                "was found: install the nvidia-nvvm wheel (pip install nvidia-nvvm), or CUDA, "
                "or set TENSORIR_LIBDEVICE to the file's path"
            )
        lib = llvm.parse_bitcode(_libdevice_bitcode(path))
        lib.triple = mod.triple
        lib.data_layout = mod.data_layout
        mod.link_in(lib)
        for fn in mod.functions:
            if not fn.is_declaration and fn.name.startswith("__nv_"):
                fn.linkage = llvm.Linkage.internal
    mod.verify()
    pto = llvm.PipelineTuningOptions(speed_level=opt_level)
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(mod, pb)
    return tm.emit_assembly(mod)


class PtxasError(RuntimeError):
    """``ptxas`` rejected the PTX."""


def assemble(ptx: str, arch: str = DEFAULT_ARCH) -> str:
    """Assemble ``ptx`` for ``arch`` with ``ptxas``; its report (``-v``: registers, spills).
    Raises ``FileNotFoundError`` without ``ptxas``, ``PtxasError`` when it fails."""
    exe = find_ptxas()
    if exe is None:
        raise FileNotFoundError(
            "ptxas not found: install the nvidia-cuda-nvcc wheel or CUDA, or put ptxas on PATH"
        )
    with tempfile.TemporaryDirectory() as d:
        src, out = os.path.join(d, "k.ptx"), os.path.join(d, "k.cubin")
        with open(src, "w") as f:
            f.write(ptx)
        r = subprocess.run(
            [exe, f"-arch={arch}", "-v", src, "-o", out], capture_output=True, text=True
        )
    if r.returncode != 0:
        raise PtxasError(f"ptxas -arch={arch} failed:\n{r.stderr.strip()}")
    return r.stderr
