"""Checkers for notebook 04 (Activation functions): f and f' for ReLU, sigmoid and tanh.

Every call of a learner's function goes through :func:`call_learner` and every answer
through :func:`as_array`; each checker prints its one line with :func:`report`. Sigmoid
and tanh must also stay finite, without any overflow, at x = ±1000: numpy's overflow is
watched while the learner's function runs (call_learner silences numpy's warnings, so
the watch is set inside it), and an ``np.where`` that still overflows is named as such.
"""

from __future__ import annotations

import numpy as np

from .. import activations as act
from ._core import CheckResult, Hint, as_array, call_learner, check_function, matches, report

__all__ = ["check_relu", "check_sigmoid", "check_tanh", "check_relu_grad", "check_sigmoid_grad",
           "check_tanh_grad"]

EXTREMES = np.array([-1000.0, -100.0, 0.0, 100.0, 1000.0])


def _cases():
    rng = np.random.default_rng(4)
    return [
        (np.linspace(-6.0, 6.0, 25),),  # 1-D, contains 0 exactly
        (rng.normal(scale=3.0, size=(4, 7)),),  # 2-D: a loop over x visits rows here
        (np.array([-2.5, -0.1, 0.0, 0.1, 2.5], dtype=np.float32),),
    ]


def _f(x):
    return np.asarray(x, dtype=np.float64)


def _sig(x):
    return act.sigmoid(_f(x))


def _names(fn) -> set:
    """The global and attribute names ``fn``'s code uses (nested functions and lambdas too)."""
    names, stack = set(), [getattr(fn, "__code__", None)]
    while stack:
        code = stack.pop()
        if code is None:
            continue
        names |= set(code.co_names)
        stack += [c for c in code.co_consts if hasattr(c, "co_names")]
    return names


# ----------------------------------------------------------------------------- errors of this lesson
def _translate(res: CheckResult, fn, name: str, fix: str) -> CheckResult:
    """A raised error that is typical of this lesson, said in the learner's terms.

    ``fix`` is the array way to write this exercise (e.g. ``np.maximum(0, x)``).
    """
    if res.ok or res.code not in ("raised", "array_truth", "scalar_function"):
        return res  # (the core's generic translations of these errors are refined here)
    error = str(res.details.get("error", ""))
    case = res.details.get("case", 0)
    details = dict(res.details)
    if "truth value of an array" in error:
        if isinstance(case, int) and case > 0 and np.ndim(_cases()[case][0]) > 1:
            return CheckResult(False, f"{name}: right on a 1-D array, but on a 2-D array it raised "
                               f"({error}) - a loop `for v in x` gives whole ROWS of a 2-D x, not "
                               f"numbers; work on every entry at once instead: {fix}", "loop_rows",
                               details)
        return CheckResult(False, f"{name}: Python's `if`, `max`, `min`, `and`/`or` look at ONE "
                           "number, but a comparison such as `x > 0` on an array is many True/False "
                           "values, with no "
                           f"single truth value ({error}) - use numpy, which works entry by entry: "
                           f"{fix}", "array_truth", details)
    if any(s in error for s in ("only 0-dimensional arrays", "only length-1 arrays",
                                "only size-1 arrays")):
        return CheckResult(False, f"{name}: math.exp, math.tanh (and float()) take ONE number, "
                           f"and x is an array ({error}) - use np.exp / np.tanh, which work on "
                           f"every entry: {fix}", "math_module", details)
    if "bitwise_xor" in error:
        return CheckResult(False, f"{name}: `^` is Python's bitwise XOR, not a power ({error}) - "
                           "square with `**`: np.tanh(x) ** 2", "xor", details)
    if "max" in _names(fn) and "scalar index" in error:
        return CheckResult(False, f"{name}: np.max(a, axis) gives the largest entry of ONE array "
                           f"(its second argument is an axis; {error}) - to compare every entry "
                           "with 0, use np.maximum(0, x)", "np_max", details)
    return res


