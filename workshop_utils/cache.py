"""The course cache, a store of bytes: every read and write of what the course keeps on disk.

What is kept: parsed MNIST-5k (``mnist5k_v2.npz``) and trained models (``weights/<key>.pt``,
written by ``trained`` in ``checkpoint``'s format). The store knows bytes, manifests, locks
and the memory fallback, not what it keeps: it imports nothing of the package. Rules:

* **Never trusted blindly.** Each file is written with a manifest ``<file>.sha256`` (its
  SHA-256 and size), written *last*; a read checks the manifest, then the content's meaning
  (the caller's ``check``). A file without a manifest is an unfinished write. Anything that
  fails is rebuilt, with one line saying what was wrong and where.
* **Never blocks a lesson.** Where the folder cannot be written (permissions, read-only,
  not a folder, disk full), artefacts are kept in this session's memory instead, and one
  warning names the folder, the reason and ``WORKSHOP_CACHE``. A folder that can be read
  but not written (a class's shared cache, prepared by the instructor) is still read.
* **Shared by a class.** Files are readable by the group and others (mode 0644 under the
  usual umask), so one read-only cache can serve many users.
* **One build at a time.** :func:`lock` (a ``filelock`` next to the file) makes a second
  kernel wait for the first; the caller decides what it does then.
* Interrupted writes (``*.part``) older than an hour are removed.

The folder: ``$WORKSHOP_CACHE`` or the OS cache folder (``~/.cache/workshop_utils`` on Linux).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

__all__ = ["CacheWarning", "location", "writable", "get", "put", "lock", "forget_memory",
           "STALE_PART_S", "ENV"]

ENV = "WORKSHOP_CACHE"
STALE_PART_S = 3600.0
MANIFEST_SUFFIX = ".sha256"

_memory: dict[str, bytes] = {}  # the fallback: artefacts kept for this session only
_warned: set[str] = set()
_checked: set[str] = set()  # folders found writable this session


class CacheWarning(UserWarning):
    """The course cache cannot be used as intended; the lesson goes on from memory."""


def location() -> Path:
    """The configured cache folder (not created): ``$WORKSHOP_CACHE`` or the OS cache folder."""
    env = os.environ.get(ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs  # installed with pooch; quick to import on its own

    return Path(platformdirs.user_cache_dir("workshop_utils"))


def _warn_once(reason: str) -> None:
    """One warning per cache folder and session, naming the folder, the reason and the setting."""
    folder = location()
    key = str(folder)
    if key in _warned:
        return
    _warned.add(key)
    warnings.warn(
        f"the course cache {folder} cannot be written ({reason}); this session keeps its data "
        f"and trained models in memory instead, so the lesson goes on. To keep them between "
        f"sessions, point the environment variable {ENV} at a folder you can write.",
        CacheWarning, stacklevel=3)


def _reason(exc: BaseException) -> str:
    import errno

    if isinstance(exc, FileExistsError) or isinstance(exc, NotADirectoryError):
        return "it is a file, not a folder"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if getattr(exc, "errno", None) == errno.EROFS:
        return "read-only file system"
    if getattr(exc, "errno", None) == errno.ENOSPC:
        return "the disk is full"
    return f"{type(exc).__name__}: {exc}"


def writable(sub: str = "") -> Path | None:
    """The cache folder (``sub`` inside it), created if needed, or None if it cannot be written.

    None comes with a :class:`CacheWarning` (one per cache folder and session). Stale
    ``*.part`` files found there are removed.
    """
    folder = location() / sub if sub else location()
    key = str(folder)
    if key in _checked:
        return folder
    try:
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(str(folder))
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, suffix=".part")
        os.close(fd)
        os.remove(probe)
    except OSError as exc:
        _warn_once(_reason(exc))
        return None
    _remove_stale_parts(folder)
    _checked.add(key)
    return folder


def _remove_stale_parts(folder: Path) -> None:
    now = time.time()
    for part in folder.glob("*.part"):
        with contextlib.suppress(OSError):
            if now - part.stat().st_mtime > STALE_PART_S:
                part.unlink()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    """``data`` to a ``.part`` file next to ``path``, then renamed into place (never half-written)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600: let a class share the cache
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def put(name: str, data: bytes) -> Path | None:
    """Keep ``data`` under ``name`` (e.g. ``"weights/smallcnn.pt"``): on disk, else in memory.

    The file is written first, its manifest (SHA-256, size) last, each atomically. Returns
    the file's path, or None when it went to memory (one warning says why).
    """
    sub, _, fname = name.rpartition("/")
    folder = writable(sub)
    if folder is not None:
        path = folder / fname
        try:
            _atomic_write(path, data)
            manifest = {"sha256": _sha256(data), "bytes": len(data), "written": time.time()}
            _atomic_write(path.with_name(fname + MANIFEST_SUFFIX), json.dumps(manifest).encode())
            _memory.pop(name, None)
            return path
        except OSError as exc:  # e.g. the disk filled up: the work is kept in memory
            _checked.discard(str(folder))
            _warn_once(_reason(exc))
    _memory[name] = data
    return None


