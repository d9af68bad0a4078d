"""Exercise 04's checks: right answers pass, plausible wrong answers fail with a message that names the failing
property and asks a question, never the answer, the fix or an explanation of the right answer."""
import re
from functools import partial

import numpy as np
import pytest

from wloss.checks import CheckFailed, ex04
from wloss_grading import ex04 as hidden_ex04

import check_messages
from check_messages import failure_visible_then_hidden, not_done, visible_only_answer


# ---------------------------------------------------------------- right answers, written here independently

def right_threshold(cost):
    cost = np.asarray(cost, float)
    a, b = cost[0, 1] - cost[0, 0], cost[1, 0] - cost[1, 1]
    return a / (a + b)


RIGHT_COST = np.array([[0.0, 5.0], [135.0, 3.0]])


def rwc(scores, y, t, c_fn, c_fp, swap=False, strict=False):
    predicted = (np.asarray(scores) > t) if strict else (np.asarray(scores) >= t)
    fn = np.sum(~predicted & (y == 1))
    fp = np.sum(predicted & (y == 0))
    if swap:
        fn, fp = fp, fn
    return float((fn * c_fn + fp * c_fp) / len(y))


def make_rule(select_on="val", swap_select=False, report="test", swap_report=False, strict=False,
              divide_by="own", argbest=np.argmin):
    """A variant of the evaluation; the defaults give the right one."""
    def rule(p_val, y_val, p_test, y_test, c_fn, c_fp):
        if select_on == "val":
            s, y = p_val, y_val
        elif select_on == "test":
            s, y = p_test, y_test
        else:                                                   # validation and test pooled
            s, y = np.r_[p_val, p_test], np.r_[y_val, y_test]
        candidates = np.unique(s)
        costs = [rwc(s, y, c, c_fn, c_fp, swap_select, strict) for c in candidates]
        t = float(candidates[int(argbest(costs))])
        rs, ry = (p_test, y_test) if report == "test" else (p_val, y_val)
        cost = rwc(rs, ry, t, c_fn, c_fp, swap_report, strict)
        if divide_by == "val":
            cost = cost * len(ry) / len(y_val)
        elif divide_by == "total":
            cost = cost * len(ry)
        return t, cost
    return rule


def right_evaluation(p_val, y_val, p_test, y_test, c_fn, c_fp):
    return make_rule()(p_val, y_val, p_test, y_test, c_fn, c_fp)

RIGHT_PREDICTION = {"F1-maximising threshold": "rises", "cost-minimising threshold (misses 20, false alarms 1)": "stays"}
RIGHT_REASON = "the cost rule depends on c_fn and c_fp only; F1's best threshold follows the best F1"


def right_my_cost_model_args():
    cost = np.array([[0.0, 2.0], [30.0, 1.0]])
    sources = {key: "the operator pays it, priced from last year's maintenance records" for key in ("00", "01", "10", "11")}
    return cost, sources, right_threshold(cost), right_threshold


# ---------------------------------------------------------------- what no failure message may contain

def _threshold_values():
    values = [right_threshold(m) for m in ex04.MATRICES + hidden_ex04.MATRICES] + [right_threshold(RIGHT_COST)]
    return {f"{v:.3f}" for v in values} | {f"{v:.4f}" for v in values} | {f"{v:.4g}" for v in values}


def _evaluation_values():
    values = []
    for case in ex04.EVALUATION_CASES + hidden_ex04.EVALUATION_CASES:
        t, cost = right_evaluation(*case[1:])
        values += [t, cost]
    return {f"{v:.4f}" for v in values} | {f"{v:.3f}" for v in values if v not in (0.0, 1.0)}


def _ap_values():
    values = [right_interpolated_ap(y, s) for _, y, s in ex04.AP_CASES + hidden_ex04.AP_CASES]
    return {f"{v:.3f}" for v in values} | {f"{v:.4f}" for v in values} | {"2/3", "3/4", "1/4"}


