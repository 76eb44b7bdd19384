"""The course cache: every read and write of what the course keeps on disk goes through here.

What is kept: parsed MNIST-5k (``mnist5k_v2.npz``) and trained models
(``weights/<key>.pt``, weights and training history in one file). Rules:

* **Never trusted blindly.** Each file is written with a manifest ``<file>.sha256`` (its
  SHA-256 and size), written *last*; a read checks the manifest, then the content's meaning
  (the caller's ``check``). A file without a manifest is an unfinished write. Anything that
  fails is rebuilt, with one line saying what was wrong and where.
* **Never blocks a lesson.** Where the folder cannot be written (permissions, read-only,
  not a folder, disk full), artefacts are kept in this session's memory instead, and one
  warning names the folder, the reason and ``WORKSHOP_CACHE``. A folder that can be read
  but not written (a class's shared cache, prepared by the instructor) is still read.
* **Shared by a class.** Files are readable by the group and others (mode 0644 under the
  usual umask), so one read-only cache can serve many users.
* **One training at a time.** :func:`lock` (a ``filelock`` next to the file) makes a second
  kernel wait for the first, then load what it wrote.
* Interrupted writes (``*.part``) older than an hour are removed.

The folder: ``$WORKSHOP_CACHE`` or the OS cache folder (``~/.cache/workshop_utils`` on Linux).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
import warnings
from pathlib import Path

__all__ = ["CacheWarning", "location", "writable", "get", "put", "lock", "forget_memory",
           "cached_training", "cached_weights", "pretrained", "STALE_PART_S", "ENV"]

ENV = "WORKSHOP_CACHE"
STALE_PART_S = 3600.0
MANIFEST_SUFFIX = ".sha256"

_memory: dict[str, bytes] = {}  # the fallback: artefacts kept for this session only
_warned: set[str] = set()
_checked: set[str] = set()  # folders found writable this session


class CacheWarning(UserWarning):
    """The course cache cannot be used as intended; the lesson goes on from memory."""


def location() -> Path:
    """The configured cache folder (not created): ``$WORKSHOP_CACHE`` or the OS cache folder."""
    env = os.environ.get(ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs  # installed with pooch; quick to import on its own

    return Path(platformdirs.user_cache_dir("workshop_utils"))


def _warn_once(reason: str) -> None:
    """One warning per cache folder and session, naming the folder, the reason and the setting."""
    folder = location()
    key = str(folder)
    if key in _warned:
        return
    _warned.add(key)
    warnings.warn(
        f"the course cache {folder} cannot be written ({reason}); this session keeps its data "
        f"and trained models in memory instead, so the lesson goes on. To keep them between "
        f"sessions, point the environment variable {ENV} at a folder you can write.",
        CacheWarning, stacklevel=3)


def _reason(exc: BaseException) -> str:
    import errno

    if isinstance(exc, FileExistsError) or isinstance(exc, NotADirectoryError):
        return "it is a file, not a folder"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if getattr(exc, "errno", None) == errno.EROFS:
        return "read-only file system"
    if getattr(exc, "errno", None) == errno.ENOSPC:
        return "the disk is full"
    return f"{type(exc).__name__}: {exc}"


def writable(sub: str = "") -> Path | None:
    """The cache folder (``sub`` inside it), created if needed, or None if it cannot be written.

    None comes with a :class:`CacheWarning` (one per cache folder and session). Stale
    ``*.part`` files found there are removed.
    """
    folder = location() / sub if sub else location()
    key = str(folder)
    if key in _checked:
        return folder
    try:
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(str(folder))
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, suffix=".part")
        os.close(fd)
        os.remove(probe)
    except OSError as exc:
        _warn_once(_reason(exc))
        return None
    _remove_stale_parts(folder)
    _checked.add(key)
    return folder


def _remove_stale_parts(folder: Path) -> None:
    now = time.time()
    for part in folder.glob("*.part"):
        with contextlib.suppress(OSError):
            if now - part.stat().st_mtime > STALE_PART_S:
                part.unlink()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    """``data`` to a ``.part`` file next to ``path``, then renamed into place (never half-written)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600: let a class share the cache
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def put(name: str, data: bytes) -> Path | None:
    """Keep ``data`` under ``name`` (e.g. ``"weights/smallcnn.pt"``): on disk, else in memory.

    The file is written first, its manifest (SHA-256, size) last, each atomically. Returns
    the file's path, or None when it went to memory (one warning says why).
    """
    sub, _, fname = name.rpartition("/")
    folder = writable(sub)
    if folder is not None:
        path = folder / fname
        try:
            _atomic_write(path, data)
            manifest = {"sha256": _sha256(data), "bytes": len(data), "written": time.time()}
            _atomic_write(path.with_name(fname + MANIFEST_SUFFIX), json.dumps(manifest).encode())
            _memory.pop(name, None)
            return path
        except OSError as exc:  # e.g. the disk filled up: the work is kept in memory
            _checked.discard(str(folder))
            _warn_once(_reason(exc))
    _memory[name] = data
    return None


