"""Exercise 10's checks: the solution passes; plausible wrong answers fail with CheckFailed, never with a raw
exception, and no failure message gives the answer away (FORBIDDEN: per check, fragments no message may hold)."""
import copy
import sys
import types
from functools import partial

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import wloss.losses
import wloss.reference
from wloss.checks import ex10
from wloss.data import make_counting_images
from wloss.losses import rps_loss
from wloss.training import predict_proba, train
from wloss_grading import ex10 as hidden_ex10

import check_messages
from check_messages import asks, failure, failure_visible_then_hidden, failure_without_telling


fails = failure
fails_visible_or_hidden = partial(failure_visible_then_hidden, ex10, hidden_ex10)


#: What no message of a check may contain: the answer's values, the tokens of the fix, words that explain it.
FORBIDDEN = {
    "check_rps": ["np.cumsum", ">=", "[:, :-1]", "shift", "one class late", "zeros((n, 1))", "concatenate",
                  "divided by K - 1", "unnormalised"],
    "check_weighting_experiment": ["'lower'", "'higher'", "'about the same'", "falls clearly", "rounded down"],
    "check_weighting_prediction": ["'lower'", "'higher'", "rounded down"],
    "check_best_count": ["quantile", "searchsorted", "median", "under_cost / (", "cumsum", "level"],
    "check_rps_from_samples": ["bincount", "histogram", "np.mean(samples", "<= k)", "cumsum", "energy", "/ M",
                               "mean(axis=1)"],
    "check_corn_per_example": [">=", "y > k - 1", "1[y", "mask", "where", "subset", "reach", "min(", "1.386", "0.0000",
                               "divide", "mean", "conditional", "only the examples"],
    "check_ordinal_study": ["deepcopy", "copy.", "train a fresh", "F.cross_entropy", "rps_loss"],
}


assert_clean = partial(check_messages.assert_teaches_without_telling, FORBIDDEN)
fails_clean = partial(failure_without_telling, FORBIDDEN)  # a message holding "expected one of" may name every choice


# --- task 1: the colleague's RPS
def right_rps(probs, labels):
    """Loop by loop from the definition: the forecast's running sum against the truth's step."""
    scores = []
    for row, label in zip(probs, labels):
        running, total = 0.0, 0.0
        for i, q in enumerate(row):
            running += q
            total += (running - (i >= label)) ** 2
        scores.append(total)
    return np.array(scores)


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
    "normalised by the batch's total": lambda p, y: right_rps(p, y) / max(len(y), 1) * 2,
}


def wrong_for_many_classes(probs, labels):   # right up to K = 6 (the visible cases), a term dropped beyond
    k = min(probs.shape[1], 6)
    kept = probs[:, :k]
    return right_rps(kept / np.maximum(kept.sum(axis=1, keepdims=True), 1e-12), np.minimum(labels, k - 1))


def test_rps_right_passes(capsys):
    ex10.check_rps(right_rps)
    hidden_ex10.check_rps(right_rps)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("name", WRONG_RPS)
def test_rps_wrong_answers_fail(name):
    message = fails_visible_or_hidden("check_rps", WRONG_RPS[name])
    assert asks(message, "expected shape"), message
    assert_clean("check_rps", message)


def test_rps_hidden_cases_catch_a_visible_only_answer():
    ex10.check_rps(wrong_for_many_classes)
    assert_clean("check_rps", fails(hidden_ex10.check_rps, wrong_for_many_classes))


def library_rps(probs, labels):
    """An answer that hands the work to wloss: log-probabilities as logits, softmax(log p) = p."""
    logits = torch.log(torch.as_tensor(probs, dtype=torch.float64).clamp_min(1e-300))
    return wloss.losses.rps_loss(logits, torch.as_tensor(labels), reduction="none").numpy()


