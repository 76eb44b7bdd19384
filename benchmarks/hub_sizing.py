"""Sizing from the class load test: benchmarks/hub_results.json → deploy/README.md, RESULTS.md, deploy/.

Nothing here is typed in: learners per core and per GB come from the measured runs of
``benchmarks/hub_load.py`` (``make bench-hub`` calls this at its end), and from them the
per-learner guarantees and limits and the servers or nodes for a class of 30, 100 and 300.
Writes deploy/README.md's block between ``<!-- hub-sizing:begin -->`` and ``<!-- hub-sizing:end -->``,
the hub section of ``benchmarks/RESULTS.md`` (``benchmarks/run.py`` keeps it when it rewrites
the file) and every line of ``deploy/`` that ends in ``# sizing: <key>``.

    python -m benchmarks.hub_sizing [--results benchmarks/hub_results.json] [--check]

``--check`` writes nothing and fails when a file differs from what the results give.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

from tools import ROOT
from tools.mdblock import replace_block

RESULTS = ROOT / "benchmarks" / "hub_results.json"
HUB_README = ROOT / "deploy" / "README.md"  # the class sizing, read by whoever runs a hub
RESULTS_MD = ROOT / "benchmarks" / "RESULTS.md"
DEPLOY = [ROOT / "deploy" / "z2jh" / "config.yaml", ROOT / "deploy" / "tljh" / "install.sh"]
BEGIN, END = "<!-- hub-sizing:begin -->", "<!-- hub-sizing:end -->"
RBEGIN, REND = "<!-- hub-load:begin -->", "<!-- hub-load:end -->"
CLASSES = (30, 100, 300)
NODE = {"cpu": 8, "mem_gb": 32}  # a common general-purpose Kubernetes node (8 vCPU, 32 GB)
NODE_RESERVED = {"cpu": 0.5, "mem_gb": 2.0}  # kubelet, system pods
TLJH_MAX = {"cpu": 64, "mem_gb": 256}  # beyond this one server is the wrong tool
BINDER = {"users": 100, "mem_gb": (1, 2)}  # mybinder.org: per repository, per user


def _up(x: float, step: float) -> float:
    return math.ceil(x / step - 1e-9) * step


def _mem(mb: float) -> str:
    """A Kubernetes/systemd memory quantity, rounded up to 128 MiB."""
    mb = _up(mb, 128)
    return f"{mb / 1024:g}G" if mb % 1024 == 0 else f"{int(mb)}M"


def capacity(results: dict) -> dict:
    """Per scenario: the largest N whose slider p95 stayed within the limit with no failure,
    whether a limit was actually reached (else the N is a lower bound), per-learner memory."""
    limit = results["settings"]["p95_ms"]
    cpus = results["machine"]["cpus"]
    out = {}
    for sc in ("staggered", "together", "training"):
        runs = [r for r in results["runs"] if r["scenario"] == sc]
        if not runs:
            continue
        ok = [r for r in runs if not r["errors"] and (r["slider_ms"].get("p95") or 0) <= limit]
        n_ok = max((r["n"] for r in ok), default=0)
        reached = any(r["errors"] or (r["slider_ms"].get("p95") or 0) > limit for r in runs)
        peak = max(r["mem_peak_mb"].get("max", 0) for r in runs)
        idle = max(r["mem_idle_mb"].get("p50", 0) for r in runs)
        out[sc] = {"n_ok": n_ok, "limit_reached": reached, "per_core": n_ok / cpus,
                   "peak_mb": peak, "idle_mb": idle, "per_gb": 1024 / peak if peak else None,
                   "load_mean": max(r["load_during"].get("mean", 0) for r in runs),
                   "load_before": max(r["load_before"][0] for r in runs)}
    return out


def sizing(results: dict) -> dict:
    """Per-learner settings and, for each class size, TLJH and Kubernetes."""
    cap = capacity(results)
    measured = [c for c in cap.values() if c["n_ok"] > 0]
    if not measured:
        raise ValueError("no run stayed within the slider limit: nothing to size from")
    worst = min(measured, key=lambda c: c["per_core"])  # the scenario with the fewest learners per core
    peak = max(c["peak_mb"] for c in cap.values())  # lesson 05's training included, where it ran
    s = {
        "mem_guarantee": _mem(peak),  # what a learner uses while the class runs a lesson
        "mem_limit": _mem(peak * 1.5),
        "cpu_guarantee": round(_up(1 / worst["per_core"], 0.05), 2),
        "cpu_limit": 1,  # one torch thread per kernel
        "classes": {},
    }
    g_gb = _up(peak, 128) / 1024
    for n in CLASSES:
        cores = math.ceil(n * s["cpu_guarantee"])
        mem = math.ceil(n * g_gb + 2)  # + the hub, the proxy and the system
        per_node = int(min((NODE["cpu"] - NODE_RESERVED["cpu"]) / s["cpu_guarantee"],
                           (NODE["mem_gb"] - NODE_RESERVED["mem_gb"]) / g_gb))
        s["classes"][n] = {
            "tljh": None if cores > TLJH_MAX["cpu"] or mem > TLJH_MAX["mem_gb"]
            else {"cpu": max(2, cores), "mem_gb": max(4, mem)},
            "k8s": {"per_node": per_node, "nodes": math.ceil(n / max(1, per_node))},
        }
    return s


def load_note(results: dict) -> str:
    """How busy the machine was: other work makes every number here a lower bound."""
    cpus = results["machine"]["cpus"]
    loads = [r["load_during"].get("mean", 0) for r in results["runs"]]
    lo, hi = min(loads, default=0), max(loads, default=0)
    note = f"load average during the runs {lo:.1f}–{hi:.1f} on {cpus} cores"
    before = [r["load_before"][0] for r in results["runs"]]
    start = results["machine"].get("load_at_start", [0])[0]
    if before:
        # each run begins while the previous one's 1-minute load average decays
        note += (f"; {min(before):.1f}–{max(before):.1f} as each run began and {start:.1f} when "
                 "the benchmark started")
    if start > 0.5 * cpus:
        note += ": the machine was not idle when it started, so learners per core are lower bounds"
    return note


def sizing_block(results: dict) -> str:
    cap, s = capacity(results), sizing(results)
    m = results["machine"]
    lines = [BEGIN,
             f"Measured by `make bench-hub` on {m['cpus']} cores / {m['mem_gb']} GB, {results['when'][:10]} "
             f"(lesson `{results['notebook']}`, {results['settings']['moves']} slider moves per learner; "
             f"{load_note(results)}). Learners per core: the most "
             f"learners whose slider redraw stayed under {results['settings']['p95_ms']:.0f} ms (p95, as "
             "the browser receives it), divided by the cores; per GB: 1 GB over a learner's peak "
             "memory (server + kernel).", "",
             "| scenario | learners OK here | learners per core | learners per GB "
             "| peak / idle memory per learner |",
             "|---|---|---|---|---|"]
    names = {"staggered": "staggered arrivals", "together": "everyone presses Run All together",
             "training": "together, one learner training lesson 05"}
    for sc, c in cap.items():
        at_least = "" if c["limit_reached"] else "≥ "
        lines.append(f"| {names[sc]} | {at_least}{c['n_ok']} | {at_least}{c['per_core']:.1f} | "
                     f"{c['per_gb']:.1f} | {c['peak_mb']:.0f} MB / {c['idle_mb']:.0f} MB |")
    lines += ["", f"Per learner (both deployments): memory guarantee **{s['mem_guarantee']}**, limit "
              f"**{s['mem_limit']}**; CPU guarantee **{s['cpu_guarantee']}**, limit **{s['cpu_limit']}** "
              "(one torch thread per kernel).", "",
              f"| class | The Littlest JupyterHub (one server) | Zero to JupyterHub ({NODE['cpu']} vCPU / "
              f"{NODE['mem_gb']} GB nodes) |", "|---|---|---|"]
    for n, c in s["classes"].items():
        t = c["tljh"]
        tljh = f"{t['cpu']} cores, {t['mem_gb']} GB RAM" if t else "too large for one server: use Kubernetes"
        lines.append(f"| {n} learners | {tljh} | {c['k8s']['nodes']} user nodes ({c['k8s']['per_node']} "
                     "learners each) + 1 core node for the hub |")
    fits = s["mem_limit"]
    lines += ["", f"**mybinder.org**: at most {BINDER['users']} concurrent users per repository, "
              f"{BINDER['mem_gb'][0]}–{BINDER['mem_gb'][1]} GB RAM each, no saved work, sessions end "
              f"when idle; a learner peaks at {max(c['peak_mb'] for c in cap.values()):.0f} MB here (limit "
              f"set to {fits}), so Binder suits a class of up to about {BINDER['users']} for a "
              "short session, not a course over days.", END]
    return "\n".join(lines)


def results_section(results: dict) -> str:
    m = results["machine"]
    lines = [RBEGIN, "## Class load test (JupyterHub, `make bench-hub`)", "",
             f"{results['when']}, {m['cpus']} cores / {m['mem_gb']} GB, load average at start "
             f"{m['load_at_start']}; lesson `{results['notebook']}`, "
             f"{results['settings']['moves']} slider moves per learner every "
             f"~{results['settings']['pace_s']} s, "
             f"staggered arrivals over {results['settings']['stagger_s']:.0f} s; "
             f"total {results['total_s']:.0f} s. Stopped: {results['stopped']}.", "",
             "| N | scenario | server start p50/max s | Run All p50/max s | slider p50/p95 ms | "
             "memory idle p50 / peak max MB | hub / proxy CPU % | load avg (before → during) | errors |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results["runs"]:
        f = lambda d, a, b, k=1: f"{d.get(a, 0):.{k}f} / {d.get(b, 0):.{k}f}"  # noqa: E731
        lines.append(
            f"| {r['n']} | {r['scenario']} | {f(r['server_start_s'], 'p50', 'max')} | "
            f"{f(r['notebook_run_s'], 'p50', 'max')} | {f(r['slider_ms'], 'p50', 'p95', 0)} | "
            f"{r['mem_idle_mb'].get('p50', 0):.0f} / {r['mem_peak_mb'].get('max', 0):.0f} | "
            f"{r['hub_cpu_pct']} / {r['proxy_cpu_pct']} | {r['load_before'][0]} → "
            f"{r['load_during'].get('mean', 0):.1f} | {len(r['errors'])} |")
    for r in results["runs"]:
        if r.get("training_run_s"):
            lines.append(f"- N={r['n']} training: lesson 05 (training live, one thread) ran in "
                         f"{r['training_run_s']:.0f} s while the other {r['n'] - 1} learners' slider "
                         f"redraws had p50 {r['slider_ms'].get('p50', 0):.0f} ms, p95 "
                         f"{r['slider_ms'].get('p95', 0):.0f} ms.")
    lines += ["", "Memory is the resident set of a learner's server and kernel (shared libraries "
              "counted in each). The sizing drawn from this is in deploy/README.md.", REND]
    return "\n".join(lines)


def deploy_values(results: dict) -> dict:
    s = sizing(results)
    return {"mem_guarantee": s["mem_guarantee"], "mem_limit": s["mem_limit"],
            "cpu_guarantee": str(s["cpu_guarantee"]), "cpu_limit": str(s["cpu_limit"])}


SIZING_LINE = re.compile(r"^(?P<pre>.*?)(?P<val>[\w.]+)(?P<post>\"?\s*# sizing: (?P<key>\w+))$", re.M)


def render_deploy(text: str, values: dict) -> str:
    def sub(m):
        if m["key"] not in values:
            raise KeyError(f"unknown sizing key {m['key']!r}")
        return m["pre"] + values[m["key"]] + m["post"]
    return SIZING_LINE.sub(sub, text)


def outputs(results: dict) -> dict[Path, str]:
    """Every file this renders, with the content it should have."""
    out = {HUB_README: replace_block(HUB_README.read_text(), BEGIN, END, sizing_block(results),
                                     append=False)}
    md = RESULTS_MD.read_text() if RESULTS_MD.exists() else ""
    out[RESULTS_MD] = replace_block(md, RBEGIN, REND, results_section(results))
    values = deploy_values(results)
    for p in DEPLOY:
        out[p] = render_deploy(p.read_text(), values)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", type=Path, default=RESULTS)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    results = json.loads(args.results.read_text())
    stale = []
    for path, text in outputs(results).items():
        if (path.read_text() if path.exists() else "") != text:
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.write_text(text)
    if args.check and stale:
        print("out of date with", args.results, ":", ", ".join(map(str, stale)), file=sys.stderr)
        return 1
    done = ", ".join(map(str, stale)) or "nothing"
    print(("up to date: " if args.check or not stale else "wrote: ") + done)
    return 0


if __name__ == "__main__":
    sys.exit(main())
