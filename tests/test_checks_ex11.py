"""Exercise 11's checks: plausible wrong conversions fail with CheckFailed, right answers pass.

The right answers follow from the conventions lecture 11 checks numerically: PyTorch's weighted mean divides
by sum_i w[y_i], Keras's default by N, scikit-learn's log_loss by sum(sample_weight), and
RandomUnderSampler's dict gives the number of each class to keep.
"""
import re

import numpy as np
import pytest
import torch
from sklearn.metrics import log_loss

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
                  ex11.check_undersampling_strategy):
        with pytest.raises(CheckFailed, match="IndexError"):
            check(crashes)
