"""Build the course website (``make site``): the executed course as a static site.

1. **Execute** each notebook in the course kernel with the course cache (``WORKSHOP_CACHE``
   or the default cache: lesson 05 trains on an empty cache, 06-10 load shipped weights).
   Two cells are added for the run only (``tools/site_kernel.py``): the first records each
   explorer as it is shown and gives every matplotlib figure a text description (its alt
   text); the last exports each explorer's picture and its pre-rendered frames
   (``workshop_utils.explorers.frames``: the same ``update`` -> picture path as the live
   slider). The executed notebook and its frames are kept in ``build/site-exec/`` under a key
   of the notebook and the package's files, so a rebuild with nothing changed executes nothing.
2. **Prepare** a Sphinx source folder ``build/site-src``: every code cell folded
   (``hide-input``), explorer outputs turned into a picture or a frame player, figures
   into files with alt text, a launch bar (Colab at the course's ref, Binder, the
   notebook to download) on every page, exercises pointing to the notebook.
3. **Build** with Sphinx + MyST-NB + sphinx-book-theme (execution off) into ``build/site``.

    python -m tools.build_site [--only 02,05] [--out build/site] [--report benchmarks/site.json]
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from tools import ROOT, site_kernel
from tools.kernelclient import module_cell
from tools.mdblock import write_block
from workshop_utils import course

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
EXEC_DIR = ROOT / "build" / "site-exec"  # executed notebooks and their frames, reused while nothing changed
SRC_DIR = ROOT / "build" / "site-src"  # the Sphinx source folder, made anew each build
PAGE_DIR = "notebooks"  # the pages sit where the notebooks do: Colab/Binder links use the same path


def log(msg: str) -> None:
    print(msg, flush=True)


# ----------------------------------------------------------------------------- execute
def source_key(nb_path: Path) -> str:
    """What an executed notebook depends on: the notebook, the package, the kernel's site code."""
    h = hashlib.sha256()
    h.update(Path(site_kernel.__file__).read_bytes())
    files = (
        [nb_path]
        + sorted((ROOT / "workshop_utils").rglob("*.py"))
        + sorted((ROOT / "workshop_utils" / "weights").glob("*"))
    )
    for f in files:
        h.update(str(f.relative_to(ROOT)).encode())
        h.update(f.read_bytes())
    h.update(os.environ.get("WORKSHOP_CACHE", "").encode())
    return h.hexdigest()


def execute(nb_path: Path, timeout: int) -> tuple[dict, Path, float, bool]:
    """The executed notebook (from build/site-exec when its key matches) and its frames folder."""
    import nbformat
    from nbclient import NotebookClient

    stem = nb_path.stem
    out_nb, key_file, frames = EXEC_DIR / f"{stem}.ipynb", EXEC_DIR / f"{stem}.key", EXEC_DIR / stem
    key = source_key(nb_path)
    if (
        out_nb.exists()
        and key_file.exists()
        and key_file.read_text() == key
        and (frames / "manifest.json").exists()
    ):
        return nbformat.read(out_nb, as_version=4), frames, 0.0, True
    shutil.rmtree(frames, ignore_errors=True)
    nb = nbformat.read(nb_path, as_version=4)
    setup = module_cell(site_kernel, "_site_shown = _site_kernel.setup()")
    export = module_cell(site_kernel, f"_site_kernel.export({str(frames)!r}, _site_shown)")
    nb.cells.insert(0, nbformat.v4.new_code_cell(setup, metadata={"site_build": True}))
    nb.cells.append(nbformat.v4.new_code_cell(export, metadata={"site_build": True}))
    t0 = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=False,
        store_widget_state=False,
        resources={"metadata": {"path": str(nb_path.parent)}},
    )
    try:
        client.execute()
    except Exception as exc:  # name the notebook; nbclient's message names the cell
        raise SystemExit(f"executing {nb_path.name} for the site failed:\n{exc}") from None
    seconds = time.perf_counter() - t0
    nb.cells = [c for c in nb.cells if not c.metadata.get("site_build")]
    EXEC_DIR.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_nb)
    key_file.write_text(key)
    return nb, frames, seconds, False


