import os
import shutil
import tempfile
from pathlib import Path

import matplotlib

# Agg in this test process only. Never through MPLBACKEND: an environment variable would
# reach the servers and kernels the tests start (make lab, nbval) and hide every
# plt.show() figure there, as it once hid them from learners.
matplotlib.use("Agg")

# The tests never touch the user's course cache: each test run (all its xdist workers, the
# notebooks nbval runs and the JupyterLab `make lab` starts) shares one empty cache, as a
# fresh machine has. An explicit WORKSHOP_CACHE is respected.
_RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID") or str(os.getpid())
_OWN_CACHE = "WORKSHOP_CACHE" not in os.environ
if _OWN_CACHE:
    os.environ["WORKSHOP_CACHE"] = str(Path(tempfile.gettempdir()) / f"workshop-test-cache-{_RUN}")

from hypothesis import settings  # noqa: E402

settings.register_profile("course", deadline=None, max_examples=60)
settings.load_profile("course")


def pytest_sessionfinish(session, exitstatus):
    if _OWN_CACHE and not hasattr(session.config, "workerinput"):  # the controller, at the very end
        shutil.rmtree(os.environ["WORKSHOP_CACHE"], ignore_errors=True)
