"""Exercise 12's checks: plausible wrong answers fail with CheckFailed, right answers pass.

The right answers follow from lecture 12: BBSE solves M q = mu with M[i, j] = P(yhat = i | y = j); the posterior
odds under a new prior q are the old odds times (q / pi) / ((1 - q) / (1 - pi)); a temperature never changes the
arg-max; calibrators are fitted on validation data.
"""
import numpy as np
import pytest
from scipy.special import softmax

from wloss.calibration import expected_calibration_error
from wloss.checks import CheckFailed, ex12
from wloss.posthoc import fit_temperature

# ----------------------------------------------------------------------------- task 1


def right_priors(y_val, pred_val, pred_target, k):
    """BBSE written out, independently of wloss.posthoc: solve M q = mu, M[i, j] = P(prediction i | true j)."""
    confusion = np.zeros((k, k))
    np.add.at(confusion, (pred_val, y_val), 1.0)
    m = confusion / np.bincount(y_val, minlength=k)
    q = np.clip(np.linalg.solve(m, np.bincount(pred_target, minlength=k) / len(pred_target)), 0.0, None)
    return q / q.sum()


def transposed(y_val, pred_val, pred_target, k):
    confusion = np.zeros((k, k))
    np.add.at(confusion, (y_val, pred_val), 1.0)
    confusion /= np.bincount(y_val, minlength=k)[:, None]
    q = np.linalg.solve(confusion, np.bincount(pred_target, minlength=k) / len(pred_target))
    return q / q.sum()


def joint_not_conditional(y_val, pred_val, pred_target, k):
    confusion = np.zeros((k, k))
    np.add.at(confusion, (pred_val, y_val), 1.0 / len(y_val))
    q = np.linalg.solve(confusion, np.bincount(pred_target, minlength=k) / len(pred_target))
    return q / q.sum()          # the importance weights q / p normalised, not q


WRONG_PRIORS = {
    "confusion matrix transposed": transposed,
    "predicted shares on the deployment data": lambda y, p, t, k: np.bincount(t, minlength=k) / len(t),
    "validation priors": lambda y, p, t, k: np.bincount(y, minlength=k) / len(y),
    "joint matrix: importance weights instead of priors": joint_not_conditional,
    "unnormalised solution": lambda y, p, t, k: 2 * right_priors(y, p, t, k),
}


@pytest.mark.parametrize("wrong", WRONG_PRIORS.values(), ids=WRONG_PRIORS.keys())
def test_wrong_priors_fail(wrong):
    with pytest.raises(CheckFailed):
        ex12.check_estimate_priors(wrong)
        ex12.check_estimate_priors(wrong, hidden=True)


def test_transposed_matrix_is_named_and_the_priors_are_not_printed():
    with pytest.raises(CheckFailed, match="TRUE class") as failure:
        ex12.check_estimate_priors(transposed)
    _, y, p, t, k, truth = ex12._bbse_cases(False)[0]
    assert not any(f"{v:.3f}" in str(failure.value) for v in truth)


