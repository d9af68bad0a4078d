"""Exercise 12's checks: plausible wrong answers fail with CheckFailed, right answers pass.

The right answers follow from lecture 12: BBSE solves M q = mu with M[i, j] = E[p_i(x) | y = j] for
probabilities (P(yhat = i | y = j) for hard predictions); the posterior
odds under a new prior q are the old odds times (q / pi) / ((1 - q) / (1 - pi)); a temperature never changes the
arg-max; calibrators are fitted on validation data; a bin's gap is binomial noise ~ 1/sqrt(n_b), so the binned ECE of
a perfectly calibrated forecaster grows like sqrt(number of bins) at fixed n.
"""
from functools import partial

import numpy as np
import pytest
from scipy.special import softmax

import wloss.label_shift

from wloss.calibration import expected_calibration_error, fit_temperature
from wloss.checks import CheckFailed, ex12
from wloss_grading import ex12 as hidden_ex12

import check_messages
from check_messages import failure, not_done, visible_only_answer

#: What no failure message of a check may contain: the answer's values as printed at usual precisions, the key
#: token of the fix, and words that explain the right answer. Filled in per check below, next to its wrong answers.
FORBIDDEN = {}


#: The message names a property and asks; it holds none of ``FORBIDDEN[check]`` (compared case-insensitively).
assert_teaches_without_telling = partial(check_messages.assert_teaches_without_telling, FORBIDDEN, ignore_case=True)


def all_bbse_cases():
    return ex12.visible_bbse_cases() + ex12.bbse_cases(121, [((50, 50), (1, 4), 2.0, None),
                                                             ((30, 30, 20, 20), (3, 1, 2, 5), 1.0, None),
                                                             ((40, 40, 40), (2, 1, 3), 1.5, 2)])

# ----------------------------------------------------------------------------- task 1


def right_priors(y_val, P_val, P_target):
    """Soft BBSE written out, independently of wloss.label_shift: solve M q = mu with M[i, j] the mean probability of
    class i over the validation examples of true class j, accumulated one example at a time."""
    k = P_val.shape[1]
    sums, counts = np.zeros((k, k)), np.zeros(k)
    for label, probabilities in zip(y_val, P_val):
        sums[:, label] += probabilities
        counts[label] += 1
    q = np.clip(np.linalg.solve(sums / counts, P_target.mean(axis=0)), 0.0, None)
    return q / q.sum()


def transposed(y_val, P_val, P_target):                 # the colleague's: class means stacked as rows
    k = P_val.shape[1]
    q = np.linalg.solve(np.array([P_val[y_val == j].mean(axis=0) for j in range(k)]), P_target.mean(axis=0))
    return q / q.sum()


def joint_not_conditional(y_val, P_val, P_target):    # Lipton's joint matrix: importance weights, not priors
    k = P_val.shape[1]
    joint = np.stack([P_val[y_val == j].sum(axis=0) for j in range(k)], axis=1) / len(y_val)
    q = np.linalg.solve(joint, P_target.mean(axis=0))
    return q / q.sum()


def by_predicted_class(y_val, P_val, P_target):       # each row normalised: P(true j | predicted i), soft
    k = P_val.shape[1]
    joint = np.stack([P_val[y_val == j].sum(axis=0) for j in range(k)], axis=1)
    q = np.linalg.solve(joint / joint.sum(axis=1, keepdims=True), P_target.mean(axis=0))
    return q / q.sum()


def hardened(y_val, P_val, P_target):                   # the lecture's BBSE on the arg-max: singular if a class is
    k = P_val.shape[1]                                  # never the most probable
    confusion = np.zeros((k, k))
    np.add.at(confusion, (P_val.argmax(axis=1), y_val), 1.0)
    pred_target = P_target.argmax(axis=1)
    q = np.clip(np.linalg.solve(confusion / np.bincount(y_val, minlength=k),
                                np.bincount(pred_target, minlength=k) / len(pred_target)), 0.0, None)
    return q / q.sum()


def calls_the_library(y_val, P_val, P_target):
    return wloss.label_shift.estimate_label_shift_bbse(y_val, P_val.argmax(axis=1), P_target.argmax(axis=1),
                                                   P_val.shape[1])


def em_on_the_probabilities(y_val, P_val, P_target):
    priors = np.bincount(y_val, minlength=P_val.shape[1]) / len(y_val)
    return wloss.label_shift.estimate_label_shift_em(P_target, priors)


