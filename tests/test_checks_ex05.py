"""Exercise 05's checks: the right answers pass, plausible wrong answers fail with CheckFailed.

For every check at least three wrong answers a student might write, each rejected with a message that names
the property and contains none of the fragments that would give the answer away (FORBIDDEN); the library's own
versions are blocked; an answer right only on the visible cases passes the visible check and fails the hidden one.
"""
from functools import partial

import numpy as np
import pytest

import wloss.decisions
import wloss.weights
from wloss.checks import CheckFailed, ex05
from wloss_grading import ex05 as hidden_ex05

import check_messages
from check_messages import failure_of, not_done

#: Per check: fragments no failure message may contain (answers, the key token of the fix, words that explain).
FORBIDDEN = {
    "check_rwwce_split": ["min", "cheapest wrong", "fn_i = ", "smallest wrong"],
    "check_bayes_decide": ["einsum", "nkj", "transpose", "C.T", "[true, action] as [action, true]", "swap"],
    "check_predicted_actions": ["2.4", "9.76", "18.9", "12.0", "12.8", "20.4", "60.0", "27.6", "28.0",
                                "is 'approve'", "is 'lock", "is 'block", "should", "the bayes action is"],
    "check_bayes_sample_weights": ["a_{y_i}", "a_y", "row max", "max(axis", "the cost of the true class",
                                   "s_k = "],
}


assert_clean = partial(check_messages.assert_teaches_without_telling, FORBIDDEN, ignore_case=True)


def failure(check_name, *args, module=ex05):
    """The message of the CheckFailed that ``module.check_name(*args)`` raises, checked for forbidden fragments."""
    return failure_of(FORBIDDEN, module, check_name, *args, ignore_case=True)


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


unfinished = not_done


# ---- task 1: any valid split passes ------------------------------------------------------------------
def right_split(rows, y):
    rows = np.asarray(rows, dtype=float)
    own = own_mask(rows, y)
    fn = np.array([sorted(r[~o])[0] for r, o in zip(rows, own)])       # the smallest wrong cost, by sorting
    return fn, np.where(own, 0.0, rows - fn[:, None])


def test_the_right_split_passes(capsys):
    ex05.check_rwwce_split(right_split)
    assert capsys.readouterr().out.count("\u2714") == 1


@pytest.mark.parametrize("split", [right_split, split_with(lambda wrong: 0.0),
                                   split_with(lambda wrong: 0.5 * wrong.min())], ids=["fn=min", "fn=0", "fn=min/2"])
def test_every_valid_split_passes(split, capsys):
    ex05.check_rwwce_split(split)
    hidden_ex05.check_rwwce_split(split)
    assert capsys.readouterr().out.count("\u2714") == 2


def split_keeping_the_true_column(rows, y):
    fn, _ = right_split(rows, y)
    return fn, np.asarray(rows, dtype=float) - fn[:, None]           # fp[i, y_i] = -fn_i


def split_charging_fn_twice(rows, y):
    fn, _ = right_split(rows, y)
    return fn, np.where(own_mask(np.asarray(rows), y), 0.0, rows)      # fp = c: a mistake costs fn + c


@pytest.mark.parametrize("wrong, message", [
    (split_keeping_the_true_column, "is not 0"),
    (split_charging_fn_twice, "is not its cost c_ij"),
    (split_with(np.mean), "negative"),
    (split_with(np.max), "negative"),
    (lambda rows, y: right_split(rows, y)[::-1], "expected shape"),
    (lambda rows, y: None, "return the pair"),
])
def test_wrong_splits_fail(wrong, message):
    assert message in failure("check_rwwce_split", wrong)


def test_a_split_valid_only_on_the_visible_cases_fails_the_hidden_ones(capsys):
    fixed_fn = split_with(lambda wrong: 1.0)                  # fn = 1 > 0 = the cost of a free wrong answer
    ex05.check_rwwce_split(fixed_fn)
    assert "negative" in failure("check_rwwce_split", fixed_fn, module=hidden_ex05)


def test_the_library_split_is_blocked():
    calls_the_library = lambda rows, y: wloss.weights.rwwce_weights_from_costs(rows, y)  # noqa: E731
    assert "library's own version" in failure("check_rwwce_split", calls_the_library)


# ---- task 2: the transposed cost matrix ----------------------------------------------------------------
def right_decide(probs, C):
    probs, C = np.asarray(probs), np.asarray(C)
    cost = np.zeros(probs.shape)
    for i in range(len(probs)):                      # the expected cost of each action, one example at a time
        for j in range(C.shape[2]):
            cost[i, j] = sum(probs[i, k] * C[i, k, j] for k in range(C.shape[1]))
    return cost.argmin(axis=1)


def shipped_bug(probs, C):
    return (C @ probs[:, :, None])[:, :, 0].argmin(axis=1)             # sum_k C[j, k] p_k: [action, true]


def row_of_the_most_probable_class(probs, C):
    """Right whenever the true class is certain; not an average over the true class."""
    return C[np.arange(len(probs)), probs.argmax(axis=1)].argmin(axis=1)


