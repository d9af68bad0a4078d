"""Exercise 05's checks: the right answers pass, plausible wrong answers fail with CheckFailed.

For every graded task at least three wrong answers a student might write, each rejected (never a raw
exception), and no failure message states the task's answer.
"""
import numpy as np
import pytest

from wloss.checks import CheckFailed, ex05
from wloss.scenarios import bayes_decisions, rwwce_weights_from_costs


def own_mask(rows, y):
    own = np.zeros_like(rows, dtype=bool)
    own[np.arange(len(y)), y] = True
    return own


def split_with(fn_of_wrong_costs):
    """A split with fn_i = fn_of_wrong_costs(costs of the wrong classes) and fp_ij = c_ij - fn_i."""
    def split(rows, y):
        rows = np.asarray(rows, dtype=float)
        own = own_mask(rows, y)
        fn = np.array([fn_of_wrong_costs(r[~o]) for r, o in zip(rows, own)])
        return fn, np.where(own, 0.0, rows - fn[:, None])
    return split


# ---- task 1: any valid split passes ------------------------------------------------------------------
@pytest.mark.parametrize("split", [
    rwwce_weights_from_costs,                           # fn_i = min_j c_ij, the lecture's convention
    split_with(lambda wrong: 0.0),                      # fn_i = 0: all the cost on the fp terms
    split_with(lambda wrong: 0.5 * wrong.min()),        # anything in between
], ids=["fn=min", "fn=0", "fn=min/2"])
def test_every_valid_split_passes(split, capsys):
    ex05.check_rwwce_split(split)
    ex05.check_rwwce_split(split, hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 2


def split_keeping_the_true_column(rows, y):
    fn, _ = rwwce_weights_from_costs(rows, y)
    return fn, np.asarray(rows, dtype=float) - fn[:, None]           # fp[i, y_i] = -fn_i


def split_charging_fn_twice(rows, y):
    fn, _ = rwwce_weights_from_costs(rows, y)
    return fn, np.where(own_mask(np.asarray(rows), y), 0.0, rows)      # fp = c: a mistake costs fn + c


def split_with_the_mean(rows, y):
    return split_with(np.mean)(rows, y)                                 # fp of the cheapest mistake < 0


def split_with_the_max(rows, y):
    return split_with(np.max)(rows, y)


def split_with_fp_of_the_true_class_set_to_fn(rows, y):
    fn, fp = rwwce_weights_from_costs(rows, y)
    return fn, np.where(own_mask(np.asarray(rows), y), fn[:, None], fp)


@pytest.mark.parametrize("wrong, message", [
    (split_keeping_the_true_column, "not 0 in the column of the true class"),
    (split_charging_fn_twice, "must agree for every wrong class"),
    (split_with_the_mean, "negative"),
    (split_with_the_max, "negative"),
    (split_with_fp_of_the_true_class_set_to_fn, "not 0 in the column of the true class"),
    (lambda rows, y: rwwce_weights_from_costs(rows, y)[::-1], "expected shape"),
    (lambda rows, y: None, "return the pair"),
])
def test_wrong_splits_fail(wrong, message):
    with pytest.raises(CheckFailed, match=message) as failure:
        ex05.check_rwwce_split(wrong)
    assert "min" not in str(failure.value)                              # the convention is not given away


def test_a_split_valid_only_on_the_visible_cases_fails_the_hidden_ones(capsys):
    def zero_cost_wrong_answer_breaks(rows, y):
        fn, fp = split_with(lambda wrong: 1.0)(rows, y)                 # fn = 1 > 0 = a free wrong answer
        return fn, fp
    ex05.check_rwwce_split(zero_cost_wrong_answer_breaks)
    with pytest.raises(CheckFailed, match="negative"):
        ex05.check_rwwce_split(zero_cost_wrong_answer_breaks, hidden=True)


# ---- task 2: the transposed cost matrix ----------------------------------------------------------------
def shipped_bug(probs, C):
    return (C @ probs[:, :, None])[:, :, 0].argmin(axis=1)             # sum_k C[j, k] p_k: [action, true]


@pytest.mark.parametrize("wrong, message", [
    (shipped_bug, "do not have the least expected cost"),
    (lambda p, C: np.einsum("nk,njk->nj", p, C).argmin(axis=1), "which index of C_i"),
    (lambda p, C: p.argmax(axis=1), "most probable classes"),
    (lambda p, C: np.einsum("nk,nkj->nj", p, C).argmax(axis=1), "do not have the least expected cost"),
    (lambda p, C: np.einsum("nk,nkj->nj", p, C).argmin(axis=0), "expected shape"),
    (lambda p, C: np.einsum("nk,nkj->nj", p, C), "expected shape"),
])
def test_wrong_bayes_decisions_fail(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        ex05.check_bayes_decide(wrong)


def test_the_right_bayes_decisions_pass(capsys):
    ex05.check_bayes_decide(bayes_decisions, hidden=True)
    ex05.check_bayes_decide(lambda p, C: (p[:, None, :] @ C)[:, 0, :].argmin(axis=1))
    assert capsys.readouterr().out.count("\u2714") == 2


# ---- task 3: predicted actions -------------------------------------------------------------------------
def right_predictions():
    return {amount: best for amount, (_, best) in ex05.bayes_actions_for_amounts().items()}


def test_the_experiment_is_what_the_solution_predicts():
    """The Bayes actions follow from the cost table of lecture 05 by hand; the experiment must agree."""
    p = ex05.PREDICTION_PROBS
    by_hand = {}
    for m in ex05.PREDICTION_AMOUNTS:
        approve = p[1] * m + p[2] * 1.5 * m
        block = p[0] * (10 + 0.02 * m) + p[2] * m / 2
        lock = p[0] * (20 + 0.02 * m) + p[1] * 10
        by_hand[m] = int(np.argmin([approve, block, lock]))
    assert right_predictions() == by_hand


def test_right_predictions_pass(capsys):
    ex05.check_predicted_actions(right_predictions())
    ex05.check_predicted_actions(right_predictions(), hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("change", [
    {500.0: 0},            # the most probable class: approve
    {20.0: 2},             # lock whatever the amount
    {100.0: 1},            # block the 100 payment (its expected cost is close to approving)
])
def test_wrong_predictions_fail(change):
    predictions = {**right_predictions(), **change}
    with pytest.raises(CheckFailed, match="the experiment disagrees") as failure:
        ex05.check_predicted_actions(predictions, hidden=True)
    costs = [f"{cost:.1f}" for expected, _ in ex05.bayes_actions_for_amounts().values() for cost in expected]
    assert not any(cost in str(failure.value) for cost in costs)


@pytest.mark.parametrize("predictions, message", [
    ("lock", "a dict"),
    ({20: 0}, "no prediction for the amount 500"),
    ({20: "approve", 500: 2, 100: 0}, "an action index"),
])
def test_malformed_predictions_fail(predictions, message):
    with pytest.raises(CheckFailed, match=message):
        ex05.check_predicted_actions(predictions)


# ---- task 4: sample weights whose minimiser decides like the Bayes rule ------------------------------
def right_bayes_weights(C, y):
    C = np.asarray(C)
    return C[np.arange(len(y)), y].max(axis=1)            # what a mistake on this example costs


@pytest.mark.parametrize("answer", [
    right_bayes_weights,
    lambda C, y: C[np.arange(len(y)), y].sum(axis=1),     # (K - 1) times the same: a constant factor
    lambda C, y: 3.0 * right_bayes_weights(C, y),
], ids=["row max", "row sum", "scaled"])
def test_right_bayes_weights_pass(answer, capsys):
    ex05.check_bayes_sample_weights(answer)
    ex05.check_bayes_sample_weights(answer, hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong, message", [
    (lambda C, y: np.ones(len(y)), "not the Bayes action"),                                # plain CE
    (lambda C, y: C[np.arange(len(y)), :, y].sum(axis=1), "not the Bayes action"),         # cost of predicting y
    (lambda C, y: 1.0 / right_bayes_weights(C, y), "not the Bayes action"),                # inverse cost
    (lambda C, y: right_bayes_weights(C, y) ** 2, "not the Bayes action"),
    (lambda C, y: C[np.arange(len(y)), y, y], "positive"),                                 # the diagonal: 0
    (lambda C, y: C[np.arange(len(y)), y], "expected shape"),
])
def test_wrong_bayes_weights_fail(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        ex05.check_bayes_sample_weights(wrong)


def test_unfinished_tasks_fail_with_a_message():
    def unfinished(*args):
        raise NotImplementedError()
    for check in (ex05.check_rwwce_split, ex05.check_bayes_decide, ex05.check_bayes_sample_weights):
        with pytest.raises(CheckFailed, match="not done yet"):
            check(unfinished)