#: (wrong answer, words its message must contain: the property that failed)
WRONG_PRIORS = {
    "confusion matrix transposed (the colleague's)": (transposed, "TRUE class"),
    "mean predicted probabilities on the deployment data": (lambda y, P, T: T.mean(axis=0),
                                                            "mean predicted probabilities"),
    "validation priors": (lambda y, P, T: np.bincount(y, minlength=P.shape[1]) / len(y), "validation priors"),
    "joint matrix: importance weights instead of priors": (joint_not_conditional, "validation class counts"),
    "unnormalised solution": (lambda y, P, T: 2 * right_priors(y, P, T), "distribution over the classes"),
    "normalised by predicted class: P(y | yhat) instead of P(yhat | y)": (by_predicted_class, "deployment data"),
}


def priors_forbidden():
    """Fragments a task-1 message must never contain: the deployment priors and the words of the fix."""
    fragments = ["transpos", "swap", "axis=1)", "[None, :]", "columns sum to 1", ".T", "stack"]
    for _, _, _, _, truth in all_bbse_cases():
        fragments += [f"{v:.3f}" for v in truth] + [f"{v:.2f}" for v in truth]
    return fragments


FORBIDDEN["check_estimate_priors"] = priors_forbidden()


@pytest.mark.parametrize("wrong, words", WRONG_PRIORS.values(), ids=WRONG_PRIORS.keys())
def test_wrong_priors_fail_naming_the_property_and_not_the_answer(wrong, words):
    with pytest.raises(CheckFailed) as failure:
        ex12.check_estimate_priors(wrong)
    message = str(failure.value)
    assert "estimate_priors (K = 2, y_val = [0 0 0 0 0 0 1 1 1 1]" in message   # the smallest case is named
    assert "not the class shares of the deployment data" in message and words in message
    assert message.rstrip().endswith("?")
    assert_teaches_without_telling("check_estimate_priors", message)
    with pytest.raises(CheckFailed):
        hidden_ex12.check_estimate_priors(wrong)


def test_the_lecture_s_hard_bbse_passes_the_visible_part_and_fails_the_hidden_one(capsys):
    ex12.check_estimate_priors(hardened)
    with pytest.raises(CheckFailed, match="never the most probable") as failure:
        hidden_ex12.check_estimate_priors(hardened)
    assert_teaches_without_telling("check_estimate_priors", str(failure.value))


@pytest.mark.parametrize("library_call, blocked", [
    (calls_the_library, "wloss.label_shift.estimate_label_shift_bbse"),
    (em_on_the_probabilities, "wloss.label_shift.estimate_label_shift_em"),
])
def test_an_answer_that_calls_the_library_fails_with_the_blocking_message(library_call, blocked):
    for check in (ex12.check_estimate_priors, hidden_ex12.check_estimate_priors):
        with pytest.raises(CheckFailed, match=f"estimate_priors: your code called {blocked}, the library's own"):
            check(library_call)
    _, y, P, T, _ = ex12.visible_bbse_cases()[0]
    assert wloss.label_shift.estimate_label_shift_bbse(y, P.argmax(axis=1), T.argmax(axis=1), 2).shape == (2,)  # restored


def test_the_library_call_would_pass_the_visible_cases_without_the_block():
    """So the blocking, not a wrong value, is what fails it."""
    for _, y, P, T, truth in ex12.visible_bbse_cases():
        assert np.allclose(calls_the_library(y, P, T), truth, atol=1e-12)


def test_the_reference_is_counted_and_the_right_answer_reaches_it():
    """On a reweighted copy of the validation data M q = mu holds exactly with q the counted class shares."""
    _, y, P, T, truth = ex12.visible_bbse_cases()[0]
    assert np.allclose(truth, [1 / 3, 2 / 3], atol=1e-15) and len(T) == 18
    for _, y, P, T, truth in all_bbse_cases():
        assert np.allclose(right_priors(y, P, T), truth, atol=1e-12)
    _, y, P, _, _ = all_bbse_cases()[-1]
    assert 2 not in P.argmax(axis=1) and P[y == 2, 2].mean() > P[y != 2, 2].mean()   # never the arg-max, informative


def test_unsolved_priors_say_not_done_yet():
    with pytest.raises(CheckFailed, match="estimate_priors: not done yet"):
        ex12.check_estimate_priors(not_done)


def test_right_priors_pass(capsys):
    ex12.check_estimate_priors(right_priors)
    hidden_ex12.check_estimate_priors(right_priors)
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


FORBIDDEN["check_shifted_threshold"] = sorted(
    {f"{right_threshold(*case):.{d}f}" for case in ex12.VISIBLE_THRESHOLD_CASES for d in (2, 3, 4)}
    | {"Bayes' rule", "odds", "new_prior / train_prior", "B / (A + B)", "ignores the change of prior", "(1 - q)",
       "c_fp / (c_fp + c_fn)"})


