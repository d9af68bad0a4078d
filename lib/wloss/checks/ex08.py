"""Checks for exercise 08 (replicating the RWWCE paper).

Every check recomputes from what the student produced (a function run on its own cases, or the
student's per-run table and costs) and never prints the answer of the task it grades.
"""
import numpy as np
from scipy import stats

from wloss.checks import check_scalar, check_true, fail, passed, task
from wloss.metrics import bayes_threshold, real_world_cost


# ---------------------------------------------------------------- task 1: debug cost_from_confusion
def _cost_cases(hidden=False):
    rng = np.random.default_rng(18 if hidden else 8)
    fp = np.zeros((3, 3))
    fp[0, 2] = 19.0
    fp_asym = np.array([[0.0, 5.0, 1.0], [0.5, 0.0, 7.0], [2.0, 0.0, 0.0]])
    if hidden:
        return [("4 classes, random costs", rng.integers(0, 30, (4, 4)), rng.uniform(0, 3, 4),
                 rng.uniform(0, 10, (4, 4)))]
    return [
        ("binary, c_fn 2000, c_fp 100", np.array([[900, 12], [5, 83]]), np.array([0.0, 2000.0]),
         np.array([[0.0, 100.0], [0.0, 0.0]])),
        ("3 classes, FP 19 on (true 0, predicted 2)", rng.integers(0, 40, (3, 3)), np.ones(3), fp),
        ("3 classes, asymmetric FP costs", rng.integers(0, 40, (3, 3)), np.array([1.0, 2.0, 3.0]), fp_asym),
    ]


def _labels_from_counts(counts):
    """y_true, y_pred with confusion matrix ``counts``."""
    pairs = [(i, j) for i in range(len(counts)) for j in range(len(counts)) for _ in range(int(counts[i, j]))]
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def check_cost_from_confusion(cost_from_confusion, hidden=False):
    for case, counts, fn, fp in _cost_cases(hidden):
        with task("cost_from_confusion"):
            got = check_scalar(f"cost_from_confusion ({case})", cost_from_confusion(counts, fn, fp))
        y_true, y_pred = _labels_from_counts(counts)
        expected = real_world_cost(y_true, y_pred, fn_cost=fn, fp_cost=fp)
        off = 1 - np.eye(len(counts))
        n = counts.sum()
        suspects = [
            ((counts * (fn[:, None] + fp.T)).sum() / n, "the diagonal (correct predictions) is charged, and the FP "
             "matrix is read transposed: fp_cost[i, j] is the cost of predicting j when the truth is i"),
            ((counts * (fn[:, None] + fp.T) * off).sum() / n, "the FP matrix is read transposed: fp_cost[i, j] is "
             "the cost of predicting j when the truth is i, the same orientation as counts[i, j]"),
            ((counts * (fn[:, None] + fp)).sum() / n, "correct predictions (the diagonal) cost nothing, but you "
             "charged fn[i] on them"),
            ((counts * (fn[:, None] + fp) * off).sum(), "that is the TOTAL cost; divide by the number of test examples"),
            ((counts * fp * off).sum() / n, "each mistake also costs the false-negative part fn[i] of its true class"),
        ]
        if not np.isclose(got, expected, rtol=1e-9):
            for value, hint in suspects:
                if np.isclose(got, value, rtol=1e-9):
                    fail(f"cost_from_confusion ({case}): {hint}")
            fail(f"cost_from_confusion ({case}): wrong value; compare with real_world_cost on the same labels")
    passed("cost_from_confusion: every mistake costs fn[true] + fp[true, predicted], averaged over all examples"
           + (" (hidden case)" if hidden else ""))