def test_rps_that_calls_the_library_fails_with_the_blocking_message():
    _, probs, labels = ex10.visible_forecast_cases()[0]
    assert np.allclose(library_rps(probs, labels), right_rps(probs, labels))  # a right answer, through the library
    message = fails_clean(ex10.check_rps, library_rps)
    assert message.startswith("rps: your code called wloss.losses.rps_loss"), message
    message = fails_clean(ex10.check_rps, lambda p, y: wloss.reference.rps_loss(p, y, reduction="none"))
    assert "your code called wloss.reference.rps_loss" in message, message
    message = fails_clean(ex10.check_rps, lambda p, y: wloss.losses.ordinal.rps_loss(
        torch.log(torch.as_tensor(p).clamp_min(1e-300)), torch.as_tensor(y), reduction="none").numpy())
    assert "your code called wloss.losses.rps_loss" in message, message  # the same function, by its public name
    assert wloss.losses.rps_loss is rps_loss  # restored after the check


def test_rps_that_calls_the_name_the_notebook_imported_is_blocked(monkeypatch):
    notebook = types.ModuleType("__main__")
    exec("import numpy as np\nimport torch\nfrom wloss.losses import rps_loss\n"
         "def rps(probs, labels):\n"
         "    logits = torch.log(torch.as_tensor(probs).clamp_min(1e-300))\n"
         "    return rps_loss(logits, torch.as_tensor(labels), reduction='none').numpy()\n", vars(notebook))
    monkeypatch.setitem(sys.modules, "__main__", notebook)
    assert "your code called wloss.losses.rps_loss" in fails_clean(ex10.check_rps, notebook.rps)
    assert notebook.rps_loss is rps_loss


def test_rps_unsolved_stub_is_not_done_yet():
    def stub(probs, labels):
        raise NotImplementedError()

    assert "not done yet" in fails_clean(ex10.check_rps, stub)


def test_rps_reference_is_the_library_rps():
    for _, probs, labels in ex10.visible_forecast_cases() + hidden_ex10.hidden_forecast_cases():
        logits = torch.log(torch.as_tensor(probs).clamp_min(1e-300))
        library = rps_loss(logits, torch.as_tensor(labels), reduction="none").numpy()
        assert np.allclose(hidden_ex10.reference_rps(probs, labels), library, rtol=1e-12, atol=1e-12)


def test_colleague_rps_is_wrong_on_a_perfect_forecast():
    assert right_rps(np.eye(3)[[1]], np.array([1]))[0] == 0
    assert colleague_rps(np.eye(3)[[1]], np.array([1]))[0] == 1


# --- task 2: the prediction about class weights, recorded, on constructed forecasts
RARE, FREQUENT = ex10.WEIGHTING_KEYS
LABELS = np.array([0, 0, 1, 2, 6, 7, 9, 12])
UNWEIGHTED = np.eye(16)[[0, 0, 1, 2, 4, 5, 7, 9]]  # rare counts under-predicted by 2-3
WEIGHTED = np.eye(16)[[0, 1, 1, 2, 6, 7, 8, 12]]  # rare counts mostly right, one frequent error more
WEIGHTING_REASON = "the weights of the rare counts are far above one and those of the frequent ones below"


def test_weighting_right_prediction_passes(capsys):
    right = {RARE: "lower", FREQUENT: "higher"}
    assert ex10.weighting_outcome(UNWEIGHTED, WEIGHTED, LABELS) == right
    ex10.check_weighting_prediction(dict(right), WEIGHTING_REASON)
    ex10.check_weighting_experiment(dict(right), WEIGHTING_REASON, UNWEIGHTED, WEIGHTED, LABELS)
    hidden_ex10.check_weighting_experiment(dict(right), WEIGHTING_REASON, UNWEIGHTED, WEIGHTED, LABELS)
    assert capsys.readouterr().out.count("\u2714") == 3


@pytest.mark.parametrize("rare, frequent", [("higher", "higher"), ("lower", "lower"), ("about the same", "higher"),
                                            ("lower", "about the same"), ("higher", "about the same")])
def test_weighting_wrong_predictions_pass_visibly_and_fail_hidden(rare, frequent):
    prediction = {RARE: rare, FREQUENT: frequent}
    ex10.check_weighting_prediction(dict(prediction), WEIGHTING_REASON)
    ex10.check_weighting_experiment(dict(prediction), WEIGHTING_REASON, UNWEIGHTED, WEIGHTED, LABELS)
    message = fails(hidden_ex10.check_weighting_experiment, dict(prediction), WEIGHTING_REASON, UNWEIGHTED, WEIGHTED,
                    LABELS)
    wrong = [key for key, right in ((RARE, "lower"), (FREQUENT, "higher")) if prediction[key] != right]
    assert f"{len(wrong)} of 2 disagree" in message, message
    assert_clean("check_weighting_experiment", message)


