"""Input checks shared by the helpers: every problem becomes a ValueError in plain words."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["as_numpy", "describe", "require_ndim", "require_int", "require_range"]


def describe(x) -> str:
    """A short human description of an array-like: its type, shape and dtype."""
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        kind = type(x).__module__.split(".")[0]
        return f"{kind} array of shape {tuple(x.shape)} and dtype {x.dtype}"
    return f"{type(x).__name__}"


def as_numpy(x, name: str = "input") -> np.ndarray:
    """Turn a numpy array, torch tensor, PIL image or nested list into a numpy array."""
    if x is None:
        raise ValueError(f"{name} is None; expected an array or tensor")
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # torch tensor
        return x.detach().cpu().numpy()
    try:
        arr = np.asarray(x)
    except Exception as exc:  # noqa: BLE001 - re-raised with a clear message
        raise ValueError(f"{name} could not be turned into an array: {exc}") from exc
    if arr.dtype == object:
        raise ValueError(f"{name} must be numeric; got {describe(x)} holding Python objects")
    return arr


def require_ndim(arr, ndims, name: str = "input", layout: str | None = None) -> None:
    """Raise if ``arr.ndim`` is not one of ``ndims``; ``layout`` names the expected axes."""
    ndims = (ndims,) if isinstance(ndims, int) else tuple(ndims)
    if arr.ndim not in ndims:
        want = layout or " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(f"{name} should be {want}; got shape {tuple(arr.shape)} ({arr.ndim}-D)")


def require_int(value, name: str, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as int, raising if it is not an integer in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer; got {value!r}")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be at least {low}; got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high}; got {value}")
    return value


def require_range(value, name: str, low: float | None = None, high: float | None = None) -> float:
    """Return ``value`` as float, raising if it is not a finite number in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number; got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be at least {low}; got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high}; got {value}")
    return value
