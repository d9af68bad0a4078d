"""The data sets of the RWWCE paper (Ho & Wookey): imbalanced one-vs-rest MNIST.

For digit d and batch b in 0..9 the paper's binary set holds 630 positives,
the images of d with index b*630 .. b*630+629 among the images of d (in
data-set order, the 70,000-image order of ``load_mnist_70k``), and as
negatives all images that are not d (about 63,000): 1 % positives.
It is split 75/25 into training and test data, and the last 10 % of the
training part is held out for validation (as Keras' ``validation_split``
does), so 67.5 / 7.5 / 25 % overall.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from sklearn.model_selection import train_test_split

from wloss._validation import as_label_array

POSITIVES_PER_BATCH = 630


class PaperSplit(NamedTuple):
    """Training, validation and test parts of one data set."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def paper_binary_dataset(X, y, digit: int, batch: int, positives_per_batch: int = POSITIVES_PER_BATCH):
    """The paper's one-vs-rest set for ``digit`` and ``batch``.

    positives: the images of ``digit`` with rank batch*m .. batch*m + m - 1
    among the images of ``digit`` (m = ``positives_per_batch``, in the order of ``X``);
    negatives: every image whose label is not ``digit``.
    The kept rows stay in their original order.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    y : array-like of int, shape (N,)
    digit : int
        The positive class.
    batch : int
        Which block of m positives, from 0.
    positives_per_batch : int
        m, 630 in the paper.

    Returns
    -------
    X_bin : ndarray, shape (m + N_neg, D)
    y_bin : ndarray of int64, shape (m + N_neg,)
        1 for ``digit``, 0 otherwise.

    Examples
    --------
    >>> X, y = np.arange(8).reshape(8, 1), np.array([3, 1, 3, 3, 0, 3, 3, 2])
    >>> X_bin, y_bin = paper_binary_dataset(X, y, digit=3, batch=1, positives_per_batch=2)
    >>> X_bin.ravel(), y_bin
    (array([1, 3, 4, 5, 7]), array([0, 1, 0, 1, 0]))
    """
    labels = as_label_array(y, "y")
    X = np.asarray(X)
    if X.shape[0] != labels.size:
        raise ValueError(f"X and y must have the same length, got {X.shape[0]} and {labels.size}")
    for name, value in (("digit", digit), ("batch", batch), ("positives_per_batch", positives_per_batch)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if positives_per_batch < 1:
        raise ValueError(f"positives_per_batch must be >= 1, got {positives_per_batch}")
    positives = np.flatnonzero(labels == digit)
    start, stop = batch * positives_per_batch, (batch + 1) * positives_per_batch
    if batch < 0 or stop > positives.size:
        raise ValueError(
            f"batch must be in [0, {positives.size // positives_per_batch}) for digit {digit} "
            f"({positives.size} images, {positives_per_batch} per batch), got {batch}"
        )
    keep = np.sort(np.r_[positives[start:stop], np.flatnonzero(labels != digit)])
    return X[keep], (labels[keep] == digit).astype(np.int64)


def paper_split(X, y, seed: int = 1, test_fraction: float = 0.25, validation_fraction: float = 0.1) -> PaperSplit:
    """Split as the paper's code did: shuffled 75/25 train/test, then the last 10 % of train for validation.

    The test split is scikit-learn's ``train_test_split(test_size=0.25,
    random_state=seed)`` (not stratified, as in the companion code, which used
    seed 1); the training part keeps the first int(0.9 n) of the n training
    rows and the rest (10 %, rounded up) is validation, as Keras' ``validation_split`` takes it.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    y : ndarray, shape (N,)
    seed : int
    test_fraction, validation_fraction : float in (0, 1)

    Returns
    -------
    PaperSplit
        (X_train, y_train, X_val, y_val, X_test, y_test)

    Examples
    --------
    >>> parts = paper_split(np.zeros((100, 2)), np.arange(100) % 2, seed=1)
    >>> [len(part) for part in parts[::2]]
    [67, 8, 25]
    """
    for name, value in (("test_fraction", test_fraction), ("validation_fraction", validation_fraction)):
        if not 0.0 < value < 1.0:
            raise ValueError(f"{name} must be in (0, 1), got {value}")
    X, y = np.asarray(X), np.asarray(y)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same length, got {X.shape[0]} and {y.shape[0]}")
    X_fit, X_test, y_fit, y_test = train_test_split(X, y, test_size=test_fraction, random_state=seed)
    split_at = int(len(X_fit) * (1.0 - validation_fraction))
    return PaperSplit(X_fit[:split_at], y_fit[:split_at], X_fit[split_at:], y_fit[split_at:], X_test, y_test)
