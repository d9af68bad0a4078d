"""Exercise 12's checks: plausible wrong answers fail with CheckFailed, right answers pass.

The right answers follow from lecture 12: BBSE solves M q = mu with M[i, j] = P(yhat = i | y = j); the posterior
odds under a new prior q are the old odds times (q / pi) / ((1 - q) / (1 - pi)); a temperature never changes the
arg-max; calibrators are fitted on validation data; a bin's gap is binomial noise ~ 1/sqrt(n_b), so the binned ECE of
a perfectly calibrated forecaster grows like sqrt(number of bins) at fixed n.
"""
import numpy as np
import pytest
from scipy.special import softmax

import wloss.posthoc

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


def calls_the_library(y_val, pred_val, pred_target, k):
    return wloss.posthoc.estimate_label_shift_bbse(y_val, pred_val, pred_target, k)


def em_on_confusion_posteriors(y_val, pred_val, pred_target, k):
    """Saerens' EM from wloss fed with P(y | yhat) counted on validation data: the same answer by another route."""
    joint = np.zeros((k, k))
    np.add.at(joint, (pred_val, y_val), 1.0)
    posteriors = joint / joint.sum(axis=1, keepdims=True)
    return wloss.posthoc.estimate_label_shift_em(posteriors[pred_target], np.bincount(y_val, minlength=k) / len(y_val))


def unsolved_priors(y_val, pred_val, pred_target, k):
    raise NotImplementedError()


#: (wrong answer, words its message must contain: the property that failed)
WRONG_PRIORS = {
    "confusion matrix transposed": (transposed, "TRUE class"),
    "predicted shares on the deployment data": (lambda y, p, t, k: np.bincount(t, minlength=k) / len(t),
                                                "shares of the predicted classes"),
    "validation priors": (lambda y, p, t, k: np.bincount(y, minlength=k) / len(y), "validation priors"),
    "joint matrix: importance weights instead of priors": (joint_not_conditional, "validation class counts"),
    "unnormalised solution": (lambda y, p, t, k: 2 * right_priors(y, p, t, k), "distribution over the classes"),
}


def priors_forbidden():
    """Fragments a task-1 message must never contain: the deployment priors and the words of the fix."""
    fragments = ["transpos", "swap", "(pred_val, y_val)", "[None, :]", "columns sum to 1"]
    for _, _, _, _, _, truth in ex12._bbse_cases(False) + ex12._bbse_cases(True):
        fragments += [f"{v:.3f}" for v in truth] + [f"{v:.2f}" for v in truth]
    return fragments


@pytest.mark.parametrize("wrong, words", WRONG_PRIORS.values(), ids=WRONG_PRIORS.keys())
def test_wrong_priors_fail_naming_the_property_and_not_the_answer(wrong, words):
    with pytest.raises(CheckFailed) as failure:
        ex12.check_estimate_priors(wrong)
    message = str(failure.value)
    assert "estimate_priors (K = 2, y_val = [0 0 0 0 0 0 1 1 1 1]" in message   # the smallest case is named
    assert "not the class shares of the deployment data" in message and words in message
    assert message.rstrip().endswith("?")
    assert not [fragment for fragment in priors_forbidden() if fragment in message]
    with pytest.raises(CheckFailed):
        ex12.check_estimate_priors(wrong, hidden=True)


@pytest.mark.parametrize("library_call, blocked", [
    (calls_the_library, "wloss.posthoc.estimate_label_shift_bbse"),
    (em_on_confusion_posteriors, "wloss.posthoc.estimate_label_shift_em"),
])
def test_an_answer_that_calls_the_library_fails_with_the_blocking_message(library_call, blocked):
    for hidden in (False, True):
        with pytest.raises(CheckFailed, match=f"estimate_priors: your code called {blocked}, the library's own"):
            ex12.check_estimate_priors(library_call, hidden=hidden)
    assert wloss.posthoc.estimate_label_shift_bbse(*ex12._bbse_cases(False)[0][1:5]).shape == (2,)   # restored


