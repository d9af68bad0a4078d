"""Stable log(1 - p_k) of a softmax, computed from the logits.

For every class except a row's largest logit, p_k <= 1/2, so log1p(-p_k) is accurate.
For the row's largest logit, 1 - p_k is the softmax mass of the other classes:
log(1 - p_k) = logsumexp_{j != k} z_j - logsumexp_j z_j, computed with that entry masked to -inf.
No probability is ever clipped, so the gradient survives where p_k rounds to 1.
"""
from __future__ import annotations

import torch


def log_one_minus_softmax(logits: torch.Tensor, log_probs: torch.Tensor) -> torch.Tensor:
    """Return log(1 - softmax(logits)) of shape (N, K), K >= 2, stable for any finite logits.

    Examples
    --------
    >>> z = torch.tensor([[1e4, 0.0, 0.0]])
    >>> log_one_minus_softmax(z, torch.log_softmax(z, 1))[0, 0].item()  # log(2 e^-1e4 / 1) = -1e4 + log 2
    -9999.306640625
    """
    top = logits.argmax(dim=1, keepdim=True)
    others_only = logits.scatter(1, top, float("-inf"))
    log_rest_of_top = torch.logsumexp(others_only, dim=1, keepdim=True) - torch.logsumexp(logits, dim=1, keepdim=True)
    return torch.log1p(-log_probs.exp()).scatter(1, top, log_rest_of_top)
