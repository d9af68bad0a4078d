"""Checks for exercise 14 (does it hold on real data? comparing methods over the KEEL benchmark).

Each check recomputes the property its task asks for from what the student returned, names the case
that exposes a mistake and asks a question; none prints the answer. The graded (hidden) part is not here: it is
in ``wloss_grading.ex14``, which calls the same case runners (``ranks_hold``, ``significance_properties_hold``) on
inputs the student never sees, compares the p-values with a reference and grades the prediction.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from wloss.checks import check_recorded_prediction, check_scalar, fail, library_blocked, passed, task

#: The committed benchmark rows (``python -m wloss.benchmark``), read by the checks themselves.
BENCHMARK_CSV = Path(__file__).resolve().parents[3] / "results" / "keel_benchmark.csv.gz"


@lru_cache(maxsize=1)
def _benchmark() -> pd.DataFrame:
    from wloss.benchmark import read_rows

    return read_rows(BENCHMARK_CSV)


def benchmark_rows() -> pd.DataFrame:
    """A copy of the committed benchmark's rows (84,000 rows, ``wloss.benchmark.COLUMNS``)."""
    return _benchmark().copy()


# ---------------------------------------------------------------- task 1 (derive): average ranks

#: Ready-made rankings (or the whole comparison) of SciPy, pandas and wloss, blocked while the student's code runs.
_RANKINGS = ("scipy.stats.rankdata", "scipy.stats.mstats.rankdata", "scipy.stats.friedmanchisquare",
             "wloss.benchmark.summarize", "wloss.stats.rank_table", "wloss.stats.friedman_test",
             "pandas.DataFrame.rank", "pandas.Series.rank", "pandas.core.groupby.DataFrameGroupBy.rank",
             "pandas.core.groupby.SeriesGroupBy.rank")


def ranks_blocked(name: str):
    """The ready-made rankings of SciPy, pandas and wloss blocked."""
    return library_blocked(name, *_RANKINGS)


def _table(values, methods=None, datasets=None) -> pd.DataFrame:
    values = np.asarray(values, dtype=float)
    methods = methods or [f"m{j + 1}" for j in range(values.shape[1])]
    datasets = datasets or [f"d{i + 1}" for i in range(values.shape[0])]
    return pd.DataFrame(values, index=pd.Index(datasets, name="dataset"), columns=pd.Index(methods, name="method"))


def visible_rank_cases() -> list[tuple[str, pd.DataFrame]]:
    """The visible cases, smallest first, so that the first failing case is the smallest one that fails."""
    rng = np.random.default_rng(14)
    return [
        ("1 data set, 3 methods, no tie", _table([[0.3, 0.1, 0.2]])),
        ("1 data set, 3 methods, two tied", _table([[0.2, 0.5, 0.2]])),
        ("2 data sets, 3 methods, a tie in each", _table([[0.2, 0.2, 0.5], [0.4, 0.1, 0.1]])),
        ("3 data sets, 4 methods, a three-way tie", _table([[1, 1, 1, 2], [0.5, 0.7, 0.1, 0.7], [3, 2, 1, 0]],
                                                            ["lgbm", "lr_wce", "lr_rwwce", "rus_lr"])),
        ("8 data sets, 5 methods, many ties", _table(rng.integers(0, 4, (8, 5)), ["e", "c", "a", "d", "b"])),
    ]


def _brute_force_ranks(table: pd.DataFrame) -> np.ndarray:
    """Mean rank per column: in each row a value's rank is 1 + (values strictly lower) + (other values equal) / 2,
    the mean of the places its tie group occupies. Counted pair by pair, with no sorting and no ranking function."""
    values = table.to_numpy(dtype=float)
    n, k = values.shape
    total = [0.0] * k
    for row in values:
        for j in range(k):
            lower = sum(1 for other in row if other < row[j])
            equal = sum(1 for other in row if other == row[j]) - 1
            total[j] += 1 + lower + equal / 2
    return np.array(total) / n


