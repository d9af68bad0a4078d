"""Exercise 04's checks: plausible wrong answers fail with a message that names the mistake, never the answer."""
import numpy as np
import pytest

from wloss.checks import CheckFailed, ex04


def fails(check, *args, match, **kwargs):
    with pytest.raises(CheckFailed, match=match) as info:
        check(*args, **kwargs)
    return str(info.value)


# ---------------------------------------------------------------- task 1: threshold from a full cost matrix

def right_threshold(cost):
    cost = np.asarray(cost, float)
    a, b = cost[0, 1] - cost[0, 0], cost[1, 0] - cost[1, 1]
    return a / (a + b)


def answers_printed(message, matrices):
    return [f"{right_threshold(m):.3f}" for m in matrices if f"{right_threshold(m):.3f}" in message]


@pytest.mark.parametrize("wrong, match", [
    (lambda C: C[0, 1] / (C[0, 1] + C[1, 0]), "used only the two mistakes' costs"),          # the lecture's formula
    (lambda C: right_threshold(np.asarray(C).T), "read the matrix as C\\[predicted, true\\]"),   # transposed
    (lambda C: 1 - right_threshold(C), "C\\[predicted, true\\]|too (low|high)"),              # the two mistakes swapped
    (lambda C: 0.5, "too (low|high)|expectation"),                                           # the default threshold
    (lambda C: C[1, 0] / (C[0, 1] + C[1, 0]), "C\\[predicted, true\\]|too (low|high)"),       # swapped, lecture form
])
def test_wrong_thresholds_fail_without_printing_the_answer(wrong, match):
    message = fails(ex04.check_threshold_from_cost_matrix, wrong, match=match)
    assert not answers_printed(message, ex04._MATRICES + ex04._MATRICES_HIDDEN)


def test_the_lecture_formula_passes_visible_zero_diagonal_cases_only_up_to_the_third():
    # the two-cost formula is right on the first two (zero diagonal) matrices, so the third case must catch it
    message = fails(ex04.check_threshold_from_cost_matrix, lambda C: C[0, 1] / (C[0, 1] + C[1, 0]), match="diagonal")
    assert "[[0.0, 4.0], [50.0, 4.0]]" in message


def test_threshold_answers_that_are_not_probabilities_fail_cleanly():
    fails(ex04.check_threshold_from_cost_matrix, lambda C: None, match="expected a number")
    fails(ex04.check_threshold_from_cost_matrix, lambda C: C[0], match="expected a single number")
    fails(ex04.check_threshold_from_cost_matrix, lambda C: 2.0, match="not a probability")


# ---------------------------------------------------------------- task 3: the fraud scenario

RIGHT_COST = np.array([[0.0, 5.0], [135.0, 3.0]])


@pytest.mark.parametrize("cost, match", [
    (RIGHT_COST.T, "transposed"),
    (np.array([[0.0, 5.0], [135.0, 0.0]]), r"fraud_cost\[1, 1\].*caught, but the review"),    # review of a fraud forgotten
    (np.array([[0.0, 3.0], [135.0, 3.0]]), r"fraud_cost\[0, 1\].*cancel"),                    # lost margin forgotten
    (np.array([[0.0, 23.0], [135.0, 3.0]]), r"fraud_cost\[0, 1\]"),                           # every delayed customer cancels
    (np.array([[0.0, 5.0], [120.0, 3.0]]), r"fraud_cost\[1, 0\].*fee"),                       # chargeback fee forgotten
])
def test_wrong_cost_matrices_fail_by_entry(cost, match):
    message = fails(ex04.check_fraud_scenario, cost, right_threshold(cost), match=match)
    assert "135" not in message and "5.0" not in message


@pytest.mark.parametrize("threshold", [5.0 / 140.0, 0.5, 135.0 / 140.0])
def test_wrong_threshold_for_the_right_matrix_fails(threshold):
    # off-diagonal-only formula, the default, and the swapped form
    fails(ex04.check_fraud_scenario, RIGHT_COST, threshold, match="fraud_threshold")


def test_hidden_part_checks_the_threshold_comes_from_the_task_1_function():
    fails(ex04.check_fraud_scenario, RIGHT_COST, right_threshold(RIGHT_COST), lambda C: 0.5, hidden=True,
          match="not what your task-1 function returns")


