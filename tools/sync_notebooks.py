"""Keep the notebooks, their text sources, the READMEs and deploy/ in step with workshop_utils/course.py.

    python -m tools.sync_notebooks          # rewrite in place (make sync)
    python -m tools.sync_notebooks --check  # exit 1 if anything is out of date

* Every notebook ``notebooks/NN_*.ipynb`` is paired with a text source ``lessons/NN_*.py``
  (jupytext's percent format: ``# %%`` code cells, ``# %% [markdown]`` text cells). The
  text source is what authors edit and reviewers read; whichever of the two was changed
  last wins (a new ``lessons/*.py`` alone makes its notebook).
* Every notebook's first code cell is the set-up block and nothing else, tagged ``setup`` and
  hidden in JupyterLab (``"jupyter": {"source_hidden": true}``; Colab folds it by its
  ``# @title`` line); the lesson's imports follow in a visible cell, also tagged ``setup``.
  The first markdown cell carries its Colab badge; README's badges and deploy/README.md's class
  link point at the course's ref.
* Outputs and execution counts are stripped (notebooks are committed clean).
* Cells keep their ``tags`` and ``slideshow`` metadata (presenter mode: tools/present.py),
  and the set-up cell its ``jupyter`` one, written on the text source's ``# %%`` lines.
"""

from __future__ import annotations

import re
import sys

import nbformat

from tools import ROOT
from workshop_utils import course

LESSONS = ROOT / "lessons"
TEXT_FORMAT = "py:percent"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
CELL_METADATA = ("tags", "slideshow", "jupyter")  # the cell metadata kept in the text source
HIDDEN = {"source_hidden": True}  # JupyterLab shows the set-up cell folded (its outputs stay visible)


def to_text(nb) -> str:
    """The notebook as its text source: cells only, and the course's own metadata."""
    import copy

    import jupytext

    nb = copy.deepcopy(nb)
    for cell in nb.cells:  # one order (CELL_METADATA's), whichever side was edited last
        cell.metadata = {k: cell.metadata[k] for k in CELL_METADATA if k in cell.metadata}
    nb.metadata = {"workshop": dict(nb.metadata.get("workshop", {})),
                   "jupytext": {"notebook_metadata_filter": "workshop,-all",
                                "cell_metadata_filter": ",".join(CELL_METADATA) + ",-all"}}
    return jupytext.writes(nb, fmt=TEXT_FORMAT)


def from_text(text: str, nb=None):
    """The notebook with the cells of ``text``, keeping ``nb``'s metadata (kernel, …)."""
    import jupytext

    new = jupytext.reads(text, fmt=TEXT_FORMAT)
    meta = dict(nb.metadata) if nb is not None else {"kernelspec": dict(KERNELSPEC)}
    meta.pop("jupytext", None)
    meta["workshop"] = dict(new.metadata.get("workshop", meta.get("workshop", {})))
    out = nbformat.v4.new_notebook(metadata=meta)
    old = list(nb.cells) if nb is not None else []
    for i, cell in enumerate(new.cells):
        make = nbformat.v4.new_markdown_cell if cell.cell_type == "markdown" else nbformat.v4.new_code_cell
        made = make(cell.source)
        made.metadata.update({k: cell.metadata[k] for k in CELL_METADATA if k in cell.metadata})
        if i < len(old) and old[i].cell_type == cell.cell_type and "id" in old[i]:
            made["id"] = old[i]["id"]  # the same cell keeps its id: a small diff
        out.cells.append(made)
    if nb is not None:
        out.nbformat, out.nbformat_minor = nb.nbformat, nb.nbformat_minor
    return out


def sync(nb) -> None:
    name = None
    code = next(c for c in nb.cells if c.cell_type == "code")
    # Remove every earlier set-up block (whatever its marker wording), then write one.
    block = re.compile(r"^(?:# @title Course set-up.*\n)?"
                       r"# --- course set-up.*?^# --- end of course set-up ---\n?", re.S | re.M)
    body = block.sub("", code.source).strip("\n")
    code.source = course.setup_block()
    code.metadata["tags"] = ["setup"] + [t for t in code.metadata.get("tags", []) if t != "setup"]
    code.metadata["jupyter"] = dict(HIDDEN)
    if body:  # the lesson's own lines (its imports) go to the visible cell after the set-up cell
        k = nb.cells.index(code) + 1
        after = nb.cells[k] if k < len(nb.cells) else None
        if after is not None and after.cell_type == "code" and "setup" in after.metadata.get("tags", []):
            after.source = body + "\n" + after.source
        else:
            nb.cells.insert(k, nbformat.v4.new_code_cell(body, metadata={"tags": ["setup"]}))
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
        if cell is not code:  # JupyterLab's folds while editing are not committed
            cell.metadata.pop("jupyter", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)


