"""Exercise 01's checks: plausible wrong answers fail with CheckFailed and a message that gives no answer.

For every graded task at least three wrong answers a student might write, each asserted to raise
``CheckFailed`` from the visible check or, where it slips through that, from the hidden one
(``wloss_grading.ex01``), with a message free of the answer's values, the fix and words that explain it;
the right answers, written here independently of the solution, pass both.
"""
from functools import partial

import numpy as np
import pytest

from wloss.checks import CheckFailed, ex01
from wloss_grading import ex01 as hidden_ex01

import check_messages
from check_messages import failure_visible_then_hidden, not_done

#: Per check, what no failure message may contain: the answer's values as printed at usual precisions, the key
#: token of the fix, and words that explain the right answer.
FORBIDDEN = {
    "check_balanced_loss": ["2.83", "2.833", "1.97", "1.970", "mean of the class means", "class means", "1/K", "1 / K",
                            "each class's mean loss, and how much", "equally weighted", "np.bincount"],
    "check_constant_q_shares": ["0.0176", "0.018", "0.982", "0.864", "0.121", "0.0154", "0.556", "0.333", "0.111",
                                "2 (1 - q", "2(1 - q", "1 - q_k", "1 - q[k]", "pi * (1 - q)", "pi_k (1 - q_k)",
                                "proportional to", "its frequency", "factor 2", "cancels"],
    "check_per_class_recall": ["0.6,", "0.667", "0.67", "TP / (TP + FN)", "TP + FN", "that is precision",
                               "axis=1", "axis=0", "sum(axis", "the row", "the column", "diagonal", "y_true == k"],
    "check_open_flag": ["0.1)", ">= 0.1", "threshold of 0.1", "threshold to 0.1", "pos_weight=9", "x1 = 0",
                        "x1 > 0"],
    "check_recall_prediction": ["below 0.2", "above 0.8", "0.3 to 0.7", "0.04", "0.05", "0.92", "0.93",
                                "log(9)", "log 9", "2.2", "0.55"],
}


assert_teaches_without_telling = partial(check_messages.assert_teaches_without_telling, FORBIDDEN)


def run_check(name, answer, *args):
    """The message of the first failure, visible check then hidden one, after asserting it leaks nothing."""
    message = failure_visible_then_hidden(ex01, hidden_ex01, name, answer, *args, ignore_fp_errors=True)
    assert_teaches_without_telling(name, message)
    return message


def test_the_stub_is_not_done_yet():
    assert "not done yet" in run_check("check_balanced_loss", not_done)


# ----------------------------------------------------------------------------- task 1

def right_balanced_loss(losses, y, k):
    losses, y = np.asarray(losses, float), np.asarray(y)
    return float(np.mean([losses[y == c].mean() for c in range(k)]))


def class_means(losses, y, k):
    return np.bincount(y, weights=losses, minlength=k) / np.bincount(y, minlength=k)


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
    assert "balanced_loss" in run_check("check_balanced_loss", wrong)


def test_the_plain_mean_is_named_as_the_data_set_as_it_is():
    message = run_check("check_balanced_loss", WRONG_BALANCED["the plain mean (what the identity of lecture 01 gives)"])
    assert "the data set as it is" in message and "?" in message


def test_an_answer_that_depends_on_the_class_sizes_fails_the_hidden_invariance():
    def sizes_matter(losses, y, k):                      # right on the visible cases, wrong once a class is doubled
        value = right_balanced_loss(losses, y, k)
        return value * (1.5 if len(y) > 100 else 1.0)
    ex01.check_balanced_loss(sizes_matter)
    with pytest.raises(CheckFailed, match="every negative listed twice") as failure:
        hidden_ex01.check_balanced_loss(sizes_matter)
    assert_teaches_without_telling("check_balanced_loss", str(failure.value))


# ----------------------------------------------------------------------------- task 2

