"""LDAM loss with deferred re-weighting (Cao et al. 2019).

Cao, K., Wei, C., Gaidon, A., Arechiga, N., & Ma, T. (2019). Learning imbalanced datasets with
label-distribution-aware margin loss. *NeurIPS* 32.

LDAM asks for a larger margin between a rare class and the rest: the true-class logit is lowered by a
class-dependent margin m_y proportional to n_y^(-1/4) before a scaled cross-entropy. Deferred
re-weighting (DRW) trains with LDAM alone first and switches class weights on only for the last epochs.
"""
from __future__ import annotations

import numbers

import numpy as np
import torch
import torch.nn.functional as F

from wloss._validation import positive_number
from wloss.losses import _fusable
from wloss.losses._inputs import (check_logits, check_reduction, class_targets, class_weight_of_targets, reduce,
                                  weight_tensor)


def _class_counts(class_counts) -> np.ndarray:
    """``class_counts`` as a float64 array (K,), every count finite and > 0."""
    if isinstance(class_counts, torch.Tensor):
        class_counts = class_counts.detach().cpu().numpy()
    try:
        counts = np.asarray(class_counts, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"class_counts must be an array of numbers, got {type(class_counts).__name__}") from None
    if counts.ndim != 1 or counts.size < 2:
        raise ValueError(f"class_counts must have shape (K,) with K >= 2, got {counts.shape}")
    if not np.all(np.isfinite(counts)) or np.any(counts <= 0):
        raise ValueError(f"class_counts must be finite and > 0 for every class, got {counts.tolist()}")
    return counts


def ldam_margins(class_counts, max_margin=0.5) -> np.ndarray:
    """LDAM's per-class margins m_k = C / n_k^(1/4), with C chosen so that max_k m_k = max_margin.

    The rarest class gets ``max_margin``; a class 16 times as frequent gets half of it.

    Parameters
    ----------
    class_counts : array-like, shape (K,)
        Training examples per class, every count > 0.
    max_margin : float
        The margin of the rarest class (Cao et al. use 0.5), > 0.

    Returns
    -------
    ndarray of float64, shape (K,)

    Examples
    --------
    >>> ldam_margins([16, 1], max_margin=0.5)
    array([0.25, 0.5 ])
    """
    counts = _class_counts(class_counts)
    return _margins(torch.from_numpy(counts), positive_number(max_margin, "max_margin")).numpy()


def _margins(counts: torch.Tensor, max_margin: float) -> torch.Tensor:
    """m_k = max_margin * n_k^(-1/4) / max_j n_j^(-1/4), in float64 (K,)."""
    inverse_fourth_root = counts.double() ** -0.25
    return max_margin * inverse_fourth_root / inverse_fourth_root.max()


def ldam_loss(logits, targets, class_counts, max_margin=0.5, scale=30.0, class_weight=None, reduction="mean"):
    """Label-distribution-aware margin loss (Cao et al. 2019), multiclass.

    With margins m_k = C / n_k^(1/4) (max_k m_k = max_margin, see ``ldam_margins``), s = ``scale``
    and w = ``class_weight`` (1 when None),

        loss_i = -w[y_i] * log softmax(s * (z_i - m_{y_i} e_{y_i}))[y_i],

    i.e. the true-class logit is lowered by its class's margin before a cross-entropy of the
    scaled logits. Cao et al. apply it to normalised features and weights, where logits lie in
    [-1, 1] and s = 30 restores a useful range; on a plain linear layer choose s ~ 1.

    Parameters
    ----------
    logits : torch.Tensor, shape (N, K), floating
    targets : labels, shape (N,), in [0, K)
    class_counts : array-like or tensor, shape (K,)
        Training examples per class (> 0): the margins come from them.
    max_margin : float, > 0
    scale : float, > 0
    class_weight : array-like or tensor, shape (K,), optional
        Non-negative class weights, e.g. ``drw_class_weights`` once deferred re-weighting starts; a tensor
        that requires grad gets its gradient.
    reduction : {"mean", "sum", "none"}
        "mean" divides the (weighted) sum by N, not by the sum of weights.

    Returns
    -------
    torch.Tensor: scalar, or (N,) for reduction="none"

    Examples
    --------
    >>> z, y = torch.zeros(1, 2), torch.tensor([1])
    >>> round(ldam_loss(z, y, class_counts=[16, 1], max_margin=0.5, scale=1.0).item(), 4)  # log(1 + e^0.5)
    0.9741
    """
    check_reduction(reduction)
    z = check_logits(logits, ndim=2)
    y = class_targets(targets, z)
    k = z.shape[1]
    counts = weight_tensor(class_counts, "class_counts", z, shape=(k,), positive_because="a margin is n_k^(-1/4)")
    scale = positive_number(scale, "scale")
    margins = _margins(counts.detach(), positive_number(max_margin, "max_margin")).to(z.dtype)  # rounded once
    # shift by the row max first, so that subtracting the margin rounds an O(1) number even when |z| ~ 1e4;
    # the loss does not change under a shift of a row, so the shift needs no gradient
    if torch.compiler.is_compiling():
        per_example = _fused_ldam(z, y, counts.detach(), positive_number(max_margin, "max_margin"), scale)
    else:
        shifted = z - z.detach().amax(dim=1, keepdim=True)
        lowered = shifted.scatter_add(1, y[:, None], -margins.index_select(0, y)[:, None])  # m_y off the true class
        per_example = F.cross_entropy(scale * lowered, y, reduction="none")
    weight = class_weight_of_targets(class_weight, z, y)
    return reduce(per_example if weight is None else per_example * weight, reduction, logits.dtype)


