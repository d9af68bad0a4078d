"""Synthetic sets: seeded, the requested sizes and shapes, clear errors."""
import numpy as np
import pytest
from sklearn.datasets import load_digits

from wloss.data import long_tailed_counts, long_tailed_digits, make_imbalanced_blobs, make_long_tailed


def test_blobs_sizes_and_types():
    X, y = make_imbalanced_blobs(500, 0.05, seed=0)
    assert X.shape == (500, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert y.sum() == round(500 * 0.05)


def test_blobs_are_seeded():
    a, b, c = (make_imbalanced_blobs(50, 0.2, seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_blob_means_are_separation_apart():
    separation = 3.0
    X, y = make_imbalanced_blobs(40_000, 0.5, seed=0, separation=separation)
    mean_gap = X[y == 1].mean(axis=0) - X[y == 0].mean(axis=0)
    np.testing.assert_allclose(mean_gap, [separation, 0.0], atol=0.05)  # standard error about 0.01
    np.testing.assert_allclose(X[y == 1].std(axis=0), 1.0, atol=0.03)


def test_blobs_keep_one_minority_example():
    _, y = make_imbalanced_blobs(10, 0.001, seed=0)
    assert y.sum() == 1


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.2])
def test_blobs_bad_fraction(fraction):
    with pytest.raises(ValueError, match="minority_fraction must be in"):
        make_imbalanced_blobs(100, fraction)


def test_blobs_bad_n():
    with pytest.raises(ValueError, match="n must be >= 2"):
        make_imbalanced_blobs(1, 0.5)


def test_long_tailed_counts_formula():
    counts = long_tailed_counts(500, 10, 100.0)
    expected = np.floor(500 * 100.0 ** (-np.arange(10) / 9) + 1e-9)
    np.testing.assert_array_equal(counts, expected)
    assert counts[0] == 500 and counts[-1] == 500 / 100
    assert np.all(np.diff(counts) <= 0)


def test_make_long_tailed_keeps_quota_of_real_rows():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 1000)
    X = np.arange(1000)[:, None]
    X_lt, y_lt = make_long_tailed(X, y, 8.0, seed=0)
    np.testing.assert_array_equal(np.bincount(y_lt), long_tailed_counts(np.bincount(y).min(), 4, 8.0))
    np.testing.assert_array_equal(y[X_lt[:, 0]], y_lt)  # rows keep their labels
    assert np.all(np.diff(X_lt[:, 0]) > 0)  # no duplicates, original order


def test_make_long_tailed_is_seeded():
    y = np.arange(300) % 3
    X = np.arange(300)[:, None]
    a, b, c = (make_long_tailed(X, y, 5.0, seed=s)[0] for s in (0, 0, 1))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_make_long_tailed_ratio_one_is_balanced():
    y = np.r_[np.zeros(50), np.ones(20)].astype(int)
    _, y_lt = make_long_tailed(np.zeros((70, 1)), y, 1.0)
    np.testing.assert_array_equal(np.bincount(y_lt), [20, 20])


def test_make_long_tailed_bad_ratio():
    with pytest.raises(ValueError, match="imbalance_ratio must be finite and >= 1"):
        make_long_tailed(np.zeros((4, 1)), [0, 1, 0, 1], 0.5)


def test_make_long_tailed_ratio_too_large():
    with pytest.raises(ValueError, match="leaves class 1 empty"):
        make_long_tailed(np.zeros((4, 1)), [0, 1, 0, 1], 5.0)


def test_make_long_tailed_missing_class():
    with pytest.raises(ValueError, match=r"y has no example of class \[1\]"):
        make_long_tailed(np.zeros((3, 1)), [0, 2, 2], 2.0)


def test_long_tailed_digits_thins_only_training_part():
    X_train, y_train, X_test, y_test = long_tailed_digits(10.0, seed=0, test_fraction=0.3)
    digits = load_digits()
    assert X_train.dtype == np.float32 and X_train.shape[1] == 64
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0
    test_counts = np.bincount(y_test)
    np.testing.assert_allclose(test_counts / test_counts.sum(), np.bincount(digits.target) / len(digits.target), atol=0.01)
    train_counts = np.bincount(y_train)
    assert train_counts[0] / train_counts[9] == pytest.approx(10.0, rel=0.1)
    assert np.all(np.diff(train_counts) <= 0)
    assert len(y_test) + len(y_train) < len(digits.target)  # thinned


@pytest.mark.parametrize("args, error, words", [
    ((100, 3, -2.0), ValueError, "imbalance_ratio"),
    ((100, 3, 0.5), ValueError, "imbalance_ratio"),
    ((-5, 3, 10.0), ValueError, "n_max"),
    ((100, 0, 10.0), ValueError, "num_classes"),
    ((100, 3, "a"), TypeError, "imbalance_ratio"),
    ((100.5, 3, 10.0), TypeError, "n_max"),
])
def test_long_tailed_counts_rejects_bad_arguments(args, error, words):
    with pytest.raises(error, match=words):
        long_tailed_counts(*args)
