"""One colour-blind-safe plot style, image grids and mosaics, and the one way figures become pictures.

``render`` turns a Figure that pyplot never sees into PNG (or JPEG) bytes; the explorers
(``explorers/_base.py``) and ``TrainingMonitor`` show those bytes in an ``ipywidgets.Image``.
"""

from __future__ import annotations

import io

import numpy as np

from ._validate import as_numpy, describe, require_int

__all__ = ["PALETTE", "OKABE_ITO", "COLORS", "use_style", "image_grid", "to_display", "new_figure", "render",
           "mosaic", "subscript", "describe_figure", "TrainingMonitor", "training_monitor"]

# Okabe & Ito (2008)'s hues, distinguishable with every common form of colour blindness;
# the light ones (orange, sky blue, yellow; reddish purple for a margin) darkened to reach
# WCAG's 3:1 non-text contrast on the figures' white background (1.4.11: a line must stand out
# from the page), tests/test_site.py computes every ratio. OKABE_ITO keeps the originals.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
PALETTE = (
    "#0072B2",  # blue             5.2:1 on white
    "#B8740A",  # orange           3.8:1 (Okabe-Ito #E69F00: 2.2:1)
    "#009E73",  # bluish green     3.4:1
    "#D55E00",  # vermillion       3.9:1
    "#B35A96",  # reddish purple   4.4:1 (#CC79A7: 3.1:1)
    "#2F8FC6",  # sky blue         3.6:1 (#56B4E9: 2.3:1)
    "#8F8200",  # yellow (olive)   3.9:1 (#F0E442: 1.3:1)
    "#000000",  # black           21:1
)
COLORS = dict(zip(("blue", "orange", "green", "red", "purple", "sky", "yellow", "black"), PALETTE))

STYLE = {
    "axes.prop_cycle": None,  # filled in by use_style
    "image.cmap": "viridis",
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "font.size": 10,
    "axes.titlesize": 11,
    "legend.frameon": False,
}


_TEX = [("\\mathbb{R}", "ℝ"), ("\\mathcal ", ""), ("\\in", " ∈ "), ("\\times", "×"), ("\\nabla", "∇"),
        ("\\theta", "θ"), ("\\eta", "η"), ("\\leftarrow", "←"), ("\\gamma", "γ"), ("\\alpha", "α"),
        ("\\dfrac", ""), ("\\frac", ""), ("\\,", " ")]


def _plain(text: str) -> str:
    for tex, plain in _TEX:
        text = text.replace(tex, plain)
    for ch in "$\\{}":
        text = text.replace(ch, "")
    return " ".join(text.split())


def describe_figure(fig) -> str:
    """A figure's text alternative: its title, then each panel's title and axis labels
    (TeX markup spelled out), e.g. "Figure: Sigmoid. 2 panels: σ(z) (x: z, y: σ(z)); …"."""
    sup = getattr(fig, "_suptitle", None)
    head = "Figure" + (f": {_plain(sup.get_text())}" if sup is not None and sup.get_text() else "")
    panels, images, n = [], 0, 0
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        n += 1
        images += bool(ax.images)
        title = " ".join(t for t in (ax.get_title("left"), ax.get_title(), ax.get_title("right")) if t)
        bits = [_plain(title)] if title else []
        xl, yl = _plain(ax.get_xlabel()), _plain(ax.get_ylabel())
        if xl or yl:
            bits.append(", ".join(b for b in (f"x: {xl}" if xl else "", f"y: {yl}" if yl else "") if b))
        if bits:
            panels.append(" (".join(bits) + (")" if len(bits) > 1 else ""))
    body = f"{n} panel{'s' if n != 1 else ''}" + (f" ({images} showing images)" if images else "")
    if panels:
        body += ": " + "; ".join(dict.fromkeys(panels))
    return f"{head}. {body}."


def use_style() -> None:
    """Apply the course style (Okabe-Ito colours, viridis for maps) to matplotlib.

    Figures get ``core.display_scale()`` times the style's dots per inch (presenter mode).
    """
    import matplotlib as mpl
    from cycler import cycler

    from .core import display_scale

    style = dict(STYLE)
    style["axes.prop_cycle"] = cycler(color=list(PALETTE))
    scale = display_scale()
    style["figure.dpi"] = STYLE["figure.dpi"] * scale
    style["savefig.dpi"] = STYLE["savefig.dpi"] * scale
    mpl.rcParams.update(style)


