"""Decisions and what they cost: thresholds, cost-minimising actions, and the cost of the decisions taken.

- ``bayes_threshold``             c_fp / (c_fp + c_fn), the cost-optimal threshold of a calibrated model;
  ``bayes_thresholds`` one per label of a multi-label model
- ``best_threshold``              the exact best threshold on given scores, for F1 or for cost
- ``bayes_decisions``             the action of least expected cost of each example, from its own cost matrix
- ``real_world_cost``             mean cost of the mistakes (Ho & Wookey), binary and multiclass;
  ``multilabel_real_world_cost`` for multi-label decisions
- ``total_decision_cost``         total cost of the decisions taken, from per-example cost matrices;
  ``true_class_cost_rows`` the cost row of each example's true class
- ``cost_curve``                  the cost of the best threshold under every operating condition (Drummond & Holte 2006)

Labels are integers in ``[0, K)``; binary labels are 0 (negative) and 1 (positive). Counts and rates that
weigh no mistake by its cost (confusion matrix, recall, precision, average precision) are in ``wloss.metrics``.
"""
from __future__ import annotations

import numpy as np

from wloss._counts import confusion_counts, counts_at_each_threshold
from wloss._validation import (binary_label_array, check_nonnegative_finite, check_num_classes, finite_vector,
                               label_cost_pair, label_costs, label_pair, labels_like, multi_hot, scores_and_labels)

__all__ = ["bayes_threshold", "bayes_thresholds", "best_threshold", "bayes_decisions", "real_world_cost",
           "multilabel_real_world_cost", "total_decision_cost", "true_class_cost_rows", "cost_curve", "OBJECTIVES"]

OBJECTIVES = ("f1", "cost")


# ---------------------------------------------------------------- thresholds

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


def bayes_thresholds(fn_cost, fp_cost) -> np.ndarray:
    """The cost-optimal probability threshold of each label: t_l = c_fp,l / (c_fp,l + c_fn,l).

    With a calibrated probability q of label l, predicting it costs (1 - q) c_fp,l in expectation and
    not predicting it costs q c_fn,l; predicting is cheaper exactly when q > t_l.

    Parameters
    ----------
    fn_cost, fp_cost : array-like (L,), finite, >= 0, not both zero for any label.

    Returns
    -------
    numpy.ndarray (L,), float64, in [0, 1].

    Examples
    --------
    >>> bayes_thresholds([9.0, 1.0], [1.0, 1.0]).tolist()
    [0.1, 0.5]
    """
    c_fn, c_fp = label_cost_pair(fn_cost, fp_cost)
    return c_fp / (c_fp + c_fn)


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
    score, true = scores_and_labels(scores, y_true)
    if objective == "cost":
        if fn_cost is None or fp_cost is None:
            missing = "fn_cost" if fn_cost is None else "fp_cost"
            raise ValueError(f'{missing} is required for objective="cost"')
        fn = float(check_nonnegative_finite(fn_cost, "fn_cost", shape=()))
        fp = float(check_nonnegative_finite(fp_cost, "fp_cost", shape=()))
    elif true.sum() == 0:
        raise ValueError('y_true has no positive example: F1 is 0 at every threshold for objective="f1"')

    thresholds, true_positives, false_positives = counts_at_each_threshold(score, true)
    false_negatives = true.sum() - true_positives
    if objective == "f1":  # negated, so that the best value is the smallest for both objectives
        value = -2 * true_positives / (2 * true_positives + false_positives + false_negatives)
    else:
        value = (false_negatives * fn + false_positives * fp) / true.size
    return float(thresholds[np.argmin(value)])


# ---------------------------------------------------------------- decisions from per-example costs

def bayes_decisions(probs, cost_matrices):
    """The action of least expected cost for each example: d_i = argmin_j sum_k p_ik C[i, k, j].

    Parameters
    ----------
    probs : array-like (N, K), rows summing to 1.  cost_matrices : array-like (N, K, K) >= 0.

    Returns
    -------
    ndarray (N,) int64.

    Examples
    --------
    >>> from wloss.scenarios import transaction_cost_matrices
    >>> C = transaction_cost_matrices([100.0])  # approve: 0.2 * 100 = 20 > block: 0.8 * 12 = 9.6
    >>> bayes_decisions([[0.8, 0.2, 0.0]], C)
    array([1])
    """
    C = _cost_matrices(cost_matrices)
    p = check_nonnegative_finite(probs, "probs", shape=C.shape[:2])
    if not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("probs must have rows that sum to 1")
    return np.einsum("nk,nkj->nj", p, C).argmin(axis=1)


# ---------------------------------------------------------------- what the decisions cost

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
        true, pred = label_pair(binary_label_array(y_true, "y_true"), binary_label_array(y_pred, "y_pred"))
        false_negatives = int(np.sum(true & (1 - pred)))
        false_positives = int(np.sum((1 - true) & pred))
        return float((false_negatives * fn + false_positives * fp) / true.size)
    if fn.ndim != 1:
        raise ValueError(f"fn_cost must be a scalar (binary) or have shape (K,), got {fn.shape}")
    k = fn.shape[0]
    fp = check_nonnegative_finite(fp_cost, "fp_cost", shape=(k, k))
    true, pred = label_pair(y_true, y_pred, k)
    matrix = confusion_counts(true, pred, check_num_classes(k))
    mistake_cost = fn[:, None] + fp
    np.fill_diagonal(mistake_cost, 0.0)
    return float(np.sum(matrix * mistake_cost) / matrix.sum())


