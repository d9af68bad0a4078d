"""Exercise 11's checks: plausible wrong conversions fail with CheckFailed, right answers pass.

The right answers follow from the conventions lecture 11 checks numerically: PyTorch's weighted mean divides
by sum_i w[y_i], Keras's default by N, scikit-learn's log_loss by sum(sample_weight),
RandomUnderSampler's dict gives the number of each class to keep, and LightGBM's class_weight multiplies every
gradient and hessian (task 7: the penalties that see that factor must follow it).
"""
import re
from functools import partial

import numpy as np
import pytest
import torch
from sklearn.metrics import log_loss
from sklearn.utils.class_weight import compute_class_weight

from wloss.checks import CheckFailed, ex11
from wloss_grading import ex11 as hidden_ex11

import check_messages
from check_messages import failure, not_done, visible_only_answer

#: What no failure message of a check may contain: the answer's values as printed at usual precisions, the key
#: token of the fix, and words that explain the right answer. Filled in per check below, next to its wrong answers.
FORBIDDEN = {}


#: The message names a property and asks; it holds none of ``FORBIDDEN[check]`` (compared case-insensitively).
assert_teaches_without_telling = partial(check_messages.assert_teaches_without_telling, FORBIDDEN, ignore_case=True)


def printed(values, digits=(2, 3, 4)):
    """The values as a message would print them."""
    return sorted({f"{v:.{d}f}" for v in np.ravel(values) for d in digits} | {f"{v:.4g}" for v in np.ravel(values)})

# ----------------------------------------------------------------------------- task 1


def right_factors(batch_targets, class_weight):
    """Each micro-batch's share of the full batch's denominator: the weights of its real (not padding) targets."""
    sums = np.array([sum(class_weight[y] for y in t if y != -100) for t in batch_targets])
    return sums / sums.sum()


def lecture_factors(batch_targets, class_weight):              # the lecture's answer, padding indexed as a class
    sums = np.array([np.asarray(class_weight)[np.asarray(t) % len(class_weight)].sum() for t in batch_targets])
    return sums / sums.sum()


WRONG_FACTORS = {
    "one over the number of micro-batches": lambda ts, w: np.full(len(ts), 1 / len(ts)),
    "micro-batch size over N (counts instead of weights)":
        lambda ts, w: np.array([len(t) for t in ts]) / sum(len(t) for t in ts),
    "plain sum of the means": lambda ts, w: np.ones(len(ts)),
    "weight sum over N (Keras's denominator)":
        lambda ts, w: np.array([np.asarray(w)[t[t != -100]].sum() for t in ts]) / sum(len(t) for t in ts),
    "inverted factors": lambda ts, w: 1 / right_factors(ts, w),
    "one factor for all": lambda ts, w: 0.5,
    "padding weighing 1": lambda ts, w: (lambda s: s / s.sum())(
        np.array([sum(w[y] if y != -100 else 1.0 for y in t) for t in ts])),
    "the lecture's factors, padding read as a class": lecture_factors,
    "real positions over all real positions": lambda ts, w: (lambda s: s / s.sum())(
        np.array([np.sum(np.asarray(t) != -100) for t in ts], dtype=float)),
}


FORBIDDEN["check_accumulation_factors"] = printed(right_factors(*ex11.VISIBLE_ACCUMULATION_CASES[0][1:3])) + [
    "W_b", "weight sum", "sum of the weights", "sum of its weights", "class_weight[", "/ W", "swap", "ITS OWN",
    "!= -100", "ignored", "excluded", "leave out"]


@pytest.mark.parametrize("wrong", WRONG_FACTORS.values(), ids=WRONG_FACTORS.keys())
def test_wrong_accumulation_factors_fail_naming_the_property(wrong):
    message = failure(ex11.check_accumulation_factors, wrong)
    assert "differs from the full batch's" in message or "expected shape" in message, message
    assert_teaches_without_telling("check_accumulation_factors", message)


def test_factors_that_weigh_the_padding_are_asked_about_it():
    with pytest.raises(CheckFailed, match="padding positions as if each weighed 1"):
        ex11.check_accumulation_factors(WRONG_FACTORS["padding weighing 1"])


