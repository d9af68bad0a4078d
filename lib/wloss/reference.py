"""The course's losses in NumPy float64, transcribed from the formulas to be read.

Each function takes *probabilities*, as the lectures write the formulas:
``p`` of shape (N,) (probability of the positive class) for binary losses,
``P`` of shape (N, K) (rows summing to 1) for K-class losses. Use
:func:`sigmoid` and :func:`softmax` to get them from logits. Every function
returns the per-example losses reduced as in ``wloss.losses``:
``reduction="mean"`` divides by N.

These are the readable twins of ``wloss.losses``, and the tests hold the two
layers equal. They make no effort to be stable: ``log(0)`` gives ``-inf``
where the PyTorch layer, working from logits, stays finite.
"""
from __future__ import annotations

import numpy as np

from wloss._validation import as_label_array, check_nonnegative_finite, check_reduction

__all__ = [
    "sigmoid", "softmax", "weighted_bce", "rwwce_binary", "weighted_cross_entropy", "rwwce",
    "rwwce_per_example", "expected_cost_loss", "focal_loss", "logit_adjusted_cross_entropy",
    "rps_loss", "rps_double_sum", "expected_label_l1_loss", "distance_penalized_cross_entropy",
]


def sigmoid(z):
    """1 / (1 + exp(-z)), elementwise, float64."""
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -z))


def softmax(Z):
    """exp(z_k) / sum_j exp(z_j) along the last axis, float64."""
    Z = np.asarray(Z, dtype=np.float64)
    shifted = Z - Z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


# --------------------------------------------------------------------------- validation

def _probabilities(P, name="P", atol=1e-6):
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 2 or P.shape[0] == 0 or P.shape[1] < 2:
        raise ValueError(f"{name} must have shape (N, K) with N >= 1 and K >= 2, got {P.shape}")
    if np.any(P < 0) or np.any(P > 1) or not np.all(np.isfinite(P)):
        raise ValueError(f"{name} must hold probabilities in [0, 1]")
    sums = P.sum(axis=1)
    if np.any(np.abs(sums - 1) > atol):
        worst = int(np.argmax(np.abs(sums - 1)))
        raise ValueError(f"{name} rows must sum to 1, row {worst} sums to {sums[worst]:.6g} "
                         "(pass softmax(logits), not logits)")
    return P


def _binary(p, y):
    p = np.asarray(p, dtype=np.float64)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"p must have shape (N,) with N >= 1, got {p.shape}")
    if np.any(p < 0) or np.any(p > 1) or not np.all(np.isfinite(p)):
        raise ValueError("p must hold probabilities in [0, 1] (pass sigmoid(logits), not logits)")
    y = np.asarray(y, dtype=np.float64)
    if y.shape != p.shape:
        raise ValueError(f"y must have shape {p.shape} to match p, got {y.shape}")
    if np.any((y != 0) & (y != 1)):
        raise ValueError("y must hold binary labels in {0, 1}")
    return p, y


def _reduce(loss, reduction):
    check_reduction(reduction)
    if reduction == "mean":
        return float(loss.mean())
    if reduction == "sum":
        return float(loss.sum())
    return loss


def _labels(P, y):
    y = as_label_array(y, name="y", num_classes=P.shape[1])
    if len(y) != len(P):
        raise ValueError(f"y must have length {len(P)} to match P, got {len(y)}")
    return y


# --------------------------------------------------------------------------- binary

def weighted_bce(p, y, pos_weight=1.0, neg_weight=1.0, sample_weight=None, reduction="mean"):
    """loss_i = -s_i [ w+ y_i log p_i + w- (1 - y_i) log(1 - p_i) ]

    >>> weighted_bce([0.5], [1], pos_weight=2.0)   # 2 log 2
    1.3862943611198906
    """
    p, y = _binary(p, y)
    w_pos = check_nonnegative_finite(pos_weight, "pos_weight", shape=())
    w_neg = check_nonnegative_finite(neg_weight, "neg_weight", shape=())
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = np.where(y == 1, -w_pos * np.log(p), -w_neg * np.log(1 - p))  # 0 * log 0 counts as 0
    if sample_weight is not None:
        loss = loss * check_nonnegative_finite(sample_weight, "sample_weight", shape=(len(p),))
    return _reduce(loss, reduction)


