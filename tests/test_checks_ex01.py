"""Exercise 01's checks: typical wrong answers get a message that names the mistake."""
import numpy as np
import pytest

from wloss.checks import CheckFailed, ex01


def right_per_class_mean(losses, y, k):
    return np.bincount(y, weights=losses, minlength=k) / np.bincount(y, minlength=k)


def test_sums_instead_of_means():
    with pytest.raises(CheckFailed, match="SUM of losses; divide by the class's count"):
        ex01.check_per_class_mean_loss(lambda losses, y, k: np.bincount(y, weights=losses, minlength=k))


def test_equal_weights_instead_of_proportions():
    with pytest.raises(CheckFailed, match="equal weights; weight class k by its proportion"):
        ex01.check_class_weighted_average(lambda losses, y, k: right_per_class_mean(losses, y, k).mean())


def test_recall_of_the_wrong_class():
    def recall_of_negatives(t, p):
        return float((t == p).mean()), float((p[t == 0] == 0).mean())
    with pytest.raises(CheckFailed, match=r"recall \(always negative, 1 % positives\): expected 0, got 1"):
        ex01.check_accuracy_and_recall(recall_of_negatives)


def test_returning_a_list_instead_of_a_tuple():
    with pytest.raises(CheckFailed, match="expected a tuple"):
        ex01.check_accuracy_and_recall(lambda t, p: [1.0, 1.0])


def test_class_proportions_instead_of_gradient_share():
    with pytest.raises(CheckFailed, match="class proportions; weight each example by"):
        ex01.check_gradient_share(lambda p, y: np.bincount(y, minlength=2) / len(y))


def test_boundary_with_the_wrong_sign():
    with pytest.raises(CheckFailed, match="wrong sign"):
        ex01.check_bayes_boundary(lambda pi1, s: float(np.log(pi1 / (1 - pi1)) / s))


def test_right_answers_pass(capsys):
    ex01.check_per_class_mean_loss(right_per_class_mean)
    ex01.check_class_weighted_average(lambda losses, y, k: float(
        (np.bincount(y, minlength=k) / len(y) * right_per_class_mean(losses, y, k)).sum()))
    ex01.check_accuracy_and_recall(lambda t, p: (float((t == p).mean()),
                                                 float((p[t == 1] == 1).mean()) if (t == 1).any() else 0.0))
    ex01.check_gradient_share(lambda p, y: np.bincount(y, weights=np.abs(p - y), minlength=2) / np.abs(p - y).sum())
    ex01.check_bayes_boundary(lambda pi1, s: float(np.log((1 - pi1) / pi1) / s))
    assert capsys.readouterr().out.count("\u2714") == 5
