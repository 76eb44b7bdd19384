"""Models used again across notebooks, and cached trained weights.

``SmallCNN`` is exactly the outline's minimal forward pass (section 9): conv + ReLU,
conv + ReLU, flatten, dense (softmax is applied by the loss, or by ``predict_proba``).
Strided convolutions shrink 28×28 to 7×7 without any extra pooling step.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import torch
from torch import nn

from ._validate import require_int

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


def cached_training(model: nn.Module, key: str, train_fn, *, folder=None, verbose: bool = True,
                    retrain: bool = False, on_epoch=None):
    """Load ``model``'s weights and training History cached under ``key``, or train and save them.

    ``train_fn(model)`` trains in place and may return its ``History`` (what ``fit`` returns);
    the History is saved next to the weights as JSON. On a later load its epochs are
    replayed through ``on_epoch(epoch, history)``, so a live plot shows the curve of the
    run that made these weights. Weights are saved atomically and loaded with
    ``torch.load(..., weights_only=True)``. ``retrain=True`` (or the environment variable
    ``WORKSHOP_RETRAIN=1``) trains again and overwrites the cache.

    Returns ``(model, history)``; ``history`` is None when ``train_fn`` returned none.
    """
    from .data import _atomic_write, cache_dir
    from .training import History

    if not isinstance(model, nn.Module):
        raise ValueError(f"model should be a torch.nn.Module; got {type(model).__name__}")
    if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", key):
        raise ValueError(f"key names the cache file: letters, digits, '_', '.' and '-' only; got {key!r}")
    if not isinstance(retrain, bool):
        raise ValueError(f"retrain should be True or False; got {retrain!r}")
    folder = Path(folder) if folder is not None else cache_dir() / "weights"
    folder.mkdir(parents=True, exist_ok=True)
    path, hist_path = folder / f"{key}.pt", folder / f"{key}.history.json"
    if path.exists() and not retrain and os.environ.get("WORKSHOP_RETRAIN") != "1":
        loaded = False
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            model.load_state_dict(state)
            history = None
            if hist_path.exists():
                history = History.from_dict(json.loads(hist_path.read_text()))
            loaded = True
        except Exception as exc:  # noqa: BLE001 - a stale cache is retrained below
            if verbose:
                print(f"cached weights {path.name} unusable ({type(exc).__name__}); retraining")
        if loaded:
            if verbose:
                took = f", trained in {history.seconds:.1f} s" if history is not None else ""
                print(f"loaded cached weights {path.name}{took} (retrain=True trains again)")
            if history is not None and on_epoch is not None:
                history.replay(on_epoch)  # outside the try: an error in on_epoch is the caller's
            return model.eval(), history
    history = train_fn(model)
    if not isinstance(history, History):
        history = None
    _atomic_write(path, lambda tmp: torch.save(model.state_dict(), tmp))
    if history is not None:
        _atomic_write(hist_path, lambda tmp: Path(tmp).write_text(json.dumps(history.to_dict())))
    elif hist_path.exists():
        hist_path.unlink()
    return model.eval(), history


def cached_weights(model: nn.Module, key: str, train_fn, *, folder=None, verbose: bool = True,
                   retrain: bool = False):
    """Load ``model``'s weights from the cache under ``key``, or train and save them.

    ``train_fn(model)`` trains in place. ``cached_training`` does the work (and also keeps
    the History); set ``retrain=True`` or ``WORKSHOP_RETRAIN=1`` to ignore the cache.
    """
    return cached_training(model, key, train_fn, folder=folder, verbose=verbose, retrain=retrain)[0]


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
    return _pretrained(SmallCNN, cnn_key(seed), CNN_RECIPE, seed, verbose=verbose, retrain=retrain,
                       on_epoch=on_epoch, with_history=with_history)


def _pretrained(make, key: str, recipe: dict, seed: int, *, verbose: bool, retrain: bool, on_epoch,
                with_history: bool):
    """``make()`` initialised under ``seed``, trained with ``recipe`` on MNIST-5k, cached under ``key``."""
    from .data import load_mnist5k
    from .training import fit

    seed = require_int(seed, "seed", low=0)

    def train(model):
        torch.manual_seed(seed)
        model.load_state_dict(make().state_dict())  # start again from the seed's initialisation
        Xtr, ytr, _, _ = load_mnist5k(seed=0).tensors()
        return fit(model, Xtr, ytr, seed=seed, progress=verbose, on_epoch=on_epoch, **recipe)

    torch.manual_seed(seed)
    model, history = cached_training(make(), key, train, verbose=verbose, retrain=retrain,
                                     on_epoch=on_epoch)
    return (model, history) if with_history else model


def pretrained_vit(seed: int = 0, verbose: bool = True, **kwargs):
    """The course's TinyViT, trained once with ``vit.VIT_RECIPE`` and cached (see ``vit.py``)."""
    from .vit import pretrained_vit as _pretrained_vit

    return _pretrained_vit(seed, verbose=verbose, **kwargs)
