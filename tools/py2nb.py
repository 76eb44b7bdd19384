"""Authoring aid: turn a percent-format script into a notebook (then edit it in Jupyter).

    python -m tools.py2nb lesson.py notebooks/NN_name.ipynb

Cells start with ``# %%`` (code) or ``# %% [markdown]`` (markdown, each line prefixed
with ``# ``). The notebook, not the script, is the source of truth afterwards.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat


def convert(text: str):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    kind, buf = None, []

    def flush():
        if kind is None:
            return
        body = "\n".join(buf).strip("\n")
        if kind == "markdown":
            body = "\n".join(ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in body.splitlines())
            nb.cells.append(nbformat.v4.new_markdown_cell(body))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(body))

    for line in text.splitlines():
        if line.startswith("# %%"):
            flush()
            kind = "markdown" if "[markdown]" in line else "code"
            buf = []
        else:
            buf.append(line)
    flush()
    return nb


if __name__ == "__main__":
    src, dst = Path(sys.argv[1]), Path(sys.argv[2])
    nb = convert(src.read_text())
    nb.metadata["workshop"] = {"file": dst.name}
    nbformat.validator.normalize(nb)
    nbformat.write(nb, dst)
    print("wrote", dst)
