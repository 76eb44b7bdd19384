"""Lesson 02 (Weights & Biases): right answers and typical mistakes for its three checkers."""

import numpy as np
import torch

NOTEBOOK = "02_weights_and_biases.ipynb"


def _stub(*args):
    # your code here
    return None


# ----------------------------------------------------------------------------- Exercise 2.1
def _neuron_torch_item(x, w, b):
    """The notebook's way: nn.Linear (float32) and .item() back to a Python float."""
    layer = torch.nn.Linear(len(x), 1)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(np.asarray(w), dtype=torch.float32)[None])
        layer.bias.fill_(float(b))
        return layer(torch.tensor(np.asarray(x), dtype=torch.float32)).item()


def _neuron_loop(x, w, b):
    z = b
    for i in range(len(x)):
        z = z + w[i] * x[i]
    return z


def _neuron_forgot_return(x, w, b):
    z = np.sum(w * x) + b  # noqa: F841 - the mistake under test


def _neuron_return_in_loop(x, w, b):
    z = b
    for i in range(len(x)):
        z = z + w[i] * x[i]
        return z


def _neuron_missed_last(x, w, b):
    z = 0.0
    for i in range(len(x) - 1):
        z += w[i] * x[i]
    return z + b


# ----------------------------------------------------------------------------- Exercise 2.2
W1, W2, B = 1.0, -1.0, 0.06


def _z(X):
    return X @ np.array([W1, W2]) + B


def _classify_forgot_return(X):
    labels = (_z(X) > 0).astype(int)  # noqa: F841 - the mistake under test


def _classify_loop(X):
    labels = []
    for x1, x2 in X:
        labels.append(1 if W1 * x1 + W2 * x2 + B > 0 else 0)
    return labels


def _classifier(w1, w2, b):
    return lambda X: (X @ np.array([w1, w2]) + b > 0).astype(int)


# ----------------------------------------------------------------------------- Exercise 2.3
def _affine_loop(P, W, b):
    return np.array([W @ p + b for p in P])


def _affine_forgot_return(P, W, b):
    out = P @ W.T + b  # noqa: F841 - the mistake under test


def _affine_last_only(P, W, b):
    for p in P:
        y = W @ p + b
    return y


def _affine_torch_float32_list(P, W, b):
    layer = torch.nn.Linear(W.shape[1], W.shape[0])
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(W))
        layer.bias.copy_(torch.from_numpy(b))
        return layer(torch.from_numpy(P).float()).tolist()


