"""Trained weights that ship inside the package, so a fresh machine never has to train.

Colab, Binder and a new hub server start with an empty cache; lessons 06–10 load the CNN,
the ViT and lesson 07's three long-tailed models. Those ship here (``weights/``, about
1 MB), each with its SHA-256 in ``weights/MANIFEST.json``, which the loader checks before
use (then the content's meaning, as for the cache). They are made by one command from the
package's own recipes (``CNN_RECIPE``, ``VIT_RECIPE``, :data:`LESSON07`)::

    python -m workshop_utils.shipped            # train every model, write weights/ + manifest
    python -m workshop_utils.shipped --check    # verify the shipped files against the manifest

Training goes through the same ``cache.cached_training`` the lessons use (in a temporary
cache), on ``core.training_threads()`` = 1 thread, so the files are what a lesson would
train here. Lesson 05 does not use them: it trains live, as it teaches.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import time
from pathlib import Path

__all__ = ["FOLDER", "LESSON07", "lesson07_key", "manifest", "load", "announce", "build"]

FOLDER = Path(__file__).resolve().parent / "weights"
MANIFEST = "MANIFEST.json"

# Lesson 07's comparison (and lesson 10's recall table): the same SmallCNN trained three
# times on a long-tailed MNIST-5k, changing only the loss. The notebooks hold the same
# settings (tests/test_cache.py checks).
LESSON07 = dict(version=1, rare=(3, 5, 8), imbalance=20, epochs=8, lr=3e-3, batch_size=64, seed=0)
LESSON07_LOSSES = ("cross-entropy", "weighted CE", "focal γ=2")


def lesson07_key(loss_name: str, seed: int | None = None) -> str:
    """The key lessons 07 and 10 save each long-tailed model under."""
    r = LESSON07
    seed = r["seed"] if seed is None else seed
    loss = loss_name.split()[0].lower()
    return f"lesson07_v{r['version']}_{loss}_imb{r['imbalance']}_e{r['epochs']}_seed{seed}"


@functools.lru_cache(maxsize=1)
def manifest() -> dict:
    """The shipped files' manifest (empty where none ships)."""
    try:
        return json.loads((FOLDER / MANIFEST).read_text())
    except (OSError, ValueError):
        return {"units": {}}


def load(key: str, decode, check):
    """The shipped unit ``key`` — SHA-256 and meaning checked — or None (one line if broken)."""
    info = manifest().get("units", {}).get(key)
    if info is None:
        return None
    path = FOLDER / info["file"]
    try:
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != info["sha256"]:
            raise ValueError("its SHA-256 does not match the package's manifest")
        unit = decode(data)
        check(unit)
        return unit
    except Exception as exc:  # noqa: BLE001 - a broken shipped file is never used
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"shipped weights {path}: not used ({reason}); training instead")
        return None


def announce(label: str, key: str) -> str:
    """The line printed before training starts, with how long it took when the course's
    weights were made (measured, from the manifest), where known."""
    info = manifest().get("units", {}).get(key)
    if info and info.get("seconds"):
        cpus = manifest().get("made_on", {}).get("cpus", "?")
        return (f"training {label} now: about {info['seconds']:.0f} s on a {cpus}-core CPU (measured "
                "when the course's weights were made); the result is saved for later runs")
    return f"training {label} now; the result is saved for later runs"


def _lesson07_builders():
    import torch
    from torch import nn

    from .cache import cached_weights
    from .data import load_mnist5k, long_tailed
    from .losses import FocalLoss, class_weights
    from .models import SmallCNN
    from .training import fit

    r = LESSON07
    digits = load_mnist5k(seed=0)
    X_lt, y_lt, counts = long_tailed(digits.X_train, digits.y_train, imbalance=r["imbalance"],
                                     rare=list(r["rare"]), seed=0)
    X = torch.from_numpy(X_lt).float().div(255).unsqueeze(1)
    y = torch.from_numpy(y_lt)
    w = class_weights(counts)
    losses = {"cross-entropy": nn.CrossEntropyLoss(), "weighted CE": FocalLoss(gamma=0.0, alpha=w),
              "focal γ=2": FocalLoss(gamma=2.0, alpha=w)}
    out = {}
    for name in LESSON07_LOSSES:
        def build(name=name):
            def train(model):
                fit(model, X, y, epochs=r["epochs"], lr=r["lr"], batch_size=r["batch_size"],
                    loss_fn=losses[name], seed=r["seed"])

            torch.manual_seed(r["seed"])
            cached_weights(SmallCNN(), lesson07_key(name), train, retrain=True)
        out[lesson07_key(name)] = build
    return out


def builders() -> dict:
    """``{key: build()}`` for every shipped model; each trains into the current cache."""
    from .models import cnn_key, pretrained_cnn
    from .vit import pretrained_vit, vit_key

    out = {cnn_key(0): lambda: pretrained_cnn(0, retrain=True),
           vit_key(0): lambda: pretrained_vit(0, retrain=True)}
    out.update(_lesson07_builders())
    return out


def build(out: Path = FOLDER) -> dict:
    """Train every shipped model (in a temporary cache) and write ``out`` and its manifest."""
    import platform
    import tempfile

    import torch

    from .core import training_threads

    if training_threads() != 1:
        raise RuntimeError("the shipped weights are made with one training thread: unset WORKSHOP_THREADS")
    out.mkdir(parents=True, exist_ok=True)
    units = {}
    with tempfile.TemporaryDirectory() as tmp:
        old = os.environ.get("WORKSHOP_CACHE")
        os.environ["WORKSHOP_CACHE"] = tmp
        try:
            for key, make in builders().items():
                t = time.perf_counter()
                make()
                seconds = time.perf_counter() - t
                data = (Path(tmp) / "weights" / f"{key}.pt").read_bytes()
                (out / f"{key}.pt").write_bytes(data)
                units[key] = {"file": f"{key}.pt", "sha256": hashlib.sha256(data).hexdigest(),
                              "bytes": len(data), "seconds": round(seconds, 1)}
                print(f"{key}: {len(data):,} bytes, {seconds:.1f} s", flush=True)
        finally:
            if old is None:
                os.environ.pop("WORKSHOP_CACHE", None)
            else:
                os.environ["WORKSHOP_CACHE"] = old
    for stale in out.glob("*.pt"):
        if stale.stem not in units:
            stale.unlink()
    doc = {"what": "trained weights shipped with workshop_utils; made by `python -m workshop_utils.shipped`",
           "made_on": {"cpus": os.cpu_count(), "threads": 1, "torch": torch.__version__,
                       "python": platform.python_version(), "machine": platform.machine()},
           "units": units}
    (out / MANIFEST).write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    manifest.cache_clear()
    return doc


def verify(folder: Path = FOLDER) -> list[str]:
    """Problems with the shipped files (empty when every file matches the manifest)."""
    problems = []
    units = manifest().get("units", {})
    if not units:
        problems.append(f"no manifest or no units in {folder / MANIFEST}")
    for key, info in units.items():
        path = folder / info["file"]
        if not path.exists():
            problems.append(f"{key}: {path} is missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != info["sha256"]:
            problems.append(f"{key}: {path} does not match its SHA-256")
    return problems


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--check" in argv:
        problems = verify()
        print("\n".join(problems) or f"{len(manifest()['units'])} shipped weight files verified")
        return 1 if problems else 0
    doc = build()
    total = sum(u["bytes"] for u in doc["units"].values())
    print(f"wrote {len(doc['units'])} files, {total:,} bytes, and {FOLDER / MANIFEST}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
