"""The workshop kit in the lessons: schedule metadata, role tags, checkpoints, quiz questions."""

from __future__ import annotations

import ast
import math
import os
import re
import shutil

import nbformat
import numpy as np
import pytest

from tools import ROOT, schedule, sync_notebooks, workshop
from workshop_utils import course  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ROLES = {"setup", "demo", "exercise", "solution", "check"}


def _nb(path):
    return nbformat.read(path, as_version=4)


# --------------------------------------------------------------------------- schedule
def test_schedule_file_matches_the_notebooks():
    text = schedule.render(schedule.lessons(), workshop.start_minutes())
    assert (ROOT / "instructors" / "schedule.md").read_text() == text, \
        "instructors/schedule.md is out of date: run python -m tools.schedule"


def test_the_day_core_leaves_slack_in_six_hours_and_the_short_version_fits_in_three():
    ls = schedule.lessons()
    assert len(ls) == len(NOTEBOOKS) == 10
    core = schedule.day_core_minutes(ls)
    # 360 minutes less two 15-minute breaks, and at least 30 minutes of slack beyond them
    assert core <= 360 - 2 * 15 - 30, core
    assert schedule.OPENING + sum(lesson["three_hour"]["minutes"] for lesson in ls) <= 180 - 15
    # lesson 05: five pair demos and two training runs need 45-50 teaching minutes
    assert next(x for x in ls if x["num"] == "05")["teach"] >= 45
    # the opening holds the set-up check the checklist gives it
    assert schedule.SETUP_CHECK < schedule.OPENING


def _section(text: str, heading: str) -> str:
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


def test_every_table_of_the_schedule_adds_up_to_what_its_heading_says():
    text = (ROOT / "instructors" / "schedule.md").read_text()
    ls = schedule.lessons()

    def rows(section):
        return [ln.split("|")[1:-1] for ln in section.splitlines()
                if re.match(r"\| \d\d:\d\d \|", ln)]

    def clock(s):
        h, m = s.strip().split(":")
        return int(h) * 60 + int(m)

    def check_timeline(section, minutes_col):
        r = rows(section)
        assert r[-1][1].strip() == "End"
        for a, b in zip(r, r[1:]):  # each row starts when the one above ends
            assert clock(b[0]) - clock(a[0]) == int(a[minutes_col]), (a, b)
        labels = [(cols[1].strip(), int(cols[minutes_col])) for cols in r[:-1]]
        return labels, clock(r[-1][0]) - clock(r[0][0])

    day, length = check_timeline(_section(text, "## One 6-hour day"), 4)
    head = re.search(r"Core only: (\d+) minutes, two (\d+)-minute breaks and (\d+) minutes of slack "
                     r"\((\d+) minutes\), plus a (\d+)-minute lunch", text)
    core, brk, slack, total, lunch = map(int, head.groups())
    assert core == schedule.day_core_minutes(ls) and total == 360 and slack >= 30
    assert length == total + lunch == core + 2 * brk + slack + lunch
    assert sum(m for label, m in day if label.startswith(("[", "Opening"))) == core
    three, length3 = check_timeline(_section(text, "## A 3-hour version"), 2)
    head3 = re.search(r"(\d+) minutes of content \(the (\d+)-minute opening and (\d+) minutes of "
                      r"lessons\) around one (\d+)-minute break: (\d+) minutes in all", text)
    content, opening, lessons_min, brk3, all3 = map(int, head3.groups())
    assert sum(m for label, m in three if label != "Break") == content == opening + lessons_min
    assert length3 == all3 == content + brk3 <= 180
    for part in text.split("### Half-day ")[1:]:
        m = re.match(r"\d: lessons \S+ \((\d+) h (\d+) min", part)
        _, length_h = check_timeline(part.split("\n## ", 1)[0], 4)
        assert length_h == int(m.group(1)) * 60 + int(m.group(2))
    # the per-lesson table's total row adds up its rows
    table = [ln.split("|")[1:-1] for ln in _section(text, "## Per lesson").splitlines()
             if ln.startswith("| ") and not ln.startswith("| lesson")]
    *body, total_row = table
    for col in (1, 4, 5):
        assert sum(int(r[col]) for r in body) == int(total_row[col]), col