FORBIDDEN = {
    "check_threshold_from_cost_matrix": _threshold_values() | {"C[0, 1] - C[0, 0]", "saving", "c_fp / (c_fp + c_fn)",
                                                               "(c01 - c00)", "solve", "expected cost(positive) ="},
    "check_fraud_scenario": {"135", "5.0", "3.0", "0.036", "0.0365", "120 + 15", "0.1 * 20", "+ 2", "chargeback fee",
                             "lost margin", "plus the"},
    "check_prevalence_prediction": {"outcome is", "does not move", "1/21", "0.048", "half the best", "F*/2",
                                    "the experiment gives", "measured"},
    "check_evaluate_cost_rule": _evaluation_values() | {"choose it on validation", "np.unique(p_val)",
                                                        "(predicted == 0) & (y == 1)", "len(y_test)", "swap the",
                                                        "hyper-parameter"},
    "check_interpolated_average_precision": None,      # filled in below, once the reference is defined
    "check_my_cost_model": {"3_500", "400,000", "gearbox"},
}


assert_teaches_without_telling = partial(check_messages.assert_teaches_without_telling, FORBIDDEN)


def fails(check, *args, match):
    """The message of the first failure, visible check then hidden one: it matches ``match`` and leaks nothing."""
    message = failure_visible_then_hidden(ex04, hidden_ex04, check, *args, match=match)
    assert_teaches_without_telling(check, message)
    return message


stub = not_done


# ---------------------------------------------------------------- task 1: threshold from a full cost matrix

@pytest.mark.parametrize("wrong, match", [
    (lambda C: C[0, 1] / (C[0, 1] + C[1, 0]), r"diagonal set to 0.*What does a correct decision add"),  # lecture's
    (lambda C: right_threshold(np.asarray(C).T), r"cost\[predicted, true\]\. Which index"),             # transposed
    (lambda C: 1 - right_threshold(C), r"too (low|high)|cost\[predicted, true\]"),                     # swapped
    (lambda C: 0.5, r"too (low|high)\. Which entries"),                                                # the default
    (lambda C: C[1, 0] / (C[0, 1] + C[1, 0]), r"too (low|high)|cost\[predicted, true\]"),               # swapped, lecture
    (lambda C: (C[0, 1] - C[0, 0]) / (C[0, 1] + C[1, 0]), r"too (low|high)|diagonal"),                 # half the diagonal
    (lambda C: 2.0, r"not a probability"),
    (lambda C: None, r"expected a number"),
    (lambda C: C[0], r"expected a single number"),
    (stub, r"not done yet"),
])
def test_wrong_thresholds_fail(wrong, match):
    fails("check_threshold_from_cost_matrix", wrong, match=match)


def test_the_lecture_formula_fails_on_the_first_matrix_with_a_diagonal():
    message = fails("check_threshold_from_cost_matrix", lambda C: C[0, 1] / (C[0, 1] + C[1, 0]), match="diagonal")
    assert "[[0.0, 4.0], [50.0, 4.0]]" in message


def test_forgetting_a_correct_negative_decision_passes_the_visible_cases_and_fails_the_hidden_ones(capsys):
    # invisible while cost[0, 0] = 0, as in every visible matrix
    def without_c00(cost):
        cost = np.asarray(cost, float)
        return cost[0, 1] / (cost[0, 1] + cost[1, 0] - cost[1, 1])
    ex04.check_threshold_from_cost_matrix(without_c00)
    with pytest.raises(CheckFailed) as info:
        hidden_ex04.check_threshold_from_cost_matrix(without_c00)
    assert_teaches_without_telling("check_threshold_from_cost_matrix", str(info.value))


# ---------------------------------------------------------------- task 3: the fraud scenario

@pytest.mark.parametrize("cost, match", [
    (RIGHT_COST.T, r"other's place across the diagonal\. Which index"),
    (np.array([[0.0, 5.0], [135.0, 0.0]]), r"fraud_cost\[1, 1\], the cost of a flagged fraudulent order.*\?"),
    (np.array([[0.0, 3.0], [135.0, 3.0]]), r"fraud_cost\[0, 1\].*on average\?"),       # lost margin forgotten
    (np.array([[0.0, 23.0], [135.0, 3.0]]), r"fraud_cost\[0, 1\]"),                     # every delayed customer cancels
    (np.array([[0.0, 5.0], [120.0, 3.0]]), r"fraud_cost\[1, 0\].*\?"),                  # the fee forgotten
    (np.array([[0.0, 5.0], [138.0, 3.0]]), r"fraud_cost\[1, 0\]"),                      # the review charged on a miss
    (np.array([[0.0, 1.0], [20.0, 0.0]]), r"fraud_cost\[0, 1\]"),                       # the lecture's matrix
])
def test_wrong_cost_matrices_fail_by_entry(cost, match):
    fails("check_fraud_scenario", cost, right_threshold(cost), right_threshold, match=match)


