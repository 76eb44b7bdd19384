"""``make hub``: prepare the local hub's folder and start JupyterHub.

Prepares ``--dir`` (default ``.hub``): the course as a bare git repository
``deep-learning-workshop`` (the checkout's committed HEAD, as the release branch
``course.HUB_REF`` the class link names) for nbgitpuller to pull from, and the instructors'
first password (``INSTRUCTOR_PASSWORD`` if set, else one made once and kept in
``<dir>/instructor-password``, mode 0600); prints the address, who the instructors are, the
password and the nbgitpuller link for the learners. Then runs JupyterHub with
``deploy/local/jupyterhub_config.py`` in the foreground (Ctrl-C stops it and every
learner's server).

As root, each learner's server runs as a system user of its own (``course-<name>``; see the
config's docstring): the hub's folder is made 0711 and its secrets 0600, and the hub checks
that those users can reach the course environment (every folder up to it must let "others"
pass, ``o+x``). ``--remove-users`` deletes those system users again. As an ordinary user,
learners share this account: it says so, and listens on 127.0.0.1 only.

    python deploy/local/run_hub.py [--dir .hub] [--port 8000] [--ip 127.0.0.1] [--remove-users]
    environment: INSTRUCTORS=name1,name2 (default instructor), INSTRUCTOR_PASSWORD=...
"""

from __future__ import annotations

import argparse
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).resolve().parent / "jupyterhub_config.py"
REPO_NAME = "deep-learning-workshop"
sys.path.insert(0, str(ROOT))
from workshop_utils import course  # noqa: E402

BRANCH = course.HUB_REF  # the very ref the README's class link names
SECRETS = ("jupyterhub.sqlite", "jupyterhub_cookie_secret", "instructor-password", "passwords.dbm",
           "passwords.dbm.db", "passwords.dbm.dat", "passwords.dbm.dir", "passwords.dbm.bak",
           "passwords.dbm.pag", "jupyterhub.log")


def course_repo(hub_dir: Path, source: Path = ROOT) -> Path:
    """``<hub_dir>/deep-learning-workshop`` (bare), branch ``BRANCH`` = ``source``'s committed HEAD."""
    bare = hub_dir / REPO_NAME
    if not (bare / "HEAD").exists():
        subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    subprocess.run(["git", "-C", str(bare), "fetch", "-q", "--no-tags", str(source),
                    f"+HEAD:refs/heads/{BRANCH}"], check=True)
    subprocess.run(["git", "-C", str(bare), "symbolic-ref", "HEAD", f"refs/heads/{BRANCH}"], check=True)
    if os.geteuid() == 0:  # the learners' system users clone it: readable by all (it is the public course)
        for d, _, files in os.walk(bare):
            os.chmod(d, 0o755)
            for f in files:
                os.chmod(os.path.join(d, f), 0o644)
        # ... and their git must trust this root-owned repository (safe.directory, system scope)
        gitconfig = hub_dir / "learners.gitconfig"
        gitconfig.write_text(f"[safe]\n\tdirectory = {bare}\n")
        gitconfig.chmod(0o644)
    return bare


def instructors(environ=os.environ) -> str:
    names = environ.get("INSTRUCTORS") or environ.get("COURSE_INSTRUCTORS") or "instructor"
    return ",".join(n.strip().lower() for n in names.split(",") if n.strip())


def instructor_password(hub_dir: Path, environ=os.environ) -> str:
    given = environ.get("INSTRUCTOR_PASSWORD") or environ.get("COURSE_INSTRUCTOR_PASSWORD")
    if given:
        if len(given) < 8:
            sys.exit("INSTRUCTOR_PASSWORD must be at least 8 characters")
        return given
    kept = hub_dir / "instructor-password"
    if not kept.exists():
        fd = os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(9) + "\n")
    return kept.read_text().strip()


def unreachable(paths, who: str = "others") -> list[str]:
    """The folders on the way to ``paths`` that a learner's system user cannot pass (no o+x)."""
    blocked = []
    for p in paths:
        p = Path(p)
        for d in [*reversed(p.parents), p] if p.is_dir() else reversed(p.parents):
            try:
                mode = d.stat().st_mode
            except OSError:
                continue
            if not mode & stat.S_IXOTH and str(d) not in blocked:
                blocked.append(str(d))
    return blocked


