"""Explorers for notebook 05 (CNNs vs ViTs).

* ``conv_geometry_explorer``: kernel size, stride, padding and the window sliding over an
  8×8 digit, with the output size ⌊(H + 2p − k)/s⌋ + 1.
* ``kernel_editor``: the nine entries of a 3×3 kernel (plus presets) applied live to the
  photograph and to a digit.
* ``feature_map_explorer``: a trained CNN's feature maps H1 and H2 for a chosen digit.
* ``patchify_explorer``: the patch grid over a digit and the N × p² matrix of patches.
* ``attention_explorer``: a trained ViT's CLS attention over the patches (image, layer, head).
* ``training_monitor``: a live loss curve for ``training.fit(..., on_epoch=monitor.on_epoch)``.
"""

from __future__ import annotations

import numpy as np

from .. import attention, conv
from .._validate import as_numpy, describe
from ..plotting import COLORS, mosaic
from ._base import Explorer

__all__ = [
    "conv_geometry_explorer",
    "kernel_editor",
    "feature_map_explorer",
    "patchify_explorer",
    "attention_explorer",
    "ConvGeometryExplorer",
    "KernelEditor",
    "FeatureMapExplorer",
    "PatchifyExplorer",
    "AttentionExplorer",
]


def _gray_image(img, name="image") -> np.ndarray:
    a = as_numpy(img, name)
    if a.ndim == 3 and a.shape[0] == 1:
        a = a[0]
    if a.ndim != 2:
        raise ValueError(f"{name} should be one grayscale image H×W (or 1×H×W); got {describe(a)}")
    a = a.astype(np.float64)
    return a / 255.0 if a.max(initial=0) > 1.0 else a


def _set_max(explorer, ctl, new_max):
    """Change a slider's maximum without triggering a second redraw."""
    if ctl.max != new_max:
        with explorer.holding():
            if ctl.value > new_max:
                ctl.value = new_max
            ctl.max = new_max


def _rect(ax, **kw):
    from matplotlib.patches import Rectangle

    return ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, **kw))


