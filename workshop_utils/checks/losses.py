"""Checkers for notebook 07 (Loss: Cross-Entropy vs. Focal)."""

from __future__ import annotations

import re

import numpy as np

from .. import losses
from .. import softmax as sm
from ._core import (
    CheckResult,
    Hint,
    as_array,
    call_learner,
    check_function,
    is_not_implemented,
    matches,
    report,
)
from .softmax import _huge_step, _with_epsilon

__all__ = ["check_focal_loss", "check_focal_equals_ce", "check_modulating_factor"]


def _batches():
    """(logits N×C, labels, alpha) of a few small batches."""
    rng = np.random.default_rng(7)
    out = []
    for n, c in ((6, 4), (8, 10)):
        z = np.round(rng.normal(0, 2, size=(n, c)), 2)
        y = rng.integers(0, c, size=n)
        out.append((z, y, np.round(rng.uniform(0.25, 2.0, size=c), 2)))
    return out


# wrong versions of focal loss that learners write, to name the mistake
def _logp(z, axis=1):
    return sm.log_softmax(z, axis=axis)


def _focal_from(logp_t, y, g, a):
    """The mean of −α_y (1 − ŷ_t)^γ log ŷ_t given log ŷ_t."""
    return float(np.mean(-a[y] * (1 - np.exp(logp_t)) ** g * logp_t))


def _p_power(z, y, g, a):
    logp = _logp(z)[np.arange(len(y)), y]
    return float(np.mean(-a[y] * np.exp(logp) ** g * logp))


def _all_classes(z, y, g, a):
    logp = _logp(z)
    return float(np.mean(-(a[None, :] * (1 - np.exp(logp)) ** g * logp).sum(1)))


def _one_minus_logp(z, y, g, a):
    logp = _logp(z)[np.arange(len(y)), y]
    return float(np.mean(-a[y] * (1 - logp) ** g * logp))


def _all_rows(z, y, g, a):
    """``logp[:, y]`` (N×N: every example's log-probability of every label) instead of
    ``logp[np.arange(N), y]`` (each example's own)."""
    logp = _logp(z)[:, y]
    return float(np.mean(-a[y] * (1 - np.exp(logp)) ** g * logp))


def _softmax_axis0(z, y, g, a):
    return _focal_from(_logp(z, axis=0)[np.arange(len(y)), y], y, g, a)


def _softmax_t(z, y, g, a):
    """Each example's probability of its true class, ŷ_t."""
    return sm.softmax(z, axis=1)[np.arange(len(y)), y]


def _focal_given_log(log_p_t, p_t, z, y, g, a):
    """The focal loss with ``log ŷ_t`` (and ``ŷ_t``, if not None) computed the learner's way."""
    p_t = _softmax_t(z, y, g, a) if p_t is None else p_t
    return float(np.mean(-a[y] * (1 - p_t) ** g * log_p_t))


def _unsafe(f):
    def g(*args):
        with np.errstate(all="ignore"):
            return f(*args)
    return g


@_unsafe
def _log_of_softmax(z, y, g, a):
    p = sm.softmax(z, axis=1)[np.arange(len(y)), y]
    return float(np.mean(-a[y] * (1 - p) ** g * np.log(p)))


@_unsafe
def _log_of_softmax_onehot(z, y, g, a):
    p = sm.softmax(z, axis=1)
    Y = losses.one_hot(y, z.shape[1])
    return float(np.mean(-(a[None, :] * (1 - p) ** g * Y * np.log(p)).sum(1)))


@_unsafe
def _naive_log(z, y, g, a):
    e = np.exp(z)
    p = (e / e.sum(1, keepdims=True))[np.arange(len(y)), y]
    return float(np.mean(-a[y] * (1 - p) ** g * np.log(p)))


@_unsafe
def _naive_logsoftmax(z, y, g, a):
    logp = (z - np.log(np.exp(z).sum(1, keepdims=True)))[np.arange(len(y)), y]
    return float(np.mean(-a[y] * (1 - np.exp(logp)) ** g * logp))


_XOR = ("^ is Python's bitwise XOR, not a power: write (1 - p) ** gamma (or np.power(1 - p, "
        "gamma))")


def _translate_xor(res: CheckResult, name: str) -> CheckResult:
    """``(1 - p) ^ gamma`` raises numpy's 'bitwise_xor' TypeError: say what ^ is."""
    if not res.ok and res.code == "raised" and "bitwise_xor" in str(res.details.get("error", "")):
        return CheckResult(False, f"{name}: {_XOR}", "xor", res.details)
    return res


