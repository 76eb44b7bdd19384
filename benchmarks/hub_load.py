"""The class load test: ``make bench-hub`` writes benchmarks/hub_results.json, then renders it.

A real JupyterHub (the config ``make hub`` runs, on loopback ports) and N simulated learners,
each a thread driving the hub and its own single-user server the way a browser does
(``tools/hubclient.py`` and its ``tools/kernelclient.py``): log in (a password of their own,
set at first login; run as root, each learner is a system user of its own, as ``make hub`` as
root does), start the server, open the nbgitpuller link (the course pulled into the learner's
home), open lesson 01 (contents API + a kernel session), run every cell over the kernel
websocket (Run All), then move the lesson's sliders at a human pace through the widget comm
protocol, timing each redraw of the explorer's picture as the client receives it. Three
scenarios per N, each stopped separately when it reaches a limit:

* ``staggered``: learners arrive spread over ``--stagger-s`` seconds, each going on at once;
* ``together``: everyone logs in and gets a server, then everyone presses Run All at the
  same moment, then everyone moves sliders at the same time;
* ``training``: as ``together``, but one learner runs lesson 05 instead, which trains its
  CNN and ViT live (a fresh home, an empty cache; the hub is started with WORKSHOP_TRAIN_LIVE=1,
  a learner who trains anyway), while the others run lesson 01 and move
  its sliders: does one training kernel starve the others' sliders?

Measured per N and scenario: server start time, notebook run time, slider redraw p50/p95
seen by the client, memory per learner (resident set of the learner's server and kernel,
idle at the end and peak), the hub's and the proxy's CPU, the machine's load average and
available memory while it ran (other work on the machine disturbs the numbers: the load
average before the run is recorded too). N grows (``--sizes``) until the slider p95 passes
``--p95-ms`` (150 ms), a learner fails, memory runs short (``--reserve-gb``), or the time
budget (``--budget-s``, 20 minutes by default) would be exceeded; the test then stops by
itself. Then ``benchmarks/hub_sizing.py`` renders deploy/README.md's sizing tables, the hub
section of RESULTS.md and the numbers of the deployment files from the results.

    python -m benchmarks.hub_load [--sizes 2,4,8,...] [--scenarios staggered,together,training]
        [--moves 20] [--pace-s 0.6] [--stagger-s 60] [--budget-s 1200]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import psutil

from benchmarks import hub_sizing
from tools import ROOT, hubclient
from workshop_utils import course

OUT_JSON = ROOT / "benchmarks" / "hub_results.json"
DEFAULT_SIZES = "2,4,8,12,16,24,32,48,64"
NOTEBOOK_01 = "01_input_to_tensor.ipynb"
TRAINING_NOTEBOOK = "05_cnn_vs_vit.ipynb"


def pct(xs, q):
    if not xs:
        return None
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


class Sampler(threading.Thread):
    """Every second: each learner's resident memory (server + kernels), the hub's and the
    proxy's CPU time, the load average, the machine's available memory."""

    def __init__(self, hub_pid: int, every: float = 1.0):
        super().__init__(daemon=True)
        self.hub = psutil.Process(hub_pid)
        self.every, self.stop_evt = every, threading.Event()
        self.peak: dict[str, int] = {}
        self.load, self.avail = [], []
        self.lock = threading.Lock()

    def proxy(self):
        for p in self.hub.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if "configurable-http-proxy" in " ".join(p.cmdline()):
                    return p
        return None

    def per_learner(self) -> dict[str, int]:
        out = {}
        for p in self.hub.children(recursive=False):
            with contextlib.suppress(psutil.Error):
                user = p.environ().get("JUPYTERHUB_USER")
                if not user:
                    continue
                rss = p.memory_info().rss
                for k in p.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        rss += k.memory_info().rss
                out[user] = rss
        return out

    def cpu(self) -> dict[str, float]:
        t = {"hub": sum(self.hub.cpu_times()[:2])}
        px = self.proxy()
        t["proxy"] = sum(px.cpu_times()[:2]) if px else 0.0
        return t

    def run(self):
        while not self.stop_evt.wait(self.every):
            mem = self.per_learner()
            with self.lock:
                for u, rss in mem.items():
                    self.peak[u] = max(self.peak.get(u, 0), rss)
                self.load.append(os.getloadavg()[0])
                self.avail.append(psutil.virtual_memory().available)


def _passable(folder: Path) -> Path:
    """As root the learners are system users of their own: they must pass the hub's folder."""
    folder.chmod(0o711)
    return folder