# --------------------------------------------------------------------------- every minute figure
GENERATED = re.compile(r"<!-- begin generated: (\w+) -->\n.*?<!-- end generated -->", re.S)
MINUTES = re.compile(r"\b(?:\d+(?:\s*[–-]\s*\d+)?|one|two|three|four|five|ten|fifteen|twenty|thirty|"
                     r"forty|forty-five|fifty|sixty)\s*(?:-|\s)?(?:min\b|minutes?\b)|\b\d+\s*h\s*\d+\s*min",
                     re.I)
# Durations that are not the schedule's (each with why); every other minute figure in the
# instructor notes and the notebooks' text must come from tools/schedule.py's generated blocks
# or be a notebook's **Time:** line (checked above).
NOT_THE_SCHEDULE = {
    ("checklist.md", "after about 10 minutes without activity"): "Binder's culling, not a lesson",
    ("notes.md", "pairs 3–5 minutes"): "one demo, inside a lesson's teaching minutes",
    ("lesson05.md", "plans about 20 minutes of pair"): "how lesson 05's teaching minutes are spent",
    ("lesson05.md", "4–5 minutes each"): "how lesson 05's teaching minutes are spent",
    ("lesson05.md", "2–3 minutes\n  each"): "how lesson 05's teaching minutes are spent",
}


def _minute_claims():
    """``(file, sentence)`` for every minute figure outside the generated blocks."""
    out = []
    for path in sorted((ROOT / "instructors").glob("*.md")):
        if path.name == "schedule.md":
            continue
        text = GENERATED.sub("", path.read_text())
        out += [(path.name, text, m) for m in MINUTES.finditer(text)]
    for path in NOTEBOOKS:
        for cell in _nb(path).cells:
            if cell.cell_type == "markdown":
                text = TIME.sub("", cell.source)
                out += [(path.name, text, m) for m in MINUTES.finditer(text)]
    return out


def test_every_minute_figure_comes_from_the_schedule():
    stray = []
    for name, text, m in _minute_claims():
        around = text[max(0, m.start() - 40): m.end() + 40]
        if not any(name == f and phrase.replace("\\n", "\n") in around for f, phrase in NOT_THE_SCHEDULE):
            stray.append(f"{name}: …{around}…")
    assert not stray, "minute figures that do not come from tools/schedule.py:\n" + "\n".join(stray)


def test_the_generated_minutes_in_the_notes_are_up_to_date():
    from tools import instructor_notes

    by_num = {x["num"]: x for x in schedule.lessons()}
    expected = {"totals": schedule.totals_block(list(by_num.values())), "breaks": schedule.breaks_block(),
                "setup_check": schedule.checklist_block()}
    seen = set()
    for path in sorted((ROOT / "instructors").glob("*.md")):
        for m in instructor_notes.BLOCK.finditer(path.read_text()):
            name, body = m.group(2), m.group(3)
            if name == "time":
                want = schedule.lesson_time_block(by_num[path.stem[-2:]])
            elif name in expected:
                want = expected[name]
            else:
                continue
            assert body == want, f"{path.name}: {name} block stale: run python -m tools.instructor_notes"
            seen.add(path.name if name == "time" else name)
    assert seen == {f"lesson{n}.md" for n in by_num} | set(expected)
    # the lessons' minutes, as the notes state them, add up to what notes.md says
    total = sum(x["teach"] + x["core"] + x["optional"] for x in by_num.values())
    assert f"{total // 60} h {total % 60:02d} min of content" in expected["totals"]
    # every lesson has core work, and something to cut
    for lesson in by_num.values():
        assert lesson["core"] > 0 and lesson["teach"] > 0, lesson["num"]


