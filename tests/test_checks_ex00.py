"""Exercise 00's checks reject typical wrong answers with a message that says what is wrong."""
import numpy as np
import pytest

from wloss.checks import CheckFailed, ex00


def test_counts_without_minlength_are_caught():
    with pytest.raises(CheckFailed, match=r"class_counts \(a class that never occurs\): expected shape \(4,\), got \(3,\)"):
        ex00.check_class_counts(lambda y, k: np.bincount(y))


def test_counts_instead_of_proportions_are_caught():
    with pytest.raises(CheckFailed, match="class_proportions .*expected 0.166667, got 1"):
        ex00.check_class_proportions(lambda y, k: np.bincount(y, minlength=k).astype(float))


def test_minority_instead_of_majority_is_caught():
    with pytest.raises(CheckFailed, match="majority_accuracy .*expected 0.5, got 0.166667"):
        ex00.check_majority_accuracy(lambda y, k: np.bincount(y).min() / len(y))


def test_right_answers_pass(capsys):
    ex00.check_class_counts(lambda y, k: np.bincount(y, minlength=k))
    ex00.check_class_proportions(lambda y, k: np.bincount(y, minlength=k) / len(y))
    ex00.check_majority_accuracy(lambda y, k: np.bincount(y).max() / len(y))
    assert capsys.readouterr().out.count("\u2714") == 3
