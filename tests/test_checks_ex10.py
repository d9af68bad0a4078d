"""Exercise 10's checks: the solution passes; plausible wrong answers fail with CheckFailed, never with a raw
exception, and no failure message gives the answer away."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from wloss.checks import CheckFailed, ex10
from wloss.data import make_counting_images
from wloss.losses import rps_loss
from wloss.training import predict_proba, train


def fails(check, *args, **kwargs):
    with pytest.raises(CheckFailed) as info:
        check(*args, **kwargs)
    return str(info.value)


# --- task 1: the colleague's RPS
def right_rps(probs, labels):
    steps = np.arange(probs.shape[1])[None, :] >= np.asarray(labels)[:, None]
    return np.sum((np.cumsum(probs, axis=1) - steps) ** 2, axis=1)


def colleague_rps(probs, labels):
    n, k = probs.shape
    cumulative = np.concatenate([np.zeros((n, 1)), np.cumsum(probs, axis=1)[:, :-1]], axis=1)
    steps = np.arange(k)[None, :] >= np.asarray(labels)[:, None]
    return np.sum((cumulative - steps) ** 2, axis=1)


WRONG_RPS = {
    "the colleague's shifted cumsum": colleague_rps,
    "strict step 1[i > y]": lambda p, y: np.sum((np.cumsum(p, 1) - (np.arange(p.shape[1]) > y[:, None])) ** 2, 1),
    "absolute instead of squared": lambda p, y: np.sum(np.abs(np.cumsum(p, 1) - (np.arange(p.shape[1]) >= y[:, None])), 1),
    "normalised by K - 1": lambda p, y: right_rps(p, y) / (p.shape[1] - 1),
    "probabilities, not cumulative": lambda p, y: np.sum((p - (np.arange(p.shape[1]) >= y[:, None])) ** 2, 1),
    "the mean over the batch": lambda p, y: right_rps(p, y).mean(),
}


def test_rps():
    ex10.check_rps(right_rps)
    ex10.check_rps(right_rps, hidden=True)
    for name, wrong in WRONG_RPS.items():
        message = fails(ex10.check_rps, wrong)
        assert "np.cumsum" not in message and ">=" not in message, name
    assert "K - 1" in fails(ex10.check_rps, WRONG_RPS["normalised by K - 1"])


def test_colleague_rps_is_wrong_on_a_perfect_forecast():
    # a perfect forecast has RPS 0; the shifted cumsum gives it 1 (the step at the true class is missed)
    assert right_rps(np.eye(3)[[1]], np.array([1]))[0] == 0
    assert colleague_rps(np.eye(3)[[1]], np.array([1]))[0] == 1


# --- task 2: the prediction about class weights, on constructed forecasts
LABELS = np.array([0, 0, 1, 2, 6, 7, 9, 12])
UNWEIGHTED = np.eye(16)[[0, 0, 1, 2, 4, 5, 7, 9]]  # rare counts under-predicted by 2-3
WEIGHTED = np.eye(16)[[0, 1, 1, 2, 6, 7, 8, 12]]  # rare counts mostly right, one frequent error more


def test_weighting_prediction():
    ex10.check_weighting_prediction("lower", "higher", UNWEIGHTED, WEIGHTED, LABELS)
    ex10.check_weighting_prediction("lower", "higher", UNWEIGHTED, WEIGHTED, LABELS, hidden=True)
    for rare, frequent in [("higher", "higher"), ("lower", "lower"), ("about the same", "higher"),
                           ("lower", "about the same"), (None, None), ("down", "up")]:
        message = fails(ex10.check_weighting_prediction, rare, frequent, UNWEIGHTED, WEIGHTED, LABELS)
        if rare in ex10.CHANGES and frequent in ex10.CHANGES:  # a malformed answer is told the choices
            shown = {"'lower'", "'higher'"} - {f"'{rare}'", f"'{frequent}'"}  # the outcomes not predicted
            assert not any(outcome in message for outcome in shown), message
    # hidden: an experiment that did not use the weights
    fails(ex10.check_weighting_prediction, "about the same", "about the same", UNWEIGHTED, UNWEIGHTED, LABELS,
          hidden=True)


# --- task 3: the point forecast expected-L1 prefers
def median_class(p):
    return int(np.searchsorted(np.cumsum(p), 0.5))


WRONG_L1 = {
    "truncated mean": lambda p: int(p @ np.arange(p.size)),
    "rounded mean": lambda p: int(round(p @ np.arange(p.size))),
    "mode": lambda p: int(np.argmax(p)),
    "last class below one half": lambda p: int(np.searchsorted(np.cumsum(p), 0.5)) - 1,
    "returns the distribution": lambda p: p,
}


def test_l1_optimal_class():
    ex10.check_l1_optimal_class(median_class)
    ex10.check_l1_optimal_class(median_class, hidden=True)
    for name, wrong in WRONG_L1.items():
        message = fails(ex10.check_l1_optimal_class, wrong)
        assert "median" not in message, name


def test_truncated_mean_fails_on_the_case_added_for_it():
    p = np.array([0.55, 0.0, 0.0, 0.45])
    assert int(p @ np.arange(4)) == 1 and median_class(p) == 0
    assert "0.55, 0, 0, 0.45" in fails(ex10.check_l1_optimal_class, WRONG_L1["truncated mean"])


# --- task 4: RPS from cumulative forecasts
def right_rps_from_cumulative(above, labels):
    return np.sum((above - (np.arange(above.shape[1]) < labels[:, None])) ** 2, axis=1)


WRONG_CUMULATIVE = {
    "read as P(y <= k)": lambda s, y: np.sum((s - (np.arange(s.shape[1]) >= y[:, None])) ** 2, 1),
    "step 1[y >= k]": lambda s, y: np.sum((s - (np.arange(s.shape[1]) <= y[:, None])) ** 2, 1),
    "binary cross-entropy instead of Brier": lambda s, y: -np.sum(
        np.where(np.arange(s.shape[1]) < y[:, None], np.log(np.clip(s, 1e-12, 1)), np.log(np.clip(1 - s, 1e-12, 1))), 1),
    "mean over thresholds": lambda s, y: right_rps_from_cumulative(s, y) / s.shape[1],
}


def test_rps_from_cumulative():
    ex10.check_rps_from_cumulative(right_rps_from_cumulative)
    ex10.check_rps_from_cumulative(right_rps_from_cumulative, hidden=True)
    for name, wrong in WRONG_CUMULATIVE.items():
        fails(ex10.check_rps_from_cumulative, wrong)


# --- task 6: the ordinal study, with tiny models so that the test is quick
DATA = {"num_classes": 5, "image_size": 8, "skew": 2.0}


def tiny_cnn(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 5))


def mean_rps(model, X, y):
    probs = predict_proba(model, X)
    return float(right_rps(probs, y).mean())


@pytest.fixture(scope="module")
def honest_study():
    X, y = make_counting_images(300, seed=3, **DATA)
    X_test, y_test = make_counting_images(200, seed=4, **DATA)
    runs = []
    for name, loss in [("CE", F.cross_entropy), ("RPS", rps_loss)]:
        for seed in (0, 1):
            model = tiny_cnn(seed)
            train(model, X, y, loss, epochs=2, lr=0.01, batch_size=100, seed=seed)
            runs.append({"loss": name, "seed": seed, "model": model, "test_rps": mean_rps(model, X_test, y_test)})
    return {"data": DATA, "n_train": 300, "n_test": 200, "train_seed": 3, "test_seed": 4, "runs": runs,
            "train": (X, y)}


def test_ordinal_study_right(honest_study):
    ex10.check_ordinal_study(honest_study)
    ex10.check_ordinal_study(honest_study, hidden=True)


def test_ordinal_study_wrong(honest_study):
    X, y = honest_study["train"]
    # scored on the training images
    on_train = dict(honest_study, runs=[dict(r, test_rps=mean_rps(r["model"], X, y)) for r in honest_study["runs"]])
    assert "other data" in fails(ex10.check_ordinal_study, on_train)
    # the test set is the training set
    assert "same seed" in fails(ex10.check_ordinal_study, dict(honest_study, test_seed=3))
    # lecture 10's data set
    fails(ex10.check_ordinal_study, dict(honest_study, data={"num_classes": 16, "image_size": 16, "skew": 4.0}))
    # seeds not paired
    unpaired = [dict(r, seed=r["seed"] + 5) if r["loss"] == "RPS" else r for r in honest_study["runs"]]
    assert "paired" in fails(ex10.check_ordinal_study, dict(honest_study, runs=unpaired))
    # one loss only
    fails(ex10.check_ordinal_study, dict(honest_study, runs=[r for r in honest_study["runs"] if r["loss"] == "CE"]))
    # RPS normalised by K - 1
    normalised = [dict(r, test_rps=r["test_rps"] / 4) for r in honest_study["runs"]]
    fails(ex10.check_ordinal_study, dict(honest_study, runs=normalised))
    # hidden: each seed's CE model also reported for RPS, with its own test RPS (the visible part passes)
    ce_run = {r["seed"]: r for r in honest_study["runs"] if r["loss"] == "CE"}
    reused = [dict(r, model=ce_run[r["seed"]]["model"], test_rps=ce_run[r["seed"]]["test_rps"])
              for r in honest_study["runs"]]
    ex10.check_ordinal_study(dict(honest_study, runs=reused))
    assert "same model object" in fails(ex10.check_ordinal_study, dict(honest_study, runs=reused), hidden=True)
    # not a dict
    fails(ex10.check_ordinal_study, None)
