"""Exercise 02's checks: plausible wrong answers fail with CheckFailed and a message that gives no answer.

For every graded task at least three wrong answers a student might write, each asserted to raise
``CheckFailed`` from the visible check or, where it slips through that, from the hidden one
(``wloss_grading.ex02``), with a message free of the answer's values, the fix and words that explain it;
the right answers, written here independently of the solution, pass both.
"""
from functools import partial

import numpy as np
import pytest

from wloss.checks import CheckFailed, ex02
from wloss_grading import ex02 as hidden_ex02

import check_messages
from check_messages import failure_visible_then_hidden, not_done

#: Per check, what no failure message may contain: the answer's values as printed at usual precisions, the key
#: token of the fix, and words that explain the right answer.
FORBIDDEN = {
    "check_weighted_bce_from_logits": ["logaddexp", "log_sigmoid", "logsigmoid", "softplus", "log1p", "clip",
                                       "clamp", "without forming", "from logits", "stable", "float64",
                                       "belongs to the positives", "move the weight"],
    "check_break_prediction": ["20 to 100", "above 500", "37", "36.7", "710", "709", "2^-53", "2**-53", "eps/2",
                               "53 log 2", "overflow"],
    "check_equivalent_threshold": ["1 / (1 + w", "1/(1 + w", "1/(1+w", "0.05", "0.25", "0.667", "multiplies the odds",
                                   "log w", "log(w"],
    "check_open_decide": ["1/11", "1 / 11", "pos_weight=10", "pos_weight = 10", "0.0909", "0.091",
                          "10 p", "threshold of"],
    "check_probability_prediction": ["below 0.1", "0.1 to 0.4", "0.25", "0.05", "0.24", "0.26", "odds by 19",
                                     "calibrated"],
}


assert_teaches_without_telling = partial(check_messages.assert_teaches_without_telling, FORBIDDEN)


def run_check(name, answer, *args):
    """The message of the first failure, visible check then hidden one, after asserting it leaks nothing."""
    message = failure_visible_then_hidden(ex02, hidden_ex02, name, answer, *args, ignore_fp_errors=True)
    assert_teaches_without_telling(name, message)
    return message


@pytest.mark.parametrize("name", ["check_weighted_bce_from_logits", "check_equivalent_threshold"])
def test_the_stub_is_not_done_yet(name):
    assert "not done yet" in run_check(name, not_done)


# ----------------------------------------------------------------------------- task 1

def stable(z, y, w):
    z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
    return w * y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)


def right_losses(z, y, w):
    return stable(z, y, w)


