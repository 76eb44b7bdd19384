"""Presenter mode as an instructor starts it: ``make present``, lessons in Chromium at 1280×720.

``make present`` (with ``PRESENT_ARGS`` for 127.0.0.1, a free port, no browser, and a shorter
kernel cull time so the test need not wait a minute) in a copy of the course builds the
demo-only lessons and serves them with Voilà, at the default scale. At a projector's
1280×720 viewport:

- lesson 01: the text shows before the cells have run (progressive rendering); then the
  rendered font sizes of body text, printed outputs, slider labels and read-outs, explorer
  captions and buttons are measured (getComputedStyle, ≥ 24 px), nothing runs off the screen
  sideways, the pixel inspector's picture is drawn at the scale (its pixel width) and fits
  the screen, an arrow key on its slider changes it; none of the lesson's code, no exercise,
  stub, checkpoint or cache message is on the page; its kernel stays while the page is
  open (even idle past the cull time) and goes away once the page is gone;
- lesson 10: the quiz is there, a click on an option reveals ✓ and the reason; no cache
  message; its kernel goes away after the page closes.

``COURSE_PRESENTER_SWEEP=1`` (``make test-present-all``) adds every lesson: sizes, overflow,
no plumbing, a screenshot of the page and of each explorer, and the time to the first visible
text and to the last output, with each explorer's height
(``tests/_artifacts/screenshots/presenter_times.json``).
Screenshots go to ``tests/_artifacts/screenshots/presenter_*.png``.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from tools import ROOT
from tools.procs import stop_group, wait_until_up

ARTIFACTS = Path(os.environ.get("COURSE_ARTIFACTS", ROOT / "tests" / "_artifacts" / "screenshots"))
LESSON = "01_input_to_tensor.ipynb"
QUIZ_LESSON = "10_key_takeaways.ipynb"
ALL_LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
VIEWPORT = {"width": 1280, "height": 720}
MIN_FONT_PX = 24
START_S = 120
RENDER_TIMEOUT_MS = 600_000
FIRST_TEXT_TIMEOUT_MS = 120_000
MOVE_TIMEOUT_MS = 20_000
CULL_IDLE_S, CULL_INTERVAL_S = 10, 3  # the test's; make present's own defaults are 60 and 10
GONE_WITHIN_S = CULL_IDLE_S + CULL_INTERVAL_S + 40  # + the kernel's own shut-down, busy machine
# what a projected page must not show: cache plumbing, the set-up cell's version line,
# exercise stubs and checkpoints
PLUMBING = ("cached weights", "retrain=True", "shipped with the package", "course cache: not using",
            "the result is saved", "| seed 0", "not implemented", "✅ Checkpoint", "Show a solution",
            "\nCoding Exercise")  # an exercise's heading (lesson text may name one)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def present_server(tmp_path_factory, chromium_path):
    """Voilà started by ``make present`` in a copy of the course: its ``base`` URL and ``log``."""
    try:
        import voila  # noqa: F401
    except ImportError:
        pytest.skip("Voilà is not installed: `pip install -e '.[present]'` (make env does)")
    from learner_lab import copy_course, free_port

    tmp = tmp_path_factory.mktemp("present")
    root = copy_course(tmp / "course")
    # the environment `make present` needs (make env, which make test runs, makes it too)
    if subprocess.run(["make", "-q", "present-env"], cwd=root, capture_output=True).returncode != 0:
        raise RuntimeError("the course environment .venv is missing or out of date: run `make env` "
                           "(make test does) before this test")
    port = free_port()
    args = (f"--no-browser --port={port} --Voila.ip=127.0.0.1 --Voila.port_retries=0 "
            f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S} "
            f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}")
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
        assert "Progressive rendering is activated" in log_path.read_text()
        yield SimpleNamespace(base=base, log=log_path)
    finally:
        stop_group(proc, 30)
        log.close()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            (ARTIFACTS / "make-present.log").write_text(log_path.read_text())


@pytest.fixture
def browser(chromium_path, chromium_args, sync_playwright_api, tmp_path):
    with sync_playwright_api() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=chromium_path, headless=True,
            args=chromium_args, viewport=VIEWPORT, service_workers="block")
        try:
            yield ctx
        finally:
            ctx.close()


def kernel(base: str, kernel_id: str):
    """Voilà's record of a kernel (``connections``, ``execution_state``), or None once it is gone."""
    try:
        with urllib.request.urlopen(f"{base}/api/kernels/{kernel_id}", timeout=10) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise


def wait_gone(base: str, kernel_id: str, within_s: float) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < within_s:
        if kernel(base, kernel_id) is None:
            return time.monotonic() - t0
        time.sleep(1)
    raise AssertionError(f"kernel {kernel_id} still running {within_s:.0f} s after its page closed: "
                         f"{kernel(base, kernel_id)}")


