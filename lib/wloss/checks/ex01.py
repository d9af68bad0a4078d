"""Checks for exercise 01 (the imbalance problem).

Each check names the property that fails, the smallest case that shows it and a question; it never prints the
values the task asks for. The instructor's hidden cases, and the grading of the prediction against the
experiment, are not here: they are in ``wloss_grading.ex01``, which calls the same case runners
(``balanced_loss_holds``, ...) on inputs the student never sees.
"""
import math

import numpy as np

from wloss.checks import (check_array, check_recorded_prediction, check_scalar, check_true, fail, library_blocked,
                          passed, task)

#: The predict task: the recall at 0.5 of a logistic regression on 10 % positives, for two separations.
RECALL_KEYS = ("s = 1", "s = 4")
RECALL_CHOICES = ("above 0.8", "0.3 to 0.7", "below 0.2")
#: The predict task's experiment: data and training (the separations are RECALL_KEYS').
EXPERIMENT = dict(n=5000, minority_fraction=0.1, separations=(1.0, 4.0), epochs=300, lr=0.05)


def _visible_loss_cases():
    rng = np.random.default_rng(1)
    y = np.r_[np.zeros(97, int), np.ones(3, int)]
    rng.shuffle(y)
    losses = rng.exponential(size=100)
    losses[y == 1] += 2.0                      # the rare class is fitted worse, as in lecture 01
    return [
        ("three classes of 1, 2 and 3 examples", np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
         np.array([0, 1, 1, 2, 2, 2]), 3),
        ("two classes, 3 % positives", losses, y, 2),
    ]


VISIBLE_LOSS_CASES = _visible_loss_cases()


def mean_over_a_balanced_copy(losses, y, num_classes) -> float:
    """The plain mean loss over a data set in which each class's examples are repeated until every class has the
    same number of examples (the least common multiple of the counts): what the task describes, built literally."""
    counts = [int((y == c).sum()) for c in range(num_classes)]
    common = math.lcm(*counts)
    repeated = [np.repeat(losses[y == c], common // counts[c]) for c in range(num_classes)]
    return float(np.concatenate(repeated).mean())


def balanced_loss_holds(balanced_loss, cases):
    """Fail unless ``balanced_loss`` gives the mean loss over a balanced copy on each (case, losses, y, k)."""
    for case, losses, y, k in cases:
        with task("balanced_loss"):
            got = check_scalar(f"balanced_loss ({case})", balanced_loss(losses.copy(), y.copy(), k))
        balanced = mean_over_a_balanced_copy(losses, y, k)
        if np.isclose(got, balanced):
            continue
        if np.isclose(got, losses.mean()):
            fail(f"balanced_loss ({case}): your value equals the mean over the data set as it is. If every class "
                 "had the same number of examples, which examples would count more often than now?")
        if np.isclose(got, k * balanced):
            fail(f"balanced_loss ({case}): your value grows with the number of classes - is it an average?")
        fail(f"balanced_loss ({case}): not the mean loss of a data set in which every class is equally frequent "
             "and keeps its own mean loss. Repeat each class's examples until the counts are equal: what is the "
             "mean then?")


def check_balanced_loss(balanced_loss):
    """The mean loss of a data set with equal class counts and the same per-class mean losses."""
    balanced_loss_holds(balanced_loss, VISIBLE_LOSS_CASES)
    passed("balanced_loss: every class counts equally, with its own mean loss")


def shares_by_counting(q, pi, n=100_000) -> np.ndarray:
    """Each class's share of sum_i ||p_i - e_(y_i)||_1 over a data set of n examples, round(n pi_k) of class k,
    every p_i = q: built as a data set and summed, row by row."""
    q, pi = np.asarray(q, dtype=float), np.asarray(pi, dtype=float)
    counts = np.round(n * pi).astype(int)
    y = np.repeat(np.arange(len(q)), counts)
    one_hot = np.eye(len(q))[y]
    magnitude = np.abs(q[None, :] - one_hot).sum(axis=1)
    per_class = np.array([magnitude[y == k].sum() for k in range(len(q))])
    return per_class / per_class.sum()


#: (q, pi) the visible check tries: two classes as in lecture 01, then three classes.
VISIBLE_SHARE_CASES = [
    (np.array([0.64, 0.36]), np.array([0.99, 0.01])),
    (np.array([0.5, 0.3, 0.2]), np.array([0.9, 0.09, 0.01])),
    (np.array([0.2, 0.2, 0.6]), np.array([0.5, 0.3, 0.2])),
]


def shares_hold(constant_q_shares, cases):
    """Fail unless ``constant_q_shares(q, pi)`` gives each class's share, counted on a data set, for each (q, pi)."""
    for q, pi in cases:
        case = f"q = {q.tolist()}, pi = {pi.tolist()}"
        with task("constant_q_shares"):
            got = constant_q_shares(q.copy(), pi.copy())
        got = check_array(f"constant_q_shares ({case})", got)
        check_true(got.shape == q.shape,
                   f"constant_q_shares ({case}): shape {got.shape} for {len(q)} classes; one share per class?")
        counted = shares_by_counting(q, pi)
        if np.allclose(got, counted, rtol=1e-7, atol=1e-12):
            continue
        check_true(np.all(got >= 0) and np.isclose(got.sum(), 1.0),
                   f"constant_q_shares ({case}): your entries are not shares: are they all >= 0, and do they add "
                   "up to the whole sum?")
        if np.allclose(got, pi):
            fail(f"constant_q_shares ({case}): your shares do not depend on q. Is an example of class 0 as far "
                 "from its target as an example of class 1, when both get the output q?")
        heaviest = int(np.argmax(np.abs(got - counted)))
        if got[heaviest] > counted[heaviest]:
            fail(f"constant_q_shares ({case}): class {heaviest}'s share is too large. How far is the output q from "
                 f"the target of an example of class {heaviest}, summed over all K entries?")
        fail(f"constant_q_shares ({case}): class {heaviest}'s share is too small. How far is the output q from "
             f"the target of an example of class {heaviest}, summed over all K entries?")


def check_constant_q_shares(constant_q_shares):
    """Each class's share of sum_i ||p_i - e_(y_i)||_1 when the model outputs the same q for every example."""
    shares_hold(constant_q_shares, VISIBLE_SHARE_CASES)
    passed("constant_q_shares: each class's share of the logit-gradient magnitudes")


#: Labels and predictions the visible check builds its properties on: three classes, one of them never found.
VISIBLE_RECALL_CASE = ("three classes, class 2 never predicted", np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 0]),
                       np.array([0, 1, 0, 0, 1, 0, 1, 0, 0, 1]), 3)
