"""Checks for exercise 10 (ordinal labels): a colleague's RPS, a prediction about class weights, the point
forecast expected-L1 prefers, the RPS of cumulative forecasts, a colleague's CORN loss, and an ordinal data set
of your own.

No check prints the answer to its task: failures name the property and the case that exposes it. A task that
asks for what ``wloss`` also provides (the RPS, CORN's loss) runs the student's code with the library's versions
blocked, and compares it with a reference written out here loop by loop.
"""

import numpy as np
import torch

from wloss.checks import check_array, check_scalar, check_true, fail, library_blocked, passed, task

#: The library's own versions of task 1's answer, blocked while the student's rps runs.
RPS_FUNCTIONS = ("wloss.losses.rps_loss", "wloss.losses.ordinal.rps_loss", "wloss.reference.rps_loss")
#: The library's CORN loss and probabilities (CORN's loss is minus the log of the probability of the label),
#: blocked while the student's corn_per_example runs.
CORN_FUNCTIONS = ("wloss.losses.corn_loss", "wloss.losses.corn.corn_loss", "wloss.reference.corn_loss",
                  "wloss.losses.corn_probabilities", "wloss.losses.corn.corn_probabilities",
                  "wloss.reference.corn_probabilities")

#: The answers a prediction about a change in MAE can take.
CHANGES = ("lower", "higher", "about the same")


def _forecast_cases(hidden):
    """(case, probs (N, K), labels (N,)): random forecasts, perfect ones, labels at both ends, K = 2."""
    generator = np.random.default_rng(10 if not hidden else 11)
    cases = [
        ("random forecasts, K = 6", generator.dirichlet(np.ones(6), size=5), np.array([0, 5, 2, 3, 1])),
        ("perfect one-hot forecasts", np.eye(4)[[0, 3, 2]], np.array([0, 3, 2])),
        ("uniform forecasts, labels at both ends", np.full((2, 5), 0.2), np.array([0, 4])),
    ]
    if hidden:
        cases += [("two classes", np.array([[0.7, 0.3], [0.1, 0.9]]), np.array([1, 0])),
                  ("K = 16, all labels", generator.dirichlet(np.full(16, 0.3), size=16), np.arange(16))]
    return cases


def _reference_rps(probs, labels):
    """The RPS from its definition, loop by loop: sum over classes i of (P(y <= i) - 1[label <= i])^2."""
    probs = np.asarray(probs, dtype=float)
    scores = np.zeros(len(labels))
    for row, label in enumerate(np.asarray(labels)):
        forecast_cdf = 0.0
        for i in range(probs.shape[1]):
            forecast_cdf += probs[row, i]
            scores[row] += (forecast_cdf - (1.0 if i >= label else 0.0)) ** 2
    return scores


def check_rps(rps, hidden=False):
    for case, probs, labels in _forecast_cases(hidden):
        with task("rps"), library_blocked("rps", *RPS_FUNCTIONS):
            got = rps(probs.copy(), labels.copy())
        got = check_array(f"rps ({case})", got, shape=labels.shape)
        expected = _reference_rps(probs, labels)
        if not np.allclose(got, expected, rtol=1e-6, atol=1e-9):
            row = int(np.argmax(np.abs(got - expected)))
            k = probs.shape[1]
            factor = "" if not np.allclose(got * (k - 1), expected, rtol=1e-6) else (
                " Your values are the RPS divided by K - 1; this course uses the unnormalised sum.")
            fail(f"rps ({case}): forecast {row} (label {labels[row]}) scores {got[row]:.4f}, which is not its RPS."
                 f"{factor} Write out, for this forecast, the forecast's cumulative probability and the truth's "
                 "step at every class, and compare them with your code's.")
    passed("rps: equals the ranked probability score on every case")


def band_mae(probs, labels, low, high):
    """MAE of the argmax over the examples with low <= label <= high."""
    probs, labels = np.asarray(probs), np.asarray(labels)
    inside = (labels >= low) & (labels <= high)
    return float(np.mean(np.abs(probs[inside].argmax(1) - labels[inside])))