def test_weighting_malformed_predictions_and_unweighted_experiment_fail():
    assert "not filled in yet" in fails_clean(ex10.check_weighting_prediction, {RARE: ..., FREQUENT: ...}, ...)
    assert "expected one of" in fails_clean(ex10.check_weighting_prediction, {RARE: "down", FREQUENT: "up"}, WEIGHTING_REASON)
    assert "not a reason yet" in fails_clean(ex10.check_weighting_prediction, {RARE: "lower", FREQUENT: "lower"}, "weights")
    assert "identical" in fails_clean(ex10.check_weighting_experiment, {RARE: "lower", FREQUENT: "lower"}, WEIGHTING_REASON,
                                UNWEIGHTED, UNWEIGHTED, LABELS)


# --- task 3: how many to order
def right_best_count(p, under_cost, over_cost):
    """Brute force, written independently: the order of least expected cost."""
    costs = [sum(q * (under_cost * max(y - k, 0) + over_cost * max(k - y, 0)) for y, q in enumerate(p))
             for k in range(len(p))]
    return int(np.argmin(costs))


WRONG_COUNT = {
    "the median whatever the costs": lambda p, u, o: int(np.searchsorted(np.cumsum(p), 0.5)),
    "the level inverted": lambda p, u, o: int(np.searchsorted(np.cumsum(p), o / (u + o))),
    "the rounded mean": lambda p, u, o: int(round(p @ np.arange(p.size))),
    "the mode": lambda p, u, o: int(np.argmax(p)),
    "one below the quantile": lambda p, u, o: max(int(np.searchsorted(np.cumsum(p), u / (u + o))) - 1, 0),
    "returns the distribution": lambda p, u, o: p,
}


def cost_ratio_as_level(p, under_cost, over_cost):   # u / o instead of u / (u + o): right for the visible cases
    level = min(under_cost / over_cost, 1.0) if under_cost < over_cost else under_cost / (under_cost + over_cost)
    return int(np.searchsorted(np.cumsum(p), level))


def test_best_count_right_passes(capsys):
    ex10.check_best_count(right_best_count)
    hidden_ex10.check_best_count(right_best_count)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("name", WRONG_COUNT)
def test_best_count_wrong_answers_fail(name):
    message = fails_visible_or_hidden("check_best_count", WRONG_COUNT[name])
    assert asks(message, "expected"), message
    assert_clean("check_best_count", message)


def test_best_count_hidden_cases_catch_a_visible_only_answer():
    ex10.check_best_count(cost_ratio_as_level)
    assert_clean("check_best_count", fails(hidden_ex10.check_best_count, cost_ratio_as_level))


def test_best_count_stub():
    def stub(p, u, o):
        raise NotImplementedError()

    assert "not done yet" in fails_clean(ex10.check_best_count, stub)


def test_every_count_case_has_one_best_order():
    for _, p, u, o in ex10.visible_count_cases() + hidden_ex10.hidden_count_cases():
        costs = sorted(ex10.expected_cost_of_count(k, p, u, o) for k in range(len(p)))
        assert costs[1] - costs[0] > 1e-6


# --- task 4: RPS of an ensemble's samples
def right_sample_rps(samples, labels, num_classes):
    probs = np.array([[np.mean(row == j) for j in range(num_classes)] for row in samples])
    return right_rps(probs, labels)


WRONG_SAMPLES = {
    "the mean sample's distance": lambda s, y, k: np.abs(s.mean(axis=1) - y),
    "counts, not shares": lambda s, y, k: right_rps(np.array([np.bincount(r, minlength=k) for r in s]), y),
    "strict <, shares of samples below k": lambda s, y, k: np.sum(
        ((s[:, :, None] < np.arange(k)).mean(axis=1) - (np.arange(k) >= y[:, None])) ** 2, axis=1),
    "mean RPS of the single samples": lambda s, y, k: np.mean(np.abs(s - y[:, None]), axis=1),
    "the batch mean": lambda s, y, k: right_sample_rps(s, y, k).mean(),
}


