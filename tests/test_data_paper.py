"""The paper's one-vs-rest construction and its 67.5 / 7.5 / 25 split."""
import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from wloss.data import PaperSplit, paper_binary_dataset, paper_split


def labelled_rows(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    X = np.arange(n)[:, None] * np.ones((1, 3))  # row i holds i: rows can be traced back
    return X, y


@pytest.mark.parametrize("digit,batch", [(0, 0), (3, 2), (9, 5)])
def test_positives_are_the_batch_of_the_digit_and_negatives_all_others(digit, batch):
    X, y = labelled_rows()
    m = 30
    X_bin, y_bin = paper_binary_dataset(X, y, digit, batch, positives_per_batch=m)
    rows = X_bin[:, 0].astype(int)
    expected_positives = np.flatnonzero(y == digit)[batch * m:(batch + 1) * m]
    np.testing.assert_array_equal(rows[y_bin == 1], expected_positives)
    np.testing.assert_array_equal(rows[y_bin == 0], np.flatnonzero(y != digit))
    assert np.all(np.diff(rows) > 0)  # original order kept
    assert y_bin.dtype == np.int64


def test_batches_are_disjoint_and_consecutive():
    X, y = labelled_rows()
    blocks = [paper_binary_dataset(X, y, 4, b, positives_per_batch=20) for b in range(3)]
    positives = np.concatenate([Xb[yb == 1, 0] for Xb, yb in blocks])
    np.testing.assert_array_equal(positives, np.flatnonzero(y == 4)[:60])


def test_batch_beyond_available_positives():
    X, y = labelled_rows()
    available = int((y == 2).sum())
    with pytest.raises(ValueError, match="batch must be in"):
        paper_binary_dataset(X, y, 2, available // 30, positives_per_batch=30)


def test_negative_batch():
    X, y = labelled_rows()
    with pytest.raises(ValueError, match="batch must be in"):
        paper_binary_dataset(X, y, 2, -1, positives_per_batch=30)


def test_non_integer_digit():
    X, y = labelled_rows()
    with pytest.raises(TypeError, match="digit must be an int"):
        paper_binary_dataset(X, y, 2.0, 0)


def test_length_mismatch():
    X, y = labelled_rows()
    with pytest.raises(ValueError, match="X and y must have the same length"):
        paper_binary_dataset(X[:-1], y, 2, 0, positives_per_batch=5)


def test_split_proportions_and_validation_is_the_tail_of_train():
    X, y = labelled_rows(n=1000)
    parts = paper_split(X, y, seed=1)
    assert isinstance(parts, PaperSplit)
    X_fit, X_test, _, _ = train_test_split(X, y, test_size=0.25, random_state=1)
    split_at = int(len(X_fit) * 0.9)
    np.testing.assert_array_equal(parts.X_test, X_test)
    np.testing.assert_array_equal(parts.X_train, X_fit[:split_at])
    np.testing.assert_array_equal(parts.X_val, X_fit[split_at:])
    assert (len(parts.X_train), len(parts.X_val), len(parts.X_test)) == (675, 75, 250)
    rows = np.concatenate([parts.X_train[:, 0], parts.X_val[:, 0], parts.X_test[:, 0]])
    np.testing.assert_array_equal(np.sort(rows), np.arange(1000))  # a partition
    np.testing.assert_array_equal(parts.y_train, y[parts.X_train[:, 0].astype(int)])  # rows and labels stay paired


def test_split_is_seeded():
    X, y = labelled_rows(n=200)
    same = paper_split(X, y, seed=3), paper_split(X, y, seed=3)
    other = paper_split(X, y, seed=4)
    np.testing.assert_array_equal(same[0].X_train, same[1].X_train)
    assert not np.array_equal(same[0].X_train, other.X_train)


def test_split_bad_fraction():
    X, y = labelled_rows(n=100)
    with pytest.raises(ValueError, match="validation_fraction must be in"):
        paper_split(X, y, seed=1, validation_fraction=1.0)
