"""The course's maintainer tools: run each from the repository root as ``python -m tools.<name>``
(the Makefile does). Tests and benchmarks import them as ``tools.<name>``; ``ROOT`` is the
repository's root folder."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
