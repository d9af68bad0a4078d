"""A benchmark of weighted losses and their rivals on KEEL's imbalanced data sets: ``python -m wloss.benchmark``.

What is compared
----------------
Every method maps a training set to a *score* per test example, the model's log-odds of the
positive class (KEEL's ``positive`` label, y = 1), and turns that score into a decision with a
fixed rule. The cost of a false positive is c_fp = 1 and the cost of a false negative is
c_fn = r, the *cost ratio*; the Bayes threshold on a calibrated probability is
t*(r) = c_fp / (c_fp + c_fn) = 1 / (1 + r) (``wloss.decisions.bayes_threshold``), i.e. on a
log-odds score z: predict positive when z > -log r.

================  ==================================================  =========  =================
method            model and training loss                             fitted     decision
================  ==================================================  =========  =================
``lr_ce``         logistic regression, plain cross-entropy            once       argmax
``lr_wce``        logistic regression, class-weighted CE, w+ = n-/n+  once       argmax
``lr_ce_bayes``   the model of ``lr_ce``                              once       Bayes (w = 1)
``lr_wce_bayes``  the model of ``lr_wce``                             once       Bayes (w = n-/n+)
``lr_rwwce``      logistic regression, RWWCE with c_fn = r, c_fp = 1  per ratio  argmax
``mlp_ce`` ...    the same five with the small MLP (``MLP``)          as above   as above
``smote_lr``      SMOTE (imbalanced-learn), then ``lr_ce``            once       argmax
``rus_lr``        random under-sampling, then ``lr_ce``               once       argmax
``lgbm``          LightGBM, plain log loss                            once       argmax
``lgbm_spw``      LightGBM, ``scale_pos_weight`` = n-/n+              once       argmax
================  ==================================================  =========  =================

The two decision rules, applied to the score z of a test example:

- **argmax**: positive when z > 0, i.e. p > 0.5 (``predict`` of scikit-learn and LightGBM).
  It does not depend on r; for ``*_rwwce`` it is nonetheless the Bayes decision, since a model
  trained with RWWCE(c_fn = r, c_fp = 1) estimates log-odds + log r, r being built into the fit.
- **Bayes (prior-corrected)**, "CE + Bayes threshold (prior-corrected)": the score of a model
  trained with positive weight w (w = 1 for plain CE, w = n-/n+ counted on the training fold for
  class-weighted CE) is first corrected to the true class prior, z - log w (King & Zeng's prior
  correction, ``wloss.calibration.prior_correction``: weighting the positives by w multiplies the
  fitted odds by w), then compared with the Bayes threshold: positive when z - log w > -log r,
  i.e. when the corrected probability exceeds 1 / (1 + r). For plain CE the correction is the
  identity, and at r = 1 ``lr_ce_bayes`` decides as ``lr_ce``.

A method whose *training* uses r (``*_rwwce``) is fitted once per cost ratio; every other method
is fitted once per (data set, fold, seed), and its decisions for each cost ratio are derived from
that one fit with its rule (argmax: the same decisions at every r; Bayes: the threshold -log r + log w).

Models
------
Logistic regression is scikit-learn's ``LogisticRegression`` (L2, C = 1, lbfgs) on features
standardised on the training fold; class weights and RWWCE's costs enter as its ``class_weight``
({0: c_fp, 1: c_fn} is exactly ``wloss.losses.rwwce_binary``'s weighting). The MLP is
``wloss.training.mlp(d, MLP.hidden, 1)`` on the same standardised features, trained full-batch
with Adam (``MLP.epochs``, ``MLP.lr``) on ``wloss.losses.weighted_bce_with_logits`` (plain CE,
``pos_weight`` = n-/n+) or ``rwwce_binary`` (c_fn = r, c_fp = 1), initialised from the seed.
SMOTE uses k = min(5, minority count - 1) neighbours (a training fold may hold only 4 positives).
LightGBM runs with its defaults and ``deterministic=True, n_jobs=1, verbose=-1``; its score is the
raw log-odds. Every unit runs with one thread (torch, BLAS, OpenMP), so that its rows do not
depend on the machine's core count nor on where it ran (joblib's processes or a Dask worker).

Protocol
--------
For each data set and seed, ``StratifiedKFold(5, shuffle=True, random_state=seed)``; the unit of
work is one (data set, fold, seed, method), which yields one row per cost ratio (``COLUMNS``):
``real_world_cost`` (``wloss.decisions.real_world_cost`` with c_fn = r, c_fp = 1: per test
example), ``balanced_accuracy`` of the decisions, ``average_precision`` of the scores,
``n_train``, ``n_test`` and the data set's ``imbalance_ratio`` (majority / minority count over all
its rows). Data sets are loaded with ``load_keel(name, missing="drop")`` (only
``cleveland-0_vs_4`` loses rows, four of them). A data set with fewer than 5 examples of either
class is skipped (every test fold must hold both classes, or average precision is undefined);
the reason is recorded (``SweepResult.skipped``, ``<out>_skipped.csv``, the summary).

``summarize`` ranks the methods within each data set (after averaging folds and seeds), per cost
ratio and metric, and averages the ranks over data sets (``write_summary``: Markdown).

Command line
------------
``python -m wloss.benchmark --out results/keel_benchmark.csv.gz [--datasets a,b] [--seeds 0,1]
[--cost-ratios 1,5,20,100] [--methods m1,m2] [--n-jobs 2] [--scheduler ADDRESS|local]``

Progress is shown with ``wloss.progress`` (silenced by ``WLOSS_PROGRESS=0``). ``--scheduler``
runs the same sweep on a Dask cluster through joblib's ``dask`` backend (``local``: a
``LocalCluster`` of ``--n-jobs`` single-threaded worker processes); the workers must find KEEL's
wheel themselves (``WLOSS_DATA`` or their user cache) and should run one thread each
(``dask worker ADDRESS --nthreads 1``), since a unit sets process-wide thread limits while it runs.
Start again from scratch by deleting ``--out``; a rerun skips the units already in it.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import math
import numbers
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple, Sequence

import numpy as np
import pandas as pd

from wloss.data import load_keel
from wloss.decisions import real_world_cost
from wloss.metrics import average_precision, balanced_accuracy
from wloss.progress import progress

N_SPLITS = 5
MIN_CLASS_COUNT = N_SPLITS  # fewer examples of a class than folds: some test fold would lack that class
KEY = ["dataset", "fold", "seed", "method", "cost_ratio"]
UNIT = KEY[:4]
METRICS = {"real_world_cost": "lower", "balanced_accuracy": "higher", "average_precision": "higher"}
COLUMNS = [*KEY, *METRICS, "n_train", "n_test", "imbalance_ratio"]
DEFAULT_COST_RATIOS = (1.0, 5.0, 20.0, 100.0)
DEFAULT_SEEDS = (0, 1, 2)
DEFAULT_OUT = Path("results/keel_benchmark.csv.gz")


@dataclass(frozen=True)
class MLPSettings:
    """The small MLP: hidden layer sizes, full-batch Adam epochs and learning rate."""

    hidden: tuple = (16,)
    epochs: int = 100
    lr: float = 0.03


MLP = MLPSettings()


# ---- validation -------------------------------------------------------------------------------

def _check_int(value, name: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _check_cost_ratio(cost_ratio) -> float:
    if isinstance(cost_ratio, bool) or not isinstance(cost_ratio, numbers.Real):
        raise ValueError(f"cost_ratio must be a finite number > 0, got {cost_ratio!r}")
    if not (math.isfinite(cost_ratio) and cost_ratio > 0):
        raise ValueError(f"cost_ratio must be a finite number > 0, got {cost_ratio!r}")
    return float(cost_ratio)


def _check_list(values, name: str) -> list:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or len(values) == 0:
        raise ValueError(f"{name} must be a non-empty list, got {values!r}")
    if len(set(values)) != len(values):
        raise ValueError(f"{name} has duplicates: {list(values)!r}")
    return list(values)


def _check_fit_inputs(X_train, y_train, X_test) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """2-D finite features with the same columns, and 0/1 training labels holding both classes."""
    X_tr = np.asarray(X_train, dtype=np.float64)
    X_te = np.asarray(X_test, dtype=np.float64)
    y = np.asarray(y_train)
    for name, X in (("X_train", X_tr), ("X_test", X_te)):
        if X.ndim != 2 or X.shape[0] == 0 or not np.isfinite(X).all():
            raise ValueError(f"{name} must be a non-empty 2-D array of finite numbers, got shape {X.shape}")
    if X_tr.shape[1] != X_te.shape[1]:
        raise ValueError(f"X_test must have the {X_tr.shape[1]} columns of X_train, got {X_te.shape[1]}")
    if y.shape != (X_tr.shape[0],) or not np.isin(y, (0, 1)).all():
        raise ValueError(f"y_train must hold one 0/1 label per row of X_train, got shape {y.shape}")
    if np.unique(y).size != 2:
        raise ValueError("y_train must hold both classes 0 and 1")
    return X_tr, y.astype(np.int64), X_te


def positive_weight(y_train) -> float:
    """w+ = n- / n+ on the training labels: the weight that balances the two classes.

    Examples
    --------
    >>> positive_weight([0, 0, 0, 1])
    3.0
    """
    y = np.asarray(y_train)
    return float((y == 0).sum() / (y == 1).sum())


@contextlib.contextmanager
def single_threaded():
    """One thread for torch and for every BLAS / OpenMP pool, restored on exit."""
    import torch
    from threadpoolctl import threadpool_limits

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        torch.set_num_threads(threads)


# ---- the models: each returns log-odds scores for X_test --------------------------------------

def _standardised_lr(class_weight=None):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(class_weight=class_weight, max_iter=1000))


def _lr_scores(X_train, y_train, X_test, pos_weight=1.0, neg_weight=1.0) -> np.ndarray:
    X_tr, y, X_te = _check_fit_inputs(X_train, y_train, X_test)
    model = _standardised_lr({0: neg_weight, 1: pos_weight}).fit(X_tr, y)
    return model.decision_function(X_te).astype(np.float64)


def _mlp_scores(X_train, y_train, X_test, seed, loss_fn, settings: MLPSettings = MLP) -> np.ndarray:
    from sklearn.preprocessing import StandardScaler

    from wloss.training import mlp, predict_logits, train

    X_tr, y, X_te = _check_fit_inputs(X_train, y_train, X_test)
    seed = _check_int(seed, "seed")
    scaler = StandardScaler().fit(X_tr)
    model = mlp(X_tr.shape[1], settings.hidden, 1, seed=seed)
    train(model, scaler.transform(X_tr), y, loss_fn, epochs=settings.epochs, lr=settings.lr, seed=seed)
    return predict_logits(model, scaler.transform(X_te)).astype(np.float64)


def _weighted_bce(pos_weight: float) -> Callable:
    from wloss.losses import weighted_bce_with_logits

    return functools.partial(weighted_bce_with_logits, pos_weight=pos_weight)


def _rwwce(cost_ratio: float) -> Callable:
    from wloss.losses import rwwce_binary

    return functools.partial(rwwce_binary, fn_cost=_check_cost_ratio(cost_ratio), fp_cost=1.0)


def _resampled_lr_scores(sampler, X_train, y_train, X_test) -> np.ndarray:
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    X_tr, y, X_te = _check_fit_inputs(X_train, y_train, X_test)
    model = make_pipeline(StandardScaler(), sampler, LogisticRegression(max_iter=1000)).fit(X_tr, y)
    return model.decision_function(X_te).astype(np.float64)


def _lgbm_scores(X_train, y_train, X_test, seed, scale_pos_weight=1.0) -> np.ndarray:
    from lightgbm import LGBMClassifier

    X_tr, y, X_te = _check_fit_inputs(X_train, y_train, X_test)
    model = LGBMClassifier(scale_pos_weight=scale_pos_weight, random_state=_check_int(seed, "seed"),
                           deterministic=True, force_col_wise=True, n_jobs=1, verbose=-1)
    model.fit(X_tr, y)
    return np.asarray(model.predict_proba(X_te, raw_score=True), dtype=np.float64)


# ---- the registry's fit_predict functions: (X_train, y_train, X_test, seed, cost_ratio) -> scores ----

def lr_ce(X_train, y_train, X_test, seed, cost_ratio=None):
    """Logistic regression with plain cross-entropy; ``seed`` and ``cost_ratio`` unused (lbfgs is exact)."""
    return _lr_scores(X_train, y_train, X_test)


def lr_wce(X_train, y_train, X_test, seed, cost_ratio=None):
    """Logistic regression with class-weighted cross-entropy, w+ = n-/n+ on the training fold."""
    return _lr_scores(X_train, y_train, X_test, pos_weight=positive_weight(y_train))


def lr_rwwce(X_train, y_train, X_test, seed, cost_ratio):
    """Logistic regression with binary RWWCE: class weights {0: c_fp = 1, 1: c_fn = cost_ratio}."""
    return _lr_scores(X_train, y_train, X_test, pos_weight=_check_cost_ratio(cost_ratio))


def mlp_ce(X_train, y_train, X_test, seed, cost_ratio=None):
    """The small MLP trained with plain cross-entropy (``weighted_bce_with_logits``, weights 1)."""
    return _mlp_scores(X_train, y_train, X_test, seed, _weighted_bce(1.0))


def mlp_wce(X_train, y_train, X_test, seed, cost_ratio=None):
    """The small MLP trained with class-weighted cross-entropy, ``pos_weight`` = n-/n+."""
    return _mlp_scores(X_train, y_train, X_test, seed, _weighted_bce(positive_weight(y_train)))


def mlp_rwwce(X_train, y_train, X_test, seed, cost_ratio):
    """The small MLP trained with ``rwwce_binary(fn_cost=cost_ratio, fp_cost=1)``."""
    return _mlp_scores(X_train, y_train, X_test, seed, _rwwce(cost_ratio))


def smote_lr(X_train, y_train, X_test, seed, cost_ratio=None):
    """SMOTE to balance the classes (k = min(5, minority - 1) neighbours), then logistic regression."""
    from imblearn.over_sampling import SMOTE

    minority = int(min(np.sum(np.asarray(y_train) == 1), np.sum(np.asarray(y_train) == 0)))
    sampler = SMOTE(k_neighbors=max(1, min(5, minority - 1)), random_state=_check_int(seed, "seed"))
    return _resampled_lr_scores(sampler, X_train, y_train, X_test)


def rus_lr(X_train, y_train, X_test, seed, cost_ratio=None):
    """Random under-sampling of the majority to the minority's count, then logistic regression."""
    from imblearn.under_sampling import RandomUnderSampler

    return _resampled_lr_scores(RandomUnderSampler(random_state=_check_int(seed, "seed")), X_train, y_train, X_test)


