"""Checks for exercise 09 (beyond re-weighting): a prediction about post-hoc adjustment, logits for a new
class prior, a class-weighted focal loss, a classmate's LDAM, a paired comparison, a prediction about the two
weighted means under other weights and batches (and its experiment), and an open method comparison.

No check prints the answer to its task: failures name the property and the case that exposes it.
"""
import numpy as np
import torch

from wloss.checks import (CheckFailed, check_array, check_recorded_prediction, check_scalar, check_true, fail,
                          library_blocked, passed, task)

#: The shapes a curve of balanced accuracy against tau can take, and the key of task 1's prediction.
TAU_CURVES = ("rises steadily", "falls steadily", "rises then falls", "stays flat")
TAU_KEY = "validation balanced accuracy as tau grows from 0 to 2.5"


def _balanced_accuracy(y, predicted):
    return float(np.mean([np.mean(predicted[y == k] == k) for k in np.unique(y)]))


def _curve_shape(scores, tolerance=0.01):
    """Which of TAU_CURVES a sequence of scores follows (differences below ``tolerance`` count as flat)."""
    scores = np.asarray(scores)
    best = int(np.argmax(scores))
    rise, fall = scores[best] - scores[0], scores[best] - scores[-1]
    if rise <= tolerance and fall <= tolerance:
        return "stays flat"
    if rise > tolerance and fall > tolerance:
        return "rises then falls"
    return "rises steadily" if rise > tolerance else "falls steadily"


def tau_outcome(logits, y, class_prior, taus):
    """{TAU_KEY: the shape of the balanced accuracy of argmax(logits - tau log prior) over ``taus``}."""
    logits, y, prior = np.asarray(logits), np.asarray(y), np.asarray(class_prior)
    scores = [_balanced_accuracy(y, (logits - t * np.log(prior)).argmax(1)) for t in taus]
    return {TAU_KEY: _curve_shape(scores)}


def check_tau_prediction(tau_prediction, tau_reason):
    """Task 1 before the sweep: the prediction and a one-line reason recorded and well formed (never graded here)."""
    check_recorded_prediction("tau_prediction", tau_prediction, (TAU_KEY,), TAU_CURVES, "tau_reason", tau_reason,
                              "in one sentence, what does a larger tau do to the decisions?")


def check_tau_sweep(tau_prediction, tau_reason, val_logits, y_val, test_logits, y_test, class_prior, taus):
    """Task 1 after the sweep, visible part: the prediction as recorded, and the sweep's inputs as the cell made them
    (the graded part compares the prediction with the sweep on both halves)."""
    check_recorded_prediction("tau_prediction", tau_prediction, (TAU_KEY,), TAU_CURVES, "tau_reason", tau_reason,
                              "in one sentence, why?", announce=False)
    prior = check_array("class_prior", class_prior)
    for name, logits, y in (("validation half", val_logits, y_val), ("test half", test_logits, y_test)):
        logits = check_array(f"logits of the {name}", logits)
        y = check_array(f"labels of the {name}", y)
        check_true(logits.ndim == 2 and logits.shape == (len(y), len(prior)),
                   f"the {name}: expected logits of shape (N, {len(prior)}) for its {len(y)} labels, got "
                   f"{logits.shape} - run the sweep cell unchanged")
    check_true(len(np.asarray(taus)) >= 5, "taus: run the sweep cell unchanged")
    passed("tau sweep: the prediction is recorded and the sweep ran on both halves (the graded part compares them)")


