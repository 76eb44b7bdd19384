"""Pre-rendered frames of an explorer, for pages that have no kernel (the course site).

Each chosen control is moved alone across its range while the others stay at their
defaults (the values the explorer was shown with); every frame is what the live explorer
draws for those values: ``explorer.update(**values)`` and then its picture, the same
``compute`` / ``draw`` / render code the slider runs. PNG pictures are recompressed
losslessly (same pixels, smaller file); JPEG pictures are kept as they are.

    frames = export_frames(explorer)            # the controls of FRAME_CONTROLS
    frames = export_frames(explorer, {"w1": 9}) # or: control -> number of frames
"""

from __future__ import annotations

import html
import io
import re

__all__ = [
    "FRAME_CONTROLS",
    "FRAME_BUDGET_BYTES",
    "export_frames",
    "frame_values",
    "caption_text",
    "caption_html",
    "html_to_text",
    "restore",
    "fit_budget",
]

# Explorer class -> {control: number of frames}. Options controls (dropdowns, selection
# sliders) get one frame per option; "preset" is KernelEditor's preset menu.
FRAME_CONTROLS = {
    "NeuronExplorer": {"w1": 9, "w2": 9, "b": 9},
    "ActivationExplorer": {"activation": 0, "w": 7, "b": 7},
    "VanishingGradientExplorer": {"depth": 0, "w": 8},
    "ConvGeometryExplorer": {"kernel_size": 0, "stride": 0, "padding": 0},
    "KernelEditor": {"preset": 0},
    "PatchifyExplorer": {"patch_size": 0},
    "LogitExplorer": {"temperature": 9, "shift": 5},
    "FocalExplorer": {"gamma": 11, "alpha": 7},
    "GradientDescentExplorer": {"lr": 0, "steps": 6},
    "ForwardPassExplorer": {"digit": 0},
    "WeightNoiseExplorer": {"sigma": 0},
    "LayerBuilder": {"n_hidden": 0},
}
FRAME_BUDGET_BYTES = 1_500_000  # all frames of one page


