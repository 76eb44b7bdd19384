"""axe-core (Deque's accessibility engine, the one behind Lighthouse and most audits) in a
Playwright page, offline.

axe-core comes from npm at the version pinned in ``tools/a11y/package.json`` and
``package-lock.json``, installed by ``make a11y-tools`` into ``.a11y/node_modules`` (or set
``COURSE_AXE_JS`` to an ``axe.min.js``). ``run_axe`` injects it into the page and runs the
WCAG 2.2 AA rule set; ``OURS`` tells the course's own content apart from JupyterLab's.
Used by tools/a11y_audit.py (``make a11y``) and the smoke test in
tests/browser/test_site_in_browser.py.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from tools import ROOT

AXE_JS = Path(os.environ.get("COURSE_AXE_JS", ROOT / ".a11y" / "node_modules" / "axe-core" / "axe.min.js"))
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
IMPACTS = ("critical", "serious", "moderate", "minor")
# In JupyterLab, the course's content: rendered Markdown and cell outputs (explorers, figures,
# quizzes, checker messages); everything else is JupyterLab's own interface.
OURS = ".jp-RenderedHTMLCommon, .jp-OutputArea-output, .widget-output, .jupyter-widgets"
# ipywidgets 8 draws a slider with noUiSlider, whose handle (role="slider", keyboard-operable)
# gets no accessible name: ipywidgets passes neither its description nor noUiSlider's
# handleAttributes on, and nothing a widget's Python side sets reaches that <div>. Counted
# apart from the course's content ("ipywidgets"), so that it stays visible.
LIBRARY_PREFIX = '<div class="noUi-handle'

_RUN = """async ([tags, ours, library]) => {
  const res = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  const find = (t) => { try { return document.querySelector(Array.isArray(t) ? t[t.length - 1] : t); }
                        catch (e) { return null; } };
  return res.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
    nodes: v.nodes.map((n) => {
      const el = find(n.target);
      return {target: n.target, html: n.html.slice(0, 300), impact: n.impact,
              summary: (n.failureSummary || '').slice(0, 400),
              ours: ours ? !!(el && el.closest(ours)) : true,
              library: n.html.startsWith(library)};
    }),
  }));
}"""


def missing_reason() -> str | None:
    """Why axe-core cannot run here (None when it can)."""
    if not AXE_JS.is_file():
        return (f"axe-core is not installed ({AXE_JS} missing): run `make a11y-tools` "
                "(npm ci of tools/a11y/package-lock.json into .a11y/)")
    return None


def axe_version() -> str:
    head = AXE_JS.read_text(encoding="utf-8")[:200]
    return head.split("axe v", 1)[1].split()[0] if "axe v" in head else "?"


def run_axe(page, ours: str | None = None) -> list[dict]:
    """axe-core's WCAG 2.2 AA violations on ``page`` now, each node marked ``ours``: inside
    ``ours`` (a CSS selector) or, with ``ours=None``, every node."""
    reason = missing_reason()
    if reason:
        raise FileNotFoundError(reason)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(_RUN, [TAGS, ours, LIBRARY_PREFIX])


def origin(node: dict) -> str:
    """"ours" (the course's content), "ipywidgets" (its slider handles) or "theirs" (the
    page's frame: JupyterLab's interface)."""
    if node.get("library"):
        return "ipywidgets"
    return "ours" if node["ours"] else "theirs"


def split(violations: list[dict]) -> dict[str, list[dict]]:
    """The violations restricted to the nodes of each origin: {"ours": [...], "ipywidgets":
    [...], "theirs": [...]}."""
    out: dict[str, list[dict]] = {"ours": [], "ipywidgets": [], "theirs": []}
    for v in violations:
        for key, bucket in out.items():
            nodes = [n for n in v["nodes"] if origin(n) == key]
            if nodes:
                bucket.append(dict(v, nodes=nodes))
    return out


def counts(violations: list[dict]) -> dict:
    """Nodes failing, by impact: {"critical": n, "serious": n, "moderate": n, "minor": n}."""
    c = Counter()
    for v in violations:
        for n in v["nodes"]:
            c[n.get("impact") or v.get("impact") or "minor"] += 1
    return {k: c.get(k, 0) for k in IMPACTS}


def blocking(violations: list[dict]) -> list[str]:
    """One line per serious or critical violation (rule, help, first nodes)."""
    out = []
    for v in violations:
        nodes = [n for n in v["nodes"] if (n.get("impact") or v["impact"]) in ("critical", "serious")]
        if nodes:
            where = "; ".join(f"{n['target']} {n['html'][:120]}" for n in nodes[:3])
            out.append(f"{v['id']} ({v['impact']}, {len(nodes)} node(s)): {v['help']} — {where}")
    return out
