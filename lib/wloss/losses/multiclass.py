"""Multiclass losses from logits (N, K): weighted CE, RWWCE (eq. 6), per-example RWWCE, expected cost
(one cost matrix, or one per example), focal loss and logit-adjusted CE.

RWWCE and focal loss keep row-block kernels with an analytic gradient (``_rwwce_kernel``,
``_focal_kernel``): measured, plain autograd of their stable formulas costs two to three times more.
Everything else is plain autograd on a readable formula.
"""
from __future__ import annotations

import torch

from wloss.losses._inputs import (check_logits, check_reduction, class_targets, class_weight_of_targets,
                                  nonnegative_scalar, reduce, weight_tensor)
from wloss.losses._blockwise import (_FUSED_SOFTMAX_MIN_CLASSES, blockwise_loss, exp_minus_row_max, row_sum,
                                      scaled_softmax, zero_at)
from wloss.losses._stable import log_one_minus_softmax, one_minus_softmax_parts
from wloss.losses import _fusable
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
    "mean" divides by N, as the 1/M of the RWWCE paper's equations does. ``F.cross_entropy(..., weight=w)`` divides by sum_i w[y_i]
    instead, so the two means differ by the factor N / sum_i w[y_i]; the sums are equal.

    Examples
    --------
    >>> z, y = torch.zeros(2, 3), torch.tensor([0, 2])
    >>> round(weighted_cross_entropy(z, y, class_weight=[1.0, 1.0, 3.0]).item(), 4)  # (1 + 3) log 3 / 2
    2.1972
    """
    check_reduction(reduction)
    z = check_logits(logits, ndim=2)
    y = class_targets(targets, z)
    per_example = _fusable.cross_entropy_per_example(z, y)
    weight = class_weight_of_targets(class_weight, z, y)
    if weight is not None:
        per_example = per_example * weight
    if sample_weight is not None:
        per_example = per_example * weight_tensor(sample_weight, "sample_weight", z, shape=(z.shape[0],))
    return reduce(per_example, reduction, logits.dtype)


def _rwwce_exact_loss_and_grad(logits, y, fn_weight, fp_weight):
    """Per-example RWWCE loss (n,) and gradient (n, K), entirely in log space: exact for any finite logits."""
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


def _rwwce_formula(logits, y, fn_weight, fp_rows):
    """Per-example RWWCE (N,) as tensor operations, for autograd: -a log p_y - sum_k b_k log(1 - p_k).

    ``fp_rows`` (N, K) holds b with b_y = 0; log(1 - p) comes from ``log_one_minus_softmax``, exact for any
    finite logits. Differentiable in the logits and the weights, to any order.
    """
    log_probs = torch.log_softmax(logits, dim=1)
    log_not = log_one_minus_softmax(logits, log_probs)
    return -fn_weight * log_probs.gather(1, y[:, None])[:, 0] - (fp_rows * log_not).sum(1)


# The fast path divides by R, the mass of the classes other than the dominant one, and takes the
# log of p_y; rows where either is below this fraction of S go to the exact log-space path. 2^-100
# keeps R, e_y and 1 / R normal numbers in float32 (down to 2^-126, up to 2^128), so a confident
# model (logit gaps up to about 69) stays on the fast path.
_SMALLEST_MASS = 2.0 ** -100


def _rwwce_block(logits, y, fn_weight, fp_rows, grad, work):
    """Per-example RWWCE loss (n,) of one row block; writes its gradient (n, K) into ``grad`` unless it is None.

    With e = S p from ``scaled_softmax``, t the class with p_t > 1/2 where there is one,
    R = sum_{k != t} e_k, D_k = S - e_k (D_t = R, summed directly, so that 1 - p_t keeps its digits)
    and b = fp_rows, b_y = 0:
        log p_y = log e_y - log S,   log(1 - p_k) = log1p(-e_k / S),   log(1 - p_t) = log R - log S,
        grad_j = e_j (alpha + b_j / D_j) - a [j = y]  for j != t,   alpha = (a - T) / S - b_t e_t / (S R),
        grad_t = e_t ((a - T) / S + b_t / S) - a [t = y],          T = sum_{k != t} b_k e_k / D_k,
    the gradient of ``_rwwce_kernel`` rewritten with 1 + r_j = S / D_j. ``fp_rows`` is a (n, K)
    scratch block holding b, overwritten here. Returns the loss and the rows whose R or e_y is below
    ``_SMALLEST_MASS`` S, for ``_rwwce_exact_loss_and_grad`` to recompute.
    """
    label = y[:, None]
    e, scratch = work
    total = scaled_softmax(logits, e)
    top = _dominant_class(e, scratch)
    e_label, e_top = e.gather(1, label), e.gather(1, top)
    zero_at(e, top)
    rest = row_sum(e)
    log_total = total.log()

    log_not = torch.mul(e, -1.0 / total, out=scratch).log1p_().scatter_(1, top, rest.log() - log_total)
    log_p_true = e_label.log() - log_total
    loss = -fn_weight * log_p_true[:, 0] - row_sum(log_not.mul_(fp_rows))[:, 0]
    smallest = _SMALLEST_MASS * total
    unsafe = (rest < smallest) | (e_label < smallest)
    if grad is None:
        return loss, unsafe[:, 0].nonzero()[:, 0]

    ratio = fp_rows.div_(torch.sub(total, e, out=scratch))  # b_k / D_k; D_t = S as e_t was zeroed
    ratio_top = ratio.gather(1, top)  # b_t / S
    top_odds_term = ratio_top * e_top / rest  # b_t e_t / (S R)
    ratio_times_e = torch.mul(ratio, e, out=scratch)
    common = (fn_weight[:, None] - row_sum(ratio_times_e)) / total
    torch.addcmul(ratio_times_e, e, common - top_odds_term, out=grad)  # e_j (alpha + b_j / D_j)
    grad.scatter_(1, top, e_top * (common + ratio_top))  # not from alpha: adding b_t e_t / (S R) back cancels
    grad.scatter_add_(1, label, -fn_weight[:, None])

    unsafe |= ~torch.isfinite(top_odds_term)
    return loss, unsafe[:, 0].nonzero()[:, 0]


def _dominant_class(e: torch.Tensor, scratch: torch.Tensor) -> torch.Tensor:
    """Index (n, 1) of the class with p = e / S > 1/2 in each row, without an argmax.

    The marks below are the one-hot of that class, so their product with 0..K-1 is its index; an argmax
    costs several times more than these passes. Where ``scaled_softmax`` gave e = p (S = 1), the mark is
    round(p); where it gave e = exp(z - m), it is floor(e), 1 exactly at the row max, which is the
    dominant class wherever there is one. Rows without such a class get some index in [0, K), which
    is all ``_rwwce_block`` needs there: no class then holds more than half the mass.
    """
    classes = torch.arange(e.shape[1], dtype=e.dtype, device=e.device)
    fused = e.shape[1] >= _FUSED_SOFTMAX_MIN_CLASSES
    index = torch.mv(torch.round(e, out=scratch) if fused else torch.floor(e, out=scratch), classes)
    # a NaN row (a NaN or +inf logit) would give the index NaN: any class will do, its loss is NaN
    return index.nan_to_num_(0.0).clamp_(0, e.shape[1] - 1).long()[:, None]


def _rwwce_kernel(logits, y, fn_weight, fp_weight, by_class, scale):
    """Row-block kernel (see ``wloss.losses._blockwise``) of scale * per-example RWWCE.

    loss_i = -a_i log p_iy - sum_k b_ik log(1 - p_ik),  b_iy = 0, with a = ``fn_weight`` (N,) and b
    either ``fp_weight`` (N, K) or, with ``by_class``, row y_i of the (K, K) ``fp_weight``. With odds
    r_k = p_k / (1 - p_k):  d loss_i / d z_ij = a_i (p_j - [j = y]) + b_ij p_j - p_j sum_{k != j} b_ik r_k.
    The loss is linear in (a, b), so ``scale`` multiplies the weights.
    """
    fn_weight = fn_weight * scale
    if by_class:
        fp_weight = fp_weight * scale  # (K, K): scaled once, not per block

    def kernel(block, grad, work):
        y_block = y[block]
        e, scratch, b = work
        if by_class:
            torch.index_select(fp_weight, 0, y_block, out=b)
        else:
            zero_at(torch.mul(fp_weight[block], scale, out=b), y_block[:, None])
        loss, unsafe = _rwwce_block(logits[block], y_block, fn_weight[block], b, grad, (e, scratch))
        if unsafe.numel():
            at = unsafe + block.start
            b_at = fp_weight[y[at]] if by_class else fp_weight[at].scatter(1, y[at, None], 0.0) * scale
            exact_loss, exact_grad = _rwwce_exact_loss_and_grad(logits[at], y[at], fn_weight[at], b_at)
            loss[unsafe] = exact_loss
            if grad is not None:
                grad[unsafe] = exact_grad
        return loss

    return kernel


def rwwce_per_example(logits, targets, fn_weight, fp_weight, reduction="mean"):
    """RWWCE with a weight w_ij per example i and class j.

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
    z = check_logits(logits, ndim=2)
    y = class_targets(targets, z)
    n, k = z.shape
    fn = weight_tensor(fn_weight, "fn_weight", z, shape=(n,))
    fp = weight_tensor(fp_weight, "fp_weight", z, shape=(n, k))
    loss = blockwise_loss(z, lambda scale: _rwwce_kernel(z, y, fn, fp, False, scale), 3, reduction,
                          formula=lambda t: (_fusable.rwwce(t, y, fn, fp) if torch.compiler.is_compiling()
                                             else _rwwce_formula(t, y, fn, fp.scatter(1, y[:, None], 0.0))),
                          weights=(fn, fp),
                          small_batch_loss_and_grad=lambda t: _rwwce_exact_loss_and_grad(
                              t, y, fn, fp.scatter(1, y[:, None], 0.0)))
    return loss.to(logits.dtype)


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
    z = check_logits(logits, ndim=2)
    y = class_targets(targets, z)
    k = z.shape[1]
    fn = weight_tensor(fn_cost, "fn_cost", z, shape=(k,))
    fp = weight_tensor(fp_cost, "fp_cost", z, shape=(k, k))
    if not torch.compiler.is_compiling():  # the fusable form inside torch.compile ignores column y_i itself
        fp = fp * (1 - torch.eye(k, dtype=fp.dtype, device=fp.device))  # the diagonal is ignored
    fn_of_targets = fn.index_select(0, y)  # index_select: several times faster than fn[y] on the CPU
    loss = blockwise_loss(z, lambda scale: _rwwce_kernel(z, y, fn_of_targets, fp, True, scale), 3, reduction,
                          formula=lambda t: (_fusable.rwwce if torch.compiler.is_compiling() else _rwwce_formula)(
                              t, y, fn_of_targets, fp.index_select(0, y)),
                          weights=(fn, fp),
                          small_batch_loss_and_grad=lambda t: _rwwce_exact_loss_and_grad(
                              t, y, fn_of_targets, fp.index_select(0, y)))
    return loss.to(logits.dtype)


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
    z = check_logits(logits, ndim=2)
    y = class_targets(targets, z)
    k = z.shape[1]
    cost = weight_tensor(cost, "cost", z, shape=(k, k))
    if torch.compiler.is_compiling():  # the same loss, in the form Inductor fuses (wloss.losses._fusable)
        return reduce(_fusable.softmax_expectation(z, cost.index_select(0, y)), reduction, logits.dtype)
    return reduce((cost.index_select(0, y) * torch.softmax(z, dim=1)).sum(1), reduction, logits.dtype)


