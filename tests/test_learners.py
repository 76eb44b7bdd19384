"""The workshop kit's documents: the glossary holds every bold term of the lessons, the set-up
page and the setup check name the same commands, links resolve, and the generated parts of the
instructor notes match what generates them (tools/instructor_notes.py)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools import ROOT, instructor_notes
from workshop_utils import check

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
GLOSSARY = ROOT / "learners" / "reference.md"
BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)

# Bold text in the lessons that is emphasis or the name of a control, not a term. Anything
# else that is bold must be in learners/reference.md. Spans that end with ":", "." or "?" (labels
# such as **Time:**, run-in headings), spans of more than five words (sentences) and the
# lesson's question (the "> **…**" line under its title) are not terms either.
NOT_TERMS = {
    "first": "emphasis (channels first)", "last": "emphasis (channels last)",
    "and": "emphasis", "without": "emphasis", "multiplies": "emphasis", "straight": "emphasis",
    "balanced": "emphasis (balanced ink)", "lopsided": "emphasis (lopsided ink)",
    "200 held-out digits": "emphasis (held-out data is in the glossary)",
    "the bias shifts the result": "emphasis", "one row per output neuron": "emphasis",
    "one pixel": "emphasis", "steps": "a slider", "train": "a button", "image": "a dropdown",
    "digit": "a dropdown", "example": "a dropdown", "output cell": "a slider", "patch i": "a slider",
    "patch p": "a slider", "preset": "a dropdown",
    "images → tensors": "a takeaway heading", "softmax + loss": "a takeaway heading",
    "back-propagation + gradient descent": "a takeaway heading",
    "focal loss and class weights": "a takeaway heading", "you will learn to": "a label",
    "a gallery of its mistakes": "a run-in heading",
}


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def _markdown(nb_path: Path) -> list[str]:
    nb = json.loads(nb_path.read_text())
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            out.append(re.sub(r"```.*?```", "", "".join(cell["source"]), flags=re.S))
    return out


def bold_terms(nb_path: Path) -> set[str]:
    """The bold spans of a lesson's markdown that are terms (see NOT_TERMS)."""
    terms = set()
    for text in _markdown(nb_path):
        text = "\n".join(line for line in text.splitlines() if not line.startswith(">"))
        for m in BOLD.finditer(text):
            span = _norm(m.group(1))
            if span.endswith((":", ".", "?")) or len(span.split()) > 5 or span in NOT_TERMS:
                continue
            terms.add(span)
    return terms


def glossary_terms() -> set[str]:
    return {_norm(m.group(1)) for m in BOLD.finditer(GLOSSARY.read_text())}


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_every_bold_term_of_the_lesson_is_in_the_glossary(nb):
    missing = sorted(bold_terms(nb) - glossary_terms())
    assert not missing, (
        f"{nb.name}: bold terms missing from learners/reference.md: {missing}. Add each to the "
        "glossary (or as another name, in bold, of an entry); if one is emphasis or a control's "
        "name rather than a term, add it to NOT_TERMS in tests/test_learners.py")


def test_the_glossary_test_can_fail(tmp_path):
    text = "A **flux capacitor** and **Time:** and a **ReLU**."
    nb = {"cells": [{"cell_type": "markdown", "source": [text]}]}
    path = tmp_path / "99_x.ipynb"
    path.write_text(json.dumps(nb))
    assert bold_terms(path) == {"flux capacitor", "relu"}
    assert bold_terms(path) - glossary_terms() == {"flux capacitor"}


def test_not_terms_are_still_in_the_lessons():
    """The exception list stays honest: each entry is bold somewhere in a lesson."""
    spans = {_norm(m.group(1)) for nb in NOTEBOOKS for t in _markdown(nb) for m in BOLD.finditer(t)}
    stale = sorted(set(NOT_TERMS) - spans)
    assert not stale, f"NOT_TERMS lists spans no lesson has in bold any more: {stale}"


