"""The repository as a maintainer expects it: layout, clean notebooks, sync, deps, lint."""

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import ROOT
from workshop_utils import course, figures

NB_DIR = ROOT / "notebooks"


def _notebooks():
    return sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb"))


def test_layout():
    for name in ("notebooks", "workshop_utils", "assets", "tests"):
        assert (ROOT / name).is_dir(), name
    for name in ("environment.yml", "README.md", "pyproject.toml", "postBuild", "Makefile"):
        assert (ROOT / name).is_file(), name


LAYOUT_PATH = re.compile(r"(?<![\w./-])(?:[\w.-]+/)+(?:[\w.-]+\b)?"  # a folder, or a path in one
                         r"|(?<![\w./-])[\w.-]*\w\.(?:py|md|sh|toml|ya?ml|json|ipynb|txt|cff)\b")  # a file


def _layout():
    """README's Layout block as ``{top-level entry: [paths its description names]}``.

    A line that starts in the first column names entries (comma-separated) up to a run of two
    spaces; the rest, and the indented lines after it, describe the last of them."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```\n", 1)[1].split("```", 1)[0]
    layout, last = {}, None
    for line in block.splitlines():
        if line and not line[0].isspace():
            names, _, line = re.split(r"(\s{2,}|$)", line, maxsplit=1)
            for name in names.split(", "):
                last = name.rstrip("/")
                layout[last] = []
        layout[last] += LAYOUT_PATH.findall(line)
    return layout


def test_readme_layout_is_the_tree():
    """Every top-level entry git tracks is in README's Layout, dot-files aside (tool settings:
    .gitignore, .pre-commit-config.yaml; a dot-folder such as .ci/ is listed), and every path the
    Layout names exists: an entry at the top, a path in its description inside it (or at the top)."""
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0 or not out.stdout:
        pytest.skip("not a git checkout")
    tracked = {p.split("/", 1)[0] for p in out.stdout.splitlines() if (ROOT / p).exists()}
    wanted = {n for n in tracked if not (n.startswith(".") and (ROOT / n).is_file())}
    layout = _layout()
    assert not wanted - set(layout), f"README's Layout misses {sorted(wanted - set(layout))}"
    for entry, paths in layout.items():
        assert (ROOT / entry).exists(), f"README's Layout names {entry}, which does not exist"
        for path in paths:
            assert (ROOT / entry / path).exists() or (ROOT / path).exists(), \
                f"README's Layout names {path} under {entry}/, which does not exist"


def test_layout_parser_reads_entries_and_their_paths(monkeypatch):
    assert LAYOUT_PATH.findall("make bench: run.py, RESULTS.md; local/ (make hub), z2jh/, e.g. 0.8 MB") \
        == ["run.py", "RESULTS.md", "local/", "z2jh/"]


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
    assert first_code == course.setup_block(), "the set-up cell holds the set-up block only"
    text = "\n".join(c.source for c in nb.cells)
    assert len(re.findall(r"Coding Exercise", text)) >= 2
    assert "<details>" in text and "Key takeaways" in text


def test_every_notebook_has_its_text_source_and_they_agree():
    """lessons/NN_*.py (jupytext percent format) is what authors edit and reviewers read."""
    import jupytext

    sources = sorted(p.stem for p in (ROOT / "lessons").glob("*.py"))
    assert sources == [p.stem for p in _notebooks()]
    for nb_path in _notebooks():
        nb = nbformat.read(nb_path, as_version=4)
        text = jupytext.read(ROOT / "lessons" / f"{nb_path.stem}.py", fmt="py:percent")
        assert [(c.cell_type, c.source) for c in text.cells] == [(c.cell_type, c.source) for c in nb.cells]


def test_pre_commit_runs_ruff_and_the_notebook_checks():
    import yaml

    cfg = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {h["id"]: h for repo in cfg["repos"] for h in repo["hooks"]}
    assert "ruff check" in hooks["ruff"]["entry"]
    assert hooks["notebooks-in-sync"]["entry"].endswith("-m tools.sync_notebooks --check")
    assert (ROOT / "tools" / "sync_notebooks.py").exists()


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_setup_cell_is_hidden_in_jupyterlab_and_the_imports_are_not(path):
    """JupyterLab folds the set-up cell (cell metadata; Colab folds it by its ``# @title`` line);
    the lesson's imports are the visible cell right after it, and no other cell is folded."""
    nb = nbformat.read(path, as_version=4)
    codes = [c for c in nb.cells if c.cell_type == "code"]
    setup, imports = codes[0], codes[1]
    assert setup.source.startswith(course.SETUP_TITLE)  # Colab's collapsed form
    assert setup.metadata.get("jupyter") == {"source_hidden": True}
    assert nb.cells[nb.cells.index(setup) + 1] is imports
    assert "jupyter" not in imports.metadata and "setup" in imports.metadata["tags"]
    assert re.match(r"(import|from) ", imports.source), imports.source[:60]
    assert all("jupyter" not in c.metadata for c in nb.cells if c is not setup)
    text = (ROOT / "lessons" / f"{path.stem}.py").read_text()
    assert '# %% tags=["setup"] jupyter={"source_hidden": true}\n' + course.SETUP_TITLE in text


def test_setup_cells_and_badges_in_sync():
    out = subprocess.run([sys.executable, "-m", "tools.sync_notebooks", "--check"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_colab_install_is_helpers_only():
    block = course.setup_block()
    assert '"google.colab" in sys.modules' in block
    pips = [ln for ln in block.splitlines() if "%pip" in ln]
    assert len(pips) == 1 and "workshop_utils @ git+" in pips[0] and f"@{course.REF}\"" in pips[0]
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
    # the learners' image of a class hub (deploy/z2jh) is built from environment.yml: nbgitpuller
    image = {"nbgitpuller"}
    assert image <= {_name(d) for d in proj["optional-dependencies"]["hub"]}
    assert conda == pip | image
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
    """Run the set-up block as Colab would (its %pip line recorded, not run): the constraints
    go to a fresh temporary file (tempfile, not a fixed /tmp path) named in the %pip line."""
    import importlib.metadata as md
    import types

    calls = []
    block = course.setup_block()
    pip_line = next(ln for ln in block.splitlines() if "%pip" in ln)
    indent = pip_line.split("%pip")[0]
    # IPython expands {_keep.name} in a magic line; an f-string does the same here
    code = block.replace(pip_line, indent + "calls.append(f" + repr(pip_line.strip()) + ")")
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    ns = {"calls": calls}
    exec(compile(code, "<setup>", "exec"), ns)  # noqa: S102 - our own cell
    path = Path(ns["_keep"].name)
    try:
        assert len(calls) == 1 and f"-c {path} " in calls[0]
        assert not str(path).startswith("/tmp/colab-keep")
        pins = path.read_text().split("\n")
        assert pins == [f"{p}=={md.version(p)}" for p in course.KEEP_ON_COLAB]
    finally:
        path.unlink()
    assert "/tmp/colab-keep" not in block


def _links(text: str) -> list[str]:
    hosts = r"(?:colab\.research\.google\.com/github|mybinder\.org/v2/gh)"
    return re.findall(r"\((https://" + hosts + r"/[^)]+)\)", text)


def test_badges_binder_link_and_colab_install_name_one_ref():
    """Every Colab badge, the Binder link and the Colab install name course.REF, the release
    tag of the package's version (the version lives in workshop_utils/__init__.py only)."""
    import workshop_utils

    assert course.REF == f"v{workshop_utils.__version__}"
    assert course.pip_spec().endswith(f"@{course.REF}")
    assert "dynamic" in _pyproject()["project"] and "version" not in _pyproject()["project"]
    readme = (ROOT / "README.md").read_text()
    for text, where in [(readme, "README.md")] + [(p.read_text(), p.name) for p in _notebooks()]:
        links = _links(text)
        assert links, f"{where}: no Colab or Binder link"
        for url in links:
            ref = (url.split("/blob/")[1].split("/")[0] if "/blob/" in url
                   else url.split("?")[0].rstrip("/").split("/")[-1])
            assert ref == course.REF, f"{where}: {url} opens {ref}, the install names {course.REF}"
    for p in _notebooks():
        code = next(c for c in nbformat.read(p, as_version=4).cells if c.cell_type == "code").source
        assert f'"{course.pip_spec()}"' in code, p.name