@pytest.mark.parametrize("wrong", WRONG_THRESHOLDS.values(), ids=WRONG_THRESHOLDS.keys())
def test_wrong_thresholds_fail(wrong):
    message = failure(ex12.check_shifted_threshold, wrong)
    assert "more expensive mistake" in message and message.rstrip().endswith("?"), message
    assert_teaches_without_telling("check_shifted_threshold", message)


def test_a_threshold_right_only_without_shift_fails_the_hidden_cases():
    def right_if_no_shift(pi, q, c_fn, c_fp):
        return right_threshold(pi, q, c_fn, c_fp) if pi != q else 0.5
    with pytest.raises(CheckFailed):
        hidden_ex12.check_shifted_threshold(right_if_no_shift)


def test_the_threshold_that_ignores_the_shift_is_asked_about_the_prior():
    with pytest.raises(CheckFailed, match="if new_prior were the training prior"):
        ex12.check_shifted_threshold(WRONG_THRESHOLDS["ignores the shift"])


def test_the_unsolved_threshold_is_not_done_yet():
    with pytest.raises(CheckFailed, match="not done yet"):
        ex12.check_shifted_threshold(not_done)


def test_right_threshold_passes():
    ex12.check_shifted_threshold(right_threshold)
    hidden_ex12.check_shifted_threshold(right_threshold)


# ----------------------------------------------------------------------------- task 3


RIGHT_CALIBRATION = {"alerts changed by the temperature": "under 10 %", "alerts after the prior correction": "fewer"}
CALIBRATION_REASON = "a temperature near 1 moves few probabilities across 0.1; the rare class loses the most"
FORBIDDEN["check_calibration_prediction"] = ["keeps", "never changes", "under 10 %", "fewer", "more often",
                                             "crosses", "a few", "subtracting log w_2 > 0"]


def test_the_experiment_shows_what_the_solution_predicts_on_every_graded_draw():
    for seed in hidden_ex12.CALIBRATION_SEEDS:
        run = ex12.calibration_experiment(seed)
        assert run["changed_by_temperature"] == 0.0                  # exact: no arg-max can change (the lecture)
        # at the alert threshold some decisions change: at least 5 test points, and far below 10 %
        assert 5 <= run["alerts_changed_by_temperature"] * 2000 and run["alerts_changed_by_temperature"] < 0.05
        assert run["alerts_after_prior"] < 0.8 * run["alerts_before"]          # far from "same"
        assert ex12.calibration_outcome(run) == RIGHT_CALIBRATION


def test_right_calibration_prediction_passes_both_parts(capsys):
    ex12.check_calibration_prediction(RIGHT_CALIBRATION, CALIBRATION_REASON)
    hidden_ex12.check_calibration_prediction(RIGHT_CALIBRATION, CALIBRATION_REASON)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong, named", [
    ({"alerts changed by the temperature": "under 10 %", "alerts after the prior correction": "more"},
     ["alerts after the prior correction"]),          # "the weight makes the rare class more likely, correction or not"
    ({"alerts changed by the temperature": "under 10 %", "alerts after the prior correction": "same"},
     ["alerts after the prior correction"]),          # "a correction of probabilities leaves decisions alone"
    ({"alerts changed by the temperature": "none", "alerts after the prior correction": "fewer"},
     ["alerts changed by the temperature"]),          # the lecture's arg-max result carried over to a threshold
    ({"alerts changed by the temperature": "10 % or more", "alerts after the prior correction": "more"},
     ["alerts changed by the temperature", "alerts after the prior correction"]),
])
def test_wrong_calibration_predictions_pass_the_visible_part_and_fail_the_hidden_one(wrong, named, capsys):
    ex12.check_calibration_prediction(wrong, CALIBRATION_REASON)
    message = failure(hidden_ex12.check_calibration_prediction, wrong, CALIBRATION_REASON)
    assert "disagree with the experiment" in message, message
    for key in ex12.CALIBRATION_KEYS:
        assert (f"{key!r}:" in message) == (key in named), message
    assert_teaches_without_telling("check_calibration_prediction", message)