def expected_cost_per_example(logits, targets, cost_matrices, reduction="mean"):
    """Expected cost under the softmax with a cost matrix per example (lecture 05's transactions).

        loss_i = sum_j c_ij p_ij,   c_ij = C[i, y_i, j],   p_i = softmax(z_i)
        d loss_i / d z_ij = p_ij (c_ij - sum_k p_ik c_ik)

    The per-example counterpart of ``expected_cost_loss`` (whose cost is one (K, K) matrix).

    Parameters
    ----------
    logits : Tensor (N, K).  targets : int (N,) in [0, K).
    cost_matrices : array-like (N, K, K) >= 0, [example, true, predicted].
    reduction : "mean" (sum / N), "sum" or "none".

    Examples
    --------
    >>> C = torch.tensor([[[0.0, 12.0, 22.0], [100.0, 0.0, 10.0], [150.0, 50.0, 0.0]]])
    >>> round(expected_cost_per_example(torch.zeros(1, 3), torch.tensor([1]), C).item(), 4)  # (100 + 0 + 10) / 3
    36.6667
    """
    check_reduction(reduction)
    z = check_logits(logits, ndim=2)
    y = class_targets(targets, z)
    n, k = z.shape
    costs = weight_tensor(cost_matrices, "cost_matrices", z, shape=(n, k, k))
    rows = costs[torch.arange(n, device=z.device), y]  # C[i, y_i, :]
    return reduce((rows * torch.softmax(z, dim=1)).sum(1), reduction, logits.dtype)


