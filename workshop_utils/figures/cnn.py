"""Figures for notebook 05, drawn from the course's trained CNN and ViT (``trained.pretrained_*``).

* ``cnn-feature-hierarchy.png``: a digit → first-layer kernels → H1 → H2 → class probabilities.
* ``vit-attention.png``: patchify into tokens, and the CLS token's attention over the patches.
* ``CNN-vs-ViT.png``: a CNN unit's local receptive field beside one patch's global attention.
"""

from __future__ import annotations

import numpy as np

from .. import conv
from ..plotting import COLORS, new_figure

__all__ = ["cnn_feature_hierarchy", "vit_attention", "cnn_vs_vit"]

DIGIT_INDEX = 3  # a test digit from load_mnist5k(seed=0) used in the single-digit figures


def _test_digits():
    from ..data import load_mnist5k

    split = load_mnist5k(seed=0)
    return split.X_test, split.y_test


def _one_per_class(y, classes, start=0):
    return [int(np.flatnonzero(y[start:] == c)[0]) + start for c in classes]


def _tensor(img):
    import torch

    return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0)[None, None]


def _off(ax):
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)


def _arrow(fig, x0, x1, y, text=""):
    fig.patches.append(__import__("matplotlib.patches", fromlist=["FancyArrowPatch"]).FancyArrowPatch(
        (x0, y), (x1, y), transform=fig.transFigure, arrowstyle="-|>", mutation_scale=14,
        color="0.3", lw=1.2))
    if text:
        fig.text((x0 + x1) / 2, y + 0.035, text, ha="center", va="bottom", fontsize=8, color="0.25")


def _heat(ax, img, heat, label=None):
    """A heat map (magma) with the digit's outline drawn over it in white."""
    ax.imshow(heat, cmap="magma", vmin=0, vmax=max(float(heat.max()), 1e-12), interpolation="nearest")
    ax.contour(np.asarray(img, dtype=float), levels=[100.0], colors="white", linewidths=1.0)
    ax.set_xlim(-0.5, img.shape[1] - 0.5)
    ax.set_ylim(img.shape[0] - 0.5, -0.5)