# ----------------------------------------------------------------------------- task 2: a new class prior
def visible_adjust_cases():
    generator = np.random.default_rng(90)
    likelihood = generator.dirichlet(np.ones(4), size=6)  # p(x_i | y = k), up to a constant per row
    train_prior = np.array([0.55, 0.25, 0.15, 0.05])
    return [
        ("test prior = training prior (nothing changes)", likelihood, train_prior, train_prior.copy()),
        ("uniform test prior", likelihood, train_prior, np.full(4, 0.25)),
        ("reversed test prior", likelihood, train_prior, train_prior[::-1].copy()),
    ]


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def adjust_holds(adjust_to_prior, cases):
    """Fail unless the softmax of ``adjust_to_prior``'s logits is the posterior under the test prior, on each case.

    The posterior is computed by Bayes' rule from the case's likelihoods, never from the model's logits.
    """
    for case, likelihood, train_prior, test_prior in cases:
        posterior_train = likelihood * train_prior
        posterior_train /= posterior_train.sum(axis=1, keepdims=True)
        logits = np.log(posterior_train) + 1.7  # logits are log-posteriors up to a constant per row
        with task("adjust_to_prior"):
            got = adjust_to_prior(logits.copy(), train_prior.copy(), test_prior.copy())
        got = check_array(f"adjust_to_prior ({case})", got, shape=logits.shape)
        check_true(np.all(np.isfinite(got)), f"adjust_to_prior ({case}): the adjusted logits must be finite")
        wanted = likelihood * test_prior
        wanted /= wanted.sum(axis=1, keepdims=True)
        got_posterior = _softmax(got)
        if not np.allclose(got_posterior, wanted, rtol=1e-6, atol=1e-9):
            row = int(np.argmax(np.abs(got_posterior - wanted).max(axis=1)))
            fail(f"adjust_to_prior ({case}): the softmax of your logits is not the posterior under the test prior "
                 f"(example {row}: your probabilities {np.round(got_posterior[row], 4).tolist()}). What does the "
                 "softmax of the model's logits estimate, and which of the factors behind it changes at deployment?")


def check_adjust_to_prior(adjust_to_prior):
    adjust_holds(adjust_to_prior, visible_adjust_cases())
    passed("adjust_to_prior: the softmax of the adjusted logits is the posterior under the test prior in every case")


# ----------------------------------------------------------------------------- task 3: a detector's focal loss
#: The library's own sigmoid focal loss, blocked while the student's binary_focal runs.
FOCAL_FUNCTIONS = ("wloss.losses.sigmoid_focal_loss", "wloss.losses.binary.sigmoid_focal_loss")


def _student_focal(binary_focal, case, logits, targets, alpha, gamma):
    with task("binary_focal"), library_blocked("binary_focal", *FOCAL_FUNCTIONS):
        got = binary_focal(logits.clone(), targets.clone(), alpha, gamma)
    got = check_array(f"binary_focal ({case})", got, shape=tuple(logits.shape))
    check_true(bool(np.all(np.isfinite(got))), f"binary_focal ({case}): expected finite losses")
    return got


def visible_focal_cases():
    generator = torch.Generator().manual_seed(92)
    logits = torch.randn(8, dtype=torch.float64, generator=generator) * 3
    targets = torch.tensor([1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0], dtype=torch.float64)
    return [("alpha 0.25, gamma 2", logits, targets, 0.25, 2.0),
            ("alpha 0.5, gamma 1", logits, targets, 0.5, 1.0)]


def focal_holds(binary_focal, cases):
    """Fail unless ``binary_focal`` has the focal loss's properties on each (case, logits, targets, alpha, gamma).

    No reference: gamma = 0 leaves alpha_t times the binary cross-entropy; at a logit of 0 every example has
    p_t = 1/2; a positive with logit z and alpha costs what a negative with logit -z and 1 - alpha does; an
    example the model gets confidently right costs almost nothing, a confidently wrong one nearly its weighted BCE.
    """
    import torch.nn.functional as F

    for case, logits, targets, alpha, gamma in cases:
        weight = alpha * targets + (1 - alpha) * (1 - targets)
        bce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none").numpy()
        got = _student_focal(binary_focal, f"{case}, gamma 0", logits, targets, alpha, 0.0)
        if not np.allclose(got, weight.numpy() * bce, rtol=1e-6, atol=1e-10):
            row = int(np.argmax(np.abs(got - weight.numpy() * bce)))
            fail(f"binary_focal ({case}, gamma = 0): example {row} (target {int(targets[row])}) does not cost its "
                 "binary cross-entropy times its class's alpha weight. Which weight does a target of 0 get?")
        zero = torch.zeros_like(logits)
        got = _student_focal(binary_focal, f"{case}, every logit 0", zero, targets, alpha, gamma)
        wanted = weight.numpy() * 0.5 ** gamma * np.log(2.0)
        if not np.allclose(got, wanted, rtol=1e-6, atol=1e-12):
            fail(f"binary_focal ({case}, every logit 0): the model gives every example probability 1/2 for its own "
                 "target, and your losses are not alpha_t (1 - 1/2)^gamma log 2. Which factor is off?")
        mirrored = _student_focal(binary_focal, f"{case}, logits and targets flipped, 1 - alpha", -logits,
                                  1 - targets, 1 - alpha, gamma)
        got = _student_focal(binary_focal, case, logits, targets, alpha, gamma)
        if not np.allclose(got, mirrored, rtol=1e-6, atol=1e-12):
            row = int(np.argmax(np.abs(got - mirrored)))
            fail(f"binary_focal ({case}): example {row} (target {int(targets[row])}, logit {float(logits[row]):.2f}) "
                 "costs something else than its mirror image: target flipped, logit negated, alpha replaced by "
                 "1 - alpha. Naming a class 'positive' is a convention: which probability measures how right the "
                 "model is on a target of 0?")
        sure = torch.where(targets > 0.5, torch.tensor(12.0, dtype=logits.dtype), torch.tensor(-12.0, dtype=logits.dtype))
        right = _student_focal(binary_focal, f"{case}, every example confidently right", sure, targets, alpha, gamma)
        wrong = _student_focal(binary_focal, f"{case}, every example confidently wrong", -sure, targets, alpha, gamma)
        bce_wrong = F.binary_cross_entropy_with_logits(-sure, targets, reduction="none").numpy() * weight.numpy()
        if gamma > 0 and not (np.all(right < 1e-6) and np.allclose(wrong, bce_wrong, rtol=1e-3)):
            fail(f"binary_focal ({case}, logits of +-12): an example the model gets confidently right should cost "
                 "almost nothing and one it gets confidently wrong nearly its weighted binary cross-entropy; yours "
                 "do not. What does your focusing factor measure for a target of 0?")


