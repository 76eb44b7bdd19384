"""Faster training recipes for lesson 05's SmallCNN and TinyViT, searched and compared (issue 27).

A script, not a test. For each candidate recipe (today's and the proposed ones) it trains the
model on MNIST-5k's stratified split ``load_mnist5k(seed=0)`` (4,000 training / 1,000 held-out
digits) for every seed, and records per seed the held-out accuracy, ``History.seconds`` (the
training loop only) and the process's CPU seconds; it counts the training's FLOPs with
``torch.utils.flop_counter.FlopCounterMode`` (forward + backward of one batch, per image, × the
training images × the epochs), measures this machine's 2048² matmul peak in float32 (and in
bfloat16 where the CPU has it) at the same thread count, and reports the achieved FLOP/s ÷ peak.

Candidates run interleaved, seed by seed (today's CNN, the new CNN, today's ViT, the new ViT for
seed 0, then seed 1 …), so the time ratios between them are taken back to back in one process:
read the ratios, not the seconds, when the machine is not quiet (the load average is recorded).

    python benchmarks/recipes.py [--candidates NAME ...] [--seeds 0 1 2] [--threads N]
                                 [--profile NAME ...] [--no-peak] [--out benchmarks/recipes.json]
    python benchmarks/recipes.py --list

The side-by-side run issue 27 asks for (today's recipes and the recommended ones, 3 seeds, the
profiles before and after):

    OMP_NUM_THREADS=1 python benchmarks/recipes.py \
        --candidates cnn_today cnn_recommended vit_today vit_recommended \
        --profile cnn_today cnn_recommended vit_today vit_recommended

Results are merged into the JSON file under ``"<name>@<threads>t"`` (so a search can run in
pieces) and the markdown table beside it (``recipes.md``) is rewritten from all of them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS = {"cnn": 0.985, "vit": 0.96}

# Today's recipes, copied from workshop_utils/models.py (CNN_RECIPE, version 3) and vit.py
# (VIT_CONFIG, VIT_RECIPE, version 2) at commit c016f77, so the comparison stays the same
# when those move.
TODAY_CNN = dict(epochs=20, lr=5e-3, batch_size=64, max_shift=2, max_rotate=15.0, max_scale=0.15,
                 label_smoothing=0.1, weight_decay=1e-4)
TODAY_VIT_CONFIG = dict(patch_size=7, dim=64, depth=3, heads=4, mlp_ratio=1.0)
TODAY_VIT = dict(epochs=20, lr=3e-3, batch_size=128, max_shift=2, max_rotate=10.0, max_scale=0.1,
                 label_smoothing=0.1, weight_decay=0.05)

# name -> (model kind, constructor kwargs, fit kwargs). The search's candidates are kept so
# that every number in recipes.json can be reproduced by name.
CANDIDATES: dict = {
    "cnn_today": ("cnn", {}, TODAY_CNN),
    "vit_today": ("vit", TODAY_VIT_CONFIG, TODAY_VIT),
}


def _cnn(name, epochs, lr, bs=64, config=None, **kw):
    rec = dict(TODAY_CNN, epochs=epochs, lr=lr, batch_size=bs)
    rec.update(kw)
    CANDIDATES[name] = ("cnn", dict(config or {}), rec)


def _vit(name, epochs, lr, bs=128, config=None, **kw):
    rec = dict(TODAY_VIT, epochs=epochs, lr=lr, batch_size=bs)
    rec.update(kw)
    CANDIDATES[name] = ("vit", dict(TODAY_VIT_CONFIG, **(config or {})), rec)


# --- CNN search: epochs, peak learning rate, batch, betas, averaging, bfloat16
_cnn("cnn_e8", 8, 5e-3)
_cnn("cnn_e8_lr1e-2", 8, 1e-2)
_cnn("cnn_e6_lr1e-2", 6, 1e-2)
_cnn("cnn_e6_lr1e-2_b32", 6, 1e-2, bs=32)
_cnn("cnn_e6_lr1e-2_avg", 6, 1e-2, average=0.99)
_cnn("cnn_e6_lr1e-2_beta", 6, 1e-2, betas=(0.9, 0.99))
_cnn("cnn_e6_lr1e-2_bf16", 6, 1e-2, precision="bfloat16")
_cnn("cnn_e5_lr1e-2", 5, 1e-2)
_cnn("cnn_e4_lr1e-2", 4, 1e-2)
_cnn("cnn_e6_lr2e-2", 6, 2e-2)
_cnn("cnn_e6_lr1e-2_b32_avg", 6, 1e-2, bs=32, average=0.99)
_cnn("cnn_e6_lr1e-2_avg_beta", 6, 1e-2, average=0.99, betas=(0.9, 0.99))
_cnn("cnn_e6_lr1e-2_ls0", 6, 1e-2, label_smoothing=0.0)
_cnn("cnn_e6_lr1e-2_aug10", 6, 1e-2, max_rotate=10.0, max_scale=0.1)
_cnn("cnn_e8_lr1e-2_b32", 8, 1e-2, bs=32)
_cnn("cnn_e10_lr1e-2_beta", 10, 1e-2, betas=(0.9, 0.99))
_cnn("cnn_e12_lr1e-2_beta", 12, 1e-2, betas=(0.9, 0.99))
_cnn("cnn_e12_lr1e-2_beta_bf16", 12, 1e-2, betas=(0.9, 0.99), precision="bfloat16")
_cnn("cnn_e14_beta", 14, 5e-3, betas=(0.9, 0.99))
_cnn("cnn_e14_lr1e-2_beta", 14, 1e-2, betas=(0.9, 0.99))
_cnn("cnn_e14_lr1e-2_beta_avg", 14, 1e-2, betas=(0.9, 0.99), average=0.99)
_cnn("cnn_today_bf16", 20, 5e-3, precision="bfloat16")
_cnn("cnn_e16", 16, 5e-3)
_cnn("cnn_e16_beta", 16, 5e-3, betas=(0.9, 0.99))
_cnn("cnn_e16_lr7e-3", 16, 7e-3)
_cnn("cnn_e18_beta", 18, 5e-3, betas=(0.9, 0.99))
_cnn("cnn_e16_beta_avg", 16, 5e-3, betas=(0.9, 0.99), average=0.995)
_cnn("cnn_e16_beta98", 16, 5e-3, betas=(0.9, 0.98))
_cnn("cnn_e16_beta_b1_8", 16, 5e-3, betas=(0.8, 0.99))
_cnn("cnn_e12_beta98", 12, 5e-3, betas=(0.9, 0.98))
_cnn("cnn_e14_beta98", 14, 5e-3, betas=(0.9, 0.98))
_cnn("cnn_e14_beta95", 14, 5e-3, betas=(0.9, 0.95))
_cnn("cnn_e16_beta98_bf16", 16, 5e-3, betas=(0.9, 0.98), precision="bfloat16")
_cnn("cnn_e16_beta98_avg", 16, 5e-3, betas=(0.9, 0.98), average=0.995)
_cnn("cnn_e20_shift", 20, 5e-3, max_rotate=0.0, max_scale=0.0)
_cnn("cnn_k3_e12_lr1e-2_beta", 12, 1e-2, betas=(0.9, 0.99), config=dict(kernel_size=3))
# --- ViT search
_vit("vit_e10", 10, 3e-3)
_vit("vit_e10_lr5e-3", 10, 5e-3)
_vit("vit_e10_lr5e-3_b64", 10, 5e-3, bs=64)
_vit("vit_e10_lr5e-3_avg", 10, 5e-3, average=0.99)
_vit("vit_e8_lr5e-3_b64", 8, 5e-3, bs=64)
_vit("vit_e10_lr5e-3_b64_shift", 10, 5e-3, bs=64, max_rotate=0.0, max_scale=0.0)
_vit("vit_e10_lr5e-3_b64_beta", 10, 5e-3, bs=64, betas=(0.9, 0.98))
_vit("vit_e10_lr5e-3_b64_h2", 10, 5e-3, bs=64, config=dict(heads=2))
_VB = dict(bs=64, betas=(0.9, 0.98), precision="bfloat16")
_vit("vit_e10_lr5e-3_b64_beta_bf16", 10, 5e-3, **_VB)
_vit("vit_e10_lr8e-3_b64_beta_bf16", 10, 8e-3, **_VB)
_vit("vit_e10_lr5e-3_b64_beta_bf16_wd01", 10, 5e-3, weight_decay=0.01, **_VB)
_vit("vit_e10_lr5e-3_b64_beta_bf16_avg", 10, 5e-3, average=0.995, **_VB)
_vit("vit_e10_lr5e-3_b64_beta_bf16_mlp2", 10, 5e-3, config=dict(mlp_ratio=2.0), **_VB)
_vit("vit_e14_lr5e-3_b64_beta_bf16", 14, 5e-3, **_VB)
_vit("vit_e16_lr5e-3_b64_beta_bf16", 16, 5e-3, **_VB)
_vit("vit_d48_e18_lr5e-3_b64_beta_bf16", 18, 5e-3, config=dict(dim=48), **_VB)
_vit("vit_depth2_e18_lr5e-3_b64_beta_bf16", 18, 5e-3, config=dict(depth=2), **_VB)
_vit("vit_e16_lr5e-3_b128_beta_bf16", 16, 5e-3, bs=128, betas=(0.9, 0.98), precision="bfloat16")
_vit("vit_depth2_e16_lr5e-3_b64_beta_bf16", 16, 5e-3, config=dict(depth=2), **_VB)
_vit("vit_e16_lr5e-3_b64_beta", 16, 5e-3, bs=64, betas=(0.9, 0.98))
_vit("vit_e14_lr5e-3_b64_beta95_bf16", 14, 5e-3, bs=64, betas=(0.9, 0.95), precision="bfloat16")
_vit("vit_e14_lr4e-3_b64_beta_bf16", 14, 4e-3, **_VB)
_vit("vit_p4d32_e10_lr5e-3_b64_beta_bf16", 10, 5e-3, config=dict(patch_size=4, dim=32, mlp_ratio=2.0),
     **_VB)


# The recommendation (issue 27): the same SmallCNN and TinyViT, fewer epochs, tuned Adam betas,
# bfloat16 autocast for the ViT (float32 where the CPU has no bfloat16).
CANDIDATES["cnn_recommended"] = CANDIDATES["cnn_e16_beta98"]
CANDIDATES["vit_recommended"] = CANDIDATES["vit_e16_lr5e-3_b64_beta_bf16"]


def _loadavg():
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:  # pragma: no cover
        return None


def make_model(kind: str, config: dict):
    from workshop_utils.models import SmallCNN
    from workshop_utils.vit import TinyViT

    return SmallCNN(**config) if kind == "cnn" else TinyViT(**config)


def matmul_peak(dtype_name: str, n: int = 2048, repeats: int = 5) -> float:
    """FLOP/s of an n×n @ n×n matmul in ``dtype_name`` (best of ``repeats``), at torch's threads."""
    import torch

    dtype = getattr(torch, dtype_name)
    a = torch.randn(n, n).to(dtype)
    b = torch.randn(n, n).to(dtype)
    a @ b  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 2 * n ** 3 / best


