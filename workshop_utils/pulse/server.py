"""The class pulse service: the checkers' verdicts in, the instructor's dashboard out.

A tornado application -- the framework JupyterHub and Jupyter Server are built on, already in
every course environment (no new dependency), and the one whose ``HubOAuthenticated`` mixin
and ``HubAuth`` client JupyterHub ships for its own services. Two modes:

* **standalone** (``make pulse``, a room of laptops): posts carry the *room code* printed once
  at the start; the dashboard opens with a separate *dashboard key* (the link printed for the
  instructor), kept afterwards in a signed cookie.
* **hub** (a JupyterHub service, ``--hub`` or when JupyterHub starts it): a kernel posts with
  the token the hub gave its server (``JUPYTERHUB_API_TOKEN``); the service asks the hub's
  API who it is (``GET /hub/api/user``, through ``HubAuth.user_for_token``, which caches the
  answer for five minutes, so 300 learners cost the hub one request each, not one per
  verdict). The name is the hub's, whatever the post says (a post naming someone else is
  refused). The dashboard uses JupyterHub's OAuth for services: only users holding
  ``access:services!service=<name>`` get in -- the hub config grants it to the group
  ``instructors``; admins hold it already.

Endpoints (under the service prefix):
  POST api/verdicts  {"exercise", "ok", "code", "ts", "pseudonym"} -> 201 {"seq": n}
  GET  /             the dashboard (polls api/state every second; no reload)
  GET  table         the same numbers as plain HTML tables (screen readers; no script)
  GET  api/state     the dashboard's JSON
  GET  export.csv    every verdict kept in memory (nothing is written to disk)
  GET  api/ping      200 with a valid room code / token (the setup check's test)

Bad input gets a clear HTTP error and never an exception in the service: a body that is not a
JSON object or breaks the schema 400, no credential 401, a wrong one 403, an exercise the
checkers' registry does not know 404, a body over ``MAX_BODY`` bytes 413, too many learners 429.
"""

from __future__ import annotations

import csv
import hmac
import html
import io
import json
import math
import re
import secrets
import time
from collections import Counter, deque
from pathlib import Path

import tornado.web

HERE = Path(__file__).resolve().parent
CATALOG = HERE / "catalog.json"
MAX_BODY = 2048  # bytes: a verdict is about 120
MAX_LEARNERS = 2000
MAX_LOG = 500_000  # verdicts kept for the CSV export (a day of 300 learners is ~30,000)
FIELDS = {"exercise", "ok", "code", "ts", "pseudonym"}
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,47}$")  # the checkers' codes: "abs", "W_transposed"
NAME = re.compile(r"^[^\x00-\x1f\x7f<>&\"'`]{1,64}$")
POLL_MS = 1000


class VerdictError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def load_catalog(path: Path = CATALOG) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def registry(catalog: dict) -> dict:
    """``{checker: (lesson, exercise)}``: the exercise ids the service accepts."""
    return {ex["checker"]: (lesson, ex) for lesson in catalog["lessons"] for ex in lesson["exercises"]}