def check_binary_focal(binary_focal):
    focal_holds(binary_focal, visible_focal_cases())
    passed("binary_focal: alpha_t, (1 - p_t)^gamma and the BCE on both targets, by the focal loss's properties")


# ----------------------------------------------------------------------------- task 4: a classmate's LDAM
#: The library's LDAM, blocked while the student's ldam runs.
LDAM_FUNCTIONS = ("wloss.losses.ldam_loss", "wloss.losses.ldam.ldam_loss", "wloss.losses.ldam_margins",
                  "wloss.losses.ldam.ldam_margins")


def _student_ldam(ldam, case, logits, targets, counts, max_margin, scale):
    with task("ldam"), library_blocked("ldam", *LDAM_FUNCTIONS):
        got = ldam(logits.clone(), targets.clone(), np.array(counts), max_margin=max_margin, scale=scale)
    got = check_array(f"ldam ({case})", got, shape=(len(targets),))
    check_true(bool(np.all(np.isfinite(got))), f"ldam ({case}): expected finite losses")
    return got


def visible_ldam_cases():
    generator = torch.Generator().manual_seed(94)
    logits = torch.randn(8, 4, dtype=torch.float64, generator=generator) * 2
    targets = torch.tensor([0, 1, 2, 3, 3, 2, 1, 0])
    return [("counts 400, 100, 25, 1, scale 1", logits, targets, np.array([400, 100, 25, 1]), 0.5, 1.0),
            ("counts 10, 10, 10, 10 (equal margins), scale 1", logits, targets, np.array([10, 10, 10, 10]), 0.5, 1.0),
            ("counts 50, 5, 500, 20, max_margin 1, scale 4", logits, targets, np.array([50, 5, 500, 20]), 1.0, 4.0)]


