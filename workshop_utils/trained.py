"""The course's trained models: their recipes, their identity, and the one call that trains or loads.

* **Recipes** are data: ``CNN_RECIPE`` and ``VIT_RECIPE`` are ``fit``'s keyword arguments,
  ``VIT_CONFIG`` the course's TinyViT, :data:`LESSON07` lesson 07's experiment. Changing one is
  one edit: the model's identity, and so its key, changes with it.
* **Identity, not names.** A trained model is kept under a key derived (a hash) from its
  identity: the architecture and its configuration, the recipe, the seed, the training data
  and the thread count (:func:`identity`). A kept unit is used only if its stored identity is
  the one asked for (``checkpoint.checker``), so a changed recipe is never served an old model.
* **One call** trains or loads: :func:`fit_or_load` is ``fit`` that remembers. Where the
  weights come from, in order: the course cache (trained here earlier); the weights that ship
  with the course (``shipped``) where this kernel does not train live (:func:`live_training_enabled`:
  a shared hub), and always for :func:`pretrained_cnn`, :func:`pretrained_vit` and
  :func:`lesson07_models`; else training, announced, one kernel at a time.
* **The shipped files** are made by one command, from these recipes::

      python -m workshop_utils.trained            # train every shipped model: weights/ + MANIFEST.json
      python -m workshop_utils.trained --check    # verify the shipped files against the manifest
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from pathlib import Path

from . import cache, checkpoint, shipped
from ._validate import require_int

__all__ = ["CNN_RECIPE", "VIT_CONFIG", "VIT_RECIPE", "LESSON07", "RETRAIN_ENV",
           "LIVE_TRAINING_ENV", "live_training_enabled", "identity", "key_of", "fit_or_load",
           "train_or_load", "pretrained_cnn", "pretrained_vit", "lesson07_data", "lesson07_losses",
           "lesson07_models", "shipped_models", "build", "main"]

# The recipe the course trains its CNN with (notebook 05 measures it; 07–10 reuse it): random
# shifts, rotations and zooms make 4,000 digits go further; AdamW's β2 = 0.98 reaches the same
# accuracy in 16 epochs as 20 did (benchmarks/recipes.md: the search, 3 seeds per change).
CNN_RECIPE = dict(epochs=16, lr=5e-3, batch_size=64, max_shift=2, max_rotate=15.0, max_scale=0.15,
                  label_smoothing=0.1, weight_decay=1e-4, betas=(0.9, 0.98))
# The course's TinyViT and its recipe: 16 epochs, batch 64, β2 = 0.98, and bfloat16 where the CPU
# has it (float32 elsewhere: the same accuracy, slower; training.training_precision).
VIT_CONFIG = dict(patch_size=7, dim=64, depth=3, heads=4, mlp_ratio=1.0)
VIT_RECIPE = dict(epochs=16, lr=5e-3, batch_size=64, max_shift=2, max_rotate=10.0, max_scale=0.1,
                  label_smoothing=0.1, weight_decay=0.05, betas=(0.9, 0.98), precision="bfloat16")
# Lesson 07's comparison (and lesson 10's recall table): the same SmallCNN trained three times
# on a long-tailed MNIST-5k, changing only the loss (lesson07_models).
LESSON07 = dict(rare=(3, 5, 8), imbalance=20, recipe=dict(epochs=8, lr=3e-3, batch_size=64))

RETRAIN_ENV = "WORKSHOP_RETRAIN"
LIVE_TRAINING_ENV = "WORKSHOP_TRAIN_LIVE"


def live_training_enabled() -> bool:
    """Whether lesson 05 trains its models live here, or loads the weights that ship instead.

    On a laptop, Colab or any single-learner kernel lesson 05 trains its CNN and ViT live (that
    is the lesson). On a JupyterHub (a class hub, or Binder, which runs one), where many kernels
    share a few cores, it loads the shipped weights: a room does not train a hundred copies at
    once. ``$WORKSHOP_TRAIN_LIVE`` = 1 or 0 decides either way; a hub's single-user servers are
    recognised by ``$JUPYTERHUB_USER``.
    """
    raw = os.environ.get(LIVE_TRAINING_ENV, "").strip()
    if raw in ("1", "0"):
        return raw == "1"
    if raw:
        raise ValueError(f"{LIVE_TRAINING_ENV} should be 1 (train live) or 0 (load shipped weights); "
                         f"got {raw!r}")
    return not os.environ.get("JUPYTERHUB_USER")


# --------------------------------------------------------------------------- identity
def _plain(value):
    """``value`` as JSON-able data that names it: numbers, text, lists, dicts; a tensor or
    array by its dtype, shape and SHA-256; a torch module by its class, settings and buffers."""
    import numpy as np
    import torch

    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return repr(value)  # exact, and JSON cannot hold inf/NaN
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        a = np.ascontiguousarray(value)
        return {"array": str(a.dtype), "shape": list(a.shape),
                "sha256": hashlib.sha256(a.tobytes()).hexdigest()}
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, torch.nn.Module):
        settings = {k: v for k, v in vars(value).items() if not k.startswith("_") and k != "training"
                    and (v is None or isinstance(v, (bool, int, float, str, tuple, list, torch.Tensor)))}
        settings.update(value.state_dict())
        return {"module": f"{type(value).__module__}.{type(value).__qualname__}", **_plain(settings)}
    if callable(value):
        return {"function": f"{getattr(value, '__module__', '?')}."
                            f"{getattr(value, '__qualname__', repr(value))}"}
    raise ValueError(f"a recipe's values should be numbers, text, tensors, losses or functions; "
                     f"got {type(value).__name__}")


def identity(model, X, y, *, seed: int = 0, **recipe) -> dict:
    """What makes a trained model the one asked for: ``fit(model, X, y, seed=seed, **recipe)``
    from ``model``'s initialisation under ``torch.manual_seed(seed)``, on this thread count.

    The architecture is its class and configuration (``model.config``), the data its tensors'
    SHA-256; the recipe's values as given (a loss by its class and settings).
    """
    from .core import training_threads

    config = getattr(model, "config", None)
    if not isinstance(config, dict):
        raise ValueError(f"{type(model).__name__} does not record its configuration (.config), so a "
                         "trained copy cannot be told from another; SmallCNN and TinyViT do")
    doc = {"model": f"{type(model).__module__}.{type(model).__qualname__}", "config": _plain(config),
           "recipe": _plain(recipe), "seed": require_int(seed, "seed", low=0),
           "data": _plain({"X": X, "y": y}), "threads": training_threads()}
    return json.loads(json.dumps(doc, sort_keys=True))  # the form a unit stores and reads back


def key_of(ident: dict) -> str:
    """The file name a model of identity ``ident`` is kept under: its class and a hash."""
    digest = hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:16]
    name = str(ident.get("model", "model")).rsplit(".", 1)[-1].lower()
    return f"{name}_{digest}"


# --------------------------------------------------------------------------- train or load
def _announce(display_name: str, key: str) -> str:
    info = shipped.unit_info(key)
    if info and info.get("seconds"):
        cpus = shipped.manifest().get("made_on", {}).get("cpus", "?")
        return (f"training {display_name} now: about {info['seconds']:.0f} s on a {cpus}-core CPU "
                "(measured when the course's weights were made); the result is saved for later runs")
    return f"training {display_name} now; the result is saved for later runs"


def train_or_load(model, ident: dict, train, *, display_name: str, use_shipped: bool,
                  retrain: bool = False, on_epoch=None, verbose: bool = True,
                  how_to_retrain: str = "retrain=True"):
    """``model`` with the weights of identity ``ident``: kept, shipped, or trained by ``train(model)``.

    ``train`` trains in place and may return its History. Loads come from the course cache
    (trained here earlier), then, with ``use_shipped``, from the weights that ship with the
    course; each load names where it came from and ``how_to_retrain``, and replays the
    History through ``on_epoch``. ``retrain`` (or ``$WORKSHOP_RETRAIN`` = 1) trains again.
    One kernel trains a model at a time; another one asking for it waits, then loads it (or,
    retraining, trains it again). Returns ``(model, history or None)``.
    """
    from torch import nn

    from .core import quiet
    from .training import History

    if not isinstance(model, nn.Module):
        raise ValueError(f"model should be a torch.nn.Module; got {type(model).__name__}")
    if not isinstance(retrain, bool):
        raise ValueError(f"retrain should be True or False; got {retrain!r}")
    key = key_of(ident)
    name = f"weights/{key}.pt"
    retrain = retrain or os.environ.get(RETRAIN_ENV) == "1"
    tell = verbose and not quiet()  # presenter mode leaves out where the weights came from
    check = checkpoint.checker(model, key, ident)

    def from_cache():
        unit = cache.get(name, checkpoint.decode, check, verbose=verbose)
        if unit is None:
            return None
        h = unit.get("history") or {}
        took = f" in {h['seconds']:.1f} s" if h.get("seconds") else ""
        if tell:
            print(f"loaded {display_name}, trained here earlier{took} and kept in the course cache "
                  f"({how_to_retrain} trains it again)", flush=True)
        return checkpoint.use(model, unit, on_epoch)

    if not retrain:
        got = from_cache()
        if got is not None:
            return got
        if use_shipped:
            data = shipped.read(key)
            if data is not None:
                try:
                    unit = checkpoint.decode(data)
                    check(unit)
                except Exception as exc:  # noqa: BLE001 - a shipped unit that is not this model
                    if verbose:
                        print(f"shipped weights {key}: not used ({str(exc).splitlines()[0]}); "
                              "training instead")
                else:
                    if tell:
                        secs = (shipped.unit_info(key) or {}).get("seconds")
                        took = f", trained in {secs:.0f} s when the course was made" if secs else ""
                        print(f"loaded {display_name} that ships with the course{took} (SHA-256 checked; "
                              f"{how_to_retrain} trains it here)", flush=True)
                    return checkpoint.use(model, unit, on_epoch)
    then = "training it again here, as asked" if retrain else "loading its result"
    with cache.lock(name, waiting=f"another kernel is training {display_name} right now; waiting for "
                                  f"it to finish, then {then}…"):
        if not retrain:  # another kernel may have trained it while this one waited
            got = from_cache()
            if got is not None:
                return got
        print(f"training {display_name} now…" if quiet() else _announce(display_name, key), flush=True)
        history = train(model)
        if not isinstance(history, History):
            history = None
        cache.put(name, checkpoint.encode(model, key, ident, history))
    return model.eval(), history


def _fresh(model, seed: int):
    """``model`` with the weights ``type(model)(**model.config)`` has under ``torch.manual_seed(seed)``."""
    import torch

    torch.manual_seed(seed)
    model.load_state_dict(type(model)(**model.config).state_dict())
    return model


def fit_or_load(model, X, y, *, seed: int = 0, on_epoch=None, progress: bool = True,
                retrain: bool = False, verbose: bool = True, display_name: str | None = None,
                use_shipped: bool | None = None, how_to_retrain: str = "retrain=True", **recipe):
    """``fit(model, X, y, seed=seed, on_epoch=on_epoch, **recipe)``, or the weights that very
    call made before. Returns ``(model, history)``.

    The model starts from its initialisation under ``torch.manual_seed(seed)``. Loaded when
    the same model (class and configuration), recipe, seed and data were trained here before
    (the course cache), or, where ``use_shipped`` (by default: on a shared hub, where lessons
    do not train live, :func:`live_training_enabled`), when they ship with the course; a load
    replays the training curve through ``on_epoch``. ``retrain=True`` trains again.
    """
    from .training import fit

    ident = identity(model, X, y, seed=seed, **recipe)
    use_shipped = (not live_training_enabled()) if use_shipped is None else use_shipped

    def train(m):
        _fresh(m, seed)
        return fit(m, X, y, seed=seed, progress=progress, on_epoch=on_epoch, **recipe)

    _fresh(model, seed)
    return train_or_load(model, ident, train, display_name=display_name or type(model).__name__,
                         use_shipped=use_shipped, retrain=retrain, on_epoch=on_epoch, verbose=verbose,
                         how_to_retrain=how_to_retrain)


# --------------------------------------------------------------------------- the course's models
@functools.lru_cache(maxsize=1)
def _mnist5k_train():
    from .data import load_mnist5k

    X, y, _, _ = load_mnist5k(seed=0).tensors()
    return X, y


def pretrained_cnn(seed: int = 0, verbose: bool = True, *, retrain: bool = False, on_epoch=None,
                   with_history: bool = False):
    """SmallCNN trained with ``CNN_RECIPE`` on MNIST-5k's split ``load_mnist5k(seed=0)``.

    Exactly what lesson 05's ``fit_or_load(SmallCNN(), X_train, y_train, seed=seed, **CNN_RECIPE)``
    gives, and kept under the same key: loaded from the course cache or the weights that ship
    with the course, trained only where neither has it. ``with_history=True`` returns
    ``(model, history)``; ``on_epoch`` gets the epochs, live while training or replayed.
    """
    from .models import SmallCNN

    model, history = fit_or_load(SmallCNN(), *_mnist5k_train(), seed=require_int(seed, "seed", low=0),
                                 on_epoch=on_epoch, progress=verbose, retrain=retrain, verbose=verbose,
                                 display_name="the CNN", use_shipped=True,
                                 how_to_retrain="pretrained_cnn(retrain=True)", **CNN_RECIPE)
    return (model, history) if with_history else model


def pretrained_vit(seed: int = 0, verbose: bool = True, *, retrain: bool = False, on_epoch=None,
                   with_history: bool = False):
    """TinyViT(**VIT_CONFIG) trained with ``VIT_RECIPE`` on MNIST-5k's split, as :func:`pretrained_cnn`."""
    from .vit import TinyViT

    seed = require_int(seed, "seed", low=0)
    model, history = fit_or_load(TinyViT(**VIT_CONFIG), *_mnist5k_train(), seed=seed,
                                 on_epoch=on_epoch, progress=verbose, retrain=retrain, verbose=verbose,
                                 display_name="the ViT", use_shipped=True,
                                 how_to_retrain="pretrained_vit(retrain=True)", **VIT_RECIPE)
    return (model, history) if with_history else model


