"""Saved functions (``runtime/saved.py``): ``f.save(path)`` writes one file that
``tensorir.runtime.load`` turns into a callable behaving like ``f``, with shared variables of
its own, in a process that never imports xDSL or the frontend; damaged files, files of
another format and code for another CPU are refused with a clear error."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tensorir
import tensorir.runtime
from tensorir import tensor as T
from tensorir.runtime import saved


def _training_step() -> tuple[Any, Any, Any]:
    """A logistic regression's SGD step (BLAS, libm, an update) and its predictor."""
    rng = np.random.default_rng(0)
    x, y = T.dmatrix("x"), T.lvector("y")
    w = tensorir.shared(rng.standard_normal((5, 3)) * 0.1, "w")
    b = tensorir.shared(np.zeros(3), "b")
    p = T.nnet.softmax(T.dot(x, w) + b)
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    gw, gb = T.grad(cost, [w, b])
    train = tensorir.function([x, y], cost, updates=[(w, w - 0.5 * gw), (b, b - 0.5 * gb)])
    predict = tensorir.function([x], T.argmax(p, axis=1))
    return train, predict, w


DATA = np.random.default_rng(1).standard_normal((8, 5))
LABELS = np.arange(8) % 3

NO_COMPILER = textwrap.dedent(
    """
    import sys

    class NoCompiler:  # any import of xDSL or of the frontend fails
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "xdsl" or name.startswith(("tensorir.frontend",
                    "tensorir.compiler", "tensorir.lowering", "tensorir.dialects")):
                raise ImportError(f"{name} imported by the runtime")

    sys.meta_path.insert(0, NoCompiler())
    import numpy as np
    import tensorir.runtime
    """
)


def test_a_saved_function_runs_in_a_process_without_the_compiler(tmp_path: Path) -> None:
    train, predict, w = _training_step()
    train.save(tmp_path / "train.tir")
    predict.save(tmp_path / "predict.tir")
    labels = predict(DATA)  # before training: each loaded function has its own w, as saved
    expected = [train(DATA, LABELS) for _ in range(3)]
    program = NO_COMPILER + textwrap.dedent(
        f"""
        train = tensorir.runtime.load({str(tmp_path / "train.tir")!r})
        predict = tensorir.runtime.load({str(tmp_path / "predict.tir")!r})
        data = np.load({str(tmp_path / "data.npy")!r})
        costs = [float(train(data, np.arange(8) % 3)) for _ in range(3)]
        print(costs, predict(data).tolist())
        print(sorted(m for m in sys.modules if m.startswith("tensorir")))
        """
    )
    train_again = tensorir.runtime.load(tmp_path / "train.tir")
    np.save(tmp_path / "data.npy", DATA)
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    costs, modules = out.stdout.splitlines()
    assert costs == f"{[float(c) for c in expected]} {labels.tolist()}"
    assert "tensorir.frontend" not in modules
    # the loaded function has its own shared variables, as they were when saved: the same
    # steps again from there, leaving the original's alone
    trained = w.get_value()
    assert [float(train_again(DATA, LABELS)) for _ in range(3)] == [float(c) for c in expected]
    np.testing.assert_array_equal(train_again.shared_variables[0].get_value(), trained)
    np.testing.assert_array_equal(w.get_value(), trained)
    train_again(DATA, LABELS)
    np.testing.assert_array_equal(w.get_value(), trained)


def test_a_loaded_function_behaves_like_the_saved_one(tmp_path: Path) -> None:
    x, y = T.dmatrix("x"), T.dvector("y")
    s = tensorir.shared(np.float64(0.0), "s")
    f = tensorir.function([x, y], {"prod": T.dot(x, y), "sum": x.sum()}, updates=[(s, s + 1)])
    f.save(tmp_path / "f.tir")
    g = tensorir.runtime.load(tmp_path / "f.tir")
    a, v = np.arange(6.0).reshape(2, 3), np.ones(3)
    for call in (lambda h: h(a, v), lambda h: h(y=v, x=a)):
        got, want = call(g), call(f)
        assert set(got) == {"prod", "sum"}
        np.testing.assert_array_equal(got["prod"], want["prod"])
        assert got["sum"] == want["sum"]
    assert g.shared_variables[0].get_value() == 2.0
    # the same errors, naming the same inputs and the user's line
    with pytest.raises(TypeError, match="expected 2 argument"):
        g(a)
    with pytest.raises(ValueError, match=r"dot: shapes \(2, 3\) and \(4,\) not aligned") as e:
        g(a, np.ones(4))
    assert "test_saved.py" in str(e.value)
    assert g.shared_variables[0].get_value() == 2.0  # a failed call updates nothing
    with pytest.raises(TypeError, match=r"input 0 \(x, float64"):
        g(np.ones((2, 3), np.complex128), v)