def ldam_holds(ldam, cases):
    """Fail unless ``ldam`` has LDAM's properties on each (case, logits, targets, counts, max_margin, scale).

    No reference: adding one number to a row's logits changes nothing; with every logit 0 and equal counts each
    example still pays for its margin (the hand value log(1 + (K - 1) e^(s m))); the rarest class has the
    largest margin, so the same logits cost an example of it more; a larger max_margin costs more.
    """
    import torch.nn.functional as F

    for case, logits, targets, counts, max_margin, scale in cases:
        got = _student_ldam(ldam, case, logits, targets, counts, max_margin, scale)
        shifted = _student_ldam(ldam, f"{case}, 5 added to every logit of a row", logits + 5.0, targets, counts,
                                max_margin, scale)
        check_true(np.allclose(got, shifted, rtol=1e-6, atol=1e-9),
                   f"ldam ({case}): adding 5 to every logit of a row changes your loss. A softmax cross-entropy "
                   "does not see such a shift: what else in your loss does?")
        k = logits.shape[1]
        zero = torch.zeros_like(logits)
        equal = np.full(k, 7)
        got = _student_ldam(ldam, f"K = {k}, every logit 0, equal counts", zero, targets, equal, max_margin, scale)
        plain = F.cross_entropy(zero, targets, reduction="none").numpy()
        if np.allclose(got, plain, rtol=1e-6, atol=1e-9):
            fail(f"ldam (K = {k}, every logit 0, equal counts, max_margin {max_margin:g}, scale {scale:g}): your loss "
                 "equals plain cross-entropy, as if no example had a margin to beat. With equal counts, what does "
                 "LDAM still ask of each example?")
        wanted = np.log1p((k - 1) * np.exp(scale * max_margin))
        if not np.allclose(got, wanted, rtol=1e-6, atol=1e-9):
            fail(f"ldam (K = {k}, every logit 0, equal counts, max_margin {max_margin:g}, scale {scale:g}): every "
                 "class has the largest margin here, and your losses are not what an example pays for it. Which "
                 "logit does the margin lower, and is it lowered before or after scaling?")
        rare, common = int(np.argmin(counts)), int(np.argmax(counts))
        if counts[rare] == counts[common]:
            continue
        row = logits[:1].clone()
        as_rare = _student_ldam(ldam, f"{case}, one example of the rarest class", row, torch.tensor([rare]), counts,
                                max_margin, scale)[0]
        swapped = row.clone()
        swapped[0, [rare, common]] = swapped[0, [common, rare]]
        as_common = _student_ldam(ldam, f"{case}, the same example as the most frequent class", swapped,
                                  torch.tensor([common]), counts, max_margin, scale)[0]
        check_true(as_rare > as_common,
                   f"ldam ({case}): an example of the rarest class costs no more than an example of the most frequent "
                   "class with the same logits (the two classes' logits swapped). Which class should have to win "
                   "by more?")


def check_ldam(ldam):
    ldam_holds(ldam, visible_ldam_cases())
    passed("ldam: a margin on the true class, larger for rarer classes, inside the scaled cross-entropy")


# ----------------------------------------------------------------------------- task 5: a paired comparison by seed
#: The library's paired effect, blocked while the student's paired_difference runs.
PAIRED_FUNCTIONS = ("wloss.stats.paired_effect",)


def _student_paired(paired_difference, case, a, b):
    with task("paired_difference"), library_blocked("paired_difference", *PAIRED_FUNCTIONS):
        got = paired_difference(dict(a), dict(b))
    check_true(isinstance(got, tuple) and len(got) == 3,
               f"paired_difference ({case}): expected a tuple (mean, standard_error, n), got {type(got).__name__}")
    mean = check_scalar(f"paired_difference ({case}): mean", got[0])
    se = check_scalar(f"paired_difference ({case}): standard error", got[1])
    n = check_scalar(f"paired_difference ({case}): n", got[2])
    return mean, se, n


def visible_paired_cases():
    return [
        ("five seeds, listed in different orders", {0: 0.82, 1: 0.81, 2: 0.83, 3: 0.80, 4: 0.84},
         {4: 0.93, 2: 0.94, 0: 0.92, 1: 0.90, 3: 0.89}),
        ("a seed run by a only, a crashed run (nan)", {11: 0.9, 12: 0.8, 13: 0.85, 14: 0.7, 15: 0.75},
         {13: 0.6, 11: 0.7, 12: 0.75, 15: float("nan")}),
    ]


