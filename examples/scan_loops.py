"""The examples of the loops page of Theano's tutorial ("Loop": scan), with theano replaced by
tensorir and Python 3's print. Each prints what the page prints (numpy 2 prints arrays
without the old padding), the numpy comparisons included; the binomial noise is tensorir's
own random stream, so its 0/1 pattern differs from Theano's."""

import numpy as np

import tensorir
import tensorir.tensor as T

# -- Computing tanh(x(t).dot(W) + b) elementwise
X = T.matrix("X")
W = T.matrix("W")
b_sym = T.vector("b_sym")

results, updates = tensorir.scan(lambda v: T.tanh(T.dot(v, W) + b_sym), sequences=X)
compute_elementwise = tensorir.function(inputs=[X, W, b_sym], outputs=results)

x = np.eye(2, dtype=tensorir.config.floatX)
w = np.ones((2, 2), dtype=tensorir.config.floatX)
b = np.ones((2), dtype=tensorir.config.floatX)
b[1] = 2

print(compute_elementwise(x, w, b))
print(np.tanh(x.dot(w) + b))

# -- Computing the sequence x(t) = tanh(x(t - 1).dot(W) + y(t).dot(U) + p(T - t).dot(V))
X = T.vector("X")
W = T.matrix("W")
b_sym = T.vector("b_sym")
U = T.matrix("U")
Y = T.matrix("Y")
V = T.matrix("V")
P = T.matrix("P")

results, updates = tensorir.scan(
    lambda y, p, x_tm1: T.tanh(T.dot(x_tm1, W) + T.dot(y, U) + T.dot(p, V)),
    sequences=[Y, P[::-1]],
    outputs_info=[X],
)
compute_seq = tensorir.function(inputs=[X, W, Y, U, P, V], outputs=results)

x = np.zeros((2), dtype=tensorir.config.floatX)
x[1] = 1
w = np.ones((2, 2), dtype=tensorir.config.floatX)
y = np.ones((5, 2), dtype=tensorir.config.floatX)
y[0, :] = -3
u = np.ones((2, 2), dtype=tensorir.config.floatX)
p = np.ones((5, 2), dtype=tensorir.config.floatX)
p[0, :] = 3
v = np.ones((2, 2), dtype=tensorir.config.floatX)

print(compute_seq(x, w, y, u, p, v))

x_res = np.zeros((5, 2), dtype=tensorir.config.floatX)
x_res[0] = np.tanh(x.dot(w) + y[0].dot(u) + p[4].dot(v))
for i in range(1, 5):
    x_res[i] = np.tanh(x_res[i - 1].dot(w) + y[i].dot(u) + p[4 - i].dot(v))
print(x_res)

# -- Computing norms of lines of X
X = T.matrix("X")
results, updates = tensorir.scan(lambda x_i: T.sqrt((x_i**2).sum()), sequences=[X])
compute_norm_lines = tensorir.function(inputs=[X], outputs=results)

x = np.diag(np.arange(1, 6, dtype=tensorir.config.floatX), 1)
print(compute_norm_lines(x))
print(np.sqrt((x**2).sum(1)))

# -- Computing norms of columns of X
X = T.matrix("X")
results, updates = tensorir.scan(lambda x_i: T.sqrt((x_i**2).sum()), sequences=[X.T])
compute_norm_cols = tensorir.function(inputs=[X], outputs=results)

x = np.diag(np.arange(1, 6, dtype=tensorir.config.floatX), 1)
print(compute_norm_cols(x))
print(np.sqrt((x**2).sum(0)))

# -- Computing trace of X
floatX = "float32"
X = T.matrix("X")
results, updates = tensorir.scan(
    lambda i, j, t_f: T.cast(X[i, j] + t_f, floatX),
    sequences=[T.arange(X.shape[0]), T.arange(X.shape[1])],
    outputs_info=np.asarray(0.0, dtype=floatX),
)
result = results[-1]
compute_trace = tensorir.function(inputs=[X], outputs=result)

x = np.eye(5, dtype=tensorir.config.floatX)
x[0] = np.arange(5, dtype=tensorir.config.floatX)
print(compute_trace(x))
print(np.diagonal(x).sum())

# -- Computing the sequence x(t) = x(t - 2).dot(U) + x(t - 1).dot(V) + tanh(x(t - 1).dot(W) + b)
X = T.matrix("X")
W = T.matrix("W")
b_sym = T.vector("b_sym")
U = T.matrix("U")
V = T.matrix("V")
n_sym = T.iscalar("n_sym")

results, updates = tensorir.scan(
    lambda x_tm2, x_tm1: T.dot(x_tm2, U) + T.dot(x_tm1, V) + T.tanh(T.dot(x_tm1, W) + b_sym),
    n_steps=n_sym,
    outputs_info=[dict(initial=X, taps=[-2, -1])],
)
compute_seq2 = tensorir.function(inputs=[X, U, V, W, b_sym, n_sym], outputs=results)

