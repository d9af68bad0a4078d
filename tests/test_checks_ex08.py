"""Exercise 08's checks: typical wrong answers get a message that names the mistake."""
import numpy as np
import pandas as pd
import pytest
from scipy.stats import ttest_rel

from wloss.checks import CheckFailed, ex08


def right_cost(counts, fn, fp):
    off_diagonal = 1 - np.eye(len(counts))
    return float((counts * (fn[:, None] + fp) * off_diagonal).sum() / counts.sum())


def test_cost_from_confusion_right_answer_passes():
    ex08.check_cost_from_confusion(right_cost)


def test_cost_total_instead_of_mean():
    with pytest.raises(CheckFailed, match="TOTAL cost; divide by N"):
        ex08.check_cost_from_confusion(lambda c, fn, fp: right_cost(c, fn, fp) * c.sum())


def test_cost_charges_the_diagonal():
    with pytest.raises(CheckFailed, match="diagonal"):
        ex08.check_cost_from_confusion(lambda c, fn, fp: float((c * (fn[:, None] + fp)).sum() / c.sum()))


def test_cost_without_the_false_negative_part():
    with pytest.raises(CheckFailed, match="false-negative part"):
        ex08.check_cost_from_confusion(lambda c, fn, fp: float((c * fp).sum() / c.sum()))


def paired_right(a, b):
    d = a - b
    t = d.mean() / (d.std(ddof=1) / np.sqrt(len(d)))
    return float(t), float(ttest_rel(a, b).pvalue)


def test_paired_t_right_answer_passes():
    ex08.check_paired_t(paired_right)


def test_paired_t_population_sd():
    def ddof0(a, b):
        d = a - b
        return float(d.mean() / (d.std() / np.sqrt(len(d)))), 0.0
    with pytest.raises(CheckFailed, match="ddof=0"):
        ex08.check_paired_t(ddof0)


def test_paired_t_wrong_sign_and_one_sided_p():
    with pytest.raises(CheckFailed, match="wrong sign"):
        ex08.check_paired_t(lambda a, b: paired_right(b, a))
    with pytest.raises(CheckFailed, match="one-sided"):
        ex08.check_paired_t(lambda a, b: (paired_right(a, b)[0], paired_right(a, b)[1] / 2))


def summary_frame(rwwce_cost=1.0):
    return pd.DataFrame({"method": ["control@0.5", "control@Bayes", "rwwce@0.5"], "fn": [3.0, 1.0, 1.0],
                         "fp": [1.0, 5.0, 4.0], "cost": [2.0, 1.5, rwwce_cost]})


def test_new_scenario_right_answer_and_wrong_threshold():
    ex08.check_new_scenario(summary_frame(), 500.0, 100.0, 100 / 600)
    with pytest.raises(CheckFailed, match="Bayes threshold"):
        ex08.check_new_scenario(summary_frame(), 500.0, 100.0, 500 / 600)
    with pytest.raises(CheckFailed, match="other than the paper"):
        ex08.check_new_scenario(summary_frame(), 2000.0, 100.0, 100 / 2100)
    with pytest.raises(CheckFailed, match="cost is 0"):
        ex08.check_new_scenario(summary_frame(rwwce_cost=0.0), 500.0, 100.0, 100 / 600)


def per_run_frame():
    rng = np.random.default_rng(3)
    control = rng.normal(6, 1, 10)
    return pd.DataFrame({"run": np.r_[np.arange(10), np.arange(10)],
                         "method": ["control@0.5"] * 10 + ["rwwce@0.5"] * 10,
                         "cost": np.r_[control, control - rng.normal(2, 0.5, 10)]})


def test_saving_right_percentage_and_difference():
    runs = per_run_frame()
    means = runs.groupby("method")["cost"].mean()
    right = 1 - means["rwwce@0.5"] / means["control@0.5"]
    ex08.check_saving(runs, right, True)
    with pytest.raises(CheckFailed, match="not a percentage"):
        ex08.check_saving(runs, 100 * right, True)
    with pytest.raises(CheckFailed, match="absolute difference"):
        ex08.check_saving(runs, means["control@0.5"] - means["rwwce@0.5"], True)
    with pytest.raises(CheckFailed, match="compare it with 0.05"):
        ex08.check_saving(runs, right, False)
