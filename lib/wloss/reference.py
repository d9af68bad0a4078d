"""The course's losses in NumPy float64, transcribed from the formulas to be read.

Every loss takes probabilities, as the lectures write the formulas: ``p`` of shape (N,) (the sigmoid
output, probability of class 1) for the binary losses, ``probs`` of shape (N, K) with rows summing to 1
for the others; the losses the lectures write on logits (logit adjustment, LDAM, CORAL and CORN, and the
multi-label ``asymmetric_loss`` and ``multilabel_rwwce``) take logits, as their docstrings say. Each function
has the name of the loss in ``wloss.losses`` it transcribes. Use ``sigmoid`` and ``softmax`` below to turn
logits into probabilities. ``reduction``
"mean" divides by N (the 1/M of the RWWCE paper's equations), also when weights are given. These functions are for reading and
for checking ``wloss.losses``; they take logs of probabilities directly, so they are not meant for
extreme inputs (a probability of exactly 0 or 1 gives an infinite log).
"""
from __future__ import annotations

import numpy as np
import torch

from wloss._validation import (as_label_array, binary_labels, binary_probabilities, check_nonnegative_finite,
                               check_reduction, float_array, label_cost_pair, multi_hot, positive_number)

__all__ = ["sigmoid", "softmax", "weighted_bce_with_logits", "rwwce_binary", "weighted_cross_entropy",
           "rwwce_per_example", "rwwce", "expected_cost_loss", "focal_loss", "logit_adjusted_cross_entropy", "rps_loss",
           "expected_label_l1_loss", "distance_penalized_cross_entropy", "ldam_loss", "coral_loss",
           "coral_probabilities", "corn_loss", "corn_probabilities", "asymmetric_loss", "multilabel_rwwce"]


def sigmoid(z):
    """p = 1 / (1 + exp(-z)), elementwise, float64, without overflow."""
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -z))