def paired_holds(paired_difference, cases):
    """Fail unless ``paired_difference`` pairs by seed and gives the paired mean and standard error, by properties.

    No reference: the pairs are the seeds run by both with finite scores, whatever the order; swapping a and b
    flips the mean and keeps the standard error; adding one number to both methods' score on a seed (an easier
    split) changes nothing; equal gains on every seed have no spread; two pairs give a hand-computable value.
    """
    for case, a, b in cases:
        mean, se, n = _student_paired(paired_difference, case, a, b)
        both = [s for s in a if s in b and np.isfinite(a[s]) and np.isfinite(b[s])]
        check_true(n == len(both),
                   f"paired_difference ({case}): n = {n:g} is not the number of seeds both methods ran with a score. "
                   "Which seeds form a pair?")
        check_true(se >= 0, f"paired_difference ({case}): a standard error is not negative")
        gains = np.array([b[s] - a[s] for s in both])
        check_true(np.isclose(mean, gains.mean(), rtol=1e-6, atol=1e-9),
                   f"paired_difference ({case}): the mean is not the average gain of b over a on the seeds both ran. "
                   "How do you find a's score for the seed of each of b's scores?")
        mean2, se2, _ = _student_paired(paired_difference, f"{case}, a and b swapped", b, a)
        check_true(np.isclose(mean2, -mean, rtol=1e-6, atol=1e-9) and np.isclose(se2, se, rtol=1e-6, atol=1e-12),
                   f"paired_difference ({case}): swapping a and b does not turn the mean into minus itself with the "
                   "same standard error. Which difference do you average?")
        easier = {s: v + 0.05 * i for i, (s, v) in enumerate(sorted(a.items()))}
        harder_b = {s: v + 0.05 * sorted(a).index(s) if s in a else v for s, v in b.items()}
        mean3, se3, _ = _student_paired(paired_difference, f"{case}, every seed's split easier by its own amount for "
                                                            "both methods", easier, harder_b)
        check_true(np.isclose(mean3, mean, rtol=1e-6, atol=1e-9) and np.isclose(se3, se, rtol=1e-6, atol=1e-12),
                   f"paired_difference ({case}): when one seed's split is easier for both methods by the same "
                   "amount, your standard error changes. What does pairing by seed remove?")
        same_gain = {s: a[s] + 0.03 for s in both}
        _, se4, _ = _student_paired(paired_difference, f"{case}, the same gain on every seed", {s: a[s] for s in both},
                                    same_gain)
        check_true(np.isclose(se4, 0.0, atol=1e-9),
                   f"paired_difference ({case}): b gains the same on every seed and your standard error is not "
                   "zero. Whose spread does it measure?")
    _, se, _ = _student_paired(paired_difference, "two seeds, gains 0.1 and 0.3", {1: 0.5, 2: 0.5}, {1: 0.6, 2: 0.8})
    check_true(np.isclose(se, 0.1, rtol=1e-6),
               "paired_difference (two seeds, gains 0.1 and 0.3): the standard error is not that of the mean of two "
               "gains. Which standard deviation (which divisor) and which n?")


def check_paired_difference(paired_difference):
    paired_holds(paired_difference, visible_paired_cases())
    passed("paired_difference: paired by seed, crashed and unpaired runs left out, the paired standard error")


# ----------------------------------------------------------------------------- which mean, other weights and batches

#: Task 7's settings: (class weights, how the batches are drawn), the keys of the prediction.
MEAN_RATIO_SETTINGS = ("inverse frequency, shuffled batches", "DRW weights, class-balanced batches",
                       "inverse frequency, class-balanced batches")
#: The setting of lecture 09, printed beside the others as a reference (not predicted).
LECTURE_SETTING = "DRW weights, shuffled batches (lecture 09)"
MEAN_RATIO_CHOICES = ("below 1", "about 1", "above 1")
#: "about 1": the ratio averaged over the batches lies within this distance of 1.
ABOUT_ONE_WITHIN = 0.1
MEAN_RATIO_EPOCHS, MEAN_RATIO_BATCH = 10, 64

def _outcome(mean_ratio):
    if abs(mean_ratio - 1.0) <= ABOUT_ONE_WITHIN:
        return "about 1"
    return "below 1" if mean_ratio < 1.0 else "above 1"


def _mean_ratio_batches(labels, num_classes, sampling, generator):
    """The label batches of ``MEAN_RATIO_EPOCHS`` epochs, drawn by integer draws only (the same on every CPU)."""
    n = len(labels)
    if sampling == "shuffled":  # as wloss.training.train: a permutation per epoch, cut into batches
        epochs = [generator.permutation(n) for _ in range(MEAN_RATIO_EPOCHS)]
    else:  # class-balanced, as wloss.sampling.balanced_sample_weights: a class uniformly, then one of its examples
        members = [np.flatnonzero(labels == k) for k in range(num_classes)]
        epochs = []
        for _ in range(MEAN_RATIO_EPOCHS):
            classes = generator.integers(len(members), size=n)
            epochs.append(np.array([members[k][generator.integers(len(members[k]))] for k in classes]))
    return [labels[order[start:start + MEAN_RATIO_BATCH]]
            for order in epochs for start in range(0, n, MEAN_RATIO_BATCH)]