TABLES = {
    "check_neuron": {
        "right": {
            "w @ x + b": lambda x, w, b: w @ x + b,
            "float32": lambda x, w, b: np.asarray(x, np.float32) @ np.asarray(w, np.float32) + np.float32(b),
            "nn.Linear(...).item()": _neuron_torch_item,
            "torch tensor": lambda x, w, b: torch.dot(torch.tensor(x), torch.tensor(w)) + b,
            "a loop": _neuron_loop,
            "np.dot": lambda x, w, b: np.dot(x, w) + b,
            "sum of a generator": lambda x, w, b: sum(xi * wi for xi, wi in zip(x, w)) + b,
        },
        "wrong": {
            "the stub": (_stub, "not_implemented"),
            "forgot return": (_neuron_forgot_return, "no_return"),
            "no bias": (lambda x, w, b: x @ w, "no_bias"),
            "bias subtracted": (lambda x, w, b: x @ w - b, "bias_subtracted"),
            "bias in every term": (lambda x, w, b: np.sum(w * x + b), "bias_per_term"),
            "bias multiplies": (lambda x, w, b: (x @ w) * b, "bias_multiplied"),
            "adds x and w": (lambda x, w, b: np.sum(x + w) + b, "added_inputs_weights"),
            "mean instead of sum": (lambda x, w, b: np.mean(w * x) + b, "mean_not_sum"),
            "sums multiplied": (lambda x, w, b: np.sum(x) * np.sum(w) + b, "sums_multiplied"),
            "written out for two inputs": (lambda x, w, b: w[0] * x[0] + w[1] * x[1] + b, "first_two_only"),
            "return inside the loop": (_neuron_return_in_loop, "return_in_loop"),
            "range(len(x) - 1)": (_neuron_missed_last, "missed_last"),
            "no sum": (lambda x, w, b: w * x + b, "no_sum"),
            "torch.dot on numpy arrays": (lambda x, w, b: torch.dot(x, w) + b, "torch_numpy"),
            "w sliced": (lambda x, w, b: x @ w[:1] + b, "matmul"),
        },
    },
    "check_ink_classifier": {
        "right": {
            "booleans": lambda X: _z(X) > 0,
            "float labels": lambda X: np.where(_z(X) > 0, 1.0, 0.0),
            "torch": lambda X: (torch.from_numpy(X) @ torch.tensor([W1, W2], dtype=torch.float64)
                                + B > 0).long(),
            "a list from a loop": _classify_loop,
            "other good weights": _classifier(2.0, -2.0, 0.1),
        },
        "wrong": {
            "the stub": (_stub, "not_implemented"),
            "forgot return": (_classify_forgot_return, "no_return"),
            "weights left at 0": (_classifier(0.0, 0.0, 0.0), "one_class"),
            "signs flipped": (_classifier(-1.0, 1.0, -0.06), "flipped"),
            "top ink only": (_classifier(1.0, 0.0, -0.5), "low_accuracy"),
            "returns z": (lambda X: _z(X), "not_labels"),
            "np.sign": (lambda X: np.sign(_z(X)), "sign"),
            "X * w": (lambda X: (X * np.array([W1, W2]) + B > 0).astype(int), "shape"),
            "one label": (lambda X: int(_z(X[0]) > 0), "one_number"),
            "a column": (lambda X: (X @ np.array([[W1], [W2]]) + B > 0).astype(int), "column"),
            "called it": (np.zeros(200, dtype=int), "not_callable"),
            "words": (lambda X: np.where(_z(X) > 0, "seven", "six"), "not_numbers"),
            "row out of range": (lambda X: np.array([int(_z(X[i]) > 0) for i in range(800)]), "index"),
            "NaN from a log of 0": (lambda X: np.where(_z(X) > 0, 1.0, 0.0) * np.log(X[:, :1].T[0] * 0),
                                    "not_finite"),
            "the digits 6 and 7": (lambda X: np.where(_z(X) > 0, 7, 6), "digit_labels"),
        },
    },
    "check_affine": {
        "right": {
            "one point at a time": _affine_loop,
            "einsum": lambda P, W, b: np.einsum("oi,ni->no", W, P) + b,
            "transpose back": lambda P, W, b: (W @ P.T).T + b,
            "torch linear": lambda P, W, b: torch.nn.functional.linear(
                torch.from_numpy(P), torch.from_numpy(W), torch.from_numpy(b)),
            "float32": lambda P, W, b: P.astype(np.float32) @ W.T.astype(np.float32) + b.astype(np.float32),
            "nn.Linear float32 as a list": _affine_torch_float32_list,
        },
        "wrong": {
            "the stub": (_stub, "not_implemented"),
            "forgot return": (_affine_forgot_return, "no_return"),
            "no transpose": (lambda P, W, b: P @ W + b, "no_transpose"),
            "no bias": (lambda P, W, b: P @ W.T, "no_bias"),
            "bias subtracted": (lambda P, W, b: P @ W.T - b, "bias_subtracted"),
            "bias multiplies": (lambda P, W, b: (P @ W.T) * b, "bias_multiplied"),
            "add, then multiply": (lambda P, W, b: (P + b) @ W.T, "add_then_multiply"),
            "transposed result": (lambda P, W, b: (P @ W.T + b).T, "transposed_output"),
            "W @ P": (lambda P, W, b: W @ P + b, "matmul"),
            "W @ P.T + b": (lambda P, W, b: W @ P.T + b, "W_first_bias"),
            "P * W": (lambda P, W, b: P * W + b, "elementwise"),
            "b as a column": (lambda P, W, b: P @ W.T + b[:, None], "b_column"),
            "first point only": (lambda P, W, b: W @ P[0] + b, "first_only"),
            "last point only": (_affine_last_only, "last_only"),
            "outputs summed": (lambda P, W, b: (P @ W.T + b).sum(axis=1), "summed_outputs"),
        },
    },
}
