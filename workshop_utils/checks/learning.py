"""Checkers for notebook 08 (Learning loop): the update step and ∂L/∂z of cross-entropy."""

from __future__ import annotations

import numpy as np

from .. import backprop, softmax
from ._core import CheckResult, Hint, check_function

__all__ = ["check_sgd_step", "check_ce_grad"]


def _close(a, b) -> bool:
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-9)


def _update_cases():
    rng = np.random.default_rng(8)
    loss = backprop.NeighbourPixelLoss(np.linspace(0, 1, 50), np.linspace(0.02, 0.97, 50))
    theta = np.array([-0.5, 1.2])
    W = rng.normal(size=(4, 3))
    return [
        (theta, loss.grad(theta), 0.3),
        (W, rng.normal(size=(4, 3)), 0.05),
        (rng.normal(size=7), rng.normal(size=7), 2.0),
    ]


def check_sgd_step(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(theta, grad, lr)`` returning θ − η·∇L."""
    hints = [
        Hint("ascent", "you added the gradient: that climbs uphill. Subtract η·∇L",
             lambda got, exp, args: _close(got, args[0] + args[2] * args[1])),
        Hint("no_lr", "the step ignores the learning rate: multiply the gradient by η (lr)",
             lambda got, exp, args: _close(got, args[0] - args[1])),
        Hint("step_only", "you returned only the step −η·∇L; the new value is θ minus it",
             lambda got, exp, args: _close(got, -args[2] * args[1])),
        Hint("lr_divides", "you divided by η; the step is η times the gradient",
             lambda got, exp, args: _close(got, args[0] - args[1] / args[2])),
    ]
    shape_hints = [
        Hint("summed", "return an array shaped like theta (one new value per parameter), "
             "not a single number", lambda got, exp, args: got.ndim == 0),
    ]
    return check_function(fn, backprop.sgd_step, _update_cases(), name="sgd_step",
                          threshold=1e-9, check_dtype="kind", shape_hints=shape_hints,
                          hints=hints, quiet=quiet)


def _ce_cases():
    rng = np.random.default_rng(80)
    z1 = rng.normal(0, 2, size=(6, 10))
    y1 = rng.integers(0, 10, size=6)
    z2 = np.array([[2.0, -1.0, 0.5]])
    y2 = np.array([0])
    z3 = rng.normal(0, 20, size=(4, 5)) + np.array([[1000.0], [-1000.0], [0.0], [750.0]])  # large logits:
    # exp overflows (or underflows to 0/0) unless the row maximum is subtracted
    y3 = np.array([1, 4, 0, 2])
    return [(z1, y1), (z2, y2), (z3, y3)]


def _softmax_axis0(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def check_ce_grad(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(z, y)`` returning ∂L/∂z = (softmax(z) − one_hot(y)) / N of the mean CE."""

    def onehot(args):
        return backprop.one_hot(args[1], args[0].shape[1])

    hints = [
        Hint("sign", "the sign is flipped: ∂L/∂z = ŷ − y (probabilities minus the one-hot label)",
             lambda got, exp, args: _close(got, -exp)),
        Hint("no_mean", "off by a factor N (the batch size): the loss is the mean over the "
             "batch, so divide by N", lambda got, exp, args: _close(got, exp * len(args[0]))),
        Hint("no_softmax", "you used the logits z instead of the probabilities ŷ = softmax(z)",
             lambda got, exp, args: _close(got, (args[0] - onehot(args)) / len(args[0]))
             or _close(got, args[0] - onehot(args))),
        Hint("softmax_axis", "rows should be ŷ − y for each example: softmax over the classes "
             "(axis=1), not over the batch (axis=0)",
             lambda got, exp, args: _close(got, (_softmax_axis0(args[0]) - onehot(args)) / len(args[0]))
             or _close(got, _softmax_axis0(args[0]) - onehot(args))),
        Hint("no_label", "you returned the probabilities only: subtract the one-hot label y",
             lambda got, exp, args: _close(got, softmax.softmax(args[0], axis=1) / len(args[0]))
             or _close(got, softmax.softmax(args[0], axis=1))),
    ]
    shape_hints = [
        Hint("transposed", "the result is transposed: one row per example (N×C), like z",
             lambda got, exp, args: got.shape == exp.shape[::-1]),
        Hint("reduced", "return the whole N×C matrix ∂L/∂z, one number per logit, "
             "not a sum or one number per example", lambda got, exp, args: got.ndim < 2),
    ]
    return check_function(fn, backprop.cross_entropy_grad, _ce_cases(), name="ce_grad",
                          threshold=1e-7, check_dtype="kind", shape_hints=shape_hints,
                          hints=hints, quiet=quiet)
