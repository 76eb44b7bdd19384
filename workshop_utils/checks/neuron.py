"""Checkers for notebook 02 (Weights & Biases)."""

from __future__ import annotations

import re

import numpy as np

from .. import neuron as nrn
from ._core import CheckResult, Hint, as_array, call_learner, check_function, report

__all__ = ["check_neuron", "check_ink_classifier", "check_affine", "INK_TARGET"]

INK_TARGET = 0.90  # held-out accuracy asked for in Coding Exercise 2.2

# A right answer computed in float32 (nn.Linear's dtype) and handed back as a Python float
# (``.item()``, as the notebook does) is float32-accurate: about 1e-7 of the terms' size.
# Every mistake below is off by far more, so the values only need to agree to 1e-5.
NEURON_THRESHOLD = 1e-5


# ----------------------------------------------------------------------------- Exercise 2.1
def _neuron_cases():
    prob = nrn.ink_problem(6, 7)
    return [
        # d = 5 first: "only w1x1 + w2x2", "return inside the loop" and "range(len(x) - 1)"
        # give three different numbers here (with d = 2 or 3 some of them coincide)
        (np.array([1.0, -2.0, 3.0, 0.5, 2.0]), np.array([0.3, 0.1, -0.2, 2.0, 0.7]), -1.5),
        (prob.X_train[0], np.array([1.0, -1.0]), 0.06),
        (prob.X_train[5], np.array([0.5, 2.0]), -0.3),
        (np.array([0.2, 0.7, 0.1]), np.array([0.299, 0.587, 0.114]), 0.25),
    ]


