"""Every course notebook as a learner meets it: JupyterLab in headless Chromium.

For each ``notebooks/NN_*.ipynb``: open it, Run All, wait for the kernel to go idle, then
assert that no cell has an error output, that every cell calling ``plt.show()`` (at its top
level) shows a figure, that no widget failed ("Error displaying widget")
or fell back to its plain-text form (``VBox(children=…)``, ``interactive(children=…)``),
and that at least the expected number of sliders rendered. The expected number is

* the number of sliders inside the widgets the notebook displayed, as the kernel knows
  them (every slider a notebook shows must render in the page), and at least
* ``metadata["workshop"]["min_sliders"]`` where a notebook declares it (optional), and
* one displayed slider widget or explorer per "Interactive Demo" heading.

Then, in each explorer: focus a slider handle, press the arrow key, and wait until the
explorer's ``<img>`` holds new image bytes; five presses per explorer, timed by the
browser's clock from keydown to the new image loaded. Times go to ``latencies.json`` and a
screenshot of the whole notebook to ``<name>.png``, in ``tests/_artifacts/screenshots/``
(``$COURSE_ARTIFACTS``). No timing is asserted; a move must show its image within
``MOVE_TIMEOUT_MS``, which is a hang detector only.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from tools import ROOT

ARTIFACTS = Path(os.environ.get("COURSE_ARTIFACTS", ROOT / "tests" / "_artifacts" / "screenshots"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
RUN_ALL_TIMEOUT_S = 900
RENDER_TIMEOUT_MS = 60_000
MOVE_TIMEOUT_MS = 45_000  # a bound, not a measurement: make test runs this beside pip installs
MOVES = 5
SLIDERS_TRIED_PER_EXPLORER = 2

pytestmark = pytest.mark.slow

# a widget shown as its text repr instead of being rendered
WIDGET_AS_TEXT = re.compile(
    r"\b(?:interactive|\w*Box|\w*Slider|Image|Dropdown|Button|HTML|Output|Label|Checkbox|"
    r"ToggleButtons|RadioButtons|Play|Tab|Accordion|\w*Progress)\((?:children|value|description|"
    r"layout|options|min|max)="
)
WIDGET_CONSOLE_ERROR = re.compile(r"widget|Could not create (a )?view|model not found", re.I)

JS_OPEN = """async (path) => {
  const app = window.jupyterapp;
  await app.started; await app.restored;
  const panel = await app.commands.execute('docmanager:open',
                                          {path, factory: 'Notebook', kernel: {name: 'python3'}});
  await panel.context.ready;
  await panel.sessionContext.ready;
  window.__panel = panel;
  window.__iopub = [];
  const kernel = panel.sessionContext.session.kernel;
  kernel.iopubMessage.connect((_, msg) => {
    const t = msg.header.msg_type, c = msg.content;
    if (t === 'error') window.__iopub.push({type: t, text: c.ename + ': ' + c.evalue,
                                            parent: msg.parent_header.msg_type});
    if (t === 'stream' && c.name === 'stderr') window.__iopub.push({type: 'stderr', text: c.text,
                                                                    parent: msg.parent_header.msg_type});
  });
  app.shell.activateById(panel.id);
  return panel.sessionContext.session.kernel.name;
}"""

JS_RUN_ALL = """async (timeoutMs) => {
  const app = window.jupyterapp;
  app.shell.activateById(window.__panel.id);
  const run = app.commands.execute('notebook:run-all-cells');
  const timer = new Promise((res) => setTimeout(() => res('timeout'), timeoutMs));
  const r = await Promise.race([run, timer]);
  return r === 'timeout' ? 'timeout' : String(r);
}"""

JS_IDLE = """() => {
  const p = window.__panel;
  const k = p.sessionContext.session && p.sessionContext.session.kernel;
  if (!k || k.status !== 'idle') return false;
  return ![...p.content.node.querySelectorAll('.jp-InputPrompt')]
    .some((e) => e.textContent.includes('*'));
}"""

JS_OUTPUTS = """() => {
  const p = window.__panel, res = {errors: [], stderr: [], widgets: [], plain: [], cells: 0, images: {}};
  p.content.widgets.forEach((cell, ci) => {
    if (cell.model.type !== 'code') return;
    res.cells += 1;
    const outs = cell.model.outputs.toJSON();
    const views = cell.outputArea ? cell.outputArea.widgets : [];
    outs.forEach((o, oi) => {
      if (o.output_type === 'error') res.errors.push({cell: ci, text: o.ename + ': ' + o.evalue});
      if (o.output_type === 'stream' && o.name === 'stderr') {
        res.stderr.push({cell: ci, text: Array.isArray(o.text) ? o.text.join('') : o.text});
      }
      const data = o.data || {};
      if (Object.keys(data).some((m) => m.startsWith('image/'))) res.images[ci] = (res.images[ci] || 0) + 1;
      const wv = data['application/vnd.jupyter.widget-view+json'];
      if (wv) {
        const node = views[oi] && views[oi].node;
        if (node) node.setAttribute('data-test-model-id', wv.model_id);
        res.widgets.push({cell: ci, model_id: wv.model_id, in_page: !!node});
      }
    });
  });
  p.content.node.querySelectorAll('.jp-OutputArea-output[data-mime-type="text/plain"]').forEach((e) => {
    res.plain.push(e.textContent.slice(0, 400));
  });
  return res;
}"""

JS_WIDGETS_RENDERED = """(ids) => ids.every((id) => {
  const n = document.querySelector(`[data-test-model-id="${id}"]`);
  return n && (n.querySelector('.jupyter-widgets') || n.textContent.includes('Error displaying widget'));
})"""

JS_COUNT = """() => {
  const nb = window.__panel.content.node;
  return {
    sliders: nb.querySelectorAll('.widget-slider').length,
    // a widget that failed: ipywidgets' message, JupyterLab's broken-widget box, or a
    // widget still loading after the wait
    widget_error: (nb.textContent.match(
      /Error displaying widget[^\\n]{0,120}|Click to show javascript error|Loading widget\\.\\.\\./g) || []),
  };
}"""

JS_NOTEBOOK_HEIGHT = """() => {
  window.jupyterapp.shell.collapseLeft();
  const nb = window.__panel.content.node;
  const scroller = nb.querySelector('.jp-WindowedPanel-outer') || nb;
  scroller.scrollTop = 0;
  return Math.max(scroller.scrollHeight, nb.scrollHeight);
}"""

JS_KERNEL_EXEC = """async (code) => {
  const k = window.__panel.sessionContext.session.kernel;
  const f = k.requestExecute({code, silent: true, store_history: false, allow_stdin: false,
                              stop_on_error: false});
  const reply = await f.done;
  return reply.content.status === 'ok' ? null : reply.content.ename + ': ' + reply.content.evalue;
}"""

JS_ARM = """async ({mid, si, ii}) => {
  const root = document.querySelector(`[data-test-model-id="${mid}"]`);
  const slider = root.querySelectorAll('.widget-slider')[si];
  const handle = slider && slider.querySelector('.noUi-handle, .ui-slider-handle');
  const img = root.querySelectorAll('img.widget-image')[ii];
  if (!handle || !img) return {armed: false, handle: !!handle, img: !!img};
  const src0 = img.getAttribute('src');
  const before = new Uint8Array(await (await fetch(src0)).arrayBuffer());
  const st = {t0: null, before};
  // A new src whose bytes equal the old picture's is not the redraw this key press asked for
  // (a late copy of the picture shown, seen under load in CI): keep waiting for a new picture.
  const same = (a, b) => !!a && a.length === b.length && a.every((v, i) => v === b[i]);
  st.identical = 0;
  st.promise = new Promise((resolve) => {
    st.obs = new MutationObserver(async () => {
      const src = img.getAttribute('src');
      if (src === src0) return;
      try { await img.decode(); } catch (e) { /* a broken image still counts as shown */ }
      const t1 = performance.now();
      let after = null;
      try { after = new Uint8Array(await (await fetch(src)).arrayBuffer()); } catch (e) { }
      if (same(after, before)) { st.identical += 1; return; }
      st.obs.disconnect();
      resolve({t1, after});
    });
    st.obs.observe(img, {attributes: true, attributeFilter: ['src']});
  });
  handle.addEventListener('keydown', () => { st.t0 = performance.now(); },
                          {capture: true, once: true});
  handle.focus();
  window.__move = st;
  return {armed: true, focused: document.activeElement === handle};
}"""

JS_WAIT_MOVE = """async (timeoutMs) => {
  const st = window.__move;
  const r = await Promise.race([st.promise,
                                new Promise((res) => setTimeout(() => res(null), timeoutMs))]);
  if (!r) { st.obs.disconnect(); return {changed: false, keydown: st.t0 !== null, identical: st.identical}; }
  return {changed: true, ms: st.t0 === null ? null : r.t1 - st.t0, keydown: st.t0 !== null,
          bytes: r.after ? r.after.length : null, identical: st.identical};
}"""

# Runs in the notebook's kernel (silently, in a namespace of its own): what each displayed
# widget holds (sliders in page order, its explorer if it is one); written as JSON to OUT.
PROBE = r'''
import gc, json, math
import ipywidgets as _w
from ipywidgets.widgets import widget as _wmod

_reg = getattr(_wmod, "_instances", None)
if _reg is None:  # ipywidgets 7
    _reg = _w.Widget.widgets
try:
    from workshop_utils.explorers import Explorer as _E
except Exception:
    _E = None
_ex = {}
if _E is not None:
    for o in gc.get_objects():  # type(o), not isinstance: some proxies raise on __class__
        if issubclass(type(o), _E) and getattr(o, "widget", None) is not None:
            _ex[id(o.widget)] = o


def _plain(v):
    try:
        json.dumps(v)
        return v
    except TypeError:
        return repr(v)


def _slider(x):
    d = {"cls": type(x).__name__, "description": x.description,
         "disabled": bool(getattr(x, "disabled", False)),
         "continuous_update": bool(getattr(x, "continuous_update", True)),
         "vertical": getattr(x, "orientation", "horizontal") == "vertical"}
    if hasattr(x, "options") and hasattr(x, "index"):
        idx = x.index
        if isinstance(idx, tuple):
            return dict(d, range=True)
        return dict(d, range=False, value=_plain(x.value), right=len(x.options) - 1 - idx, left=idx)
    v = x.value
    if isinstance(v, (tuple, list)):
        return dict(d, range=True)
    step = getattr(x, "step", 1) or 1
    e = math.log(v, x.base) if type(x).__name__ == "FloatLogSlider" else v
    return dict(d, range=False, value=_plain(v),
                right=int(math.floor((x.max - e) / step + 1e-9)),
                left=int(math.floor((e - x.min) / step + 1e-9)))


out = []
for mid in IDS:
    w = _reg.get(mid)
    if w is None:
        out.append({"model_id": mid, "found": False})
        continue
    sliders, images = [], []

    def walk(x):
        if type(x).__name__.endswith("Slider"):
            sliders.append(x)
        if isinstance(x, _w.Image):
            images.append(x)
        for c in getattr(x, "children", None) or ():
            walk(c)

    walk(w)
    ex = _ex.get(id(w))
    names = {id(c): n for n, c in ex.controls.items()} if ex is not None else {}
    item = {"model_id": mid, "found": True, "root": type(w).__name__, "n_images": len(images),
            "sliders": [dict(_slider(s), name=names.get(id(s), s.description)) for s in sliders]}
    if ex is not None:
        lr = ex.last_render_s
        item.update(explorer=type(ex).__name__, title=ex.title, render_count=ex.render_count,
                    last_render_ms=None if lr != lr else round(1000 * lr, 2),
                    render_log_ms=[round(1000 * t, 2) for t in getattr(ex, "render_log", ())],
                    image_index=next((i for i, im in enumerate(images) if im is ex.image), None))
    out.append(item)
with open(OUT, "w") as fh:
    json.dump(out, fh)
'''


def _probe(page, ids, tmp_path: Path, tag: str) -> list[dict]:
    path = tmp_path / f"probe-{tag}.json"
    code = (f"exec(compile({PROBE!r}, '<browser-test probe>', 'exec'), "
            f"{{'__name__': '__browser_probe__', 'IDS': {list(ids)!r}, 'OUT': {str(path)!r}}})")
    err = page.evaluate(JS_KERNEL_EXEC, code)
    assert err is None, f"the kernel probe failed: {err}"
    return json.loads(path.read_text())


def _close_notebook(page, base: str, token: str) -> None:
    """Close the notebook the test opened and stop every kernel (also when the page failed)."""
    try:
        page.evaluate("async () => { const p = window.__panel; window.__panel = null; if (p) "
                      "{ await p.sessionContext.shutdown(); p.dispose(); } }")
    except Exception:  # noqa: BLE001 - the REST call below stops the kernel anyway
        pass
    _shutdown_sessions(base, token)


def _demo_count(nb_path: Path) -> tuple[int, int | None]:
    nb = nbformat.read(nb_path, as_version=4)
    demos = sum(1 for c in nb.cells if c.cell_type == "markdown"
                and re.search(r"^#+ .*Interactive Demo", c.source, re.M))
    declared = nb.metadata.get("workshop", {}).get("min_sliders")
    return demos, declared


def _shutdown_sessions(base: str, token: str) -> None:
    """Stop every kernel the page started (also when the page itself failed)."""
    hdr = {"Authorization": f"token {token}"}
    try:
        with urllib.request.urlopen(urllib.request.Request(f"{base}/api/sessions", headers=hdr),
                                    timeout=30) as r:
            sessions = json.load(r)
        for s in sessions:
            req = urllib.request.Request(f"{base}/api/sessions/{s['id']}", method="DELETE", headers=hdr)
            urllib.request.urlopen(req, timeout=30).close()
    except OSError:
        pass


def _scroll_to(page, item: dict) -> None:
    page.locator(f'[data-test-model-id="{item["model_id"]}"]').scroll_into_view_if_needed()


def _keys(left: int, right: int, n: int) -> list[str]:
    """n arrow presses that stay inside the slider's range (turning back at an end)."""
    pos, top, step, keys = left, left + right, (1 if right >= left else -1), []
    for _ in range(n):
        if not 0 <= pos + step <= top:
            step = -step
        pos += step
        keys.append("ArrowRight" if step > 0 else "ArrowLeft")
    return keys


