"""The course site in a browser: serve a built site on 127.0.0.1 and audit its pages.

Used by tests/browser/test_site_in_browser.py (the one-lesson smoke test in ``make test``, the whole
site after ``make site`` in ``make test-site``) and tools/a11y_audit.py (``make a11y``). Per page:
no console error, page error, failed or external request; every internal link, anchor and
image resolves; with ``axe=True``, axe-core's WCAG 2.2 AA rules (tools/a11y_axe.py: text
alternatives, contrast, names of controls, ARIA …) find nothing serious or critical; beyond
what axe checks, alt text says something ("Image", "figure" or a file name do not), headings
go down one level at a time under a single h1; maths rendered without errors; every
explorer picture visible; each frame player's slider, moved with the keyboard, changes the
picture, its alt text and its text; no "interactive control sits here" placeholder, no
checker failure under an exercise and no character that needs an emoji font.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

# characters drawn as emoji by default (Unicode Emoji_Presentation): an empty box where no
# emoji font is installed
EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\u231A\u231B\u23E9-\u23EC\u23F0\u23F3\u25FD\u25FE\u2614\u2615"
    "\u2648-\u2653\u267F\u2693\u26A1\u26AA\u26AB\u26BD\u26BE\u26C4\u26C5\u26CE\u26D4\u26EA"
    "\u26F2\u26F3\u26F5\u26FA\u26FD\u2705\u270A\u270B\u2728\u274C\u274E\u2753-\u2755\u2757"
    "\u2795-\u2797\u27B0\u27BF\u2B1B\u2B1C\u2B50\u2B55\uFE0F]"
)
GENERIC_ALT = re.compile(r"^(image|img|figure|picture|png|output|plot|\S+\.(png|jpe?g|svg|gif))$", re.I)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site: Path):
    """Start a static file server for ``site`` on 127.0.0.1; returns (server, base URL)."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_port}/"


def pages(site: Path) -> list[str]:
    """The site's content pages: the front page and the lessons (not Sphinx's index/search pages)."""
    out = ["index.html"] + sorted(str(p.relative_to(site)) for p in (site / "notebooks").glob("*.html"))
    return out


def _ids(site: Path, rel: str, cache: dict) -> set:
    if rel not in cache:
        f = site / rel
        cache[rel] = (
            set(re.findall(r'\sid="([^"]+)"', f.read_text(encoding="utf-8"))) if f.is_file() else None
        )
    return cache[rel]