def check_learners_can_run(hub_dir: Path) -> None:
    """As root: the learners' system users must reach the course environment and the hub's folder."""
    needed = [Path(os.path.realpath(sys.executable)), Path(sys.prefix) / "bin", Path(sys.base_prefix) / "lib",
              hub_dir / "users", hub_dir / REPO_NAME]
    needed += [Path(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    blocked = unreachable(needed)
    if blocked:
        sys.exit("make hub (as root) runs each learner's server as a system user of its own, which cannot "
                 "reach the course environment: " + ", ".join(blocked) + (" does" if len(blocked) == 1 else
                                                                          " do") +
                 " not let other users pass (o+x). Either allow passing (not listing) with `chmod o+x "
                 + " ".join(blocked) + "` and run make hub again, or build the hub environment from a "
                 "Python every user can run (`rm -rf .venv-hub; make hub-env PYTHON=/usr/bin/python3`).")


def prepare(hub_dir: Path, port: int, ip: str = "127.0.0.1", environ=None) -> dict:
    """Everything the hub needs in ``hub_dir``; returns the environment to start it with
    (``environ``, default this process's, with the hub's settings)."""
    environ = dict(os.environ if environ is None else environ)
    root_mode = os.geteuid() == 0
    if ip != "127.0.0.1" and not root_mode:
        sys.exit(f"--ip {ip}: without root every learner's server runs as your account (learners could read "
                 "each other's files), so this hub listens on 127.0.0.1 only. For a class on a network run "
                 "it as root, or use deploy/tljh or deploy/z2jh (HTTPS).")
    hub_dir.mkdir(parents=True, exist_ok=True)
    chp = hub_dir / "node_modules" / ".bin" / "configurable-http-proxy"
    if not chp.exists():
        sys.exit(f"{chp} is missing: run `make hub` (it installs configurable-http-proxy with npm)")
    (hub_dir / "users").mkdir(exist_ok=True)
    if root_mode:  # learners pass through to their own homes and the course repository, see nothing else
        hub_dir.chmod(0o711)
        (hub_dir / "users").chmod(0o711)
    env = dict(environ, COURSE_HUB_DIR=str(hub_dir), COURSE_HUB_PORT=str(port), COURSE_HUB_IP=ip,
               COURSE_INSTRUCTORS=instructors(environ),
               COURSE_INSTRUCTOR_PASSWORD=instructor_password(hub_dir, environ))
    env.pop("MPLBACKEND", None)  # learners' kernels draw inline
    for name in ("INSTRUCTOR_PASSWORD", "HUB_PASSWORD", "COURSE_HUB_PASSWORD"):
        env.pop(name, None)
    return env


def lock_secrets(hub_dir: Path) -> None:
    for name in SECRETS:
        p = hub_dir / name
        if p.exists():
            p.chmod(0o600)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=ROOT / ".hub")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--ip", default="127.0.0.1", help="the proxy's address (other than 127.0.0.1: root only)")
    ap.add_argument("--remove-users", action="store_true",
                    help="as root: delete the learners' system users "
                         "(COURSE_HUB_USER_PREFIX, default course-)")
    args = ap.parse_args(argv)
    hub_dir = args.dir.resolve()
    root_mode = os.geteuid() == 0
    if args.remove_users:
        if not root_mode:
            sys.exit("--remove-users needs root (only a hub run as root creates system users)")
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from system_users import remove_system_users

        gone = remove_system_users(os.environ.get("COURSE_HUB_USER_PREFIX", "course-"))
        print("removed system users:", ", ".join(gone) or "none")
        return 0
    env = prepare(hub_dir, args.port, args.ip)
    bare = course_repo(hub_dir)
    if root_mode:
        check_learners_can_run(hub_dir)
        lock_secrets(hub_dir)
        os.umask(0o077)  # the hub's database, logs and every learner's files: their owner's only

    host = "127.0.0.1" if args.ip in ("127.0.0.1", "0.0.0.0") else args.ip
    url = f"http://{host}:{args.port}"
    prefix = env.get("COURSE_HUB_USER_PREFIX", "course-")
    mode = (f"  Each learner's server runs as a system user of its own ({prefix}<name>, home "
            f"{hub_dir / 'users'}/{prefix}<name>, mode 0700);\n"
            f"  `python deploy/local/run_hub.py --remove-users` deletes those users after the class."
            if root_mode else
            f"  NOT ROOT: every learner's server runs as your account ({os.environ.get('USER', 'you')}): "
            f"learners share it and\n  can read each other's files. Fine for a trial on this machine; "
            f"for a class use deploy/tljh or deploy/z2jh.")
    print(f"""
  The course's JupyterHub: {url}   (Ctrl-C stops it and every learner's server)
{mode}
  Learners: choose a name (lowercase letters, digits, - or _) and a password of at least 8
  characters at the first login; that password is theirs from then on (learners/hub.md).
  Instructors (admins, group "instructors"): {env['COURSE_INSTRUCTORS'].replace(',', ', ')}
    password: {env['COURSE_INSTRUCTOR_PASSWORD']}   (change it at {url}/hub/auth/change-password)
  The learners' link (pulls the course into their home and opens lesson 01; click it again any time):
    {course.hub_link(url, repo=bare.as_uri())}
  A real class uses the same link with the GitHub repository and the release branch:
    {course.hub_link('https://hub.example.org')}
  The local copy holds this checkout's *committed* HEAD (branch '{BRANCH}'); re-run make hub after committing.
""", flush=True)
    if args.ip not in ("127.0.0.1",):
        print(f"  Listening on {args.ip} over plain HTTP: passwords cross the network unencrypted. "
              "Put HTTPS in front (or use deploy/tljh, deploy/z2jh).", flush=True)
    cmd = [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)]
    os.chdir(hub_dir)
    os.execve(sys.executable, cmd, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