def _median(xs):
    return round(statistics.median(xs), 1) if xs else None


def split_moves(entry: dict, render_log_ms: list) -> None:
    """Adds ``kernel_ms`` and ``rest_ms`` to an explorer's entry: its moves were its last
    redraws, one each (the sampled slider is the last one moved), so the tail of the kernel's
    render log pairs with ``samples_ms``; left out where the log is shorter."""
    n = len(entry.get("samples_ms") or [])
    if n and len(render_log_ms) >= n:
        kernel = render_log_ms[-n:]
        entry["kernel_ms"] = kernel
        entry["rest_ms"] = [round(t - k, 1) for t, k in zip(entry["samples_ms"], kernel)]


def _move_one_slider(page, item: dict, si: int, s: dict, moves: int = MOVES) -> dict:
    keys = _keys(s["left"], s["right"], moves)
    samples, notes = [], []
    for key in keys:
        armed = page.evaluate(JS_ARM, {"mid": item["model_id"], "si": si, "ii": item["image_index"]})
        if not armed.get("armed"):
            notes.append(f"could not find the slider handle or the image in the page: {armed}")
            break
        if not armed.get("focused"):
            notes.append("the slider handle did not take the keyboard focus")
        page.keyboard.press(key)
        r = page.evaluate(JS_WAIT_MOVE, MOVE_TIMEOUT_MS)
        if not r["changed"]:
            notes.append(f"{key} on the handle: no new image within {MOVE_TIMEOUT_MS} ms "
                         f"(keydown seen: {r['keydown']}; pictures identical to the old one: "
                         f"{r.get('identical', 0)})")
            break
        if r["ms"] is not None:
            samples.append(round(r["ms"], 1))
    return {"slider": s["name"], "cls": s["cls"], "keys": keys,
            "continuous_update": s["continuous_update"], "samples_ms": samples, "notes": notes}


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_in_browser(nb_path, lab_server, lab_page, latency_report, tmp_path):
    base, token, server = lab_server
    name = nb_path.name
    problems: list[str] = []
    timings = {}
    t0 = time.perf_counter()
    page = lab_page.get()
    n_console, n_offsite = len(lab_page.console), len(lab_page.offsite)
    try:
        kernel_name = page.evaluate(JS_OPEN, server.notebook_path(name))
        timings["open_s"] = round(time.perf_counter() - t0, 2)

        t1 = time.perf_counter()
        ran = page.evaluate(JS_RUN_ALL, RUN_ALL_TIMEOUT_S * 1000)
        assert ran != "timeout", f"{name}: Run All did not finish in {RUN_ALL_TIMEOUT_S} s"
        page.wait_for_function(JS_IDLE, polling=250, timeout=RUN_ALL_TIMEOUT_S * 1000)
        timings["run_all_s"] = round(time.perf_counter() - t1, 2)

        out = page.evaluate(JS_OUTPUTS)
        for e in out["errors"]:
            problems.append(f"cell {e['cell']} has an error output: {e['text']}")
        for e in out["stderr"]:
            if "Traceback" in e["text"]:
                problems.append(f"cell {e['cell']} printed a traceback: {e['text'][-400:]}")
        nb_cells = nbformat.read(nb_path, as_version=4).cells
        for ci, cell in enumerate(nb_cells):
            # a plt.show() at the cell's top level always runs (one in an `if` may not)
            shows = cell.cell_type == "code" and re.search(r"^plt\.show\(\)", cell.source, re.M)
            if shows and not out["images"].get(str(ci)):
                problems.append(f"cell {ci} calls plt.show() but shows no figure in the page")
        for text in out["plain"]:
            if WIDGET_AS_TEXT.search(text):
                problems.append(f"a widget is shown as plain text: {text[:160]!r}")
        ids = [w["model_id"] for w in out["widgets"] if w["in_page"]]
        try:
            page.wait_for_function(JS_WIDGETS_RENDERED, arg=ids, polling=250, timeout=RENDER_TIMEOUT_MS)
        except Exception:  # noqa: BLE001 - reported as a problem below
            problems.append(f"not every widget output rendered within {RENDER_TIMEOUT_MS} ms")

        shown = _probe(page, ids, tmp_path, "after-run")
        expected = sum(len(w.get("sliders", [])) for w in shown)
        demos, declared = _demo_count(nb_path)
        interactive = [w for w in shown if w.get("explorer") or w.get("sliders")]
        if len(interactive) < demos:
            problems.append(f"{demos} 'Interactive Demo' headings but only {len(interactive)} "
                            "displayed explorers or slider widgets")
        floor = max(expected, declared or 0)
        try:
            page.wait_for_function(f"() => window.__panel.content.node"
                                   f".querySelectorAll('.widget-slider').length >= {floor}",
                                   polling=250, timeout=RENDER_TIMEOUT_MS)
        except Exception:  # noqa: BLE001 - the count is asserted below
            pass
        counts = page.evaluate(JS_COUNT)
        if counts["sliders"] < floor:
            problems.append(f"{counts['sliders']} sliders rendered, expected at least {floor} "
                            f"(kernel: {expected} in the displayed widgets; declared: {declared})")
        for msg in counts["widget_error"]:
            problems.append(f"the page says: {msg}")
        for w in shown:
            if not w["found"]:
                problems.append(f"widget {w['model_id']} is displayed but no longer exists in the kernel")
        timings["rendered_s"] = round(time.perf_counter() - t0, 2)

        # the whole notebook as a learner sees it after Run All
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        height = page.evaluate(JS_NOTEBOOK_HEIGHT)
        page.set_viewport_size({"width": 1280, "height": int(min(height + 200, 16000))})
        page.wait_for_timeout(300)
        page.evaluate(JS_NOTEBOOK_HEIGHT)  # scrolls it to the top again after the resize
        page.screenshot(path=str(ARTIFACTS / f"{nb_path.stem}.png"))
        page.set_viewport_size({"width": 1280, "height": 900})

        # move a slider in every explorer, time slider -> new image. Sliders with
        # continuous_update=False that wait for a button (training) are moved only where a
        # notebook has no live slider at all.
        explorers, waiting = [], []
        for item in shown:
            if not item.get("explorer"):
                continue
            entry = {"explorer": item["explorer"], "title": item.get("title"), "tries": []}
            explorers.append(entry)
            if item.get("image_index") is None:
                problems.append(f"{item['explorer']}: its image is not inside its widget")
                continue
            movable = [(i, s) for i, s in enumerate(item["sliders"])
                       if not s["range"] and not s["disabled"] and not s["vertical"]
                       and (s["left"] > 0 or s["right"] > 0)]
            if item["sliders"] and not movable:
                problems.append(f"{item['explorer']}: no slider that can move")
            live = [c for c in movable if c[1]["continuous_update"]]
            if not live:
                if movable:
                    entry["note"] = "its sliders wait for a button (continuous_update=False)"
                    waiting.append((item, entry, movable[0]))
                continue
            for si, s in live[:SLIDERS_TRIED_PER_EXPLORER]:
                _scroll_to(page, item)
                tr = _move_one_slider(page, item, si, s)
                entry["tries"].append(tr)
                if len(tr["samples_ms"]) == MOVES:
                    break
            moved = [t for t in entry["tries"] if len(t["samples_ms"]) == MOVES]
            entry["samples_ms"] = moved[0]["samples_ms"] if moved else []
            if not moved:
                problems.append(f"{item['explorer']}: moving a slider did not change its image: "
                                + "; ".join(n for t in entry["tries"] for n in t["notes"]))
        if waiting and not any(e.get("samples_ms") for e in explorers):
            item, entry, (si, s) = waiting[0]
            _scroll_to(page, item)
            tr = _move_one_slider(page, item, si, s)
            entry["tries"].append(tr)
            entry["samples_ms"] = tr["samples_ms"]
        if explorers and not any(e.get("samples_ms") for e in explorers):
            problems.append("no explorer redrew its image when a slider moved")

        after = _probe(page, ids, tmp_path, "after-moves") if explorers else []
        kernel_ms = {w["explorer"]: w.get("last_render_ms") for w in after if w.get("explorer")}
        logs = {w["explorer"]: w.get("render_log_ms") or [] for w in after if w.get("explorer")}
        for e in explorers:  # each move = the kernel's redraw of it + the rest (the round trip)
            split_moves(e, logs.get(e["explorer"], []))
        all_ms = [ms for e in explorers for ms in e.get("samples_ms", [])]
        for m in page.evaluate("() => window.__iopub"):
            if m["type"] == "error" or "Traceback" in m["text"]:
                problems.append(f"the kernel reported an error ({m['parent']}): {m['text'][-400:]}")
        console = lab_page.console[n_console:]
        offsite = lab_page.offsite[n_offsite:]
        for c in console:
            if WIDGET_CONSOLE_ERROR.search(c):
                problems.append(f"browser console: {c[:300]}")
        timings["total_s"] = round(time.perf_counter() - t0, 2)
        latency_report.add(name, {
            "kernel": kernel_name,
            "median_ms": _median(all_ms),
            "kernel_median_ms": _median([k for e in explorers for k in e.get("kernel_ms", [])]),
            "rest_median_ms": _median([k for e in explorers for k in e.get("rest_ms", [])]),
            "worst_ms": max(all_ms) if all_ms else None,
            "n": len(all_ms),
            "explorers": [dict(e, kernel_last_render_ms=kernel_ms.get(e["explorer"])) for e in explorers],
            "sliders_rendered": counts["sliders"], "sliders_expected": floor,
            "widget_outputs": len(ids), "interactive_demos": demos,
            "timings_s": timings,
            "stderr": [e["text"][:300] for e in out["stderr"]],
            "console_errors": console[:20], "blocked_offsite_requests": offsite[:20],
        })
    finally:
        _close_notebook(page, base, token)
    assert not problems, f"{name} in JupyterLab:\n  " + "\n  ".join(problems)