HUB_PLACEHOLDER = "https://hub.example.org"  # deploy/README.md's stand-in for the class hub
READMES = [ROOT / "README.md", ROOT / "deploy" / "README.md"]
HUB_LINK_PREFIX = HUB_PLACEHOLDER + "/hub/user-redirect/git-pull?"


def sync_readme(text: str) -> str:
    """A README's Binder and Colab badges (lesson 01) and class hub link at the course's ref."""
    out = []
    for ln in text.splitlines(keepends=True):
        end = "\n" if ln.endswith("\n") else ""
        if ln.startswith("[![Binder]"):
            ln = course.binder_badge() + end
        elif ln.startswith(course.COLAB_BADGE_PREFIX):
            ln = course.colab_badge(course.NOTEBOOKS[0][0]) + end
        elif ln.startswith(HUB_LINK_PREFIX):  # deploy/README.md: the nbgitpuller link
            ln = course.hub_link(HUB_PLACEHOLDER) + end
        out.append(ln)
    return "".join(out)


DEPLOY = [ROOT / "deploy" / "z2jh" / "config.yaml", ROOT / "deploy" / "tljh" / "install.sh"]
COURSE_LINE = re.compile(r'^(?P<pre>.*?)(?P<val>[^\s="]+)(?P<post>"?\s*# course: (?P<key>\w+))$', re.M)


def deploy_values() -> dict:
    return {"ref": course.REF, "hub_ref": course.HUB_REF, "repo_url": course.repo_url(),
            "image": f"ghcr.io/{course.REPOSITORY}"}


def sync_deploy(text: str) -> str:
    """The deployment files' lines ending in ``# course: <key>``: the repository, ref, image."""
    values = deploy_values()

    def sub(m):
        if m["key"] not in values:
            raise KeyError(f"unknown course key {m['key']!r} in a deploy file")
        return m["pre"] + values[m["key"]] + m["post"]
    return COURSE_LINE.sub(sub, text)


def _pairs():
    names = {p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    names |= {p.stem for p in LESSONS.glob("[0-9][0-9]_*.py")}
    return [(ROOT / "notebooks" / f"{n}.ipynb", LESSONS / f"{n}.py") for n in sorted(names)]


def main(argv) -> int:
    check = "--check" in argv
    stale = []
    for files, rewrite in ((READMES, sync_readme), (DEPLOY, sync_deploy)):
        for path in files:
            text = path.read_text()
            synced = rewrite(text)
            if synced != text:
                stale.append(str(path.relative_to(ROOT)))
                if not check:
                    path.write_text(synced)
    for nb_path, py_path in _pairs():
        nb = nbformat.read(nb_path, as_version=4) if nb_path.exists() else None
        before = nbformat.writes(nb) if nb is not None else ""
        text_before = py_path.read_text() if py_path.exists() else ""
        if py_path.exists() and (nb is None or (py_path.stat().st_mtime > nb_path.stat().st_mtime
                                                and text_before != to_text(nb))):
            nb = from_text(text_before, nb)  # the text source was edited last
        nb.metadata.setdefault("workshop", {})["file"] = nb_path.name
        nb.metadata.setdefault("kernelspec", dict(KERNELSPEC))
        sync(nb)
        after = nbformat.writes(nb)
        text_after = to_text(nb)
        if before != after or text_before != text_after:
            stale.append(nb_path.name)
            if not check:
                nbformat.write(nb, nb_path)
                LESSONS.mkdir(exist_ok=True)
                py_path.write_text(text_after)
    if check and stale:
        print("out of date (run: make sync):", ", ".join(stale))
        return 1
    print(("checked " if check else "synced ") + "notebooks; changed: " + (", ".join(stale) or "none"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
