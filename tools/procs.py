"""Servers the tests and the load test start in their own process group (make lab, make
present, JupyterHub): waiting until one answers, and stopping it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time


def stop_group(proc: subprocess.Popen, wait_s: float = 30) -> None:
    """SIGTERM to ``proc``'s whole process group, SIGKILL after ``wait_s`` seconds if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=wait_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wait_until_up(proc: subprocess.Popen, answers, start_s: float, name: str, log_tail) -> None:
    """Call ``answers()`` every half second until it returns true (an ``OSError`` -- refused
    connection, HTTP error -- means not yet). Raises, with ``log_tail()``, when ``proc`` exits
    first or ``start_s`` seconds pass."""
    deadline = time.monotonic() + start_s
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log_tail()}")
        try:
            if answers():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not answer in {start_s} s:\n{log_tail()}")
        time.sleep(0.5)