def parse_verdict(body: bytes, known: dict) -> dict:
    """The verdict in a POST body, checked field by field; raises :class:`VerdictError`."""
    if len(body) > MAX_BODY:
        raise VerdictError(413, f"the body is {len(body)} bytes; a verdict is at most {MAX_BODY}")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise VerdictError(400, f"the body is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise VerdictError(400, f"the body must be a JSON object, not {type(data).__name__}")
    extra = sorted(set(data) - FIELDS)
    if extra:
        raise VerdictError(400, f"unknown fields {extra}: a verdict holds only {sorted(FIELDS)} "
                                "(never code, values or files)")
    missing = sorted({"exercise", "ok", "code", "ts"} - set(data))
    if missing:
        raise VerdictError(400, f"missing fields {missing}")
    ex, ok, code, ts = data["exercise"], data["ok"], data["code"], data["ts"]
    if not isinstance(ex, str):
        raise VerdictError(400, "exercise must be a string (the checker's name, e.g. 'check_neuron')")
    if ex not in known:
        raise VerdictError(404, f"unknown exercise {ex[:60]!r}: not one of the course's checkers")
    if not isinstance(ok, bool):
        raise VerdictError(400, f"ok must be true or false, not {json.dumps(ok)[:40]}")
    if not isinstance(code, str) or not CODE.match(code):
        raise VerdictError(400, "code must be a checker's mistake code (a letter, then letters, digits "
                                "or _; at most 48)")
    if ok != (code == "ok"):
        raise VerdictError(400, "ok and code disagree: a passed check has code 'ok', a failed one "
                                "another code")
    if isinstance(ts, bool) or not isinstance(ts, (int, float)) or not math.isfinite(ts) or ts <= 0:
        raise VerdictError(400, "ts must be a positive number (seconds since 1970, the kernel's clock)")
    who = data.get("pseudonym")
    if who is not None and (not isinstance(who, str) or not NAME.match(who)):
        raise VerdictError(400, "pseudonym must be a string of 1 to 64 characters without <>&\"'` or "
                                "control characters")
    return {"exercise": ex, "ok": ok, "code": code, "ts": float(ts), "pseudonym": who}


# --------------------------------------------------------------------------------- the room
class Room:
    """Every verdict of the day in memory, and the dashboard's state computed from them."""

    def __init__(self, catalog: dict, stuck_after: int = 3, clock=time.time):
        self.catalog, self.stuck_after, self.clock = catalog, stuck_after, clock
        self.known = registry(catalog)
        self.attempts: dict[str, dict[str, dict]] = {name: {} for name in self.known}
        self.learners: dict[str, float] = {}
        self.log: deque = deque(maxlen=MAX_LOG)
        self.seq = 0
        self._state = (-1, None)

    def add(self, verdict: dict, who: str) -> int:
        if who not in self.learners and len(self.learners) >= MAX_LEARNERS:
            raise VerdictError(429, f"this room already has {MAX_LEARNERS} learners")
        now = self.clock()
        self.learners[who] = now
        a = self.attempts[verdict["exercise"]].setdefault(
            who, {"tries": 0, "fails": 0, "passed": False, "code": None, "first": now, "last": now})
        a["tries"] += 1
        a["last"] = now
        a["code"] = verdict["code"]
        if verdict["ok"]:
            a["passed"] = True
        else:
            a["fails"] += 1
        self.seq += 1
        self.log.append((self.seq, now, who, verdict["exercise"], verdict["ok"], verdict["code"],
                         verdict["ts"]))
        return self.seq

    def state(self) -> dict:
        """The dashboard's numbers (recomputed only after a new verdict)."""
        if self._state[0] == self.seq:
            return dict(self._state[1], now=self.clock())
        lessons = []
        for lesson in self.catalog["lessons"]:
            exercises, last = [], 0.0
            for ex in lesson["exercises"]:
                tried = self.attempts[ex["checker"]]
                passed = sum(a["passed"] for a in tried.values())
                trying = {w: a for w, a in tried.items() if not a["passed"]}
                stuck = sorted(({"who": w, "fails": a["fails"], "code": a["code"]} for w, a in trying.items()
                                if a["fails"] >= self.stuck_after), key=lambda s: (-s["fails"], s["who"]))
                now_codes = Counter(a["code"] for a in trying.values())
                codes = []
                for code, n in now_codes.most_common(5):
                    note = ex["mistakes"].get(code, {})
                    codes.append({"code": code, "learners": n, "message": note.get("message", ""),
                                  "slips": note.get("slips", [])})
                ex_last = max((a["last"] for a in tried.values()), default=0.0)
                last = max(last, ex_last)
                exercises.append({"checker": ex["checker"], "id": ex["id"], "title": ex["title"],
                                  "checkpoint": ex["checkpoint"], "started": len(tried), "passed": passed,
                                  "stuck": stuck, "codes": codes, "last": ex_last})
            lessons.append({"num": lesson["num"], "title": lesson["title"],
                            "what_to_say": lesson["what_to_say"], "last": last, "exercises": exercises,
                            "checkpoints": [{"id": e["id"], "passed": e["passed"], "started": e["started"]}
                                            for e in exercises if e["checkpoint"]]})
        state = {"seq": self.seq, "learners": len(self.learners), "stuck_after": self.stuck_after,
                 "poll_ms": POLL_MS, "kept": len(self.log), "lessons": lessons}
        self._state = (self.seq, state)
        return dict(state, now=self.clock())

    def csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["seq", "received_utc", "pseudonym", "exercise", "ok", "code", "kernel_ts"])
        for seq, now, who, ex, ok, code, ts in self.log:
            w.writerow([seq, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)), who, ex,
                        int(ok), code, f"{ts:.3f}"])
        return out.getvalue()


