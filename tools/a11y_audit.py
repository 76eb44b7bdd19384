"""The course's accessibility audit with axe-core (``make a11y``): WCAG 2.2 AA, offline.

Three groups of pages, each opened in Debian's Chromium (Playwright, loopback only) with
axe-core injected (tools/a11y_axe.py; axe from npm, tools/a11y/package-lock.json):

* **site**: every page of the built course site (``--site``, ``make site`` builds it), with
  the site audit's other checks (tools/site_audit.py) and its frame players moved first;
* **presenter**: presenter mode (tools/present.py + Voilà): its file list and each lesson
  rendered by Voilà (``--presenter-lessons``);
* **jupyterlab**: one lesson run in JupyterLab (``--lab-lesson``), its explorers drawn; axe's
  findings split into the course's content (rendered Markdown, outputs, widgets) and
  JupyterLab's own interface, which the course cannot change (reported apart).

Writes a JSON report (``--report``, every violation with its nodes) and a section of
benchmarks/RESULTS.md (``--results``); exits 1 when the course's own content has a serious
or critical violation.

    python -m tools.a11y_audit --site build/site --report build/a11y-report.json \
        --results benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tools import ROOT
from tools.a11y_axe import OURS, TAGS, axe_version, blocking, counts, missing_reason, run_axe, split
from tools.mdblock import write_block
from tools.procs import stop_group, wait_until_up

CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
BEGIN, END = "<!-- a11y: written by make a11y (tools/a11y_audit.py) -->", "<!-- a11y end -->"
LAB_SETTINGS = {"@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"}}


def log(msg: str) -> None:
    print(f"[a11y] {msg}", flush=True)


_SAVE = []  # where each page's result goes as soon as it is known (a long run can be stopped)


def _done(out: list, e: dict) -> None:
    out.append(e)
    for save in _SAVE:
        save(e)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _entry(group: str, page: str, violations: list[dict]) -> dict:
    parts = split(violations)
    return {"group": group, "page": page, "ours": counts(parts["ours"]),
            "ipywidgets": counts(parts["ipywidgets"]), "theirs": counts(parts["theirs"]),
            "blocking": blocking(parts["ours"]), "violations": parts["ours"],
            "ipywidgets_violations": parts["ipywidgets"], "theirs_violations": parts["theirs"]}


def audit_site(browser, site: Path) -> list[dict]:
    from tools.site_audit import audit_site as site_audit

    found = site_audit(browser, site, axe=True)
    out = []
    for rel, res in found["pages"].items():
        e = _entry("site", rel, res.get("axe", []))
        e["other_problems"] = [p for p in found["problems"] if p.startswith(f"{rel}:") and ": axe: " not in p]
        _done(out, e)
        log(f"site {rel}: {e['ours']}")
    return out


def _served(cmd: list[str], cwd: Path, url: str, name: str, logfile: Path, env=None):
    logf = open(logfile, "w")  # noqa: SIM115 - closed by the caller's stop
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True,
                            env=env)

    def answers():
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status == 200

    try:
        wait_until_up(proc, answers, 180, name, lambda: logfile.read_text()[-3000:])
    except BaseException:
        stop_group(proc, 30)
        logf.close()
        raise
    return proc, logf


def audit_presenter(browser, lessons: list[str], tmp: Path) -> list[dict]:
    from tools import present  # presenter mode as `make present` serves it: template, scale

    out_dir = tmp / "presenter"
    present.build(out_dir)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cmd, env = present.voila_command(out_dir, present.DEFAULT_SCALE, [
        "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"])
    proc, logf = _served(cmd, tmp, base + "/", "Voilà", tmp / "voila.log", env=env)
    out = []
    try:
        names = sorted(p.name for p in out_dir.glob("[0-9][0-9]_*.ipynb"))
        if lessons != ["all"]:
            names = [n for n in names if n[:2] in lessons]
        for rel in ["", *(f"voila/render/{n}" for n in names)]:
            page = browser.new_page(viewport={"width": 1280, "height": 720})  # a projector
            try:
                page.goto(f"{base}/{rel}", timeout=600_000)
                if rel:
                    page.wait_for_selector("img.widget-image", timeout=600_000)
                    page.wait_for_load_state("networkidle", timeout=120_000)
                # the file list is Voilà's own page; on a lesson, the course's content is its
                # Markdown and outputs (the same selector as in JupyterLab), the rest is Voilà's
                ours = OURS if rel else "[data-none]"
                e = _entry("presenter", rel or "(file list)", run_axe(page, ours=ours))
            finally:
                page.close()
            _done(out, e)
            log(f"presenter {rel or '(file list)'}: {e['ours']}, ipywidgets' sliders {e['ipywidgets']}")
    finally:
        stop_group(proc, 30)
        logf.close()
    return out


JS_OPEN_RUN = """async (path) => {
  const app = window.jupyterapp;
  await app.started; await app.restored;
  const panel = await app.commands.execute('docmanager:open',
                                           {path, factory: 'Notebook', kernel: {name: 'python3'}});
  await panel.context.ready; await panel.sessionContext.ready;
  window.__panel = panel;
  app.shell.activateById(panel.id);
  await app.commands.execute('notebook:run-all-cells');
  return true;
}"""
JS_IDLE = """() => {
  const p = window.__panel, k = p.sessionContext.session && p.sessionContext.session.kernel;
  return !!k && k.status === 'idle'
    && ![...p.content.node.querySelectorAll('.jp-InputPrompt')].some((e) => e.textContent.includes('*'));
}"""


def keyboard_sliders(page) -> list[dict]:
    """Each slider handle of the open notebook, as a keyboard user reaches it: focused, then
    one arrow key (left at the maximum); did its value move?"""
    handles = page.locator(".jp-NotebookPanel .widget-slider .noUi-handle")
    out = []
    for k in range(handles.count()):
        h = handles.nth(k)
        h.scroll_into_view_if_needed()
        h.focus()
        before = h.get_attribute("aria-valuenow")
        page.keyboard.press("ArrowLeft" if before == h.get_attribute("aria-valuemax") else "ArrowRight")
        page.wait_for_timeout(100)
        focused = h.evaluate("(e) => document.activeElement === e")
        out.append({"focused": focused, "before": before, "after": h.get_attribute("aria-valuenow")})
    return out


def audit_lab(browser, lesson: str, tmp: Path) -> list[dict]:
    work = tmp / "lab"
    shutil.copytree(ROOT / "notebooks", work / "notebooks")
    settings = work / "settings"
    for rel, value in LAB_SETTINGS.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(value))
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)  # this checkout's workshop_utils in the kernel
    proc, logf = _served(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
         f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={work / 'ws'}",
         "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={work / 'notebooks'}",
         *(["--allow-root"] if os.getuid() == 0 else [])],
        work, f"{base}/api/status?token={token}", "JupyterLab", work / "lab.log", env=env)
    out = []
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/lab?reset&token={token}", timeout=180_000)
        page.wait_for_function("() => !!window.jupyterapp", timeout=180_000)
        e = _entry("jupyterlab", "(empty JupyterLab)", run_axe(page, ours=OURS))
        _done(out, e)
        log(f"jupyterlab empty: ours {e['ours']}, JupyterLab's {e['theirs']}")
        page.evaluate(JS_OPEN_RUN, lesson)
        page.wait_for_function(JS_IDLE, timeout=900_000, polling=1000)
        page.wait_for_timeout(3000)  # the widgets' views
        moved = keyboard_sliders(page)
        page.wait_for_timeout(2000)  # the explorers redraw
        e = _entry("jupyterlab", lesson, run_axe(page, ours=OURS))
        e["sliders"] = {"count": len(moved), "focusable": sum(m["focused"] for m in moved),
                        "moved_by_a_key": sum(m["before"] != m["after"] for m in moved)}
        e["blocking"] += [f"a slider that the keyboard does not move: {m}" for m in moved
                          if not (m["focused"] and m["before"] != m["after"])]
        e["explorer_pictures"] = page.evaluate(
            """() => Array.from(document.querySelectorAll('img.widget-image'))
                 .map((i) => i.getAttribute('title') || i.getAttribute('alt') || '')""")
        _done(out, e)
        log(f"jupyterlab {lesson}: ours {e['ours']}, ipywidgets' sliders {e['ipywidgets']}, "
            f"JupyterLab's {e['theirs']}; sliders {e['sliders']}")
        page.close()
    finally:
        stop_group(proc, 30)
        logf.close()
    return out


def results_section(report: dict) -> str:
    lines = [BEGIN, "## Accessibility (`make a11y`)", "",
             f"axe-core {report['axe']} ({', '.join(TAGS)}) in {report['chromium']}, {report['when']}. "
             "Failing nodes by impact (critical / serious / moderate / minor): the course's own "
             "content; ipywidgets' slider handles (no accessible name: ipywidgets gives noUiSlider's "
             "handle none; presenter mode's template names each after its label, JupyterLab runs no "
             "script of the course's that could); JupyterLab's or Voilà's own interface.", "",
             "| group | page | course content | ipywidgets' sliders | JupyterLab's or Voilà's own |",
             "|---|---|---|---|---|"]
    for e in report["pages"]:
        fmt = lambda c: " / ".join(str(c[k]) for k in ("critical", "serious", "moderate", "minor"))  # noqa: E731
        theirs = fmt(e["theirs"]) if e["group"] != "site" else ""
        lines.append(f"| {e['group']} | {e['page']} | {fmt(e['ours'])} | {fmt(e['ipywidgets'])} | {theirs} |")
    for e in report["pages"]:
        if "sliders" in e:
            sl = e["sliders"]
            lines += ["", f"Keyboard, {e['page']} in JupyterLab: {sl['count']} slider handles, "
                      f"{sl['focusable']} take the focus, {sl['moved_by_a_key']} move with an arrow key."]
    lines += ["", f"Serious or critical on the course's content: {report['blocking']}.", "", END]
    return "\n".join(lines)


def write_results(report: dict, md: Path) -> None:
    write_block(md, BEGIN, END, results_section(report))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, help="a built site (make site: build/site)")
    ap.add_argument("--presenter-lessons", default="all",
                    help="'all', 'none' or lesson numbers, e.g. 01,06 (Voilà executes each)")
    ap.add_argument("--lab-lesson", default="06_softmax.ipynb",
                    help="the lesson run in JupyterLab ('none': skip)")
    ap.add_argument("--report", type=Path, default=ROOT / "build" / "a11y-report.json")
    ap.add_argument("--results", type=Path, help="rewrite the accessibility section of this RESULTS.md")
    args = ap.parse_args(argv)
    reason = missing_reason()
    if reason:
        raise SystemExit(reason)
    from playwright.sync_api import sync_playwright

    pages = []
    partial = args.report.with_suffix(".partial.jsonl")
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_text("")

    def save(e):
        with partial.open("a") as f:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")

    _SAVE.append(save)
    with tempfile.TemporaryDirectory(prefix="a11y-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            chromium = f"Chromium {browser.version}"
            if args.site:
                if not (args.site / "index.html").is_file():
                    raise SystemExit(f"no site in {args.site}: run `make site` first")
                pages += audit_site(browser, args.site.resolve())
            if args.presenter_lessons != "none":
                lessons = ["all"] if args.presenter_lessons == "all" else [
                    s.strip().zfill(2) for s in args.presenter_lessons.split(",")]
                pages += audit_presenter(browser, lessons, Path(tmp))
            if args.lab_lesson != "none":
                pages += audit_lab(browser, args.lab_lesson, Path(tmp))
        finally:
            browser.close()
    bad = [f"{e['group']} {e['page']}: {line}" for e in pages for line in e["blocking"]]
    report = {"axe": axe_version(), "tags": TAGS, "chromium": chromium,
              "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "blocking": len(bad), "pages": pages}
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    if args.results:
        write_results(report, args.results)
    log(f"{len(pages)} page(s); report in {args.report}")
    for line in bad:
        log(f"SERIOUS/CRITICAL {line}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
