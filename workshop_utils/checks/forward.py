"""Checkers for notebook 09 (Minimal forward pass): every stage's shape, and a batch forward pass."""

from __future__ import annotations

import math
import re

import numpy as np

from .. import conv, forward
from ..softmax import softmax
from ._core import CheckResult, Hint, call_learner, check_function, matches, report

__all__ = ["check_stage_shapes", "check_forward_batch"]


CHECKED_STAGES = ("H1", "H2", "h", "z")
SHAPE_CASES = [(5, 2), (3, 1), (3, 2), (7, 3), (5, 1), (1, 2)]
CLASSES, SIZE = 10, 28


# ----------------------------------------------------------------------------- 9.1 stage shapes
def _side(n, k, s, p=None, *, both_sides=True, plus_one=True, rounding=math.floor):
    """One conv's output side, optionally with a typical slip in ⌊(n + 2p − k) / s⌋ + 1."""
    p = k // 2 if p is None else p
    return int(rounding((n + (2 if both_sides else 1) * p - k) / s)) + (1 if plus_one else 0)


# (code, message, side formula (n, k, s) with the slip): a slip in the size formula, recognised
# in the first conv (n = 28) or in the second (n = the right side of H₁)
_SIDE_SLIPS = [
    ("no_padding", "SmallCNN pads by p = k // 2 on each side: ⌊(H + 2p − k) / s⌋ + 1",
     lambda n, k, s: _side(n, k, s, 0)),
    ("padding_one_side", "the padding is added on BOTH sides: H + 2p, not H + p",
     lambda n, k, s: _side(n, k, s, both_sides=False)),
    ("no_plus_one", "the formula ends with + 1: ⌊(H + 2p − k) / s⌋ + 1 (the first window counts too)",
     lambda n, k, s: _side(n, k, s, plus_one=False)),
    ("no_stride", "divide by the stride s: ⌊(H + 2p − k) / s⌋ + 1",
     lambda n, k, s: _side(n, k, s=1)),
    ("not_floor", "the size formula rounds DOWN: ⌊(H + 2p − k) / s⌋ + 1 - use // (not round or ceil)",
     lambda n, k, s: _side(n, k, s, rounding=math.ceil)),
    ("not_floor", "the size formula rounds DOWN: ⌊(H + 2p − k) / s⌋ + 1 - use // (not round or ceil)",
     lambda n, k, s: _side(n, k, s, rounding=round)),
]


def _brief(value) -> str:
    """One short line showing a learner's value (an array by its type and shape)."""
    try:
        shape = getattr(value, "shape", None)
        if shape is not None and not isinstance(value, tuple) and len(tuple(shape)) > 1:
            return f"an array of shape {tuple(shape)}"
        text = " ".join(repr(value).split())
    except Exception:  # noqa: BLE001 - an object that cannot even be shown
        return f"a {type(value).__name__}"
    return text if len(text) <= 60 else text[:57] + "..."


def _read_shape(value):
    """``(shape, None)`` or ``(None, (code, message))`` for one stage's entry of the dict."""
    try:
        with np.errstate(all="ignore"):
            a = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything that is not numbers
        return None, ("not_shape", "a shape is a tuple of whole numbers")
    if a.dtype.kind == "f" and (a.ndim > 1 or a.size > 4):
        return None, ("array_not_shape", "that is an array of values, not its shape: return "
                      "its .shape (a tuple such as (16, 14, 14))")
    if a.ndim > 1 or a.dtype.kind not in "iuf" or a.size == 0:
        return None, ("not_shape", "a shape is a tuple of whole numbers")
    if a.dtype.kind == "f" and not np.all(np.isfinite(a) & (a == np.round(a))):
        return None, ("float_size", "a side is not a whole number: the size formula floors, "
                      "⌊(H + 2p − k) / s⌋ + 1, so use // (not /)")
    return tuple(int(v) for v in a.ravel()), None


