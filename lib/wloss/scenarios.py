"""Costs that depend on the example: a synthetic card-transaction scenario (lecture 05).

A common question asks for a weight ``w_ij`` per observation ``i`` and class ``j``. Here ``w_ij`` is concrete:
the cost of answering ``j`` for transaction ``i``, which grows with the amount at stake. The module
makes the data, the per-transaction cost matrices, the RWWCE weights that reproduce those costs and
the cost-minimising (Bayes) decisions; the per-example expected-cost loss is
``wloss.losses.expected_cost_per_example``, also importable from here.

Classes and actions share the indices 0 legit / approve, 1 stolen card / block the card,
2 account takeover / lock the account.
"""
from __future__ import annotations

import numpy as np

from wloss._validation import as_label_array, check_nonnegative_finite
# the per-example expected-cost loss lives with the other losses; imported here, where lecture 05 finds it
from wloss.losses.multiclass import expected_cost_per_example

CLASS_NAMES = ("legit", "stolen card", "account takeover")


def make_transactions(n: int, seed: int = 0):
    """Draw ``n`` synthetic card transactions with a fraud type that depends on the features.

    amount_i = exp(a_i), a_i ~ N(4, 1.2^2) (median about 55);  two behaviour scores x1, x2 ~ N(0, 1);
    class logits  [0, -4.2 + 1.4 x1 + 0.5 (a - 4),  -5.0 + 1.4 x2 + 0.8 (a - 4)],  y_i ~ softmax.
    Frauds are a few per cent and more common at large amounts; takeovers most of all.

    Parameters
    ----------
    n : int >= 1.  seed : int.

    Returns
    -------
    X : ndarray (n, 3) float32, columns [x1, x2, (log amount - 4) / 1.2].
    y : ndarray (n,) int64 in {0, 1, 2}.
    amount : ndarray (n,) float64 > 0.

    Examples
    --------
    >>> X, y, amount = make_transactions(5, seed=0)
    >>> X.shape, y.shape, bool((amount > 0).all())
    ((5, 3), (5,), True)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    rng = np.random.default_rng(seed)
    log_amount = rng.normal(4.0, 1.2, size=n)
    x1, x2 = rng.normal(size=(2, n))
    centred = log_amount - 4.0
    logits = np.stack([np.zeros(n), -4.2 + 1.4 * x1 + 0.5 * centred, -5.0 + 1.4 * x2 + 0.8 * centred], axis=1)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    y = (rng.random(n)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1).astype(np.int64)
    X = np.stack([x1, x2, centred / 1.2], axis=1).astype(np.float32)
    return X, y, np.exp(log_amount)


def transaction_cost_matrices(amount, fee: float = 10.0, block_rate: float = 0.02, takeover_factor: float = 1.5):
    """Cost matrix of every transaction, ``C[i, true, action]``, growing with the amount at stake.

    With amount m_i, fee f, rate r and takeover factor t (rows = true class, columns = action):

        legit    : [0,            f + r m,   2 f + r m]   (a blocked customer: fee + lost business)
        stolen   : [m,            0,         f        ]   (approving loses m; locking is overkill)
        takeover : [t m,          m / 2,     0        ]   (approving loses more than m; blocking the card
                                                           alone leaves the account open)

    Parameters
    ----------
    amount : array-like (N,) >= 0.  fee, block_rate, takeover_factor : float >= 0.

    Returns
    -------
    ndarray (N, 3, 3) float64, zero diagonal.

    Examples
    --------
    >>> transaction_cost_matrices([100.0])[0]
    array([[  0.,  12.,  22.],
           [100.,   0.,  10.],
           [150.,  50.,   0.]])
    """
    m = check_nonnegative_finite(amount, "amount", shape=(None,))
    fee, rate, factor = (float(check_nonnegative_finite(v, name, shape=())) for v, name in
                         [(fee, "fee"), (block_rate, "block_rate"), (takeover_factor, "takeover_factor")])
    zero = np.zeros_like(m)
    return np.stack([
        np.stack([zero, fee + rate * m, 2 * fee + rate * m], axis=1),
        np.stack([m, zero, zero + fee], axis=1),
        np.stack([factor * m, m / 2, zero], axis=1),
    ], axis=1)


def true_class_cost_rows(cost_matrices, y):
    """The row of each example's true class: ``rows[i, j] = C[i, y_i, j]``, the w_ij of that question.

    Parameters
    ----------
    cost_matrices : array-like (N, K, K) >= 0.  y : int (N,) in [0, K).

    Returns
    -------
    ndarray (N, K).

    Examples
    --------
    >>> true_class_cost_rows(transaction_cost_matrices([100.0]), [1])
    array([[100.,   0.,  10.]])
    """
    C = _check_cost_matrices(cost_matrices)
    y = _check_labels_match(y, C.shape[0], C.shape[1])
    return C[np.arange(len(y)), y]


def rwwce_weights_from_costs(cost_rows, y):
    """Split each cost row c_i into RWWCE weights with fn_i + fp_ij = c_ij for every wrong j.

        fn_i = min_{j != y_i} c_ij,   fp_ij = c_ij - fn_i (j != y_i),   fp_i,y_i = 0

    fn_i is the largest share all wrong answers have in common, so every fp_ij stays >= 0.
    ``wloss.metrics.real_world_cost`` charges fn[y] + fp[y, j] for a mistake; this split makes that
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
    y = _check_labels_match(y, rows.shape[0], rows.shape[1])
    if rows.shape[1] < 2:
        raise ValueError(f"cost_rows must have at least 2 columns (classes), got {rows.shape[1]}")
    own = np.zeros_like(rows, dtype=bool)
    own[np.arange(len(y)), y] = True
    fn_weight = np.where(own, np.inf, rows).min(axis=1)
    fp_weight = np.where(own, 0.0, rows - fn_weight[:, None])
    return fn_weight, fp_weight


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
    >>> C = transaction_cost_matrices([100.0])  # approve: 0.2 * 100 = 20 > block: 0.8 * 12 = 9.6
    >>> bayes_decisions([[0.8, 0.2, 0.0]], C)
    array([1])
    """
    C = _check_cost_matrices(cost_matrices)
    p = check_nonnegative_finite(probs, "probs", shape=C.shape[:2])
    if not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("probs must have rows that sum to 1")
    return np.einsum("nk,nkj->nj", p, C).argmin(axis=1)


def total_decision_cost(y, decisions, cost_matrices) -> float:
    """Total cost of the decisions actually taken: sum_i C[i, y_i, d_i].

    Parameters
    ----------
    y, decisions : int (N,) in [0, K).  cost_matrices : array-like (N, K, K) >= 0.

    Examples
    --------
    >>> total_decision_cost([1, 0], [0, 0], transaction_cost_matrices([100.0, 50.0]))
    100.0
    """
    C = _check_cost_matrices(cost_matrices)
    y = _check_labels_match(y, C.shape[0], C.shape[1])
    d = _check_labels_match(decisions, C.shape[0], C.shape[1], name="decisions")
    return float(C[np.arange(len(y)), y, d].sum())


def _check_cost_matrices(cost_matrices) -> np.ndarray:
    C = check_nonnegative_finite(cost_matrices, "cost_matrices", shape=(None, None, None))
    if C.shape[1] != C.shape[2]:
        raise ValueError(f"cost_matrices must have shape (N, K, K), got {C.shape}")
    return C


def _check_labels_match(y, n: int, num_classes: int, name: str = "y") -> np.ndarray:
    labels = as_label_array(y, name, num_classes=num_classes)
    if len(labels) != n:
        raise ValueError(f"{name} must have length {n} (one label per cost row), got {len(labels)}")
    return labels


__all__ = ["CLASS_NAMES", "make_transactions", "transaction_cost_matrices", "true_class_cost_rows",
           "rwwce_weights_from_costs", "expected_cost_per_example", "bayes_decisions", "total_decision_cost"]