def right_shares(q, pi):
    # an example of class k is wrong by 1 - q_k on its own entry and by the other q_j, which add up to 1 - q_k too
    magnitude = np.asarray(pi, float) * 2 * (1 - np.asarray(q, float))
    return magnitude / magnitude.sum()


def l2_shares(q, pi):
    q, pi = np.asarray(q, float), np.asarray(pi, float)
    norms = np.array([np.linalg.norm(q - np.eye(len(q))[k]) for k in range(len(q))])
    return pi * norms / (pi * norms).sum()


WRONG_SHARES = {
    "the class frequencies": lambda q, pi: np.asarray(pi, float),
    "not normalised": lambda q, pi: np.asarray(pi) * (1 - np.asarray(q)),
    "q and 1 - q swapped": lambda q, pi: np.asarray(pi) * q / (np.asarray(pi) * q).sum(),
    "frequencies forgotten": lambda q, pi: (1 - np.asarray(q)) / (1 - np.asarray(q)).sum(),
    "the Euclidean norm instead of the sum of absolute entries": l2_shares,
    "lecture 01's two-class share applied entry by entry": lambda q, pi: (
        np.asarray(pi) * (1 - q) / (np.asarray(pi) * (1 - q) + (1 - np.asarray(pi)) * q)),
    "only the own entry's error, other entries squared": lambda q, pi: (
        np.asarray(pi) * ((1 - q) + (1 - q) ** 2) / (np.asarray(pi) * ((1 - q) + (1 - q) ** 2)).sum()),
}


@pytest.mark.parametrize("wrong", WRONG_SHARES.values(), ids=WRONG_SHARES.keys())
def test_wrong_shares_fail_without_giving_the_shares(wrong):
    assert "constant_q_shares (q = " in run_check("check_constant_q_shares", wrong)


def test_frequencies_are_named_and_asked_about():
    message = run_check("check_constant_q_shares", WRONG_SHARES["the class frequencies"])
    assert "do not depend on q" in message and message.rstrip().endswith("?"), message


def test_the_stub_of_task_2_is_not_done_yet():
    assert "not done yet" in run_check("check_constant_q_shares", not_done)


# ----------------------------------------------------------------------------- task 3

def right_recall(y_true, y_pred, k):
    out = np.zeros(k)
    for c in range(k):
        mine = [p for t, p in zip(y_true, y_pred) if t == c]
        out[c] = sum(p == c for p in mine) / len(mine) if mine else 0.0
    return out


def colleagues(y_true, y_pred, k):                      # the function the task gives, with its bug
    confusion = np.zeros((k, k))
    for t, p in zip(y_true, y_pred):
        confusion[t, p] += 1
    return np.diag(confusion) / confusion.sum(axis=0)


def confusion(y_true, y_pred, k):
    c = np.zeros((k, k))
    np.add.at(c, (y_true, y_pred), 1)
    return c


WRONG_RECALLS = {
    "the given function: the column sums (precision, nan)": colleagues,
    "precision, guarded against empty columns": lambda t, p, k: np.diag(confusion(t, p, k)) / np.maximum(
        confusion(t, p, k).sum(axis=0), 1),
    "found over all examples": lambda t, p, k: np.diag(confusion(t, p, k)) / len(t),
    "the miss rate": lambda t, p, k: 1 - right_recall(t, p, k),
    "nan for an absent class": lambda t, p, k: np.diag(confusion(t, p, k)) / confusion(t, p, k).sum(axis=1),
    "one entry per class that occurs": lambda t, p, k: np.array(
        [(p[t == c] == c).mean() for c in np.unique(t)]),
    "found over the class plus its false alarms": lambda t, p, k: np.diag(confusion(t, p, k)) / np.maximum(
        confusion(t, p, k).sum(axis=1) + confusion(t, p, k).sum(axis=0) - np.diag(confusion(t, p, k)), 1),
    "the squared recall (right at 0 and 1 only)": lambda t, p, k: right_recall(t, p, k) ** 2,
}


