"""Calibration: reliability curves, and undoing the probability distortion of weighted training.

Training with ``pos_weight = w`` makes the model estimate the posterior of a
world in which every positive appears w times: its odds are w times the true
odds. Subtracting ``log w`` from the logit undoes that (the prior correction
of King & Zeng 2001).

For K classes, ``top_label_calibration_error`` scores only the confidence of the
predicted class, ``classwise_calibration_error`` the probability of every class
(Kull et al. 2019; Nixon et al. 2019).
"""
from __future__ import annotations

import numpy as np
import torch

from wloss._validation import as_label_array, binary_labels, check_nonnegative_finite, finite_vector, positive_finite


def prior_correction(logits, pos_weight: float) -> np.ndarray:
    """Logits of a model trained with ``pos_weight = w``, corrected to the true class prior.

    z_corrected = z - log w

    Parameters
    ----------
    logits : array-like, shape (N,)
    pos_weight : float > 0

    Examples
    --------
    >>> prior_correction([0.0, np.log(20)], 20.0).round(4)
    array([-2.9957,  0.    ])
    """
    return finite_vector(logits, "logits") - np.log(positive_finite(pos_weight, "pos_weight"))


def reliability_curve(probabilities, y_true, num_bins: int = 10):
    """Mean predicted probability and observed frequency of positives in equal-width bins.

    Parameters
    ----------
    probabilities : array-like, shape (N,), values in [0, 1]
    y_true : array-like, shape (N,), labels in {0, 1}
    num_bins : int >= 1

    Returns
    -------
    mean_predicted, observed_frequency, counts : ndarrays of shape (B,)
        For the non-empty bins only. A calibrated model has
        ``observed_frequency ~= mean_predicted``.

    Examples
    --------
    >>> reliability_curve([0.1, 0.1, 0.9, 0.9], [0, 0, 1, 1], num_bins=2)[1]
    array([0., 1.])
    """
    p, y = _binary_inputs(probabilities, y_true)
    if not isinstance(num_bins, (int, np.integer)) or num_bins < 1:
        raise ValueError(f"num_bins must be an int >= 1, got {num_bins!r}")
    bins = np.minimum((p * num_bins).astype(int), num_bins - 1)
    counts = np.bincount(bins, minlength=num_bins)
    filled = counts > 0
    mean_predicted = np.bincount(bins, weights=p, minlength=num_bins)[filled] / counts[filled]
    observed = np.bincount(bins, weights=y, minlength=num_bins)[filled] / counts[filled]
    return mean_predicted, observed, counts[filled]


def expected_calibration_error(probabilities, y_true, num_bins: int = 10) -> float:
    """ECE = sum_b (n_b / N) |observed_b - mean_predicted_b| over equal-width bins.

    Examples
    --------
    >>> expected_calibration_error([0.1, 0.1, 0.9, 0.9], [0, 0, 1, 1], num_bins=2)
    0.1
    """
    mean_predicted, observed, counts = reliability_curve(probabilities, y_true, num_bins)
    return float(np.round((counts * np.abs(observed - mean_predicted)).sum() / counts.sum(), 12))


def top_label_calibration_error(probabilities, y_true, num_bins: int = 10) -> float:
    """Top-label ECE of a K-class model: the binned ECE of its largest probability against its accuracy.

    ECE_top = sum_b (n_b / N) |acc_b - conf_b|, where conf = max_k p(k | x) and
    acc is whether the arg-max is the true class (Guo et al. 2017). It looks at
    one number per example, so it cannot see how the rest of the probability is
    spread over the other classes.

    Parameters
    ----------
    probabilities : array-like, shape (N, K), K >= 2, rows in [0, 1] summing to 1
    y_true : array-like of int, shape (N,), labels in [0, K)
    num_bins : int >= 1, equal-width bins on [0, 1]

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``probabilities`` is not an (N, K) matrix of probabilities, ``y_true``
        has the wrong length or labels outside [0, K), or ``num_bins`` < 1.

    Examples
    --------
    >>> p = [[0.8, 0.2, 0.0], [0.8, 0.2, 0.0], [0.4, 0.3, 0.3], [0.4, 0.3, 0.3]]
    >>> top_label_calibration_error(p, [0, 1, 0, 2], num_bins=2)     # (2 |0.5 - 0.4| + 2 |0.5 - 0.8|) / 4
    0.2
    """
    p, y = _multiclass_inputs(probabilities, y_true)
    return expected_calibration_error(p.max(axis=1), p.argmax(axis=1) == y, num_bins)


def classwise_calibration_error(probabilities, y_true, num_bins: int = 10) -> float:
    """Class-wise ECE of a K-class model: the mean over classes of the binned ECE of p(k | x) against 1[y = k].

    classwise-ECE = (1/K) sum_k sum_b (n_kb / N) |freq_kb - conf_kb|

    where bin b of class k holds the examples whose p(k | x) falls in it
    (Kull et al. 2019; the static calibration error, SCE, of Nixon et al. 2019).
    Unlike the top-label ECE it scores the probability of every class for every
    example, so it sees a model that gives a rare class too much probability
    where that class is not the arg-max.

    Parameters
    ----------
    probabilities : array-like, shape (N, K), K >= 2, rows in [0, 1] summing to 1
    y_true : array-like of int, shape (N,), labels in [0, K)
    num_bins : int >= 1, equal-width bins on [0, 1]

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``probabilities`` is not an (N, K) matrix of probabilities, ``y_true``
        has the wrong length or labels outside [0, K), or ``num_bins`` < 1.

    Examples
    --------
    >>> p = [[0.8, 0.2, 0.0], [0.8, 0.2, 0.0], [0.4, 0.3, 0.3], [0.4, 0.3, 0.3]]
    >>> classwise_calibration_error(p, [0, 1, 0, 2], num_bins=2)     # (0.2 + 0.0 + 0.1) / 3
    0.1
    """
    p, y = _multiclass_inputs(probabilities, y_true)
    per_class = [expected_calibration_error(p[:, k], y == k, num_bins) for k in range(p.shape[1])]
    return float(np.round(np.mean(per_class), 12))


def _multiclass_inputs(probabilities, y_true):
    """Probabilities (N, K) in [0, 1] with rows summing to 1, and labels (N,) in [0, K)."""
    p = check_nonnegative_finite(probabilities, "probabilities", shape=(None, None))
    if p.shape[0] == 0 or p.shape[1] < 2:
        raise ValueError(f"probabilities must have shape (N, K) with N >= 1 and K >= 2, got {p.shape}")
    if np.any(p > 1) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("probabilities must lie in [0, 1] with every row summing to 1")
    y = as_label_array(y_true, "y_true", num_classes=p.shape[1])
    if len(y) != len(p):
        raise ValueError(f"y_true has {len(y)} labels but probabilities has {len(p)} rows")
    return p, y


def _binary_inputs(probabilities, y_true):
    """Probabilities (N,) in [0, 1] and 0/1 labels (N,), as float64 arrays."""
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"probabilities must have shape (N,) with N >= 1, got {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        raise ValueError("probabilities must lie in [0, 1]")
    return p, binary_labels(y_true, len(p), "y_true", dtype=torch.float64, device="cpu").numpy()
