"""Exercise 08's checks: the right answers pass, plausible wrong answers fail with CheckFailed, never a raw
exception, and no failure message gives the answer away (FORBIDDEN: per check, fragments no message may hold)."""
import itertools
from functools import partial

import numpy as np
import pandas as pd
import pytest

import wloss.decisions
import wloss.stats
from wloss.checks import ex08
from wloss.decisions import bayes_threshold
from wloss_grading import ex08 as hidden_ex08

import check_messages
from check_messages import asks, failure, failure_visible_then_hidden, failure_without_telling


fails = failure
fails_visible_or_hidden = partial(failure_visible_then_hidden, ex08, hidden_ex08)


# ------------------------------------------------------------------ task 1 (debug)
def right_cost(counts, fn, fp):
    """Example by example: each example of true class i predicted as j != i costs fn[i] + fp[i, j]."""
    total = 0.0
    for i in range(len(counts)):
        for j in range(len(counts)):
            if i != j:
                total += counts[i][j] * (fn[i] + fp[i][j])
    return total / np.sum(counts)


def _values_of_cost_cases():
    cases = ex08.VISIBLE_COST_CASES + hidden_ex08.HIDDEN_COST_CASES
    return [f"{right_cost(c, fn, fp):{form}}" for _, c, fn, fp in cases for form in (".3f", ".4f", ".3g", ".2f")]


#: What no message of a check may contain: the answer's values, the tokens of the fix, words that explain it.
FORBIDDEN = {
    "check_cost_from_confusion": ["transpos", ".T", "fill_diagonal", "diagonal", "np.eye", "TOTAL", "divide",
                                  "orientation", "costs nothing", "fp_cost[i, j] is", *_values_of_cost_cases()],
    "check_cluster_flip_test": ["itertools", "product(", "pivot", "1e-12", "2/", "2 /", "0.125", "0.0625", "ttest",
                                "groupby", "abs(", "absolute value", "each digit's mean", "mean over digits"],
    "check_scaling_experiment": ["about the same in every run", "clearly different", "about 10 times", "10 times",
                                 "about 100", "rescales", "the same steps", "cancels", "invariant"],
    "check_scaling_prediction": ["about the same in every run", "clearly different", "about 10 times"],
    "check_new_scenario": ["fn_cost=", "fp_cost=...", "default", "pass your costs", "pass fn_cost"],
}


assert_clean = partial(check_messages.assert_teaches_without_telling, FORBIDDEN)
fails_clean = partial(failure_without_telling, FORBIDDEN)  # a message holding "expected one of" may name every choice


WRONG_COSTS = {  # name: (answer, a fragment its message must hold)
    "as given (diagonal charged, fp read transposed)":
        (lambda c, fn, fp: float((c * (fn[:, None] + fp.T)).sum() / c.sum()), "makes no mistake"),
    "only the transpose left": (lambda c, fn, fp: right_cost(c, fn, fp.T), "predicted as"),
    "only the diagonal left": (lambda c, fn, fp: float((c * (fn[:, None] + fp)).sum() / c.sum()), "makes no mistake"),
    "the total, not the mean": (lambda c, fn, fp: right_cost(c, fn, fp) * c.sum(), "doubling every count"),
    "the fn part dropped": (lambda c, fn, fp: float((c * fp * (1 - np.eye(len(c)))).sum() / c.sum()), "predicted as"),
    "divided by the mistakes, not the examples":
        (lambda c, fn, fp: right_cost(c, fn, fp) * c.sum() / max(c.sum() - np.trace(c), 1), "predicted as"),
}


def test_cost_from_confusion_right_answer_passes(capsys):
    ex08.check_cost_from_confusion(right_cost)
    hidden_ex08.check_cost_from_confusion(right_cost)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("name", WRONG_COSTS)
def test_cost_from_confusion_wrong_answers_fail(name):
    wrong, fragment = WRONG_COSTS[name]
    message = fails_visible_or_hidden("check_cost_from_confusion", wrong)
    assert fragment in message and message.rstrip().endswith("?"), message
    assert_clean("check_cost_from_confusion", message)


def test_cost_charging_fp_on_correct_predictions_passes_visibly_and_fails_hidden(capsys):
    def keeps_fp_diagonal(counts, fn_cost, fp_cost):   # the solution with only fn's diagonal removed
        counts = np.asarray(counts, dtype=float)
        per_cell = np.asarray(fn_cost, dtype=float)[:, None] + np.asarray(fp_cost, dtype=float)
        per_cell -= np.diag(np.asarray(fn_cost, dtype=float))
        return float((counts * per_cell).sum() / counts.sum())

    ex08.check_cost_from_confusion(keeps_fp_diagonal)
    message = fails(hidden_ex08.check_cost_from_confusion, keeps_fp_diagonal)
    assert "makes no mistake" in message
    assert_clean("check_cost_from_confusion", message)


