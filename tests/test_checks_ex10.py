"""Exercise 10's checks: the solution passes; plausible wrong answers fail with CheckFailed, never with a raw
exception, and no failure message gives the answer away."""
import sys
import types

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import wloss.losses
import wloss.reference
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


def library_rps(probs, labels):
    """An answer that hands the work to wloss: log-probabilities as logits, softmax(log p) = p."""
    logits = torch.log(torch.as_tensor(probs, dtype=torch.float64).clamp_min(1e-300))
    return wloss.losses.rps_loss(logits, torch.as_tensor(labels), reduction="none").numpy()


def test_rps_that_calls_the_library_fails_with_the_blocking_message():
    _, probs, labels = ex10._forecast_cases(False)[0]
    assert np.allclose(library_rps(probs, labels), right_rps(probs, labels))  # a right answer, through the library
    message = fails(ex10.check_rps, library_rps)
    assert message.startswith("rps: your code called wloss.losses.rps_loss"), message
    message = fails(ex10.check_rps, lambda p, y: wloss.reference.rps_loss(p, y, reduction="none"))
    assert "your code called wloss.reference.rps_loss" in message, message
    message = fails(ex10.check_rps, lambda p, y: wloss.losses.ordinal.rps_loss(
        torch.log(torch.as_tensor(p).clamp_min(1e-300)), torch.as_tensor(y), reduction="none").numpy())
    assert "your code called wloss.losses.ordinal.rps_loss" in message, message
    assert wloss.losses.rps_loss is rps_loss  # restored after the check


def test_rps_that_calls_the_name_the_notebook_imported_is_blocked(monkeypatch):
    notebook = types.ModuleType("__main__")
    exec("import numpy as np\nimport torch\nfrom wloss.losses import rps_loss\n"
         "def rps(probs, labels):\n"
         "    logits = torch.log(torch.as_tensor(probs).clamp_min(1e-300))\n"
         "    return rps_loss(logits, torch.as_tensor(labels), reduction='none').numpy()\n", vars(notebook))
    monkeypatch.setitem(sys.modules, "__main__", notebook)
    assert "your code called wloss.losses.rps_loss" in fails(ex10.check_rps, notebook.rps)
    assert notebook.rps_loss is rps_loss


def test_rps_unsolved_stub_is_not_done_yet():
    def stub(probs, labels):
        raise NotImplementedError()

    assert "not done yet" in fails(ex10.check_rps, stub)


def test_rps_reference_is_the_library_rps():
    # the check's reference is written out loop by loop, independently of wloss.losses.rps_loss
    for _, probs, labels in ex10._forecast_cases(True):
        logits = torch.log(torch.as_tensor(probs).clamp_min(1e-300))
        library = rps_loss(logits, torch.as_tensor(labels), reduction="none").numpy()
        assert np.allclose(ex10._reference_rps(probs, labels), library, rtol=1e-12, atol=1e-12)


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


# --- task 5: a colleague's CORN loss (every example in every task: CORAL's loss on independent logits)
def right_corn_per_example(logits, labels):
    z, y = np.asarray(logits, dtype=float), np.asarray(labels)[:, None]
    k = np.arange(z.shape[1])[None, :]
    # -log sigma(z) for the "yes" answers (k < y), -log(1 - sigma(z)) for the "no" (k = y); nothing for k > y
    terms = np.where(k < y, np.logaddexp(0.0, -z), np.where(k == y, np.logaddexp(0.0, z), 0.0))
    return terms.sum(axis=1)


def colleague_corn(logits, labels):
    tasks = torch.arange(logits.shape[1])
    targets = (labels[:, None] > tasks[None, :]).to(logits.dtype)
    return F.binary_cross_entropy_with_logits(logits, targets, reduction="none").sum(dim=1)


def _bce_terms(logits, labels):
    tasks = torch.arange(logits.shape[1])[None, :]
    targets = (labels[:, None] > tasks).to(logits.dtype)
    return F.binary_cross_entropy_with_logits(logits, targets, reduction="none"), labels[:, None], tasks


def strict_subset(logits, labels):  # task k on y > k only: no example ever answers "no"
    bce, y, k = _bce_terms(logits, labels)
    return (bce * (y > k)).sum(dim=1)


def one_task_too_many(logits, labels):  # task k on y >= k - 1
    bce, y, k = _bce_terms(logits, labels)
    return (bce * (y + 1 >= k)).sum(dim=1)


def yes_everywhere(logits, labels):  # the right subset, but the target 1[y >= k]: every answer "yes"
    tasks = torch.arange(logits.shape[1])[None, :]
    reach = labels[:, None] >= tasks
    bce = F.binary_cross_entropy_with_logits(logits, reach.to(logits.dtype), reduction="none")
    return (bce * reach).sum(dim=1)


def zeroed_logits(logits, labels):  # the logits outside the subset set to 0, their BCE still counted
    _, y, k = _bce_terms(logits, labels)
    targets = (y > k).to(logits.dtype)
    return F.binary_cross_entropy_with_logits(logits * (y >= k), targets, reduction="none").sum(dim=1)


def mean_over_its_tasks(logits, labels):  # each example's loss divided by its number of tasks
    bce, y, k = _bce_terms(logits, labels)
    return (bce * (y >= k)).sum(dim=1) / (y >= k).sum(dim=1)


