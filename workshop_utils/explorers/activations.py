"""Explorers for notebook 04: f(wx + b), why non-linearity matters, vanishing gradients."""

from __future__ import annotations

import contextlib

import numpy as np

from .. import activations as act
from .. import neuron as nrn
from ..figures.activations import ACTIVATION_COLOURS, ACTIVATION_LABELS
from ..plotting import COLORS
from ._base import Explorer, started
from .neuron import class_cmap

__all__ = ["activation_explorer", "nonlinearity_explorer", "vanishing_gradient_explorer",
           "ActivationExplorer", "NonlinearityExplorer", "VanishingGradientExplorer",
           "ACTIVATION_OPTIONS"]

ACTIVATION_OPTIONS = [(ACTIVATION_LABELS[n][0], n) for n in act.NAMES]  # (label, value)


def _dropdown(value="relu", options=ACTIVATION_OPTIONS):
    import ipywidgets as widgets

    return widgets.Dropdown(options=list(options), value=value, description="activation")


class ActivationExplorer(Explorer):
    """A dropdown for f and sliders for w and b: the curve f(wx + b) and its slope."""

    title = "Activation explorer: y = f(w·x + b)"
    figsize = (8.0, 3.1)
    X = np.linspace(-5, 5, 401)
    YLIM = (-2.5, 2.5)

    def __init__(self, activation="relu", w=1.0, b=0.0):
        import ipywidgets as widgets

        act.get(activation)  # validates the name
        kw = dict(min=-4.0, max=4.0, step=0.1, readout_format=".1f", continuous_update=True)
        controls = {
            "activation": _dropdown(activation),
            "w": widgets.FloatSlider(value=w, description="w", **kw),
            "b": widgets.FloatSlider(value=b, description="b", **kw),
        }
        super().__init__(controls)

    def setup(self):
        ax, ax_d = self.fig.subplots(1, 2)
        self.ax, self.ax_d = ax, ax_d
        for a in (ax, ax_d):
            a.axhline(0, color="0.8", lw=0.8)
            a.axvline(0, color="0.8", lw=0.8)
            a.set_xlim(self.X[0], self.X[-1])
            a.set_ylim(*self.YLIM)
            a.set_xlabel("x")
        (self.pre,) = ax.plot([], [], color="0.6", lw=1, ls=":")
        (self.curve,) = ax.plot([], [], lw=2.5)
        ax.set_title("solid: y = f(w·x + b);  dotted: w·x + b", fontsize=9)
        (self.slope,) = ax_d.plot([], [], lw=2, ls="--")
        ax_d.set_title("its slope: d/dx f(w·x+b) = w·f′(w·x+b)", fontsize=9)
        self.dynamic = [self.pre, self.curve, self.slope]

    def compute(self, activation, w, b):
        f, df = act.get(activation)
        z = w * self.X + b
        return {"activation": activation, "w": w, "b": b, "z": z, "y": f(z),
                "slope": w * df(z), "at_zero": float(f(np.array(b)))}

    def draw(self, s):
        colour = ACTIVATION_COLOURS[s["activation"]]
        self.pre.set_data(self.X, s["z"])
        self.curve.set_data(self.X, s["y"])
        self.curve.set_color(colour)
        slope = s["slope"].copy()
        slope[np.abs(np.diff(slope, prepend=slope[0])) > 0.5 * max(abs(s["w"]), 1e-9)] = np.nan
        self.slope.set_data(self.X, slope)
        self.slope.set_color(colour)

    def caption(self, s):
        name, formula = ACTIVATION_LABELS[s["activation"]]
        w, b = s["w"], s["b"]
        where = (f"the bend / centre sits at x = −b/w = {-b / w:+.2f}" if abs(w) > 1e-9
                 else "w = 0: the output no longer depends on x")
        y = s["y"]
        return (f"<b>{name}</b>: <code>y = f({w:.1f}·x + ({b:.1f}))</code>; at x = 0 "
                f"<code>y = f(b) = {s['at_zero']:.3f}</code>; {where}; over x ∈ [−5, 5] y runs "
                f"from {y.min():.2f} to {y.max():.2f}")


def activation_explorer(activation="relu", w=1.0, b=0.0) -> ActivationExplorer:
    """Explorer: choose Linear/ReLU/Sigmoid/Tanh and move w, b of f(wx + b)."""
    return started(ActivationExplorer(activation, w, b), w=w, b=b)


