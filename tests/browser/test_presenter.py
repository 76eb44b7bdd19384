"""Presenter mode as an instructor starts it: ``make present``, one lesson in Chromium.

``make present`` (with ``PRESENT_ARGS`` for 127.0.0.1, a free port and no browser) in a copy
of the course builds the demo-only lessons and serves them with Voilà. The test opens lesson
01 there, waits for its explorers, presses an arrow key on the pixel inspector's first slider
and waits for the explorer's picture to change; then it checks that none of the lesson's code
is on the page, and that no exercise, stub or checker made it there. A screenshot goes to
``tests/_artifacts/screenshots/presenter_01.png``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from procs import stop_group, wait_until_up  # noqa: E402 - tools/ is not a package

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("COURSE_ARTIFACTS", ROOT / "tests" / "_artifacts" / "screenshots"))
LESSON = "01_input_to_tensor.ipynb"
START_S = 120
RENDER_TIMEOUT_MS = 180_000
MOVE_TIMEOUT_MS = 20_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def present_server(tmp_path_factory, chromium_path):
    """The base URL of Voilà, started by ``make present`` in a copy of the course."""
    try:
        import voila  # noqa: F401
    except ImportError:
        pytest.skip("Voilà is not installed: `pip install -e '.[present]'` (make env does)")
    from learner_lab import copy_course, free_port

    tmp = tmp_path_factory.mktemp("present")
    root = copy_course(tmp / "course")
    if subprocess.run(["make", "-q", "env"], cwd=root, capture_output=True).returncode != 0:
        raise RuntimeError("the course environment .venv is missing or out of date: run `make env` "
                           "(make test does) before this test")
    port = free_port()
    args = f"--no-browser --port={port} --Voila.ip=127.0.0.1 --Voila.port_retries=0"
    log_path = tmp / "make-present.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(["make", "present", f"PRESENT_ARGS={args}"], cwd=root, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    def answers():
        with urllib.request.urlopen(base + "/", timeout=10) as r:
            return r.status == 200

    try:
        wait_until_up(proc, answers, START_S, "`make present`", lambda: log_path.read_text()[-3000:])
        assert (root / "presenter" / LESSON).is_file()
        yield base
    finally:
        stop_group(proc, 30)
        log.close()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            (ARTIFACTS / "make-present.log").write_text(log_path.read_text())


def _code_lines(role_tags):
    """Distinctive source lines of the lesson's cells with these tags."""
    nb = nbformat.read(ROOT / "notebooks" / LESSON, as_version=4)
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "code" and set(cell.metadata.get("tags", [])) & role_tags:
            lines += [ln.strip() for ln in cell.source.splitlines()
                      if len(ln.strip()) > 20 and not ln.strip().startswith("#")]
    return lines


JS_ARM = """() => {
  const slider = document.querySelector('.widget-slider');
  const handle = slider && slider.querySelector('.noUi-handle, .ui-slider-handle');
  const img = document.querySelector('img.widget-image');
  if (!handle || !img) return {armed: false, handle: !!handle, img: !!img};
  window.__src0 = img.getAttribute('src');
  handle.focus();
  return {armed: true, focused: document.activeElement === handle};
}"""


def test_presenter_mode_shows_live_explorers_without_code(present_server, chromium_path,
                                                          chromium_args, sync_playwright_api,
                                                          tmp_path):
    with sync_playwright_api() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=chromium_path, headless=True,
            args=chromium_args, viewport={"width": 1280, "height": 900}, service_workers="block")
        try:
            page = ctx.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{present_server}/voila/render/{LESSON}", timeout=RENDER_TIMEOUT_MS)
            # Voilà shows the page when every cell has run: the explorers are there
            page.wait_for_selector("img.widget-image", timeout=RENDER_TIMEOUT_MS)
            page.wait_for_function("() => document.querySelectorAll('.widget-slider').length >= 2",
                                   timeout=RENDER_TIMEOUT_MS)
            armed = page.evaluate(JS_ARM)
            assert armed == {"armed": True, "focused": True}, armed
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "() => document.querySelector('img.widget-image').getAttribute('src') !== window.__src0",
                timeout=MOVE_TIMEOUT_MS)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "presenter_01.png"), full_page=True)
            text = page.inner_text("body")
            assert "Interactive Demo 1.1" in text and "Pixel inspector" in text
            # no code: no editor, and not one line of the lesson's code cells in the page
            assert page.locator(".cm-editor, .CodeMirror, .jp-InputArea-editor").count() == 0
            code = _code_lines({"setup", "demo", "exercise", "check"})
            assert len(code) > 20  # the lesson's own lines, looked for on the page
            shown = [ln for ln in code if ln in text]
            assert not shown, f"code on the projected page: {shown[:3]}"
            # no exercises, no stubs, no checkers
            for words in ("Coding Exercise", "not implemented", "Checkpoint", "Show a solution"):
                assert words not in text, words
            assert not [e for e in errors if "widget" in e.lower()], errors
        finally:
            ctx.close()
