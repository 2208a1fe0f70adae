"""The on-disk compile cache: a compiled function's object code, found again by its key.

A key is the SHA-256 of the parts that decide the code (``key_parts``): the function's IR as
first emitted (``compiler.fingerprint``: all that the generic printer prints; its symbol
replaced by a fixed name, so that the same program hits whatever its name in this process),
the pass plan, the math library, the host CPU and its features,
and the versions of tensorir (its source files' sizes and times), xDSL, llvmlite and LLVM.
An entry (``Entry``) holds the object code MCJIT produced, the emitted LLVM IR (the
runtime's dependencies are read from it, and ``f.ir("llvm")`` shows it), the entry point's
symbol and its calling convention. The runtime's own modules (``jit.runtime_library``) are
kept the same way, under their names and tensorir's sources (``runtime_parts``).

- The directory is ``config.cache_dir`` (default ``$XDG_CACHE_HOME/tensorir``, else
  ``~/.cache/tensorir``), created private to the user (mode 0700). Code is never loaded from
  a directory that another user owns or may write: the cache is then off, with one warning.
- An entry is written to a temporary file and renamed into place: two processes compiling
  the same function at once both succeed, and a reader never sees half an entry.
- An entry that cannot be read (truncated, corrupted, of another format, or for another
  key) is ignored, rebuilt and reported once; a directory that cannot be written leaves
  the cache off for this process, with one warning.
- ``config.log_compiles`` says for each compile whether it hit and, on a miss, why: the
  first part of the key that differs from the last entry of the same IR, or that no entry
  of that IR exists.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import stat
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tensorir.config import config

FORMAT = 1
"""The entries' format: an entry of another format is ignored (and rebuilt)."""

MAGIC = b"TENSORIR-CACHE\n"


class CacheWarning(UserWarning):
    """The compile cache could not be used as asked (it compiles without it)."""


@dataclass(frozen=True)
class Entry:
    """A compiled function: its entry point, calling convention and code."""

    symbol: str
    abi: Any  # abi.FunctionABI
    llvm_ir: str  # as emitted
    object_code: bytes


_warned: set[str] = set()


def _warn_once(what: str, message: str) -> None:
    if what not in _warned:
        _warned.add(what)
        warnings.warn(f"tensorir compile cache: {message}", CacheWarning, stacklevel=4)


def directory() -> Path | None:
    """The cache's directory, created private to the user; None when the cache is off or the
    directory may not be used (with one warning)."""
    if config.cache != "on":
        return None
    where = config.cache_dir or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "tensorir",
    )
    path = Path(where)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.stat()
    except OSError as e:
        _warn_once(f"dir {path}", f"cannot create {path} ({e}); compiling without it")
        return None
    if st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        _warn_once(
            f"unsafe {path}",
            f"{path} is owned by another user or writable by others: code is never loaded "
            "from it; compiling without the cache (use a directory private to you: "
            "TENSORIR_FLAGS=cache_dir=...)",
        )
        return None
    return path


@functools.cache
def _source_hash() -> str:
    """tensorir's own source files, each by its path, size and modification time (a stat,
    not a read: a few ms): an edited pass never hits code compiled before the edit."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        st = f.stat()
        h.update(f"{f.relative_to(root)} {st.st_size} {st.st_mtime_ns}\n".encode())
    return h.hexdigest()


@functools.cache
def _versions() -> dict[str, str]:
    import llvmlite
    import llvmlite.binding as llvm
    import xdsl

    import tensorir

    return {
        "tensorir": f"{tensorir.__version__} {_source_hash()[:16]}",
        # its installed files (a version number costs a scan of the installed metadata, 20
        # ms): another install of xDSL writes them again
        "xdsl": _installed(xdsl.__file__),
        "llvmlite": llvmlite.__version__,
        "llvm": ".".join(map(str, llvm.llvm_version_info)),
        "python": sys.version.split()[0],
    }


def _installed(init: str | None) -> str:
    """A package by its ``__init__.py``: path, size and modification time."""
    if init is None:
        return "?"
    st = os.stat(init)
    return f"{init} {st.st_size} {st.st_mtime_ns}"


def runtime_parts(name: str, opt_level: int, cpu: str, features: str) -> dict[str, str]:
    """What decides the code of the runtime's module ``name`` (``jit.runtime_library``):
    tensorir's sources (which generate its IR), the optimisation level, the CPU and the LLVM
    that compiles it (no xDSL: the runtime alone uses these)."""
    import llvmlite
    import llvmlite.binding as llvm

    return {
        "format": str(FORMAT),
        "ir": f"runtime module {name}",
        "passes": f"O{opt_level}",
        "cpu": cpu,
        "features": features,
        "tensorir": _source_hash(),
        "llvmlite": llvmlite.__version__,
        "llvm": ".".join(map(str, llvm.llvm_version_info)),
    }


def key_parts(ir: str, symbol: str, plan: Any, cpu: str, features: str) -> dict[str, str]:
    """What decides a function's code, part by part (in the order a miss reports them)."""
    return {
        "format": str(FORMAT),
        "ir": ir.replace(f"@{symbol}", "@__tensorir_entry__").replace(
            f'sym_name="{symbol}"', 'sym_name="__tensorir_entry__"'
        ),
        "passes": repr((sorted(plan.exclude), plan.extra, plan.llvm_opt_level)),
        "math": config.math,
        "cpu": cpu,
        "features": features,
        **_versions(),
    }