@pytest.mark.parametrize("threshold", [5.0 / 140.0, 0.5, 135.0 / 140.0])
def test_wrong_threshold_for_the_right_matrix_fails(threshold):
    # the off-diagonal-only formula, the default, and the swapped form
    fails("check_fraud_scenario", RIGHT_COST, threshold, None, match=r"fraud_threshold.*\?")


def test_the_threshold_must_come_from_the_task_1_function():
    fails("check_fraud_scenario", RIGHT_COST, right_threshold(RIGHT_COST), lambda C: 0.5,
          match="not what your task-1 function returns")
    fails("check_fraud_scenario", ..., 0.1, right_threshold, match="expected an array")
    fails("check_fraud_scenario", RIGHT_COST, ..., right_threshold, match="expected a single number")


def test_the_hidden_part_needs_the_task_1_function():
    ex04.check_fraud_scenario(RIGHT_COST, right_threshold(RIGHT_COST))
    with pytest.raises(CheckFailed, match="needs your task-1 function"):
        hidden_ex04.check_fraud_scenario(RIGHT_COST, right_threshold(RIGHT_COST))


def test_the_visible_module_holds_no_value_of_the_scenario_matrix():
    import inspect
    source = inspect.getsource(ex04)
    assert "135" not in source and "120.0 + 15" not in source and "0.1 * 20" not in source


# ---------------------------------------------------------------- task 4: predict the thresholds under prevalence

def test_the_visible_part_records_and_never_grades(capsys):
    for prediction in (RIGHT_PREDICTION, {k: "falls" for k in RIGHT_PREDICTION}):
        ex04.check_prevalence_prediction(dict(prediction), RIGHT_REASON)
    assert capsys.readouterr().out.count("two answers and a reason recorded") == 2


@pytest.mark.parametrize("prediction, reason, match", [
    ({k: ... for k in RIGHT_PREDICTION}, RIGHT_REASON, "not filled in yet"),
    ({}, RIGHT_REASON, "are missing"),
    ("rises", RIGHT_REASON, "expected a dict"),
    ({k: "higher" for k in RIGHT_PREDICTION}, RIGHT_REASON, "expected one of"),
    (RIGHT_PREDICTION, ..., "not filled in yet"),
    (RIGHT_PREDICTION, "F1", r"not a reason yet .*\?"),
])
def test_malformed_predictions_fail(prediction, reason, match):
    fails("check_prevalence_prediction", prediction, reason, match=match)


@pytest.mark.parametrize("prediction, match", [
    ({k: "stays" for k in RIGHT_PREDICTION}, r"1 of 2 .*'F1-maximising threshold': F1 counts"),     # F1 is fixed too
    ({k: "rises" for k in RIGHT_PREDICTION}, r"1 of 2 .*where does the\s+share of positives enter"),
    ({k: "falls" for k in RIGHT_PREDICTION}, r"2 of 2"),                                            # flag more when common
    ({"F1-maximising threshold": "stays", "cost-minimising threshold (misses 20, false alarms 1)": "falls"}, r"2 of 2"),
])
def test_wrong_predictions_pass_the_visible_part_and_fail_the_graded_one(capsys, prediction, match):
    ex04.check_prevalence_prediction(prediction, RIGHT_REASON)
    with pytest.raises(CheckFailed) as info:
        hidden_ex04.check_prevalence_prediction(prediction, RIGHT_REASON)
    message = str(info.value)
    assert re.search(match, message, flags=re.S), message
    assert_teaches_without_telling("check_prevalence_prediction", message)