# ---------------------------------------------------------------- task 4: predict F1 vs cost threshold

RIGHT_PREDICTION = {"misses cost 20, false alarms 1": "higher", "misses cost 1, false alarms 5": "lower"}


@pytest.mark.parametrize("prediction, match", [
    ({k: "higher" for k in RIGHT_PREDICTION}, "1 of 2"),            # 'F1 always flags less'
    ({k: "lower" for k in RIGHT_PREDICTION}, "1 of 2"),             # 'F1 always flags more'
    ({k: "about the same" for k in RIGHT_PREDICTION}, "2 of 2"),    # 'F1 is about right for imbalance'
    ({"misses cost 20, false alarms 1": "lower", "misses cost 1, false alarms 5": "higher"}, "2 of 2"),
])
def test_wrong_predictions_fail(prediction, match):
    fails(ex04.check_f1_threshold_prediction, prediction, match=match)
    with pytest.raises(CheckFailed):
        ex04.check_f1_threshold_prediction(prediction, hidden=True)


def test_malformed_predictions_fail():
    fails(ex04.check_f1_threshold_prediction, {k: ... for k in RIGHT_PREDICTION}, match="not filled in yet")
    fails(ex04.check_f1_threshold_prediction, {}, match="are missing")
    fails(ex04.check_f1_threshold_prediction, "higher", match="expected a dict")


def test_experiment_margins_are_wide():
    for seed in (0, 7):
        scores, y = ex04.calibrated_validation_scores(seed=seed)
        t_f1, t_20 = ex04.f1_and_cost_thresholds(scores, y, 20.0, 1.0)
        _, t_5 = ex04.f1_and_cost_thresholds(scores, y, 1.0, 5.0)
        assert t_f1 - t_20 > 0.1 and t_5 - t_f1 > 0.2


# ---------------------------------------------------------------- task 5: debug the evaluation

def rwc(scores, y, t, c_fn, c_fp, swap=False):
    predicted = (np.asarray(scores) >= t).astype(int)
    fn = np.sum((predicted == 0) & (y == 1))
    fp = np.sum((predicted == 1) & (y == 0))
    if swap:
        fn, fp = fp, fn
    return float((fn * c_fn + fp * c_fp) / len(y))


def make_rule(select_on="val", swap_select=False, report="test", swap_report=False):
    def rule(p_val, y_val, p_test, y_test, c_fn, c_fp):
        s, y = (p_val, y_val) if select_on == "val" else (p_test, y_test)
        candidates = np.unique(s)
        t = float(candidates[int(np.argmin([rwc(s, y, c, c_fn, c_fp, swap_select) for c in candidates]))])
        rs, ry = (p_test, y_test) if report == "test" else (p_val, y_val)
        return t, rwc(rs, ry, t, c_fn, c_fp, swap_report)
    return rule


@pytest.mark.parametrize("wrong, match", [
    (make_rule("test", True, "test", True), "(?s)two things are wrong.*which data.*false negative"),  # as given
    (make_rule("test", False, "test", False), "chosen on the test set"),           # only the swap fixed
    (make_rule("val", True, "test", True), "swapped"),                             # only the tuning fixed
    (make_rule("val", False, "val", False), "reported the validation cost"),
    (make_rule("val", False, "test", True), "wrong way round"),
])
def test_wrong_evaluations_fail(wrong, match):
    fails(ex04.check_evaluate_cost_rule, wrong, match=match)
    with pytest.raises(CheckFailed):
        ex04.check_evaluate_cost_rule(wrong, hidden=True)


def test_the_given_function_fails():
    import nbformat
    from notebook_utils import ROOT
    nb = nbformat.read(ROOT / "exercises" / "04_thresholds_costs.ipynb", 4)
    source = next(c.source for c in nb.cells if "def evaluate_cost_rule_given" in c.source)
    namespace = {"np": np, "ex04": ex04}
    exec(source.split("\n\n\np_val")[0], namespace)
    with pytest.raises(CheckFailed):
        ex04.check_evaluate_cost_rule(namespace["evaluate_cost_rule_given"])


