"""A denoising autoencoder on MNIST-format digits: the classic Theano deep learning tutorial
(``dA.py``), for tensorir.

The input is corrupted by a binomial mask drawn from ``RandomStreams`` (its state advances
through ``default_update`` at every call), encoded with sigmoid units, decoded with the tied
(transposed) weights, and trained on the cross-entropy of the reconstruction with minibatch
SGD through an index and ``givens``.

    python examples/dA.py [--dataset mnist.pkl.gz] [--epochs 2] [--corruption 0.3]
"""

from __future__ import annotations

import argparse
import os
import sys
import timeit

import numpy

import tensorir
from tensorir import tensor as T
from tensorir.tensor.shared_randomstreams import RandomStreams

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from logistic_sgd import ensure_dataset, load_data  # noqa: E402


class dA:  # noqa: N801 (the tutorial's name)
    """Tied-weights denoising autoencoder: ``y = sigmoid(x~ W + b)``,
    ``z = sigmoid(y W^T + b')``."""

    def __init__(
        self,
        numpy_rng: numpy.random.RandomState,
        theano_rng: RandomStreams | None = None,
        input: T.Variable | None = None,
        n_visible: int = 784,
        n_hidden: int = 500,
    ):
        self.n_visible = n_visible
        self.n_hidden = n_hidden
        self.theano_rng = theano_rng or RandomStreams(numpy_rng.randint(2**30))
        bound = 4 * numpy.sqrt(6.0 / (n_hidden + n_visible))
        initial_W = numpy.asarray(
            numpy_rng.uniform(low=-bound, high=bound, size=(n_visible, n_hidden)),
            dtype=tensorir.config.floatX,
        )
        self.W = tensorir.shared(value=initial_W, name="W", borrow=True)
        self.b = tensorir.shared(
            numpy.zeros(n_hidden, dtype=tensorir.config.floatX), name="b", borrow=True
        )
        self.b_prime = tensorir.shared(
            numpy.zeros(n_visible, dtype=tensorir.config.floatX), name="b'", borrow=True
        )
        self.W_prime = self.W.T
        self.x = input if input is not None else T.matrix("input")
        self.params = [self.W, self.b, self.b_prime]

    def get_corrupted_input(self, input: T.Variable, corruption_level: float) -> T.Variable:
        """Zero a fraction ``corruption_level`` of the inputs, a new mask at every call."""
        mask = self.theano_rng.binomial(
            size=input.shape, n=1, p=1 - corruption_level, dtype=tensorir.config.floatX
        )
        return mask * input

    def get_hidden_values(self, input: T.Variable) -> T.Variable:
        return T.nnet.sigmoid(T.dot(input, self.W) + self.b)

    def get_reconstructed_input(self, hidden: T.Variable) -> T.Variable:
        return T.nnet.sigmoid(T.dot(hidden, self.W_prime) + self.b_prime)

    def get_cost_updates(self, corruption_level: float, learning_rate: float):  # noqa: ANN201
        """The mean cross-entropy of the reconstruction, and the SGD updates."""
        tilde_x = self.get_corrupted_input(self.x, corruption_level)
        y = self.get_hidden_values(tilde_x)
        z = self.get_reconstructed_input(y)
        L = -T.sum(self.x * T.log(z) + (1 - self.x) * T.log(1 - z), axis=1)
        cost = T.mean(L)
        gparams = T.grad(cost, self.params)
        updates = [
            (param, param - learning_rate * gparam)
            for param, gparam in zip(self.params, gparams, strict=True)
        ]
        return cost, updates


def test_dA(
    learning_rate: float = 0.1,
    training_epochs: int = 2,
    dataset: str | None = None,
    batch_size: int = 20,
    corruption_level: float = 0.3,
    n_hidden: int = 500,
) -> list[float]:
    """Train; returns the mean training cost of each epoch."""
    datasets = load_data(ensure_dataset(dataset))
    train_set_x, _ = datasets[0]
    n_train_batches = train_set_x.get_value(borrow=True).shape[0] // batch_size
    index = T.lscalar()
    x = T.matrix("x")
    rng = numpy.random.RandomState(123)
    theano_rng = RandomStreams(rng.randint(2**30))
    da = dA(numpy_rng=rng, theano_rng=theano_rng, input=x, n_visible=28 * 28, n_hidden=n_hidden)
    cost, updates = da.get_cost_updates(corruption_level, learning_rate)
    train_da = tensorir.function(
        [index],
        cost,
        updates=updates,
        givens={x: train_set_x[index * batch_size : (index + 1) * batch_size]},
    )
    start_time = timeit.default_timer()
    history = []
    for epoch in range(training_epochs):
        c = [train_da(batch_index) for batch_index in range(n_train_batches)]
        history.append(float(numpy.mean(c)))
        print(f"Training epoch {epoch}, cost {history[-1]:f}")
    end_time = timeit.default_timer()
    print(
        f"The {int(corruption_level * 100)}% corruption code ran for "
        f"{(end_time - start_time) / 60.0:.2f}m",
        file=sys.stderr,
    )
    return history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default=None)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--corruption", type=float, default=0.3)
    args = parser.parse_args()
    history = test_dA(
        training_epochs=args.epochs, dataset=args.dataset, corruption_level=args.corruption
    )
    print(f"cost fell from {history[0]:f} to {history[-1]:f}")


if __name__ == "__main__":
    main()
