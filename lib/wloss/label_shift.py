"""Label shift: new class priors estimated from unlabelled deployment data.

Under label shift the class priors change between training and deployment while p(x | y) stays
the same. Two estimators of the deployment priors q:

- ``estimate_label_shift_bbse``  black-box shift estimation (Lipton, Wang & Smola 2018): solve M q = mu
  with the validation confusion matrix M of hard predictions
- ``estimate_label_shift_em``    the EM of Saerens, Latinne & Decaestecker (2002) on calibrated posteriors

With q in hand, ``wloss.calibration.adjust_posteriors_to_priors`` moves the posteriors to it.
"""
from __future__ import annotations

import numpy as np

from wloss._validation import (as_label_array, check_nonnegative_finite, check_num_classes, class_priors,
                               labels_like, positive_int, probability_matrix)

__all__ = ["estimate_label_shift_bbse", "estimate_label_shift_em"]


def estimate_label_shift_bbse(y_val, pred_val, pred_target, num_classes: int) -> np.ndarray:
    """New class priors from unlabelled deployment data: black-box shift estimation (Lipton et al. 2018).

    Under label shift p(x | y) is unchanged, so the hard predictions satisfy

        mu_i = q(yhat = i) = sum_j P(yhat = i | y = j) q_j = (M q)_i

    with M[i, j] = P(yhat = i | y = j) estimated on labelled validation data
    (column j: the predictions for the examples of TRUE class j, so the
    columns sum to 1) and mu the predicted-class shares on the deployment
    data. Solving M q = mu gives q. Noise can make entries negative; they are
    clipped to 0 and the result renormalised. A near-singular M (a classifier
    that confuses two classes) makes q unreliable: check ``np.linalg.cond(M)``.

    Parameters
    ----------
    y_val, pred_val : array-like of int, shape (N,), labels in [0, K)
    pred_target : array-like of int, shape (M,), predictions on deployment data
    num_classes : int K >= 2

    Returns
    -------
    ndarray, shape (K,), >= 0, summing to 1

    Raises
    ------
    ValueError
        If a class never occurs in ``y_val`` or M is singular.

    Examples
    --------
    >>> estimate_label_shift_bbse([0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 1, 0], 2)
    array([0.25, 0.75])
    """
    k = check_num_classes(num_classes)
    if k < 2:
        raise ValueError(f"num_classes must be >= 2, got {k}")
    y = as_label_array(y_val, "y_val", num_classes=k)
    yhat = labels_like(pred_val, "pred_val", len(y), "y_val", "labels", num_classes=k)
    target = as_label_array(pred_target, "pred_target", num_classes=k)
    counts = np.bincount(y, minlength=k)
    if np.any(counts == 0):
        raise ValueError(f"y_val must contain every class, class {int(np.argmin(counts))} never occurs")
    joint = np.zeros((k, k))
    np.add.at(joint, (yhat, y), 1.0)           # rows: predicted class, columns: true class
    conditional = joint / counts                 # M[i, j] = P(yhat = i | y = j)
    mu = np.bincount(target, minlength=k) / len(target)
    try:
        q = np.linalg.solve(conditional, mu)
    except np.linalg.LinAlgError:
        raise ValueError("the validation confusion matrix is singular: the classifier cannot tell "
                         "some classes apart, so their priors cannot be estimated") from None
    q = np.clip(q, 0.0, None)
    if q.sum() == 0:
        raise ValueError("the estimated priors are all <= 0: the confusion matrix is too noisy")
    return q / q.sum()


def estimate_label_shift_em(probabilities, train_priors, max_iter: int = 1000, tol: float = 1e-10) -> np.ndarray:
    """New class priors from unlabelled deployment data: the EM of Saerens, Latinne & Decaestecker (2002).

    Repeat until the priors stop changing:

        E-step: p_s(k | x_n) = p(k | x_n) q_k / pi_k, normalised over k
        M-step: q_k = (1/N) sum_n p_s(k | x_n)

    It converges to the maximum of the likelihood sum_n log sum_k p(k | x_n) q_k / pi_k
    over the simplex, and needs CALIBRATED posteriors p(k | x) for the training priors pi.

    Parameters
    ----------
    probabilities : array-like, shape (N, K), posteriors on the deployment data
    train_priors : array-like, shape (K,), > 0, summing to 1
    max_iter : int >= 1
    tol : float > 0, stop when max |q_new - q| < tol

    Returns
    -------
    ndarray, shape (K,)

    Examples
    --------
    >>> estimate_label_shift_em([[0.9, 0.1], [0.1, 0.9], [0.1, 0.9]], [0.5, 0.5]).round(3)
    array([0.292, 0.708])
    """
    p = probability_matrix(probabilities)
    pi = class_priors(train_priors, "train_priors", p.shape[1])
    max_iter = positive_int(max_iter, "max_iter")
    tol = float(check_nonnegative_finite(tol, "tol", shape=()))
    if tol == 0:
        raise ValueError("tol must be > 0, got 0")
    q = pi.copy()
    ratio = p / pi
    for _ in range(max_iter):
        shifted = ratio * q
        shifted /= shifted.sum(axis=1, keepdims=True)
        new_q = shifted.mean(axis=0)
        if np.max(np.abs(new_q - q)) < tol:
            return new_q
        q = new_q
    return q