# ------------------------------------------------------------------------------ handlers
class Base(tornado.web.RequestHandler):
    def initialize(self, pulse):
        self.pulse = pulse

    @property
    def room(self) -> Room:
        return self.pulse["room"]

    def set_default_headers(self):
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")

    def write_error(self, status_code, **kwargs):
        reason = self._reason
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, tornado.web.HTTPError) and exc.log_message:
            reason = exc.log_message % exc.args if exc.args else exc.log_message
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"status": status_code, "error": reason}))

    def fail(self, status: int, message: str):
        raise tornado.web.HTTPError(status, "%s", message)


class PostBase(Base):
    """The learner's side: a credential (room code, or the server's hub token) checked first."""

    async def identity(self) -> str | None:
        """The hub's name for the token (hub mode), None for a right room code; else 401/403."""
        header = self.request.headers.get("Authorization", "")
        m = re.match(r"(?:token|bearer)\s+(\S+)$", header, re.I)
        if not m:
            self.set_header("WWW-Authenticate", 'token realm="pulse"')
            self.fail(401, "no credential: send 'Authorization: token <room code>' (or, on a hub, "
                           "the server's JUPYTERHUB_API_TOKEN)")
        return await self.pulse["auth"].poster(self, m.group(1))

    def resolve(self, identity: str | None, claimed: str | None) -> str:
        if identity is None:  # a room: the kernel session's pseudonym
            if claimed is None:
                self.fail(400, "missing field 'pseudonym' (the kernel session's name)")
            return claimed
        if claimed is not None and claimed != identity:
            self.fail(403, f"this token belongs to {identity!r}: it cannot post as {claimed!r}")
        return identity


@tornado.web.stream_request_body
class Verdicts(PostBase):
    def prepare(self):
        self._body, self._size = bytearray(), 0
        length = self.request.headers.get("Content-Length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            self.fail(413, f"the body is {length} bytes; a verdict is at most {MAX_BODY}")

    def data_received(self, chunk):
        self._size += len(chunk)  # a chunked body has no Content-Length: counted, not kept
        if self._size <= MAX_BODY:
            self._body.extend(chunk)

    async def post(self):
        identity = await self.identity()  # a stranger learns nothing of the registry
        if self._size > MAX_BODY:
            self.fail(413, f"the body is over {MAX_BODY} bytes; a verdict is at most {MAX_BODY}")
        ctype = self.request.headers.get("Content-Type", "").split(";")[0].strip()
        if ctype != "application/json":
            self.fail(400, f"Content-Type must be application/json, not {ctype or 'missing'!r}")
        try:
            verdict = parse_verdict(bytes(self._body), self.room.known)
            who = self.resolve(identity, verdict["pseudonym"])
            seq = self.room.add(verdict, who)
        except VerdictError as err:
            self.fail(err.status, err.message)
        self.set_status(201)
        self.finish({"seq": seq, "pseudonym": who})


class Ping(PostBase):
    async def get(self):
        identity = await self.identity()
        self.finish({"ok": True, "as": identity})


class InstructorBase(Base):
    """The instructor's side: the mode's check (OAuth with the hub, or the dashboard key)."""

    def prepare(self):
        self.pulse["auth"].instructor(self)


class State(InstructorBase):
    def get(self):
        self.finish(self.room.state())


class Export(InstructorBase):
    def get(self):
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition",
                        f'attachment; filename="pulse-{time.strftime("%Y-%m-%d-%H%M")}.csv"')
        self.finish(self.room.csv())


