"""Explorers for notebook 02: a neuron on a real two-feature problem, and the affine map."""

from __future__ import annotations

import numpy as np

from .. import neuron as nrn
from ..plotting import COLORS
from ._base import Explorer, started

__all__ = ["neuron_explorer", "affine_explorer", "NeuronExplorer", "AffineExplorer"]


def class_cmap(light: float = 0.55):
    """Blue (z < 0, class 0) → white (z = 0) → orange (z > 0, class 1), colour-blind safe.

    ``light`` mixes the end colours with white (pale backgrounds for the points on top).
    """
    from matplotlib.colors import LinearSegmentedColormap, to_rgb

    def pale(c):
        return tuple(light + (1 - light) * np.array(to_rgb(c)))

    return LinearSegmentedColormap.from_list(
        "course_diverging", [pale(COLORS["blue"]), "#ffffff", pale(COLORS["orange"])])


def line_z0(w1, w2, b, lo, hi):
    """Two end points of the line w1·x1 + w2·x2 + b = 0 across the square [lo, hi]², or None."""
    if abs(w2) >= abs(w1) and abs(w2) > 1e-12:
        x1 = np.array([lo, hi])
        return x1, -(w1 * x1 + b) / w2
    if abs(w1) > 1e-12:
        x2 = np.array([lo, hi])
        return -(w2 * x2 + b) / w1, x2
    return None


class NeuronExplorer(Explorer):
    """Sliders for w₁, w₂ and b: z over the input plane, the line z = 0, live accuracy."""

    title = "Neuron explorer: z = w₁x₁ + w₂x₂ + b"
    figsize = (8.4, 3.9)
    LIM = (0.0, 1.3)
    N_GRID = 120

    def __init__(self, problem: nrn.TwoFeatureProblem, w1=0.0, w2=-1.0, b=0.5, example=None):
        import ipywidgets as widgets

        if not isinstance(problem, nrn.TwoFeatureProblem):
            raise ValueError(f"problem should be a TwoFeatureProblem (from ink_problem()); "
                             f"got {type(problem).__name__}")
        self.problem = problem
        self.X, self.y = problem.X_train, problem.y_train
        if example is None:  # the first digit of class 1: a typical example to do the sums on
            example = int(np.flatnonzero(self.y == 1)[0])
        self.example = int(example)
        if not 0 <= self.example < len(self.y):
            raise ValueError(f"example must be an index 0..{len(self.y) - 1}; got {example}")
        g = np.linspace(*self.LIM, self.N_GRID)
        self.grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
        kw = dict(min=-2.0, max=2.0, step=0.05, readout_format=".2f", continuous_update=True)
        controls = {
            "w1": widgets.FloatSlider(value=w1, description="w₁", **kw),
            "w2": widgets.FloatSlider(value=w2, description="w₂", **kw),
            "b": widgets.FloatSlider(value=b, min=-1.0, max=1.0, step=0.01, description="b",
                                     readout_format=".2f", continuous_update=True),
        }
        super().__init__(controls)

    def setup(self):
        ax, ax_img, ax_bar = self.fig.subplots(
            1, 3, gridspec_kw={"width_ratios": [1.45, 0.38, 0.9]})
        self.ax, self.ax_bar = ax, ax_bar
        lo, hi = self.LIM
        self.heat = ax.imshow(np.zeros((self.N_GRID, self.N_GRID)), origin="lower",
                              extent=(lo, hi, lo, hi), cmap=class_cmap(), vmin=-1.0, vmax=1.0,
                              interpolation="nearest", aspect="auto")
        names = self.problem.class_names
        points = []  # drawn over the heat map, so they are redrawn with it
        for label, marker, colour in ((0, "o", COLORS["blue"]), (1, "^", COLORS["orange"])):
            pts = self.X[self.y == label]
            points += ax.plot(pts[:, 0], pts[:, 1], marker, ms=3, color=colour, alpha=0.8,
                              mec="none", label=f"digit {names[label]} (label {label})")
        ex = self.X[self.example]
        points += ax.plot(ex[0], ex[1], "o", ms=11, mfc="none", mec="black", mew=1.5,
                          label="example digit")
        (self.line,) = ax.plot([], [], color="black", lw=2, label="z = 0")
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xlabel(self.problem.feature_names[0])
        ax.set_ylabel(self.problem.feature_names[1])
        self.fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=4,
                        fontsize=8)
        ax.set_title("z over the input plane (training digits)", fontsize=9)
        # contributions of each term for the example digit
        self.bars = ax_bar.bar(["w₁·x₁", "w₂·x₂", "b", "z"], [0, 0, 0, 0],
                               color=[COLORS["sky"], COLORS["sky"], COLORS["purple"], "0.3"])
        ax_bar.axhline(0, color="0.4", lw=0.8)
        ax_bar.set_ylim(-3.0, 3.0)
        ax_bar.set_title("its sum, term by term", fontsize=9)
        ax_img.imshow(self.problem.images_train[self.example], cmap="gray_r")
        ax_img.axhline(13.5, color=COLORS["red"], lw=1)
        # below the digit, not on it: x₁ is the ink above the red line, x₂ the ink below
        ax_img.text(13.5, 29.5, "above the line: x₁\nbelow the line: x₂", color=COLORS["red"],
                    fontsize=7, ha="center", va="top")
        ax_img.set_title("example digit", fontsize=9)
        ax_img.set_axis_off()
        self.dynamic = [self.heat, *points, self.line, *self.bars]

    def compute(self, w1, w2, b):
        w = np.array([w1, w2])
        z_grid = nrn.neuron(self.grid, w, b).reshape(self.N_GRID, self.N_GRID)
        pred = nrn.predict(self.X, w, b)
        acc = nrn.accuracy(pred, self.y)
        x1, x2 = self.X[self.example]
        z_ex = float(nrn.neuron(self.X[self.example], w, b))
        return {"w": (w1, w2), "b": b, "z_grid": z_grid, "accuracy": acc,
                "n_correct": int(np.sum(pred == self.y)), "line": line_z0(w1, w2, b, *self.LIM),
                "example_x": (float(x1), float(x2)), "example_z": z_ex,
                "terms": (w1 * x1, w2 * x2, b, z_ex)}

    def draw(self, s):
        self.heat.set_data(s["z_grid"])
        if s["line"] is None:
            self.line.set_data([], [])
        else:
            self.line.set_data(*s["line"])
        for bar, v in zip(self.bars, s["terms"]):
            bar.set_height(float(np.clip(v, -3.0, 3.0)))

    def caption(self, s):
        w1, w2 = s["w"]
        x1, x2 = s["example_x"]
        names = self.problem.class_names
        label = names[1] if s["example_z"] > 0 else names[0]
        truth = names[int(self.y[self.example])]
        mark = "✓" if label == truth else "✗"
        return (f"<b>training accuracy {s['accuracy']:.1%}</b> ({s['n_correct']} of "
                f"{len(self.y)} digits on the right side of the line)<br>"
                f"example digit (a {truth}): <code>z = w₁·x₁ + w₂·x₂ + b = "
                f"{w1:.2f}·{x1:.2f} + ({w2:.2f})·{x2:.2f} + ({s['b']:.2f}) = "
                f"{s['example_z']:.3f}</code> &rarr; z {'&gt;' if s['example_z'] > 0 else '&le;'} 0 "
                f"says <b>{label}</b> {mark}. &nbsp;Orange side: z &gt; 0 (says {names[1]}); "
                f"blue side: z &lt; 0 (says {names[0]}).")


