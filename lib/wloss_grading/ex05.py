"""The hidden part of exercise 05's checks: other class counts, free wrong answers, mixed probabilities graded
against the expected cost, and the prediction of task 3 graded against the experiment."""
import numpy as np

from wloss.checks import check_recorded_prediction, fail, fail_disagreeing, passed
from wloss.checks.ex05 import (ACTIONS, PREDICTION_AMOUNTS, bayes_actions_for_amounts,
                               decisions_hold, split_holds, transaction_rows, weights_hold)
from wloss.scenarios import make_transactions, transaction_cost_matrices


def _split_cases():
    rng = np.random.default_rng(55)
    y4 = rng.integers(0, 4, size=20)
    rows4 = rng.uniform(0.5, 9.0, size=(20, 4))
    rows4[np.arange(20), y4] = 0.0
    return [("4 classes, random costs", rows4, y4),
            ("a wrong answer that costs nothing", np.array([[0.0, 0.0, 4.0]]), np.array([0])),
            *[(f"transactions, seed {s}", *transaction_rows(30, seed=s)) for s in (7, 8)]]


def check_rwwce_split(rwwce_split):
    split_holds(rwwce_split, _split_cases())
    passed("rwwce_split: hidden cases too")


def _expected_cost(probs, C):
    """Reference: sum_k p_ik C_i[k, j], the expected cost of action j."""
    return np.einsum("nk,nkj->nj", probs, C)


def _least_expected_cost(probs, C):
    cost = _expected_cost(probs, C)
    return cost <= cost.min(axis=1, keepdims=True) + 1e-9


def _decide_cases():
    _, _, amount = make_transactions(200, seed=6)
    rng = np.random.default_rng(56)
    C = rng.uniform(0.0, 10.0, size=(300, 4, 4))
    return [("200 transactions, uncertain classes", np.random.default_rng(6).dirichlet([4.0, 1.0, 1.0], size=200),
             transaction_cost_matrices(amount)),
            ("4 classes, random asymmetric matrices with a non-zero diagonal", rng.dirichlet(np.ones(4), size=300),
             C)]


def check_bayes_decide(bayes_decide):
    decisions_hold(bayes_decide, _decide_cases(), _least_expected_cost)
    passed("bayes_decide: hidden cases too")


#: Task 3, graded: one question per amount, for the key the experiment contradicts.
_ACTION_QUESTIONS = {
    20: "at this amount, what does approving risk, and what does blocking or locking cost the legit customer?",
    100: "this one is close: have you weighed each action's expected cost, term by term?",
    500: "what do the two fraud classes cost if approved at this amount, weighed by their probabilities?",
}


def check_predicted_actions(predicted_actions, actions_reason):
    check_recorded_prediction("predicted_actions", predicted_actions, PREDICTION_AMOUNTS, ACTIONS,
                              "actions_reason", actions_reason, "", announce=False)
    outcome = {m: action for m, (_, action) in bayes_actions_for_amounts().items()}
    fail_disagreeing("predicted_actions", predicted_actions, outcome, _ACTION_QUESTIONS, "the experiment",
                     "compare the expected costs it printed for each amount")
    passed("predicted_actions: hidden part, graded against the experiment")


def _weight_cases():
    rng = np.random.default_rng(59)
    return [("4 classes, random costs", rng.uniform(0.5, 30.0, size=(5, 4))),
            ("2 classes, costs 1 and 9", [[1.0, 9.0]])]


def check_bayes_sample_weights(bayes_sample_weights):
    weights_hold(bayes_sample_weights, _weight_cases(), seed=57)
    passed("bayes_sample_weights: hidden cases too")


def check_open_scenario(my_cost_matrices, attribute, probs, open_decisions, open_report):
    """Every decision has the least expected cost under the student's own matrices."""
    probs = np.asarray(probs, dtype=float)
    C = np.asarray(my_cost_matrices(np.asarray(attribute, dtype=float).copy()), dtype=float)
    d = np.asarray(open_decisions).astype(int)
    ok = _least_expected_cost(probs, C)[np.arange(len(d)), d]
    if not ok.all():
        fail(f"open_decisions: {int((~ok).sum())} of {len(d)} decisions are not an action of least expected cost "
             "under your own matrices. Did you decide with the matrices you wrote, and with task 2's rule?")
    passed("open scenario: every decision has the least expected cost under your matrices (hidden part)")
