"""The explorer pattern: a pure ``compute(**params) -> state`` plus ``draw(state)``.

A thin widget layer wires the controls to them. The figure is a matplotlib Figure
that is created once, updated in place, rendered to PNG and shown in an
``ipywidgets.Image``: the picture has a fixed size (the page does not jump), no
pyplot figure is ever opened (no "More than 20 figures" leak), nothing is printed
from callbacks (no stacked plots), and it works the same on ipywidgets 7 and 8, in
JupyterLab, Colab and Binder, without ipympl.
"""

from __future__ import annotations

import io
import math
import time

__all__ = ["Explorer", "render_png"]


def _encode_png(canvas, fmt: str = "png") -> bytes:
    from PIL import Image

    w, h = canvas.get_width_height()
    img = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    if fmt == "jpeg":  # photographs: JPEG encodes ~10x faster than PNG and is smaller
        img.convert("RGB").save(buf, format="jpeg", quality=90)
    else:
        img.convert("RGB").save(buf, format="png", compress_level=1)
    return buf.getvalue()


def render_png(fig, freeze_layout: bool = True) -> bytes:
    """Render a Figure to PNG bytes with the Agg canvas (what the inline backend does).

    With ``freeze_layout`` the constrained layout is solved on the first render and then
    kept, so later renders draw once instead of twice; PNG compression is kept light
    (level 1) because the bytes go straight to the browser.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    if freeze_layout and fig.get_layout_engine() is not None:
        fig.set_layout_engine("none")
    return _encode_png(canvas)


class Explorer:
    """Base class: subclasses set ``controls`` and implement ``compute`` and ``draw``.

    * ``self.controls`` - dict of name -> ipywidgets control (sliders, dropdowns …)
    * ``self.state`` - what ``compute`` returned for the values last drawn
    * ``self.update(**values)`` - set controls programmatically and redraw once
    * ``self.png`` - the encoded picture last shown (PNG, or JPEG with ``image_format``)
    * ``self.widget`` - the ipywidgets box to display (``display(explorer)`` works too)

    Speed: artists that ``setup`` appends to ``self.dynamic`` are drawn over a cached
    background (blitting), so a slider move redraws only them. Anything else that
    changes (limits, static titles) must call ``self.invalidate()`` in ``draw`` to get a
    full redraw.
    """

    figsize = (6.0, 3.5)
    dpi = 80
    title: str | None = None
    image_format = "png"  # "jpeg" for explorers that show photographs (faster to encode)

    def __init__(self, controls: dict, *, extra_widgets=(), figsize=None, dpi=None):
        import ipywidgets as widgets

        from ..plotting import new_figure

        self.controls = dict(controls)
        self.state = None
        self.render_count = 0
        self.last_render_s = math.nan
        self.png = b""
        self._hold = False
        self.dynamic = []
        self._background = None
        if figsize is not None:
            self.figsize = figsize
        if dpi is not None:
            self.dpi = dpi
        self.fig = new_figure(self.figsize, self.dpi)
        w_px = int(self.figsize[0] * self.dpi)
        h_px = int(self.figsize[1] * self.dpi)
        self.image = widgets.Image(
            format=self.image_format, layout=widgets.Layout(width=f"{w_px}px", height=f"{h_px}px")
        )
        self.html = widgets.HTML(value="")
        self.setup()
        for artist in self.dynamic:
            artist.set_animated(True)
        for ctl in self.controls.values():
            ctl.observe(self._on_change, names="value")
        header = [widgets.HTML(f"<b>{self.title}</b>")] if self.title else []
        self.widget = widgets.VBox(
            header
            + [widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))]
            + list(extra_widgets)
            + [self.html, self.image]
        )
        self.redraw()

    # -- to override ---------------------------------------------------------------
    def setup(self) -> None:
        """Create axes and artists on ``self.fig`` once."""

    def compute(self, **params):  # pragma: no cover - abstract
        raise NotImplementedError

    def draw(self, state) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self, state) -> str:
        """Optional HTML shown above the figure (e.g. the arithmetic with current numbers)."""
        return ""

    # -- wiring --------------------------------------------------------------------
    @property
    def values(self) -> dict:
        return {name: ctl.value for name, ctl in self.controls.items()}

    def _on_change(self, change) -> None:
        if not self._hold:
            self.redraw()

    def invalidate(self) -> None:
        """Ask for a full redraw on the next render (static parts changed)."""
        self._background = None

    def _render(self) -> bytes:
        if not self.dynamic:
            if self.image_format == "png":
                return render_png(self.fig)
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            canvas = self.fig.canvas
            if not isinstance(canvas, FigureCanvasAgg):
                canvas = FigureCanvasAgg(self.fig)
            canvas.draw()
            if self.fig.get_layout_engine() is not None:
                self.fig.set_layout_engine("none")
            return _encode_png(canvas, self.image_format)
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        canvas = self.fig.canvas
        if not isinstance(canvas, FigureCanvasAgg):
            canvas = FigureCanvasAgg(self.fig)
        if self._background is None:
            canvas.draw()  # everything except the animated (dynamic) artists
            if self.fig.get_layout_engine() is not None:
                self.fig.set_layout_engine("none")
                canvas.draw()
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self.dynamic:
            if artist.get_visible():
                self.fig.draw_artist(artist)
        return _encode_png(canvas, self.image_format)

    def redraw(self) -> None:
        t0 = time.perf_counter()
        state = self.compute(**self.values)
        self.draw(state)
        self.state = state
        self.html.value = self.describe(state)
        self.png = self._render()
        self.image.value = self.png
        self.render_count += 1
        self.last_render_s = time.perf_counter() - t0

    def update(self, **values):
        """Set several controls at once (validated) and redraw once; returns the new state."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"unknown control(s) {unknown}; this explorer has {sorted(self.controls)}")
        for name, value in values.items():
            ctl = self.controls[name]
            options = getattr(ctl, "options", None)
            if options is not None and not hasattr(ctl, "min"):
                labels = [o[1] if isinstance(o, tuple) else o for o in options]
                if value not in labels:
                    raise ValueError(f"{name} must be one of {labels}; got {value!r}")
            lo, hi = getattr(ctl, "min", None), getattr(ctl, "max", None)
            if lo is not None and hi is not None and not (lo <= value <= hi):
                raise ValueError(f"{name} must be between {lo} and {hi}; got {value!r}")
        self._hold = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._hold = False
        self.redraw()
        return self.state

    def sweep_values(self, name: str, n: int = 5) -> list:
        """Values spanning a control's whole range (both ends included), for tests."""
        ctl = self.controls[name]
        if hasattr(ctl, "min") and hasattr(ctl, "max"):
            lo, hi = ctl.min, ctl.max
            if isinstance(lo, int) and isinstance(hi, int):
                step = getattr(ctl, "step", 1) or 1
                vals = list(range(lo, hi + 1, step))
                if len(vals) > n:
                    idx = [round(i * (len(vals) - 1) / (n - 1)) for i in range(n)]
                    vals = [vals[i] for i in idx]
                return vals
            return [lo + (hi - lo) * i / (n - 1) for i in range(n)]
        options = ctl.options
        return [o[1] if isinstance(o, tuple) else o for o in options]

    # -- display -------------------------------------------------------------------
    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget's view, plus the picture last drawn and its description as text.

        JupyterLab, Colab and Binder render the widget view (it outranks the picture);
        static renderers (nbconvert, GitHub, nbviewer, the course site) show the picture,
        with the title and description as its text.
        """
        import base64
        import html
        import re

        widget = self.widget
        if hasattr(widget, "_repr_mimebundle_"):  # ipywidgets 8
            data = dict(widget._repr_mimebundle_() or {})
        else:  # ipywidgets 7: what its Widget._ipython_display_ publishes
            data = {"application/vnd.jupyter.widget-view+json": {
                "version_major": 2, "version_minor": 0, "model_id": widget.model_id}}
            widget._handle_displayed()
        text = re.sub(r"<[^>]+>", " ", self.describe(self.state))
        text = re.sub(r"\s+", " ", html.unescape(text)).strip()
        values = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        data["text/plain"] = " ".join(filter(None, [self.title, f"({type(self).__name__}: {values})", text]))
        mime = "image/jpeg" if self.image_format == "jpeg" else "image/png"
        metadata = {}
        if self.png:
            data[mime] = base64.b64encode(self.png).decode("ascii")
            metadata[mime] = {"width": int(self.figsize[0] * self.dpi),
                              "height": int(self.figsize[1] * self.dpi)}
        return data, metadata

    def __repr__(self) -> str:
        vals = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({vals})"
