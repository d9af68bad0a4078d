"""load_mnist: IDX parsing, checksums, search order, download, clear errors; the real files when present."""
import gzip
import hashlib
import os

import numpy as np
import pytest

from wloss.data import load_mnist, load_mnist_70k, mnist_search_dirs, read_idx
from wloss.data import mnist

NAMES = mnist.MNIST_FILES


def idx_bytes(array):
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def tiny_arrays(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "train_images": rng.integers(0, 256, (5, 28, 28)),
        "train_labels": rng.integers(0, 10, 5),
        "test_images": rng.integers(0, 256, (3, 28, 28)),
        "test_labels": rng.integers(0, 10, 3),
    }


def write_tiny_mnist(folder, monkeypatch, compress=True, seed=0):
    """Write four tiny IDX files and make the checksum table accept them."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = tiny_arrays(seed)
    table = {}
    for key, name in NAMES.items():
        content = idx_bytes(arrays[key])
        table[name] = hashlib.md5(content).hexdigest()
        if compress:
            (folder / f"{name}.gz").write_bytes(gzip.compress(content))
        else:
            (folder / name).write_bytes(content)
    monkeypatch.setattr(mnist, "MNIST_MD5", table)
    return arrays


@pytest.fixture
def no_default_dirs(tmp_path, monkeypatch):
    """No WLOSS_DATA, no mirror override and an empty user cache, so only what a test writes is found."""
    monkeypatch.delenv("WLOSS_DATA", raising=False)
    monkeypatch.delenv("WLOSS_MNIST_MIRROR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def assert_loaded(result, arrays):
    X_train, y_train, X_test, y_test = result
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    assert X_train.shape == (5, 784) and X_test.shape == (3, 784)
    np.testing.assert_array_equal(X_train, (arrays["train_images"].reshape(5, -1) / 255).astype(np.float32))
    np.testing.assert_array_equal(X_test, (arrays["test_images"].reshape(3, -1) / 255).astype(np.float32))
    np.testing.assert_array_equal(y_train, arrays["train_labels"])
    np.testing.assert_array_equal(y_test, arrays["test_labels"])


@pytest.mark.parametrize("compress", [True, False])
def test_reads_gz_and_raw_files_from_root(tmp_path, monkeypatch, no_default_dirs, compress):
    arrays = write_tiny_mnist(tmp_path / "mine", monkeypatch, compress=compress)
    assert_loaded(load_mnist(tmp_path / "mine"), arrays)


def test_reads_from_wloss_data(tmp_path, monkeypatch, no_default_dirs):
    arrays = write_tiny_mnist(tmp_path / "shared" / "mnist", monkeypatch)
    monkeypatch.setenv("WLOSS_DATA", str(tmp_path / "shared"))
    assert_loaded(load_mnist(), arrays)


def test_reads_from_user_cache(tmp_path, monkeypatch, no_default_dirs):
    arrays = write_tiny_mnist(tmp_path / "cache" / "wloss" / "mnist", monkeypatch)
    assert_loaded(load_mnist(), arrays)


def test_user_cache_defaults_to_home(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert mnist.user_cache_dir() == tmp_path / ".cache" / "wloss" / "mnist"


def test_search_order_root_then_wloss_data_then_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WLOSS_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert mnist_search_dirs(tmp_path / "root") == [
        tmp_path / "root", tmp_path / "data" / "mnist", tmp_path / "cache" / "wloss" / "mnist"
    ]


def test_root_wins_over_wloss_data(tmp_path, monkeypatch, no_default_dirs):
    write_tiny_mnist(tmp_path / "shared" / "mnist", monkeypatch, seed=1)
    monkeypatch.setenv("WLOSS_DATA", str(tmp_path / "shared"))
    arrays = write_tiny_mnist(tmp_path / "root", monkeypatch, seed=2)  # its checksums replace seed 1's
    assert_loaded(load_mnist(tmp_path / "root"), arrays)


def test_incomplete_root_falls_through_to_next_folder(tmp_path, monkeypatch, no_default_dirs):
    arrays = write_tiny_mnist(tmp_path / "cache" / "wloss" / "mnist", monkeypatch)
    (tmp_path / "partial").mkdir()
    (tmp_path / "partial" / "train-images-idx3-ubyte.gz").write_bytes(b"")
    assert_loaded(load_mnist(tmp_path / "partial"), arrays)


def test_missing_files_say_where_to_put_them(tmp_path, no_default_dirs):
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(tmp_path / "nowhere")
    message = str(info.value)
    assert str(tmp_path / "nowhere") in message
    assert str(tmp_path / "cache" / "wloss" / "mnist") in message
    assert "WLOSS_DATA" in message and "train-images-idx3-ubyte.gz" in message and "download=True" in message


def test_wrong_checksum(tmp_path, monkeypatch, no_default_dirs):
    write_tiny_mnist(tmp_path, monkeypatch)
    monkeypatch.setitem(mnist.MNIST_MD5, "t10k-labels-idx1-ubyte", "0" * 32)
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte.gz: checksum mismatch"):
        load_mnist(tmp_path)


def test_corrupt_gzip(tmp_path, monkeypatch, no_default_dirs):
    write_tiny_mnist(tmp_path, monkeypatch)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(b"this is not gzip")
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz: not a readable gzip"):
        load_mnist(tmp_path)


def test_bad_magic_number(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte"
    path.write_bytes(b"\x00\x00\x0d\x01" + np.array([2], ">u4").tobytes() + b"\x00" * 8)
    with pytest.raises(ValueError, match="not an IDX file of unsigned bytes"):
        read_idx(path)


def test_truncated_data(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros((3, 28, 28)))[:-100])
    with pytest.raises(ValueError, match=r"truncated: header says shape \(3, 28, 28\)"):
        read_idx(path)


def test_truncated_header(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(bytes([0, 0, 8, 3, 0, 0]))
    with pytest.raises(ValueError, match="truncated IDX header"):
        read_idx(path)


def test_too_long_data(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte"
    path.write_bytes(idx_bytes(np.zeros(4)) + b"\x00")
    with pytest.raises(ValueError, match="too long"):
        read_idx(path)


def test_images_and_labels_disagree(tmp_path, monkeypatch, no_default_dirs):
    write_tiny_mnist(tmp_path, monkeypatch)
    content = idx_bytes(np.zeros(4))
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(content))
    monkeypatch.setitem(mnist.MNIST_MD5, "train-labels-idx1-ubyte", hashlib.md5(content).hexdigest())
    with pytest.raises(ValueError, match="train files: 5 images but 4 labels"):
        load_mnist(tmp_path)


def make_mirror(folder, monkeypatch):
    """A file:// mirror holding tiny .gz files, their checksums accepted."""
    arrays = write_tiny_mnist(folder, monkeypatch)
    return arrays, folder.as_uri() + "/"


