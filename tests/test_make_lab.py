"""The README's first command, as a learner runs it: ``make lab`` shows plt.show() figures.

The server is started by ``make lab`` itself (tests/learner_lab.py) with this process's
environment untouched; a notebook is opened through the server's REST API and its cells
are run over the kernel's websocket, as JupyterLab does. The browser tests
(tests/browser) open every notebook in a server started the same way.
"""

from __future__ import annotations

import os

import nbformat
import pytest
from learner_lab import started_by_make_lab

from tools import ROOT
from tools.kernelclient import images

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("COURSE_OLDEST_ENV") == "1",
                       reason="make lab opens the course environment .venv, not .venv-oldest"),
]

NOTEBOOK = "notebooks/01_input_to_tensor.ipynb"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with started_by_make_lab(tmp_path_factory.mktemp("make-lab")) as server:
        yield server


def test_make_lab_kernel_shows_plt_show_figures(lab):
    """Open lesson 01 as a learner does and run it up to its first plain ``plt.show()``."""
    nb = nbformat.read(ROOT / NOTEBOOK, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    first_show = next(i for i, src in enumerate(code) if "plt.show()" in src)
    path = lab.notebook_path(NOTEBOOK.split("/")[-1])  # must exist in the server: 404 otherwise
    session = lab.api("/api/sessions", "POST", {"path": path, "type": "notebook", "name": "",
                                                "kernel": {"name": nb.metadata.kernelspec.name}})
    kc = lab.kernel(session["kernel"]["id"])
    try:
        for i, src in enumerate(code[:first_show + 1]):
            run = kc.execute(src, timeout=300)
            assert run["status"] == "ok", f"{NOTEBOOK} code cell {i} failed: {run['outputs']}"
        assert images(run["outputs"]), (
            f"{NOTEBOOK}: the cell with plt.show() showed no image in the kernel `make lab` "
            f"started; it showed {[o['type'] for o in run['outputs']]}")
        probe = kc.execute("import os, matplotlib; print(matplotlib.get_backend(), "
                           "os.environ.get('MPLBACKEND'))")
        text = "".join(o.get("text", "") for o in probe["outputs"])
        assert "inline" in text.lower(), f"the learner's kernel uses backend {text!r}"
    finally:
        kc.close()
        lab.api(f"/api/sessions/{session['id']}", "DELETE")


def test_make_lab_is_the_course_jupyterlab(lab):
    """The kernel is named after the course; no first-run news pop-up, no update check."""
    specs = lab.api("/api/kernelspecs")
    spec = specs["kernelspecs"][specs["default"]]["spec"]
    assert specs["default"] == "python3"
    assert spec["display_name"] == "Python 3 (Deep Learning Workshop)"
    settings = lab.api("/lab/api/settings/@jupyterlab/apputils-extension:notification")
    # the overrides become the schema's defaults; the user's own settings (none here) win
    composite = {k: v.get("default") for k, v in settings["schema"]["properties"].items()}
    composite.update(settings["settings"])
    # "none" (the default) makes JupyterLab ask "get notified about official Jupyter news?"
    assert composite["fetchNews"] == "false"
    assert composite["checkForUpdates"] is False
