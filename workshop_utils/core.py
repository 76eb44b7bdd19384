"""Reproducibility, hardware and the course's settings: seeds, ``device``, threads, scale, quiet.

(``setup_notebook``, which also styles plots, lives in ``notebook``.)
"""

from __future__ import annotations

import os
import random

import numpy as np

from ._validate import require_int

__all__ = ["seed_everything", "device", "training_threads", "THREADS_ENV", "display_scale", "SCALE_ENV",
           "quiet", "QUIET_ENV"]

THREADS_ENV = "WORKSHOP_THREADS"


def training_threads() -> int:
    """How many CPU threads ``training.fit`` gives torch: ``$WORKSHOP_THREADS``, default 1.

    One thread so that a seed trains to the same weights in every run and on any core count,
    and a busy hub or laptop is not slowed further (measured: benchmarks/RESULTS.md, section
    7). Same weights also need the same torch and CPU kernels (CONTRIBUTING.md, "Trained weights").
    A different count is part of the identity of what it trains (``trained.identity``).
    """
    raw = os.environ.get(THREADS_ENV, "1").strip() or "1"
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if n < 1:
        raise ValueError(f"{THREADS_ENV} should be a whole number of threads, 1 or more; got {raw!r}")
    return n


SCALE_ENV = "WORKSHOP_SCALE"
QUIET_ENV = "WORKSHOP_QUIET"


def display_scale() -> float:
    """How many times larger than usual figures and explorer pictures are drawn: ``$WORKSHOP_SCALE``.

    1 by default; presenter mode (``make present SCALE=…``, default 1.75) sets it, so the
    lessons' figures grow with the projected text. It multiplies the dots per inch, so a
    figure keeps its layout and every label in it, tick labels included, grows alike.
    """
    raw = os.environ.get(SCALE_ENV, "").strip()
    if not raw:
        return 1.0
    try:
        scale = float(raw)
    except ValueError:
        scale = float("nan")
    if not 0.5 <= scale <= 4.0:  # also false for NaN
        raise ValueError(f"{SCALE_ENV} should be a number from 0.5 to 4 (1 = the usual size, 1.75 = "
                         f"presenter mode's default); got {raw!r}")
    return scale


def quiet() -> bool:
    """Whether the course's housekeeping messages are left out: ``$WORKSHOP_QUIET`` = 1.

    Presenter mode sets it: a projected page shows the lesson, not "loaded the cached
    weights …" or the set-up cell's version line. Warnings and errors still show.
    """
    raw = os.environ.get(QUIET_ENV, "").strip()
    if raw in ("", "0"):
        return False
    if raw != "1":
        raise ValueError(f"{QUIET_ENV} should be 1 (leave out housekeeping messages) or 0; got {raw!r}")
    return True


def seed_everything(seed: int = 0) -> np.random.Generator:
    """Seed Python, numpy and torch so a notebook run twice prints the same numbers.

    Returns a fresh ``numpy.random.Generator`` seeded with ``seed`` for code that
    prefers explicit generators.
    """
    seed = require_int(seed, "seed", low=0, high=2**32 - 1)
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    import torch

    torch.manual_seed(seed)
    if torch.cuda.is_available():  # pragma: no cover - no GPU in CI
        torch.cuda.manual_seed_all(seed)
    return np.random.default_rng(seed)


def device(prefer: str | None = None):
    """The best available torch device: CUDA, then Apple's MPS, then the CPU.

    ``prefer="cpu"`` (or the environment variable ``WORKSHOP_DEVICE=cpu``) forces a device.
    """
    import torch

    prefer = prefer or os.environ.get("WORKSHOP_DEVICE")
    if prefer is not None:
        if prefer not in {"cpu", "cuda", "mps"}:
            raise ValueError(f"prefer must be 'cpu', 'cuda' or 'mps'; got {prefer!r}")
        if prefer == "cuda" and not torch.cuda.is_available():
            raise ValueError("prefer='cuda' but torch sees no CUDA GPU on this machine")
        if prefer == "mps" and not _mps_available(torch):
            raise ValueError("prefer='mps' but torch sees no Apple MPS device on this machine")
        return torch.device(prefer)
    if torch.cuda.is_available():  # pragma: no cover - no GPU in CI
        return torch.device("cuda")
    if _mps_available(torch):  # pragma: no cover - no Apple GPU in CI
        return torch.device("mps")
    return torch.device("cpu")


def _mps_available(torch) -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())