def _checker(fn, reference, name, hints, fix, quiet, shape_hints=(), threshold=1e-6, stable=None):
    res = check_function(fn, reference, _cases(), name=name, threshold=threshold, check_dtype="kind",
                         shape_hints=shape_hints, hints=hints, quiet=True)
    res = _translate(res, fn, name, fix)
    if res.ok and stable:
        res = _stable(res, fn, name, reference, stable)
    return report(res, quiet)


# ----------------------------------------------------------------------------- stable at ±1000
class _Watched:
    """``fn`` called with numpy's overflow recorded (set inside call_learner's errstate).

    It carries ``fn``'s code, so call_learner still tells a stub from a missing return and
    points at the learner's own line when it raises.
    """

    def __init__(self, fn):
        self.fn = fn
        self.__code__ = getattr(fn, "__code__", None)
        self.overflows = []

    def _seen(self, kind, flag):
        self.overflows.append(kind)

    def __call__(self, *args):
        with np.errstate(over="call", divide="ignore", invalid="ignore", under="ignore",
                         call=self._seen):
            return self.fn(*args)


_SILENCERS = {"errstate", "seterr", "filterwarnings", "simplefilter", "catch_warnings"}


def _show(a) -> str:
    return np.array2string(np.asarray(a), precision=3, max_line_width=400)


def _stable(result: CheckResult, fn, name: str, reference, safe: str) -> CheckResult:
    """After the values pass: the function must also stay finite, without overflow, at ±1000.

    ``safe`` is the one exp this exercise needs, e.g. ``np.exp(-np.abs(x))``.
    """
    watched = _Watched(fn)
    got, failure = call_learner(watched, (EXTREMES.copy(),), name, {"x": "±1000"})
    if failure is not None:
        if failure.details.get("error", "").startswith("OverflowError"):
            return CheckResult(False, f"{name}: e^1000 is too large for a float (math range error) - "
                               "compute only e^(−|x|), which is at most 1", "overflow_error",
                               failure.details)
        failure.message += " (for x = ±1000)"
        return failure
    got, failure = as_array(got, name, {"x": "±1000"})
    if failure is not None:
        return failure
    want = reference(EXTREMES)
    if got.shape != want.shape:
        return CheckResult(False, f"{name}: for x = {_show(EXTREMES)} it returned shape {got.shape}, "
                           f"expected {want.shape}", "shape")
    with np.errstate(all="ignore"):
        got = got.astype(np.float64)
    both = "where" in _names(fn)
    if not np.all(np.isfinite(got)):
        return CheckResult(
            False, f"{name} gives {_show(got)} for x = {_show(EXTREMES)}: e^1000 overflows to inf "
            "and inf/inf is NaN - compute only e^(−|x|), which is at most 1", "overflow_nan")
    if watched.overflows and both:
        return CheckResult(
            False, f"{name}: right values, but exp still overflowed for x = ±1000 - np.where(cond, "
            "a, b) computes BOTH a and b for EVERY element before it chooses, so the exp meant for "
            "one side is also computed on the other side, where it overflows (e^1000 = inf); "
            f"compute e = {safe} (always ≤ 1) first and build both branches from e",
            "where_both_branches")
    if watched.overflows:
        return CheckResult(
            False, f"{name}: right values, but exp overflowed on the way (e^1000 = inf) for x = "
            "±1000 - rewrite it so that only e^(−|x|) is ever computed (always ≤ 1): "
            f"e = {safe}, and build the result for x ≥ 0 and x < 0 from e (choosing a side "
            "afterwards, with a mask or np.where, is too late)",
            "overflow_warning")
    if _names(fn) & _SILENCERS:
        return CheckResult(
            False, f"{name}: it silences numpy's warnings (np.errstate / np.seterr / warnings "
            "filters), so an overflow of exp cannot be seen - and hiding it does not remove it; "
            f"remove the silencing and compute only e = {safe} (always ≤ 1)", "silenced")
    if np.max(np.abs(got - want)) > 1e-12:
        return CheckResult(False, f"{name}: wrong values for large |x|: {_show(got)} for x = "
                           f"{_show(EXTREMES)}, expected {_show(want)} - clipping x (or the "
                           "result) to a small range changes the answer; compute e^(−|x|) "
                           "instead", "extremes")
    return CheckResult(True, result.message + "; finite and warning-free at x = ±1000", "ok",
                       result.details)


