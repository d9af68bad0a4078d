"""Checks for exercise 12 (after training: label shift, calibration, decisions).

Each check recomputes the property its task states from what the student
returns — priors that reproduce the deployment predictions, a threshold that
makes the Bayes decision under the new prior, a temperature fitted where it
should be — names the failing case with a hint, and never prints the answer.
"""
import numpy as np
from scipy.special import softmax

from wloss.calibration import expected_calibration_error
from wloss.checks import check_array, check_scalar, fail, passed, task
from wloss.posthoc import estimate_label_shift_bbse, fit_temperature, prior_correction_multiclass

# ----------------------------------------------------------------------------- task 1: BBSE with the right orientation


def _bbse_cases(hidden: bool):
    rng = np.random.default_rng(12 if not hidden else 121)
    cases = []
    settings = [((60, 30, 10), (1, 3, 4), 0.7)] if not hidden else [((50, 50), (1, 4), 0.8),
                                                                    ((30, 30, 20, 20), (3, 1, 2, 5), 0.6)]
    for counts, repeats, accuracy in settings:
        k = len(counts)
        y_val = np.repeat(np.arange(k), counts)
        noise = rng.integers(0, k, len(y_val))
        pred_val = np.where(rng.random(len(y_val)) < accuracy, y_val, (y_val + 1 + noise % (k - 1)) % k)
        # make the confusion asymmetric: class 0 is often predicted as class 1, never the reverse
        pred_val[(y_val == 0) & (rng.random(len(y_val)) < 0.25)] = 1
        idx = np.concatenate([np.tile(np.flatnonzero(y_val == j), r) for j, r in enumerate(repeats)])
        truth = np.bincount(y_val[idx], minlength=k) / len(idx)
        cases.append((f"K = {k}, validation class counts {counts}, deployment over-samples classes {repeats} times",
                      y_val, pred_val, pred_val[idx].copy(), k, truth))
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
    """Task 1: the estimated deployment priors q must satisfy M q = mu with M[i, j] = P(yhat = i | y = j)."""
    for case, y_val, pred_val, pred_target, k, truth in _bbse_cases(hidden):
        with task("estimate_priors"):
            got = estimate_priors(y_val.copy(), pred_val.copy(), pred_target.copy(), k)
        q = check_array(f"estimate_priors ({case})", got, shape=(k,))
        expected = estimate_label_shift_bbse(y_val, pred_val, pred_target, k)
        if np.allclose(q, expected, atol=1e-6):
            continue
        transposed = _transposed_bbse(y_val, pred_val, pred_target, k)
        mu = np.bincount(pred_target, minlength=k) / len(pred_target)
        if transposed is not None and np.allclose(q, transposed, atol=1e-6):
            hint = ("the predictions on the deployment data mix the columns of P(prediction | TRUE class); "
                    "look at which index of your matrix is the true class")
        elif np.allclose(q, mu, atol=1e-6):
            hint = "these are the shares of the predicted classes; a classifier that errs does not give the priors"
        elif np.allclose(q, np.bincount(y_val, minlength=k) / len(y_val), atol=1e-6):
            hint = "these are the validation priors: the deployment data never entered your estimate"
        elif not np.isclose(q.sum(), 1.0, atol=1e-6):
            hint = "the estimate is not a distribution over classes (it does not sum to 1)"
        else:
            hint = ("solve for priors q such that the predicted-class shares on the deployment data equal "
                    "the confusion matrix, normalised per true class, applied to q")
        fail(f"estimate_priors ({case}): the deployment priors are off by {np.abs(q - truth).sum():.3f} "
             f"in L1 - {hint}")
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
