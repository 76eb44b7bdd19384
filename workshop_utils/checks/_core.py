"""Checkers for exercises: ordered tests that stop at the first failure and name it.

Order: not a function → raised an error (common numpy errors translated) → not
implemented / forgot ``return`` → not numbers → shape → concept hints (the most specific
true hint wins) → dtype → NaN/inf → values (relative error against a stated threshold,
cs231n's ``rel_error``; float32 answers at float32's precision). Each checker prints one
friendly line and returns a :class:`CheckResult` that tests can assert on. No answer may
make a checker raise: every step is guarded, and :func:`call_learner`, :func:`as_array`
and :func:`report` are the one implementation every lesson's checkers use.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "CheckResult",
    "rel_error",
    "numeric_gradient",
    "check_function",
    "Hint",
    "is_not_implemented",
    "is_stub",
    "call_learner",
    "explain_error",
    "as_array",
    "to_numpy",
    "matches",
    "precision_error",
    "report",
    "pulsed",
]


@dataclass
class CheckResult:
    """The verdict of a checker: ``ok``, a one-line ``message`` and a machine ``code``."""

    ok: bool
    message: str
    code: str = "ok"
    details: dict = field(default_factory=dict)
    # the kernel execution in which ``report`` printed this result (None: not printed)
    _printed_in: object = field(default=None, repr=False, compare=False)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return ("✓ " if self.ok else "✗ ") + self.message

    def _ipython_display_(self) -> None:
        """A notebook shows a result as its one friendly line, and only once: a checker
        called as a cell's last line has printed it already (no trailing ``;`` needed)."""
        if self._printed_in is None or self._printed_in != _execution():
            print(str(self))


def _execution():
    """The running cell's number in an IPython kernel (None outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the course
        return None
    shell = get_ipython()
    return None if shell is None else getattr(shell, "execution_count", None)


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


def to_numpy(value):
    """A learner's answer as a numpy array (torch tensors of any dtype included).

    Raises ``ValueError`` naming what the answer is when it is not numbers (text, a dict,
    a generator, complex numbers, objects); :func:`as_array` turns that into a result.
    """
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        t = value.detach().cpu()
        if str(t.dtype) == "torch.bfloat16":  # numpy has no bfloat16; float16 stays float16
            t = t.float()
        if t.is_complex():
            raise ValueError("it holds complex numbers")
        return t.numpy()
    if isinstance(value, (str, bytes)):
        raise ValueError(f"it is text ({value[:40]!r}), not a number: return the number itself, "
                         "not a formatted string (no f-string or format)")
    if isinstance(value, (dict, set, frozenset)) or hasattr(value, "__next__"):
        raise ValueError(f"it is a {type(value).__name__}, not an array of numbers")
    with np.errstate(all="ignore"):
        try:
            arr = np.asarray(value)
        except Exception as exc:  # noqa: BLE001 - ragged lists, objects whose __array__ fails
            raise ValueError(f"it cannot be read as an array of numbers ({exc})") from None
    if arr.dtype.kind in "USa":
        raise ValueError("it holds text, not numbers: return the numbers themselves")
    if arr.dtype.kind == "O":
        raise ValueError(f"it is a {type(value).__name__} that is not an array of numbers "
                         "(a list mixing arrays and numbers, or None inside?)")
    if arr.dtype.kind == "c":
        raise ValueError("it holds complex numbers")
    return arr


def as_array(value, name: str, details: dict | None = None):
    """``(array, None)`` or ``(None, failure)`` for a learner's answer that is not numbers."""
    try:
        return to_numpy(value), None
    except ValueError as exc:
        return None, CheckResult(False, f"{name} returned a {type(value).__name__}: {exc}", "not_numbers",
                                 dict(details or {}))


def _fits_dtype(a: np.ndarray, dtype: np.dtype) -> bool:
    """Every value of ``a`` is held exactly by ``dtype`` (a list of 0..255 ints fits uint8)."""
    try:
        with np.errstate(all="ignore"):
            return bool(np.array_equal(a.astype(dtype).astype(a.dtype), a, equal_nan=True))
    except (TypeError, ValueError):
        return False


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


# The precision a float answer can have: a right float32 answer is right.
LOW_PRECISION_TOLERANCE = {np.dtype(np.float32): 1e-5, np.dtype(np.float16): 2e-3}


