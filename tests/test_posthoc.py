"""What acts on a trained model's outputs (wloss.calibration, wloss.label_shift, wloss.decisions.cost_curve,
wloss.stats.bootstrap_cost_difference) against independent references: scikit-learn, scipy, brute force and exact
constructions."""
import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import softmax
from sklearn.calibration import CalibratedClassifierCV
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_curve

from wloss.calibration import (adjust_posteriors_to_priors, fit_isotonic, fit_platt, fit_temperature, platt_scale,
                               prior_correction, prior_correction_multiclass, temperature_scale)
from wloss.decisions import cost_curve
from wloss.label_shift import estimate_label_shift_bbse, estimate_label_shift_em
from wloss.stats import bootstrap_cost_difference


def binary_data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    score = 2.5 * (y - 0.3) + rng.normal(size=n)
    return score, y


# ----------------------------------------------------------------------------- prior correction


def test_multiclass_prior_correction_reduces_to_the_binary_one():
    z = np.random.default_rng(1).normal(size=20)
    two = np.stack([np.zeros_like(z), z], axis=1)
    corrected = prior_correction_multiclass(two, [1.0, 7.0])
    np.testing.assert_allclose(corrected[:, 1] - corrected[:, 0], prior_correction(z, 7.0), rtol=1e-12)


def test_multiclass_prior_correction_divides_the_softmax_by_the_weights():
    rng = np.random.default_rng(2)
    z, w = rng.normal(size=(10, 4)), np.array([1.0, 3.0, 0.5, 10.0])
    expected = softmax(z, axis=1) / w
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax(prior_correction_multiclass(z, w), axis=1), expected, rtol=1e-12)
    # a common scale of the weights does not change the probabilities
    np.testing.assert_allclose(softmax(prior_correction_multiclass(z, 5 * w), axis=1), expected, rtol=1e-12)


def test_adjust_posteriors_is_bayes_rule_on_a_known_mixture():
    # two Gaussians with known likelihoods: the exact posterior under any priors is available
    x = np.linspace(-3, 3, 13)
    like = np.stack([np.exp(-(x + 1) ** 2 / 2), np.exp(-(x - 1) ** 2 / 2)], axis=1)
    pi, q = np.array([0.8, 0.2]), np.array([0.3, 0.7])
    post_pi = like * pi / (like * pi).sum(axis=1, keepdims=True)
    post_q = like * q / (like * q).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(adjust_posteriors_to_priors(post_pi, pi, q), post_q, rtol=1e-12)


# ----------------------------------------------------------------------------- calibrators


def test_temperature_equals_logistic_regression_without_intercept():
    # for K = 2 and logits (0, s), softmax(z / T) = sigma(s / T): LogisticRegression on s with no
    # intercept and no penalty estimates 1 / T
    s, y = binary_data()
    T = fit_temperature(np.stack([np.zeros_like(s), 3 * s], axis=1), y)
    lr = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12, max_iter=1000).fit((3 * s)[:, None], y)
    assert 1 / T == pytest.approx(lr.coef_[0, 0], rel=1e-5)


def test_temperature_scale_keeps_the_argmax():
    z = np.random.default_rng(3).normal(size=(50, 5)) * 4
    assert np.array_equal(temperature_scale(z, 2.5).argmax(axis=1), z.argmax(axis=1))


def test_platt_equals_unpenalised_logistic_regression():
    s, y = binary_data(seed=4)
    a, b = fit_platt(s, y)
    lr = LogisticRegression(C=np.inf, tol=1e-12, max_iter=1000).fit(s[:, None], y)
    assert a == pytest.approx(lr.coef_[0, 0], rel=1e-5)
    assert b == pytest.approx(lr.intercept_[0], rel=1e-5, abs=1e-7)
    np.testing.assert_allclose(platt_scale(s, a, b), lr.predict_proba(s[:, None])[:, 1], rtol=1e-5)


def test_isotonic_equals_scikit_learn_and_calibrated_classifier_cv():
    from sklearn.frozen import FrozenEstimator

    s, y = binary_data(seed=5)
    calibrate = fit_isotonic(s, y)
    reference = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(s, y)
    grid = np.linspace(-4, 4, 41)
    np.testing.assert_allclose(calibrate(grid), reference.predict(grid), rtol=1e-12)
    # CalibratedClassifierCV with a frozen model whose decision_function is the score
    base = LogisticRegression().fit(s[:, None], y)
    ccv = CalibratedClassifierCV(FrozenEstimator(base), method="isotonic").fit(s[:, None], y)
    decision = base.decision_function(s[:, None])
    np.testing.assert_allclose(fit_isotonic(decision, y)(decision), ccv.predict_proba(s[:, None])[:, 1], rtol=1e-9)


