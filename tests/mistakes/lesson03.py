"""Lesson 03 (Layers in a network): right answers and typical mistakes for its three checkers."""

import numpy as np
import torch

NOTEBOOK = "03_layers.ipynb"

rng = np.random.default_rng(0)


def _stub(*args):
    # your code here
    return None


# ----------------------------------------------------------------------------- Exercise 3.1
def _params_torch(d_in, d_out):
    return 0.01 * torch.randn(d_out, d_in), torch.zeros(d_out)


def _params_nn_linear(d_in, d_out):
    layer = torch.nn.Linear(d_in, d_out)  # PyTorch's uniform ±1/√d_in weights
    torch.nn.init.zeros_(layer.bias)
    return layer.weight, layer.bias


def _params_forgot_return(d_in, d_out):
    W = 0.01 * rng.normal(size=(d_out, d_in))  # noqa: F841 - the mistake under test
    b = np.zeros(d_out)  # noqa: F841


def _params_one_row(d_in, d_out):
    W = np.zeros((d_out, d_in))
    W[:] = 0.01 * rng.normal(size=d_in)  # one random row, copied into every row
    return W, np.zeros(d_out)


def _params_nn_linear_bias(d_in, d_out):
    layer = torch.nn.Linear(d_in, d_out)  # its bias is random too
    return layer.weight, layer.bias


# ----------------------------------------------------------------------------- Exercise 3.2
def _batch_loop(X, W, b):
    return np.stack([W @ x + b for x in X])


def _batch_forgot_return(X, W, b):
    Y = X @ W.T + b  # noqa: F841 - the mistake under test


def _batch_first_only(X, W, b):
    for x in X:
        return W @ x + b


def _batch_last_only(X, W, b):
    for x in X:
        y = W @ x + b
    return y


# ----------------------------------------------------------------------------- Exercise 3.3
def _pairs(w):
    return list(zip(w[:-1], w[1:]))


def _count_torch(widths):
    return sum(p.numel() for a, b in _pairs(widths) for p in torch.nn.Linear(a, b).parameters())


def _count_loop(widths):
    total = 0
    for i in range(len(widths) - 1):
        total += (widths[i] + 1) * widths[i + 1]
    return total


def _count_forgot_return(widths):
    total = sum(b * a + b for a, b in _pairs(widths))  # noqa: F841 - the mistake under test


def _count_return_in_loop(widths):
    total = 0
    for a, b in _pairs(widths):
        total += a * b + b
        return total


def _count_last_missing(widths):
    total = 0
    for i in range(len(widths) - 2):
        total += widths[i] * widths[i + 1] + widths[i + 1]
    return total


def _count_first_missing(widths):
    total = 0
    for i in range(1, len(widths) - 1):
        total += widths[i] * widths[i + 1] + widths[i + 1]
    return total


