"""The class deployment files (deploy/) and the hub sizing: they parse, name what exists, and
carry the numbers the class load test measured (benchmarks/hub_results.json), not typed-in ones."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
import yaml

from benchmarks import hub_sizing as sizing
from tools import ROOT
from tools import sync_notebooks as sync
from workshop_utils import course

Z2JH = ROOT / "deploy" / "z2jh" / "config.yaml"
TLJH = ROOT / "deploy" / "tljh" / "install.sh"
LOCAL = ROOT / "deploy" / "local"
SNIPPET = ROOT / "deploy" / "hub_instructors.py"
LOCAL_PATTERN = "^[a-z][a-z0-9_-]{0,23}$"
CHECKLIST = ROOT / "instructors" / "checklist.md"
# set by make test-hub; not .venv-hub itself, which make test builds while test-current runs
HUB_PY = os.path.abspath(os.environ["COURSE_HUB_PYTHON"]) if os.environ.get("COURSE_HUB_PYTHON") else ""


def _module(path: Path, name: str):
    """A script of deploy/local (run by ``make hub`` and JupyterHub, not a package), loaded by path
    with its folder importable, as it is when it runs."""
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    spec.loader.exec_module(mod)
    return mod




@pytest.fixture(scope="module")
def results():
    return json.loads(sizing.RESULTS.read_text())


def test_z2jh_config_names_the_course_image_lesson_and_puller():
    cfg = yaml.safe_load(Z2JH.read_text())
    su = cfg["singleuser"]
    assert su["image"] == {"name": f"ghcr.io/{course.REPOSITORY}", "tag": course.REF,
                           "pullPolicy": "IfNotPresent"}
    # every start pulls the release *branch* the class link names (nbgitpuller cannot pull a tag twice)
    assert su["lifecycleHooks"]["postStart"]["exec"]["command"] == [
        "gitpuller", course.repo_url(), course.HUB_REF, "deep-learning-workshop"]
    folder = "/lab/tree/deep-learning-workshop/"
    assert su["defaultUrl"].startswith(folder)
    assert (ROOT / su["defaultUrl"][len(folder):]).is_file(), su["defaultUrl"]
    assert su["extraEnv"]["OMP_NUM_THREADS"] == "1" and su["extraEnv"]["WORKSHOP_THREADS"] == "1"
    assert cfg["cull"]["enabled"] and cfg["cull"]["timeout"] > 0
    assert cfg["prePuller"]["hook"]["enabled"] and cfg["prePuller"]["continuous"]["enabled"]


def test_z2jh_serves_https_and_keeps_its_secrets_off_command_lines():
    text = Z2JH.read_text()
    cfg = yaml.safe_load(text)
    https = cfg["proxy"]["https"]
    assert https["enabled"] is True and https["type"] == "letsencrypt" and https["hosts"]
    assert "contactEmail" in https["letsencrypt"]
    # the documented alternative: a certificate of one's own as a TLS secret
    assert "create secret tls" in text and "type: secret" in text
    assert not re.search(r"--set[ =]\S*password", text, re.I), "a password on the helm command line"
    assert "user_password" not in text and "SharedPassword" not in text
    assert "--from-file=password=" in text  # the instructors' password from a file into a k8s secret
    hub = cfg["hub"]
    assert hub["config"]["JupyterHub"]["authenticator_class"] == "firstuseauthenticator.FirstUseAuthenticator"
    assert hub["config"]["FirstUseAuthenticator"]["min_password_length"] >= 8
    assert hub["config"]["Authenticator"]["username_pattern"] == LOCAL_PATTERN
    assert hub["extraEnv"]["COURSE_INSTRUCTOR_PASSWORD"] == {
        "valueFrom": {"secretKeyRef": {"name": "course-instructors", "key": "password"}}}
    assert hub["extraEnv"]["COURSE_PASSWORDS_DBM"].startswith("/srv/jupyterhub/")  # the hub's volume
    # the instructors' snippet is make hub's and TLJH's, word for word
    assert hub["extraConfig"]["course-instructors"] == SNIPPET.read_text()


def test_tljh_bootstrap_is_pinned_and_verified_before_it_runs():
    text = TLJH.read_text()
    assert "| python3" not in text and "curl -fsSL https://tljh" not in text
    commit = re.search(r"^TLJH_COMMIT=([0-9a-f]{40})\b", text, re.M)
    assert commit, "the bootstrap must come from a pinned commit"
    assert "$TLJH_COMMIT/bootstrap/bootstrap.py" in text
    sha = re.search(r'TLJH_BOOTSTRAP_SHA256="\$\{TLJH_BOOTSTRAP_SHA256:-([0-9a-f]{64})\}"', text)
    assert sha, "a pinned sha256 (or a required variable) must guard the bootstrap"
    check = text.index("sha256sum --check")
    run = text.index('python3 "$BOOTSTRAP" --version "$TLJH_VERSION"')
    assert text.index('curl -fsSL -o "$BOOTSTRAP"') < check < run


def test_tljh_serves_https_and_keeps_its_secrets_off_command_lines():
    text = TLJH.read_text()
    for line in ("tljh-config set https.enabled true",
                 'tljh-config set https.letsencrypt.email "$WORKSHOP_EMAIL"',
                 'tljh-config add-item https.letsencrypt.domains "$WORKSHOP_DOMAIN"',
                 "tljh-config set auth.type firstuseauthenticator.FirstUseAuthenticator",
                 'cat "$SRC/deploy/hub_instructors.py"'):
        assert line in text, line
    for ln in text.splitlines():  # no password as an argument of any command
        if ln.lstrip().startswith("#"):
            continue
        assert not re.search(r"tljh-config .*(\$\{?\w*PASSWORD|password\s*=)", ln), ln
        assert "--admin" not in ln and "user_password" not in ln, ln
    assert 'install -m 0600 -o root -g root "$INSTRUCTOR_PASSWORD_FILE"' in text
    # plain HTTP only on the machine itself (the class pulse's service on 127.0.0.1)
    assert '"https://$WORKSHOP_DOMAIN"' in text and not re.findall(r"http://(?!127\.0\.0\.1:)", text)


def test_deployments_and_make_hub_use_the_ref_the_readme_gives_learners():
    readme = (ROOT / "deploy" / "README.md").read_text()  # the class link, for whoever runs a hub
    links = [ln for ln in readme.splitlines()
             if "/hub/user-redirect/git-pull?" in ln and ln.startswith("http")]
    assert links == [course.hub_link(sync.HUB_PLACEHOLDER)]
    assert urllib.parse.parse_qs(links[0].split("?", 1)[1])["branch"] == [course.HUB_REF]
    run_hub = _module(LOCAL / "run_hub.py", "run_hub")
    assert run_hub.BRANCH == course.HUB_REF
    assert f"HUB_REF={course.HUB_REF}  # course: hub_ref" in TLJH.read_text()
    import workshop_utils

    assert course.HUB_REF == "release-{}.{}".format(*workshop_utils.__version__.split(".")[:2])


def test_deploy_files_carry_the_measured_sizing(results):
    values = sizing.deploy_values(results)
    su = yaml.safe_load(Z2JH.read_text())["singleuser"]
    assert str(su["memory"]["guarantee"]) == values["mem_guarantee"]
    assert str(su["memory"]["limit"]) == values["mem_limit"]
    assert str(su["cpu"]["guarantee"]) == values["cpu_guarantee"]
    assert str(su["cpu"]["limit"]) == values["cpu_limit"]
    text = TLJH.read_text()
    assert f"tljh-config set limits.memory {values['mem_limit']}" in text
    assert f"tljh-config set limits.cpu {values['cpu_limit']}" in text


def test_sizing_renders_readme_results_and_deploy_from_the_results_file():
    """deploy/README.md's tables, the RESULTS.md section and deploy/'s numbers are what hub_sizing.py
    renders from benchmarks/hub_results.json (make bench-hub): nothing typed in by hand."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.hub_sizing", "--check"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr + out.stdout


