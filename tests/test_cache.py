"""The course cache never trusts a file blindly and never stops a lesson (workshop_utils.cache).

Each test has its own empty cache in a temporary folder (``WORKSHOP_CACHE``); none touches
the user's. Faults: corrupted and wrong-content files, a missing half of a unit, an
unwritable folder, a full disk (simulated), two processes training at once, stale ``.part``
files; and the weights shipped with the package.
"""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from workshop_utils import cache, data, shipped
from workshop_utils.models import SmallCNN, cnn_key, pretrained_cnn
from workshop_utils.training import History

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def empty_cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("WORKSHOP_CACHE", str(folder))
    monkeypatch.delenv("WORKSHOP_RETRAIN", raising=False)
    monkeypatch.delenv("WORKSHOP_THREADS", raising=False)
    cache.forget_memory()
    yield folder
    cache.forget_memory()


def _tiny():
    torch.manual_seed(0)
    return SmallCNN(channels=(2, 4))


def _history(n=2, seconds=1.5):
    return History(loss=[1.0] * n, train_acc=[0.5] * n, val_acc=[], seconds=seconds,
                   times=[seconds * (i + 1) / n for i in range(n)])


class Trainer:
    """A train_fn that counts its calls and returns a plausible History."""

    def __init__(self):
        self.calls = 0

    def __call__(self, model):
        self.calls += 1
        with torch.no_grad():
            for p in model.parameters():
                p.add_(0.01)
        return _history()


