"""The hidden part of exercise 02's checks: more cases, and the predictions graded on the experiments."""
from functools import lru_cache

import numpy as np

from wloss.checks import check_recorded_prediction, fail_disagreeing, passed
from wloss.checks.ex02 import (BREAK_CHOICES, BREAK_KEYS, PROBABILITY_CHOICES, PROBABILITY_KEYS, break_range,
                               cost_holds, losses_hold, probability_range, run_probability_experiment,
                               threshold_holds)

_rng = np.random.default_rng(20)
#: float32 logits where float32's naive loss already breaks, pos_weight 1 with float labels, a weight below 1.
HIDDEN_LOSS_CASES = [
    ("float32 logits 16 to 20, labels 0", np.arange(16, 21, dtype=np.float32), np.zeros(5), 3.0),
    ("pos_weight 1, labels as floats", _rng.normal(scale=2, size=10), _rng.integers(0, 2, size=10) * 1.0, 1.0),
    ("pos_weight 0.25", _rng.normal(scale=2, size=10), _rng.integers(0, 2, size=10), 0.25),
    ("logits of -50 to -40, labels 1, pos_weight 7", np.arange(-50.0, -39.0), np.ones(11), 7.0),
]
HIDDEN_WEIGHTS = (1.0, 1000.0, 0.01, 7.5)


def check_weighted_bce_from_logits(weighted_bce_from_logits):
    losses_hold(weighted_bce_from_logits, HIDDEN_LOSS_CASES)
    passed("weighted_bce_from_logits: hidden cases too")


def _odds_decisions(q, w):
    """The weighted minimiser's log-odds are the calibrated log-odds plus log w+: positive where that is >= 0."""
    return np.log(q / (1 - q)) + np.log(w) >= 0


def check_equivalent_threshold(equivalent_threshold):
    threshold_holds(equivalent_threshold, HIDDEN_WEIGHTS, _odds_decisions)
    passed("equivalent_threshold: hidden cases too")


def break_outcome() -> dict:
    """Where the naive float64 losses first become infinite, as ranges of BREAK_CHOICES (the same on every CPU:
    1 + e^-z rounds to 1 from z = 37 on, e^|z| overflows from |z| = 710 on)."""
    with np.errstate(all="ignore"):
        negative = next(z for z in range(2000) if np.isinf(-np.log(1.0 - 1.0 / (1.0 + np.exp(-float(z))))))
        positive = next(z for z in range(2000) if np.isinf(-np.log(1.0 / (1.0 + np.exp(float(z))))))
    return dict(zip(BREAK_KEYS, (break_range(negative), break_range(positive))))


_BREAK_QUESTIONS = {
    "negative example, z > 0": "as z grows, which quantity of the naive loss first becomes exactly 0 or 1 in "
                               "float64, and how small must e^(-z) be for that?",
    "positive example, z < 0": "as z falls, does 1 + e^(-z) round to 1, or does something else give way first - "
                               "and at which size of e^|z|?",
}


def check_break_prediction(break_prediction, break_reason):
    """Grade the recorded ranges against the experiment (deterministic: IEEE float64)."""
    check_recorded_prediction("break_prediction", break_prediction, BREAK_KEYS, BREAK_CHOICES,
                              "break_reason", break_reason, "in one sentence, why?", announce=False)
    fail_disagreeing("break_prediction", break_prediction, break_outcome(), _BREAK_QUESTIONS, "the experiment",
                     "compare the logit it printed for each with your range")
    passed("break_prediction: both breaking points fall in the ranges you predicted (hidden part)")


@lru_cache(maxsize=None)
def probability_outcome(seed: int) -> dict:
    """The range each model's mean predicted probability falls in, on data drawn with ``seed`` (0 is the notebook's)."""
    return {key: probability_range(value) for key, value in run_probability_experiment(seed).items()}


_PROBABILITY_QUESTIONS = {
    "without weights": "at the minimum of plain BCE, with an intercept, what must the predicted probabilities add "
                       "up to over the training set?",
    "with w+ = n-/n+": "the weight multiplies every example's odds by w+; what does that do to the many negatives "
                       "far from the boundary, and to the mean?",
}


def check_probability_prediction(probability_prediction, probability_reason):
    """Grade the recorded ranges against the experiment, as the notebook ran it and on a fresh sample."""
    check_recorded_prediction("probability_prediction", probability_prediction, PROBABILITY_KEYS,
                              PROBABILITY_CHOICES, "probability_reason", probability_reason, "in one sentence, why?",
                              announce=False)
    for seed, draw in ((0, "the sample you ran"), (3, "a fresh sample")):
        fail_disagreeing("probability_prediction", probability_prediction, probability_outcome(seed),
                         _PROBABILITY_QUESTIONS, f"the experiment ({draw})",
                         "compare the mean probability it printed for each with your range")
    passed("probability_prediction: both means fall in the ranges you predicted (two samples; hidden part)")


def check_open_decide(decide, open_reason):
    """Two more fresh samples: a rule tuned to the visible sample's noise does not carry over."""
    for seed in (202, 203):
        cost_holds(decide, seed=seed, where="another fresh sample")
    passed("decide: hidden cases too (two more fresh samples)")
