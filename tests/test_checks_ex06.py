"""Exercise 06's checks: the right answers pass, plausible wrong answers fail with CheckFailed.

For every graded task at least three wrong answers a student might write, each rejected (never a raw
exception), and no failure message states the task's answer.
"""
import numpy as np
import pytest
import torch

from wloss import reference
from wloss.checks import CheckFailed, ex06


# ---- task 1: RWWCE without zeroing the diagonal ------------------------------------------------------
def shipped_rwwce(probs, targets, fn_cost, fp_cost):
    rows = np.arange(len(targets))
    fn_term = fn_cost[targets] * np.log(probs[rows, targets])
    fp_term = (fp_cost[targets] * np.log1p(-probs)).sum(axis=1)       # k' = y_m not excluded
    return float(-(fn_term + fp_term).mean())


def rwwce_fixed(probs, targets, fn_cost, fp_cost):
    rows = np.arange(len(targets))
    fp_weights = fp_cost[targets].copy()
    fp_weights[rows, targets] = 0.0
    return float(-(fn_cost[targets] * np.log(probs[rows, targets]) + (fp_weights * np.log1p(-probs)).sum(axis=1)).mean())


def test_right_rwwce_passes(capsys):
    for answer in (rwwce_fixed, reference.rwwce):
        ex06.check_rwwce_numpy(answer)
        ex06.check_rwwce_numpy(answer, hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 4


@pytest.mark.parametrize("wrong, message", [
    (shipped_rwwce, "changes when only the diagonal of fp_cost changes"),
    (lambda p, t, fn, fp: reference.rwwce(p, t, fn, fp) / p.shape[1], "divided by K"),
    (lambda p, t, fn, fp: reference.rwwce(p, t, fn, fp, reduction="sum"), "sum over examples"),
    (lambda p, t, fn, fp: reference.rwwce(p, t, fn, fp.T), "the other way round"),
    (lambda p, t, fn, fp: rwwce_fixed(p, t, fn, np.zeros_like(fp)), "differs from eq. 6"),   # fp terms dropped
    (lambda p, t, fn, fp: rwwce_fixed(p, t, fn, fp).__str__(), "expected a single number"),
])
def test_wrong_rwwce_fails(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        ex06.check_rwwce_numpy(wrong)


# ---- task 2: clipping that kills the gradient ---------------------------------------------------------
def shipped_fp_term(logits, k):
    p = torch.softmax(logits, dim=1)[:, k]
    return -torch.log((1 - p).clamp(min=1e-7))


def stable_fp_term(logits, k):
    others = logits.masked_fill(torch.nn.functional.one_hot(torch.tensor(k), logits.shape[1]).bool(), -torch.inf)
    return torch.logsumexp(logits, dim=1) - torch.logsumexp(others, dim=1)


def test_right_fp_term_passes(capsys):
    ex06.check_fp_term(stable_fp_term)
    ex06.check_fp_term(stable_fp_term, hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong, message", [
    (shipped_fp_term, "value is off|gradient is zero"),
    (lambda z, k: -torch.log(1 - torch.softmax(z, dim=1)[:, k]), "not finite"),
    (lambda z, k: -torch.log1p(-torch.softmax(z, dim=1)[:, k]), "not finite"),
    (lambda z, k: -torch.log(1 - torch.softmax(z, dim=1)[:, k] + 1e-7), "value is off"),
    (lambda z, k: stable_fp_term(z.detach(), k), "detached"),
    (lambda z, k: -torch.log_softmax(z, dim=1)[:, k], "value is off"),
    (lambda z, k: torch.tensor(stable_fp_term(z, k).detach().numpy()), "detached"),
])
def test_wrong_fp_term_fails(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        ex06.check_fp_term(wrong)


def test_the_shipped_clip_is_caught_by_its_zero_gradient():
    """On class 1's logit 20 above the others the clipped value is near the truth; its gradient is zero."""
    value, gradient = ex06._exact_fp_term(np.array([[0.0, 20.0, 0.0]]), 1)
    z = torch.tensor([[0.0, 20.0, 0.0]], requires_grad=True)
    (shipped_gradient,) = torch.autograd.grad(shipped_fp_term(z, 1).sum(), z)
    assert np.abs(gradient).max() > 0.9 and shipped_gradient.abs().max().item() == 0.0


# ---- task 3: predict the effect of scaling the costs --------------------------------------------------
def test_the_experiment_shows_what_the_lecture_explains():
    """SGD: a loss 10 000 times larger is a learning rate 10 000 times larger (it overshoots); Adam: unchanged."""
    assert ex06.outcome(ex06.scale_experiment("sgd")) == "diverges"
    assert ex06.outcome(ex06.scale_experiment("adam")) == "unchanged"


def test_right_predictions_pass(capsys):
    ex06.check_scale_prediction("diverges", "unchanged")
    ex06.check_scale_prediction(" Diverges", "unchanged", hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("sgd, adam", [
    ("faster", "unchanged"),      # what the lecture saw at scale 100
    ("unchanged", "unchanged"),   # "only the ratio matters"
    ("diverges", "diverges"),     # "Adam too"
    ("diverges", "faster"),
])
def test_wrong_predictions_fail(sgd, adam):
    with pytest.raises(CheckFailed, match="the experiment") as failure:
        ex06.check_scale_prediction(sgd, adam)
    outcomes = {"'diverges'", "'unchanged'"} - {f"'{sgd}'", f"'{adam}'"}  # the right answers not predicted
    assert not any(outcome in str(failure.value) for outcome in outcomes)


@pytest.mark.parametrize("sgd, adam", [("explodes", "unchanged"), (None, "unchanged"), ("diverges", 1)])
def test_malformed_predictions_fail(sgd, adam):
    with pytest.raises(CheckFailed, match="one of the strings"):
        ex06.check_scale_prediction(sgd, adam)


# ---- task 4: where clipping kills the gradient of -log p_y -------------------------------------------
def right_dead_logit(eps, k):
    return float(np.log(eps * (k - 1) / (1 - eps)))


def test_right_dead_logit_passes(capsys):
    ex06.check_clip_dead_logit(right_dead_logit)
    ex06.check_clip_dead_logit(right_dead_logit, hidden=True)
    ex06.check_clip_dead_logit(lambda eps, k: np.log(eps) + np.log(k - 1) - np.log1p(-eps))
    assert capsys.readouterr().out.count("\u2714") == 3


@pytest.mark.parametrize("wrong, message", [
    (lambda eps, k: -right_dead_logit(eps, k), "positive"),
    (lambda eps, k: float(np.log(eps / (1 - eps))), "solve"),              # the K - 1 other classes dropped
    (lambda eps, k: float(np.log(eps * k / (1 - eps))), "solve"),          # K instead of K - 1
    (lambda eps, k: float(np.log(eps)), "solve"),
    (lambda eps, k: float(np.log((1 - eps) / (eps * (k - 1)))), "positive"),
    (lambda eps, k: str(right_dead_logit(eps, k)), "expected a single number"),
])
def test_wrong_dead_logits_fail(wrong, message):
    with pytest.raises(CheckFailed, match=message) as failure:
        ex06.check_clip_dead_logit(wrong)
    assert "13.9" not in str(failure.value) and "-6.9" not in str(failure.value)


def test_unfinished_tasks_fail_with_a_message():
    def unfinished(*args):
        raise NotImplementedError()
    for check in (ex06.check_rwwce_numpy, ex06.check_fp_term, ex06.check_clip_dead_logit):
        with pytest.raises(CheckFailed, match="not done yet"):
            check(unfinished)
