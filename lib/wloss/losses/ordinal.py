"""Losses for ordered classes 0 < 1 < ... < K-1: RPS, expected-label L1, distance-penalised CE.

RPS and distance-penalised CE keep row-block kernels with an analytic gradient (``_rps_kernel``,
``_distance_ce_kernel``): measured, plain autograd of their formulas costs about twice as much. The
expected-label L1 loss is plain autograd on its formula.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from wloss.losses._inputs import (as_checked_tensor, check_logits, check_reduction, class_targets,
                                  class_weight_of_targets, nonnegative_scalar, reduce, require)
from wloss.losses._blockwise import blockwise_loss, exp_minus_row_max, row_sum, scaled_softmax
from wloss.losses import _fusable


def rps_loss(logits, targets, class_weight=None, reduction="mean"):
    """Ranked probability score (Epstein 1969), no 1/(K-1) factor, optionally weighted by class.

    RPS_i = w[y_i] * sum_{k=0}^{K-1} ( sum_{j<=k} p_ij - [k >= y_i] )^2,   p_i = softmax(z_i)

    computed in O(N K) with a cumulative sum, and differentiated analytically (``_rps_kernel``).

    Parameters
    ----------
    logits : Tensor (N, K).  targets : int (N,) in [0, K).
    class_weight : array-like (K,) >= 0, optional: example i counts w[y_i] times (1 when None).
    reduction : "mean" (sum / N, whatever the weights), "sum" or "none" (shape (N,)).

    Examples
    --------
    >>> z, y = torch.zeros(1, 3), torch.tensor([0])
    >>> round(rps_loss(z, y).item(), 4)  # (1/3 - 1)^2 + (2/3 - 1)^2 + 0
    0.5556
    >>> round(rps_loss(z, y, class_weight=[3.0, 1.0, 1.0]).item(), 4)  # 3 * 0.5556
    1.6667
    """
    check_reduction(reduction)
    z = check_logits(logits, ndim=2)
    y = class_targets(targets, z)
    weight = class_weight_of_targets(class_weight, z, y)
    if weight is None:
        loss = blockwise_loss(z, lambda scale: _rps_kernel(z, y, scale), 2, reduction,
                              formula=lambda t: _rps_formula_for_here(t, y))
        return loss.to(logits.dtype)
    per_example = blockwise_loss(z, lambda scale: _rps_kernel(z, y, scale), 2, "none",
                                 formula=lambda t: _rps_formula_for_here(t, y))
    return reduce(per_example * weight, reduction, logits.dtype)


def _rps_formula_for_here(logits, y):
    """``_rps_formula``, or its fusable form inside ``torch.compile`` for up to ``RPS_COLUMNS_MAX_CLASSES`` classes
    (``wloss.losses._fusable``)."""
    fusable = torch.compiler.is_compiling() and logits.shape[1] <= _fusable.RPS_COLUMNS_MAX_CLASSES
    return (_fusable.rps if fusable else _rps_formula)(logits, y)


def _rps_formula(logits, y):
    """Per-example RPS (N,) as tensor operations, for autograd: || cumsum(p - onehot(y)) ||^2, i.e. the CDF
    minus the step [k >= y], as ``_rps_kernel`` computes it."""
    probs = torch.softmax(logits, dim=1)
    minus_one = probs.new_full((probs.shape[0], 1), -1.0)
    return probs.scatter_add(1, y[:, None], minus_one).cumsum(dim=1).square().sum(1)


def _rps_kernel(logits, y, scale):
    """Row-block kernel (see ``wloss.losses._blockwise``) of scale * RPS.

    With D = cumsum(p - onehot(y)) = CDF - step and G_j = sum_{k >= j} D_k:  d RPS / d p_j = 2 G_j,
    and through the softmax
        d RPS / d z_j = 2 p_j (G_j - sum_l p_l G_l),   sum_l p_l G_l = RPS + G_y,
    since sum_l p_l G_l = sum_k D_k CDF_k = sum_k D_k (D_k + [k >= y]). With B_j = sum_{k < j} D_k,
    G_j = B_K - B_j, so G_j - RPS - G_y = B_y - RPS - B_j. Everything is kept multiplied by
    the S of ``scaled_softmax`` (e = S p), so that p need not be formed.
    """
    def kernel(block, grad, work):
        e, gap = work
        z, label = logits[block], y[block, None]
        total = scaled_softmax(z, e)
        e_label = e.gather(1, label)
        torch.cumsum(e.scatter_add_(1, label, -total), dim=1, out=gap)  # S D
        e.scatter_(1, label, e_label)
        loss = (torch.linalg.vector_norm(gap, dim=1, keepdim=True) / total).square_()
        if grad is None:
            return (loss * scale)[:, 0]
        before = grad  # S B: the cumulative sum of S D written one column to the right
        torch.cumsum(gap[:, :-1], dim=1, out=before[:, 1:])
        before[:, 0] = 0.0
        shift = before.gather(1, label) - loss * total
        torch.sub(shift, before, out=grad).mul_(2.0 * scale / total.square()).mul_(e)
        return (loss * scale)[:, 0]

    return kernel


def expected_label_l1_loss(logits, targets, label_values=None, class_weight=None, reduction="mean"):
    """Absolute error of the forecast's mean label, optionally weighted by class.

    loss_i = w[y_i] * | sum_k v_k p_ik - v_{y_i} |,  v = label_values (default 0, 1, ..., K-1)

    Parameters
    ----------
    logits : Tensor (N, K).  targets : int (N,) in [0, K).
    label_values : array-like (K,) of finite numbers, optional.
    class_weight : array-like (K,) >= 0, optional: example i counts w[y_i] times (1 when None).
    reduction : "mean" (sum / N, whatever the weights), "sum" or "none" (shape (N,)).

    Examples
    --------
    >>> z, y = torch.zeros(1, 3), torch.tensor([2])
    >>> expected_label_l1_loss(z, y).item()  # |1 - 2|
    1.0
    >>> expected_label_l1_loss(z, y, class_weight=[1.0, 1.0, 4.0]).item()  # 4 |1 - 2|
    4.0
    """
    check_reduction(reduction)
    z = check_logits(logits, ndim=2)
    y = class_targets(targets, z)
    values = _label_values(label_values, z)
    weight = class_weight_of_targets(class_weight, z, y)
    if torch.compiler.is_compiling():  # sum_k p_k (v_k - v_y) in the form Inductor fuses (wloss.losses._fusable)
        per_example = _fusable.softmax_expectation(z, values - values.index_select(0, y)[:, None]).abs()
    else:
        per_example = (torch.softmax(z, dim=1) @ values - values.index_select(0, y)).abs()
    return reduce(per_example if weight is None else per_example * weight, reduction, logits.dtype)


def distance_penalized_cross_entropy(logits, targets, alpha=1.0, class_weight=None, reduction="mean"):
    """Cross-entropy plus alpha times the expected distance to the true class, optionally weighted by class.

    loss_i = w[y_i] * ( -log p_iy + alpha * sum_k p_ik |k - y_i| )

    -log p_iy is computed as (top - z_y) + log sum_k exp(z_k - top) with top the row max, so it keeps its
    digits where z_y ties the top logit. The gradient of a large batch is computed with the loss
    (``_distance_ce_kernel``); the readable formula serves everywhere else and differentiates to any order.

    Parameters
    ----------
    logits : Tensor (N, K).  targets : int (N,) in [0, K).  alpha : float >= 0.
    class_weight : array-like (K,) >= 0, optional: example i counts w[y_i] times (1 when None).
    reduction : "mean" (sum / N, whatever the weights), "sum" or "none" (shape (N,)).

    Examples
    --------
    >>> z, y = torch.zeros(1, 2), torch.tensor([0])
    >>> round(distance_penalized_cross_entropy(z, y, alpha=2.0).item(), 4)  # log 2 + 2 * 0.5
    1.6931
    >>> round(distance_penalized_cross_entropy(z, y, alpha=2.0, class_weight=[0.5, 1.0]).item(), 4)  # half
    0.8466
    """
    check_reduction(reduction)
    z = check_logits(logits, ndim=2)
    y = class_targets(targets, z)
    alpha = nonnegative_scalar(alpha, "alpha", z)
    weight = class_weight_of_targets(class_weight, z, y)
    table = _distance_table(z)
    loss = blockwise_loss(z, lambda scale: _distance_ce_kernel(z, y, alpha, weight, table, scale), 2, reduction,
                          formula=lambda t: _distance_ce_formula(t, y, alpha, weight, table), weights=(alpha, weight))
    return loss.to(logits.dtype)


def _distance_table(logits):
    """|j - k| (K, K), in the logits' dtype and device."""
    classes = torch.arange(logits.shape[1], device=logits.device)
    return (classes[:, None] - classes).abs().to(logits.dtype)