def check_neuron(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x, w, b)`` → the number z = w₁x₁ + … + w_d x_d + b for one input vector."""
    def ws(args):
        return float(np.dot(args[0], args[1]))

    def terms(args):
        return np.asarray(args[0]) * np.asarray(args[1])

    def close(got, value):
        return np.allclose(got, value, rtol=1e-4, atol=1e-7)

    hints = [
        Hint("no_bias", "this is the weighted sum without the bias: add b at the end, "
             "z = w·x + b (b is what the neuron outputs when every input is 0)",
             lambda got, exp, args: close(got, ws(args))),
        Hint("bias_subtracted", "the bias is subtracted; z = w·x + b adds it",
             lambda got, exp, args: close(got, ws(args) - args[2])),
        Hint("bias_per_term", "b was added to every term (d times, as in np.sum(w * x + b)); "
             "a neuron has ONE bias: add it once, after the sum",
             lambda got, exp, args: close(got, ws(args) + len(args[0]) * args[2])),
        Hint("bias_multiplied", "the bias multiplies the sum; it should be added: z = w·x + b",
             lambda got, exp, args: close(got, ws(args) * args[2])),
        Hint("added_inputs_weights", "x and w were added; each input is MULTIPLIED by its "
             "weight, then the products are summed",
             lambda got, exp, args: close(got, np.sum(args[0] + args[1]) + args[2])),
        Hint("mean_not_sum", "np.mean divides the weighted sum by d: a neuron ADDS the products "
             "w_i x_i (np.sum, or w @ x)",
             lambda got, exp, args: close(got, np.mean(terms(args)) + args[2])),
        Hint("sums_multiplied", "you multiplied the sum of the inputs by the sum of the weights; "
             "multiply each input by ITS weight first, then add: np.sum(w * x)",
             lambda got, exp, args: close(got, np.sum(args[0]) * np.sum(args[1]) + args[2])),
        Hint("first_two_only", "only w₁x₁ + w₂x₂ was added: x can have any length d, so sum over "
             "all of its entries (np.sum(w * x) or w @ x), not just the first two",
             lambda got, exp, args: len(args[0]) > 2 and close(got, np.sum(terms(args)[:2]) + args[2])),
        Hint("return_in_loop", "only the first term w₁x₁ (+ b) came back: the `return` is inside "
             "the loop, so the function stops after one input - move it after the loop",
             lambda got, exp, args: len(args[0]) > 1 and (close(got, terms(args)[0] + args[2])
                                                           or close(got, terms(args)[0]))),
        Hint("missed_last", "the last input is missing from the sum: range(len(x) - 1) stops one "
             "early; range(len(x)) (or np.sum(w * x)) covers all d inputs",
             lambda got, exp, args: len(args[0]) > 1 and close(got, np.sum(terms(args)[:-1]) + args[2])),
    ]
    shape_hints = [
        Hint("no_sum", "you multiplied each input by its weight but did not add the products "
             "up: z is one number (np.sum(w * x) + b, or w @ x + b)",
             lambda got, exp, args: got.shape == np.shape(args[0])),
    ]
    return check_function(fn, nrn.neuron, _neuron_cases(), name="neuron", threshold=NEURON_THRESHOLD,
                          check_dtype="kind", shape_hints=shape_hints, hints=hints, quiet=quiet)


# ----------------------------------------------------------------------------- Exercise 2.2
def check_ink_classifier(fn, quiet: bool = False, target: float = INK_TARGET) -> CheckResult:
    """Check ``fn(X)`` → labels 0 (a six) / 1 (a seven) for the N×2 ink features.

    It is measured on held-out digits it never saw, and must reach ``target`` accuracy.
    """
    name = "classify"
    prob = nrn.ink_problem(6, 7)
    X, y = prob.X_test, prob.y_test
    got, failure = call_learner(fn, (X.copy(),), name)
    if failure is not None:
        return report(failure, quiet)
    got, failure = as_array(got, name)
    if failure is not None:
        return report(failure, quiet)
    if got.shape != y.shape:
        if got.ndim == 0:
            return report(CheckResult(False, f"{name}: it returned one number, expected {y.shape} - "
                                      "return one label per row (digit) of X: compute z = X @ w + b "
                                      "for all rows at once", "one_number"), quiet)
        if got.shape == (len(y), 1):
            return report(CheckResult(False, f"{name}: shape {got.shape}, expected {y.shape} - a "
                                      "column of labels: use a 1-D weight vector, X @ np.array([w1, "
                                      "w2]), so that z has one entry per digit", "column"), quiet)
        hint = ""
        if got.shape == X.shape:
            hint = " - one label per digit (row), not one per feature: X * w multiplies entry by " \
                   "entry; X @ w adds the two products of each row"
        return report(CheckResult(False, f"{name}: shape {got.shape}, expected {y.shape} "
                                  f"(one label per digit){hint}", "shape"), quiet)
    if got.dtype == np.bool_:
        got = got.astype(np.int64)
    if got.dtype.kind not in "iuf":
        return report(CheckResult(False, f"{name}: return labels 0 or 1 as numbers (e.g. "
                                  f"(z > 0).astype(int)); got {got.dtype} values", "not_labels"), quiet)
    values = np.unique(got[np.isfinite(got)]) if got.dtype.kind == "f" else np.unique(got)
    if np.any(got == -1) and np.all(np.isin(got, (-1, 0, 1))):
        return report(CheckResult(
            False, f"{name}: the labels are -1 and +1 (np.sign?); this exercise's labels are 0 "
            "(a 6) and 1 (a 7): (z > 0).astype(int)", "sign"), quiet)
    if got.dtype.kind == "f" and not np.all(np.isfinite(got)):
        return report(CheckResult(
            False, f"{name}: {int(np.sum(~np.isfinite(got)))} of the {got.size} labels are NaN or "
            "inf - look for a division by zero or a log of 0 in z; the labels are "
            "(z > 0).astype(int)", "not_finite"), quiet)
    if np.all(np.isin(got, (6, 7))):
        return report(CheckResult(
            False, f"{name}: the labels are the digits 6 and 7 themselves; this exercise's labels "
            "are 0 (a 6) and 1 (a 7): (z > 0).astype(int)", "digit_labels"), quiet)
    if not np.all(np.isin(got, (0, 1))):
        return report(CheckResult(
            False, f"{name}: return labels 0 or 1, not the scores z themselves: (z > 0).astype(int) "
            f"turns each z into a decision; got values like {values[:4]}", "not_labels"), quiet)
    acc = nrn.accuracy(got, y)
    details = {"accuracy": acc}
    if acc >= target:
        return report(CheckResult(True, f"{name}: held-out accuracy {acc:.1%} on {len(y)} digits "
                                  f"it never saw (target {target:.0%})", "ok", details), quiet)
    if np.all(got == got.flat[0]):
        return report(CheckResult(
            False, f"{name}: every digit got label {int(got.flat[0])} (accuracy {acc:.1%}): the "
            "line z = 0 misses the data - change b (or the weights) to move it between the "
            "two clouds", "one_class", details), quiet)
    if acc <= 1 - target:
        return report(CheckResult(
            False, f"{name}: accuracy {acc:.1%} - nearly every label is the wrong way round: "
            "flip the signs of w₁, w₂ and b (the same line, sides swapped), or use z > 0 for "
            "'a 7'", "flipped", details), quiet)
    return report(CheckResult(
        False, f"{name}: held-out accuracy {acc:.1%}, target {target:.0%} - tune w₁, w₂ and b "
        "with the neuron explorer (sevens have more ink on top, sixes at the bottom)",
        "low_accuracy", details), quiet)


# ----------------------------------------------------------------------------- Exercise 2.3
def _affine_cases():
    rng = np.random.default_rng(2)
    P = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.3, 0.8]])
    return [
        (P, np.array([[1.5, 0.5], [-0.3, 0.8]]), np.array([-1.0, 0.5])),
        (rng.normal(size=(7, 2)), np.array([[0.0, -1.0], [1.0, 0.0]]), np.array([2.0, 0.0])),
        (rng.normal(size=(6, 2)), np.array([[1.0, 2.0], [0.0, 1.0], [3.0, -1.0]]),
         np.array([0.5, -0.5, 1.0])),
    ]


def batch_hints(rows: str):
    """The concept hints shared by ``rows @ W.T + b`` exercises (2.3 here, 3.2 in lesson 03);
    ``rows`` names the batch: "P" (points) or "X" (examples)."""
    one = "point" if rows == "P" else "example"
    hints = [
        Hint("no_transpose", f"you used {rows} @ W: that multiplies by the COLUMNS of W. With one "
             f"{one} per row, each output is a ROW of W times the {one}: {rows} @ W.T + b",
             lambda got, exp, args: np.allclose(got, args[0] @ args[1] + args[2])),
        Hint("no_bias", "the bias is missing: multiply, then add b (b is where the origin goes)",
             lambda got, exp, args: np.allclose(got, args[0] @ args[1].T)),
        Hint("bias_subtracted", f"the bias is subtracted; the map adds it: {rows} @ W.T + b",
             lambda got, exp, args: np.allclose(got, args[0] @ args[1].T - args[2])),
        Hint("bias_multiplied", f"the bias multiplies the product; it is added: {rows} @ W.T + b "
             "(multiply by W, then add b)",
             lambda got, exp, args: np.allclose(got, (args[0] @ args[1].T) * args[2])),
        Hint("add_then_multiply", "you added b before multiplying; the affine map multiplies "
             "first, then adds: W p + b",
             lambda got, exp, args: got.shape == exp.shape
             and np.allclose(got, (args[0] + args[2][: args[0].shape[1]]) @ args[1].T)),
    ]
    shape_hints = [
        Hint("transposed_output", f"the result is transposed (d_out×N, as from W @ {rows}.T): return "
             f"one row per {one}, N×d_out: {rows} @ W.T + b",
             lambda got, exp, args: got.shape == exp.shape[::-1]),
        Hint("first_only", f"only the first {one} came back: apply W to every row of {rows} at once, "
             f"{rows} @ W.T + b (or `return` after the loop, not inside it)",
             lambda got, exp, args: np.allclose(got, args[1] @ args[0][0] + args[2])),
        Hint("last_only", f"only the last {one} came back: the loop overwrote its result each time - "
             f"collect every row, or compute them all at once with {rows} @ W.T + b",
             lambda got, exp, args: np.allclose(got, args[1] @ args[0][-1] + args[2])),
        Hint("summed_outputs", f"the outputs of each {one} were added up into one number: return "
             f"all d_out of them, one row per {one}",
             lambda got, exp, args: np.allclose(got, (args[0] @ args[1].T + args[2]).sum(axis=1))),
        Hint("averaged_rows", f"the rows were averaged over the batch: return one row per {one}",
             lambda got, exp, args: np.allclose(got, (args[0] @ args[1].T + args[2]).mean(axis=0))),
    ]
    return hints, shape_hints


def _shapes_in(text: str) -> list[tuple]:
    return [tuple(int(v) for v in re.findall(r"\d+", m)) for m in re.findall(r"\([\d,\s]*\)", text)]


def explain_batch_errors(result: CheckResult, cases, rows: str, name: str) -> CheckResult:
    """The numpy errors of a batched ``rows @ W.T + b`` said in the exercise's terms."""
    if result.ok or result.code not in ("broadcast", "matmul"):
        return result
    k = result.details.get("case", 0)
    P, W = cases[k][0], cases[k][1]
    (n, d_in), d_out = P.shape, W.shape[0]
    m = re.search(r" in `[^`]*`", result.message)
    where = m.group(0) if m else ""
    one = "point" if rows == "P" else "example"
    if result.code == "matmul":
        return CheckResult(False, f"{name}: the inner sizes of a matrix product differ{where} - {rows} "
                           f"is N×d_in ({n}×{d_in}, one {one} per row) and W is d_out×d_in "
                           f"({d_out}×{d_in}): their d_in axes meet only in {rows} @ W.T "
                           f"(W @ {rows} and {rows} @ W pair the wrong axes)", "matmul", result.details)
    shapes = _shapes_in(str(result.details.get("error", "")))
    if (d_out, n) in shapes and (d_out,) in shapes:
        return CheckResult(False, f"{name}: W @ {rows}.T gives one COLUMN per {one} ({d_out}×{n}), "
                           f"and b ({d_out} entries) cannot be added along its rows{where} - compute "
                           f"{rows} @ W.T + b (one row per {one}), or (W @ {rows}.T).T + b",
                           "W_first_bias", result.details)
    if P.shape in shapes and W.shape in shapes:
        return CheckResult(False, f"{name}: {rows} * W multiplies entry by entry{where}; a layer needs "
                           f"the matrix product @, which adds the products of each row: {rows} @ W.T "
                           "+ b", "elementwise", result.details)
    if (d_out, 1) in shapes:
        return CheckResult(False, f"{name}: b was made a column (d_out×1){where}; {rows} @ W.T has one "
                           f"ROW per {one} with d_out entries, and b, shape (d_out,) as given, is added "
                           f"to every row as it is: {rows} @ W.T + b", "b_column", result.details)
    return result


def check_affine(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(P, W, b)`` → every row p of P moved to W p + b (the batch P Wᵀ + b)."""
    hints, shape_hints = batch_hints("P")
    cases = _affine_cases()
    result = check_function(fn, nrn.affine, cases, name="affine", threshold=NEURON_THRESHOLD,
                            check_dtype="kind", shape_hints=shape_hints, hints=hints, quiet=True)
    return report(explain_batch_errors(result, cases, "P", "affine"), quiet)
