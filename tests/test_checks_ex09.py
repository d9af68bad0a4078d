"""Exercise 09's checks: the solution passes; plausible wrong answers fail with CheckFailed, never with a raw
exception, and no failure message gives the answer away (FORBIDDEN: per check, fragments no message may hold)."""
from functools import partial

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import balanced_accuracy_score

import wloss.losses
import wloss.stats
from wloss.checks import ex09
from wloss.data import long_tailed_digits
from wloss.losses import weighted_cross_entropy
from wloss.training import mlp, predict_logits, train
from wloss.weights import inverse_frequency_weights
from wloss_grading import ex09 as hidden_ex09

import check_messages
from check_messages import asks, failure, failure_visible_then_hidden, failure_without_telling


fails = failure
fails_visible_or_hidden = partial(failure_visible_then_hidden, ex09, hidden_ex09)


#: What no message of a check may contain: the answer's values, the tokens of the fix, words that explain it.
FORBIDDEN = {
    "check_tau_sweep": ["rises then falls", "rises steadily", "falls steadily", "stays flat", "overshoot",
                        "rare classes", "tau = 1", "too far"],
    "check_adjust_to_prior": ["log(test_prior)", "log pi", "log(train_prior)", "likelihood x prior", "already contain",
                              "proportional", "subtract", "np.log", "+ log", "- log"],
    "check_binary_focal": ["p_t = p", "1 - p_t", "(1 - p)", "sigmoid(-", "targets *", "torch.where", "1 - targets",
                           "should be p", "use p"],
    "check_ldam": ["one_hot", "n_k", "n^(-1/4)", "** 0.25", "only the true", "true class's logit", "scatter",
                   "log(1 +", "log1p"],
    "check_paired_difference": ["ddof", "std(", "sqrt(n)", "/ sqrt", "isfinite", "isnan", "intersection", "& set",
                                "in b", "0.1 exactly"],
    "check_tau_prediction": ["rises then falls", "overshoot", "tau = 1"],
    "check_method_comparison": ["Split first", "resample only", "ddof", "sqrt(", "fresh model", "deepcopy"],
    "check_mean_ratio_prediction": ["0.42", "1.0", "2.4", "2.3", "sum_k", "q_k", "pi_k", "1/K", "expectation", "in expectation"],
}


assert_clean = partial(check_messages.assert_teaches_without_telling, FORBIDDEN)
fails_clean = partial(failure_without_telling, FORBIDDEN)  # a message holding "expected one of" may name every choice


# --- task 1: the prediction about the tau sweep, on a small constructed validation set
PRIOR = np.array([0.9, 0.1])
Y_VAL = np.array([0, 0, 0, 0, 1, 1, 1, 1])
# class 1 is rare and its logit too low: tau = 1 fixes some rare examples, tau = 4 breaks the frequent ones
VAL_LOGITS = np.array([[3.0, 0.0], [2.5, 0.0], [3.2, 0.0], [2.9, 0.0],
                       [1.5, 0.0], [1.0, 0.0], [0.5, 0.0], [-1.0, 0.0]])
TAUS = np.array([0.0, 0.5, 1.0, 2.0, 4.0])
TAU_REASON = "a larger tau moves the decisions toward the rare class, and too far hurts the frequent one"
SWEEP = (VAL_LOGITS, Y_VAL, VAL_LOGITS[::-1].copy(), Y_VAL[::-1].copy(), PRIOR, TAUS)


def tau(shape):
    return {ex09.TAU_KEY: shape}


def test_tau_prediction_right_passes_both_parts(capsys):
    ex09.check_tau_prediction(tau("rises then falls"), TAU_REASON)
    ex09.check_tau_sweep(tau("rises then falls"), TAU_REASON, *SWEEP)
    hidden_ex09.check_tau_sweep(tau("rises then falls"), TAU_REASON, *SWEEP)
    assert capsys.readouterr().out.count("\u2714") == 3


