"""``make release VERSION=…`` (tools/release.py) in a copy of the course made a git repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from learner_lab import copy_course


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    repo = copy_course(tmp_path / "course", venv=False)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@localhost", "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-q", "-m", "course")
    _git(repo, "config", "user.name", "Release Test")
    _git(repo, "config", "user.email", "release@localhost")
    return repo


def _release(repo: Path, *args: str):
    return subprocess.run([sys.executable, "-m", "tools.release", *args], cwd=repo, capture_output=True,
                          text=True)


@pytest.mark.slow
def test_release_bumps_syncs_commits_and_tags(repo):
    import workshop_utils

    old = workshop_utils.__version__
    major, minor, _ = (int(x) for x in old.split("."))
    new = f"{major}.{minor + 1}.0"
    out = _release(repo, new, "--date", "2026-12-01")
    assert out.returncode == 0, out.stdout + out.stderr
    assert _git(repo, "cat-file", "-t", f"v{new}") == "tag"  # annotated
    # the class hub link's branch (nbgitpuller cannot pull a tag twice) is made at the release
    branch = f"release-{major}.{minor + 1}"
    assert _git(repo, "rev-parse", branch) == _git(repo, "rev-parse", f"v{new}^{{commit}}")
    assert f"v{new} {branch}" in out.stdout  # the push command names both
    assert _git(repo, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert _git(repo, "status", "--porcelain") == ""
    assert _git(repo, "log", "-1", "--format=%s") == f"Release v{new}"
    assert f'__version__ = "{new}"' in (repo / "workshop_utils/__init__.py").read_text()
    changelog = (repo / "CHANGELOG.md").read_text()
    assert f"## [{new}] — 2026-12-01" in changelog
    assert changelog.index("## Unreleased") < changelog.index(f"## [{new}]") < changelog.index(f"## [{old}]")
    for nb in (repo / "notebooks").glob("[0-9][0-9]_*.ipynb"):
        text = nb.read_text()
        assert f"@v{new}\\\"" in text and f"/blob/v{new}/notebooks/" in text, nb.name
        assert f"v{old}" not in text, nb.name
    readme = (repo / "README.md").read_text()
    assert f"/v2/gh/dl-math-workshop/deep-learning-workshop/v{new}?" in readme
    assert f"branch={branch}&" in (repo / "deploy/README.md").read_text()  # the class link: the new branch
    z2jh = (repo / "deploy/z2jh/config.yaml").read_text()
    assert f"- {branch}  # course: hub_ref" in z2jh and f"tag: v{new}  # course: ref" in z2jh
    check = subprocess.run([sys.executable, "-m", "tools.sync_notebooks", "--check"], cwd=repo,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


@pytest.mark.slow
def test_release_refuses_a_dirty_tree_an_old_version_and_a_taken_tag(repo):
    import workshop_utils

    old = workshop_utils.__version__
    out = _release(repo, old)
    assert out.returncode != 0 and "not higher" in out.stderr
    (repo / "README.md").write_text((repo / "README.md").read_text() + "\nedit\n")
    out = _release(repo, "99.0.0")
    assert out.returncode != 0 and "uncommitted" in out.stderr
    _git(repo, "checkout", "README.md")
    _git(repo, "tag", "-a", "v99.0.0", "-m", "taken")
    out = _release(repo, "99.0.0")
    assert out.returncode != 0 and "exists already" in out.stderr
    out = _release(repo, "banana")
    assert out.returncode != 0 and "not a version" in out.stderr


@pytest.mark.slow
def test_a_patch_release_moves_the_branch_forward_and_a_diverged_branch_is_refused(repo):
    import workshop_utils

    old = workshop_utils.__version__
    major, minor, patch = (int(x) for x in old.split("."))
    branch = f"release-{major}.{minor}"
    _git(repo, "branch", branch)  # where the previous release left it
    before = _git(repo, "rev-parse", branch)
    out = _release(repo, f"{major}.{minor}.{patch + 1}", "--date", "2026-12-02")
    assert out.returncode == 0, out.stdout + out.stderr
    after = _git(repo, "rev-parse", branch)
    assert after == _git(repo, "rev-parse", "HEAD") != before
    subprocess.run(["git", "merge-base", "--is-ancestor", before, after], cwd=repo, check=True)  # forward
    # the branch gained a commit that HEAD lacks: a class link could not fast-forward to the release
    _git(repo, "checkout", "-q", branch)
    (repo / "NOTE.md").write_text("a fix made on the branch only\n")
    _git(repo, "add", "NOTE.md")
    _git(repo, "commit", "-q", "-m", "fix on the branch")
    _git(repo, "checkout", "-q", "main")
    head = _git(repo, "rev-parse", "HEAD")
    out = _release(repo, f"{major}.{minor}.{patch + 2}")
    assert out.returncode != 0 and "could not fast-forward" in out.stderr
    assert _git(repo, "rev-parse", "HEAD") == head and _git(repo, "status", "--porcelain") == ""
