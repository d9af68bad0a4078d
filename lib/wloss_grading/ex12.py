"""The hidden part of exercise 12's checks: other shifts, priors, costs and logits, and the grading of the two
predictions against their experiments."""
import numpy as np

from wloss.checks import fail, fail_disagreeing, passed
from wloss.checks.ex12 import (BINS_FEW, BINS_MANY, BINS_N, CALIBRATION_KEYS, bbse_cases, calibration_cases,
                               calibration_experiment, calibration_holds, calibration_outcome, null_ece_by_bins,
                               priors_hold, threshold_holds)
from wloss.checks.ex12 import check_bins_prediction as visible_bins_prediction
from wloss.checks.ex12 import check_calibration_prediction as visible_calibration_prediction

# ----------------------------------------------------------------------------- task 1


def check_estimate_priors(estimate_priors):
    """Two balanced classes, four classes shifted every way, and three classes one of which is never the most
    probable (the confusion matrix of the arg-max is singular there; the probabilities' is not)."""
    priors_hold(estimate_priors, bbse_cases(121, [((50, 50), (1, 4), 2.0, None),
                                                  ((30, 30, 20, 20), (3, 1, 2, 5), 1.0, None),
                                                  ((40, 40, 40), (2, 1, 3), 1.5, 2)]))
    passed("estimate_priors: hidden cases too")


# ----------------------------------------------------------------------------- task 2

#: A rare positive becoming common, no shift with unequal costs, no shift and no costs, and a shift to 2 % with a
#: miss 25 times as expensive as a false alarm.
HIDDEN_THRESHOLD_CASES = [(0.05, 0.3, 10.0, 1.0), (0.5, 0.5, 4.0, 1.0), (0.3, 0.3, 1.0, 1.0), (0.6, 0.02, 50.0, 2.0)]


def check_shifted_threshold(shifted_threshold):
    threshold_holds(shifted_threshold, HIDDEN_THRESHOLD_CASES)
    passed("shifted_threshold: hidden cases too")


# ----------------------------------------------------------------------------- task 3

#: The experiment's seeds the prediction is graded on: the one the notebook prints and two more draws.
CALIBRATION_SEEDS = (3, 5, 6)

CALIBRATION_QUESTIONS = {
    "alerts changed by the temperature": "take a test point whose probability of class 2 is close to 0.1 and divide "
                                         "its three logits by the printed temperature: which way does that "
                                         "probability move, and can it cross 0.1? How many points sit that close?",
    "alerts after the prior correction": "class 2 is rare, so its balanced weight is the largest of the three: how "
                                         "does subtracting log w_k move its probability compared with the others'?",
}


def check_calibration_prediction(calibration_prediction, calibration_reason):
    """Both answers graded against the experiment, on the notebook's draw and two more."""
    visible_calibration_prediction(calibration_prediction, calibration_reason, announce=False)
    for seed in CALIBRATION_SEEDS:
        fail_disagreeing("calibration_prediction", calibration_prediction,
                         calibration_outcome(calibration_experiment(seed)), CALIBRATION_QUESTIONS, "the experiment",
                         "compare the numbers the experiment printed")
    passed(f"calibration_prediction: both confirmed by the experiment ({len(CALIBRATION_SEEDS)} draws of the data)")


# ----------------------------------------------------------------------------- task 4


def check_calibrated_test_ece(calibrated_test_ece):
    """Validation logits under-confident and test over-confident, then the other way round."""
    calibration_holds(calibrated_test_ece, calibration_cases(141, [(300, 300, 0.5, 2.0), (800, 500, 2.0, 0.7)]))
    passed("calibrated_test_ece: hidden cases too")


# ----------------------------------------------------------------------------- task 5

#: A prediction of the ratio is confirmed when it is within this relative distance of the measured ratio.
BINS_TOLERANCE = 0.15


def check_bins_prediction(predicted_ratio, predicted_reason):
    """The ratio graded against the experiment (after the visible well-formedness check)."""
    visible_bins_prediction(predicted_ratio, predicted_reason, announce=False)
    ratio = float(predicted_ratio)
    run = null_ece_by_bins()
    measured = run[BINS_MANY] / run[BINS_FEW]
    if abs(ratio / measured - 1) > BINS_TOLERANCE:
        if ratio < 1:
            question = ("is the ECE of a perfectly calibrated forecaster smaller when its probabilities are cut "
                        "into finer bins? How many examples does each bin then hold?")
        else:
            question = (f"with {BINS_MANY // BINS_FEW} times as many bins, how many examples does a bin hold, and how "
                        "does the noise in one bin's gap depend on that count?")
        fail(f"predicted_ratio: the experiment (n = {BINS_N}, perfectly calibrated forecaster, {BINS_FEW} against "
             f"{BINS_MANY} bins) does not confirm {ratio:.3g} - {question}")
    passed(f"predicted_ratio: confirmed by the experiment (within {100 * BINS_TOLERANCE:.0f} %)")


# ----------------------------------------------------------------------------- task 7 (open)


def check_own_calibrator(my_calibrator, open_method, open_test_ece):
    """The student's calibrator on two other draws: under-confident logits, and fewer validation examples."""
    from wloss.checks.ex12 import calibrator_holds

    for seed, settings, case in ((71, (600, 600, 0.5, 0.5), "another draw, under-confident logits"),
                                 (72, (150, 800, 2.0, 2.0), "another draw, 150 validation examples")):
        _, z_val, y_val, z_test, y_test = calibration_cases(seed, [settings])[0]
        calibrator_holds(my_calibrator, (z_val, y_val, z_test, y_test), case)
    passed("own calibrator: hidden cases too (two other draws give valid probabilities)")
