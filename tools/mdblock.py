"""Generated blocks in markdown files: a command writes its own block between two marker
comments (``<!-- … -->``) and leaves the rest of the file as it is. ``make site``,
``make a11y``, ``make bench-hub`` and ``make bench-pulse`` each keep a section of
benchmarks/RESULTS.md this way; the hub sizing also keeps the README's table."""

from __future__ import annotations

from pathlib import Path


def replace_block(text: str, begin: str, end: str, block: str, append: bool = True) -> str:
    """``text`` with everything from ``begin`` to ``end`` (the markers included) replaced by
    ``block`` (which carries the markers); where the markers are missing, ``block`` is appended
    after a blank line (``append``) or ValueError is raised."""
    if begin in text and end in text:
        return text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    if not append:
        raise ValueError(f"marker {begin} not found")
    return text.rstrip("\n") + "\n\n" + block + "\n"


def write_block(path: Path, begin: str, end: str, block: str) -> None:
    """Write ``block`` into the markdown file ``path`` (a new performance report if it is missing)."""
    old = path.read_text() if path.exists() else "# Performance report\n"
    path.write_text(replace_block(old, begin, end, block))
