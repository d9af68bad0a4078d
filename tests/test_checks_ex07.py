"""Exercise 07's checks: the right answers pass, plausible wrong answers fail with CheckFailed.

For every check at least three wrong answers a student might write, each rejected with a message that names
the property and contains none of the fragments that would give the answer away (FORBIDDEN); an answer right
only on the visible cases passes the visible check and fails the hidden one.
"""
from functools import partial

import numpy as np
import pytest
import torch

from wloss.checks import CheckFailed, ex07
from wloss.losses import rwwce_binary
from wloss_grading import ex07 as hidden_ex07

import check_messages
from check_messages import failure_of, not_done


def p_star(n1, n0, c_fn, c_fp):
    return c_fn * n1 / (c_fn * n1 + c_fp * n0)


def bias_optima():
    return [f"{p_star(n1, n0, c_fn, c_fp):.3f}" for n1, n0, c_fn, c_fp, _, _ in ex07.BIAS_CASES] + ["0.994", "0.99"]


#: Per check: fragments no failure message may contain (answers, the key token of the fix, words that explain).
FORBIDDEN = {
    "check_cost_ratio_for": ["n0 / n1", "n0/n1", "p / (1 - p)", "odds", "should be", "expected"],
    "check_deployment_threshold": ["q_bayes", "c_fp / (c_fp + c_fn)", "p*(q_bayes)", "should be", "0.5 when",
                                   "= a q"],
    "check_train_bias": ["zero_grad", "c_fn for the positives", "are the gradients reset", "swapped", ".item()",
                         ".detach()", "lr=0.05", "1500", *bias_optima()],
    "check_weights_prediction": ["'smaller'", "'larger'", "'about the same'", "0.707", "1/sqrt(2)", "√2",
                                 "counts rows", "same hessian"],
}


assert_clean = partial(check_messages.assert_teaches_without_telling, FORBIDDEN, ignore_case=True)


def failure(check_name, *args, module=ex07):
    """The message of the CheckFailed that ``module.check_name(*args)`` raises, checked for forbidden fragments."""
    return failure_of(FORBIDDEN, module, check_name, *args, ignore_case=True)


unfinished = not_done


# ------------------------------------------------------------------ task 1
def right_ratio(p, n1, n0):
    return p * n0 / ((1 - p) * n1)


def test_cost_ratio_right_answer_passes(capsys):
    ex07.check_cost_ratio_for(right_ratio)
    hidden_ex07.check_cost_ratio_for(right_ratio)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong", [
    lambda p, n1, n0: p / (1 - p),                       # the odds, class counts forgotten
    lambda p, n1, n0: p * n1 / ((1 - p) * n0),           # n1 and n0 swapped
    lambda p, n1, n0: (1 - p) * n1 / (p * n0),           # the inverse ratio c_fp / c_fn
    lambda p, n1, n0: p * n0 / n1,                       # (1 - p) forgotten
    lambda p, n1, n0: -right_ratio(p, n1, n0),
], ids=["odds", "counts-swapped", "inverse", "no-1-p", "negative"])
def test_cost_ratio_wrong_answers_fail(wrong):
    message = failure("check_cost_ratio_for", wrong)
    assert "target" in message or "positive" in message


def test_a_ratio_right_only_on_the_visible_targets_fails_the_hidden_ones(capsys):
    def rounded(p, n1, n0):
        return right_ratio(p, n1, n0) if p in (0.9, 0.5, 0.2) else right_ratio(round(p, 1), n1, n0)
    ex07.check_cost_ratio_for(rounded)
    with pytest.raises(CheckFailed):
        hidden_ex07.check_cost_ratio_for(rounded)


# ------------------------------------------------------------------ task 2
def right_threshold(a, b, c_fn, c_fp):
    q = 1 / (1 + c_fn / c_fp)                           # where the two expected costs are equal
    return 1 / (1 + (b / a) * (1 - q) / q)               # the trained model's output there


def test_deployment_threshold_right_answer_passes(capsys):
    ex07.check_deployment_threshold(right_threshold)
    hidden_ex07.check_deployment_threshold(right_threshold)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong", [
    lambda a, b, c_fn, c_fp: c_fp / (c_fp + c_fn),                        # Bayes threshold, training ignored
    lambda a, b, c_fn, c_fp: 0.5,                                         # the theorem applied blindly
    lambda a, b, c_fn, c_fp: right_threshold(b, a, c_fn, c_fp),           # training costs swapped
    lambda a, b, c_fn, c_fp: right_threshold(a, b, c_fp, c_fn),           # deployment costs swapped
    lambda a, b, c_fn, c_fp: 1.0 + right_threshold(a, b, c_fn, c_fp),
], ids=["bayes-only", "one-half", "train-swapped", "deploy-swapped", "not-a-probability"])
def test_deployment_threshold_wrong_answers_fail(wrong):
    message = failure("check_deployment_threshold", wrong)
    assert "Bayes decision" in message or "(0, 1)" in message
    for a, b, c_fn, c_fp in ex07.THRESHOLD_CASES:
        assert f"{right_threshold(a, b, c_fn, c_fp):.3f}" not in message