# ----------------------------------------------------------------------------- the checkers
def _gradient_of(f):
    """The hint for np.gradient(f(x)): differences between neighbouring entries, not f'(x)."""
    return Hint("np_gradient", "np.gradient takes differences between NEIGHBOURING ENTRIES of an "
                "array (a numerical slope along the array's index), not the derivative at each x - "
                "write the formula of the derivative",
                lambda got, exp, args: matches(got, np.gradient(f(_f(args[0])))))


def check_relu(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x)`` = max(0, x) element-wise."""
    def relu(x):
        return np.maximum(_f(x), 0)

    def leaky(got, exp, args):
        x, g = _f(args[0]), np.asarray(got, dtype=np.float64)
        neg = x < 0
        if not neg.any() or not matches(g[~neg], relu(x)[~neg]):
            return False
        slope = g[neg] / x[neg]
        return bool(np.allclose(slope, slope[0]) and 0 < slope[0] < 1)

    hints = [
        Hint("min_instead_of_max", "you kept the negative part: ReLU is max(0, x), not min",
             lambda got, exp, args: matches(got, np.minimum(_f(args[0]), 0))),
        Hint("abs", "that is |x|; ReLU sets negative inputs to 0 instead of flipping them",
             lambda got, exp, args: matches(got, np.abs(_f(args[0])))),
        Hint("step", "that is the derivative (1 where x > 0); ReLU keeps the value x itself",
             lambda got, exp, args: matches(got, _f(args[0]) > 0)),
        Hint("twice", "that is 2·max(0, x): (x + |x|) is twice ReLU, divide it by 2",
             lambda got, exp, args: matches(got, 2 * relu(args[0]))),
        Hint("leaky", "that is a leaky ReLU (a small slope for x < 0); ReLU sets every negative "
             "input to exactly 0", leaky),
    ]
    shape_hints = [
        Hint("np_max", "np.max gives the largest entry (it reduces the array); ReLU compares "
             "EVERY entry with 0: np.maximum(0, x)",
             lambda got, exp, args: got.ndim < np.ndim(args[0]) and (
                 matches(got, np.max(_f(args[0]), axis=0)) or matches(got, np.max(_f(args[0]))))),
    ]
    return _checker(fn, act.relu, "relu", hints, "np.maximum(0, x)", quiet, shape_hints=shape_hints,
                    threshold=1e-12)


def check_sigmoid(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x)`` = 1 / (1 + e^(−x)), and that it stays finite without overflow at ±1000."""
    hints = [
        Hint("branches_swapped", "that is σ(−x) = 1 − σ(x): the two np.where branches are swapped - "
             "with e = e^(−|x|), x ≥ 0 needs 1/(1 + e) and x < 0 needs e/(1 + e)",
             lambda got, exp, args: "where" in _names(fn) and matches(got, _sig(-_f(args[0])))),
        Hint("sign", "you computed 1/(1 + e^x) = σ(−x) = 1 − σ(x): the exponent is −x",
             lambda got, exp, args: matches(got, _sig(-_f(args[0])))),
        Hint("precedence", "1 / 1 + np.exp(-x) is read as (1 / 1) + e^(−x): put the whole "
             "denominator in parentheses, 1 / (1 + np.exp(-x))",
             lambda got, exp, args: matches(got, 1 + np.exp(-_f(args[0])))),
        Hint("no_one", "the 1 in the denominator is missing: σ(x) = 1 / (1 + e^(−x))",
             lambda got, exp, args: matches(got, np.exp(_f(args[0])))),
        Hint("tanh", "that is tanh; the sigmoid goes from 0 to 1, σ(x) = 1 / (1 + e^(−x))",
             lambda got, exp, args: matches(got, np.tanh(_f(args[0])))),
        Hint("abs_only", "that is σ(|x|) = 1/(1 + e^(−|x|)) everywhere: right for x ≥ 0, but for "
             "x < 0 the safe form is e^(−|x|) / (1 + e^(−|x|)) - choose per element with "
             "np.where(x >= 0, ..., ...)",
             lambda got, exp, args: matches(got, _sig(np.abs(_f(args[0]))))),
        Hint("negative_only", "that is σ(−|x|) = e^(−|x|) / (1 + e^(−|x|)) everywhere: right for "
             "x < 0, but for x ≥ 0 the safe form is 1 / (1 + e^(−|x|)) - choose per element with "
             "np.where(x >= 0, ..., ...)",
             lambda got, exp, args: matches(got, _sig(-np.abs(_f(args[0]))))),
    ]
    return _checker(fn, act.sigmoid, "sigmoid", hints,
                    "e = np.exp(-np.abs(x)); np.where(x >= 0, 1 / (1 + e), e / (1 + e))", quiet,
                    stable="np.exp(-np.abs(x))")


