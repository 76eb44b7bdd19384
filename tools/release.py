"""Release the course: one command, ``make release VERSION=x.y.z``.

1. checks that the working tree is clean, the version is new and higher, the tag is free;
2. writes the version to ``workshop_utils/__init__.py`` (the one place it lives:
   pyproject.toml reads it, and ``course.REF`` is ``v<version>``);
3. moves ``CHANGELOG.md``'s "Unreleased" notes under the new version (or, when there are
   none, lists the commit subjects since the previous tag);
4. syncs every notebook's Colab cell and badge, README's badges and deploy/README.md's class link;
5. commits "Release vX.Y.Z" and makes the annotated tag ``vX.Y.Z``;
6. creates or moves the release branch ``release-X.Y`` (``course.HUB_REF``) to that commit:
   the class hub's nbgitpuller link pulls this branch (nbgitpuller cannot pull a tag twice).
   It only moves forward: a release whose commit does not descend from the branch's (a
   0.1.x made after 0.2.0 from another line) is refused before anything is changed.

Nothing is pushed: ``git push origin HEAD vX.Y.Z release-X.Y`` publishes it (printed at the end).

    python -m tools.release 0.2.0 [--date YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import datetime
import re
import subprocess
import sys

from tools import ROOT

INIT = ROOT / "workshop_utils" / "__init__.py"
CHANGELOG = ROOT / "CHANGELOG.md"
VERSION_RE = re.compile(r'^__version__ = "([^"]+)"$', re.M)


def git(*args: str) -> str:
    out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {out.stderr.strip()}")
    return out.stdout.strip()


def current_version() -> str:
    m = VERSION_RE.search(INIT.read_text())
    if not m:
        raise SystemExit(f"no __version__ = \"…\" line in {INIT}")
    return m.group(1)


def changelog_entry(text: str, version: str, date: str, fallback: list[str]) -> str:
    """``text`` with its Unreleased notes under ``## [version] — date`` and a new empty Unreleased."""
    head = "## Unreleased"
    if head not in text:
        raise SystemExit(f"{CHANGELOG.name} has no '{head}' section")
    before, rest = text.split(head, 1)
    nxt = re.search(r"^## ", rest, re.M)
    notes, after = (rest[:nxt.start()], rest[nxt.start():]) if nxt else (rest, "")
    notes = notes.strip("\n")
    if not notes.strip():
        notes = "\n".join(f"- {s}" for s in fallback) or "- (no changes recorded)"
    return f"{before}{head}\n\n## [{version}] — {date}\n\n{notes}\n\n{after}".rstrip("\n") + "\n"


def main(argv=None) -> int:
    from packaging.version import InvalidVersion, Version

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("version", help="the new version, e.g. 0.2.0")
    ap.add_argument("--date", default=datetime.date.today().isoformat())
    args = ap.parse_args(argv)
    try:
        new = Version(args.version)
    except InvalidVersion:
        raise SystemExit(f"VERSION={args.version!r} is not a version such as 0.2.0") from None
    if str(new) != args.version:
        raise SystemExit(f"write the version in its normal form: {new}")
    old = current_version()
    if new <= Version(old):
        raise SystemExit(f"VERSION={new} is not higher than the current version {old}")
    tag = f"v{new}"
    branch = f"release-{new.major}.{new.minor}"  # course.HUB_REF of the new version
    if git("status", "--porcelain"):
        raise SystemExit("the working tree has uncommitted changes: commit or stash them first")
    if git("tag", "--list", tag):
        raise SystemExit(f"tag {tag} exists already")
    if subprocess.run(["git", "rev-parse", "--verify", "-q", f"refs/heads/{branch}"], cwd=ROOT,
                      capture_output=True).returncode == 0 and subprocess.run(
            ["git", "merge-base", "--is-ancestor", f"refs/heads/{branch}", "HEAD"], cwd=ROOT).returncode != 0:
        raise SystemExit(f"the release branch {branch} has commits that HEAD does not: a class link pulling "
                         f"{branch} could not fast-forward; release from a checkout of {branch}")
    prev = subprocess.run(["git", "describe", "--tags", "--abbrev=0"], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip()
    subjects = git("log", "--format=%s", f"{prev}..HEAD" if prev else "HEAD").splitlines()

    INIT.write_text(VERSION_RE.sub(f'__version__ = "{new}"', INIT.read_text(), count=1))
    CHANGELOG.write_text(changelog_entry(CHANGELOG.read_text(), str(new), args.date, subjects))
    # a fresh interpreter: course.REF is computed from the version at import
    subprocess.run([sys.executable, "-m", "tools.sync_notebooks"], cwd=ROOT, check=True)
    git("add", "-A")
    git("commit", "-q", "-m", f"Release {tag}")
    git("tag", "-a", tag, "-m", f"Release {tag}")
    if git("rev-parse", "--abbrev-ref", "HEAD") != branch:  # (on the branch itself the commit moved it)
        git("branch", "-f", branch, f"{tag}^{{commit}}")  # the class link's ref follows the release
    print(f"released {tag}: notebooks, badges and the Colab install now name {tag};\n"
          f"the class hub link pulls the branch {branch}, now at {tag}.\n"
          f"publish both with: git push origin HEAD {tag} {branch}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