def test_indexing_the_weights_with_the_padding_target_is_a_clear_failure():
    with pytest.raises(CheckFailed, match="IndexError"):
        ex11.check_accumulation_factors(lambda ts, w: right_factors_by_indexing(ts, w))


def right_factors_by_indexing(batch_targets, class_weight):      # w[t] with t = -100 and K = 2
    sums = np.array([np.asarray(class_weight)[np.asarray(t)].sum() for t in batch_targets])
    return sums / sums.sum()


def test_factors_by_size_are_named():
    with pytest.raises(CheckFailed, match="how many positions each holds"):
        ex11.check_accumulation_factors(WRONG_FACTORS["micro-batch size over N (counts instead of weights)"])


def test_factors_right_only_when_weight_sums_are_equal_fail_the_hidden_cases():
    one_over_b = WRONG_FACTORS["one over the number of micro-batches"]
    message = failure(hidden_ex11.check_accumulation_factors, one_over_b)
    assert "K = 3" in message, message


def test_the_unsolved_accumulation_factors_is_not_done_yet():
    with pytest.raises(CheckFailed, match="not done yet"):
        ex11.check_accumulation_factors(not_done)


# ----------------------------------------------------------------------------- task 2

FULL = (12 * 8 + 88) / 100          # Keras divides the weighted sum by N, PyTorch by sum w[y]
SINGLE = 8.0                        # one positive: Keras 8 l / 1, PyTorch 8 l / 8
REASON = "Keras divides the weighted sum by N, PyTorch by the sum of the weights"
FORBIDDEN["check_predicted_ratios"] = printed([FULL, SINGLE, 184]) + [
    "cancel", "184", "sum of the weights", "sum_over_batch_size", "N = 100", "/ N", "weight sum"]


def test_the_experiment_measures_the_solution_s_ratios():
    measured = hidden_ex11.measured_ratios()
    assert measured["predicted_ratio_full"] == pytest.approx(FULL, rel=1e-12)
    assert measured["predicted_ratio_single"] == pytest.approx(SINGLE, rel=1e-12)


@pytest.mark.parametrize("full, single, named", [
    (1.0, 1.0, RATIO_BOTH := ["predicted_ratio_full", "predicted_ratio_single"]),   # "the same loss in both"
    (1 / FULL, SINGLE, ["predicted_ratio_full"]),                                # ratio upside down
    (FULL, 1.0, ["predicted_ratio_single"]),                                     # weights survive in PyTorch too
    (FULL, FULL, ["predicted_ratio_single"]),                                    # full-batch factor reused
    (FULL, 1 / SINGLE, ["predicted_ratio_single"]),                              # single ratio upside down
    (8.0, 8.0, ["predicted_ratio_full"]),                                        # the class weight everywhere
    (1.85, 8.0, ["predicted_ratio_full"]),                                       # read off the printed digits, rounded
], ids=["same", "full-inverted", "single-cancels-both", "single-as-full", "single-inverted", "weight-everywhere",
        "rounded"])
def test_wrong_predictions_pass_the_visible_part_and_fail_the_hidden_one(full, single, named, capsys):
    ex11.check_predicted_ratios(full, single, REASON)
    message = failure(hidden_ex11.check_predicted_ratios, full, single, REASON)
    assert "disagree with the experiment" in message, message
    for key in RATIO_BOTH:
        assert (f"{key!r}:" in message) == (key in named), message
    assert_teaches_without_telling("check_predicted_ratios",
                                   message.replace(f"{full:.4g}", "").replace(f"{single:.4g}", ""))


@pytest.mark.parametrize("full, single, reason, says", [
    (None, None, None, "predicted_ratio_full: not filled in"),                  # the stub as shipped
    (FULL, ..., REASON, "predicted_ratio_single: not filled in"),
    ("1.84", SINGLE, REASON, "expected a number"),
    (FULL, -8.0, REASON, "is positive"),
    (FULL, SINGLE, None, "ratio_reason: not filled in"),
    (FULL, SINGLE, 3, "expected one line of text"),
    (FULL, SINGLE, "gut feeling", "not a reason yet"),
])
def test_unfilled_or_malformed_predictions_fail_the_visible_part(full, single, reason, says):
    message = failure(ex11.check_predicted_ratios, full, single, reason)
    assert says in message, message
    assert_teaches_without_telling("check_predicted_ratios", message.replace("1.84", ""))
    with pytest.raises(CheckFailed, match=says):
        hidden_ex11.check_predicted_ratios(full, single, reason)


