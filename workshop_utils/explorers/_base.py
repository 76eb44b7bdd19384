"""The explorer pattern: a pure ``compute(**params) -> state`` plus ``draw(state)``.

A thin widget layer wires the controls to them. The figure is a matplotlib Figure
that is created once, updated in place, rendered to PNG or JPEG (``plotting.render``'s
steps, plus blitting) and shown in an ``ipywidgets.Image``: the picture has a fixed
size (the page does not jump), no
pyplot figure is ever opened (no "More than 20 figures" leak), nothing is printed
from callbacks (no stacked plots), and it works the same on ipywidgets 7 and 8, in
JupyterLab, Colab and Binder, without ipympl.
"""

from __future__ import annotations

import collections
import math
import time
from contextlib import contextmanager

from ..plotting import agg_canvas, draw_and_freeze, encode, new_figure

__all__ = ["Explorer"]

_IMAGE_CLASS = []


def _described_image():
    """ipywidgets' Image with an empty, synced ``description``: ipywidgets 8 shows a widget's
    ``tooltip`` as its element's ``title`` only after reading ``description.length``, which an
    Image model lacks (its view then fails: "Error setting state … reading 'length'", no
    picture). With it, the <img> gets its ``title``: the picture's text alternative."""
    if not _IMAGE_CLASS:
        import ipywidgets as widgets
        import traitlets

        class DescribedImage(widgets.Image):
            description = traitlets.Unicode("").tag(sync=True)

        _IMAGE_CLASS.append(DescribedImage)
    return _IMAGE_CLASS[0]


def _slider_value(name: str, ctl, value, lo, hi):
    """``value`` for the slider ``name`` (range ``lo``..``hi``), or a ValueError naming the control.

    A whole-number slider takes only whole numbers (2.5 is refused, not drawn as 2); no
    slider takes True/False, text or None (Python would treat True as 1).
    """
    import numbers

    whole = isinstance(lo, int) and isinstance(hi, int) and isinstance(getattr(ctl, "step", 1) or 1, int)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{name} must be {kind} between {lo} and {hi}; got {value!r} "
                         f"({type(value).__name__})")
    if whole and value != int(value):
        raise ValueError(f"{name} takes whole numbers between {lo} and {hi}; got {value!r}")
    if not math.isfinite(value) or not (lo <= value <= hi):
        raise ValueError(f"{name} must be between {lo} and {hi}; got {value!r}")
    return int(value) if whole else float(value)


def started(explorer, **requested):
    """``explorer``, after checking the start values a factory was given for its sliders.

    ipywidgets clamps a slider's starting value into its range without a word
    (``focal_explorer(gamma=-1)`` would start at 0): here such a value, or one that is not a
    number, is a ValueError naming the control and its range.
    """
    for name, value in requested.items():
        ctl = explorer.controls[name]
        lo, hi = getattr(ctl, "min", None), getattr(ctl, "max", None)
        options = getattr(ctl, "options", None)
        if lo is not None and hi is not None:
            _slider_value(name, ctl, value, lo, hi)
        elif options is not None:
            values = [o[1] if isinstance(o, tuple) else o for o in options]
            if isinstance(value, bool) or value not in values:
                raise ValueError(f"{name} must be one of {values}; got {value!r}")
    return explorer


LABEL_CHARS = 9  # what ipywidgets' default label (80 px) holds at 13 px text without "…"