TIME = re.compile(r"\*\*Time:\*\* about (\d+) minutes: (\d+) teaching and demos, (\d+) core "
                  r"exercises, (\d+) optional\.")


@pytest.mark.parametrize("lesson", schedule.lessons(), ids=lambda lesson: lesson["num"])
def test_the_lessons_time_line_states_its_schedule(lesson):
    first = _nb(ROOT / "notebooks" / lesson["file"]).cells[0].source
    m = TIME.search(first)
    assert m, f"{lesson['file']}: no '**Time:** about N minutes: …' line"
    total, teach, core, optional = map(int, m.groups())
    assert (teach, core, optional) == (lesson["teach"], lesson["core"], lesson["optional"])
    assert total == teach + core + optional


def test_schedule_names_a_missing_exercise(tmp_path):
    (tmp_path / "notebooks").mkdir()
    for p in NOTEBOOKS:
        shutil.copy(p, tmp_path / "notebooks")
    path = tmp_path / "notebooks" / NOTEBOOKS[0].name
    nb = _nb(path)
    nb.metadata["workshop"]["schedule"]["exercises"].pop()
    nbformat.write(nb, path)
    with pytest.raises(schedule.ScheduleError, match=r"exercises \['1.3'\] are not in the schedule"):
        schedule.lessons(tmp_path)
    nb.metadata["workshop"]["schedule"]["teach"] = 200
    nb.metadata["workshop"]["schedule"]["exercises"].append({"id": "1.3", "minutes": 5, "core": True})
    nbformat.write(nb, path)
    with pytest.raises(schedule.ScheduleError, match="the day's core takes"):
        schedule.render(schedule.lessons(tmp_path))


# --------------------------------------------------------------------------- tags
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_code_cell_carries_exactly_one_role_tag(path):
    nb = _nb(path)
    codes = [c for c in nb.cells if c.cell_type == "code"]
    for k, cell in enumerate(codes):
        roles = set(cell.metadata.get("tags", [])) & ROLES
        assert len(roles) == 1, f"{path.name}, code cell {k}: role tags {sorted(roles)}"
    # the set-up cell, then the lesson's imports: the only two set-up cells
    assert codes[0].metadata["tags"] == ["setup"] and codes[1].metadata["tags"] == ["setup"]
    assert all("setup" not in c.metadata["tags"] for c in codes[2:])
    # every exercise stub is tagged exercise, and exercise cells belong to a Coding Exercise
    heading = ""
    for cell in nb.cells:
        if cell.source.startswith("## "):
            heading = cell.source
        if cell.cell_type != "code":
            continue
        if "# your code here" in cell.source or "# your value here" in cell.source:
            assert cell.metadata["tags"] == ["exercise"], cell.source[:80]
        if "exercise" in cell.metadata["tags"]:
            assert heading.startswith("## Coding Exercise "), cell.source[:80]
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("<details>"):
            assert cell.metadata.get("tags") == ["solution"], cell.source[:60]
        if cell.cell_type == "markdown" and re.match(r"#{1,2} ", cell.source):
            assert cell.metadata.get("slideshow") == {"slide_type": "slide"}, cell.source[:60]


def test_sync_keeps_tags_and_slide_types_in_the_text_source():
    nb = _nb(NOTEBOOKS[0])
    text = sync_notebooks.to_text(nb)
    assert '# %% tags=["setup"]' in text and 'slideshow={"slide_type": "slide"}' in text
    again = sync_notebooks.from_text(text, nb)
    assert [c.metadata.get("tags") for c in again.cells] == [c.metadata.get("tags") for c in nb.cells]
    # the set-up cell is tagged by the sync itself, whatever the source says
    again.cells[1].metadata["tags"] = ["demo"]
    sync_notebooks.sync(again)
    assert again.cells[1].metadata["tags"][0] == "setup"


