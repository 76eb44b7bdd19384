"""The class hub as a room takes it (``make test-hub``, part of ``make test``): one hub start.

A real JupyterHub started with the config ``make hub`` runs (``deploy/local/jupyterhub_config.py``:
FirstUseAuthenticator, the instructors' snippet, local single-user servers from ``.venv-hub``
— as root one system user per learner —, configurable-http-proxy from ``.hub/node_modules``)
in a temporary folder, on free loopback ports, once for the module. Two learners at once:
each logs in with a password of their own (set at first login), gets a server, clicks the
nbgitpuller link ``make hub`` prints (the release branch the README names, pulled from a git
copy of this checkout) *twice*, runs lesson 01 up to the pixel explorer in a kernel over the
websocket and moves a slider through the widget comm protocol (the picture must be
redrawn), edits the notebook, and clicks the link a third time after the course moved on
(their edit kept, no error). Then: "Ada " from a second client cannot enter ada's account
or server; the instructor sees the admin page and opens a learner's server; as root, each
learner's kernel tries to read the other's home and token and the hub's secrets
(PermissionError). The class load test is ``make bench-hub`` (benchmarks/hub_load.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import threading
import urllib.parse
from pathlib import Path

import pytest
import requests

from tools import ROOT, hubclient
from workshop_utils import course

HUB_PY = os.environ.get("COURSE_HUB_PYTHON") and os.path.abspath(os.environ["COURSE_HUB_PYTHON"])
NODE_MODULES = Path(os.environ.get("COURSE_HUB_NODE_MODULES", ROOT / ".hub" / "node_modules"))
LESSON = "deep-learning-workshop/notebooks/01_input_to_tensor.ipynb"
NOTE = "My own note, kept across clicks."
IS_ROOT = os.geteuid() == 0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not HUB_PY, reason="run by `make test-hub` (part of `make test`), which builds "
                                          "the hub environment .venv-hub and the proxy in .hub/"),
]


def _learner_path(hub, lr, link: str, out: dict) -> None:
    try:
        lr.login()  # the first login sets the learner's password
        out["start_s"] = lr.start_server()
        first = lr.pull_course(link)
        second = lr.pull_course(link)  # the same click again: nbgitpuller pulls the branch again
        out["clicks"] = [first["last"]["phase"], second["last"]["phase"]]
        out["urlpath"] = second["urlpath"]
        path = second["urlpath"].removeprefix("lab/tree/")
        out["home_has_lesson"] = (hub.home(lr.name) / path).is_file()
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
            shipped = kernel.execute("from workshop_utils.trained import live_training_enabled\n"
                                     "assert not live_training_enabled(), 'lesson 05 would train on the hub'")
            out["loads_shipped"] = shipped["status"] == "ok"
            (cid, state, images), *_ = kernel.sliders()
            out["slider"] = state["description"]
            out["redraw_s"] = kernel.move_slider(cid, state["max"], images)
            drawn = kernel.execute(f"assert inspector.state['{state['description']}'] == {state['max']!r}, "
                                   f"inspector.state")
            out["state_follows"] = drawn["status"] == "ok"
        finally:
            kernel.close()
        # the learner edits the lesson (JupyterLab saves through the contents API)
        model = lr.api(f"/api/contents/{urllib.parse.quote(path)}")
        md = next(c for c in model["content"]["cells"] if c["cell_type"] == "markdown")
        md["source"] = "".join(md["source"]) + "\n\n" + NOTE
        lr.api(f"/api/contents/{urllib.parse.quote(path)}", "PUT",
               json={"type": "notebook", "format": "json", "content": model["content"]})
    except BaseException as exc:  # reported by the test's own thread
        out["error"] = exc


def _move_the_course_on(bare: Path, branch: str, work: Path) -> None:
    """A fix reaches the release branch while the class runs (as ``make release`` of a patch does)."""
    git = ["git", "-c", "user.name=Course", "-c", "user.email=course@localhost"]
    subprocess.run([*git, "clone", "-q", "--branch", branch, bare.as_uri(), str(work)], check=True)
    (work / "README.md").write_text((work / "README.md").read_text() + "\nA fix made during the class.\n")
    subprocess.run([*git, "-C", str(work), "commit", "-qam", "a fix during the class"], check=True)
    subprocess.run([*git, "-C", str(work), "push", "-q", "origin", branch], check=True)
    if IS_ROOT:  # make hub's own copy is readable by the learners' system users; keep it so
        for d, _, files in os.walk(bare):
            os.chmod(d, 0o755)
            for f in files:
                os.chmod(os.path.join(d, f), 0o644)


@pytest.fixture(scope="module")
def room():
    """One hub for the module, two learners who took the class path (``results``)."""
    top = hubclient.scratch_folder("course-hub-test-")
    try:
        with hubclient.start_hub(HUB_PY, top / "hub", NODE_MODULES) as hub:
            link = course.hub_link(hub.url, repo=(hub.folder / "deep-learning-workshop").as_uri())
            learners = {n: hubclient.Learner(hub, n) for n in ("ada", "grace")}
            results = {n: {} for n in learners}
            threads = [threading.Thread(target=_learner_path, args=(hub, learners[n], link, results[n]))
                       for n in learners]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=400)
            for name, out in results.items():
                if "error" in out:
                    raise AssertionError(f"learner {name}: {out['error']!r}\nhub log:\n{hub.log_tail()}") \
                        from out["error"]
            _move_the_course_on(hub.folder / "deep-learning-workshop", course.HUB_REF, top / "upstream")
            for name, lr in learners.items():  # the third click, after the edit and the course's fix
                third = lr.pull_course(link)
                results[name]["third"] = third["last"]["phase"]
            yield hub, link, learners, results
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_the_link_names_the_release_branch_and_works_on_every_click(room):
    hub, link, learners, results = room
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    assert q["branch"] == [course.HUB_REF]  # the ref deploy/README.md's class link names
    assert f"branch={course.HUB_REF}&" in (ROOT / "deploy" / "README.md").read_text()
    for name, out in results.items():
        assert out["clicks"] == ["finished", "finished"] and out["third"] == "finished", (name, out)
        assert out["urlpath"] == "lab/tree/" + LESSON
        assert out["home_has_lesson"], f"{name}'s home has no lesson 01 after the link"
        nb = learners[name].api(f"/api/contents/{urllib.parse.quote(LESSON)}")["content"]
        assert any(NOTE in "".join(c["source"]) for c in nb["cells"]), f"{name}'s edit was lost"
        readme = learners[name].api("/api/contents/deep-learning-workshop/README.md")["content"]
        assert "A fix made during the class." in readme, f"{name} did not get the course's fix"


def test_two_learners_run_lesson_01_and_move_a_slider(room):
    hub, link, learners, results = room
    for out in results.values():
        assert out["one_thread"], "a learner's kernel must use one torch thread"
        assert out["loads_shipped"], "on a hub lesson 05 must load the shipped weights, not train"
        assert out["state_follows"] and out["redraw_s"] > 0
    users = {u["name"]: u for u in hub.admin("/users")}
    assert {"ada", "grace"} <= set(users)
    assert all(users[n]["servers"][""]["ready"] for n in ("ada", "grace"))


def test_ada_with_a_capital_from_a_second_client_cannot_enter_adas_account(room):
    hub, link, learners, results = room
    ada, grace = learners["ada"], learners["grace"]
    intruder = hubclient.Learner(hub, "Ada ", password="not-adas-password")
    assert intruder.name == "ada"  # JupyterHub strips and lowercases: the same account
    with pytest.raises(PermissionError):
        intruder.login()
    r = intruder.s.get(f"{ada.server_url}/api/contents/{LESSON}", allow_redirects=False, timeout=60)
    assert r.status_code in (302, 403) and NOTE not in r.text
    r = intruder.s.get(f"{ada.server_url}/lab", timeout=60)  # a browser follows the redirects
    assert "/hub/login" in r.url and NOTE not in r.text
    # another learner, logged in, cannot open ada's server either (token or browser)
    r = requests.get(f"{ada.server_url}/api/contents/{LESSON}", timeout=60,
                     headers={"Authorization": f"token {grace.token}"})
    assert r.status_code == 403
    r = grace.s.get(f"{ada.server_url}/lab", timeout=60)
    assert r.status_code == 403 and NOTE not in r.text
    # ada herself, typing "Ada " on a second computer with her password, is ada
    again = hubclient.Learner(hub, "Ada ", password=ada.password)
    again.login()
    assert again._hub_api("/user")["name"] == "ada"
    # names that cannot be system users are refused
    with pytest.raises(PermissionError):
        hubclient.Learner(hub, "../etc", password="long-enough-pw").login()


def test_the_instructor_administers_and_opens_a_learners_server(room):
    hub, link, learners, results = room
    claim = hubclient.Learner(hub, "Instructor", password="claimed-first-by-a-learner")
    with pytest.raises(PermissionError):  # the instructor's password was set before the hub opened
        claim.login()
    inst = hubclient.Learner(hub, "instructor")
    inst.login()
    me = inst._hub_api("/user")
    assert me["admin"] and "instructors" in me["groups"]
    assert inst.s.get(f"{hub.url}/hub/admin", timeout=60).status_code == 200
    assert inst._hub_api("/groups/instructors")["users"] == ["instructor"]
    assert {"ada", "grace"} <= {u["name"] for u in inst._hub_api("/users")}
    for r in (learners["ada"].s.get(f"{hub.url}/hub/admin", timeout=60, allow_redirects=False),):
        assert r.status_code == 403  # a learner is no admin
    token = inst._hub_api("/users/instructor/tokens", "POST",
                          json={"note": "help ada", "expires_in": 600})["token"]
    r = requests.get(f"{learners['ada'].server_url}/api/contents/{LESSON}", timeout=60,
                     headers={"Authorization": f"token {token}"})
    assert r.status_code == 200 and NOTE in json.dumps(r.json()), r.status_code


PROBE = """
import json, os, pwd
res = {"uid": os.getuid(), "euid": os.geteuid(), "user": pwd.getpwuid(os.getuid()).pw_name,
       "home": os.path.expanduser("~"), "env": {k: __import__("hashlib").sha256(v.encode()).hexdigest()
                                               for k, v in os.environ.items()}}
