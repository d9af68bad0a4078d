"""Checks for exercise 12 (after training: label shift, calibration, decisions).

Each check recomputes the property its task states from what the student
returns — priors that reproduce the deployment predictions, a threshold that
makes the Bayes decision under the new prior, a temperature fitted where it
should be — names the failing case with a hint, and never prints the answer.
Task 1 runs the student's BBSE (from predicted probabilities) with the library's label-shift estimators
blocked and compares it with class shares that are counted, not solved for.
Tasks 3 and 5 are predictions: their visible checks only see that they are
filled in and well formed. The graded (hidden) part is not here: it is in
``wloss_grading.ex12``, which calls the same case runners (``priors_hold``, ...)
on inputs the student never sees and grades the predictions against the experiments.
"""
import functools

import numpy as np
from scipy.special import softmax

from wloss.calibration import expected_calibration_error, fit_temperature, prior_correction_multiclass
from wloss.checks import (CheckFailed, check_array, check_recorded_prediction, check_scalar, fail, library_blocked,
                          passed, task)

# ----------------------------------------------------------------------------- task 1: BBSE from probabilities

#: The library's own label-shift estimators: the task asks for BBSE written out, so the check blocks both (EM fed
#: with P(y | yhat) from the validation counts reaches the hard version's answer).
BBSE_FUNCTIONS = ("wloss.label_shift.estimate_label_shift_bbse", "wloss.label_shift.estimate_label_shift_em")


def _reweighted_case(description, y_val, P_val, repeats):
    """Deployment data = the validation examples of class j repeated repeats[j] times.

    Then mu = M q holds exactly, for the mean predicted probabilities mu and M[i, j] = E[p_i(x) | y = j], with q the
    deployment's class shares, counted here: the reference is a count, not a linear solve, so it is independent of
    any BBSE code.
    """
    k = len(repeats)
    idx = np.concatenate([np.tile(np.flatnonzero(y_val == j), r) for j, r in enumerate(repeats)])
    truth = np.bincount(y_val[idx], minlength=k) / len(idx)
    return description, y_val, P_val, P_val[idx].copy(), truth


def _probabilities(rng, y_val, k, strength, never_argmax=None):
    """Predicted probabilities that favour the true class, with class 0 leaning to class 1 (an asymmetric
    confusion); with ``never_argmax``, that class is never the arg-max although its probability still follows it."""
    logits = strength * np.eye(k)[y_val] + rng.normal(0.0, 1.0, (len(y_val), k))
    logits[y_val == 0, 1] += 0.8
    if never_argmax is not None:
        others = np.delete(logits, never_argmax, axis=1).max(axis=1)
        logits[:, never_argmax] = np.minimum(logits[:, never_argmax], others - 0.05)
    return softmax(logits, axis=1)


def bbse_cases(seed, settings, small=False):
    """Cases from the smallest up, so a failure names the smallest input on which it fails: ``small`` adds the
    ten-example case; each of ``settings`` is (validation class counts, repeats per class, strength of the true
    class's logit, class never the arg-max or None)."""
    rng = np.random.default_rng(seed)
    cases = []
    if small:
        y_small = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
        p_small = np.array([0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.3, 0.1, 0.6])   # probability of class 0
        cases.append(_reweighted_case(f"K = 2, y_val = {y_small}, P_val[:, 0] = {p_small}, deployment = these "
                                      "validation examples with those of class 1 repeated 3 times",
                                      y_small, np.c_[p_small, 1 - p_small], (1, 3)))
    for counts, repeats, strength, never in settings:
        k = len(counts)
        y_val = np.repeat(np.arange(k), counts)
        P_val = _probabilities(rng, y_val, k, strength, never)
        what = "" if never is None else f", class {never} never the most probable"
        cases.append(_reweighted_case(f"K = {k}, validation class counts {counts}{what}, deployment = the "
                                      f"validation examples, those of class j repeated r_j times, r = {repeats}",
                                      y_val, P_val, repeats))
    return cases