def _ranks_with_ties(table: pd.DataFrame, how: str) -> np.ndarray:
    """Mean ranks with a wrong treatment of ties, to name the mistake: "min", "max", "dense" or "ordinal"."""
    values = table.to_numpy(dtype=float)
    out = np.zeros(values.shape)
    for i, row in enumerate(values):
        for j, x in enumerate(row):
            lower = np.sum(row < x)
            equal_before = np.sum(row[:j] == x)
            if how == "min":
                out[i, j] = 1 + lower
            elif how == "max":
                out[i, j] = lower + np.sum(row == x)
            elif how == "dense":
                out[i, j] = 1 + len(np.unique(row[row < x]))
            else:
                out[i, j] = 1 + lower + equal_before
    return out.mean(axis=0)


def _as_rank_vector(name: str, got, table: pd.DataFrame) -> np.ndarray:
    k = table.shape[1]
    if got is None:
        fail(f"{name}: expected a pandas Series (one mean rank per method), got None - did you forget `return`?")
    if isinstance(got, pd.DataFrame):
        fail(f"{name}: expected one mean rank per method (a Series indexed by the methods), got a DataFrame of "
             f"shape {got.shape}. Which axis do you average over?")
    if isinstance(got, pd.Series):
        if len(got) == k and set(got.index) == set(table.columns):
            got = got.reindex(table.columns)
        elif len(got) == k:
            fail(f"{name}: your Series is indexed by {list(got.index)[:5]}, not by the methods (the table's "
                 "columns). Which labels should say whose rank is whose?")
        else:
            fail(f"{name}: expected {k} mean ranks (one per method, the table's columns), got {len(got)}. "
                 f"Is each entry a method, or a data set?")
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        fail(f"{name}: expected numbers, got {type(got).__name__}")
    if arr.shape != (k,):
        fail(f"{name}: expected {k} mean ranks (one per method, the table's columns), got shape {arr.shape}. "
             "Is each entry a method, or a data set?")
    if not np.all(np.isfinite(arr)):
        fail(f"{name}: your mean ranks are not all finite numbers.")
    return arr


def _show(table: pd.DataFrame) -> str:
    return "\n" + table.to_string() + "\n"


def check_average_ranks(average_ranks):
    """Task 1: mean rank of each method (column) over data sets (rows), lower is better, ties averaged.

    The student's function runs with SciPy's, pandas' and wloss's ranking functions blocked; its result is compared
    with a brute-force count of places, case by case from the smallest, and the first failing case is named.
    """
    cases = visible_rank_cases()
    ranks_hold(average_ranks, cases)
    passed(f"average_ranks: mean ranks match a brute-force count of places, ties sharing their places "
           f"({len(cases)} cases, smallest first)")


def ranks_hold(average_ranks, cases):
    """Fail unless ``average_ranks`` gives the brute-force mean ranks on each (case, table) of ``cases``."""
    for case, table in cases:
        name = f"average_ranks ({case})"
        with ranks_blocked("average_ranks"), task("average_ranks"):
            raw = average_ranks(table.copy())
        got = _as_rank_vector(name, raw, table)
        right = _brute_force_ranks(table)
        if np.allclose(got, right, atol=1e-9):
            continue
        n, k = table.shape
        shown = _show(table) if n <= 3 else " "
        if np.allclose(got, k + 1 - right, atol=1e-9):
            fail(f"{name}: the method with the LOWEST value in a data set should be in first place (rank 1); "
                 f"your ranks run the other way on:{shown}In this table, which way is better?")
        if np.allclose(got, right - 1, atol=1e-9):
            fail(f"{name}: the best method of a data set got rank 0 on:{shown}Where does counting places start in "
                 "the average ranks that the critical difference assumes?")
        if np.any(got < 1 - 1e-9) or np.any(got > k + 1e-9):
            fail(f"{name}: a mean rank must lie between 1 and the number of methods ({k}); yours do not, on:"
                 f"{shown}Are you averaging places, or the values themselves?")
        if not np.isclose(got.sum(), k * (k + 1) / 2, atol=1e-9):
            fail(f"{name}: within one data set the {k} ranks should fill the places 1, 2, ..., {k} whatever the "
                 f"ties, so the mean ranks add up to 1 + 2 + ... + {k}; yours do not, on:{shown}"
                 "When two methods tie, which places do they share?")
        if np.allclose(got, _ranks_with_ties(table, "ordinal"), atol=1e-9):
            fail(f"{name}: two methods with the same value in a data set got different ranks (the tie was broken by "
                 f"their column order) on:{shown}Should the order of the columns decide between equal scores?")
        j = int(np.argmax(np.abs(got - right)))
        fail(f"{name}: the mean rank of method {table.columns[j]!r} does not match counting its places data set by "
             f"data set on:{shown}Count one data set by hand: which place does each method take, and which places "
             "do tied methods share?")


