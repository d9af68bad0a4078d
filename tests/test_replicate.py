"""The batched trainer of ``wloss.replicate_training`` and the ``wloss.replicate`` tables and CLI."""
from __future__ import annotations

from pathlib import Path
import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from scipy.stats import ttest_rel

from wloss import replicate
from wloss.replicate_training import batch_schedule, init_stacked_mlp, train_stacked

CLASS_WEIGHTS = torch.tensor([1.0, 5.0, 0.5])


def two_losses(logits, labels):
    """Model 0 of a group: plain CE; model 1: class-weighted CE (per-model means, shape (G, 2))."""
    groups, _, batch, k = logits.shape
    plain = F.cross_entropy(logits[:, 0].reshape(-1, k), labels.reshape(-1), reduction="none")
    weighted = CLASS_WEIGHTS[labels.reshape(-1)] * F.cross_entropy(
        logits[:, 1].reshape(-1, k), labels.reshape(-1), reduction="none")
    return torch.stack([plain.view(groups, batch).mean(-1), weighted.view(groups, batch).mean(-1)], 1)


def train_one_model(weights, biases, X, labels, rows_per_step, model):
    """The plain reference: one model, its own torch.optim.Adam, one batch after another."""
    params = [p.detach().clone().requires_grad_() for p in (*weights, *biases)]
    optimizer = torch.optim.Adam(params, lr=1e-2)
    n_layers = len(weights)
    for rows in rows_per_step:
        h = X[rows]
        for layer in range(n_layers):
            h = h @ params[layer] + params[n_layers + layer]
            h = torch.relu(h) if layer < n_layers - 1 else h
        loss = F.cross_entropy(h, labels[rows], reduction="none")
        loss = (CLASS_WEIGHTS[labels[rows]] * loss).mean() if model == 1 else loss.mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return params


def test_batched_trainer_equals_a_loop_of_single_models():
    gen = torch.Generator().manual_seed(0)
    X, labels = torch.rand(90, 6, generator=gen), torch.randint(0, 3, (90,), generator=gen)
    train_index = [np.arange(0, 50), np.arange(30, 90), np.arange(10, 70)]
    schedule = batch_schedule(train_index, epochs=3, batch_size=8, seed=4)
    net = init_stacked_mlp((6, 5, 4, 3), groups=3, models_per_group=2, seed=1)
    start_w = [w.detach().clone() for w in net.weights]
    start_b = [b.detach().clone() for b in net.biases]
    train_stacked(net, X, labels, schedule, two_losses, lr=1e-2)
    assert (net.weights[0] - start_w[0]).abs().max() > 1e-2, "training should move the weights"
    for g in range(3):
        for r in range(2):
            alone = train_one_model([w[g, r] for w in start_w], [b[g, r] for b in start_b], X, labels,
                                    schedule[:, g], model=r)
            stacked = [*(w[g, r] for w in net.weights), *(b[g, r] for b in net.biases)]
            for got, want in zip(stacked, alone):
                torch.testing.assert_close(got.detach(), want.detach(), rtol=1e-4, atol=1e-5)


def test_batch_schedule_takes_each_groups_own_rows_without_repeats_within_an_epoch():
    train_index = [np.arange(0, 23), np.arange(100, 130)]
    schedule = batch_schedule(train_index, epochs=2, batch_size=5, seed=0)
    steps_per_epoch = 23 // 5
    assert schedule.shape == (2 * steps_per_epoch, 2, 5)
    for g, rows in enumerate(train_index):
        for epoch in range(2):
            seen = schedule[epoch * steps_per_epoch:(epoch + 1) * steps_per_epoch, g].ravel()
            assert len(set(seen)) == len(seen) and set(seen) <= set(rows)
    assert not np.array_equal(schedule[:steps_per_epoch, 0], schedule[steps_per_epoch:, 0])
    np.testing.assert_array_equal(schedule, batch_schedule(train_index, 2, 5, seed=0))


def test_batch_schedule_rejects_a_batch_larger_than_the_smallest_group():
    with pytest.raises(ValueError, match="batch_size"):
        batch_schedule([np.arange(3), np.arange(10)], epochs=1, batch_size=4, seed=0)


def test_init_matches_glorot_bounds_and_rejects_bad_sizes():
    net = init_stacked_mlp((784, 10, 1), groups=3, models_per_group=2, seed=0)
    bound = np.sqrt(6 / (784 + 10))
    assert net.weights[0].abs().max() <= bound and net.weights[0].abs().max() > 0.9 * bound
    assert not torch.equal(net.weights[0][0, 0], net.weights[0][0, 1])
    with pytest.raises(ValueError, match="layer_sizes"):
        init_stacked_mlp((784,), groups=1, models_per_group=1, seed=0)


