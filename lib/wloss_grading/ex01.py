"""The hidden part of exercise 01's checks: more cases, an invariance, and the prediction graded on the experiment."""
from functools import lru_cache

import numpy as np

from wloss.checks import check_recorded_prediction, check_scalar, check_true, fail, fail_disagreeing, passed, task
from wloss.checks.ex01 import (RECALL_CHOICES, RECALL_KEYS, VISIBLE_LOSS_CASES, _recall_of, balanced_loss_holds,
                               flags_hold, recall_outcome, recall_properties_hold, run_recall_experiment,
                               shares_hold)

_rng = np.random.default_rng(11)
#: Four classes, one of a single example, another listed in the middle of the label range.
HIDDEN_LOSS_CASES = [
    ("four classes, one of them a single example", _rng.exponential(size=9), np.array([0, 0, 0, 0, 0, 1, 1, 2, 3]), 4),
    ("two classes, the labels not sorted", np.array([0.5, 3.0, 0.1, 0.2, 4.0, 0.3]), np.array([0, 1, 0, 0, 1, 0]), 2),
]
#: (q, pi): four classes, an absent class, a uniform q (shares = pi), a q that is sure of one class.
HIDDEN_SHARE_CASES = [
    (np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.4, 0.3, 0.2, 0.1])),
    (np.array([0.3, 0.3, 0.4]), np.array([0.7, 0.0, 0.3])),
    (np.full(5, 0.2), np.array([0.5, 0.2, 0.15, 0.1, 0.05])),
    (np.array([0.98, 0.01, 0.01]), np.array([0.95, 0.04, 0.01])),
]
#: Recall cases the visible check does not try: labels out of order, an absent class in the middle, K = 4, one
#: class predicted everywhere.
HIDDEN_RECALL_CASES = [
    ("four classes, class 1 absent", np.array([3, 0, 2, 2, 3, 3, 0, 2, 3]), np.array([3, 0, 1, 2, 0, 3, 2, 2, 1]), 4),
    ("two classes, 1 positive in 10, found", np.r_[np.zeros(9, int), 1], np.r_[np.zeros(8, int), 1, 1], 2),
    ("three classes, everything predicted as 0", np.array([0, 1, 2, 1, 2, 2]), np.zeros(6, int), 3),
]


def reference_recall(y_true, y_pred, k):
    return np.array([(y_pred[y_true == c] == c).mean() if (y_true == c).any() else 0.0 for c in range(k)])


def check_balanced_loss(balanced_loss):
    balanced_loss_holds(balanced_loss, HIDDEN_LOSS_CASES)
    losses, y, k = VISIBLE_LOSS_CASES[1][1:]
    doubled = np.r_[losses, losses[y == 0]], np.r_[y, y[y == 0]]
    with task("balanced_loss"):
        once = check_scalar("balanced_loss", balanced_loss(losses.copy(), y.copy(), k))
        twice = check_scalar("balanced_loss", balanced_loss(*doubled, k))
    check_true(np.isclose(once, twice),
               "balanced_loss (every negative listed twice): the answer changed. Should a balanced data set depend "
               "on how many examples each class happens to have?")
    passed("balanced_loss: hidden cases too")


def check_constant_q_shares(constant_q_shares):
    shares_hold(constant_q_shares, HIDDEN_SHARE_CASES)
    passed("constant_q_shares: hidden cases too")


def check_per_class_recall(per_class_recall):
    for case, y_true, y_pred, k in HIDDEN_RECALL_CASES:
        got = _recall_of(per_class_recall, case, y_true, y_pred, k)
        wrong = np.flatnonzero(~np.isclose(got, reference_recall(y_true, y_pred, k)))
        if wrong.size:
            fail(f"per_class_recall ({case}): class {wrong[0]}'s recall is off. Of which examples is it a fraction?")
        recall_properties_hold(per_class_recall, case, y_true, y_pred, k)
    passed("per_class_recall: hidden cases too")


@lru_cache(maxsize=None)
def experiment_outcome(seed: int) -> dict:
    """The range each separation's recall falls in, on data drawn with ``seed`` (1 is the notebook's)."""
    recalls = run_recall_experiment(seed)
    return {key: recall_outcome(recall) for key, recall in recalls.items()}


_RECALL_QUESTIONS = {
    "s = 1": "with means one standard deviation apart and 9 negatives per positive, which class is more likely at "
             "the positives' own mean?",
    "s = 4": "when the classes hardly overlap, how far does the prior move the boundary, compared with the distance "
             "between the means?",
}


def check_recall_prediction(recall_prediction, recall_reason):
    """Grade the recorded ranges against the experiment, as the notebook ran it and on a fresh sample."""
    check_recorded_prediction("recall_prediction", recall_prediction, RECALL_KEYS, RECALL_CHOICES,
                              "recall_reason", recall_reason, "in one sentence, why?", announce=False)
    for seed, draw in ((1, "the sample you ran"), (2, "a fresh sample")):
        fail_disagreeing("recall_prediction", recall_prediction, experiment_outcome(seed), _RECALL_QUESTIONS,
                         f"the experiment ({draw})", "compare the recall it printed for each with your range")
    passed("recall_prediction: both recalls fall in the ranges you predicted (two samples; hidden part)")


def check_open_flag(flag, open_reason):
    """Two more fresh samples: a rule tuned to the visible sample's noise does not carry over."""
    for seed in (102, 103):
        flags_hold(flag, seed=seed, where="another fresh sample")
    passed("flag: hidden cases too (two more fresh samples)")
