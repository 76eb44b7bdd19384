"""The class hub's path, as two learners take it (``make test-hub``, part of ``make test``).

A real JupyterHub started with the config ``make hub`` runs (``deploy/local/jupyterhub_config.py``:
shared password, local single-user servers from ``.venv-hub``, configurable-http-proxy from
``.hub/node_modules``) in a temporary folder, on free loopback ports. Two learners at once:
each logs in with the workshop password (a wrong one is refused), gets a server, opens the
nbgitpuller link ``make hub`` prints (the course pulled from a git copy of this checkout
into the learner's own home), opens lesson 01 through the contents API, runs its cells up
to the pixel explorer in a kernel over the websocket, and moves a slider through the
widget comm protocol: the explorer's picture must be redrawn. The class load test is
``make bench-hub`` (benchmarks/hub_load.py), not part of the tests.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from workshop_utils import course  # noqa: E402

HUB_PY = os.environ.get("COURSE_HUB_PYTHON") and os.path.abspath(os.environ["COURSE_HUB_PYTHON"])
NODE_MODULES = Path(os.environ.get("COURSE_HUB_NODE_MODULES", ROOT / ".hub" / "node_modules"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not HUB_PY, reason="run by `make test-hub` (part of `make test`), which builds "
                                          "the hub environment .venv-hub and the proxy in .hub/"),
]


def _learner_path(hub, name: str, out: dict) -> None:
    import hubclient

    try:
        lr = hubclient.Learner(hub, name)
        with pytest.raises(PermissionError):
            lr.login("not-the-password")
        lr.login()
        out["start_s"] = lr.start_server()
        link = course.hub_link(hub.url, repo=(hub.folder / "deep-learning-workshop").as_uri(), ref="course")
        pulled = lr.pull_course(link)
        out["urlpath"] = pulled["urlpath"]
        path = pulled["urlpath"].removeprefix("lab/tree/")
        out["home_has_lesson"] = (hub.folder / "users" / name / path).is_file()
        nb, kernel = lr.open_notebook(path)
        try:
            out["kernel"] = kernel.execute(
                "import torch, sys; print(torch.get_num_threads(), sys.prefix)")
            cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
            upto = next(i for i, c in enumerate(cells) if "pixel_inspector(" in "".join(c["source"]))
            for cell in cells[: upto + 1]:
                res = kernel.execute("".join(cell["source"]))
                assert res["status"] == "ok", res
            threads = kernel.execute("assert torch.get_num_threads() == 1, torch.get_num_threads()")
            out["one_thread"] = threads["status"] == "ok"
            shipped = kernel.execute("from workshop_utils.core import train_live\n"
                                     "assert not train_live(), 'lesson 05 would train on the hub'")
            out["loads_shipped"] = shipped["status"] == "ok"
            (cid, state, images), *_ = kernel.sliders()
            out["slider"] = state["description"]
            out["redraw_s"] = kernel.move_slider(cid, state["max"], images)
            drawn = kernel.execute(f"assert inspector.state['{state['description']}'] == {state['max']!r}, "
                                   f"inspector.state")
            out["state_follows"] = drawn["status"] == "ok"
        finally:
            kernel.close()
    except BaseException as exc:  # reported by the test's own thread
        out["error"] = exc


def test_two_learners_log_in_pull_the_course_and_move_a_slider(tmp_path):
    import hubclient

    with hubclient.start_hub(HUB_PY, tmp_path / "hub", NODE_MODULES) as hub:
        results = {name: {} for name in ("ada", "grace")}
        threads = [threading.Thread(target=_learner_path, args=(hub, n, results[n])) for n in results]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=400)
        for name, out in results.items():
            if "error" in out:
                raise AssertionError(f"learner {name}: {out['error']!r}\nhub log:\n{hub.log_tail()}") \
                    from out["error"]
            assert out["urlpath"] == "lab/tree/deep-learning-workshop/notebooks/01_input_to_tensor.ipynb"
            assert out["home_has_lesson"], f"{name}'s home has no lesson 01 after the link"
            assert out["one_thread"], "a learner's kernel must use one torch thread"
            assert out["loads_shipped"], "on a hub lesson 05 must load the shipped weights, not train"
            assert out["state_follows"] and out["redraw_s"] > 0
        # each learner has a server and a home of their own
        users = {u["name"]: u for u in hub.admin("/users")}
        assert {"ada", "grace"} <= set(users)
        assert all(users[n]["servers"][""]["ready"] for n in ("ada", "grace"))


def test_binder_and_hub_image_dockerfile_installs_the_environment_and_runs_postbuild(tmp_path):
    """``jupyter-repo2docker --no-build --debug .`` (no Docker daemon, no network needed) writes
    the Dockerfile that Binder and the Zero to JupyterHub image build use: the environment file
    goes into the notebook environment, which is the kernel's, then postBuild runs (installs
    the package, the JupyterLab settings and the course's kernel name into that prefix)."""
    import subprocess

    from learner_lab import copy_course

    r2d = Path(HUB_PY).parent / "jupyter-repo2docker"
    src = copy_course(tmp_path / "course", venv=False)  # what a fresh clone holds
    out = subprocess.run([str(r2d), "--no-build", "--debug", str(src)], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    docker = out.stdout + out.stderr
    lines = docker.splitlines()
    assert any(ln.startswith("FROM ") for ln in lines), docker[:2000]
    assert "ENV KERNEL_PYTHON_PREFIX=${NB_PYTHON_PREFIX}" in lines  # one environment: server = kernel
    copy_env = next(i for i, ln in enumerate(lines) if re.search(r"COPY .*src/environment\.yml ", ln))
    update = next(i for i, ln in enumerate(lines)
                  if "env update -p ${NB_PYTHON_PREFIX}" in ln and '--file "environment.yml"' in ln)
    post = lines.index("RUN ./postBuild")
    assert copy_env < update < post
    assert "Building conda environment for python=3.11" in docker  # environment.yml's python
    postbuild = (src / "postBuild").read_text()
    assert [ln for ln in postbuild.splitlines() if ln and not ln.startswith("#")][0] == "set -e"
    assert "pip install --no-deps --no-cache-dir ." in postbuild
    assert 'cp -R jupyter-config/share jupyter-config/etc "$PREFIX/"' in postbuild
    assert '--display-name "Python 3 (Deep Learning Workshop)"' in postbuild
    assert (src / "jupyter-config" / "share" / "jupyter" / "lab" / "settings" / "overrides.json").is_file()
