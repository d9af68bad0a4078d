"""Checks for exercise 12 (after training: label shift, calibration, decisions).

Each check recomputes the property its task states from what the student
returns — priors that reproduce the deployment predictions, a threshold that
makes the Bayes decision under the new prior, a temperature fitted where it
should be — names the failing case with a hint, and never prints the answer.
Task 1 runs the student's BBSE with the library's label-shift estimators
blocked and compares it with class shares that are counted, not solved for.
Task 5 is a prediction: its visible check only sees that it is filled in;
the hidden part grades it against the experiment.
"""
import functools

import numpy as np
from scipy.special import softmax

from wloss.calibration import expected_calibration_error
from wloss.checks import check_array, check_scalar, fail, library_blocked, passed, task
from wloss.posthoc import fit_temperature, prior_correction_multiclass

# ----------------------------------------------------------------------------- task 1: BBSE with the right orientation

#: The library's own label-shift estimators: the task asks for BBSE written out, so the check blocks both (EM fed
#: with P(y | yhat) from the validation counts reaches the same answer).
BBSE_FUNCTIONS = ("wloss.posthoc.estimate_label_shift_bbse", "wloss.posthoc.estimate_label_shift_em")


def _reweighted_case(description, y_val, pred_val, repeats):
    """Deployment data = the validation examples of class j repeated repeats[j] times.

    Then mu = M q holds exactly with q the deployment's class shares, counted here: the reference is a count,
    not a linear solve, so it is independent of any BBSE code.
    """
    k = len(repeats)
    idx = np.concatenate([np.tile(np.flatnonzero(y_val == j), r) for j, r in enumerate(repeats)])
    truth = np.bincount(y_val[idx], minlength=k) / len(idx)
    return description, y_val, pred_val, pred_val[idx].copy(), k, truth


def _bbse_cases(hidden: bool):
    """Cases from the smallest up, so a failure names the smallest input on which it fails."""
    rng = np.random.default_rng(12 if not hidden else 121)
    cases = []
    if not hidden:
        y_small = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
        pred_small = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 0])
        cases.append(_reweighted_case(f"K = 2, y_val = {y_small}, pred_val = {pred_small}, deployment = these "
                                      "validation examples with those of class 1 repeated 3 times",
                                      y_small, pred_small, (1, 3)))
    settings = [((60, 30, 10), (1, 3, 4), 0.7)] if not hidden else [((50, 50), (1, 4), 0.8),
                                                                    ((30, 30, 20, 20), (3, 1, 2, 5), 0.6)]
    for counts, repeats, accuracy in settings:
        k = len(counts)
        y_val = np.repeat(np.arange(k), counts)
        noise = rng.integers(0, k, len(y_val))
        pred_val = np.where(rng.random(len(y_val)) < accuracy, y_val, (y_val + 1 + noise % (k - 1)) % k)
        # make the confusion asymmetric: class 0 is often predicted as class 1, never the reverse
        pred_val[(y_val == 0) & (rng.random(len(y_val)) < 0.25)] = 1
        cases.append(_reweighted_case(f"K = {k}, validation class counts {counts}, deployment = the validation "
                                      f"examples, those of class j repeated r_j times, r = {repeats}",
                                      y_val, pred_val, repeats))
    return cases


def _transposed_bbse(y_val, pred_val, pred_target, k):
    joint = np.zeros((k, k))
    np.add.at(joint, (y_val, pred_val), 1.0)
    mu = np.bincount(pred_target, minlength=k) / len(pred_target)
    try:
        q = np.linalg.solve(joint / np.bincount(y_val, minlength=k)[:, None], mu)
    except np.linalg.LinAlgError:
        return None
    return q / q.sum()


def check_estimate_priors(estimate_priors, hidden: bool = False):
    """Task 1: on a deployment set that reweights the validation examples by class, the estimate is its class shares.

    The student's function runs with the library's estimators blocked; the reference is the deployment's class
    shares, counted (M q = mu holds exactly there).
    """
    for case, y_val, pred_val, pred_target, k, truth in _bbse_cases(hidden):
        with task("estimate_priors"), library_blocked("estimate_priors", *BBSE_FUNCTIONS):
            got = estimate_priors(y_val.copy(), pred_val.copy(), pred_target.copy(), k)
        q = check_array(f"estimate_priors ({case})", got, shape=(k,))
        if np.allclose(q, truth, rtol=0.0, atol=1e-8):
            continue
        transposed = _transposed_bbse(y_val, pred_val, pred_target, k)
        mu = np.bincount(pred_target, minlength=k) / len(pred_target)
        val_priors = np.bincount(y_val, minlength=k) / len(y_val)
        relative = truth / val_priors
        if transposed is not None and np.allclose(q, transposed, atol=1e-6):
            hint = ("the predicted-class shares on the deployment data mix one distribution per TRUE class; in the "
                    "matrix you solve with, which index is the true class, and over which index does that mix sum?")
        elif np.allclose(q, mu, atol=1e-6):
            hint = "these are the shares of the predicted classes: would a classifier that errs give the priors?"
        elif np.allclose(q, val_priors, atol=1e-6):
            hint = "these are the validation priors: where do the deployment predictions enter your estimate?"
        elif not np.isclose(q.sum(), 1.0, atol=1e-6):
            hint = f"your estimate sums to {q.sum():.3g}: is it a distribution over the classes?"
        elif np.allclose(q, relative / relative.sum(), atol=1e-6):
            hint = ("your estimate is off by a factor that depends on the validation class counts: what does each "
                    "column of your matrix sum to?")
        else:
            hint = ("with q the deployment priors, which equation links the predicted-class shares on the deployment "
                    "data to q, and does your code solve that one?")
        fail(f"estimate_priors ({case}): your estimate is not the class shares of the deployment data, which this "
             f"case fixes exactly - {hint}")
    passed("estimate_priors: recovers the deployment priors exactly on reweighted copies of the validation data"
           + (" (hidden cases)" if hidden else ""))


