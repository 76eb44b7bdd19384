"""Real-browser fixtures: one JupyterLab server and one headless Chromium for the session.

JupyterLab is started from this test environment's own Python on 127.0.0.1 at a free port
with a random token, serving a temporary copy of ``notebooks/`` (so nothing a run saves
touches the repository), with every Jupyter folder (config, data, runtime, settings,
workspaces, IPython) in a temporary directory; it is stopped after the session.

Chromium is Debian's package (``/usr/bin/chromium``, or ``$COURSE_CHROMIUM``) driven by
Playwright for Python; Playwright's own browser download is never used. Host names other
than the loopback resolve to nothing, so no request leaves the machine.

Where Chromium, Playwright or JupyterLab is missing the browser tests skip with a reason
that says how to install it, unless ``COURSE_REQUIRE_BROWSER=1`` (set by ``.ci/run``),
where they fail instead.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("COURSE_ARTIFACTS", ROOT / "tests" / "_artifacts" / "screenshots"))
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # nothing but the loopback resolves: no request can leave the machine
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
SERVER_START_S = 180


def _missing(reason: str):
    if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"COURSE_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _missing(
            f"Chromium not found at {CHROMIUM}: install Debian's package with "
            "`apt-get update && apt-get install -y chromium` (or set COURSE_CHROMIUM to a "
            "Chromium binary); .ci/run does this before `make test`"
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def sync_playwright_api():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing(
            "Playwright for Python is not installed: `pip install -e '.[test]'` (or "
            "`pip install playwright`); the browser itself is Debian's chromium package, "
            "never `playwright install`"
        )
    return sync_playwright


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


LAB_SETTINGS = {
    # every cell stays in the page (JupyterLab 4 otherwise renders only visible cells),
    # so sliders can be counted and the whole notebook photographed
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # no update checks, no news, no pop-ups over the notebook
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "checkForUpdates": False, "fetchNews": "false", "doNotDisturbMode": True,
    },
}


def _write_jupyter_dirs(base: Path) -> dict:
    dirs = {k: base / k for k in ("config", "data", "runtime", "settings", "workspaces", "ipython")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    # the kernel is this environment's own Python, whatever else is installed on the machine
    kdir = dirs["data"] / "kernels" / "python3"
    kdir.mkdir(parents=True)
    (kdir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (course tests)", "language": "python",
    }))
    (dirs["config"] / "jupyter_server_config.json").write_text(json.dumps({
        "LabApp": {
            "expose_app_in_browser": True,
            "news_url": None,
            "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate",
            "extension_manager": "readonly",
        },
    }))
    for rel, value in LAB_SETTINGS.items():
        path = dirs["settings"] / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    return dirs


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, chromium_path):
    """``(base_url, token, root)``: JupyterLab serving a copy of the course."""
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        _missing("JupyterLab is not installed in this environment: `pip install -e '.[lab,test]'` "
                 "(make test does)")
    base = tmp_path_factory.mktemp("lab")
    root = base / "course"
    shutil.copytree(ROOT / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    if (ROOT / "assets").is_dir():
        (root / "assets").symlink_to(ROOT / "assets")  # for ../assets/… links in markdown
    dirs = _write_jupyter_dirs(base / "jupyter")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # the Makefile's Agg would hide plt.show() figures from the page
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        IPYTHONDIR=str(dirs["ipython"]),
        JUPYTER_PLATFORM_DIRS="1",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
        PYTHONUNBUFFERED="1",
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / "jupyterlab.log", "w")  # noqa: SIM115 - closed below
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        "--ServerApp.allow_root=True",  # CI runs as root
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={dirs['settings']}",
        f"--LabApp.workspaces_dir={dirs['workspaces']}",
    ]
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_S
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {proc.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(f"{base_url}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not answer in {SERVER_START_S} s; see {log.name}")
            time.sleep(0.5)
        yield base_url, token, root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def lab_context(sync_playwright_api, chromium_path, lab_server, tmp_path_factory):
    """Debian's Chromium with a fresh profile: one browser context for the session
    (JupyterLab's scripts are cached across the pages of the notebooks)."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright_api() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(profile),  # Chromium's --user-data-dir, new and empty
            executable_path=chromium_path,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            service_workers="block",
        )
        ctx.set_default_timeout(60_000)
        try:
            yield ctx
        finally:
            ctx.close()


class LabPage:
    """One JupyterLab page for the session; each test opens its notebook in it.

    Loading JupyterLab costs seconds per page on a busy machine, so notebooks are opened
    and closed in the same page; a page that broke (crashed, or lost its app) is reloaded.
    """

    def __init__(self, context, base_url: str, token: str):
        self.context, self.base_url, self.token = context, base_url, token
        self.page = None
        self.console: list[str] = []
        self.offsite: list[str] = []

    def _load(self):
        if self.page is not None:
            self.page.close()
        page = self.context.new_page()
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.offsite.append(r.url)
                if not r.url.startswith(("http://127.0.0.1", "blob:", "data:")) else None)
        page.goto(f"{self.base_url}/lab?reset&token={self.token}")
        page.wait_for_function("() => !!window.jupyterapp", timeout=180_000)
        page.evaluate("async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }")
        self.page = page

    def get(self):
        try:
            ok = self.page is not None and self.page.evaluate("() => !!window.jupyterapp")
        except Exception:  # noqa: BLE001 - a crashed or closed page is reloaded
            ok = False
        if not ok:
            self._load()
        else:  # close whatever a previous test left open (a dialog, a notebook)
            self.page.keyboard.press("Escape")
            self.page.evaluate("""async () => {
              document.querySelectorAll('.jp-Dialog').forEach((d) => d.remove());
              for (const w of [...window.jupyterapp.shell.widgets('main')]) {
                if (w.sessionContext) { try { await w.sessionContext.shutdown(); } catch (e) {} }
                w.dispose();
              }
            }""")
            self.page.set_viewport_size({"width": 1280, "height": 900})
        return self.page


@pytest.fixture(scope="session")
def lab_page(lab_context, lab_server):
    base_url, token, _root = lab_server
    lp = LabPage(lab_context, base_url, token)
    yield lp
    if lp.page is not None:
        lp.page.close()


class LatencyReport:
    """Per-notebook slider -> redrawn-image times, written to ``latencies.json``."""

    def __init__(self, path: Path):
        import platform

        self.path = path
        self.data = {
            "what": "slider key press -> the explorer's <img> holds new image data (loaded), "
                    "in ms, measured by the browser's clock",
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                        "python": sys.version.split()[0]},
            "versions": _versions(),
            "notebooks": {},
        }
        if path.exists():  # keep entries of notebooks not run this time (e.g. -k one notebook)
            try:
                self.data["notebooks"].update(json.loads(path.read_text()).get("notebooks", {}))
            except (ValueError, AttributeError):
                pass

    def add(self, notebook: str, entry: dict) -> None:
        self.data["notebooks"][notebook] = entry
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.data["written"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        self.data["load_average"] = [round(x, 2) for x in os.getloadavg()]
        self.path.write_text(json.dumps(self.data, indent=1, sort_keys=True))


@pytest.fixture(scope="session")
def latency_report():
    report = LatencyReport(ARTIFACTS / "latencies.json")
    yield report
    report.save()


def _versions() -> dict:
    import importlib.metadata as md

    out = {}
    for name in ("jupyterlab", "ipywidgets", "ipykernel", "matplotlib", "numpy", "torch", "playwright"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = None
    try:
        out["chromium"] = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                                         timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out["chromium"] = None
    return out