@pytest.mark.parametrize("wrong, message", [
    (shipped_bug, "not an action of least expected cost"),
    (lambda p, C: np.einsum("nk,njk->nj", p, C).argmin(axis=1), "not an action of least expected cost"),
    (lambda p, C: p.argmax(axis=1), "most probable classes"),
    (lambda p, C: np.einsum("nk,nkj->nj", p, C).argmax(axis=1), "not an action of least expected cost"),
    (lambda p, C: np.einsum("nk,nkj->nj", p, C).argmin(axis=0), "expected shape"),
    (lambda p, C: np.einsum("nk,nkj->nj", p, C), "expected shape"),
])
def test_wrong_bayes_decisions_fail(wrong, message):
    assert message in failure("check_bayes_decide", wrong)


def test_the_right_bayes_decisions_pass(capsys):
    for check in (ex05.check_bayes_decide, hidden_ex05.check_bayes_decide):
        check(right_decide)
        check(lambda p, C: (p[:, None, :] @ C)[:, 0, :].argmin(axis=1))
    assert capsys.readouterr().out.count("\u2714") == 4


def test_decisions_right_only_when_the_class_is_certain_fail_the_hidden_cases(capsys):
    with pytest.raises(CheckFailed):
        hidden_ex05.check_bayes_decide(row_of_the_most_probable_class)


def test_the_library_decisions_are_blocked():
    calls_the_library = lambda probs, C: wloss.decisions.bayes_decisions(probs, C)  # noqa: E731
    assert "library's own version" in failure("check_bayes_decide", calls_the_library)


# ---- task 3: predicted actions, recorded then graded -------------------------------------------------
def by_hand():
    """The Bayes actions from the cost table of lecture 05, written out term by term."""
    p, actions = ex05.PREDICTION_PROBS, {}
    for m in ex05.PREDICTION_AMOUNTS:
        approve = p[1] * m + p[2] * 1.5 * m
        block = p[0] * (10 + 0.02 * m) + p[2] * m / 2
        lock = p[0] * (20 + 0.02 * m) + p[1] * 10
        actions[m] = ex05.ACTIONS[int(np.argmin([approve, block, lock]))]
    return actions


REASON = "the fee and lost business of blocking against the fraud that approving lets through"


def test_the_experiment_is_what_the_cost_table_gives():
    assert {m: action for m, (_, action) in ex05.bayes_actions_for_amounts().items()} == by_hand()


def test_right_predictions_pass(capsys):
    ex05.check_predicted_actions(by_hand(), REASON)
    hidden_ex05.check_predicted_actions(by_hand(), REASON)
    out = capsys.readouterr().out
    assert out.count("\u2714") == 2 and "three answers and a reason recorded" in out


@pytest.mark.parametrize("change", [{500: "approve"}, {20: "lock the account"}, {100: "block the card"},
                                    {500: "block the card"}])
def test_wrong_predictions_pass_the_visible_part_and_fail_the_hidden_one(change, capsys):
    predictions = {**by_hand(), **change}
    ex05.check_predicted_actions(predictions, REASON)             # recorded, not graded
    message = failure("check_predicted_actions", predictions, REASON, module=hidden_ex05)
    assert "disagree with the experiment" in message and repr(next(iter(change))) in message


@pytest.mark.parametrize("predictions, reason, message", [
    ("lock", REASON, "expected a dict"),
    ({20: "approve"}, REASON, "missing"),
    ({20: 0, 100: 0, 500: 2}, REASON, "expected one of"),
    ({20: ..., 100: "approve", 500: "approve"}, REASON, "not filled in yet"),
    ({20: "approve", 100: "approve", 500: "approve"}, ..., "not filled in yet"),
    ({20: "approve", 100: "approve", 500: "approve"}, "cost", "not a reason yet"),
])
def test_malformed_predictions_fail(predictions, reason, message):
    assert message in failure("check_predicted_actions", predictions, reason)


# ---- task 4: sample weights whose minimiser decides like the Bayes rule ------------------------------
def right_bayes_weights(C, y):
    C = np.asarray(C)
    return np.array([C[i, y[i]].sum() / (C.shape[1] - 1) for i in range(len(y))])   # the (common) cost of a mistake


def test_the_right_bayes_weights_pass(capsys):
    ex05.check_bayes_sample_weights(right_bayes_weights)
    assert capsys.readouterr().out.count("\u2714") == 1


