"""Checks for exercise 02 (weighted binary cross-entropy).

Each check names the property that fails, the smallest case that shows it and a question; it never prints the
values the task asks for. The instructor's hidden cases, and the grading of the predictions against the
experiments, are not here: they are in ``wloss_grading.ex02``, which calls the same case runners
(``losses_hold``, ``threshold_holds``) on inputs the student never sees.
"""
from decimal import Decimal, localcontext

import numpy as np

from wloss.checks import check_array, check_recorded_prediction, check_scalar, check_true, fail, passed, task

#: Task 2: where the naive loss first becomes infinite, for each kind of example, as |z| grows.
BREAK_KEYS = ("negative example, z > 0", "positive example, z < 0")
BREAK_CHOICES = ("below 20", "20 to 100", "100 to 500", "above 500")
#: Task 4: the mean predicted probability of a logistic regression trained without and with w+ = n-/n+.
PROBABILITY_KEYS = ("without weights", "with w+ = n-/n+")
PROBABILITY_CHOICES = ("below 0.1", "0.1 to 0.4", "0.4 to 0.6")
#: Task 4's experiment: data and training.
EXPERIMENT = dict(n=4000, minority_fraction=0.05, separation=2.0, epochs=300, lr=0.05)


def weighted_bce_by_definition(z, y, w) -> np.ndarray:
    """-[w y log sigma(z) + (1 - y) log(1 - sigma(z))] per example, sigmoid then log, in decimals with enough digits
    that 1 - sigma(z) keeps its own (about |z| / 2.3 of them)."""
    out = []
    for zi, yi in zip(np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)):
        with localcontext() as context:
            context.prec = 60 + int(abs(zi) / 2.3)
            zi, yi, wi = Decimal(float(zi)), Decimal(float(yi)), Decimal(float(w))
            sigma = 1 / (1 + (-zi).exp())
            loss = Decimal(0)
            if yi != 0:
                loss -= wi * yi * sigma.ln()
            if yi != 1:
                loss -= (1 - yi) * (1 - sigma).ln()
            out.append(float(loss))
    return np.array(out)


def _visible_loss_cases():
    rng = np.random.default_rng(2)
    return [
        ("random logits, pos_weight 5", rng.normal(scale=3, size=20), rng.integers(0, 2, size=20), 5.0),
        ("confident logits of +-30, pos_weight 19", np.array([30.0, -30.0, 30.0, -30.0]), np.array([1, 1, 0, 0]),
         19.0),
        ("extreme logits of +-1000, pos_weight 2", np.array([1000.0, -1000.0, 1000.0, -1000.0]),
         np.array([1, 1, 0, 0]), 2.0),
    ]


VISIBLE_LOSS_CASES = _visible_loss_cases()


def losses_hold(weighted_bce_from_logits, cases):
    """Fail unless the per-example losses equal weighted BCE's definition on each (case, z, y, w) of ``cases``."""
    for case, z, y, w in cases:
        with np.errstate(all="ignore"), task("weighted_bce_from_logits"):
            got = weighted_bce_from_logits(z.copy(), y.copy(), w)
        got = check_array(f"weighted_bce_from_logits ({case})", got)
        check_true(got.shape == z.shape,
                   f"weighted_bce_from_logits ({case}): returned shape {got.shape} for {z.shape[0]} logits; "
                   "one loss per example?")
        expected = weighted_bce_by_definition(z, y, w)
        if np.allclose(got, expected, rtol=1e-5, atol=1e-6):
            continue
        bad = ~np.isfinite(got)
        if bad.any():
            fail(f"weighted_bce_from_logits ({case}): inf or nan at the logits {z[bad]}. Follow one of them through "
                 "your computation in the dtype it uses: at which step is the information lost?")
        unweighted = weighted_bce_by_definition(z, y, 1.0)
        y_is_one = np.asarray(y) == 1
        if w != 1 and np.allclose(got[~y_is_one], w * unweighted[~y_is_one], rtol=1e-2, atol=1e-4):
            fail(f"weighted_bce_from_logits ({case}): your losses of the examples with y = 0 grow with pos_weight. "
                 "Which examples does pos_weight weigh?")
        if w != 1 and np.allclose(got, unweighted, rtol=1e-2, atol=1e-4):
            fail(f"weighted_bce_from_logits ({case}): the loss does not change with pos_weight")
        confidently_wrong = (np.abs(z) >= 30) & ((z > 0) != y_is_one)
        if confidently_wrong.any() and np.all(got[confidently_wrong] < expected[confidently_wrong] * 0.9):
            fail(f"weighted_bce_from_logits ({case}): the loss of a confidently wrong example stops growing with "
                 "|z|. What would its gradient be then, and which step of your computation holds it back?")
        fail(f"weighted_bce_from_logits ({case}): does not equal -[w+ y log sigma(z) + (1 - y) log(1 - sigma(z))] "
             "for every example")