def test_download_checks_and_falls_back_to_next_mirror(tmp_path, monkeypatch, no_default_dirs):
    arrays, good = make_mirror(tmp_path / "mirror", monkeypatch)
    missing = (tmp_path / "empty").as_uri() + "/"
    monkeypatch.setattr(mnist, "MNIST_MIRRORS", (missing, good))
    target = tmp_path / "downloaded"
    assert_loaded(load_mnist(target, download=True), arrays)
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{name}.gz" for name in NAMES.values())


def test_download_rejects_a_bad_checksum(tmp_path, monkeypatch, no_default_dirs):
    _, good = make_mirror(tmp_path / "mirror", monkeypatch)
    monkeypatch.setattr(mnist, "MNIST_MIRRORS", (good,))
    monkeypatch.setitem(mnist.MNIST_MD5, "train-images-idx3-ubyte", "0" * 32)
    target = tmp_path / "downloaded"
    with pytest.raises(OSError, match="could not download train-images-idx3-ubyte.gz") as info:
        load_mnist(target, download=True)
    assert "checksum mismatch" in str(info.value)
    assert not target.exists()  # neither the rejected file nor a partial download is left
    assert [p.name for p in tmp_path.iterdir()] == ["mirror"]  # nor a temporary folder beside it


def test_download_goes_to_user_cache_without_root(tmp_path, monkeypatch, no_default_dirs):
    arrays, good = make_mirror(tmp_path / "mirror", monkeypatch)
    monkeypatch.setattr(mnist, "MNIST_MIRRORS", (good,))
    assert_loaded(load_mnist(download=True), arrays)
    assert (tmp_path / "cache" / "wloss" / "mnist" / "t10k-labels-idx1-ubyte.gz").is_file()


def test_load_mnist_70k_is_train_then_test(tmp_path, monkeypatch, no_default_dirs):
    arrays = write_tiny_mnist(tmp_path, monkeypatch)
    X, y = load_mnist_70k(tmp_path)
    np.testing.assert_array_equal(y, np.r_[arrays["train_labels"], arrays["test_labels"]])
    np.testing.assert_array_equal(X[5:], (arrays["test_images"].reshape(3, -1) / 255).astype(np.float32))


# ---- the real files: make's data step provides them; these tests run unless `make test MNIST=skip` ----

# label counts published in ../shared/data/mnist/README.md (and by LeCun et al.)
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def real_mnist():
    if not os.environ.get("WLOSS_DATA") and mnist.find_mnist() is None:  # the data step fills the user cache
        if os.environ.get("MNIST") == "skip":  # `make test MNIST=skip`: asked for, offline without a copy
            pytest.skip("MNIST=skip: the real MNIST files were not fetched")
        pytest.fail("MNIST not found: run `make data` (it fetches and verifies the files) or set WLOSS_DATA "
                    "to the folder holding mnist/")
    return load_mnist()


def test_real_mnist_shapes_and_label_counts(real_mnist):
    X_train, y_train, X_test, y_test = real_mnist
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert X_train.dtype == np.float32 and 0.0 == X_train.min() and X_train.max() == 1.0
    np.testing.assert_array_equal(np.bincount(y_train), TRAIN_COUNTS)
    np.testing.assert_array_equal(np.bincount(y_test), TEST_COUNTS)


def test_real_paper_binary_dataset(real_mnist):
    from wloss.data import paper_binary_dataset

    X_train, y_train, X_test, y_test = real_mnist
    X, y = np.concatenate([X_train, X_test]), np.concatenate([y_train, y_test])
    digits = np.r_[TRAIN_COUNTS] + np.r_[TEST_COUNTS]
    for digit, batch in [(5, 9), (1, 0), (7, 4)]:  # digit 5 has the fewest images: batch 9 must still fit
        X_bin, y_bin = paper_binary_dataset(X, y, digit, batch)
        assert y_bin.sum() == 630
        assert (y_bin == 0).sum() == len(y) - digits[digit]
        expected_positives = X[np.flatnonzero(y == digit)[batch * 630:(batch + 1) * 630]]
        np.testing.assert_array_equal(X_bin[y_bin == 1], expected_positives)
