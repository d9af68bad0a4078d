"""Weights for the losses: per class from label counts, per label, and per example from costs.

Class weights take the training labels ``y`` (integers in ``[0, K)``) and
return weights that a loss multiplies into the terms of each class:

- ``class_counts``                    n_k, the number of examples of each class
- ``inverse_frequency_weights``       w_k = n / (K n_k)  (scikit-learn's "balanced")
- ``sqrt_inverse_frequency_weights``  w_k proportional to 1 / sqrt(n_k), a softer version
- ``pos_weight``                      w+ = n_neg / n_pos for binary labels
- ``effective_number_weights``        Cui et al. (2019), class-balanced weights

A weight needs every class to have at least one example; a class with none
raises a ``ValueError`` that names the class.

Beyond one weight per class:

- ``pos_weight_per_label``            w_l = n_neg,l / n_pos,l for multi-hot (N, L) targets, one per label (column)
- ``rwwce_weights_from_costs``        the RWWCE weights fn_i and fp_ij that reproduce a cost c_ij per example
                                      and answer (lecture 05's transactions)
"""
from __future__ import annotations

import numbers

import numpy as np

from wloss._validation import (as_label_array, binary_label_array, check_nonnegative_finite, check_num_classes,
                               labels_like, multi_hot)

__all__ = ["class_counts", "inverse_frequency_weights", "sqrt_inverse_frequency_weights", "pos_weight",
           "effective_number_weights", "pos_weight_per_label", "rwwce_weights_from_costs"]


def class_counts(y, num_classes=None) -> np.ndarray:
    """Number of examples of each class.

    Parameters
    ----------
    y : array-like of int, shape (N,)
        Class labels in ``[0, K)``.
    num_classes : int, optional
        K. Default: ``max(y) + 1``.

    Returns
    -------
    ndarray of int64, shape (K,)
        ``n_k``, the number of labels equal to k.

    Examples
    --------
    >>> class_counts([0, 0, 1, 2, 2, 2])
    array([2, 1, 3])
    """
    labels = as_label_array(y, "y", num_classes)
    if num_classes is None:
        num_classes = int(labels.max()) + 1
    return np.bincount(labels, minlength=check_num_classes(num_classes))


def _counts_of_nonempty_classes(y, num_classes) -> np.ndarray:
    """``class_counts`` that raises when a class has no example."""
    counts = class_counts(y, num_classes)
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        raise ValueError(
            f"y has no example of class {empty.tolist()} (of {counts.size} classes): "
            "a class weight needs at least one example of each class"
        )
    return counts


def inverse_frequency_weights(y, num_classes=None) -> np.ndarray:
    """Inverse-frequency class weights, scikit-learn's ``class_weight="balanced"``.

    w_k = n / (K n_k)

    so that every class contributes the same total weight, n_k w_k = n / K,
    and the mean weight over the examples is 1.

    Parameters
    ----------
    y : array-like of int, shape (N,)
        Class labels in ``[0, K)``.
    num_classes : int, optional
        K. Default: ``max(y) + 1``.

    Returns
    -------
    ndarray of float64, shape (K,)

    Raises
    ------
    ValueError
        If a class in ``[0, K)`` has no example.

    Examples
    --------
    >>> inverse_frequency_weights([0, 0, 0, 1])
    array([0.66666667, 2.        ])
    """
    counts = _counts_of_nonempty_classes(y, num_classes)
    return counts.sum() / (counts.size * counts.astype(np.float64))


def sqrt_inverse_frequency_weights(y, num_classes=None) -> np.ndarray:
    """Softened class weights, proportional to 1 / sqrt(n_k).

    w_k = n / (sqrt(n_k) * sum_j sqrt(n_j))

    The scale makes the mean weight over the examples 1, as with
    ``inverse_frequency_weights``: sum_k n_k w_k = n. The minority class
    is up-weighted by the square root of the imbalance only.

    Parameters
    ----------
    y : array-like of int, shape (N,)
        Class labels in ``[0, K)``.
    num_classes : int, optional
        K. Default: ``max(y) + 1``.

    Returns
    -------
    ndarray of float64, shape (K,)

    Raises
    ------
    ValueError
        If a class in ``[0, K)`` has no example.

    Examples
    --------
    >>> sqrt_inverse_frequency_weights([0, 0, 0, 0, 1])
    array([0.83333333, 1.66666667])
    """
    counts = _counts_of_nonempty_classes(y, num_classes).astype(np.float64)
    root = np.sqrt(counts)
    return counts.sum() / (root * root.sum())


def pos_weight(y) -> float:
    """Weight of the positive class for binary labels: w+ = n_neg / n_pos.

    With it, the positives' total weight n_pos w+ equals the negatives'
    total n_neg (the negatives keep weight 1). This is the ``pos_weight``
    argument of ``torch.nn.BCEWithLogitsLoss``.

    Parameters
    ----------
    y : array-like of {0, 1}, shape (N,)
        Binary labels, 1 = positive.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If a label is not 0 or 1, or one of the two classes has no example.

    Examples
    --------
    >>> pos_weight([0, 0, 0, 1])
    3.0
    """
    labels = binary_label_array(y, "y")
    n_pos = int(labels.sum())
    n_neg = labels.size - n_pos
    if n_pos == 0:
        raise ValueError("y has no positive example (label 1): n_neg / n_pos is undefined")
    if n_neg == 0:
        raise ValueError("y has no negative example (label 0): pos_weight would be 0")
    return n_neg / n_pos


