"""The forms of the losses that ``torch.compile`` is given: the same formulas, written so that Inductor fuses them.

Inside ``torch.compile`` the losses run their formula path (see ``wloss.losses._blockwise``), and the
readable formulas, the documented definitions and the eager reference, pick single entries of each row
with ``gather`` and overwrite them with ``scatter``. Inductor turns every ``scatter`` into a store into a
materialised (N, K) buffer, and every read after it into another pass over (N, K), each its own loop over
the rows: compiled RWWCE made about eight passes over the logits where F.cross_entropy makes two.

The forms here write a row's pick as a comparison with the class index (``classes == index``), so that
taking entry y of a row is a masked row sum and replacing it is a ``where``: element-wise operations and
row reductions only, which Inductor fuses into a few loops over each row (and their gradient into one
more). Each loss keeps the stability of its readable formula (the same shifts, the same split of
log(1 - p) at the dominant class), and each is used only while ``torch.compiler.is_compiling()``, so that
eager arithmetic does not change. ``tests/test_losses_compiled.py`` checks them, compiled, against the
float64 reference.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def class_index(logits: torch.Tensor) -> torch.Tensor:
    """0, 1, ..., K - 1 as a row (1, K) of int32, on the logits' device: compared in int64, Inductor's CPU
    code works on pairs of vectors and converts the mask, which cost more than the whole of
    F.cross_entropy (measured, N = 65,536, K = 10, one thread: 3.3 ms against 1.3 ms)."""
    return torch.arange(logits.shape[1], device=logits.device, dtype=torch.int32)[None, :]


def is_class(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The mask (N, K) of each row's class ``labels`` (N,): the one-hot, as a comparison Inductor fuses."""
    return class_index(logits) == labels.to(torch.int32)[:, None]


def pick(values: torch.Tensor, is_index: torch.Tensor) -> torch.Tensor:
    """values[i, index_i] (N, 1) given the mask ``is_index`` = (classes == index): a masked row sum, not a gather."""
    return torch.where(is_index, values, 0.0).sum(1, keepdim=True)


def finite_or_zero(shift: torch.Tensor) -> torch.Tensor:
    """A row shift of +-inf (a row of -inf logits, an inf logit) replaced by 0, as ``torch.logsumexp`` does."""
    return torch.where(shift.abs() == float("inf"), 0.0, shift)


def nan_where_not_finite(row_max: torch.Tensor) -> torch.Tensor:
    """0 (N,) from the rows' max (N, 1), NaN in a row with a +inf (or NaN) logit, as documented: inf - inf."""
    return (row_max - row_max).detach()[:, 0]