@pytest.mark.parametrize("prediction, reason, says", [
    ({key: ... for key in ex12.CALIBRATION_KEYS}, ..., "not filled in"),                   # the stub as shipped
    ({**RIGHT_CALIBRATION, "alerts after the prior correction": "less"}, CALIBRATION_REASON, "expected one of"),
    ({**RIGHT_CALIBRATION, "alerts changed by the temperature": 0.01}, CALIBRATION_REASON, "expected one of"),
    ({"alerts after the prior correction": "fewer"}, CALIBRATION_REASON, "missing"),
    ((0.0, "fewer"), CALIBRATION_REASON, "expected a dict"),
    (RIGHT_CALIBRATION, ..., "calibration_reason: not filled in"),
    (RIGHT_CALIBRATION, "it just does", "not a reason yet"),
])
def test_unfilled_or_malformed_calibration_predictions_fail_the_visible_part(prediction, reason, says):
    message = failure(ex12.check_calibration_prediction, prediction, reason)
    assert says in message, message
    with pytest.raises(CheckFailed, match=says):
        hidden_ex12.check_calibration_prediction(prediction, reason)


def test_experiment_supports_the_solution():
    run = ex12.calibration_experiment()
    assert run["alerts_changed_by_temperature"] > 0
    assert run["alerts_after_prior"] < run["alerts_before"]


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


def _visible_ece_answer():
    _, zv, yv, zt, yt = ex12.calibration_cases(14, [(400, 600, 3.0, 1.0)])[0]
    return right_ece(zv, yv, zt, yt)


FORBIDDEN["check_calibrated_test_ece"] = sorted(
    {f"{v:.{d}f}" for v in _visible_ece_answer() for d in (2, 3, 4)}
    | {"fit_temperature(z_val", "z_val, y_val)", "fit on the validation", "fitted on the validation",
       "minimising the negative log-likelihood on the validation", "softmax(z_test / t"})


@pytest.mark.parametrize("wrong", WRONG_ECE.values(), ids=WRONG_ECE.keys())
def test_wrong_calibrations_fail(wrong):
    message = failure(ex12.check_calibrated_test_ece, wrong)
    assert "calibrated_test_ece (400 validation and 600 test examples" in message, message
    assert_teaches_without_telling("check_calibrated_test_ece", message)


def test_test_set_fit_is_named():
    with pytest.raises(CheckFailed, match="suits the TEST set best"):
        ex12.check_calibrated_test_ece(on_test)


def test_the_unsolved_calibration_is_not_done_yet():
    with pytest.raises(CheckFailed, match="not done yet"):
        ex12.check_calibrated_test_ece(not_done)


def test_right_calibration_passes():
    ex12.check_calibrated_test_ece(right_ece)
    hidden_ex12.check_calibrated_test_ece(right_ece)


def test_cases_tell_validation_from_test_temperatures():
    for _, zv, yv, zt, yt in (ex12.calibration_cases(14, [(400, 600, 3.0, 1.0)])
                              + ex12.calibration_cases(141, [(300, 300, 0.5, 2.0), (800, 500, 2.0, 0.7)])):
        assert not np.isclose(fit_temperature(zv, yv), fit_temperature(zt, yt), rtol=0.1)


# ----------------------------------------------------------------------------- task 5

REASON = "a bin's noise shrinks like 1/sqrt(n_b) and n_b = n/B, so the ECE grows like sqrt(B)"


def test_right_bins_prediction_passes_both_parts(capsys):
    ex12.check_bins_prediction(2.0, REASON)
    hidden_ex12.check_bins_prediction(2, REASON)
    hidden_ex12.check_bins_prediction(np.sqrt(4.0), REASON)
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
    with pytest.raises(CheckFailed, match=words.replace("(", r"\(")):
        hidden_ex12.check_bins_prediction(ratio, reason)


def bins_forbidden():
    run = ex12.null_ece_by_bins()
    measured = run[40] / run[10]
    return [f"{measured:.1f}", f"{measured:.2f}", f"{measured:.3f}", "sqrt", "square root", "2.0", " 2 ", "twice",
            "double"]


FORBIDDEN["check_bins_prediction"] = bins_forbidden()


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
    message = failure(hidden_ex12.check_bins_prediction, ratio, "my reason in a few words")
    assert message.startswith("predicted_ratio: the experiment (n = 1000") and "does not confirm" in message
    assert message.rstrip().endswith("?")
    assert_teaches_without_telling("check_bins_prediction", message.replace(f"{ratio:.3g}", ""))


def test_the_experiment_grows_like_the_square_root_of_the_number_of_bins():
    run = ex12.null_ece_by_bins()
    assert list(run) == [5, 10, 20, 40, 80]
    assert all(a < b for a, b in zip(run.values(), list(run.values())[1:]))
    assert 1.85 < run[40] / run[10] < 2.1                 # the right prediction, 2, sits well inside the tolerance
    assert abs(run[10] - 0.032) < 0.001                   # the lecture's number at n = 1,000
    assert ex12.null_ece_by_bins() == run                 # cached, and a copy the caller may change


