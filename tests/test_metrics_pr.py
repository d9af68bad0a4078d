"""Precision-recall curve and average precision: equal to scikit-learn, hand-derived cases, the prevalence baseline."""
import numpy as np
import pytest
import sklearn.metrics as skm
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from wloss.metrics import average_precision, precision_recall_curve


def assert_same_as_sklearn(y_true, scores):
    """Our curve and AP against scikit-learn's defaults: the same arrays, element for element."""
    precision, recall, thresholds = precision_recall_curve(y_true, scores)
    sk_precision, sk_recall, sk_thresholds = skm.precision_recall_curve(y_true, scores)
    np.testing.assert_array_equal(precision, sk_precision)
    np.testing.assert_array_equal(recall, sk_recall)
    np.testing.assert_array_equal(thresholds, sk_thresholds)
    assert average_precision(y_true, scores) == skm.average_precision_score(y_true, scores)
    # the conventions, read off the arrays themselves
    assert precision[-1] == 1.0 and recall[-1] == 0.0 and recall[0] == 1.0
    assert np.all(np.diff(thresholds) > 0) and np.all(np.diff(recall) <= 0)
    assert len(thresholds) == len(np.unique(scores)) == len(precision) - 1


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10), st.booleans()), min_size=1, max_size=60))
def test_equal_to_sklearn_with_many_ties(pairs):
    scores = np.array([p[0] for p in pairs]) / 10.0  # 11 possible values: heavy ties
    y_true = np.array([p[1] for p in pairs])
    y_true[0] = True  # at least one positive
    assert_same_as_sklearn(y_true, scores)  # bool labels
    assert_same_as_sklearn(y_true.astype(int), scores)


@pytest.mark.parametrize("seed", range(20))
def test_equal_to_sklearn_on_random_scores(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    prevalence = rng.uniform(0.01, 0.9)
    y_true = (rng.random(n) < prevalence).astype(int)
    y_true[rng.integers(n)] = 1
    scores = rng.normal(size=n) + rng.uniform(0, 2) * y_true
    assert_same_as_sklearn(y_true, scores)
    assert_same_as_sklearn(y_true, np.round(scores, 1))  # rounded to 1 decimal: many ties
    assert_same_as_sklearn(y_true, 1 / (1 + np.exp(-scores)))  # probabilities


@pytest.mark.parametrize("n, positives", [(1, 1), (5, 2), (40, 7), (40, 40)])
def test_all_equal_scores_give_one_threshold_at_the_prevalence(n, positives):
    y_true = np.r_[np.ones(positives, int), np.zeros(n - positives, int)]
    scores = np.full(n, 0.3)
    precision, recall, thresholds = precision_recall_curve(y_true, scores)
    # one threshold: everything predicted positive, precision = P / N, recall = 1
    np.testing.assert_array_equal(thresholds, [0.3])
    np.testing.assert_array_equal(recall, [1.0, 0.0])
    np.testing.assert_array_equal(precision, [positives / n, 1.0])
    assert average_precision(y_true, scores) == pytest.approx(positives / n)
    assert_same_as_sklearn(y_true, scores)


@pytest.mark.parametrize("rank", [1, 2, 5, 30])
def test_a_single_positive_at_rank_r_gives_ap_one_over_r(rank):
    # distinct scores; the positive is the rank-th highest: at its threshold TP = 1, FP = rank - 1
    scores = -np.arange(30.0)
    y_true = np.zeros(30, int)
    y_true[rank - 1] = 1
    assert average_precision(y_true, scores) == pytest.approx(1 / rank)
    assert_same_as_sklearn(y_true, scores)


@pytest.mark.parametrize("n, positives", [(10, 1), (10, 3), (50, 25)])
def test_perfect_and_inverted_rankings(n, positives):
    y_true = np.r_[np.ones(positives, int), np.zeros(n - positives, int)]
    scores = -np.arange(float(n))  # decreasing: the positives come first
    assert average_precision(y_true, scores) == 1.0  # every positive found at precision 1
    assert_same_as_sklearn(y_true, scores)
    # inverted: the k-th positive is found after all n - P negatives, at precision k / (n - P + k)
    inverted = -scores
    expected = np.mean([k / (n - positives + k) for k in range(1, positives + 1)])
    assert average_precision(y_true, inverted) == pytest.approx(expected)
    assert_same_as_sklearn(y_true, inverted)


@pytest.mark.parametrize("prevalence", [0.02, 0.2])
def test_a_random_scorer_gets_the_prevalence(prevalence):
    rng = np.random.default_rng(7)
    y_true = (rng.random(200_000) < prevalence).astype(int)
    scores = rng.random(200_000)  # independent of the labels
    assert abs(average_precision(y_true, scores) - y_true.mean()) < 0.01


def test_tensors_are_read_back():
    y_true, scores = [0, 1, 1, 0, 1], [0.2, 0.9, 0.2, 0.5, 0.7]
    got = precision_recall_curve(torch.tensor(y_true), torch.tensor(scores, dtype=torch.float64))
    for a, b in zip(got, precision_recall_curve(y_true, scores)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("function", [precision_recall_curve, average_precision])
@pytest.mark.parametrize("y_true, scores, match", [
    ([0, 0, 0], [0.1, 0.2, 0.3], "y_true has no positive"),
    ([0, 1, 2], [0.1, 0.2, 0.3], "y_true must hold binary labels"),
    ([0, -1, 1], [0.1, 0.2, 0.3], "y_true must hold labels >= 0"),
    ([0, 0.5, 1], [0.1, 0.2, 0.3], "y_true must hold integer class labels"),
    ([0, 1], [0.1, 0.2, 0.3], "scores and y_true must have the same length"),
    ([0, 1, 1], [0.1, float("nan"), 0.3], "scores must be finite"),
    ([0, 1, 1], [0.1, float("inf"), 0.3], "scores must be finite"),
    ([0, 1], [[0.1, 0.2]], "scores must be 1-D"),
    ([], [], "scores is empty"),
])
def test_bad_input_names_the_argument(function, y_true, scores, match):
    with pytest.raises(ValueError, match=match):
        function(y_true, scores)


def test_scores_that_are_not_numbers_raise_type_error():
    with pytest.raises(TypeError, match="scores must be an array of numbers"):
        average_precision([0, 1], ["a", "b"])
