"""Checkers for notebook 06 (Softmax → Class Probabilities).

Each checker first runs the ordinary ladder (see ``_core``) on moderate logits, then
tries huge logits — including rows whose logits are far apart, like the lesson's
``[1000, -1000, 0]`` — where a softmax that does not subtract each row's maximum
overflows, and names the formula that gives exactly those NaN/inf answers.
"""

from __future__ import annotations

import numpy as np

from .. import softmax as sm
from ._core import (
    CheckResult,
    Hint,
    as_array,
    call_learner,
    check_function,
    matches,
    report,
)

__all__ = ["check_softmax", "check_softmax_temperature", "check_log_softmax"]


# ----------------------------------------------------------------------------- shared helpers
# the small constants learners add to keep a log finite: log(p + eps), log(max(p, eps))
_EPSILONS = tuple(10.0 ** -k for k in range(3, 17))


def _with_epsilon(log_of, p, got) -> bool:
    """``got`` equals ``log_of(p + eps)``, ``log_of(max(p, eps))`` or ``log_of(clip(p, eps, 1))``
    for one of the usual small constants (the epsilon hack hides log(0) but is wrong)."""
    with np.errstate(all="ignore"):
        return any(matches(got, log_of(q)) for eps in _EPSILONS
                   for q in (p + eps, np.maximum(p, eps), np.clip(p, eps, 1 - eps)))


def _copies(args):
    return tuple(a.copy() if hasattr(a, "copy") else a for a in args)


def _quietly(f):
    """A wrong formula evaluated without numpy's overflow warnings (it is meant to overflow)."""
    def g(*args):
        with np.errstate(all="ignore"):
            return f(*(np.asarray(a, dtype=np.float64) if k == 0 else a for k, a in enumerate(args)))
    return g


def _huge_step(fn, name, cases, reference, diagnoses, fallback, quiet, describe=lambda args: ""):
    """Run ``fn`` on every huge case; if an answer holds NaN/inf where the reference does
    not, name the wrong formula that gives exactly the learner's answers on all of them.

    ``diagnoses``: ``(code, wrong_formula, message)``; ``describe(args)`` adds the other
    arguments to the message (", T = 0.5"). Returns None when every answer is finite (the
    values are then judged by the ordinary ladder).
    """
    outs = []
    for k, args in enumerate(cases):
        got, failure = call_learner(fn, _copies(args), name, {"case": f"huge {k}"})
        if failure is None:
            got, failure = as_array(got, name, {"case": f"huge {k}"})
        if failure is not None:
            return report(failure, quiet)
        outs.append(got)
    with np.errstate(all="ignore"):
        bad = [k for k, (got, args) in enumerate(zip(outs, cases))
               if got.dtype.kind in "biuf" and not np.all(np.isfinite(got.astype(np.float64)))
               and np.all(np.isfinite(reference(*args)))]
    if not bad:
        return None
    k = bad[0]
    z, got = np.asarray(cases[k][0]), outs[k]
    shown = f"the logits {z.tolist()}"
    if z.ndim == 2 and got.ndim == 2 and got.shape[0] == z.shape[0]:  # the first row gone wrong
        with np.errstate(all="ignore"):
            finite = np.isfinite(got.astype(np.float64)).all(axis=1)
        shown = f"the row {z[int(np.argmin(finite))].tolist()} of a batch"
    shown += describe(cases[k])
    for code, wrong, message in diagnoses:
        try:
            if all(matches(got, wrong(*args)) for got, args in zip(outs, cases)):
                return report(CheckResult(False, f"{name}: NaN or inf for {shown} - "
                                          f"{message}", code, {"case": f"huge {k}"}), quiet)
        except Exception:  # noqa: BLE001 - a formula that does not apply to this answer
            continue
    return report(CheckResult(False, f"{name}: NaN or inf for {shown} - {fallback}",
                              "not_finite", {"case": f"huge {k}"}), quiet)


