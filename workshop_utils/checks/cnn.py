"""Checkers for notebook 05 (CNNs vs ViTs): conv output size, one conv value, patches, attention.

A concept hint here names a wrong formula only when the learner's function gives exactly
that formula's answer on EVERY test case (small integers coincide too easily on one):
:class:`_Answers` computes the learner's answers once, through :func:`call_learner` and
:func:`as_array`, so no answer can make a checker raise. Shape errors that numpy raises in
attention are diagnosed by running the learner's function once more on square inputs
(n = d), where every product fits, and naming the formula it then computes.
"""

from __future__ import annotations

import math

import numpy as np

from .. import attention, conv, data
from ._core import CheckResult, Hint, as_array, call_learner, check_function, matches, report

__all__ = [
    "check_conv_output_size",
    "check_conv_value",
    "check_num_patches",
    "check_attention_shape",
    "check_attention",
]

class _Answers:
    """The learner's answers on every case, computed once (through call_learner/as_array)."""

    def __init__(self, fn, cases, name: str):
        self.fn, self.cases, self.name = fn, cases, name
        self._got = None

    def all(self) -> list:
        if self._got is None:
            self._got = []
            for args in self.cases:
                copies = tuple(a.copy() if hasattr(a, "copy") else a for a in args)
                value, failure = call_learner(self.fn, copies, self.name)
                arr = None
                if failure is None:
                    arr, failure = as_array(value, self.name)
                self._got.append(arr if failure is None else None)
        return self._got

    def are(self, mistake) -> bool:
        """True when the answers are ``mistake``'s on every case (so the hint is sure)."""
        for args, got in zip(self.cases, self.all()):
            if got is None:
                return False
            try:
                with np.errstate(all="ignore"):
                    want = mistake(*args)
            except Exception:  # noqa: BLE001 - a formula undefined here is not this mistake
                return False
            if not matches(got, want):
                return False
        return True


def _hints(answers: _Answers, mistakes) -> list:
    """Concept hints from ``(code, message, wrong formula)``: each applies when the answers are it."""
    return [Hint(code, message, lambda got, exp, args, f=formula: answers.are(f))
            for code, message, formula in mistakes]


# ----------------------------------------------------------------------------- conv size
_SIZE_CASES = [(28, 5, 2, 2), (14, 5, 2, 2), (7, 3, 1, 0), (32, 3, 1, 1), (29, 5, 3, 1),
               (10, 4, 3, 0), (9, 3, 2, 1), (28, 7, 3, 0), (5, 5, 1, 0)]


