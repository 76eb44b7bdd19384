"""A learner on the course's JupyterHub, driven as a browser drives it (REST + websocket).

Used by the hub smoke test (``tests/test_hub.py``) and the class load test
(``benchmarks/hub_load.py``). ``start_hub`` runs ``deploy/local/jupyterhub_config.py`` (the
config ``make hub`` runs) in a folder of its own on free loopback ports; run as root, the
hub makes a system user per learner (with a prefix unique to this run, removed again at the
end). A :class:`Learner` logs in with a password of its own, set at its first login
(FirstUseAuthenticator: the hub's login form, cookies and its ``_xsrf``), starts
its server, follows the nbgitpuller link, asks the hub for an API token for itself (what
JupyterLab's token page does) and talks to its server's REST API and kernel websocket with
it. Its kernels are :class:`tools.kernelclient.KernelClient`: cells run, sliders moved through
the widget comm protocol (``comm_msg`` ``update`` on the slider's model, as the browser's widget
manager sends it), the picture's redraw (the explorer's ``Image`` model update) timed as the
client sees it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import requests

from tools import ROOT
from tools.kernelclient import KernelClient
from tools.procs import stop_group, wait_until_up

CONFIG = ROOT / "deploy" / "local" / "jupyterhub_config.py"


def free_port_block(n: int = 3) -> int:
    """A port p with p..p+n-1 free on 127.0.0.1 (the proxy, the hub, the proxy's API)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n >= 65535:
            continue
        try:
            socks = []
            for i in range(n):
                t = socket.socket()
                socks.append(t)
                t.bind(("127.0.0.1", base + i))
            return base
        except OSError:
            continue
        finally:
            for t in socks:
                t.close()
    raise RuntimeError("no block of free loopback ports")


class Hub:
    """A running hub: its URL, the instructors and their password, admin-service token, process,
    folder and (as root) the prefix of the learners' system users."""

    def __init__(self, url, password, admin_token, proc, folder, log, instructors=("instructor",),
                 user_prefix=None):
        self.url, self.password, self.admin_token = url, password, admin_token
        self.proc, self.folder, self.log = proc, folder, log
        self.instructors, self.user_prefix = list(instructors), user_prefix

    def home(self, name: str) -> Path:
        return self.folder / "users" / f"{self.user_prefix or ''}{name}"

    def admin(self, path, method="GET", **kw):
        r = requests.request(method, f"{self.url}/hub/api{path}", timeout=120,
                             headers={"Authorization": f"token {self.admin_token}"}, **kw)
        r.raise_for_status()
        return r.json() if r.content else None

    def log_tail(self, n=4000) -> str:
        return Path(self.log).read_text(errors="replace")[-n:]


@contextlib.contextmanager
def passable(paths):
    """As root: let other users pass (``o+x``, not list) the folders on the way to ``paths`` that
    do not (e.g. /root when the Python lives under it), and restore their modes afterwards:
    what a hub run as root needs for its learners' system users to run the course environment
    (``run_hub.py`` asks the instructor to do it by hand)."""
    sys.path.insert(0, str(ROOT / "deploy" / "local"))
    import run_hub

    changed = {}
    try:
        for d in run_hub.unreachable(paths):
            changed[d] = os.stat(d).st_mode & 0o7777
            os.chmod(d, changed[d] | 0o001)
        yield list(changed)
    finally:
        for d, mode in changed.items():
            with contextlib.suppress(OSError):
                os.chmod(d, mode)


def scratch_folder(prefix: str) -> Path:
    """A new folder for a test hub's state that the learners' system users may pass (0711;
    pytest's tmp folders are 0700 under root). In /dev/shm where there is one: the hub's
    sqlite database commits with fsync, and on a disk busy with the parallel test suite a
    start that takes 4 s on a quiet machine took over 120 s (CI, stop 28), each commit
    waiting on the disk. The caller removes it."""
    shm = Path("/dev/shm")
    where = shm if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else Path(tempfile.gettempdir())
    top = Path(tempfile.mkdtemp(prefix=prefix, dir=where))
    top.chmod(0o711)
    return top


@contextlib.contextmanager
def start_hub(python: str, folder: Path, node_modules: Path, source: Path = ROOT, extra_env=None,
              start_s: float = 300, instructors=("instructor",)):
    """JupyterHub with the course's local config in ``folder``; yields a :class:`Hub`.

    ``python``: the hub environment's interpreter (``.venv-hub``); ``node_modules``: where
    ``npm ci`` put configurable-http-proxy; ``source``: the checkout whose committed HEAD
    learners pull (``make hub``'s course repository). As root, the learners' servers run as
    system users ``<prefix><name>`` with a prefix unique to this call; they and their group
    are deleted when the hub stops, and ``folder`` must be reachable by them (not under a
    0700 folder such as pytest's /tmp/pytest-of-root)."""
    sys.path.insert(0, str(ROOT / "deploy" / "local"))
    import run_hub  # the same preparation make hub does

    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    root_mode = os.geteuid() == 0
    prefix = f"ct{secrets.token_hex(2)}-" if root_mode else None
    if root_mode and run_hub.unreachable([folder]):
        raise ValueError(f"{folder}: the learners' system users cannot pass {run_hub.unreachable([folder])}; "
                         "put the hub's folder where every user may pass (e.g. a 0711 folder in /tmp)")
    link = folder / "node_modules"
    if not link.exists():
        link.symlink_to(Path(node_modules).resolve(), target_is_directory=True)
    password, admin_token = secrets.token_urlsafe(12), secrets.token_hex(32)
    port = free_port_block(3)
    env = run_hub.prepare(folder, port, environ=dict(os.environ, INSTRUCTOR_PASSWORD=password,
                                                      INSTRUCTORS=",".join(instructors)))
    env.update(COURSE_HUB_API_TOKEN=admin_token, **(extra_env or {}))
    if prefix:
        env["COURSE_HUB_USER_PREFIX"] = prefix
    run_hub.course_repo(folder, source)
    log_path = folder / "jupyterhub.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    os.chmod(log_path, 0o600)
    hub = None
    with contextlib.ExitStack() as stack:
        if root_mode:
            here = [Path(os.path.realpath(python)), Path(python).parent, folder]
            here += [Path(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
            stack.enter_context(passable(here))
            run_hub.lock_secrets(folder)
        proc = subprocess.Popen([os.path.abspath(python), "-m", "jupyterhub", "-f", str(CONFIG)], cwd=folder,
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=(lambda: os.umask(0o077)) if root_mode else None)
        hub = Hub(f"http://127.0.0.1:{port}", password, admin_token, proc, folder, log_path,
                  instructors=instructors, user_prefix=prefix)
        try:
            # requests' errors are OSErrors: "not yet"
            wait_until_up(proc, lambda: requests.get(f"{hub.url}/hub/api/", timeout=5).ok, start_s,
                          "JupyterHub", hub.log_tail)
            yield hub
        finally:
            stop_group(proc, 60)  # the hub stops the learners' servers (cleanup_servers)
            log.close()
            if prefix:
                from system_users import remove_system_users

                remove_system_users(prefix)


class Learner:
    """One learner: a browser session (cookies) on the hub, then a token for its own server.

    ``name`` is what the learner types (``"Ada "`` is the hub user ``ada``); ``password`` the
    one they choose at their first login (default: one made for them; an instructor's is the
    hub's instructor password)."""

    def __init__(self, hub: Hub, name: str, password: str | None = None):
        self.hub, self.typed = hub, name
        self.name = name.strip().lower()  # JupyterHub's normalisation
        if password is None:
            password = hub.password if self.name in hub.instructors else secrets.token_urlsafe(12)
        self.password = password
        self.s = requests.Session()
        self.token = None

    @property
    def server_url(self) -> str:
        return f"{self.hub.url}/user/{self.name}"

    def _xsrf(self, path="/hub/"):
        for c in self.s.cookies:
            if c.name == "_xsrf" and (c.path or "/") == path:
                return c.value
        return next((c.value for c in self.s.cookies if c.name == "_xsrf"), "")

    def login(self, password: str | None = None) -> None:
        r = self.s.get(f"{self.hub.url}/hub/login", timeout=60)
        r.raise_for_status()
        r = self.s.post(f"{self.hub.url}/hub/login?next=", timeout=60, allow_redirects=False,
                        data={"username": self.typed, "password": password or self.password,
                              "_xsrf": self._xsrf()})
        if r.status_code != 302 or not any(c.name.startswith("jupyterhub-session") for c in self.s.cookies):
            raise PermissionError(f"login of {self.name} refused (HTTP {r.status_code})")

    def _hub_api(self, path, method="GET", **kw):
        r = self.s.request(method, f"{self.hub.url}/hub/api{path}", timeout=120,
                           headers={"X-XSRFToken": self._xsrf()}, **kw)
        r.raise_for_status()
        return r.json() if r.content else None

    def start_server(self, timeout: float = 300) -> float:
        """Ask the hub for this learner's server, wait until it answers; returns the seconds taken."""
        t0 = time.monotonic()
        self._hub_api(f"/users/{self.name}/server", "POST")
        while True:
            user = self._hub_api(f"/users/{self.name}")
            server = user.get("servers", {}).get("")
            if server and server.get("ready"):
                break
            if time.monotonic() - t0 > timeout:
                raise TimeoutError(f"{self.name}'s server not ready after {timeout} s")
            time.sleep(0.25)
        self.token = self._hub_api(f"/users/{self.name}/tokens", "POST",
                                   json={"note": "course client", "expires_in": 7200})["token"]
        self.api("/api/status")
        return time.monotonic() - t0

    def pull_course(self, link: str, timeout: float = 300) -> dict:
        """Open the nbgitpuller ``link`` as a browser does: the hub sends the learner to their
        server's git-pull page, whose script streams the pull from ``git-pull/api``; returns
        the path the link opens (``urlpath``) and the stream's last event."""
        r = self.s.get(link, timeout=120)  # user-redirect -> OAuth with the hub -> the git-pull page
        r.raise_for_status()
        if "/git-pull" not in r.url:
            raise RuntimeError(f"the link did not reach the git-pull page (landed on {r.url})")
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(r.url).query)
        api = r.url.split("/git-pull", 1)[0] + "/git-pull/api?" + urllib.parse.urlsplit(r.url).query
        last = None
        with self.s.get(api, stream=True, timeout=timeout) as stream:
            stream.raise_for_status()
            for line in stream.iter_lines(decode_unicode=True):
                if line and line.startswith("data:"):
                    last = json.loads(line[5:])
                    if last.get("phase") in ("finished", "error"):
                        break
        if not last or last.get("phase") != "finished":
            raise RuntimeError(f"nbgitpuller did not finish: {last}")
        return {"urlpath": q["urlpath"][0], "last": last}

    def api(self, path, method="GET", **kw):
        r = requests.request(method, f"{self.server_url}{path}", timeout=120,
                             headers={"Authorization": f"token {self.token}"}, **kw)
        r.raise_for_status()
        return r.json() if r.content else None

    def kernel(self, kernel_id: str | None = None) -> KernelClient:
        """The kernel ``kernel_id`` of this learner's server; by default a new one of the
        course's kernelspec."""
        if kernel_id is None:
            kernel_id = self.api("/api/kernels", "POST", json={"name": "python3"})["id"]
        return KernelClient(self.server_url, self.token, kernel_id)

    def open_notebook(self, path: str) -> tuple[dict, KernelClient]:
        """The notebook's JSON (contents API) and a kernel session for it, as JupyterLab opens one."""
        nb = self.api(f"/api/contents/{urllib.parse.quote(path)}")["content"]
        sess = self.api("/api/sessions", "POST",
                        json={"path": path, "type": "notebook", "name": Path(path).name,
                              "kernel": {"name": "python3"}})
        return nb, self.kernel(sess["kernel"]["id"])

    def stop_server(self) -> None:
        with contextlib.suppress(requests.RequestException):
            self.hub.admin(f"/users/{self.name}/server", "DELETE")
