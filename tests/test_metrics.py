"""Metrics (wloss.metrics) and the costs and thresholds of wloss.decisions: cross-checked against scikit-learn and
brute force; one test per bad input."""
import numpy as np
import pytest
import sklearn.metrics as skm
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from wloss.decisions import bayes_threshold, best_threshold, real_world_cost
from wloss.metrics import balanced_accuracy, confusion_matrix, per_class_recall, precision_recall_f1


def random_labels(seed, n=300, k=4):
    rng = np.random.default_rng(seed)
    return rng.integers(0, k, n), rng.integers(0, k, n)


@pytest.mark.parametrize("seed", range(5))
def test_confusion_matrix_matches_sklearn(seed):
    y_true, y_pred = random_labels(seed)
    expected = skm.confusion_matrix(y_true, y_pred, labels=range(6))
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, num_classes=6), expected)


def test_confusion_matrix_rows_are_true_classes():
    np.testing.assert_array_equal(confusion_matrix([0, 0, 1], [1, 1, 1]), [[0, 2], [0, 1]])


@pytest.mark.parametrize("seed", range(5))
def test_precision_recall_f1_match_sklearn(seed):
    y_true, y_pred = (labels % 2 for labels in random_labels(seed))
    expected = skm.precision_recall_fscore_support(y_true, y_pred, average="binary")[:3]
    np.testing.assert_allclose(precision_recall_f1(y_true, y_pred), expected, rtol=1e-12)


def test_precision_zero_division_is_zero():
    assert precision_recall_f1([1, 0], [0, 0]) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("seed", range(5))
def test_per_class_recall_and_balanced_accuracy_match_sklearn(seed):
    y_true, y_pred = random_labels(seed)
    np.testing.assert_allclose(per_class_recall(y_true, y_pred), skm.recall_score(y_true, y_pred, average=None))
    assert balanced_accuracy(y_true, y_pred) == pytest.approx(skm.balanced_accuracy_score(y_true, y_pred))


def test_per_class_recall_nan_for_absent_class_and_balanced_accuracy_skips_it():
    recall = per_class_recall([0, 0, 2], [0, 1, 2])
    np.testing.assert_array_equal(recall, [0.5, np.nan, 1.0])
    assert balanced_accuracy([0, 0, 2], [0, 1, 2]) == pytest.approx(0.75)


def test_real_world_cost_binary_from_counts():
    y_true = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    y_pred = np.array([0, 0, 1, 1, 0, 0, 0, 0])
    fn, fp = 2000.0, 100.0
    cm = skm.confusion_matrix(y_true, y_pred)
    assert real_world_cost(y_true, y_pred, fn, fp) == pytest.approx((cm[1, 0] * fn + cm[0, 1] * fp) / 8)


def test_real_world_cost_multiclass_per_example_definition():
    rng = np.random.default_rng(0)
    k = 5
    y_true, y_pred = rng.integers(0, k, 200), rng.integers(0, k, 200)
    fn_cost, fp_cost = rng.uniform(0, 3, k), rng.uniform(0, 3, (k, k))
    per_example = [fn_cost[i] + fp_cost[i, j] if i != j else 0.0 for i, j in zip(y_true, y_pred)]
    assert real_world_cost(y_true, y_pred, fn_cost, fp_cost) == pytest.approx(np.mean(per_example), rel=1e-12)


def test_real_world_cost_paper_targeted_pair():
    # fn = 1 everywhere, fp[i, j] = 19 for one pair: that mistake costs 20, others 1
    fn_cost, fp_cost = np.ones(3), np.zeros((3, 3))
    fp_cost[2, 0] = 19.0
    y_true, y_pred = [2, 2, 1, 0], [0, 1, 1, 0]
    assert real_world_cost(y_true, y_pred, fn_cost, fp_cost) == pytest.approx((20 + 1) / 4)


