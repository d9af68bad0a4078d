"""CORN: an ordinal head with K - 1 conditional logits (Shi, Cao & Raschka 2023).

Shi, X., Cao, W., & Raschka, S. (2023). Deep neural networks for rank-consistent ordinal regression
based on conditional probabilities. *Pattern Analysis and Applications* 26, 941-955.

A label y in {0, ..., K-1} becomes K - 1 binary tasks, as in CORAL, but each task is conditional: the
k-th logit z_k estimates, through sigma(z_k), the conditional probability P(y > k | y > k - 1), and task
k is trained only on the examples with y > k - 1 (y >= k), its conditional training subset; task 0 sees
every example. The unconditional probabilities are the products

    P(y > k) = prod_{j=0}^{k} sigma(z_j),

non-increasing in k whatever the logits: rank consistency comes from the chain rule of probability, not
from a shared score, so the logits can come from any layer with K - 1 outputs (``nn.Linear(d, K - 1)``).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from wloss.losses import _fusable
from wloss.losses._inputs import check_reduction, class_targets, class_weight_of_targets, reduce
from wloss.losses.coral import _check_cumulative_logits


def _log_above(z: torch.Tensor) -> torch.Tensor:
    """log P(y > k) = sum_{j<=k} log sigma(z_j), shape (N, K - 1): non-increasing along each row."""
    return torch.cumsum(F.logsigmoid(z), dim=1)


def _corn_formula(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-example CORN loss (N,) as written in ``corn_loss``, for autograd."""
    tasks = torch.arange(z.shape[1], device=z.device)
    selected = y[:, None] >= tasks[None, :]  # y > k - 1: example i is in task k's training subset
    above = (y[:, None] > tasks[None, :]).to(z.dtype)  # the binary target 1[y > k]
    # the logits outside the subsets never enter: a NaN there reaches neither the loss nor the gradient
    z_in = torch.where(selected, z, 0.0)
    # log(1 - sigma(z)) = log sigma(z) - z
    log_above = F.logsigmoid(z_in)
    bce = -(above * log_above + (1 - above) * (log_above - z_in))
    return (bce * selected.to(z.dtype)).sum(dim=1)


