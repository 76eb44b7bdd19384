"""The course site in headless Chromium (tools/site_audit.py says what each page must pass).

* ``test_site_of_one_lesson`` (``make test``): builds a site of lesson 02 alone with
  ``tools/build_site.py`` (executing the notebook in the course kernel, empty test cache),
  serves it on 127.0.0.1 and audits its pages, axe-core's WCAG 2.2 AA rules included (the
  accessibility smoke test; ``make a11y`` audits everything); checks the quiz opens its
  answer with a click and exercises show their stub; then checks that a frame of the w₁, w₂,
  b player is the live explorer's picture for the same values.
* ``test_built_site`` (``make test-site``, after ``make site``): every page of the whole
  site in ``$COURSE_SITE_DIR`` (with axe-core), and the frame players the issue names.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tools import ROOT
from tools.a11y_axe import missing_reason
from tools.site_audit import audit_site

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
ARTIFACTS = ROOT / "tests" / "_artifacts" / "site"


def _pixels(data: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


@pytest.fixture(scope="module")
def browser(chromium_path, sync_playwright_api):
    with sync_playwright_api() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def axe_ready():
    reason = missing_reason()
    if reason:
        if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"COURSE_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return True


@pytest.mark.slow
def test_site_of_one_lesson(tmp_path, browser, axe_ready):
    site, work = tmp_path / "site", tmp_path / "work"
    # the kernels the build starts import this checkout's workshop_utils
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.build_site",
            "--only",
            "02",
            "--out",
            str(site),
            "--work",
            str(work),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    found = audit_site(browser, site, screenshots=ARTIFACTS / "one-lesson", axe=True)
    assert not found["problems"], "\n".join(found["problems"])
    page = found["pages"]["notebooks/02_weights_and_biases.html"]
    assert page["players"] >= 1 and page["images"] >= 5
    assert "axe" in page  # axe-core ran; its serious/critical findings are problems above
    html = (site / "notebooks" / "02_weights_and_biases.html").read_text()
    assert 'data-explorer="NeuronExplorer"' in html and "hide-input" in html
    assert html.count('class="wu-your-turn"') >= 2
    assert "def my_" in re.sub(r"<[^>]+>", "", html)  # the exercise's stub is on the page

    # the quiz: question and choices in the page, the answer hidden until a click
    from tools.site_audit import serve

    srv, base = serve(site)
    try:
        p = browser.new_page()
        p.goto(base + "notebooks/02_weights_and_biases.html")
        quiz = p.locator(".wu-quiz").first
        assert quiz.locator("ol.wu-quiz-options li").count() >= 2
        answer = quiz.locator("details.wu-quiz-answer p").first
        assert not answer.is_visible()
        quiz.locator("summary").first.focus()
        p.keyboard.press("Enter")  # the keyboard opens it as a click does
        assert answer.is_visible() and len(answer.inner_text()) > 20
        p.close()
    finally:
        srv.shutdown()

    # a frame on the page is the live explorer's picture for the same values
    from workshop_utils.explorers import neuron_explorer
    from workshop_utils.neuron import ink_problem

    manifest = json.loads((work / "site-exec" / "02_weights_and_biases" / "manifest.json").read_text())
    entry = next(e for e in manifest["explorers"] if e["explorer"] == "NeuronExplorer")
    ctl = next(c for c in entry["frames"]["controls"] if c["name"] == "w1")
    frame = ctl["frames"][-1]
    live = neuron_explorer(ink_problem(6, 7), **entry["values"])
    live.update(**frame["values"])
    built = (site / "_static" / "frames" / "02_weights_and_biases" / frame["file"]).read_bytes()
    assert frame["values"]["w1"] == ctl["values"][-1] != entry["values"]["w1"]
    assert np.array_equal(_pixels(built), _pixels(live.picture))


NAMED_PLAYERS = {  # the design-card controls, and the further explorers it asks for
    "02_weights_and_biases": {"NeuronExplorer"},
    "04_activation_functions": {"ActivationExplorer"},
    "05_cnn_vs_vit": {"KernelEditor", "ConvGeometryExplorer"},
    "06_softmax": {"LogitExplorer"},
    "07_cross_entropy_vs_focal": {"FocalExplorer"},
    "08_learning_loop": {"GradientDescentExplorer"},
    "10_key_takeaways": {"WeightNoiseExplorer"},
}


def test_built_site(browser, axe_ready):
    site = os.environ.get("COURSE_SITE_DIR")
    if not site:
        pytest.skip("audits the site that `make site` built: run `make test-site` (sets COURSE_SITE_DIR)")
    site = Path(site)
    assert (site / "index.html").is_file(), f"no site in {site}: run `make site` first"
    found = audit_site(browser, site, screenshots=ARTIFACTS / "full", axe=True)
    assert not found["problems"], "\n".join(found["problems"])
    assert len(found["pages"]) == 11
    for stem, wanted in NAMED_PLAYERS.items():
        html = (site / "notebooks" / f"{stem}.html").read_text()
        for cls in wanted:
            assert f'data-explorer="{cls}"' in html, f"{stem}: no frame player for {cls}"
    for f in (site / "_static" / "frames").iterdir():
        size = sum(p.stat().st_size for p in f.iterdir())
        assert size <= 1_500_000, f"{f.name}: {size:,} bytes of frames"
    (ARTIFACTS / "full").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "full" / "audit.json").write_text(json.dumps(found["pages"], indent=1))
    assert sum('class="wu-quiz"' in (site / "notebooks" / f"{s}.html").read_text() for s in (
        p.stem for p in (site / "notebooks").glob("*.html"))) == 10  # a quiz in every lesson
