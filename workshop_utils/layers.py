"""Layers: y = f(Wx + b) with x ∈ ℝ^d_in, W ∈ ℝ^(d_out×d_in), b ∈ ℝ^d_out; shapes and counts.

``Wx + b`` itself is ``neuron.affine`` (lesson 02's affine map; a batch gives X Wᵀ + b);
``init_linear`` draws W and b like PyTorch, ``layer_shapes``/``total_parameters``
describe a stack of layers given by its widths, and ``build_mlp`` makes the same stack
in PyTorch (``models.count_parameters`` counts a torch model's parameters).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import as_numpy, describe, require_int

__all__ = [
    "flatten",
    "init_linear",
    "LayerShape",
    "layer_shapes",
    "total_parameters",
    "build_mlp",
]


def flatten(images) -> np.ndarray:
    """One image H×W → a vector of H·W numbers; a batch N×H×W → N×(H·W) (row by row)."""
    a = as_numpy(images, "images")
    if a.ndim == 2:
        return a.reshape(-1)
    if a.ndim == 3:
        return a.reshape(a.shape[0], -1)
    raise ValueError(f"images should be one image H×W or a batch N×H×W; got {describe(a)}")


def init_linear(d_in: int, d_out: int, seed: int = 0):
    """``(W, b)`` for a layer d_in → d_out, drawn like PyTorch: uniform in ±1/√d_in."""
    d_in = require_int(d_in, "d_in", low=1)
    d_out = require_int(d_out, "d_out", low=1)
    rng = np.random.default_rng(require_int(seed, "seed", low=0))
    bound = 1.0 / np.sqrt(d_in)
    return (rng.uniform(-bound, bound, size=(d_out, d_in)),
            rng.uniform(-bound, bound, size=d_out))


@dataclass(frozen=True)
class LayerShape:
    """The shapes of one layer d_in → d_out: W is d_out×d_in, b has d_out entries."""

    index: int
    d_in: int
    d_out: int

    @property
    def W(self) -> tuple:
        return (self.d_out, self.d_in)

    @property
    def b(self) -> tuple:
        return (self.d_out,)

    @property
    def parameters(self) -> int:
        return self.d_out * self.d_in + self.d_out

    def __repr__(self) -> str:
        return (f"layer {self.index}: {self.d_in} → {self.d_out}, W {self.W}, b {self.b}, "
                f"{self.parameters:,} parameters")


def _widths(widths) -> list:
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__"):
        raise ValueError(f"widths should be a list of layer sizes like [784, 128, 10]; got {widths!r}")
    widths = [require_int(int(w) if isinstance(w, np.integer) else w, "each width", low=1)
              for w in widths]
    if len(widths) < 2:
        raise ValueError(f"widths needs at least an input and an output size; got {widths}")
    return widths


def layer_shapes(widths) -> list:
    """One :class:`LayerShape` per pair of neighbouring widths (input, hidden…, output)."""
    widths = _widths(widths)
    return [LayerShape(i + 1, a, b) for i, (a, b) in enumerate(zip(widths[:-1], widths[1:]))]


def total_parameters(widths) -> int:
    """Weights plus biases of a stack of linear layers: Σ (d_in·d_out + d_out)."""
    return sum(s.parameters for s in layer_shapes(widths))


def build_mlp(widths, activation: str = "relu", seed: int | None = None):
    """The same stack in PyTorch: Linear, activation, …, Linear (no activation at the end)."""
    import torch
    from torch import nn

    from .activations import torch_activation

    shapes = layer_shapes(widths)
    torch_activation(activation)  # an unknown name is refused even where no layer uses it
    if seed is not None:
        torch.manual_seed(require_int(seed, "seed", low=0))
    mods = []
    for k, s in enumerate(shapes):
        mods.append(nn.Linear(s.d_in, s.d_out))
        if k < len(shapes) - 1:
            mods.append(torch_activation(activation))
    return nn.Sequential(*mods)
