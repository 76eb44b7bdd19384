"""Lesson 04 (activation functions): right answers and typical mistakes for every checker."""

import math

import numpy as np
import scipy.special
import torch

NOTEBOOK = "04_activation_functions.ipynb"


def _stub(x):
    # your code here
    return None


def _stable_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _naive_sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ----------------------------------------------------------------------------- 4.1 ReLU
def relu_forgot_return(x):
    y = np.maximum(0, x)  # noqa: F841 - the mistake: no return


def relu_loop(x):
    return np.array([max(0.0, v) for v in x])


def relu_in_place(x):
    out = x.copy()
    out[out < 0] = 0
    return out


# ----------------------------------------------------------------------------- 4.2 sigmoid
def sigmoid_forgot_return(x):
    e = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1 / (1 + e), e / (1 + e))  # noqa: F841 - the mistake: no return


def sigmoid_where_both_branches(x):
    # the classic: np.where picks per element, but computes both branches for every x
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


def sigmoid_if_else(x):
    if x >= 0:
        return 1 / (1 + np.exp(-x))
    return np.exp(x) / (1 + np.exp(x))


def sigmoid_math(x):
    return 1 / (1 + math.exp(-x))


def sigmoid_masks(x):
    x = np.asarray(x)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1 + ex)
    return out


def sigmoid_abs_only(x):
    e = np.exp(-np.abs(x))
    return 1 / (1 + e)


def sigmoid_swapped(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, e / (1 + e), 1 / (1 + e))  # = σ(−x)


def sigmoid_negative_only(x):
    e = np.exp(-np.abs(x))
    return e / (1 + e)


def sigmoid_silenced(x):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def sigmoid_clipped(x):
    return _naive_sigmoid(np.clip(x, -10, 10))  # no overflow, but σ(−1000) ≠ σ(−10)


# ----------------------------------------------------------------------------- 4.3 tanh
def tanh_where_both_branches(x):
    return np.where(x >= 0, (1 - np.exp(-2 * x)) / (1 + np.exp(-2 * x)),
                    (np.exp(2 * x) - 1) / (np.exp(2 * x) + 1))


def tanh_abs_only(x):
    e = np.exp(-2 * np.abs(x))
    return (1 - e) / (1 + e)


def tanh_half(x):
    e = np.exp(-np.abs(x))  # e^(−|x|) instead of e^(−2|x|)
    return np.sign(x) * (1 - e) / (1 + e)


def tanh_math(x):
    return (math.exp(x) - math.exp(-x)) / (math.exp(x) + math.exp(-x))


def tanh_forgot_return(x):
    e = np.exp(-2 * np.abs(x))
    t = np.sign(x) * (1 - e) / (1 + e)  # noqa: F841 - the mistake: no return


# ----------------------------------------------------------------------------- 4.4 derivatives
def relu_grad_forgot_return(x):
    g = (x > 0).astype(float)  # noqa: F841 - the mistake: no return


def relu_grad_if(x):
    return 1.0 if x > 0 else 0.0


def sigmoid_grad_forgot_return(x):
    s = 1 / (1 + np.exp(-x))
    s * (1 - s)


def sigmoid_grad_math(x):
    s = 1 / (1 + math.exp(-x))
    return s * (1 - s)


def sigmoid_grad_autograd(x):
    t = torch.tensor(x, requires_grad=True)
    torch.sigmoid(t).sum().backward()
    return t.grad


def tanh_grad_forgot_return(x):
    t = np.tanh(x)
    g = 1 - t ** 2  # noqa: F841 - the mistake: no return


def tanh_grad_xor(x):
    return 1 - np.tanh(x) ^ 2


