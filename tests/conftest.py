import sys
from pathlib import Path

import matplotlib  # noqa: E402

# Agg in this test process only. Never through MPLBACKEND: an environment variable would
# reach the servers and kernels the tests start (make lab, nbval) and hide every
# plt.show() figure there, as it once hid them from learners.
matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import settings  # noqa: E402

settings.register_profile("course", deadline=None, max_examples=60)
settings.load_profile("course")
