"""Figure for notebook 03: a layer diagram drawn from a list of layer widths (``layers.png``)."""

from __future__ import annotations

import numpy as np

from .. import layers
from ..plotting import COLORS, new_figure, subscript

__all__ = ["network_geometry", "draw_network", "layers_figure", "LAYER_COLOURS"]

LAYER_COLOURS = {"input": "0.55", "hidden": COLORS["blue"], "output": COLORS["orange"]}


def network_geometry(widths, max_nodes: int = 8, x_span=(0.0, 1.0), y_span=(0.0, 1.0)) -> dict:
    """Where to draw each layer's neurons and the connections between them.

    A layer wider than ``max_nodes`` shows ``max_nodes − 1`` neurons with a gap (⋮) in the
    middle. Returns ``columns`` (x, ys, kind, width, gap_y or None), ``nodes`` (by kind,
    each an M×2 array), ``edges`` (E×2×2 segments) and ``gaps`` (G×2 points for the dots).
    """
    shapes = layers.layer_shapes(widths)  # validates
    widths = [shapes[0].d_in] + [s.d_out for s in shapes]
    n_cols = len(widths)
    x0, x1 = x_span
    y0, y1 = y_span
    xs = np.linspace(x0, x1, n_cols) if n_cols > 1 else np.array([(x0 + x1) / 2])
    spacing = (y1 - y0) / max(max_nodes - 1, 1)
    columns = []
    for k, (x, w) in enumerate(zip(xs, widths)):
        kind = "input" if k == 0 else ("output" if k == n_cols - 1 else "hidden")
        shown = min(w, max_nodes)
        ys = (y0 + y1) / 2 + (np.arange(shown) - (shown - 1) / 2) * spacing
        gap_y = None
        if w > max_nodes:  # drop the middle node, draw dots there instead
            mid = shown // 2
            gap_y = float(ys[mid])
            ys = np.delete(ys, mid)
        columns.append({"x": float(x), "ys": ys[::-1], "kind": kind, "width": w, "gap_y": gap_y})
    nodes = {kind: np.zeros((0, 2)) for kind in LAYER_COLOURS}
    for c in columns:
        pts = np.column_stack([np.full(len(c["ys"]), c["x"]), c["ys"]])
        nodes[c["kind"]] = np.vstack([nodes[c["kind"]], pts])
    edges = []
    for a, b in zip(columns[:-1], columns[1:]):
        ya, yb = np.meshgrid(a["ys"], b["ys"], indexing="ij")
        seg = np.stack([np.stack([np.full(ya.size, a["x"]), ya.ravel()], 1),
                        np.stack([np.full(yb.size, b["x"]), yb.ravel()], 1)], axis=1)
        edges.append(seg)
    edges = np.concatenate(edges) if edges else np.zeros((0, 2, 2))
    dots = [(c["x"], c["gap_y"] + d * spacing * 0.25) for c in columns if c["gap_y"] is not None
            for d in (-1, 0, 1)]
    gaps = np.array(dots).reshape(-1, 2)
    return {"columns": columns, "nodes": nodes, "edges": edges, "gaps": gaps,
            "shapes": shapes, "spacing": spacing}


def draw_network(ax, widths, activation: str = "ReLU", max_nodes: int = 8) -> dict:
    """Draw the diagram of a stack of linear layers on ``ax``; returns the geometry."""
    from matplotlib.collections import LineCollection

    g = network_geometry(widths, max_nodes=max_nodes)
    ax.add_collection(LineCollection(g["edges"], colors="0.75", lw=0.5, zorder=1))
    for kind, pts in g["nodes"].items():
        if len(pts):
            ax.plot(*pts.T, "o", ms=9, color=LAYER_COLOURS[kind], mec="white", mew=1, zorder=3)
    if len(g["gaps"]):
        ax.plot(*g["gaps"].T, ".", ms=3, color="0.2", zorder=3)
    n = len(g["columns"])
    for k, c in enumerate(g["columns"]):
        if c["kind"] == "input":
            name = f"input x\n{c['width']:,}"
        elif c["kind"] == "output":
            name = f"output y\n{c['width']:,} scores"
        else:
            name = f"hidden h{subscript(k)}\n{c['width']:,} · {activation}"
        ax.text(c["x"], -0.12, name, ha="center", va="top", fontsize=9)
    for s, a, b in zip(g["shapes"], g["columns"][:-1], g["columns"][1:]):
        ax.text((a["x"] + b["x"]) / 2, 1.08, f"W{subscript(s.index)}: {s.d_out}×{s.d_in}\n"
                f"b{subscript(s.index)}: {s.d_out}", ha="center", va="bottom", fontsize=8,
                color=COLORS["purple"])
    ax.set_xlim(-0.08, 1.08 if n > 1 else 1)
    ax.set_ylim(-0.35, 1.3)
    ax.set_axis_off()
    return g


def layers_figure(widths=(784, 128, 64, 10)):
    """``layers.png``: a real digit, flattened, through linear layers y = f(Wx + b)."""
    from ..data import load_mnist5k

    split = load_mnist5k(seed=0)
    digit = split.X_train[0]
    fig = new_figure(figsize=(8.6, 3.9), dpi=100)
    ax_img, ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 5.2]})
    ax_img.imshow(digit, cmap="gray")
    ax_img.set_title(f"X: 28×28\n(label {split.y_train[0]})", fontsize=9)
    ax_img.set_axis_off()
    ax_img.annotate("", xy=(1.62, 0.5), xytext=(1.04, 0.5), xycoords="axes fraction",
                    arrowprops={"arrowstyle": "->", "lw": 1.4}, annotation_clip=False)
    ax_img.text(1.33, 0.56, "flatten\nx = vec(X)", transform=ax_img.transAxes, ha="center",
                va="bottom", fontsize=9)
    g = draw_network(ax, widths)
    total = layers.total_parameters(widths)
    fig.suptitle(r"Layers: $y = f(Wx + b)$ with $W \in \mathbb{R}^{d_{out}\times d_{in}}$, "
                 rf"$b \in \mathbb{{R}}^{{d_{{out}}}}$  —  {total:,} parameters in all",
                 fontsize=11)
    del g
    return fig


ASSETS = {"layers.png": layers_figure}
