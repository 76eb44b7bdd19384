"""Installing the course on Colab keeps Colab's torch, ipywidgets, matplotlib and numpy.

Part of `make check-ecosystem`, not of `make test`: these tests ask the package index what
pip would install *today*, so their result changes with third-party releases (e.g. the
newest mlxtend's numpy floor), not with this repository.

pip's resolver is asked, in a dry run, to install the package's dependencies into an
environment that already holds Colab's versions of those four (as installed
distributions that pip sees); the report must not upgrade or downgrade any of them.
This reads the package index (as ``make test`` does to install); it skips when the
index cannot be reached.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools import ROOT

# What Colab ships (the list; numpy is Colab's 2.0.2). Python there is 3.13; this
# resolves for the Python running the tests.
COLAB = {"torch": "2.11.0", "ipywidgets": "7.7.1", "matplotlib": "3.10.0", "numpy": "2.0.2"}
OFFLINE = re.compile(r"NewConnectionError|Max retries exceeded|Temporary failure in name resolution|"
                     r"Network is unreachable|Could not fetch URL|ConnectionError", re.I)


def _pyproject():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _fake_colab_env(path: Path) -> Path:
    """A venv whose site-packages holds Colab's versions as installed distributions."""
    if path.exists():
        return path / "bin" / "python"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    site = next((path / "lib").glob("python3*/site-packages"))
    for name, version in COLAB.items():
        info = site / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        (info / "INSTALLER").write_text("colab\n")
        (info / "RECORD").write_text("")
    return path / "bin" / "python"


def _dry_run(tmp_path: Path, *pip_args: str) -> dict[str, str]:
    """What pip would install into the fake Colab environment: {name: version}."""
    python = _fake_colab_env(tmp_path / "colab")
    report = tmp_path / "report.json"
    deps = _pyproject()["project"]["dependencies"]  # what `pip install workshop_utils @ git+…` resolves
    cmd = [sys.executable, "-m", "pip", "--python", str(python), "install", "--dry-run", "--quiet",
           "--only-binary=:all:", "--report", str(report), *pip_args, *deps]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if out.returncode != 0 and OFFLINE.search(out.stdout + out.stderr):
        pytest.skip("the package index cannot be reached: " + (out.stdout + out.stderr)[-300:])
    assert out.returncode == 0, out.stdout + out.stderr
    planned = {i["metadata"]["name"].lower(): i["metadata"]["version"]
               for i in json.loads(report.read_text())["install"]}
    assert planned, "the dry run planned nothing: the fake Colab environment hides everything"
    return planned


def _replaced(planned: dict[str, str]) -> dict[str, str]:
    return {n: f"{COLAB[n]} -> {planned[n]}" for n in COLAB if n in planned}


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "a plain `pip install` of the course upgrades Colab's numpy and matplotlib: the newest "
    "mlxtend (0.25.0) requires numpy>=2.3.5 and matplotlib>=3.10.8 and pip prefers it to an "
    "older mlxtend (Colab itself may ship an mlxtend, which pip would keep). That is why the "
    "notebooks' set-up cell passes Colab's installed versions as constraints (the test below, "
    "and test_repo.py::test_colab_setup_block_pins_colabs_packages_as_constraints)"))
def test_installing_the_course_keeps_colabs_versions(tmp_path):
    replaced = _replaced(_dry_run(tmp_path))
    assert not replaced, f"installing the course would replace Colab's {replaced}"


@pytest.mark.slow
def test_installing_with_colabs_versions_as_constraints_keeps_them(tmp_path):
    """The remedy: `pip install -c <installed versions of the four> …` resolves, keeping them."""
    keep = tmp_path / "keep.txt"
    keep.write_text("".join(f"{n}=={v}\n" for n, v in COLAB.items()))
    planned = _dry_run(tmp_path, "-c", str(keep))
    assert not _replaced(planned)
    assert "mlxtend" in planned and "scikit-learn" in planned