def test_rps_from_samples_right_passes(capsys):
    ex10.check_rps_from_samples(right_sample_rps)
    hidden_ex10.check_rps_from_samples(right_sample_rps)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("name", WRONG_SAMPLES)
def test_rps_from_samples_wrong_answers_fail(name):
    message = fails_visible_or_hidden("check_rps_from_samples", WRONG_SAMPLES[name])
    assert asks(message, "expected", "does not score 0"), message
    assert_clean("check_rps_from_samples", message)


def test_rps_from_samples_library_and_stub():
    def through_the_library(samples, labels, num_classes):
        probs = np.array([np.bincount(r, minlength=num_classes) / len(r) for r in samples])
        return wloss.reference.rps_loss(probs, labels, reduction="none")

    assert "your code called wloss.reference.rps_loss" in fails_clean(ex10.check_rps_from_samples, through_the_library)

    def stub(samples, labels, num_classes):
        raise NotImplementedError()

    assert "not done yet" in fails_clean(ex10.check_rps_from_samples, stub)


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


def test_corn_per_example():
    ex10.check_corn_per_example(right_corn_per_example)
    hidden_ex10.check_corn_per_example(right_corn_per_example)
    for name, (wrong, fragments) in WRONG_CORN.items():
        message = fails_visible_or_hidden("check_corn_per_example", wrong)
        assert all(fragment in message for fragment in fragments), (name, message)
        assert_clean("check_corn_per_example", message)
        assert asks(message, "expected shape"), (name, message)


def test_corn_answers_that_call_the_library_fail_with_the_blocking_message():
    calls = [  # (the name the message gives, an answer that calls the library)
        ("wloss.losses.corn_loss", lambda z, y: wloss.losses.corn_loss(z, y, reduction="none")),
        ("wloss.losses.corn_probabilities", lambda z, y: -torch.log(
            wloss.losses.corn_probabilities(z)[torch.arange(len(y)), y])),
        ("wloss.reference.corn_loss", lambda z, y: wloss.reference.corn_loss(z.numpy(), y.numpy(), reduction="none")),
        # the same function as wloss.losses.corn_loss: blocked, and named by its public name
        ("wloss.losses.corn_loss", lambda z, y: wloss.losses.corn.corn_loss(z, y, reduction="none")),
    ]
    for qualified, answer in calls:
        assert np.allclose(answer(torch.zeros(2, 3, dtype=torch.float64), torch.tensor([0, 3])),
                           right_corn_per_example(np.zeros((2, 3)), np.array([0, 3])))  # right, through the library
        message = fails_clean(ex10.check_corn_per_example, answer)
        assert message.startswith(f"corn_per_example: your code called {qualified},"), message
    assert wloss.losses.corn_loss is wloss.losses.corn.corn_loss  # restored after the checks


def test_corn_unsolved_stub_is_not_done_yet():
    def stub(logits, labels):
        raise NotImplementedError()

    assert "not done yet" in fails_clean(ex10.check_corn_per_example, stub)


def test_corn_torch_answer_as_in_the_solution_passes():
    def solution(logits, labels):
        tasks = torch.arange(logits.shape[1])
        reach = labels[:, None] >= tasks[None, :]
        targets = (labels[:, None] > tasks[None, :]).to(logits.dtype)
        bce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
        return torch.where(reach, bce, torch.zeros_like(bce)).sum(dim=1)

    hidden_ex10.check_corn_per_example(solution)


def test_corn_in_float32_passes_and_nan_fails_with_a_message():
    hidden_ex10.check_corn_per_example(lambda z, y: torch.as_tensor(right_corn_per_example(z.float(), y)).float())
    def nan_outside(z, y):
        return torch.where(y[:, None] >= torch.arange(z.shape[1]), torch.log(torch.sigmoid(z)), torch.nan).sum(1)

    assert "expected finite losses" in fails_clean(ex10.check_corn_per_example, nan_outside)


