"""Write instructors/schedule.md from the schedule kept in the notebooks' metadata.

    python -m tools.schedule          # rewrite instructors/schedule.md
    python -m tools.schedule --check  # exit 1 if the file does not match the notebooks

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

from tools import ROOT

OUT = ROOT / "instructors" / "schedule.md"

# The day's shape. The minutes of each lesson come from its notebook; these are the rest.
OPENING_PARTS = (("welcome, the code of conduct and its contact, how checkers and checkpoints work", 5),
                 ("the set-up check (`python -m workshop_utils.check`; helpers go to everyone "
                  "without READY)", 10))
OPENING = sum(minutes for _, minutes in OPENING_PARTS)   # 15
SETUP_CHECK = OPENING_PARTS[1][1]                          # instructors/checklist.md says the same
BREAK, LUNCH = 15, 45
DAY_MINUTES = 360       # a 6-hour day: teaching, exercises and the two short breaks (lunch apart)
SLACK = 30              # minutes of the day left free: questions, stragglers, a slow network
CORE_LIMIT = DAY_MINUTES - 2 * BREAK - SLACK   # 300: what the day's core may take
THREE_HOUR_LIMIT = 180 - BREAK                 # 165 minutes of content around one break
# the day's breaks, after these lessons; the two half-days split after lesson 05
DAY_BREAKS = {"03": ("Break", BREAK), "05": ("Lunch", LUNCH), "08": ("Break", BREAK)}
HALF_DAYS = (("01", "02", "03", "04", "05"), ("06", "07", "08", "09", "10"))
HALF_DAY_BREAKS = {"03": ("Break", BREAK), "08": ("Break", BREAK)}
THREE_HOUR_BREAKS = {"04": ("Break", BREAK)}


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
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _hm(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _blocks(ls: list[dict], kind: str) -> list[list[tuple]]:
    """The timetable(s) of one schedule kind, as lists of ``(label, minutes, lesson or None)``."""
    if kind == "day":
        parts, breaks = [ls], DAY_BREAKS
    elif kind == "half-days":
        parts = [[lesson for lesson in ls if lesson["num"] in nums] for nums in HALF_DAYS]
        breaks = HALF_DAY_BREAKS
    elif kind == "three-hour":
        parts, breaks = [[lesson for lesson in ls if lesson["three_hour"]["minutes"]]], THREE_HOUR_BREAKS
    else:
        raise ScheduleError(f"unknown schedule {kind!r}")
    out = []
    for k, part in enumerate(parts):
        opening = "Opening" if k == 0 else "Opening: recap of the first half-day,"
        rows = [(f"{opening}: " + "; ".join(f"{what} ({m})" for what, m in OPENING_PARTS)
                 if k == 0 else f"{opening} " + OPENING_PARTS[1][0], OPENING, None)]
        for lesson in part:
            short = kind == "three-hour"
            mins = lesson["three_hour"]["minutes"] if short else lesson["teach"] + lesson["core"]
            rows.append((lesson["title"], mins, lesson))
            if lesson["num"] in breaks and lesson is not part[-1]:
                rows.append((*breaks[lesson["num"]], None))
        if kind == "day":
            rows.append(("Slack: questions, stragglers, optional exercises", SLACK, None))
        out.append(rows)
    return out


def timetables(ls: list[dict], start: int) -> dict[str, list[list[tuple[str, str]]]]:
    """``{kind: [[(clock, label), …, (clock, "End")], …]}`` for each schedule kind, labelled
    for learners (the invitation)."""
    out = {}
    for kind in ("day", "half-days", "three-hour"):
        out[kind] = []
        for rows in _blocks(ls, kind):
            t, clock = start, []
            for label, mins, lesson in rows:
                if lesson is None and label.startswith("Opening"):
                    label = "Recap and set-up check" if "recap" in label else "Welcome and set-up check"
                elif lesson is None and label.startswith("Slack"):
                    label = "Questions, catching up, optional exercises"
                clock.append((_clock(t), label))
                t += mins
            clock.append((_clock(t), "End"))
            out[kind].append(clock)
    return out


def _table(rows: list[tuple], start: int, three_hour: bool = False) -> list[str]:
    if three_hour:
        out = ["| time | | minutes | keep |", "|---|---|---|---|"]
    else:
        out = ["| time | | teaching | core exercises | minutes |", "|---|---|---|---|---|"]
    t = start
    for label, mins, lesson in rows:
        if lesson is None:
            out.append(f"| {_clock(t)} | {label} | {mins} | |" if three_hour
                       else f"| {_clock(t)} | {label} | | | {mins} |")
        elif three_hour:
            out.append(f"| {_clock(t)} | [{label}](../notebooks/{lesson['file']}) | {mins} | "
                       f"{lesson['three_hour']['plan']} |")
        else:
            core = ", ".join(e["id"] for e in lesson["exercises"] if e["core"]) or "none"
            out.append(f"| {_clock(t)} | [{label}](../notebooks/{lesson['file']}) | {lesson['teach']} | "
                       f"{core} ({lesson['core']}) | {mins} |")
        t += mins
    out.append(f"| {_clock(t)} | End | | |" + ("" if three_hour else " |"))
    return out


def lesson_minutes(lesson: dict) -> dict:
    """The figures a lesson's page and its **Time:** line state."""
    return dict(total=lesson["teach"] + lesson["core"] + lesson["optional"], teach=lesson["teach"],
                core=lesson["core"], optional=lesson["optional"], day=lesson["teach"] + lesson["core"],
                three_hour=lesson["three_hour"]["minutes"])