@pytest.mark.parametrize("wrong", ["rises steadily", "falls steadily", "stays flat"])
def test_tau_wrong_predictions_pass_visibly_and_fail_hidden(wrong):
    ex09.check_tau_prediction(tau(wrong), TAU_REASON)
    ex09.check_tau_sweep(tau(wrong), TAU_REASON, *SWEEP)
    message = fails(hidden_ex09.check_tau_sweep, tau(wrong), TAU_REASON, *SWEEP)
    assert "1 of 1 disagree" in message and message.rstrip().endswith("?"), message
    assert_clean("check_tau_sweep", message)


def test_tau_malformed_predictions_fail():
    assert "not filled in yet" in fails_clean(ex09.check_tau_prediction, tau(...), ...)
    assert "expected one of" in fails_clean(ex09.check_tau_prediction, tau("up"), TAU_REASON)
    assert "expected a dict" in fails_clean(ex09.check_tau_prediction, "rises then falls", TAU_REASON)
    assert "not a reason yet" in fails_clean(ex09.check_tau_prediction, tau("stays flat"), "tau")
    assert "run the sweep cell unchanged" in fails(ex09.check_tau_sweep, tau("stays flat"), TAU_REASON, VAL_LOGITS,
                                                   Y_VAL[:3], VAL_LOGITS, Y_VAL, PRIOR, TAUS)


def test_tau_curve_shapes():
    assert ex09._curve_shape([0.5, 0.6, 0.7]) == "rises steadily"
    assert ex09._curve_shape([0.7, 0.6, 0.5]) == "falls steadily"
    assert ex09._curve_shape([0.5, 0.8, 0.4]) == "rises then falls"
    assert ex09._curve_shape([0.5, 0.505, 0.5]) == "stays flat"


# --- task 2: logits for a new prior
def right_adjust(logits, train_prior, test_prior):
    return logits + np.log(test_prior) - np.log(train_prior)


WRONG_ADJUST = {
    "lecture's uniform adjustment only": lambda z, tr, te: z - np.log(tr),
    "adds the test prior, keeps the training prior": lambda z, tr, te: z + np.log(te),
    "signs swapped": lambda z, tr, te: z - np.log(te) + np.log(tr),
    "ratio of priors, not its log": lambda z, tr, te: z + te / tr,
    "returns probabilities": lambda z, tr, te: np.exp(z) * te / tr / np.sum(np.exp(z) * te / tr, axis=1, keepdims=True),
}


def right_only_for_four_classes(logits, train_prior, test_prior):   # the visible cases all have K = 4
    if len(train_prior) != 4:
        return logits
    return right_adjust(logits, train_prior, test_prior)


def test_adjust_to_prior_right_passes(capsys):
    ex09.check_adjust_to_prior(right_adjust)
    hidden_ex09.check_adjust_to_prior(lambda z, tr, te: right_adjust(z, tr, te) - 5.0)  # constants are fine
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("name", WRONG_ADJUST)
def test_adjust_to_prior_wrong_answers_fail(name):
    message = fails_visible_or_hidden("check_adjust_to_prior", WRONG_ADJUST[name])
    assert "posterior under the test prior" in message or "expected shape" in message, message
    assert_clean("check_adjust_to_prior", message)


def test_adjust_to_prior_hidden_cases_catch_a_visible_only_answer():
    ex09.check_adjust_to_prior(right_only_for_four_classes)
    assert_clean("check_adjust_to_prior", fails(hidden_ex09.check_adjust_to_prior, right_only_for_four_classes))


def test_adjust_to_prior_stub_and_crash():
    def stub(z, tr, te):
        raise NotImplementedError()

    assert "not done yet" in fails_clean(ex09.check_adjust_to_prior, stub)
    assert "raised" in fails_clean(ex09.check_adjust_to_prior, lambda z, tr, te: z @ tr[:2])


