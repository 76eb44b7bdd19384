"""Reproducibility and hardware: ``setup_notebook``, ``seed_everything`` and ``device``."""

from __future__ import annotations

import os
import random

import numpy as np

from ._validate import require_int

__all__ = ["setup_notebook", "seed_everything", "device", "training_threads", "THREADS_ENV", "train_live",
           "TRAIN_LIVE_ENV", "display_scale", "SCALE_ENV", "quiet", "QUIET_ENV"]

THREADS_ENV = "WORKSHOP_THREADS"


def training_threads() -> int:
    """How many CPU threads ``training.fit`` gives torch: ``$WORKSHOP_THREADS``, default 1.

    One thread by default, from measurements on a 2-core machine (benchmarks/RESULTS.md,
    section 7): the same seed then trains to the same weights in every run and whatever
    the machine's core count (two threads give other weights); beside one busy process two
    threads were 2-3x slower than one (a hub of many kernels, a busy laptop), while on a
    quiet machine one thread costs about a quarter of the CNN's speed and 5 % of the ViT's.
    A different count is recorded in the cache key of what it trains.
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


TRAIN_LIVE_ENV = "WORKSHOP_TRAIN_LIVE"


def train_live() -> bool:
    """Whether a lesson trains a model the course ships, or loads the shipped weights.

    On a laptop, Colab or any single-learner kernel lesson 05 trains its CNN and ViT live (that
    is the lesson). On a JupyterHub (a class hub, or Binder, which runs one), where many kernels
    share a few cores, it loads the weights that ship with the package instead: a room does
    not train a hundred copies at once. ``$WORKSHOP_TRAIN_LIVE`` = 1 or 0 decides either way;
    a hub's single-user servers are recognised by ``$JUPYTERHUB_USER``.
    """
    raw = os.environ.get(TRAIN_LIVE_ENV, "").strip()
    if raw in ("1", "0"):
        return raw == "1"
    if raw:
        raise ValueError(f"{TRAIN_LIVE_ENV} should be 1 (train live) or 0 (load shipped weights); "
                         f"got {raw!r}")
    return not os.environ.get("JUPYTERHUB_USER")


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


def setup_notebook(seed: int = 0, figure_format: str = "png") -> np.random.Generator:
    """What every lesson's set-up cell does, in one call (the synced set-up cell calls it).

    Inline figures as ``figure_format`` (in a Jupyter kernel; elsewhere nothing to set), the
    course's plot style, every random generator seeded with ``seed``, and one line naming
    the versions in use (left out when ``quiet()``: presenter mode). Figures are drawn
    ``display_scale()`` times larger where ``$WORKSHOP_SCALE`` asks. Returns
    ``seed_everything``'s numpy Generator.
    """
    if figure_format not in ("png", "retina", "svg", "jpeg"):
        raise ValueError(f"figure_format must be 'png', 'retina', 'svg' or 'jpeg'; got {figure_format!r}")
    rng = seed_everything(seed)
    from .plotting import use_style

    use_style()
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the course
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats(figure_format)
        if figure_format in ("png", "retina", "jpeg"):
            _figures_with_alt_text(get_ipython(), figure_format)
    import torch

    from . import __version__

    if quiet():
        return rng
    print(f"torch {torch.__version__} | numpy {np.__version__} | workshop_utils {__version__} "
          f"| seed {seed}")
    return rng


def _figures_with_alt_text(ip, figure_format: str) -> None:
    """Inline figures that carry a text alternative (WCAG 1.1.1): JupyterLab draws an
    ``image/png`` output as an <img> without ``alt``, so each figure also gets a ``text/html``
    output (which JupyterLab prefers): the same picture with ``alt`` saying what it shows
    (``plotting.describe_figure``: its title, panels and axis labels)."""
    import base64
    import html

    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    from .plotting import describe_figure

    fmt = "jpeg" if figure_format == "jpeg" else "png"
    mime = f"image/{fmt}"

    def _html(fig):
        data = print_figure(fig, fmt, bbox_inches="tight")
        if not data:
            return None
        src = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        return f'<img src="{src}" alt="{html.escape(describe_figure(fig))}">'

    ip.display_formatter.formatters["text/html"].for_type(Figure, _html)


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
