"""Exercise 06's checks: the right answers pass, plausible wrong answers fail with CheckFailed.

For every check at least three wrong answers a student might write, each rejected with a message that names
the property and contains none of the fragments that would give the answer away (FORBIDDEN); the library's own
RWWCE is blocked; an answer right only on the visible cases passes the visible check and fails the hidden one.
"""
from functools import partial

import numpy as np
import pytest
import torch

import wloss.reference
from wloss.checks import CheckFailed, ex06
from wloss_grading import ex06 as hidden_ex06

import check_messages
from check_messages import failure_of, not_done

#: Per check: fragments no failure message may contain (answers, the key token of the fix, words that explain).
FORBIDDEN = {
    "check_rwwce_numpy": ["never enters", "fp_cost[y, y]", "zero the diagonal", "set the diagonal", "= 0.0",
                          "fill_diagonal", "np.eye", "exclude"],
    "check_fp_group_term": ["logsumexp", "log-sum-exp", "masked_fill", "mask", "-inf", "log_softmax",
                            "clamp", "clip"],
    "check_decay_prediction": ["'larger'", "'smaller'", "'about the same'", "grow", "shrink", "decoupled",
                               "ignored", "1.5", "0.06", "0.07"],
    "check_clip_dead_logit": ["log(eps", "log(ε", "-13.", "-6.9", "-4.4", "eps * (k - 1)", "(K - 1) eps",
                              "solve p_y = eps"],
}


assert_clean = partial(check_messages.assert_teaches_without_telling, FORBIDDEN, ignore_case=True)


def failure(check_name, *args, module=ex06):
    """The message of the CheckFailed that ``module.check_name(*args)`` raises, checked for forbidden fragments."""
    return failure_of(FORBIDDEN, module, check_name, *args, ignore_case=True)


unfinished = not_done


# ---- task 1: RWWCE without zeroing the diagonal ------------------------------------------------------
def shipped_rwwce(probs, targets, fn_cost, fp_cost):
    rows = np.arange(len(targets))
    fn_term = fn_cost[targets] * np.log(probs[rows, targets])
    fp_term = (fp_cost[targets] * np.log1p(-probs)).sum(axis=1)       # k' = y_m not excluded
    return float(-(fn_term + fp_term).mean())


def right_rwwce(probs, targets, fn_cost, fp_cost):
    total = 0.0
    for m, y in enumerate(targets):                                     # eq. 6, term by term
        total -= fn_cost[y] * np.log(probs[m, y])
        total -= sum(fp_cost[y, k] * np.log(1 - probs[m, k]) for k in range(probs.shape[1]) if k != y)
    return total / len(targets)


def test_right_rwwce_passes(capsys):
    ex06.check_rwwce_numpy(right_rwwce)
    hidden_ex06.check_rwwce_numpy(right_rwwce)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong, message", [
    (shipped_rwwce, "changes when only the diagonal of fp_cost changes"),
    (lambda p, t, fn, fp: right_rwwce(p, t, fn, fp) / p.shape[1], "not the mean cross-entropy"),
    (lambda p, t, fn, fp: right_rwwce(p, t, fn, fp) * len(t), "not the mean cross-entropy"),
    (lambda p, t, fn, fp: right_rwwce(p, t, fn, fp.T), "Which index of fp_cost is the true class"),
    (lambda p, t, fn, fp: right_rwwce(p, t, fn, np.zeros_like(fp)), "Where are eq. 6's fp terms"),
    (lambda p, t, fn, fp: right_rwwce(p, t, fn, fp) * len(t) / (len(t) + 1), "not the mean cross-entropy"),
    (lambda p, t, fn, fp: str(right_rwwce(p, t, fn, fp)), "expected a single number"),
])
def test_wrong_rwwce_fails(wrong, message):
    assert message in failure("check_rwwce_numpy", wrong)


def test_the_library_rwwce_is_blocked():
    calls_the_library = lambda p, t, fn, fp: wloss.reference.rwwce(p, t, fn, fp)  # noqa: E731
    assert "library's own version" in failure("check_rwwce_numpy", calls_the_library)


def test_rwwce_right_only_without_a_cost_on_the_diagonal_of_an_absent_class_fails_the_hidden_cases(capsys):
    def ignores_the_last_class(p, t, fn, fp):              # right unless the last class has costs but no example
        fp = fp.copy()
        if p.shape[1] == 5:
            fp[:, -1] = 0.0
        return right_rwwce(p, t, fn, fp)
    ex06.check_rwwce_numpy(ignores_the_last_class)
    with pytest.raises(CheckFailed):
        hidden_ex06.check_rwwce_numpy(ignores_the_last_class)