def flops_per_image(kind: str, config: dict, recipe: dict, X, y) -> float:
    """Forward + backward FLOPs of one training batch ÷ its images (as ``fit`` runs it:
    channels-last convolutions, bfloat16 autocast where the recipe asks for it)."""
    import torch
    import torch.nn.functional as F
    from torch.utils.flop_counter import FlopCounterMode

    from workshop_utils.training import _bf16_context, training_precision

    torch.manual_seed(0)
    model = make_model(kind, config)
    if kind == "cnn":
        model.to(memory_format=torch.channels_last)
    bs = recipe["batch_size"]
    xb, yb = X[:bs], y[:bs]
    bf16 = training_precision(recipe.get("precision", "float32")) == "bfloat16"
    with FlopCounterMode(display=False) as counter:
        if bf16:
            with _bf16_context():  # as fit runs it
                logits = model(xb)
        else:
            logits = model(xb)
        F.cross_entropy(logits.float(), yb).backward()
    return counter.get_total_flops() / bs


def train_once(name: str, seed: int, data) -> dict:
    import torch

    from workshop_utils.training import evaluate, fit

    kind, config, recipe = CANDIDATES[name]
    Xtr, ytr, Xte, yte = data
    torch.manual_seed(seed)
    model = make_model(kind, config)
    load = _loadavg()
    t0, c0 = time.perf_counter(), time.process_time()
    hist = fit(model, Xtr, ytr, seed=seed, progress=False, **recipe)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seed": seed, "accuracy": evaluate(model, Xte, yte), "seconds": hist.seconds,
            "wall_seconds": wall, "cpu_seconds": cpu, "final_loss": hist.loss[-1],
            "final_train_acc": hist.train_acc[-1],
            "loadavg_before": load}


