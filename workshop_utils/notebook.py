"""What a lesson's set-up cell calls: ``setup_notebook`` (seeds, the course's plot style, inline
figures with alt text, the versions line)."""

from __future__ import annotations

import numpy as np

from .core import quiet, seed_everything

__all__ = ["setup_notebook"]


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

    from . import __version__  # a constant, set before the package imports anything

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