def softmax(z):
    """p_k = exp(z_k) / sum_j exp(z_j) along the last axis, float64, with the max subtracted."""
    z = np.asarray(z, dtype=np.float64)
    shifted = np.exp(z - z.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def weighted_bce_with_logits(p, targets, pos_weight=1.0, neg_weight=1.0, sample_weight=None, reduction="mean"):
    """-s_i [ w+ y_i log p_i + w- (1 - y_i) log(1 - p_i) ]; ``p`` (N,) = sigmoid of the logits.

    >>> round(weighted_bce_with_logits([0.5], [1], pos_weight=2.0), 4)  # 2 log 2
    1.3863
    """
    p, y = binary_probabilities(p, targets)
    w_pos = float(check_nonnegative_finite(pos_weight, "pos_weight", ()))
    w_neg = float(check_nonnegative_finite(neg_weight, "neg_weight", ()))
    loss = -(w_pos * y * np.log(p) + w_neg * (1 - y) * np.log(1 - p))
    if sample_weight is not None:
        loss = check_nonnegative_finite(sample_weight, "sample_weight", (len(y),)) * loss
    return _reduce(loss, reduction)


def rwwce_binary(p, targets, fn_cost, fp_cost, reduction="mean"):
    """Eq. (5): -(1/M) sum [ c_fn y log p + c_fp (1 - y) log(1 - p) ]; ``p`` (N,).

    >>> round(rwwce_binary([0.5, 0.5], [1, 0], 100.0, 5.0), 4)  # 105 log 2 / 2
    36.3902
    """
    c_fn = float(check_nonnegative_finite(fn_cost, "fn_cost", ()))
    c_fp = float(check_nonnegative_finite(fp_cost, "fp_cost", ()))
    if c_fn == 0 and c_fp == 0:
        raise ValueError("fn_cost and fp_cost are both zero: at least one cost must be > 0")
    p, y = binary_probabilities(p, targets)
    loss = np.array([-(c_fn * y_m * np.log(p_m) + c_fp * (1 - y_m) * np.log(1 - p_m)) for p_m, y_m in zip(p, y)])
    return _reduce(loss, reduction)


def weighted_cross_entropy(probs, targets, class_weight=None, sample_weight=None, reduction="mean"):
    """-s_i w[y_i] log p_i,y_i; ``probs`` (N, K).

    >>> round(weighted_cross_entropy([[0.5, 0.5]], [1], class_weight=[1.0, 3.0]), 4)  # 3 log 2
    2.0794
    """
    probs, y = _class_inputs(probs, targets)
    n, k = probs.shape
    w = np.ones(k) if class_weight is None else check_nonnegative_finite(class_weight, "class_weight", (k,))
    s = np.ones(n) if sample_weight is None else check_nonnegative_finite(sample_weight, "sample_weight", (n,))
    loss = np.array([-s[i] * w[y[i]] * np.log(probs[i, y[i]]) for i in range(n)])
    return _reduce(loss, reduction)


def rwwce_per_example(probs, targets, fn_weight, fp_weight, reduction="mean"):
    """-fn_i log p_i,y_i - sum_{k != y_i} fp_ik log(1 - p_ik); ``probs`` (N, K).

    >>> round(rwwce_per_example([[0.5, 0.5]], [0], [1.0], [[5.0, 2.0]]), 4)  # 3 log 2
    2.0794
    """
    probs, y = _class_inputs(probs, targets)
    n, k = probs.shape
    fn = check_nonnegative_finite(fn_weight, "fn_weight", (n,))
    fp = check_nonnegative_finite(fp_weight, "fp_weight", (n, k))
    loss = np.zeros(n)
    for i in range(n):
        loss[i] = -fn[i] * np.log(probs[i, y[i]])
        for other in range(k):
            if other != y[i]:
                loss[i] -= fp[i, other] * np.log(1 - probs[i, other])
    return _reduce(loss, reduction)


def rwwce(probs, targets, fn_cost, fp_cost, reduction="mean"):
    """Eq. (6): -(1/M) sum_m [ fn[y] log p_y + sum_{k' != y} fp[y, k'] log(1 - p_k') ]; ``probs`` (N, K).

    >>> round(rwwce([[0.5, 0.5]], [1], [1.0, 1.0], [[0.0, 0.0], [19.0, 0.0]]), 4)  # 20 log 2
    13.8629
    """
    probs, y = _class_inputs(probs, targets)
    k = probs.shape[1]
    fn = check_nonnegative_finite(fn_cost, "fn_cost", (k,))
    fp = check_nonnegative_finite(fp_cost, "fp_cost", (k, k))
    return rwwce_per_example(probs, y, fn[y], fp[y], reduction)


def expected_cost_loss(probs, targets, cost, reduction="mean"):
    """sum_j C[y_i, j] p_ij; ``probs`` (N, K), cost (K, K) [true, predicted].

    >>> expected_cost_loss([[0.5, 0.5]], [0], [[0.0, 4.0], [1.0, 0.0]])
    2.0
    """
    probs, y = _class_inputs(probs, targets)
    k = probs.shape[1]
    cost = check_nonnegative_finite(cost, "cost", (k, k))
    loss = np.array([sum(cost[y[i], j] * probs[i, j] for j in range(k)) for i in range(len(y))])
    return _reduce(loss, reduction)


def focal_loss(probs, targets, gamma=2.0, alpha=None, reduction="mean"):
    """Multiclass, ``probs`` (N, K): -alpha[y] (1 - p_y)^gamma log p_y.
    Binary, ``probs`` (N,) = sigmoid output: a_t (1 - p_t)^gamma (-log p_t), p_t = p if y = 1 else 1 - p,
    a_t = alpha if y = 1 else 1 - alpha (torchvision's sigmoid_focal_loss; 1 when alpha is None).

    >>> round(focal_loss([[0.5, 0.5]], [0], gamma=2.0), 4)  # 0.25 log 2
    0.1733
    """
    gamma = float(check_nonnegative_finite(gamma, "gamma", ()))
    if np.ndim(probs) == 1:
        p, y = binary_probabilities(probs, targets)
        p_t = np.where(y == 1, p, 1 - p)
        if alpha is not None:
            alpha = float(check_nonnegative_finite(alpha, "alpha", ()))
            if alpha > 1:
                raise ValueError(f"alpha must be in [0, 1] for the sigmoid focal loss, got {alpha}")
        a_t = 1.0 if alpha is None else np.where(y == 1, alpha, 1 - alpha)
        return _reduce(-a_t * (1 - p_t) ** gamma * np.log(p_t), reduction)
    probs, y = _class_inputs(probs, targets)
    k = probs.shape[1]
    a = np.ones(k) if alpha is None else check_nonnegative_finite(alpha, "alpha", (k,))
    p_true = probs[np.arange(len(y)), y]
    return _reduce(-a[y] * (1 - p_true) ** gamma * np.log(p_true), reduction)


def logit_adjusted_cross_entropy(logits, targets, class_prior, tau=1.0, reduction="mean"):
    """-log softmax(z + tau log pi)[y]; takes LOGITS (N, K), as the lecture adjusts logits.

    >>> round(logit_adjusted_cross_entropy([[0.0, 0.0]], [0], [0.5, 0.5]), 4)  # log 2
    0.6931
    """
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (N, K), got {logits.shape}")
    prior = check_nonnegative_finite(class_prior, "class_prior", (logits.shape[1],))
    if np.any(prior == 0):
        raise ValueError("class_prior must be > 0 for every class, got a 0")
    tau = float(check_nonnegative_finite(tau, "tau", ()))
    probs = softmax(logits + tau * np.log(prior))
    return weighted_cross_entropy(probs, targets, reduction=reduction)


def rps_loss(probs, targets, class_weight=None, reduction="mean"):
    """Ranked probability score (Epstein 1969): RPS = w[y] sum_{i=0}^{K-1} ( sum_{j=0}^{i} p_j - 1[i >= y] )^2, the double sum written out
    (w = 1 when ``class_weight`` is None).

    >>> round(rps_loss([[1/3, 1/3, 1/3]], [0]), 4)
    0.5556
    """
    probs, y = _class_inputs(probs, targets)
    n, k = probs.shape
    w = _class_weight(class_weight, k)
    loss = np.zeros(n)
    for m in range(n):
        for i in range(k):
            forecast_cdf = sum(probs[m, j] for j in range(i + 1))
            observed_cdf = 1.0 if i >= y[m] else 0.0
            loss[m] += (forecast_cdf - observed_cdf) ** 2
        loss[m] *= w[y[m]]
    return _reduce(loss, reduction)


def expected_label_l1_loss(probs, targets, label_values=None, class_weight=None, reduction="mean"):
    """w[y] | sum_k v_k p_k - v_y |, v = label_values (0..K-1 by default), w = 1 when ``class_weight`` is None;
    ``probs`` (N, K).

    >>> expected_label_l1_loss([[1/3, 1/3, 1/3]], [2])
    1.0
    """
    probs, y = _class_inputs(probs, targets)
    k = probs.shape[1]
    v = np.arange(k, dtype=np.float64) if label_values is None else np.asarray(label_values, dtype=np.float64)
    if v.shape != (k,) or not np.all(np.isfinite(v)):
        raise ValueError(f"label_values must be {k} finite numbers, got {v}")
    return _reduce(_class_weight(class_weight, k)[y] * np.abs(probs @ v - v[y]), reduction)


def distance_penalized_cross_entropy(probs, targets, alpha=1.0, class_weight=None, reduction="mean"):
    """w[y] (-log p_y + alpha sum_k p_k |k - y|), w = 1 when ``class_weight`` is None; ``probs`` (N, K).

    >>> round(distance_penalized_cross_entropy([[0.5, 0.5]], [0], alpha=2.0), 4)  # log 2 + 1
    1.6931
    """
    probs, y = _class_inputs(probs, targets)
    alpha = float(check_nonnegative_finite(alpha, "alpha", ()))
    distance = np.abs(np.arange(probs.shape[1])[None, :] - y[:, None])
    loss = -np.log(probs[np.arange(len(y)), y]) + alpha * (probs * distance).sum(axis=1)
    return _reduce(_class_weight(class_weight, probs.shape[1])[y] * loss, reduction)


def _class_weight(class_weight, k):
    """The (K,) class weights, checked finite and >= 0; ones when None."""
    return np.ones(k) if class_weight is None else check_nonnegative_finite(class_weight, "class_weight", (k,))


def _class_inputs(probs, targets):
    """Check probs (N, K) with rows summing to 1 and labels (N,) in [0, K); return float64 / int64 arrays."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[0] == 0:
        raise ValueError(f"probs must have shape (N, K) with N >= 1, got {probs.shape}")
    if not np.all((probs >= 0) & (probs <= 1)):
        raise ValueError("probs must hold probabilities in [0, 1]")
    if not np.allclose(probs.sum(axis=1), 1.0, rtol=0, atol=1e-6):
        raise ValueError("probs must have rows that sum to 1 (within 1e-6)")
    y = as_label_array(targets, name="targets", num_classes=probs.shape[1])
    if y.shape[0] != probs.shape[0]:
        raise ValueError(f"targets must have shape ({probs.shape[0]},) like probs, got {y.shape}")
    return probs, y


def _reduce(loss, reduction):
    """"mean" = sum / N, "sum", or "none" (the per-example array)."""
    check_reduction(reduction)
    if reduction == "mean":
        return float(np.sum(loss) / len(loss))
    if reduction == "sum":
        return float(np.sum(loss))
    return np.asarray(loss, dtype=np.float64)


def ldam_loss(logits, targets, class_counts, max_margin=0.5, scale=30.0, class_weight=None, reduction="mean"):
    """LDAM (Cao et al. 2019): -w_y log softmax(s (z - m_y e_y))_y, m_k = C n_k^(-1/4), max_k m_k = max_margin.

    ``logits`` (N, K) as in ``logit_adjusted_cross_entropy``, written out example by example.

    >>> round(ldam_loss([[0.0, 0.0]], [1], class_counts=[16, 1], scale=1.0), 4)  # log(1 + e^0.5)
    0.9741
    """
    logits = np.asarray(logits, dtype=np.float64)
    counts = np.asarray(class_counts, dtype=np.float64)
    if logits.ndim != 2 or counts.shape != (logits.shape[1],) or np.any(counts <= 0):
        raise ValueError(f"need logits (N, K) and class_counts (K,) > 0, got {logits.shape} and {counts.shape}")
    y = as_label_array(targets, name="targets", num_classes=logits.shape[1])
    max_margin, scale = positive_number(max_margin, "max_margin"), positive_number(scale, "scale")
    weight = _class_weight(class_weight, logits.shape[1])
    margins = [max_margin * (counts.min() / n) ** 0.25 for n in counts]  # C = max_margin * n_min^(1/4)
    loss = np.zeros(len(y))
    for i in range(len(y)):
        shifted = [scale * (logits[i, k] - (margins[k] if k == y[i] else 0.0)) for k in range(logits.shape[1])]
        top = max(shifted)
        log_sum = top + np.log(sum(np.exp(v - top) for v in shifted))
        loss[i] = weight[y[i]] * (log_sum - shifted[y[i]])
    return _reduce(loss, reduction)


def coral_loss(logits, targets, class_weight=None, reduction="mean"):
    """CORAL (Cao, Mirjalili & Raschka 2020): w_y sum_k BCE(z_k, 1[y > k]) on cumulative logits (N, K - 1).

    >>> round(coral_loss([[0.0, 0.0, 0.0]], [1]), 4)  # 3 log 2
    2.0794
    """
    return _binary_tasks_loss(logits, targets, class_weight, reduction, takes_part=lambda y, k: True)


def _binary_tasks_loss(logits, targets, class_weight, reduction, takes_part):
    """w_y times the sum over tasks k with takes_part(y, k) of BCE(z_k, 1[y > k]), written out loop by loop."""
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 2 or logits.shape[0] == 0 or logits.shape[1] < 1:
        raise ValueError(f"logits must have shape (N, K - 1), got {logits.shape}")
    y = as_label_array(targets, name="targets", num_classes=logits.shape[1] + 1)
    weight = _class_weight(class_weight, logits.shape[1] + 1)
    loss = np.zeros(len(y))
    for i in range(len(y)):
        for k in range(logits.shape[1]):
            if not takes_part(y[i], k):
                continue
            z = logits[i, k]
            log_p_above = -np.logaddexp(0.0, -z)  # log sigma(z)
            log_p_not_above = -np.logaddexp(0.0, z)  # log(1 - sigma(z))
            loss[i] -= log_p_above if y[i] > k else log_p_not_above
        loss[i] *= weight[y[i]]
    return _reduce(loss, reduction)


def coral_probabilities(logits):
    """P(y = k) from cumulative logits (N, K - 1): 1 - s_0, s_{k-1} - s_k, s_{K-2}, s_k = running min of sigma(z_k)."""
    logits = np.asarray(logits, dtype=np.float64)
    above = np.minimum.accumulate(sigmoid(logits), axis=1)
    n = logits.shape[0]
    return np.concatenate([np.ones((n, 1)), above], axis=1) - np.concatenate([above, np.zeros((n, 1))], axis=1)


def corn_loss(logits, targets, class_weight=None, reduction="mean"):
    """CORN (Shi, Cao & Raschka 2023) on conditional logits (N, K - 1): task k asks "is y > k?" of the examples
    with y > k - 1 only (its conditional training subset), and an example's loss is w_y times the sum of the
    BCE(z_k, 1[y > k]) of the tasks it takes part in. "mean" divides by N (the authors divide by the number
    of (example, task) pairs instead).

    >>> round(corn_loss([[0.0, 0.0, 0.0]], [1]), 4)  # tasks 0 and 1 only: 2 log 2
    1.3863
    """
    # example i takes part in task k ("is y > k given y > k - 1?") only if y_i > k - 1
    return _binary_tasks_loss(logits, targets, class_weight, reduction, takes_part=lambda y, k: y > k - 1)


def corn_probabilities(logits):
    """P(y = k) from conditional logits (N, K - 1): s_k = P(y > k) = sigma(z_0) ... sigma(z_k), then
    1 - s_0, s_{k-1} - s_k, s_{K-2}."""
    logits = np.asarray(logits, dtype=np.float64)
    n, tasks = logits.shape
    probs = np.zeros((n, tasks + 1))
    for i in range(n):
        above = []  # s_k
        s = 1.0
        for k in range(tasks):
            s *= sigmoid(logits[i, k])
            above.append(s)
        probs[i, 0] = 1 - above[0]
        for k in range(1, tasks):
            probs[i, k] = above[k - 1] - above[k]
        probs[i, tasks] = above[tasks - 1]
    return probs


def asymmetric_loss(logits, targets, gamma_pos=0.0, gamma_neg=4.0, clip=0.05, reduction="mean"):
    """ASL (Ridnik et al. 2021), multi-label, on logits (N, L) and 0/1 targets (N, L), p = sigma(z), entry by entry:
    positives -(1 - p)^gamma_pos log p, negatives -p_m^gamma_neg log(1 - p_m) with p_m = max(p - clip, 0); an
    example's loss is the sum over its labels, "mean" divides by N (the authors return the sum over the batch).

    >>> round(asymmetric_loss([[0.0, 0.0]], [[1, 0]], gamma_neg=1.0, clip=0.0), 4)  # log 2 + log 2 / 2
    1.0397
    """
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 2 or logits.shape[0] == 0:
        raise ValueError(f"logits must have shape (N, L) with N >= 1, got {logits.shape}")
    n, n_labels = logits.shape
    y = np.asarray(targets.detach().cpu() if hasattr(targets, "detach") else targets)
    if y.shape != logits.shape:
        raise ValueError(f"targets must have the logits' shape {logits.shape}, got {y.shape}")
    y = binary_labels(y.reshape(-1), n * n_labels, "targets", dtype=torch.float64, device="cpu").numpy().reshape(n, n_labels)
    gamma_pos = float(check_nonnegative_finite(gamma_pos, "gamma_pos", ()))
    gamma_neg = float(check_nonnegative_finite(gamma_neg, "gamma_neg", ()))
    clip = float(check_nonnegative_finite(clip, "clip", ()))
    if clip >= 1:
        raise ValueError(f"clip must be in [0, 1), got {clip}")
    loss = np.zeros(n)
    for i in range(n):
        for label in range(n_labels):
            z = logits[i, label]
            if y[i, label] == 1:
                log_p = -np.logaddexp(0.0, -z)  # log sigma(z)
                loss[i] -= sigmoid(-z) ** gamma_pos * log_p  # 1 - p = sigma(-z)
            else:
                p_m = max(sigmoid(z) - clip, 0.0)
                # log(1 - p_m), 1 - p_m = min(sigma(-z) + clip, 1): log1p(-p_m) for small p_m, log(sigma(-z) + clip)
                # near 1 - clip (1 - p rounds to 0 when z is large); with clip = 0, log sigma(-z) = -log(1 + e^z)
                if clip == 0:
                    log_not = -np.logaddexp(0.0, z)
                elif p_m < 0.5:
                    log_not = np.log1p(-p_m)
                else:
                    log_not = np.log(sigmoid(-z) + clip)
                loss[i] -= p_m ** gamma_neg * log_not
    return _reduce(loss, reduction)


def multilabel_rwwce(logits, targets, fn_cost, fp_cost, reduction="mean"):
    """Multi-label RWWCE on logits (N, L) and 0/1 targets (N, L), costs (L,) per label, as the formula reads:
    loss_i = -sum_l [ c_fn,l y_il log p_il + c_fp,l (1 - y_il) log(1 - p_il) ],  with
    log p = -log(1 + e^-z) and log(1 - p) = -log(1 + e^z) (``np.logaddexp``).

    >>> round(multilabel_rwwce([[0.0, 0.0]], [[1, 0]], [3.0, 1.0], [1.0, 2.0]), 4)  # 5 log 2
    3.4657
    """
    check_reduction(reduction)
    z = float_array(logits, "logits")
    if z.ndim != 2:
        raise ValueError(f"logits must have shape (N, L), got shape {z.shape}")
    y = multi_hot(targets, "targets")
    if y.shape != z.shape:
        raise ValueError(f"targets must have the logits' shape {z.shape}, got {y.shape}")
    c_fn, c_fp = label_cost_pair(fn_cost, fp_cost, z.shape[1])
    log_p = -np.logaddexp(0.0, -z)
    log_1mp = -np.logaddexp(0.0, z)
    loss = -(c_fn * y * log_p + c_fp * (1 - y) * log_1mp).sum(axis=1)
    return _reduce(loss, reduction)
