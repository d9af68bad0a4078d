"""Checks for exercise 10 (ordinal labels): a colleague's RPS, a prediction about class weights, the point
forecast expected-L1 prefers, the RPS of cumulative forecasts, a colleague's CORN loss, and an ordinal data set
of your own.

No check prints the answer to its task: failures name the property and the case that exposes it. A task that
asks for what ``wloss`` also provides (the RPS, CORN's loss) runs the student's code with the library's versions
blocked, and compares it with a reference written out here loop by loop.
"""

import numpy as np
import torch

from wloss.checks import (check_array, check_recorded_prediction, check_scalar, check_true, fail, library_blocked,
                          passed, task)

#: The library's own versions of task 1's answer, blocked while the student's rps runs.
RPS_FUNCTIONS = ("wloss.losses.rps_loss", "wloss.losses.ordinal.rps_loss", "wloss.reference.rps_loss")
#: The library's CORN loss and probabilities (CORN's loss is minus the log of the probability of the label),
#: blocked while the student's corn_per_example runs.
CORN_FUNCTIONS = ("wloss.losses.corn_loss", "wloss.losses.corn.corn_loss", "wloss.reference.corn_loss",
                  "wloss.losses.corn_probabilities", "wloss.losses.corn.corn_probabilities",
                  "wloss.reference.corn_probabilities")

#: The answers a prediction about a change in MAE can take.
CHANGES = ("lower", "higher", "about the same")


def _student_rps(rps, case, probs, labels):
    with task("rps"), library_blocked("rps", *RPS_FUNCTIONS):
        got = rps(np.array(probs, dtype=float), np.array(labels))
    got = check_array(f"rps ({case})", got, shape=(len(labels),))
    check_true(bool(np.all(np.isfinite(got))), f"rps ({case}): expected finite scores")
    return got


def visible_forecast_cases():
    """(case, probs (N, K), labels (N,)): random forecasts the properties are tried around."""
    generator = np.random.default_rng(10)
    return [("random forecasts, K = 6", generator.dirichlet(np.ones(6), size=5), np.array([0, 5, 2, 3, 1])),
            ("uniform forecasts, labels at both ends", np.full((2, 5), 0.2), np.array([0, 4]))]


def rps_holds(rps, cases):
    """Fail unless ``rps`` has the ranked probability score's properties around each (case, probs, labels).

    No reference: a sure forecast of class j scores |j - y| (so a perfect one 0); with two classes the RPS is the
    Brier score of the event "y = 0"; a class appended above the others with probability 0 changes nothing; each
    forecast's score depends on that forecast alone.
    """
    for case, probs, labels in cases:
        n, k = probs.shape
        sure = np.repeat(np.arange(k), len(labels))
        truth = np.tile(labels, k)
        got = _student_rps(rps, f"K = {k}, sure forecasts of every class", np.eye(k)[sure], truth)
        wrong = np.flatnonzero(~np.isclose(got, np.abs(sure - truth), atol=1e-9))
        if wrong.size:
            j, y = int(sure[wrong[0]]), int(truth[wrong[0]])
            fail(f"rps (K = {k}, a forecast sure of class {j}, label {y}): your score is not the distance between the "
                 "forecast's class and the label, which is what the RPS gives a sure forecast. Write out the "
                 "forecast's cumulative probability and the truth's step at every class: where do they differ?")
        binary = np.column_stack([probs[:, 0], 1 - probs[:, 0]])
        got = _student_rps(rps, "K = 2", binary, (labels > 0).astype(int))
        brier = (binary[:, 0] - (labels == 0)) ** 2
        check_true(np.allclose(got, brier, rtol=1e-6, atol=1e-12),
                   "rps (two classes): your scores are not the Brier score of the event 'y = 0'. With two classes, "
                   "how many terms does the RPS have that are not always zero, and what is each?")
        got = _student_rps(rps, case, probs, labels)
        padded = np.column_stack([probs, np.zeros(n)])
        check_true(np.allclose(_student_rps(rps, f"{case}, a class of probability 0 appended", padded, labels), got,
                               rtol=1e-6, atol=1e-12),
                   f"rps ({case}): appending a class that the forecast gives probability 0 and no label has changes "
                   "your scores. What does the truth's step and the forecast's cumulative probability give there?")
        alone = _student_rps(rps, f"{case}, its first forecast alone", probs[:1], labels[:1])
        check_true(np.isclose(alone[0], got[0], rtol=1e-6, atol=1e-12),
                   f"rps ({case}): the first forecast scores differently alone and among the others. What in your "
                   "code mixes the rows?")


