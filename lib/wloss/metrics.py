"""Metrics for classifiers whose mistakes do not cost the same.

- ``confusion_matrix``       counts C[i, j] of true class i predicted as j
- ``precision_recall_f1``    binary precision, recall and F1
- ``per_class_recall``       recall of every class; ``balanced_accuracy`` is their mean
- ``real_world_cost``        mean cost of the mistakes (Ho & Wookey), binary and multiclass
- ``bayes_threshold``        c_fp / (c_fp + c_fn), the cost-optimal threshold of a calibrated model
- ``best_threshold``         the exact best threshold on given scores, for F1 or for cost
- ``precision_recall_curve`` precision and recall at every threshold on given scores
- ``average_precision``      AP, the step-wise area under that curve (ranking quality, not a cost)

Labels are integers in ``[0, K)``; binary labels are 0 (negative) and 1
(positive). ``y_true`` and ``y_pred`` must have the same length.
"""
from __future__ import annotations

import numpy as np

from wloss._validation import as_label_array, check_nonnegative_finite, check_num_classes

OBJECTIVES = ("f1", "cost")


def _label_pair(y_true, y_pred, num_classes=None) -> tuple[np.ndarray, np.ndarray]:
    """Validate two label arrays of the same length."""
    true = as_label_array(y_true, "y_true", num_classes)
    pred = as_label_array(y_pred, "y_pred", num_classes)
    if true.size != pred.size:
        raise ValueError(
            f"y_true and y_pred must have the same length, got {true.size} and {pred.size}"
        )
    return true, pred


def _binary_labels(y, name: str) -> np.ndarray:
    """Validate labels that must be 0 or 1."""
    labels = as_label_array(y, name)
    if labels.max() > 1:
        raise ValueError(f"{name} must hold binary labels 0 or 1, got {labels.max()}")
    return labels


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
    true, pred = _label_pair(y_true, y_pred, num_classes)
    if num_classes is None:
        num_classes = int(max(true.max(), pred.max())) + 1
    k = check_num_classes(num_classes)
    return np.bincount(true * k + pred, minlength=k * k).reshape(k, k)


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
    true, pred = _label_pair(_binary_labels(y_true, "y_true"), _binary_labels(y_pred, "y_pred"))
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


def real_world_cost(y_true, y_pred, fn_cost, fp_cost) -> float:
    """Real World Cost: the mean cost of the mistakes (Ho & Wookey).

    Binary (``fn_cost`` and ``fp_cost`` scalars, labels 0/1):

        RWC = (FN c_fn + FP c_fp) / N

    Multiclass (``fn_cost`` shape (K,), ``fp_cost`` shape (K, K)): an example
    of true class i predicted as j != i costs ``fn_cost[i] + fp_cost[i, j]``
    (missing class i, plus wrongly choosing j); a correct one costs 0:

        RWC = (1/N) sum_{i != j} C[i, j] (fn_cost[i] + fp_cost[i, j])

    with C the confusion matrix. The diagonal of ``fp_cost`` is ignored.

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (N,)
    fn_cost : float or array-like, shape (K,)
    fp_cost : float or array-like, shape (K, K)
        Finite and >= 0.

    Returns
    -------
    float

    Examples
    --------
    >>> real_world_cost([1, 1, 0, 0], [0, 1, 1, 0], fn_cost=20.0, fp_cost=1.0)
    5.25
    """
    fn = check_nonnegative_finite(fn_cost, "fn_cost")
    if fn.ndim == 0:
        fp = check_nonnegative_finite(fp_cost, "fp_cost", shape=())
        true, pred = _label_pair(_binary_labels(y_true, "y_true"), _binary_labels(y_pred, "y_pred"))
        false_negatives = int(np.sum(true & (1 - pred)))
        false_positives = int(np.sum((1 - true) & pred))
        return float((false_negatives * fn + false_positives * fp) / true.size)
    if fn.ndim != 1:
        raise ValueError(f"fn_cost must be a scalar (binary) or have shape (K,), got {fn.shape}")
    k = fn.shape[0]
    fp = check_nonnegative_finite(fp_cost, "fp_cost", shape=(k, k))
    matrix = confusion_matrix(y_true, y_pred, num_classes=k)
    mistake_cost = fn[:, None] + fp
    np.fill_diagonal(mistake_cost, 0.0)
    return float(np.sum(matrix * mistake_cost) / matrix.sum())


def bayes_threshold(fn_cost, fp_cost) -> float:
    """Cost-optimal threshold on a calibrated probability: t* = c_fp / (c_fp + c_fn).

    Predicting positive costs c_fp (1 - p) in expectation, predicting
    negative costs c_fn p; the first is smaller exactly when p > t*.

    Parameters
    ----------
    fn_cost, fp_cost : float
        Finite, >= 0, not both 0.

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> bayes_threshold(fn_cost=2000.0, fp_cost=100.0)
    0.047619047619047616
    """
    fn = float(check_nonnegative_finite(fn_cost, "fn_cost", shape=()))
    fp = float(check_nonnegative_finite(fp_cost, "fp_cost", shape=()))
    if fn + fp == 0.0:
        raise ValueError("fn_cost and fp_cost are both 0: at least one must be > 0")
    return fp / (fp + fn)


