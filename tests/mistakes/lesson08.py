"""Lesson 08 (learning loop): right answers and typical mistakes for its two checkers."""

import numpy as np
import torch
import torch.nn.functional as F

NOTEBOOK = "08_learning_loop.ipynb"


# ----------------------------------------------------------------------------- 8.1 the update
def sgd_inplace(theta, grad, lr):
    theta -= lr * grad
    return theta


def sgd_forgot_return(theta, grad, lr):
    theta -= lr * grad


def sgd_forgot_to_use_the_update(theta, grad, lr):
    new_theta = theta - lr * grad  # noqa: F841 - the mistake under test
    return theta


TABLE_SGD = {
    "right": {
        "float32": lambda t, g, lr: (t - lr * g).astype(np.float32),
        "torch tensor": lambda t, g, lr: torch.from_numpy(t) - lr * torch.from_numpy(g),
        "in place, then returned": sgd_inplace,
        "np.subtract": lambda t, g, lr: np.subtract(t, np.multiply(lr, g)),
        "list of rows": lambda t, g, lr: [ti - lr * gi for ti, gi in zip(t, g)],
    },
    "wrong": {
        "left as given": (lambda t, g, lr: None, "not_implemented"),
        "forgot return": (sgd_forgot_return, "no_return"),
        "undefined attribute": (lambda t, g, lr: t.undefined, "raised"),
        "adds the gradient": (lambda t, g, lr: t + lr * g, "ascent"),
        "forgot lr": (lambda t, g, lr: t - g, "no_lr"),
        "returns the old theta": (sgd_forgot_to_use_the_update, "theta_unchanged"),
        "returns only the step": (lambda t, g, lr: -lr * g, "step_only"),
        "returns the gradient": (lambda t, g, lr: g, "returned_grad"),
        "divides by lr": (lambda t, g, lr: t - g / lr, "lr_divides"),
        "averaged gradient": (lambda t, g, lr: t - lr * g.mean(), "mean_grad"),
        "summed into one number": (lambda t, g, lr: float(np.sum(t - lr * g)), "summed"),
        "flattened": (lambda t, g, lr: (t - lr * g).reshape(-1), "flattened"),
        "transposed gradient": (lambda t, g, lr: t - lr * g.T, "transposed"),
        "@ instead of *": (lambda t, g, lr: t - lr @ g, "matmul"),
        "half a step": (lambda t, g, lr: t - 0.5 * lr * g, "values"),
        "returns text": (lambda t, g, lr: f"{t - lr * g}", "not_numbers"),
    },
}


# ----------------------------------------------------------------------------- 8.2 ∂L/∂z
def _softmax(z, axis=1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _onehot(z, y):
    return np.eye(z.shape[1])[y]


def ce_float32(z, y):
    z = z.astype(np.float32)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return (p - np.eye(z.shape[1], dtype=np.float32)[y]) / len(z)


def ce_autograd(z, y):
    zt = torch.tensor(z, requires_grad=True)
    F.cross_entropy(zt, torch.from_numpy(y)).backward()
    return zt.grad


def ce_inplace(z, y):
    p = _softmax(z)
    p[np.arange(len(y)), y] -= 1
    return p / len(z)


def ce_no_keepdims(z, y):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1) - _onehot(z, y)) / len(z)


def ce_forgot_return(z, y):
    g = (_softmax(z) - _onehot(z, y)) / len(z)  # noqa: F841 - the mistake under test


TABLE_CE_GRAD = {
    "right": {
        "float32": ce_float32,
        "torch autograd": ce_autograd,
        "subtract 1 at the label": ce_inplace,
        "torch softmax and one_hot": lambda z, y: (torch.softmax(torch.from_numpy(z), 1)
                                                   - F.one_hot(torch.from_numpy(y), z.shape[1])) / len(z),
    },
    "wrong": {
        "left as given": (lambda z, y: ..., "not_implemented"),
        "forgot return": (ce_forgot_return, "no_return"),
        "sign flipped": (lambda z, y: (_onehot(z, y) - _softmax(z)) / len(z), "sign"),
        "not divided by N": (lambda z, y: _softmax(z) - _onehot(z, y), "no_mean"),
        "no brackets: p - Y / N": (lambda z, y: _softmax(z) - _onehot(z, y) / len(z), "brackets"),
        "divided by C": (lambda z, y: (_softmax(z) - _onehot(z, y)) / z.shape[1], "divided_by_C"),
        "logits instead of probabilities": (lambda z, y: (z - _onehot(z, y)) / len(z), "no_softmax"),
        "softmax over the batch": (lambda z, y: (_softmax(z, 0) - _onehot(z, y)) / len(z), "softmax_axis"),
        "forgot the label": (lambda z, y: _softmax(z) / len(z), "no_label"),
        "1 subtracted everywhere": (lambda z, y: (_softmax(z) - 1) / len(z), "minus_one_everywhere"),
        "no max subtracted": (lambda z, y: (np.exp(z) / np.exp(z).sum(1, keepdims=True) - _onehot(z, y))
                              / len(z), "overflow"),
        "transposed": (lambda z, y: ((_softmax(z) - _onehot(z, y)) / len(z)).T, "transposed"),
        "one number per example": (lambda z, y: ((_softmax(z) - _onehot(z, y)) / len(z)).sum(1), "reduced"),
        "one-hot with N columns": (lambda z, y: (_softmax(z) - np.eye(len(z))[y]) / len(z), "one_hot_size"),
        "always 10 classes": (lambda z, y: (_softmax(z) - np.eye(10)[y]) / len(z), "fixed_classes"),
        "sum without keepdims": (ce_no_keepdims, "broadcast"),
    },
}

TABLES = {"check_sgd_step": TABLE_SGD, "check_ce_grad": TABLE_CE_GRAD}
