"""Exercise 09's checks reject typical wrong answers with a message that says what is wrong."""
import numpy as np
import pytest

from wloss.checks import CheckFailed, ex09


def right_weights(y):
    return 1.0 / np.bincount(y)[y]


def right_focal_grad(p, gamma):
    return (1 - p) ** gamma * (gamma * p * np.log(p) - (1 - p))


def right_adjust(logits, prior, tau):
    return logits - tau * np.log(prior)


def right_paired(a, b):
    d = np.asarray(b) - np.asarray(a)
    return d.mean(), d.std(ddof=1) / np.sqrt(d.size)


# validation data for the tau check: class 1 is rare, and its logit is too low by log(prior) ratio
TAUS = np.array([0.0, 0.5, 1.0, 1.5])
PRIOR = np.array([0.9, 0.1])
Y_VAL = np.array([0, 0, 0, 0, 1, 1, 1, 1])
VAL_LOGITS = np.array([[3.0, 0.0], [2.5, 0.0], [2.0, 0.0], [0.2, 0.0],
                       [1.5, 0.0], [1.0, 0.0], [0.5, 0.0], [-1.0, 0.0]])


def test_right_answers_pass(capsys):
    ex09.check_balanced_sample_weights(right_weights)
    ex09.check_focal_grad_true_logit(right_focal_grad)
    ex09.check_posthoc_adjust(right_adjust)
    scores = [np.mean([(right_adjust(VAL_LOGITS, PRIOR, t).argmax(1) == Y_VAL)[Y_VAL == k].mean() for k in (0, 1)])
              for t in TAUS]
    ex09.check_best_tau(float(TAUS[np.argmax(scores)]), VAL_LOGITS, Y_VAL, PRIOR, TAUS)
    ex09.check_paired_difference(right_paired)
    assert capsys.readouterr().out.count("\u2714") == 5


def test_weights_with_the_count_instead_of_its_inverse_are_caught():
    with pytest.raises(CheckFailed, match=r"same total weight; per-class totals are \[4900.0, 841.0, 1.0\]"):
        ex09.check_balanced_sample_weights(lambda y: np.bincount(y)[y].astype(float))


def test_per_class_weights_instead_of_per_example_are_caught():
    with pytest.raises(CheckFailed, match=r"long tail 70/29/1\): expected shape \(100,\), got \(3,\)"):
        ex09.check_balanced_sample_weights(lambda y: len(y) / (3 * np.bincount(y)))


def test_focal_derivative_with_respect_to_p_instead_of_the_logit_is_caught():
    def d_by_dp(p, gamma):
        return gamma * (1 - p) ** (gamma - 1) * np.log(p) - (1 - p) ** gamma / p

    with pytest.raises(CheckFailed, match="gamma = 0.0, compared with autograd .* must give cross-entropy's p_y - 1"):
        ex09.check_focal_grad_true_logit(d_by_dp)


def test_focal_gradient_with_the_wrong_sign_is_caught():
    with pytest.raises(CheckFailed, match="focal_grad_true_logit .*wrong value at index"):
        ex09.check_focal_grad_true_logit(lambda p, gamma: -right_focal_grad(p, gamma))


def test_adding_the_log_prior_instead_of_subtracting_is_caught():
    with pytest.raises(CheckFailed, match=r"posthoc_adjust \(tau = 1.0\): wrong value at index \(0, 0\)"):
        ex09.check_posthoc_adjust(lambda logits, prior, tau: logits + tau * np.log(prior))


def test_adjustment_that_ignores_tau_is_caught():
    with pytest.raises(CheckFailed, match=r"posthoc_adjust \(tau = 0.0\)"):
        ex09.check_posthoc_adjust(lambda logits, prior, tau: logits - np.log(prior))


def test_tau_with_the_lowest_score_is_caught():
    with pytest.raises(CheckFailed, match="pick the tau with the HIGHEST balanced accuracy"):
        ex09.check_best_tau(0.0, VAL_LOGITS, Y_VAL, PRIOR, TAUS)


def test_index_instead_of_tau_is_caught():
    with pytest.raises(CheckFailed, match="did you return an index instead of the value"):
        ex09.check_best_tau(3, VAL_LOGITS, Y_VAL, PRIOR, TAUS)


def test_missing_tau_is_caught():
    with pytest.raises(CheckFailed, match="best_tau: expected a number, got None"):
        ex09.check_best_tau(None, VAL_LOGITS, Y_VAL, PRIOR, TAUS)


def test_standard_deviation_with_ddof_0_is_caught():
    def ddof0(a, b):
        d = np.asarray(b) - np.asarray(a)
        return d.mean(), d.std() / np.sqrt(d.size)

    with pytest.raises(CheckFailed, match=r"standard error \(std with ddof=1, divided by sqrt\(n\)\) \(five seeds\)"):
        ex09.check_paired_difference(ddof0)


def test_standard_deviation_instead_of_standard_error_is_caught():
    with pytest.raises(CheckFailed, match="standard error"):
        ex09.check_paired_difference(lambda a, b: (np.mean(b - a), np.std(b - a, ddof=1)))


def test_a_minus_b_is_caught():
    with pytest.raises(CheckFailed, match="wrong sign; compute b - a"):
        ex09.check_paired_difference(lambda a, b: right_paired(b, a))


def test_unpaired_standard_error_is_caught():
    def unpaired(a, b):
        return np.mean(b) - np.mean(a), np.sqrt(np.var(a, ddof=1) / len(a) + np.var(b, ddof=1) / len(b))

    with pytest.raises(CheckFailed, match="standard error"):
        ex09.check_paired_difference(unpaired)
