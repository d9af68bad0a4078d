"""Losses for ordered classes 0 < 1 < ... < K-1: RPS, expected-label L1, distance-penalised CE."""
from __future__ import annotations

import torch

import numpy as np

from wloss.losses._inputs import check_logits, check_reduction, class_targets, nonnegative_scalar, reduce
from wloss.losses._blockwise import blockwise_loss, exp_minus_row_max, scaled_softmax


def rps_loss(logits, targets, reduction="mean"):
    """Ranked probability score (seed 003), no 1/(K-1) factor.

    RPS_i = sum_{k=0}^{K-1} ( sum_{j<=k} p_ij - [k >= y_i] )^2,   p_i = softmax(z_i)

    computed in O(N K) with a cumulative sum, and differentiated analytically (``_rps_kernel``).

    Examples
    --------
    >>> z, y = torch.zeros(1, 3), torch.tensor([0])
    >>> round(rps_loss(z, y).item(), 4)  # (1/3 - 1)^2 + (2/3 - 1)^2 + 0
    0.5556
    """
    check_reduction(reduction)
    check_logits(logits, ndim=2)
    y = class_targets(targets, logits)
    return blockwise_loss(logits, lambda scale: _rps_kernel(logits, y, scale), 2, reduction)


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
        before = grad  # S B: the cumulative sum of S D written one column to the right
        torch.cumsum(gap[:, :-1], dim=1, out=before[:, 1:])
        before[:, 0] = 0.0
        shift = before.gather(1, label) - loss * total
        torch.sub(shift, before, out=grad).mul_(2.0 * scale / total.square()).mul_(e)
        return (loss * scale)[:, 0]

    return kernel


def expected_label_l1_loss(logits, targets, label_values=None, reduction="mean"):
    """Absolute error of the forecast's mean label.

    loss_i = | sum_k v_k p_ik - v_{y_i} |,  v = label_values (default 0, 1, ..., K-1)

    Examples
    --------
    >>> z, y = torch.zeros(1, 3), torch.tensor([2])
    >>> expected_label_l1_loss(z, y).item()  # |1 - 2|
    1.0
    """
    check_reduction(reduction)
    check_logits(logits, ndim=2)
    y = class_targets(targets, logits)
    values = _label_values(label_values, logits)
    expected = torch.softmax(logits, dim=1) @ values
    return reduce((expected - values[y]).abs(), reduction)


def distance_penalized_cross_entropy(logits, targets, alpha=1.0, reduction="mean"):
    """Cross-entropy plus alpha times the expected distance to the true class.

    loss_i = -log p_iy + alpha * sum_k p_ik |k - y_i|

    Examples
    --------
    >>> z, y = torch.zeros(1, 2), torch.tensor([0])
    >>> round(distance_penalized_cross_entropy(z, y, alpha=2.0).item(), 4)  # log 2 + 2 * 0.5
    1.6931
    """
    check_reduction(reduction)
    check_logits(logits, ndim=2)
    y = class_targets(targets, logits)
    alpha = nonnegative_scalar(alpha, "alpha")
    return blockwise_loss(logits, lambda scale: _distance_kernel(logits, y, alpha, scale), 2, reduction)


def _distance_kernel(logits, y, alpha, scale):
    """Row-block kernel (see ``wloss.losses._blockwise``) of scale * distance-penalised CE.

    With d_k = |k - y| and E = sum_k p_k d_k:  d loss / d z_j = p_j (1 + alpha d_j - alpha E) - [j = y].
    """
    classes = torch.arange(logits.shape[1], dtype=logits.dtype, device=logits.device)
    penalty_table = alpha * (classes[:, None] - classes).abs_()  # row y is alpha |k - y|

    def kernel(block, grad, work):
        e, scratch = work
        z, y_block = logits[block], y[block]
        label = y_block[:, None]
        top, total = exp_minus_row_max(z, e)
        penalty = torch.index_select(penalty_table, 0, y_block, out=grad)  # alpha d
        expected = torch.mul(e, penalty, out=scratch).sum(1, keepdim=True) / total  # alpha E
        cross_entropy = top + total.log() - z.gather(1, label)
        penalty.add_(1.0 - expected).mul_(scale / total).mul_(e)  # (addcmul is slower than these three)
        grad.scatter_add_(1, label, torch.full_like(total, -scale))
        return ((cross_entropy + expected) * scale)[:, 0]

    return kernel


def _label_values(label_values, logits: torch.Tensor) -> torch.Tensor:
    """The (K,) finite values of the ordered labels, 0..K-1 when None."""
    k = logits.shape[1]
    if label_values is None:
        return torch.arange(k, dtype=logits.dtype, device=logits.device)
    raw = label_values.detach().cpu().numpy() if isinstance(label_values, torch.Tensor) else label_values
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"label_values must be an array of numbers, got {type(label_values).__name__}") from None
    if arr.shape != (k,):
        raise ValueError(f"label_values must have shape ({k},), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("label_values must be finite, got NaN or infinity")
    return torch.as_tensor(arr, dtype=logits.dtype, device=logits.device)
