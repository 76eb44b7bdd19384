"""Checkers for exercises: ordered tests that stop at the first failure and name it.

Order: not implemented → raised an error → shape → dtype → values (relative error
against a stated threshold, cs231n's ``rel_error``) → concept hints. Each checker
prints one friendly line and returns a :class:`CheckResult` that tests can assert on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "CheckResult",
    "rel_error",
    "numeric_gradient",
    "check_function",
    "Hint",
    "is_not_implemented",
    "call_learner",
    "report",
]


@dataclass
class CheckResult:
    """The verdict of a checker: ``ok``, a one-line ``message`` and a machine ``code``."""

    ok: bool
    message: str
    code: str = "ok"
    details: dict = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return ("✓ " if self.ok else "✗ ") + self.message


@dataclass
class Hint:
    """A concept hint: when ``applies(got, expected, args)`` is true, say ``message``."""

    code: str
    message: str
    applies: object  # callable (got, expected, args) -> bool


def rel_error(x, y) -> float:
    """Max relative error, as in cs231n: ``max |x - y| / max(1e-8, |x| + |y|)``."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)), initial=0.0))


def numeric_gradient(f, x, h: float = 1e-5) -> np.ndarray:
    """Centred finite differences of a scalar function ``f`` at ``x`` (float64)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = float(f(x))
        x[i] = old - h
        fm = float(f(x))
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad


def is_not_implemented(value) -> bool:
    return value is None or value is Ellipsis or value is NotImplemented


def _to_numpy(value):
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _dtype_kind(a: np.ndarray) -> str:
    if a.dtype == np.bool_:
        return "bool"
    if np.issubdtype(a.dtype, np.floating):
        return "float"
    if np.issubdtype(a.dtype, np.unsignedinteger):
        return "unsigned int"
    if np.issubdtype(a.dtype, np.integer):
        return "int"
    return str(a.dtype)


def _finish(result: CheckResult, quiet: bool) -> CheckResult:
    if not quiet:
        print(str(result))
    return result


report = _finish  # public name: print the one friendly line (unless quiet), return the result


def call_learner(fn, args: tuple, name: str, details: dict | None = None):
    """Call the learner's ``fn(*args)``; return ``(value, None)`` or ``(None, failure)``.

    The failure is a :class:`CheckResult` (not printed) for the first two checker steps:
    the function raised (``"raised"``), or it is a stub that returned None / ``...`` or
    raised NotImplementedError (``"not_implemented"``).
    """
    try:
        got = fn(*args)
    except NotImplementedError:
        got = None
    except Exception as exc:  # noqa: BLE001 - the learner's error is the message
        return None, CheckResult(False, f"{name} raised {type(exc).__name__}: {exc}", "raised",
                                 dict(details or {}))
    if is_not_implemented(got):
        return None, CheckResult(
            False, f"{name}: not implemented yet (it returned {got!r}) - fill in the function",
            "not_implemented")
    return got, None


def check_function(
    fn,
    reference,
    cases,
    *,
    name: str,
    threshold: float = 1e-6,
    check_dtype: str | None = "kind",
    shape_hints=(),
    hints=(),
    quiet: bool = False,
) -> CheckResult:
    """Run ``fn`` and ``reference`` on every argument tuple in ``cases`` and compare.

    ``check_dtype``: ``"kind"`` compares float/int/uint kinds, ``"exact"`` the exact
    dtype, ``None`` skips the dtype step. ``shape_hints`` and ``hints`` are
    :class:`Hint` objects tried (in order) when the shape, or the values, differ.
    """
    if not callable(fn):
        return _finish(CheckResult(False, f"{name}: expected a function, got {type(fn).__name__}",
                                   "not_callable"), quiet)
    worst = 0.0
    for k, args in enumerate(cases):
        args = args if isinstance(args, tuple) else (args,)
        copies = tuple(a.copy() if hasattr(a, "copy") else a for a in args)
        got, failure = call_learner(fn, copies, name, {"case": k})
        if failure is not None:
            return _finish(failure, quiet)
        expected = _to_numpy(reference(*args))
        got_np = _to_numpy(got)
        if got_np.shape != expected.shape:
            for hint in shape_hints:
                if hint.applies(got_np, expected, args):
                    return _finish(CheckResult(
                        False, f"{name}: shape {got_np.shape}, expected {expected.shape} - "
                        f"{hint.message}", hint.code, {"case": k}), quiet)
            return _finish(CheckResult(
                False, f"{name}: wrong shape - expected {expected.shape}, got {got_np.shape}",
                "shape", {"case": k}), quiet)
        if check_dtype == "exact" and got_np.dtype != expected.dtype:
            return _finish(CheckResult(
                False, f"{name}: wrong dtype - expected {expected.dtype}, got {got_np.dtype}",
                "dtype", {"case": k}), quiet)
        if check_dtype == "kind" and _dtype_kind(got_np) != _dtype_kind(expected):
            return _finish(CheckResult(
                False, f"{name}: wrong dtype - expected {_dtype_kind(expected)} numbers "
                f"({expected.dtype}), got {got_np.dtype}", "dtype", {"case": k}), quiet)
        if got_np.dtype == np.bool_ or expected.dtype == np.bool_:
            err = float(np.mean(got_np != expected))
        else:
            if not np.all(np.isfinite(got_np.astype(np.float64))) and np.all(
                np.isfinite(expected.astype(np.float64))
            ):
                return _finish(CheckResult(
                    False, f"{name}: the result contains NaN or inf - look for a division by "
                    "zero, a log of 0, or an overflowing exp", "not_finite", {"case": k}), quiet)
            err = rel_error(got_np, expected)
        worst = max(worst, err)
        if err > threshold:
            for hint in hints:
                if hint.applies(got_np, expected, args):
                    return _finish(CheckResult(
                        False, f"{name}: values differ (relative error {err:.1e}, should be "
                        f"below {threshold:.0e}) - {hint.message}", hint.code,
                        {"case": k, "rel_error": err}), quiet)
            return _finish(CheckResult(
                False, f"{name}: values differ from the reference (relative error {err:.1e}, "
                f"should be below {threshold:.0e})", "values", {"case": k, "rel_error": err}),
                quiet)
    return _finish(CheckResult(
        True, f"{name}: correct on {len(cases)} test cases (max relative error {worst:.1e} "
        f"< {threshold:.0e})", "ok", {"rel_error": worst}), quiet)