def mean_ratio_experiment(seed=0):
    """Task 7's experiment: wloss's weighted mean over PyTorch's, batch by batch, with no training.

    On the training labels of ``long_tailed_digits(20.0, seed=0)`` (counts 122 down to 6), for each setting of
    ``MEAN_RATIO_SETTINGS`` and lecture 09's: draw ``MEAN_RATIO_EPOCHS`` epochs of batches of 64 (shuffled, or
    class-balanced: each class with probability 1/K, then one of its examples), give every batch random float64
    logits, and divide ``weighted_cross_entropy(z, y, class_weight=w)`` (the weighted sum / N) by
    ``F.cross_entropy(z, y, weight=w)`` (the weighted sum / the batch's sum of weights). ``seed`` seeds the draws.

    Returns {setting: {"mean", "low", "high": the ratio averaged over the batches, its smallest and largest value,
    "batches": how many, "outcome": one of MEAN_RATIO_CHOICES}}.
    """
    import torch.nn.functional as F

    from wloss.data import long_tailed_digits
    from wloss.losses import drw_class_weights, weighted_cross_entropy
    from wloss.weights import inverse_frequency_weights

    labels = long_tailed_digits(20.0, seed=0)[1]
    counts = np.bincount(labels)
    weights = {"inverse frequency": inverse_frequency_weights(labels), "DRW weights": drw_class_weights(counts, 0, 0)}
    settings = [(LECTURE_SETTING, "DRW weights", "shuffled"),
                *[(name, name.split(", ")[0], name.split(", ")[1].split()[0]) for name in MEAN_RATIO_SETTINGS]]
    result = {}
    for index, (name, weight_name, sampling) in enumerate(settings):
        generator = np.random.default_rng([9700 + int(seed), index])
        w = torch.as_tensor(weights[weight_name], dtype=torch.float64)
        ratios = []
        for batch in _mean_ratio_batches(labels, len(counts), sampling, generator):
            y = torch.as_tensor(batch)
            z = torch.as_tensor(generator.standard_normal((len(batch), len(counts))))
            ratios.append((weighted_cross_entropy(z, y, class_weight=w) / F.cross_entropy(z, y, weight=w)).item())
        ratios = np.array(ratios)
        result[name] = {"mean": float(ratios.mean()), "low": float(ratios.min()), "high": float(ratios.max()),
                        "batches": len(ratios), "outcome": _outcome(float(ratios.mean()))}
    return result


def check_mean_ratio_prediction(prediction, reason):
    """Task 7: three answers and a one-line reason recorded and well formed (not whether they are right); the graded
    part (``wloss_grading.ex09``) compares them with the experiment and another draw."""
    check_recorded_prediction("mean_ratio_prediction", prediction, MEAN_RATIO_SETTINGS, MEAN_RATIO_CHOICES,
                              "mean_ratio_reason", reason,
                              "in one sentence, what decides the mean weight of a batch in each setting?")


# ----------------------------------------------------------------------------- the open task

def _rows_in(rows, pool):
    """Boolean per row of ``rows``: is it exactly equal to some row of ``pool``?"""
    keys = {r.tobytes() for r in np.ascontiguousarray(pool, dtype=np.float64)}
    return np.array([r.tobytes() in keys for r in np.ascontiguousarray(rows, dtype=np.float64)])