def test_sizing_follows_the_measurements(results):
    """More memory per learner or fewer learners per core must change the settings."""
    base = sizing.sizing(results)
    heavier = json.loads(json.dumps(results))
    for r in heavier["runs"]:
        r["mem_peak_mb"]["max"] *= 3
    assert sizing.sizing(heavier)["mem_guarantee"] != base["mem_guarantee"]
    slower = json.loads(json.dumps(results))
    for r in slower["runs"]:
        r["slider_ms"]["p95"] = slower["settings"]["p95_ms"] * 2
    with pytest.raises(ValueError, match="nothing to size"):
        sizing.sizing(slower)
    for n, c in base["classes"].items():
        assert c["k8s"]["nodes"] * c["k8s"]["per_node"] >= n


def test_sizing_markers_are_rewritten():
    text = "    guarantee: 9G  # sizing: mem_guarantee\ntljh-config set limits.cpu 7  # sizing: cpu_limit\n"
    out = sizing.render_deploy(text, {"mem_guarantee": "640M", "cpu_limit": "1"})
    assert out == ("    guarantee: 640M  # sizing: mem_guarantee\n"
                   "tljh-config set limits.cpu 1  # sizing: cpu_limit\n")
    with pytest.raises(KeyError, match="nope"):
        sizing.render_deploy("x: 1  # sizing: nope\n", {})


