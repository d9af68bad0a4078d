"""Input validation shared by every ``wloss`` module.

Each helper checks one kind of argument and raises a ``ValueError`` or
``TypeError`` whose message names the argument and says what was expected,
so that a student sees "fn_cost must be finite and >= 0, got -1.0" rather
than a broadcasting error three frames deep.
"""
from __future__ import annotations

import math
import numbers

import numpy as np
import torch

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str) -> str:
    """Return ``reduction`` if it is one of ``"mean"``, ``"sum"``, ``"none"``."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    return reduction


def as_label_array(y, name: str = "y", num_classes: int | None = None) -> np.ndarray:
    """Return ``y`` as a 1-D int64 array of labels in ``[0, num_classes)``.

    Accepts integer arrays, and float arrays whose values are whole numbers.
    Raises ``TypeError`` for non-numeric input and ``ValueError`` for an
    empty array, a wrong number of dimensions, fractional values or labels
    outside the range.
    """
    arr = np.asarray(y.detach().cpu().numpy() if hasattr(y, "detach") else y)
    if arr.dtype == bool:
        arr = arr.astype(np.int64)
    if not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D with shape (N,), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: expected at least one label")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{name} must hold integer class labels, got non-integer values")
    arr = arr.astype(np.int64)
    if arr.min() < 0:
        raise ValueError(f"{name} must hold labels >= 0, got {arr.min()}")
    if num_classes is not None:
        num_classes = check_num_classes(num_classes)
        if arr.max() >= num_classes:
            raise ValueError(
                f"{name} must hold labels in [0, {num_classes}), got {arr.max()}"
            )
    return arr


def check_num_classes(num_classes, name: str = "num_classes") -> int:
    """Return ``num_classes`` as an int >= 1."""
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(num_classes).__name__}")
    if num_classes < 1:
        raise ValueError(f"{name} must be >= 1, got {num_classes}")
    return int(num_classes)


def check_nonnegative_finite(value, name: str, shape: tuple | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array, checking it is finite, >= 0 and of ``shape``.

    ``shape`` may contain ``None`` for a free dimension.
    """
    raw = value.detach().cpu().numpy() if hasattr(value, "detach") else value
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers, got {type(value).__name__}") from None
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = "(" + ", ".join("N" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got NaN or infinity")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {arr.min()}")
    return arr


def finite_vector(values, name: str) -> np.ndarray:
    """Return ``values`` as a non-empty 1-D float64 array of finite numbers (tensors are read back)."""
    raw = values.detach().cpu().numpy() if hasattr(values, "detach") else values
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {type(values).__name__}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must have shape (N,) with N >= 1, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got NaN or infinity")
    return arr


def finite_real(value, name: str) -> float:
    """Return ``value`` (a number, or a 0-d array or tensor) as a finite float."""
    if isinstance(value, (bool, str)) or getattr(value, "ndim", 0) != 0:
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}") from None
    if not math.isfinite(number):  # math, not NumPy: traced as plain Python inside torch.compile
        raise ValueError(f"{name} must be finite, got {number}")
    return number


def positive_finite(value, name: str) -> float:
    """Return ``value`` as a float, checked to be a finite number > 0."""
    number = finite_real(value, name)
    if number <= 0:
        raise ValueError(f"{name} must be finite and > 0, got {number}")
    return number


def positive_number(value, name: str) -> float:
    """Return ``value``, a Python or NumPy real number (not an array or tensor), as a float checked to be > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    return positive_finite(value, name)


def require(ok, error: type, message: str, got=None) -> None:
    """Raise ``error(message + ", got <value>")`` unless the boolean tensor ``ok`` is true, without a host sync
    where one would cost.

    On the CPU the condition is read at once. On another device, or while ``torch.compile`` traces,
    it goes to ``torch._assert_async`` (a ``RuntimeError`` with ``message`` when it fails). Meta
    tensors are not checked.
    """
    if isinstance(ok, bool):  # a condition on values already read back
        if not ok:
            raise error(message if got is None else f"{message}, got {got}")
        return
    if ok.device.type == "meta":
        return
    if ok.device.type != "cpu" or torch.compiler.is_compiling():
        torch._assert_async(ok, message)
        return
    if not bool(ok):
        raise error(message if got is None else f"{message}, got {got.item()}")


def as_checked_tensor(value, name: str, what: str) -> torch.Tensor:
    """``value`` as a tensor (tensors pass through), a TypeError naming ``name`` if it holds no numbers."""
    if isinstance(value, torch.Tensor):
        tensor = value
    else:
        try:
            tensor = torch.as_tensor(value)
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(f"{name} must hold {what}, got {type(value).__name__}") from None
    if tensor.dtype.is_complex:
        raise TypeError(f"{name} must hold {what}, got dtype {tensor.dtype}")
    return tensor


def binary_labels(targets, n: int, name: str = "targets", dtype: torch.dtype = torch.float32,
                  device=None) -> torch.Tensor:
    """Return 0/1 labels of shape (n,) as a ``dtype`` tensor; the one check of binary labels in ``wloss``.

    Float, integer and bool labels are accepted (tensors, arrays or lists); any value other than 0 and 1,
    or another shape, raises a ValueError naming ``name``.

    Examples
    --------
    >>> binary_labels([1, 0, True], 3)
    tensor([1., 0., 1.])
    """
    labels = as_checked_tensor(targets, name, "0/1 labels")
    if tuple(labels.shape) != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {tuple(labels.shape)}")
    labels = labels.to(device=device if device is not None else labels.device)
    if labels.dtype != torch.bool and labels.numel():
        require(((labels == 0) | (labels == 1)).all(), ValueError,
                f"{name} must hold binary labels in {{0, 1}}, got other values")
    return labels.to(dtype)
