"""Checks for exercise 09 (beyond re-weighting): sampling weights, focal gradient, logit adjustment, seeds."""
import numpy as np
import torch

from wloss.checks import check_array, check_close, check_scalar, check_true, passed, task
from wloss.losses import focal_loss

#: Label vectors for the sampling weights: long tail, two classes, one class of a single example.
LABEL_CASES = [
    ("long tail 70/29/1", np.array([0] * 70 + [1] * 29 + [2])),
    ("two classes, shuffled", np.array([1, 0, 0, 1, 0, 0, 0, 0])),
    ("one class only", np.array([3, 3, 3])),
]


def check_balanced_sample_weights(balanced_sample_weights):
    for case, y in LABEL_CASES:
        with task("balanced_sample_weights"):
            got = balanced_sample_weights(y)
        weights = check_array(f"balanced_sample_weights ({case})", got, shape=y.shape)
        check_true(np.all(weights > 0),
                   f"balanced_sample_weights ({case}): every example needs a positive weight, got min {weights.min():.3g}")
        present = np.unique(y)
        totals = np.bincount(y, weights=weights)[present]
        check_true(np.allclose(totals, totals[0], rtol=1e-9),
                   f"balanced_sample_weights ({case}): each class must get the same total weight; "
                   f"per-class totals are {np.round(totals, 4).tolist()} for classes {present.tolist()}")
        check_close("balanced_sample_weights", weights / weights.sum(),
                    1.0 / np.bincount(y)[y] / present.size, case=f"{case}, weights normalised to sum to 1")
    passed("balanced_sample_weights: every class has the same total weight, so draws are balanced")


def _autograd_true_logit_gradient(logits, targets, gamma):
    logits = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    targets = torch.as_tensor(targets)
    (grad,) = torch.autograd.grad(focal_loss(logits, targets, gamma=gamma, reduction="sum"), logits)
    rows = torch.arange(len(targets))
    p_true = torch.softmax(logits, dim=1)[rows, targets]
    return p_true.detach().numpy(), grad[rows, targets].numpy()


def check_focal_grad_true_logit(focal_grad_true_logit):
    generator = np.random.default_rng(9)
    logits = np.concatenate([generator.normal(scale=3.0, size=(6, 4)), [[8.0, 0.0, 0.0, 0.0], [-6.0, 0.0, 0.0, 0.0]]])
    targets = np.array([0, 1, 2, 3, 0, 2, 0, 0])  # the last two rows: p_y near 1 and p_y near 0
    for gamma in (0.0, 0.5, 2.0, 5.0):
        p_true, expected = _autograd_true_logit_gradient(logits, targets, gamma)
        with task("focal_grad_true_logit"):
            got = focal_grad_true_logit(p_true, gamma)
        hint = " (gamma = 0 must give cross-entropy's p_y - 1)" if gamma == 0.0 else ""
        check_close("focal_grad_true_logit", got, expected, rtol=1e-6, atol=1e-12,
                    case=f"gamma = {gamma}, compared with autograd of wloss.losses.focal_loss{hint}")
    passed("focal_grad_true_logit: matches autograd for gamma in {0, 0.5, 2, 5}, p_y from near 0 to near 1")


def check_posthoc_adjust(posthoc_adjust):
    logits = np.array([[2.0, 1.0, 0.5], [0.0, 0.0, 0.0], [-1.0, 3.0, 2.9]])
    prior = np.array([0.7, 0.2, 0.1])
    for tau in (1.0, 0.0, 2.5):
        with task("posthoc_adjust"):
            got = posthoc_adjust(logits.copy(), prior, tau)
        check_close("posthoc_adjust", got, logits - tau * np.log(prior), case=f"tau = {tau}")
    passed("posthoc_adjust: logits - tau * log(prior); rare classes gain, tau = 0 changes nothing")


def _balanced_accuracy(y, predicted):
    classes = np.unique(y)
    return float(np.mean([np.mean(predicted[y == k] == k) for k in classes]))


def check_best_tau(best_tau, logits, y, class_prior, taus):
    logits, y, prior, taus = np.asarray(logits), np.asarray(y), np.asarray(class_prior), np.asarray(taus)
    with task("best_tau"):
        value = check_scalar("best_tau", best_tau)
    scores = np.array([_balanced_accuracy(y, (logits - t * np.log(prior)).argmax(1)) for t in taus])
    check_true(np.any(np.isclose(value, taus)),
               f"best_tau: expected one of the candidate values of tau {np.round(taus, 2).tolist()}, got {value:.4g} "
               "(did you return an index instead of the value?)")
    best = taus[np.argmax(scores)]
    got_score = scores[np.argmin(np.abs(taus - value))]
    check_true(got_score == scores.max(),
               f"best_tau: tau = {value:.3g} gives balanced accuracy {got_score:.4f} on the validation set, "
               f"but tau = {best:.3g} gives {scores.max():.4f}; pick the tau with the HIGHEST balanced accuracy")
    passed("best_tau: the tau of the sweep with the highest validation balanced accuracy")


def check_paired_difference(paired_difference):
    cases = [
        ("five seeds", np.array([0.82, 0.81, 0.83, 0.80, 0.84]), np.array([0.92, 0.90, 0.94, 0.89, 0.93])),
        ("two seeds, a constant gap", np.array([0.5, 0.7]), np.array([0.6, 0.8])),
        ("b worse than a", np.array([0.9, 0.8, 0.85]), np.array([0.7, 0.75, 0.6])),
    ]
    for case, a, b in cases:
        with task("paired_difference"):
            got = paired_difference(a, b)
        check_true(isinstance(got, tuple) and len(got) == 2,
                   f"paired_difference ({case}): expected a tuple (mean, standard_error), got {type(got).__name__}")
        differences = b - a
        mean = check_scalar(f"paired_difference ({case}): mean", got[0])
        check_true(np.sign(mean) == np.sign(differences.mean()),
                   f"paired_difference ({case}): the mean {mean:.4g} has the wrong sign; compute b - a")
        check_close("paired_difference: mean of b - a", mean, differences.mean(), case=case)
        check_close("paired_difference: standard error (std with ddof=1, divided by sqrt(n))", got[1],
                    differences.std(ddof=1) / np.sqrt(differences.size), case=case)
    passed("paired_difference: mean of the per-seed differences and its standard error s / sqrt(n)")