# --- task 3: a detector's focal loss
def right_focal(logits, targets, alpha, gamma):
    """Element by element from the definition, in NumPy."""
    z, y = logits.numpy(), targets.numpy()
    p = 1 / (1 + np.exp(-z))
    p_t = np.where(y == 1, p, 1 - p)
    alpha_t = np.where(y == 1, alpha, 1 - alpha)
    return alpha_t * (1 - p_t) ** gamma * -np.log(p_t)


def public_code_focal(logits, targets, alpha, gamma):
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
    return alpha_t * (1 - p) ** gamma * ce


WRONG_FOCAL = {
    "the public code (focusing with 1 - p)": public_code_focal,
    "alpha for every element": lambda z, y, a, g: a * torch.as_tensor(right_focal(z, y, 0.5, g)) * 2,
    "alpha ignored": lambda z, y, a, g: torch.as_tensor(right_focal(z, y, 0.5, g)) * 2,
    "focusing factor p_t^gamma": lambda z, y, a, g: torch.as_tensor(
        right_focal(z, y, a, 0.0)) * torch.where(y > 0.5, torch.sigmoid(z), torch.sigmoid(-z)) ** g,
    "mean instead of per element": lambda z, y, a, g: torch.as_tensor(right_focal(z, y, a, g)).mean(),
    "pos_weight instead of alpha_t": lambda z, y, a, g: F.binary_cross_entropy_with_logits(
        z, y, pos_weight=torch.tensor(a / (1 - a), dtype=z.dtype), reduction="none")
        * (1 - torch.where(y > 0.5, torch.sigmoid(z), torch.sigmoid(-z))) ** g,
}


def test_binary_focal_right_passes(capsys):
    ex09.check_binary_focal(right_focal)
    hidden_ex09.check_binary_focal(right_focal)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("name", WRONG_FOCAL)
def test_binary_focal_wrong_answers_fail(name):
    message = fails_visible_or_hidden("check_binary_focal", WRONG_FOCAL[name])
    assert asks(message, "expected shape"), message
    assert_clean("check_binary_focal", message)


def test_binary_focal_for_1d_logits_only_passes_visibly_and_fails_hidden():
    def one_dimensional(logits, targets, alpha, gamma):
        return torch.as_tensor(right_focal(logits.reshape(-1)[: logits.shape[0]], targets.reshape(-1)[: logits.shape[0]],
                                           alpha, gamma))

    ex09.check_binary_focal(one_dimensional)
    assert "expected shape" in fails(hidden_ex09.check_binary_focal, one_dimensional)


def test_binary_focal_that_calls_the_library_fails_with_the_blocking_message():
    message = fails_clean(ex09.check_binary_focal,
                    lambda z, y, a, g: wloss.losses.sigmoid_focal_loss(z, y, gamma=g, alpha=a, reduction="none"))
    assert message.startswith("binary_focal: your code called wloss.losses.sigmoid_focal_loss"), message


def test_binary_focal_stub_and_reference():
    def stub(z, y, a, g):
        raise NotImplementedError()

    assert "not done yet" in fails_clean(ex09.check_binary_focal, stub)
    for _, z, y, a, g in ex09.visible_focal_cases() + hidden_ex09.hidden_focal_cases():
        assert np.allclose(hidden_ex09.reference_binary_focal(z, y, a, g), right_focal(z, y, a, g))
        if z.ndim == 1:
            library = wloss.losses.sigmoid_focal_loss(z, y, gamma=g, alpha=a, reduction="none").numpy()
            assert np.allclose(hidden_ex09.reference_binary_focal(z, y, a, g), library)