def test_sync_moves_lines_below_the_set_up_block_into_the_visible_imports_cell():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 99 · A lesson"),
        nbformat.v4.new_code_cell(course.setup_block() + "\nimport numpy as np\n",
                                  metadata={"jupyter": {"outputs_hidden": True}}),
        nbformat.v4.new_code_cell("np.ones(2)",
                                  metadata={"tags": ["demo"], "jupyter": {"source_hidden": True}}),
    ])
    sync_notebooks.sync(nb)
    setup, imports, demo = nb.cells[1:]
    assert setup.source == course.setup_block()
    assert setup.metadata["jupyter"] == {"source_hidden": True} and setup.metadata["tags"] == ["setup"]
    assert imports.source == "import numpy as np" and imports.metadata == {"tags": ["setup"]}
    assert "jupyter" not in demo.metadata
    sync_notebooks.sync(nb)  # a second run changes nothing
    assert [c.source for c in nb.cells[1:]] == [setup.source, imports.source, demo.source]
    setup.source += "\nimport torch"  # a line added below the block joins the imports cell
    sync_notebooks.sync(nb)
    assert len(nb.cells) == 4 and nb.cells[2].source == "import torch\nimport numpy as np"



# --------------------------------------------------------------------------- checkpoints
@pytest.mark.parametrize("lesson", schedule.lessons(), ids=lambda lesson: lesson["num"])
def test_a_checkpoint_follows_each_core_exercise(lesson):
    cells = _nb(ROOT / "notebooks" / lesson["file"]).cells
    checkpoints = {}
    for k, cell in enumerate(cells):
        m = re.match(r"✅ Checkpoint (\d+\.\d+) ", cell.source)
        if m:
            assert cell.cell_type == "markdown" and cell.metadata.get("tags") == ["check"]
            before = cells[k - 1]
            assert before.cell_type == "code" and "exercise" in before.metadata["tags"]
            heading = next(c.source for c in reversed(cells[:k]) if c.source.startswith("## "))
            assert heading.startswith(f"## Coding Exercise {m.group(1)} ·"), heading[:60]
            checkpoints[m.group(1)] = k
    core = {e["id"] for e in lesson["exercises"] if e["core"] and e["id"] != "quiz"}
    assert set(checkpoints) == core


# --------------------------------------------------------------------------- quiz
def _answer(num: str) -> str:
    """The right answer to lesson ``num``'s question, computed here (not read from the quiz)."""
    import torch

    if num == "01":
        return str(np.transpose(np.zeros((427, 640, 3)), (2, 0, 1)).shape)
    if num == "02":
        z = np.dot([0.5, -1, 2], [2, 1, 0.5]) + 1
        return f"{z:g}".replace("-", "−")
    if num == "03":
        return str(tuple(torch.nn.Linear(784, 128).weight.shape))
    if num == "04":
        return "[" + ", ".join(f"{v:g}" for v in torch.relu(torch.tensor([-2.0, 0, 3])).tolist()) + "]"
    if num == "05":
        out = torch.nn.functional.conv2d(torch.zeros(1, 1, 28, 28), torch.zeros(1, 1, 3, 3))
        return f"{out.shape[-2]} × {out.shape[-1]}"
    if num == "06":
        p = torch.softmax(torch.tensor([0.0, math.log(3)]), 0).tolist()
        return "[" + ", ".join(f"{v:g}" for v in np.round(p, 6)) + "]"
    if num == "07":
        loss = torch.nn.functional.cross_entropy(torch.zeros(1, 2), torch.tensor([0]))
        return f"{loss.item():.2f}"
    if num == "08":
        theta = torch.tensor(1.0, requires_grad=True)
        (theta ** 2).backward()
        return f"{(theta - 0.25 * theta.grad).item():g}"
    if num == "09":
        return f"{torch.nn.Flatten()(torch.zeros(1, 32, 7, 7)).shape[1]:,}"
    raise KeyError(num)


