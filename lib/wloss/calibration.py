"""Calibration: reliability curves, and undoing the probability distortion of weighted training.

Training with ``pos_weight = w`` makes the model estimate the posterior of a
world in which every positive appears w times: its odds are w times the true
odds. Subtracting ``log w`` from the logit undoes that (the prior correction
of King & Zeng 2001).
"""
from __future__ import annotations

import numpy as np
import torch

from wloss._validation import binary_labels, finite_vector, positive_finite


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


def _binary_inputs(probabilities, y_true):
    """Probabilities (N,) in [0, 1] and 0/1 labels (N,), as float64 arrays."""
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"probabilities must have shape (N,) with N >= 1, got {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        raise ValueError("probabilities must lie in [0, 1]")
    return p, binary_labels(y_true, len(p), "y_true", dtype=torch.float64, device="cpu").numpy()
