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


def logsumexp(z, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """log Σ_j e^{z_j}, stably: m + log Σ_j e^{z_j − m} with m the largest logit."""
    a = _logits(z, axis)
    m = a.max(axis=axis, keepdims=True)
    out = m + np.log(np.exp(a - m).sum(axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(z, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """log ŷ_i = z_i − log Σ_j e^{z_j}, finite even where softmax underflows to 0."""
    a = _temperature(_logits(z, axis), temperature)
    return a - logsumexp(a, axis=axis, keepdims=True)


def entropy(p, axis: int = -1) -> np.ndarray:
    """−Σ p_i log p_i in nats (0 log 0 = 0): 0 for a sure answer, log C for a uniform one."""
    a = _logits(p, axis, "probabilities")
    if np.any(a < 0):
        raise ValueError("probabilities must be non-negative")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0)), 0.0)
    return -terms.sum(axis=axis)