@pytest.mark.parametrize("path", NOTEBOOKS[:9], ids=lambda p: p.name)
def test_each_lesson_ends_with_a_quiz_question_whose_answer_is_right(path):
    from workshop_utils.explorers import quiz

    nb = _nb(path)
    cells = [c for c in nb.cells if c.cell_type == "code" and "quiz(" in c.source]
    assert len(cells) == 1, f"{path.name}: one quiz cell expected"
    cell = cells[0]
    assert cell.metadata["tags"] == ["check"]
    k = nb.cells.index(cell)
    after = [c.source for c in nb.cells[k + 1:] if c.source.startswith("## ")]
    assert after and after[0].startswith("## Key takeaways"), "the question comes at the end"
    call = next(n for n in ast.walk(ast.parse(cell.source))
                if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "quiz")
    questions = [{kw.arg: ast.literal_eval(kw.value) for kw in d.keywords} for d in call.args[0].elts]
    assert len(questions) == 1
    q = questions[0]
    assert q["section"].startswith(path.name[:2] + " · ")
    assert q["options"][q["answer"]] == _answer(path.name[:2])
    assert len(set(q["options"])) == len(q["options"])
    qz = quiz(questions)
    assert qz.answer(0, q["answer"]) is True and qz.score == 1
    wrong = (q["answer"] + 1) % len(q["options"])
    assert qz.answer(0, wrong) is False and qz.score == 0


# --------------------------------------------------------------------------- presenter mode
def _names(source: str) -> tuple[set, set]:
    """(names a cell binds, names it reads) at any depth, by its syntax tree."""
    import textwrap

    src = "\n".join(ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!")))
    tree = ast.parse(textwrap.dedent(src))
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return bound, read


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_demo_only_lesson_needs_nothing_from_the_exercises(path):
    from tools import present

    nb = _nb(path)
    demo = present.demo_only(nb)
    kept = [c for c in demo.cells if c.cell_type == "code"]
    assert kept and all(set(c.metadata["tags"]) & {"setup", "demo"} or present.is_quiz(c) for c in kept)
    text = "\n".join(c.source for c in demo.cells)
    for words in ("## Coding Exercise", "your code here", "Checkpoint", "Show a solution", "check_"):
        assert words not in text, words
    # the lesson's quiz is projected, with its heading, and nothing else tagged "check"
    quizzes = [k for k, c in enumerate(demo.cells) if present.is_quiz(c)]
    assert len(quizzes) == 1 and "quiz(" in demo.cells[quizzes[0]].source
    heading = demo.cells[quizzes[0] - 1]
    assert heading.cell_type == "markdown" and "check" in heading.metadata["tags"]
    checks = [c for c in demo.cells if "check" in c.metadata.get("tags", [])]
    assert checks == [heading, demo.cells[quizzes[0]]]
    assert "[![Open In Colab]" not in text
    assert len([c for c in demo.cells if "Interactive Demo" in c.source]) == \
        len([c for c in nb.cells if "Interactive Demo" in c.source])
    # a name that only the exercises bind must not be read by what presenter mode runs
    bound_demo, read_demo = set(), set()
    for c in kept:
        b, r = _names(c.source)
        bound_demo |= b
        read_demo |= r
    bound_ex = set()
    for c in nb.cells:
        if c.cell_type != "code" or set(c.metadata["tags"]) & {"setup", "demo"} or present.is_quiz(c):
            continue
        bound_ex |= _names(c.source)[0]
    assert not (bound_ex - bound_demo) & read_demo


def test_presenter_refuses_a_code_cell_without_a_role(tmp_path):
    from tools import present

    nb = _nb(NOTEBOOKS[0])
    nb.cells.append(nbformat.v4.new_code_cell("print('untagged')"))
    with pytest.raises(ValueError, match="has no role tag"):
        present.demo_only(nb)
    written = present.build(tmp_path / "presenter")
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]