def key_of(parts: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _ir_key(parts: dict[str, str]) -> str:
    return hashlib.sha256(parts["ir"].encode()).hexdigest()


def load(parts: dict[str, str], log: bool = True) -> Entry | None:
    """The entry for ``parts``; None on a miss (said with ``config.log_compiles`` when
    ``log``)."""
    path = directory()
    if path is None:
        return None
    key = key_of(parts)
    file = path / f"{key}.entry"
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        if log:
            _log_miss(path, parts)
        return None
    except OSError as e:
        _warn_once(f"read {file}", f"cannot read {file} ({e}); compiling it again")
        return None
    try:
        payload = _unseal(data)
        stored = pickle.loads(payload)  # noqa: S301 - sealed, in a directory private to the user
        if stored.get("format") != FORMAT or stored.get("key") != key:
            raise ValueError(f"format {stored.get('format')}, key {stored.get('key')}")
        entry = stored["entry"]
        if not isinstance(entry, Entry):
            raise TypeError(type(entry).__name__)
    except Exception as e:  # noqa: BLE001 - any damage: rebuild
        _warn_once(f"bad {file}", f"ignoring the damaged entry {file.name} ({e}); rebuilding it")
        return None
    if log and config.log_compiles:
        print(f"tensorir: compile cache hit {key[:12]}", file=sys.stderr)
    return entry


def _seal(payload: bytes) -> bytes:
    """``payload`` behind the magic line and its SHA-256: damage anywhere is detected before
    any of it is unpickled or loaded as code."""
    return MAGIC + hashlib.sha256(payload).digest() + payload


def _unseal(data: bytes) -> bytes:
    """The payload of a sealed entry; ValueError if it is not one or was damaged."""
    if not data.startswith(MAGIC):
        raise ValueError("not a tensorir cache entry")
    digest, payload = data[len(MAGIC) : len(MAGIC) + 32], data[len(MAGIC) + 32 :]
    if hashlib.sha256(payload).digest() != digest:
        raise ValueError("its checksum does not match: truncated or damaged")
    return payload


def _log_miss(path: Path, parts: dict[str, str]) -> None:
    if not config.log_compiles:
        return
    why = "no entry for this IR"
    try:
        last = json.loads((path / f"{_ir_key(parts)}.parts").read_text())
        changed = next((k for k in parts if k != "ir" and last.get(k) != parts[k]), None)
        if changed is not None:
            why = f"{changed} differs from the last entry of this IR"
    except (OSError, ValueError):
        pass
    print(f"tensorir: compile cache miss: {why}", file=sys.stderr)


def store(parts: dict[str, str], entry: Entry) -> None:
    """Write ``entry`` for ``parts`` (atomically); a failure turns the cache off."""
    path = directory()
    if path is None:
        return
    key = key_of(parts)
    blob = _seal(pickle.dumps({"format": FORMAT, "key": key, "entry": entry}))
    summary = json.dumps({k: v if k != "ir" else "" for k, v in parts.items()})
    try:
        _write(path, f"{key}.entry", blob)
        _write(path, f"{_ir_key(parts)}.parts", summary.encode())
    except OSError as e:
        _warn_once(f"write {path}", f"cannot write to {path} ({e}); compiling without it")
        config.cache = "off"


def _write(path: Path, name: str, data: bytes) -> None:
    write_atomically(path / name, lambda f: f.write(data), ".tmp-")


def write_atomically(target: Path, write: Callable[[IO[bytes]], object], prefix: str) -> None:
    """``write`` a temporary file (named ``prefix...``) next to ``target``, then rename it to
    ``target``: a reader sees the old file or the whole new one, never a part."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=prefix)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@dataclass(frozen=True)
class Listed:
    """One entry as ``tensorir cache list`` shows it."""

    key: str
    what: str  # the function's symbol when first compiled, "runtime module", or "damaged"
    size: int
    modified: float


def listing(path: Path) -> list[Listed]:
    """The entries in ``path``, newest first (damaged ones too, so that ``clear`` is seen to
    be needed)."""
    found = []
    for file in path.glob("*.entry"):
        try:
            st = file.stat()
            entry = pickle.loads(_unseal(file.read_bytes()))["entry"]  # noqa: S301
            what = entry.symbol or "runtime module"
        except Exception:  # noqa: BLE001 - shown, not loaded
            what = "damaged"
            st = file.stat()
        found.append(Listed(file.stem, what, st.st_size, st.st_mtime))
    return sorted(found, key=lambda e: -e.modified)


def clear(path: Path) -> tuple[int, int]:
    """Remove every entry, summary and left-over temporary file in ``path``; the number of
    entries and the bytes freed."""
    entries = freed = 0
    for file in [*path.glob("*.entry"), *path.glob("*.parts"), *path.glob(".tmp-*")]:
        try:
            size = file.stat().st_size
            file.unlink()
        except FileNotFoundError:
            continue  # another process removed it meanwhile
        freed += size
        entries += file.suffix == ".entry"
    return entries, freed
