"""``tensorir-opt`` as a user meets it, run in subprocesses: its help, its version, one-line
errors for every mistake, and every level of a compiled function lowered the rest of the way."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

import tensorir
from tensorir import tensor
from tensorir.lowering.pipelines import LEVELS, PASSES, PIPELINES

ROOT = Path(__file__).resolve().parent.parent
MODULE_LEVELS = list(LEVELS)  # what f.ir prints as MLIR; its "llvm" is LLVM IR, not read back


def opt(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run this checkout's tensorir-opt (``python -m tensorir.opt``)."""
    return subprocess.run(
        [sys.executable, "-m", "tensorir.opt", *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """The error of a run that failed as it should: status 1, one line on stderr."""
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


# ------------------------------------------------------------------ packaging


def test_console_script_is_in_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["tensorir-opt"] == "tensorir.opt:main"
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["tensorir*"]
    assert not (ROOT / "tools").exists()
    from tensorir.opt import main

    assert callable(main)


# ------------------------------------------------------------------ help and version


def test_help_lists_our_passes_first_with_a_line_each() -> None:
    done = opt("--help")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    options = out.index("\noptions:")
    for name in [*PASSES, *PIPELINES]:
        line = re.search(rf"^  {re.escape(name)} +(\S.*)$", out, re.MULTILINE)
        assert line is not None, name
        assert line.start() < options
        assert line.group(1).endswith("."), line.group(0)
    # xDSL's passes are counted, not listed, above the options
    assert re.search(r"xDSL's \d+ passes run too \(--list-xdsl-passes", out)
    assert "convert-linalg-to-loops" not in out[:options]


def test_every_pass_has_a_one_line_summary() -> None:
    for name, factory in {**PASSES, **PIPELINES}.items():
        doc = factory().__doc__ or ""
        first = doc.strip().splitlines()[0] if doc.strip() else ""
        assert first.endswith("."), f"{name}: {first!r}"


def test_list_xdsl_passes() -> None:
    done = opt("--list-xdsl-passes")
    assert done.returncode == 0, done.stderr
    names = done.stdout.split()
    assert "dce" in names and "convert-linalg-to-loops" in names
    assert "tir-fuse" not in names


def test_version() -> None:
    from importlib.metadata import version

    import llvmlite
    import xdsl  # noqa: F401

    done = opt("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"tensorir-opt {tensorir.__version__} "
        f"(xdsl {version('xdsl')}, llvmlite {llvmlite.__version__})"
    )


# ------------------------------------------------------------------ one-line mistakes


def test_unknown_pass_suggests_the_nearest() -> None:
    line = one_line_error(opt("-", "-p", "tir-to-linalg,tir-fus", input=""))
    assert line == "tensorir-opt: unknown pass 'tir-fus' (did you mean 'tir-fuse'?)"


def test_unknown_target_suggests_the_nearest() -> None:
    line = one_line_error(opt("-", "-t", "llmv", input=""))
    assert line == "tensorir-opt: unknown target 'llmv' (did you mean 'llvm'?)"


def test_unknown_pass_option() -> None:
    line = one_line_error(opt("-", "-p", "tir-nan-guard{nan=true bogus=false}", input=""))
    assert "bogus" in line


def test_malformed_pipeline() -> None:
    line = one_line_error(opt("-", "-p", "tir-fuse{", input=""))
    assert line.startswith("tensorir-opt: malformed -p 'tir-fuse{'")


def test_malformed_ir_points_at_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.mlir"
    bad = "  %0 = tir.exp %x : tensor<?xf64> -> tensor<?xq64>"
    path.write_text(f"func.func @f(%x: tensor<?xf64>) {{\n{bad}\n  func.return\n}}\n")
    done = opt(str(path))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    first, source, caret = done.stderr.splitlines()
    assert re.fullmatch(rf"{re.escape(str(path))}:2:\d+: error: .+", first), first
    assert source == bad
    column = int(first.split(":")[2])
    assert caret == " " * (column - 1) + "^"


def test_missing_input_file(tmp_path: Path) -> None:
    line = one_line_error(opt(str(tmp_path / "nothere.mlir")))
    assert line == f"tensorir-opt: {tmp_path / 'nothere.mlir'}: no such file"


def test_verifier_error_is_one_line() -> None:
    text = (
        "func.func @f(%a: tensor<?x?xf64>, %v: tensor<?xf64>) {\n"
        "  %0 = tir.add %a, %v : (tensor<?x?xf64>, tensor<?xf64>) -> tensor<?x?xf64>\n"
        "  func.return\n}\n"
    )
    line = one_line_error(opt("-", input=text))
    assert line.startswith("tensorir-opt: tir.add: operands must have the same rank")


def test_llvm_target_needs_the_loops_level(fn) -> None:
    line = one_line_error(opt("-", "-t", "llvm", input=fn.ir("fused")))
    assert "run -p tir-lower-to-loops first" in line


# ------------------------------------------------------------------ each level, the rest of the way


@pytest.fixture(scope="module")
def fn():
    """A small training step: a gradient and an update of a shared variable."""
    x = tensor.dmatrix("x")
    y = tensor.dvector("y")
    w = tensorir.shared(np.array([0.5, -0.25, 1.0]), name="w")
    err = tensor.dot(x, w) - y
    cost = (err**2).mean()
    gw = tensor.grad(cost, w)
    return tensorir.function([x, y], cost, updates=[(w, w - 0.1 * gw)])


def test_the_function_runs(fn) -> None:
    x, y = np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0])
    w = np.array([0.5, -0.25, 1.0])
    assert np.isclose(fn(x, y), ((x @ w - y) ** 2).mean())