def check_rps(rps):
    rps_holds(rps, visible_forecast_cases())
    passed("rps: the ranked probability score's properties hold on every case")


def band_mae(probs, labels, low, high):
    """MAE of the argmax over the examples with low <= label <= high."""
    probs, labels = np.asarray(probs), np.asarray(labels)
    inside = (labels >= low) & (labels <= high)
    return float(np.mean(np.abs(probs[inside].argmax(1) - labels[inside])))


# ----------------------------------------------------------------------------- task 2: predict, recorded
#: The keys of task 2's prediction: the two count bands whose MAE changes with class weights.
WEIGHTING_KEYS = ("rare counts 6-15", "frequent counts 0-2")
WEIGHTING_BANDS = {"rare counts 6-15": (6, 15), "frequent counts 0-2": (0, 2)}
#: A change of the MAE by at most this much counts as "about the same".
ABOUT_THE_SAME_WITHIN = 0.05


def _change(before, after, tolerance=ABOUT_THE_SAME_WITHIN):
    if abs(after - before) <= tolerance:
        return "about the same"
    return "lower" if after < before else "higher"


def weighting_outcome(unweighted_probs, weighted_probs, labels):
    """{band: how the MAE of the argmax changes from the unweighted to the weighted forecasts}."""
    return {key: _change(band_mae(unweighted_probs, labels, *WEIGHTING_BANDS[key]),
                         band_mae(weighted_probs, labels, *WEIGHTING_BANDS[key])) for key in WEIGHTING_KEYS}


def check_weighting_prediction(weighting_prediction, weighting_reason):
    """Task 2 before the experiment: both answers and a one-line reason recorded and well formed (never graded here)."""
    check_recorded_prediction("weighting_prediction", weighting_prediction, WEIGHTING_KEYS, CHANGES,
                              "weighting_reason", weighting_reason,
                              "in one sentence, which classes gain weight and which lose it?")


def check_weighting_experiment(weighting_prediction, weighting_reason, unweighted_probs, weighted_probs, labels):
    """Task 2 after the experiment, visible part: the prediction as recorded and the experiment's forecasts as made
    (the graded part compares them)."""
    check_recorded_prediction("weighting_prediction", weighting_prediction, WEIGHTING_KEYS, CHANGES,
                              "weighting_reason", weighting_reason, "in one sentence, why?", announce=False)
    labels = check_array("labels", labels)
    for name, probs in (("unweighted forecasts", unweighted_probs), ("weighted forecasts", weighted_probs)):
        probs = check_array(name, probs)
        check_true(probs.ndim == 2 and probs.shape[0] == len(labels),
                   f"{name}: expected one forecast per test image - run the experiment cell unchanged")
    check_true(not np.allclose(np.asarray(unweighted_probs), np.asarray(weighted_probs)),
               "the weighted and unweighted forecasts are identical: did the experiment really use the weights?")
    passed("weighting experiment: the prediction is recorded and both models' forecasts are there (the graded part "
           "compares them)")


# ----------------------------------------------------------------------------- task 3: the count a buyer should order
def expected_cost_of_count(k, p, under_cost, over_cost):
    """E_{y ~ p}[under_cost (y - k)_+ + over_cost (k - y)_+], summed over the labels one by one."""
    return float(sum(p[y] * (under_cost * max(y - k, 0) + over_cost * max(k - y, 0)) for y in range(len(p))))


def visible_count_cases():
    return [("p = (0.3, 0.25, 0.05, 0.4), a shortfall 3 times an excess", np.array([0.3, 0.25, 0.05, 0.4]), 3.0, 1.0),
            ("p = (0.6, 0.3, 0.1), equal costs", np.array([0.6, 0.3, 0.1]), 1.0, 1.0),
            ("a long tail over 10 classes, an excess 4 times a shortfall",
             np.exp(-0.5 * np.arange(10)) / np.exp(-0.5 * np.arange(10)).sum(), 1.0, 4.0)]


