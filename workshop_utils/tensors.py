"""Images as tensors: layouts (H×W×C vs C×H×W), scaling to [0, 1], and grayscale."""

from __future__ import annotations

import numpy as np

from ._validate import as_numpy, describe, require_int, require_ndim

__all__ = ["hwc_to_chw", "chw_to_hwc", "to_unit_float", "to_grayscale", "pixel", "LUMA_WEIGHTS"]

# ITU-R BT.601 luma weights, the ones PIL's convert("L") uses.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


def _rgb_hwc(img, name="image") -> np.ndarray:
    a = as_numpy(img, name)
    require_ndim(a, 3, name, "an RGB image H×W×3")
    if a.shape[-1] != 3:
        hint = " (it looks like C×H×W: use chw_to_hwc first)" if a.shape[0] == 3 else ""
        raise ValueError(f"{name} should be H×W×3 with 3 colour channels last; got {describe(a)}{hint}")
    return a


def _move_channels(img, axes: tuple, layout: str):
    """One 3-D image with its axes reordered: torch's ``permute`` or numpy's ``transpose``."""
    if hasattr(img, "permute"):
        if img.ndim != 3:
            raise ValueError(f"image should be {layout} (3-D); got shape {tuple(img.shape)}")
        return img.permute(*axes)
    a = as_numpy(img, "image")
    require_ndim(a, 3, "image", f"{layout} (3-D)")
    return np.transpose(a, axes)


def hwc_to_chw(img):
    """H×W×C (numpy, PIL) to C×H×W (torch). Works on numpy arrays and torch tensors."""
    return _move_channels(img, (2, 0, 1), "H×W×C")


def chw_to_hwc(img):
    """C×H×W (torch) back to H×W×C (numpy, PIL, matplotlib)."""
    return _move_channels(img, (1, 2, 0), "C×H×W")


def to_unit_float(img) -> np.ndarray:
    """uint8 pixels 0..255 to float32 in [0, 1] (the outline's X / 255)."""
    a = as_numpy(img, "image")
    if a.dtype != np.uint8:
        raise ValueError(
            f"image should hold uint8 pixels 0..255; got {describe(a)}"
            + (" (already floats? then it may already be in [0, 1])" if a.dtype.kind == "f" else "")
        )
    return a.astype(np.float32) / np.float32(255.0)


def to_grayscale(img, weights=LUMA_WEIGHTS) -> np.ndarray:
    """Weighted sum of the R, G, B planes of an H×W×3 image: w_R·R + w_G·G + w_B·B."""
    a = _rgb_hwc(img)
    w = as_numpy(weights, "weights").astype(np.float64)
    if w.shape != (3,):
        raise ValueError(f"weights should be 3 numbers (for R, G, B); got shape {w.shape}")
    return a.astype(np.float64) @ w


def pixel(img, row: int, col: int) -> np.ndarray:
    """The value(s) at (row, col) of an H×W or H×W×C image, with a bounds check."""
    a = as_numpy(img, "image")
    require_ndim(a, (2, 3), "image", "H×W or H×W×C")
    row = require_int(row, "row", 0, a.shape[0] - 1)
    col = require_int(col, "col", 0, a.shape[1] - 1)
    return a[row, col]