# ----------------------------------------------------------------------------- prepare
def _text(output) -> str:
    t = output.get("data", {}).get("text/plain", "")
    return "".join(t) if isinstance(t, list) else t


def launch_bar(name: str | None) -> str:
    """Links to run the lesson: Colab (the course's ref), Binder, the notebook itself."""
    if name is None:
        links = [
            (course.binder_url(), "Launch the course on Binder"),
            (course.colab_url(course.NOTEBOOKS[0][0]), "Open lesson 01 in Colab"),
            ("_static/notebooks.zip", "Download the ten notebooks (zip)"),
        ]
    else:
        links = [
            (course.colab_url(name), "Open in Colab"),
            (f"{course.binder_url()}/{name}", "Launch on Binder"),
            (f"../_static/notebooks/{name}", "Download the notebook"),
        ]
    items = " · ".join(
        f'<a class="wu-launch-link" href="{html.escape(u)}"'
        f"{' download' if '_static/' in u else ''}>{html.escape(t)}</a>"
        for u, t in links
    )
    return f'<nav class="wu-launch" aria-label="Run this lesson">{items}</nav>'


def player_html(entry: dict, stem: str, section: str) -> str:
    """A frame player: the picture, its description as text, one keyboard-operable range per control."""
    ex = entry["frames"]
    base = f"../_static/frames/{stem}/"
    values = ", ".join(f"{k} = {v}" for k, v in entry["values"].items())
    w, h = entry["size"]
    controls, data = [], {"base": base, "controls": []}
    for c in ex["controls"]:
        frames = [
            {
                "src": f["file"],
                "text": f"{c['label']} = {c['labels'][i]}. {f['text']}",
                "html": f"{html.escape(str(c['label']))} = {html.escape(str(c['labels'][i]))}. "
                + f.get("html", html.escape(f["text"])),
                "alt": f"{entry['title']}, {c['label']} = {c['labels'][i]}: {f['text']}",
            }
            for i, f in enumerate(c["frames"])
        ]
        data["controls"].append(
            {"name": c["name"], "labels": c["labels"], "default": c["default_index"], "frames": frames}
        )
        cid = f"wu-{stem}-{entry['model_id'][:8]}-{c['name']}"
        controls.append(
            f'<div class="wu-control"><label for="{cid}">{html.escape(str(c["label"]))}</label>'
            f'<input type="range" id="{cid}" min="0" max="{len(frames) - 1}" step="1" '
            f'value="{c["default_index"]}" data-control="{html.escape(c["name"])}" '
            f'aria-valuetext="{html.escape(c["labels"][c["default_index"]])}">'
            f'<output for="{cid}">{html.escape(c["labels"][c["default_index"]])}</output></div>'
        )
    default = ex["default"]
    alt = f"{entry['title']} at {values}: {default['text']}"
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return (
        f'<figure class="wu-player" data-wu-player data-explorer="{entry["explorer"]}">'
        f'<figcaption class="wu-player-title"><strong>{html.escape(entry["title"])}</strong> '
        f'<span class="wu-note">pre-rendered pictures of the explorer in “{html.escape(section)}”: '
        f"each slider moves alone, the others stay at their starting values; "
        f"every value works in the notebook.</span></figcaption>"
        f'<div class="wu-controls">{"".join(controls)}</div>'
        f'<img class="wu-player-img" src="{base}{default["file"]}" '
        f'alt="{html.escape(alt)}" '
        f'width="{w}" height="{h}">'
        f'<p class="wu-player-text" aria-live="polite">{html.escape(values)}. '
        f'{default.get("html", html.escape(default["text"]))}</p>'
        f'<script type="application/json" class="wu-player-data">{payload}</script>'
        f"</figure>"
    )


YOUR_TURN = (
    '<p class="wu-your-turn"><b>Your turn, in the notebook:</b> fill in the function above and run '
    "the cell there; the checker under it answers ✓ or names the mistake. (On this page the "
    "function is still the empty stub, so there is nothing to check.)</p>"
)
CHECK_YOURSELF_NOTEBOOK = "click an answer to get a ✓ or ✗ and the reason."
CHECK_YOURSELF_SITE = "choose an answer, then open “Show the answer” to see the right one and the reason."
# the checkpoint sign: a CSS-drawn tick (course.css) in place of the ✅ emoji, which shows as
# an empty box where no emoji font is installed
CHECK_MARK = '<span class="wu-mark" aria-hidden="true"></span>'