def learner_run(hub, name, link, args, gate, start_delay, out, together: threading.Barrier | None,
                scenario: str = "staggered", trainer: bool = False):
    """One learner's whole visit; fills ``out``. ``trainer``: runs lesson 05 (training its models
    live on an empty cache) and moves no slider, while the others move theirs."""
    rng = random.Random(name)
    try:
        time.sleep(start_delay)
        lr = hubclient.Learner(hub, name)
        lr.login()
        out["start_s"] = lr.start_server()
        pulled = lr.pull_course(link)
        nb, kernel = lr.open_notebook(pulled["urlpath"].removeprefix("lab/tree/"))
        try:
            if together:
                together.wait(timeout=900)  # everyone presses Run All at once
            if trainer:
                out["train_run_s"] = kernel.run_notebook(nb, timeout=1800)
                gate.wait(timeout=1800)
                gate.wait(timeout=900)
                return
            out["run_s"] = kernel.run_notebook(nb)
            if together and scenario == "together":
                together.wait(timeout=900)  # and then everyone plays with the sliders
            sliders = kernel.sliders()
            if not sliders:
                raise RuntimeError("the lesson has no slider explorer to move")
            lat = []
            for _ in range(args.moves):
                cid, st, images = rng.choice(sliders)
                v = rng.uniform(st["min"], st["max"])
                v = int(round(v)) if st["_model_name"] == "IntSliderModel" else round(v, 4)
                lat.append(kernel.move_slider(cid, v, images))
                time.sleep(args.pace_s * rng.uniform(0.5, 1.5))  # a person looks, then moves again
            out["slider_s"] = lat
            gate.wait(timeout=900)  # all done: hold the kernel while the idle memory is read
            gate.wait(timeout=900)
        finally:
            kernel.close()
    except BaseException as exc:  # noqa: BLE001 - recorded, the run goes on and reports it
        out["error"] = f"{type(exc).__name__}: {exc}"
        for barrier in (gate, together):
            with contextlib.suppress(Exception):
                barrier.abort()


def run_phase(hub, n: int, scenario: str, args, link: str, hub_pid: int) -> dict:
    names = [f"{scenario[:3]}{n}-{i:03d}" for i in range(n)]
    outs = {nm: {} for nm in names}
    gate = threading.Barrier(n + 1)
    together = threading.Barrier(n) if scenario in ("together", "training") else None
    delays = [args.stagger_s * i / max(1, n) for i in range(n)] if scenario == "staggered" else [0.0] * n
    links = [link] * n
    if scenario == "training":  # one learner trains lesson 05's models while the others slide
        links[0] = link.replace(quote(NOTEBOOK_01, safe=""), quote(TRAINING_NOTEBOOK, safe=""))
    sampler = Sampler(hub_pid)
    load_before = os.getloadavg()
    cpu0, t0 = sampler.cpu(), time.monotonic()
    sampler.start()
    threads = [threading.Thread(target=learner_run, args=(hub, nm, lk, args, gate, d, outs[nm], together),
                                kwargs={"scenario": scenario, "trainer": scenario == "training" and i == 0})
               for i, (nm, d, lk) in enumerate(zip(names, delays, links))]
    for t in threads:
        t.start()
    idle = {}
    try:
        gate.wait(timeout=args.stagger_s + 3600)
        time.sleep(3)  # every learner is done and idle: what an idle learner holds
        idle = sampler.per_learner()
        gate.wait(timeout=60)
    except threading.BrokenBarrierError:
        pass
    for t in threads:
        t.join(timeout=120)
    wall = time.monotonic() - t0
    cpu1 = sampler.cpu()
    sampler.stop_evt.set()
    sampler.join()
    for nm in names:  # the room empties: stop every server before the next run
        hubclient.Learner(hub, nm).stop_server()
        with contextlib.suppress(Exception):
            hub.admin(f"/users/{nm}", "DELETE")
    errors = {nm: o["error"] for nm, o in outs.items() if "error" in o}
    lat = [x * 1000 for o in outs.values() for x in o.get("slider_s", [])]
    mb = 1 / 2**20
    res = {
        "n": n, "scenario": scenario, "wall_s": round(wall, 1), "errors": errors,
        "server_start_s": summary([o["start_s"] for o in outs.values() if "start_s" in o]),
        "notebook_run_s": summary([o["run_s"] for o in outs.values() if "run_s" in o]),
        "slider_ms": summary(lat) | {"moves": len(lat)},
        "training_run_s": next((o["train_run_s"] for o in outs.values() if "train_run_s" in o), None),
        "mem_idle_mb": summary([v * mb for v in idle.values()]),
        "mem_peak_mb": summary([v * mb for v in sampler.peak.values()]),
        "hub_cpu_pct": round(100 * (cpu1["hub"] - cpu0["hub"]) / wall, 1),
        "proxy_cpu_pct": round(100 * (cpu1["proxy"] - cpu0["proxy"]) / wall, 1),
        "hub_rss_mb": round(psutil.Process(hub_pid).memory_info().rss * mb),
        "load_before": [round(x, 2) for x in load_before],
        "load_during": summary(sampler.load),
        "available_gb_min": round(min(sampler.avail, default=psutil.virtual_memory().available) / 2**30, 2),
    }
    return res


