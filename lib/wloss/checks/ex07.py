"""Checks for exercise 07 (RWWCE and maximum likelihood).

Each check tests a property of the student's function or numbers and, when it fails, names the property and
the smallest case it fails on, and asks a question; none prints the answer of its task. The instructor's
hidden cases are in ``wloss_grading.ex07``, which calls the same case runners on inputs the student never sees
and compares with references that are not here.
"""
import warnings

import numpy as np

from wloss.checks import check_recorded_prediction, check_report, check_scalar, fail, passed, task


def lecture_p_star(n1, n0, c_fn, c_fp):
    """Lecture 07's RWWCE-optimal constant prediction on n1 positives and n0 negatives."""
    return c_fn * n1 / (c_fn * n1 + c_fp * n0)


# ---------------------------------------------------------------- task 1: cost ratio for a target
RATIO_CASES = [(0.9, 9, 1), (0.5, 1, 99), (0.2, 30, 70)]


def check_cost_ratio_for(cost_ratio_for):
    """cost_ratio_for(p_target, n1, n0) -> r = c_fn / c_fp with p*(c_fn = r, c_fp = 1) = p_target."""
    ratios_hold(cost_ratio_for, RATIO_CASES)
    passed("cost_ratio_for: with your ratio, RWWCE's constant minimiser lands on every target")


def ratios_hold(cost_ratio_for, cases):
    """Fail unless the ratio puts lecture 07's minimiser on the target, on each (p_target, n1, n0) of ``cases``."""
    for p_target, n1, n0 in cases:
        case = f"p_target={p_target}, n1={n1}, n0={n0}"
        with task("cost_ratio_for"):
            r = check_scalar(f"cost_ratio_for({case})", cost_ratio_for(p_target, n1, n0))
        if r <= 0:
            fail(f"cost_ratio_for({case}): your ratio is not positive. Can a ratio of two costs be?")
        reached = lecture_p_star(n1, n0, r, 1.0)
        if not np.isclose(reached, p_target, rtol=1e-7, atol=1e-12):
            direction = "above" if reached > p_target else "below"
            fail(f"cost_ratio_for({case}): trained with your ratio, RWWCE's constant prediction would land {direction} "
                 "the target. Which equation in r does 'p* = p_target' give, and do n1 and n0 appear in it?")


# ---------------------------------------------------------------- task 2: deployment threshold
THRESHOLD_CASES = [(2000.0, 100.0, 2000.0, 100.0), (20.0, 1.0, 5.0, 1.0), (1.0, 1.0, 9.0, 1.0), (1.0, 4.0, 1.0, 1.0)]
#: The true probabilities the visible check compares decisions on.
Q_GRID = np.linspace(0.0005, 0.9995, 20_000)


def check_deployment_threshold(deployment_threshold):
    """deployment_threshold(train_fn, train_fp, c_fn, c_fp) -> t on p*(q) equivalent to the Bayes decision."""
    thresholds_hold(deployment_threshold, THRESHOLD_CASES)
    passed("deployment_threshold: thresholding the trained model there makes the Bayes decisions of the new costs "
           f"(on {len(Q_GRID):,} true probabilities)")


def deployment_of(deployment_threshold, a, b, c_fn, c_fp, case):
    with task("deployment_threshold"):
        t = check_scalar(f"deployment_threshold ({case})", deployment_threshold(a, b, c_fn, c_fp))
    if not 0 < t < 1:
        fail(f"deployment_threshold ({case}): your threshold is not in (0, 1). Which values can the model's "
             "output take?")
    return t


def thresholds_hold(deployment_threshold, cases):
    """Fail unless the student's threshold decides like the Bayes rule on every q of the grid, on each case."""
    for a, b, c_fn, c_fp in cases:
        case = f"train_fn={a:g}, train_fp={b:g}, c_fn={c_fn:g}, c_fp={c_fp:g}"
        t = deployment_of(deployment_threshold, a, b, c_fn, c_fp, case)
        output = a * Q_GRID / (a * Q_GRID + b * (1 - Q_GRID))            # the trained model's p*(q)
        bayes = Q_GRID * c_fn > (1 - Q_GRID) * c_fp                     # predict positive: expected cost lower
        disagree = (output > t) != bayes
        if disagree.any():
            side = "too rarely" if (bayes & ~(output > t)).any() else "too often"
            fail(f"deployment_threshold ({case}): on {int(disagree.sum())} of {len(Q_GRID):,} true probabilities q "
                 f"your threshold predicts positive {side} compared with the Bayes decision of the deployment "
                 "costs. Which costs produced the model's outputs, and which costs decide?")


# ---------------------------------------------------------------- task 3: debug the bias training
BIAS_CASES = [(9, 1, 1.0, 1.0, 0.1, 300), (9, 1, 2000.0, 100.0, 0.1, 500), (2, 8, 1.0, 3.0, 0.1, 300)]
#: Adam moves a parameter by at most about 3.2 lr per step (lr (1 - beta1) / sqrt(1 - beta2) with the defaults).
ADAM_STEP_BOUND = 3.2


