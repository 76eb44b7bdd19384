"""Checkers for notebook 07 (Loss: Cross-Entropy vs. Focal)."""

from __future__ import annotations

import numbers

import numpy as np

from .. import losses
from .. import softmax as sm
from ._core import CheckResult, Hint, check_function, is_not_implemented, rel_error
from .softmax import _overflow_step

__all__ = ["check_focal_loss", "check_focal_equals_ce", "check_modulating_factor"]


def _finish(res: CheckResult, quiet: bool) -> CheckResult:
    if not quiet:
        print(str(res))
    return res


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
def _logp(z):
    return sm.log_softmax(z, axis=1)


def _p_power(z, y, g, a):
    logp = _logp(z)[np.arange(len(y)), y]
    return float(np.mean(-a[y] * np.exp(logp) ** g * logp))


def _all_classes(z, y, g, a):
    logp = _logp(z)
    return float(np.mean(-(a[None, :] * (1 - np.exp(logp)) ** g * logp).sum(1)))


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


def check_focal_loss(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(logits, y, gamma, alpha)``: the mean focal loss −α_t (1 − ŷ_t)^γ log ŷ_t.

    ``logits`` N×C, ``y`` class indices (N,), ``gamma`` a number, ``alpha`` one weight per class.
    """
    def ref(z, y, g, a):
        return losses.focal_loss(z, y, g, a)

    cases = [(z, y, g, a) for z, y, a in _batches() for g in (0.0, 0.5, 2.0)]
    cases += [(_batches()[0][0], _batches()[0][1], 2.0, np.ones(4))]
    shape_hints = [
        Hint("per_example", "that is one loss per example; return their mean over the batch "
             "(a single number)", lambda got, exp, args: got.shape == (len(args[1]),)),
    ]
    hints = [
        Hint("sign", "the sign is flipped: log ŷ ≤ 0, so the loss needs a minus sign to be ≥ 0",
             lambda got, exp, args: np.allclose(got, -exp, rtol=1e-6)),
        Hint("sum_not_mean", "off by a factor N: take the mean over the batch, not the sum",
             lambda got, exp, args: np.allclose(got, len(args[1]) * exp, rtol=1e-6)),
        Hint("p_power", "you used ŷ^γ; the factor is (1 − ŷ)^γ, small for easy examples "
             "(ŷ near 1)", lambda got, exp, args: np.allclose(got, _p_power(*args), rtol=1e-6)),
        Hint("no_gamma", "γ has no effect: multiply by the modulating factor (1 − ŷ_t)^γ",
             lambda got, exp, args: args[2] != 0 and np.allclose(
                 got, losses.focal_loss(args[0], args[1], 0.0, args[3]), rtol=1e-6)),
        Hint("no_alpha", "α has no effect: multiply each example's loss by the weight of its "
             "true class, alpha[y]", lambda got, exp, args: np.allclose(
                 got, losses.focal_loss(args[0], args[1], args[2], None), rtol=1e-6)),
        Hint("all_classes", "you added the term of every class; y_i is 0 except for the true "
             "class, so only −α_t (1 − ŷ_t)^γ log ŷ_t counts",
             lambda got, exp, args: np.allclose(got, _all_classes(*args), rtol=1e-6)),
    ]
    res = check_function(fn, ref, cases, name="focal_loss", threshold=1e-6, check_dtype="kind",
                         shape_hints=shape_hints, hints=hints, quiet=True)
    if not res.ok:
        return _finish(res, quiet)
    z = np.array([[1e4, -1e4, 0.0, 5.0], [-1e4, 1e4, 3.0, 0.0], [2.0, 1.0, -1e4, 0.5]])
    y = np.array([0, 0, 1])
    a = np.array([1.0, 0.5, 2.0, 1.0])
    huge = [(z, y, g, a) for g in (0.0, 2.0)]
    log_msg = ("log of softmax: a probability underflowed to 0 and log(0) = -inf; take log ŷ "
               "from log-softmax, z - m - log Σ e^{z - m}")
    bad = _overflow_step(fn, "focal_loss", huge, ref,
                         [("log_of_softmax", _log_of_softmax, log_msg),
                          ("log_of_softmax", _log_of_softmax_onehot, log_msg),
                          ("overflow", _naive_log, "np.exp overflowed: use log-softmax, which "
                           "subtracts the largest logit first")],
                         "for logits of ±10,000 use log-softmax (not the log of a softmax)", quiet)
    if bad is not None:
        return bad
    return check_function(fn, ref, cases + huge, name="focal_loss", threshold=1e-6,
                          check_dtype="kind", shape_hints=shape_hints, hints=hints, quiet=quiet)


def check_focal_equals_ce(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(n_classes) -> (gamma, alpha)``: the settings that make focal loss cross-entropy."""
    name = "focal = cross-entropy"
    if not callable(fn):
        return _finish(CheckResult(False, f"{name}: expected a function, got {type(fn).__name__}",
                                   "not_callable"), quiet)
    worst = 0.0
    for k, (z, y, _) in enumerate(_batches()):
        c = z.shape[1]
        try:
            out = fn(c)
        except Exception as exc:  # noqa: BLE001 - the learner's error is the message
            return _finish(CheckResult(False, f"{name}: raised {type(exc).__name__}: {exc}",
                                       "raised", {"case": k}), quiet)
        if is_not_implemented(out) or (isinstance(out, tuple)
                                       and any(is_not_implemented(v) for v in out)):
            return _finish(CheckResult(False, f"{name}: not implemented yet (it returned {out!r})"
                                       " - fill in gamma and alpha", "not_implemented"), quiet)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            return _finish(CheckResult(False, f"{name}: return two things, gamma, alpha; got "
                                       f"{out!r}", "shape"), quiet)
        gamma, alpha = out
        if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real):
            return _finish(CheckResult(False, f"{name}: gamma should be a number; got {gamma!r}",
                                       "dtype"), quiet)
        a = np.asarray(alpha, dtype=np.float64)
        if a.shape not in ((), (c,)):
            return _finish(CheckResult(False, f"{name}: alpha should be one weight per class "
                                       f"({c} here) or one number; got shape {a.shape}",
                                       "alpha_shape", {"case": k}), quiet)
        if gamma < 0:
            return _finish(CheckResult(False, f"{name}: γ = {gamma} is negative; γ ≥ 0",
                                       "gamma", {"case": k}), quiet)
        got = losses.focal_loss(z, y, float(gamma), a)
        expected = losses.cross_entropy(z, y)
        err = rel_error(got, expected)
        worst = max(worst, err)
        if err > 1e-9:
            if np.all(a == 0):
                return _finish(CheckResult(False, f"{name}: α = 0 switches the loss off (it is "
                                           "0 for every example); which α leaves each term as "
                                           "it is?", "alpha_zero", {"case": k}), quiet)
            if gamma != 0:
                return _finish(CheckResult(
                    False, f"{name}: with γ = {gamma:g} the factor (1 − ŷ)^γ still shrinks the "
                    "loss of easy examples (focal {got:.4f} vs cross-entropy {expected:.4f}); "
                    "which γ makes (1 − ŷ)^γ = 1 for every ŷ?".format(got=got, expected=expected),
                    "gamma", {"case": k}), quiet)
            return _finish(CheckResult(
                False, f"{name}: γ is right, but α = {np.round(a, 3).tolist()} re-weights the "
                "classes; cross-entropy weights every class the same, by 1", "alpha",
                {"case": k}), quiet)
    return _finish(CheckResult(True, f"{name}: γ = 0 and α = 1 give exactly cross-entropy on "
                               f"{len(_batches())} batches (max relative error {worst:.1e})",
                               "ok", {"rel_error": worst}), quiet)


