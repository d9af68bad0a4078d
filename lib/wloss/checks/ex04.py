"""Checks for exercise 04 (thresholds, costs, F1, eliciting a cost matrix, interpolated average precision).

Each check recomputes the property its task asks for from what the student
returned, names the case that exposes a mistake and gives a hint; none prints
the answer. ``hidden=True`` runs the extra cases of the graded (hidden) part.
"""
import numpy as np

from wloss.checks import check_array, check_choices, check_scalar, fail, library_blocked, passed, task
from wloss.metrics import best_threshold, real_world_cost

# ---------------------------------------------------------------- task 1 (derive)

#: Cost matrices C[true, predicted]; off-diagonal mistakes cost more than the right decision in the same row.
_MATRICES = [
    [[0.0, 1.0], [20.0, 0.0]],
    [[0.0, 5.0], [1.0, 0.0]],
    [[0.0, 4.0], [50.0, 4.0]],          # a flag costs 4 whether or not the example is positive
]
_MATRICES_HIDDEN = [
    [[1.0, 3.0], [10.0, 2.0]],
    [[0.5, 0.6], [100.0, 0.0]],
    [[0.0, 30.0], [40.0, 25.0]],
]


def _expected_costs(cost, q):
    """Expected cost of predicting negative and positive at probability q, for C[true, predicted]."""
    cost = np.asarray(cost, dtype=float)
    negative = (1 - q) * cost[0, 0] + q * cost[1, 0]
    positive = (1 - q) * cost[0, 1] + q * cost[1, 1]
    return negative, positive


def _threshold_property(name, t, cost, case):
    """Fail unless predicting positive is cheaper just above t and dearer just below."""
    if not 0.0 <= t <= 1.0:
        fail(f"{name} ({case}): {t:.4g} is not a probability; the threshold lies in [0, 1]")
    for q, side in ((min(t + 0.01, 1.0), "above"), (max(t - 0.01, 0.0), "below")):
        negative, positive = _expected_costs(cost, q)
        if side == "above" and positive > negative + 1e-12:
            fail(f"{name} ({case}): just above your threshold (q = {q:.3f}) predicting positive costs {positive:.4g} "
                 f"in expectation and predicting negative {negative:.4g} - your threshold is too low. "
                 "Hint: write both expected costs as functions of q, with the costs of correct decisions too.")
        if side == "below" and positive < negative - 1e-12:
            fail(f"{name} ({case}): just below your threshold (q = {q:.3f}) predicting positive is already cheaper "
                 f"({positive:.4g} against {negative:.4g}) - your threshold is too high. "
                 "Hint: write both expected costs as functions of q, with the costs of correct decisions too.")


def check_threshold_from_cost_matrix(threshold_from_cost_matrix, hidden=False):
    """Task 1: the probability above which predicting positive has the lower expected cost."""
    for matrix in (_MATRICES_HIDDEN if hidden else _MATRICES):
        cost = np.array(matrix)
        case = f"cost = {cost.tolist()}"
        with task("threshold_from_cost_matrix"):
            got = check_scalar(f"threshold_from_cost_matrix ({case})", threshold_from_cost_matrix(cost.copy()))
        off_only = cost[0, 1] / (cost[0, 1] + cost[1, 0])
        transposed = (cost[1, 0] - cost[1, 1]) / ((cost[1, 0] - cost[1, 1]) + (cost[0, 1] - cost[0, 0]))
        right_negative, right_positive = _expected_costs(cost, got)
        if not np.isclose(right_negative, right_positive, rtol=1e-9, atol=1e-12):
            if np.isclose(got, transposed) and not np.isclose(transposed, 0.5):
                fail(f"threshold_from_cost_matrix ({case}): you read the matrix as C[predicted, true] (or swapped "
                     "the two mistakes); rows are the TRUE class, columns the decision. An expensive miss must lower "
                     "the threshold.")
            if np.isclose(got, off_only) and np.any(np.diag(cost) != 0):
                fail(f"threshold_from_cost_matrix ({case}): you used only the two mistakes' costs; here correct "
                     "decisions cost something too (the diagonal), and what matters is how much each decision "
                     "saves over the other.")
            _threshold_property("threshold_from_cost_matrix", got, cost, case)
            fail(f"threshold_from_cost_matrix ({case}): at your threshold the two decisions should cost the same in "
                 "expectation, and they do not. Hint: solve expected cost(positive) = expected cost(negative) for q.")
    passed("threshold_from_cost_matrix: at the threshold both decisions cost the same, and above it predicting "
           "positive is cheaper" + (" (hidden cases)" if hidden else ""))