# ---------------------------------------------------------------- task 2: the per-digit (clustered) test
def example_per_run(seed=0, runs=40, shuffle=True):
    """A made-up Table I-like per-run table (columns run, digit, method, cost), rows shuffled."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    digits = np.arange(runs) % 10
    digit_effect = rng.normal(0.15, 0.3, 10)[digits]
    control = rng.gamma(6.0, 0.5, runs)
    rwwce = control - digit_effect - rng.normal(0, 0.2, runs)
    frame = pd.DataFrame({"run": np.r_[np.arange(runs), np.arange(runs)], "digit": np.r_[digits, digits],
                          "method": ["control@Bayes"] * runs + ["rwwce@0.5"] * runs, "cost": np.r_[control, rwwce]})
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True) if shuffle else frame


def _expected_digit_test(frame, control, method):
    wide = frame.pivot(index="run", columns="method", values="cost")
    digit = frame.groupby("run")["digit"].first()
    means = (wide[control] - wide[method]).groupby(digit).mean()
    result = stats.ttest_1samp(means.to_numpy(), 0.0)
    return float(result.statistic), float(result.pvalue), wide, digit


def check_digit_level_test(digit_level_test, hidden=False):
    seeds = [5, 6] if hidden else [0, 1, 2]
    for seed in seeds:
        frame = example_per_run(seed)
        case = f"made-up table {seed} ({frame['run'].nunique()} runs, rows in random order)"
        with task("digit_level_test"):
            got = digit_level_test(frame.copy(), "control@Bayes", "rwwce@0.5")
        check_true(isinstance(got, tuple) and len(got) == 2,
                   f"digit_level_test: expected a tuple (t, p), got {type(got).__name__}")
        t, p = check_scalar("t", got[0]), check_scalar("p", got[1])
        t_exp, p_exp, wide, digit = _expected_digit_test(frame, "control@Bayes", "rwwce@0.5")
        runs_t = stats.ttest_rel(wide["control@Bayes"], wide["rwwce@0.5"])
        if np.isclose(t, runs_t.statistic) or np.isclose(p, runs_t.pvalue):
            fail(f"digit_level_test ({case}): you tested the runs as if they were independent; runs of one digit "
                 "share their negatives - average within each digit first, then test over digits")
        if np.isclose(t, -t_exp):
            fail(f"digit_level_test ({case}): t has the wrong sign; use control - method")
        if not np.isclose(t, t_exp, rtol=1e-6):
            fail(f"digit_level_test ({case}): t does not match the paired test over digit means. Are the two "
                 "methods' rows paired by run (the rows are not in order)? Sample standard deviation (ddof = 1)?")
        if np.isclose(p, p_exp / 2):
            fail(f"digit_level_test ({case}): p is one-sided; the question 'do they differ?' is two-sided")
        if not np.isclose(p, p_exp, rtol=1e-6, atol=1e-12):
            fail(f"digit_level_test ({case}): t is right but p is not its two-sided p-value. With one mean per "
                 "digit, how many degrees of freedom does the t distribution have?")
    passed("digit_level_test: paired by run, averaged per digit, two-sided t-test over the digits"
           + (" (hidden cases)" if hidden else ""))


# ---------------------------------------------------------------- task 3: predict the effect of scaling costs
def scaling_outcome(per_run_base, per_run_scaled):
    """(same RWWCE decisions in every run?, mean RWWCE cost ratio scaled / base) from two per-run tables."""
    a = per_run_base[per_run_base["method"] == "rwwce@0.5"].sort_values("run")
    b = per_run_scaled[per_run_scaled["method"] == "rwwce@0.5"].sort_values("run")
    same = bool(len(a) == len(b) and np.array_equal(a[["fn", "fp"]].to_numpy(), b[["fn", "fp"]].to_numpy()))
    return same, float(b["cost"].mean() / a["cost"].mean())


def check_scaling_prediction(predicted_same_decisions, predicted_cost_factor, per_run_base, per_run_scaled):
    if not isinstance(predicted_same_decisions, (bool, np.bool_)):
        fail("predicted_same_decisions: expected True or False")
    with task("predicted_cost_factor"):
        factor = check_scalar("predicted_cost_factor", predicted_cost_factor)
    for name, frame in [("per_run_base", per_run_base), ("per_run_scaled", per_run_scaled)]:
        check_true(hasattr(frame, "columns") and {"run", "method", "fn", "fp", "cost"} <= set(frame.columns),
                   f"{name}: expected the per-run table of replicate.run_table1 - run the experiment cell unchanged")
    same, measured = scaling_outcome(per_run_base, per_run_scaled)
    problems = []
    if bool(predicted_same_decisions) != same:
        problems.append("whether RWWCE's decisions change: Adam divides each step by a running estimate of the "
                        "gradient's size, so what does a constant factor in the loss do to the steps?")
    if not np.isclose(factor, measured, rtol=0.02):
        problems.append("the cost factor: the Real World Cost is (FN c_fn + FP c_fp) / N - with the same FN and FP, "
                        "how does it scale with the costs?")
    if problems:
        fail("Your prediction differs from the experiment on " + "; and on ".join(problems))
    passed("predictions match the experiment: under Adam, multiplying both costs rescales the loss and the "
           "reported cost, not the model")


# ---------------------------------------------------------------- task 5 (open): a new cost scenario
def _is_frame(x):
    return hasattr(x, "columns") and hasattr(x, "groupby")


def check_new_scenario(per_run, fn_cost, fp_cost, scenario_costs):
    """Recompute everything from the student's per-run table and the student's costs."""
    with task("fn_cost"):
        fn_cost = check_scalar("fn_cost", fn_cost)
    with task("fp_cost"):
        fp_cost = check_scalar("fp_cost", fp_cost)
    check_true(fn_cost > 0 and fp_cost > 0, "fn_cost, fp_cost: costs are positive numbers")
    check_true(not np.isclose(fn_cost / fp_cost, 20.0),
               "fn_cost / fp_cost: choose a scenario other than the paper's 20 : 1")
    check_true(_is_frame(per_run), f"per_run: expected the per-run DataFrame of replicate.run_table1, got "
               f"{type(per_run).__name__}")
    needed = {"run", "method", "fn", "fp", "n_test", "cost", "threshold"}
    missing = needed - set(per_run.columns)
    check_true(not missing, f"per_run: columns {sorted(missing)} are missing - pass the table run_table1 returned, "
               "not a summary")
    methods = set(per_run["method"])
    check_true({"control@0.5", "rwwce@0.5", "control@Bayes"} <= methods,
               f"per_run: expected the Table I methods, got {sorted(map(str, methods))}")
    runs = per_run.groupby("method")["run"].apply(lambda r: tuple(sorted(r)))
    check_true(runs.nunique() == 1 and len(runs.iloc[0]) >= 2,
               "per_run: every method must be evaluated on the same runs (at least 2) - a paired design")
    check_true(per_run["run"].nunique() < 100,
               "per_run: that is the full paper run; run your own scenario at reduced scale")
    recomputed = (per_run["fn"].to_numpy(float) * fn_cost + per_run["fp"].to_numpy(float) * fp_cost) \
        / per_run["n_test"].to_numpy(float)
    if not np.allclose(recomputed, per_run["cost"].to_numpy(float), rtol=1e-9):
        fail("per_run: its cost column was not computed with YOUR fn_cost and fp_cost - pass fn_cost=..., "
             "fp_cost=... to run_table1 (its defaults are the paper's costs)")
    bayes_rows = per_run[per_run["method"] == "control@Bayes"]["threshold"].to_numpy(float)
    check_true(np.allclose(bayes_rows, bayes_threshold(fn_cost, fp_cost)),
               "per_run: the Bayes control did not use your costs' threshold - pass your costs to run_table1")
    means = per_run.groupby("method")["cost"].mean()
    try:
        student = {str(k): float(v) for k, v in dict(scenario_costs).items()}
    except (TypeError, ValueError):
        fail("scenario_costs: expected the mean cost per method (a pandas Series or a dict method -> number)")
    for method in ("control@0.5", "control@Bayes", "rwwce@0.5"):
        check_true(method in student, f"scenario_costs: no mean cost for {method}")
        check_true(np.isclose(student[method], means[method], rtol=1e-6),
                   f"scenario_costs[{method!r}]: not the mean over your runs of the per-run cost")
    passed(f"new scenario c_fn = {fn_cost:g}, c_fp = {fp_cost:g}: costs recomputed from your "
           f"{per_run['run'].nunique()} paired runs with your costs")
