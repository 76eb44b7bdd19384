"""The class deployment files (deploy/) and the hub sizing: they parse, name what exists, and
carry the numbers the class load test measured (benchmarks/hub_results.json), not typed-in ones."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
import yaml

from workshop_utils import course

ROOT = Path(__file__).resolve().parents[1]
Z2JH = ROOT / "deploy" / "z2jh" / "config.yaml"
TLJH = ROOT / "deploy" / "tljh" / "install.sh"
LOCAL = ROOT / "deploy" / "local"


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    spec.loader.exec_module(mod)
    return mod


sizing = _module(ROOT / "benchmarks" / "hub_sizing.py", "hub_sizing")
sync = _module(ROOT / "tools" / "sync_notebooks.py", "sync_notebooks")


@pytest.fixture(scope="module")
def results():
    return json.loads(sizing.RESULTS.read_text())


def test_z2jh_config_names_the_course_image_lesson_and_puller():
    cfg = yaml.safe_load(Z2JH.read_text())
    su = cfg["singleuser"]
    assert su["image"] == {"name": f"ghcr.io/{course.REPOSITORY}", "tag": course.REF,
                           "pullPolicy": "IfNotPresent"}
    assert su["lifecycleHooks"]["postStart"]["exec"]["command"] == [
        "gitpuller", course.repo_url(), course.REF, "deep-learning-workshop"]
    folder = "/lab/tree/deep-learning-workshop/"
    assert su["defaultUrl"].startswith(folder)
    assert (ROOT / su["defaultUrl"][len(folder):]).is_file(), su["defaultUrl"]
    assert su["extraEnv"]["OMP_NUM_THREADS"] == "1" and su["extraEnv"]["WORKSHOP_THREADS"] == "1"
    assert cfg["cull"]["enabled"] and cfg["cull"]["timeout"] > 0
    assert cfg["prePuller"]["hook"]["enabled"] and cfg["prePuller"]["continuous"]["enabled"]
    assert cfg["hub"]["config"]["JupyterHub"]["authenticator_class"] == "shared-password"


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
    """README's table, the RESULTS.md section and deploy/'s numbers are what hub_sizing.py
    renders from benchmarks/hub_results.json (make bench-hub): nothing typed in by hand."""
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "hub_sizing.py"), "--check"],
                         capture_output=True, text=True)
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
    assert "set -euo pipefail" in text.splitlines()[:20]
    for rel in re.findall(r"\$SRC/([\w./-]+)", text):
        assert (ROOT / rel).exists(), rel
    assert "SharedPasswordAuthenticator" in text and "services.cull.timeout" in text
    assert 'course.hub_link(sys.argv[1])' in text


def test_local_hub_files_exist_and_the_proxy_is_locked():
    pkg = json.loads((LOCAL / "package.json").read_text())
    lock = json.loads((LOCAL / "package-lock.json").read_text())
    assert "configurable-http-proxy" in pkg["dependencies"]
    assert lock["packages"][""]["dependencies"] == pkg["dependencies"]
    assert "node_modules/configurable-http-proxy" in lock["packages"]
    text = (LOCAL / "jupyterhub_config.py").read_text()
    for needed in ('"127.0.0.1"', "shared-password", "jupyterhub_idle_culler", "mem_limit", "cpu_limit",
                   '"OMP_NUM_THREADS": "1"'):
        assert needed in text, needed
    assert ".hub/" in (ROOT / ".gitignore").read_text().split()


def test_hub_link_is_an_nbgitpuller_link_to_lesson_01():
    link = course.hub_link("https://hub.example.org/")
    base, query = link.split("?", 1)
    assert base == "https://hub.example.org/hub/user-redirect/git-pull"
    q = urllib.parse.parse_qs(query)
    assert q == {"repo": [course.repo_url()], "branch": [course.REF],
                 "urlpath": ["lab/tree/deep-learning-workshop/notebooks/01_input_to_tensor.ipynb"]}
    with pytest.raises(ValueError, match="hub_url"):
        course.hub_link("hub.example.org")
    with pytest.raises(ValueError, match="notebook"):
        course.hub_link("https://h", notebook="11_nope.ipynb")
