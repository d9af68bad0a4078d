"""Exercise 00's checks: plausible wrong answers fail with CheckFailed and a message that gives no answer.

Every graded task gets at least three wrong answers a student might write, each asserted to raise
``CheckFailed`` (never another exception) from the visible check or, where it passes that, from the
hidden one; the solution passes both.
"""
from functools import partial

import numpy as np
import pytest

from wloss.checks import CheckFailed, ex00
from wloss_grading import ex00 as hidden_ex00

import check_messages
from check_messages import failure_visible_then_hidden


def right_counts(y, k):
    return np.bincount(y, minlength=k)


def right_proportions(y, k):
    return np.bincount(y, minlength=k) / len(y)


#: Per check, what no failure message may contain: the answer's values as printed at usual precisions, the key
#: token of the fix, and words that explain the right answer.
FORBIDDEN = {
    "check_class_counts": ["minlength", "bincount", "[1 2 3]", "[2 1 3 0]", "[2 0 3]", "expected"],
    "check_class_proportions": ["minlength", "bincount", "0.333", "0.166", "0.167", "/ len(y)", "expected"],
    "check_majority_prediction": ["0.678", "0.68", "678", "35 of", "class 0", "right exactly on"],
}


assert_teaches_without_telling = partial(check_messages.assert_teaches_without_telling, FORBIDDEN)


def run_check(name, answer, *args):
    """The message of the first failure, visible check then hidden one, after asserting it leaks nothing."""
    message = failure_visible_then_hidden(ex00, hidden_ex00, name, answer, *args)
    assert_teaches_without_telling(name, message)
    return message


WRONG_COUNTS = {
    "bincount without minlength (drops classes after the largest label)": lambda y, k: np.bincount(y),
    "np.unique's counts (drop classes that never occur)": lambda y, k: np.unique(y, return_counts=True)[1],
    "proportions instead of counts": right_proportions,
    "a histogram with k bins over the label range": lambda y, k: np.histogram(y, bins=k)[0],
    "counts of classes 1..k instead of 0..k-1": lambda y, k: np.array([(y == c).sum() for c in range(1, k + 1)]),
}


@pytest.mark.parametrize("wrong", WRONG_COUNTS.values(), ids=WRONG_COUNTS.keys())
def test_wrong_counts_fail(wrong):
    run_check("check_class_counts", wrong)


def test_counts_without_minlength_pass_the_visible_check_but_not_the_hidden_one(capsys):
    ex00.check_class_counts(WRONG_COUNTS["bincount without minlength (drops classes after the largest label)"])
    with pytest.raises(CheckFailed, match="a class with no examples still gets its entry"):
        hidden_ex00.check_class_counts(lambda y, k: np.bincount(y))


def test_count_messages_do_not_give_the_counts():
    message = run_check("check_class_counts", WRONG_COUNTS["counts of classes 1..k instead of 0..k-1"])
    assert "[1 2 3]" not in message and "expected" not in message, message


WRONG_PROPORTIONS = {
    "counts, not divided": lambda y, k: np.bincount(y, minlength=k).astype(float),
    "divided by the number of classes": lambda y, k: np.bincount(y, minlength=k) / k,
    "divided by the largest count": lambda y, k: np.bincount(y, minlength=k) / np.bincount(y).max(),
    "np.unique (drops classes that never occur)": lambda y, k: np.unique(y, return_counts=True)[1] / len(y),
    "bincount without minlength": lambda y, k: np.bincount(y) / len(y),
}


@pytest.mark.parametrize("wrong", WRONG_PROPORTIONS.values(), ids=WRONG_PROPORTIONS.keys())
def test_wrong_proportions_fail(wrong):
    message = run_check("check_class_proportions", wrong)
    assert "0.333" not in message and "0.166" not in message, message


LABELS = ex00.exercise_labels()
MEASURED = np.bincount(LABELS).max() / len(LABELS)


@pytest.mark.parametrize("wrong", [68.0, 1 / 3, 0.29, 0.01, 1.0, 0.5],
                         ids=["a percentage", "random guessing", "a minority class", "the rarest class",
                              "perfect", "a coin flip"])
def test_wrong_predictions_fail_without_giving_the_measurement(wrong):
    message = run_check("check_majority_prediction", wrong, LABELS)
    assert f"{MEASURED:.3f}" not in message and f"{MEASURED:.2f}" not in message, message


def test_a_prediction_on_changed_labels_fails_the_hidden_check():
    fitted = np.zeros(1000, dtype=int)                # labels changed to fit a prediction of 1.0
    ex00.check_majority_prediction(1.0, fitted)
    with pytest.raises(CheckFailed, match="not the one the exercise drew"):
        hidden_ex00.check_majority_prediction(1.0, fitted)


def test_a_prediction_that_is_not_a_number_is_a_check_failure():
    with pytest.raises(CheckFailed):
        ex00.check_majority_prediction("about 70 %", LABELS)


def test_right_answers_pass(capsys):
    for module in (ex00, hidden_ex00):
        module.check_class_counts(right_counts)
        module.check_class_proportions(right_proportions)
        module.check_majority_prediction(0.7, LABELS)     # reasoned from the sample: 35 of the first 50 in class 0
    assert capsys.readouterr().out.count("\u2714") == 6
    assert abs(0.7 - MEASURED) < 0.05
    assert np.bincount(LABELS[:50], minlength=3)[0] == 35


def test_right_answers_pass_the_visible_checks(capsys):
    ex00.check_class_counts(right_counts)
    ex00.check_class_proportions(right_proportions)
    assert capsys.readouterr().out.count("\u2714") == 2
