"""Data sets for the tutorials, made here instead of downloaded.

``tensorir.datasets.mnist_like`` writes a file in the format of the deep-learning tutorials'
``mnist.pkl.gz`` (a gzipped pickle of ``(train_set, valid_set, test_set)``, each ``(X, y)``
with ``X`` float32 of shape ``(N, 784)`` in ``[0, 1]`` and ``y`` int64 labels 0-9), built from
scikit-learn's bundled 8x8 digits (``pip install tensorir[datasets]``)::

    python -m tensorir.datasets.mnist_like mnist.pkl.gz --sizes 5000,1000,1000 --seed 0

The module is imported on first use, so ``import tensorir.datasets`` needs no scikit-learn.
"""

from __future__ import annotations

from typing import Any

__all__ = ["make_mnist_like", "make_mnist_like_with_sources", "save_mnist_like"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tensorir.datasets import mnist_like

        return getattr(mnist_like, name)
    raise AttributeError(f"module 'tensorir.datasets' has no attribute {name!r}")