# --------------------------------------------------------------------------- the workshop file
FILLED = """
title = "Deep learning, hands-on"
date = 2027-03-15
start = "09:30"
venue = "Room 2.14, Library Road 1"
instructors = ["Ada Lovelace"]
helpers = ["Alan Turing", "Grace Hopper"]
schedule = "day"
learners_run = "laptops"
hub_url = ""

[contact]
name = "Mary Somerville"
email = "mary@example.org"
"""


def _workshop(tmp_path, text):
    (tmp_path / "workshop.toml").write_text(text)
    return workshop.read(tmp_path)


def test_the_committed_workshop_file_is_valid_and_unset():
    values, unset, errors = workshop.read(ROOT)
    assert errors == []
    assert {"date", "venue", "instructors", "contact.name", "contact.email"} <= set(unset)
    # CODE_OF_CONDUCT.md's contact is what the workshop file says (here: not yet set)
    coc = (ROOT / "CODE_OF_CONDUCT.md").read_text()
    block = workshop.COC_BLOCK.search(coc)
    assert block and block.group(2) == workshop.contact_text(values)
    assert "Contact: not yet set" in block.group(2)
    # and the checklist says so, at its top
    checklist = (ROOT / "instructors" / "checklist.md").read_text()
    status = re.search(r"<!-- begin generated: workshop -->\n(.*?)<!-- end generated -->", checklist, re.S)
    assert status and status.group(1) == workshop.checklist_status(ROOT)
    assert "is not ready" in status.group(1) and "contact.email" in status.group(1)


def test_a_filled_workshop_file_fills_the_contact_the_clock_and_the_invitation(tmp_path):
    values, unset, errors = _workshop(tmp_path, FILLED)
    assert (unset, errors) == ([], [])
    shutil.copy(ROOT / "CODE_OF_CONDUCT.md", tmp_path)
    assert workshop.fill_code_of_conduct(values, tmp_path)
    coc = (tmp_path / "CODE_OF_CONDUCT.md").read_text()
    assert ("**Contact: Mary Somerville, <mary@example.org>** during the workshop of "
            "Monday 15 March 2027") in coc
    assert "not yet set" not in coc and not workshop.fill_code_of_conduct(values, tmp_path)  # twice: same
    assert workshop.start_minutes(tmp_path) == 9 * 60 + 30
    assert "is filled in: Monday 15 March 2027, Room 2.14" in workshop.checklist_status(tmp_path)
    text = schedule.render(schedule.lessons(), workshop.start_minutes(tmp_path))
    assert "| 09:30 | Opening" in text and "| 09:00 |" not in text
    inv = workshop.invitation(values, ROOT)
    ls = schedule.lessons()
    end = 9 * 60 + 30 + schedule.DAY_MINUTES + schedule.LUNCH
    assert f"Monday 15 March 2027, 09:30–{end // 60:02d}:{end % 60:02d}" in inv
    for words in ("Room 2.14, Library Road 1", "Ada Lovelace", "Grace Hopper", "mary@example.org",
                  "learners/setup.md", "python -m workshop_utils.check", "- 12:", "Lunch",
                  ls[4]["title"]):
        assert words in inv, words
    # learners on a hub get its address, not the laptop set-up
    hub = FILLED.replace('learners_run = "laptops"', 'learners_run = "hub"').replace(
        'hub_url = ""', 'hub_url = "https://hub.example.org/"')
    values, _, errors = _workshop(tmp_path, hub)
    assert errors == []
    inv = workshop.invitation(values, ROOT)
    assert "https://hub.example.org" in inv and "python -m workshop_utils.check" not in inv
    for mode, words in (("binder", "mybinder.org"), ("colab", "colab.research.google.com")):
        values, _, errors = _workshop(tmp_path, FILLED.replace('"laptops"', f'"{mode}"'))
        assert errors == [] and words in workshop.invitation(values, ROOT)
    # two half-days: two dates, two timetables
    half = FILLED.replace("date = 2027-03-15", 'date = ["2027-03-15", "2027-03-16"]').replace(
        'schedule = "day"', 'schedule = "half-days"')
    values, _, errors = _workshop(tmp_path, half)
    assert errors == []
    inv = workshop.invitation(values, ROOT)
    assert "**Monday 15 March 2027**" in inv and "**Tuesday 16 March 2027**" in inv


