"""Softmax: logits z ∈ ℝ^C → probabilities ŷ_i = e^{z_i} / Σ_j e^{z_j}, naive and stable, and log-softmax.

``softmax_naive`` is the formula as written (it overflows to NaN for large logits);
``softmax`` subtracts the largest logit first, which changes nothing mathematically
(adding a constant to every logit leaves softmax unchanged) but keeps ``exp`` finite;
``log_softmax`` is z_i − log Σ_j e^{z_j} computed the same stable way (log-sum-exp).
All take an optional ``temperature`` T > 0: softmax(z / T).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_numpy, describe, require_range

__all__ = ["softmax_naive", "softmax", "log_softmax", "logsumexp", "entropy"]


def _logits(z, axis: int, name: str = "logits") -> np.ndarray:
    a = as_numpy(z, name)
    if a.dtype == np.bool_ or a.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold real numbers; got {describe(a)}")
    if a.ndim == 0:
        raise ValueError(f"{name} must be a vector of C scores (or a batch N×C); got a single "
                         f"number {a.item()!r}")
    if not isinstance(axis, (int, np.integer)) or not -a.ndim <= axis < a.ndim:
        raise ValueError(f"axis={axis!r} does not exist for {name} of shape {a.shape}")
    if a.shape[axis] == 0:
        raise ValueError(f"{name} has no classes along axis {axis} (shape {a.shape})")
    if a.dtype.kind != "f":
        a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite numbers; got NaN or inf in {describe(a)}")
    return a


def _temperature(a: np.ndarray, temperature) -> np.ndarray:
    if temperature is None or (not isinstance(temperature, bool) and temperature == 1):
        return a
    t = require_range(temperature, "temperature", low=0.0)
    if t == 0.0:
        raise ValueError("temperature must be greater than 0 (softmax(z / T) divides by T)")
    return a / np.asarray(t, dtype=a.dtype)


def softmax_naive(z, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """e^{z_i} / Σ_j e^{z_j} exactly as written: overflows (inf / inf = NaN) once a logit passes ~709."""
    a = _temperature(_logits(z, axis), temperature)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(a)
        return e / e.sum(axis=axis, keepdims=True)


def softmax(z, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """Stable softmax along ``axis``: subtract the largest logit, then exponentiate and normalise."""
    a = _temperature(_logits(z, axis), temperature)
    e = np.exp(a - a.max(axis=axis, keepdims=True))  # largest term is e^0 = 1: no overflow
    return e / e.sum(axis=axis, keepdims=True)


def _shifted_lse(a: np.ndarray, axis: int):
    """``(a − m, log Σ_j e^{a_j − m})`` with m the largest value along ``axis``.

    The largest term of the sum is e^0 = 1 exactly, so the log is taken as log1p of the
    other terms: 1 + 1e-16 would round to 1 and make a loss of about 1e-16 exactly 0.
    """
    m = a.max(axis=axis, keepdims=True)
    shifted = a - m  # the largest value becomes exactly 0
    e = np.exp(shifted)
    np.put_along_axis(e, np.expand_dims(np.argmax(a, axis=axis), axis), 0.0, axis=axis)
    return shifted, np.log1p(e.sum(axis=axis, keepdims=True))


def logsumexp(z, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """log Σ_j e^{z_j}, stably: m + log Σ_j e^{z_j − m} with m the largest logit."""
    a = _logits(z, axis)
    out = a.max(axis=axis, keepdims=True) + _shifted_lse(a, axis)[1]
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(z, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """log ŷ_i = z_i − log Σ_j e^{z_j}, finite even where softmax underflows to 0.

    Computed as (z_i − m) − log Σ_j e^{z_j − m} (m the largest logit), so a log-probability
    of about −1e-16 (a loss of 1e-16) survives even next to logits of 1e4.
    """
    a = _temperature(_logits(z, axis), temperature)
    shifted, lse = _shifted_lse(a, axis)
    return shifted - lse


# how far a row of probabilities may sum from 1: float32 rounding (about C · 6e-8) passes easily
_PROB_SUM_ATOL = 1e-4


def entropy(p, axis: int = -1) -> np.ndarray:
    """−Σ p_i log p_i in nats (0 log 0 = 0): 0 for a sure answer, log C for a uniform one.

    ``p`` must hold probabilities: non-negative, each row (along ``axis``) summing to 1
    (within 1e-4, so float32 probabilities pass).
    """
    a = _logits(p, axis, "probabilities")
    if np.any(a < 0):
        raise ValueError(f"probabilities must be non-negative; got {int(np.sum(a < 0))} negative "
                         f"value(s), smallest {a.min():.4g} (logits? pass softmax(z), not z)")
    sums = a.sum(axis=axis, dtype=np.float64)
    off = np.abs(sums - 1.0) > _PROB_SUM_ATOL
    if np.any(off):
        shown = np.round(np.atleast_1d(sums)[np.atleast_1d(off)][:5], 6).tolist()
        raise ValueError(f"each row of probabilities must sum to 1 (along axis {axis}); "
                         f"{int(np.sum(off))} row(s) do not, with sums {shown}")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0)), 0.0)
    return -terms.sum(axis=axis)