def quiz_html(questions: list[dict], qid: str) -> str:
    """A quiz without a kernel: each question, its choices, and the answer behind a click
    (<details>: no script, keyboard and screen-reader operable)."""
    parts = [f'<div class="wu-quiz" role="group" aria-label="Check yourself: {len(questions)} question'
             f'{"s" if len(questions) != 1 else ""}">']
    for k, q in enumerate(questions):
        letters = "ABCDEFGHIJ"
        num = f"{k + 1}. " if len(questions) > 1 else ""
        opts = "".join(f"<li>{html.escape(str(o))}</li>" for o in q["options"])
        right = q["answer"]
        parts.append(
            f'<div class="wu-quiz-q" id="{qid}-{k}"><p><b>{num}{html.escape(q["section"])}</b> — '
            f'{html.escape(q["question"])}</p><ol class="wu-quiz-options" type="A">{opts}</ol>'
            f'<details class="wu-quiz-answer"><summary>Show the answer</summary>'
            f'<p><b>{letters[right]}: {html.escape(str(q["options"][right]))}.</b> '
            f'{html.escape(q["explanation"])}</p></details></div>'
        )
    return "".join(parts) + "</div>"


def picture_html(src: str, alt: str, width=None, height=None, cls="wu-figure") -> str:
    size = (f' width="{int(width)}"' if width else "") + (f' height="{int(height)}"' if height else "")
    return f'<img class="{cls}" src="{html.escape(src)}" alt="{html.escape(alt)}"{size} loading="lazy">'


