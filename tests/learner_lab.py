"""JupyterLab the way the README opens it: ``make lab``, in a copy of the course.

``started_by_make_lab`` copies the working tree (without its environments and git data) to
a temporary folder, links the course environment ``.venv`` into it, and runs the README's
first command there, ``make lab``, with ``LAB_ARGS`` for the port, the token, no browser and
127.0.0.1 — and with this process's environment as it is, nothing removed: what a learner's
shell would pass on reaches the server and its kernels here too. Nothing a run saves
touches the repository. :meth:`LabServer.kernel` talks to a kernel of that server over its
websocket, as JupyterLab does (``tools.kernelclient``).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tools import ROOT
from tools.kernelclient import KernelClient
from tools.procs import stop_group, wait_until_up

START_S = 180
# what a fresh clone holds: not the environments, git data, caches or test artefacts
SKIP = shutil.ignore_patterns(".venv*", ".git", ".cache", "_artifacts", "_work", "__pycache__",
                              ".pytest_cache", ".ruff_cache", ".hypothesis", ".ipynb_checkpoints",
                              "*.egg-info")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    def __init__(self, base_url: str, token: str, root: Path, log: Path):
        self.base_url, self.token, self.root, self.log = base_url, token, root, log

    def api(self, path: str, method: str = "GET", body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            text = r.read().decode()
        return json.loads(text) if text else None

    def notebook_path(self, name: str) -> str:
        """The server's path of ``notebooks/<name>`` (make lab serves from notebooks/ itself),
        checked to exist through the contents API."""
        for path in (name, f"notebooks/{name}"):
            try:
                self.api(f"/api/contents/{urllib.parse.quote(path)}?content=0")
                return path
            except urllib.error.HTTPError:
                continue
        raise FileNotFoundError(f"the server started by make lab does not serve notebooks/{name}")

    def notebooks_dir(self) -> Path:
        """The folder on disk where the server finds the course's notebooks."""
        return self.root / "notebooks"

    def kernel(self, kernel_id: str) -> KernelClient:
        """The server's kernel ``kernel_id``, over its websocket."""
        return KernelClient(self.base_url, self.token, kernel_id, timeout=300)


def copy_course(dest: Path, venv: bool = True) -> Path:
    """A copy of the working tree, as a fresh clone has it; ``venv``: with ``.venv`` linked in."""
    shutil.copytree(ROOT, dest, ignore=SKIP, symlinks=True)
    if venv:
        (dest / ".venv").symlink_to(ROOT / ".venv", target_is_directory=True)
    return dest


@contextlib.contextmanager
def started_by_make_lab(tmp: Path, extra_args=()):
    """``make lab LAB_ARGS=…`` in a copy of the course; yields a :class:`LabServer`."""
    root = copy_course(tmp / "course")
    # The environment must be the one make test made: `make lab` would otherwise refresh
    # it from the copy (and point the editable install at a folder deleted afterwards).
    # (`make lab` needs the stamp lab-env; make env, which make test runs, makes it too)
    q = subprocess.run(["make", "-q", "lab-env"], cwd=root, capture_output=True, text=True)
    if q.returncode != 0:
        raise RuntimeError("the course environment .venv is missing or out of date: run `make env` "
                           "(make test does) before this test")
    port, token = free_port(), secrets.token_hex(16)
    args = ["--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
            f"--LabApp.workspaces_dir={tmp / 'workspaces'}", *extra_args]
    log_path = tmp / "make-lab.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    # the learner's environment as it is (not cleaned); its own process group, so that
    # stopping it stops make, JupyterLab and every kernel
    proc = subprocess.Popen(["make", "lab", "LAB_ARGS=" + " ".join(args)], cwd=root,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = LabServer(f"http://127.0.0.1:{port}", token, root, log_path)
    def answers():
        server.api("/api/status")  # raises (an OSError) until the server is up
        return True

    try:
        wait_until_up(proc, answers, START_S, "`make lab`", lambda: log_path.read_text()[-3000:])
        yield server
    finally:
        stop_group(proc, 30)
        log.close()
