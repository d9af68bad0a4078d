"""Checks for exercise 06 (the Real-World-Weight Cross-Entropy)."""
import numpy as np
import torch

from wloss import reference
from wloss.checks import check_array, check_close, check_scalar, check_true, passed, task
from wloss.losses import rwwce_binary, weighted_bce_with_logits
from wloss.metrics import real_world_cost


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _rwwce_cases():
    rng = np.random.default_rng(6)
    fp_with_diagonal = rng.uniform(0.0, 20.0, size=(4, 4))   # a non-zero diagonal that must be ignored
    return [
        ("4 classes, random costs, non-zero fp diagonal", _softmax(rng.normal(scale=2.0, size=(30, 4))),
         rng.integers(0, 4, size=30), rng.uniform(0.5, 3.0, size=4), fp_with_diagonal),
        ("2 classes, one costly pair: 20 log 2", np.array([[0.5, 0.5]]), np.array([1]),
         np.ones(2), np.array([[0.0, 0.0], [19.0, 0.0]])),
        ("3 classes, fp = 0 (plain cross-entropy)", np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]),
         np.array([0, 2]), np.ones(3), np.zeros((3, 3))),
    ]


def check_rwwce_numpy(rwwce_numpy):
    for case, probs, targets, fn_cost, fp_cost in _rwwce_cases():
        with task("rwwce_numpy"):
            got = check_scalar(f"rwwce_numpy ({case})", rwwce_numpy(probs, targets, fn_cost, fp_cost))
        expected = reference.rwwce(probs, targets, fn_cost, fp_cost)
        k = probs.shape[1]
        with_diagonal = expected - np.mean(fp_cost[targets, targets] * np.log1p(-probs[np.arange(len(targets)), targets]))
        if not np.isclose(expected, with_diagonal) and np.isclose(got, with_diagonal):
            check_true(False, f"rwwce_numpy ({case}): you included the diagonal fp_cost[y, y] log(1 - p_y); "
                              "the fp sum runs over the wrong classes k' != y only")
        if np.isclose(got, expected / k):
            check_true(False, f"rwwce_numpy ({case}): your value is eq. 6 divided by K = {k} (a mean over the "
                              "(M, K) array, the companion's K.mean slip); divide the sum by M only")
        transposed = reference.rwwce(probs, targets, fn_cost, fp_cost.T)
        if not np.isclose(expected, transposed) and np.isclose(got, transposed):
            check_true(False, f"rwwce_numpy ({case}): fp_cost is indexed [true, predicted]; you used "
                              "fp_cost[k', y] instead of fp_cost[y, k']")
        if len(targets) > 1 and np.isclose(got, expected * len(targets)):
            check_true(False, f"rwwce_numpy ({case}): you returned the sum over examples; eq. 6 has 1/M")
        check_close("rwwce_numpy", got, expected, rtol=1e-9, case=case)
    passed("rwwce_numpy: eq. 6 matches wloss.reference.rwwce, the diagonal ignored")


