"""``make hub``: prepare the local hub's folder and start JupyterHub on 127.0.0.1.

Prepares ``--dir`` (default ``.hub``): the course as a bare git repository
``deep-learning-workshop`` (the checkout's committed HEAD, as branch ``course``) for
nbgitpuller to pull from, the shared password (``HUB_PASSWORD`` or ``COURSE_HUB_PASSWORD``
if set, else one made once and kept in ``<dir>/password``), and prints the address, the
password and the nbgitpuller link for the learners. Then runs JupyterHub with
``deploy/local/jupyterhub_config.py`` in the foreground (Ctrl-C stops it and every
learner's server). No root and no system users are needed: see the config's docstring.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).resolve().parent / "jupyterhub_config.py"
REPO_NAME = "deep-learning-workshop"
BRANCH = "course"


def course_repo(hub_dir: Path, source: Path = ROOT) -> Path:
    """``<hub_dir>/deep-learning-workshop`` (bare), branch ``course`` = ``source``'s committed HEAD."""
    bare = hub_dir / REPO_NAME
    if not (bare / "HEAD").exists():
        subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    subprocess.run(["git", "-C", str(bare), "fetch", "-q", "--no-tags", str(source),
                    f"+HEAD:refs/heads/{BRANCH}"], check=True)
    subprocess.run(["git", "-C", str(bare), "symbolic-ref", "HEAD", f"refs/heads/{BRANCH}"], check=True)
    return bare


def password(hub_dir: Path) -> str:
    given = os.environ.get("HUB_PASSWORD") or os.environ.get("COURSE_HUB_PASSWORD")
    if given:
        if len(given) < 8:
            sys.exit("HUB_PASSWORD must be at least 8 characters")
        return given
    kept = hub_dir / "password"
    if not kept.exists():
        kept.write_text(secrets.token_urlsafe(9) + "\n")
        kept.chmod(0o600)
    return kept.read_text().strip()


def prepare(hub_dir: Path, port: int) -> dict:
    """Everything the hub needs in ``hub_dir``; returns the environment to start it with."""
    hub_dir.mkdir(parents=True, exist_ok=True)
    chp = hub_dir / "node_modules" / ".bin" / "configurable-http-proxy"
    if not chp.exists():
        sys.exit(f"{chp} is missing: run `make hub` (it installs configurable-http-proxy with npm)")
    (hub_dir / "users").mkdir(exist_ok=True)
    env = dict(os.environ, COURSE_HUB_DIR=str(hub_dir), COURSE_HUB_PORT=str(port),
               COURSE_HUB_PASSWORD=password(hub_dir))
    env.pop("MPLBACKEND", None)  # learners' kernels draw inline
    return env


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=ROOT / ".hub")
    ap.add_argument("--port", type=int, default=8000)
    args = ap.parse_args(argv)
    hub_dir = args.dir.resolve()
    env = prepare(hub_dir, args.port)
    bare = course_repo(hub_dir)
    sys.path.insert(0, str(ROOT))
    from workshop_utils import course

    url = f"http://127.0.0.1:{args.port}"
    print(f"""
  The course's JupyterHub: {url}   (127.0.0.1 only; Ctrl-C stops it and every learner's server)
  Log in with any name and the workshop password: {env['COURSE_HUB_PASSWORD']}
  The learners' link (pulls the course into their home and opens lesson 01):
    {course.hub_link(url, repo=bare.as_uri(), ref=BRANCH)}
  A real class uses the same link with the GitHub repository and the release ref:
    {course.hub_link('https://<your hub>')}
  The local copy holds this checkout's *committed* HEAD (branch '{BRANCH}'); re-run make hub after committing.
""", flush=True)
    cmd = [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)]
    os.chdir(hub_dir)
    os.execve(sys.executable, cmd, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