def test_public_pattern_is_right_on_positives_only():
    z = torch.tensor([-6.0, 6.0, -6.0, 6.0], dtype=torch.float64)
    y = torch.tensor([1.0, 1.0, 0.0, 0.0], dtype=torch.float64)
    assert np.allclose(public_code_focal(z, y, 0.25, 2.0)[:2].numpy(), right_focal(z, y, 0.25, 2.0)[:2])
    assert not np.allclose(public_code_focal(z, y, 0.25, 2.0)[2:].numpy(), right_focal(z, y, 0.25, 2.0)[2:])


# --- task 4: a classmate's LDAM
def right_ldam(logits, targets, class_counts, max_margin=0.5, scale=1.0):
    counts = torch.as_tensor(class_counts, dtype=logits.dtype)
    margins = max_margin * (counts.min() / counts) ** 0.25
    shifted = logits - F.one_hot(targets, logits.shape[1]) * margins[targets, None]
    return F.cross_entropy(scale * shifted, targets, reduction="none")


def classmate_ldam(logits, targets, class_counts, max_margin=0.5, scale=1.0):
    counts = torch.as_tensor(class_counts, dtype=logits.dtype)
    margins = max_margin * (counts.min() / counts) ** 0.25
    return F.cross_entropy(scale * (logits - margins), targets, reduction="none")


def _margins(counts, max_margin, power):
    counts = torch.as_tensor(counts, dtype=torch.float64)
    return max_margin * (counts.min() / counts) ** power


WRONG_LDAM = {
    "the classmate's column-wise margins": classmate_ldam,
    "margin added to the true logit": lambda z, y, n, max_margin=0.5, scale=1.0: F.cross_entropy(
        scale * (z + F.one_hot(y, z.shape[1]) * _margins(n, max_margin, 0.25)[y, None]), y, reduction="none"),
    "margin outside the scale": lambda z, y, n, max_margin=0.5, scale=1.0: F.cross_entropy(
        scale * z - F.one_hot(y, z.shape[1]) * _margins(n, max_margin, 0.25)[y, None], y, reduction="none"),
    "margins largest for the most frequent class": lambda z, y, n, max_margin=0.5, scale=1.0: F.cross_entropy(
        scale * (z - F.one_hot(y, z.shape[1]) * _margins(1.0 / torch.as_tensor(n, dtype=torch.float64), max_margin,
                                                          0.25)[y, None]), y, reduction="none"),
    "mean over the batch": lambda z, y, n, max_margin=0.5, scale=1.0: right_ldam(z, y, n, max_margin, scale).mean(),
    "margin subtracted from every logit but the true one": lambda z, y, n, max_margin=0.5, scale=1.0: F.cross_entropy(
        scale * (z - (1 - F.one_hot(y, z.shape[1])) * _margins(n, max_margin, 0.25)[y, None]), y, reduction="none"),
}


def margins_to_the_half(logits, targets, class_counts, max_margin=0.5, scale=1.0):
    """n^(-1/2) margins: with max_margin at the rarest class and every logit 0 the visible checks cannot tell."""
    counts = torch.as_tensor(class_counts, dtype=logits.dtype)
    margins = max_margin * (counts.min() / counts) ** 0.5
    shifted = logits - F.one_hot(targets, logits.shape[1]) * margins[targets, None]
    return F.cross_entropy(scale * shifted, targets, reduction="none")


def test_ldam_right_passes(capsys):
    ex09.check_ldam(right_ldam)
    hidden_ex09.check_ldam(right_ldam)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("name", WRONG_LDAM)
def test_ldam_wrong_answers_fail(name):
    message = fails_visible_or_hidden("check_ldam", WRONG_LDAM[name])
    assert asks(message, "expected shape"), message
    assert_clean("check_ldam", message)


def test_ldam_with_other_margins_passes_visibly_and_fails_hidden():
    ex09.check_ldam(margins_to_the_half)
    assert_clean("check_ldam", fails(hidden_ex09.check_ldam, margins_to_the_half))