# ----------------------------------------------------------------------------- label shift


def test_bbse_is_exact_when_the_target_is_a_reweighted_copy_of_validation():
    rng = np.random.default_rng(6)
    y_val = np.repeat([0, 1, 2], [40, 30, 30])
    pred_val = np.where(rng.random(100) < 0.75, y_val, rng.integers(0, 3, 100))
    repeats = np.array([1, 3, 6])                    # class j's examples appear repeats[j] times
    idx = np.concatenate([np.tile(np.flatnonzero(y_val == j), r) for j, r in enumerate(repeats)])
    true_q = np.bincount(y_val[idx], minlength=3) / len(idx)
    estimate = estimate_label_shift_bbse(y_val, pred_val, pred_val[idx], 3)
    np.testing.assert_allclose(estimate, true_q, rtol=1e-10)


def test_bbse_with_the_confusion_matrix_transposed_gives_a_different_answer():
    rng = np.random.default_rng(7)
    y_val = np.repeat([0, 1], [80, 20])
    pred_val = np.where(rng.random(100) < 0.8, y_val, 1 - y_val)
    idx = np.concatenate([np.flatnonzero(y_val == 0), np.tile(np.flatnonzero(y_val == 1), 4)])
    joint = np.zeros((2, 2))
    np.add.at(joint, (y_val, pred_val), 1)             # rows true, columns predicted: the wrong orientation
    wrong = np.linalg.solve(joint / np.bincount(y_val), np.bincount(pred_val[idx], minlength=2) / len(idx))
    right = estimate_label_shift_bbse(y_val, pred_val, pred_val[idx], 2)
    assert not np.allclose(wrong / wrong.sum(), right, atol=1e-3)


def test_bbse_rejects_a_singular_matrix_and_missing_classes():
    with pytest.raises(ValueError, match="singular"):
        estimate_label_shift_bbse([0, 0, 1, 1], [0, 0, 0, 0], [0, 1], 2)
    with pytest.raises(ValueError, match="y_val"):
        estimate_label_shift_bbse([0, 0, 0], [0, 1, 0], [0, 1], 2)


def test_em_maximises_the_mixture_likelihood():
    rng = np.random.default_rng(8)
    probs = softmax(rng.normal(size=(200, 3)) * 2, axis=1)
    pi = np.array([0.5, 0.3, 0.2])
    q = estimate_label_shift_em(probs, pi)

    def nll(v):
        w = softmax(v)
        return -np.log((probs / pi) @ w).sum()

    reference = softmax(minimize(nll, np.zeros(3), method="BFGS", options={"gtol": 1e-10}).x)
    np.testing.assert_allclose(q, reference, atol=1e-5)


def test_em_recovers_the_priors_with_exact_posteriors():
    rng = np.random.default_rng(9)
    pi, q_true = np.array([0.5, 0.5]), np.array([0.2, 0.8])
    y = (rng.random(20000) < q_true[1]).astype(int)
    x = rng.normal(size=y.size) + 2 * y
    like = np.stack([np.exp(-x ** 2 / 2), np.exp(-(x - 2) ** 2 / 2)], axis=1)
    posterior_train = like * pi / (like * pi).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(estimate_label_shift_em(posterior_train, pi), q_true, atol=0.015)


# ----------------------------------------------------------------------------- costs


def test_cost_curve_equals_the_envelope_over_scikit_learns_roc_points():
    s, y = binary_data(seed=10)
    s = np.round(s, 1)                                # ties
    fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
    fpr, tpr = np.r_[fpr, 1.0], np.r_[tpr, 1.0]
    pc = np.linspace(0, 1, 21)
    expected = np.min(np.outer(pc, 1 - tpr) + np.outer(1 - pc, fpr), axis=1)
    np.testing.assert_allclose(cost_curve(y, s, pc), expected, rtol=1e-12, atol=1e-15)
    assert np.all(cost_curve(y, s, pc) <= np.minimum(pc, 1 - pc) + 1e-12)