def test_summarize_means_and_paired_p_values():
    gen = np.random.default_rng(0)
    a, b = gen.normal(5, 1, 12), gen.normal(4, 1, 12)
    per_run = pd.DataFrame({"run": np.r_[np.arange(12), np.arange(12)],
                            "method": ["control"] * 12 + ["rwwce"] * 12, "cost": np.r_[a, b]})
    summary = replicate.summarize(per_run, ["cost"], reference="rwwce").set_index("method")
    assert summary.loc["control", "cost"] == pytest.approx(a.mean())
    assert summary.loc["control", "p(cost)"] == pytest.approx(ttest_rel(a, b).pvalue)
    assert np.isnan(summary.loc["rwwce", "p(cost)"])
    table = replicate.markdown_table(summary.reset_index())
    assert table.splitlines()[0] == "| method | runs | cost | p(cost) |" and len(table.splitlines()) == 4
    with pytest.raises(ValueError, match="reference"):
        replicate.summarize(per_run, ["cost"], reference="missing")


def test_min_expected_cost_decision_avoids_the_expensive_pair():
    cost = 1.0 - np.eye(3)
    cost[0, 2] += 19.0
    probabilities = np.array([[0.3, 0.2, 0.5], [0.1, 0.2, 0.7]])
    # row 0: predict 0 -> 0.7, 1 -> 0.8, 2 -> 0.2 + 0.3 * 20 = 6.2; row 1 (argmax 2):
    # predict 0 -> 0.9, 1 -> 0.8, 2 -> 0.2 + 0.1 * 20 = 2.2, so the decision moves to 1
    np.testing.assert_array_equal(replicate.min_expected_cost(probabilities, cost), [0, 1])


def test_pixels_as_bytes_round_trips_and_rejects_other_values():
    pixels = np.array([[0, 17, 255]], dtype=np.uint8)
    np.testing.assert_array_equal(replicate.pixels_as_bytes(pixels / 255.0), pixels)
    with pytest.raises(ValueError, match="X"):
        replicate.pixels_as_bytes(np.array([[0.5]]))


@pytest.fixture
def small_fake_mnist(monkeypatch):
    """70,000 random images (7,000 per digit) in place of MNIST, so the CLI test is hermetic and fast."""
    gen = np.random.default_rng(0)
    X = gen.integers(0, 256, (70_000, 784)).astype(np.float32) / 255
    labels = np.arange(70_000) % 10
    monkeypatch.setattr(replicate, "load_mnist_70k", lambda: (X, labels))
    monkeypatch.setenv("WLOSS_PROGRESS", "0")


@pytest.mark.parametrize("table, columns", [("table1", ["fn", "fp", "error", "cost"]),
                                            ("table2", ["targeted", "errors", "error", "cost"])])
def test_cli_writes_runs_csv_and_markdown(small_fake_mnist, tmp_path, table, columns, capsys):
    replicate.main([table, "--runs", "2", "--epochs", "1", "--max-steps", "20", "--out", str(tmp_path)])
    per_run = pd.read_csv(tmp_path / f"{table}_runs.csv")
    assert set(per_run["run"]) == {0, 1} and set(columns) <= set(per_run.columns)
    markdown = (tmp_path / f"{table}.md").read_text()
    for method in per_run["method"].unique():
        assert f"| {method} | 2 |" in markdown
    assert f"{table}: 2 runs" in capsys.readouterr().out


def test_table1_run_rows_count_mistakes_and_cost():
    y = np.array([1, 1, 0, 0, 0])
    p_control, p_rwwce = np.array([0.9, 0.2, 0.6, 0.1, 0.03]), np.array([0.9, 0.7, 0.6, 0.2, 0.1])
    rows = {r["method"]: r for r in replicate.table1_run_rows(p_control, y, p_control, y, p_rwwce)}
    assert (rows["control@0.5"]["fn"], rows["control@0.5"]["fp"]) == (1, 1)
    assert rows["control@0.5"]["cost"] == pytest.approx((2000 + 100) / 5)
    assert (rows["rwwce@0.5"]["fn"], rows["rwwce@0.5"]["fp"]) == (0, 1)
    assert rows["control@Bayes"]["threshold"] == pytest.approx(100 / 2100)


def test_cost_pairs_cover_all_ninety_ordered_pairs_once():
    pairs = replicate.cost_pairs(90)
    assert len(set(pairs)) == 90 and all(i != j for i, j in pairs)
    assert sorted(i for i, _ in replicate.cost_pairs(10)) == list(range(10))


