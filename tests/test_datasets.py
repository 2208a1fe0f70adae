"""``tensorir.datasets.mnist_like``: an ``mnist.pkl.gz`` look-alike made without downloads."""

from __future__ import annotations

import gzip
import importlib.util
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tensorir.datasets import mnist_like
from tensorir.datasets.mnist_like import (
    MissingDependencyError,
    load_source_digits,
    main,
    make_mnist_like,
    make_mnist_like_with_sources,
    partition_sources,
    save_mnist_like,
)

ROOT = Path(__file__).resolve().parent.parent

requires_sklearn = pytest.mark.skipif(
    importlib.util.find_spec("sklearn") is None,
    reason="scikit-learn is not installed (pip install tensorir[datasets])",
)


@pytest.fixture(scope="module")
def full() -> tuple[mnist_like.Splits, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The default 5000/1000/1000 sets of seed 0, with their source indices."""
    return make_mnist_like_with_sources((5000, 1000, 1000), seed=0)


def assert_splits_equal(a: mnist_like.Splits, b: mnist_like.Splits) -> None:
    for (xa, ya), (xb, yb) in zip(a, b, strict=True):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)


@requires_sklearn
def test_format(full) -> None:
    splits, _ = full
    assert len(splits) == 3
    for (x, y), n in zip(splits, (5000, 1000, 1000), strict=True):
        assert x.dtype == np.float32 and x.shape == (n, 784)
        assert y.dtype == np.int64 and y.shape == (n,)
        assert x.flags.c_contiguous
        assert x.min() == 0.0 and x.max() == 1.0
        assert set(np.unique(y)) <= set(range(10))
        # MNIST-like: a black background, a bright stroke in every image, little ink overall
        assert (x.max(axis=1) > 0.8).all()
        assert 0.05 < x.mean() < 0.25
        frame = x.reshape(n, 28, 28)  # whole digits: nothing on the outermost pixels
        assert not frame[:, [0, -1], :].any() and not frame[:, :, [0, -1]].any()


@requires_sklearn
def test_pickle_loads_as_the_tutorials_do(tmp_path: Path) -> None:
    path = tmp_path / "mnist.pkl.gz"
    written = save_mnist_like(path, (60, 20, 20), seed=1)
    assert path.read_bytes()[:2] == b"\x1f\x8b"  # gzip
    with gzip.open(path, "rb") as f:
        train_set, valid_set, test_set = pickle.load(f)
    assert_splits_equal((train_set, valid_set, test_set), written)
    with gzip.open(path, "rb") as f:  # the tutorials' Python 3 loader
        loaded = pickle.load(f, encoding="latin1")
    assert isinstance(loaded, tuple) and all(isinstance(s, tuple) for s in loaded)
    assert_splits_equal(loaded, written)
    test_set_x, test_set_y = loaded[2]
    assert test_set_x.dtype == np.float32 and test_set_y.dtype == np.int64


@requires_sklearn
def test_source_digits_are_scikit_learns() -> None:
    from sklearn.datasets import load_digits

    images, labels = load_source_digits()
    digits = load_digits()
    np.testing.assert_array_equal(images, digits.images / 16.0)
    np.testing.assert_array_equal(labels, digits.target)
    assert images.shape == (1797, 8, 8) and labels.dtype == np.int64


@requires_sklearn
def test_deterministic_by_seed() -> None:
    a = make_mnist_like((120, 40, 40), seed=5)
    assert_splits_equal(a, make_mnist_like((120, 40, 40), seed=5))
    b = make_mnist_like((120, 40, 40), seed=6)
    assert not np.array_equal(a[0][0], b[0][0])
    # the partition depends on the seed alone, not on the sizes asked for
    _, small = make_mnist_like_with_sources((10, 10, 10), seed=5)
    _, large = make_mnist_like_with_sources((1100, 400, 400), seed=5)
    groups = partition_sources(load_source_digits()[1], seed=5)
    for s, l_, g in zip(small, large, groups, strict=True):
        assert set(s) <= set(g) and set(l_) == set(g)


@requires_sklearn
def test_splits_disjoint_by_source_image(full) -> None:
    (train, valid, test), (src_train, src_valid, src_test) = full
    _, labels = load_source_digits()
    a, b, c = set(src_train), set(src_valid), set(src_test)
    assert not a & b and not a & c and not b & c
    for (_, y), src in zip((train, valid, test), (src_train, src_valid, src_test), strict=True):
        np.testing.assert_array_equal(y, labels[src])
    # every source image of a group is used, evenly: 5000 examples from ~1078 images
    groups = partition_sources(labels, seed=0)
    for src, group in zip((src_train, src_valid, src_test), groups, strict=True):
        assert set(src) == set(group)
        counts = np.bincount(src, minlength=len(labels))[group]
        assert counts.max() - counts.min() <= 1


def test_partition_is_stratified() -> None:
    labels = np.repeat(np.arange(10), 180)
    groups = partition_sources(labels, seed=3)
    assert sum(len(g) for g in groups) == len(labels)
    assert len(set(np.concatenate(groups))) == len(labels)
    for group, share in zip(groups, (0.6, 0.2, 0.2), strict=True):
        np.testing.assert_array_equal(np.bincount(labels[group]), np.full(10, round(share * 180)))
    # a label with only three images still reaches every group
    few = np.array([0] * 3 + [1] * 20)
    for group in partition_sources(few, seed=0):
        assert set(few[group]) == {0, 1}


@requires_sklearn
def test_every_digit_in_every_split(full) -> None:
    splits, _ = full
    for _, y in splits:
        counts = np.bincount(y, minlength=10)
        assert len(counts) == 10 and (counts > 0).all()
        assert counts.min() > 0.8 * len(y) / 10 and counts.max() < 1.2 * len(y) / 10


@requires_sklearn
def test_augmented_variants_are_not_copies(full) -> None:
    (x, _), (src, _, _) = full[0][0], full[1]
    assert len({row.tobytes() for row in x}) == len(x)
    first = src[0]
    variants = x[src == first]
    assert len(variants) >= 4
    # the variants of one source image differ by more than rounding
    diffs = np.abs(variants[1:] - variants[0]).mean(axis=1)
    assert (diffs > 0.01).all()


@requires_sklearn
def test_learnable_by_linear_models(full) -> None:
    (x_train, y_train), _, (x_test, y_test) = full[0]
    centroids = np.stack([x_train[y_train == k].mean(axis=0) for k in range(10)])
    distances = (
        (x_test**2).sum(axis=1)[:, None] - 2 * x_test @ centroids.T + (centroids**2).sum(axis=1)
    )
    centroid_error = (distances.argmin(axis=1) != y_test).mean()
    assert centroid_error < 0.2

    def with_bias(x: np.ndarray) -> np.ndarray:
        return np.hstack([x, np.ones((len(x), 1), x.dtype)]).astype(np.float64)

    a = with_bias(x_train)
    w = np.linalg.solve(a.T @ a + 10.0 * np.eye(a.shape[1]), a.T @ np.eye(10)[y_train])
    least_squares_error = ((with_bias(x_test) @ w).argmax(axis=1) != y_test).mean()
    assert least_squares_error < 0.2


@requires_sklearn
def test_empty_splits() -> None:
    (train, valid, test) = make_mnist_like((30, 0, 0), seed=0)
    assert train[0].shape == (30, 784)
    for x, y in (valid, test):
        assert x.shape == (0, 784) and x.dtype == np.float32
        assert y.shape == (0,) and y.dtype == np.int64


@pytest.mark.parametrize("sizes", [(1, 2), (1, 2, 3, 4), (-1, 2, 3), (1.5, 2, 3)])
def test_bad_sizes(sizes) -> None:
    with pytest.raises(ValueError, match="sizes"):
        make_mnist_like(sizes)


@requires_sklearn
def test_command_line(tmp_path: Path) -> None:
    path = tmp_path / "small.pkl.gz"
    out = subprocess.run(
        [sys.executable, "-m", "tensorir.datasets.mnist_like", str(path)]
        + ["--sizes", "200,50,50", "--seed", "3"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert "train 200, valid 50, test 50" in out.stdout
    assert out.stderr == ""
    with gzip.open(path, "rb") as f:
        loaded = pickle.load(f, encoding="latin1")
    assert [x.shape for x, _ in loaded] == [(200, 784), (50, 784), (50, 784)]
    assert_splits_equal(loaded, make_mnist_like((200, 50, 50), seed=3))


def test_bad_seed() -> None:
    with pytest.raises(ValueError, match="seed"):
        make_mnist_like((10, 10, 10), seed=-1)


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--sizes", "10,20"], "TRAIN,VALID,TEST"), (["--seed", "-3"], "--seed")],
)
def test_command_line_rejects_bad_arguments(tmp_path: Path, capsys, args, message) -> None:
    with pytest.raises(SystemExit) as exc:
        main([str(tmp_path / "x.pkl.gz"), *args])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.pkl.gz").exists()


def test_missing_scikit_learn(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(MissingDependencyError, match="pip install scikit-learn"):
        make_mnist_like((10, 10, 10))
    assert issubclass(MissingDependencyError, ImportError)
    path = tmp_path / "x.pkl.gz"
    assert main([str(path), "--sizes", "10,10,10"]) == 1
    err = capsys.readouterr().err
    assert "pip install scikit-learn" in err and "tensorir[datasets]" in err
    assert not path.exists()