def test_evaluation_returning_a_single_number_fails_cleanly():
    fails(ex04.check_evaluate_cost_rule, lambda *a: 0.3, match="return a pair")


# ---------------------------------------------------------------- right answers

def test_right_answers_pass_visible_and_hidden(capsys):
    for hidden in (False, True):
        ex04.check_threshold_from_cost_matrix(right_threshold, hidden=hidden)
        ex04.check_fraud_scenario(RIGHT_COST, right_threshold(RIGHT_COST), right_threshold, hidden=hidden)
        ex04.check_f1_threshold_prediction(dict(RIGHT_PREDICTION), hidden=hidden)
        ex04.check_evaluate_cost_rule(make_rule(), hidden=hidden)
        ex04.check_evaluate_cost_rule(lambda *a: list(make_rule()(*a)), hidden=hidden)   # a list is a pair too
    assert capsys.readouterr().out.count("\u2714") == 10


def test_hidden_cases_catch_what_the_visible_ones_miss(capsys):
    # forgetting the cost of a correct negative decision is invisible while cost[0, 0] = 0, as in every visible case
    def without_c00(cost):
        cost = np.asarray(cost, float)
        return cost[0, 1] / (cost[0, 1] + cost[1, 0] - cost[1, 1])
    ex04.check_threshold_from_cost_matrix(without_c00)
    assert "\u2714" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        ex04.check_threshold_from_cost_matrix(without_c00, hidden=True)


# ---------------------------------------------------------------- task 6: interpolated average precision

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


def ap_forbidden(message):
    """Fragments a failure message must not contain: an expected value, or the key token of a fix."""
    values = [right_interpolated_ap(y, s) for hidden in (False, True) for _, y, s in ex04._ap_cases(hidden)]
    numbers = {f"{v:.3f}" for v in values} | {f"{v:.4f}" for v in values} | {"2/3", "3/4", "1/4"}
    tokens = {"accumulate", "np.unique", "lexsort", "argsort", "kind=", "[::-1]"}
    return sorted(fragment for fragment in numbers | tokens if fragment in message)


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
    message = fails(ex04.check_interpolated_average_precision, wrong, match=match)
    assert smallest in message and message.rstrip().endswith("?")
    assert not ap_forbidden(message), ap_forbidden(message)
    with pytest.raises(CheckFailed):
        ex04.check_interpolated_average_precision(wrong, hidden=True)


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
    fails(ex04.check_interpolated_average_precision, library_answer, match=f"your code called {blocked}, ")
    assert originals == [sklearn.metrics.precision_recall_curve, sklearn.metrics.average_precision_score,
                         wloss.metrics.precision_recall_curve, wloss.metrics.average_precision]


def test_unsolved_and_malformed_interpolated_aps_fail_cleanly():
    def stub(y, s):
        raise NotImplementedError()
    fails(ex04.check_interpolated_average_precision, stub, match="not done yet")
    fails(ex04.check_interpolated_average_precision, lambda y, s: None, match="expected a number")
    fails(ex04.check_interpolated_average_precision, lambda y, s: 1.5, match=r"\[0, 1\]")


def test_the_reference_and_the_cases_are_what_the_task_says():
    from wloss.metrics import average_precision
    for hidden in (False, True):
        cases = ex04._ap_cases(hidden)
        assert [len(y) for _, y, _ in cases] == sorted(len(y) for _, y, _ in cases)        # smallest first
        for _, y, s in cases:
            assert ex04._brute_force_ap(y, s) == pytest.approx(right_interpolated_ap(y, s), abs=1e-12)
            assert ex04._brute_force_ap(y, s, interpolated=False) == pytest.approx(average_precision(y, s), abs=1e-12)
        # every larger case has ties and a ranking on which interpolation matters
        _, y, s = cases[-1]
        assert len(np.unique(s)) < len(s) / 3
        assert right_interpolated_ap(y, s) > step_wise_ap(y, s) + 0.005


def test_right_interpolated_ap_passes_visible_and_hidden(capsys):
    for hidden in (False, True):
        ex04.check_interpolated_average_precision(right_interpolated_ap, hidden=hidden)
    assert capsys.readouterr().out.count("\u2714") == 2
