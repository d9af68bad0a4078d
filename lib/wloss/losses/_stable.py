"""Stable log(1 - p_k) of a softmax, computed from the logits.

For every class except a row's top logit t, p_k <= 1/2, so log1p(-p_k) is accurate.
For the top class, 1 - p_t is the softmax mass of the other classes:
log(1 - p_t) = logsumexp_{j != t} z_j - logsumexp_j z_j. Both sums are taken relative to the
second-largest logit m2, so that only O(1) numbers are rounded even when |z| ~ 1e4 in float32.
No probability is ever clipped, so the gradient survives where p_t rounds to 1.
"""
from __future__ import annotations

from typing import NamedTuple

import torch


class OneMinusSoftmax(NamedTuple):
    """log(1 - p) (N, K); the top class t (N, 1); the log of the other classes' mass relative to z_t,
    split as ``second_gap`` = m2 - z_t and ``rest_log`` = log sum_{j != t} exp(z_j - m2), both (N, 1)."""

    log_not: torch.Tensor
    top: torch.Tensor
    second: torch.Tensor
    rest_log: torch.Tensor


def one_minus_softmax_parts(logits: torch.Tensor, log_probs: torch.Tensor) -> OneMinusSoftmax:
    """log(1 - softmax(logits)) and the pieces the analytic RWWCE gradient reuses."""
    top = logits.argmax(dim=1, keepdim=True)
    others_only = logits.scatter(1, top, float("-inf"))
    second = others_only.amax(dim=1, keepdim=True)
    rest_log = torch.logsumexp(others_only - second, dim=1, keepdim=True)
    # log(1 - p_t) = (m2 + rest_log) - lse = (m2 - z_t) + rest_log + log p_t
    log_not_top = (second - logits.gather(1, top)) + rest_log + log_probs.gather(1, top)
    # the top column is zeroed before log1p, whose gradient at p_t = 1 would be infinite (and NaN
    # through the scatter): autograd of this function is then exact too, to any order
    log_not = torch.log1p(-log_probs.exp().scatter(1, top, 0.0)).scatter(1, top, log_not_top)
    return OneMinusSoftmax(log_not, top, second, rest_log)


def log_one_minus_softmax(logits: torch.Tensor, log_probs: torch.Tensor) -> torch.Tensor:
    """Return log(1 - softmax(logits)) of shape (N, K), K >= 2, stable for any finite logits.

    Examples
    --------
    >>> z = torch.tensor([[1e4, 0.0, 0.0]])
    >>> log_one_minus_softmax(z, torch.log_softmax(z, 1))[0, 0].item()  # log(2 e^-1e4) = -1e4 + log 2
    -9999.306640625
    """
    return one_minus_softmax_parts(logits, log_probs).log_not