def best_count_holds(best_count, cases):
    """Fail unless ``best_count`` returns the class of least expected cost on each (case, p, under, over)."""
    for case, p, under, over in cases:
        with task("best_count"):
            got = check_scalar(f"best_count ({case})", best_count(p.copy(), under, over))
        check_true(got == int(got) and 0 <= got < p.size,
                   f"best_count ({case}): expected a class index in 0..{p.size - 1}, got {got}")
        costs = np.array([expected_cost_of_count(k, p, under, over) for k in range(p.size)])
        check_true(np.isclose(costs[int(got)], costs.min(), rtol=1e-9, atol=1e-12),
                   f"best_count ({case}): another count has a lower expected cost than {int(got)}. Write the expected "
                   "cost for two neighbouring counts k and k + 1: what decides whether moving up lowers it?")


def check_best_count(best_count):
    best_count_holds(best_count, visible_count_cases())
    passed("best_count: the count of least expected cost in every case")


# ----------------------------------------------------------------------------- task 4: RPS of an ensemble's samples
def _student_sample_rps(rps_from_samples, case, samples, labels, num_classes):
    with task("rps_from_samples"), library_blocked("rps_from_samples", *RPS_FUNCTIONS):
        got = rps_from_samples(np.array(samples), np.array(labels), num_classes)
    got = check_array(f"rps_from_samples ({case})", got, shape=(len(labels),))
    check_true(bool(np.all(np.isfinite(got))), f"rps_from_samples ({case}): expected finite scores")
    return got


def visible_sample_cases():
    generator = np.random.default_rng(12)
    return [("5 images, 4 samples each, K = 6", generator.integers(0, 6, size=(5, 4)), np.array([0, 5, 2, 3, 1]), 6),
            ("3 images, 7 samples each, K = 4", generator.integers(0, 4, size=(3, 7)), np.array([3, 0, 1]), 4)]


def sample_rps_holds(rps_from_samples, cases):
    """Fail unless ``rps_from_samples`` has the properties of the RPS of the samples' empirical forecast.

    No reference: one sample per image scores its distance to the label; samples all equal to the label score 0;
    the samples' order and a copy of every sample change nothing; with two classes the score is the Brier score of
    "y = 0" for the share of samples at 0.
    """
    for case, samples, labels, k in cases:
        n, m = samples.shape
        got = _student_sample_rps(rps_from_samples, f"{case}, one sample per image", samples[:, :1], labels, k)
        check_true(np.allclose(got, np.abs(samples[:, 0] - labels), atol=1e-9),
                   f"rps_from_samples ({case}, one sample per image): your scores are not the distance between the "
                   "sample and the label, which is what a sure forecast scores. Which forecast do the samples make?")
        right = _student_sample_rps(rps_from_samples, f"{case}, every sample equal to the label",
                                    np.repeat(labels[:, None], m, axis=1), labels, k)
        check_true(np.allclose(right, 0.0, atol=1e-9),
                   f"rps_from_samples ({case}, every sample equal to the label): a perfect forecast does not score 0")
        got = _student_sample_rps(rps_from_samples, case, samples, labels, k)
        shuffled = _student_sample_rps(rps_from_samples, f"{case}, samples in another order", samples[:, ::-1], labels,
                                       k)
        doubled = _student_sample_rps(rps_from_samples, f"{case}, every sample twice",
                                      np.concatenate([samples, samples], axis=1), labels, k)
        check_true(np.allclose(got, shuffled, rtol=1e-6, atol=1e-12),
                   f"rps_from_samples ({case}): the samples' order changes your scores. Which forecast do the samples "
                   "make, whatever their order?")
        check_true(np.allclose(got, doubled, rtol=1e-6, atol=1e-12),
                   f"rps_from_samples ({case}): a copy of every sample changes your scores, though the samples' "
                   "shares of each class stay the same. What do you divide by?")
        zero_share = (samples == 0).mean(axis=1)
        binary = _student_sample_rps(rps_from_samples, f"{case}, two classes", (samples > 0).astype(int),
                                     (labels > 0).astype(int), 2)
        check_true(np.allclose(binary, (zero_share - (labels == 0)) ** 2, rtol=1e-6, atol=1e-12),
                   f"rps_from_samples ({case}, two classes): your scores are not the Brier score of 'y = 0' for the "
                   "share of samples at 0. Which cumulative probabilities do the samples give?")


def check_rps_from_samples(rps_from_samples):
    sample_rps_holds(rps_from_samples, visible_sample_cases())
    passed("rps_from_samples: the RPS's properties hold for the samples' forecast on every case")


# ----------------------------------------------------------------------------- a colleague's CORN loss