# ---- task 2: the fp term of a group of classes -------------------------------------------------------
def shipped_group_term(logits, group):
    p = torch.softmax(logits, dim=1)[:, group].sum(dim=1)
    return -torch.log((1 - p).clamp(min=1e-7))


def right_group_term(logits, group):
    outside = [j for j in range(logits.shape[1]) if j not in group]
    return torch.logsumexp(logits, dim=1) - torch.logsumexp(logits[:, outside], dim=1)


def one_class_at_a_time(logits, group):
    """The lecture's per-class term summed over the group: -log prod (1 - p_k), not -log(1 - sum p_k)."""
    total = 0
    for k in group:
        outside = [j for j in range(logits.shape[1]) if j != k]
        total = total + torch.logsumexp(logits, dim=1) - torch.logsumexp(logits[:, outside], dim=1)
    return total


def test_right_group_term_passes(capsys):
    ex06.check_fp_group_term(right_group_term)
    hidden_ex06.check_fp_group_term(right_group_term)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong, message", [
    (shipped_group_term, "is not -log(1 - sum"),
    (lambda z, g: -torch.log(1 - torch.softmax(z, dim=1)[:, g].sum(dim=1)), "not finite"),
    (lambda z, g: -torch.log1p(-torch.softmax(z, dim=1)[:, g].sum(dim=1)), "not finite"),
    (lambda z, g: -torch.log(1 - torch.softmax(z, dim=1)[:, g].sum(dim=1) + 1e-7), "is not -log(1 - sum"),
    (one_class_at_a_time, "is not -log(1 - sum"),
    (lambda z, g: right_group_term(z.detach(), g), "detached"),
    (lambda z, g: torch.tensor(right_group_term(z, g).detach().numpy()), "detached"),
    (lambda z, g: right_group_term(z, g).unsqueeze(1), "shape"),
])
def test_wrong_group_term_fails(wrong, message):
    assert message in failure("check_fp_group_term", wrong)


def test_a_group_term_right_only_for_groups_of_at_most_two_fails_the_hidden_cases(capsys):
    def first_two_only(logits, group):
        return right_group_term(logits, list(group)[:2])
    ex06.check_fp_group_term(first_two_only)
    with pytest.raises(CheckFailed):
        hidden_ex06.check_fp_group_term(first_two_only)


# ---- task 3: weight decay and the scale of the costs, recorded then graded ---------------------------
RIGHT_DECAY = dict(zip(ex06.SETTINGS, ["larger", "about the same", "smaller"]))
REASON = "Adam adds the decay to the gradient it rescales, AdamW applies it outside"


def test_the_experiment_shows_what_the_solution_reasons():
    """Adam's L2 term is added to the gradient: ignored next to a huge gradient, dominant next to a tiny one;
    AdamW's decoupled decay does not see the loss's scale. Margins far from the cut-offs 0.9 and 1.1."""
    for seed in (0, 1):
        result = ex06.decay_experiment(seed)
        assert result[ex06.SETTINGS[0]]["ratio"] > 1.3
        assert abs(result[ex06.SETTINGS[1]]["ratio"] - 1) < 1e-3
        assert result[ex06.SETTINGS[2]]["ratio"] < 0.5


def test_right_predictions_pass(capsys):
    ex06.check_decay_prediction(RIGHT_DECAY, REASON)
    hidden_ex06.check_decay_prediction(RIGHT_DECAY, REASON)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("words", [
    ("about the same", "about the same", "about the same"),   # "Adam does not care about the loss's scale"
    ("larger", "larger", "smaller"),                          # AdamW like Adam
    ("smaller", "about the same", "larger"),                  # the decay read the other way round
    ("about the same", "about the same", "smaller"),
])
def test_wrong_predictions_pass_the_visible_part_and_fail_the_hidden_one(words, capsys):
    prediction = dict(zip(ex06.SETTINGS, words))
    ex06.check_decay_prediction(prediction, REASON)
    message = failure("check_decay_prediction", prediction, REASON, module=hidden_ex06)
    assert "disagree with the experiment" in message


@pytest.mark.parametrize("prediction, reason, message", [
    ("larger", REASON, "expected a dict"),
    ({ex06.SETTINGS[0]: "larger"}, REASON, "missing"),
    ({**RIGHT_DECAY, ex06.SETTINGS[1]: "unchanged"}, REASON, "expected one of"),
    ({**RIGHT_DECAY, ex06.SETTINGS[2]: ...}, REASON, "not filled in yet"),
    (RIGHT_DECAY, "decay", "not a reason yet"),
])
def test_malformed_predictions_fail(prediction, reason, message):
    with pytest.raises(CheckFailed) as info:
        ex06.check_decay_prediction(prediction, reason)
    assert message in str(info.value)