def check_method_comparison(runs, gain_mean, gain_se, imbalance_ratio=20.0, split=None):
    """Verify a two-method comparison over paired seeds with the test split held out.

    ``runs``: list of dicts with keys "method", "seed", "model", "X_fit" (what the model was trained on)
    and "balanced_accuracy" (reported on the seed's test split). ``split(seed)`` returns
    (X_train, y_train, X_test, y_test); default ``long_tailed_digits(imbalance_ratio, seed)``.
    The graded part also checks that every run has its own model and that the two methods differ.
    """
    from wloss.data import long_tailed_digits
    from wloss.training import predict_logits

    split = split or (lambda seed: long_tailed_digits(imbalance_ratio, seed=seed))
    check_true(isinstance(runs, (list, tuple)) and len(runs) > 0,
               f"runs: expected a non-empty list of dicts, got {type(runs).__name__}")
    needed = {"method", "seed", "model", "X_fit", "balanced_accuracy"}
    for i, run in enumerate(runs):
        check_true(isinstance(run, dict) and needed <= set(run),
                   f"runs[{i}]: expected a dict with keys {sorted(needed)}")
    methods = sorted({str(run["method"]) for run in runs})
    check_true(len(methods) == 2, f"runs: compare exactly two methods, found {len(methods)}: {methods}")
    seeds = {m: sorted(int(run["seed"]) for run in runs if str(run["method"]) == m) for m in methods}
    for m in methods:
        check_true(len(seeds[m]) == len(set(seeds[m])), f"runs: method '{m}' has a seed twice: {seeds[m]}")
    check_true(seeds[methods[0]] == seeds[methods[1]],
               f"runs: the two methods were run on different seeds ({seeds[methods[0]]} and {seeds[methods[1]]}); "
               "a paired comparison needs the same seeds - the same splits - for both")
    check_true(len(seeds[methods[0]]) >= 3, f"runs: use at least 3 seeds, found {len(seeds[methods[0]])}")
    scores = {}
    for run in runs:
        method, seed = str(run["method"]), int(run["seed"])
        X_train, _, X_test, y_test = split(seed)
        X_fit = check_array(f"runs ({method}, seed {seed}): X_fit", run["X_fit"])
        check_true(X_fit.ndim == 2 and X_fit.shape[1] == X_test.shape[1],
                   f"runs ({method}, seed {seed}): X_fit must have shape (n, {X_test.shape[1]}), got {X_fit.shape}")
        test_only = X_test[~_rows_in(X_test, X_train)]  # test images that are not also training images
        leaked = _rows_in(X_fit, test_only)
        check_true(not leaked.any(),
                   f"runs ({method}, seed {seed}): {int(leaked.sum())} rows the model was trained on are images of "
                   "the test split. Which images may a method see before it is scored?")
        check_true(_rows_in(X_fit, X_train).sum() >= 10,
                   f"runs ({method}, seed {seed}): X_fit holds (almost) none of this seed's training images - "
                   "train on the split of the same seed")
        with task(f"runs ({method}, seed {seed}): model"):
            predicted = np.asarray(predict_logits(run["model"], X_test)).argmax(1)
        recomputed = _balanced_accuracy(y_test, predicted)
        reported = check_scalar(f"runs ({method}, seed {seed}): balanced_accuracy", run["balanced_accuracy"])
        check_true(np.isclose(reported, recomputed, atol=1e-6),
                   f"runs ({method}, seed {seed}): the reported balanced accuracy {reported:.4f} is not the model's "
                   "balanced accuracy on this seed's test split - was it computed on other data?")
        scores[method, seed] = recomputed
    check_true(len({id(run["model"]) for run in runs}) == len(runs),
               "runs: the same model object appears in two runs. How many models did you train?")
    check_true(any(not np.isclose(scores[methods[0], s], scores[methods[1], s]) for s in seeds[methods[0]]),
               f"runs: '{methods[0]}' and '{methods[1]}' score the same on every seed. Are they two different "
               "methods?")
    a = np.array([scores[methods[0], s] for s in seeds[methods[0]]])
    b = np.array([scores[methods[1], s] for s in seeds[methods[0]]])
    d = b - a
    mean = check_scalar("gain_mean", gain_mean)
    se = check_scalar("gain_se", gain_se)
    check_true(np.isclose(abs(mean), abs(d.mean()), atol=1e-9),
               "gain_mean: it is not the mean per-seed difference of the two methods' test balanced accuracies")
    check_true(0 <= se <= np.abs(d - d.mean()).max() + 1e-12,
               "gain_se: it is not the standard error of a mean of the per-seed gains (it is negative or larger than "
               "the largest gain's distance from their mean). Whose spread does it measure?")
    passed(f"method comparison: {methods[0]} and {methods[1]} on the same {d.size} seeds, test splits held out, "
           "scores and paired standard error recomputed from your models")
    return scores


__all__ = ["check_tau_prediction", "check_tau_sweep", "tau_outcome", "check_adjust_to_prior", "adjust_holds",
           "check_binary_focal", "focal_holds", "check_ldam", "ldam_holds", "check_paired_difference", "paired_holds",
           "mean_ratio_experiment", "check_mean_ratio_prediction", "check_method_comparison", "CheckFailed",
           "TAU_CURVES", "TAU_KEY", "MEAN_RATIO_SETTINGS", "MEAN_RATIO_CHOICES", "LECTURE_SETTING"]
