"""Explorers for notebook 08 (Learning loop): gradient descent's path, and a training run."""

from __future__ import annotations

import numpy as np

from .. import backprop
from ..plotting import COLORS
from ._base import Explorer, started

__all__ = ["gradient_descent_explorer", "training_explorer", "GradientDescentExplorer",
           "TrainingExplorer", "LEARNING_RATES"]

# η values offered by the gradient-descent slider (about 1.6× apart, 0.01 … 1.0)
LEARNING_RATES = tuple(float(f"{v:.2g}") for v in np.geomspace(0.01, 1.0, 21))


def _selection(options, value, description, fmt="{:g}", **kw):
    import ipywidgets as widgets

    return widgets.SelectionSlider(options=[(fmt.format(v), v) for v in options], value=value,
                                   description=description, **kw)


class GradientDescentExplorer(Explorer):
    """Learning-rate and steps sliders: the path θ₀, θ₁, … on a real loss surface."""

    title = "Gradient descent: θ ← θ − η ∇L"
    figsize = (8.4, 3.4)
    start = (-0.6, 1.3)

    def __init__(self, loss: backprop.NeighbourPixelLoss | None = None, lr: float = 0.1,
                 steps: int = 30):
        import ipywidgets as widgets

        if loss is None:
            from ..data import load_photo

            loss = backprop.NeighbourPixelLoss.from_image(load_photo("china"))
        if not isinstance(loss, backprop.NeighbourPixelLoss):
            raise ValueError(f"loss should be a backprop.NeighbourPixelLoss; got {type(loss).__name__}")
        self.loss = loss
        lr = min(LEARNING_RATES, key=lambda v: abs(v - lr))
        controls = {
            "lr": _selection(LEARNING_RATES, lr, "η (lr)"),
            "steps": widgets.IntSlider(value=steps, min=0, max=100, description="steps"),
        }
        super().__init__(controls)

    def setup(self):
        ax, ax_loss = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        self.ax, self.ax_loss = ax, ax_loss
        w_star, b_star = self.loss.minimum
        self.xlim = (w_star - 2.2, w_star + 2.2)
        self.ylim = (b_star - 1.6, b_star + 1.6)
        ws = np.linspace(*self.xlim, 161)
        bs = np.linspace(*self.ylim, 121)
        grid = np.stack(np.meshgrid(ws, bs), axis=-1)
        L = self.loss.loss(grid)
        levels = self.loss.min_loss + np.geomspace(1e-3, L.max() - self.loss.min_loss, 14)
        ax.contourf(ws, bs, np.log10(L), levels=30, cmap="viridis", alpha=0.85)
        ax.contour(ws, bs, L, levels=levels, colors="white", linewidths=0.5, alpha=0.7)
        ax.plot([w_star], [b_star], "*", ms=13, color=COLORS["yellow"], mec="black", zorder=5)
        ax.plot([self.start[0]], [self.start[1]], "o", ms=7, color="white", mec="black", zorder=5)
        ax.set_xlim(*self.xlim)
        ax.set_ylim(*self.ylim)
        ax.set_xlabel("w (weight)")
        ax.set_ylabel("b (bias)")
        ax.set_title("loss surface L(w, b) and the path", fontsize=10)
        (self.path_line,) = ax.plot([], [], "-", color=COLORS["orange"], lw=1.6, zorder=6)
        (self.path_dots,) = ax.plot([], [], "o", ms=3.5, color=COLORS["orange"], mec="black",
                                    mew=0.4, zorder=7)
        (self.end_dot,) = ax.plot([], [], "o", ms=8, color=COLORS["red"], mec="white", zorder=8)
        self.status = ax.text(0.02, 0.97, "", transform=ax.transAxes, va="top", fontsize=9,
                              weight="bold", zorder=9,
                              bbox=dict(boxstyle="round", fc="white", ec="none", alpha=0.85))

        ax_loss.axhline(self.loss.min_loss, color="gray", ls="--", lw=1)
        ax_loss.text(100, self.loss.min_loss * 1.15, "minimum", ha="right", fontsize=8, color="gray")
        ax_loss.set_yscale("log")
        ax_loss.set_xlim(-2, 102)
        ax_loss.set_ylim(self.loss.min_loss * 0.7, 1e3)
        ax_loss.set_xlabel("step")
        ax_loss.set_ylabel("loss L (log scale)")
        ax_loss.set_title("loss after each step", fontsize=10)
        (self.loss_line,) = ax_loss.plot([], [], "-o", ms=2.5, color=COLORS["blue"])
        self.dynamic = [self.path_line, self.path_dots, self.end_dot, self.status, self.loss_line]

    def compute(self, lr, steps):
        path = backprop.gradient_descent(self.loss.grad, self.start, lr, steps)
        losses = self.loss.loss(path)
        ratio = lr / self.loss.lr_max
        if ratio >= 1 or losses[-1] > losses[0]:
            regime = "diverges"
        elif ratio > 0.5:
            regime = "zigzags, converges"
        else:
            regime = "converges"
        return {"lr": lr, "steps": steps, "path": path, "losses": losses,
                "stopped_early": len(path) < steps + 1, "regime": regime,
                "grad0": self.loss.grad(np.asarray(self.start, float)),
                "distance": float(np.linalg.norm(path[-1] - self.loss.minimum))}

    def draw(self, s):
        path = s["path"]
        self.path_line.set_data(path[:, 0], path[:, 1])
        self.path_dots.set_data(path[:, 0], path[:, 1])
        self.end_dot.set_data(path[-1:, 0], path[-1:, 1])
        self.status.set_text(f"η = {s['lr']:g}: {s['regime']}")
        self.status.set_color(COLORS["red"] if s["regime"] == "diverges" else "black")
        self.loss_line.set_data(np.arange(len(path)), s["losses"])

    def caption(self, s):
        w0, b0 = self.start
        gw, gb = s["grad0"]
        lr = s["lr"]
        w, b = s["path"][-1]
        n = len(s["path"]) - 1
        tail = ""
        if s["stopped_early"]:
            tail = f" (stopped after {n} steps: the numbers exploded)"
        verdict = ("below" if lr < self.loss.lr_max else "above")
        return (
            f"step 1: <code>θ₁ = ({w0:.2f}, {b0:.2f}) − {lr:g}·({gw:.2f}, {gb:.2f}) = "
            f"({w0 - lr * gw:.2f}, {b0 - lr * gb:.2f})</code><br>"
            f"after {n} steps: <code>w = {w:.3g}, b = {b:.3g}, L = {s['losses'][-1]:.4g}</code>"
            f"{tail}; best possible L = {self.loss.min_loss:.4f}.<br>"
            f"η = {lr:g} is {verdict} the critical rate 2/λ<sub>max</sub> = {self.loss.lr_max:.3f}: "
            f"<b>{s['regime']}</b>."
        )


