"""Multiclass calibration (wloss.calibration): top-label and class-wise ECE, and BCTS."""
import doctest

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import log_softmax, softmax

import wloss.calibration
import wloss.label_shift
from wloss.calibration import (bias_corrected_temperature_scale, classwise_calibration_error,
                               expected_calibration_error, fit_bias_corrected_temperature, fit_temperature,
                               temperature_scale, top_label_calibration_error)


def calibrated_sample(n=20_000, k=3, seed=0):
    """Probabilities from a Dirichlet and labels drawn from them: calibrated in every sense."""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(k), size=n)
    y = (rng.random((n, 1)) > p.cumsum(axis=1)).sum(axis=1)
    return p, y


@pytest.mark.parametrize("module", [wloss.calibration, wloss.label_shift], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


def test_classwise_is_the_mean_of_the_one_vs_rest_eces():
    p, y = calibrated_sample(n=500, k=4, seed=1)
    per_class = [expected_calibration_error(p[:, k], y == k, num_bins=7) for k in range(4)]
    assert classwise_calibration_error(p, y, num_bins=7) == pytest.approx(np.mean(per_class), abs=1e-12)


def test_top_label_is_the_ece_of_the_confidence_against_correctness():
    p, y = calibrated_sample(n=500, k=4, seed=2)
    expected = expected_calibration_error(p.max(axis=1), p.argmax(axis=1) == y, num_bins=5)
    assert top_label_calibration_error(p, y, num_bins=5) == pytest.approx(expected, abs=1e-12)


def test_a_calibrated_sample_scores_low_on_both():
    p, y = calibrated_sample()
    assert top_label_calibration_error(p, y) < 0.02
    assert classwise_calibration_error(p, y) < 0.02


def test_moving_mass_between_non_top_classes_is_seen_only_class_wise():
    # Every row is (0.6, 0.4 - e, e) with e either 0.05 or 0.35 and label 0 with probability 0.6:
    # the top label is always class 0 and calibrated, but classes 1 and 2 are swapped in half the rows.
    n = 10_000
    rng = np.random.default_rng(3)
    swap = rng.random(n) < 0.5
    truth = np.where(swap[:, None], [0.6, 0.05, 0.35], [0.6, 0.35, 0.05])
    y = (rng.random((n, 1)) > truth.cumsum(axis=1)).sum(axis=1)
    wrong = truth[:, [0, 2, 1]]                      # classes 1 and 2 exchanged
    assert top_label_calibration_error(wrong, y) == pytest.approx(top_label_calibration_error(truth, y))
    assert top_label_calibration_error(wrong, y) < 0.02
    assert classwise_calibration_error(wrong, y) > 0.15 > 0.02 > classwise_calibration_error(truth, y)


@pytest.mark.parametrize("call, message", [
    (lambda f: f([0.2, 0.8], [1]), r"probabilities must have shape \(N, N\)"),
    (lambda f: f([[1.0]], [0]), r"probabilities must have shape \(N, K\) with N >= 1 and K >= 2"),
    (lambda f: f([[0.5, 0.6]], [0]), "probabilities must lie in .* summing to 1"),
    (lambda f: f([[1.5, -0.5]], [0]), "probabilities must be >= 0"),
    (lambda f: f([[0.5, 0.5]], [2]), r"y_true must hold labels in \[0, 2\)"),
    (lambda f: f([[0.5, 0.5]], [0, 1]), "y_true has 2 labels but probabilities has 1 rows"),
    (lambda f: f([[0.5, 0.5]], [0], num_bins=0), "num_bins must be an int >= 1"),
])
@pytest.mark.parametrize("function", [top_label_calibration_error, classwise_calibration_error],
                         ids=lambda f: f.__name__)
def test_bad_input_names_the_argument(function, call, message):
    with pytest.raises(ValueError, match=message):
        call(function)


# ----------------------------------------------------------------------------- BCTS


def sample_logits(temperature, bias, n=30_000, seed=0):
    """Logits z and labels drawn from softmax(z / T + b): the model BCTS fits, with known T and b."""
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=2.0, size=(n, len(bias)))
    p = softmax(z / temperature + np.asarray(bias), axis=1)
    y = (rng.random((n, 1)) > p.cumsum(axis=1)).sum(axis=1)
    return z, y


