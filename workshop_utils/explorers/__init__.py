"""Slider explorers, one module per lesson; each builder returns an :class:`Explorer`."""

from __future__ import annotations

import importlib
import pkgutil

from ._base import Explorer, render_png

__all__ = ["Explorer", "render_png"]

# Every lesson module lists its builders in ``__all__``; they are re-exported here so
# notebooks can write ``from workshop_utils.explorers import pixel_inspector``.
for _m in pkgutil.iter_modules(__path__):
    if not _m.name.startswith("_"):
        _mod = importlib.import_module(f"{__name__}.{_m.name}")
        for _name in getattr(_mod, "__all__", ()):
            globals()[_name] = getattr(_mod, _name)
            __all__.append(_name)
