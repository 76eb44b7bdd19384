"""Checkers for notebook 04 (Activation functions): f and f' for ReLU, sigmoid and tanh."""

from __future__ import annotations

import warnings

import numpy as np

from .. import activations as act
from ._core import CheckResult, Hint, _finish, _to_numpy, check_function

__all__ = ["check_relu", "check_sigmoid", "check_tanh", "check_relu_grad", "check_sigmoid_grad",
           "check_tanh_grad"]

EXTREMES = np.array([-1000.0, -100.0, 0.0, 100.0, 1000.0])


def _cases():
    rng = np.random.default_rng(4)
    return [
        (np.linspace(-6.0, 6.0, 25),),  # contains 0 exactly
        (rng.normal(scale=3.0, size=(4, 7)),),
        (np.array([-2.5, -0.1, 0.0, 0.1, 2.5], dtype=np.float32),),
    ]


def _stable(result: CheckResult, fn, name: str, reference, quiet: bool) -> CheckResult:
    """After the values pass: the function must also stay finite, without overflow, at ±1000."""
    if not result.ok:
        return result
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            got = _to_numpy(fn(EXTREMES.copy())).astype(np.float64)
        except Exception as exc:  # noqa: BLE001 - the learner's error is the message
            return _finish(CheckResult(False, f"{name} raised {type(exc).__name__} for "
                                       f"x = ±1000: {exc}", "raised"), quiet)
    overflow = [w for w in caught if "overflow" in str(w.message)]

    def show(a):
        return np.array2string(np.asarray(a), precision=3, max_line_width=400)

    if not np.all(np.isfinite(got)):
        return _finish(CheckResult(
            False, f"{name} gives {show(got)} for x = {show(EXTREMES)}: e^1000 overflows to inf and inf/inf "
            "is NaN - compute only e^(−|x|), which is at most 1", "overflow_nan"), quiet)
    if overflow:
        return _finish(CheckResult(
            False, f"{name}: right values, but exp overflowed on the way (\"{overflow[0].message}\") "
            "for x = ±1000 - rewrite it so that only e^(−|x|) is computed, e.g. with np.where "
            "for x ≥ 0 and x < 0", "overflow_warning"), quiet)
    if np.max(np.abs(got - reference(EXTREMES))) > 1e-12:
        return _finish(CheckResult(False, f"{name}: wrong values for large |x| ({show(got)} for "
                                   f"x = {show(EXTREMES)})", "extremes"), quiet)
    return _finish(CheckResult(True, result.message + "; finite and warning-free at x = ±1000",
                               "ok", result.details), quiet)


def check_relu(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x)`` = max(0, x) element-wise."""
    hints = [
        Hint("min_instead_of_max", "you kept the negative part: ReLU is max(0, x), not min",
             lambda got, exp, args: np.allclose(got, np.minimum(args[0], 0))),
        Hint("abs", "that is |x|; ReLU sets negative inputs to 0 instead of flipping them",
             lambda got, exp, args: np.allclose(got, np.abs(args[0]))),
        Hint("step", "that is the derivative (1 where x > 0); ReLU keeps the value x itself",
             lambda got, exp, args: np.allclose(got, args[0] > 0)),
    ]
    return check_function(fn, act.relu, _cases(), name="relu", threshold=1e-12,
                          check_dtype="kind", hints=hints, quiet=quiet)


def check_sigmoid(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x)`` = 1 / (1 + e^(−x)), and that it stays finite without overflow at ±1000."""
    def sig(x):
        return act.sigmoid(np.asarray(x, dtype=np.float64))

    hints = [
        Hint("sign", "you computed 1/(1 + e^x) = σ(−x): the exponent is −x",
             lambda got, exp, args: np.allclose(got, 1 - sig(args[0]), atol=1e-6)),
        Hint("no_one", "the 1 in the denominator is missing: σ(x) = 1 / (1 + e^(−x))",
             lambda got, exp, args: np.allclose(got, np.exp(np.asarray(args[0], float)),
                                                rtol=1e-6)),
        Hint("tanh", "that is tanh; the sigmoid goes from 0 to 1, σ(x) = 1 / (1 + e^(−x))",
             lambda got, exp, args: np.allclose(got, np.tanh(args[0]), atol=1e-6)),
    ]
    res = check_function(fn, act.sigmoid, _cases(), name="sigmoid", threshold=1e-6,
                         check_dtype="kind", hints=hints, quiet=True)
    res = _stable(res, fn, "sigmoid", sig, quiet=True)
    return _finish(res, quiet)