def time_line(lesson: dict) -> str:
    m = lesson_minutes(lesson)
    return (f"**Time:** about {m['total']} minutes: {m['teach']} teaching and demos, {m['core']} core "
            f"exercises, {m['optional']} optional.")


def lesson_time_block(lesson: dict) -> str:
    """The generated ``time`` block of instructors/lessonNN.md."""
    m = lesson_minutes(lesson)

    def ids(flag):
        return ", ".join(e["id"] for e in lesson["exercises"] if e["core"] is flag) or "none"

    after = DAY_BREAKS.get(lesson["num"])
    where = (f" It is followed by the day's {after[0].lower()} ({after[1]} min)." if after
             else " No break follows it in the day's schedule.")
    three = (f"{m['three_hour']} minutes in the 3-hour version ({lesson['three_hour']['plan']})"
             if m["three_hour"] else f"skipped in the 3-hour version ({lesson['three_hour']['plan']})")
    return (f"**Time** ([schedule.md](schedule.md), from the notebook's `workshop.schedule`): "
            f"{m['day']} minutes in the 6-hour day: {m['teach']} teaching and demos, core exercises "
            f"{ids(True)} ({m['core']}); {m['total']} with the optional ones ({ids(False)}, "
            f"{m['optional']}); {three}.{where}\n")


def totals_block(ls: list[dict]) -> str:
    """The generated ``totals`` block of instructors/notes.md."""
    full = OPENING + sum(lesson_minutes(x)["total"] for x in ls)
    content = sum(lesson_minutes(x)["total"] for x in ls)
    core = day_core_minutes(ls)
    n_ex = sum(len([e for e in x["exercises"] if e["id"] != "quiz"]) for x in ls)
    n_core = sum(len([e for e in x["exercises"] if e["core"] and e["id"] != "quiz"]) for x in ls)
    demos = sum(len(x["demos"]) for x in ls)
    return (f"There are {n_ex} exercises ({n_core} core) and {demos} demos. The lessons' own time "
            f"estimates (their **Time:** lines) add up to {_hm(content)} of content with every optional "
            f"exercise ({_hm(full)} with the {OPENING}-minute opening), so a 6-hour day has to choose: "
            f"its core takes {_hm(core)}, which leaves {DAY_MINUTES - 2 * BREAK - core} minutes of slack "
            f"besides the two {BREAK}-minute breaks and lunch.\n")


def breaks_block() -> str:
    """The generated ``breaks`` block of instructors/notes.md."""
    parts = [f"{name.lower()} ({length} min) after {num}" for num, (name, length) in DAY_BREAKS.items()]
    return (f"The 6-hour day's breaks ([schedule.md](schedule.md)): {', '.join(parts)}; the two "
            f"half-days split after {HALF_DAYS[0][-1]}.\n")


def checklist_block() -> str:
    """The generated ``setup-check`` block of instructors/checklist.md."""
    return (f"- [ ] The opening's {SETUP_CHECK} minutes of set-up check ([schedule.md](schedule.md)): "
            "everyone runs `python -m workshop_utils.check`; helpers go to everyone without `READY`. "
            "Anyone still stuck after that moves to Colab or Binder for the day (learners/setup.md) "
            "and fixes the laptop at a break.\n")


