"""The course's CNN architecture (``SmallCNN``) and ``count_parameters``; trained copies live in ``trained``.

``SmallCNN`` is exactly the outline's minimal forward pass (section 9): conv + ReLU,
conv + ReLU, flatten, dense (softmax is applied by the loss, or by ``predict_proba``).
Strided convolutions shrink 28×28 to 7×7 without any extra pooling step.
"""

from __future__ import annotations

import torch
from torch import nn

from ._validate import require_int

__all__ = ["SmallCNN", "count_parameters"]


class SmallCNN(nn.Module):
    """conv(k, stride s) + ReLU → conv + ReLU → flatten → dense, for 1×28×28 digits."""

    def __init__(self, channels=(16, 32), kernel_size: int = 5, stride: int = 2,
                 n_classes: int = 10, in_channels: int = 1, image_size: int = 28):
        super().__init__()
        c1, c2 = (require_int(c, "channels", low=1) for c in channels)
        k = require_int(kernel_size, "kernel_size", low=1)
        s = require_int(stride, "stride", low=1)
        n_classes = require_int(n_classes, "n_classes", low=2)
        p = k // 2
        self.config = dict(channels=(c1, c2), kernel_size=k, stride=s, n_classes=n_classes,
                           in_channels=in_channels, image_size=image_size)
        self.conv1 = nn.Conv2d(in_channels, c1, k, stride=s, padding=p)
        self.conv2 = nn.Conv2d(c1, c2, k, stride=s, padding=p)
        side = image_size
        for _ in range(2):
            side = (side + 2 * p - k) // s + 1
        if side < 1:
            raise ValueError(f"a {image_size}×{image_size} image is too small for kernel {k}, stride {s}")
        self.side = side
        self.fc = nn.Linear(c2 * side * side, n_classes)

    def stages(self, x):
        """Every intermediate tensor of the forward pass, by the outline's names."""
        if x.ndim != 4 or x.shape[1] != self.conv1.in_channels:
            raise ValueError(
                f"SmallCNN expects a batch N×{self.conv1.in_channels}×H×W; got shape {tuple(x.shape)}"
            )
        h1 = torch.relu(self.conv1(x))
        h2 = torch.relu(self.conv2(h1))
        h = h2.flatten(1)
        z = self.fc(h)
        return {"X": x, "H1": h1, "H2": h2, "h": h, "z": z}

    def forward(self, x):
        return self.stages(x)["z"]

    def __repr__(self) -> str:
        c1, c2 = self.config["channels"]
        k, s = self.config["kernel_size"], self.config["stride"]
        return (f"SmallCNN(1×28×28 → conv{k}×{k}/s{s}→{c1} + ReLU → conv{k}×{k}/s{s}→{c2} + ReLU "
                f"→ flatten {c2 * self.side ** 2} → dense {self.config['n_classes']}; "
                f"{count_parameters(self):,} parameters)")


def count_parameters(model: nn.Module) -> int:
    """Number of learned numbers (weights and biases) in a model."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