def test_shared_values_can_be_set_and_a_loaded_function_saved_again(tmp_path: Path) -> None:
    x = T.dvector("x")
    w = tensorir.shared(np.arange(3.0), "w")
    f = tensorir.function([x], (x * w).sum(), updates=[(w, w * 2)])
    f.save(tmp_path / "f.tir")
    g = tensorir.runtime.load(tmp_path / "f.tir")
    (gw,) = g.shared_variables
    assert gw.name == "w"
    gw.set_value(np.ones(3))
    assert g(np.ones(3)) == 3.0
    np.testing.assert_array_equal(gw.get_value(), [2.0, 2.0, 2.0])
    with pytest.raises(TypeError, match="shared variable w"):
        gw.set_value(np.ones((2, 2)))
    g.save(tmp_path / "g.tir")
    h = tensorir.runtime.load(tmp_path / "g.tir")
    assert h(np.ones(3)) == 6.0
    np.testing.assert_array_equal(w.get_value(), np.arange(3.0))  # f's own, untouched
    assert sorted(os.listdir(tmp_path)) == ["f.tir", "g.tir"]  # no temporary file left


def _rewrite(path: Path, **changes: Any) -> None:
    """The saved file at ``path`` with entries of its meta data changed."""
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(arrays["meta"].tobytes())
    for key, value in changes.items():
        if isinstance(value, dict):
            meta[key] = {**meta[key], **value}
        else:
            meta[key] = value
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    with open(path, "wb") as out:
        np.savez(out, **arrays)  # type: ignore[arg-type]


@pytest.fixture
def saved_file(tmp_path: Path) -> Path:
    x = T.dvector("x")
    path = tmp_path / "f.tir"
    tensorir.function([x], T.exp(x)).save(path)
    return path


def test_a_damaged_file_is_refused(saved_file: Path) -> None:
    data = saved_file.read_bytes()
    saved_file.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a tensorir saved function, or damaged"):
        tensorir.runtime.load(saved_file)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo("object_code.npy")
    damaged = bytearray(data)
    damaged[info.header_offset + 200] ^= 0x01  # one bit of the machine code
    saved_file.write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match="damaged"):
        tensorir.runtime.load(saved_file)
    saved_file.write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match="not a tensorir saved function"):
        tensorir.runtime.load(saved_file)
    with pytest.raises(FileNotFoundError):
        tensorir.runtime.load(saved_file.with_name("missing.tir"))


def test_another_format_or_runtime_is_refused_saying_so(saved_file: Path) -> None:
    _rewrite(saved_file, format=saved.FORMAT + 1)
    with pytest.raises(ValueError, match=f"format {saved.FORMAT + 1}; this tensorir reads"):
        tensorir.runtime.load(saved_file)
    _rewrite(saved_file, format=saved.FORMAT, runtime_abi=-1)
    with pytest.raises(ValueError, match="runtime ABI -1"):
        tensorir.runtime.load(saved_file)
    _rewrite(saved_file, runtime_abi=tensorir.abi.RUNTIME_ABI, kind="something.else")
    with pytest.raises(ValueError, match="not a tensorir function"):
        tensorir.runtime.load(saved_file)


def test_code_for_another_cpu_is_refused(saved_file: Path) -> None:
    with np.load(saved_file) as z:
        features = json.loads(z["meta"].tobytes())["target"]["features"]
    _rewrite(saved_file, target={"features": features + ",+an-extension-we-lack"})
    with pytest.raises(RuntimeError, match="an-extension-we-lack, which this CPU .* lacks"):
        tensorir.runtime.load(saved_file)
    _rewrite(saved_file, target={"features": features, "triple": "riscv64-unknown-linux-gnu"})
    with pytest.raises(RuntimeError, match="compiled for riscv64"):
        tensorir.runtime.load(saved_file)


def test_functions_without_plain_machine_code_cannot_be_saved(tmp_path: Path) -> None:
    x = T.dvector("x")
    f = tensorir.function([x], x * 2, mode="DebugMode")
    with pytest.raises(TypeError, match="only a function compiled for the CPU"):
        f.save(tmp_path / "f.tir")
    assert not list(tmp_path.iterdir())