def best_threshold(scores, y_true, objective="f1", fn_cost=None, fp_cost=None) -> float:
    """The exact best threshold t on ``scores``: predict positive when score >= t.

    Every threshold in the real line gives one of the predictions
    {score >= s} for a distinct score s, or no positive at all; all of them
    are evaluated, t in {distinct scores} plus ``inf`` (no positive):

    - ``objective="f1"``: maximise F1 = 2 TP / (2 TP + FP + FN);
    - ``objective="cost"``: minimise (FN c_fn + FP c_fp) / N, the binary
      ``real_world_cost``; needs ``fn_cost`` and ``fp_cost``.

    Sorting the scores once and cumulating the labels gives TP and FP at
    every threshold, so the search costs O(N log N).

    Ties: when several thresholds reach the same best value, the largest
    one is returned (the fewest predicted positives). ``inf`` can be the
    result for ``"cost"`` when predicting no positive is best; for ``"f1"``
    it never is, since F1 > 0 at the lowest score.

    Parameters
    ----------
    scores : array-like of float, shape (N,)
        Finite scores, higher = more likely positive (probabilities or logits).
    y_true : array-like of {0, 1}, shape (N,)
        With at least one positive for ``"f1"``.
    objective : {"f1", "cost"}
    fn_cost, fp_cost : float, optional
        Required for ``"cost"``: finite, >= 0.

    Returns
    -------
    float

    Examples
    --------
    >>> best_threshold([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])
    0.35
    >>> best_threshold([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], "cost", fn_cost=1.0, fp_cost=5.0)
    0.8
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    score, true = _scores_and_labels(scores, y_true)
    if objective == "cost":
        if fn_cost is None or fp_cost is None:
            missing = "fn_cost" if fn_cost is None else "fp_cost"
            raise ValueError(f'{missing} is required for objective="cost"')
        fn = float(check_nonnegative_finite(fn_cost, "fn_cost", shape=()))
        fp = float(check_nonnegative_finite(fp_cost, "fp_cost", shape=()))
    elif true.sum() == 0:
        raise ValueError('y_true has no positive example: F1 is 0 at every threshold for objective="f1"')

    thresholds, true_positives, false_positives = _counts_at_each_threshold(score, true)
    false_negatives = true.sum() - true_positives
    if objective == "f1":  # negated, so that the best value is the smallest for both objectives
        value = -2 * true_positives / (2 * true_positives + false_positives + false_negatives)
    else:
        value = (false_negatives * fn + false_positives * fp) / true.size
    return float(thresholds[np.argmin(value)])


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
    score, true = _scores_and_labels(scores, y_true)
    positives = int(true.sum())
    if positives == 0:
        raise ValueError("y_true has no positive example: recall TP / P is undefined (P = 0)")
    thresholds, true_positives, false_positives = _counts_at_each_threshold(score, true)
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
    at the threshold actually used (``best_threshold``, ``real_world_cost``).

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


def _scores_and_labels(scores, y_true) -> tuple[np.ndarray, np.ndarray]:
    """Validate finite scores and binary labels of the same length."""
    score = _score_array(scores)
    true = _binary_labels(y_true, "y_true")
    if score.size != true.size:
        raise ValueError(f"scores and y_true must have the same length, got {score.size} and {true.size}")
    return score, true


def _score_array(scores) -> np.ndarray:
    """Validate 1-D finite scores."""
    raw = scores.detach().cpu().numpy() if hasattr(scores, "detach") else scores
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"scores must be an array of numbers, got {type(scores).__name__}") from None
    if arr.ndim != 1:
        raise ValueError(f"scores must be 1-D with shape (N,), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError("scores is empty: expected at least one score")
    if not np.all(np.isfinite(arr)):
        raise ValueError("scores must be finite, got NaN or infinity")
    return arr


def _counts_at_each_threshold(score, true):
    """TP and FP for t = inf and each distinct score, in decreasing order of t.

    Returns arrays of length D + 1 (D distinct scores); entry 0 is t = inf.
    """
    order = np.argsort(-score, kind="stable")
    sorted_score, sorted_true = score[order], true[order]
    # the last position of each run of equal scores: ties enter together
    group_end = np.flatnonzero(np.r_[sorted_score[1:] != sorted_score[:-1], True])
    true_positives = np.cumsum(sorted_true)[group_end]
    false_positives = group_end + 1 - true_positives
    thresholds = np.r_[np.inf, sorted_score[group_end]]
    return thresholds, np.r_[0, true_positives], np.r_[0, false_positives]
