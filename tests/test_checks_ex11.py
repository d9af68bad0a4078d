"""Exercise 11's checks: plausible wrong conversions fail with CheckFailed, right answers pass.

The right answers follow from the conventions lecture 11 checks numerically: PyTorch's weighted mean divides
by sum_i w[y_i], Keras's default by N, scikit-learn's log_loss by sum(sample_weight),
RandomUnderSampler's dict gives the number of each class to keep, and LightGBM's class_weight multiplies every
gradient and hessian (task 7: the penalties that see that factor must follow it).
"""
import re

import numpy as np
import pytest
import torch
from sklearn.metrics import log_loss
from sklearn.utils.class_weight import compute_class_weight

from wloss.checks import CheckFailed, ex11

# ----------------------------------------------------------------------------- task 1


def right_factors(batch_targets, class_weight):
    sums = np.array([np.asarray(class_weight)[t].sum() for t in batch_targets])
    return sums / sums.sum()


WRONG_FACTORS = {
    "one over the number of micro-batches": lambda ts, w: np.full(len(ts), 1 / len(ts)),
    "micro-batch size over N (counts instead of weights)":
        lambda ts, w: np.array([len(t) for t in ts]) / sum(len(t) for t in ts),
    "plain sum of the means": lambda ts, w: np.ones(len(ts)),
    "weight sum over N (Keras's denominator)":
        lambda ts, w: np.array([np.asarray(w)[t].sum() for t in ts]) / sum(len(t) for t in ts),
    "inverted factors": lambda ts, w: 1 / right_factors(ts, w),
    "one factor for all": lambda ts, w: 0.5,
}


@pytest.mark.parametrize("wrong", WRONG_FACTORS.values(), ids=WRONG_FACTORS.keys())
def test_wrong_accumulation_factors_fail(wrong):
    with pytest.raises(CheckFailed):
        ex11.check_accumulation_factors(wrong)


def test_factors_by_size_are_named():
    with pytest.raises(CheckFailed, match="number or size"):
        ex11.check_accumulation_factors(WRONG_FACTORS["micro-batch size over N (counts instead of weights)"])


def test_accumulation_message_does_not_give_the_factors():
    with pytest.raises(CheckFailed) as failure:
        ex11.check_accumulation_factors(WRONG_FACTORS["one over the number of micro-batches"])
    expected = right_factors([np.array([1, 0, 0, 1, 0, 0]), np.array([0, 0, 0, 0]), np.array([1, 1, 0])],
                             [1.0, 9.0])
    assert not any(f"{value:.3f}" in str(failure.value) for value in expected)


# ----------------------------------------------------------------------------- task 2

FULL = (12 * 8 + 88) / 100          # Keras divides the weighted sum by N, PyTorch by sum w[y]
SINGLE = 8.0                        # one positive: Keras 8 l / 1, PyTorch 8 l / 8


@pytest.mark.parametrize("full, single", [
    (1.0, 1.0),                      # "the same loss in both libraries"
    (1 / FULL, SINGLE),              # ratio upside down
    (FULL, 1.0),                     # weights assumed to survive at batch size 1 in PyTorch too
    (FULL, FULL),                    # the full batch's factor reused for one example
    (FULL, 1 / SINGLE),              # single ratio upside down
    (8.0, 8.0),                      # the class weight itself everywhere
], ids=["same", "full-inverted", "single-cancels-both", "single-as-full", "single-inverted", "weight-everywhere"])
def test_wrong_predictions_fail(full, single):
    with pytest.raises(CheckFailed) as failure:
        ex11.check_predicted_ratios(full, single)
    if FULL not in (full, single):                                   # the check only echoes the student's numbers
        assert f"{FULL:.4g}" not in str(failure.value)
    assert f"{SINGLE:.4g} " not in str(failure.value).replace(f"{single:.4g} ", "")


def test_prediction_that_is_not_a_number_fails():
    with pytest.raises(CheckFailed, match="expected a single number"):
        ex11.check_predicted_ratios("1.84", SINGLE)


def test_rough_prediction_passes_the_public_check_but_not_the_hidden_one(capsys):
    ex11.check_predicted_ratios(1.85, 8.0)
    with pytest.raises(CheckFailed):
        ex11.check_predicted_ratios(1.85, 8.0, hidden=True)