def summary(xs):
    if not xs:
        return {"n": 0}
    return {"n": len(xs), "p50": round(pct(xs, 0.5), 3), "p95": round(pct(xs, 0.95), 3),
            "max": round(max(xs), 3), "mean": round(statistics.fmean(xs), 3)}


def machine() -> dict:
    return {"cpus": os.cpu_count(), "mem_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_at_start": [round(x, 2) for x in os.getloadavg()]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help="learner counts to try, in order")
    ap.add_argument("--scenarios", default="staggered,together,training")
    ap.add_argument("--moves", type=int, default=20, help="slider moves per learner")
    ap.add_argument("--pace-s", type=float, default=0.6, help="mean pause between a learner's moves")
    ap.add_argument("--stagger-s", type=float, default=60, help="staggered: arrivals spread over this")
    ap.add_argument("--p95-ms", type=float, default=150.0, help="stop when the slider p95 passes this")
    ap.add_argument("--reserve-gb", type=float, default=2.0, help="stop when less memory than this is left")
    ap.add_argument("--budget-s", type=float, default=1200, help="stop before the run would take longer")
    ap.add_argument("--node-modules", type=Path, default=ROOT / ".hub" / "node_modules")
    ap.add_argument("--out", type=Path, default=OUT_JSON)
    ap.add_argument("--no-render", action="store_true", help="do not render deploy/README.md, RESULTS.md, "
                    "the deploy files")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    bad = set(scenarios) - {"staggered", "together", "training"}
    if bad or not sizes or min(sizes) < 1:
        ap.error(f"scenarios: staggered, together, training (got {sorted(bad)}); sizes: positive integers")
    notebook = NOTEBOOK_01

    # stopped from outside (timeout, kill): leave through the finally blocks, which stop the hub
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    t_start = time.monotonic()
    results = {"when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "machine": machine(), "settings": {k: (str(v) if isinstance(v, Path) else v)
                                                  for k, v in vars(args).items()},
               "notebook": notebook, "runs": [], "stopped": None}
    with tempfile.TemporaryDirectory(prefix="course-hub-load-", dir="/tmp") as tmp, \
            hubclient.start_hub(sys.executable, _passable(Path(tmp)) / "hub", args.node_modules,
                                # on a hub lesson 05 loads shipped weights; the trainer of the
                                # "training" scenario is a learner who trains anyway (RETRAIN)
                                extra_env={"WORKSHOP_TRAIN_LIVE": "1"}) as hub:
        link = course.hub_link(hub.url, repo=(hub.folder / "deep-learning-workshop").as_uri(),
                               notebook=notebook)  # the release branch, as the class link
        last, active, ended = {}, list(scenarios), []
        for n in sizes:
            for sc in list(active):
                if sc == "training" and n < 2:
                    continue
                elapsed = time.monotonic() - t_start
                # the next run's length, from this scenario's last one (runs grow about with N),
                # else from the longest run so far
                prev = last.get(sc) or max(results["runs"], key=lambda r: r["wall_s"], default={})
                guess = 1.25 * prev.get("wall_s", 0) * n / max(1, prev.get("n", n)) \
                    + (args.stagger_s if sc == "staggered" and sc not in last else 0)
                if elapsed + guess > args.budget_s:
                    ended.append(f"{sc}: time budget (N={n} would end after {args.budget_s:.0f} s)")
                    active.remove(sc)
                    continue
                print(f"[hub-load] N={n} {sc} …", flush=True)
                res = run_phase(hub, n, sc, args, link, hub.proc.pid)
                last[sc] = res
                results["runs"].append(res)
                print(f"[hub-load] N={n} {sc}: slider p95 {res['slider_ms'].get('p95')} ms, run "
                      f"{res['notebook_run_s'].get('p50')} s, start {res['server_start_s'].get('p50')} s, "
                      f"peak {res['mem_peak_mb'].get('max')} MB, load {res['load_during'].get('mean')}, "
                      f"errors {len(res['errors'])}", flush=True)
                why = None
                if res["errors"]:
                    why = f"learners failed at N={n}: {next(iter(res['errors'].values()))}"
                elif (res["slider_ms"].get("p95") or 0) > args.p95_ms:
                    why = f"slider p95 passed {args.p95_ms:.0f} ms at N={n}"
                elif res["available_gb_min"] < args.reserve_gb:
                    why = f"less than {args.reserve_gb} GB of memory left at N={n}"
                if why:
                    ended.append(f"{sc}: {why}")
                    active.remove(sc)
            if not active:
                break
        ended += [f"{sc}: every size in --sizes ran (largest N={sizes[-1]})" for sc in active]
        results["stopped"] = "; ".join(ended)
    results["total_s"] = round(time.monotonic() - t_start, 1)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"[hub-load] wrote {args.out} ({results['total_s']} s): stopped: {results['stopped']}")
    if not args.no_render:
        hub_sizing.main(["--results", str(args.out)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
