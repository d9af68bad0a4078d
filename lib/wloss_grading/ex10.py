"""The hidden part of exercise 10's checks: RPS values against a reference written out loop by loop, the prediction
of task 2 graded against the experiment, more count distributions and costs, ensembles' samples scored against
the RPS of their histogram, CORN's values against its question-by-question definition, the open study reordered."""
import contextlib
import io

import numpy as np

from wloss.checks import check_true, fail, fail_disagreeing, passed
from wloss.checks.ex10 import (_corn_call, _student_rps, _student_sample_rps, best_count_holds, corn_holds,
                               rps_holds, sample_rps_holds, weighting_outcome)
from wloss.checks.ex10 import check_ordinal_study as visible_ordinal_study
from wloss.checks.ex10 import check_weighting_experiment as visible_weighting_experiment


def quietly():
    """Run a visible check without its printed line (the hidden part prints its own)."""
    return contextlib.redirect_stdout(io.StringIO())


# ------------------------------------------------------------------------------------------- task 1
def reference_rps(probs, labels):
    """The RPS from its definition, loop by loop: sum over classes i of (P(y <= i) - 1[label <= i])^2."""
    probs = np.asarray(probs, dtype=float)
    scores = np.zeros(len(labels))
    for row, label in enumerate(np.asarray(labels)):
        forecast_cdf = 0.0
        for i in range(probs.shape[1]):
            forecast_cdf += probs[row, i]
            scores[row] += (forecast_cdf - (1.0 if i >= label else 0.0)) ** 2
    return scores


def hidden_forecast_cases():
    generator = np.random.default_rng(11)
    return [("two classes", np.array([[0.7, 0.3], [0.1, 0.9]]), np.array([1, 0])),
            ("K = 16, all labels", generator.dirichlet(np.full(16, 0.3), size=16), np.arange(16)),
            ("random forecasts, K = 6", generator.dirichlet(np.ones(6), size=5), np.array([0, 5, 2, 3, 1]))]


def check_rps(rps):
    cases = hidden_forecast_cases()
    rps_holds(rps, cases)
    for case, probs, labels in cases:
        got = _student_rps(rps, case, probs, labels)
        wanted = reference_rps(probs, labels)
        if not np.allclose(got, wanted, rtol=1e-6, atol=1e-9):
            row = int(np.argmax(np.abs(got - wanted)))
            fail(f"rps ({case}): forecast {row} (label {labels[row]}) does not get its RPS. Write out its cumulative "
                 "probability and the truth's step at every class: which terms differ from your code's?")
    passed("rps: hidden cases too")


# ------------------------------------------------------------------------------------------- task 2
WEIGHTING_QUESTIONS = {
    "rare counts 6-15": "class weights change how much each class's errors count in the loss: how large are the "
                        "weights of the counts 6 and more, and what does that do to the decisions near them?",
    "frequent counts 0-2": "how large are the weights of the counts 0 to 2, and how many of their errors could the "
                           "weighted model trade away?",
}


def check_weighting_experiment(weighting_prediction, weighting_reason, unweighted_probs, weighted_probs, labels):
    with quietly():
        visible_weighting_experiment(weighting_prediction, weighting_reason, unweighted_probs, weighted_probs, labels)
    fail_disagreeing("weighting_prediction", weighting_prediction,
                     weighting_outcome(unweighted_probs, weighted_probs, labels), WEIGHTING_QUESTIONS,
                     "the experiment", "compare the two MAEs it printed for each band")
    passed("weighting_prediction: both answers agree with the experiment (graded part)")


# ------------------------------------------------------------------------------------------- task 3
def hidden_count_cases():
    return [("p = (0.1, 0.2, 0.15, 0.15, 0.4), a shortfall 9 times an excess", np.array([0.1, 0.2, 0.15, 0.15, 0.4]),
             9.0, 1.0),
            ("p = (0.05, 0.05, 0.9), an excess 30 times a shortfall", np.array([0.05, 0.05, 0.9]), 1.0, 30.0),
            ("p = (0.45, 0.1, 0, 0, 0.45), costs 2 and 3", np.array([0.45, 0.1, 0.0, 0.0, 0.45]), 2.0, 3.0),
            ("p with empty classes first, costs 5 and 1", np.array([0.0, 0.0, 0.3, 0.3, 0.4]), 5.0, 1.0)]


def check_best_count(best_count):
    best_count_holds(best_count, hidden_count_cases())
    passed("best_count: hidden cases too")


# ------------------------------------------------------------------------------------------- task 4
def reference_sample_rps(samples, labels, num_classes):
    """The RPS of each row's histogram of samples, loop by loop."""
    samples = np.asarray(samples)
    probs = np.array([np.bincount(row, minlength=num_classes) / len(row) for row in samples])
    return reference_rps(probs, labels)


