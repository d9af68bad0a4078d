"""CORAL: an ordinal head with K - 1 cumulative logits (Cao, Mirjalili & Raschka 2020).

Cao, W., Mirjalili, V., & Raschka, S. (2020). Rank consistent ordinal regression for neural networks
with application to age estimation. *Pattern Recognition Letters* 140, 325-331.

A label y in {0, ..., K-1} becomes K - 1 binary tasks "is y > k?" (k = 0, ..., K-2). The network gives
one score g(x) and K - 1 biases b_k; the k-th logit is z_k = g(x) + b_k and sigma(z_k) estimates
P(y > k | x). Sharing g(x) makes the estimates rank consistent once the biases are ordered
(b_0 >= b_1 >= ...), which the paper shows the loss's minimiser satisfies.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from wloss.losses import _fusable
from wloss.losses._inputs import check_reduction, class_targets, class_weight_of_targets, compute_dtype, reduce


def _check_cumulative_logits(logits) -> torch.Tensor:
    """``logits`` (N, K - 1), K >= 2, N >= 0, a floating tensor; returned in ``compute_dtype``.

    Shared by CORAL (cumulative logits) and CORN (conditional logits): both have one logit per threshold.
    """
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"logits must be a torch.Tensor, got {type(logits).__name__}")
    if not logits.is_floating_point():
        raise TypeError(f"logits must have a floating dtype, got {logits.dtype}")
    if logits.dim() != 2 or logits.shape[1] < 1:
        raise ValueError("logits must have shape (N, K - 1): one logit per threshold k = 0, ..., K - 2, K >= 2; "
                         f"got {tuple(logits.shape)}")
    return logits.to(compute_dtype(logits.dtype))


def coral_levels(targets, num_classes: int) -> torch.Tensor:
    """The extended binary labels 1[y > k] for k = 0, ..., K-2, shape (N, K - 1), float.

    Examples
    --------
    >>> coral_levels(torch.tensor([0, 2]), num_classes=4)
    tensor([[0., 0., 0.],
            [1., 1., 0.]])
    """
    y = torch.as_tensor(targets)
    return (y[:, None] > torch.arange(num_classes - 1, device=y.device)[None, :]).float()


def coral_loss(logits, targets, class_weight=None, reduction="mean"):
    """CORAL loss: the sum of K - 1 binary cross-entropies on "is y > k?".

        loss_i = w[y_i] * sum_{k=0}^{K-2} BCE(z_ik, 1[y_i > k])
               = -w[y_i] * sum_k ( 1[y_i > k] log sigma(z_ik) + 1[y_i <= k] log(1 - sigma(z_ik)) ),

    computed with log-sigmoids, so it is finite for any finite logit.

    Parameters
    ----------
    logits : torch.Tensor, shape (N, K - 1), floating
        Cumulative logits: sigma(z_ik) estimates P(y_i > k).
    targets : labels, shape (N,), in [0, K)
    class_weight : array-like or tensor, shape (K,), optional
        Non-negative weight of each class, applied per example as w[y_i]; a tensor that requires grad
        gets its gradient.
    reduction : {"mean", "sum", "none"}
        "mean" divides the (weighted) sum by N.

    Returns
    -------
    torch.Tensor: scalar, or (N,) for reduction="none"

    Examples
    --------
    >>> round(coral_loss(torch.zeros(1, 3), torch.tensor([1])).item(), 4)  # 3 log 2
    2.0794
    """
    check_reduction(reduction)
    z = _check_cumulative_logits(logits)
    num_classes = z.shape[1] + 1
    y = class_targets(targets, z, num_classes=num_classes)
    weight = class_weight_of_targets(class_weight, z, y, num_classes)
    if torch.compiler.is_compiling():  # the same loss, in the form Inductor fuses (wloss.losses._fusable)
        levels = (y.to(torch.int32)[:, None] > _fusable.class_index(z)).to(z.dtype)  # compared in int32, as in CORN
        return _fusable.reduce_row_sums(_fusable.bce_per_entry(z, levels, 1.0, 1.0), reduction, weight).to(logits.dtype)
    levels = coral_levels(y, num_classes).to(z.dtype)
    # log(1 - sigma(z)) = log sigma(z) - z
    log_above = F.logsigmoid(z)
    per_example = -(levels * log_above + (1 - levels) * (log_above - z)).sum(dim=1)
    if weight is not None:
        per_example = per_example * weight
    return reduce(per_example, reduction, logits.dtype)


def coral_probabilities(logits) -> torch.Tensor:
    """Class probabilities (N, K) from cumulative logits (N, K - 1).

    With s_k = sigma(z_k) = P(y > k), made non-increasing in k by a running minimum (it already is when
    the biases are ordered, as CORAL's minimiser guarantees):

        P(y = 0) = 1 - s_0,   P(y = k) = s_{k-1} - s_k,   P(y = K-1) = s_{K-2}.

    Every row is non-negative and sums to 1; the cumulative distribution is P(y <= k) = 1 - s_k.

    Examples
    --------
    >>> coral_probabilities(torch.tensor([[0.0]]))
    tensor([[0.5000, 0.5000]])
    """
    z = _check_cumulative_logits(logits)
    above = torch.cummin(torch.sigmoid(z), dim=1).values
    ones = torch.ones_like(above[:, :1])
    zeros = torch.zeros_like(above[:, :1])
    return torch.cat([ones, above], dim=1) - torch.cat([above, zeros], dim=1)


def coral_predict(logits) -> torch.Tensor:
    """CORAL's rank prediction: the number of thresholds passed, sum_k 1[sigma(z_k) > 1/2], int64 (N,).

    Examples
    --------
    >>> coral_predict(torch.tensor([[3.0, 1.0, -2.0]]))
    tensor([2])
    """
    z = _check_cumulative_logits(logits)
    return (z > 0).sum(dim=1)


class CoralLayer(nn.Module):
    """The CORAL output layer: one shared score g(x) = w.x and K - 1 biases, logits g(x) + b_k.

    Parameters
    ----------
    in_features : int
        Size of the features it reads.
    num_classes : int
        K >= 2; the layer returns (N, K - 1) cumulative logits for ``coral_loss``.
    """

    def __init__(self, in_features: int, num_classes: int):
        super().__init__()
        if int(num_classes) < 2:
            raise ValueError(f"num_classes must be >= 2, got {num_classes}")
        self.score = nn.Linear(in_features, 1, bias=False)
        self.bias = nn.Parameter(torch.zeros(int(num_classes) - 1))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.score(features) + self.bias


__all__ = ["coral_loss", "coral_probabilities", "coral_predict", "coral_levels", "CoralLayer"]
