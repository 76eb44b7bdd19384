"""Colab's path: the set-up cell installs the helpers from the git ref the notebooks name.

Run by ``make test-colab`` (part of ``make test``) with ``COURSE_COLAB_PYTHON`` pointing at
``.venv-colab``: Colab's stack (ipywidgets 7.7.1, numpy 2.0.2, matplotlib 3.10.0, IPython
7.34, ipykernel 6.17.1, a CPU torch) and the packages Colab has preinstalled, without the
course. The course's working tree is copied and made a git repository; the test tags it
with ``course.REF`` itself (a fresh clone may carry no tags) and points git's
``url.<repo>.insteadOf`` at it for the GitHub address, so the *exact* spec the notebook
holds — ``workshop_utils @ git+https://github.com/…@REF`` — is what pip installs. The
notebook then runs in that environment's kernel, with ``google.colab`` present as on
Colab, set-up cell included. Without the tag the same run must fail.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from learner_lab import copy_course

from tools import ROOT
from workshop_utils import course

COLAB_PY = os.environ.get("COURSE_COLAB_PYTHON") and os.path.abspath(os.environ["COURSE_COLAB_PYTHON"])
NOTEBOOK = "01_input_to_tensor.ipynb"
KEPT = {"numpy": "2.0.2", "matplotlib": "3.10.0", "ipywidgets": "7.7.1"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not COLAB_PY, reason="run by `make test-colab` (part of `make test`), which "
                                            "builds the Colab-stack environment .venv-colab"),
]

RUNNER = r'''
import sys, nbformat, nbclient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
# what Colab has and a laptop has not: the module the set-up cell looks for
nb.cells.insert(0, nbformat.v4.new_code_cell(
    "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')"))
folder = str(__import__("pathlib").Path(path).parent)
client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=900,
                                 resources={"metadata": {"path": folder}})
try:
    client.execute()
finally:
    setup_out = "".join(o.get("text", "") for o in nb.cells[1].get("outputs", []))
    print("@@SETUP@@" + setup_out[-4000:])
'''


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@localhost", *args], cwd=repo,
                          check=True, capture_output=True, text=True).stdout.strip()


def _pip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([COLAB_PY, "-m", "pip", *args], capture_output=True, text=True, timeout=600)


def _versions() -> dict:
    code = ("import json, importlib.metadata as m; print(json.dumps({p: m.version(p) for p in "
            f"{list(KEPT) + ['torch']!r}}}))")
    return json.loads(subprocess.run([COLAB_PY, "-c", code], check=True, capture_output=True,
                                     text=True, cwd="/").stdout)


def _run_as_on_colab(tmp_path: Path, tag: bool) -> tuple[subprocess.CompletedProcess, Path]:
    repo = copy_course(tmp_path / "repo", venv=False)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "the course")
    if tag:
        _git(repo, "tag", "-a", course.REF, "-m", f"test release {course.REF}")
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(f'[url "file://{repo}"]\n\tinsteadOf = {course.repo_url()}\n')
    # a clean slate: the package is not in Colab's environment before the cell runs
    _pip("uninstall", "-y", "-q", "workshop_utils")
    env = dict(os.environ, GIT_CONFIG_GLOBAL=str(gitconfig))  # GitHub's address -> the local copy
    runner = tmp_path / "run_notebook.py"
    runner.write_text(RUNNER)
    out = subprocess.run([COLAB_PY, str(runner), str(repo / "notebooks" / NOTEBOOK)], env=env,
                         capture_output=True, text=True, timeout=1500)
    return out, repo


def test_colab_cell_installs_the_named_ref_and_the_notebook_runs(tmp_path):
    before = _versions()
    assert {k: before[k] for k in KEPT} == KEPT, f".venv-colab does not hold Colab's stack: {before}"
    nb = (ROOT / "notebooks" / NOTEBOOK).read_text()
    assert course.pip_spec().replace('"', '\\"') in nb or course.pip_spec() in nb
    out, repo = _run_as_on_colab(tmp_path, tag=True)
    assert out.returncode == 0, (f"{NOTEBOOK} failed on the Colab stack:\n{out.stdout[-4000:]}\n"
                                 f"{out.stderr[-4000:]}")
    info = json.loads(subprocess.run(
        [COLAB_PY, "-c", "import importlib.metadata as m; "
                         "print(m.distribution('workshop_utils').read_text('direct_url.json'))"],
        check=True, capture_output=True, text=True, cwd=tmp_path).stdout)  # not the repo's egg-info
    assert info["url"] == course.repo_url()  # the spec as the notebook wrote it
    assert info["vcs_info"]["requested_revision"] == course.REF
    assert info["vcs_info"]["commit_id"] == _git(repo, "rev-parse", f"{course.REF}^{{commit}}")
    after = _versions()
    assert after == before, f"installing the course replaced Colab's packages: {before} -> {after}"


def test_a_ref_that_does_not_exist_fails(tmp_path):
    out, _ = _run_as_on_colab(tmp_path, tag=False)
    assert out.returncode != 0, "the notebook ran although the ref it installs from does not exist"
    text = out.stdout + out.stderr
    assert course.REF in text and "ModuleNotFoundError" in text, text[-3000:]
