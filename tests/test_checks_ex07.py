"""Exercise 07's checks: the right answers pass, plausible wrong answers fail with CheckFailed, and no
failure message gives the answer away."""
import numpy as np
import pytest
import torch

from wloss.checks import CheckFailed, ex07
from wloss.losses import rwwce_binary


def p_star(n1, n0, c_fn, c_fp):
    return c_fn * n1 / (c_fn * n1 + c_fp * n0)


def fails(check, *answer, secret=None):
    with pytest.raises(CheckFailed) as info:
        check(*answer)
    if secret is not None:
        assert secret not in str(info.value), f"the message gives the answer away: {info.value}"
    return str(info.value)


# ------------------------------------------------------------------ task 1
def right_ratio(p, n1, n0):
    return p * n0 / ((1 - p) * n1)


def test_cost_ratio_right_answer_passes(capsys):
    ex07.check_cost_ratio_for(right_ratio)
    ex07.check_cost_ratio_for(right_ratio, hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong", [
    lambda p, n1, n0: p / (1 - p),                       # the odds, class counts forgotten
    lambda p, n1, n0: p * n1 / ((1 - p) * n0),           # n1 and n0 swapped
    lambda p, n1, n0: (1 - p) * n1 / (p * n0),           # the inverse ratio c_fp / c_fn
    lambda p, n1, n0: p * n0 / n1,                       # (1 - p) forgotten
], ids=["odds", "counts-swapped", "inverse", "no-1-p"])
def test_cost_ratio_wrong_answers_fail(wrong):
    message = fails(ex07.check_cost_ratio_for, wrong)
    assert "expected" not in message and "should be" not in message


# ------------------------------------------------------------------ task 2
def right_threshold(a, b, c_fn, c_fp):
    q = c_fp / (c_fp + c_fn)
    return a * q / (a * q + b * (1 - q))


def test_deployment_threshold_right_answer_passes(capsys):
    ex07.check_deployment_threshold(right_threshold)
    ex07.check_deployment_threshold(right_threshold, hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong", [
    lambda a, b, c_fn, c_fp: c_fp / (c_fp + c_fn),                        # Bayes threshold, training ignored
    lambda a, b, c_fn, c_fp: 0.5,                                         # the theorem applied blindly
    lambda a, b, c_fn, c_fp: right_threshold(b, a, c_fn, c_fp),           # training costs swapped
    lambda a, b, c_fn, c_fp: right_threshold(a, b, c_fp, c_fn),           # deployment costs swapped
], ids=["bayes-only", "one-half", "train-swapped", "deploy-swapped"])
def test_deployment_threshold_wrong_answers_fail(wrong):
    message = fails(ex07.check_deployment_threshold, wrong)
    for a, b, c_fn, c_fp in ex07.THRESHOLD_CASES:
        assert f"{right_threshold(a, b, c_fn, c_fp):.3f}" not in message.split("between")[0]


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


def test_train_bias_right_answer_passes(capsys):
    ex07.check_train_bias(make_train_bias())
    ex07.check_train_bias(make_train_bias(), hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong, match", [
    (lambda n1, n0, c_fn, c_fp, lr=0.05, steps=1500: [p_star(n1, n0, c_fn, c_fp)] * steps, "really trained"),
    (lambda n1, n0, c_fn, c_fp, lr=0.05, steps=1500: p_star(n1, n0, c_fn, c_fp), "list of probabilities"),
    (make_train_bias(swap=True), "really trained"),
    (make_train_bias(zero_grad=False), "reset"),
    (make_train_bias(warn=True), "requires_grad"),
    (make_train_bias(lr_default=1e-3, steps_default=1000), "default"),
], ids=["closed-form-history", "closed-form-float", "costs-swapped", "no-zero-grad", "float-warns",
        "unconverged-defaults"])
def test_train_bias_wrong_answers_fail(wrong, match):
    message = fails(ex07.check_train_bias, wrong)
    assert match in message
    for n1, n0, c_fn, c_fp, _, _ in ex07.BIAS_CASES:  # no optimum p* in any precision
        assert f"{p_star(n1, n0, c_fn, c_fp):.3f}" not in message


# ------------------------------------------------------------------ task 4
MEASURED = ex07.scaling_experiment()


def test_scaling_right_prediction_passes(capsys):
    ex07.check_scaling_prediction(1.0, 0.1, 1.0, ex07.scaling_experiment())
    assert "\u2714" in capsys.readouterr().out


def test_scaling_experiment_measures_what_the_formulas_say():
    slope, naive, bootstrap = ex07.scaling_experiment(scale=4.0)
    assert slope == pytest.approx(1.0) and naive == pytest.approx(0.5) and bootstrap == pytest.approx(1.0)


@pytest.mark.parametrize("prediction", [
    (1.0, 1.0, 1.0),       # "nothing changes"
    (1.0, 0.01, 1.0),      # variance instead of standard error
    (1.0, 0.1, 0.1),       # the bootstrap shrinks too
    (100.0, 0.1, 1.0),     # the coefficients scale with the weights
    (1.0, 10.0, 1.0),      # more weight, more uncertainty
], ids=["nothing", "variance", "bootstrap-shrinks", "slope-scales", "inverted"])
def test_scaling_wrong_predictions_fail(prediction):
    message = fails(ex07.check_scaling_prediction, *prediction, MEASURED)
    assert "differs from the experiment" in message  # not a complaint about the measured factors
    assert "0.1" not in message and "100" not in message.replace("100 times", "")


def test_scaling_with_made_up_measurements_fails():
    fails(ex07.check_scaling_prediction, 1.0, 0.1, 1.0, (1.0, 0.5, 1.0))
    fails(ex07.check_scaling_prediction, 1.0, 0.1, 1.0, (1.0, 0.1))
    fails(ex07.check_scaling_prediction, "one", 0.1, 1.0, MEASURED)