#: The functions a recall could be taken from instead of written.
RECALL_LIBRARY = ("sklearn.metrics.recall_score", "sklearn.metrics.precision_recall_fscore_support",
                  "sklearn.metrics.classification_report", "sklearn.metrics.balanced_accuracy_score",
                  "wloss.metrics.per_class_recall", "wloss.metrics.balanced_accuracy",
                  "wloss.metrics.precision_recall_f1")


def _recall_of(per_class_recall, case, y_true, y_pred, k):
    with np.errstate(all="ignore"), library_blocked("per_class_recall", *RECALL_LIBRARY), task("per_class_recall"):
        got = per_class_recall(np.array(y_true), np.array(y_pred), k)
    got = check_array(f"per_class_recall ({case})", got)
    check_true(got.shape == (k,), f"per_class_recall ({case}): shape {got.shape} for {k} classes; one recall per "
                                  "class?")
    check_true(np.all(np.isfinite(got)), f"per_class_recall ({case}): a recall is not finite (nan or inf) - which "
                                         "class, and what did your code divide by for it?")
    check_true(np.all((got >= 0) & (got <= 1)), f"per_class_recall ({case}): a recall outside [0, 1]")
    return got


def recall_properties_hold(per_class_recall, case, y_true, y_pred, k):
    """The properties any per-class recall has, on one case: perfect predictions give 1, predictions that miss a class
    give it 0, a class's recall ignores the predictions made for the other classes' examples, and an absent class
    gets 0.0."""
    got = _recall_of(per_class_recall, case, y_true, y_pred, k)
    present = np.bincount(y_true, minlength=k) > 0
    perfect = _recall_of(per_class_recall, f"{case}, every prediction right", y_true, y_true, k)
    check_true(np.allclose(perfect[present], 1.0),
               f"per_class_recall ({case}, every prediction right): a class whose examples are all predicted "
               "right does not get 1")
    for c in np.flatnonzero(present):
        others = y_true != c
        changed = y_pred.copy()
        changed[others] = c                                     # every other example now predicted as c
        moved = _recall_of(per_class_recall, f"{case}, all other examples predicted as {c}", y_true, changed, k)
        check_true(np.isclose(moved[c], got[c]),
                   f"per_class_recall ({case}): class {c}'s recall changed when only the predictions for examples "
                   f"of OTHER classes changed (all of them now predicted as {c}). Which examples should class {c}'s "
                   "recall look at?")
        missed = y_pred.copy()
        missed[~others] = (c + 1) % k
        zero = _recall_of(per_class_recall, f"{case}, no example of class {c} predicted as {c}", y_true, missed, k)
        check_true(np.isclose(zero[c], 0.0),
                   f"per_class_recall ({case}, no example of class {c} predicted as {c}): class {c} is never found, "
                   "but its recall is not 0")
    absent = np.r_[y_true, y_true]
    absent_k = k + 1
    extra = _recall_of(per_class_recall, f"{case}, with a class {k} that has no example", absent,
                       np.r_[y_pred, np.full(len(y_pred), k)], absent_k)
    check_true(extra[k] == 0.0, f"per_class_recall ({case}, with a class {k} that has no example): what does the "
                                "task ask for a class without examples?")


