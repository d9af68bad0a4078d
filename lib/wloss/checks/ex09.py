"""Checks for exercise 09 (beyond re-weighting): a prediction about post-hoc adjustment, logits for a new
class prior, a class-weighted focal loss, a classmate's LDAM, a paired comparison, a prediction about the two
weighted means under other weights and batches (and its experiment), and an open method comparison.

No check prints the answer to its task: failures name the property and the case that exposes it.
"""
import numpy as np
import torch

from wloss.checks import (CheckFailed, check_array, check_recorded_prediction, check_scalar, check_true, fail,
                          fail_disagreeing, passed, task)
from wloss.losses import focal_loss, ldam_loss

#: The shapes a curve of validation balanced accuracy against tau can take.
TAU_CURVES = ("rises steadily", "falls steadily", "rises then falls", "stays flat")


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


def check_tau_prediction(prediction, logits, y, class_prior, taus, hidden=False):
    """Compare the student's predicted curve shape with the sweep over ``taus`` on (logits, y)."""
    check_true(prediction in TAU_CURVES,
               f"tau_curve_prediction: expected one of {list(TAU_CURVES)}, got {prediction!r} "
               "- write your prediction before running the sweep")
    logits, y, prior = np.asarray(logits), np.asarray(y), np.asarray(class_prior)
    scores = [_balanced_accuracy(y, (logits - t * np.log(prior)).argmax(1)) for t in taus]
    shape = _curve_shape(scores)
    where = "the held-out half" if hidden else "the validation half"
    check_true(prediction == shape,
               f"tau_curve_prediction: the sweep on {where} does not agree with your prediction '{prediction}' "
               "(look at the balanced accuracy as tau grows). Think about what tau = 0 leaves undone for the rare "
               "classes, and what a very large tau does to the frequent ones; then correct the prediction "
               "and write one sentence on what you had missed.")
    passed(f"tau_curve_prediction: your prediction matches the sweep on {where}")


def _adjust_cases(hidden):
    generator = np.random.default_rng(90 if not hidden else 91)
    likelihood = generator.dirichlet(np.ones(4), size=6)  # p(x_i | y = k), up to a constant per row
    train_prior = np.array([0.55, 0.25, 0.15, 0.05])
    cases = [
        ("test prior = training prior (nothing changes)", likelihood, train_prior, train_prior.copy()),
        ("uniform test prior", likelihood, train_prior, np.full(4, 0.25)),
        ("reversed test prior", likelihood, train_prior, train_prior[::-1].copy()),
    ]
    if hidden:
        two = generator.dirichlet(np.ones(2), size=5)
        cases += [("two classes, extreme priors", two, np.array([0.99, 0.01]), np.array([0.02, 0.98])),
                  ("one example", likelihood[:1], train_prior, np.array([0.1, 0.2, 0.3, 0.4]))]
    return cases


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def check_adjust_to_prior(adjust_to_prior, hidden=False):
    for case, likelihood, train_prior, test_prior in _adjust_cases(hidden):
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
                 f"(example {row}: probabilities {np.round(got_posterior[row], 4).tolist()}). Bayes' rule: the "
                 "posterior is proportional to likelihood x prior, and the model's logits already contain the "
                 "training prior.")
    passed("adjust_to_prior: the softmax of the adjusted logits is the posterior under the test prior in every case")


def _focal_cases(hidden):
    generator = torch.Generator().manual_seed(92 if not hidden else 93)
    logits = torch.randn(8, 3, dtype=torch.float64, generator=generator) * 2
    targets = torch.tensor([0, 1, 2, 2, 1, 0, 2, 1])
    confident = torch.tensor([[3.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 3.0]], dtype=torch.float64)
    cases = [
        ("no class weights (alpha = 1)", logits, targets, torch.ones(3, dtype=torch.float64), 2.0),
        ("class weights 0.5, 2, 8", logits, targets, torch.tensor([0.5, 2.0, 8.0], dtype=torch.float64), 2.0),
        ("confident examples, weights 1, 4, 16", confident, torch.tensor([0, 1, 2]),
         torch.tensor([1.0, 4.0, 16.0], dtype=torch.float64), 2.0),
    ]
    if hidden:
        cases += [("gamma = 0.5, weights 3, 1, 0.2", logits, targets, torch.tensor([3.0, 1.0, 0.2], dtype=torch.float64), 0.5),
                  ("gamma = 5, weights 1, 1, 10", logits, targets, torch.tensor([1.0, 1.0, 10.0], dtype=torch.float64), 5.0)]
    return cases