def _read_verified(path: Path) -> bytes:
    """The bytes of ``path`` if its manifest vouches for them; ValueError saying what is wrong."""
    manifest = path.with_name(path.name + MANIFEST_SUFFIX)
    if not manifest.exists():
        raise ValueError("its checksum manifest is missing (an unfinished or foreign write)")
    try:
        meta = json.loads(manifest.read_text())
        want = str(meta["sha256"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"its manifest is unreadable ({type(exc).__name__})") from None
    data = path.read_bytes()
    if _sha256(data) != want:
        raise ValueError(f"its SHA-256 does not match the one recorded when it was written "
                         f"({len(data):,} bytes; recorded {meta.get('bytes', '?')})")
    return data


def get(name: str, decode, check=None, *, verbose: bool = True):
    """The artefact ``name``, decoded and checked, or None if there is none that passes.

    ``decode(bytes) -> obj`` parses it; ``check(obj)`` raises ``ValueError`` naming what is
    wrong with its meaning. Memory (this session's fallback) is looked at first, then the
    cache folder. A file that fails is not used and is removed where possible; ``verbose``
    prints one line saying what was wrong and where.
    """
    sources = []
    if name in _memory:
        sources.append(("memory", None))
    path = location() / name
    if path.exists():
        sources.append((str(path), path))
    for where, p in sources:
        try:
            data = _memory[name] if p is None else _read_verified(p)
            obj = decode(data)
            if check is not None:
                check(obj)
            return obj
        except Exception as exc:  # noqa: BLE001 - anything wrong means: rebuild it
            reason = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
            if verbose:
                print(f"course cache: not using {where}: {reason.splitlines()[0] if reason else ''}; "
                      "rebuilding it")
            if p is None:
                _memory.pop(name, None)
            else:
                _discard(p)
    return None


def _discard(path: Path) -> None:
    for p in (path.with_name(path.name + MANIFEST_SUFFIX), path):
        with contextlib.suppress(OSError):
            p.unlink()


def forget_memory() -> None:
    """Drop what this session kept in memory, and what it learnt about the folder (tests)."""
    _memory.clear()
    _warned.clear()
    _checked.clear()


@contextlib.contextmanager
def lock(name: str, waiting: str | None = None):
    """Hold the lock of artefact ``name``: one process builds it while others wait.

    ``waiting`` is printed once if another process holds it. Where the cache cannot be
    written, no lock is taken (nothing is shared to protect).
    """
    import filelock

    sub, _, fname = name.rpartition("/")
    folder = writable(sub)
    if folder is None:
        yield
        return
    lk = filelock.FileLock(str(folder / f"{fname}.lock"))
    try:
        lk.acquire(timeout=0)
    except filelock.Timeout:
        if waiting:
            print(waiting, flush=True)
        lk.acquire()
    except OSError:  # the folder stopped being writable: go on without a lock
        yield
        return
    try:
        yield
    finally:
        lk.release()


# --------------------------------------------------------------------------- trained models
UNIT_FORMAT = 1


def _encode_unit(model, key: str, history) -> bytes:
    """Weights and training history as one file (one unit: never one without the other)."""
    import io

    import torch

    from .core import training_threads

    buf = io.BytesIO()
    torch.save({"format": UNIT_FORMAT, "key": key, "state_dict": model.state_dict(),
                "history": None if history is None else history.to_dict(),
                "threads": training_threads(), "torch": str(torch.__version__)}, buf)
    return buf.getvalue()


def _decode_unit(data: bytes) -> dict:
    import io

    import torch

    return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)


