"""Checkers for notebook 02 (Weights & Biases)."""

from __future__ import annotations

import numpy as np

from .. import neuron as nrn
from ._core import (
    CheckResult,
    Hint,
    _finish,
    _to_numpy,
    call_learner,
    check_function,
)

__all__ = ["check_neuron", "check_ink_classifier", "check_affine", "INK_TARGET"]

INK_TARGET = 0.90  # held-out accuracy asked for in Coding Exercise 2.2


def _neuron_cases():
    prob = nrn.ink_problem(6, 7)
    return [
        (prob.X_train[0], np.array([1.0, -1.0]), 0.06),
        (prob.X_train[5], np.array([0.5, 2.0]), -0.3),
        (np.array([0.2, 0.7, 0.1]), np.array([0.299, 0.587, 0.114]), 0.25),
        (np.array([1.0, -2.0, 3.0, 0.5, 0.0]), np.array([0.3, 0.1, -0.2, 2.0, 5.0]), -1.5),
    ]


def check_neuron(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x, w, b)`` → the number z = w₁x₁ + … + w_d x_d + b for one input vector."""
    def ws(args):
        return float(np.dot(args[0], args[1]))

    hints = [
        Hint("no_bias", "this is the weighted sum without the bias: add b at the end",
             lambda got, exp, args: np.allclose(got, ws(args))),
        Hint("bias_subtracted", "the bias is subtracted; z = w·x + b adds it",
             lambda got, exp, args: np.allclose(got, ws(args) - args[2])),
        Hint("bias_per_term", "b was added to every term (d times); add it once, after the sum",
             lambda got, exp, args: np.allclose(got, ws(args) + len(args[0]) * args[2])),
        Hint("bias_multiplied", "the bias multiplies the sum; it should be added",
             lambda got, exp, args: np.allclose(got, ws(args) * args[2])),
        Hint("added_inputs_weights", "x and w were added; each input is multiplied by its "
             "weight, then the products are summed",
             lambda got, exp, args: np.allclose(got, np.sum(args[0] + args[1]) + args[2])),
    ]
    shape_hints = [
        Hint("no_sum", "you multiplied each input by its weight but did not add the products "
             "up: z is one number (np.sum, or x @ w)",
             lambda got, exp, args: got.shape == np.shape(args[0])),
    ]
    return check_function(fn, nrn.neuron, _neuron_cases(), name="neuron", threshold=1e-9,
                          check_dtype="kind", shape_hints=shape_hints, hints=hints, quiet=quiet)


def check_ink_classifier(fn, quiet: bool = False, target: float = INK_TARGET) -> CheckResult:
    """Check ``fn(X)`` → labels 0 (a six) / 1 (a seven) for the N×2 ink features.

    It is measured on held-out digits it never saw, and must reach ``target`` accuracy.
    """
    name = "classify"
    if not callable(fn):
        return _finish(CheckResult(False, f"{name}: expected a function, got "
                                   f"{type(fn).__name__}", "not_callable"), quiet)
    prob = nrn.ink_problem(6, 7)
    X, y = prob.X_test, prob.y_test
    got, failure = call_learner(fn, (X.copy(),), name)
    if failure is not None:
        return _finish(failure, quiet)
    got = _to_numpy(got)
    if got.shape != y.shape:
        hint = ""
        if got.ndim == 0:
            hint = " - it returned one number; return one label per row of X"
        elif got.shape == X.shape:
            hint = " - one label per digit (row), not one per feature: use X @ w, not X * w"
        return _finish(CheckResult(False, f"{name}: shape {got.shape}, expected {y.shape} "
                                   f"(one label per digit){hint}", "shape"), quiet)
    if got.dtype == np.bool_:
        got = got.astype(np.int64)
    if got.dtype.kind not in "biuf" or not np.all(np.isin(got, (0, 1))):
        return _finish(CheckResult(
            False, f"{name}: return labels 0 or 1 (e.g. (z > 0).astype(int)); got values like "
            f"{np.unique(got)[:4]}", "not_labels"), quiet)
    acc = nrn.accuracy(got, y)
    details = {"accuracy": acc}
    if acc >= target:
        return _finish(CheckResult(True, f"{name}: held-out accuracy {acc:.1%} on {len(y)} digits "
                                   f"it never saw (target {target:.0%})", "ok", details), quiet)
    if np.all(got == got.flat[0]):
        return _finish(CheckResult(
            False, f"{name}: every digit got label {int(got.flat[0])} (accuracy {acc:.1%}): the "
            "line z = 0 misses the data - change b (or the weights) to move it between the "
            "two clouds", "one_class", details), quiet)
    if acc <= 1 - target:
        return _finish(CheckResult(
            False, f"{name}: accuracy {acc:.1%} - nearly every label is the wrong way round: "
            "flip the signs of w₁, w₂ and b (the same line, sides swapped)", "flipped", details),
            quiet)
    return _finish(CheckResult(
        False, f"{name}: held-out accuracy {acc:.1%}, target {target:.0%} - tune w₁, w₂ and b "
        "with the neuron explorer (sevens have more ink on top, sixes at the bottom)",
        "low_accuracy", details), quiet)


def _affine_cases():
    rng = np.random.default_rng(2)
    P = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.3, 0.8]])
    return [
        (P, np.array([[1.5, 0.5], [-0.3, 0.8]]), np.array([-1.0, 0.5])),
        (rng.normal(size=(7, 2)), np.array([[0.0, -1.0], [1.0, 0.0]]), np.array([2.0, 0.0])),
        (rng.normal(size=(6, 2)), np.array([[1.0, 2.0], [0.0, 1.0], [3.0, -1.0]]),
         np.array([0.5, -0.5, 1.0])),
    ]


def check_affine(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(P, W, b)`` → every row p of P moved to W p + b (the batch P Wᵀ + b)."""
    hints = [
        Hint("no_transpose", "you used P @ W; with one point per row the map is P @ W.T + b "
             "(each output is a row of W times the point)",
             lambda got, exp, args: np.allclose(got, args[0] @ args[1] + args[2])),
        Hint("no_bias", "the bias is missing: multiply, then add b",
             lambda got, exp, args: np.allclose(got, args[0] @ args[1].T)),
        Hint("add_then_multiply", "you added b before multiplying; the affine map multiplies "
             "first, then adds: W p + b",
             lambda got, exp, args: got.shape == exp.shape
             and np.allclose(got, (args[0] + args[2][: args[0].shape[1]]) @ args[1].T)),
    ]
    shape_hints = [
        Hint("transposed_output", "the result is transposed: return one row per point "
             "(N×d_out), e.g. P @ W.T + b",
             lambda got, exp, args: got.shape == exp.shape[::-1]),
    ]
    return check_function(fn, nrn.affine, _affine_cases(), name="affine", threshold=1e-9,
                          check_dtype="kind", shape_hints=shape_hints, hints=hints, quiet=quiet)