# ----------------------------------------------------------------------------- task 3


def right_bce_via_log_loss(y, p, pos_weight):
    sw = np.where(y == 1, pos_weight, 1.0)
    return log_loss(y, p, sample_weight=sw) * sw.sum() / len(y)


WRONG_LOG_LOSS = {
    "unchanged (weighted average)": lambda y, p, pw: log_loss(y, p, sample_weight=np.where(y == 1, pw, 1.0)),
    "sum instead of mean": lambda y, p, pw: log_loss(y, p, sample_weight=np.where(y == 1, pw, 1.0), normalize=False),
    "weight on the negatives": lambda y, p, pw: (log_loss(y, p, sample_weight=np.where(y == 0, pw, 1.0))
                                                 * np.where(y == 0, pw, 1.0).sum() / len(y)),
    "times pos_weight": lambda y, p, pw: log_loss(y, p, sample_weight=np.where(y == 1, pw, 1.0)) * pw,
    "unweighted log_loss": lambda y, p, pw: log_loss(y, p),
}


@pytest.mark.parametrize("wrong", WRONG_LOG_LOSS.values(), ids=WRONG_LOG_LOSS.keys())
def test_wrong_log_loss_conversions_fail(wrong):
    with pytest.raises(CheckFailed) as failure:
        ex11.check_bce_via_log_loss(wrong)
    assert not re.search(r"\d\.\d{4}", str(failure.value)), "the message must not print PyTorch's value"


def test_weighted_average_is_named():
    with pytest.raises(CheckFailed, match="weighted AVERAGE"):
        ex11.check_bce_via_log_loss(WRONG_LOG_LOSS["unchanged (weighted average)"])


def test_log_loss_that_only_works_for_one_pos_weight_fails_the_hidden_cases():
    def fixed_for_four(y, p, pw):
        return right_bce_via_log_loss(y, p, 4.0 if pw == 4.0 else 2.5 if pw == 2.5 else 1.0)
    ex11.check_bce_via_log_loss(fixed_for_four)
    with pytest.raises(CheckFailed):
        ex11.check_bce_via_log_loss(fixed_for_four, hidden=True)


# ----------------------------------------------------------------------------- task 4


def right_multilabel(Y):
    Y = np.asarray(Y, dtype=float)
    n_pos = Y.sum(axis=0)
    return torch.tensor((len(Y) - n_pos) / n_pos)


WRONG_MULTILABEL = {
    "pooled scalar": lambda Y: torch.tensor((np.size(Y) - np.sum(Y)) / np.sum(Y)),
    "pooled, broadcast to (C,)": lambda Y: torch.full((np.shape(Y)[1],), float((np.size(Y) - np.sum(Y)) / np.sum(Y))),
    "positives over negatives": lambda Y: torch.tensor(np.sum(Y, axis=0) / (len(Y) - np.sum(Y, axis=0))),
    "per row instead of per column": lambda Y: torch.tensor((np.shape(Y)[1] - np.sum(Y, axis=1))
                                                            / np.maximum(np.sum(Y, axis=1), 1)),
    "N over positives": lambda Y: torch.tensor(len(Y) / np.sum(Y, axis=0)),
}


@pytest.mark.parametrize("wrong", WRONG_MULTILABEL.values(), ids=WRONG_MULTILABEL.keys())
def test_wrong_multilabel_pos_weight_fails(wrong):
    with pytest.raises(CheckFailed):
        ex11.check_multilabel_pos_weight(wrong)


def test_pooled_weight_message_names_the_problem():
    with pytest.raises(CheckFailed, match="same weight"):
        ex11.check_multilabel_pos_weight(WRONG_MULTILABEL["pooled, broadcast to (C,)"])


# ----------------------------------------------------------------------------- task 5


def right_strategy(y, neg_weight):
    y = np.asarray(y)
    return {0: int(round(neg_weight * (y == 0).sum())), 1: int((y == 1).sum())}