def precision_error(got: np.ndarray, expected: np.ndarray) -> float:
    """Error relative to the answer's scale, ``max|got - expected| / max|expected|`` (what a
    float32 or float16 answer can meet: elementwise relative error is not, near zero)."""
    g = np.asarray(got, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if g.size == 0:
        return 0.0
    return float(np.max(np.abs(g - e)) / max(float(np.max(np.abs(e))), 1e-300))


# how close an answer must be to a wrong formula for a hint to name it, by the answer's
# precision (rounding in a float32 or float16 computation of the wrong formula)
HINT_TOLERANCE = {np.dtype(np.float32): 1e-4, np.dtype(np.float16): 1e-2}


def matches(got, formula, tol: float = 1e-6) -> bool:
    """``got`` is what ``formula`` gives: the test behind every concept hint.

    Same shape; NaN and ±inf in the same places; the finite values equal to ``tol`` of the
    formula's scale (``max|formula|``, at least 1), or to the answer's own precision when it
    is float32 or float16 (``HINT_TOLERANCE``), so a wrong formula is recognised whether the
    learner computed it in float64, float32 or torch. Never raises: an answer that is not
    numbers matches no formula.
    """
    try:
        with np.errstate(all="ignore"):
            g0 = to_numpy(got)
            if g0.dtype.kind not in "biuf":
                return False
            g = g0.astype(np.float64)
            t = np.asarray(formula, dtype=np.float64)
            if g.shape != t.shape:
                return False
            fg, ft = np.isfinite(g), np.isfinite(t)
            if not np.array_equal(fg, ft) or not np.array_equal(g[~fg], t[~ft], equal_nan=True):
                return False
            if not np.any(ft):
                return True
            tol = max(tol, HINT_TOLERANCE.get(g0.dtype, 0.0))
            scale = max(float(np.max(np.abs(t[ft]))), 1.0)
            return bool(np.max(np.abs(g[fg] - t[ft])) <= tol * scale)
    except Exception:  # noqa: BLE001 - not numbers (or a formula that cannot be evaluated)
        return False


def report(result: CheckResult, quiet: bool) -> CheckResult:
    """Print the result's one friendly line (unless ``quiet``) and return it.

    In a notebook, the returned result then displays nothing more in the same cell, so
    ``check_x(fn)`` as a cell's last line prints one line, as ``check_x(fn);`` does.
    """
    if not quiet:
        print(str(result))
        result._printed_in = _execution()
    return result


def pulsed(checker):
    """``checker`` that also sends its verdict to the class pulse (``workshop_utils.pulse``)
    when the learner opted in with ``WORKSHOP_PULSE``: the exercise id (the checker's name),
    ``ok`` and ``code``, never the answer or the message. Unset (the default), this costs one
    environment look-up; set, a background thread posts, so the checker never waits.
    Quiet calls (tests, tools) are not a learner's attempt and are not sent."""
    name = checker.__name__

    @functools.wraps(checker)
    def wrapper(*args, **kwargs):
        result = checker(*args, **kwargs)
        if os.environ.get("WORKSHOP_PULSE") and isinstance(result, CheckResult):
            try:
                import inspect

                quiet = inspect.signature(checker).bind(*args, **kwargs).arguments.get("quiet", False)
                if not quiet:
                    from ..pulse import client

                    client.send(name, result.ok, result.code)
            except Exception:  # noqa: BLE001 - the pulse never breaks a checker
                pass
        return result

    return wrapper


# ----------------------------------------------------------------------------- the learner's call
_STUB_OPS = {"RESUME", "NOP", "CACHE", "LOAD_CONST", "RETURN_VALUE", "RETURN_CONST", "POP_TOP",
             "PRECALL", "CALL", "PUSH_NULL", "RAISE_VARARGS", "EXTENDED_ARG", "KW_NAMES",
             "CALL_FUNCTION", "CALL_FUNCTION_KW", "NOT_TAKEN"}


def is_stub(fn) -> bool:
    """True when ``fn``'s body does nothing: ``...``, ``pass``, ``return None``, ``raise
    NotImplementedError`` (an exercise left as it was given)."""
    import dis

    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    for ins in dis.get_instructions(code):
        if ins.opname in _STUB_OPS:
            continue
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and ins.argval == "NotImplementedError":
            continue
        return False
    return True


def _learner_line(exc: BaseException, fn) -> str | None:
    """The line of the learner's own code where ``exc`` was raised (deepest such frame)."""
    import linecache
    import traceback

    filename = getattr(getattr(fn, "__code__", None), "co_filename", None)
    if filename is None:
        return None
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            text = frame.line or linecache.getline(frame.filename, frame.lineno)
            if text and text.strip():
                line = text.strip()
    return line


_SHAPES = re.compile(r"\(\s*\d*(?:\s*,\s*\d+)*\s*,?\s*\)")


def explain_error(exc: BaseException, fn, name: str, details: dict | None = None) -> CheckResult:
    """The learner's code raised: say what that usually means, not only numpy's words."""
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    line = _learner_line(exc, fn)
    where = f" in `{line}`" if line else ""
    kind = type(exc).__name__
    details = dict(details or {}, error=f"{kind}: {msg}", line=line)
    if "could not be broadcast together" in msg:
        shapes = _SHAPES.findall(msg)
        shown = " and ".join(shapes[:2]) if shapes else "two shapes"
        return CheckResult(False, f"{name}: shapes {shown} do not fit together{where} - when you "
                           "subtract or divide by a sum, mean or max over an axis, keep that axis "
                           "with keepdims=True (so (5, 4) meets (5, 1)); otherwise check which "
                           "array needs a transpose", "broadcast", details)
    if ("matmul" in msg and "mismatch" in msg) or "not aligned" in msg or "cannot be multiplied" in msg:
        return CheckResult(False, f"{name}: a matrix product whose inner sizes differ{where} "
                           f"({msg}) - A @ B needs A's columns to equal B's rows: is one side "
                           "transposed (W vs W.T), or the operands in the wrong order?", "matmul",
                           details)
    if "cannot reshape" in msg:
        return CheckResult(False, f"{name}: {msg}{where} - a reshape keeps the number of values: "
                           "did the flatten merge the batch axis into the features (use "
                           "x.reshape(len(x), -1) to keep one row per example)?", "reshape", details)
    if isinstance(exc, TypeError) and ("positional argument" in msg or "unexpected keyword" in msg):
        return CheckResult(False, f"{name}: the checker calls it the way the exercise defines it, "
                           f"and Python said: {msg} - keep the function's name and arguments as "
                           "given", "arguments", details)
    if "Cannot cast ufunc" in msg and "uint8" in msg:
        return CheckResult(False, f"{name}: an in-place operation (+=, /=, *=) on a uint8 image{where} "
                           "- uint8 holds only whole numbers 0..255, so the float result cannot go "
                           "back into it: compute a new float array instead (x = x / 255)",
                           "uint8_in_place", details)
    if "must be Tensor, not" in msg:
        return CheckResult(False, f"{name}: a torch function got a numpy array{where} - convert it "
                           "first with torch.from_numpy(...), or stay in numpy", "torch_numpy", details)
    if "truth value of an array" in msg:
        return CheckResult(False, f"{name}: `if`, `and`, `or` or max() met a whole array{where} - "
                           "they need one True/False; work on every element at once with "
                           "np.where, np.maximum or a comparison like (x > 0)", "array_truth", details)
    if "only 0-dimensional arrays" in msg or "only length-1 arrays" in msg or (
            "only one element tensors" in msg):
        return CheckResult(False, f"{name}: a function for single numbers (math.exp, float(), "
                           f"int()) got a whole array{where} - use numpy's np.exp, .astype(...)",
                           "scalar_function", details)
    if isinstance(exc, IndexError):
        return CheckResult(False, f"{name}: an index is out of range{where} ({msg}) - check which "
                           "axis you index and that it starts at 0", "index", details)
    return CheckResult(False, f"{name} raised {kind}: {msg}{where}", "raised", details)


def call_learner(fn, args: tuple, name: str, details: dict | None = None):
    """Call the learner's ``fn(*args)``; return ``(value, None)`` or ``(None, failure)``.

    The failure (not printed) is one of the first steps of every checker: not a function
    (``"not_callable"``); raised an error (``"raised"``, or a translated ``"broadcast"``,
    ``"matmul"``, ``"reshape"``, ``"arguments"``, ``"index"``); the stub as given
    (``"not_implemented"``); or a body that computes but returns None (``"no_return"``).
    """
    if not callable(fn):
        return None, CheckResult(False, f"{name}: expected a function, got {type(fn).__name__} - "
                                 "pass the function itself, without calling it (no parentheses)",
                                 "not_callable", dict(details or {}))
    try:
        with np.errstate(all="ignore"):
            got = fn(*args)
    except NotImplementedError:
        got = None
    except Exception as exc:  # noqa: BLE001 - the learner's error becomes the message
        return None, explain_error(exc, fn, name, details)
    except (SystemExit, KeyboardInterrupt) as exc:  # exit()/quit()/sys.exit(), or ■ pressed
        if isinstance(exc, KeyboardInterrupt):
            return None, CheckResult(False, f"{name} was interrupted (the kernel's ■ stop) before it "
                                     "returned - if it runs for long, look for a loop that never "
                                     "ends", "interrupted", dict(details or {}))
        return None, CheckResult(False, f"{name} called exit() / quit() / sys.exit(), which would stop "
                                 "the lesson's kernel - `return` the value instead", "exit",
                                 dict(details or {}))
    if got is None and not is_stub(fn):
        return None, CheckResult(False, f"{name} returned None - did you forget `return` at the end?",
                                 "no_return", dict(details or {}))
    if is_not_implemented(got):
        return None, CheckResult(
            False, f"{name}: not implemented yet (it returned {got!r}) - fill in the function",
            "not_implemented", dict(details or {}))
    return got, None


def changed_inputs(fn, originals: tuple, given: tuple) -> list[str]:
    """The names of the arguments ``fn`` changed in place: ``given`` are the copies the learner
    received, ``originals`` the untouched arrays."""
    import inspect

    try:
        names = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        names = []
    out = []
    for i, (a, c) in enumerate(zip(originals, given)):
        if a is c or not hasattr(a, "shape"):
            continue
        try:
            same = np.array_equal(to_numpy(a), to_numpy(c), equal_nan=True)
        except Exception:  # noqa: BLE001 - e.g. a learner who replaced an argument's type
            same = True
        if not same:
            out.append(names[i] if i < len(names) else f"argument {i + 1}")
    return out


def _applies(hint: Hint, got, expected, args) -> bool:
    """A hint's trigger, never raising (a trigger that cannot be evaluated does not apply)."""
    try:
        with np.errstate(all="ignore"):
            return bool(hint.applies(got, expected, args))
    except Exception:  # noqa: BLE001 - e.g. a wrong-shaped answer in a formula
        return False


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

    The diagnosis, in order, stops at the first failure: not a function → raised (with the
    common numpy errors translated) → not implemented / no ``return`` → not numbers →
    shape (``shape_hints`` first) → concept ``hints`` (the most specific: each names one
    wrong formula that gives exactly this answer) → dtype → NaN/inf → values.
    ``check_dtype``: ``"kind"`` compares float/int/uint kinds, ``"exact"`` the exact dtype,
    ``None`` skips it. Values: relative error (cs231n) below ``threshold``; a float32 (or
    float16) answer is judged at its own precision, relative to the answer's scale, and
    the message says so.
    """
    worst, low_precision, in_place = 0.0, None, []
    for k, args in enumerate(cases):
        args = args if isinstance(args, tuple) else (args,)
        copies = tuple(a.copy() if hasattr(a, "copy") else a for a in args)
        got, failure = call_learner(fn, copies, name, {"case": k})
        if failure is not None:
            return report(failure, quiet)
        in_place = in_place or changed_inputs(fn, args, copies)
        got_np, failure = as_array(got, name, {"case": k})
        if failure is not None:
            return report(failure, quiet)
        expected = to_numpy(reference(*args))
        if got_np.shape != expected.shape:
            for hint in shape_hints:
                if _applies(hint, got_np, expected, args):
                    return report(CheckResult(
                        False, f"{name}: shape {got_np.shape}, expected {expected.shape} - "
                        f"{hint.message}", hint.code, {"case": k}), quiet)
            return report(CheckResult(
                False, f"{name}: wrong shape - expected {expected.shape}, got {got_np.shape}",
                "shape", {"case": k}), quiet)
        boolean = got_np.dtype == np.bool_ or expected.dtype == np.bool_
        with np.errstate(all="ignore"):
            finite = bool(np.all(np.isfinite(got_np.astype(np.float64))))
            if boolean:
                err = float(np.mean(got_np != expected))
            elif finite:
                err = rel_error(got_np, expected)
            else:
                err = float("inf")
        tol, precision = threshold, LOW_PRECISION_TOLERANCE.get(got_np.dtype)
        if (precision is None and threshold > 0 and got_np.dtype.kind == "f" and not boolean and finite
                and err > threshold):  # (an exact check, threshold 0, stays exact)
            # a float64 answer computed through float32 somewhere (torch's default dtype, a
            # float32 input): as right as a float32 answer when it is within float32's precision
            if precision_error(got_np, expected) <= LOW_PRECISION_TOLERANCE[np.dtype(np.float32)]:
                precision = LOW_PRECISION_TOLERANCE[np.dtype(np.float32)]
        # a float32/float16 answer is always judged at its own precision, so a right one passes
        # with a wide margin (elementwise relative error near zero is rounding, not a slip)
        if precision is not None and threshold > 0 and not boolean and finite and (
                err > threshold or got_np.dtype in LOW_PRECISION_TOLERANCE):
            err, tol = precision_error(got_np, expected), max(threshold, precision)
            low_precision = got_np.dtype if got_np.dtype in LOW_PRECISION_TOLERANCE else np.dtype(np.float32)
        dtype_rule = check_dtype
        if isinstance(got, (list, tuple)) and _fits_dtype(got_np, expected.dtype):
            dtype_rule = None  # a list has no dtype the learner chose: its values are what count
        exact_type = (dtype_rule == "exact" and got_np.dtype != expected.dtype) or (
            dtype_rule == "kind" and _dtype_kind(got_np) != _dtype_kind(expected))
        if err > tol or exact_type:
            for hint in hints:
                if _applies(hint, got_np, expected, args):
                    return report(CheckResult(
                        False, f"{name}: {hint.message}", hint.code,
                        {"case": k, "rel_error": err}), quiet)
        if dtype_rule == "exact" and got_np.dtype != expected.dtype:
            return report(CheckResult(
                False, f"{name}: wrong dtype - expected {expected.dtype}, got {got_np.dtype}",
                "dtype", {"case": k}), quiet)
        if dtype_rule == "kind" and _dtype_kind(got_np) != _dtype_kind(expected):
            return report(CheckResult(
                False, f"{name}: wrong dtype - expected {_dtype_kind(expected)} numbers "
                f"({expected.dtype}), got {got_np.dtype}", "dtype", {"case": k}), quiet)
        if not finite and np.all(np.isfinite(expected.astype(np.float64))):
            return report(CheckResult(
                False, f"{name}: the result contains NaN or inf - look for a division by "
                "zero, a log of 0, or an overflowing exp", "not_finite", {"case": k}), quiet)
        worst = max(worst, err)
        if err > tol:
            return report(CheckResult(
                False, f"{name}: values differ from the reference (relative error {err:.1e}, "
                f"should be below {tol:.0e})", "values", {"case": k, "rel_error": err}), quiet)
    note = (f"; right in {low_precision} (its precision: error {worst:.1e} of the answer's scale, "
            f"below {LOW_PRECISION_TOLERANCE[low_precision]:.0e}); float64 matches to {threshold:.0e}"
            if low_precision is not None else "")
    limit = (f"< {threshold:.0e}" if threshold > 0 else "exact") if low_precision is None else ""
    # right values from a function that also changed its input: right, and worth knowing
    changed = (f" - note: it also changed its input `{in_place[0]}` in place, so the caller's array "
               "changed too; return a new array (y = np.maximum(x, 0), theta - lr * grad) to keep "
               "it" if in_place else "")
    return report(CheckResult(
        True, f"{name}: correct on {len(cases)} test cases"
        + ((" (exact match)" if threshold <= 0 else f" (max relative error {worst:.1e} {limit})")
           if low_precision is None else note) + changed,
        "ok", {"rel_error": worst, "precision": str(low_precision or "float64"),
               "in_place": in_place[0] if in_place else None}), quiet)