def check_conv_output_size(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(size, kernel_size, stride, padding)`` = ⌊(H + 2p − k) / s⌋ + 1."""
    cases = _SIZE_CASES
    answers = _Answers(fn, cases, "conv_output_size")
    mistakes = [
        ("no_floor", "you get fractions: round down with integer division //, a window cannot "
         "stop half-way", lambda H, k, s, p: (H + 2 * p - k) / s + 1),
        ("ceil", "you rounded up; a window that does not fit is dropped, so round down (//)",
         lambda H, k, s, p: math.ceil((H + 2 * p - k) / s) + 1),
        ("rounded", "round() goes to the NEAREST integer; a window that does not fit is dropped, "
         "so round DOWN with //", lambda H, k, s, p: round((H + 2 * p - k) / s) + 1),
        ("no_plus_one", "one too few: count the first window position too (+ 1)",
         lambda H, k, s, p: (H + 2 * p - k) // s),
        ("plus_one_inside", "the + 1 comes AFTER the division: (H + 2p − k) // s + 1 counts the "
         "first window once, whatever the stride", lambda H, k, s, p: (H + 2 * p - k + 1) // s),
        ("padding_once", "padding is added on both sides of the image: 2·p, not p",
         lambda H, k, s, p: (H + p - k) // s + 1),
        ("no_padding", "the padding is missing: the padded image is H + 2p long",
         lambda H, k, s, p: (H - k) // s + 1),
        ("no_stride", "the stride is missing: the window jumps s pixels at a time, divide by s",
         lambda H, k, s, p: H + 2 * p - k + 1),
        ("plus_kernel", "the kernel size is subtracted, not added: H + 2p − k",
         lambda H, k, s, p: (H + 2 * p + k) // s + 1),
        ("precedence", "`//` is done before + and −, so only k was divided by s: put "
         "(H + 2 * p - k) in parentheses before // s", lambda H, k, s, p: H + 2 * p - k // s + 1),
    ]
    shape_hints = [Hint("pair", "return ONE number, the output rows (the columns follow from the "
                        "same formula with W)", lambda got, exp, args: got.shape == (2,))]
    return check_function(fn, conv.conv_output_size, cases, name="conv_output_size",
                          threshold=1e-12, check_dtype=None, shape_hints=shape_hints,
                          hints=_hints(answers, mistakes), quiet=quiet)


# ----------------------------------------------------------------------------- one value
def _value_cases():
    rng = np.random.default_rng(5)
    photo = data.load_photo("china")[100:160:6, 200:260:6]  # 10×10×3 real pixels
    X3 = np.transpose(photo, (2, 0, 1)).astype(np.float64) / 255.0  # 3×10×10
    digit = data.load_mnist5k(seed=0).X_test[0].astype(np.float64)[None, 6:18, 8:20] / 255.0
    K3 = np.round(rng.normal(size=(2, 3, 3, 3)), 2)
    K1 = np.round(rng.normal(size=(4, 1, 5, 5)), 2)
    return [(X3, K3, 1, 2, 5), (digit, K1, 3, 4, 2), (X3, K3, 0, 6, 0), (digit, K1, 0, 0, 6)]


def _window(X, h, w, k):
    return X[:, h:h + k, w:w + k]


def _value_ref(X, K, c_o, h, w):
    return np.sum(K[c_o] * _window(X, h, w, K.shape[-1]))


def check_conv_value(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(X, K, c_o, h, w)`` = Σ_{c_i} Σ_m Σ_n K[c_o, c_i, m, n] · X[c_i, h+m, w+n]."""
    cases = _value_cases()
    answers = _Answers(fn, cases, "conv_value")

    def win(X, K, h, w):
        return _window(X, h, w, K.shape[-1])

    mistakes = [
        ("flipped", "you flipped the kernel (that is the textbook 'convolution'); deep-learning "
         "convolution is cross-correlation: K[m, n] multiplies X[h+m, w+n]",
         lambda X, K, c, h, w: np.sum(K[c][:, ::-1, ::-1] * win(X, K, h, w))),
        ("transposed", "m and n are swapped: m moves down the rows (with h), n along the columns "
         "(with w)", lambda X, K, c, h, w: np.sum(np.swapaxes(K[c], -1, -2) * win(X, K, h, w))),
        ("swapped_hw", "h and w are swapped: h is the row (first spatial index), w the column",
         lambda X, K, c, h, w: np.sum(K[c] * win(X, K, w, h))),
        ("one_channel", "only the first input channel is summed: add over every c_i",
         lambda X, K, c, h, w: np.sum(K[c, 0] * win(X, K, h, w)[0])),
        ("reset_in_loop", "only the LAST input channel survives: `total = 0` is reset inside the "
         "loop over c_i - set it once, before all the loops",
         lambda X, K, c, h, w: np.sum(K[c, -1] * win(X, K, h, w)[-1])),
        ("assign_not_add", "only the last product is kept: in the loop write `total += ...` "
         "(add), not `total = ...` (replace)",
         lambda X, K, c, h, w: K[c, -1, -1, -1] * X[-1, h + K.shape[-1] - 1, w + K.shape[-1] - 1]),
        ("all_kernels", "you used the kernels of EVERY output channel: take K[c_o], the kernel of "
         "the one output channel asked for", lambda X, K, c, h, w: np.sum(K * win(X, K, h, w))),
        ("matrix_product", "`@` is a matrix product (rows times columns); the formula multiplies "
         "entry by entry: K[c_o] * window, then np.sum",
         lambda X, K, c, h, w: np.sum(K[c] @ win(X, K, h, w))),
        ("mean", "you averaged; the formula is a plain sum (no division)",
         lambda X, K, c, h, w: np.mean(K[c] * win(X, K, h, w))),
        ("off_by_one", "the window starts one pixel too far: with zero-based indices it starts "
         "at X[c_i, h, w]", lambda X, K, c, h, w: np.sum(K[c] * win(X, K, h + 1, w + 1))),
    ]

    def products(args):
        X, K, c, h, w = args
        return K[c] * _window(X, h, w, K.shape[-1])

    def partial(got, exp, args):
        prod = products(args)
        axes = [0, 1, 2, (0, 1), (0, 2), (1, 2)]
        return any(matches(got, np.sum(prod, axis=a)) for a in axes)

    shape_hints = [
        Hint("no_sum", "you return the products, one per kernel entry: add them ALL up with "
             "np.sum (the result is one number)",
             lambda got, exp, args: matches(got, products(args))),
        Hint("partial_sum", "the result is ONE number: sum over every axis (np.sum without "
             "axis=...), the input channels as well as the k×k window", partial),
    ]
    res = check_function(fn, _value_ref, cases, name="conv_value", threshold=1e-9,
                         check_dtype=None, shape_hints=shape_hints, hints=_hints(answers, mistakes),
                         quiet=True)
    if res.code == "broadcast":
        res = CheckResult(False, f"conv_value: the window and the kernel do not fit together "
                          f"({res.details.get('error', '')}) - K[c_o] is C_in×k×k, so the window "
                          "must be the same: X[:, h:h + k, w:w + k] (every channel, k rows from h, "
                          "k columns from w)", "window_shape", res.details)
    return report(res, quiet)


# ----------------------------------------------------------------------------- patches
_PATCH_CASES = [(28, 28, 7), (28, 28, 4), (32, 48, 8), (224, 224, 16), (28, 28, 14), (12, 20, 2)]


def _grid(H, W, p):
    return (H // p) * (W // p)


def check_num_patches(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(H, W, p)`` = N = (H/p)·(W/p), the number of p×p patches."""
    cases = _PATCH_CASES
    answers = _Answers(fn, cases, "num_patches")
    mistakes = [
        ("one_side", "that is the patches along one side only; the grid has (H/p) rows and "
         "(W/p) columns", lambda H, W, p: H // p),
        ("square_only", "(H/p)² is right only for a square image: the grid has H/p rows and W/p "
         "columns", lambda H, W, p: (H // p) ** 2),
        ("added", "the grid has (H/p) rows and (W/p) columns: multiply them, do not add",
         lambda H, W, p: H // p + W // p),
        ("divided_by_p", "a patch holds p·p pixels: divide H·W by p², not by p",
         lambda H, W, p: H * W // p),
        ("pixels", "that is H·W, the number of pixels (note: H * W // p * p is read as "
         "(H·W // p)·p): divide by the p² pixels of a patch, H * W // (p * p)",
         lambda H, W, p: H * W),
        ("plus_cls", "the CLS token is not a patch: count patches only",
         lambda H, W, p: _grid(H, W, p) + 1),
        ("patch_pixels", "p² is the length of one flattened patch, not the number of patches",
         lambda H, W, p: p * p),
        ("sliding", "that counts every p×p window at stride 1, overlapping, as a convolution "
         "would; ViT patches do not overlap (the stride is p)",
         lambda H, W, p: (H - p + 1) * (W - p + 1)),
    ]
    shape_hints = [Hint("grid_shape", "that is the grid of patches (rows, columns); the number "
                        "of patches is their product",
                        lambda got, exp, args: matches(got, (args[0] // args[2], args[1] // args[2])))]
    return check_function(fn, attention.num_patches, cases, name="num_patches", threshold=1e-12,
                          check_dtype=None, shape_hints=shape_hints,
                          hints=_hints(answers, mistakes), quiet=quiet)


def _attention_shape_ref(H, W, p):
    n = attention.num_patches(H, W, p) + 1
    return np.array([n, n])


def check_attention_shape(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(H, W, p)`` = the shape (N+1, N+1) of a ViT's attention matrix (N patches + CLS)."""
    cases = _PATCH_CASES
    answers = _Answers(fn, cases, "attention_shape")
    N = _grid

    mistakes = [
        ("no_cls", "the CLS token is a token too: N patches + 1 CLS attend to each other",
         lambda H, W, p: (N(H, W, p), N(H, W, p))),
        ("cls_one_side", "the CLS token is a query AND a key: both sides are N + 1",
         lambda H, W, p: (N(H, W, p) + 1, N(H, W, p))),
        ("features", "the attention matrix is tokens × tokens; the patch length p² (or the width "
         "d) is not one of its sides", lambda H, W, p: (N(H, W, p) + 1, p * p)),
        ("one_side", "count all patches, (H/p)·(W/p), not one side of the grid",
         lambda H, W, p: (H // p + 1, H // p + 1)),
        ("pixels", "the tokens are the patches (plus CLS), not the pixels: N = (H/p)·(W/p)",
         lambda H, W, p: (H * W + 1, H * W + 1)),
    ]
    shape_hints = [
        Hint("not_a_pair", "that is the number of tokens n = N + 1; return the shape as a pair "
             "(rows, columns) = (n, n)", lambda got, exp, args: answers.are(lambda H, W, p: N(H, W, p) + 1)),
        Hint("entries", "that is the number of entries n² of the matrix; return its shape as a "
             "pair (n, n)", lambda got, exp, args: answers.are(lambda H, W, p: (N(H, W, p) + 1) ** 2)),
        Hint("matrix_not_shape", "you returned a matrix of that shape; return its shape itself, "
             "the pair (rows, columns)",
             lambda got, exp, args: got.shape == (N(*args) + 1, N(*args) + 1)),
    ]
    return check_function(fn, _attention_shape_ref, cases, name="attention_shape", threshold=1e-12,
                          check_dtype=None, shape_hints=shape_hints,
                          hints=_hints(answers, mistakes), quiet=quiet)


# ----------------------------------------------------------------------------- attention
def _attention_cases():
    rng = np.random.default_rng(7)
    return [tuple(rng.normal(size=(n, d)) for _ in range(3)) for n, d in ((5, 4), (17, 16), (3, 8))]


def _sm(z, axis=-1):
    return attention.softmax(z, axis=axis)


def _sdpa(Q, K, V, scale=None, axis=-1):
    scale = 1 / np.sqrt(Q.shape[-1]) if scale is None else scale
    return _sm(Q @ K.T * scale, axis=axis) @ V


def _no_keepdims(Q, K, V):
    """The three softmaxes with a row max or row sum missing keepdims=True."""
    s = Q @ K.T / np.sqrt(Q.shape[-1])
    e_kept = np.exp(s - s.max(axis=1, keepdims=True))
    e_lost = np.exp(s - s.max(axis=1))  # (n,) lines up with the columns
    return [(e_kept / e_kept.sum(axis=1)) @ V, (e_lost / e_lost.sum(axis=1, keepdims=True)) @ V,
            (e_lost / e_lost.sum(axis=1)) @ V]


def _returned_pair(fn, args):
    """The notebook's ``attention`` returns (output, A): a learner may return that pair."""
    got, failure = call_learner(fn, tuple(a.copy() for a in args), "attention")
    if failure is not None or not isinstance(got, (tuple, list)) or len(got) != 2:
        return None
    (out, f1), (A, f2) = as_array(got[0], "attention"), as_array(got[1], "attention")
    n, d = args[0].shape
    if f1 is None and f2 is None and out.shape == (n, d) and A.shape == (n, n):
        return CheckResult(False, "attention: returned a pair (output, A), as the notebook's "
                           "attention() does - this exercise asks for the output only: return "
                           "A @ V", "returned_pair")
    return None


# wrong products that raise on n×d inputs but run on square ones (n = d), with any scale
_SQUARE_MISTAKES = [
    ("no_transpose", "Q @ K multiplies n×d by n×d, which does not fit: the scores need Kᵀ, "
     "Q @ K.T is n×n (one row per query, one column per key)",
     lambda Q, K, V, c: _sm(Q @ K * c) @ V),
    ("q_transposed", "Q.T @ K compares FEATURES (a d×d matrix); the scores compare tokens: "
     "Q @ K.T is n×n (one row per query, one column per key)",
     lambda Q, K, V, c: _sm(Q.T @ K * c) @ V),
    ("v_first", "the output is A @ V (each token's weights times the values), not V @ A",
     lambda Q, K, V, c: V @ _sm(Q @ K.T * c)),
    ("elementwise", "A * V multiplies entry by entry; the output is the matrix product A @ V "
     "(a weighted mean of the value rows)", lambda Q, K, V, c: _sm(Q @ K.T * c) * V),
]


def _square_probe(fn, failure: CheckResult) -> CheckResult:
    """A shape error: run ``fn`` on square Q, K, V and name the formula it computes there."""
    rng = np.random.default_rng(11)
    Q, K, V = (rng.normal(size=(6, 6)) for _ in range(3))
    got, bad = call_learner(fn, (Q.copy(), K.copy(), V.copy()), "attention")
    if bad is None:
        got, bad = as_array(got, "attention")
    if bad is not None:
        return failure
    for code, message, formula in _SQUARE_MISTAKES:
        for c in (1 / np.sqrt(6), 1.0, 1 / 6):
            with np.errstate(all="ignore"):
                want = formula(Q, K, V, c)
            if matches(got, want):
                return CheckResult(False, f"attention: {message}", code, failure.details)
    return failure


def check_attention(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(Q, K, V)`` = softmax(Q Kᵀ / √d) V for n×d matrices."""
    cases = _attention_cases()
    pair = _returned_pair(fn, cases[0]) if callable(fn) else None
    if pair is not None:
        return report(pair, quiet)
    answers = _Answers(fn, cases, "attention")
    mistakes = [
        ("no_scale", "divide the scores Q Kᵀ by √d before the softmax",
         lambda Q, K, V: _sdpa(Q, K, V, 1.0)),
        ("divided_by_d", "divide by √d, not by d",
         lambda Q, K, V: _sdpa(Q, K, V, 1.0 / Q.shape[-1])),
        ("sqrt_n", "d is the feature width, Q.shape[-1] (the columns); Q.shape[0] is the number "
         "of tokens n", lambda Q, K, V: _sdpa(Q, K, V, 1.0 / np.sqrt(Q.shape[0]))),
        ("global_d", "the scale is 1/√16 on every test: that is the notebook's d = 16 from "
         "outside the function; take d from the inputs, d = Q.shape[-1]",
         lambda Q, K, V: _sdpa(Q, K, V, 1.0 / 4.0)),
        ("times_sqrt_d", "you multiplied by √d: DIVIDE the scores by √d",
         lambda Q, K, V: _sdpa(Q, K, V, np.sqrt(Q.shape[-1]))),
        ("softmax_axis", "the softmax runs over the wrong axis: each row (one query) must sum "
         "to 1, use axis=-1", lambda Q, K, V: _sdpa(Q, K, V, axis=0)),
        ("softmax_all", "you normalised over the whole matrix; each ROW (one query) must sum to "
         "1: .sum(axis=-1, keepdims=True)",
         lambda Q, K, V: (lambda e: e / e.sum())(np.exp(Q @ K.T / np.sqrt(Q.shape[-1]))) @ V),
        ("no_softmax", "the softmax is missing: the weights must be positive and sum to 1",
         lambda Q, K, V: (Q @ K.T / np.sqrt(Q.shape[-1])) @ V),
    ]
    hints = _hints(answers, mistakes) + [Hint(
        "keepdims", "a row max or row sum without keepdims=True has shape (n,) and lines up "
        "with the COLUMNS: write .max(axis=1, keepdims=True) and .sum(axis=1, keepdims=True)",
        lambda got, exp, args: any(answers.are(lambda Q, K, V, i=i: _no_keepdims(Q, K, V)[i])
                                   for i in range(3)))]
    shape_hints = [Hint("weights_only", "that is the attention matrix A; the output is A @ V",
                        lambda got, exp, args: got.shape == (args[0].shape[0], args[1].shape[0]))]
    res = check_function(fn, attention.scaled_dot_product_attention, cases, name="attention",
                         threshold=1e-8, check_dtype="kind", shape_hints=shape_hints, hints=hints,
                         quiet=True)
    if res.code in ("matmul", "broadcast"):
        res = _square_probe(fn, res)
    return report(res, quiet)