def check_modulating_factor(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(p, gamma)``: the modulating factor (1 − p)^γ for probabilities p."""
    p = np.array([0.01, 0.1, 0.25, 0.5, 0.6, 0.75, 0.9, 0.99, 1.0])
    cases = [(p, g) for g in (2.0, 0.5, 5.0, 1.0, 0.0)]
    hints = [
        Hint("p_power", "that is p^γ: it is largest for easy examples; the factor is (1 − p)^γ",
             lambda got, exp, args: np.allclose(got, args[0] ** args[1])),
        Hint("one_minus_p_power", "that is 1 − p^γ; raise (1 − p), in brackets, to the power γ",
             lambda got, exp, args: np.allclose(got, 1 - args[0] ** args[1])),
        Hint("times_gamma", "you multiplied by γ; raise (1 − p) to the power γ: (1 - p) ** gamma",
             lambda got, exp, args: np.allclose(got, (1 - args[0]) * args[1])),
        Hint("with_log", "return only the factor (1 − p)^γ, without −log p",
             lambda got, exp, args: np.allclose(got, -(1 - args[0]) ** args[1]
                                                * np.log(args[0]))),
    ]
    return check_function(fn, losses.modulating_factor, cases, name="modulating_factor",
                          threshold=1e-6, check_dtype="kind", hints=hints, quiet=quiet)
