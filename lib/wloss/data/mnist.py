"""MNIST from the four original IDX files, checksummed.

Where the files are looked for, in order (the first folder holding all four wins):

1. ``root``, if given: the folder that holds the four files;
2. ``$WLOSS_DATA/mnist``, if the environment variable ``WLOSS_DATA`` is set;
3. the user cache, ``$XDG_CACHE_HOME/wloss/mnist`` (default ``~/.cache/wloss/mnist``).

Each file may be gzip-compressed (``train-images-idx3-ubyte.gz``) or raw
(``train-images-idx3-ubyte``). The MD5 of the decompressed bytes is checked,
so any correct copy is accepted, from any mirror.
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import sys
import urllib.request
from pathlib import Path

import numpy as np

from wloss.data import _cache

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

# MD5 of the decompressed IDX files (the same values whatever the mirror or compression)
MNIST_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}

# mirrors of the original .gz files (the ones torchvision uses); WLOSS_MNIST_MIRROR overrides them
MIRROR_VARIABLE = "WLOSS_MNIST_MIRROR"
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

IDX_UINT8 = 0x08


def mnist_search_dirs(root=None) -> list[Path]:
    """The folders ``load_mnist`` looks in, in order.

    Examples
    --------
    >>> mnist_search_dirs("/data/mnist")[0]
    PosixPath('/data/mnist')
    """
    return _cache.search_dirs("mnist", root)


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/wloss/mnist``, or ``~/.cache/wloss/mnist`` when XDG_CACHE_HOME is unset."""
    return _cache.user_cache_dir("mnist")


def load_mnist(root=None, download: bool = False):
    """The MNIST training and test sets, pixels scaled to [0, 1].

    Reads the four IDX files from the first folder of ``mnist_search_dirs(root)``
    that holds all four, checks each file's MD5 (of the decompressed bytes)
    and parses it. With ``download=True`` and no folder holding them, the
    files are downloaded (``.gz``, checksum verified) into ``root``, or into
    the user cache when ``root`` is None.

    Parameters
    ----------
    root : str or Path, optional
        A folder holding the four files.
    download : bool
        Download the files when they are not found. Default False: raise.

    Returns
    -------
    X_train : ndarray of float32, shape (60000, 784)
        Images flattened row by row, pixel / 255.
    y_train : ndarray of int64, shape (60000,)
    X_test : ndarray of float32, shape (10000, 784)
    y_test : ndarray of int64, shape (10000,)

    Raises
    ------
    FileNotFoundError
        Files missing and ``download=False``; the message says where to put them.
    ValueError
        A file is corrupt, truncated, or fails its checksum.

    Examples
    --------
    >>> X_train, y_train, X_test, y_test = load_mnist()  # doctest: +SKIP
    >>> X_train.shape, y_train[:5]                        # doctest: +SKIP
    ((60000, 784), array([5, 0, 4, 1, 9]))
    """
    folder = _find_folder(root)
    if folder is None:
        if not download:
            raise FileNotFoundError(_missing_files_message(root))
        folder = Path(root).expanduser() if root is not None else user_cache_dir()
        download_mnist(folder)
    arrays = {key: read_idx(_file_in(folder, name)) for key, name in MNIST_FILES.items()}
    return _images_and_labels(arrays, "train") + _images_and_labels(arrays, "test")


def load_mnist_70k(root=None, download: bool = False):
    """All 70,000 MNIST images: the training set followed by the test set.

    This is the order of OpenML's ``mnist_784``, which the RWWCE paper's
    companion code used.

    Returns
    -------
    X : ndarray of float32, shape (70000, 784), in [0, 1]
    y : ndarray of int64, shape (70000,)

    Examples
    --------
    >>> X, y = load_mnist_70k()  # doctest: +SKIP
    >>> X.shape                  # doctest: +SKIP
    (70000, 784)
    """
    X_train, y_train, X_test, y_test = load_mnist(root, download)
    return np.concatenate([X_train, X_test]), np.concatenate([y_train, y_test])


def _images_and_labels(arrays, part):
    images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
    if images.ndim != 3 or labels.ndim != 1:
        raise ValueError(
            f"MNIST {part} files: expected 3-D images and 1-D labels, got {images.ndim}-D and {labels.ndim}-D"
        )
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"MNIST {part} files: {images.shape[0]} images but {labels.shape[0]} labels")
    flat = images.reshape(images.shape[0], -1).astype(np.float32) / np.float32(255)
    return flat, labels.astype(np.int64)