def _transposed_bbse(y_val, P_val, P_target):
    k = P_val.shape[1]
    rows = np.array([P_val[y_val == j].mean(axis=0) for j in range(k)])      # row j: the mean over true class j
    try:
        q = np.linalg.solve(rows, P_target.mean(axis=0))
    except np.linalg.LinAlgError:
        return None
    return q / q.sum()


def visible_bbse_cases():
    return bbse_cases(12, [((60, 30, 10), (1, 3, 4), 1.5, None)], small=True)


def check_estimate_priors(estimate_priors):
    """Task 1: on a deployment set that reweights the validation examples by class, the estimate is its class shares.

    The student's function runs with the library's estimators blocked; the reference is the deployment's class
    shares, counted (M q = mu holds exactly there).
    """
    priors_hold(estimate_priors, visible_bbse_cases())
    passed("estimate_priors: recovers the deployment priors exactly on reweighted copies of the validation data")


def priors_hold(estimate_priors, cases):
    """Fail unless ``estimate_priors`` gives the counted deployment shares on each case of ``cases``."""
    for case, y_val, P_val, P_target, truth in cases:
        k = P_val.shape[1]
        try:
            with task("estimate_priors"), library_blocked("estimate_priors", *BBSE_FUNCTIONS):
                got = estimate_priors(y_val.copy(), P_val.copy(), P_target.copy())
        except CheckFailed as failure:
            if "LinAlgError" not in str(failure):
                raise
            fail(f"estimate_priors ({case}): your code met a singular matrix ({failure}). Which matrix did you "
                 "build, and does it still use the probabilities themselves?")
        q = check_array(f"estimate_priors ({case})", got, shape=(k,))
        if np.allclose(q, truth, rtol=0.0, atol=1e-8):
            continue
        transposed = _transposed_bbse(y_val, P_val, P_target)
        mu = P_target.mean(axis=0)
        val_priors = np.bincount(y_val, minlength=k) / len(y_val)
        relative = truth / val_priors
        if not np.all(np.isfinite(q)):
            hint = ("your estimate is not finite: which matrix did you invert, and can it be singular when a class "
                    "is never the most probable one?")
        elif transposed is not None and np.allclose(q, transposed, atol=1e-6):
            hint = ("the mean predicted probabilities on the deployment data mix one distribution per TRUE class; in "
                    "the matrix you solve with, which index is the true class, and over which index does that mix "
                    "sum?")
        elif np.allclose(q, mu, atol=1e-6):
            hint = "these are the mean predicted probabilities: would a classifier that errs give the priors?"
        elif np.allclose(q, val_priors, atol=1e-6):
            hint = "these are the validation priors: where do the deployment predictions enter your estimate?"
        elif not np.isclose(q.sum(), 1.0, atol=1e-6):
            hint = f"your estimate sums to {q.sum():.3g}: is it a distribution over the classes?"
        elif np.allclose(q, relative / relative.sum(), atol=1e-6):
            hint = ("your estimate is off by a factor that depends on the validation class counts: what does each "
                    "column of your matrix sum to?")
        else:
            hint = ("with q the deployment priors, which equation links the mean predicted probabilities on the "
                    "deployment data to q, and does your code solve that one, with the probabilities themselves?")
        fail(f"estimate_priors ({case}): your estimate is not the class shares of the deployment data, which this "
             f"case fixes exactly - {hint}")


# ----------------------------------------------------------------------------- task 2: threshold for new priors


#: (training prior, new prior, c_fn, c_fp) of the visible check.
VISIBLE_THRESHOLD_CASES = [(0.5, 0.1, 5.0, 1.0), (0.2, 0.4, 1.0, 3.0)]


def _cheaper_to_predict_positive(p, train_prior, new_prior, fn_cost, fp_cost):
    """For each p, by brute force: the deployment's joint weights of (score p, class) are the training ones
    reweighted by new / training prior per class; compare the two decisions' expected costs at each p. Returns
    whether predicting positive costs less, and whether p is away from a tie (where either decision is optimal)."""
    joint_positive = p * new_prior / train_prior                     # P_new(y = 1, p) up to a factor common to both
    joint_negative = (1 - p) * (1 - new_prior) / (1 - train_prior)
    cost_if_negative = fn_cost * joint_positive                      # every positive is missed
    cost_if_positive = fp_cost * joint_negative                      # every negative is a false alarm
    return cost_if_positive < cost_if_negative, ~np.isclose(cost_if_positive, cost_if_negative, rtol=1e-9)


