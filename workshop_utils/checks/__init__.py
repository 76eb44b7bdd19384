"""Exercise checkers, one module per lesson, on the shared machinery of ``_core.py``.

Exported here: the checkers the notebooks call (``from workshop_utils.checks import
check_hwc_to_chw``) and ``CheckResult``, what each returns. The machinery a new checker is
built from (``check_function``, ``Hint``, ``call_learner``, ``as_array``, ``matches``,
``report``, ``rel_error``, ``numeric_gradient`` …) is imported from ``checks._core``.
"""

from __future__ import annotations

from ._core import CheckResult, pulsed
from .activations import (
    check_relu,
    check_relu_grad,
    check_sigmoid,
    check_sigmoid_grad,
    check_tanh,
    check_tanh_grad,
)
from .cnn import (
    check_attention,
    check_attention_shape,
    check_conv_output_size,
    check_conv_value,
    check_num_patches,
)
from .forward import check_forward_batch, check_stage_shapes
from .layers import check_count_parameters, check_layer_params, check_linear_batch
from .learning import check_ce_grad, check_sgd_step
from .losses import check_focal_equals_ce, check_focal_loss, check_modulating_factor
from .neuron import check_affine, check_ink_classifier, check_neuron
from .softmax import check_log_softmax, check_softmax, check_softmax_temperature
from .takeaways import check_parameter_count, check_recall
from .tensors import check_grayscale, check_hwc_to_chw, check_normalise

__all__ = [
    "CheckResult",
    # 01
    "check_hwc_to_chw",
    "check_normalise",
    "check_grayscale",
    # 02
    "check_neuron",
    "check_ink_classifier",
    "check_affine",
    # 03
    "check_layer_params",
    "check_linear_batch",
    "check_count_parameters",
    # 04
    "check_relu",
    "check_sigmoid",
    "check_tanh",
    "check_relu_grad",
    "check_sigmoid_grad",
    "check_tanh_grad",
    # 05
    "check_conv_output_size",
    "check_conv_value",
    "check_num_patches",
    "check_attention_shape",
    "check_attention",
    # 06
    "check_softmax",
    "check_softmax_temperature",
    "check_log_softmax",
    # 07
    "check_focal_loss",
    "check_focal_equals_ce",
    "check_modulating_factor",
    # 08
    "check_sgd_step",
    "check_ce_grad",
    # 09
    "check_stage_shapes",
    "check_forward_batch",
    # 10
    "check_parameter_count",
    "check_recall",
]

# Every checker a notebook calls sends its verdict to the class pulse, when the learner opted
# in (WORKSHOP_PULSE; see workshop_utils/pulse): one hook, here, where the exercise ids are.
for _name in __all__[1:]:
    globals()[_name] = pulsed(globals()[_name])
del _name
