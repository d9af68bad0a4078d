"""Checks for exercise 07 (RWWCE and maximum likelihood).

Every check recomputes what it needs from the student's function or numbers and never prints the
answer of the task it grades: a failure names the property that fails, the case, and a hint.
"""
import warnings

import numpy as np

from wloss.checks import check_scalar, fail, passed, task


def _p_star(n1, n0, c_fn, c_fp):
    """RWWCE-optimal constant prediction on n1 positives and n0 negatives."""
    return c_fn * n1 / (c_fn * n1 + c_fp * n0)


# ---------------------------------------------------------------- task 1: cost ratio for a target
RATIO_CASES = [(0.9, 9, 1), (0.5, 1, 99), (0.2, 30, 70)]
RATIO_HIDDEN = [(0.75, 3, 97), (0.01, 50, 50)]


def check_cost_ratio_for(cost_ratio_for, hidden=False):
    """cost_ratio_for(p_target, n1, n0) -> r = c_fn / c_fp with p*(c_fn = r, c_fp = 1) = p_target."""
    for p_target, n1, n0 in RATIO_HIDDEN if hidden else RATIO_CASES:
        case = f"p_target={p_target}, n1={n1}, n0={n0}"
        with task("cost_ratio_for"):
            r = check_scalar(f"cost_ratio_for({case})", cost_ratio_for(p_target, n1, n0))
        if r <= 0:
            fail(f"cost_ratio_for({case}): a ratio of two costs is positive, got {r:.4g}")
        reached = _p_star(n1, n0, r, 1.0)
        if not np.isclose(reached, p_target, rtol=1e-7, atol=1e-12):
            direction = "too large" if reached > p_target else "too small"
            hint = "solve p* = p_target for the ratio; the class counts n1 and n0 matter"
            fail(f"cost_ratio_for({case}): trained with your ratio, RWWCE's constant prediction would be "
                 f"{reached:.4f}, not {p_target} - your ratio is {direction}; {hint}")
    passed("cost_ratio_for: with your ratio, RWWCE's constant minimiser lands on every target"
           + (" (hidden cases)" if hidden else ""))


# ---------------------------------------------------------------- task 2: deployment threshold
THRESHOLD_CASES = [(2000.0, 100.0, 2000.0, 100.0), (20.0, 1.0, 5.0, 1.0), (1.0, 1.0, 9.0, 1.0), (1.0, 4.0, 1.0, 1.0)]
THRESHOLD_HIDDEN = [(3.0, 7.0, 50.0, 2.0), (10.0, 1.0, 1.0, 10.0)]


def check_deployment_threshold(deployment_threshold, hidden=False):
    """deployment_threshold(train_fn, train_fp, c_fn, c_fp) -> t on p*(q) equivalent to the Bayes decision."""
    q = np.linspace(0.0005, 0.9995, 2000)
    for a, b, c_fn, c_fp in THRESHOLD_HIDDEN if hidden else THRESHOLD_CASES:
        case = f"train_fn={a:g}, train_fp={b:g}, c_fn={c_fn:g}, c_fp={c_fp:g}"
        with task("deployment_threshold"):
            t = check_scalar(f"deployment_threshold ({case})", deployment_threshold(a, b, c_fn, c_fp))
        if not 0 < t < 1:
            fail(f"deployment_threshold ({case}): a threshold on a probability lies in (0, 1), got {t:.4g}")
        bayes = c_fp / (c_fp + c_fn)
        p = a * q / (a * q + b * (1 - q))
        cut = a * bayes / (a * bayes + b * (1 - bayes))
        if not np.isclose(t, cut, rtol=1e-7, atol=1e-12):
            side = "predicts positive too rarely" if t > cut else "predicts positive too often"
            wrong = q[(p > t) != (q > bayes)]
            where = (f" for inputs whose true probability q lies between {wrong.min():.3f} and {wrong.max():.3f}"
                     if wrong.size else " near the Bayes threshold")
            fail(f"deployment_threshold ({case}): your threshold {side}: it disagrees with the Bayes decision{where}. "
                 "The model's outputs are p*(q) of its TRAINING costs; find the p* that the Bayes q of the "
                 "deployment costs maps to")
    passed("deployment_threshold: thresholding the trained model there makes the Bayes decisions of the new costs"
           + (" (hidden cases)" if hidden else ""))


# ---------------------------------------------------------------- task 3: debug the bias training
def _first_step(n1, n0, c_fn, c_fp, lr):
    """sigma(z_1) after one Adam step from z = 0: Adam's first step is lr * sign(-gradient)."""
    direction = np.sign(c_fn * n1 - c_fp * n0)
    return 1 / (1 + np.exp(-lr * direction))


BIAS_CASES = [(9, 1, 1.0, 1.0, 0.1, 300), (9, 1, 2000.0, 100.0, 0.1, 500), (2, 8, 1.0, 3.0, 0.1, 300)]
BIAS_HIDDEN = [(1, 4, 10.0, 1.0, 0.2, 300), (30, 70, 1.0, 2.0, 0.1, 400)]


