"""Write every notebook's Colab set-up block and badge, and README's badges, from course.py.

    python tools/sync_notebooks.py          # rewrite in place
    python tools/sync_notebooks.py --check  # exit 1 if anything is out of date

It also strips outputs and execution counts (notebooks are committed clean).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workshop_utils import course  # noqa: E402


def sync(nb) -> None:
    name = None
    code = next(c for c in nb.cells if c.cell_type == "code")
    # Remove every earlier set-up block (whatever its marker wording), then write one.
    block = re.compile(r"^# --- course set-up.*?^# --- end of course set-up ---\n?", re.S | re.M)
    body = block.sub("", code.source).lstrip("\n")
    code.source = course.setup_block() + "\n" + body
    md = next(c for c in nb.cells if c.cell_type == "markdown")
    name = nb.metadata.get("workshop", {}).get("file")
    lines = md.source.splitlines()
    lines = [ln for ln in lines if not ln.startswith(course.COLAB_BADGE_PREFIX)]
    if name:
        lines.insert(1 if lines and lines[0].startswith("#") else 0, "")
        lines.insert(2 if lines and lines[0].startswith("#") else 0, course.colab_badge(name))
        # collapse doubled blank lines made by the insertion
        out = []
        for ln in lines:
            if ln == "" and out and out[-1] == "":
                continue
            out.append(ln)
        lines = out
    md.source = "\n".join(lines)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)


def sync_readme(text: str) -> str:
    """README's Binder and Colab badges (lesson 01) at the course's ref."""
    out = []
    for ln in text.splitlines(keepends=True):
        end = "\n" if ln.endswith("\n") else ""
        if ln.startswith("[![Binder]"):
            ln = course.binder_badge() + end
        elif ln.startswith(course.COLAB_BADGE_PREFIX):
            ln = course.colab_badge(course.NOTEBOOKS[0][0]) + end
        out.append(ln)
    return "".join(out)


def main(argv) -> int:
    check = "--check" in argv
    stale = []
    readme = ROOT / "README.md"
    text = readme.read_text()
    if sync_readme(text) != text:
        stale.append("README.md")
        if not check:
            readme.write_text(sync_readme(text))
    for nb_path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        nb.metadata.setdefault("workshop", {})["file"] = nb_path.name
        before = nbformat.writes(nb)
        sync(nb)
        after = nbformat.writes(nb)
        if before != after:
            stale.append(nb_path.name)
            if not check:
                nbformat.write(nb, nb_path)
    if check and stale:
        print("out of date (run: make sync):", ", ".join(stale))
        return 1
    print(("checked " if check else "synced ") + "notebooks; changed: " + (", ".join(stale) or "none"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