# ============================================================================ geometry
class ConvGeometryExplorer(Explorer):
    """Sliders for k, s, p and the output cell: the window on the padded input, the output grid."""

    title = "Convolution geometry: kernel size, stride, padding"
    figsize = (8.0, 3.7)
    max_k, max_s, max_p = 7, 3, 3

    def __init__(self, image):
        import ipywidgets as widgets

        self.img = _gray_image(image)
        H, W = self.img.shape
        if max(H, W) > 16 or min(H, W) < self.max_k:
            raise ValueError(f"use a small image between {self.max_k}×{self.max_k} and 16×16 "
                             f"(e.g. an 8×8 digit); got {H}×{W}")
        self.H, self.W = H, W
        controls = {
            "kernel_size": widgets.IntSlider(value=3, min=1, max=self.max_k, description="kernel k"),
            "stride": widgets.IntSlider(value=1, min=1, max=self.max_s, description="stride s"),
            "padding": widgets.IntSlider(value=0, min=0, max=self.max_p, description="padding p"),
            "position": widgets.IntSlider(value=0, min=0, max=self._n_out(3, 1, 0) - 1,
                                          description="output cell"),
        }
        super().__init__(controls)

    def _n_out(self, k, s, p):
        return conv.conv_output_size(self.H, k, s, p) * conv.conv_output_size(self.W, k, s, p)

    def setup(self):
        ax_in, ax_out = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        self.ax_in, self.ax_out = ax_in, ax_out
        self.limits_p = None  # the padding the panels' limits were last set for (draw)
        for ax in (ax_in, ax_out):
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_frame_on(False)
        ax_in.set_title("input X, padding zeros in blue", fontsize=9)
        ax_out.set_title("output Y (mean of each window)", fontsize=9)
        from matplotlib.collections import LineCollection

        self.im_in = ax_in.imshow(np.zeros((2, 2, 3)), interpolation="nearest")
        self.lines_in = ax_in.add_collection(LineCollection([], colors="0.6", linewidths=0.4))
        (self.starts,) = ax_in.plot([], [], ".", color=COLORS["orange"], ms=4)
        self.window = _rect(ax_in, ec=COLORS["orange"], lw=2.5)
        self.im_out = ax_out.imshow(np.zeros((2, 2)), cmap="gray", vmin=0, vmax=1,
                                    interpolation="nearest")
        self.lines_out = ax_out.add_collection(LineCollection([], colors="0.6", linewidths=0.4))
        self.cell = _rect(ax_out, ec=COLORS["orange"], lw=2.5)
        self.out_text = ax_out.text(-0.5, 0.0, "", va="top", fontsize=9)  # under the grid
        self.dynamic = [self.im_in, self.lines_in, self.starts, self.window, self.im_out,
                        self.lines_out, self.cell, self.out_text]

    @staticmethod
    def _grid(x0, y0, width, height):
        segs = [[(x0 + i - 0.5, y0 - 0.5), (x0 + i - 0.5, y0 + height - 0.5)] for i in range(width + 1)]
        segs += [[(x0 - 0.5, y0 + j - 0.5), (x0 + width - 0.5, y0 + j - 0.5)] for j in range(height + 1)]
        return segs

    def compute(self, kernel_size, stride, padding, position):
        k, s, p = kernel_size, stride, padding
        Ho = conv.conv_output_size(self.H, k, s, p)
        Wo = conv.conv_output_size(self.W, k, s, p)
        pos = min(int(position), Ho * Wo - 1)
        h, w = divmod(pos, Wo)
        K = np.full((k, k), 1.0 / (k * k))
        Y = conv.conv2d(self.img, K, stride=s, padding=p)
        X_pad = conv.pad2d(self.img, p)
        window = X_pad[h * s:h * s + k, w * s:w * s + k]
        return {"k": k, "s": s, "p": p, "H_out": Ho, "W_out": Wo, "position": pos, "h": h, "w": w,
                "Y": Y, "X_pad": X_pad, "window": window, "value": float(Y[h, w]),
                "starts": [(r * s - p, c * s - p) for r in range(Ho) for c in range(Wo)]}

    def _fit_panels(self, p):
        """Both panels just hold the padded input (so no empty margins), on one scale: an
        output cell is as large as an input cell, and the output never outgrows the input."""
        self.limits_p = p
        self.ax_in.set_xlim(-p - 0.5, self.W + p - 0.5)
        self.ax_in.set_ylim(self.H + p - 0.5, -p - 0.5)
        self.ax_out.set_xlim(-0.5, self.W + 2 * p - 0.5)
        self.ax_out.set_ylim(self.H + 2 * p - 0.5 + 1.2, -0.5)  # + a line for the text
        self.invalidate()

    def draw(self, st):
        _set_max(self, self.controls["position"], st["H_out"] * st["W_out"] - 1)
        k, s, p = st["k"], st["s"], st["p"]
        if p != self.limits_p:
            self._fit_panels(p)
        rgb = np.repeat(st["X_pad"][..., None], 3, axis=2)
        if p:
            pad_colour = (0.62, 0.76, 0.90)
            rgb[:p], rgb[-p:], rgb[:, :p], rgb[:, -p:] = pad_colour, pad_colour, pad_colour, pad_colour
        self.im_in.set_data(np.clip(rgb, 0, 1))
        self.im_in.set_extent((-p - 0.5, self.W + p - 0.5, self.H + p - 0.5, -p - 0.5))
        self.lines_in.set_segments(self._grid(-p, -p, self.W + 2 * p, self.H + 2 * p))
        self.lines_out.set_segments(self._grid(0, 0, st["W_out"], st["H_out"]))
        rows, cols = zip(*st["starts"])
        self.starts.set_data(np.array(cols) + 0.0, np.array(rows) + 0.0)
        self.window.set_bounds(st["w"] * s - p - 0.5, st["h"] * s - p - 0.5, k, k)
        self.im_out.set_data(st["Y"])
        self.im_out.set_extent((-0.5, st["W_out"] - 0.5, st["H_out"] - 0.5, -0.5))
        self.cell.set_bounds(st["w"] - 0.5, st["h"] - 0.5, 1, 1)
        self.out_text.set_text(f"{st['H_out']}×{st['W_out']} outputs")
        self.out_text.set_position((-0.5, st["H_out"] - 0.5 + 0.3))

    def caption(self, st):
        k, s, p = st["k"], st["s"], st["p"]
        return (f"<code>H' = ⌊(H + 2p − k)/s⌋ + 1 = ⌊({self.H} + 2·{p} − {k})/{s}⌋ + 1 = "
                f"{st['H_out']}</code> &nbsp; (and W' = {st['W_out']}). Output cell "
                f"(h, w) = ({st['h']}, {st['w']}) reads the window starting at padded row "
                f"{st['h']}·{s} = {st['h'] * s}, column {st['w']}·{s} = {st['w'] * s}; "
                f"Y = {st['value']:.3f}")


