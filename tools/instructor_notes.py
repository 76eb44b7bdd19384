"""Write the generated parts of the instructor notes, so that they cannot drift.

    python -m tools.instructor_notes          # rewrite the generated blocks in instructors/
    python -m tools.instructor_notes --check  # exit 1 (naming the file) where a block is stale

Kinds of block, each between ``<!-- begin generated: NAME -->`` and
``<!-- end generated -->`` markers; the text around them is written by hand:

* ``timings`` (instructors/notes.md): per-notebook run times and memory, and the training
  times, read from benchmarks/results.json (``make bench``) and the shipped weights' manifest.
* ``time`` (instructors/lessonNN.md), ``totals`` and ``breaks`` (notes.md), ``setup_check``
  (checklist.md): the minutes of the lesson, the day's totals, where the breaks are and the
  opening's set-up check, from the notebooks' ``workshop.schedule`` via tools/schedule.py (the
  one source of every minute figure; tests/test_workshop_kit.py checks that the rest agrees).
* ``slips`` (instructors/lessonNN.md): every typical mistake of the lesson's checkers' tables
  (tests/mistakes/lessonNN.py), run through its checker: the mistake, and the message the
  learner sees. The tables are what tests/test_checkers.py tests, so the notes show exactly
  what a checker says in the room.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import sys
from contextlib import redirect_stdout
from pathlib import Path

from tools import ROOT

INSTRUCTORS = ROOT / "instructors"
NOTEBOOKS = ROOT / "notebooks"
RESULTS = ROOT / "benchmarks" / "results.json"
BLOCK = re.compile(r"(<!-- begin generated: (\w+) -->\n)(.*?)(<!-- end generated -->)", re.S)


def _cell(text) -> str:
    """Text for one markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


# --------------------------------------------------------------------------- timings
def timings(results_path: Path = RESULTS) -> str:
    res = json.loads(results_path.read_text())
    m = res["machine"]
    later, first = res["notebooks"], res["notebooks_first_run"]
    lines = [
        f"Measured by `make bench` (`benchmarks/results.json`, report in `benchmarks/RESULTS.md`) on "
        f"{m['cpus']} CPUs, Python {m['python']}, load average {m['loadavg_start'][0]:.1f} at the start: "
        "each notebook run top to bottom in a fresh kernel, headless. The first run starts from an empty "
        "cache (MNIST-5k parsed, lesson 05's two models trained); later runs load them.",
        "",
        "| notebook | first run (s) | later runs (s) | kernel peak memory (MB) | in the browser (s) |",
        "|---|---|---|---|---|",
    ]
    browser = res.get("browser", {}).get("notebooks", {})
    for name in sorted(later):
        t = browser.get(name, {}).get("timings_s", {})
        shown = f"{t['open_s']:.0f} + {t['run_all_s']:.0f}" if t else "–"
        lines.append(f"| {name} | {first[name]['seconds']:.1f} | {later[name]['seconds']:.1f} | "
                     f"{max(first[name]['peak_rss_mb'], later[name]['peak_rss_mb']):.0f} | {shown} |")
    tot_first = sum(v["seconds"] for v in first.values())
    tot_later = sum(v["seconds"] for v in later.values())
    lines.append(f"| **all ten** | **{tot_first:.0f}** | **{tot_later:.0f}** | | |")
    if browser:
        lines += ["", "In the browser: the browser tests' timings (`results.json` → `browser`; JupyterLab "
                  "started by `make lab`, headless Chromium, a later run): seconds to open the notebook + "
                  "seconds from *Run All* until the kernel is idle again."]
    models = res.get("models", {})
    parts = []
    for key, label in (("cnn", "the CNN"), ("vit", "the ViT")):
        if key in models:
            r = models[key]
            parts.append(f"{label} {r['seconds_mean']:.1f} ± {r['seconds_sd']:.1f} s "
                         f"({r['recipe']['epochs']} epochs, {len(r['seconds'])} seeds)")
    if parts:
        lines += ["", f"Training alone (`results.json` → `models`, one torch thread): {' and '.join(parts)}."]
    manifest = json.loads((ROOT / "workshop_utils" / "weights" / "MANIFEST.json").read_text())
    units = manifest["units"]
    made = manifest["made_on"]
    shipped = ", ".join(f"{v.get('what', k)} {v['seconds']:.0f} s"
                        for k, v in sorted(units.items(), key=lambda kv: kv[1].get("what", kv[0])))
    lines += ["", f"When the shipped weights were made (`workshop_utils/weights/MANIFEST.json`, "
              f"{made['cpus']} CPUs, {made['threads']} thread, torch {made['torch']}): {shipped}."]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- slips