def test_cost_that_calls_the_library_fails_with_the_blocking_message():
    def through_the_library(counts, fn, fp):
        y_true, y_pred = ex08._labels_from_counts(counts)
        return wloss.decisions.real_world_cost(y_true, y_pred, fn_cost=fn, fp_cost=fp)

    message = fails_clean(ex08.check_cost_from_confusion, through_the_library)
    assert message.startswith("cost_from_confusion: your code called wloss.decisions.real_world_cost"), message


def test_cost_stub_and_crash_are_check_failures():
    def stub(counts, fn, fp):
        raise NotImplementedError()

    assert "not done yet" in fails_clean(ex08.check_cost_from_confusion, stub)
    assert "raised" in fails_clean(ex08.check_cost_from_confusion, lambda c, fn, fp: c @ fp @ fn[:1])
    assert "expected a single number" in fails_clean(ex08.check_cost_from_confusion, lambda c, fn, fp: c @ fn @ fp)


# ------------------------------------------------------------------ task 2 (derive): the sign-flip test
def right_flip(per_run, control, method):
    """Written without pandas' pivot: pair by a dict of runs, average per digit, enumerate the signs."""
    cost = {(r, m): c for r, m, c in zip(per_run["run"], per_run["method"], per_run["cost"])}
    digit_of = dict(zip(per_run["run"], per_run["digit"]))
    by_digit = {}
    for run, digit in digit_of.items():
        by_digit.setdefault(digit, []).append(cost[run, control] - cost[run, method])
    means = np.array([np.mean(v) for v in by_digit.values()])
    observed = abs(means.mean())
    hits = 0
    for signs in itertools.product((1, -1), repeat=len(means)):
        hits += abs(sum(s * m for s, m in zip(signs, means)) / len(means)) >= observed - 1e-12
    return float(means.mean()), hits / 2 ** len(means)


def _wide(per_run, control, method):
    wide = per_run.pivot(index="run", columns="method", values="cost")
    return wide[control] - wide[method], per_run.groupby("run")["digit"].first()


def runs_flipped(per_run, control, method):   # every run its own unit
    d, _ = _wide(per_run, control, method)
    d = d.to_numpy()[:12]
    flipped = np.array(list(itertools.product((1, -1), repeat=len(d)))) @ d / len(d)
    return float(d.mean()), float(np.mean(np.abs(flipped) >= abs(d.mean()) - 1e-12))


def unsorted_pairs(per_run, control, method):
    a = per_run[per_run["method"] == control].reset_index(drop=True)
    b = per_run[per_run["method"] == method].reset_index(drop=True)
    frame = pd.DataFrame({"run": a["run"], "digit": a["digit"], "method": "x", "cost": a["cost"] - b["cost"]})
    means = frame.groupby("digit")["cost"].mean().to_numpy()
    flipped = np.array(list(itertools.product((1, -1), repeat=len(means)))) @ means / len(means)
    return float(means.mean()), float(np.mean(np.abs(flipped) >= abs(means.mean()) - 1e-12))


def one_sided(per_run, control, method):
    d, digit = _wide(per_run, control, method)
    means = d.groupby(digit).mean().to_numpy()
    flipped = np.array(list(itertools.product((1, -1), repeat=len(means)))) @ means / len(means)
    return float(means.mean()), float(np.mean(flipped >= means.mean() - 1e-12))


def reversed_sign(per_run, control, method):
    gap, p = right_flip(per_run, control, method)
    return -gap, p


def pooled_runs(per_run, control, method):   # gap over runs: a digit with many runs counts more
    d, digit = _wide(per_run, control, method)
    _, p = right_flip(per_run, control, method)
    return float(d.mean()), p


def strict_inequality(per_run, control, method):   # the observed pattern itself not counted
    d, digit = _wide(per_run, control, method)
    means = d.groupby(digit).mean().to_numpy()
    flipped = np.array(list(itertools.product((1, -1), repeat=len(means)))) @ means / len(means)
    return float(means.mean()), float(np.mean(np.abs(flipped) > abs(means.mean()) + 1e-12))