def test_the_experiment_margins_are_wide():
    for seed in (0, 1):
        result = ex04.prevalence_experiment(seed)
        low, high = (result[s] for s in ex04.PREVALENCES)
        f1, cost = ex04.PREDICTION_KEYS
        assert high[f1] - low[f1] > 0.15
        assert abs(high[cost] - low[cost]) < ex04.STAYS_WITHIN / 2
        assert 0.015 < low["positives"] < 0.025 and 0.35 < high["positives"] < 0.40
        assert result["outcome"] == RIGHT_PREDICTION


# ---------------------------------------------------------------- task 6: debug the evaluation

@pytest.mark.parametrize("wrong, match", [
    (make_rule("test", True, "test", True), r"not one of the validation scores"),     # the function as given
    (make_rule("test"), r"not one of the validation scores\. Which scores"),           # only the swap fixed
    (make_rule("pooled"), r"not one of the validation scores|lower validation cost"),  # validation and test pooled
    (make_rule("val", True, "test", True), r"only if c_fn and c_fp trade places"),     # only the tuning fixed
    (make_rule("val", True), r"only if c_fn and c_fp trade places"),                   # swapped when choosing only
    (make_rule("val", report="val"), r"cost on the validation data\. On which data"),
    (make_rule("val", swap_report=True), r"other way round\. Which one"),
    (make_rule("val", divide_by="val"), r"divided by \d+\. How many examples"),        # the validation size
    (make_rule("val", divide_by="total"), r"a total, not a cost per example"),
    (make_rule("val", strict=True), r"scoring exactly t is left unflagged"),          # 'score > t'
    (make_rule("val", argbest=np.argmax), r"lower validation cost than your threshold"),
    (lambda pv, yv, pt, yt, cfn, cfp: (cfp / (cfp + cfn), 0.1), r"not one of the validation scores"),   # Bayes
    (lambda pv, yv, pt, yt, cfn, cfp: (float(np.median(pv)), rwc(pt, yt, float(np.median(pv)), cfn, cfp)),
     r"lower validation cost|not one of the validation scores"),
    (lambda *a: 0.3, r"return a pair"),
    (lambda *a: (None, 0.1), r"expected a number"),
    (stub, r"not done yet"),
])
def test_wrong_evaluations_fail(wrong, match):
    fails("check_evaluate_cost_rule", wrong, match=match)


def test_an_evaluation_that_calls_the_library_is_blocked_and_the_library_restored():
    import wloss.metrics
    originals = (wloss.decisions.best_threshold, wloss.decisions.real_world_cost)

    def via_library(p_val, y_val, p_test, y_test, c_fn, c_fp):
        t = wloss.decisions.best_threshold(p_val, y_val, "cost", fn_cost=c_fn, fp_cost=c_fp)
        return t, wloss.decisions.real_world_cost(y_test, (p_test >= t).astype(int), c_fn, c_fp)
    fails("check_evaluate_cost_rule", via_library, match="your code called wloss.decisions.best_threshold")
    assert originals == (wloss.decisions.best_threshold, wloss.decisions.real_world_cost)


def test_a_threshold_from_the_library_is_blocked():
    import wloss.metrics

    def via_library(C):
        return wloss.decisions.bayes_threshold(C[1, 0] - C[1, 1], C[0, 1] - C[0, 0])
    fails("check_threshold_from_cost_matrix", via_library, match="your code called wloss.decisions.bayes_threshold")


def test_the_given_function_fails():
    import nbformat
    from notebook_utils import ROOT
    nb = nbformat.read(ROOT / "exercises" / "04_thresholds_costs.ipynb", 4)
    source = next(c.source for c in nb.cells if "def evaluate_cost_rule_given" in c.source)
    namespace = {"np": np, "ex04": ex04}
    exec(source.split("\n\n\np_val")[0], namespace)
    fails("check_evaluate_cost_rule", namespace["evaluate_cost_rule_given"], match="not one of the validation scores")


def test_the_cases_tell_the_sets_apart():
    for case in ex04.EVALUATION_CASES + hidden_ex04.EVALUATION_CASES:
        _, s_val, y_val, s_test, y_test, _, _ = case
        assert len(y_val) != len(y_test)
        assert not np.intersect1d(s_val, s_test).size