def _fused_corn(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The terms (N, K - 1) of ``_corn_formula`` in fusable form (see ``wloss.losses._fusable``), used while
    compiling: the subsets and the targets as comparisons with the task index, each entry's BCE with one softplus
    (``bce_per_entry``), 0 outside the subsets."""
    tasks, label = _fusable.class_index(z), y[:, None].to(torch.int32)
    selected = tasks <= label
    bce = _fusable.bce_per_entry(torch.where(selected, z, 0.0), (tasks < label).to(z.dtype), 1.0, 1.0)
    return bce * selected.to(z.dtype)


def corn_loss(logits, targets, class_weight=None, reduction="mean"):
    """CORN loss: binary cross-entropies of the conditional tasks, each on its training subset.

    Task k (k = 0, ..., K-2) asks "is y > k?" of the examples with y > k - 1 only. Example i takes part in
    the tasks k = 0, ..., min(y_i, K-2), with binary target 1[y_i > k], so that

        loss_i = w[y_i] * sum_{k=0}^{min(y_i, K-2)} BCE(z_ik, 1[y_i > k])
               = w[y_i] * ( sum_{k < y_i} -log sigma(z_ik)  -  1[y_i < K-1] log(1 - sigma(z_{i,y_i})) ),

    computed with log-sigmoids, so it is finite for any finite logit (|z| up to 1e4 in float32). The
    logits of the tasks an example does not take part in (k > y_i) are not read: they do not change its
    loss, even when NaN or infinite, and get a zero gradient.

    Parameters
    ----------
    logits : torch.Tensor, shape (N, K - 1), floating
        Conditional logits: sigma(z_ik) estimates P(y_i > k | y_i > k - 1).
    targets : labels, shape (N,), in [0, K)
    class_weight : array-like or tensor, shape (K,), optional
        Non-negative weight of each class, applied per example as w[y_i]; a tensor that requires grad
        gets its gradient. (The authors' loss has no weights.)
    reduction : {"mean", "sum", "none"}
        Per example, as every ``wloss`` loss: "none" returns loss_i, shape (N,); "sum" returns
        sum_i loss_i; "mean" returns sum_i loss_i / N.

    Returns
    -------
    torch.Tensor: scalar, or (N,) for reduction="none"

    Notes
    -----
    The authors' ``corn_loss`` (coral-pytorch) normalises differently: it sums the binary
    cross-entropies over all tasks and all selected examples and divides by the number of selected
    (example, task) pairs, sum_i min(y_i + 1, K - 1), not by N. With z, y the logits and the labels
    (a tensor), without class weights, their value is

        corn_loss(z, y, reduction="sum") / (y + 1).clamp(max=z.shape[1]).sum()

    Each example of class y brings min(y + 1, K - 1) terms, so their divisor depends on the classes the
    batch happens to hold, while "mean" here divides by N; the minimiser on a fixed data set is the same,
    the scale (and so the learning rate that suits it) is not: "mean" is larger by the average number
    of tasks per example, between 1 and K - 1. For an empty batch the conversion is 0 / 0 = NaN, as "mean".

    Examples
    --------
    >>> round(corn_loss(torch.zeros(1, 3), torch.tensor([1])).item(), 4)  # tasks 0 and 1 only: 2 log 2
    1.3863
    """
    check_reduction(reduction)
    z = _check_cumulative_logits(logits)
    num_classes = z.shape[1] + 1
    y = class_targets(targets, z, num_classes=num_classes)
    weight = class_weight_of_targets(class_weight, z, y, num_classes)
    if torch.compiler.is_compiling():
        return _fusable.reduce_row_sums(_fused_corn(z, y), reduction, weight).to(logits.dtype)
    per_example = _corn_formula(z, y)
    if weight is not None:
        per_example = per_example * weight
    return reduce(per_example, reduction, logits.dtype)


def corn_probabilities(logits) -> torch.Tensor:
    """Class probabilities (N, K) from conditional logits (N, K - 1).

    With s_k = P(y > k) = prod_{j=0}^{k} sigma(z_j) (computed as exp of a sum of log-sigmoids, and
    non-increasing in k for any logits, so no running minimum is needed, unlike CORAL):

        P(y = 0) = 1 - s_0,   P(y = k) = s_{k-1} - s_k,   P(y = K-1) = s_{K-2}.

    Every row is non-negative and sums to 1; the cumulative distribution is P(y <= k) = 1 - s_k.

    Examples
    --------
    >>> corn_probabilities(torch.tensor([[0.0, 0.0]]))  # s = (1/2, 1/4)
    tensor([[0.5000, 0.2500, 0.2500]])
    """
    z = _check_cumulative_logits(logits)
    above = torch.exp(_log_above(z))
    ones = torch.ones_like(above[:, :1])
    zeros = torch.zeros_like(above[:, :1])
    return torch.cat([ones, above], dim=1) - torch.cat([above, zeros], dim=1)


def corn_predict(logits) -> torch.Tensor:
    """CORN's rank prediction: sum_k 1[P(y > k) > 1/2], P(y > k) = prod_{j<=k} sigma(z_j); int64 (N,).

    As P(y > k) is non-increasing, this is the first k with P(y > k) <= 1/2 (K - 1 if there is none).
    It is not CORAL's rule on the same logits: the conditional probabilities multiply, so three tasks
    at sigma(z) = 0.73 each give P(y > 2) = 0.39 and the rank 2, not 3.

    Examples
    --------
    >>> corn_predict(torch.tensor([[1.0, 1.0, 1.0], [3.0, 3.0, 3.0]]))
    tensor([2, 3])
    """
    z = _check_cumulative_logits(logits)
    return (torch.exp(_log_above(z)) > 0.5).sum(dim=1)


__all__ = ["corn_loss", "corn_probabilities", "corn_predict"]