def _corn_call(corn_per_example, case, logits, labels):
    """The student's losses for (logits, labels), with wloss's CORN blocked, as an array of shape (N,)."""
    with task("corn_per_example"), library_blocked("corn_per_example", *CORN_FUNCTIONS):
        got = corn_per_example(torch.tensor(logits, dtype=torch.float64), torch.tensor(labels, dtype=torch.int64))
    got = check_array(f"corn_per_example ({case})", got, shape=(len(labels),))
    check_true(bool(np.all(np.isfinite(got))), f"corn_per_example ({case}): expected finite losses, got {got}")
    return got


def _one_example(num_classes, label, logits):
    words = ", ".join(f"{v:g}" for v in logits)
    return f"K = {num_classes}, one example with label {label}, logits ({words})"


#: (K, label) of the single examples the visible check's properties are tried on.
VISIBLE_SINGLES = [(3, 0), (3, 1), (3, 2), (4, 0), (4, 1), (4, 2), (4, 3)]


def corn_holds(corn_per_example, singles):
    """CORN's loss per example, by its properties, each on the smallest input that shows it: which logits an
    example's loss reads, in which direction, and that an example sure of every right answer costs nothing."""
    name = "corn_per_example"
    # 1. which logits an example's loss reads: the tasks it takes part in, and no other
    for num_classes, label in singles:
        base = np.zeros((1, num_classes - 1))
        before = _corn_call(corn_per_example, _one_example(num_classes, label, base[0]), base, [label])[0]
        for k in range(num_classes - 1):
            moved = base.copy()
            moved[0, k] = 3.0
            case = _one_example(num_classes, label, base[0])
            after = _corn_call(corn_per_example, case, moved, [label])[0]
            changed = abs(after - before) > 1e-6
            if k <= label and not changed:
                fail(f"{name} ({case}): the loss stays the same when only the logit of task {k} changes from 0 to 3. "
                     f"Which examples does task {k} ask its question of?")
            if k > label and changed:
                fail(f"{name} ({case}): the loss changes when only the logit of task {k} changes from 0 to 3. "
                     f"Which examples does task {k} ask its question of?")
    # 2. the direction: raising z_k makes "yes, y > k" more likely
    for num_classes, label in singles:
        for k in range(min(label, num_classes - 2) + 1):
            low, high = np.zeros((1, num_classes - 1)), np.zeros((1, num_classes - 1))
            low[0, k], high[0, k] = -3.0, 3.0
            case = _one_example(num_classes, label, low[0])
            at_low = _corn_call(corn_per_example, case, low, [label])[0]
            at_high = _corn_call(corn_per_example, case, high, [label])[0]
            if (at_high < at_low) != (label > k):
                went = "falls" if at_high < at_low else "rises"
                fail(f"{name} ({case}): the loss {went} when the logit of task {k} rises from -3 to 3. "
                     f"Task {k} asks whether y > {k}: what is this example's answer?")
    # 3. an example sure of the right answer to every question it is asked costs (nearly) nothing
    for num_classes, label in singles:
        sure = np.array([[30.0 if k < label else -30.0 for k in range(num_classes - 1)]])
        case = _one_example(num_classes, label, sure[0])
        got = _corn_call(corn_per_example, case, sure, [label])[0]
        if not abs(got) < 1e-6:
            fail(f"{name} ({case}): this example is sure of the right answer to every question it takes part in, "
                 f"and its loss is {got:.4f}. Which terms does your loss add for it?")


def check_corn_per_example(corn_per_example):
    """CORN's loss per example, by its properties (the graded part also compares values)."""
    corn_holds(corn_per_example, VISIBLE_SINGLES)
    passed("corn_per_example: reads the logits of the tasks each example takes part in and no other, in the right "
           "direction, and costs nothing when sure of every right answer")


# ----------------------------------------------------------------------------- the open task

LECTURE_DATA = {"num_classes": 16, "image_size": 16, "skew": 4.0}
GENERATOR_DEFAULTS = {"num_classes": 30, "image_size": 28, "skew": 4.0}  # make_counting_images' defaults