def test_ldam_that_calls_the_library_fails_with_the_blocking_message():
    message = fails_clean(ex09.check_ldam, lambda z, y, n, max_margin=0.5, scale=1.0: wloss.losses.ldam_loss(
        z, y, n, max_margin=max_margin, scale=scale, reduction="none"))
    assert message.startswith("ldam: your code called wloss.losses.ldam_loss"), message


def test_ldam_stub_and_reference():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    assert "not done yet" in fails_clean(ex09.check_ldam, stub)
    for _, z, y, n, m, s in ex09.visible_ldam_cases() + hidden_ex09.hidden_ldam_cases():
        library = wloss.losses.ldam_loss(z, y, n, max_margin=m, scale=s, reduction="none").numpy()
        assert np.allclose(hidden_ex09.reference_ldam(z, y, n, m, s), library)


# --- task 5: pairing by seed
def right_paired(a, b):
    pairs = [(a[s], b[s]) for s in a if s in b and a[s] == a[s] and b[s] == b[s]]
    gains = [y - x for x, y in pairs]
    n = len(gains)
    mean = sum(gains) / n
    variance = sum((g - mean) ** 2 for g in gains) / (n - 1)
    return mean, (variance / n) ** 0.5, n


def positional(a, b):   # pairs by position in the dicts
    x, y = np.array(list(a.values())), np.array(list(b.values()))
    m = min(len(x), len(y))
    d = y[:m] - x[:m]
    d = d[np.isfinite(d)]
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(d.size)), d.size


def with_common(answer):
    def run(a, b):
        seeds = [s for s in a if s in b and np.isfinite(a[s]) and np.isfinite(b[s])]
        return answer(np.array([a[s] for s in seeds]), np.array([b[s] for s in seeds]))
    return run


WRONG_PAIRED = {
    "pairs by position": positional,
    "a - b": lambda a, b: (lambda m, se, n: (-m, se, n))(*right_paired(a, b)),
    "population std": with_common(lambda x, y: ((y - x).mean(), (y - x).std() / np.sqrt(x.size), x.size)),
    "unpaired standard error": with_common(lambda x, y: ((y - x).mean(), np.sqrt(x.var(ddof=1) / x.size
                                                                                + y.var(ddof=1) / y.size), x.size)),
    "std, not its standard error": with_common(lambda x, y: ((y - x).mean(), (y - x).std(ddof=1), x.size)),
    "nan kept (nanmean)": lambda a, b: (lambda d: (float(np.nanmean(d)), float(np.nanstd(d, ddof=1) / np.sqrt(d.size)),
                                                   d.size))(np.array([b[s] - a[s] for s in a if s in b])),
    "a list, not a tuple": lambda a, b: list(right_paired(a, b)),
    "two values, no n": lambda a, b: right_paired(a, b)[:2],
}


def sorted_seeds_only(a, b):   # right when the seeds are integers; sorts them with the nan runs first
    seeds = sorted(s for s in a if s in b and np.isfinite(a[s]) and np.isfinite(b[s]))
    if any(isinstance(s, str) for s in seeds):
        seeds = seeds[1:]
    d = np.array([b[s] - a[s] for s in seeds])
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(d.size)), len(seeds)


def test_paired_difference_right_passes(capsys):
    ex09.check_paired_difference(right_paired)
    hidden_ex09.check_paired_difference(right_paired)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("name", WRONG_PAIRED)
def test_paired_difference_wrong_answers_fail(name):
    message = fails_visible_or_hidden("check_paired_difference", WRONG_PAIRED[name])
    assert asks(message, "expected"), message
    assert_clean("check_paired_difference", message)
    _, a, b = ex09.visible_paired_cases()[0]
    mean, se, _ = right_paired(a, b)
    assert f"{mean:.3g}" not in message and f"{se:.3g}" not in message


def test_paired_difference_hidden_cases_catch_a_visible_only_answer():
    ex09.check_paired_difference(sorted_seeds_only)
    assert_clean("check_paired_difference", fails(hidden_ex09.check_paired_difference, sorted_seeds_only))


