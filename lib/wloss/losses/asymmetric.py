"""Asymmetric loss (ASL) for multi-label classification (Ridnik et al. 2021).

Ridnik, T., Ben-Baruch, E., Zamir, N., Noy, A., Friedman, I., Protter, M., & Zelnik-Manor, L. (2021).
Asymmetric loss for multi-label classification. *Proceedings of the IEEE/CVF International Conference
on Computer Vision (ICCV)*, 82-91.

With L labels per example, most of the N x L entries are negatives, nearly all of them easy. ASL
focuses the positives and the negatives with two exponents (gamma_neg > gamma_pos, so that easy
negatives weigh little) and shifts the probability of the negatives down by a margin ``clip``, which
discards the easiest negatives altogether (p <= clip gives 0 loss and 0 gradient) and caps the weight
of the hardest ones (mislabelled negatives, p near 1).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from wloss._validation import as_checked_tensor
from wloss.losses import _fusable
from wloss.losses._blockwise import _PrecomputedGradient
from wloss.losses._inputs import binary_labels, check_logits, check_reduction, nonnegative_scalar, reduce


def _multilabel_logits(logits) -> torch.Tensor:
    """``logits`` (N, L), L >= 1, N >= 0, a floating tensor; returned in ``compute_dtype``."""
    if isinstance(logits, torch.Tensor) and logits.dim() != 2:
        raise ValueError(f"logits must have shape (N, L): one logit per label, got {tuple(logits.shape)}")
    # the checks of type and dtype are those of one logit per entry
    flat = check_logits(logits.reshape(-1) if isinstance(logits, torch.Tensor) else logits, ndim=1)
    return flat.reshape(logits.shape)


def _multi_hot_targets(targets, z: torch.Tensor) -> torch.Tensor:
    """``targets`` (N, L) of 0/1 (float, int or bool), returned in the logits' dtype and device."""
    labels = as_checked_tensor(targets, "targets", "0/1 labels")
    if tuple(labels.shape) != tuple(z.shape):
        raise ValueError(f"targets must have the logits' shape (N, L) = {tuple(z.shape)}, got {tuple(labels.shape)}")
    return binary_labels(labels.reshape(-1), z.numel(), "targets", z.dtype, z.device).reshape(z.shape)


def _check_clip(clip) -> float:
    """``clip``, a Python real number in [0, 1): it chooses the formula, so it cannot be a tensor."""
    if isinstance(clip, torch.Tensor):
        raise TypeError("clip must be a real number (a Python float), got a tensor")
    clip = nonnegative_scalar(clip, "clip")
    if clip >= 1:
        raise ValueError(f"clip must be in [0, 1), got {clip}")
    return clip


def asymmetric_loss(logits, targets, gamma_pos=0.0, gamma_neg=4.0, clip=0.05, reduction="mean"):
    """Asymmetric loss (ASL) for multi-label classification, from logits.

    With p = sigma(z) per entry and the shifted probability p_m = max(p - clip, 0),

        positive (y = 1):  -(1 - p)^gamma_pos * log p
        negative (y = 0):  -p_m^gamma_neg * log(1 - p_m)
        loss_i = sum_{l=1}^{L} [ y_il * positive(z_il) + (1 - y_il) * negative(z_il) ].

    Special cases: clip = 0 gives the focal loss's negatives, -p^gamma_neg log(1 - p); gamma_pos =
    gamma_neg = 0 and clip = 0 give binary cross-entropy summed over the labels,
    ``F.binary_cross_entropy_with_logits(z, y, reduction="none").sum(1)``.

    Computed stably: log p = logsigmoid(z) and (1 - p)^gamma_pos = exp(gamma_pos logsigmoid(-z)); with
    clip = 0, log(1 - p) = logsigmoid(-z) and p^gamma_neg = exp(gamma_neg logsigmoid(z)); with clip > 0,
    1 - p_m = min(sigma(-z) + clip, 1) >= clip, so log(1 - p_m) is log1p(-p_m) where p_m < 1/2 and
    log(sigma(-z) + clip) >= log(clip) elsewhere. Loss and gradient are finite and accurate for |z| up to
    1e4 in float32; a negative with p <= clip contributes exactly 0 loss and 0 gradient.

    Parameters
    ----------
    logits : torch.Tensor, shape (N, L), floating
        One logit per label.
    targets : shape (N, L), 0/1 (float, int or bool; tensor, array or list)
        Multi-hot labels.
    gamma_pos, gamma_neg : float >= 0 (or a 0-d tensor)
        Focusing exponents of the positives and of the negatives (the paper recommends 0 and 4).
    clip : float in [0, 1)
        The probability margin m of the negatives (the paper's 0.05); 0 disables the shift.
    reduction : {"mean", "sum", "none"}
        Per example: "none" returns loss_i, shape (N,), the sum over its labels; "sum" returns
        sum_i loss_i; "mean" returns sum_i loss_i / N (not / (N L)).

    Returns
    -------
    torch.Tensor: scalar, or (N,) for reduction="none"

    Notes
    -----
    The authors' ``AsymmetricLoss`` returns the negated sum of the log-likelihood terms over the whole
    batch, which is ``reduction="sum"`` here; "mean" divides it by N, and ``F.binary_cross_entropy_with_logits``
    ("mean") would divide by N L. Two other differences from their code: it clamps the probabilities
    at eps = 1e-8 before the logs (each term is at most -log(1e-8) = 18.4, and its gradient is 0
    beyond), where this function computes the logs from the logits, unclamped; and it can compute the
    focusing weights (1 - p)^gamma_pos and p_m^gamma_neg without gradient (``disable_torch_grad_focal_loss``),
    where here they are plain autograd: the gradient is the exact derivative of the loss above.

    Examples
    --------
    >>> z, y = torch.zeros(1, 2), torch.tensor([[1.0, 0.0]])
    >>> round(asymmetric_loss(z, y, gamma_pos=0.0, gamma_neg=1.0, clip=0.0).item(), 4)  # log 2 + log 2 / 2
    1.0397
    """
    check_reduction(reduction)
    z = _multilabel_logits(logits)
    y = _multi_hot_targets(targets, z)
    gamma_pos = nonnegative_scalar(gamma_pos, "gamma_pos", z)
    gamma_neg = nonnegative_scalar(gamma_neg, "gamma_neg", z)
    clip = _check_clip(clip)

    if torch.compiler.is_compiling():  # the same loss, in the form Inductor fuses (wloss.losses._fusable)
        terms = _fusable.asymmetric_per_entry(z, y, gamma_pos, gamma_neg, clip)
        return _fusable.reduce_row_sums(terms, reduction).to(logits.dtype)
    if _closed_form_applies(z, (gamma_pos, gamma_neg)):  # eager training: the loss with its gradient at once
        per_example = _PrecomputedGradient.apply(
            z, lambda: _loss_and_grad(z.detach(), y, gamma_pos, gamma_neg, clip),
            lambda t: _per_example(t, y, gamma_pos, gamma_neg, clip))
    else:
        per_example = _per_example(z, y, gamma_pos, gamma_neg, clip)
    return reduce(per_example, reduction, logits.dtype)