def check_per_class_recall(per_class_recall):
    """Per-class recall for K classes (0.0 for a class without examples), checked by its properties."""
    recall_properties_hold(per_class_recall, *VISIBLE_RECALL_CASE)
    passed("per_class_recall: 1 when all found, 0 when none, blind to the other classes' examples, 0.0 when absent")


def check_recall_prediction(recall_prediction, recall_reason):
    """Task 4, visible part: a range for each separation and a one-line reason, recorded and well formed (not
    whether they are right; the graded part compares them with the experiment)."""
    check_recorded_prediction("recall_prediction", recall_prediction, RECALL_KEYS, RECALL_CHOICES,
                              "recall_reason", recall_reason,
                              "in one sentence, where does the 0.5 boundary lie relative to the positives?")


def recall_outcome(recall: float):
    """The choice of RECALL_CHOICES a measured recall falls in, or None between the ranges."""
    if recall > 0.8:
        return "above 0.8"
    if 0.3 <= recall <= 0.7:
        return "0.3 to 0.7"
    if recall < 0.2:
        return "below 0.2"
    return None


def run_recall_experiment(seed: int = 1) -> dict:
    """Task 4's experiment: {separation key: recall at 0.5 on the training data} for data drawn with ``seed``."""
    import torch.nn.functional as F

    from wloss.data import make_imbalanced_blobs
    from wloss.training import mlp, predict_proba, train

    e = EXPERIMENT
    recalls = {}
    for key, separation in zip(RECALL_KEYS, e["separations"]):
        X, y = make_imbalanced_blobs(n=e["n"], minority_fraction=e["minority_fraction"], seed=seed,
                                     separation=separation)
        model = mlp(2, (), 1, seed=0)
        train(model, X, y, F.binary_cross_entropy_with_logits, epochs=e["epochs"], lr=e["lr"])
        recalls[key] = float((predict_proba(model, X)[y == 1] >= 0.5).mean())
    return recalls


#: The open task's data: task 4's overlapping classes, drawn afresh with seeds the training never saw.
OPEN_DATA = dict(n=5000, minority_fraction=0.1, separation=1.0)
OPEN_RECALL, OPEN_PRECISION = 0.6, 0.15


def flags_hold(flag, seed, where):
    """Fail unless ``flag(X)`` finds at least OPEN_RECALL of the positives of a fresh sample drawn with ``seed``,
    with a precision of at least OPEN_PRECISION; return (recall, precision)."""
    from wloss.data import make_imbalanced_blobs

    X, y = make_imbalanced_blobs(seed=seed, **OPEN_DATA)
    with task("flag"):
        flags = flag(X.copy())
    flags = check_array(f"flag ({where})", flags, shape=y.shape)
    check_true(np.isin(flags, (0, 1)).all(), f"flag ({where}): expected 0 or 1 for every example")
    recall = float(flags[y == 1].mean())
    precision = float(y[flags == 1].mean()) if flags.any() else 0.0
    check_true(recall >= OPEN_RECALL, f"flag ({where}): finds {recall:.2f} of the positives; the task asks for at "
                                      f"least {OPEN_RECALL}")
    check_true(precision >= OPEN_PRECISION,
               f"flag ({where}): {precision:.2f} of the flagged examples are positive; the task asks for at least "
               f"{OPEN_PRECISION}. Does your rule look at x at all?")
    return recall, precision


def check_open_flag(flag, open_reason):
    """The open task, visible part: the rule meets the targets on a fresh sample; a reason of two sentences."""
    if open_reason is ... or not isinstance(open_reason, str) or len(open_reason.split()) < 10:
        fail("open_reason: write two sentences: what your rule changes, and what it costs")
    recall, precision = flags_hold(flag, seed=101, where="a fresh sample")
    passed(f"flag: on a fresh sample it finds {recall:.2f} of the positives at precision {precision:.2f}")
