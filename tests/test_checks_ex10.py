"""Exercise 10's checks reject typical wrong answers with a message that says what is wrong."""
import numpy as np
import pytest

from wloss.checks import CheckFailed, ex10


def steps(probs, labels, strict=False):
    classes = np.arange(probs.shape[1])[None, :]
    labels = np.asarray(labels)[:, None]
    return classes > labels if strict else classes >= labels


def right_rps(probs, labels):
    return np.sum((np.cumsum(probs, axis=1) - steps(probs, labels)) ** 2, axis=1)


def right_l1(probs, labels, label_values=None):
    values = np.arange(probs.shape[1]) if label_values is None else np.asarray(label_values)
    return np.abs(probs @ values - values[labels])


def right_dce(probs, labels, alpha):
    distance = np.abs(np.arange(probs.shape[1])[None, :] - labels[:, None])
    return -np.log(probs[np.arange(len(labels)), labels]) + alpha * np.sum(probs * distance, axis=1)


def right_group_error(probs, labels, size):
    means = probs @ np.arange(probs.shape[1])
    return float(np.mean(np.abs(means.reshape(-1, size).sum(1) - labels.reshape(-1, size).sum(1))))


def test_right_answers_pass(capsys):
    ex10.check_rps(right_rps)
    ex10.check_expected_label_l1(right_l1)
    ex10.check_distance_penalized_ce(right_dce)
    ex10.check_sum_of_groups_error(right_group_error)
    ex10.check_l1_optimal_class(lambda p: int(np.searchsorted(np.cumsum(p), 0.5)))
    assert capsys.readouterr().out.count("\u2714") == 5


def test_rps_with_a_strict_inequality_is_caught():
    def off_by_one(probs, labels):
        return np.sum((np.cumsum(probs, axis=1) - steps(probs, labels, strict=True)) ** 2, axis=1)

    with pytest.raises(CheckFailed, match=r"rps \(random forecasts, K = 6; compare .* \(cumulative, and >= not >\)\)"):
        ex10.check_rps(off_by_one)


def test_rps_without_the_cumulative_sum_is_caught():
    with pytest.raises(CheckFailed, match="rps .*wrong value at index"):
        ex10.check_rps(lambda probs, labels: np.sum((probs - steps(probs, labels)) ** 2, axis=1))


def test_rps_averaged_over_the_batch_is_caught():
    with pytest.raises(CheckFailed, match=r"rps \(random forecasts, K = 6\): expected shape \(5,\), got \(\)"):
        ex10.check_rps(lambda probs, labels: right_rps(probs, labels).mean())


def test_l1_of_the_argmax_instead_of_the_mean_is_caught():
    with pytest.raises(CheckFailed, match="with the forecast's MEAN, not its argmax"):
        ex10.check_expected_label_l1(lambda probs, labels, values=None: np.abs(probs.argmax(1) - labels).astype(float))


def test_l1_that_ignores_label_values_is_caught():
    with pytest.raises(CheckFailed, match=r"expected_label_l1 \(label values 5, 10, 20, 40"):
        ex10.check_expected_label_l1(lambda probs, labels, values=None: right_l1(probs, labels))


def test_l1_without_the_absolute_value_is_caught():
    with pytest.raises(CheckFailed, match="an absolute difference is >= 0"):
        ex10.check_expected_label_l1(lambda probs, labels, values=None: probs @ np.arange(probs.shape[1]) - labels)


def test_dce_that_ignores_alpha_is_caught():
    with pytest.raises(CheckFailed, match=r"alpha = 0.0 .*must be plain cross-entropy"):
        ex10.check_distance_penalized_ce(lambda probs, labels, alpha: right_dce(probs, labels, 1.0))


def test_dce_with_squared_distance_is_caught():
    def squared(probs, labels, alpha):
        distance = (np.arange(probs.shape[1])[None, :] - labels[:, None]) ** 2
        return -np.log(probs[np.arange(len(labels)), labels]) + alpha * np.sum(probs * distance, axis=1)

    with pytest.raises(CheckFailed, match=r"distance_penalized_ce \(alpha = 1.0; penalty alpha \* sum_k p_k \|k - y\|\)"):
        ex10.check_distance_penalized_ce(squared)


def test_summed_argmaxes_are_caught():
    def argmax_totals(probs, labels, size):
        return float(np.mean(np.abs(probs.argmax(1).reshape(-1, size).sum(1) - labels.reshape(-1, size).sum(1))))

    with pytest.raises(CheckFailed, match="that is the error of summed ARGMAXES"):
        ex10.check_sum_of_groups_error(argmax_totals)


def test_mean_per_image_error_times_group_size_is_caught():
    def per_image(probs, labels, size):
        return float(size * np.mean(np.abs(probs @ np.arange(probs.shape[1]) - labels)))

    with pytest.raises(CheckFailed, match=r"sum_of_groups_error \(32 forecasts, groups of 8\): expected"):
        ex10.check_sum_of_groups_error(per_image)


def test_mode_instead_of_median_is_caught():
    with pytest.raises(CheckFailed, match="class 3 has expected L1 .* but class 1 reaches .* the median"):
        ex10.check_l1_optimal_class(lambda p: int(np.argmax(p)))


def test_rounded_mean_instead_of_median_is_caught():
    with pytest.raises(CheckFailed, match="class 2 has expected L1 .* but class 1 reaches"):
        ex10.check_l1_optimal_class(lambda p: int(round(p @ np.arange(p.size))))


def test_probability_instead_of_class_is_caught():
    with pytest.raises(CheckFailed, match="expected a class index in 0..3, got 0.4"):
        ex10.check_l1_optimal_class(lambda p: float(np.max(p)))
