"""Checks for exercise 08 (replicating the RWWCE paper)."""
import numpy as np
from scipy.stats import ttest_rel

from wloss.checks import check_close, check_scalar, check_true, passed, task
from wloss.metrics import bayes_threshold, real_world_cost


def _cost_cases():
    rng = np.random.default_rng(8)
    fp = np.zeros((3, 3))
    fp[0, 2] = 19.0
    return [
        ("binary, c_fn 2000, c_fp 100", np.array([[900, 12], [5, 83]]), np.array([0.0, 2000.0]),
         np.array([[0.0, 100.0], [0.0, 0.0]])),
        ("3 classes, FP 19 on (0, 2)", rng.integers(0, 40, (3, 3)), np.ones(3), fp),
        ("no mistakes", np.diag([4, 5, 6]), np.ones(3), fp),
    ]


def _labels_from_counts(counts):
    """y_true, y_pred with confusion matrix ``counts``."""
    pairs = [(i, j) for i in range(len(counts)) for j in range(len(counts)) for _ in range(counts[i, j])]
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def check_cost_from_confusion(cost_from_confusion):
    for case, counts, fn, fp in _cost_cases():
        with task("cost_from_confusion"):
            got = check_scalar(f"cost_from_confusion ({case})", cost_from_confusion(counts, fn, fp))
        y_true, y_pred = _labels_from_counts(counts)
        expected = real_world_cost(y_true, y_pred, fn_cost=fn, fp_cost=fp)
        mistakes = counts * (fn[:, None] + fp) * (1 - np.eye(len(counts)))
        if counts.sum() > np.trace(counts):
            check_true(not np.isclose(got, mistakes.sum()),
                       f"cost_from_confusion ({case}): you returned the TOTAL cost; divide by N = {counts.sum()}")
            check_true(not np.isclose(got, (counts * (fn[:, None] + fp)).sum() / counts.sum()),
                       f"cost_from_confusion ({case}): correct predictions (the diagonal) cost nothing; "
                       "you charged fn[i] on them")
            check_true(not np.isclose(got, (counts * fp).sum() / counts.sum()) or np.isclose(expected, got),
                       f"cost_from_confusion ({case}): you left out the false-negative part fn[i] of each mistake")
        check_close("cost_from_confusion", got, expected, case=case)
    passed("cost_from_confusion: sum over mistakes of fn[i] + fp[i, j], divided by N")


def _paired_runs():
    rng = np.random.default_rng(80)
    control = rng.normal(5.5, 1.5, 25)
    return control, control - rng.normal(1.0, 1.2, 25)


def check_paired_t(paired_t):
    control, rwwce = _paired_runs()
    with task("paired_t"):
        got = paired_t(control, rwwce)
    check_true(isinstance(got, tuple) and len(got) == 2,
               f"paired_t: expected a tuple (t, p), got {type(got).__name__}")
    t, p = check_scalar("t", got[0]), check_scalar("p", got[1])
    expected = ttest_rel(control, rwwce)
    d = control - rwwce
    check_true(not np.isclose(t, d.mean() / (d.std(ddof=0) / np.sqrt(len(d)))),
               "paired_t: t uses the population standard deviation (ddof=0); use ddof=1")
    check_true(not np.isclose(t, -expected.statistic), "paired_t: t has the wrong sign; use control - rwwce")
    check_close("t", t, expected.statistic, rtol=1e-8)
    check_true(not np.isclose(p, expected.pvalue / 2), "paired_t: p is one-sided; the test is two-sided (double it)")
    check_close("p", p, expected.pvalue, rtol=1e-6, atol=1e-12)
    passed(f"paired_t: t = {t:.3f}, p = {p:.2g}, as scipy.stats.ttest_rel")


def check_new_scenario(summary, fn_cost, fp_cost, threshold):
    fn_cost, fp_cost = check_scalar("fn_cost", fn_cost), check_scalar("fp_cost", fp_cost)
    check_true(fn_cost / fp_cost != 20.0, "fn_cost / fp_cost: choose a scenario other than the paper's 20 : 1")
    check_close("threshold", check_scalar("threshold", threshold), bayes_threshold(fn_cost, fp_cost),
                case="Bayes threshold c_fp / (c_fp + c_fn) of YOUR costs")
    check_true(hasattr(summary, "columns") and {"method", "cost", "fn", "fp"} <= set(summary.columns),
               "summary: expected the DataFrame of replicate.summarize(...) with columns method, fn, fp, cost")
    methods = set(summary["method"])
    check_true({"control@0.5", "rwwce@0.5", "control@Bayes"} <= methods,
               f"summary: expected the Table I methods, got {sorted(methods)}")
    rows = summary.set_index("method")
    check_true(rows.loc["rwwce@0.5", "cost"] > 0, "summary: RWWCE's cost is 0; did the run evaluate anything?")
    passed(f"new scenario c_fn = {fn_cost:g}, c_fp = {fp_cost:g}: Bayes threshold {threshold:.3g}, "
           f"RWWCE cost {rows.loc['rwwce@0.5', 'cost']:.3g} vs control {rows.loc['control@0.5', 'cost']:.3g}")


def check_saving(per_run, saving, significant):
    with task("saving"):
        got = check_scalar("saving", saving)
    by_method = per_run.groupby("method")["cost"].mean()
    expected = 1 - by_method["rwwce@0.5"] / by_method["control@0.5"]
    check_true(not np.isclose(got, 100 * expected), "saving: give a fraction (e.g. 0.25), not a percentage")
    check_true(not np.isclose(got, by_method["control@0.5"] - by_method["rwwce@0.5"]),
               "saving: that is the absolute difference; divide by the control's mean cost")
    check_close("saving", got, expected, rtol=1e-6)
    a = per_run[per_run["method"] == "control@0.5"].sort_values("run")["cost"].values
    b = per_run[per_run["method"] == "rwwce@0.5"].sort_values("run")["cost"].values
    truth = bool(ttest_rel(a, b).pvalue < 0.05)
    check_true(isinstance(significant, (bool, np.bool_)), "significant: expected True or False")
    check_true(bool(significant) == truth,
               f"significant: the paired t-test's p is {ttest_rel(a, b).pvalue:.2g}; compare it with 0.05")
    passed(f"saving: RWWCE cuts the mean Real World Cost by {got:.1%}; significant at 5 %: {truth}")