def _history(train_bias, args, name):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with task(name):
            history = train_bias(*args)
    if any("requires_grad" in str(w.message) for w in caught):
        fail(f"{name}: your function warns 'Converting a tensor with requires_grad=True to a scalar' - take the "
             "number out of the graph first (.item() or .detach())")
    try:
        history = np.asarray(history, dtype=float)
    except (TypeError, ValueError):
        fail(f"{name}: expected a list of probabilities (one per step), got {type(history).__name__}")
    if history.ndim != 1 or len(history) == 0:
        fail(f"{name}: expected a 1-d list of probabilities, one per step, got shape {history.shape}")
    return history


def check_train_bias(train_bias, hidden=False):
    """train_bias(n1, n0, c_fn, c_fp, lr, steps) -> the sigma(bias) after each Adam step."""
    for n1, n0, c_fn, c_fp, lr, steps in BIAS_HIDDEN if hidden else BIAS_CASES:
        case = f"n1={n1}, n0={n0}, c_fn={c_fn:g}, c_fp={c_fp:g}, lr={lr}, steps={steps}"
        history = _history(train_bias, (n1, n0, c_fn, c_fp, lr, steps), f"train_bias({case})")
        if len(history) != steps:
            fail(f"train_bias({case}): expected one probability per Adam step ({steps}), got {len(history)} - "
                 "record sigma(bias) after every step, and train for the number of steps you are given")
        if not np.isclose(history[0], _first_step(n1, n0, c_fn, c_fp, lr), atol=1e-5):
            fail(f"train_bias({case}): after the first Adam step from bias 0 the probability should move by about "
                 "the learning rate in the direction that lowers the loss; yours did not. Is it really trained, "
                 "from zero, on rwwce_binary with c_fn for the positives and c_fp for the negatives?")
        expected = _p_star(n1, n0, c_fn, c_fp)
        if abs(history[-1] - expected) > 1e-3:
            hint = ("the costs may be swapped" if abs(history[-1] - _p_star(n1, n0, c_fp, c_fn)) < 1e-2 else
                    "are the gradients reset before every backward pass?")
            fail(f"train_bias({case}): the last probability is not the analytic RWWCE optimum - {hint}")
    if not hidden:
        history = _history(train_bias, (9, 1, 2000.0, 100.0), "train_bias(9, 1, 2000.0, 100.0) with its defaults")
        if abs(history[-1] - _p_star(9, 1, 2000.0, 100.0)) > 1e-3:
            fail("train_bias with its default lr and steps does not converge: Adam moves the bias by about lr per "
                 "step, so choose defaults that can reach the optimum")
    passed("train_bias: trained from zero with Adam, it reaches the analytic RWWCE optimum"
           + (" (hidden cases)" if hidden else ""))


# ---------------------------------------------------------------- task 4: predict the effect of scaling weights
def scaling_experiment(scale=100.0, n=400, n_boot=30, seed=7):
    """Factors by which slope, naive SE and bootstrap SE change when every weight is multiplied by ``scale``."""
    from wloss.stats import logistic_standard_errors, weighted_logistic_regression

    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(-2.0 + 1.5 * x)))).astype(float)
    X = np.c_[np.ones(n), x]
    resamples = rng.integers(0, n, size=(n_boot, n))
    out = {}
    for name, w in [("before", np.where(y == 1, 20.0, 1.0)), ("after", scale * np.where(y == 1, 20.0, 1.0))]:
        b = weighted_logistic_regression(X, y, w)
        boot = np.std([weighted_logistic_regression(X[i], y[i], w[i])[1] for i in resamples], ddof=1)
        out[name] = (b[1], logistic_standard_errors(X, y, b, w)["naive"][1], boot)
    return tuple(a / b for a, b in zip(out["after"], out["before"]))


def check_scaling_prediction(slope_factor, naive_factor, bootstrap_factor, measured):
    """Compare the three predicted factors with the experiment (which the check re-runs independently)."""
    names = ("predicted_slope_factor", "predicted_naive_factor", "predicted_bootstrap_factor")
    predicted = []
    for name, value in zip(names, (slope_factor, naive_factor, bootstrap_factor)):
        with task(name):
            predicted.append(check_scalar(name, value))
    with task("measured"):
        measured = [check_scalar("measured factor", m) for m in measured]
    if len(measured) != 3:
        fail("measured: pass the three factors the experiment cell printed, in its order")
    truth = scaling_experiment()
    if not np.allclose(measured, truth, rtol=0.05):
        fail("measured: these are not the factors of the experiment cell - run it again, unchanged")
    hints = {
        0: "the weighted fit maximises sum_i w_i log f_i; what does multiplying that sum by a constant do to "
           "its maximiser?",
        1: "the naive standard error reads the weights as counts of independent copies: with 100 times as many "
           "copies, how does a standard error scale with the number of observations?",
        2: "the bootstrap resamples the original examples and refits; which of its ingredients changes when "
           "every weight is multiplied by the same number?",
    }
    wrong = [k for k in range(3) if not np.isclose(predicted[k], truth[k], rtol=0.1)]
    if wrong:
        fail("Your prediction differs from the experiment for " + ", ".join(names[k] for k in wrong) + ". "
             + " ".join(hints[k] for k in wrong))
    passed("predictions match the experiment: scaling every weight changes the units of the likelihood, "
           "not the information in the data")
