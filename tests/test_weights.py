"""Class weights: the formulas, scikit-learn's "balanced", the seed's table, limits in beta."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils.class_weight import compute_class_weight

from wloss.weights import (
    class_counts,
    effective_number_weights,
    inverse_frequency_weights,
    pos_weight,
    sqrt_inverse_frequency_weights,
)

label_lists = st.lists(st.integers(0, 5), min_size=1, max_size=60)


def labels_from_counts(counts):
    return np.repeat(np.arange(len(counts)), counts)


@settings(max_examples=60, deadline=None)
@given(label_lists)
def test_inverse_frequency_equals_sklearn_balanced(y):
    classes = np.unique(y)
    relabelled = np.searchsorted(classes, y)  # sklearn only weights classes that occur
    expected = compute_class_weight("balanced", classes=np.arange(classes.size), y=relabelled)
    np.testing.assert_allclose(inverse_frequency_weights(relabelled), expected, rtol=1e-12)


def test_seed_table_70k_29k_1k():
    counts = np.array([70_000, 29_000, 1_000])
    weights = inverse_frequency_weights(labels_from_counts(counts))
    np.testing.assert_allclose(weights, counts.sum() / (3 * counts), rtol=1e-12)
    # the seed prints them rounded: 0.476, 1.149, 33.33
    np.testing.assert_array_equal(np.round(weights, 3), np.round(100_000 / (3 * counts), 3))
    np.testing.assert_allclose(counts * weights, counts.sum() / 3)  # equal class totals


def test_class_counts_with_num_classes():
    np.testing.assert_array_equal(class_counts([0, 2, 2], num_classes=4), [1, 0, 2, 0])


def test_empty_class_is_named():
    with pytest.raises(ValueError, match=r"class \[1\]"):
        inverse_frequency_weights([0, 0, 2])
    with pytest.raises(ValueError, match=r"class \[3\]"):
        effective_number_weights([0, 1, 2], 0.9, num_classes=4)
    with pytest.raises(ValueError, match=r"class \[0\]"):
        sqrt_inverse_frequency_weights([1, 1])


def test_labels_out_of_range_named():
    with pytest.raises(ValueError, match="y must hold labels in"):
        inverse_frequency_weights([0, 3], num_classes=2)


def test_non_integer_labels_named():
    with pytest.raises(ValueError, match="y must hold integer"):
        inverse_frequency_weights([0.5, 1.0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 500), min_size=1, max_size=8))
def test_sqrt_weights_mean_one_over_examples_and_root_ratios(counts):
    counts = np.array(counts)
    weights = sqrt_inverse_frequency_weights(labels_from_counts(counts))
    assert np.sum(counts * weights) == pytest.approx(counts.sum(), rel=1e-12)
    np.testing.assert_allclose(weights * np.sqrt(counts), weights[0] * np.sqrt(counts[0]), rtol=1e-12)


def test_pos_weight_equalises_class_totals():
    y = np.r_[np.zeros(95), np.ones(5)]
    w = pos_weight(y)
    assert w == 95 / 5
    assert 5 * w == 95


def test_pos_weight_zero_positives():
    with pytest.raises(ValueError, match="y has no positive"):
        pos_weight([0, 0, 0])


def test_pos_weight_zero_negatives():
    with pytest.raises(ValueError, match="y has no negative"):
        pos_weight([1, 1])


def test_pos_weight_non_binary():
    with pytest.raises(ValueError, match="y must hold binary labels"):
        pos_weight([0, 1, 2])


def test_pos_weight_empty():
    with pytest.raises(ValueError, match="y is empty"):
        pos_weight([])


def test_effective_number_formula():
    counts = np.array([50, 10, 3])
    beta = 0.9
    raw = (1 - beta) / (1 - beta ** counts)
    expected = 3 * raw / raw.sum()
    weights = effective_number_weights(labels_from_counts(counts), beta)
    np.testing.assert_allclose(weights, expected, rtol=1e-12)
    assert weights.sum() == pytest.approx(3)


def test_effective_number_beta_zero_is_uniform():
    y = labels_from_counts([100, 7, 1])
    np.testing.assert_array_equal(effective_number_weights(y, 0.0), np.ones(3))
    np.testing.assert_allclose(effective_number_weights(y, 1e-12), np.ones(3), rtol=1e-9)


def test_effective_number_beta_to_one_is_normalised_inverse_frequency():
    y = labels_from_counts([1000, 100, 10])
    inverse = inverse_frequency_weights(y)
    target = 3 * inverse / inverse.sum()
    errors = [np.max(np.abs(effective_number_weights(y, b) - target)) for b in (0.99, 0.9999, 1 - 1e-9)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-5


@pytest.mark.parametrize("beta", [-0.1, 1.0, 1.5, float("nan")])
def test_effective_number_beta_out_of_range(beta):
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\)"):
        effective_number_weights([0, 1], beta)


def test_effective_number_beta_wrong_type():
    with pytest.raises(TypeError, match="beta must be a real number"):
        effective_number_weights([0, 1], "0.9")


def test_docstring_examples():
    import doctest

    import wloss.weights

    result = doctest.testmod(wloss.weights)
    assert result.failed == 0 and result.attempted > 0