class Explorer:
    """Base class: subclasses set ``controls`` and implement ``compute`` and ``draw``.

    * ``self.controls`` - dict of name -> ipywidgets control (sliders, dropdowns …)
    * ``self.state`` - what ``compute`` returned for the values last drawn
    * ``self.update(**values)`` - set controls programmatically and redraw once
    * ``with self.holding():`` - change controls (their values, ranges, other widgets)
      without a redraw; redraw yourself afterwards if the picture should follow
    * ``self.picture`` - the encoded picture last shown (PNG, or JPEG with ``image_format``)
    * ``self.caption(state)`` - optional HTML shown above the picture
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

        self.controls = dict(controls)
        self.state = None
        self.render_count = 0
        self.last_render_s = math.nan
        # the latest redraws' durations (compute + draw + encode), oldest first: the browser
        # test and make bench split a slider move into this kernel time and the rest
        self.render_log: collections.deque = collections.deque(maxlen=64)
        self.picture = b""
        self._held = 0
        self.dynamic = []
        self._background = None
        if figsize is not None:
            self.figsize = figsize
        if dpi is not None:
            self.dpi = dpi
        from ..core import display_scale

        scale = display_scale()
        # ipywidgets cuts a description longer than its fixed label width ("hidden la…"): then
        # every label of the explorer gets the width of the longest, so the sliders still align
        plain = [c for c in self.controls.values()
                 if getattr(getattr(c, "style", None), "description_width", None) == ""]
        longest = max((len(c.description) for c in plain), default=0)
        if longest > LABEL_CHARS:
            for ctl in plain:
                ctl.style.description_width = f"{(7.5 * longest + 8) * scale:.0f}px"
        if scale != 1:  # controls given a width in pixels grow with the text (presenter mode)
            for ctl in [*self.controls.values(), *extra_widgets]:
                width = getattr(getattr(ctl, "layout", None), "width", None)
                if isinstance(width, str) and width.endswith("px"):
                    ctl.layout.width = f"{float(width[:-2]) * scale:.0f}px"
        self.fig = new_figure(self.figsize, self.dpi)  # fig.dpi: self.dpi × core.display_scale()
        w_px = int(self.figsize[0] * self.fig.dpi)
        h_px = int(self.figsize[1] * self.fig.dpi)
        self.image = _described_image()(
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

    def caption(self, state) -> str:
        """Optional HTML shown above the figure (e.g. the arithmetic with current numbers)."""
        return ""

    # -- wiring --------------------------------------------------------------------
    @property
    def values(self) -> dict:
        return {name: ctl.value for name, ctl in self.controls.items()}

    @property
    def held(self) -> bool:
        """True inside ``with self.holding():`` (control changes do not redraw)."""
        return self._held > 0

    @contextmanager
    def holding(self):
        """Change controls without redrawing: ``with explorer.holding(): slider.max = 10``.

        Nests; observers of other widgets can test ``self.held`` to ignore changes made here.
        """
        self._held += 1
        try:
            yield self
        finally:
            self._held -= 1

    def _on_change(self, change) -> None:
        if not self.held:
            self.redraw()

    def invalidate(self) -> None:
        """Ask for a full redraw on the next render (static parts changed)."""
        self._background = None

    def _render(self) -> bytes:
        """The one render path: a full draw, or (with ``dynamic`` artists) a blit over the
        cached background; then encoded as ``image_format``."""
        canvas = agg_canvas(self.fig)
        if not self.dynamic:
            draw_and_freeze(self.fig)
        elif self._background is None:
            if draw_and_freeze(self.fig):  # everything except the animated (dynamic) artists
                canvas.draw()  # again, with the layout now fixed
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self.dynamic:
            if artist.get_visible():
                self.fig.draw_artist(artist)
        return encode(canvas, self.image_format)

    def redraw(self) -> None:
        t0 = time.perf_counter()
        state = self.compute(**self.values)
        self.draw(state)
        self.state = state
        self.html.value = self.caption(state)
        self.picture = self._render()
        self.image.value = self.picture
        self._describe_picture()
        self.render_count += 1
        self.last_render_s = time.perf_counter() - t0
        self.render_log.append(self.last_render_s)

    @property
    def alt_text(self) -> str:
        """The picture's text alternative: the title, the control values and the caption as
        plain text (sub/superscripts kept); it changes with every redraw."""
        from .frames import html_to_text

        values = ", ".join(f"{k} = {v:.6g}" if isinstance(v, float) else f"{k} = {v}"
                           for k, v in self.values.items())  # 2.1, not 2.0999999999999996
        caption = html_to_text(self.caption(self.state) or "")
        head = f"{self.title or type(self).__name__} at {values}"
        return f"{head}: {caption}" if caption else head

    def _describe_picture(self) -> None:
        """Give the Image widget its text alternative: ipywidgets' Image has no ``alt``, but
        ipywidgets 8's ``tooltip`` becomes the <img>'s ``title``, which is its accessible name
        (WCAG 1.1.1; axe-core's image-alt accepts it). ipywidgets 7 has no tooltip: there the
        caption above the picture is the description."""
        if self.image.has_trait("tooltip"):
            self.image.tooltip = self.alt_text

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
            if lo is not None and hi is not None:
                values[name] = value = _slider_value(name, ctl, value, lo, hi)
        with self.holding():
            for name, value in values.items():
                self.controls[name].value = value
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
        text = re.sub(r"<[^>]+>", " ", self.caption(self.state))
        text = re.sub(r"\s+", " ", html.unescape(text)).strip()
        values = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        data["text/plain"] = " ".join(filter(None, [self.title, f"({type(self).__name__}: {values})", text]))
        mime = "image/jpeg" if self.image_format == "jpeg" else "image/png"
        metadata = {}
        if self.picture:
            data[mime] = base64.b64encode(self.picture).decode("ascii")
            metadata[mime] = {"width": int(self.figsize[0] * self.fig.dpi),
                              "height": int(self.figsize[1] * self.fig.dpi)}
        return data, metadata

    def __repr__(self) -> str:
        vals = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({vals})"