def effective_number_weights(y, beta, num_classes=None) -> np.ndarray:
    """Class-balanced weights from the effective number of examples (Cui et al. 2019).

    The effective number of class k is E_k = (1 - beta^n_k) / (1 - beta), and

    w_k proportional to 1 / E_k = (1 - beta) / (1 - beta^n_k),

    scaled so that sum_k w_k = K. beta = 0 gives equal weights; as beta -> 1,
    E_k -> n_k and the weights approach inverse frequency (scaled to sum to K).

    Parameters
    ----------
    y : array-like of int, shape (N,)
        Class labels in ``[0, K)``.
    beta : float
        In ``[0, 1)``; Cui et al. use 0.9, 0.99, 0.999, 0.9999.
    num_classes : int, optional
        K. Default: ``max(y) + 1``.

    Returns
    -------
    ndarray of float64, shape (K,), summing to K

    Raises
    ------
    ValueError
        If ``beta`` is outside ``[0, 1)`` or a class has no example.

    Examples
    --------
    >>> effective_number_weights([0, 0, 0, 1], beta=0.5)
    array([0.72727273, 1.27272727])
    """
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real):
        raise TypeError(f"beta must be a real number in [0, 1), got {type(beta).__name__}")
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    counts = _counts_of_nonempty_classes(y, num_classes).astype(np.float64)
    if beta == 0.0:
        return np.ones_like(counts)
    log_beta = np.log(beta)
    # (1 - beta) / (1 - beta^n) written with expm1, accurate for beta near 1
    inverse_effective_number = np.expm1(log_beta) / np.expm1(counts * log_beta)
    return counts.size * inverse_effective_number / inverse_effective_number.sum()


def pos_weight_per_label(Y) -> np.ndarray:
    """Per-label ``pos_weight`` of a multi-hot matrix: negatives over positives in each column.

    w_l = n_neg,l / n_pos,l,  n_pos,l = sum_i Y[i, l],  n_neg,l = N - n_pos,l.

    This is the ``pos_weight`` (shape (L,)) that ``torch.nn.BCEWithLogitsLoss`` expects for (N, L)
    targets: with it, the positives and the negatives of each label carry the same total weight.

    Parameters
    ----------
    Y : array-like or Tensor (N, L) of 0/1 (float, int or bool).

    Returns
    -------
    numpy.ndarray (L,), float64. A label present in every row gets 0.

    Raises
    ------
    ValueError
        If ``Y`` is not 2-D, holds values other than 0 and 1, or a column has no positive
        (its weight would be infinite).

    Examples
    --------
    >>> pos_weight_per_label([[1, 0], [0, 0], [0, 1], [0, 0]]).tolist()
    [3.0, 3.0]
    """
    arr = multi_hot(Y, "Y")
    n_pos = arr.sum(axis=0)
    empty = np.flatnonzero(n_pos == 0)
    if empty.size:
        raise ValueError(f"Y has no positive example in column(s) {empty.tolist()}: their pos_weight "
                         "n_neg / n_pos would be infinite; drop those labels or count on more data")
    return (arr.shape[0] - n_pos) / n_pos


def rwwce_weights_from_costs(cost_rows, y):
    """Split each cost row c_i into RWWCE weights with fn_i + fp_ij = c_ij for every wrong j.

        fn_i = min_{j != y_i} c_ij,   fp_ij = c_ij - fn_i (j != y_i),   fp_i,y_i = 0

    fn_i is the largest share all wrong answers have in common, so every fp_ij stays >= 0.
    ``wloss.decisions.real_world_cost`` charges fn[y] + fp[y, j] for a mistake; this split makes that
    charge equal c_ij.

    Parameters
    ----------
    cost_rows : array-like (N, K) >= 0, cost of answering j for example i.  y : int (N,) in [0, K).

    Returns
    -------
    fn_weight : ndarray (N,).  fp_weight : ndarray (N, K), zero in column y_i.

    Examples
    --------
    >>> fn, fp = rwwce_weights_from_costs([[100.0, 0.0, 10.0]], [1])
    >>> fn, fp
    (array([10.]), array([[90.,  0.,  0.]]))
    """
    rows = check_nonnegative_finite(cost_rows, "cost_rows", shape=(None, None))
    y = labels_like(y, "y", rows.shape[0], "cost_rows", num_classes=rows.shape[1])
    if rows.shape[1] < 2:
        raise ValueError(f"cost_rows must have at least 2 columns (classes), got {rows.shape[1]}")
    own = np.zeros_like(rows, dtype=bool)
    own[np.arange(len(y)), y] = True
    fn_weight = np.where(own, np.inf, rows).min(axis=1)
    fp_weight = np.where(own, 0.0, rows - fn_weight[:, None])
    return fn_weight, fp_weight