@pytest.mark.parametrize("answer", [
    right_bayes_weights,
    lambda C, y: C[np.arange(len(y)), y].sum(axis=1),     # (K - 1) times the same: a constant factor
    lambda C, y: 3.0 * right_bayes_weights(C, y),
], ids=["mean of the row", "row sum", "scaled"])
def test_right_bayes_weights_pass(answer, capsys):
    ex05.check_bayes_sample_weights(answer)
    hidden_ex05.check_bayes_sample_weights(answer)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong, message", [
    (lambda C, y: np.ones(len(y)), "not the action of least expected cost"),                   # plain CE
    (lambda C, y: C[np.arange(len(y)), :, y].sum(axis=1), "not the action of least expected cost"),  # predicting y
    (lambda C, y: 1.0 / right_bayes_weights(C, y), "not the action of least expected cost"),  # inverse cost
    (lambda C, y: right_bayes_weights(C, y) ** 2, "not the action of least expected cost"),
    (lambda C, y: C[np.arange(len(y)), y, y], "zero, negative or not finite"),                 # the diagonal: 0
    (lambda C, y: C[np.arange(len(y)), y], "expected shape"),
])
def test_wrong_bayes_weights_fail(wrong, message):
    assert message in failure("check_bayes_sample_weights", wrong)


def test_weights_right_only_on_three_classes_fail_the_hidden_cases(capsys):
    def three_classes_only(C, y):
        return right_bayes_weights(C, y) if C.shape[1] == 3 else np.ones(len(y))
    ex05.check_bayes_sample_weights(three_classes_only)
    with pytest.raises(CheckFailed):
        hidden_ex05.check_bayes_sample_weights(three_classes_only)


def test_unfinished_tasks_fail_with_a_message():
    for check in (ex05.check_rwwce_split, ex05.check_bayes_decide, ex05.check_bayes_sample_weights):
        with pytest.raises(CheckFailed, match="not done yet"):
            check(unfinished)


# ---- task 6 (open): a cost scenario of the student's own ---------------------------------------------
OPEN_RNG = np.random.default_rng(6)
ATTRIBUTE = OPEN_RNG.uniform(18.0, 90.0, size=300)
PROBS = OPEN_RNG.dirichlet([6.0, 2.0, 1.0], size=300)
REPORT = {"scenario": "triage of patients into home, ward or intensive care by age",
          "why the costs change": "sending an older seriously ill patient home costs more in harm",
          "where Bayes departs from argmax": "likely minor cases of old patients go to the ward instead of home"}


def triage_costs(age):
    age = np.asarray(age, dtype=float)
    zero = np.zeros_like(age)
    return np.stack([np.stack([zero, zero + 200, zero + 2000], axis=1),
                     np.stack([500 + 20 * age, zero, zero + 1500], axis=1),
                     np.stack([5000 + 100 * age, 1000 + 30 * age, zero], axis=1)], axis=1)


def open_decisions_for(costs):
    return right_decide(PROBS, costs(ATTRIBUTE))


def test_an_open_scenario_passes(capsys):
    for module in (ex05, hidden_ex05):
        module.check_open_scenario(triage_costs, ATTRIBUTE, PROBS, open_decisions_for(triage_costs), REPORT)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("costs, decisions, report, message", [
    (lambda a: np.repeat(triage_costs([50.0]), len(a), axis=0), None, REPORT, "same matrix"),
    (lambda a: ex05.transaction_cost_matrices(a), None, REPORT, "a problem of your own"),
    (triage_costs, PROBS.argmax(axis=1), REPORT, "most probable classes"),
    (triage_costs, None, {**REPORT, "scenario": ...}, "not filled in yet"),
    (triage_costs, None, {**REPORT, "scenario": "triage"}, "at least 6 words"),
    (lambda a: -triage_costs(a), PROBS.argmax(axis=1) * 0 + 1, REPORT, ">= 0"),
])
def test_wrong_open_scenarios_fail(costs, decisions, report, message):
    decisions = open_decisions_for(triage_costs) if decisions is None else decisions
    with pytest.raises(CheckFailed, match=message):
        ex05.check_open_scenario(costs, ATTRIBUTE, PROBS, decisions, report)


def test_open_decisions_not_taken_with_the_matrices_fail_the_hidden_part(capsys):
    decisions = open_decisions_for(triage_costs)
    decisions[:20] = (decisions[:20] + 1) % 3
    ex05.check_open_scenario(triage_costs, ATTRIBUTE, PROBS, decisions, REPORT)
    with pytest.raises(CheckFailed, match="least expected cost"):
        hidden_ex05.check_open_scenario(triage_costs, ATTRIBUTE, PROBS, decisions, REPORT)


def test_an_unfinished_open_scenario_is_not_done_yet():
    with pytest.raises(CheckFailed, match="not done yet"):
        ex05.check_open_scenario(unfinished, ATTRIBUTE, PROBS, ..., ...)


def test_the_visible_only_answer_passes_visible_and_fails_hidden(capsys):
    """An answer that passes only the visible checks: the expected cost replaced by the row of the most probable
    class, right whenever the true class is certain or one action is never dearer."""
    def bayes_decide(probs, cost_matrices):
        probs, C = np.asarray(probs, dtype=float), np.asarray(cost_matrices, dtype=float)
        expected = C[np.arange(len(probs)), probs.argmax(axis=1)]
        return expected.argmin(axis=1)
    ex05.check_bayes_decide(bayes_decide)
    with pytest.raises(CheckFailed, match="not an action of least expected cost"):
        hidden_ex05.check_bayes_decide(bayes_decide)