def sigmoid(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def the_given_function(z, y, w):                      # the task's code: weight on negatives, naive logs
    z = np.asarray(z, dtype=np.float32)
    p = 1 / (1 + np.exp(-z))
    return -(y * np.log(p) + w * (1 - y) * np.log(1 - p))


WRONG_LOSSES = {
    "the given function": the_given_function,
    "weight moved, logs still naive (float32)": lambda z, y, w: (
        lambda p: -(w * y * np.log(p) + (1 - y) * np.log(1 - p)))(1 / (1 + np.exp(-np.asarray(z, dtype=np.float32)))),
    "weight moved, logs naive in float64": lambda z, y, w: (lambda p: -(w * y * np.log(p) + (1 - y) * np.log(1 - p)))(
        sigmoid(z)),
    "stable logs, weight still on the negatives": lambda z, y, w: (
        np.asarray(y) * np.logaddexp(0, -np.asarray(z, float)) + w * (1 - np.asarray(y)) * np.logaddexp(0, z)),
    "weight on both terms": lambda z, y, w: w * stable(z, y, 1.0),
    "weight forgotten": lambda z, y, w: stable(z, y, 1.0),
    "clipped probabilities": lambda z, y, w: (lambda p: -(w * y * np.log(p) + (1 - y) * np.log(1 - p)))(
        np.clip(sigmoid(z), 1e-7, 1 - 1e-7)),
    "the mean instead of per-example losses": lambda z, y, w: stable(z, y, w).mean(),
}


@pytest.mark.parametrize("wrong", WRONG_LOSSES.values(), ids=WRONG_LOSSES.keys())
def test_wrong_losses_fail(wrong):
    run_check("check_weighted_bce_from_logits", wrong)


@pytest.mark.parametrize("name, hint", [
    ("the given function", "y = 0 grow with pos_weight"),
    ("stable logs, weight still on the negatives", "y = 0 grow with pos_weight"),
    ("weight moved, logs still naive (float32)", "inf or nan"),
    ("weight forgotten", "does not change with pos_weight"),
    ("clipped probabilities", "stops growing"),
])
def test_loss_messages_name_the_property(name, hint):
    message = run_check("check_weighted_bce_from_logits", WRONG_LOSSES[name])
    assert hint in message, message


def test_an_inf_message_asks_instead_of_naming_the_fix():
    message = run_check("check_weighted_bce_from_logits", WRONG_LOSSES["weight moved, logs still naive (float32)"])
    assert message.rstrip().endswith("?"), message


def test_the_definition_the_check_uses_needs_no_stable_formula():
    z = np.array([-1000.0, -30.0, -1.5, 0.0, 2.0, 30.0, 1000.0])
    for y in (np.zeros(7), np.ones(7)):
        assert np.allclose(ex02.weighted_bce_by_definition(z, y, 3.0), stable(z, y, 3.0), rtol=1e-12, atol=0)


# ----------------------------------------------------------------------------- task 2

BREAK_REASON = "a negative's loss is lost when 1 + e^-z rounds to 1, a positive's when e^|z| is too large"
RIGHT_BREAKS = {"negative example, z > 0": "20 to 100", "positive example, z < 0": "above 500"}


def test_the_breaking_points_follow_from_float64():
    assert hidden_ex02.break_outcome() == RIGHT_BREAKS


@pytest.mark.parametrize("prediction, reason, match", [
    ({"negative example, z > 0": ..., "positive example, z < 0": "above 500"}, BREAK_REASON, "not filled in yet"),
    ({"negative example, z > 0": "20 to 100"}, BREAK_REASON, "missing"),
    ({"negative example, z > 0": 37, "positive example, z < 0": 710}, BREAK_REASON, "expected one of"),
    (37, BREAK_REASON, "expected a dict"),
    (RIGHT_BREAKS, ..., "not filled in yet"),
    (RIGHT_BREAKS, "eps", "is not a reason yet"),
], ids=["a key unfilled", "a key missing", "numbers", "the old integer", "no reason", "a one-word reason"])
def test_ill_formed_break_predictions_fail_the_visible_check(prediction, reason, match):
    with pytest.raises(CheckFailed, match=match):
        ex02.check_break_prediction(prediction, reason)


WRONG_BREAKS = {
    "float32's point for both": {"negative example, z > 0": "below 20", "positive example, z < 0": "below 20"},
    "both at the rounding point": {"negative example, z > 0": "20 to 100", "positive example, z < 0": "20 to 100"},
    "both at the overflow": {"negative example, z > 0": "above 500", "positive example, z < 0": "above 500"},
    "float32's point scaled by the mantissa bits": {"negative example, z > 0": "100 to 500",
                                                    "positive example, z < 0": "above 500"},
    "swapped": {"negative example, z > 0": "above 500", "positive example, z < 0": "20 to 100"},
}


@pytest.mark.parametrize("wrong", WRONG_BREAKS.values(), ids=WRONG_BREAKS.keys())
def test_wrong_break_predictions_pass_the_visible_check_and_fail_the_graded_part(wrong, capsys):
    ex02.check_break_prediction(wrong, BREAK_REASON)
    message = run_check("check_break_prediction", wrong, BREAK_REASON)
    assert all(repr(key) in message for key in wrong if wrong[key] != RIGHT_BREAKS[key]), message
    assert "?" in message


# ----------------------------------------------------------------------------- task 3

def right_threshold(w):
    # the weighted minimiser at calibrated q is w q / (w q + 1 - q); it reaches 1/2 where w q = 1 - q
    return 1 / (1 + w)


WRONG_THRESHOLDS = {
    "w / (1 + w) (the classes swapped)": lambda w: w / (1 + w),
    "1 / w": lambda w: 1 / w,
    "0.5 / w": lambda w: 0.5 / w,
    "0.5, the weight ignored": lambda w: 0.5,
    "1 - 1 / w": lambda w: 1 - 1 / w,
    "1 / (2 w)": lambda w: 1 / (2 * w),
    "1 / (1 + w^2)": lambda w: 1 / (1 + w ** 2),
}


@pytest.mark.parametrize("wrong", WRONG_THRESHOLDS.values(), ids=WRONG_THRESHOLDS.keys())
def test_wrong_thresholds_fail_without_giving_the_threshold(wrong):
    message = run_check("check_equivalent_threshold", wrong)
    assert "predicts positive too" in message or "not a probability threshold" in message, message


def test_the_brute_force_decisions_agree_with_the_odds():
    q = np.linspace(1e-4, 1 - 1e-4, 2001)
    for w in (19.0, 3.0, 0.5, 1000.0):
        assert (ex02.weighted_minimiser_is_positive(q, w) != (q >= right_threshold(w))).sum() <= 1


def test_an_answer_right_only_on_the_visible_weights_fails_the_hidden_check():
    memorised = {19.0: 1 / 20, 3.0: 1 / 4, 0.5: 2 / 3}
    ex02.check_equivalent_threshold(lambda w: memorised.get(w, 0.5))
    with pytest.raises(CheckFailed, match="predicts positive too") as failure:
        hidden_ex02.check_equivalent_threshold(lambda w: memorised.get(w, 0.5))
    assert_teaches_without_telling("check_equivalent_threshold", str(failure.value))


# ----------------------------------------------------------------------------- task 4

PROBABILITY_REASON = "plain BCE reproduces the positive rate; the weight multiplies every example's odds"
RIGHT_PROBABILITIES = {"without weights": "below 0.1", "with w+ = n-/n+": "0.1 to 0.4"}


def test_the_experiment_lands_far_inside_the_ranges():
    for seed in (0, 3):
        means = ex02.run_probability_experiment(seed)
        assert means["without weights"] < 0.08 and 0.15 < means["with w+ = n-/n+"] < 0.35, means
        assert hidden_ex02.probability_outcome(seed) == RIGHT_PROBABILITIES


@pytest.mark.parametrize("prediction, reason, match", [
    ({"without weights": ..., "with w+ = n-/n+": "0.1 to 0.4"}, PROBABILITY_REASON, "not filled in yet"),
    ({"with w+ = n-/n+": "0.1 to 0.4"}, PROBABILITY_REASON, "missing"),
    ({"without weights": "A", "with w+ = n-/n+": "B"}, PROBABILITY_REASON, "expected one of"),
    ("B", PROBABILITY_REASON, "expected a dict"),
    (RIGHT_PROBABILITIES, ..., "not filled in yet"),
], ids=["a key unfilled", "a key missing", "the old letters", "a bare letter", "no reason"])
def test_ill_formed_probability_predictions_fail_the_visible_check(prediction, reason, match):
    with pytest.raises(CheckFailed, match=match):
        ex02.check_probability_prediction(prediction, reason)


WRONG_PROBABILITIES = {
    "weighting balances to one half": {"without weights": "below 0.1", "with w+ = n-/n+": "0.4 to 0.6"},
    "weighting keeps calibration": {"without weights": "below 0.1", "with w+ = n-/n+": "below 0.1"},
    "both one half": {"without weights": "0.4 to 0.6", "with w+ = n-/n+": "0.4 to 0.6"},
    "unweighted already inflated": {"without weights": "0.1 to 0.4", "with w+ = n-/n+": "0.4 to 0.6"},
}


@pytest.mark.parametrize("wrong", WRONG_PROBABILITIES.values(), ids=WRONG_PROBABILITIES.keys())
def test_wrong_probability_predictions_pass_the_visible_check_and_fail_the_graded_part(wrong, capsys):
    ex02.check_probability_prediction(wrong, PROBABILITY_REASON)
    message = run_check("check_probability_prediction", wrong, PROBABILITY_REASON)
    assert all(repr(key) in message for key in wrong if wrong[key] != RIGHT_PROBABILITIES[key]), message


# ----------------------------------------------------------------------------- task 6 (open)

OPEN_REASON = "Flagging is cheaper than not flagging once ten times p exceeds 1 - p; the outputs are not calibrated."


def log_odds(X):
    return 2 * np.asarray(X)[:, 0] + np.log(0.05 / 0.95)


def right_decide(X):
    # the ideal posterior's log-odds are 2 x1 + log(0.05/0.95); flag where the odds reach 1/10
    return (2 * np.asarray(X)[:, 0] + np.log(0.05 / 0.95) >= np.log(0.1)).astype(int)


WRONG_DECIDES = {
    "the plain model at 0.5": lambda X: (log_odds(X) >= 0).astype(int),
    "the costs reversed (w+ = 1/10)": lambda X: (log_odds(X) >= np.log(10)).astype(int),
    "everything flagged": lambda X: np.ones(len(X), int),
    "nothing flagged": lambda X: np.zeros(len(X), int),
    "probabilities instead of decisions": lambda X: 1 / (1 + np.exp(-2 * np.asarray(X)[:, 0])),
    "the weight squared (w+ = 100)": lambda X: (log_odds(X) >= np.log(0.01)).astype(int),
}


@pytest.mark.parametrize("wrong", WRONG_DECIDES.values(), ids=WRONG_DECIDES.keys())
def test_wrong_rules_fail(wrong):
    assert "decide (" in run_check("check_open_decide", wrong, OPEN_REASON)


@pytest.mark.parametrize("reason", [..., "weights", None], ids=["unfilled", "one word", "None"])
def test_a_missing_reason_fails(reason):
    assert "open_reason" in run_check("check_open_decide", right_decide, reason)


def test_the_stub_of_the_open_task_is_not_done_yet():
    assert "not done yet" in run_check("check_open_decide", not_done, OPEN_REASON)


def test_a_rule_memorised_from_the_visible_sample_fails_a_hidden_one():
    from wloss.data import make_imbalanced_blobs

    X, y = make_imbalanced_blobs(seed=201, **ex02.OPEN_DATA)
    positives_seen = {tuple(row) for row in X[y == 1]}

    def memorised(X):
        return np.array([tuple(row) in positives_seen for row in np.asarray(X)], dtype=int)
    ex02.check_open_decide(memorised, OPEN_REASON)
    with pytest.raises(CheckFailed, match="another fresh sample") as failure:
        hidden_ex02.check_open_decide(memorised, OPEN_REASON)
    assert_teaches_without_telling("check_open_decide", str(failure.value))


# ----------------------------------------------------------------------------- all tasks

def test_right_answers_pass(capsys):
    for module in (ex02, hidden_ex02):
        module.check_weighted_bce_from_logits(stable)
        module.check_break_prediction(RIGHT_BREAKS, BREAK_REASON)
        module.check_equivalent_threshold(right_threshold)
        module.check_probability_prediction(RIGHT_PROBABILITIES, PROBABILITY_REASON)
        module.check_open_decide(right_decide, OPEN_REASON)
    assert capsys.readouterr().out.count("\u2714") == 10


def test_right_answers_pass_the_visible_checks(capsys):
    ex02.check_weighted_bce_from_logits(right_losses)
    ex02.check_equivalent_threshold(right_threshold)
    assert capsys.readouterr().out.count("\u2714") == 2


def test_the_visible_only_answer_passes_every_visible_check_and_fails_a_hidden_one():
    """An answer that passes only the visible checks: the solution with '"positive example, z < 0":
    "above 500"' replaced by '"positive example, z < 0": "20 to 100"' passes the visible check and fails the graded
    part."""
    visible_only = {**RIGHT_BREAKS, "positive example, z < 0": "20 to 100"}
    ex02.check_break_prediction(visible_only, BREAK_REASON)
    with pytest.raises(CheckFailed, match="'positive example, z < 0'"):
        hidden_ex02.check_break_prediction(visible_only, BREAK_REASON)