def check_shifted_threshold(shifted_threshold):
    """Task 2: predicting positive iff p >= t must be the cheaper decision under the new prior and costs."""
    threshold_holds(shifted_threshold, VISIBLE_THRESHOLD_CASES)
    passed("shifted_threshold: makes the decision of smaller expected cost under the new prior for every probability")


def threshold_holds(shifted_threshold, cases):
    """Fail unless "p >= t" makes the cheaper decision for every p of a fine grid on each case of ``cases``."""
    grid = np.linspace(0.0005, 0.9995, 1999)
    for train_prior, new_prior, fn_cost, fp_cost in cases:
        case = f"training prior {train_prior}, new prior {new_prior}, c_fn = {fn_cost}, c_fp = {fp_cost}"
        with task("shifted_threshold"):
            got = shifted_threshold(train_prior, new_prior, fn_cost, fp_cost)
        t = check_scalar(f"shifted_threshold ({case})", got)
        if not 0 < t < 1:
            fail(f"shifted_threshold ({case}): a threshold on a probability lies in (0, 1), got {t:.4g}")
        cheaper, clear = _cheaper_to_predict_positive(grid, train_prior, new_prior, fn_cost, fp_cost)
        yours = grid >= t
        wrong = np.flatnonzero((cheaper != yours) & clear)
        if wrong.size == 0:
            continue
        first = wrong[np.argmin(np.abs(grid[wrong] - t))]            # next to the student's own threshold
        p = grid[first]
        if yours[first]:
            side = (f"at p = {p:.3f} your rule predicts positive, but at deployment a false alarm there is the "
                    "more expensive mistake")
        else:
            side = (f"at p = {p:.3f} your rule predicts negative, but at deployment a missed positive there is the "
                    "more expensive mistake")
        if np.isclose(t, fp_cost / (fp_cost + fn_cost)):
            side += (". Would your threshold be any different if new_prior were the training prior? What does "
                     "p mean once the share of positives has changed?")
        elif np.isclose(t, fn_cost / (fp_cost + fn_cost)) and fn_cost != fp_cost:
            side += ". Which of the two costs should make you predict positive more readily?"
        else:
            side += (". For an example the model gives p, what is the probability that it is positive at deployment, "
                     "and what does each decision then cost on average?")
        fail(f"shifted_threshold ({case}): {side}")


# ----------------------------------------------------------------------------- task 3: predict, then run


#: Task 3's alert rule: flag an example for class 2 when the model gives class 2 at least this probability.
ALERT_AT = 0.1