def _read_verified(path: Path) -> bytes:
    """The bytes of ``path`` if its manifest vouches for them; ValueError saying what is wrong."""
    manifest = path.with_name(path.name + MANIFEST_SUFFIX)
    if not manifest.exists():
        raise ValueError("its checksum manifest is missing (an unfinished or foreign write)")
    try:
        meta = json.loads(manifest.read_text())
        want = str(meta["sha256"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"its manifest is unreadable ({type(exc).__name__})") from None
    data = path.read_bytes()
    if _sha256(data) != want:
        raise ValueError(f"its SHA-256 does not match the one recorded when it was written "
                         f"({len(data):,} bytes; recorded {meta.get('bytes', '?')})")
    return data


def get(name: str, decode, check=None, *, verbose: bool = True):
    """The artefact ``name``, decoded and checked, or None if there is none that passes.

    ``decode(bytes) -> obj`` parses it; ``check(obj)`` raises ``ValueError`` naming what is
    wrong with its meaning. Memory (this session's fallback) is looked at first, then the
    cache folder. A file that fails is not used and is removed where possible; ``verbose``
    prints one line saying what was wrong and where.
    """
    sources = []
    if name in _memory:
        sources.append(("memory", None))
    path = location() / name
    if path.exists():
        sources.append((str(path), path))
    for where, p in sources:
        try:
            data = _memory[name] if p is None else _read_verified(p)
            obj = decode(data)
            if check is not None:
                check(obj)
            return obj
        except Exception as exc:  # noqa: BLE001 - anything wrong means: rebuild it
            reason = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
            if verbose:
                print(f"course cache: not using {where}: {reason.splitlines()[0] if reason else ''}; "
                      "rebuilding it")
            if p is None:
                _memory.pop(name, None)
            else:
                _discard(p)
    return None


def _discard(path: Path) -> None:
    for p in (path.with_name(path.name + MANIFEST_SUFFIX), path):
        with contextlib.suppress(OSError):
            p.unlink()


def forget_memory() -> None:
    """Drop what this session kept in memory, and what it learnt about the folder (tests)."""
    _memory.clear()
    _warned.clear()
    _checked.clear()


@contextlib.contextmanager
def fresh_folder(prefix: str = "course-cache-"):
    """A new, empty course cache for the ``with`` block (its path is yielded), then the one
    before it again: what building the shipped weights and drawing the outline's figures use,
    so that nothing kept on this machine leaks into them."""
    old = os.environ.get(ENV)
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        os.environ[ENV] = tmp
        forget_memory()
        try:
            yield Path(tmp)
        finally:
            if old is None:
                os.environ.pop(ENV, None)
            else:
                os.environ[ENV] = old
            forget_memory()


@contextlib.contextmanager
def lock(name: str, waiting: str | None = None):
    """Hold the lock of artefact ``name``: one process builds it while others wait.

    ``waiting`` is printed once if another process holds it. Where the cache cannot be
    written, no lock is taken (nothing is shared to protect).
    """
    import filelock

    sub, _, fname = name.rpartition("/")
    folder = writable(sub)
    if folder is None:
        yield
        return
    lk = filelock.FileLock(str(folder / f"{fname}.lock"))
    try:
        lk.acquire(timeout=0)
    except filelock.Timeout:
        if waiting:
            print(waiting, flush=True)
        lk.acquire()
    except OSError:  # the folder stopped being writable: go on without a lock
        yield
        return
    try:
        yield
    finally:
        lk.release()
