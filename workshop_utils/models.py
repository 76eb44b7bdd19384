"""Models used again across notebooks, and cached trained weights.

``SmallCNN`` is exactly the outline's minimal forward pass (section 9): conv + ReLU,
conv + ReLU, flatten, dense (softmax is applied by the loss, or by ``predict_proba``).
Strided convolutions shrink 28×28 to 7×7 without any extra pooling step.
"""

from __future__ import annotations

import torch
from torch import nn

from ._validate import require_int
from .cache import cached_training, cached_weights  # noqa: F401 - the notebooks import them here

__all__ = ["SmallCNN", "cached_training", "cached_weights", "cnn_key", "count_parameters",
           "pretrained_cnn", "pretrained_vit", "CNN_RECIPE"]


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


# The recipe the course trains its CNN with (notebook 05 measures it; 07–10 reuse it).
# Tuned on the stratified 80/20 split (benchmarks/bench_models.py): random shifts of ±2 px,
# rotations of ±15° and zooms of ±15 % make 4,000 digits go much further.
CNN_RECIPE = dict(epochs=20, lr=5e-3, batch_size=64, max_shift=2, max_rotate=15.0, max_scale=0.15,
                  label_smoothing=0.1, weight_decay=1e-4)
CNN_RECIPE_VERSION = 3  # bump when the recipe, SmallCNN or fit changes, so caches retrain


def cnn_key(seed: int = 0) -> str:
    """The cache key of ``pretrained_cnn(seed)``: notebook 05 trains under the same key."""
    return f"smallcnn_r{CNN_RECIPE_VERSION}_seed{require_int(seed, 'seed', low=0)}"


def pretrained_cnn(seed: int = 0, verbose: bool = True, *, retrain: bool = False, on_epoch=None,
                   with_history: bool = False):
    """SmallCNN trained with ``CNN_RECIPE`` on MNIST-5k's split ``load_mnist5k(seed=0)``.

    Trained once (seconds on a laptop CPU), then loaded from the cache: exactly what
    ``torch.manual_seed(seed); fit(SmallCNN(), X_train, y_train, seed=seed, **CNN_RECIPE)``
    gives. ``with_history=True`` returns ``(model, history)``; ``on_epoch`` gets the
    epochs, live while training or replayed from the cache.
    """
    from .cache import pretrained

    return pretrained(SmallCNN, cnn_key(seed), CNN_RECIPE, seed, verbose=verbose, retrain=retrain,
                       on_epoch=on_epoch, with_history=with_history, label="the CNN")


def pretrained_vit(seed: int = 0, verbose: bool = True, **kwargs):
    """The course's TinyViT, trained once with ``vit.VIT_RECIPE`` and cached (see ``vit.py``)."""
    from .vit import pretrained_vit as _pretrained_vit

    return _pretrained_vit(seed, verbose=verbose, **kwargs)