def test_the_visible_part_never_grades(capsys):
    ex11.check_predicted_ratios(1.0, 1.0, REASON)
    assert "recorded" in capsys.readouterr().out


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


FORBIDDEN["check_bce_via_log_loss"] = [
    "sample_weight.sum()", "sum(sample_weight)", "len(y)", "normalize=False", "weighted AVERAGE", "/ N",
    "divided by the sum of the weights", "multiply by", "multiplies the loss of the POSITIVE", "* sw"]


@pytest.mark.parametrize("wrong", WRONG_LOG_LOSS.values(), ids=WRONG_LOG_LOSS.keys())
def test_wrong_log_loss_conversions_fail(wrong):
    message = failure(ex11.check_bce_via_log_loss, wrong)
    assert "differs from PyTorch's BCEWithLogitsLoss(pos_weight)" in message, message
    assert message.rstrip().endswith("?"), message
    assert "(30 examples" in message, message                      # the smallest case
    assert not re.search(r"\d\.\d{4}", message), "the message must not print PyTorch's value"
    assert_teaches_without_telling("check_bce_via_log_loss", message)


def test_the_colleague_s_weighted_average_is_named_by_its_result():
    with pytest.raises(CheckFailed, match="colleague's value"):
        ex11.check_bce_via_log_loss(WRONG_LOG_LOSS["unchanged (weighted average)"])


def test_log_loss_that_only_works_for_one_pos_weight_fails_the_hidden_cases():
    def fixed_for_four(y, p, pw):
        return right_bce_via_log_loss(y, p, 4.0 if pw == 4.0 else 2.5 if pw == 2.5 else 1.0)
    ex11.check_bce_via_log_loss(fixed_for_four)
    failure(hidden_ex11.check_bce_via_log_loss, fixed_for_four)


def test_the_unsolved_bce_via_log_loss_is_not_done_yet():
    with pytest.raises(CheckFailed, match="not done yet"):
        ex11.check_bce_via_log_loss(not_done)


# ----------------------------------------------------------------------------- task 4


def right_focal(pos_weight):
    """Keras weighs a positive's loss by alpha and a negative's by 1 - alpha: scale (alpha, 1 - alpha) = (w, 1)."""
    scale = pos_weight + 1
    return pos_weight / scale, scale


WRONG_FOCAL = {
    "the colleague's alpha = pos_weight": (lambda w: (w, 1.0), "is negative"),
    "the ratio right, the scale forgotten": (lambda w: (w / (1 + w), 1.0), "differs from PyTorch's"),
    "alpha for the negatives": (lambda w: (1 / (1 + w), 1 + w), "differs from PyTorch's"),
    "scaled by pos_weight": (lambda w: (w / (1 + w), w), "differs from PyTorch's"),
    "balanced halves": (lambda w: (0.5, 2.0), "differs from PyTorch's"),
    "alpha alone": (lambda w: w / (1 + w), "expected a pair"),
}
FORBIDDEN["check_keras_focal_settings"] = ["0.9", "0.75", "0.90", "0.750", "10.0", "4.0", "scale = 10", "scale = 4", "(10", "(4", 
    "/ (1 + ", "1 + pos_weight", "1 - alpha", "1-alpha", "pos_weight + 1", "w + 1", "alpha = w"]


@pytest.mark.parametrize("name", WRONG_FOCAL)
def test_wrong_focal_settings_fail_naming_the_batch(name):
    wrong, says = WRONG_FOCAL[name]
    message = failure(ex11.check_keras_focal_settings, wrong)
    assert says in message and "keras_focal_settings (pos_weight=9, a batch of 40" in message, message
    if says != "expected a pair":
        assert message.rstrip().endswith("?"), message
    assert_teaches_without_telling("check_keras_focal_settings", message.replace("alpha = 9 ", ""))