x = np.zeros((2, 2), dtype=tensorir.config.floatX)  # the initial value must be able to return x[-2]
x[1, 1] = 1
w = 0.5 * np.ones((2, 2), dtype=tensorir.config.floatX)
u = 0.5 * (np.ones((2, 2), dtype=tensorir.config.floatX) - np.eye(2, dtype=tensorir.config.floatX))
v = 0.5 * np.ones((2, 2), dtype=tensorir.config.floatX)
n = 10
b = np.ones((2), dtype=tensorir.config.floatX)

print(compute_seq2(x, u, v, w, b, n))

x_res = np.zeros((10, 2))
x_res[0] = x[0].dot(u) + x[1].dot(v) + np.tanh(x[1].dot(w) + b)
x_res[1] = x[1].dot(u) + x_res[0].dot(v) + np.tanh(x_res[0].dot(w) + b)
x_res[2] = x_res[0].dot(u) + x_res[1].dot(v) + np.tanh(x_res[1].dot(w) + b)
for i in range(2, 10):
    x_res[i] = x_res[i - 2].dot(u) + x_res[i - 1].dot(v) + np.tanh(x_res[i - 1].dot(w) + b)
print(x_res)

# -- Computing the Jacobian of y = tanh(v.dot(A)) wrt x
v = T.vector()
A = T.matrix()
y = T.tanh(T.dot(v, A))
results, updates = tensorir.scan(lambda i: tensorir.grad(y[i], v), sequences=[T.arange(y.shape[0])])
compute_jac_t = tensorir.function([A, v], results, allow_input_downcast=True)  # (d_out, d_in)

x = np.eye(5, dtype=tensorir.config.floatX)[0]
w = np.eye(5, 3, dtype=tensorir.config.floatX)
w[2] = np.ones((3), dtype=tensorir.config.floatX)
print(compute_jac_t(w, x))
print(((1 - np.tanh(x.dot(w)) ** 2) * w).T)

# -- Accumulate number of loop during a scan
k = tensorir.shared(0)
n_sym = T.iscalar("n_sym")

results, updates = tensorir.scan(lambda: {k: (k + 1)}, n_steps=n_sym)
accumulator = tensorir.function([n_sym], [], updates=updates, allow_input_downcast=True)

print(k.get_value())
accumulator(5)
print(k.get_value())

# -- Computing tanh(v.dot(W) + b) * d where d is binomial
X = T.matrix("X")
W = T.matrix("W")
b_sym = T.vector("b_sym")

trng = T.shared_randomstreams.RandomStreams(1234)
d = trng.binomial(size=W[1].shape)

results, updates = tensorir.scan(lambda v: T.tanh(T.dot(v, W) + b_sym) * d, sequences=X)
compute_with_bnoise = tensorir.function(
    inputs=[X, W, b_sym], outputs=results, updates=updates, allow_input_downcast=True
)
x = np.eye(10, 2, dtype=tensorir.config.floatX)
w = np.ones((2, 2), dtype=tensorir.config.floatX)
b = np.ones((2), dtype=tensorir.config.floatX)

print(compute_with_bnoise(x, w, b))

# -- Computing pow(A, k)
k = T.iscalar("k")
A = T.vector("A")


def inner_fct(prior_result, B):
    return prior_result * B


result, updates = tensorir.scan(
    fn=inner_fct, outputs_info=T.ones_like(A), non_sequences=A, n_steps=k
)
final_result = result[-1]  # scan notices that only the last value is used: no memory wasted
power = tensorir.function(inputs=[A, k], outputs=final_result, updates=updates)
print(power(range(10), 2))

# -- Calculating a polynomial
coefficients = tensorir.tensor.vector("coefficients")
x = T.scalar("x")
max_coefficients_supported = 10000

full_range = tensorir.tensor.arange(max_coefficients_supported)
components, updates = tensorir.scan(
    fn=lambda coeff, power, free_var: coeff * (free_var**power),
    outputs_info=None,
    sequences=[coefficients, full_range],
    non_sequences=x,
)
polynomial = components.sum()
calculate_polynomial = tensorir.function(inputs=[coefficients, x], outputs=polynomial)

test_coeff = np.asarray([1, 0, 2], dtype=np.float32)
print(calculate_polynomial(test_coeff, 3))

# -- Exercise: the polynomial with the reduction done by scan
outputs, updates = tensorir.scan(
    fn=lambda coeff, power, prior, free_var: prior + coeff * (free_var**power),
    outputs_info=np.asarray(0.0, dtype=tensorir.config.floatX),
    sequences=[coefficients, full_range],
    non_sequences=x,
)
calculate_polynomial_by_scan = tensorir.function(inputs=[coefficients, x], outputs=outputs[-1])
print(calculate_polynomial_by_scan(test_coeff, 3))
