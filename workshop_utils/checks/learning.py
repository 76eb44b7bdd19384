"""Checkers for notebook 08 (Learning loop): the update step and ∂L/∂z of cross-entropy."""

from __future__ import annotations

import re

import numpy as np

from .. import backprop, losses, softmax
from ._core import CheckResult, Hint, check_function, matches, report

__all__ = ["check_sgd_step", "check_ce_grad"]

_SHAPE = re.compile(r"\(\s*\d*(?:\s*,\s*\d+)*\s*,?\s*\)")


def _error_shapes(res: CheckResult) -> set[tuple[int, ...]]:
    """The shapes named in the learner's numpy error (e.g. a broadcast error)."""
    found = set()
    for text in _SHAPE.findall(str(res.details.get("error", ""))):
        found.add(tuple(int(v) for v in re.findall(r"\d+", text)))
    return found


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
    """Check ``fn(theta, grad, lr)`` returning θ − η·∇L (any shape of theta, float32 too)."""
    name = "sgd_step"
    hints = [
        Hint("ascent", "you added the gradient: that climbs uphill. Subtract η·∇L",
             lambda got, exp, args: matches(got, args[0] + args[2] * args[1])),
        Hint("no_lr", "the step ignores the learning rate: multiply the gradient by η (lr)",
             lambda got, exp, args: matches(got, args[0] - args[1])),
        Hint("theta_unchanged", "that is theta unchanged: the new value is theta - lr * grad "
             "(return the result of the update, not the old theta)",
             lambda got, exp, args: matches(got, args[0])),
        Hint("step_only", "you returned only the step η·∇L; the new value is θ minus it: "
             "theta - lr * grad", lambda got, exp, args: matches(got, -args[2] * args[1])
             or matches(got, args[2] * args[1])),
        Hint("returned_grad", "that is the gradient itself; the update moves theta against it: "
             "theta - lr * grad", lambda got, exp, args: matches(got, args[1]) or matches(got, -args[1])),
        Hint("lr_divides", "you divided by η; the step is η times the gradient",
             lambda got, exp, args: matches(got, args[0] - args[1] / args[2])),
        Hint("mean_grad", "every parameter moved by the same amount: you averaged (or summed) the "
             "gradient into one number. Each θ_i moves by its own ∂L/∂θ_i: theta - lr * grad",
             lambda got, exp, args: matches(got, args[0] - args[2] * np.mean(args[1]))
             or matches(got, args[0] - args[2] * np.sum(args[1]))),
    ]
    shape_hints = [
        Hint("summed", "return an array shaped like theta (one new value per parameter), "
             "not a single number", lambda got, exp, args: got.ndim == 0),
        Hint("flattened", "the result was flattened: return it shaped like theta (no reshape(-1) "
             "or ravel)", lambda got, exp, args: exp.ndim > 1 and got.shape == (exp.size,)),
    ]
    res = check_function(fn, backprop.sgd_step, _update_cases(), name=name, threshold=1e-9,
                         check_dtype="kind", shape_hints=shape_hints, hints=hints, quiet=True)
    if res.code == "broadcast" and {(4, 3), (3, 4)} <= _error_shapes(res):
        res = CheckResult(False, f"{name}: theta and grad have the SAME shape (here 4×3), so the "
                          "update is element by element: theta - lr * grad, with no transpose",
                          "transposed", res.details)
    elif res.code == "matmul" or (res.code == "raised" and "matmul" in str(res.details.get("error", ""))):
        res = CheckResult(False, f"{name}: the update is element by element: multiply with *, "
                          "lr * grad (@ and np.dot are matrix products)", "matmul", res.details)
    return report(res, quiet)


def _ce_cases():
    rng = np.random.default_rng(80)
    z1 = rng.normal(0, 2, size=(6, 10))
    y1 = rng.integers(0, 10, size=6)
    z2 = np.array([[2.0, -1.0, 0.5]])
    y2 = np.array([0])
    z3 = rng.normal(0, 20, size=(4, 5)) + np.array([[1000.0], [-1000.0], [0.0], [750.0]])  # large logits:
    # exp overflows (or underflows to 0/0) unless the row maximum is subtracted
    y3 = np.array([1, 4, 0, 2])
    # logits that float32 holds exactly: a float32 answer is then judged on its arithmetic only
    # (rounding logits near 1000 to float32 alone moves the probabilities by ~1e-5)
    return [(z.astype(np.float32).astype(np.float64), y) for z, y in ((z1, y1), (z2, y2), (z3, y3))]


