"""Write the class pulse's catalog (``workshop_utils/pulse/catalog.json``), so it cannot drift.

    python -m tools.pulse_catalog          # rewrite the catalog
    python -m tools.pulse_catalog --check  # exit 1 where it is stale

The pulse service (``workshop_utils/pulse``) shows, for each exercise, the mistake codes the
room is stuck on *with the words the instructor already has*: the checker's message and the
slip it stands for (the generated tables of ``instructors/lessonNN.md``, whose freshness
``tools/instructor_notes.py --check`` guards), and the lesson's "What to say". The service
must run where neither ``tests/`` nor torch is importable (a hub's service, a laptop), so
those words are collected here once, into a small JSON file shipped with the package:

* every exercise checker (``workshop_utils.checks.__all__``): its lesson, its exercise
  number and title (the notebook's ``## Coding Exercise N.M`` heading above the cell that
  calls it), whether a ✅ checkpoint follows it (a core exercise);
* per checker, every mistake code of its table (``tests/mistakes/lessonNN.py``) with the
  slips that produce it and the message the checker prints for them (from the notes' table);
* per lesson, its title and the notes' "What to say" paragraph.

The set of checkers is the service's registry: a verdict for any other exercise id is refused.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tools import ROOT

OUT = ROOT / "workshop_utils" / "pulse" / "catalog.json"


def _unescape(cell: str) -> str:
    return cell.strip().replace("\\|", "|")


def _note_tables(md: str) -> dict:
    """``{checker: {slip label: message}}`` from a lesson's generated slips block."""
    out, current = {}, None
    for line in md.splitlines():
        m = re.match(r"^\*\*.*\*\* \(`(check_\w+)`\)$", line)
        if m:
            current = out.setdefault(m.group(1), {})
            continue
        if current is not None and line.startswith("| ") and not line.startswith(("| the slip", "|---")):
            cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
            if len(cells) == 2:
                current[_unescape(cells[0])] = _unescape(cells[1])
    return out


def _what_to_say(md: str) -> str:
    m = re.search(r"^## What to say\n(.*?)(?=^## |\Z)", md, re.S | re.M)
    return " ".join(m.group(1).split()) if m else ""


def _exercises(nb_path: Path) -> list[dict]:
    """The notebook's checkers in order, with the exercise heading above each call."""
    nb = json.loads(nb_path.read_text())
    heading, out, seen = None, [], set()
    cells = nb["cells"]
    for k, cell in enumerate(cells):
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            m = re.match(r"## (Coding Exercise (\d+\.\d+) · .+)", src)
            if m:
                heading = (m.group(2), m.group(1).strip())
            continue
        for checker in re.findall(r"(?<![\w.])(check_\w+)\(", src):
            if checker in seen or heading is None:
                continue
            seen.add(checker)
            after = "".join(cells[k + 1]["source"]) if k + 1 < len(cells) else ""
            out.append({"checker": checker, "id": heading[0], "title": heading[1],
                        "checkpoint": after.startswith(f"✅ Checkpoint {heading[0]} ")})
    return out


def build() -> dict:
    from tools.instructor_notes import mistake_tables
    from workshop_utils import checks

    registry = [n for n in checks.__all__ if n != "CheckResult"]
    lessons, placed = [], set()
    for nb_path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        num = nb_path.name[:2]
        nb = json.loads(nb_path.read_text())
        title = "".join(nb["cells"][0]["source"]).splitlines()[0].lstrip("# ").strip()
        md = (ROOT / "instructors" / f"lesson{num}.md").read_text()
        notes = _note_tables(md)
        tables = mistake_tables(int(num)).TABLES
        exercises = []
        for ex in _exercises(nb_path):
            name = ex["checker"]
            if name not in registry:
                raise SystemExit(f"{nb_path.name} calls {name}, not in workshop_utils.checks.__all__")
            mistakes = {}
            for label, (_answer, code) in tables.get(name, {}).get("wrong", {}).items():
                message = notes.get(name, {}).get(label, "")
                entry = mistakes.setdefault(code, {"slips": [], "message": message})
                entry["slips"].append(label)
            exercises.append(dict(ex, mistakes=dict(sorted(mistakes.items()))))
            placed.add(name)
        lessons.append({"num": num, "title": title, "notebook": nb_path.name,
                        "what_to_say": _what_to_say(md), "exercises": exercises})
    missing = sorted(set(registry) - placed)
    if missing:
        raise SystemExit(f"checkers no notebook calls under a Coding Exercise heading: {missing}")
    return {"generated_by": "tools/pulse_catalog.py", "lessons": lessons}


def render() -> str:
    return json.dumps(build(), indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    new = render()
    old = OUT.read_text() if OUT.exists() else ""
    if "--check" in argv:
        if new != old:
            print(f"{OUT.relative_to(ROOT)} is stale: run python -m tools.pulse_catalog")
            return 1
        print(f"{OUT.relative_to(ROOT)} is current")
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(new)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
