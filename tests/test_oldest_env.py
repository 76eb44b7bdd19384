"""The oldest-versions environment (make test-oldest) tests the lower bounds we declare."""

import importlib.metadata as md
import os
import re

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from tools import ROOT

CONSTRAINTS = ROOT / "tests" / "constraints-oldest.txt"
# runtime dependencies tested at another version than their lower bound, and why
NOT_AT_BOUND = {
    "torch": "the CPU wheel on the machine (tools/install_torch.sh); not pinned",
    "ipywidgets": "Colab's 7.7.1",
}


def _pyproject():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _runtime() -> dict[str, Requirement]:
    reqs = [Requirement(r) for r in _pyproject()["project"]["dependencies"]]
    return {r.name.lower(): r for r in reqs}


def _pins() -> dict[str, Version]:
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([0-9][^\s;]*)", line)
            assert m, f"constraints-oldest.txt: not a name==version pin: {line!r}"
            pins[m.group(1).lower()] = Version(m.group(2))
    return pins


def _lower_bound(req: Requirement) -> Version:
    lows = [Version(s.version) for s in req.specifier if s.operator == ">="]
    assert len(lows) == 1, f"{req}: expected one lower bound"
    return lows[0]


def test_every_runtime_dependency_is_pinned_at_its_lower_bound():
    pins = _pins()
    for name, req in _runtime().items():
        if name == "torch":
            assert name not in pins, "torch comes from tools/install_torch.sh, do not pin it"
            continue
        assert name in pins, f"{name} is not pinned in {CONSTRAINTS.name}"
        assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {req}"
        if name not in NOT_AT_BOUND:
            assert pins[name] == _lower_bound(req), (
                f"{name}: pinned {pins[name]} but pyproject.toml says {req}; the lower bound "
                "must be the version the oldest-versions run tests")


def test_colab_widgets_version_is_the_one_tested():
    assert _pins()["ipywidgets"] == Version("7.7.1")


@pytest.mark.skipif(os.environ.get("COURSE_OLDEST_ENV") != "1", reason="only in make test-oldest")
def test_this_environment_has_the_pinned_versions():
    for name, version in _pins().items():
        assert Version(md.version(name)) == version, f"{name} {md.version(name)} != {version}"


def test_make_test_oldest_uses_these_constraints():
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"^test-oldest:", make, re.M)
    assert "tests/constraints-oldest.txt" in make