TABLES = {
    "check_layer_params": {
        "right": {
            "float32": lambda d_in, d_out: ((0.01 * rng.normal(size=(d_out, d_in))).astype(np.float32),
                                            np.zeros(d_out, np.float32)),
            "torch tensors": _params_torch,
            "nn.Linear with zero bias": _params_nn_linear,
            "PyTorch-like uniform": lambda d_in, d_out: (
                rng.uniform(-1, 1, size=(d_out, d_in)) / np.sqrt(d_in), np.zeros(d_out)),
            "He normal": lambda d_in, d_out: (rng.normal(0, np.sqrt(2 / d_in), size=(d_out, d_in)),
                                              np.zeros(d_out)),
            "a list": lambda d_in, d_out: [np.random.randn(d_out, d_in) * 0.01, np.zeros(d_out)],
        },
        "wrong": {
            "the stub": (_stub, "not_implemented"),
            "forgot return": (_params_forgot_return, "no_return"),
            "W transposed": (lambda d_in, d_out: (0.01 * rng.normal(size=(d_in, d_out)), np.zeros(d_out)),
                             "W_transposed"),
            "W square": (lambda d_in, d_out: (0.01 * rng.normal(size=(d_out, d_out)), np.zeros(d_out)),
                         "W_shape"),
            "b per input": (lambda d_in, d_out: (0.01 * rng.normal(size=(d_out, d_in)), np.zeros(d_in)),
                            "b_per_input"),
            "b a column": (lambda d_in, d_out: (0.01 * rng.normal(size=(d_out, d_in)),
                                                np.zeros((d_out, 1))), "b_2d"),
            "b wrong size": (lambda d_in, d_out: (0.01 * rng.normal(size=(d_out, d_in)), np.zeros(d_out + 1)),
                             "b_shape"),
            "only W": (lambda d_in, d_out: 0.01 * rng.normal(size=(d_out, d_in)), "not_a_pair"),
            "b, W": (lambda d_in, d_out: (np.zeros(d_out), 0.01 * rng.normal(size=(d_out, d_in))),
                     "swapped_pair"),
            "integer weights": (lambda d_in, d_out: (rng.integers(-1, 2, size=(d_out, d_in)),
                                                     np.zeros(d_out, int)), "dtype"),
            "NaN": (lambda d_in, d_out: (np.full((d_out, d_in), np.nan), np.zeros(d_out)), "not_finite"),
            "negative size": (lambda d_in, d_out: (np.zeros(-1), np.zeros(d_out)), "raised"),
            "all zeros": (lambda d_in, d_out: (np.zeros((d_out, d_in)), np.zeros(d_out)), "W_zeros"),
            "all 0.01": (lambda d_in, d_out: (np.full((d_out, d_in), 0.01), np.zeros(d_out)), "W_constant"),
            "one row repeated": (_params_one_row, "same_rows"),
            "one number per row": (lambda d_in, d_out: (0.01 * rng.normal(size=(d_out, 1)) * np.ones(d_in),
                                                        np.zeros(d_out)), "same_columns"),
            "rng.random": (lambda d_in, d_out: (0.01 * rng.random((d_out, d_in)), np.zeros(d_out)),
                           "one_sign"),
            "100 * normal": (lambda d_in, d_out: (100 * rng.normal(size=(d_out, d_in)), np.zeros(d_out)),
                             "W_too_large"),
            "random bias": (_params_nn_linear_bias, "b_not_zero"),
            "names, not arrays": (lambda d_in, d_out: ("W", "b"), "not_numbers"),
        },
    },
    "check_linear_batch": {
        "right": {
            "float32": lambda X, W, b: X.astype(np.float32) @ W.T.astype(np.float32) + b.astype(np.float32),
            "torch linear": lambda X, W, b: torch.nn.functional.linear(
                torch.from_numpy(X), torch.from_numpy(W), torch.from_numpy(b)),
            "torch float32 back to float64": lambda X, W, b: torch.nn.functional.linear(
                torch.from_numpy(X).float(), torch.from_numpy(W).float(),
                torch.from_numpy(b).float()).double(),
            "einsum": lambda X, W, b: np.einsum("ni,oi->no", X, W) + b,
            "transpose back": lambda X, W, b: (W @ X.T).T + b,
            "a loop": _batch_loop,
        },
        "wrong": {
            "the stub": (_stub, "not_implemented"),
            "forgot return": (_batch_forgot_return, "no_return"),
            "X @ W": (lambda X, W, b: X @ W + b, "no_transpose"),
            "no bias": (lambda X, W, b: X @ W.T, "no_bias"),
            "bias subtracted": (lambda X, W, b: X @ W.T - b, "bias_subtracted"),
            "bias multiplies": (lambda X, W, b: (X @ W.T) * b, "bias_multiplied"),
            "add, then multiply": (lambda X, W, b: (X + b) @ W.T, "add_then_multiply"),
            "W @ X.T": (lambda X, W, b: W @ X.T, "transposed_output"),
            "W @ X.T + b": (lambda X, W, b: W @ X.T + b, "W_first_bias"),
            "W @ X": (lambda X, W, b: W @ X + b, "matmul"),
            "X * W": (lambda X, W, b: X * W + b, "elementwise"),
            "b a column": (lambda X, W, b: X @ W.T + b.reshape(-1, 1), "b_column"),
            "return inside the loop": (_batch_first_only, "first_only"),
            "loop keeps the last": (_batch_last_only, "last_only"),
            "summed per example": (lambda X, W, b: (X @ W.T + b).sum(axis=1), "summed_outputs"),
            "averaged over the batch": (lambda X, W, b: (X @ W.T + b).mean(axis=0), "averaged_rows"),
        },
    },
    "check_count_parameters": {
        "right": {
            "(d_in + 1) · d_out in a loop": _count_loop,
            "numpy": lambda w: int(np.sum(np.array(w[:-1]) * np.array(w[1:]) + np.array(w[1:]))),
            "torch counts": _count_torch,
            "a float": lambda w: float(sum(a * b + b for a, b in _pairs(w))),
        },
        "wrong": {
            "the stub": (_stub, "not_implemented"),
            "forgot return": (_count_forgot_return, "no_return"),
            "weights only": (lambda w: sum(a * b for a, b in _pairs(w)), "weights_only"),
            "neurons": (lambda w: sum(w), "neurons"),
            "bias per input": (lambda w: sum(a * b + a for a, b in _pairs(w)), "bias_per_input"),
            "biases in and out": (lambda w: sum(a * b + a + b for a, b in _pairs(w)), "both_biases"),
            "input layer biases": (lambda w: sum(a * b + b for a, b in _pairs(w)) + w[0], "input_bias"),
            "return inside the loop": (_count_return_in_loop, "return_in_loop"),
            "last layer missing": (_count_last_missing, "last_layer_missing"),
            "first layer missing": (_count_first_missing, "first_layer_missing"),
            "product of widths": (lambda w: int(np.prod(w)), "product"),
            "per layer": (lambda w: [a * b + b for a, b in _pairs(w)], "per_layer"),
            "formatted": (lambda w: f"{sum(a * b + b for a, b in _pairs(w)):,}", "not_numbers"),
        },
    },
}
