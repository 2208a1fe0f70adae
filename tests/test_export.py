"""Exported functions (``runtime/export.py``): a shared library and its C header, called
from a C program built against them, give what the function gives in Python."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tensorir
from tensorir import config
from tensorir import tensor as T
from tensorir.runtime.export import ExportError

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler (cc)")


def build_and_run(directory: Path, name: str, body: str) -> list[str]:
    """A C program whose ``main`` is ``body``, linked against ``lib<name>.so``; its lines."""
    (directory / "main.c").write_text(
        f'#include <stdio.h>\n#include <stdlib.h>\n#include "{name}.h"\n'
        f"int main(void) {{\n{body}\nreturn 0;\n}}\n"
    )
    subprocess.run(["cc", "-std=gnu11", "-o", str(directory / "main"), str(directory / "main.c"),
                    "-I", str(directory), "-L", str(directory), f"-l{name}",
                    f"-Wl,-rpath,{directory}"], check=True)  # fmt: skip
    done = subprocess.run([str(directory / "main")], capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def _logistic() -> tuple[object, object]:
    rng = np.random.default_rng(0)
    x = T.dmatrix("x")
    w = tensorir.shared(rng.standard_normal((5, 3)), "w")
    b = tensorir.shared(rng.standard_normal(3), "b")
    p = T.nnet.softmax(T.dot(x, w) + b)
    return x, w, b, p  # type: ignore[return-value]


def test_a_c_program_gets_what_the_function_gives(tmp_path: Path) -> None:
    x, w, b, p = _logistic()
    f = tensorir.function([x], [T.argmax(p, axis=1), p.max(), p])
    library, header = f.export(tmp_path / "libpredict.so", "predict")
    assert header == tmp_path / "predict.h"
    assert "int predict(const double *x, const int64_t *x_shape" in header.read_text()
    lines = build_and_run(tmp_path, "predict", r"""
        double x[15]; for (int i = 0; i < 15; i++) x[i] = i / 7.0 - 1;
        int64_t shape[2] = {3, 5}, n[1], pn[2]; int64_t *labels; double best, *p;
        int rc = predict(x, shape, &labels, n, &best, &p, pn);
        printf("%d %lld %lld %lld %lld %.17g\n", rc, (long long)n[0], (long long)labels[0],
               (long long)labels[1], (long long)labels[2], best);
        for (int i = 0; i < pn[0] * pn[1]; i++) printf("%.17g\n", p[i]);
        predict_free(labels); predict_free(p);
        int64_t bad[2] = {3, 4};
        printf("%d %s\n", predict(x, bad, &labels, n, &best, &p, pn), predict_error());
        int64_t huge[2] = {INT64_MAX / 2, 5};
        printf("%d %s\n", predict(x, huge, &labels, n, &best, &p, pn), predict_error());
    """)  # fmt: skip
    data = np.arange(15.0).reshape(3, 5) / 7.0 - 1
    labels, best, probabilities = f(data)
    *head, c_best = lines[0].split()
    assert head == ["0", "3", *map(str, labels)] and float(c_best) == best
    assert [float(v) for v in lines[1:10]] == probabilities.ravel().tolist()
    with pytest.raises(ValueError) as e:
        f(data[:, :4])
    assert lines[10] == f"1 ValueError: {e.value}"
    assert lines[11] == "1 ValueError: predict: input x has a negative size or one too large"


def test_updates_are_kept_by_the_library(tmp_path: Path) -> None:
    x, w, b, p = _logistic()
    y = T.lvector("y")
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    gw, gb = T.grad(cost, [w, b])
    train = tensorir.function([x, y], cost, updates=[(w, w - 0.5 * gw), (b, b * 0.5 - gb)])
    train.export(tmp_path / "libtrain.so", "train")
    lines = build_and_run(tmp_path, "train", r"""
        double x[10]; for (int i = 0; i < 10; i++) x[i] = i / 3.0;
        int64_t y[2] = {0, 2}, xs[2] = {2, 5}, ys[1] = {2};
        double cost;
        for (int k = 0; k < 3; k++) { train(x, xs, y, ys, &cost); printf("%.17g\n", cost); }
        int64_t bad_y[2] = {0, 7};
        printf("%d %s\n", train(x, xs, bad_y, ys, &cost), train_error());
        double *b; int64_t bn[1];
        train_get_shared(1, (void **)&b, bn);
        for (int i = 0; i < bn[0]; i++) printf("%.17g\n", b[i]);
        train_free(b);
    """)  # fmt: skip
    data, labels = np.arange(10.0).reshape(2, 5) / 3, np.array([0, 2])
    costs = [float(train(data, labels)) for _ in range(3)]
    assert [float(v) for v in lines[:3]] == costs
    with pytest.raises(IndexError) as e:
        train(data, np.array([0, 7]))
    assert lines[3] == f"1 IndexError: {e.value}"  # and the state unchanged:
    assert [float(v) for v in lines[4:]] == b.get_value().tolist()


def test_scalars_libm_and_parallel_loops(tmp_path: Path) -> None:
    old = config.math
    config.math = "libm"  # calls of libm's tanh under the runtime's own name
    try:
        v, a = T.fvector("v"), T.fscalar("a")
        f = tensorir.function([v, a], [T.tanh(v * a) + 1, (v * a).sum()])
    finally:
        config.math = old
    assert '@"tir_parallel_for"(' in f.ir("llvm") and '@"tanhf"(' in f.ir("llvm")
    f.export(tmp_path / "libscaled.so", "scaled")
    n = 300_000  # a loop run in parallel chunks by the Python runtime
    lines = build_and_run(tmp_path, "scaled", f"""
        float *v = malloc({n} * sizeof(float)); for (int i = 0; i < {n}; i++) v[i] = i * 1e-5f;
        int64_t vs[1] = {{{n}}}, os[1]; float *out, total;
        int rc = scaled(v, vs, 0.5f, &out, os, &total);
        printf("%d %lld %.9g %.9g %.9g\\n", rc, (long long)os[0], out[1], out[{n - 1}], total);
    """)  # fmt: skip
    values = np.arange(n, dtype=np.float32) * np.float32(1e-5)
    out, total = f(values, np.float32(0.5))
    rc, size, first, last, s = lines[0].split()
    assert (rc, int(size)) == ("0", n)
    assert np.float32(first) == out[1] and np.float32(last) == out[-1]
    assert np.float32(s) == total


def test_the_export_command_and_its_mistakes(tmp_path: Path) -> None:
    x = T.dvector("x")
    tensorir.function([x], T.exp(x).sum()).save(tmp_path / "f.tir")
    command = [sys.executable, "-m", "tensorir", "export", str(tmp_path / "f.tir")]
    done = subprocess.run([*command, "--name", "total", "-o", str(tmp_path / "libtotal.so")],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote {tmp_path / 'libtotal.so'} and {tmp_path / 'total.h'}"
    lines = build_and_run(tmp_path, "total", r"""
        double x[3] = {0, 1, 2}; int64_t n[1] = {3}; double out;
        int rc = total(x, n, &out);
        printf("%d %.17g\n", rc, out);
    """)  # fmt: skip
    rc, out = lines[0].split()
    assert rc == "0" and float(out) == np.exp([0.0, 1.0, 2.0]).sum()
    bad = subprocess.run([*command, "--name", "2fast"], capture_output=True, text=True)
    assert bad.returncode == 1
    assert bad.stderr.strip() == "tensorir export: the name '2fast' is not a C identifier"
    missing = subprocess.run([sys.executable, "-m", "tensorir", "export", str(tmp_path / "no"),
                              "--name", "f"], capture_output=True, text=True)  # fmt: skip
    assert missing.returncode == 1 and "No such file" in missing.stderr
    assert "Traceback" not in bad.stderr + missing.stderr


def test_no_c_compiler_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    x = T.dvector("x")
    f = tensorir.function([x], x + 1)
    monkeypatch.setenv("CC", str(tmp_path / "no-such-cc"))
    with pytest.raises(ExportError, match="no-such-cc"):
        f.export(tmp_path / "libf.so", "f")
    monkeypatch.delenv("CC")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ExportError, match="no C compiler"):
        f.export(tmp_path / "libf.so", "f")
    assert not os.path.exists(tmp_path / "libf.so")


def test_the_vector_maths_libm_fallbacks(tmp_path: Path) -> None:
    v = T.dvector("v")
    f = tensorir.function([v], T.sin(v))  # huge arguments go to libm's sin
    assert "__tir_libm_sin" in f.ir("llvm")
    f.export(tmp_path / "libsine.so", "sine")
    values = [0.5, 1e10, -3e15, 2.0, 1e300, 7.0, 0.0, -1e22, 3.0]
    lines = build_and_run(tmp_path, "sine", f"""
        double v[9] = {{{", ".join(map(repr, values))}}}, *out; int64_t n[1] = {{9}}, on[1];
        int rc = sine(v, n, &out, on);
        printf("%d\\n", rc); for (int i = 0; i < 9; i++) printf("%.17g\\n", out[i]);
    """)  # fmt: skip
    assert lines[0] == "0"
    assert [float(s) for s in lines[1:]] == f(np.array(values)).tolist()


def test_a_broadcastable_dim_is_checked(tmp_path: Path) -> None:
    x = T.drow("x")  # shape (1, n)
    f = tensorir.function([x], (x * 2).sum())
    f.export(tmp_path / "librow.so", "row")
    lines = build_and_run(tmp_path, "row", r"""
        double x[6] = {1, 2, 3, 4, 5, 6}, out;
        int64_t good[2] = {1, 6}, bad[2] = {2, 3};
        int rc = row(x, good, &out);
        printf("%d %.17g\n", rc, out);
        rc = row(x, bad, &out);
        printf("%d %s\n", rc, row_error());
    """)  # fmt: skip
    assert lines[0].split() == ["0", "42"]
    assert lines[1] == (
        "1 TypeError: row: input x, float64, must have the shape (1, ?) (a broadcastable dim "
        "has size 1)"
    )
    with pytest.raises(TypeError, match="broadcastable"):
        f(np.ones((2, 3)))
