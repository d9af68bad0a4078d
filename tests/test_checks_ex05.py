"""Exercise 05's checks: typical wrong answers get a message that names the mistake."""
import numpy as np
import pytest

from wloss.checks import CheckFailed, ex05
from wloss.scenarios import bayes_decisions, rwwce_weights_from_costs, total_decision_cost


def split_with_largest_common_share(rows, y):
    own = np.zeros_like(rows, dtype=bool)
    own[np.arange(len(y)), y] = True
    fn = np.where(own, -np.inf, rows).max(axis=1)
    return fn, np.where(own, 0.0, rows - fn[:, None])


def split_keeping_the_true_column(rows, y):
    fn, fp = rwwce_weights_from_costs(rows, y)
    return fn, rows - fn[:, None]


def test_split_with_the_max_gives_negative_weights():
    with pytest.raises(CheckFailed, match="negative .* SMALLEST cost of a wrong class"):
        ex05.check_rwwce_split(split_with_largest_common_share)


def test_split_must_zero_the_true_column():
    with pytest.raises(CheckFailed, match="column of the true class must be 0"):
        ex05.check_rwwce_split(split_keeping_the_true_column)


def test_expected_cost_with_one_minus_p():
    with pytest.raises(CheckFailed, match="weighted the costs by 1 - p_ij"):
        ex05.check_expected_cost(lambda p, r: ((1 - p) * r).sum(axis=1))


def test_expected_cost_summed_over_the_wrong_axis():
    with pytest.raises(CheckFailed, match=r"expected shape \(12,\), got \(3,\)"):
        ex05.check_expected_cost(lambda p, r: (p * r).sum(axis=0))


def test_total_cost_with_transposed_matrices():
    with pytest.raises(CheckFailed, match=r"indexed C\[i, decision, true\]"):
        ex05.check_total_cost(lambda y, d, C: float(C[np.arange(len(y)), d, y].sum()))


def test_total_cost_as_a_mean():
    with pytest.raises(CheckFailed, match="mean cost per transaction; return the TOTAL"):
        ex05.check_total_cost(lambda y, d, C: total_decision_cost(y, d, C) / len(y))


def test_bayes_decide_with_the_most_probable_class():
    with pytest.raises(CheckFailed, match="most probable class"):
        ex05.check_bayes_decide(lambda p, C: p.argmax(axis=1))


def test_bayes_decide_with_argmax_of_the_cost():
    with pytest.raises(CheckFailed, match="argMAX of the expected cost"):
        ex05.check_bayes_decide(lambda p, C: np.einsum("nk,nkj->nj", p, C).argmax(axis=1))


def test_bayes_decide_with_the_wrong_contraction():
    with pytest.raises(CheckFailed, match="decisions differ"):
        ex05.check_bayes_decide(lambda p, C: np.einsum("nk,njk->nj", p, C).argmin(axis=1))


@pytest.mark.parametrize("answer, message", [
    ("loss_weights", "weights the model's OUTPUTS"),
    ("class_weight", "same for every observation"),
    ("sample_weight", "same whichever wrong class"),
    ("class weights", "expected one of"),
    (None, "got NoneType"),
])
def test_wrong_keras_arguments(answer, message):
    with pytest.raises(CheckFailed, match=message):
        ex05.check_keras_argument(answer)


def test_right_answers_pass(capsys):
    ex05.check_rwwce_split(rwwce_weights_from_costs)
    ex05.check_expected_cost(lambda p, r: (p * r).sum(axis=1))
    ex05.check_total_cost(total_decision_cost)
    ex05.check_bayes_decide(bayes_decisions)
    ex05.check_keras_argument("custom loss")
    assert capsys.readouterr().out.count("✔") == 5
