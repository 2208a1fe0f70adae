"""The deep-learning tutorials' programs (seed 003) on the generated MNIST-format data:
logistic regression reaches at most 15 % test error in 10 epochs, the MLP at most 14 % in 3;
the best model is pickled and reloaded for prediction."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "mnist_like.pkl.gz"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tensorir.datasets.mnist_like",
            str(path),
            "--sizes",
            "5000,1000,1000",
        ],
        check=True,
    )
    return path


def run(script: str, dataset: Path, tmp_path: Path, *args: str, flags: str = "") -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--dataset", str(dataset), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "TENSORIR_FLAGS": flags},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_logistic_sgd(dataset: Path, tmp_path: Path) -> None:
    out = run("logistic_sgd.py", dataset, tmp_path, "--model", str(tmp_path / "best.pkl"))
    error = float(re.search(r"test error ([\d.]+) %", out).group(1))  # type: ignore[union-attr]
    assert error <= 15.0, out
    assert "epoch 10," in out  # patience did not stop it early on this data
    predicted = re.search(r"first 10 examples in test set:\n\[([\d ]+)\]", out)
    assert predicted is not None and len(predicted.group(1).split()) == 10
    assert (tmp_path / "best.pkl").exists()


def test_mlp(dataset: Path, tmp_path: Path) -> None:
    out = run("mlp.py", dataset, tmp_path, "--model", str(tmp_path / "best_mlp.pkl"))
    error = float(re.search(r"test error ([\d.]+) %", out).group(1))  # type: ignore[union-attr]
    assert error <= 14.0, out
    assert "epoch 3," in out
    assert "first 10 examples in test set" in out


def test_logistic_sgd_in_float32(dataset: Path, tmp_path: Path) -> None:
    """The tutorials' GPU setting: floatX=float32, datasets and parameters in float32 (Python
    float constants autocast, so the SGD updates type-check)."""
    out = run(
        "logistic_sgd.py",
        dataset,
        tmp_path,
        "--model",
        str(tmp_path / "b.pkl"),
        flags="floatX=float32",
    )
    error = float(re.search(r"test error ([\d.]+) %", out).group(1))  # type: ignore[union-attr]
    assert error <= 15.0, out


def test_denoising_autoencoder(dataset: Path, tmp_path: Path) -> None:
    """dA.py: a binomial corruption mask from RandomStreams (new at every call, through
    default_update), tied weights, cross-entropy; the training cost falls."""
    out = run("dA.py", dataset, tmp_path, "--epochs", "2")
    costs = [float(c) for c in re.findall(r"Training epoch \d+, cost ([\d.]+)", out)]
    assert len(costs) == 2 and costs[1] < costs[0], out
