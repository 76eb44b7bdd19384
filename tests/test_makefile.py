"""The Makefile's environments and `make test`'s run, checked without building anything.

``make -n`` prints what a target would run; the `make test` lock and course-cache checks run
the real `test` recipe in a scratch folder with ``MAKE`` replaced by a stand-in stage that
records its ``WORKSHOP_CACHE`` and waits a moment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKEFILE = (ROOT / "Makefile").read_text()


def dry_run(*targets: str) -> str:
    """What ``make -n -B TARGETS`` would run here (-B: as if nothing were built yet)."""
    out = subprocess.run(["make", "-n", "-B", "--no-print-directory", *targets], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_one_rule_makes_every_environment():
    assert MAKEFILE.count("tools/make_env.sh $(") == 1, "the environment rule is written once"
    assert "-m venv" not in MAKEFILE.replace("$(PYTHON) -m venv $(WHEELHOUSE_VENV)", ""), (
        "an environment made outside tools/make_env.sh (only check-wheelhouse's plain pip venv may)")
    made = dry_run("env", "test-envs")
    for venv in (".venv", ".venv-oldest", ".venv-colab", ".venv-hub"):
        assert re.search(rf"tools/make_env.sh {re.escape(venv)} ", made), venv


def test_make_lab_installs_the_lab_extra_only():
    lab = dry_run("lab-env")
    assert re.search(r'tools/make_env.sh \.venv .* -- -e "\.\[lab\]"$', lab, re.M), lab
    for tool in ("test", "site", "present", "hub"):
        assert tool not in lab.split("--", 1)[1].split("-e", 1)[1], f"make lab installs the {tool} extra"


def test_make_env_fulfils_the_lean_targets():
    """After make env (make test), make lab / present / site find their environment ready:
    the tests that run `make lab` in a copy of the course rely on it."""
    touched = next(ln for ln in dry_run("env").splitlines() if ln.startswith("touch "))
    for stamp in (".installed-dev", ".installed-lab", ".installed-present", ".installed-site"):
        assert f".venv/{stamp}" in touched


def test_make_test_runs_ruff_once():
    assert "ruff" not in dry_run("test-current"), "ruff runs in tests/test_repo.py (test_ruff_is_clean)"
    assert "def test_ruff_is_clean" in (ROOT / "tests/test_repo.py").read_text()


STAGE = """#!/bin/sh
# stand-in for a `make test` stage: records its course cache, uses it, waits, exits $STAGE_RC
echo "$WORKSHOP_CACHE" >> "$STAGE_LOG"
test -d "$WORKSHOP_CACHE" && touch "$WORKSHOP_CACHE/stage-$$"
sleep "${STAGE_SLEEP:-0}"
exit "${STAGE_RC:-0}"
"""


@pytest.fixture()
def scratch(tmp_path):
    if not shutil.which("flock"):
        pytest.skip("make test's lock needs util-linux flock")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copytree(ROOT / "jupyter-config", tmp_path / "jupyter-config")
    stage = tmp_path / "stage.sh"
    stage.write_text(STAGE)
    stage.chmod(0o755)
    return tmp_path


def make_test(folder: Path, name: str, **env) -> subprocess.Popen:
    environ = dict(os.environ, STAGE_LOG=str(folder / f"{name}.log"), **env)
    environ.pop("MAKEFLAGS", None)
    return subprocess.Popen(["make", "test", f"MAKE={folder / 'stage.sh'}"], cwd=folder, env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_make_test_holds_a_lock_and_a_course_cache_of_its_own(scratch):
    stale = [scratch / ".cache/make-test-run-20000101T000000-1", scratch / ".cache/make-test-course-cache"]
    for folder in stale:
        folder.mkdir(parents=True)
    first = make_test(scratch, "first", STAGE_SLEEP="2")
    time.sleep(0.7)
    second = make_test(scratch, "second", STAGE_SLEEP="0")
    out1, out2 = first.communicate(timeout=60)[0], second.communicate(timeout=60)[0]
    assert first.returncode == 0 and second.returncode == 0, out1 + out2
    assert "another make test is running in this clone, waiting" in out2, out2
    caches = [(scratch / f"{n}.log").read_text().split() for n in ("first", "second")]
    # both stages of one run share its cache; the two runs never share one
    assert len(set(caches[0])) == 1 and len(set(caches[1])) == 1, caches
    assert caches[0][0] != caches[1][0]
    assert all(Path(c).name.startswith("make-test-run-") for c in caches[0] + caches[1])
    assert not any(folder.exists() for folder in stale), "runs left behind are removed"
    assert not list((scratch / ".cache").glob("make-test-run-*")), "a passing run removes its cache"


def test_a_failed_make_test_keeps_its_course_cache(scratch):
    run = make_test(scratch, "failed", STAGE_RC="1")
    out = run.communicate(timeout=60)[0]
    assert run.returncode != 0
    kept = re.search(r"course cache is kept in (\S+)", out)
    assert kept and Path(kept.group(1)).is_dir(), out
