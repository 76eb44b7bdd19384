"""Presenter mode: a demo-only copy of every lesson, served by Voilà for a projector.

    python -m tools.present [OUT]                       # write OUT/NN_*.ipynb (default: presenter/)
    python -m tools.present --serve [--scale=S] [-- VOILA_ARGS …]   # write presenter/, serve it

``make present`` runs the second form. Each lesson's cells are chosen by their role tags
(kept by tools/sync_notebooks.py): the ``setup`` and ``demo`` code cells, the text around
them, and the lesson's quiz (a ``check`` code cell that calls ``quiz``, with the ``check``
text just before it): the room answers aloud, a click on an option reveals ✓ or ✗ and the
reason. Exercises (``exercise``), their solutions (``solution``) and the checkpoints (the
other ``check`` cells) are left out: they are each learner's own work in their own notebook,
and a projected stub would only print "not implemented yet". Voilà runs the copy and shows
its outputs without the code.

``--serve`` starts Voilà (this process becomes Voilà) with:

- the ``projector`` template (tools/presenter_share/voila/templates/projector): text,
  outputs, slider labels and buttons at 14 px × SCALE (default 1.75: 24.5 px, readable from
  the back of a room on a 1280×720 projector); pictures shrink to fit the screen;
- ``WORKSHOP_SCALE=SCALE`` for the kernels: figures and explorer pictures are drawn at SCALE
  times their dots per inch, so their labels grow with the text; ``WORKSHOP_QUIET=1``: no
  housekeeping lines ("loaded the cached weights …", the version line);
- progressive rendering: a page shows each cell's output as it comes, so it is never blank
  while a long cell runs;
- a page's cells may run longer than 90 s (lesson 05 training live): Voilà 0.5 runs them
  inside the page's execution websocket, which reads no pong meanwhile, and
  jupyter_server's default ping timeout (90 s) would close it and leave the page half
  filled; ``tools/presenter_share/voila.json`` raises it to 15 minutes;
- kernel culling: a page's kernel stops when the page closes (Voilà's own shut-down on
  ``beforeunload``) and, where the browser never said so (a crashed tab, a lost network), once
  it has been idle with no page connected for ``CULL_IDLE_S`` seconds (checked every
  ``CULL_INTERVAL_S``).

Arguments after ``--`` go to Voilà and replace the same options here (``make present
PRESENT_ARGS="--no-browser --port=8867"``; ``--option=value`` form).
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import nbformat

from tools import ROOT

BADGE = "[![Open In Colab]"  # a Colab badge is no use on a projected page
KEEP_CODE = {"setup", "demo"}
DROP_TEXT = {"exercise", "solution", "check"}
OUT = ROOT / "presenter"
SHARE = ROOT / "tools" / "presenter_share"  # a Jupyter data folder: voila/templates/projector
TEMPLATE = "projector"
DEFAULT_SCALE = 1.75
CULL_IDLE_S = 60
CULL_INTERVAL_S = 10


def is_quiz(cell) -> bool:
    """A ``check`` code cell that shows a quiz (``quiz(...)`` from workshop_utils.explorers)."""
    tags = set(cell.metadata.get("tags", []))
    return cell.cell_type == "code" and "check" in tags and "quiz(" in cell.source


def demo_only(nb):
    """A new notebook holding ``nb``'s set-up and demo cells, its quiz, and the text that goes with them."""
    out = nbformat.v4.new_notebook(metadata=dict(nb.metadata))
    cells = nb.cells
    for k, cell in enumerate(cells):
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "code":
            if not tags & (KEEP_CODE | DROP_TEXT):
                raise ValueError(f"code cell {k} has no role tag (setup, demo, exercise, solution, "
                                 f"check): {cell.source[:60]!r}")
            keep = bool(tags & KEEP_CODE) or is_quiz(cell)
        elif tags & {"check"}:  # a quiz's heading is kept with its quiz; checkpoints are not
            keep = k + 1 < len(cells) and is_quiz(cells[k + 1])
        else:
            keep = not tags & DROP_TEXT
        if keep:
            new = nbformat.from_dict(dict(cell))
            if new.cell_type == "code":
                new.outputs, new.execution_count = [], None
            else:
                new.source = "\n".join(ln for ln in new.source.split("\n") if not ln.startswith(BADGE))
            out.cells.append(new)
    return out


def build(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        dest = out / path.name
        nbformat.write(demo_only(nbformat.read(path, as_version=4)), dest)
        written.append(dest)
    return written


def parse_scale(raw) -> float:
    """SCALE as given to ``make present``: a number from 1 to 3."""
    try:
        scale = float(str(raw).strip())
    except ValueError:
        scale = math.nan
    if not 1.0 <= scale <= 3.0:  # also false for NaN
        raise ValueError(f"SCALE should be a number from 1 to 3 (1 = JupyterLab's 14 px text, "
                         f"{DEFAULT_SCALE} = 24.5 px, the default); got {raw!r}")
    return scale


def voila_command(out: Path, scale: float, extra=()) -> tuple[list[str], dict]:
    """Voilà's command line and environment for presenter mode (``--serve``)."""
    env = dict(os.environ)
    for var in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH"):  # the template; voila.json
        env[var] = os.pathsep.join(filter(None, [str(SHARE), env.get(var)]))
    env["WORKSHOP_SCALE"] = f"{scale:g}"
    env["WORKSHOP_QUIET"] = "1"
    args = [sys.executable, "-m", "voila",
            f"--template={TEMPLATE}",
            f"--VoilaConfiguration.resources=presenter_scale={scale:g}",
            "--progressive_rendering=True",
            "--show_tracebacks=True",
            f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
            f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
            "--MappingKernelManager.cull_connected=False"]
    # the caller's options win: traitlets refuses an option given twice, so ours step aside
    given = {a.split("=", 1)[0] for a in extra if a.startswith("--")}
    args = [a for a in args if a.split("=", 1)[0] not in given] + [*extra, str(out)]
    return args, env


def main(argv) -> int:
    argv = list(argv)
    extra = []
    if "--" in argv:
        k = argv.index("--")
        argv, extra = argv[:k], argv[k + 1:]
    serve, scale, rest = False, DEFAULT_SCALE, []
    for a in argv:
        if a == "--serve":
            serve = True
        elif a.startswith("--scale="):
            try:
                scale = parse_scale(a.split("=", 1)[1])
            except ValueError as e:
                print(f"present.py: {e}", file=sys.stderr)
                return 2
        elif a.startswith("-"):
            print(f"present.py: unknown option {a!r}\n{__doc__}", file=sys.stderr)
            return 2
        else:
            rest.append(a)
    if len(rest) > 1:
        print(f"present.py: one output folder at most; got {rest}", file=sys.stderr)
        return 2
    out = Path(rest[0]).resolve() if rest else OUT
    written = build(out)
    print(f"presenter mode: {len(written)} demo-only lessons in {out}", flush=True)
    if not serve:
        return 0
    args, env = voila_command(out, scale, extra)
    print(f"presenter mode: text at {14 * scale:g} px (SCALE={scale:g}), figures ×{scale:g}", flush=True)
    os.execve(args[0], args, env)  # this process becomes Voilà: stopping it stops Voilà
    return 0  # pragma: no cover - execve does not return


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
