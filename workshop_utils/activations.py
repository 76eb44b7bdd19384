"""Activation functions f and their derivatives f', from scratch in numpy (stable for any x).

| name    | f(x)                          | f'(x)             |
|---------|-------------------------------|-------------------|
| linear  | x (``identity``)              | 1                 |
| relu    | max(0, x)                     | 1 if x > 0 else 0 |
| sigmoid | 1 / (1 + e^(−x))              | σ(x)(1 − σ(x))    |
| tanh    | (e^x − e^(−x)) / (e^x + e^(−x)) | 1 − tanh²(x)    |

Sigmoid and tanh are written so that no ``exp`` ever overflows: only e^(−|x|) is computed.
NaN in, NaN out: each function is a formula applied element by element and, like torch's,
gives NaN exactly where its input holds NaN (the softmax, the losses and ``fit``, which would
spread one NaN over a whole result, refuse NaN input instead).
``torch_activation`` gives the matching ``torch.nn`` module and ``chain_gradient`` the product
of derivatives through a chain of layers (vanishing gradients).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_numpy, describe, require_int, require_range

__all__ = [
    "NAMES",
    "identity",
    "relu",
    "sigmoid",
    "tanh",
    "identity_grad",
    "relu_grad",
    "sigmoid_grad",
    "tanh_grad",
    "ACTIVATIONS",
    "get",
    "torch_activation",
    "chain_gradient",
]

NAMES = ("linear", "relu", "sigmoid", "tanh")


def _x(x) -> np.ndarray:
    a = as_numpy(x, "x")
    if a.dtype.kind not in "biuf":
        raise ValueError(f"x must hold numbers; got {describe(a)}")
    return a if a.dtype.kind == "f" else a.astype(np.float64)


def identity(x):
    """f(x) = x: the "linear" activation (no activation; used on the output layer)."""
    return _x(x).copy()


def relu(x):
    """f(x) = max(0, x)."""
    a = _x(x)
    return np.maximum(a, 0).astype(a.dtype, copy=False)


def sigmoid(x):
    """f(x) = 1 / (1 + e^(−x)), computed as e^(x)/(1 + e^(x)) for x < 0: no overflow."""
    a = _x(x)
    e = np.exp(-np.abs(a))  # in (0, 1], never overflows
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(a.dtype, copy=False)


def _minus_2_abs(a: np.ndarray) -> np.ndarray:
    """−2|x|, kept above −2e4 (e^(−2e4) is 0 anyway) so it cannot overflow for |x| near 1e308."""
    return -2.0 * np.minimum(np.abs(a), np.asarray(1e4, dtype=a.dtype))


def tanh(x):
    """f(x) = (e^x − e^(−x)) / (e^x + e^(−x)) = sign(x)·(1 − e^(−2|x|)) / (1 + e^(−2|x|))."""
    a = _x(x)
    m = _minus_2_abs(a)
    # 1 − e^m computed as −expm1(m): exact even for tiny |x|, where 1 − e^m would cancel to 0
    return (np.sign(a) * -np.expm1(m) / (1.0 + np.exp(m))).astype(a.dtype, copy=False)


def identity_grad(x):
    """f'(x) = 1."""
    return np.ones_like(_x(x))


def relu_grad(x):
    """f'(x) = 1 for x > 0, else 0 (PyTorch's choice at x = 0 too)."""
    a = _x(x)
    return (a > 0).astype(a.dtype)


def sigmoid_grad(x):
    """f'(x) = σ(x)·(1 − σ(x)), at most 1/4 (at x = 0).

    Computed as e^(−|x|) / (1 + e^(−|x|))²: σ·(1 − σ) would cancel to exactly 0 once σ(x)
    rounds to 1 (x ≳ 37), though the true slope there is about e^(−x).
    """
    a = _x(x)
    e = np.exp(0.5 * _minus_2_abs(a))  # e^(−|x|) in [0, 1], never overflows
    return (e / ((1.0 + e) * (1.0 + e))).astype(a.dtype, copy=False)


def tanh_grad(x):
    """f'(x) = 1 − tanh²(x) = 1 / cosh²(x), at most 1 (at x = 0).

    Computed as 4·e^(−2|x|) / (1 + e^(−2|x|))²: 1 − tanh² would cancel to exactly 0 once
    tanh(x) rounds to ±1 (|x| ≳ 19), though the true slope there is still about 1e-16.
    """
    a = _x(x)
    e = np.exp(_minus_2_abs(a))  # in [0, 1], never overflows
    sech2 = 4.0 * e / ((1.0 + e) * (1.0 + e))
    return np.minimum(sech2, 1.0).astype(a.dtype, copy=False)  # rounding near x = 0 can give 1 + 1 ulp


ACTIVATIONS = {
    "linear": (identity, identity_grad),
    "relu": (relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
}


def _name(name) -> str:
    key = str(name).lower()
    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {NAMES}")
    return key


def get(name: str):
    """``(f, f')`` for an activation name (case-insensitive): linear, relu, sigmoid, tanh."""
    return ACTIVATIONS[_name(name)]


def torch_activation(name: str):
    """The matching ``torch.nn`` module: Identity, ReLU, Sigmoid or Tanh."""
    from torch import nn

    return {"linear": nn.Identity, "relu": nn.ReLU, "sigmoid": nn.Sigmoid,
            "tanh": nn.Tanh}[_name(name)]()


def chain_gradient(name: str, depth: int, x: float = 1.0, w: float = 1.0, b: float = 0.0) -> dict:
    """Push x through ``depth`` one-neuron layers h_k = f(w·h_(k−1) + b) and differentiate.

    Returns the pre-activations ``z`` (depth,), the outputs ``h`` (depth,), the factors
    ``w·f'(z_k)`` and their running products: ``product[k-1]`` = ∂h_k/∂x by the chain rule.
    """
    f, df = get(name)
    depth = require_int(depth, "depth", low=1, high=10_000)
    x = require_range(x, "x")
    w = require_range(w, "w")
    b = require_range(b, "b")
    z = np.empty(depth)
    h = np.empty(depth)
    prev = x
    for k in range(depth):
        z[k] = w * prev + b
        h[k] = f(z[k])
        prev = h[k]
    factors = w * df(z)
    return {"z": z, "h": h, "factors": factors, "product": np.cumprod(factors)}