def lgbm(X_train, y_train, X_test, seed, cost_ratio=None):
    """LightGBM with its default log loss; the score is the raw log-odds."""
    return _lgbm_scores(X_train, y_train, X_test, seed)


def lgbm_spw(X_train, y_train, X_test, seed, cost_ratio=None):
    """LightGBM with ``scale_pos_weight`` = n-/n+ on the training fold."""
    return _lgbm_scores(X_train, y_train, X_test, seed, scale_pos_weight=positive_weight(y_train))


@dataclass(frozen=True)
class Method:
    """One entry of ``METHODS``.

    Attributes
    ----------
    fit_predict : callable
        ``fit_predict(X_train, y_train, X_test, seed, cost_ratio) -> scores``, log-odds of the
        positive class, shape (n_test,). ``cost_ratio`` is None for a method fitted once.
    per_cost_ratio : bool
        True when training uses the cost ratio: one fit per ratio. False: one fit for all ratios.
    rule : {"argmax", "bayes"}
        The decision rule (see the module docstring).
    balanced : bool
        Trained with positive weight w = n-/n+ (the "bayes" rule then subtracts log w first).
    """

    fit_predict: Callable
    per_cost_ratio: bool = False
    rule: str = "argmax"
    balanced: bool = False

    def threshold(self, y_train, cost_ratio: float) -> float:
        """The threshold t on the score: the decision is positive when score > t."""
        if self.rule == "argmax":
            return 0.0
        log_w = math.log(positive_weight(y_train)) if self.balanced else 0.0
        return log_w - math.log(_check_cost_ratio(cost_ratio))


