"""The learner's side of the class pulse: post a checker's verdict, never in the way.

Opt-in, one setting (an environment variable, or ``%env`` in a notebook)::

    WORKSHOP_PULSE=http://192.168.1.20:8765#K7QX-29MD   # a room of laptops: URL#room code
    WORKSHOP_PULSE=http://127.0.0.1:8000/services/pulse/#hub   # on a hub (set by the hub)

Absent (the default, anyone working alone): :func:`send` returns after one dictionary
look-up and nothing leaves the kernel. Present: the verdict -- exercise id, ok, mistake code,
a timestamp and a pseudonym, nothing else -- goes into a bounded queue that one daemon
thread empties, each post with a ``TIMEOUT`` of 0.5 s; every failure (no service, a slow
one, a refused post, a full queue) is dropped silently, so a checker returns as fast as
without the pulse and no lesson ever waits on the network.

The credential: the room code after ``#``; ``#hub`` means the token JupyterHub gives the
learner's server (``JUPYTERHUB_API_TOKEN``), sent only when the setting says ``#hub``, so
a hub token never goes to a laptop's service. The pseudonym: the hub user name on a hub
(``JUPYTERHUB_USER``; the service takes it from the token anyway), else a random name made
once per kernel session.

This module imports only ``os`` at import time: it is imported by every checker.
"""

from __future__ import annotations

import os

SETTING = "WORKSHOP_PULSE"
TIMEOUT = 0.5  # seconds for one post, in the background thread
QUEUE_MAX = 64  # verdicts waiting to be sent; more are dropped
PATH = "api/verdicts"

_state: dict = {}  # pid -> (queue, thread, lock); made on first send (and again after a fork)
_session: dict = {}  # pid -> this kernel session's random pseudonym


def setting(value: str | None = None):
    """``(endpoint, credential)`` from the setting's value (the environment's by default),
    or None when it is absent or not an http(s) URL."""
    value = os.environ.get(SETTING, "") if value is None else value
    value = value.strip()
    if not value.startswith(("http://", "https://")):
        return None
    url, _, code = value.partition("#")
    if code == "hub":
        code = os.environ.get("JUPYTERHUB_API_TOKEN", "")
    return url.rstrip("/") + "/" + PATH, code.strip()


def pseudonym() -> str:
    """The hub user name where the hub set one, else a random name for this kernel session."""
    user = os.environ.get("JUPYTERHUB_USER")
    if user:
        return user
    pid = os.getpid()
    if pid not in _session:
        import secrets

        _session[pid] = "learner-" + secrets.token_hex(3)
    return _session[pid]


def send(exercise: str, ok: bool, code: str) -> bool:
    """Queue one verdict for the pulse service; True if queued. Never raises, never waits."""
    if not os.environ.get(SETTING):
        return False
    try:
        if setting() is None:  # e.g. "%env WORKSHOP_PULSE=off": not a URL, nothing to send to
            return False
        import time

        payload = {"exercise": str(exercise), "ok": bool(ok), "code": str(code),
                   "ts": round(time.time(), 3), "pseudonym": pseudonym()}
        queue = _worker()
        queue.put_nowait(payload)
        return True
    except Exception:  # noqa: BLE001 - a full queue, or anything else: the lesson goes on
        return False


def pending() -> int:
    """Verdicts queued or being sent in this process (tests wait for 0)."""
    entry = _state.get(os.getpid())
    return 0 if entry is None else entry[0].unfinished_tasks


def _worker():
    pid = os.getpid()
    entry = _state.get(pid)
    if entry is not None and entry[1].is_alive():
        return entry[0]
    import queue
    import threading

    lock = _state.get("lock") or _state.setdefault("lock", threading.Lock())
    with lock:
        entry = _state.get(pid)
        if entry is not None and entry[1].is_alive():
            return entry[0]
        q = entry[0] if entry is not None else queue.Queue(maxsize=QUEUE_MAX)
        thread = threading.Thread(target=_run, args=(q,), name="workshop-pulse", daemon=True)
        thread.start()
        _state[pid] = (q, thread)
        return q


def _run(q) -> None:
    import json
    import urllib.request

    while True:
        payload = q.get()
        try:
            where = setting()
            if where is not None:
                endpoint, credential = where
                req = urllib.request.Request(
                    endpoint, data=json.dumps(payload).encode(), method="POST",
                    headers={"Content-Type": "application/json",
                             **({"Authorization": f"token {credential}"} if credential else {})})
                with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
                    resp.read(1024)
        except Exception:  # noqa: BLE001 - no service, slow, refused: dropped, silently
            pass
        finally:
            q.task_done()


def check_line(value: str) -> int:
    """``python -m workshop_utils.check --pulse URL#CODE``: is the service there, does it take
    the code? Prints the one line to set (0), or what is wrong (1)."""
    import json
    import urllib.error
    import urllib.request

    where = setting(value)
    if where is None:
        print(f"✗ {value!r} is not a pulse setting: it looks like http://192.168.1.20:8765#ROOM-CODE "
              "(the line the instructor shows)")
        return 1
    endpoint, credential = where
    ping = endpoint[: -len(PATH)] + "api/ping"
    req = urllib.request.Request(ping, headers={"Authorization": f"token {credential}"} if credential else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            resp.read(1024)
    except urllib.error.HTTPError as exc:
        try:
            why = json.loads(exc.read(4096).decode()).get("error", exc.reason)
        except ValueError:
            why = exc.reason
        print(f"✗ the class pulse at {ping[:-8]} answered HTTP {exc.code}: {why}")
        return 1
    except OSError as exc:
        print(f"✗ no class pulse answers at {ping[:-8]} ({getattr(exc, 'reason', exc)}): is the address "
              "right, and are you on the room's network?")
        return 1
    print(f"✓ the class pulse at {ping[:-8]} takes this room code. To send your checkers' verdicts "
          "(exercise, right or wrong, the mistake's code; never your code), run this in a notebook:")
    print(f"    %env {SETTING}={value.strip()}")
    print(f"  or set it before starting JupyterLab (macOS/Linux: export {SETTING}='{value.strip()}'; "
          f"Windows: set {SETTING}={value.strip()}). Leaving it unset sends nothing.")
    return 0
