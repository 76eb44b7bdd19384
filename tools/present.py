"""Presenter mode: a demo-only copy of every lesson, for Voilà (``make present``).

    python tools/present.py [OUT]     # write OUT/NN_*.ipynb (default: presenter/, git-ignored)

Each lesson's cells are chosen by their role tags (kept by tools/sync_notebooks.py): the
``setup`` and ``demo`` code cells, and the text around them. Exercises (``exercise``), their
solutions (``solution``) and checkpoints and quiz questions (``check``) are left out, so a
projected lesson shows the explanations, the figures and the live explorers, and no stub
prints "not implemented yet". Voilà then runs the copy and shows its outputs without the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BADGE = "[![Open In Colab]"  # a Colab badge is no use on a projected page
KEEP_CODE = {"setup", "demo"}
DROP_TEXT = {"exercise", "solution", "check"}
OUT = ROOT / "presenter"


def demo_only(nb):
    """A new notebook holding ``nb``'s set-up and demo cells and the text that goes with them."""
    out = nbformat.v4.new_notebook(metadata=dict(nb.metadata))
    for k, cell in enumerate(nb.cells):
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "code":
            if not tags & (KEEP_CODE | DROP_TEXT):
                raise ValueError(f"code cell {k} has no role tag (setup, demo, exercise, solution, "
                                 f"check): {cell.source[:60]!r}")
            keep = bool(tags & KEEP_CODE)
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


def main(argv) -> int:
    out = Path(argv[0]).resolve() if argv else OUT
    written = build(out)
    print(f"presenter mode: {len(written)} demo-only lessons in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