def _distance_ce_formula(logits, y, alpha, weight, table):
    """Per-example distance-penalised CE (N,) as tensor operations, for autograd (in the fusable form of
    ``wloss.losses._fusable`` while compiling)."""
    if torch.compiler.is_compiling():
        per_example = _fusable.distance_cross_entropy(logits, y, alpha)
        return per_example if weight is None else per_example * weight
    expected_distance = (torch.softmax(logits, 1) * table.index_select(0, y)).sum(1)
    per_example = F.cross_entropy(logits, y, reduction="none") + alpha * expected_distance
    return per_example if weight is None else per_example * weight


def _distance_ce_kernel(logits, y, alpha, weight, table, scale):
    """Row-block kernel (see ``wloss.losses._blockwise``) of scale * distance-penalised CE.

    With e = exp(z - m) (m the row max), S = sum_k e_k, d_k = |k - y| and E = sum_k e_k d_k / S the
    expected distance:  loss = c ((m - z_y) + log S + alpha E),  c = scale * w[y], and
        d loss / d z_j = c (p_j - [j = y]) + c alpha p_j (d_j - E) = (c / S) e_j (1 - alpha E + alpha d_j) - c [j = y].
    """
    def kernel(block, grad, work):
        e, e_distance = work
        z, label = logits[block], y[block, None]
        top, total = exp_minus_row_max(z, e)
        torch.index_select(table, 0, y[block], out=e_distance).mul_(e)  # e_k d_k
        expected = row_sum(e_distance) / total
        c = total.new_full(total.shape, scale) if weight is None else scale * weight[block, None]
        if grad is not None:
            torch.mul(e, c * (1.0 - alpha * expected) / total, out=grad).addcmul_(e_distance, c * alpha / total)
            grad.scatter_add_(1, label, -c)
        return (c * ((top - z.gather(1, label)) + total.log() + alpha * expected))[:, 0]

    return kernel


def _label_values(label_values, logits: torch.Tensor) -> torch.Tensor:
    """The (K,) finite values of the ordered labels, 0..K-1 when None, in the logits' dtype and device."""
    k = logits.shape[1]
    if label_values is None:
        return torch.arange(k, dtype=logits.dtype, device=logits.device)
    values = as_checked_tensor(label_values, "label_values", "numbers")
    if tuple(values.shape) != (k,):
        raise ValueError(f"label_values must have shape ({k},), got {tuple(values.shape)}")
    values = values.to(dtype=logits.dtype, device=logits.device)
    require(torch.isfinite(values.detach()).all(), ValueError, "label_values must be finite, got NaN or infinity")
    return values
