"""Checks for exercise 02 (weighted binary cross-entropy).

Each check names the property that fails, the case that shows it and a hint; it never prints the
values the task asks for. ``hidden=True`` runs the extra cases of the instructor's hidden tests.
"""
from functools import lru_cache

import numpy as np

from wloss.checks import check_array, check_scalar, check_true, fail, hidden_suffix, passed, task

#: The predict task on probabilities: the mean predicted probability falls in one of these ranges.
PROBABILITY_CHOICES = {"A": (0.0, 0.1), "B": (0.1, 0.4), "C": (0.4, 0.6)}
#: The predict task's experiment: data and training.
EXPERIMENT = dict(n=4000, minority_fraction=0.05, separation=2.0, epochs=300, lr=0.05)


def _reference(z, y, w):
    """Weighted BCE in float64 from logits: w y softplus(-z) + (1 - y) softplus(z)."""
    z, y = np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return w * y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z)


def _loss_cases(hidden):
    rng = np.random.default_rng(2)
    cases = [
        ("random logits, pos_weight 5", rng.normal(scale=3, size=20), rng.integers(0, 2, size=20), 5.0),
        ("confident logits of +-30, pos_weight 19", np.array([30.0, -30.0, 30.0, -30.0]), np.array([1, 1, 0, 0]), 19.0),
        ("extreme logits of +-1000, pos_weight 2", np.array([1000.0, -1000.0, 1000.0, -1000.0]),
         np.array([1, 1, 0, 0]), 2.0),
    ]
    if hidden:
        cases += [
            ("float32 logits 16 to 20, labels 0", np.arange(16, 21, dtype=np.float32), np.zeros(5), 3.0),
            ("pos_weight 1, labels as floats", rng.normal(scale=2, size=10), rng.integers(0, 2, size=10) * 1.0, 1.0),
            ("pos_weight 0.25", rng.normal(scale=2, size=10), rng.integers(0, 2, size=10), 0.25),
        ]
    return cases


def check_weighted_bce_from_logits(weighted_bce_from_logits, hidden=False):
    """Per-example weighted BCE from logits: right weight on the right term, finite for any logit."""
    for case, z, y, w in _loss_cases(hidden):
        with np.errstate(all="ignore"), task("weighted_bce_from_logits"):
            got = weighted_bce_from_logits(z.copy(), y.copy(), w)
        got = check_array(f"weighted_bce_from_logits ({case})", got)
        check_true(got.shape == z.shape,
                   f"weighted_bce_from_logits ({case}): returned shape {got.shape} for {z.shape[0]} logits; "
                   "return one loss per example")
        expected = _reference(z, y, w)
        if np.allclose(got, expected, rtol=1e-5, atol=1e-6):
            continue
        bad = ~np.isfinite(got)
        if bad.any():
            fail(f"weighted_bce_from_logits ({case}): inf or nan at logits {z[bad]}. Taking the log of a sigmoid "
                 "breaks when the sigmoid rounds to 0 or 1; compute log sigma(z) and log(1 - sigma(z)) without "
                 "forming sigma(z)")
        # the mistakes below are recognised up to float32 rounding (rtol 1e-2)
        if w != 1 and np.allclose(got, np.where(y == 1, 1.0, w) * _reference(z, y, 1.0), rtol=1e-2, atol=1e-4):
            fail(f"weighted_bce_from_logits ({case}): pos_weight multiplies the loss of the NEGATIVE examples; "
                 "it belongs to the positives' term")
        if w != 1 and np.allclose(got, _reference(z, y, 1.0), rtol=1e-2, atol=1e-4):
            fail(f"weighted_bce_from_logits ({case}): the loss does not change with pos_weight")
        confidently_wrong = (np.abs(z) >= 30) & ((z > 0) != (np.asarray(y) == 1))
        if confidently_wrong.any() and np.all(got[confidently_wrong] < expected[confidently_wrong] * 0.9):
            fail(f"weighted_bce_from_logits ({case}): the loss of a confidently wrong example is capped (clipped "
                 "probabilities?). It must keep growing with |z|, or its gradient vanishes")
        fail(f"weighted_bce_from_logits ({case}): does not equal -[w+ y log sigma(z) + (1 - y) log(1 - sigma(z))] "
             "for every example")
    passed("weighted_bce_from_logits: weighted BCE, finite for every logit" + hidden_suffix(hidden))


def float64_break() -> int:
    """The first integer z >= 0 at which -log(1 - sigmoid(z)) computed naively in float64 is infinite."""
    with np.errstate(divide="ignore"):
        return next(z for z in range(0, 2000) if np.isinf(-np.log(1.0 - 1.0 / (1.0 + np.exp(-float(z))))))