def check_weighted_focal(weighted_focal, hidden=False):
    for case, logits, targets, alpha, gamma in _focal_cases(hidden):
        with task("weighted_focal"):
            got = weighted_focal(logits.clone(), targets.clone(), alpha.clone(), gamma)
        got = check_array(f"weighted_focal ({case})", got, shape=(len(targets),))
        expected = focal_loss(logits, targets, gamma=gamma, alpha=alpha, reduction="none").numpy()
        if not np.allclose(got, expected, rtol=1e-6, atol=1e-10):
            row = int(np.argmax(np.abs(got - expected)))
            ratio = got[row] / expected[row] if expected[row] else np.inf
            fail(f"weighted_focal ({case}, gamma = {gamma}): example {row} (class {int(targets[row])}, weight "
                 f"{float(alpha[targets[row]]):g}) gets {ratio:.3g} times the focal loss "
                 "-alpha_y (1 - p_y)^gamma log p_y. Check each factor: which probability does your focusing "
                 "factor use, and how many times is alpha applied?")
    passed("weighted_focal: equals -alpha_y (1 - p_y)^gamma log p_y, with and without class weights")


def _ldam_cases(hidden):
    generator = torch.Generator().manual_seed(94 if not hidden else 95)
    logits = torch.randn(8, 4, dtype=torch.float64, generator=generator) * 2
    targets = torch.tensor([0, 1, 2, 3, 3, 2, 1, 0])
    cases = [("counts 400, 100, 25, 1, scale 1", logits, targets, np.array([400, 100, 25, 1]), 0.5, 1.0),
             ("counts 10, 10, 10, 10 (equal margins), scale 1", logits, targets, np.array([10, 10, 10, 10]), 0.5, 1.0),
             ("counts 50, 5, 500, 20, max_margin 1, scale 4", logits, targets, np.array([50, 5, 500, 20]), 1.0, 4.0)]
    if hidden:
        cases.append(("two classes, counts 81 and 1, scale 30", logits[:, :2] / 10, targets % 2, np.array([81, 1]), 0.5, 30.0))
    return cases


def check_ldam(ldam, hidden=False):
    for case, logits, targets, counts, max_margin, scale in _ldam_cases(hidden):
        with task("ldam"):
            got = ldam(logits.clone(), targets.clone(), counts.copy(), max_margin=max_margin, scale=scale)
        got = check_array(f"ldam ({case})", got, shape=(len(targets),))
        expected = ldam_loss(logits, targets, counts, max_margin=max_margin, scale=scale, reduction="none").numpy()
        if not np.allclose(got, expected, rtol=1e-6, atol=1e-10):
            row = int(np.argmax(np.abs(got - expected)))
            fail(f"ldam ({case}): example {row} (class {int(targets[row])}) gets loss {got[row]:.4f}, which is not "
                 "LDAM's. Which logits of an example should its margin lower, by how much, and is the margin "
                 "inside the scaled logit?")
    passed("ldam: equals the LDAM loss with margins from the class counts, in every case")


def _paired_cases(hidden):
    cases = [
        ("five seeds", np.array([0.82, 0.81, 0.83, 0.80, 0.84]), np.array([0.92, 0.90, 0.94, 0.89, 0.93])),
        ("b worse than a", np.array([0.9, 0.8, 0.85]), np.array([0.7, 0.75, 0.6])),
        ("gains that vary much less than the scores", np.array([0.60, 0.90, 0.75, 0.70]),
         np.array([0.62, 0.93, 0.76, 0.73])),
    ]
    if hidden:
        cases += [("two seeds", np.array([0.5, 0.7]), np.array([0.6, 0.9])),
                  ("ten seeds", np.linspace(0.5, 0.9, 10), np.linspace(0.5, 0.9, 10) + np.sin(np.arange(10)) / 50)]
    return cases