def focal_loss(logits, targets, gamma=2.0, alpha=None, reduction="mean"):
    """Focal loss (Lin et al. 2017), multiclass for logits (N, K), sigmoid form for logits (N,).

    Multiclass: loss_i = -alpha[y_i] * (1 - p_iy)^gamma * log p_iy, alpha a (K,) weight per class (1 when None).
    Binary (logits (N,)): torchvision's sigmoid_focal_loss, alpha a scalar in [0, 1] for positives and
    1 - alpha for negatives (no weighting when None); see ``sigmoid_focal_loss``.
    gamma = 0 gives (weighted) cross-entropy.

    1 - p_y is summed over the other classes, sum_{k != y} p_k, so that it keeps its digits where p_y
    rounds to 1. The gradient of a large batch is computed with the loss (``_focal_kernel``); the
    readable formula (``_focal_formula``) serves everywhere else and differentiates to any order.

    Examples
    --------
    >>> z, y = torch.zeros(1, 2), torch.tensor([0])
    >>> round(focal_loss(z, y, gamma=2.0).item(), 4)  # 0.25 * log 2
    0.1733
    """
    if isinstance(logits, torch.Tensor) and logits.dim() == 1:
        return sigmoid_focal_loss(logits, targets, gamma=gamma, alpha=alpha, reduction=reduction)
    check_reduction(reduction)
    z = check_logits(logits, ndim=2)
    y = class_targets(targets, z)
    gamma = nonnegative_scalar(gamma, "gamma", z)
    weight = None if alpha is None else weight_tensor(alpha, "alpha", z, shape=(z.shape[1],)).index_select(0, y)
    loss = blockwise_loss(z, lambda scale: _focal_kernel(z, y, gamma, weight, scale), 1, reduction,
                          formula=lambda t: (_fusable.focal if torch.compiler.is_compiling() else _focal_formula)(
                              t, y, gamma, weight), weights=(gamma, weight))
    return loss.to(logits.dtype)