def rwwce_binary(p, y, fn_cost, fp_cost, reduction="mean"):
    """Eq. 5 of the RWWCE paper: -1/M sum_i [ c_fn y_i log p_i + c_fp (1 - y_i) log(1 - p_i) ]

    >>> rwwce_binary([0.9, 0.2], [1, 0], fn_cost=2000, fp_cost=100) == weighted_bce([0.9, 0.2], [1, 0], 2000, 100)
    True
    """
    c_fn = check_nonnegative_finite(fn_cost, "fn_cost", shape=())
    c_fp = check_nonnegative_finite(fp_cost, "fp_cost", shape=())
    if c_fn == 0 and c_fp == 0:
        raise ValueError("fn_cost and fp_cost are both zero: the loss would be identically zero")
    return weighted_bce(p, y, pos_weight=c_fn, neg_weight=c_fp, reduction=reduction)


# --------------------------------------------------------------------------- multiclass

def weighted_cross_entropy(P, y, class_weight=None, sample_weight=None, reduction="mean"):
    """loss_i = -s_i w_{y_i} log P[i, y_i]   ("mean" divides by N, not by sum of weights)

    >>> round(weighted_cross_entropy([[0.5, 0.5]], [0], class_weight=[2.0, 1.0]), 6)   # 2 log 2
    1.386294
    """
    P = _probabilities(P)
    y = _labels(P, y)
    n, k = P.shape
    with np.errstate(divide="ignore"):
        loss = -np.log(P[np.arange(n), y])
    if class_weight is not None:
        loss = loss * check_nonnegative_finite(class_weight, "class_weight", shape=(k,))[y]
    if sample_weight is not None:
        loss = loss * check_nonnegative_finite(sample_weight, "sample_weight", shape=(n,))
    return _reduce(loss, reduction)


