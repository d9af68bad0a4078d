"""Checks for exercise 04 (thresholds, costs, F1 under another prevalence, a flattering evaluation, interpolated
average precision, a cost matrix of one's own).

Each check recomputes the property its task asks for from what the student returned, names the smallest case that
exposes a mistake and asks a question; none prints the answer or names the fix. The instructor's hidden cases, the
scenario's reference matrix and the grading of the prediction against the experiment are not here: they are in
``wloss_grading.ex04``, which calls the same case runners (``thresholds_hold``, ...) on inputs the student never sees.
"""
import hashlib

import numpy as np

from wloss.checks import (check_array, check_recorded_prediction, check_scalar, check_true, fail, library_blocked,
                          passed, task)
from wloss.decisions import best_threshold, real_world_cost

# ---------------------------------------------------------------- task 1 (derive)

#: Cost matrices C[true, predicted], smallest first; in each row the mistake costs more than the right decision.
MATRICES = [
    [[0.0, 1.0], [20.0, 0.0]],
    [[0.0, 5.0], [1.0, 0.0]],
    [[0.0, 4.0], [50.0, 4.0]],          # a flag costs 4 whether or not the example is positive
]


#: The library's threshold for two costs, blocked while the student's function runs.
THRESHOLD_FUNCTIONS = ("wloss.decisions.bayes_threshold",)


def expected_costs(cost, q):
    """Expected cost of predicting negative and of predicting positive at probability q, for C[true, predicted]."""
    cost = np.asarray(cost, dtype=float)
    negative = (1 - q) * cost[0, 0] + q * cost[1, 0]
    positive = (1 - q) * cost[0, 1] + q * cost[1, 1]
    return negative, positive


def _crossing(cost):
    """Where the two expected costs meet, by bisection on [0, 1] (no closed form)."""
    low, high = 0.0, 1.0
    for _ in range(200):
        middle = (low + high) / 2
        negative, positive = expected_costs(cost, middle)
        low, high = (middle, high) if positive > negative else (low, middle)
    return (low + high) / 2


def thresholds_hold(threshold_from_cost_matrix, matrices):
    """Fail unless, for each matrix, the two decisions cost the same in expectation at the returned threshold."""
    for matrix in matrices:
        cost = np.array(matrix, dtype=float)
        name = f"threshold_from_cost_matrix (cost = {cost.tolist()})"
        with task("threshold_from_cost_matrix"), library_blocked("threshold_from_cost_matrix", *THRESHOLD_FUNCTIONS):
            got = check_scalar(name, threshold_from_cost_matrix(cost.copy()))
        check_true(0.0 <= got <= 1.0, f"{name}: {got:.4g} is not a probability. What range can a threshold on q "
                                      "take?")
        negative, positive = expected_costs(cost, got)
        if np.isclose(negative, positive, rtol=1e-9, atol=1e-12):
            continue
        if np.isclose(got, _crossing(cost.T), atol=1e-9) and not np.isclose(got, 0.5):
            fail(f"{name}: your threshold is where the decisions would cost the same if the matrix were "
                 "cost[predicted, true]. Which index of `cost` is the truth, and which the decision?")
        off_diagonal = cost.copy()
        off_diagonal[[0, 1], [0, 1]] = 0.0
        if np.isclose(got, _crossing(off_diagonal), atol=1e-9) and np.any(np.diag(cost) != 0):
            fail(f"{name}: your threshold is the same as for this matrix with its diagonal set to 0, and here the "
                 "diagonal is not 0. What does a correct decision add to each expected cost?")
        side = "negative" if negative < positive else "positive"
        fail(f"{name}: at your threshold the two decisions do not cost the same in expectation: predicting {side} "
             f"is cheaper there, so your threshold is too {'low' if side == 'negative' else 'high'}. Which entries "
             "of the matrix enter the expected cost of each decision?")


def check_threshold_from_cost_matrix(threshold_from_cost_matrix):
    """Task 1: the probability above which predicting positive has the lower expected cost."""
    thresholds_hold(threshold_from_cost_matrix, MATRICES)
    passed("threshold_from_cost_matrix: at the threshold both decisions cost the same, and above it predicting "
           "positive is cheaper")


# ---------------------------------------------------------------- task 3 (derive: a scenario)

#: Digests of the scenario's entries: the check can tell a right entry without holding its value.
_DIGESTS = {(0, 0): "46e6ede7a181a3d169d129db", (0, 1): "6653672c637721938ce826d9",
            (1, 0): "050b95c834fcac91b05f3c98", (1, 1): "11201b7d6e6df24c664d2e19"}
