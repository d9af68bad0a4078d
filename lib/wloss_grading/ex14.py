"""The hidden part of exercise 14's checks: other rank tables, the p-values compared with a reference test, the
prediction graded against the committed benchmark, and the open task's rows recomputed for grading."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from wloss.checks import check_recorded_prediction, fail, fail_disagreeing, passed
from wloss.checks.ex14 import (FROM_RATIO, RANK_CHOICES, RANK_KEYS, RANK_REASON_QUESTION, STAYS_WITHIN, TO_RATIO,
                               USE_R, _benchmark, _run_significance, _synthetic_rows, _table, own_method_holds, ranks_hold, same_p,
                               significance_properties_hold, visible_significance_cases)


# ---------------------------------------------------------------- task 1: average ranks

def hidden_rank_cases() -> list[tuple[str, pd.DataFrame]]:
    """A two-method tie, a data set where every method ties, and larger tables than the visible ones."""
    rng = np.random.default_rng(1414)
    return [
        ("1 data set, 2 methods, tied", _table([[0.7, 0.7]])),
        ("2 data sets, 4 methods, one data set all tied", _table([[0.3, 0.3, 0.3, 0.3], [0.9, 0.1, 0.4, 0.2]])),
        ("30 data sets, 7 methods, many ties", _table(rng.integers(0, 3, (30, 7)) / 4,
                                                      ["z", "y", "x", "w", "v", "u", "t"])),
        ("50 data sets, 14 methods, no ties", _table(rng.random((50, 14)))),
    ]


def check_average_ranks(average_ranks):
    ranks_hold(average_ranks, hidden_rank_cases())
    passed("average_ranks: hidden cases too")


# ---------------------------------------------------------------- task 2: ranks from r = 5 to r = 100

RANK_QUESTIONS = {
    "against lr_wce alone": "lr_wce weights the positives by n-/n+, whatever the costs: for how many of the data "
                            "sets is n-/n+ close to 5, and for how many close to 100 (look at imbalance_ratio)?",
    "among the six that use r": "the five others put r into a threshold on a fitted model (log-odds > -log r): how "
                                "well does a model fitted on a few dozen positives know its log-odds near -log 100, "
                                "compared with a fit that saw the weight 100 during training?",
}


def _outcome(change: float) -> str:
    return "stays" if abs(change) < STAYS_WITHIN else ("better" if change < 0 else "worse")


@lru_cache(maxsize=1)
def rank_change_experiment() -> dict:
    """Mean rank of ``lr_rwwce`` by Real World Cost at r = 5 and r = 100, head to head with ``lr_wce`` and among
    the six methods that use the cost ratio (``USE_R``), from the committed benchmark (folds and seeds averaged
    within each data set first).

    Returns {key: {"r=5": rank, "r=100": rank, "change": r100 - r5, "outcome": "better" | "worse" | "stays"}}.
    The CSV is fixed, so these numbers are the same on every machine.
    """
    rows = _benchmark()
    means = rows.groupby(["cost_ratio", "dataset", "method"])["real_world_cost"].mean().unstack("method")
    result = {}
    for key, methods in zip(RANK_KEYS, (["lr_rwwce", "lr_wce"], USE_R)):
        ranks = {r: float(means.loc[r][methods].rank(axis=1).mean()["lr_rwwce"]) for r in (FROM_RATIO, TO_RATIO)}
        change = ranks[TO_RATIO] - ranks[FROM_RATIO]
        result[key] = {"r=5": ranks[FROM_RATIO], "r=100": ranks[TO_RATIO], "change": change,
                       "outcome": _outcome(change)}
    return result


def check_rank_prediction(prediction, reason):
    """Both directions graded against the committed benchmark (after the visible well-formedness check)."""
    check_recorded_prediction("rank_prediction", prediction, RANK_KEYS, RANK_CHOICES, "rank_reason", reason,
                              RANK_REASON_QUESTION, announce=False)
    outcome = {key: value["outcome"] for key, value in rank_change_experiment().items()}
    fail_disagreeing("rank_prediction", prediction, outcome, RANK_QUESTIONS, "the benchmark",
                     "compare the two mean ranks the experiment printed for each")
    passed("rank_prediction: both mean ranks move as you predicted (the committed benchmark)")


# ---------------------------------------------------------------- task 3: significance across data sets

def reference_significance(rows: pd.DataFrame, a: str, b: str, cost_ratio: float,
                           metric: str = "real_world_cost") -> list[float]:
    """The p-values of the two-sided Wilcoxon signed-rank test (SciPy's defaults) over data sets, each data set
    summarised by its mean over folds and seeds: from the difference of the means and from the mean of the
    differences (they agree unless rounding reorders near-equal differences)."""
    from scipy.stats import wilcoxon

    selected = rows[rows["cost_ratio"] == cost_ratio]
    pivot = selected.pivot_table(index=["dataset", "fold", "seed"], columns="method", values=metric, aggfunc="mean")
    means = pivot.groupby(level="dataset").mean()
    of_means = wilcoxon(means[a] - means[b]).pvalue
    of_differences = wilcoxon((pivot[a] - pivot[b]).groupby(level="dataset").mean()).pvalue
    return [float(of_means), float(of_differences)]


def hidden_significance_cases():
    """Another synthetic frame, another metric, other pairs and cost ratios of the benchmark."""
    return [("15 synthetic data sets x 5 folds x 2 seeds, r = 5, balanced accuracy", _synthetic_rows(15, 5, 2, 8),
             "b", "a", 5.0, "balanced_accuracy"),
            ("the benchmark, lgbm vs lgbm_spw, r = 100", _benchmark(), "lgbm", "lgbm_spw", 100.0, "real_world_cost"),
            ("the benchmark, mlp_rwwce vs lr_rwwce, r = 5, balanced accuracy", _benchmark(), "mlp_rwwce", "lr_rwwce",
             5.0, "balanced_accuracy")]


def check_significance(significance):
    """The properties on the hidden cases, then the p-value of every case (visible ones included) against a
    signed-rank test over per-data-set means."""
    hidden = hidden_significance_cases()
    values = significance_properties_hold(significance, hidden)
    visible = visible_significance_cases()
    values = [_run_significance(significance, *case) for case in visible] + values
    for (case, rows, a, b, ratio, metric), p in zip(visible + hidden, values):
        if not any(same_p(p, q) for q in reference_significance(rows, a, b, ratio, metric)):
            fail(f"significance ({case}): your p-value does not match the test over data sets that the task asks "
                 "for. Which single value stands for each data set, and does your test use the sizes of the "
                 "differences or only their signs?")
    passed("significance: hidden cases too")


# ---------------------------------------------------------------- task 5: a method of your own

def check_own_method(my_rows, my_method, compared, open_cost_ratio, open_ranks):
    """The open task's rows and ranks recomputed for grading (the visible check, silently)."""
    own_method_holds(my_rows, my_method, compared, open_cost_ratio, open_ranks)
    passed("own method: hidden cases too (rows and ranks recomputed for grading)")
