"""The workshop file, workshop.toml: read it, check it, and fill what depends on it.

    python -m tools.workshop           # make workshop: fill and write (below)
    python -m tools.workshop --check   # only say what is unset or wrong (exit 1 / 2)

``workshop.toml`` (at the repository root) holds one workshop: its date(s), start time,
venue, instructors and helpers, the code-of-conduct contact, the hub's address, where
learners run (laptops, hub, Binder, Colab) and which schedule it follows (one 6-hour day,
two half-days, three hours). A value still reading ``FIXME`` is *unset*; a value that is
set but wrong (a date that does not exist, an unknown mode, an email without ``@``) is an
*error*, named with the key and what to write instead.

``make workshop`` writes, from the file:

* ``CODE_OF_CONDUCT.md``'s contact (the block between its ``generated: contact`` markers;
  "not yet set" while the contact is unset);
* ``instructors/schedule.md`` with the workshop's start time (tools/schedule.py);
* instructors/checklist.md's status line (a warning while anything is unset or wrong);
* ``build/invitation.md``, the learners' invitation (date, times, venue, what to set up
  before the day, the timetable of the chosen schedule, the contact). It changes with every
  workshop, so it is not committed; it is written only once nothing is unset.

It exits 0 when everything is set, 1 while something is unset (it still fills what it can),
and 2 on an error (then it writes nothing).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

# its own root, not tools.ROOT: the setup check (workshop_utils/check.py) loads this file by its path
ROOT = Path(__file__).resolve().parents[1]
FILE = "workshop.toml"
UNSET = "FIXME"
SCHEDULES = {"day": "one 6-hour day", "half-days": "two half-days", "three-hour": "three hours"}
MODES = ("laptops", "hub", "binder", "colab")
KEYS = {"title", "date", "start", "venue", "instructors", "helpers", "schedule", "learners_run",
        "hub_url", "contact"}
DEFAULT_START = 9 * 60
COC_BLOCK = re.compile(r"(<!-- begin generated: contact[^>]*-->\n)(.*?)(<!-- end generated -->)", re.S)
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z]{2,}$")


class WorkshopError(ValueError):
    """workshop.toml holds a value that is set but wrong (the message names each one)."""


def _toml(path: Path) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise WorkshopError(f"reading {FILE} on Python < 3.11 needs tomli: "
                                f"{sys.executable} -m pip install tomli") from None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise WorkshopError(f"{path.name} is not valid TOML: {exc}") from None


def _unset(value) -> bool:
    if isinstance(value, str):
        return value.strip().upper() == UNSET
    if isinstance(value, list):
        return any(_unset(v) for v in value)
    return False


def _date(value, key: str, errors: list) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.append(f"{key}: {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2027-03-15")
    return None


def _clock(value, key: str, errors: list) -> int | None:
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip()) if isinstance(value, str) else None
    if not m:
        errors.append(f"{key}: {value!r} is not a time of day; write it as HH:MM (24-hour clock), "
                      "e.g. \"09:00\"")
        return None
    return int(m.group(1)) * 60 + int(m.group(2))


def _names(value, key: str, errors: list, required: bool) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        errors.append(f"{key}: write a list of names in quotes, e.g. [\"Ada Lovelace\"]")
        return []
    if required and not value:
        errors.append(f"{key}: name at least one")
    return [" ".join(v.split()) for v in value]


def read(root: Path = ROOT) -> tuple[dict, list[str], list[str]]:
    """``(values, unset, errors)``: the file's values (checked ones parsed: dates as
    ``datetime.date``, start as minutes after midnight), the keys still ``FIXME``, and one
    message per wrong value. A missing file is an error."""
    path = root / FILE
    if not path.exists():
        return {}, [], [f"there is no {FILE} at {root}: copy it from the course repository"]
    raw = _toml(path)
    errors: list[str] = []
    unknown = sorted(set(raw) - KEYS)
    if unknown:
        errors.append(f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                      f"(the file knows {', '.join(sorted(KEYS))})")
    contact = raw.get("contact")
    if contact is None:
        errors.append("contact: missing; add a [contact] table with the name and email of "
                      "the person who receives code-of-conduct reports")
        contact = {}
    elif not isinstance(contact, dict):
        errors.append("contact: write it as a table, [contact] with name = … and email = …")
        contact = {}
    values = {"title": raw.get("title", "Deep learning workshop"), "helpers": [], "hub_url": ""}
    unset = []

    def take(key, value, parse):
        if value is None:
            errors.append(f"{key}: missing")
        elif _unset(value):
            unset.append(key)
        else:
            values[key] = parse(value)

    schedule = raw.get("schedule", "day")
    if schedule not in SCHEDULES:
        errors.append(f"schedule: {schedule!r} is not one of {', '.join(map(repr, SCHEDULES))}")
    values["schedule"] = schedule
    mode = raw.get("learners_run", "laptops")
    if mode not in MODES:
        errors.append(f"learners_run: {mode!r} is not one of {', '.join(map(repr, MODES))}")
    values["learners_run"] = mode

    def dates(value):
        days = value if isinstance(value, list) else [value]
        want = 2 if schedule == "half-days" else 1
        if len(days) != want:
            errors.append(f"date: the {SCHEDULES.get(schedule, schedule)} schedule needs "
                          + ("two dates, [\"YYYY-MM-DD\", \"YYYY-MM-DD\"]" if want == 2 else "one date"))
            return []
        parsed = [_date(d, "date", errors) for d in days]
        if None not in parsed and parsed != sorted(set(parsed)):
            errors.append("date: the two half-days must be two different days, the first one first")
        return [d for d in parsed if d]

    take("date", raw.get("date"), dates)
    values["start"] = _clock(raw.get("start", "09:00"), "start", errors)
    take("venue", raw.get("venue"), lambda v: " ".join(str(v).split()))
    take("instructors", raw.get("instructors"), lambda v: _names(v, "instructors", errors, True))
    if "helpers" in raw:
        values["helpers"] = _names(raw["helpers"], "helpers", errors, False)
    if isinstance(raw.get("contact"), dict):
        for key in ("name", "email"):
            take(f"contact.{key}", contact.get(key), lambda v: " ".join(str(v).split()))
            if f"contact.{key}" in values and not values[f"contact.{key}"]:
                errors.append(f"contact.{key}: empty; the code of conduct needs a real person to contact")
    if values.get("contact.email") and not EMAIL.match(values["contact.email"]):
        errors.append(f"contact.email: {values['contact.email']!r} is not an email address")
    hub = raw.get("hub_url", "")
    if _unset(hub):
        unset.append("hub_url")
    elif hub:
        values["hub_url"] = _hub_url(hub, errors)
    if mode == "hub" and not hub:
        errors.append("hub_url: learners_run = \"hub\" needs the hub's address, https://…")
    return values, unset, errors


def _hub_url(url, errors: list) -> str:
    parts = urlsplit(url) if isinstance(url, str) else None
    local = parts is not None and parts.hostname in ("127.0.0.1", "localhost")
    if (parts is None or re.search(r"[\s\"'<>\\]", url) or parts.username or parts.query
            or parts.fragment or not parts.hostname
            or not (parts.scheme == "https" or (parts.scheme == "http" and local))):
        errors.append(f"hub_url: {url!r} is not a plain https:// address of a hub "
                      "(no spaces, quotes, user@, query or #); learners type a password there")
        return ""
    return url.rstrip("/")


def problems(root: Path = ROOT) -> list[tuple[str, str]]:
    """What an instructor still has to do in workshop.toml: ``[(what, fix), …]``."""
    try:
        _, unset, errors = read(root)
    except WorkshopError as exc:
        return [(str(exc), f"edit {root / FILE}")]
    out = [(e, f"edit {root / FILE}") for e in errors]
    if unset:
        out.append((f"{FILE} is not filled in yet: {', '.join(unset)} still read {UNSET}",
                    f"edit {root / FILE}, then run make workshop"))
    return out


def start_minutes(root: Path = ROOT) -> int:
    """The workshop's start, minutes after midnight (09:00 where there is no workshop file)."""
    if not (root / FILE).exists():
        return DEFAULT_START
    errors: list[str] = []
    raw = _toml(root / FILE)
    start = _clock(raw.get("start", "09:00"), "start", errors)
    if errors:
        raise WorkshopError(errors[0])
    return start


