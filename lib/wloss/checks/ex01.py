"""Checks for exercise 01 (the imbalance problem).

Each check names the property that fails, the case that shows it and a hint; it never prints the
values the task asks for. ``hidden=True`` runs the extra cases of the instructor's hidden tests.
"""
from functools import lru_cache

import numpy as np

from wloss.checks import check_array, check_scalar, check_true, fail, hidden_suffix, passed, task

#: The predict task's choices: recall above 0.8, between 0.3 and 0.7, below 0.2.
RECALL_CHOICES = {"A": (0.8, 1.0), "B": (0.3, 0.7), "C": (0.0, 0.2)}
#: The predict task's experiment: data and training.
EXPERIMENT = dict(n=5000, minority_fraction=0.1, separation=1.0, epochs=300, lr=0.05)


def _loss_cases(hidden):
    rng = np.random.default_rng(1)
    y = np.r_[np.zeros(97, int), np.ones(3, int)]
    rng.shuffle(y)
    losses = rng.exponential(size=100)
    losses[y == 1] += 2.0                      # the rare class is fitted worse, as in lecture 01
    cases = [
        ("two classes, 3 % positives", losses, y, 2),
        ("three classes of 1, 2 and 3 examples", np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
         np.array([0, 1, 1, 2, 2, 2]), 3),
    ]
    if hidden:
        cases.append(("four classes, one of them a single example", rng.exponential(size=9),
                      np.array([0, 0, 0, 0, 0, 1, 1, 2, 3]), 4))
    return cases


def _balanced(losses, y, k):
    return float(np.mean([losses[y == c].mean() for c in range(k)]))


def check_balanced_loss(balanced_loss, hidden=False):
    """The mean loss of a data set with equal class counts and the same per-class mean losses."""
    for case, losses, y, k in _loss_cases(hidden):
        with task("balanced_loss"):
            got = check_scalar(f"balanced_loss ({case})", balanced_loss(losses.copy(), y.copy(), k))
        if np.isclose(got, _balanced(losses, y, k)):
            continue
        if np.isclose(got, losses.mean()):
            fail(f"balanced_loss ({case}): you returned the plain mean loss, which counts each class as often as "
                 "it occurs in THIS data set; in a balanced data set every class is equally frequent")
        if np.isclose(got, k * _balanced(losses, y, k)):
            fail(f"balanced_loss ({case}): your value grows with the number of classes - is it an average?")
        fail(f"balanced_loss ({case}): not the mean loss of a data set in which every class is equally frequent "
             "and keeps its own mean loss. Hint: what is each class's mean loss, and how much does it count?")
    if hidden:
        losses, y, k = _loss_cases(False)[0][1:]
        doubled = np.r_[losses, losses[y == 0]], np.r_[y, y[y == 0]]
        with task("balanced_loss"):
            once = check_scalar("balanced_loss", balanced_loss(losses.copy(), y.copy(), k))
            twice = check_scalar("balanced_loss", balanced_loss(*doubled, k))
        check_true(np.isclose(once, twice),
                   "balanced_loss (every negative listed twice): the answer changed, but a balanced data set does "
                   "not depend on how many examples each class happens to have")
    passed("balanced_loss: every class counts equally, with its own mean loss" + hidden_suffix(hidden))


def _share(p, pi1):
    wrong_pos, wrong_neg = pi1 * (1 - p), (1 - pi1) * p
    return wrong_pos / (wrong_pos + wrong_neg)


def check_constant_p_share(constant_p_share, hidden=False):
    """Class 1's share of sum |p_i - y_i| when the model outputs the same p for every example."""
    cases = [(0.5, 0.01), (0.36, 0.01), (0.9, 0.2)]
    if hidden:
        cases += [(0.1, 0.3), (0.99, 0.5), (0.02, 0.001)]
    for p, pi1 in cases:
        case = f"p = {p}, pi1 = {pi1}"
        with task("constant_p_share"):
            got = check_scalar(f"constant_p_share ({case})", constant_p_share(p, pi1))
        if np.isclose(got, _share(p, pi1), rtol=1e-9, atol=1e-12):
            continue
        check_true(0 <= got <= 1, f"constant_p_share ({case}): {got:g} is not a share between 0 and 1")
        if p == 0.5:
            fail(f"constant_p_share ({case}): at p = 0.5 every example is wrong by exactly 0.5, so each class's "
                 "share is its frequency; yours is not")
        if np.isclose(got, pi1):
            fail(f"constant_p_share ({case}): your share does not depend on p, but a positive is wrong by "
                 "|p - 1| and a negative by |p - 0|; at this p they differ")
        if np.isclose(got, _share(1 - p, pi1)):
            fail(f"constant_p_share ({case}): how wrong a positive is and how wrong a negative is are swapped: "
                 "a larger p makes the positives LESS wrong")
        fail(f"constant_p_share ({case}): not class 1's share of the sum of |p_i - y_i| over a data set with "
             "these p and pi1. Hint: write the sum for n examples, n pi1 of them positive.")
    passed("constant_p_share: the minority's share of the logit-gradient magnitudes" + hidden_suffix(hidden))