def test_paired_difference_that_calls_the_library_fails_with_the_blocking_message():
    def through_the_library(a, b):
        seeds = [s for s in a if s in b and np.isfinite(a[s]) and np.isfinite(b[s])]
        effect = wloss.stats.paired_effect(np.array([b[s] - a[s] for s in seeds]))
        return effect.mean, effect.se, len(seeds)

    message = fails_clean(ex09.check_paired_difference, through_the_library)
    assert message.startswith("paired_difference: your code called wloss.stats.paired_effect"), message


def test_paired_difference_stub():
    def stub(a, b):
        raise NotImplementedError()

    assert "not done yet" in fails_clean(ex09.check_paired_difference, stub)


# --- task 7: which mean, with other weights and other batches (predict, then run)
INV_SHUFFLED, DRW_BALANCED, INV_BALANCED = ex09.MEAN_RATIO_SETTINGS
REASON = "the ratio is the mean weight of a drawn example, which depends on the class shares in the batches"


def expected_mean_ratios():
    """The expected ratio sum_k q_k w_k of each setting, computed from the class counts (not by the experiment)."""
    counts = np.bincount(long_tailed_digits(20.0, seed=0)[1])
    prior, uniform = counts / counts.sum(), np.full(counts.size, 1 / counts.size)
    inverse = counts.sum() / (counts.size * counts)
    effective = (1 - 0.9999) / (1 - 0.9999 ** counts)
    drw = effective * counts.size / effective.sum()
    return {ex09.LECTURE_SETTING: prior @ drw, INV_SHUFFLED: prior @ inverse, DRW_BALANCED: uniform @ drw,
            INV_BALANCED: uniform @ inverse}


def category(ratio):
    return "about 1" if abs(ratio - 1) <= 0.1 else ("below 1" if ratio < 1 else "above 1")


RIGHT_MEAN_RATIO = {key: category(value) for key, value in expected_mean_ratios().items()
                    if key in ex09.MEAN_RATIO_SETTINGS}

WRONG_MEAN_RATIO = {  # name: (prediction, the settings it gets wrong)
    "the lecture's factor below 1 carries over everywhere":
        ({INV_SHUFFLED: "below 1", DRW_BALANCED: "below 1", INV_BALANCED: "below 1"},
         [INV_SHUFFLED, DRW_BALANCED, INV_BALANCED]),
    "inverse-frequency weights are large, so above 1 on shuffled batches":
        ({INV_SHUFFLED: "above 1", DRW_BALANCED: "about 1", INV_BALANCED: "above 1"}, [INV_SHUFFLED]),
    "class-balanced batches make the weights' scale irrelevant":
        ({INV_SHUFFLED: "about 1", DRW_BALANCED: "about 1", INV_BALANCED: "about 1"}, [INV_BALANCED]),
    "DRW's weights stay below 1 whatever the batches":
        ({INV_SHUFFLED: "about 1", DRW_BALANCED: "below 1", INV_BALANCED: "above 1"}, [DRW_BALANCED]),
    "re-sampling and re-weighting cancel, so below 1 for both":
        ({INV_SHUFFLED: "about 1", DRW_BALANCED: "below 1", INV_BALANCED: "below 1"}, [DRW_BALANCED, INV_BALANCED]),
}


def test_mean_ratio_right_answer_from_first_principles():
    assert RIGHT_MEAN_RATIO == {INV_SHUFFLED: "about 1", DRW_BALANCED: "about 1", INV_BALANCED: "above 1"}
    ex09.check_mean_ratio_prediction(dict(RIGHT_MEAN_RATIO), REASON)
    hidden_ex09.check_mean_ratio_prediction(dict(RIGHT_MEAN_RATIO), REASON)


