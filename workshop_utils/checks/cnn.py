"""Checkers for notebook 05 (CNNs vs ViTs): conv output size, one conv value, patches, attention."""

from __future__ import annotations

import math

import numpy as np

from .. import attention, conv, data
from ._core import CheckResult, Hint, check_function

__all__ = [
    "check_conv_output_size",
    "check_conv_value",
    "check_num_patches",
    "check_attention_shape",
    "check_attention",
]


def _everywhere(fn, mistake, cases, tol=1e-9) -> bool:
    """True when ``fn`` reproduces the ``mistake`` formula on every case (so the hint is sure)."""
    try:
        for args in cases:
            got = np.asarray(fn(*args), dtype=np.float64)
            want = np.asarray(mistake(*args), dtype=np.float64)
            if got.shape != want.shape or not np.allclose(got, want, rtol=tol, atol=tol):
                return False
        return True
    except Exception:  # noqa: BLE001 - a function that fails elsewhere is not this mistake
        return False


def _hint(code, message, fn, mistake, cases):
    return Hint(code, message, lambda got, exp, args: _everywhere(fn, mistake, cases))


# ----------------------------------------------------------------------------- conv size
_SIZE_CASES = [(28, 5, 2, 2), (14, 5, 2, 2), (7, 3, 1, 0), (32, 3, 1, 1), (29, 5, 3, 1),
               (10, 4, 3, 0), (9, 3, 2, 1), (28, 7, 3, 0), (5, 5, 1, 0)]


