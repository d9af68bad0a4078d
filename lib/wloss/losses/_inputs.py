"""Checks and conversions shared by the torch losses, written with torch operations only.

Each helper validates one argument, names it in any error, and returns it as a tensor on the
logits' device, so that the loss functions keep their math free of bookkeeping. Nothing goes
through NumPy: the checks work on any device, on meta tensors, under ``torch.func`` transforms and
inside ``torch.compile``, and weights keep their autograd history (a weight that requires grad gets
its gradient, as in PyTorch's own losses).

A check of values (labels in range, weights >= 0 and finite) raises ``ValueError`` at once for a
tensor on the CPU. Where reading a value back would stall the device or break a compiled graph (a
CUDA tensor, ``torch.compile``), the same condition goes to ``torch._assert_async``, which raises a
``RuntimeError`` with the same message when the device gets there. Meta tensors have no values to check.
"""
from __future__ import annotations

import math
import numbers

import torch

from wloss._validation import as_checked_tensor, binary_labels, check_reduction, require

# float16 and bfloat16 logits are computed in float32 and the loss returned in their dtype: the
# stable formulas need exponents down to 2^-100 and sums of many small terms that half precision drops
_LOW_PRECISION = (torch.float16, torch.bfloat16)


def compute_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype a loss computes in: float32 for float16/bfloat16 logits, else the logits' own."""
    return torch.float32 if dtype in _LOW_PRECISION else dtype


def check_logits(logits, ndim: int) -> torch.Tensor:
    """Check ``logits`` is a floating tensor of ``ndim`` dims (K >= 2 for (N, K)); return it in ``compute_dtype``.

    N = 0 is allowed: "sum" then gives 0, "mean" NaN and "none" an empty tensor, as in PyTorch.
    """
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"logits must be a torch.Tensor, got {type(logits).__name__}")
    if not logits.is_floating_point():
        raise TypeError(f"logits must have a floating dtype, got {logits.dtype}")
    if logits.dim() != ndim:
        want = "(N,)" if ndim == 1 else "(N, K)"
        raise ValueError(f"logits must have shape {want}, got {tuple(logits.shape)}")
    if ndim == 2 and logits.shape[1] < 2:
        raise ValueError(f"logits must have K >= 2 classes, got K = {logits.shape[1]}")
    return logits.to(compute_dtype(logits.dtype))


def class_targets(targets, logits: torch.Tensor, num_classes: int | None = None) -> torch.Tensor:
    """Return ``targets`` as int64 labels in ``[0, K)`` of shape (N,), on the logits' device.

    K is ``num_classes``, by default the logits' second dimension. Integer and bool tensors, and float
    tensors holding whole numbers, are accepted, as are arrays and lists.
    """
    n, k = logits.shape[0], logits.shape[1] if num_classes is None else num_classes
    labels = as_checked_tensor(targets, "targets", "integer class labels")
    if labels.dim() != 1 or labels.shape[0] != n:
        raise ValueError(f"targets must have shape ({n},) like logits' first dimension, got {tuple(labels.shape)}")
    if labels.is_floating_point():
        require((labels == labels.round()).all(), ValueError,
                "targets must hold integer class labels, got non-integer values")
    labels = labels.to(device=logits.device, dtype=torch.int64)
    if n:
        low, high = _low_high(labels)
        require(low >= 0, ValueError, "targets must hold labels >= 0", low)
        require(high < k, ValueError, f"targets must hold labels in [0, {k})", high)
    return labels


def _readable(tensor: torch.Tensor) -> bool:
    """Whether values can be read at once: a CPU tensor, outside ``torch.compile``."""
    return tensor.device.type == "cpu" and not torch.compiler.is_compiling()


def _low_high(tensor: torch.Tensor):
    """The min and max of ``tensor``: Python numbers where ``_readable`` (one pass, two cheap reads, which
    is what a batch of 100 can afford), 0-d tensors elsewhere."""
    low, high = torch.aminmax(tensor.detach())
    if _readable(tensor) and not torch._C._functorch.is_functorch_wrapped_tensor(low):
        return low.item(), high.item()
    return low, high


