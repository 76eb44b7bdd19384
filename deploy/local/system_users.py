"""The learners' system users of ``make hub`` run as root (no JupyterHub import: the tests use it).

``<prefix><name>`` in the shared group ``<prefix>learners`` (no private group), home
``<homes>/<prefix><name>`` mode 0700, shell /bin/bash, no password.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import signal
import subprocess
from pathlib import Path


def learners_group(prefix: str) -> str:
    return f"{prefix}learners"


def ensure_group(prefix: str) -> int:
    name = learners_group(prefix)
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        subprocess.run(["groupadd", "--system", name], check=True, capture_output=True)
        return grp.getgrnam(name).gr_gid


def ensure_system_user(name: str, prefix: str, homes: Path) -> pwd.struct_passwd:
    """The system user ``prefix + name`` with its 0700 home under ``homes`` (made if missing)."""
    system = prefix + name
    home = homes / system
    gid = ensure_group(prefix)
    try:
        entry = pwd.getpwnam(system)
    except KeyError:
        entry = None
    if entry is None:
        out = subprocess.run(["useradd", "--no-create-home", "--no-user-group", "--gid", str(gid),
                              "--home-dir", str(home), "--shell", "/bin/bash", "--comment",
                              f"course hub learner {name}", system], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"useradd {system} failed: {out.stderr.strip()}")
        entry = pwd.getpwnam(system)
    if Path(entry.pw_dir).resolve() != home.resolve():
        raise RuntimeError(f"system user {system} exists with another home ({entry.pw_dir}); "
                           f"choose another COURSE_HUB_USER_PREFIX or remove it")
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    home.chmod(0o700)
    return entry


def _pids_of(uid: int) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            with contextlib.suppress(OSError):
                if d.stat().st_uid == uid:
                    pids.append(int(d.name))
    return pids


def remove_system_users(prefix: str) -> list[str]:
    """Delete every system user named ``prefix…`` in the group ``<prefix>learners``, then the group
    (their homes stay with the hub's folder). Returns the names removed."""
    try:
        gid = grp.getgrnam(learners_group(prefix)).gr_gid
    except KeyError:
        return []
    gone = []
    for entry in pwd.getpwall():
        if entry.pw_name.startswith(prefix) and entry.pw_gid == gid:
            for pid in _pids_of(entry.pw_uid):  # leftovers of a server the hub could not stop
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            out = subprocess.run(["userdel", entry.pw_name], capture_output=True, text=True)
            if out.returncode != 0:
                raise RuntimeError(f"userdel {entry.pw_name} failed: {out.stderr.strip()}")
            gone.append(entry.pw_name)
    subprocess.run(["groupdel", learners_group(prefix)], check=True, capture_output=True)
    return gone