# --------------------------------------------------------------------------- why non-linearity
@contextlib.contextmanager
def _one_thread():
    """Tiny networks train fastest on one thread (no thread start-up and hand-over per op)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class NonlinearityExplorer(Explorer):
    """A 2 → width → 2 network on a real two-feature problem; the activation is the knob.

    Training waits for the **Train** button (or ``train()``); results are kept per
    (activation, width), so switching back shows the trained network again.
    """

    title = "Why non-linearity: a two-layer network, trained on real digits"
    figsize = (5.6, 4.3)
    LIM = (0.0, 1.4)
    N_GRID = 90

    def __init__(self, problem=None, activation="linear", width=8, epochs=200, lr=0.05,
                 seed=0):
        import ipywidgets as widgets

        self.problem = problem if problem is not None else nrn.ink_problem([0, 1], [6, 7])
        if not isinstance(self.problem, nrn.TwoFeatureProblem):
            raise ValueError("problem should be a TwoFeatureProblem (from ink_problem()); got "
                             f"{type(self.problem).__name__}")
        act.get(activation)
        self.epochs, self.lr, self.seed = int(epochs), float(lr), int(seed)
        self.mu = self.problem.X_train.mean(axis=0)
        self.sd = self.problem.X_train.std(axis=0)
        g = np.linspace(*self.LIM, self.N_GRID)
        self.gx = g
        self.grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
        self.results = {}
        self.button = widgets.Button(description="Train", button_style="primary",
                                     icon="play", tooltip="train this network (a few seconds)")
        self.button.on_click(lambda _: self.train())
        controls = {
            "activation": _dropdown(activation),
            "width": widgets.IntSlider(value=width, min=1, max=32, description="hidden width",
                                       continuous_update=False),
        }
        super().__init__(controls, extra_widgets=[self.button])

    # -- the maths, without widgets ------------------------------------------------
    def _tensor(self, X):
        import torch

        return torch.tensor((X - self.mu) / self.sd, dtype=torch.float32)

    def _model(self, activation, width):
        from ..layers import build_mlp

        return build_mlp([2, width, 2], activation, seed=self.seed)

    def _summarise(self, model, trained, seconds=0.0, loss=float("nan")):
        import torch

        from ..training import evaluate, predict_proba

        p = self.problem
        prob = predict_proba(model, self._tensor(self.grid))[:, 1].numpy()
        acc_tr = evaluate(model, self._tensor(p.X_train), torch.from_numpy(p.y_train))
        acc_te = evaluate(model, self._tensor(p.X_test), torch.from_numpy(p.y_test))
        return {"prob": prob.reshape(self.N_GRID, self.N_GRID), "train_acc": acc_tr,
                "test_acc": acc_te, "trained": trained, "seconds": seconds, "loss": loss}

    def train(self, activation=None, width=None) -> dict:
        """Train the network for the current (or given) activation and width, then redraw."""
        import torch

        from ..training import fit

        activation = activation or self.controls["activation"].value
        width = int(width or self.controls["width"].value)
        p = self.problem
        self.button.disabled = True
        self.button.description = "training…"
        try:
            with _one_thread():
                model = self._model(activation, width)
                hist = fit(model, self._tensor(p.X_train), torch.from_numpy(p.y_train),
                           epochs=self.epochs, lr=self.lr, batch_size=len(p.X_train),
                           seed=self.seed, progress=False)
                self.results[(activation, width)] = self._summarise(
                    model, True, hist.seconds, hist.loss[-1])
        finally:
            self.button.disabled = False
            self.button.description = "Train"
        self.redraw()
        return self.results[(activation, width)]

    def compute(self, activation, width):
        from contourpy import contour_generator

        key = (activation, int(width))
        res = self.results.get(key)
        if res is None:  # not trained yet: show the network as initialised
            untrained = ("untrained", *key)
            if untrained not in self.results:
                with _one_thread():
                    self.results[untrained] = self._summarise(self._model(*key), False)
            res = self.results[untrained]

        gen = contour_generator(self.gx, self.gx, res["prob"])
        lines = [seg for seg in gen.lines(0.5) if len(seg) > 1]
        return {"activation": activation, "width": int(width), "boundary": lines,
                "n_pieces": len(lines), **res}

    # -- drawing ---------------------------------------------------------------------
    def setup(self):
        from matplotlib.collections import LineCollection

        ax = self.fig.add_subplot()
        self.ax = ax
        lo, hi = self.LIM
        self.heat = ax.imshow(np.zeros((self.N_GRID, self.N_GRID)), origin="lower",
                              extent=(lo, hi, lo, hi), cmap=class_cmap(), vmin=0, vmax=1,
                              interpolation="nearest", aspect="auto")
        X, y = self.problem.X_train, self.problem.y_train
        names = self.problem.class_names
        pts = ax.plot(*X[y == 0].T, "o", ms=2.5, color=COLORS["blue"], alpha=0.7, mec="none",
                      label=f"{names[0]} (balanced ink)")
        pts += ax.plot(*X[y == 1].T, "^", ms=2.5, color=COLORS["orange"], alpha=0.7, mec="none",
                       label=f"{names[1]} (lopsided ink)")
        self.boundary = LineCollection([], colors="black", lw=2)
        ax.add_collection(self.boundary)
        ax.plot([], [], color="black", lw=2, label="decision boundary")
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xlabel(self.problem.feature_names[0])
        ax.set_ylabel(self.problem.feature_names[1])
        self.fig.legend(loc="outside lower center", ncol=3, fontsize=8)
        self.dynamic = [self.heat, *pts, self.boundary]

    def draw(self, s):
        self.heat.set_data(s["prob"])
        self.boundary.set_segments(s["boundary"])

    def caption(self, s):
        name = ACTIVATION_LABELS[s["activation"]][0]
        arch = f"2 → {s['width']} ({name}) → 2"
        if not s["trained"]:
            return (f"network {arch}: <b>not trained yet</b> - press <b>Train</b> "
                    f"(a few seconds). Right now it guesses: {s['test_acc']:.0%} held-out accuracy.")
        return (f"network {arch}, trained {self.epochs} steps in {s['seconds']:.1f} s: "
                f"<b>held-out accuracy {s['test_acc']:.1%}</b> (training {s['train_acc']:.1%}). "
                "Orange: the network says “6 or 7”; blue: “0 or 1”.")


def nonlinearity_explorer(problem=None, activation="linear", width=8) -> NonlinearityExplorer:
    """Explorer: 0/1 against 6/7 from two ink features; Train with Linear, ReLU, Tanh, Sigmoid."""
    return started(NonlinearityExplorer(problem, activation=activation, width=width), width=width)


# --------------------------------------------------------------------------- vanishing gradients
class VanishingGradientExplorer(Explorer):
    """Depth and weight sliders: the product of derivatives through n layers, per activation."""

    title = "Vanishing gradients: ∂h_n/∂x = Π w·f′(z_k) through n layers"
    figsize = (7.6, 3.4)
    MAX_DEPTH = 30
    NAMES = ("sigmoid", "tanh", "relu")

    def __init__(self, depth=10, w=1.0, x=1.0):
        import ipywidgets as widgets

        self.x = float(x)
        controls = {
            "depth": widgets.IntSlider(value=depth, min=1, max=self.MAX_DEPTH, description="layers n"),
            "w": widgets.FloatSlider(value=w, min=0.25, max=2.0, step=0.05, readout_format=".2f",
                                     description="weight w"),
        }
        super().__init__(controls)

    def setup(self):
        ax = self.fig.add_subplot()
        self.ax = ax
        self.lines, self.ends = {}, {}
        for name in self.NAMES:
            colour = ACTIVATION_COLOURS[name]
            label = ACTIVATION_LABELS[name][0]
            (self.lines[name],) = ax.plot([], [], "-o", ms=3, color=colour, lw=1.8, label=label)
            (self.ends[name],) = ax.plot([], [], "o", ms=9, color=colour, mec="black")
        ax.axhline(1.0, color="0.6", lw=0.8, ls=":")
        ax.set_yscale("log")
        ax.set_xlim(0.5, self.MAX_DEPTH + 0.5)
        ax.set_ylim(1e-20, 1e10)
        ax.set_xlabel("layer k")
        ax.set_ylabel(r"$\partial h_k / \partial x$  (log scale)")
        ax.legend(loc="lower left", fontsize=8)
        self.dynamic = [*self.lines.values(), *self.ends.values()]

    def compute(self, depth, w):
        chains = {name: act.chain_gradient(name, depth, x=self.x, w=w) for name in self.NAMES}
        grads = {name: np.abs(c["product"]) for name, c in chains.items()}
        return {"depth": depth, "w": w, "chains": chains, "grads": grads,
                "final": {name: float(g[-1]) for name, g in grads.items()}}

    def draw(self, s):
        k = np.arange(1, s["depth"] + 1)
        for name in self.NAMES:
            g = np.clip(s["grads"][name], 1e-300, None)  # log scale: 0 drawn at the bottom
            self.lines[name].set_data(k, g)
            self.ends[name].set_data([k[-1]], [g[-1]])

    def caption(self, s):
        parts = []
        for name in self.NAMES:
            c = s["chains"][name]
            f = c["factors"]
            label = ACTIVATION_LABELS[name][0]
            parts.append(f"<b>{label}</b>: factors w·f′(z) ≈ {f[-1]:.3g} each, product "
                         f"{s['final'][name]:.3g}")
        return (f"x = {self.x:g} through {s['depth']} one-neuron layers h_k = f({s['w']:.2f}·h_(k−1)); "
                "the gradient reaching the input is the product of the layers' factors.<br>"
                + " &nbsp;|&nbsp; ".join(parts))


def vanishing_gradient_explorer(depth=10, w=1.0) -> VanishingGradientExplorer:
    """Explorer: how the gradient through n layers shrinks (sigmoid) or survives (ReLU)."""
    return started(VanishingGradientExplorer(depth=depth, w=w), depth=depth, w=w)
