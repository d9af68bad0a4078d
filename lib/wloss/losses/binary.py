"""Binary losses from one logit per example: weighted BCE, RWWCE (eq. 5), sigmoid focal loss.

With p = sigmoid(z), the stable forms used throughout are
``-log p = softplus(-z)`` and ``-log(1 - p) = softplus(z)``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from wloss.losses import _fusable
from wloss.losses._inputs import (binary_targets, check_logits, check_reduction, nonnegative_scalar, reduce,
                                  require, weight_tensor)


def weighted_bce_with_logits(logits, targets, pos_weight=1.0, neg_weight=1.0, sample_weight=None,
                             reduction="mean"):
    """Weighted binary cross-entropy from logits.

    loss_i = s_i * [ w+ * y_i * softplus(-z_i) + w- * (1 - y_i) * softplus(z_i) ]
           = -s_i * [ w+ * y_i * log p_i + w- * (1 - y_i) * log(1 - p_i) ],  p_i = sigmoid(z_i).

    Its gradient wrt z_i is s_i * w+ * (p_i - 1) when y_i = 1 and s_i * w- * p_i when y_i = 0.

    Parameters
    ----------
    logits : Tensor (N,), float.
    targets : (N,) of 0/1 (float, int or bool).
    pos_weight, neg_weight : float >= 0 (or a 0-d tensor), weights w+ of positives and w- of negatives.
    sample_weight : array-like (N,) >= 0, optional, one weight s_i per example.
    reduction : "mean" (sum / N), "sum" or "none" (shape (N,)).

    Notes
    -----
    "mean" divides by N whatever the weights, as the lecture's 1/M does. PyTorch's ``weight=`` in
    ``F.cross_entropy`` divides by the sum of the targets' weights instead; ``F.binary_cross_entropy_with_logits``
    divides by N, so with ``pos_weight=w`` it equals this loss with ``pos_weight=w``.

    Examples
    --------
    >>> z, y = torch.tensor([2.0, -1.0]), torch.tensor([1.0, 0.0])
    >>> weighted_bce_with_logits(z, y, pos_weight=3.0).item() == (3 * F.softplus(-z[0]) + F.softplus(z[1])).item() / 2
    True
    """
    check_reduction(reduction)
    z = check_logits(logits, ndim=1)
    y = binary_targets(targets, z)
    w_pos = nonnegative_scalar(pos_weight, "pos_weight", z)
    w_neg = nonnegative_scalar(neg_weight, "neg_weight", z)
    if torch.compiler.is_compiling():  # the same loss, in the form Inductor fuses (wloss.losses._fusable)
        per_example = _fusable.bce_per_entry(z, y, w_pos, w_neg)
    else:
        per_example = w_pos * y * F.softplus(-z) + w_neg * (1 - y) * F.softplus(z)
    if sample_weight is not None:
        per_example = per_example * weight_tensor(sample_weight, "sample_weight", z, shape=(z.shape[0],))
    return reduce(per_example, reduction, logits.dtype)


def rwwce_binary(logits, targets, fn_cost, fp_cost, reduction="mean"):
    """Binary Real-World-Weight Cross-Entropy, eq. (5) of Ho & Wookey.

    J = -(1/M) sum_m [ c_fn * y_m * log p_m + c_fp * (1 - y_m) * log(1 - p_m) ],  p_m = sigmoid(z_m).

    It is ``weighted_bce_with_logits`` with pos_weight = c_fn and neg_weight = c_fp.

    Parameters
    ----------
    logits : Tensor (N,).  targets : (N,) of 0/1.
    fn_cost, fp_cost : float >= 0, not both zero: cost of a false negative / false positive.
    reduction : "mean" (sum / N, the paper's 1/M), "sum" or "none".

    Examples
    --------
    >>> z, y = torch.tensor([0.0, 0.0]), torch.tensor([1.0, 0.0])
    >>> round(rwwce_binary(z, y, fn_cost=100.0, fp_cost=5.0).item(), 4)  # (100 + 5) log 2 / 2
    36.3902
    """
    c_fn = nonnegative_scalar(fn_cost, "fn_cost")
    c_fp = nonnegative_scalar(fp_cost, "fp_cost")
    some_cost = (c_fn != 0) | (c_fp != 0)  # a bool, or a bool tensor when a cost is a 0-d tensor
    message = "fn_cost and fp_cost are both zero: at least one cost must be > 0"
    if isinstance(some_cost, torch.Tensor):
        require(some_cost, ValueError, message)
    elif not some_cost:
        raise ValueError(message)
    return weighted_bce_with_logits(logits, targets, pos_weight=c_fn, neg_weight=c_fp, reduction=reduction)


def sigmoid_focal_loss(logits, targets, gamma=2.0, alpha=None, reduction="mean"):
    """Sigmoid focal loss, the formula of ``torchvision.ops.sigmoid_focal_loss``.

    loss_i = a_i * (1 - p_t)^gamma * BCE(z_i, y_i),  p_t = p if y = 1 else 1 - p,
    a_i = alpha if y = 1 else 1 - alpha (a_i = 1 when alpha is None).

    (1 - p_t)^gamma is computed as exp(gamma * logsigmoid(+-z)) so it is stable for any logit.

    Examples
    --------
    >>> z, y = torch.tensor([0.0]), torch.tensor([1.0])
    >>> round(sigmoid_focal_loss(z, y, gamma=1.0).item(), 4)  # 0.5 * log 2
    0.3466
    """
    check_reduction(reduction)
    z = check_logits(logits, ndim=1)
    y = binary_targets(targets, z)
    gamma = nonnegative_scalar(gamma, "gamma", z)
    if alpha is not None:
        alpha = nonnegative_scalar(alpha, "alpha", z)
        if isinstance(alpha, torch.Tensor):
            require(alpha <= 1, ValueError, "alpha must be in [0, 1] for the sigmoid focal loss", alpha)
        elif alpha > 1:
            raise ValueError(f"alpha must be in [0, 1] for the sigmoid focal loss, got {alpha}")
    if torch.compiler.is_compiling():  # the same loss, in the form Inductor fuses (wloss.losses._fusable)
        return reduce(_fusable.sigmoid_focal_per_entry(z, y, gamma, alpha), reduction, logits.dtype)
    signed = z * (1 - 2 * y)  # 1 - p_t = sigmoid(signed)
    bce = F.softplus(signed)  # -log p_t
    per_example = torch.exp(gamma * F.logsigmoid(signed)) * bce
    if alpha is not None:
        per_example = per_example * (alpha * y + (1 - alpha) * (1 - y))
    return reduce(per_example, reduction, logits.dtype)
