"""Checkers for notebook 01 (Input → Tensor)."""

from __future__ import annotations

import re

import numpy as np

from .. import data, tensors
from ._core import CheckResult, Hint, as_array, call_learner, check_function, report

__all__ = ["check_hwc_to_chw", "check_normalise", "check_grayscale"]


def _small_images():
    """Real pixels (a bright photo crop), a dim copy (min 20, max 147) and random noise."""
    photo = data.load_photo("china")[::40, ::40]  # 11×16×3, values 0..255
    dim = (photo // 2 + 20).astype(np.uint8)  # tells "÷ its own max" and "min..max" from "÷ 255"
    rng = np.random.default_rng(0)
    odd = rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    return [photo, dim, odd]


def _error_text(result: CheckResult) -> str:
    return str(result.details.get("error", ""))


def _where(result: CheckResult) -> str:
    """The `` in `line` `` part of a translated error message (the learner's own line)."""
    m = re.search(r" in `[^`]*`", result.message)
    return m.group(0) if m else ""


def _uint8_errors(result: CheckResult, name: str, what: str, weights: bool = False) -> CheckResult:
    """Exercise-specific translations of the errors uint8 arithmetic raises: floats stored in
    place into a uint8 array, and (``weights``) whole-number weights such as 299 times uint8."""
    if result.ok or result.code != "raised":
        return result
    err = _error_text(result)
    if "Cannot cast ufunc" in err and "uint8" in err:
        return CheckResult(False, f"{name}: numpy cannot store floats in a uint8 array{_where(result)} - "
                           "an in-place operation (/=, +=, *=) keeps the array's type (uint8, whole "
                           f"numbers 0..255), but {what}",
                           "uint8_in_place", result.details)
    if weights and "out of bounds for uint8" in err:
        return CheckResult(False, f"{name}: a number that does not fit in uint8 (0..255){_where(result)} - "
                           "multiplying uint8 pixels by a whole number like 299 cannot give a uint8; "
                           "turn the image into floats first (img.astype(np.float64)) and use the "
                           "weights 0.299, 0.587, 0.114", "int_weights", result.details)
    return result


def _int_weights_wrapped(img) -> np.ndarray:
    """299·R + 587·G + 114·B as numpy 1 computes it for uint8 pixels: each product in the
    smallest unsigned type that holds its weight (uint16 for 299 and 587, uint8 for 114),
    wrapping, then added in uint16."""
    c = np.asarray(img)
    with np.errstate(all="ignore"):
        r = c[..., 0].astype(np.uint16) * np.uint16(299)
        g = c[..., 1].astype(np.uint16) * np.uint16(587)
        b = (c[..., 2].astype(np.uint8) * np.uint8(114)).astype(np.uint16)
        return (r + g + b).astype(np.float64)


# ----------------------------------------------------------------------------- Exercise 1.1
def check_hwc_to_chw(fn, quiet: bool = False) -> CheckResult:
    """Check a function that turns an H×W×3 image into 3×H×W (values and dtype unchanged)."""
    def moved(order):
        return lambda got, exp, args: np.array_equal(got, np.transpose(args[0], order))

    hints = [
        Hint("reshape", "right shape but scrambled pixels: reshape keeps the order of the values in "
             "memory (R, G, B of pixel 1, then of pixel 2 ...) and only cuts them differently, so "
             "each 'plane' mixes colours; move the axis with np.transpose(img, (2, 0, 1)) instead",
             lambda got, exp, args: np.array_equal(got, args[0].reshape(exp.shape))),
        Hint("swapped_hw", "the colour planes are right but H and W are swapped (img.T, "
             "swapaxes(0, 2) or (2, 1, 0) reverse every axis): use the axis order (2, 0, 1)",
             moved((2, 1, 0))),
        Hint("channels_reversed", "the planes come out as B, G, R: keep the order R, G, B "
             "(channel 0 is red) - np.transpose(img, (2, 0, 1)) moves the axis without "
             "reordering it", lambda got, exp, args: np.array_equal(got, exp[::-1])),
        Hint("scaled", "the pixels were also divided by 255: this exercise only moves the channel "
             "axis and keeps every value (and the uint8 dtype); normalising is Exercise 1.2",
             lambda got, exp, args: np.allclose(got, exp / 255.0)),
    ]
    shape_hints = [
        Hint("unchanged", "the image is unchanged: the channel axis (last, size 3) must move to "
             "the front", lambda got, exp, args: got.shape == args[0].shape),
        Hint("swapped_hw", "H and W are swapped (img.T, swapaxes(0, 2) or (2, 1, 0) reverse every "
             "axis): use the axis order (2, 0, 1) - new axis 0 is old axis 2, then old 0, then old 1",
             lambda got, exp, args: got.shape == (exp.shape[0], exp.shape[2], exp.shape[1])),
        Hint("inverse_permutation", "that is W×C×H: (1, 2, 0) (or np.moveaxis(img, 0, -1)) is the "
             "way back from C×H×W to H×W×C; going forward the new order lists the old axes "
             "(2, 0, 1), or np.moveaxis(img, -1, 0)",
             lambda got, exp, args: got.shape == np.transpose(args[0], (1, 2, 0)).shape),
        Hint("channels_middle", "the channel axis went to the middle (H×3×W): it must come first, "
             "np.transpose(img, (2, 0, 1))",
             lambda got, exp, args: got.shape == np.transpose(args[0], (0, 2, 1)).shape),
        Hint("one_channel", "only one colour plane came back (H×W): keep all three and move their "
             "axis to the front, 3×H×W", lambda got, exp, args: got.shape == exp.shape[1:]),
    ]
    cases = [(img,) for img in _small_images()]
    return check_function(fn, tensors.hwc_to_chw, cases, name="hwc_to_chw",
                          threshold=0.0, check_dtype="exact", shape_hints=shape_hints,
                          hints=hints, quiet=quiet)


# ----------------------------------------------------------------------------- Exercise 1.2
def check_normalise(fn, quiet: bool = False) -> CheckResult:
    """Check a function that turns uint8 pixels 0..255 into floats in [0, 1] (X / 255)."""
    def f(args):
        return args[0].astype(np.float64)

    hints = [
        Hint("integer_division", "everything became 0 or 1: // (or turning the result into "
             "integers) drops the fraction, so every pixel below 255 becomes 0 - use true "
             "division, img / 255, which gives floats",
             lambda got, exp, args: np.array_equal(got, args[0] // 255)),
        Hint("divided_by_256", "off by a factor 255/256: the largest pixel, 255, must become "
             "exactly 1.0, so divide by 255",
             lambda got, exp, args: np.allclose(got, f(args) / 256, rtol=1e-4)),
        Hint("not_scaled", "the values were not scaled (still 0..255): divide by 255",
             lambda got, exp, args: np.allclose(got, f(args))),
        Hint("min_max", "you stretched this image's own min..max to 0..1: a dim image would then "
             "look as bright as any other; divide by 255, the largest POSSIBLE pixel",
             lambda got, exp, args: np.allclose(got, (f(args) - f(args).min()) / np.ptp(f(args)),
                                                rtol=1e-4)),
        Hint("divided_by_max", "you divided by this image's own largest pixel: a dim image would "
             "then look as bright as any other; divide by 255, the largest POSSIBLE pixel",
             lambda got, exp, args: np.allclose(got, f(args) / f(args).max(), rtol=1e-4)),
        Hint("standardised", "you standardised (subtracted the mean, divided by the standard "
             "deviation): that gives negative values; this exercise asks only X / 255 into [0, 1]",
             lambda got, exp, args: np.allclose(got, (f(args) - f(args).mean()) / f(args).std(),
                                                rtol=1e-4)),
        Hint("inverted", "the values are flipped (1 - X/255): 0 must stay 0 (black) and 255 "
             "become 1 (white) - just divide by 255",
             lambda got, exp, args: np.allclose(got, 1 - f(args) / 255, rtol=1e-4, atol=1e-6)),
        Hint("minus_one_to_one", "that is the range [-1, 1] (2·X/255 - 1); this exercise asks "
             "for [0, 1]: just X / 255",
             lambda got, exp, args: np.allclose(got, 2 * f(args) / 255 - 1, rtol=1e-4, atol=1e-6)),
    ]
    cases = [(img,) for img in _small_images()]
    result = check_function(fn, tensors.to_unit_float, cases, name="normalise",
                            threshold=1e-6, check_dtype="kind", hints=hints, quiet=True)
    result = _uint8_errors(result, "normalise", "X / 255 has fractions: write img / 255 (a new float "
                           "array) instead of img /= 255")
    return report(result, quiet)


# ----------------------------------------------------------------------------- Exercise 1.3
def _weights_used(got, img):
    """The three weights of an answer that IS a weighted sum of R, G, B (else None)."""
    A = img.reshape(-1, 3).astype(np.float64)
    y = np.asarray(got, dtype=np.float64).reshape(-1)
    w, _, rank, _ = np.linalg.lstsq(A, y, rcond=None)
    if rank < 3 or not np.allclose(A @ w, y, rtol=1e-5, atol=1e-6 * max(1.0, np.abs(y).max())):
        return None
    return w


def _wrapped_sum(img):
    """R + G + B added in uint8: past 255 it wraps around (250 + 10 = 4)."""
    return (img[..., 0] + img[..., 1] + img[..., 2]).astype(np.float64)


def _right_when_nothing_wraps(fn, got, exp, img) -> bool:
    """Whether ``fn`` is right (to 2 %) on ``img`` made 0/1, where no uint8 sum of three channels
    nor product with a weight below 85 passes 255, although wrong on ``img`` itself."""
    if np.allclose(got, exp, rtol=0.02, atol=0.5):
        return False
    low = (np.asarray(img) > 127).astype(np.uint8)
    value, failure = call_learner(fn, (low.copy(),), "grayscale")  # any failure: not this slip
    out, failure = (None, failure) if failure else as_array(value, "grayscale")
    if failure:
        return False
    ref = tensors.to_grayscale(low)
    return out.shape == ref.shape and bool(np.allclose(out, ref, rtol=0.02, atol=0.02))


def check_grayscale(fn, quiet: bool = False) -> CheckResult:
    """Check a function ``fn(img)`` that returns the H×W luma w_R·R + w_G·G + w_B·B."""
    w = np.array(tensors.LUMA_WEIGHTS)

    def f(args):
        return args[0].astype(np.float64)

    def luma_close(got, img, tol=0.02):
        used = _weights_used(got, img)
        return used is not None and float(np.max(np.abs(used - w))) <= tol

    hints = [
        Hint("plain_mean", "you took the plain mean of R, G and B; use the weights 0.299, 0.587, "
             "0.114 (the eye is most sensitive to green, least to blue)",
             lambda got, exp, args: np.allclose(got, f(args).mean(axis=-1), atol=1e-4)),
        Hint("weights_reversed", "the weights are applied to B, G, R: the first weight, 0.299, "
             "belongs to the red channel (index 0)",
             lambda got, exp, args: np.allclose(got, f(args) @ w[::-1], atol=1e-4)),
        Hint("divided_by_255", "you also divided by 255: this exercise asks for the weighted sum "
             "of the 0..255 pixel values themselves (0.299 R + 0.587 G + 0.114 B), not normalised",
             lambda got, exp, args: np.allclose(got, exp / 255, rtol=1e-4, atol=1e-7)),
        Hint("uint8_overflow", "the channels were added as uint8 numbers, which wrap around past "
             "255 (250 + 10 gives 4): turn the image into floats first (img.astype(np.float64)) - "
             "and use the weights 0.299, 0.587, 0.114, not a plain mean",
             lambda got, exp, args: not np.allclose(got, f(args).mean(axis=-1))
             and (np.allclose(got, _wrapped_sum(args[0]) / 3, atol=1e-4)
                  or np.allclose(got, _wrapped_sum(args[0])))),
        Hint("int_weights", "whole-number weights times uint8 pixels (299 * R + …) overflow: "
             "older numpy keeps whole numbers below 65,536 and wraps past it, newer numpy refuses; "
             "turn the image into floats first (img.astype(np.float64)) and use the weights "
             "0.299, 0.587, 0.114",
             lambda got, exp, args: np.allclose(got, _int_weights_wrapped(args[0]) / 1000)
             or np.allclose(got, _int_weights_wrapped(args[0]) // 1000)),
        Hint("uint8_wraps", "right on an image of 0s and 1s but wrong on bright pixels: the "
             "products or sums were computed as uint8 numbers, which wrap around past 255 "
             "(250 + 10 gives 4, 150 · 2 gives 44): turn the image into floats first "
             "(img.astype(np.float64)), then weight and add",
             lambda got, exp, args: _right_when_nothing_wraps(fn, got, exp, args[0])),
        Hint("whole_numbers", "the result was turned back into whole numbers (astype(np.uint8) / "
             "int, np.round, or an integer array to write into): that throws away the fractions; "
             "return the floats of the weighted sum",
             lambda got, exp, args: np.all(got == np.round(got)) and np.all(np.abs(got - exp) < 1)),
        Hint("rounded_weights", "the weights are rounded: use exactly 0.299, 0.587 and 0.114",
             lambda got, exp, args: luma_close(got, args[0])),
        Hint("other_weights", "a weighted sum, but not with the weights 0.299, 0.587, 0.114 of "
             "R, G, B (0.2126, 0.7152, 0.0722 is another standard, Rec. 709): use the exercise's",
             lambda got, exp, args: _weights_used(got, args[0]) is not None),
    ]
    shape_hints = [
        Hint("wrong_axis", "you summed over the wrong axis: the channels are the LAST axis "
             "(axis=-1) of an H×W×3 image; axis 0 runs over the rows",
             lambda got, exp, args: got.ndim == 2 and got.shape != exp.shape),
        Hint("no_sum", "you multiplied by the weights but did not add the three channels up "
             "(.sum(axis=-1), or img @ weights)",
             lambda got, exp, args: got.shape == args[0].shape),
        Hint("kept_channel_axis", "the result is H×W×1: drop the channel axis (no keepdims, or "
             "img @ weights), the exercise asks for an H×W image",
             lambda got, exp, args: got.shape == exp.shape + (1,)),
    ]
    cases = [(img,) for img in _small_images()]
    result = check_function(fn, tensors.to_grayscale, cases, name="grayscale",
                            threshold=1e-6, check_dtype="kind", shape_hints=shape_hints,
                            hints=hints, quiet=True)
    result = _uint8_errors(result, "grayscale", "the weighted sum has fractions: start from floats, "
                           "e.g. gray = np.zeros(img.shape[:2]), or compute img.astype(np.float64) "
                           "@ weights", weights=True)
    if result.code == "other_weights":
        result = _name_the_weights(fn, result, cases)
    return report(result, quiet)


def _name_the_weights(fn, result: CheckResult, cases) -> CheckResult:
    """Add the weights the learner's answer used to the ``other_weights`` message."""
    img = cases[result.details.get("case", 0)][0]
    got, failure = call_learner(fn, (img.copy(),), "grayscale")
    arr, failure = (None, failure) if failure else as_array(got, "grayscale")
    try:
        used = None if arr is None else _weights_used(arr, img)
    except Exception:  # noqa: BLE001 - a second call that answers differently: keep the message
        used = None
    if used is None:
        return result
    shown = ", ".join(f"{v:.4g}" for v in used)
    return CheckResult(False, f"{result.message} - yours are {shown}", result.code, result.details)