def test_deploy_files_follow_the_course_ref_via_make_sync():
    for path in sync.DEPLOY:
        text = path.read_text()
        assert sync.sync_deploy(text) == text, f"{path.name} is out of date: run make sync"
    stale = "REF=v0.0.1  # course: ref\n  - https://example.org/old  # course: repo_url\n"
    assert sync.sync_deploy(stale) == (f"REF={course.REF}  # course: ref\n"
                                       f"  - {course.repo_url()}  # course: repo_url\n")


def test_tljh_recipe_is_strict_bash_and_names_what_exists():
    text = TLJH.read_text()
    subprocess.run(["bash", "-n", str(TLJH)], check=True)
    code = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    assert code[0] == "set -euo pipefail"
    for rel in re.findall(r"\$SRC/([\w./-]+)", text):
        assert (ROOT / rel).exists(), rel
    assert "FirstUseAuthenticator" in text and "services.cull.timeout" in text
    assert 'course.hub_link(sys.argv[1])' in text
    assert (ROOT / "deploy" / "hub_instructors.py").is_file()


def test_local_hub_files_exist_and_the_proxy_is_locked():
    pkg = json.loads((LOCAL / "package.json").read_text())
    lock = json.loads((LOCAL / "package-lock.json").read_text())
    assert "configurable-http-proxy" in pkg["dependencies"]
    assert lock["packages"][""]["dependencies"] == pkg["dependencies"]
    assert "node_modules/configurable-http-proxy" in lock["packages"]
    text = (LOCAL / "jupyterhub_config.py").read_text()
    for needed in ('"127.0.0.1"', "firstuseauthenticator.FirstUseAuthenticator",
                   "jupyterhub_idle_culler", "mem_limit", "cpu_limit", '"OMP_NUM_THREADS": "1"',
                   "SystemUserSpawner", "hub_instructors.py", f'username_pattern = r"{LOCAL_PATTERN}"'):
        assert needed in text, needed
    assert "--allow-root" not in text and "shared-password" not in text
    assert ".hub/" in (ROOT / ".gitignore").read_text().split()


def test_hub_link_is_an_nbgitpuller_link_to_lesson_01():
    link = course.hub_link("https://hub.example.org/")
    base, query = link.split("?", 1)
    assert base == "https://hub.example.org/hub/user-redirect/git-pull"
    q = urllib.parse.parse_qs(query)
    assert q == {"repo": [course.repo_url()], "branch": [course.HUB_REF],
                 "urlpath": ["lab/tree/deep-learning-workshop/notebooks/01_input_to_tensor.ipynb"]}
    assert course.hub_link("https://example.org/jupyter").startswith("https://example.org/jupyter/hub/")
    with pytest.raises(ValueError, match="notebook"):
        course.hub_link("https://h.org", notebook="11_nope.ipynb")


@pytest.mark.parametrize("url, problem", [
    ("hub.example.org", "http"),
    ("ftp://hub.example.org", "http"),
    ("javascript:alert(1)", "http"),
    ("https://", "host"),
    ('https://hub.example.org/"onclick=x', "quotes"),
    ("https://hub.example.org/'", "quotes"),
    ("https://hub example.org", "spaces"),
    ("https://hub.example.org\n/evil", "newlines"),
    ("https://hub.example.org\r", "newlines"),
    ("https://hub.example.org/?next=/evil", "query"),
    ("https://hub.example.org/#frag", "fragment"),
    ("https://ada@hub.example.org", "user"),
    ("https://evil.org:x@hub.example.org", "user"),
    ("https://hub.example.org/<script>", "<>"),
    ("", "non-empty"),
    (None, "non-empty"),
])
def test_hub_link_rejects_a_bad_hub_url_naming_the_problem(url, problem):
    with pytest.raises(ValueError, match="hub_url") as err:
        course.hub_link(url)
    assert problem in str(err.value)


@pytest.mark.parametrize("ref", ["v0.1.0", "main;rm -rf", "-x", "a..b", "x y", "release-0.1/", "a\nb"])
def test_hub_link_rejects_a_tag_or_odd_ref(ref):
    with pytest.raises(ValueError, match="ref"):
        course.hub_link("https://hub.example.org", ref=ref)


def test_hub_link_rejects_a_bad_repo():
    for repo in ("git@github.com:o/r", "https://github.com/o/r?x=1", "https://u:p@github.com/o/r", "ssh://h/r"):
        with pytest.raises(ValueError, match="repo"):
            course.hub_link("https://hub.example.org", repo=repo)


