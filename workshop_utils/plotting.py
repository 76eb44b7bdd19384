"""One colour-blind-safe plot style and an image grid for images and feature maps."""

from __future__ import annotations

import numpy as np

from ._validate import as_numpy, describe

__all__ = ["PALETTE", "COLORS", "use_style", "image_grid", "to_display", "new_figure"]

# Okabe & Ito (2008): distinguishable with every common form of colour blindness.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
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


def use_style() -> None:
    """Apply the course style (Okabe-Ito colours, viridis for maps) to matplotlib."""
    import matplotlib as mpl
    from cycler import cycler

    style = dict(STYLE)
    style["axes.prop_cycle"] = cycler(color=list(PALETTE))
    mpl.rcParams.update(style)


def new_figure(figsize=(6.0, 4.0), dpi: int = 80):
    """A matplotlib Figure not registered with pyplot: it never leaks or piles up."""
    from matplotlib.figure import Figure

    use_style()
    return Figure(figsize=figsize, dpi=dpi, layout="constrained")


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