class Dashboard(InstructorBase):
    def get(self):
        self.set_header("Content-Security-Policy",
                        "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; "
                        "img-src 'self' data:; frame-ancestors 'self'")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        # on a hub, the page's own requests (fetch) carry the hub's XSRF token: JupyterHub
        # accepts its OAuth cookie on a non-navigation request only with it
        xsrf = self.xsrf_token if self.pulse["mode"] == "hub" else b""
        xsrf = xsrf.decode() if isinstance(xsrf, bytes) else xsrf
        page = (HERE / "dashboard.html").read_text(encoding="utf-8")
        self.finish(page.replace("{{xsrf}}", html.escape(xsrf, quote=True)))


class Script(Base):
    def get(self):
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.finish((HERE / "dashboard.js").read_text(encoding="utf-8"))


def _ago(now: float, t: float) -> str:
    s = max(0, int(now - t))
    return f"{s} s ago" if s < 90 else f"{s // 60} min ago"


class Table(InstructorBase):
    """Plain tables, no script: what a screen reader (or a text browser) reads."""

    def get(self):
        st = self.room.state()
        e = html.escape
        out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
               "<meta name='viewport' content='width=device-width, initial-scale=1'>",
               "<title>Class pulse, as tables</title>",
               "<style>body{font:1.25rem/1.5 system-ui,sans-serif;margin:1rem 2rem;max-width:70rem}"
               "table{border-collapse:collapse;margin:0 0 1.5rem}"
               "th,td{border:1px solid #555;padding:.3rem .6rem;text-align:left;vertical-align:top}"
               "caption{text-align:left;font-weight:bold}</style>",
               "</head><body><main>",
               f"<h1>Class pulse</h1><p>{st['learners']} learners have sent verdicts; {st['seq']} verdicts "
               f"in all. Stuck means {st['stuck_after']} or more tries without passing. "
               "<a href='table'>Reload this page</a> for the latest numbers, or open "
               "<a href='./'>the live dashboard</a>.</p>"]
        for lesson in st["lessons"]:
            if not lesson["last"]:
                continue
            out.append(f"<h2>Lesson {e(lesson['title'])}</h2>")
            out.append(f"<table><caption>Lesson {e(lesson['num'])}: exercises</caption><thead><tr>"
                       "<th scope='col'>Exercise</th><th scope='col'>Started</th><th scope='col'>Passed</th>"
                       "<th scope='col'>Checkpoint</th><th scope='col'>Stuck (tries without passing)</th>"
                       "<th scope='col'>Mistakes now (learners)</th><th scope='col'>Last verdict</th>"
                       "</tr></thead><tbody>")
            for ex in lesson["exercises"]:
                stuck = ", ".join(f"{e(s['who'])} ({s['fails']}, {e(s['code'])})"
                                  for s in ex["stuck"]) or "none"
                codes = "; ".join(f"{e(c['code'])} ({c['learners']}): {e(c['message'] or 'no note')}"
                                  for c in ex["codes"]) or "none"
                last = _ago(st["now"], ex["last"]) if ex["last"] else "none yet"
                out.append(f"<tr><th scope='row'>{e(ex['title'])}</th><td>{ex['started']}</td>"
                           f"<td>{ex['passed']}</td><td>{'yes' if ex['checkpoint'] else 'no'}</td>"
                           f"<td>{stuck}</td><td>{codes}</td><td>{last}</td></tr>")
            out.append("</tbody></table>")
            if lesson["what_to_say"]:
                out.append(f"<p><strong>What to say:</strong> {e(lesson['what_to_say'])}</p>")
        out.append("</main></body></html>")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish("".join(out))