WRONG_STRATEGIES = {
    "balanced classes": lambda y, w: {0: int(np.sum(y))},
    "'auto'": lambda y, w: "auto",
    "the number to remove": lambda y, w: {0: int(round((1 - w) * np.sum(np.asarray(y) == 0)))},
    "the weight as a float ratio": lambda y, w: float(w),
    "weight times the positives": lambda y, w: {0: int(round(w * np.sum(y)))},
    "the weight applied to the positives": lambda y, w: {1: int(round(w * np.sum(y)))},
    "a list instead of a strategy": lambda y, w: [int(round(w * np.sum(np.asarray(y) == 0))), int(np.sum(y))],
}


@pytest.mark.parametrize("wrong", WRONG_STRATEGIES.values(), ids=WRONG_STRATEGIES.keys())
def test_wrong_undersampling_strategies_fail(wrong):
    with pytest.raises(CheckFailed):
        ex11.check_undersampling_strategy(wrong)


def test_strategy_message_does_not_give_the_count():
    with pytest.raises(CheckFailed) as failure:
        ex11.check_undersampling_strategy(WRONG_STRATEGIES["the number to remove"])
    message = str(failure.value)
    assert "{" not in message and "90" not in message and "35" not in message   # no dict, no count to keep


# ----------------------------------------------------------------------------- right answers


def test_right_answers_pass(capsys):
    for hidden in (False, True):
        ex11.check_accumulation_factors(right_factors, hidden=hidden)
        ex11.check_predicted_ratios(FULL, SINGLE, hidden=hidden)
        ex11.check_bce_via_log_loss(right_bce_via_log_loss, hidden=hidden)
        ex11.check_multilabel_pos_weight(right_multilabel, hidden=hidden)
        ex11.check_multilabel_pos_weight(lambda Y: right_multilabel(Y).numpy(), hidden=hidden)   # an array works too
        ex11.check_undersampling_strategy(right_strategy, hidden=hidden)
        ex11.check_undersampling_strategy(lambda y, w: {0: int(round(w * np.sum(np.asarray(y) == 0)))},
                                          hidden=hidden)                                        # positives implied
    assert capsys.readouterr().out.count("\u2714") == 14


def test_a_crash_in_the_students_code_is_a_check_failure():
    def crashes(*args):
        raise IndexError("index 3 is out of bounds")
    for check in (ex11.check_accumulation_factors, ex11.check_bce_via_log_loss, ex11.check_multilabel_pos_weight,
                  ex11.check_undersampling_strategy, ex11.check_balanced_params):
        with pytest.raises(CheckFailed, match="IndexError"):
            check(crashes)


# ----------------------------------------------------------------------------- task 7


def right_balanced_params(y, reg_lambda, min_child_weight):
    # 'balanced' weighs class k by N / (2 n_k): scikit-learn's own helper gives the factor on the negatives (the
    # dict's weight there is 1), which multiplies every gradient and hessian, so both settings follow it.
    factor = compute_class_weight("balanced", classes=np.array([0, 1]), y=np.asarray(y))[0]
    return {"reg_lambda": reg_lambda * factor, "min_child_weight": min_child_weight * factor}


def _scaled(factor_of_y):
    return lambda y, lam, m: {"reg_lambda": lam * factor_of_y(np.asarray(y)),
                              "min_child_weight": m * factor_of_y(np.asarray(y))}


def _factor(y):
    return len(y) / (2 * np.sum(y == 0))