def _file_in(folder: Path, name: str) -> Path | None:
    """The compressed or raw copy of ``name`` in ``folder``, if either exists."""
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.is_file():
            return candidate
    return None


def _find_folder(root) -> Path | None:
    for folder in mnist_search_dirs(root):
        if all(_file_in(folder, name) for name in MNIST_FILES.values()):
            return folder
    return None


def _missing_files_message(root) -> str:
    looked = "\n".join(f"  {folder}" for folder in mnist_search_dirs(root))
    names = ", ".join(f"{name}.gz" for name in MNIST_FILES.values())
    return (
        f"MNIST files not found. Looked in:\n{looked}\n"
        f"Put the four files ({names}; raw files without .gz work too) into one of these folders, "
        "or set the environment variable WLOSS_DATA to a folder that holds a mnist/ subfolder with them, "
        f"or set {MIRROR_VARIABLE} to a web address serving them and call load_mnist(download=True) "
        "(on a machine with internet access the default mirrors need no setting); "
        "`make test` and `make lab` do that download for you."
    )


def read_idx(path) -> np.ndarray:
    """Parse one IDX file (``.gz`` or raw) of unsigned bytes and check its MD5.

    IDX layout: two zero bytes, a type byte (0x08 = unsigned byte), the
    number of dimensions d, then d big-endian uint32 sizes, then the data.

    Parameters
    ----------
    path : str or Path
        ``<name>.gz`` or ``<name>``, with ``<name>`` a key of ``MNIST_MD5``.

    Returns
    -------
    ndarray of uint8, with the shape the header gives

    Raises
    ------
    ValueError
        Unreadable gzip, bad magic number, truncated or overlong data, or a
        checksum that differs from ``MNIST_MD5``.

    Examples
    --------
    >>> read_idx("train-labels-idx1-ubyte.gz").shape  # doctest: +SKIP
    (60000,)
    """
    path = Path(path)
    content = _decompressed_bytes(path)
    array = _parse_idx(content, path)
    _check_md5(content, path)
    return array


def _decompressed_bytes(path: Path) -> bytes:
    if path.suffix != ".gz":
        return path.read_bytes()
    try:
        return gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as error:
        raise ValueError(f"{path}: not a readable gzip file ({error}); delete it and fetch it again") from None


def _parse_idx(content: bytes, path: Path) -> np.ndarray:
    if len(content) < 4 or content[:2] != b"\x00\x00" or content[2] != IDX_UINT8:
        raise ValueError(
            f"{path}: not an IDX file of unsigned bytes (expected magic 00 00 08 <ndim>, got {content[:4].hex(' ')})"
        )
    ndim = content[3]
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise ValueError(f"{path}: truncated IDX header ({len(content)} bytes, expected {header_size})")
    shape = tuple(int(size) for size in np.frombuffer(content, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape))
    found = len(content) - header_size
    if found != expected:
        what = "truncated" if found < expected else "too long"
        raise ValueError(f"{path}: {what}: header says shape {shape} ({expected} bytes of data), found {found}")
    return np.frombuffer(content, dtype=np.uint8, offset=header_size).reshape(shape)


def _check_md5(content: bytes, path: Path) -> None:
    name = path.name.removesuffix(".gz")
    if name not in MNIST_MD5:
        raise ValueError(f"{path}: unknown file name, expected one of {sorted(MNIST_MD5)}")
    digest = hashlib.md5(content).hexdigest()
    if digest != MNIST_MD5[name]:
        raise ValueError(
            f"{path}: checksum mismatch (MD5 of the decompressed bytes {digest}, expected {MNIST_MD5[name]}); "
            "the file is damaged or not the original MNIST: delete it and fetch it again"
        )


def mnist_mirrors() -> tuple[str, ...]:
    """The base URLs the four ``.gz`` files are downloaded from, tried in turn.

    ``$WLOSS_MNIST_MIRROR`` alone when that environment variable is set (a
    base URL holding the four ``*-ubyte.gz`` files, e.g. a local copy served
    over HTTP, or a ``file://`` folder), otherwise ``MNIST_MIRRORS``.

    Examples
    --------
    With ``WLOSS_MNIST_MIRROR=http://127.0.0.1:8000/mnist`` in the environment:

    >>> mnist_mirrors()  # doctest: +SKIP
    ('http://127.0.0.1:8000/mnist/',)
    """
    mirror = os.environ.get(MIRROR_VARIABLE, "").strip()
    if mirror:
        return (mirror if mirror.endswith("/") else mirror + "/",)
    return tuple(MNIST_MIRRORS)