def calibration_experiment(seed: int = 3):
    """Task 3's experiment: a balanced-weighted 3-class logistic regression, then temperature and prior correction.

    Returns a dict with ``temperature``; ``changed_by_temperature`` (fraction of test arg-max decisions that change);
    ``rare_before`` and ``rare_after`` (test points predicted as the rare class 2 by the arg-max, before and after
    the prior correction); ``alerts_before`` (test points whose probability of class 2 is at least ``ALERT_AT``),
    ``alerts_changed_by_temperature`` (fraction of test points whose alert changes when the logits are divided by
    the temperature) and ``alerts_after_prior`` (alerts after the prior correction).
    """
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    means = np.array([[0.0, 0.0], [2.0, 0.5], [0.8, 2.2]])
    priors = np.array([0.75, 0.2, 0.05])

    def draw(n):
        y = rng.choice(3, size=n, p=priors)
        return means[y] + rng.normal(size=(n, 2)), y

    (X_train, y_train), (X_val, y_val), (X_test, _) = draw(2000), draw(1000), draw(2000)
    weights = len(y_train) / (3 * np.bincount(y_train, minlength=3))
    model = LogisticRegression(C=100.0, max_iter=1000, class_weight=dict(enumerate(weights))).fit(X_train, y_train)
    z_val, z_test = model.decision_function(X_val), model.decision_function(X_test)
    temperature = fit_temperature(z_val, y_val)
    before = z_test.argmax(axis=1)
    after_temperature = softmax(z_test / temperature, axis=1).argmax(axis=1)
    corrected = prior_correction_multiclass(z_test, weights)
    after_prior = corrected.argmax(axis=1)
    alerts = softmax(z_test, axis=1)[:, 2] >= ALERT_AT
    alerts_temperature = softmax(z_test / temperature, axis=1)[:, 2] >= ALERT_AT
    alerts_prior = softmax(corrected, axis=1)[:, 2] >= ALERT_AT
    return {"temperature": temperature, "changed_by_temperature": float(np.mean(before != after_temperature)),
            "rare_before": int(np.sum(before == 2)), "rare_after": int(np.sum(after_prior == 2)),
            "alerts_before": int(alerts.sum()),
            "alerts_changed_by_temperature": float(np.mean(alerts != alerts_temperature)),
            "alerts_after_prior": int(alerts_prior.sum())}


#: Task 3's prediction: a choice for each key.
CALIBRATION_KEYS = ("alerts changed by the temperature", "alerts after the prior correction")
CALIBRATION_CHOICES = {"alerts changed by the temperature": ("none", "under 10 %", "10 % or more"),
                       "alerts after the prior correction": ("more", "fewer", "same")}


def calibration_outcome(run) -> dict:
    """The two answers an experiment's run gives, in the words of the choices."""
    changed = run["alerts_changed_by_temperature"]
    after, before = run["alerts_after_prior"], run["alerts_before"]
    return {"alerts changed by the temperature": "none" if changed == 0 else
            "under 10 %" if changed < 0.1 else "10 % or more",
            "alerts after the prior correction": "more" if after > before else "fewer" if after < before else "same"}


def check_calibration_prediction(calibration_prediction, calibration_reason, announce=True):
    """Task 3: the two choices and a one-line reason are recorded and well formed (not whether they are right: the
    graded part, ``wloss_grading.ex12``, compares them with the experiment)."""
    for key in CALIBRATION_KEYS:                                     # each key has its own three choices
        check_recorded_prediction("calibration_prediction", calibration_prediction, [key],
                                  CALIBRATION_CHOICES[key], "calibration_reason", calibration_reason,
                                  "in one sentence, what does each step do to a test point's logits?", announce=False)
    if announce:
        passed("calibration_prediction: two answers and a reason recorded; run the experiment below and compare "
               "(the graded part checks them)")


# ----------------------------------------------------------------------------- task 4: calibration on held-out data


def calibration_cases(seed, settings):
    """(case, z_val, y_val, z_test, y_test) for each (n_val, n_test, validation scale, test scale) of ``settings``:
    validation and test logits miscalibrated by different factors, so their fitted temperatures differ."""
    rng = np.random.default_rng(seed)
    cases = []
    for n_val, n_test, val_scale, test_scale in settings:
        def draw(n, scale):
            y = (rng.random(n) < 0.3).astype(int)
            s = (2 * y - 1) * 1.2 + rng.normal(size=n)
            return np.stack([np.zeros(n), scale * s], axis=1), y

        z_val, y_val = draw(n_val, val_scale)
        z_test, y_test = draw(n_test, test_scale)
        cases.append((f"{n_val} validation and {n_test} test examples, K = 2", z_val, y_val, z_test, y_test))
    return cases


def check_calibrated_test_ece(calibrated_test_ece):
    """Task 4: the temperature is fitted on the validation data only; the ECE is measured on the test data with it."""
    calibration_holds(calibrated_test_ece, calibration_cases(14, [(400, 600, 3.0, 1.0)]))
    passed("calibrated_test_ece: temperature fitted on validation data, ECE measured on the test data")