def new_figure(figsize=(6.0, 4.0), dpi: int = 80):
    """A matplotlib Figure not registered with pyplot: it never leaks or piles up.

    Its dots per inch are ``dpi`` times ``core.display_scale()`` (1 unless presenter mode
    asks for larger figures): read ``fig.dpi`` for its size in pixels.
    """
    from matplotlib.figure import Figure

    from .core import display_scale

    use_style()
    return Figure(figsize=figsize, dpi=dpi * display_scale(), layout="constrained")


def to_display(img, name: str = "image") -> np.ndarray:
    """One image as something ``imshow`` draws: H×W, or H×W×3 in [0, 1] / uint8.

    Accepts H×W, H×W×3 (numpy / PIL order) and 1×H×W or 3×H×W (torch order).
    """
    a = as_numpy(img, name)
    if a.ndim == 2:
        return a
    if a.ndim == 3:
        if a.shape[-1] in (1, 3, 4) and a.shape[0] not in (1, 3):
            return a[..., 0] if a.shape[-1] == 1 else a
        if a.shape[0] == 1:
            return a[0]
        if a.shape[0] == 3:
            return np.moveaxis(a, 0, -1)
        if a.shape[-1] in (1, 3):
            return a[..., 0] if a.shape[-1] == 1 else a
    raise ValueError(
        f"{name} should be H×W, H×W×3 or C×H×W with C=1 or 3; got {describe(a)}"
    )


