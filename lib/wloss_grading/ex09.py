"""The hidden part of exercise 09's checks: the tau prediction graded on both halves, other priors, focal losses
and LDAM losses compared with references written out here, paired comparisons by seed, the prediction of task 7
graded against the experiment, and the open comparison's paired standard error."""
import contextlib
import io

import numpy as np
import torch

from wloss.checks import check_true, fail_disagreeing, passed
from wloss.checks.ex09 import (_student_focal, _student_ldam, _student_paired, adjust_holds, check_method_comparison
                               as visible_method_comparison, check_tau_sweep as visible_tau_sweep, focal_holds,
                               ldam_holds, mean_ratio_experiment, paired_holds, tau_outcome, TAU_KEY)
from wloss.checks.ex09 import check_mean_ratio_prediction as visible_mean_ratio_prediction


def quietly():
    """Run a visible check without its printed line (the hidden part prints its own)."""
    return contextlib.redirect_stdout(io.StringIO())


# ------------------------------------------------------------------------------------------- task 1
TAU_QUESTIONS = {TAU_KEY: "compare the balanced accuracy the sweep printed at the smallest, a middle and the largest "
                          "tau: where is it highest, and what had your reason left out?"}


def check_tau_sweep(tau_prediction, tau_reason, val_logits, y_val, test_logits, y_test, class_prior, taus):
    with quietly():
        visible_tau_sweep(tau_prediction, tau_reason, val_logits, y_val, test_logits, y_test, class_prior, taus)
    for half, logits, y in (("validation half", val_logits, y_val), ("held-out test half", test_logits, y_test)):
        fail_disagreeing("tau_prediction", tau_prediction, tau_outcome(logits, y, class_prior, taus), TAU_QUESTIONS,
                         f"the sweep on the {half}", "look at the balanced accuracy as tau grows")
    passed("tau_prediction: agrees with the sweep on both halves (graded part)")


# ------------------------------------------------------------------------------------------- task 2
def hidden_adjust_cases():
    generator = np.random.default_rng(91)
    likelihood = generator.dirichlet(np.ones(4), size=6)
    two = generator.dirichlet(np.ones(2), size=5)
    return [("two classes, extreme priors", two, np.array([0.99, 0.01]), np.array([0.02, 0.98])),
            ("one example", likelihood[:1], np.array([0.55, 0.25, 0.15, 0.05]), np.array([0.1, 0.2, 0.3, 0.4])),
            ("training prior not sorted, test prior with a tiny class", likelihood,
             np.array([0.1, 0.6, 0.05, 0.25]), np.array([0.4, 0.3, 0.299, 0.001]))]


def check_adjust_to_prior(adjust_to_prior):
    adjust_holds(adjust_to_prior, hidden_adjust_cases())
    passed("adjust_to_prior: hidden cases too")


# ------------------------------------------------------------------------------------------- task 3
def reference_binary_focal(logits, targets, alpha, gamma):
    """-alpha_t (1 - p_t)^gamma log p_t, element by element, in float64 with log-sigmoids."""
    z, y = np.asarray(logits, dtype=float), np.asarray(targets, dtype=float)
    signed = np.where(y > 0.5, z, -z)                 # p_t = sigmoid(signed)
    log_p_t = -np.logaddexp(0.0, -signed)
    log_one_minus_p_t = -np.logaddexp(0.0, signed)
    alpha_t = np.where(y > 0.5, alpha, 1 - alpha)
    return alpha_t * np.exp(gamma * log_one_minus_p_t) * -log_p_t


def hidden_focal_cases():
    generator = torch.Generator().manual_seed(93)
    logits = torch.randn(10, dtype=torch.float64, generator=generator) * 4
    targets = (torch.rand(10, generator=generator, dtype=torch.float64) < 0.3).to(torch.float64)
    grid = torch.randn(3, 4, dtype=torch.float64, generator=generator) * 2
    grid_targets = torch.tensor([[1.0, 0, 0, 1], [0, 0, 0, 0], [1, 1, 0, 0]], dtype=torch.float64)
    return [("alpha 0.9, gamma 0.5", logits, targets, 0.9, 0.5),
            ("alpha 0.1, gamma 5", logits, targets, 0.1, 5.0),
            ("a (3, 4) grid of one-vs-rest logits, alpha 0.25, gamma 2", grid, grid_targets, 0.25, 2.0)]


def check_binary_focal(binary_focal):
    cases = hidden_focal_cases()
    focal_holds(binary_focal, cases)
    for case, logits, targets, alpha, gamma in cases:
        got = _student_focal(binary_focal, case, logits, targets, alpha, gamma)
        wanted = reference_binary_focal(logits, targets, alpha, gamma)
        check_true(np.allclose(got, wanted, rtol=1e-6, atol=1e-10),
                   f"binary_focal ({case}): some losses are not -alpha_t (1 - p_t)^gamma log p_t. Which factor differs "
                   "on the examples that disagree?")
    passed("binary_focal: hidden cases too")