def test_hub_link_properties():
    """Any plain host and base path gives a link that parses back to the course's repo, branch and
    lesson; any URL with an unsafe character is refused with a ValueError."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
    host = st.lists(label, min_size=1, max_size=3).map(".".join)
    path = st.lists(st.from_regex(r"[A-Za-z0-9_.~-]{1,8}", fullmatch=True), max_size=3).map(
        lambda parts: "".join("/" + p for p in parts))

    @settings(max_examples=150, deadline=None)
    @given(st.sampled_from(["http", "https"]), host, path)
    def good(scheme, h, p):
        url = f"{scheme}://{h}{p}"
        link = course.hub_link(url)
        parts = urllib.parse.urlsplit(link)
        assert f"{parts.scheme}://{parts.netloc}" == f"{scheme}://{h}"
        assert parts.path == p + "/hub/user-redirect/git-pull"
        q = urllib.parse.parse_qs(parts.query)
        assert q["repo"] == [course.repo_url()] and q["branch"] == [course.HUB_REF]

    @settings(max_examples=150, deadline=None)
    @given(host, st.text(max_size=6), st.sampled_from(list(" \t\n\r\"'<>`{}|\\^?#")), st.text(max_size=6))
    def bad(h, before, ch, after):
        with pytest.raises(ValueError, match="hub_url"):
            course.hub_link(f"https://{h}/{before}{ch}{after}")

    good()
    bad()


def test_instructors_snippet_seeds_passwords_admins_and_group(tmp_path):
    """deploy/hub_instructors.py (make hub, TLJH, z2jh): the instructors' bcrypt password in the
    FirstUseAuthenticator database before the hub opens, never replaced once set; admins; group."""
    if not HUB_PY:
        pytest.skip("run by make test-hub (part of make test): needs the hub environment "
                    "(.venv-hub: bcrypt, traitlets)")
    code = f"""
import dbm, json, os, bcrypt
from traitlets.config import Config
c = Config()
exec(open({str(SNIPPET)!r}).read(), {{"c": c}})
with dbm.open(os.environ["COURSE_PASSWORDS_DBM"]) as db:
    ok = {{n: bcrypt.checkpw(b"first-password-1", db[n.encode()]) for n in ("ann", "bo")}}
print(json.dumps({{"admins": sorted(c.Authenticator.admin_users), "groups": c.JupyterHub.load_groups,
                  "dbm": c.FirstUseAuthenticator.dbm_path, "ok": ok}}))
"""
    env = dict(os.environ, COURSE_INSTRUCTORS="Ann, bo", COURSE_INSTRUCTOR_PASSWORD="first-password-1",
               COURSE_PASSWORDS_DBM=str(tmp_path / "pw.dbm"))
    out = subprocess.run([HUB_PY, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res == {"admins": ["ann", "bo"], "groups": {"instructors": {"users": ["ann", "bo"]}},
                   "dbm": str(tmp_path / "pw.dbm"), "ok": {"ann": True, "bo": True}}
    assert not [p for p in tmp_path.iterdir() if p.stat().st_mode & 0o077], "password files must be 0600"
    # a later start with another password keeps the one already set (changed by the instructor)
    env["COURSE_INSTRUCTOR_PASSWORD"] = "second-password-2"
    out = subprocess.run([HUB_PY, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert json.loads(out.stdout)["ok"] == {"ann": True, "bo": True}
    for bad, msg in ((dict(COURSE_INSTRUCTOR_PASSWORD="short"), "at least 8"),
                     (dict(COURSE_INSTRUCTORS="ann,../root"), "not a hub name")):
        out = subprocess.run([HUB_PY, "-c", code], env={**env, **bad}, capture_output=True, text=True,
                             cwd=tmp_path)
        assert out.returncode != 0 and msg in out.stderr


def test_make_hub_without_root_refuses_other_addresses(monkeypatch, tmp_path):
    run_hub = _module(LOCAL / "run_hub.py", "run_hub")
    monkeypatch.setattr(run_hub.os, "geteuid", lambda: 1000)
    with pytest.raises(SystemExit, match="127.0.0.1 only"):
        run_hub.prepare(tmp_path / "hub", 8000, ip="0.0.0.0")
    text = (LOCAL / "run_hub.py").read_text()
    assert "NOT ROOT: every learner's server runs as your account" in text
    assert "learners share it" in text


def test_checklist_hub_sizing_is_the_measured_one():
    su = yaml.safe_load(Z2JH.read_text())["singleuser"]
    line = next(ln for ln in CHECKLIST.read_text().splitlines() if "*A JupyterHub*" in ln)
    para = CHECKLIST.read_text().split(line, 1)[1].split("\n  - ", 1)[0]
    text = line + para
    assert f"{su['memory']['limit']}" in text, text
    assert f"{su['cpu']['guarantee']}–{su['cpu']['limit']} CPU" in text, text
    assert "1 GB of memory and one core" not in text
    assert "learners/hub.md" in text
