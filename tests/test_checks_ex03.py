"""Exercise 03's checks: typical wrong answers get a message that names the mistake."""
import numpy as np
import pytest

from wloss.checks import CheckFailed, ex03


def test_unscaled_inverse_counts():
    with pytest.raises(CheckFailed, match="you returned 1/n_k; multiply by n/K"):
        ex03.check_balanced_weights(lambda counts: 1 / np.asarray(counts, dtype=float))


def test_dividing_by_n_instead_of_the_sum_of_weights():
    with pytest.raises(CheckFailed, match="you divided by n; PyTorch divides by the sum"):
        ex03.check_pytorch_weighted_mean(lambda losses, y, w: float((np.asarray(w)[y] * losses).mean()))


def test_unnormalised_effective_number_weights():
    with pytest.raises(CheckFailed, match="not normalised - scale the weights to sum to K"):
        ex03.check_class_balanced_weights(lambda counts, beta: (1 - beta) / (1 - beta ** np.asarray(counts, float)))


def test_plain_accuracy_instead_of_balanced():
    with pytest.raises(CheckFailed, match="plain accuracy; average the per-class recalls"):
        ex03.check_balanced_accuracy_score(lambda t, p: float((np.asarray(t) == np.asarray(p)).mean()))


def test_right_answers_pass(capsys):
    ex03.check_balanced_weights(lambda c: np.sum(c) / (len(c) * np.asarray(c, dtype=float)))
    ex03.check_pytorch_weighted_mean(lambda losses, y, w: float((np.asarray(w)[y] * losses).sum() / np.asarray(w)[y].sum()))

    def cb(counts, beta):
        raw = (1 - beta) / (1 - beta ** np.asarray(counts, float))
        return raw * len(counts) / raw.sum()
    ex03.check_class_balanced_weights(cb)
    ex03.check_balanced_accuracy_score(
        lambda t, p: float(np.mean([(np.asarray(p)[np.asarray(t) == k] == k).mean() for k in np.unique(t)])))
    assert capsys.readouterr().out.count("\u2714") == 4
