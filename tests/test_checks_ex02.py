"""Exercise 02's checks: plausible wrong answers fail with CheckFailed and a message that gives no answer.

For every graded task at least three wrong answers a student might write, each asserted to raise
``CheckFailed`` from the visible check or, where it slips through that, from the hidden one; the
solution passes both.
"""
import numpy as np
import pytest

from wloss.checks import CheckFailed, ex02


def run_check(check, answer):
    """Run the visible check, then the hidden one; return the message of the first CheckFailed."""
    with pytest.raises(CheckFailed) as failure, np.errstate(all="ignore"):
        check(answer)
        check(answer, hidden=True)
    return str(failure.value)


def stable(z, y, w):
    z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
    return w * y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)


def sigmoid(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def the_given_function(z, y, w):                      # the task's code: weight on negatives, naive logs
    z = np.asarray(z, dtype=np.float32)
    p = 1 / (1 + np.exp(-z))
    return -(y * np.log(p) + w * (1 - y) * np.log(1 - p))


WRONG_LOSSES = {
    "the given function": the_given_function,
    "weight moved, logs still naive (float32)": lambda z, y, w: (lambda p: -(w * y * np.log(p) + (1 - y) * np.log(1 - p)))(
        1 / (1 + np.exp(-np.asarray(z, dtype=np.float32)))),
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
    run_check(ex02.check_weighted_bce_from_logits, wrong)


@pytest.mark.parametrize("name, hint", [
    ("the given function", "NEGATIVE examples"),
    ("weight moved, logs still naive (float32)", "inf or nan"),
    ("weight forgotten", "does not change with pos_weight"),
    ("clipped probabilities", "capped"),
])
def test_loss_messages_name_the_mistake(name, hint):
    assert hint in run_check(ex02.check_weighted_bce_from_logits, WRONG_LOSSES[name])


MEASURED_BREAK = ex02.float64_break()


def test_the_float64_break_follows_from_float64_spacing():
    # 1 + e^-z rounds to 1 once e^-z < eps/2 = 2^-53, i.e. from z > 53 log 2 on.
    assert MEASURED_BREAK == int(np.ceil(53 * np.log(2)))


@pytest.mark.parametrize("wrong", [17, 89, 710, 745, 53, 1e308],
                         ids=["float32's point", "float32 overflow", "exp overflow", "float64 underflow",
                              "the mantissa bits", "the largest float"])
def test_wrong_break_predictions_fail_without_giving_the_answer(wrong):
    message = run_check(lambda p, hidden=False: ex02.check_float64_prediction(p, MEASURED_BREAK, hidden=hidden),
                        wrong)
    assert str(MEASURED_BREAK) not in message, message


def test_an_edited_measurement_fails_the_hidden_check():
    ex02.check_float64_prediction(17, 17)
    with pytest.raises(CheckFailed, match="keep the experiment as given"):
        ex02.check_float64_prediction(17, 17, hidden=True)


WRONG_THRESHOLDS = {
    "w / (1 + w) (the classes swapped)": lambda w: w / (1 + w),
    "1 / w": lambda w: 1 / w,
    "0.5 / w": lambda w: 0.5 / w,
    "0.5, the weight ignored": lambda w: 0.5,
    "1 - 1 / w": lambda w: 1 - 1 / w,
    "1 / (2 w)": lambda w: 1 / (2 * w),
}


@pytest.mark.parametrize("wrong", WRONG_THRESHOLDS.values(), ids=WRONG_THRESHOLDS.keys())
def test_wrong_thresholds_fail_without_giving_the_threshold(wrong):
    message = run_check(ex02.check_equivalent_threshold, wrong)
    assert "0.05" not in message and "0.25" not in message and "1 / (1 +" not in message, message


MEAN_PROBABILITY = ex02.experiment_mean_probability(0)


@pytest.mark.parametrize("wrong", ["A", "C", "c", 0.25, "between"])
def test_wrong_probability_predictions_fail_without_giving_the_answer(wrong):
    message = run_check(lambda p, hidden=False: ex02.check_probability_prediction(p, MEAN_PROBABILITY,
                                                                                  hidden=hidden), wrong)
    assert '"B"' not in message and f"{MEAN_PROBABILITY:.2f}" not in message, message


def test_a_measurement_edited_to_fit_the_prediction_fails_the_hidden_check():
    ex02.check_probability_prediction("C", 0.5)
    with pytest.raises(CheckFailed, match="retrained by the check"):
        ex02.check_probability_prediction("C", 0.5, hidden=True)


def test_right_answers_pass(capsys):
    for hidden in (False, True):
        ex02.check_weighted_bce_from_logits(stable, hidden=hidden)
        ex02.check_float64_prediction(37, MEASURED_BREAK, hidden=hidden)
        ex02.check_equivalent_threshold(lambda w: 1 / (1 + w), hidden=hidden)
        ex02.check_probability_prediction("B", MEAN_PROBABILITY, hidden=hidden)
    assert capsys.readouterr().out.count("\u2714") == 8
