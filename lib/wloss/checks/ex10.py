"""Checks for exercise 10 (ordinal labels): RPS, expected-label L1, distance-penalised CE, totals, the median."""
import numpy as np
import torch

from wloss.checks import check_array, check_close, check_scalar, check_true, passed, task
from wloss.losses import distance_penalized_cross_entropy, expected_label_l1_loss, rps_loss


def _forecast_cases():
    """(case, probs (N, K), labels (N,)): random forecasts, a perfect one, labels at both ends, K = 2."""
    generator = np.random.default_rng(10)
    random_probs = generator.dirichlet(np.ones(6), size=5)
    return [
        ("random forecasts, K = 6", random_probs, np.array([0, 5, 2, 3, 1])),
        ("perfect one-hot forecasts", np.eye(4)[[0, 3, 2]], np.array([0, 3, 2])),
        ("uniform forecasts, labels at both ends", np.full((2, 5), 0.2), np.array([0, 4])),
        ("two classes", np.array([[0.7, 0.3], [0.1, 0.9]]), np.array([1, 1])),
    ]


def _library(loss, probs, labels, **kwargs):
    """A wloss.losses loss per example, fed log-probabilities as logits (softmax(log p) = p)."""
    with np.errstate(divide="ignore"):
        logits = torch.tensor(np.log(np.clip(probs, 1e-300, None)), dtype=torch.float64)
    return loss(logits, torch.as_tensor(labels), reduction="none", **kwargs).numpy()


def check_rps(rps):
    for case, probs, labels in _forecast_cases():
        with task("rps"):
            got = rps(probs.copy(), labels.copy())
        got = check_array(f"rps ({case})", got, shape=labels.shape)
        if case.startswith("perfect"):
            check_close("rps", got, np.zeros(labels.shape), atol=1e-12,
                        case=f"{case}: the forecast's cumulative sums equal the truth's steps, so RPS = 0")
        else:
            hint = "; compare sum_{j<=i} p_j with 1[i >= y] (cumulative, and >= not >)"
            check_close("rps", got, _library(rps_loss, probs, labels), case=case + hint)
    passed("rps: the seed's sum_i (sum_{j<=i} p_j - 1[i >= y])^2, per forecast")


def check_expected_label_l1(expected_label_l1):
    cases = [(case, probs, labels, None) for case, probs, labels in _forecast_cases()]
    generator = np.random.default_rng(11)
    cases.append(("label values 5, 10, 20, 40", generator.dirichlet(np.ones(4), size=3), np.array([0, 3, 1]),
                  np.array([5.0, 10.0, 20.0, 40.0])))
    for case, probs, labels, values in cases:
        with task("expected_label_l1"):
            got = expected_label_l1(probs.copy(), labels.copy(), values)
        got = check_array(f"expected_label_l1 ({case})", got, shape=labels.shape)
        check_true(np.all(got >= 0), f"expected_label_l1 ({case}): an absolute difference is >= 0, got {got.min():.4g}")
        kwargs = {} if values is None else {"label_values": torch.as_tensor(values, dtype=torch.float64)}
        check_close("expected_label_l1", got, _library(expected_label_l1_loss, probs, labels, **kwargs),
                    case=case + "; |sum_k v_k p_k - v_y| with the forecast's MEAN, not its argmax")
    passed("expected_label_l1: |E_p[label] - label|, also with label values other than 0..K-1")


def check_distance_penalized_ce(distance_penalized_ce):
    generator = np.random.default_rng(12)
    probs = generator.dirichlet(np.ones(5), size=4)
    labels = np.array([0, 4, 2, 1])
    for alpha in (1.0, 0.0, 2.5):
        with task("distance_penalized_ce"):
            got = distance_penalized_ce(probs.copy(), labels.copy(), alpha)
        got = check_array(f"distance_penalized_ce (alpha = {alpha})", got, shape=labels.shape)
        hint = " (alpha = 0 must be plain cross-entropy)" if alpha == 0.0 else "; penalty alpha * sum_k p_k |k - y|"
        check_close("distance_penalized_ce", got, _library(distance_penalized_cross_entropy, probs, labels, alpha=alpha),
                    case=f"alpha = {alpha}{hint}")
    passed("distance_penalized_ce: -log p_y + alpha * sum_k p_k |k - y|")


def _group_error(probs, labels, group_size):
    means = probs @ np.arange(probs.shape[1])
    groups = len(labels) // group_size
    return np.mean(np.abs(means.reshape(groups, group_size).sum(1) - labels.reshape(groups, group_size).sum(1)))


def check_sum_of_groups_error(sum_of_groups_error):
    generator = np.random.default_rng(13)
    probs = generator.dirichlet(np.full(8, 0.5), size=32)
    labels = generator.integers(0, 8, size=32)
    cases = [("32 forecasts, groups of 8", probs, labels, 8), ("32 forecasts, groups of 4", probs, labels, 4),
             ("groups of 1 (per-image error of the mean)", probs[:6], labels[:6], 1)]
    for case, p, y, size in cases:
        with task("sum_of_groups_error"):
            got = check_scalar(f"sum_of_groups_error ({case})", sum_of_groups_error(p.copy(), y.copy(), size))
        expected = _group_error(p, y, size)
        with_argmax = np.mean(np.abs(p.argmax(1).reshape(-1, size).sum(1) - y.reshape(-1, size).sum(1)))
        hint = " - that is the error of summed ARGMAXES; sum the forecasts' means" if np.isclose(got, with_argmax) else ""
        check_close("sum_of_groups_error", got, expected, case=case + hint)
    passed("sum_of_groups_error: mean |sum of the group's predicted means - true total|")


def _expected_l1_of_point_mass(k, p):
    return float(np.sum(p * np.abs(k - np.arange(p.size))))


def check_l1_optimal_class(l1_optimal_class):
    cases = [
        ("p = (0.3, 0.25, 0.05, 0.4): median 1, rounded mean 2, mode 3", np.array([0.3, 0.25, 0.05, 0.4])),
        ("p = (0.6, 0.3, 0.1): the lecture's example", np.array([0.6, 0.3, 0.1])),
        ("a long tail over 10 classes", np.exp(-0.5 * np.arange(10)) / np.exp(-0.5 * np.arange(10)).sum()),
    ]
    for case, p in cases:
        with task("l1_optimal_class"):
            got = check_scalar(f"l1_optimal_class ({case})", l1_optimal_class(p.copy()))
        check_true(got == int(got) and 0 <= got < p.size,
                   f"l1_optimal_class ({case}): expected a class index in 0..{p.size - 1}, got {got}")
        scores = np.array([_expected_l1_of_point_mass(k, p) for k in range(p.size)])
        check_true(np.isclose(scores[int(got)], scores.min()),
                   f"l1_optimal_class ({case}): a point mass on class {int(got)} has expected L1 {scores[int(got)]:.4f}, "
                   f"but class {int(scores.argmin())} reaches {scores.min():.4f}; the minimiser of E|k - y| is the median")
    passed("l1_optimal_class: the median - so the L1 loss rewards a point mass there, not the true distribution")