def check_weighted_bce_from_logits(weighted_bce_from_logits):
    """Per-example weighted BCE from logits: right weight on the right term, finite for any logit."""
    losses_hold(weighted_bce_from_logits, VISIBLE_LOSS_CASES)
    passed("weighted_bce_from_logits: weighted BCE, finite for every logit")


def check_break_prediction(break_prediction, break_reason):
    """Task 2, visible part: a range for each kind of example and a one-line reason, recorded and well formed (not
    whether they are right; the graded part compares them with the experiment)."""
    check_recorded_prediction("break_prediction", break_prediction, BREAK_KEYS, BREAK_CHOICES,
                              "break_reason", break_reason,
                              "in one sentence, which operation of the naive loss fails first for each kind?")


def break_range(z: float):
    """The choice of BREAK_CHOICES that |z| falls in."""
    z = abs(z)
    return "below 20" if z < 20 else "20 to 100" if z < 100 else "100 to 500" if z < 500 else "above 500"


def weighted_minimiser_is_positive(q, w, grid=4000) -> np.ndarray:
    """For each calibrated probability q: does the output p that minimises the expected weighted loss
    w q (-log p) + (1 - q)(-log(1 - p)), searched on a grid of p that avoids 0.5, lie above 0.5?"""
    p = (np.arange(grid) + 0.5) / grid                    # p = 0.000125 ... 0.999875, never 0.5
    q = np.asarray(q, dtype=float)[:, None]
    expected_loss = -(w * q * np.log(p) + (1 - q) * np.log(1 - p))
    return p[expected_loss.argmin(axis=1)] > 0.5


VISIBLE_WEIGHTS = (19.0, 3.0, 0.5)


def threshold_holds(equivalent_threshold, weights, weighted_decisions):
    """Fail unless thresholding calibrated q at ``equivalent_threshold(w)`` gives ``weighted_decisions(q, w)``."""
    q = np.linspace(1e-4, 1 - 1e-4, 2001)               # calibrated probabilities
    for w in weights:
        case = f"pos_weight = {w:g}"
        with task("equivalent_threshold"):
            t = check_scalar(f"equivalent_threshold ({case})", equivalent_threshold(w))
        check_true(0 < t < 1, f"equivalent_threshold ({case}): {t:g} is not a probability threshold in (0, 1)")
        weighted = weighted_decisions(q, w)
        yours = q >= t
        # rounding at the grid points next to the true threshold is not a mistake
        if (weighted != yours).sum() <= 2:
            continue
        if (weighted & ~yours).any():
            fail(f"equivalent_threshold ({case}): your threshold predicts positive too rarely - the weighted model "
                 "also flags examples whose calibrated probability is below it. What does multiplying the "
                 "positives' loss by w+ do to the odds p / (1 - p) the weighted model outputs?")
        fail(f"equivalent_threshold ({case}): your threshold predicts positive too often - some examples above it "
             "are negative for the weighted model. What does multiplying the positives' loss by w+ do to the odds "
             "p / (1 - p) the weighted model outputs?")


