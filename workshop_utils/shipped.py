"""The reader of the trained weights that ship inside the package (``weights/``).

Colab, Binder and a new hub server start with an empty cache; lessons 06–10 load the CNN,
the ViT and lesson 07's three long-tailed models from here. Each file's SHA-256 is in
``weights/MANIFEST.json``, which :func:`read` checks before handing out the bytes (what the
bytes mean is checked by the caller, ``checkpoint``). This module reads files; it imports
nothing of the package. What ships, and the command that makes it, live in ``trained``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

__all__ = ["FOLDER", "MANIFEST", "manifest", "manifest_problem", "unit_info", "read", "verify",
           "repair_advice"]

FOLDER = Path(__file__).resolve().parent / "weights"
MANIFEST = "MANIFEST.json"

_told: set[str] = set()  # problems already printed this session (one line each)


@functools.lru_cache(maxsize=1)
def _load_manifest(folder: Path) -> tuple[dict, str | None]:
    path = folder / MANIFEST
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        return {"units": {}}, f"{path} is missing"
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return {"units": {}}, f"{path} is unreadable ({type(exc).__name__}: {first})"
    units = doc.get("units") if isinstance(doc, dict) else None
    if not isinstance(units, dict) or not all(
            isinstance(u, dict) and {"file", "sha256"} <= set(u) for u in units.values()):
        return {"units": {}}, f"{path} does not list its units (file and SHA-256 of each)"
    return doc, None


def manifest() -> dict:
    """The shipped files' manifest (no units where it is missing or broken)."""
    return _load_manifest(FOLDER)[0]


manifest.cache_clear = _load_manifest.cache_clear  # tests copy FOLDER and read it again


def manifest_problem() -> str | None:
    """What is wrong with ``weights/MANIFEST.json``, or None."""
    return _load_manifest(FOLDER)[1]


def unit_info(key: str) -> dict | None:
    """The manifest's entry for ``key`` (file, sha256, bytes, seconds), or None."""
    return manifest().get("units", {}).get(key)


def _tell(line: str) -> None:
    if line not in _told:
        _told.add(line)
        print(line, flush=True)


def read(key: str) -> bytes | None:
    """The bytes of the shipped unit ``key`` if its SHA-256 matches the manifest, else None.

    A broken manifest or file is never used: one line says why the lesson trains instead,
    and that ``python -m workshop_utils.check`` says how to repair it.
    """
    problem = manifest_problem()
    if problem is not None:
        _tell(f"the course's shipped weights cannot be used: {problem}; training instead "
              "(python -m workshop_utils.check says how to repair it)")
        return None
    info = unit_info(key)
    if info is None:
        return None
    path = FOLDER / info["file"]
    try:
        data = path.read_bytes()
    except OSError as exc:
        _tell(f"shipped weights {path}: not used ({type(exc).__name__}); training instead")
        return None
    if hashlib.sha256(data).hexdigest() != info["sha256"]:
        _tell(f"shipped weights {path}: not used (its SHA-256 does not match the package's manifest); "
              "training instead (python -m workshop_utils.check says how to repair it)")
        return None
    return data


def verify(folder: Path | None = None) -> list[str]:
    """Problems with the shipped files (empty when the manifest reads and every file matches it)."""
    folder = FOLDER if folder is None else Path(folder)
    doc, problem = _load_manifest(folder)
    if problem is not None:
        return [problem]
    units = doc["units"]
    if not units:
        return [f"{folder / MANIFEST} lists no units"]
    problems = []
    for key, info in units.items():
        path = folder / info["file"]
        if not path.exists():
            problems.append(f"{key}: {path} is missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != info["sha256"]:
            problems.append(f"{key}: {path} does not match its SHA-256")
    return problems


def repair_advice(folder: Path | None = None, pip: str = "python -m pip install") -> str:
    """How to get intact shipped files back, for where this package runs from.

    A source checkout (the package runs from a git clone, e.g. an editable install): restore
    the files from git. An installed copy: reinstall the package from where it came from.
    """
    folder = FOLDER if folder is None else Path(folder)
    checkout = next((p for p in folder.parents if (p / ".git").exists()), None)
    if checkout is not None and (checkout / "workshop_utils").resolve() == folder.parent.resolve():
        return (f"restore them from git: cd {checkout} && git checkout -- workshop_utils/weights "
                "(or, after changing a recipe, rebuild them: python -m workshop_utils.trained)")
    return (f"reinstall the course package from where it came: in the course folder, {pip} --force-reinstall "
            f"--no-deps . ; from a wheelhouse, {pip} --force-reinstall --no-deps --no-index --find-links "
            "wheelhouse workshop_utils")
