"""A small, seeded training loop used by the notebooks: ``fit``, ``evaluate``, ``predict_proba``."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from ._validate import require_finite, require_int, require_range

__all__ = ["History", "fit", "evaluate", "predict_proba", "random_shift", "random_affine",
           "bf16_supported", "training_precision"]


@dataclass
class History:
    """Per-epoch numbers of a training run (kept for plots and tests)."""

    loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    seconds: float = 0.0
    times: list = field(default_factory=list)  # training seconds at the end of each epoch

    def to_dict(self) -> dict:
        return {"loss": list(self.loss), "train_acc": list(self.train_acc),
                "val_acc": list(self.val_acc), "seconds": self.seconds, "times": list(self.times)}

    @classmethod
    def from_dict(cls, d: dict) -> History:
        return cls(loss=[float(v) for v in d["loss"]], train_acc=[float(v) for v in d["train_acc"]],
                   val_acc=[float(v) for v in d.get("val_acc", [])], seconds=float(d["seconds"]),
                   times=[float(v) for v in d.get("times", [])])

    def replay(self, on_epoch) -> None:
        """Call ``on_epoch(epoch, history so far)`` for every epoch, as ``fit`` did live."""
        for e in range(len(self.loss)):
            times = self.times[:e + 1]
            on_epoch(e, History(self.loss[:e + 1], self.train_acc[:e + 1], self.val_acc[:e + 1],
                                times[-1] if len(times) == e + 1 else self.seconds, times))

    def __repr__(self) -> str:
        last = f"loss {self.loss[-1]:.3f}" if self.loss else "not trained"
        if self.val_acc:
            last += f", held-out accuracy {self.val_acc[-1]:.1%}"
        return f"History({len(self.loss)} epochs, {last}, {self.seconds:.1f} s)"


def random_shift(x: torch.Tensor, max_shift: int, generator=None) -> torch.Tensor:
    """Shift each image of a batch N×C×H×W by up to ±``max_shift`` pixels (zero fill)."""
    if max_shift <= 0:
        return x
    n, c, h, w = x.shape
    pad = F.pad(x, (max_shift,) * 4)
    dx = torch.randint(0, 2 * max_shift + 1, (n,), generator=generator)
    dy = torch.randint(0, 2 * max_shift + 1, (n,), generator=generator)
    rows = (dy[:, None] + torch.arange(h)[None, :])  # n×h
    cols = (dx[:, None] + torch.arange(w)[None, :])  # n×w
    idx_n = torch.arange(n)[:, None, None]
    out = pad.permute(0, 2, 3, 1)[idx_n, rows[:, :, None], cols[:, None, :]]  # n×h×w×c
    return out.permute(0, 3, 1, 2).contiguous()


_BASE_GRIDS: dict = {}


def _base_grid(h: int, w: int, dtype) -> torch.Tensor:
    """Pixel-centre coordinates (x, y, 1) in [-1, 1], HW×3, as ``F.affine_grid`` (align_corners=False)."""
    key = (h, w, dtype)
    if key not in _BASE_GRIDS:
        xs = (torch.arange(w, dtype=dtype) * 2 + 1) / w - 1
        ys = (torch.arange(h, dtype=dtype) * 2 + 1) / h - 1
        yy, xx = torch.meshgrid(ys, xs, indexing="ij")
        _BASE_GRIDS[key] = torch.stack([xx, yy, torch.ones_like(xx)], -1).reshape(h * w, 3)
    return _BASE_GRIDS[key]


def random_affine(x: torch.Tensor, max_shift: float = 0.0, max_rotate: float = 0.0,
                  max_scale: float = 0.0, generator=None) -> torch.Tensor:
    """Randomly shift (±``max_shift`` px), rotate (±``max_rotate`` degrees) and scale
    (×(1 ± ``max_scale``)) each image of a batch N×C×H×W (bilinear, zero fill).

    The sampling grid is what ``F.affine_grid(theta, align_corners=False)`` returns,
    computed as one small matrix product (affine_grid took ~1 ms per batch of 64 on a CPU,
    a tenth of a training step of the course's CNN; this takes ~0.05 ms).
    """
    n, _, h, w = x.shape

    def uniform(lo_hi):
        return (torch.rand(n, generator=generator) * 2 - 1) * lo_hi

    angle = uniform(max_rotate) * (math.pi / 180)
    scale = 1 + uniform(max_scale)
    tx, ty = uniform(2 * max_shift / w), uniform(2 * max_shift / h)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    # one (HW×3) @ (3×2N) matrix product: (x, y, 1) of every pixel through every theta
    coef = theta.to(x.dtype).permute(2, 0, 1).reshape(3, 2 * n)
    grid = (_base_grid(h, w, x.dtype) @ coef).reshape(h, w, n, 2).permute(2, 0, 1, 3)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def _check_xy(X, y, name="X"):
    if not torch.is_tensor(X) or not torch.is_tensor(y):
        raise ValueError(f"{name} and its labels must be torch tensors (use Split.tensors())")
    if len(X) != len(y):
        raise ValueError(f"{name} has {len(X)} examples but the labels have {len(y)}")
    if y.dtype != torch.int64:
        raise ValueError(f"labels must be int64 class indices; got {y.dtype}")


def _check_labels(y, logits, name: str) -> None:
    """Every label is a class the model has an output for (0 … C−1), said before torch's
    IndexError or a CUDA assert would."""
    n_classes = logits.shape[-1] if logits.ndim >= 2 else 1
    bad = y[(y < 0) | (y >= n_classes)]
    if len(bad):
        raise ValueError(f"{name} holds labels outside 0…{n_classes - 1} (the model has {n_classes} "
                         f"outputs): {sorted(set(bad.tolist()))[:5]} ({len(bad)} of {len(y)} labels); "
                         "number the classes from 0, or give the model one output per class")


@torch.no_grad()
def predict_proba(model, X, batch_size: int = 1000) -> torch.Tensor:
    """Softmax probabilities N×C of ``model`` on ``X`` (evaluation mode)."""
    model.eval()
    out = [torch.softmax(model(X[i:i + batch_size]), dim=1) for i in range(0, len(X), batch_size)]
    return torch.cat(out)


@torch.no_grad()
def evaluate(model, X, y, batch_size: int = 1000) -> float:
    """Accuracy of ``model`` on ``(X, y)``, a float in [0, 1]."""
    _check_xy(X, y)
    model.eval()
    correct = 0
    for i in range(0, len(X), batch_size):
        correct += (model(X[i:i + batch_size]).argmax(1) == y[i:i + batch_size]).sum().item()
    return correct / max(1, len(X))


def _adamw(params, lr, weight_decay, betas=(0.9, 0.999)):
    """AdamW, fused into one kernel where this torch supports it (torch >= 2.4 on a CPU)."""
    try:
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, betas=betas, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, betas=betas)


PRECISIONS = ("float32", "bfloat16")


def bf16_supported() -> bool:
    """Whether this CPU has bfloat16 instructions oneDNN uses (AVX-512 BF16 or AMX)."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # pragma: no cover - older torch or no oneDNN
        return False


def training_precision(precision: str = "float32") -> str:
    """The number format ``fit(precision=...)`` really uses: bfloat16 only where the CPU has it."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}; got {precision!r}")
    return "bfloat16" if precision == "bfloat16" and bf16_supported() else "float32"


def _bf16_context():
    """autocast to bfloat16, with attention computed by its plain matrix products: torch's
    CPU flash-attention backward in bfloat16 took ~17× the float32 time at TinyViT's 17 tokens
    (benchmarks/recipes.py), the math backend runs in bfloat16 matmuls like the rest."""
    import contextlib

    stack = contextlib.ExitStack()
    stack.enter_context(torch.autocast("cpu", dtype=torch.bfloat16))
    try:
        from torch.nn.attention import SDPBackend, sdpa_kernel

        stack.enter_context(sdpa_kernel(SDPBackend.MATH))
    except ImportError:  # pragma: no cover - torch < 2.3
        pass
    return stack


class _Averaged:
    """An exponential moving average of a model's parameters (decay ``d`` per step, with
    the usual warm-up min(d, (1 + t) / (10 + t)) so the first steps are not stuck at the
    random initialisation)."""

    def __init__(self, params, decay: float):
        self.params = params
        self.decay = decay
        self.avg = [p.detach().clone() for p in params]
        self.steps = 0

    @torch.no_grad()
    def update(self) -> None:
        self.steps += 1
        d = min(self.decay, (1 + self.steps) / (10 + self.steps))
        torch._foreach_lerp_(self.avg, [p.detach() for p in self.params], 1.0 - d)

    @torch.no_grad()
    def swap(self) -> None:
        """Exchange the model's weights and the average (twice restores them)."""
        for p, a in zip(self.params, self.avg):
            tmp = p.detach().clone()
            p.copy_(a)
            a.copy_(tmp)