def test_run_counts_out_of_range_are_rejected():
    with pytest.raises(ValueError, match="runs"):
        replicate.table1_datasets(np.arange(70_000) % 10, runs=101)
    with pytest.raises(ValueError, match="runs"):
        replicate.run_table2(runs=0)


def test_table1_cost_threshold_is_tuned_on_validation_data():
    # validation and test sets differ: the cost-tuned threshold must come from the validation scores
    y_val, p_val = np.array([1, 0, 0, 0]), np.array([0.3, 0.2, 0.1, 0.05])
    y_test, p_test = np.array([1, 1, 0, 0]), np.array([0.9, 0.25, 0.4, 0.1])
    rows = {r["method"]: r for r in replicate.table1_run_rows(p_val, y_val, p_test, y_test, p_test)}
    # brute force over every candidate threshold of the validation scores (and 'no positive')
    candidates = list(p_val) + [np.inf]
    val_costs = [(2000 * np.sum((y_val == 1) & (p_val < t)) + 100 * np.sum((y_val == 0) & (p_val >= t))) / 4
                 for t in candidates]
    assert rows["control@cost(val)"]["threshold"] == pytest.approx(candidates[int(np.argmin(val_costs))])
    assert rows["control@cost(val)"]["threshold"] == pytest.approx(0.3)
    # applied to the test set: 0.25 falls below it (one miss), 0.4 above it (one false alarm)
    assert (rows["control@cost(val)"]["fn"], rows["control@cost(val)"]["fp"]) == (1, 1)


COMMITTED = Path(__file__).resolve().parents[1] / "results"


def test_the_committed_replication_agrees_with_itself():
    committed = pd.read_csv(COMMITTED / "table2_runs.csv")
    comparison = replicate.compare_with_committed(committed, committed, replicate.TABLES["table2"]["columns"])
    assert comparison["within"].all() and (comparison["difference_in_se"] == 0).all()


def _shift_targeted(frame, method, total):
    """Move ``total`` targeted mistakes of ``method``, one per run, as another CPU might."""
    fresh = frame.copy()
    rows = fresh.index[fresh["method"] == method][: abs(total)]
    fresh.loc[rows, "targeted"] += np.sign(total)
    return fresh


def test_the_control_moving_as_it_did_on_another_cpu_is_within_tolerance():
    committed = pd.read_csv(COMMITTED / "table2_runs.csv")
    runs = (committed["method"] == "control argmax").sum()
    # 6.82 -> 6.73 targeted mistakes: 8 fewer over the 90 runs, as the second machine gave
    fresh = _shift_targeted(committed, "control argmax", -8)
    assert round(fresh[fresh["method"] == "control argmax"]["targeted"].mean() * runs) == \
        round(committed[committed["method"] == "control argmax"]["targeted"].mean() * runs) - 8
    comparison = replicate.compare_with_committed(fresh, committed, ["targeted"])
    assert comparison["within"].all()


def test_a_change_larger_than_another_cpu_explains_is_flagged(tmp_path, capsys):
    committed = pd.read_csv(COMMITTED / "table2_runs.csv")
    control = committed[committed["method"] == "rwwce argmax"]["targeted"]
    se = control.std(ddof=1) / np.sqrt(len(control))
    shift = int(np.ceil(3 * se * len(control)))          # the mean moves by 3 se > 2.8 se
    fresh = _shift_targeted(committed, "rwwce argmax", shift)
    comparison = replicate.compare_with_committed(fresh, committed, ["targeted"])
    flagged = comparison[~comparison["within"]]
    assert list(flagged["method"]) == ["rwwce argmax"] and flagged["difference_in_se"].iloc[0] >= 3 - 1e-9
    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    fresh.to_csv(fresh_dir / "table2_runs.csv", index=False)
    with pytest.raises(SystemExit) as stop:
        replicate.main(["compare", str(fresh_dir), str(COMMITTED)])
    assert stop.value.code == 1
    assert "differs from the committed one by more than another CPU explains" in capsys.readouterr().out


def test_a_fresh_file_missing_runs_or_methods_is_refused():
    committed = pd.read_csv(COMMITTED / "table2_runs.csv")
    with pytest.raises(ValueError, match="fresh: methods .*rwwce argmax"):
        replicate.compare_with_committed(committed[committed["method"] != "rwwce argmax"], committed, ["targeted"])
    with pytest.raises(ValueError, match="fresh: 89 runs of 'control argmax'"):
        replicate.compare_with_committed(committed.drop(index=committed.index[0]), committed, ["targeted"])
