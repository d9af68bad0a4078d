"""Exercise 04's checks: typical wrong answers get a message that names the mistake."""
import numpy as np
import pytest

from wloss.checks import CheckFailed, ex04


def rwc(t, p, c_fn, c_fp):
    t, p = np.asarray(t), np.asarray(p)
    return float((((t == 1) & (p == 0)).sum() * c_fn + ((t == 0) & (p == 1)).sum() * c_fp) / len(t))


def test_swapped_costs_in_the_threshold():
    with pytest.raises(CheckFailed, match="costs swapped"):
        ex04.check_bayes_optimal_threshold(lambda c_fn, c_fp: c_fn / (c_fn + c_fp))


def test_total_instead_of_average_cost():
    with pytest.raises(CheckFailed, match="you returned the total; divide by N"):
        ex04.check_binary_real_world_cost(lambda t, p, c_fn, c_fp: rwc(t, p, c_fn, c_fp) * len(t))


def test_threshold_that_is_not_optimal():
    with pytest.raises(CheckFailed, match="costs .* but .* costs"):
        ex04.check_cost_optimal_threshold(lambda s, y, c_fn, c_fp: float(np.max(s)))


def test_correction_in_the_wrong_direction():
    with pytest.raises(CheckFailed, match="you ADDED log w"):
        ex04.check_corrected_probability(lambda z, w: 1 / (1 + np.exp(-(np.asarray(z) + np.log(w)))))


def test_ece_without_bin_weights():
    def unweighted_ece(p, y, bins):
        p, y = np.asarray(p, float), np.asarray(y, float)
        b = np.minimum((p * bins).astype(int), bins - 1)
        return float(np.mean([abs(y[b == k].mean() - p[b == k].mean()) for k in np.unique(b)]))
    with pytest.raises(CheckFailed, match=r"ece \(calibrated-ish sample\): expected"):
        ex04.check_ece(unweighted_ece)


def test_right_answers_pass(capsys):
    ex04.check_bayes_optimal_threshold(lambda c_fn, c_fp: c_fp / (c_fp + c_fn))
    ex04.check_binary_real_world_cost(rwc)

    def best(scores, y, c_fn, c_fp):
        candidates = np.unique(scores)[::-1]
        return float(candidates[int(np.argmin([rwc(y, (scores >= t).astype(int), c_fn, c_fp) for t in candidates]))])
    ex04.check_cost_optimal_threshold(best)
    ex04.check_corrected_probability(lambda z, w: 1 / (1 + np.exp(-(np.asarray(z) - np.log(w)))))
    from wloss.calibration import expected_calibration_error
    ex04.check_ece(expected_calibration_error)
    assert capsys.readouterr().out.count("\u2714") == 5
