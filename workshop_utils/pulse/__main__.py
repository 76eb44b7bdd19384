"""Run the class pulse service.

    python -m workshop_utils.pulse                 # a room of laptops, on 127.0.0.1 (make pulse)
    python -m workshop_utils.pulse --lan           # ... on this machine's LAN address, for the room
    python -m workshop_utils.pulse --hub           # as a JupyterHub service (the hub starts it)

A room: prints, once, the line learners set (``WORKSHOP_PULSE=http://host:port#ROOMCODE``)
and the instructor's dashboard link (with a key of its own; after the first visit the key
leaves the address bar). Everything stays in memory; ``--csv-at-exit FILE`` writes the
day's verdicts when the service stops (Ctrl-C), else the dashboard's "Export CSV" link is
the only way out. On a hub: address, prefix and credentials come from JupyterHub's
environment (``JUPYTERHUB_SERVICE_URL``, ``JUPYTERHUB_SERVICE_PREFIX``, ``JUPYTERHUB_API_TOKEN``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import signal
import socket
import sys
import urllib.parse
from pathlib import Path

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a projector


def room_code() -> str:
    s = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{s[:4]}-{s[4:]}"


def lan_address() -> str:
    """This machine's address on the network its default route uses (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="python -m workshop_utils.pulse", description=__doc__.splitlines()[0])
    ap.add_argument("--host", default=None, help="address to bind (default 127.0.0.1; --lan for the room)")
    ap.add_argument("--lan", action="store_true", help="bind to this machine's LAN address")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--room", default=os.environ.get("PULSE_ROOM_CODE"),
                    help="the room code (default: a new random one, printed once)")
    ap.add_argument("--key", default=os.environ.get("PULSE_DASHBOARD_KEY"),
                    help="the dashboard key (default: a new random one, in the printed link)")
    ap.add_argument("--stuck-after", type=int, default=3, help="tries without passing that count as stuck")
    ap.add_argument("--csv-at-exit", type=Path, default=None, help="write every verdict to this CSV on exit")
    ap.add_argument("--hub", action="store_true", help="run as a JupyterHub service")
    args = ap.parse_args(argv)
    if args.stuck_after < 1:
        ap.error("--stuck-after must be at least 1")
    for name in ("room", "key"):
        value = getattr(args, name)
        if value is not None and (len(value) < 6 or any(c.isspace() or c == "#" for c in value)):
            ap.error(f"--{name} needs at least 6 characters, no spaces and no '#'")
    return args


async def serve(args) -> int:
    import tornado.httpserver

    from .server import MAX_BODY, make_app

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s pulse %(levelname)s %(message)s")
    if args.hub:
        service_url = os.environ.get("JUPYTERHUB_SERVICE_URL")
        if not service_url or not os.environ.get("JUPYTERHUB_API_TOKEN"):
            print("--hub: JUPYTERHUB_SERVICE_URL and JUPYTERHUB_API_TOKEN are unset - JupyterHub sets "
                  "them when it starts the service (c.JupyterHub.services)", file=sys.stderr)
            return 2
        u = urllib.parse.urlsplit(service_url)
        host, port = u.hostname, u.port
        prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/pulse/")
        app = make_app("hub", prefix=prefix, stuck_after=args.stuck_after)
    else:
        host = args.host or (lan_address() if args.lan else "127.0.0.1")
        port = args.port
        code, key = args.room or room_code(), args.key or secrets.token_urlsafe(16)
        app = make_app("room", room_code=code, dashboard_key=key, stuck_after=args.stuck_after)
    app.settings["log_function"] = lambda h: (h.get_status() >= 500 and logging.warning(
        "%s %s %s", h.get_status(), h.request.method, h.request.path))
    server = tornado.httpserver.HTTPServer(app, max_body_size=max(MAX_BODY, 64 * 1024), xheaders=args.hub)
    try:
        server.listen(port, address=host)
    except OSError as exc:
        print(f"cannot listen on {host}:{port}: {exc} (another pulse running? pick --port)", file=sys.stderr)
        return 2
    if args.hub:
        print(f"class pulse: JupyterHub service on {host}:{port}{prefix}", flush=True)
    else:
        base = f"http://{host}:{port}"
        local = "" if host != "127.0.0.1" else \
            "\n  (127.0.0.1: only this machine can post; for a room of laptops: make pulse PULSE_ARGS=--lan)"
        print(f"""
  Class pulse: {base}   (in memory only; Ctrl-C stops it{' and writes ' + str(args.csv_at_exit)
                                                         if args.csv_at_exit else ''})
  The dashboard, for you alone (the key leaves the address bar once opened):
    {base}/?key={key}
  Learners opt in with this one line, run in a notebook (or set before starting JupyterLab):
    %env WORKSHOP_PULSE={base}#{code}
  A learner can test it with:  python -m workshop_utils.check --pulse "{base}#{code}"{local}
""", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # Windows: Ctrl-C raises KeyboardInterrupt instead
            pass
    try:
        await stop.wait()
    finally:
        server.stop()
        if args.csv_at_exit:
            args.csv_at_exit.write_text(app.pulse["room"].csv(), encoding="utf-8")
            print(f"class pulse: wrote {app.pulse['room'].seq} verdicts to {args.csv_at_exit}", flush=True)
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(serve(args))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
