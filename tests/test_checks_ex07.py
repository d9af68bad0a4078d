"""Exercise 07's checks: typical wrong answers get a message that names the mistake."""
import numpy as np
import pytest

from wloss.checks import CheckFailed, ex07


def p_star(n1, n0, c_fn, c_fp):
    return c_fn * n1 / (c_fn * n1 + c_fp * n0)


def test_swapped_costs():
    with pytest.raises(CheckFailed, match="costs swapped"):
        ex07.check_rwwce_minimiser(lambda n1, n0, c_fn, c_fp: c_fp * n1 / (c_fp * n1 + c_fn * n0))


def test_plain_frequency():
    with pytest.raises(CheckFailed, match="plain frequency"):
        ex07.check_rwwce_minimiser(lambda n1, n0, c_fn, c_fp: n1 / (n1 + n0))


def test_a_float_instead_of_a_sympy_expression():
    with pytest.raises(CheckFailed, match="expected a sympy expression"):
        ex07.check_symbolic_minimiser(lambda n1, n0, c_fn, c_fp: 0.9)


def test_symbolic_minimiser_with_swapped_costs():
    with pytest.raises(CheckFailed, match="costs swapped"):
        ex07.check_symbolic_minimiser(lambda n1, n0, c_fn, c_fp: c_fp * n1 / (c_fp * n1 + c_fn * n0))


def test_prediction_without_the_cost_weighting():
    with pytest.raises(CheckFailed, match=r"optimal_prediction .*c_fn=20.0, c_fp=1.0"):
        ex07.check_optimal_prediction(lambda q, c_fn, c_fp: np.asarray(q, dtype=float))


def test_unconverged_training_is_named():
    with pytest.raises(CheckFailed, match="not converged"):
        ex07.check_trained_bias_probability(lambda n1, n0, c_fn, c_fp: 0.85 if n1 == 9 else p_star(n1, n0, c_fn, c_fp))


def test_unnormalised_categorical_minimiser():
    with pytest.raises(CheckFailed, match="must sum to 1"):
        ex07.check_categorical_minimiser_no_fp(lambda f, c: np.asarray(f) * np.asarray(c))


def test_right_answers_pass(capsys):
    ex07.check_rwwce_minimiser(p_star)
    ex07.check_symbolic_minimiser(p_star)
    ex07.check_optimal_prediction(lambda q, c_fn, c_fp: c_fn * np.asarray(q) / (c_fn * np.asarray(q) + c_fp * (1 - np.asarray(q))))
    ex07.check_trained_bias_probability(p_star)
    ex07.check_categorical_minimiser_no_fp(lambda f, c: np.asarray(f) * c / (np.asarray(f) * c).sum())
    assert capsys.readouterr().out.count("\u2714") == 5
