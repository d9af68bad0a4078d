"""Counts shared by ``wloss.metrics`` and ``wloss.decisions``: the confusion matrix, and TP and FP at every threshold.

Both modules score decisions from these counts (metrics as rates and curves, decisions as costs), so they
live below both; the inputs are validated labels and scores (``wloss._validation``).
"""
from __future__ import annotations

import numpy as np


def confusion_counts(true: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """C[i, j] = the number of examples of true class i predicted as j, shape (k, k), from labels in [0, k)."""
    return np.bincount(true * k + pred, minlength=k * k).reshape(k, k)


def counts_at_each_threshold(score: np.ndarray, true: np.ndarray):
    """TP and FP for t = inf and each distinct score, in decreasing order of t.

    Returns the thresholds, TP and FP, arrays of length D + 1 (D distinct scores); entry 0 is t = inf.
    """
    order = np.argsort(-score, kind="stable")
    sorted_score, sorted_true = score[order], true[order]
    # the last position of each run of equal scores: ties enter together
    group_end = np.flatnonzero(np.r_[sorted_score[1:] != sorted_score[:-1], True])
    true_positives = np.cumsum(sorted_true)[group_end]
    false_positives = group_end + 1 - true_positives
    thresholds = np.r_[np.inf, sorted_score[group_end]]
    return thresholds, np.r_[0, true_positives], np.r_[0, false_positives]