#: What each entry is, and the question a wrong entry gets.
ENTRY_QUESTIONS = {
    (0, 0): ("an honest order that ships", "which of the facts above apply to it?"),
    (0, 1): ("a flagged honest order", "which of the facts above apply to it, and what do they cost per flagged "
                                       "honest order, on average?"),
    (1, 0): ("a fraudulent order that ships", "which of the facts above apply to it?"),
    (1, 1): ("a flagged fraudulent order", "which of the facts above apply to it?"),
}


def entry_is_right(value, i, j) -> bool:
    """Whether ``value`` is the scenario's entry (i, j), to 4 decimals."""
    digest = hashlib.sha256(f"ex04 fraud_cost[{i}, {j}] = {float(value):.4f}".encode()).hexdigest()[:24]
    return digest == _DIGESTS[i, j]


def check_fraud_scenario(fraud_cost, fraud_threshold, threshold_from_cost_matrix=None):
    """Task 3: the scenario's cost matrix C[true, predicted] and the threshold that follows from it."""
    C = check_array("fraud_cost", fraud_cost, shape=(2, 2))
    t = check_scalar("fraud_threshold", fraud_threshold)
    if all(entry_is_right(C[j, i], i, j) for i in range(2) for j in range(2)) and not entry_is_right(C[0, 1], 0, 1):
        fail("fraud_cost: your matrix holds the story's costs, each in the other's place across the diagonal. Which "
             "index is the truth (0 honest, 1 fraud), and which the decision (0 ship, 1 flag)?")
    for (i, j), (what, question) in ENTRY_QUESTIONS.items():
        if not entry_is_right(C[i, j], i, j):
            fail(f"fraud_cost[{i}, {j}], the cost of {what}, does not follow from the story: {question}")
    negative, positive = expected_costs(C, t)
    if not np.isclose(negative, positive, rtol=1e-9, atol=1e-12):
        fail("fraud_threshold: your cost matrix is right, but at your threshold the two decisions do not cost the "
             "same in expectation. Which function of task 1 turns a matrix into its threshold?")
    if threshold_from_cost_matrix is not None:
        with task("threshold_from_cost_matrix"):
            again = check_scalar("threshold_from_cost_matrix(fraud_cost)", threshold_from_cost_matrix(C.copy()))
        check_true(np.isclose(again, t, rtol=1e-9, atol=1e-12),
                   "fraud_threshold: not what your task-1 function returns for fraud_cost. Where does your number "
                   "come from?")
    passed("fraud scenario: every cost follows from the story, and the threshold from the costs")


# ---------------------------------------------------------------- task 4 (predict)

PREVALENCES = {"2 % positives": (0.25, 12.0), "38 % positives": (1.2, 2.0)}
PREDICTION_KEYS = ("F1-maximising threshold", "cost-minimising threshold (misses 20, false alarms 1)")
PREDICTION_VALUES = ("rises", "falls", "stays")
#: A threshold that moves by less than this from 2 % to 38 % positives "stays".
STAYS_WITHIN = 0.03


def calibrated_validation_scores(seed=0, n=4000, beta=(0.6, 4.0)):
    """Validation scores q of a calibrated model, q ~ Beta(``*beta``), and labels drawn with P(y = 1) = q.

    The default draws about 12 % positives; ``beta=(0.25, 12.0)`` about 2 %, ``(1.2, 2.0)`` about 38 %.
    """
    rng = np.random.default_rng(seed)
    q = rng.beta(*beta, size=n)
    return q, (rng.random(n) < q).astype(int)


def prevalence_experiment(seed=0, n=200_000):
    """F1-maximising and cost-minimising (c_fn = 20, c_fp = 1) thresholds of calibrated scores at 2 % and 38 %
    positives, and how each moves from the first to the second. Only random draws and counts: the same on every
    CPU."""
    result = {}
    for index, (setting, beta) in enumerate(PREVALENCES.items()):
        q, y = calibrated_validation_scores(seed=[4400 + int(seed), index], n=n, beta=beta)
        result[setting] = {"positives": float(y.mean()),
                           PREDICTION_KEYS[0]: best_threshold(q, y, "f1"),
                           PREDICTION_KEYS[1]: best_threshold(q, y, "cost", fn_cost=20.0, fp_cost=1.0)}
    low, high = (result[setting] for setting in PREVALENCES)
    result["outcome"] = {key: ("stays" if abs(high[key] - low[key]) < STAYS_WITHIN else
                               "rises" if high[key] > low[key] else "falls") for key in PREDICTION_KEYS}
    return result


