"""Figure for notebook 07: cross-entropy vs focal loss against the true class's probability."""

from __future__ import annotations

import numpy as np

from .. import losses
from ..plotting import PALETTE, new_figure

__all__ = ["ce_vs_focal"]

GAMMAS = (0.0, 0.5, 1.0, 2.0, 5.0)


def ce_vs_focal(gammas=GAMMAS, alpha: float = 1.0):
    """Loss −α (1 − p)^γ log p of one example against p, for several γ (γ = 0 is cross-entropy)."""
    p = np.linspace(0.0, 1.0, 501)[1:]
    fig = new_figure(figsize=(6.4, 4.2), dpi=100)
    ax = fig.add_subplot()
    ax.axvspan(0.6, 1.0, color="0.93", zorder=0)
    ax.text(0.8, 4.55, "well-classified\nexamples", ha="center", va="top", fontsize=9, color="0.3")
    for k, g in enumerate(gammas):
        label = rf"$\gamma = {g:g}$" + ("  (cross-entropy)" if g == 0 else "")
        ax.plot(p, losses.focal_curve(p, g, alpha), lw=2.2, color=PALETTE[k % len(PALETTE)],
                label=label)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 5)
    ax.set_xlabel(r"probability of the true class $\hat y_t$")
    ax.set_ylabel("loss")
    ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.8), fontsize=9)
    ax.set_title(r"focal loss $-\alpha\,(1-\hat y_t)^{\gamma}\,\log \hat y_t$"
                 rf" ($\alpha = {alpha:g}$) vs cross-entropy $-\log \hat y_t$", fontsize=11)
    return fig


ASSETS = {"ce-vs-focal.png": ce_vs_focal}