# ---------------------------------------------------------------- task 3 (derive: a scenario)

#: The shop's numbers, as the task states them (euros).
REVIEW, GOODS, FEE, CANCEL_RATE, MARGIN = 3.0, 120.0, 15.0, 0.1, 20.0
_ENTRY = {
    (0, 0): ("an honest order that is not flagged", "nothing goes wrong and nobody looks at it"),
    (0, 1): ("a flagged honest order", "every flagged order is reviewed, and some delayed customers cancel: "
                                       "count the expected loss per order"),
    (1, 0): ("a fraudulent order that ships", "the shop loses the goods AND pays a fee"),
    (1, 1): ("a flagged fraudulent order", "the fraud is caught, but the review still has to be paid"),
}


def _scenario_cost():
    return np.array([[0.0, REVIEW + CANCEL_RATE * MARGIN], [GOODS + FEE, REVIEW]])


def check_fraud_scenario(fraud_cost, fraud_threshold, threshold_from_cost_matrix=None, hidden=False):
    """Task 3: the scenario's cost matrix C[true, predicted] and the threshold that follows from it."""
    C = check_array("fraud_cost", fraud_cost, shape=(2, 2))
    t = check_scalar("fraud_threshold", fraud_threshold)
    expected = _scenario_cost()
    if np.allclose(C, expected.T) and not np.allclose(C, expected):
        fail("fraud_cost: the matrix is transposed - rows are the TRUE class (0 honest, 1 fraud), columns the "
             "decision (0 ship, 1 flag)")
    for (i, j), (what, hint) in _ENTRY.items():
        if not np.isclose(C[i, j], expected[i, j], rtol=1e-9, atol=1e-9):
            fail(f"fraud_cost[{i}, {j}], the cost of {what}, does not follow from the scenario. Hint: {hint}.")
    negative, positive = _expected_costs(C, t)
    if not np.isclose(negative, positive, rtol=1e-9, atol=1e-12):
        fail("fraud_threshold: your cost matrix is right, but at your threshold the two decisions do not cost the "
             "same in expectation - compute it from fraud_cost with your function from task 1")
    if hidden and threshold_from_cost_matrix is not None:
        with task("threshold_from_cost_matrix"):
            again = check_scalar("threshold_from_cost_matrix(fraud_cost)", threshold_from_cost_matrix(C.copy()))
        if not np.isclose(again, t):
            fail("fraud_threshold: not what your task-1 function returns for fraud_cost")
    passed("fraud scenario: every cost follows from the story, and the threshold from the costs"
           + (" (hidden part)" if hidden else ""))


# ---------------------------------------------------------------- task 4 (predict)

PREDICTION_CASES = ("misses cost 20, false alarms 1", "misses cost 1, false alarms 5")
_PREDICTION_COSTS = {PREDICTION_CASES[0]: (20.0, 1.0), PREDICTION_CASES[1]: (1.0, 5.0)}
PREDICTION_VALUES = ("higher", "lower", "about the same")


def calibrated_validation_scores(seed=0, n=4000):
    """Validation scores q of a calibrated model and labels drawn with P(y = 1) = q (about 12 % positives)."""
    rng = np.random.default_rng(seed)
    q = rng.beta(0.6, 4.0, size=n)
    return q, (rng.random(n) < q).astype(int)


def f1_and_cost_thresholds(scores, y, c_fn, c_fp):
    """The F1-maximising and the cost-minimising thresholds on (scores, y)."""
    return (best_threshold(scores, y, "f1"), best_threshold(scores, y, "cost", fn_cost=c_fn, fp_cost=c_fp))


def _relation(t_f1, t_cost):
    if abs(t_f1 - t_cost) < 0.02:
        return "about the same"
    return "higher" if t_f1 > t_cost else "lower"


