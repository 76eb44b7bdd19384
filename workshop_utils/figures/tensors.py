"""Figure for notebook 01: an RGB image as three stacked channel planes."""

from __future__ import annotations

import numpy as np

from .. import data
from ..plotting import new_figure

__all__ = ["three_axis_front"]


def three_axis_front(photo=None, size: int = 96):
    """The RGB photo as its R, G and B planes stacked along a third (channel) axis."""
    from matplotlib.transforms import Affine2D

    img = data.load_photo("china") if photo is None else np.asarray(photo)
    H, W, _ = img.shape
    s = min(H, W)
    crop = img[(H - s) // 2: (H + s) // 2, (W - s) // 2: (W + s) // 2]
    step = max(1, s // size)
    crop = crop[::step, ::step][:size, :size]
    n = crop.shape[0]
    fig = new_figure(figsize=(6.4, 4.6), dpi=100)
    ax = fig.add_subplot()
    ax.set_axis_off()
    shear = Affine2D().skew_deg(0, -20)  # planes seen obliquely
    dx, dy = 0.45 * n, -0.30 * n  # each channel sits further back along the C axis
    tints = [(1, 0, 0), (0, 1, 0), (0, 0, 1)]
    names = ["R (channel 0)", "G (channel 1)", "B (channel 2)"]
    colours = ["#D55E00", "#009E73", "#0072B2"]
    for c in (2, 1, 0):  # back to front, so R is in front
        plane = (crop[..., c:c + 1] / 255.0) * np.array(tints[c], np.float32)
        tr = shear + Affine2D().translate(c * dx, c * dy) + ax.transData
        ax.imshow(plane, extent=(0, n, n, 0), transform=tr, interpolation="nearest",
                  zorder=10 - c)
        ax.plot([0, n, n, 0, 0], [0, 0, n, n, 0], color="0.25", lw=0.8, transform=tr,
                zorder=10 - c)
        # on the plane's own top strip, the part the plane in front leaves visible
        ax.text(0.03 * n, 0.015 * n, names[c], transform=tr, fontsize=9, color=colours[c],
                ha="left", va="top", rotation=20, rotation_mode="anchor", zorder=20,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})
    ax.annotate("", xy=(2.4 * dx, 2.4 * dy - 0.08 * n), xytext=(0, -0.08 * n),
                arrowprops={"arrowstyle": "->", "lw": 1.2}, zorder=20)
    ax.text(1.1 * dx - 0.1 * n, 1.1 * dy - 0.16 * n, "C = 3", fontsize=10, rotation=33,
            ha="center")
    ax.annotate("", xy=(-0.06 * n, n), xytext=(-0.06 * n, 0),
                arrowprops={"arrowstyle": "->", "lw": 1.2})
    ax.text(-0.1 * n, n / 2, "H (rows)", fontsize=10, ha="right", va="center")
    ax.annotate("", xy=(n, n * 1.06), xytext=(0, n * 1.06),
                arrowprops={"arrowstyle": "->", "lw": 1.2})
    ax.text(n / 2, n * 1.1, "W (columns)", fontsize=10, ha="center", va="top")
    ax.set_xlim(-0.55 * n, 2 * dx + 1.45 * n)
    ax.set_ylim(n * 1.25, 2 * dy - 0.55 * n)
    ax.set_aspect("equal")
    fig.suptitle(r"RGB image $X \in \mathbb{R}^{3\times H\times W}$: three stacked planes",
                 fontsize=11)
    return fig


ASSETS = {"3-axis_front.png": three_axis_front}