def test_a_threshold_read_off_a_grid_passes_the_visible_check_and_fails_the_hidden_one(capsys):
    def on_the_grid(a, b, c_fn, c_fp):              # right to within the visible check's grid of q
        return right_threshold(a, b, c_fn, c_fp) + 1e-7
    ex07.check_deployment_threshold(on_the_grid)
    with pytest.raises(CheckFailed, match="not on it"):
        hidden_ex07.check_deployment_threshold(on_the_grid)


# ------------------------------------------------------------------ task 3
def make_train_bias(zero_grad=True, swap=False, warn=False, lr_default=0.05, steps_default=1500):
    def train_bias(n1, n0, c_fn, c_fp, lr=lr_default, steps=steps_default):
        labels = torch.tensor([1.0] * n1 + [0.0] * n0)
        bias = torch.zeros(1, requires_grad=True)
        optimizer = torch.optim.Adam([bias], lr=lr)
        history = []
        fn, fp = (c_fp, c_fn) if swap else (c_fn, c_fp)
        for _ in range(steps):
            if zero_grad:
                optimizer.zero_grad()
            rwwce_binary(bias.expand(len(labels)), labels, fn_cost=fn, fp_cost=fp).backward()
            optimizer.step()
            history.append(float(torch.sigmoid(bias)) if warn else torch.sigmoid(bias).item())
        return history
    return train_bias


def right_train_bias(n1, n0, c_fn, c_fp, lr=0.05, steps=1500):
    return make_train_bias()(n1, n0, c_fn, c_fp, lr, steps)


def test_train_bias_right_answer_passes(capsys):
    ex07.check_train_bias(right_train_bias)
    hidden_ex07.check_train_bias(right_train_bias)
    assert capsys.readouterr().out.count("\u2714") == 2


def closed_form_history(n1, n0, c_fn, c_fp, lr=0.05, steps=1500):
    return [p_star(n1, n0, c_fn, c_fp)] * steps


def straight_line_history(n1, n0, c_fn, c_fp, lr=0.05, steps=1500):
    """A made-up history: the logit walks to the optimum in steps of lr, never trained."""
    target = np.log(c_fn * n1 / (c_fp * n0))
    z = np.sign(target) * np.minimum(lr * np.arange(1, steps + 1), abs(target))
    return list(1 / (1 + np.exp(-z)))


@pytest.mark.parametrize("wrong, match", [
    (closed_form_history, "jumps further than any Adam step"),
    (lambda n1, n0, c_fn, c_fp, lr=0.05, steps=1500: p_star(n1, n0, c_fn, c_fp), "list of probabilities"),
    (make_train_bias(swap=True), "first Adam step"),
    (make_train_bias(zero_grad=False), "later steps differ"),
    (make_train_bias(warn=True), "requires_grad"),
    (make_train_bias(lr_default=1e-3, steps_default=1000), "default"),
    (lambda n1, n0, c_fn, c_fp, lr=0.05, steps=1500: right_train_bias(n1, n0, c_fn, c_fp, lr, steps)[:-1],
     "one probability per Adam step"),
], ids=["closed-form-history", "closed-form-float", "costs-swapped", "no-zero-grad", "float-warns",
        "unconverged-defaults", "one-short"])
def test_train_bias_wrong_answers_fail(wrong, match):
    assert match in failure("check_train_bias", wrong)


def test_a_history_that_only_looks_trained_passes_the_visible_check_and_fails_the_hidden_one(capsys):
    """The visible part checks every entry for a plausible Adam step; the hidden part follows Adam exactly."""
    ex07.check_train_bias(straight_line_history)
    assert "leaves the path of Adam" in failure("check_train_bias", straight_line_history, module=hidden_ex07)


def test_the_hidden_reference_is_adam():
    for case in ex07.BIAS_CASES:
        assert np.abs(np.array(right_train_bias(*case)) - hidden_ex07.adam_reference(*case)).max() < 1e-5


# ------------------------------------------------------------------ task 4
RIGHT_WORDS = dict(zip(ex07.SCALING_KEYS, ["smaller", "smaller", "larger", "about the same", "about the same",
                                           "smaller"]))
REASON = "the naive error counts the sum of weights, the bootstrap counts rows, copies included"


def test_the_experiment_shows_what_the_solution_reasons():
    for seed in (7, 11):
        result = ex07.weights_experiment(seed)
        factors = {key: value["factor"] for key, value in result.items()}
        assert factors[ex07.SCALING_KEYS[0]] == pytest.approx(2 ** -0.5)           # exactly: twice the Hessian
        assert factors[ex07.SCALING_KEYS[1]] < 0.8                                 # copies look independent
        assert factors[ex07.SCALING_KEYS[2]] > 1.5                                 # the weights' mean is above 1
        assert factors[ex07.SCALING_KEYS[3]] == pytest.approx(1.0)                 # the same refits
        assert factors[ex07.SCALING_KEYS[4]] == pytest.approx(1.0, rel=1e-6)       # the same Hessian
        assert factors[ex07.SCALING_KEYS[5]] < 0.6