def image_grid(
    images,
    titles=None,
    ncols: int | None = None,
    cmap: str = "gray",
    size: float = 1.4,
    suptitle: str | None = None,
    fig=None,
    vmin=None,
    vmax=None,
):
    """Draw a grid of images or feature maps and return the figure.

    ``images`` is a sequence of single images, or an array of shape N×H×W, N×H×W×3,
    N×1×H×W or N×3×H×W (numpy or torch). Feature maps C×H×W of one image pass as N×H×W.
    """
    if hasattr(images, "shape"):
        arr = as_numpy(images, "images")
        if arr.ndim not in (3, 4):
            raise ValueError(
                "images should be a batch N×H×W, N×H×W×3, N×1×H×W or N×3×H×W; "
                f"got {describe(arr)}"
            )
        items = [arr[i] for i in range(arr.shape[0])]
    else:
        items = list(images)
    if len(items) == 0:
        raise ValueError("images is empty; give at least one image")
    items = [to_display(im, f"images[{i}]") for i, im in enumerate(items)]
    n = len(items)
    if titles is not None:
        titles = list(titles)
        if len(titles) != n:
            raise ValueError(f"got {len(titles)} titles for {n} images; give one per image")
    if ncols is None:
        ncols = min(n, 8)
    if int(ncols) < 1:
        raise ValueError(f"ncols must be at least 1; got {ncols}")
    ncols = int(ncols)
    nrows = int(np.ceil(n / ncols))
    if fig is None:
        fig = new_figure(figsize=(size * ncols, size * nrows + (0.3 if suptitle else 0)))
    else:
        fig.clear()
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k < n:
            im = items[k]
            ax.imshow(im, cmap=None if im.ndim == 3 else cmap, vmin=vmin, vmax=vmax)
            if titles is not None:
                ax.set_title(str(titles[k]), fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def subscript(n: int) -> str:
    """``12`` → ``"₁₂"``: layer indices written as in the maths (W₁, h₂)."""
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def mosaic(maps, ncols: int, pad: int = 1, fill: float = np.nan) -> np.ndarray:
    """Tile C feature maps C×h×w into one image (rows of ``ncols`` maps, ``pad`` pixels apart)."""
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim != 3:
        raise ValueError(f"maps should be C×h×w; got shape {maps.shape}")
    ncols = require_int(ncols, "ncols", low=1)
    pad = require_int(pad, "pad", low=0)
    c, h, w = maps.shape
    nrows = -(-c // ncols)
    out = np.full((nrows * (h + pad) - pad, ncols * (w + pad) - pad), fill)
    for i in range(c):
        r, q = divmod(i, ncols)
        out[r * (h + pad): r * (h + pad) + h, q * (w + pad): q * (w + pad) + w] = maps[i]
    return out


# --------------------------------------------------------------------------- figure → bytes
PICTURE_FORMATS = ("png", "jpeg")


def agg_canvas(fig):
    """The figure's Agg canvas (what the inline backend draws with), attached if missing."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)


def draw_and_freeze(fig) -> bool:
    """Draw ``fig`` on its Agg canvas; the first time, solve its constrained layout and keep it.

    Later draws then run once instead of twice. Returns True when the layout was frozen now
    (the caller may want to draw again before copying a background).
    """
    agg_canvas(fig).draw()
    if fig.get_layout_engine() is not None:
        fig.set_layout_engine("none")
        return True
    return False


def encode(canvas, fmt: str = "png") -> bytes:
    """The pixels drawn on an Agg canvas as PNG (light compression) or JPEG (photographs)."""
    from PIL import Image

    if fmt not in PICTURE_FORMATS:
        raise ValueError(f"fmt must be one of {PICTURE_FORMATS}; got {fmt!r}")
    w, h = canvas.get_width_height()
    img = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    if fmt == "jpeg":  # photographs: JPEG encodes ~10x faster than PNG and is smaller
        img.save(buf, format="jpeg", quality=90)
    else:  # the bytes go straight to the browser: level 1 is fast and small enough
        img.save(buf, format="png", compress_level=1)
    return buf.getvalue()


def render(fig, fmt: str = "png") -> bytes:
    """A Figure as PNG (or JPEG) bytes, drawn with the Agg canvas as the inline backend does.

    The constrained layout is solved on the first render and then kept, so later renders
    of the same figure draw once instead of twice.
    """
    draw_and_freeze(fig)
    return encode(agg_canvas(fig), fmt)


# --------------------------------------------------------------------------- live loss curve
class TrainingMonitor:
    """A live loss and accuracy curve: pass ``monitor.on_epoch`` to ``training.fit``.

    The picture is an ``ipywidgets.Image`` redrawn after every epoch (no threads, no pyplot);
    ``loss`` and ``train_acc`` keep the points for tests, ``picture`` the last PNG bytes;
    ``live=False`` only records.
    """

    def __init__(self, epochs: int, title: str = "training", live: bool = True):
        import ipywidgets as widgets

        self.epochs = require_int(epochs, "epochs", low=1)
        self.title = title
        self.live = bool(live)
        self.loss, self.train_acc, self.seconds = [], [], []
        self.fig = new_figure((6.4, 2.3), 80)
        ax_loss, ax_acc = self.fig.subplots(1, 2)
        for ax in (ax_loss, ax_acc):
            ax.set_xlim(0.5, self.epochs + 0.5)
            ax.set_xlabel("epoch")
        ax_loss.set_ylim(0, 2.5)
        ax_loss.set_title(f"{title}: training loss", fontsize=9)
        ax_acc.set_ylim(0, 1)
        ax_acc.set_title("training accuracy (augmented)", fontsize=9)
        (self.loss_line,) = ax_loss.plot([], [], "-o", ms=3, color=COLORS["blue"])
        (self.acc_line,) = ax_acc.plot([], [], "-o", ms=3, color=COLORS["orange"])
        self.text = ax_loss.text(0.97, 0.92, "", transform=ax_loss.transAxes, ha="right", va="top",
                                 fontsize=8)
        dpi = self.fig.dpi
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{6.4 * dpi:.0f}px",
                                                                       height=f"{2.3 * dpi:.0f}px"))
        self.picture = b""
        self._draw()

    def _draw(self):
        ep = np.arange(1, len(self.loss) + 1)
        self.loss_line.set_data(ep, np.minimum(self.loss, 2.45))
        self.acc_line.set_data(ep, self.train_acc)
        if self.loss:
            self.text.set_text(f"epoch {len(self.loss)}/{self.epochs}, {self.seconds[-1]:.1f} s")
        self.picture = render(self.fig)
        self.image.value = self.picture

    def on_epoch(self, epoch, hist):
        """Callback for ``fit``: record the epoch's numbers and redraw."""
        self.loss = list(hist.loss)
        self.train_acc = list(hist.train_acc)
        self.seconds.append(hist.seconds)
        if self.live:
            self._draw()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.image)

    def __repr__(self) -> str:
        return f"TrainingMonitor({self.title!r}, {len(self.loss)}/{self.epochs} epochs)"


def training_monitor(epochs: int, title: str = "training", live: bool = True) -> TrainingMonitor:
    """A live loss/accuracy curve to pass to ``fit(..., on_epoch=monitor.on_epoch)``."""
    return TrainingMonitor(epochs, title, live)