def find_mnist(root=None) -> Path | None:
    """The first folder of ``mnist_search_dirs(root)`` that holds all four files, or None.

    Examples
    --------
    >>> find_mnist() == Path.home() / ".cache" / "wloss" / "mnist"  # doctest: +SKIP
    True
    """
    return _find_folder(root)


def verify_mnist(folder) -> None:
    """Check the MD5 of the four files in ``folder`` (decompressed bytes).

    Raises
    ------
    FileNotFoundError
        A file is missing from ``folder``.
    ValueError
        A file is unreadable or fails its checksum; the message names the
        file, the expected and the actual MD5.

    Examples
    --------
    >>> verify_mnist("~/.cache/wloss/mnist")  # doctest: +SKIP
    """
    folder = Path(folder).expanduser()
    for name in MNIST_FILES.values():
        path = _file_in(folder, name)
        if path is None:
            raise FileNotFoundError(f"{folder / (name + '.gz')}: missing")
        _check_md5(_decompressed_bytes(path), path)


def download_mnist(folder, mirrors=None, progress: bool = False) -> Path:
    """Download the four ``.gz`` files into ``folder``, verifying each checksum.

    Each missing file is tried from ``mirrors`` (default ``mnist_mirrors()``)
    in turn; a copy that fails the MD5 check is discarded. Files already in
    ``folder`` are kept. The download is all or nothing: the files are
    fetched into a temporary folder beside ``folder`` and moved in only when
    all of them are verified, so a failed or interrupted download leaves
    nothing behind and the next call starts cleanly.

    Parameters
    ----------
    folder : str or Path
        Where the four files go (created if needed).
    mirrors : sequence of str, optional
        Base URLs ending in ``/``.
    progress : bool
        Show a progress bar per file (on stderr).

    Raises
    ------
    OSError
        When a file cannot be fetched with a correct checksum from any mirror;
        the message lists each address tried and why it failed.

    Examples
    --------
    >>> download_mnist("~/.cache/wloss/mnist", progress=True)  # doctest: +SKIP
    """
    folder = Path(folder).expanduser()
    mirrors = mnist_mirrors() if mirrors is None else tuple(mirrors)
    missing = [name for name in MNIST_FILES.values() if _file_in(folder, name) is None]
    if not missing:
        return folder
    with _cache.staging_folder(folder) as staging:
        for name in missing:
            _download_one(name, staging / f"{name}.gz", mirrors, progress)
        folder.mkdir(exist_ok=True)
        for name in missing:
            (staging / f"{name}.gz").replace(folder / f"{name}.gz")
    return folder


def _download_one(name: str, target: Path, mirrors, progress: bool = False) -> None:
    errors = []
    for mirror in mirrors:
        url = f"{mirror}{name}.gz"
        try:
            _fetch(url, target, progress)
            digest = hashlib.md5(_decompressed_bytes(target)).hexdigest()
            if digest != MNIST_MD5[name]:
                raise ValueError(
                    f"checksum mismatch for {name}.gz: MD5 of the decompressed bytes is {digest}, "
                    f"expected {MNIST_MD5[name]}; the copy was discarded"
                )
            return
        except (OSError, ValueError, http.client.HTTPException) as error:
            errors.append(f"  {url}: {error}")
            target.unlink(missing_ok=True)
    raise OSError(
        f"could not download {name}.gz with a correct checksum:\n" + "\n".join(errors)
        + f"\nPut the file into {user_cache_dir()} by hand, set WLOSS_DATA, "
        f"or set {MIRROR_VARIABLE} to a mirror that holds it (see load_mnist)."
    )


def _fetch(url: str, target: Path, progress: bool) -> None:
    """Copy ``url`` to ``target``, with a byte-count progress bar when asked."""
    from tqdm import tqdm

    with urllib.request.urlopen(url, timeout=60) as response, target.open("wb") as out:
        length = response.headers.get("Content-Length")
        size = int(length) if length and length.isdigit() else None
        with tqdm(total=size, unit="B", unit_scale=True, unit_divisor=1024, desc=target.name,
                  disable=not progress, file=sys.stderr, leave=True) as bar:
            while chunk := response.read(1 << 16):
                out.write(chunk)
                bar.update(len(chunk))
        if size is not None and out.tell() != size:
            raise OSError(f"incomplete download: {out.tell()} of {size} bytes")