def check_prevalence_prediction(prediction, reason):
    """Task 4: the two predictions and a one-line reason are recorded and well formed (not whether they are right:
    the graded part compares them with the experiment)."""
    check_recorded_prediction("prediction", prediction, PREDICTION_KEYS, PREDICTION_VALUES, "reason", reason,
                              "in one sentence, what does each threshold depend on?")


# ---------------------------------------------------------------- task 6 (debug)

def evaluation_case(n_val, n_test, c_fn, c_fp, seed):
    """(case, validation scores, validation labels, test scores, test labels, c_fn, c_fp).

    Validation and test sets differ in size; validation scores are rounded to 0.01 and test scores lie half-way
    between, so no test score is a validation score.
    """
    rng = np.random.default_rng(seed)
    val_q, test_q = rng.beta(0.6, 4.0, n_val), rng.beta(0.6, 4.0, n_test)
    y_val, y_test = (rng.random(n_val) < val_q).astype(int), (rng.random(n_test) < test_q).astype(int)
    s_val = np.round(val_q, 2)
    s_test = np.clip(np.floor(test_q * 100) / 100 + 0.005, 0.0, 1.0)
    case = f"{n_val} validation and {n_test} test examples, c_fn={c_fn:g}, c_fp={c_fp:g}"
    return case, s_val, y_val, s_test, y_test, c_fn, c_fp


#: The library's threshold search and cost, blocked while the student's function runs.
EVALUATION_FUNCTIONS = ("wloss.decisions.best_threshold", "wloss.decisions.real_world_cost")

#: The visible cases: a smaller and a larger validation set than the test set.
EVALUATION_CASES = [evaluation_case(120, 310, 20.0, 1.0, 1), evaluation_case(250, 90, 1.0, 5.0, 2)]


def _cost_at(scores, y, t, c_fn, c_fp, strict=False):
    flagged = scores > t if strict else scores >= t
    return real_world_cost(y, flagged.astype(int), c_fn, c_fp)


def evaluations_hold(evaluate_cost_rule, cases):
    """Fail unless, on each case, the threshold is a validation score with the lowest validation cost and the
    reported number is its Real World Cost on the test set."""
    for case, s_val, y_val, s_test, y_test, c_fn, c_fp in cases:
        name = f"evaluate_cost_rule ({case})"
        with task("evaluate_cost_rule"), library_blocked("evaluate_cost_rule", *EVALUATION_FUNCTIONS):
            result = evaluate_cost_rule(s_val.copy(), y_val.copy(), s_test.copy(), y_test.copy(), c_fn, c_fp)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            fail(f"{name}: return a pair (threshold, test cost), got {type(result).__name__}")
        t = check_scalar(f"{name}: the threshold", result[0])
        reported = check_scalar(f"{name}: the test cost", result[1])
        candidates = np.unique(s_val)
        if not np.any(np.isclose(candidates, t, rtol=0, atol=1e-12)):
            fail(f"{name}: your threshold is not one of the validation scores. Which scores may the rule choose "
                 "its threshold from, and why those?")
        val_costs = np.array([_cost_at(s_val, y_val, c, c_fn, c_fp) for c in candidates])
        if _cost_at(s_val, y_val, t, c_fn, c_fp) > val_costs.min() + 1e-12:
            swapped = np.array([_cost_at(s_val, y_val, c, c_fp, c_fn) for c in candidates])
            strict = np.array([_cost_at(s_val, y_val, c, c_fn, c_fp, strict=True) for c in candidates])
            if np.isclose(_cost_at(s_val, y_val, t, c_fp, c_fn), swapped.min()):
                fail(f"{name}: your threshold is the cheapest on the validation data only if c_fn and c_fp trade "
                     "places. Which of the two mistakes does c_fn price: a positive left unflagged, or a negative "
                     "flagged?")
            if np.isclose(_cost_at(s_val, y_val, t, c_fn, c_fp, strict=True), strict.min()):
                fail(f"{name}: your threshold is the cheapest only if an example scoring exactly t is left "
                     "unflagged. Which examples does the rule 'score >= t' flag?")
            fail(f"{name}: another validation score gives a lower validation cost than your threshold. What does "
                 "your search compare, and on which data?")
        test_cost = _cost_at(s_test, y_test, t, c_fn, c_fp)
        if np.isclose(reported, test_cost, rtol=1e-9, atol=1e-12):
            continue
        flagged = (s_test >= t).astype(int)
        total = test_cost * len(y_test)
        if np.isclose(reported, _cost_at(s_val, y_val, t, c_fn, c_fp), rtol=1e-9):
            fail(f"{name}: the number you report is your threshold's cost on the validation data. On which data "
                 "does the task report it?")
        if np.isclose(reported, real_world_cost(y_test, flagged, c_fp, c_fn), rtol=1e-9):
            fail(f"{name}: the reported test cost prices the two kinds of mistake the other way round. Which one "
                 "is a false negative?")
        if np.isclose(reported, total / len(y_val), rtol=1e-9):
            fail(f"{name}: the reported test cost is a total over the test set divided by {len(y_val)}. How many "
                 "examples does that mean run over?")
        if np.isclose(reported, total, rtol=1e-9):
            fail(f"{name}: the reported test cost is a total, not a cost per example. What does the Real World "
                 "Cost divide by?")
        fail(f"{name}: the reported number is not the Real World Cost (FN c_fn + FP c_fp) / N of your threshold on "
             "the test set. Which of FN, FP, c_fn, c_fp and N differs in yours?")