def profile_top(name: str, data, top: int = 10) -> list:
    """torch.profiler over one epoch of ``fit`` with the candidate's recipe (after a warm-up
    epoch): the ``top`` operators by self CPU time, with their share of the total."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    from workshop_utils.training import fit

    kind, config, recipe = CANDIDATES[name]
    Xtr, ytr, _, _ = data
    torch.manual_seed(0)
    model = make_model(kind, config)
    fit(model, Xtr, ytr, progress=False, **dict(recipe, epochs=1))  # warm-up
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fit(model, Xtr, ytr, progress=False, **dict(recipe, epochs=1))
    rows = [(e.key, e.self_cpu_time_total) for e in prof.key_averages()]
    total = sum(t for _, t in rows) or 1.0
    rows.sort(key=lambda kv: -kv[1])
    return [{"op": k, "share": round(t / total, 4), "self_ms_per_epoch": round(t / 1000, 2)}
            for k, t in rows[:top]]


def summarise(name: str, runs: list, flops_img: float, n_train: int, peaks: dict) -> dict:
    kind, config, recipe = CANDIDATES[name]
    from workshop_utils.training import training_precision

    accs = [r["accuracy"] for r in runs]
    secs = [r["seconds"] for r in runs]
    sd = statistics.stdev if len(runs) > 1 else (lambda xs: 0.0)
    flops = flops_img * n_train * recipe["epochs"]
    fmt = training_precision(recipe.get("precision", "float32"))
    out = {"kind": kind, "config": config, "recipe": recipe, "format": fmt,
           "accuracy": accs, "accuracy_mean": statistics.mean(accs), "accuracy_sd": sd(accs),
           "accuracy_min": min(accs), "target": TARGETS[kind],
           "seconds": secs, "seconds_mean": statistics.mean(secs),
           "cpu_seconds_mean": statistics.mean(r["cpu_seconds"] for r in runs),
           "flops_per_image": flops_img, "training_flops": flops,
           "achieved_flops_per_s": flops / statistics.mean(secs), "runs": runs}
    if peaks:
        out["peak_flops_per_s"] = peaks
        out["efficiency_vs_float32_peak"] = out["achieved_flops_per_s"] / peaks["float32"]
        if fmt in peaks:
            out["efficiency_vs_own_format_peak"] = out["achieved_flops_per_s"] / peaks[fmt]
    return out


def markdown(results: dict) -> str:
    lines = ["Written by `benchmarks/recipes.py` from `recipes.json`. Unless the load average column "
             "is near 0 these seconds were taken on a busy shared machine: they are NOT quiet "
             "measurements; read the accuracy, the FLOPs and the ratios to today's recipe taken in "
             "the same run (interleaved seed by seed).", "",
             "| candidate | threads | held-out accuracy per seed | mean | target | GFLOP | s (mean) "
             "| ratio to today's | GFLOP/s | ÷ fp32 peak | load |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    rows = {k: r for k, r in results.items() if isinstance(r, dict) and "kind" in r}
    for key, r in sorted(rows.items(), key=lambda kv: (kv[1]["kind"], kv[0])):
        accs = " / ".join(f"{a:.1%}" for a in r["accuracy"])
        ratio = r.get("time_ratio_to_today")
        eff = r.get("efficiency_vs_float32_peak")
        load = r["runs"][0].get("loadavg_before")
        lines.append(
            f"| {key} | {r.get('threads', '?')} | {accs} | {r['accuracy_mean']:.2%} | "
            f"{'met' if r['accuracy_mean'] >= r['target'] else 'missed'} | "
            f"{r['training_flops'] / 1e9:.0f} | {r['seconds_mean']:.2f} | "
            f"{'' if ratio is None else f'{ratio:.2f}'} | {r['achieved_flops_per_s'] / 1e9:.0f} | "
            f"{'' if eff is None else f'{eff:.0%}'} | {'' if load is None else load[0]} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", nargs="+", default=["cnn_today", "vit_today"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--threads", type=int, default=1, help="training threads (WORKSHOP_THREADS)")
    ap.add_argument("--profile", nargs="*", default=[], help="candidates to profile (one epoch)")
    ap.add_argument("--no-peak", action="store_true", help="skip the matmul peak")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--markdown-only", action="store_true", help="rewrite the table from the JSON")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "recipes.json"))
    args = ap.parse_args(argv)
    if args.list:
        for name, (kind, config, recipe) in CANDIDATES.items():
            print(name, kind, config, recipe)
        return 0
    if args.markdown_only:
        out_path = Path(args.out)
        out_path.with_suffix(".md").write_text(markdown(json.loads(out_path.read_text())))
        return 0
    unknown = [c for c in args.candidates + args.profile if c not in CANDIDATES]
    if unknown:
        ap.error(f"unknown candidates {unknown}; --list shows them")

    os.environ["WORKSHOP_THREADS"] = str(args.threads)  # what training.fit runs on
    import torch

    from workshop_utils.data import load_mnist5k
    from workshop_utils.training import bf16_supported

    torch.set_num_threads(args.threads)
    split = load_mnist5k(test_size=0.2, seed=0)
    data = split.tensors()
    n_train = len(data[0])
    out_path = Path(args.out)
    results = json.loads(out_path.read_text()) if out_path.exists() else {}
    cpu_model = ""
    try:
        cpu_model = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo")
                          if ln.startswith("model name")), "")
    except OSError:  # pragma: no cover
        pass
    machine = {"cpu": cpu_model or platform.processor(), "cpus": os.cpu_count(),
               "threads": args.threads, "torch": torch.__version__,
               "bf16_supported": bf16_supported(), "loadavg_start": _loadavg(),
               "note": "shared machine unless the load average says otherwise: compare the time "
                       "ratios taken in one run, not the seconds"}
    peaks = {}
    if not args.no_peak:
        peaks["float32"] = matmul_peak("float32")
        if bf16_supported():
            peaks["bfloat16"] = matmul_peak("bfloat16")
        print("matmul 2048² peak at", args.threads, "thread(s):",
              {k: f"{v / 1e9:.0f} GFLOP/s" for k, v in peaks.items()}, flush=True)
        machine["peak_flops_per_s"] = peaks

    from workshop_utils.training import fit

    for name in args.candidates:  # warm-up: the first training in a process pays oneDNN's set-up
        kind, config, recipe = CANDIDATES[name]
        fit(make_model(kind, config), data[0][:512], data[1][:512], progress=False,
            **dict(recipe, epochs=1))
    runs = {name: [] for name in args.candidates}
    for seed in args.seeds:  # interleaved: ratios are taken back to back
        for name in args.candidates:
            r = train_once(name, seed, data)
            runs[name].append(r)
            print(f"{name} seed {seed}: accuracy {r['accuracy']:.2%}, {r['seconds']:.2f} s "
                  f"(cpu {r['cpu_seconds']:.2f} s, load {r['loadavg_before'][0]})", flush=True)
    summaries = {}
    for name in args.candidates:
        kind, config, recipe = CANDIDATES[name]
        fi = flops_per_image(kind, config, recipe, data[0], data[1])
        s = summarise(name, runs[name], fi, n_train, peaks)
        s["threads"] = args.threads
        s["machine"] = machine
        summaries[name] = s
    for name, s in summaries.items():  # same-run ratios against today's recipe of the same kind
        base = f"{s['kind']}_today"
        if base in summaries:
            s["time_ratio_to_today"] = s["seconds_mean"] / summaries[base]["seconds_mean"]
            s["cpu_ratio_to_today"] = s["cpu_seconds_mean"] / summaries[base]["cpu_seconds_mean"]
            s["flops_ratio_to_today"] = s["training_flops"] / summaries[base]["training_flops"]
        print(f"{name}: accuracy {s['accuracy_mean']:.2%} ± {s['accuracy_sd']:.2%} "
              f"(target {s['target']:.1%}), {s['training_flops'] / 1e9:.0f} GFLOP, "
              f"{s['seconds_mean']:.2f} s, {s['achieved_flops_per_s'] / 1e9:.0f} GFLOP/s"
              + (f", {s['efficiency_vs_float32_peak']:.0%} of the fp32 peak" if peaks else "")
              + (f", time ÷ today's {s['time_ratio_to_today']:.2f}" if "time_ratio_to_today" in s
                 else ""), flush=True)
    if {"cnn_today", "vit_today"} <= set(summaries) and len(summaries) > 2:
        pairs = [(c, v) for c in summaries if summaries[c]["kind"] == "cnn" and c != "cnn_today"
                 for v in summaries if summaries[v]["kind"] == "vit" and v != "vit_today"]
        today = summaries["cnn_today"]["seconds_mean"] + summaries["vit_today"]["seconds_mean"]
        for c, v in pairs:
            both = summaries[c]["seconds_mean"] + summaries[v]["seconds_mean"]
            print(f"{c} + {v}: {both:.2f} s against today's {today:.2f} s: {today / both:.2f}× faster")
            results.setdefault("speedups", {})[f"{c}+{v}@{args.threads}t"] = today / both
    for name in args.profile:
        top = profile_top(name, data)
        summaries.setdefault(name, {})["profile"] = top
        print(f"profile {name}:", ", ".join(f"{r['op']} {r['share']:.0%}" for r in top), flush=True)
    for name, s in summaries.items():
        key = f"{name}@{args.threads}t"
        if "kind" in s:
            results[key] = s
        else:  # profile only: keep the earlier numbers
            results.setdefault(key, {}).update(s)
    out_path.write_text(json.dumps(results, indent=1) + "\n")
    out_path.with_suffix(".md").write_text(markdown(results))
    print("wrote", out_path, "and", out_path.with_suffix(".md"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
