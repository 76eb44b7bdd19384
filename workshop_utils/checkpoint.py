"""The course's weights file: a model's weights, its training History and its identity, as one unit.

A unit is one ``torch.save`` of a dict: ``format``, ``key``, ``identity`` (what model it
is: architecture and configuration, recipe, seed, data; ``trained.identity``), the
``state_dict``, the ``history`` and where it was made (``made``: threads, torch, CPU
kernels). Weights and history are one file, so one is never used without the other.
:func:`checker` says whether a unit is the model asked for; :func:`use` loads it.
"""

from __future__ import annotations

import io
import math

__all__ = ["FORMAT", "encode", "decode", "checker", "use", "cpu_kernels"]

FORMAT = 2  # 2: the unit carries its identity (format 1 held only a name)


def cpu_kernels() -> str:
    """The CPU kernels torch runs here ("AVX2", "AVX512", …; "?" where torch does not say)."""
    import torch

    cpu = getattr(torch.backends, "cpu", None)
    return str(cpu.get_cpu_capability()) if hasattr(cpu, "get_cpu_capability") else "?"


def encode(model, key: str, identity: dict, history) -> bytes:
    """``model``'s weights, ``history`` (or None) and ``identity`` as one file's bytes."""
    import torch

    from .core import training_threads

    buf = io.BytesIO()
    torch.save({"format": FORMAT, "key": key, "identity": identity, "state_dict": model.state_dict(),
                "history": None if history is None else history.to_dict(),
                "made": {"threads": training_threads(), "torch": str(torch.__version__),
                         "cpu": cpu_kernels()}}, buf)
    return buf.getvalue()


def decode(data: bytes) -> dict:
    import torch

    return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)


def checker(model, key: str, identity: dict):
    """``check(unit)``: ValueError unless ``unit`` is ``model`` as asked for — the same key and
    identity (configuration, recipe, seed, data), weights of the right names and shapes,
    finite values, a history that can be true."""
    import torch

    want = {k: tuple(v.shape) for k, v in model.state_dict().items()}

    def check(unit):
        if not isinstance(unit, dict) or "state_dict" not in unit:
            raise ValueError("it is not a course weights file (format, state_dict)")
        if unit.get("format") != FORMAT or "identity" not in unit:
            raise ValueError(f"it was written in an older format ({unit.get('format')!r}) that does not "
                             "say which model it is")
        if unit.get("key") != key:
            raise ValueError(f"it holds another model ({unit.get('key')!r}, not {key!r})")
        if unit["identity"] != identity:
            got = unit["identity"] if isinstance(unit["identity"], dict) else {}
            diff = sorted(k for k in set(got) | set(identity) if got.get(k) != identity.get(k))
            raise ValueError(f"it holds another model (its {', '.join(diff) or 'identity'} differs)")
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


def use(model, unit: dict, on_epoch=None):
    """Load ``unit``'s weights into ``model``; replay its History through ``on_epoch`` (a live
    plot then shows the run that made the weights). Returns ``(model.eval(), history or None)``."""
    from .training import History

    model.load_state_dict(unit["state_dict"])
    history = None if unit.get("history") is None else History.from_dict(unit["history"])
    if history is not None and on_epoch is not None:
        history.replay(on_epoch)  # an error in on_epoch is the caller's
    return model.eval(), history
