"""Learning by gradients: the update θ ← θ − η∇L, and back-propagation by hand.

* ``sgd_step`` is the outline's update rule; ``gradient_descent`` repeats it.
* ``NeighbourPixelLoss`` is a real two-parameter loss surface: a neuron ŷ = w·x + b
  predicting a photo pixel's right-hand neighbour from the pixel (squared error), so
  the effect of the learning rate η can be drawn.
* ``init_mlp`` / ``mlp_forward`` / ``mlp_backward``: a one-hidden-layer network
  (dense → ReLU → dense → softmax, cross-entropy) with its gradients written out,
  starting from ∂L/∂z = (ŷ − y) / N (softmax itself comes from ``softmax.py``, lesson 06;
  the loss and one-hot labels from ``losses.py``, lesson 07).

Everything is numpy (float64); the tests compare it with torch autograd.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_numpy, describe, require_int, require_ndim, require_range
from .losses import cross_entropy, one_hot
from .softmax import softmax

__all__ = [
    "sgd_step",
    "gradient_descent",
    "NeighbourPixelLoss",
    "neighbour_pixels",
    "cross_entropy_grad",
    "init_mlp",
    "mlp_forward",
    "mlp_backward",
    "MLP_PARAMS",
]

MLP_PARAMS = ("W1", "b1", "W2", "b2")


# --------------------------------------------------------------------------- the update
def sgd_step(theta, grad, lr: float):
    """One gradient-descent step θ − η·∇L (a new array; ``theta`` is not changed)."""
    t = as_numpy(theta, "theta").astype(np.float64)
    g = as_numpy(grad, "grad").astype(np.float64)
    if t.shape != g.shape:
        raise ValueError(f"theta and grad must have the same shape; got {t.shape} and {g.shape}")
    lr = require_range(lr, "lr (the learning rate η)", low=0.0)
    return t - lr * g


def gradient_descent(grad_fn, theta0, lr: float, steps: int, max_norm: float = 1e8) -> np.ndarray:
    """The path θ₀, θ₁, …, θ_steps of gradient descent, shape (steps + 1)×P.

    A run that blows up (|θ| > ``max_norm``) stops there: the path is shorter than
    ``steps + 1`` and every number in it is finite.
    """
    theta = as_numpy(theta0, "theta0").astype(np.float64).ravel()
    lr = require_range(lr, "lr (the learning rate η)", low=0.0)
    steps = require_int(steps, "steps", low=0)
    path = [theta]
    for _ in range(steps):
        g = as_numpy(grad_fn(theta), "grad").astype(np.float64).ravel()
        nxt = theta - lr * g
        if not np.all(np.isfinite(nxt)) or np.abs(nxt).max() > max_norm:
            break
        theta = nxt
        path.append(theta)
    return np.stack(path)


# --------------------------------------------------------------------------- a real 2-D loss
def neighbour_pixels(image, max_pairs: int | None = None):
    """Pairs (x, y) of horizontally neighbouring pixels of a photo, scaled to [0, 1].

    ``image`` is a uint8 H×W grayscale or H×W×3 RGB image (RGB is turned into luma).
    """
    a = as_numpy(image, "image")
    require_ndim(a, (2, 3), "image", "an H×W or H×W×3 image")
    if a.dtype != np.uint8:
        raise ValueError(f"image should hold uint8 pixels 0..255; got {describe(a)}")
    if a.ndim == 3:
        from .tensors import to_grayscale

        a = to_grayscale(a)
    if a.shape[1] < 2:
        raise ValueError(f"image needs at least 2 columns to have neighbours; got shape {a.shape}")
    g = a.astype(np.float64) / 255.0
    x, y = g[:, :-1].ravel(), g[:, 1:].ravel()
    if max_pairs is not None and len(x) > require_int(max_pairs, "max_pairs", low=1):
        idx = np.linspace(0, len(x) - 1, max_pairs).astype(int)
        x, y = x[idx], y[idx]
    return x, y


class NeighbourPixelLoss:
    """L(w, b) = mean((w·x + b − y)²): predict each pixel's right-hand neighbour.

    A real loss surface with two parameters θ = (w, b). It is a perfect bowl, so its
    curvature is one number per direction: gradient descent converges for
    η < 2 / λ_max and diverges above (``lr_max``).
    """

    def __init__(self, x, y):
        x = as_numpy(x, "x").astype(np.float64).ravel()
        y = as_numpy(y, "y").astype(np.float64).ravel()
        if len(x) != len(y) or len(x) < 2:
            raise ValueError(f"x and y need the same length (at least 2); got {len(x)} and {len(y)}")
        # sufficient statistics: the loss and its gradient need only these five means
        self.n = len(x)
        self.Exx, self.Ex, self.Exy = float(x @ x / self.n), float(x.mean()), float(x @ y / self.n)
        self.Ey, self.Eyy = float(y.mean()), float(y @ y / self.n)
        if self.Exx - self.Ex ** 2 < 1e-12:
            raise ValueError("x is (almost) constant, so w and b cannot be told apart: "
                             "use pixels that vary")
        self.hessian = 2.0 * np.array([[self.Exx, self.Ex], [self.Ex, 1.0]])
        self.minimum = np.linalg.solve(self.hessian / 2.0, np.array([self.Exy, self.Ey]))
        self.min_loss = float(self.loss(self.minimum))
        self.curvatures = np.linalg.eigvalsh(self.hessian)  # λ_min, λ_max
        self.lr_max = float(2.0 / self.curvatures[-1])

    @classmethod
    def from_image(cls, image):
        return cls(*neighbour_pixels(image))

    def loss(self, theta):
        """The loss at θ = (w, b); ``theta`` may be ...×2 (a grid of points)."""
        t = as_numpy(theta, "theta").astype(np.float64)
        if t.shape[-1] != 2:
            raise ValueError(f"theta should end in 2 numbers (w, b); got shape {t.shape}")
        w, b = t[..., 0], t[..., 1]
        return (w * w * self.Exx + 2 * w * b * self.Ex + b * b - 2 * w * self.Exy
                - 2 * b * self.Ey + self.Eyy)

    def grad(self, theta):
        """∇L = (∂L/∂w, ∂L/∂b) at θ = (w, b)."""
        t = as_numpy(theta, "theta").astype(np.float64)
        if t.shape[-1] != 2:
            raise ValueError(f"theta should end in 2 numbers (w, b); got shape {t.shape}")
        w, b = t[..., 0], t[..., 1]
        dw = 2 * (w * self.Exx + b * self.Ex - self.Exy)
        db = 2 * (w * self.Ex + b - self.Ey)
        return np.stack([dw, db], axis=-1)

    def __repr__(self) -> str:
        w, b = self.minimum
        return (f"NeighbourPixelLoss({self.n:,} pixel pairs; minimum at w={w:.3f}, b={b:.3f}, "
                f"L={self.min_loss:.4f}; diverges for η > {self.lr_max:.3f})")


# --------------------------------------------------------------------------- softmax + CE
def _logits_labels(z, y):
    z = as_numpy(z, "z (the logits)").astype(np.float64)
    require_ndim(z, 2, "z (the logits)", "a batch of logits N×C")
    y = as_numpy(y, "y (the labels)")
    require_ndim(y, 1, "y (the labels)", "a 1-D array of N class indices")
    if len(y) != len(z):
        raise ValueError(f"z has {len(z)} rows but y has {len(y)} labels; they must match")
    if y.dtype.kind not in "iu":
        raise ValueError(f"y should hold integer class indices; got {describe(y)}")
    if len(y) and (y.min() < 0 or y.max() >= z.shape[1]):
        raise ValueError(f"labels must lie in 0..{z.shape[1] - 1} for {z.shape[1]} classes; "
                         f"got {y.min()}..{y.max()}")
    return z, y.astype(np.int64)


def cross_entropy_grad(z, y) -> np.ndarray:
    """∂L/∂z of the mean cross-entropy: (ŷ − y_one-hot) / N, shape N×C."""
    z, y = _logits_labels(z, y)
    return (softmax(z, axis=1) - one_hot(y, z.shape[1])) / len(z)


# --------------------------------------------------------------------------- one hidden layer
def init_mlp(d_in: int, d_hidden: int, n_classes: int, seed: int = 0) -> dict:
    """Weights of dense(d_in→d_hidden) → ReLU → dense(→n_classes), He-initialised.

    As in the outline, W has shape d_out×d_in, so a layer computes W x + b.
    """
    d_in = require_int(d_in, "d_in", low=1)
    d_hidden = require_int(d_hidden, "d_hidden", low=1)
    n_classes = require_int(n_classes, "n_classes", low=2)
    rng = np.random.default_rng(require_int(seed, "seed", low=0))
    return {
        "W1": rng.normal(0.0, np.sqrt(2.0 / d_in), (d_hidden, d_in)),
        "b1": np.zeros(d_hidden),
        "W2": rng.normal(0.0, np.sqrt(1.0 / d_hidden), (n_classes, d_hidden)),
        "b2": np.zeros(n_classes),
    }


def _check_params(params, d_in):
    if not isinstance(params, dict) or set(params) != set(MLP_PARAMS):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params should be a dict with keys {list(MLP_PARAMS)}; got {got}")
    W1, b1, W2, b2 = (as_numpy(params[k], k).astype(np.float64) for k in MLP_PARAMS)
    for name, arr, nd in (("W1", W1, 2), ("b1", b1, 1), ("W2", W2, 2), ("b2", b2, 1)):
        require_ndim(arr, nd, name)
    if W1.shape[1] != d_in:
        raise ValueError(f"W1 is {W1.shape} (d_hidden×d_in) but X has {d_in} features per row")
    if b1.shape != (W1.shape[0],) or W2.shape[1] != W1.shape[0] or b2.shape != (W2.shape[0],):
        raise ValueError(f"inconsistent shapes: W1 {W1.shape}, b1 {b1.shape}, W2 {W2.shape}, "
                         f"b2 {b2.shape} (expected H×D, H, C×H, C)")
    return W1, b1, W2, b2


def mlp_forward(params: dict, X) -> dict:
    """Forward pass of a batch X (N×D): every intermediate, by name.

    a1 = X W1ᵀ + b1, h1 = ReLU(a1), z = h1 W2ᵀ + b2, p = softmax(z).
    """
    X = as_numpy(X, "X").astype(np.float64)
    require_ndim(X, 2, "X", "a batch of flattened inputs N×D")
    W1, b1, W2, b2 = _check_params(params, X.shape[1])
    a1 = X @ W1.T + b1
    h1 = np.maximum(a1, 0.0)
    z = h1 @ W2.T + b2
    return {"X": X, "a1": a1, "h1": h1, "z": z, "p": softmax(z, axis=1)}


def mlp_backward(params: dict, X, y):
    """Loss and gradients of the mean cross-entropy by the chain rule, layer by layer.

    Returns ``(loss, grads)`` with ``grads`` holding dW1, db1, dW2, db2 under the
    parameter names (same shapes as ``params``).
    """
    cache = mlp_forward(params, X)
    z, y = _logits_labels(cache["z"], y)
    W2 = as_numpy(params["W2"]).astype(np.float64)
    dz = cross_entropy_grad(z, y)                 # (ŷ − y) / N          N×C
    grads = {"W2": dz.T @ cache["h1"],            # ∂L/∂W2 = dzᵀ h1      C×H
             "b2": dz.sum(axis=0)}                # ∂L/∂b2 = Σ_n dz      C
    dh1 = dz @ W2                                 # back through the dense layer
    da1 = dh1 * (cache["a1"] > 0)                 # back through ReLU: pass where a1 > 0
    grads["W1"] = da1.T @ cache["X"]              # H×D
    grads["b1"] = da1.sum(axis=0)                 # H
    return float(cross_entropy(z, y)), grads