def test_bcts_recovers_the_temperature_and_biases_that_generated_the_labels():
    bias = np.array([0.8, -0.3, -0.5])               # centred
    z, y = sample_logits(1.7, bias)
    t, b = fit_bias_corrected_temperature(z, y)
    assert t == pytest.approx(1.7, rel=0.05)
    np.testing.assert_allclose(b, bias, atol=0.05)


def test_bcts_matches_a_derivative_free_minimisation_of_the_same_likelihood():
    z, y = sample_logits(0.6, [0.4, 0.0, -0.4], n=3000, seed=1)
    t, b = fit_bias_corrected_temperature(z, y)

    def nll(theta):
        bias = np.r_[theta[1:], -theta[1:].sum()]
        return -log_softmax(z * np.exp(-theta[0]) + bias, axis=1)[np.arange(len(y)), y].mean()

    reference = minimize(nll, np.zeros(3), method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-13,
                                                                         "maxiter": 20_000})
    assert np.log(t) == pytest.approx(reference.x[0], abs=1e-5)
    np.testing.assert_allclose(b[:2], reference.x[1:], atol=1e-5)


def test_bcts_matches_the_class_shares_on_average_and_sums_to_zero():
    z, y = sample_logits(1.0, [1.0, 0.0, -1.0], n=5000, seed=2)
    t, b = fit_bias_corrected_temperature(z + [0.0, 0.0, 2.0], y)     # a distorted class 2
    mean_probability = bias_corrected_temperature_scale(z + [0.0, 0.0, 2.0], t, b).mean(axis=0)
    np.testing.assert_allclose(mean_probability, np.bincount(y) / len(y), atol=1e-6)
    assert b.sum() == pytest.approx(0.0, abs=1e-12)


def test_bcts_learns_the_prior_correction_of_class_weights():
    # A model trained with class weights w has logits log(w_k p_k) + c; BCTS's biases learn -log w_k.
    rng = np.random.default_rng(4)
    n, w = 40_000, np.array([0.5, 2.0, 8.0])
    p = rng.dirichlet([2.0, 1.0, 0.5], size=n)
    y = (rng.random((n, 1)) > p.cumsum(axis=1)).sum(axis=1)
    t, b = fit_bias_corrected_temperature(np.log(w * p), y)
    assert t == pytest.approx(1.0, abs=0.03)
    np.testing.assert_allclose(b, -(np.log(w) - np.log(w).mean()), atol=0.05)


def test_bcts_with_zero_bias_is_temperature_scaling():
    z = np.random.default_rng(5).normal(size=(20, 4))
    np.testing.assert_allclose(bias_corrected_temperature_scale(z, 1.3, np.zeros(4)), temperature_scale(z, 1.3))


def test_bcts_fits_at_least_as_well_as_temperature_alone():
    z, y = sample_logits(1.0, [1.0, -1.0], n=2000, seed=6)
    t_only = fit_temperature(z, y)
    t, b = fit_bias_corrected_temperature(z, y)

    def nll(p):
        return -np.log(p[np.arange(len(y)), y]).mean()

    assert nll(bias_corrected_temperature_scale(z, t, b)) <= nll(temperature_scale(z, t_only)) + 1e-12


@pytest.mark.parametrize("call, error, message", [
    (lambda: fit_bias_corrected_temperature([[0.0, 1.0], [1.0, 0.0]], [0, 0]), ValueError,
     "y_true must contain every class"),
    (lambda: fit_bias_corrected_temperature([[0.0, 1.0]], [0, 1]), ValueError,
     "y_true has 2 labels but logits has 1 rows"),
    (lambda: fit_bias_corrected_temperature([0.0, 1.0], [0, 1]), ValueError, r"logits must have shape \(N, K\)"),
    (lambda: fit_bias_corrected_temperature([[0.0, 1.0]], [2]), ValueError, r"y_true must hold labels in \[0, 2\)"),
    (lambda: bias_corrected_temperature_scale([[0.0, 1.0]], 0.0, [0.0, 0.0]), ValueError,
     "temperature must be finite and > 0"),
    (lambda: bias_corrected_temperature_scale([[0.0, 1.0]], 1.0, [0.0]), ValueError,
     r"bias must have shape \(2,\)"),
    (lambda: bias_corrected_temperature_scale([[0.0, 1.0]], 1.0, [0.0, np.nan]), ValueError, "bias must be finite"),
    (lambda: bias_corrected_temperature_scale([[0.0, 1.0]], 1.0, "ab"), TypeError, "bias must be an array"),
])
def test_bcts_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