# ------------------------------------------------------------------------------ writers
def contact_text(values: dict) -> str:
    """CODE_OF_CONDUCT.md's contact paragraph."""
    name, email = values.get("contact.name"), values.get("contact.email")
    if not (name and email):
        return ("**Contact: not yet set.** Whoever runs a workshop puts a real person's name and\n"
                "email address under `[contact]` in `workshop.toml` and runs `make workshop`, which\n"
                "writes them here, and says who it is at the start of the day\n"
                "([instructors/checklist.md](instructors/checklist.md)). Until then, reports go to the\n"
                "workshop's organisers in person.\n")
    when = ""
    if values.get("date"):
        when = " during the workshop of " + " and ".join(_day(d) for d in values["date"])
    return (f"**Contact: {name}, <{email}>**{when}. You can also speak to any instructor or "
            "helper in person; if the report concerns one of them, write to the contact.\n")


def checklist_status(root: Path = ROOT) -> str:
    """instructors/checklist.md's ``workshop`` block: a warning while the file is unset."""
    try:
        values, unset, errors = read(root)
    except WorkshopError as exc:
        values, unset, errors = {}, [], [str(exc)]
    if errors or unset:
        what = "; ".join(errors + ([f"{', '.join(unset)} still read {UNSET}"] if unset else []))
        return (f"> **⚠ `{FILE}` is not ready**: {what}. Fill it in (item below), then run "
                "`make workshop`.\n")
    return (f"> `{FILE}` is filled in: {' and '.join(_day(d) for d in values['date'])}, "
            f"{values['venue']}; code-of-conduct contact {values['contact.name']}. Re-run "
            "`make workshop` after any change.\n")


