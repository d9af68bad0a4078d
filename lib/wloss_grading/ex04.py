"""The hidden part of exercise 04's checks: matrices with non-zero diagonals, the scenario's reference matrix, the
prediction graded against the experiment, other evaluation sets and other rankings with ties."""
import numpy as np

from wloss.checks import (check_array, check_recorded_prediction, check_scalar, check_true, fail_disagreeing, passed,
                          task)
from wloss.checks.ex04 import (ENTRY_QUESTIONS, PREDICTION_KEYS, PREDICTION_VALUES, ap_cases, evaluation_case,
                               evaluations_hold, interpolated_ap_holds, prevalence_experiment, thresholds_hold)

#: Every entry non-zero somewhere, a correct negative decision that costs something: a formula that drops C[0, 0]
#: or C[1, 1] passes the visible matrices (zero diagonal but one) and fails here.
MATRICES = [
    [[1.0, 3.0], [10.0, 2.0]],
    [[0.5, 0.6], [100.0, 0.0]],
    [[0.0, 30.0], [40.0, 25.0]],
]

#: The scenario's matrix in euros per order, C[true, decision].
FRAUD_COST = np.array([[0.0, 3.0 + 0.1 * 20.0], [120.0 + 15.0, 3.0]])

_PREVALENCE_QUESTIONS = {
    PREDICTION_KEYS[0]: "F1 counts true positives, false positives and false negatives: how do those counts at a "
                        "given threshold change when positives become common?",
    PREDICTION_KEYS[1]: "the expected cost of each decision at a score q involves q, c_fn and c_fp: where does the "
                        "share of positives enter it?",
}

#: Validation three times smaller than test, and the other way round, with other costs.
EVALUATION_CASES = [evaluation_case(75, 400, 5.0, 2.0, 11), evaluation_case(300, 160, 2.0, 7.0, 12)]

#: Other rankings: precision rising twice, ties of a positive with negatives, 60 examples.
AP_CASES = ap_cases([([0, 1, 1, 0, 1, 0], [0.2, 0.7, 0.4, 0.9, 0.5, 0.1]),
                     ([1, 0, 1, 0, 0, 0], [0.3, 0.3, 0.3, 0.9, 0.1, 0.3])], 60)


def check_threshold_from_cost_matrix(threshold_from_cost_matrix):
    thresholds_hold(threshold_from_cost_matrix, MATRICES)
    passed("threshold_from_cost_matrix: hidden cases too")


def check_fraud_scenario(fraud_cost, fraud_threshold, threshold_from_cost_matrix=None):
    """The matrix against the reference, entry by entry, and the threshold from the student's task-1 function."""
    C = check_array("fraud_cost", fraud_cost, shape=(2, 2))
    for (i, j), (what, question) in ENTRY_QUESTIONS.items():
        check_true(np.isclose(C[i, j], FRAUD_COST[i, j], rtol=1e-9, atol=1e-9),
                   f"fraud_cost[{i}, {j}], the cost of {what}, does not follow from the story: {question}")
    check_true(threshold_from_cost_matrix is not None,
               "fraud_threshold: the graded part needs your task-1 function to check where the threshold comes from")
    t = check_scalar("fraud_threshold", fraud_threshold)
    with task("threshold_from_cost_matrix"):
        again = check_scalar("threshold_from_cost_matrix(fraud_cost)", threshold_from_cost_matrix(C.copy()))
    check_true(np.isclose(again, t, rtol=1e-9, atol=1e-12),
               "fraud_threshold: not what your task-1 function returns for fraud_cost. Where does your number come from?")
    passed("fraud scenario: hidden part too")


def check_prevalence_prediction(prediction, reason):
    """The two predictions against the experiment, on the draw the student ran and on another."""
    check_recorded_prediction("prediction", prediction, PREDICTION_KEYS, PREDICTION_VALUES, "reason", reason,
                              "in one sentence, why?", announce=False)
    for seed, draw in ((0, "the draw you ran"), (1, "another draw of the scores")):
        fail_disagreeing("prediction", prediction, prevalence_experiment(seed)["outcome"], _PREVALENCE_QUESTIONS,
                         f"the experiment ({draw})", "compare the two thresholds it printed at each prevalence")
    passed("prediction: both match the experiment (two draws of the scores)")


def check_evaluate_cost_rule(evaluate_cost_rule):
    evaluations_hold(evaluate_cost_rule, EVALUATION_CASES)
    passed("evaluate_cost_rule: hidden cases too")


def check_interpolated_average_precision(interpolated_average_precision):
    interpolated_ap_holds(interpolated_average_precision, AP_CASES)
    passed("interpolated_average_precision: hidden cases too")
