"""Exercise 08's checks: the right answers pass, plausible wrong answers fail with CheckFailed, never a raw
exception, and no failure message gives the answer away."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wloss.checks import CheckFailed, ex08
from wloss.metrics import bayes_threshold


def fails(check, *answer):
    with pytest.raises(CheckFailed) as info:
        check(*answer)
    return str(info.value)


# ------------------------------------------------------------------ task 1 (debug)
def right_cost(counts, fn, fp):
    off_diagonal = 1 - np.eye(len(counts))
    return float((counts * (fn[:, None] + fp) * off_diagonal).sum() / counts.sum())


def test_cost_from_confusion_right_answer_passes(capsys):
    ex08.check_cost_from_confusion(right_cost)
    ex08.check_cost_from_confusion(right_cost, hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong, match", [
    (lambda c, fn, fp: float((c * (fn[:, None] + fp.T)).sum() / c.sum()), "transposed"),          # as given
    (lambda c, fn, fp: right_cost(c, fn, fp.T), "transposed"),                                    # only the .T left
    (lambda c, fn, fp: float((c * (fn[:, None] + fp)).sum() / c.sum()), "diagonal"),              # only the diagonal left
    (lambda c, fn, fp: right_cost(c, fn, fp) * c.sum(), "TOTAL"),                                 # sum, not mean
    (lambda c, fn, fp: float((c * fp * (1 - np.eye(len(c)))).sum() / c.sum()), "false-negative"), # fn part dropped
], ids=["as-given", "transposed", "diagonal", "total", "no-fn"])
def test_cost_from_confusion_wrong_answers_fail(wrong, match):
    assert match in fails(ex08.check_cost_from_confusion, wrong)


def test_cost_from_confusion_crash_is_a_check_failure():
    fails(ex08.check_cost_from_confusion, lambda c, fn, fp: c @ fn @ fp)


# ------------------------------------------------------------------ task 2 (derive)
def right_digit_test(per_run, control, method):
    wide = per_run.pivot(index="run", columns="method", values="cost")
    digit = per_run.groupby("run")["digit"].first()
    means = (wide[control] - wide[method]).groupby(digit).mean()
    result = stats.ttest_1samp(means.to_numpy(), 0.0)
    return float(result.statistic), float(result.pvalue)


def runs_as_independent(per_run, control, method):
    wide = per_run.pivot(index="run", columns="method", values="cost")
    result = stats.ttest_rel(wide[control], wide[method])
    return float(result.statistic), float(result.pvalue)


def unsorted_pairs(per_run, control, method):
    a = per_run[per_run["method"] == control]
    b = per_run[per_run["method"] == method]
    digit_means = pd.Series(a["cost"].to_numpy() - b["cost"].to_numpy()).groupby(a["digit"].to_numpy()).mean()
    result = stats.ttest_1samp(digit_means, 0.0)
    return float(result.statistic), float(result.pvalue)


def one_sided(per_run, control, method):
    t, p = right_digit_test(per_run, control, method)
    return t, p / 2


def reversed_sign(per_run, control, method):
    return right_digit_test(per_run, method, control)


def population_sd(per_run, control, method):
    wide = per_run.pivot(index="run", columns="method", values="cost")
    digit = per_run.groupby("run")["digit"].first()
    means = (wide[control] - wide[method]).groupby(digit).mean().to_numpy()
    t = means.mean() / (means.std(ddof=0) / np.sqrt(len(means)))
    return float(t), float(2 * stats.t.sf(abs(t), len(means) - 1))


def degrees_of_freedom_of_runs(per_run, control, method):
    wide = per_run.pivot(index="run", columns="method", values="cost")
    t, _ = right_digit_test(per_run, control, method)
    return t, float(2 * stats.t.sf(abs(t), len(wide) - 1))


def test_digit_level_test_right_answer_passes(capsys):
    ex08.check_digit_level_test(right_digit_test)
    ex08.check_digit_level_test(right_digit_test, hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong, match", [
    (runs_as_independent, "independent"),
    (unsorted_pairs, "paired by run"),
    (one_sided, "one-sided"),
    (reversed_sign, "wrong sign"),
    (population_sd, "ddof"),
    (degrees_of_freedom_of_runs, "degrees of freedom"),
    (lambda per_run, control, method: per_run["cost"] > 0, "tuple"),     # a Series, not (t, p)
], ids=["runs-independent", "unsorted", "one-sided", "sign", "ddof0", "df-of-runs", "series"])
def test_digit_level_test_wrong_answers_fail(wrong, match):
    message = fails(ex08.check_digit_level_test, wrong)
    assert match in message
    t, p = right_digit_test(ex08.example_per_run(0), "control@Bayes", "rwwce@0.5")
    assert f"{p:.3g}" not in message and f"{t:.3g}" not in message


# ------------------------------------------------------------------ task 3 (predict)
def per_run_table(fn, fp, fn_cost, fp_cost, n_test=1000):
    runs = len(fn)
    return pd.DataFrame({"run": np.arange(runs), "method": "rwwce@0.5", "fn": fn, "fp": fp,
                         "n_test": n_test, "cost": (np.array(fn) * fn_cost + np.array(fp) * fp_cost) / n_test})


BASE = per_run_table([3, 5], [40, 30], 2000.0, 100.0)
SCALED = per_run_table([3, 5], [40, 30], 20000.0, 1000.0)
CHANGED = per_run_table([2, 5], [47, 30], 20000.0, 1000.0)


def test_scaling_right_prediction_passes(capsys):
    ex08.check_scaling_prediction(True, 10.0, BASE, SCALED)
    same, factor = ex08.scaling_outcome(BASE, CHANGED)
    ex08.check_scaling_prediction(False, factor, BASE, CHANGED)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("prediction", [
    (False, 10.0),      # "bigger costs, a different model"
    (True, 1.0),        # the cost does not change
    (True, 100.0),      # squared
    (True, 0.1),        # inverted
    ("yes", 10.0),      # not a bool
], ids=["decisions-change", "factor-1", "factor-100", "factor-0.1", "not-bool"])
def test_scaling_wrong_predictions_fail(prediction):
    message = fails(ex08.check_scaling_prediction, *prediction, BASE, SCALED)
    assert "10" not in message


def test_scaling_with_a_summary_instead_of_the_tables_fails():
    fails(ex08.check_scaling_prediction, True, 10.0, BASE.groupby("method")["cost"].mean(), SCALED)


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


def test_new_scenario_right_answer_passes(capsys):
    table = scenario_table(500.0, 100.0)
    ex08.check_new_scenario(table, 500.0, 100.0, means_of(table))
    ex08.check_new_scenario(table.sample(frac=1.0, random_state=0), 500.0, 100.0, dict(means_of(table)))
    assert capsys.readouterr().out.count("\u2714") == 2


def test_new_scenario_run_with_the_default_costs_fails():
    table = scenario_table(2000.0, 100.0)                        # run_table1 called without the student's costs
    assert "YOUR fn_cost" in fails(ex08.check_new_scenario, table, 500.0, 100.0, means_of(table))


def test_new_scenario_committed_results_fail():
    committed = pd.read_csv(ex08.__file__.rsplit("lib", 1)[0] + "results/table1_runs.csv")
    fails(ex08.check_new_scenario, committed, 500.0, 100.0, means_of(committed))
    fails(ex08.check_new_scenario, committed, 2000.0, 100.0, means_of(committed))
    fails(ex08.check_new_scenario, committed, 4000.0, 200.0, means_of(committed))


def test_new_scenario_summary_instead_of_per_run_table_fails():
    table = scenario_table(500.0, 100.0)
    summary = table.groupby("method")[["fn", "fp", "cost"]].mean().reset_index()
    assert "missing" in fails(ex08.check_new_scenario, summary, 500.0, 100.0, means_of(table))


def test_new_scenario_wrong_means_and_bad_types_fail():
    table = scenario_table(500.0, 100.0)
    median = table.groupby("method")["cost"].median() + 1.0
    fails(ex08.check_new_scenario, table, 500.0, 100.0, median)
    fails(ex08.check_new_scenario, table, 500.0, 100.0, 3.0)
    fails(ex08.check_new_scenario, table, pd.Series([500.0, 1.0]), 100.0, means_of(table))   # no ambiguous-truth crash
    fails(ex08.check_new_scenario, table["cost"], 500.0, 100.0, means_of(table))
    fails(ex08.check_new_scenario, table[table["method"] != "rwwce@0.5"], 500.0, 100.0, means_of(table))