# ----------------------------------------------------------------------------- test logits
def _moderate_logits():
    rng = np.random.default_rng(6)
    return [
        np.array([2.0, 1.0, 0.1, -1.0]),
        np.round(rng.normal(0, 2, size=(5, 4)), 2),  # a batch: rows are examples
        np.round(rng.normal(0, 3, size=(3, 10)), 2),
    ]


def _huge_logits():
    """Large logits (exp overflows past ~709), and rows whose logits are far APART (as in
    the lesson's [1000, -1000, 0]): only subtracting each row's own maximum survives both."""
    return [
        np.array([1000.0, 999.0, 998.0]),
        np.array([1000.0, -1000.0, 0.0]),
        np.array([[1000.0, 990.0, 1005.0], [-3.0, 0.0, 2.0], [-1000.0, -1001.0, -1003.0],
                  [800.0, -800.0, 0.0]]),
    ]


def _normalise(e):
    return e / e.sum(axis=-1, keepdims=True)


def _naive(z):
    return _normalise(np.exp(z))


def _global_max(z):
    return _normalise(np.exp(z - z.max()))


def _row_min(z):
    return _normalise(np.exp(z - z.min(axis=-1, keepdims=True)))


def _row_mean(z):
    return _normalise(np.exp(z - z.mean(axis=-1, keepdims=True)))


_OVERFLOW_MSG = ("np.exp overflowed: subtract each row's largest logit first, "
                 "z - z.max(axis=-1, keepdims=True), which leaves softmax unchanged")
_GLOBAL_MAX_MSG = ("you subtracted the largest logit of the whole batch, so a row far below "
                   "it underflows to 0/0; subtract each row's own largest: z.max(axis=-1, "
                   "keepdims=True)")
_ROW_MIN_MSG = ("you subtracted each row's SMALLEST logit: for logits far apart such as "
                "[1000, -1000, 0] that leaves e^2000, which overflows. Subtract the LARGEST, "
                "z.max(axis=-1, keepdims=True), so that every exponent is ≤ 0")
_ROW_MEAN_MSG = ("you subtracted each row's mean: for logits far apart such as [1000, -1000, 0] "
                 "the largest stays 1000 above it and e^1000 overflows. Subtract the LARGEST, "
                 "z.max(axis=-1, keepdims=True), so that every exponent is ≤ 0")


def _stability_diagnoses(transform=lambda z, *rest: z):
    """The shifts learners try, applied to ``transform(z, ...)`` (z / T for a temperature)."""
    def on(f):
        return _quietly(lambda z, *rest: f(transform(z, *rest)))

    return [("overflow", on(_naive), _OVERFLOW_MSG),
            ("global_max", on(_global_max), _GLOBAL_MAX_MSG),
            ("row_min", on(_row_min), _ROW_MIN_MSG),
            ("row_mean", on(_row_mean), _ROW_MEAN_MSG)]


def _softmax_hints(scaled):
    """Concept hints for a softmax over the last axis of ``scaled(args)`` (z, or z / T)."""
    def batch(args):
        return np.asarray(args[0]).ndim == 2

    return [
        Hint("wrong_axis", "each COLUMN sums to 1, not each row: you normalised over axis 0, the "
             "batch. Sum over the classes, the last axis: .sum(axis=-1, keepdims=True)",
             lambda got, exp, args: batch(args) and matches(got.sum(axis=0), np.ones(got.shape[1]))
             and not matches(got.sum(axis=-1), np.ones(got.shape[0]))),
        Hint("whole_batch", "the whole batch sums to 1, not each row: you divided by the sum over "
             "every entry; divide each row by its own sum: .sum(axis=-1, keepdims=True)",
             lambda got, exp, args: batch(args) and matches(got.sum(), 1.0)),
        Hint("max_axis0", "you subtracted each column's maximum (z.max(axis=0) broadcasts over the "
             "rows): softmax is then no longer exact. Subtract each ROW's maximum, "
             "z.max(axis=-1, keepdims=True)",
             lambda got, exp, args: batch(args) and matches(
                 got, _normalise(np.exp(scaled(args) - args[0].max(axis=0))))),
        Hint("log_probs", "those are log-probabilities (all ≤ 0): softmax is e^z / Σ e^z itself, "
             "without a log", lambda got, exp, args: matches(got, np.log(exp))),
        Hint("not_normalised", "the values do not add up to 1: divide e^z by the sum of e^z "
             "over the classes",
             lambda got, exp, args: np.all(got >= 0) and not matches(got.sum(-1), np.ones(exp.shape[:-1]))
             and matches(got / got.sum(-1, keepdims=True), exp)),
        Hint("no_exp", "exponentiate first: softmax divides e^{z_i} (not z_i) by the sum of the "
             "e^{z_j}; z / z.sum() can be negative or divide by 0",
             lambda got, exp, args: matches(got, scaled(args) / scaled(args).sum(-1, keepdims=True))),
    ]