def test_mean_ratio_experiment_agrees_with_the_expectation():
    expected = expected_mean_ratios()
    for seed in (0, 1):
        result = ex09.mean_ratio_experiment(seed)
        assert set(result) == set(expected)
        for setting, value in expected.items():
            assert result[setting]["batches"] == 70
            # 70 batches of 64: the standard error of the mean ratio is under 2 % of it in every setting
            assert abs(result[setting]["mean"] / value - 1) < 0.05, (seed, setting)
            assert result[setting]["low"] < result[setting]["mean"] < result[setting]["high"]
            assert result[setting]["outcome"] == category(value)
    assert ex09.mean_ratio_experiment(0) == ex09.mean_ratio_experiment(0)  # integer draws only: reproducible


def test_mean_ratio_wrong_predictions_pass_visibly_and_fail_hidden():
    for name, (prediction, wrong_settings) in WRONG_MEAN_RATIO.items():
        ex09.check_mean_ratio_prediction(dict(prediction), REASON)  # the visible part grades only the form
        message = fails(hidden_ex09.check_mean_ratio_prediction, dict(prediction), REASON)
        assert f"{len(wrong_settings)} of 3 disagree" in message, name
        assert "the draws you ran" in message, name
        for setting in ex09.MEAN_RATIO_SETTINGS:  # names every setting it gets wrong, and only those
            assert (repr(setting) in message) == (setting in wrong_settings), (name, setting)
        assert "?" in message, name
        right_choices = {RIGHT_MEAN_RATIO[s] for s in wrong_settings}
        assert_clean("check_mean_ratio_prediction", message)
        for fragment in sorted(right_choices - set(prediction.values())):
            assert fragment not in message, (name, fragment)


def test_mean_ratio_malformed_predictions_and_reasons():
    stub = {key: ... for key in ex09.MEAN_RATIO_SETTINGS}
    assert "not filled in yet" in fails_clean(ex09.check_mean_ratio_prediction, stub, ...)  # the exercise as shipped
    assert "not filled in yet" in fails_clean(ex09.check_mean_ratio_prediction, dict(RIGHT_MEAN_RATIO), ...)
    assert "not filled in yet" in fails_clean(ex09.check_mean_ratio_prediction, dict(RIGHT_MEAN_RATIO), None)
    missing = {INV_SHUFFLED: "about 1", DRW_BALANCED: "about 1"}
    assert "missing" in fails_clean(ex09.check_mean_ratio_prediction, missing, REASON)
    assert "expected one of" in fails_clean(ex09.check_mean_ratio_prediction,
                                      dict(RIGHT_MEAN_RATIO, **{INV_BALANCED: 2.4}), REASON)
    assert "expected a dict" in fails_clean(ex09.check_mean_ratio_prediction, "about 1", REASON)
    assert "not a reason yet" in fails_clean(ex09.check_mean_ratio_prediction, dict(RIGHT_MEAN_RATIO), "weights")
    assert "a str" in fails_clean(ex09.check_mean_ratio_prediction, dict(RIGHT_MEAN_RATIO), 1.0)

# --- task 8: the open comparison, on a fast synthetic split so that the test runs in a second
def small_split(seed):
    return long_tailed_digits(20.0, seed=seed)


@pytest.fixture(scope="module")
def honest_runs():
    runs = []
    for seed in range(3):
        X_tr, y_tr, X_te, y_te = small_split(seed)
        weights = torch.as_tensor(inverse_frequency_weights(y_tr), dtype=torch.float32)
        for method, loss in [("CE", F.cross_entropy),
                             ("class weights", lambda z, y, w=weights: weighted_cross_entropy(z, y, class_weight=w))]:
            model = mlp(64, (), 10, seed=seed)
            train(model, X_tr, y_tr, loss, epochs=5, lr=0.01, batch_size=64, seed=seed)
            score = balanced_accuracy_score(y_te, predict_logits(model, X_te).argmax(1))
            runs.append({"method": method, "seed": seed, "model": model, "X_fit": X_tr, "balanced_accuracy": score})
    return runs