def test_real_world_cost_binary_equals_multiclass_form():
    y_true, y_pred = (labels % 2 for labels in random_labels(3))
    fn_cost = np.array([0.0, 7.0])  # missing the positive class costs c_fn
    fp_cost = np.array([[0.0, 2.0], [0.0, 0.0]])  # predicting positive for a negative costs c_fp
    assert real_world_cost(y_true, y_pred, fn_cost, fp_cost) == pytest.approx(
        real_world_cost(y_true, y_pred, 7.0, 2.0), rel=1e-12
    )


def test_bayes_threshold_formula_and_decision():
    assert bayes_threshold(2000.0, 100.0) == pytest.approx(100 / 2100)
    assert bayes_threshold(1.0, 1.0) == 0.5
    assert bayes_threshold(0.0, 3.0) == 1.0
    # at p just above t*, predicting positive has the lower expected cost
    t = bayes_threshold(5.0, 2.0)
    for p in (t - 1e-9, t + 1e-9):
        assert (2.0 * (1 - p) < 5.0 * p) == (p > t)


def brute_force_best(scores, y_true, objective, fn_cost=None, fp_cost=None):
    """Every distinct score (and inf) as threshold; ties to the largest threshold."""
    candidates = np.r_[np.inf, np.sort(np.unique(scores))[::-1]]
    if objective == "f1":
        values = [-skm.f1_score(y_true, (scores >= t).astype(int), zero_division=0) for t in candidates]
    else:
        values = [real_world_cost(y_true, (scores >= t).astype(int), fn_cost, fp_cost) for t in candidates]
    return candidates, np.array(values)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 12), st.integers(0, 1)), min_size=1, max_size=40),
    st.sampled_from(["f1", "cost"]),
    st.integers(0, 20),
    st.integers(0, 20),
)
def test_best_threshold_equals_brute_force(pairs, objective, fn_cost, fp_cost):
    scores = np.array([p[0] for p in pairs]) / 12.0  # few distinct values: many ties
    y_true = np.array([p[1] for p in pairs])
    if objective == "f1" and y_true.sum() == 0:
        y_true[0] = 1
    candidates, values = brute_force_best(scores, y_true, objective, float(fn_cost), float(fp_cost))
    found = best_threshold(scores, y_true, objective, fn_cost=float(fn_cost), fp_cost=float(fp_cost))
    best = values.min()
    found_value = values[candidates == found][0]
    assert found_value == pytest.approx(best, abs=1e-12)
    # tie rule: the largest threshold among the optimal ones
    optimal = candidates[np.isclose(values, best, rtol=0, atol=1e-12)]
    assert found == optimal.max()


def test_best_threshold_f1_on_continuous_scores_matches_sklearn_sweep():
    rng = np.random.default_rng(1)
    y_true = (rng.random(500) < 0.1).astype(int)
    scores = rng.normal(size=500) + 1.5 * y_true
    t = best_threshold(scores, y_true, "f1")
    best_f1 = max(skm.f1_score(y_true, (scores >= s).astype(int)) for s in np.unique(scores))
    assert skm.f1_score(y_true, (scores >= t).astype(int)) == pytest.approx(best_f1, abs=1e-12)


def test_best_threshold_cost_can_predict_no_positive():
    assert best_threshold([0.2, 0.9], [0, 0], "cost", fn_cost=1.0, fp_cost=1.0) == np.inf


def test_best_threshold_accepts_torch_scores():
    assert best_threshold(torch.tensor([0.1, 0.9]), [0, 1]) == pytest.approx(0.9)


# ---- bad input: one test per case, error type and the argument named ----

def test_mismatched_lengths():
    with pytest.raises(ValueError, match="y_true and y_pred must have the same length"):
        confusion_matrix([0, 1, 1], [0, 1])


def test_scores_and_labels_mismatched_lengths():
    with pytest.raises(ValueError, match="scores and y_true must have the same length"):
        best_threshold([0.1, 0.2], [0, 1, 1])


def test_labels_out_of_range():
    with pytest.raises(ValueError, match=r"y_pred must hold labels in \[0, 2\)"):
        confusion_matrix([0, 1], [0, 2], num_classes=2)


