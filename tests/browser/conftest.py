"""Real-browser fixtures: one JupyterLab server and one headless Chromium for the session.

JupyterLab is started the way the README starts it, by ``make lab`` (with ``LAB_ARGS`` for
127.0.0.1, a free port, a random token, no browser), in a temporary copy of the course (so
nothing a run saves touches the repository), with the test process's environment as it is:
the learner's kernel, settings overrides and environment variables; it is stopped after
the session.

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
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tools import ROOT

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
def chromium_args() -> list[str]:
    """The command-line options every test's Chromium starts with (loopback only)."""
    return list(CHROMIUM_ARGS)


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


LAB_SETTINGS = {
    # every cell stays in the page (JupyterLab 4 otherwise renders only visible cells),
    # so sliders can be counted and the whole notebook photographed (the only setting the
    # tests add: news and update prompts are off by the course's own overrides)
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, chromium_path):
    """``(base_url, token, server)``: JupyterLab started by the README's ``make lab``.

    In a copy of the course (tests/learner_lab.py), with this process's environment as it
    is and the course environment's own kernel and settings; the only additions are the
    test's settings folder (every cell kept in the page) and ``expose_app_in_browser``.
    """
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        _missing("JupyterLab is not installed in this environment: `pip install -e '.[lab,test]'` "
                 "(make test does)")
    from learner_lab import started_by_make_lab

    base = tmp_path_factory.mktemp("lab")
    settings = base / "settings"
    for rel, value in LAB_SETTINGS.items():
        path = settings / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with started_by_make_lab(base, [f"--LabApp.user_settings_dir={settings}",
                                    "--LabApp.expose_app_in_browser=True"]) as server:
        try:
            yield server.base_url, server.token, server
        finally:
            shutil.copy(server.log, ARTIFACTS / "jupyterlab.log")


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
    # make bench names its own file (COURSE_LATENCY_JSON): its quiet, serial measurement is
    # never mixed with the numbers of a make test run
    report = LatencyReport(Path(os.environ.get("COURSE_LATENCY_JSON") or ARTIFACTS / "latencies.json"))
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