def fit(model, X, y, *, epochs: int = 5, lr: float = 1e-3, batch_size: int = 64,
        loss_fn=None, weight_decay: float = 0.0, onecycle: bool = True,
        label_smoothing: float = 0.0, max_shift: int = 0, max_rotate: float = 0.0,
        max_scale: float = 0.0, X_val=None, y_val=None, seed: int = 0, progress: bool = True,
        on_epoch=None, betas=(0.9, 0.999), average: float = 0.0,
        precision: str = "float32") -> History:
    """Train ``model`` with AdamW (optionally a one-cycle schedule) and return its History.

    ``loss_fn(logits, y)`` defaults to cross-entropy (with ``label_smoothing``).
    ``on_epoch(epoch, history)`` is called after every epoch (live plots use it); the time
    it takes is left out of ``History.seconds``.
    Augmentation: ``max_shift`` (whole pixels); ``max_rotate`` (degrees) and ``max_scale``
    (a fraction) switch to a random affine warp that also shifts by up to ``max_shift``.
    Speed: a model with convolutions is switched to channels-last memory format (the same
    function, faster oneDNN kernels on a CPU), and AdamW runs fused where torch supports it.
    Threads: torch runs on ``core.training_threads()`` threads while training (1 unless
    ``WORKSHOP_THREADS`` says otherwise), so a seed gives the same weights in every run, for the
    same torch on CPUs with the same kernels (CONTRIBUTING.md, "Trained weights").
    ``betas``: AdamW's (β1, β2). ``average`` > 0 keeps an exponential moving average of the
    weights (that decay per step) and returns the model with the averaged weights (the
    held-out accuracy per epoch is the average's too). ``precision="bfloat16"`` runs the
    forward pass under ``torch.autocast`` in bfloat16 where the CPU has bfloat16 instructions
    (``training_precision`` says which format is used) and in float32 elsewhere; the weights,
    the optimiser and the loss stay float32.
    """
    from .core import training_threads

    n_threads = training_threads()
    before = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        return _fit(model, X, y, epochs=epochs, lr=lr, batch_size=batch_size, loss_fn=loss_fn,
                    weight_decay=weight_decay, onecycle=onecycle, label_smoothing=label_smoothing,
                    max_shift=max_shift, max_rotate=max_rotate, max_scale=max_scale, X_val=X_val,
                    y_val=y_val, seed=seed, progress=progress, on_epoch=on_epoch, betas=betas,
                    average=average, precision=precision)
    finally:
        torch.set_num_threads(before)


