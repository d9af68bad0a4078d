"""Checks for exercise 05 (a weight per observation and class)."""
import numpy as np

from wloss.checks import check_array, check_close, check_scalar, check_true, fail, passed, task
from wloss.scenarios import (bayes_decisions, make_transactions, rwwce_weights_from_costs,
                             total_decision_cost, transaction_cost_matrices, true_class_cost_rows)


def _transaction_case(n=12, seed=5):
    _, y, amount = make_transactions(n, seed=seed)
    y[:3] = [0, 1, 2]                        # every class present
    return y, transaction_cost_matrices(amount)


def _probability_case(n=12, seed=5):
    y, C = _transaction_case(n, seed)
    probs = np.random.default_rng(seed).dirichlet([4.0, 1.0, 1.0], size=n)
    return y, C, probs


def check_rwwce_split(rwwce_split):
    y, C = _transaction_case()
    cases = [("12 transactions", true_class_cost_rows(C, y), y),
             ("two wrong classes cost the same", np.array([[0.0, 5.0, 5.0], [3.0, 0.0, 7.0]]), np.array([0, 1]))]
    for case, rows, labels in cases:
        fn_expected, fp_expected = rwwce_weights_from_costs(rows, labels)
        with task("rwwce_split"):
            got = rwwce_split(rows, labels)
        check_true(isinstance(got, tuple) and len(got) == 2,
                   f"rwwce_split ({case}): expected a tuple (fn_weight, fp_weight), got {type(got).__name__}")
        fn = check_array(f"fn_weight ({case})", got[0], shape=fn_expected.shape)
        fp = check_array(f"fp_weight ({case})", got[1], shape=fp_expected.shape)
        if np.any(fp[np.arange(len(labels)), labels] != 0):
            fail(f"fp_weight ({case}): the column of the true class must be 0 (predicting y_i is no mistake)")
        if np.any(fp < -1e-12):
            fail(f"fp_weight ({case}): some weights are negative (min {fp.min():.3g}); fn_i must be the SMALLEST "
                 "cost of a wrong class, so that c_ij - fn_i >= 0")
        check_close("fn_weight", fn, fn_expected, case=case)
        check_close("fp_weight", fp, fp_expected, case=case)
    passed("rwwce_split: fn_i + fp_ij reproduces every cost c_ij, and no weight is negative")


def check_expected_cost(expected_cost):
    y, C, probs = _probability_case()
    rows = true_class_cost_rows(C, y)
    cases = [("12 transactions", probs, rows),
             ("certain and right", np.eye(3), np.array([[0.0, 2.0, 3.0], [1.0, 0.0, 4.0], [5.0, 6.0, 0.0]]))]
    for case, p, r in cases:
        with task("expected_cost"):
            got = check_array(f"expected_cost ({case})", expected_cost(p, r), shape=(len(r),))
        if case == "12 transactions" and np.allclose(got, ((1 - p) * r).sum(axis=1)):
            fail(f"expected_cost ({case}): you weighted the costs by 1 - p_ij; the expected cost weights c_ij "
                 "by the probability p_ij of answering j")
        check_close("expected_cost", got, (p * r).sum(axis=1), case=case)
    passed("expected_cost: sum_j p_ij c_ij for every example")


def check_total_cost(total_cost):
    y, C = _transaction_case()
    decisions = np.r_[np.zeros(6, int), np.ones(3, int), np.full(3, 2)]
    idx = np.arange(len(y))
    cases = [("approve all", np.zeros_like(y)), ("mixed decisions", decisions), ("all correct", y.copy())]
    for case, d in cases:
        with task("total_cost"):
            got = check_scalar(f"total_cost ({case})", total_cost(y, d, C))
        expected = total_decision_cost(y, d, C)
        if not np.isclose(got, expected) and np.isclose(got, C[idx, d, y].sum()):
            fail(f"total_cost ({case}): you indexed C[i, decision, true]; the matrices are [true, action], "
                 "so the cost of example i is C[i, y_i, d_i]")
        if not np.isclose(got, expected) and np.isclose(got, expected / len(y)):
            fail(f"total_cost ({case}): you returned the mean cost per transaction; return the TOTAL")
        check_close("total_cost", got, expected, case=case)
    passed("total_cost: the money the decisions lose on the test set")


def check_bayes_decide(bayes_decide):
    y, C, probs = _probability_case(n=200, seed=6)
    expected = bayes_decisions(probs, C)
    with task("bayes_decide"):
        got = check_array("bayes_decide", bayes_decide(probs, C), shape=(len(y),))
    if np.array_equal(got, probs.argmax(axis=1)) and not np.array_equal(got, expected):
        fail("bayes_decide: you returned argmax_j p_ij, the most probable class; choose the action of least "
             "expected cost, argmin_j sum_k p_ik C[i, k, j]")
    if np.array_equal(got, np.einsum("nk,nkj->nj", probs, C).argmax(axis=1)):
        fail("bayes_decide: you took the argMAX of the expected cost; take the argmin")
    wrong = np.flatnonzero(got != expected)
    if wrong.size:
        i = wrong[0]
        fail(f"bayes_decide: {wrong.size} of {len(y)} decisions differ, e.g. example {i} with p = "
             f"{np.round(probs[i], 3)}: expected action {expected[i]}, got {got[i]} (did you contract over the "
             "true-class index k of C[i, k, j]?)")
    passed("bayes_decide: every decision minimises the expected cost")


KERAS_ANSWERS = {
    "loss_weights": "loss_weights weights the model's OUTPUTS (one lambda per output head); with one output it "
                    "only rescales the whole loss and weights no class",
    "class_weight": "class_weight gives one weight per TRUE class, the same for every observation",
    "sample_weight": "sample_weight gives one weight per observation, the same whichever wrong class is predicted",
}


def check_keras_argument(answer):
    check_true(isinstance(answer, str),
               f"keras_argument: expected one of the strings {sorted([*KERAS_ANSWERS, 'custom loss'])}, "
               f"got {type(answer).__name__}")
    choice = answer.strip().lower()
    if choice in KERAS_ANSWERS:
        fail(f"keras_argument: not {choice!r} - {KERAS_ANSWERS[choice]}")
    check_true(choice == "custom loss",
               f"keras_argument: expected one of {sorted([*KERAS_ANSWERS, 'custom loss'])}, got {answer!r}")
    passed("keras_argument: a weight per (observation, class) needs a custom loss that receives the w_ij")