def random_flips(per_run, control, method):   # a Monte Carlo test with 1000 random patterns
    d, digit = _wide(per_run, control, method)
    means = d.groupby(digit).mean().to_numpy()
    signs = np.random.default_rng(0).choice([1, -1], size=(1000, len(means)))
    return float(means.mean()), float(np.mean(np.abs(signs @ means / len(means)) >= abs(means.mean())))


def exact_ties(per_run, control, method):   # ties must be exact to count: misses even the observed pattern
    d, digit = _wide(per_run, control, method)
    means = d.groupby(digit).mean().to_numpy()
    flipped = np.array(list(itertools.product((1, -1), repeat=len(means)))) @ means / len(means)
    return float(means.mean()), float(np.mean(np.abs(flipped) >= abs(means.mean())))


def numbered_digits(per_run, control, method):   # right when the digits are numbered 0 .. D-1, as in Table I
    d, digit = _wide(per_run, control, method)
    sums = np.bincount(digit.to_numpy(), weights=d.to_numpy())[:digit.nunique()]
    means = sums / np.maximum(np.bincount(digit.to_numpy())[:digit.nunique()], 1)
    flipped = np.array(list(itertools.product((1, -1), repeat=len(means)))) @ means / len(means)
    return float(means.mean()), float(np.mean(np.abs(flipped) >= abs(means.mean()) - 1e-12))


WRONG_FLIPS = {
    "every run its own unit": (runs_flipped, "whole number"),
    "rows paired by position": (unsorted_pairs, "swapping control and method"),
    "one-sided": (one_sided, "swapping control and method changes p"),
    "sign reversed": (reversed_sign, "the gap is not positive"),
    "gap pooled over runs": (pooled_runs, "copying every run"),
    "the observed pattern not counted": (strict_inequality, "(0, 1]"),
    "random patterns": (random_flips, "whole number"),
    "ties must be exact": (exact_ties, "smallest share"),
    "a list, not a tuple": (lambda *a: list(right_flip(*a)), "expected a tuple"),
}


def test_flip_test_right_answer_passes(capsys):
    ex08.check_cluster_flip_test(right_flip)
    hidden_ex08.check_cluster_flip_test(right_flip)
    assert capsys.readouterr().out.count("\u2714") == 2


def test_flip_reference_agrees_with_the_independent_answer():
    for _, frame in ex08.visible_flip_cases() + hidden_ex08.hidden_flip_cases():
        assert np.allclose(hidden_ex08.reference_flip_test(frame, "control@Bayes", "rwwce@0.5"),
                           right_flip(frame, "control@Bayes", "rwwce@0.5"))


@pytest.mark.parametrize("name", WRONG_FLIPS)
def test_flip_test_wrong_answers_fail(name):
    wrong, fragment = WRONG_FLIPS[name]
    message = fails_visible_or_hidden("check_cluster_flip_test", wrong)
    assert fragment in message, message
    assert asks(message, "expected a tuple"), message
    assert_clean("check_cluster_flip_test", message)
    for _, frame in ex08.visible_flip_cases():
        gap, p = right_flip(frame, "control@Bayes", "rwwce@0.5")
        assert f"{p:.4f}" not in message and f"{gap:.3f}" not in message


def test_flip_test_for_digits_numbered_from_0_passes_visibly_and_fails_hidden():
    ex08.check_cluster_flip_test(numbered_digits)
    message = fails(hidden_ex08.check_cluster_flip_test, numbered_digits)
    assert_clean("check_cluster_flip_test", message)


def test_flip_test_that_calls_the_library_fails_with_the_blocking_message():
    def through_the_library(per_run, control, method):
        d, digit = _wide(per_run, control, method)
        t, p, _ = wloss.stats.clustered_paired_t(d, digit)
        return float(d.groupby(digit).mean().mean()), float(p)

    message = fails_clean(ex08.check_cluster_flip_test, through_the_library)
    assert message.startswith("cluster_flip_test: your code called wloss.stats.clustered_paired_t"), message

    def through_scipy(per_run, control, method):
        from scipy import stats
        d, digit = _wide(per_run, control, method)
        means = d.groupby(digit).mean().to_numpy()
        result = stats.permutation_test((means,), np.mean, permutation_type="samples")
        return float(means.mean()), float(result.pvalue)

    assert "your code called scipy.stats.permutation_test" in fails_clean(ex08.check_cluster_flip_test, through_scipy)


def test_flip_stub_is_not_done_yet():
    def stub(per_run, control, method):
        raise NotImplementedError()

    assert "not done yet" in fails_clean(ex08.check_cluster_flip_test, stub)


