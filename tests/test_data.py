import gzip
import hashlib
import http.server
import struct
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from workshop_utils import data


def test_photo_is_uint8_rgb():
    for name in data.PHOTOS:
        img = data.load_photo(name)
        assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3
        assert img.max() > 200 and img.min() < 50  # a real photo, not a constant


def test_photo_bad_name():
    with pytest.raises(ValueError, match="unknown photo"):
        data.load_photo("cat")


def test_mnist5k_split_is_stratified_and_seeded():
    s = data.load_mnist5k(test_size=0.2, seed=0)
    assert s.X_train.shape == (4000, 28, 28) and s.X_test.shape == (1000, 28, 28)
    assert s.X_train.dtype == np.uint8 and s.y_train.dtype == np.int64
    assert set(np.unique(s.y_train)) == set(range(10))
    full = np.bincount(np.concatenate([s.y_train, s.y_test]), minlength=10)
    test = np.bincount(s.y_test, minlength=10)
    assert np.all(np.abs(test - 0.2 * full) <= 1)
    again = data.load_mnist5k(test_size=0.2, seed=0)
    assert np.array_equal(again.X_test, s.X_test) and np.array_equal(again.y_train, s.y_train)
    other = data.load_mnist5k(test_size=0.2, seed=1)
    assert not np.array_equal(other.y_test, s.y_test)
    # no image is in both sets: 5,000 distinct indices
    assert len(s.X_train) + len(s.X_test) == 5000


def test_mnist5k_images_look_like_digits():
    s = data.load_mnist5k()
    mean_img = s.X_train[s.y_train == 1].mean(0)
    # ones are thin vertical strokes: ink in the centre column, little at the sides
    assert mean_img[:, 12:16].mean() > 3 * mean_img[:, :6].mean()


def test_mnist5k_cache_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path))
    data.load_mnist5k()
    cached = tmp_path / "mnist5k_v2.npz"
    assert cached.exists() and (tmp_path / "mnist5k_v2.npz.sha256").exists()
    calls = []
    monkeypatch.setattr(np, "loadtxt", lambda *a, **k: calls.append(1))
    s = data.load_mnist5k()
    assert calls == [] and s.X_train.shape == (4000, 28, 28)


def test_broken_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path))
    (tmp_path / "mnist5k_v2.npz").write_bytes(b"not a zip file")
    s = data.load_mnist5k()
    assert s.X_train.shape == (4000, 28, 28)
    with np.load(tmp_path / "mnist5k_v2.npz") as z:
        assert z["X"].shape == (5000, 28, 28)


def test_tensors_layout():
    s = data.load_mnist5k()
    Xtr, ytr, Xte, yte = s.tensors()
    assert Xtr.shape == (4000, 1, 28, 28) and Xtr.dtype == torch.float32
    assert 0.0 <= float(Xtr.min()) and float(Xtr.max()) <= 1.0
    assert ytr.dtype == torch.int64 and yte.shape == (1000,)
    flat = s.tensors(flatten=True)[0]
    assert flat.shape == (4000, 784)
    assert torch.equal(flat[0], Xtr[0].reshape(-1))


def test_digits8x8():
    s = data.load_digits8x8(test_size=0.25, seed=3)
    assert s.image_shape == (8, 8) and s.X_train.dtype == np.uint8
    assert s.X_train.max() == 255 and len(s.X_train) + len(s.X_test) == 1797


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1])
def test_bad_test_size(bad):
    with pytest.raises(ValueError, match="test_size"):
        data.load_mnist5k(test_size=bad)


def test_long_tailed_profile():
    s = data.load_mnist5k()
    X, y, counts = data.long_tailed(s.X_train, s.y_train, imbalance=20, rare=[3, 8], seed=0)
    assert counts[3] < counts[0] and counts[8] == min(counts.values())
    assert counts[0] == max(counts.values()) == 400
    assert max(counts.values()) / min(counts.values()) == pytest.approx(20, rel=0.05)
    assert len(X) == len(y) == sum(counts.values())
    for c, n in counts.items():
        assert np.sum(y == c) == n
    X2, y2, _ = data.long_tailed(s.X_train, s.y_train, imbalance=20, rare=[3, 8], seed=0)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


def test_long_tailed_errors():
    s = data.load_mnist5k()
    with pytest.raises(ValueError, match="do not occur"):
        data.long_tailed(s.X_train, s.y_train, rare=[11])
    with pytest.raises(ValueError, match="must match"):
        data.long_tailed(s.X_train[:10], s.y_train)
    with pytest.raises(ValueError, match="at least 1"):
        data.long_tailed(s.X_train, s.y_train, imbalance=0.5)
    with pytest.raises(ValueError, match="lower n_max"):
        data.long_tailed(s.X_train, s.y_train, n_max=10_000)


