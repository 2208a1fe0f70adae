"""The on-disk compile cache (``runtime/cache.py``): a function compiled by one process is
loaded, not compiled, by the next; a change of what decides the code misses and says why;
damaged entries, concurrent writers, unwritable and unsafe directories."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tensorir
from tensorir import config
from tensorir import tensor as T
from tensorir.runtime import cache

PROGRAM = textwrap.dedent(
    """
    import numpy as np, tensorir
    from tensorir import tensor as T
    x = T.dmatrix("x")
    w = tensorir.shared(np.ones((3, 2)), "w")
    f = tensorir.function([x], T.tanh(T.dot(x, w)).sum(), updates=[(w, w * 2)])
    print(repr(f(np.arange(12.0).reshape(4, 3) / 10)), w.get_value().sum())
    """
)


def run(directory: Path, flags: str = "", before: str = "") -> subprocess.CompletedProcess[str]:
    """PROGRAM in a new process using the cache in ``directory``, ``before`` run first (on
    PROGRAM's first line, empty)."""
    env = {**os.environ, "TENSORIR_FLAGS": f"cache_dir={directory},log_compiles=1{flags}"}
    return subprocess.run([sys.executable, "-c", before + PROGRAM], capture_output=True,
                          text=True, env=env, check=True)  # fmt: skip


@pytest.fixture
def cache_dir(tmp_path: Path) -> Any:
    saved = config.cache, config.cache_dir, config.log_compiles
    config.cache, config.cache_dir = "on", str(tmp_path / "cache")
    cache._warned.clear()
    yield tmp_path / "cache"
    config.cache, config.cache_dir, config.log_compiles = saved


def test_a_second_process_loads_the_code_the_first_compiled(tmp_path: Path) -> None:
    first, second = run(tmp_path), run(tmp_path)
    assert "compile cache miss: no entry for this IR" in first.stderr
    assert "compile cache hit" in second.stderr
    assert first.stdout == second.stdout  # the same results, the update applied


def test_the_runtime_modules_are_loaded_by_the_next_process_too(tmp_path: Path) -> None:
    run(tmp_path)
    check = (
        "from tensorir.runtime import alloc, small_gemm, threads; "
        "alloc.address('tir_alloc'); small_gemm.address('d'); "
        "print([m._optimized_ir is None for m in (alloc._library(), threads.pool()._library)])"
    )
    env = {**os.environ, "TENSORIR_FLAGS": f"cache_dir={tmp_path}"}
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "[True, True]", out.stderr  # loaded, not compiled


def test_the_directory_is_private_to_the_user(tmp_path: Path) -> None:
    run(tmp_path / "new")
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700


def test_a_miss_says_which_part_of_the_key_changed(tmp_path: Path) -> None:
    run(tmp_path)
    other = run(tmp_path, ",math=libm")
    assert "compile cache miss: math differs from the last entry of this IR" in other.stderr
    # code calling libm (tanh) loaded: its external functions resolved without its module
    again = run(tmp_path, ",math=libm")
    assert "compile cache hit" in again.stderr and again.stdout == other.stdout


def test_a_new_version_of_a_dependency_misses(tmp_path: Path) -> None:
    run(tmp_path)
    upgraded = (  # on PROGRAM's first line, empty: the lines of the graph (in its IR) stay
        "from tensorir.runtime import cache; "
        "versions = {**cache._versions(), 'llvmlite': '99.0'}; "
        "cache._versions = lambda: versions"
    )
    other = run(tmp_path, before=upgraded)
    assert "compile cache miss: llvmlite differs from the last entry of this IR" in other.stderr
    assert other.stdout == run(tmp_path).stdout
    assert "compile cache hit" in run(tmp_path, before=upgraded).stderr  # both kept


def test_the_same_program_hits_whatever_its_name_in_the_process(cache_dir: Path) -> None:
    x = T.dvector("x")
    y = T.exp(x) + 1  # built on one line: the same messages, the same IR
    f = tensorir.function([x], y)
    entries = list(cache_dir.glob("*.entry"))
    g = tensorir.function([x], y)  # another symbol, the same code
    assert f.symbol != g.symbol
    assert list(cache_dir.glob("*.entry")) == entries
    np.testing.assert_array_equal(g(np.arange(3.0)), np.exp(np.arange(3.0)) + 1)
    assert f.ir("llvm") == g.ir("llvm")


def test_a_damaged_entry_is_rebuilt_and_reported_once(cache_dir: Path) -> None:
    x = T.dvector("x")
    y = x * 3
    tensorir.function([x], y)
    (entry,) = cache_dir.glob("*.entry")
    entry.write_bytes(entry.read_bytes()[:40])  # truncated
    with pytest.warns(cache.CacheWarning, match="ignoring the damaged entry"):
        f = tensorir.function([x], y)
    assert f([1.0, 2.0]).tolist() == [3.0, 6.0]
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0x10  # one bit of the code flipped: never loaded
    entry.write_bytes(bytes(data))
    cache._warned.clear()
    with pytest.warns(cache.CacheWarning, match="checksum does not match"):
        assert tensorir.function([x], y)([2.0]).tolist() == [6.0]
    entry.write_bytes(b"something else entirely")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reported once per entry: no second warning
        cache._warned.add(f"bad {entry}")
        assert tensorir.function([x], y)([1.0]).tolist() == [3.0]
    assert entry.read_bytes().startswith(cache.MAGIC)  # rebuilt


def test_a_corrupted_entry_in_another_process_is_rebuilt(tmp_path: Path) -> None:
    first = run(tmp_path)
    entries = {p: p.read_bytes() for p in tmp_path.glob("*.entry")}
    for path, data in entries.items():  # every entry, the runtime's too: a byte changed
        damaged = bytearray(data)
        damaged[len(data) // 3] ^= 0xFF
        path.write_bytes(bytes(damaged))
    again = run(tmp_path)
    assert again.stdout == first.stdout
    assert again.stderr.count("ignoring the damaged entry") == len(entries)
    assert {p: p.read_bytes() for p in tmp_path.glob("*.entry")} == entries  # rebuilt
    assert "compile cache hit" in run(tmp_path).stderr


def test_an_entry_of_another_format_or_key_is_ignored(cache_dir: Path) -> None:
    import pickle

    x = T.dvector("x")
    y = x - 1
    tensorir.function([x], y)
    (entry,) = cache_dir.glob("*.entry")
    stored = pickle.loads(cache._unseal(entry.read_bytes()))
    for changed, why in (({"format": 999}, "format 999"), ({"key": "0" * 64}, "key 000")):
        entry.write_bytes(cache._seal(pickle.dumps({**stored, **changed})))
        cache._warned.clear()
        with pytest.warns(cache.CacheWarning, match=why):
            assert tensorir.function([x], y)([1.0]).tolist() == [0.0]


def test_processes_compiling_the_same_function_at_once_all_succeed(tmp_path: Path) -> None:
    env = {**os.environ, "TENSORIR_FLAGS": f"cache_dir={tmp_path}"}
    command = [sys.executable, "-c", PROGRAM]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for _ in range(4)]  # fmt: skip
    outs = [p.communicate() for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
    assert len({o for o, _ in outs}) == 1
    run(tmp_path / "alone")  # the entries one process writes: the function's, the runtime's
    alone = {p.name for p in (tmp_path / "alone").glob("*.entry")}
    assert {p.name for p in tmp_path.glob("*.entry")} == alone
    assert not list(tmp_path.glob(".tmp-*"))


@pytest.mark.skipif(os.getuid() == 0, reason="root may write anywhere")
def test_an_unwritable_directory_compiles_without_the_cache(cache_dir: Path) -> None:
    cache_dir.mkdir(mode=0o500)
    x = T.dvector("x")
    with pytest.warns(cache.CacheWarning, match="cannot write"):
        assert tensorir.function([x], x + 5)([1.0]).tolist() == [6.0]


def test_a_directory_that_cannot_be_made_compiles_without_the_cache(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    done = run(tmp_path / "file" / "cache")  # under a file: even root cannot make it
    assert done.stderr.count("CacheWarning: tensorir compile cache: cannot create") == 1
    assert done.stdout == run(tmp_path / "cache").stdout


def test_a_directory_others_may_write_is_never_used(cache_dir: Path) -> None:
    cache_dir.mkdir()
    cache_dir.chmod(0o777)
    x = T.dvector("x")
    with pytest.warns(cache.CacheWarning, match="writable by others: code is never loaded"):
        assert tensorir.function([x], x + 7)([1.0]).tolist() == [8.0]
    assert not list(cache_dir.iterdir())


def test_cache_off_writes_nothing(cache_dir: Path) -> None:
    config.cache = "off"
    x = T.dvector("x")
    tensorir.function([x], x + 9)
    assert not cache_dir.exists()


def test_debug_mode_is_never_cached(cache_dir: Path) -> None:
    x = T.dvector("x")
    f = tensorir.function([x], x * 2, mode="DebugMode")
    assert f([1.0]).tolist() == [2.0]
    assert not list(cache_dir.glob("*.entry"))


def test_an_unpickled_function_loads_its_code_from_the_cache(
    cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pickle

    config.log_compiles = 1
    x = T.dvector("x")
    w = tensorir.shared(np.arange(3.0), "w")
    f = tensorir.function([x], (x * w).sum(), updates=[(w, w + 1)])
    g = pickle.loads(pickle.dumps(f))
    err = capsys.readouterr().err
    assert "compile cache miss" in err and "compile cache hit" in err
    assert g([1.0, 1.0, 1.0]) == 3.0 and f([1.0, 1.0, 1.0]) == 3.0
