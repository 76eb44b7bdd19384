"""Losses from logits: cross-entropy −Σ_i y_i log ŷ_i and focal loss −Σ_i α_i (1 − ŷ_i)^γ y_i log ŷ_i.

Both are computed from the logits with log-softmax (never the log of a softmax, which
gives −inf once a probability underflows to 0). Labels are class indices (N,) or
one-hot / probability rows (N×C). ``cross_entropy`` and ``focal_loss`` are numpy
references; ``FocalLoss`` is the same focal loss as a torch module for training:
``fit(model, X, y, loss_fn=FocalLoss(gamma=2.0, alpha=weights))``.

With γ = 0 and α = 1 focal loss *is* cross-entropy; with γ = 0 and per-class α it is
class-weighted cross-entropy (averaged over the N examples, i.e.
``F.cross_entropy(z, y, weight=α, reduction="none").mean()``).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ._validate import as_numpy, describe, require_int, require_range
from .softmax import log_softmax

__all__ = [
    "one_hot",
    "cross_entropy",
    "focal_loss",
    "focal_curve",
    "modulating_factor",
    "class_weights",
    "FocalLoss",
    "focal_loss_torch",
    "REDUCTIONS",
]

REDUCTIONS = ("mean", "sum", "none")


# --------------------------------------------------------------------------- validation
# The value checks the numpy losses and the torch loss share, so both refuse the same inputs
# with the same words.
def _check_logit_values(shape, finite: bool) -> None:
    """Logits of ``shape`` N×C: at least one example and one class, and (``finite``) no NaN / inf."""
    n, c = shape
    if n < 1 or c < 1:
        raise ValueError(f"logits need at least one example and one class; got shape {tuple(shape)}")
    if not finite:
        raise ValueError("logits must be finite numbers; got NaN or inf")


def _check_onehot_values(y: np.ndarray) -> None:
    """One-hot (or probability) label rows N×C: finite, non-negative, each row summing to 1."""
    if not np.all(np.isfinite(y)) or np.any(y < 0):
        raise ValueError("one-hot labels must be non-negative numbers")
    sums = y.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-4):
        raise ValueError("each row of one-hot labels must sum to 1 (one 1, the rest 0); got row "
                         f"sums {np.round(sums[:5], 4).tolist()}")


def _batch(logits, target):
    """Logits N×C (float) and labels as N×C one-hot rows; also the indices (or None) and
    whether one example (logits of shape C) was given."""
    z = as_numpy(logits, "logits")
    if z.dtype == np.bool_ or z.dtype.kind not in "iuf":
        raise ValueError(f"logits must hold real numbers; got {describe(z)}")
    z = z.astype(np.float64) if z.dtype.kind != "f" else z
    t = as_numpy(target, "labels")
    single = z.ndim == 1
    if single:  # one example: logits (C,) with one label (an int) or one one-hot row (C,)
        z = z[None, :]
        if t.ndim == 0:
            t = t.reshape(1)
        elif t.ndim == 1 and t.shape[0] == z.shape[1] and z.shape[1] > 1:
            t = t[None, :]
        else:
            raise ValueError(f"one example's logits (C={z.shape[1]}) need one label (an int) or "
                             f"one one-hot row of length {z.shape[1]}; got labels of shape {t.shape}")
    if z.ndim != 2:
        raise ValueError(f"logits should be N×C (a batch) or C (one example); got shape {z.shape}")
    n, c = z.shape
    _check_logit_values(z.shape, bool(np.all(np.isfinite(z))))
    if t.ndim == 1:  # class indices
        if t.dtype == np.bool_ or t.dtype.kind not in "iu":
            hint = ""
            if t.dtype.kind == "f" and np.all(np.isfinite(t)) and np.all(t == np.round(t)):
                hint = " (whole numbers stored as floats? use .astype(int) or .long())"
            raise ValueError(f"class-index labels must be integers; got {describe(t)}{hint}")
        if len(t) != n:
            raise ValueError(f"logits have {n} examples (shape {z.shape}) but there are {len(t)} "
                             "labels; they must match")
        bad = (t < 0) | (t >= c)
        if np.any(bad):
            raise ValueError(f"labels must be class indices 0..{c - 1} for {c} classes; got "
                             f"{t[bad][:5].tolist()} (out of range)")
        idx = t.astype(np.int64)
        y = np.zeros((n, c), dtype=z.dtype)
        y[np.arange(n), idx] = 1.0
        return z, y, idx, single
    if t.ndim == 2:  # one-hot (or probability) rows
        if t.shape != (n, c):
            raise ValueError(f"one-hot labels must have the logits' shape {z.shape}; got {t.shape}")
        if t.dtype.kind not in "iufb":
            raise ValueError(f"one-hot labels must be numbers; got {describe(t)}")
        y = t.astype(z.dtype)
        _check_onehot_values(y)
        return z, y, None, single
    raise ValueError(f"labels should be class indices (N,) or one-hot rows N×C; got shape {t.shape}")


def _alpha(alpha, c: int, dtype=np.float64) -> np.ndarray:
    if alpha is None:
        return np.ones(c, dtype=dtype)
    a = as_numpy(alpha, "alpha")
    if a.dtype == np.bool_ or a.dtype.kind not in "iuf":
        raise ValueError(f"alpha must be a number or one weight per class; got {describe(a)}")
    a = a.astype(dtype)
    if a.ndim == 0:
        a = np.full(c, float(a), dtype=dtype)
    if a.shape != (c,):
        raise ValueError(f"alpha must be one number or one weight per class ({c}); got shape {a.shape}")
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError(f"alpha must be finite and non-negative; got {a.tolist()}")
    return a


def _gamma(gamma) -> float:
    return require_range(gamma, "gamma", low=0.0)


def _reduce(per_example: np.ndarray, reduction: str, single: bool):
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}; got {reduction!r}")
    if reduction == "mean":
        return per_example.mean()
    if reduction == "sum":
        return per_example.sum()
    return per_example[0] if single else per_example


# --------------------------------------------------------------------------- numpy references
def one_hot(labels, n_classes: int) -> np.ndarray:
    """Class indices (N,) → one-hot rows N×C (float64): y_i = 1 for the true class, 0 elsewhere."""
    c = require_int(n_classes, "n_classes", low=1)
    t = np.atleast_1d(as_numpy(labels, "labels"))
    if t.ndim != 1:
        raise ValueError(f"labels should be class indices (N,); got shape {t.shape}")
    return _batch(np.zeros((len(t), c)), t)[1]


def cross_entropy(logits, target, reduction: str = "mean"):
    """−Σ_i y_i log ŷ_i with log ŷ = log_softmax(logits); labels as indices (N,) or one-hot N×C.

    ``reduction``: "mean" over examples (like ``F.cross_entropy``), "sum", or "none" (N,).
    """
    z, y, _, single = _batch(logits, target)
    logp = log_softmax(z, axis=1)
    per = -(y * logp).sum(axis=1)
    return _reduce(per, reduction, single)


def modulating_factor(p, gamma: float) -> np.ndarray:
    """(1 − p)^γ: about 1 for a hard example (p small), about 0 for an easy one (p near 1)."""
    g = _gamma(gamma)
    p = as_numpy(p, "p").astype(np.float64)
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        raise ValueError("p must be probabilities in [0, 1]")
    return np.power(1.0 - p, g)


def focal_curve(p, gamma: float, alpha: float = 1.0) -> np.ndarray:
    """Focal loss of one example as a function of its true class's probability p: −α (1 − p)^γ log p.

    γ = 0, α = 1 gives cross-entropy −log p. For p = 0 the loss is +inf.
    """
    a = require_range(alpha, "alpha", low=0.0)
    p = as_numpy(p, "p").astype(np.float64)
    m = modulating_factor(p, gamma)
    with np.errstate(divide="ignore"):
        return -a * m * np.log(p)


def focal_loss(logits, target, gamma: float = 2.0, alpha=None, reduction: str = "mean"):
    """−Σ_i α_i (1 − ŷ_i)^γ y_i log ŷ_i from logits; per-class ``alpha`` (C,), a number, or None (1).

    Stable for any finite logits: log ŷ from log-softmax, 1 − ŷ as −expm1(log ŷ).
    """
    g = _gamma(gamma)
    z, y, _, single = _batch(logits, target)
    a = _alpha(alpha, z.shape[1], z.dtype)
    logp = log_softmax(z, axis=1)
    one_minus_p = -np.expm1(logp)  # 1 − ŷ, accurate when ŷ is close to 1
    per = -(a[None, :] * np.power(one_minus_p, g) * y * logp).sum(axis=1)
    return _reduce(per, reduction, single)


def class_weights(counts, normalise: str = "mean") -> np.ndarray:
    """Inverse-frequency weights w_c ∝ 1 / n_c, scaled so their mean (or sum) is 1.

    ``counts`` is a sequence or a dict {class: count} (``data.long_tailed`` returns one).
    """
    if isinstance(counts, dict):
        keys = sorted(counts)
        if keys != list(range(len(keys))):
            raise ValueError(f"counts must cover classes 0..C-1; got classes {keys}")
        counts = [counts[k] for k in keys]
    n = as_numpy(counts, "counts").astype(np.float64)
    if n.ndim != 1 or len(n) < 1:
        raise ValueError(f"counts must be one count per class; got shape {n.shape}")
    if not np.all(np.isfinite(n)) or np.any(n <= 0):
        raise ValueError(f"every class needs a positive count; got {n.tolist()}")
    w = 1.0 / n
    if normalise == "mean":
        return w / w.mean()
    if normalise == "sum":
        return w / w.sum()
    raise ValueError(f"normalise must be 'mean' or 'sum'; got {normalise!r}")


# --------------------------------------------------------------------------- torch
_INT_DTYPES = (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8)


def _torch_labels(logits, target):
    """Validate a batch for the torch loss as ``_batch`` does for the numpy ones (same checks,
    same messages); class-index labels come back as int64."""
    if not torch.is_tensor(logits) or not torch.is_tensor(target):
        raise ValueError(f"logits and labels must be torch tensors; got {type(logits).__name__} "
                         f"and {type(target).__name__}")
    if logits.ndim != 2:
        raise ValueError(f"logits should be N×C; got shape {tuple(logits.shape)}")
    if not logits.is_floating_point():
        raise ValueError(f"logits must be floats; got {logits.dtype}")
    n, c = logits.shape
    _check_logit_values((n, c), bool(torch.isfinite(logits.detach()).all()))
    if target.ndim == 1:
        if target.dtype not in _INT_DTYPES:
            raise ValueError(f"class-index labels must be integers; got {target.dtype}")
        if len(target) != n:
            raise ValueError(f"logits have {n} examples but there are {len(target)} labels; "
                             "they must match")
        if int(target.min()) < 0 or int(target.max()) >= c:
            raise ValueError(f"labels must be class indices 0..{c - 1} for {c} classes; got "
                             f"values from {int(target.min())} to {int(target.max())}")
        return target.long()
    if target.ndim == 2:
        if tuple(target.shape) != (n, c):
            raise ValueError(f"one-hot labels must have the logits' shape {(n, c)}; "
                             f"got {tuple(target.shape)}")
        if target.is_complex():
            raise ValueError(f"one-hot labels must be real numbers; got {target.dtype}")
        target = target.to(logits.dtype)
        _check_onehot_values(target.detach().cpu().double().numpy())
        return target
    raise ValueError(f"labels should be class indices (N,) or one-hot rows N×C; got shape "
                     f"{tuple(target.shape)}")


def _torch_alpha(alpha, c: int, like):
    if alpha is None:
        return None
    a = torch.as_tensor(alpha).to(dtype=like.dtype, device=like.device)
    if a.ndim == 0:
        return a
    if a.shape != (c,):
        raise ValueError(f"alpha has {a.numel()} class weights but the logits have {c} classes")
    return a


def focal_loss_torch(logits, target, gamma: float = 2.0, alpha=None, reduction: str = "mean"):
    """:func:`focal_loss` in torch (differentiable): −α_t (1 − ŷ_t)^γ log ŷ_t, from logits."""
    g = _gamma(gamma)
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}; got {reduction!r}")
    target = _torch_labels(logits, target)
    a = _torch_alpha(alpha, logits.shape[1], logits)
    logp = torch.log_softmax(logits, dim=1)
    if target.ndim == 1:  # class indices: only the true class's term is non-zero
        logp = logp.gather(1, target[:, None])[:, 0]  # log ŷ_t, shape (N,)
        if a is not None and a.ndim == 1:
            a = a[target]
    terms = -logp
    if g != 0.0:
        # 1 − ŷ as −expm1(log ŷ) (accurate near ŷ = 1), kept above the smallest float so the
        # gradient of (1 − ŷ)^γ stays finite for γ < 1 (that only touches examples with loss ≈ 0)
        terms = (-torch.expm1(logp)).clamp_min(torch.finfo(logp.dtype).tiny) ** g * terms
    if a is not None:
        terms = a * terms
    per = terms if target.ndim == 1 else (target * terms).sum(dim=1)
    if reduction == "mean":
        return per.mean()
    if reduction == "sum":
        return per.sum()
    return per


class FocalLoss(nn.Module):
    """Focal loss as a torch loss: ``FocalLoss(gamma=2.0, alpha=None)(logits, labels)``.

    ``alpha``: None (all 1), a number, or one weight per class (C,). ``gamma`` ≥ 0;
    γ = 0 with α = 1 is ``F.cross_entropy``. ``reduction``: "mean" (over the N
    examples), "sum" or "none". Labels are class indices (N,) or one-hot rows N×C.
    Use it to train: ``fit(model, X, y, loss_fn=FocalLoss(gamma=2.0, alpha=weights))``.
    """

    def __init__(self, gamma: float = 2.0, alpha=None, reduction: str = "mean"):
        super().__init__()
        self.gamma = _gamma(gamma)
        if reduction not in REDUCTIONS:
            raise ValueError(f"reduction must be one of {REDUCTIONS}; got {reduction!r}")
        self.reduction = reduction
        if alpha is None:
            self.alpha = None
        else:
            a = as_numpy(alpha, "alpha")
            if a.ndim > 1:
                raise ValueError(f"alpha must be a number or one weight per class; got shape {a.shape}")
            a = _alpha(a, a.shape[0]) if a.ndim == 1 else _alpha(a, 1)[0]
            self.register_buffer("alpha", torch.as_tensor(a, dtype=torch.float64))

    def forward(self, logits, target):
        return focal_loss_torch(logits, target, self.gamma, self.alpha, self.reduction)

    def extra_repr(self) -> str:
        if self.alpha is None:
            a = "1"
        elif self.alpha.ndim == 0:
            a = f"{float(self.alpha):.3g}"
        else:
            a = "[" + ", ".join(f"{v:.2f}" for v in self.alpha.tolist()) + "]"
        return f"gamma={self.gamma:g}, alpha={a}, reduction={self.reduction!r}"
