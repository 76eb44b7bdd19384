"""CNN vs ViT on MNIST-5k: training time and held-out accuracy over 3 seeds (a script, not a test).

Trains the course's SmallCNN (``trained.CNN_RECIPE``) and TinyViT (``trained.VIT_CONFIG`` with
``trained.VIT_RECIPE``) on the stratified 80/20 split ``load_mnist5k(seed=0)`` (4,000 training,
1,000 held-out digits) for each seed, and writes ``benchmarks/models.json``: per seed the
training time (``History.seconds``: the training loop only, no evaluation) and the held-out
accuracy, then mean and standard deviation. The load average is recorded before and after
every run: other processes on the machine inflate the times, so read them with it. With
``--threads 1`` the process's CPU time (``cpu_seconds``) estimates the time on a quiet core
even when the machine is busy.

    python -m benchmarks.bench_models [--seeds 0 1 2] [--threads N] [--only cnn|vit] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

from tools import ROOT

TARGETS = {"cnn": {"accuracy": 0.985, "seconds": 10.0}, "vit": {"accuracy": 0.96, "seconds": 20.0}}


def _loadavg():
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:  # pragma: no cover - not on every platform
        return None


def run(kind: str, seed: int, data, epochs: int | None = None) -> dict:
    import torch

    from workshop_utils.models import SmallCNN, count_parameters
    from workshop_utils.trained import CNN_RECIPE, VIT_CONFIG, VIT_RECIPE
    from workshop_utils.training import evaluate, fit
    from workshop_utils.vit import TinyViT

    Xtr, ytr, Xte, yte = data
    torch.manual_seed(seed)
    if kind == "cnn":
        model, recipe, config = SmallCNN(), CNN_RECIPE, {}
    else:
        model, recipe, config = TinyViT(**VIT_CONFIG), VIT_RECIPE, dict(VIT_CONFIG)
    if epochs is not None:
        recipe = {**recipe, "epochs": epochs}
    load_before = _loadavg()
    t0, c0 = time.perf_counter(), time.process_time()
    hist = fit(model, Xtr, ytr, seed=seed, progress=False, **recipe)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    acc = evaluate(model, Xte, yte)
    return {"seed": seed, "seconds": hist.seconds, "wall_seconds": wall, "cpu_seconds": cpu,
            "accuracy": acc,
            "final_loss": hist.loss[-1], "loadavg_before": load_before, "loadavg_after": _loadavg(),
            "parameters": count_parameters(model), "recipe": dict(recipe), "config": config}


def profile_training(kind: str, data, steps: int = 24) -> list:
    """torch.profiler over ``steps`` training steps of ``fit`` (the recipe's augmentation,
    forward, backward, AdamW): the operators that take the most CPU time, with their share."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    from workshop_utils.models import SmallCNN
    from workshop_utils.trained import CNN_RECIPE, VIT_CONFIG, VIT_RECIPE
    from workshop_utils.training import fit
    from workshop_utils.vit import TinyViT

    Xtr, ytr, _, _ = data
    recipe = dict(CNN_RECIPE if kind == "cnn" else VIT_RECIPE)
    n = min(len(Xtr), steps * recipe["batch_size"])
    recipe["epochs"] = 1
    torch.manual_seed(0)
    model = SmallCNN() if kind == "cnn" else TinyViT(**VIT_CONFIG)
    fit(model, Xtr[:n], ytr[:n], progress=False, **recipe)  # warm-up (first-call costs)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fit(model, Xtr[:n], ytr[:n], progress=False, **recipe)
    rows = [(e.key, e.self_cpu_time_total) for e in prof.key_averages()]
    total = sum(t for _, t in rows) or 1.0
    rows.sort(key=lambda kv: -kv[1])
    return [{"op": k, "share": t / total, "ms_per_step": t / 1000 / steps} for k, t in rows[:8]]


