"""PyTorch losses from logits: stable, vectorised, differentiable.

Binary losses take logits (N,) and 0/1 targets (N,); multiclass and ordinal losses take logits (N, K)
and int64 targets (N,). ``reduction`` is "mean" (sum / N, the seeds' 1/M, also with weights), "sum"
or "none". The readable NumPy transcriptions of the same formulas are in ``wloss.reference``.
"""
from wloss.losses.binary import rwwce_binary, sigmoid_focal_loss, weighted_bce_with_logits
from wloss.losses.multiclass import (expected_cost_loss, focal_loss, logit_adjusted_cross_entropy, rwwce,
                                     rwwce_per_example, weighted_cross_entropy)
from wloss.losses.ordinal import distance_penalized_cross_entropy, expected_label_l1_loss, rps_loss
from wloss.losses.ldam import drw_class_weights, ldam_loss, ldam_margins
from wloss.losses.coral import CoralLayer, coral_loss, coral_predict, coral_probabilities

__all__ = [
    "weighted_bce_with_logits", "rwwce_binary", "sigmoid_focal_loss",
    "weighted_cross_entropy", "rwwce", "rwwce_per_example", "expected_cost_loss", "focal_loss",
    "logit_adjusted_cross_entropy", "rps_loss", "expected_label_l1_loss", "distance_penalized_cross_entropy",
    "ldam_loss", "ldam_margins", "drw_class_weights", "coral_loss", "coral_probabilities", "coral_predict",
    "CoralLayer",
]