def _recall_cases(hidden):
    y_rare = np.r_[np.zeros(99, int), np.ones(1, int)]
    cases = [
        ("always negative, 1 positive in 100", y_rare, np.zeros(100, int)),
        ("4 flagged, 2 of them among the 3 positives", np.array([1, 1, 1, 0, 0, 0, 0, 0]),
         np.array([1, 1, 0, 1, 1, 0, 0, 0])),
        ("no positive labels at all", np.zeros(4, int), np.array([0, 1, 0, 0])),
    ]
    if hidden:
        cases += [
            ("1 flagged, it is one of the 4 positives", np.array([1, 1, 1, 1, 0, 0]), np.array([1, 0, 0, 0, 0, 0])),
            ("every example flagged", np.array([0, 1, 0, 1, 1]), np.ones(5, int)),
        ]
    return cases


def check_accuracy_and_recall(accuracy_and_recall, hidden=False):
    """Accuracy, and recall = the fraction of the positive labels predicted positive (0.0 without positives)."""
    for case, t, p in _recall_cases(hidden):
        with np.errstate(all="ignore"), task("accuracy_and_recall"):
            got = accuracy_and_recall(t.copy(), p.copy())
        check_true(isinstance(got, tuple) and len(got) == 2,
                   f"accuracy_and_recall ({case}): return a tuple (accuracy, recall), not {type(got).__name__}")
        accuracy = check_scalar(f"accuracy ({case})", got[0])
        check_true(np.isclose(accuracy, (t == p).mean()),
                   f"accuracy ({case}): not the fraction of examples whose prediction equals the label")
        recall = check_scalar(f"recall ({case})", got[1])
        positives, flagged = t == 1, p == 1
        if not positives.any():
            check_true(recall == 0.0, f"recall ({case}): with no positive labels the task asks for 0.0")
            continue
        if flagged.any() and np.isclose(recall, (positives & flagged).sum() / flagged.sum()) \
                and not np.isclose(recall, flagged[positives].mean()):
            fail(f"recall ({case}): you divided the true positives by the number of FLAGGED examples - that is "
                 "precision. Recall asks: of the examples that really are positive, how many were found?")
        if np.isclose(recall, (p[t == 0] == 0).mean()) and not np.isclose(recall, flagged[positives].mean()):
            fail(f"recall ({case}): that is the fraction of negatives found (the recall of class 0)")
        check_true(np.isclose(recall, flagged[positives].mean()),
                   f"recall ({case}): not the fraction of the positive labels that were predicted positive")
    passed("accuracy_and_recall: accuracy, and the fraction of positives found" + hidden_suffix(hidden))


@lru_cache(maxsize=None)
def experiment_recall(seed: int) -> float:
    """Recall at threshold 0.5 of the predict task's logistic regression, trained on data drawn with ``seed``."""
    import torch.nn.functional as F

    from wloss.data import make_imbalanced_blobs
    from wloss.training import mlp, predict_proba, train

    e = EXPERIMENT
    X, y = make_imbalanced_blobs(n=e["n"], minority_fraction=e["minority_fraction"], seed=seed,
                                 separation=e["separation"])
    model = mlp(2, (), 1, seed=0)
    train(model, X, y, F.binary_cross_entropy_with_logits, epochs=e["epochs"], lr=e["lr"])
    return float((predict_proba(model, X)[y == 1] >= 0.5).mean())


def _choice_of(recall):
    for letter, (low, high) in RECALL_CHOICES.items():
        if low <= recall <= high:
            return letter
    return None


def check_recall_prediction(predicted_recall, measured_recall, hidden=False):
    """The predicted range (a letter of RECALL_CHOICES) contains the measured recall."""
    check_true(isinstance(predicted_recall, str) and predicted_recall.strip().upper() in RECALL_CHOICES,
               f"predicted_recall: write one of the letters {sorted(RECALL_CHOICES)} as a string, e.g. \"A\"")
    letter = predicted_recall.strip().upper()
    measured = check_scalar("measured_recall", measured_recall)
    recalls = [("the experiment above", measured)]
    if hidden:
        recalls += [("the experiment retrained by the check", experiment_recall(seed=1)),
                    ("the same experiment on a fresh sample", experiment_recall(seed=2))]
    for where, recall in recalls:
        truth = _choice_of(recall)
        check_true(truth is not None, f"measured_recall: {recall:.3f} falls between the ranges; rerun the experiment")
        if truth != letter:
            direction = "more" if RECALL_CHOICES[letter][0] > RECALL_CHOICES[truth][0] else "fewer"
            fail(f"predicted_recall: {where} disagrees with \"{letter}\" - the model finds {direction} positives "
                 "than you expected. Hint: with 10 % positives and classes this close, where does the 0.5 "
                 "boundary lie relative to the positives' mean (lecture 01, section 4)?")
    passed("predicted_recall: the experiment falls in the range you predicted" + hidden_suffix(hidden))