# ------------------------------------------------------------------------------- the modes
class RoomAuth:
    """A room of laptops: the room code for posts, the dashboard key for the instructor."""

    cookie = "pulse-dashboard"

    def __init__(self, room_code: str, dashboard_key: str):
        self.room_code, self.dashboard_key = room_code, dashboard_key

    async def poster(self, handler, credential: str) -> None:
        if not hmac.compare_digest(credential.encode(), self.room_code.encode()):
            handler.fail(403, "wrong room code: copy the WORKSHOP_PULSE line the instructor shows")
        return None

    def instructor(self, handler) -> None:
        key = handler.get_argument("key", None)
        if key is not None:
            if not hmac.compare_digest(key.encode(), self.dashboard_key.encode()):
                handler.fail(403, "wrong dashboard key: open the dashboard link make pulse printed")
            handler.set_signed_cookie(self.cookie, "instructor", httponly=True, samesite="Strict",
                                      expires_days=1)
            handler.redirect(handler.request.path)  # the key leaves the address bar (and the projector)
            return
        if handler.get_signed_cookie(self.cookie, max_age_days=1) != b"instructor":
            handler.fail(403, "the dashboard is the instructor's: open the dashboard link make pulse printed")


class HubModeAuth:
    """A JupyterHub service: server tokens for posts, the hub's OAuth for the dashboard."""

    def __init__(self):
        from jupyterhub.services.auth import HubOAuth

        self.hub_auth = HubOAuth.instance()

    async def poster(self, handler, credential: str) -> str:
        try:
            model = await self.hub_auth.user_for_token(credential, use_cache=True, sync=False)
        except Exception as exc:  # noqa: BLE001 - the hub is down or refused us: not the learner's fault
            handler.fail(503, f"could not check the token with the hub ({exc})")
        if not model:
            handler.fail(403, "the hub does not know this token")
        if model.get("kind", "user") != "user":
            handler.fail(403, f"a {model.get('kind')} token: only learners' servers post verdicts")
        return model["name"]

    def instructor(self, handler) -> None:
        user = handler.current_user  # HubOAuthenticated: the hub's OAuth, then the access scope
        if not user:
            if handler.request.method in ("GET", "HEAD") and not handler.request.path.endswith(
                    ("/api/state", "/export.csv")):
                handler.redirect(handler.get_login_url())
                return
            handler.fail(403, "the dashboard is for the hub's instructors and admins")


def make_app(mode: str = "room", room_code: str = "", dashboard_key: str = "", prefix: str = "/",
             stuck_after: int = 3, catalog: dict | None = None, cookie_secret: bytes | None = None):
    """The tornado application; ``pulse["room"]`` holds the state (tests read it)."""
    room = Room(catalog or load_catalog(), stuck_after=stuck_after)
    if mode == "hub":
        from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated

        auth = HubModeAuth()
        mixin = (HubOAuthenticated,)
    else:
        if not room_code or not dashboard_key:
            raise ValueError("a room needs a room code and a dashboard key")
        auth, mixin = RoomAuth(room_code, dashboard_key), ()
        HubOAuthCallbackHandler = None  # noqa: N806
    pulse = {"room": room, "auth": auth, "mode": mode}
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"

    def h(cls):
        return type(cls.__name__, (*mixin, cls), {}) if mixin and issubclass(cls, InstructorBase) else cls

    routes = [
        (prefix + "api/verdicts", Verdicts),
        (prefix + "api/ping", Ping),
        (prefix + "api/state", h(State)),
        (prefix + "export.csv", h(Export)),
        (prefix + "table", h(Table)),
        (prefix + "dashboard.js", Script),
        (prefix, h(Dashboard)),
    ]
    handlers = [(path, cls, {"pulse": pulse}) for path, cls in routes]
    if prefix != "/":
        handlers.append((prefix.rstrip("/"), tornado.web.RedirectHandler, {"url": prefix}))
    if HubOAuthCallbackHandler is not None:
        handlers.append((prefix + "oauth_callback", HubOAuthCallbackHandler))
    app = tornado.web.Application(handlers, cookie_secret=cookie_secret or secrets.token_bytes(32),
                                  xsrf_cookies=False)
    app.pulse = pulse
    return app