def check_tanh(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x)`` = (e^x − e^(−x)) / (e^x + e^(−x)), finite without overflow at ±1000."""
    hints = [
        Hint("sigmoid", "that is the sigmoid (0 to 1); tanh goes from −1 to 1: tanh(x) = "
             "2σ(2x) − 1", lambda got, exp, args: matches(got, _sig(args[0]))),
        Hint("sign_flipped", "the sign is flipped: the numerator is e^x − e^(−x)",
             lambda got, exp, args: matches(got, -np.tanh(_f(args[0])))),
        Hint("plus_in_numerator", "the numerator should be a difference, e^x − e^(−x)",
             lambda got, exp, args: matches(got, np.ones_like(_f(args[0])))),
        Hint("abs_only", "that is tanh(|x|): dividing by e^(|x|) gives (1 − e^(−2|x|)) / (1 + "
             "e^(−2|x|)) for |x|; tanh is odd, tanh(−x) = −tanh(x), so multiply by np.sign(x)",
             lambda got, exp, args: matches(got, np.tanh(np.abs(_f(args[0]))))),
        Hint("half_argument", "that is tanh(x/2): the exponent must be 2x - e^(−2|x|), or "
             "2σ(2x) − 1 with σ of 2x",
             lambda got, exp, args: matches(got, np.tanh(_f(args[0]) / 2))),
        Hint("no_minus_one", "that is 2σ(2x) = tanh(x) + 1: subtract 1, tanh(x) = 2σ(2x) − 1",
             lambda got, exp, args: matches(got, 2 * _sig(2 * _f(args[0])))),
    ]
    return _checker(fn, act.tanh, "tanh", hints,
                    "e = np.exp(-2 * np.abs(x)); np.sign(x) * (1 - e) / (1 + e)", quiet,
                    stable="np.exp(-2 * np.abs(x))")


def check_relu_grad(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x)`` = ReLU′(x): 1 where x > 0, else 0 (also 0 at x = 0, as PyTorch)."""
    hints = [
        Hint("relu_itself", "that is ReLU itself; its derivative is 1 where x > 0 and 0 elsewhere",
             lambda got, exp, args: matches(got, np.maximum(_f(args[0]), 0))),
        Hint("at_zero", "only x = 0 is wrong: use 0 there (x > 0, not x ≥ 0), as PyTorch does",
             lambda got, exp, args: matches(got, _f(args[0]) >= 0)),
        Hint("boolean", "x > 0 gives True/False; the exercise asks for floats: "
             "(x > 0).astype(float)",
             lambda got, exp, args: got.dtype == np.bool_ and matches(got, _f(args[0]) > 0)),
        Hint("sign", "np.sign gives −1 for negative x, but ReLU is flat there: its slope is 0",
             lambda got, exp, args: matches(got, np.sign(_f(args[0])))),
        Hint("flipped", "1 where x < 0 is the wrong side: ReLU rises (slope 1) where x > 0 and is "
             "flat (slope 0) where x < 0",
             lambda got, exp, args: matches(got, _f(args[0]) < 0) or matches(got, _f(args[0]) <= 0)),
        Hint("all_ones", "1 everywhere is the slope of the identity f(x) = x; ReLU is flat (slope "
             "0) for x < 0", lambda got, exp, args: matches(got, np.ones_like(_f(args[0])))),
        _gradient_of(lambda x: np.maximum(x, 0)),
    ]
    return _checker(fn, act.relu_grad, "relu_grad", hints, "(x > 0).astype(float)", quiet,
                    threshold=1e-12)


