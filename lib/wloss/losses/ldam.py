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


def _positive_scalar(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be finite and > 0, got {value}")
    return value


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
    max_margin = _positive_scalar(max_margin, "max_margin")
    inverse_fourth_root = counts ** -0.25
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
    targets : array-like of int, shape (N,), in [0, K)
    class_counts : array-like, shape (K,)
        Training examples per class (> 0): the margins come from them.
    max_margin : float, > 0
    scale : float, > 0
    class_weight : array-like or tensor, shape (K,), optional
        Non-negative class weights, e.g. ``drw_class_weights`` once deferred re-weighting starts.
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
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    z = _check_logits(logits)
    y = _class_targets(targets, z.shape).to(z.device)
    counts = _class_counts(class_counts)
    if counts.size != z.shape[1]:
        raise ValueError(f"class_counts must have one count per class, shape ({z.shape[1]},), got ({counts.size},)")
    scale = _positive_scalar(scale, "scale")
    margins = torch.as_tensor(ldam_margins(counts, max_margin), dtype=z.dtype, device=z.device)
    shifted = z - F.one_hot(y, z.shape[1]).to(z.dtype) * margins[y, None]
    per_example = -F.log_softmax(scale * shifted, dim=1).gather(1, y[:, None])[:, 0]
    if class_weight is not None:
        per_example = per_example * _class_weight(class_weight, z).index_select(0, y)
    if reduction == "mean":
        return per_example.mean()
    if reduction == "sum":
        return per_example.sum()
    return per_example


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


def _check_logits(logits) -> torch.Tensor:
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"logits must be a torch.Tensor, got {type(logits).__name__}")
    if not logits.is_floating_point():
        raise TypeError(f"logits must have a floating dtype, got {logits.dtype}")
    if logits.dim() != 2 or logits.shape[0] == 0 or logits.shape[1] < 2:
        raise ValueError(f"logits must have shape (N, K) with N >= 1 and K >= 2, got {tuple(logits.shape)}")
    return logits


def _class_targets(targets, shape) -> torch.Tensor:
    """``targets`` as int64 labels (N,) in [0, shape[1])."""
    raw = targets.detach().cpu().numpy() if isinstance(targets, torch.Tensor) else np.asarray(targets)
    if raw.dtype == bool or not np.issubdtype(raw.dtype, np.integer):
        raise TypeError(f"targets must hold integer class labels, got dtype {raw.dtype}")
    if raw.shape != (shape[0],):
        raise ValueError(f"targets must have shape ({shape[0]},) like logits' first dimension, got {raw.shape}")
    if raw.min() < 0 or raw.max() >= shape[1]:
        raise ValueError(f"targets must lie in [0, {shape[1]}), got values from {raw.min()} to {raw.max()}")
    return torch.as_tensor(raw.astype(np.int64))


def _class_weight(class_weight, logits: torch.Tensor) -> torch.Tensor:
    """``class_weight`` as a finite, non-negative tensor (K,) in the logits' dtype and device."""
    if isinstance(class_weight, torch.Tensor):
        class_weight = class_weight.detach().cpu().numpy()
    try:
        weight = np.asarray(class_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"class_weight must be an array of numbers, got {type(class_weight).__name__}") from None
    if weight.shape != (logits.shape[1],):
        raise ValueError(f"class_weight must have shape ({logits.shape[1]},), got {weight.shape}")
    if not np.all(np.isfinite(weight)) or np.any(weight < 0):
        raise ValueError("class_weight must be finite and >= 0")
    return torch.as_tensor(weight, dtype=logits.dtype, device=logits.device)


__all__ = ["ldam_loss", "ldam_margins", "drw_class_weights"]