ROUND_TRIP_MOVES = 15
ROUND_TRIP_CODE = '''
import ipywidgets as widgets
import numpy as np
from IPython.display import display

from workshop_utils.explorers import Explorer
from workshop_utils.plotting import render


class RoundTrip(Explorer):
    """Computes nothing: shows one of two pictures rendered beforehand (the round trip alone)."""

    title = "round trip: slider -> kernel -> picture, no computation"
    figsize = (8.0, 3.5)

    def __init__(self):
        super().__init__({"k": widgets.IntSlider(value=8, min=0, max=16, description="k")})

    def setup(self):
        ax = self.fig.add_subplot()
        x = np.linspace(0, 6, 200)
        (line,) = ax.plot(x, np.sin(x))
        self.frames = []
        for phase in (0.0, 1.0):
            line.set_ydata(np.sin(x + phase))
            self.frames.append(render(self.fig))

    def compute(self, k):
        return k

    def draw(self, k):
        pass

    def describe(self, k):
        return f"k = {k}"

    def _render(self):
        return self.frames[self.state % 2]


round_trip = RoundTrip()
display(round_trip)
'''


def test_round_trip_floor(lab_server, lab_page, latency_report, tmp_path):
    """The latency floor: the same slider -> new picture measurement on an explorer that
    computes and draws nothing (two pictures of a typical size, rendered beforehand).

    What a course explorer adds above this floor is its own compute + render time; the
    benchmark report shows the floor next to the notebooks' numbers.
    """
    base, token, server = lab_server
    name = "_round_trip.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(ROUND_TRIP_CODE)])
    nbformat.write(nb, server.notebooks_dir() / name)
    page = lab_page.get()
    try:
        page.evaluate(JS_OPEN, server.notebook_path(name))
        assert page.evaluate(JS_RUN_ALL, 120_000) != "timeout"
        page.wait_for_function(JS_IDLE, polling=250, timeout=120_000)
        out = page.evaluate(JS_OUTPUTS)
        assert not out["errors"], out["errors"]
        ids = [w["model_id"] for w in out["widgets"] if w["in_page"]]
        page.wait_for_function(JS_WIDGETS_RENDERED, arg=ids, polling=250, timeout=RENDER_TIMEOUT_MS)
        (item,) = [w for w in _probe(page, ids, tmp_path, "round-trip") if w.get("explorer")]
        _scroll_to(page, item)
        tr = _move_one_slider(page, item, 0, item["sliders"][0], moves=ROUND_TRIP_MOVES)
        assert len(tr["samples_ms"]) == ROUND_TRIP_MOVES, tr["notes"]
        ms = tr["samples_ms"]
        latency_report.data["round_trip"] = {
            "what": "an explorer that computes nothing (pre-rendered pictures): the JupyterLab "
                    "widget round trip alone",
            "median_ms": round(statistics.median(ms), 1), "worst_ms": max(ms), "n": len(ms),
            "samples_ms": ms}
        latency_report.save()
    finally:
        _close_notebook(page, base, token)


def test_a_move_splits_into_the_kernels_redraw_and_the_rest():
    entry = {"samples_ms": [40.0, 55.5, 48.0]}
    split_moves(entry, [90.0, 12.0, 20.5, 14.0])  # an older redraw first, then one per move
    assert entry["kernel_ms"] == [12.0, 20.5, 14.0]
    assert entry["rest_ms"] == [28.0, 35.0, 34.0]
    short = {"samples_ms": [40.0, 55.5]}
    split_moves(short, [12.0])  # a log shorter than the moves: no guess
    assert "kernel_ms" not in short
