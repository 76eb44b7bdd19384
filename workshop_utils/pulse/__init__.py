"""The class pulse: the checkers' verdicts, live, on the instructor's dashboard.

* :mod:`.client` (imported by every checker, costs one ``os.environ`` look-up when the
  setting is absent): sends ``{exercise, ok, code, ts, pseudonym}`` from a background
  thread when ``WORKSHOP_PULSE`` is set -- never the learner's code, values or files.
* :mod:`.server` (tornado; ``make pulse`` or a JupyterHub service): receives them, keeps
  them in memory and serves the dashboard (``python -m workshop_utils.pulse --help``).
* ``catalog.json`` (written by ``tools/pulse_catalog.py``): the exercises the service
  accepts, and for each mistake code the checker's message and the instructor notes' words.

What is collected and why: ``learners/privacy.md``.
"""

from .client import SETTING, send, setting

__all__ = ["SETTING", "send", "setting"]
