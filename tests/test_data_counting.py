"""The counting-images set: labels in range, object count equals label, seeded, fast."""
import time

import numpy as np
import pytest
from scipy import ndimage, stats

from wloss.data import counting_label_distribution, make_counting_images


def count_objects(image):
    """Connected bright regions, diagonal neighbours included."""
    return ndimage.label(image > 0, structure=np.ones((3, 3)))[1]


def test_shapes_types_and_range():
    images, labels = make_counting_images(300, num_classes=30, image_size=28, seed=0)
    assert images.shape == (300, 1, 28, 28) and images.dtype == np.float32
    assert labels.shape == (300,) and labels.dtype == np.int64
    assert labels.min() >= 0 and labels.max() < 30
    assert images.min() == 0.0 and images.max() <= 1.0


@pytest.mark.parametrize("num_classes,image_size", [(30, 28), (5, 12), (17, 17)])
def test_number_of_objects_equals_label(num_classes, image_size):
    images, labels = make_counting_images(400, num_classes=num_classes, image_size=image_size, seed=1, skew=0.0)
    counts = np.array([count_objects(image[0]) for image in images])
    np.testing.assert_array_equal(counts, labels)
    assert labels.max() == num_classes - 1  # the largest count occurs and is drawn correctly


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = (make_counting_images(50, seed=s) for s in (7, 7, 8))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_label_distribution_is_skewed_as_requested():
    probabilities = counting_label_distribution(30, skew=4.0)
    assert probabilities.sum() == pytest.approx(1.0)
    assert probabilities[0] / probabilities[-1] == pytest.approx(np.exp(4.0))
    assert np.all(np.diff(probabilities) < 0)
    _, labels = make_counting_images(5000, seed=0, skew=4.0)
    observed = np.bincount(labels, minlength=30)
    assert stats.chisquare(observed, 5000 * probabilities).pvalue > 1e-3


def test_skew_zero_is_uniform():
    np.testing.assert_allclose(counting_label_distribution(10, skew=0.0), 0.1)


def test_fast():
    start = time.perf_counter()
    make_counting_images(5000, seed=0)
    assert time.perf_counter() - start < 1.5


def test_image_too_small_for_the_counts():
    with pytest.raises(ValueError, match="image_size 12 has 9 cells"):
        make_counting_images(10, num_classes=30, image_size=12)


def test_bad_skew():
    with pytest.raises(ValueError, match="skew must be >= 0"):
        make_counting_images(10, skew=-1.0)


def test_bad_n():
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        make_counting_images(0)


@pytest.mark.parametrize("skew, error", [("a", TypeError), (-1.0, ValueError), (float("nan"), ValueError)])
def test_a_bad_skew_is_named(skew, error):
    with pytest.raises(error, match="skew"):
        counting_label_distribution(3, skew=skew)