METHODS: dict[str, Method] = {
    "lr_ce": Method(lr_ce),
    "lr_wce": Method(lr_wce, balanced=True),
    "lr_ce_bayes": Method(lr_ce, rule="bayes"),
    "lr_wce_bayes": Method(lr_wce, rule="bayes", balanced=True),
    "lr_rwwce": Method(lr_rwwce, per_cost_ratio=True),
    "mlp_ce": Method(mlp_ce),
    "mlp_wce": Method(mlp_wce, balanced=True),
    "mlp_ce_bayes": Method(mlp_ce, rule="bayes"),
    "mlp_wce_bayes": Method(mlp_wce, rule="bayes", balanced=True),
    "mlp_rwwce": Method(mlp_rwwce, per_cost_ratio=True),
    "smote_lr": Method(smote_lr),
    "rus_lr": Method(rus_lr),
    "lgbm": Method(lgbm),
    "lgbm_spw": Method(lgbm_spw, balanced=True),
}


def _check_methods(methods) -> list[str]:
    names = _check_list(methods, "methods")
    unknown = [name for name in names if name not in METHODS]
    if unknown:
        raise ValueError(f"methods: unknown {unknown}; known: {', '.join(METHODS)}")
    return names


def _check_cost_ratios(cost_ratios) -> list[float]:
    ratios = _check_list(cost_ratios, "cost_ratios")
    try:
        return [_check_cost_ratio(ratio) for ratio in ratios]
    except ValueError as error:
        raise ValueError(f"cost_ratios: {error}") from None