def budget_runs(kind: str, data, seeds, summary: dict) -> dict | None:
    """Where the recipe takes longer than the target: the same recipe with only as many
    epochs as fit in the target time (at the measured seconds per epoch), over the seeds."""
    from workshop_utils.trained import CNN_RECIPE, VIT_RECIPE

    recipe = CNN_RECIPE if kind == "cnn" else VIT_RECIPE
    per_epoch = summary["seconds_mean"] / recipe["epochs"]
    epochs = int(summary["target"]["seconds"] // per_epoch)
    if summary["seconds_mean"] <= summary["target"]["seconds"] or epochs < 1:
        return None
    runs = [run(kind, seed, data, epochs=epochs) for seed in seeds]
    out = summarise(runs, summary["target"])
    out["epochs"] = epochs
    print(f"{kind} with {epochs} epochs (what fits in {summary['target']['seconds']:.0f} s): accuracy "
          f"{out['accuracy_mean']:.2%}, time {out['seconds_mean']:.1f} s", flush=True)
    return out


def summarise(runs: list, target: dict) -> dict:
    accs = [r["accuracy"] for r in runs]
    secs = [r["seconds"] for r in runs]
    cpus = [r["cpu_seconds"] for r in runs]
    sd = statistics.stdev if len(runs) > 1 else (lambda xs: 0.0)
    out = {
        "accuracy": accs,
        "seconds": secs,
        "accuracy_mean": statistics.mean(accs),
        "accuracy_sd": sd(accs),
        "seconds_mean": statistics.mean(secs),
        "seconds_sd": sd(secs),
        "cpu_seconds_mean": statistics.mean(cpus),
        "parameters": runs[0]["parameters"],
        "recipe": runs[0]["recipe"],
        "config": runs[0]["config"],
        "target": target,
        "runs": runs,
    }
    out["met"] = bool(out["accuracy_mean"] >= target["accuracy"] and out["seconds_mean"] <= target["seconds"])
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--threads", type=int, default=None,
                    help="training threads, as WORKSHOP_THREADS (default: the course's, 1)")
    ap.add_argument("--only", choices=["cnn", "vit"], default=None)
    ap.add_argument("--no-analysis", action="store_true",
                    help="skip the operator profile and the runs cut to the target time")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "models.json"))
    args = ap.parse_args(argv)

    import torch

    from workshop_utils.data import load_mnist5k

    if args.threads:
        os.environ["WORKSHOP_THREADS"] = str(args.threads)  # what training.fit runs on
    from workshop_utils.core import training_threads
    split = load_mnist5k(test_size=0.2, seed=0)
    data = split.tensors()
    result = {
        "what": "SmallCNN and TinyViT trained on MNIST-5k, stratified 80/20 split load_mnist5k(seed=0): "
                f"{len(split.X_train)} training and {len(split.X_test)} held-out images; seconds = "
                "training loop only (History.seconds)",
        "machine": {"cpus": os.cpu_count(), "torch_threads": training_threads(),
                    "torch": torch.__version__, "python": platform.python_version(),
                    "platform": platform.platform(), "processor": platform.processor(),
                    "loadavg_start": _loadavg()},
    }
    kinds = [args.only] if args.only else ["cnn", "vit"]
    for kind in kinds:
        runs = []
        for seed in args.seeds:
            r = run(kind, seed, data)
            runs.append(r)
            print(f"{kind} seed {seed}: {r['seconds']:.1f} s, held-out accuracy {r['accuracy']:.2%} "
                  f"(load average {r['loadavg_before'][0] if r['loadavg_before'] else '?'})", flush=True)
        result[kind] = summarise(runs, TARGETS[kind])
        if not args.no_analysis:
            result[kind]["profile"] = profile_training(kind, data)
            result[kind]["within_target_time"] = budget_runs(kind, data, args.seeds, result[kind])
        s = result[kind]
        print(f"{kind}: accuracy {s['accuracy_mean']:.2%} ± {s['accuracy_sd']:.2%}, "
              f"time {s['seconds_mean']:.1f} ± {s['seconds_sd']:.1f} s "
              f"(target ≥ {s['target']['accuracy']:.1%} in ≤ {s['target']['seconds']:.0f} s: "
              f"{'met' if s['met'] else 'missed'})", flush=True)
    result["machine"]["loadavg_end"] = _loadavg()
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print("wrote", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