_SUP = dict(zip("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ"))
_SUB = dict(zip("0123456789+-−=()aehijklmnoprstux", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤₓ"))
_KEEP = ("sub", "sup", "b", "strong", "i", "em")


def _script(m) -> str:
    """<sub>…</sub> / <sup>…</sup> (innermost) as Unicode sub/superscripts, or _(…) / ^(…)."""
    table, mark = (_SUB, "_") if m.group(1).lower() == "sub" else (_SUP, "^")
    body = m.group(2)
    if body and all(ch in table for ch in body):
        return "".join(table[ch] for ch in body)
    return f"{mark}{body}" if len(body) == 1 else f"{mark}({body})"


def caption_text(explorer) -> str:
    """The explorer's description of what it shows now, as plain text (one line): alt text.

    Sub- and superscripts survive as Unicode (zᵢ, 2/λₘₐₓ) or as _(…) / ^(…) where Unicode
    has no such character: ``e<sup>(z<sub>i</sub>+c)/T</sup>`` reads ``e^((zᵢ+c)/T)``.
    """
    raw = explorer.caption(explorer.state) or ""
    return html_to_text(raw)


def html_to_text(raw: str) -> str:
    """A caption's HTML as one line of plain text, sub/superscripts kept (see ``caption_text``)."""
    raw = re.sub(r"<(?!/?(?:sub|sup)\b)[^>]+>", " ", raw, flags=re.I)
    pattern = re.compile(r"<(sub|sup)>([^<]*)</\1>", re.I)
    while pattern.search(raw):
        raw = pattern.sub(_script, raw)
    raw = re.sub(r"<[^>]+>", " ", raw)
    return re.sub(r"\s+", " ", html.unescape(raw)).strip()


def caption_html(explorer) -> str:
    """The explorer's caption as safe HTML for a static page: its text escaped, the tags that
    carry maths or emphasis (<sub>, <sup>, <b>, <i>, <strong>, <em>) kept without attributes,
    every other tag dropped."""
    from html.parser import HTMLParser

    out: list[str] = []

    class _Keep(HTMLParser):
        def handle_starttag(self, tag, attrs):
            out.append(f"<{tag}>" if tag in _KEEP else " ")

        def handle_endtag(self, tag):
            out.append(f"</{tag}>" if tag in _KEEP else " ")

        def handle_data(self, data):
            out.append(html.escape(data, quote=False))

    parser = _Keep(convert_charrefs=True)
    parser.feed(explorer.caption(explorer.state) or "")
    parser.close()
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _options(ctl) -> list:
    return [o[1] if isinstance(o, tuple) else o for o in ctl.options]


def _option_labels(ctl) -> list:
    return [str(o[0]) if isinstance(o, tuple) else str(o) for o in ctl.options]


def frame_values(explorer, name: str, n: int = 0) -> tuple[list, list]:
    """The values (and their labels) that control ``name`` takes in its frames.

    Options controls: every option (``n`` ignored). Sliders: ``n`` values evenly spread
    over the range (``n`` = 0: every step, for integer sliders), snapped to the slider's
    step, with the default value always included.
    """
    if name == "preset" and hasattr(explorer, "preset"):
        ctl = explorer.preset
        opts = [o for o in _options(ctl) if o != "custom"]
        return opts, [str(o) for o in opts]
    if name not in explorer.controls:
        raise ValueError(
            f"{type(explorer).__name__} has no control {name!r}; it has {sorted(explorer.controls)}"
        )
    ctl = explorer.controls[name]
    if hasattr(ctl, "options") and not hasattr(ctl, "min"):
        return _options(ctl), _option_labels(ctl)
    lo, hi, step = ctl.min, ctl.max, getattr(ctl, "step", None) or 1
    default = ctl.value
    if isinstance(lo, int) and isinstance(hi, int) and isinstance(step, int):
        vals = list(range(lo, hi + 1, step))
        if n and len(vals) > n:
            vals = [vals[round(i * (len(vals) - 1) / (n - 1))] for i in range(n)]
    else:
        n = max(n, 2)
        k_max = round((hi - lo) / step)
        ks = sorted({round(i * k_max / (n - 1)) for i in range(n)})
        decimals = max(0, -int(f"{step:e}".split("e")[1]))
        vals = [round(lo + k * step, decimals + 1) for k in ks]
    if default not in vals:
        vals = sorted([*vals, default])
    fmt = getattr(ctl, "readout_format", None)
    if isinstance(default, float) and fmt:
        labels = [format(v, fmt) for v in vals]
    else:
        labels = [str(v) for v in vals]
    return vals, labels


def _picture(explorer) -> tuple[bytes, str]:
    data = explorer.picture
    if explorer.image_format == "jpeg":
        return data, "jpeg"
    from PIL import Image

    buf = io.BytesIO()
    Image.open(io.BytesIO(data)).save(buf, format="png", optimize=True)
    out = buf.getvalue()
    return (out if len(out) < len(data) else data), "png"


def restore(explorer, values: dict) -> None:
    """Set the controls to ``values``; where one control's range depends on another
    (a patch index on the patch size), set them one at a time until all are set."""
    try:
        explorer.update(**values)
        return
    except ValueError:
        pass
    pending = dict(values)
    while pending:
        progress = False
        for name, value in list(pending.items()):
            try:
                explorer.update(**{name: value})
            except ValueError:
                continue
            pending.pop(name)
            progress = True
        if not progress:
            explorer.update(**pending)  # raises, naming the control and its range


def _set(explorer, name, value):
    if name == "preset" and hasattr(explorer, "apply_preset"):
        explorer.apply_preset(value)
    else:
        explorer.update(**{name: value})


def export_frames(explorer, controls: dict | None = None, defaults: dict | None = None) -> dict:
    """Frames of ``explorer``: each control of ``controls`` moved alone, the others at ``defaults``.

    Returns ``{"title", "explorer", "defaults", "default": frame, "controls": [{"name",
    "label", "values", "labels", "default_index", "frames": [frame, ...]}]}`` where a frame
    is ``{"bytes", "format", "text", "html", "values"}`` (``html``: the caption with its
    sub/superscripts, ``text``: the same as plain text). The explorer is left at its defaults.
    """
    cls = type(explorer).__name__
    if controls is None:
        if cls not in FRAME_CONTROLS:
            raise ValueError(f"no frame controls listed for {cls}; pass controls={{name: n_frames}}")
        controls = FRAME_CONTROLS[cls]
    defaults = dict(explorer.values if defaults is None else defaults)
    preset0 = getattr(getattr(explorer, "preset", None), "value", None)

    def frame():
        data, fmt = _picture(explorer)
        return {"bytes": data, "format": fmt, "text": caption_text(explorer), "html": caption_html(explorer),
                "values": dict(explorer.values)}

    restore(explorer, defaults)
    out = {
        "title": explorer.title or cls,
        "explorer": cls,
        "defaults": defaults,
        "default": frame(),
        "controls": [],
    }
    for name, n in controls.items():
        vals, labels = frame_values(explorer, name, n)
        if name == "preset":
            ctl, default_value = explorer.preset, preset0
        else:
            ctl, default_value = explorer.controls[name], defaults[name]
        frames = []
        for v in vals:
            restore(explorer, defaults)
            _set(explorer, name, v)
            frames.append(frame())
        default_index = vals.index(default_value) if default_value in vals else 0
        out["controls"].append(
            {
                "name": name,
                "label": getattr(ctl, "description", name) or name,
                "values": vals,
                "labels": labels,
                "default_index": default_index,
                "frames": frames,
            }
        )
    restore(explorer, defaults)
    return out


def frames_size(exported: dict) -> int:
    return len(exported["default"]["bytes"]) + sum(
        len(f["bytes"])
        for c in exported["controls"]
        for i, f in enumerate(c["frames"])
        if i != c["default_index"]
    )


def fit_budget(pages: list, budget: int = FRAME_BUDGET_BYTES) -> list:
    """Drop frames evenly (never a control's ends or its default) until a page's frames fit.

    ``pages`` is the list of ``export_frames`` results of one page; changed in place.
    """

    def total():
        return sum(frames_size(e) for e in pages)

    while total() > budget:
        # thin the control with the most frames
        best = max((c for e in pages for c in e["controls"]), key=lambda c: len(c["frames"]), default=None)
        if best is None or len(best["frames"]) <= 3:
            raise ValueError(
                f"frames of one page take {total():,} bytes even at 3 frames a control; budget {budget:,}"
            )
        keep = {0, len(best["frames"]) - 1, best["default_index"]}
        keep |= set(range(0, len(best["frames"]), 2))
        if len(keep) == len(best["frames"]):
            keep = {0, len(best["frames"]) - 1, best["default_index"]} | set(range(0, len(best["frames"]), 3))
        idx = sorted(keep)
        default_value = best["values"][best["default_index"]]
        for key in ("values", "labels", "frames"):
            best[key] = [best[key][i] for i in idx]
        best["default_index"] = best["values"].index(default_value)
    return pages
