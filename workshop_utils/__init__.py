"""workshop_utils: helpers for the interactive deep-learning mathematics course.

One module per concept (``tensors``, …) plus ``data``, ``plotting``, ``explorers``
(sliders), ``checks`` (exercise checkers) and ``figures`` (the outline's figures).
Plots and explorers import the concept modules, never the reverse.
"""

from .core import device, seed_everything, setup_notebook

__version__ = "0.1.0"
__all__ = ["device", "seed_everything", "setup_notebook", "__version__"]
