"""Exercise checkers: the shared machinery plus one module per lesson."""

from __future__ import annotations

import importlib
import pkgutil

from ._core import (
    CheckResult,
    Hint,
    call_learner,
    check_function,
    is_not_implemented,
    is_stub,
    numeric_gradient,
    rel_error,
)

__all__ = [
    "CheckResult",
    "Hint",
    "call_learner",
    "check_function",
    "is_not_implemented",
    "is_stub",
    "numeric_gradient",
    "rel_error",
]

# Each lesson module lists its checkers in ``__all__``; re-export them here so that a
# notebook writes ``from workshop_utils.checks import check_hwc_to_chw``.
for _m in pkgutil.iter_modules(__path__):
    if not _m.name.startswith("_"):
        _mod = importlib.import_module(f"{__name__}.{_m.name}")
        for _name in getattr(_mod, "__all__", ()):
            globals()[_name] = getattr(_mod, _name)
            __all__.append(_name)
