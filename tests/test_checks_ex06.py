"""Exercise 06's checks: typical wrong answers get a message that names the mistake."""
import numpy as np
import pytest
from scipy.special import logsumexp

from wloss import reference
from wloss.checks import CheckFailed, ex06
from wloss.metrics import real_world_cost


def rwwce_with_diagonal(probs, targets, fn_cost, fp_cost):
    probs, fp_cost = np.asarray(probs), np.asarray(fp_cost)
    rows = np.arange(len(targets))
    fn_term = np.asarray(fn_cost)[targets] * np.log(probs[rows, targets])
    fp_term = (fp_cost[targets] * np.log1p(-probs)).sum(axis=1)     # k' = y_m not excluded
    return float(-(fn_term + fp_term).mean())


def test_rwwce_including_the_diagonal():
    with pytest.raises(CheckFailed, match=r"included the diagonal fp_cost\[y, y\]"):
        ex06.check_rwwce_numpy(rwwce_with_diagonal)


def test_rwwce_divided_by_k():
    with pytest.raises(CheckFailed, match="divided by K = 4 .*K.mean slip"):
        ex06.check_rwwce_numpy(lambda p, t, fn, fp: reference.rwwce(p, t, fn, fp) / np.shape(p)[1])


def test_rwwce_with_transposed_fp_cost():
    with pytest.raises(CheckFailed, match=r"indexed \[true, predicted\]"):
        ex06.check_rwwce_numpy(lambda p, t, fn, fp: reference.rwwce(p, t, fn, np.asarray(fp).T))


def test_rwwce_summed_over_examples():
    with pytest.raises(CheckFailed, match="sum over examples; eq. 6 has 1/M"):
        ex06.check_rwwce_numpy(lambda p, t, fn, fp: reference.rwwce(p, t, fn, fp, reduction="sum"))


def test_naive_log_one_minus_softmax_is_not_finite():
    def naive(z):
        e = np.exp(z)
        with np.errstate(all="ignore"):
            return np.log(1 - e / e.sum(axis=1, keepdims=True))
    with pytest.raises(CheckFailed, match="not finite.*use logsumexp over the other classes"):
        ex06.check_log_one_minus_softmax(naive)


def test_log_softmax_instead_of_log_one_minus_softmax():
    def log_softmax(z):
        top = z.max(axis=1, keepdims=True)
        return z - top - np.log(np.exp(z - top).sum(axis=1, keepdims=True))
    with pytest.raises(CheckFailed, match=r"log_one_minus_softmax \(moderate logits\): wrong value"):
        ex06.check_log_one_minus_softmax(log_softmax)


def test_pos_weight_upside_down():
    with pytest.raises(CheckFailed, match="pos_weight is upside down"):
        ex06.check_rwwce_as_weighted_bce(lambda fn, fp: (fp / fn, fp))


def test_factor_c_fn_instead_of_c_fp():
    with pytest.raises(CheckFailed, match="the factor is c_fn"):
        ex06.check_rwwce_as_weighted_bce(lambda fn, fp: (fn / fp, fn))


def test_list_instead_of_tuple():
    with pytest.raises(CheckFailed, match=r"expected a tuple \(pos_weight, factor\)"):
        ex06.check_rwwce_as_weighted_bce(lambda fn, fp: [fn / fp, fp])


def test_real_world_cost_without_fn_cost():
    def fp_only(y_true, y_pred, fn_cost, fp_cost):
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        return float(np.where(y_true != y_pred, np.asarray(fp_cost)[y_true, y_pred], 0.0).mean())
    with pytest.raises(CheckFailed, match=r"charged only fp_cost\[i, j\]"):
        ex06.check_real_world_cost_multiclass(fp_only)


def test_real_world_cost_total_instead_of_mean():
    with pytest.raises(CheckFailed, match="returned the total; divide by N"):
        ex06.check_real_world_cost_multiclass(
            lambda t, p, fn, fp: real_world_cost(t, p, fn, fp) * len(t))


def test_clip_logit_wrong_sign():
    with pytest.raises(CheckFailed, match="wrong sign"):
        ex06.check_clip_dead_logit(lambda eps, k: float(np.log((1 - eps) / (eps * (k - 1)))))


def test_clip_logit_without_other_classes():
    with pytest.raises(CheckFailed, match="dropped the K - 1 other classes"):
        ex06.check_clip_dead_logit(lambda eps, k: float(np.log(eps / (1 - eps))))


def test_right_answers_pass(capsys):
    ex06.check_rwwce_numpy(reference.rwwce)
    ex06.check_log_one_minus_softmax(lambda z: logsumexp(
        np.where(np.eye(z.shape[1], dtype=bool), -np.inf, z[:, None, :]), axis=2) - logsumexp(z, axis=1, keepdims=True))
    ex06.check_rwwce_as_weighted_bce(lambda fn, fp: (fn / fp, fp))
    ex06.check_real_world_cost_multiclass(real_world_cost)
    ex06.check_clip_dead_logit(lambda eps, k: float(np.log(eps * (k - 1) / (1 - eps))))
    assert capsys.readouterr().out.count("\u2714") == 5