def cnn_feature_hierarchy(model=None):
    """The trained SmallCNN on one digit: X → kernels W1 → H1 → H2 → ŷ."""
    import torch

    from ..trained import pretrained_cnn

    model = pretrained_cnn(0, verbose=False) if model is None else model
    X, y = _test_digits()
    x = X[DIGIT_INDEX]
    with torch.no_grad():
        st = model.stages(_tensor(x))
        probs = torch.softmax(st["z"], 1)[0].numpy()
    W1 = model.conv1.weight.detach().numpy()[:, 0]  # 16×5×5
    H1 = st["H1"][0].numpy()
    H2 = st["H2"][0].numpy()
    k1 = np.argsort(-H1.reshape(len(H1), -1).max(1))[:8]  # the 8 most active maps
    k2 = np.argsort(-H2.reshape(len(H2), -1).max(1))[:8]

    fig = new_figure(figsize=(11.0, 4.0), dpi=100)
    fig.set_layout_engine("none")
    outer = fig.add_gridspec(1, 5, left=0.02, right=0.98, bottom=0.1, top=0.78,
                             width_ratios=[1.25, 1.0, 1.0, 1.0, 1.25], wspace=0.35)
    ax = fig.add_subplot(outer[0])
    ax.imshow(x, cmap="gray")
    _off(ax)
    ax.set_title(f"input X\n1×28×28 (label {y[DIGIT_INDEX]})", fontsize=9)

    def block(cell, maps, title, cmap, sym=False, labels=None):
        g = cell.subgridspec(4, 2, wspace=0.08, hspace=0.12)
        vmax = np.abs(maps).max() if sym else maps.max()
        for i, m in enumerate(maps):
            a = fig.add_subplot(g[i // 2, i % 2])
            a.imshow(m, cmap=cmap, vmin=-vmax if sym else 0, vmax=vmax)
            _off(a)
            if labels is not None:
                a.text(0.03, 0.97, str(labels[i]), transform=a.transAxes, fontsize=6, va="top",
                       color="white" if not sym else "black")
        top = fig.add_subplot(cell, frameon=False)
        _off(top)
        top.set_title(title, fontsize=9)

    block(outer[1], W1[k1], "kernels W1 (5×5)\n8 of 16", "RdBu_r", sym=True, labels=k1)
    block(outer[2], H1[k1], "H1 = ReLU(W1 * X + b1)\n16×14×14 (8 shown)", "viridis", labels=k1)
    block(outer[3], H2[k2], "H2 = ReLU(W2 * H1 + b2)\n32×7×7 (8 shown)", "viridis", labels=k2)
    ax = fig.add_subplot(outer[4])
    colours = [COLORS["orange"] if c == probs.argmax() else COLORS["blue"] for c in range(10)]
    ax.barh(np.arange(10), probs, color=colours)
    ax.set_yticks(range(10))
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability", fontsize=8)
    ax.tick_params(labelsize=8)
    ax.set_title("ŷ = softmax(W3 h + b3)\nh = vec(H2), 1,568 numbers", fontsize=9)
    # an arrow in each gap between the five panels; the last stops short of ŷ's digit labels
    cells = [outer[i].get_position(fig) for i in range(5)]
    for i in range(4):
        x0 = cells[i].x1 + 0.006
        x1 = cells[i + 1].x0 - (0.03 if i == 3 else 0.006)
        _arrow(fig, x0, x1, 0.44)
    fig.suptitle("A CNN builds features layer by layer: local edges → strokes → the class "
                 f"(trained SmallCNN, {sum(p.numel() for p in model.parameters()):,} parameters)",
                 fontsize=11, y=0.97)
    return fig


def vit_attention(model=None):
    """Patchify → tokens (CLS + 16 patches), and the CLS token's attention on several digits."""
    import torch
    from matplotlib.patches import Rectangle

    from ..attention import patchify
    from ..trained import pretrained_vit

    model = pretrained_vit(0, verbose=False) if model is None else model
    X, y = _test_digits()
    p, g = model.patch_size, model.grid
    idx = _one_per_class(y, [0, 2, 4, 7, 9])
    xs = torch.cat([_tensor(X[i]) for i in idx])
    with torch.no_grad():
        cls = model.cls_attention(xs).numpy()  # n×depth×heads×g×g
        pred = model(xs).argmax(1).numpy()
    fig = new_figure(figsize=(11.0, 5.2), dpi=100)
    fig.set_layout_engine("none")
    top = fig.add_gridspec(1, 2, left=0.03, right=0.98, top=0.86, bottom=0.56, width_ratios=[1, 5.2],
                           wspace=0.08)
    x0 = X[idx[2]]
    ax = fig.add_subplot(top[0])
    ax.imshow(x0, cmap="gray")
    for k in range(1, g):
        ax.axhline(k * p - 0.5, color=COLORS["sky"], lw=1)
        ax.axvline(k * p - 0.5, color=COLORS["sky"], lw=1)
    for i in range(g * g):
        r, c = divmod(i, g)
        ax.text(c * p + 0.8, r * p + 0.8, str(i), color=COLORS["yellow"], fontsize=7, va="top")
    _off(ax)
    ax.set_title(f"1. patchify: {g * g} patches of {p}×{p}", fontsize=9)
    P = patchify(x0, p)
    strip = top[1].subgridspec(1, g * g + 1, wspace=0.15)
    a = fig.add_subplot(strip[0])
    a.add_patch(Rectangle((0, 0), 1, 1, color=COLORS["orange"]))
    a.text(0.5, 0.5, "CLS", ha="center", va="center", fontsize=8, color="white", weight="bold")
    a.set_xlim(0, 1)
    a.set_ylim(0, 1)
    a.set_aspect("equal")
    _off(a)
    for i in range(g * g):
        a = fig.add_subplot(strip[i + 1])
        a.imshow(P[i].reshape(p, p), cmap="gray", vmin=0, vmax=255)
        _off(a)
        a.set_title(str(i), fontsize=7)  # patches counted from 0, as in code
    head = fig.add_subplot(top[1], frameon=False)
    _off(head)
    head.set_title(f"2. tokens: each patch flattened to {p * p} numbers, projected to d = "
                   f"{model.config['dim']} and given a position embedding; a learned CLS token in front",
                   fontsize=9, pad=14)
    bottom = fig.add_gridspec(1, len(idx), left=0.03, right=0.98, top=0.44, bottom=0.02, wspace=0.1)
    for j, i in enumerate(idx):
        a = fig.add_subplot(bottom[j])
        att = cls[j, -1].mean(0)  # last layer, mean over heads
        _heat(a, X[i], np.kron(att, np.ones((p, p))))
        for k in range(1, g):
            a.axhline(k * p - 0.5, color="0.5", lw=0.5)
            a.axvline(k * p - 0.5, color="0.5", lw=0.5)
        _off(a)
        a.set_title(f"label {y[i]}, predicted {pred[j]}", fontsize=9)
    fig.text(0.5, 0.49, "3.–4. self-attention, softmax(QKᵀ/√d)V, in "
             f"{model.config['depth']} layers; the CLS token's attention over the patches "
             "in the last layer (mean of the heads; brighter = more attention):",
             ha="center", fontsize=9)
    fig.suptitle("Vision Transformer: patches become tokens, and the CLS token gathers them by "
                 "attention (trained TinyViT)", fontsize=11, y=0.98)
    return fig


def cnn_vs_vit(cnn=None, vit=None):
    """One H2 unit's receptive field in the CNN beside one patch's attention in the ViT."""
    import torch

    from ..trained import pretrained_cnn, pretrained_vit

    cnn = pretrained_cnn(0, verbose=False) if cnn is None else cnn
    vit = pretrained_vit(0, verbose=False) if vit is None else vit
    X, y = _test_digits()
    x = X[DIGIT_INDEX]
    # CNN: how strongly each input pixel moves one second-layer unit (its receptive field)
    xt = _tensor(x).requires_grad_(True)
    H2 = cnn.stages(xt)["H2"][0]
    r, c = 3, 3
    ch = int(H2[:, r, c].argmax())
    pre = torch.relu(cnn.conv1(xt))
    z2 = cnn.conv2(pre)[0, ch, r, c]
    grad = torch.autograd.grad(z2, xt)[0][0, 0].abs().numpy()
    k, s = cnn.config["kernel_size"], cnn.config["stride"]
    rf = conv.receptive_field([k, k], [s, s])
    p1 = k // 2
    top = (r * s - p1) * s - p1  # first input row (and column, as c = r) the unit can see
    mid = (r * s - p1 + k // 2) * s - p1  # first input row of the middle H1 unit it reads
    # ViT: where one patch looks in the first layer (mean over heads)
    g, p = vit.grid, vit.patch_size
    q = g + 1  # the patch in row 1, column 1: patch 5 of a 4×4 grid, counted from 0 as in code
    with torch.no_grad():
        A = vit.attention_maps(_tensor(x))[0, 0].mean(0).numpy()  # (N+1)×(N+1)
    att = A[q + 1, 1:].reshape(g, g)  # token q + 1: token 0 is CLS

    fig = new_figure(figsize=(9.6, 4.6), dpi=100)
    fig.set_layout_engine("none")
    axes = fig.subplots(1, 2, gridspec_kw={"left": 0.02, "right": 0.98, "bottom": 0.1, "top": 0.8,
                                           "wspace": 0.12})
    from matplotlib.patches import Rectangle

    ax = axes[0]
    _heat(ax, x, grad)
    ax.add_patch(Rectangle((top - 0.5, top - 0.5), rf, rf, fill=False, ec=COLORS["sky"], lw=2))
    ax.add_patch(Rectangle((mid - 0.5, mid - 0.5), k, k, fill=False, ec=COLORS["yellow"], lw=1.5,
                           ls="--"))
    ax.set_xlim(-0.5, 27.5)
    ax.set_ylim(27.5, -0.5)
    _off(ax)
    ax.set_title(f"CNN: one H2 unit (channel {ch}, row {r}, column {c}) sees only a\n"
                 f"{rf}×{rf} window (blue); a layer-1 kernel covers {k}×{k} (yellow).\n"
                 "Brightness: how much each pixel moves it, |∂/∂X|", fontsize=9)
    ax = axes[1]
    _heat(ax, x, np.kron(att, np.ones((p, p))))
    qr, qc = divmod(q, g)
    cy, cx = qr * p + p / 2 - 0.5, qc * p + p / 2 - 0.5
    for j in range(g * g):
        jr, jc = divmod(j, g)
        if j != q:
            ax.annotate("", xy=(jc * p + p / 2 - 0.5, jr * p + p / 2 - 0.5), xytext=(cx, cy),
                        arrowprops=dict(arrowstyle="->", color=COLORS["sky"],
                                        lw=0.4 + 3.5 * att[jr, jc] / att.max(), alpha=0.9))
    ax.add_patch(Rectangle((qc * p - 0.5, qr * p - 0.5), p, p, fill=False, ec=COLORS["sky"], lw=2.5))
    for k2 in range(1, g):
        ax.axhline(k2 * p - 0.5, color="0.6", lw=0.5)
        ax.axvline(k2 * p - 0.5, color="0.6", lw=0.5)
    _off(ax)
    ax.set_title(f"ViT: already in layer 1, patch {q} (blue) attends to all {g * g} patches,\n"
                 "near or far (brightness and arrow width: attention,\nmean of the heads)", fontsize=9)
    fig.suptitle("CNN: kernels detect local features · ViT: attention relates all patches",
                 fontsize=11, y=0.97)
    return fig


ASSETS = {
    "cnn-feature-hierarchy.png": cnn_feature_hierarchy,
    "vit-attention.png": vit_attention,
    "CNN-vs-ViT.png": cnn_vs_vit,
}