def _exact_log_one_minus_softmax(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    for k in range(z.shape[1]):
        others = np.delete(z, k, axis=1)
        top = others.max(axis=1, keepdims=True)
        lse_others = top[:, 0] + np.log(np.exp(others - top).sum(axis=1))
        all_top = z.max(axis=1, keepdims=True)
        lse_all = all_top[:, 0] + np.log(np.exp(z - all_top).sum(axis=1))
        out[:, k] = lse_others - lse_all
    return out


def check_log_one_minus_softmax(log_one_minus_softmax):
    rng = np.random.default_rng(60)
    cases = [
        ("moderate logits", rng.normal(size=(5, 4))),
        ("one logit 40 above the others (p rounds to 1)", np.array([[0.0, 40.0, 0.0]])),
        ("logits -1000, 0, 1000 (exp overflows)", np.array([[-1000.0, 0.0, 1000.0]])),
        ("two classes", np.array([[3.0, -2.0], [50.0, 0.0]])),
    ]
    for case, z in cases:
        with task("log_one_minus_softmax"):
            got = log_one_minus_softmax(z.copy())
        got = check_array(f"log_one_minus_softmax ({case})", got, shape=z.shape)
        if not np.isfinite(got).all():
            check_true(False, f"log_one_minus_softmax ({case}): your result is not finite ({got.ravel()}); "
                              "log(1 - softmax) breaks when p_k rounds to 1 or exp overflows - use "
                              "logsumexp over the other classes minus logsumexp over all classes")
        check_close("log_one_minus_softmax", got, _exact_log_one_minus_softmax(z), rtol=1e-7, atol=1e-9, case=case)
    passed("log_one_minus_softmax: stable, finite and accurate at extreme logits")


def check_rwwce_as_weighted_bce(rwwce_as_weighted_bce):
    rng = np.random.default_rng(61)
    z = torch.tensor(rng.normal(scale=2.0, size=40))
    y = torch.tensor((rng.random(40) < 0.3).astype(float))
    for fn_cost, fp_cost in [(2000.0, 100.0), (20.0, 1.0), (1.0, 4.0)]:
        case = f"c_fn = {fn_cost}, c_fp = {fp_cost}"
        with task("rwwce_as_weighted_bce"):
            got = rwwce_as_weighted_bce(fn_cost, fp_cost)
        check_true(isinstance(got, tuple) and len(got) == 2,
                   f"rwwce_as_weighted_bce ({case}): expected a tuple (pos_weight, factor), got {type(got).__name__}")
        pos_weight = check_scalar(f"pos_weight ({case})", got[0])
        factor = check_scalar(f"factor ({case})", got[1])
        if fn_cost != fp_cost and np.isclose(pos_weight, fp_cost / fn_cost):
            check_true(False, f"rwwce_as_weighted_bce ({case}): pos_weight is upside down - it multiplies the "
                              "positive (false-negative) term, so it is c_fn / c_fp")
        if np.isclose(factor, fn_cost) and not np.isclose(fn_cost, fp_cost):
            check_true(False, f"rwwce_as_weighted_bce ({case}): the factor is c_fn; factor out the cost of the "
                              "term weighted BCE leaves unweighted (the negatives), c_fp")
        target = rwwce_binary(z, y, fn_cost=fn_cost, fp_cost=fp_cost).item()
        rebuilt = factor * weighted_bce_with_logits(z, y, pos_weight=pos_weight).item()
        check_close("factor x weighted BCE(pos_weight) vs binary RWWCE", rebuilt, target, rtol=1e-9, case=case)
    passed("rwwce_as_weighted_bce: RWWCE(c_fn, c_fp) = c_fp x BCE(pos_weight = c_fn / c_fp)")


def check_real_world_cost_multiclass(real_world_cost_multiclass):
    rng = np.random.default_rng(62)
    fp_random = rng.uniform(0.0, 5.0, size=(3, 3))
    fp_pair = np.zeros((10, 10)); fp_pair[1, 9] = 19.0
    cases = [
        ("3 classes, random costs", rng.integers(0, 3, 50), rng.integers(0, 3, 50), rng.uniform(1, 3, 3), fp_random),
        ("digits, one costly pair (1 read as 9)", np.array([1, 1, 1, 9, 4, 7, 0, 2]),
         np.array([9, 1, 7, 9, 9, 7, 0, 3]), np.ones(10), fp_pair),
        ("all correct", np.array([0, 1, 2]), np.array([0, 1, 2]), np.ones(3), np.ones((3, 3))),
    ]
    for case, y_true, y_pred, fn_cost, fp_cost in cases:
        with task("real_world_cost_multiclass"):
            got = check_scalar(f"real_world_cost_multiclass ({case})",
                               real_world_cost_multiclass(y_true, y_pred, fn_cost, fp_cost))
        expected = real_world_cost(y_true, y_pred, fn_cost, fp_cost)
        wrong = y_true != y_pred
        fp_only = fp_cost[y_true, y_pred][wrong].sum() / len(y_true)
        if not np.isclose(expected, fp_only) and np.isclose(got, fp_only):
            check_true(False, f"real_world_cost_multiclass ({case}): you charged only fp_cost[i, j]; a mistake "
                              "also misses the true class and costs fn_cost[i] + fp_cost[i, j]")
        if expected > 0 and np.isclose(got, expected * len(y_true)):
            check_true(False, f"real_world_cost_multiclass ({case}): you returned the total; divide by N")
        check_close("real_world_cost_multiclass", got, expected, rtol=1e-9, case=case)
    passed("real_world_cost_multiclass: (1/N) sum over mistakes of fn_cost[i] + fp_cost[i, j]")


def check_clip_dead_logit(clip_dead_logit):
    for eps, num_classes in [(1e-7, 10), (1e-7, 2), (1e-3, 3)]:
        case = f"eps = {eps}, K = {num_classes}"
        with task("clip_dead_logit"):
            got = check_scalar(f"clip_dead_logit ({case})", clip_dead_logit(eps, num_classes))
        expected = np.log(eps * (num_classes - 1) / (1 - eps))
        if np.isclose(got, -expected):
            check_true(False, f"clip_dead_logit ({case}): wrong sign - a tiny p_y needs a very negative logit")
        if num_classes > 2 and np.isclose(got, np.log(eps / (1 - eps)), atol=1e-6):
            check_true(False, f"clip_dead_logit ({case}): you dropped the K - 1 other classes: with the other "
                              "logits at 0 the denominator is e^z + (K - 1)")
        check_close("clip_dead_logit", got, expected, rtol=1e-6, case=case)
    passed("clip_dead_logit: z* = log(eps (K - 1) / (1 - eps)); below it the clipped loss has zero gradient")