def _fused_ldam(z, y, counts, max_margin, scale):
    """Per-example LDAM (N,) in fusable form (see ``wloss.losses._fusable``), used while compiling.

    With m the row max, a_k = exp(s (z_k - m)) and R = sum_{k != y} a_k, the loss is
        -log [a_y e^(-s m_y) / (R + a_y e^(-s m_y))] = softplus(log R + s m_y - s (z_y - m)),
    so the margin enters once per row, after the row sums: subtracted from the logits (as one-hot times m_y, or a
    ``where``), Inductor recomputes the margin (a pow of the counts) at every entry, which alone cost three times
    F.cross_entropy (measured, K = 100). Every number rounded is O(1) or an exact difference of logits; R is
    clamped at the smallest normal number, where the loss and its gradient are 0 to working precision. n^(-1/4)
    is rsqrt(sqrt(n)), not a pow, which Inductor recomputes in each row, in the logits' dtype (within a rounding of
    ``_margins``'s float64 margins; in float64 it cost a double-precision square root per row).
    """
    inverse_fourth_root = counts.to(z.dtype).sqrt().rsqrt()
    margins = max_margin * inverse_fourth_root / inverse_fourth_root.max()
    is_label = _fusable.is_class(z, y)
    row_max = z.detach().amax(1, keepdim=True)
    scaled_gap = scale * (z - _fusable.finite_or_zero(row_max))  # s (z_k - m) <= 0
    # R, with gaps below -64 counted as e^-64: R >= 1 unless the label is the max, where the loss is ~ 0 either way
    rest = torch.where(is_label, 0.0, _fusable.exp_clamped(scaled_gap)).sum(1)
    log_rest = torch.log(rest.clamp(min=torch.finfo(z.dtype).tiny))
    logit = log_rest + scale * margins.index_select(0, y) - _fusable.pick_label(scaled_gap, is_label, y)[:, 0]
    return _fusable.softplus(logit) + _fusable.nan_where_not_finite(row_max)


def drw_class_weights(class_counts, epoch, start_epoch, beta=0.9999) -> np.ndarray:
    """Deferred re-weighting: class weights for ``epoch``, off (all 1) until ``start_epoch``.

    From ``start_epoch`` on, the weights are the class-balanced ones of Cui et al. (2019),
    w_k proportional to (1 - beta) / (1 - beta^n_k), scaled to sum to K; ``beta=None`` gives
    inverse-frequency weights 1/n_k scaled to sum to K instead. Before it, every weight is 1,
    so the loss is unweighted (Cao et al.'s schedule: LDAM alone, weights for the last epochs).

    Parameters
    ----------
    class_counts : array-like, shape (K,)
        Training examples per class, every count > 0.
    epoch, start_epoch : int, >= 0
        The current epoch (counted from 0) and the first epoch with weights.
    beta : float in [0, 1) or None

    Returns
    -------
    ndarray of float64, shape (K,), summing to K

    Examples
    --------
    >>> drw_class_weights([3, 1], epoch=0, start_epoch=5)
    array([1., 1.])
    >>> drw_class_weights([3, 1], epoch=5, start_epoch=5, beta=None)
    array([0.5, 1.5])
    """
    counts = _class_counts(class_counts)
    for name, value in (("epoch", epoch), ("start_epoch", start_epoch)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    if beta is not None:
        if isinstance(beta, bool) or not isinstance(beta, numbers.Real):
            raise TypeError(f"beta must be a real number in [0, 1) or None, got {type(beta).__name__}")
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"beta must be in [0, 1), got {beta}")
    if epoch < start_epoch:
        return np.ones_like(counts)
    if beta is None:
        inverse = 1.0 / counts
    elif beta == 0.0:
        inverse = np.ones_like(counts)
    else:
        inverse = np.expm1(np.log(beta)) / np.expm1(counts * np.log(beta))  # (1 - beta) / (1 - beta^n)
    return counts.size * inverse / inverse.sum()


__all__ = ["ldam_loss", "ldam_margins", "drw_class_weights"]