def check_conv_output_size(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(size, kernel_size, stride, padding)`` = ⌊(H + 2p − k) / s⌋ + 1."""
    cases = _SIZE_CASES
    mistakes = [
        ("no_floor", "you get fractions: round down with integer division //, a window cannot "
         "stop half-way", lambda H, k, s, p: (H + 2 * p - k) / s + 1),
        ("ceil", "you rounded up; a window that does not fit is dropped, so round down (//)",
         lambda H, k, s, p: math.ceil((H + 2 * p - k) / s) + 1),
        ("no_plus_one", "one too few: count the first window position too (+ 1)",
         lambda H, k, s, p: (H + 2 * p - k) // s),
        ("padding_once", "padding is added on both sides of the image: 2·p, not p",
         lambda H, k, s, p: (H + p - k) // s + 1),
        ("no_padding", "the padding is missing: the padded image is H + 2p long",
         lambda H, k, s, p: (H - k) // s + 1),
        ("no_stride", "the stride is missing: the window jumps s pixels at a time, divide by s",
         lambda H, k, s, p: H + 2 * p - k + 1),
        ("plus_kernel", "the kernel size is subtracted, not added: H + 2p − k",
         lambda H, k, s, p: (H + 2 * p + k) // s + 1),
    ]
    hints = [_hint(code, msg, fn, f, cases) for code, msg, f in mistakes]
    return check_function(fn, conv.conv_output_size, cases, name="conv_output_size",
                          threshold=0.0, check_dtype=None, hints=hints, quiet=quiet)


# ----------------------------------------------------------------------------- one value
def _value_cases():
    rng = np.random.default_rng(5)
    photo = data.load_photo("china")[100:160:6, 200:260:6]  # 10×10×3 real pixels
    X3 = np.transpose(photo, (2, 0, 1)).astype(np.float64) / 255.0  # 3×10×10
    digit = data.load_mnist5k(seed=0).X_test[0].astype(np.float64)[None, 6:18, 8:20] / 255.0
    K3 = np.round(rng.normal(size=(2, 3, 3, 3)), 2)
    K1 = np.round(rng.normal(size=(4, 1, 5, 5)), 2)
    return [(X3, K3, 1, 2, 5), (digit, K1, 3, 4, 2), (X3, K3, 0, 6, 0), (digit, K1, 0, 0, 6)]


def _value_ref(X, K, c_o, h, w):
    k = K.shape[-1]
    return np.sum(K[c_o] * X[:, h:h + k, w:w + k])


def check_conv_value(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(X, K, c_o, h, w)`` = Σ_{c_i} Σ_m Σ_n K[c_o, c_i, m, n] · X[c_i, h+m, w+n]."""
    cases = _value_cases()

    def window(X, h, w, k):
        return X[:, h:h + k, w:w + k]

    mistakes = [
        ("flipped", "you flipped the kernel (that is the textbook 'convolution'); deep-learning "
         "convolution is cross-correlation: K[m, n] multiplies X[h+m, w+n]",
         lambda X, K, c, h, w: np.sum(K[c][:, ::-1, ::-1] * window(X, h, w, K.shape[-1]))),
        ("transposed", "m and n are swapped: m moves down the rows (with h), n along the columns "
         "(with w)", lambda X, K, c, h, w: np.sum(np.swapaxes(K[c], -1, -2) * window(X, h, w, K.shape[-1]))),
        ("swapped_hw", "h and w are swapped: h is the row (first spatial index), w the column",
         lambda X, K, c, h, w: np.sum(K[c] * window(X, w, h, K.shape[-1]))),
        ("one_channel", "only the first input channel is summed: add over every c_i",
         lambda X, K, c, h, w: np.sum(K[c, 0] * window(X, h, w, K.shape[-1])[0])),
        ("mean", "you averaged; the formula is a plain sum (no division)",
         lambda X, K, c, h, w: np.mean(K[c] * window(X, h, w, K.shape[-1]))),
        ("off_by_one", "the window starts one pixel too far: with zero-based indices it starts "
         "at X[c_i, h, w]", lambda X, K, c, h, w: np.sum(K[c] * window(X, h + 1, w + 1, K.shape[-1]))),
    ]
    hints = [_hint(code, msg, fn, f, cases) for code, msg, f in mistakes]
    return check_function(fn, _value_ref, cases, name="conv_value", threshold=1e-9,
                          check_dtype=None, hints=hints, quiet=quiet)


# ----------------------------------------------------------------------------- patches
_PATCH_CASES = [(28, 28, 7), (28, 28, 4), (32, 48, 8), (224, 224, 16), (28, 28, 14), (12, 20, 2)]


def check_num_patches(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(H, W, p)`` = N = (H/p)·(W/p), the number of p×p patches."""
    cases = _PATCH_CASES
    mistakes = [
        ("one_side", "that is the patches along one side only; the grid has (H/p) rows and "
         "(W/p) columns", lambda H, W, p: H // p),
        ("divided_by_p", "a patch holds p·p pixels: divide H·W by p², not by p",
         lambda H, W, p: H * W // p),
        ("plus_cls", "the CLS token is not a patch: count patches only",
         lambda H, W, p: (H // p) * (W // p) + 1),
        ("patch_pixels", "p² is the length of one flattened patch, not the number of patches",
         lambda H, W, p: p * p),
    ]
    hints = [_hint(code, msg, fn, f, cases) for code, msg, f in mistakes]
    return check_function(fn, attention.num_patches, cases, name="num_patches", threshold=0.0,
                          check_dtype=None, hints=hints, quiet=quiet)


def _attention_shape_ref(H, W, p):
    n = attention.num_patches(H, W, p) + 1
    return np.array([n, n])


def check_attention_shape(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(H, W, p)`` = the shape (N+1, N+1) of a ViT's attention matrix (N patches + CLS)."""
    cases = _PATCH_CASES

    def N(H, W, p):
        return (H // p) * (W // p)

    mistakes = [
        ("no_cls", "the CLS token is a token too: N patches + 1 CLS attend to each other",
         lambda H, W, p: (N(H, W, p), N(H, W, p))),
        ("features", "the attention matrix is tokens × tokens; the patch length p² (or the width "
         "d) is not one of its sides", lambda H, W, p: (N(H, W, p) + 1, p * p)),
        ("one_side", "count all patches, (H/p)·(W/p), not one side of the grid",
         lambda H, W, p: (H // p + 1, H // p + 1)),
    ]
    hints = [_hint(code, msg, fn, f, cases) for code, msg, f in mistakes]
    shape_hints = [Hint("not_a_pair", "return the shape as a pair (rows, columns)",
                        lambda got, exp, args: got.shape != (2,))]
    return check_function(fn, _attention_shape_ref, cases, name="attention_shape", threshold=0.0,
                          check_dtype=None, shape_hints=shape_hints, hints=hints, quiet=quiet)


# ----------------------------------------------------------------------------- attention
def _attention_cases():
    rng = np.random.default_rng(7)
    return [tuple(rng.normal(size=(n, d)) for _ in range(3)) for n, d in ((5, 4), (17, 16), (3, 8))]


def check_attention(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(Q, K, V)`` = softmax(Q Kᵀ / √d) V for n×d matrices."""
    cases = _attention_cases()
    sm = attention.softmax

    def sdpa(Q, K, V, scale, axis=-1):
        return sm(Q @ K.T * scale, axis=axis) @ V

    mistakes = [
        ("no_scale", "divide the scores Q Kᵀ by √d before the softmax",
         lambda Q, K, V: sdpa(Q, K, V, 1.0)),
        ("divided_by_d", "divide by √d, not by d",
         lambda Q, K, V: sdpa(Q, K, V, 1.0 / Q.shape[-1])),
        ("softmax_axis", "the softmax runs over the wrong axis: each row (one query) must sum "
         "to 1, use axis=-1", lambda Q, K, V: sdpa(Q, K, V, 1 / np.sqrt(Q.shape[-1]), axis=0)),
        ("no_softmax", "the softmax is missing: the weights must be positive and sum to 1",
         lambda Q, K, V: (Q @ K.T / np.sqrt(Q.shape[-1])) @ V),
    ]
    hints = [_hint(code, msg, fn, f, cases) for code, msg, f in mistakes]
    shape_hints = [Hint("weights_only", "that is the attention matrix A; the output is A @ V",
                        lambda got, exp, args: got.shape == (args[0].shape[0], args[1].shape[0]))]
    return check_function(fn, attention.scaled_dot_product_attention, cases, name="attention",
                          threshold=1e-8, check_dtype="kind", shape_hints=shape_hints, hints=hints,
                          quiet=quiet)