# ----------------------------------------------------------------------------- task 2: threshold for new priors


def _threshold_cases(hidden: bool):
    if not hidden:
        return [(0.5, 0.1, 5.0, 1.0), (0.2, 0.4, 1.0, 3.0)]
    return [(0.05, 0.3, 10.0, 1.0), (0.5, 0.5, 4.0, 1.0), (0.3, 0.3, 1.0, 1.0), (0.6, 0.02, 50.0, 2.0)]


def _bayes_positive(p, train_prior, new_prior, fn_cost, fp_cost):
    """Bayes decision (True = positive) and whether p is away from a tie (where either decision is optimal)."""
    odds = p / (1 - p) * (new_prior / train_prior) / ((1 - new_prior) / (1 - train_prior))
    return odds * fn_cost > fp_cost, ~np.isclose(odds * fn_cost, fp_cost, rtol=1e-9)


def check_shifted_threshold(shifted_threshold, hidden: bool = False):
    """Task 2: predicting positive iff p >= t must be the Bayes decision under the new prior and costs."""
    grid = np.linspace(0.0005, 0.9995, 1999)
    for train_prior, new_prior, fn_cost, fp_cost in _threshold_cases(hidden):
        case = f"training prior {train_prior}, new prior {new_prior}, c_fn = {fn_cost}, c_fp = {fp_cost}"
        with task("shifted_threshold"):
            got = shifted_threshold(train_prior, new_prior, fn_cost, fp_cost)
        t = check_scalar(f"shifted_threshold ({case})", got)
        if not 0 < t < 1:
            fail(f"shifted_threshold ({case}): a threshold on a probability lies in (0, 1), got {t:.4g}")
        bayes, clear = _bayes_positive(grid, train_prior, new_prior, fn_cost, fp_cost)
        yours = grid >= t
        wrong = np.flatnonzero((bayes != yours) & clear)
        if wrong.size == 0:
            continue
        p = grid[wrong[0]]
        if yours[wrong[0]]:
            side = (f"at p = {p:.4f} your rule predicts positive, but under the new prior the expected cost of "
                    "a false positive is larger there")
        else:
            side = (f"at p = {p:.4f} your rule predicts negative, but under the new prior the expected cost of "
                    "a missed positive is larger there")
        if np.isclose(t, fp_cost / (fp_cost + fn_cost)):
            side += " - your threshold ignores the change of prior (p was calibrated for the training prior)"
        elif np.isclose(t, fn_cost / (fp_cost + fn_cost)) and fn_cost != fp_cost:
            side += " - which cost makes you predict positive more readily?"
        else:
            side += " - write the posterior under the new prior with Bayes' rule, then compare expected costs"
        fail(f"shifted_threshold ({case}): {side}")
    passed("shifted_threshold: makes the Bayes decision under the new prior for every probability"
           + (" (hidden cases)" if hidden else ""))


# ----------------------------------------------------------------------------- task 3: predict, then run


