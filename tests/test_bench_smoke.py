"""bench/run.py runs and prints its table (a smoke test: no times are checked)."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_bench_run_quick_prints_the_table():
    out = subprocess.run(
        [sys.executable, os.path.join(ROOT, "bench", "run.py"), "--quick", "--only", "W1"]
        + ["--systems", "tensorir,numpy", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert any(line.startswith("workload") and "best peer" in line for line in lines), out.stdout
    (row,) = [line for line in lines if line.startswith("W1 scalar add")]
    assert "FAIL" not in row and "goal" not in row, out.stdout
    assert "failed" not in out.stdout, out.stdout