#: name: (wrong answer, what the message must say)
WRONG_BALANCED = {
    "the dict model's settings kept": (_scaled(lambda y: 1.0), "kept the dict model's reg_lambda"),
    "divided, as scikit-learn's C would be": (_scaled(lambda y: 1 / _factor(y)), "opposite way"),
    "reg_lambda rescaled, min_child_weight kept":
        (lambda y, lam, m: {"reg_lambda": lam * _factor(np.asarray(y)), "min_child_weight": m},
         "kept the dict model's min_child_weight"),
    "min_child_weight rescaled, reg_lambda kept":
        (lambda y, lam, m: {"reg_lambda": lam, "min_child_weight": m * _factor(np.asarray(y))},
         "kept the dict model's reg_lambda"),
    "the dict's positive weight n-/n+": (_scaled(lambda y: np.sum(y == 0) / np.sum(y == 1)), "not by the factor"),
    "the positives' balanced weight N/(2 n+)": (_scaled(lambda y: len(y) / (2 * np.sum(y == 1))), "not by the factor"),
    "the lecture's 0.556 hard-coded": (_scaled(lambda y: 5 / 9), "not by the factor"),
}
#: The visible cases (n, positives, reg_lambda, min_child_weight): the values and the factor that must not be printed.
VISIBLE_BALANCED = [(300, 45, 1.0, 0.0), (300, 45, 0.0, 4.0), (400, 100, 3.0, 2.0)]
FORBIDDEN_BALANCED = sorted({f"{value:.{digits}f}" for n, n_pos, lam, m in VISIBLE_BALANCED
                             for factor in [n / (2 * (n - n_pos))] for value in (factor, lam * factor, m * factor)
                             if value > 0 for digits in (2, 3)}
                            | {"N / (2", "2 * n", "2n", "multipl", "n_neg", "compute_class_weight",
                               "min_sum_hessian", "H + ", "lambda *", "* c", "c *"})


def test_right_balanced_params_pass(capsys):
    ex11.check_balanced_params(right_balanced_params)
    ex11.check_balanced_params(right_balanced_params, hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("relative", [1e-6, -1e-6])
def test_balanced_params_off_by_rounding_still_pass(relative, capsys):
    """The check compares with an experiment: an answer off by far more than any CPU's rounding still passes."""
    def rounded(y, lam, m):
        return {key: value * (1 + relative) for key, value in right_balanced_params(y, lam, m).items()}
    ex11.check_balanced_params(rounded)
    ex11.check_balanced_params(rounded, hidden=True)


@pytest.mark.parametrize("name", WRONG_BALANCED)
def test_wrong_balanced_params_fail_with_a_question(name):
    wrong, says = WRONG_BALANCED[name]
    with pytest.raises(CheckFailed) as failure:
        ex11.check_balanced_params(wrong)
    message = str(failure.value)
    assert "trains another model than the dict's" in message and says in message, message
    assert message.rstrip().endswith("?"), message
    assert not [fragment for fragment in FORBIDDEN_BALANCED if fragment in message], message


def test_reg_lambda_alone_is_named_on_the_case_without_min_child_weight():
    with pytest.raises(CheckFailed, match=r"reg_lambda=1, min_child_weight=0\)"):
        ex11.check_balanced_params(WRONG_BALANCED["the dict model's settings kept"][0])
    with pytest.raises(CheckFailed, match=r"reg_lambda=0, min_child_weight=4\)"):
        ex11.check_balanced_params(WRONG_BALANCED["reg_lambda rescaled, min_child_weight kept"][0])


def test_factor_from_the_majority_class_passes_the_visible_cases_but_not_the_hidden_ones(capsys):
    majority = _scaled(lambda y: len(y) / (2 * max(np.sum(y == 0), np.sum(y == 1))))
    ex11.check_balanced_params(majority)
    with pytest.raises(CheckFailed, match="140 positive"):
        ex11.check_balanced_params(majority, hidden=True)


@pytest.mark.parametrize("answer, says", [
    (lambda y, lam, m: (lam, m), "expected a dict with exactly the keys"),
    (lambda y, lam, m: {"reg_lambda": lam}, "expected a dict with exactly the keys"),
    (lambda y, lam, m: {**right_balanced_params(y, lam, m), "class_weight": None}, "expected a dict with exactly"),
    (lambda y, lam, m: {"reg_lambda": -1.0, "min_child_weight": m}, "non-negative"),
    (lambda y, lam, m: {"reg_lambda": "0.5", "min_child_weight": m}, "expected a single number"),
], ids=["tuple", "missing key", "extra key", "negative", "string"])
def test_malformed_balanced_params_fail(answer, says):
    with pytest.raises(CheckFailed, match=says):
        ex11.check_balanced_params(answer)


def test_unsolved_balanced_params_is_not_done_yet():
    def stub(y, reg_lambda, min_child_weight):
        raise NotImplementedError()
    with pytest.raises(CheckFailed, match="not done yet"):
        ex11.check_balanced_params(stub)
