"""Checkers for notebook 10 (Key takeaways): counting W and b, and recall per class."""

from __future__ import annotations

import numpy as np

from ._core import CheckResult, Hint, check_function, matches, report

__all__ = ["check_parameter_count", "check_recall"]

# (kernel_size, c1, c2): the course's network first, then other sizes
COUNT_CASES = [(5, 16, 32), (3, 8, 16), (7, 4, 6), (1, 2, 3), (5, 1, 1)]


def smallcnn_parameter_count(kernel_size: int, c1: int, c2: int) -> int:
    """Learned numbers of ``models.SmallCNN(channels=(c1, c2), kernel_size=k)`` (stride 2)."""
    from ..models import SmallCNN, count_parameters

    return count_parameters(SmallCNN(channels=(c1, c2), kernel_size=kernel_size))


def _side(k):
    p = k // 2
    s1 = (28 + 2 * p - k) // 2 + 1
    return (s1 + 2 * p - k) // 2 + 1


def _count(k, c1, c2, *, bias=True, conv2_in=True, flat=None):
    flat = c2 * _side(k) ** 2 if flat is None else flat
    n = c1 * k * k + c2 * (c1 if conv2_in else 1) * k * k + 10 * flat
    return n + (c1 + c2 + 10 if bias else 0)


def _kernel_area_slip(k, c1, c2):
    """k instead of k·k weights per kernel (a k×k kernel read as k numbers)."""
    return c1 * k + c2 * c1 * k + 10 * c2 * _side(k) ** 2 + c1 + c2 + 10


def _rgb_slip(k, c1, c2):
    """Three input channels (RGB) for the first conv; the digits have one."""
    return _count(k, c1, c2) + 2 * c1 * k * k


def _dense_bias_slip(k, c1, c2):
    """One dense bias per input number instead of per class."""
    return _count(k, c1, c2) - 10 + c2 * _side(k) ** 2