def test_right_priors_pass(capsys):
    ex12.check_estimate_priors(right_priors)
    ex12.check_estimate_priors(right_priors, hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 2


# ----------------------------------------------------------------------------- task 2


def right_threshold(pi, q, c_fn, c_fp):
    a, b = q * c_fn / pi, (1 - q) * c_fp / (1 - pi)
    return b / (a + b)


WRONG_THRESHOLDS = {
    "ignores the shift": lambda pi, q, c_fn, c_fp: c_fp / (c_fp + c_fn),
    "costs swapped": lambda pi, q, c_fn, c_fp: right_threshold(pi, q, c_fp, c_fn),
    "priors swapped": lambda pi, q, c_fn, c_fp: right_threshold(q, pi, c_fn, c_fp),
    "shift only, no costs": lambda pi, q, c_fn, c_fp: right_threshold(pi, q, 1.0, 1.0),
    "returns the new prior": lambda pi, q, c_fn, c_fp: q,
}


@pytest.mark.parametrize("wrong", WRONG_THRESHOLDS.values(), ids=WRONG_THRESHOLDS.keys())
def test_wrong_thresholds_fail(wrong):
    with pytest.raises(CheckFailed) as failure:
        ex12.check_shifted_threshold(wrong)
    for pi, q, c_fn, c_fp in ex12._threshold_cases(False):
        assert f"{right_threshold(pi, q, c_fn, c_fp):.4f}" not in str(failure.value)


def test_a_threshold_right_only_without_shift_fails_the_hidden_cases():
    def right_if_no_shift(pi, q, c_fn, c_fp):
        return right_threshold(pi, q, c_fn, c_fp) if pi != q else 0.5
    with pytest.raises(CheckFailed):
        ex12.check_shifted_threshold(right_if_no_shift, hidden=True)


def test_right_threshold_passes():
    ex12.check_shifted_threshold(right_threshold)
    ex12.check_shifted_threshold(right_threshold, hidden=True)


# ----------------------------------------------------------------------------- task 3


@pytest.mark.parametrize("fraction, direction", [
    (0.0, "more"),                 # "the weight makes the rare class more likely, correction or not"
    (0.0, "same"),                 # "a correction of probabilities leaves decisions alone"
    (0.1, "fewer"),                # "a temperature changes some decisions"
    (0.5, "fewer"),
    (0.0, "less"),                 # not one of the three words
])
def test_wrong_predictions_fail(fraction, direction):
    with pytest.raises(CheckFailed):
        ex12.check_predictions(fraction, direction)


def test_right_predictions_pass():
    ex12.check_predictions(0.0, "fewer")
    ex12.check_predictions(0, " Fewer ", hidden=True)


def test_experiment_supports_the_lecture():
    run = ex12.calibration_experiment()
    assert run["changed_by_temperature"] == 0.0
    assert run["rare_after"] < run["rare_before"]


# ----------------------------------------------------------------------------- task 4


def right_ece(z_val, y_val, z_test, y_test):
    t = fit_temperature(z_val, y_val)
    return t, expected_calibration_error(softmax(z_test / t, axis=1)[:, 1], y_test)


def on_test(z_val, y_val, z_test, y_test):
    return right_ece(z_test, y_test, z_test, y_test)


def on_both(z_val, y_val, z_test, y_test):
    t = fit_temperature(np.vstack([z_val, z_test]), np.r_[y_val, y_test])
    return t, expected_calibration_error(softmax(z_test / t, axis=1)[:, 1], y_test)


def ece_on_validation(z_val, y_val, z_test, y_test):
    t = fit_temperature(z_val, y_val)
    return t, expected_calibration_error(softmax(z_val / t, axis=1)[:, 1], y_val)


def uncalibrated_ece(z_val, y_val, z_test, y_test):
    t = fit_temperature(z_val, y_val)
    return t, expected_calibration_error(softmax(z_test, axis=1)[:, 1], y_test)


WRONG_ECE = {
    "fitted on the test set": on_test,
    "fitted on validation and test together": on_both,
    "no fit, T = 1": lambda zv, yv, zt, yt: (1.0, expected_calibration_error(softmax(zt, axis=1)[:, 1], yt)),
    "ECE measured on validation": ece_on_validation,
    "ECE of the uncalibrated logits": uncalibrated_ece,
    "only the ECE returned": lambda zv, yv, zt, yt: right_ece(zv, yv, zt, yt)[1],
}


@pytest.mark.parametrize("wrong", WRONG_ECE.values(), ids=WRONG_ECE.keys())
def test_wrong_calibrations_fail(wrong):
    with pytest.raises(CheckFailed):
        ex12.check_calibrated_test_ece(wrong)


def test_test_set_fit_is_named():
    with pytest.raises(CheckFailed, match="TEST set"):
        ex12.check_calibrated_test_ece(on_test)


def test_right_calibration_passes():
    ex12.check_calibrated_test_ece(right_ece)
    ex12.check_calibrated_test_ece(right_ece, hidden=True)


def test_cases_tell_validation_from_test_temperatures():
    for _, zv, yv, zt, yt in ex12._calibration_cases(False) + ex12._calibration_cases(True):
        assert not np.isclose(fit_temperature(zv, yv), fit_temperature(zt, yt), rtol=0.1)
