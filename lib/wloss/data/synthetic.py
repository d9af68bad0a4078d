"""Small seeded synthetic data sets for the lectures.

- ``make_imbalanced_blobs``  two 2-D Gaussian classes, the second rare (decision-boundary figures)
- ``make_long_tailed``       thin the classes of any labelled set geometrically
- ``long_tailed_digits``     scikit-learn's 8x8 digits, long-tailed training part, balanced test part
"""
from __future__ import annotations

import numbers

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from wloss._validation import as_label_array, check_num_classes


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def make_imbalanced_blobs(n: int, minority_fraction: float, seed: int = 0, separation: float = 2.0):
    """Two Gaussian classes in 2-D, class 1 the minority.

    x | y=0 ~ N((-s/2, 0), I),   x | y=1 ~ N((+s/2, 0), I),   s = ``separation``,

    with round(n * minority_fraction) examples of class 1 (at least 1) and the
    rest of class 0, in shuffled order.

    Parameters
    ----------
    n : int
        Number of examples, >= 2.
    minority_fraction : float in (0, 1)
    seed : int
    separation : float >= 0
        Distance between the two means.

    Returns
    -------
    X : ndarray of float64, shape (n, 2)
    y : ndarray of int64, shape (n,)

    Examples
    --------
    >>> X, y = make_imbalanced_blobs(100, 0.1, seed=0)
    >>> X.shape, int(y.sum())
    ((100, 2), 10)
    """
    n = _check_int(n, "n", 2)
    if not 0.0 < minority_fraction < 1.0:
        raise ValueError(f"minority_fraction must be in (0, 1), got {minority_fraction}")
    if not separation >= 0.0 or not np.isfinite(separation):
        raise ValueError(f"separation must be finite and >= 0, got {separation}")
    n_minority = min(max(1, round(n * minority_fraction)), n - 1)
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.r_[np.zeros(n - n_minority, np.int64), np.ones(n_minority, np.int64)])
    X = rng.normal(size=(n, 2))
    X[:, 0] += separation * (y - 0.5)
    return X, y


def long_tailed_counts(n_max: int, num_classes: int, imbalance_ratio: float) -> np.ndarray:
    """Class sizes n_k = floor(n_max * imbalance_ratio^(-k / (K - 1))), k = 0 .. K-1.

    Class 0 keeps n_max, class K-1 keeps n_max / imbalance_ratio (rounded down).

    Examples
    --------
    >>> long_tailed_counts(100, 3, 10.0)
    array([100,  31,  10])
    """
    n_max, num_classes = check_num_classes(n_max, "n_max"), check_num_classes(num_classes)
    imbalance_ratio = _imbalance_ratio(imbalance_ratio)
    if num_classes == 1:
        return np.array([n_max])
    exponent = np.arange(num_classes) / (num_classes - 1)
    # the small epsilon keeps exact products such as 100 / 10 from rounding down to 9
    return np.floor(n_max * float(imbalance_ratio) ** -exponent + 1e-9).astype(np.int64)


def _imbalance_ratio(value) -> float:
    """``value`` as a float, checked to be a finite real number >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"imbalance_ratio must be a real number >= 1, got {type(value).__name__}")
    if not (np.isfinite(value) and value >= 1.0):
        raise ValueError(f"imbalance_ratio must be finite and >= 1, got {value}")
    return float(value)


def make_long_tailed(X, y, imbalance_ratio: float, seed: int = 0):
    """Keep a geometrically decreasing number of examples of each class.

    With n_max the size of the smallest class of ``y`` (so that every class
    can supply its quota), class k keeps

        n_k = floor(n_max * imbalance_ratio^(-k / (K - 1))),

    drawn at random without replacement: class 0 keeps the most, class K-1
    the fewest, n_max / imbalance_ratio. Kept rows stay in their original order.

    Parameters
    ----------
    X : ndarray, shape (N, ...)
    y : array-like of int, shape (N,)
        Labels 0 .. K-1, every class present.
    imbalance_ratio : float >= 1
        n_0 / n_{K-1}.
    seed : int

    Returns
    -------
    X_lt : ndarray, shape (sum n_k, ...)
    y_lt : ndarray of int64, shape (sum n_k,)

    Examples
    --------
    >>> X, y = np.zeros((30, 1)), np.arange(30) % 3
    >>> np.bincount(make_long_tailed(X, y, 10.0)[1])
    array([10,  3,  1])
    """
    labels = as_label_array(y, "y")
    X = np.asarray(X)
    if X.shape[0] != labels.size:
        raise ValueError(f"X and y must have the same length, got {X.shape[0]} and {labels.size}")
    imbalance_ratio = _imbalance_ratio(imbalance_ratio)
    available = np.bincount(labels)
    if np.any(available == 0):
        raise ValueError(f"y has no example of class {np.flatnonzero(available == 0).tolist()}")
    quota = long_tailed_counts(int(available.min()), available.size, imbalance_ratio)
    if quota[-1] < 1:
        raise ValueError(
            f"imbalance_ratio {imbalance_ratio} leaves class {available.size - 1} empty "
            f"(smallest class has {available.min()} examples)"
        )
    rng = np.random.default_rng(seed)
    keep = np.concatenate([
        rng.choice(np.flatnonzero(labels == k), size=count, replace=False) for k, count in enumerate(quota)
    ])
    keep.sort()
    return X[keep], labels[keep]


def long_tailed_digits(imbalance_ratio: float, seed: int = 0, test_fraction: float = 0.3):
    """scikit-learn's 8x8 digits with a long-tailed training set and a balanced test set.

    The 1,797 images are split (stratified, ``test_fraction`` for testing);
    only the training part is thinned by ``make_long_tailed``, so digit 0
    is the most frequent and digit 9 the rarest there.

    Returns
    -------
    X_train : ndarray of float32, shape (N_train, 64), pixels in [0, 1]
    y_train : ndarray of int64
    X_test : ndarray of float32, shape (N_test, 64)
    y_test : ndarray of int64

    Examples
    --------
    >>> X_train, y_train, X_test, y_test = long_tailed_digits(10.0, seed=0)
    >>> np.bincount(y_train)[[0, 9]]
    array([122,  12])
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(
        X, digits.target.astype(np.int64), test_size=test_fraction, stratify=digits.target, random_state=seed
    )
    X_train, y_train = make_long_tailed(X_train, y_train, imbalance_ratio, seed)
    return X_train, y_train, X_test, y_test