def check_f1_threshold_prediction(prediction, hidden=False):
    """Task 4: where the F1-tuned threshold lies relative to the cost-optimal one, per cost model."""
    check_choices("prediction", prediction, PREDICTION_CASES, PREDICTION_VALUES)
    scores, y = calibrated_validation_scores(seed=7 if hidden else 0)
    wrong = []
    for key in PREDICTION_CASES:
        t_f1, t_cost = f1_and_cost_thresholds(scores, y, *_PREDICTION_COSTS[key])
        if prediction[key] != _relation(t_f1, t_cost):
            wrong.append(f"  {key}: you predicted '{prediction[key]}'; the experiment gives the F1 threshold "
                         f"{t_f1:.3f} and the cost-optimal one {t_cost:.3f}. F1 counts a miss and a false alarm "
                         "alike, so its threshold ignores which mistake is dearer - it cannot move with the costs")
    if wrong:
        fail("prediction: " + f"{len(wrong)} of 2 predictions disagree with the experiment:\n" + "\n".join(wrong))
    passed("prediction: both match the experiment" + (" (a second sample)" if hidden else ""))


# ---------------------------------------------------------------- task 5 (debug)

def _evaluation_cases(hidden):
    """(name, validation scores, validation labels, test scores, test labels, c_fn, c_fp)."""
    seeds = (11, 12, 13) if hidden else (1, 2, 3)
    cases = []
    for seed, (c_fn, c_fp) in zip(seeds, [(20.0, 1.0), (1.0, 5.0), (5.0, 2.0)]):
        rng = np.random.default_rng(seed)
        val_q, test_q = rng.beta(0.6, 4.0, 300), rng.beta(0.6, 4.0, 300)
        val = (np.round(val_q, 2), (rng.random(300) < val_q).astype(int))
        test = (np.round(test_q, 2), (rng.random(300) < test_q).astype(int))
        cases.append((f"300 validation and 300 test scores, c_fn={c_fn:g}, c_fp={c_fp:g}", *val, *test, c_fn, c_fp))
    return cases


def _cost_at(scores, y, t, c_fn, c_fp):
    return real_world_cost(y, (scores >= t).astype(int), c_fn, c_fp)


def _swapped_cost_at(scores, y, t, c_fn, c_fp):
    return real_world_cost(y, (scores >= t).astype(int), c_fp, c_fn)


def check_evaluate_cost_rule(evaluate_cost_rule, hidden=False):
    """Task 5: threshold chosen on validation data by Real World Cost, cost reported on the test set."""
    for case, s_val, y_val, s_test, y_test, c_fn, c_fp in _evaluation_cases(hidden):
        with task("evaluate_cost_rule"):
            result = evaluate_cost_rule(s_val.copy(), y_val.copy(), s_test.copy(), y_test.copy(), c_fn, c_fp)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            fail(f"evaluate_cost_rule ({case}): return a pair (threshold, test cost), got {type(result).__name__}")
        t = check_scalar(f"evaluate_cost_rule ({case}): the threshold", result[0])
        reported = check_scalar(f"evaluate_cost_rule ({case}): the test cost", result[1])
        candidates = np.unique(s_val)
        best_val = min(_cost_at(s_val, y_val, c, c_fn, c_fp) for c in candidates)
        val_cost = _cost_at(s_val, y_val, t, c_fn, c_fp)
        if val_cost > best_val + 1e-12:
            swapped_best = min(_swapped_cost_at(s_val, y_val, c, c_fn, c_fp) for c in candidates)
            test_best = min(_cost_at(s_test, y_test, c, c_fn, c_fp) for c in np.unique(s_test))
            swapped_test_best = min(_swapped_cost_at(s_test, y_test, c, c_fn, c_fp) for c in np.unique(s_test))
            if np.isclose(_swapped_cost_at(s_test, y_test, t, c_fn, c_fp), swapped_test_best):
                fail(f"evaluate_cost_rule ({case}): two things are wrong. The threshold is not the cheapest on the "
                     "data that should choose it (which data may choose a hyper-parameter?), and the cost it minimises "
                     "does not price the two kinds of mistake as c_fn and c_fp say (which mistake is a false "
                     "negative?).")
            if np.isclose(_cost_at(s_test, y_test, t, c_fn, c_fp), test_best) or t not in candidates:
                fail(f"evaluate_cost_rule ({case}): your threshold is not the cheapest on the validation data - it "
                     "looks chosen on the test set. A threshold is a hyper-parameter: choose it on validation data, "
                     "then report its cost on the test set once.")
            if np.isclose(_swapped_cost_at(s_val, y_val, t, c_fn, c_fp), swapped_best):
                fail(f"evaluate_cost_rule ({case}): your threshold minimises a cost with false negatives and false "
                     "positives swapped: a false negative is a positive example that is NOT flagged, and it costs "
                     "c_fn.")
            fail(f"evaluate_cost_rule ({case}): another validation score gives a lower validation cost than your "
                 f"threshold ({val_cost:.4f} per example at yours)")
        test_cost = _cost_at(s_test, y_test, t, c_fn, c_fp)
        if not np.isclose(reported, test_cost, rtol=1e-9, atol=1e-12):
            if np.isclose(reported, val_cost):
                fail(f"evaluate_cost_rule ({case}): you reported the validation cost; report the cost of your "
                     "threshold on the test set")
            if np.isclose(reported, _swapped_cost_at(s_test, y_test, t, c_fn, c_fp)):
                fail(f"evaluate_cost_rule ({case}): the reported test cost counts false negatives and false "
                     "positives the wrong way round")
            fail(f"evaluate_cost_rule ({case}): the reported cost is not the Real World Cost (FN c_fn + FP c_fp) / N "
                 "of your threshold on the test set")
    passed("evaluate_cost_rule: threshold chosen on validation data by cost, cost reported on the test set"
           + (" (hidden cases)" if hidden else ""))