def test_every_check_has_its_forbidden_fragments():
    checks = sorted(name for name, value in vars(ex12).items()
                    if name.startswith("check_") and getattr(value, "__module__", "") == ex12.__name__)
    assert sorted(FORBIDDEN) == checks


#: The visible-only replacement for exercise 12, in the solution's task 3 prediction: the rare
#: class predicted more often after the prior correction. The visible check only sees a well-formed prediction.
VISIBLE_ONLY = ('"alerts changed by the temperature": "under 10 %",', '"alerts changed by the temperature": "none",')


def test_the_visible_only_answer_passes_visible_and_fails_hidden(capsys):
    prediction = visible_only_answer("12_after_training.ipynb", VISIBLE_ONLY, "calibration_prediction")
    assert prediction == {"alerts changed by the temperature": "none", "alerts after the prior correction": "fewer"}
    ex12.check_calibration_prediction(prediction, CALIBRATION_REASON)
    failure(hidden_ex12.check_calibration_prediction, prediction, CALIBRATION_REASON,
            match="disagree with the experiment")


# ----------------------------------------------------------------------------- task 7 (open)


def isotonic_calibrator(z_val, y_val):
    """Isotonic regression on the logit difference, written without wloss."""
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(z_val[:, 1] - z_val[:, 0], y_val)
    return lambda z: iso.predict(z[:, 1] - z[:, 0])


def platt_calibrator(z_val, y_val):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e6).fit((z_val[:, 1] - z_val[:, 0])[:, None], y_val)
    return lambda z: model.predict_proba((z[:, 1] - z[:, 0])[:, None])[:, 1]


def reported_ece(calibrator):
    z_val, y_val, z_test, y_test = ex12.open_calibration_data()
    return expected_calibration_error(calibrator(z_val, y_val)(z_test), y_test)


FORBIDDEN["check_own_calibrator"] = sorted({f"{reported_ece(c):.{d}f}" for c in (isotonic_calibrator,
                                                                                  platt_calibrator)
                                            for d in (2, 3, 4)})


@pytest.mark.parametrize("calibrator, method", [(isotonic_calibrator, "isotonic regression on the logit difference"),
                                                (platt_calibrator, "Platt scaling with an intercept")])
def test_own_calibrators_pass_both_parts(calibrator, method, capsys):
    ex12.check_own_calibrator(calibrator, method, reported_ece(calibrator))
    hidden_ex12.check_own_calibrator(calibrator, method, reported_ece(calibrator))
    assert capsys.readouterr().out.count("\u2714") == 2


def _ece_on_validation(calibrator):
    z_val, y_val, _, _ = ex12.open_calibration_data()
    return expected_calibration_error(calibrator(z_val, y_val)(z_val), y_val)


@pytest.mark.parametrize("calibrator, method, ece, says", [
    (None, None, None, "not filled in"),                                                        # the stub
    (isotonic_calibrator, "isotonic", reported_ece(isotonic_calibrator), "a few words"),
    (isotonic_calibrator, "temperature scaling again", reported_ece(isotonic_calibrator), "comparison here"),
    (lambda zv, yv: isotonic_calibrator(zv, yv)(zv), "isotonic regression", 0.1, "return a function"),
    (lambda zv, yv: (lambda z: z[:, 1] - z[:, 0]), "raw logit difference", 0.1, "not probabilities"),
    (isotonic_calibrator, "isotonic regression", _ece_on_validation(isotonic_calibrator), "not the test ECE"),
    (isotonic_calibrator, "isotonic regression", "0.03", "expected a single number"),
])
def test_an_unfilled_or_inconsistent_open_task_fails(calibrator, method, ece, says):
    message = failure(ex12.check_own_calibrator, calibrator, method, ece)
    assert says in message, message
    assert_teaches_without_telling("check_own_calibrator", message)


def test_a_calibrator_that_only_works_on_the_task_s_data_fails_the_hidden_part():
    def memorised(z_val, y_val):
        calibrate = isotonic_calibrator(z_val, y_val)
        return calibrate if len(z_val) == 800 and y_val.mean() < 1 else (lambda z: z[:, 1])
    ex12.check_own_calibrator(memorised, "isotonic regression", reported_ece(isotonic_calibrator))
    with pytest.raises(CheckFailed, match="not probabilities"):
        hidden_ex12.check_own_calibrator(memorised, "isotonic regression", reported_ece(isotonic_calibrator))
