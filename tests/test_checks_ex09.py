"""Exercise 09's checks: the solution passes; plausible wrong answers fail with CheckFailed, never with a raw
exception, and no failure message gives the answer away."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import balanced_accuracy_score

from wloss.checks import CheckFailed, ex09
from wloss.data import long_tailed_digits
from wloss.losses import weighted_cross_entropy
from wloss.training import mlp, predict_logits, train
from wloss.weights import inverse_frequency_weights


def fails(check, answer, *args, **kwargs):
    with pytest.raises(CheckFailed) as info:
        check(answer, *args, **kwargs)
    return str(info.value)


# --- task 1: the prediction about the tau sweep, on a small constructed validation set
PRIOR = np.array([0.9, 0.1])
Y_VAL = np.array([0, 0, 0, 0, 1, 1, 1, 1])
# class 1 is rare and its logit too low: tau = 1 fixes some rare examples, tau = 4 breaks the frequent ones
VAL_LOGITS = np.array([[3.0, 0.0], [2.5, 0.0], [3.2, 0.0], [2.9, 0.0],
                       [1.5, 0.0], [1.0, 0.0], [0.5, 0.0], [-1.0, 0.0]])
TAUS = np.array([0.0, 0.5, 1.0, 2.0, 4.0])


def test_tau_prediction_right_and_wrong():
    ex09.check_tau_prediction("rises then falls", VAL_LOGITS, Y_VAL, PRIOR, TAUS)
    for wrong in ("rises steadily", "falls steadily", "stays flat", None, "up"):
        message = fails(ex09.check_tau_prediction, wrong, VAL_LOGITS, Y_VAL, PRIOR, TAUS)
        if wrong in ex09.TAU_CURVES:  # a malformed answer is told the choices; a wrong one not the right choice
            assert "rises then falls" not in message, message


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


def test_adjust_to_prior():
    ex09.check_adjust_to_prior(right_adjust)
    ex09.check_adjust_to_prior(lambda z, tr, te: right_adjust(z, tr, te) - 5.0, hidden=True)  # constants are fine
    for name, wrong in WRONG_ADJUST.items():
        message = fails(ex09.check_adjust_to_prior, wrong)
        assert "log(test_prior)" not in message and "log pi_test" not in message, name


def test_adjust_to_prior_crash_becomes_check_failed():
    fails(ex09.check_adjust_to_prior, lambda z, tr, te: z @ tr)  # shape error inside the student's code


# --- task 3: the focal-loss pitfall
def right_focal(logits, targets, alpha, gamma):
    ce = F.cross_entropy(logits, targets, reduction="none")
    return alpha[targets] * (1 - torch.exp(-ce)) ** gamma * ce


def public_code_focal(logits, targets, alpha, gamma):
    ce = F.cross_entropy(logits, targets, weight=alpha, reduction="none")
    return (1 - torch.exp(-ce)) ** gamma * ce


WRONG_FOCAL = {
    "p_t from the weighted cross-entropy (the public-code bug)": public_code_focal,
    "alpha applied twice": lambda z, y, a, g: a[y] * public_code_focal(z, y, a, g),
    "alpha ignored": lambda z, y, a, g: right_focal(z, y, torch.ones_like(a), g),
    "focusing factor p_t^gamma": lambda z, y, a, g: a[y] * torch.exp(-F.cross_entropy(z, y, reduction="none")) ** g
    * F.cross_entropy(z, y, reduction="none"),
    "mean instead of per example": lambda z, y, a, g: right_focal(z, y, a, g).mean(),
}


def test_weighted_focal():
    ex09.check_weighted_focal(right_focal)
    ex09.check_weighted_focal(right_focal, hidden=True)
    for name, wrong in WRONG_FOCAL.items():
        message = fails(ex09.check_weighted_focal, wrong)
        assert "F.cross_entropy(" not in message and "weight=" not in message, name


def test_public_pattern_is_right_only_without_class_weights():
    z = torch.randn(6, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    ones, weights = torch.ones(3, dtype=torch.float64), torch.tensor([1.0, 3.0, 9.0], dtype=torch.float64)
    assert torch.allclose(public_code_focal(z, y, ones, 2.0), right_focal(z, y, ones, 2.0))
    # exp(-alpha_y CE) = p_t ** alpha_y: the focusing factor is wrong wherever alpha_y != 1
    wrong = ~torch.isclose(public_code_focal(z, y, weights, 2.0), right_focal(z, y, weights, 2.0))
    assert wrong.tolist() == [False, True, True, False, True, True]


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
    "margins proportional to n^(-1/2)": lambda z, y, n, max_margin=0.5, scale=1.0: F.cross_entropy(
        scale * (z - F.one_hot(y, z.shape[1]) * _margins(n, max_margin, 0.5)[y, None]), y, reduction="none"),
    "mean over the batch": lambda z, y, n, max_margin=0.5, scale=1.0: right_ldam(z, y, n, max_margin, scale).mean(),
}


def test_ldam():
    ex09.check_ldam(right_ldam)
    ex09.check_ldam(right_ldam, hidden=True)
    for name, wrong in WRONG_LDAM.items():
        message = fails(ex09.check_ldam, wrong)
        assert "one_hot" not in message and "n_k" not in message, name


# --- task 5: the paired comparison
def right_paired(a, b):
    d = np.asarray(b) - np.asarray(a)
    return d.mean(), d.std(ddof=1) / np.sqrt(d.size)


WRONG_PAIRED = {
    "a - b": lambda a, b: right_paired(b, a),
    "population std": lambda a, b: ((b - a).mean(), (b - a).std() / np.sqrt(a.size)),
    "unpaired standard error": lambda a, b: ((b - a).mean(), np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)),
    "std, not its standard error": lambda a, b: ((b - a).mean(), (b - a).std(ddof=1)),
    "a list, not a tuple": lambda a, b: list(right_paired(a, b)),
    "median gain": lambda a, b: (np.median(b - a), right_paired(a, b)[1]),
}


def test_paired_difference():
    ex09.check_paired_difference(right_paired)
    ex09.check_paired_difference(right_paired, hidden=True)
    for name, wrong in WRONG_PAIRED.items():
        message = fails(ex09.check_paired_difference, wrong)
        assert f"{(np.array([0.92, 0.90, 0.94, 0.89, 0.93]) - [0.82, 0.81, 0.83, 0.80, 0.84]).mean():.3g}" not in message, name


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
FORBIDDEN_MEAN_RATIO = ["0.42", "1.0", "2.4", "2.3", "sum_k", "q_k", "pi_k", "1/K", "expect"]


def test_mean_ratio_right_answer_from_first_principles():
    assert RIGHT_MEAN_RATIO == {INV_SHUFFLED: "about 1", DRW_BALANCED: "about 1", INV_BALANCED: "above 1"}
    ex09.check_mean_ratio_prediction(dict(RIGHT_MEAN_RATIO), REASON)
    ex09.check_mean_ratio_prediction(dict(RIGHT_MEAN_RATIO), REASON, hidden=True)


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
        message = fails(ex09.check_mean_ratio_prediction, dict(prediction), REASON, hidden=True)
        assert f"{len(wrong_settings)} of 3 disagree" in message, name
        assert "the draws you ran" in message, name
        for setting in ex09.MEAN_RATIO_SETTINGS:  # names every setting it gets wrong, and only those
            assert (repr(setting) in message) == (setting in wrong_settings), (name, setting)
        assert "?" in message, name
        right_choices = {RIGHT_MEAN_RATIO[s] for s in wrong_settings}
        for fragment in FORBIDDEN_MEAN_RATIO + sorted(right_choices - set(prediction.values())):
            assert fragment not in message, (name, fragment)


def test_mean_ratio_malformed_predictions_and_reasons():
    stub = {key: ... for key in ex09.MEAN_RATIO_SETTINGS}
    assert "not filled in yet" in fails(ex09.check_mean_ratio_prediction, stub, ...)  # the exercise as shipped
    assert "not filled in yet" in fails(ex09.check_mean_ratio_prediction, dict(RIGHT_MEAN_RATIO), ...)
    assert "not filled in yet" in fails(ex09.check_mean_ratio_prediction, dict(RIGHT_MEAN_RATIO), None)
    missing = {INV_SHUFFLED: "about 1", DRW_BALANCED: "about 1"}
    assert "missing" in fails(ex09.check_mean_ratio_prediction, missing, REASON)
    assert "expected one of" in fails(ex09.check_mean_ratio_prediction,
                                      dict(RIGHT_MEAN_RATIO, **{INV_BALANCED: 2.4}), REASON)
    assert "expected a dict" in fails(ex09.check_mean_ratio_prediction, "about 1", REASON)
    assert "not a reason yet" in fails(ex09.check_mean_ratio_prediction, dict(RIGHT_MEAN_RATIO), "weights")
    assert "a str" in fails(ex09.check_mean_ratio_prediction, dict(RIGHT_MEAN_RATIO), 1.0)

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
        return right_paired(a, b)
    return (b - a).mean(), np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)


def test_method_comparison_right(honest_runs):
    ex09.check_method_comparison(honest_runs, *gains(honest_runs))
    ex09.check_method_comparison(honest_runs, *gains(honest_runs), hidden=True)


def test_method_comparison_wrong(honest_runs):
    # seeds not paired: the second method on other seeds
    unpaired = [dict(r, seed=r["seed"] + 3) if r["method"] == "class weights" else r for r in honest_runs]
    assert "different seeds" in fails(ex09.check_method_comparison, unpaired, *gains(honest_runs))
    # resampled before the split: the training inputs include test images
    leaky = [dict(r, X_fit=np.concatenate([r["X_fit"], small_split(r["seed"])[2]])) for r in honest_runs]
    assert "test split" in fails(ex09.check_method_comparison, leaky, *gains(honest_runs))
    # scores reported on the training data
    on_train = [dict(r, balanced_accuracy=ex09._balanced_accuracy(small_split(r["seed"])[1],
                                                                  predict_logits(r["model"], r["X_fit"]).argmax(1)))
                for r in honest_runs]
    fails(ex09.check_method_comparison, on_train, *gains(honest_runs))
    # unpaired standard error
    assert "paired" in fails(ex09.check_method_comparison, honest_runs, *gains(honest_runs, paired=False))
    # only one method
    fails(ex09.check_method_comparison, [r for r in honest_runs if r["method"] == "CE"], 0.0, 0.0)
    # two seeds only
    fails(ex09.check_method_comparison, [r for r in honest_runs if r["seed"] < 2], *gains(honest_runs))
    # hidden: each seed's CE model also reported as its class-weighted one (scores consistent, so the
    # visible part passes; only the hidden part sees one model object in two runs)
    ce_model = {r["seed"]: r for r in honest_runs if r["method"] == "CE"}
    reused = [dict(r, model=ce_model[r["seed"]]["model"], balanced_accuracy=ce_model[r["seed"]]["balanced_accuracy"])
              for r in honest_runs]
    ex09.check_method_comparison(reused, *gains(reused))
    assert "same model object" in fails(ex09.check_method_comparison, reused, *gains(reused), hidden=True)
    # not a list of dicts
    fails(ex09.check_method_comparison, None, 0.0, 0.0)
