"""Checks for exercise 04 (thresholds, costs and calibration)."""
import numpy as np

from wloss.calibration import expected_calibration_error
from wloss.checks import check_array, check_close, check_scalar, fail, passed, task
from wloss.metrics import bayes_threshold, best_threshold, real_world_cost


def check_bayes_optimal_threshold(bayes_optimal_threshold):
    for c_fn, c_fp in [(20.0, 1.0), (1.0, 1.0), (2000.0, 100.0), (1.0, 4.0)]:
        case = f"c_fn={c_fn}, c_fp={c_fp}"
        with task("bayes_optimal_threshold"):
            got = check_scalar(f"bayes_optimal_threshold({case})", bayes_optimal_threshold(c_fn, c_fp))
        if np.isclose(got, c_fn / (c_fn + c_fp)) and c_fn != c_fp:
            fail(f"bayes_optimal_threshold({case}): costs swapped - expensive misses must LOWER the threshold; "
                 "it is c_fp / (c_fp + c_fn)")
        check_close("bayes_optimal_threshold", got, bayes_threshold(c_fn, c_fp), case=case)
    passed("bayes_optimal_threshold: c_fp / (c_fp + c_fn), 1/21 for costs 20 and 1")


def check_binary_real_world_cost(binary_real_world_cost):
    y_true = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    y_pred = np.array([1, 0, 0, 1, 0, 0, 0, 0])  # 2 FN, 1 FP
    for c_fn, c_fp in [(20.0, 1.0), (2000.0, 100.0)]:
        case = f"2 false negatives, 1 false positive, c_fn={c_fn}, c_fp={c_fp}"
        with task("binary_real_world_cost"):
            got = check_scalar(f"binary_real_world_cost ({case})", binary_real_world_cost(y_true, y_pred, c_fn, c_fp))
        if np.isclose(got, 2 * c_fn + c_fp):
            fail(f"binary_real_world_cost ({case}): you returned the total; divide by N = {len(y_true)}")
        if np.isclose(got, (2 * c_fp + c_fn) / len(y_true)):
            fail(f"binary_real_world_cost ({case}): costs swapped - false negatives cost c_fn")
        check_close("binary_real_world_cost", got, real_world_cost(y_true, y_pred, c_fn, c_fp), case=case)
    passed("binary_real_world_cost: (FN c_fn + FP c_fp) / N")


def check_cost_optimal_threshold(cost_optimal_threshold):
    rng = np.random.default_rng(4)
    y = (rng.random(300) < 0.1).astype(int)
    scores = np.round(np.clip(rng.normal(0.3 + 0.4 * y, 0.2), 0, 1), 2)  # rounded: ties included
    for c_fn, c_fp in [(20.0, 1.0), (1.0, 1.0), (5.0, 2.0)]:
        case = f"300 validation scores, c_fn={c_fn}, c_fp={c_fp}"
        with task("cost_optimal_threshold"):
            got = check_scalar(f"cost_optimal_threshold ({case})", cost_optimal_threshold(scores, y, c_fn, c_fp))
        expected = best_threshold(scores, y, "cost", fn_cost=c_fn, fp_cost=c_fp)
        if got not in scores:
            fail(f"cost_optimal_threshold ({case}): {got} is not one of the scores")
        got_cost = real_world_cost(y, (scores >= got).astype(int), c_fn, c_fp)
        best_cost = real_world_cost(y, (scores >= expected).astype(int), c_fn, c_fp)
        if got_cost > best_cost + 1e-12:
            fail(f"cost_optimal_threshold ({case}): threshold {got} costs {got_cost:.4f}, "
                 f"but {expected} costs {best_cost:.4f}")
        check_close("cost_optimal_threshold", got, expected, case=case + " (ties: the largest threshold)")
    passed("cost_optimal_threshold: the cheapest threshold among the scores")


def check_corrected_probability(corrected_probability):
    q = np.array([0.01, 0.2, 0.5, 0.9])
    for w in (20.0, 3.0):
        weighted_logits = np.log(w * q / (1 - q))
        with task("corrected_probability"):
            got = corrected_probability(weighted_logits, w)
        got = check_array(f"corrected_probability (w={w})", got, shape=q.shape)
        wrong_way = 1 / (1 + np.exp(-(weighted_logits + np.log(w))))
        if np.allclose(got, wrong_way):
            fail(f"corrected_probability (w={w}): you ADDED log w; the weighted odds are too large, subtract it")
        check_close("corrected_probability", got, q, case=f"logits of a model trained with pos_weight={w}")
    passed("corrected_probability: sigmoid(z - log w) recovers the true probabilities")


def check_ece(ece):
    rng = np.random.default_rng(5)
    p = rng.random(500)
    cases = [
        ("calibrated-ish sample", p, (rng.random(500) < p).astype(int), 10),
        ("overconfident", np.full(100, 0.9), np.array([0, 1] * 50), 10),
        ("probability exactly 1", np.array([1.0, 1.0, 0.0]), np.array([1, 0, 0]), 5),
    ]
    for case, probabilities, y, bins in cases:
        with task("ece"):
            got = check_scalar(f"ece ({case})", ece(probabilities, y, bins))
        check_close("ece", got, expected_calibration_error(probabilities, y, bins), rtol=1e-9, case=case)
    passed("ece: sum over bins of (n_b / N) |observed - predicted|")