def check_sigmoid_grad(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x)`` = σ′(x) = σ(x)(1 − σ(x))."""
    hints = [
        Hint("sigmoid_itself", "that is σ(x) itself; its derivative is σ(x)·(1 − σ(x))",
             lambda got, exp, args: matches(got, _sig(args[0]))),
        Hint("on_x", "you applied s(1 − s) to x; apply it to s = σ(x)",
             lambda got, exp, args: matches(got, _f(args[0]) * (1 - _f(args[0])))),
        Hint("missing_factor", "a factor is missing: σ′(x) = σ(x)·(1 − σ(x)), both factors",
             lambda got, exp, args: matches(got, 1 - _sig(args[0]))),
        Hint("plus", "that is σ(1 + σ): the second factor is (1 − σ), with a minus",
             lambda got, exp, args: matches(got, _sig(args[0]) * (1 + _sig(args[0])))),
        Hint("tanh_formula", "1 − σ² is the rule for tanh (1 − tanh²); for the sigmoid it is "
             "σ·(1 − σ)", lambda got, exp, args: matches(got, 1 - _sig(args[0]) ** 2)),
        Hint("negative", "the sign is flipped: σ only rises, so its slope σ(1 − σ) is positive "
             "everywhere", lambda got, exp, args: matches(got, -act.sigmoid_grad(_f(args[0])))),
        _gradient_of(act.sigmoid),
    ]
    return _checker(fn, act.sigmoid_grad, "sigmoid_grad", hints,
                    "s = 1 / (1 + np.exp(-x)); s * (1 - s)", quiet)


def check_tanh_grad(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x)`` = tanh′(x) = 1 − tanh²(x)."""
    def t(args):
        return np.tanh(_f(args[0]))

    hints = [
        Hint("one_minus_x_squared", "you used 1 − x²; the derivative is 1 − tanh(x)²",
             lambda got, exp, args: matches(got, 1 - _f(args[0]) ** 2)),
        Hint("not_squared", "square the tanh: 1 − tanh(x)², not 1 − tanh(x)",
             lambda got, exp, args: matches(got, 1 - t(args))),
        Hint("tanh_itself", "that is tanh itself; its derivative is 1 − tanh(x)²",
             lambda got, exp, args: matches(got, t(args))),
        Hint("plus_sign", "that is 1 + tanh²: the derivative is 1 MINUS tanh(x)² (at most 1, at x = 0)",
             lambda got, exp, args: matches(got, 1 + t(args) ** 2)),
        Hint("sigmoid_rule", "t·(1 − t) is the sigmoid's rule; for tanh it is 1 − tanh(x)²",
             lambda got, exp, args: matches(got, t(args) * (1 - t(args)))),
        Hint("tanh_of_square", "np.tanh(x ** 2) squares x BEFORE the tanh; square the tanh: "
             "np.tanh(x) ** 2", lambda got, exp, args: matches(got, 1 - np.tanh(_f(args[0]) ** 2))),
        Hint("times_two", "`* 2` multiplies by 2; a square is `** 2`: 1 - np.tanh(x) ** 2",
             lambda got, exp, args: matches(got, 1 - 2 * t(args))),
        _gradient_of(np.tanh),
    ]
    return _checker(fn, act.tanh_grad, "tanh_grad", hints, "1 - np.tanh(x) ** 2", quiet)
