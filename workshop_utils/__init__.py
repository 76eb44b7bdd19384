"""workshop_utils: helpers for the interactive deep-learning mathematics course.

One module per concept (``tensors``, …) plus ``data``, ``plotting``, ``explorers``
(sliders), ``checks`` (exercise checkers) and ``figures`` (the outline's figures).
The layers, lowest first, are drawn in CONTRIBUTING.md (tests/test_layers.py keeps them).
"""

# first, before any import: notebook.setup_notebook reads it
__version__ = "0.1.0"

from .core import device, seed_everything
from .notebook import setup_notebook

__all__ = ["device", "seed_everything", "setup_notebook", "__version__"]