def _change(before, after, tolerance=0.05):
    if abs(after - before) <= tolerance:
        return "about the same"
    return "lower" if after < before else "higher"


def check_weighting_prediction(prediction_rare, prediction_frequent, unweighted_probs, weighted_probs, labels,
                               hidden=False):
    """Compare predicted changes of the MAE (rare counts >= 6, frequent counts <= 2) with the experiment."""
    for name, value in (("prediction_rare", prediction_rare), ("prediction_frequent", prediction_frequent)):
        check_true(value in CHANGES, f"{name}: expected one of {list(CHANGES)}, got {value!r} - "
                                     "write your prediction before running the experiment")
    top = int(np.max(labels))
    if hidden:
        check_true(not np.allclose(unweighted_probs, weighted_probs),
                   "the weighted and unweighted forecasts are identical: did the experiment really use the weights?")
    for name, value, band, low, high in [("prediction_rare", prediction_rare, "rare counts 6 and more", 6, top),
                                         ("prediction_frequent", prediction_frequent, "frequent counts 0 to 2", 0, 2)]:
        shown = _change(band_mae(unweighted_probs, labels, low, high), band_mae(weighted_probs, labels, low, high))
        check_true(value == shown,
                   f"{name}: the experiment does not confirm your prediction that the MAE on the {band} comes out "
                   f"'{value}' with class weights. Class weights change how much each class's errors count "
                   "in the loss: which classes gain weight, and which lose it? Correct the prediction and note what "
                   "you had missed.")
    passed("weighting predictions: both match the experiment")


def _expected_l1_of_point_mass(k, p):
    return float(np.sum(p * np.abs(k - np.arange(p.size))))


def check_l1_optimal_class(l1_optimal_class, hidden=False):
    cases = [
        ("p = (0.3, 0.25, 0.05, 0.4)", np.array([0.3, 0.25, 0.05, 0.4])),
        ("p = (0.55, 0, 0, 0.45)", np.array([0.55, 0.0, 0.0, 0.45])),
        ("p = (0.6, 0.3, 0.1)", np.array([0.6, 0.3, 0.1])),
        ("a long tail over 10 classes", np.exp(-0.5 * np.arange(10)) / np.exp(-0.5 * np.arange(10)).sum()),
    ]
    if hidden:
        cases += [("p = (0.1, 0.2, 0.15, 0.15, 0.4)", np.array([0.1, 0.2, 0.15, 0.15, 0.4])),
                  ("p = (0.05, 0.05, 0.9)", np.array([0.05, 0.05, 0.9])),
                  ("p = (0.45, 0.1, 0.45) shifted mass", np.array([0.45, 0.1, 0.0, 0.0, 0.45]))]
    for case, p in cases:
        with task("l1_optimal_class"):
            got = check_scalar(f"l1_optimal_class ({case})", l1_optimal_class(p.copy()))
        check_true(got == int(got) and 0 <= got < p.size,
                   f"l1_optimal_class ({case}): expected a class index in 0..{p.size - 1}, got {got}")
        scores = np.array([_expected_l1_of_point_mass(k, p) for k in range(p.size)])
        check_true(np.isclose(scores[int(got)], scores.min()),
                   f"l1_optimal_class ({case}): a point mass on class {int(got)} has expected L1 loss "
                   f"{scores[int(got)]:.4f}, and another class does better. Write E|k - y| for two neighbouring k: "
                   "what decides whether moving one class up lowers it?")
    passed("l1_optimal_class: a point mass on your class has the smallest expected L1 loss in every case")


def _cumulative_cases(hidden):
    generator = np.random.default_rng(12 if not hidden else 13)
    probs = generator.dirichlet(np.ones(5), size=6)
    above = 1 - np.cumsum(probs, axis=1)[:, :-1]  # P(y > k), k = 0..K-2
    cases = [("random forecasts, K = 5", np.clip(above, 0, 1), np.array([0, 4, 2, 1, 3, 2])),
             ("sure forecasts", np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]), np.array([2, 0])),
             ("two classes", np.array([[0.3], [0.8]]), np.array([0, 1]))]
    if hidden:
        many = generator.dirichlet(np.ones(12), size=4)
        cases.append(("K = 12", np.clip(1 - np.cumsum(many, axis=1)[:, :-1], 0, 1), np.array([0, 11, 5, 6])))
    return cases