def test_focal_settings_right_only_for_the_visible_weights_fail_the_hidden_cases():
    def memorised(w):
        return right_focal(w) if w in (9.0, 3.0) else (w / (1 + w), 1.0)
    ex11.check_keras_focal_settings(memorised)
    failure(hidden_ex11.check_keras_focal_settings, memorised, match="pos_weight=1")


def test_keras_weighs_the_classes_by_alpha_and_one_minus_alpha():
    y, z = np.array([1.0, 0.0]), np.array([0.3, -1.2])
    bce = np.logaddexp(0, -z) * y + np.logaddexp(0, z) * (1 - y)
    assert ex11._keras_focal(y, z, 0.8) == pytest.approx(np.mean(bce * [0.8, 0.2]), rel=1e-9)


def test_the_unsolved_focal_settings_are_not_done_yet():
    with pytest.raises(CheckFailed, match="not done yet"):
        ex11.check_keras_focal_settings(not_done)


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


FORBIDDEN["check_undersampling_strategy"] = ["{0:", "{1:", "35", "90", "20.0%", "25.0%", "0.200", "0.250",
                                              "neg_weight * ", "to keep", "with probability q"]


@pytest.mark.parametrize("wrong", WRONG_STRATEGIES.values(), ids=WRONG_STRATEGIES.keys())
def test_wrong_undersampling_strategies_fail(wrong):
    message = failure(ex11.check_undersampling_strategy, wrong)
    assert "undersampling_strategy (" in message, message
    assert_teaches_without_telling("check_undersampling_strategy", message)


def test_the_number_to_remove_is_named_by_its_result():
    with pytest.raises(CheckFailed, match="seem to be swapped"):
        ex11.check_undersampling_strategy(WRONG_STRATEGIES["the number to remove"])


def test_a_strategy_right_only_for_the_visible_weights_fails_the_hidden_cases():
    def memorised(y, w):
        return right_strategy(y, w) if w in (0.2, 0.25) else {0: int(np.sum(y))}
    ex11.check_undersampling_strategy(memorised)
    failure(hidden_ex11.check_undersampling_strategy, memorised)


def test_the_unsolved_undersampling_strategy_is_not_done_yet():
    with pytest.raises(CheckFailed, match="not done yet"):
        ex11.check_undersampling_strategy(not_done)


# ----------------------------------------------------------------------------- right answers


def test_right_answers_pass(capsys):
    ex11.check_accumulation_factors(right_factors)
    ex11.check_predicted_ratios(FULL, SINGLE, REASON)
    ex11.check_bce_via_log_loss(right_bce_via_log_loss)
    ex11.check_keras_focal_settings(right_focal)
    ex11.check_undersampling_strategy(right_strategy)
    for module in (ex11, hidden_ex11):
        module.check_keras_focal_settings(lambda w: list(right_focal(w)))                       # a list works too
        module.check_undersampling_strategy(lambda y, w: {0: int(round(w * np.sum(np.asarray(y) == 0)))})
    hidden_ex11.check_accumulation_factors(right_factors)
    hidden_ex11.check_predicted_ratios(FULL, SINGLE, REASON)
    hidden_ex11.check_bce_via_log_loss(right_bce_via_log_loss)
    hidden_ex11.check_keras_focal_settings(right_focal)
    hidden_ex11.check_undersampling_strategy(right_strategy)
    assert capsys.readouterr().out.count("\u2714") == 14