def check_tanh(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x)`` = (e^x − e^(−x)) / (e^x + e^(−x)), finite without overflow at ±1000."""
    def th(x):
        return act.tanh(np.asarray(x, dtype=np.float64))

    hints = [
        Hint("sigmoid", "that is the sigmoid (0 to 1); tanh goes from −1 to 1: tanh(x) = "
             "2σ(2x) − 1", lambda got, exp, args: np.allclose(got, act.sigmoid(args[0]), atol=1e-6)),
        Hint("sign_flipped", "the sign is flipped: the numerator is e^x − e^(−x)",
             lambda got, exp, args: np.allclose(got, -exp, atol=1e-6)),
        Hint("plus_in_numerator", "the numerator should be a difference, e^x − e^(−x)",
             lambda got, exp, args: np.allclose(got, np.ones_like(exp), atol=1e-6)),
    ]
    res = check_function(fn, act.tanh, _cases(), name="tanh", threshold=1e-6,
                         check_dtype="kind", hints=hints, quiet=True)
    res = _stable(res, fn, "tanh", th, quiet=True)
    return _finish(res, quiet)


def check_relu_grad(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x)`` = ReLU′(x): 1 where x > 0, else 0 (also 0 at x = 0, as PyTorch)."""
    hints = [
        Hint("relu_itself", "that is ReLU itself; its derivative is 1 where x > 0 and 0 elsewhere",
             lambda got, exp, args: np.allclose(got, np.maximum(args[0], 0))),
        Hint("at_zero", "only x = 0 is wrong: use 0 there (x > 0, not x ≥ 0), as PyTorch does",
             lambda got, exp, args: np.allclose(got, args[0] >= 0)),
    ]
    return check_function(fn, act.relu_grad, _cases(), name="relu_grad", threshold=1e-12,
                          check_dtype="kind", hints=hints, quiet=quiet)


def check_sigmoid_grad(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x)`` = σ′(x) = σ(x)(1 − σ(x))."""
    hints = [
        Hint("sigmoid_itself", "that is σ(x) itself; its derivative is σ(x)·(1 − σ(x))",
             lambda got, exp, args: np.allclose(got, act.sigmoid(args[0]), atol=1e-6)),
        Hint("on_x", "you applied s(1 − s) to x; apply it to s = σ(x)",
             lambda got, exp, args: np.allclose(got, args[0] * (1 - args[0]), rtol=1e-5)),
        Hint("missing_factor", "a factor is missing: σ′(x) = σ(x)·(1 − σ(x)), both factors",
             lambda got, exp, args: np.allclose(got, 1 - act.sigmoid(args[0]), atol=1e-6)),
    ]
    return check_function(fn, act.sigmoid_grad, _cases(), name="sigmoid_grad", threshold=1e-6,
                          check_dtype="kind", hints=hints, quiet=quiet)


def check_tanh_grad(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x)`` = tanh′(x) = 1 − tanh²(x)."""
    hints = [
        Hint("one_minus_x_squared", "you used 1 − x²; the derivative is 1 − tanh(x)²",
             lambda got, exp, args: np.allclose(got, 1 - np.asarray(args[0]) ** 2, rtol=1e-5)),
        Hint("not_squared", "square the tanh: 1 − tanh(x)², not 1 − tanh(x)",
             lambda got, exp, args: np.allclose(got, 1 - np.tanh(args[0]), atol=1e-6)),
        Hint("tanh_itself", "that is tanh itself; its derivative is 1 − tanh(x)²",
             lambda got, exp, args: np.allclose(got, np.tanh(args[0]), atol=1e-6)),
    ]
    return check_function(fn, act.tanh_grad, _cases(), name="tanh_grad", threshold=1e-6,
                          check_dtype="kind", hints=hints, quiet=quiet)