def check_float64_prediction(predicted_float64_break, measured_break, hidden=False):
    """The predicted logit is within 2 of where naive float64 BCE of a negative breaks."""
    got = check_scalar("predicted_float64_break", predicted_float64_break)
    measured = check_scalar("measured_break", measured_break)
    if hidden:
        check_true(measured == float64_break(),
                   "measured_break: not what the experiment cell computes - keep the experiment as given")
    if abs(got - measured) <= 2:
        passed("predicted_float64_break: within 2 of the experiment" + hidden_suffix(hidden))
        return
    if abs(got - 17) <= 1:
        fail("predicted_float64_break: that is where float32 breaks. float64 keeps many more digits, so "
             "1 + e^(-z) stays above 1 for longer")
    if abs(got - 89) <= 1 or abs(got - 104) <= 1:
        fail("predicted_float64_break: that is a float32 overflow or underflow point, not float64's")
    if 700 <= got <= 750:
        fail("predicted_float64_break: that is where e^z overflows in float64. The loss of a negative breaks much "
             "earlier, when 1 + e^(-z) rounds to exactly 1")
    fail("predicted_float64_break: more than 2 away from the experiment. The lecture derives float32's point from "
         "the gap between 1 and the next float; apply the same reasoning with np.finfo(np.float64).eps")


def check_equivalent_threshold(equivalent_threshold, hidden=False):
    """Thresholding calibrated probabilities at t gives the weighted model's 0.5 decisions."""
    weights = [19.0, 3.0, 0.5] + ([1.0, 1000.0, 0.01] if hidden else [])
    q = np.linspace(1e-4, 1 - 1e-4, 20001)              # calibrated probabilities
    for w in weights:
        case = f"pos_weight = {w:g}"
        with task("equivalent_threshold"):
            t = check_scalar(f"equivalent_threshold ({case})", equivalent_threshold(w))
        check_true(0 < t < 1, f"equivalent_threshold ({case}): {t:g} is not a probability threshold in (0, 1)")
        weighted = np.log(q / (1 - q)) + np.log(w) >= 0     # the weighted minimiser's log-odds are shifted by log w+
        yours = q >= t
        disagree = weighted != yours
        # rounding at the grid point next to the true threshold is not a mistake
        if disagree.sum() <= 1:
            continue
        if (weighted & ~yours).any():
            fail(f"equivalent_threshold ({case}): your threshold predicts positive too rarely - the weighted model "
                 "also flags examples whose calibrated probability is below it. Hint: weighting the positives by "
                 "w+ multiplies the odds p / (1 - p) by w+")
        fail(f"equivalent_threshold ({case}): your threshold predicts positive too often - some examples above it "
             "are negative for the weighted model. Hint: weighting the positives by w+ multiplies the odds "
             "p / (1 - p) by w+")
    passed("equivalent_threshold: the same decisions as the weighted model, for every weight" + hidden_suffix(hidden))


@lru_cache(maxsize=None)
def experiment_mean_probability(seed: int) -> float:
    """Mean predicted probability of the predict task's model, trained with w+ = n-/n+ on data drawn with seed."""
    from wloss.data import make_imbalanced_blobs
    from wloss.losses import weighted_bce_with_logits
    from wloss.training import mlp, predict_proba, train

    e = EXPERIMENT
    X, y = make_imbalanced_blobs(n=e["n"], minority_fraction=e["minority_fraction"], seed=seed,
                                 separation=e["separation"])
    w = float((y == 0).sum() / (y == 1).sum())
    model = mlp(2, (), 1, seed=0)
    train(model, X, y, lambda z, t: weighted_bce_with_logits(z, t, pos_weight=w), epochs=e["epochs"], lr=e["lr"])
    return float(predict_proba(model, X).mean())


def _choice_of(value):
    for letter, (low, high) in PROBABILITY_CHOICES.items():
        if low <= value < high:
            return letter
    return None


def check_probability_prediction(predicted_mean_probability, measured_mean_probability, hidden=False):
    """The predicted range (a letter of PROBABILITY_CHOICES) contains the measured mean probability."""
    check_true(isinstance(predicted_mean_probability, str)
               and predicted_mean_probability.strip().upper() in PROBABILITY_CHOICES,
               f"predicted_mean_probability: write one of the letters {sorted(PROBABILITY_CHOICES)} as a string")
    letter = predicted_mean_probability.strip().upper()
    measured = check_scalar("measured_mean_probability", measured_mean_probability)
    values = [("the experiment above", measured)]
    if hidden:
        values += [("the experiment retrained by the check", experiment_mean_probability(0)),
                   ("the same experiment on a fresh sample", experiment_mean_probability(3))]
    for where, value in values:
        truth = _choice_of(value)
        check_true(truth is not None, f"measured_mean_probability: {value:.3f} lies outside every range; rerun the "
                                      "experiment as given")
        if truth != letter:
            direction = "higher" if PROBABILITY_CHOICES[truth][0] > PROBABILITY_CHOICES[letter][0] else "lower"
            fail(f"predicted_mean_probability: {where} disagrees with \"{letter}\" - the mean probability is "
                 f"{direction} than your range. Hint: the weighted model answers as if positives were w+ times "
                 "more frequent, but most examples are still negatives")
    passed("predicted_mean_probability: the experiment falls in the range you predicted" + hidden_suffix(hidden))
