"""Checks and conversions shared by the torch losses.

Each helper validates one argument, names it in any error, and returns it as a
tensor on the logits' device and dtype, so that the loss functions keep their
math free of bookkeeping.
"""
from __future__ import annotations

import numbers

import numpy as np
import torch

from wloss._validation import as_label_array, check_nonnegative_finite, check_reduction


def check_logits(logits, ndim: int) -> torch.Tensor:
    """Return ``logits``, checking it is a floating tensor of ``ndim`` dims with N >= 1 (and K >= 2)."""
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"logits must be a torch.Tensor, got {type(logits).__name__}")
    if not logits.is_floating_point():
        raise TypeError(f"logits must have a floating dtype, got {logits.dtype}")
    if logits.dim() != ndim:
        want = "(N,)" if ndim == 1 else "(N, K)"
        raise ValueError(f"logits must have shape {want}, got {tuple(logits.shape)}")
    if logits.shape[0] == 0:
        raise ValueError("logits is an empty batch: expected at least one example (N >= 1)")
    if ndim == 2 and logits.shape[1] < 2:
        raise ValueError(f"logits must have K >= 2 classes, got K = {logits.shape[1]}")
    return logits


def class_targets(targets, logits: torch.Tensor) -> torch.Tensor:
    """Return ``targets`` as int64 labels in ``[0, K)`` of shape (N,), on the logits' device."""
    labels = as_label_array(targets, name="targets", num_classes=logits.shape[1])
    if labels.shape[0] != logits.shape[0]:
        raise ValueError(f"targets must have shape ({logits.shape[0]},) like logits' first dimension, "
                         f"got {labels.shape}")
    return torch.from_numpy(labels).to(logits.device)


def binary_targets(targets, logits: torch.Tensor) -> torch.Tensor:
    """Return ``targets`` as a float tensor of 0s and 1s of shape (N,), in the logits' dtype."""
    raw = targets.detach().cpu().numpy() if isinstance(targets, torch.Tensor) else targets
    arr = np.asarray(raw)
    if arr.dtype == bool:
        arr = arr.astype(np.float64)
    if not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"targets must hold 0/1 labels, got dtype {arr.dtype}")
    if arr.shape != (logits.shape[0],):
        raise ValueError(f"targets must have shape ({logits.shape[0]},) like logits, got {arr.shape}")
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError("targets must hold binary labels 0 or 1, got other values")
    return torch.as_tensor(arr, dtype=logits.dtype, device=logits.device)


def weight_tensor(value, name: str, logits: torch.Tensor, shape: tuple | None = None) -> torch.Tensor:
    """Return a finite, non-negative weight or cost as a tensor in the logits' dtype and device.

    A real-valued tensor of the right shape is checked where it lies, in one pass (its min and max),
    and converted only if its dtype or device differ; anything else goes through NumPy.
    """
    if isinstance(value, torch.Tensor) and not value.dtype.is_complex and value.dtype != torch.bool \
            and shape is not None and tuple(value.shape) == tuple(shape) and value.numel() > 0:
        low, high = torch.aminmax(value.detach())
        if not (torch.isfinite(low) and torch.isfinite(high)):
            raise ValueError(f"{name} must be finite, got NaN or infinity")
        if low < 0:
            raise ValueError(f"{name} must be >= 0, got {low.item()}")
        return value.detach().to(dtype=logits.dtype, device=logits.device)
    arr = check_nonnegative_finite(value, name, shape)
    return torch.as_tensor(arr, dtype=logits.dtype, device=logits.device)


def nonnegative_scalar(value, name: str) -> float:
    """Return ``value`` as a float, checking it is a finite real number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {value}")
    return value


def reduce(per_example: torch.Tensor, reduction: str) -> torch.Tensor:
    """Apply ``reduction``: "mean" divides the sum by N (not by a sum of weights), "sum", or "none"."""
    if reduction == "mean":
        return per_example.sum() / per_example.shape[0]
    if reduction == "sum":
        return per_example.sum()
    return per_example


__all__ = ["check_logits", "class_targets", "binary_targets", "weight_tensor", "nonnegative_scalar",
           "reduce", "check_reduction"]
