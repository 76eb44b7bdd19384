"""Input checks shared by the helpers: every problem becomes a ValueError in plain words."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["as_numpy", "as_real", "describe", "require_finite", "require_ndim", "require_int",
           "require_range"]


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


def require_finite(arr, name: str = "input", hint: str = "") -> None:
    """Raise if ``arr`` (a numpy array or torch tensor) holds NaN or ±inf; ``hint`` is added."""
    if hasattr(arr, "detach") and hasattr(arr, "isfinite"):  # torch tensor: count on its device
        bad, total = int((~arr.detach().isfinite()).sum()), arr.numel()
    else:
        arr = np.asarray(arr)
        if arr.dtype.kind not in "fc":  # integers and booleans are always finite
            return
        bad, total = int(np.count_nonzero(~np.isfinite(arr))), arr.size
    if bad:
        raise ValueError(f"{name} holds NaN or infinite values ({bad:,} of its {total:,} numbers, "
                         f"shape {tuple(arr.shape)}){hint}")


def as_real(x, name: str = "input") -> np.ndarray:
    """``as_numpy`` for maths on real numbers: finite float64 values, or a ValueError in words.

    Booleans and integers become float64; complex numbers, text and NaN / ±inf are refused
    (``astype(float)`` would silently drop an imaginary part).
    """
    a = as_numpy(x, name)
    if a.dtype.kind == "c":
        raise ValueError(f"{name} must hold real numbers; got complex numbers ({describe(a)}). "
                         f"Take .real or abs() first if that is what you mean")
    if a.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers; got {describe(a)}")
    a = a.astype(np.float64)
    require_finite(a, name, "; expected finite real numbers")
    return a


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
