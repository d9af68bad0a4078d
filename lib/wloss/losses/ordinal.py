"""Losses for ordered classes 0 < 1 < ... < K-1: RPS, expected-label L1, distance-penalised CE."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from wloss.losses._inputs import check_logits, check_reduction, class_targets, nonnegative_scalar, reduce

import numpy as np


def rps_loss(logits, targets, reduction="mean"):
    """Ranked probability score (seed 003), no 1/(K-1) factor.

    RPS_i = sum_{k=0}^{K-1} ( sum_{j<=k} p_ij - [k >= y_i] )^2,   p_i = softmax(z_i)

    computed in O(N K) with a cumulative sum.

    Examples
    --------
    >>> z, y = torch.zeros(1, 3), torch.tensor([0])
    >>> round(rps_loss(z, y).item(), 4)  # (1/3 - 1)^2 + (2/3 - 1)^2 + 0
    0.5556
    """
    check_reduction(reduction)
    check_logits(logits, ndim=2)
    y = class_targets(targets, logits)
    cdf = torch.softmax(logits, dim=1).cumsum(dim=1)
    steps = (torch.arange(logits.shape[1], device=logits.device)[None, :] >= y[:, None]).to(logits.dtype)
    return reduce((cdf - steps).square().sum(1), reduction)


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
    classes = torch.arange(logits.shape[1], device=logits.device)
    distance = (classes[None, :] - y[:, None]).abs().to(logits.dtype)
    log_probs = torch.log_softmax(logits, dim=1)
    cross_entropy = -log_probs.gather(1, y[:, None])[:, 0]
    return reduce(cross_entropy + alpha * (log_probs.exp() * distance).sum(1), reduction)


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
