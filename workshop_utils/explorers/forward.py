"""Explorer for notebook 09 (Minimal forward pass): a real digit through every stage."""

from __future__ import annotations

import numpy as np

from .. import forward
from ..plotting import COLORS, mosaic
from ._base import Explorer

__all__ = ["forward_pass_explorer", "ForwardPassExplorer"]


class ForwardPassExplorer(Explorer):
    """Choose a digit class and an example: X̃, H₁, H₂, h, z and ŷ of the trained SmallCNN."""

    title = "The minimal forward pass, stage by stage"
    figsize = (10.0, 3.9)
    per_class = 20

    def __init__(self, model=None, split=None, digit: int = 7, example: int = 0):
        import ipywidgets as widgets

        from .._validate import require_int

        if model is None:
            from ..trained import pretrained_cnn

            model = pretrained_cnn(0, verbose=False)
        if split is None:
            from ..data import load_mnist5k

            split = load_mnist5k(seed=0)
        self.weights = forward.smallcnn_weights(model)
        X, y = split.X_test, split.y_test
        if X.ndim != 3 or X.dtype != np.uint8:
            raise ValueError(f"the split should hold uint8 digits N×H×W; got {X.shape} {X.dtype}")
        # the first ``per_class`` test digits of each class (real digits, never seen in training)
        self.examples = {}
        for c in range(10):
            idx = np.flatnonzero(y == c)[: self.per_class]
            if len(idx) == 0:
                raise ValueError(f"the split has no test digit of class {c}")
            self.examples[c] = idx
        self.X, self.y = X, y
        digit = require_int(digit, "digit", low=0, high=9)
        example = require_int(example, "example", low=0, high=self.per_class - 1)
        # fixed colour scales, from a batch of examples (so brightness compares across digits)
        order = np.concatenate(list(self.examples.values()))
        batch = forward.minimal_forward(X[order], self.weights)
        pred = dict(zip(order.tolist(), batch["y_hat"].argmax(1).tolist()))
        #: (digit, example) pairs that the network gets wrong: worth a look
        self.mistakes = [(c, e) for c, idx in self.examples.items() for e, i in enumerate(idx)
                         if pred[int(i)] != c]
        self.vmax = {k: float(np.percentile(batch[k], 99.5)) or 1.0 for k in ("H1", "H2", "h")}
        zmax = float(np.abs(batch["z"]).max())
        self.zlim = (-1.1 * zmax, 1.1 * zmax)
        n_ex = min(len(v) for v in self.examples.values())
        controls = {
            "digit": widgets.Dropdown(options=list(range(10)), value=digit, description="digit"),
            "example": widgets.IntSlider(value=min(example, n_ex - 1), min=0, max=n_ex - 1,
                                         description="example"),
        }
        super().__init__(controls)

    def setup(self):
        import matplotlib.gridspec as gridspec

        fig = self.fig
        gs = gridspec.GridSpec(2, 5, figure=fig, width_ratios=[1, 1.1, 1.6, 1.1, 1.1],
                               height_ratios=[1, 1])
        ax_x = fig.add_subplot(gs[:, 0])
        ax_h1 = fig.add_subplot(gs[:, 1])
        ax_h2 = fig.add_subplot(gs[0, 2])
        ax_h = fig.add_subplot(gs[1, 2])
        ax_z = fig.add_subplot(gs[:, 3])
        ax_p = fig.add_subplot(gs[:, 4])
        shapes = forward.stage_shapes(self.weights["W1"].shape[-1], self.weights["stride"],
                                      self.weights["padding"],
                                      channels=(len(self.weights["b1"]), len(self.weights["b2"])))
        c1, s1, _ = shapes["H1"]
        c2, s2, _ = shapes["H2"]
        self.ncols1 = int(np.ceil(np.sqrt(c1)))
        self.ncols2 = int(np.ceil(c2 / 4))
        self.im_x = ax_x.imshow(np.zeros((28, 28)), cmap="gray", vmin=0, vmax=1,
                              interpolation="nearest")
        ax_x.set_title("1. X̃ = X/255\n28×28", fontsize=9)
        self.im_h1 = ax_h1.imshow(mosaic(np.zeros((c1, s1, s1)), self.ncols1), cmap="viridis",
                                  vmin=0, vmax=self.vmax["H1"], interpolation="nearest")
        ax_h1.set_title(f"2. H₁ = ReLU(W₁*X̃+b₁)\n{c1} maps {s1}×{s1}", fontsize=9)
        self.im_h2 = ax_h2.imshow(mosaic(np.zeros((c2, s2, s2)), self.ncols2), cmap="viridis",
                                  vmin=0, vmax=self.vmax["H2"], interpolation="nearest")
        ax_h2.set_title(f"3. H₂ = ReLU(W₂*H₁+b₂): {c2} maps {s2}×{s2}", fontsize=9)
        self.im_h = ax_h.imshow(np.zeros((c2, s2 * s2)), cmap="viridis", aspect="auto",
                                vmin=0, vmax=self.vmax["h"], interpolation="nearest")
        ax_h.set_title(f"4. h = vec(H₂): {shapes['h'][0]} numbers\n(one row per channel)", fontsize=9)
        for ax in (ax_x, ax_h1, ax_h2, ax_h):
            ax.set_xticks([])
            ax.set_yticks([])
        classes = np.arange(10)
        self.bars_z = ax_z.barh(classes, np.zeros(10), color=COLORS["blue"])
        ax_z.axvline(0, color="black", lw=0.8)
        ax_z.set_xlim(*self.zlim)
        ax_z.set_title("5. z = W₃h + b₃\n(logits)", fontsize=9)
        self.bars_p = ax_p.barh(classes, np.zeros(10), color=COLORS["orange"])
        ax_p.set_xlim(0, 1)
        ax_p.set_title("6. ŷ = softmax(z)", fontsize=9)
        for ax in (ax_z, ax_p):
            ax.set_yticks(classes)
            ax.invert_yaxis()
            ax.tick_params(labelsize=8)
        self.p_text = ax_p.text(0.97, 0.5, "", transform=ax_p.transAxes, ha="right", fontsize=9)
        self.x_text = ax_x.text(0.5, -0.04, "", transform=ax_x.transAxes, ha="center", va="top",
                                fontsize=9)
        self.dynamic = [self.im_x, self.im_h1, self.im_h2, self.im_h, *self.bars_z, *self.bars_p,
                        self.p_text, self.x_text]

    def compute(self, digit, example):
        idx = self.examples[digit]
        i = int(idx[min(example, len(idx) - 1)])
        stages = forward.minimal_forward(self.X[i], self.weights)
        pred = int(stages["y_hat"].argmax())
        return {"digit": digit, "example": example, "index": i, "label": int(self.y[i]),
                "pred": pred, "confidence": float(stages["y_hat"][pred]), **stages}

    def draw(self, s):
        self.im_x.set_data(s["X_tilde"])
        self.im_h1.set_data(mosaic(s["H1"], self.ncols1))
        self.im_h2.set_data(mosaic(s["H2"], self.ncols2))
        self.im_h.set_data(s["h"].reshape(len(s["H2"]), -1))
        for c, (bz, bp) in enumerate(zip(self.bars_z, self.bars_p)):
            bz.set_width(float(np.clip(s["z"][c], *self.zlim)))
            bp.set_width(float(s["y_hat"][c]))
            right = c == s["label"]
            bz.set_color(COLORS["green"] if right else COLORS["blue"])
            bp.set_color(COLORS["green"] if right else COLORS["orange"])
        self.p_text.set_text(f"predicts {s['pred']}\n{s['confidence']:.1%}")
        self.x_text.set_text(f"label {s['label']} (test #{s['index']})")

    def caption(self, s):
        verdict = "correct" if s["pred"] == s["label"] else "<b>wrong</b>"
        return (f"test digit #{s['index']} (label {s['label']}): "
                f"X {s['X'].shape} → H₁ {s['H1'].shape} → H₂ {s['H2'].shape} → h {s['h'].shape} "
                f"→ z {s['z'].shape} → ŷ: predicts <b>{s['pred']}</b> with "
                f"ŷ = {s['confidence']:.1%} ({verdict}). Green bars: the true class.")


def forward_pass_explorer(model=None, split=None, digit: int = 7, example: int = 0) -> ForwardPassExplorer:
    """Explorer: choose a real test digit; see every stage of the trained SmallCNN's forward pass."""
    return ForwardPassExplorer(model, split, digit=digit, example=example)