# ------------------------------------------------------------------------------------------- task 4
def reference_ldam(logits, targets, counts, max_margin, scale):
    """LDAM written out row by row: the true class's logit lowered by its margin, then a scaled softmax CE."""
    z = np.asarray(logits, dtype=float)
    counts = np.asarray(counts, dtype=float)
    margins = max_margin * (counts.min() / counts) ** 0.25
    out = []
    for row, label in zip(z, np.asarray(targets)):
        lowered = row.copy()
        lowered[label] -= margins[label]
        scaled = scale * lowered
        out.append(np.logaddexp.reduce(scaled) - scaled[label])
    return np.array(out)


def hidden_ldam_cases():
    generator = torch.Generator().manual_seed(95)
    logits = torch.randn(8, 4, dtype=torch.float64, generator=generator) * 2
    targets = torch.tensor([0, 1, 2, 3, 3, 2, 1, 0])
    return [("two classes, counts 81 and 1, scale 30", logits[:, :2] / 10, targets % 2, np.array([81, 1]), 0.5, 30.0),
            ("counts 3, 3000, 30, 300, max_margin 0.3, scale 10", logits, targets, np.array([3, 3000, 30, 300]), 0.3,
             10.0)]


def check_ldam(ldam):
    cases = hidden_ldam_cases()
    ldam_holds(ldam, cases)
    for case, logits, targets, counts, max_margin, scale in cases:
        got = _student_ldam(ldam, case, logits, targets, counts, max_margin, scale)
        check_true(np.allclose(got, reference_ldam(logits, targets, counts, max_margin, scale), rtol=1e-6, atol=1e-9),
                   f"ldam ({case}): some losses are not LDAM's. How large is each class's margin, relative to the "
                   "rarest class's?")
    passed("ldam: hidden cases too")


# ------------------------------------------------------------------------------------------- task 5
def hidden_paired_cases():
    return [("two seeds", {7: 0.5, 8: 0.7}, {8: 0.9, 7: 0.6}),
            ("ten seeds, a nan in a and one in b", {s: 0.5 + 0.04 * s for s in range(10)} | {3: float("nan")},
             {s: 0.5 + 0.04 * s + np.sin(s) / 50 for s in range(10)} | {6: float("nan")}),
            ("seeds as strings", {"s1": 0.61, "s2": 0.72, "s3": 0.55}, {"s3": 0.57, "s1": 0.66, "s2": 0.71})]


def check_paired_difference(paired_difference):
    cases = hidden_paired_cases()
    paired_holds(paired_difference, cases)
    for case, a, b in cases:
        mean, se, n = _student_paired(paired_difference, case, a, b)
        gains = np.array([b[s] - a[s] for s in a if s in b and np.isfinite(a[s]) and np.isfinite(b[s])])
        check_true(np.isclose(se, gains.std(ddof=1) / np.sqrt(gains.size), rtol=1e-6),
                   f"paired_difference ({case}): the standard error is not that of the mean of the paired gains. "
                   "Which standard deviation and which n?")
    passed("paired_difference: hidden cases too")


# ------------------------------------------------------------------------------------------- task 7
MEAN_RATIO_QUESTIONS = {
    "inverse frequency, shuffled batches":
        "a shuffled batch holds each class about as often as the training set does; what is the mean of the "
        "weights n / (K n_k) over the training EXAMPLES (not over the classes)?",
    "DRW weights, class-balanced batches":
        "when every class is equally likely in a batch, which average of the K class weights does a batch's mean "
        "weight estimate, and how are DRW's weights scaled?",
    "inverse frequency, class-balanced batches":
        "when every class is equally likely in a batch, which average of the K class weights does a batch's mean "
        "weight estimate, and how large are n / (K n_k) for the rare classes?",
}


def check_mean_ratio_prediction(prediction, reason):
    """Task 7, graded: the three answers against the experiment and another draw of the batches."""
    with quietly():
        visible_mean_ratio_prediction(prediction, reason)
    for seed, draw in ((0, "the draws you ran"), (1, "another draw of the batches")):
        outcome = {key: value["outcome"] for key, value in mean_ratio_experiment(seed).items()}
        fail_disagreeing("mean_ratio_prediction", prediction, outcome, MEAN_RATIO_QUESTIONS,
                         f"the experiment ({draw})", "compare the ratio it printed for each with what you predicted")
    passed("mean_ratio_prediction: the three settings behave as you predicted (two draws of the batches)")


# ------------------------------------------------------------------------------------------- task 8
def check_method_comparison(runs, gain_mean, gain_se, imbalance_ratio=20.0, split=None):
    """The open comparison with its runs in reverse order, and its paired standard error recomputed."""
    with quietly():
        scores = visible_method_comparison(list(runs)[::-1], gain_mean, gain_se, imbalance_ratio, split)
    methods = sorted({m for m, _ in scores})
    seeds = sorted({s for _, s in scores})
    d = np.array([scores[methods[1], s] - scores[methods[0], s] for s in seeds])
    check_true(np.isclose(float(gain_se), d.std(ddof=1) / np.sqrt(d.size), rtol=1e-6),
               "gain_se: it is not the standard error of the mean paired gain. Whose spread, which divisor?")
    passed("method comparison: hidden checks too")