def check_rps_from_cumulative(rps_from_cumulative, hidden=False):
    for case, above, labels in _cumulative_cases(hidden):
        with task("rps_from_cumulative"):
            got = rps_from_cumulative(above.copy(), labels.copy())
        got = check_array(f"rps_from_cumulative ({case})", got, shape=labels.shape)
        n = above.shape[0]
        probs = np.concatenate([np.ones((n, 1)), above], axis=1) - np.concatenate([above, np.zeros((n, 1))], axis=1)
        expected = _reference_rps(np.clip(probs, 0, 1), labels)
        if not np.allclose(got, expected, rtol=1e-6, atol=1e-9):
            row = int(np.argmax(np.abs(got - expected)))
            fail(f"rps_from_cumulative ({case}): forecast {row} (label {labels[row]}) scores {got[row]:.4f}, which is "
                 "not the RPS of the forecast with these cumulative probabilities. Note that the columns hold "
                 "P(y > k), not P(y <= k).")
    passed("rps_from_cumulative: equals the RPS of the forecast whose P(y > k) you were given")


# ----------------------------------------------------------------------------- a colleague's CORN loss

def _log_sigmoid(z):
    return -float(np.logaddexp(0.0, -z))


def _reference_corn(logits, labels):
    """CORN's loss per example as minus the log of the probability the head gives the label, walked question by
    question: the head is asked "y > 0?", then, if yes, "y > 1?", ..., and the label is where it first says no
    (K - 1 if it never does); the chance of that path is the product of the answers' probabilities."""
    logits = np.asarray(logits, dtype=float)
    losses = np.zeros(len(labels))
    for row, label in enumerate(np.asarray(labels)):
        log_path = 0.0
        for k in range(logits.shape[1]):
            z = logits[row, k]
            if label > k:  # the head says "yes, above k" and goes on to the next question
                log_path += _log_sigmoid(z)
            else:  # it says "no": the path stops at the label
                log_path += _log_sigmoid(-z)
                break
        losses[row] = -log_path
    return losses


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


def _corn_value_cases(hidden):
    """(case, logits (N, K-1), labels (N,)), the smallest first: single examples, then batches."""
    generator = np.random.default_rng(20 if not hidden else 21)
    cases = []
    if not hidden:
        for label, logits in [(0, (0.0, 0.0)), (1, (0.0, 0.0)), (2, (0.0, 0.0)), (1, (1.5, -2.0)), (2, (-1.0, 0.5))]:
            cases.append((_one_example(3, label, logits), np.array([logits]), np.array([label])))
        cases.append(("K = 5, every label, random logits", generator.normal(0, 2, size=(5, 4)), np.arange(5)))
        cases.append(("K = 6, a batch of 12", generator.normal(0, 2, size=(12, 5)), generator.integers(0, 6, 12)))
    else:
        cases.append(("K = 2, one task", generator.normal(0, 2, size=(4, 1)), np.array([0, 1, 1, 0])))
        cases.append(("K = 8, a batch of 20", generator.normal(0, 3, size=(20, 7)), generator.integers(0, 8, 20)))
        cases.append(("K = 4, all examples of the last class", generator.normal(0, 2, size=(3, 3)),
                      np.array([3, 3, 3])))
    return cases