def calibration_experiment(seed: int = 3):
    """Task 3's experiment: a balanced-weighted 3-class logistic regression, then temperature and prior correction.

    Returns a dict with ``changed_by_temperature`` (fraction of test decisions that change),
    ``rare_before`` and ``rare_after`` (how many test points are predicted as the rare class
    before and after the prior correction) and ``temperature``.
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
    after_prior = prior_correction_multiclass(z_test, weights).argmax(axis=1)
    return {"temperature": temperature, "changed_by_temperature": float(np.mean(before != after_temperature)),
            "rare_before": int(np.sum(before == 2)), "rare_after": int(np.sum(after_prior == 2))}


def check_predictions(predicted_changed_fraction, predicted_rare_direction, hidden: bool = False):
    """Task 3: the two predictions, made before the experiment, against what it measures."""
    fraction = check_scalar("predicted_changed_fraction", predicted_changed_fraction)
    if not isinstance(predicted_rare_direction, str) or predicted_rare_direction.strip().lower() not in (
            "more", "fewer", "same"):
        fail("predicted_rare_direction: expected one of the strings 'more', 'fewer', 'same'")
    direction = predicted_rare_direction.strip().lower()
    runs = [calibration_experiment()] if not hidden else [calibration_experiment(s) for s in (5, 6)]
    for run in runs:
        if not np.isclose(fraction, run["changed_by_temperature"], atol=1e-9):
            fail(f"predicted_changed_fraction: the experiment does not confirm {fraction:.3g} - what does dividing "
                 "every logit of an example by the same positive number do to their order?")
        measured = ("more" if run["rare_after"] > run["rare_before"] else
                    "fewer" if run["rare_after"] < run["rare_before"] else "same")
        if direction != measured:
            fail(f"predicted_rare_direction: the experiment does not confirm '{direction}' - the weight on the rare "
                 "class is above 1; what does subtracting its logarithm do to the rare class's logit?")
    passed("predictions: both confirmed by the experiment" + (" (other seeds)" if hidden else ""))


# ----------------------------------------------------------------------------- task 4: calibration on held-out data


def _calibration_cases(hidden: bool):
    rng = np.random.default_rng(14 if not hidden else 141)
    cases = []
    for n_val, n_test, val_scale, test_scale in ([(400, 600, 3.0, 1.0)] if not hidden
                                                 else [(300, 300, 0.5, 2.0), (800, 500, 2.0, 0.7)]):
        def draw(n, scale):
            y = (rng.random(n) < 0.3).astype(int)
            s = (2 * y - 1) * 1.2 + rng.normal(size=n)
            return np.stack([np.zeros(n), scale * s], axis=1), y

        z_val, y_val = draw(n_val, val_scale)
        z_test, y_test = draw(n_test, test_scale)
        cases.append((f"{n_val} validation and {n_test} test examples, K = 2", z_val, y_val, z_test, y_test))
    return cases


def check_calibrated_test_ece(calibrated_test_ece, hidden: bool = False):
    """Task 4: the temperature is fitted on the validation data only; the ECE is measured on the test data with it."""
    for case, z_val, y_val, z_test, y_test in _calibration_cases(hidden):
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
                hint = "this temperature was fitted on the TEST set, where it is then scored"
            elif np.isclose(t, t_both, rtol=1e-2):
                hint = "this temperature saw the test labels too"
            elif np.isclose(t, 1.0):
                hint = "the temperature was never fitted"
            else:
                hint = "fit the temperature by minimising the negative log-likelihood on the validation data"
            fail(f"calibrated_test_ece ({case}): your temperature does not minimise the validation loss - {hint}")
        expected = expected_calibration_error(softmax(z_test / t, axis=1)[:, 1], y_test)
        if not np.isclose(ece, expected, rtol=1e-6, atol=1e-9):
            on_val = expected_calibration_error(softmax(z_val / t, axis=1)[:, 1], y_val)
            if np.isclose(ece, on_val, rtol=1e-6):
                hint = "this ECE was measured on the validation data"
            elif np.isclose(ece, expected_calibration_error(softmax(z_test, axis=1)[:, 1], y_test), rtol=1e-6):
                hint = "this ECE is of the uncalibrated logits"
            else:
                hint = "use the probability of class 1 after dividing the test logits by your temperature"
            fail(f"calibrated_test_ece ({case}): test_ece does not match the ECE of your calibrated test "
                 f"probabilities - {hint}")
    passed("calibrated_test_ece: temperature fitted on validation data, ECE measured on the test data"
           + (" (hidden cases)" if hidden else ""))


# ----------------------------------------------------------------------------- task 5: predict, then run (bins)

#: The experiment's sample size and the two bin counts whose mean ECEs the prediction compares.
BINS_N, BINS_FEW, BINS_MANY = 1000, 10, 40
#: A prediction of the ratio is confirmed when it is within this relative distance of the measured ratio.
BINS_TOLERANCE = 0.15


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


def check_bins_prediction(predicted_ratio, predicted_reason, hidden: bool = False):
    """Task 5: the prediction is recorded before the experiment; the hidden part grades it against the experiment.

    The visible part only checks that a positive number and a one-line reason are filled in, so the student learns
    the outcome from the experiment, not from the check.
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
    if not hidden:
        passed(f"prediction recorded ({name} = {ratio:.3g}, with a reason); the experiment below shows how it "
               "compares - it is graded against the experiment")
        return
    run = null_ece_by_bins()
    measured = run[BINS_MANY] / run[BINS_FEW]
    if abs(ratio / measured - 1) > BINS_TOLERANCE:
        if ratio < 1:
            question = ("is the ECE of a perfectly calibrated forecaster smaller when its probabilities are cut "
                        "into finer bins? How many examples does each bin then hold?")
        else:
            question = (f"with {BINS_MANY // BINS_FEW} times as many bins, how many examples does a bin hold, and how "
                        "does the noise in one bin's gap depend on that count?")
        fail(f"{name}: the experiment (n = {BINS_N}, perfectly calibrated forecaster, {BINS_FEW} against "
             f"{BINS_MANY} bins) does not confirm {ratio:.3g} - {question}")
    passed(f"{name}: confirmed by the experiment (within {100 * BINS_TOLERANCE:.0f} %)")
