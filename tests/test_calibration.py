"""wloss.calibration: reliability curves, ECE and the prior correction."""
import numpy as np
import pytest

from wloss.calibration import expected_calibration_error, prior_correction, reliability_curve


def test_reliability_curve_of_a_calibrated_sample():
    rng = np.random.default_rng(0)
    p = rng.random(200_000)
    y = (rng.random(p.size) < p).astype(int)
    mean_predicted, observed, counts = reliability_curve(p, y, num_bins=10)
    assert counts.sum() == p.size and len(counts) == 10
    np.testing.assert_allclose(observed, mean_predicted, atol=0.01)
    assert expected_calibration_error(p, y) < 0.01


def test_ece_of_an_overconfident_model():
    # predicts 0.9 where the truth is 0.5: ECE = 0.4
    y = np.array([0, 1] * 50)
    assert expected_calibration_error(np.full(100, 0.9), y) == pytest.approx(0.4)


def test_empty_bins_are_left_out():
    mean_predicted, observed, counts = reliability_curve([0.05, 0.95], [0, 1], num_bins=10)
    assert counts.tolist() == [1, 1] and observed.tolist() == [0.0, 1.0]


def test_prior_correction_undoes_the_odds_scaling_of_pos_weight():
    # The weighted minimiser has odds w * q / (1 - q); the correction returns logit(q).
    q, w = np.array([0.01, 0.3, 0.8]), 20.0
    weighted_logit = np.log(w * q / (1 - q))
    np.testing.assert_allclose(prior_correction(weighted_logit, w), np.log(q / (1 - q)))


@pytest.mark.parametrize("call, message", [
    (lambda: prior_correction([0.0], 0.0), "pos_weight must be finite and > 0"),
    (lambda: prior_correction([0.0], -1.0), "pos_weight must be finite and > 0, got -1.0"),
    (lambda: prior_correction([[float("nan"), 1.0]], 2.0), r"logits must be 1-D with shape \(N,\)"),
    (lambda: prior_correction([float("nan"), 1.0], 2.0), "logits must be finite"),
    (lambda: reliability_curve([0.5, 1.5], [0, 1]), r"probabilities must hold probabilities in \[0, 1\]"),
    (lambda: reliability_curve([0.5, 0.5], [0, 2]), "y_true must hold binary labels"),
    (lambda: reliability_curve([0.5], [0, 1]), "y_true must have shape"),
    (lambda: reliability_curve([0.5], [1], num_bins=0), "num_bins must be an int >= 1"),
])
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
