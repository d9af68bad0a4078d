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
    return positive_int(num_classes, name)


def positive_int(value, name: str) -> int:
    """Return ``value``, a Python or NumPy int (not a bool), checked to be >= 1 (a count, a number of iterations)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def float_array(value, name: str, what: str = "an array of numbers") -> np.ndarray:
    """Return ``value`` as a float64 array (a tensor is read back), or raise a TypeError saying it must be ``what``."""
    raw = value.detach().cpu().numpy() if hasattr(value, "detach") else value
    try:
        return np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}") from None


def check_nonnegative_finite(value, name: str, shape: tuple | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array, checking it is finite, >= 0 and of ``shape``.

    ``shape`` may contain ``None`` for a free dimension.
    """
    arr = float_array(value, name, "a number or an array of numbers")
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
    arr = float_array(values, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D with shape (N,), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: expected at least one value")
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


# ---------------------------------------------------------------- labels (NumPy side)

def binary_label_array(y, name: str = "y") -> np.ndarray:
    """Return ``y`` as a 1-D int64 array of labels 0 and 1 (``as_label_array``, then no label above 1)."""
    labels = as_label_array(y, name)
    if labels.max() > 1:
        raise ValueError(f"{name} must hold binary labels 0 or 1, got {labels.max()}")
    return labels


def label_pair(y_true, y_pred, num_classes=None) -> tuple[np.ndarray, np.ndarray]:
    """Return true and predicted labels (``as_label_array``), checked to have the same length."""
    true = as_label_array(y_true, "y_true", num_classes)
    pred = as_label_array(y_pred, "y_pred", num_classes)
    if true.size != pred.size:
        raise ValueError(f"y_true and y_pred must have the same length, got {true.size} and {pred.size}")
    return true, pred


def labels_like(y, name: str, n: int, other: str, unit: str = "rows", num_classes=None) -> np.ndarray:
    """Return ``y`` as labels (``as_label_array``), one for each of the ``n`` rows (or ``unit``) of ``other``.

    Examples
    --------
    >>> labels_like([0, 1], "y_true", 3, "logits")
    Traceback (most recent call last):
    ...
    ValueError: y_true has 2 labels but logits has 3 rows
    """
    labels = as_label_array(y, name, num_classes)
    if len(labels) != n:
        raise ValueError(f"{name} has {len(labels)} labels but {other} has {n} {unit}")
    return labels


def scores_and_labels(scores, y_true) -> tuple[np.ndarray, np.ndarray]:
    """Return finite scores (N,) (``finite_vector``) and 0/1 labels (N,) (``binary_label_array``) of the same length."""
    score = finite_vector(scores, "scores")
    true = binary_label_array(y_true, "y_true")
    if score.size != true.size:
        raise ValueError(f"scores and y_true must have the same length, got {score.size} and {true.size}")
    return score, true


# ---------------------------------------------------------------- probabilities (NumPy side)

def binary_probabilities(p, labels, name: str = "p", labels_name: str = "targets") -> tuple[np.ndarray, np.ndarray]:
    """Return probabilities (N,) in [0, 1], N >= 1, and their 0/1 labels (N,), both as float64 arrays."""
    probs = float_array(p, name)
    if probs.ndim != 1 or probs.size == 0:
        raise ValueError(f"{name} must be a non-empty probability vector of shape (N,), got {probs.shape}")
    if not np.all((probs >= 0) & (probs <= 1)):  # NaN fails both
        raise ValueError(f"{name} must hold probabilities in [0, 1]")
    return probs, binary_labels(labels, len(probs), labels_name, dtype=torch.float64, device="cpu").numpy()


def probability_matrix(probabilities, name: str = "probabilities") -> np.ndarray:
    """Return a float64 (N, K) matrix, N >= 1 and K >= 2, of finite entries >= 0 whose rows sum to 1 (within 1e-6)."""
    p = check_nonnegative_finite(probabilities, name, shape=(None, None))
    if p.shape[0] == 0 or p.shape[1] < 2:
        raise ValueError(f"{name} must have shape (N, K) with N >= 1 and K >= 2, got {p.shape}")
    if not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError(f"{name} must lie in [0, 1] with every row summing to 1")
    return p


def class_priors(priors, name: str, k: int) -> np.ndarray:
    """Return ``k`` class priors, each > 0, summing to 1 (within 1e-6; renormalised exactly)."""
    pi = check_nonnegative_finite(priors, name, shape=(k,))
    if np.any(pi == 0) or not np.isclose(pi.sum(), 1.0, atol=1e-6):
        raise ValueError(f"{name} must be > 0 and sum to 1, got {np.round(pi, 4)}")
    return pi / pi.sum()


# ---------------------------------------------------------------- multi-label (N, L) targets and per-label costs

def multi_hot(Y, name: str = "Y") -> np.ndarray:
    """Return ``Y`` as a float64 (N, L) array of 0/1, N >= 1 and L >= 1: multi-hot labels, one column per label."""
    arr = float_array(Y, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D multi-hot matrix of shape (N, L), got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one row and one column, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must hold only 0 and 1, got NaN or infinity")
    if np.any((arr != 0) & (arr != 1)):
        bad = arr[(arr != 0) & (arr != 1)][0]
        raise ValueError(f"{name} must hold only 0 and 1 (multi-hot labels), got {bad:g}")
    return arr


def label_costs(value, name: str, n_labels: int | None = None) -> np.ndarray:
    """Return a float64 (L,) array of finite costs >= 0, one per label (L = ``n_labels`` when given)."""
    arr = float_array(value, name)
    if arr.ndim != 1 or arr.shape[0] == 0:
        raise ValueError(f"{name} must be 1-D with one cost per label, shape (L,), got shape {arr.shape}")
    if n_labels is not None and arr.shape[0] != n_labels:
        raise ValueError(f"{name} must have shape ({n_labels},), one cost per label, got shape {arr.shape}")
    return check_nonnegative_finite(arr, name)


def label_cost_pair(fn_cost, fp_cost, n_labels: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return a false-negative and a false-positive cost per label (``label_costs``), not both 0 for any label."""
    c_fn = label_costs(fn_cost, "fn_cost", n_labels)
    c_fp = label_costs(fp_cost, "fp_cost", c_fn.shape[0])
    both_zero = np.flatnonzero((c_fn == 0) & (c_fp == 0))
    if both_zero.size:
        raise ValueError(f"fn_cost and fp_cost are both zero for label(s) {both_zero.tolist()}: "
                         "each label needs at least one cost > 0")
    return c_fn, c_fp