@pytest.mark.parametrize("level", MODULE_LEVELS)
def test_every_level_lowers_the_rest_of_the_way(fn, level: str, tmp_path: Path) -> None:
    path = tmp_path / f"{level}.mlir"
    path.write_text(fn.ir(level))
    done = opt(str(path), "-p", "tir-lower-to-loops")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == fn.ir("loops").strip()
    # and the result compiles to LLVM IR, in a second run and in the same one
    llvm = opt("-", "-t", "llvm", input=done.stdout)
    assert llvm.returncode == 0, llvm.stderr
    assert f'define i64 @"{fn.symbol}"(' in llvm.stdout
    both = opt(str(path), "-p", "tir-lower-to-loops", "-t", "llvm")
    assert both.returncode == 0, both.stderr
    assert both.stdout == llvm.stdout


@pytest.mark.parametrize("start", MODULE_LEVELS[:-1])
def test_every_level_lowers_to_the_next(fn, start: str) -> None:
    """Each named pipeline, from the level before it, gives what the compiler printed."""
    nxt = MODULE_LEVELS[MODULE_LEVELS.index(start) + 1]
    done = opt("-", "-p", f"tir-lower-to-{nxt}", input=fn.ir(start))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == fn.ir(nxt).strip()


# ------------------------------------------------------------------ a pass given another level


def test_fuse_on_bufferized_ir(fn) -> None:
    line = one_line_error(opt("-", "-p", "tir-fuse", input=fn.ir("buffers")))
    assert line == (
        "tensorir-opt: tir-fuse reads IR at the linalg or fused level, but this IR is already "
        "at the buffers level (it has memrefs): tir-fuse runs before tir-bufferize"
    )


def test_bufferize_before_autodiff(fn) -> None:
    line = one_line_error(opt("-", "-p", "tir-bufferize", input=fn.ir("tir")))
    assert line == (
        "tensorir-opt: tir-bufferize reads IR at the linalg or fused level, but this IR is at "
        "the tir level (it has tir.grad): run tir-lower-to-linalg first"
    )


def test_bufferize_twice(fn) -> None:
    line = one_line_error(opt("-", "-p", "tir-bufferize", input=fn.ir("buffers")))
    assert line.endswith("tir-bufferize has already run")


def test_to_linalg_before_autodiff(fn) -> None:
    line = one_line_error(opt("-", "-p", "tir-to-linalg", input=fn.ir("tir")))
    assert line.endswith("(it has tir.grad): run tir-autodiff first")


def test_blas_before_bufferize(fn) -> None:
    line = one_line_error(opt("-", "-p", "tir-linalg-to-blas", input=fn.ir("fused")))
    assert line.endswith("(it has tensors): run tir-bufferize first")


def test_pipeline_to_a_level_already_passed(fn) -> None:
    line = one_line_error(opt("-", "-p", "tir-lower-to-fused", input=fn.ir("loops")))
    assert line == (
        "tensorir-opt: tir-lower-to-fused: this IR is already at the buffers level "
        "(it has memrefs), past fused"
    )


def test_the_check_runs_before_each_pass_of_a_pipeline(fn) -> None:
    """Passes in order are fine: each is checked against the IR the one before it left."""
    done = opt("-", "-p", "tir-lower-to-adjoint,tir-to-linalg,tir-bufferize", input=fn.ir("tir"))
    assert done.returncode == 0, done.stderr
    assert "memref.alloc" in done.stdout


def test_every_pass_declares_the_levels_it_reads() -> None:
    from tensorir.lowering.levels import READS
    from tensorir.lowering.pipelines import PASSES

    assert set(PASSES) <= set(READS), set(PASSES) - set(READS)


def test_tir_to_loops_itself_refuses_tensor_level_ops() -> None:
    """Without the tool's level check (the pass run from Python), the pass says it too."""
    from xdsl.context import Context
    from xdsl.utils.exceptions import PassFailedException

    import tensorir
    from tensorir import tensor as T
    from tensorir.lowering.to_loops import TirToLoops

    x, i = T.dmatrix("x"), T.lvector("i")
    module = tensorir.function([x, i], x[i]).module("adjoint")
    with pytest.raises(PassFailedException, match="tir.gather works on tensors; run tir-bufferize"):
        TirToLoops().apply(Context(), module)