TABLES = {
    "check_relu": {
        "right": {
            "float32": lambda x: np.maximum(0, x).astype(np.float32),
            "torch": lambda x: torch.relu(torch.as_tensor(x)),
            "where": lambda x: np.where(x > 0, x, 0.0),
            "(x + |x|) / 2": lambda x: (x + np.abs(x)) / 2,
            "clip": lambda x: np.clip(x, 0, None),
            "x times mask": lambda x: x * (x > 0),
            "masked copy": relu_in_place,
        },
        "wrong": {
            "the stub": (_stub, "not_implemented"),
            "forgot return": (relu_forgot_return, "no_return"),
            "np.minimum": (lambda x: np.minimum(x, 0), "min_instead_of_max"),
            "abs": (lambda x: np.abs(x), "abs"),
            "the step (derivative)": (lambda x: (x > 0).astype(float), "step"),
            "cast to int": (lambda x: np.maximum(0, x).astype(int), "dtype"),
            "np.max reduces": (lambda x: np.max(x, 0), "np_max"),
            "python max on an array": (lambda x: max(0, x), "array_truth"),
            "loop over rows": (relu_loop, "loop_rows"),
            "leaky": (lambda x: np.maximum(0.01 * x, x), "leaky"),
            "(x + |x|) without / 2": (lambda x: x + np.abs(x), "twice"),
        },
    },
    "check_sigmoid": {
        "right": {
            "float32": lambda x: _stable_sigmoid(x).astype(np.float32),
            "torch": lambda x: torch.sigmoid(torch.as_tensor(x)),
            "boolean masks": sigmoid_masks,
            "scipy expit": scipy.special.expit,
            "via tanh": lambda x: 0.5 * (1 + np.tanh(x / 2)),
        },
        "wrong": {
            "the stub": (_stub, "not_implemented"),
            "forgot return": (sigmoid_forgot_return, "no_return"),
            "naive 1/(1+e^-x)": (_naive_sigmoid, "overflow_warning"),
            "e^x / (1 + e^x)": (lambda x: np.exp(x) / (1 + np.exp(x)), "overflow_nan"),
            "np.where with both naive forms": (sigmoid_where_both_branches, "where_both_branches"),
            "sign of the exponent": (lambda x: 1 / (1 + np.exp(x)), "sign"),
            "np.where branches swapped": (sigmoid_swapped, "branches_swapped"),
            "1 / 1 + e^-x": (lambda x: 1 / 1 + np.exp(-x), "precedence"),
            "1 − e^-x in the denominator": (lambda x: 1 / (1 - np.exp(-x)), "not_finite"),
            "missing 1": (lambda x: 1 / np.exp(-x), "no_one"),
            "tanh": (np.tanh, "tanh"),
            "if/else on an array": (sigmoid_if_else, "array_truth"),
            "math.exp": (sigmoid_math, "math_module"),
            "clipped x": (sigmoid_clipped, "extremes"),
            "overflow silenced": (sigmoid_silenced, "silenced"),
            "only the x >= 0 form": (sigmoid_abs_only, "abs_only"),
            "only the x < 0 form": (sigmoid_negative_only, "negative_only"),
        },
    },
    "check_tanh": {
        "right": {
            "np.tanh": np.tanh,
            "float32": lambda x: np.tanh(x).astype(np.float32),
            "torch": lambda x: torch.tanh(torch.as_tensor(x)),
            "2σ(2x) − 1, stable": lambda x: 2 * _stable_sigmoid(2 * x) - 1,
        },
        "wrong": {
            "the stub": (_stub, "not_implemented"),
            "forgot return": (tanh_forgot_return, "no_return"),
            "naive formula": (lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)),
                              "overflow_nan"),
            "2σ(2x) − 1, naive σ": (lambda x: 2 * _naive_sigmoid(2 * x) - 1, "overflow_warning"),
            "np.where with both forms": (tanh_where_both_branches, "where_both_branches"),
            "the sigmoid": (_stable_sigmoid, "sigmoid"),
            "sign flipped": (lambda x: (np.exp(-x) - np.exp(x)) / (np.exp(x) + np.exp(-x)),
                             "sign_flipped"),
            "plus in the numerator": (lambda x: (np.exp(x) + np.exp(-x)) / (np.exp(x) + np.exp(-x)),
                                      "plus_in_numerator"),
            "forgot np.sign": (tanh_abs_only, "abs_only"),
            "e^(−|x|) instead of e^(−2|x|)": (tanh_half, "half_argument"),
            "2σ(2x) without − 1": (lambda x: 2 * _stable_sigmoid(2 * x), "no_minus_one"),
            "math.exp": (tanh_math, "math_module"),
        },
    },
    "check_relu_grad": {
        "right": {
            "float32": lambda x: (x > 0).astype(np.float32),
            "torch autograd": lambda x: torch.autograd.grad(
                torch.relu(t := torch.tensor(x, requires_grad=True)).sum(), t)[0],
            "where": lambda x: np.where(x > 0, 1.0, 0.0),
            "heaviside": lambda x: np.heaviside(x, 0.0),
        },
        "wrong": {
            "the stub": (_stub, "not_implemented"),
            "forgot return": (relu_grad_forgot_return, "no_return"),
            "ReLU itself": (lambda x: np.maximum(x, 0), "relu_itself"),
            "x >= 0": (lambda x: (x >= 0).astype(float), "at_zero"),
            "booleans": (lambda x: x > 0, "boolean"),
            "ints": (lambda x: np.where(x > 0, 1, 0), "dtype"),
            "np.sign": (lambda x: np.sign(x), "sign"),
            "x < 0": (lambda x: (x < 0).astype(float), "flipped"),
            "if on an array": (relu_grad_if, "array_truth"),
            "ones": (lambda x: np.ones_like(x), "all_ones"),
            "np.gradient": (lambda x: np.gradient(np.maximum(x, 0)), "np_gradient"),
        },
    },
    "check_sigmoid_grad": {
        "right": {
            "float32": lambda x: (_stable_sigmoid(x) * (1 - _stable_sigmoid(x))).astype(np.float32),
            "torch autograd": sigmoid_grad_autograd,
            "e^-x / (1 + e^-x)^2": lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2,
            "scipy expit": lambda x: scipy.special.expit(x) * scipy.special.expit(-x),
        },
        "wrong": {
            "the stub": (_stub, "not_implemented"),
            "forgot return": (sigmoid_grad_forgot_return, "no_return"),
            "σ itself": (_stable_sigmoid, "sigmoid_itself"),
            "x(1 − x)": (lambda x: x * (1 - x), "on_x"),
            "1 − σ only": (lambda x: 1 - _stable_sigmoid(x), "missing_factor"),
            "σ(1 + σ)": (lambda x: _stable_sigmoid(x) * (1 + _stable_sigmoid(x)), "plus"),
            "1 − σ²": (lambda x: 1 - _stable_sigmoid(x) ** 2, "tanh_formula"),
            "minus σ(1 − σ)": (lambda x: -_stable_sigmoid(x) * (1 - _stable_sigmoid(x)), "negative"),
            "np.gradient": (lambda x: np.gradient(_stable_sigmoid(x)), "np_gradient"),
            "math.exp": (sigmoid_grad_math, "math_module"),
            "undefined name": (lambda x: sigma(x) * (1 - sigma(x)), "raised"),  # noqa: F821
        },
    },
    "check_tanh_grad": {
        "right": {
            "float32": lambda x: (1 - np.tanh(x) ** 2).astype(np.float32),
            "torch": lambda x: 1 - torch.tanh(torch.as_tensor(x)) ** 2,
            "sech²": lambda x: 1 / np.cosh(x) ** 2,
            "(1 − t)(1 + t)": lambda x: (1 - np.tanh(x)) * (1 + np.tanh(x)),
        },
        "wrong": {
            "the stub": (_stub, "not_implemented"),
            "forgot return": (tanh_grad_forgot_return, "no_return"),
            "1 − x²": (lambda x: 1 - x ** 2, "one_minus_x_squared"),
            "1 − tanh": (lambda x: 1 - np.tanh(x), "not_squared"),
            "tanh itself": (np.tanh, "tanh_itself"),
            "1 + tanh²": (lambda x: 1 + np.tanh(x) ** 2, "plus_sign"),
            "t(1 − t)": (lambda x: np.tanh(x) * (1 - np.tanh(x)), "sigmoid_rule"),
            "tanh(x²)": (lambda x: 1 - np.tanh(x ** 2), "tanh_of_square"),
            "* 2 for ** 2": (lambda x: 1 - np.tanh(x) * 2, "times_two"),
            "np.gradient": (lambda x: np.gradient(np.tanh(x)), "np_gradient"),
            "^ for power": (tanh_grad_xor, "xor"),
        },
    },
}