def audit_page(page, site: Path, base: str, rel: str, ids_cache: dict, axe: bool = False) -> dict:
    """Open one page and check it; returns {"problems": [...], "players": n, "images": n}
    (and "axe": axe-core's violations, with ``axe``)."""
    problems: list[str] = []
    events: list[str] = []
    page.on("console", lambda m: events.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: events.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: events.append(f"request failed: {r.url} {r.failure}"))
    page.on("response", lambda r: events.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    def route(r):
        if r.request.url.startswith(base):
            r.continue_()
        else:
            events.append(f"external request: {r.request.url}")
            r.abort()

    page.route("**/*", route)
    page.goto(urljoin(base, rel), wait_until="load")
    # lazy pictures: load them all now
    page.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=30_000)
    page.evaluate("() => typeof MathJax !== 'undefined' && MathJax.startup ? MathJax.startup.promise : null")

    # images: loaded, visible size, alt text that describes
    imgs = page.evaluate("""() => Array.from(document.querySelectorAll('article img')).map(i => ({
        src: i.getAttribute('src'), alt: i.getAttribute('alt'), w: i.naturalWidth,
        box: i.getBoundingClientRect().width * i.getBoundingClientRect().height,
        explorer: !!i.closest('.wu-player, .wu-explorer')}))""")
    for im in imgs:
        if not im["w"]:
            problems.append(f"{rel}: image not loaded: {im['src']}")
        alt = (im["alt"] or "").strip()
        if len(alt) < 12 or GENERIC_ALT.match(alt):
            problems.append(f"{rel}: image {im['src']} has no descriptive alt text ({alt!r})")
        if im["explorer"] and im["box"] < 100 * 100:
            problems.append(f"{rel}: explorer picture {im['src']} is not visible")

    # links and anchors inside the site
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    for href in sorted(set(hrefs)):
        if not href.startswith(base):
            continue
        parsed = urlparse(href)
        path = unquote(parsed.path)[1:] or "index.html"
        if path.endswith("/"):
            path += "index.html"
        target = site / path
        if not target.is_file():
            problems.append(f"{rel}: broken link {href}")
            continue
        if parsed.fragment and target.suffix == ".html":
            ids = _ids(site, path, ids_cache)
            if ids is not None and unquote(parsed.fragment) not in ids:
                problems.append(f"{rel}: broken anchor {href}")

    # headings: one h1, then down one level at a time
    levels = page.evaluate(
        "() => Array.from(document.querySelectorAll('article h1, article h2, article h3,"
        " article h4, article h5, article h6')).map(h => +h.tagName[1])"
    )
    if levels.count(1) != 1 or (levels and levels[0] != 1):
        problems.append(f"{rel}: expected one h1 first, got heading levels {levels[:8]}")
    for a, b in zip(levels, levels[1:]):
        if b > a + 1:
            problems.append(f"{rel}: heading jumps from h{a} to h{b}")
            break
    if page.query_selector("mjx-merror, .MathJax_Error"):
        problems.append(f"{rel}: a formula failed to render")

    # what the page says: no placeholder, no checker verdict on an empty stub, no emoji glyph
    text = page.evaluate("() => (document.querySelector('article') || document.body).innerText")
    for bad in ("An interactive control sits here", "not implemented yet"):
        if bad in text:
            problems.append(f"{rel}: the page says {bad!r}")
    glyphs = sorted(set(EMOJI.findall(text)))
    if glyphs:
        problems.append(f"{rel}: characters that need an emoji font: {glyphs}")

    # frame players: every slider, moved with the keyboard, changes picture, alt and text
    players = page.query_selector_all("[data-wu-player]")
    for k, fig in enumerate(players):
        if fig.get_attribute("data-wu-ready") != "1":
            problems.append(f"{rel}: frame player {k} did not start")
            continue
        img, text = fig.query_selector("img.wu-player-img"), fig.query_selector(".wu-player-text")
        for rng in fig.query_selector_all("input[type=range]"):
            before = (img.get_attribute("src"), img.get_attribute("alt"), text.text_content())
            rng.focus()
            key = "Home" if rng.input_value() != rng.get_attribute("min") else "End"
            page.keyboard.press(key)
            page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img)
            after = (img.get_attribute("src"), img.get_attribute("alt"), text.text_content())
            name = rng.get_attribute("data-control")
            for what, b, a in zip(("picture", "alt text", "text"), before, after):
                if a == b:
                    problems.append(f"{rel}: player {k}, slider {name}: the {what} did not change")
            if not after[2].strip():
                problems.append(f"{rel}: player {k}, slider {name}: no description text")
    result = {"players": len(players), "images": len(imgs)}
    if axe:  # after the sliders moved: the players' pictures have their new alt text
        from tools.a11y_axe import blocking, run_axe

        result["axe"] = run_axe(page)
        problems += [f"{rel}: axe: {line}" for line in blocking(result["axe"])]
    problems += [f"{rel}: {e}" for e in events if "favicon" not in e]
    return {"problems": problems, **result}


def audit_site(
    browser,
    site: Path,
    page_list: list[str] | None = None,
    screenshots: Path | None = None,
    axe: bool = False,
) -> dict:
    """Audit every content page of a built site in a fresh page each; returns the findings."""
    srv, base = serve(site)
    ids_cache: dict = {}
    found = {"problems": [], "pages": {}}
    try:
        for rel in page_list or pages(site):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            try:
                res = audit_page(page, site, base, rel, ids_cache, axe=axe)
                if screenshots is not None:
                    screenshots.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(screenshots / (Path(rel).stem + ".png")), full_page=False)
            finally:
                page.close()
            found["pages"][rel] = {k: v for k, v in res.items() if k != "problems"}
            found["problems"] += res["problems"]
    finally:
        srv.shutdown()
    return found
