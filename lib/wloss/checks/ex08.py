"""Checks for exercise 08 (replicating the RWWCE paper).

Every check recomputes from what the student produced (a function run on its own cases, or the student's
per-run table and costs) and never prints the answer of the task it grades. The instructor's hidden cases
are not here: ``wloss_grading.ex08`` calls the same case runners (``costs_hold``, ``flip_test_holds``) on
inputs the student never sees, and grades the prediction of task 3 against the experiment.
"""
import numpy as np

from wloss.checks import (check_array, check_recorded_prediction, check_scalar, check_true, fail,
                          library_blocked, passed, task)
from wloss.decisions import bayes_threshold, real_world_cost

# ---------------------------------------------------------------- task 1: debug cost_from_confusion
#: The library's own Real World Cost, blocked while the student's function runs.
COST_FUNCTIONS = ("wloss.decisions.real_world_cost",)

#: (case, counts[true, predicted], fn_cost (K,), fp_cost (K, K)) the visible check tries.
VISIBLE_COST_CASES = [
    ("binary, c_fn 2000, c_fp 100", np.array([[900, 12], [5, 83]]), np.array([0.0, 2000.0]),
     np.array([[0.0, 100.0], [0.0, 0.0]])),
    ("3 classes, asymmetric costs", np.array([[30, 2, 7], [4, 25, 1], [6, 3, 22]]), np.array([1.0, 2.0, 3.0]),
     np.array([[0.0, 5.0, 1.0], [0.5, 0.0, 7.0], [2.0, 0.0, 0.0]])),
]


def _labels_from_counts(counts):
    """y_true, y_pred whose confusion matrix is ``counts``."""
    counts = np.asarray(counts, dtype=int)
    k = len(counts)
    cells = [(i, j) for i in range(k) for j in range(k)]
    repeats = [counts[i, j] for i, j in cells]
    pairs = np.repeat(np.array(cells, dtype=int).reshape(-1, 2), repeats, axis=0)
    return pairs[:, 0], pairs[:, 1]


def _student_cost(cost_from_confusion, case, counts, fn, fp):
    with task("cost_from_confusion"), library_blocked("cost_from_confusion", *COST_FUNCTIONS):
        got = cost_from_confusion(np.array(counts), np.array(fn, dtype=float), np.array(fp, dtype=float))
    return check_scalar(f"cost_from_confusion ({case})", got)


def _counted_cost(counts, fn, fp):
    y_true, y_pred = _labels_from_counts(counts)
    return real_world_cost(y_true, y_pred, fn_cost=fn, fp_cost=fp)


def costs_hold(cost_from_confusion, cases):
    """Fail unless ``cost_from_confusion`` gives the Real World Cost on each (case, counts, fn, fp) of ``cases``.

    Each case is tried as given and through three smaller inputs that isolate one property: a classifier that
    makes no mistake, one mistake per off-diagonal cell, and every count doubled. The value is compared with
    the cost counted example by example (``real_world_cost`` on labels built from the counts).
    """
    for case, counts, fn, fp in cases:
        counts, fn, fp = np.asarray(counts), np.asarray(fn, dtype=float), np.asarray(fp, dtype=float)
        k = len(counts)
        perfect = np.diag(np.maximum(np.diag(counts), 1))
        got = _student_cost(cost_from_confusion, f"{case}, no mistakes", perfect, fn, fp)
        if abs(got) > 1e-9:
            fail(f"cost_from_confusion ({case}, a classifier that makes no mistake): your cost is not zero. "
                 "Which cells of counts are mistakes, and which entries of fn_cost and fp_cost may a correct "
                 "prediction be charged?")
        whole = _student_cost(cost_from_confusion, case, counts, fn, fp)
        doubled = _student_cost(cost_from_confusion, f"{case}, every count doubled", 2 * counts, fn, fp)
        if not np.isclose(whole, doubled, rtol=1e-9, atol=1e-12):
            fail(f"cost_from_confusion ({case}): doubling every count changes your cost. The same classifier on "
                 "twice as many examples: should its Real World Cost change?")
        for i in range(k):
            for j in range(k):
                if i == j:
                    continue
                one = perfect.copy()
                one[i, j] = 1
                where = f"{case}, one example of true class {i} predicted as {j}, the rest right"
                got = _student_cost(cost_from_confusion, where, one, fn, fp)
                wanted = _counted_cost(one, fn, fp)
                if not np.isclose(got, wanted, rtol=1e-9, atol=1e-12):
                    fail(f"cost_from_confusion ({where}): your cost is not what this one mistake costs, shared over "
                         f"the {int(one.sum())} examples. Which entry of fn_cost and which entry of fp_cost price "
                         f"predicting {j} when the truth is {i}?")
        if not np.isclose(whole, _counted_cost(counts, fn, fp), rtol=1e-9, atol=1e-12):
            fail(f"cost_from_confusion ({case}): your cost is not the mean cost per example counted one example at "
                 "a time. Which mistakes does it charge, and with which entries?")


