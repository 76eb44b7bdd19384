"""Facts about the course in one place: where it lives, which ref learners get, its notebooks.

``tools/sync_notebooks.py`` (``make sync``) writes every notebook's Colab set-up cell and
badge, and the README's badges, from here; a test checks they agree. The ref is the
release tag of the package's version (``workshop_utils.__version__``, the one place the
version lives): the Colab badge opens the notebook *at that tag*, and the set-up cell
installs the helpers *from that same tag*, so a learner always gets matching notebooks
and helpers. ``make release VERSION=x.y.z`` bumps the version, syncs and tags.

A class hub pulls the notebooks with nbgitpuller, which can pull a *branch* again and again
but not a tag (nbgitpuller 1.3: the second pull of a tag fails, ``git diff ..origin/<tag>``).
So the class link names :data:`HUB_REF`, the release branch ``release-X.Y`` of the version's
minor line, which ``make release`` creates or moves (fast-forward only) to each release tag
``vX.Y.Z``: a learner's later clicks merge the line's fixes, never a new minor version
whose notebooks would not match the helpers installed on the hub.
To publish the course from another repository, change ``REPOSITORY`` and run ``make sync``.
"""

from __future__ import annotations

from . import __version__

REPOSITORY = "dl-math-workshop/deep-learning-workshop"  # GitHub owner/name
REF = f"v{__version__}"  # the git ref learners get: badges open it, Colab installs from it
HUB_REF = "release-{}.{}".format(*__version__.split(".")[:2])  # the branch the class hub link pulls

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

SETUP_TITLE = '# @title Course set-up: run this cell first { display-mode: "form" }'
SETUP_BEGIN = "# --- course set-up (from workshop_utils/course.py via tools/sync_notebooks.py) ---"
SETUP_END = "# --- end of course set-up ---"
COLAB_BADGE_PREFIX = "[![Open In Colab]"


def repo_url() -> str:
    return f"https://github.com/{REPOSITORY}"


def pip_spec() -> str:
    """What Colab installs: the helper package from a tag, with lower-bounded deps only."""
    return f"workshop_utils @ git+{repo_url()}@{REF}"


KEEP_ON_COLAB = ("torch", "numpy", "matplotlib", "ipywidgets")


def setup_block(seed: int = 0) -> str:
    """Every notebook's first code cell, the set-up cell (it holds nothing else).

    Its first line, ``# @title …``, makes the cell a collapsed form on Colab (a plain comment
    elsewhere); its last line, ``setup_notebook(seed=0);``, sets the figure format, the
    course's plot style and the seeds, and prints the versions in use (the ``;`` keeps the
    returned generator from showing as the cell's result: the cell is the block alone).

    On Colab the helpers are installed with Colab's own torch, numpy, matplotlib and
    ipywidgets pinned as pip *constraints* (their installed versions): a plain install
    would let pip pick the newest mlxtend, which asks for a newer numpy and matplotlib
    and so forces a runtime restart (tests/ecosystem/test_colab_resolver.py, `make check-ecosystem`).
    """
    keep = ", ".join(f'"{p}"' for p in KEEP_ON_COLAB)
    return "\n".join([
        SETUP_TITLE,
        SETUP_BEGIN,
        "import sys",
        "",
        'if "google.colab" in sys.modules:  # on Colab only: install the course helpers',
        "    import tempfile",
        "    from importlib.metadata import version",
        "",
        '    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as _keep:',
        f"        _keep.write(\"\\n\".join(f\"{{p}}=={{version(p)}}\" for p in ({keep})))",
        f'    %pip install -q -c {{_keep.name}} "{pip_spec()}"',
        "from workshop_utils import setup_notebook",
        "",
        f"setup_notebook(seed={seed});",
        SETUP_END,
    ])


def colab_url(notebook: str) -> str:
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{REF}/notebooks/{notebook}"


def colab_badge(notebook: str) -> str:
    return (f"{COLAB_BADGE_PREFIX}(https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({colab_url(notebook)})")


def binder_url() -> str:
    return f"https://mybinder.org/v2/gh/{REPOSITORY}/{REF}?urlpath=lab/tree/notebooks"


def binder_badge() -> str:
    return f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url()})"


_UNSAFE = set(" \t\r\n\"'<>`\\{}|^")


def _check_url(what: str, url, schemes: tuple[str, ...]) -> str:
    """``url`` if it is a plain ``scheme://host/path`` address, else a ValueError naming the problem."""
    from urllib.parse import urlsplit

    if not isinstance(url, str) or not url:
        raise ValueError(f"{what} must be a non-empty string, got {url!r}")
    bad = sorted({ch for ch in url if ch in _UNSAFE or ord(ch) < 32 or ord(ch) == 127})
    if bad:
        raise ValueError(f"{what} must not contain spaces, quotes, newlines or {{}}<>|\\^`; "
                         f"found {bad!r} in {url!r}")
    parts = urlsplit(url)
    if parts.scheme not in schemes:
        raise ValueError(f"{what} must start with {' or '.join(s + '://' for s in schemes)}, got {url!r}")
    if parts.scheme != "file" and not parts.hostname:
        raise ValueError(f"{what} has no host name: {url!r}")
    if "@" in parts.netloc:
        raise ValueError(f"{what} must not carry a user name or password (user@host): {url!r}")
    if parts.query or "?" in url:
        raise ValueError(f"{what} must not carry a query string (?...): {url!r}")
    if parts.fragment or "#" in url:
        raise ValueError(f"{what} must not carry a fragment (#...): {url!r}")
    return url


def hub_link(hub_url: str, repo: str | None = None, ref: str | None = None,
             notebook: str = NOTEBOOKS[0][0]) -> str:
    """The nbgitpuller link that pulls the course into a learner's hub home and opens ``notebook``.

    ``hub_url``: the hub's address (``https://hub.example.org``, or with the hub's base path,
    ``https://example.org/jupyter``); ``repo``/``ref``: the git repository and *branch* to
    pull (default: this course on GitHub at :data:`HUB_REF`, what a real class uses;
    ``make hub`` passes its local copy). Learners' edits are kept: nbgitpuller merges, it
    never overwrites a changed file. Raises ValueError for an address with spaces, quotes,
    newlines, a query, a fragment, ``user@host`` or a scheme other than http(s), and for a
    ref that is not a plain branch name.
    """
    import re
    from urllib.parse import quote, urlencode

    _check_url("hub_url", hub_url, ("http", "https"))
    repo = _check_url("repo", repo or repo_url(), ("https", "http", "file"))
    ref = ref or HUB_REF
    if not isinstance(ref, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", ref) \
            or ".." in ref or ref.endswith((".lock", "/", ".")):
        raise ValueError(f"ref must be a branch name such as {HUB_REF!r}, got {ref!r}")
    if re.fullmatch(r"v\d+\.\d+\.\d+", ref):
        raise ValueError(f"ref {ref!r} looks like a release tag: nbgitpuller cannot pull a tag a second "
                         f"time; use the release branch ({HUB_REF!r})")
    names = [n for n, _, _ in NOTEBOOKS]
    if notebook not in names:
        raise ValueError(f"notebook must be one of the course's notebooks {names}, got {notebook!r}")
    folder = repo.rstrip("/").rsplit("/", 1)[-1]  # where nbgitpuller puts it: the URL's last part
    query = urlencode({"repo": repo, "branch": ref,
                       "urlpath": f"lab/tree/{folder}/notebooks/{notebook}"}, quote_via=quote)
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"
