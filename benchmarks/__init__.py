"""Measurements of the course (``make bench``, ``make bench-hub``, ``make bench-pulse``): run each
from the repository root as ``python -m benchmarks.<name>``; they write benchmarks/RESULTS.md
and the JSON files beside it."""
