"""What the site build (``tools/build_site.py``) runs inside each lesson's kernel.

The build adds a first cell that calls :func:`setup` and a last one that calls :func:`export`;
the kernel loads this file by its path (``tools.kernelclient.module_cell``), since the lessons'
kernels do not have the repository on their path: module level imports the standard library
only, the rest is imported inside the kernel as it runs.
"""

from __future__ import annotations

import gc
import json
from pathlib import Path


def setup() -> dict:
    """Record what the lesson shows, for a static page: each explorer as it is shown (with its
    starting values), each quiz's questions, each tqdm bar's last line; give every matplotlib
    figure its text description (the alt text JupyterLab gets). Returns the records, which
    :func:`export` reads at the end."""
    import matplotlib.figure
    from IPython import get_ipython

    from workshop_utils.explorers._base import Explorer
    from workshop_utils.explorers.takeaways import Quiz
    from workshop_utils.plotting import describe_figure

    shown, quizzes, progress = [], {}, {}
    original = Explorer._repr_mimebundle_

    def _bundle(self, include=None, exclude=None):
        shown.append((self, dict(self.values)))
        return original(self, include=include, exclude=exclude)

    Explorer._repr_mimebundle_ = _bundle
    quiz_display = Quiz._ipython_display_

    def _quiz(self):  # the quiz's questions, for a static quiz on the page
        quizzes[self.widget.model_id] = [dict(q) for q in self.questions]
        return quiz_display(self)

    Quiz._ipython_display_ = _quiz
    try:  # tqdm's notebook bar: its final line (steps, time, loss) instead of a widget
        import tqdm.notebook

        bar_close = tqdm.notebook.tqdm.close

        def _close(self):
            box = getattr(self, "container", None)
            if box is not None and getattr(box, "model_id", None) and not self.disable:
                d = dict(self.format_dict)
                d["bar_format"] = "{desc}: {n_fmt}/{total_fmt} {unit}s in {elapsed}{postfix}"
                progress[box.model_id] = self.format_meter(**d)
            return bar_close(self)

        tqdm.notebook.tqdm.close = _close
    except ImportError:
        pass

    def _describe(fig, p, cycle):
        # a figure's text alternative (a screen reader reads it): the same one JupyterLab gets
        p.text(describe_figure(fig))

    def _register(*_):
        get_ipython().display_formatter.formatters["text/plain"].for_type(matplotlib.figure.Figure, _describe)

    # set_matplotlib_formats (the lesson's set-up cell) drops every formatter's Figure printer,
    # so the description is registered again before each cell runs
    _register()
    get_ipython().events.register("pre_run_cell", _register)
    return {"explorers": shown, "quizzes": quizzes, "progress": progress}


def export(out_dir: str, shown: dict) -> None:
    """Write ``out_dir``: each explorer shown (:func:`setup`'s records) as its picture or its
    pre-rendered frames (``workshop_utils.explorers.frames``: the live slider's own update ->
    picture path), every other picture shown in an Image widget, and ``manifest.json``."""
    import ipywidgets

    from workshop_utils.explorers.frames import (
        FRAME_CONTROLS,
        caption_html,
        caption_text,
        export_frames,
        fit_budget,
        restore,
    )

    manifest = {"explorers": [], "images": {}, "quizzes": shown["quizzes"], "progress": shown["progress"]}
    seen, exports = set(), []
    for explorer, defaults in shown["explorers"]:
        model_id = explorer.widget.model_id
        if model_id in seen:
            continue
        seen.add(model_id)
        restore(explorer, defaults)
        entry = {"model_id": model_id, "explorer": type(explorer).__name__,
                 "title": explorer.title or type(explorer).__name__, "values": dict(explorer.values),
                 "text": caption_text(explorer), "html": caption_html(explorer),
                 "format": explorer.image_format,
                 "size": [int(explorer.figsize[0] * explorer.dpi), int(explorer.figsize[1] * explorer.dpi)],
                 "frames": None}
        if type(explorer).__name__ in FRAME_CONTROLS:
            entry["frames"] = export_frames(explorer, defaults=defaults)
            exports.append(entry["frames"])
        else:
            entry["picture"] = explorer.picture
        manifest["explorers"].append(entry)
    fit_budget(exports)
    owners = {}
    for obj in gc.get_objects():  # pictures that helpers show in an Image widget (training monitors)
        if not str(getattr(type(obj), "__module__", "")).startswith("workshop_utils"):
            continue
        image = vars(obj).get("image") if hasattr(obj, "__dict__") else None
        if isinstance(image, ipywidgets.Image) and not hasattr(obj, "controls"):
            owners[image.model_id] = repr(obj)
    registry = getattr(ipywidgets.Widget, "widgets", None) or ipywidgets.widgets.widget._instances
    for model_id, w in list(registry.items()):
        if isinstance(w, ipywidgets.Image) and w.value and model_id not in seen:
            manifest["images"][model_id] = {"bytes": bytes(w.value),
                                            "format": "jpeg" if w.format == "jpeg" else "png",
                                            "text": owners.get(model_id, "")}
    write(manifest, Path(out_dir))


def write(manifest: dict, out: Path) -> None:
    """Write the manifest's pictures into ``out`` as numbered files (f001.png, f002.jpg, …) in
    their order, each entry's ``bytes`` replaced by the file's name; a control's frame at the
    starting value is the explorer's default picture, written once. Then ``manifest.json``."""
    out.mkdir(parents=True, exist_ok=True)
    count = 0

    def save(data: bytes, fmt: str) -> str:
        nonlocal count
        count += 1
        name = f"f{count:03d}.{'jpg' if fmt == 'jpeg' else 'png'}"
        (out / name).write_bytes(data)
        return name

    for entry in manifest["explorers"]:
        if entry["frames"] is None:
            entry["picture"] = save(entry["picture"], entry["format"])
            continue
        ex = entry["frames"]
        ex["default"]["file"] = save(ex["default"].pop("bytes"), ex["default"]["format"])
        for ctl in ex["controls"]:
            for i, frame in enumerate(ctl["frames"]):
                data = frame.pop("bytes")
                same = i == ctl["default_index"]
                frame["file"] = ex["default"]["file"] if same else save(data, frame["format"])
    for image in manifest["images"].values():
        image["file"] = save(image.pop("bytes"), image.pop("format"))
    (out / "manifest.json").write_text(json.dumps(manifest, default=str, indent=1))
