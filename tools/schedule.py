"""Write instructors/schedule.md from the schedule kept in the notebooks' metadata.

    python tools/schedule.py          # rewrite instructors/schedule.md
    python tools/schedule.py --check  # exit 1 if the file does not match the notebooks

Each notebook's metadata ``workshop.schedule`` (in the text source's header, lessons/NN_*.py)
holds ``teach`` (minutes of teaching and demos), ``exercises`` (``id`` as in "Coding
Exercise 1.1", ``minutes``, ``core``; ``id: quiz`` is lesson 10's self-check quiz) and
``three_hour`` (``minutes`` and ``plan`` for the 3-hour version). The lesson's own
"**Time:**" line states the same numbers (tests/test_workshop_kit.py checks both).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "instructors" / "schedule.md"

START = 9 * 60          # 09:00
OPENING = 10            # welcome, the room's set-up check, how the checkers and checkpoints work
BREAK, LUNCH = 15, 45
DAY_MINUTES = 360       # a 6-hour day: teaching, exercises and the two short breaks (lunch apart)
CORE_LIMIT = DAY_MINUTES - 2 * BREAK   # 330: what the day's core may take
THREE_HOUR_LIMIT = 180 - BREAK         # 165 minutes of content around one break
# the day's breaks, after these lessons; the two half-days split after lesson 05
DAY_BREAKS = {"03": ("Break", BREAK), "05": ("Lunch", LUNCH), "08": ("Break", BREAK)}
HALF_DAYS = (("01", "02", "03", "04", "05"), ("06", "07", "08", "09", "10"))
HALF_DAY_BREAKS = {"03": ("Break", BREAK), "08": ("Break", BREAK)}


class ScheduleError(ValueError):
    pass


def _headings(nb, prefix: str) -> dict[str, str]:
    out = {}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for ln in cell.source.splitlines():
            m = re.match(rf"## ({prefix} (\d+\.\d+) · .*)", ln)
            if m:
                out[m.group(2)] = m.group(1)
    return out


def lessons(root: Path = ROOT) -> list[dict]:
    """Every lesson's schedule, checked against its notebook's headings."""
    out = []
    for path in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        sched = nb.metadata.get("workshop", {}).get("schedule")
        if not sched:
            raise ScheduleError(f"{path.name}: no workshop.schedule in its metadata")
        for key in ("teach", "exercises", "three_hour"):
            if key not in sched:
                raise ScheduleError(f"{path.name}: workshop.schedule lacks {key!r}")
        titles = _headings(nb, "Coding Exercise")
        exercises = []
        for ex in sched["exercises"]:
            if ex["id"] == "quiz":
                title = "Self-check quiz"
            elif ex["id"] in titles:
                title = titles[ex["id"]]
            else:
                raise ScheduleError(f"{path.name}: the schedule names exercise {ex['id']}, "
                                    "which has no 'Coding Exercise' heading")
            if not (isinstance(ex["minutes"], int) and ex["minutes"] > 0):
                raise ScheduleError(f"{path.name}: exercise {ex['id']} needs whole minutes > 0")
            exercises.append(dict(ex, title=title))
        missing = set(titles) - {ex["id"] for ex in sched["exercises"]}
        if missing:
            raise ScheduleError(f"{path.name}: exercises {sorted(missing)} are not in the schedule")
        title = nb.cells[0].source.splitlines()[0].lstrip("# ").strip()
        core = sum(e["minutes"] for e in exercises if e["core"])
        optional = sum(e["minutes"] for e in exercises if not e["core"])
        out.append(dict(num=path.name[:2], file=path.name, title=title, teach=sched["teach"],
                        exercises=exercises, core=core, optional=optional,
                        demos=list(_headings(nb, "Interactive Demo").values()),
                        three_hour=sched["three_hour"]))
    return out


def day_core_minutes(ls: list[dict]) -> int:
    """The 6-hour day's core: the opening plus every lesson's teaching and core exercises."""
    return OPENING + sum(lesson["teach"] + lesson["core"] for lesson in ls)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _timeline(ls: list[dict], breaks: dict) -> tuple[list[str], int, int]:
    rows = ["| time | | teaching | core exercises | minutes |", "|---|---|---|---|---|"]
    t = START
    rows.append(f"| {_clock(t)} | Opening: welcome, the set-up check, how checkers and "
                f"checkpoints work | | | {OPENING} |")
    t += OPENING
    lunch = 0
    for lesson in ls:
        core = ", ".join(e["id"] for e in lesson["exercises"] if e["core"]) or "none"
        mins = lesson["teach"] + lesson["core"]
        rows.append(f"| {_clock(t)} | [{lesson['title']}](../notebooks/{lesson['file']}) | "
                    f"{lesson['teach']} | {core} ({lesson['core']}) | {mins} |")
        t += mins
        if lesson["num"] in breaks and lesson is not ls[-1]:
            name, length = breaks[lesson["num"]]
            rows.append(f"| {_clock(t)} | {name} | | | {length} |")
            t += length
            lunch += length if name == "Lunch" else 0
    rows.append(f"| {_clock(t)} | End | | | |")
    return rows, t - START, lunch


def render(ls: list[dict]) -> str:
    core = day_core_minutes(ls)
    if core > CORE_LIMIT:
        raise ScheduleError(f"the day's core takes {core} minutes, more than {CORE_LIMIT}: make "
                            "some exercises optional or shorten the teaching")
    short = OPENING + sum(lesson["three_hour"]["minutes"] for lesson in ls)
    if short > THREE_HOUR_LIMIT:
        raise ScheduleError(f"the 3-hour version takes {short} minutes, more than {THREE_HOUR_LIMIT}")
    full = OPENING + sum(lesson["teach"] + lesson["core"] + lesson["optional"] for lesson in ls)
    out = [
        "# Workshop schedule",
        "",
        "<!-- generated by tools/schedule.py from the notebooks' metadata (workshop.schedule);",
        "     edit the lessons' headers (lessons/NN_*.py), then run: python tools/schedule.py -->",
        "",
        "Minutes per lesson as each lesson states them under **Time:**. *Teaching* is the",
        "instructor presenting the sections and the Interactive Demos (learners follow along and",
        "move the sliders); *core* exercises are done in the room, *optional* ones are for fast",
        "learners or homework. Every core exercise ends at a ✅ checkpoint: wait there until most",
        "of the room has the checker's ✓.",
        "",
        f"All content, with every optional exercise, takes {full // 60} h {full % 60:02d} min; "
        f"the core takes {core // 60} h {core % 60:02d} min ({core} of the {CORE_LIMIT} minutes a "
        "6-hour day leaves after its two breaks).",
        "",
        "## Per lesson",
        "",
        "| lesson | teaching | core exercises | optional exercises | core total | with optional |",
        "|---|---|---|---|---|---|",
    ]
    for lesson in ls:
        def names(flag, lesson=lesson):
            return ", ".join(f"{e['id']} ({e['minutes']})" for e in lesson["exercises"]
                             if e["core"] is flag) or "none"
        out.append(f"| {lesson['title']} | {lesson['teach']} | {names(True)} | {names(False)} | "
                   f"{lesson['teach'] + lesson['core']} | "
                   f"{lesson['teach'] + lesson['core'] + lesson['optional']} |")
    out += ["", "Exercise numbers as in the notebooks (minutes in brackets); quiz: lesson 10's "
            "self-check quiz. Each lesson also ends with one quiz question (a minute, counted in "
            "its teaching time).", ""]
    rows, length, lunch = _timeline(ls, DAY_BREAKS)
    out += ["## One 6-hour day", "",
            f"Core only, {length - lunch} minutes with two {BREAK}-minute breaks, plus a "
            f"{LUNCH}-minute lunch. Optional exercises fill the time of learners who finish early.",
            ""] + rows + [""]
    out += ["## Two half-days", "",
            "Core only; each half-day opens with ten minutes of set-up check and recap."]
    for k, nums in enumerate(HALF_DAYS, 1):
        part = [lesson for lesson in ls if lesson["num"] in nums]
        rows, length, _ = _timeline(part, HALF_DAY_BREAKS)
        extra = sum(lesson["optional"] for lesson in part)
        out += ["", f"### Half-day {k}: lessons {nums[0]}–{nums[-1]} ({length // 60} h "
                f"{length % 60:02d} min; {extra} more minutes of optional exercises)", ""] + rows
    out += ["", "## A 3-hour version", "",
            f"{short} minutes of content around one {BREAK}-minute break. What each lesson keeps "
            "(everything else is homework; the notebooks run on their own):", "",
            "| lesson | minutes | keep |", "|---|---|---|"]
    for lesson in ls:
        out.append(f"| {lesson['title']} | {lesson['three_hour']['minutes']} | "
                   f"{lesson['three_hour']['plan']} |")
    out += ["", "## The exercises", ""]
    for lesson in ls:
        out.append(f"### {lesson['title']}")
        out.append("")
        for e in lesson["exercises"]:
            out.append(f"- {e['title']}: {e['minutes']} min, {'core' if e['core'] else 'optional'}")
        if lesson["demos"]:
            out.append(f"- Demos (in the teaching time): {'; '.join(lesson['demos'])}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv) -> int:
    text = render(lessons())
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT.relative_to(ROOT)} is out of date: run python tools/schedule.py")
            return 1
        print(f"{OUT.relative_to(ROOT)} matches the notebooks")
        return 0
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
