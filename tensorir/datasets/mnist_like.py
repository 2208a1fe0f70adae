"""An ``mnist.pkl.gz`` look-alike made from scikit-learn's bundled 8x8 digits, without downloads.

The deep-learning tutorials load ``mnist.pkl.gz``: a gzipped pickle of
``(train_set, valid_set, test_set)``, each a pair ``(X, y)`` with ``X`` float32 of shape
``(N, 784)`` (28x28 images, row-major) in ``[0, 1]`` and ``y`` int64 of shape ``(N,)`` with
labels 0-9. This module writes a file in exactly that format::

    python -m tensorir.datasets.mnist_like mnist.pkl.gz --sizes 5000,1000,1000 --seed 0

and the tutorials' loader reads it unchanged::

    with gzip.open("mnist.pkl.gz", "rb") as f:
        train_set, valid_set, test_set = pickle.load(f, encoding="latin1")

How the images are made (numpy only, apart from loading the digits):

* The 1797 source images of ``sklearn.datasets.load_digits()`` (values 0-16) are split first,
  stratified by label, into train/valid/test groups (60/20/20 %), so the three splits never
  share a source image. Each split's ``N`` examples come only from its own group, every source
  image used ``N // len(group)`` or one more times, so labels are balanced as in the source.
* Each example is the 8x8 digit scaled to ``[0, 1]`` and resampled bilinearly into a 28x28
  frame, where it spans about the central 20x20 and its centre of mass sits at the centre, as
  in MNIST, through one random affine map: rotation (+-10 degrees), shear (+-0.2), scale per
  axis (0.9-1.1) and a shift (normal, 0.5 pixel standard deviation, at most 1.5 pixels each
  way; the few digits it would push into the outermost pixels are nudged or shrunk, so none
  is cut). A contrast ramp of random start and width then varies the stroke thickness and
  gives the strokes saturated cores and soft edges; a random factor (0.85-1.15) varies the
  intensity; the result is clipped to ``[0, 1]``. The mean pixel is about 0.13 and 18 % of
  the pixels are non-zero, close to MNIST. The shifts are kept small because linear models
  suffer most from them: with 5000 training examples a nearest-centroid classifier errs on
  about 15 % of the test set (MNIST: about 18 %), and on over 30 % with uniform shifts of
  +-2 pixels.
* Everything is drawn from ``numpy.random.default_rng(seed)`` streams: the same seed gives the
  same file; the partition depends on the seed alone, and each split has its own stream.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import importlib.util
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = [
    "FRACTIONS",
    "IMAGE_SIDE",
    "MissingDependencyError",
    "load_source_digits",
    "main",
    "make_mnist_like",
    "make_mnist_like_with_sources",
    "partition_sources",
    "save_mnist_like",
]

IMAGE_SIDE = 28
"""Side of the output images (MNIST's 28x28)."""
DIGIT_BOX = 20.0
"""Side, in output pixels, that the 8x8 source digit covers before jitter (MNIST's 20x20)."""
FRACTIONS = (0.6, 0.2, 0.2)
"""Shares of the source images in the train, valid and test groups."""
PICKLE_PROTOCOL = 4

SOURCE_SIDE = 8
MAX_SHIFT = 1.5
SHIFT_SD = 0.5
MAX_ROTATION_DEG = 10.0
MAX_SHEAR = 0.2
SCALE_RANGE = (0.9, 1.1)
STROKE_START_RANGE = (0.3, 0.5)
STROKE_WIDTH_RANGE = (0.2, 0.4)
INTENSITY_RANGE = (0.85, 1.15)
# The support of the bilinear image of the source pixels above INK_LEVEL is kept out of the
# outermost MARGIN pixels of the frame; as INK_LEVEL is below every stroke ramp's start, those
# pixels stay exactly 0: no digit is cut by the frame.
INK_LEVEL = 0.25
MARGIN = 1

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
Split = tuple[FloatArray, IntArray]
Splits = tuple[Split, Split, Split]


class MissingDependencyError(ImportError):
    """scikit-learn, which holds the source digits, is not installed."""


def load_source_digits() -> tuple[npt.NDArray[np.float64], IntArray]:
    """The 1797 bundled 8x8 digits of scikit-learn, as ``(images in [0, 1], labels)``.

    These are ``sklearn.datasets.load_digits()``'s ``images / 16`` and ``target``. The
    file that function reads is read directly when it is where scikit-learn keeps it, which
    spares importing scikit-learn (seconds); otherwise ``load_digits`` is called.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        raise MissingDependencyError(
            "tensorir.datasets.mnist_like needs scikit-learn for its source digits: "
            "pip install scikit-learn (or pip install tensorir[datasets])"
        )
    images, labels = _read_digits(spec.origin)
    return images.copy(), labels.copy()


@functools.cache
def _read_digits(sklearn_init: str) -> tuple[npt.NDArray[np.float64], IntArray]:
    bundled = Path(sklearn_init).parent / "datasets" / "data" / "digits.csv.gz"
    data: npt.NDArray[np.float64] | None = None
    if bundled.is_file():
        try:
            with gzip.open(bundled, "rt") as f:
                data = np.loadtxt(f, delimiter=",", ndmin=2)
        except (OSError, ValueError):
            data = None
    if data is not None and data.shape == (1797, 65):
        images = data[:, :64].reshape(-1, SOURCE_SIDE, SOURCE_SIDE)
        target = data[:, 64]
    else:
        try:
            from sklearn.datasets import load_digits
        except ImportError as exc:
            raise MissingDependencyError(
                f"scikit-learn is installed but its digits cannot be loaded ({exc}): "
                "pip install --force-reinstall scikit-learn"
            ) from exc
        digits = load_digits()
        images, target = np.asarray(digits.images), np.asarray(digits.target)
    return np.asarray(images, dtype=np.float64) / 16.0, np.asarray(target, dtype=np.int64)


def partition_sources(
    labels: npt.ArrayLike,
    seed: int = 0,
    fractions: Sequence[float] = FRACTIONS,
) -> tuple[IntArray, IntArray, IntArray]:
    """Split the source indices into disjoint train/valid/test groups, stratified by label.

    Within each label the indices are shuffled and cut by ``fractions`` (rounded), so every
    group holds every label that has at least ``len(fractions)`` images. Groups come sorted.
    """
    labels = np.asarray(labels)
    if len(fractions) != 3 or min(fractions) <= 0:
        raise ValueError(f"fractions must be three positive numbers, got {fractions!r}")
    shares = np.asarray(fractions, dtype=np.float64) / float(sum(fractions))
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    groups: list[list[npt.NDArray[np.intp]]] = [[], [], []]
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        n = len(members)
        cuts = np.rint(np.cumsum(shares)[:2] * n).astype(int)
        if n >= 3:  # keep one image per group at least
            cuts[0] = min(max(cuts[0], 1), n - 2)
            cuts[1] = min(max(cuts[1], cuts[0] + 1), n - 1)
        for group, part in zip(groups, np.split(members, cuts), strict=True):
            group.append(part)
    train, valid, test = (np.sort(np.concatenate(g)).astype(np.int64) for g in groups)
    return train, valid, test


def _choose_sources(group: IntArray, n: int, rng: np.random.Generator) -> IntArray:
    """``n`` indices from ``group``, each used ``n // len(group)`` times or once more."""
    if n == 0:
        return np.empty(0, dtype=np.int64)
    if len(group) == 0:
        raise ValueError("cannot draw examples from an empty group of source images")
    reps = -(-n // len(group))
    chosen = np.concatenate([rng.permutation(group) for _ in range(reps)])[:n]
    return rng.permutation(chosen).astype(np.int64)


def _render(sources: npt.NDArray[np.float64], rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """Augmented 28x28 renderings of a batch of 8x8 images in ``[0, 1]``."""
    n = sources.shape[0]
    side = IMAGE_SIDE
    if n == 0:
        return np.zeros((0, side, side))
    # one affine map per example, output = A @ u + centre + shift (u in output pixels),
    # with A = rotation @ shear @ diag(scale); what is sampled is its inverse
    theta = np.deg2rad(rng.uniform(-MAX_ROTATION_DEG, MAX_ROTATION_DEG, n))
    shear = rng.uniform(-MAX_SHEAR, MAX_SHEAR, n)
    scale = rng.uniform(*SCALE_RANGE, (n, 2))
    shift = np.clip(rng.normal(0.0, SHIFT_SD, (n, 2)), -MAX_SHIFT, MAX_SHIFT)
    cos, sin = np.cos(theta), np.sin(theta)
    forward = np.empty((n, 2, 2))
    forward[:, 0, 0] = cos * scale[:, 0]
    forward[:, 0, 1] = (cos * shear - sin) * scale[:, 1]
    forward[:, 1, 0] = sin * scale[:, 0]
    forward[:, 1, 1] = (sin * shear + cos) * scale[:, 1]
    # the source's centre of mass lands on the frame centre (as MNIST centres its digits),
    # then moves by the shift; DIGIT_BOX output pixels span the 8 source pixels
    index = np.arange(SOURCE_SIDE, dtype=np.float64)
    mass = np.maximum(sources.sum(axis=(1, 2)), 1e-12)
    com_r = sources.sum(axis=2) @ index / mass
    com_c = sources.sum(axis=1) @ index / mass
    # keep the box where the ink is non-zero (one source pixel beyond the centres of the
    # pixels above INK_LEVEL) out of the frame's outer MARGIN pixels: shrink the few digits
    # that the map makes too large, then nudge the shift
    ink = sources > INK_LEVEL
    edges = []
    for axis, com in ((2, com_r), (1, com_c)):
        present = ink.any(axis=axis)
        first = present.argmax(axis=1) - 1.0
        last = SOURCE_SIDE - present[:, ::-1].argmax(axis=1).astype(np.float64)
        edges.append((np.stack([first, last], -1) - com[:, None]) * (DIGIT_BOX / SOURCE_SIDE))
    box_r = edges[0][:, :, None]  # (n, 2, 1): top and bottom
    box_c = edges[1][:, None, :]  # (n, 1, 2): left and right
    placed = [
        (forward[:, k, 0, None, None] * box_r + forward[:, k, 1, None, None] * box_c).reshape(n, 4)
        for k in range(2)
    ]
    extent = np.maximum(np.ptp(placed[0], axis=1), np.ptp(placed[1], axis=1))
    shrink = np.minimum(1.0, (side - 2 * MARGIN) / extent)
    forward *= shrink[:, None, None]
    centre = (side - 1) / 2.0
    for k in range(2):
        corners = placed[k] * shrink[:, None] + centre + shift[:, k, None]
        low = MARGIN - 0.5 - corners.min(axis=1)
        high = side - 0.5 - MARGIN - corners.max(axis=1)
        shift[:, k] += np.maximum(low, 0.0) + np.minimum(high, 0.0)
    inverse = np.linalg.inv(forward) * (SOURCE_SIDE / DIGIT_BOX)
    pixel = np.arange(side, dtype=np.float64)
    rel_r = np.repeat(pixel, side)[None, :] - (centre + shift[:, :1])
    rel_c = np.tile(pixel, side)[None, :] - (centre + shift[:, 1:])
    src_r = inverse[:, 0, :1] * rel_r + inverse[:, 0, 1:] * rel_c + com_r[:, None]
    src_c = inverse[:, 1, :1] * rel_r + inverse[:, 1, 1:] * rel_c + com_c[:, None]
    # bilinear sampling, zero outside the source (one pixel of zeros padded on each side)
    wide = SOURCE_SIDE + 2
    padded = np.pad(sources, ((0, 0), (1, 1), (1, 1))).reshape(n, wide * wide)
    src_r = np.clip(src_r + 1.0, 0.0, wide - 1.0 - 1e-9)
    src_c = np.clip(src_c + 1.0, 0.0, wide - 1.0 - 1e-9)
    r0 = src_r.astype(np.intp)
    c0 = src_c.astype(np.intp)
    fr = src_r - r0
    fc = src_c - c0
    at = r0 * wide + c0
    top = np.take_along_axis(padded, at, 1) * (1 - fc) + np.take_along_axis(padded, at + 1, 1) * fc
    at += wide
    bottom = (
        np.take_along_axis(padded, at, 1) * (1 - fc) + np.take_along_axis(padded, at + 1, 1) * fc
    )
    out = (top * (1 - fr) + bottom * fr).reshape(n, side, side)
    # stroke thickness: a contrast ramp from ``start`` (thicker when lower) over ``width``;
    # it also gives the strokes MNIST's saturated cores and soft edges
    start = rng.uniform(*STROKE_START_RANGE, n)[:, None, None]
    width = rng.uniform(*STROKE_WIDTH_RANGE, n)[:, None, None]
    out = np.clip((out - start) / width, 0.0, 1.0)
    # intensity: scale the whole image a little, then clip to [0, 1]
    out *= rng.uniform(*INTENSITY_RANGE, n)[:, None, None]
    return np.clip(out, 0.0, 1.0, out=out)


def _check_sizes(sizes: Sequence[int]) -> tuple[int, int, int]:
    if len(sizes) != 3:
        raise ValueError(f"sizes must be three counts (train, valid, test), got {sizes!r}")
    counts = (int(sizes[0]), int(sizes[1]), int(sizes[2]))
    if any(c < 0 or c != s for c, s in zip(counts, sizes, strict=True)):
        raise ValueError(f"sizes must be non-negative integers, got {sizes!r}")
    return counts


def make_mnist_like_with_sources(
    sizes: Sequence[int] = (5000, 1000, 1000), seed: int = 0
) -> tuple[Splits, tuple[IntArray, IntArray, IntArray]]:
    """:func:`make_mnist_like`, plus for each split the source-image index of every example.

    The indices are into ``sklearn.datasets.load_digits().images``; the three splits' index
    sets are disjoint.
    """
    counts = _check_sizes(sizes)
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    images, labels = load_source_digits()
    groups = partition_sources(labels, seed)
    splits: list[Split] = []
    sources: list[IntArray] = []
    for k, (group, n) in enumerate(zip(groups, counts, strict=True)):
        rng = np.random.default_rng(np.random.SeedSequence([seed, 1 + k]))
        chosen = _choose_sources(group, n, rng)
        x = _render(images[chosen], rng).reshape(n, IMAGE_SIDE * IMAGE_SIDE)
        splits.append((x.astype(np.float32), labels[chosen].astype(np.int64)))
        sources.append(chosen)
    return (splits[0], splits[1], splits[2]), (sources[0], sources[1], sources[2])


def make_mnist_like(sizes: Sequence[int] = (5000, 1000, 1000), seed: int = 0) -> Splits:
    """``(train_set, valid_set, test_set)`` in ``mnist.pkl.gz``'s format.

    Each set is ``(X, y)``: ``X`` float32 ``(N, 784)`` in ``[0, 1]``, ``y`` int64 ``(N,)``
    with labels 0-9, for ``N`` in ``sizes``. The same ``seed`` gives the same arrays.
    Raises :class:`MissingDependencyError` when scikit-learn is not installed.
    """
    splits, _ = make_mnist_like_with_sources(sizes, seed)
    return splits


def save_mnist_like(
    path: str | Path, sizes: Sequence[int] = (5000, 1000, 1000), seed: int = 0
) -> Splits:
    """Write :func:`make_mnist_like`'s sets to ``path`` as a gzipped pickle; return them."""
    splits = make_mnist_like(sizes, seed)
    with gzip.open(Path(path), "wb") as f:
        pickle.dump(splits, f, protocol=PICKLE_PROTOCOL)
    return splits


def _parse_sizes(text: str) -> tuple[int, int, int]:
    try:
        return _check_sizes([int(part) for part in text.split(",")])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"expected three non-negative counts TRAIN,VALID,TEST, got {text!r}"
        ) from exc


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tensorir.datasets.mnist_like OUT.pkl.gz [--sizes 5000,1000,1000] [--seed 0]``."""
    parser = argparse.ArgumentParser(
        prog="python -m tensorir.datasets.mnist_like",
        description="Write an mnist.pkl.gz look-alike made from scikit-learn's 8x8 digits.",
    )
    parser.add_argument("output", type=Path, help="file to write, e.g. mnist.pkl.gz")
    parser.add_argument(
        "--sizes",
        type=_parse_sizes,
        default=(5000, 1000, 1000),
        metavar="TRAIN,VALID,TEST",
        help="examples in each set (default: 5000,1000,1000)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f"argument --seed: must be non-negative, got {args.seed}")
    try:
        splits = save_mnist_like(args.output, args.sizes, args.seed)
    except MissingDependencyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    counts = ", ".join(
        f"{name} {x.shape[0]}"
        for name, (x, _) in zip(("train", "valid", "test"), splits, strict=True)
    )
    print(f"wrote {args.output}: {counts} examples of 784 pixels (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