def check_paired_difference(paired_difference, hidden=False):
    for case, a, b in _paired_cases(hidden):
        with task("paired_difference"):
            got = paired_difference(a.copy(), b.copy())
        check_true(isinstance(got, tuple) and len(got) == 2,
                   f"paired_difference ({case}): expected a tuple (mean, standard_error), got {type(got).__name__}")
        differences = b - a
        mean = check_scalar(f"paired_difference ({case}): mean", got[0])
        se = check_scalar(f"paired_difference ({case}): standard error", got[1])
        check_true(np.sign(mean) == np.sign(differences.mean()),
                   f"paired_difference ({case}): the mean gain has the wrong sign - the gain of b over a")
        check_true(np.isclose(mean, differences.mean(), rtol=1e-6, atol=1e-9),
                   f"paired_difference ({case}): the mean gain is not the mean over seeds of the gain of b over a "
                   "in each seed")
        wanted = differences.std(ddof=1) / np.sqrt(differences.size)
        if not np.isclose(se, wanted, rtol=1e-6):
            fail(f"paired_difference ({case}): the standard error is off by a factor {se / wanted:.3g}. It is the "
                 "standard error of the MEAN per-seed gain: built from the spread of the gains themselves (not of "
                 "a and b separately), with the sample standard deviation, and shrinking with more seeds.")
    passed("paired_difference: the mean per-seed gain and its standard error")


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

_MEAN_RATIO_QUESTIONS = {
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


def check_mean_ratio_prediction(prediction, reason, hidden=False):
    """Task 7: the visible part checks that the three answers and a one-line reason are recorded and well formed
    (not whether they are right); the hidden part grades them against the experiment and another draw."""
    check_recorded_prediction("mean_ratio_prediction", prediction, MEAN_RATIO_SETTINGS, MEAN_RATIO_CHOICES,
                              "mean_ratio_reason", reason,
                              "in one sentence, what decides the mean weight of a batch in each setting?",
                              announce=not hidden)
    if not hidden:
        return
    for seed, draw in ((0, "the draws you ran"), (1, "another draw of the batches")):
        outcome = {key: value["outcome"] for key, value in mean_ratio_experiment(seed).items()}
        fail_disagreeing("mean_ratio_prediction", prediction, outcome, _MEAN_RATIO_QUESTIONS,
                         f"the experiment ({draw})", "compare the ratio it printed for each with what you predicted")
    passed("mean_ratio_prediction: the three settings behave as you predicted (two draws of the batches)")


# ----------------------------------------------------------------------------- the open task

def _rows_in(rows, pool):
    """Boolean per row of ``rows``: is it exactly equal to some row of ``pool``?"""
    keys = {r.tobytes() for r in np.ascontiguousarray(pool, dtype=np.float64)}
    return np.array([r.tobytes() in keys for r in np.ascontiguousarray(rows, dtype=np.float64)])


def check_method_comparison(runs, gain_mean, gain_se, imbalance_ratio=20.0, split=None, hidden=False):
    """Verify a two-method comparison over paired seeds with the test split held out.

    ``runs``: list of dicts with keys "method", "seed", "model", "X_fit" (what the model was trained on)
    and "balanced_accuracy" (reported on the seed's test split). ``split(seed)`` returns
    (X_train, y_train, X_test, y_test); default ``long_tailed_digits(imbalance_ratio, seed)``.
    ``hidden=True`` also checks that every run has its own model and that the two methods differ.
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
                   "the test split. Split first; resample or weight only the training part.")
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
    if hidden:
        check_true(len({id(run["model"]) for run in runs}) == len(runs),
                   "runs: the same model object appears in two runs; train a fresh model for every (method, seed)")
        check_true(any(scores[methods[0], s] != scores[methods[1], s] for s in seeds[methods[0]]),
                   "runs: the two methods score identically on every seed - are they really different methods?")
    a = np.array([scores[methods[0], s] for s in seeds[methods[0]]])
    b = np.array([scores[methods[1], s] for s in seeds[methods[0]]])
    d = b - a
    mean = check_scalar("gain_mean", gain_mean)
    se = check_scalar("gain_se", gain_se)
    check_true(np.isclose(abs(mean), abs(d.mean()), atol=1e-9),
               "gain_mean: it is not the mean per-seed difference of the two methods' test balanced accuracies")
    check_true(np.isclose(se, d.std(ddof=1) / np.sqrt(d.size), rtol=1e-6),
               "gain_se: it is not the standard error of the paired differences (their own spread over seeds)")
    passed(f"method comparison: {methods[0]} and {methods[1]} on the same {d.size} seeds, test splits held out, "
           "scores and paired standard error recomputed from your models")


__all__ = ["check_tau_prediction", "check_adjust_to_prior", "check_weighted_focal", "check_ldam", "check_paired_difference",
           "mean_ratio_experiment", "check_mean_ratio_prediction", "check_method_comparison", "CheckFailed",
           "TAU_CURVES", "MEAN_RATIO_SETTINGS", "MEAN_RATIO_CHOICES", "LECTURE_SETTING"]
