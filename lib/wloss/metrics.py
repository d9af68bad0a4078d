"""Metrics: counts and rates of right and wrong answers, and how well scores rank the positives.

- ``confusion_matrix``           counts C[i, j] of true class i predicted as j
- ``precision_recall_f1``        binary precision, recall and F1
- ``per_class_recall``           recall of every class; ``balanced_accuracy`` is their mean
- ``per_label_recall_precision`` recall and precision of every label of multi-label (N, L) decisions
- ``precision_recall_curve``     precision and recall at every threshold on given scores
- ``average_precision``          AP, the step-wise area under that curve (ranking quality, not a cost)

Labels are integers in ``[0, K)``; binary labels are 0 (negative) and 1
(positive). ``y_true`` and ``y_pred`` must have the same length. What the
mistakes cost, and the thresholds and decisions that make it smallest, are in
``wloss.decisions``.

Deprecated: moved to wloss.decisions; these names will be removed in the next release:

- ``real_world_cost``: Deprecated: moved to wloss.decisions; this name will be removed in the next release.
- ``bayes_threshold``: Deprecated: moved to wloss.decisions; this name will be removed in the next release.
- ``best_threshold``: Deprecated: moved to wloss.decisions; this name will be removed in the next release.
- ``OBJECTIVES``: Deprecated: moved to wloss.decisions; this name will be removed in the next release.
"""
from __future__ import annotations

import numpy as np

from wloss._counts import confusion_counts, counts_at_each_threshold
from wloss._validation import binary_label_array, check_num_classes, label_pair, multi_hot, scores_and_labels
# Deprecated: moved to wloss.decisions; these names will be removed in the next release
from wloss.decisions import OBJECTIVES, bayes_threshold, best_threshold, real_world_cost  # noqa: F401

__all__ = ["confusion_matrix", "precision_recall_f1", "per_class_recall", "balanced_accuracy",
           "per_label_recall_precision", "precision_recall_curve", "average_precision"]


def confusion_matrix(y_true, y_pred, num_classes=None) -> np.ndarray:
    """Confusion matrix: C[i, j] = number of examples of true class i predicted as j.

    Rows are true classes, columns predicted classes, as in scikit-learn.

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (N,)
        True and predicted labels in ``[0, K)``.
    num_classes : int, optional
        K. Default: ``max(max(y_true), max(y_pred)) + 1``.

    Returns
    -------
    ndarray of int64, shape (K, K)

    Examples
    --------
    >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
    array([[1, 0, 0],
           [0, 1, 1],
           [0, 0, 1]])
    """
    true, pred = label_pair(y_true, y_pred, num_classes)
    if num_classes is None:
        num_classes = int(max(true.max(), pred.max())) + 1
    return confusion_counts(true, pred, check_num_classes(num_classes))


def precision_recall_f1(y_true, y_pred) -> tuple[float, float, float]:
    """Precision, recall and F1 of binary predictions (positive class = 1).

    precision = TP / (TP + FP),  recall = TP / (TP + FN),
    F1 = 2 TP / (2 TP + FP + FN)  (the harmonic mean of the two).

    A ratio whose denominator is 0 is reported as 0.0, as scikit-learn does
    by default (e.g. precision when nothing is predicted positive).

    Parameters
    ----------
    y_true, y_pred : array-like of {0, 1}, shape (N,)

    Returns
    -------
    (precision, recall, f1) : tuple of float

    Examples
    --------
    >>> precision_recall_f1([1, 1, 0, 0], [1, 0, 1, 0])
    (0.5, 0.5, 0.5)
    """
    true, pred = label_pair(binary_label_array(y_true, "y_true"), binary_label_array(y_pred, "y_pred"))
    tp = int(np.sum(true & pred))
    fp = int(np.sum(pred)) - tp
    fn = int(np.sum(true)) - tp
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return precision, recall, f1


def per_class_recall(y_true, y_pred, num_classes=None) -> np.ndarray:
    """Recall of every class: r_k = C[k, k] / sum_j C[k, j].

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (N,)
    num_classes : int, optional
        K. Default: ``max(max(y_true), max(y_pred)) + 1``.

    Returns
    -------
    ndarray of float64, shape (K,)
        NaN for a class with no true example (its recall is undefined).

    Examples
    --------
    >>> per_class_recall([0, 0, 1, 1], [0, 1, 1, 1])
    array([0.5, 1. ])
    """
    matrix = confusion_matrix(y_true, y_pred, num_classes)
    support = matrix.sum(axis=1)
    recall = np.full(support.shape, np.nan)
    np.divide(np.diag(matrix), support, out=recall, where=support > 0)
    return recall


def balanced_accuracy(y_true, y_pred) -> float:
    """Mean of the per-class recalls over the classes present in ``y_true``.

    balanced accuracy = (1 / K') sum_k C[k, k] / n_k, over the K' classes with n_k > 0.
    Equal to scikit-learn's ``balanced_accuracy_score``.

    Examples
    --------
    >>> balanced_accuracy([0, 0, 0, 1], [0, 0, 0, 0])
    0.5
    """
    recall = per_class_recall(y_true, y_pred)
    return float(np.mean(recall[~np.isnan(recall)]))


