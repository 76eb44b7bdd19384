"""Checkers for notebook 10 (Key takeaways): counting W and b, and recall per class."""

from __future__ import annotations

import numpy as np

from ._core import CheckResult, Hint, check_function

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


def check_parameter_count(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(kernel_size, c1, c2)``: how many numbers SmallCNN learns (W₁, b₁, W₂, b₂, W₃, b₃)."""
    hints = [
        Hint("no_biases", "you counted the weights only: add one bias per output channel "
             "(c1 + c2) and per class (10)", lambda got, exp, a: got == _count(*a, bias=False)),
        Hint("conv2_inputs", "each of W₂'s c2 kernels spans all c1 input channels: c2·c1·k·k",
             lambda got, exp, a: got == _count(*a, conv2_in=False)),
        Hint("flatten_size", "W₃ is 10 × (c2 · 7 · 7): flattening keeps every channel and both sides "
             "(here the maps are 7×7 whatever k is)",
             lambda got, exp, a: got in (_count(*a, flat=a[2] * 7), _count(*a, flat=49),
                                         _count(*a, flat=a[2] * 28 * 28))),
        Hint("no_dense", "do not forget the dense layer W₃ (10 × c2·7·7) and b₃",
             lambda got, exp, a: got in (_count(*a) - 10 * a[2] * 49 - 10, _count(*a) - 10 * a[2] * 49)),
    ]
    return check_function(fn, smallcnn_parameter_count, [tuple(c) for c in COUNT_CASES],
                          name="parameter_count", threshold=0.0, check_dtype="kind", hints=hints,
                          quiet=quiet)


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
    hints = [
        Hint("precision", "you divided by the column sums: that is precision (of everything "
             "*predicted* as c, how much was c). Recall divides by the row sums (all true c)",
             lambda got, exp, a: np.allclose(got, np.diag(a[0]) / np.maximum(1, a[0].sum(0)))),
        Hint("counts", "those are counts: divide each diagonal entry by its row's total",
             lambda got, exp, a: np.allclose(got, np.diag(a[0]))),
        Hint("percent", "off by a factor 100: return fractions in [0, 1], not percentages",
             lambda got, exp, a: np.allclose(got, 100 * exp)),
        Hint("integer_division", "everything is 0 (or 1): use true division / , not //",
             lambda got, exp, a: np.allclose(got, np.diag(a[0]) // np.maximum(1, a[0].sum(1)))),
    ]
    shape_hints = [
        Hint("accuracy", "one number for the whole matrix is the accuracy; recall is one number "
             "per class (a vector of length C)", lambda got, exp, a: got.ndim == 0),
        Hint("row_normalised", "you normalised every row: keep only the diagonal (the correctly "
             "classified share of each class)", lambda got, exp, a: got.shape == a[0].shape),
    ]
    return check_function(fn, recall_from_confusion, _recall_cases(), name="recall",
                          threshold=1e-9, check_dtype="kind", shape_hints=shape_hints, hints=hints,
                          quiet=quiet)
