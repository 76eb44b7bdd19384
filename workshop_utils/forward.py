"""The outline's minimal forward pass (section 9) in numpy, with a trained SmallCNN's weights.

1. normalise  X̃ = X / 255
2. conv + ReLU  H₁ = ReLU(W₁ * X̃ + b₁)
3. conv + ReLU  H₂ = ReLU(W₂ * H₁ + b₂)
4. flatten  h = vec(H₂)
5. dense  z = W₃ h + b₃
6. softmax  ŷ = softmax(z)

The convolution is ``conv.conv2d``, the package's vectorised im2col implementation of
lesson 05's formula (checked against torch; the notebook's own loop and sliding-window
versions compute the same), and the softmax lesson 06's ``softmax.softmax``;
``stage_shapes`` gives every intermediate shape for any kernel size and stride.
"""

from __future__ import annotations

import numpy as np

from . import conv
from ._validate import as_numpy, describe, require_int
from .softmax import softmax

__all__ = ["STAGES", "smallcnn_weights", "minimal_forward", "stage_shapes"]

# the outline's names for the intermediate tensors, in order
STAGES = ("X", "X_tilde", "H1", "H2", "h", "z", "y_hat")
WEIGHT_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


def smallcnn_weights(model) -> dict:
    """The six learned arrays of a ``models.SmallCNN`` as numpy float64, plus its stride/padding.

    W₁: C₁×1×k×k, b₁: C₁, W₂: C₂×C₁×k×k, b₂: C₂, W₃: classes×(C₂·side²), b₃: classes.
    """
    for name in ("conv1", "conv2", "fc"):
        if not hasattr(model, name):
            raise ValueError(f"model should be a SmallCNN (with conv1, conv2 and fc); "
                             f"got {type(model).__name__}")
    layers = (model.conv1, model.conv2, model.fc)
    out = {}
    for i, layer in enumerate(layers, start=1):
        out[f"W{i}"] = layer.weight.detach().cpu().double().numpy().copy()
        out[f"b{i}"] = layer.bias.detach().cpu().double().numpy().copy()
    out["stride"] = int(model.conv1.stride[0])
    out["padding"] = int(model.conv1.padding[0])
    return out


def _check_weights(weights):
    if not isinstance(weights, dict) or any(k not in weights for k in WEIGHT_NAMES):
        got = sorted(weights) if isinstance(weights, dict) else type(weights).__name__
        raise ValueError(f"weights should be a dict with {list(WEIGHT_NAMES)} (see smallcnn_weights); "
                         f"got {got}")
    return {k: as_numpy(weights[k], k) for k in WEIGHT_NAMES}


def minimal_forward(X, weights: dict, stride: int | None = None, padding: int | None = None) -> dict:
    """Every stage of the forward pass for uint8 digits: one H×W image or a batch N×H×W.

    Returns a dict with ``X`` (as given), ``X_tilde``, ``H1``, ``H2``, ``h``, ``z`` and
    ``y_hat`` (numpy float64; a batch keeps its leading N axis, one image has none).
    """
    X = as_numpy(X, "X")
    if X.dtype != np.uint8:
        raise ValueError(f"X should be raw uint8 pixels 0..255 (step 1 divides by 255); got {describe(X)}")
    if X.ndim not in (2, 3):
        raise ValueError(f"X should be one grayscale image H×W or a batch N×H×W; got shape {X.shape}")
    w = _check_weights(weights)
    stride = require_int(weights.get("stride", 2) if stride is None else stride, "stride", low=1)
    padding = require_int(weights.get("padding", 2) if padding is None else padding, "padding", low=0)
    single = X.ndim == 2
    Xb = X[None] if single else X

    X_tilde = Xb.astype(np.float64) / 255.0                                           # 1. normalise
    H1 = np.maximum(conv.conv2d(X_tilde[:, None], w["W1"], w["b1"], stride, padding), 0)  # 2.
    H2 = np.maximum(conv.conv2d(H1, w["W2"], w["b2"], stride, padding), 0)            # 3.
    h = H2.reshape(len(H2), -1)                                                        # 4. flatten
    if h.shape[1] != w["W3"].shape[1]:
        raise ValueError(f"flattening H₂ gives {h.shape[1]} numbers but W₃ expects {w['W3'].shape[1]}: "
                         f"is the image {Xb.shape[1]}×{Xb.shape[2]} the size the network was built for?")
    z = h @ w["W3"].T + w["b3"]                                                        # 5. dense
    y_hat = softmax(z, axis=1)                                                         # 6. softmax
    out = {"X": X, "X_tilde": X_tilde, "H1": H1, "H2": H2, "h": h, "z": z, "y_hat": y_hat}
    if single:
        out = {k: (v if k == "X" else v[0]) for k, v in out.items()}
    return out


def stage_shapes(kernel_size: int = 5, stride: int = 2, padding: int | None = None,
                 image_size: int = 28, channels=(16, 32), n_classes: int = 10) -> dict:
    """The shape of every stage for one image (no batch axis), as SmallCNN builds it.

    ``padding`` defaults to ``kernel_size // 2``, as in ``models.SmallCNN``. Each conv
    side follows ⌊(H + 2p − k) / s⌋ + 1.
    """
    k = require_int(kernel_size, "kernel_size", low=1)
    s = require_int(stride, "stride", low=1)
    p = k // 2 if padding is None else require_int(padding, "padding", low=0)
    n = require_int(image_size, "image_size", low=1)
    if len(channels) != 2:
        raise ValueError(f"channels should be two numbers (C₁, C₂); got {channels!r}")
    c1, c2 = (require_int(c, "channels", low=1) for c in channels)
    n_classes = require_int(n_classes, "n_classes", low=2)
    side1 = conv.conv_output_size(n, k, s, p)
    side2 = conv.conv_output_size(side1, k, s, p)
    return {"X": (n, n), "X_tilde": (n, n), "H1": (c1, side1, side1), "H2": (c2, side2, side2),
            "h": (c2 * side2 * side2,), "z": (n_classes,), "y_hat": (n_classes,)}