def test_a_crash_in_the_students_code_is_a_check_failure():
    def crashes(*args):
        raise IndexError("index 3 is out of bounds")
    for check in (ex11.check_accumulation_factors, ex11.check_bce_via_log_loss, ex11.check_keras_focal_settings,
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
    hidden_ex11.check_balanced_params(right_balanced_params)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("relative", [1e-6, -1e-6])
def test_balanced_params_off_by_rounding_still_pass(relative, capsys):
    """The check compares with an experiment: an answer off by far more than any CPU's rounding still passes."""
    def rounded(y, lam, m):
        return {key: value * (1 + relative) for key, value in right_balanced_params(y, lam, m).items()}
    ex11.check_balanced_params(rounded)
    hidden_ex11.check_balanced_params(rounded)


FORBIDDEN["check_balanced_params"] = FORBIDDEN_BALANCED


@pytest.mark.parametrize("name", WRONG_BALANCED)
def test_wrong_balanced_params_fail_with_a_question(name):
    wrong, says = WRONG_BALANCED[name]
    message = failure(ex11.check_balanced_params, wrong)
    assert "trains another model than the dict's" in message and says in message, message
    assert message.rstrip().endswith("?"), message
    assert_teaches_without_telling("check_balanced_params", message)


def test_reg_lambda_alone_is_named_on_the_case_without_min_child_weight():
    with pytest.raises(CheckFailed, match=r"reg_lambda=1, min_child_weight=0\)"):
        ex11.check_balanced_params(WRONG_BALANCED["the dict model's settings kept"][0])
    with pytest.raises(CheckFailed, match=r"reg_lambda=0, min_child_weight=4\)"):
        ex11.check_balanced_params(WRONG_BALANCED["reg_lambda rescaled, min_child_weight kept"][0])


def test_factor_from_the_majority_class_passes_the_visible_cases_but_not_the_hidden_ones(capsys):
    majority = _scaled(lambda y: len(y) / (2 * max(np.sum(y == 0), np.sum(y == 1))))
    ex11.check_balanced_params(majority)
    failure(hidden_ex11.check_balanced_params, majority, match="140 positive")


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
    with pytest.raises(CheckFailed, match="not done yet"):
        ex11.check_balanced_params(not_done)


# ----------------------------------------------------------------------------- task 8: a port of one's own


def right_torch_loss(y, z):
    """PyTorch's pos_weight BCE (mean), pos_weight 3."""
    return torch.nn.functional.binary_cross_entropy_with_logits(z, y,
                                                                pos_weight=torch.tensor(3.0, dtype=torch.float64))


def right_numpy_port(y, z):
    """The same loss from its definition, written with log(1 + e^x) that stays finite for any x."""
    w = np.where(y == 1, 3.0, 1.0)
    return float(np.mean(w * y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)))


def right_objective_port(y, z):
    """A boosting library's custom objective: derivatives of the sum of the losses."""
    w = np.where(y == 1, 3.0, 1.0)
    p = 0.5 * (1 + np.tanh(z / 2))
    return w * (p - y), w * p * (1 - p)


OPEN_CASE = (np.r_[np.ones(2), np.zeros(6)], np.array([-2.0, 1.0, 0.5, -1.0, 2.0, 0.0, -0.5, 1.5]))

WRONG_PORTS = {
    "divides by the weight sum (PyTorch's cross_entropy convention)":
        lambda y, z: (lambda w: float(w @ (y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)) / w.sum()))(
            np.where(y == 1, 3.0, 1.0)),
    "the weight on the negatives": lambda y, z: (lambda w: float(np.mean(
        w * (y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)))))(np.where(y == 0, 3.0, 1.0)),
    "the weight forgotten": lambda y, z: float(np.mean(y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z))),
    "a sum instead of the mean": lambda y, z: right_numpy_port(y, z) * len(y),
    "an objective without the weight in the hessian": lambda y, z: (right_objective_port(y, z)[0],
                                                                    (lambda p: p * (1 - p))(1 / (1 + np.exp(-z)))),
    "an objective divided by the weight sum": lambda y, z: tuple(
        d / np.where(y == 1, 3.0, 1.0).sum() for d in right_objective_port(y, z)),
}

FORBIDDEN["check_own_port"] = ["logaddexp", "expit", "log_sigmoid", "softplus", "stable", "tanh", "mean", "sum of "
                               "the weights", "weight sum", "N =", "pos_weight", "1 +"]


def test_right_ports_pass_visible_and_hidden(capsys):
    for port in (right_numpy_port, right_objective_port,
                 lambda y, z: tuple(d / len(y) for d in right_objective_port(y, z))):
        ex11.check_own_port(right_torch_loss, port, "NumPy", OPEN_CASE)
        hidden_ex11.check_own_port(right_torch_loss, port, "NumPy", OPEN_CASE)
    assert capsys.readouterr().out.count("\u2714") == 6


