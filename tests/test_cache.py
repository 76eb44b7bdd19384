"""The course cache never trusts a file blindly, never serves another model, never stops a lesson.

(``workshop_utils.cache``, ``checkpoint``, ``shipped`` and ``trained.train_or_load``.) Each
test has its own empty cache in a temporary folder (``WORKSHOP_CACHE``); none touches the
user's. Faults: corrupted and wrong-content files, another model's unit under a model's
name, a changed recipe, a missing half of a unit, an unwritable folder, a full disk
(simulated), two processes training at once, stale ``.part`` files, a broken shipped
manifest; and the weights shipped with the package.
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

from workshop_utils import cache, checkpoint, data, shipped, trained
from workshop_utils.models import SmallCNN
from workshop_utils.trained import CNN_RECIPE, pretrained_cnn
from workshop_utils.training import History, evaluate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def empty_cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("WORKSHOP_CACHE", str(folder))
    monkeypatch.delenv("WORKSHOP_RETRAIN", raising=False)
    monkeypatch.delenv("WORKSHOP_THREADS", raising=False)
    monkeypatch.delenv("WORKSHOP_QUIET", raising=False)
    cache.forget_memory()
    shipped._told.clear()
    yield folder
    cache.forget_memory()
    shipped._told.clear()


def _tiny():
    torch.manual_seed(0)
    return SmallCNN(channels=(2, 4))


def _ident(name="tiny"):
    """A stand-in identity (trained.identity's shape) for a test model called ``name``."""
    return {"model": "workshop_utils.models.SmallCNN", "config": {"channels": [2, 4]}, "name": name}


def _key(name="tiny"):
    return trained.key_of(_ident(name))


def _load(train, name="tiny", verbose=True, **kw):
    """Load the test model ``name`` from the cache, or train it with ``train``."""
    return trained.train_or_load(_tiny(), _ident(name), train, display_name=name, use_shipped=False,
                                 verbose=verbose, **kw)


def _cnn_ident(**recipe_change):
    X, y, _, _ = data.load_mnist5k(seed=0).tensors()
    return trained.identity(SmallCNN(), X, y, seed=0, **dict(CNN_RECIPE, **recipe_change))


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


def _unit(model, history, name="tiny", **extra) -> bytes:
    buf = io.BytesIO()
    torch.save(dict({"format": checkpoint.FORMAT, "key": _key(name), "identity": _ident(name),
                     "state_dict": model.state_dict(),
                     "history": None if history is None else history.to_dict()}, **extra), buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- integrity
def test_a_flipped_byte_in_a_weights_file_is_caught_and_rebuilt(empty_cache, capsys):
    train = Trainer()
    _load(train, "tiny", verbose=False)
    path = empty_cache / "weights" / f"{_key()}.pt"
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01  # one bit, in the middle of the weights
    path.write_bytes(bytes(raw))
    model, hist = _load(train, "tiny", verbose=True)
    out = capsys.readouterr().out
    assert train.calls == 2, "the corrupted file must not be used"
    assert "SHA-256 does not match" in out and str(path) in out
    assert len([ln for ln in out.splitlines() if "not using" in ln]) == 1  # one line says it
    # the rebuilt file verifies and is used next time
    _load(train, "tiny", verbose=False)
    assert train.calls == 2


@pytest.mark.parametrize("fault, expect", [
    ("nan", "NaN or infinite"),
    ("shape", "has shape"),
    ("keys", "do not fit"),
    ("negative_time", "trained in -5.0 s"),
    ("no_epochs", "no epoch"),
    ("ragged", "losses but"),
    ("not_a_unit", "not a course weights file"),
    ("old_format", "older format"),
    ("another_key", "holds another model ('smallcnn_"),
    ("another_identity", "its name differs"),
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
    elif fault == "old_format":
        blob = _unit(model, hist, format=1)
    elif fault == "another_key":
        blob = _unit(model, hist, key=_key("other"))
    elif fault == "another_identity":
        blob = _unit(model, hist, identity=_ident("other"))
    else:
        buf = io.BytesIO()
        torch.save({"weights": 1}, buf)
        blob = buf.getvalue()
    cache.put(f"weights/{_key()}.pt", blob)  # written properly: the SHA-256 matches
    train = Trainer()
    _load(train, "tiny", verbose=True)
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
    _load(train, "tiny", verbose=False)
    folder = empty_cache / "weights"
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock")) == \
        [f"{_key()}.pt", f"{_key()}.pt.sha256"], "weights and history are one file (plus its manifest)"
    # a kill between writing the file and its manifest leaves the file alone: not used
    (folder / f"{_key()}.pt.sha256").unlink()
    model, hist = _load(train, "tiny", verbose=True)
    assert train.calls == 2 and hist is not None and hist.seconds > 0
    assert "manifest is missing" in capsys.readouterr().out
    # the old two-file layout (weights + .history.json) from earlier versions is not trusted
    torch.save(_tiny().state_dict(), folder / f"{_key('old')}.pt")
    (folder / f"{_key('old')}.history.json").write_text(json.dumps(_history().to_dict()))
    _load(train, "old", verbose=False)
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
        _load(train, "tiny", verbose=False)
        _load(train, "tiny", verbose=False)
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
        _load(train, "tiny", verbose=False)
        _load(train, "tiny", verbose=False)
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
        m1, h1 = _load(train, "tiny", verbose=False)
        m2, h2 = _load(train, "tiny", verbose=False)
    assert train.calls == 1, "finished training must not be thrown away when the disk is full"
    assert h2.to_dict() == h1.to_dict()
    for a, b in zip(m1.state_dict().values(), m2.state_dict().values()):
        assert torch.equal(a, b)
    _assert_runs_from_memory(caught, str(empty_cache), "disk is full")


def test_a_readonly_shared_cache_is_still_read(empty_cache, monkeypatch):
    """A class shares one cache prepared by the instructor; learners can read, not write."""
    train = Trainer()
    _load(train, "tiny", verbose=False)
    for p in (empty_cache / "weights").glob(f"{_key()}.pt*"):
        assert p.stat().st_mode & 0o044 == 0o044, f"{p.name} is not readable by the group/others"
    cache.forget_memory()
    monkeypatch.setattr(cache, "writable", lambda sub="": None)  # nothing can be written now
    _load(train, "tiny", verbose=False)
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
from workshop_utils import trained
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
model, hist = trained.train_or_load(SmallCNN(channels=(2, 4)), {"name": "shared"}, train,
                                    display_name="the tiny CNN", use_shipped=False,
                                    retrain=sys.argv[3] == "retrain")
print("SUM", float(sum(p.sum() for p in model.parameters())))
'''


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["load", "retrain"])
def test_two_kernels_train_a_model_once(empty_cache, tmp_path, mode):
    """Two kernels ask at once: one trains while the other waits, and says what it will do
    then: load the result, or (retrain=True) train it again, as asked."""
    script = tmp_path / "kernel.py"
    script.write_text(TWO_KERNELS)
    log = tmp_path / "trainings.log"
    env = dict(os.environ, WORKSHOP_CACHE=str(empty_cache))
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    procs = [subprocess.Popen([sys.executable, str(script), str(log), str(barrier), mode], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    deadline = time.monotonic() + 120
    while len(list(barrier.glob("ready-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    (barrier / "go").write_text("")
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    waited = [out for out in outs if "another kernel is training the tiny CNN" in out]
    assert len(waited) == 1, outs
    sums = {ln for out in outs for ln in out.splitlines() if ln.startswith("SUM")}
    assert len(sums) == 1, "both kernels end with the same weights"
    if mode == "load":
        assert log.read_text().splitlines() == ["trained"], outs
        assert "then loading its result" in waited[0] and "loaded the tiny CNN" in waited[0]
    else:
        assert log.read_text().splitlines() == ["trained", "trained"], outs
        assert "then training it again here, as asked" in waited[0] and "loaded" not in waited[0]


def test_a_waiting_kernel_says_what_it_will_do(empty_cache, capsys):
    """In one process: the lock is held elsewhere; the waiting call says load or train again."""
    import threading

    import filelock

    for retrain, says in ((False, "then loading its result"), (True, "then training it again here")):
        folder = cache.writable("weights")
        held = filelock.FileLock(str(folder / f"{_key()}.pt.lock"))
        held.acquire()
        train = Trainer()
        worker = threading.Thread(target=_load, args=(train, "tiny"), kwargs={"retrain": retrain})
        worker.start()
        time.sleep(0.5)
        held.release()
        worker.join(30)
        out = capsys.readouterr().out
        assert f"another kernel is training tiny right now; waiting for it to finish, {says}" in out, out
        if retrain:
            assert train.calls == 1 and "training tiny now" in out


# --------------------------------------------------------------------------- threads
def test_thread_count_is_part_of_the_identity(empty_cache, monkeypatch):
    X, y = torch.rand(8, 1, 28, 28), torch.randint(0, 10, (8,))
    monkeypatch.setenv("WORKSHOP_THREADS", "2")
    two = trained.identity(_tiny(), X, y, epochs=1)
    monkeypatch.setenv("WORKSHOP_THREADS", "1")
    one = trained.identity(_tiny(), X, y, epochs=1)
    assert two["threads"] == 2 and one["threads"] == 1 and trained.key_of(one) != trained.key_of(two)
    monkeypatch.setenv("WORKSHOP_THREADS", "many")
    with pytest.raises(ValueError, match="WORKSHOP_THREADS"):
        trained.identity(_tiny(), X, y, epochs=1)


def test_fit_trains_on_the_set_thread_count_and_restores_it(monkeypatch):
    from workshop_utils.training import fit

    seen = []
    monkeypatch.setenv("WORKSHOP_THREADS", "1")
    before = torch.get_num_threads()
    X, y = torch.rand(32, 1, 28, 28), torch.randint(0, 10, (32,))
    fit(_tiny(), X, y, epochs=1, progress=False, on_epoch=lambda e, h: seen.append(torch.get_num_threads()))
    assert seen == [1] and torch.get_num_threads() == before


# --------------------------------------------------------------------------- shipped
def _shipped_keys():
    from workshop_utils.trained import VIT_CONFIG, VIT_RECIPE
    from workshop_utils.vit import TinyViT

    X, y, _, _ = data.load_mnist5k(seed=0).tensors()
    keys = {trained.key_of(_cnn_ident()),
            trained.key_of(trained.identity(TinyViT(**VIT_CONFIG), X, y, seed=0, **VIT_RECIPE))}
    Xl, yl, counts = trained.lesson07_data()
    for loss_fn in trained.lesson07_losses(counts).values():
        keys.add(trained.key_of(trained.identity(SmallCNN(), Xl, yl, seed=0, loss_fn=loss_fn,
                                                 **trained.LESSON07["recipe"])))
    return keys


def test_shipped_weights_verify_and_are_what_lessons_06_to_10_ask_for():
    assert shipped.verify() == []
    units = shipped.manifest()["units"]
    assert set(units) == _shipped_keys(), "rebuild them: python -m workshop_utils.trained"
    assert sum(u["bytes"] for u in units.values()) < 2_000_000
    for key, info in units.items():  # each file says which model it is, and it is that model
        unit = checkpoint.decode((shipped.FOLDER / info["file"]).read_bytes())
        assert unit["key"] == key and trained.key_of(unit["identity"]) == key


def test_an_empty_cache_loads_the_shipped_cnn_without_training(empty_cache, capsys):
    model = pretrained_cnn(0)
    out = capsys.readouterr().out
    assert "loaded the CNN that ships with the course" in out and "training" not in out
    assert "pretrained_cnn(retrain=True) trains it here" in out
    assert not (empty_cache / "weights").exists() or not list((empty_cache / "weights").glob("*.pt"))
    Xte, yte = data.load_mnist5k(seed=0).tensors()[2:]
    assert evaluate(model, Xte, yte) > 0.97


def test_a_model_trained_here_says_so_when_it_loads(empty_cache, capsys):
    """Loaded from the course cache, the line says it was trained here, not that it shipped."""
    train = Trainer()
    _load(train, "tiny")
    capsys.readouterr()
    _load(train, "tiny", how_to_retrain="WORKSHOP_RETRAIN=1")
    out = capsys.readouterr().out
    assert out.startswith("loaded tiny, trained here earlier in 1.5 s and kept in the course cache")
    assert "WORKSHOP_RETRAIN=1 trains it again" in out and "ships" not in out


def test_another_models_unit_under_the_cnns_name_is_not_loaded_as_the_cnn(empty_cache, capsys):
    """Lesson 07's cross-entropy SmallCNN, written under the CNN's file name with a matching
    manifest, is not "the CNN": its own key and identity say so (it would score 0.881)."""
    cnn_key = trained.key_of(_cnn_ident())
    units = shipped.manifest()["units"]
    ce_key = next(k for k, u in units.items() if u["what"] == "lesson07 CrossEntropyLoss")
    cache.put(f"weights/{cnn_key}.pt", (shipped.FOLDER / f"{ce_key}.pt").read_bytes())  # manifest matches
    model = pretrained_cnn(0)
    out = capsys.readouterr().out
    assert "holds another model" in out and "loaded the CNN that ships with the course" in out
    Xte, yte = data.load_mnist5k(seed=0).tensors()[2:]
    assert evaluate(model, Xte, yte) == pytest.approx(0.986)  # the shipped CNN (trained.CNN_RECIPE)


def test_a_changed_recipe_is_never_served_the_old_model(empty_cache, capsys):
    """The key is a hash of the recipe (and model, seed, data): no version number to bump."""
    assert trained.key_of(_cnn_ident(epochs=19)) != trained.key_of(_cnn_ident())
    assert trained.key_of(_cnn_ident(lr=4e-3)) not in shipped.manifest()["units"]
    X, y = torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,))
    calls = []

    def count(epoch, history):
        calls.append(epoch)

    old = dict(epochs=1, lr=1e-3)
    new = dict(epochs=1, lr=2e-3)
    trained.fit_or_load(_tiny(), X, y, verbose=False, progress=False, on_epoch=count, **old)
    trained.fit_or_load(_tiny(), X, y, verbose=False, progress=False, on_epoch=count, **new)
    assert len(calls) == 2, "the changed recipe trained"
    # the old model copied under the new recipe's name is refused: its recipe differs
    ident_old = trained.identity(_tiny(), X, y, **old)
    ident_new = trained.identity(_tiny(), X, y, **new)
    folder = empty_cache / "weights"
    old_bytes = (folder / f"{trained.key_of(ident_old)}.pt").read_bytes()
    unit = checkpoint.decode(old_bytes)
    unit["key"] = trained.key_of(ident_new)  # even with the new name written inside
    buf = io.BytesIO()
    torch.save(unit, buf)
    cache.put(f"weights/{trained.key_of(ident_new)}.pt", buf.getvalue())
    capsys.readouterr()
    trained.fit_or_load(_tiny(), X, y, progress=False, on_epoch=count, **new)
    assert len(calls) == 3 and "its recipe differs" in capsys.readouterr().out


def test_identity_names_model_recipe_seed_and_data():
    X, y = torch.rand(16, 1, 28, 28), torch.randint(0, 10, (16,))
    base = trained.identity(_tiny(), X, y, epochs=1)
    assert set(base) == {"model", "config", "recipe", "seed", "data", "threads"}
    others = [trained.identity(SmallCNN(channels=(2, 5)), X, y, epochs=1),
              trained.identity(_tiny(), X, y, epochs=2),
              trained.identity(_tiny(), X, y, seed=1, epochs=1),
              trained.identity(_tiny(), X + 0, y.flip(0), epochs=1),
              trained.identity(_tiny(), X, y, epochs=1,
                               loss_fn=torch.nn.CrossEntropyLoss(label_smoothing=0.1))]
    keys = {trained.key_of(i) for i in [base] + others}
    assert len(keys) == 6
    assert trained.identity(_tiny(), X.clone(), y.clone(), epochs=1) == base  # same values, same model


def test_presenter_mode_leaves_out_where_the_weights_came_from(empty_cache, monkeypatch, capsys):
    """WORKSHOP_QUIET=1 (make present): no "loaded the … weights" line on a projected page."""
    train = Trainer()
    _load(train, "quiet-tiny")
    assert "training quiet-tiny now" in capsys.readouterr().out
    _load(train, "quiet-tiny")
    assert "loaded quiet-tiny, trained here earlier" in capsys.readouterr().out  # learners see it
    monkeypatch.setenv("WORKSHOP_QUIET", "1")
    _load(train, "quiet-tiny")
    pretrained_cnn(0)  # the shipped weights
    assert capsys.readouterr().out == "" and train.calls == 1


def test_a_corrupted_shipped_file_is_not_used(tmp_path, monkeypatch, capsys):
    import shutil

    key = trained.key_of(_cnn_ident())
    copy = tmp_path / "weights"
    shutil.copytree(shipped.FOLDER, copy)
    path = copy / f"{key}.pt"
    raw = bytearray(path.read_bytes())
    raw[-100] ^= 0x10
    path.write_bytes(bytes(raw))
    monkeypatch.setattr(shipped, "FOLDER", copy)
    assert shipped.verify(copy) and "does not match" in shipped.verify(copy)[0]
    assert shipped.read(key) is None
    assert "not used" in capsys.readouterr().out


def test_a_broken_shipped_manifest_is_one_clear_line(empty_cache, tmp_path, monkeypatch, capsys):
    """A broken weights/MANIFEST.json: the lesson trains, and one line says why (once)."""
    import shutil

    copy = tmp_path / "weights"
    shutil.copytree(shipped.FOLDER, copy)
    (copy / shipped.MANIFEST).write_text('{"units": {"smallcnn_')  # cut short
    monkeypatch.setattr(shipped, "FOLDER", copy)
    ident = _cnn_ident()
    train = Trainer()
    for _ in range(2):
        trained.train_or_load(SmallCNN(), ident, train, display_name="the CNN", use_shipped=True)
        cache.forget_memory()
        for f in (empty_cache / "weights").glob("*.pt*"):
            f.unlink()
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "MANIFEST.json" in ln]
    assert len(lines) == 1 and train.calls == 2, lines
    assert "shipped weights cannot be used" in lines[0] and "unreadable (JSONDecodeError" in lines[0]
    assert "training instead" in lines[0] and "python -m workshop_utils.check" in lines[0]
    assert shipped.verify(copy) == [lines[0].split("cannot be used: ")[1].split("; training")[0]]


def test_announcement_before_training_says_how_long(empty_cache, capsys):
    """When nothing matches, the lesson says so before training starts, with a measured time."""
    key = trained.key_of(_cnn_ident())
    line = trained._announce("the CNN", key)
    secs = shipped.manifest()["units"][key]["seconds"]
    assert line.startswith("training the CNN now: about ") and f"{secs:.0f} s" in line
    assert "core CPU" in line
    assert trained._announce("x", "unknown_key") == "training x now; the result is saved for later runs"


@pytest.mark.slow
def test_the_shipped_cnn_is_what_its_recipe_trains_with_the_same_cpu_kernels(tmp_path):
    """What the course promises about seeds: the same seed, torch and CPU kernels give the same
    weights, bit for bit. The shipped set is made with AVX2 kernels; retrained here with them
    (ATEN_CPU_CAPABILITY=avx2), the CNN equals the shipped file. (Measured on this machine's
    own AVX512 kernels it differs in the last bits, amplified by training.)"""
    import platform

    made = shipped.manifest()["made_on"]
    if platform.machine() not in ("x86_64", "AMD64") or made["torch"] != torch.__version__:
        pytest.skip(f"the shipped set was made with torch {made['torch']} on x86_64")
    code = ("import torch; from workshop_utils import trained, checkpoint, shipped\n"
            "m = trained.pretrained_cnn(0, verbose=False, retrain=True)\n"
            "X, y = trained._mnist5k_train()\n"
            "key = trained.key_of(trained.identity(m, X, y, seed=0, **trained.CNN_RECIPE))\n"
            "ship = checkpoint.decode((shipped.FOLDER / f'{key}.pt').read_bytes())['state_dict']\n"
            "print('EQUAL', all(torch.equal(v, ship[k]) for k, v in m.state_dict().items()))\n")
    env = dict(os.environ, WORKSHOP_CACHE=str(tmp_path), ATEN_CPU_CAPABILITY="avx2",
               ONEDNN_MAX_CPU_ISA="AVX2", PYTHONPATH=str(ROOT))
    env.pop("WORKSHOP_THREADS", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert "EQUAL True" in out.stdout, out.stdout + out.stderr


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
    assert "loaded the CNN that ships with the course" in text and "training the CNN now" not in text