def probe(path):
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").read(1)
        return "READ"
    except PermissionError:
        return "PermissionError"
    except OSError as exc:
        return type(exc).__name__
other = pwd.getpwnam(OTHER)
res["other"] = {"home": probe(other.pw_dir), "lesson": probe(os.path.join(other.pw_dir, LESSON))}
pids = [d for d in os.listdir("/proc") if d.isdigit() and os.stat("/proc/" + d).st_uid == other.pw_uid]
res["other_pids"] = len(pids)
res["other_environ"] = sorted({probe(f"/proc/{p}/environ") for p in pids})
res["hub_environ"] = probe(f"/proc/{HUB_PID}/environ")
res["proxy_environ"] = probe(f"/proc/{PROXY_PID}/environ")
res["secrets"] = {p: probe(p) for p in SECRETS}
print(json.dumps(res))
"""


@pytest.mark.skipif(not IS_ROOT, reason="isolation needs a hub run as root (system users per learner); "
                                        "as an ordinary user make hub says that learners share one account")
def test_as_root_learners_cannot_read_each_other_or_the_hubs_secrets(room):
    hub, link, learners, results = room
    folder = hub.folder
    secrets = [str(p) for p in sorted(folder.iterdir())
               if p.name in ("jupyterhub.sqlite", "jupyterhub_cookie_secret", "instructor-password",
                             "jupyterhub.log") or p.name.startswith("passwords.dbm")]
    assert any("passwords.dbm" in s for s in secrets) and any("sqlite" in s for s in secrets), secrets
    for s in secrets:
        st = os.stat(s)
        assert st.st_uid == 0 and st.st_mode & 0o077 == 0, f"{s} is {oct(st.st_mode)}"
    proxy_pid = int((folder / "proxy.pid").read_text())
    proxy_env = dict(kv.split(b"=", 1) for kv in Path(f"/proc/{proxy_pid}/environ").read_bytes().split(b"\0")
                     if b"=" in kv)
    secret_values = [hub.password, hub.admin_token, proxy_env[b"CONFIGPROXY_AUTH_TOKEN"].decode(),
                     Path(folder / "jupyterhub_cookie_secret").read_bytes().strip().decode()]
    secret_hashes = {hashlib.sha256(v.encode()).hexdigest() for v in secret_values}
    seen = {}
    for name, other in (("ada", "grace"), ("grace", "ada")):
        lr = learners[name]
        home = hub.home(name)
        st = home.stat()
        assert st.st_mode & 0o777 == 0o700 and st.st_uid != 0, oct(st.st_mode)
        kernel = lr.kernel()
        try:
            code = (f"OTHER = {hub.user_prefix + other!r}\nLESSON = {LESSON!r}\nHUB_PID = {hub.proc.pid}\n"
                    f"PROXY_PID = {proxy_pid}\nSECRETS = {secrets!r}\n" + PROBE)
            out = kernel.execute(code)
        finally:
            kernel.close()
        assert out["status"] == "ok", out
        res = json.loads(out["stdout"])
        seen[name] = res
        assert res["uid"] != 0 and res["euid"] != 0 and res["user"] == hub.user_prefix + name, res
        assert res["home"] == str(home)
        assert res["other"] == {"home": "PermissionError", "lesson": "PermissionError"}, res["other"]
        assert res["other_pids"] >= 1 and res["other_environ"] == ["PermissionError"], res
        assert res["hub_environ"] == res["proxy_environ"] == "PermissionError"
        assert set(res["secrets"].values()) == {"PermissionError"}, res["secrets"]
        leaked = {"CONFIGPROXY_AUTH_TOKEN", "COURSE_INSTRUCTOR_PASSWORD", "COURSE_HUB_API_TOKEN",
                  "JPY_COOKIE_SECRET", "INSTRUCTOR_PASSWORD"} & set(res["env"])
        assert not leaked, leaked
        assert not secret_hashes & set(res["env"].values()), "a hub secret is in a learner's environment"
    assert seen["ada"]["env"]["JUPYTERHUB_API_TOKEN"] != seen["grace"]["env"]["JUPYTERHUB_API_TOKEN"]
    # the learners' servers run as their system users, none with --allow-root
    ps = subprocess.run(["ps", "-eww", "-o", "user:32,args"], capture_output=True, text=True).stdout
    servers = [ln for ln in ps.splitlines()
               if ln.split(None, 1)[0].startswith(hub.user_prefix) and "jupyterhub-singleuser" in ln]
    assert len(servers) >= 2 and not [ln for ln in servers if "--allow-root" in ln], ps


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
