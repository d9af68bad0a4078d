"""Multiclass losses from logits (N, K): weighted CE, RWWCE (eq. 6), per-example RWWCE, expected cost,
focal loss and logit-adjusted CE.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from wloss.losses._inputs import (check_logits, check_reduction, class_targets, nonnegative_scalar, reduce,
                                  weight_tensor)
from wloss.losses._stable import one_minus_softmax_parts
from wloss.losses.binary import sigmoid_focal_loss


def weighted_cross_entropy(logits, targets, class_weight=None, sample_weight=None, reduction="mean"):
    """Cross-entropy with a weight per class and/or per example.

    loss_i = -s_i * w[y_i] * log softmax(z_i)[y_i]

    Parameters
    ----------
    logits : Tensor (N, K).  targets : int (N,) in [0, K).
    class_weight : array-like (K,) >= 0, optional.  sample_weight : array-like (N,) >= 0, optional.
    reduction : "mean" (sum / N), "sum" or "none" (shape (N,)).

    Notes
    -----
    "mean" divides by N, as the seeds' 1/M does. ``F.cross_entropy(..., weight=w)`` divides by sum_i w[y_i]
    instead, so the two means differ by the factor N / sum_i w[y_i]; the sums are equal.

    Examples
    --------
    >>> z, y = torch.zeros(2, 3), torch.tensor([0, 2])
    >>> round(weighted_cross_entropy(z, y, class_weight=[1.0, 1.0, 3.0]).item(), 4)  # (1 + 3) log 3 / 2
    2.1972
    """
    check_reduction(reduction)
    check_logits(logits, ndim=2)
    y = class_targets(targets, logits)
    per_example = F.cross_entropy(logits, y, reduction="none")
    if class_weight is not None:
        per_example = per_example * weight_tensor(class_weight, "class_weight", logits, shape=(logits.shape[1],))[y]
    if sample_weight is not None:
        per_example = per_example * weight_tensor(sample_weight, "sample_weight", logits, shape=(logits.shape[0],))
    return reduce(per_example, reduction)


_BLOCK_ELEMENTS = 1 << 18


def _rwwce_loss_and_grad(logits, y, fn_weight, fp_weight):
    """Per-example RWWCE loss (n,) and its gradient wrt the logits (n, K), see ``_RWWCEFunction``."""
    log_probs = torch.log_softmax(logits, dim=1)
    log_not, top, second, rest_log = one_minus_softmax_parts(logits, log_probs)
    log_p_true = log_probs.gather(1, y[:, None])[:, 0]
    loss = -fn_weight * log_p_true - (fp_weight * log_not).sum(1)

    probs = log_probs.exp()
    odds_rest = fp_weight * (log_probs - log_not).scatter(1, top, float("-inf")).exp()  # b_k r_k, top column 0
    others = odds_rest.sum(1, keepdim=True) - odds_rest  # sum over k != j of b_k r_k, top left out
    # p_j r_t = exp(z_j - logsumexp_{k != t} z_k + log p_t), with the sum relative to m2; 0 in the top column
    log_p_times_top_odds = (logits - second) - rest_log + log_probs.gather(1, top)
    top_term = fp_weight.gather(1, top) * log_p_times_top_odds.scatter(1, top, float("-inf")).exp()
    grad = fn_weight[:, None] * probs + fp_weight * probs - probs * others - top_term
    grad.scatter_add_(1, y[:, None], -fn_weight[:, None])
    return loss, grad


class _RWWCEFunction(torch.autograd.Function):
    """Per-example RWWCE with its analytic gradient (memory O(N K)).

    loss_i = -a_i log p_iy - sum_k b_ik log(1 - p_ik),  b_iy = 0.
    With odds r_k = p_k / (1 - p_k):
        d loss_i / d z_ij = a_i (p_j - [j = y]) + b_ij p_j - p_j sum_{k != j} b_ik r_k.
    The odds of the row's top class t can overflow, so its term p_j b_t r_t is taken in log space
    (it is <= b_t for j != t), and the top column's own sum leaves r_t out.
    """

    @staticmethod
    def forward(ctx, logits, y, fn_weight, fp_weight):
        # rows in blocks that fit in cache: the ~20 elementwise passes then stay out of main memory
        loss = logits.new_empty(logits.shape[0])
        grad = torch.empty_like(logits)
        rows = max(1, _BLOCK_ELEMENTS // logits.shape[1])
        for start in range(0, logits.shape[0], rows):
            block = slice(start, start + rows)
            loss[block], grad[block] = _rwwce_loss_and_grad(logits[block], y[block], fn_weight[block], fp_weight[block])
        ctx.save_for_backward(grad)
        return loss

    @staticmethod
    def backward(ctx, grad_loss):
        (grad,) = ctx.saved_tensors
        return grad * grad_loss[:, None], None, None, None


def rwwce_per_example(logits, targets, fn_weight, fp_weight, reduction="mean"):
    """RWWCE with a weight per example and class, seed 000's w_ij.

    loss_i = -fn_i * log p_i,y_i - sum_{k != y_i} fp_ik * log(1 - p_ik),   p_i = softmax(z_i)

    log(1 - p_ik) is computed stably from the logits (see ``wloss.losses._stable``); the gradient is
    analytic, so memory stays O(N K).

    Parameters
    ----------
    logits : Tensor (N, K).  targets : int (N,) in [0, K).
    fn_weight : array-like (N,) >= 0, weight of example i's own class (its "false negative").
    fp_weight : array-like (N, K) >= 0, weight of predicting class k for example i; column targets[i] is ignored.
    reduction : "mean" (sum / N), "sum" or "none".

    Examples
    --------
    >>> z, y = torch.zeros(1, 2), torch.tensor([0])
    >>> round(rwwce_per_example(z, y, fn_weight=[1.0], fp_weight=[[5.0, 2.0]]).item(), 4)  # (1 + 2) log 2
    2.0794
    """
    check_reduction(reduction)
    check_logits(logits, ndim=2)
    y = class_targets(targets, logits)
    n, k = logits.shape
    fn = weight_tensor(fn_weight, "fn_weight", logits, shape=(n,))
    fp = weight_tensor(fp_weight, "fp_weight", logits, shape=(n, k)).scatter(1, y[:, None], 0.0)
    return reduce(_RWWCEFunction.apply(logits, y, fn, fp), reduction)


def rwwce(logits, targets, fn_cost, fp_cost, reduction="mean"):
    """Multiclass Real-World-Weight Cross-Entropy, eq. (6) of Ho & Wookey.

    J = -(1/M) sum_m [ fn[y_m] log p_m,y_m + sum_{k' != y_m} fp[y_m, k'] log(1 - p_m,k') ]

    It is ``rwwce_per_example`` with fn_weight = fn_cost[y] and fp_weight = fp_cost[y].

    Parameters
    ----------
    logits : Tensor (N, K).  targets : int (N,) in [0, K).
    fn_cost : array-like (K,) >= 0, cost of missing true class k.
    fp_cost : array-like (K, K) >= 0, [true k, predicted k'] cost; the diagonal is ignored.
    reduction : "mean" (sum / N, the paper's 1/M; the companion code's K.mean also divides by K), "sum", "none".

    Examples
    --------
    >>> z, y = torch.zeros(1, 2), torch.tensor([1])
    >>> round(rwwce(z, y, fn_cost=[1.0, 1.0], fp_cost=[[0.0, 0.0], [19.0, 0.0]]).item(), 4)  # 20 log 2
    13.8629
    """
    check_reduction(reduction)
    check_logits(logits, ndim=2)
    y = class_targets(targets, logits)
    k = logits.shape[1]
    fn = weight_tensor(fn_cost, "fn_cost", logits, shape=(k,))
    fp = weight_tensor(fp_cost, "fp_cost", logits, shape=(k, k)).fill_diagonal_(0.0)
    return reduce(_RWWCEFunction.apply(logits, y, fn[y], fp[y]), reduction)


def expected_cost_loss(logits, targets, cost, reduction="mean"):
    """Expected misclassification cost under the softmax.

    loss_i = sum_j C[y_i, j] * p_ij,   p_i = softmax(z_i)

    Parameters
    ----------
    logits : Tensor (N, K).  targets : int (N,).  cost : array-like (K, K) >= 0, [true, predicted].
    reduction : "mean" (sum / N), "sum" or "none".

    Examples
    --------
    >>> z, y = torch.zeros(1, 2), torch.tensor([0])
    >>> expected_cost_loss(z, y, cost=[[0.0, 4.0], [1.0, 0.0]]).item()  # 0.5 * 4
    2.0
    """
    check_reduction(reduction)
    check_logits(logits, ndim=2)
    y = class_targets(targets, logits)
    k = logits.shape[1]
    cost = weight_tensor(cost, "cost", logits, shape=(k, k))
    return reduce((cost[y] * torch.softmax(logits, dim=1)).sum(1), reduction)


def focal_loss(logits, targets, gamma=2.0, alpha=None, reduction="mean"):
    """Focal loss (Lin et al. 2017), multiclass for logits (N, K), sigmoid form for logits (N,).

    Multiclass: loss_i = -alpha[y_i] * (1 - p_iy)^gamma * log p_iy, alpha a (K,) weight (1 when None).
    Binary (logits (N,)): torchvision's sigmoid_focal_loss, alpha a scalar in [0, 1] for positives and
    1 - alpha for negatives (no weighting when None); see ``sigmoid_focal_loss``.
    (1 - p_y)^gamma = exp(gamma * log(1 - p_y)) with log(1 - p_y) from the logits, so it is stable.
    gamma = 0 gives (weighted) cross-entropy.

    Examples
    --------
    >>> z, y = torch.zeros(1, 2), torch.tensor([0])
    >>> round(focal_loss(z, y, gamma=2.0).item(), 4)  # 0.25 * log 2
    0.1733
    """
    if isinstance(logits, torch.Tensor) and logits.dim() == 1:
        return sigmoid_focal_loss(logits, targets, gamma=gamma, alpha=alpha, reduction=reduction)
    check_reduction(reduction)
    check_logits(logits, ndim=2)
    y = class_targets(targets, logits)
    gamma = nonnegative_scalar(gamma, "gamma")
    log_probs = torch.log_softmax(logits, dim=1)
    log_p_true = log_probs.gather(1, y[:, None])[:, 0]
    others_only = logits.scatter(1, y[:, None], float("-inf"))
    log_not_true = torch.logsumexp(others_only, dim=1) - torch.logsumexp(logits, dim=1)
    per_example = -torch.exp(gamma * log_not_true) * log_p_true
    if alpha is not None:
        per_example = per_example * weight_tensor(alpha, "alpha", logits, shape=(logits.shape[1],))[y]
    return reduce(per_example, reduction)


def logit_adjusted_cross_entropy(logits, targets, class_prior, tau=1.0, reduction="mean"):
    """Logit-adjusted cross-entropy (Menon et al. 2021).

    loss_i = -log softmax(z_i + tau * log pi)[y_i],  pi the (K,) class prior, every pi_k > 0.

    Examples
    --------
    >>> z, y = torch.zeros(1, 2), torch.tensor([0])
    >>> round(logit_adjusted_cross_entropy(z, y, class_prior=[0.5, 0.5]).item(), 4)  # log 2
    0.6931
    """
    check_reduction(reduction)
    check_logits(logits, ndim=2)
    y = class_targets(targets, logits)
    tau = nonnegative_scalar(tau, "tau")
    prior = weight_tensor(class_prior, "class_prior", logits, shape=(logits.shape[1],))
    if torch.any(prior == 0):
        raise ValueError("class_prior must be > 0 for every class (its log is added to the logits), got a 0")
    # shift by the row max first, so that adding log prior rounds an O(1) number even when |z| ~ 1e4
    adjusted = (logits - logits.amax(dim=1, keepdim=True)) + tau * torch.log(prior)
    return reduce(F.cross_entropy(adjusted, y, reduction="none"), reduction)