def prepare(nb: dict, frames_dir: Path, name: str, names_built: set, stats: dict) -> dict:
    import nbformat

    nb = copy.deepcopy(nb)
    stem = Path(name).stem
    static = SRC_DIR / "_static"
    fig_dir, frame_dir = static / "figures" / stem, static / "frames" / stem
    fig_dir.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((frames_dir / "manifest.json").read_text())
    explorers = {e["model_id"]: e for e in manifest["explorers"]}
    used_frames: set[str] = set()
    section, n_fig, first_md = "", 0, True
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            src = cell.source
            lines = [ln for ln in src.splitlines() if not ln.startswith(course.COLAB_BADGE_PREFIX)]
            src = "\n".join(lines)
            for other, _, _ in course.NOTEBOOKS:  # a partial build links lessons it leaves out to GitHub
                if other not in names_built:
                    src = src.replace(
                        f"]({other})", f"]({course.repo_url()}/blob/{course.REF}/notebooks/{other})"
                    )
            heads = re.findall(r"^#{1,6} (.+)$", src, flags=re.M)
            if heads:
                section = re.sub(r"[*_`$\\]", "", heads[-1]).strip()
            if first_md:
                src = re.sub(
                    r"^(# .+)$", lambda m: m.group(1) + "\n\n" + launch_bar(name), src, count=1, flags=re.M
                )
                first_md = False
            if re.search(r"^## Coding Exercise", src, flags=re.M):
                src += (
                    '\n\n<p class="wu-exercise">✎ <b>Do this exercise in the notebook</b>, where the '
                    "checker runs your code: "
                    + launch_bar(name).replace("<nav", "<span").replace("</nav>", "</span>")
                    + ". Its starting code is below.</p>"
                )
            src = src.replace(CHECK_YOURSELF_NOTEBOOK, CHECK_YOURSELF_SITE)
            src = re.sub(r"✅\ufe0f?\s*", CHECK_MARK, src)  # no emoji font needed
            src = re.sub(r"⏳\ufe0f?\s*", "<b>It takes time:</b> ", src)
            cell.source = src
            continue
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.setdefault("tags", [])
        if "exercise" in tags and re.search(r"\bcheck_\w+\(", cell.source):
            # the stub, open, and the note; the checker's verdict on the empty stub
            # ("✗ …: not implemented yet") would read as a fault of the page
            cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": YOUR_TURN})]
            stats["exercises"] += 1
            continue
        if "hide-input" not in tags:
            tags.append("hide-input")
        outputs = []
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                if out.name == "stdout":
                    outputs.append(out)
                continue
            if out.output_type == "error":
                raise SystemExit(f"{name}: a cell raised {out.ename} during execution")
            data = out.get("data", {})
            if WIDGET_MIME in data:
                mid = data[WIDGET_MIME]["model_id"]
                if mid in explorers:
                    entry = explorers[mid]
                    if entry["frames"]:
                        page = player_html(entry, stem, section)
                        used_frames |= {f["file"] for c in entry["frames"]["controls"] for f in c["frames"]}
                        used_frames.add(entry["frames"]["default"]["file"])
                        stats["players"] += 1
                    else:
                        used_frames.add(entry["picture"])
                        alt = f"{entry['title']}, " + ", ".join(
                            f"{k} = {v}" for k, v in entry["values"].items()
                        )
                        alt += f": {entry['text']}" if entry["text"] else ""
                        pic = picture_html(
                            f"../_static/frames/{stem}/{entry['picture']}", alt, *entry["size"]
                        )
                        caption = entry.get("html", html.escape(entry["text"]))
                        page = (
                            f'<figure class="wu-explorer">{pic}'
                            f"<figcaption><strong>{html.escape(entry['title'])}</strong> "
                            f'{caption} <span class="wu-note">(its sliders move in the '
                            f"notebook)</span></figcaption></figure>"
                        )
                        stats["pictures"] += 1
                elif mid in manifest["images"]:
                    img = manifest["images"][mid]
                    used_frames.add(img["file"])
                    alt = img["text"] or f"Picture drawn by the lesson's code in “{section}”"
                    page = picture_html(f"../_static/frames/{stem}/{img['file']}", alt)
                elif mid in manifest.get("quizzes", {}):
                    page = quiz_html(manifest["quizzes"][mid], f"wu-quiz-{stem}-{mid[:8]}")
                    stats["quizzes"] += 1
                elif mid in manifest.get("progress", {}):
                    page = f'<p class="wu-progress">{html.escape(manifest["progress"][mid])}</p>'
                else:  # a widget the site cannot show: its text, if it says anything, else nothing
                    text = _text(out).strip()
                    if not text or re.match(r"^[A-Z]\w*\(", text):  # "HBox(children=…)" says nothing
                        continue
                    page = f'<p class="wu-note">{html.escape(text)}</p>'
                outputs.append(nbformat.v4.new_output("display_data", data={"text/html": page}))
                continue
            image = next((m for m in ("image/png", "image/jpeg") if m in data), None)
            if image:
                n_fig += 1
                ext = "png" if image == "image/png" else "jpg"
                f = fig_dir / f"fig{n_fig:02d}.{ext}"
                f.write_bytes(base64.b64decode(data[image]))
                meta = out.get("metadata", {}).get(image, {})
                alt = _text(out).strip()
                if not alt or alt.startswith("<Figure"):
                    alt = f"Figure drawn by the lesson's code in “{section}”"
                else:
                    alt += f" (in “{section}”)"
                page = picture_html(
                    f"../_static/figures/{stem}/{f.name}", alt, meta.get("width"), meta.get("height")
                )
                outputs.append(nbformat.v4.new_output("display_data", data={"text/html": page}))
                stats["figures"] += 1
                continue
            if (
                out.output_type == "execute_result"
                and set(data) == {"text/plain"}
                and cell.source.rstrip().endswith(";")
            ):
                continue
            outputs.append(out)
        cell.outputs = outputs
    frame_dir.mkdir(parents=True, exist_ok=True)
    size = 0
    for f in sorted(used_frames):
        shutil.copy2(frames_dir / f, frame_dir / f)
        size += (frames_dir / f).stat().st_size
    stats["frame_bytes"][stem] = size
    return nb


