"""Exercise 01's checks: plausible wrong answers fail with CheckFailed and a message that gives no answer.

For every graded task at least three wrong answers a student might write, each asserted to raise
``CheckFailed`` from the visible check or, where it slips through that, from the hidden one; the
solution passes both.
"""
import numpy as np
import pytest

from wloss.checks import CheckFailed, ex01


def run_check(check, answer):
    """Run the visible check, then the hidden one; return the message of the first CheckFailed."""
    with pytest.raises(CheckFailed) as failure:
        check(answer)
        check(answer, hidden=True)
    return str(failure.value)


def class_means(losses, y, k):
    return np.bincount(y, weights=losses, minlength=k) / np.bincount(y, minlength=k)


def right_balanced_loss(losses, y, k):
    return float(class_means(losses, y, k).mean())


WRONG_BALANCED = {
    "the plain mean (what the identity of lecture 01 gives)": lambda losses, y, k: float(np.mean(losses)),
    "class means weighted by the proportions": lambda losses, y, k: float(
        (np.bincount(y, minlength=k) / len(y) * class_means(losses, y, k)).sum()),
    "the sum of the class means": lambda losses, y, k: float(class_means(losses, y, k).sum()),
    "class sums divided by N": lambda losses, y, k: float(np.bincount(y, weights=losses, minlength=k).mean()),
    "the median of the class means": lambda losses, y, k: float(np.median(class_means(losses, y, k))),
}


@pytest.mark.parametrize("wrong", WRONG_BALANCED.values(), ids=WRONG_BALANCED.keys())
def test_wrong_balanced_losses_fail(wrong):
    run_check(ex01.check_balanced_loss, wrong)


def test_the_plain_mean_is_named():
    with pytest.raises(CheckFailed, match="plain mean loss"):
        ex01.check_balanced_loss(WRONG_BALANCED["the plain mean (what the identity of lecture 01 gives)"])


def share(p, pi1):
    return pi1 * (1 - p) / (pi1 * (1 - p) + (1 - pi1) * p)


WRONG_SHARES = {
    "the class frequency": lambda p, pi1: pi1,
    "p and 1 - p swapped": lambda p, pi1: pi1 * p / (pi1 * p + (1 - pi1) * (1 - p)),
    "the positives' magnitude only, not a share": lambda p, pi1: pi1 * (1 - p),
    "negatives not weighted by their frequency": lambda p, pi1: pi1 * (1 - p) / (pi1 * (1 - p) + p),
    "the negatives' share": lambda p, pi1: 1 - share(p, pi1),
}


@pytest.mark.parametrize("wrong", WRONG_SHARES.values(), ids=WRONG_SHARES.keys())
def test_wrong_shares_fail_without_giving_the_share(wrong):
    message = run_check(ex01.check_constant_p_share, wrong)
    assert f"{share(0.36, 0.01):.4f}" not in message and f"{share(0.9, 0.2):.4f}" not in message, message


def right_accuracy_and_recall(t, p):
    positives = t == 1
    return float((t == p).mean()), float((p[positives] == 1).mean()) if positives.any() else 0.0


def precision_for_recall(t, p):                            # the function the task gives, with its bug
    return (t == p).mean(), ((t == 1) & (p == 1)).sum() / (p == 1).sum()


WRONG_RECALLS = {
    "the given function: true positives over flagged examples (precision)": precision_for_recall,
    "precision, guarded against zero flags": lambda t, p: (
        float((t == p).mean()), float(((t == 1) & (p == 1)).sum() / max((p == 1).sum(), 1))),
    "the recall of the negatives": lambda t, p: (float((t == p).mean()), float((p[t == 0] == 0).mean())),
    "true positives over all examples": lambda t, p: (float((t == p).mean()), float(((t == 1) & (p == 1)).mean())),
    "nan when there are no positives": lambda t, p: (
        float((t == p).mean()), float(((t == 1) & (p == 1)).sum() / (t == 1).sum()) if (t == 1).any() else np.nan),
    "a list instead of a tuple": lambda t, p: list(right_accuracy_and_recall(t, p)),
}


@pytest.mark.parametrize("wrong", WRONG_RECALLS.values(), ids=WRONG_RECALLS.keys())
def test_wrong_recalls_fail(wrong):
    with np.errstate(all="ignore"):
        run_check(ex01.check_accuracy_and_recall, wrong)


def test_precision_is_named_as_such():
    with pytest.raises(CheckFailed, match="that is precision"):
        ex01.check_accuracy_and_recall(
            WRONG_RECALLS["precision, guarded against zero flags"])


MEASURED = ex01.experiment_recall(seed=1)


@pytest.mark.parametrize("wrong", ["A", "B", "b ", 0.04, "below 0.2"])
def test_wrong_predictions_fail_without_giving_the_answer(wrong):
    message = run_check(lambda p, hidden=False: ex01.check_recall_prediction(p, MEASURED, hidden=hidden), wrong)
    assert '"C"' not in message and "below 0.2" not in message, message


def test_a_measurement_edited_to_fit_the_prediction_fails_the_hidden_check():
    ex01.check_recall_prediction("B", 0.5)
    with pytest.raises(CheckFailed, match="retrained by the check"):
        ex01.check_recall_prediction("B", 0.5, hidden=True)


def test_right_answers_pass(capsys):
    for hidden in (False, True):
        ex01.check_balanced_loss(right_balanced_loss, hidden=hidden)
        ex01.check_constant_p_share(share, hidden=hidden)
        ex01.check_accuracy_and_recall(right_accuracy_and_recall, hidden=hidden)
        ex01.check_recall_prediction("C", MEASURED, hidden=hidden)
    assert capsys.readouterr().out.count("\u2714") == 8