def conv_geometry_explorer(image=None) -> ConvGeometryExplorer:
    """Explorer: kernel size, stride, padding and output-cell sliders over a real 8×8 digit."""
    if image is None:
        from ..data import load_digits8x8

        image = load_digits8x8(seed=0).X_train[0]
    return ConvGeometryExplorer(image)


# ============================================================================ kernel editor
class KernelEditor(Explorer):
    """Nine sliders K[m, n] (and presets): the kernel applied to a photograph and to a digit."""

    title = "Kernel editor: a 3×3 kernel slid over real images"
    figsize = (8.4, 4.4)
    image_format = "jpeg"
    value_range = (-8.0, 8.0)

    def __init__(self, photo, digit, preset: str = "Sobel x"):
        import ipywidgets as widgets

        if preset not in conv.KERNEL_PRESETS:
            raise ValueError(f"unknown preset {preset!r}; choose one of {list(conv.KERNEL_PRESETS)}")
        ph = as_numpy(photo, "photo")
        if ph.ndim == 3 and ph.shape[-1] == 3:
            from ..tensors import to_grayscale

            ph = to_grayscale(ph)
        self.photo = _gray_image(ph, "photo")
        self.digit = _gray_image(digit, "digit")
        lo, hi = self.value_range
        K = np.asarray(conv.KERNEL_PRESETS[preset], dtype=float)
        controls = {}
        for m in range(3):
            for n in range(3):
                controls[f"k{m}{n}"] = widgets.FloatSlider(
                    value=float(K[m, n]), min=lo, max=hi, step=0.01, readout_format=".2f",
                    description=f"K[{m},{n}]", continuous_update=True,
                    layout=widgets.Layout(width="250px"))
        self.preset = widgets.Dropdown(options=list(conv.KERNEL_PRESETS) + ["custom"], value=preset,
                                       description="preset")
        self.preset.observe(self._on_preset, names="value")
        super().__init__(controls, extra_widgets=[self.preset])

    def _on_preset(self, change):
        if not self.held and change["new"] in conv.KERNEL_PRESETS:
            self.apply_preset(change["new"])

    def apply_preset(self, name: str):
        """Set the nine sliders to a named kernel and redraw once; returns the new state."""
        if name not in conv.KERNEL_PRESETS:
            raise ValueError(f"unknown preset {name!r}; choose one of {list(conv.KERNEL_PRESETS)}")
        K = np.asarray(conv.KERNEL_PRESETS[name], dtype=float)
        state = self.update(**{f"k{m}{n}": float(round(K[m, n], 2)) for m in range(3) for n in range(3)})
        if self.preset.value != name:
            with self.holding():
                self.preset.value = name
        return state

    def setup(self):
        gs = self.fig.add_gridspec(2, 3, width_ratios=[1.5, 1.5, 0.8])
        self.axes = {
            "photo_in": self.fig.add_subplot(gs[0, 0]), "photo_out": self.fig.add_subplot(gs[0, 1]),
            "digit_in": self.fig.add_subplot(gs[1, 0]), "digit_out": self.fig.add_subplot(gs[1, 1]),
            "kernel": self.fig.add_subplot(gs[:, 2]),
        }
        for ax in self.axes.values():
            ax.set_xticks([])
            ax.set_yticks([])
        a = self.axes
        a["photo_in"].imshow(self.photo, cmap="gray", vmin=0, vmax=1)
        a["photo_in"].set_title("photo X", fontsize=9)
        a["digit_in"].imshow(self.digit, cmap="gray", vmin=0, vmax=1)
        a["digit_in"].set_title("digit X", fontsize=9)
        self.photo_out = a["photo_out"].imshow(np.zeros_like(self.photo), cmap="gray")
        self.digit_out = a["digit_out"].imshow(np.zeros_like(self.digit), cmap="gray")
        a["photo_out"].set_title("Y = K ⋆ X", fontsize=9)
        a["digit_out"].set_title("Y = K ⋆ X", fontsize=9)
        lo, hi = self.value_range
        self.k_im = a["kernel"].imshow(np.zeros((3, 3)), cmap="RdBu_r", vmin=-4, vmax=4)
        a["kernel"].set_title("kernel K", fontsize=9)
        self.k_text = [[a["kernel"].text(n, m, "", ha="center", va="center", fontsize=9)
                        for n in range(3)] for m in range(3)]
        self.dynamic = [self.photo_out, self.digit_out, self.k_im, *sum(self.k_text, [])]

    def compute(self, **entries):
        K = np.array([[entries[f"k{m}{n}"] for n in range(3)] for m in range(3)], dtype=float)
        Y_photo = conv.conv2d(self.photo, K, padding=1)
        Y_digit = conv.conv2d(self.digit, K, padding=1)
        return {"K": K, "Y_photo": Y_photo, "Y_digit": Y_digit, "sum": float(K.sum()),
                "preset": next((name for name, P in conv.KERNEL_PRESETS.items()
                                if np.allclose(K, np.round(P, 2), atol=1e-9)), "custom")}

    @staticmethod
    def _limits(Y):
        lo, hi = np.percentile(Y, [1, 99])
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        return lo, hi

    def draw(self, st):
        for im, Y in ((self.photo_out, st["Y_photo"]), (self.digit_out, st["Y_digit"])):
            im.set_data(Y)
            im.set_clim(*self._limits(Y))
        self.k_im.set_data(st["K"])
        lim = max(1.0, float(np.abs(st["K"]).max()))
        self.k_im.set_clim(-lim, lim)
        for m in range(3):
            for n in range(3):
                v = st["K"][m, n]
                t = self.k_text[m][n]
                t.set_text(f"{v:.2f}".rstrip("0").rstrip("."))
                t.set_color("white" if abs(v) > 0.6 * lim else "black")
        if self.preset.value != st["preset"]:
            with self.holding():
                self.preset.value = st["preset"]

    def caption(self, st):
        note = ("sum ≈ 1: brightness is kept" if abs(st["sum"] - 1) < 0.05 else
                "sum ≈ 0: flat regions become 0, only changes (edges) remain" if abs(st["sum"]) < 0.05
                else "the sum changes the overall brightness")
        lo, hi = self._limits(st["Y_photo"])
        return (f"kernel <b>{st['preset']}</b>, sum of the 9 weights = {st['sum']:.2f} ({note}). "
                f"Photo output shown from {lo:.2f} (black) to {hi:.2f} (white).")


