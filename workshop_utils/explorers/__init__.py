"""Slider explorers, one module per lesson; each builder returns an :class:`Explorer`.

Exported here: the builders the notebooks call (``from workshop_utils.explorers import
pixel_inspector``) and the ``Explorer`` base a new lesson's explorer subclasses. The
explorer classes and their constants stay in their lesson's module.
"""

from __future__ import annotations

from ..plotting import training_monitor
from ._base import Explorer
from .activations import activation_explorer, nonlinearity_explorer, vanishing_gradient_explorer
from .cnn import (
    attention_explorer,
    conv_geometry_explorer,
    feature_map_explorer,
    kernel_editor,
    patchify_explorer,
)
from .forward import forward_pass_explorer
from .layers import layer_builder
from .learning import gradient_descent_explorer, training_explorer
from .losses import focal_explorer
from .neuron import affine_explorer, neuron_explorer
from .softmax import logit_explorer
from .takeaways import quiz, weight_noise_explorer
from .tensors import grayscale_mixer, pixel_inspector

__all__ = [
    "Explorer",
    # 01
    "pixel_inspector",
    "grayscale_mixer",
    # 02
    "neuron_explorer",
    "affine_explorer",
    # 03
    "layer_builder",
    # 04
    "activation_explorer",
    "nonlinearity_explorer",
    "vanishing_gradient_explorer",
    # 05
    "conv_geometry_explorer",
    "kernel_editor",
    "training_monitor",
    "feature_map_explorer",
    "patchify_explorer",
    "attention_explorer",
    # 06
    "logit_explorer",
    # 07
    "focal_explorer",
    # 08
    "gradient_descent_explorer",
    "training_explorer",
    # 09
    "forward_pass_explorer",
    # 10
    "weight_noise_explorer",
    "quiz",
]