def test_the_library_calls_would_pass_without_the_block():
    """So the blocking, not a wrong value, is what fails them."""
    for _, y, p, t, k, truth in ex12._bbse_cases(False) + ex12._bbse_cases(True):
        assert np.allclose(calls_the_library(y, p, t, k), truth, atol=1e-12)
        assert np.allclose(em_on_confusion_posteriors(y, p, t, k), truth, atol=1e-8)


def test_the_reference_is_counted_and_the_right_answer_reaches_it():
    """On a reweighted copy of the validation data M q = mu holds exactly with q the counted class shares."""
    _, y, p, t, k, truth = ex12._bbse_cases(False)[0]
    assert np.allclose(truth, [1 / 3, 2 / 3], atol=1e-15) and len(t) == 18
    for _, y, p, t, k, truth in ex12._bbse_cases(False) + ex12._bbse_cases(True):
        assert np.allclose(right_priors(y, p, t, k), truth, atol=1e-12)


def test_unsolved_priors_say_not_done_yet():
    with pytest.raises(CheckFailed, match="estimate_priors: not done yet"):
        ex12.check_estimate_priors(unsolved_priors)


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


# ----------------------------------------------------------------------------- task 5

REASON = "a bin's noise shrinks like 1/sqrt(n_b) and n_b = n/B, so the ECE grows like sqrt(B)"


def test_right_bins_prediction_passes_both_parts(capsys):
    ex12.check_bins_prediction(2.0, REASON)
    ex12.check_bins_prediction(2, REASON, hidden=True)
    ex12.check_bins_prediction(np.sqrt(4.0), REASON, hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 3


@pytest.mark.parametrize("ratio, reason, words", [
    (..., REASON, "predicted_ratio: not filled in yet"),
    (None, REASON, "predicted_ratio: not filled in yet"),
    (2.0, ..., "predicted_reason: not filled in yet"),
    (2.0, "sqrt", "predicted_reason: expected one line of text"),
    (2.0, 2.0, "predicted_reason: expected one line of text"),
    ("2", REASON, "predicted_ratio: expected a number"),
    (-2.0, REASON, "predicted_ratio: a ratio of two ECEs is positive"),
    (float("nan"), REASON, "predicted_ratio: expected a finite number"),
])
def test_an_unfilled_or_malformed_prediction_fails_the_visible_check(ratio, reason, words):
    with pytest.raises(CheckFailed, match=words.replace("(", r"\(")):
        ex12.check_bins_prediction(ratio, reason)


def bins_forbidden():
    run = ex12.null_ece_by_bins()
    measured = run[40] / run[10]
    return [f"{measured:.1f}", f"{measured:.2f}", f"{measured:.3f}", "sqrt", "square root", "2.0", " 2 ", "twice",
            "double"]


@pytest.mark.parametrize("ratio", [
    4.0,            # "four times the bins, four times the ECE"
    1.0,            # "the forecaster is calibrated, the bins do not matter"
    0.5,            # "finer bins measure more precisely"
    1.41,           # a fourth root, or sqrt(2) from halving twice
    16.0,           # "the variance grows with the bins"
])
def test_wrong_bins_predictions_pass_the_visible_check_and_fail_the_hidden_one(ratio, capsys):
    ex12.check_bins_prediction(ratio, "my reason in a few words")      # the visible part does not grade
    assert "\u2714 prediction recorded" in capsys.readouterr().out
    with pytest.raises(CheckFailed) as failure:
        ex12.check_bins_prediction(ratio, "my reason in a few words", hidden=True)
    message = str(failure.value)
    assert message.startswith("predicted_ratio: the experiment (n = 1000") and "does not confirm" in message
    assert message.rstrip().endswith("?")
    assert not [fragment for fragment in bins_forbidden() if fragment in message]


def test_the_experiment_grows_like_the_square_root_of_the_number_of_bins():
    run = ex12.null_ece_by_bins()
    assert list(run) == [5, 10, 20, 40, 80]
    assert all(a < b for a, b in zip(run.values(), list(run.values())[1:]))
    assert 1.85 < run[40] / run[10] < 2.1                 # the right prediction, 2, sits well inside the tolerance
    assert abs(run[10] - 0.032) < 0.001                   # the lecture's number at n = 1,000
    assert ex12.null_ece_by_bins() == run                 # cached, and a copy the caller may change