def test_negative_labels():
    with pytest.raises(ValueError, match="y_true must hold labels >= 0"):
        per_class_recall([-1, 1], [0, 1])


def test_non_integer_labels():
    with pytest.raises(ValueError, match="y_true must hold integer"):
        balanced_accuracy([0.5, 1], [0, 1])


def test_non_numeric_labels():
    with pytest.raises(TypeError, match="y_pred must hold integer"):
        confusion_matrix([0, 1], ["a", "b"])


def test_non_binary_labels_for_binary_metric():
    with pytest.raises(ValueError, match="y_true must hold binary labels"):
        precision_recall_f1([0, 2], [0, 1])


def test_empty_input():
    with pytest.raises(ValueError, match="y_true is empty"):
        confusion_matrix([], [])


def test_empty_scores():
    with pytest.raises(ValueError, match="scores is empty"):
        best_threshold([], [])


def test_nan_scores():
    with pytest.raises(ValueError, match="scores must be finite"):
        best_threshold([0.1, np.nan], [0, 1])


def test_scores_wrong_shape():
    with pytest.raises(ValueError, match=r"scores must be 1-D"):
        best_threshold([[0.1, 0.2]], [0, 1])


def test_negative_fn_cost():
    with pytest.raises(ValueError, match="fn_cost must be >= 0"):
        real_world_cost([0, 1], [1, 1], -1.0, 1.0)


def test_nan_fp_cost():
    with pytest.raises(ValueError, match="fp_cost must be finite"):
        real_world_cost([0, 1], [1, 1], 1.0, np.nan)


def test_infinite_cost_in_bayes_threshold():
    with pytest.raises(ValueError, match="fn_cost must be finite"):
        bayes_threshold(np.inf, 1.0)


def test_negative_cost_in_bayes_threshold():
    with pytest.raises(ValueError, match="fp_cost must be >= 0"):
        bayes_threshold(1.0, -0.5)


def test_both_costs_zero():
    with pytest.raises(ValueError, match="fn_cost and fp_cost are both 0"):
        bayes_threshold(0.0, 0.0)


def test_non_numeric_cost():
    with pytest.raises(TypeError, match="fn_cost must be a number"):
        bayes_threshold("high", 1.0)


def test_wrong_fp_cost_shape_multiclass():
    with pytest.raises(ValueError, match=r"fp_cost must have shape \(3, 3\)"):
        real_world_cost([0, 1, 2], [0, 1, 1], np.ones(3), np.ones((3, 2)))


def test_wrong_fn_cost_shape():
    with pytest.raises(ValueError, match="fn_cost must be a scalar .* or have shape"):
        real_world_cost([0, 1], [0, 1], np.ones((2, 2)), np.ones((2, 2)))


def test_scalar_fn_cost_with_matrix_fp_cost():
    with pytest.raises(ValueError, match=r"fp_cost must have shape \(\)"):
        real_world_cost([0, 1], [0, 1], 1.0, np.ones((2, 2)))


def test_labels_beyond_cost_size():
    with pytest.raises(ValueError, match=r"y_true must hold labels in \[0, 2\)"):
        real_world_cost([0, 2], [0, 1], np.ones(2), np.ones((2, 2)))


def test_unknown_objective():
    with pytest.raises(ValueError, match="objective must be one of"):
        best_threshold([0.1, 0.9], [0, 1], objective="accuracy")


@pytest.mark.parametrize("missing", ["fn_cost", "fp_cost"])
def test_missing_costs_for_cost_objective(missing):
    costs = {"fn_cost": 1.0, "fp_cost": 1.0, missing: None}
    with pytest.raises(ValueError, match=f"{missing} is required"):
        best_threshold([0.1, 0.9], [0, 1], objective="cost", **costs)


def test_f1_without_positives():
    with pytest.raises(ValueError, match="y_true has no positive"):
        best_threshold([0.1, 0.9], [0, 0], objective="f1")


@pytest.mark.parametrize("name", ["wloss.metrics", "wloss.decisions"])
def test_docstring_examples(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted > 0