def neuron_explorer(problem=None, w1=0.0, w2=-1.0, b=0.5) -> NeuronExplorer:
    """Explorer: w₁, w₂, b sliders on the 6-vs-7 ink problem (or another TwoFeatureProblem)."""
    if problem is None:
        problem = nrn.ink_problem(6, 7)
    return started(NeuronExplorer(problem, w1=w1, w2=w2, b=b), w1=w1, w2=w2, b=b)


class AffineExplorer(Explorer):
    """Sliders for a 2×2 W and a 2-vector b: every point x of a digit moves to Wx + b."""

    title = "Affine transformation: y = Wx + b (multiply, then add)"
    figsize = (5.4, 4.6)
    LIM = (-3.0, 3.0)

    def __init__(self, image, W=((1.0, 0.0), (0.0, 1.0)), b=(0.0, 0.0)):
        import ipywidgets as widgets

        from .._validate import as_numpy, describe

        img = as_numpy(image, "image")
        if img.ndim != 2 or img.dtype != np.uint8:
            raise ValueError(f"image should be one uint8 grayscale digit H×W; got {describe(img)}")
        self.image = img
        height, width = img.shape
        rows, cols = np.nonzero(img > 40)
        # pixel centres in the unit square, row 0 at the top
        self.points = np.stack([(cols + 0.5) / width, 1.0 - (rows + 0.5) / height], axis=1)
        self.ink = img[rows, cols] / 255.0
        ticks = np.linspace(-2, 2, 9)
        segs = [np.array([[t, -2], [t, 2]]) for t in ticks]
        segs += [np.array([[-2, t], [2, t]]) for t in ticks]
        self.grid_segments = np.array(segs)  # S×2×2
        W = as_numpy(W, "W").astype(float)
        b = as_numpy(b, "b").astype(float)
        if W.shape != (2, 2) or b.shape != (2,):
            raise ValueError(f"W should be 2×2 and b have 2 entries; got W {W.shape}, b {b.shape}")
        if np.any(np.abs(W) > 2) or np.any(np.abs(b) > 2):
            raise ValueError("the sliders run from −2 to 2: every entry of W and b must be in "
                             f"that range; got W = {W.tolist()}, b = {b.tolist()}")
        kw = dict(min=-2.0, max=2.0, step=0.05, readout_format=".2f", continuous_update=True)
        controls = {
            "w11": widgets.FloatSlider(value=W[0, 0], description="W₁₁", **kw),
            "w12": widgets.FloatSlider(value=W[0, 1], description="W₁₂", **kw),
            "w21": widgets.FloatSlider(value=W[1, 0], description="W₂₁", **kw),
            "w22": widgets.FloatSlider(value=W[1, 1], description="W₂₂", **kw),
            "b1": widgets.FloatSlider(value=b[0], description="b₁", **kw),
            "b2": widgets.FloatSlider(value=b[1], description="b₂", **kw),
        }
        super().__init__(controls)

    def setup(self):
        from matplotlib.collections import LineCollection

        ax = self.fig.add_subplot()
        self.ax = ax
        # the input x: a light-grey grid and a grey digit that stay put; Wx + b: a blue grid
        # and a black digit that move with the sliders
        ax.add_collection(LineCollection(self.grid_segments, colors="0.8", lw=0.8))
        ax.scatter(*self.points.T, color="0.55", s=8, marker="s", lw=0,
                   label="input x (grey grid, grey digit)")
        self.grid = LineCollection(self.grid_segments, colors=COLORS["sky"], lw=1.0)
        ax.add_collection(self.grid)
        self.digit = ax.scatter(*self.points.T, c=self.ink, cmap="Greys", vmin=0, vmax=1, s=12,
                                marker="s", label="Wx + b (blue grid, black digit)")
        (self.e1,) = ax.plot([], [], color=COLORS["red"], lw=2.5, label="W·(1, 0) = column 1")
        (self.e2,) = ax.plot([], [], color=COLORS["green"], lw=2.5, label="W·(0, 1) = column 2")
        (self.origin,) = ax.plot([], [], "o", color=COLORS["purple"], ms=7,
                                 label="where 0 goes: b")
        ax.set_xlim(*self.LIM)
        ax.set_ylim(*self.LIM)
        ax.set_aspect("equal")
        ax.axhline(0, color="0.6", lw=0.6)
        ax.axvline(0, color="0.6", lw=0.6)
        from matplotlib.lines import Line2D

        handles, labels = ax.get_legend_handles_labels()
        # the moved digit's own marker takes the colour map's middle grey: show it black
        handles[1] = Line2D([], [], marker="s", ls="", color="black", ms=4)
        ax.legend(handles, labels, loc="lower left", fontsize=7, frameon=True, framealpha=0.85)
        self.det_text = ax.text(0.98, 0.97, "", transform=ax.transAxes, ha="right", va="top",
                                fontsize=9)
        self.dynamic = [self.grid, self.digit, self.e1, self.e2, self.origin, self.det_text]

    def compute(self, w11, w12, w21, w22, b1, b2):
        W = np.array([[w11, w12], [w21, w22]])
        b = np.array([b1, b2])
        moved = nrn.affine(self.points, W, b)
        flat = self.grid_segments.reshape(-1, 2)
        grid = nrn.affine(flat, W, b).reshape(self.grid_segments.shape)
        return {"W": W, "b": b, "points": moved, "grid": grid, "det": float(np.linalg.det(W)),
                "e1": W[:, 0] + b, "e2": W[:, 1] + b}

    def draw(self, s):
        self.grid.set_segments(s["grid"])
        self.digit.set_offsets(s["points"])
        b = s["b"]
        self.e1.set_data([b[0], s["e1"][0]], [b[1], s["e1"][1]])
        self.e2.set_data([b[0], s["e2"][0]], [b[1], s["e2"][1]])
        self.origin.set_data([b[0]], [b[1]])
        det = s["det"]
        note = "flattened onto a line" if abs(det) < 1e-9 else (
            "mirrored" if det < 0 else "")
        self.det_text.set_text(f"det W = {det:+.2f}  (area ×{abs(det):.2f}) {note}")

    def caption(self, s):
        W, b = s["W"], s["b"]
        x = np.array([1.0, 1.0])
        y = W @ x + b
        return (f"<code>W = [[{W[0, 0]:.2f}, {W[0, 1]:.2f}], [{W[1, 0]:.2f}, {W[1, 1]:.2f}]], "
                f"b = [{b[0]:.2f}, {b[1]:.2f}]</code> &nbsp; e.g. the corner x = (1, 1) &rarr; "
                f"<code>Wx + b = ({signed_sum(W[0, 0], W[0, 1], b[0])}, "
                f"{signed_sum(W[1, 0], W[1, 1], b[1])}) = ({y[0]:.2f}, {y[1]:.2f})</code>")


def signed_sum(*terms: float) -> str:
    """``1.50 + 0.50 − 1.00``: the terms of a sum, each sign written once (never ``+-``)."""
    out = f"{'−' if terms[0] < 0 else ''}{abs(terms[0]):.2f}"
    for t in terms[1:]:
        out += f" {'−' if t < 0 else '+'} {abs(t):.2f}"
    return out


def affine_explorer(image=None, W=((1.0, 0.0), (0.0, 1.0)), b=(0.0, 0.0)) -> AffineExplorer:
    """Explorer: a real MNIST digit (in the unit square) and a grid moved by y = Wx + b.

    ``W`` (2×2) and ``b`` (2) set where the sliders start (entries in [−2, 2]).
    """
    if image is None:
        from ..data import load_mnist5k

        split = load_mnist5k(seed=0)
        image = split.X_train[np.flatnonzero(split.y_train == 7)[0]]
    return AffineExplorer(image, W=W, b=b)