def _diagnose_stage(st, shapes):
    """Name the slip behind a wrong shape of stage ``st``: ``shapes`` maps every case (k, s)
    to the learner's stage shapes (the stages before ``st`` are right). A slip in the size
    formula is named only when it gives the learner's ``st`` in EVERY case (slips coincide
    for some kernels and strides: with k = 5, s = 2 both a missing + 1 and H + p give 13)."""
    wrong = [ks for ks, got in shapes.items() if got[st] != forward.stage_shapes(*ks)[st]]
    k, s = wrong[0]
    shape, expected = shapes[(k, s)][st], forward.stage_shapes(k, s)
    exp = expected[st]

    def everywhere(predict):
        return all(got[st] == predict(*ks) for ks, got in shapes.items())

    if shape == (1, *exp):
        return "batch_axis", "one 28×28 digit has no batch axis: drop the leading 1"
    if st in ("H1", "H2") and len(shape) == 3:
        c = exp[0]
        if shape == (exp[1], exp[2], exp[0]):
            return "channels_last", (f"PyTorch puts the channels first: C×H×W = ({c}, side, side), "
                                     "not H×W×C")
        if shape[1:] == exp[1:] and shape[0] != c:
            return "channels", "the first axis is the number of channels (16 for H1, 32 for H2)"

        def n_in(k, s):
            return SIZE if st == "H1" else forward.stage_shapes(k, s)["H1"][1]

        if st == "H2" and everywhere(lambda k, s: (c, *forward.stage_shapes(k, s)["H1"][1:])):
            return "second_conv_on_input", ("the second conv shrinks H₁ again: apply the size "
                                            "formula to H₁'s side, not to the 28×28 input")
        for code, msg, side in _SIDE_SLIPS:
            if everywhere(lambda k, s, side=side: (c, side(n_in(k, s), k, s), side(n_in(k, s), k, s))):
                return code, msg
        if shape[1] != shape[2]:
            return "not_square", "both sides shrink the same way: use the size formula for each"
    if st == "h":
        c2, side2 = expected["H2"][0], expected["H2"][1]
        if len(shape) != 1:
            return "not_flat", "h = vec(H₂) is one long vector: a shape with a single number"
        if shape == (c2 * side2,):
            return "flatten_not_squared", "vec(H₂) holds C₂ · side · side numbers (side squared)"
        if shape == (side2 * side2,):
            return "flatten_forgot_channels", "vec(H₂) holds every channel: C₂ · side²"
        if shape == (math.prod(expected["H1"]),):
            return "flatten_H1", "h flattens H₂, the output of the SECOND conv, not H₁"
    if st == "z":
        return "z_classes", "z holds one logit per class: 10 numbers, (10,)"
    return "shape", "compute each side with ⌊(H + 2p − k) / s⌋ + 1"