# ----------------------------------------------------------------- IDX and downloads
def _idx_bytes(arr: np.ndarray) -> bytes:
    code = {np.uint8: 0x08, np.int32: 0x0C}[arr.dtype.type]
    head = struct.pack(">HBB", 0, code, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def _write_fake_dataset(folder: Path, n=12):
    """Small IDX files the test writes itself, and their SHA-256 sums."""
    rng = np.random.default_rng(0)
    files = {}
    for prefix, count in (("train", n), ("t10k", n // 2)):
        imgs = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=count).astype(np.uint8)
        files[f"{prefix}-images-idx3-ubyte.gz"] = gzip.compress(_idx_bytes(imgs), mtime=0)
        files[f"{prefix}-labels-idx1-ubyte.gz"] = gzip.compress(_idx_bytes(labels), mtime=0)
    folder.mkdir(parents=True, exist_ok=True)
    for name, blob in files.items():
        (folder / name).write_bytes(blob)
    hashes = {name: hashlib.sha256(blob).hexdigest() for name, blob in files.items()}
    return hashes


class _Server:
    """A loopback HTTP server over one folder, counting requests."""

    def __init__(self, folder: Path):
        self.requests = []
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **k):
                super().__init__(*a, directory=str(folder), **k)

            def log_message(self, *args):
                outer.requests.append(self.path)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _dead_url():
    """A loopback URL on which nothing listens (connection refused: 'offline')."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/"


def test_read_idx_roundtrip(tmp_path):
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    p = tmp_path / "x-idx3-ubyte.gz"
    p.write_bytes(gzip.compress(_idx_bytes(arr)))
    assert np.array_equal(data.read_idx(p), arr)
    p2 = tmp_path / "y-idx1-ubyte"
    p2.write_bytes(_idx_bytes(np.array([1, -2, 3], dtype=np.int32)))
    assert data.read_idx(p2).tolist() == [1, -2, 3]


def test_read_idx_rejects_garbage(tmp_path):
    p = tmp_path / "bad"
    p.write_bytes(b"\x01\x02\x03\x04\x05\x06\x07\x08")
    with pytest.raises(ValueError, match="magic"):
        data.read_idx(p)
    q = tmp_path / "short"
    q.write_bytes(_idx_bytes(np.zeros((3, 2), np.uint8))[:-1])
    with pytest.raises(ValueError, match="declares shape"):
        data.read_idx(q)


def test_fetch_full_downloads_checks_and_caches(tmp_path):
    hashes = _write_fake_dataset(tmp_path / "srv")
    cache = tmp_path / "cache"
    with _Server(tmp_path / "srv") as srv:
        X, y = data.fetch_full("mnist", "train", mirrors=[srv.url], hashes=hashes, folder=cache)
        assert X.shape == (12, 28, 28) and X.dtype == np.uint8 and y.dtype == np.int64
        first = len(srv.requests)
        X2, _ = data.fetch_full("mnist", "train", mirrors=[srv.url], hashes=hashes, folder=cache)
        assert len(srv.requests) == first  # served from the cache
        assert np.array_equal(X, X2)
        Xt, yt = data.fetch_full("fashion-mnist", "test", mirrors=[srv.url], hashes=hashes,
                                 folder=cache)
        assert Xt.shape == (6, 28, 28)


def test_fetch_full_falls_back_to_second_mirror(tmp_path):
    hashes = _write_fake_dataset(tmp_path / "srv")
    with _Server(tmp_path / "srv") as srv:
        X, _ = data.fetch_full("mnist", "test", mirrors=[_dead_url(), srv.url], hashes=hashes,
                               folder=tmp_path / "cache")
    assert X.shape == (6, 28, 28)


def test_fetch_full_bad_hash_leaves_no_file(tmp_path):
    hashes = _write_fake_dataset(tmp_path / "srv")
    bad = dict(hashes)
    bad["train-images-idx3-ubyte.gz"] = "0" * 64
    cache = tmp_path / "cache"
    with _Server(tmp_path / "srv") as srv:
        with pytest.raises(data.DatasetUnavailableError) as err:
            data.fetch_full("mnist", "train", mirrors=[srv.url], hashes=bad, folder=cache)
    msg = str(err.value)
    assert "SHA-256" in msg and "load_mnist5k" in msg and "load_digits8x8" in msg
    assert not (cache / "train-images-idx3-ubyte.gz").exists()
    assert not [p for p in cache.iterdir() if "train-images" in p.name]


def test_fetch_full_offline_names_offline_datasets(tmp_path):
    with pytest.raises(data.DatasetUnavailableError) as err:
        data.fetch_full("mnist", "train", mirrors=[_dead_url(), _dead_url()],
                        folder=tmp_path / "cache")
    msg = str(err.value)
    assert "load_mnist5k" in msg and "load_photo" in msg and msg.count("http://127.0.0.1") == 2


def test_fetch_full_replaces_corrupt_cached_file(tmp_path):
    hashes = _write_fake_dataset(tmp_path / "srv")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "t10k-images-idx3-ubyte.gz").write_bytes(b"corrupt")
    with _Server(tmp_path / "srv") as srv:
        X, _ = data.fetch_full("mnist", "test", mirrors=[srv.url], hashes=hashes, folder=cache)
    assert X.shape == (6, 28, 28)


def test_fetch_full_bad_arguments():
    with pytest.raises(ValueError, match="unknown dataset"):
        data.fetch_full("cifar")
    with pytest.raises(ValueError, match="split"):
        data.fetch_full("mnist", "validation")
    with pytest.raises(ValueError, match="at least one"):
        data.fetch_full("mnist", mirrors=[])


def test_real_hashes_are_sha256():
    for info in data.FULL_DATASETS.values():
        assert len(info["mirrors"]) >= 2
        assert len(info["hashes"]) == 4
        for h in info["hashes"].values():
            assert len(h) == 64 and int(h, 16) >= 0


def test_photo_matches_scikit_learn():
    from sklearn.datasets import load_sample_image

    for name in data.PHOTOS:
        assert np.array_equal(data.load_photo(name), load_sample_image(f"{name}.jpg"))


def test_photo_is_writable_for_torch():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.from_numpy(data.load_photo())  # no "array is not writable" warning