def gains(runs, paired=True):
    a = np.array([r["balanced_accuracy"] for r in runs if r["method"] == "CE"])
    b = np.array([r["balanced_accuracy"] for r in runs if r["method"] == "class weights"])
    if paired:
        return right_paired(dict(enumerate(a)), dict(enumerate(b)))[:2]
    return (b - a).mean(), np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)


def test_method_comparison_right(honest_runs):
    ex09.check_method_comparison(honest_runs, *gains(honest_runs))
    hidden_ex09.check_method_comparison(honest_runs, *gains(honest_runs))


def test_method_comparison_wrong(honest_runs):
    # seeds not paired: the second method on other seeds
    unpaired = [dict(r, seed=r["seed"] + 3) if r["method"] == "class weights" else r for r in honest_runs]
    assert "different seeds" in fails_clean(ex09.check_method_comparison, unpaired, *gains(honest_runs))
    # resampled before the split: the training inputs include test images
    leaky = [dict(r, X_fit=np.concatenate([r["X_fit"], small_split(r["seed"])[2]])) for r in honest_runs]
    assert "test split" in fails_clean(ex09.check_method_comparison, leaky, *gains(honest_runs))
    # scores reported on the training data
    on_train = [dict(r, balanced_accuracy=ex09._balanced_accuracy(small_split(r["seed"])[1],
                                                                  predict_logits(r["model"], r["X_fit"]).argmax(1)))
                for r in honest_runs]
    fails_clean(ex09.check_method_comparison, on_train, *gains(honest_runs))
    # unpaired standard error: plausible for the visible part, wrong for the graded one
    ex09.check_method_comparison(honest_runs, *gains(honest_runs, paired=False))
    assert "standard error" in fails_clean(hidden_ex09.check_method_comparison, honest_runs, *gains(honest_runs, paired=False))
    # a negative standard error
    assert "gain_se" in fails_clean(ex09.check_method_comparison, honest_runs, gains(honest_runs)[0], -0.01)
    # only one method
    fails_clean(ex09.check_method_comparison, [r for r in honest_runs if r["method"] == "CE"], 0.0, 0.0)
    # two seeds only
    fails_clean(ex09.check_method_comparison, [r for r in honest_runs if r["seed"] < 2], *gains(honest_runs))
    # each seed's CE model also reported as its class-weighted one: one model counted as two methods
    ce_model = {r["seed"]: r for r in honest_runs if r["method"] == "CE"}
    reused = [dict(r, model=ce_model[r["seed"]]["model"], balanced_accuracy=ce_model[r["seed"]]["balanced_accuracy"])
              for r in honest_runs]
    assert "same model object" in fails_clean(ex09.check_method_comparison, reused, 0.0, 0.0)
    # not a list of dicts
    fails_clean(ex09.check_method_comparison, None, 0.0, 0.0)


# --- an answer that passes only the visible checks: LDAM's margins with n^(-1/2) instead of n^(-1/4)
VISIBLE_ONLY = ("(counts.min() / counts) ** 0.25", "(counts.min() / counts) ** 0.5")


def test_the_visible_only_answer_passes_the_visible_check_and_fails_the_hidden_one():
    import json
    from pathlib import Path

    notebook = json.loads((Path(__file__).parents[1] / "solutions" / "09_beyond_reweighting.ipynb").read_text())
    cells = ["".join(c["source"]) for c in notebook["cells"] if VISIBLE_ONLY[0] in "".join(c["source"])
             and "BEGIN SOLUTION" in "".join(c["source"])]
    assert len(cells) == 1
    namespace = {"np": np, "torch": torch, "F": F}
    exec(cells[0].replace(*VISIBLE_ONLY), namespace)
    ex09.check_ldam(namespace["ldam"])
    fails(hidden_ex09.check_ldam, namespace["ldam"])