def check_stage_shapes(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(kernel_size, stride)`` returning a dict of the shapes of H1, H2, h and z.

    The network is SmallCNN with padding = kernel_size // 2, 16 then 32 channels, 10 classes,
    on one 28×28 digit (no batch axis).
    """
    name = "stage_shapes"
    shapes = {}
    for k, s in SHAPE_CASES:
        case = {"case": (k, s)}
        got, failure = call_learner(fn, (k, s), name, case)
        if failure is not None:
            return report(failure, quiet)
        if not isinstance(got, dict):
            return report(CheckResult(False, f"{name}: return a dict like {{'H1': (16, 14, 14), ...}}; "
                                      f"got {type(got).__name__}", "not_dict", case), quiet)
        missing = [st for st in CHECKED_STAGES if st not in got]
        if missing:
            return report(CheckResult(False, f"{name}: the dict has no entry for {missing} (expected "
                                      f"the keys {list(CHECKED_STAGES)}, written exactly so)",
                                      "missing", case), quiet)
        shapes[(k, s)] = {}
        for st in CHECKED_STAGES:
            shape, problem = _read_shape(got[st])
            if problem is not None:
                code, msg = problem
                return report(CheckResult(False, f"{name}: kernel {k}, stride {s}: {st} = "
                                          f"{_brief(got[st])} - {msg}", code, case), quiet)
            shapes[(k, s)][st] = shape
    example = {st: forward.stage_shapes(5, 2)[st] for st in CHECKED_STAGES}
    if all(got == example for got in shapes.values()):
        k, s = next(ks for ks in SHAPE_CASES if ks != (5, 2))
        return report(CheckResult(False, f"{name}: the same shapes for every kernel and stride (those "
                                  "of kernel 5, stride 2): compute each side from kernel_size and "
                                  "stride with ⌊(H + 2p − k) / s⌋ + 1", "hard_coded",
                                  {"case": (k, s)}), quiet)
    for st in CHECKED_STAGES:
        wrong = [ks for ks, got in shapes.items() if got[st] != forward.stage_shapes(*ks)[st]]
        if wrong:
            (k, s), (code, msg) = wrong[0], _diagnose_stage(st, shapes)
            return report(CheckResult(False, f"{name}: kernel {k}, stride {s}: {st} is "
                                      f"{shapes[(k, s)][st]}, expected {forward.stage_shapes(k, s)[st]} "
                                      f"- {msg}", code, {"case": (k, s)}), quiet)
    return report(CheckResult(True, f"{name}: correct for {len(SHAPE_CASES)} kernel sizes and strides",
                              "ok"), quiet)


# --------------------------------------------------------------------------- 9.2 a batch
def _batch_cases():
    from ..data import load_mnist5k
    from ..trained import pretrained_cnn

    w = forward.smallcnn_weights(pretrained_cnn(0, verbose=False))
    weights = {k: w[k] for k in forward.WEIGHT_NAMES}
    X = load_mnist5k(seed=0).X_test
    return [(X[:6], weights), (X[10:11], weights)]


def _variant(X, w, scale=255.0, relu=True, axis=1, probs=True, bias=True, relu_logits=False,
             whole=False):
    """The forward pass with one typical slip, to recognise it."""
    f = (lambda a: np.maximum(a, 0)) if relu else (lambda a: a)
    b = (lambda name: w[name]) if bias else (lambda name: None)
    Xt = X.astype(np.float64) / scale
    H1 = f(conv.conv2d(Xt[:, None], w["W1"], b("b1"), 2, 2))
    H2 = f(conv.conv2d(H1, w["W2"], b("b2"), 2, 2))
    z = H2.reshape(len(X), -1) @ w["W3"].T + (w["b3"] if bias else 0.0)
    if relu_logits:
        z = np.maximum(z, 0)
    if whole:
        e = np.exp(z - z.max())
        return e / e.sum()
    return softmax(z, axis=axis) if probs else z


_MATMUL_SIZES = re.compile(r"size (\d+) is different from (\d+)")


def _translate_batch_error(res: CheckResult, n: int) -> CheckResult:
    """The numpy errors a batch forward pass typically raises, in the exercise's words."""
    error = str(res.details.get("error", ""))
    flat = forward.stage_shapes()["h"][0]  # 1568 numbers per digit
    sizes = _MATMUL_SIZES.search(error)
    if sizes:
        rows, cols = int(sizes.group(1)), int(sizes.group(2))  # of B in A @ B, and of A
        if cols == n * flat:
            return CheckResult(False, f"forward_batch: the flatten merged the batch axis - "
                               f"H2.reshape(-1) glues all N = {n} digits into one vector of {n} · "
                               f"{flat} = {n * flat} numbers; flatten each digit on its own: "
                               "H2.reshape(len(X), -1) gives N×1568", "batch_merged", res.details)
        if cols == n and rows == flat:
            return CheckResult(False, "forward_batch: h is 1568×N - the flatten put the batch axis "
                               "last; keep it first: H2.reshape(len(X), -1) gives N×1568, one row "
                               "per digit", "batch_last", res.details)
        if rows == n and cols == flat:
            return CheckResult(False, "forward_batch: W3 @ h multiplies W3 (10×1568) with h (N×1568); "
                               "the rows of h are the digits: z = h @ W3.T (N×10)", "dense_order",
                               res.details)
        if rows == CLASSES and cols == flat:
            return CheckResult(False, "forward_batch: W3 is 10×1568, so h (N×1568) meets its "
                               "transpose: z = h @ W3.T", "w3_not_transposed", res.details)
        if rows == flat and cols != flat and cols % 32 == 0:
            return CheckResult(False, f"forward_batch: each digit flattens to {cols} numbers, but W3 "
                               f"expects {flat} = 32·7·7: run both convolutions with stride 2 and "
                               "padding 2 (28 → 14 → 7)", "conv_settings", res.details)
    m = re.search(r"K expects 1 input channel\(s\) \(K.shape\[1\]\) but X has (\d+)", error)
    if m and int(m.group(1)) == n:
        return CheckResult(False, f"forward_batch: conv2d read the batch axis as channels (X has "
                           f"{n} of them): add a channel axis, X_tilde[:, None] is N×1×28×28",
                           "no_channel_axis", res.details)
    if m and int(m.group(1)) == SIZE:
        return CheckResult(False, "forward_batch: the channel axis goes second, N×1×28×28 "
                           "(PyTorch's N×C×H×W): X_tilde[:, None], not X_tilde[..., None]",
                           "channels_last", res.details)
    if "truth value of an array" in error:
        return CheckResult(False, "forward_batch: Python's max() compares whole arrays; the ReLU "
                           "is element by element: np.maximum(H, 0)", "python_max", res.details)
    return res


def check_forward_batch(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(X, weights)``: ŷ (N×10) of the minimal CNN for uint8 digits X (N×28×28)."""

    def reference(X, w):
        return forward.minimal_forward(X, w, stride=2, padding=2)["y_hat"]

    def like(**kw):  # a float answer equal to the forward pass with one slip
        return lambda got, exp, a: (got.dtype.kind == "f"
                                    and matches(got, _variant(a[0], a[1], **kw), tol=1e-5))

    hints = [
        Hint("no_normalise", "step 1 is missing: divide the uint8 pixels by 255 first", like(scale=1.0)),
        Hint("no_relu", "the ReLUs are missing: H = max(0, W * X + b) after each convolution",
             like(relu=False)),
        Hint("no_bias", "the biases are missing: each layer adds its b (b1, b2 and b3)", like(bias=False)),
        Hint("logits", "those are the logits z: finish with softmax over the classes (axis=1)",
             like(probs=False)),
        Hint("relu_logits", "a ReLU on the logits z changes the probabilities: the last layer "
             "goes straight from z to softmax", like(relu_logits=True)),
        Hint("softmax_axis", "each row (one digit) should sum to 1: softmax over axis=1, the "
             "classes, not axis=0, the batch", like(axis=0)),
        Hint("softmax_whole_batch", "the whole batch sums to 1: softmax normalises each digit's "
             "row on its own, axis=1", like(whole=True)),
    ]
    shape_hints = [
        Hint("transposed", "one row per digit: the result is N×10, not 10×N",
             lambda got, exp, a: got.shape == exp.shape[::-1]),
        Hint("labels", "return the probabilities ŷ (N×10), not the predicted classes (argmax)",
             lambda got, exp, a: got.shape == exp.shape[:1] and exp.shape[0] != CLASSES),
        Hint("batch_lost", "keep the batch axis: return one row of 10 probabilities for EACH digit, "
             "N×10", lambda got, exp, a: got.shape == (CLASSES,)),
        Hint("flattened", "the result was flattened: return N×10, one row per digit",
             lambda got, exp, a: got.shape == (exp.size,)),
    ]
    cases = _batch_cases()
    res = check_function(fn, reference, cases, name="forward_batch", threshold=1e-5,
                         check_dtype="kind", shape_hints=shape_hints, hints=hints, quiet=True)
    if not res.ok:
        n = len(cases[res.details.get("case", 0)][0]) if isinstance(res.details.get("case"), int) \
            else len(cases[0][0])
        res = _translate_batch_error(res, n)
    return report(res, quiet)