# ---------------------------------------------------------------- task 2 (predict): ranks from r = 5 to r = 100

RANK_KEYS = ("against lr_wce alone", "among the six that use r")
#: The methods whose training or threshold uses the cost ratio r.
USE_R = ["lr_rwwce", "lr_ce_bayes", "lr_wce_bayes", "mlp_ce_bayes", "mlp_wce_bayes", "mlp_rwwce"]
RANK_CHOICES = ("better", "worse", "stays")
#: "stays": the mean rank moves by less than this, either way.
STAYS_WITHIN = 0.25
FROM_RATIO, TO_RATIO = 5.0, 100.0
#: What a reason too short to be one is asked.
RANK_REASON_QUESTION = "in one sentence, what moves lr_rwwce's rank, or what keeps it where it is?"


def check_rank_prediction(prediction, reason):
    """Task 2: the prediction and its reason are recorded and well formed (not whether they are right: the graded
    part, ``wloss_grading.ex14``, compares them with the committed benchmark)."""
    check_recorded_prediction("rank_prediction", prediction, RANK_KEYS, RANK_CHOICES, "rank_reason", reason,
                              RANK_REASON_QUESTION)


# ---------------------------------------------------------------- task 3 (debug): significance across data sets

_SIGNIFICANCE_COLUMNS = ["dataset", "fold", "seed", "method", "cost_ratio", "real_world_cost", "balanced_accuracy"]


def _synthetic_rows(n_datasets: int, n_folds: int, n_seeds: int, seed: int) -> pd.DataFrame:
    """Rows of two methods "a" and "b" at cost ratios 5 and 20: data sets of very different scales, b a little
    better on most, a much better on a few; fold noise large and shared by the two methods."""
    rng = np.random.default_rng(seed)
    scale = np.exp(rng.normal(0, 1.2, n_datasets))                    # costs of different sizes per data set
    effect = np.where(rng.random(n_datasets) < 0.7, -0.08, 0.25) * rng.uniform(0.3, 1.5, n_datasets)
    records = []
    for d in range(n_datasets):
        for fold in range(n_folds):
            for s in range(n_seeds):
                shared = rng.normal(0, 0.2)
                for ratio in (5.0, 20.0):
                    base = scale[d] * (1 + ratio / 20) * (1 + shared)
                    a = base * (1 + rng.normal(0, 0.03))
                    b = base * (1 - effect[d] + rng.normal(0, 0.03))
                    for method, value in (("a", a), ("b", b)):
                        records.append({"dataset": f"set-{d:02d}", "fold": fold, "seed": s, "method": method,
                                        "cost_ratio": ratio, "real_world_cost": float(abs(value)),
                                        "balanced_accuracy": float(1 / (1 + abs(value)))})
    return pd.DataFrame(records, columns=_SIGNIFICANCE_COLUMNS)