def check_cost_from_confusion(cost_from_confusion):
    """Every mistake costs fn[true] + fp[true, predicted], averaged over all examples (no library call)."""
    costs_hold(cost_from_confusion, VISIBLE_COST_CASES)
    passed("cost_from_confusion: zero without mistakes, every single mistake priced, a mean over the examples")


# ---------------------------------------------------------------- task 2: a sign-flip test over clusters
#: The library's clustered tests and SciPy's permutation test, blocked while the student's function runs.
FLIP_FUNCTIONS = ("wloss.stats.clustered_paired_t", "wloss.stats.cluster_bootstrap_means",
                  "scipy.stats.permutation_test")


def example_per_run(seed=0, runs_per_digit=(4, 4, 4, 4), digits=None, favour=0.15, shuffle=True):
    """A made-up per-run table (columns run, digit, method, cost) for two methods, rows in random order.

    ``runs_per_digit`` gives how many runs each digit (cluster) has, unequal sizes allowed; ``digits`` their
    labels (default 0, 1, ...); ``favour`` the mean amount by which "rwwce@0.5" is cheaper.
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    digits = list(range(len(runs_per_digit))) if digits is None else list(digits)
    digit_of_run = np.repeat(digits, runs_per_digit)
    runs = len(digit_of_run)
    effect = dict(zip(digits, rng.normal(favour, 0.3, len(digits))))
    control = rng.gamma(6.0, 0.5, runs)
    rwwce = control - np.array([effect[d] for d in digit_of_run]) - rng.normal(0, 0.2, runs)
    frame = pd.DataFrame({"run": np.r_[np.arange(runs), np.arange(runs)], "digit": np.r_[digit_of_run, digit_of_run],
                          "method": ["control@Bayes"] * runs + ["rwwce@0.5"] * runs, "cost": np.r_[control, rwwce]})
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True) if shuffle else frame


#: (case, table) the visible check tries.
def visible_flip_cases():
    return [("made-up table, 4 digits of 4 runs", example_per_run(0)),
            ("made-up table, 5 digits of 1 to 6 runs", example_per_run(1, runs_per_digit=(1, 6, 3, 2, 5)))]


def _student_flip(flip_test, case, frame, control="control@Bayes", method="rwwce@0.5"):
    with task("cluster_flip_test"), library_blocked("cluster_flip_test", *FLIP_FUNCTIONS):
        got = flip_test(frame.copy(), control, method)
    check_true(isinstance(got, tuple) and len(got) == 2,
               f"cluster_flip_test ({case}): expected a tuple (gap, p), got {type(got).__name__}")
    gap = check_scalar(f"cluster_flip_test ({case}): gap", got[0])
    p = check_scalar(f"cluster_flip_test ({case}): p", got[1])
    return gap, p


def _with_digit_copied(frame, digit):
    """``frame`` with every run of ``digit`` present twice (the copies under new run numbers)."""
    import pandas as pd

    copy = frame[frame["digit"] == digit].copy()
    copy["run"] = copy["run"] + int(frame["run"].max()) + 1
    return pd.concat([frame, copy], ignore_index=True)


def _all_favouring(frame):
    """``frame`` with the method cheaper than the control in every run by an amount that varies by digit."""
    out = frame.copy()
    rwwce = out["method"] == "rwwce@0.5"
    out.loc[rwwce, "cost"] = out.loc[rwwce, "cost"] - 10.0 - out.loc[rwwce, "digit"].astype(float)
    return out


def flip_test_holds(flip_test, cases):
    """Fail unless ``flip_test`` behaves as the sign-flip test over digits on each (case, table) of ``cases``.

    Properties only, no reference: the rows' order does not matter, swapping the two methods flips the gap's
    sign and keeps p, copying every run of one digit changes nothing (each digit counts once), p is a share of
    the 2^D sign patterns of D digits, and when every digit favours the method p is the smallest share possible.
    """
    for case, frame in cases:
        gap, p = _student_flip(flip_test, case, frame)
        digits = frame["digit"].nunique()
        check_true(0 < p <= 1, f"cluster_flip_test ({case}): p = {p:g} is not a share of sign patterns in (0, 1]. "
                               "Does the pattern you observed count among the patterns at least as extreme?")
        shuffled = frame.sample(frac=1.0, random_state=99).reset_index(drop=True)
        gap2, p2 = _student_flip(flip_test, f"{case}, rows shuffled", shuffled)
        check_true(np.isclose(gap, gap2, rtol=1e-9, atol=1e-12) and np.isclose(p, p2, rtol=1e-9, atol=1e-12),
                   f"cluster_flip_test ({case}): the result changes when the rows are shuffled. How do you find, "
                   "for each run, the control's cost and the method's cost of that same run?")
        gap3, p3 = _student_flip(flip_test, f"{case}, the methods swapped", frame, "rwwce@0.5", "control@Bayes")
        check_true(np.isclose(gap3, -gap, rtol=1e-9, atol=1e-12),
                   f"cluster_flip_test ({case}): swapping control and method does not turn the gap into minus "
                   "itself. Which difference is positive when the method is cheaper?")
        check_true(np.isclose(p3, p, rtol=1e-9, atol=1e-12),
                   f"cluster_flip_test ({case}): swapping control and method changes p. The question 'do they "
                   "differ?' has no direction: which patterns count as at least as extreme?")
        largest = frame.groupby("digit")["run"].nunique().idxmax()
        copied = _with_digit_copied(frame, largest)
        gap4, p4 = _student_flip(flip_test, f"{case}, the runs of digit {largest} present twice", copied)
        check_true(np.isclose(gap4, gap, rtol=1e-9, atol=1e-12) and np.isclose(p4, p, rtol=1e-9, atol=1e-12),
                   f"cluster_flip_test ({case}): copying every run of digit {largest} changes your result. Copies "
                   "add no evidence: what is the unit whose sign you flip, and how much does each unit count in "
                   "the gap?")
        patterns = 2.0 ** digits
        check_true(np.isclose(p * patterns, round(p * patterns), atol=1e-6),
                   f"cluster_flip_test ({case}): p times 2^{digits} is not a whole number, so p is not a share of "
                   f"the sign patterns of the {digits} digits. Do you enumerate every pattern, once each?")
        favouring = _all_favouring(frame)
        gap5, p5 = _student_flip(flip_test, f"{case}, the method cheaper in every run", favouring)
        check_true(gap5 > 0, f"cluster_flip_test ({case}, the method cheaper in every run): the gap is not "
                             "positive. Which difference is positive when the method is cheaper?")
        check_true(p5 <= p + 1e-12,
                   f"cluster_flip_test ({case}, the method cheaper in every run): p is larger than on the table "
                   "itself, where the digits agree less. Which sign patterns are at least as extreme as one in "
                   "which every digit agrees?")
        check_true(np.isclose(p5 * patterns, 2.0, atol=1e-6),
                   f"cluster_flip_test ({case}, the method cheaper in every run): when every digit favours the "
                   "method, p is not the smallest share your D digits allow. How many of the 2^D patterns are at "
                   "least as extreme as the one observed, counting both directions?")


def check_cluster_flip_test(cluster_flip_test):
    """The sign-flip test over digits, by its properties (row order, direction, copies, granularity)."""
    flip_test_holds(cluster_flip_test, visible_flip_cases())
    passed("cluster_flip_test: rows paired by run, each digit one unit, both directions, every sign pattern counted")


# ---------------------------------------------------------------- task 3: predict the effect of scaling costs
#: The keys of task 3's prediction and the answers each can take.
SCALING_KEYS = ("RWWCE's false negatives and false positives", "RWWCE's mean Real World Cost")
SCALING_CHOICES = {SCALING_KEYS[0]: ("about the same in every run", "clearly different"),
                   SCALING_KEYS[1]: ("about the same", "about 10 times", "about 100 times", "something else")}
ALL_SCALING_CHOICES = tuple(c for key in SCALING_KEYS for c in SCALING_CHOICES[key])
#: Two runs' decisions count as "about the same" when FN + FP move by at most this many examples or this share.
SAME_WITHIN_EXAMPLES, SAME_WITHIN_SHARE = 5, 0.05


def _rwwce_rows(frame):
    return frame[frame["method"] == "rwwce@0.5"].sort_values("run")


def scaling_outcome(per_run_base, per_run_scaled):
    """What the experiment of task 3 shows, as {key: choice}, with tolerances no CPU's rounding crosses.

    Decisions are "about the same" when, in every run, |dFN| + |dFP| is at most ``SAME_WITHIN_EXAMPLES`` or
    ``SAME_WITHIN_SHARE`` of the base run's FN + FP; the mean cost's ratio is "about the same" within 0.8-1.25,
    "about 10 times" within 8-12.5, "about 100 times" within 80-125.
    """
    a, b = _rwwce_rows(per_run_base), _rwwce_rows(per_run_scaled)
    same = len(a) == len(b) and list(a["run"]) == list(b["run"])
    if same:
        moved = np.abs(a["fn"].to_numpy() - b["fn"].to_numpy()) + np.abs(a["fp"].to_numpy() - b["fp"].to_numpy())
        allowed = np.maximum(SAME_WITHIN_EXAMPLES, SAME_WITHIN_SHARE * (a["fn"].to_numpy() + a["fp"].to_numpy()))
        same = bool(np.all(moved <= allowed))
    ratio = float(b["cost"].mean() / a["cost"].mean())
    factor = ("about the same" if 0.8 <= ratio <= 1.25 else "about 10 times" if 8 <= ratio <= 12.5
              else "about 100 times" if 80 <= ratio <= 125 else "something else")
    return {SCALING_KEYS[0]: "about the same in every run" if same else "clearly different", SCALING_KEYS[1]: factor}


def check_scaling_prediction(scaling_prediction, scaling_reason):
    """Task 3, visible part: two answers and a one-line reason recorded and well formed (never graded here)."""
    check_recorded_prediction("scaling_prediction", scaling_prediction, SCALING_KEYS, ALL_SCALING_CHOICES,
                              "scaling_reason", scaling_reason,
                              "in one sentence, what does Adam do with a loss multiplied by a constant?")
    for key in SCALING_KEYS:
        check_true(scaling_prediction[key] in SCALING_CHOICES[key],
                   f"scaling_prediction[{key!r}]: expected one of {list(SCALING_CHOICES[key])}, "
                   f"got {scaling_prediction[key]!r}")


def check_scaling_experiment(scaling_prediction, scaling_reason, per_run_base, per_run_scaled):
    """Task 3 after the experiment, visible part: the prediction as recorded, the two per-run tables of run_table1
    on the same runs (the graded part compares them)."""
    check_recorded_prediction("scaling_prediction", scaling_prediction, SCALING_KEYS, ALL_SCALING_CHOICES,
                              "scaling_reason", scaling_reason, "in one sentence, why?", announce=False)
    for name, frame in [("per_run_base", per_run_base), ("per_run_scaled", per_run_scaled)]:
        check_true(hasattr(frame, "columns") and {"run", "method", "fn", "fp", "cost"} <= set(frame.columns),
                   f"{name}: expected the per-run table of replicate.run_table1 - run the experiment cell unchanged")
    check_true(sorted(_rwwce_rows(per_run_base)["run"]) == sorted(_rwwce_rows(per_run_scaled)["run"]),
               "per_run_base, per_run_scaled: the two tables hold different runs - run the experiment cell unchanged")
    passed("per_run_base, per_run_scaled: the experiment's two per-run tables, on the same runs")


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
    check_true(not per_run.duplicated(["run", "method"]).any(),
               "per_run: some method appears twice in one run. How many rows should one run give each method?")
    runs = per_run.groupby("method")["run"].apply(lambda r: tuple(sorted(r)))
    check_true(runs.nunique() == 1 and len(runs.iloc[0]) >= 2,
               "per_run: every method must be evaluated on the same runs (at least 2) - a paired design")
    check_true(per_run["run"].nunique() < 100,
               "per_run: that is the full paper run; run your own scenario at reduced scale")
    outcomes = {run: tuple(sorted(zip(rows["method"].astype(str), rows["fn"].astype(int), rows["fp"].astype(int))))
                for run, rows in per_run.groupby("run")}
    seen = {}
    for run, outcome in outcomes.items():
        check_true(outcome not in seen,
                   f"per_run: runs {seen.get(outcome)} and {run} make exactly the same mistakes with every method: "
                   "one run counted twice? How many independent runs does your table hold?")
        seen[outcome] = run
    recomputed = (per_run["fn"].to_numpy(float) * fn_cost + per_run["fp"].to_numpy(float) * fp_cost) \
        / per_run["n_test"].to_numpy(float)
    if not np.allclose(recomputed, per_run["cost"].to_numpy(float), rtol=1e-9):
        fail("per_run: its cost column does not follow from its FN, FP and n_test with YOUR fn_cost and fp_cost. "
             "Which costs did run_table1 use when you called it?")
    bayes_rows = per_run[per_run["method"] == "control@Bayes"]["threshold"].to_numpy(float)
    check_true(np.allclose(bayes_rows, bayes_threshold(fn_cost, fp_cost)),
               "per_run: the Bayes control did not use your costs' threshold. Which costs did run_table1 use?")
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
           f"{per_run['run'].nunique()} distinct paired runs with your costs")


__all__ = ["check_cost_from_confusion", "costs_hold", "check_cluster_flip_test", "flip_test_holds",
           "example_per_run", "check_scaling_prediction", "check_scaling_experiment", "scaling_outcome",
           "check_new_scenario", "SCALING_KEYS", "SCALING_CHOICES"]
