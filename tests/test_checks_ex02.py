"""Exercise 02's checks: typical wrong answers get a message that names the mistake."""
import numpy as np
import pytest

from wloss.checks import CheckFailed, ex02


def stable_loss(z, y, w):
    return w * y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)


def test_naive_sigmoid_then_log_is_caught():
    def naive(z, y, w):
        p = 1 / (1 + np.exp(-z))
        with np.errstate(all="ignore"):
            return -(w * y * np.log(p) + (1 - y) * np.log(1 - p))
    with pytest.raises(CheckFailed, match="got inf or nan .* np.logaddexp"):
        with np.errstate(all="ignore"):
            ex02.check_weighted_bce_from_logits(naive)


def test_forgotten_weight_is_caught():
    with pytest.raises(CheckFailed, match="not multiplied by pos_weight"):
        ex02.check_weighted_bce_from_logits(lambda z, y, w: stable_loss(z, y, 1.0))


def test_gradient_with_the_wrong_sign():
    def wrong_sign(z, y, w):
        p = 1 / (1 + np.exp(-np.clip(z, -500, 500)))
        return -np.where(y == 1, w * (p - 1), p)
    with pytest.raises(CheckFailed, match="wrong sign"):
        ex02.check_weighted_bce_grad(wrong_sign)


def test_inverted_ratio():
    with pytest.raises(CheckFailed, match="n\\+/n-; the weight is n-/n\\+"):
        ex02.check_balancing_pos_weight(lambda y: float((np.asarray(y) == 1).sum() / (np.asarray(y) == 0).sum()))


def test_missing_error_for_no_positives():
    with pytest.raises(CheckFailed, match="expected a ValueError"):
        ex02.check_balancing_pos_weight(
            lambda y: float((np.asarray(y) == 0).sum() / max((np.asarray(y) == 1).sum(), 1)))


def test_boundary_moved_the_wrong_way():
    with pytest.raises(CheckFailed, match="wrong way"):
        ex02.check_weighted_boundary(lambda pi1, s, w: (np.log((1 - pi1) / pi1) + np.log(w)) / s)


def test_overflow_point_of_exp_is_not_the_answer():
    with pytest.raises(CheckFailed, match="NEGATIVE example breaks earlier"):
        ex02.check_first_infinite_logit(89)


def test_right_answers_pass(capsys):
    ex02.check_weighted_bce_from_logits(stable_loss)

    def grad(z, y, w):
        p = np.exp(-np.logaddexp(0, -z))
        return np.where(y == 1, w * (p - 1), p)
    ex02.check_weighted_bce_grad(grad)

    def balancing(y):
        y = np.asarray(y)
        if not (y == 1).any():
            raise ValueError("no positives")
        return float((y == 0).sum() / (y == 1).sum())
    ex02.check_balancing_pos_weight(balancing)
    ex02.check_weighted_boundary(lambda pi1, s, w: (np.log((1 - pi1) / pi1) - np.log(w)) / s)
    ex02.check_first_infinite_logit(17)
    assert capsys.readouterr().out.count("\u2714") == 5