def multilabel_real_world_cost(Y, Y_pred, fn_cost, fp_cost) -> float:
    """Real World Cost of multi-label decisions: sum_l (FN_l c_fn,l + FP_l c_fp,l) / N.

    Parameters
    ----------
    Y, Y_pred : array-like (N, L) of 0/1, the labels and the decisions.
    fn_cost, fp_cost : array-like (L,), finite, >= 0.

    Examples
    --------
    >>> multilabel_real_world_cost([[1, 0], [0, 1]], [[0, 0], [1, 1]], [10.0, 10.0], [1.0, 1.0])
    5.5
    """
    y = multi_hot(Y, "Y")
    y_hat = multi_hot(Y_pred, "Y_pred")
    if y.shape != y_hat.shape:
        raise ValueError(f"Y_pred must have Y's shape {y.shape}, got {y_hat.shape}")
    c_fn, c_fp = label_costs(fn_cost, "fn_cost", y.shape[1]), label_costs(fp_cost, "fp_cost", y.shape[1])
    fn = (y * (1 - y_hat)).sum(axis=0)
    fp = ((1 - y) * y_hat).sum(axis=0)
    return float((fn * c_fn + fp * c_fp).sum() / y.shape[0])


def total_decision_cost(y, decisions, cost_matrices) -> float:
    """Total cost of the decisions actually taken: sum_i C[i, y_i, d_i].

    Parameters
    ----------
    y, decisions : int (N,) in [0, K).  cost_matrices : array-like (N, K, K) >= 0.

    Examples
    --------
    >>> from wloss.scenarios import transaction_cost_matrices
    >>> total_decision_cost([1, 0], [0, 0], transaction_cost_matrices([100.0, 50.0]))
    100.0
    """
    C = _cost_matrices(cost_matrices)
    y = labels_like(y, "y", C.shape[0], "cost_matrices", "matrices", C.shape[1])
    d = labels_like(decisions, "decisions", C.shape[0], "cost_matrices", "matrices", C.shape[1])
    return float(C[np.arange(len(y)), y, d].sum())


def true_class_cost_rows(cost_matrices, y):
    """The row of each example's true class: ``rows[i, j] = C[i, y_i, j]``, the cost w_ij of answering j.

    Parameters
    ----------
    cost_matrices : array-like (N, K, K) >= 0.  y : int (N,) in [0, K).

    Returns
    -------
    ndarray (N, K).

    Examples
    --------
    >>> from wloss.scenarios import transaction_cost_matrices
    >>> true_class_cost_rows(transaction_cost_matrices([100.0]), [1])
    array([[100.,   0.,  10.]])
    """
    C = _cost_matrices(cost_matrices)
    y = labels_like(y, "y", C.shape[0], "cost_matrices", "matrices", C.shape[1])
    return C[np.arange(len(y)), y]


def cost_curve(y_true, scores, probability_cost) -> np.ndarray:
    """Normalised expected cost of the best threshold at each probability-cost value (Drummond & Holte 2006).

    For operating conditions summarised by

        PC = p(+) c_fn / (p(+) c_fn + p(-) c_fp)       (in [0, 1])

    a classifier with false-negative rate FNR and false-positive rate FPR has
    normalised expected cost NE = FNR * PC + FPR * (1 - PC), a straight line
    in PC. The cost curve is the lower envelope of these lines over every
    threshold of ``scores`` (including "all negative" and "all positive"):
    the cost of the best choice of threshold at that PC. Lower is better;
    the diagonal min(PC, 1 - PC) is the best trivial classifier.

    Parameters
    ----------
    y_true : array-like of 0/1, shape (N,), both classes present
    scores : array-like, shape (N,), larger means more positive
    probability_cost : array-like, shape (G,), values in [0, 1]

    Returns
    -------
    ndarray, shape (G,)

    Examples
    --------
    >>> cost_curve([0, 1], [0.2, 0.8], [0.0, 0.5, 1.0])
    array([0., 0., 0.])
    """
    s = finite_vector(scores, "scores")
    y = labels_like(y_true, "y_true", len(s), "scores", "entries", 2)
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("y_true must contain both classes")
    pc = check_nonnegative_finite(probability_cost, "probability_cost", shape=(None,))
    if np.any(pc > 1):
        raise ValueError("probability_cost must lie in [0, 1]")
    _, true_pos, false_pos = counts_at_each_threshold(s, y)       # cut only between distinct scores
    fnr = 1.0 - true_pos / n_pos
    fpr = false_pos / n_neg
    return np.min(np.outer(pc, fnr) + np.outer(1.0 - pc, fpr), axis=1)


def _cost_matrices(cost_matrices) -> np.ndarray:
    """``cost_matrices`` as a float64 (N, K, K) array of finite costs >= 0, ``C[i, true, action]``."""
    C = check_nonnegative_finite(cost_matrices, "cost_matrices", shape=(None, None, None))
    if C.shape[1] != C.shape[2]:
        raise ValueError(f"cost_matrices must have shape (N, K, K), got {C.shape}")
    return C
