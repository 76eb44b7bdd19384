"""Explorer for notebook 06: a slider per logit, a shift and a temperature → softmax's bars."""

from __future__ import annotations

import numpy as np

from .. import softmax as sm
from .._validate import as_numpy, describe
from ..plotting import COLORS
from ._base import Explorer

__all__ = ["logit_explorer", "LogitExplorer"]

LOGIT_RANGE = (-10.0, 10.0)
SHIFT_RANGE = (-10.0, 10.0)
TEMPERATURE_RANGE = (0.1, 5.0)


AXIS_STEPS = (2.5, 5.0, 10.0, LOGIT_RANGE[1] + SHIFT_RANGE[1])


def logit_axis_limit(z) -> float:
    """The logit axis's half-height: the smallest of ``AXIS_STEPS`` that holds every bar."""
    top = float(np.max(np.abs(z)))
    return next((lim for lim in AXIS_STEPS if top <= lim), AXIS_STEPS[-1])


class LogitExplorer(Explorer):
    """Sliders for the logits z_i, a shift c added to all of them and a temperature T:
    the bars of z + c and of softmax((z + c) / T)."""

    title = "Logit explorer: probabilities = softmax((z + c) / T)"
    figsize = (8.0, 3.0)

    def __init__(self, logits=(2.0, 1.0, 0.1, -1.0), classes=None, temperature: float = 1.0):
        import ipywidgets as widgets

        z = as_numpy(logits, "logits").astype(np.float64)
        if z.ndim != 1 or not 2 <= len(z) <= 8:
            raise ValueError(f"logits should be 2 to 8 numbers (one per class); got {describe(z)}")
        lo, hi = LOGIT_RANGE
        if not np.all(np.isfinite(z)) or np.any(z < lo) or np.any(z > hi):
            raise ValueError(f"each logit must be between {lo:g} and {hi:g}; got {z.tolist()}")
        tlo, thi = TEMPERATURE_RANGE
        if not tlo <= float(temperature) <= thi:
            raise ValueError(f"temperature must be between {tlo} and {thi}; got {temperature!r}")
        self.classes = [str(c) for c in (classes if classes is not None else range(len(z)))]
        if len(self.classes) != len(z):
            raise ValueError(f"got {len(self.classes)} class names for {len(z)} logits")
        self.n = len(z)
        look = dict(style={"description_width": "initial"}, layout=widgets.Layout(width="260px"))
        controls = {f"z{i}": widgets.FloatSlider(value=float(v), min=lo, max=hi, step=0.1,
                                                 readout_format=".1f",
                                                 description=f"z[{self.classes[i]}]", **look)
                    for i, v in enumerate(z)}
        controls["shift"] = widgets.FloatSlider(value=0.0, min=SHIFT_RANGE[0], max=SHIFT_RANGE[1],
                                                step=0.1, readout_format=".1f",
                                                description="shift c (all)", **look)
        controls["temperature"] = widgets.FloatSlider(value=float(temperature), min=tlo, max=thi,
                                                      step=0.05, readout_format=".2f",
                                                      description="temperature T", **look)
        super().__init__(controls)

    def setup(self):
        ax_z, ax_p = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.2]})
        x = np.arange(self.n)
        self.z_bars = ax_z.bar(x, np.zeros(self.n), color=COLORS["blue"])
        ax_z.axhline(0, color="0.5", lw=0.8)
        self.ax_z, self.z_lim = ax_z, None
        ax_z.set_xticks(x, self.classes)
        ax_z.set_title("logits z + c (any real numbers)", fontsize=10)
        self.p_bars = ax_p.bar(x, np.zeros(self.n), color=COLORS["orange"])
        ax_p.set_ylim(0, 1.12)
        ax_p.set_xticks(x, self.classes)
        ax_p.axhline(1.0, color="0.7", lw=0.8, ls=":")
        ax_p.set_title("probabilities ŷ (in [0, 1], sum 1)", fontsize=10)
        self.p_text = [ax_p.text(i, 0, "", ha="center", va="bottom", fontsize=8) for i in x]
        self.dynamic = [*self.z_bars, *self.p_bars, *self.p_text]

    def compute(self, shift, temperature, **zs):
        z = np.array([zs[f"z{i}"] for i in range(self.n)], dtype=np.float64) + shift
        p = sm.softmax(z, temperature=temperature)
        return {"logits": z, "shift": float(shift), "temperature": float(temperature),
                "scaled": z / temperature, "probs": p, "sum": float(p.sum()),
                "argmax": int(np.argmax(p)), "max_prob": float(p.max()),
                "entropy": float(sm.entropy(p)), "max_entropy": float(np.log(self.n))}

    def draw(self, s):
        lim = logit_axis_limit(s["logits"])
        if lim != self.z_lim:  # the axis grows and shrinks in steps, so small logits show
            self.z_lim = lim
            self.ax_z.set_ylim(-lim, lim)
            self.invalidate()
        for i, (bz, bp, tp) in enumerate(zip(self.z_bars, self.p_bars, self.p_text)):
            z, p = s["logits"][i], s["probs"][i]
            bz.set_height(z)
            bp.set_height(p)
            bp.set_color(COLORS["red"] if i == s["argmax"] else COLORS["orange"])
            tp.set_position((i, p + 0.01))
            tp.set_text(f"{p:.2f}")

    def caption(self, s):
        terms = " + ".join(f"e<sup>{v:.2f}</sup>" for v in s["scaled"][:4])
        if self.n > 4:
            terms += " + …"
        return (f"ŷ<sub>i</sub> = e<sup>(z<sub>i</sub>+c)/T</sup> / ({terms}); "
                f"T = {s['temperature']:.2f}, c = {s['shift']:.1f} &nbsp;→ largest "
                f"ŷ = {s['max_prob']:.3f} for class {self.classes[s['argmax']]}, "
                f"sum = {s['sum']:.3f}, entropy {s['entropy']:.2f} of at most "
                f"{s['max_entropy']:.2f} nats")


def logit_explorer(logits=(2.0, 1.0, 0.1, -1.0), classes=None, temperature: float = 1.0):
    """Explorer: a slider per logit (2–8 classes), a shift c and a temperature T → softmax bars."""
    return LogitExplorer(logits, classes, temperature)