def open_lesson(page, base: str, lesson: str) -> dict:
    """Open a projected lesson; the seconds to its first visible heading and to its last output."""
    t0 = time.monotonic()
    page.goto(f"{base}/voila/render/{lesson}", timeout=RENDER_TIMEOUT_MS, wait_until="commit")
    # progressive rendering: the lesson's text is on the screen before its cells have run
    page.wait_for_function(
        "() => { const h = document.querySelector('h1'); return !!h && h.offsetParent !== null "
        "&& h.getBoundingClientRect().top < innerHeight }", timeout=FIRST_TEXT_TIMEOUT_MS, polling=100)
    first = time.monotonic() - t0
    # every cell has its output: Voilà removes a cell's placeholder when its result arrives
    page.wait_for_function(
        "() => document.querySelectorAll('[cell-index]').length > 0 "
        "&& document.querySelectorAll('.voila-skeleton-container').length === 0",
        timeout=RENDER_TIMEOUT_MS, polling=250)
    return {"first_visible_s": round(first, 1), "complete_s": round(time.monotonic() - t0, 1)}


JS_MEASURE = """() => {
  const visible = e => e.offsetParent !== null && e.getBoundingClientRect().width > 0
                       && (e.textContent || '').trim().length > 0;
  const sizes = sel => [...document.querySelectorAll(sel)].filter(visible)
                       .map(e => parseFloat(getComputedStyle(e).fontSize));
  const kinds = {
    body: '.jp-RenderedMarkdown p, .jp-RenderedMarkdown li',
    output: '.jp-OutputArea-output pre',
    slider_label: '.widget-slider .widget-label, .widget-slider label',
    readout: '.widget-readout',
    widget_text: '.widget-html-content',
    button: 'button.jupyter-button',
  };
  const out = {};
  for (const [k, sel] of Object.entries(kinds)) {
    const s = sizes(sel);
    out[k] = s.length ? {n: s.length, min: Math.min(...s)} : {n: 0, min: null};
  }
  const over = [...document.querySelectorAll('#rendered_cells *')]
    .filter(e => !e.closest('mjx-assistive-mml'))  // MathJax's hidden copy for screen readers
    .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > innerWidth + 1)
    .map(e => e.tagName.toLowerCase() + '.' + (e.className.baseVal ?? e.className)).slice(0, 5);
  const pics = [...document.querySelectorAll('img.widget-image')].map(i => {
    const r = i.getBoundingClientRect();
    return {natural: i.naturalWidth, width: r.width, height: r.height, right: r.right}; });
  return {fonts: out, scroll_width: document.documentElement.scrollWidth, inner_width: innerWidth,
          inner_height: innerHeight, overflowing: over, pictures: pics};
}"""


def check_readable(page, required=("body", "output", "slider_label", "readout", "button")) -> dict:
    """Font sizes ≥ MIN_FONT_PX, nothing wider than the screen, pictures within it."""
    page.wait_for_timeout(1500)  # the template's check that shrinks too-wide equations
    m = page.evaluate(JS_MEASURE)
    for kind, got in m["fonts"].items():
        if kind in required:
            assert got["n"] > 0, f"no {kind} text on the page to measure: {m['fonts']}"
        if got["n"]:
            assert got["min"] >= MIN_FONT_PX, f"{kind} text at {got['min']} px: {m['fonts']}"
    assert m["scroll_width"] <= m["inner_width"], f"the page scrolls sideways: {m}"
    assert not m["overflowing"], f"runs off the screen: {m['overflowing']}"
    for pic in m["pictures"]:
        assert pic["right"] <= m["inner_width"] + 1 and pic["height"] <= m["inner_height"], (pic, m)
    return m


def check_no_plumbing(text: str):
    text = "\n" + text
    shown = [w for w in PLUMBING if w in text]
    assert not shown, f"on the projected page: {shown}"


def _code_lines(role_tags, lesson=LESSON):
    """Distinctive source lines of the lesson's cells with these tags."""
    nb = nbformat.read(ROOT / "notebooks" / lesson, as_version=4)
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
JS_KERNEL_ID = "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"