@pytest.mark.parametrize("wrong", WRONG_RECALLS.values(), ids=WRONG_RECALLS.keys())
def test_wrong_recalls_fail(wrong):
    assert "per_class_recall (" in run_check("check_per_class_recall", wrong)


def test_the_column_sums_are_caught_by_the_property_of_the_other_classes():
    message = run_check("check_per_class_recall", WRONG_RECALLS["precision, guarded against empty columns"])
    assert "OTHER classes" in message and message.rstrip().endswith("?"), message


def test_the_squared_recall_passes_the_properties_but_not_the_hidden_cases():
    wrong = WRONG_RECALLS["the squared recall (right at 0 and 1 only)"]
    ex01.check_per_class_recall(wrong)
    with pytest.raises(CheckFailed, match="recall is off") as failure:
        hidden_ex01.check_per_class_recall(wrong)
    assert_teaches_without_telling("check_per_class_recall", str(failure.value))


@pytest.mark.parametrize("library", ["sklearn", "wloss"])
def test_a_library_recall_is_blocked(library):
    if library == "sklearn":
        def answer(t, p, k):
            from sklearn.metrics import recall_score
            return recall_score(t, p, labels=list(range(k)), average=None, zero_division=0)
    else:
        import wloss.metrics

        def answer(t, p, k):
            return wloss.metrics.per_class_recall(t, p, k)
    message = run_check("check_per_class_recall", answer)
    assert "the library's own version" in message, message


def test_the_stub_of_task_3_is_not_done_yet():
    assert "not done yet" in run_check("check_per_class_recall", not_done)


# ----------------------------------------------------------------------------- task 4

REASON = "the boundary lies at log(pi0/pi1)/s, compared with the positives' mean"
RIGHT_PREDICTION = {"s = 1": "below 0.2", "s = 4": "above 0.8"}


def test_the_experiment_lands_far_inside_the_ranges():
    for seed in (1, 2):
        recalls = ex01.run_recall_experiment(seed)
        assert recalls["s = 1"] < 0.15 and recalls["s = 4"] > 0.85, recalls
        assert hidden_ex01.experiment_outcome(seed) == RIGHT_PREDICTION


@pytest.mark.parametrize("prediction, reason, match", [
    ({"s = 1": ..., "s = 4": "above 0.8"}, REASON, "not filled in yet"),
    ({"s = 1": "below 0.2"}, REASON, "missing"),
    ({"s = 1": "C", "s = 4": "A"}, REASON, "expected one of"),
    ("below 0.2", REASON, "expected a dict"),
    (RIGHT_PREDICTION, ..., "not filled in yet"),
    (RIGHT_PREDICTION, "boundary", "is not a reason yet"),
], ids=["a key unfilled", "a key missing", "the old letters", "a bare string", "no reason", "a one-word reason"])
def test_ill_formed_predictions_fail_the_visible_check(prediction, reason, match):
    with pytest.raises(CheckFailed, match=match):
        ex01.check_recall_prediction(prediction, reason)


WRONG_PREDICTIONS = {
    "both found (500 positives seen)": {"s = 1": "above 0.8", "s = 4": "above 0.8"},
    "overlap gives one half": {"s = 1": "0.3 to 0.7", "s = 4": "above 0.8"},
    "imbalance hides the positives either way": {"s = 1": "below 0.2", "s = 4": "below 0.2"},
    "separation reversed": {"s = 1": "above 0.8", "s = 4": "below 0.2"},
    "s = 4 only half": {"s = 1": "below 0.2", "s = 4": "0.3 to 0.7"},
}


@pytest.mark.parametrize("wrong", WRONG_PREDICTIONS.values(), ids=WRONG_PREDICTIONS.keys())
def test_wrong_predictions_pass_the_visible_check_and_fail_the_graded_part(wrong, capsys):
    ex01.check_recall_prediction(wrong, REASON)
    message = run_check("check_recall_prediction", wrong, REASON)
    wrong_keys = [key for key in wrong if wrong[key] != RIGHT_PREDICTION[key]]
    assert all(repr(key) in message for key in wrong_keys), message
    assert "?" in message