def fill_checklist(root: Path = ROOT) -> bool:
    path = root / "instructors" / "checklist.md"
    if not path.exists():
        return False
    text = path.read_text(encoding="utf-8")
    block = re.compile(r"(<!-- begin generated: workshop -->\n)(.*?)(<!-- end generated -->)", re.S)
    new = block.sub(lambda m: m.group(1) + checklist_status(root) + m.group(3), text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def _day(d: dt.date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def fill_code_of_conduct(values: dict, root: Path = ROOT) -> bool:
    path = root / "CODE_OF_CONDUCT.md"
    text = path.read_text(encoding="utf-8")
    if not COC_BLOCK.search(text):
        raise WorkshopError(f"{path.name} has no '<!-- begin generated: contact -->' block")
    new = COC_BLOCK.sub(lambda m: m.group(1) + contact_text(values) + m.group(3), text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def _link(root: Path, rel: str) -> str:
    from workshop_utils import course

    return f"{course.repo_url()}/blob/{course.REF}/{rel}"


def invitation(values: dict, root: Path = ROOT) -> str:
    """The learners' invitation, markdown, from a fully set workshop file."""
    from tools import schedule as sched
    from workshop_utils import course

    ls = sched.lessons(root)
    tables = sched.timetables(ls, values["start"])[values["schedule"]]
    days = values["date"]
    lines = [f"# {values['title']}", "",
             "You are invited to a hands-on workshop on the mathematics of deep learning: ten short "
             "lessons, each a Jupyter notebook where you compute a formula in numpy, check it against "
             "PyTorch and move sliders to see what it does.", "",
             f"- **When**: {' and '.join(_day(d) for d in days)}, {tables[0][0][0]}–{tables[0][-1][0]}"
             + (f" (the second half-day {tables[1][0][0]}–{tables[1][-1][0]})" if len(tables) > 1 else "")
             + f" ({SCHEDULES[values['schedule']]}).",
             f"- **Where**: {values['venue']}.",
             f"- **Instructors**: {', '.join(values['instructors'])}."]
    if values["helpers"]:
        lines.append(f"- **Helpers**: {', '.join(values['helpers'])}.")
    lines += [f"- **Prerequisites**: [{_link(root, 'learners/prerequisites.md')}]"
              f"({_link(root, 'learners/prerequisites.md')}) (some Python and numpy; no deep learning).",
              "", "## Before the day", ""]
    mode = values["learners_run"]
    if mode == "laptops":
        lines += [f"Install the course on your laptop by following {_link(root, 'learners/setup.md')} "
                  "(about a quarter of an hour; Windows, macOS and Linux), then run "
                  "`python -m workshop_utils.check` and reply to this invitation with its last line "
                  "(`READY`, or what it says is wrong: a helper will get in touch)."]
    elif mode == "hub":
        page = "learners/hub.md" if (root / "learners" / "hub.md").exists() else "learners/setup.md"
        lines += [f"Nothing to install: you will work on the workshop's JupyterHub, {values['hub_url']}, "
                  f"in your browser. Read {_link(root, page)} (which name to use, what to do when your "
                  "server is slow to start); the password is given in the room."]
    elif mode == "binder":
        lines += [f"Nothing to install: the notebooks open on Binder, {course.binder_url()}. Open the "
                  "link once before the day (the first start can take several minutes). Binder stops a "
                  "session that is left idle for about ten minutes, so download a notebook you "
                  "changed before a break."]
    else:
        first = course.NOTEBOOKS[0][0]
        lines += ["Nothing to install: the notebooks open in Google Colab (a Google account is needed). "
                  f"Open the first one, {course.colab_url(first)}, once before the day and run its first "
                  "cell, which installs the course; the others are linked from "
                  f"{_link(root, 'README.md')}."]
    lines += ["", "Bring a laptop with a current browser and its charger.", "",
              "## The timetable", ""]
    for k, rows in enumerate(tables):
        if len(tables) > 1:
            lines += [f"**{_day(days[k])}**", ""]
        lines += [f"- {clock} {label}" for clock, label in rows] + [""]
    lines += ["## Code of conduct", "",
              f"Everyone taking part follows the workshop's code of conduct, "
              f"{_link(root, 'CODE_OF_CONDUCT.md')}. To report a problem, talk to any instructor "
              f"or helper, or write to {values['contact.name']} <{values['contact.email']}>.", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from tools import schedule as sched

    try:
        values, unset, errors = read(ROOT)
    except WorkshopError as exc:
        values, unset, errors = {}, [], [str(exc)]
    if errors:
        if "--check" not in argv:
            fill_checklist(ROOT)  # the checklist's warning names the errors too
        print(f"{FILE}: " + "\n  ".join(["fix these first (nothing else was written):"] + errors))
        return 2
    if "--check" not in argv:
        changed = fill_code_of_conduct(values)
        print(("filled" if changed else "kept") + " CODE_OF_CONDUCT.md's contact")
        fill_checklist(ROOT)
        sched.main([])
        if not unset:
            out = ROOT / "build" / "invitation.md"
            out.parent.mkdir(exist_ok=True)
            out.write_text(invitation(values), encoding="utf-8")
            print(f"wrote {out.relative_to(ROOT)}: send it to the learners")
    if unset:
        print(f"{FILE} is not filled in yet: {', '.join(unset)} still read {UNSET}"
              + ("" if "--check" in argv else "; the invitation is written once they are set"))
        return 1
    print(f"{FILE} is complete")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