def per_label_recall_precision(Y, Y_pred):
    """Recall and precision of each label (column) of 0/1 decisions.

    recall_l = TP_l / n_pos,l, NaN when label l has no positive; precision_l = TP_l / (TP_l + FP_l), NaN when
    label l is never predicted.

    Examples
    --------
    >>> r, p = per_label_recall_precision([[1, 0], [1, 1], [0, 0]], [[1, 1], [0, 1], [0, 0]])
    >>> r.tolist(), p.tolist()
    ([0.5, 1.0], [1.0, 0.5])
    """
    y = multi_hot(Y, "Y")
    y_hat = multi_hot(Y_pred, "Y_pred")
    if y.shape != y_hat.shape:
        raise ValueError(f"Y_pred must have Y's shape {y.shape}, got {y_hat.shape}")
    tp = (y * y_hat).sum(axis=0)
    predicted = y_hat.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = tp / y.sum(axis=0)
        precision = np.where(predicted > 0, tp / np.maximum(predicted, 1), np.nan)
    return recall, precision


def precision_recall_curve(y_true, scores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision and recall of the rule "positive when score >= t", at every distinct score t.

    For the D distinct scores t_1 < ... < t_D:

        precision_d = TP(t_d) / (TP(t_d) + FP(t_d)),  recall_d = TP(t_d) / P,

    with P the number of positives. Tied scores enter together: one threshold each.
    A last point (precision 1, recall 0) with no threshold is appended, so that recall
    decreases from 1 to 0 along the arrays. The result is the same arrays, in the same
    order, as scikit-learn's ``precision_recall_curve(y_true, scores)`` (its default
    ``drop_intermediate=False``: no threshold is dropped).

    ``y_true`` without a positive is refused (recall is 0 / 0); scikit-learn warns and sets
    recall to 1 everywhere instead.

    Parameters
    ----------
    y_true : array-like of {0, 1} or bool, shape (N,)
        With at least one positive.
    scores : array-like of float, shape (N,)
        Finite scores, higher = more likely positive (probabilities or logits).

    Returns
    -------
    precision : ndarray of float64, shape (D + 1,)
    recall : ndarray of float64, shape (D + 1,)
        Non-increasing, from 1 to 0.
    thresholds : ndarray of float64, shape (D,)
        The distinct scores, increasing; entry d goes with ``precision[d]`` and ``recall[d]``.

    Examples
    --------
    >>> precision, recall, thresholds = precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> precision
    array([0.5       , 0.66666667, 0.5       , 1.        , 1.        ])
    >>> recall
    array([1. , 1. , 0.5, 0.5, 0. ])
    >>> thresholds
    array([0.1 , 0.35, 0.4 , 0.8 ])
    """
    score, true = scores_and_labels(scores, y_true)
    positives = int(true.sum())
    if positives == 0:
        raise ValueError("y_true has no positive example: recall TP / P is undefined (P = 0)")
    thresholds, true_positives, false_positives = counts_at_each_threshold(score, true)
    # drop t = inf (nothing predicted positive), then go from the lowest threshold up
    thresholds, tp, fp = thresholds[:0:-1], true_positives[:0:-1], false_positives[:0:-1]
    precision = tp.astype(np.float64) / (tp + fp)
    recall = tp.astype(np.float64) / positives
    return np.r_[precision, 1.0], np.r_[recall, 0.0], thresholds


def average_precision(y_true, scores) -> float:
    """Average precision: AP = sum_n (R_n - R_{n-1}) P_n, over the thresholds from high to low.

    P_n and R_n are the precision and recall at the n-th highest distinct score
    (``precision_recall_curve``), with R_0 = 0: each precision is weighted by the recall it
    adds, i.e. the mean, over the positives, of the precision at the threshold where that
    positive is first predicted positive (tied scores enter together). No interpolation:
    this is the step-wise sum of scikit-learn's ``average_precision_score``, and equals it.

    What it measures: how well the scores rank the positives above the negatives, summarised
    over all thresholds at once, with the emphasis on the top of the ranking. A perfect
    ranking gives 1; a random scorer gives about the prevalence P / N of positives,
    not 0.5 as ROC AUC does (Saito & Rehmsmeier, PLoS ONE 2015): compare AP with the
    prevalence. A curve dominates another in ROC space exactly when it does in PR space, but
    the two areas can rank classifiers differently, and PR points must not be joined by
    straight lines (Davis & Goadrich, ICML 2006): hence a step-wise sum, not a trapezoid.

    What it does not: AP is not a cost, it weighs no mistake by what it costs, and it does
    not pick a threshold; a model with the better AP can have the higher Real World Cost
    at the threshold actually used (``wloss.decisions.best_threshold``, ``wloss.decisions.real_world_cost``).

    ``y_true`` without a positive is refused (recall is 0 / 0); scikit-learn warns and
    returns a meaningless number instead.

    References: J. Davis and M. Goadrich, "The relationship between precision-recall and
    ROC curves", ICML 2006. T. Saito and M. Rehmsmeier, "The precision-recall plot is more
    informative than the ROC plot when evaluating binary classifiers on imbalanced
    datasets", PLoS ONE 10(3): e0118432, 2015.

    Parameters
    ----------
    y_true : array-like of {0, 1} or bool, shape (N,)
        With at least one positive.
    scores : array-like of float, shape (N,)
        Finite scores, higher = more likely positive.

    Returns
    -------
    float in (0, 1]

    Examples
    --------
    >>> average_precision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])  # (1/2) 1 + (1/2) (2/3)
    0.8333333333333333
    """
    precision, recall, _ = precision_recall_curve(y_true, scores)
    # recall decreases along the arrays: -diff(recall) is the recall each threshold adds;
    # max clips a rounding -0.0, as scikit-learn does
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))