def test_glossary_is_alphabetical():
    heads = [_norm(m.group(1)) for m in re.finditer(r"^- \*\*(.+?)\*\*", GLOSSARY.read_text(), re.M)]
    assert len(heads) > 40
    assert heads == sorted(heads), "keep learners/reference.md in alphabetical order"


# ----------------------------------------------------------------------------- set-up
def test_setup_page_names_the_commands_the_check_and_the_installer_use():
    setup = (ROOT / "learners" / "setup.md").read_text()
    installer = (ROOT / "tools" / "install_torch.sh").read_text()
    assert f'CPU_INDEX="{check.CPU_INDEX}"' in installer  # one CPU index for every path
    assert setup.count(f"--index-url {check.CPU_INDEX}") >= 3  # Linux, macOS, Windows
    assert "python -m workshop_utils.check" in setup and "READY" in setup
    assert r".venv\Scripts\python -m pip install" in setup  # Windows without make
    for extra in check.LEARNER_EXTRAS:
        assert f'".[{extra}]"' in setup
    assert "--no-index --find-links wheelhouse" in setup
    windows = re.search(r"### Windows\n(.*?)\n### ", setup, re.S).group(1)
    assert "make" not in windows.replace("No `make` is needed", "")


def test_lean_extra_is_a_subset_without_test_tools():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    lean = " ".join(r for e in check.LEARNER_EXTRAS for r in extras[e])
    for tool in ("pytest", "nbval", "playwright", "hypothesis", "ruff"):
        assert tool not in lean


# ------------------------------------------------------------------------------ links
DOCS = (sorted((ROOT / "learners").glob("*.md")) + sorted((ROOT / "instructors").glob("*.md"))
        + [ROOT / "CODE_OF_CONDUCT.md", ROOT / "README.md", ROOT / "CONTRIBUTING.md",
           ROOT / "deploy" / "README.md"])


def _anchors(path) -> set:
    """The #anchors GitHub gives a Markdown file's headings."""
    heads = re.findall(r"^#+ (.*)$", path.read_text(), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in heads}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc):
    for target, anchor in re.findall(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)", doc.read_text()):
        if re.match(r"[a-z]+:", target):
            continue
        path = (doc.parent / target).resolve() if target else doc
        assert path.exists(), f"{doc.name}: link to {target} does not resolve"
        if anchor and path.suffix == ".md":
            assert anchor in _anchors(path), f"{doc.name}: {target}#{anchor}: no such heading"


# ---------------------------------------------------------------------- instructor notes
@pytest.mark.slow  # runs every checker on every mistake of its table (about 20 s)
@pytest.mark.skipif(os.environ.get("COURSE_OLDEST_ENV") == "1",
                    reason="the notes are generated in the current environment; versions do not matter")
def test_instructor_notes_match_the_tables_and_the_benchmarks():
    proc = subprocess.run([sys.executable, "-m", "tools.instructor_notes", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_instructor_notes_have_their_generated_blocks():
    lessons = [p for p, n in instructor_notes.files() if n is not None]
    assert len(lessons) == len(NOTEBOOKS)
    for path, n in instructor_notes.files():
        blocks = instructor_notes.BLOCK.findall(path.read_text())
        # time, totals, breaks, setup_check: the schedule's minutes (tests/test_workshop_kit.py)
        other = {"notes.md": ["totals", "timings", "breaks"], "checklist.md": ["workshop", "setup_check"]}
        assert [b[1] for b in blocks] == (["time", "slips"] if n else other[path.name]), path.name
        assert all(b[2].strip() for b in blocks), f"{path.name}: an empty generated block"


def test_a_stale_slips_block_is_found():
    page = (ROOT / "instructors" / "lesson06.md").read_text()
    stale = page.replace("<!-- end generated -->", "| an old slip | an old message |\n<!-- end generated -->")
    assert stale != page
    assert instructor_notes.render(stale, 6) == page
