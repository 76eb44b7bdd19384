"""The class pulse under a room's load (``make bench-pulse``): post latency and dashboard staleness.

    python -m benchmarks.pulse_load                          # 300 learners, 120 s (make bench-pulse)
    python -m benchmarks.pulse_load --learners 30 --seconds 10 --no-write   # the smoke test

Starts the service as ``make pulse`` does (``python -m workshop_utils.pulse``, 127.0.0.1, a
free port, a room code) and simulates a room, loopback only, bounded in count and time; it
stops by itself and stops the service.

The room: ``--learners`` kernels (300). Each posts one verdict every 20-60 s (uniform, a
learner re-running a checker while working on an exercise; the pace of a room doing an
exercise), as its own new connection with a 0.5 s timeout -- what the course's client
(``workshop_utils/pulse/client.py``, urllib from a kernel's thread) does. Halfway through,
the checkpoint rush: the instructor says "run the checker now" and every learner posts once
within ``--burst-s`` (10 s), on top of the steady pace. ``--speed`` compresses time (2: every
learner twice as fast), to reach a day's rate in a short run; the default, 1, is the real pace.

The instructor: one dashboard, polling ``api/state`` once a second as the page does.
Measured: each post's latency (connect to response, client side), the state endpoint's
latency and size, and the dashboard's staleness: for each post, the time from its response
to the first dashboard poll that includes it (``seq``), which is what the instructor waits
to see a verdict. Targets: p95 ≤ 50 ms per post, the dashboard current within 2 s.

Writes ``benchmarks/pulse_results.json`` and the section between ``<!-- pulse-load:begin -->``
and ``<!-- pulse-load:end -->`` of ``benchmarks/RESULTS.md`` (with ``--no-write``: prints only).
The machine's load average is recorded; a busy machine is said to be one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time

from tools import ROOT
from tools.mdblock import write_block

RESULTS_JSON = ROOT / "benchmarks" / "pulse_results.json"
RESULTS_MD = ROOT / "benchmarks" / "RESULTS.md"
BEGIN, END = "<!-- pulse-load:begin -->", "<!-- pulse-load:end -->"
TARGET_P95_MS, TARGET_STALE_S = 50.0, 2.0
POST_TIMEOUT = 0.5  # the client's timeout
POLL_S = 1.0  # the dashboard's poll


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(xs, q):
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q / 100 * (len(xs) - 1))))]


async def http(
    port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None, timeout: float = 5.0
) -> tuple[int, dict, bytes]:
    """One request on a new connection (Connection: close), as urllib sends it."""

    async def go():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            head = [
                f"{method} {path} HTTP/1.1",
                f"Host: 127.0.0.1:{port}",
                "Connection: close",
                f"Content-Length: {len(body)}",
            ] + [f"{k}: {v}" for k, v in (headers or {}).items()]
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            await writer.drain()
            data = await reader.read()
        finally:
            writer.close()
        top, _, rest = data.partition(b"\r\n\r\n")
        lines = top.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        hdrs = {ln.split(":", 1)[0].lower(): ln.split(":", 1)[1].strip() for ln in lines[1:] if ":" in ln}
        return status, hdrs, rest

    return await asyncio.wait_for(go(), timeout)


def verdicts(catalog: dict):
    """Realistic verdicts: exercises of two lessons, 30 % passes, mistakes from the tables."""
    pool = [
        ex for lesson in catalog["lessons"] if lesson["num"] in ("04", "06") for ex in lesson["exercises"]
    ]

    def one(who: str) -> dict:
        ex = random.choice(pool)
        ok = random.random() < 0.3
        code = "ok" if ok else random.choice(sorted(ex["mistakes"]) or ["values"])
        return {
            "exercise": ex["checker"],
            "ok": ok,
            "code": code,
            "ts": round(time.time(), 3),
            "pseudonym": who,
        }

    return one


async def room(
    port: int,
    room_code: str,
    key: str,
    learners: int,
    seconds: float,
    speed: float,
    burst_s: float,
    catalog: dict,
) -> dict:
    make = verdicts(catalog)
    posts, errors = [], {}  # posts: (t_done, seq, latency_s)
    polls, state_lat, state_size = [], [], []  # polls: (t_received, seq)
    headers = {"Content-Type": "application/json", "Authorization": f"token {room_code}"}
    t_start = time.monotonic()
    t_end = t_start + seconds
    burst_at = t_start + seconds / 2 - burst_s / 2

    async def post(who: str):
        body = json.dumps(make(who)).encode()
        t0 = time.monotonic()
        try:
            status, _h, rest = await http(port, "POST", "/api/verdicts", body, headers, timeout=POST_TIMEOUT)
        except (asyncio.TimeoutError, OSError) as exc:
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            return
        t1 = time.monotonic()
        if status != 201:
            errors[f"HTTP {status}"] = errors.get(f"HTTP {status}", 0) + 1
            return
        posts.append((t1, json.loads(rest)["seq"], t1 - t0))

    async def learner(i: int):
        who = f"load-{i:03d}"
        rng = random.Random(i)
        # a first verdict somewhere in the first interval, then every 20-60 s (compressed by speed)
        next_t = t_start + rng.uniform(0, 20) / speed
        burst_t = burst_at + rng.uniform(0, burst_s)
        tasks = []
        while True:
            t = min(next_t, burst_t if burst_t is not None else next_t)
            if t >= t_end:
                break
            await asyncio.sleep(max(0.0, t - time.monotonic()))
            tasks.append(asyncio.ensure_future(post(who)))  # a slow post never delays the next
            if burst_t is not None and t == burst_t:
                burst_t = None
            else:
                next_t += rng.uniform(20, 60) / speed
        await asyncio.gather(*tasks)

    async def dashboard(cookie: str):
        while time.monotonic() < t_end + 3 * POLL_S:
            t0 = time.monotonic()
            try:
                status, _h, body = await http(
                    port, "GET", "/api/state", headers={"Cookie": cookie}, timeout=5
                )
                t1 = time.monotonic()
                if status == 200:
                    polls.append((t1, json.loads(body)["seq"]))
                    state_lat.append(t1 - t0)
                    state_size.append(len(body))
                else:
                    errors[f"state HTTP {status}"] = errors.get(f"state HTTP {status}", 0) + 1
            except (asyncio.TimeoutError, OSError) as exc:
                errors[f"state {type(exc).__name__}"] = errors.get(f"state {type(exc).__name__}", 0) + 1
            await asyncio.sleep(max(0.0, POLL_S - (time.monotonic() - t0)))

    status, hdrs, _ = await http(port, "GET", f"/?key={key}")
    cookie = hdrs.get("set-cookie", "").split(";")[0]
    if status != 302 or not cookie:
        raise RuntimeError(f"the dashboard key was refused (HTTP {status})")
    await asyncio.gather(dashboard(cookie), *(learner(i) for i in range(learners)))
    stale, unseen = [], 0
    for t_done, seq, _lat in posts:
        seen = next((t for t, s in polls if t >= t_done and s >= seq), None)
        if seen is None:
            unseen += 1
        else:
            stale.append(seen - t_done)
    lat_ms = [p[2] * 1000 for p in posts]
    duration = time.monotonic() - t_start
    return {
        "posts": len(posts),
        "errors": errors,
        "duration_s": round(duration, 1),
        "rate_per_s": round(len(posts) / duration, 2),
        "post_ms": {
            "p50": pct(lat_ms, 50),
            "p95": pct(lat_ms, 95),
            "p99": pct(lat_ms, 99),
            "max": max(lat_ms, default=None),
            "mean": statistics.fmean(lat_ms) if lat_ms else None,
        },
        "stale_s": {
            "p50": pct(stale, 50),
            "p95": pct(stale, 95),
            "max": max(stale, default=None),
            "never_seen": unseen,
        },
        "state_ms": {
            "p50": pct([x * 1000 for x in state_lat], 50),
            "p95": pct([x * 1000 for x in state_lat], 95),
        },
        "state_bytes": max(state_size, default=0),
        "polls": len(polls),
    }


def run(learners: int, seconds: float, speed: float, burst_s: float) -> dict:
    from tools.procs import stop_group, wait_until_up
    from workshop_utils.pulse.server import load_catalog

    code, key = "LOAD-" + secrets.token_hex(3).upper(), secrets.token_urlsafe(12)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    import tempfile
    import urllib.error
    import urllib.request

    load_start = os.getloadavg()
    for attempt in range(3):  # a free port can be taken by another process before the service binds it
        port = _free_port()
        log = tempfile.TemporaryFile("w+")  # the service's output, shown if it fails to start
        proc = subprocess.Popen(
            [sys.executable, "-m", "workshop_utils.pulse", "--port", str(port), "--room", code, "--key", key],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )

        def up():
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/ping", timeout=2)  # noqa: B023
            except urllib.error.HTTPError as exc:
                return exc.code == 401
            return False

        def tail():
            log.seek(0)  # noqa: B023
            return log.read()[-3000:]  # noqa: B023

        try:
            wait_until_up(proc, up, 60, "the pulse service", tail)
            break
        except RuntimeError:
            stop_group(proc, 20)
            if attempt == 2 or "cannot listen" not in tail():
                log.close()
                raise
            log.close()
    try:
        random.seed(0)
        out = asyncio.run(room(port, code, key, learners, seconds, speed, burst_s, load_catalog()))
        out["service_alive"] = proc.poll() is None
    finally:
        stop_group(proc, 20)
        log.close()
    out.update(
        {
            "learners": learners,
            "seconds": seconds,
            "speed": speed,
            "burst_s": burst_s,
            "interval_s": [20 / speed, 60 / speed],
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "python": sys.version.split()[0],
                "loadavg_start": [round(x, 2) for x in load_start],
                "loadavg_end": [round(x, 2) for x in os.getloadavg()],
            },
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "targets": {"post_p95_ms": TARGET_P95_MS, "stale_s": TARGET_STALE_S},
        }
    )
    out["met"] = {
        "post_p95": out["post_ms"]["p95"] is not None and out["post_ms"]["p95"] <= TARGET_P95_MS,
        "stale": out["stale_s"]["max"] is not None
        and out["stale_s"]["max"] <= TARGET_STALE_S
        and out["stale_s"]["never_seen"] == 0,
    }
    return out


def section(r: dict) -> str:
    m = r["machine"]
    busy = m["loadavg_start"][0] > 0.5 * m["cpus"]
    f = lambda x, d=1: "–" if x is None else f"{x:.{d}f}"  # noqa: E731
    lines = [
        BEGIN,
        "## Class pulse under a room's load (`make bench-pulse`)",
        "",
        f"`benchmarks/pulse_load.py` ({r['when']}): the pulse service (`python -m workshop_utils.pulse`, "
        f"127.0.0.1) with {r['learners']} simulated learners, each posting one verdict every "
        f"{f(r['interval_s'][0], 0)}–{f(r['interval_s'][1], 0)} s on a new connection (the course's client), "
        f"and a checkpoint rush halfway (every learner once within {f(r['burst_s'], 0)} s); one dashboard "
        f"polling `api/state` every {POLL_S:.0f} s as the page does; {f(r['duration_s'], 0)} s in all. "
        f"Machine: {m['cpus']} CPUs, Python {m['python']}, load average {m['loadavg_start'][0]:.1f} at the "
        f"start, {m['loadavg_end'][0]:.1f} at the end"
        + (
            " — **a busy machine** (other jobs were running): these numbers are an upper bound."
            if busy
            else "."
        ),
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| posts accepted | {r['posts']} ({r['rate_per_s']:.1f}/s) | |",
        f"| failed posts | {sum(r['errors'].values())} {json.dumps(r['errors']) if r['errors'] else ''} "
        "| 0 |",
        f"| post latency p50 / p95 / max (ms) | {f(r['post_ms']['p50'])} / **{f(r['post_ms']['p95'])}** / "
        f"{f(r['post_ms']['max'])} | p95 ≤ {TARGET_P95_MS:.0f} |",
        f"| dashboard staleness p50 / p95 / max (s) | {f(r['stale_s']['p50'], 2)} / "
        f"{f(r['stale_s']['p95'], 2)} / **{f(r['stale_s']['max'], 2)}** | ≤ {TARGET_STALE_S:.0f} |",
        f"| `api/state` latency p50 / p95 (ms), size | {f(r['state_ms']['p50'])} / "
        f"{f(r['state_ms']['p95'])}, "
        f"{r['state_bytes'] / 1024:.0f} KiB | |",
        "",
        "Staleness: from a post's response to the first dashboard poll that includes it (so at most the "
        "poll interval plus the state's latency). "
        + (
            "Both targets met."
            if all(r["met"].values())
            else "Missed: " + ", ".join(k for k, v in r["met"].items() if not v) + "."
        ),
        END,
    ]
    return "\n".join(lines) + "\n"


def write(r: dict) -> None:
    RESULTS_JSON.write_text(json.dumps(r, indent=1, sort_keys=True) + "\n")
    write_block(RESULTS_MD, BEGIN, END, section(r).rstrip("\n"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--learners", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--speed", type=float, default=1.0, help="time compression of the learners' pace")
    ap.add_argument("--burst-s", type=float, default=10.0, help="the checkpoint rush's length")
    ap.add_argument("--no-write", action="store_true", help="print the results only")
    args = ap.parse_args(argv)
    if not (1 <= args.learners <= 2000 and 1 <= args.seconds <= 1800 and 0.1 <= args.speed <= 60):
        ap.error("bounded: 1-2000 learners, 1-1800 s, speed 0.1-60")
    r = run(args.learners, args.seconds, args.speed, min(args.burst_s, args.seconds / 2))
    print(section(r))
    if not args.no_write:
        write(r)
        print(
            f"wrote {RESULTS_JSON.relative_to(ROOT)} and the pulse section of {RESULTS_MD.relative_to(ROOT)}"
        )
    return 0 if all(r["met"].values()) and not r["errors"] and r["service_alive"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