def test_corn_reference_is_the_library_loss():
    # the check's reference walks the questions one by one (minus the log of the path's probability)
    for _, logits, labels in hidden_ex10.corn_value_cases():
        library = wloss.losses.corn_loss(torch.as_tensor(logits), torch.as_tensor(labels), reduction="none").numpy()
        assert np.allclose(hidden_ex10.reference_corn(logits, labels), library, rtol=1e-12, atol=1e-12)


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
    hidden_ex10.check_ordinal_study(honest_study)


def study_message(study):
    message = fails_visible_or_hidden("check_ordinal_study", study)
    assert_clean("check_ordinal_study", message)
    return message


def test_ordinal_study_wrong(honest_study):
    X, y = honest_study["train"]
    # scored on the training images
    on_train = dict(honest_study, runs=[dict(r, test_rps=mean_rps(r["model"], X, y)) for r in honest_study["runs"]])
    assert "other data" in study_message(on_train)
    # the test set is the training set
    assert "same seed" in study_message(dict(honest_study, test_seed=3))
    # lecture 10's data set
    fails_clean(ex10.check_ordinal_study, dict(honest_study, data={"num_classes": 16, "image_size": 16, "skew": 4.0}))
    # seeds not paired
    unpaired = [dict(r, seed=r["seed"] + 5) if r["loss"] == "RPS" else r for r in honest_study["runs"]]
    assert "paired" in study_message(dict(honest_study, runs=unpaired))
    # one loss only
    fails_clean(ex10.check_ordinal_study, dict(honest_study, runs=[r for r in honest_study["runs"] if r["loss"] == "CE"]))
    # RPS normalised by K - 1
    normalised = [dict(r, test_rps=r["test_rps"] / 4) for r in honest_study["runs"]]
    fails_clean(ex10.check_ordinal_study, dict(honest_study, runs=normalised))
    # each seed's CE model also reported for RPS: one model counted as two losses
    ce_run = {r["seed"]: r for r in honest_study["runs"] if r["loss"] == "CE"}
    reused = [dict(r, model=ce_run[r["seed"]]["model"], test_rps=ce_run[r["seed"]]["test_rps"])
              for r in honest_study["runs"]]
    assert "same model object" in study_message(dict(honest_study, runs=reused))
    # two copies of one run counted as two runs: seed 1 is a copy of seed 0's model (its own object)
    copies = [dict(r, model=copy.deepcopy(next(q["model"] for q in honest_study["runs"]
                                               if q["loss"] == r["loss"] and q["seed"] == 0)),
                   test_rps=next(q["test_rps"] for q in honest_study["runs"] if q["loss"] == r["loss"] and q["seed"] == 0))
              for r in honest_study["runs"]]
    assert "counted twice" in study_message(dict(honest_study, runs=copies))
    # "two losses" that are one loss: the RPS runs are copies of the CE runs under another name
    same_loss = [dict(r, model=copy.deepcopy(ce_run[r["seed"]]["model"]), test_rps=ce_run[r["seed"]]["test_rps"])
                 if r["loss"] == "RPS" else r for r in honest_study["runs"]]
    assert "same forecasts" in study_message(dict(honest_study, runs=same_loss))
    # not a dict
    fails_clean(ex10.check_ordinal_study, None)


# --- an answer that passes only the visible checks: each example's CORN loss divided by its tasks
VISIBLE_ONLY = ("torch.where(reached, bce, torch.zeros_like(bce)).sum(dim=1)",
                "torch.where(reached, bce, torch.zeros_like(bce)).sum(dim=1) / reached.sum(dim=1)")


def test_the_visible_only_answer_passes_the_visible_check_and_fails_the_hidden_one():
    import json
    from pathlib import Path

    notebook = json.loads((Path(__file__).parents[1] / "solutions" / "10_ordinal_labels.ipynb").read_text())
    cells = ["".join(c["source"]) for c in notebook["cells"] if VISIBLE_ONLY[0] in "".join(c["source"])]
    assert len(cells) == 1
    namespace = {"np": np, "torch": torch, "F": F}
    exec(cells[0].replace(*VISIBLE_ONLY), namespace)
    ex10.check_corn_per_example(namespace["corn_per_example"])
    fails(hidden_ex10.check_corn_per_example, namespace["corn_per_example"])