def check_focal_loss(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(logits, y, gamma, alpha)``: the mean focal loss −α_t (1 − ŷ_t)^γ log ŷ_t.

    ``logits`` N×C, ``y`` class indices (N,), ``gamma`` a number, ``alpha`` one weight per class.
    """
    name = "focal_loss"

    def ref(z, y, g, a):
        return losses.focal_loss(z, y, g, a)

    def like(wrong):
        return lambda got, exp, args: matches(got, wrong(*args))

    batches = _batches()
    cases = [(z, y, g, a) for z, y, a in batches for g in (0.0, 0.5, 2.0)]
    cases += [(batches[0][0], batches[0][1], 2.0, np.ones(4))]
    shape_hints = [
        Hint("per_example", "that is one loss per example; return their mean over the batch "
             "(a single number)", lambda got, exp, args: got.shape == (len(args[1]),)),
    ]
    hints = [
        Hint("sign", "the sign is flipped: log ŷ ≤ 0, so the loss needs a minus sign to be ≥ 0",
             lambda got, exp, args: matches(got, -exp)),
        Hint("weighted_mean", "you divided by the sum of the weights α_y (as PyTorch's weighted "
             "cross-entropy does); the exercise takes the plain mean over the N examples",
             lambda got, exp, args: matches(got, exp * len(args[1]) / np.sum(args[3][args[1]]))),
        Hint("sum_not_mean", "off by a factor N: take the mean over the batch, not the sum",
             lambda got, exp, args: matches(got, len(args[1]) * exp)),
        Hint("p_power", "you used ŷ^γ; the factor is (1 − ŷ)^γ, small for easy examples "
             "(ŷ near 1)", like(_p_power)),
        Hint("one_minus_logp", "(1 − ŷ_t) needs the probability ŷ_t = e^{log ŷ_t}, not the "
             "log-probability: 1 - np.exp(logp_t)", like(_one_minus_logp)),
        Hint("no_gamma", "γ has no effect: multiply by the modulating factor (1 − ŷ_t)^γ",
             lambda got, exp, args: args[2] != 0 and matches(
                 got, losses.focal_loss(args[0], args[1], 0.0, args[3]))),
        Hint("no_alpha", "α has no effect: multiply each example's loss by the weight of its "
             "true class, alpha[y]", lambda got, exp, args: matches(
                 got, losses.focal_loss(args[0], args[1], args[2], None))),
        Hint("all_classes", "you added the term of every class; y_i is 0 except for the true "
             "class, so only −α_t (1 − ŷ_t)^γ log ŷ_t counts", like(_all_classes)),
        Hint("epsilon", "a small constant inside the log (log(ŷ + 1e-8) or a clip) hides log(0) "
             "but is wrong for the logits of ±10,000, whose log ŷ is about -10,000: take log ŷ "
             "from log-softmax, z - m - log Σ e^{z - m}",
             lambda got, exp, args: any(_with_epsilon(
                 lambda q, f=factor: _focal_given_log(np.log(q), f(q), *args), _softmax_t(*args), got)
                 for factor in (lambda q: None, lambda q: q))),
        Hint("all_rows", "logp[:, y] takes every example's log-probability of EVERY label "
             "(an N×N table); pick each example's own: logp[np.arange(N), y]", like(_all_rows)),
        Hint("softmax_axis", "the log-softmax ran over the batch (axis 0); it normalises each "
             "example's logits: axis=1, keepdims=True", like(_softmax_axis0)),
    ]

    def finish(res):
        res = _translate_xor(res, name)
        n, c = batches[0][0].shape
        shapes = set(re.findall(r"\([\d,\s]*\)", str(res.details.get("error", "")).replace(" ", "")))
        if res.code == "broadcast" and {f"({n},)", f"({c},)"} <= shapes:
            res = CheckResult(False, f"{name}: alpha holds one weight per CLASS ({c} here), the loss "
                              f"one value per EXAMPLE ({n}): pick each example's weight with "
                              "alpha[y]", "alpha_not_indexed", res.details)
        return report(res, quiet)

    res = check_function(fn, ref, cases, name=name, threshold=1e-6, check_dtype="kind",
                         shape_hints=shape_hints, hints=hints, quiet=True)
    if not res.ok:
        return finish(res)
    z = np.array([[1e4, -1e4, 0.0, 5.0], [-1e4, 1e4, 3.0, 0.0], [2.0, 1.0, -1e4, 0.5]])
    y = np.array([0, 0, 1])
    a = np.array([1.0, 0.5, 2.0, 1.0])
    huge = [(z, y, g, a) for g in (0.0, 2.0)]
    # large but close logits: exp overflows without the max, while no probability underflows
    huge.append((np.array([[1000.0, 999.0, 998.0, 997.0], [-1000.0, -999.0, -1001.0, -998.0]]),
                 np.array([1, 2]), 2.0, a))
    log_msg = ("log of softmax: a probability underflowed to 0 and log(0) = -inf; take log ŷ "
               "from log-softmax, z - m - log Σ e^{z - m}")
    overflow_msg = "np.exp overflowed: use log-softmax, which subtracts each row's largest logit first"
    bad = _huge_step(fn, name, huge, ref,
                     [("log_of_softmax", _log_of_softmax, log_msg),
                      ("log_of_softmax", _log_of_softmax_onehot, log_msg),
                      ("overflow", _naive_log, overflow_msg),
                      ("overflow", _naive_logsoftmax, overflow_msg)],
                     "for logits of ±10,000 use log-softmax (not the log of a softmax)", True)
    if bad is not None:
        return finish(bad)
    return finish(check_function(fn, ref, cases + huge, name=name, threshold=1e-6, check_dtype="kind",
                                 shape_hints=shape_hints, hints=hints, quiet=True))


def _show(value) -> str:
    """One short line showing a learner's value."""
    try:
        text = " ".join(repr(value).split())
    except Exception:  # noqa: BLE001 - an object that cannot even be shown
        return f"a {type(value).__name__}"
    return text if len(text) <= 60 else text[:57] + "..."


def check_focal_equals_ce(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(n_classes) -> (gamma, alpha)``: the settings that make focal loss cross-entropy."""
    name = "focal = cross-entropy"
    worst = 0.0
    for k, (z, y, _) in enumerate(_batches()):
        c = z.shape[1]
        case = {"case": k, "n_classes": c}
        out, failure = call_learner(fn, (c,), name, case)
        if failure is not None:
            return report(failure, quiet)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            return report(CheckResult(False, f"{name}: return two things, `return gamma, alpha`; got "
                                      f"{_show(out)}", "not_pair", case), quiet)
        if any(is_not_implemented(v) for v in out):
            return report(CheckResult(False, f"{name}: not implemented yet (it returned "
                                      f"{_show(tuple(out))}) - replace each None by your value of "
                                      "gamma and alpha", "not_implemented", case), quiet)
        g, failure = as_array(out[0], f"{name}: gamma", case)
        if failure is None:
            a, failure = as_array(out[1], f"{name}: alpha", case)
        if failure is not None:
            return report(failure, quiet)
        if g.shape == (c,) and a.size == 1:
            return report(CheckResult(False, f"{name}: gamma and alpha are swapped: return gamma "
                                      "(one number) first, then alpha (one weight per class)",
                                      "swapped", case), quiet)
        if g.shape not in ((), (1,)):
            return report(CheckResult(False, f"{name}: gamma is ONE number, the exponent of "
                                      f"(1 − ŷ)^γ; got shape {g.shape}", "gamma_shape", case), quiet)
        if a.shape not in ((), (c,)):
            return report(CheckResult(False, f"{name}: alpha should be one weight per class "
                                      f"({c} here) or one number; got shape {a.shape}",
                                      "alpha_shape", case), quiet)
        try:
            with np.errstate(all="ignore"):
                gamma, a = float(g.reshape(())), a.astype(np.float64)
        except (TypeError, ValueError):
            return report(CheckResult(False, f"{name}: gamma and alpha should be numbers; got "
                                      f"{_show(tuple(out))}", "not_numbers", case), quiet)
        if not np.isfinite(gamma) or gamma < 0:
            return report(CheckResult(False, f"{name}: γ = {gamma} - the exponent γ is a number "
                                      "≥ 0", "gamma_negative", case), quiet)
        if not np.all(np.isfinite(a)) or np.any(a < 0):
            return report(CheckResult(False, f"{name}: α = {np.round(a, 3).tolist()} - class weights "
                                      "are finite and ≥ 0", "alpha_negative", case), quiet)
        try:
            got = float(losses.focal_loss(z, y, gamma, a))
        except (TypeError, ValueError) as exc:  # the library's own check of gamma and alpha
            return report(CheckResult(False, f"{name}: focal loss cannot use these settings: {exc}",
                                      "not_numbers", case), quiet)
        expected = losses.cross_entropy(z, y)
        err = abs(got - expected) / max(abs(expected), 1e-12)
        worst = max(worst, err)
        if err <= 1e-9:
            continue
        if np.all(a == 0):
            return report(CheckResult(False, f"{name}: α = 0 switches the loss off (it is 0 for "
                                      "every example); which α leaves each term as it is?",
                                      "alpha_zero", case), quiet)
        if gamma != 0:
            return report(CheckResult(
                False, f"{name}: with γ = {gamma:g} the factor (1 − ŷ)^γ still shrinks the loss of "
                f"easy examples (focal {got:.4f} vs cross-entropy {expected:.4f}); which γ makes "
                "(1 − ŷ)^γ = 1 for every ŷ?", "gamma", case), quiet)
        if np.allclose(a, 1.0 / c):
            return report(CheckResult(
                False, f"{name}: γ is right, but α = 1/{c} for every class scales the whole loss "
                f"by 1/{c}: cross-entropy weighs each class by 1, not by weights that sum to 1",
                "alpha_sums_to_one", case), quiet)
        if np.allclose(a, a.flat[0]):
            return report(CheckResult(
                False, f"{name}: γ is right, but α = {a.flat[0]:g} for every class scales the whole "
                f"loss by {a.flat[0]:g}; cross-entropy weighs each class by exactly 1",
                "alpha_uniform", case), quiet)
        return report(CheckResult(
            False, f"{name}: γ is right, but α = {np.round(a, 3).tolist()} re-weights the classes; "
            "cross-entropy weights every class the same, by 1", "alpha", case), quiet)
    return report(CheckResult(True, f"{name}: γ = 0 and α = 1 give exactly cross-entropy on "
                              f"{len(_batches())} batches (max relative error {worst:.1e})",
                              "ok", {"rel_error": worst}), quiet)


def check_modulating_factor(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(p, gamma)``: the modulating factor (1 − p)^γ for probabilities p."""
    name = "modulating_factor"
    p = np.array([0.01, 0.1, 0.25, 0.5, 0.6, 0.75, 0.9, 0.99, 1.0])
    cases = [(p, g) for g in (2.0, 0.5, 5.0, 1.0, 0.0)]

    def like(wrong):
        return lambda got, exp, args: matches(got, wrong(*args))

    hints = [
        Hint("p_power", "that is p^γ: it is largest for easy examples; the factor is (1 − p)^γ",
             like(lambda p, g: p ** g)),
        Hint("one_minus_p_power", "that is 1 − p^γ; raise (1 − p), in brackets, to the power γ",
             like(lambda p, g: 1 - p ** g)),
        Hint("times_gamma", "you multiplied by γ; raise (1 − p) to the power γ: (1 - p) ** gamma",
             like(lambda p, g: (1 - p) * g)),
        Hint("ignored_gamma", "γ has no effect: that is 1 − p; raise it to the power γ",
             like(lambda p, g: 1 - p)),
        Hint("fixed_gamma", "that is (1 − p)² whatever γ is: use the argument gamma as the "
             "exponent, not a fixed 2", like(lambda p, g: (1 - p) ** 2)),
        Hint("p_minus_one", "you wrote (p − 1)^γ: its base is negative, so a γ such as 0.5 gives "
             "NaN; the base is (1 − p)", like(lambda p, g: (p - 1) ** g)),
        Hint("swapped_power", "that is γ^(1 − p): the base is (1 − p) and γ the exponent, "
             "(1 - p) ** gamma", like(lambda p, g: g ** (1 - p))),
        Hint("with_log", "return only the factor (1 − p)^γ, without −log p",
             like(lambda p, g: -(1 - p) ** g * np.log(p))),
        Hint("ce_term", "that is −log p, the cross-entropy term; the modulating factor that "
             "multiplies it is (1 − p)^γ", like(lambda p, g: -np.log(p))),
    ]
    res = check_function(fn, losses.modulating_factor, cases, name=name, threshold=1e-6,
                         check_dtype="kind", hints=hints, quiet=True)
    return report(_translate_xor(res, name), quiet)