def calibration_holds(calibrated_test_ece, cases):
    """Fail unless the temperature minimises the validation loss and the ECE is the test set's, on each case."""
    for case, z_val, y_val, z_test, y_test in cases:
        with task("calibrated_test_ece"):
            got = calibrated_test_ece(z_val.copy(), y_val.copy(), z_test.copy(), y_test.copy())
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            fail(f"calibrated_test_ece ({case}): expected a pair (temperature, test_ece)")
        t = check_scalar(f"calibrated_test_ece ({case}): temperature", got[0])
        ece = check_scalar(f"calibrated_test_ece ({case}): test_ece", got[1])
        t_val = fit_temperature(z_val, y_val)
        if not np.isclose(t, t_val, rtol=1e-2):
            t_test = fit_temperature(z_test, y_test)
            t_both = fit_temperature(np.vstack([z_val, z_test]), np.r_[y_val, y_test])
            if np.isclose(t, t_test, rtol=1e-2):
                hint = ("it is the temperature that suits the TEST set best. Which data set may tune the calibrator, "
                        "if the test set is to judge it?")
            elif np.isclose(t, t_both, rtol=1e-2):
                hint = "it depends on the test labels. Would the reported ECE still be an honest estimate?"
            elif np.isclose(t, 1.0):
                hint = "it is 1. Was anything fitted?"
            else:
                hint = "which data did you fit it on, and by minimising what?"
            fail(f"calibrated_test_ece ({case}): your temperature does not minimise the validation loss - {hint}")
        expected = expected_calibration_error(softmax(z_test / t, axis=1)[:, 1], y_test)
        if not np.isclose(ece, expected, rtol=1e-6, atol=1e-9):
            on_val = expected_calibration_error(softmax(z_val / t, axis=1)[:, 1], y_val)
            if np.isclose(ece, on_val, rtol=1e-6):
                hint = "it is the ECE on the data the temperature was fitted on. Which data should judge it?"
            elif np.isclose(ece, expected_calibration_error(softmax(z_test, axis=1)[:, 1], y_test), rtol=1e-6):
                hint = "it does not change with your temperature. Where does the temperature enter your ECE?"
            else:
                hint = "which probabilities and which labels did your ECE compare?"
            fail(f"calibrated_test_ece ({case}): test_ece does not match the ECE of your calibrated test "
                 f"probabilities - {hint}")


# ----------------------------------------------------------------------------- task 5: predict, then run (bins)

#: The experiment's sample size and the two bin counts whose mean ECEs the prediction compares.
BINS_N, BINS_FEW, BINS_MANY = 1000, 10, 40


@functools.lru_cache(maxsize=4)
def _null_ece_by_bins(n, bins, seeds):
    means = {}
    for num_bins in bins:
        values = []
        for seed in range(seeds):
            r = np.random.default_rng(seed)
            p = r.random(n)
            values.append(expected_calibration_error(p, r.random(n) < p, num_bins))
        means[num_bins] = float(np.mean(values))
    return means


def null_ece_by_bins(n: int = BINS_N, bins: tuple = (5, 10, 20, 40, 80), seeds: int = 200) -> dict:
    """Task 5's experiment: mean binned ECE of a perfectly calibrated forecaster, for several numbers of bins.

    The forecaster says p ~ Uniform(0, 1) and the outcome is y ~ Bernoulli(p), as in lecture 12 section 2.3; the
    sample size n stays fixed and only the number of equal-width bins changes. Returns {number of bins: mean ECE
    over ``seeds`` samples}, the same samples for every number of bins.
    """
    return dict(_null_ece_by_bins(int(n), tuple(int(b) for b in bins), int(seeds)))