@pytest.mark.parametrize("wrong", WRONG_PORTS.values(), ids=WRONG_PORTS.keys())
def test_wrong_ports_fail_naming_the_batch(wrong):
    message = failure(ex11.check_own_port, right_torch_loss, wrong, "NumPy", OPEN_CASE)
    assert "differs from your PyTorch loss's" in message, message
    assert_teaches_without_telling("check_own_port", message)


def test_a_naive_port_right_at_small_logits_passes_visible_and_fails_hidden(capsys):
    def naive_port(y, z):
        w, p = np.where(y == 1, 3.0, 1.0), 1 / (1 + np.exp(-z))
        return float(np.mean(-(w * y * np.log(p) + (1 - y) * np.log(1 - p))))
    ex11.check_own_port(right_torch_loss, naive_port, "NumPy", OPEN_CASE)
    with np.errstate(all="ignore"):
        message = failure(hidden_ex11.check_own_port, right_torch_loss, naive_port, "NumPy", OPEN_CASE)
    assert "logits up to 40" in message, message
    assert_teaches_without_telling("check_own_port", message)


def test_a_port_right_only_on_its_own_case_fails_the_visible_check():
    memorised = right_numpy_port(*OPEN_CASE)
    message = failure(ex11.check_own_port, right_torch_loss, lambda y, z: memorised, "NumPy", OPEN_CASE)
    assert "mixed" not in message and "8 positive" in message, message


@pytest.mark.parametrize("args, says", [
    ((lambda y, z: torch.nn.functional.binary_cross_entropy_with_logits(z, y), right_numpy_port, "NumPy", OPEN_CASE),
     "unweighted"),
    ((right_torch_loss, right_numpy_port, "PyTorch", OPEN_CASE), "which other library"),
    ((right_torch_loss, right_numpy_port, "NumPy", OPEN_CASE[0]), "pair (y, z)"),
    ((right_torch_loss, right_numpy_port, "NumPy", (OPEN_CASE[0], OPEN_CASE[1][:3])), "expected shape"),
    ((right_torch_loss, right_numpy_port, "NumPy", (OPEN_CASE[0] + 1, OPEN_CASE[1])), "each 0 or 1"),
    ((lambda y, z: float(right_numpy_port(y.numpy(), z.detach().numpy())), right_numpy_port, "NumPy", OPEN_CASE),
     "PyTorch tensor"),
    ((right_torch_loss, lambda y, z: (1.0, 2.0, 3.0), "NumPy", OPEN_CASE), "a pair (grad, hess)"),
])
def test_malformed_open_answers_fail(args, says):
    assert says in failure(ex11.check_own_port, *args)


def test_the_unfilled_or_unsolved_port_is_not_done_yet():
    with pytest.raises(CheckFailed, match="not filled in yet"):
        ex11.check_own_port(None, None, None, None)

    with pytest.raises(CheckFailed, match="not done yet"):
        ex11.check_own_port(right_torch_loss, not_done, "NumPy", OPEN_CASE)


def test_every_check_has_its_forbidden_fragments():
    checks = sorted(name for name, value in vars(ex11).items()
                    if name.startswith("check_") and getattr(value, "__module__", "") == ex11.__name__)
    assert sorted(FORBIDDEN) == checks


#: The visible-only replacement for exercise 11, in the solution's balanced_params: the factor
#: taken from the majority class, right whenever the negatives are the majority (every visible case).
VISIBLE_ONLY = ("c = len(y) / (2 * np.sum(y == 0))", "c = len(y) / (2 * max(np.sum(y == 0), np.sum(y == 1)))")


def test_the_visible_only_answer_passes_visible_and_fails_hidden(capsys):
    balanced_params = visible_only_answer("11_one_loss_five_libraries.ipynb", VISIBLE_ONLY, "balanced_params")
    ex11.check_balanced_params(balanced_params)
    failure(hidden_ex11.check_balanced_params, balanced_params, match="140 positive")
