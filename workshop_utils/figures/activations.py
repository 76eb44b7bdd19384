"""Figure for notebook 04: the four activation functions and their derivatives."""

from __future__ import annotations

import numpy as np

from .. import activations as act
from ..plotting import COLORS, new_figure

__all__ = ["activation_functions_figure", "ACTIVATION_COLOURS", "ACTIVATION_LABELS"]

ACTIVATION_COLOURS = {"linear": COLORS["black"], "relu": COLORS["blue"],
                      "sigmoid": COLORS["orange"], "tanh": COLORS["green"]}
ACTIVATION_LABELS = {
    "linear": ("Linear", r"$f(x) = x$"),
    "relu": ("ReLU", r"$f(x) = \max(0, x)$"),
    "sigmoid": ("Sigmoid", r"$f(x) = \dfrac{1}{1 + e^{-x}}$"),
    "tanh": ("Tanh", r"$f(x) = \dfrac{e^{x} - e^{-x}}{e^{x} + e^{-x}}$"),
}


def activation_functions_figure():
    """``activation-functions.jpg``: Linear, ReLU, Sigmoid, Tanh (solid) and f' (dashed)."""
    x = np.linspace(-4, 4, 401)
    fig = new_figure(figsize=(10.0, 3.1), dpi=100)
    axes = fig.subplots(1, 4, sharey=True)
    for ax, name in zip(axes, act.NAMES):
        f, df = act.get(name)
        colour = ACTIVATION_COLOURS[name]
        title, formula = ACTIVATION_LABELS[name]
        ax.axhline(0, color="0.75", lw=0.8)
        ax.axvline(0, color="0.75", lw=0.8)
        ax.plot(x, f(x), color=colour, lw=2.2, label="f(x)")
        d = df(x)
        d[np.abs(np.diff(d, prepend=d[0])) > 0.5] = np.nan  # no vertical line at a jump
        ax.plot(x, d, color=colour, lw=1.4, ls="--", alpha=0.8, label="f′(x)")
        ax.set_title(f"{title}:  {formula}", fontsize=10)
        ax.set_xlim(-4, 4)
        ax.set_ylim(-1.6, 2.6)
        ax.set_xlabel("x")
        if name == "linear":
            ax.legend(loc="upper left", fontsize=8)
    fig.suptitle("Activation functions (solid) and their derivatives (dashed)", fontsize=11)
    return fig


ASSETS = {"activation-functions.jpg": activation_functions_figure}
