"""Logistic regression on MNIST-format digits with minibatch SGD: the classic Theano deep
learning tutorial (``logistic_sgd.py``), written for tensorir.

Datasets live in shared variables; a minibatch is selected by an index through ``givens``;
the model is trained on the negative log-likelihood, validated on the zero-one loss with
early stopping (patience), and the best model is pickled and reloaded to predict.

    python examples/logistic_sgd.py [--dataset mnist.pkl.gz] [--epochs 10]

Without ``--dataset`` (or if the file is missing) it writes an MNIST-format file from
scikit-learn's digits first (``python -m tensorir.datasets.mnist_like``, 5000/1000/1000).
"""

from __future__ import annotations

import argparse
import gzip
import os
import pickle
import sys
import tempfile
import time
import timeit

import numpy

import tensorir
from tensorir import tensor as T


class LogisticRegression:
    """Multi-class logistic regression: ``p(y | x) = softmax(x W + b)``."""

    def __init__(self, input: T.Variable, n_in: int, n_out: int):
        self.W = tensorir.shared(
            value=numpy.zeros((n_in, n_out), dtype=tensorir.config.floatX), name="W", borrow=True
        )
        self.b = tensorir.shared(
            value=numpy.zeros((n_out,), dtype=tensorir.config.floatX), name="b", borrow=True
        )
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]
        self.input = input

    def negative_log_likelihood(self, y: T.Variable) -> T.Variable:
        """The mean negative log-likelihood of the labels ``y`` under the model."""
        return -T.mean(T.log(self.p_y_given_x)[T.arange(y.shape[0]), y])

    def errors(self, y: T.Variable) -> T.Variable:
        """The fraction of the minibatch misclassified (the zero-one loss)."""
        if y.ndim != self.y_pred.ndim:
            raise TypeError("y should have the same shape as self.y_pred", y.type)
        if not y.dtype.startswith("int"):
            raise NotImplementedError()
        return T.mean(T.neq(self.y_pred, y))


def ensure_dataset(path: str | None) -> str:
    """``path`` if it exists, else a generated MNIST-format file (5000/1000/1000)."""
    if path and os.path.exists(path):
        return path
    from tensorir.datasets.mnist_like import save_mnist_like

    path = path or os.path.join(tempfile.gettempdir(), "tensorir_mnist_like_5000.pkl.gz")
    if not os.path.exists(path):
        print(f"... writing an MNIST-format dataset to {path}")
        save_mnist_like(path, sizes=(5000, 1000, 1000), seed=0)
    return path


def load_data(dataset: str) -> list[tuple[tensorir.SharedVariable, T.Variable]]:
    """The three splits as shared variables (labels stored as floatX, used as int32)."""
    print("... loading data")
    with gzip.open(dataset, "rb") as f:
        train_set, valid_set, test_set = pickle.load(f, encoding="latin1")

    def shared_dataset(data_xy, borrow=True):  # noqa: ANN001, ANN202
        data_x, data_y = data_xy
        shared_x = tensorir.shared(
            numpy.asarray(data_x, dtype=tensorir.config.floatX), borrow=borrow
        )
        shared_y = tensorir.shared(
            numpy.asarray(data_y, dtype=tensorir.config.floatX), borrow=borrow
        )
        return shared_x, T.cast(shared_y, "int32")

    test_set_x, test_set_y = shared_dataset(test_set)
    valid_set_x, valid_set_y = shared_dataset(valid_set)
    train_set_x, train_set_y = shared_dataset(train_set)
    return [(train_set_x, train_set_y), (valid_set_x, valid_set_y), (test_set_x, test_set_y)]