def check_ordinal_study(study):
    """Verify an ordinal study: a new data set, a held-out test set, two losses on paired seeds, test RPS.

    ``study`` is a dict with "data" (keyword arguments of ``make_counting_images`` other than n and seed),
    "n_train", "n_test", "train_seed", "test_seed" and "runs": a list of dicts with "loss", "seed",
    "model" (softmax logits (N, K) from images (N, 1, S, S)) and "test_rps" (mean RPS on the test set).
    """
    from wloss.data import make_counting_images
    from wloss.reference import rps_loss
    from wloss.training import predict_proba

    check_true(isinstance(study, dict), f"study: expected a dict, got {type(study).__name__}")
    needed = {"data", "n_train", "n_test", "train_seed", "test_seed", "runs"}
    check_true(needed <= set(study), f"study: expected the keys {sorted(needed)}, missing {sorted(needed - set(study))}")
    data = dict(study["data"])
    check_true(set(data) <= {"num_classes", "image_size", "skew"},
               "study['data']: use only num_classes, image_size and skew")
    chosen = {**GENERATOR_DEFAULTS, **data}
    check_true(chosen != LECTURE_DATA,
               "study['data']: this is lecture 10's data set; choose another number of classes, image size or skew")
    check_true(int(study["train_seed"]) != int(study["test_seed"]),
               "study: the training and test images come from the same seed, so the test set is the training set. "
               "Which images has a model never seen?")
    runs = study["runs"]
    check_true(isinstance(runs, (list, tuple)) and all(isinstance(r, dict) and {"loss", "seed", "model", "test_rps"} <= set(r)
                                                        for r in runs),
               "study['runs']: expected a list of dicts with keys loss, seed, model, test_rps")
    losses = sorted({str(r["loss"]) for r in runs})
    check_true(len(losses) >= 2, f"study['runs']: compare at least two losses, found {losses}")
    seeds = {name: sorted(int(r["seed"]) for r in runs if str(r["loss"]) == name) for name in losses}
    check_true(all(seeds[name] == seeds[losses[0]] for name in losses) and len(set(seeds[losses[0]])) == len(seeds[losses[0]]),
               f"study['runs']: every loss must be trained on the same seeds once each (paired); found {seeds}")
    check_true(len(seeds[losses[0]]) >= 2, "study['runs']: use at least two seeds per loss")
    with task("study: make_counting_images"):
        X_test, y_test = make_counting_images(int(study["n_test"]), seed=int(study["test_seed"]), **data)
    forecasts = {}
    for run in runs:
        with task(f"study: model of ({run['loss']}, seed {run['seed']})"):
            probs = np.asarray(predict_proba(run["model"], X_test))
        check_true(probs.shape == (len(y_test), int(chosen["num_classes"])),
                   f"study: the model of ({run['loss']}, seed {run['seed']}) must give one probability per class")
        recomputed = float(rps_loss(probs, y_test, reduction="none").mean())
        reported = check_scalar(f"study: test_rps of ({run['loss']}, seed {run['seed']})", run["test_rps"])
        check_true(np.isclose(reported, recomputed, rtol=1e-5, atol=1e-7),
                   f"study: the reported test RPS of ({run['loss']}, seed {run['seed']}) is not the model's mean RPS "
                   "on the test images of study['test_seed'] - computed on other data, or normalised differently?")
        forecasts[str(run["loss"]), int(run["seed"])] = probs
    check_true(len({id(r["model"]) for r in runs}) == len(runs),
               "study['runs']: the same model object appears in two runs. How many models did you train?")
    keys = sorted(forecasts)
    for i, first in enumerate(keys):
        for second in keys[i + 1:]:
            check_true(not np.allclose(forecasts[first], forecasts[second], rtol=0, atol=1e-9),
                       f"study['runs']: the runs {first} and {second} give the same forecasts on every test image: one "
                       "model, or one loss and seed, counted twice? How many different runs does your study hold?")
    for name in losses[1:]:
        check_true(any(not np.allclose(forecasts[losses[0], seed], forecasts[name, seed], atol=1e-6)
                       for seed in seeds[name]),
                   f"study['runs']: '{losses[0]}' and '{name}' give the same forecasts on every seed. Are they two "
                   "different losses?")
    passed(f"ordinal study: a new data set, a held-out test set, {len(losses)} losses on the same "
           f"{len(seeds[losses[0]])} seeds, test RPS recomputed from your models")


__all__ = ["check_rps", "rps_holds", "check_weighting_prediction", "check_weighting_experiment", "weighting_outcome",
           "check_best_count", "best_count_holds", "check_rps_from_samples", "sample_rps_holds", "check_corn_per_example",
           "corn_holds", "check_ordinal_study", "band_mae", "CHANGES", "WEIGHTING_KEYS"]