def _unit(model, history, **extra) -> bytes:
    buf = io.BytesIO()
    torch.save(dict({"format": 1, "key": "k", "state_dict": model.state_dict(),
                     "history": None if history is None else history.to_dict()}, **extra), buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- integrity
def test_a_flipped_byte_in_a_weights_file_is_caught_and_rebuilt(empty_cache, capsys):
    train = Trainer()
    cache.cached_training(_tiny(), "tiny", train, verbose=False, shipped=False)
    path = empty_cache / "weights" / "tiny.pt"
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01  # one bit, in the middle of the weights
    path.write_bytes(bytes(raw))
    model, hist = cache.cached_training(_tiny(), "tiny", train, verbose=True, shipped=False)
    out = capsys.readouterr().out
    assert train.calls == 2, "the corrupted file must not be used"
    assert "SHA-256 does not match" in out and str(path) in out
    assert len([ln for ln in out.splitlines() if "not using" in ln]) == 1  # one line says it
    # the rebuilt file verifies and is used next time
    cache.cached_training(_tiny(), "tiny", train, verbose=False, shipped=False)
    assert train.calls == 2


@pytest.mark.parametrize("fault, expect", [
    ("nan", "NaN or infinite"),
    ("shape", "has shape"),
    ("keys", "do not fit"),
    ("negative_time", "trained in -5.0 s"),
    ("no_epochs", "no epoch"),
    ("ragged", "losses but"),
    ("not_a_unit", "not a course weights file"),
])
def test_meaningless_content_with_a_valid_checksum_is_rejected(fault, expect, capsys):
    """Right checksum, wrong meaning: random-shaped, NaN, or a history that cannot be true."""
    model, hist = _tiny(), _history()
    if fault == "nan":
        sd = model.state_dict()
        sd["fc.weight"][0, 0] = float("nan")
        blob = _unit(model, hist)
    elif fault == "shape":
        blob = _unit(SmallCNN(channels=(2, 5)), hist)
    elif fault == "keys":
        blob = _unit(torch.nn.Linear(3, 2), hist)
    elif fault == "negative_time":
        blob = _unit(model, _history(seconds=-5.0))
    elif fault == "no_epochs":
        blob = _unit(model, History(loss=[], train_acc=[], val_acc=[], seconds=1.0, times=[]))
    elif fault == "ragged":
        h = _history(3)
        h.train_acc = h.train_acc[:1]
        blob = _unit(model, h)
    else:
        buf = io.BytesIO()
        torch.save({"weights": 1}, buf)
        blob = buf.getvalue()
    cache.put("weights/tiny.pt", blob)  # written properly: the SHA-256 matches
    train = Trainer()
    cache.cached_training(_tiny(), "tiny", train, verbose=True, shipped=False)
    assert train.calls == 1
    assert expect in capsys.readouterr().out


def test_wrong_mnist_content_is_rebuilt_from_the_source(empty_cache, capsys):
    """A valid .npz with a valid checksum but 10 float images and shuffled labels."""
    src_sha = data._sha256(data._mnist5k_source())
    for X, y, why in [
        (np.random.rand(10, 28, 28), np.arange(10), "expected uint8"),
        (np.zeros((5000, 28, 28), np.uint8), np.repeat(np.arange(5), 1000), "class counts"),
        (np.zeros((5000, 28, 28), np.uint8), np.full(5000, 12), "labels run from"),
    ]:
        buf = io.BytesIO()
        np.savez(buf, X=X, y=y.astype(np.int64), source_sha256=np.array(src_sha))
        cache.put(data.MNIST5K_CACHE, buf.getvalue())
        Xg, yg = data._load_mnist5k_arrays()
        assert Xg.shape == (5000, 28, 28) and Xg.dtype == np.uint8
        assert np.bincount(yg).tolist() == [500] * 10
        assert why in capsys.readouterr().out
    # and one parsed from another source file
    buf = io.BytesIO()
    np.savez(buf, X=Xg, y=yg, source_sha256=np.array("0" * 64))
    cache.put(data.MNIST5K_CACHE, buf.getvalue())
    data._load_mnist5k_arrays()
    assert "another mnist_5k.csv.gz" in capsys.readouterr().out


# --------------------------------------------------------------------------- one unit
def test_weights_and_history_are_one_unit_and_a_half_unit_is_never_used(empty_cache, capsys):
    train = Trainer()
    cache.cached_training(_tiny(), "tiny", train, verbose=False, shipped=False)
    folder = empty_cache / "weights"
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock")) == \
        ["tiny.pt", "tiny.pt.sha256"], "weights and history are one file (plus its manifest)"
    # a kill between writing the file and its manifest leaves the file alone: not used
    (folder / "tiny.pt.sha256").unlink()
    model, hist = cache.cached_training(_tiny(), "tiny", train, verbose=True, shipped=False)
    assert train.calls == 2 and hist is not None and hist.seconds > 0
    assert "manifest is missing" in capsys.readouterr().out
    # the old two-file layout (weights + .history.json) from earlier versions is not trusted
    torch.save(_tiny().state_dict(), folder / "old.pt")
    (folder / "old.history.json").write_text(json.dumps(_history().to_dict()))
    cache.cached_training(_tiny(), "old", train, verbose=False, shipped=False)
    assert train.calls == 3


# --------------------------------------------------------------------------- fallbacks
def _assert_runs_from_memory(caught, folder_text, reason):
    msgs = [str(w.message) for w in caught if issubclass(w.category, cache.CacheWarning)]
    assert len(msgs) == 1, msgs
    assert folder_text in msgs[0] and reason in msgs[0] and "WORKSHOP_CACHE" in msgs[0]


def test_cache_path_is_a_file_lesson_runs_from_memory(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("I am a file")
    monkeypatch.setenv("WORKSHOP_CACHE", str(not_a_folder))
    train = Trainer()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        split = data.load_mnist5k()
        cache.cached_training(_tiny(), "tiny", train, verbose=False, shipped=False)
        cache.cached_training(_tiny(), "tiny", train, verbose=False, shipped=False)
        data.load_mnist5k()
    assert split.X_train.shape == (4000, 28, 28)
    assert train.calls == 1, "the trained model is kept in memory for the session"
    _assert_runs_from_memory(caught, str(not_a_folder), "not a folder")


def test_unwritable_home_cache_lesson_runs_from_memory(tmp_path, monkeypatch):
    """No WORKSHOP_CACHE and an OS cache folder that cannot be made (XDG_CACHE_HOME is a file)."""
    monkeypatch.delenv("WORKSHOP_CACHE")
    blocker = tmp_path / "xdg"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data.load_mnist5k()
    _assert_runs_from_memory(caught, str(blocker), "WORKSHOP_CACHE")


@pytest.mark.parametrize("err, reason", [
    (errno.EACCES, "permission denied"), (errno.EROFS, "read-only file system"),
])
def test_unwritable_folder_lesson_runs_from_memory(empty_cache, monkeypatch, err, reason):
    """Permissions and a read-only file system (simulated: the tests run as root, whom mode
    bits do not stop): every attempt to create a file there fails with that error."""
    import tempfile

    real = tempfile.mkstemp

    def refuse(*a, **k):
        if str(k.get("dir", "")).startswith(str(empty_cache)):
            raise (PermissionError if err == errno.EACCES else OSError)(err, os.strerror(err))
        return real(*a, **k)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    train = Trainer()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cache.cached_training(_tiny(), "tiny", train, verbose=False, shipped=False)
        cache.cached_training(_tiny(), "tiny", train, verbose=False, shipped=False)
    assert train.calls == 1
    _assert_runs_from_memory(caught, str(empty_cache), reason)


def test_full_disk_keeps_the_finished_training(empty_cache, monkeypatch):
    real = cache._atomic_write

    def full(path, data):
        if path.name.endswith(".pt"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(cache, "_atomic_write", full)
    train = Trainer()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m1, h1 = cache.cached_training(_tiny(), "tiny", train, verbose=False, shipped=False)
        m2, h2 = cache.cached_training(_tiny(), "tiny", train, verbose=False, shipped=False)
    assert train.calls == 1, "finished training must not be thrown away when the disk is full"
    assert h2.to_dict() == h1.to_dict()
    for a, b in zip(m1.state_dict().values(), m2.state_dict().values()):
        assert torch.equal(a, b)
    _assert_runs_from_memory(caught, str(empty_cache), "disk is full")


def test_a_readonly_shared_cache_is_still_read(empty_cache, monkeypatch):
    """A class shares one cache prepared by the instructor; learners can read, not write."""
    train = Trainer()
    cache.cached_training(_tiny(), "tiny", train, verbose=False, shipped=False)
    for p in (empty_cache / "weights").glob("tiny.pt*"):
        assert p.stat().st_mode & 0o044 == 0o044, f"{p.name} is not readable by the group/others"
    cache.forget_memory()
    monkeypatch.setattr(cache, "writable", lambda sub="": None)  # nothing can be written now
    cache.cached_training(_tiny(), "tiny", train, verbose=False, shipped=False)
    assert train.calls == 1


def test_stale_part_files_are_removed(empty_cache):
    empty_cache.mkdir(parents=True)
    old, fresh = empty_cache / "old.part", empty_cache / "fresh.part"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    hours_ago = time.time() - 2 * cache.STALE_PART_S
    os.utime(old, (hours_ago, hours_ago))
    cache.writable()
    assert not old.exists() and fresh.exists()  # a write in progress elsewhere is left alone


# --------------------------------------------------------------------------- one training
TWO_KERNELS = r'''
import os, pathlib, sys, time, torch
from workshop_utils import cache
from workshop_utils.models import SmallCNN
from workshop_utils.training import History

def train(model):
    with open(sys.argv[1], "a") as fh:
        fh.write("trained\n")
    time.sleep(3)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    return History(loss=[1.0], train_acc=[0.5], val_acc=[], seconds=3.0, times=[3.0])

# both kernels ask for the model at the same moment (a barrier), as two lessons opened together
folder = pathlib.Path(sys.argv[2])
(folder / f"ready-{os.getpid()}").write_text("")
while not (folder / "go").exists():
    time.sleep(0.05)
torch.manual_seed(0)
model, hist = cache.cached_training(SmallCNN(channels=(2, 4)), "shared", train, shipped=False,
                                    label="the tiny CNN")
print("SUM", float(sum(p.sum() for p in model.parameters())))
'''


@pytest.mark.slow
def test_two_kernels_train_a_model_once(empty_cache, tmp_path):
    script = tmp_path / "kernel.py"
    script.write_text(TWO_KERNELS)
    log = tmp_path / "trainings.log"
    env = dict(os.environ, WORKSHOP_CACHE=str(empty_cache))
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    procs = [subprocess.Popen([sys.executable, str(script), str(log), str(barrier)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    deadline = time.monotonic() + 120
    while len(list(barrier.glob("ready-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    (barrier / "go").write_text("")
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert log.read_text().splitlines() == ["trained"], outs
    sums = {ln for out in outs for ln in out.splitlines() if ln.startswith("SUM")}
    assert len(sums) == 1, "both kernels end with the same weights"
    assert sum("another lesson is training the tiny CNN" in out for out in outs) == 1, outs


# --------------------------------------------------------------------------- threads
def test_thread_count_is_part_of_the_key(empty_cache, monkeypatch):
    monkeypatch.setenv("WORKSHOP_THREADS", "2")
    train = Trainer()
    cache.cached_training(_tiny(), "tiny", train, verbose=False, shipped=False)
    assert (empty_cache / "weights" / "tiny_t2.pt").exists()
    monkeypatch.setenv("WORKSHOP_THREADS", "1")
    cache.cached_training(_tiny(), "tiny", train, verbose=False, shipped=False)
    assert train.calls == 2 and (empty_cache / "weights" / "tiny.pt").exists()
    monkeypatch.setenv("WORKSHOP_THREADS", "many")
    with pytest.raises(ValueError, match="WORKSHOP_THREADS"):
        cache.cached_training(_tiny(), "tiny", train, verbose=False, shipped=False)


def test_fit_trains_on_the_set_thread_count_and_restores_it(monkeypatch):
    from workshop_utils.training import fit

    seen = []
    monkeypatch.setenv("WORKSHOP_THREADS", "1")
    before = torch.get_num_threads()
    X, y = torch.rand(32, 1, 28, 28), torch.randint(0, 10, (32,))
    fit(_tiny(), X, y, epochs=1, progress=False, on_epoch=lambda e, h: seen.append(torch.get_num_threads()))
    assert seen == [1] and torch.get_num_threads() == before


# --------------------------------------------------------------------------- shipped
def test_shipped_weights_verify_and_cover_what_lessons_06_to_10_load():
    assert shipped.verify() == []
    units = shipped.manifest()["units"]
    from workshop_utils.vit import vit_key

    expected = {cnn_key(0), vit_key(0)} | {shipped.lesson07_key(n) for n in shipped.LESSON07_LOSSES}
    assert set(units) == expected
    assert sum(u["bytes"] for u in units.values()) < 2_000_000
    # the keys lessons 07 and 10 build in their own code are the shipped ones
    from nbtools import notebook_code

    for nb in ("07_cross_entropy_vs_focal.ipynb", "10_key_takeaways.ipynb"):
        code = notebook_code(ROOT / "notebooks" / nb)
        assert 'key = f"lesson07_v{VERSION}_{name.split()[0].lower()}_imb20_e{EPOCHS}_seed{SEED}"' in code
        r = shipped.LESSON07
        ns = {}
        for line in code.splitlines():  # the settings' assignment lines, run as they are
            if line.startswith(("RARE", "SEED")) and " = " in line:
                exec(line.split("#")[0], ns)  # noqa: S102 - the course's own notebook
        assert (ns["SEED"], ns["EPOCHS"], ns["VERSION"]) == (r["seed"], r["epochs"], r["version"]), nb
        assert tuple(ns["RARE"]) == r["rare"], nb
        assert f"imbalance={r['imbalance']}, rare=RARE, seed=0" in code, nb
        assert "lr=3e-3, batch_size=64" in code and (r["lr"], r["batch_size"]) == (3e-3, 64), nb


def test_an_empty_cache_loads_the_shipped_cnn_without_training(empty_cache, capsys):
    model = pretrained_cnn(0)
    out = capsys.readouterr().out
    assert "shipped with the package" in out and "training" not in out.replace("trained in", "")
    assert not (empty_cache / "weights").exists() or not list((empty_cache / "weights").glob("*.pt"))
    Xte, yte = data.load_mnist5k(seed=0).tensors()[2:]
    from workshop_utils.training import evaluate

    assert evaluate(model, Xte, yte) > 0.97


def test_presenter_mode_leaves_out_where_the_weights_came_from(empty_cache, monkeypatch, capsys):
    """WORKSHOP_QUIET=1 (make present): no "loaded the cached weights …" on a projected page."""
    train = Trainer()
    cache.cached_training(_tiny(), "quiet-tiny", train, shipped=False)
    assert "training quiet-tiny now" in capsys.readouterr().out
    cache.cached_training(_tiny(), "quiet-tiny", train, shipped=False)
    assert "loaded the cached weights quiet-tiny" in capsys.readouterr().out  # learners see it
    monkeypatch.setenv("WORKSHOP_QUIET", "1")
    cache.cached_training(_tiny(), "quiet-tiny", train, shipped=False)
    pretrained_cnn(0)  # the shipped weights
    assert capsys.readouterr().out == "" and train.calls == 1


def test_a_corrupted_shipped_file_is_not_used(tmp_path, monkeypatch, capsys):
    import shutil

    copy = tmp_path / "weights"
    shutil.copytree(shipped.FOLDER, copy)
    path = copy / f"{cnn_key(0)}.pt"
    raw = bytearray(path.read_bytes())
    raw[-100] ^= 0x10
    path.write_bytes(bytes(raw))
    monkeypatch.setattr(shipped, "FOLDER", copy)
    assert shipped.verify(copy) and "does not match" in shipped.verify(copy)[0]
    called = []

    def decode(b):
        called.append(1)
        return torch.load(io.BytesIO(b), weights_only=True)

    assert shipped.load(cnn_key(0), decode, lambda u: None) is None
    assert called == [] and "not used" in capsys.readouterr().out


def test_announcement_before_training_says_how_long(empty_cache, capsys):
    """When nothing matches, the lesson says so before training starts, with a measured time."""
    line = shipped.announce("the CNN", cnn_key(0))
    secs = shipped.manifest()["units"][cnn_key(0)]["seconds"]
    assert line.startswith("training the CNN now: about ") and f"{secs:.0f} s" in line
    assert "core CPU" in line
    assert shipped.announce("x", "unknown_key") == "training x now; the result is saved for later runs"


@pytest.mark.slow
def test_lesson_06_runs_with_an_unusable_cache_and_says_so_once(tmp_path, monkeypatch):
    """A learner whose WORKSHOP_CACHE names a file: lesson 06 runs from memory (shipped
    weights, MNIST parsed in memory), with one warning that names the folder and the fix."""
    import nbformat
    from nbclient import NotebookClient

    not_a_folder = tmp_path / "cache-is-a-file"
    not_a_folder.write_text("")
    monkeypatch.setenv("WORKSHOP_CACHE", str(not_a_folder))
    nb = nbformat.read(ROOT / "notebooks" / "06_softmax.ipynb", as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                     for o in c.get("outputs", []) if o.get("output_type") == "stream")
    assert text.count("cannot be written") == 1, text[-3000:]
    assert str(not_a_folder) in text and "WORKSHOP_CACHE" in text
    assert "shipped with the package" in text and "training the CNN now" not in text