# ------------------------------------------------------------------ task 3 (predict, recorded)
def per_run_table(fn, fp, fn_cost, fp_cost, n_test=1000):
    runs = len(fn)
    return pd.DataFrame({"run": np.arange(runs), "method": "rwwce@0.5", "fn": fn, "fp": fp,
                         "n_test": n_test, "cost": (np.array(fn) * fn_cost + np.array(fp) * fp_cost) / n_test})


DECISIONS, COST = ex08.SCALING_KEYS
BASE = per_run_table([18, 17], [132, 37], 2000.0, 100.0)
SCALED = per_run_table([18, 17], [132, 37], 20000.0, 1000.0)
NEARLY = per_run_table([18, 16], [133, 37], 20000.0, 1000.0)      # another CPU's rounding: one or two examples move
CHANGED = per_run_table([12, 17], [190, 37], 20000.0, 1000.0)     # a run whose decisions really moved
RIGHT = {DECISIONS: "about the same in every run", COST: "about 10 times"}
REASON = "Adam divides each step by the running size of the gradient, whatever the loss's scale"

WRONG_SCALING = {  # name: (prediction, the keys it gets wrong)
    "bigger costs, another model": ({DECISIONS: "clearly different", COST: "about 10 times"}, [DECISIONS]),
    "the cost does not change": ({DECISIONS: "about the same in every run", COST: "about the same"}, [COST]),
    "squared": ({DECISIONS: "about the same in every run", COST: "about 100 times"}, [COST]),
    "both wrong": ({DECISIONS: "clearly different", COST: "something else"}, [DECISIONS, COST]),
}


def test_scaling_outcome_tolerates_rounding_and_sees_real_changes():
    assert ex08.scaling_outcome(BASE, SCALED) == RIGHT
    assert ex08.scaling_outcome(BASE, NEARLY) == RIGHT
    assert ex08.scaling_outcome(BASE, CHANGED)[DECISIONS] == "clearly different"


def test_scaling_right_prediction_passes(capsys):
    ex08.check_scaling_prediction(dict(RIGHT), REASON)
    ex08.check_scaling_experiment(dict(RIGHT), REASON, BASE, SCALED)
    hidden_ex08.check_scaling_experiment(dict(RIGHT), REASON, BASE, NEARLY)
    hidden_ex08.check_scaling_experiment({DECISIONS: "clearly different", COST: "about 10 times"}, REASON,
                                         BASE, CHANGED)
    assert capsys.readouterr().out.count("\u2714") == 4


@pytest.mark.parametrize("name", WRONG_SCALING)
def test_scaling_wrong_predictions_pass_visibly_and_fail_hidden(name):
    prediction, wrong_keys = WRONG_SCALING[name]
    ex08.check_scaling_prediction(dict(prediction), REASON)   # the visible part grades only the form
    message = fails(hidden_ex08.check_scaling_experiment, dict(prediction), REASON, BASE, SCALED)
    assert f"{len(wrong_keys)} of 2 disagree" in message, message
    for key in ex08.SCALING_KEYS:
        assert (repr(key) in message) == (key in wrong_keys), (key, message)
    assert_clean("check_scaling_experiment", message)


def test_scaling_malformed_predictions_fail():
    stub = {key: ... for key in ex08.SCALING_KEYS}
    assert "not filled in yet" in fails_clean(ex08.check_scaling_prediction, stub, ...)
    assert "not filled in yet" in fails_clean(ex08.check_scaling_prediction, dict(RIGHT), ...)
    assert "not a reason yet" in fails_clean(ex08.check_scaling_prediction, dict(RIGHT), "Adam")
    assert "expected one of" in fails_clean(ex08.check_scaling_prediction, {DECISIONS: "about 10 times", COST: "about 10 times"},
                                      REASON)
    assert "expected one of" in fails_clean(ex08.check_scaling_prediction, {DECISIONS: True, COST: 10.0}, REASON)
    assert "missing" in fails_clean(ex08.check_scaling_prediction, {COST: "about 10 times"}, REASON)


def test_scaling_with_a_summary_instead_of_the_tables_fails():
    fails_clean(ex08.check_scaling_experiment, dict(RIGHT), REASON, BASE.groupby("method")["cost"].mean(), SCALED)
    fails(hidden_ex08.check_scaling_experiment, dict(RIGHT), REASON, BASE, SCALED.iloc[:1])


