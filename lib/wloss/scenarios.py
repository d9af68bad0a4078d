"""Costs that depend on the example: a synthetic card-transaction scenario (lecture 05).

A common question asks for a weight ``w_ij`` per observation ``i`` and class ``j``. Here ``w_ij`` is concrete:
the cost of answering ``j`` for transaction ``i``, which grows with the amount at stake. This module makes the
scenario: the transactions (``make_transactions``) and the cost matrix of each (``transaction_cost_matrices``).
What to do with per-example costs lives with its concern: the RWWCE weights that reproduce them in
``wloss.weights``, the cost-minimising (Bayes) decisions and their total cost in ``wloss.decisions``, the
per-example expected-cost loss in ``wloss.losses``.

Classes and actions share the indices 0 legit / approve, 1 stolen card / block the card,
2 account takeover / lock the account.

Deprecated: moved to wloss.weights, wloss.decisions and wloss.losses; these names will be removed in the next release:

- ``true_class_cost_rows``: Deprecated: moved to wloss.decisions; this name will be removed in the next release.
- ``rwwce_weights_from_costs``: Deprecated: moved to wloss.weights; this name will be removed in the next release.
- ``expected_cost_per_example``: Deprecated: moved to wloss.losses; this name will be removed in the next release.
- ``bayes_decisions``: Deprecated: moved to wloss.decisions; this name will be removed in the next release.
- ``total_decision_cost``: Deprecated: moved to wloss.decisions; this name will be removed in the next release.
"""
from __future__ import annotations

import numpy as np

from wloss._validation import check_nonnegative_finite
# Deprecated: moved to wloss.decisions, wloss.weights and wloss.losses; these names will be removed in the next release
from wloss.decisions import bayes_decisions, total_decision_cost, true_class_cost_rows  # noqa: F401
from wloss.losses import expected_cost_per_example  # noqa: F401
from wloss.weights import rwwce_weights_from_costs  # noqa: F401

__all__ = ["CLASS_NAMES", "make_transactions", "transaction_cost_matrices"]

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
