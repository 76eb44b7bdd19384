"""The repository as a maintainer expects it: layout, clean notebooks, sync, deps, lint."""

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from workshop_utils import course, figures

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"


def _notebooks():
    return sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb"))


def test_layout():
    for name in ("notebooks", "workshop_utils", "assets", "tests"):
        assert (ROOT / name).is_dir(), name
    for name in ("environment.yml", "README.md", "pyproject.toml", "postBuild", "Makefile"):
        assert (ROOT / name).is_file(), name


def test_notebooks_are_the_course_in_order():
    names = [p.name for p in _notebooks()]
    expected = [n for n, _, _ in course.NOTEBOOKS]
    assert names == [n for n in expected if n in names]  # no stray or misnamed notebook
    assert names[0] == expected[0]


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_notebook_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}: a cell has outputs"
            assert cell["execution_count"] is None, f"{path.name}: execution count"


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_notebook_shape_of_a_lesson(path):
    nb = nbformat.read(path, as_version=4)
    first_md = next(c for c in nb.cells if c.cell_type == "markdown").source
    assert first_md.startswith("# ") and "> **" in first_md  # title and the one-line question
    assert course.colab_badge(path.name) in first_md
    assert "**Time:**" in first_md and "Prerequisites" in first_md
    first_code = next(c for c in nb.cells if c.cell_type == "code").source
    assert first_code.startswith(course.setup_block())
    assert first_code.count("# --- course set-up") == 1, "the Colab set-up block is repeated"
    text = "\n".join(c.source for c in nb.cells)
    assert len(re.findall(r"Coding Exercise", text)) >= 2
    assert "<details>" in text and "Key takeaways" in text


def test_setup_cells_and_badges_in_sync():
    out = subprocess.run([sys.executable, str(ROOT / "tools/sync_notebooks.py"), "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_colab_install_is_helpers_only():
    block = course.setup_block()
    assert '"google.colab" in sys.modules' in block
    pips = [ln for ln in block.splitlines() if "%pip" in ln]
    assert len(pips) == 1 and "workshop_utils @ git+" in pips[0] and course.COLAB_REF in pips[0]
    assert "torch" not in pips[0] and "ipywidgets" not in pips[0]


def _pyproject():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req.strip(), maxsplit=1)[0].lower()


CONDA_NAMES = {"pytorch": "torch", "matplotlib-base": "matplotlib"}


def test_environment_yml_matches_pyproject():
    import yaml

    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {CONDA_NAMES.get(_name(d), _name(d)) for d in env["dependencies"] if isinstance(d, str)}
    conda.discard("python")
    proj = _pyproject()["project"]
    pip = {_name(d) for d in proj["dependencies"] + proj["optional-dependencies"]["lab"]}
    assert conda == pip
    assert any(re.match(r"pytorch=\*=cpu\*", d) for d in env["dependencies"] if isinstance(d, str))
    assert "conda-forge" in env["channels"]


def test_dependencies_have_lower_bounds_only():
    proj = _pyproject()["project"]
    reqs = proj["dependencies"] + sum(proj["optional-dependencies"].values(), [])
    for req in reqs:
        req = req.split(";")[0]  # environment markers are not version bounds
        assert ">=" in req and "<" not in req.replace(">=", "") and "==" not in req, req


def test_postbuild_installs_without_deps():
    text = (ROOT / "postBuild").read_text()
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert lines[0] == "set -e"
    assert "pip install --no-deps --no-cache-dir ." in text


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci/run").read_text()
    assert "make test" in readme and "make lab" in readme
    assert re.search(r"^make test$", ci, re.M)


def test_ruff_is_clean():
    out = subprocess.run([sys.executable, "-m", "ruff", "check", str(ROOT)],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout


def test_readme_lists_every_notebook():
    readme = (ROOT / "README.md").read_text()
    for name, title, _ in course.NOTEBOOKS:
        assert title in readme, title
        if (NB_DIR / name).exists():
            assert f"notebooks/{name}" in readme, name


def test_every_outline_asset_has_a_builder_when_its_notebook_exists():
    built = figures.registry()
    assert "3-axis_front.png" in built
    for name in built:
        assert name in figures.ASSET_NAMES
        assert (ROOT / "assets" / name).exists(), f"assets/{name} not generated (make assets)"


def test_colab_setup_block_pins_colabs_packages_as_constraints(monkeypatch):
    """Run the set-up block as Colab would (its %pip line recorded, not run)."""
    import importlib.metadata as md
    import types

    calls = []
    block = course.setup_block()
    pip_line = next(ln for ln in block.splitlines() if "%pip" in ln)
    code = block.replace(pip_line, pip_line.split("%pip")[0] + "calls.append(" + repr(pip_line.strip()) + ")")
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    exec(compile(code, "<setup>", "exec"), {"calls": calls})  # noqa: S102 - our own cell
    assert len(calls) == 1 and "-c /tmp/colab-keep.txt" in calls[0]
    pins = Path("/tmp/colab-keep.txt").read_text().split("\n")
    assert pins == [f"{p}=={md.version(p)}" for p in course.KEEP_ON_COLAB]