def test_projected_lesson_is_readable_live_and_its_kernel_goes(present_server, browser):
    from workshop_utils.explorers.tensors import PixelInspector

    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    base = present_server.base
    times = open_lesson(page, base, LESSON)
    # Voilà's culler starts with the first kernel
    log = present_server.log.read_text()
    assert f"Culling kernels with idle durations > {CULL_IDLE_S} seconds" in log, log[-2000:]
    page.wait_for_function("() => document.querySelectorAll('.widget-slider').length >= 2",
                           timeout=RENDER_TIMEOUT_MS)
    m = check_readable(page)
    # the pixel inspector's picture is drawn at the scale (1.75 × its 80 dpi), not stretched
    expected = int(PixelInspector.figsize[0] * PixelInspector.dpi * 1.75)
    assert m["pictures"] and abs(m["pictures"][0]["natural"] - expected) <= 2, (m["pictures"], expected)
    # every slider handle is named after its label (ipywidgets leaves it nameless; the
    # template names it), so a screen reader says "w_R slider", not "slider"
    page.wait_for_function("() => [...document.querySelectorAll('.noUi-handle[role=slider]')]"
                           ".every(h => h.getAttribute('aria-label'))", timeout=10_000)
    names = page.eval_on_selector_all(".noUi-handle[role=slider]",
                                      "hs => hs.map(h => h.getAttribute('aria-label'))")
    assert len(names) >= 2 and all(n.strip() for n in names), names
    armed = page.evaluate(JS_ARM)
    assert armed == {"armed": True, "focused": True}, armed
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('img.widget-image').getAttribute('src') !== window.__src0",
        timeout=MOVE_TIMEOUT_MS)
    # the whole pixel inspector (title, sliders, read-out, picture) fits on the screen at once
    box = page.evaluate("() => { const r = document.querySelector('img.widget-image')"
                        ".closest('.jp-OutputArea-output').getBoundingClientRect(); "
                        "return {width: r.width, height: r.height} }")
    assert box["width"] <= VIEWPORT["width"] and box["height"] <= VIEWPORT["height"], box
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => document.querySelector('img.widget-image').closest('.jp-OutputArea-output')"
                  ".scrollIntoView()")
    page.screenshot(path=str(ARTIFACTS / "presenter_01.png"))
    text = page.inner_text("body")
    assert "Interactive Demo 1.1" in text and "Pixel inspector" in text
    # no code: no editor, and not one line of the lesson's code cells in the page
    assert page.locator(".cm-editor, .CodeMirror, .jp-InputArea-editor").count() == 0
    code = _code_lines({"setup", "demo", "exercise", "check"})
    assert len(code) > 20  # the lesson's own lines, looked for on the page
    shown = [ln for ln in code if ln in text]
    assert not shown, f"code on the projected page: {shown[:3]}"
    check_no_plumbing(text)
    assert "Check yourself" in text  # the lesson's quiz is projected
    assert not [e for e in errors if "widget" in e.lower()], errors
    # the kernel: connected while the page is open, and kept even when idle past the cull time
    kid = page.evaluate(JS_KERNEL_ID)
    k = kernel(base, kid)
    assert k is not None and k["connections"] >= 1, k
    time.sleep(CULL_IDLE_S + 2 * CULL_INTERVAL_S)
    assert kernel(base, kid) is not None, "an open page lost its kernel"
    # a tab that dies without a word (no beforeunload): culled once idle and unconnected
    page.close(run_before_unload=False)
    gone = wait_gone(base, kid, GONE_WITHIN_S)
    assert f"Culling 'idle' kernel 'python3' ({kid})" in present_server.log.read_text()
    print(f"lesson 01: first text {times['first_visible_s']} s, complete {times['complete_s']} s; "
          f"fonts {m['fonts']}; inspector {box}; kernel gone {gone:.0f} s after its page")


def test_projected_quiz_reveals_its_answer_on_a_click(present_server, browser):
    from workshop_utils.explorers.takeaways import QUESTIONS

    page = browser.new_page()
    base = present_server.base
    open_lesson(page, base, QUIZ_LESSON)
    text = page.inner_text("body")
    assert "Self-check quiz" in text
    q = QUESTIONS[0]
    assert q["question"] in text
    assert q["explanation"] not in text  # not revealed before the click
    check_no_plumbing(text)
    check_readable(page, required=("body", "button"))
    box = page.locator(".widget-vbox", has_text=q["question"]).last
    box.get_by_role("button", name=q["options"][q["answer"]], exact=True).click()
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=q["explanation"],
                           timeout=MOVE_TIMEOUT_MS)
    assert "✓ Right." in box.inner_text()
    box.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "presenter_10_quiz.png"))
    kid = page.evaluate(JS_KERNEL_ID)
    assert kernel(base, kid) is not None
    page.close(run_before_unload=True)  # the tab closed as a browser closes it
    wait_gone(base, kid, GONE_WITHIN_S)


@pytest.mark.skipif(os.environ.get("COURSE_PRESENTER_SWEEP") != "1",
                    reason="every lesson projected: COURSE_PRESENTER_SWEEP=1 (make test-present-all)")
@pytest.mark.parametrize("lesson", ALL_LESSONS)
def test_every_projected_lesson(present_server, browser, lesson):
    page = browser.new_page()
    times = open_lesson(page, present_server.base, lesson)
    m = check_readable(page, required=("body",))
    check_no_plumbing(page.inner_text("body"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"presenter_{lesson[:2]}.png"))
    heights = []  # each explorer (its output: title, controls, picture), photographed
    for k in range(len(m["pictures"])):
        heights.append(page.evaluate(
            "k => { const o = document.querySelectorAll('img.widget-image')[k]"
            ".closest('.jp-OutputArea-output'); o.scrollIntoView(); "
            "return Math.round(o.getBoundingClientRect().height) }", k))
        page.screenshot(path=str(ARTIFACTS / f"presenter_{lesson[:2]}_explorer{k + 1}.png"))
    report = ARTIFACTS / "presenter_times.json"
    data = json.loads(report.read_text()) if report.is_file() else {}
    data[lesson] = {**times, "fonts": m["fonts"], "explorer_heights_px": heights}
    report.write_text(json.dumps(data, indent=1))
    page.close(run_before_unload=True)
    # explorer heights are recorded, not required to be ≤ 720 px: an explorer with many
    # controls (lesson 05's kernel editor: nine sliders) is taller than the screen