def render(ls: list[dict], start: int = 9 * 60) -> str:
    core = day_core_minutes(ls)
    if core > CORE_LIMIT:
        raise ScheduleError(f"the day's core takes {core} minutes, more than {CORE_LIMIT} (a 6-hour day "
                            f"less two breaks and {SLACK} minutes of slack): make some exercises "
                            "optional or shorten the teaching")
    short = OPENING + sum(lesson["three_hour"]["minutes"] for lesson in ls)
    if short > THREE_HOUR_LIMIT:
        raise ScheduleError(f"the 3-hour version takes {short} minutes, more than {THREE_HOUR_LIMIT}")
    full = OPENING + sum(lesson_minutes(lesson)["total"] for lesson in ls)
    out = [
        "# Workshop schedule",
        "",
        "<!-- generated by tools/schedule.py from the notebooks' metadata (workshop.schedule) and",
        "     the start time in workshop.toml; edit those, then run: python -m tools.schedule -->",
        "",
        "Minutes per lesson as each lesson states them under **Time:**. *Teaching* is the",
        "instructor presenting the sections and the Interactive Demos (learners follow along and",
        "move the sliders); *core* exercises are done in the room, *optional* ones are for fast",
        "learners or homework. Every core exercise ends at a ✅ checkpoint: wait there until most",
        "of the room has the checker's ✓.",
        "",
        f"All content, with every optional exercise, takes {_hm(full)} (the {OPENING}-minute opening "
        f"included); the core takes {_hm(core)}: {core} of the {DAY_MINUTES - 2 * BREAK} minutes a "
        f"6-hour day leaves after its two breaks, so {DAY_MINUTES - 2 * BREAK - core} minutes of slack "
        f"remain (at least {SLACK} by design). Clock times start at {_clock(start)} (`start` in "
        "`workshop.toml`).",
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
    out.append(f"| **all ten** (opening, {OPENING} min, apart) | {sum(x['teach'] for x in ls)} | "
               f"{sum(x['core'] for x in ls)} | {sum(x['optional'] for x in ls)} | "
               f"{sum(x['teach'] + x['core'] for x in ls)} | "
               f"{sum(lesson_minutes(x)['total'] for x in ls)} |")
    out += ["", "Exercise numbers as in the notebooks (minutes in brackets); quiz: lesson 10's "
            "self-check quiz. Each lesson also ends with one quiz question (a minute, counted in "
            "its teaching time).", ""]
    (day,) = _blocks(ls, "day")
    lunch = sum(m for label, m, _ in day if label == "Lunch")
    out += ["## One 6-hour day", "",
            f"Core only: {core} minutes, two {BREAK}-minute breaks and {SLACK} minutes of slack "
            f"({DAY_MINUTES} minutes), plus a {LUNCH}-minute lunch. Optional exercises fill the time "
            "of learners who finish early; the slack at the end is there to be spent during the day "
            "(a slow set-up, questions, lesson 05's training) — move the end earlier if it was not.",
            ""] + _table(day, start) + [""]
    assert sum(m for _, m, _ in day) - lunch == DAY_MINUTES
    out += ["## Two half-days", "",
            f"Core only; each half-day opens with {OPENING} minutes of welcome (recap on the second) "
            "and set-up check."]
    for k, (nums, rows) in enumerate(zip(HALF_DAYS, _blocks(ls, "half-days")), 1):
        length = sum(m for _, m, _ in rows)
        extra = sum(lesson["optional"] for lesson in ls if lesson["num"] in nums)
        out += ["", f"### Half-day {k}: lessons {nums[0]}–{nums[-1]} ({_hm(length)}; {extra} more "
                "minutes of optional exercises)", ""] + _table(rows, start)
    (three,) = _blocks(ls, "three-hour")
    out += ["", "## A 3-hour version", "",
            f"{short} minutes of content (the {OPENING}-minute opening and {short - OPENING} minutes of "
            f"lessons) around one {BREAK}-minute break: {short + BREAK} minutes in all. What each "
            "lesson keeps (everything else is homework; the notebooks run on their own):", ""]
    out += _table(three, start, three_hour=True)
    skipped = [lesson["title"] for lesson in ls if not lesson["three_hour"]["minutes"]]
    out += ["", "Skipped: " + "; ".join(f"{t} ({lesson['three_hour']['plan']})" for t, lesson in
                                         zip(skipped, [x for x in ls if not x["three_hour"]["minutes"]]))
            + "."]
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
    from tools import workshop

    text = render(lessons(), workshop.start_minutes(ROOT))
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT.relative_to(ROOT)} is out of date: run python -m tools.schedule")
            return 1
        print(f"{OUT.relative_to(ROOT)} matches the notebooks")
        return 0
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