def check_evaluate_cost_rule(evaluate_cost_rule):
    """Task 6: threshold chosen among the validation scores by Real World Cost, its cost reported on the test set."""
    evaluations_hold(evaluate_cost_rule, EVALUATION_CASES)
    passed("evaluate_cost_rule: threshold chosen among the validation scores by cost, cost reported on the test "
           "set, with validation and test sets of different sizes")


# ---------------------------------------------------------------- task 7 (derive: interpolated AP)

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


def ap_cases(small, n):
    """(case, labels, scores) for the small (labels, scores) pairs and ``ap_case(n)``, the smallest first, so the
    first failure names the smallest input."""
    cases = [(f"y = {y}, scores = {s}", np.array(y), np.array(s, dtype=float)) for y, s in small]
    return cases + [(f"the {n} examples of ex04.ap_case({n}), scores rounded to 0.1", *ap_case(n))]


#: The visible cases: a ranking where precision rises again, and ties.
AP_CASES = ap_cases([([1, 0, 1], [0.8, 0.9, 0.7]),
                     ([0, 1, 0, 1], [0.4, 0.9, 0.7, 0.2]),
                     ([0, 1, 0, 1], [0.5, 0.9, 0.9, 0.5])], 40)


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


def check_interpolated_average_precision(interpolated_average_precision):
    """Task 7: VOC-style interpolated AP, tied scores entering together, compared with a brute-force reference."""
    interpolated_ap_holds(interpolated_average_precision, AP_CASES)
    passed("interpolated_average_precision: equals a brute-force interpolated AP on every case, tied scores "
           "included, in any order of the examples")


def interpolated_ap_holds(interpolated_average_precision, cases):
    """Fail unless ``interpolated_average_precision`` equals the brute force on each case of ``cases``."""
    name = "interpolated_average_precision"
    for case, y, s in cases:
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


# ---------------------------------------------------------------- task 8 (open)

def check_my_cost_model(my_cost, my_cost_sources, my_threshold, threshold_from_cost_matrix):
    """Task 8: a cost matrix of one's own, one source per entry, and the threshold task 1's function gives for it.

    Checks only what can be checked without judging the application: a 2 x 2 matrix of finite, non-negative
    costs in which each row's mistake costs more than its correct decision; a line on each entry's source; and the
    threshold. The rubric grades the rest.
    """
    C = check_array("my_cost", my_cost, shape=(2, 2))
    check_true(bool(np.all(np.isfinite(C)) and np.all(C >= 0)),
               "my_cost: some cost is negative or not finite - what would a negative cost mean in your story?")
    for row, what in ((0, "a negative example"), (1, "a positive example")):
        check_true(C[row, 1 - row] > C[row, row],
                   f"my_cost[{row}]: for {what} the mistake does not cost more than the correct decision. Is that "
                   "what your story says?")
    entries = [f"{i}{j}" for i in range(2) for j in range(2)]
    if not isinstance(my_cost_sources, dict) or sorted(my_cost_sources) != entries:
        fail(f"my_cost_sources: expected a dict with the keys {entries} (true class, decision), one line each")
    for key in entries:
        line = my_cost_sources[key]
        if not isinstance(line, str) or len(line.split()) < 5:
            fail(f"my_cost_sources[{key!r}]: one line on who pays this cost and where its number comes from")
    t = check_scalar("my_threshold", my_threshold)
    with task("threshold_from_cost_matrix"):
        again = check_scalar("threshold_from_cost_matrix(my_cost)", threshold_from_cost_matrix(C.copy()))
    check_true(np.isclose(again, t, rtol=1e-9, atol=1e-12),
               "my_threshold: not what your task-1 function returns for my_cost. Where does your number come from?")
    passed("my cost model: a well-formed matrix, a source for every entry and its threshold (the story is graded "
           "by hand)")