def check_equivalent_threshold(equivalent_threshold):
    """Thresholding calibrated probabilities at t gives the weighted model's 0.5 decisions."""
    threshold_holds(equivalent_threshold, VISIBLE_WEIGHTS, weighted_minimiser_is_positive)
    passed("equivalent_threshold: the same decisions as the weighted model, for every weight")


def check_probability_prediction(probability_prediction, probability_reason):
    """Task 4, visible part: a range for each model and a one-line reason, recorded and well formed (not whether
    they are right; the graded part compares them with the experiment)."""
    check_recorded_prediction("probability_prediction", probability_prediction, PROBABILITY_KEYS,
                              PROBABILITY_CHOICES, "probability_reason", probability_reason,
                              "in one sentence, what does each loss's minimiser output for an example?")


def probability_range(value: float):
    """The choice of PROBABILITY_CHOICES a mean probability falls in, or None outside them."""
    if value < 0.1:
        return "below 0.1"
    if value < 0.4:
        return "0.1 to 0.4"
    if value <= 0.6:
        return "0.4 to 0.6"
    return None


def run_probability_experiment(seed: int = 0) -> dict:
    """Task 4's experiment: {key: mean predicted probability over the training set} for data drawn with ``seed``."""
    from wloss.data import make_imbalanced_blobs
    from wloss.losses import weighted_bce_with_logits
    from wloss.training import mlp, predict_proba, train

    e = EXPERIMENT
    X, y = make_imbalanced_blobs(n=e["n"], minority_fraction=e["minority_fraction"], seed=seed,
                                 separation=e["separation"])
    means = {}
    for key, w in zip(PROBABILITY_KEYS, (1.0, float((y == 0).sum() / (y == 1).sum()))):
        model = mlp(2, (), 1, seed=0)
        train(model, X, y, lambda z, t, w=w: weighted_bce_with_logits(z, t, pos_weight=w), epochs=e["epochs"],
              lr=e["lr"])
        means[key] = float(predict_proba(model, X).mean())
    return means


#: The open task: task 4's data drawn afresh, a missed positive costing OPEN_FN_COST false alarms.
OPEN_DATA = dict(n=50_000, minority_fraction=0.05, separation=2.0)
OPEN_FN_COST, OPEN_TARGET = 10.0, 0.24


def cost_holds(decide, seed, where):
    """Fail unless ``decide(X)`` costs at most OPEN_TARGET per example (OPEN_FN_COST per missed positive, 1 per false
    alarm) on a fresh sample drawn with ``seed``; return the cost."""
    from wloss.data import make_imbalanced_blobs

    X, y = make_imbalanced_blobs(seed=seed, **OPEN_DATA)
    with task("decide"):
        decisions = decide(X.copy())
    decisions = check_array(f"decide ({where})", decisions, shape=y.shape)
    check_true(np.isin(decisions, (0, 1)).all(), f"decide ({where}): expected 0 or 1 for every example")
    missed, alarms = ((y == 1) & (decisions == 0)).sum(), ((y == 0) & (decisions == 1)).sum()
    cost = float((OPEN_FN_COST * missed + alarms) / len(y))
    check_true(cost <= OPEN_TARGET,
               f"decide ({where}): {cost:.3f} per example ({missed} positives missed, {alarms} false alarms); the "
               f"task asks for at most {OPEN_TARGET}. Which of the two kinds of mistake does your rule make too "
               "often, given their prices?")
    return cost


def check_open_decide(decide, open_reason):
    """The open task, visible part: the rule's cost on a fresh sample; a reason of two sentences."""
    if open_reason is ... or not isinstance(open_reason, str) or len(open_reason.split()) < 10:
        fail("open_reason: write two sentences: how you chose your rule, and what its probabilities mean")
    cost = cost_holds(decide, seed=201, where="a fresh sample")
    passed(f"decide: {cost:.3f} per example on a fresh sample")