def sgd_optimization_mnist(
    learning_rate: float = 0.13,
    n_epochs: int = 10,
    dataset: str | None = None,
    batch_size: int = 600,
    model_file: str = "best_model.pkl",
) -> float:
    """Train, early-stop on the validation error, pickle the best model; returns its test
    error."""
    datasets = load_data(ensure_dataset(dataset))
    train_set_x, train_set_y = datasets[0]
    valid_set_x, valid_set_y = datasets[1]
    test_set_x, test_set_y = datasets[2]

    n_train_batches = train_set_x.get_value(borrow=True).shape[0] // batch_size
    n_valid_batches = valid_set_x.get_value(borrow=True).shape[0] // batch_size
    n_test_batches = test_set_x.get_value(borrow=True).shape[0] // batch_size

    print("... building the model")
    index = T.lscalar()  # index to a [mini]batch
    x = T.matrix("x")  # rasterized images
    y = T.ivector("y")  # labels
    classifier = LogisticRegression(input=x, n_in=28 * 28, n_out=10)
    cost = classifier.negative_log_likelihood(y)

    test_model = tensorir.function(
        inputs=[index],
        outputs=classifier.errors(y),
        givens={
            x: test_set_x[index * batch_size : (index + 1) * batch_size],
            y: test_set_y[index * batch_size : (index + 1) * batch_size],
        },
    )
    validate_model = tensorir.function(
        inputs=[index],
        outputs=classifier.errors(y),
        givens={
            x: valid_set_x[index * batch_size : (index + 1) * batch_size],
            y: valid_set_y[index * batch_size : (index + 1) * batch_size],
        },
    )
    g_W = T.grad(cost=cost, wrt=classifier.W)
    g_b = T.grad(cost=cost, wrt=classifier.b)
    updates = [
        (classifier.W, classifier.W - learning_rate * g_W),
        (classifier.b, classifier.b - learning_rate * g_b),
    ]
    train_model = tensorir.function(
        inputs=[index],
        outputs=cost,
        updates=updates,
        givens={
            x: train_set_x[index * batch_size : (index + 1) * batch_size],
            y: train_set_y[index * batch_size : (index + 1) * batch_size],
        },
    )

    print("... training the model")
    patience = 5000  # look at this many examples regardless
    patience_increase = 2  # wait this much longer when a new best is found
    improvement_threshold = 0.995  # a relative improvement of this much is significant
    validation_frequency = min(n_train_batches, patience // 2)

    best_validation_loss = numpy.inf
    test_score = 0.0
    start_time = timeit.default_timer()
    done_looping = False
    epoch = 0
    while (epoch < n_epochs) and (not done_looping):
        epoch = epoch + 1
        for minibatch_index in range(n_train_batches):
            train_model(minibatch_index)
            iter = (epoch - 1) * n_train_batches + minibatch_index
            if (iter + 1) % validation_frequency == 0:
                validation_losses = [validate_model(i) for i in range(n_valid_batches)]
                this_validation_loss = numpy.mean(validation_losses)
                print(
                    f"epoch {epoch}, minibatch {minibatch_index + 1}/{n_train_batches}, "
                    f"validation error {this_validation_loss * 100.0:f} %"
                )
                if this_validation_loss < best_validation_loss:
                    if this_validation_loss < best_validation_loss * improvement_threshold:
                        patience = max(patience, iter * patience_increase)
                    best_validation_loss = this_validation_loss
                    test_losses = [test_model(i) for i in range(n_test_batches)]
                    test_score = numpy.mean(test_losses)
                    print(
                        f"     epoch {epoch}, minibatch {minibatch_index + 1}/{n_train_batches}, "
                        f"test error of best model {test_score * 100.0:f} %"
                    )
                    with open(model_file, "wb") as f:  # save the best model
                        pickle.dump(classifier, f)
            if patience <= iter:
                done_looping = True
                break

    end_time = timeit.default_timer()
    print(
        f"Optimization complete with best validation score of "
        f"{best_validation_loss * 100.0:f} %, with test performance {test_score * 100.0:f} %"
    )
    print(f"The code run for {epoch} epochs, with {epoch / (end_time - start_time):f} epochs/sec")
    print(f"seconds per epoch: {(end_time - start_time) / epoch:.4f}", file=sys.stderr)
    return float(test_score)


def predict(dataset: str | None = None, model_file: str = "best_model.pkl") -> numpy.ndarray:
    """Load the pickled best model and predict the first test labels."""
    with open(model_file, "rb") as f:
        classifier = pickle.load(f)
    predict_model = tensorir.function(inputs=[classifier.input], outputs=classifier.y_pred)
    datasets = load_data(ensure_dataset(dataset))
    test_set_x, test_set_y = datasets[2]
    test_set_x = test_set_x.get_value()
    predicted_values = predict_model(test_set_x[:10])
    print("Predicted values for the first 10 examples in test set:")
    print(predicted_values)
    return predicted_values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default=None)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--model", default="best_model.pkl")
    args = parser.parse_args()
    t0 = time.perf_counter()
    test_error = sgd_optimization_mnist(
        n_epochs=args.epochs, dataset=args.dataset, model_file=args.model
    )
    print(f"test error {test_error * 100:.2f} % ({time.perf_counter() - t0:.1f} s in all)")
    predict(args.dataset, args.model)


if __name__ == "__main__":
    main()
