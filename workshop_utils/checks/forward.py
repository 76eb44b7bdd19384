"""Checkers for notebook 09 (Minimal forward pass): every stage's shape, and a batch forward pass."""

from __future__ import annotations

import numpy as np

from .. import conv, forward
from ..softmax import softmax
from ._core import CheckResult, Hint, call_learner, check_function, report

__all__ = ["check_stage_shapes", "check_forward_batch"]


_say = report


CHECKED_STAGES = ("H1", "H2", "h", "z")
SHAPE_CASES = [(5, 2), (3, 1), (3, 2), (7, 3), (5, 1), (1, 2)]


def _shape_mistakes(k, s):
    """What typical slips produce for SmallCNN with kernel k, stride s, padding k // 2."""
    p = k // 2
    s1 = (28 + 2 * p - k) // s + 1
    s2 = (s1 + 2 * p - k) // s + 1
    s2_from_x = s1  # second conv computed on the 28×28 input again
    return {
        "flatten_not_squared": (32 * s2,),
        "flatten_forgot_channels": (s2 * s2,),
        "second_conv_on_input": {"H2": (32, s2_from_x, s2_from_x), "h": (32 * s2_from_x ** 2,)},
        "no_padding": (28 - k) // s + 1,
    }


def check_stage_shapes(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(kernel_size, stride)`` returning a dict of the shapes of H1, H2, h and z.

    The network is SmallCNN with padding = kernel_size // 2, 16 then 32 channels, 10 classes,
    on one 28×28 digit (no batch axis).
    """
    name = "stage_shapes"
    if not callable(fn):
        return _say(CheckResult(False, f"{name}: expected a function, got {type(fn).__name__}",
                                "not_callable"), quiet)
    for k, s in SHAPE_CASES:
        got, failure = call_learner(fn, (k, s), name, {"case": (k, s)})
        if failure is not None:
            return _say(failure, quiet)
        if not isinstance(got, dict):
            return _say(CheckResult(False, f"{name}: return a dict like {{'H1': (16, 14, 14), ...}}; "
                                    f"got {type(got).__name__}", "not_dict"), quiet)
        missing = [st for st in CHECKED_STAGES if st not in got]
        if missing:
            return _say(CheckResult(False, f"{name}: the dict has no entry for {missing} "
                                    f"(expected keys {list(CHECKED_STAGES)})", "missing"), quiet)
        expected = forward.stage_shapes(k, s)
        mistakes = _shape_mistakes(k, s)
        for st in CHECKED_STAGES:
            try:
                shape = tuple(int(v) for v in np.atleast_1d(got[st]))
            except (TypeError, ValueError):
                return _say(CheckResult(False, f"{name}: {st} should be a tuple of whole numbers; "
                                        f"got {got[st]!r}", "not_shape"), quiet)
            if shape == expected[st]:
                continue
            where = f"kernel {k}, stride {s}: {st} is {shape}, expected {expected[st]}"
            if st in ("H1", "H2") and len(shape) == 3 and shape[1:] == expected[st][1:] \
                    and shape[0] != expected[st][0]:
                code, msg = "channels", "the first axis is the number of channels (16 for H1, 32 for H2)"
            elif st in ("H1", "H2") and len(shape) == 3 and shape[0] == expected[st][0] \
                    and shape[1] != shape[2]:
                code, msg = "not_square", "both sides shrink the same way: use the size formula for each"
            elif st == "H1" and shape[1:] == (mistakes["no_padding"],) * 2:
                code, msg = "no_padding", f"SmallCNN pads by k // 2 = {k // 2} on each side"
            elif st == "H2" and shape == mistakes["second_conv_on_input"]["H2"]:
                code, msg = "second_conv_on_input", "the second conv runs on H₁, not on the 28×28 input"
            elif st == "h" and shape == mistakes["flatten_not_squared"]:
                code, msg = "flatten_not_squared", "vec(H₂) holds C₂ · side · side numbers (side squared)"
            elif st == "h" and shape == mistakes["flatten_forgot_channels"]:
                code, msg = "flatten_forgot_channels", "vec(H₂) holds every channel: C₂ · side²"
            elif st == "h" and len(shape) != 1:
                code, msg = "not_flat", "h = vec(H₂) is one long vector: a shape with a single number"
            elif st == "z":
                code, msg = "z_classes", "z holds one logit per class: 10 numbers"
            else:
                code, msg = "shape", "compute each side with ⌊(H + 2p − k) / s⌋ + 1"
            return _say(CheckResult(False, f"{name}: {where} - {msg}", code, {"case": (k, s)}), quiet)
    return _say(CheckResult(True, f"{name}: correct for {len(SHAPE_CASES)} kernel sizes and strides",
                            "ok"), quiet)


# --------------------------------------------------------------------------- a batch
def _batch_cases():
    from ..data import load_mnist5k
    from ..models import pretrained_cnn

    w = forward.smallcnn_weights(pretrained_cnn(0, verbose=False))
    weights = {k: w[k] for k in forward.WEIGHT_NAMES}
    X = load_mnist5k(seed=0).X_test
    return [(X[:6], weights), (X[10:11], weights)]


def _variant(X, w, scale=255.0, relu=True, axis=1, probs=True):
    """The forward pass with one typical slip, to recognise it."""
    f = (lambda a: np.maximum(a, 0)) if relu else (lambda a: a)
    Xt = X.astype(np.float64) / scale
    H1 = f(conv.conv2d(Xt[:, None], w["W1"], w["b1"], 2, 2))
    H2 = f(conv.conv2d(H1, w["W2"], w["b2"], 2, 2))
    z = H2.reshape(len(X), -1) @ w["W3"].T + w["b3"]
    return softmax(z, axis=axis) if probs else z


def check_forward_batch(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(X, weights)``: ŷ (N×10) of the minimal CNN for uint8 digits X (N×28×28)."""

    def reference(X, w):
        return forward.minimal_forward(X, w, stride=2, padding=2)["y_hat"]

    def like(**kw):
        return lambda got, exp, a: got.shape == exp.shape and np.allclose(
            got, _variant(a[0], a[1], **kw), atol=1e-5)

    hints = [
        Hint("no_normalise", "step 1 is missing: divide the uint8 pixels by 255 first", like(scale=1.0)),
        Hint("no_relu", "the ReLUs are missing: H = max(0, W * X + b) after each convolution",
             like(relu=False)),
        Hint("logits", "those are the logits z: finish with softmax over the classes (axis=1)",
             like(probs=False)),
        Hint("softmax_axis", "each row (one digit) should sum to 1: softmax over axis=1, the "
             "classes, not axis=0, the batch", like(axis=0)),
    ]
    shape_hints = [
        Hint("transposed", "one row per digit: the result is N×10, not 10×N",
             lambda got, exp, a: got.shape == exp.shape[::-1]),
        Hint("batch_lost", "keep the batch axis: flatten each digit with H2.reshape(N, -1) (not "
             "reshape(-1)) and return N×10", lambda got, exp, a: got.ndim == 1),
    ]
    return check_function(fn, reference, _batch_cases(), name="forward_batch", threshold=1e-5,
                          check_dtype="kind", shape_hints=shape_hints, hints=hints, quiet=quiet)
