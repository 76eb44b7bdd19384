"""Explorer for notebook 03: build a stack of layers and read its shapes and parameter count."""

from __future__ import annotations

from .. import layers
from ..figures.layers import LAYER_COLOURS, network_geometry
from ..plotting import subscript
from ._base import Explorer

__all__ = ["layer_builder", "LayerBuilder", "WIDTH_CHOICES"]

WIDTH_CHOICES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
MAX_HIDDEN = 4


class LayerBuilder(Explorer):
    """Sliders for the number of hidden layers and their widths → diagram, shapes, parameters."""

    title = "Layer builder: input → hidden layers → output"
    figsize = (8.0, 2.9)

    def __init__(self, d_in: int = 784, d_out: int = 10, n_hidden: int = 2,
                 hidden=(128, 64, 32, 16), activation: str = "ReLU"):
        import ipywidgets as widgets

        self.d_in = int(layers.layer_shapes([d_in, d_out])[0].d_in)
        self.d_out = int(d_out)
        self.activation = activation
        hidden = list(hidden) + [16] * (MAX_HIDDEN - len(hidden))
        for h in hidden[:MAX_HIDDEN]:
            if h not in WIDTH_CHOICES:
                raise ValueError(f"hidden widths must be among {WIDTH_CHOICES}; got {h}")
        controls = {"n_hidden": widgets.IntSlider(value=n_hidden, min=0, max=MAX_HIDDEN,
                                                  description="hidden layers")}
        for k in range(MAX_HIDDEN):
            controls[f"width_{k + 1}"] = widgets.SelectionSlider(
                options=WIDTH_CHOICES, value=hidden[k], description=f"width h{subscript(k + 1)}")
        super().__init__(controls)

    def setup(self):
        from matplotlib.collections import LineCollection

        ax = self.fig.add_subplot()
        self.ax = ax
        self.edges = LineCollection([], colors="0.75", lw=0.5, zorder=1)
        ax.add_collection(self.edges)
        self.node_lines = {kind: ax.plot([], [], "o", ms=9, color=c, mec="white", mew=1,
                                         zorder=3)[0] for kind, c in LAYER_COLOURS.items()}
        (self.gap_dots,) = ax.plot([], [], ".", ms=3, color="0.2", zorder=3)
        n_cols = MAX_HIDDEN + 2
        # input and output always sit at x = 0 and x = 1: their labels are static; each
        # hidden width can be read off the W labels (fewer texts keep each update cheap)
        ax.text(0, -0.12, f"input x: {self.d_in:,}", ha="center", va="top", fontsize=9)
        ax.text(1, -0.12, f"output y: {self.d_out:,}", ha="center", va="top", fontsize=9)
        self.w_text = [ax.text(0, 1.08, "", ha="center", va="bottom", fontsize=9,
                               color="#CC79A7") for _ in range(n_cols - 1)]
        ax.set_xlim(-0.08, 1.08)
        ax.set_ylim(-0.25, 1.2)
        ax.set_axis_off()
        self.dynamic = [self.edges, *self.node_lines.values(), self.gap_dots, *self.w_text]

    def compute(self, n_hidden, **widths):
        hidden = [int(widths[f"width_{k + 1}"]) for k in range(n_hidden)]
        all_widths = [self.d_in, *hidden, self.d_out]
        shapes = layers.layer_shapes(all_widths)
        geo = network_geometry(all_widths, max_nodes=8)
        return {"widths": all_widths, "shapes": shapes, "geometry": geo,
                "parameters": [s.parameters for s in shapes],
                "total": layers.total_parameters(all_widths)}

    def draw(self, s):
        g = s["geometry"]
        self.edges.set_segments(g["edges"])
        for kind, line in self.node_lines.items():
            pts = g["nodes"][kind]
            line.set_data(pts[:, 0], pts[:, 1])
        self.gap_dots.set_data(g["gaps"][:, 0], g["gaps"][:, 1])
        cols = g["columns"]
        for k, t in enumerate(self.w_text):
            if k < len(s["shapes"]):
                sh = s["shapes"][k]
                t.set_position(((cols[k]["x"] + cols[k + 1]["x"]) / 2, 1.08))
                t.set_text(f"W{subscript(sh.index)}: {sh.d_out}×{sh.d_in}")
                t.set_visible(True)
            else:
                t.set_visible(False)
        n_hidden = len(s["widths"]) - 2
        for k in range(MAX_HIDDEN):  # widths of layers that are not there are greyed out
            self.controls[f"width_{k + 1}"].disabled = k >= n_hidden

    def caption(self, s):
        rows = []
        for sh in s["shapes"]:
            last = sh.index == len(s["shapes"])
            f = "none (scores)" if last else self.activation
            rows.append(f"<tr><td>{sh.index}</td><td>({sh.d_in},)</td><td>{sh.W[0]}×{sh.W[1]}</td>"
                        f"<td>({sh.d_out},)</td><td>{f}</td><td>({sh.d_out},)</td>"
                        f"<td style='text-align:right'>{sh.d_out}·{sh.d_in} + {sh.d_out} = "
                        f"{sh.parameters:,}</td></tr>")
        mb = s["total"] * 4 / 1e6
        head = ("<tr><th>layer</th><th>input x</th><th>W</th><th>b</th><th>f</th>"
                "<th>output y</th><th>parameters</th></tr>")
        return (f"<table style='font-family:monospace;font-size:12px'>{head}{''.join(rows)}</table>"
                f"<b>total: {s['total']:,} parameters</b> (weights and biases; "
                f"{mb:.2f} MB as float32)")


def layer_builder(d_in: int = 784, d_out: int = 10, n_hidden: int = 2,
                  hidden=(128, 64, 32, 16)) -> LayerBuilder:
    """Explorer: number of hidden layers and their widths for a 784 → … → 10 network."""
    return LayerBuilder(d_in=d_in, d_out=d_out, n_hidden=n_hidden, hidden=hidden)
