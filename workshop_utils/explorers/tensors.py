"""Explorers for notebook 01: a pixel inspector and a grayscale mixer."""

from __future__ import annotations

import numpy as np

from .. import tensors
from .._validate import as_numpy, describe
from ..plotting import COLORS
from ._base import Explorer

__all__ = ["pixel_inspector", "grayscale_mixer", "PixelInspector", "GrayscaleMixer"]


def _rgb_uint8(image, name="image") -> np.ndarray:
    a = as_numpy(image, name)
    if a.ndim != 3 or a.shape[-1] != 3 or a.dtype != np.uint8:
        raise ValueError(f"{name} should be a uint8 RGB image H×W×3; got {describe(a)}")
    return a


class PixelInspector(Explorer):
    """Row and column sliders: the pixel's place on the image and its R, G, B values."""

    title = "Pixel inspector"
    figsize = (7.5, 3.2)
    image_format = "jpeg"

    def __init__(self, image, zoom: int = 7):
        import ipywidgets as widgets

        self.img = _rgb_uint8(image)
        self.zoom = zoom
        H, W, _ = self.img.shape
        controls = {
            "row": widgets.IntSlider(value=H // 2, min=0, max=H - 1, description="row"),
            "col": widgets.IntSlider(value=W // 2, min=0, max=W - 1, description="col"),
        }
        super().__init__(controls)

    def setup(self):
        ax_img, ax_zoom, ax_bar = self.fig.subplots(
            1, 3, gridspec_kw={"width_ratios": [2.2, 1, 1.2]}
        )
        self.ax_img, self.ax_zoom, self.ax_bar = ax_img, ax_zoom, ax_bar
        ax_img.imshow(self.img)
        ax_img.set_title(f"photo  H×W×C = {self.img.shape}", fontsize=9)
        ax_img.set_xlabel("col")
        ax_img.set_ylabel("row")
        (self.marker,) = ax_img.plot([], [], "o", ms=10, mfc="none", mec="white", mew=2)
        self.zoom_im = ax_zoom.imshow(np.zeros((2 * self.zoom + 1,) * 2 + (3,), np.uint8))
        ax_zoom.set_xticks([])
        ax_zoom.set_yticks([])
        self.zoom_box = ax_zoom.add_patch(
            __import__("matplotlib.patches", fromlist=["Rectangle"]).Rectangle(
                (self.zoom - 0.5, self.zoom - 0.5), 1, 1, fill=False, ec="white", lw=2)
        )
        ax_zoom.set_title("neighbourhood", fontsize=9)
        self.bars = ax_bar.bar(["R", "G", "B"], [0, 0, 0],
                               color=[COLORS["red"], COLORS["green"], COLORS["blue"]])
        ax_bar.set_ylim(0, 255)
        ax_bar.set_title("values 0..255", fontsize=9)
        self.bar_text = [ax_bar.text(i, 0, "", ha="center", va="bottom", fontsize=9)
                         for i in range(3)]
        self.dynamic = [self.marker, self.zoom_im, self.zoom_box, *self.bars, *self.bar_text]

    def compute(self, row, col):
        rgb = tensors.pixel(self.img, row, col)
        H, W, _ = self.img.shape
        z = self.zoom
        pad = np.pad(self.img, ((z, z), (z, z), (0, 0)), mode="edge")
        patch = pad[row: row + 2 * z + 1, col: col + 2 * z + 1]
        return {"row": row, "col": col, "rgb": tuple(int(v) for v in rgb),
                "unit": tuple(float(v) / 255 for v in rgb), "patch": patch}

    def draw(self, s):
        self.marker.set_data([s["col"]], [s["row"]])
        self.zoom_im.set_data(s["patch"])
        for bar, t, v in zip(self.bars, self.bar_text, s["rgb"]):
            bar.set_height(v)
            t.set_position((t.get_position()[0], v + 3))
            t.set_text(str(v))

    def caption(self, s):
        r, g, b = s["rgb"]
        fr, fg, fb = s["unit"]
        return (f"<code>X[{s['row']}, {s['col']}] = [{r}, {g}, {b}]</code> (uint8) &rarr; "
                f"<code>[{fr:.3f}, {fg:.3f}, {fb:.3f}]</code> after /255")


def pixel_inspector(image) -> PixelInspector:
    """Explorer: row/column sliders over a uint8 H×W×3 photo."""
    return PixelInspector(image)


class GrayscaleMixer(Explorer):
    """Sliders for the R, G, B weights of the weighted sum w_R·R + w_G·G + w_B·B."""

    title = "Grayscale mixer"
    figsize = (7.5, 3.0)
    image_format = "jpeg"

    def __init__(self, image, weights=tensors.LUMA_WEIGHTS, max_side: int = 320):
        import ipywidgets as widgets

        img = _rgb_uint8(image)
        step = max(1, int(np.ceil(max(img.shape[:2]) / max_side)))
        # A preview: every step-th pixel (the figure shows ~300 px anyway), kept as float32
        # so each slider move is one small matrix product.
        self.img = np.ascontiguousarray(img[::step, ::step])
        self._imgf = self.img.astype(np.float32)
        kw = dict(min=-1.0, max=2.0, step=0.01, readout_format=".2f")
        controls = {
            name: widgets.FloatSlider(value=float(w), description=f"w_{name[-1].upper()}", **kw)
            for name, w in zip(("w_r", "w_g", "w_b"), weights)
        }
        super().__init__(controls)

    def setup(self):
        ax_rgb, ax_gray = self.fig.subplots(1, 2)
        ax_rgb.imshow(self.img)
        ax_rgb.set_title("RGB input (H×W×3)", fontsize=9)
        self.gray_im = ax_gray.imshow(np.zeros(self.img.shape[:2]), cmap="gray", vmin=0, vmax=255)
        for ax in (ax_rgb, ax_gray):
            ax.set_axis_off()
        self.ax_gray = ax_gray
        self.gray_title = ax_gray.set_title("", fontsize=9)
        self.dynamic = [self.gray_im, self.gray_title]

    def compute(self, w_r, w_g, w_b):
        gray = self._imgf @ np.array([w_r, w_g, w_b], dtype=np.float32)
        clipped = float(np.mean((gray < 0) | (gray > 255)))
        return {"weights": (w_r, w_g, w_b), "gray": gray, "sum": w_r + w_g + w_b,
                "mean": float(gray.mean()), "clipped_fraction": clipped}

    def draw(self, s):
        self.gray_im.set_data(np.clip(s["gray"], 0, 255))
        self.gray_title.set_text(f"weighted sum (H×W), mean {s['mean']:.0f}")

    def caption(self, s):
        w_r, w_g, w_b = s["weights"]
        note = ""
        if abs(s["sum"] - 1) > 0.05:
            note = " &nbsp;(weights do not add up to 1: the image gets darker or brighter)"
        if s["clipped_fraction"] > 0:
            note += f" &nbsp;{100 * s['clipped_fraction']:.0f}% of pixels fall outside 0..255"
        return (f"<code>gray = {w_r:.2f}·R + {w_g:.2f}·G + {w_b:.2f}·B</code>, "
                f"sum of weights {s['sum']:.2f}{note}")


def grayscale_mixer(image, weights=tensors.LUMA_WEIGHTS) -> GrayscaleMixer:
    """Explorer: weights for R, G and B mixed into one grayscale plane."""
    return GrayscaleMixer(image, weights)
