"""Explorer for notebook 07: γ and α sliders → focal loss against cross-entropy, the
modulating factor (1 − p)^γ, and what each example of a real batch contributes."""

from __future__ import annotations

import numpy as np

from .. import losses
from .._validate import as_numpy, describe
from ..plotting import COLORS
from ._base import Explorer, started

__all__ = ["focal_explorer", "FocalExplorer", "cnn_batch"]

GAMMA_RANGE = (0.0, 5.0)
ALPHA_RANGE = (0.1, 2.0)
LOSS_FLOOR = 1e-6  # the log-scale panel draws smaller losses at this floor


def cnn_batch(n: int = 64, seed: int = 0):
    """Probabilities N×C and labels of the course's trained CNN on the first ``n`` test digits."""
    from ..data import load_mnist5k
    from ..trained import pretrained_cnn
    from ..training import predict_proba

    _, _, Xte, yte = load_mnist5k(seed=0).tensors()
    model = pretrained_cnn(seed, verbose=False)
    return predict_proba(model, Xte[:n]).double().numpy(), yte[:n].numpy()


class FocalExplorer(Explorer):
    """γ and α sliders: focal loss −α (1 − p)^γ log p vs cross-entropy −log p, and a batch."""

    title = "Focal explorer: loss = −α (1 − p)^γ log p, p = the true class's probability"
    figsize = (10.0, 3.3)

    def __init__(self, probs, labels, gamma: float = 2.0, alpha: float = 1.0):
        import ipywidgets as widgets

        P = as_numpy(probs, "probs").astype(np.float64)
        y = as_numpy(labels, "labels")
        if P.ndim != 2 or len(P) < 2:
            raise ValueError(f"probs should be a batch N×C of probabilities; got {describe(P)}")
        if y.shape != (len(P),) or y.dtype.kind not in "iu":
            raise ValueError(f"labels should be {len(P)} integer class indices; got {describe(y)}")
        if np.any(y < 0) or np.any(y >= P.shape[1]):
            raise ValueError(f"labels must be class indices 0..{P.shape[1] - 1}")
        if not np.all(np.isfinite(P)) or np.any(P < 0) or not np.allclose(P.sum(1), 1, atol=1e-4):
            raise ValueError("probs must be rows of probabilities (non-negative, each summing to 1)")
        p_t = P[np.arange(len(P)), y]
        self.order = np.argsort(p_t)  # hardest (smallest p) first
        self.p_true = np.clip(p_t[self.order], 1e-12, 1.0)
        self.labels = y[self.order]
        self.ce = losses.focal_curve(self.p_true, 0.0)  # −log p per example
        self.grid = np.linspace(0.001, 1.0, 300)
        look = dict(style={"description_width": "initial"}, layout=widgets.Layout(width="300px"))
        controls = {
            "gamma": widgets.FloatSlider(value=float(gamma), min=GAMMA_RANGE[0], max=GAMMA_RANGE[1],
                                         step=0.1, readout_format=".1f", description="γ (focusing)",
                                         **look),
            "alpha": widgets.FloatSlider(value=float(alpha), min=ALPHA_RANGE[0], max=ALPHA_RANGE[1],
                                         step=0.05, readout_format=".2f",
                                         description="α (class weight)", **look),
        }
        super().__init__(controls)

    def setup(self):
        ax_l, ax_m, ax_b = self.fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 1.4]})
        g = self.grid
        ax_l.plot(g, losses.focal_curve(g, 0.0), color="0.35", ls="--", lw=1.5,
                  label="cross-entropy −log p")
        (self.l_line,) = ax_l.plot(g, np.zeros_like(g), color=COLORS["red"], lw=2, label="focal")
        self.l_pts = ax_l.scatter(self.p_true, np.zeros_like(self.p_true), s=10,
                                  color=COLORS["blue"], zorder=3, label="batch")
        ax_l.set_xlim(0, 1)
        ax_l.set_ylim(0, 5)
        ax_l.set_xlabel("p (probability of the true class)")
        ax_l.set_title("loss of one example", fontsize=10)
        ax_l.legend(loc="upper right", fontsize=8)
        ax_m.plot(g, 1.0 - g, color="0.7", lw=1, ls=":")
        (self.m_line,) = ax_m.plot(g, np.zeros_like(g), color=COLORS["purple"], lw=2)
        ax_m.set_xlim(0, 1)
        ax_m.set_ylim(0, 1.05)
        ax_m.set_xlabel("p (probability of the true class)")
        ax_m.set_title(r"modulating factor $(1-p)^\gamma$", fontsize=10)
        x = np.arange(len(self.p_true))
        ax_b.scatter(x, np.maximum(self.ce, LOSS_FLOOR), s=14, facecolors="none",
                     edgecolors="0.35", label="cross-entropy")
        from matplotlib.collections import LineCollection

        self.b_seg = LineCollection([], colors=COLORS["red"], linewidths=0.8, alpha=0.6)
        ax_b.add_collection(self.b_seg)
        self.b_pts = ax_b.scatter(x, np.ones_like(x, dtype=float), s=12, color=COLORS["red"],
                                  label="focal")
        ax_b.set_yscale("log")
        ax_b.set_ylim(LOSS_FLOOR * 0.5, 30)
        ax_b.set_xlim(-1, len(x))
        ax_b.set_xlabel("example of the batch, hardest → easiest")
        ax_b.set_title(f"each digit's loss ({len(x)} real test digits)", fontsize=10)
        ax_b.set_ylabel("loss (log scale; below 1e-6 drawn at 1e-6)", fontsize=8)
        ax_b.legend(loc="upper right", fontsize=8)
        self.dynamic = [self.l_line, self.l_pts, self.m_line, self.b_seg, self.b_pts]

    def compute(self, gamma, alpha):
        curve = losses.focal_curve(self.grid, gamma, alpha)
        factor = losses.modulating_factor(self.grid, gamma)
        focal = losses.focal_curve(self.p_true, gamma, alpha)
        n = len(focal)
        easy = np.arange(n) >= n // 2  # the easier half (sorted by p)
        ce_total, focal_total = float(self.ce.sum()), float(focal.sum())
        return {"gamma": float(gamma), "alpha": float(alpha), "curve": curve, "factor": factor,
                "focal": focal, "ce": self.ce, "ce_total": ce_total, "focal_total": focal_total,
                "easy_share_ce": float(self.ce[easy].sum() / ce_total) if ce_total > 0 else 0.0,
                "easy_share_focal": (float(focal[easy].sum() / focal_total)
                                     if focal_total > 0 else 0.0),
                "factor_at_0.9": float(losses.modulating_factor(0.9, gamma)),
                "factor_at_0.1": float(losses.modulating_factor(0.1, gamma))}

    def draw(self, s):
        self.l_line.set_ydata(s["curve"])
        self.l_pts.set_offsets(np.column_stack([self.p_true, s["focal"]]))
        self.m_line.set_ydata(s["factor"])
        x = np.arange(len(s["focal"]))
        f = np.maximum(s["focal"], LOSS_FLOOR)
        ce = np.maximum(self.ce, LOSS_FLOOR)
        self.b_seg.set_segments([[(i, a), (i, b)] for i, a, b in zip(x, ce, f)])
        self.b_pts.set_offsets(np.column_stack([x, f]))

    def caption(self, s):
        return (f"γ = {s['gamma']:.1f}, α = {s['alpha']:.2f}: an easy example (p = 0.9) keeps "
                f"α·(1 − p)<sup>γ</sup> = {s['alpha'] * s['factor_at_0.9']:.3g} of its "
                f"cross-entropy, a hard one (p = 0.1) keeps {s['alpha'] * s['factor_at_0.1']:.3g}. "
                f"Batch of {len(s['focal'])} digits: cross-entropy total {s['ce_total']:.2f}, "
                f"focal total {s['focal_total']:.2f}; the easier half gives "
                f"{s['easy_share_ce']:.1%} of the cross-entropy total and "
                f"{s['easy_share_focal']:.1%} of the focal total.")


def focal_explorer(probs=None, labels=None, gamma: float = 2.0, alpha: float = 1.0):
    """Explorer: γ and α sliders → focal vs cross-entropy, (1 − p)^γ, and a real batch.

    Without ``probs``/``labels`` the batch is the course CNN's predictions on 64 test digits.
    """
    if probs is None or labels is None:
        if probs is not None or labels is not None:
            raise ValueError("give both probs and labels, or neither (the CNN's batch is used)")
        probs, labels = cnn_batch()
    return started(FocalExplorer(probs, labels, gamma, alpha), gamma=gamma, alpha=alpha)