# ---- data ------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=8)
def load_dataset(name: str, root=None) -> tuple[np.ndarray, np.ndarray]:
    """``load_keel(name, root, missing="drop")``, cached per process, arrays read-only."""
    X, y = load_keel(name, root, missing="drop")
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


def skip_reason(y) -> str | None:
    """Why a data set with labels ``y`` cannot be benchmarked, or None when it can.

    Examples
    --------
    >>> skip_reason([1] * 4 + [0] * 50)
    '4 positives (fewer than 5): a test fold of StratifiedKFold(5) would hold none'
    >>> skip_reason([1] * 5 + [0] * 50) is None
    True
    """
    y = np.asarray(y)
    for label, name in ((1, "positives"), (0, "negatives")):
        count = int(np.sum(y == label))
        if count < MIN_CLASS_COUNT:
            return (f"{count} {name} (fewer than {MIN_CLASS_COUNT}): "
                    f"a test fold of StratifiedKFold({N_SPLITS}) would hold none")
    return None


def imbalance_ratio(y) -> float:
    """Majority count / minority count (as ``wloss.data.keel`` defines it).

    Examples
    --------
    >>> imbalance_ratio([0, 0, 0, 1])
    3.0
    """
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=2)
    return float(counts.max() / counts.min())


def fold_indices(y, fold: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test rows of fold ``fold`` of ``StratifiedKFold(5, shuffle=True, random_state=seed)``."""
    from sklearn.model_selection import StratifiedKFold

    fold = _check_int(fold, "fold")
    if fold >= N_SPLITS:
        raise ValueError(f"fold must be in 0..{N_SPLITS - 1}, got {fold}")
    splitter = StratifiedKFold(N_SPLITS, shuffle=True, random_state=_check_int(seed, "seed"))
    y = np.asarray(y)
    return list(splitter.split(np.zeros((len(y), 1)), y))[fold]


# ---- one unit of work -------------------------------------------------------------------------

def score_rows(y_test, scores, decisions_by_ratio: dict, base: dict) -> list[dict]:
    """One row per cost ratio: ``base`` plus the three metrics of the decisions at that ratio."""
    ap = average_precision(y_test, scores)
    rows = []
    for ratio, decisions in decisions_by_ratio.items():
        rows.append({**base, "cost_ratio": ratio,
                     "real_world_cost": real_world_cost(y_test, decisions, fn_cost=ratio, fp_cost=1.0),
                     "balanced_accuracy": balanced_accuracy(y_test, decisions),
                     "average_precision": ap})
    return rows


def run_unit(dataset: str, fold: int, seed: int, method: str, cost_ratios, root=None) -> list[dict]:
    """Fit and score one (data set, fold, seed, method): one row dict per cost ratio (keys ``COLUMNS``).

    Examples
    --------
    >>> rows = run_unit("glass-0-4_vs_5", 0, 0, "lr_ce_bayes", [1, 20])  # doctest: +SKIP
    >>> [row["cost_ratio"] for row in rows]  # doctest: +SKIP
    [1.0, 20.0]
    """
    spec = METHODS[_check_methods([method])[0]]
    ratios = _check_cost_ratios(cost_ratios)
    X, y = load_dataset(dataset, root)
    train, test = fold_indices(y, fold, seed)
    X_tr, y_tr, X_te, y_te = X[train], y[train], X[test], y[test]
    base = {"dataset": dataset, "fold": int(fold), "seed": int(seed), "method": method,
            "n_train": len(train), "n_test": len(test), "imbalance_ratio": imbalance_ratio(y)}
    rows = []
    with single_threaded():
        if spec.per_cost_ratio:
            for ratio in ratios:
                scores = spec.fit_predict(X_tr, y_tr, X_te, seed, ratio)
                decisions = {ratio: (scores > spec.threshold(y_tr, ratio)).astype(np.int64)}
                rows += score_rows(y_te, scores, decisions, base)
        else:
            scores = spec.fit_predict(X_tr, y_tr, X_te, seed, None)
            decisions = {ratio: (scores > spec.threshold(y_tr, ratio)).astype(np.int64) for ratio in ratios}
            rows = score_rows(y_te, scores, decisions, base)
    return [{column: row[column] for column in COLUMNS} for row in rows]


# ---- the sweep --------------------------------------------------------------------------------

class SweepResult(NamedTuple):
    """What ``run_sweep`` returns: the final rows (as in the CSV), skipped data sets, units computed now."""

    rows: pd.DataFrame
    skipped: dict
    units_run: int


def _stem(out_csv) -> str:
    """``keel_benchmark`` for ``keel_benchmark.csv`` and for the gzipped ``keel_benchmark.csv.gz``."""
    name = Path(out_csv).name
    return name.removesuffix(".gz").removesuffix(".csv")


def skipped_path(out_csv) -> Path:
    """Where ``run_sweep`` records skipped data sets: ``<out stem>_skipped.csv`` beside ``out_csv``."""
    return Path(out_csv).with_name(f"{_stem(out_csv)}_skipped.csv")


def summary_path(out_csv) -> Path:
    """Where the command line writes the mean ranks: ``<out stem>.md`` beside ``out_csv``."""
    return Path(out_csv).with_name(f"{_stem(out_csv)}.md")


# pandas 3 parses floats exactly by default (and deprecates the option); pandas 2 needs "round_trip"
_EXACT_FLOATS = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


def read_rows(path) -> pd.DataFrame:
    """Rows of a benchmark CSV (exact floats); a missing file gives an empty frame with ``COLUMNS``."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        return pd.DataFrame(columns=COLUMNS)
    rows = pd.read_csv(path, on_bad_lines="skip", **_EXACT_FLOATS)
    if list(rows.columns) != COLUMNS:
        raise ValueError(f"out_csv: {path} has columns {list(rows.columns)}, expected {COLUMNS}; "
                         "move it away or choose another --out")
    # a line cut short by an interrupted run: missing fields (NaN) or unparsable numbers
    numeric = rows[COLUMNS[4:]].apply(pd.to_numeric, errors="coerce")
    complete = numeric.notna().all(axis=1) & rows[UNIT].notna().all(axis=1)
    rows = pd.concat([rows[UNIT][complete], numeric[complete]], axis=1)
    return rows.astype({"fold": np.int64, "seed": np.int64, "n_train": np.int64, "n_test": np.int64})


def sort_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per key (the last one kept), sorted by dataset, fold, seed, method, cost_ratio."""
    rows = rows.drop_duplicates(KEY, keep="last")
    return rows.sort_values(KEY, kind="mergesort").reset_index(drop=True)[COLUMNS]


def _encode(rows: pd.DataFrame, path: Path, header: bool) -> bytes:
    """The rows as CSV bytes; gzipped (no file name, no time stamp: the same rows, the same bytes) for a .gz path."""
    data = rows.to_csv(index=False, header=header).encode()
    return gzip.compress(data, mtime=0) if Path(path).suffix == ".gz" else data


def _write_csv(rows: pd.DataFrame, path: Path) -> None:
    """Write atomically: a temporary file beside ``path``, then renamed over it (gzipped if ``path`` ends in .gz)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(_encode(rows, path, header=True))
    os.replace(temporary, path)


def _append_rows(rows: list[dict], path: Path) -> None:
    """Append as a run goes (a gzipped file gains one gzip member per call, which readers join)."""
    with open(path, "ab") as file:
        file.write(_encode(pd.DataFrame(rows, columns=COLUMNS), path, header=False))


def done_units(rows: pd.DataFrame, cost_ratios) -> set[tuple]:
    """The units (dataset, fold, seed, method) of ``rows`` that have a row for every one of ``cost_ratios``."""
    wanted = rows[rows["cost_ratio"].isin(list(cost_ratios))].drop_duplicates(KEY)
    counts = wanted.groupby(UNIT).size()
    return {tuple(unit) for unit, count in counts.items() if count == len(cost_ratios)}


def plan_sweep(datasets, seeds, methods, folds=None, root=None) -> tuple[list[tuple], dict]:
    """All units (dataset, fold, seed, method) of a sweep, in sorted order, and the skipped data sets."""
    folds = list(range(N_SPLITS)) if folds is None else [_check_int(f, "folds") for f in _check_list(folds, "folds")]
    if any(fold >= N_SPLITS for fold in folds):
        raise ValueError(f"folds must be in 0..{N_SPLITS - 1}, got {folds}")
    units, skipped = [], {}
    for dataset in sorted(datasets):
        try:
            _, y = load_dataset(dataset, root)
        except ValueError as error:
            raise ValueError(f"datasets: {error}") from None
        reason = skip_reason(y)
        if reason is not None:
            skipped[dataset] = reason
            continue
        units += [(dataset, fold, seed, method) for fold in sorted(folds) for seed in sorted(seeds)
                  for method in sorted(methods)]
    return units, skipped


def run_sweep(datasets, seeds, methods, cost_ratios, out_csv, n_jobs: int = 2, backend: str | None = "loky",
              folds=None, root=None) -> SweepResult:
    """Run every unit (dataset, fold, seed, method) not yet in ``out_csv`` and write the sorted CSV.

    Parameters
    ----------
    datasets : list of str
        Names from ``wloss.data.keel_names()``.
    seeds : list of int
        One ``StratifiedKFold(5, shuffle=True, random_state=seed)`` and model seed each.
    methods : list of str
        Keys of ``METHODS``.
    cost_ratios : list of float
        c_fn / c_fp, each finite and > 0 (c_fp = 1).
    out_csv : str or Path
        The CSV of rows (``COLUMNS``). If it exists, its units that have a row for every one of
        ``cost_ratios`` are kept and not run again (resume); its other rows are kept as they are.
        Rows are appended as units finish; at the end the file is rewritten, one row per key,
        sorted by dataset, fold, seed, method, cost_ratio, so the same sweep gives the same file.
    n_jobs : int
        joblib's ``n_jobs`` (1: in this process).
    backend : str or None
        joblib's backend: "loky" (processes, the default), "dask" (a ``dask.distributed.Client``
        must be running: the tasks go to its cluster), or None for whatever
        ``joblib.parallel_config`` sets around the call.
    folds : list of int, optional
        Which of the 5 folds to run (default: all); for quick checks.
    root : str or Path, optional
        A folder holding KEEL's wheel (``wloss.data.keel_search_dirs``).

    Returns
    -------
    SweepResult
        ``(rows, skipped, units_run)``: the final CSV as a frame, {data set: reason} for the
        skipped data sets (also written to ``skipped_path(out_csv)``), and how many units ran now.

    Examples
    --------
    >>> result = run_sweep(["glass-0-4_vs_5"], [0], ["lr_ce"], [1, 5], "/tmp/b.csv")  # doctest: +SKIP
    >>> len(result.rows)  # 5 folds x 2 cost ratios  # doctest: +SKIP
    10
    """
    from joblib import Parallel, delayed, parallel_config

    datasets = _check_list(datasets, "datasets")
    seeds = [_check_int(seed, "seeds") for seed in _check_list(seeds, "seeds")]
    methods, ratios = _check_methods(methods), _check_cost_ratios(cost_ratios)
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or not (n_jobs >= 1 or n_jobs == -1):
        raise ValueError(f"n_jobs must be -1 (every worker) or an int >= 1, got {n_jobs!r}")
    if backend is not None and not isinstance(backend, str):
        raise ValueError(f"backend must be a joblib backend name or None, got {backend!r}")
    if backend == "dask":
        _require_dask_client()
    out_csv = Path(out_csv)
    units, skipped = plan_sweep(datasets, seeds, methods, folds, root)
    existing = read_rows(out_csv)
    done = done_units(existing, ratios)
    todo = [unit for unit in units if unit not in done]
    # keep complete units only, so that a unit cut short is run again whole
    planned = set(units)
    keep = existing.loc[np.array([tuple(unit) in done or tuple(unit) not in planned
                                  for unit in existing[UNIT].itertuples(index=False)], dtype=bool)]
    _write_csv(sort_rows(keep), out_csv)
    _write_skipped(skipped, out_csv)
    if todo:
        config = contextlib.nullcontext() if backend is None else parallel_config(backend=backend)
        with config:
            parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
            results = parallel(delayed(run_unit)(*unit, ratios, root) for unit in todo)
            for rows in progress(results, total=len(todo), desc="KEEL benchmark"):
                _append_rows(rows, out_csv)
    final = sort_rows(read_rows(out_csv))
    _write_csv(final, out_csv)
    return SweepResult(final, skipped, len(todo))


def _require_dask_client() -> None:
    try:
        from distributed import get_client
        get_client()
    except (ImportError, ValueError) as error:
        raise ValueError("backend='dask' needs dask.distributed and a running Client "
                         f"(Client(address) or Client(LocalCluster())): {error}") from None


def _write_skipped(skipped: dict, out_csv: Path) -> None:
    frame = pd.DataFrame(sorted(skipped.items()), columns=["dataset", "reason"])
    _write_csv(frame, skipped_path(out_csv))


# ---- the summary ------------------------------------------------------------------------------

def summarize(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean rank of each method per (cost_ratio, metric) over data sets.

    Within each data set the rows are first averaged over folds and seeds; the methods are then
    ranked per (data set, cost ratio, metric), 1 = best (lowest Real World Cost, highest balanced
    accuracy and average precision), ties sharing their mean rank; only data sets where every
    method has a result at that cost ratio are ranked.

    Returns
    -------
    DataFrame
        Columns ``metric, cost_ratio, method, mean_rank, mean_value, n_datasets``.
    """
    missing = [column for column in COLUMNS if column not in rows.columns]
    if missing:
        raise ValueError(f"rows: missing columns {missing}")
    means = rows.groupby(["dataset", "cost_ratio", "method"])[list(METRICS)].mean().reset_index()
    methods = means["method"].nunique()
    complete = means.groupby(["dataset", "cost_ratio"])["method"].transform("nunique") == methods
    means = means[complete]
    parts = []
    for metric, better in METRICS.items():
        ranks = means.groupby(["dataset", "cost_ratio"])[metric].rank(ascending=better == "lower")
        frame = means.assign(rank=ranks).groupby(["cost_ratio", "method"]).agg(
            mean_rank=("rank", "mean"), mean_value=(metric, "mean"), n_datasets=("dataset", "nunique"))
        parts.append(frame.reset_index().assign(metric=metric))
    summary = pd.concat(parts, ignore_index=True)
    return summary[["metric", "cost_ratio", "method", "mean_rank", "mean_value", "n_datasets"]]


def summary_markdown(rows: pd.DataFrame, skipped: dict | None = None) -> str:
    """Markdown: per metric, a table of mean ranks, methods by row and cost ratios by column."""
    lines = ["# KEEL benchmark: mean rank of each method (1 = best)", ""]
    if rows.empty:
        lines += ["No rows yet.", ""]
    else:
        lines += [f"{rows['dataset'].nunique()} data sets, seeds {sorted(rows['seed'].unique().tolist())}, "
                  f"{rows['fold'].nunique()} folds each; ranks within each data set after averaging folds and "
                  "seeds, then averaged over data sets (n: data sets where every method has a result).", ""]
        lines += _rank_tables(summarize(rows))
    if skipped:
        lines += ["## Skipped data sets", ""] + [f"- {name}: {reason}" for name, reason in sorted(skipped.items())]
        lines.append("")
    return "\n".join(lines)


def _rank_tables(summary: pd.DataFrame) -> list[str]:
    """One Markdown table per metric: methods (registry order) by row, cost ratios by column."""
    order = [method for method in METHODS if method in set(summary["method"])]
    lines = []
    for metric, better in METRICS.items():
        table = summary[summary["metric"] == metric].pivot(index="method", columns="cost_ratio", values="mean_rank")
        table = table.loc[order]
        counts = summary[summary["metric"] == metric].groupby("cost_ratio")["n_datasets"].max()
        lines += [f"## {metric} ({better} is better)", "",
                  "| method | " + " | ".join(f"r = {ratio:g} (n = {counts[ratio]})" for ratio in table.columns) + " |",
                  "|---|" + "---:|" * len(table.columns)]
        lines += [f"| {method} | " + " | ".join(f"{value:.2f}" for value in table.loc[method]) + " |"
                  for method in table.index]
        lines.append("")
    return lines


def write_summary(rows: pd.DataFrame, path, skipped: dict | None = None) -> str:
    """Write ``summary_markdown(rows, skipped)`` to ``path``; return the text."""
    text = summary_markdown(rows, skipped)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return text


# ---- command line -----------------------------------------------------------------------------

def _split(text: str, kind: Callable, name: str) -> list:
    try:
        return [kind(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name}: expected a comma-separated list, got {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m wloss.benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"the CSV of rows (default {DEFAULT_OUT})")
    parser.add_argument("--datasets", type=lambda s: _split(s, str.strip, "--datasets"), default=None,
                        help="comma-separated KEEL names (default: all)")
    parser.add_argument("--seeds", type=lambda s: _split(s, int, "--seeds"), default=list(DEFAULT_SEEDS),
                        help="comma-separated seeds of the folds and models "
                        f"(default {','.join(map(str, DEFAULT_SEEDS))})")
    parser.add_argument("--cost-ratios", type=lambda s: _split(s, float, "--cost-ratios"),
                        default=list(DEFAULT_COST_RATIOS), help="comma-separated c_fn / c_fp, c_fp = 1 "
                        f"(default {','.join(f'{r:g}' for r in DEFAULT_COST_RATIOS)})")
    parser.add_argument("--methods", type=lambda s: _split(s, str.strip, "--methods"), default=list(METHODS),
                        help=f"comma-separated, among {','.join(METHODS)} (default: all)")
    parser.add_argument("--folds", type=lambda s: _split(s, int, "--folds"), default=None,
                        help="which of the 5 folds (default: all; for quick checks)")
    parser.add_argument("--n-jobs", type=int, default=2, help="joblib processes, or LocalCluster workers (default 2)")
    parser.add_argument("--scheduler", default=None,
                        help="a Dask scheduler's address, or 'local' for a LocalCluster of --n-jobs workers")
    parser.add_argument("--summary", type=Path, default=None, help="Markdown summary (default: --out with .md)")
    return parser


@contextlib.contextmanager
def _dask_client(scheduler: str | None, n_jobs: int):
    """None: no client. 'local': a LocalCluster of ``n_jobs`` one-thread worker processes. Else an address."""
    if scheduler is None:
        yield None
        return
    from distributed import Client, LocalCluster

    if scheduler == "local":
        with LocalCluster(n_workers=n_jobs, threads_per_worker=1, processes=True) as cluster, Client(cluster) as client:
            yield client
    else:
        with Client(scheduler) as client:
            yield client


def main(argv=None) -> SweepResult:
    """Command line (see the module docstring)."""
    from wloss.data import keel_names

    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    datasets = args.datasets if args.datasets is not None else keel_names()
    start = time.perf_counter()
    with _dask_client(args.scheduler, args.n_jobs) as client:
        backend = "loky" if client is None else "dask"
        n_jobs = args.n_jobs if client is None else -1
        result = run_sweep(datasets, args.seeds, args.methods, args.cost_ratios, args.out,
                           n_jobs=n_jobs, backend=backend, folds=args.folds)
    summary = args.summary or summary_path(args.out)
    write_summary(result.rows, summary, result.skipped)
    print(f"{result.units_run} units run in {time.perf_counter() - start:.1f} s; "
          f"{len(result.rows)} rows -> {args.out}, summary -> {summary}"
          + (f"; skipped: {', '.join(result.skipped)}" if result.skipped else ""))
    return result


if __name__ == "__main__":
    # Run main() from the module imported under its own name: under `python -m` this file is __main__, and the
    # functions sent to joblib's worker processes must pickle as wloss.benchmark.<name>, not __main__.<name>.
    from wloss.benchmark import main as _main_of_the_module
    _main_of_the_module()