def check_corn_per_example(corn_per_example, hidden=False):
    """CORN's loss per example, by its properties (each on the smallest input that shows it), then its values."""
    name = "corn_per_example"
    # 1. which logits an example's loss reads: the tasks it takes part in, k <= min(y, K - 2), and no other
    singles = ([(3, 0), (3, 1), (3, 2), (4, 0), (4, 1), (4, 2), (4, 3)] if not hidden
               else [(2, 0), (2, 1), (6, 2), (6, 5)])  # (K, label)
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
    # 2. the direction: raising z_k makes "yes, y > k" more likely, so it lowers the loss of an example with y > k
    #    and raises that of an example with y = k
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
    # 4. the values, against CORN's loss written out question by question
    for case, logits, labels in _corn_value_cases(hidden):
        got = _corn_call(corn_per_example, case, logits.copy(), labels.copy())
        expected = _reference_corn(logits, labels)
        if not np.allclose(got, expected, rtol=1e-5, atol=1e-6):  # float32 arithmetic passes too
            row = int(np.argmax(np.abs(got - expected)))
            label, taking_part = int(labels[row]), min(int(labels[row]) + 1, logits.shape[1])
            fail(f"{name} ({case}): the example with label {label} (row {row}) scores {got[row]:.4f}, which is not its "
                 f"CORN loss; it takes part in {taking_part} task{'s' if taking_part > 1 else ''}. What does each of "
                 "them add to its loss?")
    if hidden:
        # 5. an example's loss does not depend on the batch it is in
        logits, labels = _corn_value_cases(True)[1][1:]
        together = _corn_call(corn_per_example, "K = 8, a batch of 20", logits, labels)
        for row in (0, 7):
            alone = _corn_call(corn_per_example, "K = 8, one example of the batch", logits[row:row + 1],
                               labels[row:row + 1])
            check_true(np.isclose(alone[0], together[row], rtol=1e-5, atol=1e-6),
                       f"{name} (K = 8): example {row} scores differently alone and in its batch of 20. "
                       "What in your code depends on the other examples?")
    passed("corn_per_example: reads the logits of the tasks each example takes part in and no other, in the right "
           "direction, and equals CORN's loss on every case")


# ----------------------------------------------------------------------------- the open task

LECTURE_DATA = {"num_classes": 16, "image_size": 16, "skew": 4.0}
GENERATOR_DEFAULTS = {"num_classes": 30, "image_size": 28, "skew": 4.0}  # make_counting_images' defaults


def _rps(probs, labels):
    return np.sum((np.cumsum(probs, axis=1) - (np.arange(probs.shape[1]) >= labels[:, None])) ** 2, axis=1)


def check_ordinal_study(study, hidden=False):
    """Verify an ordinal study: a new data set, a held-out test set, two losses on paired seeds, test RPS.

    ``study`` is a dict with "data" (keyword arguments of ``make_counting_images`` other than n and seed),
    "n_train", "n_test", "train_seed", "test_seed" and "runs": a list of dicts with "loss", "seed",
    "model" (softmax logits (N, K) from images (N, 1, S, S)) and "test_rps" (mean RPS on the test set).
    """
    from wloss.data import make_counting_images
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
               "study: the training and test images come from the same seed, so the test set is the training set; "
               "draw the test set with another seed")
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
    for run in runs:
        with task(f"study: model of ({run['loss']}, seed {run['seed']})"):
            probs = np.asarray(predict_proba(run["model"], X_test))
        check_true(probs.shape == (len(y_test), int(chosen["num_classes"])),
                   f"study: the model of ({run['loss']}, seed {run['seed']}) must give one probability per class")
        recomputed = float(_rps(probs, y_test).mean())
        reported = check_scalar(f"study: test_rps of ({run['loss']}, seed {run['seed']})", run["test_rps"])
        check_true(np.isclose(reported, recomputed, rtol=1e-5, atol=1e-7),
                   f"study: the reported test RPS of ({run['loss']}, seed {run['seed']}) is not the model's mean RPS "
                   "on the test images of study['test_seed'] - computed on other data, or normalised differently?")
    if hidden:
        check_true(len({id(r["model"]) for r in runs}) == len(runs),
                   "study['runs']: the same model object appears twice; train a fresh model per (loss, seed)")
    passed(f"ordinal study: a new data set, a held-out test set, {len(losses)} losses on the same "
           f"{len(seeds[losses[0]])} seeds, test RPS recomputed from your models")


__all__ = ["check_rps", "check_weighting_prediction", "check_l1_optimal_class", "check_rps_from_cumulative",
           "check_corn_per_example", "check_ordinal_study", "band_mae", "CHANGES"]