def kernel_editor(photo=None, digit=None, preset: str = "Sobel x") -> KernelEditor:
    """Explorer: nine kernel sliders with presets, applied to the photo and to a digit."""
    if photo is None:
        from ..data import load_photo

        photo = load_photo("china")[::3, ::3]
    if digit is None:
        from ..data import load_mnist5k

        digit = load_mnist5k(seed=0).X_test[0]
    return KernelEditor(photo, digit, preset)


# ============================================================================ feature maps
class FeatureMapExplorer(Explorer):
    """Image and layer controls: every feature map of H1 or H2 in a trained SmallCNN."""

    title = "Feature maps of the CNN"
    figsize = (8.6, 3.6)
    layers = ("H1", "H2")

    def __init__(self, model, images, labels=None):
        import ipywidgets as widgets
        import torch

        X = as_numpy(images, "images")
        if X.ndim == 3:
            X = X[:, None]
        if X.ndim != 4 or X.shape[1] != 1:
            raise ValueError(f"images should be a batch N×28×28 or N×1×28×28; got {describe(X)}")
        if len(X) == 0:
            raise ValueError("images is empty; give at least one image")
        X = X.astype(np.float32)
        if X.max() > 1.0:
            X = X / 255.0
        model.eval()
        with torch.no_grad():
            st = model.stages(torch.from_numpy(X))
            probs = torch.softmax(st["z"], dim=1).numpy()
        self.X = X[:, 0]
        self.maps = {"H1": st["H1"].numpy(), "H2": st["H2"].numpy()}
        self.probs = probs
        self.labels = None if labels is None else as_numpy(labels, "labels")
        self.n_maps = max(m.shape[1] for m in self.maps.values())
        self.ncols = 8
        self.nrows = int(np.ceil(self.n_maps / self.ncols))
        controls = {
            "image": widgets.IntSlider(value=0, min=0, max=len(X) - 1, description="image"),
            "layer": widgets.Dropdown(options=list(self.layers), value="H1", description="layer"),
        }
        super().__init__(controls, figsize=(8.6, 0.6 + 0.82 * self.nrows))

    def setup(self):
        ax_img, ax_maps = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 3.2]})
        ax_img.set_axis_off()
        self.img = ax_img.imshow(np.zeros((28, 28)), cmap="gray", vmin=0, vmax=1)
        self.img_title = ax_img.set_title("", fontsize=9)
        ax_maps.set_xlim(0, self.ncols)
        ax_maps.set_ylim(self.nrows, 0)
        ax_maps.set_aspect("equal")
        ax_maps.set_axis_off()
        import matplotlib as mpl

        cmap = mpl.colormaps["viridis"].with_extremes(bad="white")
        self.mosaic = ax_maps.imshow(np.zeros((2, 2)), cmap=cmap, vmin=0, vmax=1,
                                     extent=(0, 1, 1, 0), interpolation="nearest")
        self.maps_title = ax_maps.text(0.0, 1.01, "", transform=ax_maps.transAxes, fontsize=9,
                                       va="bottom")
        self.dynamic = [self.img, self.img_title, self.mosaic, self.maps_title]

    def _mosaic(self, maps):
        """The maps tiled, and the extent that gives each map (with its gap) one unit square."""
        C, h, w = maps.shape
        pad = max(1, h // 10)
        out = mosaic(maps, self.ncols, pad=pad)
        return out, (0, out.shape[1] / (w + pad), out.shape[0] / (h + pad), 0)

    def compute(self, image, layer):
        maps = self.maps[layer][image]
        tiles, extent = self._mosaic(maps)
        return {"image": image, "layer": layer, "maps": maps, "shape": tuple(maps.shape),
                "mosaic": tiles, "extent": extent,
                "vmax": float(max(maps.max(), 1e-6)), "x": self.X[image],
                "pred": int(self.probs[image].argmax()), "p": float(self.probs[image].max()),
                "label": None if self.labels is None else int(self.labels[image]),
                "active": float((maps > 0).mean())}

    def draw(self, st):
        self.img.set_data(st["x"])
        lab = "" if st["label"] is None else f"label {st['label']}, "
        self.img_title.set_text(f"{lab}predicted {st['pred']}")
        self.mosaic.set_data(st["mosaic"])
        self.mosaic.set_extent(st["extent"])
        self.mosaic.set_clim(0, st["vmax"])
        C, h, w = st["shape"]
        self.maps_title.set_text(f"{st['layer']}: {C} feature maps of {h}×{w} (channel 0 top left, "
                                 f"then row by row)")

    def caption(self, st):
        C, h, w = st["shape"]
        what = ("first layer: strokes and edges in 16 directions" if st["layer"] == "H1"
                else "second layer: combinations of strokes, at a coarser 7×7 grid")
        return (f"<code>{st['layer']}</code> has shape {C}×{h}×{w} ({what}); "
                f"{st['active']:.0%} of its values are > 0 after the ReLU. "
                f"Prediction {st['pred']} with probability {st['p']:.2f}.")


def feature_map_explorer(model, images, labels=None) -> FeatureMapExplorer:
    """Explorer: choose a digit and a layer (H1 or H2) of a trained ``SmallCNN``."""
    return FeatureMapExplorer(model, images, labels)


# ============================================================================ patchify
class PatchifyExplorer(Explorer):
    """Patch-size and patch sliders: the grid over the image and the N × p² patch matrix."""

    title = "Patchify: an image becomes N vectors of length p²"
    figsize = (8.6, 3.4)
    patch_sizes = (2, 4, 7, 14, 28)

    def __init__(self, image, patch_size: int = 7):
        import ipywidgets as widgets

        self.img = _gray_image(image)
        H, W = self.img.shape
        self.sizes = tuple(p for p in self.patch_sizes if H % p == 0 and W % p == 0)
        if not self.sizes:
            raise ValueError(f"none of the patch sizes {self.patch_sizes} divides the {H}×{W} image")
        if patch_size not in self.sizes:
            raise ValueError(f"patch_size must be one of {self.sizes} (they divide {H}×{W}); "
                             f"got {patch_size}")
        controls = {
            "patch_size": widgets.SelectionSlider(options=list(self.sizes), value=patch_size,
                                                  description="patch p"),
            "patch": widgets.IntSlider(value=5, min=0, max=attention.num_patches(H, W, patch_size) - 1,
                                       description="patch i"),
        }
        super().__init__(controls)

    def setup(self):
        from matplotlib.collections import LineCollection

        ax_img, ax_mat, ax_patch = self.fig.subplots(
            1, 3, gridspec_kw={"width_ratios": [1.1, 1.4, 0.8]})
        self.ax_img, self.ax_mat, self.ax_patch = ax_img, ax_mat, ax_patch
        H, W = self.img.shape
        ax_img.imshow(self.img, cmap="gray", vmin=0, vmax=1)
        ax_img.set_xticks([])
        ax_img.set_yticks([])
        ax_img.set_title("image with the patch grid", fontsize=9)
        self.grid = ax_img.add_collection(LineCollection([], colors=COLORS["sky"], linewidths=0.8))
        self.sel = _rect(ax_img, ec=COLORS["orange"], lw=2.5)
        ax_mat.set_xlim(0, 1)
        ax_mat.set_ylim(1, 0)
        ax_mat.set_xticks([])
        ax_mat.set_yticks([])
        self.mat = ax_mat.imshow(np.zeros((2, 2)), cmap="gray", vmin=0, vmax=1, aspect="auto",
                                 extent=(0, 1, 1, 0), interpolation="nearest")
        self.row = _rect(ax_mat, ec=COLORS["orange"], lw=2)
        self.mat_title = ax_mat.text(0.5, 1.02, "", transform=ax_mat.transAxes, ha="center",
                                     va="bottom", fontsize=9)
        self.mat_x = ax_mat.text(0.5, -0.02, "", transform=ax_mat.transAxes, ha="center",
                                 va="top", fontsize=8)
        ax_patch.set_xlim(0, 1)
        ax_patch.set_ylim(1, 0)
        ax_patch.set_xticks([])
        ax_patch.set_yticks([])
        self.patch_im = ax_patch.imshow(np.zeros((2, 2)), cmap="gray", vmin=0, vmax=1,
                                        extent=(0, 1, 1, 0), interpolation="nearest")
        self.patch_title = ax_patch.text(0.5, 1.02, "", transform=ax_patch.transAxes,
                                         ha="center", va="bottom", fontsize=9)
        self.dynamic = [self.grid, self.sel, self.mat, self.row, self.mat_title, self.mat_x,
                        self.patch_im, self.patch_title]

    def compute(self, patch_size, patch):
        p = int(patch_size)
        H, W = self.img.shape
        P = attention.patchify(self.img, p)
        N = P.shape[0]
        i = min(int(patch), N - 1)
        r, c = divmod(i, W // p)
        return {"p": p, "N": N, "patches": P, "i": i, "row": r, "col": c,
                "patch_pixels": self.img[r * p:(r + 1) * p, c * p:(c + 1) * p]}

    def draw(self, st):
        _set_max(self, self.controls["patch"], st["N"] - 1)
        p, N = st["p"], st["N"]
        H, W = self.img.shape
        segs = [[(x - 0.5, -0.5), (x - 0.5, H - 0.5)] for x in range(p, W, p)]
        segs += [[(-0.5, y - 0.5), (W - 0.5, y - 0.5)] for y in range(p, H, p)]
        self.grid.set_segments(segs)
        self.sel.set_bounds(st["col"] * p - 0.5, st["row"] * p - 0.5, p, p)
        self.mat.set_data(st["patches"])
        self.row.set_bounds(0.002, st["i"] / N, 0.996, 1 / N)
        self.mat_title.set_text(f"patch matrix: N × p² = {N} × {p * p}")
        self.mat_x.set_text(f"← {p * p} pixels of a patch →")
        self.patch_im.set_data(st["patch_pixels"])
        self.patch_title.set_text(f"patch {st['i']} ({p}×{p})")

    def caption(self, st):
        H, W = self.img.shape
        p = st["p"]
        return (f"<code>N = (H/p)·(W/p) = ({H}/{p})·({W}/{p}) = {st['N']}</code> patches, each "
                f"flattened to a vector of p² = {p * p} numbers. Patch {st['i']} is row "
                f"{st['row']}, column {st['col']} of the grid and row {st['i']} of the matrix.")


def patchify_explorer(image=None, patch_size: int = 7) -> PatchifyExplorer:
    """Explorer: a patch-size slider (sizes that divide 28) over a real digit."""
    if image is None:
        from ..data import load_mnist5k

        image = load_mnist5k(seed=0).X_test[0]
    return PatchifyExplorer(image, patch_size)


# ============================================================================ attention
class AttentionExplorer(Explorer):
    """Image, layer and head controls: where a trained ViT's CLS token looks."""

    title = "ViT attention: what the CLS token looks at"
    figsize = (8.4, 3.6)

    def __init__(self, model, images, labels=None):
        import ipywidgets as widgets
        import torch

        X = as_numpy(images, "images")
        if X.ndim == 3:
            X = X[:, None]
        if X.ndim != 4 or X.shape[1] != 1 or len(X) == 0:
            raise ValueError(f"images should be a non-empty batch N×28×28 or N×1×28×28; got {describe(X)}")
        X = X.astype(np.float32)
        if X.max() > 1.0:
            X = X / 255.0
        model.eval()
        with torch.no_grad():
            xt = torch.from_numpy(X)
            self.A = model.attention_maps(xt).numpy()  # n×depth×heads×T×T
            self.probs = torch.softmax(model(xt), dim=1).numpy()
        from matplotlib.colors import to_rgb

        self._heat_rgb = np.array(to_rgb(COLORS["orange"]))
        self.X = X[:, 0]
        self.labels = None if labels is None else as_numpy(labels, "labels")
        self.grid = model.grid
        self.p = model.patch_size
        _, self.depth, self.heads, self.T, _ = self.A.shape
        head_options = [("mean of heads", 0)] + [(f"head {h}", h) for h in range(1, self.heads + 1)]
        controls = {
            "image": widgets.IntSlider(value=0, min=0, max=len(X) - 1, description="image"),
            "layer": widgets.IntSlider(value=self.depth, min=1, max=self.depth, description="layer"),
            "head": widgets.Dropdown(options=head_options, value=0, description="head"),
        }
        super().__init__(controls)

    def setup(self):
        from matplotlib.collections import LineCollection

        ax_img, ax_mat = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.1]})
        self.ax_img, self.ax_mat = ax_img, ax_mat
        size = self.grid * self.p
        self.img = ax_img.imshow(np.zeros((size, size)), cmap="gray", vmin=0, vmax=1)
        self.heat = ax_img.imshow(np.zeros((size, size, 4)))
        segs = [[(k * self.p - 0.5, -0.5), (k * self.p - 0.5, size - 0.5)] for k in range(1, self.grid)]
        segs += [[(-0.5, k * self.p - 0.5), (size - 0.5, k * self.p - 0.5)] for k in range(1, self.grid)]
        self.patch_lines = ax_img.add_collection(LineCollection(segs, colors="0.7", linewidths=0.6))
        ax_img.set_xticks([])
        ax_img.set_yticks([])
        self.img_title = ax_img.set_title("", fontsize=9)
        self.mat = ax_mat.imshow(np.zeros((self.T, self.T)), cmap="viridis", vmin=0, vmax=1)
        self.cls_row = _rect(ax_mat, ec=COLORS["orange"], lw=2)
        ticks = [0] + list(range(1, self.T, max(1, (self.T - 1) // 4)))
        ax_mat.set_xticks(ticks, ["CLS" if t == 0 else str(t) for t in ticks], fontsize=7)
        ax_mat.set_yticks(ticks, ["CLS" if t == 0 else str(t) for t in ticks], fontsize=7)
        ax_mat.set_xlabel("key token j", fontsize=8)
        ax_mat.set_ylabel("query token i", fontsize=8)
        self.mat_title = ax_mat.set_title("", fontsize=9)
        self.dynamic = [self.img, self.heat, self.patch_lines, self.img_title, self.mat, self.cls_row,
                        self.mat_title]

    def compute(self, image, layer, head):
        A = self.A[image, layer - 1]
        A = A.mean(axis=0) if head == 0 else A[head - 1]
        cls = A[0, 1:].reshape(self.grid, self.grid)
        heat = np.kron(cls / max(cls.max(), 1e-12), np.ones((self.p, self.p)))
        top = int(np.argmax(A[0, 1:]))
        return {"image": image, "layer": layer, "head": head, "A": A, "cls": cls, "heat": heat,
                "x": self.X[image], "top_patch": top, "cls_self": float(A[0, 0]),
                "row_sum": float(A[0].sum()), "pred": int(self.probs[image].argmax()),
                "label": None if self.labels is None else int(self.labels[image])}

    def draw(self, st):
        self.img.set_data(st["x"])
        rgba = np.zeros(st["heat"].shape + (4,))
        rgba[..., :3] = self._heat_rgb
        rgba[..., 3] = 0.8 * st["heat"]
        self.heat.set_data(rgba)
        lab = "" if st["label"] is None else f"label {st['label']}, "
        self.img_title.set_text(f"{lab}predicted {st['pred']}: CLS → patches")
        self.mat.set_data(st["A"])
        self.mat.set_clim(0, max(float(st["A"].max()), 1e-6))
        self.cls_row.set_bounds(-0.5, -0.5, self.T, 1)
        who = "mean of heads" if st["head"] == 0 else f"head {st['head']}"
        self.mat_title.set_text(f"attention A, layer {st['layer']}, {who}")

    def caption(self, st):
        r, c = divmod(st["top_patch"], self.grid)
        return (f"Row 0 of A (CLS) sums to {st['row_sum']:.2f}: CLS keeps {st['cls_self']:.0%} for "
                f"itself and spreads the rest over all {self.grid ** 2} patches, near or far. "
                f"Most attention goes to patch {st['top_patch']} (token {st['top_patch'] + 1}; CLS is "
                f"token 0), in row {r}, column {c} (patches, rows and columns counted from 0).")


def attention_explorer(model, images, labels=None) -> AttentionExplorer:
    """Explorer: choose a digit, a layer and a head of a trained ``TinyViT``."""
    return AttentionExplorer(model, images, labels)
