"""Checks for exercise 01 (the imbalance problem)."""
import numpy as np

from wloss.checks import check_array, check_close, check_scalar, check_true, passed, task


def _loss_cases():
    rng = np.random.default_rng(1)
    y = np.r_[np.zeros(97, int), np.ones(3, int)]
    rng.shuffle(y)
    return [
        ("two classes, 3 % positives", rng.exponential(size=100), y, 2),
        ("three classes", np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), np.array([0, 1, 1, 2, 2, 2]), 3),
    ]


def check_per_class_mean_loss(per_class_mean_loss):
    for case, losses, y, k in _loss_cases():
        with task("per_class_mean_loss"):
            got = per_class_mean_loss(losses, y, k)
        got = check_array(f"per_class_mean_loss ({case})", got, shape=(k,))
        expected = np.array([losses[y == c].mean() for c in range(k)])
        if np.allclose(got, [losses[y == c].sum() for c in range(k)]):
            check_true(False, f"per_class_mean_loss ({case}): you returned each class's SUM of losses; "
                              "divide by the class's count n_k")
        check_close("per_class_mean_loss", got, expected, case=case)
    passed("per_class_mean_loss: the mean loss of every class")


def check_class_weighted_average(class_weighted_average):
    for case, losses, y, k in _loss_cases():
        with task("class_weighted_average"):
            got = check_scalar(f"class_weighted_average ({case})", class_weighted_average(losses, y, k))
        if np.isclose(got, np.mean([losses[y == c].mean() for c in range(k)])) and not np.isclose(got, losses.mean()):
            check_true(False, f"class_weighted_average ({case}): you averaged the class means with equal weights; "
                              "weight class k by its proportion pi_k = n_k / n")
        check_close("class_weighted_average", got, losses.mean(), rtol=1e-9, case=case)
    passed("class_weighted_average: sum_k pi_k Lbar_k equals the mean loss, as the identity says")


def check_accuracy_and_recall(accuracy_and_recall):
    y_true = np.r_[np.zeros(99, int), np.ones(1, int)]
    cases = [
        ("always negative, 1 % positives", y_true, np.zeros(100, int), (0.99, 0.0)),
        ("perfect", y_true, y_true.copy(), (1.0, 1.0)),
        ("two of four positives found", np.array([1, 1, 1, 1, 0, 0]), np.array([1, 1, 0, 0, 1, 0]), (0.5, 0.5)),
        ("no positives at all", np.zeros(4, int), np.array([0, 1, 0, 0]), (0.75, 0.0)),
    ]
    for case, t, p, (accuracy, recall) in cases:
        with task("accuracy_and_recall"):
            got = accuracy_and_recall(t, p)
        check_true(isinstance(got, tuple) and len(got) == 2,
                   f"accuracy_and_recall ({case}): expected a tuple (accuracy, recall), got {type(got).__name__}")
        check_close("accuracy", check_scalar("accuracy", got[0]), accuracy, case=case)
        check_close("recall", check_scalar("recall", got[1]), recall, case=case)
    passed("accuracy_and_recall: 'always negative' is 99 % accurate with recall 0")


def check_gradient_share(gradient_share):
    p = np.array([0.1, 0.2, 0.05, 0.3, 0.6])
    y = np.array([0, 0, 0, 0, 1])
    magnitude = np.abs(p - y)
    expected = np.array([magnitude[y == 0].sum(), magnitude[y == 1].sum()]) / magnitude.sum()
    with task("gradient_share"):
        got = gradient_share(p, y)
    got = check_array("gradient_share", got, shape=(2,))
    if np.allclose(got, np.bincount(y) / len(y)):
        check_true(False, "gradient_share: you returned the class proportions; weight each example by |p_i - y_i|")
    check_close("gradient_share", got, expected, case="four negatives, one positive")
    passed("gradient_share: each class's share of sum |p_i - y_i|")


def check_bayes_boundary(bayes_boundary):
    for pi1, s in [(0.5, 2.0), (0.01, 2.0), (0.2, 1.0), (0.9, 3.0)]:
        with task("bayes_boundary"):
            got = check_scalar(f"bayes_boundary(pi1={pi1}, separation={s})", bayes_boundary(pi1, s))
        expected = np.log((1 - pi1) / pi1) / s
        if not np.isclose(got, expected) and np.isclose(got, -expected):
            check_true(False, f"bayes_boundary(pi1={pi1}, separation={s}): wrong sign - a rare class 1 should "
                              "push the boundary toward class 1's mean (+s/2), i.e. to larger x")
        check_close("bayes_boundary", got, expected, case=f"pi1={pi1}, separation={s}")
    passed("bayes_boundary: x* = log(pi0 / pi1) / s")