# ------------------------------------------------------------------ task 5 (open)
def scenario_table(fn_cost, fp_cost, runs=2, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for run in range(runs):
        n_test = 15900 + run
        for method, threshold in [("control@0.5", 0.5), ("control@F1(val)", 0.4), ("control@F1(test)", 0.45),
                                  ("control@cost(val)", 0.2), ("control@Bayes", bayes_threshold(fn_cost, fp_cost)),
                                  ("rwwce@0.5", 0.5)]:
            fn, fp = int(rng.integers(5, 60)), int(rng.integers(5, 200))
            rows.append(dict(run=run, digit=run % 10, batch=run // 10, method=method, threshold=threshold, fn=fn,
                             fp=fp, n_test=n_test, error=(fn + fp) / n_test,
                             cost=(fn * fn_cost + fp * fp_cost) / n_test))
    return pd.DataFrame(rows)


def means_of(table):
    return table.groupby("method")["cost"].mean()


def scenario_message(table, fn_cost, fp_cost, costs):
    message = fails_visible_or_hidden("check_new_scenario", table, fn_cost, fp_cost, costs)
    assert_clean("check_new_scenario", message)
    return message


def test_new_scenario_right_answer_passes(capsys):
    table = scenario_table(500.0, 100.0)
    ex08.check_new_scenario(table, 500.0, 100.0, means_of(table))
    hidden_ex08.check_new_scenario(table, 500.0, 100.0, means_of(table))
    assert capsys.readouterr().out.count("\u2714") == 2


def test_new_scenario_run_with_the_default_costs_fails():
    table = scenario_table(2000.0, 100.0)                        # run_table1 called without the student's costs
    assert "YOUR fn_cost" in scenario_message(table, 500.0, 100.0, means_of(table))


def test_new_scenario_one_run_counted_twice_fails():
    one = scenario_table(500.0, 100.0, runs=1)
    twice = pd.concat([one, one.assign(run=1)], ignore_index=True)
    assert "one run counted twice" in scenario_message(twice, 500.0, 100.0, means_of(twice))
    doubled = pd.concat([one, one], ignore_index=True)           # the same rows twice, under the same run
    assert "appears twice in one run" in scenario_message(doubled, 500.0, 100.0, means_of(doubled))


def test_new_scenario_committed_results_fail():
    committed = pd.read_csv(ex08.__file__.rsplit("lib", 1)[0] + "results/table1_runs.csv")
    for costs in [(500.0, 100.0), (2000.0, 100.0), (4000.0, 200.0)]:
        scenario_message(committed, *costs, means_of(committed))


def test_new_scenario_summary_instead_of_per_run_table_fails():
    table = scenario_table(500.0, 100.0)
    summary = table.groupby("method")[["fn", "fp", "cost"]].mean().reset_index()
    assert "missing" in scenario_message(summary, 500.0, 100.0, means_of(table))


def test_new_scenario_wrong_means_and_bad_types_fail():
    table = scenario_table(500.0, 100.0)
    median = table.groupby("method")["cost"].median() + 1.0
    scenario_message(table, 500.0, 100.0, median)
    scenario_message(table, 500.0, 100.0, 3.0)
    scenario_message(table, pd.Series([500.0, 1.0]), 100.0, means_of(table))   # no ambiguous-truth crash
    scenario_message(table["cost"], 500.0, 100.0, means_of(table))
    scenario_message(table[table["method"] != "rwwce@0.5"], 500.0, 100.0, means_of(table))
    scenario_message(table, 2000.0, 100.0, means_of(table))                    # the paper's ratio


def test_new_scenario_stub_is_not_done_yet():
    assert "expected a single number" in fails_clean(ex08.check_new_scenario, ..., ..., ..., ...)


# ------------------------------------------------------------------ an answer that passes only the visible checks
VISIBLE_ONLY = ("np.fill_diagonal(per_cell, 0.0)", "per_cell -= np.diag(np.asarray(fn_cost, dtype=float))")


def test_the_visible_only_answer_passes_the_visible_check_and_fails_the_hidden_one():
    import json
    from pathlib import Path

    notebook = json.loads((Path(__file__).parents[1] / "solutions" / "08_replication.ipynb").read_text())
    cell = next("".join(c["source"]) for c in notebook["cells"] if VISIBLE_ONLY[0] in "".join(c["source"]))
    namespace = {"np": np}
    exec(cell.replace(*VISIBLE_ONLY), namespace)
    ex08.check_cost_from_confusion(namespace["cost_from_confusion"])
    fails(hidden_ex08.check_cost_from_confusion, namespace["cost_from_confusion"])