def test_a_list_is_a_pair_too(capsys):
    ex04.check_evaluate_cost_rule(lambda *a: list(right_evaluation(*a)))


def test_a_rule_right_only_on_the_visible_cases_fails_the_hidden_ones():
    visible = {len(case[2]) for case in ex04.EVALUATION_CASES}

    def memorised(p_val, y_val, p_test, y_test, c_fn, c_fp):
        t, cost = right_evaluation(p_val, y_val, p_test, y_test, c_fn, c_fp)
        return (t, cost) if len(y_val) in visible else (t, cost * len(y_test) / len(y_val))
    ex04.check_evaluate_cost_rule(memorised)
    with pytest.raises(CheckFailed, match="How many examples"):
        hidden_ex04.check_evaluate_cost_rule(memorised)


# ---------------------------------------------------------------- task 8: the open cost model

def test_a_well_formed_cost_model_passes(capsys):
    ex04.check_my_cost_model(*right_my_cost_model_args())
    assert "\u2714" in capsys.readouterr().out


def _changed(index, value):
    args = list(right_my_cost_model_args())
    args[index] = value
    return args


@pytest.mark.parametrize("args, match", [
    (_changed(0, ...), "expected an array"),
    (_changed(0, np.ones(3)), "expected shape"),
    (_changed(0, np.array([[0.0, -2.0], [30.0, 1.0]])), "negative or not finite"),
    (_changed(0, np.array([[3.0, 2.0], [30.0, 1.0]])), r"my_cost\[0\].*\?"),
    (_changed(0, np.array([[0.0, 2.0], [1.0, 30.0]])), r"my_cost\[1\].*\?"),
    (_changed(1, ...), "expected a dict"),
    (_changed(1, {"00": "nothing happens to anybody at all", "01": "x"}), "expected a dict"),
    (_changed(1, {k: "money" for k in ("00", "01", "10", "11")}), r"my_cost_sources\['00'\]"),
    (_changed(2, ...), "expected a single number"),
    (_changed(2, 0.5), "not what your task-1 function returns"),
    (_changed(3, stub), "not done yet"),
])
def test_malformed_cost_models_fail(args, match):
    with pytest.raises(CheckFailed, match=match) as info:
        ex04.check_my_cost_model(*args)
    assert_teaches_without_telling("check_my_cost_model", str(info.value))


# ---------------------------------------------------------------- right answers, visible and hidden

def test_right_answers_pass_visible_and_hidden(capsys):
    ex04.check_threshold_from_cost_matrix(right_threshold)
    ex04.check_evaluate_cost_rule(right_evaluation)
    assert capsys.readouterr().out.count("\u2714") == 2
    for module in (ex04, hidden_ex04):
        module.check_threshold_from_cost_matrix(right_threshold)
        module.check_fraud_scenario(RIGHT_COST, right_threshold(RIGHT_COST), right_threshold)
        module.check_prevalence_prediction(dict(RIGHT_PREDICTION), RIGHT_REASON)
        module.check_evaluate_cost_rule(right_evaluation)
        module.check_interpolated_average_precision(right_interpolated_ap)
    assert capsys.readouterr().out.count("\u2714") == 10


def test_the_visible_only_answer_passes_every_visible_check_and_fails_a_hidden_one():
    """The solution's threshold with the cost of a correct negative decision left out: every visible matrix, the
    scenario's and the open task's have cost[0, 0] = 0; the hidden matrices do not."""
    answer = visible_only_answer("04_thresholds_costs.ipynb", VISIBLE_ONLY, "threshold_from_cost_matrix")
    ex04.check_threshold_from_cost_matrix(answer)
    ex04.check_fraud_scenario(RIGHT_COST, answer(RIGHT_COST), answer)
    with pytest.raises(CheckFailed):
        hidden_ex04.check_threshold_from_cost_matrix(answer)


VISIBLE_ONLY = ("cost[0, 1] - cost[0, 0]", "cost[0, 1] - 0.0")


# ---------------------------------------------------------------- task 7: interpolated average precision