def fix_names(text: str) -> str:
    """Accessible names that match the visible text (WCAG 2.5.3 "label in name", axe-core's
    label-content-name-mismatch): MyST-NB's folded-code toggle says "Show code cell source"
    but is named "Toggle hidden content", the theme's search button shows "Search ⌘K" but is
    named "Search". Without the aria-label their visible text is their name."""
    text = re.sub(r'(<summary) aria-label="Toggle hidden content"', r"\1", text)
    return re.sub(r'(<button class="btn search-button-field[^>]*?)\s+aria-label="Search"', r"\1", text)


def vendor_mathjax(dest: Path) -> None:
    """MathJax 3's single-file SVG build (2 MB, fonts inside), from the django-static-mathjax package."""
    try:
        import mathjax
    except ImportError:
        raise SystemExit("MathJax is missing: install the site tools (pip install -e '.[site]')") from None
    src = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5" / "tex-svg.js"
    if not src.exists():
        raise SystemExit(f"MathJax's tex-svg.js is not at {src}: reinstall django-static-mathjax")
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dest / "tex-svg.js")
    for f in Path(mathjax.__file__).parent.parent.glob("django_static_mathjax-*.dist-info/LICENSE"):
        shutil.copy2(f, dest / "LICENSE")


def build(only: list[str] | None, out: Path, timeout: int) -> dict:
    import nbformat

    t_start = time.perf_counter()
    names = [n for n, _, _ in course.NOTEBOOKS if only is None or n[:2] in only]
    if not names:
        raise SystemExit(f"--only {only}: no such lesson (use the two-digit numbers, e.g. 02)")
    shutil.rmtree(SRC_DIR, ignore_errors=True)
    shutil.copytree(ROOT / "website", SRC_DIR)
    vendor_mathjax(SRC_DIR / "_static" / "mathjax")
    nb_static = SRC_DIR / "_static" / "notebooks"
    nb_static.mkdir(parents=True)
    with zipfile.ZipFile(SRC_DIR / "_static" / "notebooks.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for n, _, _ in course.NOTEBOOKS:
            zf.write(ROOT / "notebooks" / n, f"notebooks/{n}")
    stats = {"players": 0, "pictures": 0, "figures": 0, "quizzes": 0, "exercises": 0, "frame_bytes": {},
             "execute_s": {}, "cached": []}
    (SRC_DIR / PAGE_DIR).mkdir()
    for name in names:
        shutil.copy2(ROOT / "notebooks" / name, nb_static / name)
        log(f"[site] {name}")
        nb, frames_dir, seconds, cached = execute(ROOT / "notebooks" / name, timeout)
        stats["execute_s"][name] = round(seconds, 1)
        if cached:
            stats["cached"].append(name)
            log(f"[site] {name}: executed notebook and frames reused (nothing changed)")
        else:
            log(f"[site] {name}: executed in {seconds:.1f} s")
        nbformat.write(prepare(nb, frames_dir, name, set(names), stats), SRC_DIR / PAGE_DIR / name)
    t_exec = time.perf_counter() - t_start
    index = (SRC_DIR / "index.md").read_text()
    rows = "\n".join(
        f"| {n[:2]} | [{t}]({PAGE_DIR}/{n}) | {q} |"
        if n in names
        else f"| {n[:2]} | {t} (not in this build) | {q} |"
        for n, t, q in course.NOTEBOOKS
    )
    index = index.replace("{{ lessons }}", rows).replace("{{ launch }}", launch_bar(None))
    index = index.replace("{{ toctree }}", "\n".join(f"{PAGE_DIR}/{Path(n).stem}" for n in names))
    (SRC_DIR / "index.md").write_text(index)
    t0 = time.perf_counter()
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", "1", str(SRC_DIR), str(out)]
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    warnings = [ln for ln in (proc.stderr or "").splitlines() if "WARNING" in ln or "ERROR" in ln]
    if proc.returncode != 0:
        raise SystemExit(f"sphinx-build failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    t_sphinx = time.perf_counter() - t0
    for page in out.rglob("*.html"):
        page.write_text(fix_names(page.read_text(encoding="utf-8")), encoding="utf-8")
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    report = {
        "lessons": names,
        "seconds_total": round(time.perf_counter() - t_start, 1),
        "seconds_execute_and_prepare": round(t_exec, 1),
        "seconds_sphinx": round(t_sphinx, 1),
        "site_bytes": size,
        "files": sum(1 for f in out.rglob("*") if f.is_file()),
        "warnings": warnings,
        "loadavg_end": os.getloadavg()[0],
        **stats,
    }
    (out / "_build_report.json").write_text(json.dumps(report, indent=1))
    for w in warnings:
        log(f"[site] sphinx: {w}")
    log(
        f"[site] built {len(names)} lesson(s) into {out}: {size / 1e6:.1f} MB, "
        f"{report['seconds_total']:.0f} s ({t_exec:.0f} s executing and preparing, {t_sphinx:.0f} s Sphinx); "
        f"{stats['players']} frame players, {stats['pictures']} explorer pictures, {stats['figures']} figures"
    )
    return report


SITE_BEGIN, SITE_END = "<!-- site: written by make site (tools/build_site.py) -->", "<!-- site end -->"
SIZE_TARGET_MB, TIME_TARGET_S, FRAME_TARGET_MB = 40.0, 300.0, 1.5


def results_section(r: dict) -> str:
    """The site's section of benchmarks/RESULTS.md, from a build report."""
    mb = r["site_bytes"] / 1e6
    cached = len(r["cached"]) == len(r["lessons"])
    kind = (
        "warm: executed notebooks reused, nothing changed"
        if cached
        else "the notebooks executed (course cache as found)"
    )
    lines = [
        SITE_BEGIN,
        "## Course site (`make site`)",
        "",
        f"Measured by the last full `make site` ({kind}); load average at the end "
        f"{r['loadavg_end']:.2f} on {os.cpu_count()} CPUs.",
        "",
        "| what | value | target |",
        "|---|---|---|",
        f"| build time | {r['seconds_total']:.0f} s ({r['seconds_execute_and_prepare']:.0f} s executing and "
        f"preparing, {r['seconds_sphinx']:.0f} s Sphinx) | ≤ {TIME_TARGET_S:.0f} s from a warm cache: "
        f"{'met' if r['seconds_total'] <= TIME_TARGET_S else 'missed'} |",
        f"| site size | {mb:.1f} MB in {r['files']} files | "
        f"≤ {SIZE_TARGET_MB:.0f} MB: "
        f"{'met' if mb <= SIZE_TARGET_MB else 'missed'} |",
        f"| frame players / explorer pictures / figures | {r['players']} / {r['pictures']} / "
        f"{r['figures']} | |",
    ]
    for stem, n in sorted(r["frame_bytes"].items()):
        lines.append(
            f"| frames of {stem} | {n / 1e6:.2f} MB | ≤ {FRAME_TARGET_MB} MB: "
            f"{'met' if n / 1e6 <= FRAME_TARGET_MB else 'missed'} |"
        )
    lines.append("")
    lines += ["| notebook executed for the site | seconds |", "|---|---|"]
    lines += [f"| {n} | {'reused' if n in r['cached'] else s} |" for n, s in r["execute_s"].items()]
    return "\n".join(lines + ["", SITE_END])


def write_results(r: dict, md: Path) -> None:
    write_block(md, SITE_BEGIN, SITE_END, results_section(r))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated lesson numbers, e.g. 02 (default: all ten)")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    ap.add_argument("--timeout", type=int, default=900, help="seconds a cell may run")
    ap.add_argument("--report", type=Path, help="also write the build report (JSON) here")
    ap.add_argument("--results", type=Path, help="rewrite the site's section of this RESULTS.md")
    ap.add_argument(
        "--work", type=Path, help="folder for the executed notebooks and the Sphinx source (default: build/)"
    )
    args = ap.parse_args(argv)
    if args.work:
        global EXEC_DIR, SRC_DIR
        EXEC_DIR, SRC_DIR = args.work.resolve() / "site-exec", args.work.resolve() / "site-src"
    only = [s.strip().zfill(2) for s in args.only.split(",")] if args.only else None
    report = build(only, args.out.resolve(), args.timeout)
    if args.report:
        args.report.write_text(json.dumps(report, indent=1) + "\n")
    if args.results:
        if only:
            raise SystemExit("--results is for full builds (without --only)")
        write_results(report, args.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
