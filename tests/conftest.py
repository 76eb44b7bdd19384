import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import settings  # noqa: E402

settings.register_profile("course", deadline=None, max_examples=60)
settings.load_profile("course")