def bias_history(train_bias, args, name):
    """The student's history for ``args`` as a 1-d float array, failing on warnings and malformed output."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with task(name):
            history = train_bias(*args)
    if any("requires_grad" in str(w.message) for w in caught):
        fail(f"{name}: your function warns 'Converting a tensor with requires_grad=True to a scalar'. Which tensor "
             "does it convert, and does the number you record need its graph?")
    try:
        history = np.asarray(history, dtype=float)
    except (TypeError, ValueError):
        fail(f"{name}: expected a list of probabilities (one per step), got {type(history).__name__}")
    if history.ndim != 1 or len(history) == 0:
        fail(f"{name}: expected a 1-d list of probabilities, one per step, got shape {history.shape}")
    return history


def check_train_bias(train_bias):
    """Every entry of the history: a probability, one Adam step from the last; the first step of size lr in the
    direction that lowers RWWCE; the last at lecture 07's optimum; the defaults converge."""
    histories_hold(train_bias, BIAS_CASES)
    history = bias_history(train_bias, (9, 1, 2000.0, 100.0), "train_bias(9, 1, 2000.0, 100.0) with its defaults")
    if abs(history[-1] - lecture_p_star(9, 1, 2000.0, 100.0)) > 1e-3:
        fail("train_bias(9, 1, 2000.0, 100.0) with its default lr and steps ends away from the optimum. How far must "
             "the bias travel, and how far can Adam move it in the default number of steps?")
    passed("train_bias: every step an Adam step, the first one downhill, the last at the analytic RWWCE optimum")


def histories_hold(train_bias, cases):
    """Fail unless the history is a plausible Adam run to the optimum on each (n1, n0, c_fn, c_fp, lr, steps)."""
    for n1, n0, c_fn, c_fp, lr, steps in cases:
        case = f"n1={n1}, n0={n0}, c_fn={c_fn:g}, c_fp={c_fp:g}, lr={lr}, steps={steps}"
        history = bias_history(train_bias, (n1, n0, c_fn, c_fp, lr, steps), f"train_bias({case})")
        if len(history) != steps:
            fail(f"train_bias({case}): expected one probability per Adam step ({steps}), got {len(history)}. Do you "
                 "record after every step, and train for the number of steps you are given?")
        if not np.all((history > 0) & (history < 1)):
            fail(f"train_bias({case}): some entries are not probabilities strictly between 0 and 1")
        logits = np.log(history) - np.log1p(-history)
        steps_taken = np.abs(np.diff(np.r_[0.0, logits]))
        resolved = np.r_[True, (history > 1e-5) & (history < 1 - 1e-5)]   # float32 cannot resolve a logit beyond
        too_far = (steps_taken > ADAM_STEP_BOUND * lr + 1e-4) & resolved[:-1] & resolved[1:]
        if too_far.any():
            i = int(np.argmax(too_far))
            fail(f"train_bias({case}): between entries {i - 1} and {i} (entry -1 is the start, bias 0) the bias "
                 "jumps further than any Adam step of this learning rate can. Is every entry the result of one "
                 "optimiser step?")
        downhill = np.sign(c_fn * n1 - c_fp * n0)
        if not np.isclose(logits[0], lr * downhill, atol=1e-5):
            fail(f"train_bias({case}): the first Adam step from bias 0 does not move the bias by lr in the direction "
                 "that lowers RWWCE for these costs. At bias 0, which of the two costs' terms pulls harder, and in "
                 "which direction did your first step go?")
        if abs(history[-1] - lecture_p_star(n1, n0, c_fn, c_fp)) > 1e-3:
            fail(f"train_bias({case}): the last probability is not lecture 07's analytic RWWCE optimum. The first "
                 "step went the right way: what in your loop makes later steps differ from Adam's steps on this "
                 "loss?")


# ---------------------------------------------------------------- task 4: predict three changes to the fit
CHANGES = ("every row stored twice", "weights divided by their mean", "positives copied 20 times, weight 1")
SCALING_KEYS = tuple(f"{change}: {quantity}" for change in CHANGES for quantity in ("naive se", "bootstrap se"))
SCALING_CHOICES = ("smaller", "about the same", "larger")


def _data(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(-2.0 + 1.5 * x)))).astype(float)
    return np.c_[np.ones(n), x], y


def _standard_errors(X, y, w, seed, n_boot):
    """The slope's naive standard error and its bootstrap standard error over the rows given."""
    from wloss.stats import logistic_standard_errors, weighted_logistic_regression

    fit = weighted_logistic_regression(X, y, w)
    rows = np.random.default_rng(seed).integers(0, len(y), size=(n_boot, len(y)))
    boot = np.std([weighted_logistic_regression(X[i], y[i], w[i])[1] for i in rows], ddof=1)
    return logistic_standard_errors(X, y, fit, w)["naive"][1], boot


