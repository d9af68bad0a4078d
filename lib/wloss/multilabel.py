"""Multi-label classification: L independent yes/no labels per example, one logit each.

Targets are a multi-hot matrix Y of shape (N, L): Y[i, l] = 1 when example i carries label l. Each
column is its own binary problem, so every weight, cost and threshold is a vector with one entry per
label (column), never one number for the whole matrix and never one per row.

- ``pos_weight_per_label(Y)``: w_l = n_neg,l / n_pos,l, counted down each column;
- ``multilabel_rwwce(logits, targets, fn_cost, fp_cost)``: the Real-World-Weight Cross-Entropy of
  Ho & Wookey with a false-negative and a false-positive cost per label, computed from logits;
- ``bayes_thresholds(fn_cost, fp_cost)``: the cost-optimal probability threshold of each label;
- ``multilabel_real_world_cost`` and ``per_label_recall_precision`` to score 0/1 decisions;
- ``multilabel_rwwce_reference``: the same loss in readable NumPy float64.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from wloss._validation import require

__all__ = ["pos_weight_per_label", "multilabel_rwwce", "multilabel_rwwce_reference", "bayes_thresholds",
           "multilabel_real_world_cost", "per_label_recall_precision"]

_REDUCTIONS = ("mean", "sum", "none")


# ---------------------------------------------------------------- validation (NumPy side)

def _as_float_array(value, name: str) -> np.ndarray:
    raw = value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else value
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}") from None
    return arr


def _multi_hot(Y, name: str = "Y") -> np.ndarray:
    """``Y`` as a float64 (N, L) array of 0/1, or a ValueError/TypeError naming ``name``."""
    arr = _as_float_array(Y, name)
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


def _costs(value, name: str, n_labels: int | None = None) -> np.ndarray:
    """``value`` as a float64 (L,) array of finite costs >= 0."""
    arr = _as_float_array(value, name)
    if arr.ndim != 1 or arr.shape[0] == 0:
        raise ValueError(f"{name} must be 1-D with one cost per label, shape (L,), got shape {arr.shape}")
    if n_labels is not None and arr.shape[0] != n_labels:
        raise ValueError(f"{name} must have shape ({n_labels},), one cost per label, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got NaN or infinity")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {arr.min():g}")
    return arr


def _cost_pair(fn_cost, fp_cost, n_labels: int | None = None):
    c_fn = _costs(fn_cost, "fn_cost", n_labels)
    c_fp = _costs(fp_cost, "fp_cost", c_fn.shape[0])
    both_zero = np.flatnonzero((c_fn == 0) & (c_fp == 0))
    if both_zero.size:
        raise ValueError(f"fn_cost and fp_cost are both zero for label(s) {both_zero.tolist()}: "
                         "each label needs at least one cost > 0")
    return c_fn, c_fp


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


# ---------------------------------------------------------------- weights and thresholds

def pos_weight_per_label(Y) -> np.ndarray:
    """Per-label ``pos_weight`` of a multi-hot matrix: negatives over positives in each column.

    w_l = n_neg,l / n_pos,l,  n_pos,l = sum_i Y[i, l],  n_neg,l = N - n_pos,l.

    This is the ``pos_weight`` (shape (L,)) that ``torch.nn.BCEWithLogitsLoss`` expects for (N, L)
    targets: with it, the positives and the negatives of each label carry the same total weight.

    Parameters
    ----------
    Y : array-like or Tensor (N, L) of 0/1 (float, int or bool).

    Returns
    -------
    numpy.ndarray (L,), float64. A label present in every row gets 0.

    Raises
    ------
    ValueError
        If ``Y`` is not 2-D, holds values other than 0 and 1, or a column has no positive
        (its weight would be infinite).

    Examples
    --------
    >>> pos_weight_per_label([[1, 0], [0, 0], [0, 1], [0, 0]]).tolist()
    [3.0, 3.0]
    """
    arr = _multi_hot(Y, "Y")
    n_pos = arr.sum(axis=0)
    empty = np.flatnonzero(n_pos == 0)
    if empty.size:
        raise ValueError(f"Y has no positive example in column(s) {empty.tolist()}: their pos_weight "
                         "n_neg / n_pos would be infinite; drop those labels or count on more data")
    return (arr.shape[0] - n_pos) / n_pos


def bayes_thresholds(fn_cost, fp_cost) -> np.ndarray:
    """The cost-optimal probability threshold of each label: t_l = c_fp,l / (c_fp,l + c_fn,l).

    With a calibrated probability q of label l, predicting it costs (1 - q) c_fp,l in expectation and
    not predicting it costs q c_fn,l; predicting is cheaper exactly when q > t_l.

    Parameters
    ----------
    fn_cost, fp_cost : array-like (L,), finite, >= 0, not both zero for any label.

    Returns
    -------
    numpy.ndarray (L,), float64, in [0, 1].

    Examples
    --------
    >>> bayes_thresholds([9.0, 1.0], [1.0, 1.0]).tolist()
    [0.1, 0.5]
    """
    c_fn, c_fp = _cost_pair(fn_cost, fp_cost)
    return c_fp / (c_fp + c_fn)


# ---------------------------------------------------------------- the loss

def multilabel_rwwce(logits, targets, fn_cost, fp_cost, reduction="mean"):
    """Multi-label Real-World-Weight Cross-Entropy from logits (Ho & Wookey, binary eq. 5 per label).

    loss_i = -sum_l [ c_fn,l * y_il * log sigmoid(z_il) + c_fp,l * (1 - y_il) * log(1 - sigmoid(z_il)) ]
           =  sum_l [ c_fn,l * y_il * softplus(-z_il) + c_fp,l * (1 - y_il) * softplus(z_il) ],

    computed with softplus (log-sigmoid), so it is finite for any finite logit. Its gradient wrt z_il
    is c_fn,l (p_il - 1) when y_il = 1 and c_fp,l p_il when y_il = 0.

    Parameters
    ----------
    logits : Tensor (N, L), floating point.
    targets : (N, L) of 0/1 (Tensor, array or list; float, int or bool).
    fn_cost, fp_cost : (L,) finite costs >= 0 (not both zero for a label); tensors keep their grad.
    reduction : "mean" (sum_i loss_i / N), "sum" (sum_i loss_i) or "none" (loss_i, shape (N,)).

    Notes
    -----
    ``F.binary_cross_entropy_with_logits(z, y, pos_weight=c_fn / c_fp, weight=c_fp)`` (mean) divides by
    N * L entries, this loss by N examples: ``multilabel_rwwce(...) = L * F.binary_cross_entropy_with_logits(...)``.
    With fp_cost = 1 this is BCE with ``pos_weight = fn_cost``, times L.

    float16/bfloat16 logits are computed in float32; the loss is returned in the logits' dtype.

    Under ``torch.compile(fullgraph=True)`` it traces whole: the 0/1 check of the targets becomes an assertion
    in the graph, and the cost values are checked on the host only outside compilation.

    Examples
    --------
    >>> z, y = torch.zeros(2, 2), torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> round(multilabel_rwwce(z, y, [3.0, 1.0], [1.0, 1.0]).item(), 4)   # (3 + 1 + 1 + 1) log 2 / 2
    2.0794
    """
    _check_reduction(reduction)
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"logits must be a torch.Tensor of shape (N, L), got {type(logits).__name__}")
    if not logits.is_floating_point():
        raise TypeError(f"logits must be a floating-point tensor, got dtype {logits.dtype}")
    if logits.ndim != 2 or logits.shape[1] == 0:
        raise ValueError(f"logits must have shape (N, L) with L >= 1, got shape {tuple(logits.shape)}")
    n, n_labels = logits.shape
    work = torch.float32 if logits.dtype in (torch.float16, torch.bfloat16) else logits.dtype
    z = logits.to(work)

    if isinstance(targets, torch.Tensor):
        y = targets.detach()
    else:
        y = torch.as_tensor(_as_float_array(targets, "targets"))
    if y.dtype.is_complex:
        raise TypeError(f"targets must hold 0/1 labels, got dtype {y.dtype}")
    if tuple(y.shape) != (n, n_labels):
        raise ValueError(f"targets must have the logits' shape {(n, n_labels)}, got {tuple(y.shape)}")
    y = y.to(device=z.device, dtype=work)
    require(((y == 0) | (y == 1)).all(), ValueError,   # read at once on the CPU, asserted inside torch.compile
            "targets must hold only 0 and 1 (multi-hot labels), got other values")

    if not torch.compiler.is_compiling():         # values checked on the host (not while torch.compile traces)
        _cost_pair(fn_cost, fp_cost, n_labels)    # gradients kept below
    c_fn = torch.as_tensor(fn_cost).to(device=z.device, dtype=work)
    c_fp = torch.as_tensor(fp_cost).to(device=z.device, dtype=work)

    per_entry = c_fn * y * F.softplus(-z) + c_fp * (1 - y) * F.softplus(z)
    per_example = per_entry.sum(dim=1)
    if reduction == "none":
        out = per_example
    elif reduction == "sum":
        out = per_example.sum()
    else:
        out = per_example.sum() / n if n else per_example.sum() * float("nan")
    return out.to(logits.dtype)


def multilabel_rwwce_reference(logits, targets, fn_cost, fp_cost, reduction="mean"):
    """NumPy float64 transcription of :func:`multilabel_rwwce`, written as the formula reads.

    loss_i = -sum_l [ c_fn,l y_il log p_il + c_fp,l (1 - y_il) log(1 - p_il) ],  with
    log p = -log(1 + e^-z) and log(1 - p) = -log(1 + e^z) (``np.logaddexp``).

    Examples
    --------
    >>> round(float(multilabel_rwwce_reference([[0.0, 0.0]], [[1, 0]], [3.0, 1.0], [1.0, 2.0])), 4)  # 5 log 2
    3.4657
    """
    _check_reduction(reduction)
    z = _as_float_array(logits, "logits")
    if z.ndim != 2:
        raise ValueError(f"logits must have shape (N, L), got shape {z.shape}")
    y = _multi_hot(targets, "targets")
    if y.shape != z.shape:
        raise ValueError(f"targets must have the logits' shape {z.shape}, got {y.shape}")
    c_fn, c_fp = _cost_pair(fn_cost, fp_cost, z.shape[1])
    log_p = -np.logaddexp(0.0, -z)
    log_1mp = -np.logaddexp(0.0, z)
    loss = -(c_fn * y * log_p + c_fp * (1 - y) * log_1mp).sum(axis=1)
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


# ---------------------------------------------------------------- scoring decisions

def per_label_recall_precision(Y, Y_pred):
    """Recall and precision of each label (column) of 0/1 decisions.

    recall_l = TP_l / n_pos,l, NaN when label l has no positive; precision_l = TP_l / (TP_l + FP_l), NaN when
    label l is never predicted.

    Examples
    --------
    >>> r, p = per_label_recall_precision([[1, 0], [1, 1], [0, 0]], [[1, 1], [0, 1], [0, 0]])
    >>> r.tolist(), p.tolist()
    ([0.5, 1.0], [1.0, 0.5])
    """
    y = _multi_hot(Y, "Y")
    y_hat = _multi_hot(Y_pred, "Y_pred")
    if y.shape != y_hat.shape:
        raise ValueError(f"Y_pred must have Y's shape {y.shape}, got {y_hat.shape}")
    tp = (y * y_hat).sum(axis=0)
    predicted = y_hat.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = tp / y.sum(axis=0)
        precision = np.where(predicted > 0, tp / np.maximum(predicted, 1), np.nan)
    return recall, precision


def multilabel_real_world_cost(Y, Y_pred, fn_cost, fp_cost) -> float:
    """Real World Cost of multi-label decisions: sum_l (FN_l c_fn,l + FP_l c_fp,l) / N.

    Examples
    --------
    >>> multilabel_real_world_cost([[1, 0], [0, 1]], [[0, 0], [1, 1]], [10.0, 10.0], [1.0, 1.0])
    5.5
    """
    y = _multi_hot(Y, "Y")
    y_hat = _multi_hot(Y_pred, "Y_pred")
    if y.shape != y_hat.shape:
        raise ValueError(f"Y_pred must have Y's shape {y.shape}, got {y_hat.shape}")
    c_fn, c_fp = _costs(fn_cost, "fn_cost", y.shape[1]), _costs(fp_cost, "fp_cost", y.shape[1])
    fn = (y * (1 - y_hat)).sum(axis=0)
    fp = ((1 - y) * y_hat).sum(axis=0)
    return float((fn * c_fn + fp * c_fp).sum() / y.shape[0])