def check_bins_prediction(predicted_ratio, predicted_reason, announce=True):
    """Task 5: the prediction is recorded before the experiment; the visible part only checks that a positive number
    and a one-line reason are filled in (the graded part, ``wloss_grading.ex12``, compares them with the experiment),
    so the student learns the outcome from the experiment, not from the check.
    """
    name = "predicted_ratio"
    if predicted_ratio is ... or predicted_ratio is None:
        fail(f"{name}: not filled in yet - write your prediction before you run the experiment.")
    if isinstance(predicted_ratio, (str, bool)):
        fail(f"{name}: expected a number (mean ECE with {BINS_MANY} bins divided by mean ECE with {BINS_FEW}), "
             f"got {type(predicted_ratio).__name__} - is it a ratio you can compute with?")
    ratio = check_scalar(name, predicted_ratio)
    if ratio <= 0:
        fail(f"{name}: a ratio of two ECEs is positive, got {ratio:.3g} - can an ECE be negative?")
    if predicted_reason is ... or predicted_reason is None:
        fail("predicted_reason: not filled in yet - one line saying why, written before you run the experiment.")
    if not isinstance(predicted_reason, str) or len(predicted_reason.split()) < 3:
        fail("predicted_reason: expected one line of text (a few words at least) saying why you expect this ratio "
             "- what changes for one bin when there are more bins?")
    if announce:
        passed(f"prediction recorded ({name} = {ratio:.3g}, with a reason); the experiment below shows how it "
               "compares - it is graded against the experiment")


# ----------------------------------------------------------------------------- task 7 (open): a calibrator of your own


def open_calibration_data(seed: int = 70):
    """Task 7's data: (z_val, y_val, z_test, y_test), binary logits of shape (N, 2), validation and test drawn alike
    (both over-confident by the same factor), 800 examples each."""
    _, z_val, y_val, z_test, y_test = calibration_cases(seed, [(800, 800, 2.5, 2.5)])[0]
    return z_val, y_val, z_test, y_test


def _temperature_test_ece(z_val, y_val, z_test, y_test):
    t = fit_temperature(z_val, y_val)
    return expected_calibration_error(softmax(z_test / t, axis=1)[:, 1], y_test)


def calibrator_holds(my_calibrator, data, case):
    """Fit the student's calibrator on the validation half of ``data`` only, apply it to the test logits and return
    the test ECE of what it gives, failing unless it gives one probability in [0, 1] per test example."""
    z_val, y_val, z_test, y_test = data
    with task("my_calibrator"):
        calibrate = my_calibrator(z_val.copy(), y_val.copy())
    if not callable(calibrate):
        fail(f"my_calibrator ({case}): expected it to return a function (test logits -> probabilities of class 1), "
             f"got {type(calibrate).__name__}")
    with task("the function my_calibrator returned"):
        p = calibrate(z_test.copy())
    p = check_array(f"my_calibrator ({case}): the probabilities", p, shape=(len(z_test),))
    if not np.all(np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        fail(f"my_calibrator ({case}): some of its outputs are not probabilities in [0, 1]. What does your "
             "function return for very large or very small logits?")
    return expected_calibration_error(p, y_test)


def check_own_calibrator(my_calibrator, open_method, open_test_ece):
    """Task 7: a calibrator fitted on validation data only (the check gives it nothing else), valid probabilities,
    and the test ECE the student reports recomputed here; temperature scaling's is shown for comparison."""
    if my_calibrator is None or open_method is None or open_test_ece is None:
        fail("my_calibrator, open_method, open_test_ece: not filled in yet - write and run your calibrator first.")
    if not isinstance(open_method, str) or len(open_method.split()) < 2:
        fail(f"open_method: expected a few words naming your calibrator, got {open_method!r}")
    if "temperature" in open_method.lower() and "vector" not in open_method.lower():
        fail("open_method: temperature scaling is the comparison here; which other calibrator would you try?")
    reported = check_scalar("open_test_ece", open_test_ece)
    ece = calibrator_holds(my_calibrator, open_calibration_data(), "the task's data")
    if not np.isclose(reported, ece, rtol=1e-6, atol=1e-9):
        fail("open_test_ece: this is not the test ECE (10 bins, probability of class 1) of your calibrator fitted on "
             "the validation data. Did you fit on z_val and y_val only, and measure on z_test and y_test?")
    passed(f"own calibrator ({open_method}): fitted on validation data only, test ECE recomputed "
           f"({ece:.3f}; temperature scaling {_temperature_test_ece(*open_calibration_data()):.3f})")