def _unit_checker(model):
    """What a unit must mean for ``model``: its keys and shapes, finite values, a sane history."""
    import torch

    want = {k: tuple(v.shape) for k, v in model.state_dict().items()}

    def check(unit):
        if not isinstance(unit, dict) or unit.get("format") != UNIT_FORMAT or "state_dict" not in unit:
            raise ValueError("it is not a course weights file (format, state_dict)")
        sd = unit["state_dict"]
        got = {k: tuple(v.shape) for k, v in sd.items()}
        if set(got) != set(want):
            missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
            raise ValueError(f"its weights do not fit {type(model).__name__} (missing {missing[:3]}, "
                             f"unexpected {extra[:3]})")
        bad = [k for k in want if got[k] != want[k]]
        if bad:
            raise ValueError(f"weight {bad[0]} has shape {got[bad[0]]}, the model needs {want[bad[0]]}")
        nonfinite = [k for k, v in sd.items() if v.is_floating_point() and not torch.isfinite(v).all()]
        if nonfinite:
            raise ValueError(f"weight {nonfinite[0]} holds NaN or infinite values")
        if unit.get("history") is not None:
            _check_history(unit["history"])

    return check


def _check_history(d) -> None:
    import math

    from .training import History

    try:
        h = History.from_dict(d)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"its training history is unreadable ({type(exc).__name__})") from None
    n = len(h.loss)
    if n < 1:
        raise ValueError("its training history has no epoch")
    if not (h.seconds > 0 and math.isfinite(h.seconds)):
        raise ValueError(f"its training history says it trained in {h.seconds} s")
    lists = {"train_acc": h.train_acc, "times": h.times}
    if h.val_acc:
        lists["val_acc"] = h.val_acc
    for name, values in lists.items():
        if len(values) != n:
            raise ValueError(f"its training history has {n} losses but {len(values)} {name} values")
    values = h.loss + h.train_acc + h.val_acc + h.times
    if not all(math.isfinite(v) for v in values):
        raise ValueError("its training history holds NaN or infinite values")
    if any(not 0.0 <= a <= 1.0 for a in h.train_acc + h.val_acc):
        raise ValueError("its training history has accuracies outside 0..1")


def _use_unit(model, unit: dict, on_epoch, message: str | None):
    from .training import History

    model.load_state_dict(unit["state_dict"])
    history = None if unit.get("history") is None else History.from_dict(unit["history"])
    if message:
        took = f", trained in {history.seconds:.1f} s" if history is not None else ""
        print(message.format(took=took))
    if history is not None and on_epoch is not None:
        history.replay(on_epoch)  # an error in on_epoch is the caller's
    return model.eval(), history


