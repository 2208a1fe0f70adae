"""The ``tensorir`` command (``tensorir/cli.py``): the compile cache listed, sized, cleared."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def tensorir_command(*args: str, cache_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if cache_dir is not None:
        env["TENSORIR_FLAGS"] = f"cache_dir={cache_dir}"
    return subprocess.run([sys.executable, "-m", "tensorir", *args], capture_output=True,
                          text=True, env=env)  # fmt: skip


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """A cache holding one function's entry and the runtime modules'."""
    program = (
        "import tensorir; from tensorir import tensor as T; x = T.dvector('x'); "
        "tensorir.function([x], T.exp(x), name='softplus_part')([1.0])"
    )
    env = {**os.environ, "TENSORIR_FLAGS": f"cache_dir={tmp_path / 'c'}"}
    subprocess.run([sys.executable, "-c", program], env=env, check=True)
    return tmp_path / "c"


def test_cache_list_size_and_clear(filled: Path) -> None:
    listed = tensorir_command("cache", "list", cache_dir=filled)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    entries = len(list(filled.glob("*.entry")))
    assert entries >= 2 and len(lines) == entries + 1
    assert any(line.endswith("softplus_part_0") for line in lines)
    assert any(line.endswith("runtime module") for line in lines)
    assert lines[-1].startswith(f"{entries} entries, ") and lines[-1].endswith(str(filled))
    size = tensorir_command("cache", "size", "--dir", str(filled))  # --dir: the same cache
    assert size.stdout.strip() == lines[-1]
    (filled / "0123.entry").write_bytes(b"junk")
    assert "damaged" in tensorir_command("cache", "list", cache_dir=filled).stdout
    cleared = tensorir_command("cache", "clear", cache_dir=filled)
    assert cleared.stdout.startswith(f"removed {entries + 1} entries")
    assert not list(filled.iterdir())
    assert tensorir_command("cache", "size", cache_dir=filled).stdout.startswith("0 entries")
    assert tensorir_command("cache", "dir", cache_dir=filled).stdout.strip() == str(filled)


def test_mistakes_are_a_line_and_an_exit_status(tmp_path: Path) -> None:
    wrong = tensorir_command("cache", "shrink")
    assert wrong.returncode == 2 and "invalid choice: 'shrink'" in wrong.stderr
    (tmp_path / "shared").mkdir(mode=0o777)
    (tmp_path / "shared").chmod(0o777)
    unsafe = tensorir_command("cache", "list", "--dir", str(tmp_path / "shared"))
    assert unsafe.returncode == 1 and "Traceback" not in unsafe.stderr
    assert "writable by others" in unsafe.stderr
