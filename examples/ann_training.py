"""Training a 3-5-5-1 tanh network (the pyaudi notebook "Training Artificial Neural
Networks", seed 004), with tensorir instead of generalized dual numbers.

pyaudi computes the loss as a gdual and reads each derivative off it. Here the network is a
symbolic expression; one compiled function returns the loss and its derivative with respect
to every weight and bias, another applies a gradient-descent step through ``updates``, and
``tensorir.gradient.derivatives`` gives partial derivatives of any order by multi-index.

Run: ``python examples/ann_training.py [--seed N] [--plot loss.png]``. The loss curve is saved
as a PNG when matplotlib is installed.
"""

from __future__ import annotations

import argparse

import numpy as np

import tensorir
from tensorir import tensor
from tensorir.gradient import derivatives

N_UNITS = [3, 5, 5, 1]


def initialize(rng: np.random.Generator) -> list:
    """Weights drawn from N(0, 1), biases 1, one (W, b) pair of shared variables per layer."""
    params = []
    for layer in range(1, len(N_UNITS)):
        n_out, n_in = N_UNITS[layer], N_UNITS[layer - 1]
        params.append(tensorir.shared(rng.standard_normal((n_out, n_in)), name=f"W{layer}"))
        params.append(tensorir.shared(np.ones(n_out), name=f"b{layer}"))
    return params


def network(x: tensor.Variable, params: list) -> tensor.Variable:
    """The network's output for the input vector ``x``: tanh hidden layers, linear output."""
    out = x
    n_layers = len(params) // 2
    for layer in range(n_layers):
        W, b = params[2 * layer], params[2 * layer + 1]
        out = tensor.dot(W, out) + b
        if layer != n_layers - 1:
            out = tensor.tanh(out)
    return out.sum()  # the one output unit, as a scalar


def target(x1, x2, x3):  # noqa: ANN001, ANN201 (numbers or symbolic scalars)
    """The function the network learns: y(x) = x1 * x2 + 0.5 * x3 + 2."""
    return x1 * x2 + 0.5 * x3 + 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--plot", default="ann_training_loss.png")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    params = initialize(rng)
    # the input as three scalars, so that derivatives by multi-index can be taken in them
    x1, x2, x3 = tensor.dscalars("x1", "x2", "x3")
    x = x1 * np.array([1.0, 0.0, 0.0]) + x2 * np.array([0.0, 1.0, 0.0])
    x = x + x3 * np.array([0.0, 0.0, 1.0])
    y = tensor.dscalar("y")
    N = network(x, params)
    loss = tensor.sqr(N - y)
    loss.name = "loss"

    # one function: the loss and its derivative with respect to every weight and bias
    grads = tensorir.grad(loss, params)
    loss_and_grads = tensorir.function([x1, x2, x3, y], [N, loss, *grads])
    # one gradient-descent step, the learning rate an input
    lr = tensor.dscalar("lr")
    step = tensorir.function(
        [x1, x2, x3, y, lr],
        loss,
        updates=[(p, p - lr * g) for p, g in zip(params, grads, strict=True)],
    )

    point = (1.0, 2.0, 4.0)
    y0 = target(*point)
    n_value, loss0, *derivs = loss_and_grads(*point, y0)
    print(f"N(x) = {float(n_value)}")
    print(f"y = {y0}")
    print(f"loss = {float(loss0)}")
    for p, d in zip(params, derivs, strict=True):
        print(f"d loss / d {p.name}: shape {d.shape}, norm {np.linalg.norm(d):.6f}")

    # after one GD step (lr 0.01) the loss decreases
    step(*point, y0, 0.01)
    loss1 = float(loss_and_grads(*point, y0)[1])
    print(f"loss after one GD step = {loss1}")
    assert loss1 < float(loss0), "one gradient step did not lower the loss"

    # beyond first order: every partial derivative of N up to order 3 in the inputs
    partials = derivatives(N, [x1, x2, x3], 3)
    d_fn = tensorir.function([x1, x2, x3], list(partials.values()))
    values = dict(zip(partials, d_fn(*point), strict=True))
    print(f"{len(partials)} partial derivatives of N up to order 3 at x = {point}:")
    for idx in [(1, 0, 0), (0, 0, 1), (2, 0, 0), (1, 1, 0), (1, 1, 1), (0, 0, 3)]:
        print(f"  d^{sum(idx)} N / {idx} = {float(values[idx]):.10f}")

    # training over 10 random points in [-1, 1]^3 (the notebook's loop)
    X = -1 + 2 * rng.random((10, 3))
    for p, fresh in zip(params, initialize(rng), strict=True):
        p.set_value(fresh.get_value())
    history = []
    for _ in range(args.epochs):
        epoch_loss = [float(loss_and_grads(*xi, target(*xi))[1]) for xi in X]
        history.append(float(np.mean(epoch_loss)))
        for xi in X:
            step(*xi, target(*xi), 0.001)
    print(f"mean loss: epoch 1 {history[0]:.6f}, epoch {args.epochs} {history[-1]:.6f}")
    assert history[-1] < history[0], "the mean loss did not fall"

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no loss curve plotted")
        return
    plt.semilogy(history)
    plt.xlabel("epoch")
    plt.ylabel("mean loss")
    plt.title("3-5-5-1 tanh network")
    plt.savefig(args.plot)
    print(f"loss curve saved to {args.plot}")


if __name__ == "__main__":
    main()