def test_right_predictions_pass(capsys):
    ex07.check_weights_prediction(RIGHT_WORDS, REASON)
    hidden_ex07.check_weights_prediction(RIGHT_WORDS, REASON)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("change", [
    {ex07.SCALING_KEYS[1]: "about the same"},          # "the bootstrap always counts examples"
    {ex07.SCALING_KEYS[2]: "about the same"},          # "rescaling the weights changes nothing"
    {ex07.SCALING_KEYS[4]: "smaller"},                 # "real copies are more data than weights"
    {ex07.SCALING_KEYS[5]: "about the same"},          # the lecture's bootstrap rule applied to copies
    {ex07.SCALING_KEYS[2]: "smaller", ex07.SCALING_KEYS[3]: "smaller"},
])
def test_wrong_predictions_pass_the_visible_part_and_fail_the_hidden_one(change, capsys):
    prediction = {**RIGHT_WORDS, **change}
    ex07.check_weights_prediction(prediction, REASON)
    message = failure("check_weights_prediction", prediction, REASON, module=hidden_ex07)
    assert "disagree with the experiment" in message and all(repr(key) in message for key in change)


@pytest.mark.parametrize("prediction, reason, message", [
    ("smaller", REASON, "expected a dict"),
    ({ex07.SCALING_KEYS[0]: "smaller"}, REASON, "missing"),
    ({**RIGHT_WORDS, ex07.SCALING_KEYS[0]: 0.7}, REASON, "expected one of"),
    ({**RIGHT_WORDS, ex07.SCALING_KEYS[3]: ...}, REASON, "not filled in yet"),
    (RIGHT_WORDS, "weights", "not a reason yet"),
])
def test_malformed_predictions_fail(prediction, reason, message):
    with pytest.raises(CheckFailed) as info:
        ex07.check_weights_prediction(prediction, reason)
    assert message in str(info.value)


def test_unfinished_tasks_fail_with_a_message():
    for check in (ex07.check_cost_ratio_for, ex07.check_deployment_threshold, ex07.check_train_bias):
        with pytest.raises(CheckFailed, match="not done yet"):
            check(unfinished)


# ------------------------------------------------------------------ task 6 (open)
def u_shaped_draw(n, rng):
    x = rng.normal(size=n)
    q = 1 / (1 + np.exp(-(-2.0 + x + x ** 2)))
    return x[:, None], (rng.random(n) < q).astype(float), q


OPEN_REPORT = {"data": "one feature with a U-shaped risk of being positive",
               "agreement": "the weighted linear model agrees with the Bayes decisions on most inputs",
               "why they differ": "a linear logit cannot follow the U shape, so both tails are misjudged"}


def open_agreement(draw, c_fn, c_fp):
    """Written out independently of the check: Newton's method by hand would do; the library's fit is allowed."""
    from wloss.stats import weighted_logistic_regression
    x, y, _ = draw(2000, np.random.default_rng(0))
    fit = weighted_logistic_regression(np.c_[np.ones(2000), x], y, np.where(y == 1, c_fn, c_fp))
    x_test, _, q = draw(20_000, np.random.default_rng(1))
    return float(np.mean((np.c_[np.ones(20_000), x_test] @ fit > 0) == (q > c_fp / (c_fp + c_fn))))


def test_an_open_threshold_experiment_passes(capsys):
    agreement = open_agreement(u_shaped_draw, 5.0, 1.0)
    assert 0.2 < agreement < 0.99                        # the misspecified model disagrees somewhere
    ex07.check_open_threshold_theorem(u_shaped_draw, (5.0, 1.0), agreement, OPEN_REPORT)
    assert capsys.readouterr().out.count("\u2714") == 1


@pytest.mark.parametrize("draw, costs, agreement, report, message", [
    (u_shaped_draw, (5.0, 1.0), 1.0, OPEN_REPORT, "does not find your number"),               # the theorem assumed
    (u_shaped_draw, (1.0, 1.0), 0.9, OPEN_REPORT, "two positive costs that differ"),
    (lambda n, rng: (rng.normal(size=(n, 1)), np.ones(n), np.full(n, 0.2)), (5.0, 1.0), 0.9, OPEN_REPORT,
     "labels' mean is far"),
    (u_shaped_draw, (5.0, 1.0), None, OPEN_REPORT, "expected a number"),
    (u_shaped_draw, (5.0, 1.0), "auto", {**OPEN_REPORT, "data": "U"}, "at least 6 words"),
])
def test_wrong_open_threshold_experiments_fail(draw, costs, agreement, report, message):
    if agreement == "auto":
        agreement = open_agreement(draw, *costs)
    with pytest.raises(CheckFailed, match=message):
        ex07.check_open_threshold_theorem(draw, costs, agreement, report)


def test_the_visible_only_answer_passes_visible_and_fails_hidden(capsys):
    """An answer that passes only the visible checks: the target rounded to one decimal."""
    def cost_ratio_for(p_target, n1, n0):
        return round(p_target, 1) * n0 / ((1 - round(p_target, 1)) * n1)
    ex07.check_cost_ratio_for(cost_ratio_for)
    with pytest.raises(CheckFailed):
        hidden_ex07.check_cost_ratio_for(cost_ratio_for)