def _focal_formula(logits, y, gamma, weight):
    """Per-example focal loss (N,) as tensor operations, for autograd: -w (1 - p_y)^gamma log p_y."""
    log_probs = torch.log_softmax(logits, dim=1)
    log_p = log_probs.gather(1, y[:, None])[:, 0]
    if isinstance(gamma, float) and gamma == 0:
        per_example = -log_p
    else:
        per_example = -torch.exp(gamma * _log_one_minus_p_true(log_probs, log_p, y)) * log_p
    return per_example if weight is None else per_example * weight


def _focal_kernel(logits, y, gamma, weight, scale):
    """Row-block kernel (see ``wloss.losses._blockwise``) of scale * focal loss.

    The loss depends on the logits through log p_y alone, and d log p_y / d z_j = [j = y] - p_j, so
        d loss / d z_j = g ([j = y] - p_j),   g = d loss / d log p_y = w q^gamma (gamma p_y (log p_y) / q - 1),
    with q = 1 - p_y. With e = exp(z - m) (m the row max) and R = sum_{k != y} e_k: S = R + e_y,
    q = R / S, and log S = log1p(R + (e_y - 1)), exact where y holds the max (e_y = 1) and p_y rounds
    to 1. (log p_y) / q tends to -1 as q -> 0, its value where R underflows to 0.
    """
    def kernel(block, grad, work):
        (e,) = work
        z, label = logits[block], y[block, None]
        top, _ = exp_minus_row_max(z, e)
        e_label = e.gather(1, label)
        rest = row_sum(zero_at(e, label))  # R
        total = rest + e_label
        log_p = (z.gather(1, label) - top) - torch.log1p(rest + (e_label - 1.0))
        q = rest / total
        focus = q.pow(gamma)
        scaled_focus = focus * (scale if weight is None else scale * weight[block, None])
        if grad is not None:
            g = scaled_focus * (gamma * (e_label / total) * torch.where(q > 0, log_p / q, -1.0) - 1.0)
            torch.mul(e, -g / total, out=grad).scatter_(1, label, g * q)
        return -(scaled_focus * log_p)[:, 0]

    return kernel


def _log_one_minus_p_true(log_probs, log_p, y):
    """log(1 - p_y) (N,), with its gradient exact to working precision.

    Where p_y < 1/2 it is log1p(-p_y), whose gradient p_y (p_j - [j = y]) / (1 - p_y) stays small with
    p_y (a sum over the other classes would round it to eps p_j, times |log p_y| in the focal loss).
    Where p_y >= 1/2 it is the log of sum_{k != y} p_k, which keeps its digits as p_y rounds to 1; below
    the smallest normal number it is clamped, as (1 - p_y)^gamma is 0 there to working precision.
    """
    p = log_p.exp()
    small = p < 0.5
    from_p = torch.log1p(-torch.where(small, p, 0.0))
    others = log_probs.exp().scatter(1, y[:, None], 0.0).sum(1)
    from_others = others.clamp(min=torch.finfo(others.dtype).tiny).log()
    return torch.where(small, from_p, from_others)


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
    z = check_logits(logits, ndim=2)
    y = class_targets(targets, z)
    tau = nonnegative_scalar(tau, "tau", z)
    prior = weight_tensor(class_prior, "class_prior", z, shape=(z.shape[1],),
                          positive_because="its log is added to the logits")
    if torch.compiler.is_compiling():  # the same loss, in the form Inductor fuses (wloss.losses._fusable)
        per_example = _fusable.cross_entropy_with_offsets(z, tau * torch.log(prior), _fusable.is_class(z, y))
        return reduce(per_example, reduction, logits.dtype)
    # shift by the row max first, so that adding log prior rounds an O(1) number even when |z| ~ 1e4;
    # the loss does not change under a shift of a row, so the shift needs no gradient
    adjusted = (z - z.detach().amax(dim=1, keepdim=True)) + tau * torch.log(prior)
    return reduce(_fusable.cross_entropy_per_example(adjusted, y), reduction, logits.dtype)
