"""A multilayer perceptron (one tanh hidden layer, a logistic regression layer on top) on
MNIST-format digits: the classic Theano deep learning tutorial (``mlp.py``), for tensorir.

The cost is the negative log-likelihood plus L1 and L2 penalties; training is minibatch SGD
through an index and ``givens``, with early stopping on the validation zero-one loss, and the
best parameters are pickled.

    python examples/mlp.py [--dataset mnist.pkl.gz] [--epochs 3]
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import timeit

import numpy

import tensorir
from tensorir import tensor as T

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from logistic_sgd import LogisticRegression, ensure_dataset, load_data  # noqa: E402


class HiddenLayer:
    """``tanh(input W + b)``, W drawn uniformly in +-sqrt(6 / (n_in + n_out)) (Glorot)."""

    def __init__(
        self,
        rng: numpy.random.RandomState,
        input: T.Variable,
        n_in: int,
        n_out: int,
        W: tensorir.SharedVariable | None = None,
        b: tensorir.SharedVariable | None = None,
        activation=T.tanh,  # noqa: ANN001
    ):
        self.input = input
        if W is None:
            W_values = numpy.asarray(
                rng.uniform(
                    low=-numpy.sqrt(6.0 / (n_in + n_out)),
                    high=numpy.sqrt(6.0 / (n_in + n_out)),
                    size=(n_in, n_out),
                ),
                dtype=tensorir.config.floatX,
            )
            if activation == T.nnet.sigmoid:
                W_values *= 4
            W = tensorir.shared(value=W_values, name="W", borrow=True)
        if b is None:
            b = tensorir.shared(
                value=numpy.zeros((n_out,), dtype=tensorir.config.floatX), name="b", borrow=True
            )
        self.W = W
        self.b = b
        lin_output = T.dot(input, self.W) + self.b
        self.output = lin_output if activation is None else activation(lin_output)
        self.params = [self.W, self.b]


class MLP:
    """A hidden layer feeding a logistic regression layer."""

    def __init__(
        self,
        rng: numpy.random.RandomState,
        input: T.Variable,
        n_in: int,
        n_hidden: int,
        n_out: int,
    ):
        self.hiddenLayer = HiddenLayer(
            rng=rng, input=input, n_in=n_in, n_out=n_hidden, activation=T.tanh
        )
        self.logRegressionLayer = LogisticRegression(
            input=self.hiddenLayer.output, n_in=n_hidden, n_out=n_out
        )
        self.L1 = abs(self.hiddenLayer.W).sum() + abs(self.logRegressionLayer.W).sum()
        self.L2_sqr = (self.hiddenLayer.W**2).sum() + (self.logRegressionLayer.W**2).sum()
        self.negative_log_likelihood = self.logRegressionLayer.negative_log_likelihood
        self.errors = self.logRegressionLayer.errors
        self.params = self.hiddenLayer.params + self.logRegressionLayer.params
        self.input = input


def test_mlp(
    learning_rate: float = 0.01,
    L1_reg: float = 0.00,
    L2_reg: float = 0.0001,
    n_epochs: int = 3,
    dataset: str | None = None,
    batch_size: int = 20,
    n_hidden: int = 500,
    model_file: str = "best_mlp.pkl",
) -> float:
    """Train with early stopping; returns the test error of the best validated model."""
    datasets = load_data(ensure_dataset(dataset))
    train_set_x, train_set_y = datasets[0]
    valid_set_x, valid_set_y = datasets[1]
    test_set_x, test_set_y = datasets[2]
    n_train_batches = train_set_x.get_value(borrow=True).shape[0] // batch_size
    n_valid_batches = valid_set_x.get_value(borrow=True).shape[0] // batch_size
    n_test_batches = test_set_x.get_value(borrow=True).shape[0] // batch_size

    print("... building the model")
    index = T.lscalar()
    x = T.matrix("x")
    y = T.ivector("y")
    rng = numpy.random.RandomState(1234)
    classifier = MLP(rng=rng, input=x, n_in=28 * 28, n_hidden=n_hidden, n_out=10)
    cost = (
        classifier.negative_log_likelihood(y) + L1_reg * classifier.L1 + L2_reg * classifier.L2_sqr
    )

    def batch(data):  # noqa: ANN001, ANN202
        return data[index * batch_size : (index + 1) * batch_size]

    test_model = tensorir.function(
        inputs=[index],
        outputs=classifier.errors(y),
        givens={x: batch(test_set_x), y: batch(test_set_y)},
    )
    validate_model = tensorir.function(
        inputs=[index],
        outputs=classifier.errors(y),
        givens={x: batch(valid_set_x), y: batch(valid_set_y)},
    )
    gparams = [T.grad(cost, param) for param in classifier.params]
    updates = [
        (param, param - learning_rate * gparam)
        for param, gparam in zip(classifier.params, gparams, strict=True)
    ]
    train_model = tensorir.function(
        inputs=[index],
        outputs=cost,
        updates=updates,
        givens={x: batch(train_set_x), y: batch(train_set_y)},
    )

    print("... training")
    patience = 10000
    patience_increase = 2
    improvement_threshold = 0.995
    validation_frequency = min(n_train_batches, patience // 2)
    best_validation_loss = numpy.inf
    best_iter = 0
    test_score = 0.0
    start_time = timeit.default_timer()
    epoch = 0
    done_looping = False
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
                    best_iter = iter
                    test_losses = [test_model(i) for i in range(n_test_batches)]
                    test_score = numpy.mean(test_losses)
                    print(
                        f"     epoch {epoch}, minibatch {minibatch_index + 1}/{n_train_batches}, "
                        f"test error of best model {test_score * 100.0:f} %"
                    )
                    with open(model_file, "wb") as f:
                        pickle.dump([p.get_value() for p in classifier.params], f)
            if patience <= iter:
                done_looping = True
                break
    end_time = timeit.default_timer()
    print(
        f"Optimization complete. Best validation score of {best_validation_loss * 100.0:f} % "
        f"obtained at iteration {best_iter + 1}, with test performance {test_score * 100.0:f} %"
    )
    print(f"seconds per epoch: {(end_time - start_time) / epoch:.4f}", file=sys.stderr)

    # reload the best parameters and predict with them
    with open(model_file, "rb") as f:
        best = pickle.load(f)
    for param, value in zip(classifier.params, best, strict=True):
        param.set_value(value, borrow=True)
    predict = tensorir.function([x], classifier.logRegressionLayer.y_pred)
    print("Predicted values for the first 10 examples in test set:")
    print(predict(test_set_x.get_value()[:10]))
    return float(test_score)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default=None)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--model", default="best_mlp.pkl")
    args = parser.parse_args()
    err = test_mlp(n_epochs=args.epochs, dataset=args.dataset, model_file=args.model)
    print(f"test error {err * 100:.2f} %")


if __name__ == "__main__":
    main()