def _fit(model, X, y, *, epochs, lr, batch_size, loss_fn, weight_decay, onecycle, label_smoothing,
         max_shift, max_rotate, max_scale, X_val, y_val, seed, progress, on_epoch, betas, average,
         precision) -> History:
    _check_xy(X, y)
    # bad data, not the learning rate: say so before training turns it into a NaN loss
    require_finite(X, "X", "; fix or drop those examples before training")
    epochs = require_int(epochs, "epochs", low=1)
    batch_size = require_int(batch_size, "batch_size", low=1)
    lr = require_range(lr, "lr", low=0.0)
    max_rotate = require_range(max_rotate, "max_rotate", low=0.0, high=180.0)
    max_scale = require_range(max_scale, "max_scale", low=0.0, high=0.9)
    average = require_range(average, "average", low=0.0, high=1.0)
    b1, b2 = (require_range(b, "betas", low=0.0, high=1.0) for b in betas)
    use_bf16 = training_precision(precision) == "bfloat16"
    if X_val is not None:
        _check_xy(X_val, y_val, "X_val")
        require_finite(X_val, "X_val", "; fix or drop those examples before training")
    if loss_fn is None:
        def loss_fn(logits, target):
            return F.cross_entropy(logits, target, label_smoothing=label_smoothing)
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    if any(isinstance(m, torch.nn.Conv2d) for m in model.modules()):
        # oneDNN's convolutions run ~25 % faster with channels-last weights on a CPU
        # (benchmarks/RESULTS.md); the model computes the same function
        model.to(memory_format=torch.channels_last)
    params = list(model.parameters())
    opt = _adamw(params, lr, weight_decay, (b1, b2))
    avg = _Averaged(params, average) if average > 0 else None
    steps_per_epoch = (len(X) + batch_size - 1) // batch_size
    sched = (torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps_per_epoch)
             if onecycle else None)
    hist = History()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, desc="training", unit="epoch", leave=True)
    t0 = time.perf_counter()
    t_callbacks = 0.0  # time spent in on_epoch (live plots) is not training time
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(X), generator=gen)
        total, correct, seen = 0.0, 0, 0
        for i in range(0, len(X), batch_size):
            idx = perm[i:i + batch_size]
            xb, yb = X[idx], y[idx]
            if max_rotate or max_scale:
                xb = random_affine(xb, max_shift, max_rotate, max_scale, gen)
            elif max_shift:
                xb = random_shift(xb, max_shift, gen)
            if use_bf16:
                with _bf16_context():
                    logits = model(xb)
                logits = logits.float()
            else:
                logits = model(xb)
            if epoch == 0 and i == 0:
                _check_labels(y, logits, "y")
                if X_val is not None:
                    _check_labels(y_val, logits, "y_val")
            try:
                loss = loss_fn(logits, yb)
            except ValueError as exc:  # a checking loss (FocalLoss) refuses NaN logits itself
                if torch.isfinite(logits.detach()).all():
                    raise
                raise FloatingPointError(f"the model's outputs became NaN or infinite in epoch "
                                         f"{epoch + 1}: lower the learning rate") from exc
            if not torch.isfinite(loss):
                raise FloatingPointError(f"the loss became {loss.item()} in epoch {epoch + 1}: "
                                         "lower the learning rate")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
            if avg is not None:
                avg.update()
            total += loss.item() * len(idx)
            correct += (logits.argmax(1) == yb).sum().item()
            seen += len(idx)
        hist.loss.append(total / seen)
        hist.train_acc.append(correct / seen)
        if X_val is not None:
            if avg is not None:
                avg.swap()
            hist.val_acc.append(evaluate(model, X_val, y_val))
            if avg is not None:
                avg.swap()
        hist.seconds = time.perf_counter() - t0 - t_callbacks
        hist.times.append(hist.seconds)
        if bar is not None:
            post = {"loss": f"{hist.loss[-1]:.3f}"}
            if hist.val_acc:
                post["held-out acc"] = f"{hist.val_acc[-1]:.1%}"
            bar.set_postfix(post)
            bar.update(1)
        if on_epoch is not None:
            t_cb = time.perf_counter()
            on_epoch(epoch, hist)
            t_callbacks += time.perf_counter() - t_cb
    if bar is not None:
        bar.close()
    if avg is not None:
        avg.swap()  # the model leaves with the averaged weights
    model.eval()
    return hist
