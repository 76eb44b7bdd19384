"""Checkers for notebook 01 (Input → Tensor)."""

from __future__ import annotations

import numpy as np

from .. import data, tensors
from ._core import CheckResult, Hint, check_function

__all__ = ["check_hwc_to_chw", "check_normalise", "check_grayscale"]


def _small_images():
    photo = data.load_photo("china")[::40, ::40]  # 11×16×3, real pixels
    rng = np.random.default_rng(0)
    odd = rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    return [photo, odd]


def check_hwc_to_chw(fn, quiet: bool = False) -> CheckResult:
    """Check a function that turns an H×W×3 image into 3×H×W."""
    hints = [
        Hint("reshape", "same shape but scrambled pixels: reshape keeps the memory order; "
             "move the axis with np.transpose(img, (2, 0, 1)) instead",
             lambda got, exp, args: got.size == exp.size
             and np.array_equal(got, args[0].reshape(exp.shape))),
        Hint("swapped_hw", "the colour planes are right but H and W are swapped: "
             "use the axis order (2, 0, 1)",
             lambda got, exp, args: np.array_equal(got, np.transpose(args[0], (2, 1, 0)))),
    ]
    shape_hints = [
        Hint("unchanged", "the image is unchanged: the channel axis must move to the front",
             lambda got, exp, args: got.shape == args[0].shape),
        Hint("swapped_hw", "H and W are swapped: use the axis order (2, 0, 1)",
             lambda got, exp, args: got.shape == (exp.shape[0], exp.shape[2], exp.shape[1])),
    ]
    cases = [(img,) for img in _small_images()]
    return check_function(fn, tensors.hwc_to_chw, cases, name="hwc_to_chw",
                          threshold=0.0, check_dtype="exact", shape_hints=shape_hints,
                          hints=hints, quiet=quiet)


def check_normalise(fn, quiet: bool = False) -> CheckResult:
    """Check a function that turns uint8 pixels 0..255 into floats in [0, 1]."""
    hints = [
        Hint("divided_by_256", "off by a factor 255/256: divide by 255 so that 255 becomes 1.0",
             lambda got, exp, args: np.allclose(got, exp * 255 / 256, atol=1e-6)),
        Hint("not_scaled", "the values were not scaled: divide by 255",
             lambda got, exp, args: np.allclose(got, args[0].astype(np.float64))),
        Hint("integer_division", "everything became 0 or 1: use true division / and floats, "
             "not //", lambda got, exp, args: set(np.unique(got)).issubset({0.0, 1.0})),
        Hint("min_max", "you stretched min..max to 0..1; the outline divides by 255 "
             "(the largest possible pixel, not the largest in this image)",
             lambda got, exp, args: np.allclose(
                 got, (args[0] - args[0].min()) / max(1, np.ptp(args[0])), atol=1e-6)),
    ]
    cases = [(img,) for img in _small_images()]
    return check_function(fn, tensors.to_unit_float, cases, name="normalise",
                          threshold=1e-6, check_dtype="kind", hints=hints, quiet=quiet)


def check_grayscale(fn, quiet: bool = False) -> CheckResult:
    """Check a function ``fn(img)`` that returns the H×W luma w_R·R + w_G·G + w_B·B."""
    w = np.array(tensors.LUMA_WEIGHTS)
    hints = [
        Hint("plain_mean", "you took the plain mean of R, G and B; use the weights "
             "0.299, 0.587, 0.114 (the eye is most sensitive to green)",
             lambda got, exp, args: np.allclose(got, args[0].mean(axis=-1), atol=1e-6)),
        Hint("weights_reversed", "the weights are applied to B, G, R: the first weight "
             "belongs to the red channel (index 0)",
             lambda got, exp, args: np.allclose(got, args[0].astype(float) @ w[::-1], atol=1e-6)),
        Hint("uint8_overflow", "the result wrapped around: turn the uint8 image into floats "
             "before multiplying and adding",
             lambda got, exp, args: np.abs(got - exp).max() > 1.0 and got.max() <= 255),
    ]
    shape_hints = [
        Hint("wrong_axis", "you summed over the wrong axis: the channels are the last axis "
             "(axis=-1) of an H×W×3 image",
             lambda got, exp, args: got.ndim == 2 and got.shape != exp.shape),
        Hint("no_sum", "you multiplied by the weights but did not add the three channels up",
             lambda got, exp, args: got.shape == args[0].shape),
    ]
    cases = [(img,) for img in _small_images()]
    return check_function(fn, tensors.to_grayscale, cases, name="grayscale",
                          threshold=1e-6, check_dtype="kind", shape_hints=shape_hints,
                          hints=hints, quiet=quiet)
