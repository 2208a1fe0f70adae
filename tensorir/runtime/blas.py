"""The OpenBLAS that numpy's wheel bundles, called directly from compiled code.

Compiled code calls ``tensorir_cblas_<x>`` with CBLAS arguments (ILP64: every integer,
enums included, is an ``int64_t``); these names map to the bundled library's
``scipy_cblas_<x>64_`` symbols.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import os

import numpy as np

from tensorir.abi import BLAS_PREFIX

ROUTINES = ("dgemm", "sgemm", "dgemv", "sgemv", "ddot", "sdot")
PREFIX = BLAS_PREFIX

CBLAS_ROW_MAJOR = 101
CBLAS_NO_TRANS = 111
CBLAS_TRANS = 112


def _candidates() -> list[str]:
    site = os.path.dirname(os.path.dirname(os.path.abspath(np.__file__)))
    pkg = os.path.dirname(os.path.abspath(np.__file__))
    found: list[str] = []
    for d in (os.path.join(site, "numpy.libs"), os.path.join(pkg, ".libs")):
        found += sorted(glob.glob(os.path.join(d, "libscipy_openblas64_*.so*")))
    return found


@functools.cache
def _load() -> tuple[ctypes.CDLL, dict[str, int]]:
    errors = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
            syms = {
                PREFIX + r: ctypes.cast(getattr(lib, f"scipy_cblas_{r}64_"), ctypes.c_void_p).value
                for r in ROUTINES
            }
            return lib, {k: v for k, v in syms.items() if v}
        except (OSError, AttributeError) as e:
            errors.append(f"{path}: {e}")
    raise RuntimeError(
        "tensorir needs the ILP64 OpenBLAS bundled with numpy's wheel (libscipy_openblas64_) "
        "for BLAS calls, but did not find it"
        + (": " + "; ".join(errors) if errors else f" next to numpy ({np.__file__})")
    )


def blas_symbols() -> dict[str, int]:
    """Our BLAS symbol names mapped to addresses; RuntimeError if no BLAS is found."""
    return dict(_load()[1])


def blas_available() -> bool:
    try:
        _load()
    except RuntimeError:
        return False
    return True