def right_interpolated_ap(y_true, scores):
    """Written from the definition, one distinct threshold at a time, independently of the check's brute force."""
    y, s = np.asarray(y_true), np.asarray(scores, dtype=float)
    thresholds = np.unique(s)[::-1]                                    # highest first; a tie is one threshold
    precision = [y[s >= t].mean() for t in thresholds]
    recall = [y[s >= t].sum() / y.sum() for t in thresholds]
    ap, previous_recall = 0.0, 0.0
    for n in range(len(thresholds)):
        ap += (recall[n] - previous_recall) * max(precision[n:])        # best precision at recall >= R_n
        previous_recall = recall[n]
    return ap


def distinct_points(y, s):
    """(precision, recall) at each distinct threshold, highest threshold first."""
    y, s = np.asarray(y), np.asarray(s, dtype=float)
    thresholds = np.unique(s)[::-1]
    return (np.array([y[s >= t].mean() for t in thresholds]),
            np.array([y[s >= t].sum() / y.sum() for t in thresholds]))


def step_wise_ap(y, s):                               # the lecture's AP, written out: no interpolation
    precision, recall = distinct_points(y, s)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def one_at_a_time(sort):
    """Interpolated AP with every example its own threshold, in the order `sort` gives (ties broken by it)."""
    def wrong(y, s):
        y, s = np.asarray(y, dtype=float), np.asarray(s, dtype=float)
        hits = y[sort(y, s)]
        precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
        recall = np.cumsum(hits) / hits.sum()
        envelope = np.maximum.accumulate(precision[::-1])[::-1]
        return float(np.sum(np.diff(np.r_[0.0, recall]) * envelope))
    return wrong


def max_from_the_top(y, s):                           # the running maximum taken over the higher thresholds
    precision, recall = distinct_points(y, s)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * np.maximum.accumulate(precision)))


def eleven_points(y, s):                              # the VOC 2007 convention: 11 fixed recall levels
    precision, recall = distinct_points(y, s)
    return float(np.mean([precision[recall >= r - 1e-12].max() for r in np.linspace(0, 1, 11)]))


def trapezoid_under_points(y, s):                     # straight lines between the PR points (sklearn.metrics.auc)
    precision, recall = distinct_points(y, s)
    return float(np.trapezoid(np.r_[1.0, precision], np.r_[0.0, recall]))


def trapezoid_under_envelope(y, s):
    precision, recall = distinct_points(y, s)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    return float(np.trapezoid(np.r_[envelope[0], envelope], np.r_[0.0, recall]))


def strictly_beyond(y, s):                            # max over the LOWER thresholds only, own point left out
    precision, recall = distinct_points(y, s)
    envelope = np.r_[np.maximum.accumulate(precision[::-1])[::-1][1:], 0.0]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * envelope))


def shifted_by_one(y, s):                             # each recall step paired with the previous threshold's value
    precision, recall = distinct_points(y, s)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * np.r_[1.0, envelope[:-1]]))


FORBIDDEN["check_interpolated_average_precision"] = _ap_values() | {"accumulate", "np.unique", "lexsort", "argsort",
                                                                    "kind=", "[::-1]"}


TIED = "y = [0, 1, 0, 1], scores = [0.5, 0.9, 0.9, 0.5]"     # the smallest case with ties


@pytest.mark.parametrize("wrong, match, smallest", [
    (step_wise_ap, "step-wise AP of the lecture", "y = [1, 0, 1]"),                        # the lecture's AP
    (one_at_a_time(lambda y, s: np.argsort(-s, kind="stable")), "another order", TIED),   # ties one by one
    (one_at_a_time(lambda y, s: np.argsort(s, kind="stable")[::-1]), "another order", TIED),
    (one_at_a_time(lambda y, s: np.lexsort((-y, -s))), "part-way through a group of equal scores", TIED),
    (max_from_the_top, "step-wise AP of the lecture", "y = [1, 0, 1]"),
    (eleven_points, "fixed recall levels", "y = [0, 1, 0, 1], scores = [0.4"),
    (trapezoid_under_points, "straight lines joining the points", "y = [1, 0, 1]"),
    (trapezoid_under_envelope, "straight lines joining the points", "ex04.ap_case(40)"),
    (strictly_beyond, "below the step-wise AP", "y = [1, 0, 1]"),
    (shifted_by_one, "higher than the interpolated AP can be", TIED),
])
def test_wrong_interpolated_aps_fail_on_the_smallest_case_without_the_answer(wrong, match, smallest):
    message = fails("check_interpolated_average_precision", wrong, match=match)
    assert smallest in message and message.rstrip().endswith("?")
    with pytest.raises(CheckFailed):
        hidden_ex04.check_interpolated_average_precision(wrong)