_SHAPE_HINTS = [
    Hint("reduced", "softmax gives one probability per CLASS: you returned one number per row "
         "(a sum, a max or the argmax?)", lambda got, exp, args: got.shape == exp.shape[:-1]),
]


def _check(fn, name, ref, cases, huge, hints, diagnoses, fallback, quiet, describe=lambda args: ""):
    """The ladder on moderate cases, then the huge step, then the values on all cases."""
    res = check_function(fn, ref, cases, name=name, threshold=1e-6, check_dtype="kind",
                         shape_hints=_SHAPE_HINTS, hints=hints, quiet=True)
    if not res.ok:
        return report(res, quiet)
    bad = _huge_step(fn, name, huge, ref, diagnoses, fallback, quiet, describe)
    if bad is not None:
        return bad
    return check_function(fn, ref, cases + huge, name=name, threshold=1e-6, check_dtype="kind",
                          shape_hints=_SHAPE_HINTS, hints=hints, quiet=quiet)


def check_softmax(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(z)``: a stable softmax over the last axis of a vector C or a batch N×C."""
    hints = _softmax_hints(lambda args: np.asarray(args[0], dtype=np.float64))
    return _check(fn, "softmax", sm.softmax, [(z,) for z in _moderate_logits()],
                  [(z,) for z in _huge_logits()], hints, _stability_diagnoses(), _OVERFLOW_MSG,
                  quiet)


def check_softmax_temperature(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(z, T)``: softmax(z / T) over the last axis, stable for huge logits."""
    def ref(z, t):
        return sm.softmax(z, temperature=t)

    hints = [
        Hint("multiplied", "you multiplied the logits by T; divide them: softmax(z / T)",
             lambda got, exp, args: matches(got, sm.softmax(args[0] * args[1]))),
        Hint("ignored_T", "the temperature has no effect: divide the logits by T before the exp",
             lambda got, exp, args: matches(got, sm.softmax(args[0]))),
        Hint("divided_probs", "you divided the probabilities by T (they no longer sum to 1); "
             "divide the logits instead: softmax(z / T)",
             lambda got, exp, args: matches(got, sm.softmax(args[0]) / args[1])),
        Hint("power", "that is softmax(z) ** T; divide the logits by T instead",
             lambda got, exp, args: matches(got, sm.softmax(args[0]) ** args[1])),
        Hint("inverted", "you divided T by the logits (T / z); the temperature divides the "
             "logits: softmax(z / T)",
             lambda got, exp, args: matches(got, _quietly(lambda z, t: sm.softmax(t / z))(*args))),
        *_softmax_hints(lambda args: np.asarray(args[0], dtype=np.float64) / args[1]),
    ]
    diagnoses = [
        *_stability_diagnoses(lambda z, t: z / t),
        ("shift_before_T", _quietly(lambda z, t: _normalise(np.exp(z / t - z.max(-1, keepdims=True)))),
         "you subtracted the largest logit of z, but the exp sees z / T: subtract the largest "
         "of s = z / T, s - s.max(axis=-1, keepdims=True)"),
    ]
    cases = [(z, t) for z in _moderate_logits() for t in (0.5, 1.0, 3.0)]
    # [400, 399, 398] / 0.5 overflows unless the shift is taken AFTER dividing by T
    huge = [(z, t) for z in _huge_logits() for t in (0.5, 2.0)] + [(np.array([400.0, 399.0, 398.0]), 0.5)]
    return _check(fn, "softmax with temperature", ref, cases, huge, hints, diagnoses, _OVERFLOW_MSG,
                  quiet, describe=lambda args: f" with T = {args[1]:g}")


def check_log_softmax(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(z)``: log-softmax z_i − log Σ_j e^{z_j} over the last axis, finite for huge gaps."""
    def z_(args):
        return np.asarray(args[0], dtype=np.float64)

    def m_(args):
        return z_(args).max(axis=-1, keepdims=True)

    hints = [
        Hint("sign", "the sign is flipped: log-probabilities are ≤ 0, z - log Σ e^z",
             lambda got, exp, args: matches(got, -exp)),
        Hint("not_log", "these are the probabilities; return their logarithm (log-softmax)",
             lambda got, exp, args: matches(got, np.exp(exp))),
        Hint("missing_lse", "you subtracted only the largest logit; subtract the whole "
             "log Σ_j e^{z_j} (log-sum-exp)",
             lambda got, exp, args: matches(got, z_(args) - m_(args))),
        Hint("missing_m", "you shifted inside the exp but forgot to subtract m outside it: "
             "log Σ e^{z_j} = m + log Σ e^{z_j - m}, so log ŷ = z - m - log Σ e^{z_j - m}",
             lambda got, exp, args: matches(got, exp + m_(args))),
        Hint("sum_of_logs", "you summed the logs: log Σ_j e^{z_j} is the log of the SUM of the "
             "exponentials, not the sum of their logs (which is just Σ z_j)",
             lambda got, exp, args: matches(got, z_(args) - z_(args).sum(-1, keepdims=True))
             or matches(got, z_(args) - m_(args) - (z_(args) - m_(args)).sum(-1, keepdims=True))),
        Hint("log10", "np.log10 is the base-10 logarithm; softmax and its log use the natural "
             "log, np.log", lambda got, exp, args: matches(got, exp / np.log(10)) or matches(
                 got, z_(args) - m_(args) - np.log10(np.exp(z_(args) - m_(args)).sum(-1, keepdims=True)))),
        Hint("epsilon", "a small constant inside the log (log(p + 1e-8) or a clip) hides log(0) "
             "but is wrong where a probability is that small: for [0, -1000, 5] the answer is "
             "about -1005. Compute z - m - log Σ e^{z - m} directly, with no log of a softmax",
             lambda got, exp, args: _with_epsilon(np.log, sm.softmax(z_(args)), got)),
        Hint("wrong_axis", "the log-sum-exp was taken over the wrong axis (the batch): use the "
             "classes, axis=-1 with keepdims=True",
             lambda got, exp, args: z_(args).ndim == 2
             and matches(got, sm.log_softmax(z_(args), axis=0))),
    ]
    log_of_softmax = ("log of softmax: the tiny probability underflowed to 0 and log(0) = -inf; "
                      "compute z - m - log Σ e^{z - m} with m the largest logit instead")
    diagnoses = [
        ("log_of_softmax", _quietly(lambda z: np.log(sm.softmax(z))), log_of_softmax),
        ("overflow", _quietly(lambda z: z - np.log(np.exp(z).sum(-1, keepdims=True))), _OVERFLOW_MSG),
        ("overflow", _quietly(lambda z: np.log(_naive(z))), _OVERFLOW_MSG),
        ("log_of_softmax", _quietly(lambda z: np.log(_row_min(z))), log_of_softmax),
        ("global_max", _quietly(lambda z: z - z.max() - np.log(np.exp(z - z.max()).sum(
            -1, keepdims=True))), "you subtracted the largest logit of the whole batch, so the "
         "exp of a row far below it underflows to 0 and log(0) = -inf; subtract each row's own "
         "largest: m = z.max(axis=-1, keepdims=True)"),
    ]
    huge = [(np.array([0.0, -1000.0, 5.0]),), *[(z,) for z in _huge_logits()]]
    return _check(fn, "log_softmax", sm.log_softmax, [(z,) for z in _moderate_logits()], huge, hints,
                  diagnoses, "look for a log of 0 or an overflowing exp", quiet)
