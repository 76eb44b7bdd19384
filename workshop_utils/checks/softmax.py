"""Checkers for notebook 06 (Softmax → Class Probabilities).

Each checker first runs the ordinary ladder (not implemented → raised → shape → dtype →
values → hints) on moderate logits, then tries huge logits, where a softmax that does
not subtract the maximum overflows, and names that mistake.
"""

from __future__ import annotations

import numpy as np

from .. import softmax as sm
from ._core import CheckResult, Hint, check_function

__all__ = ["check_softmax", "check_softmax_temperature", "check_log_softmax"]


def _moderate_logits():
    rng = np.random.default_rng(6)
    return [
        np.array([2.0, 1.0, 0.1, -1.0]),
        np.round(rng.normal(0, 2, size=(5, 4)), 2),  # a batch: rows are examples
        np.round(rng.normal(0, 3, size=(3, 10)), 2),
    ]


def _huge_logits():
    return [
        np.array([1000.0, 999.0, 998.0]),
        np.array([[1000.0, 990.0, 1005.0], [-3.0, 0.0, 2.0], [-1000.0, -1001.0, -1003.0]]),
    ]


def _silent(fn, *args):
    """Run ``fn`` with numpy's overflow warnings silenced (the checker reports them)."""
    with np.errstate(all="ignore"):
        return fn(*args)


def _rows(f):
    """Apply a per-row formula with the softmax axis last."""
    def g(z, *rest):
        with np.errstate(all="ignore"):
            return f(np.asarray(z, dtype=np.float64), *rest)
    return g