def visible_significance_cases():
    """(case, rows, a, b, cost ratio, metric) of the visible check: a small synthetic frame, then the benchmark."""
    return [("12 synthetic data sets x 5 folds x 3 seeds, r = 20", _synthetic_rows(12, 5, 3, 3), "a", "b", 20.0,
             "real_world_cost"),
            ("the benchmark, lr_wce_bayes vs lr_rwwce, r = 20", _benchmark(), "lr_wce_bayes", "lr_rwwce", 20.0,
             "real_world_cost")]


def _run_significance(significance, case, rows, a, b, ratio, metric):
    with task("significance"):
        raw = significance(rows.copy(), a, b, ratio, metric)
    p = check_scalar(f"significance ({case})", raw)
    if not 0.0 <= p <= 1.0:
        fail(f"significance ({case}): a p-value lies between 0 and 1; yours does not. What does your function "
             "return - a p-value, or the test statistic?")
    return p


def same_p(p, q) -> bool:
    """Whether two p-values agree beyond rounding."""
    return bool(np.isclose(p, q, rtol=1e-6, atol=1e-12))


def check_significance(significance):
    """Task 3: a two-sided p-value over data sets, checked by its properties (pairing, repeated rows, rescaled data
    sets, symmetry), each named with its case. The value itself is graded by ``wloss_grading.ex14``."""
    significance_properties_hold(significance, visible_significance_cases())
    passed("significance: one unit per data set, paired, two-sided, unchanged by copied rows or rescaled data sets")


def significance_properties_hold(significance, cases) -> list[float]:
    """Fail unless ``significance`` has the properties of a two-sided test over data sets on each case of ``cases``;
    return its p-value on each case."""
    values = []
    for case, rows, a, b, ratio, metric in cases:
        p = _run_significance(significance, case, rows, a, b, ratio, metric)
        values.append(p)
        synthetic = case.split(" ")[1] == "synthetic"
        if synthetic:
            n_folds, n_seeds = rows["fold"].nunique(), rows["seed"].nunique()
            repeated = pd.concat([rows, rows.assign(seed=rows["seed"] + 100)], ignore_index=True)
            if not same_p(_run_significance(significance, case, repeated, a, b, ratio, metric), p):
                fail(f"significance ({case}): your p-value changes when every (fold, seed) row is copied under a "
                     "new seed number, although no data set changed: your test counts each data set "
                     f"{n_folds * n_seeds} times. How many independent units are there?")
            refolded = pd.concat([rows, rows.assign(fold=rows["fold"] + 10)], ignore_index=True)
            if not same_p(_run_significance(significance, case, refolded, a, b, ratio, metric), p):
                fail(f"significance ({case}): your p-value changes when every fold is copied under a new fold "
                     f"number, although no data set changed: your test counts each data set {n_folds} times. "
                     "Are the folds of one data set independent of each other?")
            shuffled = rows.sample(frac=1.0, random_state=0).reset_index(drop=True)
            if not same_p(_run_significance(significance, case, shuffled, a, b, ratio, metric), p):
                fail(f"significance ({case}): your p-value changes when the rows come in another order. How do you "
                     "make sure each value of a is paired with b's value for the same data set?")
            means = rows[rows["cost_ratio"] == ratio].groupby(["dataset", "method"])[metric].mean().unstack()
            biggest = (means[a] - means[b]).abs().idxmax()
            rescaled = rows.copy()
            mask = rescaled["dataset"] == biggest
            rescaled.loc[mask, metric] = rescaled.loc[mask, metric] * 10
            if not same_p(_run_significance(significance, case, rescaled, a, b, ratio, metric), p):
                fail(f"significance ({case}): your p-value changes when one data set's values (both methods', "
                     f"{biggest!r}, already the largest difference) are multiplied by 10, which leaves the order "
                     "of the per-data-set differences as it was. Should a data set whose costs happen to be larger "
                     "count for more in a comparison across data sets?")
        if not same_p(_run_significance(significance, case, rows, b, a, ratio, metric), p):
            fail(f"significance ({case}): swapping a and b changes your p-value. The colleague asks whether the two "
                 "methods differ, in either direction: is your test one-sided?")
    return values