def weights_experiment(seed=7, n=400, n_boot=300):
    """Task 4's experiment: for each change to lecture 07's fit (weights 20 and 1), the factor by which the naive
    and the bootstrap standard error of the slope change, and the word for it."""
    X, y = _data(n, seed)
    w = np.where(y == 1, 20.0, 1.0)
    copies = np.repeat(np.arange(n), w.astype(int))
    base = _standard_errors(X, y, w, [seed, 1], n_boot)
    changed = {CHANGES[0]: _standard_errors(np.r_[X, X], np.r_[y, y], np.r_[w, w], [seed, 2], n_boot),
               CHANGES[1]: _standard_errors(X, y, w / w.mean(), [seed, 1], n_boot),
               CHANGES[2]: _standard_errors(X[copies], y[copies], np.ones(len(copies)), [seed, 3], n_boot)}
    result = {}
    for change, values in changed.items():
        for quantity, value, before in zip(("naive se", "bootstrap se"), values, base):
            factor = float(value / before)
            word = "smaller" if factor < 0.9 else "larger" if factor > 1.1 else "about the same"
            result[f"{change}: {quantity}"] = {"factor": factor, "outcome": word}
    return result


def check_weights_prediction(weights_prediction, weights_reason):
    """The visible part: a word for each of the six standard errors and a one-line reason, recorded (graded in
    the hidden part)."""
    check_recorded_prediction("weights_prediction", weights_prediction, SCALING_KEYS, SCALING_CHOICES,
                              "weights_reason", weights_reason,
                              "in one sentence, what does each estimate count as one observation?")


# ---------------------------------------------------------------- task 6 (open): the threshold theorem on data
OPEN_REPORT_KEYS = ("data", "agreement", "why they differ")
OPEN_SIZES = (2000, 20_000)                    # training on open_draw(2000, rng 0), testing on open_draw(20000, rng 1)


def _open_sample(open_draw, n, seed):
    with task("open_draw"):
        X, y, q = open_draw(n, np.random.default_rng(seed))
    X = np.asarray(X, dtype=float).reshape(n, -1)
    y, q = np.asarray(y, dtype=float), np.asarray(q, dtype=float)
    if y.shape != (n,) or q.shape != (n,):
        fail(f"open_draw({n}, rng): expected X with {n} rows, y and q of shape ({n},), got {y.shape} and {q.shape}")
    if not (np.all((q > 0) & (q < 1)) and np.all((y == 0) | (y == 1))):
        fail("open_draw: q must be probabilities strictly between 0 and 1, y labels 0 or 1")
    if abs(y.mean() - q.mean()) > 5 * np.sqrt(q.mean() * (1 - q.mean()) / n) + 1e-9:
        fail("open_draw: the labels' mean is far from the mean of q. Are the labels drawn with probability q?")
    return X, y, q


def open_agreement_of(open_draw, c_fn, c_fp):
    """The share of test inputs on which the weighted logistic regression at 0.5 takes the Bayes decision of q."""
    from wloss.stats import weighted_logistic_regression

    X, y, _ = _open_sample(open_draw, OPEN_SIZES[0], 0)
    fit = weighted_logistic_regression(np.c_[np.ones(len(y)), X], y, np.where(y == 1, c_fn, c_fp))
    X_test, _, q_test = _open_sample(open_draw, OPEN_SIZES[1], 1)
    z = np.c_[np.ones(len(q_test)), X_test] @ fit
    return float(np.mean((z > 0) == (q_test * c_fn > (1 - q_test) * c_fp)))


def check_open_threshold_theorem(open_draw, open_costs, open_agreement, open_report):
    """Data of the student's own: the agreement between the weighted model at 0.5 and the Bayes decisions of the
    true q is recomputed from ``open_draw`` and must match the number reported."""
    try:
        c_fn, c_fp = (float(c) for c in open_costs)
    except (TypeError, ValueError):
        fail("open_costs: expected a pair (c_fn, c_fp) of numbers")
    if not (c_fn > 0 and c_fp > 0 and c_fn != c_fp):
        fail("open_costs: two positive costs that differ")
    agreement = check_scalar("open_agreement", open_agreement)
    measured = open_agreement_of(open_draw, c_fn, c_fp)
    if abs(measured - agreement) > 0.01:
        fail("open_agreement: the check trains on open_draw(2000, default_rng(0)) and tests on "
             "open_draw(20000, default_rng(1)) and does not find your number. Did you use these samples and the "
             "weighted fit of lecture 07?")
    check_report("open_report", open_report, OPEN_REPORT_KEYS)
    passed("open threshold theorem: your agreement is reproduced from your data, and the report is written")
