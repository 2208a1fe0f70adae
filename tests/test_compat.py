"""``python -m tensorir.compat.theano`` runs unmodified Theano scripts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

THEANO_SCRIPT = """\
import sys
import numpy
import theano
import theano.tensor as T
from theano import function, shared
from theano.tensor.shared_randomstreams import RandomStreams
from theano.sandbox.rng_mrg import MRG_RandomStreams

x = T.dmatrix("x")
y = T.lvector("y")
W = theano.shared(numpy.zeros((3, 2)), name="W")
b = shared(numpy.zeros(2), name="b")
p = T.nnet.softmax(T.dot(x, W) + b)
cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
gW, gb = T.grad(cost, [W, b])
train = function([x, y], cost, updates=[(W, W - 0.5 * gW), (b, b - 0.5 * gb)])
errors = function([x, y], T.mean(T.neq(T.argmax(p, axis=1), y)))
srng = RandomStreams(seed=1)
noise = function([], srng.uniform((2,)))
data, labels = numpy.eye(3), numpy.array([0, 1, 1])
first = train(data, labels)
for _ in range(20):
    last = train(data, labels)
print(theano.config.floatX, round(float(first), 6), last < first, errors(data, labels))
print(noise().shape, MRG_RandomStreams is not None, sys.argv[1:])
theano.printing.debugprint(cost, file=open("/dev/null", "w"))
"""


def run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tensorir.compat.theano", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


def test_runs_an_unmodified_theano_script(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(THEANO_SCRIPT)
    done = run([str(script), "--epochs", "3"])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "float64 0.693147 True 0.0"
    assert lines[1] == "(2,) True ['--epochs', '3']"


def test_dash_c_and_theano_flags() -> None:
    done = run(
        ["-c", "import theano, theano.tensor as T; print(theano.config.floatX, T.dvector)"],
        env={"THEANO_FLAGS": "floatX=float32,optimizer=fast_run"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("float32 ")
    assert "no option 'optimizer'" in done.stderr


def test_theano_is_not_installed_and_unknown_modules_say_so() -> None:
    plain = subprocess.run([sys.executable, "-c", "import theano"], capture_output=True)
    assert plain.returncode != 0  # nothing named theano outside the compatibility layer
    done = run(["-c", "import theano.gof"])
    assert done.returncode != 0
    assert "tensorir has no 'tensorir.gof'" in done.stderr


def test_usage_errors() -> None:
    assert run([]).returncode == 2
    missing = run(["/nonexistent/script.py"])
    assert missing.returncode != 0 and "no such file" in missing.stderr