@pytest.mark.parametrize("change, words", [
    (("date = 2027-03-15", 'date = "2027-02-30"'), "date: '2027-02-30' is not a date"),
    (("date = 2027-03-15", 'date = "15/03/2027"'), "write it as YYYY-MM-DD"),
    (('start = "09:30"', 'start = "9.30am"'), "start: '9.30am' is not a time of day"),
    (('learners_run = "laptops"', 'learners_run = "laptop"'), "learners_run: 'laptop' is not one of"),
    (('schedule = "day"', 'schedule = "full day"'), "schedule: 'full day' is not one of"),
    (('schedule = "day"', 'schedule = "half-days"'), "needs two dates"),
    (('learners_run = "laptops"', 'learners_run = "hub"'), "hub_url: learners_run = \"hub\" needs"),
    (('hub_url = ""', 'hub_url = "http://hub.example.org"'), "is not a plain https:// address"),
    (('hub_url = ""', 'hub_url = "https://x.org/?a=1"'), "is not a plain https:// address"),
    (('email = "mary@example.org"', 'email = "mary at example"'), "is not an email address"),
    (('email = "mary@example.org"', ''), "contact.email: missing"),
    (('[contact]\nname = "Mary Somerville"\nemail = "mary@example.org"', ''), "contact: missing"),
    (('instructors = ["Ada Lovelace"]', 'instructors = []'), "instructors: name at least one"),
    (('helpers = [', 'helper = ['), "unknown key helper"),
])
def test_a_wrong_workshop_file_gets_a_clear_error(tmp_path, change, words):
    assert change[0] in FILLED
    _, _, errors = _workshop(tmp_path, FILLED.replace(*change))
    assert any(words in e for e in errors), errors


def test_make_workshop_refuses_a_wrong_file_and_writes_nothing(tmp_path, capsys, monkeypatch):
    for name in ("CODE_OF_CONDUCT.md",):
        shutil.copy(ROOT / name, tmp_path)
    (tmp_path / "workshop.toml").write_text(FILLED.replace("2027-03-15", '"2027-13-01"'))
    monkeypatch.setattr(workshop, "ROOT", tmp_path)
    assert workshop.main([]) == 2
    assert "date: '2027-13-01' is not a date" in capsys.readouterr().out
    assert "is not ready" in workshop.checklist_status(tmp_path)
    assert (tmp_path / "CODE_OF_CONDUCT.md").read_text() == (ROOT / "CODE_OF_CONDUCT.md").read_text()
    assert not (tmp_path / "build").exists()


def test_the_setup_check_tells_only_the_instructor_about_the_workshop_file(tmp_path):
    from workshop_utils import check

    # learners run the plain check: it has no workshop-file check at all
    assert all("workshop" not in label for label, _ in check.CHECKS)
    problems = check.check_workshop_file(ROOT)   # the committed file: unset
    assert len(problems) == 1 and "still read FIXME" in problems[0].what
    assert "make workshop" in problems[0].fix
    (tmp_path / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "workshop.py", tmp_path / "tools")
    (tmp_path / "workshop.toml").write_text(FILLED)
    assert check.check_workshop_file(tmp_path) == []
    (tmp_path / "workshop.toml").write_text(FILLED.replace('"laptops"', '"lab"'))
    assert "learners_run: 'lab'" in check.check_workshop_file(tmp_path)[0].what
    # installed without its source checkout (Colab, a wheel): says so instead of failing oddly
    assert "source checkout" in check.check_workshop_file(tmp_path / "elsewhere")[0].what