def binary_targets(targets, logits: torch.Tensor) -> torch.Tensor:
    """Return ``targets`` as a float tensor of 0s and 1s of shape (N,), in the logits' dtype and device."""
    return binary_labels(targets, logits.shape[0], "targets", logits.dtype, logits.device)


def weight_tensor(value, name: str, logits: torch.Tensor, shape: tuple,
                  positive_because: str | None = None) -> torch.Tensor:
    """Return a finite, non-negative weight or cost of ``shape`` as a tensor in the logits' dtype and device.

    Tensors of any real dtype (bfloat16 and integers included), arrays and lists are accepted. A tensor
    that requires grad keeps its history: the loss is differentiable in it. With ``positive_because``
    (why a 0 cannot be allowed), every entry must be > 0.
    """
    weight = as_checked_tensor(value, name, "numbers")
    if tuple(weight.shape) != tuple(shape):
        want = "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        raise ValueError(f"{name} must have shape {want}, got {tuple(weight.shape)}")
    weight = weight.to(dtype=logits.dtype, device=logits.device)
    if weight.numel():
        low, high = _low_high(weight)
        if isinstance(low, float):
            if not (math.isfinite(low) and math.isfinite(high)):
                raise ValueError(f"{name} must be finite, got NaN or infinity")
            if low < 0:
                raise ValueError(f"{name} must be >= 0, got {low}")
            if positive_because and low == 0:
                raise ValueError(f"{name} must be > 0 everywhere ({positive_because}), got a 0")
        else:
            require(torch.isfinite(low) & torch.isfinite(high), ValueError,
                    f"{name} must be finite, got NaN or infinity")
            require(low >= 0, ValueError, f"{name} must be >= 0", low)
            if positive_because:
                require(low > 0, ValueError, f"{name} must be > 0 everywhere ({positive_because})", low)
    return weight


def nonnegative_scalar(value, name: str, logits: torch.Tensor | None = None):
    """Return a finite real number >= 0: a Python float, or a 0-d tensor (e.g. ``torch.tensor(3.)``).

    A 0-d tensor stays a tensor (in the logits' dtype and device when ``logits`` is given), so that it
    is not read back to the host and keeps its autograd history.
    """
    if isinstance(value, torch.Tensor):
        if value.dim() != 0 or value.dtype.is_complex or value.dtype == torch.bool:
            raise TypeError(f"{name} must be a real number or a 0-d tensor, got a tensor of shape "
                            f"{tuple(value.shape)} and dtype {value.dtype}")
        if logits is not None:
            value = value.to(dtype=logits.dtype, device=logits.device)
        elif not value.is_floating_point():
            value = value.to(torch.get_default_dtype())
        detached = value.detach()
        require(torch.isfinite(detached) & (detached >= 0), ValueError, f"{name} must be finite and >= 0", detached)
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not (value >= 0 and value != float("inf")):
        raise ValueError(f"{name} must be finite and >= 0, got {value}")
    return value


def class_weight_of_targets(class_weight, logits: torch.Tensor, y: torch.Tensor, num_classes: int | None = None):
    """w[y_i] (N,) from a (K,) ``class_weight`` (K = ``num_classes``, the logits' columns unless given), or None when
    no weight is given."""
    if class_weight is None:
        return None
    k = logits.shape[1] if num_classes is None else num_classes
    return weight_tensor(class_weight, "class_weight", logits, shape=(k,)).index_select(0, y)


def reduce(per_example: torch.Tensor, reduction: str, dtype: torch.dtype | None = None) -> torch.Tensor:
    """Apply ``reduction``: "mean" divides the sum by N (not by a sum of weights), "sum", or "none".

    An empty batch gives 0 for "sum" and NaN for "mean", as in PyTorch. The result is cast to ``dtype``
    (the logits' dtype, when the loss was computed in float32 for float16/bfloat16 logits).
    """
    if reduction == "mean":
        out = per_example.mean()  # the sum / N to the last bit, in one operation (NaN for N = 0)
    elif reduction == "sum":
        out = per_example.sum()
    else:
        out = per_example
    return out if dtype is None else out.to(dtype)


__all__ = ["check_logits", "class_targets", "binary_labels", "binary_targets", "weight_tensor",
           "class_weight_of_targets",
           "nonnegative_scalar", "reduce", "check_reduction", "require", "compute_dtype"]