def hidden_sample_cases():
    generator = np.random.default_rng(13)
    return [("4 images, 9 samples each, K = 12, labels at both ends", generator.integers(0, 12, size=(4, 9)),
             np.array([0, 11, 5, 6]), 12),
            ("6 images, 2 samples each, K = 3", generator.integers(0, 3, size=(6, 2)), np.array([0, 1, 2, 2, 1, 0]), 3),
            ("samples that never reach the top classes, K = 10", generator.integers(0, 3, size=(3, 5)),
             np.array([9, 0, 2]), 10)]


def check_rps_from_samples(rps_from_samples):
    cases = hidden_sample_cases()
    sample_rps_holds(rps_from_samples, cases)
    for case, samples, labels, k in cases:
        got = _student_sample_rps(rps_from_samples, case, samples, labels, k)
        check_true(np.allclose(got, reference_sample_rps(samples, labels, k), rtol=1e-6, atol=1e-9),
                   f"rps_from_samples ({case}): some scores are not the RPS of the samples' forecast. Which "
                   "cumulative probability do the samples give at each class?")
    passed("rps_from_samples: hidden cases too")


# ------------------------------------------------------------------------------------------- task 5
def _log_sigmoid(z):
    return -float(np.logaddexp(0.0, -z))


def reference_corn(logits, labels):
    """CORN's loss per example as minus the log of the probability the head gives the label, walked question by
    question: the head is asked "y > 0?", then, if yes, "y > 1?", ..., and the label is where it first says no
    (K - 1 if it never does); the chance of that path is the product of the answers' probabilities."""
    logits = np.asarray(logits, dtype=float)
    losses = np.zeros(len(labels))
    for row, label in enumerate(np.asarray(labels)):
        log_path = 0.0
        for k in range(logits.shape[1]):
            z = logits[row, k]
            if label > k:
                log_path += _log_sigmoid(z)
            else:
                log_path += _log_sigmoid(-z)
                break
        losses[row] = -log_path
    return losses


def corn_value_cases():
    """(case, logits (N, K-1), labels (N,)), the smallest first: single examples, then batches."""
    generator = np.random.default_rng(21)
    cases = [(f"K = 3, one example with label {label}, logits ({logits[0]:g}, {logits[1]:g})", np.array([logits]),
              np.array([label])) for label, logits in [(0, (0.0, 0.0)), (1, (0.0, 0.0)), (2, (0.0, 0.0)),
                                                        (1, (1.5, -2.0)), (2, (-1.0, 0.5))]]
    cases += [("K = 2, one task", generator.normal(0, 2, size=(4, 1)), np.array([0, 1, 1, 0])),
              ("K = 8, a batch of 20", generator.normal(0, 3, size=(20, 7)), generator.integers(0, 8, 20)),
              ("K = 4, all examples of the last class", generator.normal(0, 2, size=(3, 3)), np.array([3, 3, 3]))]
    return cases


def check_corn_per_example(corn_per_example):
    corn_holds(corn_per_example, [(2, 0), (2, 1), (6, 2), (6, 5)])
    for case, logits, labels in corn_value_cases():
        got = _corn_call(corn_per_example, case, logits.copy(), labels.copy())
        expected = reference_corn(logits, labels)
        if not np.allclose(got, expected, rtol=1e-5, atol=1e-6):  # float32 arithmetic passes too
            row = int(np.argmax(np.abs(got - expected)))
            label, taking_part = int(labels[row]), min(int(labels[row]) + 1, logits.shape[1])
            fail(f"corn_per_example ({case}): the example with label {label} (row {row}) scores {got[row]:.4f}, which "
                 f"is not its CORN loss; it takes part in {taking_part} task{'s' if taking_part > 1 else ''}. What does "
                 "each of them add to its loss?")
    _, logits, labels = corn_value_cases()[6]
    together = _corn_call(corn_per_example, "K = 8, a batch of 20", logits, labels)
    for row in (0, 7):
        alone = _corn_call(corn_per_example, "K = 8, one example of the batch", logits[row:row + 1], labels[row:row + 1])
        check_true(np.isclose(alone[0], together[row], rtol=1e-5, atol=1e-6),
                   f"corn_per_example (K = 8): example {row} scores differently alone and in its batch of 20. "
                   "What in your code depends on the other examples?")
    passed("corn_per_example: hidden cases too")


# ------------------------------------------------------------------------------------------- task 7
def check_ordinal_study(study):
    """The open study with its runs in reverse order."""
    with quietly():
        visible_ordinal_study(dict(study, runs=list(study["runs"])[::-1]))
    passed("ordinal study: hidden checks too")