# ----------------------------------------------------------------------------- task 6 (open)

OPEN_REASON = "I moved the threshold of the plain model down, which changes only the decision; precision falls."


def right_flag(X):
    # the ideal posterior with pi1 = 0.1 and s = 1 has log-odds x1 - log 9: flag where it exceeds log(1/9) (p >= 0.1)
    return (np.asarray(X)[:, 0] >= 0.0).astype(int)


WRONG_FLAGS = {
    "the plain model at 0.5 (boundary near log 9)": lambda X: (np.asarray(X)[:, 0] >= np.log(9)).astype(int),
    "everything flagged": lambda X: np.ones(len(X), int),
    "nothing flagged": lambda X: np.zeros(len(X), int),
    "probabilities instead of decisions": lambda X: 1 / (1 + np.exp(-(np.asarray(X)[:, 0] - np.log(9)))),
    "one flag per feature": lambda X: (np.asarray(X) >= 0).astype(int),
    "a boundary on the wrong feature": lambda X: (np.asarray(X)[:, 1] >= 0).astype(int),
}


@pytest.mark.parametrize("wrong", WRONG_FLAGS.values(), ids=WRONG_FLAGS.keys())
def test_wrong_flags_fail(wrong):
    assert "flag (" in run_check("check_open_flag", wrong, OPEN_REASON)


@pytest.mark.parametrize("reason", [..., "threshold", 3], ids=["unfilled", "one word", "not text"])
def test_a_missing_reason_fails(reason):
    assert "open_reason" in run_check("check_open_flag", right_flag, reason)


def test_a_rule_that_only_just_passes_on_the_visible_sample_fails_a_hidden_one():
    from wloss.data import make_imbalanced_blobs

    X, y = make_imbalanced_blobs(seed=101, **ex01.OPEN_DATA)
    positives_seen = {tuple(row) for row in X[y == 1]}

    def memorised(X):                                  # flags exactly the visible sample's positives
        return np.array([tuple(row) in positives_seen for row in np.asarray(X)], dtype=int)
    ex01.check_open_flag(memorised, OPEN_REASON)
    with pytest.raises(CheckFailed, match="another fresh sample") as failure:
        hidden_ex01.check_open_flag(memorised, OPEN_REASON)
    assert_teaches_without_telling("check_open_flag", str(failure.value))


# ----------------------------------------------------------------------------- all tasks

def test_right_answers_pass(capsys):
    for module in (ex01, hidden_ex01):
        module.check_balanced_loss(right_balanced_loss)
        module.check_constant_q_shares(right_shares)
        module.check_per_class_recall(right_recall)
        module.check_recall_prediction(RIGHT_PREDICTION, REASON)
        module.check_open_flag(right_flag, OPEN_REASON)
    assert capsys.readouterr().out.count("\u2714") == 10


def test_right_answers_pass_the_visible_checks(capsys):
    ex01.check_balanced_loss(right_balanced_loss)
    ex01.check_constant_q_shares(right_shares)
    ex01.check_per_class_recall(right_recall)
    assert capsys.readouterr().out.count("\u2714") == 3


def test_the_visible_only_answer_passes_every_visible_check_and_fails_a_hidden_one():
    """An answer that passes only the visible checks (the one tests/test_nbgrader.py hands in): the solution with
    '"s = 4": "above 0.8"' replaced
    by '"s = 4": "0.3 to 0.7"' passes the visible check and fails the graded part."""
    visible_only = {**RIGHT_PREDICTION, "s = 4": "0.3 to 0.7"}
    ex01.check_recall_prediction(visible_only, REASON)
    with pytest.raises(CheckFailed, match="'s = 4'"):
        hidden_ex01.check_recall_prediction(visible_only, REASON)