def _exercise_titles(notebook: str) -> dict:
    """``{checker: "Coding Exercise N.M · title"}`` from the notebook's headings and solutions."""
    nb = json.loads((NOTEBOOKS / notebook).read_text())
    titles, current = {}, None
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        src = "".join(cell["source"])
        m = re.search(r"^## (Coding Exercise [^\n]+)", src, re.M)
        if m:
            current = m.group(1).strip()
        for checker in re.findall(r"#\s*checker:\s*(\w+)", src):
            titles.setdefault(checker, current)
    return titles


def _general(result) -> str:
    """The checker's message as a learner sees it, with the two parts that belong to one
    answer (the learner's own line of code, Python's or numpy's error text, which changes
    between numpy versions) said in words."""
    msg = result.message
    line = result.details.get("line")
    if line:
        msg = msg.replace(f" in `{line}`", " in the learner's line")
    error = result.details.get("error", "")
    raw = error.split(": ", 1)[1] if ": " in error else ""
    if raw:
        msg = msg.replace(f" ({raw})", " (numpy's error message)").replace(raw, "(Python's error message)")
    return msg


def mistake_tables(n: int):
    """Lesson ``n``'s exercise tables, ``tests/mistakes/lessonNN.py`` (what tests/test_checkers.py
    runs): test data, loaded by its path."""
    path = ROOT / "tests" / "mistakes" / f"lesson{int(n):02d}.py"
    spec = importlib.util.spec_from_file_location(f"_mistakes_lesson{int(n):02d}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def slips(n: int) -> str:
    """The lesson's mistake tables run through their checkers, as markdown."""
    import numpy as np

    from workshop_utils import checks

    mod = mistake_tables(n)
    titles = _exercise_titles(mod.NOTEBOOK)
    lines = []
    for checker, table in mod.TABLES.items():
        title = titles.get(checker) or checker
        lines += [f"**{title}** (`{checker}`)", "", "| the slip | what the checker says |", "|---|---|"]
        for label, (answer, _code) in table.get("wrong", {}).items():
            out = io.StringIO()
            with redirect_stdout(out), np.errstate(all="ignore"):
                result = getattr(checks, checker)(answer, quiet=True)
            lines.append(f"| {_cell(label)} | {_cell(_general(result))} |")
        lines.append("")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ files
def render(text: str, lesson: int | None) -> str:
    from tools import schedule

    ls = schedule.lessons(ROOT)
    by_num = {x["num"]: x for x in ls}

    def fill(m):
        name = m.group(2)
        if name == "timings":
            body = timings()
        elif name == "slips" and lesson is not None:
            body = slips(lesson)
        elif name == "time" and lesson is not None:
            body = schedule.lesson_time_block(by_num[f"{lesson:02d}"])
        elif name == "totals":
            body = schedule.totals_block(ls)
        elif name == "breaks":
            body = schedule.breaks_block()
        elif name == "setup_check":
            body = schedule.checklist_block()
        elif name == "workshop":
            from tools import workshop

            body = workshop.checklist_status(ROOT)
        else:
            raise ValueError(f"unknown generated block {name!r}")
        return m.group(1) + body + m.group(4)

    return BLOCK.sub(fill, text)


def files() -> list[tuple[Path, int | None]]:
    out = [(INSTRUCTORS / "notes.md", None), (INSTRUCTORS / "checklist.md", None)]
    out += [(p, int(p.stem[-2:])) for p in sorted(INSTRUCTORS.glob("lesson[0-9][0-9].md"))]
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    stale = []
    for path, lesson in files():
        old = path.read_text()
        new = render(old, lesson)
        if new != old:
            stale.append(path)
            if not check:
                path.write_text(new)
    if check and stale:
        print("stale generated blocks in " + ", ".join(str(p.relative_to(ROOT)) for p in stale)
              + ": run python -m tools.instructor_notes")
        return 1
    print(("checked " if check else "wrote ") + f"{len(files())} files" + ("" if check else
          f" ({len(stale)} changed)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