def _terms(z, gamma_pos, gamma_neg, clip):
    """The positive and negative terms of every entry (N, L), and what their gradients reuse: the positive term's
    focusing factor, -log p, the negative term's weight, softplus(z) (clip = 0) or log(1 - p_m), and p_m."""
    # positives: (1 - p)^gamma_pos * (-log p), with 1 - p = sigma(-z) and -log p = softplus(-z)
    focus_pos = torch.exp(gamma_pos * F.logsigmoid(-z))
    minus_log_p = F.softplus(-z)
    positive = focus_pos * minus_log_p
    if clip == 0:
        # p_m = p: p^gamma_neg * (-log(1 - p)), with -log(1 - p) = softplus(z)
        focus_neg = torch.exp(gamma_neg * F.logsigmoid(z))
        minus_log_not = F.softplus(z)
        return positive, focus_neg * minus_log_not, (focus_pos, minus_log_p, focus_neg, minus_log_not, None)
    shifted = (torch.sigmoid(z) - clip).clamp(min=0.0)  # p_m
    small = shifted < 0.5
    # 1 - p_m = min(sigma(-z) + clip, 1); each branch sees only inputs where it is finite, so that
    # the branch torch.where discards gives a zero gradient, not 0 * inf = NaN
    log_not = torch.where(small, torch.log1p(-torch.where(small, shifted, 0.0)),
                          torch.log(torch.sigmoid(-z) + clip))
    # p_m^gamma_neg, with 0^gamma read as 0 (its term is 0 anyway: log(1 - 0) = 0), so that the
    # power is never differentiated at 0
    kept = shifted > 0
    weight = torch.where(kept, torch.where(kept, shifted, 1.0) ** gamma_neg, 0.0)
    return positive, -weight * log_not, (focus_pos, minus_log_p, weight, log_not, shifted)


def _per_example(z, y, gamma_pos, gamma_neg, clip):
    """loss_i (N,): the readable formula, for autograd (to any order)."""
    positive, negative, _ = _terms(z, gamma_pos, gamma_neg, clip)
    return (y * positive + (1 - y) * negative).sum(dim=1)


def _loss_and_grad(z, y, gamma_pos, gamma_neg, clip):
    """``_per_example`` (N,), to the last bit, and its gradient (N, L) in closed form
    (``_fusable.asymmetric_entry_grads`` of the pieces of ``_terms``, with p = sigma(z) and q = sigma(-z))."""
    positive, negative, (focus_pos, minus_log_p, weight, log_term, shifted) = _terms(z, gamma_pos, gamma_neg, clip)
    loss = (y * positive + (1 - y) * negative).sum(dim=1)
    grad_pos, grad_neg = _fusable.asymmetric_entry_grads(torch.sigmoid(z), torch.sigmoid(-z), minus_log_p, focus_pos,
                                                         weight, log_term, shifted, gamma_pos, gamma_neg, clip)
    return loss, torch.where(y > 0, grad_pos, grad_neg)


def _closed_form_applies(z: torch.Tensor, scalars) -> bool:
    """Eager training in the logits only: a gradient wanted of them and of no exponent, outside torch.func."""
    return (torch.is_grad_enabled() and z.requires_grad and z.numel() > 0
            and not any(isinstance(s, torch.Tensor) and s.requires_grad for s in scalars)
            and not torch._C._functorch.is_functorch_wrapped_tensor(z))

__all__ = ["asymmetric_loss"]