# --------------------------------------------------------------------------- lesson 07's experiment
def lesson07_data(digits=None):
    """Lesson 07's long-tailed training set: ``(X, y, counts)``, classes 3, 5 and 8 rarest."""
    import torch

    from .data import load_mnist5k, long_tailed

    digits = load_mnist5k(seed=0) if digits is None else digits
    X_lt, y_lt, counts = long_tailed(digits.X_train, digits.y_train, imbalance=LESSON07["imbalance"],
                                     rare=list(LESSON07["rare"]), seed=0)
    return torch.from_numpy(X_lt).float().div(255).unsqueeze(1), torch.from_numpy(y_lt), counts


def lesson07_losses(counts) -> dict:
    """The three losses lesson 07 compares; 1 → 2 adds class weights, 2 → 3 the focusing factor."""
    from torch import nn

    from .losses import FocalLoss, class_weights

    w = class_weights(counts)
    return {"cross-entropy": nn.CrossEntropyLoss(), "weighted CE": FocalLoss(gamma=0.0, alpha=w),
            "focal γ=2": FocalLoss(gamma=2.0, alpha=w)}


def lesson07_models(seed: int = 0, *, retrain: bool = False, verbose: bool = True) -> dict:
    """Lesson 07's experiment: ``{loss name: SmallCNN}``, one model per loss, all else equal."""
    from .models import SmallCNN

    X, y, counts = lesson07_data()  # the long-tailed digits: 3, 5 and 8 the rarest
    models = {}
    for name, loss_fn in lesson07_losses(counts).items():  # the loss is all that changes
        models[name], _ = fit_or_load(SmallCNN(), X, y, seed=seed, loss_fn=loss_fn, **LESSON07["recipe"],
                                      progress=False, retrain=retrain, verbose=verbose, use_shipped=True,
                                      display_name=f"lesson 07's {name} model",
                                      how_to_retrain="lesson07_models(retrain=True)")
    return models


