"""What ``make bench`` (benchmarks/run.py) runs in other processes.

* :func:`sweep_explorers`, in each notebook's kernel after its last cell (the kernel loads this
  file by its path, :func:`tools.kernelclient.module_cell`): every explorer the notebook made,
  its controls set across their ranges, each update timed; then the kernel's peak memory.
* :func:`train`, in a fresh interpreter (``python -m benchmarks.probes EPOCHS cnn|vit``): a
  recipe trained for some epochs at the threads ``WORKSHOP_THREADS`` sets, timed, and the
  weights' SHA-256.

Module level imports the standard library only: the kernel has no ``benchmarks`` on its path.
"""

from __future__ import annotations

import gc
import hashlib
import json
import resource
import sys
import time

MARK = "@@BENCH@@"  # the line of the kernel's output that carries the numbers


def sweep_explorers(sweep: bool = True) -> dict:
    """Time every explorer's update across its controls' ranges (``sweep``; else none), print
    ``MARK`` and the numbers as JSON, and return them. An explorer whose single update takes
    over a second (one that trains) is timed once and not swept further."""
    from workshop_utils.explorers import Explorer

    found = [o for o in gc.get_objects() if issubclass(type(o), Explorer)] if sweep else []
    res = {}
    for k, ex in enumerate(found):
        times, skipped = [], None
        orig = dict(ex.values)
        for ctl in list(ex.controls):
            try:
                values = ex.sweep_values(ctl, n=8)
            except Exception:  # noqa: BLE001 - a control without a sweep is left out
                continue
            for v in values:
                t = time.perf_counter()
                ex.update(**{ctl: v})
                dt = time.perf_counter() - t
                times.append(dt)
                if dt > 1.0:
                    skipped = f"an update took {dt:.1f} s: not swept further"
                    break
            if skipped:
                break
            ex.update(**{ctl: orig[ctl]})
        res[f"{type(ex).__name__}#{k}"] = {"times_s": times, "note": skipped}
    out = {"explorers": res, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    print(MARK + json.dumps(out))
    return out


def train(epochs: int, model: str) -> dict:
    """The CNN's or the ViT's recipe for ``epochs`` epochs on MNIST-5k (seed 0): seconds, weights' hash."""
    import torch

    from workshop_utils.data import load_mnist5k
    from workshop_utils.models import SmallCNN
    from workshop_utils.trained import CNN_RECIPE, VIT_CONFIG, VIT_RECIPE
    from workshop_utils.training import fit
    from workshop_utils.vit import TinyViT

    Xtr, ytr, _, _ = load_mnist5k(seed=0).tensors()
    torch.manual_seed(0)
    make, recipe = {"cnn": (SmallCNN, CNN_RECIPE),
                    "vit": (lambda: TinyViT(**VIT_CONFIG), VIT_RECIPE)}[model]
    m = make()
    t = time.perf_counter()
    fit(m, Xtr, ytr, seed=0, progress=False, **dict(recipe, epochs=epochs))
    s = time.perf_counter() - t
    h = hashlib.sha256(b"".join(v.detach().contiguous().numpy().tobytes() for v in m.state_dict().values()))
    return {"seconds": s, "weights_sha256": h.hexdigest()}


if __name__ == "__main__":
    print(json.dumps(train(int(sys.argv[1]), sys.argv[2])))