def rwwce_per_example(P, y, fn_weight, fp_weight, reduction="mean"):
    """loss_i = -[ a_i log P[i, y_i] + sum_{k != y_i} B[i, k] log(1 - P[i, k]) ]

    >>> round(rwwce_per_example([[0.6, 0.3, 0.1]], [0], [1.0], [[0.0, 1.0, 1.0]]), 4)   # -log .6 - log .7 - log .9
    0.9729
    """
    P = _probabilities(P)
    y = _labels(P, y)
    n, k = P.shape
    a = check_nonnegative_finite(fn_weight, "fn_weight", shape=(n,))
    B = check_nonnegative_finite(fp_weight, "fp_weight", shape=(n, k))
    loss = np.zeros(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(n):
            loss[i] = -a[i] * np.log(P[i, y[i]])
            for j in range(k):
                if j != y[i] and B[i, j] != 0:
                    loss[i] -= B[i, j] * np.log(1 - P[i, j])
    return _reduce(loss, reduction)


def rwwce(P, y, fn_cost, fp_cost, reduction="mean"):
    """Eq. 6 of the RWWCE paper:

    J = -1/M sum_i [ fn[y_i] log P[i, y_i] + sum_{k != y_i} fp[y_i, k] log(1 - P[i, k]) ]

    >>> P = [[0.6, 0.3, 0.1], [0.6, 0.2, 0.2]]
    >>> fp = [[0, 1, 1], [1, 0, 1], [1, 1, 0]]
    >>> [round(float(x), 4) for x in rwwce(P, [0, 0], [1, 1, 1], fp, reduction="none")]   # CE alone: 0.5108 for both
    [0.9729, 0.9571]
    """
    P = _probabilities(P)
    y = _labels(P, y)
    k = P.shape[1]
    fn = check_nonnegative_finite(fn_cost, "fn_cost", shape=(k,))
    fp = check_nonnegative_finite(fp_cost, "fp_cost", shape=(k, k))
    return rwwce_per_example(P, y, fn[y], fp[y], reduction=reduction)


def expected_cost_loss(P, y, cost, reduction="mean"):
    """loss_i = sum_j C[y_i, j] P[i, j]

    >>> expected_cost_loss([[0.5, 0.5]], [0], [[0, 4], [1, 0]])
    2.0
    """
    P = _probabilities(P)
    y = _labels(P, y)
    C = check_nonnegative_finite(cost, "cost", shape=(P.shape[1], P.shape[1]))
    return _reduce((C[y] * P).sum(axis=1), reduction)


def focal_loss(P, y, gamma=2.0, alpha=None, reduction="mean"):
    """Multiclass focal loss: loss_i = -alpha[y_i] (1 - P[i, y_i])^gamma log P[i, y_i]

    With a 1-D ``P`` (probabilities of the positive class) it is the sigmoid form of
    torchvision: loss_i = alpha_t (1 - p_t)^gamma BCE(p_i, y_i), p_t = p y + (1 - p)(1 - y),
    alpha_t = alpha y + (1 - alpha)(1 - y) (no alpha weighting when alpha is None).

    >>> round(focal_loss([[0.9, 0.1]], [0], gamma=2.0), 6)   # 0.01 * -log 0.9
    0.001054
    """
    if not np.isfinite(gamma) or gamma < 0:
        raise ValueError(f"gamma must be a finite number >= 0, got {gamma!r}")
    if np.ndim(P) == 1:
        p, y = _binary(P, y)
        p_t = p * y + (1 - p) * (1 - y)
        with np.errstate(divide="ignore"):
            loss = -((1 - p_t) ** gamma) * np.log(p_t)
        if alpha is not None:
            a = float(check_nonnegative_finite(alpha, "alpha", shape=()))
            if a > 1:
                raise ValueError(f"alpha must be in [0, 1] for the binary focal loss, got {a}")
            loss = (a * y + (1 - a) * (1 - y)) * loss
        return _reduce(loss, reduction)
    P = _probabilities(P)
    y = _labels(P, y)
    p_true = P[np.arange(len(y)), y]
    with np.errstate(divide="ignore"):
        loss = -((1 - p_true) ** gamma) * np.log(p_true)
    if alpha is not None:
        loss = loss * check_nonnegative_finite(alpha, "alpha", shape=(P.shape[1],))[y]
    return _reduce(loss, reduction)


def logit_adjusted_cross_entropy(Z, y, class_prior, tau=1.0, reduction="mean"):
    """CE of softmax(z_i + tau log pi) -- takes LOGITS Z (N, K), since the adjustment acts on them.

    >>> round(logit_adjusted_cross_entropy([[0.0, 0.0]], [1], [0.9, 0.1]), 6)   # -log 0.1
    2.302585
    """
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2 or Z.shape[0] == 0:
        raise ValueError(f"Z must have shape (N, K), got {Z.shape}")
    prior = check_nonnegative_finite(class_prior, "class_prior", shape=(Z.shape[1],))
    if np.any(prior <= 0):
        raise ValueError("class_prior must be > 0 for every class")
    return weighted_cross_entropy(softmax(Z + tau * np.log(prior)), y, reduction=reduction)


# --------------------------------------------------------------------------- ordinal

def rps_double_sum(P, y, reduction="mean"):
    """The seed's formula, literally: RPS_i = sum_{k=1}^{K} ( sum_{j=1}^{k} p_j - 1[k >= y] )^2

    Labels here are 0-based (class k = 0..K-1), so 1[k >= y] compares 0-based indices.

    >>> round(rps_double_sum([[0.2, 0.5, 0.3]], [1]), 6)
    0.13
    """
    P = _probabilities(P)
    y = _labels(P, y)
    n, k = P.shape
    loss = np.zeros(n)
    for i in range(n):
        for upper in range(k):
            cumulative = sum(P[i, j] for j in range(upper + 1))
            loss[i] += (cumulative - (1.0 if upper >= y[i] else 0.0)) ** 2
    return _reduce(loss, reduction)


def rps_loss(P, y, reduction="mean"):
    """RPS with a cumulative sum: sum_k (CDF_pred(k) - CDF_obs(k))^2 (equals :func:`rps_double_sum`).

    >>> round(rps_loss([[0.2, 0.5, 0.3]], [1]), 6)
    0.13
    """
    P = _probabilities(P)
    y = _labels(P, y)
    observed = (np.arange(P.shape[1])[None, :] >= y[:, None]).astype(float)
    return _reduce(((np.cumsum(P, axis=1) - observed) ** 2).sum(axis=1), reduction)


def expected_label_l1_loss(P, y, label_values=None, reduction="mean"):
    """loss_i = | sum_k v_k P[i, k] - v_{y_i} |,  v = label_values (default 0..K-1)

    >>> expected_label_l1_loss([[0.5, 0.0, 0.5]], [1])
    0.0
    """
    P = _probabilities(P)
    y = _labels(P, y)
    k = P.shape[1]
    v = np.arange(k, dtype=float) if label_values is None else np.asarray(label_values, dtype=float)
    if v.shape != (k,):
        raise ValueError(f"label_values must have shape ({k},), got {v.shape}")
    return _reduce(np.abs(P @ v - v[y]), reduction)


def distance_penalized_cross_entropy(P, y, alpha=1.0, reduction="mean"):
    """loss_i = -log P[i, y_i] + alpha sum_k P[i, k] |k - y_i|

    >>> round(distance_penalized_cross_entropy([[0.5, 0.5]], [0], alpha=1.0), 6)   # log 2 + 0.5
    1.193147
    """
    P = _probabilities(P)
    y = _labels(P, y)
    a = check_nonnegative_finite(alpha, "alpha", shape=())
    distance = np.abs(np.arange(P.shape[1])[None, :] - y[:, None])
    with np.errstate(divide="ignore"):
        loss = -np.log(P[np.arange(len(y)), y]) + a * (P * distance).sum(axis=1)
    return _reduce(loss, reduction)