def via_scikit_learn(y, s):
    """A right answer built on scikit-learn's curve: the task asks for the curve too, so it is blocked."""
    import sklearn.metrics
    precision, recall, _ = sklearn.metrics.precision_recall_curve(y, s)    # lowest threshold first
    return float(-np.sum(np.diff(recall) * np.maximum.accumulate(precision)[:-1]))


def via_wloss(y, s):
    from wloss.metrics import precision_recall_curve
    precision, recall, _ = precision_recall_curve(y, s)
    return float(-np.sum(np.diff(recall) * np.maximum.accumulate(precision)[:-1]))


def just_scikit_learn(y, s):                          # the step-wise AP, straight from the library
    import sklearn.metrics
    return sklearn.metrics.average_precision_score(y, s)


def just_wloss(y, s):
    import wloss.metrics
    return wloss.metrics.average_precision(y, s)


@pytest.mark.parametrize("library_answer, blocked", [
    (via_scikit_learn, "sklearn.metrics.precision_recall_curve"),
    (via_wloss, "wloss.metrics.precision_recall_curve"),
    (just_scikit_learn, "sklearn.metrics.average_precision_score"),
    (just_wloss, "wloss.metrics.average_precision"),
])
def test_answers_that_call_the_library_are_blocked_and_the_library_restored(library_answer, blocked):
    import sklearn.metrics
    import wloss.metrics
    originals = [sklearn.metrics.precision_recall_curve, sklearn.metrics.average_precision_score,
                 wloss.metrics.precision_recall_curve, wloss.metrics.average_precision]
    assert via_scikit_learn([1, 0, 1], [0.8, 0.9, 0.7]) == pytest.approx(right_interpolated_ap([1, 0, 1],
                                                                                               [0.8, 0.9, 0.7]))
    fails("check_interpolated_average_precision", library_answer, match=f"your code called {blocked}, ")
    assert originals == [sklearn.metrics.precision_recall_curve, sklearn.metrics.average_precision_score,
                         wloss.metrics.precision_recall_curve, wloss.metrics.average_precision]


def test_unsolved_and_malformed_interpolated_aps_fail_cleanly():
    fails("check_interpolated_average_precision", stub, match="not done yet")
    fails("check_interpolated_average_precision", lambda y, s: None, match="expected a number")
    fails("check_interpolated_average_precision", lambda y, s: 1.5, match=r"\[0, 1\]")


def test_the_reference_and_the_cases_are_what_the_task_says():
    from wloss.metrics import average_precision
    for cases in (ex04.AP_CASES, hidden_ex04.AP_CASES):
        assert [len(y) for _, y, _ in cases] == sorted(len(y) for _, y, _ in cases)        # smallest first
        for _, y, s in cases:
            assert ex04._brute_force_ap(y, s) == pytest.approx(right_interpolated_ap(y, s), abs=1e-12)
            assert ex04._brute_force_ap(y, s, interpolated=False) == pytest.approx(average_precision(y, s), abs=1e-12)
        # every larger case has ties and a ranking on which interpolation matters
        _, y, s = cases[-1]
        assert len(np.unique(s)) < len(s) / 3
        assert right_interpolated_ap(y, s) > step_wise_ap(y, s) + 0.005


def test_right_interpolated_ap_passes_visible_and_hidden(capsys):
    ex04.check_interpolated_average_precision(right_interpolated_ap)
    hidden_ex04.check_interpolated_average_precision(right_interpolated_ap)
    assert capsys.readouterr().out.count("\u2714") == 2
