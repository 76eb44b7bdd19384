"""The workshop kit in the lessons: schedule metadata, role tags, checkpoints, quiz questions."""

from __future__ import annotations

import ast
import math
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import schedule  # noqa: E402
import sync_notebooks  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ROLES = {"setup", "demo", "exercise", "solution", "check"}


def _nb(path):
    return nbformat.read(path, as_version=4)


# --------------------------------------------------------------------------- schedule
def test_schedule_file_matches_the_notebooks():
    text = schedule.render(schedule.lessons())
    assert (ROOT / "instructors" / "schedule.md").read_text() == text, \
        "instructors/schedule.md is out of date: run python tools/schedule.py"


def test_the_day_core_fits_in_six_hours_and_the_short_version_in_three():
    ls = schedule.lessons()
    assert len(ls) == len(NOTEBOOKS) == 10
    assert schedule.day_core_minutes(ls) <= 330
    assert schedule.OPENING + sum(lesson["three_hour"]["minutes"] for lesson in ls) <= 180 - 15
    # every lesson has core work, and something to cut
    for lesson in ls:
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
    assert codes[0].metadata["tags"] == ["setup"]
    assert all("setup" not in c.metadata["tags"] for c in codes[1:])
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
    import present

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
    import present

    nb = _nb(NOTEBOOKS[0])
    nb.cells.append(nbformat.v4.new_code_cell("print('untagged')"))
    with pytest.raises(ValueError, match="has no role tag"):
        present.demo_only(nb)
    written = present.build(tmp_path / "presenter")
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("raw", ["big", "", "0.5", "3.5", "nan", "-1"])
def test_presenter_scale_refuses_what_is_not_a_readable_size(raw):
    import present

    with pytest.raises(ValueError, match="SCALE should be a number from 1 to 3"):
        present.parse_scale(raw)
    assert present.main(["--serve", f"--scale={raw}"]) == 2  # refused before anything starts


def test_presenter_serves_with_the_scale_quiet_kernels_progressive_pages_and_culling(tmp_path):
    import present

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
    core.setup_notebook()
    assert capsys.readouterr().out == ""  # no version line on a projected page
    monkeypatch.setenv("WORKSHOP_QUIET", "0")
    core.setup_notebook()
    assert "workshop_utils" in capsys.readouterr().out