def check_parameter_count(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(kernel_size, c1, c2)``: how many numbers SmallCNN learns (W₁, b₁, W₂, b₂, W₃, b₃)."""
    def is_(wrong):
        return lambda got, exp, a: np.allclose(got, wrong(*a), rtol=0, atol=0.5)

    hints = [
        Hint("no_biases", "you counted the weights only: add one bias per output channel "
             "(c1 + c2) and per class (10)", is_(lambda *a: _count(*a, bias=False))),
        Hint("conv2_inputs", "each of W₂'s c2 kernels spans all c1 input channels: c2·c1·k·k",
             is_(lambda *a: _count(*a, conv2_in=False))),
        Hint("kernel_area", "a k×k kernel holds k·k weights (k squared), not k",
             is_(_kernel_area_slip)),
        Hint("in_channels", "the digits are grayscale: W₁ is c1 × 1 × k × k (one input channel, "
             "not 3 as for RGB)", is_(_rgb_slip)),
        Hint("flatten_size", "W₃ is 10 × (c2 · 7 · 7): flattening keeps every channel and both sides "
             "(here the maps are 7×7 whatever k is)",
             lambda got, exp, a: any(np.allclose(got, _count(*a, flat=f), rtol=0, atol=0.5) for f in (
                 a[2] * 7, 49, a[2] * 28 * 28, a[2] * 14 * 14, a[1] * 49))),
        Hint("dense_bias", "b₃ holds one bias per CLASS (10), not one per input number",
             is_(_dense_bias_slip)),
        Hint("no_dense", "do not forget the dense layer W₃ (10 × c2·7·7) and b₃",
             lambda got, exp, a: any(np.allclose(got, v, rtol=0, atol=0.5) for v in (
                 _count(*a) - 10 * a[2] * 49 - 10, _count(*a) - 10 * a[2] * 49))),
        Hint("hard_coded", "28,938 is the count for kernel 5 with 16 and 32 channels only: compute "
             "the count from kernel_size, c1 and c2",
             lambda got, exp, a: tuple(a) != (5, 16, 32) and np.allclose(got, 28938, rtol=0, atol=0.5)),
        Hint("missing_tensor", "one of the six learned tensors is missing: count W₁ (c1·1·k·k), "
             "b₁ (c1), W₂ (c2·c1·k·k), b₂ (c2), W₃ (10·c2·7·7) and b₃ (10)",
             lambda got, exp, a: any(np.allclose(got, _count(*a) - size, rtol=0, atol=0.5) for size in (
                 a[1] * a[0] ** 2, a[1], a[2] * a[1] * a[0] ** 2, a[2], 10))),
    ]
    shape_hints = [
        Hint("per_layer", "return the TOTAL, one number: add up the counts of W₁, b₁, W₂, b₂, W₃ "
             "and b₃", lambda got, exp, a: got.ndim == 1 and got.size in (3, 6)),
    ]
    res = check_function(fn, smallcnn_parameter_count, [tuple(c) for c in COUNT_CASES],
                         # a whole-valued float (28938.0) is the right count, as in lesson 03's
                         # check_count_parameters: the values must be exact, the type is free
                         name="parameter_count", threshold=0.0, check_dtype=None,
                         shape_hints=shape_hints, hints=hints, quiet=True)
    if res.code == "values":
        k, c1, c2 = COUNT_CASES[res.details.get("case", 0)]
        res = CheckResult(False, f"parameter_count: the count for kernel {k}, c1 = {c1}, c2 = {c2} is "
                          "off - recount W₁ (c1·1·k·k), b₁ (c1), W₂ (c2·c1·k·k), b₂ (c2), W₃ "
                          "(10·c2·7·7) and b₃ (10)", "values", res.details)
    return report(res, quiet)


def confusion_matrix(y_true, y_pred, n_classes: int = 10) -> np.ndarray:
    """Counts C×C: entry [i, j] is how many examples of true class i were predicted as j."""
    from .._validate import as_numpy, require_int

    t, p = as_numpy(y_true, "y_true").astype(np.int64), as_numpy(y_pred, "y_pred").astype(np.int64)
    n_classes = require_int(n_classes, "n_classes", low=1)
    if t.shape != p.shape or t.ndim != 1:
        raise ValueError(f"y_true and y_pred should be 1-D and of the same length; got {t.shape} "
                         f"and {p.shape}")
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (t, p), 1)
    return cm


def recall_from_confusion(cm) -> np.ndarray:
    """Per-class recall: the diagonal over the row sums (the fraction of each true class found)."""
    cm = np.asarray(cm, dtype=np.float64)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"a confusion matrix is square C×C; got shape {cm.shape}")
    rows = cm.sum(axis=1)
    return np.divide(np.diag(cm), rows, out=np.zeros(len(cm)), where=rows > 0)


def _recall_cases():
    from ..data import load_mnist5k

    y = load_mnist5k(seed=0).y_test[:300]
    rng = np.random.default_rng(10)
    noisy = np.where(rng.random(len(y)) < 0.3, rng.integers(0, 10, len(y)), y)
    small = confusion_matrix(np.array([0, 0, 1, 2, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2, 1]), 3)
    return [(confusion_matrix(y, noisy),), (small,)]


def check_recall(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(cm)`` returning each class's recall from a confusion matrix (rows: true class)."""
    def diag(a):
        return np.diag(np.asarray(a[0], dtype=np.float64))

    def rows(a):
        return np.asarray(a[0], dtype=np.float64).sum(axis=1)

    def is_(wrong):
        return lambda got, exp, a: matches(got, wrong(a))

    hints = [
        Hint("precision", "you divided by the column sums: that is precision (of everything "
             "*predicted* as c, how much was c). Recall divides by the row sums (all true c)",
             is_(lambda a: diag(a) / np.maximum(1, np.asarray(a[0]).sum(0)))),
        Hint("counts", "those are counts, the diagonal itself: divide each diagonal entry by its "
             "row's total", is_(diag)),
        Hint("integer_division", "// rounds down to whole numbers, so every recall below 1 "
             "becomes 0: use true division /",
             is_(lambda a: np.floor_divide(diag(a), np.maximum(1, rows(a))))),
        Hint("percent", "off by a factor 100: return fractions in [0, 1], not percentages",
             lambda got, exp, a: matches(got, 100 * exp)),
        Hint("share_of_all", "you divided by the total number of examples; divide each diagonal "
             "entry by its ROW's total (the examples of that true class)",
             is_(lambda a: diag(a) / np.asarray(a[0]).sum())),
        Hint("miss_rate", "that is 1 − recall, the share of each class that was MISSED; recall "
             "is the diagonal over the row total", lambda got, exp, a: matches(got, 1 - exp)),
    ]
    shape_hints = [
        Hint("accuracy", "one number for the whole matrix is the accuracy; recall is one number "
             "per class (a vector of length C)",
             lambda got, exp, a: got.ndim == 0 and matches(got, np.trace(a[0]) / np.sum(a[0]))),
        Hint("balanced_accuracy", "that is the MEAN recall (the balanced accuracy); return the "
             "recall of every class, a vector of length C",
             lambda got, exp, a: got.ndim == 0 and matches(got, exp.mean())),
        Hint("row_normalised", "you normalised every row: keep only the diagonal (the correctly "
             "classified share of each class)",
             lambda got, exp, a: matches(got, a[0] / np.asarray(a[0]).sum(axis=1, keepdims=True))),
        Hint("outer", "np.diag(cm) has shape (C,) and cm.sum(axis=1, keepdims=True) shape (C, 1): "
             "dividing them makes a C×C table. Divide two vectors: np.diag(cm) / cm.sum(axis=1)",
             lambda got, exp, a: matches(got, diag(a)[None, :] / rows(a)[:, None])),
        Hint("one_number", "recall is one number per class (a vector of length C), not a single "
             "number", lambda got, exp, a: got.ndim == 0),
    ]
    return check_function(fn, recall_from_confusion, _recall_cases(), name="recall",
                          threshold=1e-9, check_dtype="kind", shape_hints=shape_hints, hints=hints,
                          quiet=quiet)
