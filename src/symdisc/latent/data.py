"""Images of handwritten digits for latent-space symmetries.

Two sources: the 8×8 digits that ship with scikit-learn (the default, no
download) and MNIST read from its IDX files. Both come back as an
:class:`ImageData` record with pixels scaled to ``[0, 1]``, one flattened image
of ``p`` pixels per row, and a train/test split fixed by an explicit seed.

The IDX format: two zero bytes, one byte naming the element type, one byte
``d`` giving the number of dimensions, ``d`` big-endian unsigned 32-bit sizes,
then the elements in C order, big-endian.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from symdisc.errors import bad_input

logger = logging.getLogger(__name__)

#: IDX element-type byte -> big-endian NumPy dtype.
IDX_DTYPES: dict[int, str] = {
    0x08: ">u1",
    0x09: ">i1",
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}

_GZIP_MAGIC = b"\x1f\x8b"


# ---------------------------------------------------------------------------
# IDX files


def _read_bytes(path: Path) -> bytes:
    """Whole content of ``path``, gunzipped when it starts with the gzip magic."""
    if not path.is_file():
        raise bad_input(
            f"IDX file {str(path)!r}",
            "an existing file",
            "no such file",
            "Check the path; MNIST files are named like 'train-images-idx3-ubyte.gz'.",
        )
    raw = path.read_bytes()
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, gzip.BadGzipFile) as exc:
        raise bad_input(
            f"IDX file {str(path)!r}",
            "a complete gzip stream",
            f"a damaged or truncated gzip file ({exc})",
            "Download the file again.",
        ) from exc


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (plain or gzip-compressed) into a NumPy array.

    Parameters
    ----------
    path : str or path-like
        The file. Compression is detected from the content, not the name.

    Returns
    -------
    numpy.ndarray
        Shape ``(N_1, …, N_d)`` from the header, native byte order, dtype from
        the type byte (``uint8`` for MNIST images and labels).

    Raises
    ------
    InputError
        If the file is missing, the magic number is wrong, the type byte is
        unknown, or the data are shorter or longer than the header says; the
        message names the file.
    """
    path = Path(path)
    name = f"IDX file {str(path)!r}"
    raw = _read_bytes(path)

    if len(raw) < 4:
        raise bad_input(
            name,
            "a 4-byte magic number",
            f"{len(raw)} bytes in total",
            "The file is truncated or not an IDX file.",
        )
    if raw[0] != 0 or raw[1] != 0:
        raise bad_input(
            name,
            "a magic number starting with two zero bytes",
            f"magic 0x{raw[:4].hex()}",
            "This is not an IDX file.",
        )
    type_code, n_dims = raw[2], raw[3]
    if type_code not in IDX_DTYPES:
        known = ", ".join(f"0x{code:02x}" for code in IDX_DTYPES)
        raise bad_input(
            name,
            f"a type byte in {{{known}}}",
            f"0x{type_code:02x}",
            "This is not an IDX file.",
        )

    header_end = 4 + 4 * n_dims
    if len(raw) < header_end:
        raise bad_input(
            name,
            f"{n_dims} dimension sizes after the magic number",
            f"a header cut off after {len(raw)} bytes",
            "The file is truncated; download it again.",
        )
    shape = tuple(int(s) for s in np.frombuffer(raw, ">u4", n_dims, offset=4))

    dtype = np.dtype(IDX_DTYPES[type_code])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    received = len(raw) - header_end
    if received != expected:
        problem = "truncated" if received < expected else "longer than its header says"
        raise bad_input(
            name,
            f"{expected} data bytes for shape {shape}",
            f"{received} bytes (file {problem})",
            "Download the file again.",
        )
    data = np.frombuffer(raw, dtype, offset=header_end).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike, array: np.ndarray) -> Path:
    """Write ``array`` as an IDX file, gzip-compressed when ``path`` ends in .gz.

    The inverse of :func:`read_idx`. The write is atomic: a temporary file in
    the same folder is renamed into place.
    """
    array = np.asarray(array)
    codes = {np.dtype(v).newbyteorder("="): k for k, v in IDX_DTYPES.items()}
    dtype = array.dtype.newbyteorder("=")
    if dtype not in codes:
        raise bad_input(
            "array",
            "one of the IDX element types "
            "(uint8, int8, int16, int32, float32, float64)",
            f"dtype {array.dtype}",
        )
    if array.ndim > 255:
        raise bad_input("array", "at most 255 dimensions", array.ndim)

    header = bytes([0, 0, codes[dtype], array.ndim])
    header += np.asarray(array.shape, ">u4").tobytes()
    body = np.ascontiguousarray(array, dtype.newbyteorder(">")).tobytes()
    content = header + body

    path = Path(path)
    if path.suffix == ".gz":
        content = gzip.compress(content, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
        handle.write(content)
    os.replace(handle.name, path)
    return path


# ---------------------------------------------------------------------------
# Data records


@dataclass(frozen=True)
class ImageData:
    """Flattened images with integer labels, split into train and test.

    Attributes
    ----------
    name : str
        Short name, e.g. ``"digits"``, ``"digits01"``, ``"mnist"``.
    images_train, images_test : numpy.ndarray
        Shapes ``(N_train, p)`` and ``(N_test, p)``, float64 in ``[0, 1]``,
        ``p = height · width``.
    labels_train, labels_test : numpy.ndarray
        Shapes ``(N_train,)`` and ``(N_test,)``, int64 digit labels.
    image_shape : tuple of int
        ``(height, width)`` of one image.
    classes : tuple of int
        The digit classes present, sorted.
    seed : int
        Seed of the train/test split (and of any subsampling).
    source : str
        Where the images came from (a path for MNIST).
    """

    name: str
    images_train: np.ndarray
    labels_train: np.ndarray
    images_test: np.ndarray
    labels_test: np.ndarray
    image_shape: tuple[int, int]
    classes: tuple[int, ...]
    seed: int
    source: str

    @property
    def n_pixels(self) -> int:
        """Number ``p`` of pixels in one image."""
        return int(self.image_shape[0] * self.image_shape[1])

    def fingerprint(self) -> str:
        """SHA-256 of the arrays, to tell cached models which data they fit."""
        digest = hashlib.sha256()
        for array in (
            self.images_train,
            self.labels_train,
            self.images_test,
            self.labels_test,
        ):
            digest.update(str(array.shape).encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()

    def summary(self) -> dict:
        """Plain-data description for result files."""
        return {
            "name": self.name,
            "source": self.source,
            "image_shape": list(self.image_shape),
            "classes": list(self.classes),
            "n_train": int(len(self.labels_train)),
            "n_test": int(len(self.labels_test)),
            "seed": int(self.seed),
        }


def _check_classes(classes: Sequence[int] | None, available: np.ndarray) -> tuple:
    present = tuple(int(c) for c in np.unique(available))
    if classes is None:
        return present
    try:
        wanted = tuple(sorted({int(c) for c in classes}))
    except (TypeError, ValueError) as exc:
        raise bad_input(
            "classes",
            "a collection of integer digit labels",
            classes,
            "Pass e.g. classes=(0, 1).",
        ) from exc
    missing = [c for c in wanted if c not in present]
    if len(wanted) < 2 or missing:
        raise bad_input(
            "classes",
            f"at least two of the labels present {present}",
            classes,
            "Pick classes that occur in the data.",
        )
    return wanted


def _check_fraction(test_fraction: float) -> float:
    if not 0.0 < float(test_fraction) < 1.0:
        raise bad_input(
            "test_fraction", "a number strictly between 0 and 1", test_fraction
        )
    return float(test_fraction)


def split_indices(n_points: int, test_fraction: float, seed: int):
    """Random train/test split of ``range(n_points)`` fixed by ``seed``.

    Returns
    -------
    train, test : numpy.ndarray
        Disjoint sorted index arrays covering ``range(n_points)``; the test
        part has ``round(test_fraction · n_points)`` entries (at least one).
    """
    test_fraction = _check_fraction(test_fraction)
    order = np.random.default_rng(seed).permutation(n_points)
    n_test = min(max(1, round(test_fraction * n_points)), n_points - 1)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def _subsample(n_points: int, limit: int | None, seed: int) -> np.ndarray:
    if limit is None or limit >= n_points:
        return np.arange(n_points)
    if limit < 1:
        raise bad_input("max_train / max_test", "a positive integer or None", limit)
    return np.sort(np.random.default_rng(seed).choice(n_points, limit, replace=False))


def load_digits_data(
    seed: int = 0, classes: Sequence[int] | None = None, test_fraction: float = 0.25
) -> ImageData:
    """Load the 8×8 scikit-learn digits (1,797 images), pixels in [0, 1].

    Parameters
    ----------
    seed : int
        Seed of the random train/test split.
    classes : collection of int, optional
        Keep only these digits, e.g. ``(0, 1)``; all ten by default.
    test_fraction : float
        Share of the (selected) images held out for testing.
    """
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = np.asarray(bunch.data, np.float64) / 16.0
    labels = np.asarray(bunch.target, np.int64)
    classes = _check_classes(classes, labels)
    keep = np.isin(labels, classes)
    images, labels = images[keep], labels[keep]

    train, test = split_indices(len(labels), test_fraction, seed)
    name = "digits" if len(classes) == 10 else "digits" + "".join(map(str, classes))
    return ImageData(
        name=name,
        images_train=images[train],
        labels_train=labels[train],
        images_test=images[test],
        labels_test=labels[test],
        image_shape=(8, 8),
        classes=classes,
        seed=int(seed),
        source="sklearn.datasets.load_digits",
    )


# ---------------------------------------------------------------------------
# MNIST


_MNIST_STEMS = {
    "train_images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train_labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test_images": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_labels": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}


def _find_mnist_files(folder: Path) -> dict[str, Path]:
    found = {}
    for role, stems in _MNIST_STEMS.items():
        for stem in stems:
            for suffix in ("", ".gz"):
                candidate = folder / (stem + suffix)
                if role not in found and candidate.is_file():
                    found[role] = candidate
    return found


def _pair_of(file: Path) -> tuple[Path, Path]:
    """``(images, labels)`` of one standard MNIST file and its partner beside it."""
    for kind, other in (("images-idx3", "labels-idx1"), ("labels-idx1", "images-idx3")):
        for sep in ("-", "."):
            here, there = kind.replace("-", sep), other.replace("-", sep)
            if here in file.name:
                name = file.name.replace(here, there).removesuffix(".gz")
                partners = [file.with_name(name + gz) for gz in ("", ".gz")]
                partner = next((p for p in partners if p.is_file()), None)
                if partner is None:
                    raise bad_input(
                        "--mnist",
                        f"{name} (or {name}.gz) beside {file.name}",
                        f"no such file in {file.parent}",
                        "Put the image and label files in one folder.",
                    )
                pair = (file, partner)
                return pair if kind.startswith("images") else pair[::-1]
    raise bad_input(
        "--mnist",
        "an MNIST file named like train-images-idx3-ubyte[.gz] or "
        "t10k-labels-idx1-ubyte[.gz], or the folder holding them",
        file.name,
    )


def _read_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images ``(N, h, w)`` scaled to [0, 1] and labels ``(N,)`` from two IDX files."""
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.ndim != 3:
        raise bad_input(
            f"IDX file {str(images_path)!r}",
            "images of shape (N, height, width)",
            f"shape {images.shape}",
            "Pass the images file first and the labels file second.",
        )
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise bad_input(
            f"IDX file {str(labels_path)!r}",
            "integer labels of shape (N,)",
            f"{labels.dtype} of shape {labels.shape}",
            "Pass the images file first and the labels file second.",
        )
    if len(images) != len(labels):
        raise bad_input(
            f"IDX files {str(images_path)!r} and {str(labels_path)!r}",
            "as many labels as images",
            f"{len(images)} images and {len(labels)} labels",
            "Use an images file and the labels file that belongs to it.",
        )
    if images.dtype == np.uint8:
        scaled = images.astype(np.float64) / 255.0
    else:
        low, high = float(images.min()), float(images.max())
        scaled = (images.astype(np.float64) - low) / max(high - low, 1e-300)
    return scaled, labels.astype(np.int64)


def load_mnist(
    path: str | os.PathLike | Sequence[str | os.PathLike],
    seed: int = 0,
    classes: Sequence[int] | None = None,
    test_fraction: float = 0.2,
    max_train: int | None = None,
    max_test: int | None = None,
) -> ImageData:
    """MNIST (or any IDX image/label pair) with pixels scaled to [0, 1].

    Parameters
    ----------
    path : path-like or (images, labels)
        A folder holding the standard files (``train-images-idx3-ubyte``,
        ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
        ``t10k-labels-idx1-ubyte``, each optionally ``.gz``), one such file
        (its partner is taken from beside it), or a pair of files
        ``(images, labels)``. With both the train and the t10k files the
        standard split is kept; with one pair the split is random by ``seed``.
    seed : int
        Seed of the random split and of the subsampling.
    classes : collection of int, optional
        Keep only these digits.
    test_fraction : float
        Share held out when the split is random.
    max_train, max_test : int, optional
        Keep at most this many training / test images (random by ``seed``);
        60,000 images of 784 pixels are more than symmetry discovery needs.
    """
    if isinstance(path, str | os.PathLike) and Path(path).is_file():
        path = _pair_of(Path(path))
    if isinstance(path, str | os.PathLike):
        folder = Path(path)
        if not folder.is_dir():
            raise bad_input(
                "--mnist",
                "a folder with MNIST IDX files, one of those files, or a pair "
                "(images file, labels file)",
                str(folder),
                "Check that it exists.",
            )
        files = _find_mnist_files(folder)
        if {"train_images", "train_labels"} <= files.keys():
            pairs = [(files["train_images"], files["train_labels"])]
            if {"test_images", "test_labels"} <= files.keys():
                pairs.append((files["test_images"], files["test_labels"]))
        elif {"test_images", "test_labels"} <= files.keys():
            pairs = [(files["test_images"], files["test_labels"])]
        else:
            expected = ", ".join(stems[0] for stems in _MNIST_STEMS.values())
            raise bad_input(
                "--mnist",
                f"a folder holding {expected} (optionally .gz)",
                f"{str(folder)!r} with no matching image/label pair",
                "Point to the folder with the MNIST files or pass (images, labels).",
            )
        source = str(folder)
    else:
        items = list(path)
        if len(items) != 2:
            raise bad_input(
                "--mnist", "a folder or a pair (images file, labels file)", path
            )
        pairs = [(Path(items[0]), Path(items[1]))]
        source = f"{items[0]}, {items[1]}"

    if len(pairs) == 2:
        train_images, train_labels = _read_pair(*pairs[0])
        test_images, test_labels = _read_pair(*pairs[1])
    else:
        images, labels = _read_pair(*pairs[0])
        train, test = split_indices(len(labels), test_fraction, seed)
        train_images, train_labels = images[train], labels[train]
        test_images, test_labels = images[test], labels[test]

    classes = _check_classes(classes, np.concatenate([train_labels, test_labels]))
    keep_train = np.flatnonzero(np.isin(train_labels, classes))
    keep_test = np.flatnonzero(np.isin(test_labels, classes))
    keep_train = keep_train[_subsample(len(keep_train), max_train, seed)]
    keep_test = keep_test[_subsample(len(keep_test), max_test, seed + 1)]

    image_shape = tuple(int(s) for s in train_images.shape[1:])
    flat = int(np.prod(image_shape))
    name = "mnist" if len(classes) == 10 else "mnist" + "".join(map(str, classes))
    logger.debug(
        "read %d + %d images of shape %s from %s",
        len(keep_train),
        len(keep_test),
        image_shape,
        source,
    )
    return ImageData(
        name=name,
        images_train=train_images[keep_train].reshape(-1, flat),
        labels_train=train_labels[keep_train],
        images_test=test_images[keep_test].reshape(-1, flat),
        labels_test=test_labels[keep_test],
        image_shape=image_shape,
        classes=classes,
        seed=int(seed),
        source=source,
    )


def load_images(
    source: str | os.PathLike | Sequence = "digits",
    seed: int = 0,
    classes: Sequence[int] | None = None,
    **options,
) -> ImageData:
    """Load ``"digits"`` (scikit-learn, the default) or MNIST from a path.

    ``options`` go to :func:`load_digits_data` or :func:`load_mnist`.
    """
    if isinstance(source, str) and source == "digits":
        return load_digits_data(seed=seed, classes=classes, **options)
    return load_mnist(source, seed=seed, classes=classes, **options)