def _softmax_axis0(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _naive_softmax(z):
    with np.errstate(all="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def check_ce_grad(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(z, y)`` returning ∂L/∂z = (softmax(z) − one_hot(y)) / N of the mean CE."""
    name = "ce_grad"

    def onehot(args):
        return losses.one_hot(args[1], args[0].shape[1])

    def z_(args):
        return np.asarray(args[0], dtype=np.float64)

    def _probs(args):
        return softmax.softmax(z_(args), axis=1)

    def either(got, args, m):
        """``m`` divided by N (as it should) or not."""
        return matches(got, m / len(args[0])) or matches(got, m)

    hints = [
        Hint("sign", "the sign is flipped: ∂L/∂z = ŷ − y (probabilities minus the one-hot label)",
             lambda got, exp, args: matches(got, -exp)),
        Hint("no_mean", "off by a factor N (the batch size): the loss is the mean over the "
             "batch, so divide by N", lambda got, exp, args: matches(got, exp * len(args[0]))),
        Hint("divided_by_C", "you divided by the number of classes C; the mean is over the N "
             "examples: divide by len(z) = z.shape[0]",
             lambda got, exp, args: matches(got, exp * len(args[0]) / args[0].shape[1])),
        Hint("brackets", "only one term was divided by N: without brackets, p - Y / N divides "
             "just the label. Write (p - Y) / N",
             lambda got, exp, args: matches(got, _probs(args) - onehot(args) / len(args[0]))
             or matches(got, _probs(args) / len(args[0]) - onehot(args))),
        Hint("overflow", "NaN or inf: np.exp overflowed for logits in the hundreds; subtract each "
             "row's largest logit first, z - z.max(axis=1, keepdims=True)",
             lambda got, exp, args: either(got, args, _naive_softmax(z_(args)) - onehot(args))),
        Hint("no_softmax", "you used the logits z instead of the probabilities ŷ = softmax(z)",
             lambda got, exp, args: either(got, args, z_(args) - onehot(args))),
        Hint("softmax_axis", "rows should be ŷ − y for each example: softmax over the classes "
             "(axis=1), not over the batch (axis=0)",
             lambda got, exp, args: either(got, args, _softmax_axis0(z_(args)) - onehot(args))),
        Hint("no_label", "you returned the probabilities only: subtract the one-hot label y",
             lambda got, exp, args: either(got, args, softmax.softmax(z_(args), axis=1))),
        Hint("minus_one_everywhere", "you subtracted 1 from EVERY probability; subtract 1 only "
             "at the true class of each row (the one-hot label)",
             lambda got, exp, args: either(got, args, softmax.softmax(z_(args), axis=1) - 1)),
    ]
    shape_hints = [
        Hint("transposed", "the result is transposed: one row per example (N×C), like z",
             lambda got, exp, args: got.shape == exp.shape[::-1]),
        Hint("reduced", "return the whole N×C matrix ∂L/∂z, one number per logit, "
             "not a sum or one number per example", lambda got, exp, args: got.ndim < 2),
    ]
    res = check_function(fn, backprop.cross_entropy_grad, _ce_cases(), name=name, threshold=1e-7,
                         check_dtype="kind", shape_hints=shape_hints, hints=hints, quiet=True)
    z1 = _ce_cases()[0][0]
    n, c = z1.shape
    shapes = _error_shapes(res)
    if (res.code == "index" and f"size {n}" in str(res.details.get("error", ""))) or (
            res.code == "broadcast" and {(n, c), (n, n)} <= shapes):
        res = CheckResult(False, f"{name}: the one-hot labels need one column per CLASS: "
                          "np.eye(z.shape[1])[y] (C columns), not np.eye(len(z)) (N columns)",
                          "one_hot_size", res.details)
    elif res.code == "broadcast" and {(1, 3), (1, 10)} <= shapes:  # the 3-class case, np.eye(10)
        res = CheckResult(False, f"{name}: the number of classes is z.shape[1] (3 in one test "
                          "case), not a fixed 10: np.eye(z.shape[1])[y]", "fixed_classes",
                          res.details)
    return report(res, quiet)