# ---------------------------------------------------------------- task 6 (derive: interpolated AP)

#: The library's own precision-recall curves and step-wise AP, blocked while the student's function runs.
AP_FUNCTIONS = ("wloss.metrics.average_precision", "wloss.metrics.precision_recall_curve",
                "sklearn.metrics.average_precision_score", "sklearn.metrics.precision_recall_curve")


#: The larger cases: number of examples -> (seed, share of positives); ``ap_case(n)`` rebuilds one.
_LARGER_CASES = {40: (4, 0.3), 60: (14, 0.25)}


def ap_case(n):
    """Labels and scores of the check's case with ``n`` examples (40 or 60), rounded to 0.1 so many tie.

    A failure on such a case names it (``ex04.ap_case(40)``) so you can rerun your function on it.
    """
    seed, positive_rate = _LARGER_CASES[n]
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < positive_rate).astype(int)
    return y, np.round(np.clip(rng.normal(0.4 + 0.15 * y, 0.2), 0.0, 1.0), 1)


def _ap_cases(hidden):
    """(case, labels, scores), the smallest first, so the first failure names the smallest input."""
    if hidden:
        small = [([0, 1, 1, 0, 1, 0], [0.2, 0.7, 0.4, 0.9, 0.5, 0.1]),
                 ([1, 0, 1, 0, 0, 0], [0.3, 0.3, 0.3, 0.9, 0.1, 0.3])]
        n = 60
    else:
        small = [([1, 0, 1], [0.8, 0.9, 0.7]),
                 ([0, 1, 0, 1], [0.4, 0.9, 0.7, 0.2]),
                 ([0, 1, 0, 1], [0.5, 0.9, 0.9, 0.5])]
        n = 40
    cases = [(f"y = {y}, scores = {s}", np.array(y), np.array(s, dtype=float)) for y, s in small]
    return cases + [(f"the {n} examples of ex04.ap_case({n}), scores rounded to 0.1", *ap_case(n))]


def _precision_at(y, s, t):
    """Precision of the rule "positive when score >= t"."""
    flagged = s >= t
    return y[flagged].sum() / flagged.sum()


def _brute_force_ap(y, s, interpolated=True):
    """AP as a mean over the positives, each counted once, by brute force over every threshold.

    A positive with score s_i is flagged by every rule "score >= t" with t <= s_i, and by no other; the recall of
    those rules is at least the recall at which it enters. Step-wise AP takes the precision of the rule t = s_i
    (its whole group of equal scores enters with it); interpolated AP the best precision of any rule that flags it.
    """
    per_positive = []
    for s_i in s[y == 1]:
        if interpolated:
            per_positive.append(max(_precision_at(y, s, t) for t in s if t <= s_i))
        else:
            per_positive.append(_precision_at(y, s, s_i))
    return float(np.mean(per_positive))


def _positives_first_ap(y, s):
    """Interpolated AP with ties broken one example at a time, positives first within each tie."""
    order = np.lexsort((-y, -s))
    hits = y[order].astype(float)
    true_positives = np.cumsum(hits)
    precision = true_positives / np.arange(1, len(hits) + 1)
    best_from_here = np.maximum.accumulate(precision[::-1])[::-1]
    return float(np.sum(hits * best_from_here) / hits.sum())


