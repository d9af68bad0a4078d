"""The hidden part of exercise 11's checks: other class weights, batch sizes, imbalances and penalties, and the
grading of task 2's prediction against the experiment."""
import numpy as np

from wloss.checks import fail_disagreeing, passed
from wloss.checks.ex11 import (PAD, PREDICT_LABELS_POSITIVES, PREDICT_LABELS_TOTAL, PREDICT_POS_WEIGHT, RATIO_KEYS,
                               accumulation_holds, balanced_holds, focal_cases, focal_holds, log_loss_cases,
                               log_loss_holds, undersampling_holds)
from wloss.checks.ex11 import check_predicted_ratios as visible_predicted_ratios

# ----------------------------------------------------------------------------- task 1

#: Two micro-batches with equal weight sums but different numbers of real positions (1/B right, counts wrong); K = 3
#: with a micro-batch of class 0 only, one of a single position, and padding where the rare classes are.
HIDDEN_ACCUMULATION_CASES = [
    ("2 micro-batches with the same weight sum, class_weight (2, 3)",
     [np.array([0, 1, 1, PAD]), np.array([1, 0, 1])], np.array([2.0, 3.0]), 111),
    ("4 micro-batches, K = 3, one holding class 0 only, class_weight (1, 5, 20)",
     [np.array([0, 0, 0, 0, 0]), np.array([2, PAD, 1, 0]), np.array([1]), np.array([0, 2, PAD, PAD, 2, 0])],
     np.array([1.0, 5.0, 20.0]), 112),
]


def check_accumulation_factors(accumulation_factors):
    accumulation_holds(accumulation_factors, HIDDEN_ACCUMULATION_CASES)
    passed("accumulation_factors: hidden cases too")


# ----------------------------------------------------------------------------- task 2

#: A predicted ratio is graded right within this relative distance of the measured one (the ratios are exact
#: arithmetic on the batch's counts; a guess from the printed digits is not).
RATIO_TOLERANCE = 1e-3

RATIO_QUESTIONS = {
    "predicted_ratio_full": "on the batch of 100, what does Keras divide the weighted sum of the losses by, and what "
                            "does PyTorch divide the same sum by?",
    "predicted_ratio_single": "write both losses for a batch that holds only one positive example: what is each "
                              "library's denominator then?",
}


def measured_ratios():
    """The two ratios of task 2, recomputed with NumPy (Keras's default reduction is sum / N, PyTorch's weighted
    mean sum / sum of the weights)."""
    y = np.r_[np.ones(PREDICT_LABELS_POSITIVES), np.zeros(PREDICT_LABELS_TOTAL - PREDICT_LABELS_POSITIVES)]
    w = np.where(y == 1, PREDICT_POS_WEIGHT, 1.0)
    z = np.random.default_rng(2).normal(size=len(y))
    losses = np.logaddexp(0, z) - y * z
    full = (w @ losses / len(y)) / (w @ losses / w.sum())
    single = (w[0] * losses[0] / 1) / (w[0] * losses[0] / w[0])   # example 0 is a positive
    return {"predicted_ratio_full": float(full), "predicted_ratio_single": float(single)}


def check_predicted_ratios(predicted_ratio_full, predicted_ratio_single, ratio_reason):
    """Both ratios graded against the experiment (after the visible well-formedness check)."""
    visible_predicted_ratios(predicted_ratio_full, predicted_ratio_single, ratio_reason, announce=False)
    predicted = dict(zip(RATIO_KEYS, (float(predicted_ratio_full), float(predicted_ratio_single))))
    measured = measured_ratios()
    agrees = {key: "agrees" if np.isclose(predicted[key], measured[key], rtol=RATIO_TOLERANCE) else "differs"
              for key in RATIO_KEYS}
    fail_disagreeing("predicted ratios", agrees, dict.fromkeys(RATIO_KEYS, "agrees"), RATIO_QUESTIONS,
                     "the experiment", "compare each with the ratio the experiment printed")
    passed("predicted ratios: both confirmed by the experiment (to 0.1 %)")


# ----------------------------------------------------------------------------- task 3

def check_bce_via_log_loss(bce_via_log_loss):
    """A rare class with a large weight, pos_weight 1, and a weight below 1 (the positives count for less)."""
    log_loss_holds(bce_via_log_loss, log_loss_cases(131, [(200, 0.05, 19.0), (40, 0.3, 1.0), (25, 0.6, 0.5)]))
    passed("bce_via_log_loss: hidden cases too")


# ----------------------------------------------------------------------------- task 4

def check_keras_focal_settings(keras_focal_settings):
    """pos_weight 1 (no weight), below 1 (the positives count for less) and 99 (an alpha close to 1)."""
    focal_holds(keras_focal_settings, focal_cases(444, [1.0, 0.25, 99.0], n=25))
    passed("keras_focal_settings: hidden cases too")


# ----------------------------------------------------------------------------- task 5

HIDDEN_UNDERSAMPLING_CASES = [("60 positives, 140 negatives, neg_weight=0.5", 60, 140, 0.5),
                              ("10 positives, 990 negatives, neg_weight=0.1", 10, 990, 0.1)]


def check_undersampling_strategy(undersampling_strategy):
    undersampling_holds(undersampling_strategy, HIDDEN_UNDERSAMPLING_CASES)
    passed("undersampling_strategy: hidden cases too")


# ----------------------------------------------------------------------------- task 7

#: 5 % positives with a strong penalty, and positives in the majority (a factor from the majority class fails).
HIDDEN_BALANCED_CASES = [(500, 0.05, 2, 5.0, 1.0), (200, 0.7, 3, 1.0, 2.0)]


def check_balanced_params(balanced_params):
    balanced_holds(balanced_params, HIDDEN_BALANCED_CASES)
    passed("balanced_params: hidden cases too")


# ----------------------------------------------------------------------------- task 8

#: Cases the student did not choose: positives only, a single positive, logits as large as 40 (where a log of a
#: sigmoid computed in two steps overflows), and 500 examples with 5 positives.
HIDDEN_PORT_CASES = [(20, 20, 3.0), (1, 1, 2.0), (30, 6, 40.0), (500, 5, 4.0)]


def check_own_port(torch_loss, ported_loss, open_library, open_case):
    """The port on batches the student did not choose: one class, one example, large logits, a rare class."""
    from wloss.checks.ex11 import port_cases, port_holds

    port_holds(torch_loss, ported_loss, port_cases(82, HIDDEN_PORT_CASES))
    passed("own port: hidden cases too (positives only, one example, logits up to 40, 5 positives in 500)")
