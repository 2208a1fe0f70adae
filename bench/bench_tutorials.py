"""Seconds per epoch of the deep-learning tutorials' training (seed 003) against the same
training written in numpy.

    python bench/bench_tutorials.py [--dataset mnist.pkl.gz] [--epochs 2]

An epoch is what the tutorials do per epoch: one SGD step per minibatch over the training
set (shared datasets, minibatches through an index and ``givens``), then the zero-one loss
over the validation set. Logistic regression: batch 600, lr 0.13. MLP: 500 tanh hidden
units, batch 20, lr 0.01, L2 1e-4. numpy runs the hand-derived gradients of the same model
on the same data with the same initial weights. Also prints the compile times and the error
rates reached. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

import tensorir
from tensorir import tensor as T

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
from logistic_sgd import LogisticRegression, ensure_dataset, load_data  # noqa: E402
from mlp import MLP  # noqa: E402


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def tensorir_epochs(model: str, datasets: list, epochs: int) -> tuple[float, float, float]:
    """(compile seconds, seconds per epoch, final validation error)."""
    (train_x, train_y), (valid_x, valid_y), _ = datasets
    batch = 600 if model == "logistic" else 20
    index = T.lscalar()
    x = T.matrix("x")
    y = T.ivector("y")
    if model == "logistic":
        clf = LogisticRegression(x, 28 * 28, 10)
        cost, lr, params = clf.negative_log_likelihood(y), 0.13, clf.params
    else:
        clf = MLP(np.random.RandomState(1234), x, 28 * 28, 500, 10)
        cost = clf.negative_log_likelihood(y) + 0.0001 * clf.L2_sqr
        lr, params = 0.01, clf.params

    def part(data):  # noqa: ANN001, ANN202
        return data[index * batch : (index + 1) * batch]

    t0 = time.perf_counter()
    grads = T.grad(cost, params)
    train = tensorir.function(
        [index],
        cost,
        updates=[(p, p - lr * g) for p, g in zip(params, grads, strict=True)],
        givens={x: part(train_x), y: part(train_y)},
    )
    validate = tensorir.function(
        [index], clf.errors(y), givens={x: part(valid_x), y: part(valid_y)}
    )
    compile_s = time.perf_counter() - t0
    n_train = train_x.get_value(borrow=True).shape[0] // batch
    n_valid = valid_x.get_value(borrow=True).shape[0] // batch
    t0 = time.perf_counter()
    for _ in range(epochs):
        for i in range(n_train):
            train(i)
        err = float(np.mean([validate(i) for i in range(n_valid)]))
    return compile_s, (time.perf_counter() - t0) / epochs, err


def numpy_epochs(model: str, data: tuple, epochs: int) -> tuple[float, float]:
    """(seconds per epoch, final validation error) of the same training in numpy."""
    (tx, ty), (vx, vy) = data
    dtype = tx.dtype
    if model == "logistic":
        batch, lr = 600, 0.13
        W, b = np.zeros((784, 10), dtype), np.zeros(10, dtype)
    else:
        batch, lr = 20, 0.01
        rng = np.random.RandomState(1234)
        bound = np.sqrt(6.0 / (784 + 500))
        W1 = np.asarray(rng.uniform(-bound, bound, (784, 500)), dtype)
        b1 = np.zeros(500, dtype)
        W2, b2 = np.zeros((500, 10), dtype), np.zeros(10, dtype)
    n_train, n_valid = len(tx) // batch, len(vx) // batch
    t0 = time.perf_counter()
    for _ in range(epochs):
        for i in range(n_train):
            xb, yb = tx[i * batch : (i + 1) * batch], ty[i * batch : (i + 1) * batch]
            rows = np.arange(batch)
            if model == "logistic":
                d = softmax(xb @ W + b)
                d[rows, yb] -= 1
                d /= batch
                W -= lr * (xb.T @ d)
                b -= lr * d.sum(axis=0)
            else:
                h = np.tanh(xb @ W1 + b1)
                d = softmax(h @ W2 + b2)
                d[rows, yb] -= 1
                d /= batch
                gW2 = h.T @ d + 0.0001 * 2 * W2
                gb2 = d.sum(axis=0)
                dh = (d @ W2.T) * (1 - h * h)
                gW1 = xb.T @ dh + 0.0001 * 2 * W1
                gb1 = dh.sum(axis=0)
                W1 -= lr * gW1
                b1 -= lr * gb1
                W2 -= lr * gW2
                b2 -= lr * gb2
        errs = []
        for i in range(n_valid):
            xb, yb = vx[i * batch : (i + 1) * batch], vy[i * batch : (i + 1) * batch]
            z = xb @ W + b if model == "logistic" else np.tanh(xb @ W1 + b1) @ W2 + b2
            errs.append(np.mean(z.argmax(axis=1) != yb))
        err = float(np.mean(errs))
    return (time.perf_counter() - t0) / epochs, err


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", default=None)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    path = ensure_dataset(args.dataset)
    datasets = load_data(path)
    (train_x, train_y), (valid_x, valid_y), _ = datasets
    train_y_np = np.asarray(train_y.owner.inputs[0].get_value(), dtype=np.int64)
    valid_y_np = np.asarray(valid_y.owner.inputs[0].get_value(), dtype=np.int64)
    np_data = ((train_x.get_value(), train_y_np), (valid_x.get_value(), valid_y_np))
    print(f"tutorial training, {args.epochs} epochs each, floatX={tensorir.config.floatX}")
    for model in ("logistic", "mlp"):
        compile_s, t_ir, err_ir = tensorir_epochs(model, load_data(path), args.epochs)
        t_np, err_np = numpy_epochs(model, np_data, args.epochs)
        print(
            f"  {model:8s} tensorir {t_ir:7.3f} s/epoch (compile {compile_s:5.2f} s, "
            f"valid error {100 * err_ir:5.2f} %)   numpy {t_np:7.3f} s/epoch "
            f"(valid error {100 * err_np:5.2f} %)   ratio tensorir/numpy {t_ir / t_np:.2f}"
        )


if __name__ == "__main__":
    main()