# ---------------------------------------------------------------- task 5 (open): a method of your own

MIN_DATASETS = 5


def _fail_if_missing(name, value):
    if value is None or value is ...:
        fail(f"{name}: not filled in yet - run your method and fill it in.")


def check_own_method(my_rows, my_method, compared, open_cost_ratio, open_ranks):
    """Task 5: rows of the student's own method under the benchmark's protocol, and its mean rank against two
    benchmark methods, recomputed here from those rows and the committed CSV."""
    datasets, seeds = own_method_holds(my_rows, my_method, compared, open_cost_ratio, open_ranks)
    passed(f"own method {my_method!r}: {len(datasets)} data sets, the benchmark's folds and seeds "
           f"({len(seeds)} seed(s)), paired with {compared[0]!r} and {compared[1]!r}; mean ranks recomputed")


def own_method_holds(my_rows, my_method, compared, open_cost_ratio, open_ranks):
    """Fail unless the open task's rows follow the benchmark's protocol and its ranks are right; return the data sets
    and seeds used."""
    from wloss.benchmark import COLUMNS, METHODS, N_SPLITS

    for name, value in (("my_rows", my_rows), ("my_method", my_method), ("compared", compared),
                        ("open_cost_ratio", open_cost_ratio), ("open_ranks", open_ranks)):
        _fail_if_missing(name, value)
    if not isinstance(my_rows, pd.DataFrame):
        fail(f"my_rows: expected a pandas DataFrame, got {type(my_rows).__name__}")
    missing = [c for c in COLUMNS if c not in my_rows.columns]
    if missing:
        fail(f"my_rows: the columns {missing} are missing; the rows need the benchmark's columns "
             "(wloss.benchmark.COLUMNS).")
    if not isinstance(my_method, str) or my_method in METHODS:
        fail(f"my_method: expected a new name for your method (a str not among the benchmark's 14), got "
             f"{my_method!r}.")
    if set(my_rows["method"]) != {my_method}:
        fail(f"my_rows: every row's method should be {my_method!r}; found {sorted(map(str, set(my_rows['method'])))}.")
    if not isinstance(compared, (list, tuple)) or len(compared) != 2 or not all(m in METHODS for m in compared) \
            or len(set(compared)) != 2:
        fail(f"compared: expected two different method names of the benchmark, got {compared!r}.")
    ratio = check_scalar("open_cost_ratio", open_cost_ratio)
    bench = _benchmark()
    if ratio not in set(bench["cost_ratio"]) or ratio not in set(my_rows["cost_ratio"]):
        fail(f"open_cost_ratio: {ratio:g} must be one of the benchmark's cost ratios "
             f"{sorted(set(bench['cost_ratio']))} and appear in my_rows.")
    datasets = sorted(set(my_rows["dataset"]))
    unknown = [d for d in datasets if d not in set(bench["dataset"])]
    if unknown:
        fail(f"my_rows: the data sets {unknown[:3]} are not in the benchmark, so nothing can be compared on them.")
    if len(datasets) < MIN_DATASETS:
        fail(f"my_rows: {len(datasets)} data sets; a comparison by average ranks needs at least {MIN_DATASETS}.")
    if my_rows.duplicated(["dataset", "fold", "seed", "cost_ratio"]).any():
        fail("my_rows: some (dataset, fold, seed, cost_ratio) appears twice. One row per key, please.")
    seeds = sorted(set(my_rows["seed"]))
    if not set(seeds) <= set(bench["seed"]):
        fail(f"my_rows: seeds {seeds} - the benchmark has only {sorted(set(bench['seed']))}, so some of your runs "
             "have no partner.")
    for dataset in datasets:
        have = set(map(tuple, my_rows.loc[my_rows["dataset"] == dataset, ["fold", "seed"]].to_numpy().tolist()))
        want = {(f, s) for f in range(N_SPLITS) for s in seeds}
        if have != want:
            fail(f"my_rows: {dataset!r} does not have all {N_SPLITS} folds for each of the seeds {seeds}. A data "
                 "set's value is the mean over ALL its folds and seeds; are some missing?")
    keys = ["dataset", "fold", "seed", "cost_ratio"]
    partner = bench[(bench["method"] == compared[0]) & bench["dataset"].isin(datasets)]
    merged = my_rows.merge(partner, on=keys, how="left", suffixes=("", "_bench"))
    if merged["n_train_bench"].isna().any():
        fail("my_rows: some of your (dataset, fold, seed, cost_ratio) have no row in the benchmark. Use the "
             "benchmark's cost ratios and seeds.")
    for column in ("n_train", "n_test"):
        if not np.array_equal(merged[column].to_numpy(float), merged[f"{column}_bench"].to_numpy(float)):
            bad = merged.loc[merged[column] != merged[f"{column}_bench"], ["dataset", "fold", "seed"]].iloc[0]
            fail(f"my_rows: for {bad['dataset']!r}, fold {bad['fold']}, seed {bad['seed']} your {column} differs "
                 "from the benchmark's. Are your folds the benchmark's own, the same data set rows split the same "
                 "way for the same seed?")
    if not np.allclose(merged["imbalance_ratio"], merged["imbalance_ratio_bench"]):
        fail("my_rows: your imbalance_ratio differs from the benchmark's. Is it the whole data set's majority / "
             "minority count?")
    if not ((my_rows["real_world_cost"] >= 0) & (my_rows["real_world_cost"] <= my_rows["cost_ratio"] + 1e-12)).all():
        fail("my_rows: a Real World Cost per test example lies between 0 and the cost ratio (c_fp = 1, "
             "c_fn = r); some of yours do not.")
    for column in ("balanced_accuracy", "average_precision"):
        if not my_rows[column].between(0, 1).all():
            fail(f"my_rows: {column} must lie between 0 and 1; some of yours do not.")
    for method in METHODS:
        theirs = bench[(bench["method"] == method) & bench["dataset"].isin(datasets)]
        same = my_rows.merge(theirs, on=keys, suffixes=("", "_theirs"))
        if len(same) == len(my_rows) and all(np.array_equal(same[m], same[f"{m}_theirs"]) for m in
                                             ("real_world_cost", "balanced_accuracy", "average_precision")):
            fail(f"my_rows: your rows are identical to the benchmark's {method!r}. Is your method a new one?")
    # the mean ranks, recomputed: means over the same folds and seeds per data set, ranked among the three
    at = lambda frame: frame[(frame["cost_ratio"] == ratio) & frame["dataset"].isin(datasets)  # noqa: E731
                             & frame["seed"].isin(seeds)]
    pool = pd.concat([at(my_rows)[COLUMNS], at(bench[bench["method"].isin(compared)])], ignore_index=True)
    means = pool.groupby(["dataset", "method"])["real_world_cost"].mean().unstack("method")
    methods = [my_method, *compared]
    right = pd.Series(_brute_force_ranks(means[methods]), index=methods)
    if not isinstance(open_ranks, (pd.Series, dict)):
        fail(f"open_ranks: expected a Series (or dict) of mean ranks indexed by the three methods, got "
             f"{type(open_ranks).__name__}")
    got = pd.Series(open_ranks, dtype=float)
    if set(got.index) != set(methods):
        fail(f"open_ranks: expected the three methods {methods} as its index, got {list(got.index)}.")
    if not np.allclose(got.reindex(methods).to_numpy(), right.to_numpy(), atol=1e-9):
        fail(f"open_ranks: these are not the mean ranks by Real World Cost at r = {ratio:g} over your "
             f"{len(datasets)} data sets. Did you average each method's folds and seeds within a data set before "
             "ranking, and take the benchmark's rows of the same data sets and seeds?")
    return datasets, seeds