# --------------------------------------------------------------------------- the shipped files
def shipped_models() -> dict:
    """``{name: train()}`` for every model that ships; each trains into the current cache."""
    out = {"cnn": lambda: pretrained_cnn(0, verbose=False, retrain=True),
           "vit": lambda: pretrained_vit(0, verbose=False, retrain=True),
           "lesson07": lambda: lesson07_models(0, retrain=True, verbose=False)}
    return out


def build(out: Path | None = None) -> dict:
    """Train every shipped model (in a temporary cache) and write ``out`` and its manifest."""
    import platform

    import torch

    from .core import training_threads

    out = shipped.FOLDER if out is None else Path(out)
    if training_threads() != 1:
        raise RuntimeError("the shipped weights are made with one training thread: unset WORKSHOP_THREADS")
    out.mkdir(parents=True, exist_ok=True)
    if checkpoint.cpu_kernels() != "AVX2":
        print(f"note: torch runs {checkpoint.cpu_kernels()} kernels here; the shipped set is "
              "made with AVX2 kernels (ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2), so the weights "
              "made here will differ from it (CONTRIBUTING.md, \"Trained weights\")", flush=True)
    units = {}
    with cache.fresh_folder() as tmp:
        folder = tmp / "weights"
        for what, make in shipped_models().items():
            before = set(folder.glob("*.pt")) if folder.exists() else set()
            make()
            for path in sorted(set(folder.glob("*.pt")) - before):
                data = path.read_bytes()
                unit = checkpoint.decode(data)
                seconds = (unit.get("history") or {}).get("seconds", 0.0)
                loss = unit["identity"]["recipe"].get("loss_fn")
                if loss:  # lesson 07's three: named by their loss
                    gamma = f" gamma={loss['gamma']}" if "gamma" in loss else ""
                    what = f"{what.split()[0]} {loss['module'].rsplit('.', 1)[-1]}{gamma}"
                (out / path.name).write_bytes(data)
                sha = hashlib.sha256(data).hexdigest()
                units[path.stem] = {"file": path.name, "what": what, "bytes": len(data), "sha256": sha,
                                    "seconds": round(seconds, 1)}
                print(f"{what}: {path.stem}, {len(data):,} bytes, trained in {seconds:.1f} s", flush=True)
    for stale in out.glob("*.pt"):
        if stale.stem not in units:
            stale.unlink()
    doc = {"what": "trained weights shipped with workshop_utils; made by `python -m workshop_utils.trained`",
           "made_on": {"cpus": os.cpu_count(), "threads": 1, "torch": torch.__version__,
                       "cpu_kernels": checkpoint.cpu_kernels(),
                       "python": platform.python_version(), "machine": platform.machine()},
           "units": units}
    (out / shipped.MANIFEST).write_text(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    shipped.manifest.cache_clear()
    return doc


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--check" in argv:
        problems = shipped.verify()
        print("\n".join(problems) or f"{len(shipped.manifest()['units'])} shipped weight files verified")
        return 1 if problems else 0
    doc = build()
    total = sum(u["bytes"] for u in doc["units"].values())
    print(f"wrote {len(doc['units'])} files, {total:,} bytes, and {shipped.FOLDER / shipped.MANIFEST}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