def cross_entropy_per_example(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``F.cross_entropy(logits, y, reduction="none")``, in the form of ``cross_entropy`` while compiling."""
    if torch.compiler.is_compiling():
        return cross_entropy(logits, is_class(logits, y))
    return F.cross_entropy(logits, y, reduction="none")


def cross_entropy(logits: torch.Tensor, is_label: torch.Tensor) -> torch.Tensor:
    """-log softmax(z)_y (N,) = (m - z_y) + log sum_k exp(z_k - m), m the row max, y marked by ``is_label``.

    As F.cross_entropy rounds it (m - z_y is exact, the sum is of numbers <= 1), but the pick of z_y is a
    masked row sum and m a constant to autograd (the loss does not depend on it), so the gradient is
    exp(z - m) / S - [k = y], written by one elementwise loop: F.cross_entropy's backward, where its
    per-example result is weighted, sums the one-hot of each row in a loop of its own, gathering the weight
    at every class (measured, K = 100: 1.65x compiled F.cross_entropy for weighted CE, 0.9x with this form).
    """
    row_max, top, e, total = exp_minus_row_max(logits)
    return ((top - pick(logits, is_label)) + torch.log(total))[:, 0] + nan_where_not_finite(row_max)


def exp_minus_row_max(logits: torch.Tensor):
    """The row max m (N, 1), the shift ``top`` (m, or 0 where m is infinite), e = exp(z - top) (N, K) and
    S = sum_k e_k (N, 1); m and the shift are constants to autograd, which softmax-based losses do not depend on."""
    row_max = logits.detach().amax(1, keepdim=True)
    top = finite_or_zero(row_max)
    e = torch.exp(logits - top)
    return row_max, top, e, e.sum(1, keepdim=True)


def distance_cross_entropy(logits: torch.Tensor, y: torch.Tensor, alpha) -> torch.Tensor:
    """Per-example -log p_y + alpha sum_k p_k |k - y| (N,), ``_distance_ce_formula`` in fusable form: the
    distances |k - y| compared from the class index instead of gathered from a (K, K) table, and the
    expected distance sum_k e_k |k - y| / S from the exponentials of the cross-entropy's own sum."""
    is_label = is_class(logits, y)
    row_max, top, e, total = exp_minus_row_max(logits)
    distance = (class_index(logits) - y.to(torch.int32)[:, None]).abs().to(logits.dtype)
    per_example = (top - pick(logits, is_label)) + torch.log(total) + alpha * (e * distance).sum(1, keepdim=True) / total
    return per_example[:, 0] + nan_where_not_finite(row_max)


def softplus(x: torch.Tensor) -> torch.Tensor:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|): one exponential and one log1p, exact for any finite x.

    Inductor's lowering of F.softplus costs about half as much again (measured, 6.5 M entries: 2.05x compiled
    F.cross_entropy's time at K = 100 against 1.45x for this form). -|x| and max(x, 0) are written as ``where``s,
    so that the gradient at x = 0 is sigmoid(0) = 1/2 (``abs`` and ``clamp`` would give 1).
    """
    positive = x > 0
    return torch.where(positive, x, 0.0) + torch.log1p(torch.exp(torch.where(positive, -x, x)))


def bce_per_entry(logits: torch.Tensor, positive: torch.Tensor, pos_weight, neg_weight) -> torch.Tensor:
    """w+ softplus(-z) where ``positive``, w- softplus(z) elsewhere: the weighted BCE of each entry with one softplus
    (the readable w+ y softplus(-z) + w- (1 - y) softplus(z) takes two). NaN where z is +-inf or NaN (eager's
    0 * inf), for the documented NaN of a +inf logit. Used by CORN; the binary losses and CORAL keep their readable
    forms, where this one measured slower to train (its backward recomputes the exponential)."""
    pos_weight, neg_weight = (torch.as_tensor(w, dtype=logits.dtype, device=logits.device) for w in (pos_weight, neg_weight))
    per_entry = softplus(torch.where(positive, -logits, logits)) * torch.where(positive, pos_weight, neg_weight)
    return per_entry + (logits - logits).detach()


def rwwce(logits, y, fn_weight, fp_rows):
    """Per-example RWWCE (N,) = -a log p_y - sum_{k != y} b_k log(1 - p_k), ``_rwwce_formula`` in fusable form.

    With t the row's argmax, m2 the largest of the other logits and u_j = exp(z_j - m2) for j != t (u_t = 0),
    R = sum_j u_j, S = sum_j exp(z_j - z_t) = 1 + exp(m2 - z_t) R and
        log p_y = z_y - z_t - log S,   p_j = u_j exp(m2 - z_t) / S (j != t),
        log(1 - p_j) = log1p(-p_j) (j != t),   log(1 - p_t) = (m2 - z_t) + log R - log S,
    the split of ``wloss.losses._stable``: every number rounded is O(1) even where |z| ~ 1e4. One exponential
    and one log1p per logit. t and m2 are constants to autograd (the loss does not depend on them: m2
    cancels, and the gradient reaches z_t through the picked z_t), so the gradient is the formula's.
    ``fp_rows`` (N, K) is b; its column y is taken as 0, as ``_rwwce_formula``'s is zeroed.
    """
    is_label = is_class(logits, y)
    detached = logits.detach()
    is_top = is_class(logits, detached.argmax(1))
    second = finite_or_zero(torch.where(is_top, float("-inf"), detached).amax(1, keepdim=True))
    z_top = pick(logits, is_top)
    others = torch.exp(torch.where(is_top, float("-inf"), logits - second))  # u, 0 at the top
    rest = others.sum(1, keepdim=True)  # R
    top_scale = torch.exp(second - z_top)  # exp(m2 - z_t) <= 1
    log_total = torch.log1p(top_scale * rest)  # log S
    log_not_top = (second - z_top) + torch.log(rest) - log_total
    log_not = torch.where(is_top, log_not_top, torch.log1p(-others * (top_scale / torch.exp(log_total))))
    log_p_true = pick(logits, is_label) - z_top - log_total
    fp_weighted = torch.where(is_label, 0.0, fp_rows) * log_not
    return -fn_weight * log_p_true[:, 0] - fp_weighted.sum(1) + nan_where_not_finite(z_top)


def focal(logits, y, gamma, weight):
    """Per-example focal loss (N,) = -w (1 - p_y)^gamma log p_y, ``_focal_formula`` in fusable form.

    With m the row max (a constant to autograd: the loss does not depend on it), e = exp(z - m),
    S = sum_k e_k and R = sum_{k != y} e_k: log p_y = z_y - m - log S and, as in ``_log_one_minus_p_true``,
    log(1 - p_y) = log1p(-p_y) where p_y < 1/2 and log(R / S) elsewhere, R / S clamped at the smallest
    normal number. One exponential per logit.
    """
    is_label = is_class(logits, y)
    row_max = logits.detach().amax(1, keepdim=True)
    top = finite_or_zero(row_max)
    e = torch.exp(logits - top)
    total = e.sum(1, keepdim=True)
    rest = torch.where(is_label, 0.0, e).sum(1, keepdim=True)
    log_p = (pick(logits, is_label) - top - torch.log(total))[:, 0]
    if isinstance(gamma, float) and gamma == 0:
        per_example = -log_p
    else:
        p = log_p.exp()
        small = p < 0.5
        from_p = torch.log1p(-torch.where(small, p, 0.0))
        from_others = (rest[:, 0] / total[:, 0]).clamp(min=torch.finfo(logits.dtype).tiny).log()
        per_example = -torch.exp(gamma * torch.where(small, from_p, from_others)) * log_p
    per_example = per_example + (row_max - row_max)[:, 0]  # NaN in a row with a +inf (or NaN) logit, as documented
    return per_example if weight is None else per_example * weight


# Up to this many classes RPS's cumulative sum is a product with a (K, K) triangle of ones: Inductor has no
# fused cumulative sum on the CPU and calls ATen's, a loop over each row whose cost at small K is mostly per
# row; the product costs K^2 per row, which stops paying as K grows. Above it the readable formula runs
# (its scatter_add and cumsum compile to correct kernels; the same cumsum after a ``where`` compiled with a
# wrong gradient, measured with torch 2.13 at K = 40, so the fusable form keeps to the triangle)
RPS_TRIANGLE_MAX_CLASSES = 32


def rps(logits, y):
    """Per-example RPS (N,) = || cumsum(p - onehot(y)) ||^2, ``_rps_formula`` for K <= ``RPS_TRIANGLE_MAX_CLASSES``
    with the one-hot subtracted by a ``where`` instead of a ``scatter_add`` and the cumulative sum a product with
    the triangle [j <= k]."""
    probs = torch.softmax(logits, dim=1)
    gap = torch.where(is_class(logits, y), probs - 1.0, probs)
    classes = torch.arange(logits.shape[1], device=logits.device)
    return (gap @ (classes[:, None] <= classes[None, :]).to(gap.dtype)).square().sum(1)