def cached_training(model, key: str, train_fn, *, verbose: bool = True,
                    retrain: bool = False, on_epoch=None, shipped: bool = True, label: str | None = None):
    """Load ``model``'s weights and training History saved under ``key``, or train and save them.

    ``train_fn(model)`` trains in place and may return its ``History`` (what ``fit`` returns).
    Where the weights come from, in order:

    1. the course cache (``workshop_utils.cache``: SHA-256 and meaning checked);
    2. with ``shipped=True``, the weights shipped inside the package for this key
       (``workshop_utils.shipped``, SHA-256 checked), so a fresh machine need not train;
    3. training, announced before it starts (with the time it took when the shipped weights
       were made, where known). One process trains at a time: a second kernel waits for the
       first and loads its result.

    Weights and history are one file, so one is never used without the other. On a load
    the History's epochs are replayed through ``on_epoch(epoch, history)``, so a live plot
    shows the run that made the weights. ``retrain=True`` (or ``WORKSHOP_RETRAIN=1``) trains
    again. Training runs on ``core.training_threads()`` threads; a count other than 1
    (``WORKSHOP_THREADS``) changes the results, so it is part of the file's key.

    Returns ``(model, history)``; ``history`` is None when ``train_fn`` returned none.
    """
    from torch import nn

    from . import shipped as shipped_weights
    from .core import training_threads
    from .training import History

    if not isinstance(model, nn.Module):
        raise ValueError(f"model should be a torch.nn.Module; got {type(model).__name__}")
    if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", key):
        raise ValueError(f"key names the cache file: letters, digits, '_', '.' and '-' only; got {key!r}")
    if not isinstance(retrain, bool):
        raise ValueError(f"retrain should be True or False; got {retrain!r}")
    threads = training_threads()
    full = key if threads == 1 else f"{key}_t{threads}"
    name = f"weights/{full}.pt"
    label = label or key
    retrain = retrain or os.environ.get("WORKSHOP_RETRAIN") == "1"
    from .core import quiet

    tell = verbose and not quiet()  # presenter mode leaves out where the weights came from
    check = _unit_checker(model)
    loaded = "loaded the cached weights " + full + "{took} (retrain=True trains again)"
    if not retrain:
        unit = get(name, _decode_unit, check, verbose=verbose)
        if unit is not None:
            return _use_unit(model, unit, on_epoch, loaded if tell else None)
        if shipped:
            unit = shipped_weights.load(full, _decode_unit, check)
            if unit is not None:
                msg = ("loaded the course's trained weights " + full + "{took}, shipped with the "
                       "package (SHA-256 checked; retrain=True trains here)")
                return _use_unit(model, unit, on_epoch, msg if tell else None)
    with lock(name, waiting=f"another lesson is training {label} right now; waiting for it "
                                  "to finish, then loading its result…"):
        if not retrain:  # another kernel may have trained it while this one waited
            unit = get(name, _decode_unit, check, verbose=verbose)
            if unit is not None:
                return _use_unit(model, unit, on_epoch, loaded if tell else None)
        print(f"training {label} now…" if quiet() else shipped_weights.announce(label, key), flush=True)
        history = train_fn(model)
        if not isinstance(history, History):
            history = None
        put(name, _encode_unit(model, full, history))
    return model.eval(), history


def cached_weights(model, key: str, train_fn, *, verbose: bool = True, retrain: bool = False):
    """Load ``model``'s weights saved under ``key``, or train and save them (``cached_training``)."""
    return cached_training(model, key, train_fn, verbose=verbose, retrain=retrain)[0]


def pretrained(make, key: str, recipe: dict, seed: int, *, verbose: bool, retrain: bool, on_epoch,
                with_history: bool, label: str):
    """``make()`` initialised under ``seed``, trained with ``recipe`` on MNIST-5k, saved under ``key``.

    ``models.pretrained_cnn`` and ``vit.pretrained_vit`` are this with their recipes."""
    import torch

    from ._validate import require_int
    from .data import load_mnist5k
    from .training import fit

    seed = require_int(seed, "seed", low=0)

    def train(model):
        torch.manual_seed(seed)
        model.load_state_dict(make().state_dict())  # start again from the seed's initialisation
        Xtr, ytr, _, _ = load_mnist5k(seed=0).tensors()
        return fit(model, Xtr, ytr, seed=seed, progress=verbose, on_epoch=on_epoch, **recipe)

    torch.manual_seed(seed)
    model, history = cached_training(make(), key, train, verbose=verbose, retrain=retrain,
                                     on_epoch=on_epoch, label=label)
    return (model, history) if with_history else model
