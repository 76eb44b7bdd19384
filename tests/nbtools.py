"""Reading the course notebooks from tests: solutions, cells, slider counts."""

from __future__ import annotations

import re

import nbformat

from tools import ROOT

NOTEBOOKS = ROOT / "notebooks"

_FENCE = re.compile(r"```python\n(.*?)```", re.S)
_CHECKER = re.compile(r"#\s*checker:\s*(\w+)")


def read(name: str):
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def notebook_code(name: str) -> str:
    """All code cells of a notebook, joined."""
    return "\n\n".join(c.source for c in read(name).cells if c.cell_type == "code")


def solutions(name: str) -> list[tuple[str, str]]:
    """``(checker name, solution source)`` for every ``<details>`` solution in a notebook.

    A solution is a python code fence inside a markdown cell that holds ``<details>``;
    its first line names its checker: ``# checker: check_something``.
    """
    found = []
    for cell in read(name).cells:
        if cell.cell_type != "markdown" or "<details>" not in cell.source:
            continue
        for code in _FENCE.findall(cell.source):
            m = _CHECKER.search(code)
            if m:
                found.append((m.group(1), code))
    return found


def run_solution(code: str, namespace: dict | None = None) -> dict:
    """Execute a solution (with numpy and torch at hand, as in the notebooks)."""
    import numpy as np
    import torch

    ns = {"np": np, "torch": torch}
    ns.update(namespace or {})
    exec(compile(code, "<solution>", "exec"), ns)  # noqa: S102 - our own notebook text
    return ns


def defined_function(code: str, ns: dict):
    """The (last) function a solution defines."""
    names = re.findall(r"^def (\w+)\(", code, re.M)
    assert names, "solution defines no function"
    return ns[names[-1]]