def pairs_normalised(logits, labels):  # the authors' normalisation applied to every example's loss
    bce, y, k = _bce_terms(logits, labels)
    return (bce * (y >= k)).sum(dim=1) * len(labels) / (y >= k).sum()


WRONG_CORN = {
    "the colleague's loss (every example in every task)": (colleague_corn, ["task 1", "label 0", "changes"]),
    "one task too many (y >= k - 1)": (one_task_too_many, ["task 1", "label 0", "changes"]),
    "strict subset (y > k): no 'no' answers": (strict_subset, ["task 0", "label 0", "stays the same"]),
    "target 1[y >= k]": (yes_everywhere, ["task 0", "falls", "asks whether y > 0"]),
    "logits zeroed outside the subset": (zeroed_logits, ["sure of the right answer", "0.6931"]),
    "mean over the example's tasks": (mean_over_its_tasks, ["label 1", "not its CORN loss", "2 tasks"]),
    "the authors' normalisation per example": (pairs_normalised, ["not its CORN loss"]),
    "the batch mean": (lambda z, y: right_corn_per_example(z, y).mean(), ["expected shape (1,)"]),
}
#: What no message may contain: the expected values (2 log 2, a loss of 0) and the tokens of the fix.
FORBIDDEN_CORN = [">=", "y > k - 1", "1[y", "mask", "where", "subset", "reach", "min(", "1.386", "0.0000",
                  "divide", "mean", "conditional", "only the examples"]


def test_corn_per_example():
    ex10.check_corn_per_example(right_corn_per_example)
    ex10.check_corn_per_example(right_corn_per_example, hidden=True)
    for name, (wrong, fragments) in WRONG_CORN.items():
        message = fails(ex10.check_corn_per_example, wrong)
        assert all(fragment in message for fragment in fragments), (name, message)
        assert not any(fragment in message for fragment in FORBIDDEN_CORN), (name, message)
        assert message.rstrip().endswith("?") or "expected shape" in message, (name, message)


def test_corn_answers_that_call_the_library_fail_with_the_blocking_message():
    calls = {
        "wloss.losses.corn_loss": lambda z, y: wloss.losses.corn_loss(z, y, reduction="none"),
        "wloss.losses.corn_probabilities": lambda z, y: -torch.log(
            wloss.losses.corn_probabilities(z)[torch.arange(len(y)), y]),
        "wloss.reference.corn_loss": lambda z, y: wloss.reference.corn_loss(z.numpy(), y.numpy(), reduction="none"),
        "wloss.losses.corn.corn_loss": lambda z, y: wloss.losses.corn.corn_loss(z, y, reduction="none"),
    }
    for qualified, answer in calls.items():
        assert np.allclose(answer(torch.zeros(2, 3, dtype=torch.float64), torch.tensor([0, 3])),
                           right_corn_per_example(np.zeros((2, 3)), np.array([0, 3])))  # right, through the library
        message = fails(ex10.check_corn_per_example, answer)
        assert message.startswith(f"corn_per_example: your code called {qualified},"), message
    assert wloss.losses.corn_loss is wloss.losses.corn.corn_loss  # restored after the checks


def test_corn_unsolved_stub_is_not_done_yet():
    def stub(logits, labels):
        raise NotImplementedError()

    assert "not done yet" in fails(ex10.check_corn_per_example, stub)


def test_corn_torch_answer_as_in_the_solution_passes():
    def solution(logits, labels):
        tasks = torch.arange(logits.shape[1])
        reach = labels[:, None] >= tasks[None, :]
        targets = (labels[:, None] > tasks[None, :]).to(logits.dtype)
        bce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
        return torch.where(reach, bce, torch.zeros_like(bce)).sum(dim=1)

    ex10.check_corn_per_example(solution, hidden=True)


def test_corn_in_float32_passes_and_nan_fails_with_a_message():
    ex10.check_corn_per_example(lambda z, y: torch.as_tensor(right_corn_per_example(z.float(), y)).float(), hidden=True)
    def nan_outside(z, y):
        return torch.where(y[:, None] >= torch.arange(z.shape[1]), torch.log(torch.sigmoid(z)), torch.nan).sum(1)

    assert "expected finite losses" in fails(ex10.check_corn_per_example, nan_outside)


def test_corn_reference_is_the_library_loss():
    # the check's reference walks the questions one by one (minus the log of the path's probability)
    for _, logits, labels in ex10._corn_value_cases(False) + ex10._corn_value_cases(True):
        library = wloss.losses.corn_loss(torch.as_tensor(logits), torch.as_tensor(labels), reduction="none").numpy()
        assert np.allclose(ex10._reference_corn(logits, labels), library, rtol=1e-12, atol=1e-12)


def test_the_colleagues_loss_is_right_with_one_task_only():
    # with K = 2 every example takes part in the only task: the bug needs K >= 3 to show, so the cases start there
    z, y = torch.randn(6, 1, dtype=torch.float64), torch.tensor([0, 1, 1, 0, 1, 0])
    assert torch.allclose(colleague_corn(z, y), torch.as_tensor(right_corn_per_example(z, y)))


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
