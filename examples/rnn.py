"""An Elman recurrent network trained by backpropagation through time on a generated task:
at each step, output the input seen ``DELAY`` steps before (a memory task that a network
without recurrence cannot solve). The step is a ``scan``; the gradient runs backwards through
it; the weights are shared variables updated by SGD with momentum. The loss printed every few
epochs falls from about the variance of the target (1.0) towards 0.

    python examples/rnn.py [epochs]
"""

import sys

import numpy as np

import tensorir
import tensorir.tensor as T

DELAY = 2
N_IN, N_HIDDEN, N_OUT = 1, 24, 1
STEPS, BATCH = 30, 32


def make_batch(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Inputs of shape (steps, batch, 1), +1 or -1; targets the inputs DELAY steps back
    (0 before the start)."""
    x = rng.choice([-1.0, 1.0], size=(STEPS, BATCH, N_IN))
    y = np.zeros_like(x)
    y[DELAY:] = x[:-DELAY]
    return x, y


def build(rng: np.random.Generator, lr: float = 0.05, momentum: float = 0.9):
    def param(shape: tuple[int, ...], scale: float, name: str):
        return tensorir.shared(rng.normal(0.0, scale, size=shape), name=name)

    W_in = param((N_IN, N_HIDDEN), 0.5, "W_in")
    W_rec = param((N_HIDDEN, N_HIDDEN), 1.0 / np.sqrt(N_HIDDEN), "W_rec")
    b_h = tensorir.shared(np.zeros(N_HIDDEN), name="b_h")
    W_out = param((N_HIDDEN, N_OUT), 0.1, "W_out")
    b_out = tensorir.shared(np.zeros(N_OUT), name="b_out")
    params = [W_in, W_rec, b_h, W_out, b_out]

    x = T.dtensor3("x")  # (steps, batch, n_in)
    y = T.dtensor3("y")  # (steps, batch, n_out)
    h0 = T.zeros((x.shape[1], N_HIDDEN))

    def step(x_t, h_tm1):
        h_t = T.tanh(T.dot(x_t, W_in) + T.dot(h_tm1, W_rec) + b_h)
        y_t = T.dot(h_t, W_out) + b_out
        return h_t, y_t

    (h, y_hat), _ = tensorir.scan(step, sequences=x, outputs_info=[h0, None])
    loss = ((y_hat - y) ** 2).mean()
    grads = tensorir.grad(loss, params)
    velocities = [tensorir.shared(np.zeros_like(p.get_value()), name=f"v_{p.name}") for p in params]
    updates = []
    for p, g, v in zip(params, grads, velocities, strict=True):
        v_new = momentum * v - lr * g
        updates += [(v, v_new), (p, p + v_new)]
    train = tensorir.function([x, y], loss, updates=updates)
    evaluate = tensorir.function([x, y], loss)
    return train, evaluate


def main(epochs: int = 300) -> list[float]:
    rng = np.random.default_rng(1234)
    train, evaluate = build(rng)
    test_x, test_y = make_batch(np.random.default_rng(99))
    losses = []
    for epoch in range(epochs + 1):
        if epoch % 50 == 0:
            losses.append(float(evaluate(test_x, test_y)))
            print(f"epoch {epoch:4d}  test loss {losses[-1]:.4f}")
        if epoch < epochs:
            train(*make_batch(rng))
    return losses


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
