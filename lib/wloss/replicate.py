"""Replicate Tables I and II of Ho & Wookey (RWWCE) on MNIST: ``python -m wloss.replicate table1|table2``.

Protocol (the paper's sections IV-V and its companion notebook, see the appendix of lecture 08):
Adam lr 1e-3, 10 epochs, batch 100,
Glorot-uniform init, split 67.5 / 7.5 / 25 (train / validation / test, ``paper_split``).

Table I (binary, run r = data set of digit r % 10 and positive block r // 10, up to 100 runs):
784 -> 10 ReLU -> 1, c_fn = 2000, c_fp = 100. Per run, a BCE control and an RWWCE model are
trained on the same mini-batches and judged on the same test set as:
``control@0.5`` (the paper's control), ``control@F1(val)`` (threshold maximising F1 on the
validation split), ``control@F1(test)`` (the companion code's choice: tuned on the test set
itself, optimistic), ``control@cost(val)`` (threshold minimising the Real World Cost on the
validation split: the strongest post-hoc control), ``control@Bayes`` (threshold
c_fp / (c_fp + c_fn)) and ``rwwce@0.5``. Thresholds are searched exactly, over every distinct
score (``best_threshold``); the companion code searched F1 over 100 evenly spaced values in
[0.01, 0.99] of the test predictions.

Table II (10 classes, run r = ordered pair (i, j) = (r % 10, (r % 10 + 1 + r // 10) % 10), up to 90 runs):
784 -> 50 -> 20 -> 10, FN cost 1 for every class, FP cost 19 for (true i, predicted j) only.
Per run a categorical-CE control and an RWWCE model; decisions ``control argmax``,
``control min-expected-cost`` (Bayes decision on the control's softmax) and ``rwwce argmax``.

Outputs in ``--out``: ``tableN_runs.csv`` (one row per run and method) and ``tableN.md``
(means and paired t-test p-values against RWWCE).
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from scipy.stats import ttest_rel

from wloss.data import load_mnist_70k, paper_binary_dataset, paper_split
from wloss.losses import rwwce_binary, rwwce_per_example
from wloss.metrics import confusion_matrix
from wloss.decisions import bayes_threshold, best_threshold, real_world_cost
from wloss.replicate_training import batch_schedule, init_stacked_mlp, train_stacked


@dataclass(frozen=True)
class Protocol:
    """Training settings shared by both tables (the paper's values by default)."""

    epochs: int = 10
    batch_size: int = 100
    lr: float = 1e-3
    seed: int = 0
    max_steps: int | None = None  # cap on training steps, for quick checks only (None: all)


BINARY_LAYERS = (784, 10, 1)
MULTICLASS_LAYERS = (784, 50, 20, 10)
FN_COST, FP_COST = 2000.0, 100.0
PAIR_FN_COST, PAIR_FP_COST = 1.0, 19.0
TABLE1_RUNS, TABLE2_RUNS = 100, 90


def pixels_as_bytes(X: np.ndarray) -> np.ndarray:
    """MNIST pixels k / 255 in [0, 1] back to their bytes k (uint8); raises if they are not k / 255."""
    pixels = np.rint(np.asarray(X) * 255.0)
    if np.abs(pixels / 255.0 - X).max() > 1e-6 or pixels.min() < 0 or pixels.max() > 255:
        raise ValueError("X: expected pixel values k / 255 with integer k in 0..255")
    return pixels.astype(np.uint8)


def table1_datasets(labels: np.ndarray, runs: int) -> list[dict]:
    """Row indices (into the 70k images) of the train/validation/test parts of each Table I run.

    Run r uses digit r % 10 and positive block r // 10, so the first 10 runs cover every digit.
    """
    if not 1 <= runs <= TABLE1_RUNS:
        raise ValueError(f"runs: expected 1..{TABLE1_RUNS} for table1, got {runs}")
    rows = np.arange(len(labels))[:, None]
    datasets = []
    for run in range(runs):
        digit, block = run % 10, run // 10
        rows_bin, y_bin = paper_binary_dataset(rows, labels, digit=digit, batch=block)
        parts = paper_split(rows_bin, y_bin, seed=1)
        datasets.append(dict(run=run, digit=digit, batch=block, train=parts.X_train.ravel(),
                             val=parts.X_val.ravel(), test=parts.X_test.ravel()))
    return datasets


def binary_pair_loss(digits: torch.Tensor, fn_cost: float = FN_COST, fp_cost: float = FP_COST):
    """Per-model mean loss for Table I: model 0 of a group is BCE, model 1 is RWWCE (c_fn, c_fp).

    Returns a function(logits (G, 2, B, 1), labels (G, B)) -> (G, 2); the target of group g is
    labels == digits[g].
    """
    def loss(logits, labels):
        z = logits[..., 0]
        target = (labels == digits[:, None]).to(z.dtype)
        control = F.binary_cross_entropy_with_logits(z[:, 0], target, reduction="none").mean(-1)
        weighted = rwwce_binary(z[:, 1].reshape(-1), target.reshape(-1), fn_cost=fn_cost,
                                fp_cost=fp_cost, reduction="none").view_as(target).mean(-1)
        return torch.stack([control, weighted], dim=1)
    return loss


def binary_outcomes(y_true: np.ndarray, positive: np.ndarray, fn_cost: float = FN_COST,
                    fp_cost: float = FP_COST) -> dict:
    """FN, FP, error rate (FN + FP) / N and Real World Cost (FN c_fn + FP c_fp) / N."""
    y_pred = positive.astype(np.int64)
    fn = int(np.sum((y_true == 1) & (y_pred == 0)))
    fp = int(np.sum((y_true == 0) & (y_pred == 1)))
    return dict(fn=fn, fp=fp, n_test=len(y_true), error=(fn + fp) / len(y_true),
                cost=real_world_cost(y_true, y_pred, fn_cost=fn_cost, fp_cost=fp_cost))


def table1_run_rows(p_val: np.ndarray, y_val: np.ndarray, p_test: np.ndarray, y_test: np.ndarray,
                    p_rwwce: np.ndarray, fn_cost: float = FN_COST, fp_cost: float = FP_COST) -> list[dict]:
    """The six decisions of one Table I run (probabilities in float64), one dict per method."""
    thresholds = {
        "control@0.5": 0.5,
        "control@F1(val)": best_threshold(p_val, y_val, objective="f1"),
        "control@F1(test)": best_threshold(p_test, y_test, objective="f1"),
        "control@cost(val)": best_threshold(p_val, y_val, objective="cost", fn_cost=fn_cost, fp_cost=fp_cost),
        "control@Bayes": bayes_threshold(fn_cost=fn_cost, fp_cost=fp_cost),
    }
    costs = dict(fn_cost=fn_cost, fp_cost=fp_cost)
    rows = [dict(method=name, threshold=t, **binary_outcomes(y_test, p_test >= t, **costs))
            for name, t in thresholds.items()]
    rows.append(dict(method="rwwce@0.5", threshold=0.5, **binary_outcomes(y_test, p_rwwce >= 0.5, **costs)))
    return rows


def run_table1(runs: int = TABLE1_RUNS, protocol: Protocol = Protocol(), device: str = "cpu",
               data=None, fn_cost: float = FN_COST, fp_cost: float = FP_COST) -> pd.DataFrame:
    """Train and evaluate ``runs`` Table I data sets; one row per (run, method).

    ``fn_cost``, ``fp_cost``: the costs of RWWCE, of the Bayes threshold and of the Real World Cost
    (the paper: 2000 and 100).

    ``data`` = (X (70000, 784), labels (70000,)) or None to read MNIST with ``load_mnist_70k``.
    """
    X, labels = load_mnist_70k() if data is None else data
    datasets = table1_datasets(labels, runs)
    X_t, labels_t = torch.as_tensor(pixels_as_bytes(X), device=device), torch.as_tensor(labels, device=device)
    digits = torch.tensor([d["digit"] for d in datasets], device=device)
    net = init_stacked_mlp(BINARY_LAYERS, groups=runs, models_per_group=2, seed=protocol.seed)
    net = _to_device(net, device)
    schedule = batch_schedule([d["train"] for d in datasets], protocol.epochs, protocol.batch_size,
                              protocol.seed)[:protocol.max_steps]
    train_stacked(net, X_t, labels_t, schedule, binary_pair_loss(digits, fn_cost, fp_cost), protocol.lr, 1 / 255, desc="table1")
    rows = []
    with torch.no_grad():
        for g, d in enumerate(datasets):
            probs = {part: torch.sigmoid(net.group_logits(X_t[d[part]].float() / 255, g)[..., 0].double()).cpu().numpy()
                     for part in ("val", "test")}
            y_val, y_test = (labels[d["val"]] == d["digit"]).astype(int), (labels[d["test"]] == d["digit"]).astype(int)
            for row in table1_run_rows(probs["val"][0], y_val, probs["test"][0], y_test, probs["test"][1],
                                       fn_cost, fp_cost):
                rows.append(dict(run=d["run"], digit=d["digit"], batch=d["batch"], **row))
    return pd.DataFrame(rows)


def cost_pairs(runs: int) -> list[tuple[int, int]]:
    """The ordered pairs (true i, predicted j) of the first ``runs`` Table II runs.

    Run r targets i = r % 10, j = (i + 1 + r // 10) % 10, so any 10 consecutive runs cover every
    true class once, and all 90 runs cover every pair i != j once.

    Examples
    --------
    >>> cost_pairs(12)[:3], cost_pairs(12)[10:]
    ([(0, 1), (1, 2), (2, 3)], [(0, 2), (1, 3)])
    """
    return [(r % 10, (r % 10 + 1 + r // 10) % 10) for r in range(runs)]


def pair_cost_matrices(pairs: list[tuple[int, int]], num_classes: int = 10) -> np.ndarray:
    """FP cost matrices (G, K, K): 19 at (i, j) of pair g, 0 elsewhere."""
    fp = np.zeros((len(pairs), num_classes, num_classes))
    for g, (i, j) in enumerate(pairs):
        fp[g, i, j] = PAIR_FP_COST
    return fp


def multiclass_pair_loss(fp_costs: torch.Tensor):
    """Per-model mean loss for Table II: model 0 of a group is categorical CE, model 1 RWWCE.

    Returns a function(logits (G, 2, B, K), labels (G, B)) -> (G, 2); group g uses fp_costs[g].
    """
    def loss(logits, labels):
        groups, _, batch, k = logits.shape
        control = F.cross_entropy(logits[:, 0].reshape(-1, k), labels.reshape(-1),
                                  reduction="none").view(groups, batch).mean(-1)
        fp_weight = fp_costs[torch.arange(groups, device=labels.device)[:, None], labels]
        fn_weight = torch.full((groups * batch,), PAIR_FN_COST, dtype=logits.dtype, device=logits.device)
        weighted = rwwce_per_example(logits[:, 1].reshape(-1, k), labels.reshape(-1), fn_weight,
                                     fp_weight.reshape(-1, k), reduction="none").view(groups, batch).mean(-1)
        return torch.stack([control, weighted], dim=1)
    return loss


def min_expected_cost(probabilities: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Bayes decision: argmin_j sum_i p_i cost[i, j], for probabilities (N, K) and cost (K, K)."""
    return np.argmin(probabilities @ cost, axis=1)


def multiclass_outcomes(y_true: np.ndarray, y_pred: np.ndarray, pair: tuple[int, int],
                        fp_cost: np.ndarray) -> dict:
    """Targeted mistakes C[i, j], all mistakes, error rate and Real World Cost of one run."""
    counts = confusion_matrix(y_true, y_pred, num_classes=fp_cost.shape[0])
    errors = int(len(y_true) - np.trace(counts))
    fn_cost = np.full(fp_cost.shape[0], PAIR_FN_COST)
    return dict(targeted=int(counts[pair]), errors=errors, n_test=len(y_true), error=errors / len(y_true),
                cost=real_world_cost(y_true, y_pred, fn_cost=fn_cost, fp_cost=fp_cost))


def run_table2(runs: int = TABLE2_RUNS, protocol: Protocol = Protocol(), device: str = "cpu",
               data=None) -> pd.DataFrame:
    """Train and evaluate ``runs`` Table II cost pairs; one row per (run, method)."""
    if not 1 <= runs <= TABLE2_RUNS:
        raise ValueError(f"runs: expected 1..{TABLE2_RUNS} for table2, got {runs}")
    X, labels = load_mnist_70k() if data is None else data
    parts = paper_split(np.arange(len(labels))[:, None], labels, seed=1)
    train_rows, test_rows = parts.X_train.ravel(), parts.X_test.ravel()
    pairs = cost_pairs(runs)
    fp = pair_cost_matrices(pairs)
    X_t, labels_t = torch.as_tensor(pixels_as_bytes(X), device=device), torch.as_tensor(labels, device=device)
    net = _to_device(init_stacked_mlp(MULTICLASS_LAYERS, groups=runs, models_per_group=2,
                                      seed=protocol.seed), device)
    schedule = batch_schedule([train_rows] * runs, protocol.epochs, protocol.batch_size,
                              protocol.seed)[:protocol.max_steps]
    loss = multiclass_pair_loss(torch.as_tensor(fp, dtype=torch.float32, device=device))
    train_stacked(net, X_t, labels_t, schedule, loss, protocol.lr, 1 / 255, desc="table2")
    y_test, rows = labels[test_rows], []
    decision_cost = fp + PAIR_FN_COST * (1 - np.eye(10))[None]
    with torch.no_grad():
        for g, pair in enumerate(pairs):
            probs = torch.softmax(net.group_logits(X_t[test_rows].float() / 255, g).double(), -1).cpu().numpy()
            decisions = {"control argmax": probs[0].argmax(1),
                         "control min-expected-cost": min_expected_cost(probs[0], decision_cost[g]),
                         "rwwce argmax": probs[1].argmax(1)}
            for name, y_pred in decisions.items():
                rows.append(dict(run=g, true=pair[0], predicted=pair[1], method=name,
                                 **multiclass_outcomes(y_test, y_pred, pair, fp[g])))
    return pd.DataFrame(rows)


def _to_device(net, device: str):
    """Move a StackedMLP's leaf tensors to ``device`` (kept as leaves with gradients)."""
    if device == "cpu":
        return net
    net.weights = [w.detach().to(device).requires_grad_() for w in net.weights]
    net.biases = [b.detach().to(device).requires_grad_() for b in net.biases]
    return net


def summarize(per_run: pd.DataFrame, columns: list[str], reference: str) -> pd.DataFrame:
    """Mean of ``columns`` per method, and paired t-test p-values of each column against ``reference``.

    p = ttest_rel(method, reference) over the runs (NaN for the reference itself or constant differences).
    """
    if reference not in set(per_run["method"]):
        raise ValueError(f"reference: method {reference!r} not among {sorted(set(per_run['method']))}")
    wide = {m: part.sort_values("run") for m, part in per_run.groupby("method", sort=False)}
    rows = []
    for method, part in wide.items():
        row = {"method": method, "runs": len(part)}
        row.update({c: part[c].mean() for c in columns})
        for c in columns:
            differs = method != reference and np.any(part[c].values != wide[reference][c].values)
            row[f"p({c})"] = ttest_rel(part[c].values, wide[reference][c].values).pvalue if differs else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def markdown_table(summary: pd.DataFrame, digits: int = 4) -> str:
    """A GitHub Markdown table of a summary frame; floats with ``digits`` significant digits."""
    def cell(value):
        if isinstance(value, (float, np.floating)):
            return "–" if np.isnan(value) else f"{value:.{digits}g}"
        return str(value)
    lines = ["| " + " | ".join(summary.columns) + " |", "|" + "---|" * len(summary.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in summary.itertuples(index=False)]
    return "\n".join(lines) + "\n"


TABLES = {
    "table1": dict(run=run_table1, columns=["fn", "fp", "error", "cost"], reference="rwwce@0.5",
                   title="Table I (binary, c_fn = 2000, c_fp = 100): means over runs; p = paired t-test vs RWWCE"),
    "table2": dict(run=run_table2, columns=["targeted", "errors", "error", "cost"], reference="rwwce argmax",
                   title="Table II (10 classes, FP cost 19 on one pair): means over runs; p = paired t-test vs RWWCE"),
}


def write_table(name: str, per_run: pd.DataFrame, out: Path) -> pd.DataFrame:
    """Write ``<name>_runs.csv`` and ``<name>.md`` into ``out``; return the summary frame."""
    spec = TABLES[name]
    out.mkdir(parents=True, exist_ok=True)
    per_run.to_csv(out / f"{name}_runs.csv", index=False)
    summary = summarize(per_run, spec["columns"], spec["reference"])
    (out / f"{name}.md").write_text(f"{spec['title']}\n\n{markdown_table(summary)}")
    return summary


CPU_TOLERANCE_SE = 2.8


def compare_with_committed(fresh: pd.DataFrame, committed: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Each method's mean of ``columns`` in a fresh run against the committed one, in standard errors.

    The same seeds give the same rows on the same machine, but another CPU (other SIMD kernels,
    another summation order) moves a run's counts by a few mistakes, and the means with them. Treat
    that as a new draw of training noise: the difference of two means then has standard deviation
    sqrt(2) * se, with se = sd(committed runs) / sqrt(runs), so 95 % of such differences lie within
    1.96 * sqrt(2) * se, about 2.8 se. A difference beyond it is a change of the code or protocol,
    not of the machine.

    Returns one row per (method, column): ``committed``, ``fresh``, ``se``, ``difference_in_se`` and
    ``within`` (|difference| <= 2.8 se; a column constant across runs must match exactly).
    """
    missing = sorted(set(committed["method"]) - set(fresh["method"]))
    if missing:
        raise ValueError(f"fresh: methods {missing} of the committed runs are missing")
    rows = []
    for method, part in committed.groupby("method", sort=False):
        new = fresh[fresh["method"] == method]
        if len(new) != len(part):
            raise ValueError(f"fresh: {len(new)} runs of {method!r}, the committed file has {len(part)}")
        for column in columns:
            se = part[column].std(ddof=1) / np.sqrt(len(part))
            difference = new[column].mean() - part[column].mean()
            in_se = difference / se if se > 0 else (0.0 if difference == 0 else np.inf)
            rows.append({"method": method, "column": column, "committed": part[column].mean(),
                         "fresh": new[column].mean(), "se": se, "difference_in_se": in_se,
                         "within": bool(abs(in_se) <= CPU_TOLERANCE_SE)})
    return pd.DataFrame(rows)


def compare_main(fresh_dir: Path, committed_dir: Path, tables: list[str]) -> bool:
    """Print the comparison of each table's fresh CSV with the committed one; True if all agree."""
    agree = True
    for name in tables:
        fresh, committed = (pd.read_csv(d / f"{name}_runs.csv") for d in (fresh_dir, committed_dir))
        comparison = compare_with_committed(fresh, committed, TABLES[name]["columns"])
        print(f"{name}: fresh ({fresh_dir}) vs committed ({committed_dir}); within {CPU_TOLERANCE_SE} se "
              "of the committed mean is what another CPU may move\n")
        print(markdown_table(comparison))
        agree &= bool(comparison["within"].all())
    print("the fresh replication agrees with the committed one" if agree else
          "the fresh replication differs from the committed one by more than another CPU explains")
    return agree


def main(argv=None) -> pd.DataFrame:
    """Command line: ``python -m wloss.replicate table1|table2 [--runs N] [--epochs E] [--max-steps S] [--device D] [--out DIR] [--seed S]``,
    or ``python -m wloss.replicate compare FRESH_DIR COMMITTED_DIR`` (exit status 1 if they differ)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["compare"]:
        if len(argv) != 3:
            raise SystemExit("usage: python -m wloss.replicate compare FRESH_DIR COMMITTED_DIR")
        fresh_dir, committed_dir = Path(argv[1]), Path(argv[2])
        tables = [name for name in sorted(TABLES) if (fresh_dir / f"{name}_runs.csv").is_file()]
        if not tables:
            raise SystemExit(f"{fresh_dir}: no tableN_runs.csv to compare")
        raise SystemExit(0 if compare_main(fresh_dir, committed_dir, tables) else 1)
    parser = argparse.ArgumentParser(prog="python -m wloss.replicate", description=__doc__.splitlines()[0])
    parser.add_argument("table", choices=sorted(TABLES))
    parser.add_argument("--runs", type=int, default=None, help="number of runs (default: all, 100 or 90)")
    parser.add_argument("--epochs", type=int, default=Protocol.epochs, help="epochs (paper: 10)")
    parser.add_argument("--max-steps", type=int, default=None, help="stop after this many steps (quick checks)")
    parser.add_argument("--device", default="cpu", help="torch device, e.g. cpu or cuda")
    parser.add_argument("--out", type=Path, default=Path("results"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    runs = args.runs or (TABLE1_RUNS if args.table == "table1" else TABLE2_RUNS)
    start = time.perf_counter()
    protocol = Protocol(epochs=args.epochs, seed=args.seed, max_steps=args.max_steps)
    per_run = TABLES[args.table]["run"](runs, protocol, args.device)
    summary = write_table(args.table, per_run, args.out)
    print(markdown_table(summary))
    print(f"{args.table}: {runs} runs x 2 models in {time.perf_counter() - start:.1f} s -> {args.out}")
    return summary


if __name__ == "__main__":
    main()