def gradient_descent_explorer(loss=None, lr: float = 0.1, steps: int = 30) -> GradientDescentExplorer:
    """Explorer: learning rate η and number of steps on the neighbouring-pixel loss surface."""
    return started(GradientDescentExplorer(loss, lr=lr, steps=steps), lr=lr, steps=steps)


# --------------------------------------------------------------------------- training
TRAIN_LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)
BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512)
MODELS = ("MLP 784→64→10", "SmallCNN (lesson 09)")


def _make_model(kind: str, seed: int):
    import torch
    from torch import nn

    from ..models import SmallCNN

    torch.manual_seed(seed)
    if kind == MODELS[0]:
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
    return SmallCNN()


class TrainingExplorer(Explorer):
    """Learning rate, batch size, epochs and model; the Train button runs ``training.fit``.

    Training waits for the button (it is synchronous, no threads); the plot and the
    progress bar update after every epoch. The previous run stays on the plot, faded.
    """

    title = "Train a network on MNIST-5k"
    figsize = (8.4, 3.2)
    max_epochs = 10

    def __init__(self, split=None, n_train: int | None = None, seed: int = 0):
        import ipywidgets as widgets

        from .._validate import require_int
        from ..data import load_mnist5k

        split = load_mnist5k(seed=0) if split is None else split
        Xtr, ytr, Xte, yte = split.tensors()
        if tuple(Xtr.shape[1:]) != (1, 28, 28):
            raise ValueError(f"the training explorer needs 28×28 digits; got images {tuple(Xtr.shape[1:])}")
        if n_train is not None:
            n_train = require_int(n_train, "n_train", low=1, high=len(Xtr))
            Xtr, ytr = Xtr[:n_train], ytr[:n_train]
        self.data = (Xtr, ytr, Xte, yte)
        self.seed = require_int(seed, "seed", low=0)
        self.history = None
        self.previous = None
        self.run_params = None
        self.message = "Choose the settings and press <b>Train</b>."
        self.estimate_s = None
        slow = dict(continuous_update=False)
        controls = {
            "model": widgets.Dropdown(options=list(MODELS), value=MODELS[0], description="model"),
            "lr": _selection(TRAIN_LRS, 3e-3, "η (lr)", **slow),
            "batch_size": _selection(BATCH_SIZES, 64, "batch size", fmt="{}", **slow),
            "epochs": widgets.IntSlider(value=5, min=1, max=self.max_epochs, description="epochs",
                                        **slow),
        }
        self.button = widgets.Button(description="Train", button_style="primary", icon="play")
        self.progress = widgets.IntProgress(value=0, min=0, max=5, description="epochs done")
        self.button.on_click(lambda _: self.train())
        super().__init__(controls, extra_widgets=[widgets.HBox([self.button, self.progress])])

    def setup(self):
        ax_loss, ax_acc = self.fig.subplots(1, 2)
        self.ax_loss, self.ax_acc = ax_loss, ax_acc
        for ax in (ax_loss, ax_acc):
            ax.set_xlim(0.5, self.max_epochs + 0.5)
            ax.set_xlabel("epoch")
            ax.set_xticks(range(1, self.max_epochs + 1))
        ax_loss.set_ylim(0, 2.5)
        ax_loss.set_ylabel("training loss (cross-entropy)")
        ax_acc.set_ylim(0, 1.0)
        ax_acc.axhline(0.1, color="gray", ls=":", lw=1)
        ax_acc.text(self.max_epochs + 0.4, 0.11, "chance", ha="right", fontsize=8, color="gray")
        ax_acc.set_ylabel("accuracy")
        ax_loss.set_title("loss", fontsize=10)
        ax_acc.set_title("accuracy (solid: held-out, dashed: training)", fontsize=10)
        grey = "#bbbbbb"
        (self.prev_loss,) = ax_loss.plot([], [], "-o", ms=3, color=grey, label="previous run")
        (self.prev_acc,) = ax_acc.plot([], [], "-o", ms=3, color=grey)
        (self.loss_line,) = ax_loss.plot([], [], "-o", ms=4, color=COLORS["blue"], label="this run")
        (self.train_acc,) = ax_acc.plot([], [], "--", color=COLORS["orange"])
        (self.val_acc,) = ax_acc.plot([], [], "-o", ms=4, color=COLORS["orange"])
        ax_loss.legend(loc="upper right", fontsize=8)
        self.val_text = ax_acc.text(0.98, 0.45, "", transform=ax_acc.transAxes, ha="right",
                                    fontsize=9)
        self.dynamic = [self.prev_loss, self.prev_acc, self.loss_line, self.train_acc, self.val_acc,
                        self.val_text]

    def compute(self, model, lr, batch_size, epochs):
        params = {"model": model, "lr": lr, "batch_size": batch_size, "epochs": epochs}
        return {"params": params, "history": self.history, "previous": self.previous,
                "run_params": self.run_params,
                "stale": self.run_params is not None and self.run_params != params,
                "message": self.message}

    def draw(self, s):
        def lines(h, loss_line, acc_line, train_line=None):
            if h is None:
                loss_line.set_data([], [])
                acc_line.set_data([], [])
                if train_line is not None:
                    train_line.set_data([], [])
                return
            ep = np.arange(1, len(h.loss) + 1)
            loss_line.set_data(ep, np.minimum(h.loss, 2.45))
            acc_line.set_data(ep[: len(h.val_acc)], h.val_acc)
            if train_line is not None:
                train_line.set_data(ep, h.train_acc)

        lines(s["previous"], self.prev_loss, self.prev_acc)
        lines(s["history"], self.loss_line, self.val_acc, self.train_acc)
        h = s["history"]
        self.val_text.set_text(f"held-out {h.val_acc[-1]:.1%}" if h is not None and h.val_acc else "")

    def caption(self, s):
        note = ""
        if s["stale"]:
            note = " &nbsp;<i>(settings changed since this run: press Train again)</i>"
        return s["message"] + note

    def estimate_seconds(self, params: dict) -> float:
        """How long these settings should train here: two timed steps on a throwaway model
        (the first is a warm-up), times the number of steps, plus the per-epoch accuracy."""
        import time

        import torch

        Xtr, ytr, Xte, _ = self.data
        model = _make_model(params["model"], self.seed)
        bs = min(int(params["batch_size"]), len(Xtr))
        opt = torch.optim.AdamW(model.parameters(), lr=float(params["lr"]))
        times = []
        for _ in range(2):
            t0 = time.perf_counter()
            loss = torch.nn.functional.cross_entropy(model(Xtr[:bs]), ytr[:bs])
            opt.zero_grad()
            loss.backward()
            opt.step()
            times.append(time.perf_counter() - t0)
        with torch.no_grad():
            t0 = time.perf_counter()
            model(Xte[:bs])
            forward = (time.perf_counter() - t0) / bs  # per image, for the accuracy passes
        steps = int(params["epochs"]) * -(-len(Xtr) // bs)
        return steps * times[-1] + int(params["epochs"]) * forward * (len(Xtr) + len(Xte))

    def train(self):
        """Train a fresh, seeded model with the current settings (synchronously)."""
        from ..training import History, fit

        params = dict(self.values)
        Xtr, ytr, Xte, yte = self.data
        # before it starts, say how long the notebook will wait (shown while it trains)
        self.estimate_s = self.estimate_seconds(params)
        self.message = (f"training: about {max(1, round(self.estimate_s))} s expected on this "
                        "machine; this notebook waits until it ends.")
        self.redraw()
        model = _make_model(params["model"], self.seed)
        self.previous = self.history if self.history is not None and self.history.loss else self.previous
        self.history = History()
        self.run_params = params
        self.progress.max = params["epochs"]
        self.progress.value = 0
        self.button.disabled = True
        self.button.description = "Training…"

        def on_epoch(epoch, hist):
            self.history = hist
            self.progress.value = epoch + 1
            self.message = (f"epoch {epoch + 1}/{params['epochs']}: loss {hist.loss[-1]:.3f}, "
                            f"held-out accuracy {hist.val_acc[-1]:.1%} ({hist.seconds:.1f} s)")
            self.redraw()

        try:
            fit(model, Xtr, ytr, epochs=params["epochs"], lr=params["lr"],
                batch_size=params["batch_size"], onecycle=False, X_val=Xte, y_val=yte,
                seed=self.seed, progress=False, on_epoch=on_epoch)
            h = self.history
            self.message = (f"done: {len(h.loss)} epochs of {len(Xtr):,} images in {h.seconds:.1f} s; "
                            f"held-out accuracy <b>{h.val_acc[-1]:.1%}</b>")
        except FloatingPointError as exc:
            self.message = (f"<b>diverged</b>: {exc}. With η = {params['lr']:g} the steps overshoot, "
                            "as on the loss surface above.")
        finally:
            self.model = model
            self.button.disabled = False
            self.button.description = "Train"
            self.redraw()
        return self.history


def training_explorer(split=None, n_train: int | None = None, seed: int = 0) -> TrainingExplorer:
    """Explorer: sliders for η, batch size and epochs, a Train button and a live plot."""
    return TrainingExplorer(split, n_train=n_train, seed=seed)