def _naive(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _global_max(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


def _same(got, expected_like):
    """Equal up to rounding, treating NaN and inf in the same places as equal."""
    got = np.asarray(got, dtype=np.float64)
    exp = np.asarray(expected_like, dtype=np.float64)
    return got.shape == exp.shape and np.allclose(got, exp, rtol=1e-6, atol=1e-9, equal_nan=True)


def _overflow_step(fn, name, cases, reference, diagnoses, fallback, quiet):
    """Run ``fn`` on huge logits; if it gives NaN/inf where the reference does not, name why."""
    for k, args in enumerate(cases):
        try:
            got = _silent(fn, *(a.copy() if hasattr(a, "copy") else a for a in args))
        except Exception as exc:  # noqa: BLE001 - the learner's error is the message
            res = CheckResult(False, f"{name} raised {type(exc).__name__}: {exc} on huge logits "
                              f"{args[0].tolist()}", "raised", {"case": k})
            break
        got = np.asarray(got, dtype=np.float64) if got is not None else None
        if got is None or np.all(np.isfinite(got)):
            continue
        expected = reference(*args)
        if not np.all(np.isfinite(expected)):  # pragma: no cover - references stay finite
            continue
        for code, wrong, message in diagnoses:
            if _same(got, wrong(*args)):
                res = CheckResult(False, f"{name}: NaN or inf for the logits {args[0].tolist()} - "
                                  f"{message}", code, {"case": k})
                break
        else:
            res = CheckResult(False, f"{name}: NaN or inf for the logits {args[0].tolist()} - "
                              f"{fallback}", "not_finite", {"case": k})
        break
    else:
        return None
    if not quiet:
        print(str(res))
    return res


_OVERFLOW_MSG = ("np.exp overflowed: subtract the largest logit first, "
                 "z - z.max(axis=-1, keepdims=True), which leaves softmax unchanged")
_GLOBAL_MAX_MSG = ("you subtracted the largest logit of the whole batch; subtract each row's "
                   "own largest: z.max(axis=-1, keepdims=True)")


def _softmax_hints(ref):
    return [
        Hint("wrong_axis", "rows do not sum to 1: softmax over the wrong axis? Sum over the "
             "classes, the last axis: .sum(axis=-1, keepdims=True)",
             lambda got, exp, args: np.asarray(args[0]).ndim == 2
             and np.allclose(got, ref(args[0], 0), atol=1e-6)),
        Hint("whole_batch", "you divided by the sum over the whole batch; divide each row by its "
             "own sum: .sum(axis=-1, keepdims=True)",
             lambda got, exp, args: np.allclose(got.sum(), 1.0, atol=1e-6) and got.ndim == 2),
        Hint("not_normalised", "the values do not add up to 1: divide e^z by the sum of e^z",
             lambda got, exp, args: np.all(got >= 0) and not np.allclose(got.sum(-1), 1.0)
             and np.allclose(got / got.sum(-1, keepdims=True), exp, atol=1e-6)),
        Hint("no_exp", "exponentiate first: softmax divides e^{z_i} (not z_i) by the sum",
             lambda got, exp, args: np.allclose(
                 got, _silent(lambda z: z / z.sum(-1, keepdims=True), args[0]), atol=1e-6,
                 equal_nan=True)),
    ]


def check_softmax(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(z)``: a stable softmax over the last axis of a vector C or a batch N×C."""
    ref = sm.softmax
    cases = [(z,) for z in _moderate_logits()]
    res = check_function(fn, ref, cases, name="softmax", threshold=1e-6, check_dtype="kind",
                         hints=_softmax_hints(lambda z, ax=-1: sm.softmax(z, axis=ax)), quiet=True)
    if not res.ok:
        if not quiet:
            print(str(res))
        return res
    huge = [(z,) for z in _huge_logits()]
    bad = _overflow_step(fn, "softmax", huge, ref,
                         [("overflow", _rows(_naive), _OVERFLOW_MSG),
                          ("global_max", _rows(_global_max), _GLOBAL_MAX_MSG)],
                         _OVERFLOW_MSG, quiet)
    if bad is not None:
        return bad
    return check_function(fn, ref, cases + huge, name="softmax", threshold=1e-6,
                          check_dtype="kind", hints=_softmax_hints(
                              lambda z, ax=-1: sm.softmax(z, axis=ax)), quiet=quiet)


def check_softmax_temperature(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(z, T)``: softmax(z / T) over the last axis, stable for huge logits."""
    def ref(z, t):
        return sm.softmax(z, temperature=t)

    cases = [(z, t) for z in _moderate_logits() for t in (0.5, 1.0, 3.0)]
    hints = [
        Hint("multiplied", "you multiplied the logits by T; divide them: softmax(z / T)",
             lambda got, exp, args: np.allclose(got, sm.softmax(args[0] * args[1]), atol=1e-6)),
        Hint("ignored_T", "the temperature has no effect: divide the logits by T before softmax",
             lambda got, exp, args: np.allclose(got, sm.softmax(args[0]), atol=1e-6)),
        Hint("divided_probs", "you divided the probabilities by T (they no longer sum to 1); "
             "divide the logits instead",
             lambda got, exp, args: np.allclose(got, sm.softmax(args[0]) / args[1], atol=1e-6)),
        Hint("power", "that is softmax(z) ** T; divide the logits by T instead",
             lambda got, exp, args: np.allclose(got, sm.softmax(args[0]) ** args[1], atol=1e-6)),
        *_softmax_hints(lambda z, ax=-1: sm.softmax(z, axis=ax)),
    ]
    res = check_function(fn, ref, cases, name="softmax with temperature", threshold=1e-6,
                         check_dtype="kind", hints=hints, quiet=True)
    if not res.ok:
        if not quiet:
            print(str(res))
        return res
    huge = [(z, t) for z in _huge_logits() for t in (0.5, 2.0)]
    bad = _overflow_step(fn, "softmax with temperature", huge, ref,
                         [("overflow", _rows(lambda z, t: _naive(z / t)), _OVERFLOW_MSG),
                          ("global_max", _rows(lambda z, t: _global_max(z / t)), _GLOBAL_MAX_MSG)],
                         _OVERFLOW_MSG, quiet)
    if bad is not None:
        return bad
    return check_function(fn, ref, cases + huge, name="softmax with temperature",
                          threshold=1e-6, check_dtype="kind", hints=hints, quiet=quiet)


def check_log_softmax(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(z)``: log-softmax z_i − log Σ_j e^{z_j} over the last axis, finite for huge gaps."""
    ref = sm.log_softmax
    cases = [(z,) for z in _moderate_logits()]
    hints = [
        Hint("sign", "the sign is flipped: log-probabilities are ≤ 0",
             lambda got, exp, args: np.allclose(got, -exp, atol=1e-6)),
        Hint("not_log", "these are probabilities; return their logarithm (log-softmax)",
             lambda got, exp, args: np.allclose(got, np.exp(exp), atol=1e-6)),
        Hint("missing_lse", "you subtracted only the largest logit; subtract the whole "
             "log Σ_j e^{z_j} (log-sum-exp)",
             lambda got, exp, args: np.allclose(got, args[0] - args[0].max(-1, keepdims=True),
                                                atol=1e-6)),
        Hint("wrong_axis", "the log-sum-exp was taken over the wrong axis: use the classes, "
             "axis=-1 with keepdims=True",
             lambda got, exp, args: np.asarray(args[0]).ndim == 2
             and np.allclose(got, sm.log_softmax(args[0], axis=0), atol=1e-6)),
    ]
    res = check_function(fn, ref, cases, name="log_softmax", threshold=1e-6, check_dtype="kind",
                         hints=hints, quiet=True)
    if not res.ok:
        if not quiet:
            print(str(res))
        return res
    huge = [(np.array([0.0, -1000.0, 5.0]),), *[(z,) for z in _huge_logits()]]
    log_of_softmax = "log of softmax: the tiny probability underflowed to 0 and log(0) = -inf; " \
        "compute z - m - log Σ e^{z - m} with m the largest logit instead"
    bad = _overflow_step(fn, "log_softmax", huge, ref,
                         [("log_of_softmax", _rows(lambda z: np.log(sm.softmax(z))), log_of_softmax),
                          ("overflow", _rows(lambda z: z - np.log(np.exp(z).sum(-1, keepdims=True))),
                           _OVERFLOW_MSG),
                          ("overflow", _rows(lambda z: np.log(_naive(z))), _OVERFLOW_MSG)],
                         "look for a log of 0 or an overflowing exp", quiet)
    if bad is not None:
        return bad
    return check_function(fn, ref, cases + huge, name="log_softmax", threshold=1e-6,
                          check_dtype="kind", hints=hints, quiet=quiet)