# ---- task 4: where clipping kills the gradient of -log p_y -------------------------------------------
def right_dead_logit(eps, k):
    return float(np.log(eps) + np.log(k - 1) - np.log1p(-eps))


def test_right_dead_logit_passes(capsys):
    ex06.check_clip_dead_logit(right_dead_logit)
    hidden_ex06.check_clip_dead_logit(right_dead_logit)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong, message", [
    (lambda eps, k: -right_dead_logit(eps, k), "positive"),
    (lambda eps, k: float(np.log(eps / (1 - eps))), "What is p_y as a function of z"),   # the K - 1 classes dropped
    (lambda eps, k: float(np.log(eps * k / (1 - eps))), "What is p_y as a function of z"),  # K instead of K - 1
    (lambda eps, k: float(np.log(eps)), "What is p_y as a function of z"),
    (lambda eps, k: str(right_dead_logit(eps, k)), "expected a single number"),
])
def test_wrong_dead_logits_fail(wrong, message):
    assert message in failure("check_clip_dead_logit", wrong)


def test_a_dead_logit_right_only_for_the_visible_cases_fails_the_hidden_ones(capsys):
    def memorised_k(eps, k):
        return right_dead_logit(eps, k) if k in (3, 10) else right_dead_logit(eps, 10)
    ex06.check_clip_dead_logit(memorised_k)
    with pytest.raises(CheckFailed):
        hidden_ex06.check_clip_dead_logit(memorised_k)


def test_unfinished_tasks_fail_with_a_message():
    for check in (ex06.check_rwwce_numpy, ex06.check_fp_group_term, ex06.check_clip_dead_logit):
        with pytest.raises(CheckFailed, match="not done yet"):
            check(unfinished)


# ---- task 6 (open): costs of the student's own, the minimising split --------------------------------
OPEN_FN = np.ones(4)
OPEN_FP = np.array([[0.0, 1.0, 1.2, 20.0], [1.0, 0.0, 1.0, 5.0], [1.0, 1.0, 0.0, 5.0], [2.0, 2.0, 2.0, 0.0]])
OPEN_REPORT = {"scenario": "moderating posts: safe, spam, harassment and illegal content",
               "dearest mistake": "reporting a safe post as illegal hurts its author the most",
               "what the minimiser does": "it leaves the illegal class no mass and splits the rest unevenly"}


def open_minimiser(fp_row):
    """The minimising split by bisection on the Lagrange multiplier: p_k = max(0, 1 - w_k / lam), sum 0.4."""
    low, high = 1e-9, 1e9
    for _ in range(200):
        lam = np.sqrt(low * high)
        if np.maximum(0.0, 1 - fp_row / lam).sum() > 0.4:
            high = lam
        else:
            low = lam
    return np.maximum(0.0, 1 - fp_row / lam)


def test_an_open_cost_structure_passes(capsys):
    ex06.check_open_costs(OPEN_FN, OPEN_FP, open_minimiser(OPEN_FP[0, 1:]), OPEN_REPORT)
    assert capsys.readouterr().out.count("\u2714") == 1


@pytest.mark.parametrize("fp, split, report, message", [
    (OPEN_FP, np.full(3, 0.4 / 3), OPEN_REPORT, "lower RWWCE"),                      # an even split: a guess
    (OPEN_FP, np.array([0.0, 0.0, 0.4]), OPEN_REPORT, "lower RWWCE"),                # mass on the dearest class
    (OPEN_FP, np.array([0.4, 0.0, 0.0]), OPEN_REPORT, "lower RWWCE"),                # all on the cheapest
    (OPEN_FP, open_minimiser(OPEN_FP[0, 1:]) * 2, OPEN_REPORT, "sum to 0.4"),
    (np.ones((4, 4)) - np.eye(4), np.full(3, 0.4 / 3), OPEN_REPORT, "all cost the same"),
    (OPEN_FP, open_minimiser(OPEN_FP[0, 1:]), {**OPEN_REPORT, "dearest mistake": ...}, "not filled in yet"),
])
def test_wrong_open_costs_fail(fp, split, report, message):
    with pytest.raises(CheckFailed, match=message):
        ex06.check_open_costs(OPEN_FN, fp, split, report)


def test_the_visible_only_answer_passes_visible_and_fails_hidden(capsys):
    """An answer that passes only the visible checks: only the first two classes of the group left out."""
    def fp_group_term(logits, group):
        outside = torch.ones(logits.shape[1], dtype=torch.bool)
        outside[list(group)[:2]] = False
        return torch.logsumexp(logits, dim=1) - torch.logsumexp(logits[:, outside], dim=1)
    ex06.check_fp_group_term(fp_group_term)
    with pytest.raises(CheckFailed):
        hidden_ex06.check_fp_group_term(fp_group_term)
