"""Facts about the course in one place: where it lives, its notebooks, its set-up cell.

``tools/sync_notebooks.py`` writes the Colab set-up cell and the badges of every
notebook from here; a test checks they are in sync. To publish the course from
another repository, change ``REPOSITORY`` (and ``COLAB_REF``) and run ``make sync``.
"""

from __future__ import annotations

REPOSITORY = "dl-math-workshop/deep-learning-workshop"  # GitHub owner/name
COLAB_REF = "v0.1.0"  # the tag Colab installs the helpers from
BRANCH = "main"  # the branch the badges open

NOTEBOOKS = (
    ("01_input_to_tensor.ipynb", "Input → Tensor", "how do we feed an image to math?"),
    ("02_weights_and_biases.ipynb", "Weights & Biases", "the parameters the network learns"),
    ("03_layers.ipynb", "Layers in a network", "building blocks of the network"),
    ("04_activation_functions.ipynb", "Activation Functions", "adding non-linearity"),
    ("05_cnn_vs_vit.ipynb", "Architectures: CNNs vs. ViTs", "learning local patterns, or global attention"),
    ("06_softmax.ipynb", "Softmax → Class Probabilities", "turning raw scores into a distribution"),
    ("07_cross_entropy_vs_focal.ipynb", "Loss: Cross-Entropy vs. Focal",
     "teaching the network from its mistakes"),
    ("08_learning_loop.ipynb", "Learning Loop", "training in 5 steps"),
    ("09_minimal_forward_pass.ipynb", "Minimal Forward Pass", "the whole pipeline, symbolically and in code"),
    ("10_key_takeaways.ipynb", "Key Takeaways", "all the intelligence is in W and b"),
)

SETUP_BEGIN = "# --- course set-up (from workshop_utils/course.py via tools/sync_notebooks.py) ---"
SETUP_END = "# --- end of course set-up ---"
COLAB_BADGE_PREFIX = "[![Open In Colab]"


def repo_url() -> str:
    return f"https://github.com/{REPOSITORY}"


def pip_spec() -> str:
    """What Colab installs: the helper package from a tag, with lower-bounded deps only."""
    return f"workshop_utils @ git+{repo_url()}@{COLAB_REF}"


KEEP_ON_COLAB = ("torch", "numpy", "matplotlib", "ipywidgets")


def setup_block() -> str:
    """The lines every notebook's first code cell starts with.

    On Colab the helpers are installed with Colab's own torch, numpy, matplotlib and
    ipywidgets pinned as pip *constraints* (their installed versions): a plain install
    would let pip pick the newest mlxtend, which asks for a newer numpy and matplotlib
    and so forces a runtime restart (tests/test_colab_install.py).
    """
    keep = ", ".join(f'"{p}"' for p in KEEP_ON_COLAB)
    return "\n".join([
        SETUP_BEGIN,
        "import sys",
        "",
        'if "google.colab" in sys.modules:  # on Colab only: install the course helpers',
        "    from importlib.metadata import version",
        "",
        f"    _keep = [f\"{{p}}=={{version(p)}}\" for p in ({keep})]",
        '    open("/tmp/colab-keep.txt", "w").write("\\n".join(_keep))',
        f'    %pip install -q -c /tmp/colab-keep.txt "{pip_spec()}"',
        SETUP_END,
    ])


def colab_url(notebook: str) -> str:
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/notebooks/{notebook}"


def colab_badge(notebook: str) -> str:
    return (f"{COLAB_BADGE_PREFIX}(https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({colab_url(notebook)})")


def binder_url() -> str:
    return f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?urlpath=lab/tree/notebooks"


def binder_badge() -> str:
    return f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url()})"