@pytest.mark.parametrize("raw", ["big", "", "0.5", "3.5", "nan", "-1"])
def test_presenter_scale_refuses_what_is_not_a_readable_size(raw):
    from tools import present

    with pytest.raises(ValueError, match="SCALE should be a number from 1 to 3"):
        present.parse_scale(raw)
    assert present.main(["--serve", f"--scale={raw}"]) == 2  # refused before anything starts


def test_presenter_serves_with_the_scale_quiet_kernels_progressive_pages_and_culling(tmp_path):
    from tools import present

    assert present.parse_scale(" 2 ") == 2.0 and present.parse_scale("1.75") == 1.75
    args, env = present.voila_command(tmp_path, 2.0, ["--port=9"])
    assert env["WORKSHOP_SCALE"] == "2" and env["WORKSHOP_QUIET"] == "1"
    assert env["JUPYTER_PATH"].split(os.pathsep)[0] == str(present.SHARE)
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0] == str(present.SHARE)
    import json

    settings = json.loads((present.SHARE / "voila.json").read_text())["Voila"]["tornado_settings"]
    assert settings["ws_ping_timeout"] >= 10 * 60_000  # a page's cells may run for minutes
    template = present.SHARE / "voila" / "templates" / present.TEMPLATE
    assert (template / "index.html.j2").is_file() and (template / "conf.json").is_file()
    if shutil.which("git") and (present.ROOT / ".git").exists():  # a fresh clone has it: not ignored
        import subprocess

        ignored = subprocess.run(["git", "check-ignore", "-q", str(template / "index.html.j2")],
                                 cwd=present.ROOT).returncode
        assert ignored == 1, f"{template} is git-ignored: a clone would lack presenter mode's template"
    for a in ("--template=projector", "--VoilaConfiguration.resources=presenter_scale=2",
              "--progressive_rendering=True", "--MappingKernelManager.cull_idle_timeout=60",
              "--MappingKernelManager.cull_interval=10"):
        assert a in args, a
    assert args[-2:] == ["--port=9", str(tmp_path)]  # the caller's options last: they win
    args = present.voila_command(tmp_path, 2.0, ["--MappingKernelManager.cull_idle_timeout=5"])[0]
    assert [a for a in args if "cull_idle" in a] == ["--MappingKernelManager.cull_idle_timeout=5"]


def test_display_scale_and_quiet_settings(monkeypatch, capsys):
    from workshop_utils import core
    from workshop_utils.notebook import setup_notebook
    from workshop_utils.plotting import new_figure

    monkeypatch.setenv("WORKSHOP_SCALE", "2")
    assert core.display_scale() == 2.0 and new_figure((2.0, 1.0), 80).dpi == 160
    for bad in ("huge", "0", "9"):
        monkeypatch.setenv("WORKSHOP_SCALE", bad)
        with pytest.raises(ValueError, match="WORKSHOP_SCALE should be a number from 0.5 to 4"):
            core.display_scale()
    monkeypatch.setenv("WORKSHOP_SCALE", "2")
    from workshop_utils.explorers.cnn import KernelEditor

    rng = np.random.default_rng(0)
    ed = KernelEditor(rng.random((40, 60)), rng.random((28, 28)))
    assert ed.controls["k00"].layout.width == "500px"  # 250 px sliders keep their track
    assert ed.image.layout.width == f"{int(ed.figsize[0] * 160)}px"  # the picture drawn at 2×
    monkeypatch.delenv("WORKSHOP_SCALE")
    assert core.display_scale() == 1.0 and new_figure((2.0, 1.0), 80).dpi == 80
    monkeypatch.setenv("WORKSHOP_QUIET", "yes")
    with pytest.raises(ValueError, match="WORKSHOP_QUIET should be 1"):
        core.quiet()
    monkeypatch.setenv("WORKSHOP_QUIET", "1")
    setup_notebook()
    assert capsys.readouterr().out == ""  # no version line on a projected page
    monkeypatch.setenv("WORKSHOP_QUIET", "0")
    setup_notebook()
    assert "workshop_utils" in capsys.readouterr().out
