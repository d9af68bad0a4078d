"""The multi-label Real-World-Weight Cross-Entropy: a false-negative and a false-positive cost per label.

Targets are a multi-hot matrix Y of shape (N, L): Y[i, l] = 1 when example i carries label l. Each column
is its own binary problem, so the costs are vectors with one entry per label (column). Its inputs are
checked as ``asymmetric_loss``'s, the other multi-label loss: logits (N, L) and 0/1 targets (N, L).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from wloss._validation import label_cost_pair
from wloss.losses import _fusable
from wloss.losses._inputs import check_reduction, reduce, require, weight_tensor
# the (N, L) logits and multi-hot targets of the multi-label losses are checked in one place, asymmetric_loss's
from wloss.losses.asymmetric import _multi_hot_targets, _multilabel_logits

__all__ = ["multilabel_rwwce"]


def multilabel_rwwce(logits, targets, fn_cost, fp_cost, reduction="mean"):
    """Multi-label Real-World-Weight Cross-Entropy from logits (Ho & Wookey, binary eq. 5 per label).

    loss_i = -sum_l [ c_fn,l * y_il * log sigmoid(z_il) + c_fp,l * (1 - y_il) * log(1 - sigmoid(z_il)) ]
           =  sum_l [ c_fn,l * y_il * softplus(-z_il) + c_fp,l * (1 - y_il) * softplus(z_il) ],

    computed with softplus (log-sigmoid), so it is finite for any finite logit. Its gradient wrt z_il
    is c_fn,l (p_il - 1) when y_il = 1 and c_fp,l p_il when y_il = 0.

    Parameters
    ----------
    logits : Tensor (N, L), floating point, L >= 1.
    targets : (N, L) of 0/1 (Tensor, array or list; float, int or bool).
    fn_cost, fp_cost : (L,) finite costs >= 0 (not both zero for a label); tensors keep their grad.
    reduction : "mean" (sum_i loss_i / N), "sum" (sum_i loss_i) or "none" (loss_i, shape (N,)).

    Notes
    -----
    ``F.binary_cross_entropy_with_logits(z, y, pos_weight=c_fn / c_fp, weight=c_fp)`` (mean) divides by
    N * L entries, this loss by N examples: ``multilabel_rwwce(...) = L * F.binary_cross_entropy_with_logits(...)``.
    With fp_cost = 1 this is BCE with ``pos_weight = fn_cost``, times L.

    float16/bfloat16 logits are computed in float32; the loss is returned in the logits' dtype.

    Under ``torch.compile(fullgraph=True)`` it traces whole: the checks of the targets' and the costs' values
    become assertions in the graph.

    The readable NumPy float64 transcription is ``wloss.reference.multilabel_rwwce``.

    Examples
    --------
    >>> z, y = torch.zeros(2, 2), torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> round(multilabel_rwwce(z, y, [3.0, 1.0], [1.0, 1.0]).item(), 4)   # (3 + 1 + 1 + 1) log 2 / 2
    2.0794
    """
    check_reduction(reduction)
    z = _multilabel_logits(logits)
    if z.shape[1] == 0:
        raise ValueError(f"logits must have shape (N, L) with L >= 1, got shape {tuple(z.shape)}")
    y = _multi_hot_targets(targets.detach() if isinstance(targets, torch.Tensor) else targets, z)
    n_labels = z.shape[1]
    c_fn = weight_tensor(fn_cost, "fn_cost", z, (n_labels,))   # a cost that requires grad keeps it
    c_fp = weight_tensor(fp_cost, "fp_cost", z, (n_labels,))
    _some_cost_per_label(c_fn.detach(), c_fp.detach())

    if torch.compiler.is_compiling():  # the same loss, in the form Inductor fuses (wloss.losses._fusable)
        return _fusable.reduce_row_sums(_fusable.bce_per_entry(z, y, c_fn, c_fp), reduction).to(logits.dtype)
    per_entry = c_fn * y * F.softplus(-z) + c_fp * (1 - y) * F.softplus(z)
    return reduce(per_entry.sum(dim=1), reduction, logits.dtype)


def _some_cost_per_label(c_fn: torch.Tensor, c_fp: torch.Tensor) -> None:
    """Check that no label has both costs 0: on the CPU naming the labels, elsewhere as an assertion."""
    if c_fn.device.type == "cpu" and not torch.compiler.is_compiling():
        label_cost_pair(c_fn, c_fp)
    else:
        require(((c_fn != 0) | (c_fp != 0)).all(), ValueError,
                "fn_cost and fp_cost are both zero for some label: each label needs at least one cost > 0")
