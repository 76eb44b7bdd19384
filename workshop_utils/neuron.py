"""One neuron: the weighted sum z = w·x + b, the affine map Wx + b, and a real two-feature problem.

The two features of a handwritten digit used in lessons 02 and 04 are where its ink is:
``x₁`` = ink in the top half and ``x₂`` = ink in the bottom half, each the sum of the
pixel values in [0, 1] of that half divided by 100 ("hundreds of white pixels").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import as_numpy, describe, require_ndim

__all__ = [
    "weighted_sum",
    "neuron",
    "affine",
    "ink_features",
    "predict",
    "accuracy",
    "TwoFeatureProblem",
    "ink_problem",
    "FEATURE_NAMES",
]

FEATURE_NAMES = ("x₁: ink in the top half", "x₂: ink in the bottom half")


def _float(a, name):
    a = as_numpy(a, name)
    if a.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers; got {describe(a)}")
    return a.astype(np.float64)


def _inputs_and_weights(x, w):
    x = _float(x, "x")
    w = _float(w, "w")
    require_ndim(w, 1, "w", "a 1-D vector of weights (one per input)")
    require_ndim(x, (1, 2), "x", "one input vector (d,) or a batch N×d")
    if x.shape[-1] != w.shape[0]:
        raise ValueError(
            f"x has {x.shape[-1]} inputs per example but w has {w.shape[0]} weights; "
            "there must be one weight per input"
        )
    return x, w


def weighted_sum(x, w):
    """``w₁x₁ + w₂x₂ + … + w_d x_d`` for one input (d,) or each row of a batch N×d."""
    x, w = _inputs_and_weights(x, w)
    return x @ w


def neuron(x, w, b):
    """``z = w·x + b``: the weighted sum plus the bias (a number, or an array for a batch)."""
    x, w = _inputs_and_weights(x, w)
    b = _float(b, "b")
    if b.size != 1:
        raise ValueError(f"b of a single neuron must be one number; got {describe(b)}")
    return x @ w + b.reshape(())


def affine(x, W, b):
    """The affine map ``Wx + b`` ("multiply, then add") of a point (d_in,) or each row of N×d_in.

    ``W`` has shape d_out×d_in and ``b`` has d_out entries; a batch gives ``X Wᵀ + b``. This is
    also a dense layer before its activation (lesson 03: ``y = f(Wx + b)``), and the one
    reference the checkers of both lessons compare with.
    """
    x = _float(x, "x")
    W = _float(W, "W")
    b = _float(b, "b")
    require_ndim(W, 2, "W", "a matrix d_out×d_in")
    require_ndim(x, (1, 2), "x", "one point (d_in,) or a batch N×d_in (flatten images first)")
    require_ndim(b, 1, "b", "a vector with d_out entries")
    d_out, d_in = W.shape
    if x.shape[-1] != d_in:
        hint = " (is W transposed? it should be d_out×d_in)" if x.shape[-1] == d_out else ""
        raise ValueError(f"W has shape {W.shape} (d_out×d_in), so x needs {d_in} entries per "
                         f"point; got x of shape {x.shape}{hint}")
    if b.shape[0] != d_out:
        raise ValueError(f"W has {d_out} rows (one per output) but b has {b.shape[0]} entries")
    return x @ W.T + b


def ink_features(images) -> np.ndarray:
    """Two features of each image in a batch N×H×W of uint8 digits: [top ink, bottom ink].

    Ink is the sum of the pixel values scaled to [0, 1], divided by 100.
    """
    a = as_numpy(images, "images")
    if a.ndim == 2:
        a = a[None]
    require_ndim(a, 3, "images", "a batch of grayscale images N×H×W (or one H×W image)")
    if a.dtype != np.uint8:
        raise ValueError(f"images should be uint8 pixels 0..255; got {describe(a)}")
    half = a.shape[1] // 2
    x = a.astype(np.float64) / 255.0
    top = x[:, :half].sum(axis=(1, 2))
    bottom = x[:, half:].sum(axis=(1, 2))
    return np.stack([top, bottom], axis=1) / 100.0


def predict(X, w, b) -> np.ndarray:
    """Class 1 where ``z = Xw + b > 0``, else class 0 (int64)."""
    return (neuron(X, w, b) > 0).astype(np.int64)


def accuracy(pred, y) -> float:
    """Fraction of predictions equal to the labels."""
    pred = as_numpy(pred, "pred").ravel()
    y = as_numpy(y, "y").ravel()
    if pred.shape != y.shape:
        raise ValueError(f"{pred.shape[0]} predictions for {y.shape[0]} labels; they must match")
    if y.size == 0:
        raise ValueError("no labels given")
    return float(np.mean(pred == y))


@dataclass(frozen=True)
class TwoFeatureProblem:
    """A real two-class problem: two ink features of MNIST digits, labels 0/1.

    ``digits[0]`` gets label 0 and ``digits[1]`` label 1 (lists of digits group classes).
    ``images_*`` are the uint8 digits the features come from.
    """

    digits: tuple
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    images_train: np.ndarray
    images_test: np.ndarray
    feature_names: tuple = FEATURE_NAMES

    @property
    def class_names(self) -> tuple:
        return tuple(" or ".join(str(d) for d in g) for g in self.digits)

    def __repr__(self) -> str:
        n0 = int(np.sum(self.y_train == 0))
        n1 = int(np.sum(self.y_train == 1))
        return (f"TwoFeatureProblem({self.class_names[0]!r} (label 0) vs "
                f"{self.class_names[1]!r} (label 1): train {self.X_train.shape} "
                f"[{n0} + {n1}], test {self.X_test.shape})")


def _group(g, name):
    g = tuple(int(d) for d in np.atleast_1d(g))
    if not g or any(d < 0 or d > 9 for d in g):
        raise ValueError(f"{name} must be digits 0..9; got {g}")
    return g


def ink_problem(class0=6, class1=7, seed: int = 0) -> TwoFeatureProblem:
    """MNIST-5k digits of ``class0`` (label 0) and ``class1`` (label 1) as ink features.

    Each class may be one digit or a list of digits. Uses the split ``load_mnist5k(seed)``.
    """
    from .data import load_mnist5k

    g0, g1 = _group(class0, "class0"), _group(class1, "class1")
    if set(g0) & set(g1):
        raise ValueError(f"a digit cannot be in both classes; got {g0} and {g1}")
    split = load_mnist5k(seed=seed)

    def pick(X, y):
        keep = np.isin(y, g0 + g1)
        return X[keep], np.isin(y[keep], g1).astype(np.int64)

    im_tr, y_tr = pick(split.X_train, split.y_train)
    im_te, y_te = pick(split.X_test, split.y_test)
    return TwoFeatureProblem((g0, g1), ink_features(im_tr), y_tr, ink_features(im_te), y_te,
                             im_tr, im_te)