def test_paired_bootstrap_matches_a_loop_with_the_same_draws():
    rng = np.random.default_rng(11)
    a, b = rng.random(50) * 3, rng.random(50)
    out = bootstrap_cost_difference(a, b, n_boot=300, seed=4, level=0.9)
    draws = np.random.default_rng(4).integers(0, 50, size=(300, 50))
    loop = np.array([(a[i] - b[i]).mean() for i in draws])
    np.testing.assert_allclose(out["replicates"], loop, rtol=1e-12)
    assert out["low"] == pytest.approx(np.percentile(loop, 5))
    assert out["high"] == pytest.approx(np.percentile(loop, 95))
    assert out["difference"] == pytest.approx(a.mean() - b.mean())


def test_pairing_narrows_the_interval_when_examples_share_their_difficulty():
    rng = np.random.default_rng(12)
    hardness = rng.exponential(size=400)
    a, b = hardness + 0.1 * rng.random(400), hardness + 0.1 * rng.random(400) + 0.05
    paired = bootstrap_cost_difference(a, b, n_boot=500)
    ci_a = bootstrap_cost_difference(a, np.zeros(400), n_boot=500)
    assert paired["high"] - paired["low"] < 0.2 * (ci_a["high"] - ci_a["low"])
    assert paired["high"] < 0                          # A is cheaper on every example by design


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, error, name", [
    (lambda: prior_correction_multiclass(np.zeros(3), [1.0, 2.0]), ValueError, "logits"),
    (lambda: prior_correction_multiclass(np.zeros((2, 2)), [1.0, 0.0]), ValueError, "class_weight"),
    (lambda: prior_correction_multiclass(np.zeros((2, 2)), [1.0, 2.0, 3.0]), ValueError, "class_weight"),
    (lambda: temperature_scale(np.zeros((2, 2)), 0.0), ValueError, "temperature"),
    (lambda: temperature_scale(np.zeros((2, 2)), -1.0), ValueError, "temperature must be finite and > 0, got -1.0"),
    (lambda: temperature_scale(np.zeros((2, 2)), "2"), TypeError, "temperature must be a real number"),
    (lambda: temperature_scale("abc", 1.0), TypeError, "logits"),
    (lambda: fit_temperature(np.zeros((3, 2)), [0, 1]), ValueError, "y_true"),
    (lambda: fit_temperature(np.zeros((2, 2)), [0, 2]), ValueError, "y_true"),
    (lambda: fit_platt([0.0, 1.0], [1, 1]), ValueError, "y_true"),
    (lambda: fit_isotonic([0.0, np.nan], [0, 1]), ValueError, "scores"),
    (lambda: adjust_posteriors_to_priors([[0.5, 0.6]], [0.5, 0.5], [0.5, 0.5]), ValueError, "probabilities"),
    (lambda: adjust_posteriors_to_priors([[0.5, 0.5]], [0.0, 1.0], [0.5, 0.5]), ValueError, "train_priors"),
    (lambda: adjust_posteriors_to_priors([[0.5, 0.5]], [0.5, 0.5], [0.5, 0.6]), ValueError, "new_priors"),
    (lambda: estimate_label_shift_bbse([0, 1], [0, 1, 1], [0], 2), ValueError, "pred_val"),
    (lambda: estimate_label_shift_bbse([0, 1], [0, 1], [0], 2.0), TypeError, "num_classes"),
    (lambda: estimate_label_shift_em([[0.5, 0.5]], [0.5, 0.5], max_iter=0), ValueError, "max_iter"),
    (lambda: cost_curve([0, 1], [0.1, 0.9], [1.5]), ValueError, "probability_cost"),
    (lambda: cost_curve([1, 1], [0.1, 0.9], [0.5]), ValueError, "y_true"),
    (lambda: bootstrap_cost_difference([1.0, 2.0], [1.0], n_boot=10), ValueError, "cost_a and cost_b"),
    (lambda: bootstrap_cost_difference([1.0], [-1.0]), ValueError, "cost_b"),
    (lambda: bootstrap_cost_difference([1.0], [1.0], n_boot=2.5), TypeError, "n_boot"),
    (lambda: bootstrap_cost_difference([1.0], [1.0], level=1.0), ValueError, "level"),
])
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()


@pytest.mark.parametrize("coef, intercept, error, words", [
    (float("nan"), 0.0, ValueError, "coef must be finite"),
    ("a", 0.0, TypeError, "coef must be a real number"),
    (1.0, float("inf"), ValueError, "intercept must be finite"),
])
def test_platt_scale_checks_its_coefficients(coef, intercept, error, words):
    with pytest.raises(error, match=words):
        platt_scale([0.0, 1.0], coef, intercept)