def _fixed_levels_ap(y, s, levels=11):
    """The interpolated precision averaged at fixed recall levels 0, 0.1, ..., 1."""
    thresholds = np.unique(s)
    recall = np.array([y[s >= t].sum() / y.sum() for t in thresholds])
    precision = np.array([_precision_at(y, s, t) for t in thresholds])
    return float(np.mean([precision[recall >= r - 1e-12].max() for r in np.linspace(0.0, 1.0, levels)]))


def _trapezoid_aps(y, s):
    """Areas under straight lines joining the PR points from (0, first precision): raw, and interpolated."""
    thresholds = np.unique(s)[::-1]
    recall = np.r_[0.0, [y[s >= t].sum() / y.sum() for t in thresholds]]
    precision = np.array([_precision_at(y, s, t) for t in thresholds])
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    areas = []
    for curve in (precision, envelope):
        for start in (curve[0], 1.0):
            heights = np.r_[start, curve]
            areas.append(float(np.sum(np.diff(recall) * (heights[1:] + heights[:-1]) / 2)))
    return areas


def _same(a, b):
    return bool(np.isclose(a, b, rtol=1e-9, atol=1e-12))


def check_interpolated_average_precision(interpolated_average_precision, hidden=False):
    """Task 6: VOC-style interpolated AP, tied scores entering together, compared with a brute-force reference."""
    name = "interpolated_average_precision"
    for case, y, s in _ap_cases(hidden):
        reorderings = [np.arange(len(y)), np.arange(len(y))[::-1], np.random.default_rng(len(y)).permutation(len(y))]
        values = []
        for order in reorderings:
            with task(name), library_blocked(name, *AP_FUNCTIONS):
                got = interpolated_average_precision(y[order].copy(), s[order].copy())
            values.append(check_scalar(f"{name} ({case})", got))
        got = values[0]
        if not 0.0 <= got <= 1.0:
            fail(f"{name} ({case}): {got:.4g} cannot be an average of precisions, which lie in [0, 1]. "
                 "What does your sum add up?")
        if not all(_same(got, other) for other in values[1:]):
            fail(f"{name} ({case}): listing the same examples in another order (reversed, or shuffled) changes your "
                 "result, but the scores and labels are the same. What does your function do with examples whose "
                 "scores are equal?")
        expected = _brute_force_ap(y, s)
        if _same(got, expected):
            continue
        step_wise = _brute_force_ap(y, s, interpolated=False)
        if _same(got, step_wise):
            fail(f"{name} ({case}): your value is the step-wise AP of the lecture, with no precision replaced, yet on "
                 "this ranking precision rises again as the threshold is lowered. At the recall where the first "
                 "positive enters, what is the highest precision reached at that recall or beyond?")
        if _same(got, _positives_first_ap(y, s)):
            fail(f"{name} ({case}): your value counts a precision reached part-way through a group of equal scores; "
                 "a rule 'positive when score >= t' flags all of such a group or none of it. Which thresholds can "
                 "the rule actually use?")
        if _same(got, _fixed_levels_ap(y, s)):
            fail(f"{name} ({case}): your value averages the interpolated precision at fixed recall levels; the task "
                 "asks for the area under the whole interpolated step curve. How wide is each step of recall on "
                 "this ranking?")
        if any(_same(got, area) for area in _trapezoid_aps(y, s)):
            fail(f"{name} ({case}): your value is the area under straight lines joining the points, not under a "
                 "step curve: between two recall levels the interpolated precision is constant. Which height does "
                 "each step of recall get?")
        if got < step_wise:
            fail(f"{name} ({case}): your value is below the step-wise AP of the same ranking, but interpolation only "
                 "replaces a precision by one at least as large. Which precision did your function lower?")
        if got > expected:
            fail(f"{name} ({case}): your value is higher than the interpolated AP can be: somewhere it credits a "
                 "recall level with a precision that no threshold of at least that recall reaches. Over which "
                 "thresholds does your maximum run, and which recall does each term use?")
        fail(f"{name} ({case}): your value is not the area under the interpolated step curve, the sum of "
             "(R_n - R_(n-1)) p_interp(R_n) over the distinct thresholds. Which recall levels does your sum visit, "
             "and how wide is each step?")
    passed(f"{name}: equals a brute-force interpolated AP on every case, tied scores included, in any order of the "
           "examples" + (" (hidden cases)" if hidden else ""))
